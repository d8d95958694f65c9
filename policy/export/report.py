"""The report as a list of neutral blocks, shared by the DOCX and HTML writers.

Both writers render the same :func:`report_blocks`, so a Word pack and an HTML pack always carry
the same sections in the same order. The report leads with the answer: an Executive summary
(the area's position in three sentences, the recommended option and why, its cost, its
value-for-money category, the main risks and what would change the recommendation), then the
sections that follow the key policy questions of the walkthrough:

1 Evidence, 2 Strengths and bottlenecks, 3 Rationale, 4 Target, 5 Aims and causal chain,
6 Options and appraisal, 7 Sensitivity, 8 Policy mix checks, 9 Monitoring and evaluation (the
Magenta Book plan), 10 Workshop results (when there are any), then Appendix A (trace of each
recommendation to its rules, conditions and findings), Appendix B (interventions not
recommended, and why) and Appendix C (data notes).

Blocks hold raw values; a table column (or a :class:`Num` cell) carries a Python format spec and
the writer formats. Every number is captioned with its denominator and period.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from evidence.models import AreaProfile, standing
from evidence.profile import AUTOMATION_LABEL, AUTOMATION_SOURCE, krugman_basis
from policy.appraisal import (
    ADDITIONALITY_SOURCE,
    GREEN_BOOK_STPR,
    OPTIMISM_BIAS_DEFAULTS,
    OPTIMISM_BIAS_TABLE,
    VFM_SCORE_BASIS,
    VFM_SOURCE,
    names_text,
)
from policy.catalogue import ACTOR_LABELS, RATIONALE_CATEGORIES
from policy.labels import (
    condition_words,
    confidence_word,
    finding_heading,
    indicator_label,
    known,
    label,
    local_time,
    needs_words,
    word,
)
from policy.mix import AlignmentReport
from policy.questions import options_of, questions_for
from rules import FiredRule

if TYPE_CHECKING:
    from policy.export.bundle import ReportBundle

__all__ = [
    "APPENDIX_TITLES",
    "SECTION_TITLES",
    "SUMMARY_TITLE",
    "Block",
    "Column",
    "Figure",
    "Heading",
    "Num",
    "PageBreak",
    "Paragraph",
    "Table",
    "TitlePage",
    "format_value",
    "report_blocks",
    "summary_lines",
]

SECTION_TITLES: tuple[str, ...] = (
    "1 Evidence",
    "2 Strengths and bottlenecks",
    "3 Rationale",
    "4 Target",
    "5 Aims and causal chain",
    "6 Options and appraisal",
    "7 Sensitivity",
    "8 Policy mix checks",
    "9 Monitoring and evaluation",
    "10 Workshop results",
)
SUMMARY_TITLE = "Executive summary"
"""The first section, before the numbered ones: the answer first."""
APPENDIX_TITLES: tuple[str, ...] = (
    "Appendix A: Trace of recommendations to rules and evidence",
    "Appendix B: Interventions not recommended",
    "Appendix C: Data notes",
)

SYNTHETIC_STATEMENT = (
    "SYNTHETIC DATA: this report is built on the bundled synthetic demo data. Every area and "
    "every figure in it is fictional, generated to demonstrate the method; none of it is an "
    "official statistic about a real place."
)

# --------------------------------------------------------------------------------------------
# Blocks


@dataclass
class TitlePage:
    title: str
    lines: list[tuple[str, str]]  # (label, value)
    synthetic_statement: str | None
    notes: str = ""


@dataclass
class Heading:
    text: str
    level: int = 1


@dataclass
class Paragraph:
    """Text; ``label`` is shown in bold before it. ``kind``: normal, bullet, note, warning."""

    text: str
    kind: str = "normal"
    label: str = ""


@dataclass
class Column:
    header: str
    fmt: str | None = None  # format spec for numbers, e.g. ",.0f" or ".1%"

    @property
    def numeric(self) -> bool:
        return self.fmt is not None


@dataclass
class Num:
    """A cell with its own format spec (for tables mixing units in one column)."""

    value: float | int | None
    fmt: str = ",.2f"


@dataclass
class Table:
    columns: list[Column]
    rows: list[list[Any]]
    caption: str = ""
    note: str = ""
    compact: bool = False  # small type for wide tables


@dataclass
class Figure:
    key: str  # key into bundle.images()
    caption: str = ""


@dataclass
class PageBreak:
    pass


Block = TitlePage | Heading | Paragraph | Table | Figure | PageBreak

MISSING = "-"


def format_value(value: Any, fmt: str | None = None) -> str:
    """A cell as text: numbers with ``fmt``, None as '-', lists joined, bools yes/no."""
    if isinstance(value, Num):
        return format_value(value.value, value.fmt)
    if value is None:
        return MISSING
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float):
        if isinstance(value, float) and value != value:  # NaN
            return MISSING
        if fmt:
            try:
                return format(value, fmt)
            except (ValueError, TypeError):
                return str(value)
        return f"{value:,.4g}" if isinstance(value, float) else str(value)
    if isinstance(value, list | tuple | set | frozenset):
        return ", ".join(format_value(v) for v in value)
    return str(value)


# --------------------------------------------------------------------------------------------
# Vocabulary helpers


def _label(value: Any) -> str:
    return word(value)


def _answer_text(value: Any, labels: dict[str, str] | None = None) -> str:
    labels = labels or {}

    def one(v: Any) -> str:
        return labels.get(str(v)) or _label(v)

    if value is None or value == "" or value == []:
        return "(not answered)"
    if isinstance(value, list | tuple):
        return "; ".join(one(v) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{_label(k)}: {_answer_text(v)}" for k, v in value.items())
    if isinstance(value, str) and (value in labels or known(value)):
        return one(value)
    return str(value)


def _questions_block(bundle: ReportBundle, step: str) -> list[Block]:
    answers = bundle.session.answers
    qs = questions_for(step)
    out: list[Block] = []
    if not qs:
        return [Paragraph(f"No {step} questions are defined.", "note")]
    answered = 0
    for q in qs:
        value = answers.get(q.id)
        answered += value not in (None, "", [])
        try:
            labels = options_of(q)
        except KeyError:
            labels = {}
        out.append(Paragraph(_answer_text(value, labels), label=f"{q.prompt} "))
    if not answered:
        out.insert(0, Paragraph(
            "These questions were not answered in the session; the prompts are listed so the "
            "partnership can answer them.", "note"))
    return out


# --------------------------------------------------------------------------------------------
# Sections


def _title_page(bundle: ReportBundle) -> TitlePage:
    p = bundle.profile
    lines = [
        ("Area", f"{p.area.name} ({label('area_level', p.area.level)})"),
        ("ONS area code", p.area.code),
        ("Period", f"{p.period.start}-{p.period.end} (latest year {p.period.end})"),
        ("Data source", bundle.source_label),
        ("Prepared", local_time(bundle.generated_at)),
    ]
    if bundle.session.session_id:
        lines.append(("Session", bundle.session.session_id))
    return TitlePage(
        title=bundle.title,
        lines=lines,
        synthetic_statement=SYNTHETIC_STATEMENT if bundle.synthetic else None,
        notes=bundle.session.notes,
    )


def _sector_tables(bundle: ReportBundle) -> list[Table]:
    """Structure and growth (Table 1.1), then shift-share and productivity (Table 1.2)."""
    p = bundle.profile
    s, e = p.period.start, p.period.end
    structure = Table(
        [Column("Sector"), Column(f"Jobs {e}", ",.0f"), Column(f"Jobs {s}", ",.0f"),
         Column(f"Share of all jobs {e}", ".2%"), Column(f"LQ vs GB {e}", ".2f"),
         Column(f"Growth p.a. {s}-{e}", "+.1%"), Column(f"GB growth p.a. {s}-{e}", "+.1%"),
         Column("Dynamics")],
        [[r.label, r.employment, r.employment_start, r.share, r.lq, r.growth,
          r.growth_national, r.dynamics] for r in p.sectors],
        caption=(
            f"Table 1.1 Advanced manufacturing sectors in {p.area.name}, {s}-{e}. Jobs: employee "
            f"jobs in {e} and {s}. Share: sector jobs / all {p.total_jobs:,.0f} jobs in the "
            f"area in {e} ({p.total_jobs_basis}). LQ: the sector's share of local jobs / its "
            f"share of Great Britain jobs in {e} (national reference: {p.national_basis}). "
            f"Growth: compound annual growth of jobs {s}-{e}, locally and in Great Britain. "
            "'-' = not available or suppressed."
        ),
        compact=True,
    )
    rows = []
    for r in p.sectors:
        ss = r.shift_share
        rows.append([
            r.label, ss.national if ss else None, ss.industry_mix if ss else None,
            ss.local if ss else None, ss.actual if ss else None, r.gva, r.productivity,
            r.productivity_ratio,
        ])
    performance = Table(
        [Column("Sector"), Column(f"National growth effect {s}-{e}", "+,.0f"),
         Column(f"Industry mix effect {s}-{e}", "+,.0f"),
         Column(f"Local effect {s}-{e}", "+,.0f"), Column(f"Actual change {s}-{e}", "+,.0f"),
         Column(f"GVA {e} (GBP m)", ",.1f"), Column(f"GVA per job {e} (GBP k)", ",.1f"),
         Column(f"Productivity ratio to GB {e}", ".2f")],
        rows,
        caption=(
            f"Table 1.2 Shift-share and productivity in {p.area.name}. Shift-share splits the "
            f"change in each sector's jobs {s}-{e} into national growth (had it grown like all "
            "Great Britain jobs), industry mix (the sector's national trend beyond that) and "
            "local effect (the rest); the three sum to the actual change (Dunn 1960). GVA: "
            f"current prices, {e}. GVA per job: sector GVA / sector jobs in {e}. Productivity "
            f"ratio: local GVA per job / Great Britain GVA per job in the same sector, {e} "
            "(1 = the GB level). '-' = not available or suppressed."
        ),
        compact=True,
    )
    return [structure, performance]


_CONTEXT_LABELS = {
    "level4_share": ("Residents qualified to level 4+", ".1%", "share of residents"),
    "berd_per_job": ("Business R&D per job", ",.0f", "GBP per job"),
    "enterprises_mfg": ("Manufacturing enterprises", ",.0f", "all sizes, UK Business Counts"),
    "enterprises_mfg_large": ("Large manufacturing enterprises", ",.0f",
                              "250+ employees, of all manufacturing enterprises"),
    "enterprises_mfg_micro": ("Micro manufacturing enterprises", ",.0f",
                              "0-9 employees, of all manufacturing enterprises"),
}
_CONTEXT_PARTS = ("_year", "_ci", "_people")
"""Context keys shown inside another row (its year, confidence interval, denominator)."""
_CONTEXT_IN_ROWS = {"krugman_industries"}
"""Context keys that are another row's basis, not a value: the number of industries the
Krugman index is computed over (``krugman_basis``)."""


def _context_basis(p: Any, key: str, unit: str) -> tuple[str, str]:
    """The basis text and year of a context row: the data year when it differs from the
    profile's end year (APS and Business Counts periods), with the CI and denominator."""
    year_key = "level4_year" if key.startswith("level4") else \
        "enterprises_year" if key.startswith("enterprises") else ""
    year = p.context.get(year_key)
    firms = p.context.get("enterprises_mfg")
    if key == "level4_share":
        ci, people = p.context.get("level4_share_ci"), p.context.get("level4_people")
        unit = "share of residents aged 16-64" + (f" (of {people:,.0f})" if people else "") \
            + (f", 95% CI +/- {ci * 100:.1f} points" if ci is not None else "")
    elif key in ("enterprises_mfg_large", "enterprises_mfg_micro") and firms:
        unit = unit.replace("all manufacturing enterprises", f"{firms:,.0f}")
    return unit, str(int(year)) if year is not None else str(p.period.end)


def _headline_table(bundle: ReportBundle) -> Table:
    p = bundle.profile
    e = p.period.end
    rows: list[list[Any]] = [
        ["All jobs", Num(p.total_jobs, ",.0f"), p.total_jobs_basis, str(e)],
        ["Advanced manufacturing (AM) jobs", Num(p.am_jobs, ",.0f"),
         f"jobs in the {len(p.sectors)} advanced manufacturing sectors", str(e)],
        ["AM share of all jobs", Num(p.am_share, ".2%"),
         f"AM jobs / all {p.total_jobs:,.0f} jobs", str(e)],
    ]
    if p.krugman is not None:
        rows.append(["Krugman specialisation index", Num(p.krugman, ".3f"), krugman_basis(p),
                     str(e)])
    if p.herfindahl is not None:
        rows.append(["Herfindahl concentration index", Num(p.herfindahl, ".3f"),
                     "sum of squared sector shares of AM jobs (1 = one sector)", str(e)])
    gb_auto = p.context.get("gb_automation_exposure")
    if p.automation_exposure is not None:
        gb = f"; Great Britain {gb_auto:.1%}" if gb_auto is not None else ""
        rows.append([AUTOMATION_LABEL, Num(p.automation_exposure, ".1%"),
                     f"{AUTOMATION_SOURCE}{gb}",
                     str(int(p.context["soc_year"])) if p.context.get("soc_year") else str(e)])
    for key, value in p.context.items():
        if key.startswith("gb_") or value is None or key.endswith(_CONTEXT_PARTS) \
                or key in _CONTEXT_IN_ROWS:
            continue
        label_, fmt, unit = _CONTEXT_LABELS.get(key, (indicator_label(f"context.{key}"),
                                                      ",.3g", ""))
        unit, year = _context_basis(p, key, unit)
        gb = p.context.get(f"gb_{key}")
        basis = unit + (f"; Great Britain {format(gb, fmt)}" if gb is not None else "")
        rows.append([label_, Num(value, fmt), basis, year])
    return Table(
        [Column("Indicator"), Column("Value", ",.2f"), Column("Denominator / basis"),
         Column("Year")],
        rows,
        caption=f"Table 1.0 Headline indicators for {p.area.name}, {e}.",
    )


def _comparator_table(bundle: ReportBundle) -> Table | None:
    p = bundle.profile
    if not p.comparators:
        return None
    by_code = {r["area_code"]: r for r in bundle.comparator_rows}
    rows = []
    for c in p.comparators:
        r = by_code.get(c.area_code, {})
        rows.append([c.area_name, c.area_code, c.distance, r.get("am_jobs"), r.get("total_jobs"),
                     r.get("am_share"), c.similar_because])
    e = p.period.end
    return Table(
        [Column("Comparator"), Column("Code"), Column("Distance", ".2f"),
         Column(f"AM jobs {e}", ",.0f"), Column(f"All jobs {e}", ",.0f"),
         Column(f"AM share {e}", ".2%"), Column("Why similar")],
        rows,
        caption=(
            f"Table 1.3 Comparator areas (statistical nearest neighbours unless chosen in the "
            f"session). AM share = AM jobs / all jobs in each area, {e}. Distance: smaller is "
            "more similar."
        ),
    )


def _evidence(bundle: ReportBundle, images: dict[str, Any]) -> list[Block]:
    p = bundle.profile
    out: list[Block] = [Heading(SECTION_TITLES[0])]
    out.append(Paragraph(
        f"{p.area.name} had {p.am_jobs:,.0f} jobs in advanced manufacturing in {p.period.end}, "
        f"{p.am_share:.1%} of its {p.total_jobs:,.0f} jobs in all industries. Figures cover "
        f"{bundle.period_label}; advanced manufacturing means the Eurostat high-tech and "
        "medium-high-tech manufacturing sectors listed in Table 1.1."
    ))
    out.append(_headline_table(bundle))
    out.append(Heading("Sector structure and performance", 2))
    out += _sector_tables(bundle)
    for key in ("sector_structure", "lq_growth", "trends", "shift_share"):
        if key in images:
            out.append(Figure(key, images[key].caption))
    comp = _comparator_table(bundle)
    if comp is not None:
        out.append(Heading("Comparators", 2))
        out.append(comp)
        if "comparators" in images:
            out.append(Figure("comparators", images["comparators"].caption))
    out += _analysis(bundle, images)
    return out


def _supply_chain_table(p: AreaProfile) -> Table | None:
    if not p.supply_chain:
        return None

    def links(items: list[Any], value: str) -> str:
        return "; ".join(
            f"{i.industry} {getattr(i, value):.3f}"
            + ("" if i.local_lq is None else f" (local LQ {i.local_lq:.2f})") for i in items)

    return Table(
        [Column("Sector"), Column("IO industry"), Column("Main domestic suppliers"),
         Column("Main buyers"), Column("Type I multiplier", ".3f")],
        [[c.label, ", ".join(c.io_industry), links(c.suppliers, "coefficient"),
          links(c.buyers, "share"), c.multiplier.type_i] for c in p.supply_chain],
        caption=(
            f"Table 1.4 Supply chains of the advanced manufacturing sectors in {p.area.name}. "
            "Suppliers: domestic purchases from the industry per GBP of the sector's output "
            "(direct requirement coefficient); buyers: share of the sector's output the industry "
            "buys; ONS UK input-output analytical tables 2019. Local LQ: the industry's share of "
            f"the area's {p.total_jobs:,.0f} jobs / its share of Great Britain jobs, "
            f"{p.period.end} (left out where the file lacks its classes). Multiplier: "
            + (p.supply_chain[0].multiplier.method if p.supply_chain else "") + "."
        ),
        compact=True,
    )


def _opportunity_table(p: AreaProfile) -> Table | None:
    if not p.related_opportunities:
        return None
    e = p.period.end
    return Table(
        [Column("SIC"), Column("Class"), Column("Relatedness density", ".2f"),
         Column(f"LQ vs GB {e}", ".2f"), Column(f"GB jobs {e}", ",.0f"), Column("Builds on")],
        [[o.sic, o.label, o.density, o.lq, o.national_jobs,
          "; ".join(f"{r.label} (LQ {r.lq:.2f})" for r in o.related_present[:3])]
         for o in p.related_opportunities],
        caption=(
            f"Table 1.5 Feasible next classes for {p.area.name}: advanced manufacturing industries "
            f"(4-digit SIC classes) with LQ below 1 "
            f"in {e}, ranked by relatedness density (0-1). {p.relatedness_method or ''}"
        ),
        compact=True,
    )


def _em_table(p: AreaProfile) -> Table | None:
    rows = [[r.label, r.esteban_marquillas.homothetic_employment,
             r.esteban_marquillas.competitive, r.esteban_marquillas.homothetic_competitive,
             r.esteban_marquillas.allocation, r.esteban_marquillas.allocation_type]
            for r in p.sectors if r.esteban_marquillas is not None]
    if not rows:
        return None
    s, e = p.period.start, p.period.end
    return Table(
        [Column("Sector"), Column(f"Homothetic jobs {s}", ",.0f"),
         Column(f"Local effect {s}-{e}", "+,.0f"),
         Column(f"Homothetic competitive {s}-{e}", "+,.0f"),
         Column(f"Allocation {s}-{e}", "+,.0f"), Column("Allocation type")],
        rows,
        caption=(
            f"Table 1.6 Esteban-Marquillas (1972) split of the local effect in Table 1.2 "
            f"(jobs, {s}-{e}): homothetic jobs = the area's {s} jobs x the sector's GB share; "
            "homothetic competitive = homothetic jobs x (local - national sector growth); "
            "allocation = (jobs - homothetic jobs) x the same growth difference."
        ),
        compact=True,
    )


def _analysis(bundle: ReportBundle, images: dict[str, Any]) -> list[Block]:
    """Supply chains, related diversification, variety and clusters (issue 11)."""
    p = bundle.profile
    if p.class_detail is None:
        return []
    out: list[Block] = [Heading("Supply chains, related diversification and clusters", 2),
                        Paragraph(p.class_detail, "note")]
    table = _supply_chain_table(p)
    if table is not None:
        out.append(table)
    if p.io_multiplier is not None:
        out.append(Paragraph(
            f"Regional Type I output multiplier of {p.area.name}'s advanced manufacturing: "
            f"{p.io_multiplier.type_i:.3f}. {p.io_multiplier.method}."))
    table = _opportunity_table(p)
    if table is not None:
        out.append(table)
    if "feasible_next" in images:
        out.append(Figure("feasible_next", images["feasible_next"].caption))
    if p.total_variety is not None:
        out.append(Paragraph(
            f"Related variety {p.related_variety:.2f} bits and unrelated variety "
            f"{p.unrelated_variety:.2f} bits ({p.period.end}), together the total entropy of "
            f"{p.total_variety:.2f} bits. {p.variety_method or ''}"))
    table = _em_table(p)
    if table is not None:
        out.append(table)
    if p.cluster is not None:
        for row in p.cluster.sectors:
            out.append(Paragraph(
                f"{row.label} (LQ {(row.lq or 0):.2f}, {p.period.end}): {row.text} (local Moran "
                f"{row.quadrant}, p = {row.local_p:.3f}; global Moran's I {row.moran_i:.2f}, "
                f"p = {row.moran_p:.3f}).", "bullet"))
        out.append(Paragraph(
            f"Spatial weights: {p.cluster.weights}; centroids: {p.cluster.centroids}; "
            f"{p.cluster.permutations} permutations, seed {p.cluster.seed}.", "note"))
    if "cluster_map" in images:
        out.append(Figure("cluster_map", images["cluster_map"].caption))
    elif bundle.cluster_map_note:
        out.append(Paragraph(bundle.cluster_map_note, "note"))
    return out


_KIND_TITLES = {
    "strength": "Strengths",
    "bottleneck": "Bottlenecks",
    "opportunity": "Opportunities",
    "risk": "Risks",
}


def _finding_text(f: Any) -> str:
    if f.origin == "local_knowledge":
        return f"[Local knowledge] {f.text}"
    return f.text


def _findings(bundle: ReportBundle) -> list[Block]:
    kept = standing(bundle.profile.findings)
    rejected = [*bundle.rejected_findings, *(f for f in bundle.profile.findings if not f.stands)]
    local = [f for f in kept if f.origin == "local_knowledge"]
    out: list[Block] = [Heading(SECTION_TITLES[1])]
    out.append(Paragraph(
        f"{len(kept)} finding(s) stand: {sum(f.status == 'accepted' for f in kept)} accepted and "
        f"{sum(f.status == 'proposed' for f in kept)} proposed but not yet reviewed (these still "
        f"count); {len(local)} come from local knowledge (marked [Local knowledge]); "
        f"{len(rejected)} were rejected and are left out of the rules."
    ))
    if not kept:
        out.append(Paragraph("No findings stand for this area and period.", "note"))
    for kind, title in _KIND_TITLES.items():
        items = [f for f in kept if f.kind == kind]
        if not items:
            continue
        out.append(Heading(title, 2))
        rows = [[_finding_text(f), label("sector", f.sector) if f.sector else "", f.threshold,
                 f"{confidence_word(f.confidence)} ({f.confidence:.2f})", f.status,
                 label("finding_origin", f.origin), f.note]
                for f in items]
        out.append(Table(
            [Column("Finding"), Column("Sector"), Column("Judged against"),
             Column("Confidence"), Column("Status"), Column("Origin"),
             Column("Source / note")],
            rows,
            caption=(
                f"{title}: each finding with the yardstick it was judged against; confidence "
                "0-1 falls where counts are small or suppressed."
            ),
            compact=True,
        ))
    if rejected:
        out.append(Paragraph(
            "; ".join(f"{f.text}" for f in rejected), "note", label="Rejected by the user: "))
    return out


def _rationale(bundle: ReportBundle) -> list[Block]:
    out: list[Block] = [Heading(SECTION_TITLES[2])]
    out += _questions_block(bundle, "rationale")
    by_rationale: dict[str, list[str]] = {}
    for rec in bundle.recommendations.get("recommended", []):
        for r in rec.get("rationales", []):
            by_rationale.setdefault(r, []).append(rec["intervention"])
    if by_rationale:
        out.append(Heading("Rationales behind the recommendations", 2))
        rows = [[_label(r), RATIONALE_CATEGORIES.get(r, "").replace("_", " "),
                 ", ".join(bundle.intervention_name(i) for i in ids)]
                for r, ids in by_rationale.items()]
        out.append(Table(
            [Column("Rationale"), Column("Kind"), Column("Recommended interventions")], rows,
            caption="Market, system and equity failures named by the rules that fired.",
        ))
    return out


def _target(bundle: ReportBundle) -> list[Block]:
    out: list[Block] = [Heading(SECTION_TITLES[3])]
    out += _questions_block(bundle, "target")
    focal = bundle.session.answers.get("focal_sectors")
    if isinstance(focal, list) and focal:
        rows = []
        for sid in focal:
            try:
                r = bundle.profile.sector(str(sid))
            except KeyError:
                continue
            rows.append([r.label, r.employment, r.share, r.lq, r.growth])
        if rows:
            p = bundle.profile
            out.append(Table(
                [Column("Focal sector"), Column(f"Jobs {p.period.end}", ",.0f"),
                 Column(f"Share of all jobs {p.period.end}", ".2%"),
                 Column(f"LQ vs GB {p.period.end}", ".2f"),
                 Column(f"Growth p.a. {bundle.period_label}", "+.1%")],
                rows,
                caption=(
                    f"Focal sectors with their evidence; share = sector jobs / all "
                    f"{p.total_jobs:,.0f} jobs in {p.period.end}."
                ),
            ))
    if bundle.mix is not None:
        b = bundle.mix.balance
        out.append(Paragraph(
            ", ".join(f"{b.counts[t]} {t}" for t in b.counts) + f" ({b.judgement}).",
            label="The chosen mix by target type: ",
        ))
    return out


def _aims(bundle: ReportBundle, images: dict[str, Any]) -> list[Block]:
    out: list[Block] = [Heading(SECTION_TITLES[4])]
    out += _questions_block(bundle, "aims")
    out.append(Heading("Chosen interventions", 2))
    out.append(Paragraph(f"Basis: {bundle.chosen_basis}.", "note"))
    if not bundle.chosen:
        out.append(Paragraph("No interventions were chosen or recommended.", "note"))
        return out
    scores = {r["intervention"]: r["score"] for r in bundle.recommendations.get("recommended", [])}
    rows = []
    for iv in bundle.chosen:
        low, high = iv.cost.per_year()
        rows.append([
            iv.name, iv.family, iv.target_type, ", ".join(_label(r) for r in iv.rationales),
            f"GBP {low:,.2f}-{high:,.2f}m a year",
            f"{iv.time_to_impact_years.low:g}-{iv.time_to_impact_years.high:g} years",
            iv.evidence.strength, scores.get(iv.id),
        ])
    out.append(Table(
        [Column("Intervention"), Column("Family"), Column("Target type"), Column("Rationales"),
         Column("Indicative cost (catalogue)"), Column("Time to impact"),
         Column("Evidence"), Column("Rule score", ".2f")],
        rows,
        caption=(
            "Chosen interventions. Costs are the catalogue's indicative public cost range per "
            "year at local scale (a total spread over its duration); rule score is the sum over "
            "fired rules of weight x mean finding confidence ('-' = not recommended by the rules)."
        ),
        compact=True,
    ))
    for key in [k for k in images if k.startswith("mix:")]:  # the merged chain, a stage at a time
        out.append(Figure(key, images[key].caption))
    d = bundle.diagnostics
    if d is not None:
        out.append(Heading("Coverage of the intended impacts", 2))
        scope = (
            "the impacts chosen in the session" if bundle.intended_impacts
            else "every impact in the shared vocabulary (none chosen in the session)"
        )
        out.append(Table(
            [Column("Impact"), Column("Node-disjoint pathways", "d"),
             Column("Interventions"), Column("Single points of failure")],
            [[_label(c.impact), c.pathways, ", ".join(c.interventions),
              ", ".join(_label(n) for n in c.bottleneck)] for c in d.coverage],
            caption=f"How the merged chains reach {scope}.",
        ))
        out.append(Heading("Gaps, overlaps and complementarities", 2))
        if not (d.gaps or d.overlaps or d.complementarities):
            out.append(Paragraph("No gaps, overlaps or complementarities found.", "note"))
        for g in d.gaps:
            out.append(Paragraph(g.message, "bullet", label=f"Gap ({word(g.kind)}): "))
        for o in d.overlaps:
            out.append(Paragraph(o.message, "bullet", label="Overlap: "))
        for c in d.complementarities:
            out.append(Paragraph(c.message, "bullet", label="Complementarity: "))
    out.append(Heading("Causal chain of each intervention", 2))
    for iv in bundle.chosen:
        out.append(Heading(iv.name, 3))
        out.append(Paragraph(iv.description))
        key = f"chain:{iv.id}"
        if key in images:
            out.append(Figure(key, images[key].caption))
        out.append(Paragraph(f"{iv.evidence.note} Sources: {'; '.join(iv.evidence.sources)}.",
                             "note", label=f"Evidence ({iv.evidence.strength}): "))
    return out


def _discount_text() -> str:
    bands = list(GREEN_BOOK_STPR)
    parts = []
    for i, b in enumerate(bands):
        end = bands[i + 1].start_year - 1 if i + 1 < len(bands) else None
        span = f"years {b.start_year}-{end}" if end is not None else f"from year {b.start_year}"
        parts.append(f"{b.rate:.1%} ({span})")
    return (
        "Discounting: HM Treasury Green Book (2022) social time preference rate, "
        + ", ".join(parts) + "; year 0 is the first year of spend and is not discounted, "
        "DF(t) = DF(t-1) / (1 + r_t). Amounts are GBP million in real terms."
    )


def _appraisal(bundle: ReportBundle) -> list[Block]:
    st, res = bundle.appraisal, bundle.results
    out: list[Block] = [Heading(SECTION_TITLES[5])]
    if res.problems:
        for p in res.problems:
            out.append(Paragraph(p, "warning", label="Appraisal problem: "))
    out.append(Heading("Spending objectives and critical success factors", 2))
    if st.spending_objectives:
        out.append(Table(
            [Column("Objective"), Column("Measure"), Column("Target")],
            [[o.statement, o.measure, o.target or "(to be set)"] for o in st.spending_objectives],
            caption="Spending objectives (Green Book 2022, chapter 4).",
        ))
    else:
        out.append(Paragraph("No spending objectives recorded.", "note"))
    if st.critical_success_factors:
        out.append(Table(
            [Column("Critical success factor"), Column("Description")],
            [[c.label, c.description] for c in st.critical_success_factors],
            caption="Critical success factors used to sift the long list.",
        ))
    out.append(Heading("Options", 2))
    kept = set(res.kept)
    rows = []
    for o in st.options:
        status = "short-listed" if o.id in kept else f"dropped: {st.dropped.get(o.id, '')}"
        rows.append([
            o.name + (" (baseline)" if o.is_baseline else ""),
            ", ".join(bundle.intervention_name(i.intervention_id) for i in o.interventions)
            or "none (current policy continues)",
            o.total_budget_gbp_m, status,
        ])
    out.append(Table(
        [Column("Option"), Column("Interventions"), Column("Total budget (GBP m, real)", ",.2f"),
         Column("Status")],
        rows,
        caption="Long list of options with business as usual as the baseline; budgets are "
        "undiscounted totals over each intervention's duration, GBP million in real terms.",
    ))
    out.append(Heading("Criteria and weights", 2))
    swing = {r.criterion_id: r for r in res.swing}
    total_raw = sum(st.swing_weights.get(c.id, 0.0) for c in st.criteria if c.id in swing)
    out.append(Table(
        [Column("Criterion"), Column("Worst option (score)"), Column("Best option (score)"),
         Column("Swing weight (0-100)", ",.0f"), Column("Normalised weight", ".1%")],
        [[c.label,
          f"{bundle.option_name(swing[c.id].worst_option)} ({swing[c.id].worst:.0f})"
          if c.id in swing else "unscored: not used",
          f"{bundle.option_name(swing[c.id].best_option)} ({swing[c.id].best:.0f})"
          if c.id in swing else "-",
          st.swing_weights.get(c.id), swing[c.id].weight if c.id in swing else None]
         for c in st.criteria],
        caption="Swing weighting (DCLG 2009 MCDA manual, chapter 6): each weight judges how "
        "much the swing from the worst to the best option on that criterion matters, the "
        f"largest swing getting 100; normalised weight = swing weight / {total_raw:,.0f} (the "
        "sum over the criteria in use). Unscored criteria carry no weight until scored.",
        compact=True,
    ))
    if res.excluded_criteria:
        out.append(Paragraph("; ".join(res.excluded_criteria.values()) + ".", "note",
                             label="Left out of the totals: "))

    out.append(Heading("Scores and rationales", 2))
    labels = {c.id: c.label for c in st.criteria}
    order = {c.id: i for i, c in enumerate(st.criteria)}
    opt_order = {o.id: i for i, o in enumerate(st.options)}
    scores = sorted(res.scores or st.scores, key=lambda s: (opt_order.get(s.option_id, 99),
                                                            order.get(s.criterion_id, 99)))
    out.append(Table(
        [Column("Option"), Column("Criterion"), Column("Score (0-100)", ".0f"),
         Column("Rationale")],
        [[bundle.option_name(s.option_id), labels.get(s.criterion_id, s.criterion_id),
          s.value if s.value is not None else "unscored", s.rationale] for s in scores],
        caption="Scores on a 0-100 scale, higher is better on every criterion, with the reason "
        "given for each; 'unscored' where no evidence supports a score yet. Value for money "
        f"follows each option's cost-benefit result unless the user set it: {VFM_SCORE_BASIS} "
        f"({VFM_SOURCE}).",
        compact=True,
    ))
    out.append(Heading("Weighted totals and ranking", 2))
    if res.mcda is not None:
        crit = [c.id for c in st.criteria]
        out.append(Table(
            [Column("Rank", "d"), Column("Option"), Column("Weighted total (0-100)", ".1f")]
            + [Column(labels.get(c, c), ".1f") for c in crit],
            [[r.rank, bundle.option_name(r.option_id), r.total]
             + [r.contributions.get(c) for c in crit] for r in res.mcda.rows],
            caption="Weighted total = sum over criteria of normalised weight x score; the "
            "criterion columns show each contribution (they add up to the total).",
            compact=True,
        ))
    else:
        out.append(Paragraph("The MCDA could not be run; see the problems above.", "warning"))
    out += _cba(bundle)
    return out


def _cba(bundle: ReportBundle) -> list[Block]:
    st, res = bundle.appraisal, bundle.results
    out: list[Block] = [Heading("Cost-benefit analysis", 2), Paragraph(_discount_text())]
    rows = []
    for oid, r in res.cba.items():
        inputs = st.cba.get(oid)
        add = inputs.additionality if inputs is not None else None
        add_text = (
            f"x{r.additionality_factor:.3f} (deadweight {add.deadweight:.0%}, displacement "
            f"{add.displacement:.0%}, leakage {add.leakage:.0%}, substitution "
            f"{add.substitution:.0%}, multiplier {add.multiplier:.2f})"
            if add is not None else f"x{r.additionality_factor:.3f}"
        )
        ob = "; ".join(f"{o.spend_type} {o.percent:g}% ({o.label})"
                       for o in r.optimism_bias_applied) or f"{r.optimism_bias_pct:g}%"
        rows.append([
            bundle.option_name(oid), r.pv_costs, r.pv_private_costs, r.pv_benefits, r.npv,
            r.bcr, r.vfm_label or "not assessed", r.bcr_uk,
            "none: no benefits" if r.switching.benefits_pct is None
            else r.switching.benefits_pct,
            "none: no costs" if r.switching.costs_pct is None else r.switching.costs_pct,
            ob, add_text,
        ])
    if rows:
        out.append(Table(
            [Column("Option"), Column("PV public costs (GBP m)", ",.2f"),
             Column("PV private co-funding (GBP m)", ",.2f"),
             Column("PV net benefits (GBP m)", ",.2f"), Column("Social NPV (GBP m)", "+,.2f"),
             Column("BCR", ".2f"), Column("Value for money"), Column("BCR, UK level", ".2f"),
             Column("Switching value: benefits (%)", "+.1f"),
             Column("Switching value: costs (%)", "+.1f"), Column("Optimism bias"),
             Column("Additionality (net / gross)")],
            rows,
            caption=(
                "Present values at the Green Book discount rates, GBP million, real terms. BCR = "
                "PV net additional benefits / PV public costs ('-' until benefits are entered); "
                "social NPV = PV benefits - PV public costs - PV private co-funding. Value for "
                f"money: poor < 1, low 1-1.5, medium 1.5-2, high 2-4, very high > 4 ({VFM_SOURCE})."
                " Switching values (Green Book 2022, chapter 5): the % change in PV benefits "
                "(NPV / PV benefits, negative: how far they can fall) or in PV costs (NPV / PV "
                "costs, positive: how far they can rise) that makes NPV zero."
            ),
            compact=True,
        ))
    for oid, reason in res.cba_skipped.items():
        out.append(Paragraph(reason, "note", label=f"No CBA for {bundle.option_name(oid)}: "))
    for w in res.warnings:
        out.append(Paragraph(w, "warning", label="Note: "))
    for t, d in OPTIMISM_BIAS_DEFAULTS.items():
        out.append(Paragraph(d.basis, "note", label=f"Optimism bias, {t} default: "))
    known = ", ".join(f"{b.label} {b.capex_upper_pct:g}%" for b in OPTIMISM_BIAS_TABLE.values())
    out.append(Paragraph(
        f"Upper-bound optimism bias by project type: {known}.", "note",
        label="Optimism bias reference: "))
    out.append(Paragraph(
        "Default additionality: benchmarks by intervention type and geography, "
        f"{ADDITIONALITY_SOURCE}; "
        "the multiplier is the area's input-output multiplier where the profile has one. "
        "Edit each in the appraisal step.", "note", label="Additionality: "))
    sens = {oid: r for oid, r in res.cba.items() if r.sensitivity}
    if sens:
        cases = next(iter(sens.values())).sensitivity
        out.append(Heading("Sensitivity of the cost-benefit results", 3))
        out.append(Table(
            [Column("Option"), Column("Base BCR", ".2f")]
            + [Column(c.label + " (BCR)", ".2f") for c in cases],
            [[bundle.option_name(oid), r.bcr] + [c.bcr for c in r.sensitivity]
             for oid, r in sens.items()],
            caption="BCR with one main driver changed at a time (Green Book 2022, chapter 5); "
            "benefits optimism is the shortfall in benefits the guidance asks to consider.",
            compact=True,
        ))
    top = _top_option(bundle)
    shown = [top.id] if top is not None and top.id in res.cba else list(res.cba)[:1]
    for oid in shown:
        r = res.cba[oid]
        dated = any(y.calendar_year is not None for y in r.years)  # else a column of blanks
        out.append(Heading(f"Cash flows: {bundle.option_name(oid)}", 3))
        out.append(Table(
            [Column("Year", "d")] + ([Column("Calendar year", "d")] if dated else [])
            + [Column("Cost before OB", ",.3f"), Column("Cost", ",.3f"),
               Column("Benefit (gross)", ",.3f"), Column("Benefit (net)", ",.3f"),
               Column("Discount factor", ".4f"), Column("PV cost", ",.3f"),
               Column("PV benefit", ",.3f"), Column("Cumulative NPV", "+,.3f")],
            [[y.year] + ([y.calendar_year] if dated else [])
             + [y.cost_base, y.cost, y.benefit_gross, y.benefit,
                y.discount_factor, y.pv_cost, y.pv_benefit, y.cumulative_npv] for y in r.years],
            caption=(
                f"Yearly streams of {bundle.option_name(oid)}, GBP million, real terms; cost "
                f"includes {r.optimism_bias_pct:.0f}% optimism bias (public and private); PV = "
                "amount x discount factor. Every option's streams are in the workbook."
            ),
            compact=True,
        ))
    return out


NO_CHANGE = "does not change within the range"
"""A weight threshold that does not exist: a weight share cannot pass 0 or 100%."""


def _sensitivity(bundle: ReportBundle, images: dict[str, Any]) -> list[Block]:
    res = bundle.results
    out: list[Block] = [Heading(SECTION_TITLES[6])]
    if res.stability_statement:
        out.append(Paragraph(res.stability_statement, label="Rank stability: "))
    labels = {c.id: c.label for c in bundle.appraisal.criteria}
    if res.thresholds:
        out.append(Heading("Weight thresholds", 2))
        out.append(Table(
            [Column("Criterion"), Column("Weight", ".1%"), Column("Top option"),
             Column("Lower threshold", ".1%"), Column("Top below it"),
             Column("Upper threshold", ".1%"), Column("Top above it")],
            [[labels.get(t.criterion_id, t.criterion_id), t.weight,
              bundle.option_name(t.top_option),
              NO_CHANGE if t.lower is None else t.lower,
              bundle.option_name(t.top_below) if t.top_below else "",
              NO_CHANGE if t.upper is None else t.upper,
              bundle.option_name(t.top_above) if t.top_above else ""] for t in res.thresholds],
            caption="How far each normalised weight can move (the others rescaled in proportion) "
            "before the top option changes, within the range a weight share has (0 to 100%).",
        ))
    if res.stability is not None:
        stab = res.stability
        out.append(Heading("Rank stability", 2))
        n = len(stab.option_ids)
        expected = stab.expected_rank()
        out.append(Table(
            [Column("Option"), Column("P(first)", ".1%"), Column("Expected rank", ".2f")]
            + [Column(f"P(rank {r + 1})", ".1%") for r in range(n)],
            [[bundle.option_name(o), stab.p_first[o], expected[o]]
             + list(stab.rank_probabilities[o]) for o in stab.option_ids],
            caption=(
                f"Share of {stab.n_draws:,} random weight draws (Dirichlet around the chosen "
                f"weights, concentration {stab.concentration:g}, seed {stab.seed}) in which each "
                "option takes each rank."
            ),
        ))
        if "rank_stability" in images:
            out.append(Figure("rank_stability", images["rank_stability"].caption))
    if not res.thresholds and res.stability is None:
        out.append(Paragraph("No sensitivity analysis: the MCDA could not be run.", "warning"))
    return out


def _mix_checks(bundle: ReportBundle) -> list[Block]:
    out: list[Block] = [Heading(SECTION_TITLES[7])]
    m = bundle.mix
    if m is None:
        out.append(Paragraph("No interventions chosen, so there is no mix to check.", "note"))
        return out
    out.append(Paragraph(f"Checked: {m.option_name} ({bundle.chosen_basis}).", "note"))
    b = m.balance
    out.append(Heading("Balance", 2))
    out.append(Table(
        [Column("Target type"), Column("Interventions", "d"), Column("Budget (GBP m)", ",.2f"),
         Column("Share of budget", ".0%"), Column("Which")],
        [[t, b.counts.get(t), b.budget_gbp_m.get(t), b.budget_shares.get(t),
          ", ".join(bundle.intervention_name(i) for i in b.interventions.get(t, []))]
         for t in b.counts],
        caption=f"Horizontal, vertical and mission-oriented measures; budgets: {b.budget_basis}, "
        f"share = type budget / total GBP {b.total_budget_gbp_m:,.2f}m.",
    ))
    out.append(Paragraph(b.judgement, label="Judgement: "))
    a = m.alignment
    out.append(Heading("Alignment with national programmes", 2))
    out.append(Table(
        [Column("Intervention"), Column("National programmes")],
        [[bundle.intervention_name(i), "; ".join(p) or "none"]
         for i, p in a.by_intervention.items()],
    ))
    out.append(Paragraph(a.judgement, label="Judgement: "))
    out += _coordination(bundle, a)
    c = m.complementarity
    out.append(Heading("Complementarity", 2))
    out.append(Paragraph(c.judgement, label="Judgement: "))
    for outcome, ids in c.shared_outcomes.items():
        out.append(Paragraph(", ".join(bundle.intervention_name(i) for i in ids), "bullet",
                             label=f"{_label(outcome)}: "))
    n = m.niche_risk
    out.append(Heading("Niche risk", 2))
    if n.items:
        # One row a sector an intervention backs: each sector is judged on its own share
        # (policy.mix.NicheItem), so a 0.2% sector beside a 14% one is still a niche.
        out.append(Table(
            [Column("Vertical intervention"), Column("Sector"),
             Column("Share of local jobs", ".2%"), Column("Niche"),
             Column("Budget aimed at it (GBP m)", ",.2f")],
            [[bundle.intervention_name(i.intervention_id), _label(s), i.sector_shares.get(s),
              s in i.niche_sectors,
              i.budget_gbp_m / len(i.sectors) if i.sectors else None]
             for i in n.items for s in i.sectors],
            caption=f"Share of local jobs = the sector's jobs / all jobs in the area, "
            f"{bundle.profile.period.end}; a sector is a niche below {n.threshold:.0%} of local "
            "jobs, judged sector by sector, or when it is a specialism resting on a handful of "
            "jobs (a risk finding); an intervention's budget is split equally between "
            "the sectors it backs (an option does not say how it divides).",
        ))
    out.append(Paragraph(n.judgement, label="Judgement: "))
    out.append(Paragraph(n.mitigation or "(none recorded)", label="Mitigation recorded: "))
    if bundle.option_mixes:
        out.append(Heading("Checks by option", 2))
        out.append(Table(
            [Column("Option"), Column("Balance"), Column("Alignment"),
             Column("Niche share of budget", ".0%"), Column("Niche risk")],
            [[r.option_name, r.balance.judgement, r.alignment.judgement, r.niche_risk.share,
              r.niche_risk.judgement] for r in bundle.option_mixes.values()],
            compact=True,
        ))
    return out


def _coordination(bundle: ReportBundle, a: AlignmentReport) -> list[Block]:
    """Programmes in or near the place, the flags, and who leads and partners each measure."""
    out: list[Block] = [Heading("Co-ordination: who leads, and what is already there", 2)]
    if a.place:
        out.append(Paragraph(a.place, "note"))
    if a.presence:
        out.append(Table(
            [Column("Programme"), Column("Where"), Column("Source (as of)")],
            [[p.name, p.where_text + (f", {p.distance_km:g} km" if p.distance_km else ""),
              f"{p.source} ({p.as_of})"] for p in a.presence],
            caption="National programmes in or near the area (policy/data/programmes.yaml; "
            "indicative - check each against its source).", compact=True,
        ))
    out += [Paragraph(f.message, "bullet", label="Flag: ") for f in a.flags]
    labels = dict(ACTOR_LABELS)
    out.append(Table(
        [Column("Intervention"), Column("Lead"), Column("Partners"), Column("Co-ordinate with")],
        [[iv.name,
          ", ".join(labels[x] for x in iv.delivery.lead) if iv.delivery else "not stated",
          ", ".join(labels[x] for x in iv.delivery.partners) if iv.delivery else "",
          "; ".join(a.coordinate.get(iv.id, [])) or "-"] for iv in bundle.chosen],
        caption="Who would lead and partner each intervention locally (catalogue), and the "
        "programmes in or near the area to deliver it with.", compact=True,
    ))
    return out


def _generic(value: Any, heading: str) -> list[Block]:
    """Render a workshop entry of unknown shape: tables for records, lists for scalars."""
    out: list[Block] = [Heading(heading, 2)]
    if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        keys = list(dict.fromkeys(k for v in value for k in v))
        out.append(Table([Column(_label(k)) for k in keys],
                         [[_cell(v.get(k)) for k in keys] for v in value]))
    elif isinstance(value, list):
        out += [Paragraph(format_value(v), "bullet") for v in value] or [
            Paragraph("(none)", "note")]
    elif isinstance(value, dict) and value and all(isinstance(v, dict) for v in value.values()):
        keys = list(dict.fromkeys(k for v in value.values() for k in v))
        out.append(Table([Column("")] + [Column(_label(k)) for k in keys],
                         [[name] + [_cell(v.get(k)) for k in keys] for name, v in value.items()]))
    elif isinstance(value, dict):
        out.append(Table([Column("Item"), Column("Value")],
                         [[_label(k), _cell(v)] for k, v in value.items()]))
    else:
        out.append(Paragraph(format_value(value)))
    return out


def _cell(value: Any) -> Any:
    if isinstance(value, float):
        return Num(value, ",.4g")
    if isinstance(value, dict | list):
        return format_value(value) if isinstance(value, list) else str(value)
    return value


def _workshop(bundle: ReportBundle) -> list[Block]:
    w = bundle.workshop
    if not w:
        return []
    out: list[Block] = [Heading(SECTION_TITLES[9])]
    first = ("participants", "aggregated_scores", "contributions")
    for key in [k for k in first if k in w] + [k for k in w if k not in first]:
        out += _generic(w[key], _label(key).capitalize())
    return out


def _trace(bundle: ReportBundle) -> list[Block]:
    out: list[Block] = [Heading(APPENDIX_TITLES[0])]
    recs = bundle.recommendations.get("recommended", [])
    if not recs:
        out.append(Paragraph("No rule fired for this area, so nothing was recommended.", "note"))
    findings = bundle.findings_by_id()
    out.append(Paragraph(
        "Each recommendation's score is the sum over the rules that fired of the rule's weight "
        "x the mean confidence of the findings that fired it. Each test shows the value found "
        "and the threshold it was compared with."
    ))
    for rank, rec in enumerate(recs, start=1):
        iid = rec["intervention"]
        out.append(Heading(f"{rank}. {bundle.intervention_name(iid)}", 2))
        out.append(Paragraph(
            f"score {rec['score']:.3f}; rationales: "
            f"{', '.join(_label(r) for r in rec.get('rationales', [])) or 'none'}; sectors: "
            f"{', '.join(_label(s) for s in rec.get('sectors', [])) or 'not sector-specific'}."
        ))
        for raw in rec.get("trace", []):
            fired = FiredRule.model_validate(raw)
            out.append(Paragraph(
                f"{fired.title}. {fired.why} (rationale: {_label(fired.rationale).lower()}; "
                f"{needs_words(fired)})",
                label="Rule: ",
            ))
            out.append(Table(
                [Column("Test"), Column("Result")],
                [[f"{i}. {condition_words(c)}", "met" if c.result else "not met"]
                 for i, c in enumerate(fired.conditions, start=1)],
                caption=f"The tests of the rule '{fired.title}' with the values found.",
                compact=True,
            ))
            ids = list(dict.fromkeys(fid for c in fired.conditions for fid in c.findings))
            for fid in ids:
                f = findings.get(fid)
                text = (
                    f"{_finding_text(f)} (judged against: {f.threshold}; confidence "
                    f"{confidence_word(f.confidence)}, {f.confidence:.2f}; {f.status})"
                    if f is not None else "(finding not found)"
                )
                head = finding_heading(f) if f is not None else "Evidence"
                out.append(Paragraph(text, "bullet", label=f"{head}: "))
    return out


def _not_recommended(bundle: ReportBundle) -> list[Block]:
    out: list[Block] = [Heading(APPENDIX_TITLES[1])]
    items = bundle.recommendations.get("not_recommended", [])
    if not items:
        out.append(Paragraph("Every intervention in the catalogue was recommended.", "note"))
        return out
    out.append(Table(
        [Column("Intervention"), Column("Id"), Column("Why not")],
        [[bundle.intervention_name(i["intervention"]), i["intervention"],
          "; ".join(i.get("why", []))] for i in items],
        caption="Catalogue interventions no rule recommended, with the first failed condition "
        "of each rule that could have: what evidence would change the answer.",
        compact=True,
    ))
    return out


def _data_notes(bundle: ReportBundle) -> list[Block]:
    p = bundle.profile
    out: list[Block] = [Heading(APPENDIX_TITLES[2])]
    if bundle.synthetic:
        out.append(Paragraph(SYNTHETIC_STATEMENT, "warning"))
    out.append(Paragraph(bundle.source_label, label="Source: "))
    out.append(Paragraph(
        f"all jobs in the area: {p.total_jobs_basis}; national reference: {p.national_basis}; "
        f"period {bundle.period_label}, point estimates for {p.period.end}.",
        label="Bases used: ",
    ))
    if bundle.source_rounding:
        out.append(Paragraph(f"counts are rounded to the nearest {bundle.source_rounding}.",
                             label="Rounding: "))
    suppressed = [(r.label, r.suppressed_cells, r.note) for r in p.sectors
                  if r.suppressed_cells or r.note]
    out.append(Paragraph(
        f"{bundle.source_suppressed_cells:,} suppressed cell(s) in the whole data set; "
        f"{sum(s[1] for s in suppressed):,} in this area's sectors. Suppressed cells are "
        "treated as missing, never as zero, and lower the confidence of findings resting on them.",
        label="Suppressed cells: ",
    ))
    if suppressed:
        out.append(Table(
            [Column("Sector"), Column("Suppressed cells", "d"), Column("Note")],
            [[label, n, note or ""] for label, n, note in suppressed],
        ))
    for note in bundle.data_notes:
        out.append(Paragraph(note, "bullet"))
    for d in bundle.defaults_used:
        out.append(Paragraph(d, "bullet", label="Default used: "))
    for w in bundle.warnings:
        out.append(Paragraph(w, "bullet", label="Warning: "))
    return out


def report_blocks(bundle: ReportBundle) -> list[Block]:
    """Every block of the report in order (title page first)."""
    images = bundle.images()
    blocks: list[Block] = [_title_page(bundle), PageBreak()]
    for part in (
        _summary(bundle),
        _evidence(bundle, images),
        _findings(bundle),
        _rationale(bundle),
        _target(bundle),
        _aims(bundle, images),
        _appraisal(bundle),
        _sensitivity(bundle, images),
        _mix_checks(bundle),
        _evaluation(bundle),
        _workshop(bundle),
        _trace(bundle),
        _not_recommended(bundle),
        _data_notes(bundle),
    ):
        blocks += part
    return blocks


def headings(blocks: Sequence[Block] | Iterable[Block], level: int = 1) -> list[str]:
    """The heading texts of one level, in order (used by tests and a table of contents)."""
    return [b.text for b in blocks if isinstance(b, Heading) and b.level == level]



# --------------------------------------------------------------------------------------------
# Executive summary and the monitoring and evaluation plan


def _position(bundle: ReportBundle) -> str:
    """The area's position in three sentences: scale, the leading strength, the main gap."""
    p = bundle.profile
    kept = standing(p.findings)
    lead = [r for r in p.sectors if r.lq is not None and r.employment]
    first = (
        f"{p.area.name} has {p.am_jobs:,.0f} advanced manufacturing jobs, {p.am_share:.1%} of "
        f"its {p.total_jobs:,.0f} jobs ({p.period.end})"
    )
    if lead:
        top = max(lead, key=lambda r: r.lq or 0.0)
        if (top.lq or 0.0) >= 1.0:  # an LQ under 1 is under-representation, not specialisation
            first += f"; its most specialised sector is {top.label} (LQ {top.lq:.2f} against GB)"
        else:
            first += f"; no sector is specialised (largest LQ {top.lq:.2f}, {top.label})"
    sentences = [first + "."]
    for kinds, lead_in, none in (
        (("strength", "opportunity"), "Its main strength", "No strength stands out in the data."),
        (("bottleneck", "risk"), "Its main constraint", "No bottleneck or risk was found."),
    ):
        items = sorted((f for f in kept if f.kind in kinds), key=lambda f: -f.confidence)
        sentences.append(f"{lead_in}: {items[0].text}" if items else none)
    return " ".join(s if s.endswith(".") else s + "." for s in sentences)


def _top_option(bundle: ReportBundle) -> Any:
    res = bundle.results
    if res.mcda is None:
        return None
    return next((o for o in bundle.appraisal.options if o.id == res.mcda.top), None)


def _summary(bundle: ReportBundle) -> list[Block]:
    """The answer first (Green Book 2022 business case practice: the recommendation, its cost
    and value for money, risks and what would change it, on the first page)."""
    st, res = bundle.appraisal, bundle.results
    out: list[Block] = [Heading(SUMMARY_TITLE)]
    out.append(Paragraph(_position(bundle), label="Position: "))
    top = _top_option(bundle)
    if top is None:
        out.append(Paragraph(
            "No recommendation yet: the multi-criteria analysis could not be run ("
            + "; ".join(res.problems) + ").", "warning", label="Recommended option: "))
    elif res.verdict is not None and res.verdict.winner is None:
        close = names_text([bundle.option_name(o) for o in res.verdict.close])
        out.append(Paragraph(
            f"no clear winner between {close}. {res.stability_statement} Choose between them "
            "on what the scores leave out (the unscored criteria, value for money once "
            "benefits are in), not on this ranking.", "warning", label="Recommended option: "))
    else:
        why = res.stability_statement or "it has the highest weighted total."
        lead = "business as usual: no new option beats the baseline. " if top.is_baseline else ""
        out.append(Paragraph(f"{top.name}. {lead}{why}", label="Recommended option: "))
    if top is not None and res.verdict is not None and res.verdict.winner is None:
        opts = {o.id: o for o in st.options}
        close = [opts[o] for o in res.verdict.close if o in opts]
        out.append(Paragraph("; ".join(
            f"{o.name} GBP {o.total_budget_gbp_m:,.1f}m public budget" for o in close)
            + " (undiscounted, real terms).", label="Cost: "))
        out.append(Paragraph(" ".join(
            f"{o.name}: " + (res.cba[o.id].vfm_statement if o.id in res.cba
                             else "not assessed: no cost-benefit analysis.") for o in close),
            label="Value for money: "))
        risks = list(dict.fromkeys(r for o in close for r in _main_risks(bundle, o)))
        out.append(Paragraph("; ".join(risks[:4]) + ".", label="Main risks: "))
        out.append(Paragraph(" ".join(_what_would_change(bundle, top)),
                             label="What would change the recommendation: "))
    elif top is not None:
        if top.description:
            out.append(Paragraph(top.description, "note", label="What it is: "))
        private = sum(i.private_gbp_m for i in top.interventions)
        cba = res.cba.get(top.id)
        cost = f"GBP {top.total_budget_gbp_m:,.1f}m public budget (undiscounted, real terms)"
        if private:
            cost += f" plus GBP {private:,.1f}m private co-funding"
        if cba is not None:
            cost += (f"; present value GBP {cba.pv_costs:,.1f}m after optimism bias of "
                     f"{cba.optimism_bias_pct:.0f}%")
        out.append(Paragraph(cost + ".", label="Cost: "))
        out.append(Paragraph(
            cba.vfm_statement if cba is not None else "Not assessed: no cost-benefit analysis.",
            label="Value for money: "))
        out.append(Paragraph("; ".join(_main_risks(bundle, top)) + ".", label="Main risks: "))
        out.append(Paragraph(" ".join(_what_would_change(bundle, top)),
                             label="What would change the recommendation: "))
    if res.excluded_criteria:
        out.append(Paragraph(
            "; ".join(res.excluded_criteria.values()) + ".", "note",
            label="Not yet scored: "))
    if st.notes:
        out.append(Paragraph(st.notes, "note", label="How the options were built: "))
    out.append(PageBreak())
    return out


def _main_risks(bundle: ReportBundle, top: Any) -> list[str]:
    items = sorted(top.interventions, key=lambda i: -i.budget_gbp_m)
    risks = []
    for item in items[:3]:
        iv = bundle.catalogue.get(item.intervention_id)
        if iv is not None and iv.risks:
            risks.append(f"{iv.name}: {iv.risks[0].rstrip('.')}")
    mix = bundle.option_mixes.get(top.id)
    if mix is not None and mix.niche_risk.items and any(i.niche for i in mix.niche_risk.items):
        risks.append(mix.niche_risk.judgement.rstrip("."))
    cba = bundle.results.cba.get(top.id)
    if cba is not None:
        flips = [c.label.lower() for c in cba.sensitivity if c.vfm_category == "poor"
                 and cba.vfm_category != "poor"]
        if flips:
            risks.append("value for money turns poor with " + " or ".join(flips))
    return risks or ["no risks are recorded in the catalogue for this option"]


def _what_would_change(bundle: ReportBundle, top: Any) -> list[str]:
    res = bundle.results
    out = []
    near = [t for t in res.thresholds if t.lower is not None or t.upper is not None]
    labels = {c.id: c.label for c in bundle.appraisal.criteria}
    if near:
        t = min(near, key=lambda t: min(abs((t.lower if t.lower is not None else 9) - t.weight),
                                        abs((t.upper if t.upper is not None else 9) - t.weight)))
        for bound, who in ((t.lower, t.top_below), (t.upper, t.top_above)):
            if bound is not None and who:
                label = labels.get(t.criterion_id, t.criterion_id)
                out.append(f"A weight of {bound:.0%} on {label} (now {t.weight:.0%}) would "
                           f"put {bundle.option_name(who)} first.")
                break
    else:
        out.append("No single change of weight puts another option first.")
    cba = res.cba.get(top.id)
    if cba is not None and cba.switching.benefits_pct is not None and cba.bcr is not None:
        out.append(f"Net benefits {abs(cba.switching.benefits_pct):.0f}% "
                   f"{'lower' if cba.switching.benefits_pct < 0 else 'higher'} would bring the "
                   "NPV to zero.")
    if res.excluded_criteria:
        out.append(f"Scoring the {len(res.excluded_criteria)} unscored criteria could change "
                   "the ranking.")
    if cba is None or not cba.benefits_entered:
        out.append("Benefits are not yet estimated, so value for money cannot yet confirm it.")
    return out


def _evaluation(bundle: ReportBundle) -> list[Block]:
    """The monitoring and evaluation plan (HM Treasury 2020 Magenta Book)."""
    out: list[Block] = [Heading(SECTION_TITLES[8])]
    plan = bundle.evaluation
    if plan is None or not plan.rows:
        out.append(Paragraph("No interventions chosen, so there is nothing to evaluate yet.",
                             "note"))
        return out
    out.append(Paragraph(
        f"Evaluation plan for the chosen interventions ({bundle.chosen_basis}): a logframe from "
        "their causal chains, the impact evaluation design of each, its timing and the risks to "
        f"evaluability. Method: {plan.source}."))
    out.append(Heading("Logframe", 2))
    out.append(Table(
        [Column("Stage"), Column("Result"), Column("Indicator"), Column("Source"),
         Column("Baseline"), Column("Target"), Column("Interventions")],
        [[r.stage.rstrip("s").capitalize(), r.label, r.indicator, r.source, r.baseline,
          r.target or "(to be set)", ", ".join(r.interventions)] for r in plan.rows],
        caption=(
            "Outputs, outcomes and impacts of the merged causal chains, each with how it is "
            f"measured; baselines from the area's profile ({bundle.period_label}); "
            f"{plan.targets_set} of {len(plan.rows)} targets set."
        ),
        compact=True,
    ))
    out.append(Heading("Evaluation design", 2))
    out.append(Table(
        [Column("Intervention"), Column("Counterfactual approach"),
         Column("Maryland SMS level", "d"), Column("When it works"), Column("Data")],
        [[d.intervention, d.label, d.sms_level, d.when, "; ".join(d.data)]
         for d in plan.designs],
        caption="Impact evaluation design of each intervention (Magenta Book 2020, chapter 3); "
        "Maryland Scientific Methods Scale 1 (before and after) to 5 (randomised).",
        compact=True,
    ))
    out.append(Heading("Timing", 2))
    for when, text in plan.timing:
        out.append(Paragraph(text, "bullet", label=f"{when}: "))
    out.append(Heading("Risks to evaluability", 2))
    for risk in plan.risks:
        out.append(Paragraph(risk, "bullet"))
    return out


def summary_lines(bundle: ReportBundle) -> list[tuple[str, str]]:
    """The executive summary as (label, text) pairs, for the workbook and the page."""
    return [(b.label.rstrip(": ").strip(), b.text) for b in _summary(bundle)
            if isinstance(b, Paragraph)]
