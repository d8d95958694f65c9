"""The rationale page shows, for each proposed failure and focal sector, the findings it rests
on (issue 10 s.2): only findings whose topic bears on that failure, at most three, as a list
(the browser walk found every failure "resting on" the same pipe-joined specialisation
sentences), and proposes nothing the standing findings do not support."""

from __future__ import annotations

from evidence.service import Evidence
from evidence.sources.demo import ARCHETYPES
from policy.questions import EVIDENCE_MAX, bears_on, focal_support
from policy.session import StrategySession
from tests.ui.apptest_helpers import SESSION_KEY, app_at
from ui.text import plain

ASHMINSTER = "E08000017"
REST = " - rests on:\n"


def _captions(code: str) -> tuple[list[str], dict]:
    at = app_at("rationale", StrategySession(area_code=code, area_name="x"))
    assert not at.exception
    return [c.value for c in at.caption if " - " in c.value and (
        REST in c.value or "bears on it directly" in c.value)], at.session_state[SESSION_KEY]


def _cited(caption: str) -> list[str]:
    return [line.removeprefix("- ") for line in caption.split(REST, 1)[1].split("\n")] \
        if REST in caption else []


def test_each_proposal_names_the_findings_it_rests_on() -> None:
    code = ARCHETYPES["declining_industrial"][0]
    captions, session = _captions(code)
    texts = {plain(f.text) for f in Evidence.from_path(None).profile(code).findings}
    answers = session.answers
    proposed = len(answers.get("market_failures") or []) + len(
        answers.get("system_failures") or []) + len(answers.get("equity") or []) + len(
        answers.get("focal_sectors") or [])
    assert proposed and len(captions) == proposed
    for cap in captions:
        cited = _cited(cap)
        assert len(cited) <= EVIDENCE_MAX and " | " not in cap, cap
        assert all(t in texts for t in cited), cap


def test_each_failure_cites_only_findings_on_its_point() -> None:
    """Ashminster: aerospace specialisation is no evidence of information asymmetry, network
    or institutional failure, nor automotive growth of infrastructure failure."""
    captions, session = _captions(ASHMINSTER)
    findings = {plain(f.text): f for f in Evidence.from_path(None).profile(ASHMINSTER).findings}
    labels = {"Information asymmetry": "information_asymmetry",
              "Network failure": "network_failure",
              "Institutional failure": "institutional_failure",
              "Infrastructure failure": "infrastructure_failure",
              "Co-ordination failure": "coordination_failure"}
    seen = set()
    for cap in captions:
        name = cap.split(" - ", 1)[0]
        if name not in labels:
            continue
        seen.add(name)
        for text in _cited(cap):
            assert bears_on(findings[text], labels[name]), (name, text)
            assert findings[text].topic not in ("specialisation", "sector_growth"), (name, text)
    assert seen == set(labels), seen
    infra = next(c for c in captions if c.startswith("Infrastructure failure"))
    assert "no finding in the profile bears on it directly" in infra
    assert "Sites and premises for expanding sectors" in infra
    network = _cited(next(c for c in captions if c.startswith("Network failure")))
    assert network and all(findings[t].topic == "cross_boundary_cluster" for t in network)


def test_draft_rationale_is_a_short_summary_not_findings_stuck_together() -> None:
    _, session = _captions(ASHMINSTER)
    draft = session.answers["rationale_statement"]
    texts = [f.text for f in Evidence.from_path(None).profile(ASHMINSTER).findings]
    assert not any(t in draft for t in texts)
    assert draft.count(". ") <= 2 and len(draft) < 450, draft
    assert draft.startswith("Ashminster has 11,550 advanced manufacturing jobs, 12.4% of its "
                            "93,035 jobs (2024), specialised in automotive (LQ 12.18)")


def test_focal_support_ignores_rejected_findings() -> None:
    code = ARCHETYPES["chemicals_flourishing"][0]
    findings = Evidence.from_path(None).profile(code).findings
    support = focal_support(findings)
    assert "chemicals" in support
    rejected = [f.model_copy(update={"status": "rejected"}) if f.sector == "chemicals" else f
                for f in findings]
    assert "chemicals" not in focal_support(rejected)
