"""Step 4: rationale (market, system and equity failures) and target of the policy mix.

Each proposed failure and focal sector is shown with the findings it rests on
(:func:`policy.questions.rationale_support`, :func:`policy.questions.focal_support`): only what
the standing findings support is proposed.
"""

from __future__ import annotations

import streamlit as st

from evidence.models import Finding
from policy.catalogue import load_catalogue
from policy.questions import (
    PROPOSAL_TOP,
    Question,
    focal_support,
    options_of,
    propose,
    questions_for,
    rationale_support,
)
from ui.state import get_session, session_profile, session_recommendations
from ui.widgets import need_area, next_button, render_question


def _show_support(q: Question, proposal: object, support: dict[str, list[str]],
                  by_id: dict[str, Finding]) -> None:
    """Under a question: each proposed answer and the findings it rests on (plain text)."""
    if not isinstance(proposal, list) or not proposal:
        st.caption("Nothing proposed: no standing finding supports an answer here.")
        return
    labels = options_of(q)
    for value in proposal:
        texts = [by_id[fid].text for fid in support.get(value, []) if fid in by_id]
        st.caption(f"{labels.get(value, value)} - rests on: "
                   + (" | ".join(texts) if texts else "no standing finding"))


def render() -> None:
    if need_area():
        return
    session = get_session()
    profile = session_profile(session)
    recs = session_recommendations(session)
    catalogue = load_catalogue()
    findings = session.findings or (profile.findings if profile else [])
    by_id = {f.id: f for f in findings}
    support = rationale_support(recs, findings, PROPOSAL_TOP) if recs is not None else {}
    st.caption("Answers are proposed from the accepted findings and the rules; every answer is "
               "yours to change. They go into the appraisal report.")
    st.subheader("Rationale")
    for q in questions_for("rationale"):
        proposal = propose(q, profile, findings, recs, catalogue)
        render_question(q, proposal)
        if q.prefill == "recommended_rationales":
            _show_support(q, proposal, support, by_id)
    st.subheader("Target")
    for q in questions_for("target"):
        proposal = propose(q, profile, findings, recs, catalogue)
        render_question(q, proposal)
        if q.prefill == "focal_sectors":
            _show_support(q, proposal, focal_support(findings), by_id)
    next_button("rationale", "Next: candidate interventions")
