"""Hand-computed examples and invariants for the indicators.

The tiny dataset (tests/conftest.py) has three districts and no GB row, so the national
reference is the sum of districts: aerospace 120 -> 180, automotive 280 -> 290, all jobs
6000 -> 6000 between 2020 and 2022.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evidence.cube import build_cube, with_custom_area
from evidence.dataset import Dataset, SourceInfo, validate_dataset
from evidence.indicators import (
    compound_annual_growth,
    compute_indicators,
    dynamics_class,
    herfindahl,
    hoover_index,
    krugman_dissimilarity,
    location_quotient,
    shift_share,
)

AERO, AUTO = 0, 1


def test_location_quotient_by_hand(tiny: Dataset) -> None:
    ind = compute_indicators(build_cube(tiny))
    pos = ind.cube.position("A1")
    # (150 / 1100) / (180 / 6000) = 0.136364 / 0.03 = 4.545454...
    assert ind.lq[pos, AERO, 1] == pytest.approx(4.5454545, rel=1e-6)
    # (40 / 1100) / (290 / 6000) = 0.0363636 / 0.0483333 = 0.752351
    assert ind.lq[pos, AUTO, 1] == pytest.approx(0.752351, rel=1e-5)


def test_shift_share_by_hand(tiny: Dataset) -> None:
    ind = compute_indicators(build_cube(tiny))
    pos = ind.cube.position("A1")
    # All jobs nationally unchanged: g_N = 0, so the national share is 0.
    # Aerospace: g_iN = 180/120 - 1 = 0.5, g_ir = 150/100 - 1 = 0.5
    #   mix = 100 * (0.5 - 0) = 50, local = 100 * (0.5 - 0.5) = 0
    assert ind.ss_national[pos, AERO] == pytest.approx(0.0)
    assert ind.ss_mix[pos, AERO] == pytest.approx(50.0)
    assert ind.ss_local[pos, AERO] == pytest.approx(0.0)
    # Automotive: g_iN = 290/280 - 1 = 0.0357143, g_ir = 40/50 - 1 = -0.2
    #   mix = 50 * 0.0357143 = 1.785714, local = 50 * (-0.2 - 0.0357143) = -11.785714
    assert ind.ss_mix[pos, AUTO] == pytest.approx(1.785714, rel=1e-5)
    assert ind.ss_local[pos, AUTO] == pytest.approx(-11.785714, rel=1e-5)


def test_shift_share_with_national_growth_by_hand() -> None:
    # E0 = 100, E1 = 130; nation: sector 1000 -> 1100, all jobs 10000 -> 10500.
    # g_N = 0.05 -> NS = 5; g_iN = 0.10 -> IM = 100 * 0.05 = 5; g_ir = 0.30 -> LC = 100 * 0.2 = 20
    ns, im, lc = shift_share(np.array([100.0]), np.array([130.0]), np.array([1000.0]),
                             np.array([1100.0]), 10000.0, 10500.0)
    assert (ns[0], im[0], lc[0]) == pytest.approx((5.0, 5.0, 20.0))


def test_krugman_by_hand(tiny: Dataset) -> None:
    ind = compute_indicators(build_cube(tiny))
    pos = ind.cube.position("A1")
    # A1 2022 structure: division 29 = 40, division 30 = 150, rest = 910 of 1100
    # nation: 29 = 290, 30 = 180, rest = 5530 of 6000
    # |0.0363636 - 0.0483333| + |0.1363636 - 0.03| + |0.8272727 - 0.9216667| = 0.2127273
    assert ind.krugman[pos, 1] == pytest.approx(0.2127273, rel=1e-6)
    k = krugman_dissimilarity(np.array([[[1.0], [0.0]]]), np.array([[0.0], [1.0]]))
    assert k[0, 0] == pytest.approx(2.0)  # completely different structures: the maximum


def test_growth_and_dynamics_by_hand() -> None:
    # 100 -> 121 over 2 years: (1.21) ** 0.5 - 1 = 0.10
    assert compound_annual_growth(np.array([100.0]), np.array([121.0]), 2)[0] == pytest.approx(0.1)
    assert np.isnan(compound_annual_growth(np.array([0.0]), np.array([5.0]), 2)[0])
    labels = dynamics_class(np.array([0.02, 0.0, -0.02, 0.01, -0.01, np.nan]))
    assert list(labels) == ["growing", "stagnating", "declining", "growing", "declining",
                            "unknown"]


def test_herfindahl_and_hoover_by_hand() -> None:
    # shares 0.5, 0.25, 0.25 -> 0.25 + 0.0625 + 0.0625 = 0.375
    h = herfindahl(np.array([[[2.0], [1.0], [1.0]]]))
    assert h[0, 0] == pytest.approx(0.375)
    # One sector all in area 0 which has half the jobs: 0.5 * (|1 - 0.5| + |0 - 0.5|) = 0.5
    hv = hoover_index(np.array([[[10.0]], [[0.0]]]), np.array([[50.0], [50.0]]))
    assert hv[0, 0] == pytest.approx(0.5)


def test_group_lq_recomputed_from_totals(tiny: Dataset) -> None:
    ind = compute_indicators(build_cube(tiny))
    g = ind.cube.position("G1")
    # G1 = A1 + A2 in 2022: aerospace 160 of 3200 jobs -> (160/3200) / (180/6000) = 1.6667
    assert ind.lq[g, AERO, 1] == pytest.approx(1.6666667, rel=1e-6)
    # Not the average of the member LQs (4.545 and 0.159)
    a1, a2 = ind.cube.position("A1"), ind.cube.position("A2")
    assert ind.lq[g, AERO, 1] != pytest.approx((ind.lq[a1, AERO, 1] + ind.lq[a2, AERO, 1]) / 2)


def test_custom_area_equals_sum_of_members(tiny: Dataset) -> None:
    cube = with_custom_area(build_cube(tiny), "CUSTOM1", "My patch", ["A1", "A3"])
    ind = compute_indicators(cube)
    c, a1, a3 = (cube.position(x) for x in ("CUSTOM1", "A1", "A3"))
    np.testing.assert_allclose(cube.emp[c], cube.emp[a1] + cube.emp[a3])
    # (170 / 3900) / (180 / 6000) = 1.452991
    assert ind.lq[c, AERO, 1] == pytest.approx(1.452991, rel=1e-5)


def test_region_lq_is_one_for_region_itself(tiny: Dataset) -> None:
    ind = compute_indicators(build_cube(tiny))
    r = ind.cube.position("R1")
    assert ind.lq_region[r, AERO, 1] == pytest.approx(1.0)


# ---- invariants over random data ------------------------------------------------------------

@st.composite
def random_dataset(draw: st.DrawFn) -> Dataset:
    n_areas = draw(st.integers(2, 6))
    n_years = draw(st.integers(2, 4))
    codes = ["3030", "2910", "2110", "2611", "1011"]
    rows = []
    for a in range(n_areas):
        for y in range(n_years):
            cells = [draw(st.integers(0, 500)) for _ in codes]
            # Every area keeps at least one job in the rest of the economy.
            rest = draw(st.integers(1, 2000))
            for code, v in zip(codes, cells, strict=True):
                rows.append({"area_code": f"D{a}", "year": 2015 + y, "sic": code,
                             "employment": float(v), "suppressed": False})
            rows.append({"area_code": f"D{a}", "year": 2015 + y, "sic": "TOTAL",
                         "employment": float(sum(cells) + rest), "suppressed": False})
    groups = [f"G{a % 2}" for a in range(n_areas)]
    areas = pd.DataFrame({
        "area_code": [f"D{a}" for a in range(n_areas)],
        "area_name": [f"District {a}" for a in range(n_areas)],
        "level": "lad",
        "group_code": groups,
        "group_name": groups,
        "region_code": "R",
        "region_name": "Region",
    })
    return validate_dataset(Dataset(pd.DataFrame(rows), areas, SourceInfo(name="random")))


@settings(max_examples=40, deadline=None)
@given(random_dataset())
def test_job_weighted_mean_lq_is_one(ds: Dataset) -> None:
    """sum_r LQ_ir * E_r / E = 1 for each sector and year with any jobs (districts only)."""
    ind = compute_indicators(build_cube(ds))
    lad = (ind.cube.areas["level"] == "lad").to_numpy()
    weights = ind.cube.total[lad] / ind.cube.total[lad].sum(axis=0)
    mean_lq = np.nansum(ind.lq[lad] * weights[:, None, :], axis=0)
    has_jobs = ind.cube.nat_emp > 0
    np.testing.assert_allclose(mean_lq[has_jobs], 1.0, rtol=1e-9)


@settings(max_examples=40, deadline=None)
@given(random_dataset())
def test_shift_share_parts_sum_to_change(ds: Dataset) -> None:
    ind = compute_indicators(build_cube(ds))
    change = ind.cube.emp[..., ind.i1] - ind.cube.emp[..., ind.i0]
    parts = ind.ss_national + ind.ss_mix + ind.ss_local
    ok = ~np.isnan(change)
    np.testing.assert_allclose(parts[ok], change[ok], atol=1e-9)


@settings(max_examples=40, deadline=None)
@given(random_dataset())
def test_group_equals_sum_of_districts(ds: Dataset) -> None:
    cube = build_cube(ds)
    for group in ("G0", "G1"):
        members = ds.areas.loc[ds.areas["group_code"] == group, "area_code"]
        pos = [cube.position(m) for m in members]
        g = cube.position(group)
        member_sum = np.nansum(cube.emp[pos], axis=0)
        unknown = np.all(np.isnan(cube.emp[pos]), axis=0)  # sectors absent from the file
        np.testing.assert_allclose(cube.emp[g], np.where(unknown, np.nan, member_sum))
        np.testing.assert_allclose(cube.total[g], cube.total[pos].sum(axis=0))


def test_lq_broadcasts_against_regional_reference() -> None:
    emp = np.array([[[10.0]], [[30.0]]])
    total = np.array([[100.0], [100.0]])
    lq = location_quotient(emp, total, emp.sum(axis=0), total.sum(axis=0))
    # (10/100) / (40/200) = 0.5 and (30/100) / (40/200) = 1.5
    np.testing.assert_allclose(lq[:, 0, 0], [0.5, 1.5])


def test_division_level_data_says_what_it_cannot_separate() -> None:
    rows = [{"area_code": a, "year": y, "sic": s, "employment": v, "suppressed": False}
            for a in ("D1", "D2") for y in (2020, 2021)
            for s, v in (("30", 500.0), ("2910", 100.0), ("TOTAL", 5000.0))]
    areas = pd.DataFrame({"area_code": ["D1", "D2"], "area_name": ["One", "Two"], "level": "lad",
                          "group_code": "", "group_name": "", "region_code": "",
                          "region_name": ""})
    ds = validate_dataset(Dataset(pd.DataFrame(rows), areas, SourceInfo(name="division test")))
    cube = build_cube(ds)
    note = " ".join(cube.notes)
    assert "30" in note and "aerospace" in note and "other_transport" in note
    assert np.isnan(cube.emp[0, AERO]).all()  # not guessed from the division total
    assert cube.emp[0, AUTO, 0] == 100.0
