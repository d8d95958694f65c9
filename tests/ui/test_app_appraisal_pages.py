"""AppTest for the policy mix and option appraisal pages."""

from __future__ import annotations

import pytest

from evidence.sources.demo import ARCHETYPES
from policy.session import StrategySession
from tests.ui.apptest_helpers import SESSION_KEY, app_at, open_tab

TABS = "appraisal_tab"


@pytest.fixture
def cluster() -> StrategySession:
    return StrategySession(area_code=ARCHETYPES["engineering_assembly_cluster"][0], area_name="x",
                           chosen_interventions=["supply_chain_development", "cluster_network",
                                                 "fe_apprenticeships", "digital_adoption",
                                                 "sector_strategy"])


def test_mix_page_builds_options_and_records_mitigation(cluster: StrategySession) -> None:
    at = app_at("mix", cluster)
    assert not at.exception
    state = at.session_state[SESSION_KEY].appraisal
    assert [o.is_baseline for o in state.options][0] is True
    # issue 12: options by stated rules (scale, focus, sequencing), not Focused/Broad
    assert len(state.options) >= 4 and state.option("core").interventions
    assert any("budget" in m.label.lower() for m in at.metric) or at.markdown
    at.text_area(key="niche_mitigation").input("Staged budget, reviewed after year 2").run()
    assert at.session_state[SESSION_KEY].appraisal.niche_mitigation.startswith("Staged")


def test_appraisal_page_weights_change_the_ranking_inputs(cluster: StrategySession) -> None:
    at = app_at("appraisal", cluster)
    assert not at.exception
    assert not at.get("vega_lite_chart"), "only the open tab (Options) is drawn"
    open_tab(at, TABS, "Results and sensitivity")
    assert len(at.get("vega_lite_chart")) >= 2  # weighted scores and rank stability
    open_tab(at, TABS, "Weights")
    at.slider(key="w_risk").set_value(100).run()
    assert at.session_state[SESSION_KEY].appraisal.swing_weights["risk"] == 100.0
    assert not at.exception


def test_appraisal_page_benefits_give_npv_and_bcr(cluster: StrategySession) -> None:
    at = open_tab(app_at("appraisal", cluster), TABS, "Cost-benefit")
    option = at.selectbox(key="cba_option").value
    state = at.session_state[SESSION_KEY].appraisal
    from policy.appraisal import CashflowLine

    state.cba[option].benefit_lines = [CashflowLine(label="GVA from jobs", kind="benefit",
                                                    amounts={y: 5.0 for y in range(1, 11)})]
    at.run()
    assert not at.exception
    labels = [m.label for m in at.metric]
    assert "NPV (GBP m)" in labels and "BCR" in labels
    bcr = next(m.value for m in at.metric if m.label == "BCR")
    assert bcr not in ("-", "none yet")


def test_appraisal_page_drop_needs_reason_and_keeps_baseline(cluster: StrategySession) -> None:
    at = app_at("appraisal", cluster)
    state = at.session_state[SESSION_KEY].appraisal
    target = next(o for o in state.options if not o.is_baseline)
    at.text_input(key=f"drop_{target.id}").input("Fails affordability CSF").run()
    assert not at.exception
    state = at.session_state[SESSION_KEY].appraisal
    assert state.dropped == {target.id: "Fails affordability CSF"}
    assert state.baseline is not None


def test_appraisal_page_shows_objectives_and_success_factors(cluster: StrategySession) -> None:
    at = app_at("appraisal", cluster)
    assert not at.exception
    state = at.session_state[SESSION_KEY].appraisal
    assert state.spending_objectives, "objectives are proposed from the findings"
    assert len(state.critical_success_factors) == 5  # the Green Book's five
    open_tab(at, TABS, "Objectives and success factors")  # their editors drawn: round trip
    assert not at.exception
    at.run()
    again = at.session_state[SESSION_KEY].appraisal
    assert [o.statement for o in again.spending_objectives] == \
        [o.statement for o in state.spending_objectives]


def test_appraisal_page_is_honest_about_unscored_criteria_vfm_and_evaluation(
        cluster: StrategySession) -> None:
    # issue 12: unscored criteria named, VfM category with its source, the M&E plan
    at = open_tab(app_at("appraisal", cluster), TABS, "Results and sensitivity")
    assert not at.exception
    infos = " ".join(i.value for i in at.info)
    assert "left out of the totals until scored" in infos
    assert any("Rank stability" in m.value for m in at.markdown)
    open_tab(at, TABS, "Cost-benefit")
    option = at.selectbox(key="cba_option").value
    state = at.session_state[SESSION_KEY].appraisal
    from policy.appraisal import BenefitStream

    state.cba[option].benefit_streams = [BenefitStream(label="jobs", start_year=1, years=10,
                                                       jobs=200, gva_per_job_gbp_k=60)]
    at.run()
    assert not at.exception
    vfm = next(m.value for m in at.markdown if m.value.startswith("**Value for money:**"))
    assert "value for money" in vfm.lower() and "DfT" in vfm
    assert any("Optimism bias on revenue costs" in c.value for c in at.caption)
    assert at.session_state[SESSION_KEY].appraisal.cba[option].benefits_entered
    open_tab(at, TABS, "Monitoring and evaluation")
    assert any("Evaluation design" in m.value and "Maryland" in m.value for m in at.markdown)
    assert any("Risks to evaluability" in m.value for m in at.markdown)
