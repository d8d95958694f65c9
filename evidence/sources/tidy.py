"""The project's own single-file tidy format: write and read a whole ``Dataset`` in one file.

One file, tidy long, one row per table row with a ``table`` column saying which table it belongs
to (``meta``, ``areas``, ``employment``, ``gva``, ``context``); the columns a table does not use
are empty. CSV (``.csv`` or gzip-compressed ``.csv.gz``) for people, Parquet (``.parquet``,
same layout) for speed. ``meta`` rows carry the source description (``area_code`` = key,
``area_name`` = value). Errors in a file are reported as ``DataError`` with the file, the line
(header = line 1; for Parquet the line the row would have in the same file as CSV) and column.

The synthetic demo (``evidence.sources.demo``) is shipped and cached in this format; any
``Dataset`` can be written with :func:`write_tidy` and read back with :func:`read_tidy`.
"""

from __future__ import annotations

import gzip
import re
import threading
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from evidence.dataset import (
    AREA_COLUMNS,
    AREA_LEVELS,
    CONTEXT_NUMERIC,
    DataError,
    Dataset,
    EmploymentCells,
    EmploymentCodes,
    SourceInfo,
    validate_dataset,
)
from evidence.sectors import TOTAL_CODE, SicCodeError, known_sic_codes, normalise_sic
from evidence.sources.arrow_numpy import filled_of, numpy_of, rows_at, rows_where
from evidence.sources.text import csv_cells, leading_bytes, plain_csv, read_head_lines
from evidence.sources.tidy_cells import (
    LINE_OFFSET,
    MAX_JOBS,
    YEAR_RANGE,
    AxesTally,
    Scatter,
    YearsWanted,
    float_year_mask,
    wanted_years,
    year_mask,
    year_slots,
)
from evidence.sources.tidy_tables import small_tables

if TYPE_CHECKING:
    import pandas as pd

# pandas, pyarrow.compute, pyarrow.csv and pyarrow.dataset are imported inside the functions
# that use them: a clean Parquet file is read without any of them (the ``indicators``
# command's start-up; importing pandas alone costs about 0.27 s), a CSV or a file with a
# problem brings them in.

__all__ = [
    "FILE_COLUMNS",
    "MAX_JOBS",
    "YEAR_RANGE",
    "TABLES",
    "is_tidy_file",
    "looks_like_tidy",
    "read_small_tables",
    "read_tidy",
    "str_column",
    "write_tidy",
]

TABLES = ("meta", "areas", "employment", "gva", "context")
FILE_COLUMNS: list[str] = (
    ["table", "area_code", "year", "sic", "employment", "suppressed", "gva"]
    + CONTEXT_NUMERIC
    + ["area_name", "level", "group_code", "group_name", "region_code", "region_name"]
)
"""Column order of the single-file layout: the big tables' columns first, area names last."""

_STRING_COLUMNS = ["table", "area_code", "sic"] + AREA_COLUMNS[1:]
_FLOAT_COLUMNS = ["employment", "gva"] + CONTEXT_NUMERIC
_ARROW_TYPES: dict[str, pa.DataType] = {
    **{c: pa.string() for c in _STRING_COLUMNS},
    **{c: pa.float64() for c in _FLOAT_COLUMNS},
    "year": pa.int64(),
    "suppressed": pa.bool_(),
}


def looks_like_tidy(first_line: str) -> bool:
    """True when the header line of a CSV names ``area_code`` and ``sic`` (the tidy layout)."""
    cells = {c.lower() for c in csv_cells(first_line.lstrip("\ufeff"))}
    return "area_code" in cells and "sic" in cells


def is_tidy_file(path: Path | str) -> bool:
    """True for a file ``evidence.sources.load.detect_format`` calls ``demo`` (this layout),
    from its content: Parquet, plain or gzipped, or text whose header names ``area_code`` and
    ``sic``; False for anything else, and for a file it cannot read (the full detection then
    says what is wrong). Lets a caller read a tidy file without importing the other readers."""
    try:
        magic = leading_bytes(path)
        if magic == b"PAR1":
            return True
        if not magic or magic.startswith(b"PK"):
            return False
        with plain_csv(path) as plain:
            return looks_like_tidy(read_head_lines(plain.path)[0])
    except (OSError, EOFError, DataError):
        return False


# --------------------------------------------------------------------------------------------
# Write
# --------------------------------------------------------------------------------------------


def _integral(series: pd.Series) -> bool:
    values = series.to_numpy(dtype=float, na_value=np.nan)
    finite = values[~np.isnan(values)]
    return bool(np.all(finite == np.round(finite))) and bool(np.all(np.abs(finite) < 2**53))


def _file_table(ds: Dataset, meta: dict[str, str] | None = None) -> pa.Table:
    """All tables of ``ds`` stacked into the single-file layout (``FILE_COLUMNS``).

    ``meta`` adds ``meta`` rows (key -> value) after the source description, before the notes.
    """
    import pandas as pd  # deferred (see the imports)
    meta_rows = {
        "source_name": ds.source.name,
        "synthetic": "true" if ds.source.synthetic else "false",
        "rounding": "" if ds.source.rounding is None else str(ds.source.rounding),
        **({"area_word": ds.source.area_word} if ds.source.area_word else {}),
        **(meta or {}),
    }
    meta_frame = pd.DataFrame(
        {
            "area_code": list(meta_rows) + ["note"] * len(ds.source.notes),
            "area_name": list(meta_rows.values()) + list(ds.source.notes),
        }
    )
    parts = [("meta", meta_frame), ("areas", ds.areas), ("employment", ds.employment)]
    if ds.gva is not None:
        parts.append(("gva", ds.gva))
    if ds.context is not None:
        parts.append(("context", ds.context))
    # Whole numbers (jobs, occupations) are written as integers: shorter and exact.
    int_columns = {
        c
        for c in ["employment"] + [f"soc_{i}" for i in range(1, 10)]
        if all(c not in frame or _integral(frame[c]) for _, frame in parts)
    }
    arrow_types = {c: (pa.int64() if c in int_columns else t) for c, t in _ARROW_TYPES.items()}
    return pa.concat_tables(
        [_arrow_part(name, frame, arrow_types) for name, frame in parts]
    )


def _arrow_part(name: str, frame: pd.DataFrame, arrow_types: dict[str, pa.DataType]) -> pa.Table:
    """One table's rows in the single-file layout: ``table`` = name, unused columns null."""
    n = len(frame)
    columns = {}
    for column in FILE_COLUMNS:
        typ = arrow_types[column]
        if column == "table":
            columns[column] = pa.array(np.full(n, name, dtype=object), pa.string())
        elif column in frame.columns:
            values = frame[column]
            if typ == pa.int64():
                values = values.astype("Int64")
            elif column in _STRING_COLUMNS:
                values = values.astype("str")
            columns[column] = pa.Array.from_pandas(values, type=typ)
        else:
            columns[column] = pa.nulls(n, typ)
    return pa.table(columns)


def write_tidy(ds: Dataset, path: Path | str, meta: dict[str, str] | None = None) -> Path:
    """Write ``ds`` to one file: ``.csv``, ``.csv.gz`` or ``.parquet`` (chosen by the name).

    ``meta`` adds key/value ``meta`` rows (the demo generator records its version there).
    """
    import pyarrow.csv as pacsv
    path = Path(path)
    table = _file_table(ds, meta)
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix == ".parquet":
        pq.write_table(table, path, compression="zstd")
    elif path.name.endswith(".csv.gz"):
        # Level 6 is 2x faster than Arrow's level 9 for ~8% more bytes; mtime 0 makes the bytes
        # depend on the data only, so regenerating an unchanged bundled file changes nothing.
        with (
            open(path, "wb") as raw,
            gzip.GzipFile(filename="", mode="wb", compresslevel=6, fileobj=raw, mtime=0) as sink,
        ):
            pacsv.write_csv(table, sink)
    elif path.suffix == ".csv":
        pacsv.write_csv(table, str(path))
    else:
        raise ValueError(f"{path}: use a .csv, .csv.gz or .parquet file name")
    return path


# --------------------------------------------------------------------------------------------
# Read and check
# --------------------------------------------------------------------------------------------



# --------------------------------------------------------------------------------------------
# Our single-file tidy format: read and check
# --------------------------------------------------------------------------------------------

_LINE_OFFSET = LINE_OFFSET
_DICT = pa.dictionary(pa.int32(), pa.string())
_FailAt = Callable[[int, "str | None", str], DataError]
"""Builds the located error for a row of one table (its index there, column, message)."""


def _refuse_duplicated_columns(header: list[str], file: str) -> None:
    seen: set[str] = set()
    for name in header:
        if name in seen:
            raise DataError(f"column {name!r} appears more than once in the header", file=file,
                            row=1, column=name)
        seen.add(name)


_CONVERSION = re.compile(
    r"In CSV column #(\d+): CSV conversion error to (\w+): invalid value '(.*)'"
)
_CONVERSION_PROBLEM = {"double": "is not a number", "int64": "is not a whole number",
                       "bool": "is not true/false"}  # fmt: skip


def _locate_conversion_error(path: Path, header: list[str], exc: Exception) -> DataError | None:
    """Arrow names the column and the value but not the row: re-read that column as text."""
    import pyarrow.csv as pacsv
    match = _CONVERSION.search(str(exc))
    if match is None or int(match.group(1)) >= len(header):
        return None
    column, value = header[int(match.group(1))], match.group(3)
    try:
        text = pacsv.read_csv(
            path,
            parse_options=pacsv.ParseOptions(ignore_empty_lines=False),
            convert_options=pacsv.ConvertOptions(
                include_columns=[column], column_types={column: pa.string()}
            ),
        )[column].to_numpy(zero_copy_only=False)
    except pa.ArrowException:
        return None
    hits = np.flatnonzero(text == value)
    if not len(hits):
        return None
    problem = (
        "is not a whole year"
        if column == "year"
        else _CONVERSION_PROBLEM.get(match.group(2), f"cannot be read as {match.group(2)}")
    )
    return _fail(str(path), int(hits[0]), column, f"{value!r} {problem}")


def _csv_header(path: Path) -> list[str]:
    opener = gzip.open if path.name.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8", newline="") as handle:
        first = handle.readline()
    return [c.strip().strip('"') for c in first.rstrip("\r\n").split(",")]


def _read_text(path: Path) -> pd.DataFrame:
    import pandas as pd  # deferred (see the imports)
    try:
        return pd.read_csv(
            path,
            dtype=str,
            keep_default_na=False,
            na_filter=False,
            skip_blank_lines=False,
            compression="infer",
        )
    except pd.errors.ParserError as exc:
        match = re.search(r"line (\d+)", str(exc))
        row = int(match.group(1)) if match else None
        raise DataError(f"malformed CSV line ({exc})", file=str(path), row=row) from exc
    except (UnicodeDecodeError, OSError, EOFError) as exc:
        raise DataError(f"not a readable CSV file ({exc})", file=str(path)) from exc


def _first(mask: np.ndarray | pd.Series) -> int | None:
    hits = np.flatnonzero(np.asarray(mask, dtype=bool))
    return int(hits[0]) if len(hits) else None


def _fail(file: str, position: int, column: str | None, message: str) -> DataError:
    return DataError(message, file=file, row=position + _LINE_OFFSET, column=column)


def str_column(labels: list[str] | np.ndarray, codes: np.ndarray) -> pd.Series:
    """A pandas ``str`` column from a small vocabulary and integer codes.

    Done in Arrow (a gather of offsets) because converting 2 million Python strings one by one
    costs ten times as much.
    """
    import pandas as pd  # deferred (see the imports)
    taken = pa.array(list(labels), pa.large_string()).take(pa.array(codes))
    dtype = pd.StringDtype("pyarrow", na_value=np.nan)
    return taken.to_pandas(types_mapper=lambda _: dtype)


def _as_text(series: pd.Series) -> pd.Series:
    """A categorical of stripped strings, '' for missing, whatever the column was read as."""
    import pandas as pd  # deferred (see the imports)
    if not isinstance(series.dtype, pd.CategoricalDtype):
        series = series.astype("category")
    labels = np.append(np.asarray(series.cat.categories.astype(str).str.strip(), object), "")
    codes = series.cat.codes.to_numpy().astype(np.int64)
    codes[codes < 0] = len(labels) - 1
    unique, inverse = np.unique(labels.astype(str), return_inverse=True)
    return pd.Series(pd.Categorical.from_codes(inverse[codes], categories=unique))


def _to_str(text: pd.Series) -> pd.Series:
    """A categorical from ``_as_text`` as a plain ``str`` column (the Dataset contract)."""
    return str_column(text.cat.categories.to_numpy(), text.cat.codes.to_numpy())


def _as_number(
    series: pd.Series, column: str, file: str, origin: np.ndarray | None = None
) -> pd.Series:
    """A float column; a value that is present but not a finite number is a located error.

    Columns that arrive typed (the normal case) cost nothing here; text columns only come from
    the slow path that re-reads a file which failed typed parsing. ``origin`` maps the frame's
    rows to file positions when the frame holds only some of the file's rows.
    """
    import pandas as pd  # deferred (see the imports)
    if pd.api.types.is_bool_dtype(series) or not pd.api.types.is_numeric_dtype(series):
        text = _as_text(series).astype(str)
        numbers = pd.to_numeric(text.where(text != ""), errors="coerce").astype(float)
        bad = _first((text != "") & numbers.isna())
        if bad is not None:
            raise _fail(file, _at(origin, bad), column, f"{text.iloc[bad]!r} is not a number")
        series = numbers
    series = series.astype(float).reset_index(drop=True)
    bad = _first(np.isinf(series.to_numpy()))
    if bad is not None:
        raise _fail(file, _at(origin, bad), column, "value is not a finite number")
    return series


def _at(origin: np.ndarray | None, index: int) -> int:
    """The file position of row ``index`` of a frame holding the file rows ``origin``."""
    return index if origin is None else int(origin[index])


_TRUE = {"true", "1", "yes", "t", "y"}
_FALSE = {"false", "0", "no", "f", "n", ""}


def _as_flag(series: pd.Series, positions: np.ndarray, column: str, file: str) -> np.ndarray:
    """Booleans from the rows at ``positions``; anything but true/false/1/0 is a located error."""
    import pandas as pd  # deferred (see the imports)
    values = series.iloc[positions]
    if pd.api.types.is_bool_dtype(values) and not values.isna().any():
        return values.to_numpy(dtype=bool)
    if pd.api.types.is_bool_dtype(values):  # nullable booleans: blank counts as false
        return values.fillna(False).to_numpy(dtype=bool)
    text = _as_text(values)
    lowered = pd.Series(text.cat.categories.str.lower(), dtype=object)
    bad_label = ~lowered.isin(_TRUE | _FALSE).to_numpy()
    codes = text.cat.codes.to_numpy()
    bad = _first(bad_label[codes])
    if bad is not None:
        raise _fail(file, int(positions[bad]), column, f"{lowered[codes[bad]]!r} is not true/false")
    return lowered.isin(_TRUE).to_numpy()[codes]


class _Rows:
    """One table's rows of the file: typed columns plus the file position of every row."""

    def __init__(
        self, text: dict[str, pd.Series], numbers: pd.DataFrame, name: str, positions: np.ndarray,
        file: str, origin: np.ndarray | None = None,
    ) -> None:  # fmt: skip
        self.all_text, self.numbers, self.name = text, numbers, name
        self.positions, self.file, self.origin = positions, file, origin

    def __len__(self) -> int:
        return len(self.positions)

    def fail(self, index: int, column: str | None, message: str) -> DataError:
        return _fail(self.file, _at(self.origin, int(self.positions[index])), column, message)

    def text(self, column: str, required: bool = False) -> pd.Series:
        """Categorical text of this table's rows (cheap; ``_to_str`` makes the final column)."""
        values = _as_text(self.all_text[column].iloc[self.positions].reset_index(drop=True))
        if required:  # _as_text always has '' among its categories
            bad = _first(values.cat.codes.to_numpy() == values.cat.categories.get_loc(""))
            if bad is not None:
                raise self.fail(bad, column, f"{self.name} row without {column}")
        return values

    def number(self, column: str, required: bool = False) -> pd.Series:
        values = self.numbers[column].iloc[self.positions].reset_index(drop=True)
        if required:
            bad = _first(values.isna())
            if bad is not None:
                raise self.fail(bad, column, f"{self.name} row without {column}")
        return values

    def year(self) -> pd.Series:
        values = self.number("year", required=True)
        bad = _first(values != values.round())
        if bad is not None:
            raise self.fail(bad, "year", f"{values.iloc[bad]!r} is not a whole year")
        bad = _first((values < YEAR_RANGE[0]) | (values > YEAR_RANGE[1]))
        if bad is not None:
            raise self.fail(bad, "year", f"{int(values.iloc[bad])} is not a plausible year for "
                                         f"these statistics ({YEAR_RANGE[0]}-{YEAR_RANGE[1]})")
        return values.astype(np.int64)

    def sic(self) -> pd.Series:
        """Industry codes as normalised keys; other spellings (``30.30``) are accepted."""
        codes = self.text("sic", required=True)
        labels = []
        for label in codes.cat.categories:
            try:
                labels.append(normalise_sic(label))
            except SicCodeError:
                labels.append("")
        unique, inverse = np.unique(np.array(labels, dtype=str), return_inverse=True)
        recoded = inverse[codes.cat.codes.to_numpy()]
        known = known_sic_codes() | {TOTAL_CODE}
        unknown = np.array([u not in known for u in unique])
        if unknown.any():
            bad = _first(unknown[recoded])
            if bad is not None:
                shown = codes.iloc[bad]
                raise self.fail(bad, "sic", f"{shown!r} is not a SIC 2007 class, group, "
                                            "division or TOTAL")
        return str_column(unique, recoded)

    def check_keys(self, frame: pd.DataFrame, keys: list[str], known_areas: pd.Series) -> None:
        bad = _first(~frame["area_code"].isin(known_areas))
        if bad is not None:
            area = frame["area_code"].iloc[bad]
            raise self.fail(bad, "area_code", f"area {area!r} is not in the areas rows")
        bad = _first(frame.duplicated(keys))
        if bad is not None:
            shown = ", ".join(f"{k} {frame[k].iloc[bad]}" for k in keys)
            raise self.fail(bad, None, f"duplicate {self.name} row ({shown})")


def read_tidy(path: Path | str, years: YearsWanted | None = None) -> Dataset:
    """Read a file written by ``write_tidy`` (CSV, gzip CSV or Parquet) into a validated Dataset.

    Every problem is a ``DataError`` naming the file, the line (header = line 1) and the column.

    ``years`` = ``(start, end)`` reads only those two years (None for an end: the first or
    last year of the file's employment rows), which is all a period's indicators need
    (:func:`evidence.indicators.compute_indicators` of ``start``-``end``, the ``indicators``
    command's table): the employment, GVA and context rows of the other years are neither
    read into the Dataset nor checked (every row that is read is checked as always, and a
    row whose year is missing or not whole is read, so it is reported as before). The
    cells' area and industry-code axes are still those of every year's employment rows
    (their labels are tallied, not checked), so a period's indicators are the same numbers
    as from a read of every year. Only the lean path filters: a file that needs the located
    pandas path (a CSV Arrow cannot parse typed) is read whole, every year. The Parquet
    columns are decoded whole either way (the rows of a year are spread over every row
    group of a file written area by area); what is saved is every step after the decode.

    The employment table (nearly every row) is read lean: only its columns (for Parquet, the
    other columns only for the few rows of the other tables), text as dictionary codes, every
    check on integer codes or on the distinct values, never on a string per row. Its
    ``area_code`` and ``sic`` columns are pandas categoricals of those codes, which
    :func:`evidence.cube.build_cube` scatters straight into the cube. A CSV that Arrow cannot
    parse typed is read as text and checked cell by cell (slow, but it names the culprit).
    """
    path = Path(path)
    file = str(path)
    if not path.exists():
        raise DataError("file not found", file=file)
    raw = _read_parquet(path, years) if path.suffix == ".parquet" else _read_csv(path, years)
    if not isinstance(raw, _Lean):  # a frame: the located path (every year)
        return _read_frame(raw, file)
    # The small tables checked on whole arrays; only when a check fails (or a column needs
    # converting) through the located path, which says what and where.
    small = small_tables(raw.rest, raw.table[raw.rest_pos], TABLES)
    if small is None:
        tables, _ = _split_tables(raw.rest.to_pandas(), file, raw.rest_pos)
        areas = _areas(tables["areas"], file)
    else:
        areas = small.areas
    if not raw.has_employment:
        raise DataError("no employment rows", file=file)
    codes = np.asarray(areas["area_code"], dtype=str)
    cells = (_whole_cells(raw, codes, file) if raw.main is not None
             else _batched_cells(path, raw, codes, file))
    if small is None:
        return _dataset(tables, areas, cells, file)
    source = _source_from_meta(small.meta_keys, small.meta_values, file)
    source.suppressed_cells = cells.suppressed_rows
    return Dataset(employment=None, areas=areas, source=source, gva=small.gva,
                   context=small.context, cells=cells)


def read_small_tables(
    rows: pd.DataFrame, positions: np.ndarray, file: str
) -> tuple[pd.DataFrame, pd.DataFrame | None, pd.DataFrame | None, SourceInfo]:
    """The areas, GVA, context and source description of a tidy file from its rows other than
    the employment rows (``positions``: their 0-based data-row positions in the file, so an
    error names the file line); checked as :func:`read_tidy` checks them. The out-of-core
    reader (``evidence.sources.tidy_duckdb``) reads the employment rows itself."""
    tables, _ = _split_tables(rows.reset_index(drop=True), file, positions)
    areas = _areas(tables["areas"], file)
    known = areas["area_code"]
    meta = tables["meta"]
    source = _source_from_meta(
        meta.text("area_code").astype(str), meta.text("area_name").astype(str), file
    )
    return areas, _gva(tables["gva"], known), _context(tables["context"], known), source


def _dataset(tables: dict[str, _Rows], areas: pd.DataFrame,
             emp: pd.DataFrame | EmploymentCodes | EmploymentCells,
             file: str) -> Dataset:  # fmt: skip
    known = areas["area_code"]
    gva = _gva(tables["gva"], known)
    context = _context(tables["context"], known)
    meta = tables["meta"]
    source = _source_from_meta(
        meta.text("area_code").astype(str), meta.text("area_name").astype(str), file
    )
    if isinstance(emp, EmploymentCells):
        source.suppressed_cells = emp.suppressed_rows
        return Dataset(employment=None, areas=areas, source=source, gva=gva, context=context,
                       cells=emp)
    if isinstance(emp, EmploymentCodes):
        source.suppressed_cells = int(emp.suppressed.sum())
        return Dataset(employment=None, areas=areas, source=source, gva=gva, context=context,
                       codes=emp)
    source.suppressed_cells = int(emp["suppressed"].sum())
    return Dataset(employment=emp, areas=areas, source=source, gva=gva, context=context)


def _read_frame(raw: pd.DataFrame, file: str) -> Dataset:
    """The slow path: a whole file as a pandas frame (text where typed parsing failed)."""
    tables, suppressed = _split_tables(raw, file)
    areas = _areas(tables["areas"], file)
    emp = _employment(tables["employment"], suppressed, file)
    ds = _dataset(tables, areas, emp, file)
    try:
        return validate_dataset(ds)
    except DataError as exc:  # its rows are employment-table positions: report file lines
        line = None
        if exc.row is not None:
            line = int(tables["employment"].positions[exc.row - 1]) + _LINE_OFFSET
        raise DataError(exc.detail, file=file, row=line, column=exc.column) from exc


# --------------------------------------------------------------------------------------------
# The lean path: Arrow columns, integer codes
# --------------------------------------------------------------------------------------------

_MAIN_COLUMNS = ["table", "area_code", "year", "sic", "employment", "suppressed"]
"""The columns read for every row: the employment table's, and ``table`` to split by."""
_EMPLOYMENT = TABLES.index("employment")
_BATCH = 65_536
BATCHED_ROWS = 8_000_000
"""A Parquet file with more rows than this is read record batch by record batch (memory about
the size of the cube); a smaller one whole, by Arrow's threaded reader (faster)."""


class _Lean:
    """A file read lean: the employment rows to scatter (their main columns and file
    positions), each row's table (an index into ``TABLES``), the rows of the small tables
    (all columns) with their file positions, the tally of every employment row's labels and
    years, and the years read (None: every year)."""

    def __init__(self, main: tuple[pa.Table, np.ndarray | int] | None, table: np.ndarray,
                 rest: pa.Table, rest_pos: np.ndarray, tally: AxesTally,
                 wanted: np.ndarray | None = None,
                 group_years: list[np.ndarray] | None = None) -> None:  # fmt: skip
        """``main`` is None for a file read by row group (its rows are read again then, and
        ``tally`` holds what the first pass found; ``group_years``: per row group, how many
        of its employment rows each year of ``YEAR_RANGE`` has, and last those with a year
        outside it or none)."""
        self.main, self.table, self.rest, self.rest_pos = main, table, rest, rest_pos
        self.tally, self.wanted, self.group_years = tally, wanted, group_years

    @property
    def has_employment(self) -> bool:
        """The file has employment rows (of any year)."""
        return self.tally.rows > 0


def _lean_types_ok(schema: pa.Schema) -> bool:
    """True when the main columns have the types the lean path reads (else: the slow path)."""
    kinds = {
        "table": _is_text, "area_code": _is_text, "sic": _is_text,
        "year": _is_number, "employment": _is_number,
        "suppressed": lambda t: pa.types.is_boolean(t) or pa.types.is_null(t),
    }  # fmt: skip
    return all(kinds[f.name](f.type) for f in schema if f.name in kinds)


def _is_text(t: pa.DataType) -> bool:
    if pa.types.is_dictionary(t):
        t = t.value_type
    return pa.types.is_string(t) or pa.types.is_large_string(t) or pa.types.is_null(t)


def _is_number(t: pa.DataType) -> bool:
    return pa.types.is_integer(t) or pa.types.is_floating(t) or pa.types.is_null(t)


def _require_main(names: list[str], file: str) -> None:
    missing = [c for c in ("table", "area_code") if c not in names]
    if missing:
        raise DataError(f"missing column {missing[0]!r}", file=file, row=1, column=missing[0])


def _read_parquet(path: Path, years: YearsWanted | None = None) -> _Lean | pd.DataFrame:
    """Parquet, projected: the main columns for every row (read by Arrow's threaded dataset
    reader, text straight as dictionaries), the other columns for the small tables' rows only
    (decoding stops after the last batch that holds one of their rows)."""
    name = str(path)
    try:
        schema = pq.read_schema(path)
        _refuse_duplicated_columns(schema.names, name)
        text = [f.name for f in schema if _is_text(f.type) and not pa.types.is_null(f.type)]
        if not _lean_types_ok(schema):
            return pq.ParquetFile(path, read_dictionary=text).read().to_pandas()
        _require_main(schema.names, name)
        columns = [c for c in _MAIN_COLUMNS if c in schema.names]
        pf = pq.ParquetFile(path, read_dictionary=text)
        if pf.metadata.num_rows > BATCHED_ROWS:
            table, tally, rest_years, group_years = _batched_scan(path, schema.names, name,
                                                                  years is not None)
            wanted = None if years is None else wanted_years(years, tally.year_counts, name)
            rest_pos = np.flatnonzero(table != _EMPLOYMENT)
            if wanted is not None:
                rest_pos = rest_pos[float_year_mask(rest_years, wanted)]
            rest = _parquet_rows(pf, rest_pos, list(schema.names))
            return _Lean(None, table, rest, rest_pos, tally, wanted, group_years)
        # ParquetFile.read, not pq.read_table: the latter goes through pyarrow.dataset,
        # whose import brings in pandas (0.2 s of a command's start-up).
        main = pf.read(columns=columns, use_threads=True)
        table = _table_codes(main["table"], name)
        rest_pos = np.flatnonzero(table != _EMPLOYMENT)
        others = [c for c in schema.names if c not in columns]
        # The small tables' other columns are decoded (by Arrow, without the GIL) in a
        # thread while this one tallies, filters and gathers the employment rows: on two
        # cores the decode (most of a row group's 18 columns, 5-8 ms) is then off the path.
        picked = _Background(_parquet_rows, pf, rest_pos, others) if others else None
        employment, tally, wanted = _employment_read(main, table, years, name)
        rest = take_rows(main, rest_pos)
        if picked is not None:
            got = picked.result()
            for column in others:
                rest = rest.append_column(column, got[column])
        rest, rest_pos = _rest_of_years(rest, rest_pos, wanted)
    except (pa.ArrowException, OSError) as exc:
        raise DataError(f"not a readable Parquet file ({exc})", file=name) from exc
    return _Lean(employment, table, rest, rest_pos, tally, wanted)


class _Background:
    """``fn(*args)`` run in a thread from now; :meth:`result` waits for it (and raises what
    it raised)."""

    def __init__(self, fn: Callable[..., pa.Table], *args: object) -> None:
        self._result: pa.Table | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, args=(fn, args), daemon=True)
        self._thread.start()

    def _run(self, fn: Callable[..., pa.Table], args: tuple[object, ...]) -> None:
        try:
            self._result = fn(*args)
        except BaseException as exc:  # handed to the caller by result()
            self._error = exc

    def result(self) -> pa.Table:
        self._thread.join()
        if self._error is not None:
            raise self._error
        assert self._result is not None
        return self._result


def _employment_read(main: pa.Table, table: np.ndarray, years: YearsWanted | None,
                     file: str) -> tuple[tuple[pa.Table, np.ndarray | int], AxesTally,
                                         np.ndarray | None]:  # fmt: skip
    """The employment rows to scatter and their file positions, the tally of every
    employment row (labels and years; with ``years``, the areas too) and the years read:
    with ``years``, only the rows of those years (and those without a whole year, which the
    scatter reports) are kept, gathered by numpy."""
    rows, positions = _employment_rows(main, table)
    tally = AxesTally(areas=years is not None)
    tally.add(_column(rows, "sic"), _column(rows, "year"), rows.num_rows,
              _column(rows, "area_code"))
    if years is None:
        return (rows, positions), tally, None
    wanted = wanted_years(years, tally.year_counts, file)
    keep = year_mask(_column(rows, "year"), rows.num_rows, wanted)
    if not keep.all():
        rows, positions = _rows_kept(rows, positions, keep)
    return (rows, positions), tally, wanted


def _rows_kept(rows: pa.Table, positions: np.ndarray | int,
               keep: np.ndarray) -> tuple[pa.Table, np.ndarray]:  # fmt: skip
    """The rows where ``keep`` is True and their file positions (``positions``: the rows'
    positions, or the first's when they are contiguous)."""
    at = np.flatnonzero(keep)
    return rows_where(rows, keep), (at + positions if isinstance(positions, int)
                                    else positions[at])


def _rest_of_years(rest: pa.Table, rest_pos: np.ndarray,
                   wanted: np.ndarray | None) -> tuple[pa.Table, np.ndarray]:  # fmt: skip
    """The small tables' rows of the years read (areas and meta rows have no year: kept)."""
    if wanted is None or not len(rest_pos):
        return rest, rest_pos
    keep = year_mask(_column(rest, "year"), rest.num_rows, wanted)
    if keep.all():
        return rest, rest_pos
    # rows_where, not rows_at: the GVA rows of two years are a run an area, too many for
    # slices, and Arrow's take would import its compute module (about 45 ms of start-up)
    return rows_where(rest, keep), rest_pos[keep]


def _parquet_rows(pf: pq.ParquetFile, positions: np.ndarray, columns: list[str]) -> pa.Table:
    """The ``columns`` of the rows at ``positions`` (sorted), reading only the row groups
    needed, and of a group only its first batches when the rows are all there."""
    parts = []
    offset = 0
    for group in range(pf.metadata.num_row_groups):
        n = pf.metadata.row_group(group).num_rows
        wanted = positions[(positions >= offset) & (positions < offset + n)] - offset
        if len(wanted) and wanted[-1] >= 2 * _BATCH:
            # Rows deep into the group (the GVA and context rows after the employment rows):
            # the group's columns decoded at once, in parallel, then taken.
            group_rows = pf.read_row_group(group, columns=columns, use_threads=True)
            parts.append(take_rows(group_rows, wanted))
        elif len(wanted):
            # Batches no bigger than the rows need (the areas and meta rows are the first
            # few hundred of the file: 0.6 ms to decode, not 3.6 ms for a 65,536-row batch).
            size = min(_BATCH, max(1024, 1 << int(wanted[-1] + 1).bit_length()))
            start = 0
            for batch in pf.iter_batches(batch_size=size, row_groups=[group],
                                         columns=columns):  # fmt: skip
                stop = start + batch.num_rows
                inside = wanted[(wanted >= start) & (wanted < stop)] - start
                if len(inside):
                    parts.append(rows_at(batch, inside))
                if stop > wanted[-1]:
                    break
                start = stop
        offset += n
    schema = pa.schema([pf.schema_arrow.field(c) for c in columns])
    if not parts:
        return schema.empty_table()
    return pa.concat_tables(parts, promote_options="permissive")


def _read_csv(path: Path, years: YearsWanted | None = None) -> _Lean | pd.DataFrame:
    """A CSV read typed by Arrow (text as dictionaries); a conversion error is located, and a
    file Arrow cannot parse at all falls back to text (``pd.DataFrame``)."""
    import pyarrow.csv as pacsv
    name = str(path)
    try:
        header = _csv_header(path)
    except (OSError, EOFError, UnicodeDecodeError) as exc:
        raise DataError(f"not a readable CSV file ({exc})", file=name) from exc
    _refuse_duplicated_columns(header, name)
    # Years are read as numbers and checked for wholeness later, so "2015.0" from a spreadsheet
    # is accepted and "2015.5" is reported where it is.
    types = {
        c: (_DICT if t == pa.string() else pa.float64() if c == "year" else t)
        for c, t in _ARROW_TYPES.items()
        if c in header
    }
    try:
        table = pacsv.read_csv(
            path,
            parse_options=pacsv.ParseOptions(ignore_empty_lines=False),
            convert_options=pacsv.ConvertOptions(
                column_types=types, strings_can_be_null=True, quoted_strings_can_be_null=True
            ),
        )
    except (pa.ArrowInvalid, pa.ArrowTypeError) as exc:
        located = _locate_conversion_error(path, header, exc)
        if located is not None:
            raise located from exc
        # Slow path, only for a malformed file: read everything as text to name the culprit.
        return _read_text(path)
    _require_main(table.column_names, name)
    if not _lean_types_ok(table.schema):
        return table.to_pandas()
    codes = _table_codes(table["table"], name)
    main = table.select([c for c in _MAIN_COLUMNS if c in table.column_names])
    employment, tally, wanted = _employment_read(main, codes, years, name)
    rest_pos = np.flatnonzero(codes != _EMPLOYMENT)
    rest, rest_pos = _rest_of_years(take_rows(table, rest_pos), rest_pos, wanted)
    return _Lean(employment, codes, rest, rest_pos, tally, wanted)


def _table_codes(column: pa.ChunkedArray | pa.Array, file: str, offset: int = 0) -> np.ndarray:
    """Each row's table as an index into ``TABLES``; an unknown or empty name is located
    (``offset``: the file position of the column's first row).

    Each chunk's dictionary (a handful of names) is matched once and its indices gathered
    through that map straight into the result: one integer gather a row."""
    if isinstance(column, pa.Array):
        column = pa.chunked_array([column])
    if pa.types.is_null(column.type) or not pa.types.is_dictionary(column.type):
        column = pa.chunked_array([c.dictionary_encode() for c in column.chunks],
                                  pa.dictionary(pa.int32(), pa.string()))
    table = np.empty(len(column), dtype=np.int8)
    at = 0
    for chunk in column.chunks:
        size = len(chunk)
        if not size:
            continue
        words = [str(x).strip().lower() if x is not None else ""
                 for x in chunk.dictionary.to_pylist()]
        local = np.array([TABLES.index(x) if x in TABLES else -1 for x in words] + [-1],
                         dtype=np.int8)
        if len(words) == 1 and not chunk.null_count:
            table[at:at + size] = local[0]  # one table in the chunk (a row group of jobs)
        else:  # a null index picks the appended -1
            np.take(local, filled_of(chunk.indices, len(words)), out=table[at:at + size])
        at += size
    if len(table) and table.min() < 0:
        bad = int(np.flatnonzero(table < 0)[0])
        label = column[bad].as_py()
        shown = str(label).strip() if label is not None and str(label).strip() else "(empty)"
        raise _fail(file, bad + offset, "table",
                    f"unknown table {shown!r}; expected one of {TABLES}")
    return table


def _employment_rows(main: pa.Table, table: np.ndarray) -> tuple[pa.Table, np.ndarray | int]:
    """The employment rows of the main columns and their file positions: a slice (no copy)
    and the first position when they are contiguous (the usual layout), else a gather."""
    mine = table == _EMPLOYMENT
    n = int(np.count_nonzero(mine))
    first = int(np.argmax(mine)) if n else 0
    if n and bool(mine[first:first + n].all()):
        return main.slice(first, n), first
    positions = np.flatnonzero(mine)
    return take_rows(main, positions), positions


def take_rows(table: pa.Table, positions: np.ndarray) -> pa.Table:
    """The rows of ``table`` at ``positions`` (sorted), taken chunk by chunk: Arrow's own
    ``take`` on a chunked table first concatenates every chunk of every column (for a
    dictionary column it unifies the dictionaries too), which costs more than the whole read
    when only a few rows of a big file are wanted. Runs of consecutive rows (the usual
    layout) are slices (:func:`~evidence.sources.arrow_numpy.rows_at`)."""
    parts, offset = [], 0
    for batch in table.to_batches():
        n = batch.num_rows
        lo, hi = np.searchsorted(positions, [offset, offset + n])
        if hi > lo:
            parts.append(rows_at(batch, positions[lo:hi] - offset))
        offset += n
    if not parts:
        return table.schema.empty_table()
    return pa.concat_tables(parts)


def _whole_cells(raw: _Lean, areas: np.ndarray, file: str) -> EmploymentCells:
    """The cells of a file read whole (CSV, or Parquet small enough): one scatter of the
    employment rows read (:func:`_employment_read`)."""
    assert raw.main is not None
    rows, positions = raw.main
    scatter = Scatter(raw.tally.axes(areas, raw.wanted), file)
    scatter.add(rows, positions)
    return scatter.cells()


def _column(rows: pa.Table | pa.RecordBatch, name: str) -> pa.ChunkedArray | pa.Array | None:
    return rows.column(name) if name in rows.schema.names else None


def _row_groups(path: Path, columns: list[str],
                read: Callable[[int], bool] | None = None) -> Iterator[tuple[int, pa.Table | None]]:
    """The ``columns`` of a Parquet file one row group at a time, in file order, each read by
    Arrow's threaded dataset reader with text as dictionaries: (rows in the group, its
    table); the table is None for a group that ``read`` (group number -> bool) skips."""
    import pyarrow.dataset as pads
    text = [c for c in ("table", "area_code", "sic") if c in columns]
    fmt = pads.ParquetFileFormat(read_options=pads.ParquetReadOptions(dictionary_columns=text))
    number = 0
    for fragment in pads.dataset(path, format=fmt).get_fragments():
        for group in fragment.split_by_row_group():
            if read is not None and not read(number):
                yield group.row_groups[0].num_rows, None
            else:
                table = group.to_table(columns=columns, use_threads=True)
                yield table.num_rows, table
            number += 1


def _batched_scan(path: Path, names: list[str], file: str, areas: bool = False,
                  ) -> tuple[np.ndarray, AxesTally, np.ndarray, list[np.ndarray]]:
    """Each row's table, the industry labels and years of the employment rows, and per row
    group how many employment rows each year has (:class:`_Lean`'s ``group_years``), of a
    big Parquet file: one pass over three columns, a row group at a time. ``areas`` (a read
    of some years): also the employment rows' area labels and the other tables' rows' years
    (float, NaN where missing; else empty)."""
    parts, tally, offset = [], AxesTally(areas=areas), 0
    rest_years, group_years = [], []
    wanted = ("table", "sic", "year") + (("area_code",) if areas else ())
    for n, group in _row_groups(path, [c for c in wanted if c in names]):
        assert group is not None
        table = _table_codes(group["table"], file, offset)
        rows, _ = _employment_rows(group, table)
        before = tally.year_counts.copy()
        tally.add(_column(rows, "sic"), _column(rows, "year"), rows.num_rows,
                  _column(rows, "area_code"))
        counted = tally.year_counts - before
        group_years.append(np.append(counted, rows.num_rows - counted.sum()))
        if areas:  # a read of some years: the other tables' rows' years, to filter them
            year = _column(group, "year")
            others = np.flatnonzero(table != _EMPLOYMENT)
            rest_years.append(numpy_of(year)[others].astype(np.float64) if year is not None
                              else np.full(len(others), np.nan))
        parts.append(table)
        offset += n
    return ((np.concatenate(parts) if parts else np.empty(0, dtype=np.int8)), tally,
            np.concatenate(rest_years) if rest_years else np.empty(0), group_years)


def _batched_cells(path: Path, raw: _Lean, areas: np.ndarray, file: str) -> EmploymentCells:
    """The cells of a big Parquet file, scattered a row group at a time (the first pass,
    :func:`_batched_scan`, sized them): no more than one row group of rows is in memory.
    With years to read, a row group none of whose employment rows is of those years (or
    lacks a whole one) is not read at all (a file written by year skips most of them)."""
    wanted, table = raw.wanted, raw.table
    scatter = Scatter(raw.tally.axes(areas, wanted), file)
    names = pq.read_schema(path).names
    read = None
    if wanted is not None and raw.group_years is not None:
        slots = year_slots(wanted)
        counts = raw.group_years

        def read(number: int) -> bool:
            return bool(counts[number][slots].any() or counts[number][-1])

    offset = 0
    for n, group in _row_groups(path, [c for c in _MAIN_COLUMNS if c in names], read):
        if group is not None:
            rows, positions = _employment_rows(group, table[offset:offset + n])
            if wanted is not None:
                keep = year_mask(_column(rows, "year"), rows.num_rows, wanted)
                rows, positions = _rows_kept(rows, positions, keep)
            if rows.num_rows:
                scatter.add(rows, positions + offset)
        offset += n
    return scatter.cells()


def _split_tables(
    raw: pd.DataFrame, file: str, origin: np.ndarray | None = None
) -> tuple[dict[str, _Rows], pd.Series]:
    """The file's rows grouped by their ``table`` column, and the raw ``suppressed`` column.

    ``origin``: the file positions of ``raw``'s rows when it holds only some of them.
    """
    import pandas as pd  # deferred (see the imports)
    missing = [c for c in ("table", "area_code") if c not in raw.columns]
    if missing:
        raise DataError(f"missing column {missing[0]!r}", file=file, row=1, column=missing[0])
    n = len(raw)
    empty = pd.Series(pd.Categorical.from_codes(np.zeros(n, np.int8), categories=[""]))
    text = {c: raw[c] if c in raw.columns else empty for c in _STRING_COLUMNS}
    numbers = pd.DataFrame(
        {
            c: _as_number(raw[c], c, file, origin) if c in raw.columns else np.full(n, np.nan)
            for c in _FLOAT_COLUMNS + ["year"]
        }
    )
    suppressed = raw["suppressed"] if "suppressed" in raw.columns else pd.Series([""] * n)
    table = _as_text(text["table"])
    names = np.array([str(c).lower() for c in table.cat.categories])
    bad = _first(~np.isin(names, TABLES)[table.cat.codes.to_numpy()])
    if bad is not None:
        shown = table.iloc[bad] or "(empty)"
        raise _fail(file, _at(origin, bad), "table",
                    f"unknown table {shown!r}; expected one of {TABLES}")
    row_table = names[table.cat.codes.to_numpy()]
    tables = {
        name: _Rows(text, numbers, name, np.flatnonzero(row_table == name), file, origin)
        for name in TABLES
    }
    return tables, suppressed


def _areas(rows: _Rows, file: str) -> pd.DataFrame:
    import pandas as pd  # deferred (see the imports)
    if not len(rows):
        raise DataError("no areas rows", file=file)
    areas = pd.DataFrame(
        {c: rows.text(c, required=c in ("area_code", "area_name", "level")) for c in AREA_COLUMNS}
    )
    bad = _first(~areas["level"].isin(AREA_LEVELS))
    if bad is not None:
        raise rows.fail(bad, "level", f"{areas['level'].iloc[bad]!r} is not one of {AREA_LEVELS}")
    bad = _first(areas["area_code"].duplicated())
    if bad is not None:
        raise rows.fail(bad, "area_code", f"area {areas['area_code'].iloc[bad]!r} listed twice")
    return pd.DataFrame({c: areas[c].astype(str).astype("str") for c in AREA_COLUMNS})


def _employment(rows: _Rows, suppressed: pd.Series, file: str) -> pd.DataFrame:
    """The employment table. Unknown areas and duplicates are left to ``validate_dataset``,
    whose table positions ``read_tidy`` maps back to file lines: checking twice would cost a
    second."""
    import pandas as pd  # deferred (see the imports)
    if not len(rows):
        raise DataError("no employment rows", file=file)
    emp = pd.DataFrame(
        {
            "area_code": _to_str(rows.text("area_code", required=True)),
            "year": rows.year(),
            "sic": rows.sic(),
            "employment": rows.number("employment"),
            "suppressed": _as_flag(suppressed, rows.positions, "suppressed", file),
        }
    )
    values = emp["employment"].to_numpy()
    bad = _first(values < 0)
    if bad is not None:
        raise rows.fail(bad, "employment", "negative employment")
    bad = _first(values > MAX_JOBS)
    if bad is not None:
        raise rows.fail(bad, "employment", f"{values[bad]:g} is not a plausible job count "
                                           f"(more than {MAX_JOBS:,.0f}, over three times "
                                           "UK employment)")
    bad = _first(np.isnan(values) & ~emp["suppressed"].to_numpy())
    if bad is not None:
        raise rows.fail(bad, "employment", "employment is empty but not marked suppressed")
    return emp


def _gva(rows: _Rows, known: pd.Series) -> pd.DataFrame | None:
    import pandas as pd  # deferred (see the imports)
    if not len(rows):
        return None
    gva = pd.DataFrame(
        {
            "area_code": _to_str(rows.text("area_code", required=True)),
            "year": rows.year(),
            "sic": rows.sic(),
            "gva": rows.number("gva"),
        }
    )
    rows.check_keys(gva, ["area_code", "year", "sic"], known)
    return gva


def _context(rows: _Rows, known: pd.Series) -> pd.DataFrame | None:
    import pandas as pd  # deferred (see the imports)
    if not len(rows):
        return None
    context = pd.DataFrame(
        {"area_code": _to_str(rows.text("area_code", required=True)), "year": rows.year()}
    )
    for column in CONTEXT_NUMERIC:
        values = rows.number(column)
        high = 1.0 if column == "level4_share" else np.inf
        bad = _first((values < 0) | (values > high))
        if bad is not None:
            raise rows.fail(bad, column, f"{values.iloc[bad]!r} is out of range")
        context[column] = values
    rows.check_keys(context, ["area_code", "year"], known)
    return context


def _source_from_meta(keys: Iterable[str], values: Iterable[str], file: str) -> SourceInfo:
    """Rebuild the SourceInfo from the ``meta`` rows (a file without them is described by name)."""
    found: dict[str, str] = {}
    notes: list[str] = []
    for key, value in zip(keys, values, strict=True):
        if key == "note":
            notes.append(value)
        else:
            found[key] = value
    rounding = found.get("rounding", "")
    return SourceInfo(
        name=found.get("source_name") or Path(file).name,
        path=file,
        synthetic=found.get("synthetic", "").lower() == "true",
        rounding=int(rounding) if rounding.isdigit() else None,
        notes=notes,
        area_word=found.get("area_word", ""),
    )
