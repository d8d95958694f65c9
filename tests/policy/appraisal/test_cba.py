"""Cost-benefit analysis: hand-computed Green Book examples and invariants."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from policy.appraisal import (
    DEFAULT_PROJECT_TYPE,
    GREEN_BOOK_STPR,
    OPTIMISM_BIAS_SOURCE,
    OPTIMISM_BIAS_TABLE,
    Additionality,
    CashflowLine,
    CbaInputs,
    DiscountBand,
    Option,
    OptionIntervention,
    appraise_cba,
    benefit_cost_ratio,
    cost_lines_from_option,
    discount_factor,
    discount_factors,
    flat_schedule,
    optimism_bias_uplift,
    present_value,
    switching_values,
)

# --------------------------------------------------------------------------------------------
# Discounting


def test_three_year_stream_at_3_5_percent():
    # 100 in each of years 0, 1, 2:
    #   year 0: 100 x 1                 = 100
    #   year 1: 100 / 1.035             =  96.6183575
    #   year 2: 100 / 1.035^2 = 100/1.071225 = 93.3510700
    #   total                           = 289.9694275
    assert present_value({0: 100.0, 1: 100.0, 2: 100.0}) == pytest.approx(289.9694275, abs=1e-6)
    df = discount_factors(2)
    assert df == pytest.approx([1.0, 0.9661835749, 0.9335107004], abs=1e-10)


def test_long_term_discount_factors_compound_per_year_step():
    # The rate of the band a year falls in discounts the step INTO that year:
    #   DF(30) = 1.035^-30                          = 0.3562784106
    #   DF(31) = 1.035^-30 / 1.03                   = 0.3459013695
    #   DF(40) = 1.035^-30 / 1.03^10 = 0.3562784106 / 1.3439163793 = 0.2651045973
    #   DF(75) = 1.035^-30 / 1.03^45                = 0.0942137726
    #   DF(76) = DF(75) / 1.025                     = 0.0919158757
    assert discount_factor(30) == pytest.approx(0.3562784106, abs=1e-10)
    assert discount_factor(31) == pytest.approx(0.3459013695, abs=1e-10)
    assert discount_factor(40) == pytest.approx(0.2651045973, abs=1e-10)
    assert discount_factor(75) == pytest.approx(0.0942137726, abs=1e-10)
    assert discount_factor(76) == pytest.approx(0.0919158757, abs=1e-10)
    # Not the "whole horizon at the long rate" reading, which would give 1.03^-31 = 0.3996.
    assert discount_factor(31) != pytest.approx(1.03**-31, rel=1e-3)


def test_green_book_schedule_bands():
    assert [(b.start_year, b.rate) for b in GREEN_BOOK_STPR[:3]] == [
        (0, 0.035),
        (31, 0.03),
        (76, 0.025),
    ]
    assert discount_factor(0) == 1.0


def test_flat_schedule_matches_closed_form():
    assert discount_factor(10, flat_schedule(0.05)) == pytest.approx(1.05**-10)


@pytest.mark.parametrize(
    "schedule, message",
    [
        ([], "empty"),
        ([DiscountBand(start_year=1, rate=0.03)], "start at year 0"),
        (
            [DiscountBand(start_year=0, rate=0.03), DiscountBand(start_year=0, rate=0.02)],
            "increasing",
        ),
    ],
)
def test_bad_schedules_rejected(schedule, message):
    with pytest.raises(ValueError, match=message):
        discount_factors(5, schedule)


def test_discount_rate_must_be_a_fraction():
    with pytest.raises(ValueError, match="fraction"):
        DiscountBand(start_year=0, rate=3.5)


@settings(max_examples=50, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(1, 60), st.floats(0.001, 0.2)),
        min_size=0,
        max_size=4,
        unique_by=lambda b: b[0],
    ),
    st.floats(0.001, 0.2),
    st.integers(1, 400),
)
def test_discount_factors_strictly_decrease_with_positive_rates(bands, first_rate, last_year):
    schedule = [DiscountBand(start_year=0, rate=first_rate)] + [
        DiscountBand(start_year=s, rate=r) for s, r in sorted(bands)
    ]
    df = discount_factors(last_year, schedule)
    assert df[0] == 1.0
    assert np.all(np.diff(df) < 0)


def test_green_book_factors_strictly_decrease_to_year_400():
    assert np.all(np.diff(discount_factors(400)) < 0)


# --------------------------------------------------------------------------------------------
# Optimism bias and additionality


def test_optimism_bias_uplift_by_hand():
    # 10 GBP m at the standard-buildings upper bound, 24%: 10 x 1.24 = 12.4
    pct = OPTIMISM_BIAS_TABLE["standard_buildings"].capex_upper_pct
    assert pct == 24
    assert optimism_bias_uplift(10.0, pct) == pytest.approx(12.4)
    with pytest.raises(ValueError, match="percentage"):
        optimism_bias_uplift(10.0, -5)


def test_optimism_bias_table_and_default():
    # Issue 12: the old default applied the equipment/development capital uplift (200%) to
    # revenue programmes. Revenue now defaults to the outsourcing category (the only one the
    # guidance measures on operating expenditure), capital to non-standard buildings.
    assert OPTIMISM_BIAS_TABLE["equipment_development"].capex_upper_pct == 200
    assert OPTIMISM_BIAS_TABLE["non_standard_civil_engineering"].capex_upper_pct == 66
    assert DEFAULT_PROJECT_TYPE == "outsourcing"
    assert "Mott MacDonald" in OPTIMISM_BIAS_SOURCE
    inputs = CbaInputs(lines=[CashflowLine(label="c", kind="cost", amounts={0: 1.0})])
    assert inputs.applied_optimism_bias_pct == 41
    result = appraise_cba(inputs)
    # 1 x (1 + 41/100) = 1.41 in year 0, undiscounted
    assert result.pv_costs == pytest.approx(1.41)
    assert "operating expenditure" in result.optimism_bias_source


def test_additionality_chain_four_factors_by_hand():
    # 100 x (1 - 0.20) x (1 - 0.25) x (1 - 0.10) x (1 - 0.05)
    #   = 100 x 0.8 x 0.75 x 0.9 x 0.95 = 60 x 0.855 = 51.3
    add = Additionality(deadweight=0.2, displacement=0.25, leakage=0.1, substitution=0.05)
    assert add.net(100.0) == pytest.approx(51.3)
    # with a composite multiplier of 1.5: 51.3 x 1.5 = 76.95
    assert add.model_copy(update={"multiplier": 1.5}).net(100.0) == pytest.approx(76.95)
    assert Additionality().factor() == 1.0


@pytest.mark.parametrize("field", ["deadweight", "displacement", "leakage", "substitution"])
def test_additionality_rejects_percentages_with_a_hint(field):
    with pytest.raises(ValueError, match=rf"{field}.*0.25 for 25%"):
        Additionality(**{field: 25})
    with pytest.raises(ValueError, match=field):
        Additionality(**{field: -0.1})


def test_additionality_multiplier_must_be_positive():
    with pytest.raises(ValueError, match="multiplier"):
        Additionality(multiplier=0)


# --------------------------------------------------------------------------------------------
# NPV, BCR, switching values


def _simple(ob: float = 0.0, deadweight: float = 0.0, gross: float = 60.0) -> CbaInputs:
    return CbaInputs(
        option_id="opt",
        lines=[
            CashflowLine(label="capital grant", kind="cost", amounts={0: 100.0}),
            CashflowLine(label="GVA uplift", kind="benefit", amounts={1: gross, 2: gross}),
        ],
        optimism_bias_pct=ob,
        additionality=Additionality(deadweight=deadweight),
    )


def test_npv_and_bcr_by_hand():
    # PV costs    = 100 (year 0)
    # PV benefits = 60/1.035 + 60/1.035^2 = 57.9710145 + 56.0106420 = 113.9816565
    # NPV         = 113.9816565 - 100 = 13.9816565;  BCR = 1.1398166
    r = appraise_cba(_simple())
    assert r.pv_costs == pytest.approx(100.0)
    assert r.pv_benefits == pytest.approx(113.9816565, abs=1e-6)
    assert r.npv == pytest.approx(13.9816565, abs=1e-6)
    assert r.bcr == pytest.approx(1.1398166, abs=1e-6)
    # Switching values: benefits may fall by NPV/PVB = 13.9816565/113.9816565 = 12.2665848%;
    # costs may rise by NPV/PVC = 13.9816565%.
    assert r.switching.benefits_pct == pytest.approx(-12.2665848, abs=1e-6)
    assert r.switching.costs_pct == pytest.approx(13.9816565, abs=1e-6)
    assert r.switching.benefits_pct_for_bcr == pytest.approx(r.switching.benefits_pct)


def test_npv_with_optimism_bias_and_additionality_by_hand():
    # costs 100 x 1.20 = 120 (year 0); benefits 80 x (1 - 0.25) = 60 in years 1 and 2
    # PVB = 113.9816565 (as above); NPV = 113.9816565 - 120 = -6.0183435
    # BCR = 113.9816565 / 120 = 0.9498471
    # switching: benefits must rise 6.0183435 / 113.9816565 = +5.2800983%;
    #            costs must fall 6.0183435 / 120 = -5.0152862%
    r = appraise_cba(_simple(ob=20.0, deadweight=0.25, gross=80.0))
    assert r.pv_costs == pytest.approx(120.0)
    assert r.npv == pytest.approx(-6.0183435, abs=1e-6)
    assert r.bcr == pytest.approx(0.9498471, abs=1e-6)
    assert r.switching.benefits_pct == pytest.approx(5.2800983, abs=1e-6)
    assert r.switching.costs_pct == pytest.approx(-5.0152862, abs=1e-6)
    assert r.additionality_factor == pytest.approx(0.75)
    assert r.optimism_bias_source == "user-set"


def test_switching_value_makes_npv_zero_by_hand():
    # Cutting PV benefits by 12.2665848% in the first example: 113.9816565 x (1 - 0.122665848)
    # = 100.0000 = PV costs, so NPV = 0. Same via gross benefits, as additionality is linear.
    base = _simple()
    sv = appraise_cba(base).switching.benefits_pct
    scaled = _simple(gross=60.0 * (1 + sv / 100))
    assert appraise_cba(scaled).npv == pytest.approx(0.0, abs=1e-9)


def test_bcr_switching_value_to_threshold():
    # BCR 2 needs PVB = 2 x 100 = 200: (200 / 113.9816565 - 1) = +75.4668...%
    # or PVC = 113.9816565 / 2 = 56.99: (113.9816565 / 200 - 1) = -43.0091718%
    sv = switching_values(113.9816565, 100.0, bcr_threshold=2.0)
    assert sv.benefits_pct_for_bcr == pytest.approx((200 / 113.9816565 - 1) * 100)
    assert sv.costs_pct_for_bcr == pytest.approx(-43.0091718, abs=1e-6)


def test_bcr_undefined_without_costs():
    assert benefit_cost_ratio(10.0, 0.0) is None
    r = appraise_cba(CbaInputs(lines=[CashflowLine(label="b", kind="benefit", amounts={0: 5.0})]))
    assert r.bcr is None
    assert r.switching.costs_pct is None
    assert r.switching.benefits_pct == pytest.approx(-100.0)
    empty = switching_values(0.0, 0.0)
    assert empty.benefits_pct is None and empty.costs_pct is None


def test_per_year_table_for_export():
    inputs = _simple(ob=10.0, deadweight=0.5).model_copy(update={"first_year": 2026})
    r = appraise_cba(inputs)
    frame = r.to_frame()
    assert list(frame.columns[:10]) == [
        "year",
        "calendar_year",
        "cost_base",
        "cost",
        "benefit_gross",
        "benefit",
        "discount_factor",
        "pv_cost",
        "pv_benefit",
        "pv_net",
    ]
    assert frame["year"].tolist() == [0, 1, 2]
    assert frame["calendar_year"].tolist() == [2026, 2027, 2028]
    assert frame.loc[0, "cost"] == pytest.approx(110.0)
    assert frame.loc[1, "benefit"] == pytest.approx(30.0)
    assert frame["pv_cost"].sum() == pytest.approx(r.pv_costs)
    assert frame["pv_benefit"].sum() == pytest.approx(r.pv_benefits)
    assert frame["cumulative_npv"].iloc[-1] == pytest.approx(r.npv)
    by_label = {line.label: line for line in r.lines}
    assert by_label["capital grant"].total_adjusted == pytest.approx(110.0)
    assert by_label["GVA uplift"].present_value == pytest.approx(r.pv_benefits)


def test_unadjusted_lines_skip_optimism_bias_and_additionality():
    r = appraise_cba(
        CbaInputs(
            lines=[
                CashflowLine(label="c", kind="cost", amounts={0: 10.0}, adjust=False),
                CashflowLine(label="b", kind="benefit", amounts={0: 10.0}, adjust=False),
            ],
            optimism_bias_pct=50,
            additionality=Additionality(deadweight=0.5),
        )
    )
    assert r.pv_costs == pytest.approx(10.0)
    assert r.pv_benefits == pytest.approx(10.0)


def test_last_year_extends_table_and_guards_late_amounts():
    inputs = _simple().model_copy(update={"last_year": 5})
    assert len(appraise_cba(CbaInputs.model_validate(inputs.model_dump())).years) == 6
    with pytest.raises(ValueError, match="'GVA uplift'.*year 2.*last_year 1"):
        CbaInputs.model_validate({**_simple().model_dump(), "last_year": 1})


def test_cost_lines_from_option_phasing():
    # 30 GBP m over 3 years from year 1 -> 10 in years 1, 2, 3
    option = Option(
        id="skills",
        name="Skills",
        interventions=[
            OptionIntervention(
                intervention_id="skills_hub",
                budget_gbp_m=30,
                start_year_offset=1,
                duration_years=3,
            )
        ],
    )
    lines = cost_lines_from_option(option)
    assert lines[0].amounts == {1: 10.0, 2: 10.0, 3: 10.0}
    r = appraise_cba(CbaInputs(option_id="skills", lines=lines, optimism_bias_pct=0))
    assert r.pv_costs == pytest.approx(10 / 1.035 + 10 / 1.035**2 + 10 / 1.035**3)


def test_cashflow_validation_names_the_line():
    with pytest.raises(ValueError, match="line 'grant', year 2: amount must be"):
        CashflowLine(label="grant", kind="cost", amounts={2: -1.0})
    with pytest.raises(ValueError, match="line 'grant': year -1"):
        CashflowLine(label="grant", kind="cost", amounts={-1: 1.0})
    with pytest.raises(ValueError, match="amount must be"):
        CashflowLine(label="grant", kind="cost", amounts={0: math.nan})
    with pytest.raises(ValueError, match="kind"):
        CashflowLine(label="grant", kind="income", amounts={0: 1.0})


def test_cba_inputs_validation():
    line = CashflowLine(label="c", kind="cost", amounts={0: 1.0})
    with pytest.raises(ValueError, match="option 'x': cash-flow line label 'c' is used more"):
        CbaInputs(option_id="x", lines=[line, line])
    with pytest.raises(ValueError, match="unknown project type 'bridges'"):
        CbaInputs(lines=[line], project_type="bridges")
    with pytest.raises(ValueError, match="optimism bias"):
        CbaInputs(lines=[line], optimism_bias_pct=-1)
    with pytest.raises(ValueError, match="bcr_threshold"):
        CbaInputs(lines=[line], bcr_threshold=0)


def test_cba_result_round_trips_json():
    r = appraise_cba(_simple(ob=10))
    again = type(r).model_validate_json(r.model_dump_json())
    assert again == r
    inputs = _simple()
    assert CbaInputs.model_validate_json(inputs.model_dump_json()) == inputs


# --------------------------------------------------------------------------------------------
# Invariants

amounts_st = st.dictionaries(
    st.integers(0, 60),
    st.one_of(st.just(0.0), st.floats(1e-3, 1e4)),  # no subnormals: 1e4 / 5e-324 overflows
    min_size=1,
    max_size=8,
)


def _inputs(costs: dict[int, float], benefits: dict[int, float], **kw) -> CbaInputs:
    return CbaInputs(
        lines=[
            CashflowLine(label="c", kind="cost", amounts=costs),
            CashflowLine(label="b", kind="benefit", amounts=benefits),
        ],
        **kw,
    )


@settings(max_examples=60, deadline=None)
@given(amounts_st, amounts_st, amounts_st, st.floats(0.0, 10.0), st.floats(0.0, 300.0))
def test_npv_is_linear_in_benefits(costs, b1, b2, lam, ob):
    add = Additionality(deadweight=0.3, leakage=0.1)

    def npv(benefits):
        return appraise_cba(_inputs(costs, benefits, optimism_bias_pct=ob, additionality=add)).npv

    pvc = appraise_cba(_inputs(costs, {0: 0.0}, optimism_bias_pct=ob)).pv_costs
    scaled = {t: lam * v for t, v in b1.items()}
    summed = {t: b1.get(t, 0.0) + b2.get(t, 0.0) for t in set(b1) | set(b2)}
    tol = 1e-9 * (1 + pvc + sum(b1.values()) * (1 + lam) + sum(b2.values()))
    # NPV(lam b) + PVC = lam (NPV(b) + PVC); NPV(b1 + b2) + PVC = (NPV(b1) + PVC) + (NPV(b2) + PVC)
    assert npv(scaled) + pvc == pytest.approx(lam * (npv(b1) + pvc), abs=tol)
    assert npv(summed) + pvc == pytest.approx(npv(b1) + npv(b2) + 2 * pvc, abs=tol)


@settings(max_examples=60, deadline=None)
@given(amounts_st, amounts_st, st.floats(0.0, 200.0), st.floats(0.0, 0.9))
@example({41: 0.001}, {0: 4426.0}, 0.0, 0.0)  # found by hypothesis: BCR 17 million
def test_switching_values_applied_give_npv_zero(costs, benefits, ob, deadweight):
    kw = {"optimism_bias_pct": ob, "additionality": Additionality(deadweight=deadweight)}
    r = appraise_cba(_inputs(costs, benefits, **kw))
    scale = 1e-9 * (1 + r.pv_costs + r.pv_benefits)
    sv = r.switching
    if sv.benefits_pct is not None:
        f = 1 + sv.benefits_pct / 100
        moved = appraise_cba(_inputs(costs, {t: v * f for t, v in benefits.items()}, **kw))
        assert moved.npv == pytest.approx(0.0, abs=scale * (1 + f))
    if sv.costs_pct is not None:
        f = 1 + sv.costs_pct / 100
        moved = appraise_cba(_inputs({t: v * f for t, v in costs.items()}, benefits, **kw))
        assert moved.npv == pytest.approx(0.0, abs=scale * (1 + f))
    if sv.benefits_pct_for_bcr is not None and r.pv_costs > 1e-6:
        s2 = switching_values(r.pv_benefits, r.pv_costs, bcr_threshold=1.5)
        f = 1 + s2.benefits_pct_for_bcr / 100
        moved = appraise_cba(_inputs(costs, {t: v * f for t, v in benefits.items()}, **kw))
        # f = 1 + pct / 100 loses about eps / f of relative precision when benefits dwarf
        # costs (pct near -100: f ~ 1e-7 in the example below), so the tolerance grows with it
        assert moved.bcr == pytest.approx(1.5, rel=1e-9 + 1e-15 / f)


def test_green_book_schedule_is_a_copy_per_inputs():
    a = _simple()
    a.discount_schedule.append(DiscountBand(start_year=500, rate=0.0))
    assert len(_simple().discount_schedule) == len(GREEN_BOOK_STPR)
