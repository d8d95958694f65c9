"""Step 6: aims and causal chains - each chosen intervention, and the merged policy mix."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from policy.catalogue import (
    Intervention,
    MixDiagnostics,
    chain_graph,
    load_catalogue,
    merge_chains,
    mix_diagnostics,
    stage_views,
    to_dot,
)
from policy.labels import word
from policy.mix import diagnostic_text, node_labels
from policy.questions import propose, questions_for
from ui.state import get_session, session_profile, session_recommendations
from ui.widgets import go_to, lazy_expander, lazy_tabs, need_area, next_button, render_question

TAB_KEY = "causal_tab"
"""Session-state key of the open tab (only its content is drawn: :func:`ui.widgets.lazy_tabs`)."""


@st.cache_data(max_entries=64, show_spinner=False)
def merged_dot(ids: tuple[str, ...], title: str) -> str:
    catalogue = load_catalogue()
    return to_dot(merge_chains([catalogue[i] for i in ids]), title=title)


@st.cache_data(max_entries=64, show_spinner=False)
def merged_parts(ids: tuple[str, ...]) -> list[tuple[str, str]]:
    """The merged chain a stage at a time (title, DOT): readable at the page's width."""
    catalogue = load_catalogue()
    names = {i: catalogue[i].name for i in ids}
    return [(title, to_dot(part, title=title, names=names, wrap=None, ranksep=0.35))
            for title, part in stage_views(merge_chains([catalogue[i] for i in ids]))]


@st.cache_data(max_entries=64, show_spinner=False)
def chain_dot(iid: str) -> str:
    item = load_catalogue()[iid]
    return to_dot(chain_graph(item), title=item.name)


def mix_tab(chosen: list[str]) -> None:
    st.caption("The chosen interventions' chains joined into one, shown a stage at a time "
               "so the text stays readable: inputs, activities, outputs, outcomes, "
               "impacts. Shared outcomes and impacts are one box: where several "
               "interventions meet, they complement each other.")
    for _title, dot in merged_parts(tuple(chosen)):
        st.graphviz_chart(dot, width="content")
    lazy_expander("The whole mix in one picture (small text; zoom in to read it)", "whole_mix",
                  lambda: st.graphviz_chart(merged_dot(tuple(chosen), "Policy mix"),
                                            width="stretch"))


def each_tab(chosen: list[str], catalogue: dict[str, Intervention]) -> None:
    pick = st.selectbox("Intervention", chosen, format_func=lambda i: catalogue[i].name,
                        key="chain_pick")
    st.graphviz_chart(chain_dot(pick), width="stretch")
    item = catalogue[pick]
    names = {n.id: n.label for n in item.causal_chain.nodes}
    edges = [{"from": names.get(e.source, word(e.source)),
              "to": names.get(e.target, word(e.target)), "assumption": e.assumption}
             for e in item.causal_chain.edges]
    st.dataframe(pd.DataFrame(edges), hide_index=True, width="stretch")


def checks_tab(diag: MixDiagnostics, catalogue: dict[str, Intervention]) -> None:
    labels = node_labels(catalogue)
    st.markdown("**Intended impacts and how they are reached**")
    st.dataframe(pd.DataFrame([{
        "impact": labels.get(c.impact, c.impact),
        "independent pathways": c.pathways,
        "interventions": ", ".join(catalogue[i].name for i in c.interventions
                                   if i in catalogue),
        "single point of failure": ", ".join(labels.get(b, b) for b in c.bottleneck),
    } for c in diag.coverage]), hide_index=True, width="stretch")
    for gap in diag.gaps:
        st.warning(diagnostic_text(gap, catalogue))
    for comp in diag.complementarities:
        st.success(diagnostic_text(comp, catalogue))
    for ov in diag.overlaps:
        st.info(diagnostic_text(ov, catalogue))


def render() -> None:
    if need_area():
        return
    session = get_session()
    profile = session_profile(session)
    recs = session_recommendations(session)
    catalogue = load_catalogue()
    for q in questions_for("aims"):
        render_question(q, propose(q, profile, session.findings, recs, catalogue,
                                   session.chosen_interventions))
    chosen = [i for i in session.chosen_interventions if i in catalogue]
    if not chosen:
        st.info("Choose at least one intervention to draw its causal chain.")
        st.button("Go to candidate interventions", on_click=go_to, args=("interventions",))
        return
    impacts = session.answers.get("intended_impacts") or None
    lazy_tabs({"The policy mix": lambda: mix_tab(chosen),
               "Each intervention": lambda: each_tab(chosen, catalogue),
               "Gaps and overlaps": lambda: checks_tab(mix_diagnostics(
                   merge_chains([catalogue[i] for i in chosen]), intended_impacts=impacts),
                   catalogue)}, key=TAB_KEY)
    next_button("causal", "Next: policy mix and appraisal")
