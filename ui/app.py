"""The walkthrough shell: sidebar with the steps and their status, then the chosen page.

Routing is a plain session-state key (``step``) mirrored to the URL query string, so a page can
be opened directly (``?step=profile``), tests can set it, and a refresh stays on the same step.
"""

from __future__ import annotations

import importlib

import streamlit as st

from policy.session import SessionError, session_to_json
from policy.store import SessionStore, default_db_path
from ui.state import get_session, set_session
from ui.steps import Step, load_steps

STEP_KEY = "step"


def step_status(step: Step) -> str:
    """done / in progress / to do, from what the session holds."""
    s = get_session()
    done = {
        "data": s.area_code is not None,
        "profile": "profile" in s.steps_visited and s.area_code is not None,
        "findings": any(f.status != "proposed" for f in s.findings),
        "rationale": any(k in s.answers for k in ("market_failures", "system_failures",
                                                   "target_type")),
        "interventions": bool(s.chosen_interventions),
        "causal": "causal" in s.steps_visited and bool(s.chosen_interventions),
        "mix": "mix" in s.steps_visited and bool(s.appraisal.options),
        "appraisal": "appraisal" in s.steps_visited and bool(s.appraisal.scores),
        "workshop": bool(s.workshop),
    }.get(step.id)
    if done is None:
        done = step.id in s.steps_visited
    if done:
        return "done"
    return "in progress" if st.session_state.get(STEP_KEY) == step.id else "to do"


STATUS_ICON = {"done": ":material/check_circle:", "in progress": ":material/edit:",
               "to do": ":material/radio_button_unchecked:"}


def sidebar(steps: tuple[Step, ...]) -> str:
    ids = [s.id for s in steps]
    if STEP_KEY not in st.session_state:
        wanted = st.query_params.get(STEP_KEY)
        st.session_state[STEP_KEY] = wanted if wanted in ids else ids[0]
    if st.session_state[STEP_KEY] not in ids:
        st.session_state[STEP_KEY] = ids[0]
    with st.sidebar:
        st.markdown("### policymix")
        st.caption("Local industrial strategy for advanced manufacturing")
        titles = {s.id: f"{STATUS_ICON[step_status(s)]} {i}. {s.title}"
                  for i, s in enumerate(steps, start=1)}
        statuses = {s.id: step_status(s) for s in steps}
        done = sum(v == "done" for v in statuses.values())
        st.progress(done / len(steps), text=f"{done} of {len(steps)} steps done")
        st.session_state[STEP_KEY] = st.session_state[STEP_KEY]  # resend: labels change
        st.radio("Steps", ids, key=STEP_KEY, format_func=titles.__getitem__)
        with st.expander("Progress and key questions"):
            for i, s in enumerate(steps, start=1):
                st.markdown(f"{STATUS_ICON[statuses[s.id]]} **{i}. {s.title}** "
                            f"({statuses[s.id]})  \n{s.question}")
        session = get_session()
        if session.area_name:
            st.caption(f"Area: **{session.area_name}** ({session.area_code})")
    st.query_params[STEP_KEY] = st.session_state[STEP_KEY]
    return st.session_state[STEP_KEY]


def session_store() -> SessionStore:
    """The store at the configured path (one open store per path per process)."""
    return _store_at(str(default_db_path()))


@st.cache_resource
def _store_at(path: str) -> SessionStore:
    return SessionStore(path)


def restore_session() -> None:
    """On a fresh browser session, reload the saved session named in the URL (?sid=...)."""
    if "restored" in st.session_state:
        return
    st.session_state["restored"] = True
    sid = st.query_params.get("sid")
    if not sid:
        return
    try:
        set_session(session_store().load(sid))
    except KeyError:
        st.warning(f"No saved session {sid!r}; starting a new one.")
    except SessionError as exc:
        st.error(f"The saved session could not be opened: {exc}")


def autosave() -> None:
    """Save after every run where something changed; the id goes into the URL."""
    session = get_session()
    body = session_to_json(session)
    if st.session_state.get("saved_body") == body and session.session_id:
        return
    sid = session_store().save(session)
    st.session_state["saved_body"] = session_to_json(session)
    st.query_params["sid"] = sid


def main() -> None:
    st.set_page_config(page_title="policymix", page_icon=":material/factory:", layout="wide")
    if "ws" in st.query_params:  # a workshop participant: their own form only, no session
        importlib.import_module("ui.page_participant").render()
        return
    restore_session()
    steps = load_steps()
    current = sidebar(steps)
    step = next(s for s in steps if s.id == current)
    st.title(step.title)
    st.markdown(f"*Key question: {step.question}*")
    session = get_session()
    if step.id not in session.steps_visited:
        session.steps_visited.append(step.id)
    try:
        importlib.import_module(step.module).render()
    finally:
        autosave()


def go_to(step_id: str) -> None:
    """Button callback: move to another step."""
    st.session_state[STEP_KEY] = step_id
