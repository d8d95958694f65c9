"""Step 7: the policy mix - balance, alignment with national programmes, complementarity, niches."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from evidence.charts import FIT_WIDTH, LABEL_LIMIT_PX, rows_height
from policy import walkthrough
from policy.appraisal import AppraisalState, Option
from policy.catalogue import ACTOR_LABELS, Intervention, load_catalogue
from policy.labels import in_words, label, sentence, word
from policy.mix import diagnostic_text, mix_report
from ui.state import (
    ensure_appraisal,
    get_session,
    session_memo,
    session_profile,
    session_recommendations,
)
from ui.widgets import (
    advice_block,
    cached_chart,
    go_to,
    need_area,
    next_button,
    rebuild_button,
)

MIX_OPTION_KEY = "mix_option"
"""Session-state key of the package the checks are run on."""
PACKAGE_KEY = "mix_package"
"""Session-state key of the chosen interventions' package id when the page was last drawn."""


def pick_option(chosen: list[Intervention], state: AppraisalState) -> Option:
    """The package to check: the interventions chosen at step 5 as one package (the default,
    the same one the report checks: :func:`policy.walkthrough.chosen_option`), or one of the
    appraisal options of step 8, named and explained here because the user meets them only
    at the next step."""
    package = walkthrough.chosen_option(chosen, state)
    options = {package.id: package}
    options.update({o.id: o for o in state.options if not o.is_baseline})
    if len(options) > 1:
        st.caption("The checks run on the interventions you chose, as one package. The next "
                   "step, option appraisal, compares options: the same interventions at "
                   "lighter or fuller budgets, or only one kind of measure. You can check one "
                   "of those options here too.")
    first = "The chosen interventions"
    if package.id != walkthrough.CHOSEN_MIX_ID:  # an option holds exactly them: its budgets
        first += f" (budgets of the {package.name} option)"
    # a new choice of interventions starts again from them (and a pick no longer there goes)
    if (st.session_state.get(PACKAGE_KEY) != package.id
            or st.session_state.get(MIX_OPTION_KEY) not in options):
        st.session_state.pop(MIX_OPTION_KEY, None)
    st.session_state[PACKAGE_KEY] = package.id
    pick = st.radio("Package to check", list(options), horizontal=True, key=MIX_OPTION_KEY,
                    format_func=lambda i: first if i == package.id
                    else f"Option: {options[i].name}")
    return options[pick]


def render() -> None:
    if need_area():
        return
    session = get_session()
    if not ensure_appraisal(session):
        return
    state = session.appraisal
    catalogue = load_catalogue()
    recs = session_recommendations(session)
    chosen = [catalogue[i] for i in (walkthrough.chosen_interventions(
        session, recs, catalogue).ids if recs is not None else [])]  # ids: catalogue's only
    if not chosen:
        st.info("No interventions chosen yet: choose interventions first.")
        st.button("Go to candidate interventions", on_click=go_to, args=("interventions",))
        return
    option = pick_option(chosen, state)
    profile = session_profile(session)
    if recs is not None:  # always so here (no recommendations: nothing chosen, returned)
        advice_block(recs)
    impacts = session.answers.get("intended_impacts") or None
    # the checks walk the merged causal chains (networkx): kept while nothing they read changes
    inputs = (option.model_dump_json(), state.model_dump_json(), impacts)
    report = session_memo("mix report", profile, inputs,
                          lambda: mix_report(option, catalogue, profile, state,
                                             intended_impacts=impacts))
    bal = report.balance
    st.subheader("Balance of horizontal, vertical and mission-oriented measures")
    frame = pd.DataFrame({"target type": [label("target_type", k) for k in bal.budget_gbp_m],
                          "budget GBP m": list(bal.budget_gbp_m.values()),
                          "share": [bal.budget_shares[k] for k in bal.budget_gbp_m],
                          "interventions": [bal.counts[k] for k in bal.budget_gbp_m]})
    title = (f"{option.name}: budget by target type (of GBP {bal.total_budget_gbp_m:,.1f}m; "
             f"{bal.budget_basis})")
    cached_chart(("mix balance", frame.to_json(), title), lambda: alt.Chart(
        frame, title=title).mark_bar().encode(
        x=alt.X("share:Q", axis=alt.Axis(format="%"), title="share of budget"),
        y=alt.Y("target type:N", title=None, axis=alt.Axis(labelLimit=LABEL_LIMIT_PX)),
        tooltip=["target type", "budget GBP m", alt.Tooltip("share:Q", format=".0%"),
                 "interventions"]).properties(autosize=FIT_WIDTH, height=rows_height(len(frame))),
        width="stretch")
    st.info(sentence(in_words(bal.judgement)))
    st.subheader("Alignment and coordination with national programmes")
    st.dataframe(pd.DataFrame([{"programme": p, "interventions": ", ".join(
        catalogue[i].name for i in ids if i in catalogue)}
        for p, ids in report.alignment.by_programme.items()]),
        hide_index=True, width="stretch")
    st.caption(sentence(in_words(report.alignment.judgement)))
    align = report.alignment
    st.markdown("**In or near the area**")
    st.caption(align.place)
    if align.presence:
        st.dataframe(pd.DataFrame([{
            "programme": p.name, "kind": word(p.kind), "where": p.where_text,
            "km": p.distance_km, "source": p.source, "as of": p.as_of, "to check": p.to_check}
            for p in align.presence]), hide_index=True, width="stretch")
    for flag in align.flags:
        st.warning(in_words(flag.message))
    st.markdown("**Who leads, who partners, and what to co-ordinate with**")
    st.dataframe(pd.DataFrame([{
        "intervention": catalogue[i].name,
        "lead": ", ".join(ACTOR_LABELS[a] for a in d.lead) if (d := catalogue[i].delivery)
        else "not stated",
        "partners": ", ".join(ACTOR_LABELS[a] for a in d.partners) if d else "",
        "co-ordinate with": "; ".join(align.coordinate.get(i, [])) or "-"}
        for i in align.by_intervention if i in catalogue]), hide_index=True, width="stretch")
    st.subheader("Complementarity and gaps (from the merged causal chains)")
    comp = report.complementarity
    st.write(sentence(in_words(comp.judgement)))
    if comp.shared_outcomes:
        st.dataframe(pd.DataFrame([{"shared outcome": word(o), "interventions": ", ".join(
            catalogue[i].name for i in ids if i in catalogue)}
            for o, ids in comp.shared_outcomes.items()]), hide_index=True, width="stretch")
    for gap in comp.gaps:
        st.warning(diagnostic_text(gap, catalogue))
    st.subheader("Risk of focusing resources on small niches")
    niche = report.niche_risk
    if niche.share is not None:
        st.metric("Budget share on niche sectors", f"{niche.share:.0%}",
                  help=f"GBP {niche.niche_budget_gbp_m:,.1f}m of {niche.total_budget_gbp_m:,.1f}m: "
                       "the part of the vertical measures' budgets aimed at sectors under "
                       f"{niche.threshold:.0%} of local jobs or resting on a handful of jobs, "
                       "each sector judged on its own and each measure's budget split equally "
                       "between the sectors it backs")
    st.write(sentence(in_words(niche.judgement)))
    text = st.text_area("Mitigation or justification", value=state.niche_mitigation,
                        key="niche_mitigation",
                        placeholder="e.g. the niche is a national asset; the budget is staged "
                                    "and reviewed after year 2")
    if text != state.niche_mitigation:
        state.niche_mitigation = text
    rebuild_button(session)
    next_button("mix", "Next: option appraisal")
