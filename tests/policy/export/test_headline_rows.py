"""The reports' headline indicator table (Table 1.0) on the bundled demo and the real NUTS2
sample: the Krugman row is the index with what it is computed over (not the count of
industries as a value), and the automation row names a job-weighted mean probability."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from evidence.models import AreaProfile
from evidence.service import SAMPLE_NUTS2, Evidence, load_any
from evidence.sources.demo import ARCHETYPES
from policy.export.report import _headline_table


@pytest.fixture(scope="module")
def demo() -> AreaProfile:
    return Evidence.from_path(None).profile(ARCHETYPES["engineering_assembly_cluster"][0])


@pytest.fixture(scope="module")
def nuts2() -> tuple[Evidence, AreaProfile]:
    ev = Evidence.from_dataset(load_any(SAMPLE_NUTS2))
    return ev, ev.profile("UKF1")


def _rows(p: AreaProfile) -> dict[str, list]:
    table = _headline_table(SimpleNamespace(profile=p))  # type: ignore[arg-type]
    return {row[0]: row for row in table.rows}


def _value(cell: object) -> float:
    return float(getattr(cell, "value", cell))  # type: ignore[arg-type]


@pytest.mark.parametrize("which", ["demo", "nuts2"])
def test_krugman_row_is_the_index_with_its_industries(which: str, demo: AreaProfile,
                                                      nuts2: tuple[Evidence, AreaProfile]) -> None:
    p = demo if which == "demo" else nuts2[1]
    rows = _rows(p)
    n = int(p.context["krugman_industries"])
    # the count of industries is never a value row
    assert not any("across all industries" in label for label in rows)
    assert [label for label in rows if "Krugman" in label] == ["Krugman specialisation index"]
    krugman = rows["Krugman specialisation index"]
    assert _value(krugman[1]) == pytest.approx(p.krugman)
    assert 0.0 <= _value(krugman[1]) <= 2.0
    assert f"over {n:,} industries" in krugman[2] and "Krugman (1991)" in krugman[2]
    assert "|local share of jobs - " in krugman[2]
    assert krugman[3] == str(p.period.end)


def test_krugman_is_the_dissimilarity_of_the_industry_shares(
        nuts2: tuple[Evidence, AreaProfile]) -> None:
    """sum_i |s_i - s_i^N| recomputed from the cube's structure: the value the row shows."""
    ev, p = nuts2
    cube = ev.cube
    i1 = list(cube.years).index(p.period.end)
    local = cube.structure[cube.position("UKF1"), :, i1]
    nat = cube.nat_structure[:, i1]
    expected = np.abs(local / local.sum() - nat / nat.sum()).sum()
    assert _value(_rows(p)["Krugman specialisation index"][1]) == pytest.approx(expected)
    assert local.shape[0] == int(p.context["krugman_industries"]) == 84


def test_automation_row_names_a_mean_probability(demo: AreaProfile) -> None:
    rows = _rows(demo)
    assert "Jobs exposed to automation" not in rows
    if demo.automation_exposure is None:
        pytest.skip("the bundled demo has no jobs by occupation")  # pragma: no cover
    row = rows["Mean probability of automation (job-weighted)"]
    assert _value(row[1]) == pytest.approx(demo.automation_exposure)
    assert "ONS 2019" in row[2] and "not the share of jobs at high risk" in row[2]
