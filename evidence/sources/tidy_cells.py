"""The employment rows of a tidy file into dense cells, batch by batch, every check located.

A tidy file holds at most one row per area, industry code and year, so the employment table
*is* a dense array the size of the cube: :class:`~evidence.dataset.EmploymentCells`. Rows are
scattered into it one Arrow batch at a time (the whole file for a small one, record batches
for a big one), so memory stays about the size of the cube however many rows there are, and
nothing is done per row but integer gathers and scatters:

* text columns arrive dictionary-encoded; each batch's dictionary (a few hundred labels) is
  matched against the areas table and the file's industry codes once, in Arrow
  (``index_in``), and the row indices gathered through that small map;
* the checks ``read_tidy`` has always made (area present and in the areas table, a plausible
  whole year, a SIC 2007 code, a finite, non-negative, plausible job count, empty only when
  suppressed, no duplicate) are vectorised over the batch; the first failing row is reported
  with its file line and column;
* a duplicate is found without a per-row set: a cell filled by an earlier batch is already
  marked, and within a batch each row writes its own index into its cell and reads it back
  (a later row with the same cell overwrote it).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from evidence.dataset import DataError, EmploymentCells
from evidence.sectors import TOTAL_CODE, SicCodeError, known_sic_codes, normalise_sic
from evidence.sources.arrow_numpy import EMPTY_TEXT, arrow_of, filled_of, numpy_of, valid_of

__all__ = [
    "LINE_OFFSET",
    "MAX_JOBS",
    "YEAR_RANGE",
    "AxesTally",
    "EmploymentAxes",
    "Scatter",
    "YearsWanted",
    "employment_axes",
    "first",
    "float_year_mask",
    "located",
    "wanted_years",
    "year_mask",
    "year_slots",
]

LINE_OFFSET = 2  # data row i (0-based) is on line i + 2: the header is line 1

YEAR_RANGE = (1990, 2100)
"""Years a tidy file may hold: BRES starts in 2009 and its predecessor (ABI) in 1998; anything
outside this range is a typing slip, not a year of data."""

MAX_JOBS = 100_000_000
"""No area or industry holds more jobs than this (UK employment is about 33 million): a larger
count is a unit or typing error, and would make shift-shares and LQs meaningless."""

_MISSING, _UNKNOWN = -1, -2


def first(mask: np.ndarray) -> int | None:
    """The position of the first True, or None."""
    hits = np.flatnonzero(np.asarray(mask, dtype=bool))
    return int(hits[0]) if len(hits) else None


def located(file: str, position: int, column: str | None, message: str) -> DataError:
    """The error for data row ``position`` (0-based) of ``file``: its line and column."""
    return DataError(message, file=file, row=position + LINE_OFFSET, column=column)


def _stripped(dictionary: pa.Array) -> pa.Array:
    import pyarrow.compute as pc  # deferred: only the located path (see _gather)

    return pc.utf8_trim_whitespace(pc.cast(dictionary, pa.string()))


def _mapped(column: pa.Array | pa.ChunkedArray, labels: pa.Array,
            value_of: np.ndarray) -> np.ndarray:  # fmt: skip
    """Per row: ``value_of`` of the row's stripped label's position in ``labels``;
    ``_MISSING`` for null or blank, ``_UNKNOWN`` for a label not in ``labels``."""
    import pyarrow.compute as pc  # deferred: the located path only

    chunks = column.chunks if isinstance(column, pa.ChunkedArray) else [column]
    parts = []
    for chunk in chunks:
        if pa.types.is_null(chunk.type):
            parts.append(np.full(len(chunk), _MISSING, dtype=np.int32))
            continue
        if not pa.types.is_dictionary(chunk.type):
            chunk = pc.dictionary_encode(chunk)
        text = _stripped(chunk.dictionary)
        found = numpy_of(pc.index_in(text, value_set=labels))
        local = np.where(np.isnan(found), _UNKNOWN, 0).astype(np.int32)
        hit = ~np.isnan(found)
        local[hit] = value_of[found[hit].astype(np.int64)]
        local[np.asarray(numpy_of(pc.equal(text, EMPTY_TEXT)), dtype=bool)] = _MISSING
        local = np.append(local, np.int32(_MISSING))  # a null index picks this
        parts.append(local[filled_of(chunk.indices, len(local) - 1)])
    if not parts:
        return np.empty(0, dtype=np.int32)
    return parts[0] if len(parts) == 1 else np.concatenate(parts)


def _chunks(column: pa.Array | pa.ChunkedArray) -> list[pa.Array]:
    return column.chunks if isinstance(column, pa.ChunkedArray) else [column]


def _gather(column: pa.Array | pa.ChunkedArray, labels: dict[str, int], value_of: np.ndarray,
            out: np.ndarray) -> bool:  # fmt: skip
    """``out`` [row] = ``value_of`` (non-negative where defined) of the row's label's
    position in ``labels`` (label -> position), gathered through each chunk's dictionary;
    False when a chunk is not dictionary-encoded with non-null indices, a label needs
    trimming, or a row's label is blank, not in ``labels`` or has a negative value (the
    caller then takes the located path, which trims and says what is wrong).

    A dictionary may hold labels no row of the batch uses (a row group's dictionary also
    covers the other tables' rows): they get -1, and only a -1 in ``out`` is a problem. The
    dictionaries are a few hundred labels, matched in Python (no Arrow compute kernels: the
    module's import alone is 20-30 ms of the ``indicators`` command's start-up)."""
    at, unknown = 0, False
    for chunk in _chunks(column):
        size = len(chunk)
        if not size:
            continue
        if not pa.types.is_dictionary(chunk.type) or chunk.indices.null_count:
            return False
        words = chunk.dictionary.to_pylist()
        local = np.full(len(words), -1, dtype=out.dtype)
        for i, word in enumerate(words):
            where = labels.get(word) if isinstance(word, str) else None
            if where is not None:
                local[i] = value_of[where]
            elif isinstance(word, str) and word != word.strip():
                return False  # padded text: trimmed on the located path
        unknown = unknown or bool(local.min(initial=0) < 0)
        np.take(local, numpy_of(chunk.indices), out=out[at:at + size])
        at += size
    return at == len(out) and not (unknown and out.min(initial=0) < 0)


def _plausible_counts(column: pa.Array | pa.ChunkedArray | None, n: int,
                      out: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray] | None:
    """Job counts as float64 and the positions of the empty ones, when every count present
    is finite, non-negative and at most ``MAX_JOBS`` and some count is present; else None.

    Whole-number columns (the usual case) are checked on Arrow's own minimum and maximum,
    which skip nulls, and converted once; their only empty values are their nulls. ``out``:
    where to write the counts (the batch's cells when they are contiguous)."""
    if column is None:
        return None
    out = np.empty(n) if out is None else out
    empty, at = [], 0
    for chunk in _chunks(column):
        size = len(chunk)
        if pa.types.is_integer(chunk.type):
            if size and chunk.null_count == size:
                empty.append(np.arange(at, at + size))
                at += size
                continue
            values = numpy_of(chunk)  # float64 with NaN for nulls, else the integers
            if not size:
                pass
            elif chunk.null_count:  # fmin / fmax skip NaN
                if not (0 <= np.fmin.reduce(values) and np.fmax.reduce(values) <= MAX_JOBS):
                    return None
                out[at:at + size] = values
                empty.append(np.flatnonzero(~valid_of(chunk)) + at)
            elif not (0 <= values.min() and values.max() <= MAX_JOBS):
                return None
            else:
                np.copyto(out[at:at + size], values)
        elif pa.types.is_floating(chunk.type) or pa.types.is_null(chunk.type):
            values = _numbers(chunk, size)
            gaps = np.flatnonzero(np.isnan(values))
            # fmin / fmax skip NaN; an infinity fails the bounds.
            if len(gaps) < size and not (0 <= np.fmin.reduce(values)
                                         and np.fmax.reduce(values) <= MAX_JOBS):
                return None
            out[at:at + size] = values
            empty.append(gaps + at)
        else:
            return None
        at += size
    gaps = np.concatenate(empty) if empty else np.empty(0, dtype=np.int64)
    if len(gaps) == n:
        return None  # nothing but empty counts: the located path says what is wrong
    return out, gaps


def _numbers(column: pa.Array | pa.ChunkedArray | None, n: int) -> np.ndarray:
    """A numeric column as float64, NaN where null (per chunk: no cast of the whole column)."""
    if column is None:
        return np.full(n, np.nan)
    chunks = column.chunks if isinstance(column, pa.ChunkedArray) else [column]
    out = np.empty(n)
    at = 0
    for chunk in chunks:
        size = len(chunk)
        if pa.types.is_null(chunk.type):
            out[at:at + size] = np.nan
        else:
            out[at:at + size] = numpy_of(chunk)  # integers with nulls: NaN, as a cast
        at += size
    return out


def _flags(column: pa.Array | pa.ChunkedArray | None, n: int) -> np.ndarray:
    if column is None or pa.types.is_null(column.type):
        return np.zeros(n, dtype=bool)
    return filled_of(column, False)


@dataclass
class EmploymentAxes:
    """The cells' axes: areas (the areas table's, in its order), the file's industry keys
    (sorted) with each raw label's key, and the years (sorted)."""

    areas: np.ndarray
    raw_labels: pa.Array  # the stripped industry labels of employment rows, sorted
    key_of_raw: np.ndarray  # [raw] index into keys, _UNKNOWN when not a SIC 2007 code
    keys: np.ndarray
    years: np.ndarray
    area_rows: np.ndarray | None = None
    """[area] True where the file has employment rows for the area in any year, when only
    some years are read (an area whose rows are all in other years stays in the cells, as
    in a read of every year); None: the rows read say it."""


def employment_axes(areas: np.ndarray, sic_labels: Iterable[str], year_counts: np.ndarray,
                    area_labels: Iterable[str] | None = None) -> EmploymentAxes:  # fmt: skip
    """The axes from the areas table, the industry labels the employment rows use and how
    many rows each year of ``YEAR_RANGE`` has (``np.bincount`` of ``year - YEAR_RANGE[0]``;
    the years with a count are the axis); ``area_labels``: the area labels the employment
    rows of every year use, when only some years are read."""
    raw = sorted({str(x).strip() for x in sic_labels} - {""})
    normalised = []
    for label in raw:
        try:
            normalised.append(normalise_sic(label))
        except SicCodeError:
            normalised.append("")
    known = known_sic_codes() | {TOTAL_CODE}
    keys = np.array(sorted({k for k in normalised if k in known}), dtype=str)
    where = {k: i for i, k in enumerate(keys.tolist())}
    key_of_raw = np.array([where.get(k, _UNKNOWN) for k in normalised], dtype=np.int32)
    years = np.flatnonzero(np.asarray(year_counts)) + YEAR_RANGE[0]
    area_rows = None
    if area_labels is not None:
        used = {str(a).strip() for a in area_labels}
        area_rows = np.array([a in used for a in np.asarray(areas, dtype=str).tolist()],
                             dtype=bool)
    return EmploymentAxes(np.asarray(areas, dtype=str), arrow_of(raw),
                          key_of_raw, keys, years.astype(np.int64), area_rows)


YearsWanted = tuple[int | None, int | None]
"""``(start, end)`` of a read of two years only: the rows of other years are not read;
None for an end: the first / last year of the file's employment rows."""


def wanted_years(wanted: YearsWanted, year_counts: np.ndarray,
                 file: str) -> np.ndarray | None:  # fmt: skip
    """The years to read (sorted, distinct) for ``wanted``, given how many employment rows
    each year of ``YEAR_RANGE`` has in the file (:attr:`AxesTally.year_counts`, every row);
    a year asked for by number that no employment row has is an error naming the file's
    years (a read of every year would fail on it later, less clearly). None (read every
    year) when no employment row has a plausible year."""
    present = np.flatnonzero(year_counts) + YEAR_RANGE[0]
    if not len(present):
        return None  # no plausible year: every row is read, and the read says what is wrong
    chosen = []
    for year, default in zip(wanted, (present[0], present[-1]), strict=True):
        if year is None:
            chosen.append(int(default))
            continue
        if not (YEAR_RANGE[0] <= int(year) <= YEAR_RANGE[1]) or not year_counts[
                int(year) - YEAR_RANGE[0]]:
            raise DataError(f"no employment rows for the year {int(year)} (the file's "
                            f"employment rows are of {present[0]}-{present[-1]})", file=file)
        chosen.append(int(year))
    # sorted(set()), not np.unique: a plain np.unique imports numpy.ma (10 ms of start-up)
    return np.array(sorted(set(chosen)), dtype=np.int64)


def year_mask(column: pa.Array | pa.ChunkedArray | None, n: int,
              years: np.ndarray) -> np.ndarray:  # fmt: skip
    """Per row: read it? True where the year is one of ``years``, and where it is missing or
    not a whole number (so the read reports that row, as a read of every year does); False
    for a row of another year, which is then neither read nor checked."""
    if column is None:
        return np.ones(n, dtype=bool)
    keep = np.empty(n, dtype=bool)
    at = 0
    for chunk in _chunks(column):
        size = len(chunk)
        if pa.types.is_integer(chunk.type) and not chunk.null_count:
            values = numpy_of(chunk)  # the usual case: no copy, one compare a year
            out = keep[at:at + size]
            out.fill(False)
            for year in years:
                out |= values == year
        else:
            keep[at:at + size] = float_year_mask(_numbers(chunk, size), years)
        at += size
    return keep


def float_year_mask(values: np.ndarray, years: np.ndarray) -> np.ndarray:
    """:func:`year_mask` of years already as float64 (NaN where missing)."""
    with np.errstate(invalid="ignore"):
        return np.isin(values, years) | np.isnan(values) | (values != np.round(values))


def year_slots(years: np.ndarray) -> np.ndarray:
    """The positions in ``YEAR_RANGE``-long per-year counts (:attr:`AxesTally.year_counts`)
    of those of ``years`` inside the range."""
    return years[(years >= YEAR_RANGE[0]) & (years <= YEAR_RANGE[1])] - YEAR_RANGE[0]


class AxesTally:
    """What the employment rows use, gathered before the cells are allocated: their industry
    labels (from each batch's dictionary, only the entries its rows point at) and how many
    rows each plausible year has (implausible years are left for :class:`Scatter` to
    report)."""

    def __init__(self, areas: bool = False) -> None:
        """``areas``: also tally the area labels the rows use (a read of some years only
        keeps the areas whose rows are all in other years, :attr:`EmploymentAxes.area_rows`)."""
        self.labels: set[str] = set()  # the dictionary entries the rows use
        self.area_labels: set[str] | None = set() if areas else None
        self.year_counts = np.zeros(YEAR_RANGE[1] - YEAR_RANGE[0] + 1, dtype=np.int64)
        self.rows = 0  # every row tallied

    def add(self, sic: pa.Array | pa.ChunkedArray | None,
            year: pa.Array | pa.ChunkedArray | None, n: int,
            area: pa.Array | pa.ChunkedArray | None = None) -> None:  # fmt: skip
        """Tally one batch: per chunk, the dictionary entries its indices use (one bincount
        of the indices; the entries' text is read once for all chunks, in :meth:`axes`) and
        its years (a bincount of the whole years themselves when all are plausible); and
        the ``area`` labels when areas are tallied."""
        self.rows += n
        _used_labels(sic, self.labels)
        if self.area_labels is not None:
            _used_labels(area, self.area_labels)
        for chunk in _chunks(year) if year is not None else []:
            if pa.types.is_integer(chunk.type) and not chunk.null_count and len(chunk):
                values = numpy_of(chunk)  # the usual case: no copy
                if YEAR_RANGE[0] <= values.min() and values.max() <= YEAR_RANGE[1]:
                    self.year_counts += np.bincount(values, minlength=YEAR_RANGE[1] + 1)[
                        YEAR_RANGE[0]:]
                    continue
            values = _numbers(chunk, len(chunk))
            ok = ((values >= YEAR_RANGE[0]) & (values <= YEAR_RANGE[1])
                  & (values == np.round(values)))
            self.year_counts += np.bincount((values[ok] - YEAR_RANGE[0]).astype(np.int64),
                                            minlength=len(self.year_counts))

    def axes(self, areas: np.ndarray, years: np.ndarray | None = None) -> EmploymentAxes:
        """The cells' axes; ``years``: only these years (of those the rows have) are read."""
        counts = self.year_counts
        if years is not None:
            counts = np.zeros_like(counts)
            inside = year_slots(years)
            counts[inside] = self.year_counts[inside]
        return employment_axes(areas, self.labels, counts, self.area_labels)


def _used_labels(column: pa.Array | pa.ChunkedArray | None, into: set[str]) -> None:
    """Add to ``into`` the dictionary entries the rows of ``column`` point at."""
    for chunk in [] if column is None else _chunks(column):
        if pa.types.is_null(chunk.type) or not len(chunk):
            continue
        if not pa.types.is_dictionary(chunk.type):
            chunk = chunk.dictionary_encode()
        size = len(chunk.dictionary)
        used = np.bincount(filled_of(chunk.indices, size), minlength=size + 1)[:size] > 0
        words = chunk.dictionary.to_pylist()
        into.update(str(w) for w, u in zip(words, used.tolist(), strict=True)
                    if u and w is not None)


_FailAt = Callable[[int, "str | None", str], DataError]


class Scatter:
    """The dense cells, filled batch by batch with :meth:`add`; :meth:`cells` at the end."""

    def __init__(self, axes: EmploymentAxes, file: str) -> None:
        self.axes, self.file = axes, file
        n_a, n_u, n_y = len(axes.areas), len(axes.keys), len(axes.years)
        self.shape = (n_a, n_u, n_y)
        # Stored [area, year, code], the order tidy files are written in (the demo's, and
        # BRES's): a file in that order is scattered sequentially, not across the array.
        # The cells expose [area, code, year] views.
        self.jobs = np.zeros((n_a, n_y, n_u))
        self.known = np.zeros((n_a, n_y, n_u), dtype=bool)
        self.supp = np.zeros((n_a, n_y, n_u), dtype=bool)
        self.area_rows = np.zeros(n_a, dtype=np.int64)
        self.rows = 0
        self.last_cell = -1
        self.suppressed_rows = 0
        self.year_slot = np.full(YEAR_RANGE[1] - YEAR_RANGE[0] + 1, -1, dtype=np.int64)
        self.year_slot[axes.years - YEAR_RANGE[0]] = np.arange(n_y)
        self.area_labels = arrow_of(axes.areas.tolist())
        self.area_positions = {a: i for i, a in enumerate(axes.areas.tolist())}
        self.raw_positions = {w: i for i, w in enumerate(axes.raw_labels.to_pylist())}
        self.area_index = np.arange(n_a, dtype=np.int32)

    def add(self, batch: pa.Table | pa.RecordBatch, positions: np.ndarray | int) -> None:
        """Scatter one batch of employment rows (main columns); ``positions``: their 0-based
        data-row positions in the file, or the position of the first when contiguous.

        A batch that passes every check in a few whole-array passes, in cell order, is
        written by :meth:`_add_checked`; any other batch (a problem to locate, rows out of
        order) goes through the row-by-row-located path below, which reports exactly what is
        wrong and where."""
        n = batch.num_rows
        if not n or self._add_checked(batch, n):
            return

        def fail(index: int, column: str | None, message: str) -> DataError:
            at = positions + index if isinstance(positions, int) else int(positions[index])
            return located(self.file, at, column, message)

        names = batch.schema.names
        area = (_mapped(batch.column("area_code"), self.area_labels, self.area_index)
                if "area_code" in names else np.full(n, _MISSING, dtype=np.int32))
        bad = first(area == _MISSING) if area.min() < 0 else None
        if bad is not None:
            raise fail(bad, "area_code", "employment row without area_code")
        year = self._years(batch, n, fail)
        sic = self._sic(batch, n, fail)
        jobs = _numbers(batch.column("employment") if "employment" in names else None, n)
        suppressed = _flags(batch.column("suppressed") if "suppressed" in names else None, n)
        _check_jobs(jobs, suppressed, fail)
        bad = first(area == _UNKNOWN) if area.min() < 0 else None
        if bad is not None:
            label = batch.column("area_code")[bad].as_py()
            label = label if isinstance(label, str) else str(label)
            raise fail(bad, "area_code", f"area {label.strip()!r} is not in the areas table")
        self._scatter(area, sic, year, jobs, suppressed, fail)

    def _add_checked(self, batch: pa.Table | pa.RecordBatch, n: int) -> bool:
        """The batch written when it is clean and in cell order; False when anything needs
        the located path: a missing or unknown area or industry code, a null or implausible
        year, a count that is negative, implausible, not finite, or empty but not suppressed,
        a cell an earlier row filled, or rows out of cell order. (Job counts may already be
        in the batch's cells then: the located path writes every one of them again.)

        Each row's cell is gathered from small per-dictionary tables (the area's offset in
        the cells, the code's position), so a row costs two integer gathers and a few
        in-place sums, in 32-bit integers when the cells allow; the checks are minima and
        maxima of whole arrays."""
        names = batch.schema.names
        if not {"area_code", "sic", "year"} <= set(names) or not len(self.axes.years):
            return False
        year = batch.column("year")
        n_a, n_u, n_y = self.shape
        first_year, last_year = int(self.axes.years[0]), int(self.axes.years[-1])
        if not pa.types.is_integer(year.type) or year.null_count:
            return False
        # Consecutive years (the usual case): a year's slot is its offset from the first.
        slots = (None if len(self.axes.years) == last_year - first_year + 1
                 else self.year_slot[first_year - YEAR_RANGE[0]:last_year - YEAR_RANGE[0] + 1])
        kind = np.int32 if n_a * n_u * n_y < 2**31 - 1 else np.int64
        cell = np.empty(n, dtype=kind)
        if not _gather(batch.column("area_code"), self.area_positions,
                       self.area_index.astype(kind) * kind(n_y), cell):
            return False
        at = 0
        for chunk in _chunks(year):
            values = numpy_of(chunk)
            if len(values) and (values.min() < first_year or values.max() > last_year):
                return False
            if slots is not None:  # years with gaps: each row's slot looked up
                values = slots[values - first_year]
                if values.min(initial=0) < 0:
                    return False
                values = values + first_year
            np.add(cell[at:at + len(values)], values, out=cell[at:at + len(values)],
                   casting="unsafe")
            at += len(values)
        cell -= kind(first_year)
        cell *= kind(n_u)
        code = np.empty(n, dtype=kind)
        if not _gather(batch.column("sic"), self.raw_positions,
                       self.axes.key_of_raw.astype(kind), code):
            return False
        cell += code
        del code
        steps = np.diff(cell)
        ordered = not len(steps) or bool(steps.min() > 0)
        del steps
        lo, hi = (int(cell[0]), int(cell[-1]) + 1) if ordered else (int(cell.min()),
                                                                    int(cell.max()) + 1)
        flat_known, flat_supp = self.known.reshape(-1), self.supp.reshape(-1)
        flat_jobs = self.jobs.reshape(-1)
        contiguous = ordered and hi - lo == n
        where = slice(lo, hi) if contiguous else cell
        if self.rows and lo <= self.last_cell and (flat_known[where].any()
                                                   or flat_supp[where].any()):
            return False  # an earlier batch filled one of these cells: a duplicate
        if not ordered:  # each row writes its index into its cell and reads it back
            order = np.arange(n, dtype=np.float64)
            flat_jobs[cell] = order
            if (flat_jobs[cell] != order).any():
                return False  # two rows of the batch in one cell
        counts = _plausible_counts(batch.column("employment") if "employment" in names
                                   else None, n, flat_jobs[where] if contiguous else None)
        if counts is None:
            return False
        jobs, empty = counts
        suppressed = _flags(batch.column("suppressed") if "suppressed" in names else None, n)
        if len(empty) and not suppressed[empty].all():
            return False
        jobs[empty] = 0.0
        if not contiguous:
            flat_jobs[where] = jobs
        flat_known[where] = True
        flat_known[cell[empty]] = False
        if suppressed.any():
            flat_supp[where] = suppressed
            self.suppressed_rows += int(suppressed.sum())
        per_area = n_u * n_y
        if contiguous:
            self.area_rows[lo // per_area:(hi - 1) // per_area + 1] += 1
        else:
            self.area_rows += np.bincount(cell // per_area, minlength=len(self.area_rows))
        self.rows += n
        self.last_cell = max(self.last_cell, hi - 1)
        return True

    def _years(self, batch: pa.Table | pa.RecordBatch, n: int, fail: _FailAt) -> np.ndarray:
        column = batch.column("year") if "year" in batch.schema.names else None
        if column is not None and pa.types.is_integer(column.type) and not column.null_count:
            values = np.asarray(numpy_of(column), dtype=np.int64)
            shown = values
        else:
            floats = _numbers(column, n)
            bad = first(np.isnan(floats))
            if bad is not None:
                raise fail(bad, "year", "employment row without year")
            bad = first(floats != np.round(floats))
            if bad is not None:
                raise fail(bad, "year", f"{floats[bad]!r} is not a whole year")
            values, shown = floats.astype(np.int64), floats
        if values.min() < YEAR_RANGE[0] or values.max() > YEAR_RANGE[1]:
            bad = first((values < YEAR_RANGE[0]) | (values > YEAR_RANGE[1]))
            raise fail(bad or 0, "year", f"{int(shown[bad or 0])} is not a plausible year for "
                                         f"these statistics ({YEAR_RANGE[0]}-{YEAR_RANGE[1]})")
        first_year = int(self.axes.years[0]) if len(self.axes.years) else 0
        if len(self.axes.years) == int(self.axes.years[-1]) - first_year + 1:
            return values - first_year  # consecutive years: the slot is the offset
        return self.year_slot[values - YEAR_RANGE[0]]

    def _sic(self, batch: pa.Table | pa.RecordBatch, n: int, fail: _FailAt) -> np.ndarray:
        """Industry keys (``30.30`` is ``3030``); a code that is not SIC 2007 or TOTAL is
        located at its first row."""
        if "sic" not in batch.schema.names:
            raise fail(0, "sic", "employment row without sic")
        sic = _mapped(batch.column("sic"), self.axes.raw_labels, self.axes.key_of_raw)
        if sic.min() >= 0:
            return sic
        bad = first(sic == _MISSING)
        if bad is not None:
            raise fail(bad, "sic", "employment row without sic")
        bad = first(sic == _UNKNOWN)
        if bad is not None:
            label = str(batch.column("sic")[bad].as_py()).strip()
            raise fail(bad, "sic", f"{label!r} is not a SIC 2007 class, group, division or "
                                   "TOTAL")
        return sic

    def _scatter(self, area: np.ndarray, sic: np.ndarray, year: np.ndarray, jobs: np.ndarray,
                 suppressed: np.ndarray, fail: _FailAt) -> None:  # fmt: skip
        _, n_u, n_y = self.shape
        cell = area.astype(np.int64)  # in place from here: no temporary the size of the batch
        cell *= n_y
        cell += year
        cell *= n_u
        cell += sic
        flat_jobs, flat_known = self.jobs.reshape(-1), self.known.reshape(-1)
        flat_supp = self.supp.reshape(-1)
        # Duplicates: a cell filled by an earlier batch is marked already; within the batch,
        # rows in cell order (the usual layout) cannot repeat one, else each row writes its
        # index into its cell and reads it back (a later row of the same cell overwrote it).
        ordered = len(cell) < 2 or bool(np.all(cell[1:] > cell[:-1]))
        earlier = None  # batches in cell order, each after the last: no cell met before
        if self.rows and not (ordered and int(cell[0]) > self.last_cell):
            earlier = flat_known[cell] | flat_supp[cell]
        repeated = False
        if not ordered:
            order = np.arange(len(cell), dtype=np.float64)
            flat_jobs[cell] = order
            repeated = bool((flat_jobs[cell] != order).any())
        if repeated or (earlier is not None and earlier.any()):
            self._raise_duplicate(cell, earlier, area, sic, year, fail)
        known = ~np.isnan(jobs)
        if known.all():
            flat_jobs[cell] = jobs
            flat_known[cell] = True
        else:
            flat_jobs[cell] = np.where(known, jobs, 0.0)
            flat_known[cell] = known
        if suppressed.any():
            flat_supp[cell] = suppressed
            self.suppressed_rows += int(suppressed.sum())
        self.area_rows += np.bincount(area, minlength=len(self.area_rows))
        self.rows += len(cell)
        self.last_cell = int(cell[-1]) if ordered else max(self.last_cell, int(cell.max()))

    def _raise_duplicate(self, cell: np.ndarray, earlier: np.ndarray | None, area: np.ndarray,
                         sic: np.ndarray, year: np.ndarray, fail: _FailAt) -> None:  # fmt: skip
        """The first row whose cell an earlier row (of this batch or before) filled."""
        seen: set[int] = set()
        for i, k in enumerate(cell.tolist()):
            if (earlier is not None and earlier[i]) or k in seen:
                raise fail(i, None, f"duplicate row for area {self.axes.areas[area[i]]}, year "
                                    f"{self.axes.years[year[i]]}, industry "
                                    f"{self.axes.keys[sic[i]]}")
            seen.add(k)

    def cells(self) -> EmploymentCells:
        if not self.rows:
            raise DataError("no employment rows", file=self.file)
        return EmploymentCells(area_labels=self.axes.areas, sic_labels=self.axes.keys,
                               years=self.axes.years, jobs=self.jobs.transpose(0, 2, 1),
                               known=self.known.transpose(0, 2, 1),
                               suppressed=self.supp.transpose(0, 2, 1),
                               area_rows=(self.area_rows > 0 if self.axes.area_rows is None
                                          else (self.area_rows > 0) | self.axes.area_rows),
                               rows=self.rows, suppressed_rows=self.suppressed_rows)


def _check_jobs(jobs: np.ndarray, suppressed: np.ndarray, fail: _FailAt) -> None:
    low, high = float(jobs.min()), float(jobs.max())  # NaN when any count is missing
    if 0 <= low and high <= MAX_JOBS:
        return  # every count present, finite and plausible: nothing to locate
    bad = first(np.isinf(jobs))
    if bad is not None:
        raise fail(bad, "employment", "value is not a finite number")
    bad = first(jobs < 0)
    if bad is not None:
        raise fail(bad, "employment", "negative employment")
    bad = first(jobs > MAX_JOBS)
    if bad is not None:
        raise fail(bad, "employment", f"{jobs[bad]:g} is not a plausible job count "
                                      f"(more than {MAX_JOBS:,.0f}, over three times "
                                      "UK employment)")
    bad = first(np.isnan(jobs) & ~suppressed)
    if bad is not None:
        raise fail(bad, "employment", "employment is empty but not marked suppressed")
