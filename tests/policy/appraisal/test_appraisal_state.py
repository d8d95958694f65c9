"""AppraisalState: defaults from ranked recommendations, derived scores, JSON, run_appraisal.

Defaults are built from a hand-made ranked list, the real catalogue and a hand-made profile;
exact figures are checked on hand-made interventions (copies of real ones with the field under
test changed) so the tests do not break when the catalogue's numbers are revised.
"""

from __future__ import annotations

import ast
import json
import math

import pytest

from evidence.models import AreaProfile, AreaRef, Finding, Period, SectorRow
from policy.appraisal import (
    BASELINE_ID,
    CORE_ID,
    DEFAULT_CRITERIA,
    DEFAULT_SWING_WEIGHTS,
    EVIDENCE_STRENGTH_SCORES,
    GREEN_BOOK_CSFS,
    UNSCORED_REASONS,
    Additionality,
    AppraisalState,
    CashflowLine,
    Option,
    OptionCba,
    OptionIntervention,
    OptionRule,
    build_option,
    default_appraisal,
    default_option_intervention,
    default_scores,
    default_spending_objectives,
    run_appraisal,
)
from policy.catalogue import CostRange, Evidence, Intervention, YearRange, load_catalogue
from tests.paths import ROOT

POLICY = ROOT / "policy"
CRITERIA = [c.id for c in DEFAULT_CRITERIA]
SCORED = ["fit_to_evidence", "evidence_strength", "inclusion"]
FOCUSED_ID = "horizontal"  # a focus option: leaves some chosen interventions out, and says so
BROAD_ID = CORE_ID  # every chosen intervention
OPTION_IDS = [BASELINE_ID, "light", CORE_ID, "full", "horizontal", "vertical", "phased"]

# Ids from the first version of the catalogue; a hand-made ranked list with made-up scores.
RANKED = [
    ("fe_apprenticeships", 9.0),
    ("am_centre_hub", 8.0),
    ("supply_chain_development", 7.0),
    ("digital_adoption", 5.0),
    ("sector_strategy", 4.0),
    ("university_management_links", 3.0),
]


@pytest.fixture(scope="module")
def catalogue() -> dict[str, Intervention]:
    return load_catalogue()


def sector_row(sector: str, share: float | None, employment: float | None = None) -> SectorRow:
    return SectorRow(
        sector=sector,
        label=sector,
        quadrant="expanding_engineering",
        employment=employment if employment is not None else (None if share is None else 0.0),
        share=share,
        lq=None,
        growth=None,
    )


def finding(fid: str, kind: str, topic: str, text: str, status: str = "proposed", **kw) -> Finding:
    return Finding(
        id=fid, kind=kind, topic=topic, text=text, confidence=kw.pop("confidence", 0.8),
        status=status, **kw,
    )


def make_profile(
    sectors: list[SectorRow] | None = None, findings: list[Finding] | None = None
) -> AreaProfile:
    """A hand-made profile: 100,000 jobs; findings of every kind, one rejected."""
    return AreaProfile(
        area=AreaRef(code="T1", name="Testshire", level="lep"),
        period=Period(start=2015, end=2022),
        source="hand-made test profile",
        synthetic=True,
        total_jobs=100_000,
        total_jobs_basis="sum of industries",
        national_basis="Great Britain row",
        am_jobs=8_000,
        am_share=0.08,
        sectors=sectors
        if sectors is not None
        else [sector_row("aerospace", 0.05), sector_row("pharmaceuticals", 0.002)],
        findings=findings
        if findings is not None
        else [
            finding("spec_aero", "strength", "specialisation", "Aerospace is highly "
                    "specialised (LQ 4.1).", sector="aerospace", status="accepted"),
            finding("skills_gap", "bottleneck", "skills", "Few residents are qualified to "
                    "level 4+.", confidence=0.9),
            finding("prod_gap", "bottleneck", "productivity_gap", "GVA per job is 85% of GB.",
                    status="accepted", confidence=0.7),
            finding("auto_risk", "risk", "automation", "Many jobs are exposed to automation.",
                    status="rejected"),
            finding("growth_opp", "opportunity", "thin_growth_sector", "Little presence in "
                    "medical instruments, a growing sector.", sector="medical_instruments"),
        ],
    )


def variant(base: Intervention, new_id: str, **changes) -> Intervention:
    """A copy of a real intervention with a new id and some fields changed (test data only)."""
    return base.model_copy(update={"id": new_id, **changes})


# --------------------------------------------------------------------------------------------
# Defaults


def test_default_appraisal_has_baseline_first_and_options_by_stated_rules(catalogue):
    # Issue 12: "Focused" (the first three chosen) silently dropped chosen measures; options
    # now differ by scale, focus and sequencing, each built by a stated rule.
    state = default_appraisal(RANKED, catalogue, make_profile())
    assert [o.id for o in state.options] == OPTION_IDS
    assert "mission" in state.notes  # the rule that built nothing says why
    assert state.baseline is not None and state.baseline.is_baseline
    assert state.baseline.interventions == []
    ids = [i for i, _ in RANKED]
    for oid in ("light", CORE_ID, "full", "phased"):
        assert [i.intervention_id for i in state.option(oid).interventions] == ids
    light, core, full = (state.option(o).total_budget_gbp_m for o in ("light", CORE_ID, "full"))
    assert light < core < full
    horizontal = state.option("horizontal")
    kept = {i.intervention_id for i in horizontal.interventions}
    assert kept == {i for i in ids if catalogue[i].target_type == "horizontal"}
    for iid in set(ids) - kept:  # nothing chosen drops out without a message
        assert catalogue[iid].name in horizontal.description
    phased = state.option("phased")
    for item in phased.interventions:
        strong = catalogue[item.intervention_id].evidence.strength == "strong"
        assert item.start_year_offset == (0 if strong else 2)
    assert all(o.rule == o.id for o in state.options[1:])
    assert [r.id for r in state.option_rules][:3] == ["light", CORE_ID, "full"]
    assert state.critical_success_factors == list(GREEN_BOOK_CSFS)
    assert state.criteria == list(DEFAULT_CRITERIA)
    assert state.swing_weights == DEFAULT_SWING_WEIGHTS
    assert [(r.intervention_id, r.score) for r in state.recommendations] == RANKED
    assert state.problems() == []


def test_a_rule_the_user_edits_builds_a_different_option(catalogue):
    rule = OptionRule(id="big_vertical", name="Big vertical", scale="high",
                      target_types=["vertical"])
    opt, why = build_option(rule, [i for i, _ in RANKED], catalogue)
    assert why == "" and opt.rule == "big_vertical"
    assert {catalogue[i.intervention_id].target_type for i in opt.interventions} == {"vertical"}
    assert "high end" in opt.description and "Leaves out" in opt.description
    none, why = build_option(OptionRule(id="m", name="M", target_types=["mission"]),
                             [i for i, _ in RANKED], catalogue)
    assert none is None and "none of the chosen" in why


def test_budgets_are_catalogue_midpoints_phased_by_time_to_impact(catalogue):
    base = catalogue["fe_apprenticeships"]
    per_year = variant(
        base,
        "per_year_thing",
        cost=CostRange(low_gbp_m=2, high_gbp_m=6, basis="per_year"),
        time_to_impact_years=YearRange(low=2, high=5),
    )
    # midpoint 4 a year, funded to the midpoint of 2-5 years = 3.5 -> 4 years: 16 in total
    item = default_option_intervention(per_year)
    assert (item.budget_gbp_m, item.start_year_offset, item.duration_years) == (16.0, 0, 4)
    assert item.spend_profile() == {0: 4.0, 1: 4.0, 2: 4.0, 3: 4.0}
    total = variant(
        base, "total_thing", cost=CostRange(low_gbp_m=10, high_gbp_m=50, basis="total",
                                            duration_years=5)
    )
    # a total of 30 (midpoint) over the catalogue's 5 years
    item = default_option_intervention(total)
    assert (item.budget_gbp_m, item.duration_years) == (30.0, 5)
    state = default_appraisal(RANKED, catalogue, None)
    for entry in state.option(CORE_ID).interventions:
        assert entry == default_option_intervention(catalogue[entry.intervention_id])
    for entry in state.option("light").interventions:
        assert entry == default_option_intervention(catalogue[entry.intervention_id], "low")


def test_every_option_and_criterion_has_a_score_with_a_rationale(catalogue):
    state = default_appraisal(RANKED, catalogue, make_profile())
    pairs = {(s.option_id, s.criterion_id) for s in state.scores}
    assert pairs == {(o.id, c) for o in state.options for c in CRITERIA}
    assert len(state.scores) == len(pairs)
    for s in state.scores:
        assert s.value is None or 0 <= s.value <= 100
        assert s.rationale.strip(), (s.option_id, s.criterion_id)


def test_criteria_without_evidence_start_unscored_and_say_so(catalogue):
    # Issue 12: risk = 100 - 10 x risks, alignment = a count and VfM from cost were artefacts.
    state = default_appraisal(RANKED, catalogue, make_profile())
    for o in state.options[1:]:
        for cid in CRITERIA:
            s = state.score(o.id, cid)
            if cid in SCORED:
                assert s.value is not None, (o.id, cid)
            else:
                assert s.value is None, (o.id, cid)
                assert s.rationale.startswith(UNSCORED_REASONS[cid][:30])
    results = run_appraisal(state, n_draws=200)
    assert results.complete
    assert set(results.excluded_criteria) == set(CRITERIA) - set(SCORED)
    assert set(results.mcda.weights) == set(SCORED)
    assert "unscored" in results.stability_statement
    # scoring every option on risk brings risk into the totals
    for o in state.options:
        state.set_score(o.id, "risk", 50, "workshop")
    again = run_appraisal(state, n_draws=200)
    assert "risk" in again.mcda.weights and "risk" not in again.excluded_criteria


def test_baseline_scores_reflect_doing_nothing(catalogue):
    state = default_appraisal(RANKED, catalogue, make_profile())
    for oid in (FOCUSED_ID, BROAD_ID):
        assert state.score(BASELINE_ID, "fit_to_evidence").value < state.score(
            oid, "fit_to_evidence"
        ).value
    assert state.score(BASELINE_ID, "fit_to_evidence").value == 0
    assert state.score(BASELINE_ID, "deliverability").value == 100
    # the risk of inaction is the partnership's judgement, not a count of findings
    risk = state.score(BASELINE_ID, "risk")
    assert risk.value is None and "inaction" in risk.rationale.lower()


def test_value_for_money_is_unscored_until_benefits_exist(catalogue):
    state = default_appraisal(RANKED, catalogue, None)
    for oid in (FOCUSED_ID, BROAD_ID):
        s = state.score(oid, "value_for_money")
        assert s.value is None and "benefits" in s.rationale


def test_scores_are_derived_from_the_data_by_hand(catalogue):
    base = catalogue["fe_apprenticeships"]
    x = variant(
        base, "x", target_type="horizontal", rationales=("inclusion", "capability_failure"),
        evidence=Evidence(strength="strong", note="n", sources=("s",)),
        risks=("r1", "r2"), national_programmes=("P1", "P2"),
        time_to_impact_years=YearRange(low=2, high=4),
    )
    y = variant(
        base, "y", target_type="vertical", rationales=("coordination_failure",),
        evidence=Evidence(strength="weak", note="n", sources=("s",)),
        risks=("r1", "r2", "r3", "r4"), national_programmes=("P2", "P3", "P4"),
        time_to_impact_years=YearRange(low=4, high=8),
    )
    cat = {"x": x, "y": y}
    opt = Option(id="o", name="O", interventions=[
        OptionIntervention(intervention_id="x", budget_gbp_m=30),
        OptionIntervention(intervention_id="y", budget_gbp_m=10),
    ])
    scores = {s.criterion_id: s for s in default_scores([opt], cat, [("x", 8.0), ("y", 2.0)])}
    # fit: mean relative score (1 + 0.25) / 2 = 0.625, coverage 10/10 = 1 -> 81.25
    assert scores["fit_to_evidence"].value == pytest.approx(81.2, abs=0.06)
    # evidence: 0.75 x strong + 0.25 x weak
    ev = 0.75 * EVIDENCE_STRENGTH_SCORES["strong"] + 0.25 * EVIDENCE_STRENGTH_SCORES["weak"]
    assert scores["evidence_strength"].value == pytest.approx(ev, abs=0.05)
    # deliverability and risk: unscored, with the catalogue facts for reference
    assert scores["deliverability"].value is None and "4.5 years" in scores[
        "deliverability"].rationale
    assert scores["risk"].value is None and "Risks named: 6" in scores["risk"].rationale
    # inclusion: only x (75% of budget) has an equity rationale
    assert scores["inclusion"].value == 75.0
    assert f"{x.name} (Inclusion)" in scores["inclusion"].rationale  # names, not ids
    # alignment: unscored, naming the programmes
    assert scores["national_alignment"].value is None
    assert "P1; P2; P3; P4" in scores["national_alignment"].rationale
    assert scores["value_for_money"].value is None


def test_inclusion_counts_only_the_equity_rationales_the_area_s_rules_found(catalogue):
    base = catalogue["fe_apprenticeships"]
    x = variant(base, "x", rationales=("inclusion", "capability_failure"))
    y = variant(base, "y", rationales=("just_transition", "lock_in"))
    cat = {"x": x, "y": y}
    opt = Option(id="o", name="O", interventions=[
        OptionIntervention(intervention_id="x", budget_gbp_m=30),
        OptionIntervention(intervention_id="y", budget_gbp_m=10),
    ])
    ranked = [("x", 8.0), ("y", 2.0)]

    def inclusion(given):  # noqa: ANN001, ANN202
        return {s.criterion_id: s for s in default_scores([opt], cat, ranked, None, given)}[
            "inclusion"]

    # no rules run: the catalogue's equity rationales count (both: 100), and it says so
    alone = inclusion(None)
    assert alone.value == 100.0 and "no rules were run" in alone.rationale
    # the area's rules gave x its inclusion reason, y none of its just transition: 75%
    found = inclusion({"x": ["inclusion", "capability_failure"], "y": ["lock_in"]})
    assert found.value == 75.0
    assert f"{x.name} (Inclusion)" in found.rationale
    assert f"Not counted, listed in the catalogue but not found by this area's rules: " \
           f"{y.name} (Just transition)" in found.rationale
    # nothing found here: 0, however much the catalogue lists
    assert inclusion({}).value == 0.0


def test_the_walkthrough_scores_inclusion_from_the_area_s_rules():
    from evidence.service import Evidence as Ev  # noqa: PLC0415 - the demo, for this test only
    from policy.walkthrough import new_session, run_walkthrough  # noqa: PLC0415

    ev = Ev.from_path(None)
    # Ebbcombe: the rules find a just transition for its reskilling, not for the others
    results = run_walkthrough(new_session(ev, "E07000078"), ev)
    given = {r.intervention: set(r.rationales) for r in results.recommendations.recommended}
    cat = load_catalogue()
    equity = {"spatial_equity", "inclusion", "just_transition"}
    state = results.appraisal
    scored: list[float] = []
    for opt in state.options:
        if opt.is_baseline:
            continue
        total = sum(i.budget_gbp_m for i in opt.interventions)
        expected = sum(i.budget_gbp_m for i in opt.interventions
                       if equity & set(cat[i.intervention_id].rationales)
                       & given.get(i.intervention_id, set())) / total
        assert state.score(opt.id, "inclusion").value == pytest.approx(100 * expected, abs=0.06)
        scored.append(expected)
    assert 0 < max(scored) < 1  # some budget counted, not all of it


def test_scores_follow_the_catalogue_not_a_table(catalogue):
    before = default_appraisal(RANKED, catalogue, None).score(FOCUSED_ID, "evidence_strength")
    changed = dict(catalogue)
    for iid, _ in RANKED:
        changed[iid] = catalogue[iid].model_copy(
            update={"evidence": Evidence(strength="emerging", note="n", sources=("s",))}
        )
    after = default_appraisal(RANKED, changed, None).score(FOCUSED_ID, "evidence_strength")
    assert after.value == EVIDENCE_STRENGTH_SCORES["emerging"] < before.value
    # recommendation scores drive fit to evidence
    flat = [(i, 1.0) for i, _ in RANKED]
    fit = default_appraisal(flat, catalogue, None).score(FOCUSED_ID, "fit_to_evidence")
    assert fit.value == pytest.approx(100 * (0.5 * 1 + 0.5 * 3 / 6), abs=0.05)


def test_spending_objectives_come_from_accepted_findings():
    objectives = default_spending_objectives(make_profile())
    ids = [o.id for o in objectives]
    # bottlenecks first (higher confidence first), then opportunity, then strength; rejected out
    assert ids == ["so_skills_gap", "so_prod_gap", "so_growth_opp", "so_spec_aero"]
    assert "auto_risk" not in " ".join(ids)
    assert objectives[0].statement.endswith("Few residents are qualified to level 4+.")
    assert "level 4+" in objectives[0].measure
    assert "Medical and dental instruments" in objectives[2].measure  # the label, not the id
    assert "medical_instruments" not in objectives[2].measure
    assert all(o.target == "" for o in objectives)  # targets are the partnership's to set
    assert default_spending_objectives(None) == []
    many = [finding(f"f{i}", "strength", "am_base", f"Fact {i}.") for i in range(9)]
    assert len(default_spending_objectives(make_profile(findings=many))) == 5


def test_no_benefits_by_default(catalogue):
    state = default_appraisal(RANKED, catalogue, make_profile())
    assert set(state.cba) == set(OPTION_IDS[1:])
    for cba in state.cba.values():
        assert cba.benefit_lines == [] and cba.benefit_streams == []
        assert cba.benefits_entered is False
        assert cba.optimism_bias_pct is None  # by type of spend until evidenced
        # cited benchmark additionality, not zero (issue 12)
        assert cba.additionality.factor() < 1.0
        assert all("HCA (2014)" in b or "budget-weighted" in b
                   for b in cba.additionality.basis.values())
        assert cba.additionality_uk is not None and cba.additionality_uk.leakage == 0.0
    assert state.benefits_entered is False
    dumped = json.loads(state.model_dump_json())
    assert dumped["cba"][FOCUSED_ID]["benefits_entered"] is False


def test_few_or_no_recommendations(catalogue):
    two = default_appraisal(RANKED[:1], catalogue, None)  # one horizontal, strong measure
    assert [o.id for o in two.options] == [BASELINE_ID, "light", CORE_ID, "full"]
    assert "duplicate" in two.notes and "alike" in two.notes
    none = default_appraisal([], catalogue, None)
    assert [o.id for o in none.options] == [BASELINE_ID]
    assert none.problems() == []
    assert run_appraisal(none, n_draws=100).mcda.top == BASELINE_ID
    dup = default_appraisal([RANKED[0], *RANKED, RANKED[1]], catalogue, None)
    assert [r.intervention_id for r in dup.recommendations] == [i for i, _ in RANKED]


def test_unknown_recommendation_is_refused_by_name(catalogue):
    with pytest.raises(ValueError, match="no_such_thing"):
        default_appraisal([("no_such_thing", 1.0)], catalogue, None)


# --------------------------------------------------------------------------------------------
# State: empty, JSON, editing


def test_empty_state_is_valid_and_reports_what_is_missing():
    state = AppraisalState()
    assert state.options == [] and state.scores == [] and state.cba == {}
    assert state.spending_objectives == [] and state.critical_success_factors == []
    assert state.niche_mitigation == "" and state.notes == ""
    assert state.benefits_entered is False
    assert AppraisalState.model_validate_json(state.model_dump_json()) == state
    results = run_appraisal(state)
    assert results.mcda is None
    assert any("baseline" in p for p in results.problems)


def test_json_round_trip_is_lossless(catalogue):
    state = default_appraisal(RANKED, catalogue, make_profile())
    state.cba[FOCUSED_ID] = OptionCba(
        benefit_lines=[
            CashflowLine(label="GVA uplift", kind="benefit", amounts={2: 5.0, 3: 7.5}, note="x")
        ],
        extra_cost_lines=[CashflowLine(label="M&E", kind="cost", amounts={0: 0.2})],
        additionality=Additionality(deadweight=0.3, leakage=0.1, multiplier=1.2),
        optimism_bias_pct=40,
        first_year=2026,
    )
    state.dropped = {BROAD_ID: "fails the affordability CSF"}
    state.niche_mitigation = "Pharma is a genuine emerging strength known to the workshop."
    state.set_score(FOCUSED_ID, "risk", 42, "workshop view")
    text = state.model_dump_json()
    back = AppraisalState.model_validate_json(text)
    assert back == state
    assert back.model_dump_json() == text
    assert back.cba[FOCUSED_ID].benefit_lines[0].amounts == {2: 5.0, 3: 7.5}
    assert back.cba[FOCUSED_ID].benefits_entered is True
    # the session stores it as a plain dict for now: that round-trips too
    assert AppraisalState.model_validate(json.loads(json.dumps(state.model_dump(mode="json")))) \
        == state


def test_wrong_kind_of_cba_line_is_refused():
    with pytest.raises(ValueError, match="benefit_lines"):
        OptionCba(benefit_lines=[CashflowLine(label="c", kind="cost", amounts={0: 1})])


def test_set_and_remove(catalogue):
    state = default_appraisal(RANKED, catalogue, None)
    state.set_score(BROAD_ID, "inclusion", 90, "workshop")
    assert state.score(BROAD_ID, "inclusion").value == 90
    assert len(state.scores) == len(OPTION_IDS) * len(CRITERIA)
    state.dropped[BROAD_ID] = "duplicate"
    state.remove_option(BROAD_ID)
    assert [o.id for o in state.options] == [o for o in OPTION_IDS if o != BROAD_ID]
    assert BROAD_ID not in state.cba and BROAD_ID not in state.dropped
    assert all(s.option_id != BROAD_ID for s in state.scores)
    with pytest.raises(ValueError, match="baseline"):
        state.remove_option(BASELINE_ID)


def test_inconsistent_state_still_loads_and_lists_problems(catalogue):
    state = default_appraisal(RANKED, catalogue, None)
    raw = state.model_dump(mode="json")
    raw["scores"] = [s for s in raw["scores"] if (s["option_id"], s["criterion_id"])
                     != (BROAD_ID, "risk")]
    raw["dropped"] = {"ghost": "gone"}
    raw["swing_weights"].pop("inclusion")
    loaded = AppraisalState.model_validate(raw)  # a half-edited session must still open
    problems = loaded.problems()
    assert any(f"'{BROAD_ID}' has no score on: risk" in p for p in problems)
    assert any("ghost" in p for p in problems)
    assert any("'inclusion'" in p for p in problems)
    results = run_appraisal(loaded, n_draws=100)
    assert results.mcda is None and results.problems


# --------------------------------------------------------------------------------------------
# Running


def test_run_appraisal(catalogue):
    state = default_appraisal(RANKED, catalogue, make_profile())
    results = run_appraisal(state, n_draws=2000)
    assert results.complete
    assert results.kept == OPTION_IDS
    assert {r.option_id for r in results.mcda.rows} == set(results.kept)
    assert len(results.thresholds) == len(SCORED)  # unscored criteria are left out
    assert math.isclose(sum(results.stability.p_first.values()), 1.0)
    # CBA for the options with cost lines; BAU has none of its own
    assert set(results.cba) == set(OPTION_IDS[1:])
    assert BASELINE_ID in results.cba_skipped
    focused = results.cba[FOCUSED_ID]
    assert focused.pv_benefits == 0 and focused.npv < 0
    assert {line.label for line in focused.lines} == {
        i.intervention_id for i in state.option(FOCUSED_ID).interventions
    }
    # undiscounted costs before optimism bias = the budgets
    assert sum(y.cost_base for y in focused.years) == pytest.approx(
        state.option(FOCUSED_ID).total_budget_gbp_m
    )
    assert focused.bcr is None and focused.vfm_category is None  # not "0.00"
    assert len(results.warnings) == len(OPTION_IDS) - 1
    assert all("no benefits" in w for w in results.warnings)
    # pure: same inputs, same outputs, state untouched
    before = state.model_dump_json()
    again = run_appraisal(state, n_draws=2000)
    assert again == results
    assert state.model_dump_json() == before


def test_run_appraisal_with_benefits_and_a_dropped_option(catalogue):
    state = default_appraisal(RANKED, catalogue, None)
    state.cba[FOCUSED_ID].benefit_lines.append(
        CashflowLine(label="GVA", kind="benefit", amounts={t: 50.0 for t in range(1, 11)})
    )
    for oid in OPTION_IDS[1:]:
        if oid != FOCUSED_ID:
            state.dropped[oid] = "fails the affordability CSF"
    results = run_appraisal(state, n_draws=500)
    assert results.kept == [BASELINE_ID, FOCUSED_ID]
    assert results.dropped[BROAD_ID] == "fails the affordability CSF"
    assert BROAD_ID not in results.cba
    assert results.cba[FOCUSED_ID].pv_benefits > 0
    assert results.warnings == []
    assert state.benefits_entered is True


def test_module_does_not_import_ui_rules_or_streamlit():
    for module in ("appraisal/state.py", "appraisal/defaults.py", "appraisal/run.py", "mix.py"):
        tree = ast.parse((POLICY / module).read_text())
        imported = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                imported.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module:
                imported.add(node.module.split(".")[0])
        assert not imported & {"ui", "rules", "streamlit"}, module
