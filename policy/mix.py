"""Policy-mix checks: is an option a tailored, coherent *mix* rather than a list of projects?

The policy brief "Advanced manufacturing and local industrial strategies" asks for a
place-based mix, never one-size-fits-all. These checks turn its questions into numbers with a
plain-English judgement, for one option at a time:

- :func:`balance`: horizontal measures (the wider base), vertical measures (specific sectors
  and strengths) and mission-oriented ones, by count and budget share. A mix with no
  horizontal measure leaves the wider base unsupported; one with no vertical measure ignores
  what is distinctive about the place.
- :func:`alignment`: the national programmes each intervention aligns with (one with none
  needs coordinating with national policy before it is funded), and, for real geography, the
  programmes in or near the place (``policy.programmes``): which chosen interventions to
  deliver with them, a centre proposed where a Catapult centre already is (co-ordinate, not
  duplicate), and vertical measures for sectors with no Industrial Strategy sector plan.
- :func:`complementarity`: the merged causal chains (``policy.catalogue``): outcomes several
  interventions share, levers of different kinds meeting, overlaps to coordinate, and gaps
  (intended impacts reached by a single fragile pathway, or not at all).
- :func:`niche_risk`: the share of the budget aimed at sectors that hold very few local jobs
  (under 1% by default), a bet the brief warns about unless local knowledge justifies it; the
  justification (or mitigation) the user recorded is carried along.

:func:`mix_report` bundles all four into a :class:`MixReport` for an option.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Literal

from pydantic import BaseModel, Field

from evidence.labels import label
from evidence.models import AreaProfile, SectorRow
from policy.appraisal import AppraisalState, Option, default_option_intervention
from policy.catalogue import (
    TARGET_TYPES,
    Complementarity,
    Gap,
    ImpactCoverage,
    Intervention,
    Overlap,
    load_shared_nodes,
    merge_chains,
    mix_diagnostics,
)
from policy.programmes import (
    PROGRAMMES_FILE,
    Presence,
    Programme,
    ProgrammeData,
    load_programmes,
    place_districts,
    programmes_near,
)
from policy.questions import focal_sectors

__all__ = [
    "DEFAULT_NICHE_THRESHOLD",
    "TARGET_LABELS",
    "AlignmentFlag",
    "AlignmentReport",
    "BalanceReport",
    "ComplementarityReport",
    "MixReport",
    "NicheItem",
    "NicheRisk",
    "NicheSector",
    "alignment",
    "balance",
    "complementarity",
    "diagnostic_text", "node_labels",
    "mix_report",
    "niche_risk",
]

DEFAULT_NICHE_THRESHOLD = 0.01
"""A sector holding under 1% of local jobs counts as a niche for a vertical measure (each
sector on its own, not the sectors of a measure together)."""

TARGET_LABELS = {
    "horizontal": "horizontal",
    "vertical": "vertical",
    "mission": "mission-oriented",
}

_MOSTLY = 0.75  # a budget share at or above this makes a mix "mostly" one type


def _items(
    interventions: Iterable[Intervention] | Mapping[str, Intervention],
) -> list[Intervention]:
    items = list(interventions.values() if isinstance(interventions, Mapping) else interventions)
    seen: dict[str, Intervention] = {}
    for iv in items:
        seen.setdefault(iv.id, iv)
    return list(seen.values())


def _pct(x: float) -> str:
    return f"{100 * x:.0f}%"


# --------------------------------------------------------------------------------------------
# Balance


class BalanceReport(BaseModel):
    """Counts and budget of horizontal / vertical / mission-oriented interventions.

    ``budget_basis`` says where the budgets came from: the option's own budgets, or catalogue
    cost midpoints (:func:`policy.appraisal.default_option_intervention`) when none were
    given. Shares are of the total budget (all zero when the total is zero).
    """

    counts: dict[str, int]
    budget_gbp_m: dict[str, float]
    budget_shares: dict[str, float]
    total_budget_gbp_m: float
    budget_basis: str
    interventions: dict[str, list[str]] = Field(description="intervention ids by target type")
    judgement: str


def balance(
    interventions: Iterable[Intervention] | Mapping[str, Intervention],
    budgets: Mapping[str, float] | None = None,
    profile: AreaProfile | None = None,
) -> BalanceReport:
    """Count and budget the mix by target type and judge the balance in a sentence.

    ``budgets`` maps intervention id to GBP million (an option's budgets); without it each
    intervention gets its catalogue cost midpoint. The judgement names the first problem found:
    a mix of one type only, a missing horizontal or vertical element, or a budget share of 75%+
    on one type; otherwise it reports the split as balanced.
    """
    items = _items(interventions)
    basis = "option budgets" if budgets is not None else "catalogue cost midpoints"
    spend = {
        iv.id: float(
            budgets.get(iv.id, 0.0)
            if budgets is not None
            else default_option_intervention(iv).budget_gbp_m
        )
        for iv in items
    }
    by_type: dict[str, list[str]] = {t: [] for t in TARGET_TYPES}
    for iv in items:
        by_type[iv.target_type].append(iv.id)
    counts = {t: len(ids) for t, ids in by_type.items()}
    money = {t: sum(spend[i] for i in ids) for t, ids in by_type.items()}
    total = sum(money.values())
    shares = {t: (money[t] / total if total > 0 else 0.0) for t in TARGET_TYPES}
    return BalanceReport(
        counts=counts,
        budget_gbp_m=money,
        budget_shares=shares,
        total_budget_gbp_m=total,
        budget_basis=basis,
        interventions=by_type,
        judgement=_balance_judgement(counts, shares, total, _thin_base(profile)),
    )


def _thin_base(profile: AreaProfile | None) -> bool:
    """A thin advanced manufacturing base: a standing ``am_base`` bottleneck finding."""
    return profile is not None and any(
        f.stands and f.topic == "am_base" and f.kind == "bottleneck" for f in profile.findings)


def _balance_judgement(counts: Mapping[str, int], shares: Mapping[str, float], total: float,
                       thin_base: bool = False) -> str:
    present = [t for t in TARGET_TYPES if counts[t]]
    if not present:
        return "no interventions: nothing to balance"
    if present == ["vertical"]:
        return "all vertical: no horizontal measure supports the wider base"
    if present == ["horizontal"] and thin_base:
        return (
            "all horizontal, as the evidence suggests for a thin advanced manufacturing base: "
            "there is no distinctive sector strength to build a vertical measure on"
        )
    if present == ["horizontal"]:
        return (
            "all horizontal: nothing builds on the area's distinctive sector strengths, the "
            "one-size-fits-all approach the brief warns against"
        )
    if present == ["mission"]:
        return (
            "all mission-oriented: no horizontal measure supports the wider base and nothing "
            "builds on specific sector strengths"
        )
    if not counts["horizontal"]:
        return "no horizontal measure: the wider manufacturing base gets no support"
    if not counts["vertical"]:
        return "no vertical measure: nothing is aimed at the area's distinctive sector strengths"
    split = ", ".join(f"{_pct(shares[t])} {TARGET_LABELS[t]}" for t in TARGET_TYPES if counts[t])
    if total > 0:
        for t in ("vertical", "horizontal", "mission"):
            if shares[t] >= _MOSTLY:
                other = ("the wider base gets" if t != "horizontal"
                         else "the area's distinctive sector strengths get")
                return f"mostly {TARGET_LABELS[t]} ({split} of the budget): {other} little"
    return f"balanced: {split} of the budget" if total > 0 else "balanced by count; no budget"


# --------------------------------------------------------------------------------------------
# Alignment with national programmes


class AlignmentFlag(BaseModel):
    """Something about an intervention's fit with national policy that needs a decision.

    ``duplicate``: a centre, scheme or strategy proposed where a national programme of the
    same kind is already in or near the place (co-ordinate rather than duplicate);
    ``no_sector_plan``: a vertical measure for sectors no Industrial Strategy sector plan
    covers (and, with real geography, no national programme in or near the place);
    ``no_national_programme``: the catalogue names no national programme for it.
    """

    kind: Literal["duplicate", "no_sector_plan", "no_national_programme"]
    intervention: str
    message: str


class AlignmentReport(BaseModel):
    """National programmes by intervention and by programme; unaligned ones flagged.

    With an area profile, also what is really in or near the place (``presence``, from
    ``policy/data/programmes.yaml``; only for real 2023 GSS geography, ``place`` says why
    not otherwise), which chosen interventions to co-ordinate with which of them
    (``coordinate``), the sector plans of the sectors the vertical measures back
    (``sector_plans``) and the ``flags``.
    """

    by_intervention: dict[str, list[str]]
    by_programme: dict[str, list[str]]
    needs_coordination: list[str] = Field(
        description="interventions aligned with no national programme"
    )
    judgement: str
    place: str = ""
    real_geography: bool | None = None
    presence: list[Presence] = Field(default_factory=list)
    coordinate: dict[str, list[str]] = Field(
        default_factory=dict,
        description="intervention id -> 'programme (where): how to co-ordinate' lines")
    sector_plans: dict[str, list[str]] = Field(default_factory=dict)
    flags: list[AlignmentFlag] = Field(default_factory=list)


def alignment(
    interventions: Iterable[Intervention] | Mapping[str, Intervention],
    profile: AreaProfile | None = None,
    *,
    programmes: ProgrammeData | None = None,
) -> AlignmentReport:
    """Which national programmes each intervention aligns with, and which align with none.

    An intervention with no national programme is not wrong, but it must be coordinated with
    national policy (funding, duplication, timing) before it is committed, so it is flagged.
    With ``profile`` the check is against the place: the programmes in or near it (its
    districts, combined authority, LSIP area, region, or a host district within ``near_km``),
    the chosen interventions that should be delivered with them, a centre or scheme that
    would duplicate one already there, and vertical measures for sectors without a national
    sector plan. Synthetic (demo) areas and codes that are not 2023 GSS geography get no
    presence: the check then rests on the sector plans alone, and ``place`` says so.
    """
    items = _items(interventions)
    by_iv = {iv.id: list(iv.national_programmes or ()) for iv in items}
    by_prog: dict[str, list[str]] = {}
    for iid, progs in by_iv.items():
        for prog in progs:
            by_prog.setdefault(prog, []).append(iid)
    by_prog = dict(sorted(by_prog.items()))
    lonely = [iid for iid, progs in by_iv.items() if not progs]
    if not items:
        text = "no interventions"
    elif lonely:
        text = (
            f"{len(lonely)} of {len(items)} intervention(s) align with no national programme "
            f"and need coordinating with national policy: {', '.join(lonely)}"
        )
    else:
        shared = [p for p, ids in by_prog.items() if len(ids) > 1]
        text = f"every intervention aligns with at least one of {len(by_prog)} national programmes"
        if shared:
            text += f"; {len(shared)} programme(s) are shared by several interventions"
    flags = [AlignmentFlag(kind="no_national_programme", intervention=i,
                           message=f"{i}: the catalogue names no national programme for it")
             for i in lonely]
    report = AlignmentReport(
        by_intervention=by_iv, by_programme=by_prog, needs_coordination=lonely, judgement=text,
        flags=flags,
    )
    if profile is None or not items:
        return report
    return _place_alignment(report, items, profile, programmes or load_programmes())


def _place_alignment(report: AlignmentReport, items: list[Intervention], profile: AreaProfile,
                     data: ProgrammeData) -> AlignmentReport:
    """``report`` with the place's programmes, co-ordination lines, sector plans and flags."""
    area = profile.area
    districts = None if profile.synthetic else place_districts(area.code, area.members)
    if districts is None:
        why = ("synthetic demo data with fictional area codes" if profile.synthetic
               else "not a 2023 GSS district, combined authority, LSIP area or region code")
        place = (f"programme presence needs real geography: {area.name} ({area.code}) is {why}, "
                 "so no programme is said to be in or near it; alignment is judged on the "
                 "Industrial Strategy sector plans only")
        presence: list[Presence] = []
    else:
        presence = programmes_near(districts, data)
        place = (f"{len(presence)} national programme(s) in or near {area.name} "
                 f"({len(districts)} 2023 district(s)), from {PROGRAMMES_FILE} (indicative: "
                 "check each against its source)")
    by_id = {p.id: p for p in data.programmes}
    coordinate: dict[str, list[str]] = {}
    flags = list(report.flags)
    plans: dict[str, list[str]] = {}
    for iv in items:
        sectors = _judged_sectors(iv, profile)
        judged_all = "all" in iv.sectors and len(sectors) == len(iv.sector_ids())
        for pres in presence:
            prog = by_id[pres.programme]
            kind = data.kind(prog)
            if iv.id not in kind.aligns or not _sectors_meet(prog, iv, sectors):
                continue
            where = pres.where_text + (f", {pres.distance_km:g} km" if pres.distance_km else "")
            coordinate.setdefault(iv.id, []).append(
                f"{pres.name} ({where}): {kind.coordination}")
            if iv.id in kind.duplicates:
                flags.append(AlignmentFlag(kind="duplicate", intervention=iv.id, message=(
                    f"{iv.name} is proposed where {pres.name} is {where}: "
                    f"{kind.coordination}")))
        if iv.target_type != "vertical" or judged_all:
            continue
        for sid in sectors:
            plans[sid] = data.plans_for(sid)
        planless = [s for s in sectors if not data.plans_for(s)]
        covered = {s for s in planless for pres in presence
                   if data.kind(by_id[pres.programme]).backs_sectors
                   and by_id[pres.programme].covers_sector(s)}
        bare = [s for s in planless if s not in covered]
        if bare:
            nearby = "" if districts is None else " and no national programme in or near the area"
            flags.append(AlignmentFlag(kind="no_sector_plan", intervention=iv.id, message=(
                f"{iv.name} backs {', '.join(bare)}, which no Industrial Strategy (2025) sector "
                f"plan covers{nearby}: secure national co-funding and a co-ordinating partner "
                "before committing")))
    parts = [report.judgement, place]
    if coordinate:
        parts.append(f"{len(coordinate)} intervention(s) to deliver with programmes already "
                     "there")
    dup = [f.intervention for f in flags if f.kind == "duplicate"]
    if dup:
        parts.append(f"co-ordinate rather than duplicate: {', '.join(dict.fromkeys(dup))}")
    noplan = [f.intervention for f in flags if f.kind == "no_sector_plan"]
    if noplan:
        parts.append(f"no national sector plan for the sectors of: {', '.join(noplan)}")
    return report.model_copy(update={
        "judgement": "; ".join(parts), "place": place, "real_geography": districts is not None,
        "presence": presence, "coordinate": coordinate, "sector_plans": plans, "flags": flags,
    })


def _sectors_meet(prog: Programme, iv: Intervention, sectors: Sequence[str]) -> bool:
    """A programme about some Table 1 sectors meets an intervention for any of them (one for
    all sectors meets every intervention; one about none meets none)."""
    if not prog.sectors:
        return False
    if "all" in prog.sectors or "all" in iv.sectors:
        return True
    return any(prog.covers_sector(s) for s in sectors)


# --------------------------------------------------------------------------------------------
# Complementarity (merged causal chains)


class ComplementarityReport(BaseModel):
    """Where the interventions' causal chains meet, pile up, or leave an impact exposed.

    ``shared_outcomes`` maps each outcome reached by two or more interventions to them;
    ``complementarities``, ``overlaps``, ``gaps`` and ``coverage`` are
    :func:`policy.catalogue.mix_diagnostics` on the merged chains.
    """

    shared_outcomes: dict[str, list[str]]
    complementarities: list[Complementarity]
    overlaps: list[Overlap]
    gaps: list[Gap]
    coverage: list[ImpactCoverage]
    judgement: str


def complementarity(
    interventions: Iterable[Intervention] | Mapping[str, Intervention],
    intended_impacts: Iterable[str] | None = None,
) -> ComplementarityReport:
    """Merge the causal chains and report shared outcomes, overlaps and gaps.

    ``intended_impacts`` defaults to every impact in the shared vocabulary, so an impact the
    mix is silent about shows as a gap rather than disappearing.
    """
    items = _items(interventions)
    graph = merge_chains(items)
    diag = mix_diagnostics(graph, intended_impacts)
    shared = {
        node: sorted(data.get("contributors", ()))
        for node, data in sorted(graph.nodes(data=True))
        if data.get("stage") == "outcomes" and len(data.get("contributors", ())) >= 2
    }
    impacts = {n.id: n.label for n in load_shared_nodes().nodes}  # words, not ids
    missing = [impacts.get(g.impact, g.impact) for g in diag.gaps if g.kind == "missing"]
    fragile = [impacts.get(g.impact, g.impact) for g in diag.gaps if g.kind != "missing"]
    parts = [
        f"{len(shared)} outcome(s) shared by several interventions",
        f"{len(diag.complementarities)} where different kinds of lever meet",
        f"{len(diag.overlaps)} overlap(s) to coordinate",
    ]
    if fragile:
        parts.append(f"fragile impact(s): {', '.join(fragile)}")
    if missing:
        parts.append(f"impact(s) not reached: {', '.join(missing)}")
    return ComplementarityReport(
        shared_outcomes=shared,
        complementarities=list(diag.complementarities),
        overlaps=list(diag.overlaps),
        gaps=list(diag.gaps),
        coverage=list(diag.coverage),
        judgement="; ".join(parts) if items else "no interventions",
    )


# --------------------------------------------------------------------------------------------
# Niche risk


class NicheSector(BaseModel):
    """One sector a vertical measure backs that counts as a niche, and why.

    ``share`` is its jobs over all jobs in the area (``jobs`` of ``total_jobs``, ``year``: the
    profile's end year, the BRES denominator the profile uses); ``reasons`` says whether it is
    under the threshold, rests on a handful of jobs (a standing niche-risk finding), or both.
    """

    sector: str
    label: str
    share: float | None
    jobs: float | None
    total_jobs: float
    year: int
    reasons: list[str]
    budget_gbp_m: float = Field(description="the part of the option's budget aimed at it")

    def text(self, threshold: float = DEFAULT_NICHE_THRESHOLD) -> str:
        """``Weapons and ammunition: 1.23% of local jobs (200 of 16,200 in 2024), ...``."""
        if self.share is None:
            figure = "its job figure is suppressed"
        else:
            figure = f"{_pct2(self.share, under=threshold)} of local jobs"
            if self.jobs is not None:
                figure += f" ({self.jobs:,.0f} of all {self.total_jobs:,.0f} in {self.year})"
            else:
                figure += f" in {self.year}"
        return f"{self.label}: {', '.join([figure, *self.reasons])}"


class NicheItem(BaseModel):
    """One vertical intervention of the option and the local job share of each of its sectors.

    Each sector is judged on its own (a 0.2% sector is a niche even next to a 14% one);
    ``niche_budget_gbp_m`` is the part of the budget aimed at its niche sectors, the budget
    split equally between the sectors it backs since an option does not say how it divides.
    """

    intervention_id: str
    budget_gbp_m: float
    sectors: list[str]
    sector_shares: dict[str, float | None] = Field(
        default_factory=dict, description="each sector's share of local jobs (None: unknown)")
    local_job_share: float | None = Field(
        description="share of local jobs in its sectors together; None if it cannot be judged"
    )
    niche: bool = Field(description="it backs at least one niche sector")
    niche_sectors: list[str] = Field(default_factory=list)
    niche_budget_gbp_m: float = 0.0
    unknown_sectors: list[str] = Field(default_factory=list)


class NicheRisk(BaseModel):
    """Share of an option's budget aimed at sectors with few local jobs.

    ``share`` is niche budget / total budget (None when the option has no budget or there is
    no profile), the niche budget being each vertical measure's budget split equally between
    its sectors and summed over the niche ones; ``backing_budget_gbp_m`` is the whole budget of
    the measures that back a niche sector. ``sectors`` names the niche sectors and ``details``
    gives each with its share of local jobs; ``unjudged`` lists vertical interventions with a
    sector whose job figure is missing or suppressed (``unjudged_sectors``), which is not
    guessed either way. ``mitigation`` is the user's recorded justification or mitigation.
    """

    option_id: str
    threshold: float
    share: float | None
    niche_budget_gbp_m: float
    backing_budget_gbp_m: float = 0.0
    total_budget_gbp_m: float
    items: list[NicheItem]
    sectors: list[str]
    details: list[NicheSector] = Field(default_factory=list)
    unjudged: list[str]
    unjudged_sectors: list[str] = Field(default_factory=list)
    mitigation: str
    judgement: str


def _sector_label(rows: Mapping[str, SectorRow], sid: str) -> str:
    """A sector's name: the profile's, else the sector table's (never its id on screen)."""
    return rows[sid].label if sid in rows else label("sector", sid)


def _sector_share(row: SectorRow | None, total_jobs: float) -> float | None:
    if row is None:
        return None
    if row.share is not None:
        return float(row.share)
    if row.employment is not None and total_jobs > 0:
        return float(row.employment) / total_jobs
    return None


def _pct2(x: float, under: float | None = None) -> str:
    """A share of jobs to two decimal places (0.24%, 14.35%), more when two would round a
    share under ``under`` up to it (0.9996% is not "1.00%" next to "under 1%")."""
    for digits in (2, 3, 4):
        text = f"{100 * x:.{digits}f}%"
        if under is None or x >= under or round(100 * x, digits) < 100 * under:
            return text
    return text


def _judged_sectors(iv: Intervention, profile: AreaProfile | None) -> list[str]:
    """The sectors a vertical intervention would back: its catalogue sectors, or, for one that
    serves any sector (``sectors: all``, e.g. a sector strategy), the focal sectors the area's
    standing findings support (:func:`policy.questions.focal_sectors`)."""
    if profile is not None and "all" in iv.sectors:
        focal = focal_sectors(profile.findings)
        if focal:
            return focal
    return iv.sector_ids()


def _niche_findings(profile: AreaProfile | None) -> set[str]:
    """Sectors with a standing niche-risk finding (a specialism on a handful of jobs)."""
    if profile is None:
        return set()
    return {f.sector for f in profile.findings if f.stands and f.topic == "niche" and f.sector}


_HANDFUL = "a specialism resting on a handful of jobs, perhaps one plant"


def _sector_reasons(share: float | None, flagged: bool, threshold: float) -> list[str]:
    """Why a sector counts as a niche (empty: it does not, or it cannot be told)."""
    reasons = []
    if share is not None and share < threshold:
        reasons.append(f"under {100 * threshold:g}%")
    if flagged:
        reasons.append(_HANDFUL)
    return reasons


def niche_risk(
    option: Option,
    catalogue: Mapping[str, Intervention],
    profile: AreaProfile | None,
    threshold: float = DEFAULT_NICHE_THRESHOLD,
    *,
    state: AppraisalState | None = None,
) -> NicheRisk:
    """The share of the option's budget aimed at sectors holding under ``threshold`` of jobs.

    Only vertical interventions count (horizontal and mission-oriented ones are not aimed at
    sectors). Each sector a vertical measure would back - its catalogue sectors, or for one
    serving any sector (a sector strategy) the focal sectors the findings support - is judged
    on its own share of local jobs (the profile's sector row: jobs in the end year over all
    jobs in the area), not the sectors' total, so a small sector is not hidden behind a large
    one. A sector is a niche under ``threshold``, or with a standing niche-risk finding (a
    specialism on a handful of jobs, perhaps one plant) whatever its share. The budget aimed at
    a niche sector is the measure's budget split equally between its sectors (the option does
    not say how it divides). A sector with no row or a suppressed figure is unknown and not
    guessed: its measure is listed as unjudged. ``mitigation`` comes from
    ``state.niche_mitigation``.
    """
    mitigation = state.niche_mitigation if state is not None else ""
    total = option.total_budget_gbp_m
    items: list[NicheItem] = []
    unjudged: list[str] = []
    unjudged_sectors: list[str] = []
    details: dict[str, NicheSector] = {}
    rows = {r.sector: r for r in profile.sectors} if profile is not None else {}
    flagged = _niche_findings(profile)
    for entry in option.interventions:
        iv = catalogue.get(entry.intervention_id)
        if iv is None or iv.target_type != "vertical":
            continue
        sectors = _judged_sectors(iv, profile)
        if profile is None:
            unjudged.append(iv.id)
            items.append(NicheItem(
                intervention_id=iv.id, budget_gbp_m=entry.budget_gbp_m, sectors=sectors,
                sector_shares=dict.fromkeys(sectors), local_job_share=None, niche=False,
                unknown_sectors=sectors))
            continue
        shares = {s: _sector_share(rows.get(s), profile.total_jobs) for s in sectors}
        unknown = [s for s, v in shares.items() if v is None and s not in flagged]
        per_sector = entry.budget_gbp_m / len(sectors) if sectors else 0.0
        niche_here = []
        for sid in sectors:
            reasons = _sector_reasons(shares[sid], sid in flagged, threshold)
            if not reasons:
                continue
            niche_here.append(sid)
            row = rows.get(sid)
            if sid not in details:
                details[sid] = NicheSector(
                    sector=sid, label=_sector_label(rows, sid),
                    share=shares[sid], jobs=row.employment if row is not None else None,
                    total_jobs=profile.total_jobs, year=profile.period.end, reasons=reasons,
                    budget_gbp_m=0.0)
            details[sid].budget_gbp_m += per_sector
        if unknown:
            unjudged.append(iv.id)
            unjudged_sectors += [s for s in unknown if s not in unjudged_sectors]
        known = [v for v in shares.values() if v is not None]
        items.append(NicheItem(
            intervention_id=iv.id, budget_gbp_m=entry.budget_gbp_m, sectors=sectors,
            sector_shares=shares, local_job_share=None if unknown else sum(known),
            niche=bool(niche_here), niche_sectors=niche_here,
            niche_budget_gbp_m=per_sector * len(niche_here), unknown_sectors=unknown))
    niche_budget = sum(i.niche_budget_gbp_m for i in items)
    backing = sum(i.budget_gbp_m for i in items if i.niche)
    share_all = niche_budget / total if (total > 0 and profile is not None) else None
    labels = {s: _sector_label(rows, s) for s in unjudged_sectors}
    report = NicheRisk(
        option_id=option.id, threshold=threshold, share=share_all,
        niche_budget_gbp_m=niche_budget, backing_budget_gbp_m=backing, total_budget_gbp_m=total,
        items=items, sectors=list(details), details=list(details.values()), unjudged=unjudged,
        unjudged_sectors=unjudged_sectors, mitigation=mitigation, judgement="")
    report.judgement = _niche_judgement(report, profile, [labels[s] for s in unjudged_sectors])
    return report


def _niche_judgement(report: NicheRisk, profile: AreaProfile | None,
                     unjudged_labels: Sequence[str]) -> str:
    limit = f"{100 * report.threshold:g}%"
    if profile is None:
        return "no area profile: niche risk cannot be judged"
    if report.share is None:
        return "the option has no budget: niche risk cannot be judged"
    if report.details:
        backers = [i for i in report.items if i.niche]
        text = (
            f"{_pct(report.share)} of the budget (GBP {report.niche_budget_gbp_m:,.1f}m of "
            f"{report.total_budget_gbp_m:,.1f}m) is aimed at niche sectors: "
            f"{'; '.join(d.text(report.threshold) for d in report.details)}. "
        )
        if any(len(i.sectors) > 1 for i in backers):
            text += (
                f"That is each measure's budget split equally between the sectors it backs; "
                f"the {len(backers)} measure(s) backing them have GBP "
                f"{report.backing_budget_gbp_m:,.1f}m in all. "
            )
        text += (
            f"Mitigation recorded: {report.mitigation}"
            if report.mitigation
            else "Record why this is justified (e.g. a genuine emerging strength known locally) "
            "or rebalance towards the existing base."
        )
    else:
        text = (f"no budget is aimed at sectors with under {limit} of local jobs or resting on "
                "a handful of jobs; each sector a vertical measure backs was judged on its own")
    if unjudged_labels:
        text += (f" (could not judge, job figures missing or suppressed: "
                 f"{', '.join(unjudged_labels)})")
    return text


# --------------------------------------------------------------------------------------------
# Report


class MixReport(BaseModel):
    """All policy-mix checks for one option; ``unknown_interventions`` are not in the catalogue."""

    option_id: str
    option_name: str
    balance: BalanceReport
    alignment: AlignmentReport
    complementarity: ComplementarityReport
    niche_risk: NicheRisk
    unknown_interventions: list[str] = Field(default_factory=list)


def mix_report(
    option: Option,
    catalogue: Mapping[str, Intervention],
    profile: AreaProfile | None = None,
    state: AppraisalState | None = None,
    *,
    threshold: float = DEFAULT_NICHE_THRESHOLD,
    intended_impacts: Iterable[str] | None = None,
) -> MixReport:
    """Run every mix check on one option, with the option's own budgets."""
    ids = [i.intervention_id for i in option.interventions]
    ivs = [catalogue[i] for i in ids if i in catalogue]
    budgets = {i.intervention_id: i.budget_gbp_m for i in option.interventions}
    return MixReport(
        option_id=option.id,
        option_name=option.name,
        balance=balance(ivs, budgets, profile),
        alignment=alignment(ivs, profile),
        complementarity=complementarity(ivs, intended_impacts),
        niche_risk=niche_risk(option, catalogue, profile, threshold, state=state),
        unknown_interventions=[i for i in ids if i not in catalogue],
    )


# --------------------------------------------------------------------------------------------
# Chain diagnostics in words


def node_labels(catalogue: Mapping[str, Intervention]) -> dict[str, str]:
    """Every causal-chain node id -> its label: the shared outcomes and impacts, and each
    intervention's own inputs, activities and outputs."""
    out = {n.id: n.label for iv in catalogue.values() for n in iv.causal_chain.nodes}
    out.update({n.id: n.label for n in load_shared_nodes().nodes})
    return out


def diagnostic_text(item: Gap | Overlap | Complementarity,
                    catalogue: Mapping[str, Intervention]) -> str:
    """A gap, overlap or complementarity of the merged chains in words: outcomes and impacts
    by their labels and interventions by name. The diagnostics' own ``message`` names them
    by id ("exports: business support, trade levers meet"), which a reader should not meet;
    the structured fields say the same thing."""
    nodes = node_labels(catalogue)

    def node(i: str) -> str:
        return nodes.get(i, i.replace("_", " "))

    def names(ids: Iterable[str]) -> str:
        return ", ".join(catalogue[i].name if i in catalogue else i.replace("_", " ")
                         for i in ids)

    if isinstance(item, Complementarity):
        kinds = ", ".join(f.replace("_", " ") for f in item.families)
        return f"{node(item.outcome)}: {kinds} levers meet ({names(item.interventions)})"
    if isinstance(item, Overlap):
        text = (f"{node(item.outcome)}: acted on directly by {len(item.interventions)} "
                f"interventions ({names(item.interventions)}); check for duplication and "
                "coordinate")
        if item.same_family:
            text += "; same kind of lever: " + "; ".join(names(g) for g in item.same_family)
        return text
    if item.kind == "missing":
        return f"{node(item.impact)}: not reached by any intervention in the mix"
    if item.kind == "fragile":
        return (f"{node(item.impact)}: reached by a single pathway; everything passes through "
                f"{', '.join(node(b) for b in item.bottleneck)}")
    return (f"{node(item.impact)}: {item.pathways} pathways, all within "
            f"{names(item.interventions[:1])}; nothing else carries it if that under-delivers")
