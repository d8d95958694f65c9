"""Session state and cached evidence for the Streamlit pages.

The domain objects are cached once per data source (``st.cache_resource``): every browser session
looking at the same file shares one set of indicators. What a user decides lives in a
``StrategySession`` kept in ``st.session_state`` and autosaved by the session store. The
session's profile and recommendations come from :mod:`policy.walkthrough`, the path the CLI and
the exports take; this module only adds the on-page message when they cannot be built.
"""

from __future__ import annotations

import gc
import logging
import os
import threading
import weakref
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import streamlit as st

from evidence.area_analysis import analysis_of
from evidence.dataset import DataError
from evidence.models import AreaProfile
from evidence.problems import Problem, ProblemError
from evidence.service import FULL_DEMO, Evidence, load_any, split_source
from policy import walkthrough
from policy.export import prepare as prepare_exports
from policy.session import Merge, StrategySession, custom_area_problems, session_to_json
from policy.storage import SessionStore, Settings, default_db_path
from policy.workshop import WorkshopStore
from rules.results import Recommendations
from ui.text import plain

T = TypeVar("T")

SESSION_KEY = "policymix_session"
KEYRING = "session_keyring"
"""Session id -> key for every saved session this browser session created or opened with a
key: what it may list and open again (the store never lists other people's sessions)."""
SID_PARAM, KEY_PARAM = "sid", "key"
"""The URL's query parameters naming the saved session and carrying its key."""
REVISIONS = "session_revisions"
"""Session id -> the revision this browser session last loaded or saved (two-tab safety)."""
BASES = "session_bases"
"""Session id -> the session's text at that revision: the base of a three-way merge when
another tab saved in between."""


def upload_dir() -> Path:
    return Settings.from_env().upload_dir


def get_session() -> StrategySession:
    if SESSION_KEY not in st.session_state:
        st.session_state[SESSION_KEY] = StrategySession()
    return st.session_state[SESSION_KEY]


def set_session(session: StrategySession, revision: int | None = None) -> None:
    st.session_state[SESSION_KEY] = session
    if revision is not None and session.session_id:
        st.session_state.setdefault(REVISIONS, {})[session.session_id] = revision
        st.session_state.setdefault(BASES, {})[session.session_id] = session_to_json(session)


def keyring() -> dict[str, str]:
    """The keys this browser session holds, by session id."""
    return st.session_state.setdefault(KEYRING, {})


def remember_key(session_id: str, key: str) -> None:
    keyring()[session_id] = key


def session_key(session: StrategySession) -> str | None:
    """This browser's key to the session, or None (not saved yet, or opened without one)."""
    return keyring().get(session.session_id) if session.session_id else None


def holds_key(session: StrategySession) -> bool:
    """True when this browser may act for the session: it created it or opened it with its
    key (a session not saved yet is this browser's own)."""
    return not session.session_id or session_key(session) is not None


def open_saved(session_id: str, key: str | None) -> StrategySession:
    """Open a saved session from an address (raises AccessDenied without the right key); a
    data source this server may not read is set aside (see :func:`set_aside_note`)."""
    session, revision = session_store().open(session_id, key)
    Settings.from_env().set_aside_sources(session)
    check_custom_area(session)
    if key:  # always, since open() refuses a missing key
        remember_key(session_id, key)
    set_session(session, revision)
    st.session_state["saved_body"] = session_to_json(session)  # opening is not a change
    return session


def set_aside_note(session: StrategySession) -> None:
    """Say which parts of the session could not be opened and were set aside (kept, unused)."""
    if session.set_aside:
        why = {k: v.get("problem", "") if isinstance(v, dict) else v
               for k, v in session.set_aside.items()}
        parts = "; ".join(f"**{plain(k.replace('_', ' '))}**: {plain(v, limit=300)}"
                          for k, v in why.items())
        st.warning("Parts of this session could not be opened and were set aside (kept in the "
                   f"session file, not used): {parts}", icon=":material/inventory_2:")


def publish_address(session: StrategySession) -> None:
    """Put the session's id and this browser's key in the address bar, so a reload or a
    bookmark reopens exactly this session."""
    if not session.session_id:
        return
    st.query_params[SID_PARAM] = session.session_id
    key = session_key(session)
    if key:
        st.query_params[KEY_PARAM] = key
    else:
        st.query_params.pop(KEY_PARAM, None)


def save_session(session: StrategySession) -> Merge | None:
    """Save what this browser holds: a new session gets an id and a key; a saved one is
    committed against the revision this browser loaded. When another tab saved since, the two
    are merged (:meth:`SessionStore.commit_merging`: ``session`` becomes the merged one and
    the Merge says what the other tab brought); a real conflict raises StaleSession."""
    store = session_store()
    revisions = st.session_state.setdefault(REVISIONS, {})
    bases = st.session_state.setdefault(BASES, {})
    merge = None
    if not session.session_id:
        sid, key, revision = store.create(session)
        remember_key(sid, key)
    else:
        sid = session.session_id
        expected = revisions.get(sid)
        if expected is None:  # held in memory only (a test, a server-side caller)
            expected = store.revision(sid)
        merge = store.commit_merging(session, expected, bases.get(sid))
        revision = merge.revision
    revisions[sid] = revision
    bases[sid] = session_to_json(session)
    return merge


@st.cache_resource(show_spinner="Loading data and computing indicators for every area...",
                   max_entries=4)
def _load_evidence(source: str | None, stamp: float, gva: str | None = None,
                   context: tuple[str, ...] = (), lookup: str | None = None) -> Evidence:
    del stamp  # part of the cache key only: a changed file is reloaded
    return Evidence.from_dataset(load_any(source, gva, context=list(context), lookup=lookup))


_settled: dict[int, weakref.ref[Evidence]] = {}
"""id -> the Evidence settled (a weak reference: an Evidence is a dataclass, not hashable)."""


def settle(ev: Evidence) -> None:
    """Once per Evidence, when its data and the caches the pages read are built: collect the
    garbage, then move every object left to the collector's permanent generation
    (``gc.freeze``).

    With the national demo in memory (some 240,000 tracked objects) each full collection that
    Python's collector starts on its own took 130-900 ms in the middle of a page run, several
    times a minute (measured with ``gc.callbacks``; issue 14). Frozen objects are still freed
    by reference counting when a cache drops them; only cycles among them are kept."""
    kept = _settled.get(id(ev))
    if kept is not None and kept() is ev:
        return
    _settled[id(ev)] = weakref.ref(ev)
    gc.collect()
    gc.freeze()


WARM_ENV = "POLICYMIX_WARM"
"""Set to 0 to start the app without warming the bundled demo in the background."""
_warm_lock = threading.Lock()
_warm_thread: threading.Thread | None = None


def _warm() -> None:
    """Fill the Evidence cache with the bundled demo and work out what its first pages read
    (indicators, the analysis step, the spatial statistics of every sector); then start the
    export's chart renderer (:func:`policy.export.prepare`)."""
    quiet = logging.getLogger("streamlit.runtime.scriptrunner_utils.script_run_context")
    level = quiet.level
    quiet.setLevel(logging.ERROR)  # "missing ScriptRunContext": expected, off the script thread
    try:
        ev = _load_evidence(None, _stamp(None), None, (), None)  # the key a new session's page uses
        ind = ev.indicators()
        analysis = analysis_of(ind, ev.dataset.source.synthetic)
        for sector in ev.cube.sectors:
            analysis.sector_spatial(sector)
        try:  # vl-convert's start and the writers' imports, off the first export
            prepare_exports()
        except Exception:  # then the first export pays for them
            logging.getLogger(__name__).exception("preparing the exports failed")
        settle(ev)  # after it, so the writers' modules are frozen with the rest
    except Exception:  # a failed warm-up only means the first page computes it
        logging.getLogger(__name__).exception("warming the bundled demo failed")
    finally:
        quiet.setLevel(level)


def warm_in_background() -> threading.Thread | None:
    """Start warming the bundled demo once per process, in a daemon thread, so the server
    answers at once and the first page finds the data loaded (Streamlit's cache lets a page
    that asks meanwhile wait for the same computation rather than repeat it). Returns the
    thread (None when ``POLICYMIX_WARM=0``)."""
    global _warm_thread
    if os.environ.get(WARM_ENV, "1") == "0":
        return None
    with _warm_lock:
        if _warm_thread is None:
            _warm_thread = threading.Thread(target=_warm, name="policymix-warm", daemon=True)
            _warm_thread.start()
    return _warm_thread


@st.cache_resource(max_entries=8)
def _with_custom(source: str | None, stamp: float, code: str, name: str,
                 members: tuple[str, ...], gva: str | None = None,
                 context: tuple[str, ...] = (), lookup: str | None = None) -> Evidence:
    session = StrategySession(data_source=source, gva_source=gva, context_sources=list(context),
                              lookup_source=lookup,
                              custom_area={"code": code, "name": name, "members": list(members)})
    return walkthrough.session_evidence(session, _load_evidence(source, stamp, gva, context,
                                                                lookup))


def _stamp(source: str | None) -> float:
    if source in (None, FULL_DEMO):
        return 0.0
    try:
        return Path(split_source(source)[0]).stat().st_mtime
    except OSError:
        return 0.0


def check_custom_area(session: StrategySession) -> list[Problem]:
    """Set the session's custom area aside (kept, named on every page) when the data cannot
    build it: districts the data does not have, or a code the data already uses. Without
    this, one such session file raised on every page. A source that cannot be read is left
    for :func:`try_evidence` to report."""
    if session.custom_area is None:
        return []
    try:
        base = _load_evidence(session.data_source, _stamp(session.data_source),
                              session.gva_source, tuple(session.context_sources),
                              session.lookup_source)
    except (ProblemError, OSError):
        return []
    areas = base.cube.areas
    problems = custom_area_problems(session.custom_area,
                                    dict(zip(areas["area_code"], areas["level"], strict=True)))
    if problems:
        session.set_aside_custom_area(problems)
    return problems


def evidence_for(session: StrategySession) -> Evidence:
    """The evidence behind the session (raises DataError if its file is bad)."""
    stamp = _stamp(session.data_source)
    problems = check_custom_area(session)
    if problems:
        st.warning("The custom area could not be built from this data and was set aside "
                   "(kept in the session, not used): "
                   + plain("; ".join(p.message for p in problems)))
    if session.custom_area is not None:
        c = session.custom_area
        return _with_custom(session.data_source, stamp, c.code, c.name, tuple(c.members),
                            session.gva_source, tuple(session.context_sources),
                            session.lookup_source)
    return _load_evidence(session.data_source, stamp, session.gva_source,
                          tuple(session.context_sources), session.lookup_source)


def try_evidence(session: StrategySession) -> Evidence | None:
    """Evidence, or an on-page error naming file, row and column; the session is untouched.
    A source outside what this server may read (:meth:`Settings.source_problem`) is never
    opened."""
    settings = Settings.from_env()
    sources = [(f, getattr(session, f)) for f in ("data_source", "gva_source", "lookup_source")]
    for field, source in sources + [("context_sources", c) for c in session.context_sources]:
        problem = settings.source_problem(source, field)
        if problem is not None:
            st.error(f"Could not read the data: {plain(problem)}")
            return None
    try:
        return evidence_for(session)
    except DataError as exc:
        st.error(f"Could not read the data: {plain(exc)}")
    except FileNotFoundError as exc:
        st.error(f"Data file not found: {plain(exc)}. Choose another source on the Data page.")
    return None


MEMO = "page_memo"
"""Name -> (object compared by identity, inputs, result): this browser session's last
profile, comparator profiles, recommendations and mix checks, so that a page switch or a
widget change does not rebuild them (:func:`session_memo`)."""


def session_memo(name: str, same: object, inputs: tuple, build: Callable[[], T]) -> T:
    """``build()``, or the result kept from this browser session's last call of ``name``
    with the very same object ``same`` (compared by identity: an Evidence, a kept profile)
    and equal ``inputs``.

    A profile with its comparators' profiles and the rules over them took 100-150 ms on the
    full national demo and several pages asked for them on every run (issue 14). The key is
    what they are computed from, not a revision number: the evidence object itself (another
    source or a custom area is another object) and the session's fields they read (area,
    period, comparators, standing findings), so a changed finding or comparator choice is
    never served stale."""
    memo = st.session_state.setdefault(MEMO, {})
    kept = memo.get(name)
    if kept is not None and kept[0] is same and kept[1] == inputs:
        return kept[2]
    value = build()
    memo[name] = (same, inputs, value)
    return value


def _area_inputs(session: StrategySession) -> tuple:
    """What a profile without the session's findings is built from (besides the evidence)."""
    return (session.area_code, session.period_start, session.period_end,
            tuple(session.comparator_codes) if session.comparator_codes is not None else None)


def _profile_inputs(session: StrategySession) -> tuple:
    """... and the findings that stand (the session's, once it has any)."""
    findings = (tuple(f.model_dump_json() for f in session.standing_findings())
                if session.findings else None)
    return (*_area_inputs(session), findings)


def _profile(ev: Evidence, session: StrategySession) -> AreaProfile:
    profile = session_memo("profile", ev, _profile_inputs(session),
                           lambda: walkthrough.session_profile(ev, session))
    settle(ev)  # the first profile has computed what every page reads
    return profile


def session_profile(session: StrategySession) -> AreaProfile | None:
    """The session's profile (:func:`policy.walkthrough.session_profile`), or None with an
    on-page message saying why it cannot be built. Kept for the next run while its inputs
    stay the same (:func:`session_memo`): callers read it, never change it."""
    ev = try_evidence(session)
    if ev is None or session.area_code is None:
        return None
    try:
        return _profile(ev, session)
    except (KeyError, ValueError) as exc:
        st.warning(f"Cannot build the profile: {plain(exc)}")
        return None


def session_recommendations(session: StrategySession) -> Recommendations | None:
    """Recommendations for the session's area and standing findings (None with a message);
    :func:`policy.walkthrough.recommend` on the kept profile and comparator profiles."""
    ev = try_evidence(session)
    if ev is None or session.area_code is None:
        return None
    try:
        profile = _profile(ev, session)
        comparators = session_memo("comparators", ev, _area_inputs(session),
                                   lambda: walkthrough.comparator_profiles(ev, profile))
        return session_memo("recommendations", ev, _profile_inputs(session),
                            lambda: walkthrough.recommend(ev, session, profile=profile,
                                                          comparators=comparators))
    except (KeyError, ValueError) as exc:
        st.warning(f"Cannot run the rules: {plain(exc)}")
        return None


def seed_findings(session: StrategySession) -> None:
    """Fill the session's findings from the area's profile the first time the area is seen."""
    ev = try_evidence(session)
    if ev is not None and session.area_code is not None and session.findings_need_seeding():
        try:
            walkthrough.seed_findings(ev, session)
        except (KeyError, ValueError) as exc:
            st.warning(f"Cannot build the profile: {plain(exc)}")


def ensure_appraisal(session: StrategySession) -> bool:
    """Give the session its default appraisal (baseline and options from the chosen
    interventions) the first time; False, with a message, when the rules cannot run."""
    if session.appraisal.options:
        return True
    ev = try_evidence(session)
    if ev is None or session.area_code is None:
        return False
    try:
        walkthrough.ensure_appraisal(ev, session)
    except (KeyError, ValueError) as exc:
        st.warning(f"Cannot run the rules: {plain(exc)}")
        return False
    return True


def save_upload(name: str, data: bytes) -> Path:
    """Keep an upload (raises DataError, writing nothing, when it is past a server limit)."""
    return Settings.from_env().keep_upload(name, data)


@st.cache_resource
def _expired_on_start(upload_dir: str) -> int:
    """Old uploads are deleted once per server process (and on every upload)."""
    del upload_dir  # the cache key: one run per upload folder
    return len(Settings.from_env().expire_uploads())


def expire_uploads_on_start() -> None:
    _expired_on_start(str(upload_dir()))


@st.cache_resource(max_entries=4)
def _workshop_store(path: str) -> WorkshopStore:
    return WorkshopStore(path)


def workshop_store() -> WorkshopStore:
    """The workshop store on the session database; keyed by path so a changed POLICYMIX_DB
    (tests, a second deployment) never reuses a store that points at another file."""
    return _workshop_store(str(default_db_path()))


def session_store() -> SessionStore:
    """The session store at the configured path (one open store per path per process)."""
    return _session_store(str(default_db_path()))


@st.cache_resource
def _session_store(path: str) -> SessionStore:
    return SessionStore(path)


# --------------------------------------------------------------------------------------------
# Step progress

OPEN_STEP = "open_step"
"""Session-state key of the step on screen in this browser tab (for :func:`note_open`)."""


def finish_step(step_id: str) -> None:
    """Record that the user finished a step (``StrategySession.steps_visited``): its Next
    button, moving on from it to another step, or (export) preparing or downloading a file."""
    session = get_session()
    if step_id not in session.steps_visited:
        session.steps_visited.append(step_id)


def note_open(step_id: str) -> None:
    """The step now on screen. The one on screen before it, left for another step by the
    sidebar or a Next button, counts as finished: the user read it and moved on. Opening a
    page (or staying on it) never finishes it (issue 15)."""
    before = st.session_state.get(OPEN_STEP)
    st.session_state[OPEN_STEP] = step_id
    if before is not None and before != step_id:
        finish_step(before)
