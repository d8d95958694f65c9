"""The rules engine: evidence (an ``AreaProfile``) in, ranked and traced recommendations out.

``load_rules`` reads and compiles the YAML library once; ``evaluate`` runs every compiled rule
against one profile (optionally with its comparators' profiles, for ``comparator_median``
tests) and scores interventions so that each piece of evidence counts once:

    E_r        = the evidence a fired rule r rests on: the distinct findings that made it true,
                 or, for a rule that fired on indicator tests alone, the indicators it tested
    c_e        = the confidence of finding e (1.0 for an indicator)
    score(iv)  = sum over pieces of evidence e of
                 max over fired rules r recommending iv with e in E_r of  w(r, iv) x c_e / |E_r|

A single rule therefore scores its weight times the mean confidence of its findings; several
rules that rest on the same finding (five rules fed by one sector decline) count it once, at
the largest weight any of them gives it, and an intervention named by more rules ranks higher
only if those rules rest on different evidence. Indicator tests inside a rule that also rests on
findings (size floors such as ``am_jobs >= 1000``) are qualifiers, not evidence. Confidence
enters because a finding resting on a handful of suppressed-and-rounded jobs should not weigh as
much as one resting on thousands. Ties are broken by intervention id so the ranking is
deterministic.

An intervention is recommended only when its score reaches ``min_score``
(``rules/data/scoring.yaml``): one half-weight mention resting on a middling finding is not
enough; below the floor it is listed as not recommended with its score.

Sector eligibility follows the catalogue: given ``eligible`` (intervention -> the sectors the
catalogue lists, None for all), a rule whose findings are about sectors none of which the
intervention serves does not recommend it (a science park for a weapons specialism), and the
not-recommended list says so.

A fired rule with ``advice`` adds it to ``Recommendations.advice`` (e.g. "advanced manufacturing
is not a priority here: consider ..."), so an outcome other than a list of programmes is
stated, not implied.

Interventions in the catalogue that no rule recommended are listed with, for each rule that
could have recommended them, the first condition that failed, in plain words: a workshop can see
what evidence would change the answer.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache
from importlib import resources
from typing import Any

from evidence.batch import collector_paused
from evidence.models import AreaProfile
from evidence.yaml_load import load_yaml
from rules.conditions import TRUE, Context, Leaf, Outcome, outcome_of
from rules.loader import RuleFileError, RuleSet, load_rules, rules_from_texts
from rules.models import AllOf, AnyOf, NotOf, Rule
from rules.paths import ProfileView
from rules.results import FiredRule, Recommendations

__all__ = [
    "RuleFileError",
    "RuleSet",
    "evaluate",
    "evaluate_all",
    "load_rules",
    "rules_from_texts",
]

_SCORE_DIGITS = 4


@lru_cache(maxsize=1)
def scoring() -> dict[str, float]:
    """The scoring settings in ``rules/data/scoring.yaml`` (``min_score``)."""
    text = resources.files("rules").joinpath("data/scoring.yaml").read_text("utf-8")
    return {k: float(v) for k, v in load_yaml(text).items()}


def _rule_evidence(rule_id: str, contrib: list[Leaf]) -> tuple[dict[str, float], list[str]]:
    """The evidence a fired rule rests on (key -> confidence) and the sectors it bound.

    The distinct findings behind it; for a rule that fired on indicators alone, those indicator
    tests (confidence 1.0); for one that fired on area or absence tests alone, the rule itself.
    """
    findings: dict[str, float] = {}
    indicators: dict[str, float] = {}
    sectors: dict[str, None] = {}
    for leaf in contrib:
        for fid, conf in zip(leaf.findings, leaf.confidences, strict=False):
            findings[fid] = conf
        if leaf.kind in ("indicator", "present"):
            indicators[f"{leaf.path} {leaf.op}"] = 1.0
        for s in leaf.sectors:
            sectors[s] = None
    evidence = findings or indicators or {f"rule:{rule_id}": 1.0}
    return evidence, list(sectors)


def _shape(cond: Any) -> tuple[str, list[int | None]]:
    """What a rule needs (all / any / one test) and, per leaf in evaluation order, the group of
    alternatives it belongs to (an ``any`` inside an ``all``; ``not`` is pushed to the leaves)."""
    while isinstance(cond, NotOf):
        cond = cond.not_
    if isinstance(cond, AllOf | AnyOf):
        parts = cond.all if isinstance(cond, AllOf) else cond.any
        needs = "all" if isinstance(cond, AllOf) else "any"
        groups: list[int | None] = []
        group = 0
        for part in parts:
            inner = part
            while isinstance(inner, NotOf):
                inner = inner.not_
            _, sub = _shape(inner)
            if isinstance(inner, AllOf | AnyOf) and len(sub) > 1:
                group += 1
                groups.extend(group for _ in sub)
            else:
                groups.extend(sub)
        return needs, groups
    return "one", [None]


def needs_of(rule: Rule) -> tuple[str, list[list[int]]]:
    """What a rule needs - ``all`` its tests, ``any`` one, or ``one`` single test - and the
    groups of tests (1-based positions in a fired rule's trace, which lists every leaf in
    order) that are alternatives inside it (an ``any`` nested in an ``all``)."""
    needs, groups = _shape(rule.when)
    out: dict[int, list[int]] = {}
    for i, group in enumerate(groups, start=1):
        if group is not None:
            out.setdefault(group, []).append(i)
    return needs, list(out.values())


def _trace(leaves: list[Leaf]) -> list[dict[str, Any]]:
    return [
        {
            "path": leaf.path,
            "op": leaf.op,
            "actual": leaf.actual,
            "threshold": leaf.threshold,
            "result": leaf.truth == TRUE,
            "findings": list(leaf.findings),
            "note": leaf.note,
        }
        for leaf in leaves
    ]


class _Tally:
    __slots__ = ("evidence", "rationales", "sectors", "fired")

    def __init__(self) -> None:
        self.evidence: dict[str, float] = {}  # piece of evidence -> the most it contributes
        self.rationales: dict[str, None] = {}
        self.sectors: dict[str, None] = {}
        self.fired: list[tuple[float, str, FiredRule]] = []


def evaluate(
    ruleset: RuleSet,
    profile: AreaProfile,
    comparator_profiles: Sequence[AreaProfile] | None = None,
    interventions: Iterable[str] | None = None,
    eligible: Mapping[str, frozenset[str] | None] | None = None,
    min_score: float | None = None,
) -> Recommendations:
    """Run every rule against ``profile`` and rank the interventions the fired rules recommend.

    ``comparator_profiles`` feed ``comparator_median`` tests (without them those tests are
    unknown, hence false, and the trace says so). ``interventions`` is the catalogue's id list,
    used for ``not_recommended``; without it the ids the rules mention are used. ``eligible``
    maps intervention ids to the sectors the catalogue lists for them (None or absent: all).
    ``min_score`` defaults to the one in ``rules/data/scoring.yaml``.
    """
    return _evaluate(ruleset, Context(profile, comparator_profiles), interventions, eligible,
                     min_score)


def evaluate_all(
    ruleset: RuleSet,
    profiles: Sequence[AreaProfile],
    comparator_profiles: Sequence[Sequence[AreaProfile] | None] | None = None,
    interventions: Iterable[str] | None = None,
    eligible: Mapping[str, frozenset[str] | None] | None = None,
    min_score: float | None = None,
) -> list[Recommendations]:
    """:func:`evaluate` for many areas at once (every district of a calibration or an export).

    Each result equals ``evaluate(ruleset, profiles[k], comparator_profiles[k], ...)``; the
    batch shares each profile's indexed view between the areas it is a comparator of, and
    pauses the garbage collector while the results are built
    (:func:`evidence.batch.collector_paused`: the results are trees, nothing for it to free).
    """
    if comparator_profiles is not None and len(comparator_profiles) != len(profiles):
        raise ValueError(f"{len(profiles)} profiles but {len(comparator_profiles)} comparator "
                         "lists")
    catalogue = list(dict.fromkeys(interventions)) if interventions is not None else None
    views: dict[int, tuple[AreaProfile, ProfileView]] = {}
    with collector_paused():
        return [
            _evaluate(ruleset, Context(profile, None if comparator_profiles is None
                                       else comparator_profiles[k], views),
                      catalogue, eligible, min_score)
            for k, profile in enumerate(profiles)
        ]


def _evaluate(
    ruleset: RuleSet,
    ctx: Context,
    interventions: Iterable[str] | None,
    eligible: Mapping[str, frozenset[str] | None] | None,
    min_score: float | None,
) -> Recommendations:
    """The rules over one area's context (see :func:`evaluate`)."""
    profile = ctx.profile
    floor = scoring()["min_score"] if min_score is None else min_score
    eligible = eligible or {}
    ineligible: dict[tuple[str, str], str] = {}  # (rule, intervention) -> why not
    advice: dict[str, None] = {}
    outcomes: dict[str, Outcome] = {}
    tallies: dict[str, _Tally] = {}
    sector_order = {row.sector: i for i, row in enumerate(profile.sectors)}
    for compiled in ruleset.compiled:
        rule = compiled.rule
        out = outcome_of(compiled.node(ctx))
        outcomes[rule.id] = out
        if out.truth != TRUE:
            continue
        evidence, sectors = _rule_evidence(rule.id, out.contrib)
        share = 1.0 / len(evidence)
        # validated once and shared by every intervention the rule recommends
        fired = FiredRule.model_validate({
            "rule": rule.id, "title": rule.title, "why": rule.why,
            "rationale": rule.rationale, "conditions": _trace(out.leaves),
        })
        if rule.advice:
            advice[rule.advice] = None
        for rec in rule.recommends:
            allowed = eligible.get(rec.intervention)
            if allowed is not None and sectors and not set(sectors) & allowed:
                ineligible[(rule.id, rec.intervention)] = (
                    f"rule {rule.id!r} fired on {', '.join(sectors)}, which the catalogue does "
                    f"not list for {rec.intervention!r}")
                continue
            tally = tallies.get(rec.intervention)
            if tally is None:
                tally = tallies[rec.intervention] = _Tally()
            contribution = 0.0
            for key, conf in evidence.items():
                part = rec.weight * conf * share
                contribution += part
                if part > tally.evidence.get(key, 0.0):
                    tally.evidence[key] = part
            tally.rationales[rule.rationale] = None
            for s in sectors:
                if allowed is None or s in allowed:
                    tally.sectors[s] = None
            tally.fired.append((contribution, rule.id, fired))

    recommended = []
    weak: dict[str, list[str]] = {}
    for iid, tally in list(tallies.items()):
        score = round(sum(tally.evidence.values()), _SCORE_DIGITS)
        if score < floor:
            weak[iid] = [f"rule {f[1]!r} fired, but the evidence for {iid!r} scores {score:g}, "
                         f"under the floor of {floor:g}" for f in tally.fired]
            del tallies[iid]
            continue
        tally.fired.sort(key=lambda item: (-item[0], item[1]))
        recommended.append({
            "intervention": iid,
            "score": score,
            "rationales": list(tally.rationales),
            "sectors": sorted(tally.sectors, key=lambda s: (sector_order.get(s, 99), s)),
            "trace": [f for _, _, f in tally.fired],
        })
    recommended.sort(key=lambda r: (-r["score"], r["intervention"]))

    catalogue = list(dict.fromkeys(interventions)) if interventions is not None \
        else ruleset.interventions
    not_recommended = _not_recommended(ruleset, catalogue, set(tallies), weak, ineligible,
                                       outcomes)
    # One validation call in pydantic-core builds the whole output: faster than constructing the
    # models one by one in Python, and the output is checked against its declared shape.
    return Recommendations.model_validate(
        {"recommended": recommended, "not_recommended": not_recommended,
         "advice": list(advice)}
    )



def _not_recommended(
    ruleset: RuleSet, catalogue: list[str], recommended: set[str], weak: dict[str, list[str]],
    ineligible: dict[tuple[str, str], str], outcomes: dict[str, Outcome],
) -> list[dict[str, Any]]:
    """Each catalogue intervention not recommended, with why: under the score floor, not
    eligible for the sectors its rules fired on, or each candidate rule's first failure."""
    not_recommended = []
    explained: dict[str, str] = {}  # a rule recommending several interventions is explained once
    for iid in catalogue:
        if iid in recommended:
            continue
        candidates = ruleset.by_intervention.get(iid, ())
        if iid in weak:
            why = weak[iid]
        elif not candidates:
            why = [f"no rule in the library recommends {iid!r}"]
        else:
            why = []
            for c in candidates:
                if (c.rule.id, iid) in ineligible:
                    why.append(ineligible[(c.rule.id, iid)])
                    continue
                text = explained.get(c.rule.id)
                if text is None:
                    text = explained[c.rule.id] = _why_not(c.rule.id, outcomes[c.rule.id])
                why.append(text)
        not_recommended.append({"intervention": iid, "why": why})
    return not_recommended

def _why_not(rule_id: str, outcome: Outcome) -> str:
    failure = outcome.failure
    reason = failure.explain() if failure is not None else "condition not met"
    return f"rule {rule_id!r} did not fire: {reason}"
