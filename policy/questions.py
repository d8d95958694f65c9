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

from evidence.labels import label
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


EVIDENCE_MAX = 3
"""Findings cited for one proposed rationale: the few on the point, not every one the rule saw."""


@lru_cache(maxsize=1)
def rationale_topics() -> dict[str, dict[str, tuple[str, ...]]]:
    """Rationale id -> finding topic -> the finding kinds that bear on it (empty: any kind),
    from ``policy/data/rationale_evidence.yaml`` (which says what definitions it follows)."""
    text = resources.files("policy").joinpath("data/rationale_evidence.yaml").read_text("utf-8")
    raw = load_yaml(text)
    unknown = set(raw) - set(RATIONALE_LABELS)
    if unknown:
        raise ValueError(f"policy/data/rationale_evidence.yaml: unknown rationale(s) {unknown}")
    return {r: {t: tuple(k) for t, k in (topics or {}).items()} for r, topics in raw.items()}


def bears_on(finding: Finding, rationale: str) -> bool:
    """Whether ``finding``'s topic and kind speak to ``rationale`` (:func:`rationale_topics`)."""
    kinds = rationale_topics().get(rationale, {}).get(finding.topic)
    return kinds is not None and (not kinds or finding.kind in kinds)


def _few(candidates: list[Finding], limit: int) -> list[Finding]:
    """At most ``limit`` findings, most confident first, one a topic before a second on any:
    three sentences on three points rather than three on one."""
    ranked = sorted(candidates, key=lambda f: -f.confidence)
    firsts = list({f.topic: f for f in reversed(ranked)}.values())
    picked = sorted(firsts, key=lambda f: -f.confidence)[:limit]
    return picked + [f for f in ranked if f not in picked][: limit - len(picked)]


def rationale_evidence(recs: Recommendations, findings: list[Finding],
                       top: int | None = None) -> dict[str, list[str]]:
    """Each rationale :func:`rationale_support` proposes with the findings that bear on it: the
    standing findings whose topic supports that failure (:func:`bears_on`), the ones the
    rules cited first, then any other standing one on the point; at most
    :data:`EVIDENCE_MAX`. A rationale with none maps to an empty list: the rules proposed it
    on a trigger (fast growth for infrastructure failure, say) that is not evidence of the
    failure itself, and the page says so rather than padding it with whatever the rule saw."""
    live = standing(findings)
    by_id = {f.id: f for f in live}
    out: dict[str, list[str]] = {}
    for rationale, cited in rationale_support(recs, findings, top).items():
        on_point = [by_id[i] for i in cited if i in by_id and bears_on(by_id[i], rationale)]
        if len(on_point) < EVIDENCE_MAX:
            on_point += [f for f in live if f not in on_point and bears_on(f, rationale)]
        cited_first = _few([f for f in on_point if f.id in cited], EVIDENCE_MAX)
        rest = _few([f for f in on_point if f.id not in cited], EVIDENCE_MAX - len(cited_first))
        out[rationale] = [f.id for f in cited_first + rest]
    return out


def proposing_rules(recs: Recommendations, rationale: str, top: int | None = None) -> list[str]:
    """Titles of the fired rules (of the top recommendations) that propose ``rationale``."""
    titles = [fired.title for rec in recs.recommended[:top] for fired in rec.trace
              if fired.rationale == rationale]
    return list(dict.fromkeys(titles))


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
        return rationale_sentence(profile, live, recs)
    return None


def rationale_sentence(profile: AreaProfile, live: list[Finding],
                       recs: Recommendations | None) -> str:
    """A short draft of why the public sector should act, in at most three sentences: the
    base and its specialisms, the main constraints by topic, and the failures the evidence
    bears on (:func:`rationale_evidence`). A summary to edit, not the findings pasted
    together: each finding is shown in full beside the rationale it supports."""
    rows = {r.sector: r for r in profile.sectors}
    # a finding from a saved file may name a sector whose LQ is missing (suppressed): only
    # those with an LQ are named with one
    special = sorted({f.sector for f in live if f.topic == "specialisation"
                      and f.kind == "strength" and f.sector in rows
                      and rows[f.sector].lq is not None},
                     key=lambda s: -rows[s].lq)[:2]
    first = (f"{profile.area.name} has {profile.am_jobs:,.0f} advanced manufacturing jobs, "
             f"{profile.am_share:.1%} of its {profile.total_jobs:,.0f} jobs "
             f"({profile.period.end})")
    if special:
        first += ", specialised in " + " and ".join(
            f"{rows[s].label.lower()} (LQ {rows[s].lq:.2f})" for s in special)
    sentences = [first + "."]
    constraints = sorted((f for f in live if f.kind in ("bottleneck", "risk")),
                         key=lambda f: -f.confidence)
    topics: dict[str, list[str]] = {}  # topic -> its sectors, most confident topic first
    for f in constraints:
        sectors = topics.setdefault(f.topic, [])
        if f.sector in rows and rows[f.sector].label.lower() not in sectors:
            sectors.append(rows[f.sector].label.lower())
    points = [label("finding_topic", t).lower() + (f" ({'; '.join(s)})" if s else "")
              for t, s in list(topics.items())[:2]]
    if points:
        sentences.append(f"Its main constraints: {' and '.join(points)}.")
    if recs is not None:
        backed = [r for r, ids in rationale_evidence(recs, live, PROPOSAL_TOP).items() if ids]
        if backed:
            names = [RATIONALE_LABELS[r].lower() for r in backed[:3]]
            sentences.append("The evidence points to " + (
                ", ".join(names[:-1]) + " and " + names[-1] if len(names) > 1 else names[0])
                + ", which the market will not correct on its own.")
    return " ".join(sentences)
