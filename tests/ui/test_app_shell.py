"""AppTest for the walkthrough shell (progress view, every page from an empty session) and for
saving and loading sessions."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from evidence.sources.demo import ARCHETYPES
from policy.session import StrategySession
from policy.storage import SessionStore
from tests.ui.apptest_helpers import APP, SESSION_KEY
from ui.steps import load_steps


@pytest.mark.parametrize("step", [s.id for s in load_steps()])
def test_every_page_works_from_an_empty_session(step: str) -> None:
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["step"] = step
    at.run()
    assert not at.exception, at.exception
    assert at.title[0].value  # the step title is shown
    assert any("Key question" in m.value for m in at.markdown)


def test_progress_view_counts_steps_done() -> None:
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["step"] = "profile"
    at.session_state[SESSION_KEY] = StrategySession(
        area_code=ARCHETYPES["niche"][0], area_name="x",
        chosen_interventions=["cluster_network"])
    at.run()
    assert not at.exception
    assert "2 of" in at.get("progress")[0].proto.text  # data and interventions
    at.run()  # the profile has now been seen: seeing a page does not finish it (issue 15)
    assert "2 of" in at.get("progress")[0].proto.text
    at.button(key="next_profile").click().run()  # finished with Next: now it is done
    assert at.session_state["step"] == "findings"
    # data (area chosen), profile (finished), interventions (chosen) are done
    assert "3 of" in at.get("progress")[0].proto.text
    expander_text = " ".join(m.value for m in at.sidebar.markdown)
    for step in load_steps():
        assert step.question in expander_text


def test_export_page_offers_the_session_as_a_file() -> None:
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["step"] = "export"
    at.session_state[SESSION_KEY] = StrategySession(area_code=ARCHETYPES["niche"][0],
                                                    area_name="kept")
    at.run()
    assert not at.exception
    assert at.session_state[SESSION_KEY].area_name == "kept"
    # The download of the session is offered on the page.
    assert any(b.proto.label.startswith("Download the session")
               for b in at.get("download_button"))


def test_export_page_prepares_a_workbook_download() -> None:
    import io

    import openpyxl

    at = AppTest.from_file(APP, default_timeout=120)
    at.session_state["step"] = "export"
    at.session_state[SESSION_KEY] = StrategySession(area_code=ARCHETYPES["niche"][0], area_name="x",
                                            chosen_interventions=["cluster_network"])
    at.run()
    at.radio(key="export_format").set_value("xlsx").run()
    at.button(key="prepare_export").click().run()
    assert not at.exception
    fmt, blob = at.session_state["export_blob"]
    assert fmt == "xlsx"
    wb = openpyxl.load_workbook(io.BytesIO(blob))
    assert "About" in wb.sheetnames
    about = " ".join(str(c.value) for row in wb["About"].iter_rows() for c in row if c.value)
    assert "SYNTHETIC" in about.upper()
    labels = [b.proto.label for b in at.get("download_button")]
    assert any("Excel" in label for label in labels)


def test_export_page_lists_only_sessions_this_browser_holds_keys_for() -> None:
    """Issue 13: the list once showed every session on the server, titles and links included."""
    store = SessionStore()  # the same default store the app uses in tests
    mine = StrategySession(title="Other place strategy", area_code=ARCHETYPES["little_am"][0])
    mine_id, mine_key, _ = store.create(mine)
    stranger = StrategySession(title="Somebody else's [strategy](http://x)")
    stranger_id = store.save(stranger)
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["step"] = "export"
    at.session_state[SESSION_KEY] = StrategySession(area_code=ARCHETYPES["niche"][0])
    at.session_state["session_keyring"] = {mine_id: mine_key}
    at.run()
    assert not at.exception
    links = " ".join(m.value for m in at.markdown)
    assert f"?sid={mine_id}&key={mine_key}" in links and "Other place strategy" in links
    assert stranger_id not in links and "Somebody" not in links


def test_sidebar_steps_are_buttons_with_one_marker_and_the_current_one_highlighted() -> None:
    """Issue 15: the steps were a radio whose labels carried a status icon too (two markers).
    Now one button a step: its status as the icon, the current step the primary button, and a
    click switches step as the Next buttons do."""
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["step"] = "findings"
    at.session_state[SESSION_KEY] = StrategySession(area_code=ARCHETYPES["niche"][0],
                                                    area_name="x")
    at.run()
    assert not at.exception and not at.sidebar.radio
    steps = load_steps()
    buttons = {s.id: at.sidebar.button(key=f"nav_{s.id}") for s in steps}
    assert [b.label for b in buttons.values()] == [
        f"{i}. {s.title}" for i, s in enumerate(steps, start=1)]
    kinds = {sid: b.proto.type for sid, b in buttons.items()}
    assert kinds["findings"] == "primary"
    assert {k for sid, k in kinds.items() if sid != "findings"} == {"tertiary"}
    icons = {sid: b.proto.icon for sid, b in buttons.items()}
    assert icons["data"] == ":material/check_circle:"  # an area is chosen: done
    assert icons["findings"] == ":material/edit:"  # the step on screen, not done
    assert icons["export"] == ":material/radio_button_unchecked:"
    at.sidebar.button(key="nav_rationale").click().run()
    assert not at.exception
    assert at.session_state["step"] == "rationale"
    assert at.title[0].value == "Rationale and target"
    assert at.sidebar.button(key="nav_rationale").proto.type == "primary"
    assert at.sidebar.button(key="nav_findings").proto.type == "tertiary"
