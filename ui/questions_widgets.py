"""Widgets for the key policy questions: proposed from the evidence, decided by the user."""

from __future__ import annotations

from typing import Any

import streamlit as st

from policy.questions import Question, options_of
from ui.state import get_session


def _store(qid: str) -> None:
    get_session().answers[qid] = st.session_state[f"q_{qid}"]


def render_question(q: Question, proposal: Any) -> None:
    """Show one question; the session's answer wins, else the evidence-based proposal."""
    session = get_session()
    answer = session.answers.get(q.id, proposal)
    key = f"q_{q.id}"
    opts = options_of(q)
    if q.kind == "multi":
        value = [a for a in (answer or []) if a in opts]
        st.multiselect(q.prompt, list(opts), default=value, key=key,
                       format_func=lambda o: opts.get(o, o), help=q.help or None,
                       on_change=_store, args=(q.id,))
    elif q.kind == "single":
        choices = list(opts)
        index = choices.index(answer) if answer in choices else None
        st.radio(q.prompt, choices, index=index, key=key, horizontal=True,
                 help=q.help or None, on_change=_store, args=(q.id,))
    else:
        st.text_area(q.prompt, value=answer or "", key=key, help=q.help or None,
                     on_change=_store, args=(q.id,))
    if q.id not in session.answers and proposal not in (None, [], ""):
        session.answers[q.id] = proposal
        st.caption("Proposed from the evidence; change it if the room disagrees.")
