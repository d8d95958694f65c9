"""Every district's recommendations at once, and how selective they are (issue 10).

A tool that recommends the same interventions everywhere is generic advice with local numbers
around it. :func:`recommend_all` gives what :func:`policy.walkthrough.recommend` (the one path
the pages and the report use) gives each district of a data set, as one batch
(:func:`each_area`); :func:`calibration` summarises the
result with the figures the issue sets targets for:

* the median and spread (min, quartiles, max) of the number of interventions recommended per
  district - target: median at most :data:`TARGETS` ``median_recommended``;
* the share of districts each intervention is recommended in - target: none above
  ``max_intervention_share``;
* the share of districts each finding (topic and sector together) fires in - target: none above
  ``max_finding_share``;
* the number of distinct top-3 sets (an unordered set of the three highest-ranked
  interventions): the more, the more the advice differs by place.
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field

from evidence.models import AreaProfile
from evidence.service import Evidence
from policy.catalogue import load_catalogue
from policy.walkthrough import default_ruleset
from rules import evaluate_all
from rules.results import Recommendations

__all__ = ["TARGETS", "AreaRecommendations", "Calibration", "calibration", "recommend_all"]

TARGETS: dict[str, float] = {
    "median_recommended": 8,
    "max_intervention_share": 0.80,
    "max_finding_share": 0.60,
}
"""The targets of issue 10 section 3."""


@dataclass(frozen=True)
class AreaRecommendations:
    """One district's recommended list (as ``recommend --area`` gives it) and its findings."""

    area_code: str
    area_name: str
    recommended: list[dict]
    findings: list[tuple[str, str]]  # (topic, sector or "area")

    def as_json(self) -> dict:
        return {"area_code": self.area_code, "area_name": self.area_name,
                "recommended": self.recommended}


def each_area(ev: Evidence, level: str = "lad"
              ) -> Iterator[tuple[str, str, AreaProfile, Recommendations]]:
    """(code, name, profile, recommendations) for every area of ``level``, in area order: the
    calibration and the rules' golden file read the same results.

    Each result is what :func:`policy.walkthrough.recommend` gives a new session on the area
    (its profile, its comparators' profiles for the same period, the catalogue's interventions
    and sector eligibility), computed as one batch: every profile once (a comparator is another
    area of the batch, so it is not built again) and :func:`rules.evaluate_all` over them, both
    with the garbage collector paused. ``tests/rules/test_golden.py`` holds the results to the
    golden file and to ``recommend`` area by area.
    """
    catalogue = load_catalogue()
    ruleset = default_ruleset()
    areas = ev.cube.areas
    rows = areas.loc[areas["level"] == level, ["area_code", "area_name"]]
    codes = [str(c) for c in rows["area_code"]]
    profiles = ev.profiles(codes)
    by_code = dict(zip(codes, profiles, strict=True))
    peers = [[by_code[c.area_code] if c.area_code in by_code else ev.profile(c.area_code)
              for c in p.comparators] for p in profiles]
    eligible = {iid: None if "all" in iv.sectors else frozenset(iv.sectors)
                for iid, iv in catalogue.items()}
    recs = evaluate_all(ruleset, profiles, peers, list(catalogue), eligible)
    for code, name, profile, rec in zip(codes, rows["area_name"], profiles, recs, strict=True):
        yield code, str(name), profile, rec


def recommend_all(ev: Evidence, level: str = "lad") -> list[AreaRecommendations]:
    """Recommendations for every area of ``level`` (districts by default), in area order."""
    return [
        AreaRecommendations(
            area_code=code, area_name=name,
            recommended=[r.model_dump(mode="json") for r in recs.recommended],
            findings=[(f.topic, f.sector or "area") for f in profile.findings],
        )
        for code, name, profile, recs in each_area(ev, level)
    ]


@dataclass
class Calibration:
    """How selective the advice is over a set of districts (see the module docstring)."""

    label: str
    districts: int
    counts: list[int]
    intervention_share: dict[str, float]
    finding_share: dict[str, float]
    distinct_top3: int
    checks: dict[str, bool] = field(default_factory=dict)

    @property
    def median(self) -> float:
        return float(statistics.median(self.counts)) if self.counts else 0.0

    @property
    def spread(self) -> tuple[int, float, float, int]:
        """(min, lower quartile, upper quartile, max) of recommended per district."""
        if len(self.counts) < 2:
            c = self.counts[0] if self.counts else 0
            return c, float(c), float(c), c
        q = statistics.quantiles(self.counts, n=4, method="inclusive")
        return min(self.counts), q[0], q[2], max(self.counts)

    def text(self, top: int = 8) -> str:
        lo, q1, q3, hi = self.spread
        lines = [
            f"## {self.label}: {self.districts} districts",
            f"recommended per district: median {self.median:g} (min {lo}, quartiles "
            f"{q1:g}-{q3:g}, max {hi}); target <= {TARGETS['median_recommended']:g}",
            f"distinct top-3 sets: {self.distinct_top3}",
            f"most frequent interventions (target <= {TARGETS['max_intervention_share']:.0%}):",
        ]
        for iid, share in list(self.intervention_share.items())[:top]:
            lines.append(f"  {share:6.1%}  {iid}")
        lines.append(f"most frequent findings, topic:sector "
                     f"(target <= {TARGETS['max_finding_share']:.0%}):")
        for key, share in list(self.finding_share.items())[:top]:
            lines.append(f"  {share:6.1%}  {key}")
        lines.append("targets: " + ", ".join(
            f"{k} {'met' if ok else 'MISSED'}" for k, ok in self.checks.items()))
        return "\n".join(lines)


def calibration(results: list[AreaRecommendations], label: str = "") -> Calibration:
    """The selectivity figures of issue 10 over ``results`` (from :func:`recommend_all`)."""
    n = len(results)
    counts = [len(r.recommended) for r in results]
    per_iv: Counter[str] = Counter()
    per_finding: Counter[str] = Counter()
    top3: set[frozenset[str]] = set()
    for r in results:
        ids = [x["intervention"] for x in r.recommended]
        per_iv.update(set(ids))
        per_finding.update({f"{t}:{s}" for t, s in r.findings})
        top3.add(frozenset(ids[:3]))

    def shares(c: Counter[str]) -> dict[str, float]:
        return {k: v / n for k, v in sorted(c.items(), key=lambda kv: (-kv[1], kv[0]))} if n \
            else {}

    cal = Calibration(label=label, districts=n, counts=counts,
                      intervention_share=shares(per_iv), finding_share=shares(per_finding),
                      distinct_top3=len(top3))
    cal.checks = {
        "median_recommended": cal.median <= TARGETS["median_recommended"],
        "max_intervention_share": max(cal.intervention_share.values(), default=0.0)
        <= TARGETS["max_intervention_share"],
        "max_finding_share": max(cal.finding_share.values(), default=0.0)
        <= TARGETS["max_finding_share"],
    }
    return cal
