"""Supply chains and FLQ multipliers: a hand-computed 3-industry economy and the ONS tables."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from evidence.analysis.supply_chain import (
    IOTables,
    aggregate_to_io,
    cilq,
    flq,
    flq_lambda,
    io_industries_for,
    load_io_tables,
    regional_coefficients,
    regional_multipliers,
    sector_input_coefficients,
    sector_output_shares,
    simple_lq,
    supply_chain_profile,
    top_buyers,
    top_suppliers,
    type_i_output_multipliers,
)

# Flows Z_ij (supplier rows) and outputs X = (100, 200, 100); A = Z / X_j.
Z = np.array([[10.0, 20.0, 0.0], [30.0, 10.0, 40.0], [0.0, 20.0, 10.0]])
X = np.array([100.0, 200.0, 100.0])
A = np.array([[0.1, 0.1, 0.0], [0.3, 0.05, 0.4], [0.0, 0.1, 0.1]])
E_R = np.array([10.0, 30.0, 10.0])  # area: 50 jobs
E_N = np.array([200.0, 200.0, 600.0])  # nation: 1000 jobs
LAMBDA = 0.45107841476769495  # log2(1 + 50/1000) ** 0.3


def tiny() -> IOTables:
    codes = ("I1", "I2", "I3")
    return IOTables(
        codes=codes, names=("One", "Two", "Three"), a=A, output=X,
        totals=pd.DataFrame({"code": codes, "output": X}),
        industries=pd.DataFrame({"code": codes, "name": ["One", "Two", "Three"]}),
        sic_map={"1111": "I1", "2221": "I2", "2222": "I2", "3333": "I3"},
    )


def test_coefficients_hand():
    t = tiny()
    np.testing.assert_allclose(t.flows, Z)
    np.testing.assert_allclose(sector_input_coefficients(t, ["I2"]), [0.1, 0.05, 0.1])
    np.testing.assert_allclose(sector_output_shares(t, ["I2"]), [0.15, 0.05, 0.2])
    # Two industries as one sector: (Z_i1 + Z_i3) / (X_1 + X_3) and (Z_1j + Z_3j) / (X_1 + X_3).
    np.testing.assert_allclose(sector_input_coefficients(t, ["I1", "I3"]), [0.05, 0.35, 0.05])
    np.testing.assert_allclose(sector_output_shares(t, ["I1", "I3"]), [0.05, 0.2, 0.05])
    assert top_suppliers(t, ["I2"], 2) == [("I1", pytest.approx(0.1)), ("I3", pytest.approx(0.1))]
    assert [c for c, _ in top_buyers(t, ["I2"])] == ["I3", "I1", "I2"]
    assert [c for c, _ in top_buyers(t, ["I2"], exclude_self=True)] == ["I3", "I1"]
    with pytest.raises(KeyError):
        t.index("nope")


def test_lq_cilq_flq_hand():
    slq = simple_lq(E_R, E_N)
    np.testing.assert_allclose(slq, [1.0, 3.0, 1 / 3])
    expected_cilq = np.array([[1.0, 1 / 3, 3.0], [3.0, 3.0, 9.0], [1 / 3, 1 / 9, 1 / 3]])
    np.testing.assert_allclose(cilq(slq), expected_cilq)
    assert flq_lambda(50.0, 1000.0) == pytest.approx(LAMBDA)
    assert flq_lambda(50.0, 1000.0, delta=0.0) == 1.0
    f = flq(E_R, E_N)
    np.testing.assert_allclose(f, expected_cilq * LAMBDA)
    a_r = regional_coefficients(A, f)
    expected = np.array([
        [0.1 * LAMBDA, 0.1 * LAMBDA / 3, 0.0],
        [0.3, 0.05, 0.4],  # CILQ * lambda >= 1 on this row: national coefficients
        [0.0, 0.1 * LAMBDA / 9, 0.1 * LAMBDA / 3],
    ])
    np.testing.assert_allclose(a_r, expected)


def test_multipliers_hand():
    # 2 x 2: (I - A)^-1 = [[0.6, 0.2], [0.3, 0.9]] / 0.48 -> column sums 0.9/0.48, 1.1/0.48.
    np.testing.assert_allclose(type_i_output_multipliers(np.array([[0.1, 0.2], [0.3, 0.4]])),
                               [1.875, 1.1 / 0.48])
    np.testing.assert_allclose(type_i_output_multipliers(np.diag([0.2, 0.5])), [1.25, 2.0])
    # 3 industries, regional: against the power series sum_k A_r^k.
    a_r = regional_coefficients(A, flq(E_R, E_N))
    series, term = np.eye(3), np.eye(3)
    for _ in range(200):
        term = term @ a_r
        series = series + term
    m = regional_multipliers(E_R, E_N, tiny())
    np.testing.assert_allclose(m, series.sum(axis=0))
    assert (m <= type_i_output_multipliers(A) + 1e-12).all()  # leakage only lowers them


def test_batched_areas_match_one_by_one():
    emp = np.array([E_R, [5.0, 5.0, 40.0], [100.0, 0.0, 1.0]])
    batch = regional_multipliers(emp, E_N, tiny(), nat_total=1000.0)
    for r in range(3):
        np.testing.assert_allclose(
            batch[r], regional_multipliers(emp[r], E_N, tiny(), nat_total=1000.0))


def test_aggregate_and_profile_tiny():
    t = tiny()
    emp = np.array([[1.0, 2.0, 3.0, 4.0, 5.0]])
    got = aggregate_to_io(emp, ["1111", "22.21", "2222", "3333", "9900"], t)
    np.testing.assert_allclose(got, [[1.0, 5.0, 4.0]])  # 9900 is in no IO industry
    assert io_industries_for(["2222", "3333", "2221"], t) == ["I2", "I3"]
    prof = supply_chain_profile("two", ["2221"], E_R, E_N, n=2, tables=t)
    assert prof["io_industry"] == ["I2"]
    assert prof["suppliers"][0] == {"industry": "I1", "name": "One", "coefficient": 0.1,
                                    "local_lq": 1.0}
    assert prof["buyers"][0]["industry"] == "I3" and prof["buyers"][0]["share"] == 0.2
    assert prof["multiplier"]["type_i"] == pytest.approx(
        regional_multipliers(E_R, E_N, t)[1], abs=1e-4)
    assert "delta = 0.3" in prof["multiplier"]["method"]
    nat = supply_chain_profile("two", ["2221"], tables=t)
    assert nat["suppliers"][0]["local_lq"] is None
    with pytest.raises(ValueError):
        supply_chain_profile("none", ["0000"], tables=t)


def test_vendored_tables_reproduce_ons_multipliers():
    t = load_io_tables()
    assert len(t.codes) == 105 and t.a.shape == (105, 105)
    m = type_i_output_multipliers(t.a)
    # Output Type I multipliers as printed on the ONS 2019 "Multipliers" sheet.
    assert m[t.index("C303")] == pytest.approx(1.8168082016289966, abs=1e-9)
    assert m[t.index("C29")] == pytest.approx(1.6542417628443358, abs=1e-9)
    assert t.sic_map["3030"] == "C303" and t.sic_map["2511"] == "C25OTHER"
    assert t.sic_map["2540"] == "C254" and t.sic_map["2060"] == "C20B"
    prof = supply_chain_profile("aerospace", ["30.30"], n=3)
    assert prof["io_industry"] == ["C303"] and len(prof["suppliers"]) == 3
    assert prof["multiplier"]["type_i"] == pytest.approx(1.8168, abs=1e-4)


@settings(max_examples=50, deadline=None)
@given(arrays(np.float64, st.tuples(st.integers(1, 4), st.just(3)),
              elements=st.floats(0, 100, allow_nan=False)),  # area < nation
       st.floats(0.0, 1.0))
def test_flq_invariants(emp, delta):
    emp = emp + np.array([0.0, 1.0, 0.0])  # every area has jobs
    nat = E_N
    lam = flq_lambda(emp.sum(axis=1), nat.sum(), delta)
    assert ((lam > 0) & (lam <= 1)).all()
    a_r = regional_coefficients(A, flq(emp, nat, delta=delta))
    assert ((a_r >= 0) & (a_r <= A + 1e-15)).all()
    m = type_i_output_multipliers(a_r)
    assert ((m >= 1 - 1e-12) & (m <= type_i_output_multipliers(A) + 1e-9)).all()
    # A bigger delta shrinks lambda (E_r < E_n), so regional coefficients do not grow.
    if delta < 1:
        bigger = regional_coefficients(A, flq(emp, nat, delta=min(1.0, delta + 0.5)))
        assert (bigger <= a_r + 1e-12).all()
    assert math.isfinite(float(m.sum()))
