"""The fast engine (issue 14) gives exactly the advice the engine gave before it.

``tests/fixtures/golden/recommendations_bundled_demo.json.gz`` holds every bundled-demo
district's full Recommendations - ranked list, scores, rationales, sectors, every fired rule's
trace, every not-recommended intervention's why-not reasons and the advice - written by
``scripts/golden_recommendations.py`` before the engine was rewritten for speed.
"""

from __future__ import annotations

import gc
import gzip
import json
from pathlib import Path

import pytest

from evidence.service import Evidence
from policy.calibration import each_area
from policy.catalogue import load_catalogue
from policy.walkthrough import comparator_profiles, default_ruleset
from rules import evaluate_all
from rules.results import Recommendations

GOLDEN = Path(__file__).parents[1] / "fixtures" / "golden" / "recommendations_bundled_demo.json.gz"


@pytest.fixture(scope="module")
def golden() -> dict[str, dict]:
    with gzip.open(GOLDEN, "rt", encoding="utf-8") as fh:
        return json.load(fh)["areas"]


@pytest.fixture(scope="module")
def current() -> dict[str, Recommendations]:
    return {code: recs for code, _, _, recs in each_area(Evidence.from_path(None))}


def test_every_district_is_covered(golden, current) -> None:
    assert len(golden) >= 300
    assert set(current) == set(golden)


def test_every_district_gets_exactly_the_golden_recommendations(golden, current) -> None:
    """== on the models and on their JSON: full traces, scores and why-not reasons."""
    differ = [code for code, recs in current.items()
              if recs != Recommendations.model_validate(golden[code])
              or recs.model_dump(mode="json") != golden[code]]
    assert not differ, f"{len(differ)} districts differ, first {differ[:5]}"


def test_the_golden_file_is_not_trivial(golden) -> None:
    """The comparison means something: most districts have fired rules, traces and why-nots."""
    with_recs = [g for g in golden.values() if g["recommended"]]
    assert len(with_recs) > len(golden) // 2
    assert all(r["trace"] and r["trace"][0]["conditions"] for g in with_recs
               for r in g["recommended"])
    assert all(g["not_recommended"] and all(n["why"] for n in g["not_recommended"])
               for g in golden.values())


def test_the_batch_gives_the_golden_recommendations_too(golden, current) -> None:
    """``evaluate_all`` (shared views, collector paused) == one ``evaluate`` per district."""
    ev = Evidence.from_path(None)
    catalogue = load_catalogue()
    eligible = {iid: None if "all" in iv.sectors else frozenset(iv.sectors)
                for iid, iv in catalogue.items()}
    codes = list(current)
    profiles = [ev.profile(code) for code in codes]
    peers = [comparator_profiles(ev, p) for p in profiles]
    gc.enable()
    batch = evaluate_all(default_ruleset(), profiles, peers, list(catalogue), eligible)
    assert gc.isenabled()
    assert len(batch) == len(codes)
    differ = [code for code, recs in zip(codes, batch, strict=True)
              if recs != current[code] or recs.model_dump(mode="json") != golden[code]]
    assert not differ, f"{len(differ)} districts differ, first {differ[:5]}"


def test_the_batch_leaves_a_paused_collector_paused() -> None:
    gc.disable()
    try:
        assert evaluate_all(default_ruleset(), []) == []
        assert not gc.isenabled()
    finally:
        gc.enable()
