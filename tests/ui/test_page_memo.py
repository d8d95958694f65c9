"""The results a browser session keeps between runs (``ui.state.session_memo``) are never stale.

Pages keep the session's profile, comparator profiles and recommendations while what they are
built from stays the same (issue 14: rebuilding them took 100-150 ms a run on the full demo).
These tests change each input in turn and compare the page with a fresh computation.
"""

from __future__ import annotations

import re

from evidence.service import Evidence
from evidence.sources.demo import ARCHETYPES
from policy.walkthrough import new_session, recommend, session_profile
from tests.ui.apptest_helpers import SESSION_KEY, app_at, open_tab

CODE = ARCHETYPES["engineering_assembly_cluster"][0]


def _scores(at) -> dict[str, float]:
    """The scores on the interventions page's "Why ...?" expander labels."""
    found = (re.match(r"Why (.+)\? \(score ([0-9.]+);", e.label) for e in at.expander)
    return {m.group(1): float(m.group(2)) for m in found if m}


def _fresh(ev: Evidence, at) -> dict[str, float]:
    from policy.catalogue import load_catalogue

    names = {i: iv.name for i, iv in load_catalogue().items()}
    recs = recommend(ev, at.session_state[SESSION_KEY])
    return {names[r.intervention]: round(r.score, 2) for r in recs.recommended}


def test_recommendations_follow_the_findings_and_comparators() -> None:
    ev = Evidence.from_path(None)
    at = app_at("interventions", new_session(ev, CODE))
    assert not at.exception
    first = _scores(at)
    assert first and first == _fresh(ev, at)
    kept = at.session_state["page_memo"]["recommendations"][2]
    at.run()  # nothing changed: the kept recommendations are reused, not rebuilt
    assert at.session_state["page_memo"]["recommendations"][2] is kept
    # reject every strength: the rules see fewer findings, the page must follow at once
    session = at.session_state[SESSION_KEY]
    for f in session.findings:
        if f.kind == "strength":
            f.status = "rejected"
    at.run()
    assert not at.exception
    assert at.session_state["page_memo"]["recommendations"][2] is not kept
    assert _scores(at) == _fresh(ev, at) != first
    # other comparators: new comparator profiles, the same answer as a fresh run
    peers = [c for c in ev.areas()["area_code"] if c != CODE][:3]
    at.session_state[SESSION_KEY].comparator_codes = peers
    at.run()
    assert _scores(at) == _fresh(ev, at)


def test_profile_follows_the_period() -> None:
    ev = Evidence.from_path(None)
    session = new_session(ev, CODE)
    at = open_tab(app_at("profile", session), "profile_tab", "Table")
    years = ev.years
    at.session_state[SESSION_KEY].period_start = years[1]
    at.run()
    assert not at.exception
    shown = at.session_state["page_memo"]["profile"][2]
    assert shown.period.start == years[1]
    assert shown == session_profile(ev, at.session_state[SESSION_KEY])
    assert any(f"{years[1]}-" in str(c) for t in at.table for c in t.value.columns)
