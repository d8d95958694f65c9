"""Rule traces and "why not" reasons read as sentences (issue 15): plural nouns take "are",
counts show no decimals, shares show as percentages, sectors by their labels (one-word ids
too), symbols in words."""

from __future__ import annotations

import pytest

from policy.labels import condition_words, in_words
from rules import ConditionTrace


def trace(path: str, op: str, actual: object, threshold: object = None,
          note: str | None = None) -> ConditionTrace:
    return ConditionTrace(path=path, op=op, actual=actual, threshold=threshold, result=True,
                          note=note)


@pytest.mark.parametrize("c, sentence", [
    (trace("am_jobs", "ge", 1445, 1000.0),
     "Advanced manufacturing jobs are at least 1,000: there are 1,445"),
    (trace("am_jobs", "ge", 2715, 300.0),
     "Advanced manufacturing jobs are at least 300: there are 2,715"),
    (trace("sector.aerospace.employment", "ge", 1200, 500.0),
     "Aerospace: jobs are at least 500: there are 1,200"),
    (trace("am_share", "ge", 0.124, 0.03),
     "Advanced manufacturing share of jobs is at least 3.0%: it is 12.4%"),
    (trace("sector.aerospace.lq", "ge", 2.54, 1.5),
     "Aerospace: location quotient is at least 1.50: it is 2.54"),
    (trace("sectors.any.lq", "ge", "pharmaceuticals=27.38, weapons=2.10", 2.0),
     "At least one sector's location quotient is at least 2.00: "
     "Pharmaceuticals 27.38, Weapons and ammunition 2.10"),
    (trace("context.level4_share", "present", 0.317),
     "Share of residents qualified to degree level (level 4+) is known: 31.7%"),
    (trace("context.berd_per_job", "present", 329.0), "Business R&D per job is known: 329"),
    (trace("area.level", "in", "lad", "lad, group"),
     "The area is a local authority district or a group of districts: it is a local "
     "authority district"),
])
def test_condition_sentences(c: ConditionTrace, sentence: str) -> None:
    assert condition_words(c) == sentence


def test_counted_nouns_agree() -> None:
    assert in_words("8 outcome(s) shared; 1 overlap(s) to coordinate; 0 gap(s)") == (
        "8 outcomes shared; 1 overlap to coordinate; 0 gaps")
    assert in_words("316 suppressed cell(s); 1 suppressed cell(s)") == (
        "316 suppressed cells; 1 suppressed cell")


@pytest.mark.parametrize("reason, sentence", [
    ("rule 'niche-plant-resilience' fired on weapons, which the catalogue does not list for "
     "'supply_chain_development'",
     "the rule 'Keep a niche that rests on one plant' fired on Weapons and ammunition, which "
     "the catalogue does not list for 'Supply chain development'"),
    ("no sector has lq >= 2.00 (pharmaceuticals 1.35, weapons 0.713, "
     "computers_electronics_optics 0.6)",
     "no sector's location quotient is at least 2.00 (Pharmaceuticals 1.35, Weapons and "
     "ammunition 0.713, Computers, electronics and optics 0.6)"),
    ("am_jobs = 1,445, needs >= 1,500",
     "advanced manufacturing jobs are 1,445, and the rule needs at least 1,500"),
    ("am_share = 0.0152, needs >= 0.02",
     "advanced manufacturing share of jobs is 1.5%, and the rule needs at least 2.0%"),
    ("krugman = 0.0408, needs > comparator median x 1.5 0.0695",
     "Krugman specialisation index is 0.0408, and the rule needs above 0.0695 (1.5 times the "
     "comparators' median)"),
    ("area level is 'lad', needs one of group, region",
     "the area is a local authority district; the rule needs a group of districts or a "
     "region"),
    ("a finding with topic=dependence exists (A:dependence:automotive); the rule needs none",
     "there is a finding on Dependence on one sector (1 found); the rule needs none"),
    ("the evidence for 'export_support' scores 0.4317, under the floor of 0.5",
     "the evidence for 'Export support' scores 0.43, under the floor of 0.5"),
])
def test_why_not_sentences(reason: str, sentence: str) -> None:
    assert in_words(reason) == sentence
