"""Workshop hardening (issue 13): names normalised, a cap and a join rate, removal, expiry."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from policy.session import StrategySession
from policy.workshop import (
    WorkshopClosed,
    WorkshopError,
    WorkshopStore,
    clean_display_name,
    now_utc,
)
from policy.workshop import store as store_module
from tests.policy.workshop.test_workshop import full_sheet, hand_state


@pytest.fixture
def store(tmp_path: Path) -> WorkshopStore:
    return WorkshopStore(tmp_path / "ws.sqlite3")


@pytest.fixture
def code(store: WorkshopStore) -> str:
    session = StrategySession(session_id="s1", area_code="E06000001", appraisal=hand_state())
    return store.start_workshop(session).code


@pytest.mark.parametrize("typed, stored", [
    ("  Ann   Example ", "Ann Example"),
    ("\uff21nn", "Ann"),  # full-width A
    ("Ann\tExample", "Ann Example"),
    ("ﬁona", "fiona"),  # the fi ligature
])
def test_names_are_nfkc_normalised(typed: str, stored: str) -> None:
    assert clean_display_name(typed) == stored


@pytest.mark.parametrize("typed, message", [
    ("Ann\u202eelpmaxE", "U+202E"),  # right-to-left override
    ("Ann\u200b", "U+200B"),  # zero width space
    ("Ann\x00", "U+0000"),
    ("Ann\x1b[31m", "U+001B"),
    ("Ann\u2028Bob", "U+2028"),
    ("\u0410nn", "mixes Latin, Cyrillic"),  # Cyrillic A then Latin
    ("", "enter a display name"),
    ("x" * 41, "at most 40"),
])
def test_names_with_invisible_or_look_alike_characters_are_refused(typed: str,
                                                                   message: str) -> None:
    with pytest.raises(WorkshopError, match=message.replace("+", r"\+").replace("[", r"\[")):
        clean_display_name(typed)


def test_a_look_alike_name_cannot_squat_a_real_one(store: WorkshopStore, code: str) -> None:
    store.join(code, "Ann")
    with pytest.raises(WorkshopError, match="already taken"):
        store.join(code, "\uff21NN")  # full-width A, upper case: the same name after NFKC


def test_joins_are_capped(store: WorkshopStore, code: str,
                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(store_module, "MAX_PARTICIPANTS", 3)
    for i in range(3):
        store.join(code, f"Person {i}")
    with pytest.raises(WorkshopError, match="is full"):
        store.join(code, "One too many")
    assert len(store.participants(code)) == 3


def test_joins_are_rate_limited(store: WorkshopStore, code: str,
                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(store_module, "JOINS_PER_MINUTE", 5)
    for i in range(5):
        store.join(code, f"Person {i}")
    with pytest.raises(WorkshopError, match="in the last minute"):
        store.join(code, "Sixth")
    with store.db.transaction() as con:  # a minute later
        con.execute("UPDATE workshop_participants SET joined_at = ?",
                    ((now_utc() - timedelta(seconds=61)).isoformat(timespec="seconds"),))
    store.join(code, "Sixth")


def test_the_facilitator_removes_a_participant_and_their_scores(store: WorkshopStore,
                                                                code: str) -> None:
    keep, keep_token = store.join(code, "Ann")
    puppet, token = store.join(code, "Puppet")
    store.save_scores(code, keep_token, full_sheet(75))
    store.save_scores(code, token, full_sheet(0))
    store.propose(code, token, kind="risk", topic="skills", text="spam")
    assert store.remove_participant(code, puppet.id).display_name == "Puppet"
    assert [p.display_name for p in store.participants(code)] == ["Ann"]
    assert {s.participant_id for s in store.scores(code)} == {keep.id}
    assert store.proposals(code) == []
    assert store.participant_by_token(code, token) is None  # their link no longer works
    with pytest.raises(WorkshopError):
        store.save_scores(code, token, full_sheet(0))
    with pytest.raises(WorkshopError, match="no participant"):
        store.remove_participant(code, puppet.id)


def test_open_workshops_expire_and_reopening_extends(store: WorkshopStore, code: str) -> None:
    _, token = store.join(code, "Ann")
    workshop = store.get_workshop(code)
    assert workshop.expires_at is not None and workshop.expires_at > now_utc()
    with store.db.transaction() as con:
        con.execute("UPDATE workshops SET expires_at = ?",
                    ((now_utc() - timedelta(minutes=1)).isoformat(timespec="seconds"),))
    expired = store.get_workshop(code)
    assert expired.expired and not expired.is_open and expired.state_label == "expired"
    with pytest.raises(WorkshopClosed, match="expired"):
        store.join(code, "Bob")
    with pytest.raises(WorkshopClosed, match="expired"):
        store.save_scores(code, token, full_sheet(50))
    again = store.reopen(code)
    assert again.is_open and again.expires_at > now_utc()
    assert store.save_scores(code, token, full_sheet(50)) == 4
