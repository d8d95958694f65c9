"""AppTest for the first walkthrough pages: data and area, evidence profile, findings."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from evidence.sources.demo import ARCHETYPES
from policy.session import StrategySession
from tests.ui.apptest_helpers import SESSION_KEY, make_app, open_tab


def charts(at: AppTest) -> list:
    return at.get("vega_lite_chart")


@pytest.fixture(scope="module")
def cluster_code() -> str:
    return ARCHETYPES["engineering_assembly_cluster"][0]


def test_data_page_starts_on_bundled_demo_and_picks_an_area(cluster_code: str) -> None:
    at = make_app("data").run()
    assert not at.exception
    assert any("Synthetic demo data" in i.value for i in at.info)
    at.radio(key="area_level").set_value("lad").run()
    at.selectbox(key="area_pick_lad").set_value(cluster_code).run()
    assert not at.exception
    session = at.session_state[SESSION_KEY]
    assert session.area_code == cluster_code
    assert any(cluster_code in s.value for s in at.success)


def test_data_page_bad_upload_keeps_session(tmp_path: Path, cluster_code: str) -> None:
    bad = tmp_path / "broken.csv"
    bad.write_text("this,is,not\n1,2\n")
    session = StrategySession(area_code=cluster_code, area_name="kept", data_source=str(bad))
    at = make_app("data", session).run()
    assert not at.exception
    assert at.error, "a bad file must show an error"
    assert "broken.csv" in at.error[0].value
    assert at.session_state[SESSION_KEY].area_name == "kept"


def test_profile_page_draws_charts_with_periods(cluster_code: str) -> None:
    at = make_app("profile", StrategySession(area_code=cluster_code, area_name="x")).run()
    assert not at.exception
    assert any("All jobs" in m.label for m in at.metric)
    # only the open tab is drawn: a chart each for structure, bubbles, trends, shift-share
    # and comparators, the comparators and the sector table as grids
    drawn = {"charts": [], "grids": [], "tables": []}
    for tab in ("Structure", "Specialisation and growth", "Trends", "Shift-share",
                "Comparators", "Table"):
        open_tab(at, "profile_tab", tab)
        assert not at.exception
        drawn["charts"].append(len(charts(at)))
        drawn["grids"].append(len(at.dataframe))
        drawn["tables"].append(len(at.table))
    # the comparators as a table (their reasons wrap), the sector table as two tables
    assert drawn == {"charts": [1, 1, 1, 1, 1, 0], "grids": [0, 0, 0, 0, 0, 0],
                     "tables": [0, 0, 0, 0, 1, 2]}


def test_profile_page_without_area_asks_for_one() -> None:
    at = make_app("profile").run()
    assert not at.exception
    assert any("Choose an area" in i.value for i in at.info)


def test_profile_page_user_replaces_comparators(cluster_code: str) -> None:
    at = make_app("profile", StrategySession(area_code=cluster_code, area_name="x")).run()
    open_tab(at, "profile_tab", "Comparators")
    options = at.multiselect[0].options
    assert len(options) > 5
    chosen_label = options[0]
    at.multiselect[0].set_value([chosen_label])
    at.button[0].click()  # the form's submit button comes first in the comparators tab
    at.run()
    assert not at.exception
    assert at.session_state[SESSION_KEY].comparator_codes


def test_findings_page_accept_reject_and_add(cluster_code: str) -> None:
    at = make_app("findings", StrategySession(area_code=cluster_code, area_name="x")).run()
    assert not at.exception
    session = at.session_state[SESSION_KEY]
    assert session.findings, "the cluster archetype must have findings"
    first = session.findings[0]
    decision = at.button_group(key=f"status_{first.id}")
    assert decision.value == first.status
    decision.set_value("rejected").run()
    assert at.session_state[SESSION_KEY].findings[0].status == "rejected"
    at.button_group(key=f"status_{first.id}").set_value(None).run()  # the chosen one clicked again
    assert at.session_state[SESSION_KEY].findings[0].status == "rejected"
    assert at.button_group(key=f"status_{first.id}").value == "rejected"
    at.text_area[-1].input("The college has a waiting list for engineering courses.")
    next(b for b in at.button if b.label == "Add finding").click().run()
    findings = at.session_state[SESSION_KEY].findings
    local = [f for f in findings if f.origin == "local_knowledge"]
    assert len(local) == 1 and local[0].status == "accepted"
    assert "waiting list" in local[0].text
    # the rejection survived the rerun
    assert findings[0].status == "rejected"
    assert at.text_area(key="add_text").value == ""  # the box starts empty again


def test_a_local_knowledge_draft_survives_a_visit_to_another_step(cluster_code: str) -> None:
    at = make_app("findings", StrategySession(area_code=cluster_code, area_name="x")).run()
    at.text_area(key="add_text").input("Two firms share a test rig.").run()
    at.text_input(key="add_source").input("workshop").run()
    at.selectbox(key="add_kind").set_value("opportunity").run()
    at.session_state["step"] = "profile"
    at.run()
    assert not at.exception
    at.session_state["step"] = "findings"
    at.run()
    assert at.text_area(key="add_text").value == "Two firms share a test rig."
    assert at.text_input(key="add_source").value == "workshop"
    assert at.selectbox(key="add_kind").value == "opportunity"
    assert any("draft is kept" in c.value for c in at.caption)
    next(b for b in at.button if b.label == "Add finding").click().run()
    local = [f for f in at.session_state[SESSION_KEY].findings
             if f.origin == "local_knowledge"]
    assert [(f.kind, f.text, f.note) for f in local] == [
        ("opportunity", "Two firms share a test rig.", "workshop")]


def test_adding_an_empty_local_finding_says_so_and_adds_nothing(cluster_code: str) -> None:
    at = make_app("findings", StrategySession(area_code=cluster_code, area_name="x")).run()
    before = len(at.session_state[SESSION_KEY].findings)
    next(b for b in at.button if b.label == "Add finding").click().run()
    assert any("Write the finding first" in w.value for w in at.warning)
    assert len(at.session_state[SESSION_KEY].findings) == before


def test_data_page_switches_to_the_full_national_demo() -> None:
    at = make_app("data").run()
    at.radio(key="data_source_choice").set_value("full").run()
    assert not at.exception
    session = at.session_state[SESSION_KEY]
    assert session.data_source == "demo:full"
    caption = " ".join(c.value for c in at.caption)
    assert "360 districts" in caption and "SYNTHETIC" in caption


def test_custom_area_of_districts_is_profiled_from_their_sums() -> None:
    members = ARCHETYPES["engineering_assembly_cluster"][:2]
    at = make_app("data").run()
    at.radio(key="area_level").set_value("custom_build").run()
    at.text_input[0].input("Twin towns")
    at.multiselect[0].set_value(members)
    next(b for b in at.button if b.label == "Use this custom area").click().run()
    assert not at.exception
    session = at.session_state[SESSION_KEY]
    assert session.custom_area is not None and session.custom_area.members == members
    assert session.area_name == "Twin towns"
    at.session_state["step"] = "profile"
    at.run()
    assert not at.exception
    jobs = next(m.value for m in at.metric if m.label.startswith("All jobs"))

    from evidence.service import Evidence

    ev = Evidence.from_path(None)
    expected = sum(ev.profile(code).total_jobs for code in members)
    assert jobs == f"{expected:,.0f}"
