"""Calibration figures (issue 10 section 3): hand-computed on made-up districts, and the batch
recommendations equal the one-area path."""

from __future__ import annotations

import pytest

from evidence.service import Evidence
from policy.calibration import AreaRecommendations, calibration, each_area, recommend_all
from policy.session import StrategySession
from policy.walkthrough import recommend


def _area(code: str, ids: list[str], findings: list[tuple[str, str]]) -> AreaRecommendations:
    return AreaRecommendations(code, code, [{"intervention": i} for i in ids], findings)


def test_calibration_hand_computed() -> None:
    results = [
        _area("A", ["x", "y", "z", "w"], [("skills", "area")]),
        _area("B", ["y", "x", "z"], [("skills", "area"), ("specialisation", "chemicals")]),
        _area("C", ["x"], []),
        _area("D", [], [("specialisation", "aerospace")]),
    ]
    cal = calibration(results, "made up")
    assert cal.counts == [4, 3, 1, 0]
    assert cal.median == 2.0
    assert cal.spread[0] == 0 and cal.spread[3] == 4
    assert cal.intervention_share == {"x": 0.75, "y": 0.5, "z": 0.5, "w": 0.25}
    assert cal.finding_share["skills:area"] == 0.5
    assert cal.finding_share["specialisation:chemicals"] == 0.25
    # {x,y,z} twice (order does not matter), {x}, {}
    assert cal.distinct_top3 == 3
    assert cal.checks == {"median_recommended": True, "max_intervention_share": True,
                          "max_finding_share": True}
    assert not calibration(results[:3]).checks["max_intervention_share"]  # x in 3 of 3


@pytest.fixture(scope="module")
def demo() -> Evidence:
    return Evidence.from_path(None)


def test_batch_equals_one_area_path(demo: Evidence) -> None:
    results = recommend_all(demo)
    districts = demo.cube.areas.loc[demo.cube.areas["level"] == "lad", "area_code"]
    assert [r.area_code for r in results] == list(districts)
    for r in results[:: max(1, len(results) // 5)]:
        one = recommend(demo, StrategySession(area_code=r.area_code))
        assert r.recommended == [x.model_dump(mode="json") for x in one.recommended]


def test_each_area_is_the_walkthrough_result_in_full(demo: Evidence) -> None:
    """The batch (every profile once, ``rules.evaluate_all``) gives every part of what
    ``policy.walkthrough.recommend`` gives a new session: ranks, scores, traces, why-not
    reasons and advice, and the same profile."""
    rows = list(each_area(demo))
    assert len(rows) == int((demo.cube.areas["level"] == "lad").sum())
    for code, name, profile, recs in rows[::24]:
        assert profile == demo.profile(code)
        assert name == profile.area.name
        one = recommend(demo, StrategySession(area_code=code))
        assert recs == one
        assert recs.model_dump(mode="json") == one.model_dump(mode="json")



def test_demo_meets_the_selectivity_targets(demo: Evidence) -> None:
    cal = calibration(recommend_all(demo), "bundled demo")
    assert cal.checks == {k: True for k in cal.checks}, cal.text()
    assert cal.distinct_top3 >= 60
