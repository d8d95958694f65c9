"""The monitoring and evaluation plan of the chosen mix (HM Treasury 2020 *Magenta Book*).

:func:`evaluation_plan` turns the interventions' causal chains into a logframe (one row per
output, outcome and impact: its indicator, the source it is measured from, the baseline from
the area's own evidence and the target the user sets), proposes an impact evaluation design for
each intervention (the counterfactual approach and its level on the Maryland Scientific Methods
Scale, with the data it needs: BRES, linked business data, surveys), the timing, and the risks
to evaluability. Designs, data sources, baselines and risks live in
``policy/appraisal/data/evaluation.yaml`` with their sources.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from importlib import resources
from typing import Any

from pydantic import BaseModel, Field

from evidence.models import AreaProfile
from evidence.yaml_load import load_yaml
from policy.appraisal.defaults import area_gva_per_job
from policy.catalogue import Intervention

_DATA = load_yaml(
    resources.files("policy.appraisal").joinpath("data/evaluation.yaml").read_text("utf-8")
)
EVALUATION_SOURCE: str = " ".join(str(_DATA["source"]).split())
LOGFRAME_STAGES = ("outputs", "outcomes", "impacts")
_SOURCE_IN_TEXT = re.compile(r"\(([^()]*[A-Z][^()]*)\)")


class LogframeRow(BaseModel):
    """One output, outcome or impact of the chosen mix with how it will be measured."""

    node_id: str
    stage: str
    label: str
    indicator: str
    source: str
    baseline: str
    target: str = Field("", description="the user's target (blank until set)")
    interventions: list[str]


class EvaluationDesign(BaseModel):
    """The impact evaluation proposed for one intervention (Magenta Book 2020, chapter 3)."""

    intervention_id: str
    intervention: str
    design: str
    label: str
    sms_level: int
    when: str
    data: list[str]


class EvaluationPlan(BaseModel):
    """Logframe, designs, timing and evaluability risks; ``source`` cites the method."""

    rows: list[LogframeRow]
    designs: list[EvaluationDesign]
    timing: list[tuple[str, str]]
    risks: list[str]
    source: str = EVALUATION_SOURCE

    @property
    def targets_set(self) -> int:
        return sum(1 for r in self.rows if r.target.strip())


def _clean(text: Any) -> str:
    return " ".join(str(text).split())


def _source(stage: str, indicator: str) -> str:
    if stage == "outputs":
        return "Programme monitoring returns"
    named = [m.strip() for m in _SOURCE_IN_TEXT.findall(indicator)]
    return "; ".join(dict.fromkeys(named)) or "Beneficiary survey and published statistics"


def _profile_value(profile: AreaProfile, field: str) -> float | None:
    if field == "am_gva_per_job":
        return area_gva_per_job(profile)
    if field.startswith("context."):
        value = profile.context.get(field.split(".", 1)[1])
    else:
        value = getattr(profile, field, None)
    return float(value) if isinstance(value, int | float) and math.isfinite(value) else None


def _baseline(node_id: str, profile: AreaProfile | None) -> str:
    spec = _DATA["baselines"].get(node_id)
    if spec is None or profile is None:
        return "not in the area profile: set at the baseline survey"
    value = _profile_value(profile, spec["field"])
    if value is None:
        return f"{spec['label']}: not available in the data; set at the baseline survey"
    where = f"{profile.area.name}, {profile.period.end}"
    return f"{format(value, spec['fmt'])} {spec['label']} ({where})"


def _designs(chosen: Sequence[Intervention]) -> list[EvaluationDesign]:
    designs = _DATA["designs"]
    sources = {d["id"]: _clean(d["label"]) for d in _DATA["data_sources"]}
    out = []
    for iv in chosen:
        did = _DATA["design_by_family"].get(iv.family, "before_after")
        d = designs[did]
        data = ["monitoring", "beneficiary_survey"]
        data += {"matched_did": ["linked_business"], "rdd": ["linked_business"],
                 "rct": ["linked_business"], "synthetic_control": ["bres", "ons_gva"]}.get(did, [])
        if iv.family == "skills":
            data.append("aps")
        out.append(EvaluationDesign(
            intervention_id=iv.id, intervention=iv.name, design=did, label=_clean(d["label"]),
            sms_level=int(d["sms"]), when=_clean(d["when"]),
            data=[sources[k] for k in dict.fromkeys(data)],
        ))
    return out


def evaluation_plan(
    chosen: Sequence[Intervention],
    profile: AreaProfile | None,
    targets: Mapping[str, str] | None = None,
) -> EvaluationPlan:
    """The monitoring and evaluation plan for the chosen interventions.

    Logframe rows are the outputs, outcomes and impacts of their causal chains, each once
    (shared outcomes and impacts list every intervention that reaches them), in stage order;
    ``targets`` (node id -> text) are the user's. The final evaluation is timed from the
    slowest intervention's expected time to impact (catalogue), plus a year for the data."""
    targets = targets or {}
    rows: dict[str, LogframeRow] = {}
    for iv in chosen:
        for node in iv.causal_chain.nodes:
            if node.stage not in LOGFRAME_STAGES:
                continue
            if node.id in rows:
                rows[node.id].interventions.append(iv.name)
                continue
            indicator = _clean(node.indicator)
            rows[node.id] = LogframeRow(
                node_id=node.id, stage=node.stage, label=_clean(node.label),
                indicator=indicator, source=_source(node.stage, indicator),
                baseline=_baseline(node.id, profile), target=str(targets.get(node.id, "")),
                interventions=[iv.name],
            )
    ordered = sorted(rows.values(), key=lambda r: LOGFRAME_STAGES.index(r.stage))
    timing = [(k.capitalize(), _clean(v)) for k, v in _DATA["timing"].items()]
    if chosen:
        slowest = max(chosen, key=lambda iv: iv.time_to_impact_years.high)
        final = math.ceil(slowest.time_to_impact_years.high) + 1
        timing[-1] = (timing[-1][0], f"{timing[-1][1]} Here: year {final} ({slowest.name}, "
                      f"{slowest.time_to_impact_years.high:g} years to impact).")
    designs = _designs(chosen)
    risks = [_clean(r) for r in _DATA["evaluability_risks"]]
    weak = [d.intervention for d in designs if d.sms_level < 3]
    if weak:
        risks.append("No credible comparison group is planned for: " + "; ".join(weak)
                     + " (Maryland SMS below 3): findings will show contribution, not impact.")
    return EvaluationPlan(rows=ordered, designs=designs, timing=timing, risks=risks)
