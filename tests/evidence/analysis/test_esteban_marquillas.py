"""Esteban-Marquillas shift-share: a hand-computed 2 x 2 example and identities."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from evidence.analysis.esteban_marquillas import esteban_marquillas, homothetic_employment
from evidence.indicators import shift_share

START = np.array([[60.0, 40.0], [40.0, 60.0]])
END = np.array([[78.0, 40.0], [48.0, 72.0]])


def test_hand_example():
    # E_r = E_i = 100, E = 200 -> E* = 50 everywhere. g_N = 38/200 = 0.19,
    # r_0 = 26/100, r_1 = 12/100; r_A0 = 0.3, r_B0 = 0.2, r_A1 = 0, r_B1 = 0.2.
    em = esteban_marquillas(START, END)
    np.testing.assert_allclose(em.homothetic, 50.0)
    np.testing.assert_allclose(em.advantage, [[0.04, -0.12], [-0.06, 0.08]])
    np.testing.assert_allclose(em.competitive, [[2.4, -4.8], [-2.4, 4.8]])
    np.testing.assert_allclose(em.homothetic_competitive, [[2.0, -6.0], [-3.0, 4.0]])
    np.testing.assert_allclose(em.allocation, [[0.4, 1.2], [0.6, 0.8]])
    assert em.national[0, 0] == pytest.approx(11.4)
    assert em.mix[0, 0] == pytest.approx(4.2)
    assert em.allocation_type[0, 0] == "specialised, competitive advantage"
    assert em.allocation_type[1, 0] == "not specialised, competitive disadvantage"


def test_explicit_totals_and_types():
    # Area totals of 1000 and a national economy of 4000 (only 200 in these sectors).
    em = esteban_marquillas(START, END, area_total=np.array([1000.0, 1000.0]),
                            nat_total_start=4000.0, nat_total_end=4400.0)
    np.testing.assert_allclose(em.homothetic, 1000 * 100 / 4000)  # 25
    assert em.allocation_type[0, 1] == "specialised, competitive disadvantage"  # 40 > 25, r < r_i
    np.testing.assert_allclose(em.national, START * 0.1)
    np.testing.assert_allclose(homothetic_employment(np.array([10.0]), np.array([1.0, 3.0]), 4.0),
                               [[2.5, 7.5]])


def test_new_sector_and_no_change():
    start = np.array([[0.0, 10.0], [10.0, 10.0]])
    end = np.array([[5.0, 10.0], [10.0, 10.0]])
    em = esteban_marquillas(start, end)
    assert em.competitive[0, 0] == pytest.approx(5.0 - 0.0)
    assert np.isnan(em.allocation[0, 0]) and em.allocation_type[0, 0] == "unknown"
    assert em.advantage[0, 1] == 0.0 and em.allocation_type[0, 1] == "none"  # 10 -> 10, r_i = 0


shapes = st.tuples(st.integers(1, 6), st.integers(1, 5))
pos = st.floats(1, 1e4, allow_nan=False)


@settings(max_examples=80, deadline=None)
@given(shapes.flatmap(lambda s: st.tuples(arrays(np.float64, s, elements=pos),
                                          arrays(np.float64, s, elements=st.floats(0, 1e4)))))
def test_identities(pair):
    start, end = pair
    em = esteban_marquillas(start, end)
    scale = 1e-9 * (1 + np.abs(end - start).max() + start.max())
    np.testing.assert_allclose(em.homothetic_competitive + em.allocation, em.competitive,
                               atol=scale)
    np.testing.assert_allclose(em.national + em.mix + em.homothetic_competitive + em.allocation,
                               end - start, atol=scale)
    # Homothetic employment reproduces the national sector totals and the area totals.
    np.testing.assert_allclose(em.homothetic.sum(axis=0), start.sum(axis=0), rtol=1e-9)
    np.testing.assert_allclose(em.homothetic.sum(axis=1), start.sum(axis=1), rtol=1e-9)
    # Same national share, mix and competitive effect as the classic decomposition.
    ns, im, lc = shift_share(start, end, start.sum(0), end.sum(0), start.sum(), end.sum())
    np.testing.assert_allclose(em.competitive, lc, atol=scale)
    np.testing.assert_allclose(em.mix, im, atol=scale)
    # Allocation > 0 exactly when specialisation and advantage share a sign.
    s = em.specialisation * em.advantage
    assert ((em.allocation > 0) == (s > 0)).all()
