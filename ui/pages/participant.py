"""What a workshop participant sees (URL ``?ws=CODE``, then ``&p=TOKEN``): their form, nothing else.

``ui.app.main`` routes here before the walkthrough's sidebar is drawn and before any saved
session is restored, so a participant never sees the steps or the facilitator's session data:
only the workshop's options and criteria (what they are asked to score), their own saved scores
and their own proposals. Their identity is the secret token in the URL, added when they join,
so a refresh or a bookmark keeps it; everything they enter goes straight to SQLite.
"""

from __future__ import annotations

import uuid

import streamlit as st

from evidence.models import FINDING_TOPICS
from evidence.problems import ProblemError
from evidence.sectors import load_sectors
from policy.labels import local_time
from policy.workshop import (
    NAME_MAX,
    Participant,
    ScoreInput,
    Workshop,
    WorkshopError,
    WorkshopStore,
    client_key,
    normalise_code,
    now_utc,
)
from ui.state import workshop_store
from ui.widgets import plain

CODE_PARAM = "ws"
TOKEN_PARAM = "p"
DEFAULT_SCORE = 50
"""Unsaved sliders start mid-scale: the neutral point, so an unconsidered score pulls nowhere."""
KINDS = ["strength", "bottleneck", "opportunity", "risk"]


def slider_key(option_id: str, criterion_id: str) -> str:
    """Widget key of one score slider (public so tests can set it)."""
    return f"ws_score__{option_id}__{criterion_id}"


def skip_key(option_id: str, criterion_id: str) -> str:
    """Widget key of one cell's "not scored" box."""
    return f"ws_skip__{option_id}__{criterion_id}"


def this_client(store: WorkshopStore) -> str:
    """Where this join comes from, for the per-client join limit (see
    :func:`policy.workshop.client_key`): the proxy's X-Forwarded-For only when the operator
    says a proxy sets it, else the connection's address, else this browser session."""
    browser = st.session_state.setdefault("ws_browser_session", uuid.uuid4().hex)
    return client_key(st.context.ip_address, st.context.headers.get("X-Forwarded-For"),
                      browser, trust_proxy=bool(store.settings.trust_proxy))


def join_form(store: WorkshopStore, code: str) -> None:
    """Code (prefilled from the URL) and display name; on success the token goes in the URL."""
    st.markdown("Join the workshop with the code the facilitator gave you. Your name is shown "
                "to the facilitator next to your scores and proposals.")
    with st.form("ws_join"):
        typed = st.text_input("Join code", value=code, max_chars=12, key="ws_join_code")
        name = st.text_input("Your name (and organisation, if you like)", max_chars=NAME_MAX,
                             key="ws_join_name", placeholder="e.g. Priya, Midlands Aerospace")
        if st.form_submit_button("Join", type="primary"):
            try:
                participant, token = store.join(typed, name, client=this_client(store))
            except (WorkshopError, ProblemError) as exc:
                st.error(f"Could not join: {plain(exc)}")
                return
            st.query_params[CODE_PARAM] = normalise_code(typed)
            st.query_params[TOKEN_PARAM] = token
            st.session_state["ws_joined_as"] = participant.display_name
            st.rerun()


def criteria_help(workshop: Workshop) -> None:
    with st.expander("What the criteria mean", expanded=True):
        st.markdown("Score every option 0-100 on each criterion; **higher is always better** "
                    "(for risk, a higher score means *less* risky).")
        for c in workshop.criteria:
            st.markdown(f"- **{plain(c.label)}**: {plain(c.description or '(no description)')}")


def scoring_form(store: WorkshopStore, workshop: Workshop, token: str) -> None:
    """Sliders per option x criterion, pre-filled with this participant's saved scores."""
    saved = {(s.option_id, s.criterion_id): s for s in store.own_scores(workshop.code, token)}
    done = sum(cell in saved for cell in workshop.cells)
    if done:
        st.caption(f"Your saved scores: {done} of {len(workshop.cells)}. Change any and "
                   "submit again; only the latest counts.")
    with st.form("ws_scores"):
        values: dict[tuple[str, str], int] = {}
        skipped: dict[tuple[str, str], bool] = {}
        notes: dict[str, str] = {}
        for opt in workshop.options:
            st.subheader(plain(opt.name))
            if opt.description:
                st.caption(plain(opt.description))
            if opt.contents:
                total = (f" (GBP {opt.budget_gbp_m:,.1f}m in all)"
                         if opt.budget_gbp_m is not None else "")
                st.markdown(f"**What it contains{total}:**  \n"
                            + "  \n".join(f"- {plain(line)}" for line in opt.contents))
            for c in workshop.criteria:
                old = saved.get((opt.id, c.id))
                values[(opt.id, c.id)] = st.slider(
                    plain(c.label), 0, 100, int(round(old.value)) if old else DEFAULT_SCORE,
                    key=slider_key(opt.id, c.id), help=plain(c.description) or None)
                skipped[(opt.id, c.id)] = st.checkbox(
                    f"Not scored: leave {plain(c.label).lower()} for {plain(opt.name)} out",
                    value=bool(saved) and old is None, key=skip_key(opt.id, c.id))
            old_note = next((saved[(opt.id, c.id)].note for c in workshop.criteria
                             if (opt.id, c.id) in saved and saved[(opt.id, c.id)].note), "")
            notes[opt.id] = st.text_input(f"Why? A note on your scores for {plain(opt.name)} "
                                          "(optional)",
                                          value=old_note, max_chars=1000,
                                          key=f"ws_note__{opt.id}")
        if not st.form_submit_button("Submit my scores", type="primary"):
            return
    items = [ScoreInput(option_id=o, criterion_id=c, value=v, note=notes.get(o, ""))
             for (o, c), v in values.items() if not skipped.get((o, c))]
    unscored = [cell for cell, skip in skipped.items() if skip]
    try:
        store.save_scores(workshop.code, token, items, unscored=unscored)
        committed = store.own_scores(workshop.code, token)  # read back: what is really stored
    except (WorkshopError, ProblemError) as exc:
        st.error(f"Your scores were not saved: {plain(exc)}")
        return
    sent = {(i.option_id, i.criterion_id, float(i.value)) for i in items}
    stored = {(s.option_id, s.criterion_id, s.value) for s in committed}
    if not sent <= stored:
        st.error("Your scores were not saved (the store does not hold them): submit again.")
        return
    left = f"; {len(unscored)} left not scored" if unscored else ""
    st.success(f"Saved your {len(sent)} scores{left} at {local_time(now_utc())}. You can change "
               "them "
               "until the facilitator closes scoring.")


def proposal_form(store: WorkshopStore, workshop: Workshop, token: str) -> None:
    """Local knowledge the data misses, proposed to the facilitator as a finding."""
    sectors = {s.sector_id: s.label for s in load_sectors()}
    with st.form("ws_propose", clear_on_submit=True):
        st.markdown("**Propose a finding**: something about the area the data misses.")
        c1, c2, c3 = st.columns(3)
        kind = c1.selectbox("Kind", KINDS, key="ws_prop_kind")
        topic = c2.selectbox("Topic", list(FINDING_TOPICS), key="ws_prop_topic",
                             format_func=lambda t: t.replace("_", " "))
        sector = c3.selectbox("Sector (optional)", [""] + list(sectors), key="ws_prop_sector",
                              format_func=lambda s: sectors.get(s, "none"))
        text = st.text_area("What do you know?", key="ws_prop_text", max_chars=2000,
                            placeholder="e.g. The main aerospace employer is consolidating two "
                                        "sites next year.")
        note = st.text_input("Source or note (optional)", key="ws_prop_note", max_chars=1000)
        if not st.form_submit_button("Propose finding"):
            return
    if not text.strip():
        st.warning("Write the finding first.")
        return
    try:
        store.propose(workshop.code, token, kind=kind, topic=topic, sector=sector or None,
                      text=text, note=note)
    except (WorkshopError, ProblemError) as exc:
        st.error(f"Your proposal was not saved: {plain(exc)}")
        return
    st.success("Thank you: your proposal is with the facilitator.")


def own_proposals(store: WorkshopStore, workshop: Workshop, token: str) -> None:
    mine = store.own_proposals(workshop.code, token)
    if mine:
        with st.expander(f"Your proposals ({len(mine)})"):
            for p in mine:
                st.markdown(f"- *{plain(p.kind)}, {plain(p.topic.replace('_', ' '))}*: "
                            f"{plain(p.text)}")


def participant_view(store: WorkshopStore, workshop: Workshop, who: Participant,
                     token: str) -> None:
    st.markdown(f"Welcome, **{plain(who.display_name)}**. Workshop {plain(workshop.code)}.")
    if not workshop.is_open:
        st.info("Scoring is closed: the facilitator has closed this workshop, and anything "
                "submitted after that is not saved. Thank you for taking part; the scores and "
                "proposals you saved before are with the facilitator.", icon=":material/lock:")
        return
    st.caption("Keep this page's address: it identifies you, so you can come back and change "
               "your scores. Do not share it.")
    criteria_help(workshop)
    scoring_form(store, workshop, token)
    st.divider()
    proposal_form(store, workshop, token)
    own_proposals(store, workshop, token)


def render() -> None:
    st.title("Strategy workshop")
    store = workshop_store()
    code = normalise_code(st.query_params.get(CODE_PARAM, ""))
    token = st.query_params.get(TOKEN_PARAM)
    workshop = store.get_workshop(code) if code else None
    if workshop is None:
        if code:
            st.error(f"There is no workshop with the code {plain(code)}. Check the code with the "
                     "facilitator.")
        join_form(store, code)
        return
    who = store.participant_by_token(workshop.code, token) if token else None
    if who is None or token is None:
        if token:
            st.warning("This personal link is not recognised for this workshop; join with your "
                       "name.")
        if not workshop.is_open:
            st.info("Scoring is closed: this workshop takes no new participants.",
                    icon=":material/lock:")
            return
        join_form(store, workshop.code)
        return
    participant_view(store, workshop, who, token)
