"""Step 4: rationale (market, system and equity failures) and target of the policy mix.

Each proposed failure is shown with the few findings that bear on it
(:func:`policy.questions.rationale_evidence`: only findings whose topic supports that failure,
at most three), and each focal sector with the findings that make it one
(:func:`policy.questions.focal_support`): only what the standing findings support is proposed.
"""

from __future__ import annotations

import streamlit as st

from evidence.models import Finding
from policy.catalogue import load_catalogue
from policy.questions import (
    EVIDENCE_MAX,
    PROPOSAL_TOP,
    Question,
    focal_support,
    options_of,
    propose,
    proposing_rules,
    questions_for,
    rationale_evidence,
)
from rules.results import Recommendations
from ui.state import get_session, session_profile, session_recommendations
from ui.widgets import need_area, next_button, plain, render_question

NOTHING_ON_THE_POINT = ("no finding in the profile bears on it directly; proposed because "
                        "the rule {rules} fired. Check it with local partners before relying "
                        "on it.")
"""Said of a rationale the rules proposed on a trigger that is not evidence of the failure."""


def support_text(name: str, ids: list[str], by_id: dict[str, Finding],
                 why_proposed: list[str] | None = None) -> str:
    """``name - rests on:`` and the findings as a Markdown list (finding text shown as typed);
    with none, what proposed it instead."""
    texts = [plain(by_id[fid].text) for fid in ids if fid in by_id][:EVIDENCE_MAX]
    if texts:
        return f"{plain(name)} - rests on:\n" + "\n".join(f"- {t}" for t in texts)
    if why_proposed:
        rules = " or ".join(f"'{plain(t)}'" for t in why_proposed)
        return f"{plain(name)} - {NOTHING_ON_THE_POINT.format(rules=rules)}"
    return f"{plain(name)} - rests on: no standing finding"


def _show_support(q: Question, proposal: object, support: dict[str, list[str]],
                  by_id: dict[str, Finding], recs: Recommendations | None = None) -> None:
    """Under a question: each proposed answer and the findings it rests on (plain text)."""
    if not isinstance(proposal, list) or not proposal:
        st.caption("Nothing proposed: no standing finding supports an answer here.")
        return
    labels = options_of(q)
    for value in proposal:
        why = proposing_rules(recs, value, PROPOSAL_TOP) if recs is not None else None
        st.caption(support_text(labels.get(value, value), support.get(value, []), by_id, why))


def render() -> None:
    if need_area():
        return
    session = get_session()
    profile = session_profile(session)
    recs = session_recommendations(session)
    catalogue = load_catalogue()
    findings = session.findings or (profile.findings if profile else [])
    by_id = {f.id: f for f in findings}
    support = rationale_evidence(recs, findings, PROPOSAL_TOP) if recs is not None else {}
    st.caption("Answers are proposed from the accepted findings and the rules; every answer is "
               "yours to change. They go into the appraisal report.")
    st.subheader("Rationale")
    for q in questions_for("rationale"):
        proposal = propose(q, profile, findings, recs, catalogue)
        render_question(q, proposal)
        if q.prefill == "recommended_rationales":
            _show_support(q, proposal, support, by_id, recs)
    st.subheader("Target")
    for q in questions_for("target"):
        proposal = propose(q, profile, findings, recs, catalogue)
        render_question(q, proposal)
        if q.prefill == "focal_sectors":
            _show_support(q, proposal, focal_support(findings), by_id)
    next_button("rationale", "Next: candidate interventions")
