"""Step 9: the guided workshop - participants score the short list, the facilitator sees the room.

The facilitator starts a workshop from the session (a snapshot of the short list and criteria)
and shows the join code. Participants join in their own browsers (``?ws=CODE``, see
``ui.page_participant``). The live part of this page is one ``st.fragment`` that re-reads the
SQLite store every few seconds and redraws only itself, so nothing the facilitator is typing or
choosing elsewhere on the page is lost; the buttons that change the session (close, use the
scores) are outside the fragment, because the session is autosaved at the end of a full run.
"""

from __future__ import annotations

import io
import os
from typing import Any

import altair as alt
import pandas as pd
import segno
import streamlit as st

from policy.labels import local_time
from policy.session import StrategySession
from policy.storage import StaleSession
from policy.workshop import (
    Workshop,
    WorkshopError,
    WorkshopStore,
    WorkshopSummary,
    aggregate,
    apply_to_appraisal,
    join_address,
    proposal_to_finding,
    workshop_report,
)
from ui.state import (
    ensure_appraisal,
    get_session,
    holds_key,
    save_session,
    seed_findings,
    workshop_store,
)
from ui.widgets import go_to, need_area, next_button, plain

LIVE_SECONDS = 3
"""Refresh of the live view: quick enough to watch scores arrive, slow enough for a laptop."""
CODE_KEY = "workshop_code"
TOP_DISAGREEMENTS = 5


def current_workshop(session: StrategySession, store: WorkshopStore) -> Workshop | None:
    """The workshop this browser started, else the session's newest (after a restart)."""
    code = st.session_state.get(CODE_KEY)
    if code:
        workshop = store.get_workshop(code)
        if workshop is not None and workshop.session_id == session.session_id:
            return workshop
    if not session.session_id:
        return None
    found = store.workshops_for_session(session.session_id)
    return found[0] if found else None


def start(session: StrategySession, store: WorkshopStore) -> None:
    """Start a workshop; the session must be saved first since the workshop points at it."""
    if not session.session_id:
        try:
            save_session(session)
        except StaleSession as exc:  # pragma: no cover - a new session has no other tab
            st.error(f"Cannot start a workshop: {plain(exc)}")
            return
    try:
        workshop = store.start_workshop(session)
    except WorkshopError as exc:
        st.error(f"Cannot start a workshop: {plain(exc)}")
        return
    st.session_state[CODE_KEY] = workshop.code
    st.rerun()


def start_panel(session: StrategySession, store: WorkshopStore) -> None:
    st.markdown(
        "Run the appraisal with the room. Each participant opens this app on their own device, "
        "enters a join code and their name, and scores the short-listed options on the "
        "criteria; they can also propose findings the data missed. You see, live, how many have "
        "scored, the median and spread of their scores, where they disagree most, and the "
        "ranking their scores would give. Participants see only their own form.")
    kept = [o for o in session.appraisal.options if o.id in session.appraisal.kept_option_ids()]
    st.caption("They will score: " + "; ".join(plain(o.name) for o in kept) + ". On: "
               + "; ".join(plain(c.label) for c in session.appraisal.criteria) + ".")
    if st.button("Start a workshop", type="primary", key="ws_start"):
        start(session, store)


PUBLIC_URL_ENV = "POLICYMIX_PUBLIC_URL"
"""The address participants use, when the server sits behind a name or a proxy."""


def join_url(code: str) -> str:
    """The app's root address with only ``?ws=CODE``: never the facilitator's ``sid`` nor the
    page's own path (``/workshop``), which belongs to the facilitator's navigation; never
    ``localhost`` (the server's local network address instead, or the one the facilitator
    sets)."""
    base = st.session_state.get("ws_public_base") or os.environ.get(PUBLIC_URL_ENV, "")
    return join_address(code, st.context.url or "", base)


@st.cache_data(max_entries=16, show_spinner=False)
def qr_png(url: str) -> bytes:
    """The join address as a QR code (PNG, drawn here: no outside service)."""
    out = io.BytesIO()
    segno.make(url, error="m").save(out, kind="png", scale=8, border=2)
    return out.getvalue()


def header(workshop: Workshop) -> None:
    url = join_url(workshop.code)
    c1, c2, c3 = st.columns([1, 1, 2])
    with c1:
        st.caption("Join code")
        st.markdown(f"# {plain(workshop.code)}")
    with c2:
        if "://" in url:
            st.image(qr_png(url), caption="Scan to join", width=180)
    with c3:
        st.caption("Participants open this address on their own phone or laptop (or the "
                   "app's address, then type the code):")
        st.code(url, language=None)
        if "://" not in url:
            st.warning("This machine's address on the network could not be found: set the "
                       "address participants use below.")
        st.text_input("Address participants use (set it if the one above does not work "
                      "from their devices)", key="ws_public_base",
                      placeholder="e.g. http://192.168.1.20:8501")
        state = "open for scoring" if workshop.is_open else workshop.state_label
        until = (f", until {local_time(workshop.expires_at)}"
                 if workshop.is_open and workshop.expires_at else "")
        st.markdown(f"Started {local_time(workshop.created_at)}; **{state}**{until}. "
                    f"{len(workshop.options)} options x {len(workshop.criteria)} criteria.")


def heatmap(workshop: Workshop, summary: WorkshopSummary) -> alt.LayerChart | None:
    rows = [{"option": workshop.option_name(c.option_id),
             "criterion": workshop.criterion_label(c.criterion_id),
             "median": c.median, "lower quartile": c.q1, "upper quartile": c.q3, "IQR": c.iqr,
             "min": c.min, "max": c.max, "n": c.n, "your score": c.facilitator}
            for c in summary.cells if c.median is not None]
    if not rows:
        return None
    frame = pd.DataFrame(rows)
    x = alt.X("criterion:N", sort=[c.label for c in workshop.criteria], title=None,
              axis=alt.Axis(orient="top", labelAngle=-20, labelLimit=220, labelOverlap=False))
    y = alt.Y("option:N", sort=[o.name for o in workshop.options], title=None)
    tooltip = ["option", "criterion", alt.Tooltip("median:Q", format=".1f"),
               alt.Tooltip("IQR:Q", format=".1f"), alt.Tooltip("lower quartile:Q", format=".1f"),
               alt.Tooltip("upper quartile:Q", format=".1f"), "min", "max", "n",
               alt.Tooltip("your score:Q", format=".0f")]
    base = alt.Chart(frame, title="Median score of the room (0-100; hover for the spread)")
    rect = base.mark_rect().encode(
        x=x, y=y, tooltip=tooltip,
        color=alt.Color("median:Q", scale=alt.Scale(domain=[0, 100], scheme="blues"),
                        title="median", legend=alt.Legend(orient="bottom", gradientLength=160)))
    text = base.mark_text(fontSize=13).encode(
        x=x, y=y, tooltip=tooltip, text=alt.Text("median:Q", format=".0f"),
        color=alt.condition("datum.median > 60", alt.value("white"), alt.value("black")))
    return (rect + text).properties(height=alt.Step(44))


def ranking_block(summary: WorkshopSummary) -> None:
    for p in summary.ranking_problems:
        st.warning(p)
    if not summary.ranking:
        return
    st.dataframe(pd.DataFrame([{
        "option": r.name, "rank with workshop scores": r.workshop_rank,
        "weighted score (workshop)": round(r.workshop_total, 1),
        "rank with your scores": r.facilitator_rank,
        "weighted score (yours)": None if r.facilitator_total is None
        else round(r.facilitator_total, 1)} for r in summary.ranking]),
        hide_index=True, width="stretch")
    room_top = summary.ranking[0]
    own_top = next((r for r in summary.ranking if r.facilitator_rank == 1), None)
    if own_top is not None and own_top.option_id != room_top.option_id:
        st.warning(f"The room's scores put **{plain(room_top.name)}** first; yours put "
                   f"**{plain(own_top.name)}** first.")
    elif own_top is not None:
        st.success(f"The room's scores and yours agree: **{plain(room_top.name)}** ranks first.")
    if summary.filled_from_facilitator:
        st.caption(f"{len(summary.filled_from_facilitator)} option x criterion cell(s) nobody "
                   "scored keep your score in the workshop ranking. Swing weights are the "
                   "appraisal's.")


@st.fragment(run_every=LIVE_SECONDS)
def live_view(code: str) -> None:
    """Re-read the store and redraw; runs alone every few seconds (nothing else reruns)."""
    store = workshop_store()
    workshop = store.get_workshop(code)
    if workshop is None:
        st.error(f"Workshop {code} is no longer in the store.")
        return
    session = get_session()
    participants = store.participants(code)
    summary = aggregate(workshop, store.scores(code), session.appraisal,
                        participants=participants, top_n=TOP_DISAGREEMENTS)
    m = st.columns(4)
    m[0].metric("Participants", summary.n_participants)
    m[1].metric("Scored", summary.n_scored, help="completely or partly")
    m[2].metric("Scored completely", summary.n_complete)
    m[3].metric("Status", workshop.state_label)
    if participants:
        st.caption("Joined: " + ", ".join(plain(p.display_name) for p in participants))
    if summary.n_scored == 0:
        st.info("Waiting for scores. This view refreshes every few seconds.")
    else:
        chart = heatmap(workshop, summary)
        if chart is not None:
            st.altair_chart(chart, width="stretch")
        st.subheader("Where the room disagrees most")
        if summary.disagreements:
            st.dataframe(pd.DataFrame([{
                "option": workshop.option_name(c.option_id),
                "criterion": workshop.criterion_label(c.criterion_id),
                "IQR": c.iqr, "range": f"{c.min:.0f}-{c.max:.0f}", "median": c.median,
                "n": c.n, "your score": c.facilitator, "notes": " | ".join(c.notes)}
                for c in summary.disagreements]), hide_index=True, width="stretch")
            st.caption("Largest inter-quartile range first (the middle half of the room), then "
                       "the widest range: the scores worth discussing before you use them.")
        else:
            st.caption("No disagreement yet: every cell scored by two or more people is "
                       "unanimous.")
        st.subheader("Ranking with the room's median scores")
        ranking_block(summary)
    proposals = store.proposals(code)
    st.subheader(f"Proposed findings ({len(proposals)})")
    if proposals:
        names = {p.id: p.display_name for p in participants}
        st.dataframe(pd.DataFrame([{
            "from": names.get(p.participant_id, "?"), "kind": p.kind,
            "topic": p.topic.replace("_", " "), "sector": p.sector or "", "finding": p.text,
            "note": p.note, "at": f"{p.created_at:%H:%M}"} for p in proposals]),
            hide_index=True, width="stretch")
    else:
        st.caption("None yet.")


def gather(store: WorkshopStore, workshop: Workshop, session: StrategySession, *,
           applied: bool) -> tuple[WorkshopSummary, dict[str, Any]]:
    """Fresh summary and report from the store (button handlers must not trust a stale view)."""
    participants = store.participants(workshop.code)
    scores = store.scores(workshop.code)
    summary = aggregate(workshop, scores, session.appraisal, participants=participants,
                        top_n=TOP_DISAGREEMENTS)
    report = workshop_report(workshop, participants, scores, store.proposals(workshop.code),
                             summary, applied=applied)
    return summary, report


def record(session: StrategySession, store: WorkshopStore, workshop: Workshop) -> None:
    """Put the workshop's results in the session for the exports, without touching scores.

    Once the scores have been used, the stored comparison with the facilitator's scores must
    not be recomputed (the appraisal now holds the medians), so only the status, participants
    and contributions are refreshed.
    """
    old = session.workshop
    same = old.get("summary", {}).get("join_code") == workshop.code
    if same and old["summary"].get("applied_to_appraisal"):
        _, fresh = gather(store, workshop, session, applied=True)
        for key in ("participants", "contributions"):
            old[key] = fresh[key]
        old["summary"].update(status=fresh["summary"]["status"],
                              closed=fresh["summary"]["closed"])
        session.workshop = dict(old)
    else:
        session.workshop = gather(store, workshop, session, applied=False)[1]


def controls(session: StrategySession, store: WorkshopStore, workshop: Workshop) -> None:
    c1, c2, c3 = st.columns(3)
    if workshop.is_open:
        if c1.button("Close scoring", key="ws_close", type="secondary",
                     help="Participants can no longer change scores or propose findings"):
            record(session, store, store.close(workshop.code))
            st.rerun()
    elif c1.button("Reopen scoring", key="ws_reopen",
                   help=f"Open for another {store.settings.workshop_hours} hours; scores "
                        "given are kept"):
        store.reopen(workshop.code)
        st.rerun()
    if c2.button("Use workshop scores in the appraisal", key="ws_apply", type="primary",
                 help="Each scored cell takes the room's median; the rationale keeps your score"):
        summary, report = gather(store, workshop, session, applied=True)
        if summary.n_scored == 0:
            st.warning("Nobody has scored yet: there is nothing to use.")
        else:
            changes = apply_to_appraisal(session.appraisal, summary)
            session.workshop = report
            st.session_state["ws_applied"] = len(changes)
            st.rerun()
    if c3.button("Add the proposals to the findings", key="ws_findings",
                 help="As undecided local-knowledge findings, to accept or reject"):
        seed_findings(session)  # else the proposals alone would replace the data's findings
        names = {p.id: p.display_name for p in store.participants(workshop.code)}
        known = {f.id for f in session.findings}
        new = [proposal_to_finding(p, names.get(p.participant_id, "a participant"))
               for p in store.proposals(workshop.code)]
        new = [f for f in new if f.id not in known]
        session.findings.extend(new)
        record(session, store, workshop)
        st.session_state["ws_added"] = len(new)
        st.rerun()
    if "ws_applied" in st.session_state:
        st.success(f"{st.session_state.pop('ws_applied')} scores in the appraisal now come from "
                   "the workshop; each rationale names the spread and your earlier score.")
        st.button("Go to the option appraisal", on_click=go_to, args=("appraisal",))
    if "ws_added" in st.session_state:
        st.success(f"{st.session_state.pop('ws_added')} proposal(s) added to the findings as "
                   "undecided local knowledge.")
        st.button("Review them under Strengths and bottlenecks", on_click=go_to,
                  args=("findings",))


def participants_panel(store: WorkshopStore, workshop: Workshop) -> None:
    """Who joined, and removing anyone who should not be there (their scores and proposals go
    with them, and their link stops working)."""
    people = store.participants(workshop.code)
    cap = store.settings.workshop_max_participants
    with st.expander(f"Participants ({len(people)} of at most {cap})"):
        if not people:
            st.caption("Nobody has joined yet.")
            return
        st.dataframe(pd.DataFrame([{"name": p.display_name, "joined": f"{p.joined_at:%H:%M:%S}"}
                                   for p in people]), hide_index=True, width="stretch")
        names = {p.id: p.display_name for p in people}
        chosen = st.selectbox("Remove a participant", list(names), index=None,
                              format_func=lambda pid: plain(names[pid]), key="ws_remove_who")
        if st.button("Remove them and their scores", key="ws_remove", disabled=chosen is None):
            try:
                gone = store.remove_participant(workshop.code, chosen)
            except WorkshopError as exc:
                st.error(f"Not removed: {plain(exc)}")
                return
            st.session_state["ws_removed"] = gone.display_name
            st.rerun()
        if "ws_removed" in st.session_state:
            st.success(f"Removed {plain(st.session_state.pop('ws_removed'))} and their scores.")


def render() -> None:
    if need_area():
        return
    session = get_session()
    if not holds_key(session):
        # the facilitator's view shows every name, note and score and changes the session:
        # only a browser that created the session or opened it with its key gets it
        st.error("The workshop view needs the session's key: open the session from its full "
                 "address (with &key=...). Workshop participants join with the join code "
                 "instead.")
        return
    if not ensure_appraisal(session):
        return
    store = workshop_store()
    workshop = current_workshop(session, store)
    if workshop is None:
        start_panel(session, store)
        next_button("workshop", "Next: export the appraisal")  # the workshop is optional
        return
    header(workshop)
    controls(session, store, workshop)
    participants_panel(store, workshop)
    live_view(workshop.code)
    with st.expander("Start a new workshop"):
        st.caption("For a second round, or after changing the options or criteria: the new "
                   "workshop takes a fresh snapshot. This one stays in the store.")
        if st.button("Start a new workshop", key="ws_restart"):
            start(session, store)
    next_button("workshop", "Next: export the appraisal")
