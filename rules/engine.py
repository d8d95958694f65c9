"""The rules engine: evidence (an ``AreaProfile``) in, ranked and traced recommendations out.

``load_rules`` reads and compiles the YAML library once; ``evaluate`` runs every compiled rule
against one profile (optionally with its comparators' profiles, for ``comparator_median``
tests) and scores interventions:

    score(intervention) = sum over fired rules recommending it of
                          weight x mean confidence of the findings that fired the rule

(1.0 when a rule fired on indicator tests alone). Confidence enters because a finding resting on
a handful of suppressed-and-rounded jobs should not weigh as much as one resting on thousands.
Ties are broken by intervention id so the ranking is deterministic.

Interventions in the catalogue that no rule recommended are listed with, for each rule that
could have recommended them, the first condition that failed, in plain words: a workshop can see
what evidence would change the answer.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from evidence.models import AreaProfile
from rules.conditions import TRUE, Context, Leaf, Outcome, outcome_of
from rules.loader import RuleFileError, RuleSet, load_rules, rules_from_texts
from rules.results import FiredRule, Recommendations

__all__ = [
    "RuleFileError",
    "RuleSet",
    "evaluate",
    "load_rules",
    "rules_from_texts",
]

_SCORE_DIGITS = 4


def _rule_confidence(contrib: list[Leaf]) -> tuple[float, list[str]]:
    """Mean confidence of the distinct findings behind a fired rule (1.0 if none) and sectors."""
    confidences: dict[str, float] = {}
    sectors: dict[str, None] = {}
    for leaf in contrib:
        for fid, conf in zip(leaf.findings, leaf.confidences, strict=False):
            confidences[fid] = conf
        for s in leaf.sectors:
            sectors[s] = None
    if not confidences:
        return 1.0, list(sectors)
    return sum(confidences.values()) / len(confidences), list(sectors)


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
    __slots__ = ("score", "rationales", "sectors", "fired")

    def __init__(self) -> None:
        self.score = 0.0
        self.rationales: dict[str, None] = {}
        self.sectors: dict[str, None] = {}
        self.fired: list[tuple[float, str, FiredRule]] = []


def evaluate(
    ruleset: RuleSet,
    profile: AreaProfile,
    comparator_profiles: Sequence[AreaProfile] | None = None,
    interventions: Iterable[str] | None = None,
) -> Recommendations:
    """Run every rule against ``profile`` and rank the interventions the fired rules recommend.

    ``comparator_profiles`` feed ``comparator_median`` tests (without them those tests are
    unknown, hence false, and the trace says so). ``interventions`` is the catalogue's id list,
    used for ``not_recommended``; without it the ids the rules mention are used.
    """
    ctx = Context(profile, comparator_profiles)
    outcomes: dict[str, Outcome] = {}
    tallies: dict[str, _Tally] = {}
    sector_order = {row.sector: i for i, row in enumerate(profile.sectors)}
    for compiled in ruleset.compiled:
        rule = compiled.rule
        out = outcome_of(compiled.node(ctx))
        outcomes[rule.id] = out
        if out.truth != TRUE:
            continue
        confidence, sectors = _rule_confidence(out.contrib)
        # validated once and shared by every intervention the rule recommends
        fired = FiredRule.model_validate({
            "rule": rule.id, "title": rule.title, "why": rule.why,
            "rationale": rule.rationale, "conditions": _trace(out.leaves),
        })
        for rec in rule.recommends:
            tally = tallies.get(rec.intervention)
            if tally is None:
                tally = tallies[rec.intervention] = _Tally()
            contribution = rec.weight * confidence
            tally.score += contribution
            tally.rationales[rule.rationale] = None
            for s in sectors:
                tally.sectors[s] = None
            tally.fired.append((contribution, rule.id, fired))

    recommended = []
    for iid, tally in tallies.items():
        tally.fired.sort(key=lambda item: (-item[0], item[1]))
        recommended.append({
            "intervention": iid,
            "score": round(tally.score, _SCORE_DIGITS),
            "rationales": list(tally.rationales),
            "sectors": sorted(tally.sectors, key=lambda s: (sector_order.get(s, 99), s)),
            "trace": [f for _, _, f in tally.fired],
        })
    recommended.sort(key=lambda r: (-r["score"], r["intervention"]))

    catalogue = list(dict.fromkeys(interventions)) if interventions is not None \
        else ruleset.interventions
    not_recommended = []
    explained: dict[str, str] = {}  # a rule recommending several interventions is explained once
    for iid in catalogue:
        if iid in tallies:
            continue
        candidates = ruleset.by_intervention.get(iid, ())
        if not candidates:
            why = [f"no rule in the library recommends {iid!r}"]
        else:
            why = []
            for c in candidates:
                text = explained.get(c.rule.id)
                if text is None:
                    text = explained[c.rule.id] = _why_not(c.rule.id, outcomes[c.rule.id])
                why.append(text)
        not_recommended.append({"intervention": iid, "why": why})
    # One validation call in pydantic-core builds the whole output: faster than constructing the
    # models one by one in Python, and the output is checked against its declared shape.
    return Recommendations.model_validate(
        {"recommended": recommended, "not_recommended": not_recommended}
    )


def _why_not(rule_id: str, outcome: Outcome) -> str:
    failure = outcome.failure
    reason = failure.explain() if failure is not None else "condition not met"
    return f"rule {rule_id!r} did not fire: {reason}"
