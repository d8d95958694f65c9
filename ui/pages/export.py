"""Step 9: export the appraisal pack, and save or load the whole session."""

from __future__ import annotations

import tempfile
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

import streamlit as st

from policy.labels import local_time
from policy.session import SessionError, open_session_json, session_to_json
from policy.storage import AccessDenied, Settings, StorageError
from ui.state import (
    KEY_PARAM,
    SID_PARAM,
    check_custom_area,
    finish_step,
    get_session,
    keyring,
    open_saved,
    publish_address,
    save_session,
    session_key,
    session_store,
    set_session,
    try_evidence,
)
from ui.widgets import need_area, plain

FORMATS = {
    "docx": ("Word report (.docx)",
             "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    "xlsx": ("Excel workbook (.xlsx)",
             "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "html": ("Web page report (.html, self-contained)", "text/html"),
    "json": ("Data (.json)", "application/json"),
}


def _file_stem(name: str | None) -> str:
    safe = "".join(ch if ch.isalnum() else "-" for ch in (name or "area")).strip("-")
    return f"policymix-appraisal-{safe.lower() or 'area'}"


def build_file(fmt: str) -> bytes:
    """Write one export to a temporary file and return its bytes."""
    # deferred: the export package loads python-docx, openpyxl, Pillow and vl-convert
    from policy.export import build_bundle, export

    session = get_session()
    ev = try_evidence(session)
    if ev is None:
        raise ValueError("the data could not be loaded")
    bundle = build_bundle(session, ev, workshop=session.workshop or None)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"report.{fmt}"
        export(bundle, path)
        return path.read_bytes()


def exports_section() -> None:
    session = get_session()
    st.caption("Each file states the data source and period; demo data is marked as synthetic.")
    fmt = st.radio("Format", list(FORMATS), format_func=lambda f: FORMATS[f][0],
                   horizontal=True, key="export_format")
    if st.button("Prepare the file", type="primary", key="prepare_export"):
        with st.spinner("Building the report (charts and causal diagrams)..."):
            try:
                st.session_state["export_blob"] = (fmt, build_file(fmt))
            except ValueError as exc:
                st.error(f"Cannot export yet: {exc}")
                return
        finish_step("export")  # a report was made: the step is done (ui/steps.yaml)
    blob = st.session_state.get("export_blob")
    if blob and blob[0] == fmt:
        st.download_button(f"Download {FORMATS[fmt][0]}", data=blob[1],
                           file_name=f"{_file_stem(session.area_name)}.{fmt}",
                           mime=FORMATS[fmt][1], key="download_export",
                           on_click=finish_step, args=("export",))


def _set_title() -> None:
    get_session().title = st.session_state["session_title"].strip()[:200] or "Untitled session"


def session_link(session_id: str, key: str) -> str:
    """The address that opens a session (this page's address with the id and key)."""
    query = urlencode({SID_PARAM: session_id, KEY_PARAM: key, "step": "data"})
    return f"{(st.context.url or '').split('?')[0]}?{query}"


def link_section() -> None:
    """The way back to a session from any browser, without a login: its link, to copy and
    keep, and a box that opens a session from a link (it then joins this browser session's
    list). Nothing is written to the browser: no cookie, no storage."""
    session = get_session()
    key = session_key(session)
    if session.session_id and key:
        st.markdown("**Your session link**: keep it (a bookmark, a password manager, a note) "
                    "to come back to this session from any browser. It holds the session's "
                    "key: anyone with it can open and change the session.")
        st.code(session_link(session.session_id, key), language=None)
    with st.form("open_link", clear_on_submit=True):
        typed = st.text_input("Open a session from its link", key="open_link_text",
                              placeholder="paste the whole address, with sid= and key=")
        if not st.form_submit_button("Open that session"):
            return
    query = parse_qs(urlsplit(typed.strip()).query or typed.strip().lstrip("?"))
    sid, link_key = (query.get(SID_PARAM) or [""])[0], (query.get(KEY_PARAM) or [""])[0]
    if not sid or not link_key:
        st.error("That is not a session link: it needs both sid= and key=.")
        return
    try:
        opened = open_saved(sid, link_key)
    except (AccessDenied, KeyError):
        st.error("That link does not open a saved session (the key is wrong, or the session "
                 "was deleted). Your current session is unchanged.")
        return
    except SessionError as exc:
        st.error(f"That session could not be opened: {plain(exc)}")
        return
    publish_address(opened)
    st.rerun()


def save_load_section() -> None:
    session = get_session()
    # the box follows the session when it changed underneath (a merge, loading the saved one);
    # a typed title has already reached the session through on_change
    st.session_state["session_title"] = session.title
    st.text_input("Session title", max_chars=200, key="session_title", on_change=_set_title)
    st.caption(f"Your session autosaves (id **{session.session_id or 'not yet saved'}**); "
               "bookmark this page's address to come back to it: it holds the session's key, "
               "so share it only with people who may change the session. You can also keep a "
               "copy as a file and open it on another machine.")
    st.download_button("Download the session (.json)", data=session_to_json(session),
                       file_name=f"policymix-session-{session.session_id or 'new'}.json",
                       mime="application/json", key="download_session",
                       on_click=finish_step, args=("export",))
    uploaded = st.file_uploader("Open a session file", type=["json"], key="session_upload")
    if uploaded is not None and st.button("Open it (replaces the current session)",
                                          key="open_session"):
        try:
            settings = Settings.from_env()
            loaded, _ = open_session_json(uploaded.getvalue(), source=uploaded.name,
                                          max_bytes=settings.session_max_bytes)
        except SessionError as exc:
            st.error(f"Not opened; your current session is unchanged. {plain(exc)}")
            return
        settings.set_aside_sources(loaded)
        check_custom_area(loaded)  # before it is saved: a custom area the data cannot build
        loaded.session_id = ""  # saved as a new session, so the original stays intact
        try:
            save_session(loaded)  # now, so the address bar names the session on screen
        except (StorageError, SessionError) as exc:
            st.error(f"Not opened; your current session is unchanged. {plain(exc)}")
            return
        set_session(loaded)
        st.session_state["saved_body"] = session_to_json(loaded)
        publish_address(loaded)
        st.session_state["opened_file"] = (uploaded.name, loaded.area_name)
        st.rerun()
    if "opened_file" in st.session_state:
        name, area = st.session_state.pop("opened_file")
        st.success(f"Opened {plain(name)}: {plain(area or 'no area yet')}. It is saved as a new "
                   "session; this page's address now opens it.")


def recent_sessions_section() -> None:
    """Sessions this browser session created or opened with their key (never the whole store):
    open one in a new tab from its address."""
    keys = keyring()
    current = get_session().session_id
    rows = [r for r in session_store().list(ids=keys) if r["session_id"] != current]
    if not rows:
        st.caption("No other sessions opened in this browser session. A session is opened "
                   "from its full address (with its key); the store lists nobody's sessions. "
                   "This list lasts as long as this browser session: keep each session's link "
                   "(above) to come back to it later.")
        return
    for r in rows[:20]:
        st.markdown(f"- [{plain(r['title'])} - {plain(r['area_code'] or 'no area yet')}]"
                    f"(?sid={r['session_id']}&key={keys[r['session_id']]}&step=data) "
                    f"(saved {plain(_when(r['updated_at']))})")


def _when(stamp: object) -> str:
    try:
        return local_time(str(stamp))
    except ValueError:
        return str(stamp)


def render() -> None:
    st.subheader("Download the appraisal")
    if not need_area():
        exports_section()
    st.subheader("Save and load")
    save_load_section()
    st.subheader("Come back later")
    link_section()
    st.subheader("Other saved sessions")
    recent_sessions_section()
