"""What the browser walk found on the policy pages (no "None", no raw ids, advice that reaches
the user, rationale evidence on the point), checked through AppTest on the bundled demo."""

from __future__ import annotations

from policy.session import StrategySession
from tests.ui.apptest_helpers import SESSION_KEY, app_at, open_tab

GRANMOUTH = "E09000005"  # advanced manufacturing is 0.1% of jobs: the thin-base rule fires
ASHMINSTER = "E08000017"
EBBCOMBE = "E07000078"


def session(code: str) -> StrategySession:
    return StrategySession(area_code=code, area_name=code)


def test_thin_base_advice_reaches_the_user_though_its_interventions_score_low() -> None:
    at = app_at("interventions", session(GRANMOUTH))
    assert not at.exception
    advice = [i.value for i in at.info if "not a priority here" in i.value]
    assert advice and advice[0].startswith("**What the evidence advises.**")
    chosen = at.session_state[SESSION_KEY].chosen_interventions
    assert chosen == ["access_to_finance", "university_management_links"]  # unchanged


def test_rule_score_column_shows_words_never_none() -> None:
    at = app_at("interventions", session(GRANMOUTH))
    table = at.data_editor[0].value
    cells = dict(zip(table["id"], table["Rule score"], strict=True))
    assert cells["access_to_finance"] == "0.95"
    # the thin-base rule fired for these, but they scored under the floor
    assert cells["careers_inclusion"] == "0.47, under the 0.5 floor"
    assert cells["digital_adoption"] == "0.47, under the 0.5 floor"
    assert cells["export_support"] == "no rule picked it"
    assert all(isinstance(c, str) and c not in ("None", "nan", "") for c in cells.values())


def test_gaps_and_overlaps_name_outcomes_by_label() -> None:
    s = session(ASHMINSTER)
    s.chosen_interventions = ["inward_investment_sites", "supply_chain_development",
                              "export_support", "cluster_network", "net_zero_mission"]
    s.answers["interventions_initialised"] = True
    at = open_tab(app_at("causal", s), "causal_tab", "Gaps and overlaps")
    assert not at.exception
    texts = [m.value for m in [*at.success, *at.info, *at.warning]]
    assert any(t.startswith("Exports of goods and services:") for t in texts), texts
    for t in texts:
        head = t.split(":", 1)[0]
        assert head not in ("exports", "investment") and "_" not in t, t


def _ebbcombe_on_mix() -> tuple:
    at = app_at("mix", session(EBBCOMBE))
    assert not at.exception
    return at, [m.value for m in at.markdown]


def test_mix_page_checks_the_chosen_interventions_before_options_are_met() -> None:
    at, _ = _ebbcombe_on_mix()
    radio = at.radio(key="mix_option")
    assert radio.label == "Package to check"
    # first and chosen: the interventions chosen at step 5 as one package, as the report checks
    # them (here the Light option holds exactly them, so its budgets are used)
    assert radio.index == 0
    assert radio.options[0] == "The chosen interventions (budgets of the Light option)"
    assert radio.options[1:] and all(o.startswith("Option: ") for o in radio.options[1:])
    assert any("option appraisal, compares options" in c.value for c in at.caption)


def test_mix_page_names_niche_sectors_by_label_with_their_share() -> None:
    _, texts = _ebbcombe_on_mix()
    niche = next(t for t in texts if "aimed at niche sectors" in t)
    # weapons rests on one plant (1.23% of jobs); computers (14.35%) is no niche
    assert "Weapons and ammunition: 1.23% of local jobs (200 of all 16,200 in 2024)" in niche
    assert "Computers" not in niche and "weapons," not in niche


def test_mix_page_shows_the_thin_base_advice() -> None:
    at = app_at("mix", session(GRANMOUTH))
    assert not at.exception
    assert any("not a priority here" in i.value for i in at.info)


def test_mix_page_survives_a_changed_choice_of_interventions() -> None:
    at = app_at("mix", session(EBBCOMBE))
    state = at.session_state[SESSION_KEY].appraisal
    first = [i.intervention_id for i in state.option("light").interventions]
    at.session_state[SESSION_KEY].chosen_interventions = first[:2]  # no option holds these
    at.run()
    assert at.radio(key="mix_option").value == "chosen_mix"
    at.session_state[SESSION_KEY].chosen_interventions = first  # the Light option's again
    at.run()
    assert not at.exception
    radio = at.radio(key="mix_option")
    assert radio.value == "light" and radio.options[0].startswith("The chosen interventions (")


def test_under_the_floor_rows_follow_the_recommended_ones() -> None:
    at = app_at("interventions", session(GRANMOUTH))
    ids = list(at.data_editor[0].value["id"])
    assert ids[:2] == ["access_to_finance", "university_management_links"]
    assert set(ids[2:4]) == {"careers_inclusion", "digital_adoption"}
