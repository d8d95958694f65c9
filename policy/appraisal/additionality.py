"""Additionality benchmarks: cited starting values for the gross-to-net chain of an option.

The figures live in ``policy/appraisal/data/additionality.yaml``: levels of the ready reckoners
of the Homes and Communities Agency (2014) *Additionality Guide* (4th edition; deadweight,
section 3.3; leakage, 4.2; displacement, 4.3; substitution, 4.4; composite multiplier, 4.5),
chosen by intervention type after the ordering of mean additionality in BIS (2009) *Research to
improve the assessment of additionality* (BIS Occasional Paper 1), for three geographies: the
local target area, the region around it and the UK as a whole. Each value carries its basis
(``Additionality.basis``) so the page and the report can show where it came from; every one is
editable.

The multiplier defaults to the area's regional input-output multiplier when the area profile
carries one (``io_multiplier``), else to the ready-reckoner level for the intervention type.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from importlib import resources
from typing import Any, Literal

from pydantic import BaseModel

from evidence.yaml_load import load_yaml
from policy.appraisal.cba import Additionality

Geography = Literal["local", "regional", "uk"]
GEOGRAPHIES: tuple[Geography, ...] = ("local", "regional", "uk")
FACTORS = ("deadweight", "displacement", "leakage", "substitution", "multiplier")

_DATA = load_yaml(
    resources.files("policy.appraisal").joinpath("data/additionality.yaml").read_text("utf-8")
)
ADDITIONALITY_SOURCE: str = " ".join(str(_DATA["source"]).split())
"""The guidance the benchmark values come from."""

LEVELS: dict[str, dict[str, float]] = {k: dict(v) for k, v in _DATA["levels"].items()}
"""Ready-reckoner levels by factor (HCA 2014), e.g. LEVELS['deadweight']['medium'] = 0.25."""

GEOGRAPHY_NOTES: dict[str, str] = {
    k: " ".join(str(v).split()) for k, v in _DATA["geographies"].items()
}

DEFAULT_TYPE = "business_support"
"""Intervention type used when a catalogue family has no type of its own."""


class BenchmarkType(BaseModel):
    """One intervention type's benchmark levels by geography, with the reason for them."""

    id: str
    label: str
    families: list[str]
    reason: str
    by_geography: dict[str, dict[str, str | float]]


BENCHMARK_TYPES: dict[str, BenchmarkType] = {
    tid: BenchmarkType(
        id=tid,
        label=t["label"],
        families=list(t["families"]),
        reason=" ".join(str(t["reason"]).split()),
        by_geography={g: dict(t[g]) for g in GEOGRAPHIES},
    )
    for tid, t in _DATA["types"].items()
}


def intervention_type(family: str) -> str:
    """The benchmark type of a catalogue family (business support when none matches)."""
    for t in BENCHMARK_TYPES.values():
        if family in t.families:
            return t.id
    return DEFAULT_TYPE


def geography_of(area_level: str | None) -> Geography:
    """The benchmark geography of an area level: a region is 'regional', anything smaller
    (district, group of districts, combined authority) 'local'."""
    return "regional" if area_level == "region" else "local"


def _value(factor: str, level: str | float) -> tuple[float, str]:
    if isinstance(level, int | float):
        return float(level), f"{level:g} (no ready reckoner: case by case, HCA 2014 s4.4)"
    return LEVELS[factor][level], f"ready-reckoner level '{level}'"


def io_multiplier_of(profile: Any) -> float | None:
    """The area's regional input-output multiplier, if its profile carries one.

    Read with ``getattr`` because the field is optional (a number, or an object or mapping
    with a ``value`` / ``multiplier``); anything that is not a finite number above 1 is
    ignored, so a missing or malformed field falls back to the benchmark."""
    raw = getattr(profile, "io_multiplier", None) if profile is not None else None
    if raw is not None and not isinstance(raw, int | float):
        found = None
        for key in ("value", "multiplier", "type_i", "output"):
            found = raw.get(key) if isinstance(raw, Mapping) else getattr(raw, key, None)
            if found is not None:
                break
        raw = found
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        value = float(raw)
        if math.isfinite(value) and value >= 1.0:
            return value
    return None


def benchmark_additionality(
    type_id: str, geography: Geography = "local", io_multiplier: float | None = None
) -> Additionality:
    """The benchmark chain for one intervention type at one geography, each value cited."""
    t = BENCHMARK_TYPES[type_id]
    levels = t.by_geography[geography]
    values: dict[str, float] = {}
    basis: dict[str, str] = {}
    for factor in FACTORS:
        value, how = _value(factor, levels[factor])
        values[factor] = value
        basis[factor] = f"{t.label}, {geography}: {how}; {ADDITIONALITY_SOURCE}. {t.reason}"
    if io_multiplier is not None and geography != "uk":
        values["multiplier"] = io_multiplier
        basis["multiplier"] = (
            f"the area's regional input-output multiplier ({io_multiplier:.2f}) from the area "
            "profile, in place of the HCA (2014) ready-reckoner level"
        )
    return Additionality(**values, basis=basis)


def option_additionality(
    families: Sequence[tuple[str, float]],
    geography: Geography = "local",
    io_multiplier: float | None = None,
) -> Additionality:
    """Benchmark additionality for an option: the budget-weighted mean of each factor over its
    interventions' types. ``families`` is (catalogue family, budget) per intervention; with no
    budget every intervention counts alike."""
    if not families:
        return benchmark_additionality(DEFAULT_TYPE, geography, io_multiplier)
    total = sum(max(0.0, b) for _, b in families)
    weights = [(intervention_type(f), (max(0.0, b) / total) if total > 0 else 1 / len(families))
               for f, b in families]
    share: dict[str, float] = {}
    for tid, w in weights:
        share[tid] = share.get(tid, 0.0) + w
    chains = {tid: benchmark_additionality(tid, geography, io_multiplier) for tid in share}
    if len(chains) == 1:
        return next(iter(chains.values()))
    values = {f: sum(share[tid] * getattr(chains[tid], f) for tid in share) for f in FACTORS}
    mix = ", ".join(f"{BENCHMARK_TYPES[tid].label} {w:.0%}" for tid, w in share.items())
    basis = {
        f: f"budget-weighted mean of the benchmarks for {mix} ({geography}); "
        + "; ".join(f"{BENCHMARK_TYPES[tid].label}: {getattr(chains[tid], f):g}" for tid in share)
        + f". {ADDITIONALITY_SOURCE}"
        for f in FACTORS
    }
    if io_multiplier is not None and geography != "uk":
        basis["multiplier"] = chains[next(iter(chains))].basis["multiplier"]
    return Additionality(**{k: round(v, 6) for k, v in values.items()}, basis=basis)
