"""Issue 12's Green Book CBA: typed costs, optimism bias by type of spend, additionality
benchmarks, benefit streams, BCR on public cost, VfM categories, sensitivity, the cba file."""

from __future__ import annotations

import json
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evidence.problems import ProblemError
from evidence.service import Evidence
from evidence.sources.demo import ARCHETYPES
from policy.appraisal import (
    ADDITIONALITY_SOURCE,
    BENCHMARK_TYPES,
    OPTIMISM_BIAS_DEFAULTS,
    VFM_SOURCE,
    Additionality,
    BenefitStream,
    CashflowLine,
    CbaInputs,
    Option,
    OptionCba,
    OptionIntervention,
    appraise_cba,
    benchmark_additionality,
    cba_file_markdown,
    cba_file_output,
    discount_factor,
    flat_schedule,
    io_multiplier_of,
    option_additionality,
    parse_cba_file,
    vfm_category,
)
from policy.walkthrough import new_session

ISSUE_FILE = {
    "costs": [{"year": t, "amount": 1.0, "type": "revenue", "public": True} for t in range(5)],
    "benefits": [{"year": t, "amount": 2.0} for t in range(1, 11)],
    "additionality": {"deadweight": 0.4, "displacement": 0.25, "leakage": 0.1},
    "optimism_bias": {"percent": 0},
}


def test_the_issue_example_by_hand():
    # net additionality 0.6 x 0.75 x 0.9 = 0.405
    # PV costs = 1 + 1/1.035 + 1/1.035^2 + 1/1.035^3 + 1/1.035^4 = 4.6730789
    # PV benefits = 2 x 0.405 x sum_{t=1..10} 1.035^-t = 0.81 x 8.3166053 = 6.7364503
    # BCR = 6.7364503 / 4.6730789 = 1.4415 -> 1.44, "low" (1 to 1.5)
    inputs = parse_cba_file(ISSUE_FILE)
    r = appraise_cba(inputs)
    assert r.additionality_factor == pytest.approx(0.405)
    assert round(discount_factor(31), 4) == 0.3459
    assert r.pv_costs == pytest.approx(4.6730789, abs=1e-6)
    assert r.pv_benefits == pytest.approx(6.7364503, abs=1e-6)
    assert round(r.bcr, 2) == 1.44
    assert r.vfm_category == "low"
    out = cba_file_output(r)
    assert out["additionality_factor"] == pytest.approx(0.405)
    assert round(out["bcr"], 2) == 1.44 and out["vfm_category"] == "low"
    assert out["optimism_bias_applied"]["percent"] == 0
    assert set(out) >= {"additionality_factor", "discount_factors", "pv_costs",
                        "pv_private_costs", "pv_benefits", "npv", "bcr", "vfm_category",
                        "optimism_bias_applied", "switching_values"}
    assert set(out["optimism_bias_applied"]) >= {"percent", "category", "basis"}
    assert out["discount_factors"]["0"] == 1.0
    json.dumps(out)  # plain JSON


def test_streams_give_the_same_answer_as_rows():
    data = {**ISSUE_FILE, "benefits": [{"start_year": 1, "years": 10, "amount": 2.0}]}
    assert appraise_cba(parse_cba_file(data)).bcr == pytest.approx(
        appraise_cba(parse_cba_file(ISSUE_FILE)).bcr)


def test_revenue_default_is_never_the_equipment_uplift():
    data = {k: v for k, v in ISSUE_FILE.items() if k != "optimism_bias"}
    r = appraise_cba(parse_cba_file(data))
    applied = cba_file_output(r)["optimism_bias_applied"]
    assert applied["category"] == OPTIMISM_BIAS_DEFAULTS["revenue"].category == "outsourcing"
    assert applied["percent"] == 41
    assert "operating expenditure" in applied["basis"]
    # PV costs 4.6730789 x 1.41
    assert r.pv_costs == pytest.approx(4.6730789 * 1.41, abs=1e-6)


def test_capital_and_revenue_get_their_own_bias_and_the_user_can_change_either():
    lines = [
        CashflowLine(label="centre", kind="cost", amounts={0: 10.0}, spend_type="capital"),
        CashflowLine(label="advice", kind="cost", amounts={0: 10.0}, spend_type="revenue"),
    ]
    r = appraise_cba(CbaInputs(lines=lines))
    # 10 x 1.51 + 10 x 1.41 = 29.2
    assert r.pv_costs == pytest.approx(29.2)
    assert [(o.spend_type, o.percent) for o in r.optimism_bias_applied] == [
        ("capital", 51), ("revenue", 41)]
    assert r.optimism_bias_pct == pytest.approx(46.0)
    r2 = appraise_cba(CbaInputs(lines=lines, optimism_bias={
        "capital": {"category": "standard_buildings"}, "revenue": {"percent": 10}}))
    # 10 x 1.24 + 10 x 1.10 = 23.4
    assert r2.pv_costs == pytest.approx(23.4)


def test_bcr_is_on_public_cost_and_private_co_funding_is_in_the_social_npv():
    opt = Option(id="o", name="O", interventions=[OptionIntervention(
        intervention_id="hub", budget_gbp_m=10, private_gbp_m=5, spend_type="capital")])
    cba = OptionCba(optimism_bias_pct=0, benefit_lines=[
        CashflowLine(label="GVA", kind="benefit", amounts={0: 30.0})])
    r = appraise_cba(cba.cba_inputs(opt))
    assert r.pv_costs == pytest.approx(10.0)
    assert r.pv_private_costs == pytest.approx(5.0)
    assert r.bcr == pytest.approx(3.0)  # 30 / 10, not 30 / 15
    assert r.npv == pytest.approx(15.0)  # 30 - 10 - 5
    assert r.vfm_category == "high"


def test_no_benefits_means_no_bcr_not_zero():
    r = appraise_cba(CbaInputs(lines=[CashflowLine(label="c", kind="cost", amounts={0: 1.0})]))
    assert r.bcr is None and r.vfm_category is None
    assert "not assessed" in r.vfm_statement


@pytest.mark.parametrize("bcr, category", [
    (0.99, "poor"), (1.0, "low"), (1.49, "low"), (1.5, "medium"), (1.99, "medium"),
    (2.0, "high"), (3.99, "high"), (4.0, "very_high"), (12.0, "very_high"), (-0.5, "poor"),
])
def test_vfm_bands(bcr, category):
    assert vfm_category(bcr).id == category
    assert vfm_category(None) is None
    assert "DfT" in VFM_SOURCE and "DLUHC" in VFM_SOURCE


def test_jobs_template_and_persistence_by_hand():
    # 50 jobs x GBP 60k = GBP 3m in year 2, then x 0.8 a year: 3, 2.4, 1.92
    s = BenefitStream(label="jobs", start_year=2, years=3, jobs=50, gva_per_job_gbp_k=60,
                      persistence=0.8)
    assert s.amounts() == pytest.approx({2: 3.0, 3: 2.4, 4: 1.92})
    assert "50 jobs x GBP 60k" in s.to_line().note
    with pytest.raises(ValueError, match="either amount_gbp_m or jobs"):
        BenefitStream(label="x", start_year=0, years=1)
    with pytest.raises(ValueError, match="persistence"):
        BenefitStream(label="x", start_year=0, years=1, amount_gbp_m=1, persistence=1.5)


def test_uk_level_net_impact_is_reported_beside_the_local_one():
    inputs = parse_cba_file({**ISSUE_FILE, "additionality_uk": {
        "deadweight": 0.4, "displacement": 0.5, "leakage": 0.0}})
    r = appraise_cba(inputs)
    # UK factor 0.6 x 0.5 = 0.3; PVB 2 x 0.3 x 8.3166053 = 4.9899632
    assert r.additionality_factor_uk == pytest.approx(0.3)
    assert r.pv_benefits_uk == pytest.approx(4.9899632, abs=1e-6)
    assert r.bcr_uk == pytest.approx(4.9899632 / 4.6730789, abs=1e-6)


def test_sensitivity_on_main_drivers():
    r = appraise_cba(parse_cba_file(ISSUE_FILE))
    cases = {c.id: c for c in r.sensitivity}
    # benefits 25% lower: BCR 1.4415 x 0.75 = 1.0812
    assert cases["benefits_optimism"].bcr == pytest.approx(r.bcr * 0.75)
    # displacement 0.25 -> 0.5: factor 0.6 x 0.5 x 0.9 = 0.27, BCR x 0.27/0.405
    assert cases["displacement_up"].bcr == pytest.approx(r.bcr * 0.27 / 0.405)
    assert cases["displacement_up"].vfm_category == "poor"
    assert cases["deadweight_up"].bcr < r.bcr
    assert cases["benefits_later"].bcr < r.bcr


def test_benchmarks_are_cited_and_editable():
    add = benchmark_additionality("business_support", "local")
    assert (add.deadweight, add.displacement, add.leakage, add.multiplier) == (0.5, 0.25, 0.1, 1.1)
    for f in ("deadweight", "displacement", "leakage", "substitution", "multiplier"):
        assert "HCA (2014)" in add.basis[f]
    assert "BIS (2009)" in ADDITIONALITY_SOURCE
    uk = benchmark_additionality("business_support", "uk")
    assert uk.leakage == 0.0 and uk.multiplier == 1.0 and uk.displacement > add.displacement
    for t in BENCHMARK_TYPES.values():
        assert t.reason and set(t.by_geography) == {"local", "regional", "uk"}
    # budget-weighted mix: 3/4 skills (dw 0.25) + 1/4 business support (dw 0.5) = 0.3125
    mix = option_additionality([("skills", 30.0), ("business_support", 10.0)])
    assert mix.deadweight == pytest.approx(0.3125)
    assert Additionality.model_validate({**mix.model_dump(), "deadweight": 0.1}).deadweight == 0.1


def test_multiplier_defaults_to_the_area_io_multiplier_when_present():
    class Profile:
        io_multiplier = 1.62

    class Nested:
        io_multiplier = {"value": 1.4}

    assert io_multiplier_of(Profile()) == 1.62
    assert io_multiplier_of(Nested()) == 1.4
    assert io_multiplier_of(object()) is None
    assert io_multiplier_of(None) is None
    add = benchmark_additionality("skills", "local", io_multiplier_of(Profile()))
    assert add.multiplier == 1.62 and "input-output" in add.basis["multiplier"]
    assert benchmark_additionality("skills", "uk", 1.62).multiplier == 1.0


@pytest.mark.parametrize("change, field", [
    ({"costs": [{"year": -1, "amount": 1, "type": "revenue", "public": True}]}, "costs[0].year"),
    ({"costs": [{"year": 0, "amount": "lots", "type": "revenue"}]}, "costs[0].amount"),
    ({"costs": [{"year": 0, "amount": float("nan"), "type": "revenue"}]}, "costs[0].amount"),
    ({"costs": [{"year": 0, "amount": 1, "type": "opex"}]}, "costs[0].type"),
    ({"costs": [{"year": 0, "amount": 1, "type": "capital", "public": "yes"}]}, "costs[0].public"),
    ({"benefits": [{"year": 1.5, "amount": 1}]}, "benefits[0].year"),
    ({"additionality": {"deadweight": 40}}, "additionality.deadweight"),
    ({"additionality": {"leakage": -0.1}}, "additionality.leakage"),
    ({"additionality": {"multiplier": 0}}, "additionality.multiplier"),
    ({"additionality": {"deadwieght": 0.1}}, "additionality.deadwieght"),
    ({"optimism_bias": {"category": "bridges"}}, "optimism_bias.category"),
    ({"optimism_bias": {"percent": -5}}, "optimism_bias.percent"),
    ({"costs": []}, "costs"),
])
def test_bad_input_names_the_field(change, field):
    with pytest.raises(ProblemError) as info:
        parse_cba_file({**ISSUE_FILE, **change}, source="in.json")
    assert field in [p.column for p in info.value.problems], str(info.value)
    assert "in.json" in str(info.value)


def test_markdown_output_states_the_vfm_and_its_source():
    text = cba_file_markdown(appraise_cba(parse_cba_file(ISSUE_FILE)))
    assert "BCR on public cost: 1.44" in text and "Low" in text and "DfT" in text


# --------------------------------------------------------------------------------------------
# Invariants

amounts = st.dictionaries(st.integers(0, 40), st.floats(0.01, 1e3), min_size=1, max_size=6)


@settings(max_examples=50, deadline=None)
@given(amounts, st.floats(0.0, 0.15), st.floats(0.001, 0.1))
def test_pv_falls_with_the_discount_rate(stream, rate, step):
    line = [CashflowLine(label="b", kind="benefit", amounts=stream)]
    lo = appraise_cba(CbaInputs(lines=line, discount_schedule=list(flat_schedule(rate))))
    hi = appraise_cba(CbaInputs(lines=line, discount_schedule=list(flat_schedule(rate + step))))
    if any(y > 0 for y in stream):
        assert hi.pv_benefits < lo.pv_benefits
    else:
        assert math.isclose(hi.pv_benefits, lo.pv_benefits)


@settings(max_examples=50, deadline=None)
@given(amounts, amounts, st.floats(0.0, 1.0), st.floats(0.0, 1.0), st.floats(0.0, 0.5))
def test_a_larger_deadweight_never_raises_the_bcr(costs, benefits, d1, d2, displacement):
    def bcr(d: float) -> float:
        return appraise_cba(CbaInputs(
            lines=[CashflowLine(label="c", kind="cost", amounts=costs),
                   CashflowLine(label="b", kind="benefit", amounts=benefits)],
            additionality=Additionality(deadweight=d, displacement=displacement))).bcr

    lo, hi = sorted((d1, d2))
    assert bcr(hi) <= bcr(lo) + 1e-12


def test_default_multiplier_is_the_real_profiles_flq_multiplier():
    """The evidence profile's FLQ multiplier (an object with ``type_i``) reaches the default
    additionality of every option, with the basis saying where it came from."""
    ev = Evidence.from_path(None)
    code = ARCHETYPES["engineering_assembly_cluster"][0]
    expected = ev.profile(code).io_multiplier.type_i
    assert io_multiplier_of(ev.profile(code)) == pytest.approx(expected)
    session = new_session(ev, code)
    cbas = [c for c in session.appraisal.cba.values() if c.additionality is not None]
    assert cbas
    for cba in cbas:
        assert cba.additionality.multiplier == pytest.approx(expected, abs=1e-6)
        assert "input-output" in cba.additionality.basis["multiplier"]
