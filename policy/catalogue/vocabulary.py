"""The catalogue's closed vocabularies, its located errors and the shared outcome nodes.

Every vocabulary the rest of the tool relies on (families, target types, rationales, sectors,
quadrants, stages, shared outcome and impact nodes) is closed here, because a typo in a YAML
file would otherwise surface much later as a silently missing recommendation or a causal chain
that fails to join up with the others. The shared nodes file is read here too, since the
intervention models resolve shared node ids against it while they validate.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
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
    model_validator,
)

from evidence.problems import Problem, ProblemError
from evidence.sectors import load_sectors
from rules.loader import YamlLimitError, safe_yaml
from rules.vocabulary import RATIONALE_FAMILIES
from rules.vocabulary import RATIONALE_LABELS as RATIONALE_LABELS  # re-exported: one vocabulary
from rules.vocabulary import RATIONALES as RATIONALES  # re-exported: one vocabulary

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

Actor = Literal[
    "combined_authority", "council", "fe_college", "university", "growth_hub", "catapult",
    "employer_body", "industry_body", "innovate_uk", "dbt", "british_business_bank",
    "careers_hub", "jobcentre_plus",
]
ACTORS: tuple[str, ...] = get_args(Actor)
ACTOR_LABELS: dict[str, str] = {
    "combined_authority": "combined authority (or the upper-tier council where there is none)",
    "council": "local council",
    "fe_college": "FE college",
    "university": "university",
    "growth_hub": "Growth Hub",
    "catapult": "Catapult centre",
    "employer_body": "employer representative body (LSIP lead, e.g. the chamber of commerce)",
    "industry_body": "industry or cluster body",
    "innovate_uk": "Innovate UK",
    "dbt": "Department for Business and Trade",
    "british_business_bank": "British Business Bank",
    "careers_hub": "careers hub and schools",
    "jobcentre_plus": "Jobcentre Plus",
}
"""Who can lead or partner an intervention locally (``delivery`` in the catalogue YAML)."""

Quadrant = Literal[
    "expanding_engineering", "select_engineering", "expanding_science", "select_science"
]
QUADRANTS: tuple[str, ...] = get_args(Quadrant)
"""The brief's growth-pattern x knowledge-base quadrants (column ``quadrant`` of sectors.csv)."""

RATIONALE_CATEGORIES: dict[str, str] = dict(RATIONALE_FAMILIES)
"""Which family of rationale each rationale belongs to: appraisals report the case by family."""

ALL_SECTORS = "all"
"""``sectors: all`` in YAML (held as ``("all",)``): not tied to particular Table 1 sectors."""

SHARED_NODES_FILE = "_shared_nodes.yaml"
EVIDENCE_SCALE_FILE = "_evidence_scale.yaml"

ID_PATTERN = r"^[a-z][a-z0-9_]*$"
NODE_ID_PATTERN = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)?$")


# --------------------------------------------------------------------------------------------
# Errors
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class CatalogueIssue(Problem):
    """One thing wrong with one catalogue file (a :class:`evidence.problems.Problem`): the field
    path is its ``column``, the intervention its ``item``, and ``node`` the causal-chain node or
    edge it points into, where there is one."""

    node: str | None = None

    @property
    def field(self) -> str:
        return self.column or ""

    def __str__(self) -> str:
        where = f"field {self.field}" if self.field else "file"
        if self.node:
            where += f" (node {self.node!r})"
        return f"{where}: {self.message}"


class CatalogueError(ProblemError):
    """A catalogue file that cannot be loaded (a :class:`evidence.problems.ProblemError`).

    Carries ``path``, ``intervention_id`` and the list of ``issues``; ``field`` and ``node`` are
    those of the first issue so that callers showing a single line still point at the fault.
    """

    def __init__(self, path: str, intervention_id: str | None, issues: list[CatalogueIssue]):
        issues = issues or [CatalogueIssue(message="unknown error")]
        located = [replace(i, file=path, item=intervention_id) for i in issues]
        super().__init__(located)
        self.path = path
        self.intervention_id = intervention_id
        self.issues = located
        self.field = located[0].field
        self.node = located[0].node
        who = f"intervention {intervention_id!r}" if intervention_id else "vocabulary"
        lines = [f"{path}: {who}: {located[0]}"]
        lines += [f"  also {issue}" for issue in located[1:]]
        self.args = ("\n".join(lines),)

    def __str__(self) -> str:
        return str(self.args[0])


# --------------------------------------------------------------------------------------------
# Shared outcome and impact vocabulary
# --------------------------------------------------------------------------------------------


class FrozenModel(BaseModel):
    """Frozen and strict about unknown keys: a misspelt YAML key must fail, not vanish."""

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)


class SharedNode(FrozenModel):
    """An outcome or impact that many interventions can reach (one node when chains merge).

    ``tier`` orders outcomes (1 capabilities and conditions, 2 firm behaviour, 3 performance):
    an outcome may feed another outcome only in a higher tier, which keeps every merged graph
    acyclic by construction.
    """

    id: str = Field(pattern=ID_PATTERN)
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


class SharedVocabulary(FrozenModel):
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
    return {sector.sector_id: sector.quadrant for sector in load_sectors()}


def _known_sector(value: str) -> str:
    known = sector_quadrants()
    if value != ALL_SECTORS and value not in known:
        raise ValueError(
            f"unknown sector {value!r}; use {ALL_SECTORS!r} or one of: {', '.join(known)}"
        )
    return value


SectorId = Annotated[str, AfterValidator(_known_sector)]


def unique_values(values: tuple[str, ...]) -> tuple[str, ...]:
    duplicates = sorted({v for v in values if values.count(v) > 1})
    if duplicates:
        raise ValueError(f"listed more than once: {', '.join(duplicates)}")
    return values



def vocabulary_from_context(info: ValidationInfo) -> SharedVocabulary:
    context = info.context if isinstance(info.context, Mapping) else {}
    vocab = context.get("shared_nodes")
    return vocab if isinstance(vocab, SharedVocabulary) else packaged_vocabulary()


def packaged_dir() -> Traversable:
    return resources.files("policy").joinpath("catalogue")


def as_dir(directory: str | Path | Traversable | None) -> Traversable:
    if directory is None:
        return packaged_dir()
    if isinstance(directory, str | Path):
        path = Path(directory)
        if not path.is_dir():
            raise FileNotFoundError(f"catalogue directory {str(path)!r} does not exist")
        return path
    return directory


def read_yaml(entry: Traversable, label: str) -> Any:
    try:
        return safe_yaml(entry.read_text(encoding="utf-8"))
    except YamlLimitError as exc:
        where = f" at line {exc.line}" if exc.line else ""
        issue = CatalogueIssue(message=f"YAML{where}: {exc}", code="yaml_limit")
        raise CatalogueError(label, Path(label).stem, [issue]) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        issue = CatalogueIssue(message=f"invalid YAML{where}: {problem}", code="yaml_syntax")
        raise CatalogueError(label, Path(label).stem, [issue]) from exc
    except UnicodeDecodeError as exc:
        issue = CatalogueIssue(message=f"not UTF-8 text: {exc}", code="encoding")
        raise CatalogueError(label, None, [issue]) from exc


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


def issues_from(exc: ValidationError, raw: Any) -> list[CatalogueIssue]:
    issues = []
    for error in exc.errors(include_url=False):
        loc = tuple(error["loc"])
        message = error["msg"].removeprefix("Value error, ")
        if error["type"] == "literal_error":
            message += f"; got {error['input']!r}"
        issues.append(CatalogueIssue(column=_loc_text(loc), message=message,
                                     node=_node_at(raw, loc), code=error["type"]))
    return issues


def load_shared_nodes(directory: str | Path | Traversable | None = None) -> SharedVocabulary:
    """Load ``_shared_nodes.yaml`` from ``directory`` (default: the packaged catalogue).

    A directory without its own vocabulary falls back to the packaged one, so a test or a
    local override can hold just the intervention files it changes.
    """
    if directory is None:
        return packaged_vocabulary()
    folder = as_dir(directory)
    entry = folder.joinpath(SHARED_NODES_FILE)
    if not entry.is_file():
        return packaged_vocabulary()
    return _parse_vocabulary(entry, str(entry))


def _parse_vocabulary(entry: Traversable, label: str) -> SharedVocabulary:
    raw = read_yaml(entry, label)
    try:
        return SharedVocabulary.model_validate(raw)
    except ValidationError as exc:
        raise CatalogueError(label, None, issues_from(exc, raw)) from exc


@lru_cache(maxsize=1)
def packaged_vocabulary() -> SharedVocabulary:
    entry = packaged_dir().joinpath(SHARED_NODES_FILE)
    return _parse_vocabulary(entry, f"policy/catalogue/{SHARED_NODES_FILE}")



# --------------------------------------------------------------------------------------------
# The evidence scale (Maryland Scientific Methods Scale, as the What Works Centre uses it)
# --------------------------------------------------------------------------------------------


class ScaleSource(FrozenModel):
    title: str = Field(min_length=3)
    url: str = Field(pattern=r"^https://")
    as_of: str = Field(pattern=r"^\d{4}-\d{2}$")


class StrengthBand(FrozenModel):
    """The SMS levels an evidence strength may rest on, and what the strength means."""

    min_sms: int = Field(ge=1, le=5)
    max_sms: int = Field(ge=1, le=5)
    meaning: str = Field(min_length=10)


class EvidenceScale(FrozenModel):
    """Contents of ``_evidence_scale.yaml``: SMS levels 1-5 and each strength's band."""

    scale: str
    source: ScaleSource
    levels: dict[int, str]
    strengths: dict[EvidenceStrength, StrengthBand]

    @model_validator(mode="after")
    def _complete(self) -> EvidenceScale:
        if sorted(self.levels) != [1, 2, 3, 4, 5]:
            raise ValueError("the scale needs levels 1 to 5")
        if set(self.strengths) != set(EVIDENCE_STRENGTHS):
            raise ValueError(f"every strength needs a band: {', '.join(EVIDENCE_STRENGTHS)}")
        return self


@lru_cache(maxsize=1)
def evidence_scale() -> EvidenceScale:
    """The packaged evidence scale (``policy/catalogue/_evidence_scale.yaml``), checked."""
    entry = packaged_dir().joinpath(EVIDENCE_SCALE_FILE)
    label = f"policy/catalogue/{EVIDENCE_SCALE_FILE}"
    raw = read_yaml(entry, label)
    try:
        return EvidenceScale.model_validate(raw)
    except ValidationError as exc:
        raise CatalogueError(label, None, issues_from(exc, raw)) from exc
