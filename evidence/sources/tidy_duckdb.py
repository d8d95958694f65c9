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

``read_tidy_any`` picks the engine: ``duckdb`` above ``OUT_OF_CORE_PARQUET_ROWS`` rows for
Parquet (from the footer) or ``OUT_OF_CORE_ROWS`` for CSV (estimated from the file size), else
the in-memory ``read_tidy``.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow.parquet as pq

from evidence.dataset import DataError, Dataset, EmploymentSums
from evidence.levels import select_codes
from evidence.sectors import TOTAL_CODE, SicCodeError, known_sic_codes, load_sectors, normalise_sic
from evidence.sources.tidy import MAX_JOBS, TABLES, YEAR_RANGE, read_small_tables, read_tidy
from evidence.sources.tidy_cells import YearsWanted

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "CSV_BYTES_PER_ROW",
    "ENGINES",
    "MEMORY_LIMIT",
    "OUT_OF_CORE_PARQUET_ROWS",
    "OUT_OF_CORE_ROWS",
    "choose_engine",
    "estimated_rows",
    "read_tidy_any",
    "read_tidy_duckdb",
]

ENGINES = ("auto", "memory", "duckdb")

OUT_OF_CORE_ROWS = 20_000_000
"""Above this many rows ``engine="auto"`` reads a tidy CSV out of core with DuckDB: the
in-memory reader parses a CSV whole (about 0.1 KB a row at its peak)."""

OUT_OF_CORE_PARQUET_ROWS = 240_000_000
"""The same for a tidy Parquet file, which the in-memory reader scatters a row group at a
time into cells the size of the cube: about 25 bytes a row at its peak (1.3 GB for 43
million rows, 5.0 GB for 216 million: 35,000 LSOA-sized areas), so only a file bigger than
that goes to DuckDB (which has no 4-digit class detail). The environment variable
``POLICYMIX_OUT_OF_CORE_ROWS`` overrides both thresholds."""

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
    default = OUT_OF_CORE_PARQUET_ROWS if path.suffix == ".parquet" else OUT_OF_CORE_ROWS
    threshold = int(os.environ.get("POLICYMIX_OUT_OF_CORE_ROWS", default))
    return "duckdb" if estimated_rows(path) > threshold else "memory"


def read_tidy_any(path: Path | str, engine: str = "auto",
                  years: YearsWanted | None = None) -> Dataset:
    """``read_tidy`` or, for a file too big for memory (or when asked), ``read_tidy_duckdb``.

    ``years`` (``(start, end)``): :func:`~evidence.sources.tidy.read_tidy` reads only those
    two years; the out-of-core reader reads every year (its grouped scan checks and sums
    every row either way), which gives a period's indicators the same numbers."""
    if choose_engine(path, engine) == "duckdb":
        return read_tidy_duckdb(path)
    return read_tidy(path, years)


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _in_list(values: list[str]) -> str:
    return "(" + ", ".join(_quote(v) for v in values) + ")" if values else "(NULL)"


@dataclass
class _Source:
    """The file as a DuckDB relation: one row per data row with its 0-based position
    (``_pos``), and the file's columns with their types (CSV: all text)."""

    sql: str
    types: dict[str, str]


def _source(con: Any, path: Path) -> _Source:
    file = _quote(str(path))
    if path.suffix == ".parquet":
        sql = f"(SELECT *, file_row_number AS _pos FROM read_parquet({file}, " \
              "file_row_number = true))"
        described = con.execute(f"DESCRIBE SELECT * FROM read_parquet({file})").fetchall()
        return _Source(sql, {str(r[0]): str(r[1]) for r in described})
    described = con.execute(f"DESCRIBE SELECT * FROM read_csv({file}, header = true, "
                            "all_varchar = true)").fetchall()
    columns = [str(r[0]) for r in described]
    reader = (f"read_csv({file}, header = true, auto_detect = false, columns = {{"
              + ", ".join(f"{_quote(c)}: 'VARCHAR'" for c in columns) + "})")
    # CSV has no row number of its own: ROW_NUMBER() OVER () streams in file order.
    return _Source(f"(SELECT *, ROW_NUMBER() OVER () - 1 AS _pos FROM {reader})",
                   dict.fromkeys(columns, "VARCHAR"))


_TRUE = "('true', '1', 'yes', 't', 'y')"
_FALSE = "('false', '0', 'no', 'f', 'n', '')"
_NUMERIC = ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT",
            "UINTEGER", "UBIGINT", "FLOAT", "DOUBLE")


def _typed(src: _Source) -> str:
    """The employment columns as numbers and flags, with a ``*_bad`` flag where a present
    value is not one (a typed Parquet column needs no check); NaN jobs count as missing."""
    def col(name: str) -> str:
        return f'"{name}"' if name in src.types else "NULL"

    def number(name: str) -> tuple[str, str]:
        if src.types.get(name, "VARCHAR") in _NUMERIC or name not in src.types:
            return f"CAST({col(name)} AS DOUBLE)", "false"
        value = f"TRY_CAST({col(name)} AS DOUBLE)"
        return value, (f"({col(name)} IS NOT NULL AND trim({col(name)}) <> '' AND "
                       f"{value} IS NULL)")

    year, year_bad = number("year")
    jobs, jobs_bad = number("employment")
    if src.types.get("suppressed") == "BOOLEAN" or "suppressed" not in src.types:
        flag, flag_bad = f"coalesce({col('suppressed')}, false)", "false"
    else:
        text = f"lower(trim({col('suppressed')}))"
        flag = f"coalesce({text} IN {_TRUE}, false)"
        flag_bad = f"coalesce(NOT ({text} IN {_TRUE} OR {text} IN {_FALSE}), false)"
    return (
        f'SELECT _pos, "table" AS t, {col("area_code")} AS area, {col("sic")} AS sic, '
        f"{year} AS y, {year_bad} AS y_bad, "
        f"CASE WHEN isnan({jobs}) THEN NULL ELSE {jobs} END AS e, {jobs_bad} AS e_bad, "
        f"{flag} AS s, {flag_bad} AS s_bad, CAST({col('year')} AS VARCHAR) AS year_text, "
        f"CAST({col('employment')} AS VARCHAR) AS emp_text, "
        f"CAST({col('suppressed')} AS VARCHAR) AS s_text FROM {src.sql}"
    )


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
            if required not in src.types:
                raise DataError(f"missing column {required!r}", file=file, row=1,
                                column=required)
        con.execute(f"CREATE TEMP VIEW rows AS {_typed(src)}")
        labels = _labels(con, file)
        small = con.execute(f"SELECT * EXCLUDE (_pos), _pos FROM {src.sql} WHERE \"table\" "
                            f"NOT IN {_in_list(labels.tables)} ORDER BY _pos").df()
        positions = small.pop("_pos").to_numpy(dtype=np.int64)
        areas, gva, context, source = read_small_tables(small, positions, file)
        codes = _register_maps(con, labels, areas, file)
        sums, n_rows, n_supp = _scan(con, labels, codes, file)
        sums.area_labels = areas["area_code"].to_numpy(dtype=str)[codes.used_areas]
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


@dataclass
class _Labels:
    """The raw labels of the employment rows (as in the file), each with its first row."""

    tables: list[str]
    """The ``table`` spellings that mean employment."""
    areas: dict[str | None, int]
    sics: dict[str | None, int]
    years: np.ndarray


def _labels(con: Any, file: str) -> _Labels:
    """One scan for the distinct table, area and industry labels (an unknown table located)."""
    found = con.execute(
        "SELECT GROUPING(area, sic) AS g, t, area, sic, min(_pos) FROM rows "
        "GROUP BY GROUPING SETS ((t), (t, area), (t, sic))"
    ).fetchall()
    tables = [(t, first) for g, t, _, _, first in found if g == 3]
    for name, first in sorted(tables, key=lambda r: r[1]):
        if name is None or name.strip().lower() not in TABLES:
            shown = "(empty)" if not name or not name.strip() else name
            raise DataError(f"unknown table {shown!r}; expected one of {TABLES}", file=file,
                            row=int(first) + 2, column="table")
    employment = [t for t, _ in tables if t.strip().lower() == "employment"]
    areas: dict[str | None, int] = {}
    sics: dict[str | None, int] = {}
    for g, t, area, sic, first in found:
        if t not in employment:
            continue
        if g == 1:  # (t, area): sic is grouped away
            areas[area] = min(int(first), areas.get(area, int(first)))
        elif g == 2:
            sics[sic] = min(int(first), sics.get(sic, int(first)))
    if not employment:
        raise DataError("no employment rows", file=file)
    years = con.execute(f"SELECT DISTINCT TRY_CAST(y AS BIGINT) FROM rows WHERE t IN "
                        f"{_in_list(employment)}").fetchall()
    plausible = sorted(int(y) for (y,) in years
                       if y is not None and YEAR_RANGE[0] <= y <= YEAR_RANGE[1])
    return _Labels(employment, areas, sics, np.array(plausible, dtype=np.int64))


@dataclass
class _Codes:
    """The employment rows' industry keys as cube slots: sector s is slot s, division d
    slot S + d, TOTAL slot S + D."""

    keys: list[str]
    divisions: list[str]
    has_total: bool
    label_problems: list[tuple[int, str, str]]
    """(first row, column, message) for each blank or unknown area or industry label."""
    used_areas: np.ndarray
    combos: np.ndarray
    """[combo, 2]: the sector slot and the division (or TOTAL) slot of each combo, -1 none."""


def _register_maps(con: Any, labels: _Labels, areas: pd.DataFrame, file: str) -> _Codes:
    """Register ``area_map`` (raw label -> area position), ``sic_map`` (raw label -> key id)
    and ``sic_slots`` (raw label -> each slot it counts in, chosen as
    ``evidence.cube.build_cube`` chooses them)."""
    import pandas as pd  # deferred: the in-memory engine needs none
    problems: list[tuple[int, str, str]] = []
    area_pos = {str(c): i for i, c in enumerate(areas["area_code"])}
    area_rows: list[tuple[str, int]] = []
    for label, first in labels.areas.items():
        text = "" if label is None else str(label).strip()
        if not text:
            problems.append((first, "area_code", "employment row without area_code"))
        elif text not in area_pos:
            problems.append((first, "area_code", f"area {text!r} is not in the areas table"))
        else:
            area_rows.append((str(label), area_pos[text]))
    known = known_sic_codes() | {TOTAL_CODE}
    key_of: dict[str, str] = {}
    for label, first in labels.sics.items():
        if label is None or not str(label).strip():
            problems.append((first, "sic", "employment row without sic"))
            continue
        try:
            key = normalise_sic(str(label).strip())
        except SicCodeError:
            key = ""
        if key not in known:
            problems.append((first, "sic", f"{str(label).strip()!r} is not a SIC 2007 class, "
                                           "group, division or TOTAL"))
            continue
        key_of[str(label)] = key
    keys = sorted(set(key_of.values()))
    selection = select_codes(keys)
    sectors = [s.sector_id for s in load_sectors()]
    divisions = sorted({k[:2] for k in keys if k in selection.structure_codes})
    n_s, n_d = len(sectors), len(divisions)
    sector_by_code = {c: s for s, codes in selection.sector_codes.items() for c in codes}
    # Each key counts in at most one sector and one division (or is the TOTAL): the pair is
    # its "combo", so one group by (area, year, combo) sums every slot without repeating rows.
    combos: dict[tuple[int, int], int] = {}
    combo_of: dict[str, int] = {}
    for key in keys:
        pair = (n_s + n_d, -1) if key == TOTAL_CODE else (
            sectors.index(sector_by_code[key]) if key in sector_by_code else -1,
            n_s + divisions.index(key[:2]) if key in selection.structure_codes else -1)
        combo_of[key] = combos.setdefault(pair, len(combos))
    key_id = {k: i for i, k in enumerate(keys)}
    con.register("area_map", pd.DataFrame(area_rows or [("", -1)], columns=["area", "a"]))
    con.register("sic_map", pd.DataFrame({"sic": list(key_of),
                                          "k": [key_id[k] for k in key_of.values()],
                                          "c": [combo_of[k] for k in key_of.values()]}))
    used = np.unique(np.array([a for _, a in area_rows], dtype=np.int64))
    pairs = np.array(list(combos) or [(-1, -1)], dtype=np.int64).reshape(-1, 2)
    return _Codes(keys, divisions, TOTAL_CODE in keys, problems, used, pairs)


_LABEL_RANK = {"employment row without area_code": 0, "employment row without sic": 5}
"""Where a label problem falls among the row checks (the in-memory reader's order); an
industry code not in SIC 2007 ranks with a missing one, an unknown area last."""

_CHECKS = [
    ("y IS NULL AND NOT y_bad", "year", "employment row without year"),
    ("y_bad", "year", "{year_text!r} is not a whole year"),
    ("y <> round(y)", "year", "{y!r} is not a whole year"),
    (f"y < {YEAR_RANGE[0]} OR y > {YEAR_RANGE[1]}", "year",
     "{y_int} is not a plausible year for these statistics "
     f"({YEAR_RANGE[0]}-{YEAR_RANGE[1]})"),
    ("e_bad", "employment", "{emp_text!r} is not a number"),
    ("isinf(e)", "employment", "value is not a finite number"),
    ("e < 0", "employment", "negative employment"),
    (f"e > {MAX_JOBS}", "employment", "{e:g} is not a plausible job count (more than "
     f"{MAX_JOBS:,.0f}, over three times UK employment)"),
    ("s_bad", "suppressed", "{s_text!r} is not true/false"),
    ("e IS NULL AND NOT e_bad AND NOT s", "employment",
     "employment is empty but not marked suppressed"),
]
"""Row checks in the in-memory reader's order: (condition, column, message)."""
_RANK_SHIFT = 2**40
_BATCH_ROWS = 1_000_000


def _rank(i: int) -> int:
    return i + (1 if i >= 5 else 0)  # rank 5 is the industry code's


def _scan(con: Any, labels: _Labels, codes: _Codes, file: str) -> tuple[EmploymentSums, int,
                                                                         int]:  # fmt: skip
    """One scan of the employment rows, grouped by (area, year, combo, block of 64 keys):
    jobs, known and suppressed cells; rows and distinct keys (a bitmap's popcount: fewer keys
    than rows is a duplicate); the first problem of the rows (check rank, then position)."""
    problem = "CASE " + " ".join(f"WHEN {cond} THEN {_rank(i)}"
                                 for i, (cond, _, _) in enumerate(_CHECKS)) + " END"
    reader = con.sql(
        f"SELECT a, CAST(y AS BIGINT) AS y, c, k // 64 AS blk, sum(coalesce(e, 0)) AS jobs, "
        "CAST(count(e) AS DOUBLE) AS seen, CAST(sum(CAST(s AS INTEGER)) AS DOUBLE) AS supp, "
        "count(*) AS n, bit_count(bit_or(CAST(1 AS UBIGINT) << CAST(k % 64 AS UBIGINT))) AS nk, "
        f"min(({problem}) * {_RANK_SHIFT} + _pos) AS problem "
        "FROM rows JOIN area_map USING (area) JOIN sic_map USING (sic) "
        f"WHERE t IN {_in_list(labels.tables)} GROUP BY ALL"
    ).to_arrow_reader(_BATCH_ROWS)
    years = labels.years
    n_s, n_d = len(load_sectors()), len(codes.divisions)
    n_slots, n_a, n_y = n_s + n_d + 1, len(codes.used_areas) and int(codes.used_areas.max()) + 1, \
        max(len(years), 1)
    first_year = int(years[0]) if len(years) else 0
    year_pos = np.full(int(years[-1]) - first_year + 1 if len(years) else 1, 0, dtype=np.int64)
    year_pos[years - first_year] = np.arange(len(years))
    jobs = np.zeros((n_a, n_slots, n_y))
    seen = np.zeros((n_a, n_slots, n_y))
    supp = np.zeros((n_a, n_slots, n_y))
    worst: int | None = None
    duplicate: tuple[int, int, int] | None = None
    n_rows = n_supp = 0
    for batch in reader:
        probs = batch.column("problem").drop_null().to_numpy()
        if len(probs):
            worst = int(probs.min()) if worst is None else min(worst, int(probs.min()))
            continue
        if worst is not None:
            continue
        n = batch.column("n").to_numpy()
        dup = np.flatnonzero(n != batch.column("nk").to_numpy())
        if len(dup) and duplicate is None:
            i = int(dup[0])
            duplicate = (int(batch.column("a")[i].as_py()), int(batch.column("y")[i].as_py()),
                         int(batch.column("blk")[i].as_py()))
        n_rows += int(n.sum())
        s_jobs, s_seen = batch.column("jobs").to_numpy(), batch.column("seen").to_numpy()
        s_supp = batch.column("supp").to_numpy()
        n_supp += int(s_supp.sum())
        a = batch.column("a").to_numpy().astype(np.int64)
        y = year_pos[batch.column("y").to_numpy().astype(np.int64) - first_year]
        pair = codes.combos[batch.column("c").to_numpy().astype(np.int64)]
        for side in (0, 1):
            hit = pair[:, side] >= 0
            cell = (a[hit] * n_slots + pair[hit, side]) * n_y + y[hit]
            for out, values in ((jobs, s_jobs), (seen, s_seen), (supp, s_supp)):
                out += np.bincount(cell, weights=values[hit],
                                   minlength=out.size).reshape(out.shape)
    _raise_first(con, worst, codes.label_problems, file)
    if duplicate is not None:
        _raise_duplicate(con, labels, duplicate, codes.keys, file)
    keep = codes.used_areas
    total = n_s + n_d
    jobs, seen, supp = jobs[keep], seen[keep], supp[keep]
    return EmploymentSums(
        area_labels=np.array([], dtype=str),  # set by the caller (it has the areas)
        years=years,
        codes=codes.keys,
        sector_jobs=jobs[:, :n_s],
        sector_seen=seen[:, :n_s],
        sector_supp=supp[:, :n_s],
        divisions=codes.divisions,
        division_jobs=jobs[:, n_s:total],
        total_jobs=jobs[:, total] if codes.has_total else None,
        total_seen=seen[:, total] if codes.has_total else None,
    ), n_rows, n_supp


def _raise_first(con: Any, worst: int | None, label_problems: list[tuple[int, str, str]],
                 file: str) -> None:  # fmt: skip
    """Raise the first problem: by check rank, then file position."""
    found = []
    if worst is not None:
        rank, pos = divmod(worst, _RANK_SHIFT)
        i = rank - (1 if rank > 5 else 0)
        found.append((rank, pos, _CHECKS[i][1], _CHECKS[i][2]))
    for pos, column, message in label_problems:
        rank = _LABEL_RANK.get(message, 5 if column == "sic" else 99)
        found.append((rank, pos, column, message.replace("{", "{{").replace("}", "}}")))
    if found:
        _, pos, column, message = min(found)
        raise _located(con, pos, column, message, file)


def _located(con: Any, pos: int, column: str, message: str, file: str) -> DataError:
    """The DataError for the row at ``pos``, its message filled from the row's values."""
    row = con.execute("SELECT y, e, year_text, emp_text, s_text FROM rows WHERE _pos = ?",
                      [pos]).fetchone()
    y, e, year_text, emp_text, s_text = row if row is not None else (None,) * 5
    text = message.format(y=y, e=float("nan") if e is None else e,
                          y_int=None if y is None else int(y), year_text=year_text,
                          emp_text=emp_text, s_text=s_text)
    return DataError(text, file=file, row=pos + 2, column=column)


def _raise_duplicate(con: Any, labels: _Labels, where: tuple[int, int, int], keys: list[str],
                     file: str) -> None:  # fmt: skip
    """Find the second row of a repeated (area, year, key) in the block the scan flagged."""
    a, year, block = where
    pos, area, key = con.execute(
        "SELECT _pos, area, k FROM (SELECT _pos, area, k, row_number() OVER (PARTITION BY k "
        "ORDER BY _pos) AS i FROM rows JOIN area_map USING (area) JOIN sic_map USING (sic) "
        f"WHERE t IN {_in_list(labels.tables)} AND a = ? AND CAST(y AS BIGINT) = ? "
        "AND k // 64 = ?) WHERE i = 2 ORDER BY _pos LIMIT 1", [a, year, block]).fetchone()
    raise DataError(f"duplicate row for area {str(area).strip()}, year {year}, industry "
                    f"{keys[int(key)]}", file=file, row=int(pos) + 2)
