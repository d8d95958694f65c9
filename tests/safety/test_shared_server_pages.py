"""The app on a shared server (issue 13), in AppTest: a session that would brick every page
opens with the broken part set aside and named; a session comes back from its link.

Custom areas: a session file (or an old database row) can hold a custom area of districts the
data does not have, which once raised on every page, or one whose code is a real area's.
Both open with the custom area set aside (kept in ``set_aside``, named on the page), the rest
of the session intact, and the session saved that way.
"""

from __future__ import annotations

import json

import pytest
from streamlit.testing.v1 import AppTest

from evidence.service import Evidence, load_any
from evidence.sources.demo import ARCHETYPES
from policy.session import StrategySession, custom_area_problems, session_to_json
from policy.storage import SessionStore, Settings
from tests.ui.apptest_helpers import APP, SESSION_KEY

AREA = ARCHETYPES["little_am"][0]


def _stored_raw(body: dict) -> tuple[str, str]:
    """A session row holding ``body`` as an old or tampered database would (not validated)."""
    store = SessionStore()
    sid, key, _ = store.create(StrategySession(title="placeholder"))
    with store.db.transaction() as con:
        con.execute("UPDATE sessions SET body = ? WHERE session_id = ?",
                    (json.dumps({**body, "session_id": sid}), sid))
    return sid, key


def _open(sid: str, key: str, step: str = "profile") -> AppTest:
    at = AppTest.from_file(APP, default_timeout=90)
    at.query_params["sid"] = sid
    at.query_params["key"] = key
    at.query_params["step"] = step
    return at.run()


def _page_text(at: AppTest) -> str:
    return " ".join(str(e.value) for e in [*at.warning, *at.error, *at.markdown, *at.info])


@pytest.mark.parametrize("custom, why", [
    ({"code": "CUSTOM-E09999998-E09999999", "name": "Nowhere",
      "members": ["E09999998", "E09999999"]}, "are not in the data"),
    ({"code": AREA, "name": "Pretender", "members": [AREA]}, "starts with 'CUSTOM-'"),
    ({"code": f"CUSTOM-{AREA}", "name": "Pretender", "members": [AREA]}, None),
])
def test_a_custom_area_the_data_cannot_build_is_set_aside_and_named(
        custom: dict, why: str | None) -> None:
    body = json.loads(session_to_json(StrategySession(title="Keep my title", notes="keep me")))
    body.update(custom_area=custom, area_code=custom["code"], area_name=custom["name"])
    sid, key = _stored_raw(body)
    for step in ("data", "profile", "findings", "export"):
        at = _open(sid, key, step)
        assert not at.exception, (step, at.exception)
    stored = SessionStore().load(sid)
    if why is None:  # a good custom area stays
        assert stored.custom_area is not None and stored.area_code == custom["code"]
        return
    assert "custom area" in _page_text(at).lower() and why in _page_text(at)
    assert stored.custom_area is None and stored.area_code is None
    assert stored.set_aside["custom_area"]["value"]["name"] == custom["name"]
    assert stored.title == "Keep my title" and stored.notes == "keep me"


def test_a_custom_area_whose_code_is_in_the_data_is_set_aside() -> None:
    """A CUSTOM- code the data itself uses (a tidy file can hold any code) is taken."""
    ev = Evidence.from_dataset(load_any(None))
    real = set(ev.cube.areas["area_code"])
    session = StrategySession(title="t")
    code = session.use_custom_area("Mine", [AREA])
    assert code not in real  # the ordinary case: no clash
    levels = {**dict(zip(ev.cube.areas["area_code"], ev.cube.areas["level"], strict=True)),
              code: "lad"}
    problems = custom_area_problems(session.custom_area, levels)
    assert [p.code for p in problems] == ["custom_code_taken"]
    session.set_aside_custom_area(problems)
    assert session.custom_area is None and session.area_code is None
    assert "already an area in the data" in session.set_aside["custom_area"]["problem"]


def test_a_session_comes_back_from_its_link_in_another_browser_session() -> None:
    store = SessionStore()
    other = StrategySession(title="Other place strategy", area_code=AREA, area_name="Little")
    other_id, other_key, _ = store.create(other)
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["step"] = "export"
    at.session_state[SESSION_KEY] = StrategySession(area_code=ARCHETYPES["niche"][0])
    at.run()
    assert not at.exception
    mine = at.session_state[SESSION_KEY]
    assert mine.session_id  # autosaved on the first run
    at.run()
    link = " ".join(c.value for c in at.code)
    assert f"sid={mine.session_id}" in link and "key=" in link
    at.text_input(key="open_link_text").set_value(
        f"http://example.org/export?sid={other_id}&key={other_key}&step=data")
    at.button[[b.label for b in at.button].index("Open that session")].click().run()
    assert not at.exception
    assert at.session_state[SESSION_KEY].session_id == other_id
    assert at.session_state[SESSION_KEY].title == "Other place strategy"
    links = " ".join(m.value for m in at.markdown)
    assert f"?sid={mine.session_id}&key=" in links  # the first session is listed to go back


def test_a_wrong_link_changes_nothing() -> None:
    store = SessionStore()
    other_id, _, _ = store.create(StrategySession(title="Not yours"))
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["step"] = "export"
    at.session_state[SESSION_KEY] = StrategySession(title="Mine", area_code=AREA)
    at.run()
    at.text_input(key="open_link_text").set_value(f"?sid={other_id}&key=guessed")
    at.button[[b.label for b in at.button].index("Open that session")].click().run()
    assert not at.exception
    assert at.session_state[SESSION_KEY].title == "Mine"
    assert any("does not open a saved session" in e.value for e in at.error)


def test_a_session_on_an_expired_upload_opens_with_the_source_set_aside() -> None:
    settings = Settings.from_env()
    kept = settings.keep_upload("district jobs.csv", b"area_code,sic\n")
    sid, key, _ = SessionStore().create(StrategySession(data_source=str(kept), notes="keep"))
    kept.unlink()  # as expire_uploads does after POLICYMIX_UPLOAD_DAYS
    at = _open(sid, key, "data")
    assert not at.exception
    text = _page_text(at)
    assert "'districtjobs.csv' is no longer on this server" in text
    assert "upload it again on the Data page" in text
    stored = SessionStore().load(sid)
    assert stored.data_source is None and stored.notes == "keep"
    assert "no longer on this server" in stored.set_aside["data_source"]["problem"]
