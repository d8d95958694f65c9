"""Related and unrelated variety: a hand example and the decomposition identity."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from evidence.analysis.variety import entropy, variety, within_group_entropy

CLASSES = ["2511", "2512", "2910", "2920"]


def test_hand_example():
    # shares 1/4, 1/4 (division 25), 1/2, 0 (division 29)
    v = variety(np.array([[2.0, 2.0, 4.0, 0.0]]), CLASSES)
    assert v.unrelated[0] == pytest.approx(1.0)  # two divisions of 1/2: 1 bit
    assert v.related[0] == pytest.approx(0.5)  # 1/2 * H(1/2, 1/2) + 1/2 * H(1) = 1/2
    assert v.total[0] == pytest.approx(1.5)  # 2 * 1/4 * 2 + 1/2 * 1
    assert v.divisions == ("25", "29")
    np.testing.assert_allclose(within_group_entropy(np.array([2.0, 2.0, 4.0, 0.0]), CLASSES),
                               [1.0, 0.0])


def test_single_class_and_empty_area():
    v = variety(np.array([[0.0, 0.0, 5.0, 0.0], [0.0, 0.0, 0.0, 0.0]]), CLASSES)
    assert v.total[0] == 0.0 and v.related[0] == 0.0 and v.unrelated[0] == 0.0
    assert np.isnan(v.total[1]) and np.isnan(v.related[1]) and np.isnan(v.unrelated[1])


def test_even_spread_is_log2_n():
    v = variety(np.ones((1, 4)), CLASSES)
    assert v.total[0] == pytest.approx(2.0)
    assert entropy(np.full(8, 1 / 8)) == pytest.approx(3.0)


def test_wrong_shape_and_explicit_groups():
    with pytest.raises(ValueError):
        variety(np.ones((1, 3)), CLASSES)
    v = variety(np.ones((1, 4)), CLASSES, groups=["a", "a", "a", "a"])
    assert v.unrelated[0] == 0.0 and v.related[0] == pytest.approx(2.0)


def _random_codes(n: int, n_div: int) -> list[str]:
    return [f"{10 + (i % n_div):02d}{i:02d}" for i in range(n)]


@settings(max_examples=80, deadline=None)
@given(
    st.integers(1, 5).flatmap(
        lambda n_div: st.tuples(
            st.just(n_div),
            arrays(np.float64, st.tuples(st.integers(1, 6), st.integers(1, 12)),
                   elements=st.floats(0, 1e4, allow_nan=False)),
        )
    )
)
def test_decomposition_identity(args):
    n_div, emp = args
    classes = _random_codes(emp.shape[1], n_div)
    v = variety(emp, classes)
    ok = emp.sum(axis=1) > 0
    np.testing.assert_allclose(v.total[ok], v.related[ok] + v.unrelated[ok], atol=1e-9)
    assert (v.related[ok] >= -1e-12).all() and (v.unrelated[ok] >= -1e-12).all()
    assert (v.total[ok] <= np.log2(emp.shape[1]) + 1e-9).all()
    # RV = sum_g P_g H_g computed the long way, division by division.
    hg = within_group_entropy(emp, classes)
    divs = sorted({c[:2] for c in classes})
    for r in np.flatnonzero(ok):
        p = emp[r] / emp[r].sum()
        pg = np.array([p[[c[:2] == d for c in classes]].sum() for d in divs])
        assert np.nansum(pg * hg[r]) == pytest.approx(v.related[r], abs=1e-9)
