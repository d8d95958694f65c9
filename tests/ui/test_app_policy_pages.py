"""AppTest for the rationale, candidate interventions and causal chain pages."""

from __future__ import annotations

import pytest

from evidence.sources.demo import ARCHETYPES
from policy.session import StrategySession
from tests.ui.apptest_helpers import SESSION_KEY, app_at, open_expanders, open_tab


@pytest.fixture
def declining() -> StrategySession:
    return StrategySession(area_code=ARCHETYPES["declining_industrial"][0], area_name="x")


def test_rationale_page_prefills_from_evidence_and_keeps_edits(
        declining: StrategySession) -> None:
    at = app_at("rationale", declining)
    assert not at.exception
    answers = at.session_state[SESSION_KEY].answers
    # The declining archetype's rules point to system failures and a just transition.
    assert answers.get("system_failures"), answers
    assert answers.get("target_type") in ("horizontal", "vertical", "mission", "balanced")
    at.radio(key="q_target_type").set_value("mission").run()
    assert at.session_state[SESSION_KEY].answers["target_type"] == "mission"
    at.multiselect(key="q_equity").set_value(["inclusion"]).run()
    assert at.session_state[SESSION_KEY].answers["equity"] == ["inclusion"]
    assert at.session_state[SESSION_KEY].answers["target_type"] == "mission"


def test_interventions_page_defaults_to_top_recommendations(declining: StrategySession) -> None:
    at = app_at("interventions", declining)
    assert not at.exception
    chosen = at.session_state[SESSION_KEY].chosen_interventions
    assert len(chosen) == 5
    assert "automation_reskilling" in chosen
    # every recommended intervention has a "why" expander, every other a "why not" entry
    assert len(at.expander) >= 5
    open_tab(at, "interventions_tab", "Why not the others")
    assert any("did not fire" in m.value or "needs" in m.value for m in at.markdown)


def test_interventions_page_respects_a_users_choice(declining: StrategySession) -> None:
    declining.chosen_interventions = ["export_support", "fe_apprenticeships"]
    declining.answers["interventions_initialised"] = True
    at = app_at("interventions", declining)
    assert not at.exception
    chosen = at.session_state[SESSION_KEY].chosen_interventions
    assert chosen == ["export_support", "fe_apprenticeships"]
    assert any("Export" in s.value for s in at.success)


def test_causal_page_draws_the_mix_and_each_chain(declining: StrategySession) -> None:
    declining.chosen_interventions = ["automation_reskilling", "fe_apprenticeships",
                                      "am_centre_hub"]
    at = app_at("causal", declining)
    assert not at.exception
    # the merged mix a stage at a time; the whole mix once its expander is opened
    parts = at.get("graphviz_chart")
    assert len(parts) >= 3 and all("digraph" in g.proto.spec for g in parts)
    assert parts[0].proto.spec.startswith('digraph "Inputs to activities"')
    open_expanders(at, "whole_mix")
    graphs = at.get("graphviz_chart")
    assert len(graphs) == len(parts) + 1
    whole = graphs[-1]
    assert whole.proto.spec.startswith('digraph "Policy mix"')
    node = '\n    "skills_supply" [label='  # the box itself, not an arrow to it
    assert whole.proto.spec.count(node) == 1  # a shared outcome appears once in the mix
    assert any(node in g.proto.spec for g in parts)
    open_tab(at, "causal_tab", "Each intervention")
    at.selectbox(key="chain_pick").set_value("am_centre_hub").run()
    assert [g.proto.spec for g in at.get("graphviz_chart")][-1].count("am_centre_hub")


def test_causal_page_without_interventions_says_what_to_do(declining: StrategySession) -> None:
    at = app_at("causal", declining)
    assert not at.exception
    assert any("Choose at least one intervention" in i.value for i in at.info)
