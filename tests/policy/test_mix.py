"""Policy-mix checks on small hand-computed examples and on the real catalogue's chains."""

from __future__ import annotations

import pytest

from evidence.models import Finding
from policy.appraisal import AppraisalState, Option, OptionIntervention, default_option_intervention
from policy.catalogue import Intervention, load_catalogue
from policy.mix import (
    MixReport,
    alignment,
    balance,
    complementarity,
    mix_report,
    niche_risk,
)
from tests.policy.appraisal.test_appraisal_state import make_profile, sector_row, variant


@pytest.fixture(scope="module")
def catalogue() -> dict[str, Intervention]:
    return load_catalogue()


@pytest.fixture(scope="module")
def kinds(catalogue) -> dict[str, Intervention]:
    """Hand-made interventions: one of each target type, plus a vertical pharma one."""
    base = catalogue["fe_apprenticeships"]
    return {
        "h": variant(base, "h", target_type="horizontal", sectors=("all",),
                     national_programmes=("Made Smarter", "Innovate UK")),
        "v": variant(base, "v", target_type="vertical", sectors=("aerospace",),
                     national_programmes=("Innovate UK",)),
        "m": variant(base, "m", target_type="mission", sectors=("all",),
                     national_programmes=("Net Zero Strategy",)),
        "pharma": variant(base, "pharma", target_type="vertical",
                          sectors=("pharmaceuticals",)),
    }


def option(*pairs: tuple[str, float], oid: str = "o") -> Option:
    return Option(
        id=oid,
        name="Test option",
        interventions=[OptionIntervention(intervention_id=i, budget_gbp_m=b) for i, b in pairs],
    )


# --------------------------------------------------------------------------------------------
# Balance


def test_balance_counts_and_budget_shares(kinds):
    report = balance([kinds["h"], kinds["v"], kinds["m"]], {"h": 20, "v": 15, "m": 5})
    assert report.counts == {"horizontal": 1, "vertical": 1, "mission": 1}
    assert report.total_budget_gbp_m == 40
    assert report.budget_shares == pytest.approx(
        {"horizontal": 0.5, "vertical": 0.375, "mission": 0.125}
    )
    assert report.interventions == {"horizontal": ["h"], "vertical": ["v"], "mission": ["m"]}
    assert report.budget_basis == "option budgets"
    assert report.judgement == (
        "balanced: 50% horizontal, 38% vertical, 12% mission-oriented of the budget"
    )


def test_balance_judgements(kinds):
    h, v, m = kinds["h"], kinds["v"], kinds["m"]
    assert balance([v, kinds["pharma"]]).judgement == (
        "all vertical: no horizontal measure supports the wider base"
    )
    assert balance([h]).judgement.startswith("all horizontal")
    assert balance([m]).judgement.startswith("all mission-oriented")
    assert balance([v, m]).judgement.startswith("no horizontal measure")
    assert balance([h, m]).judgement.startswith("no vertical measure")
    assert balance([]).judgement == "no interventions: nothing to balance"
    # 10 vertical vs 30 horizontal: 75% horizontal is "mostly"
    mostly = balance([h, v], {"h": 30, "v": 10})
    assert mostly.budget_shares["horizontal"] == 0.75
    assert mostly.judgement.startswith("mostly horizontal (75% horizontal, 25% vertical")
    assert mostly.judgement.endswith("the area's distinctive sector strengths get little")


def test_balance_without_budgets_uses_catalogue_midpoints(kinds):
    report = balance({"h": kinds["h"], "v": kinds["v"]})
    assert report.budget_basis == "catalogue cost midpoints"
    expected = default_option_intervention(kinds["h"]).budget_gbp_m
    assert report.budget_gbp_m["horizontal"] == pytest.approx(expected)


# --------------------------------------------------------------------------------------------
# Alignment


def test_alignment_by_programme_and_flags_unaligned(kinds):
    lonely = kinds["v"].model_copy(update={"id": "lonely", "national_programmes": ()})
    report = alignment([kinds["h"], kinds["v"], lonely])
    assert report.by_intervention == {
        "h": ["Made Smarter", "Innovate UK"],
        "v": ["Innovate UK"],
        "lonely": [],
    }
    assert report.by_programme == {"Innovate UK": ["h", "v"], "Made Smarter": ["h"]}
    assert report.needs_coordination == ["lonely"]
    assert "1 of 3" in report.judgement and "lonely" in report.judgement
    ok = alignment([kinds["h"], kinds["v"]])
    assert ok.needs_coordination == []
    assert ok.judgement.startswith("every intervention aligns")


# --------------------------------------------------------------------------------------------
# Complementarity


def test_complementarity_on_real_chains(catalogue):
    a, b = catalogue["fe_apprenticeships"], catalogue["digital_adoption"]
    report = complementarity([a, b])
    shared = set(a.outcomes()) & set(b.outcomes())
    assert set(report.shared_outcomes) == shared
    for outcome in shared:
        assert report.shared_outcomes[outcome] == sorted([a.id, b.id])
    if a.family != b.family:
        assert {c.outcome for c in report.complementarities} <= shared
    # the default intended impacts are the whole vocabulary: any impact neither reaches is a gap
    reached = set(a.impacts()) | set(b.impacts())
    missing = {g.impact for g in report.gaps if g.kind == "missing"}
    assert missing and not missing & reached
    assert {c.impact for c in report.coverage} >= reached | missing


def test_complementarity_gap_kinds(catalogue):
    one = catalogue["sector_strategy"]
    impact = one.impacts()[0]
    report = complementarity([one], intended_impacts=[impact, "not_an_impact_here"])
    kinds = {g.impact: g.kind for g in report.gaps}
    assert kinds["not_an_impact_here"] == "missing"
    # one intervention alone: its impact is at best carried by that intervention only
    assert kinds.get(impact) in ("fragile", "single_intervention")
    assert report.shared_outcomes == {}
    assert "not reached: not_an_impact_here" in report.judgement


# --------------------------------------------------------------------------------------------
# Niche risk


def test_niche_risk_hand_computed(kinds):
    # 10 on a vertical pharma measure where pharma holds 0.2% of jobs, 30 on a horizontal one
    cat = {"pharma": kinds["pharma"], "h": kinds["h"]}
    state = AppraisalState(niche_mitigation="Pharma is an emerging strength the data miss.")
    report = niche_risk(option(("pharma", 10), ("h", 30)), cat, make_profile(), state=state)
    assert report.share == pytest.approx(0.25)
    assert report.niche_budget_gbp_m == 10 and report.total_budget_gbp_m == 40
    assert report.sectors == ["pharmaceuticals"]
    assert [i.intervention_id for i in report.items] == ["pharma"]  # horizontal not counted
    assert report.items[0].local_job_share == pytest.approx(0.002)
    assert report.mitigation == state.niche_mitigation
    assert report.judgement.startswith("25% of the budget (GBP 10.0m of 40.0m)")
    assert "Mitigation recorded: Pharma is an emerging strength" in report.judgement
    no_state = niche_risk(option(("pharma", 10), ("h", 30)), cat, make_profile())
    assert no_state.mitigation == "" and "Record why" in no_state.judgement


def test_niche_threshold_is_strict_and_judged_per_sector(kinds):
    """Each sector is judged on its own share: 0.6% and 0.4% are each under 1% (together they
    were exactly 1%, which once hid both); exactly 1% is not under it."""
    base = kinds["v"]
    two = variant(base, "two", sectors=("aerospace", "automotive"))
    profile = make_profile(
        sectors=[sector_row("aerospace", 0.006), sector_row("automotive", 0.004)]
    )
    report = niche_risk(option(("two", 5)), {"two": two}, profile)
    assert report.share == 1.0 and report.items[0].niche is True
    assert report.sectors == ["aerospace", "automotive"]
    assert report.items[0].local_job_share == pytest.approx(0.01)
    assert report.items[0].sector_shares == pytest.approx({"aerospace": 0.006,
                                                           "automotive": 0.004})
    exact = make_profile(sectors=[sector_row("aerospace", 0.01), sector_row("automotive", 0.02)])
    report = niche_risk(option(("two", 5)), {"two": two}, exact)
    assert report.share == 0 and not report.items[0].niche
    assert report.judgement.startswith("no budget is aimed at sectors with under 1%")
    assert niche_risk(option(("two", 5)), {"two": two}, exact, threshold=0.011).share == 0.5


def test_niche_small_sector_next_to_a_large_one_is_named_with_its_share(kinds):
    """Ashminster's case: a measure backing a 14% sector and a 0.24% one aims part of its
    budget at a niche. The budget is split equally between its sectors; the niche sector is
    named by label with its share, jobs, denominator and year, never by id."""
    two = variant(kinds["v"], "two", sectors=("computers_electronics_optics",
                                              "pharmaceuticals"))
    big = sector_row("computers_electronics_optics", 0.1435, employment=14_350)
    small = sector_row("pharmaceuticals", 0.0024, employment=240)
    big = big.model_copy(update={"label": "Computers, electronics and optics"})
    small = small.model_copy(update={"label": "Pharmaceuticals"})
    cat = {"two": two, "h": kinds["h"]}
    report = niche_risk(option(("two", 4), ("h", 16)), cat,
                        make_profile(sectors=[big, small]))
    assert report.sectors == ["pharmaceuticals"]
    assert report.niche_budget_gbp_m == pytest.approx(2.0)  # half of the measure's 4
    assert report.backing_budget_gbp_m == pytest.approx(4.0)
    assert report.share == pytest.approx(0.1)
    text = report.judgement
    assert text.startswith("10% of the budget (GBP 2.0m of 20.0m) is aimed at niche sectors")
    assert "Pharmaceuticals: 0.24% of local jobs (240 of all 100,000 in 2022), under 1%" in text
    assert "Computers" not in text and "pharmaceuticals" not in text


def test_niche_share_just_under_the_threshold_is_not_rounded_up_to_it(kinds):
    v = variant(kinds["v"], "one", sectors=("electrical",))
    row = sector_row("electrical", 930 / 93_035, employment=930)
    report = niche_risk(option(("one", 1)), {"one": v}, make_profile(sectors=[row]))
    assert "0.9996% of local jobs" in report.judgement


def test_niche_finding_makes_a_sector_niche_whatever_its_share(kinds):
    """Ebbcombe's case: weapons holds 1.23% of jobs (over 1%) but rests on one plant; the
    computers sector beside it (14%) is not a niche and is not named."""
    two = variant(kinds["v"], "two", sectors=("weapons", "computers_electronics_optics"))
    rows = [sector_row("weapons", 200 / 16_200, employment=200).model_copy(
                update={"label": "Weapons and ammunition"}),
            sector_row("computers_electronics_optics", 2_325 / 16_200, employment=2_325)]
    plant = Finding(id="T1:niche:weapons", kind="risk", topic="niche", sector="weapons",
                    text="one plant", confidence=0.8)
    report = niche_risk(option(("two", 0.8)), {"two": two},
                        make_profile(sectors=rows, findings=[plant]))
    assert report.sectors == ["weapons"]
    assert report.niche_budget_gbp_m == pytest.approx(0.4)
    assert "Weapons and ammunition: 1.23% of local jobs (200 of all 100,000 in 2022), a " \
           "specialism resting on a handful of jobs" in report.judgement
    assert "computers" not in report.judgement.lower()


def test_niche_unknown_or_suppressed_sectors_are_not_guessed(kinds):
    v = kinds["v"]  # aerospace
    # suppressed share, but employment known: share from employment / total jobs
    profile = make_profile(sectors=[sector_row("aerospace", None, employment=300)])
    report = niche_risk(option(("v", 4)), {"v": v}, profile)
    assert report.items[0].local_job_share == pytest.approx(0.003)
    assert report.share == 1.0
    # no figure at all: unjudged, not counted as niche
    profile = make_profile(sectors=[sector_row("aerospace", None)])
    report = niche_risk(option(("v", 4)), {"v": v}, profile)
    assert report.unjudged == ["v"] and report.share == 0
    assert "could not judge" in report.judgement
    # no profile: cannot be judged
    none = niche_risk(option(("v", 4)), {"v": v}, None)
    assert none.share is None and none.judgement.startswith("no area profile")


def test_niche_all_sectors_vertical_uses_the_whole_table(kinds):
    broad_vertical = variant(kinds["v"], "bv", sectors=("all",))
    rows = [sector_row("aerospace", 0.003), sector_row("pharmaceuticals", 0.002)]
    rows += [
        sector_row(s, 0.0)
        for s in broad_vertical.sector_ids()
        if s not in ("aerospace", "pharmaceuticals")
    ]
    # Without focal sectors in the findings the whole table is judged (issue 10: with them,
    # the focal sectors are; see the next test).
    report = niche_risk(option(("bv", 8)), {"bv": broad_vertical},
                        make_profile(sectors=rows, findings=[]))
    assert report.items[0].local_job_share == pytest.approx(0.005)
    assert report.share == 1.0
    assert set(report.sectors) == set(broad_vertical.sector_ids())


def test_niche_all_sectors_vertical_is_judged_on_focal_sectors(kinds):
    """Issue 10: a sector strategy ("all" sectors) is judged on the focal sectors the findings
    support, and a focal sector with a niche-risk finding makes it niche whatever its share."""
    broad_vertical = variant(kinds["v"], "bv", sectors=("all",))
    rows = [sector_row("aerospace", 0.03), sector_row("weapons", 0.002)]
    rows += [sector_row(s, 0.0) for s in broad_vertical.sector_ids()
             if s not in ("aerospace", "weapons")]
    spec = Finding(id="T1:specialisation:weapons", kind="strength", topic="specialisation",
                   sector="weapons", text="weapons", confidence=0.8)
    only_weapons = make_profile(sectors=rows, findings=[spec])
    report = niche_risk(option(("bv", 8)), {"bv": broad_vertical}, only_weapons)
    assert report.items[0].sectors == ["weapons"]
    assert report.items[0].local_job_share == pytest.approx(0.002)
    assert report.items[0].niche
    aero = spec.model_copy(update={"id": "T1:specialisation:aerospace", "sector": "aerospace"})
    report = niche_risk(option(("bv", 8)), {"bv": broad_vertical},
                        make_profile(sectors=rows, findings=[aero]))
    assert report.items[0].local_job_share == pytest.approx(0.03)
    assert not report.items[0].niche
    plant = Finding(id="T1:niche:aerospace", kind="risk", topic="niche", sector="aerospace",
                    text="one plant", confidence=0.8)
    report = niche_risk(option(("bv", 8)), {"bv": broad_vertical},
                        make_profile(sectors=rows, findings=[aero, plant]))
    assert report.items[0].niche


def test_thin_base_horizontal_mix_is_not_called_one_size_fits_all(kinds):
    thin = Finding(id="T1:am_base:area", kind="bottleneck", topic="am_base", text="thin",
                   confidence=0.9)
    judged = balance([kinds["h"]], profile=make_profile(findings=[thin])).judgement
    assert "thin advanced manufacturing base" in judged
    assert "one-size-fits-all" not in judged
    assert "one-size-fits-all" in balance([kinds["h"]]).judgement


# --------------------------------------------------------------------------------------------
# Report


def test_mix_report_bundles_the_checks(catalogue, kinds):
    cat = {**catalogue, "pharma": kinds["pharma"]}
    opt = option(("pharma", 10), ("fe_apprenticeships", 30), ("ghost", 1), oid="mixed")
    state = AppraisalState(niche_mitigation="Justified by the workshop.")
    report = mix_report(opt, cat, make_profile(), state)
    assert report.option_id == "mixed"
    assert report.unknown_interventions == ["ghost"]
    assert report.balance.budget_basis == "option budgets"
    assert report.balance.budget_gbp_m["vertical"] == 10
    assert report.niche_risk.share == pytest.approx(10 / 41)
    assert report.niche_risk.mitigation == "Justified by the workshop."
    assert set(report.alignment.by_intervention) == {"pharma", "fe_apprenticeships"}
    back = MixReport.model_validate_json(report.model_dump_json())
    assert back == report

