"""The key policy questions of the walkthrough and how their answers are proposed from evidence.

Questions are data (``policy/data/questions.yaml``). A proposal is only a starting point: the
page shows it, the user edits it, and the session keeps what the user decided.
"""

from __future__ import annotations

from collections import Counter
from functools import lru_cache
from importlib import resources
from typing import Any, Literal

from pydantic import BaseModel

from evidence.models import AreaProfile, Finding, standing
from evidence.sectors import load_sectors
from evidence.yaml_load import load_yaml
from policy.catalogue import (
    RATIONALE_CATEGORIES,
    RATIONALE_LABELS,
    Intervention,
    load_shared_nodes,
)
from rules.results import Recommendations


class Question(BaseModel):
    id: str
    step: str
    prompt: str
    help: str = ""
    kind: Literal["multi", "single", "text"]
    options: list[str] = []
    vocabulary: str | None = None
    prefill: str = "none"


@lru_cache(maxsize=1)
def load_questions() -> tuple[Question, ...]:
    text = resources.files("policy").joinpath("data/questions.yaml").read_text("utf-8")
    return tuple(Question.model_validate(q) for q in load_yaml(text))


def questions_for(step: str) -> list[Question]:
    return [q for q in load_questions() if q.step == step]


def vocabulary(name: str) -> dict[str, str]:
    """Option value -> label for a named vocabulary."""
    def label(x: str) -> str:
        return x.replace("_", " ")

    if name in ("market_failures", "system_failures", "equity_rationales"):
        family = {"market_failures": "market_failure", "system_failures": "system_failure",
                  "equity_rationales": "equity"}[name]
        return {r: RATIONALE_LABELS[r] for r, fam in RATIONALE_CATEGORIES.items()
                if fam == family}
    if name == "sectors":
        return {s.sector_id: s.label for s in load_sectors()}
    if name == "impacts":
        nodes = load_shared_nodes()
        return {n.id: n.label for n in nodes.nodes if n.stage == "impacts"}
    raise KeyError(f"unknown vocabulary {name!r}")


def options_of(q: Question) -> dict[str, str]:
    if q.vocabulary:
        return vocabulary(q.vocabulary)
    return {o: o for o in q.options}


PROPOSAL_TOP = 6
"""Recommendations whose rationales are proposed (the head of the list, not its tail)."""

FOCAL_TOPICS = ("specialisation", "sector_growth")
"""Findings that make a sector a candidate focal point (strengths and opportunities)."""


def focal_sectors(findings: list[Finding]) -> list[str]:
    """Sectors the standing findings support as focal points: a specialisation or growth that
    is a strength or an opportunity, in the order the findings come."""
    strong = [f.sector for f in standing(findings) if f.sector
              and f.kind in ("strength", "opportunity") and f.topic in FOCAL_TOPICS]
    return list(dict.fromkeys(s for s in strong if s))


def focal_support(findings: list[Finding]) -> dict[str, list[str]]:
    """Each focal sector (:func:`focal_sectors`) with the ids of the standing findings that
    make it one, so a page can show what each proposed sector rests on."""
    out: dict[str, list[str]] = {}
    for f in standing(findings):
        if f.sector and f.kind in ("strength", "opportunity") and f.topic in FOCAL_TOPICS:
            out.setdefault(f.sector, []).append(f.id)
    return out


def rationale_support(recs: Recommendations, findings: list[Finding],
                      top: int | None = None) -> dict[str, list[str]]:
    """Each rationale of the (top) recommendations with the standing findings it rests on.

    Only rules whose traced conditions cite a standing finding count, so a rationale is
    proposed only when an accepted or proposed (not rejected) finding supports it.
    """
    live = {f.id for f in standing(findings)}
    out: dict[str, list[str]] = {}
    for rec in recs.recommended[:top]:
        for fired in rec.trace:
            cited = [fid for c in fired.conditions if c.result for fid in c.findings
                     if fid in live]
            if cited:
                ids = out.setdefault(fired.rationale, [])
                ids += [fid for fid in cited if fid not in ids]
    return out


def aims_sentence(chosen: list[Intervention]) -> str:
    """The aims in words, read off the chosen interventions' merged chain: what they do, the
    outcomes they share most, the impacts they reach."""
    nodes = {n.id: n.label for item in chosen for n in item.causal_chain.nodes}
    outcomes = Counter(o for item in chosen for o in item.outcomes())
    impacts = list(dict.fromkeys(i for item in chosen for i in item.impacts()))
    top = [nodes[o].lower() for o, _ in outcomes.most_common(3)]
    text = (f"Through {_and_list([item.name.lower() for item in chosen])}, improve "
            f"{_and_list(top) or 'the local base'}")
    if impacts:
        text += f", so that the area gains {_and_list([nodes[i].lower() for i in impacts])}"
    return text + "."


def _and_list(items: list[str]) -> str:
    return "; ".join(items[:-1]) + f" and {items[-1]}" if len(items) > 1 else "".join(items)


def propose(
    q: Question,
    profile: AreaProfile | None,
    findings: list[Finding],
    recs: Recommendations | None,
    catalogue: dict[str, Intervention],
    chosen: list[str] | None = None,
) -> Any:
    """An evidence-based proposal for one question (None when there is nothing to go on).

    ``chosen``: the interventions the user chose; the aims questions (intended impacts, the
    aims in words) are proposed from their causal chains when given, else from the top
    recommendations."""
    live = standing(findings)
    picked = [catalogue[i] for i in (chosen or []) if i in catalogue]
    if q.prefill == "recommended_rationales" and recs is not None:
        allowed = set(options_of(q))
        return [r for r in rationale_support(recs, live, PROPOSAL_TOP) if r in allowed]
    if q.prefill == "focal_sectors":
        return focal_sectors(live)
    if q.prefill == "target_type" and recs is not None:
        top = [catalogue[r.intervention].target_type for r in recs.recommended[:6]
               if r.intervention in catalogue]
        if not top:
            return None
        counts = Counter(top)
        kind, n = counts.most_common(1)[0]
        return kind if n > len(top) / 2 else "balanced"
    if q.prefill == "ecosystem":
        parts = []
        topics = {f.topic for f in live}
        if topics & {"specialisation", "sector_growth", "dependence"}:
            parts += ["large firms and primes", "SME supply chain"]
        if topics & {"skills", "automation"}:
            parts.append("further education colleges")
        if topics & {"innovation", "productivity_gap"}:
            parts += ["universities and research", "intermediaries and networks"]
        if topics & {"am_base", "thin_growth_sector"}:
            parts += ["sites and infrastructure", "start-ups and spin-outs"]
        return list(dict.fromkeys(parts))
    if q.prefill == "intended_impacts" and (picked or recs is not None):
        top = recs.recommended[:6] if recs is not None else []
        items = picked or [catalogue[r.intervention] for r in top
                           if r.intervention in catalogue]
        impacts: list[str] = []
        for item in items:
            impacts += [n for n in item.impacts() if n not in impacts]
        return impacts
    if q.prefill == "aims_sentence" and picked:
        return aims_sentence(picked)
    if q.prefill == "rationale_sentence" and profile is not None:
        bottlenecks = [f for f in live if f.kind in ("bottleneck", "risk")][:2]
        strengths = [f for f in live if f.kind == "strength"][:1]
        parts = [f.text for f in strengths + bottlenecks]
        return " ".join(parts) if parts else None
    return None
