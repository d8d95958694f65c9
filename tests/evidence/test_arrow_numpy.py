"""``evidence.sources.arrow_numpy`` against pyarrow's own conversions, and the reason it
exists: reading a tidy file through it imports no pandas (pyarrow's ``to_numpy``,
``pa.array`` and ``pa.scalar`` all import pandas on first use)."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pyarrow as pa
import pytest

from evidence.sources.arrow_numpy import (
    EMPTY_TEXT,
    arrow_of,
    filled_of,
    numpy_of,
    rows_at,
    text_of,
    valid_of,
)
from tests.paths import ROOT

ARRAYS = {
    "int64": pa.array([3, 1, 4, 1, 5], pa.int64()),
    "int32 nulls": pa.array([3, None, 4, None, 5], pa.int32()),
    "uint8": pa.array([0, 255, 7], pa.uint8()),
    "float nulls": pa.array([1.5, None, float("nan"), 2.0]),
    "bool": pa.array([True, False, True, True, False, False, True, False, True]),
    "bool nulls": pa.array([True, None, False, None, True]),
    "null": pa.nulls(4),
    "text": pa.array(["a", None, "bé", ""]),
}


@pytest.mark.parametrize("name", sorted(ARRAYS))
@pytest.mark.parametrize("offset", [0, 1, 3])
def test_numpy_of_equals_pyarrow(name: str, offset: int) -> None:
    array = ARRAYS[name].slice(min(offset, len(ARRAYS[name]) - 1))  # offsets into buffers
    ours, theirs = numpy_of(array), array.to_numpy(zero_copy_only=False)
    assert ours.dtype == theirs.dtype, name
    assert len(ours) == len(theirs)
    for a, b in zip(ours.tolist(), theirs.tolist(), strict=True):
        assert (a == b) or (a != a and b != b), (name, ours, theirs)  # NaN equal to NaN
    assert valid_of(array).tolist() == array.is_valid().to_pylist()


def test_chunked_arrays_are_joined() -> None:
    chunked = pa.chunked_array([pa.array([1, 2]), pa.array([3, None]), pa.array([], pa.int64())])
    assert np.array_equal(numpy_of(chunked), chunked.to_numpy(), equal_nan=True)
    assert valid_of(chunked).tolist() == [True, True, True, False]
    assert filled_of(chunked, -1).tolist() == [1, 2, 3, -1]
    assert filled_of(pa.array([True, None, False]), False).tolist() == [True, False, False]
    assert filled_of(pa.array([True, None, False]).slice(1), True).tolist() == [True, False]
    assert filled_of(pa.nulls(2), False).tolist() == [False, False]


@pytest.mark.parametrize("positions", [[0, 1, 2, 7, 8, 199], [5], list(range(0, 200, 2)), []])
def test_rows_at_equals_take(positions: list[int]) -> None:
    """Runs of rows as slices (or ``take`` when scattered): the same rows as Arrow's take,
    for a table, a record batch and a chunked array."""
    ints = pa.chunked_array([pa.array(range(120)), pa.array(range(120, 200))])
    table = pa.table({"i": ints, "s": pa.chunked_array([pa.array([str(i) for i in range(200)])])})
    where = np.array(positions, dtype=np.int64)
    expected = table.take(pa.array(where, pa.int64()))
    assert rows_at(table, where).equals(expected)
    assert rows_at(table.combine_chunks().to_batches()[0], where).equals(expected)
    assert rows_at(ints, where).to_pylist() == positions


@pytest.mark.parametrize("values", [np.array([1, -2, 3]), np.array([0.5, np.nan]),
                                    np.array([True, False, True, True, False, False, True,
                                              False, True]),
                                    np.array([7, 8], dtype=np.int32)])
def test_arrow_of_numbers_equals_pa_array(values: np.ndarray) -> None:
    ours, theirs = arrow_of(values), pa.array(values)
    assert ours.type == theirs.type and ours.null_count == theirs.null_count == 0
    assert np.array_equal(ours.to_numpy(zero_copy_only=False),
                          theirs.to_numpy(zero_copy_only=False), equal_nan=values.dtype.kind == "f")


def test_arrow_of_text_equals_pa_array() -> None:
    words = ["E06000001", "", "Ynys Môn", "E06000001"]
    assert arrow_of(words).equals(pa.array(words, pa.string()))
    assert arrow_of(np.array(words, dtype=object), pa.large_string()).equals(
        pa.array(words, pa.large_string()))
    assert arrow_of(np.array([], dtype=object)).equals(pa.array([], pa.string()))
    assert EMPTY_TEXT.equals(pa.scalar("", pa.string()))


def test_reading_a_tidy_file_imports_no_pandas(tmp_path) -> None:
    """The tidy reader, the cube, the indicators and the Parquet writer, CSV and Parquet in."""
    from evidence.sources.demo import bundled_demo_path
    from evidence.sources.tidy import read_tidy, write_tidy

    parquet = tmp_path / "demo.parquet"
    write_tidy(read_tidy(bundled_demo_path()), parquet)
    script = (
        "import sys\n"
        "from pathlib import Path\n"
        "from evidence.cube import build_cube\n"
        "from evidence.indicators import compute_indicators\n"
        "from evidence.indicator_table import indicator_columns, write_table\n"
        "from evidence.sources.tidy import read_tidy\n"
        f"for path in ({str(bundled_demo_path())!r}, {str(parquet)!r}):\n"
        "    cube = build_cube(read_tidy(path))\n"
        "    table = indicator_columns(compute_indicators(cube, 2016, 2024))\n"
        f"    write_table(table, Path({str(tmp_path / 'out.parquet')!r}))\n"
        "    assert len(table) == len(cube.area_table()) * len(cube.sectors)\n"
        "print(' '.join(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('pandas', 'pydantic', 'yaml'))))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True,
                          text=True, check=True)
    assert done.stdout.strip() == "", done.stdout


def test_text_of_decodes_dictionaries_and_plain_text() -> None:
    plain = pa.array(["b", None, "a", "b"])
    coded = pa.chunked_array([plain.dictionary_encode(), pa.array(["c"]).dictionary_encode()])
    values, distinct, codes = text_of(coded)
    assert values.tolist() == ["b", "", "a", "b", "c"]
    assert sorted(distinct) == ["", "a", "b", "c"]
    assert [distinct[c] for c in codes.tolist()] == values.tolist()
    values, distinct, codes = text_of(plain)
    assert values.tolist() == ["b", "", "a", "b"] and distinct == ["b", "", "a"]
    assert codes.tolist() == [0, 1, 2, 0]
    assert text_of(pa.nulls(2))[0].tolist() == ["", ""]
    unused = pa.DictionaryArray.from_arrays(pa.array([1, 1], pa.int32()), pa.array(["x", "y"]))
    assert text_of(unused)[1] == ["y"]  # only the values the rows use
