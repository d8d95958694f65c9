"""Vendor the real BRES NUTS2 sample into ``evidence/data/samples/bres_nuts2.csv.gz``.

Reads the originals (default ``/work/shared/data/bres_nuts2``; pass ``--source DIR``):
``nomis_BRES_YYYY_TYPE450.csv`` - BRES employment by NUTS2 (2013) area x 4-digit SIC 2007 class,
one file a year, as published by Nesta (beis-indicators, MIT) from NOMIS (ONS, OGL) - and writes
one gzipped CSV in the project's tidy single-file layout (``evidence.sources.demo``: a ``table``
column with ``meta``, ``areas`` and ``employment`` rows), readable by ``read_demo`` and by
``evidence.sources.load_dataset``.

What is (and is not) in the output
----------------------------------
* Employment rows: ``area_code`` (NUTS2 code), ``year``, ``sic`` (4-digit class) and
  ``employment`` exactly as in the originals; nothing is summed, scaled or filled in.
* Years whose file holds only zeros (in this copy: 2010, 2011 and 2014 - every one of their
  20,475 values is 0.0) are left out: zero would claim "no jobs", which is not what the
  file means. The script reports which years it dropped.
* No all-industries (``TOTAL``) rows and no Great Britain row: the originals have neither. The
  project then takes an area's total as the sum of the 525 classes in the file and GB as the
  sum of the 39 areas (which together cover Great Britain). The 90 SIC classes absent from the
  originals (listed in a ``note`` meta row) are therefore missing from every total.
* Areas: the 39 NUTS2 areas at the contract's lowest, partitioning level (``lad``: the
  contract has no NUTS2 level), each with its NUTS1 region as parent (``UKC1`` -> ``UKC``, from
  the code prefix); NUTS1 rows at level ``region``.

The output is deterministic (sorted rows, fixed gzip header). Run:
``python scripts/vendor_bres_nuts2.py [--source DIR] [--out DIR]``.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import io
import re
import sys
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from evidence.sectors import match_code  # noqa: E402

DEFAULT_SOURCE = Path("/work/shared/data/bres_nuts2")
DEFAULT_OUT = ROOT / "evidence" / "data" / "samples"
OUT_FILE = "bres_nuts2.csv.gz"
SOURCE_NAME = (
    "BRES employment by NUTS2 (2013) area and SIC 2007 class - real official statistics "
    "(ONS/NOMIS via Nesta beis-indicators)"
)

NUTS1 = {
    "UKC": "North East (England)",
    "UKD": "North West (England)",
    "UKE": "Yorkshire and The Humber",
    "UKF": "East Midlands (England)",
    "UKG": "West Midlands (England)",
    "UKH": "East of England",
    "UKI": "London",
    "UKJ": "South East (England)",
    "UKK": "South West (England)",
    "UKL": "Wales",
    "UKM": "Scotland",
}
"""NUTS 2013 level 1 regions of Great Britain (the ITL1 regions of 2021, ``UK`` -> ``TL``)."""

COLUMNS = [
    "table", "area_code", "year", "sic", "employment", "suppressed", "area_name", "level",
    "group_code", "group_name", "region_code", "region_name",
]  # fmt: skip


def read_originals(source: Path) -> tuple[pd.DataFrame, list[int]]:
    """All yearly files stacked; returns the rows of usable years and the all-zero years."""
    frames = []
    for path in sorted(source.glob("nomis_BRES_*_TYPE450.csv")):
        year = int(re.search(r"_(\d{4})_", path.name).group(1))
        frame = pd.read_csv(path, dtype={"SIC4": str, "geo_cd": str, "geo_nm": str})
        if set(frame["year"]) != {year}:
            raise SystemExit(f"{path.name}: year column is not {year}")
        frames.append(frame)
    if not frames:
        raise SystemExit(f"no nomis_BRES_*_TYPE450.csv files in {source}")
    data = pd.concat(frames, ignore_index=True)
    if data["value"].isna().any() or (data["value"] < 0).any():
        raise SystemExit("unexpected empty or negative values")
    if data.duplicated(["year", "geo_cd", "SIC4"]).any():
        raise SystemExit("duplicate area/class/year rows")
    per_year = data.groupby("year")["value"].sum()
    empty = sorted(int(y) for y in per_year.index[per_year == 0])
    return data[~data["year"].isin(empty)].reset_index(drop=True), empty


def build(source: Path) -> tuple[pd.DataFrame, dict[str, object]]:
    data, empty_years = read_originals(source)
    classes = sorted(data["SIC4"].unique())
    areas = data[["geo_cd", "geo_nm"]].drop_duplicates().sort_values("geo_cd")
    known = pd.read_csv(ROOT / "evidence" / "data" / "sic2007_classes.csv", dtype=str)["sic"]
    absent = sorted(set(known) - set(classes))
    absent_am = [c for c in absent if match_code(c).sector_id is not None]
    years = sorted(int(y) for y in data["year"].unique())

    notes = [
        "Real BRES employment (rounded as published) for the 39 NUTS2 (2013) areas of Great "
        "Britain, by SIC 2007 class.",
        f"Years {', '.join(map(str, empty_years))} are left out: their files hold only zeros."
        if empty_years else "",
        f"The file has {len(classes)} of the 615 SIC classes and no all-industries row: an "
        "area's total is the sum of the classes in the file, Great Britain is the sum of the 39 "
        "areas. Absent classes: " + " ".join(absent) + ".",
        "Advanced manufacturing classes absent from the file (their jobs are not counted): "
        + " ".join(absent_am) + "." if absent_am else "",
        "NUTS2 areas stand at the lowest (district) level of the tool; their regions are the "
        "NUTS1 regions (code prefix).",
    ]
    rounding = "5" if (data["value"] % 5 == 0).all() else ""  # BRES rounds to the nearest 5
    meta = [("source_name", SOURCE_NAME), ("synthetic", "false"), ("rounding", rounding)]
    meta += [("note", n) for n in notes if n]

    rows: list[dict[str, object]] = [
        {"table": "meta", "area_code": k, "area_name": v} for k, v in meta
    ]
    for code, name in areas.itertuples(index=False):
        region = code[:3]
        rows.append({"table": "areas", "area_code": code, "area_name": name, "level": "lad",
                     "region_code": region, "region_name": NUTS1[region]})  # fmt: skip
    for region in sorted({c[:3] for c in areas["geo_cd"]}):
        rows.append({"table": "areas", "area_code": region, "area_name": NUTS1[region],
                     "level": "region"})  # fmt: skip
    head = pd.DataFrame(rows, columns=COLUMNS)
    emp = data.sort_values(["year", "geo_cd", "SIC4"])
    if not (emp["value"] == emp["value"].round()).all():
        raise SystemExit("non-integer employment values")
    employment = pd.DataFrame(
        {
            "table": "employment",
            "area_code": emp["geo_cd"].to_numpy(),
            "year": emp["year"].astype(int).to_numpy(),
            "sic": emp["SIC4"].to_numpy(),
            "employment": emp["value"].astype(int).to_numpy(),
            "suppressed": "false",
        },
        columns=COLUMNS,
    )
    out = pd.concat([head, employment], ignore_index=True)
    out["year"] = out["year"].astype("Int64")
    out["employment"] = out["employment"].astype("Int64")
    summary = {"years": years, "dropped_years": empty_years, "areas": len(areas),
               "classes": len(classes), "rows": len(employment)}  # fmt: skip
    return out, summary


LICENCE = """\
# Sample data: sources and licences

`bres_nuts2.csv.gz` is built by `scripts/vendor_bres_nuts2.py` from the yearly files
`nomis_BRES_YYYY_TYPE450.csv` of Nesta's beis-indicators project: Business Register and
Employment Survey (BRES) employment by NUTS2 (2013) area and 4-digit SIC 2007 class, Great
Britain. It holds the values of those files unchanged, for the years whose files hold data
(2015-2018; the 2010, 2011 and 2014 files in the copy used hold only zeros and are left out).
It has no all-industries totals: totals in the tool are sums of the 525 classes present.

These are real official statistics, not the synthetic demo.

## Business Register and Employment Survey (ONS, via NOMIS) - Open Government Licence v3.0

Source: Office for National Statistics, Business Register and Employment Survey, obtained from
NOMIS (https://www.nomisweb.co.uk).
Contains public sector information licensed under the Open Government Licence v3.0.
Source: Office for National Statistics licensed under the Open Government Licence v3.0.
https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/

## Nesta beis-indicators (MIT licence)

Derived files from https://github.com/nestauk/beis-indicators

Copyright (c) Nesta

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
"""


def write_gzip_csv(frame: pd.DataFrame, path: Path) -> None:
    buf = io.StringIO()
    frame.to_csv(buf, index=False, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    with open(path, "wb") as raw, gzip.GzipFile(
        filename="", mode="wb", fileobj=raw, compresslevel=9, mtime=0
    ) as gz:
        gz.write(buf.getvalue().encode("utf-8"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    frame, summary = build(args.source)
    args.out.mkdir(parents=True, exist_ok=True)
    target = args.out / OUT_FILE
    write_gzip_csv(frame, target)
    (args.out / "LICENCE.md").write_bytes(LICENCE.encode("utf-8"))
    print(f"{target}: {summary} ({target.stat().st_size / 1e6:.2f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
