"""Vendor real GB geography into ``evidence/data/geography/`` from the original public files.

Reads the originals (default ``/work/shared/data/geography``; pass ``--source DIR``):

- ``uk-local-authority-districts-2023.hexjson`` (Open Innovations, MIT): the 361 UK districts of
  2023 with name, region code and hex q/r ("odd-r");
- ``uk_local_authorities_current.csv`` (mySociety, MIT): councils past and present, nations,
  alternative names, successor councils and former GSS codes;
- ``Local_Authority_Districts_2021_centroids.csv`` (ONS, OGL): 2021 district centroids;
- ``LAD21_RGN21_EN_LU.csv`` (ONS, OGL): English district -> region names;
- ``LAD24_CAUTH24_EN_LU.csv`` (ONS, OGL): district -> combined authority (2024);
- ``LAD23_LSIP23_lookup.xlsx`` (DfE, OGL): district -> Local Skills Improvement Plan area (2023).

Writes (deterministically: the same inputs give the same bytes):

- ``districts.csv``: one row per UK district of 2023 (GB plus Northern Ireland, flagged by
  ``nation``) with region, ITL1, combined authority, LSIP area, centroid and hex position;
- ``code_changes.csv``: older district codes -> 2023 codes (mergers 2019-2023 and re-codings);
- ``uk-local-authority-districts-2023.hexjson``: byte-for-byte copy of the hex layout;
- ``LICENCE.md``: attribution and licences.

Run: ``python scripts/vendor_geography.py [--source DIR] [--out DIR]``.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import shutil
import sys
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SOURCE = Path("/work/shared/data/geography")
DEFAULT_OUT = ROOT / "evidence" / "data" / "geography"

HEXJSON = "uk-local-authority-districts-2023.hexjson"
MYSOCIETY = "uk_local_authorities_current.csv"
CENTROIDS = "Local_Authority_Districts_2021_centroids.csv"
REGIONS = "LAD21_RGN21_EN_LU.csv"
CAUTH = "LAD24_CAUTH24_EN_LU.csv"
LSIP = "LAD23_LSIP23_lookup.xlsx"

NATIONS = {"E": "England", "W": "Wales", "S": "Scotland", "N": "Northern Ireland"}
NATION_REGIONS = {
    "W92000004": "Wales",
    "S92000003": "Scotland",
    "N92000002": "Northern Ireland",
}
"""Wales, Scotland and Northern Ireland have no English-style region: the nation stands in."""

ITL1 = {
    "E12000001": ("TLC", "North East (England)"),
    "E12000002": ("TLD", "North West (England)"),
    "E12000003": ("TLE", "Yorkshire and The Humber"),
    "E12000004": ("TLF", "East Midlands (England)"),
    "E12000005": ("TLG", "West Midlands (England)"),
    "E12000006": ("TLH", "East of England"),
    "E12000007": ("TLI", "London"),
    "E12000008": ("TLJ", "South East (England)"),
    "E12000009": ("TLK", "South West (England)"),
    "W92000004": ("TLL", "Wales"),
    "S92000003": ("TLM", "Scotland"),
    "N92000002": ("TLN", "Northern Ireland"),
}
"""ONS International Territorial Levels (ITL 2021) level 1: one per English region or nation."""

DISTRICT_TYPES = {"NMD", "UA", "MD", "LBO", "SCO", "WPA", "NID", "CC"}
"""mySociety council types that are local authority districts (counties, CAs are not)."""

COLUMNS = [
    "district_code", "district_name", "name_cy", "nation", "region_code", "region_name",
    "itl1_code", "itl1_name", "cauth_code", "cauth_name", "lsip_code", "lsip_name",
    "lon", "lat", "centroid_basis", "hex_q", "hex_r", "alt_names",
]  # fmt: skip
CHANGE_COLUMNS = [
    "old_code", "old_name", "successor_code", "effective_date", "change", "code_2023",
    "name_2023",
]  # fmt: skip


def _read_csv(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, encoding="utf-8-sig", keep_default_na=False)


def _clean(text: str) -> str:
    return " ".join(str(text).split())


def _effective(end_date: str) -> str:
    """mySociety gives the last day of the old council (or the first of the new one)."""
    if not end_date:
        return ""
    day = pd.Timestamp(end_date)
    if day.month == 3 and day.day == 31:
        day += pd.Timedelta(days=1)
    return day.strftime("%Y-%m-%d")


def build_code_changes(society: pd.DataFrame, current: set[str]) -> pd.DataFrame:
    """Old district codes with their direct successor and the 2023 code they now belong to."""
    by_la = society.set_index("local-authority-code")
    rows: list[dict[str, str]] = []
    ended = society[
        (society["end-date"] != "")
        & (society["gss-code"] != "")
        & society["local-authority-type"].isin(DISTRICT_TYPES)
    ]
    for rec in ended.to_dict("records"):
        successors = [s for s in rec["replaced-by"].split(",") if s]
        if len(successors) != 1:  # a district split in two cannot map to one code: none did
            raise SystemExit(f"unexpected split of {rec['gss-code']}: {successors}")
        succ = by_la.loc[successors[0]]
        rows.append(
            {
                "old_code": rec["gss-code"],
                "old_name": _clean(rec["nice-name"]),
                "successor_code": succ["gss-code"],
                "effective_date": _effective(rec["end-date"]),
                "change": "merged",
            }
        )
    for rec in society[society["former-gss-codes"] != ""].to_dict("records"):
        if rec["local-authority-type"] not in DISTRICT_TYPES:
            continue  # combined authority re-codings are not districts
        for old in rec["former-gss-codes"].split(","):
            rows.append(
                {
                    "old_code": old.strip(),
                    "old_name": _clean(rec["nice-name"]),
                    "successor_code": rec["gss-code"],
                    "effective_date": "",
                    "change": "recoded",
                }
            )
    changes = pd.DataFrame(rows, columns=CHANGE_COLUMNS[:5])
    successor = dict(zip(changes["old_code"], changes["successor_code"], strict=True))

    def final(code: str) -> str:
        seen = {code}
        while code not in current and code in successor:
            code = successor[code]
            if code in seen:
                raise SystemExit(f"cycle in successor codes at {code}")
            seen.add(code)
        if code not in current:
            raise SystemExit(f"{code} does not lead to a 2023 district")
        return code

    changes["code_2023"] = changes["successor_code"].map(final)
    return changes.sort_values("old_code").reset_index(drop=True)


def build_districts(source: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    hexes = json.loads((source / HEXJSON).read_text(encoding="utf-8"))["hexes"]
    hexframe = pd.DataFrame(
        [
            {
                "district_code": code,
                "district_name": _clean(h["n"]),
                "name_cy": _clean(h.get("lad19nmw") or ""),
                "region_code": h["region"],
                "hex_q": int(h["q"]),
                "hex_r": int(h["r"]),
            }
            for code, h in hexes.items()
        ]
    )
    current = set(hexframe["district_code"])
    society = _read_csv(source / MYSOCIETY)
    changes = build_code_changes(society, current)

    regions = _read_csv(source / REGIONS)
    region_names = dict(zip(regions["RGN21CD"], regions["RGN21NM"], strict=False))
    region_names.update(NATION_REGIONS)
    unknown = set(hexframe["region_code"]) - set(region_names)
    if unknown:
        raise SystemExit(f"regions without a name: {sorted(unknown)}")

    cauth = _read_csv(source / CAUTH)
    lsip = pd.read_excel(source / LSIP, dtype=str).fillna("")
    for frame, column in ((cauth, "LAD24CD"), (lsip, "LAD23CD")):
        stray = set(frame[column]) - current
        if stray:
            raise SystemExit(f"{column} codes not among 2023 districts: {sorted(stray)}")

    cent = _read_csv(source / CENTROIDS)
    cent = cent.assign(
        lon=cent["LONG"].astype(float),
        lat=cent["LAT"].astype(float),
        area=cent["Shape__Area"].astype(float),
    ).set_index("LAD21CD")

    out = hexframe.copy()
    out["nation"] = out["district_code"].str[0].map(NATIONS)
    out["region_name"] = out["region_code"].map(region_names)
    out["itl1_code"] = out["region_code"].map(lambda c: ITL1[c][0])
    out["itl1_name"] = out["region_code"].map(lambda c: ITL1[c][1])
    ca = cauth.set_index("LAD24CD")
    out["cauth_code"] = out["district_code"].map(ca["CAUTH24CD"]).fillna("")
    out["cauth_name"] = out["district_code"].map(ca["CAUTH24NM"]).fillna("").map(_clean)
    ls = lsip.set_index("LAD23CD")
    out["lsip_code"] = out["district_code"].map(ls["LSIP23CD"]).fillna("").map(_clean)
    out["lsip_name"] = out["district_code"].map(ls["LSIP23NM"]).fillna("").map(_clean)

    lons, lats, basis = [], [], []
    for code in out["district_code"]:
        if code in cent.index:
            row = cent.loc[code]
            lons.append(row["lon"])
            lats.append(row["lat"])
            basis.append("ONS 2021 centroid")
            continue
        olds = changes.loc[(changes["code_2023"] == code), "old_code"]
        parts = cent.loc[cent.index.intersection(list(olds))]
        if parts.empty:
            raise SystemExit(f"no 2021 centroid or predecessors for {code}")
        w = parts["area"] / parts["area"].sum()
        lons.append(float((parts["lon"] * w).sum()))
        lats.append(float((parts["lat"] * w).sum()))
        basis.append("area-weighted mean of 2021 predecessors " + " ".join(sorted(parts.index)))
    out["lon"] = [f"{v:.5f}" for v in lons]
    out["lat"] = [f"{v:.5f}" for v in lats]
    out["centroid_basis"] = basis

    # Alternative spellings (mySociety), kept only where they name one district.
    gss = society.set_index("gss-code")
    aliases: dict[str, set[str]] = {c: set() for c in out["district_code"]}
    for code in out["district_code"]:
        if code not in gss.index:
            continue
        rec = gss.loc[[code]].iloc[0]
        for name in [rec["official-name"], rec["nice-name"], *rec["alt-names"].split(",")]:
            name = _clean(name)
            if name:
                aliases[code].add(name)
    owners: dict[str, set[str]] = {}
    for code, names in aliases.items():
        for name in names:
            owners.setdefault(name.casefold(), set()).add(code)
    name_of = dict(zip(out["district_code"], out["district_name"], strict=True))

    def spellings(code: str) -> str:
        kept: dict[str, str] = {}  # one spelling per case-folded form: the capitalised one
        for name in sorted(aliases[code]):  # sorted: capitals before lower case
            key = name.casefold()
            if len(owners[key]) == 1 and key != name_of[code].casefold():
                kept.setdefault(key, name)
        return "|".join(kept[k] for k in sorted(kept))

    out["alt_names"] = [spellings(code) for code in out["district_code"]]

    changes["name_2023"] = changes["code_2023"].map(name_of)
    out = out[COLUMNS].sort_values("district_code").reset_index(drop=True)
    return out, changes[CHANGE_COLUMNS]


LICENCE = """\
# Geography data: sources and licences

Files here are derived by `scripts/vendor_geography.py` from the public originals below; the
hexjson is an unchanged copy. Re-run the script to rebuild them.

- `uk-local-authority-districts-2023.hexjson`: unchanged copy of the Open Innovations hex map of
  UK local authority districts (2023).
- `districts.csv`: hex positions, names and region codes from the hexjson; nation and
  alternative names from mySociety; region names (2021), centroids (2021) and combined
  authorities (2024) from ONS; LSIP areas (2023) from DfE.
- `code_changes.csv`: successor councils and former GSS codes from mySociety.

## Open Innovations hexmaps (MIT licence)

`uk-local-authority-districts-2023.hexjson`, from https://github.com/odileeds/hexmaps

Copyright (c) 2017- Open Innovations

Permission is hereby granted, free of charge, to any person obtaining a copy of this software
and associated documentation files (the "Software"), to deal in the Software without
restriction, including without limitation the rights to use, copy, modify, merge, publish,
distribute, sublicense, and/or sell copies of the Software, and to permit persons to whom the
Software is furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all copies or
substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR IMPLIED, INCLUDING
BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY, FITNESS FOR A PARTICULAR PURPOSE AND
NONINFRINGEMENT. IN NO EVENT SHALL THE AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM,
DAMAGES OR OTHER LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE SOFTWARE.

## mySociety uk_local_authority_names_and_codes (MIT licence)

`uk_local_authorities_current.csv`, from https://github.com/mysociety/uk_local_authority_names_and_codes

Copyright (c) mySociety. Licensed under the MIT licence (same terms as above: permission to use,
copy, modify, merge, publish and distribute, provided the copyright notice and permission notice
are included; provided "as is", without warranty of any kind).

## ONS and DfE lookups (Open Government Licence v3.0)

`Local_Authority_Districts_2021_centroids.csv`, `LAD21_RGN21_EN_LU.csv` and
`LAD24_CAUTH24_EN_LU.csv` (Office for National Statistics, ONS Open Geography Portal) and
`LAD23_LSIP23_lookup.xlsx` (Department for Education).

Contains public sector information licensed under the Open Government Licence v3.0.
Source: Office for National Statistics licensed under the Open Government Licence v3.0.
Contains OS data (c) Crown copyright and database right 2021-2024.
https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/

## Derivations (not in the originals)

- ITL1 codes and names: the ONS ITL 2021 level-1 region of each English region or nation.
- Region of Wales, Scotland and Northern Ireland: the nation (`W92000004`, `S92000003`,
  `N92000002`), which is also its ITL1 area.
- Centroids of districts created in 2023 (Cumberland, Westmorland and Furness, North Yorkshire,
  Somerset): the area-weighted mean of the 2021 centroids of their predecessor districts
  (`centroid_basis` says which); approximate, good for maps and distances, not for boundaries.
- `code_changes.csv`: `successor_code` is the council that directly replaced the old one,
  `code_2023` the 2023 district it is part of now (e.g. Taunton Deane -> Somerset West and
  Taunton in 2019 -> Somerset in 2023). `recoded` rows are re-issued codes after boundary
  changes (same council, new code).
- `alt_names`: mySociety alternative spellings, kept only where a spelling names one district.
"""


def _csv_bytes(frame: pd.DataFrame) -> bytes:
    buf = io.StringIO()
    frame.to_csv(buf, index=False, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    return buf.getvalue().encode("utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    districts, changes = build_districts(args.source)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "districts.csv").write_bytes(_csv_bytes(districts))
    (args.out / "code_changes.csv").write_bytes(_csv_bytes(changes))
    shutil.copyfile(args.source / HEXJSON, args.out / HEXJSON)
    (args.out / "LICENCE.md").write_bytes(LICENCE.encode("utf-8"))
    gb = districts[districts["nation"] != "Northern Ireland"]
    print(
        f"{args.out}: {len(districts)} districts ({len(gb)} GB), "
        f"{len(changes)} code changes"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
