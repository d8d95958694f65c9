"""``evidence.columns``: small tables as numpy columns, frames made on first read, and the
Dataset and Cube fields that hold them (the lean path never makes a frame; every other reader
gets the frame it always got)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from evidence.columns import Columns, columns_of, text_values
from evidence.cube import build_cube
from evidence.sources.demo import bundled_demo_path
from evidence.sources.load import detect_format
from evidence.sources.tidy import is_tidy_file, read_tidy, write_tidy
from tests.paths import FIXTURES

STR = pd.StringDtype("pyarrow", na_value=np.nan)


def test_frame_has_the_readers_dtypes() -> None:
    table = Columns({"code": np.array(["A", "B"], dtype=object), "year": np.array([1, 2]),
                     "value": np.array([0.5, np.nan]), "members": [["A"], ["A", "B"]]})
    frame = table.frame()
    assert frame["code"].dtype == STR and frame["year"].dtype == np.int64
    assert frame["value"].dtype == np.float64 and frame["members"].dtype == object
    assert frame["members"].tolist() == [["A"], ["A", "B"]]
    assert isinstance(frame.index, pd.RangeIndex)
    back = Columns.from_frame(frame)
    assert back["code"].tolist() == ["A", "B"] and back.columns == table.columns


def test_columns_checks_lengths_and_selects() -> None:
    with pytest.raises(ValueError, match="has 1 values"):
        Columns({"a": [1, 2], "b": [1]})
    table = Columns({"a": [1, 2, 3], "b": ["x", "y", "z"]})
    assert table.take(np.array([True, False, True]))["b"].tolist() == ["x", "z"]
    assert table.concat(Columns({"a": [4], "b": ["w"], "c": [0]}))["a"].tolist() == [1, 2, 3, 4]
    assert text_values(np.array(["a", None, np.nan], dtype=object)) == ["a", "", ""]
    assert columns_of(None) is None


def test_dataset_and_cube_make_frames_only_when_read(tmp_path) -> None:
    parquet = tmp_path / "demo.parquet"
    write_tidy(read_tidy(bundled_demo_path()), parquet)
    ds = read_tidy(parquet)
    assert isinstance(ds.table("areas"), Columns)
    assert isinstance(type(ds).__dict__["areas"].raw(ds), Columns)  # nothing made yet
    cube = build_cube(ds)
    assert isinstance(type(cube).__dict__["areas"].raw(cube), Columns)
    assert isinstance(type(ds).__dict__["gva"].raw(ds), Columns)  # the cube read the columns
    frame = cube.areas  # now a frame, kept
    assert isinstance(frame, pd.DataFrame) and cube.areas is frame
    assert list(frame.columns) == ["area_code", "area_name", "level", "group_code",
                                   "group_name", "region_code", "region_name", "members"]
    assert frame["area_code"].dtype == STR and frame["members"].dtype == object
    assert cube.area_table()["area_code"].tolist() == frame["area_code"].tolist()
    assert cube.position(frame["area_code"].iloc[-1]) == len(frame) - 1
    assert ds.areas["area_code"].dtype == STR and ds.gva["year"].dtype == np.int64
    assert not ds.has_placeable_areas()


def test_is_tidy_file_agrees_with_detect_format(tmp_path) -> None:
    parquet = tmp_path / "demo.parquet"
    write_tidy(read_tidy(bundled_demo_path()), parquet)
    paths = [bundled_demo_path(), parquet, *sorted(p for p in FIXTURES.iterdir() if p.is_file())]
    checked = 0
    for path in paths:
        try:
            tidy = detect_format(path) == "demo"
        except Exception:  # an unreadable fixture: neither calls it tidy
            tidy = False
        assert is_tidy_file(path) == tidy, path
        checked += tidy
    assert checked >= 2
