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

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Annotated, Any, Literal, get_args

import yaml
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from rules.models import RATIONALES as RATIONALES  # re-exported: one vocabulary
from rules.models import Rationale

# --------------------------------------------------------------------------------------------
# Closed vocabularies
# --------------------------------------------------------------------------------------------

Stage = Literal["inputs", "activities", "outputs", "outcomes", "impacts"]
STAGES: tuple[str, ...] = get_args(Stage)
"""Logic-model stages in causal order; :mod:`policy.causal` relies on this order."""

TargetType = Literal["horizontal", "vertical", "mission"]
TARGET_TYPES: tuple[str, ...] = get_args(TargetType)

Family = Literal[
    "innovation", "skills", "business_support", "place", "finance", "trade", "strategy"
]
FAMILIES: tuple[str, ...] = get_args(Family)

EvidenceStrength = Literal["strong", "moderate", "weak", "emerging"]
EVIDENCE_STRENGTHS: tuple[str, ...] = get_args(EvidenceStrength)

Quadrant = Literal[
    "expanding_engineering", "select_engineering", "expanding_science", "select_science"
]
QUADRANTS: tuple[str, ...] = get_args(Quadrant)
"""The brief's growth-pattern x knowledge-base quadrants (column ``quadrant`` of sectors.csv)."""

RATIONALE_CATEGORIES: dict[str, str] = {
    **dict.fromkeys(
        (
            "information_asymmetry",
            "knowledge_spillovers",
            "coordination_failure",
            "capital_market_imperfection",
            "public_goods",
        ),
        "market_failure",
    ),
    **dict.fromkeys(
        (
            "capability_failure",
            "network_failure",
            "institutional_failure",
            "infrastructure_failure",
            "transition_failure",
            "lock_in",
        ),
        "system_failure",
    ),
    **dict.fromkeys(("spatial_equity", "inclusion", "just_transition"), "equity"),
}
"""Which family of rationale each rationale belongs to: appraisals report the case by family."""

ALL_SECTORS = "all"
"""``sectors: all`` in YAML (held as ``("all",)``): not tied to particular Table 1 sectors."""

SHARED_NODES_FILE = "_shared_nodes.yaml"

_ID_RE = r"^[a-z][a-z0-9_]*$"
_NODE_ID_RE = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)?$")


# --------------------------------------------------------------------------------------------
# Errors
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CatalogueIssue:
    """One thing wrong with one catalogue file, located as precisely as the data allows."""

    field: str
    message: str
    node: str | None = None

    def __str__(self) -> str:
        where = f"field {self.field}" if self.field else "file"
        if self.node:
            where += f" (node {self.node!r})"
        return f"{where}: {self.message}"


class CatalogueError(ValueError):
    """A catalogue file that cannot be loaded.

    Carries ``path``, ``intervention_id`` and the list of ``issues``; ``field`` and ``node`` are
    those of the first issue so that callers showing a single line still point at the fault.
    """

    def __init__(self, path: str, intervention_id: str | None, issues: list[CatalogueIssue]):
        self.path = path
        self.intervention_id = intervention_id
        self.issues = issues
        first = issues[0] if issues else CatalogueIssue("", "unknown error")
        self.field = first.field
        self.node = first.node
        who = f"intervention {intervention_id!r}" if intervention_id else "vocabulary"
        lines = [f"{path}: {who}: {first}"]
        lines += [f"  also {issue}" for issue in issues[1:]]
        super().__init__("\n".join(lines))


# --------------------------------------------------------------------------------------------
# Shared outcome and impact vocabulary
# --------------------------------------------------------------------------------------------


class _Model(BaseModel):
    """Frozen and strict about unknown keys: a misspelt YAML key must fail, not vanish."""

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)


class SharedNode(_Model):
    """An outcome or impact that many interventions can reach (one node when chains merge).

    ``tier`` orders outcomes (1 capabilities and conditions, 2 firm behaviour, 3 performance):
    an outcome may feed another outcome only in a higher tier, which keeps every merged graph
    acyclic by construction.
    """

    id: str = Field(pattern=_ID_RE)
    stage: Literal["outcomes", "impacts"]
    tier: int | None = Field(default=None, ge=1)
    label: str = Field(min_length=1)
    indicator: str = Field(min_length=1)
    description: str = ""

    @model_validator(mode="after")
    def _tier_only_for_outcomes(self) -> SharedNode:
        if self.stage == "outcomes" and self.tier is None:
            raise ValueError(f"shared outcome {self.id!r} needs a tier")
        if self.stage == "impacts" and self.tier is not None:
            raise ValueError(f"shared impact {self.id!r} must not have a tier")
        return self


class SharedVocabulary(_Model):
    """Contents of ``_shared_nodes.yaml``."""

    tiers: dict[int, str]
    nodes: tuple[SharedNode, ...]

    @model_validator(mode="after")
    def _consistent(self) -> SharedVocabulary:
        seen: set[str] = set()
        for node in self.nodes:
            if node.id in seen:
                raise ValueError(f"shared node {node.id!r} is listed twice")
            seen.add(node.id)
            if node.tier is not None and node.tier not in self.tiers:
                raise ValueError(f"shared node {node.id!r} has undeclared tier {node.tier}")
        return self

    def by_id(self) -> dict[str, SharedNode]:
        return {node.id: node for node in self.nodes}

    def ids(self, stage: str | None = None) -> list[str]:
        """Node ids in file order, optionally of one stage."""
        return [n.id for n in self.nodes if stage is None or n.stage == stage]


# --------------------------------------------------------------------------------------------
# Sector vocabulary (read from the evidence package: one Table 1 for the whole tool)
# --------------------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def sector_quadrants() -> dict[str, str]:
    """Table 1 sector id -> quadrant, from ``evidence/data/sectors.csv``."""
    from evidence.sectors import load_sectors

    return {sector.sector_id: sector.quadrant for sector in load_sectors()}


def _known_sector(value: str) -> str:
    known = sector_quadrants()
    if value != ALL_SECTORS and value not in known:
        raise ValueError(
            f"unknown sector {value!r}; use {ALL_SECTORS!r} or one of: {', '.join(known)}"
        )
    return value


SectorId = Annotated[str, AfterValidator(_known_sector)]


# --------------------------------------------------------------------------------------------
# Intervention models
# --------------------------------------------------------------------------------------------


class CostRange(_Model):
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


class YearRange(_Model):
    """Years until the intended impacts are expected to show (low/high)."""

    low: float = Field(ge=0)
    high: float = Field(ge=0)

    @model_validator(mode="after")
    def _ordered(self) -> YearRange:
        if self.high < self.low:
            raise ValueError(f"high {self.high} is below low {self.low}")
        return self


class Evidence(_Model):
    """How strong the evaluation evidence is, in words an appraisal can quote.

    ``sources`` names reviews and evaluations (not invented figures): the note says what they
    find, and any number in it is indicative.
    """

    strength: EvidenceStrength
    note: str = Field(min_length=1)
    sources: tuple[str, ...] = Field(min_length=1)


class CausalNode(_Model):
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
        vocab = _vocabulary_from(info)
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
        if not _NODE_ID_RE.match(self.id):
            raise ValueError(f"node id {self.id!r} must look like 'intervention_id.snake_case'")
        if self.stage in ("outcomes", "impacts") and self.id not in _vocabulary_from(info).by_id():
            raise ValueError(
                f"node {self.id!r}: {self.stage} must use a shared node id from "
                f"{SHARED_NODES_FILE} so that chains join up when merged"
            )
        return self


class CausalEdge(_Model):
    """A causal link and the assumption it rests on (the thing an evaluation would test)."""

    source: str = Field(alias="from")
    target: str = Field(alias="to")
    assumption: str = Field(min_length=1)


class CausalChain(_Model):
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


class Intervention(_Model):
    """One intervention of the catalogue, with the case for it and its causal chain."""

    id: str = Field(pattern=_ID_RE)
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
    causal_chain: CausalChain

    @field_validator("rationales", "quadrants", "risks", "national_programmes")
    @classmethod
    def _no_duplicates(cls, values: tuple[str, ...]) -> tuple[str, ...]:
        return _unique(values)

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
        return _unique(value)

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
        shared = _vocabulary_from(info).by_id()
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


# --------------------------------------------------------------------------------------------
# Loading
# --------------------------------------------------------------------------------------------


def _unique(values: tuple[str, ...]) -> tuple[str, ...]:
    duplicates = sorted({v for v in values if values.count(v) > 1})
    if duplicates:
        raise ValueError(f"listed more than once: {', '.join(duplicates)}")
    return values


def _vocabulary_from(info: ValidationInfo) -> SharedVocabulary:
    context = info.context if isinstance(info.context, Mapping) else {}
    vocab = context.get("shared_nodes")
    return vocab if isinstance(vocab, SharedVocabulary) else _packaged_vocabulary()


def _packaged_dir() -> Traversable:
    return resources.files("policy").joinpath("catalogue")


def _as_dir(directory: str | Path | Traversable | None) -> Traversable:
    if directory is None:
        return _packaged_dir()
    if isinstance(directory, str | Path):
        path = Path(directory)
        if not path.is_dir():
            raise FileNotFoundError(f"catalogue directory {str(path)!r} does not exist")
        return path
    return directory


def _read_yaml(entry: Traversable, label: str) -> Any:
    try:
        return yaml.safe_load(entry.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        issue = CatalogueIssue("", f"invalid YAML{where}: {problem}")
        raise CatalogueError(label, Path(label).stem, [issue]) from exc
    except UnicodeDecodeError as exc:
        raise CatalogueError(label, None, [CatalogueIssue("", f"not UTF-8 text: {exc}")]) from exc


def _loc_text(loc: Iterable[Any]) -> str:
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += ("." if text else "") + str(part)
    return text


def _node_at(raw: Any, loc: tuple[Any, ...]) -> str | None:
    """The chain node (or edge) a pydantic error location points into, named from raw data."""
    if len(loc) < 3 or loc[0] != "causal_chain" or not isinstance(loc[2], int):
        return None
    try:
        item = raw["causal_chain"][loc[1]][loc[2]]
    except (KeyError, IndexError, TypeError):
        return None
    if not isinstance(item, Mapping):
        return None
    if loc[1] == "nodes":
        return str(item.get("id")) if item.get("id") is not None else None
    if loc[1] == "edges":
        return f"{item.get('from')} -> {item.get('to')}"
    return None


def _issues_from(exc: ValidationError, raw: Any) -> list[CatalogueIssue]:
    issues = []
    for error in exc.errors(include_url=False):
        loc = tuple(error["loc"])
        message = error["msg"].removeprefix("Value error, ")
        if error["type"] == "literal_error":
            message += f"; got {error['input']!r}"
        issues.append(CatalogueIssue(_loc_text(loc), message, _node_at(raw, loc)))
    return issues


def load_shared_nodes(directory: str | Path | Traversable | None = None) -> SharedVocabulary:
    """Load ``_shared_nodes.yaml`` from ``directory`` (default: the packaged catalogue).

    A directory without its own vocabulary falls back to the packaged one, so a test or a
    local override can hold just the intervention files it changes.
    """
    if directory is None:
        return _packaged_vocabulary()
    folder = _as_dir(directory)
    entry = folder.joinpath(SHARED_NODES_FILE)
    if not entry.is_file():
        return _packaged_vocabulary()
    return _parse_vocabulary(entry, str(entry))


def _parse_vocabulary(entry: Traversable, label: str) -> SharedVocabulary:
    raw = _read_yaml(entry, label)
    try:
        return SharedVocabulary.model_validate(raw)
    except ValidationError as exc:
        raise CatalogueError(label, None, _issues_from(exc, raw)) from exc


@lru_cache(maxsize=1)
def _packaged_vocabulary() -> SharedVocabulary:
    entry = _packaged_dir().joinpath(SHARED_NODES_FILE)
    return _parse_vocabulary(entry, f"policy/catalogue/{SHARED_NODES_FILE}")


def parse_intervention(
    raw: Any, label: str, vocabulary: SharedVocabulary | None = None
) -> Intervention:
    """Validate one intervention's raw mapping (from YAML) and its causal chain.

    ``label`` names the source in errors. The chain is checked structurally with
    :func:`policy.causal.validate_chain` as well as field by field, so a file that loads is a
    file whose chain can be drawn and merged.
    """
    from policy.causal import CausalChainError, chain_graph, validate_chain

    vocab = vocabulary or _packaged_vocabulary()
    guess = Path(label).stem
    if not isinstance(raw, Mapping):
        issue = CatalogueIssue("", f"expected a mapping of fields, got {type(raw).__name__}")
        raise CatalogueError(label, guess, [issue])
    intervention_id = raw.get("id") if isinstance(raw.get("id"), str) else guess
    try:
        intervention = Intervention.model_validate(raw, context={"shared_nodes": vocab})
    except ValidationError as exc:
        raise CatalogueError(label, intervention_id, _issues_from(exc, raw)) from exc
    try:
        validate_chain(chain_graph(intervention), intervention.id)
    except CausalChainError as exc:
        issues = [CatalogueIssue("causal_chain", p.message, p.node) for p in exc.problems]
        raise CatalogueError(label, intervention.id, issues) from exc
    return intervention


def load_catalogue(directory: str | Path | Traversable | None = None) -> dict[str, Intervention]:
    """Load every ``<id>.yaml`` intervention in ``directory`` (default: the packaged catalogue).

    Returns interventions keyed by id, in file-name order. The packaged catalogue is parsed
    once per process (Streamlit reruns the script on every interaction) and a fresh dict is
    returned each call; the models themselves are frozen.
    """
    if directory is None:
        return dict(_packaged_catalogue())
    return _load_dir(_as_dir(directory))


@lru_cache(maxsize=1)
def _packaged_catalogue() -> dict[str, Intervention]:
    return _load_dir(_packaged_dir())


def _load_dir(folder: Traversable) -> dict[str, Intervention]:
    vocab = load_shared_nodes(folder)
    entries = sorted(
        (e for e in folder.iterdir() if e.name.endswith(".yaml") and not e.name.startswith("_")),
        key=lambda e: e.name,
    )
    catalogue: dict[str, Intervention] = {}
    for entry in entries:
        label = str(entry) if isinstance(entry, Path) else f"policy/catalogue/{entry.name}"
        intervention = parse_intervention(_read_yaml(entry, label), label, vocab)
        stem = entry.name.removesuffix(".yaml")
        if intervention.id != stem:
            raise CatalogueError(
                label,
                intervention.id,
                [CatalogueIssue("id", f"id {intervention.id!r} must match the file name {stem!r}")],
            )
        catalogue[intervention.id] = intervention
    return catalogue
