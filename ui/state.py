"""Session state and cached evidence for the Streamlit pages.

The domain objects are cached once per data source (``st.cache_resource``): every browser session
looking at the same file shares one set of indicators. What a user decides lives in a
``StrategySession`` kept in ``st.session_state`` and autosaved by the session store.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import streamlit as st

from evidence.dataset import DataError
from evidence.models import AreaProfile
from evidence.service import FULL_DEMO, Evidence, load_any
from policy.session import StrategySession
from policy.store import default_db_path
from policy.workshop_store import WorkshopStore

SESSION_KEY = "policymix_session"


def upload_dir() -> Path:
    base = Path(os.environ.get("POLICYMIX_HOME", Path.cwd() / ".policymix"))
    path = base / "uploads"
    path.mkdir(parents=True, exist_ok=True)
    return path


def get_session() -> StrategySession:
    if SESSION_KEY not in st.session_state:
        st.session_state[SESSION_KEY] = StrategySession()
    return st.session_state[SESSION_KEY]


def set_session(session: StrategySession) -> None:
    st.session_state[SESSION_KEY] = session


@st.cache_resource(show_spinner="Loading data and computing indicators for every area...",
                   max_entries=4)
def _load_evidence(source: str | None, stamp: float, gva: str | None = None) -> Evidence:
    del stamp  # part of the cache key only: a changed file is reloaded
    return Evidence.from_dataset(load_any(source, gva))


@st.cache_resource(max_entries=8)
def _with_custom(source: str | None, stamp: float, code: str, name: str,
                 members: tuple[str, ...], gva: str | None = None) -> Evidence:
    base = _load_evidence(source, stamp, gva)
    ev = Evidence(dataset=base.dataset, cube=base.cube)
    ev.add_custom_area(code, name, list(members))
    return ev


def _stamp(source: str | None) -> float:
    if source in (None, FULL_DEMO):
        return 0.0
    try:
        return Path(source).stat().st_mtime
    except OSError:
        return 0.0


def evidence_for(session: StrategySession) -> Evidence:
    """The evidence behind the session (raises DataError if its file is bad)."""
    stamp = _stamp(session.data_source)
    if session.custom_area is not None:
        c = session.custom_area
        return _with_custom(session.data_source, stamp, c.code, c.name, tuple(c.members),
                            session.gva_source)
    return _load_evidence(session.data_source, stamp, session.gva_source)


def try_evidence(session: StrategySession) -> Evidence | None:
    """Evidence, or an on-page error naming file, row and column; the session is untouched."""
    try:
        return evidence_for(session)
    except DataError as exc:
        st.error(f"Could not read the data: {exc}")
    except FileNotFoundError as exc:
        st.error(f"Data file not found: {exc}. Choose another source on the Data page.")
    return None


def current_profile(session: StrategySession) -> AreaProfile | None:
    ev = try_evidence(session)
    if ev is None or session.area_code is None:
        return None
    try:
        return ev.profile(session.area_code, session.period_start, session.period_end,
                          comparator_codes=session.comparator_codes)
    except (KeyError, ValueError) as exc:
        st.warning(f"Cannot build the profile: {exc}")
        return None


def save_upload(name: str, data: bytes) -> Path:
    digest = hashlib.sha256(data).hexdigest()[:16]
    safe = "".join(ch for ch in Path(name).name if ch.isalnum() or ch in "._-")[:60] or "data"
    path = upload_dir() / f"{digest}-{safe}"
    path.write_bytes(data)
    return path


def synthetic_banner(ev: Evidence) -> None:
    if ev.dataset.source.synthetic:
        st.info(
            "**Synthetic demo data.** Areas and figures are fictional, generated to show the "
            "method; they are not official statistics.", icon=":material/science:"
        )


def current_recommendations(session: StrategySession):  # -> Recommendations | None
    """Recommendations for the session's area and decided findings (None with a message)."""
    from policy.pipeline import recommend

    ev = try_evidence(session)
    if ev is None or session.area_code is None:
        return None
    try:
        return recommend(ev, session)
    except (KeyError, ValueError) as exc:
        st.warning(f"Cannot run the rules: {exc}")
        return None


def session_profile_or_none(session: StrategySession) -> AreaProfile | None:
    """The profile with the session's decided findings, for appraisal defaults and checks."""
    from policy.pipeline import session_profile

    ev = try_evidence(session)
    if ev is None or session.area_code is None:
        return None
    try:
        return session_profile(ev, session)
    except (KeyError, ValueError):
        return None


@st.cache_resource(max_entries=4)
def _workshop_store(path: str) -> WorkshopStore:
    return WorkshopStore(path)


def workshop_store() -> WorkshopStore:
    """The workshop store on the session database; keyed by path so a changed POLICYMIX_DB
    (tests, a second deployment) never reuses a store that points at another file."""
    return _workshop_store(str(default_db_path()))
