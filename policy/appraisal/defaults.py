"""A starting appraisal from the evidence: options, objectives and scores, each with its reason.

:func:`default_appraisal` builds a starting point from the rules engine's ranked
recommendations, the intervention catalogue and the area profile. Every default score is
*derived* from those data by a stated formula and carries a sentence saying how, so a workshop
can see what it is changing. Benefits are never invented: they start empty and the
``benefits_entered`` flags say so until the user enters them.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

from evidence.models import AreaProfile, standing
from policy.appraisal.mcda import (
    DEFAULT_CRITERIA,
    Score,
)
from policy.appraisal.options import (
    GREEN_BOOK_CSFS,
    Option,
    OptionIntervention,
    SpendingObjective,
    ensure_baseline,
)
from policy.appraisal.state import (
    DEFAULT_SWING_WEIGHTS,
    AppraisalState,
    OptionCba,
    RecommendedIntervention,
)
from policy.catalogue import RATIONALE_CATEGORIES, Intervention

FOCUSED_ID = "focused"
BROAD_ID = "broad"
FOCUSED_SIZE = 3
"""Option A ("Focused") takes this many top-ranked interventions."""
BROAD_SIZE = 6
"""Option B ("Broad") takes this many top-ranked interventions."""

MAX_DEFAULT_OBJECTIVES = 5
"""Green Book practice is a handful of SMART objectives; more would dilute the filter."""

EVIDENCE_STRENGTH_SCORES: dict[str, float] = {
    "strong": 90.0,
    "moderate": 65.0,
    "weak": 40.0,
    "emerging": 25.0,
}
"""0-100 score for each catalogue evidence strength (emerging = few evaluations yet, lowest)."""

_BASELINE_NEUTRAL = 50.0
_RISK_POINTS_PER_ITEM = 10.0  # one named risk (or unaddressed bottleneck) costs 10 points
_DELIVERY_MAX_INTERVENTIONS = 8  # at 8+ interventions the coordination penalty is full
_DELIVERY_MAX_YEARS = 10.0  # at 10+ years to impact the time penalty is full
_VFM_BEST, _VFM_WORST = 75.0, 25.0  # placeholder band: cost alone cannot justify 0 or 100

_FINDING_KIND_ORDER = {"bottleneck": 0, "risk": 1, "opportunity": 2, "strength": 3}
_FINDING_VERB = {
    "bottleneck": "Ease this bottleneck",
    "risk": "Reduce exposure to this risk",
    "opportunity": "Take up this opportunity",
    "strength": "Build on this strength",
}
_TOPIC_MEASURE = {
    "specialisation": "location quotient and jobs in {sector} (BRES)",
    "sector_growth": "jobs growth in {sector} against Great Britain (BRES)",
    "sector_decline": "jobs in {sector} (BRES)",
    "productivity_gap": "GVA per job relative to Great Britain (ONS)",
    "productivity_lead": "GVA per job relative to Great Britain (ONS)",
    "skills": "share of residents qualified to level 4+ (Annual Population Survey)",
    "innovation": "business R&D per job (ONS BERD)",
    "automation": "share of jobs in automation-exposed occupations",
    "dependence": "concentration of the local base (Herfindahl / Krugman index)",
    "thin_growth_sector": "jobs and businesses in {sector} (BRES)",
    "comparators": "position against the comparator areas on the profile's indicators",
    "am_base": "advanced manufacturing jobs and their share of all jobs (BRES)",
}



# --------------------------------------------------------------------------------------------
# Defaults


def default_option_intervention(intervention: Intervention) -> OptionIntervention:
    """A default budget and phasing for one intervention, from its catalogue entry.

    The budget is the midpoint of the catalogue's cost range. A ``total`` cost is spread over
    the duration the catalogue gives for it. A ``per_year`` cost is funded until the midpoint of
    the expected time to impact (rounded up, at least one year): stopping sooner would end the
    money before anyone could tell whether it works, and the catalogue gives no other duration.
    Everything starts in year 0; sequencing is the user's call.
    """
    cost = intervention.cost
    mid = (cost.low_gbp_m + cost.high_gbp_m) / 2.0
    if cost.basis == "total":
        years = cost.duration_years or 1
        budget = mid
    else:
        tti = intervention.time_to_impact_years
        years = max(1, math.ceil((tti.low + tti.high) / 2.0))
        budget = mid * years
    return OptionIntervention(
        intervention_id=intervention.id,
        budget_gbp_m=round(budget, 6),
        start_year_offset=0,
        duration_years=years,
    )


def default_spending_objectives(profile: AreaProfile | None) -> list[SpendingObjective]:
    """Up to five objectives from the profile's accepted findings, bottlenecks first.

    Each objective names the finding it comes from (its id is ``so_<finding id>``) and the
    indicator that would measure it; the ``target`` is left blank for the partnership to set,
    because a number here would be the tool's invention, not a SMART commitment.
    """
    if profile is None:
        return []
    findings = sorted(
        standing(profile.findings),
        key=lambda f: (_FINDING_KIND_ORDER.get(f.kind, 9), -f.confidence, f.id),
    )[:MAX_DEFAULT_OBJECTIVES]
    out = []
    for f in findings:
        sector = f.sector or "the sector"
        measure = _TOPIC_MEASURE.get(f.topic, "the indicator behind this finding").format(
            sector=sector
        )
        out.append(
            SpendingObjective(
                id=f"so_{f.id}",
                statement=f"{_FINDING_VERB.get(f.kind, 'Address this finding')}: {f.text}",
                measure=measure,
                target="",
            )
        )
    return out


def _ranked_clean(
    ranked: Sequence[tuple[str, float]], catalogue: Mapping[str, Intervention]
) -> list[tuple[str, float]]:
    out: dict[str, float] = {}
    unknown = [iid for iid, _ in ranked if iid not in catalogue]
    if unknown:
        raise ValueError(f"recommended intervention(s) not in the catalogue: {', '.join(unknown)}")
    for iid, score in ranked:
        if not math.isfinite(score):
            raise ValueError(f"recommendation score for '{iid}' must be a finite number")
        if iid not in out:  # first (highest-ranked) entry wins
            out[iid] = float(score)
    return list(out.items())


def _fmt_m(x: float) -> str:
    return f"GBP {x:,.1f}m" if x >= 0.1 or x == 0 else f"GBP {x:,.2f}m"


def _weights(option: Option) -> dict[str, float]:
    """Budget share of each intervention (equal shares if the option has no budget)."""
    total = option.total_budget_gbp_m
    n = len(option.interventions)
    if total > 0:
        return {i.intervention_id: i.budget_gbp_m / total for i in option.interventions}
    return {i.intervention_id: 1.0 / n for i in option.interventions} if n else {}


def _clamp(x: float) -> float:
    return round(min(100.0, max(0.0, x)), 1)


def _baseline_scores(option: Option, profile: AreaProfile | None) -> list[Score]:
    oid = option.id
    findings = standing(profile.findings) if profile is not None else []
    problems = [f for f in findings if f.kind in ("bottleneck", "risk")]
    if profile is None:
        risk_value = _BASELINE_NEUTRAL
        risk_text = (
            "Business as usual: no area profile, so the risk of inaction is unknown; scored "
            "neutral (50)."
        )
    else:
        risk_value = _clamp(100.0 - _RISK_POINTS_PER_ITEM * len(problems))
        named = "; ".join(f.text for f in problems[:3])
        risk_text = (
            f"Risk of inaction: {len(problems)} bottleneck/risk finding(s) not rejected stay "
            f"unaddressed, each counted like a named intervention risk (100 - 10 each)"
            + (f", e.g. {named}." if named else ".")
        )
    n_find = len(findings)
    texts = {
        "fit_to_evidence": (
            0.0,
            f"Business as usual does nothing new about the {n_find} finding(s) not rejected of "
            "the area profile, so it scores the bottom of the scale.",
        ),
        "evidence_strength": (
            _BASELINE_NEUTRAL,
            "No new intervention whose effect needs evidence: the outcome is the current "
            "trend; scored neutral (50).",
        ),
        "value_for_money": (
            _BASELINE_NEUTRAL,
            "No new spend and no additional benefit: net present value zero by definition, the "
            "benchmark the other options are measured against; scored neutral (50).",
        ),
        "deliverability": (100.0, "Nothing new to deliver: continuing current policy."),
        "risk": (risk_value, risk_text),
        "inclusion": (
            0.0,
            "Business as usual changes nothing for people and places left behind.",
        ),
        "national_alignment": (
            0.0,
            "No new activity to align with national programmes; national funding tied to "
            "local plans is left unclaimed.",
        ),
    }
    return [
        Score(option_id=oid, criterion_id=cid, value=value, rationale=text)
        for cid, (value, text) in texts.items()
    ]


def default_scores(
    options: Sequence[Option],
    catalogue: Mapping[str, Intervention],
    ranked: Sequence[tuple[str, float]],
    profile: AreaProfile | None = None,
) -> list[Score]:
    """Derived default scores (0-100, higher = better) for every option on the default criteria.

    Public so the UI can re-derive defaults after the user edits the options. Each score comes
    with a sentence giving the figures and the formula:

    - fit_to_evidence: half the mean recommendation score of the option's interventions relative
      to the top score, half the share of the whole ranked list's score it covers (depth and
      breadth of response to the findings);
    - evidence_strength: budget-weighted mean of :data:`EVIDENCE_STRENGTH_SCORES`;
    - value_for_money: a placeholder from cost alone (cheapest option 75, the others 25 + 50 x
      cheapest cost / own cost) until benefits are entered;
    - deliverability: 100 less up to 50 for the number of interventions (full at 8) and up to
      50 for the mean time to impact (full at 10 years);
    - risk: 100 less 10 per named catalogue risk, budget-weighted mean per intervention;
    - inclusion: budget share of interventions with an equity rationale;
    - national_alignment: share of the national programmes named by any intervention under
      appraisal (recommended or in an option) that the option aligns with.

    Interventions missing from the catalogue are ignored (named in the rationales).
    """
    scores_by_id = {iid: max(0.0, s) for iid, s in ranked}
    if max(scores_by_id.values(), default=0.0) <= 0.0:
        scores_by_id = dict.fromkeys(scores_by_id, 1.0)  # no usable scores: treat all alike
    universe = sorted(
        {p for iid in scores_by_id if iid in catalogue for p in catalogue[iid].national_programmes}
        | {
            p
            for opt in options
            for item in opt.interventions
            if item.intervention_id in catalogue
            for p in catalogue[item.intervention_id].national_programmes
        }
    )
    costs = [
        sum(i.budget_gbp_m for i in o.interventions if i.intervention_id in catalogue)
        for o in options
        if not o.is_baseline and any(i.intervention_id in catalogue for i in o.interventions)
    ]
    cheapest = min(costs, default=0.0)
    out: list[Score] = []
    for opt in options:
        if opt.is_baseline:
            out += _baseline_scores(opt, profile)
        else:
            out += _option_scores(opt, catalogue, scores_by_id, universe, cheapest)
    return out


def _option_scores(
    opt: Option,
    catalogue: Mapping[str, Intervention],
    scores_by_id: Mapping[str, float],
    universe: Sequence[str],
    cheapest: float,
) -> list[Score]:
    """Scores of one non-baseline option (see :func:`default_scores` for the formulas)."""
    items = [i for i in opt.interventions if i.intervention_id in catalogue]
    missing = [i.intervention_id for i in opt.interventions if i.intervention_id not in catalogue]
    known = Option(id=opt.id, name=opt.name, interventions=items)
    w = _weights(known)
    ivs = [catalogue[i.intervention_id] for i in items]
    extra = f" (not in the catalogue, ignored: {', '.join(missing)})" if missing else ""
    out: list[Score] = []

    def add(cid: str, value: float, text: str) -> None:
        out.append(
            Score(option_id=opt.id, criterion_id=cid, value=_clamp(value), rationale=text + extra)
        )

    if not ivs:
        for c in DEFAULT_CRITERIA:
            add(c.id, 0.0, "The option has no catalogue interventions to score yet.")
        return out
    top = max(scores_by_id.values(), default=0.0)
    all_score = sum(scores_by_id.values())

    # fit to evidence
    rel = [scores_by_id.get(iv.id, 0.0) / top if top else 0.0 for iv in ivs]
    mean_rel = sum(rel) / len(rel)
    cover = sum(scores_by_id.get(iv.id, 0.0) for iv in ivs) / all_score if all_score else 0.0
    unranked = [iv.id for iv in ivs if iv.id not in scores_by_id]
    add(
        "fit_to_evidence",
        100.0 * (0.5 * mean_rel + 0.5 * cover),
        f"Its interventions average {mean_rel:.0%} of the top recommendation score and "
        f"cover {cover:.0%} of the total score of all {len(scores_by_id)} recommended "
        "interventions; scored 100 x (half the first + half the second)."
        + (f" Not recommended by the rules: {', '.join(unranked)}." if unranked else ""),
    )

    # evidence strength
    ev = sum(w[iv.id] * EVIDENCE_STRENGTH_SCORES[iv.evidence.strength] for iv in ivs)
    parts = ", ".join(f"{iv.id} {iv.evidence.strength}" for iv in ivs)
    add(
        "evidence_strength",
        ev,
        f"Budget-weighted catalogue evidence strength ({parts}; strong 90, moderate 65, "
        "weak 40, emerging 25).",
    )

    # value for money (placeholder)
    cost = known.total_budget_gbp_m
    if cost <= 0 or cheapest <= 0:
        vfm = _VFM_BEST
    else:
        vfm = _VFM_WORST + (_VFM_BEST - _VFM_WORST) * cheapest / cost
    against = (
        "the cheapest option" if vfm >= _VFM_BEST else f"the cheapest option's {_fmt_m(cheapest)}"
    )
    add(
        "value_for_money",
        vfm,
        f"PLACEHOLDER until benefits are entered: scored on cost alone, {_fmt_m(cost)}, "
        f"{'being ' if vfm >= _VFM_BEST else 'against '}{against} (cheapest 75, others "
        "25 + 50 x cheapest / own cost). Rescore from the cost-benefit analysis.",
    )

    # deliverability
    mids = [(iv.time_to_impact_years.low + iv.time_to_impact_years.high) / 2 for iv in ivs]
    mean_tti = sum(mids) / len(mids)
    n_pen = 50.0 * min(len(ivs) / _DELIVERY_MAX_INTERVENTIONS, 1.0)
    t_pen = 50.0 * min(mean_tti / _DELIVERY_MAX_YEARS, 1.0)
    add(
        "deliverability",
        100.0 - n_pen - t_pen,
        f"{len(ivs)} intervention(s) to coordinate (-{n_pen:.1f}) and a mean expected time "
        f"to impact of {mean_tti:.1f} years (-{t_pen:.1f}).",
    )

    # risk
    mean_risks = sum(w[iv.id] * len(iv.risks) for iv in ivs)
    biggest = max(ivs, key=lambda iv: w[iv.id])
    add(
        "risk",
        100.0 - _RISK_POINTS_PER_ITEM * mean_risks,
        f"Budget-weighted {mean_risks:.1f} named catalogue risks per intervention "
        f"(100 - 10 each); largest item {biggest.id}: {biggest.risks[0]}.",
    )

    # inclusion
    equity = {
        iv.id: [r for r in iv.rationales if RATIONALE_CATEGORIES.get(r) == "equity"] for iv in ivs
    }
    equity = {k: v for k, v in equity.items() if v}
    share = sum(w[k] for k in equity)
    listed = "; ".join(f"{k} ({', '.join(v)})" for k, v in equity.items())
    add(
        "inclusion",
        100.0 * share,
        f"{share:.0%} of the budget goes to interventions with an equity rationale"
        + (f": {listed}." if listed else " (none has one)."),
    )

    # national alignment
    progs = sorted({p for iv in ivs for p in iv.national_programmes})
    frac = len(progs) / len(universe) if universe else 0.0
    add(
        "national_alignment",
        100.0 * frac,
        f"Aligns with {len(progs)} of the {len(universe)} national programmes named by the "
        f"interventions under appraisal: {'; '.join(progs)}.",
    )
    return out


def _option_from(
    oid: str, name: str, what: str, ids: Sequence[str], catalogue: Mapping[str, Intervention]
) -> Option:
    names = "; ".join(catalogue[i].name for i in ids)
    return Option(
        id=oid,
        name=name,
        description=f"{what}: {names}. Budgets are catalogue cost midpoints; edit to suit.",
        interventions=[default_option_intervention(catalogue[i]) for i in ids],
    )


def default_appraisal(
    ranked: list[tuple[str, float]],
    catalogue: dict[str, Intervention],
    profile: AreaProfile | None,
) -> AppraisalState:
    """A starting appraisal from ranked recommendations: BAU plus Focused and Broad options.

    ``ranked`` is (intervention id, recommendation score), best first; later duplicates are
    ignored and an id missing from ``catalogue`` raises ``ValueError`` (the rules and the
    catalogue disagree, which should be fixed, not hidden). Option A "Focused" takes the top
    three, option B "Broad" the top six; B is left out when there are no more than three
    recommendations, because it would duplicate A and the Green Book asks for distinct options.
    With no recommendations only BAU is created and the notes say why.

    Objectives come from the profile's accepted findings (pass a profile whose findings are the
    session's, edited ones), CSFs are the Green Book's five, swing weights are equal, and every
    option gets a derived, explained score on every default criterion (:func:`default_scores`).
    Benefits stay empty (``benefits_entered`` is False) until the user enters them.
    """
    items = _ranked_clean(ranked, catalogue)
    ids = [iid for iid, _ in items]
    options: list[Option] = []
    notes = ""
    if ids:
        focused = ids[:FOCUSED_SIZE]
        options.append(
            _option_from(
                FOCUSED_ID,
                "Option A: Focused",
                f"The {len(focused)} most strongly recommended intervention(s)",
                focused,
                catalogue,
            )
        )
        if len(ids) > FOCUSED_SIZE:
            broad = ids[:BROAD_SIZE]
            options.append(
                _option_from(
                    BROAD_ID,
                    "Option B: Broad",
                    f"The {len(broad)} most strongly recommended interventions",
                    broad,
                    catalogue,
                )
            )
        else:
            notes = (
                f"Only {len(ids)} intervention(s) recommended, so no Broad option was added (it "
                "would duplicate the Focused one)."
            )
    else:
        notes = "No interventions were recommended, so only business as usual is listed."
    options = ensure_baseline(options)  # BAU first, id 'bau': focused/broad never clash
    return AppraisalState(
        recommendations=[RecommendedIntervention(intervention_id=i, score=s) for i, s in items],
        spending_objectives=default_spending_objectives(profile),
        critical_success_factors=list(GREEN_BOOK_CSFS),
        options=options,
        criteria=list(DEFAULT_CRITERIA),
        swing_weights=dict(DEFAULT_SWING_WEIGHTS),
        scores=default_scores(options, catalogue, items, profile),
        cba={o.id: OptionCba() for o in options if not o.is_baseline},
        notes=notes,
    )


