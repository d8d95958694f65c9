"""The lean tidy reader's dense cells (``evidence.sources.tidy_cells``), whole and by row group.

A big Parquet file is read a row group at a time (``BATCHED_ROWS``); here the threshold is
lowered so a tiny file with small row groups takes that path, and everything must come out as
the whole-file read gives it: the same cube, and the same located errors, including a
duplicate whose first copy is in another row group.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from evidence.cube import build_cube
from evidence.dataset import DataError
from evidence.sources import tidy
from evidence.sources.tidy import read_tidy, write_tidy
from tests.conftest import tiny_dataset

ARRAYS = ("emp", "supp", "total", "structure", "class_emp", "nat_emp", "nat_class_emp", "gva")


def _small_groups(path: Path, rows_per_group: int = 7) -> Path:
    """The same file rewritten with many small row groups."""
    pq.write_table(pq.read_table(path), path, row_group_size=rows_per_group)
    return path


def _by_row_group(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tidy, "BATCHED_ROWS", 0)


def test_row_groups_give_the_whole_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _small_groups(write_tidy(tiny_dataset(), tmp_path / "tiny.parquet"))
    assert pq.ParquetFile(path).metadata.num_row_groups > 3
    whole = build_cube(read_tidy(path))
    _by_row_group(monkeypatch)
    ds = read_tidy(path)
    assert ds.cells is not None and ds.cells.rows == len(tiny_dataset().employment)
    grouped = build_cube(ds)
    assert list(grouped.areas["area_code"]) == list(whole.areas["area_code"])
    assert grouped.classes == whole.classes
    for name in ARRAYS:
        a, b = getattr(whole, name), getattr(grouped, name)
        assert (a is None) == (b is None), name
        if a is not None:
            np.testing.assert_array_equal(a, b, err_msg=name)


def _with_row(path: Path, position: int, **values: object) -> Path:
    """The file with one employment row (0-based data-row ``position``) changed."""
    table = pq.read_table(path)
    columns = {c: table[c].to_pylist() for c in table.column_names}
    for column, value in values.items():
        columns[column][position] = value
    pq.write_table(pa.table(columns, schema=table.schema), path, row_group_size=7)
    return path


def _employment_positions(path: Path) -> np.ndarray:
    names = np.asarray(pq.read_table(path, columns=["table"])["table"].to_pylist())
    return np.flatnonzero(names == "employment")


@pytest.mark.parametrize("batched", [False, True])
def test_duplicate_across_row_groups_is_located(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                batched: bool) -> None:  # fmt: skip
    path = write_tidy(tiny_dataset(), tmp_path / "tiny.parquet")
    rows = _employment_positions(path)
    first, last = int(rows[0]), int(rows[-1])
    original = pq.read_table(path).slice(first, 1).to_pylist()[0]
    _with_row(path, last, area_code=original["area_code"], year=original["year"],
              sic=original["sic"])
    if batched:
        _by_row_group(monkeypatch)
    with pytest.raises(DataError) as info:
        read_tidy(path)
    assert info.value.row == last + 2 and "duplicate row" in str(info.value)


@pytest.mark.parametrize("batched", [False, True])
@pytest.mark.parametrize(("change", "column", "words"), [
    ({"sic": "9999"}, "sic", "is not a SIC 2007"),
    ({"year": 1900}, "year", "not a plausible year"),
    ({"employment": -5}, "employment", "negative employment"),
    ({"employment": None}, "employment", "empty but not marked suppressed"),
    ({"area_code": "NOWHERE"}, "area_code", "is not in the areas table"),
    ({"area_code": None}, "area_code", "without area_code"),
])
def test_a_bad_row_in_a_late_row_group_names_its_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, batched: bool, change: dict,
    column: str, words: str,
) -> None:
    path = write_tidy(tiny_dataset(), tmp_path / "tiny.parquet")
    target = int(_employment_positions(path)[-3])
    _with_row(path, target, **change)
    if batched:
        _by_row_group(monkeypatch)
    with pytest.raises(DataError) as info:
        read_tidy(path)
    assert info.value.row == target + 2, info.value
    assert info.value.column == column and words in str(info.value)


def test_cells_frame_round_trips(tmp_path: Path) -> None:
    """The employment frame rebuilt from the cells holds every row of the file, once."""
    path = write_tidy(tiny_dataset(), tmp_path / "tiny.parquet")
    frame = read_tidy(path).employment
    old = tiny_dataset().employment
    key = ["area_code", "year", "sic"]
    a = frame.sort_values(key).reset_index(drop=True)
    b = old.sort_values(key).reset_index(drop=True)
    assert len(a) == len(b)
    assert (a[key].astype(str).to_numpy() == b[key].astype(str).to_numpy()).all()
    np.testing.assert_array_equal(a["employment"].to_numpy(), b["employment"].to_numpy())
