"""Widgets the pages share: the step guard, moving between steps, banners, question widgets,
and :func:`plain` (user or file text shown as text, never as Markdown; from :mod:`ui.text`).

Pages never import each other; what two pages need lives here (drawing) or in
:mod:`ui.state` (session state and cached evidence).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Hashable
from typing import TYPE_CHECKING, Any, Literal

import streamlit as st
from pydantic import BaseModel

from evidence.service import Evidence
from policy.questions import Question, options_of
from policy.session import StrategySession
from rules import Recommendations
from ui.state import ensure_appraisal, get_session
from ui.steps import load_steps
from ui.text import plain

if TYPE_CHECKING:
    import altair as alt

__all__ = ["STEP_KEY", "cached_chart", "go_to", "lazy_expander", "lazy_tabs", "model_key",
           "need_area",
           "next_button", "plain", "rebuild_button", "render_question", "synthetic_banner"]

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


def lazy_tabs(sections: dict[str, Callable[[], None]], key: str) -> str:
    """Tabs of which only the open one is drawn: ``sections`` maps each tab's label to what
    draws it; returns the open tab's label.

    Plain ``st.tabs`` runs and sends every tab, and the browser draws every chart and grid in
    the hidden ones too: on the full national demo the profile page drew 7 charts and 5 grids
    for the one tab on show (issue 14). With ``on_change="rerun"`` a click on another tab is a
    rerun that draws that tab; ``st.session_state[key]`` holds the open tab's label (tests
    set it to open a tab). Every tab's label stays on screen, so the page still says what is
    behind each."""
    tabs = st.tabs(list(sections), key=key, on_change="rerun")
    open_ = [tab.open for tab in tabs]
    if not any(open_):  # no state tracked (cannot happen with on_change): draw them all
        open_ = [True] * len(tabs)
    shown = ""
    for (label, draw), tab, is_open in zip(sections.items(), tabs, open_, strict=True):
        if is_open:
            with tab:
                draw()
            shown = shown or label
    return shown


def lazy_expander(label: str, key: str, draw: Callable[[], None]) -> None:
    """An expander whose content is run and sent only while it is open (closed to start).

    A closed ``st.expander`` still carries everything inside it to the browser, which builds
    it all: the interventions page's "why" blocks were 5,000 page elements, the findings'
    details a text box, a note box and a code block each (issue 14). Opening it is a rerun
    that draws the content (``on_change="rerun"``); ``st.session_state[key]`` says whether
    it is open (tests set it to True). The label is always shown, so the page still says
    what is inside."""
    box = st.expander(label, key=key, on_change="rerun")
    if box.open:
        with box:
            draw()


def advice_block(recs: Recommendations) -> None:
    """What a fired rule advises beyond the list (e.g. "advanced manufacturing is not a priority
    here"): shown whenever the rule fired, even when its own interventions scored under the
    floor and so are not in the list (the candidate interventions and policy mix pages)."""
    for text in recs.advice:
        st.info(f"**What the evidence advises.** {plain(text)}")


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


def model_key(model: BaseModel) -> str:
    """A short digest of a model's JSON (a profile: well under a millisecond): the cache key of
    what is drawn from it, so a changed profile (findings, comparators, period) is redrawn."""
    return hashlib.sha1(model.model_dump_json().encode("utf-8")).hexdigest()


_DEFAULT_THEME_VIEW = {"continuousWidth": 300, "continuousHeight": 300}
"""What Altair's default theme adds to every spec (and :data:`evidence.chart_specs.CONFIG`
writes, as Altair did); ``st.altair_chart`` draws without it (theme "none") and so do we, so a
cached chart looks exactly as it did."""

ChartBuilder = Callable[[], "dict[str, Any] | alt.TopLevelMixin"]
"""What draws a chart: a Vega-Lite spec as a plain dict (the profile's charts,
:mod:`evidence.chart_specs`) or an Altair chart (the appraisal, mix and workshop pages')."""


@st.cache_data(max_entries=256, show_spinner=False)
def _chart_spec(key: tuple[Hashable, ...], _build: ChartBuilder) -> dict[str, Any]:
    del key  # the cache key only
    chart = _build()
    spec = dict(chart) if isinstance(chart, dict) else chart.to_dict()
    config = dict(spec.get("config", {}))
    view = {name: value for name, value in config.get("view", {}).items()
            if _DEFAULT_THEME_VIEW.get(name) != value}
    config.pop("view", None)
    if view:
        config["view"] = view
    spec.pop("config", None)
    if config:
        spec["config"] = config
    return spec


def cached_chart(key: tuple[Hashable, ...], build: ChartBuilder,
                 width: Literal["stretch", "content"] = "stretch") -> None:
    """Draw a chart, building its Vega-Lite spec once per ``key``: ``build`` returns the spec
    as a plain dict or an Altair chart (whose spec is then validated, once).

    Building a chart and Altair's JSON-schema validation of its spec took ~180 ms of the
    profile page's ~220 ms script run, on every rerun; the spec of the same key is the same
    chart. ``key`` must name everything the chart is drawn from (a :func:`model_key` and the
    chart's own choices); ``width`` as in ``st.altair_chart``. This module does not import
    Altair: the profile page's charts are plain dicts."""
    try:
        spec = _chart_spec(key, build)
    except Exception as exc:
        # Altair refuses to inline more than 5,000 rows (only an Altair chart raises this, so
        # Altair is loaded by then; the plain dicts have no limit): Streamlit's own path has none
        import altair as alt

        if not isinstance(exc, alt.MaxRowsError):
            raise
        st.altair_chart(build(), width=width)  # type: ignore[arg-type]
        return
    st.vega_lite_chart(spec, width=width)
