"""A starting appraisal from the evidence: options, objectives, scores and CBA inputs, each with
its reason.

:func:`default_appraisal` builds a starting point from the ranked recommendations, the
intervention catalogue and the area profile:

- **options** that genuinely differ, each built by a stated, editable rule
  (:class:`~policy.appraisal.options.OptionRule`): by scale (light, core, full: the low end,
  midpoint and high end of each chosen intervention's catalogue cost), by focus (horizontal,
  vertical, mission-oriented) and by sequencing (test and learn). Scale and sequencing options
  hold every chosen intervention; a focus option names what it leaves out (Green Book 2022,
  chapter 4, options framework);
- **scores** only where the evidence supports one, each with its reason; criteria the tool has
  no evidence for (value for money before benefits exist, deliverability, risk, national
  alignment) start *unscored* and say what would score them (DCLG 2009 MCDA manual: scores are
  the partnership's judgements, informed by evidence);
- **CBA inputs**: cited additionality benchmarks by intervention type and geography
  (:mod:`policy.appraisal.additionality`), optimism bias by type of spend, and no benefits (the
  tool never invents them; ``benefits_entered`` says so).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

from evidence.labels import label
from evidence.models import AreaProfile, standing
from policy.appraisal.additionality import (
    geography_of,
    io_multiplier_of,
    option_additionality,
)
from policy.appraisal.mcda import (
    DEFAULT_CRITERIA,
    Score,
)
from policy.appraisal.options import (
    GREEN_BOOK_CSFS,
    Option,
    OptionIntervention,
    OptionRule,
    SpendingObjective,
    ensure_baseline,
)
from policy.appraisal.state import (
    DEFAULT_SWING_WEIGHTS,
    VFM_CRITERION,
    VFM_UNSCORED,
    AppraisalState,
    OptionCba,
    RecommendedIntervention,
)
from policy.catalogue import RATIONALE_CATEGORIES, RATIONALE_LABELS, Intervention

CORE_ID = "core"
"""The option holding every chosen intervention at its catalogue cost midpoint."""

DEFAULT_OPTION_RULES: tuple[OptionRule, ...] = (
    OptionRule(id="light", name="Light", scale="low"),
    OptionRule(id=CORE_ID, name="Core", scale="mid"),
    OptionRule(id="full", name="Full", scale="high"),
    OptionRule(id="horizontal", name="Horizontal focus", target_types=["horizontal"]),
    OptionRule(id="vertical", name="Vertical focus", target_types=["vertical"]),
    OptionRule(id="mission", name="Mission focus", target_types=["mission"]),
    OptionRule(id="phased", name="Core, test and learn", stagger_years=2),
)
"""The stated rules the default options are built by; edit them and rebuild."""

CAPITAL_FAMILIES = frozenset({"innovation", "place"})
"""Families whose one-off total costs are buildings, facilities or sites (capital spend)."""

MAX_DEFAULT_OBJECTIVES = 5
"""Green Book practice is a handful of SMART objectives; more would dilute the filter."""

EVIDENCE_STRENGTH_SCORES: dict[str, float] = {
    "strong": 90.0,
    "moderate": 65.0,
    "weak": 40.0,
    "emerging": 25.0,
}
"""0-100 score for each catalogue evidence strength (emerging = few evaluations yet, lowest)."""

UNSCORED_REASONS: dict[str, str] = {
    VFM_CRITERION: VFM_UNSCORED,
    "deliverability": "Unscored: deliverability is the delivery partners' judgement (capacity, "
    "powers, procurement, match funding); the catalogue holds no evidence of it for this area.",
    "risk": "Unscored: the catalogue names risks to watch, but counting them would penalise the "
    "best-documented measures; score after a risk review with the partners.",
    "national_alignment": "Unscored: judge the fit with the national programmes open now; the "
    "catalogue only names the programmes each measure relates to.",
}
"""Why each criterion without evidence starts unscored, and what would score it."""

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
# Budgets, spend types and options


def spend_type_of(intervention: Intervention) -> str:
    """Capital when the catalogue costs a one-off total for a building, facility or site
    (families in :data:`CAPITAL_FAMILIES`); revenue otherwise (programmes funded a year at a
    time). This picks the optimism bias category; the user can change it per intervention."""
    if intervention.cost.basis == "total" and intervention.family in CAPITAL_FAMILIES:
        return "capital"
    return "revenue"


def default_option_intervention(
    intervention: Intervention, scale: str = "mid"
) -> OptionIntervention:
    """A default budget and phasing for one intervention, from its catalogue entry.

    The budget is the low end, midpoint (default) or high end of the catalogue's cost range
    (``scale``). A ``total`` cost is spread over the duration the catalogue gives for it. A
    ``per_year`` cost is funded until the midpoint of the expected time to impact (rounded up,
    at least one year): stopping sooner would end the money before anyone could tell whether it
    works, and the catalogue gives no other duration. Everything starts in year 0.
    """
    cost = intervention.cost
    level = {"low": cost.low_gbp_m, "high": cost.high_gbp_m}.get(
        scale, (cost.low_gbp_m + cost.high_gbp_m) / 2.0)
    if cost.basis == "total":
        years = cost.duration_years or 1
        budget = level
    else:
        tti = intervention.time_to_impact_years
        years = max(1, math.ceil((tti.low + tti.high) / 2.0))
        budget = level * years
    return OptionIntervention(
        intervention_id=intervention.id,
        budget_gbp_m=round(budget, 6),
        start_year_offset=0,
        duration_years=years,
        spend_type=spend_type_of(intervention),  # type: ignore[arg-type]
    )


def build_option(
    rule: OptionRule, ids: Sequence[str], catalogue: Mapping[str, Intervention]
) -> tuple[Option | None, str]:
    """The option a rule builds from the chosen interventions, or None with the reason.

    The description states the rule and, for a focus, every chosen intervention it leaves
    out; None when the rule keeps nothing, or (for a focus or a sequence) when it would
    duplicate the core option."""
    ivs = [catalogue[i] for i in ids]
    kept = [iv for iv in ivs if not rule.target_types or iv.target_type in rule.target_types]
    left = [iv for iv in ivs if iv not in kept]
    if not kept:
        return None, (f"No '{rule.name}' option: none of the chosen interventions is "
                      f"{'/'.join(rule.target_types)}.")
    if rule.target_types and not left:
        return None, (f"No '{rule.name}' option: every chosen intervention is "
                      f"{'/'.join(rule.target_types)}, so it would duplicate the core option.")
    items = []
    late = []
    for iv in kept:
        item = default_option_intervention(iv, rule.scale)
        if rule.stagger_years and iv.evidence.strength != "strong":
            item.start_year_offset = rule.stagger_years
            late.append(iv)
        items.append(item)
    if rule.stagger_years and (not late or len(late) == len(kept)):
        return None, (f"No '{rule.name}' option: the chosen interventions' evidence is all "
                      "alike, so staggering would only delay everything.")
    text = rule.describe()
    if left:
        text += " Leaves out: " + "; ".join(f"{iv.name} ({iv.target_type})" for iv in left) + "."
    if late:
        text += " Starts later: " + "; ".join(iv.name for iv in late) + "."
    return Option(id=rule.id, name=rule.name, description=text + " Edit budgets to suit.",
                  interventions=items, rule=rule.id), ""


def build_options(
    rules: Sequence[OptionRule], ids: Sequence[str], catalogue: Mapping[str, Intervention]
) -> tuple[list[Option], list[str]]:
    """Options from the enabled rules (BAU first), and a note for each rule that built none."""
    options: list[Option] = []
    notes: list[str] = []
    for rule in rules:
        if not rule.enabled:
            continue
        opt, why = build_option(rule, ids, catalogue)
        if opt is None:
            notes.append(why)
        else:
            options.append(opt)
    return ensure_baseline(options), notes


def area_gva_per_job(profile: AreaProfile | None) -> float | None:
    """GVA per advanced manufacturing job in the area, GBP thousand: the job-weighted mean of
    the sectors' productivity in the profile (ONS GVA / BRES jobs), None without GVA data."""
    if profile is None:
        return None
    pairs = [(r.employment, r.productivity) for r in profile.sectors
             if r.employment and r.productivity is not None and math.isfinite(r.productivity)]
    jobs = sum(e for e, _ in pairs)
    return sum(e * p for e, p in pairs) / jobs if jobs > 0 else None


def default_cba(
    option: Option, catalogue: Mapping[str, Intervention], profile: AreaProfile | None
) -> OptionCba:
    """CBA inputs for an option: cited additionality benchmarks for its interventions' types
    at the area's geography (multiplier: the area's IO multiplier where the profile has one)
    and at UK level; optimism bias by type of spend; no benefits."""
    fam = [(catalogue[i.intervention_id].family, i.budget_gbp_m)
           for i in option.interventions if i.intervention_id in catalogue]
    geo = geography_of(profile.area.level if profile is not None else None)
    return OptionCba(
        additionality=option_additionality(fam, geo, io_multiplier_of(profile)),
        additionality_uk=option_additionality(fam, "uk"),
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
        sector = label("sector", f.sector) if f.sector else "the sector"
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
    n_find = len(standing(profile.findings)) if profile is not None else 0
    texts: dict[str, tuple[float | None, str]] = {
        "fit_to_evidence": (
            0.0,
            f"Business as usual does nothing new about the {n_find} finding(s) not rejected of "
            "the area profile, so it scores the bottom of the scale.",
        ),
        "evidence_strength": (
            0.0,
            "Business as usual does not aim at the objectives, so there is no evidence that it "
            "achieves them: the bottom of the scale.",
        ),
        VFM_CRITERION: (None, VFM_UNSCORED),
        "deliverability": (100.0, "Nothing new to deliver: continuing current policy."),
        "risk": (None, "Unscored: the risk of inaction (the bottlenecks and risks found staying "
                 "unaddressed) is the partnership's judgement, like the other options' risks."),
        "inclusion": (0.0, "Business as usual changes nothing for people and places left behind."),
        "national_alignment": (
            0.0,
            "No new activity to align with national programmes; national funding tied to "
            "local plans is left unclaimed.",
        ),
    }
    return [
        Score(option_id=option.id, criterion_id=cid, value=value, rationale=text,
              from_cba=cid == VFM_CRITERION)
        for cid, (value, text) in texts.items()
    ]


def default_scores(
    options: Sequence[Option],
    catalogue: Mapping[str, Intervention],
    ranked: Sequence[tuple[str, float]],
    profile: AreaProfile | None = None,
    area_rationales: Mapping[str, Sequence[str]] | None = None,
) -> list[Score]:
    """Default scores (0-100, higher = better) where the evidence supports one; unscored
    (None, with the reason) where it does not.

    Public so the UI can re-derive defaults after the user edits the options. Scored:

    - fit_to_evidence: half the mean recommendation score of the option's interventions relative
      to the top score, half the share of the whole ranked list's score it covers (depth and
      breadth of response to the findings the rules fired on);
    - evidence_strength: budget-weighted mean of :data:`EVIDENCE_STRENGTH_SCORES` of the
      catalogue's evidence reviews;
    - inclusion: budget share of interventions with an equity rationale (spatial equity,
      inclusion, just transition) for this area: one the area's rules gave the intervention
      (``area_rationales``: intervention id -> the rationales of the rules that recommended
      it). A rationale the catalogue lists but no rule found here does not count: a net-zero
      mission that *can* serve a just transition does nothing for inclusion in a place whose
      evidence raised no equity concern. Without ``area_rationales`` (no rules run) the
      catalogue's rationales count, and the rationale says so.

    Unscored (see :data:`UNSCORED_REASONS`): value for money, deliverability, risk, national
    alignment. Interventions missing from the catalogue are ignored (named in the rationales).
    """
    scores_by_id = {iid: max(0.0, s) for iid, s in ranked}
    if max(scores_by_id.values(), default=0.0) <= 0.0:
        scores_by_id = dict.fromkeys(scores_by_id, 1.0)  # no usable scores: treat all alike
    out: list[Score] = []
    for opt in options:
        if opt.is_baseline:
            out += _baseline_scores(opt, profile)
        else:
            out += _option_scores(opt, catalogue, scores_by_id, area_rationales)
    return out


def _option_scores(
    opt: Option, catalogue: Mapping[str, Intervention], scores_by_id: Mapping[str, float],
    area_rationales: Mapping[str, Sequence[str]] | None = None,
) -> list[Score]:
    """Scores of one non-baseline option (see :func:`default_scores` for the formulas)."""
    items = [i for i in opt.interventions if i.intervention_id in catalogue]
    missing = [i.intervention_id for i in opt.interventions if i.intervention_id not in catalogue]
    known = Option(id=opt.id, name=opt.name, interventions=items)
    w = _weights(known)
    ivs = [catalogue[i.intervention_id] for i in items]
    extra = f" (not in the catalogue, ignored: {', '.join(missing)})" if missing else ""
    out: list[Score] = []

    def add(cid: str, value: float | None, text: str) -> None:
        out.append(Score(option_id=opt.id, criterion_id=cid,
                         value=None if value is None else _clamp(value), rationale=text + extra,
                         from_cba=cid == VFM_CRITERION and bool(ivs)))

    if not ivs:
        for c in DEFAULT_CRITERIA:
            add(c.id, None, "Unscored: the option has no catalogue interventions to score yet.")
        return out
    iv_names = {iv.id: iv.name for iv in ivs}
    top = max(scores_by_id.values(), default=0.0)
    all_score = sum(scores_by_id.values())
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
        + (f" Not recommended by the rules: {', '.join(iv_names[i] for i in unranked)}."
           if unranked else ""),
    )
    ev = sum(w[iv.id] * EVIDENCE_STRENGTH_SCORES[iv.evidence.strength] for iv in ivs)
    parts = ", ".join(f"{iv.name} {iv.evidence.strength}" for iv in ivs)
    add(
        "evidence_strength",
        ev,
        f"Budget-weighted catalogue evidence strength ({parts}; strong 90, moderate 65, "
        "weak 40, emerging 25).",
    )
    mids = [(iv.time_to_impact_years.low + iv.time_to_impact_years.high) / 2 for iv in ivs]
    add("value_for_money", None, UNSCORED_REASONS["value_for_money"])
    add("deliverability", None, UNSCORED_REASONS["deliverability"]
        + f" For reference: {len(ivs)} intervention(s), mean time to impact "
        f"{sum(mids) / len(mids):.1f} years.")
    n_risks = sum(len(iv.risks) for iv in ivs)
    add("risk", None, UNSCORED_REASONS["risk"] + f" Risks named: {n_risks}.")
    add("inclusion", *_inclusion(ivs, w, iv_names, area_rationales))
    progs = sorted({p for iv in ivs for p in iv.national_programmes})
    add("national_alignment", None, UNSCORED_REASONS["national_alignment"]
        + (f" Programmes named: {'; '.join(progs)}." if progs else ""))
    return out


def _inclusion(ivs: Sequence[Intervention], w: Mapping[str, float], iv_names: Mapping[str, str],
               area_rationales: Mapping[str, Sequence[str]] | None) -> tuple[float, str]:
    """The inclusion score and its rationale (see :func:`default_scores`)."""
    def words(ids: Sequence[str]) -> str:
        return ", ".join(RATIONALE_LABELS.get(r, r) for r in ids)

    listed = {iv.id: [r for r in iv.rationales if RATIONALE_CATEGORIES.get(r) == "equity"]
              for iv in ivs}
    if area_rationales is None:
        equity = {k: v for k, v in listed.items() if v}
        basis = "an equity rationale in the catalogue (no rules were run for this area)"
        unfound: dict[str, list[str]] = {}
    else:
        equity = {k: [r for r in v if r in area_rationales.get(k, ())]
                  for k, v in listed.items()}
        unfound = {k: [r for r in v if r not in equity[k]] for k, v in listed.items()}
        equity = {k: v for k, v in equity.items() if v}
        unfound = {k: v for k, v in unfound.items() if v}
        basis = "an equity rationale the area's rules found"
    share = sum(w[k] for k in equity)
    given = "; ".join(f"{iv_names[k]} ({words(v)})" for k, v in equity.items())
    text = (f"{share:.0%} of the budget goes to interventions with {basis}"
            + (f": {given}." if given else " (none has one)."))
    if unfound:
        text += (" Not counted, listed in the catalogue but not found by this area's rules: "
                 + "; ".join(f"{iv_names[k]} ({words(v)})" for k, v in unfound.items()) + ".")
    return 100.0 * share, text


def default_appraisal(
    ranked: list[tuple[str, float]],
    catalogue: dict[str, Intervention],
    profile: AreaProfile | None,
    rules: Sequence[OptionRule] = DEFAULT_OPTION_RULES,
    area_rationales: Mapping[str, Sequence[str]] | None = None,
) -> AppraisalState:
    """A starting appraisal from the chosen interventions (ranked, with their rule scores).

    ``ranked`` is (intervention id, recommendation score), best first; later duplicates are
    ignored and an id missing from ``catalogue`` raises ``ValueError`` (the rules and the
    catalogue disagree, which should be fixed, not hidden). Options come from ``rules`` (see
    :func:`build_options`); a rule that builds nothing says why in the notes. With no
    interventions only BAU is created and the notes say so.

    Objectives come from the profile's accepted findings, CSFs are the Green Book's five, swing
    weights are equal, scores are given only where the evidence supports them
    (:func:`default_scores`), and each option's CBA starts from cited additionality benchmarks
    (:func:`default_cba`). Benefits stay empty until the user enters them.
    """
    items = _ranked_clean(ranked, catalogue)
    ids = [iid for iid, _ in items]
    if ids:
        options, notes_list = build_options(rules, ids, catalogue)
        notes = " ".join(notes_list)
    else:
        options = ensure_baseline([])
        notes = "No interventions were recommended, so only business as usual is listed."
    return AppraisalState(
        recommendations=[RecommendedIntervention(intervention_id=i, score=s) for i, s in items],
        spending_objectives=default_spending_objectives(profile),
        critical_success_factors=list(GREEN_BOOK_CSFS),
        options=options,
        option_rules=list(rules),
        criteria=list(DEFAULT_CRITERIA),
        swing_weights=dict(DEFAULT_SWING_WEIGHTS),
        scores=default_scores(options, catalogue, items, profile, area_rationales),
        cba={o.id: default_cba(o, catalogue, profile) for o in options if not o.is_baseline},
        notes=notes,
    )
