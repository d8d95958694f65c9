"""Write the NOMIS context test fixtures of issue 9 section 4 into tests/fixtures/.

Each fixture is a small XLSX in the real layout of a NOMIS download in
``../shared/data/nomis_context/``: the real title lines, ``date`` / ``industry`` / ``confidence``
lines, header rows, footnotes and a few real area rows, copied unchanged, for two periods (Open
Government Licence v3.0: "Contains public sector information licensed under the Open Government
Licence v3.0"; source: ONS Annual Population Survey and UK Business Counts, via NOMIS, downloaded
24 April 2023). Run once from the project root; the fixtures are committed, so tests never need
../shared.

    python scripts/make_context_fixtures.py [path/to/shared/data/nomis_context]
"""

from __future__ import annotations

import sys
from pathlib import Path

from openpyxl import Workbook, load_workbook

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "tests" / "fixtures"
SRC = (Path(sys.argv[1]) if len(sys.argv) > 1
       else ROOT.parent / "shared" / "data" / "nomis_context")

AREAS = (
    "country:England",
    "User Defined Geography:West Midlands-MCA - from dn81838",
    "User Defined Geography:Brighton and Hove, East Sussex, Wes - from dn81838",
    "User Defined Geography:Norfolk and Suffolk-LSIP - from dn81838",
    "lep:Greater Birmingham and Solihull",
    "lep:Greater Manchester",
    "ladu:Derby",
    "ladu:Birmingham",
    "ladu:South Gloucestershire",
    "ladu:Allerdale",
    "ladu:Craven",
    "ladu:Isles of Scilly",
)
FILES = {
    "aps_qualifications_nomis_2023_04_24_144248.xlsx": (
        "nomis_aps_t19_qualifications.xlsx", {"Jan 2020-Dec 2020", "Jan 2021-Dec 2021"}, None),
    "aps_emp_by_occupation_nomis_2023_04_24_143000.xlsx": (
        "nomis_aps_t09a_occupations.xlsx", {"Jan 2020-Dec 2020", "Jan 2021-Dec 2021"}, None),
    "ubc_by_industry_nomis_2023_04_24_152639.xlsx": (
        "nomis_ubc_size_bands.xlsx", {"2021", "2022"},
        {("2021", "3 : Manufacturing (C)"), ("2022", "3 : Manufacturing (C)"),
         ("2022", "2 : Mining, quarrying & utilities (B,D and E)")}),
}


def _blocks(rows: list[tuple]) -> list[list[tuple]]:
    """Split the sheet into blocks, each starting at its title line."""
    starts = [i for i, r in enumerate(rows)
              if r[0] and i + 1 < len(rows) and str(rows[i + 1][0] or "").startswith("ONS Crown")]
    return [rows[a:b] for a, b in zip(starts, [*starts[1:], len(rows)], strict=True)]


def _meta(block: list[tuple], key: str) -> str:
    return next((str(r[1]) for r in block if r[0] == key), "")


def _keep(block: list[tuple], periods: set[str], industries: set | None) -> bool:
    date = _meta(block, "date")
    if industries is not None:
        return (date, _meta(block, "industry")) in industries
    return date in periods


def _trim(block: list[tuple]) -> list[tuple]:
    """The block with only the chosen area rows (titles, headers, footnotes unchanged)."""
    out = []
    for r in block:
        name = str(r[0] or "")
        is_area = name.startswith(("ladu:", "lep:", "country:", "User Defined Geography:"))
        if not is_area or name in AREAS:
            out.append(r)
    return out


def main() -> None:
    for name, (target, periods, industries) in FILES.items():
        ws = load_workbook(SRC / name).worksheets[0]
        rows = list(ws.iter_rows(values_only=True))
        wb = Workbook()
        out = wb.active
        out.title = ws.title
        for block in _blocks(rows):
            if _keep(block, periods, industries):
                for r in _trim(block):
                    out.append(list(r))
        wb.save(OUT / target)
        print(f"wrote {OUT / target}: {out.max_row} rows")


if __name__ == "__main__":
    main()
