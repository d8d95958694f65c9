"""Sessions: lossless JSON round trip, SQLite autosave, refusal of bad files."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evidence.models import Finding
from policy.session import (
    SCHEMA_VERSION,
    CustomArea,
    SessionError,
    StrategySession,
    session_from_json,
    session_to_json,
)
from policy.storage import AccessDenied, SessionStore, StaleSession


def sample_session() -> StrategySession:
    return StrategySession(
        title="Test strategy", area_code="E06000001", area_name="Ashbridge",
        custom_area=CustomArea(code="CUSTOM-C1", name="Patch",
                               members=["E06000001", "E06000002"]),
        period_start=2016, period_end=2024, comparator_codes=["E06000003"],
        findings=[Finding(id="f1", kind="strength", topic="specialisation", sector="aerospace",
                          values={"lq": 2.5, "year": 2024}, threshold="LQ >= 1.25",
                          text="Specialised in aerospace.", confidence=0.9, status="accepted"),
                  Finding(id="local:1", kind="risk", topic="dependence", text="One employer.",
                          confidence=0.6, origin="local_knowledge", note="=cmd|' /C calc'!A0")],
        answers={"rationale": ["coordination_failure"], "target": "vertical"},
        chosen_interventions=["am_centre_hub", "fe_apprenticeships"],
        notes="Workshop on 12 March",
    )


def test_json_round_trip_is_lossless() -> None:
    s = sample_session()
    again = session_from_json(session_to_json(s))
    assert again == s
    assert session_to_json(again) == session_to_json(s)


@settings(max_examples=30, deadline=None)
@given(st.text(max_size=200), st.lists(st.sampled_from(["a", "b", "c"]), max_size=5))
def test_round_trip_any_text(notes: str, chosen: list[str]) -> None:
    s = StrategySession(notes=notes, chosen_interventions=chosen)
    assert session_from_json(session_to_json(s)) == s


def test_store_saves_and_reloads(tmp_path: Path) -> None:
    store = SessionStore(tmp_path / "db.sqlite3")
    s = sample_session()
    sid = store.save(s)
    assert sid and s.session_id == sid
    s.notes = "changed"
    store.save(s)
    # a second store object on the same file = a server restart
    again = SessionStore(tmp_path / "db.sqlite3").load(sid)
    assert again.notes == "changed"
    assert again == s
    assert [row["session_id"] for row in store.list()] == [sid]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('{"schema_version": 1, "findings": [', "not valid JSON"),
        ("[1, 2]", "JSON object"),
        ('{"title": "x"}', "schema_version"),
        (json.dumps({"schema_version": SCHEMA_VERSION + 1}), "newer"),
        (json.dumps({"schema_version": 1, "findings": [{"id": "x", "kind": "wizard"}]}),
         "findings.0"),
    ],
)
def test_bad_session_files_are_refused(text: str, expected: str) -> None:
    with pytest.raises(SessionError, match=expected):
        session_from_json(text, source="upload.json")


def test_refused_import_changes_nothing_saved(tmp_path: Path) -> None:
    store = SessionStore(tmp_path / "db.sqlite3")
    s = sample_session()
    sid = store.save(s)
    with pytest.raises(SessionError):
        session_from_json('{"schema_version": 99}')
    assert store.load(sid) == s


# -- access keys and revisions (issue 13) -------------------------------------------------


def test_a_session_opens_only_with_its_key_and_the_file_holds_no_key(tmp_path: Path) -> None:
    store = SessionStore(tmp_path / "db.sqlite3")
    sid, key, revision = store.create(sample_session())
    assert revision == 1 and len(key) >= 32
    session, rev = store.open(sid, key)
    assert session.title == "Test strategy" and rev == 1
    for wrong in (None, "", key[:-1], key + "x", "0" * 32):
        with pytest.raises(AccessDenied) as caught:
            store.open(sid, wrong)
        assert caught.value.code == "access_denied" and caught.value.item == sid
    with pytest.raises(AccessDenied):  # an unknown id is refused the same way
        store.open("nosuchid", key)
    assert key.encode() not in (tmp_path / "db.sqlite3").read_bytes()
    second = store.issue_key(sid)
    assert store.open(sid, second)[0].title == "Test strategy" and store.holds_key(sid, key)


def test_a_stale_save_is_refused_and_changes_nothing(tmp_path: Path) -> None:
    store = SessionStore(tmp_path / "db.sqlite3")
    sid, key, _ = store.create(sample_session())
    tab_a, rev_a = store.open(sid, key)
    tab_b, rev_b = store.open(sid, key)
    tab_a.notes = "tab A's note"
    assert store.commit(tab_a, rev_a) == 2
    tab_b.title = "tab B's title"
    with pytest.raises(StaleSession) as caught:
        store.commit(tab_b, rev_b)
    assert caught.value.expected == 1 and caught.value.stored == 2
    kept = store.load(sid)
    assert kept.notes == "tab A's note" and kept.title == "Test strategy"
    assert store.commit(tab_b, store.revision(sid)) == 3  # after the user chose to overwrite


def test_list_is_limited_to_the_ids_asked_for(tmp_path: Path) -> None:
    store = SessionStore(tmp_path / "db.sqlite3")
    mine = store.create(StrategySession(title="mine"))[0]
    store.create(StrategySession(title="theirs"))
    assert [r["title"] for r in store.list(ids=[mine])] == ["mine"]
    assert store.list(ids=[]) == []


def test_an_old_database_without_revisions_gains_the_column(tmp_path: Path) -> None:
    db = tmp_path / "old.sqlite3"
    con = sqlite3.connect(db)
    con.execute("CREATE TABLE sessions (session_id TEXT PRIMARY KEY, schema_version INTEGER NOT "
                "NULL, title TEXT NOT NULL, area_code TEXT, updated_at TEXT NOT NULL, body TEXT "
                "NOT NULL)")
    con.execute("INSERT INTO sessions VALUES ('old1', 1, 't', NULL, '2024-01-01', ?)",
                (session_to_json(StrategySession(session_id="old1", title="t")),))
    con.commit()
    con.close()
    store = SessionStore(db)
    assert store.revision("old1") == 1 and store.load("old1").title == "t"
