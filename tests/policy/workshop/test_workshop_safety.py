"""Workshop hardening (issue 13): names normalised, a cap and a join rate, removal, expiry."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest

from policy.session import StrategySession
from policy.storage import Settings
from policy.workshop import (
    WorkshopClosed,
    WorkshopError,
    WorkshopStore,
    clean_display_name,
    client_key,
    now_utc,
)
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
    monkeypatch.setattr(store, "settings", replace(store.settings, workshop_max_participants=3))
    for i in range(3):
        store.join(code, f"Person {i}")
    with pytest.raises(WorkshopError, match="is full"):
        store.join(code, "One too many")
    assert len(store.participants(code)) == 3


def test_joins_are_rate_limited(store: WorkshopStore, code: str,
                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(store, "settings", replace(store.settings, workshop_joins_per_minute=5))
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


def test_one_client_is_rate_limited_over_every_workshop(store: WorkshopStore, code: str,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(store, "settings", replace(store.settings, client_joins_per_minute=3))
    session = StrategySession(session_id="s2", area_code="E06000001", appraisal=hand_state())
    other = store.start_workshop(session).code
    for i, ws in enumerate((code, other, code)):
        store.join(ws, f"Puppet {i}", client="ip:198.51.100.7")
    with pytest.raises(WorkshopError, match="from this device or network") as caught:
        store.join(other, "Puppet 3", client="ip:198.51.100.7")
    assert caught.value.problems[0].code == "client_rate"
    store.join(other, "Someone else", client="ip:198.51.100.8")  # another client joins
    store.join(other, "No client named")  # the per-workshop limit still holds for these
    with store.db.reader() as con:  # only a hash of the client is kept
        logged = [r[0] for r in con.execute("SELECT client_hash FROM workshop_join_log")]
    assert len(logged) == 4 and not any("198.51" in h for h in logged)
    with store.db.transaction() as con:  # a minute later
        con.execute("UPDATE workshop_join_log SET joined_at = ?",
                    ((now_utc() - timedelta(seconds=61)).isoformat(timespec="seconds"),))
    store.join(other, "Puppet 3", client="ip:198.51.100.7")


def test_zero_turns_the_client_limit_off(store: WorkshopStore, code: str,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(store, "settings", replace(store.settings, client_joins_per_minute=0))
    for i in range(12):
        store.join(code, f"Person {i}", client="ip:10.0.0.1")


def test_workshop_limits_come_from_the_environment(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POLICYMIX_WORKSHOP_HOURS", "2")
    monkeypatch.setenv("POLICYMIX_WORKSHOP_MAX_PARTICIPANTS", "1")
    store = WorkshopStore(tmp_path / "env.sqlite3")
    session = StrategySession(session_id="s1", area_code="E06000001", appraisal=hand_state())
    workshop = store.start_workshop(session)
    assert workshop.expires_at - workshop.created_at == timedelta(hours=2)
    store.join(workshop.code, "Ann")
    with pytest.raises(WorkshopError, match=r"is full \(1 participants\)"):
        store.join(workshop.code, "Bob")
    store.close(workshop.code)
    reopened = store.reopen(workshop.code)
    assert reopened.expires_at - now_utc() <= timedelta(hours=2)
    assert Settings.from_env().workshop_hours == 2


@pytest.mark.parametrize("remote, forwarded, trust, expected", [
    ("203.0.113.5", "198.51.100.1", False, "ip:203.0.113.5"),  # a header the client can type
    ("203.0.113.5", "1.2.3.4, 198.51.100.1", True, "ip:198.51.100.1"),  # the proxy's entry
    (None, None, False, "session:b1"),  # localhost: only the browser session is known
    ("2001:db8:1:2:3:4:5:6", None, False, "ip:2001:db8:1:2::/64"),
    ("2001:db8:1:2:ffff::1", None, False, "ip:2001:db8:1:2::/64"),  # same /64, same client
])
def test_the_client_is_what_the_server_can_honestly_tell(
        remote: str | None, forwarded: str | None, trust: bool, expected: str) -> None:
    assert client_key(remote, forwarded, "b1", trust_proxy=trust) == expected
