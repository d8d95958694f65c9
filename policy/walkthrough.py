"""From a session and its evidence to every result the walkthrough shows: THE one path.

The pages, the command line and the exports all call these functions, so a number on screen and
the same number in the report come from the same code:

* :func:`session_evidence` - the evidence with the session's custom area added;
* :func:`session_profile` - the area's profile with the findings that stand in place of the
  generated ones (what the room agreed is what drives the recommendations);
* :func:`recommend` - the rules over that profile and its comparators;
* :func:`chosen_interventions` - the user's choice, or the top :data:`TOP_N` recommendations,
  minus any the user dropped;
* :func:`appraisal_state` - the session's appraisal, or the default one built from the chosen
  interventions;
* :func:`run_walkthrough` - all of the above plus the appraisal results, the merged causal
  chain, its diagnostics and the mix checks, in one :class:`WalkthroughResults`;
* :func:`new_session` - a complete session with defaults, for the command line and new users.

Each default used is recorded in ``WalkthroughResults.defaults_used``, so a reader knows which
parts are the tool's starting point rather than the partnership's decision.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

import networkx as nx

from evidence.models import AreaProfile, Finding
from evidence.service import Evidence
from policy.appraisal import (
    DEFAULT_OPTION_RULES,
    AppraisalResults,
    AppraisalState,
    EvaluationPlan,
    Option,
    default_appraisal,
    default_option_intervention,
    evaluation_plan,
    run_appraisal,
)
from policy.catalogue import Intervention, MixDiagnostics, load_catalogue, merge_chains
from policy.catalogue import mix_diagnostics as chain_diagnostics
from policy.mix import MixReport, mix_report
from policy.questions import load_questions, propose
from policy.session import StrategySession
from rules.engine import RuleSet, evaluate, load_rules
from rules.results import Recommendations

__all__ = [
    "CHOSEN_MIX_ID",
    "TOP_N",
    "Chosen",
    "WalkthroughResults",
    "appraisal_state",
    "chosen_interventions",
    "chosen_option",
    "comparator_profiles",
    "default_ruleset",
    "ensure_appraisal",
    "intended_impacts",
    "new_session",
    "recommend",
    "run_walkthrough",
    "session_evidence",
    "seed_findings",
    "session_profile",
]

TOP_N = 5
"""Interventions taken from the top of the ranking when the session has chosen none."""

CHOSEN_MIX_ID = "chosen_mix"
"""Option id used for the chosen interventions when no appraisal option holds exactly them."""


@lru_cache(maxsize=1)
def default_ruleset() -> RuleSet:
    return load_rules(known_interventions=set(load_catalogue()))


def session_evidence(session: StrategySession, evidence: Evidence) -> Evidence:
    """The evidence with the session's custom area added (on a copy) when it is missing."""
    c = session.custom_area
    if c is None or c.code in set(evidence.cube.areas["area_code"]):
        return evidence
    copy = Evidence(dataset=evidence.dataset, cube=evidence.cube)
    copy.add_custom_area(c.code, c.name, list(c.members))
    return copy


def session_profile(ev: Evidence, session: StrategySession) -> AreaProfile:
    """The area's profile with the session's standing findings (if it has any) in place of the
    generated ones. Raises ValueError without an area, KeyError for an area not in the data."""
    if session.area_code is None:
        raise ValueError("the session has no area yet: choose one first")
    profile = ev.profile(session.area_code, session.period_start, session.period_end,
                         comparator_codes=session.comparator_codes)
    if session.findings:
        profile = profile.model_copy(update={"findings": session.standing_findings()})
    return profile


def comparator_profiles(ev: Evidence, profile: AreaProfile) -> list[AreaProfile]:
    return [ev.profile(c.area_code, profile.period.start, profile.period.end)
            for c in profile.comparators]


def recommend(
    ev: Evidence,
    session: StrategySession,
    ruleset: RuleSet | None = None,
    catalogue: dict[str, Intervention] | None = None,
    *,
    profile: AreaProfile | None = None,
    comparators: list[AreaProfile] | None = None,
) -> Recommendations:
    """The rules over the session's profile and its comparators' profiles."""
    catalogue = catalogue if catalogue is not None else load_catalogue()
    profile = profile if profile is not None else session_profile(ev, session)
    if comparators is None:
        comparators = comparator_profiles(ev, profile)
    eligible = {iid: None if "all" in iv.sectors else frozenset(iv.sectors)
                for iid, iv in catalogue.items()}
    return evaluate(ruleset or default_ruleset(), profile, comparators,
                    interventions=list(catalogue), eligible=eligible)


@dataclass(frozen=True)
class Chosen:
    """The interventions the walkthrough works with, and how they were arrived at."""

    ids: list[str]
    basis: str
    defaulted: bool
    unknown: list[str] = field(default_factory=list)


def chosen_interventions(
    session: StrategySession, recs: Recommendations, catalogue: dict[str, Intervention]
) -> Chosen:
    """The user's chosen interventions, or the top :data:`TOP_N` recommendations when none are
    chosen; interventions the user dropped never come back by default, and ids missing from
    the catalogue are set aside (``unknown``)."""
    dropped = set(session.dropped_interventions)
    if session.chosen_interventions:
        ids = [i for i in dict.fromkeys(session.chosen_interventions) if i not in dropped]
        basis, defaulted = "chosen in the session", False
    else:
        ids = [i for i in recs.ids() if i not in dropped and i in catalogue][:TOP_N]
        basis = f"none chosen in the session: the top {len(ids)} recommendation(s)"
        defaulted = True
    return Chosen(ids=[i for i in ids if i in catalogue], basis=basis, defaulted=defaulted,
                  unknown=[i for i in ids if i not in catalogue])


def appraisal_state(
    session: StrategySession,
    chosen: list[str],
    recs: Recommendations,
    catalogue: dict[str, Intervention],
    profile: AreaProfile | None,
) -> AppraisalState:
    """The session's appraisal, or (when it has no options yet) the default one built from
    the chosen interventions with their rule scores, by the session's option rules when the
    user has edited them (else :data:`policy.appraisal.DEFAULT_OPTION_RULES`)."""
    if session.appraisal.options:
        return session.appraisal
    scores = {r.intervention: r.score for r in recs.recommended}
    rules = session.appraisal.option_rules or DEFAULT_OPTION_RULES
    # the rationales the area's rules gave each intervention: inclusion counts only the
    # equity ones found here (policy.appraisal.defaults.default_scores)
    given = {r.intervention: r.rationales for r in recs.recommended}
    return default_appraisal([(i, scores.get(i, 0.0)) for i in chosen], catalogue, profile,
                             rules, area_rationales=given)


def intended_impacts(session: StrategySession) -> list[str] | None:
    """The impacts the session aims at (None = every impact in the shared vocabulary)."""
    answer = session.answers.get("intended_impacts")
    impacts = [str(i) for i in answer] if isinstance(answer, list) else None
    return impacts or None


def chosen_option(chosen: list[Intervention], state: AppraisalState) -> Option:
    """The appraisal option holding exactly the chosen interventions, or one built for them.

    A built option takes each intervention's budget from the first appraisal option that
    funds it, else the catalogue default (cost midpoint and phasing).
    """
    wanted = {iv.id for iv in chosen}
    for opt in state.options:
        if not opt.is_baseline and {i.intervention_id for i in opt.interventions} == wanted:
            return opt
    items = []
    for iv in chosen:
        found = next(
            (i for o in state.options for i in o.interventions if i.intervention_id == iv.id),
            None,
        )
        items.append(found if found is not None else default_option_intervention(iv))
    return Option(
        id=CHOSEN_MIX_ID,
        name="Chosen mix",
        description="The interventions chosen in the session, as one package.",
        interventions=items,
    )


@dataclass
class WalkthroughResults:
    """Everything the walkthrough computes for one session, for the pages and the exports.

    ``profile`` carries the findings that stand (the ones the rules saw); ``rejected_findings``
    are the ones the user rejected. ``graph`` is the merged causal chain of ``chosen`` and
    ``diagnostics`` its gaps and overlaps against ``intended_impacts``. ``mix`` checks the
    chosen interventions as one option; ``option_mixes`` each short-listed non-baseline option.
    ``evaluation`` is the monitoring and evaluation plan of the chosen interventions (Magenta
    Book 2020), with the targets set in the appraisal.
    """

    evidence: Evidence
    profile: AreaProfile
    comparators: list[AreaProfile]
    recommendations: Recommendations
    catalogue: dict[str, Intervention]
    chosen: list[Intervention]
    chosen_basis: str
    appraisal: AppraisalState
    results: AppraisalResults
    graph: nx.DiGraph
    diagnostics: MixDiagnostics | None
    mix: MixReport | None
    option_mixes: dict[str, MixReport]
    intended_impacts: list[str] | None
    rejected_findings: list[Finding]
    defaults_used: list[str]
    warnings: list[str]
    evaluation: EvaluationPlan | None = None


def run_walkthrough(
    session: StrategySession,
    evidence: Evidence,
    ruleset: RuleSet | None = None,
    catalogue: dict[str, Intervention] | None = None,
    *,
    n_draws: int = 10_000,
) -> WalkthroughResults:
    """Every result of the walkthrough for a (possibly partial) session, filling gaps with the
    tool's defaults and saying so. Raises ``ValueError`` with a plain message when the session
    has no area or the area is not in the data."""
    if not session.area_code:
        raise ValueError(
            "the session has no area: choose an area (session.area_code) before exporting"
        )
    catalogue = catalogue if catalogue is not None else load_catalogue()
    defaults: list[str] = []
    warnings: list[str] = []
    ev = session_evidence(session, evidence)
    try:
        profile = session_profile(ev, session)
    except KeyError as exc:
        raise ValueError(
            f"area {session.area_code!r} is not in the data ({ev.dataset.source.name}): {exc}"
        ) from None
    if not session.findings:
        defaults.append("findings: the profile's own findings (none reviewed in the session)")
    comparators: list[AreaProfile] = []
    try:
        comparators = comparator_profiles(ev, profile)
    except (KeyError, ValueError) as exc:
        warnings.append(f"comparators left out of the rules: {exc}")
    recs = recommend(ev, session, ruleset, catalogue, profile=profile, comparators=comparators)
    unknown_recs = [r.intervention for r in recs.recommended if r.intervention not in catalogue]
    if unknown_recs:
        warnings.append(
            "recommended but not in the catalogue (left out): " + ", ".join(unknown_recs)
        )
    picked = chosen_interventions(session, recs, catalogue)
    if picked.defaulted:
        defaults.append(f"interventions: {picked.basis}")
    if picked.unknown:
        warnings.append(
            "chosen interventions not in the catalogue (left out): " + ", ".join(picked.unknown)
        )
    chosen = [catalogue[i] for i in picked.ids]
    state = appraisal_state(session, picked.ids, recs, catalogue, profile)
    if state is not session.appraisal:
        defaults.append(
            "appraisal: the tool's default options from the chosen interventions, equal "
            "weights and derived scores (no options saved in the session)"
        )
    results = run_appraisal(state, n_draws=n_draws)
    intended = intended_impacts(session)
    graph = merge_chains(chosen)
    diagnostics = chain_diagnostics(graph, intended) if chosen else None
    mix = None
    if chosen:
        mix = mix_report(chosen_option(chosen, state), catalogue, profile, state,
                         intended_impacts=intended)
    option_mixes: dict[str, MixReport] = {}
    for oid in results.kept:
        opt = next((o for o in state.options if o.id == oid), None)
        if opt is not None and not opt.is_baseline:
            option_mixes[oid] = mix_report(opt, catalogue, profile, state,
                                           intended_impacts=intended)
    return WalkthroughResults(
        evidence=ev, profile=profile, comparators=comparators, recommendations=recs,
        catalogue=catalogue, chosen=chosen, chosen_basis=picked.basis, appraisal=state,
        results=results, graph=graph, diagnostics=diagnostics, mix=mix,
        option_mixes=option_mixes, intended_impacts=intended,
        rejected_findings=session.rejected_findings(), defaults_used=defaults,
        warnings=warnings, evaluation=evaluation_plan(chosen, profile, state.targets),
    )


def new_session(ev: Evidence, area_code: str, data_source: str | None = None) -> StrategySession:
    """A complete session with sensible defaults: all generated findings accepted, the top
    recommendations chosen, the questions answered with the evidence's proposals, and the
    baseline plus options built from them. The whole flow runs without a browser and can be
    refined later."""
    catalogue = load_catalogue()
    session = StrategySession(data_source=data_source)
    name = str(ev.cube.areas["area_name"].iloc[ev.cube.position(area_code)])
    session.choose_area(area_code, name)
    seed_findings(ev, session, accept=True)
    profile = session_profile(ev, session)
    recs = recommend(ev, session, catalogue=catalogue, profile=profile)
    session.chosen_interventions = chosen_interventions(session, recs, catalogue).ids
    for q in load_questions():
        proposal = propose(q, profile, session.findings, recs, catalogue,
                           session.chosen_interventions)
        if proposal not in (None, [], ""):
            session.answers[q.id] = proposal
    session.appraisal = appraisal_state(session, session.chosen_interventions, recs, catalogue,
                                        profile)
    return session


def seed_findings(ev: Evidence, session: StrategySession, *, accept: bool = False) -> None:
    """Copy the area's generated findings into the session the first time the area is seen
    (:meth:`StrategySession.seed_findings`); the UI proposes them, the CLI accepts them."""
    if session.findings_need_seeding():
        generated = ev.profile(session.area_code, session.period_start, session.period_end,
                               comparator_codes=session.comparator_codes).findings
        session.seed_findings(generated, accept=accept)


def ensure_appraisal(ev: Evidence, session: StrategySession) -> None:
    """Store the default appraisal in the session when it has none yet (first visit to the
    mix, appraisal or workshop step), built as :func:`run_walkthrough` would build it."""
    if session.appraisal.options:
        return
    catalogue = load_catalogue()
    profile = session_profile(ev, session)
    recs = recommend(ev, session, catalogue=catalogue, profile=profile)
    chosen = chosen_interventions(session, recs, catalogue).ids
    session.appraisal = appraisal_state(session, chosen, recs, catalogue, profile)
