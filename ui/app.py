"""The walkthrough shell: pages routed by ``st.navigation``, a sidebar of steps with their status.

One ``st.Page`` a step, built from ``ui/steps.yaml`` and :data:`ui.pages.PAGES` (as in
Streamlit's own hello app). The navigation itself is hidden: the sidebar draws the steps as a
list of buttons, each with its status icon (one marker a step), and choosing one (or a page's
"Next" button; both set the ``step`` key) switches page. The URL carries the page's path,
``?step=`` and ``?sid=``, so a step can be opened directly, tests can set it, and a refresh
stays on the same step of the same saved session.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from policy.session import SessionError, session_to_json
from policy.storage import AccessDenied, StaleSession
from ui.glossary import glossary_sidebar
from ui.pages import PAGES, PARTICIPANT
from ui.state import (
    KEY_PARAM,
    REVISIONS,
    SID_PARAM,
    expire_uploads_on_start,
    get_session,
    open_saved,
    publish_address,
    save_session,
    session_store,
    set_aside_note,
    set_session,
)
from ui.steps import Step, load_steps
from ui.widgets import STEP_KEY, go_to, plain

__all__ = ["go_to", "main", "step_status"]


def step_status(step: Step) -> str:
    """done / in progress / to do, from what the session holds.

    Opening a page never marks it done: a step is done when its decision is in the session
    (an area, a reviewed finding, a chosen intervention, a workshop ...) and, for the steps
    that are read rather than decided (profile, aims, mix, appraisal, export), when the user
    finished them with their Next button (``session.steps_visited``)."""
    s = get_session()
    finished = step.id in s.steps_visited
    done = {
        "data": s.area_code is not None,
        "profile": finished and s.area_code is not None,
        "findings": any(f.status != "proposed" for f in s.findings),
        "rationale": any(k in s.answers for k in ("market_failures", "system_failures",
                                                   "target_type")),
        "interventions": bool(s.chosen_interventions),
        "causal": finished and bool(s.chosen_interventions),
        "mix": finished and bool(s.appraisal.options),
        "appraisal": finished and bool(s.appraisal.scores),
        "workshop": bool(s.workshop),
    }.get(step.id, finished)
    if done:
        return "done"
    return "in progress" if st.session_state.get(STEP_KEY) == step.id else "to do"


STATUS_ICON = {"done": ":material/check_circle:", "in progress": ":material/edit:",
               "to do": ":material/radio_button_unchecked:"}
"""One marker a step: its status icon (the list used to be a radio, which drew a circle too)."""

def _step_buttons(steps: tuple[Step, ...], statuses: dict[str, str]) -> None:
    """One button a step with its status icon; the current step is the filled (primary) one.

    Buttons rather than links: a click sets ``st.session_state[STEP_KEY]`` as the pages' Next
    buttons do, and the shell's one switch (in :func:`main`) carries ``?sid=&key=`` and
    ``?step=`` into the new address."""
    current = st.session_state.get(STEP_KEY)
    # step buttons read as a list: left-aligned like a menu, not centred like actions (a
    # literal: nothing but this constant ever goes through unsafe_allow_html)
    st.markdown("""<style>
.st-key-steplist button { justify-content: flex-start; min-height: 2.1rem; padding: 0.1rem 0.6rem; }
.st-key-steplist button > div { justify-content: flex-start; }
.st-key-steplist button p { text-align: left; }
</style>""", unsafe_allow_html=True)
    with st.container(key="steplist", gap="xxsmall"):
        st.caption("Steps")
        for i, s in enumerate(steps, start=1):
            st.button(f"{i}. {s.title}", key=f"nav_{s.id}", icon=STATUS_ICON[statuses[s.id]],
                      type="primary" if s.id == current else "tertiary", width="stretch",
                      on_click=go_to, args=(s.id,))


def sidebar(steps: tuple[Step, ...]) -> None:
    """The steps with their status; the chosen one is ``st.session_state[STEP_KEY]``."""
    with st.sidebar:
        st.markdown("### policymix")
        st.caption("Local industrial strategy for advanced manufacturing")
        statuses = {s.id: step_status(s) for s in steps}
        done = sum(v == "done" for v in statuses.values())
        st.progress(done / len(steps), text=f"{done} of {len(steps)} steps done")
        _step_buttons(steps, statuses)
        with st.expander("Progress and key questions"):  # one element, not one a step
            st.markdown("\n\n".join(f"{STATUS_ICON[statuses[s.id]]} **{i}. {s.title}** "
                                     f"({statuses[s.id]})  \n{s.question}"
                                     for i, s in enumerate(steps, start=1)))
        session = get_session()
        if session.area_name:
            st.caption(f"Area: **{plain(session.area_name)}**")
    glossary_sidebar()


FAVICON = Path(__file__).with_name("favicon.png")
"""Shipped with the app: a Material icon as page icon is fetched from an outside font service,
which fails offline."""

STALE = "stale_save"
"""Set when the store refused this tab's save because another tab saved first."""
STALE_FIELDS = "stale_fields"
"""The fields both tabs changed (why the two could not be merged)."""
MERGED_NOTE = "merged_note"
RESTORE_NOTE = "restore_note"
PARTICIPANT_ONLY = "participant_only"
"""Set once a browser session has been on the participant route: it stays there."""


def restore_session() -> None:
    """On a fresh browser session, reopen the saved session the URL names (?sid=...&key=...).

    The key is the credential: without it, or with a wrong one, nothing is opened and the
    message does not say whether the id exists."""
    if "restored" in st.session_state:
        return
    st.session_state["restored"] = True
    sid = st.query_params.get(SID_PARAM)
    if not sid:
        return
    key = st.query_params.get(KEY_PARAM)
    try:
        open_saved(sid, key)
    except (AccessDenied, KeyError):
        for param in (SID_PARAM, KEY_PARAM):
            st.query_params.pop(param, None)
        st.session_state[RESTORE_NOTE] = (
            "warning", "This address does not open a saved session (the key is missing or "
            "wrong, or the session was deleted); starting a new one. Open the full address "
            "with its key to come back to a session.")
    except SessionError as exc:
        st.session_state[RESTORE_NOTE] = (
            "error", f"The saved session could not be opened: {plain(exc)}")


def restore_note() -> None:
    """What restoring the URL's session said, shown on the page the user lands on."""
    note = st.session_state.pop(RESTORE_NOTE, None)
    if note is not None:
        (st.warning if note[0] == "warning" else st.error)(note[1])


def _reload_saved() -> None:
    """Button: drop this tab's unsaved change and take the version the other tab saved."""
    saved, revision = session_store().load_with_revision(get_session().session_id)
    set_session(saved, revision)
    st.session_state.pop(STALE, None)
    st.session_state["saved_body"] = session_to_json(saved)  # loading it is not a change


def _overwrite_saved() -> None:
    """Button: the user has seen the conflict and keeps this tab's version."""
    session = get_session()
    st.session_state.setdefault(REVISIONS, {})[session.session_id] = \
        session_store().revision(session.session_id)
    st.session_state.pop(STALE, None)


def stale_banner() -> None:
    """Another tab saved first: say so, keep this tab's version, let the user choose."""
    session = get_session()
    both = field_words(st.session_state.get(STALE_FIELDS, []))
    st.error("**Not saved: this session was changed in another tab or by someone else since "
             "you opened it.** "
             + (f"Both of you changed the same part ({plain(both)}), so the two could not "
                "be merged. " if both else "")
             + "Your change is kept here, unsaved. Download your version to "
             "keep it, then either load the saved version (and reapply your change) or save "
             "yours over it.", icon=":material/sync_problem:")
    c1, c2, c3 = st.columns(3)
    c1.download_button("Download your version (.json)", data=session_to_json(session),
                       file_name=f"policymix-session-{session.session_id}-mine.json",
                       mime="application/json", key="stale_download")
    c2.button("Load the saved version", key="stale_reload", on_click=_reload_saved)
    c3.button("Save mine over it", key="stale_overwrite", on_click=_overwrite_saved)


def autosave() -> None:
    """Save after every run where something changed; the id and key go into the URL.

    A save refused because another tab saved first leaves this tab's session as it is and
    raises the :func:`stale_banner` instead of overwriting the other tab's work."""
    session = get_session()
    if st.session_state.get(STALE):
        return
    body = session_to_json(session)
    if st.session_state.get("saved_body") == body and session.session_id:
        return
    try:
        merge = save_session(session)
    except SessionError as exc:  # the text could not be opened again: keep it in this tab
        st.error(f"Not saved: {plain(exc)}. Your work is still here; fix the value named.")
        return
    except StaleSession as exc:
        st.session_state[STALE] = True
        st.session_state[STALE_FIELDS] = exc.conflicts
        stale_banner()
        return
    st.session_state["saved_body"] = session_to_json(session)
    publish_address(session)
    if merge is not None and merge.theirs:  # another tab's change came in: show it now
        st.session_state[MERGED_NOTE] = field_words(merge.theirs)
        st.rerun()


def field_words(fields: list[str]) -> str:
    """Session fields as words for a message (``findings.<id>`` is one finding)."""
    words = ["a finding" if f.startswith("findings.") else f.split(".")[0].replace("_", " ")
             for f in fields]
    return ", ".join(dict.fromkeys(words))


def merged_note() -> None:
    """After a merge: what the other tab's save brought into this one."""
    note = st.session_state.pop(MERGED_NOTE, None)
    if note:
        st.info(f"Another tab saved this session while you worked; both sets of changes are "
                f"kept. From the other tab: {plain(note)}.", icon=":material/merge:")


def _step_page(step: Step, default: bool) -> st.Page:
    render = PAGES[step.id]

    def page() -> None:
        st.title(step.title)
        st.markdown(f"*Key question: {step.question}*")
        restore_note()
        merged_note()
        set_aside_note(get_session())
        if st.session_state.get(STALE):
            stale_banner()
        try:
            render()
        finally:
            autosave()

    return st.Page(page, title=step.title, url_path=step.id, default=default)


def _wanted_step(ids: list[str], current: str) -> None:
    """The step to show: the session's (a click or a Next button), else ``?step=`` on a fresh
    visit, else the page the URL's path names."""
    if STEP_KEY not in st.session_state:
        wanted = st.query_params.get(STEP_KEY)
        st.session_state[STEP_KEY] = wanted if wanted in ids else current
    if st.session_state[STEP_KEY] not in ids:
        st.session_state[STEP_KEY] = current


def main() -> None:
    st.set_page_config(page_title="policymix", page_icon=str(FAVICON), layout="wide")
    expire_uploads_on_start()
    if "ws" in st.query_params or st.session_state.get(PARTICIPANT_ONLY):
        # a workshop participant: their own form only, no session; taking ?ws= off the
        # address does not leave the form in this browser session
        st.session_state[PARTICIPANT_ONLY] = True
        st.navigation([st.Page(PARTICIPANT, title="Workshop", url_path="join")],
                      position="hidden").run()
        return
    restore_session()
    steps = load_steps()
    pages = {s.id: _step_page(s, default=(i == 0)) for i, s in enumerate(steps)}
    nav = st.navigation(list(pages.values()), position="hidden")
    current = next((sid for sid, p in pages.items() if p.url_path == nav.url_path), steps[0].id)
    _wanted_step(list(pages), current)
    # Switch before drawing anything: the sidebar's and the Next buttons' callbacks have set
    # the step before this run began, and a run that draws the sidebar only to be cut short
    # by the switch doubled what the browser received and re-rendered on every click.
    wanted = st.session_state[STEP_KEY]
    if wanted != current:
        params = {k: st.query_params[k] for k in (SID_PARAM, KEY_PARAM) if k in st.query_params}
        st.switch_page(pages[wanted], query_params={**params, STEP_KEY: wanted})
    sidebar(steps)
    st.query_params[STEP_KEY] = wanted
    nav.run()
