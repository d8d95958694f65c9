"""The lean loader and cube build (issue 14) give the numbers the old pandas path gave.

``tests/fixtures/golden/*.npz`` hold every cube array and the indicator table's numbers as the
code before issue 14 computed them (commit 6c0acc7), for the bundled demo, a tiny tidy Parquet
file and two NOMIS files; each is recomputed here and compared to 1e-12.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from evidence.cube import build_cube
from evidence.dataset import Dataset
from evidence.indicator_table import indicator_table
from evidence.service import Evidence
from evidence.sources.tidy import read_tidy, write_tidy
from tests.conftest import tiny_dataset
from tests.paths import ROOT

GOLDEN = ROOT / "tests" / "fixtures" / "golden"
FIXTURES = ROOT / "tests" / "fixtures"
NUMBERS = ["jobs_start", "jobs", "share", "lq", "lq_region", "growth", "national_growth",
           "ss_national", "ss_mix", "ss_local", "productivity", "productivity_ratio"]


def _same(golden: dict[str, np.ndarray], ev: Evidence) -> None:
    cube = ev.cube
    assert list(cube.areas["area_code"]) == list(golden["area_code"])
    assert list(cube.areas["level"]) == list(golden["level"])
    assert list(cube.classes) == list(golden["classes"])
    assert list(cube.years) == list(golden["years"])
    for key, expected in golden.items():
        if key.startswith("cube_"):
            actual = getattr(cube, key[5:])
            assert actual is not None, key
            np.testing.assert_allclose(np.asarray(actual, dtype=float), expected, rtol=1e-12,
                                       atol=1e-12, err_msg=key)
    present = {k[5:] for k in golden if k.startswith("cube_")}
    for name in ("gva", "level4", "berd", "soc", "class_emp"):
        assert (getattr(cube, name) is not None) == (name in present), name
    table = indicator_table(ev.indicators())
    for column in NUMBERS:
        np.testing.assert_allclose(table[column].to_numpy(dtype=float),
                                   golden[f"table_{column}"], rtol=1e-12, atol=1e-12,
                                   err_msg=column)
    assert list(table["dynamics"].astype(str)) == list(golden["table_dynamics"])


def _golden(name: str) -> dict[str, np.ndarray]:
    with np.load(GOLDEN / f"{name}.npz", allow_pickle=False) as data:
        return dict(data)


def test_bundled_demo_same_numbers() -> None:
    _same(_golden("bundled_demo"), Evidence.from_path(None))


@pytest.mark.parametrize("suffix", [".parquet", ".csv", ".csv.gz"])
def test_tiny_tidy_file_same_numbers(tmp_path: Path, suffix: str) -> None:
    path = write_tidy(tiny_dataset(), tmp_path / f"tiny{suffix}")
    _same(_golden("tiny_parquet"), Evidence.from_path(path))


def test_nomis_files_same_numbers() -> None:
    _same(_golden("nomis_gb_mixed"),
          Evidence.from_path(FIXTURES / "nomis_bulk_gb_mixed_levels.csv"))
    _same(_golden("nomis_bulk"),
          Evidence.from_path(FIXTURES / "nomis_bres_bulk.csv", FIXTURES / "ons_gva_la.csv"))


def test_codes_and_frame_give_the_same_cube(tmp_path: Path) -> None:
    """The cube from the lean reader's dense cells equals the cube from its str frame."""
    ds = read_tidy(write_tidy(tiny_dataset(), tmp_path / "tiny.parquet"))
    assert ds.cells is not None and ds.codes is None
    plain = Dataset(employment=ds.employment, areas=ds.areas, source=ds.source, gva=ds.gva,
                    context=ds.context)
    a, b = build_cube(ds), build_cube(plain)
    for name in ("emp", "supp", "total", "structure", "class_emp", "nat_emp"):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name), err_msg=name)


def test_lean_frame_is_the_contract(tmp_path: Path) -> None:
    """The employment frame made from the cells has the contract's columns and types."""
    ds = read_tidy(write_tidy(tiny_dataset(), tmp_path / "tiny.parquet"))
    emp, old = ds.employment, tiny_dataset().employment
    assert list(emp.columns) == ["area_code", "year", "sic", "employment", "suppressed"]
    assert emp["year"].dtype == np.int64 and emp["suppressed"].dtype == bool
    assert emp["area_code"].dtype == "str" and emp["sic"].dtype == "str"
    assert emp.sort_values(["area_code", "year", "sic"]).reset_index(drop=True)[
        ["area_code", "year", "sic"]].astype(str).equals(
        old.sort_values(["area_code", "year", "sic"]).reset_index(drop=True)[
            ["area_code", "year", "sic"]].astype(str))
