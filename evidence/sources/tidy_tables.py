"""The small tables of a tidy file (areas, GVA, context, meta) from its Arrow rows, checked on
whole arrays.

A tidy file's rows other than employment are a few tens of thousands at most (GVA by sector
and year for every area), but building them through pandas categoricals row group by row
group, one check at a time, cost more than scattering two million employment rows. Here
every check ``read_tidy`` makes on them is one vectorised test over an Arrow or numpy array;
the first that fails returns None and the caller reads the same rows through its located
path (``evidence.sources.tidy``), which reports the problem with its file line and column.
So this module never reports an error itself: it only says "clean" faster, and builds the
same tables when it is, as numpy :class:`~evidence.columns.Columns` (the ``Dataset`` makes
the contract's frames from them on first use; the cube is built without).

Checked (as the located path checks them): text that is text, already trimmed; numbers
that are numbers and finite; areas with a code, a name and a known level, each code once;
GVA and context rows with a known area, a plausible whole year, GVA rows a SIC 2007 code or
TOTAL, context values in range, no duplicate key.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from evidence.columns import Columns
from evidence.dataset import AREA_COLUMNS, AREA_LEVELS, CONTEXT_NUMERIC
from evidence.sectors import TOTAL_CODE, SicCodeError, known_sic_codes, normalise_sic
from evidence.sources.arrow_numpy import numpy_of, rows_at, text_of
from evidence.sources.tidy_cells import YEAR_RANGE

__all__ = ["SmallTables", "small_tables"]

_NUMBER_COLUMNS = ["year", "employment", "gva", *CONTEXT_NUMERIC]


@dataclass
class SmallTables:
    """The checked small tables of a tidy file, and its ``meta`` rows (keys, values)."""

    areas: Columns
    gva: Columns | None
    context: Columns | None
    meta_keys: list[str]
    meta_values: list[str]


class _Unclean(Exception):
    """Something the located path has to look at (never leaves this module)."""


def small_tables(rest: pa.Table, tables: np.ndarray, names: tuple[str, ...]) -> SmallTables | None:
    """The small tables from ``rest`` (every column of the file's non-employment rows) and
    each row's table (an index into ``names``); None when any check fails or a column has a
    type the located path has to convert."""
    try:
        return _build(rest, tables, names)
    except _Unclean:
        return None


def _build(rest: pa.Table, tables: np.ndarray, names: tuple[str, ...]) -> SmallTables:
    numbers = {c: _numbers(rest, c) for c in _NUMBER_COLUMNS}  # every row's, as read_tidy
    rows = {name: np.flatnonzero(tables == names.index(name)) for name in names}
    areas = _areas(rest, rows["areas"])
    known = {code: i for i, code in enumerate(areas["area_code"].tolist())}
    meta = rows["meta"]
    return SmallTables(
        areas=areas,
        gva=_gva(rest, rows["gva"], numbers, known),
        context=_context(rest, rows["context"], numbers, known),
        meta_keys=_text(rest, "area_code", meta).tolist(),
        meta_values=_text(rest, "area_name", meta).tolist(),
    )


def _text(rest: pa.Table, column: str, rows: np.ndarray) -> np.ndarray:
    """The rows' text as an object array of ``str`` ('' where missing)."""
    return _coded_text(rest, column, rows)[0]


def _coded_text(rest: pa.Table, column: str,
                rows: np.ndarray) -> tuple[np.ndarray, list[str], np.ndarray]:  # fmt: skip
    """The rows' text ('' where missing), its distinct values and each row's index into
    them; text with whitespace to trim is left to the located path (it trims, and so must
    not differ from it)."""
    if column not in rest.column_names:
        return np.array([""] * len(rows), dtype=object), [""], np.zeros(len(rows), np.int64)
    values = rows_at(rest.column(column), rows)
    kind = values.type.value_type if pa.types.is_dictionary(values.type) else values.type
    if not (pa.types.is_string(kind) or pa.types.is_large_string(kind)
            or pa.types.is_null(kind)):
        raise _Unclean
    items, distinct, codes = text_of(values)
    if any(v != v.strip() for v in distinct):
        raise _Unclean
    return items, distinct, codes


def _numbers(rest: pa.Table, column: str) -> np.ndarray:
    """Every rest row's value as float64 (NaN where missing); a non-numeric column or a
    value that is not finite is left to the located path."""
    if column not in rest.column_names:
        return np.full(rest.num_rows, np.nan)
    values = rest.column(column)
    if not (pa.types.is_integer(values.type) or pa.types.is_floating(values.type)
            or pa.types.is_null(values.type)):
        raise _Unclean
    out = np.asarray(numpy_of(values), dtype=float)  # integers with nulls: NaN, as a cast
    if np.isinf(out).any():
        raise _Unclean
    return out


def _areas(rest: pa.Table, rows: np.ndarray) -> Columns:
    if not len(rows):
        raise _Unclean
    text = {c: _text(rest, c, rows) for c in AREA_COLUMNS}
    for required in ("area_code", "area_name", "level"):
        if "" in set(text[required].tolist()):
            raise _Unclean
    if not set(text["level"].tolist()) <= set(AREA_LEVELS):
        raise _Unclean
    if len(set(text["area_code"].tolist())) != len(rows):
        raise _Unclean
    return Columns(text)


def _keyed(rest: pa.Table, rows: np.ndarray, numbers: dict[str, np.ndarray],
           known: dict[str, int]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:  # fmt: skip
    """The rows' area codes (each in the areas table), years (whole, plausible) and area
    positions (``known``: each area code's position in the areas table)."""
    area, distinct, codes = _coded_text(rest, "area_code", rows)
    where = np.array([known.get(a, -1) for a in distinct], dtype=np.int64)[codes]
    if len(where) and where.min() < 0:
        raise _Unclean  # a blank area or one the areas table lacks
    year = numbers["year"][rows]
    if not (np.all(year == np.round(year))  # False for NaN: a row without a year
            and year.min() >= YEAR_RANGE[0] and year.max() <= YEAR_RANGE[1]):
        raise _Unclean
    return area, year.astype(np.int64), where


def _no_duplicates(*keys: np.ndarray) -> None:
    """Raise when two rows share every key (each a non-negative integer column)."""
    combined = np.zeros(len(keys[0]), dtype=np.int64)
    for key in keys:
        combined = combined * (int(key.max(initial=0)) + 1) + key
    combined.sort()
    if (combined[1:] == combined[:-1]).any():
        raise _Unclean


def _gva(rest: pa.Table, rows: np.ndarray, numbers: dict[str, np.ndarray],
         known: dict[str, int]) -> Columns | None:  # fmt: skip
    if not len(rows):
        return None
    area, year, at = _keyed(rest, rows, numbers, known)
    _, labels, used = _coded_text(rest, "sic", rows)
    keys = []
    allowed = known_sic_codes() | {TOTAL_CODE}
    for label in labels:
        try:
            key = normalise_sic(label)
        except SicCodeError:
            raise _Unclean from None
        if key not in allowed:
            raise _Unclean
        keys.append(key)
    distinct, code = np.unique(np.array(keys, dtype=str), return_inverse=True)
    sic = np.asarray(code, dtype=np.int64)[used]
    _no_duplicates(at, year - YEAR_RANGE[0], sic)
    return Columns({
        "area_code": area,
        "year": year,
        "sic": np.asarray(distinct.tolist(), dtype=object)[sic],
        "gva": numbers["gva"][rows],
    })


def _context(rest: pa.Table, rows: np.ndarray, numbers: dict[str, np.ndarray],
             known: dict[str, int]) -> Columns | None:  # fmt: skip
    if not len(rows):
        return None
    area, year, at = _keyed(rest, rows, numbers, known)
    columns: dict[str, object] = {"area_code": area, "year": year}
    for column in CONTEXT_NUMERIC:
        values = numbers[column][rows]
        high = 1.0 if column == "level4_share" else np.inf
        if ((values < 0) | (values > high)).any():
            raise _Unclean
        columns[column] = values
    _no_duplicates(at, year - YEAR_RANGE[0])
    return Columns(columns)
