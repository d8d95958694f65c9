"""Widgets the pages share: the step guard, moving between steps, banners, question widgets,
and :func:`plain` (user or file text shown as text, never as Markdown; from :mod:`ui.text`).

Pages never import each other; what two pages need lives here (drawing) or in
:mod:`ui.state` (session state and cached evidence).
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from evidence.service import Evidence
from policy.questions import Question, options_of
from policy.session import StrategySession
from ui.state import ensure_appraisal, get_session
from ui.steps import load_steps
from ui.text import plain

__all__ = ["STEP_KEY", "go_to", "need_area", "next_button", "plain", "rebuild_button",
           "render_question",
           "synthetic_banner"]

STEP_KEY = "step"
"""Session-state key (and URL query parameter) holding the current walkthrough step."""


def go_to(step_id: str) -> None:
    """Button callback: move to another step (the shell switches page on the rerun)."""
    st.session_state[STEP_KEY] = step_id


def _finish_and_go(current: str, target: str) -> None:
    session = get_session()
    if current not in session.steps_visited:
        session.steps_visited.append(current)  # finished with Next: the step counts as done
    go_to(target)


def next_button(current: str, label: str | None = None) -> None:
    """The page's Next button: marks ``current`` finished and opens the step after it in
    ``ui/steps.yaml`` (so the order lives in one place)."""
    steps = load_steps()
    ids = [s.id for s in steps]
    if current not in ids or ids.index(current) + 1 >= len(ids):
        return
    target = steps[ids.index(current) + 1]
    st.button(label or f"Next: {target.title.lower()}", on_click=_finish_and_go,
              args=(current, target.id), type="primary", key=f"next_{current}")


def need_area() -> bool:
    """Shown on pages that need an area; True when the user must pick one first."""
    if get_session().area_code is None:
        st.info("Choose an area first.")
        st.button("Go to Data and area", on_click=go_to, args=("data",))
        return True
    return False


def synthetic_banner(ev: Evidence) -> None:
    if ev.dataset.source.synthetic:
        st.info(
            "**Synthetic demo data.** Areas and figures are fictional, generated to show the "
            "method; they are not official statistics.", icon=":material/science:"
        )


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


def rebuild_button(session: StrategySession) -> None:
    if st.button("Rebuild options from the chosen interventions",
                 help="Replaces the options, scores and cost-benefit inputs with new defaults"):
        session.appraisal = session.appraisal.model_copy(update={"options": []})
        ensure_appraisal(session)
        st.rerun()
