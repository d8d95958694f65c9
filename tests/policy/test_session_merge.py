"""Two tabs on one session (issue 13): a three-way merge of the top-level fields against the
version both tabs started from; only a real conflict (the same part changed on both sides) is
refused, and then nothing is written."""

from __future__ import annotations

from pathlib import Path

import pytest

from evidence.models import Finding
from policy.session import StrategySession, merge_sessions, session_to_json
from policy.storage import SessionStore, StaleSession


def finding(fid: str, text: str = "Known locally.") -> Finding:
    return Finding(id=fid, kind="risk", topic="skills", sector=None, text=text,
                   threshold="local knowledge", confidence=0.6, origin="local_knowledge",
                   status="accepted", values={})


def base_session() -> StrategySession:
    return StrategySession(session_id="s1", title="Base", area_code="E06000001",
                           area_name="Ashbridge", period_start=2016, period_end=2022,
                           findings=[finding("E06000001:one")], answers={"q0": "kept"})


def tabs() -> tuple[StrategySession, StrategySession, StrategySession]:
    base = base_session()
    return base, base.model_copy(deep=True), base.model_copy(deep=True)


def test_a_new_finding_and_a_new_title_are_both_kept() -> None:
    base, mine, theirs = tabs()
    mine.findings.append(finding("local:a", "Tab A knows this."))
    theirs.title = "Tab B's title"
    merge = merge_sessions(base, mine, theirs)
    assert merge.conflicts == [] and merge.session is not None
    assert merge.session.title == "Tab B's title"
    assert [f.id for f in merge.session.findings] == ["E06000001:one", "local:a"]
    assert merge.theirs == ["title"]


def test_two_new_findings_are_both_kept_theirs_first() -> None:
    base, mine, theirs = tabs()
    mine.findings.append(finding("local:a"))
    theirs.findings.append(finding("local:b"))
    theirs.findings[0].status = "rejected"  # and the other tab rejected the first one
    merge = merge_sessions(base, mine, theirs)
    assert merge.session is not None
    assert [f.id for f in merge.session.findings] == ["E06000001:one", "local:b", "local:a"]
    assert merge.session.findings[0].status == "rejected"


def test_one_finding_deleted_on_one_side_is_gone() -> None:
    base, mine, theirs = tabs()
    mine.findings = []
    theirs.notes = "notes"
    merge = merge_sessions(base, mine, theirs)
    assert merge.session is not None and merge.session.findings == []
    assert merge.session.notes == "notes"


@pytest.mark.parametrize("change, expected", [
    (lambda s, v: setattr(s, "title", v), ["title"]),
    (lambda s, v: setattr(s.findings[0], "text", v), ["findings.E06000001:one"]),
    (lambda s, v: s.answers.update(q0=v), ["answers.q0"]),
    (lambda s, v: setattr(s, "notes", v), ["notes"]),
])
def test_the_same_part_changed_on_both_sides_is_a_conflict(change, expected) -> None:
    base, mine, theirs = tabs()
    change(mine, "mine")
    change(theirs, "theirs")
    merge = merge_sessions(base, mine, theirs)
    assert merge.session is None and merge.conflicts == expected


def test_the_same_change_on_both_sides_is_no_conflict() -> None:
    base, mine, theirs = tabs()
    mine.title = theirs.title = "Agreed"
    merge = merge_sessions(base, mine, theirs)
    assert merge.session is not None and merge.session.title == "Agreed"


def test_answers_merge_by_question_and_steps_as_a_union() -> None:
    base, mine, theirs = tabs()
    mine.answers["q1"] = "a"
    theirs.answers["q2"] = "b"
    mine.steps_visited = ["profile"]
    theirs.steps_visited = ["mix"]
    merge = merge_sessions(base, mine, theirs)
    assert merge.session is not None
    assert merge.session.answers == {"q0": "kept", "q2": "b", "q1": "a"}
    assert merge.session.steps_visited == ["mix", "profile"]


def test_another_area_takes_its_findings_with_it() -> None:
    """choose_area clears the findings: a new area on one side and a new finding (of the old
    area) on the other cannot be paired."""
    base, mine, theirs = tabs()
    mine.choose_area("E06000002", "Brookford")
    theirs.findings.append(finding("local:b"))
    assert merge_sessions(base, mine, theirs).conflicts == ["findings"]
    _, mine, theirs = tabs()
    mine.choose_area("E06000002", "Brookford")
    theirs.notes = "their notes"
    merge = merge_sessions(base, mine, theirs)
    assert merge.session is not None and merge.session.area_code == "E06000002"
    assert merge.session.findings == [] and merge.session.notes == "their notes"


def test_a_merge_that_breaks_an_invariant_is_a_conflict() -> None:
    base, mine, theirs = tabs()
    mine.period_start = 2020
    theirs.period_end = 2018  # each fine alone; together the period runs backwards
    merge = merge_sessions(base, mine, theirs)
    assert merge.session is None and merge.conflicts


# -- through the store ------------------------------------------------------------------------


@pytest.fixture
def store(tmp_path: Path) -> SessionStore:
    return SessionStore(tmp_path / "db.sqlite3")


def _two_tabs(store: SessionStore) -> tuple[str, StrategySession, StrategySession, int]:
    sid, _, revision = store.create(base_session())
    loaded = store.load(sid)
    return session_to_json(loaded), loaded.model_copy(deep=True), loaded.model_copy(
        deep=True), revision


def test_the_store_merges_a_stale_save_and_the_tab_goes_on_from_the_merge(
        store: SessionStore) -> None:
    base, a, b, revision = _two_tabs(store)
    a.findings.append(finding("local:a", "Tab A knows this."))
    assert store.commit_merging(a, revision, base).revision == revision + 1
    b.title = "Tab B's title"
    merge = store.commit_merging(b, revision, base)  # stale: A saved in between
    assert merge.revision == revision + 2 and merge.theirs == ["findings"]
    assert [f.text for f in b.findings][-1] == "Tab A knows this."  # b holds the merge now
    stored = store.load(a.session_id)
    assert stored.title == "Tab B's title" and "Tab A knows this." in [
        f.text for f in stored.findings]


def test_a_real_conflict_is_refused_and_nothing_is_written(store: SessionStore) -> None:
    base, a, b, revision = _two_tabs(store)
    a.title = "A"
    store.commit_merging(a, revision, base)
    before = store.load_with_revision(a.session_id)
    b.title = "B"
    with pytest.raises(StaleSession) as caught:
        store.commit_merging(b, revision, base)
    assert caught.value.conflicts == ["title"] and "Both changed: title" in str(caught.value)
    assert caught.value.problems[0].column == "title"
    assert store.load_with_revision(a.session_id) == before
    assert b.title == "B"  # the tab keeps its change


def test_without_a_base_a_stale_save_is_refused(store: SessionStore) -> None:
    base, a, b, revision = _two_tabs(store)
    a.notes = "A"
    store.commit_merging(a, revision, base)
    b.title = "B"
    with pytest.raises(StaleSession):
        store.commit_merging(b, revision, None)
