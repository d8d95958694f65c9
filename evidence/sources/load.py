"""Input formats: one entry point, ``load_dataset``, that picks the right reader.

``load_dataset`` looks at the bytes, never the file name: users rename downloads, NOMIS names
them after a number, and a ``.csv`` may be gzipped. Supported:

- the project's tidy table (``evidence.sources.tidy``, the format the synthetic demo ships in):
  CSV, gzipped CSV or Parquet with ``area_code`` and ``sic`` columns;
- NOMIS BRES bulk (API) CSV and NOMIS BRES web-query CSV (``evidence.sources.nomis``), also
  as XLSX downloads, UTF-16 ("Unicode text", tab-separated) or latin-1 / cp1252 text, and
  gzipped: workbooks and UTF-16 / tab-separated text are first turned into a plain UTF-8 CSV
  (``evidence.sources.text.plain_csv``) whose problems are reported against the original;
- ONS regional GVA by industry and local authority (``evidence.sources.ons_gva``), XLSX or CSV,
  only as ``gva_path`` next to an employment file.

This module imports every reader (and so pandas); ``evidence.sources`` itself imports none, so
that the tidy reader can be used alone (``policymix indicators`` on a tidy Parquet file).
"""

from __future__ import annotations

import gzip
from pathlib import Path

from evidence.dataset import DataError, Dataset
from evidence.sources.neighbourhoods import (
    NeighbourhoodLookup,
    place_neighbourhoods,
    read_lookup,
)
from evidence.sources.nomis import nomis_shape, read_nomis_bres
from evidence.sources.ons_gva import attach_gva, looks_like_ons_gva, xlsx_has_gva_table
from evidence.sources.text import leading_bytes, magic_bytes, plain_csv, read_head_lines
from evidence.sources.tidy import looks_like_tidy
from evidence.sources.tidy_cells import YearsWanted
from evidence.sources.tidy_duckdb import read_tidy_any

__all__ = ["SUPPORTED_FORMATS", "detect_format", "load_dataset", "place_tidy"]

SUPPORTED_FORMATS = (
    "demo tidy table (.csv, .csv.gz or .parquet with area_code and sic columns); "
    "NOMIS BRES bulk CSV (GEOGRAPHY_CODE, INDUSTRY_NAME, OBS_VALUE ...); "
    "NOMIS BRES query download CSV; "
    "ONS regional GVA by industry (XLSX or CSV, as the GVA file only)"
)


def detect_parquet(path: str | Path) -> bool:
    """True for a Parquet file, gzipped or not (no text lines to point at)."""
    return leading_bytes(path) == b"PAR1"


def detect_format(path: str | Path) -> str:
    """Name the format of a file from its content.

    Returns ``demo``, ``nomis_bulk``, ``nomis_query`` or ``ons_gva``; raises DataError for an
    empty, binary or unrecognised file, naming the formats that are supported.
    """
    path = Path(path)
    file = str(path)
    magic = magic_bytes(path, file)
    if not magic:
        raise DataError("the file is empty", file=file)
    if magic == b"PAR1":
        return "demo"
    if magic.startswith(b"PK"):
        if xlsx_has_gva_table(path):
            return "ons_gva"
        try:
            with plain_csv(path) as plain:
                shape = nomis_shape(read_head_lines(plain.path))
        except DataError:
            shape = None  # not a workbook (a zip archive) or an empty one
        if shape is not None:
            return f"nomis_{shape}"
        raise DataError(
            f"unrecognised workbook or zip archive; supported formats: {SUPPORTED_FORMATS}",
            file=file,
        )
    if magic.startswith(b"\x1f\x8b"):
        try:
            with gzip.open(path, "rb") as fh:
                inner = fh.read(4)
        except (OSError, EOFError) as exc:
            raise DataError(f"damaged gzip file ({exc})", file=file) from None
        if inner == b"PAR1":
            return "demo"
    with plain_csv(path) as plain:
        lines = read_head_lines(plain.path)  # handles gzip, empty and binary content
    if looks_like_tidy(lines[0]):
        return "demo"
    shape = nomis_shape(lines)
    if shape is not None:
        return f"nomis_{shape}"
    if looks_like_ons_gva(lines):
        return "ons_gva"
    raise DataError(
        f"unrecognised file content; supported formats: {SUPPORTED_FORMATS}", file=file, row=1
    )


def load_dataset(
    path: str | Path, gva_path: str | Path | None = None, status: str | None = None,
    engine: str = "auto", lookup: str | Path | None = None,
    years: YearsWanted | None = None,
) -> Dataset:
    """Read an employment file of any supported format, optionally with an ONS GVA file.

    ``status`` picks the BRES employment status when the file has several (default:
    Employment, else Employees). ``engine`` (``auto``, ``memory``, ``duckdb``) reads a tidy
    file in memory or out of core (``evidence.sources.tidy_duckdb``; ``auto``: by its size).
    ``lookup`` is an ONS area-to-district lookup placing the file's neighbourhoods (MSOAs,
    LSOAs) in their districts (:mod:`evidence.sources.neighbourhoods`); without one they are
    placed by the file's own districts or their ONS names. ``years`` (``(start, end)``, None
    for the file's first / last year) reads only those two years of a tidy file
    (:func:`evidence.sources.tidy.read_tidy`); the other readers read every year.
    """
    fmt = detect_format(path)
    table = read_lookup(lookup) if lookup is not None else None
    if fmt == "demo":
        ds = place_tidy(read_tidy_any(path, engine, years), path, table)
    elif fmt in ("nomis_bulk", "nomis_query"):
        with plain_csv(path) as plain:
            try:
                ds = read_nomis_bres(plain.path, status=status, name=str(path))
                ds = place_neighbourhoods(
                    ds, table, search=plain.path,
                    column="GEOGRAPHY_CODE" if fmt == "nomis_bulk" else None)
            except DataError as exc:
                raise plain.relocate(exc) from None
    else:  # ons_gva
        raise DataError(
            "this is a GVA file; load it alongside an employment file (as the GVA file)",
            file=str(path),
        )
    if gva_path is not None:
        ds = attach_gva(ds, gva_path)
    return ds


def place_tidy(ds: Dataset, path: str | Path, lookup: NeighbourhoodLookup | None) -> Dataset:
    """A tidy file's neighbourhoods placed in their districts (``lookup``, or the file's own
    rows and the ONS names); errors name the file's lines when it is text."""
    text = None if detect_parquet(path) else Path(path)
    return place_neighbourhoods(ds, lookup, search=text, column="area_code")
