"""Relatedness: a hand-computed 4-area x 5-class example and hypothesis invariants."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from evidence.analysis.relatedness import (
    association_strength,
    class_lq,
    feasible_next,
    presence,
    proximity,
    relatedness_density,
    relatedness_space,
)

# Presence pattern; 10 jobs in each present cell, so area totals are 30 and class totals
# 30, 30, 20, 20, 20 of 120: LQ = (10/30)/(30/120) = 4/3 for classes 0-1 and 2 for classes 2-4.
M = np.array(
    [
        [1, 1, 1, 0, 0],
        [1, 1, 0, 1, 0],
        [1, 0, 0, 1, 1],
        [0, 1, 1, 0, 1],
    ],
    dtype=float,
)
EMP = M * 10.0
CLASSES = ["c0", "c1", "c2", "c3", "c4"]
# phi_ij = U_ij / max(k_i, k_j), ubiquity k = (3, 3, 2, 2, 2); zero diagonal.
PHI = np.array(
    [
        [0, 2 / 3, 1 / 3, 2 / 3, 1 / 3],
        [2 / 3, 0, 2 / 3, 1 / 3, 1 / 3],
        [1 / 3, 2 / 3, 0, 0, 1 / 2],
        [2 / 3, 1 / 3, 0, 0, 1 / 2],
        [1 / 3, 1 / 3, 1 / 2, 1 / 2, 0],
    ]
)


def test_class_lq_hand():
    lq = class_lq(EMP)
    assert lq[0, 0] == pytest.approx(4 / 3)
    assert lq[0, 2] == pytest.approx(2.0)
    assert lq[0, 3] == 0.0
    np.testing.assert_array_equal(presence(lq), M)


def test_class_lq_with_reference_and_totals():
    ref = np.array([100.0, 100.0, 100.0, 100.0, 600.0])
    lq = class_lq(EMP, ref, area_total=np.full(4, 60.0), ref_total=2000.0)
    # (10/60) / (100/2000) = 10/3
    assert lq[0, 0] == pytest.approx(10 / 3)


def test_proximity_hand():
    np.testing.assert_allclose(proximity(M), PHI)


def test_density_hand():
    d = relatedness_density(M, PHI)
    assert d[0, 3] == pytest.approx(2 / 3)  # (2/3 + 1/3 + 0) / 1.5
    assert d[0, 4] == pytest.approx(0.7)  # (1/3 + 1/3 + 1/2) / (5/3)
    assert d[0, 0] == pytest.approx(0.5)
    assert d[2, 1] == pytest.approx(2 / 3)
    assert d[2, 2] == pytest.approx(5 / 9)


def test_association_strength_hand():
    r = association_strength(M)
    # C01 = 2, S0 = S1 = 6, N = 24 -> 2 * 24 / 36
    assert r[0, 1] == pytest.approx(4 / 3)
    assert r[2, 3] == 0.0
    assert r[3, 4] == pytest.approx(1.5)  # 1 * 24 / (4 * 4)
    np.testing.assert_array_equal(np.diag(r), 0.0)


def test_feasible_next_hand():
    space = relatedness_space(EMP, CLASSES)
    out = feasible_next(space, 0, ["c2", "c3", "c4", "not-a-class"])
    assert [f.code for f in out] == ["c4", "c3"]  # c2 already has LQ >= 1
    assert out[0].density == pytest.approx(0.7)
    assert [r.code for r in out[0].related] == ["c2", "c0", "c1"]
    assert out[0].related[0].relatedness == pytest.approx(0.5)
    assert [r.code for r in out[1].related] == ["c0", "c1"]  # phi(c3, c2) = 0 is left out
    assert feasible_next(space, 0, ["c4", "c3"], top=1, n_related=1)[0].related[0].code == "c2"


def test_space_association_method_and_errors():
    space = relatedness_space(EMP, CLASSES, method="association")
    assert space.method == "association"
    assert space.index("c3") == 3
    with pytest.raises(KeyError):
        space.index("zz")
    with pytest.raises(ValueError):
        relatedness_space(EMP, CLASSES[:3])
    with pytest.raises(ValueError):
        relatedness_space(EMP, CLASSES, method="nope")  # type: ignore[arg-type]


def test_unrelated_class_density_is_nan():
    m = np.array([[1.0, 0.0], [0.0, 1.0]])
    d = relatedness_density(m, proximity(m))
    assert np.isnan(d).all()


emp_matrices = st.tuples(st.integers(2, 8), st.integers(2, 8)).flatmap(
    lambda s: arrays(np.float64, s, elements=st.integers(0, 50).map(float))
)


@settings(max_examples=60, deadline=None)
@given(emp_matrices)
def test_invariants(emp):
    for method in ("proximity", "association"):
        space = relatedness_space(emp, [str(i) for i in range(emp.shape[1])], method=method)
        rel = space.relatedness
        np.testing.assert_allclose(rel, rel.T)
        np.testing.assert_array_equal(np.diag(rel), 0.0)
        assert (rel >= 0).all()
        d = space.density[np.isfinite(space.density)]
        assert ((d >= -1e-12) & (d <= 1 + 1e-12)).all()
    phi = proximity(presence(class_lq(emp)))
    assert (phi <= 1).all()


@settings(max_examples=40, deadline=None)
@given(emp_matrices, st.randoms(use_true_random=False))
def test_class_permutation_equivariance(emp, rnd):
    perm = np.array(rnd.sample(range(emp.shape[1]), emp.shape[1]))
    m = presence(class_lq(emp))
    phi = proximity(m)
    np.testing.assert_allclose(proximity(m[:, perm]), phi[np.ix_(perm, perm)])
    d = relatedness_density(m, phi)
    np.testing.assert_allclose(relatedness_density(m[:, perm], phi[np.ix_(perm, perm)]),
                               d[:, perm])


@settings(max_examples=40, deadline=None)
@given(emp_matrices)
def test_lq_weighted_mean_is_one(emp):
    lq = class_lq(emp)
    nat = emp.sum(axis=0) / emp.sum() if emp.sum() else None
    if nat is None:
        return
    has_jobs = emp.sum(axis=1) > 0
    np.testing.assert_allclose(np.nansum(lq[has_jobs] * nat, axis=1), 1.0)
