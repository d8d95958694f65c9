"""The out-of-core path (DuckDB sums before the cube) gives the in-memory path's sector-level
numbers, checks every row as the in-memory reader does, and is chosen by size or by name."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from evidence.dataset import DataError, Dataset
from evidence.indicator_table import indicator_table
from evidence.service import Evidence
from evidence.sources.demo import bundled_demo_path
from evidence.sources.nomis import read_nomis_bres
from evidence.sources.tidy import read_tidy, write_tidy
from evidence.sources.tidy_duckdb import choose_engine, read_tidy_any, read_tidy_duckdb
from policymix_cli import main
from tests.conftest import tiny_dataset
from tests.paths import FIXTURES

CUBE_ARRAYS = ["emp", "supp", "total", "structure", "gva", "gva_total", "level4", "berd", "soc",
               "nat_emp", "nat_total", "nat_structure", "nat_gva", "nat_level4", "nat_soc"]


def _same_sector_numbers(memory: Evidence, duck: Evidence) -> None:
    a, b = memory.cube, duck.cube
    assert list(a.areas["area_code"]) == list(b.areas["area_code"])
    assert list(a.years) == list(b.years)
    assert (a.total_basis, a.national_basis, a.notes) == (b.total_basis, b.national_basis,
                                                          b.notes)
    for name in CUBE_ARRAYS:
        x, y = getattr(a, name), getattr(b, name)
        assert (x is None) == (y is None), name
        if x is not None:
            np.testing.assert_allclose(y, x, rtol=1e-9, atol=1e-9, err_msg=name)
    left, right = indicator_table(memory.indicators()), indicator_table(duck.indicators())
    assert list(left.columns) == list(right.columns)
    for column in left.columns:
        if left[column].dtype.kind == "f":
            np.testing.assert_allclose(right[column].to_numpy(), left[column].to_numpy(),
                                       rtol=1e-9, atol=1e-9, err_msg=column)
        else:
            assert list(right[column].astype(str)) == list(left[column].astype(str)), column


def test_bundled_demo_same_sector_indicators() -> None:
    memory = Evidence.from_path(None)
    duck = Evidence.from_path(None, engine="duckdb")
    assert duck.dataset.sums is not None and duck.dataset.codes is None
    _same_sector_numbers(memory, duck)


@pytest.mark.parametrize("suffix", [".parquet", ".csv", ".csv.gz"])
def test_tiny_tidy_file_same_sector_indicators(tmp_path: Path, suffix: str) -> None:
    path = write_tidy(tiny_dataset(), tmp_path / f"tiny{suffix}")
    _same_sector_numbers(Evidence.from_dataset(read_tidy(path)),
                         Evidence.from_dataset(read_tidy_duckdb(path)))


def test_mixed_levels_same_sector_indicators(tmp_path: Path) -> None:
    """Divisions, groups and classes in one file: the same codes count for each sector."""
    ds = read_nomis_bres(FIXTURES / "nomis_bulk_gb_mixed_levels.csv")
    emp = ds.employment[~ds.employment["sic"].str.startswith("P")]
    plain = Dataset(employment=emp, areas=ds.areas, source=ds.source)
    path = write_tidy(plain, tmp_path / "mixed.parquet")
    _same_sector_numbers(Evidence.from_dataset(read_tidy(path)),
                         Evidence.from_dataset(read_tidy_duckdb(path)))


def test_no_class_detail_and_analysis_copes() -> None:
    duck = Evidence.from_path(None, engine="duckdb")
    assert duck.cube.classes == () and duck.cube.class_emp is None
    code = str(duck.cube.areas["area_code"].iloc[0])
    profile = duck.profile(code)
    assert profile.related_opportunities == []
    assert any("out of core" in note for note in profile.notes)
    with pytest.raises(DataError, match="out of core"):
        _ = duck.dataset.employment


def _broken(tmp_path: Path, change: str) -> Path:
    table = pq.read_table(write_tidy(tiny_dataset(), tmp_path / "tiny.parquet"))
    frame = table.to_pandas()
    emp = np.flatnonzero(frame["table"] == "employment")
    row = int(emp[3])
    if change == "negative":
        frame.loc[row, "employment"] = -5
    elif change == "duplicate":
        frame = pd.concat([frame, frame.iloc[[row]]], ignore_index=True)
    elif change == "unknown_area":
        frame.loc[row, "area_code"] = "E99999999"
    elif change == "bad_sic":
        frame.loc[row, "sic"] = "99.99"
    elif change == "year":
        frame.loc[row, "year"] = 1850
    elif change == "table":
        frame.loc[row, "table"] = "employmnet"
    elif change == "empty":
        frame.loc[row, ["employment", "suppressed"]] = [np.nan, False]
    out = tmp_path / f"{change}.parquet"
    pq.write_table(pa.Table.from_pandas(frame, schema=table.schema, preserve_index=False), out)
    return out


@pytest.mark.parametrize("change", ["negative", "duplicate", "unknown_area", "bad_sic", "year",
                                    "table", "empty"])
def test_bad_rows_are_located_as_the_in_memory_reader_locates_them(
    tmp_path: Path, change: str
) -> None:
    path = _broken(tmp_path, change)
    with pytest.raises(DataError) as memory:
        read_tidy(path)
    with pytest.raises(DataError) as duck:
        read_tidy_duckdb(path)
    m, d = memory.value.first, duck.value.first
    assert (d.file, d.row, d.column) == (m.file, m.row, m.column)
    assert d.row is not None
    assert d.message == m.message


def test_engine_chosen_by_rows_or_by_name(tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    path = write_tidy(tiny_dataset(), tmp_path / "tiny.parquet")
    assert choose_engine(path) == "memory"
    assert choose_engine(path, "duckdb") == "duckdb"
    monkeypatch.setenv("POLICYMIX_OUT_OF_CORE_ROWS", "10")
    assert choose_engine(path) == "duckdb"
    assert read_tidy_any(path).sums is not None
    assert choose_engine(bundled_demo_path()) == "duckdb"
    with pytest.raises(ValueError, match="engine"):
        choose_engine(path, "spark")


def test_cli_engine_duckdb_writes_the_same_table(tmp_path: Path) -> None:
    assert main(["indicators", "--out", str(tmp_path / "mem.csv")]) == 0
    assert main(["indicators", "--engine", "duckdb", "--out", str(tmp_path / "duck.csv")]) == 0
    left = pd.read_csv(tmp_path / "mem.csv")
    right = pd.read_csv(tmp_path / "duck.csv")
    pd.testing.assert_frame_equal(left, right, rtol=1e-9, atol=1e-9)
