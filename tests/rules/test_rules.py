"""Tests of the rules engine: condition language, scoring, traces, rule-file errors, the library.

Profiles are built by hand here (sector rows and findings written out), so these tests pin the
engine's behaviour independently of the evidence pipeline and the demo generator.
"""

from __future__ import annotations

import functools
import itertools
import math
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from evidence.models import (
    FINDING_TOPICS,
    AreaProfile,
    AreaRef,
    Finding,
    Period,
    SectorRow,
    ShiftShare,
)
from evidence.sectors import load_sectors, sector_ids
from rules import (
    RATIONALES,
    RuleFileError,
    RuleSet,
    evaluate,
    load_rules,
    rules_from_texts,
)

INTERVENTIONS = (
    "am_centre_hub", "sector_strategy", "fe_apprenticeships", "university_management_links",
    "supply_chain_development", "digital_adoption", "innovation_vouchers_crd",
    "inward_investment_sites", "export_support", "access_to_finance", "automation_reskilling",
    "cluster_network", "servitisation_support", "net_zero_mission", "science_park_incubation",
    "graduate_placements",
)
"""The intervention ids the rules were briefed to cover (the catalogue has these and more)."""


# ---------------------------------------------------------------------------------------------
# builders


def rows(overrides: dict[str, dict] | None = None, drop: tuple[str, ...] = ()) -> list[SectorRow]:
    """All ten Table 1 rows at LQ 1 and flat growth, with per-sector overrides."""
    overrides = overrides or {}
    out = []
    for s in load_sectors():
        if s.sector_id in drop:
            continue
        values: dict = dict(employment=200.0, employment_start=200.0, share=0.002, lq=1.0,
                            growth=0.0, growth_national=0.01)
        values.update(overrides.get(s.sector_id, {}))
        out.append(SectorRow(sector=s.sector_id, label=s.label, quadrant=s.quadrant, **values))
    return out


def finding(code: str, kind: str, topic: str, sector: str | None = None,
            confidence: float = 0.8, **extra) -> Finding:
    return Finding(id=f"{code}:{topic}:{sector or 'area'}", kind=kind, topic=topic,
                   sector=sector, text=f"{topic} {kind}", confidence=confidence, **extra)


def profile(code: str = "E06000001", *, level: str = "lad", sectors: list[SectorRow] | None = None,
            findings: list[Finding] | None = None, context: dict | None = None,
            **fields) -> AreaProfile:
    base: dict = dict(total_jobs=60_000.0, total_jobs_basis="sum of industries",
                      national_basis="sum of areas in file", am_jobs=3_000.0, am_share=0.05,
                      krugman=0.3, herfindahl=0.2, automation_exposure=0.30)
    base.update(fields)
    ctx: dict = dict(level4_share=0.43, gb_level4_share=0.43, berd_per_job=900.0,
                     gb_berd_per_job=900.0, gb_automation_exposure=0.30)
    ctx.update(context or {})
    return AreaProfile(
        area=AreaRef(code=code, name=f"Area {code}", level=level),
        period=Period(start=2015, end=2022), source="hand-made test profile", synthetic=True,
        sectors=rows() if sectors is None else sectors, findings=findings or [], context=ctx,
        **base,
    )


def one_rule(when: str, recommends: str = "[am_centre_hub]", rule_id: str = "r1",
             rationale: str = "capability_failure") -> RuleSet:
    """A rule set holding one rule whose `when:` is the YAML flow mapping ``when``."""
    text = f"""
rules:
  - id: {rule_id}
    title: Test rule
    recommends: {recommends}
    rationale: {rationale}
    why: A test rule exists to exercise the engine.
    when: {when}
"""
    return rules_from_texts([("test.yaml", text)])


def fires(ruleset: RuleSet, prof: AreaProfile, comparators: list[AreaProfile] | None = None
          ) -> bool:
    return bool(evaluate(ruleset, prof, comparators).recommended)


def leaves(ruleset: RuleSet, prof: AreaProfile, comparators: list[AreaProfile] | None = None,
           intervention: str = "am_centre_hub") -> list[dict]:
    recs = evaluate(ruleset, prof, comparators)
    item = recs.get(intervention)
    assert item is not None, recs.model_dump()
    return [c.model_dump() for c in item.trace[0].conditions]


def why_not(ruleset: RuleSet, prof: AreaProfile, comparators: list[AreaProfile] | None = None,
            intervention: str = "am_centre_hub") -> list[str]:
    recs = evaluate(ruleset, prof, comparators, interventions=[intervention])
    assert not recs.recommended
    (item,) = recs.not_recommended
    assert item.intervention == intervention
    return item.why


# ---------------------------------------------------------------------------------------------
# indicator leaves


@pytest.mark.parametrize(
    ("op", "value", "expected"),
    [
        ("lt", 0.06, True), ("lt", 0.05, False),
        ("le", 0.05, True), ("le", 0.04, False),
        ("gt", 0.04, True), ("gt", 0.05, False),
        ("ge", 0.05, True), ("ge", 0.06, False),
        ("eq", 0.05, True), ("eq", 0.051, False),
        ("ne", 0.051, True), ("ne", 0.05, False),
    ],
)
def test_indicator_ops(op: str, value: float, expected: bool) -> None:
    rs = one_rule(f"{{indicator: {{name: am_share, op: {op}, value: {value}}}}}")
    assert fires(rs, profile(am_share=0.05)) is expected


def test_indicator_trace_has_actual_and_threshold() -> None:
    rs = one_rule("{indicator: {name: sector.aerospace.lq, op: ge, value: 1.5}}")
    prof = profile(sectors=rows({"aerospace": {"lq": 2.1}}))
    (leaf,) = leaves(rs, prof)
    assert leaf == {"path": "sector.aerospace.lq", "op": "ge", "actual": 2.1, "threshold": 1.5,
                    "result": True, "findings": [], "note": None}
    assert evaluate(rs, prof).recommended[0].sectors == ["aerospace"]


@pytest.mark.parametrize(
    ("path", "fields", "context", "value"),
    [
        ("total_jobs", {"total_jobs": 1234.0}, {}, 1234.0),
        ("am_jobs", {"am_jobs": 77.0}, {}, 77.0),
        ("krugman", {"krugman": 0.61}, {}, 0.61),
        ("herfindahl", {"herfindahl": 0.44}, {}, 0.44),
        ("automation_exposure", {"automation_exposure": 0.33}, {}, 0.33),
        ("context.level4_share", {}, {"level4_share": 0.51}, 0.51),
        ("context.berd_per_job", {}, {"berd_per_job": 2500.0}, 2500.0),
    ],
)
def test_scalar_paths_read_the_profile(path: str, fields: dict, context: dict,
                                       value: float) -> None:
    rs = one_rule(f"{{indicator: {{name: {path}, op: eq, value: {value}}}}}")
    assert fires(rs, profile(context=context, **fields))


@pytest.mark.parametrize(
    ("field", "value"),
    [("employment", 321.0), ("share", 0.0123), ("growth", -0.02), ("growth_national", 0.015),
     ("productivity", 55.5), ("productivity_ratio", 0.85), ("lq_region", 1.7)],
)
def test_sector_fields(field: str, value: float) -> None:
    rs = one_rule(f"{{indicator: {{name: sector.machinery.{field}, op: eq, value: {value}}}}}")
    assert fires(rs, profile(sectors=rows({"machinery": {field: value}})))


def test_shift_share_component() -> None:
    ss = ShiftShare(national=10.0, industry_mix=5.0, local=-40.0, actual=-25.0)
    rs = one_rule("{indicator: {name: sector.chemicals.shift_share.local, op: lt, value: 0}}")
    assert fires(rs, profile(sectors=rows({"chemicals": {"shift_share": ss}})))
    assert not fires(rs, profile())  # no shift-share -> missing -> false


def test_sectors_any_binds_matching_sectors_and_all_needs_every_sector() -> None:
    prof = profile(sectors=rows({"aerospace": {"lq": 3.0}, "pharmaceuticals": {"lq": 2.5}}))
    rs = one_rule("{indicator: {name: sectors.any.lq, op: ge, value: 2.0}}")
    recs = evaluate(rs, prof)
    assert recs.recommended[0].sectors == ["aerospace", "pharmaceuticals"]
    (leaf,) = [c.model_dump() for c in recs.recommended[0].trace[0].conditions]
    assert leaf["actual"] == "aerospace=3.00, pharmaceuticals=2.50"
    assert leaf["threshold"] == 2.0
    assert fires(one_rule("{indicator: {name: sectors.all.lq, op: ge, value: 1.0}}"), prof)
    assert not fires(one_rule("{indicator: {name: sectors.all.lq, op: ge, value: 2.0}}"), prof)


def test_sector_groups() -> None:
    prof = profile(sectors=rows({"pharmaceuticals": {"lq": 4.0}, "aerospace": {"lq": 3.0}}))
    science = one_rule("{indicator: {name: sectors.science.any.lq, op: ge, value: 2}}")
    assert evaluate(science, prof).recommended[0].sectors == ["pharmaceuticals"]
    quadrant = one_rule("{indicator: {name: sectors.select_engineering.any.lq, op: ge, value: 2}}")
    assert not fires(quadrant, prof)
    expanding = one_rule("{indicator: {name: sectors.expanding.all.lq, op: ge, value: 1}}")
    assert fires(expanding, prof)


def test_national_yardsticks() -> None:
    rs = one_rule("{indicator: {name: automation_exposure, op: gt, national: true}}")
    assert fires(rs, profile(automation_exposure=0.35))
    assert not fires(rs, profile(automation_exposure=0.25))
    (leaf,) = leaves(rs, profile(automation_exposure=0.35))
    assert leaf["threshold"] == 0.30
    assert "context.gb_automation_exposure" in leaf["note"]

    growth = one_rule("{indicator: {name: sector.automotive.growth, op: lt, national: true}}")
    assert fires(growth, profile(sectors=rows({"automotive": {"growth": -0.01,
                                                               "growth_national": 0.02}})))
    lq = one_rule("{indicator: {name: sector.automotive.lq, op: gt, national: true}}")
    assert fires(lq, profile(sectors=rows({"automotive": {"lq": 1.1}})))
    ctx = one_rule("{indicator: {name: context.level4_share, op: lt, national: true}}")
    assert fires(ctx, profile(context={"level4_share": 0.35}))


def test_national_figure_missing_is_unknown() -> None:
    rs = one_rule("{indicator: {name: context.berd_per_job, op: lt, national: true}}")
    prof = profile(context={"berd_per_job": 100.0, "gb_berd_per_job": None})
    (reason,) = why_not(rs, prof)
    assert "no national figure" in reason and "context.gb_berd_per_job" in reason


def test_comparator_median() -> None:
    rs = one_rule("{indicator: {name: am_share, op: lt, comparator_median: true}}")
    peers = [profile(f"P{i}", am_share=v) for i, v in enumerate([0.04, 0.08, 0.10, 0.09])]
    prof = profile(am_share=0.06)  # median of 0.04, 0.08, 0.09, 0.10 is 0.085
    (leaf,) = leaves(rs, prof, peers)
    assert leaf["actual"] == 0.06
    assert leaf["threshold"] == pytest.approx(0.085)
    assert leaf["note"] == "median of 4 comparator profiles"
    assert not fires(rs, profile(am_share=0.09), peers)


def test_comparator_median_ignores_missing_values_in_peers() -> None:
    rs = one_rule("{indicator: {name: context.level4_share, op: lt, comparator_median: true}}")
    peers = [profile("P1", context={"level4_share": 0.5}),
             profile("P2", context={"level4_share": None})]
    (leaf,) = leaves(rs, profile(context={"level4_share": 0.4}), peers)
    assert leaf["threshold"] == 0.5 and leaf["note"] == "median of 1 comparator profiles"


def test_comparator_median_without_comparators_is_unknown_and_traced() -> None:
    rs = one_rule("{indicator: {name: am_share, op: lt, comparator_median: true}}")
    (reason,) = why_not(rs, profile(am_share=0.01))
    assert reason == ("rule 'r1' did not fire: am_share = 0.01 cannot be compared with the "
                      "comparator median: no comparator profiles given")
    # inside an `any`, the unknown leaf shows up in the trace of a rule that fired another way
    rs = one_rule("{any: [{indicator: {name: am_share, op: lt, comparator_median: true}}, "
                  "{indicator: {name: am_jobs, op: gt, value: 0}}]}")
    first, second = leaves(rs, profile())
    assert first["result"] is False and first["note"] == "no comparator profiles given"
    assert second["result"] is True


def test_quantified_comparator_median_is_per_sector() -> None:
    rs = one_rule("{indicator: {name: sectors.any.lq, op: gt, comparator_median: true}}")
    peers = [profile("P1", sectors=rows({"weapons": {"lq": 0.5}})),
             profile("P2", sectors=rows({"weapons": {"lq": 0.7}}))]
    prof = profile(sectors=rows({"weapons": {"lq": 0.8}}))
    recs = evaluate(rs, prof, peers)
    assert recs.recommended[0].sectors == ["weapons"]
    assert not fires(rs, prof, None)


# ---------------------------------------------------------------------------------------------
# missing values


def test_missing_values_are_false_and_traced_as_missing() -> None:
    rs = one_rule("{indicator: {name: automation_exposure, op: gt, value: 0.1}}")
    (reason,) = why_not(rs, profile(automation_exposure=None))
    assert reason == "rule 'r1' did not fire: automation_exposure is missing from the profile"
    absent_row = profile(sectors=rows(drop=("aerospace",)))
    assert not fires(one_rule("{indicator: {name: sector.aerospace.lq, op: lt, value: 9}}"),
                     absent_row)
    nan = profile(sectors=rows({"aerospace": {"lq": math.nan}}))
    assert not fires(one_rule("{indicator: {name: sector.aerospace.lq, op: lt, value: 9}}"), nan)
    unknown_key = one_rule("{indicator: {name: context.no_such_key, op: lt, value: 9}}")
    assert not fires(unknown_key, profile())


def test_missing_value_inside_any_is_traced_with_null_actual() -> None:
    rs = one_rule("{any: [{indicator: {name: sector.weapons.growth, op: gt, value: 0}}, "
                  "{indicator: {name: am_share, op: gt, value: 0}}]}")
    prof = profile(sectors=rows({"weapons": {"growth": None}}))
    first, _ = leaves(rs, prof)
    assert first["actual"] is None and first["result"] is False
    assert first["note"] == "value missing"


def test_not_of_missing_does_not_fire() -> None:
    """Three-valued logic: `not` of an unknown stays unknown, so missing data never fires."""
    rs = one_rule("{not: {indicator: {name: sector.aerospace.lq, op: gt, value: 2}}}")
    assert not fires(rs, profile(sectors=rows({"aerospace": {"lq": None}})))
    assert fires(rs, profile(sectors=rows({"aerospace": {"lq": 1.0}})))
    assert not fires(rs, profile(sectors=rows({"aerospace": {"lq": 2.5}})))


def test_quantified_with_missing_sectors() -> None:
    prof = profile(sectors=rows({"aerospace": {"lq": None}, "automotive": {"lq": 3.0}}))
    assert fires(one_rule("{indicator: {name: sectors.any.lq, op: gt, value: 2}}"), prof)
    # `all` cannot be true when a sector is missing, and the reason names it
    rs = one_rule("{indicator: {name: sectors.all.lq, op: gt, value: 0.5}}")
    (reason,) = why_not(rs, prof)
    assert "missing for aerospace" in reason


# ---------------------------------------------------------------------------------------------
# finding, present and area leaves


def test_finding_leaf_matches_and_binds_sectors() -> None:
    f1 = finding("A", "strength", "specialisation", "aerospace", 0.9)
    f2 = finding("A", "strength", "specialisation", "pharmaceuticals", 0.6)
    prof = profile(findings=[f1, f2])
    rs = one_rule("{finding: {topic: specialisation, kind: strength}}")
    recs = evaluate(rs, prof)
    item = recs.recommended[0]
    assert item.sectors == ["aerospace", "pharmaceuticals"]
    assert item.score == pytest.approx(0.75)  # weight 1 x mean(0.9, 0.6)
    (leaf,) = [c.model_dump() for c in item.trace[0].conditions]
    assert leaf["op"] == "exists" and leaf["actual"] == 2
    assert leaf["findings"] == ["A:specialisation:aerospace", "A:specialisation:pharmaceuticals"]
    assert leaf["path"] == "finding(topic=specialisation, kind=strength)"


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("{topic: specialisation}", True),
        ("{topic: [skills, specialisation]}", True),
        ("{topic: skills}", False),
        ("{kind: risk}", False),
        ("{kind: [risk, strength]}", True),
        ("{sector: aerospace}", True),
        ("{sector: automotive}", False),
        ("{sector_quadrant: expanding_engineering}", True),
        ("{sector_quadrant: expanding_science}", False),
        ("{sector_knowledge_base: engineering}", True),
        ("{sector_knowledge_base: science}", False),
        ("{sector_growth_pattern: expanding}", True),
        ("{sector_growth_pattern: select}", False),
        ("{min_confidence: 0.7}", True),
        ("{min_confidence: 0.71}", False),
    ],
)
def test_finding_filters(spec: str, expected: bool) -> None:
    prof = profile(findings=[finding("A", "strength", "specialisation", "aerospace", 0.7)])
    assert fires(one_rule(f"{{finding: {spec}}}"), prof) is expected


def test_rejected_findings_are_ignored_accepted_and_local_knowledge_count() -> None:
    rs = one_rule("{finding: {topic: skills, kind: bottleneck}}")
    rejected = finding("A", "bottleneck", "skills", status="rejected")
    (reason,) = why_not(rs, profile(findings=[rejected]))
    assert "no accepted or proposed finding with topic=skills, kind=bottleneck" in reason
    assert "rejected by the user: A:skills:area" in reason
    accepted = finding("A", "bottleneck", "skills", status="accepted")
    assert fires(rs, profile(findings=[accepted]))
    local = finding("A", "bottleneck", "skills", origin="local_knowledge", confidence=0.5)
    assert fires(rs, profile(findings=[local]))


def test_low_confidence_near_miss_is_explained() -> None:
    rs = one_rule("{finding: {topic: automation, min_confidence: 0.5}}")
    weak = finding("A", "risk", "automation", confidence=0.3)
    (reason,) = why_not(rs, profile(findings=[weak]))
    assert "1 below confidence 0.5: A:automation:area (0.30)" in reason


def test_present_leaf() -> None:
    rs = one_rule("{present: context.berd_per_job}")
    assert fires(rs, profile())
    (reason,) = why_not(rs, profile(context={"berd_per_job": None}))
    assert reason == "rule 'r1' did not fire: context.berd_per_job is missing from the profile"
    missing = one_rule("{not: {present: context.berd_per_job}}")
    assert fires(missing, profile(context={"berd_per_job": None}))
    assert leaves(missing, profile(context={"berd_per_job": None}))[0]["op"] == "missing"
    anyp = one_rule("{present: sectors.any.productivity}")
    assert not fires(anyp, profile())
    assert fires(anyp, profile(sectors=rows({"medical_instruments": {"productivity": 60.0}})))


def test_area_leaf() -> None:
    rs = one_rule("{area: {level: [group, region]}}")
    assert fires(rs, profile(level="group"))
    (reason,) = why_not(rs, profile(level="lad"))
    assert reason == "rule 'r1' did not fire: area level is 'lad', needs one of group, region"
    assert fires(one_rule("{not: {area: {level: lad}}}"), profile(level="region"))


# ---------------------------------------------------------------------------------------------
# combinators


def test_all_any_not() -> None:
    spec = finding("A", "strength", "specialisation", "aerospace")
    prof = profile(findings=[spec], am_share=0.05)
    yes = "{indicator: {name: am_share, op: gt, value: 0.01}}"
    no = "{indicator: {name: am_share, op: gt, value: 0.5}}"
    assert fires(one_rule(f"{{all: [{yes}, {{finding: {{topic: specialisation}}}}]}}"), prof)
    assert not fires(one_rule(f"{{all: [{yes}, {no}]}}"), prof)
    assert fires(one_rule(f"{{any: [{no}, {yes}]}}"), prof)
    assert not fires(one_rule(f"{{any: [{no}, {no}]}}"), prof)
    assert fires(one_rule(f"{{not: {no}}}"), prof)
    assert not fires(one_rule(f"{{not: {yes}}}"), prof)
    assert fires(one_rule(f"{{not: {{all: [{yes}, {no}]}}}}"), prof)
    assert not fires(one_rule(f"{{not: {{any: [{yes}, {no}]}}}}"), prof)
    assert fires(one_rule(f"{{all: [{yes}, {{not: {{finding: {{topic: skills}}}}}}]}}"), prof)


def test_not_is_folded_into_the_traced_ops() -> None:
    rs = one_rule("{all: [{not: {indicator: {name: am_share, op: lt, value: 0.01}}}, "
                  "{not: {finding: {topic: dependence}}}]}")
    first, second = leaves(rs, profile(am_share=0.05))
    assert (first["op"], first["threshold"], first["result"]) == ("ge", 0.01, True)
    assert (second["op"], second["actual"], second["result"]) == ("absent", 0, True)
    dep = finding("A", "risk", "dependence", "automotive")
    (reason,) = why_not(rs, profile(am_share=0.05, findings=[dep]))
    assert reason == ("rule 'r1' did not fire: a finding with topic=dependence exists "
                      "(A:dependence:automotive); the rule needs none")


def test_any_contributes_only_true_branches() -> None:
    """Sectors and confidence come from the branches that held, not from failed ones."""
    f_aero = finding("A", "strength", "specialisation", "aerospace", 0.9)
    rs = one_rule("{any: [{finding: {topic: specialisation}}, "
                  "{finding: {topic: sector_growth}}, "
                  "{indicator: {name: sector.weapons.lq, op: gt, value: 5}}]}")
    item = evaluate(rs, profile(findings=[f_aero])).recommended[0]
    assert item.sectors == ["aerospace"]
    assert item.score == pytest.approx(0.9)
    assert [c.result for c in item.trace[0].conditions] == [True, False, False]


def test_first_failing_condition_of_all_and_any_explained() -> None:
    rs = one_rule("{all: [{indicator: {name: am_share, op: gt, value: 0.01}}, "
                  "{any: [{indicator: {name: sector.aerospace.lq, op: lt, value: 0.5}}, "
                  "{finding: {topic: skills, kind: bottleneck}}]}, "
                  "{indicator: {name: krugman, op: gt, value: 5}}]}",
                  rule_id="thin-aero-hub")
    prof = profile(sectors=rows({"aerospace": {"lq": 2.1}}))
    (reason,) = why_not(rs, prof)
    assert reason == ("rule 'thin-aero-hub' did not fire: none of: sector.aerospace.lq = 2.10, "
                      "needs < 0.5; no accepted or proposed finding with topic=skills, "
                      "kind=bottleneck")


def test_not_recommended_example_wording() -> None:
    rs = one_rule("{indicator: {name: sector.aerospace.lq, op: lt, value: 0.5}}",
                  rule_id="thin-aero-hub")
    prof = profile(sectors=rows({"aerospace": {"lq": 2.1}}))
    assert why_not(rs, prof) == [
        "rule 'thin-aero-hub' did not fire: sector.aerospace.lq = 2.10, needs < 0.5"
    ]


# ---------------------------------------------------------------------------------------------
# scoring, ranking, output shape

RANKING_RULES = """
rules:
  - id: a-indicator
    title: Fires on an indicator
    recommends: [{intervention: export_support, weight: 2}, cluster_network]
    rationale: information_asymmetry
    why: Indicator-only rules count with confidence one.
    when: {indicator: {name: am_share, op: gt, value: 0}}
  - id: b-finding
    title: Fires on findings
    recommends: [{intervention: digital_adoption, weight: 2.5}, cluster_network]
    rationale: capability_failure
    why: Finding rules count with the mean confidence of their findings.
    when: {finding: {topic: productivity_gap}}
  - id: c-tie
    title: Ties with export support
    recommends: [{intervention: access_to_finance, weight: 2}]
    rationale: capital_market_imperfection
    why: Equal scores are ordered by intervention id.
    when: {indicator: {name: am_jobs, op: gt, value: 0}}
  - id: d-never
    title: Never fires
    recommends: [net_zero_mission, cluster_network]
    rationale: transition_failure
    why: A rule that cannot fire explains itself.
    when: {indicator: {name: am_jobs, op: lt, value: 0}}
"""


def ranking_set() -> RuleSet:
    return rules_from_texts([("ranking.yaml", RANKING_RULES)])


def test_scores_ranking_and_tie_break() -> None:
    gap = finding("A", "bottleneck", "productivity_gap", confidence=0.6)
    recs = evaluate(ranking_set(), profile(findings=[gap]),
                    interventions=["export_support", "net_zero_mission", "sector_strategy"])
    scores = [(r.intervention, r.score) for r in recs.recommended]
    # cluster_network = 1 x 1.0 + 1 x 0.6; export_support and access_to_finance tie at 2.0
    assert scores == [("access_to_finance", 2.0), ("export_support", 2.0),
                      ("cluster_network", 1.6), ("digital_adoption", 1.5)]
    cluster = recs.get("cluster_network")
    assert cluster is not None
    assert cluster.rationales == ["information_asymmetry", "capability_failure"]
    assert [t.rule for t in cluster.trace] == ["a-indicator", "b-finding"]  # by contribution
    assert [n.intervention for n in recs.not_recommended] == ["net_zero_mission",
                                                              "sector_strategy"]
    never, nothing = recs.not_recommended
    assert never.why == ["rule 'd-never' did not fire: am_jobs = 3,000, needs < 0"]
    assert nothing.why == ["no rule in the library recommends 'sector_strategy'"]


def test_not_recommended_defaults_to_the_rules_interventions() -> None:
    recs = evaluate(ranking_set(), profile())
    assert [n.intervention for n in recs.not_recommended] == ["digital_adoption",
                                                              "net_zero_mission"]
    digital = recs.not_recommended[0]
    assert digital.why == ["rule 'b-finding' did not fire: no accepted or proposed finding with "
                           "topic=productivity_gap"]


def test_json_shape() -> None:
    gap = finding("A", "bottleneck", "productivity_gap", confidence=0.6)
    dumped = evaluate(ranking_set(), profile(findings=[gap])).model_dump(mode="json")
    assert set(dumped) == {"recommended", "not_recommended", "advice"}
    item = dumped["recommended"][0]
    assert set(item) == {"intervention", "score", "rationales", "sectors", "trace"}
    fired = item["trace"][0]
    assert set(fired) == {"rule", "title", "why", "rationale", "conditions"}
    assert set(fired["conditions"][0]) == {"path", "op", "actual", "threshold", "result",
                                           "findings", "note"}
    assert set(dumped["not_recommended"][0]) == {"intervention", "why"}
    assert isinstance(dumped["not_recommended"][0]["why"], list)


# ---------------------------------------------------------------------------------------------
# tampered rule files

GOOD_RULE = """
  - id: skills-gap-fe
    title: Skills gap
    recommends: [fe_apprenticeships]
    rationale: capability_failure
    why: A skills gap calls for further education.
    when:
      all:
        - finding: {topic: skills, kind: bottleneck}
        - indicator: {name: am_share, op: gt, value: 0.01}
"""


def write(tmp_path: Path, text: str, name: str = "skills.yaml") -> Path:
    (tmp_path / name).write_text(text, encoding="utf-8")
    return tmp_path


def load_error(folder: Path, **kwargs) -> RuleFileError:
    with pytest.raises(RuleFileError) as info:
        load_rules(folder, **kwargs)
    return info.value


def test_good_file_loads(tmp_path: Path) -> None:
    rs = load_rules(write(tmp_path, "rules:" + GOOD_RULE), known_interventions=INTERVENTIONS)
    assert [r.id for r in rs.rules] == ["skills-gap-fe"]


def test_bad_op_names_file_rule_and_field(tmp_path: Path) -> None:
    err = load_error(write(tmp_path, "rules:" + GOOD_RULE.replace("op: gt", "op: bigger")))
    msg = str(err)
    assert "skills.yaml: rule 'skills-gap-fe': field when.all[1].indicator.op: Input should be " \
           "'lt', 'le', 'gt', 'ge', 'eq' or 'ne'" in msg
    assert (err.rule, err.field) == ("skills-gap-fe", "when.all[1].indicator.op")
    assert err.file.endswith("skills.yaml")


def test_missing_field(tmp_path: Path) -> None:
    text = "rules:" + GOOD_RULE.replace("    rationale: capability_failure\n", "")
    msg = str(load_error(write(tmp_path, text)))
    assert "skills.yaml: rule 'skills-gap-fe': field rationale: Field required" in msg


def test_missing_id_uses_position(tmp_path: Path) -> None:
    text = "rules:" + GOOD_RULE.replace("  - id: skills-gap-fe\n    title", "  - title")
    msg = str(load_error(write(tmp_path, text)))
    assert "skills.yaml: rule #1: field id: Field required" in msg


def test_unknown_intervention(tmp_path: Path) -> None:
    text = "rules:" + GOOD_RULE.replace("[fe_apprenticeships]",
                                        "[fe_apprenticeships, {intervention: moonshot}]")
    folder = write(tmp_path, text)
    msg = str(load_error(folder, known_interventions=INTERVENTIONS))
    assert "skills.yaml: rule 'skills-gap-fe': field recommends[1].intervention: unknown " \
           "intervention 'moonshot'" in msg
    load_rules(folder)  # without a catalogue there is nothing to check against


def test_unknown_topic_sector_and_key(tmp_path: Path) -> None:
    text = "rules:" + GOOD_RULE.replace("topic: skills", "topic: skils")
    msg = str(load_error(write(tmp_path, text)))
    assert "field when.all[0].finding.topic: unknown topic 'skils'" in msg
    text = "rules:" + GOOD_RULE.replace("{topic: skills, kind: bottleneck}", "{sector: boats}")
    msg = str(load_error(write(tmp_path, text)))
    assert "rule 'skills-gap-fe': field when.all[0].finding.sector: unknown sector 'boats'" in msg
    text = "rules:" + GOOD_RULE.replace("name: am_share", "name: sector.boats.lq")
    msg = str(load_error(write(tmp_path, text)))
    assert "field when.all[1].indicator.name: 'sector.boats.lq': unknown sector 'boats'" in msg
    text = "rules:" + GOOD_RULE.replace("kind: bottleneck", "kind: bottleneck, min_confidnce: 1")
    msg = str(load_error(write(tmp_path, text)))
    assert "field when.all[0].finding.min_confidnce: unknown key" in msg


def test_bad_condition_shapes(tmp_path: Path) -> None:
    text = "rules:" + GOOD_RULE.replace("- finding: {topic: skills, kind: bottleneck}",
                                        "- sometimes: {topic: skills}")
    msg = str(load_error(write(tmp_path, text)))
    assert "field when.all[0]: a condition must be a mapping with exactly one of the keys" in msg
    text = "rules:" + GOOD_RULE.replace("op: gt, value: 0.01", "op: gt")
    msg = str(load_error(write(tmp_path, text)))
    assert "field when.all[1].indicator: give exactly one of value, comparator_median" in msg
    text = "rules:" + GOOD_RULE.replace("name: am_share, op: gt, value: 0.01",
                                        "name: am_share, op: gt, national: true")
    msg = str(load_error(write(tmp_path, text)))
    assert "'am_share' has no national figure" in msg


def test_impossible_sector_filter(tmp_path: Path) -> None:
    text = "rules:" + GOOD_RULE.replace(
        "{topic: skills, kind: bottleneck}",
        "{topic: specialisation, sector: pharmaceuticals, sector_knowledge_base: engineering}")
    msg = str(load_error(write(tmp_path, text)))
    assert "field when.all[0].finding: no Table 1 sector satisfies all of" in msg


def test_duplicate_rule_id_across_files(tmp_path: Path) -> None:
    write(tmp_path, "rules:" + GOOD_RULE, "a.yaml")
    write(tmp_path, "rules:" + GOOD_RULE, "b.yaml")
    err = load_error(tmp_path)
    msg = str(err)
    assert "b.yaml: rule 'skills-gap-fe': field id: duplicate rule id, first defined in " in msg
    assert "a.yaml" in msg


def test_yaml_syntax_error_gives_line_and_rule(tmp_path: Path) -> None:
    text = "rules:" + GOOD_RULE.replace("title: Skills gap", "title: Skills: gap: bad")
    err = load_error(write(tmp_path, text))
    msg = str(err)
    assert "skills.yaml: rule 'skills-gap-fe': YAML syntax error: mapping values are not " \
           "allowed here (line 3, column 18)" in msg  # line 3 is the `title:` line
    assert err.problems[0].line == 3


def test_non_mapping_documents(tmp_path: Path) -> None:
    msg = str(load_error(write(tmp_path, "- just\n- a list\n")))
    assert "skills.yaml: a rule file must be a mapping with a 'rules' list, got a list" in msg
    msg = str(load_error(write(tmp_path, "")))
    assert "got an empty file" in msg
    msg = str(load_error(write(tmp_path, "rules:\n  - just a string\n")))
    assert "skills.yaml: rule #1: field rules[0]: a rule must be a mapping, got str" in msg
    msg = str(load_error(write(tmp_path, "theme: x\nrule: []\n")))
    assert "unknown top-level key(s) 'rule'" in msg


def test_all_problems_reported_at_once(tmp_path: Path) -> None:
    write(tmp_path, "rules:" + GOOD_RULE.replace("op: gt", "op: bigger"), "a.yaml")
    write(tmp_path, "rules: [1, 2", "b.yaml")
    err = load_error(tmp_path)
    assert len(err.problems) == 2
    assert "a.yaml" in err.problems[0].file and "b.yaml" in err.problems[1].file


def test_why_must_be_one_sentence(tmp_path: Path) -> None:
    text = "rules:" + GOOD_RULE.replace("calls for further education.",
                                        "calls for colleges. Also apprenticeships.")
    msg = str(load_error(write(tmp_path, text)))
    assert "field why: 'why' must be ONE sentence" in msg


def test_empty_directory(tmp_path: Path) -> None:
    assert "contains no *.yaml rule files" in str(load_error(tmp_path))


# ---------------------------------------------------------------------------------------------
# the packaged library


@functools.lru_cache(maxsize=1)
def packaged() -> RuleSet:
    """The packaged library, loaded once for the whole module (hypothesis calls it often)."""
    return load_rules()


@pytest.fixture(scope="module")
def library() -> RuleSet:
    return packaged()


def test_library_size_and_files(library: RuleSet) -> None:
    assert len(library) >= 30
    files = {c.file for c in library.compiled}
    assert len(files) >= 5
    assert all(r.rationale in RATIONALES for r in library.rules)


def test_every_intervention_is_reachable(library: RuleSet) -> None:
    assert set(INTERVENTIONS) <= set(library.interventions)


def test_library_matches_the_real_catalogue() -> None:
    """Every catalogue intervention has a rule, and every rule points into the catalogue.

    Only the test reads ``policy``: the rules package itself never imports it.
    """
    from policy.catalogue import load_catalogue

    catalogue = set(load_catalogue())
    ruleset = load_rules(known_interventions=catalogue)  # raises on an unknown id
    assert catalogue <= set(ruleset.interventions)


def test_every_finding_topic_is_used(library: RuleSet) -> None:
    assert set(FINDING_TOPICS) <= library.topics


def test_library_whys_are_single_sentences(library: RuleSet) -> None:
    for rule in library.rules:
        assert rule.why.endswith("."), rule.id
        assert rule.why.count(". ") == 0 or "al. " in rule.why, rule.id


def test_every_library_intervention_can_actually_fire(library: RuleSet) -> None:
    """Reachability, not just mention: each intervention is recommended in some archetype."""
    seen = set()
    for prof, peers in ARCHETYPES.values():
        seen |= set(evaluate(library, prof(), peers()).ids())
    assert set(library.interventions) <= seen | _fired_by_extra_profiles(library)


def _fired_by_extra_profiles(library: RuleSet) -> set[str]:
    """A few more hand-made situations for rules the four archetypes do not trigger."""
    extra = [
        profile("X1", level="group", findings=[
            finding("X1", "strength", "am_base", confidence=0.9),
            finding("X1", "strength", "specialisation", "electrical", 0.9),
            finding("X1", "risk", "dependence", "electrical", 0.8),
            finding("X1", "strength", "comparators", confidence=0.7),
        ], sectors=rows({"electrical": {"lq": 3.0}}), herfindahl=0.6),
        profile("X2", findings=[
            finding("X2", "strength", "sector_growth", "medical_instruments", 0.8),
            finding("X2", "bottleneck", "skills", confidence=0.75),
        ]),
    ]
    out: set[str] = set()
    for prof in extra:
        out |= set(evaluate(library, prof).ids())
    return out


# ---------------------------------------------------------------------------------------------
# archetypes: four hand-built places that must get clearly different mixes


def pharma_hub() -> AreaProfile:
    code = "PH"
    return profile(
        code,
        sectors=rows({"pharmaceuticals": {"lq": 4.0, "employment": 3000.0, "growth": 0.04,
                                          "growth_national": 0.02},
                      "computers_electronics_optics": {"lq": 1.4}}),
        findings=[
            finding(code, "strength", "specialisation", "pharmaceuticals", 0.93),
            finding(code, "strength", "sector_growth", "pharmaceuticals", 0.9),
            finding(code, "strength", "innovation", confidence=0.7),
            finding(code, "strength", "skills", confidence=0.75),
            finding(code, "strength", "productivity_lead", confidence=0.8),
            finding(code, "strength", "am_base", confidence=0.9),
        ],
        context={"level4_share": 0.58, "berd_per_job": 3200.0},
        am_jobs=5200.0, am_share=0.065, herfindahl=0.35, automation_exposure=0.26,
    )


def engineering_cluster() -> AreaProfile:
    code = "EN"
    return profile(
        code,
        sectors=rows({"aerospace": {"lq": 3.2, "employment": 4000.0, "growth": 0.01},
                      "automotive": {"lq": 2.9, "employment": 5000.0}}),
        findings=[
            finding(code, "strength", "specialisation", "aerospace", 0.93),
            finding(code, "strength", "specialisation", "automotive", 0.93),
            finding(code, "bottleneck", "productivity_gap", confidence=0.8),
            finding(code, "bottleneck", "innovation", confidence=0.7),
            finding(code, "strength", "am_base", confidence=0.9),
        ],
        am_jobs=11000.0, am_share=0.11, herfindahl=0.38,
    )


def declining_area() -> AreaProfile:
    code = "DE"
    return profile(
        code,
        sectors=rows({"machinery": {"lq": 1.6, "employment": 1500.0, "employment_start": 2100.0,
                                    "growth": -0.045},
                      "electrical": {"lq": 1.3, "employment": 700.0, "employment_start": 900.0,
                                     "growth": -0.03}}),
        findings=[
            finding(code, "risk", "sector_decline", "machinery", 0.9),
            finding(code, "risk", "sector_decline", "electrical", 0.85),
            finding(code, "bottleneck", "skills", confidence=0.75),
            finding(code, "risk", "automation", confidence=0.6),
            finding(code, "bottleneck", "productivity_gap", confidence=0.8),
        ],
        context={"level4_share": 0.31}, automation_exposure=0.36, am_jobs=2600.0, am_share=0.04,
    )


def thin_base() -> AreaProfile:
    code = "TH"
    return profile(
        code,
        sectors=rows({s: {"lq": 0.15, "employment": 30.0} for s in sector_ids()}),
        findings=[
            finding(code, "bottleneck", "am_base", confidence=0.95),
            finding(code, "opportunity", "thin_growth_sector", "aerospace", 0.7),
            finding(code, "opportunity", "thin_growth_sector", "automotive", 0.7),
            finding(code, "opportunity", "thin_growth_sector", "pharmaceuticals", 0.7),
            finding(code, "opportunity", "thin_growth_sector", "medical_instruments", 0.7),
            finding(code, "bottleneck", "comparators", confidence=0.7),
        ],
        am_jobs=300.0, am_share=0.006,
    )


def peers_of(base: float) -> list[AreaProfile]:
    return [profile(f"C{i}", am_share=base * k, context={"level4_share": 0.43,
                                                         "berd_per_job": 900.0})
            for i, k in enumerate((0.8, 1.0, 1.2))]


ARCHETYPES = {
    "pharma_hub": (pharma_hub, lambda: peers_of(0.05)),
    "engineering_cluster": (engineering_cluster, lambda: peers_of(0.08)),
    "declining_area": (declining_area, lambda: peers_of(0.05)),
    "thin_base": (thin_base, lambda: peers_of(0.03)),
}


@pytest.fixture(scope="module")
def mixes(library: RuleSet) -> dict[str, list[str]]:
    return {name: evaluate(library, prof(), peers(), library.interventions).ids()
            for name, (prof, peers) in ARCHETYPES.items()}


def test_archetype_top_fives_differ(mixes: dict[str, list[str]]) -> None:
    for a, b in itertools.combinations(mixes, 2):
        top_a, top_b = set(mixes[a][:5]), set(mixes[b][:5])
        assert len(top_a ^ top_b) >= 4 and len(top_a - top_b) >= 2, (a, b, top_a, top_b)


def test_pharma_hub_leads_with_science_park(mixes: dict[str, list[str]]) -> None:
    assert mixes["pharma_hub"][0] == "science_park_incubation"
    assert "automation_reskilling" not in mixes["pharma_hub"]


def test_engineering_cluster_gets_supply_chain_and_diffusion(mixes: dict[str, list[str]]) -> None:
    top = mixes["engineering_cluster"][:5]
    assert {"supply_chain_development", "am_centre_hub"} <= set(top)
    assert "science_park_incubation" not in mixes["engineering_cluster"]


def test_declining_area_leads_with_reskilling(mixes: dict[str, list[str]]) -> None:
    assert mixes["declining_area"][0] in {"automation_reskilling", "fe_apprenticeships"}
    assert {"automation_reskilling", "fe_apprenticeships"} <= set(mixes["declining_area"][:3])


def test_thin_base_leads_with_horizontal_help_not_clusters(
        library: RuleSet, mixes: dict[str, list[str]]) -> None:
    """Issue 10: a thin base gets light, horizontal measures first and an explicit "not a
    priority" outcome, not an inward investment programme first."""
    assert mixes["thin_base"][0] in {"access_to_finance", "digital_adoption", "careers_inclusion"}
    assert "access_to_finance" in mixes["thin_base"][:3]
    assert "inward_investment_sites" in mixes["thin_base"]
    assert "cluster_network" not in mixes["thin_base"]
    assert "science_park_incubation" not in mixes["thin_base"]
    recs = evaluate(library, thin_base(), peers_of(0.02), library.interventions)
    assert any(a.startswith("Advanced manufacturing is not a priority here") for a in recs.advice)


def test_archetype_traces_point_at_evidence(library: RuleSet) -> None:
    recs = evaluate(library, pharma_hub(), peers_of(0.05), library.interventions)
    top = recs.recommended[0]
    assert top.sectors == ["pharmaceuticals"]
    assert "knowledge_spillovers" in top.rationales
    fired = {t.rule for t in top.trace}
    assert "science-spinout-space" in fired
    ids = {fid for t in top.trace for c in t.conditions for fid in c.findings}
    assert "PH:specialisation:pharmaceuticals" in ids
    assert {n.intervention for n in recs.not_recommended} == \
        set(library.interventions) - set(recs.ids())
    assert all(n.why and all(w.startswith("rule '") for w in n.why)
               for n in recs.not_recommended)


# ---------------------------------------------------------------------------------------------
# robustness and speed

_maybe = st.one_of(st.none(), st.just(math.nan), st.floats(-1, 5))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    lqs=st.lists(_maybe, min_size=10, max_size=10),
    growth=st.lists(_maybe, min_size=10, max_size=10),
    automation=_maybe, level4=_maybe, berd=_maybe, herfindahl=_maybe,
    topics=st.lists(st.sampled_from(FINDING_TOPICS), max_size=8),
    with_peers=st.booleans(),
)
def test_library_never_crashes_on_partial_profiles(
    lqs: list, growth: list, automation: float | None, level4: float | None,
    berd: float | None, herfindahl: float | None, topics: list[str], with_peers: bool,
) -> None:
    library = packaged()
    sids = sector_ids()
    prof = profile(
        sectors=rows({s: {"lq": lq, "growth": g} for s, lq, g in zip(sids, lqs, growth,
                                                                       strict=True)}),
        findings=[finding("H", "strength", t, sids[i % 10] if i % 2 else None, 0.5)
                  for i, t in enumerate(topics)],
        context={"level4_share": level4, "berd_per_job": berd},
        automation_exposure=automation, herfindahl=herfindahl,
    )
    peers = [profile("P", automation_exposure=None, context={"level4_share": None})] \
        if with_peers else None
    catalogue = library.interventions
    recs = evaluate(library, prof, peers, catalogue)
    ids = recs.ids()
    assert len(ids) == len(set(ids))
    assert {n.intervention for n in recs.not_recommended} | set(ids) == set(catalogue)
    assert all(r.score > 0 for r in recs.recommended)
    assert [r.score for r in recs.recommended] == sorted((r.score for r in recs.recommended),
                                                         reverse=True)
    recs.model_dump(mode="json")


# ---------------------------------------------------------------------------------------------
# each piece of evidence counts once (issue 10 section 2)

CORRELATED_RULES = """
rules:
  - id: decline-a
    title: First rule on a decline
    recommends: [{intervention: automation_reskilling, weight: 1.5}]
    rationale: just_transition
    why: One reading of a decline.
    when: {finding: {topic: sector_decline}}
  - id: decline-b
    title: Second rule on the same decline
    recommends: [automation_reskilling]
    rationale: lock_in
    why: Another reading of the same decline.
    when:
      all: [{finding: {topic: sector_decline}}, {indicator: {name: am_jobs, op: ge, value: 1}}]
  - id: decline-and-skills
    title: Decline and a skills gap together
    recommends: [{intervention: automation_reskilling, weight: 2}]
    rationale: spatial_equity
    why: A decline with a skills gap rests on two findings.
    when: {all: [{finding: {topic: sector_decline}}, {finding: {topic: skills}}]}
  - id: skills-only
    title: A skills gap alone
    recommends: [fe_apprenticeships]
    rationale: capability_failure
    why: The skills gap alone.
    when: {finding: {topic: skills}}
"""


def test_correlated_rules_count_their_shared_finding_once() -> None:
    rs = rules_from_texts([("correlated.yaml", CORRELATED_RULES)])
    decline = finding("A", "risk", "sector_decline", "automotive", 0.8)
    recs = evaluate(rs, profile(findings=[decline]))
    # decline-a gives the decline 1.5 x 0.8 = 1.2, decline-b 1 x 0.8: counted once, at the max
    assert recs.get("automation_reskilling").score == pytest.approx(1.2)
    assert len(recs.get("automation_reskilling").trace) == 2
    skills = finding("A", "bottleneck", "skills", None, 0.5)
    recs = evaluate(rs, profile(findings=[decline, skills]))
    # decline-and-skills splits weight 2 over two findings: decline 2 x 0.8 / 2 = 0.8 (< 1.2),
    # skills 2 x 0.5 / 2 = 0.5, so 1.2 + 0.5
    assert recs.get("automation_reskilling").score == pytest.approx(1.7)
    assert recs.get("fe_apprenticeships").score == pytest.approx(0.5)


@settings(max_examples=40, deadline=None)
@given(st.integers(min_value=1, max_value=6), st.floats(min_value=0.1, max_value=0.95))
def test_repeating_a_rule_never_raises_a_score(copies: int, conf: float) -> None:
    """n copies of a rule on the same finding score what one copy scores."""
    text = "rules:\n" + "".join(f"""
  - id: copy-{i}
    title: Copy {i}
    recommends: [{{intervention: export_support, weight: 1.5}}]
    rationale: information_asymmetry
    why: The same evidence again.
    when: {{finding: {{topic: specialisation}}}}
""" for i in range(copies))
    rs = rules_from_texts([("copies.yaml", text)])
    spec = finding("A", "strength", "specialisation", "chemicals", conf)
    item = evaluate(rs, profile(findings=[spec]), min_score=0).get("export_support")
    assert item is not None
    assert item.score == pytest.approx(round(1.5 * conf, 4))
    assert len(item.trace) == copies
