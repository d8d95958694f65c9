"""Vendor the ONS UK input-output analytical tables 2019 into small tidy CSVs.

    python scripts/vendor_io_tables.py [--xlsx /work/shared/data/io/nasu1719in.xlsx]
                                       [--out evidence/data/io]

Reads the industry-by-industry workbook (sheets "IOT": domestic use at basic prices, GBP million;
"A": matrix of coefficients; "IOGs": classification key) and writes:

- ``io_industries.csv``: code (as ONS prints it, e.g. ``C25OTHER``), name, sic (the SIC 2007
  divisions/groups/classes it covers, e.g. ``25.1-3/5-9``), n_classes (4-digit classes mapped)
- ``io_coefficients.csv``: supplier_industry, buyer_industry, coefficient (non-zero a_ij of the
  A sheet: domestic purchases from i per unit of j's output)
- ``io_sic_map.csv``: sic (4-digit SIC 2007 class, no dot), io_industry
- ``io_totals.csv``: per industry, GBP million: output (P1), gva, compensation (D1), imports
  (use of imported products), intermediate_sales (domestic intermediate use of its output),
  final_demand, exports, total_use. The workbook has no employment, so none is written.

The SIC map is derived from the industry codes themselves (``C102_3`` = groups 10.2 and 10.3,
``C241T243`` = groups 24.1 to 24.3, ``C20A`` = classes 20.11/13/15 from its label, ``C25OTHER``
= the rest of division 25, ``L68BXL683`` = division 68 except 68.3; ``L68A``, owner-occupiers'
imputed rent, has no SIC class), each SIC 2007 class going to the longest matching prefix; it is
checked against the IOG key. Output is deterministic (sorted, fixed float format).
"""

from __future__ import annotations

import argparse
import csv
import re
import sys
from pathlib import Path

import openpyxl

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_XLSX = Path("/work/shared/data/io/nasu1719in.xlsx")
DEFAULT_OUT = ROOT / "evidence" / "data" / "io"
CLASSES_CSV = ROOT / "evidence" / "data" / "sic2007_classes.csv"
N_INDUSTRIES = 105

LICENCE = """# Input-output tables: source and licence

Contains public sector information licensed under the Open Government Licence v3.0
(https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/).

Source: Office for National Statistics, "UK input-output analytical tables: industry by
industry", 2019 edition (file nasu1719in.xlsx; consistent with UK National Accounts Blue Book
2022 and UK Balance of Payments Pink Book 2022). Sheets used: IOT (domestic use, basic prices,
GBP million), A (matrix of coefficients), IOGs (classification key).

The files in this folder are reshaped by `scripts/vendor_io_tables.py` (long format; the SIC
2007 class map is derived from the ONS industry codes); no values were changed other than
rounding to 12 significant figures.
"""


def _clean(text: object) -> str:
    return re.sub(r"\s+", " ", str(text or "").replace("\xa0", " ")).strip()


def _fmt(x: float) -> str:
    return f"{float(x):.12g}"


def _rows(ws) -> list[tuple]:
    return [tuple(r) for r in ws.iter_rows(values_only=True)]


def _industry_block(rows: list[tuple], header_row: int) -> tuple[list[str], dict[str, int]]:
    """Industry codes along the header row and the column index of every header code."""
    header = rows[header_row]
    codes = [_clean(c) for c in header[2:2 + N_INDUSTRIES]]
    cols = {_clean(c): i for i, c in enumerate(header) if c is not None}
    return codes, cols


def _prefixes(code: str, name: str) -> tuple[list[str], str | None]:
    """SIC prefixes (no dots) an ONS IO code covers, and a division whose rest it takes."""
    explicit: list[str] = []
    rest: str | None = None
    for part in re.split(r"\s*(?:&|,)\s*", code):
        part = part.strip()
        if not part:
            continue
        body = part[1:]  # drop the section letter
        if m := re.fullmatch(r"(\d\d)OTHER", body):
            rest = m.group(1)
        elif m := re.fullmatch(r"(\d\d)BX.*", body):
            rest = m.group(1)
        elif re.fullmatch(r"\d\d[A-Z]", body):
            if body == "68A":
                continue  # imputed rent of owner-occupiers: no SIC class
            label = re.search(r"-\s*(\d\d)\.([\d/]+)\s*$", name)
            if not label:
                raise ValueError(f"cannot read the classes of {code!r} from {name!r}")
            explicit += [label.group(1) + s for s in label.group(2).split("/")]
        elif m := re.fullmatch(r"(\d+)T(\d+)", body):
            a, b = m.groups()
            explicit += [str(v).zfill(len(a)) for v in range(int(a), int(b) + 1)]
        elif m := re.fullmatch(r"(\d+)_(\d)", body):
            head, alt = m.groups()
            explicit += [head, head[:-1] + alt]
        elif m := re.fullmatch(r"(\d\d)\.(\d)(?:-(\d))?", body):
            div, a, b = m.group(1), int(m.group(2)), int(m.group(3) or m.group(2))
            explicit += [f"{div}{v}" for v in range(a, b + 1)]
        elif re.fullmatch(r"\d{2,4}", body):
            explicit.append(body)
        else:
            raise ValueError(f"unrecognised IO industry code part {part!r} in {code!r}")
    return explicit, rest


def _coverage(explicit: list[str], rest: str | None, name: str) -> str:
    if label := re.search(r"-\s*([\d.\-/]+)\s*$", name):
        return label.group(1)
    if rest is not None:
        return f"{rest} (rest)"
    out = []
    for p in explicit:
        out.append(p if len(p) == 2 else f"{p[:2]}.{p[2:]}")
    return "/".join(out)


def sic_map(codes: list[str], names: list[str], classes: list[str]) -> dict[str, str]:
    """4-digit class -> IO industry by longest explicit prefix, else the division's 'rest'."""
    explicit: dict[str, str] = {}
    rest: dict[str, str] = {}
    for code, name in zip(codes, names, strict=True):
        prefixes, remainder = _prefixes(code, name)
        for p in prefixes:
            if p in explicit:
                raise ValueError(f"SIC prefix {p} claimed by {explicit[p]} and {code}")
            explicit[p] = code
        if remainder is not None:
            rest[remainder] = code
    out: dict[str, str] = {}
    for c in classes:
        hit = next((explicit[c[:n]] for n in (4, 3, 2) if c[:n] in explicit), None)
        hit = hit or rest.get(c[:2])
        if hit is not None:
            out[c] = hit
    return out


def _check_against_iog(rows: list[tuple], mapping: dict[str, str]) -> list[str]:
    """Each IOG row's SIC code (e.g. 25.4, 10.2-3, 20.11/13/15) maps to a single IO industry."""
    problems = []
    for r in rows[7:]:
        if len(r) < 3 or r[1] is None:
            continue
        raw = _clean(r[1])
        m = re.fullmatch(r"(\d\d)(?:\.(\d+))?(?:[-/].*)?", raw)
        if not m:
            continue
        prefix = m.group(1) + (m.group(2) or "")
        hits = {v for k, v in mapping.items() if k.startswith(prefix)}
        if "/" in raw or "-" in raw:
            continue  # ranges: the first member was enough to find the row's industry
        if len(hits) > 1 and len(prefix) >= 3:
            problems.append(f"IOG {raw} maps to several IO industries: {sorted(hits)}")
    return problems


def vendor(xlsx: Path, out: Path) -> dict[str, int]:
    wb = openpyxl.load_workbook(xlsx, read_only=True, data_only=True)
    sheets = wb.sheetnames
    for needed in ("IOT", "A", "IOGs"):
        if needed not in sheets:
            raise SystemExit(f"{xlsx} has no sheet {needed!r} (sheets: {sheets})")
    iot, a_rows, iog = _rows(wb["IOT"]), _rows(wb["A"]), _rows(wb["IOGs"])

    codes, iot_cols = _industry_block(iot, 3)
    names = [_clean(n) for n in iot[4][2:2 + N_INDUSTRIES]]
    body = {_clean(r[0]): r for r in iot[6:] if r and r[0] is not None}
    by_label = {_clean(r[1]): r for r in iot[6:] if r and len(r) > 1 and r[1] is not None}
    if [_clean(r[0]) for r in iot[6:6 + N_INDUSTRIES]] != codes:
        raise SystemExit("IOT rows and columns list different industries")

    a_codes, _ = _industry_block(a_rows, 4)
    if a_codes != codes:
        raise SystemExit("the A sheet lists different industries from the IOT sheet")
    a_body = a_rows[7:7 + N_INDUSTRIES]

    classes = [r["sic"] for r in csv.DictReader(CLASSES_CSV.open(encoding="utf-8"))]
    mapping = sic_map(codes, names, classes)
    problems = _check_against_iog(iog, mapping)
    if problems:
        raise SystemExit("\n".join(problems))

    out.mkdir(parents=True, exist_ok=True)
    n_classes = {c: 0 for c in codes}
    for v in mapping.values():
        n_classes[v] += 1
    with (out / "io_industries.csv").open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["code", "name", "sic", "n_classes"])
        for code, name in zip(codes, names, strict=True):
            w.writerow([code, name, _coverage(*_prefixes(code, name), name), n_classes[code]])

    n_coef = 0
    with (out / "io_coefficients.csv").open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["supplier_industry", "buyer_industry", "coefficient"])
        for supplier, row in zip(codes, a_body, strict=True):
            if _clean(row[0]) != supplier:
                raise SystemExit(f"A sheet row {row[0]!r} out of order (expected {supplier})")
            for buyer, value in zip(codes, row[2:2 + N_INDUSTRIES], strict=True):
                if value:
                    w.writerow([supplier, buyer, _fmt(value)])
                    n_coef += 1

    with (out / "io_sic_map.csv").open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["sic", "io_industry"])
        for c in sorted(mapping):
            w.writerow([c, mapping[c]])

    def col(label: str) -> list[float]:
        row = by_label[label]
        return [float(row[2 + i] or 0.0) for i in range(N_INDUSTRIES)]

    def rowcol(code_col: str) -> list[float]:
        j = iot_cols[code_col]
        return [float((body[c][j] if len(body[c]) > j else 0.0) or 0.0) for c in codes]

    output = col("Total output at basic prices")
    total_use = rowcol("TU")
    inter = rowcol("_T")
    exports = [a + b + c for a, b, c in zip(rowcol("P61EU"), rowcol("P61RW"), rowcol("P62"),
                                            strict=True)]
    with (out / "io_totals.csv").open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["code", "output", "gva", "compensation", "imports", "intermediate_sales",
                    "final_demand", "exports", "total_use"])
        cols = zip(codes, output, col("Gross value added"), col("Compensation of employees"),
                   col("Use of imported products, cif"), inter, total_use, exports, strict=True)
        for code, x, gva, d1, imp, z, tu, ex in cols:
            w.writerow([code, _fmt(x), _fmt(gva), _fmt(d1), _fmt(imp), _fmt(z), _fmt(tu - z),
                        _fmt(ex), _fmt(tu)])

    (out / "LICENCE.md").write_text(LICENCE, encoding="utf-8")
    unmapped = [c for c in classes if c not in mapping]
    gap = max(abs(x - t) for x, t in zip(output, total_use, strict=True))
    return {"industries": len(codes), "coefficients": n_coef, "classes_mapped": len(mapping),
            "classes_unmapped": len(unmapped), "max_output_vs_total_use_gap": round(gap, 3),
            "unmapped": unmapped}  # type: ignore[dict-item]


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--xlsx", type=Path, default=DEFAULT_XLSX)
    p.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = p.parse_args(argv)
    if not args.xlsx.exists():
        print(f"no workbook at {args.xlsx}", file=sys.stderr)
        return 1
    for k, v in vendor(args.xlsx, args.out).items():
        print(f"{k}: {v}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
