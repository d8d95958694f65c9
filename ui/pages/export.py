"""Step 9: export the appraisal pack, and save or load the whole session."""

from __future__ import annotations

import tempfile
from pathlib import Path

import streamlit as st

from policy.labels import local_time
from policy.session import SessionError, open_session_json, session_to_json
from policy.storage import Settings, StorageError
from ui.state import (
    get_session,
    keyring,
    publish_address,
    save_session,
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
    # deferred: the export package loads python-docx, openpyxl, matplotlib and vl-convert
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
    blob = st.session_state.get("export_blob")
    if blob and blob[0] == fmt:
        st.download_button(f"Download {FORMATS[fmt][0]}", data=blob[1],
                           file_name=f"{_file_stem(session.area_name)}.{fmt}",
                           mime=FORMATS[fmt][1], key="download_export")


def save_load_section() -> None:
    session = get_session()
    st.caption(f"Your session autosaves (id **{session.session_id or 'not yet saved'}**); "
               "bookmark this page's address to come back to it: it holds the session's key, "
               "so share it only with people who may change the session. You can also keep a "
               "copy as a file and open it on another machine.")
    st.download_button("Download the session (.json)", data=session_to_json(session),
                       file_name=f"policymix-session-{session.session_id or 'new'}.json",
                       mime="application/json", key="download_session")
    uploaded = st.file_uploader("Open a session file", type=["json"], key="session_upload")
    if uploaded is not None and st.button("Open it (replaces the current session)",
                                          key="open_session"):
        try:
            loaded, _ = open_session_json(uploaded.getvalue(), source=uploaded.name)
        except SessionError as exc:
            st.error(f"Not opened; your current session is unchanged. {plain(exc)}")
            return
        Settings.from_env().set_aside_sources(loaded)
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
                   "from its full address (with its key); the store lists nobody's sessions.")
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
    st.subheader("Other saved sessions")
    recent_sessions_section()
