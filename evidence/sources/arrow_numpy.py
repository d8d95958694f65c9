"""Arrow arrays as numpy arrays and back, through their buffers.

pyarrow's own ``Array.to_numpy`` (and ``np.asarray`` of an array, which calls it) goes
through its pandas conversion layer, which imports pandas on first use even for a plain
integer array - about 0.2-0.3 s, most of the ``policymix indicators`` command's start-up
once everything else is lean. For the few kinds the tidy reader converts (integers,
floats, booleans, null) the values are a view of the data buffer, as pyarrow gives them;
the same results as ``to_numpy(zero_copy_only=False)``: integers with nulls become float64
with NaN, floats keep NaN for their nulls, booleans with nulls and null arrays an object array
with None, text a list's object array (only ever small: dictionaries, a few thousand rows).

The other way, ``pa.array`` asks pandas whether its argument is a pandas object, importing it
to find out; :func:`arrow_of` builds the array from a numpy array's memory (numbers, flags)
or from encoded text instead.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa

__all__ = ["EMPTY_TEXT", "arrow_of", "filled_of", "numpy_of", "rows_at", "rows_where", "text_of",
           "valid_of"]


def _dtype(kind: pa.DataType) -> np.dtype | None:
    if pa.types.is_signed_integer(kind):
        return np.dtype(f"i{kind.bit_width // 8}")
    if pa.types.is_unsigned_integer(kind):
        return np.dtype(f"u{kind.bit_width // 8}")
    if pa.types.is_floating(kind):
        return np.dtype(f"f{kind.bit_width // 8}")
    return None


def _bits(buffer: pa.Buffer, offset: int, n: int) -> np.ndarray:
    raw = np.frombuffer(buffer, dtype=np.uint8)
    return np.unpackbits(raw, count=offset + n, bitorder="little")[offset:].view(bool)


def valid_of(values: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """True where a value is present (not null), per row."""
    if isinstance(values, pa.ChunkedArray):
        parts = [valid_of(c) for c in values.chunks]
        return np.concatenate(parts) if parts else np.empty(0, dtype=bool)
    n = len(values)
    if pa.types.is_null(values.type):
        return np.zeros(n, dtype=bool)
    if not values.null_count:
        return np.ones(n, dtype=bool)
    validity = values.buffers()[0]
    if validity is None:  # a dictionary's nulls may live in its indices only
        return ~_as_bool(values.is_null())
    return _bits(validity, values.offset, n)


def _as_bool(values: pa.Array) -> np.ndarray:
    data = values.buffers()[1]
    return _bits(data, values.offset, len(values)) if len(values) else np.empty(0, dtype=bool)


def numpy_of(values: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """The values as numpy (see the module docstring for what nulls become)."""
    if isinstance(values, pa.ChunkedArray):
        parts = [numpy_of(c) for c in values.chunks]
        if not parts:
            return np.empty(0, dtype=_dtype(values.type) or object)
        return parts[0] if len(parts) == 1 else np.concatenate(parts)
    kind, n = values.type, len(values)
    if pa.types.is_null(kind):
        return np.full(n, None, dtype=object)
    if pa.types.is_boolean(kind):
        flags = _as_bool(values)
        if values.null_count:
            out = flags.astype(object)
            out[~valid_of(values)] = None
            return out
        return flags
    dtype = _dtype(kind)
    if dtype is None:
        return np.array(values.to_pylist(), dtype=object)
    data = values.buffers()[1]
    if data is None or not n:
        return np.empty(0, dtype=dtype)
    out = np.frombuffer(data, dtype=dtype, count=values.offset + n)[values.offset:]
    if values.null_count:
        out = out.astype(np.float64 if dtype.kind in "iu" else dtype)
        out[~valid_of(values)] = np.nan
    return out


def arrow_of(values: object, kind: pa.DataType | None = None) -> pa.Array:
    """An Arrow array of ``values``: a numpy array of numbers or flags (its memory; int64
    unless ``kind`` says otherwise for integers), or text (a list or object array of ``str``,
    as ``kind`` string or large string; no nulls)."""
    if isinstance(values, np.ndarray) and values.dtype.kind in "iufb":
        if values.dtype.kind == "b":
            bits = np.packbits(values, bitorder="little")
            return pa.Array.from_buffers(pa.bool_(), len(values), [None, pa.py_buffer(bits)])
        kind = kind or pa.from_numpy_dtype(values.dtype)
        data = np.ascontiguousarray(values, dtype=kind.to_pandas_dtype())
        return pa.Array.from_buffers(kind, len(data), [None, pa.py_buffer(data)])
    kind = kind or pa.string()
    items = values.tolist() if isinstance(values, np.ndarray) else list(values)  # type: ignore[call-overload]
    # Each distinct text encoded once (a column repeats a few values: area names, sectors).
    encoded = {v: str(v).encode("utf-8") for v in dict.fromkeys(items)}
    pieces = list(map(encoded.__getitem__, items))
    width = np.int64 if pa.types.is_large_string(kind) else np.int32
    offsets = np.zeros(len(pieces) + 1, dtype=width)
    np.cumsum(np.fromiter(map(len, pieces), dtype=width, count=len(pieces)), out=offsets[1:])
    return pa.Array.from_buffers(kind, len(pieces), [None, pa.py_buffer(offsets),
                                                     pa.py_buffer(b"".join(pieces))])


def filled_of(values: pa.Array | pa.ChunkedArray, fill: int | bool) -> np.ndarray:
    """Integers or flags as numpy with ``fill`` for nulls (``pc.fill_null`` would turn the
    Python fill value into an Arrow scalar, which imports pandas)."""
    if isinstance(values, pa.ChunkedArray):
        parts = [filled_of(c, fill) for c in values.chunks]
        if parts:
            return parts[0] if len(parts) == 1 else np.concatenate(parts)
        return np.empty(0, dtype=bool if isinstance(fill, bool) else np.int64)
    n = len(values)
    if pa.types.is_null(values.type):
        return np.full(n, fill, dtype=bool if isinstance(fill, bool) else np.int64)
    if pa.types.is_boolean(values.type):
        flags = _as_bool(values)
        return np.where(valid_of(values), flags, fill) if values.null_count else flags
    if not values.null_count:
        return numpy_of(values)
    raw = np.frombuffer(values.buffers()[1], dtype=_dtype(values.type),
                        count=values.offset + n)[values.offset:]
    return np.where(valid_of(values), raw, fill).astype(np.int64)


EMPTY_TEXT = arrow_of([""])[0]
"""The empty string as an Arrow scalar, for compute functions (not ``pa.scalar("")``)."""


_MAX_RUNS = 64


def rows_at(values: Any, positions: np.ndarray) -> Any:
    """The rows at ``positions`` (sorted) of a table or record batch (as a table), an array
    or a chunked array (as a chunked array): slices of its runs of consecutive positions (a
    tidy file's small tables are a few such runs); when the positions are scattered, a
    table's or batch's rows by :func:`rows_where` (numpy), an array's by Arrow's ``take``
    (which loads Arrow's compute module, 20-30 ms, the first time)."""
    positions = np.asarray(positions, dtype=np.int64)
    breaks = np.flatnonzero(np.diff(positions) != 1) + 1
    if len(breaks) >= _MAX_RUNS and isinstance(values, (pa.Table, pa.RecordBatch)):
        table = values if isinstance(values, pa.Table) else pa.Table.from_batches([values])
        keep = np.zeros(table.num_rows, dtype=bool)
        keep[positions] = True
        return rows_where(table, keep)
    if len(breaks) >= _MAX_RUNS:
        taken = values.take(arrow_of(positions))
        if isinstance(taken, pa.RecordBatch):
            return pa.Table.from_batches([taken])
        return pa.chunked_array([taken]) if isinstance(taken, pa.Array) else taken
    starts = np.concatenate([[0], breaks]).astype(np.int64)
    stops = np.concatenate([breaks, [len(positions)]]).astype(np.int64)
    pieces = [values.slice(int(positions[a]), int(b - a))
              for a, b in zip(starts.tolist(), stops.tolist(), strict=True) if b > a]
    if isinstance(values, pa.Table):
        return pa.concat_tables(pieces) if pieces else values.slice(0, 0)
    if isinstance(values, pa.RecordBatch):
        return pa.Table.from_batches(pieces or [values.slice(0, 0)], schema=values.schema)
    chunks = [c for piece in pieces for c in
              (piece.chunks if isinstance(piece, pa.ChunkedArray) else [piece])]
    return pa.chunked_array(chunks, type=values.type)


def text_of(values: pa.Array | pa.ChunkedArray) -> tuple[np.ndarray, list[str], np.ndarray]:
    """A text column as an object array of ``str`` ('' for nulls), the distinct values the
    rows use and each row's index into them: a dictionary-encoded chunk's entries are
    decoded once and gathered by its indices (``to_pylist`` of a dictionary array makes a
    scalar a row, 2 us each)."""
    chunks = values.chunks if isinstance(values, pa.ChunkedArray) else [values]
    position: dict[str, int] = {}
    codes: list[np.ndarray] = []
    for chunk in chunks:
        if pa.types.is_dictionary(chunk.type):
            words = ["" if w is None else w for w in chunk.dictionary.to_pylist()] + [""]
            local = np.array([position.setdefault(w, len(position)) for w in words],
                             dtype=np.int64)  # the appended '' is what a null index picks
            codes.append(local[filled_of(chunk.indices, len(words) - 1)])
        else:
            words = (["" for _ in range(len(chunk))] if pa.types.is_null(chunk.type)
                     else ["" if w is None else w for w in chunk.to_pylist()])
            for w in dict.fromkeys(words):
                position.setdefault(w, len(position))
            codes.append(np.fromiter(map(position.__getitem__, words), dtype=np.int64,
                                     count=len(words)))
    code = np.concatenate(codes) if codes else np.empty(0, dtype=np.int64)
    labels = np.array(list(position), dtype=object)
    used = np.flatnonzero(np.bincount(code, minlength=len(labels)))
    renumber = np.full(len(labels), -1, dtype=np.int64)
    renumber[used] = np.arange(len(used))
    return labels[code], labels[used].tolist(), renumber[code]


def rows_where(table: pa.Table, keep: np.ndarray) -> pa.Table:
    """The rows of ``table`` where ``keep`` is True, gathered through the columns' buffers by
    numpy: a year filter keeps runs of a few hundred rows out of millions, too many runs for
    :func:`rows_at`'s slices, and Arrow's own ``filter`` loads its compute module (20-30 ms)
    and concatenates the chunks first. Dictionary columns keep their dictionaries (only the
    indices are gathered); integers, floats, flags and nulls are gathered with their
    validity. A column of another kind goes through Arrow's ``filter``."""
    batches, at = [], 0
    for batch in table.to_batches():
        n = batch.num_rows
        mask = keep[at:at + n]
        at += n
        if not n:
            continue
        if mask.all():
            batches.append(batch)
            continue
        where = np.flatnonzero(mask)  # a take of these is cheaper than a compress a column
        columns = [_kept(batch.column(i), where) for i in range(batch.num_columns)]
        batches.append(pa.RecordBatch.from_arrays(columns, schema=batch.schema))
    if at != len(keep):
        raise ValueError(f"a mask of {len(keep)} rows for a table of {at}")
    return pa.Table.from_batches(batches, schema=table.schema)


def _bits_at(buffer: pa.Buffer, offset: int, n: int, where: np.ndarray) -> np.ndarray:
    """The bits of a validity or boolean buffer (``n`` rows from ``offset``) at rows
    ``where``, packed again (unpacking every bit and taking is faster than shifting each
    wanted bit out of its byte)."""
    return np.packbits(_bits(buffer, offset, n).take(where), bitorder="little")


def _kept(values: pa.Array, where: np.ndarray) -> pa.Array:
    kind, picked = values.type, len(where)
    if pa.types.is_null(kind):
        return pa.nulls(picked, kind)
    validity = None
    if values.null_count:
        if values.buffers()[0] is None:  # nulls in a dictionary's indices only
            return values.take(arrow_of(where))
        validity = pa.py_buffer(_bits_at(values.buffers()[0], values.offset, len(values),
                                         where))
    if pa.types.is_dictionary(kind):
        indices = values.indices
        data = np.frombuffer(indices.buffers()[1], dtype=_dtype(indices.type),
                             count=indices.offset + len(indices))[indices.offset:]
        return pa.DictionaryArray.from_buffers(
            kind, picked, [validity, pa.py_buffer(data.take(where))], values.dictionary)
    if pa.types.is_boolean(kind):
        bits = _bits_at(values.buffers()[1], values.offset, len(values), where)
        return pa.Array.from_buffers(kind, picked, [validity, pa.py_buffer(bits)])
    dtype = _dtype(kind)
    if dtype is None:
        return values.take(arrow_of(where))
    data = np.frombuffer(values.buffers()[1], dtype=dtype,
                         count=values.offset + len(values))[values.offset:]
    return pa.Array.from_buffers(kind, picked, [validity, pa.py_buffer(data.take(where))])
