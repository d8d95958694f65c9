"""Tests an expert would apply (issue 10 section 4), on the archetypes planted in the demo
(``evidence.sources.demo.ARCHETYPES``), through the one path the pages and reports use."""

from __future__ import annotations

from itertools import combinations

import pytest

from evidence.models import AreaProfile
from evidence.service import Evidence
from evidence.sources.demo import ARCHETYPES
from policy.session import StrategySession
from policy.walkthrough import recommend
from rules.results import Recommendations

VERTICAL = {"inward_investment_sites", "science_park_incubation", "am_centre_hub",
            "sector_strategy", "net_zero_mission", "cluster_network"}
"""Large, sector-specific programmes (catalogue costs in the GBP millions to tens of millions)."""


@pytest.fixture(scope="module")
def demo() -> Evidence:
    return Evidence.from_path(None)


def run(ev: Evidence, code: str) -> tuple[AreaProfile, Recommendations]:
    return ev.profile(code), recommend(ev, StrategySession(area_code=code))


@pytest.mark.parametrize("code", ARCHETYPES["automotive_newcomer"])
def test_newcomer_gets_a_growth_finding_and_growth_support(demo: Evidence, code: str) -> None:
    profile, recs = run(demo, code)
    growth = [f for f in profile.findings
              if f.topic == "sector_growth" and f.sector == "automotive"]
    assert growth, [f.id for f in profile.findings]
    start, end = growth[0].values["employment_start"], growth[0].values["employment"]
    assert start <= 50 and end >= 250  # from about 10-50 jobs to several hundred
    if start < 50:  # emergence from a small base: the confidence says the numbers are small
        assert growth[0].values["pattern"] in {"emergence", "entry"}
        assert growth[0].confidence <= 0.6
    ids = recs.ids()
    assert {"inward_investment_sites", "supply_chain_development",
            "fe_apprenticeships"} & set(ids[:4]), ids
    assert ids[0] != "automation_reskilling", ids


@pytest.mark.parametrize("code", ARCHETYPES["little_am"])
def test_thin_base_gets_light_measures_and_says_so(demo: Evidence, code: str) -> None:
    profile, recs = run(demo, code)
    assert profile.am_share < 0.01
    ids = recs.ids()
    assert not VERTICAL & set(ids[:2]), ids
    assert len(ids) <= 6, ids
    assert any("not a priority here" in a for a in recs.advice)


def test_single_plant_niche_is_a_risk_not_a_science_park(demo: Evidence) -> None:
    code = ARCHETYPES["niche"][0]  # weapons and ammunition
    profile, recs = run(demo, code)
    weapons = profile.sector("weapons")
    assert weapons.lq is not None and weapons.lq > 5
    assert weapons.employment is not None and weapons.employment < 300
    niche = [f for f in profile.findings if f.topic == "niche" and f.sector == "weapons"]
    assert niche and niche[0].kind == "risk"
    assert not {"science_park_incubation", "am_centre_hub"} & set(recs.ids()[:3])
    # the catalogue does not offer science parks for weapons, and the rules agree
    assert "weapons" not in (recs.get("science_park_incubation").sectors
                             if recs.get("science_park_incubation") else [])


@pytest.mark.parametrize("code", ARCHETYPES["chemicals_flourishing"])
def test_flourishing_select_cluster_gets_export_support(demo: Evidence, code: str) -> None:
    profile, recs = run(demo, code)
    chem = profile.sector("chemicals")
    assert chem.lq is not None and chem.lq > 3
    assert chem.growth is not None and chem.growth_national is not None
    assert chem.growth > 0 > chem.growth_national
    ids = recs.ids()
    assert "export_support" in ids[:5], ids
    if "automation_reskilling" in ids:
        assert ids.index("export_support") < ids.index("automation_reskilling"), ids


def test_four_kinds_of_place_have_different_leaders(demo: Evidence) -> None:
    tops = {kind: set(recommend(demo, StrategySession(area_code=ARCHETYPES[kind][0])).ids()[:3])
            for kind in ("science_pharma_hub", "declining_industrial", "little_am", "niche")}
    for a, b in combinations(tops, 2):
        assert len(tops[a] & tops[b]) <= 1, (a, b, tops[a], tops[b])
