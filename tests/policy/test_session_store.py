"""Sessions: lossless JSON round trip, SQLite autosave, refusal of bad files."""

from __future__ import annotations

import json
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
from policy.storage import SessionStore


def sample_session() -> StrategySession:
    return StrategySession(
        title="Test strategy", area_code="E06000001", area_name="Ashbridge",
        custom_area=CustomArea(code="C1", name="Patch", members=["E06000001", "E06000002"]),
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
