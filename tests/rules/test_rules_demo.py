"""The packaged rule library on the demo data: different places get clearly different mixes."""

from __future__ import annotations

from itertools import combinations

import pytest

from evidence.service import Evidence
from evidence.sources.demo import ARCHETYPES
from policy.session import StrategySession
from policy.walkthrough import recommend

KINDS = ["science_pharma_hub", "engineering_assembly_cluster", "declining_industrial",
         "little_am"]


@pytest.fixture(scope="module")
def mixes() -> dict[str, list[str]]:
    ev = Evidence.from_path(None)
    return {k: recommend(ev, StrategySession(area_code=ARCHETYPES[k][0])).ids() for k in KINDS}


def test_four_kinds_of_place_get_clearly_different_mixes(mixes) -> None:
    """Leaders differ: any two top-3s share at most one intervention; top-5s differ too."""
    for a, b in combinations(KINDS, 2):
        assert len(set(mixes[a][:3]) & set(mixes[b][:3])) <= 1, (a, b, mixes[a], mixes[b])
        assert len(set(mixes[a][:5]) ^ set(mixes[b][:5])) >= 2, (a, b, mixes[a], mixes[b])


@pytest.mark.parametrize(("kind", "expected"), [
    ("science_pharma_hub", "science_park_incubation"),
    ("engineering_assembly_cluster", "supply_chain_development"),
    ("declining_industrial", "automation_reskilling"),
    ("little_am", "access_to_finance"),
])
def test_each_kind_leads_with_what_its_evidence_calls_for(mixes, kind, expected) -> None:
    # Issue 10: a thin base gets light, horizontal measures first (it expected inward
    # investment, a GBP 10-60m programme, in the top three before).
    assert expected in mixes[kind][:3], mixes[kind][:5]


def test_every_archetype_district_gets_a_traced_mix() -> None:
    ev = Evidence.from_path(None)
    for kind, codes in ARCHETYPES.items():
        for code in codes:
            recs = recommend(ev, StrategySession(area_code=code))
            assert recs.recommended, (kind, code)
            assert all(r.trace and r.trace[0].conditions for r in recs.recommended)
