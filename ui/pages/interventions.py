"""Step 5: candidate interventions - why and why not, and the user's choice and order."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from policy.catalogue import Intervention, load_catalogue
from rules.results import Recommendation, Recommendations
from ui.state import get_session, session_recommendations
from ui.widgets import go_to, need_area

DEFAULT_CHOSEN = 5


def choice_table(recs: Recommendations, catalogue: dict[str, Intervention],
                 chosen: list[str]) -> pd.DataFrame:
    """One row per catalogue intervention: recommended ones first, in rank order."""
    scores = {r.intervention: r.score for r in recs.recommended}
    order = recs.ids() + sorted(i for i in catalogue if i not in scores)
    rows = []
    for iid in order:
        item = catalogue[iid]
        rows.append({
            "Choose": iid in chosen,
            "Priority": chosen.index(iid) + 1 if iid in chosen else None,
            "Intervention": item.name,
            "Rule score": scores.get(iid),
            "Target": item.target_type,
            "Cost GBP m": f"{item.cost.low_gbp_m:g}-{item.cost.high_gbp_m:g} "
                          f"({item.cost.basis.replace('_', ' ')})",
            "Years to impact": f"{item.time_to_impact_years.low}-"
                               f"{item.time_to_impact_years.high}",
            "Evidence": item.evidence.strength,
            "id": iid,
        })
    frame = pd.DataFrame(rows)
    frame["Priority"] = frame["Priority"].astype("Int64")  # blank, not "None", when unchosen
    return frame


def apply_choice(edited: pd.DataFrame) -> list[str]:
    """Chosen ids ordered by the user's priority (ties and blanks keep table order)."""
    picked = edited[edited["Choose"]].copy()
    picked["_row"] = range(len(picked))
    picked["_prio"] = picked["Priority"].fillna(10_000)
    return list(picked.sort_values(["_prio", "_row"])["id"])


def why_block(rec: Recommendation, catalogue: dict[str, Intervention]) -> None:
    item = catalogue.get(rec.intervention)
    title = item.name if item else rec.intervention
    with st.expander(f"Why {title}? (score {rec.score:.2f}; "
                     f"{', '.join(r.replace('_', ' ') for r in rec.rationales)})"):
        for fired in rec.trace:
            st.markdown(f"**{fired.title}** (`{fired.rule}`, rationale: "
                        f"{fired.rationale.replace('_', ' ')})  \n{fired.why}")
            st.dataframe(pd.DataFrame([{
                "test": c.path, "op": c.op, "actual": c.actual, "threshold": c.threshold,
                "result": c.result, "findings": ", ".join(c.findings), "note": c.note or "",
            } for c in fired.conditions]), hide_index=True, width="stretch")
        if item is not None:
            st.caption(f"Evidence ({item.evidence.strength}): {item.evidence.note}")


def render() -> None:
    if need_area():
        return
    session = get_session()
    recs = session_recommendations(session)
    if recs is None:
        return
    catalogue = load_catalogue()
    if not session.chosen_interventions and "interventions_initialised" not in session.answers:
        session.chosen_interventions = recs.ids()[:DEFAULT_CHOSEN]
        session.answers["interventions_initialised"] = True
    st.caption(f"{len(recs.recommended)} of {len(catalogue)} interventions have support from at "
               "least one rule on this area's evidence, ranked by the strength of that support "
               "(the top five are chosen to start with). Tick to choose, untick to drop, and "
               "number the priority to reorder. You may add interventions the rules did not "
               "pick.")
    table = choice_table(recs, catalogue, session.chosen_interventions)
    edited = st.data_editor(
        table, hide_index=True, width="stretch", key="choice_editor",
        disabled=[c for c in table.columns if c not in ("Choose", "Priority")],
        column_config={
            "id": None,
            "Priority": st.column_config.NumberColumn(min_value=1, step=1),
            "Rule score": st.column_config.NumberColumn(format="%.2f"),
        },
    )
    chosen = apply_choice(edited)
    if chosen != session.chosen_interventions:
        session.chosen_interventions = chosen
        session.dropped_interventions = [i for i in recs.ids() if i not in chosen]
    names = [catalogue[i].name for i in session.chosen_interventions]
    st.success("Chosen, in order: " + ("; ".join(names) if names else "none yet"))
    tab_why, tab_why_not = st.tabs(["Why recommended", "Why not the others"])
    with tab_why:
        for rec in recs.recommended:
            why_block(rec, catalogue)
    with tab_why_not:
        for nr in recs.not_recommended:
            name = catalogue[nr.intervention].name if nr.intervention in catalogue \
                else nr.intervention
            st.markdown(f"**{name}**")
            for reason in nr.why:
                st.markdown(f"- {reason}")
    st.button("Next: aims and causal chain", on_click=go_to, args=("causal",), type="primary")
