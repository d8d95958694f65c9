"""Step 8: option appraisal - options, weights, scores, cost-benefit inputs and sensitivity.

Multi-criteria scoring follows the DCLG (2009) MCA manual; costs and benefits are discounted as
the Green Book (2022) does it. Everything the user types lands in the session's AppraisalState,
and the results are recomputed on every rerun (they take milliseconds).
"""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from policy.appraisal import (
    OPTIMISM_BIAS_TABLE,
    Additionality,
    AppraisalResults,
    AppraisalState,
    CashflowLine,
    CriticalSuccessFactor,
    OptionCba,
    SpendingObjective,
    run_appraisal,
)
from policy.catalogue import load_catalogue
from ui.state import ensure_appraisal, get_session
from ui.widgets import go_to, need_area, rebuild_button


def objectives_tab(state: AppraisalState) -> None:
    """Spending objectives and critical success factors (Green Book 2022, chapter 4)."""
    st.caption("Spending objectives say what success means, each with a measure and a target; "
               "critical success factors are the tests every option must pass to stay on the "
               "short list. Add rows at the bottom; edit any cell.")
    objectives = st.data_editor(
        pd.DataFrame([o.model_dump() for o in state.spending_objectives]
                     or [{"id": "", "statement": "", "measure": "", "target": ""}]),
        num_rows="dynamic", hide_index=True, width="stretch", key="objectives_editor",
        column_config={"id": None})
    kept = []
    for i, row in enumerate(objectives.fillna("").itertuples(index=False), start=1):
        if str(row.statement).strip():
            kept.append(SpendingObjective(id=str(row.id) or f"SO{i}",
                                          statement=str(row.statement).strip(),
                                          measure=str(row.measure), target=str(row.target)))
    state.spending_objectives = kept
    csfs = st.data_editor(
        pd.DataFrame([c.model_dump() for c in state.critical_success_factors]
                     or [{"id": "", "label": "", "description": ""}]),
        num_rows="dynamic", hide_index=True, width="stretch", key="csf_editor",
        column_config={"id": None})
    state.critical_success_factors = [
        CriticalSuccessFactor(id=str(row.id) or f"CSF{i}", label=str(row.label).strip(),
                              description=str(row.description))
        for i, row in enumerate(csfs.fillna("").itertuples(index=False), start=1)
        if str(row.label).strip()
    ]


def options_tab(state: AppraisalState) -> None:
    catalogue = load_catalogue()
    rows = []
    for o in state.options:
        for item in o.interventions or [None]:
            rows.append({
                "option": o.name, "option_id": o.id,
                "intervention": catalogue[item.intervention_id].name
                if item and item.intervention_id in catalogue else "(business as usual)",
                "intervention_id": item.intervention_id if item else "",
                "budget GBP m": item.budget_gbp_m if item else 0.0,
                "start year": item.start_year_offset if item else 0,
                "years": item.duration_years if item else 0,
            })
    st.caption("Budgets and phasing per intervention (GBP million, year 0 = first year of "
               "spend). Edit the numbers; the cost streams follow.")
    edited = st.data_editor(
        pd.DataFrame(rows), hide_index=True, width="stretch", key="budget_editor",
        disabled=["option", "intervention"],
        column_config={"option_id": None, "intervention_id": None,
                       "budget GBP m": st.column_config.NumberColumn(min_value=0.0, step=0.1),
                       "start year": st.column_config.NumberColumn(min_value=0, step=1),
                       "years": st.column_config.NumberColumn(min_value=1, step=1)})
    for row in edited.itertuples(index=False):
        if not row.intervention_id:
            continue
        for item in state.option(row.option_id).interventions:
            if item.intervention_id == row.intervention_id:
                item.budget_gbp_m = float(row[4])
                item.start_year_offset = int(row[5])
                item.duration_years = max(1, int(row[6]))
    st.markdown("**Short list**: drop options that fail a critical success factor "
                "(the baseline always stays).")
    for o in state.options:
        if o.is_baseline:
            continue
        reason = st.text_input(f"Reason to drop '{o.name}' (leave empty to keep)",
                               value=state.dropped.get(o.id, ""), key=f"drop_{o.id}")
        if reason.strip():
            state.dropped[o.id] = reason.strip()
        else:
            state.dropped.pop(o.id, None)


def weights_tab(state: AppraisalState) -> None:
    st.caption("Swing weights (0-100): how much the swing from worst to best on each criterion "
               "matters, compared with the others. They are normalised to sum to 1.")
    for c in state.criteria:
        value = st.slider(c.label, 0, 100, int(round(state.swing_weights.get(c.id, 50))),
                          key=f"w_{c.id}", help=c.description or None)
        state.swing_weights[c.id] = float(value)


def scores_tab(state: AppraisalState) -> None:
    st.caption("Scores 0-100 (higher is better; for risk, higher means less risky). Defaults "
               "are derived from the evidence and catalogue; each says how. Edit score and "
               "rationale as the room agrees.")
    names = {o.id: o.name for o in state.options}
    labels = {c.id: c.label for c in state.criteria}
    frame = pd.DataFrame([{"option": names.get(s.option_id, s.option_id),
                           "criterion": labels.get(s.criterion_id, s.criterion_id),
                           "score": s.value, "rationale": s.rationale,
                           "option_id": s.option_id, "criterion_id": s.criterion_id}
                          for s in state.scores])
    edited = st.data_editor(frame, hide_index=True, width="stretch", key="score_editor",
                            disabled=["option", "criterion"],
                            column_config={"option_id": None, "criterion_id": None,
                                           "score": st.column_config.NumberColumn(
                                               min_value=0, max_value=100, step=1)})
    for row in edited.itertuples(index=False):
        state.set_score(row.option_id, row.criterion_id, float(row.score), str(row.rationale))


def cba_tab(state: AppraisalState, results: AppraisalResults) -> None:
    kept = [o for o in state.options if o.id in results.kept and not o.is_baseline]
    if not kept:
        st.info("No short-listed option with interventions.")
        return
    pick = st.selectbox("Option", [o.id for o in kept], key="cba_option",
                        format_func=lambda i: state.option(i).name)
    cba = state.cba.get(pick)
    if cba is None:
        cba = state.cba.setdefault(pick, OptionCba())
    st.markdown("**Benefits** (GBP million a year, gross, before additionality). The tool never "
                "invents benefits: enter your estimates, e.g. GVA from jobs created x GVA per "
                "job, with the source in the label.")
    lines = pd.DataFrame([{"label": line.label, "year": y, "amount GBP m": a}
                          for line in cba.benefit_lines for y, a in sorted(line.amounts.items())]
                         or [{"label": "", "year": 0, "amount GBP m": 0.0}])
    edited = st.data_editor(lines, num_rows="dynamic", hide_index=True, width="stretch",
                            key=f"benefits_{pick}",
                            column_config={"year": st.column_config.NumberColumn(
                                min_value=0, max_value=75, step=1),
                                "amount GBP m": st.column_config.NumberColumn(min_value=0.0)})
    new_lines: dict[str, dict[int, float]] = {}
    for row in edited.dropna(subset=["label"]).itertuples(index=False):
        amount = row[2]
        if str(row.label).strip() and pd.notna(row.year) and pd.notna(amount) and amount > 0:
            new_lines.setdefault(str(row.label).strip(), {})[int(row.year)] = float(amount)
    cba.benefit_lines = [CashflowLine(label=k, kind="benefit", amounts=v)
                         for k, v in new_lines.items()]
    c1, c2, c3, c4 = st.columns(4)
    add = cba.additionality
    dead = c1.slider("Deadweight", 0.0, 0.95, float(add.deadweight), 0.05, key=f"dw_{pick}")
    disp = c2.slider("Displacement", 0.0, 0.95, float(add.displacement), 0.05, key=f"dp_{pick}")
    leak = c3.slider("Leakage", 0.0, 0.95, float(add.leakage), 0.05, key=f"lk_{pick}")
    subs = c4.slider("Substitution", 0.0, 0.95, float(add.substitution), 0.05, key=f"sb_{pick}")
    cba.additionality = Additionality(deadweight=dead, displacement=disp, leakage=leak,
                                      substitution=subs, multiplier=add.multiplier)
    types = list(OPTIMISM_BIAS_TABLE)
    cba.project_type = st.selectbox("Project type for optimism bias", types,
                                    index=types.index(cba.project_type)
                                    if cba.project_type in types else 0,
                                    key=f"ob_type_{pick}")
    ob = st.number_input("Optimism bias uplift on costs, % (empty = the guidance's upper "
                         "bound for the project type)", min_value=0.0, max_value=500.0,
                         value=cba.optimism_bias_pct, key=f"ob_{pick}")
    cba.optimism_bias_pct = ob
    result = run_appraisal(state).cba.get(pick)
    if result is None:
        st.info("No cost or benefit lines for this option yet.")
        return
    m = st.columns(4)
    m[0].metric("PV costs (GBP m)", f"{result.pv_costs:,.2f}",
                help=f"incl. optimism bias {result.optimism_bias_pct:.0f}%")
    m[1].metric("PV benefits (GBP m)", f"{result.pv_benefits:,.2f}",
                help=f"net additional: x{result.additionality_factor:.3f}")
    m[2].metric("NPV (GBP m)", f"{result.npv:,.2f}")
    m[3].metric("BCR", "-" if result.bcr is None else f"{result.bcr:.2f}")
    sv = result.switching
    st.caption("Switching values: benefits would have to change by "
               + ("-" if sv.benefits_pct is None else f"{sv.benefits_pct:+.0f}%")
               + ", or costs by " + ("-" if sv.costs_pct is None else f"{sv.costs_pct:+.0f}%")
               + ", for the NPV to reach zero. Discounted at the Green Book social time "
                 "preference rate (3.5% to year 30, 3.0% years 31-75).")
    if not cba.benefits_entered:
        st.warning("No benefits entered: this option shows costs only.")
    yearly = result.to_frame() if hasattr(result, "to_frame") else pd.DataFrame()
    if len(yearly):
        long = yearly.melt(id_vars=["year"], value_vars=["pv_cost", "pv_benefit"],
                           var_name="stream", value_name="GBP m")
        st.altair_chart(alt.Chart(long, title="Discounted costs and benefits by year "
                                  "(GBP m, present values)").mark_bar().encode(
            x="year:O", y="GBP m:Q", color="stream:N", xOffset="stream:N"), width="stretch")
        st.dataframe(yearly, hide_index=True, width="stretch")


def results_tab(state: AppraisalState, results: AppraisalResults) -> None:
    for p in results.problems:
        st.error(p)
    for w in results.warnings:
        st.warning(w)
    if results.mcda is None:
        return
    names = {o.id: o.name for o in state.options}
    labels = {c.id: c.label for c in state.criteria}
    contrib = pd.DataFrame([{"option": names[r.option_id], "criterion": labels.get(c, c),
                             "points": v} for r in results.mcda.rows
                            for c, v in r.contributions.items()])
    st.altair_chart(alt.Chart(contrib, title="Weighted scores (0-100) by option, stacked by "
                              "criterion").mark_bar().encode(
        x=alt.X("points:Q", title="weighted score"), y=alt.Y("option:N", sort="-x", title=None),
        color=alt.Color("criterion:N", legend=alt.Legend(labelLimit=320)),
        tooltip=["option", "criterion", alt.Tooltip("points:Q",
                                                                        format=".1f")]),
        width="stretch")
    st.dataframe(pd.DataFrame([{"rank": r.rank, "option": names[r.option_id],
                                "weighted score": round(r.total, 1)}
                               for r in sorted(results.mcda.rows, key=lambda r: r.rank)]),
                 hide_index=True, width="stretch")
    st.subheader("Sensitivity")
    st.caption("How far each weight can move (others rescaled) before the top option changes.")
    never = "no change"
    st.dataframe(pd.DataFrame([{
        "criterion": labels.get(t.criterion_id, t.criterion_id),
        "weight now": round(t.weight, 3),
        "top changes below": never if t.lower is None else f"{t.lower:.3f}",
        "to": names.get(t.top_below or "", t.top_below) or "",
        "top changes above": never if t.upper is None else f"{t.upper:.3f}",
        "to ": names.get(t.top_above or "", t.top_above) or "",
    } for t in results.thresholds]), hide_index=True, width="stretch")
    if results.thresholds:
        top = names.get(results.thresholds[0].top_option, results.thresholds[0].top_option)
        band = pd.DataFrame([{
            "criterion": labels.get(t.criterion_id, t.criterion_id),
            "from": t.lower if t.lower is not None else 0.0,
            "to": t.upper if t.upper is not None else 1.0,
            "weight now": t.weight,
        } for t in results.thresholds])
        base = alt.Chart(band, title=f"Weight ranges over which '{top}' stays top "
                         "(others rescaled; dot = weight now)")
        st.altair_chart(alt.layer(
            base.mark_bar(opacity=0.35, height=14).encode(
                x=alt.X("from:Q", title="normalised weight", scale=alt.Scale(domain=[0, 1])),
                x2="to:Q", y=alt.Y("criterion:N", title=None, axis=alt.Axis(labelLimit=260)),
                tooltip=["criterion", alt.Tooltip("from:Q", format=".2f"),
                         alt.Tooltip("to:Q", format=".2f"),
                         alt.Tooltip("weight now:Q", format=".2f")]),
            base.mark_point(filled=True, size=80, color="black").encode(
                x="weight now:Q", y="criterion:N"),
        ), width="stretch")
    if results.stability is not None:
        stab = results.stability
        frame = pd.DataFrame({"option": [names[o] for o in stab.p_first],
                              "P(ranked first)": list(stab.p_first.values())})
        st.altair_chart(alt.Chart(frame, title=(
            f"Rank stability: {stab.n_draws:,} random weight sets around yours "
            f"(Dirichlet, concentration {stab.concentration:g})")).mark_bar().encode(
            x=alt.X("P(ranked first):Q", axis=alt.Axis(format="%")),
            y=alt.Y("option:N", sort="-x", title=None)), width="stretch")


def render() -> None:
    if need_area():
        return
    session = get_session()
    if not ensure_appraisal(session):
        return
    state = session.appraisal
    tabs = st.tabs(["Options", "Weights", "Scores", "Cost-benefit", "Results and sensitivity",
                    "Objectives and success factors"])
    with tabs[0]:
        options_tab(state)
    with tabs[1]:
        weights_tab(state)
    with tabs[2]:
        scores_tab(state)
    results = run_appraisal(state)
    with tabs[3]:
        cba_tab(state, results)
    with tabs[4]:
        results_tab(state, run_appraisal(state))
    with tabs[5]:
        objectives_tab(state)
    rebuild_button(session)
    st.button("Next: export the appraisal", on_click=go_to, args=("export",), type="primary")
