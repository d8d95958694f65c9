"""Step 3: strengths and bottlenecks - accept, reject, edit or add findings.

Local knowledge counts as evidence: a finding added here is marked ``local_knowledge`` and
flows to the rules and the report like any other, with its origin shown.
"""

from __future__ import annotations

import json
import uuid
from functools import partial

import streamlit as st

from evidence.models import FINDING_TOPICS, Finding
from evidence.sectors import load_sectors
from policy.labels import confidence_word, finding_heading, label
from ui.state import get_session, seed_findings
from ui.widgets import lazy_expander, lazy_tabs, need_area, next_button, plain

KIND_ICON = {"strength": ":material/thumb_up:", "bottleneck": ":material/block:",
             "opportunity": ":material/trending_up:", "risk": ":material/warning:"}
TAB_KEY = "findings_tab"
"""Session-state key of the open tab (only its cards are drawn: :func:`ui.widgets.lazy_tabs`)."""
STATUS_LABELS = {"proposed": "Undecided", "accepted": "Accept", "rejected": "Reject"}


def _set_status(fid: str) -> None:
    """Store the card's decision. Clicking the chosen segment again clears a segmented
    control; a finding always has a decision, so the control is set back to it."""
    key = f"status_{fid}"
    for f in get_session().findings:
        if f.id == fid:
            if st.session_state[key] is None:
                st.session_state[key] = f.status
            else:
                f.status = st.session_state[key]


def _set_text(fid: str) -> None:
    for f in get_session().findings:
        if f.id == fid:
            f.text = st.session_state[f"text_{fid}"]


def _set_note(fid: str) -> None:
    for f in get_session().findings:
        if f.id == fid:
            f.note = st.session_state[f"note_{fid}"]


def finding_details(f: Finding) -> None:
    st.caption(f"Confidence {f.confidence:.2f} (0-1); judged against: {plain(f.threshold)}")
    # a code block, not st.json's viewer: one a finding made the page slow to draw
    st.code(json.dumps({"values": f.values, "judged against": f.threshold}, indent=2,
                       default=str), language="json")
    st.text_area("Wording", value=f.text, key=f"text_{f.id}", on_change=_set_text,
                 args=(f.id,))
    st.text_input("Note (why accepted or rejected)", value=f.note, key=f"note_{f.id}",
                  on_change=_set_note, args=(f.id,))


def finding_card(f: Finding) -> None:
    with st.container(border=True):
        # topic, sector and text come from the session (a file can hold anything): plain text
        st.markdown(f"{KIND_ICON.get(f.kind, '')} **{plain(finding_heading(f))}**")
        st.caption(f"{confidence_word(f.confidence).capitalize()} confidence · from "
                   f"{label('finding_origin', f.origin)}")
        st.markdown(plain(f.text))
        cols = st.columns([1, 2])
        # a segmented control, not a horizontal radio: the same radio group to a screen
        # reader, a lighter page to draw (eleven cards: 328 -> 261 ms a page, issue 14)
        key = f"status_{f.id}"
        cols[0].segmented_control("Decision", list(STATUS_LABELS), key=key,
                                  # the kept state, once there, is the value (no second source)
                                  default=None if key in st.session_state else f.status,
                                  format_func=STATUS_LABELS.__getitem__,
                                  on_change=_set_status, args=(f.id,))
        with cols[1]:
            lazy_expander("Details: numbers, yardstick and edits", f"details_{f.id}",
                          partial(finding_details, f))


def kind_cards(findings: list[Finding], kind: str) -> None:
    for f in findings:
        if f.kind == kind:
            finding_card(f)


DRAFT = "finding_draft"
"""``st.session_state`` key of the local-knowledge finding being written (kind, topic, sector,
text, source): kept while the user visits other steps, so a draft is never lost unseen (a
widget's own state is dropped as soon as its page is left)."""
_KINDS = ["strength", "bottleneck", "opportunity", "risk"]
_DRAFT_FIELDS = ("kind", "topic", "sector", "text", "source")


def _keep(field: str) -> None:
    """A widget of the draft changed: keep its value beyond this page."""
    st.session_state.setdefault(DRAFT, {})[field] = st.session_state[f"add_{field}"]


def _add_local_finding() -> None:
    """The Add finding button: the draft becomes an accepted local-knowledge finding; an empty
    text keeps the draft and says so."""
    draft = dict(st.session_state.get(DRAFT, {}))
    # the boxes' values as they stand (their on_change may run after this callback)
    draft.update({f: st.session_state[f"add_{f}"] for f in _DRAFT_FIELDS
                  if f"add_{f}" in st.session_state})
    text = str(draft.get("text", "")).strip()
    if not text:
        st.session_state["add_finding_empty"] = True
        return
    get_session().findings.append(Finding(
        id=f"local:{uuid.uuid4().hex[:8]}", kind=draft.get("kind", _KINDS[0]),
        topic=draft.get("topic", next(iter(FINDING_TOPICS))),
        sector=draft.get("sector") or None, text=text, threshold="local knowledge",
        confidence=0.6, origin="local_knowledge", status="accepted",
        note=str(draft.get("source", "")).strip(), values={}))
    st.session_state.pop(DRAFT, None)
    # the text boxes start empty again (set, not dropped: the browser keeps a dropped
    # widget's text); the choices stay as they were, for the next finding
    st.session_state["add_text"] = ""
    st.session_state["add_source"] = ""


def add_finding_form() -> None:
    """Add local knowledge. Not an ``st.form``: a form's text reaches the server only when it
    is submitted, so a finding half-written when the user went to another step was lost
    without a word. Each box keeps its text in :data:`DRAFT` as it is entered."""
    sectors = {s.sector_id: s.label for s in load_sectors()}
    topics = list(FINDING_TOPICS)
    draft = st.session_state.get(DRAFT, {})

    def at(options: list[str], field: str) -> int:
        return options.index(draft[field]) if draft.get(field) in options else 0

    with st.container(border=True, key="add_finding"):
        st.markdown("**Add local knowledge** (what the data misses)")
        if draft.get("text"):
            st.caption("Your draft is kept while you visit other steps; add it to count it.")
        c1, c2, c3 = st.columns(3)
        c1.selectbox("Kind", _KINDS, index=at(_KINDS, "kind"), key="add_kind",
                     format_func=lambda k: label("finding_kind", k), on_change=_keep,
                     args=("kind",))
        c2.selectbox("Topic", topics, index=at(topics, "topic"), key="add_topic",
                     format_func=lambda t: label("finding_topic", t), on_change=_keep,
                     args=("topic",))
        options = [""] + list(sectors)
        c3.selectbox("Sector (optional)", options, index=at(options, "sector"),
                     key="add_sector", format_func=lambda s: sectors.get(s, "none"),
                     on_change=_keep, args=("sector",))
        st.text_area("What do you know?", value=draft.get("text", ""), key="add_text",
                     on_change=_keep, args=("text",), placeholder=(
                         "e.g. The main aerospace employer is consolidating two sites; the "
                         "college's engineering course has a waiting list."))
        st.text_input("Source or who said so", value=draft.get("source", ""),
                      key="add_source", on_change=_keep, args=("source",),
                      placeholder="workshop, 12 March")
        st.button("Add finding", on_click=_add_local_finding)
        if st.session_state.pop("add_finding_empty", False):
            st.warning("Write the finding first.")


def render() -> None:
    if need_area():
        return
    session = get_session()
    seed_findings(session)
    findings = session.findings
    accepted = sum(f.status == "accepted" for f in findings)
    rejected = sum(f.status == "rejected" for f in findings)
    st.caption(f"{len(findings)} findings for {plain(session.area_name)}: {accepted} accepted, "
               f"{rejected} rejected, {len(findings) - accepted - rejected} undecided. "
               "Undecided findings still count; rejected ones are left out of the rules.")
    if st.button("Accept all undecided"):
        for f in findings:
            if f.status == "proposed":
                f.status = "accepted"
                st.session_state.pop(f"status_{f.id}", None)
        st.rerun()
    if not findings:
        st.info("No findings crossed their thresholds for this area and period.")
    kinds = ["strength", "opportunity", "bottleneck", "risk"]
    lazy_tabs({f"{KIND_ICON[k]} {label('finding_kind_plural', k)} "
               f"({sum(f.kind == k for f in findings)})": partial(kind_cards, findings, k)
               for k in kinds}, key=TAB_KEY)
    add_finding_form()
    next_button("findings", "Next: rationale and target")
