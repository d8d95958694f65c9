"""Out-of-core reading of a tidy file too big for memory: DuckDB sums before the cube.

DuckDB (an existing engine, run with a memory limit and a temporary directory to spill to)
scans the employment rows of a tidy Parquet or CSV file (``evidence.sources.tidy`` layout) and
sums them, per area and year, to what the cube keeps: the ten Table 1 sectors (known jobs,
known and suppressed cells), the division structure and the TOTAL row. The codes behind each
sector and division are chosen by :func:`evidence.levels.select_codes` on the file's codes, as
the in-memory cube build chooses them, so :func:`evidence.cube.build_cube` makes the same cube
from the sums (``Dataset.sums``) and the indicators are the same numbers.

What is not there: the 4-digit class detail (``Cube.classes`` is empty, ``class_emp`` None),
so relatedness, variety and supply chains are not computed on this path, and the employment
rows are not held in memory (``Dataset.employment`` raises).

Every row is checked as ``read_tidy`` checks it (area, year, industry code, job count,
suppressed flag, areas table, duplicates), in SQL; the first problem is reported as a
``DataError`` naming the file, the line and the column.

``read_tidy_any`` picks the engine: ``duckdb`` above ``OUT_OF_CORE_ROWS`` rows (Parquet: from
the footer; CSV: estimated from the file size), else the in-memory ``read_tidy``.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow.parquet as pq

from evidence.dataset import DataError, Dataset, EmploymentSums
from evidence.levels import select_codes
from evidence.sectors import TOTAL_CODE, SicCodeError, known_sic_codes, load_sectors, normalise_sic
from evidence.sources.tidy import MAX_JOBS, TABLES, YEAR_RANGE, read_small_tables, read_tidy

__all__ = [
    "CSV_BYTES_PER_ROW",
    "ENGINES",
    "MEMORY_LIMIT",
    "OUT_OF_CORE_ROWS",
    "choose_engine",
    "estimated_rows",
    "read_tidy_any",
    "read_tidy_duckdb",
]

ENGINES = ("auto", "memory", "duckdb")

OUT_OF_CORE_ROWS = 20_000_000
"""Above this many rows ``engine="auto"`` reads out of core with DuckDB. The in-memory path
needs about 0.1 KB a row at its peak (2.3 GB for 6 million rows, 4.7 GB for 43 million);
overridden by the environment variable ``POLICYMIX_OUT_OF_CORE_ROWS``."""

MEMORY_LIMIT = "2GB"
"""DuckDB's memory limit (``SET memory_limit``); it spills to the temporary directory above
it. Overridden by ``POLICYMIX_DUCKDB_MEMORY`` (and ``POLICYMIX_DUCKDB_TEMP`` for the directory,
default: the system temporary directory)."""

CSV_BYTES_PER_ROW = {".csv": 30, ".gz": 5}
"""Bytes a tidy CSV employment row takes (plain, gzip): the row count of a CSV is estimated
from its size, because counting would read the whole file."""


def estimated_rows(path: Path) -> int:
    """Rows of a tidy file: exact for Parquet (the footer), estimated for CSV (its size)."""
    if path.suffix == ".parquet":
        return int(pq.ParquetFile(path).metadata.num_rows)
    per_row = CSV_BYTES_PER_ROW[".gz" if path.name.endswith(".gz") else ".csv"]
    return path.stat().st_size // per_row


def choose_engine(path: Path | str, engine: str = "auto") -> str:
    """``memory`` or ``duckdb`` for ``path``: as asked, or by its row count for ``auto``."""
    if engine not in ENGINES:
        raise ValueError(f"engine {engine!r}: use one of {', '.join(ENGINES)}")
    if engine != "auto":
        return engine
    path = Path(path)
    if not (path.suffix == ".parquet" or path.name.endswith((".csv", ".csv.gz"))):
        return "memory"
    threshold = int(os.environ.get("POLICYMIX_OUT_OF_CORE_ROWS", OUT_OF_CORE_ROWS))
    return "duckdb" if estimated_rows(path) > threshold else "memory"


def read_tidy_any(path: Path | str, engine: str = "auto") -> Dataset:
    """``read_tidy`` or, for a file too big for memory (or when asked), ``read_tidy_duckdb``."""
    if choose_engine(path, engine) == "duckdb":
        return read_tidy_duckdb(path)
    return read_tidy(path)


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


@dataclass
class _Source:
    """The file as a DuckDB relation: one row per data row with its 0-based position."""

    sql: str
    columns: list[str]


def _source(con: Any, path: Path) -> _Source:
    file = _quote(str(path))
    if path.suffix == ".parquet":
        columns = list(pq.read_schema(path).names)
        return _Source(f"(SELECT *, file_row_number AS _pos FROM read_parquet({file}, "
                       "file_row_number = true))", columns)
    columns = _csv_columns(con, file)
    reader = (f"read_csv({file}, header = true, auto_detect = false, columns = {{"
              + ", ".join(f"{_quote(c)}: 'VARCHAR'" for c in columns) + "})")
    # CSV has no row number of its own: ROW_NUMBER() OVER () streams in file order.
    return _Source(f"(SELECT *, ROW_NUMBER() OVER () - 1 AS _pos FROM {reader})", columns)


def _csv_columns(con: Any, file: str) -> list[str]:
    rows = con.execute(f"DESCRIBE SELECT * FROM read_csv({file}, header = true, "
                       "all_varchar = true)").fetchall()
    return [str(r[0]) for r in rows]


def _typed(src: _Source) -> str:
    """The employment-relevant columns, trimmed text and numbers (NULL for a missing column;
    NaN counts as missing, as in the in-memory reader)."""
    def col(name: str) -> str:
        return f'"{name}"' if name in src.columns else "NULL"

    emp = f"TRY_CAST({col('employment')} AS DOUBLE)"
    return (
        f"SELECT _pos, trim(CAST({col('table')} AS VARCHAR)) AS t, "
        f"trim(CAST({col('area_code')} AS VARCHAR)) AS area, "
        f"CAST({col('year')} AS VARCHAR) AS year_text, TRY_CAST({col('year')} AS DOUBLE) AS y, "
        f"CAST({col('sic')} AS VARCHAR) AS sic, "
        f"CAST({col('employment')} AS VARCHAR) AS emp_text, "
        f"CASE WHEN isnan({emp}) THEN NULL ELSE {emp} END AS e, "
        f"lower(trim(CAST({col('suppressed')} AS VARCHAR))) AS s_text "
        f"FROM {src.sql}"
    )


_TRUE = "('true', '1', 'yes', 't', 'y')"
_FALSE = "('false', '0', 'no', 'f', 'n', '')"


def _connect(temp: str | None = None) -> Any:
    # Deferred: duckdb is a heavy import that only the out-of-core path needs.
    import duckdb

    con = duckdb.connect()
    limit = os.environ.get("POLICYMIX_DUCKDB_MEMORY", MEMORY_LIMIT)
    con.execute(f"SET memory_limit = {_quote(limit)}")
    directory = temp or os.environ.get("POLICYMIX_DUCKDB_TEMP") or tempfile.gettempdir()
    con.execute(f"SET temp_directory = {_quote(str(Path(directory) / 'policymix-duckdb'))}")
    con.execute("SET preserve_insertion_order = false")
    return con


def read_tidy_duckdb(path: Path | str, temp_directory: str | None = None) -> Dataset:
    """A tidy file read out of core: the small tables as ``read_tidy`` reads them, the
    employment rows checked and summed by DuckDB (see the module doc)."""
    path = Path(path)
    file = str(path)
    if not path.exists():
        raise DataError("file not found", file=file)
    con = _connect(temp_directory)
    try:
        src = _source(con, path)
        for required in ("table", "area_code"):
            if required not in src.columns:
                raise DataError(f"missing column {required!r}", file=file, row=1,
                                column=required)
        con.execute(f"CREATE TEMP VIEW rows AS {_typed(src)}")
        labels = _table_labels(con, file)
        small = con.execute(f"SELECT * EXCLUDE (_pos), _pos FROM {src.sql} "
                            "WHERE lower(trim(CAST(\"table\" AS VARCHAR))) <> 'employment' "
                            "ORDER BY _pos").df()
        positions = small.pop("_pos").to_numpy(dtype=np.int64)
        areas, gva, context, source = read_small_tables(small, positions, file)
        codes = _sic_map(con, labels["employment"], file)
        con.register("area_map", pd.DataFrame({"area": areas["area_code"].astype(str),
                                               "a": np.arange(len(areas), dtype=np.int32)}))
        years, used, n_rows, n_supp = _check_rows(con, file)
        sums = _sums(con, codes, areas, years, used)
    except DataError:
        raise
    except Exception as exc:  # duckdb's errors (IO, parse, out of memory) are located
        if type(exc).__module__.split(".")[0] != "duckdb":
            raise
        raise DataError(f"not a readable tidy file for the out-of-core reader ({exc})",
                        file=file) from exc
    finally:
        con.close()
    sums.rows, sums.suppressed_cells = n_rows, n_supp
    source.suppressed_cells = n_supp
    source.notes = [*source.notes, "Read out of core (DuckDB): employment summed to sectors, "
                    "divisions and totals before the cube; no 4-digit class detail, so "
                    "relatedness, variety and supply chains are not computed."]
    return Dataset(employment=None, areas=areas, source=source, gva=gva, context=context,
                   sums=sums)


def _table_labels(con: Any, file: str) -> dict[str, list[str]]:
    """The ``table`` names in the file (an unknown or empty one is located); the employment
    rows' distinct industry labels under ``"employment"``."""
    found = con.execute("SELECT t, min(_pos) FROM rows GROUP BY t").fetchall()
    for name, first in sorted(found, key=lambda r: r[1]):
        if name is None or name.lower() not in TABLES:
            shown = "(empty)" if not name else name
            raise DataError(f"unknown table {shown!r}; expected one of {TABLES}", file=file,
                            row=int(first) + 2, column="table")
    sic = con.execute("SELECT DISTINCT sic FROM rows WHERE lower(t) = 'employment'").fetchall()
    return {"employment": [r[0] for r in sic]}


@dataclass
class _Codes:
    """The employment rows' industry labels as cube slots: sector s is slot s, division d
    slot S + d, TOTAL slot S + D."""

    keys: list[str]
    divisions: list[str]
    has_total: bool


def _sic_map(con: Any, labels: list[str | None], file: str) -> _Codes:
    """Register ``sic_map`` (label -> normalised key, known) and ``sic_slots`` (label ->
    each slot it counts in), chosen as ``evidence.cube.build_cube`` chooses them."""
    known = known_sic_codes() | {TOTAL_CODE}
    key_of: dict[str, str] = {}
    for label in labels:
        if label is None:
            continue
        try:
            key = normalise_sic(label.strip())
        except SicCodeError:
            key = ""
        key_of[label] = key if key in known else ""
    keys = sorted({k for k in key_of.values() if k})
    selection = select_codes(keys)
    sectors = [s.sector_id for s in load_sectors()]
    divisions = sorted({k[:2] for k in keys if k in selection.structure_codes})
    n_s, n_d = len(sectors), len(divisions)
    sector_by_code = {c: s for s, codes in selection.sector_codes.items() for c in codes}
    slots: list[tuple[str, int]] = []
    for label, key in key_of.items():
        if key == TOTAL_CODE:
            slots.append((label, n_s + n_d))
            continue
        if key in sector_by_code:
            slots.append((label, sectors.index(sector_by_code[key])))
        if key in selection.structure_codes:
            slots.append((label, n_s + divisions.index(key[:2])))
    con.register("sic_map", pd.DataFrame({"sic": list(key_of), "key": list(key_of.values())}))
    con.register("sic_slots", pd.DataFrame(slots or [("", -1)], columns=["sic", "slot"]))
    return _Codes(keys=keys, divisions=divisions, has_total=TOTAL_CODE in keys)


def _check_rows(con: Any, file: str) -> tuple[np.ndarray, list[int], int, int]:
    """Every employment row checked in one scan; the first problem (in the in-memory
    reader's order of checks) is raised at its line. Returns the years, the areas (positions
    in ``area_map``) with rows, the number of rows and of suppressed cells."""
    flag_ok = f"(s_text IS NULL OR s_text IN {_TRUE} OR s_text IN {_FALSE})"
    supp = f"coalesce(s_text IN {_TRUE}, false)"
    checks = [
        ("area IS NULL OR area = ''", "area_code", "employment row without area_code"),
        ("y IS NULL AND (year_text IS NULL OR trim(year_text) = '')", "year",
         "employment row without year"),
        ("y IS NULL", "year", "{year_text!r} is not a whole year"),
        ("y <> round(y)", "year", "{y!r} is not a whole year"),
        (f"y < {YEAR_RANGE[0]} OR y > {YEAR_RANGE[1]}", "year",
         "{y_int} is not a plausible year for these statistics "
         f"({YEAR_RANGE[0]}-{YEAR_RANGE[1]})"),
        ("sic IS NULL OR trim(sic) = ''", "sic", "employment row without sic"),
        ("m.key = ''", "sic", "{sic!r} is not a SIC 2007 class, group, division or TOTAL"),
        ("e IS NULL AND emp_text IS NOT NULL AND trim(emp_text) NOT IN ('', 'nan', 'NaN') "
         "AND NOT isnan(TRY_CAST(emp_text AS DOUBLE))", "employment", "{emp_text!r} is not a "
         "number"),
        ("isinf(e)", "employment", "value is not a finite number"),
        ("e < 0", "employment", "negative employment"),
        (f"e > {MAX_JOBS}", "employment", "{e:g} is not a plausible job count (more than "
         f"{MAX_JOBS:,.0f}, over three times UK employment)"),
        (f"NOT {flag_ok}", "suppressed", "{s_text!r} is not true/false"),
        (f"e IS NULL AND NOT {supp}", "employment",
         "employment is empty but not marked suppressed"),
        ("am.a IS NULL", "area_code", "area {area!r} is not in the areas table"),
    ]
    firsts = ", ".join(f"min(_pos) FILTER (WHERE {cond})" for cond, _, _ in checks)
    query = (f"SELECT {firsts}, count(*), sum(CAST({supp} AS INTEGER)), "
             "list(DISTINCT CAST(y AS BIGINT)), list(DISTINCT am.a) "
             "FROM rows LEFT JOIN sic_map m USING (sic) LEFT JOIN area_map am USING (area) "
             "WHERE lower(t) = 'employment'")
    result = con.execute(query).fetchone()
    n_rows = int(result[len(checks)])
    if not n_rows:
        raise DataError("no employment rows", file=file)
    for (_, column, message), first in zip(checks, result, strict=False):
        if first is not None:
            raise _located(con, int(first), column, message, file)
    _check_unique(con, file)
    years = np.array(sorted(int(y) for y in result[len(checks) + 2]), dtype=np.int64)
    return years, list(result[len(checks) + 3]), n_rows, int(result[len(checks) + 1] or 0)


def _located(con: Any, pos: int, column: str, message: str, file: str) -> DataError:
    row = con.execute("SELECT year_text, y, sic, emp_text, e, s_text, area FROM rows "
                      "WHERE _pos = ?", [pos]).fetchone()
    names = ["year_text", "y", "sic", "emp_text", "e", "s_text", "area"]
    values = dict(zip(names, row, strict=True))
    values["y_int"] = int(values["y"]) if values["y"] is not None else None
    return DataError(message.format(**values), file=file, row=pos + 2, column=column)


def _check_unique(con: Any, file: str) -> None:
    """No two rows for one area, year and (normalised) industry code."""
    dup = con.execute(
        "SELECT area, CAST(y AS BIGINT), m.key FROM rows JOIN sic_map m USING (sic) "
        "WHERE lower(t) = 'employment' GROUP BY ALL HAVING count(*) > 1 LIMIT 1"
    ).fetchone()
    if dup is None:
        return
    area, year, key = dup
    pos = con.execute(
        "SELECT _pos FROM rows JOIN sic_map m USING (sic) WHERE lower(t) = 'employment' "
        "AND area = ? AND CAST(y AS BIGINT) = ? AND m.key = ? ORDER BY _pos LIMIT 1 OFFSET 1",
        [area, year, key]).fetchone()[0]
    raise DataError(f"duplicate row for area {area}, year {year}, industry {key}", file=file,
                    row=int(pos) + 2)


_BATCH_ROWS = 1_000_000


def _sums(con: Any, codes: _Codes, areas: pd.DataFrame, years: np.ndarray,
          used_areas: list[int]) -> EmploymentSums:  # fmt: skip
    """Jobs, known and suppressed cells by (area, slot, year), scattered batch by batch."""
    n_s, n_d = len(load_sectors()), len(codes.divisions)
    n_slots = n_s + n_d + 1
    first = int(years[0])
    year_pos = np.full(int(years[-1]) - first + 1, -1, dtype=np.int64)
    year_pos[years - first] = np.arange(len(years))
    supp = f"CAST(coalesce(s_text IN {_TRUE}, false) AS INTEGER)"
    reader = con.sql(
        "SELECT am.a, CAST(y AS INTEGER) AS y, sl.slot, sum(coalesce(e, 0)) AS jobs, "
        f"CAST(count(e) AS DOUBLE) AS seen, CAST(sum({supp}) AS DOUBLE) AS supp "
        "FROM rows JOIN sic_slots sl USING (sic) JOIN area_map am USING (area) "
        "WHERE lower(t) = 'employment' GROUP BY ALL"
    ).to_arrow_reader(_BATCH_ROWS)
    n_a, n_y = len(areas), len(years)
    jobs = np.zeros((n_a, n_slots, n_y))
    seen = np.zeros((n_a, n_slots, n_y))
    supp_count = np.zeros((n_a, n_slots, n_y))
    present = np.zeros(n_a, dtype=bool)
    for batch in reader:
        a = batch.column("a").to_numpy().astype(np.int64)
        s = batch.column("slot").to_numpy().astype(np.int64)
        y = year_pos[batch.column("y").to_numpy().astype(np.int64) - first]
        jobs[a, s, y] = batch.column("jobs").to_numpy()
        seen[a, s, y] = batch.column("seen").to_numpy()
        supp_count[a, s, y] = batch.column("supp").to_numpy()
        present[a] = True
    present[np.asarray(used_areas, dtype=np.int64)] = True
    keep = np.flatnonzero(present)
    jobs, seen, supp_count = jobs[keep], seen[keep], supp_count[keep]
    total = n_s + n_d
    return EmploymentSums(
        area_labels=areas["area_code"].to_numpy(dtype=str)[keep],
        years=years,
        codes=codes.keys,
        sector_jobs=jobs[:, :n_s],
        sector_seen=seen[:, :n_s],
        sector_supp=supp_count[:, :n_s],
        divisions=codes.divisions,
        division_jobs=jobs[:, n_s:total],
        total_jobs=jobs[:, total] if codes.has_total else None,
        total_seen=seen[:, total] if codes.has_total else None,
    )
