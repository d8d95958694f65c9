"""Step 8: option appraisal - options, weights, scores, cost-benefit, sensitivity and the
monitoring and evaluation plan.

Multi-criteria scoring follows the DCLG (2009) MCA manual (swing weights shown against each
criterion's worst and best option; unscored criteria left out and named); costs and benefits
follow the Green Book (2022): optimism bias by type of spend with its category and basis beside
the result, cited additionality benchmarks (HCA 2014), BCR on public cost and its DfT / DLUHC
value-for-money category. The evaluation plan follows the Magenta Book (2020). Everything the
user types lands in the session's AppraisalState; a widget writes only when its value changes,
so an untouched page leaves the default appraisal exactly as the report uses it.
"""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from evidence.charts import FIT_WIDTH, rows_height
from policy import walkthrough
from policy.appraisal import (
    OPTIMISM_BIAS_DEFAULTS,
    OPTIMISM_BIAS_TABLE,
    SPEND_TYPES,
    VFM_CATEGORIES,
    VFM_SCORE_BASIS,
    VFM_SOURCE,
    AppraisalResults,
    AppraisalState,
    BenefitStream,
    CashflowLine,
    CriticalSuccessFactor,
    OptimismBiasChoice,
    OptionCba,
    OptionRule,
    SpendingObjective,
    area_gva_per_job,
    evaluation_plan,
    run_appraisal,
    share_text,
    swing_ranges,
)
from policy.catalogue import load_catalogue
from policy.labels import label
from ui.state import ensure_appraisal, get_session, session_profile, session_recommendations
from ui.widgets import cached_chart, lazy_tabs, need_area, next_button, plain, rebuild_button

BLANK = ""
"""What an empty cell shows (Streamlit's default is the word "None"): an unscored score, a
calendar year not set, a stream's unused amount are blanks, not a code."""

TAB_KEY = "appraisal_tab"
"""Session-state key of the open tab (only its content is run: :func:`ui.widgets.lazy_tabs`)."""


def objectives_tab(state: AppraisalState) -> None:
    """Spending objectives and critical success factors (Green Book 2022, chapter 4)."""
    st.caption("Spending objectives say what success means, each with a measure and a target; "
               "critical success factors are the tests every option must pass to stay on the "
               "short list. Add rows at the bottom; edit any cell.")
    objectives = st.data_editor(
        pd.DataFrame([o.model_dump() for o in state.spending_objectives]
                     or [{"id": "", "statement": "", "measure": "", "target": ""}]),
        num_rows="dynamic", hide_index=True, placeholder=BLANK,
        width="stretch", key="objectives_editor",
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
        num_rows="dynamic", hide_index=True, placeholder=BLANK, width="stretch", key="csf_editor",
        column_config={"id": None})
    state.critical_success_factors = [
        CriticalSuccessFactor(id=str(row.id) or f"CSF{i}", label=str(row.label).strip(),
                              description=str(row.description))
        for i, row in enumerate(csfs.fillna("").itertuples(index=False), start=1)
        if str(row.label).strip()
    ]


def options_tab(state: AppraisalState) -> None:
    catalogue = load_catalogue()
    for o in state.options:
        if not o.is_baseline:
            st.markdown(f"**{o.name}**: {o.description}")
    if state.notes:
        st.info(state.notes)
    rows, keys = [], []  # keys: the ids behind each row, kept off the screen, in row order
    for o in state.options:
        for item in o.interventions or [None]:
            keys.append((o.id, item.intervention_id if item else ""))
            rows.append({
                "option": o.name,
                "intervention": catalogue[item.intervention_id].name
                if item and item.intervention_id in catalogue else "(business as usual)",
                "budget GBP m": item.budget_gbp_m if item else 0.0,
                "private GBP m": item.private_gbp_m if item else 0.0,
                "type": item.spend_type if item else "revenue",
                "start year": item.start_year_offset if item else 0,
                "years": item.duration_years if item else 0,
            })
    st.caption("Public budgets, private co-funding and phasing per intervention (GBP million, "
               "year 0 = first year of spend). The type of spend (capital or revenue) sets the "
               "optimism bias category. Edit the numbers; the cost streams follow.")
    edited = st.data_editor(
        pd.DataFrame(rows), hide_index=True, placeholder=BLANK,
        width="stretch", key="budget_editor",
        disabled=["option", "intervention"],
        column_config={"budget GBP m": st.column_config.NumberColumn(min_value=0.0, step=0.1),
                       "private GBP m": st.column_config.NumberColumn(min_value=0.0, step=0.1),
                       "type": st.column_config.SelectboxColumn(options=list(SPEND_TYPES)),
                       "start year": st.column_config.NumberColumn(min_value=0, step=1),
                       "years": st.column_config.NumberColumn(min_value=1, step=1)})
    for (option_id, intervention_id), row in zip(keys, edited.to_dict("records"), strict=True):
        if not intervention_id:
            continue
        for item in state.option(option_id).interventions:
            if item.intervention_id != intervention_id:
                continue
            new = {"budget_gbp_m": float(row["budget GBP m"] or 0.0),
                   "private_gbp_m": float(row["private GBP m"] or 0.0),
                   "spend_type": row["type"] if row["type"] in SPEND_TYPES else item.spend_type,
                   "start_year_offset": int(row["start year"] or 0),
                   "duration_years": max(1, int(row["years"] or 1))}
            for key, value in new.items():
                if getattr(item, key) != value:
                    setattr(item, key, value)
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
    rules_editor(state)


def rules_editor(state: AppraisalState) -> None:
    """The stated rules the options are built by; edit, then rebuild (the button below)."""
    with st.expander("How the options are built (edit the rules, then rebuild)"):
        st.caption("Each option is built from the chosen interventions by a rule: scale (the "
                   "low end, midpoint or high end of the catalogue's cost range), focus (keep "
                   "only horizontal, vertical or mission measures; empty = all) and sequencing "
                   "(measures without strong evidence start this many years later).")
        frame = pd.DataFrame([{"id": r.id, "name": r.name, "scale": r.scale,
                               "focus": ", ".join(r.target_types),
                               "stagger years": r.stagger_years, "enabled": r.enabled,
                               "rule": r.describe()} for r in state.option_rules])
        edited = st.data_editor(frame, hide_index=True, placeholder=BLANK,
                                width="stretch", key="rules_editor",
                                num_rows="dynamic", disabled=["rule"], column_config={
                                    "scale": st.column_config.SelectboxColumn(
                                        options=["low", "mid", "high"])})
        rules = []
        for row in edited.to_dict("records"):
            if not str(row.get("id") or "").strip():
                continue
            focus = [t.strip() for t in str(row.get("focus") or "").split(",") if t.strip()]
            try:
                rules.append(OptionRule(
                    id=str(row["id"]), name=str(row.get("name") or row["id"]),
                    scale=row.get("scale") or "mid", target_types=focus,
                    stagger_years=int(row.get("stagger years") or 0),
                    enabled=bool(row.get("enabled", True))))
            except ValueError as exc:
                st.error(f"Rule '{row['id']}': {exc}")
                return
        if rules != state.option_rules:
            state.option_rules = rules


def weights_tab(state: AppraisalState) -> None:
    st.caption("Swing weighting (DCLG 2009 MCDA manual): for each criterion, how much does the "
               "swing from its worst to its best option matter, compared with the others? Give "
               "the largest swing 100 and the others less. The table shows each swing and the "
               "weights normalised to sum to 1 over the criteria in use.")
    for c in state.criteria:
        value = st.slider(c.label, 0, 100, int(round(state.swing_weights.get(c.id, 50))),
                          key=f"w_{c.id}", help=c.description or None)
        if state.swing_weights.get(c.id) != float(value):
            state.swing_weights[c.id] = float(value)
    names = {o.id: o.name for o in state.options}
    try:
        swing = {r.criterion_id: r for r in swing_ranges(state.mcda_inputs())}
    except ValueError as exc:
        st.warning(f"No swing table yet: {exc}")
        return
    unscored = state.unscored()
    st.dataframe(pd.DataFrame([{
        "criterion": c.label,
        "worst option (score)": f"{names.get(swing[c.id].worst_option)} "
        f"({swing[c.id].worst:.0f})" if c.id in swing else "unscored: not used",
        "best option (score)": f"{names.get(swing[c.id].best_option)} ({swing[c.id].best:.0f})"
        if c.id in swing else f"unscored for {len(unscored.get(c.id, []))} option(s)",
        "swing weight": state.swing_weights.get(c.id),
        "normalised weight": f"{swing[c.id].weight:.1%}" if c.id in swing else "-",
    } for c in state.criteria]), hide_index=True, placeholder=BLANK, width="stretch")


def scores_tab(state: AppraisalState, results: AppraisalResults) -> None:
    st.caption("Scores 0-100 (higher is better; for risk, higher means less risky). Defaults "
               "are given only where the evidence supports one, each saying how; the others "
               "are empty (unscored) and say what would score them. Value for money follows "
               f"each option's cost-benefit result ({VFM_SCORE_BASIS}; {VFM_SOURCE}) until "
               "you type your own. A criterion counts in the totals once every short-listed "
               "option is scored on it.")
    names = {o.id: o.name for o in state.options}
    labels = {c.id: c.label for c in state.criteria}
    shown = results.scores or state.scores  # value for money filled from the CBA
    frame = pd.DataFrame([{"option": names.get(s.option_id, s.option_id),
                           "criterion": labels.get(s.criterion_id, s.criterion_id),
                           "score": s.value,
                           "from": "cost-benefit result" if s.from_cba else "",
                           "rationale": s.rationale}
                          for s in shown])
    if len(frame):
        frame["score"] = pd.to_numeric(frame["score"], errors="coerce").astype("float64")
    keys = [(s.option_id, s.criterion_id) for s in shown]  # row order, off the screen
    edited = st.data_editor(frame, hide_index=True, placeholder=BLANK, width="stretch",
                            key="score_editor", disabled=["option", "criterion", "from"],
                            column_config={"score": st.column_config.NumberColumn(
                                               min_value=0, max_value=100, step=1),
                                           "from": st.column_config.TextColumn(
                                               width="medium")})
    for (option_id, criterion_id), before, row in zip(keys, shown, edited.to_dict("records"),
                                                      strict=True):
        value = None if pd.isna(row["score"]) else float(row["score"])
        if before.value == value and before.rationale == str(row["rationale"]):
            continue  # untouched: a derived score keeps following its source
        state.set_score(option_id, criterion_id, value, str(row["rationale"]))


def _benefit_rows(cba: OptionCba, pick: str) -> None:
    st.markdown("**Benefits by year** (GBP million, gross, before additionality), if you have "
                "them row by row. The tool never invents benefits.")
    lines = pd.DataFrame([{"label": line.label, "year": y, "amount GBP m": a}
                          for line in cba.benefit_lines for y, a in sorted(line.amounts.items())]
                         or [{"label": "", "year": 0, "amount GBP m": 0.0}])
    edited = st.data_editor(lines, num_rows="dynamic", hide_index=True, placeholder=BLANK,
                            width="stretch",
                            key=f"benefits_{pick}",
                            column_config={"year": st.column_config.NumberColumn(
                                min_value=0, max_value=75, step=1),
                                "amount GBP m": st.column_config.NumberColumn(min_value=0.0)})
    new_lines: dict[str, dict[int, float]] = {}
    for row in edited.dropna(subset=["label"]).to_dict("records"):
        amount = row["amount GBP m"]
        if str(row["label"]).strip() and pd.notna(row["year"]) and pd.notna(amount) and amount > 0:
            new_lines.setdefault(str(row["label"]).strip(), {})[int(row["year"])] = float(amount)
    lines_new = [CashflowLine(label=k, kind="benefit", amounts=v) for k, v in new_lines.items()]
    if [(x.label, x.amounts) for x in lines_new] != [(x.label, x.amounts)
                                                     for x in cba.benefit_lines]:
        cba.benefit_lines = lines_new


def _benefit_streams(cba: OptionCba, pick: str, gva_per_job: float | None) -> None:
    hint = (f"the area's GVA per advanced manufacturing job is GBP {gva_per_job:,.1f}k "
            "(ONS GVA / BRES jobs)" if gva_per_job else "no GVA per job in the area's data")
    st.markdown("**Benefit streams**: a start year, a length and an amount a year (GBP m), or "
                f"jobs x GVA per job ({hint}); persistence is the share of the effect left a "
                "year later (1 = no decay; HCA 2014, section 2.6).")
    frame = pd.DataFrame([{"label": b.label, "start year": b.start_year, "years": b.years,
                           "amount GBP m a year": b.amount_gbp_m, "jobs": b.jobs,
                           "GVA per job GBP k": b.gva_per_job_gbp_k,
                           "persistence": b.persistence} for b in cba.benefit_streams]
                         or [{"label": "", "start year": 1, "years": 10,
                              "amount GBP m a year": None, "jobs": None,
                              "GVA per job GBP k": gva_per_job, "persistence": 1.0}])
    frame = frame.astype({"amount GBP m a year": "float64", "jobs": "float64",
                          "GVA per job GBP k": "float64"})
    edited = st.data_editor(frame, num_rows="dynamic", hide_index=True, placeholder=BLANK,
                            width="stretch", key=f"streams_{pick}")
    streams = []
    for row in edited.to_dict("records"):
        if not str(row.get("label") or "").strip():
            continue

        def num(key: str, row: dict = row) -> float | None:
            v = row.get(key)
            return None if v is None or pd.isna(v) else float(v)

        jobs = num("jobs")
        try:
            streams.append(BenefitStream(
                label=str(row["label"]).strip(), start_year=int(num("start year") or 0),
                years=int(num("years") or 1),
                amount_gbp_m=None if jobs is not None else num("amount GBP m a year"),
                jobs=jobs, gva_per_job_gbp_k=num("GVA per job GBP k") if jobs is not None
                else None, persistence=num("persistence") if num("persistence") is not None
                else 1.0))
        except ValueError as exc:
            st.error(f"Stream '{row['label']}': {exc}")
            return
    if streams != cba.benefit_streams:
        cba.benefit_streams = streams


def _additionality(cba: OptionCba, pick: str) -> None:
    st.markdown("**Additionality** (fractions 0-1; net = gross x (1 - deadweight) x (1 - "
                "displacement) x (1 - leakage) x (1 - substitution) x multiplier). Defaults are "
                "benchmarks for the option's intervention types; each says where it came from.")
    add = cba.additionality
    cols = st.columns(5)
    keys = {"deadweight": "dw", "displacement": "dp", "leakage": "lk", "substitution": "sb",
            "multiplier": "mu"}
    changes = {}
    for col, (field, key) in zip(cols, keys.items(), strict=True):
        top = 3.0 if field == "multiplier" else 1.0
        value = col.number_input(field.capitalize(), min_value=0.0 if top == 1.0 else 0.01,
                                 max_value=top, value=float(getattr(add, field)), step=0.01,
                                 format="%.4f", key=f"{key}_{pick}",
                                 help=add.basis.get(field) or None)
        if value != getattr(add, field):
            changes[field] = value
    if changes:
        basis = {**add.basis, **dict.fromkeys(changes, "set by the user")}
        cba.additionality = add.model_copy(update={**changes, "basis": basis})
    st.caption(f"Net-to-gross factor, local: x{cba.additionality.factor():.3f}"
               + (f"; UK level: x{cba.additionality_uk.factor():.3f} (leakage nil, more "
                  "displacement, no multiplier)" if cba.additionality_uk else ""))


def _optimism_bias(cba: OptionCba, pick: str) -> None:
    st.markdown("**Optimism bias by type of spend** (Green Book 2022, chapter 5; HM Treasury "
                "supplementary guidance). Each type starts at the upper bound of its default "
                "category; lower it only as the risks are managed.")
    cats = list(OPTIMISM_BIAS_TABLE)
    for t in SPEND_TYPES:
        default = OPTIMISM_BIAS_DEFAULTS[t]
        choice = cba.optimism_bias.get(t, OptimismBiasChoice())
        c1, c2 = st.columns([2, 1])
        current = choice.category or default.category
        cat = c1.selectbox(f"{t.capitalize()} category", cats, index=cats.index(current),
                           format_func=lambda c: f"{OPTIMISM_BIAS_TABLE[c].label} (upper "
                           f"{OPTIMISM_BIAS_TABLE[c].capex_upper_pct:g}%)",
                           key=f"ob_type_{pick}_{t}", help=default.basis)
        pct = c2.number_input(f"{t.capitalize()} %, empty = upper bound", min_value=0.0,
                              max_value=500.0, value=choice.percent, key=f"ob_{pick}_{t}")
        new = OptimismBiasChoice(category=None if cat == default.category else cat, percent=pct)
        if new != choice:
            if new == OptimismBiasChoice():
                cba.optimism_bias.pop(t, None)
            else:
                cba.optimism_bias[t] = new
    if cba.project_type or cba.optimism_bias_pct is not None:
        st.info("One figure is set for every cost (project type "
                f"{cba.project_type or '-'}, percent {cba.optimism_bias_pct}); it overrides the "
                "choices above.")


def _cba_result(result: object, cba: OptionCba) -> None:
    m = st.columns(5)
    m[0].metric("PV public costs (GBP m)", f"{result.pv_costs:,.2f}",
                help="after optimism bias: " + "; ".join(
                    f"{o.spend_type} {o.percent:g}% ({o.label})"
                    for o in result.optimism_bias_applied))
    m[1].metric("PV private co-funding (GBP m)", f"{result.pv_private_costs:,.2f}")
    m[2].metric("PV benefits (GBP m)", f"{result.pv_benefits:,.2f}",
                help=f"net additional: x{result.additionality_factor:.3f}")
    m[3].metric("NPV (GBP m)", f"{result.npv:,.2f}", help="social NPV: benefits less public "
                "and private costs")
    m[4].metric("BCR", "none yet" if result.bcr is None else f"{result.bcr:.2f}",
                help="PV benefits / PV public costs")
    st.markdown(f"**Value for money:** {result.vfm_statement}")
    for o in result.optimism_bias_applied:
        st.caption(f"Optimism bias on {o.spend_type} costs: {o.percent:g}% ({o.label}). "
                   f"{o.basis}")
    if result.bcr_uk is not None:
        st.caption(f"UK level: PV benefits GBP {result.pv_benefits_uk:,.2f}m, BCR "
                   f"{result.bcr_uk:.2f}.")
    st.caption("Switching values (Green Book 2022, chapter 5). "
               + result.switching.sentence() + " Discounted at the Green Book social time "
               "preference rate (3.5% to year 30, 3.0% years 31-75). VfM bands: "
               + VFM_SOURCE + ".")
    vfm_words = {c.id: c.label for c in VFM_CATEGORIES}
    if result.sensitivity:
        st.dataframe(pd.DataFrame([{"case": c.label, "NPV GBP m": round(c.npv, 2),
                                    "BCR": float("nan") if c.bcr is None else round(c.bcr, 2),
                                    "VfM": vfm_words.get(c.vfm_category or "", "")}
                                   for c in result.sensitivity]),
                     hide_index=True, placeholder=BLANK, width="stretch")
    if not cba.benefits_entered:
        st.warning("No benefits entered: this option shows costs only, and no BCR.")


def cba_tab(state: AppraisalState, results: AppraisalResults,
            gva_per_job: float | None = None) -> None:
    kept = [o for o in state.options if o.id in results.kept and not o.is_baseline]
    if not kept:
        st.info("No short-listed option with interventions.")
        return
    pick = st.selectbox("Option", [o.id for o in kept], key="cba_option",
                        format_func=lambda i: state.option(i).name)
    cba = state.cba.get(pick)
    if cba is None:
        cba = state.cba.setdefault(pick, OptionCba())
    _benefit_streams(cba, pick, gva_per_job)
    _benefit_rows(cba, pick)
    _additionality(cba, pick)
    _optimism_bias(cba, pick)
    result = run_appraisal(state, n_draws=200).cba.get(pick)
    if result is None:
        st.info("No cost or benefit lines for this option yet.")
        return
    _cba_result(result, cba)
    yearly = result.to_frame()
    if len(yearly):
        long = yearly.melt(id_vars=["year"], value_vars=["pv_cost", "pv_benefit"],
                           var_name="stream", value_name="GBP m")
        long["stream"] = long["stream"].map(lambda c: label("column", c))
        cached_chart(("appraisal yearly", long.to_json()), lambda: alt.Chart(
            long, title="Discounted costs and benefits by year (GBP m, present "
            "values)").mark_bar().encode(x="year:O", y="GBP m:Q", color="stream:N",
                                         xOffset="stream:N"), width="stretch")
        if yearly["calendar_year"].isna().all():  # no first year set: a column of blanks
            yearly = yearly.drop(columns=["calendar_year"])
        else:
            yearly["calendar_year"] = yearly["calendar_year"].astype("Int64")
        st.dataframe(yearly.rename(columns=lambda c: label("column", c)), hide_index=True,
                     placeholder=BLANK, width="stretch")


def results_tab(state: AppraisalState, results: AppraisalResults) -> None:
    for p in results.problems:
        st.error(p)
    if results.warnings:  # one box, a line each: seven options should not mean seven boxes
        st.warning("\n".join(f"- {plain(w)}" for w in results.warnings))
    if results.excluded_criteria:
        st.info("\n".join(f"- {plain(text)}" for text in results.excluded_criteria.values()))
    if results.mcda is None:
        return
    if results.stability_statement:
        st.markdown(f"**Rank stability.** {results.stability_statement}")
    names = {o.id: o.name for o in state.options}
    labels = {c.id: c.label for c in state.criteria}
    contrib = pd.DataFrame([{"option": names[r.option_id], "criterion": labels.get(c, c),
                             "points": v} for r in results.mcda.rows
                            for c, v in r.contributions.items()])
    cached_chart(("appraisal contributions", contrib.to_json()), lambda: alt.Chart(
        contrib, title="Weighted scores (0-100) by option, stacked by criterion").mark_bar(
    ).encode(
        x=alt.X("points:Q", title="weighted score"), y=alt.Y("option:N", sort="-x", title=None),
        color=alt.Color("criterion:N", legend=alt.Legend(labelLimit=320)),
        tooltip=["option", "criterion", alt.Tooltip("points:Q", format=".1f")],
    ).properties(autosize=FIT_WIDTH, height=rows_height(contrib["option"].nunique())),
        width="stretch")
    st.dataframe(pd.DataFrame([{"rank": r.rank, "option": names[r.option_id],
                                "weighted score": round(r.total, 1)}
                               for r in sorted(results.mcda.rows, key=lambda r: r.rank)]),
                 hide_index=True, placeholder=BLANK, width="stretch")
    st.subheader("Sensitivity")
    st.caption("How far each weight can move (others rescaled) before the top option changes.")
    never = "does not change within the range"
    st.dataframe(pd.DataFrame([{
        "criterion": labels.get(t.criterion_id, t.criterion_id),
        "weight now": round(t.weight, 3),
        "top changes below": never if t.lower is None else f"{t.lower:.3f}",
        "to": names.get(t.top_below or "", t.top_below) or "",
        "top changes above": never if t.upper is None else f"{t.upper:.3f}",
        "to ": names.get(t.top_above or "", t.top_above) or "",
    } for t in results.thresholds]), hide_index=True, placeholder=BLANK, width="stretch")
    if results.thresholds:
        top = names.get(results.thresholds[0].top_option, results.thresholds[0].top_option)
        band = pd.DataFrame([{
            "criterion": labels.get(t.criterion_id, t.criterion_id),
            "from": t.lower if t.lower is not None else 0.0,
            "to": t.upper if t.upper is not None else 1.0,
            "weight now": t.weight,
        } for t in results.thresholds])
        title = (f"Weight ranges over which '{top}' stays top (others rescaled; dot = "
                 "weight now)")
        cached_chart(("appraisal weight ranges", band.to_json(), title),
                     lambda: weight_ranges_chart(band, title), width="stretch")
    if results.stability is not None:
        stab = results.stability
        st.dataframe(pd.DataFrame({  # the report's rounding (share_text): the same number
            "option": [names[o] for o in stab.option_ids],
            "ranks first in (share of weight sets)": [share_text(stab.p_first[o])
                                                      for o in stab.option_ids]}),
            hide_index=True, placeholder=BLANK, width="stretch")
        frame = pd.DataFrame({"option": [names[o] for o in stab.p_first],
                              "P(ranked first)": list(stab.p_first.values())})
        title = (f"Rank stability: {stab.n_draws:,} random weight sets around yours "
                 f"(Dirichlet, concentration {stab.concentration:g})")
        cached_chart(("appraisal stability", frame.to_json(), title), lambda: alt.Chart(
            frame, title=title).mark_bar().encode(
            x=alt.X("P(ranked first):Q", axis=alt.Axis(format="%")),
            y=alt.Y("option:N", sort="-x", title=None),
        ).properties(autosize=FIT_WIDTH, height=rows_height(len(frame))), width="stretch")


def weight_ranges_chart(band: pd.DataFrame, title: str) -> alt.LayerChart:
    """Each criterion's weight range over which the top option stays top, dot = now."""
    base = alt.Chart(band, title=title)
    return alt.layer(
        base.mark_bar(opacity=0.35, height=14).encode(
            x=alt.X("from:Q", title="normalised weight", scale=alt.Scale(domain=[0, 1])),
            x2="to:Q", y=alt.Y("criterion:N", title=None, axis=alt.Axis(labelLimit=260)),
            tooltip=["criterion", alt.Tooltip("from:Q", format=".2f"),
                     alt.Tooltip("to:Q", format=".2f"),
                     alt.Tooltip("weight now:Q", format=".2f")]),
        base.mark_point(filled=True, size=80, color="black").encode(
            x="weight now:Q", y="criterion:N"),
    ).properties(autosize=FIT_WIDTH, height=rows_height(len(band)))


def evaluation_tab(state: AppraisalState, session: object) -> None:
    """The monitoring and evaluation plan (Magenta Book 2020) with targets the user sets."""
    catalogue = load_catalogue()
    recs = session_recommendations(session)  # type: ignore[arg-type]
    if recs is None:
        return
    ids = walkthrough.chosen_interventions(session, recs, catalogue).ids  # type: ignore[arg-type]
    plan = evaluation_plan([catalogue[i] for i in ids], session_profile(session),  # type: ignore[arg-type]
                           state.targets)
    if not plan.rows:
        st.info("No interventions chosen, so there is nothing to evaluate yet.")
        return
    st.caption("Logframe from the chosen interventions' causal chains: an indicator per "
               "output, outcome and impact, where it is measured, the baseline from the area's "
               f"evidence, and the target you set. Method: {plan.source}.")
    keys = [r.node_id for r in plan.rows]  # row order, off the screen
    frame = pd.DataFrame([{"stage": r.stage, "result": r.label,
                           "indicator": r.indicator, "source": r.source,
                           "baseline": r.baseline, "target": r.target} for r in plan.rows])
    edited = st.data_editor(frame, hide_index=True, placeholder=BLANK,
                            width="stretch", key="logframe_editor",
                            disabled=["stage", "result", "indicator", "source", "baseline"],
)
    targets = {node: str(row["target"]).strip()
               for node, row in zip(keys, edited.to_dict("records"), strict=True)
               if row["target"] is not None and str(row["target"]).strip()}
    if targets != state.targets:
        state.targets = targets
    st.markdown("**Evaluation design** (counterfactual approach and Maryland SMS level)")
    st.dataframe(pd.DataFrame([{"intervention": d.intervention, "approach": d.label,
                                "Maryland SMS": d.sms_level, "data": "; ".join(d.data)}
                               for d in plan.designs]), hide_index=True, placeholder=BLANK,
                               width="stretch")
    for when, text in plan.timing:
        st.markdown(f"- **{when}:** {text}")
    st.markdown("**Risks to evaluability**")
    for risk in plan.risks:
        st.markdown(f"- {risk}")


def render() -> None:
    if need_area():
        return
    session = get_session()
    if not ensure_appraisal(session):
        return
    state = session.appraisal
    lazy_tabs({
        "Options": lambda: options_tab(state),
        "Weights": lambda: weights_tab(state),
        "Scores": lambda: scores_tab(state, run_appraisal(state, n_draws=200)),
        "Cost-benefit": lambda: cba_tab(state, run_appraisal(state),
                                        area_gva_per_job(session_profile(session))),
        "Results and sensitivity": lambda: results_tab(state, run_appraisal(state)),
        "Monitoring and evaluation": lambda: evaluation_tab(state, session),
        "Objectives and success factors": lambda: objectives_tab(state),
    }, key=TAB_KEY)
    rebuild_button(session)
    next_button("appraisal")
