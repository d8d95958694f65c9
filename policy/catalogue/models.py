"""The intervention catalogue: typed models over the YAML files in ``policy/catalogue/``.

Interventions are data so that a policy analyst can review and change them without touching
code; this module is the gate that keeps that data honest. Every vocabulary the rest of the tool
relies on (families, target types, rationales, sectors, quadrants, stages, shared outcome and
impact nodes) is closed here, because a typo in a YAML file would otherwise surface much later
as a silently missing recommendation or a causal chain that fails to join up with the others.

Conventions the loader enforces:

* one file per intervention, named ``<id>.yaml``; files starting with ``_`` are vocabularies
  (``_shared_nodes.yaml``), not interventions;
* outcomes and impacts come from the shared vocabulary in ``_shared_nodes.yaml`` so that merging
  chains makes complementarities visible; a chain lists a shared node by ``id`` alone and the
  loader fills in its stage, label, indicator and tier;
* inputs, activities and outputs belong to one intervention and carry its id as a prefix
  (``am_centre_hub.sme_outreach``) so two chains can never collide on them by accident;
* YAML is read with ``yaml.safe_load`` only (no tags, no code in data).

Errors are raised as :class:`CatalogueError`, which names the file, the intervention id, the
field (from pydantic's error location) and, where there is one, the causal-chain node.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from pydantic import (
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from policy.catalogue.vocabulary import (
    ALL_SECTORS,
    ID_PATTERN,
    NODE_ID_PATTERN,
    RATIONALE_CATEGORIES,
    SHARED_NODES_FILE,
    Actor,
    EvidenceStrength,
    Family,
    FrozenModel,
    Quadrant,
    SectorId,
    Stage,
    TargetType,
    evidence_scale,
    sector_quadrants,
    unique_values,
    vocabulary_from_context,
)
from rules.models import Rationale

# --------------------------------------------------------------------------------------------
# Intervention models
# --------------------------------------------------------------------------------------------


class CostRange(FrozenModel):
    """Indicative public cost in GBP million at local / combined-authority scale.

    ``basis`` says whether the range is per year or a total over ``duration_years``; a total
    without a duration cannot be compared with annual costs, so it is required then.
    """

    low_gbp_m: float = Field(ge=0)
    high_gbp_m: float = Field(ge=0)
    basis: Literal["per_year", "total"]
    duration_years: int | None = Field(default=None, ge=1)
    note: str = ""

    @model_validator(mode="after")
    def _ordered(self) -> CostRange:
        if self.high_gbp_m < self.low_gbp_m:
            raise ValueError(f"high_gbp_m {self.high_gbp_m} is below low_gbp_m {self.low_gbp_m}")
        if self.basis == "total" and self.duration_years is None:
            raise ValueError("a total cost needs duration_years (the period it covers)")
        return self

    def per_year(self) -> tuple[float, float]:
        """Low/high annual cost, spreading a total evenly over its duration."""
        if self.basis == "per_year":
            return (self.low_gbp_m, self.high_gbp_m)
        years = self.duration_years or 1
        return (self.low_gbp_m / years, self.high_gbp_m / years)


class YearRange(FrozenModel):
    """Years until the intended impacts are expected to show (low/high)."""

    low: float = Field(ge=0)
    high: float = Field(ge=0)

    @model_validator(mode="after")
    def _ordered(self) -> YearRange:
        if self.high < self.low:
            raise ValueError(f"high {self.high} is below low {self.low}")
        return self


class Study(FrozenModel):
    """A study or review a rating rests on, with its Maryland SMS level (1-5)."""

    study: str = Field(min_length=5)
    sms: int = Field(ge=1, le=5)


class Evidence(FrozenModel):
    """How strong the evaluation evidence is, in words an appraisal can quote.

    ``strength`` is tied to one scale, the Maryland Scientific Methods Scale as the What Works
    Centre for Local Economic Growth uses it: ``rests_on`` lists the studies the rating rests
    on with their SMS levels, ``sms_level`` is the highest of them, and the strength must sit
    in that level's band (:func:`policy.catalogue.vocabulary.evidence_scale`). ``sources``
    names reviews and evaluations (not invented figures): the note says what they find, and any
    number in it is indicative.
    """

    strength: EvidenceStrength
    sms_level: int | None = Field(default=None, ge=1, le=5)
    rests_on: tuple[Study, ...] = ()
    note: str = Field(min_length=1)
    sources: tuple[str, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _on_the_scale(self) -> Evidence:
        # optional for models built in code; every catalogue file must give both (load.py)
        if self.sms_level is None and not self.rests_on:
            return self
        if self.sms_level is None or not self.rests_on:
            raise ValueError("sms_level and rests_on go together: name the SMS level and the "
                             "studies the rating rests on")
        top = max(s.sms for s in self.rests_on)
        if self.sms_level != top:
            raise ValueError(f"sms_level {self.sms_level} is not the highest level of the "
                             f"studies it rests on ({top})")
        band = evidence_scale().strengths[self.strength]
        if not band.min_sms <= self.sms_level <= band.max_sms:
            raise ValueError(f"strength {self.strength!r} needs SMS {band.min_sms}-"
                             f"{band.max_sms} ({band.meaning}); the studies reach SMS "
                             f"{self.sms_level}")
        return self


class Delivery(FrozenModel):
    """Who would lead the intervention locally and who partners (closed ``Actor`` vocabulary),
    so the question of how the mix is co-ordinated has an answer."""

    lead: tuple[Actor, ...] = Field(min_length=1)
    partners: tuple[Actor, ...] = Field(min_length=1)
    note: str = ""

    @model_validator(mode="after")
    def _distinct(self) -> Delivery:
        unique_values(self.lead)
        unique_values(self.partners)
        both = sorted(set(self.lead) & set(self.partners))
        if both:
            raise ValueError(f"listed as both lead and partner: {', '.join(both)}")
        return self


class CausalNode(FrozenModel):
    """A box in a logic model. Shared outcome/impact nodes get ``tier``, label and indicator
    from the shared vocabulary, so YAML may list them by ``id`` alone."""

    id: str
    stage: Stage
    label: str = Field(min_length=1)
    indicator: str = Field(min_length=1)
    tier: int | None = None

    @model_validator(mode="before")
    @classmethod
    def _resolve_shared(cls, data: Any, info: ValidationInfo) -> Any:
        if not isinstance(data, Mapping) or "id" not in data:
            return data
        vocab = vocabulary_from_context(info)
        shared = vocab.by_id().get(str(data["id"]))
        if shared is None:
            if data.get("tier") is not None:
                raise ValueError("only shared outcome nodes have a tier")
            return data
        resolved = dict(data)
        for key in ("stage", "label", "indicator", "tier"):
            given = resolved.get(key)
            expected = getattr(shared, key)
            if given is not None and given != expected:
                raise ValueError(
                    f"shared node {shared.id!r} has {key} {expected!r} in {SHARED_NODES_FILE}, "
                    f"not {given!r}; list it by id alone"
                )
            resolved[key] = expected
        return resolved

    @model_validator(mode="after")
    def _shape(self, info: ValidationInfo) -> CausalNode:
        if not NODE_ID_PATTERN.match(self.id):
            raise ValueError(f"node id {self.id!r} must look like 'intervention_id.snake_case'")
        shared = vocabulary_from_context(info).by_id()
        if self.stage in ("outcomes", "impacts") and self.id not in shared:
            raise ValueError(
                f"node {self.id!r}: {self.stage} must use a shared node id from "
                f"{SHARED_NODES_FILE} so that chains join up when merged"
            )
        return self


class CausalEdge(FrozenModel):
    """A causal link and the assumption it rests on (the thing an evaluation would test)."""

    source: str = Field(alias="from")
    target: str = Field(alias="to")
    assumption: str = Field(min_length=1)


class CausalChain(FrozenModel):
    """Nodes and edges of one intervention's logic model.

    Only referential integrity is checked here; the structural rules (stage order, cycles,
    dangling nodes, reachability) live in :func:`policy.causal.validate_chain` so they apply
    equally to merged policy mixes.
    """

    nodes: tuple[CausalNode, ...] = Field(min_length=1)
    edges: tuple[CausalEdge, ...] = Field(min_length=1)

    @field_validator("nodes")
    @classmethod
    def _unique_nodes(cls, nodes: tuple[CausalNode, ...]) -> tuple[CausalNode, ...]:
        seen: set[str] = set()
        for index, node in enumerate(nodes):
            if node.id in seen:
                raise ValueError(f"node {node.id!r} (nodes[{index}]) is listed twice")
            seen.add(node.id)
        return nodes

    @model_validator(mode="after")
    def _edges_refer_to_nodes(self) -> CausalChain:
        ids = {node.id for node in self.nodes}
        seen: set[tuple[str, str]] = set()
        for index, edge in enumerate(self.edges):
            for end, node_id in (("from", edge.source), ("to", edge.target)):
                if node_id not in ids:
                    raise ValueError(
                        f"edges[{index}].{end}: node {node_id!r} is not in the chain's nodes"
                    )
            if (edge.source, edge.target) in seen:
                raise ValueError(
                    f"edges[{index}]: edge {edge.source!r} -> {edge.target!r} is listed twice"
                )
            seen.add((edge.source, edge.target))
        return self

    def node(self, node_id: str) -> CausalNode:
        for node in self.nodes:
            if node.id == node_id:
                return node
        raise KeyError(node_id)


class Intervention(FrozenModel):
    """One intervention of the catalogue, with the case for it and its causal chain."""

    id: str = Field(pattern=ID_PATTERN)
    name: str = Field(min_length=1)
    description: str = Field(min_length=1)
    family: Family
    target_type: TargetType
    rationales: tuple[Rationale, ...] = Field(min_length=1)
    sectors: tuple[SectorId, ...] = Field(min_length=1)
    quadrants: tuple[Quadrant, ...] = Field(min_length=1)
    cost: CostRange
    time_to_impact_years: YearRange
    evidence: Evidence
    risks: tuple[str, ...] = Field(min_length=1)
    national_programmes: tuple[str, ...] = Field(min_length=1)
    delivery: Delivery | None = None
    causal_chain: CausalChain

    @field_validator("rationales", "quadrants", "risks", "national_programmes")
    @classmethod
    def _no_duplicates(cls, values: tuple[str, ...]) -> tuple[str, ...]:
        return unique_values(values)

    @field_validator("sectors", mode="before")
    @classmethod
    def _all_as_list(cls, value: Any) -> Any:
        # YAML may say ``sectors: all``; the model always holds a tuple (``("all",)``).
        return (value,) if isinstance(value, str) else value

    @field_validator("sectors")
    @classmethod
    def _all_alone(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if ALL_SECTORS in value and len(value) > 1:
            raise ValueError(f"{ALL_SECTORS!r} cannot be combined with named sectors")
        return unique_values(value)

    @field_validator("quadrants")
    @classmethod
    def _quadrants_cover_sectors(
        cls, quadrants: tuple[str, ...], info: ValidationInfo
    ) -> tuple[str, ...]:
        # A sector whose quadrant is not listed is a contradiction the rules engine would expose
        # as an intervention recommended for a sector profile it says it does not suit.
        sectors = info.data.get("sectors")
        if isinstance(sectors, tuple) and ALL_SECTORS not in sectors:
            lookup = sector_quadrants()
            missing = sorted(
                f"{s} ({lookup[s]})" for s in sectors if lookup.get(s) not in quadrants
            )
            if missing:
                raise ValueError(
                    "listed sectors sit in quadrants not listed here: " + ", ".join(missing)
                )
        return quadrants

    @field_validator("causal_chain")
    @classmethod
    def _own_nodes_prefixed(cls, chain: CausalChain, info: ValidationInfo) -> CausalChain:
        own_id = info.data.get("id")
        if own_id is None:
            return chain
        shared = vocabulary_from_context(info).by_id()
        for index, node in enumerate(chain.nodes):
            if node.id not in shared and not node.id.startswith(f"{own_id}."):
                raise ValueError(
                    f"node {node.id!r} (nodes[{index}]): intervention-specific nodes must be "
                    f"prefixed {own_id + '.'!r}"
                )
        return chain

    @property
    def rationale_categories(self) -> list[str]:
        """Market failure / system failure / equity, in that order, as far as present."""
        present = {RATIONALE_CATEGORIES[r] for r in self.rationales}
        return [c for c in ("market_failure", "system_failure", "equity") if c in present]

    def sector_ids(self) -> list[str]:
        """The sectors this intervention suits, with ``all`` expanded to Table 1."""
        if ALL_SECTORS in self.sectors:
            return list(sector_quadrants())
        return list(self.sectors)

    def suits_sector(self, sector_id: str) -> bool:
        return ALL_SECTORS in self.sectors or sector_id in self.sectors

    def suits_quadrant(self, quadrant: str) -> bool:
        return quadrant in self.quadrants

    def impacts(self) -> list[str]:
        return [n.id for n in self.causal_chain.nodes if n.stage == "impacts"]

    def outcomes(self) -> list[str]:
        return [n.id for n in self.causal_chain.nodes if n.stage == "outcomes"]


