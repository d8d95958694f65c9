"""Step 4: rationale (market, system and equity failures) and target of the policy mix."""

from __future__ import annotations

import streamlit as st

from policy.catalogue import load_catalogue
from policy.questions import propose, questions_for
from ui.state import get_session, session_profile, session_recommendations
from ui.widgets import go_to, need_area, render_question


def render() -> None:
    if need_area():
        return
    session = get_session()
    profile = session_profile(session)
    recs = session_recommendations(session)
    catalogue = load_catalogue()
    findings = session.findings or (profile.findings if profile else [])
    st.caption("Answers are proposed from the accepted findings and the rules; every answer is "
               "yours to change. They go into the appraisal report.")
    st.subheader("Rationale")
    for q in questions_for("rationale"):
        render_question(q, propose(q, profile, findings, recs, catalogue))
    st.subheader("Target")
    for q in questions_for("target"):
        render_question(q, propose(q, profile, findings, recs, catalogue))
    st.button("Next: candidate interventions", on_click=go_to, args=("interventions",),
              type="primary")
