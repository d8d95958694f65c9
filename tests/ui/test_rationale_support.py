"""The rationale page shows, for each proposed failure and focal sector, the finding it rests
on (issue 10 s.2), and proposes nothing the standing findings do not support."""

from __future__ import annotations

from evidence.service import Evidence
from evidence.sources.demo import ARCHETYPES
from policy.questions import focal_support
from policy.session import StrategySession
from tests.ui.apptest_helpers import SESSION_KEY, app_at


def test_each_proposal_names_the_findings_it_rests_on() -> None:
    code = ARCHETYPES["declining_industrial"][0]
    at = app_at("rationale", StrategySession(area_code=code, area_name="x"))
    assert not at.exception
    texts = {f.text for f in Evidence.from_path(None).profile(code).findings}
    captions = [c.value for c in at.caption if " - rests on: " in c.value]
    answers = at.session_state[SESSION_KEY].answers
    proposed = len(answers.get("market_failures") or []) + len(
        answers.get("system_failures") or []) + len(answers.get("equity") or []) + len(
        answers.get("focal_sectors") or [])
    assert proposed and len(captions) == proposed
    for cap in captions:
        cited = cap.split(" - rests on: ", 1)[1].split(" | ")
        assert all(t in texts for t in cited), cap


def test_focal_support_ignores_rejected_findings() -> None:
    code = ARCHETYPES["chemicals_flourishing"][0]
    findings = Evidence.from_path(None).profile(code).findings
    support = focal_support(findings)
    assert "chemicals" in support
    rejected = [f.model_copy(update={"status": "rejected"}) if f.sector == "chemicals" else f
                for f in findings]
    assert "chemicals" not in focal_support(rejected)
