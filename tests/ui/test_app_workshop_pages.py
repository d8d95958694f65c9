"""AppTest for workshop mode: the facilitator's step and the participant's page (``?ws=CODE``).

Each AppTest is a separate browser session; they share only the SQLite file under the temporary
POLICYMIX_HOME that tests/conftest.py sets, exactly as real participants share the server's.
"""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from evidence.sources.demo import ARCHETYPES
from policy.session import StrategySession
from policy.workshop import WorkshopStore
from tests.paths import APP
from ui.steps import load_steps

APP = APP
KEY = "policymix_session"


@pytest.fixture
def cluster() -> StrategySession:
    return StrategySession(area_code=ARCHETYPES["engineering_assembly_cluster"][0], area_name="x",
                           chosen_interventions=["supply_chain_development", "cluster_network",
                                                 "fe_apprenticeships", "digital_adoption",
                                                 "sector_strategy"])


def facilitator(session: StrategySession) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["step"] = "workshop"
    at.session_state[KEY] = session
    return at.run()


def started(session: StrategySession) -> tuple[AppTest, str]:
    at = facilitator(session)
    assert not at.exception, at.exception
    at.button(key="ws_start").click().run()
    assert not at.exception, at.exception
    return at, at.session_state["workshop_code"]


def participant(code: str, token: str | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["ws"] = code
    if token:
        at.query_params["p"] = token
    return at.run()


def join(code: str, name: str) -> AppTest:
    at = participant(code)
    assert at.text_input(key="ws_join_code").value == code  # prefilled from the URL
    at.text_input(key="ws_join_name").input(name)
    at.button(key="FormSubmitter:ws_join-Join").click().run()
    assert not at.exception, at.exception
    assert at.query_params["p"], "the token goes into the URL"
    return at


def submit_scores(at: AppTest, value: int) -> AppTest:
    for s in at.slider:
        s.set_value(value)
    return at.button(key="FormSubmitter:ws_scores-Submit my scores").click().run()


def metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def test_workshop_step_sits_between_appraisal_and_export() -> None:
    ids = [s.id for s in load_steps()]
    assert ids.index("appraisal") + 1 == ids.index("workshop") == ids.index("export") - 1


def test_facilitator_starts_and_sees_two_participants_score(cluster: StrategySession) -> None:
    at, code = started(cluster)
    assert any(code in m.value for m in at.markdown)  # the code, shown big
    assert any(f"?ws={code}" in c.value for c in at.code)  # the join address
    assert metric(at, "Participants") == "0"

    ann = join(code, "Ann")
    assert ann.session_state["ws_joined_as"] == "Ann"
    workshop = WorkshopStore().get_workshop(code)
    assert len(ann.slider) == len(workshop.cells)  # every short-listed option x criterion
    submit_scores(ann, 20)
    assert not ann.exception and "Saved your" in ann.success[0].value
    bob = join(code, "Bob")
    submit_scores(bob, 80)
    assert not bob.exception

    at.run()  # what the live fragment shows on its next tick
    assert not at.exception, at.exception
    assert metric(at, "Participants") == "2"
    assert metric(at, "Scored") == "2"
    assert metric(at, "Scored completely") == "2"
    assert len(at.get("vega_lite_chart")) == 1  # the heatmap
    assert any("Ann" in c.value and "Bob" in c.value for c in at.caption)
    assert len(at.dataframe) >= 2  # disagreements and ranking


def test_participant_sees_only_their_form(cluster: StrategySession) -> None:
    _, code = started(cluster)
    at = join(code, "Carol")
    assert not at.exception
    assert len(at.sidebar) == 0  # no steps, no progress, no area
    assert not at.radio  # the step radio is nowhere
    assert not any("Key question" in m.value for m in at.markdown)
    assert cluster.area_code not in " ".join(m.value for m in at.markdown)
    assert "sid" not in at.query_params  # no session was created or restored
    labels = {s.label for s in at.slider}
    workshop = WorkshopStore().get_workshop(code)
    assert labels == {c.label for c in workshop.criteria}
    assert all(s.help for s in at.slider)  # criterion descriptions as help
    assert at.text_area(key="ws_prop_text") is not None  # propose a finding


def test_refresh_keeps_identity_and_prefills_own_scores(cluster: StrategySession) -> None:
    _, code = started(cluster)
    ann = join(code, "Ann")
    token = ann.query_params["p"]
    submit_scores(ann, 35)
    again = participant(code, token)  # a refresh: a new browser session, same URL
    assert not again.exception
    assert any("Welcome, **Ann**" in m.value for m in again.markdown)
    assert {s.value for s in again.slider} == {35}
    # Somebody else's view starts from their own (empty) sheet, not Ann's.
    bob = join(code, "Bob")
    assert {s.value for s in bob.slider} == {50}


def test_forged_token_gets_the_join_form(cluster: StrategySession) -> None:
    _, code = started(cluster)
    at = participant(code, "forged-token")
    assert not at.exception
    assert any("not recognised" in w.value for w in at.warning)
    assert not at.slider and at.text_input(key="ws_join_name") is not None


def test_unknown_code_says_so(cluster: StrategySession) -> None:
    at = participant("ZZZZZZ")
    assert not at.exception
    assert "no workshop with the code ZZZZZZ" in at.error[0].value


def test_closed_workshop_refuses_scores(cluster: StrategySession) -> None:
    fac, code = started(cluster)
    ann = join(code, "Ann")
    submit_scores(ann, 60)
    fac.button(key="ws_close").click().run()
    assert not fac.exception
    assert metric(fac, "Status") == "closed"
    assert fac.session_state[KEY].workshop["summary"]["status"] == "closed"  # for the exports
    # Ann still has her form open and submits again: refused, and she is told why.
    submit_scores(ann, 99)
    assert not ann.exception
    assert not ann.slider
    assert any("Scoring is closed" in i.value and "not saved" in i.value for i in ann.info)
    assert {s.value for s in WorkshopStore().scores(code)} == {60.0}
    # A newcomer cannot join any more.
    late = participant(code)
    assert not late.text_input and any("closed" in i.value for i in late.info)


def test_use_workshop_scores_updates_appraisal_and_session(cluster: StrategySession) -> None:
    fac, code = started(cluster)
    ann = join(code, "Ann")
    submit_scores(ann, 10)
    ann.text_area(key="ws_prop_text").input("A supplier is closing its Derby site.")
    ann.button(key="FormSubmitter:ws_propose-Propose finding").click().run()
    assert not ann.exception and any("proposal" in s.value for s in ann.success)
    fac.run()
    fac.button(key="ws_apply").click().run()
    assert not fac.exception, fac.exception
    session: StrategySession = fac.session_state[KEY]
    score = session.appraisal.scores[0]
    assert score.value == 10.0
    assert score.rationale.startswith("workshop median of 1 participant (IQR 0")
    assert "facilitator's score was" in score.rationale
    report = session.workshop
    assert report["participants"][0]["name"] == "Ann"
    assert report["contributions"][0]["text"] == "A supplier is closing its Derby site."
    assert report["summary"]["applied_to_appraisal"] is True
    fac.button(key="ws_findings").click().run()
    assert not fac.exception
    added = [f for f in fac.session_state[KEY].findings if f.id.startswith("workshop:")]
    assert [f.text for f in added] == ["A supplier is closing its Derby site."]
    assert len(fac.session_state[KEY].findings) > 1  # the data's findings were kept


def test_facilitator_finds_the_workshop_again_after_a_restart(cluster: StrategySession) -> None:
    fac, code = started(cluster)
    saved = fac.session_state[KEY]
    assert saved.session_id
    key = fac.session_state["session_keyring"][saved.session_id]
    fresh = AppTest.from_file(APP, default_timeout=60)
    fresh.query_params["sid"] = saved.session_id  # a new browser session, same saved session
    fresh.query_params["key"] = key  # the facilitator's full address (issue 13: id alone no)
    fresh.query_params["step"] = "workshop"
    fresh.run()
    assert not fresh.exception, fresh.exception
    assert any(code in m.value for m in fresh.markdown)


def test_the_session_id_alone_opens_neither_the_session_nor_the_workshop(
        cluster: StrategySession) -> None:
    fac, code = started(cluster)
    sid = fac.session_state[KEY].session_id
    for key in (None, "guessed-key", fac.session_state["session_keyring"][sid][:-1]):
        other = AppTest.from_file(APP, default_timeout=60)
        other.query_params["sid"] = sid
        if key:
            other.query_params["key"] = key
        other.query_params["step"] = "workshop"
        other.run()
        assert not other.exception, other.exception
        assert other.session_state[KEY].session_id != sid  # a new session, not the saved one
        assert not any(code in m.value for m in other.markdown)
        assert "does not open a saved session" in other.warning[0].value


def test_a_participant_who_drops_ws_from_the_address_stays_on_their_form(
        cluster: StrategySession) -> None:
    _, code = started(cluster)
    at = join(code, "Dana")
    del at.query_params["ws"]
    at.query_params["step"] = "workshop"
    at.run()
    assert not at.exception, at.exception
    assert len(at.sidebar) == 0 and not at.radio
    assert at.title[0].value == "Strategy workshop"


def test_start_refused_without_options(cluster: StrategySession) -> None:
    at = facilitator(cluster)
    state = at.session_state[KEY].appraisal
    for o in state.options:
        if not o.is_baseline:
            state.dropped[o.id] = "fails affordability"
    at.button(key="ws_start").click().run()
    assert not at.exception
    assert "no option besides business as usual" in at.error[0].value


def test_participant_sees_contents_and_can_leave_a_cell_not_scored(
        cluster: StrategySession) -> None:
    from ui.pages.workshop import qr_png

    at, code = started(cluster)
    url = next(c.value for c in at.code)
    assert "localhost" not in url and "127.0.0.1" not in url
    assert qr_png(f"http://192.168.1.20:8501/?ws={code}").startswith(b"\x89PNG")
    p = join(code, "Sam, college")
    assert any("What it contains" in m.value for m in p.markdown)
    assert not any("edit to suit" in c.value for c in p.caption)
    skip = next(c for c in p.checkbox if c.key.startswith("ws_skip__"))
    skip.check()
    for s in p.slider:
        s.set_value(70)
    p.button(key="FormSubmitter:ws_scores-Submit my scores").click().run()
    assert not p.exception, p.exception
    assert any("1 left not scored" in s.value for s in p.success)
    assert p.checkbox(key=skip.key).value, "the cell stays not scored after submitting"
