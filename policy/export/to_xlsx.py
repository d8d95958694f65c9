"""Excel (XLSX) workbook of the appraisal, written with openpyxl.

One sheet per table an analyst will want to re-use: ``About`` (source, synthetic flag, period,
when generated), ``Evidence`` (sector table), ``Findings``, ``Recommendations`` (one row per
recommendation, then its trace rows), ``Not_recommended``, ``Options``, ``Weights``,
``Scores``, ``MCDA``, ``CBA`` (summary), ``CBA_<option>`` (yearly streams per option),
``Sensitivity`` and ``Mix``.

Numbers are written as numbers with number formats, never as text and never as formulas; every
text cell goes through :func:`policy.export.safety.neutralise_cell`, so text typed by a user
cannot become a formula. Each sheet's header row is bold and frozen.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from policy.appraisal import VFM_SOURCE
from policy.export.report import summary_lines
from policy.export.safety import neutralise_cell, xml_safe

if TYPE_CHECKING:
    from openpyxl.worksheet.worksheet import Worksheet

    from policy.export.bundle import ReportBundle

__all__ = ["cba_sheet_name", "write_xlsx"]

JOBS = "#,##0"
PCT1 = "0.0%"
PCT2 = "0.00%"
DEC2 = "0.00"
DEC3 = "0.000"
DF = "0.000000"
GBPM = "#,##0.000"
SIGNED = "+#,##0;-#,##0;0"

_BOLD = Font(bold=True)
_HEAD_FILL = PatternFill("solid", fgColor="D9E2F3")
_RED_BOLD = Font(bold=True, color="B00020")
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\']")


def _cell_value(value: Any) -> Any:
    """A value ready for a cell: text made XML-safe and neutralised, numbers untouched."""
    if isinstance(value, float) and value != value:  # NaN
        return None
    if isinstance(value, list | tuple | set | frozenset):
        value = ", ".join(str(v) for v in value)
    if isinstance(value, dict):
        value = "; ".join(f"{k}: {v}" for k, v in value.items())
    if isinstance(value, str):
        return neutralise_cell(xml_safe(value))
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.replace(tzinfo=None)
    return value


def _write_table(
    ws: Worksheet,
    headers: Sequence[str],
    rows: Sequence[Sequence[Any]],
    formats: Sequence[str | None] | None = None,
    start_row: int = 1,
) -> int:
    """Write a header row and rows from ``start_row``; returns the next free row."""
    for c, header in enumerate(headers, start=1):
        cell = ws.cell(row=start_row, column=c, value=_cell_value(header))
        cell.font = _BOLD
        cell.fill = _HEAD_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    r = start_row
    for r, values in enumerate(rows, start=start_row + 1):
        for c, value in enumerate(values, start=1):
            cell = ws.cell(row=r, column=c, value=_cell_value(value))
            fmt = formats[c - 1] if formats and c - 1 < len(formats) else None
            if fmt and isinstance(value, int | float) and not isinstance(value, bool):
                cell.number_format = fmt
    return r + 1


def _sheet(
    wb: Workbook,
    title: str,
    headers: Sequence[str],
    rows: Sequence[Sequence[Any]],
    formats: Sequence[str | None] | None = None,
    widths: Sequence[float] | None = None,
    notes: Sequence[str] = (),
) -> Worksheet:
    ws = wb.create_sheet(title)
    nxt = _write_table(ws, headers, rows, formats)
    ws.freeze_panes = "A2"
    for i, width in enumerate(widths or [], start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    if not widths:
        for i, header in enumerate(headers, start=1):
            ws.column_dimensions[get_column_letter(i)].width = max(10, min(len(header) + 2, 40))
    for k, note in enumerate(notes):
        ws.cell(row=nxt + 1 + k, column=1, value=_cell_value(note))
    return ws


def cba_sheet_name(option_id: str, taken: set[str]) -> str:
    """``CBA_<option>``: Excel-safe (no []:*?/\\ or quotes, at most 31 characters), unique."""
    base = "CBA_" + (_BAD_SHEET_CHARS.sub("_", option_id).strip() or "option")
    name = base[:31]
    k = 2
    while name.lower() in {t.lower() for t in taken}:
        suffix = f"_{k}"
        name = base[: 31 - len(suffix)] + suffix
        k += 1
    taken.add(name)
    return name


# --------------------------------------------------------------------------------------------


def _about(wb: Workbook, bundle: ReportBundle) -> None:
    ws = wb.active
    ws.title = "About"
    p = bundle.profile
    rows: list[list[Any]] = [
        ["Title", bundle.title],
        ["Area", p.area.name],
        ["Area code", p.area.code],
        ["Area level", p.area.level],
        ["Period start", p.period.start],
        ["Period end", p.period.end],
        ["Data source", bundle.source_label],
        ["Synthetic data", bundle.synthetic],
        ["Generated (UTC)", bundle.generated_at],
        ["Session id", bundle.session.session_id],
        ["Interventions", bundle.chosen_basis],
        ["All jobs basis", p.total_jobs_basis],
        ["National reference", p.national_basis],
        ["Session notes", bundle.session.notes],
    ]
    rows += [["Default used", d] for d in bundle.defaults_used]
    rows += [["Warning", w] for w in bundle.warnings]
    rows += [["Data note", n] for n in bundle.data_notes]
    _write_table(ws, ["Item", "Value"], rows)
    ws.freeze_panes = "A2"
    ws.column_dimensions["A"].width = 22
    ws.column_dimensions["B"].width = 100
    for row in ws.iter_rows(min_row=2):
        if row[0].value == "Generated (UTC)":
            row[1].number_format = "yyyy-mm-dd hh:mm:ss"
        if row[0].value == "Synthetic data" and bundle.synthetic:
            row[1].font = _RED_BOLD
    if bundle.synthetic:
        ws.cell(row=ws.max_row + 2, column=1, value="SYNTHETIC").font = _RED_BOLD
        ws.cell(row=ws.max_row, column=2, value=(
            "Synthetic demo data: every area and figure is fictional, not an official statistic."
        )).font = _RED_BOLD


def _evidence(wb: Workbook, bundle: ReportBundle) -> None:
    p = bundle.profile
    s, e = p.period.start, p.period.end
    headers = [
        "Sector id", "Sector", "Quadrant", f"Jobs {e}", f"Jobs {s}",
        f"Share of all jobs {e} (denominator: {p.total_jobs:,.0f} jobs)", f"LQ vs GB {e}",
        f"Regional LQ {e}", f"Growth p.a. {s}-{e}", f"GB growth p.a. {s}-{e}",
        f"Shift-share national {s}-{e} (jobs)", f"Shift-share industry mix {s}-{e} (jobs)",
        f"Shift-share local {s}-{e} (jobs)", f"Actual change {s}-{e} (jobs)",
        f"GVA {e} (GBP m)", f"GVA per job {e} (GBP k)", f"Productivity ratio to GB {e}",
        "Dynamics", "Suppressed cells", "Note",
    ]
    formats = [None, None, None, JOBS, JOBS, PCT2, DEC2, DEC2, PCT1, PCT1, SIGNED, SIGNED,
               SIGNED, SIGNED, "#,##0.0", "#,##0.0", DEC2, None, "0", None]
    rows = []
    for r in p.sectors:
        ss = r.shift_share
        rows.append([
            r.sector, r.label, r.quadrant, r.employment, r.employment_start, r.share, r.lq,
            r.lq_region, r.growth, r.growth_national, ss.national if ss else None,
            ss.industry_mix if ss else None, ss.local if ss else None,
            ss.actual if ss else None, r.gva, r.productivity, r.productivity_ratio,
            r.dynamics, r.suppressed_cells, r.note,
        ])
    rows.append(["am_total", "Advanced manufacturing (Table 1)", None, p.am_jobs, None,
                 p.am_share])
    rows.append(["all", "All industries", None, p.total_jobs, None, 1.0])
    _sheet(wb, "Evidence", headers, rows, formats, notes=[
        f"Area: {p.area.name} ({p.area.code}); period {s}-{e}; source: {bundle.source_label}.",
        f"Share = sector jobs / all jobs in the area in {e} ({p.total_jobs_basis}). LQ = local "
        f"share / Great Britain share ({p.national_basis}). Growth = compound annual growth "
        f"{s}-{e}. Shift-share parts sum to the actual change (Dunn 1960). Productivity ratio "
        "= local GVA per job / GB GVA per job in the sector. Blank = not available or "
        "suppressed.",
    ])


def _findings(wb: Workbook, bundle: ReportBundle) -> None:
    rows = []
    for f in [*bundle.profile.findings, *bundle.rejected_findings]:
        values = "; ".join(f"{k}={v}" for k, v in f.values.items())
        rows.append([f.id, f.kind, f.topic, f.sector, f.text, f.threshold, values,
                     f.confidence, f.status, f.origin, f.note])
    _sheet(wb, "Findings",
           ["Id", "Kind", "Topic", "Sector", "Finding", "Judged against", "Values",
            "Confidence", "Status", "Origin", "Source / note"],
           rows, [None] * 7 + [DEC2], widths=[34, 12, 18, 16, 80, 30, 40, 11, 10, 16, 30])


def _recommendations(wb: Workbook, bundle: ReportBundle) -> None:
    headers = ["Rank", "Intervention", "Intervention name", "Score", "Rationales", "Sectors",
               "Row", "Rule", "Rule title", "Rule rationale", "Test", "Op", "Actual",
               "Threshold", "Result", "Findings", "Note"]
    rows: list[list[Any]] = []
    for rank, rec in enumerate(bundle.recommendations.get("recommended", []), start=1):
        iid = rec["intervention"]
        name = bundle.intervention_name(iid)
        rows.append([rank, iid, name, rec["score"], rec.get("rationales", []),
                     rec.get("sectors", []), "recommendation"])
        for fired in rec.get("trace", []):
            for c in fired.get("conditions", []):
                rows.append([rank, iid, name, None, None, None, "condition", fired.get("rule"),
                             fired.get("title"), fired.get("rationale"), c.get("path"),
                             c.get("op"), c.get("actual"), c.get("threshold"),
                             bool(c.get("result")), c.get("findings", []), c.get("note")])
    _sheet(wb, "Recommendations", headers, rows,
           ["0", None, None, DEC3] + [None] * 8 + ["#,##0.####", "#,##0.####"],
           widths=[6, 26, 34, 8, 30, 24, 14, 30, 40, 22, 50, 8, 10, 10, 8, 50, 40])
    _sheet(wb, "Not_recommended", ["Intervention", "Intervention name", "Why not"],
           [[i["intervention"], bundle.intervention_name(i["intervention"]),
             "; ".join(i.get("why", []))]
            for i in bundle.recommendations.get("not_recommended", [])],
           widths=[26, 34, 120])


def _appraisal(wb: Workbook, bundle: ReportBundle) -> None:
    st, res = bundle.appraisal, bundle.results
    kept = set(res.kept)
    option_rows: list[list[Any]] = []
    for o in st.options:
        head = [o.id, o.name, o.is_baseline, "short-listed" if o.id in kept else "dropped",
                st.dropped.get(o.id)]
        if not o.interventions:
            option_rows.append([*head, None, 0.0, None, None])
        for i in o.interventions:
            option_rows.append([*head, i.intervention_id, i.budget_gbp_m, i.start_year_offset,
                                i.duration_years])
    _sheet(wb, "Options",
           ["Option id", "Option", "Baseline", "Status", "Drop reason", "Intervention",
            "Budget (GBP m, real)", "Start year", "Duration (years)"],
           option_rows, [None] * 6 + [GBPM, "0", "0"],
           widths=[14, 26, 9, 13, 30, 28, 16, 10, 14])
    swing = {r.criterion_id: r for r in res.swing}
    _sheet(wb, "Weights", ["Criterion id", "Criterion", "Worst option", "Worst score",
                           "Best option", "Best score", "Swing weight (0-100)",
                           "Normalised weight", "Status"],
           [[c.id, c.label,
             bundle.option_name(swing[c.id].worst_option) if c.id in swing else None,
             swing[c.id].worst if c.id in swing else None,
             bundle.option_name(swing[c.id].best_option) if c.id in swing else None,
             swing[c.id].best if c.id in swing else None,
             st.swing_weights.get(c.id), swing[c.id].weight if c.id in swing else None,
             res.excluded_criteria.get(c.id, "in use")]
            for c in st.criteria],
           [None, None, None, "0", None, "0", "0.0", PCT1, None],
           widths=[20, 36, 22, 10, 22, 10, 16, 16, 60],
           notes=["Swing weighting (DCLG 2009 MCDA manual, chapter 6): each weight judges the "
                  "swing from the worst to the best option on the criterion; normalised weight "
                  "= swing weight / sum over the criteria in use."])
    labels = {c.id: c.label for c in st.criteria}
    _sheet(wb, "Scores", ["Option id", "Option", "Criterion id", "Criterion", "Score (0-100)",
                          "Rationale"],
           [[s.option_id, bundle.option_name(s.option_id), s.criterion_id,
             labels.get(s.criterion_id, s.criterion_id),
             s.value if s.value is not None else "unscored", s.rationale]
            for s in res.scores or st.scores],  # value for money as the MCDA used it
           [None, None, None, None, "0.0"], widths=[12, 22, 20, 32, 12, 120])
    crit = [c.id for c in st.criteria]
    mcda_rows = [] if res.mcda is None else [
        [r.rank, r.option_id, bundle.option_name(r.option_id), r.total]
        + [r.contributions.get(c) for c in crit] for r in res.mcda.rows
    ]
    _sheet(wb, "MCDA", ["Rank", "Option id", "Option", "Weighted total (0-100)"]
           + [f"{labels.get(c, c)} (weight x score)" for c in crit],
           mcda_rows, ["0", None, None, DEC2] + [DEC2] * len(crit),
           notes=[f"MCDA problem: {p}" for p in res.problems])


def _cba(wb: Workbook, bundle: ReportBundle) -> None:
    st, res = bundle.appraisal, bundle.results
    rows = []
    for oid, r in res.cba.items():
        inp = st.cba.get(oid)
        add = inp.additionality if inp is not None else None
        rows.append([
            oid, bundle.option_name(oid), r.pv_costs, r.pv_private_costs, r.pv_benefits, r.npv,
            r.bcr, r.vfm_label or "not assessed", r.pv_benefits_uk, r.bcr_uk,
            r.switching.benefits_pct, r.switching.costs_pct, r.switching.bcr_threshold,
            r.switching.benefits_pct_for_bcr, r.switching.costs_pct_for_bcr,
            r.optimism_bias_pct, r.optimism_bias_source, r.additionality_factor,
            add.deadweight if add else None, add.displacement if add else None,
            add.leakage if add else None, add.substitution if add else None,
            add.multiplier if add else None,
            bool(inp.benefits_entered) if inp is not None else False,
            "Green Book 2022 STPR: 3.5% years 0-30, 3.0% 31-75, 2.5% 76-125, 2.0% 126-200, "
            "1.5% 201-300, 1.0% after",
        ])
    _sheet(wb, "CBA", [
        "Option id", "Option", "PV public costs (GBP m)", "PV private co-funding (GBP m)",
        "PV net additional benefits (GBP m)", "Social NPV (GBP m)", "BCR (public cost)",
        "Value for money", "PV benefits, UK level (GBP m)", "BCR, UK level",
        "Switching value benefits (%)", "Switching value costs (%)", "BCR threshold",
        "Switching value benefits for BCR (%)", "Switching value costs for BCR (%)",
        "Optimism bias (%)", "Optimism bias source", "Additionality factor", "Deadweight",
        "Displacement", "Leakage", "Substitution", "Multiplier", "Benefits entered",
        "Discount rates",
    ], rows, [None, None, GBPM, GBPM, GBPM, GBPM, DEC2, None, GBPM, DEC2, "0.0", "0.0", DEC2,
              "0.0", "0.0", "0.0",
              None, DEC3, PCT1, PCT1, PCT1, PCT1, DEC2, None, None],
        notes=[*(f"No CBA for {k}: {v}" for k, v in res.cba_skipped.items()),
               *(f"Note: {w}" for w in res.warnings),
               f"Value for money: poor < 1, low 1-1.5, medium 1.5-2, high 2-4, very high > 4 "
               f"({VFM_SOURCE}).",
               *(f"{bundle.option_name(oid)}: {r.vfm_statement}" for oid, r in res.cba.items()),
               *(f"Sensitivity, {bundle.option_name(oid)}: {c.label}: BCR "
                 + ("n/a" if c.bcr is None else f"{c.bcr:.2f}") + f", NPV {c.npv:,.2f}"
                 for oid, r in res.cba.items() for c in r.sensitivity)])
    taken = {ws.title for ws in wb.worksheets}
    for oid, r in res.cba.items():
        _sheet(wb, cba_sheet_name(oid, taken), [
            "year", "calendar year", "cost before optimism bias", "cost", "benefit (gross)",
            "benefit", "discount factor", "PV cost", "PV benefit", "PV net", "cumulative NPV",
        ], [[y.year, y.calendar_year, y.cost_base, y.cost, y.benefit_gross, y.benefit,
             y.discount_factor, y.pv_cost, y.pv_benefit, y.pv_net, y.cumulative_npv]
            for y in r.years],
            ["0", "0", GBPM, GBPM, GBPM, GBPM, DF, GBPM, GBPM, GBPM, GBPM],
            notes=[
                f"Option {oid}: {bundle.option_name(oid)}. GBP million, real terms; year 0 = "
                f"first year of spend. cost = cost before optimism bias x (1 + "
                f"{r.optimism_bias_pct:g}%); benefit = gross x additionality factor "
                f"{r.additionality_factor:.3f}; PV = amount x discount factor, DF(t) = "
                "DF(t-1) / (1 + r_t) at the Green Book STPR.",
                f"PV costs {r.pv_costs:,.3f}; PV benefits {r.pv_benefits:,.3f}; NPV "
                f"{r.npv:,.3f}; BCR " + ("n/a" if r.bcr is None else f"{r.bcr:.2f}"),
            ])


def _sensitivity(wb: Workbook, bundle: ReportBundle) -> None:
    res = bundle.results
    labels = {c.id: c.label for c in bundle.appraisal.criteria}
    ws = wb.create_sheet("Sensitivity")
    nxt = _write_table(ws, [
        "Criterion id", "Criterion", "Weight", "Top option", "Lower threshold",
        "Top option below", "Upper threshold", "Top option above",
    ], [[t.criterion_id, labels.get(t.criterion_id, t.criterion_id), t.weight, t.top_option,
         t.lower, t.top_below, t.upper, t.top_above] for t in res.thresholds],
        [None, None, PCT1, None, PCT1, None, PCT1, None])
    ws.freeze_panes = "A2"
    stab = res.stability
    if stab is not None:
        n = len(stab.option_ids)
        expected = stab.expected_rank()
        ws.cell(row=nxt + 1, column=1, value=_cell_value(
            f"Rank stability: {stab.n_draws} weight draws (Dirichlet, concentration "
            f"{stab.concentration:g}, seed {stab.seed})")).font = _BOLD
        _write_table(ws, ["Option id", "Option", "P(first)", "Expected rank"]
                     + [f"P(rank {r + 1})" for r in range(n)],
                     [[o, bundle.option_name(o), stab.p_first[o], expected[o]]
                      + list(stab.rank_probabilities[o]) for o in stab.option_ids],
                     [None, None, PCT1, DEC2] + [PCT1] * n, start_row=nxt + 2)
    for i, width in enumerate([22, 34, 10, 14, 14, 16, 14, 16], start=1):
        ws.column_dimensions[get_column_letter(i)].width = width


def _mix(wb: Workbook, bundle: ReportBundle) -> None:
    reports = dict(bundle.option_mixes)
    if bundle.mix is not None and bundle.mix.option_id not in reports:
        reports = {bundle.mix.option_id: bundle.mix, **reports}
    rows = []
    for oid, m in reports.items():
        b, n = m.balance, m.niche_risk
        rows.append([
            oid, m.option_name, b.counts.get("horizontal"), b.counts.get("vertical"),
            b.counts.get("mission"), b.budget_shares.get("horizontal"),
            b.budget_shares.get("vertical"), b.budget_shares.get("mission"),
            b.total_budget_gbp_m, b.judgement, m.alignment.judgement,
            m.complementarity.judgement, n.share, n.judgement, n.mitigation,
        ])
    _sheet(wb, "Mix", [
        "Option id", "Option", "Horizontal (count)", "Vertical (count)", "Mission (count)",
        "Horizontal budget share", "Vertical budget share", "Mission budget share",
        "Total budget (GBP m)", "Balance", "Alignment", "Complementarity",
        "Niche share of budget", "Niche risk", "Mitigation recorded",
    ], rows, [None, None, "0", "0", "0", PCT1, PCT1, PCT1, GBPM, None, None, None, PCT1],
        widths=[12, 22, 10, 10, 10, 12, 12, 12, 12, 50, 50, 50, 12, 60, 40])


def _summary(wb: Workbook, bundle: ReportBundle) -> None:
    _sheet(wb, "Summary", ["Item", "Executive summary"],
           [[label or "", text] for label, text in summary_lines(bundle)], widths=[34, 140])


def _evaluation(wb: Workbook, bundle: ReportBundle) -> None:
    plan = bundle.evaluation
    rows = [] if plan is None else [
        [r.node_id, r.stage, r.label, r.indicator, r.source, r.baseline, r.target,
         ", ".join(r.interventions)] for r in plan.rows]
    ws = _sheet(wb, "Evaluation", ["Node id", "Stage", "Result", "Indicator", "Source",
                                   "Baseline", "Target", "Interventions"], rows,
                widths=[26, 10, 36, 60, 30, 40, 20, 40])
    if plan is None:
        return
    nxt = len(rows) + 3
    ws.cell(row=nxt, column=1, value="Evaluation design (Magenta Book 2020; Maryland SMS)"
            ).font = _BOLD
    nxt = _write_table(ws, ["Intervention id", "Intervention", "Design", "Approach",
                            "Maryland SMS level", "When it works", "Data"],
                       [[d.intervention_id, d.intervention, d.design, d.label, d.sms_level,
                         d.when, "; ".join(d.data)] for d in plan.designs],
                       [None, None, None, None, "0"], start_row=nxt + 1)
    for label, text in plan.timing:
        ws.cell(row=nxt, column=1, value=_cell_value(f"Timing, {label}"))
        ws.cell(row=nxt, column=2, value=_cell_value(text))
        nxt += 1
    for risk in plan.risks:
        ws.cell(row=nxt, column=1, value="Evaluability risk")
        ws.cell(row=nxt, column=2, value=_cell_value(risk))
        nxt += 1
    ws.cell(row=nxt, column=1, value=_cell_value(f"Source: {plan.source}"))


def write_xlsx(bundle: ReportBundle, path: str | Path) -> Path:
    """Write the Excel workbook for ``bundle`` to ``path``; returns the path."""
    path = Path(path)
    wb = Workbook()
    _about(wb, bundle)
    _summary(wb, bundle)
    _evidence(wb, bundle)
    _findings(wb, bundle)
    _recommendations(wb, bundle)
    _appraisal(wb, bundle)
    _cba(wb, bundle)
    _sensitivity(wb, bundle)
    _mix(wb, bundle)
    _evaluation(wb, bundle)
    wb.properties.title = xml_safe(bundle.title)[:250]
    wb.properties.creator = "policymix"
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(str(path))
    return path
