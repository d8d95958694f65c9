"""The tidy reader's whole-array checks (``Scatter._add_checked``, ``tidy_tables``) against its
located paths: for a clean file both give exactly the same Dataset; a file the checks do not
accept (rows out of order, text to trim, a bad value) goes the located way and still reads, or
fails, as it always did.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from evidence.cube import build_cube
from evidence.dataset import DataError
from evidence.sources import tidy, tidy_cells
from evidence.sources.tidy import read_tidy, write_tidy
from tests.conftest import tiny_dataset

ARRAYS = ("emp", "supp", "total", "structure", "class_emp", "nat_emp", "nat_class_emp", "gva",
          "level4", "soc")


def _dataset() -> tidy.Dataset:
    """The tiny test data with GVA and context rows (every small table present)."""
    ds = tiny_dataset()
    keys = [(a, y) for a in ("A1", "A2", "A3") for y in (2020, 2022)]
    ds.gva = pd.DataFrame([{"area_code": a, "year": y, "sic": s, "gva": g}
                           for (a, y), g in zip(keys, range(10, 70, 10), strict=True)
                           for s in ("3030", "29", "TOTAL")])
    ds.context = pd.DataFrame([{"area_code": a, "year": y, "level4_share": 0.3,
                                "berd_per_job": 50.0, **{f"soc_{k}": 10.0 * k
                                                         for k in range(1, 10)}}
                               for a, y in keys])
    return ds


def _located_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Switch the whole-array checks off: everything goes through the located paths."""
    monkeypatch.setattr(tidy, "small_tables", lambda *args: None)
    monkeypatch.setattr(tidy_cells.Scatter, "_add_checked", lambda self, batch, n: False)


def _same(a: tidy.Dataset, b: tidy.Dataset) -> None:
    for name in ("areas", "gva", "context"):
        x, y = getattr(a, name), getattr(b, name)
        assert (x is None) == (y is None), name
        if x is not None:
            pd.testing.assert_frame_equal(x, y, check_exact=True)
    assert a.source == b.source
    for name in ("jobs", "known", "suppressed", "area_rows"):
        np.testing.assert_array_equal(getattr(a.cells, name), getattr(b.cells, name))
    ca, cb = build_cube(a), build_cube(b)
    for name in ARRAYS:
        x, y = getattr(ca, name), getattr(cb, name)
        assert (x is None) == (y is None), name
        if x is not None:
            np.testing.assert_array_equal(x, y, err_msg=name)


@pytest.mark.parametrize("suffix", [".parquet", ".csv"])
def test_checked_and_located_paths_read_the_same(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, suffix: str
) -> None:
    path = write_tidy(_dataset(), tmp_path / f"tiny{suffix}")
    fast = read_tidy(path)
    with monkeypatch.context() as m:
        _located_only(m)
        located = read_tidy(path)
    _same(fast, located)


def test_the_checked_paths_are_taken_for_a_clean_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """If the checks silently refused everything, the speed would be gone with no test
    failing: count what they accept."""
    path = write_tidy(_dataset(), tmp_path / "tiny.parquet")
    accepted = []
    original = tidy_cells.Scatter._add_checked

    def counting(self: tidy_cells.Scatter, batch: pa.Table, n: int) -> bool:
        accepted.append(original(self, batch, n))
        return accepted[-1]

    monkeypatch.setattr(tidy_cells.Scatter, "_add_checked", counting)
    tables = []
    original_tables = tidy.small_tables
    monkeypatch.setattr(tidy, "small_tables",
                        lambda *a: tables.append(original_tables(*a)) or tables[-1])
    read_tidy(path)
    assert accepted == [True]
    assert tables and tables[0] is not None


def _rewritten(path: Path, table: pa.Table) -> Path:
    pq.write_table(table, path)
    return path


def test_rows_out_of_order_read_the_same(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write_tidy(_dataset(), tmp_path / "tiny.parquet")
    in_order = read_tidy(path)
    table = pq.read_table(path)
    shuffled = table.take(pa.array(np.random.default_rng(1).permutation(table.num_rows)))
    read = read_tidy(_rewritten(tmp_path / "shuffled.parquet", shuffled))
    np.testing.assert_array_equal(read.cells.jobs, in_order.cells.jobs)
    np.testing.assert_array_equal(read.cells.known, in_order.cells.known)
    pd.testing.assert_frame_equal(read.gva.sort_values(["area_code", "year", "sic"])
                                  .reset_index(drop=True),
                                  in_order.gva.sort_values(["area_code", "year", "sic"])
                                  .reset_index(drop=True))


def test_text_to_trim_goes_the_located_way(tmp_path: Path) -> None:
    path = write_tidy(_dataset(), tmp_path / "tiny.parquet")
    clean = read_tidy(path)
    table = pq.read_table(path)
    names = table["area_name"].to_pylist()
    first = next(i for i, v in enumerate(names) if v)
    names[first] = f"  {names[first]} "
    padded = table.set_column(table.schema.get_field_index("area_name"), "area_name",
                              pa.array(names, pa.string()))
    read = read_tidy(_rewritten(tmp_path / "padded.parquet", padded))
    pd.testing.assert_frame_equal(read.areas, clean.areas)


@pytest.mark.parametrize("column", ["sic", "area_code"])
def test_padded_employment_labels_read_the_same(tmp_path: Path, column: str) -> None:
    """The whole-array path matches labels exactly and leaves padded ones (" 3030 ") to the
    located path, which trims them: the same cells either way."""
    path = write_tidy(_dataset(), tmp_path / "tiny.parquet")
    clean = read_tidy(path)
    table = pq.read_table(path)
    kinds = table["table"].to_pylist()
    labels = [f" {v} " if k == "employment" and v else v
              for k, v in zip(kinds, table[column].to_pylist(), strict=True)]
    padded = table.set_column(table.schema.get_field_index(column), column,
                              pa.array(labels, pa.string()))
    read = read_tidy(_rewritten(tmp_path / "padded.parquet", padded))
    for name in ("jobs", "known", "suppressed"):
        np.testing.assert_array_equal(getattr(read.cells, name), getattr(clean.cells, name))


@pytest.mark.parametrize(("column", "value", "message"), [
    ("gva", float("inf"), "not a finite number"),
    ("year", 1066, "plausible year"),
    ("sic", "9999", "SIC 2007"),
])
def test_a_bad_small_table_value_is_located(
    tmp_path: Path, column: str, value: object, message: str
) -> None:
    path = write_tidy(_dataset(), tmp_path / "tiny.parquet")
    table = pq.read_table(path)
    kinds = table["table"].to_pylist()
    row = kinds.index("gva")
    values = table[column].to_pylist()
    values[row] = value
    changed = table.set_column(table.schema.get_field_index(column), column,
                               pa.array(values, table.schema.field(column).type))
    with pytest.raises(DataError) as info:
        read_tidy(_rewritten(tmp_path / "bad.parquet", changed))
    assert message in info.value.detail
    assert info.value.first.row == row + 2
