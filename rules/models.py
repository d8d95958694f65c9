"""Pydantic models of a rule as written in ``rules/library/*.yaml``, and the closed vocabularies.

A rule file is reviewed by policy analysts, not programmers, so validation here is strict and its
messages must point at the exact field: unknown keys are refused (a misspelt ``min_confidnce``
would otherwise silently widen a rule), topics, sectors and quadrants are checked against the
evidence layer's closed lists, and intervention ids against the catalogue when one is supplied
(through the pydantic validation context key ``known_interventions``).

Conditions are a tagged union keyed by their single top-level key (``all``, ``any``, ``not``,
``finding``, ``indicator``, ``present``, ``area``); the key doubles as the discriminator tag, so a
pydantic error location reads ``when.all[1].indicator.op`` once the loader folds the repeated tag.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    ValidationInfo,
    field_validator,
    model_validator,
)

from evidence.dataset import AREA_LEVELS
from evidence.models import FINDING_TOPICS, FindingKind
from evidence.sectors import load_sectors
from rules.paths import PathError, parse_path
from rules.vocabulary import RATIONALES

Rationale = Literal[RATIONALES]  # type: ignore[valid-type]  # built from the data file
"""Closed vocabulary of intervention rationales (market failure, system failure, equity), from
``rules/data/rationales.yaml`` (:mod:`rules.vocabulary`); the catalogue reads the same file."""

Op = Literal["lt", "le", "gt", "ge", "eq", "ne"]

CONDITION_KEYS: tuple[str, ...] = ("all", "any", "not", "finding", "indicator", "present", "area")
"""The one key each condition mapping must have; also the discriminator tags."""

_ID_RE = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
# A second sentence starts after terminal punctuation followed by a capitalised word.
_SENTENCE_BREAK = re.compile(r"[.!?]\s+[A-Z][a-z]")


def _valid_path(value: str) -> str:
    """An indicator path must parse at load time, so a typo fails the rule file, not a run."""
    try:
        parse_path(value)
    except PathError as exc:
        raise ValueError(str(exc)) from None
    return value


IndicatorPath = Annotated[str, AfterValidator(_valid_path)]


class _Strict(BaseModel):
    """Refuse unknown keys and freeze: a compiled rule must not change under the engine."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


@lru_cache(maxsize=1)
def sector_attributes() -> dict[str, dict[str, str]]:
    """Table 1 attributes by sector id: quadrant, knowledge base, growth pattern."""
    return {
        s.sector_id: {
            "sector_quadrant": s.quadrant,
            "sector_knowledge_base": s.knowledge_base,
            "sector_growth_pattern": s.growth_pattern,
        }
        for s in load_sectors()
    }


def _as_tuple(value: object) -> object:
    """Let a filter be written as one name or a list of names."""
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list):
        return tuple(value)
    return value


def _check_names(values: tuple[str, ...] | None, known: list[str], what: str) -> None:
    for v in values or ():
        if v not in known:
            raise ValueError(f"unknown {what} {v!r}; known: {', '.join(known)}")


# ---------------------------------------------------------------------------------------------
# leaves


class FindingSpec(_Strict):
    """Filter on the profile's findings; the leaf is true if a non-rejected finding matches."""

    topic: tuple[str, ...] | None = None
    kind: tuple[FindingKind, ...] | None = None
    sector: tuple[str, ...] | None = None
    sector_quadrant: tuple[str, ...] | None = None
    sector_knowledge_base: tuple[str, ...] | None = None
    sector_growth_pattern: tuple[str, ...] | None = None
    min_confidence: float | None = Field(None, ge=0.0, le=1.0)

    @field_validator(
        "topic", "kind", "sector", "sector_quadrant", "sector_knowledge_base",
        "sector_growth_pattern", mode="before",
    )
    @classmethod
    def _listify(cls, value: object) -> object:
        return _as_tuple(value)

    @field_validator("topic")
    @classmethod
    def _topic(cls, value: tuple[str, ...] | None) -> tuple[str, ...] | None:
        _check_names(value, list(FINDING_TOPICS), "topic")
        return value

    @field_validator("sector")
    @classmethod
    def _sector(cls, value: tuple[str, ...] | None) -> tuple[str, ...] | None:
        _check_names(value, list(sector_attributes()), "sector")
        return value

    @field_validator("sector_quadrant", "sector_knowledge_base", "sector_growth_pattern")
    @classmethod
    def _group(cls, value: tuple[str, ...] | None, info: ValidationInfo) -> tuple[str, ...] | None:
        known = sorted({a[info.field_name] for a in sector_attributes().values()})  # type: ignore[index]
        _check_names(value, known, info.field_name.replace("_", " "))  # type: ignore[union-attr]
        return value

    @model_validator(mode="after")
    def _some_sector_fits(self) -> FindingSpec:
        allowed = self.allowed_sectors()
        if allowed is not None and not allowed:
            raise ValueError(f"no Table 1 sector satisfies all of {self.describe()}")
        return self

    def allowed_sectors(self) -> frozenset[str] | None:
        """Sector ids a matching finding may be about, or None when sector is unconstrained."""
        attrs = sector_attributes()
        allowed: set[str] | None = None
        if self.sector is not None:
            allowed = set(self.sector)
        for key in ("sector_quadrant", "sector_knowledge_base", "sector_growth_pattern"):
            wanted = getattr(self, key)
            if wanted is not None:
                fits = {sid for sid, a in attrs.items() if a[key] in wanted}
                allowed = fits if allowed is None else allowed & fits
        return None if allowed is None else frozenset(allowed)

    def describe(self) -> str:
        """``topic=skills, kind=bottleneck`` - the filter as a reader would say it."""
        parts = []
        for key in ("topic", "kind", "sector", "sector_quadrant", "sector_knowledge_base",
                    "sector_growth_pattern"):
            value = getattr(self, key)
            if value is not None:
                parts.append(f"{key}={'|'.join(value)}")
        if self.min_confidence is not None:
            parts.append(f"min_confidence={self.min_confidence:g}")
        return ", ".join(parts) or "any finding"


class IndicatorSpec(_Strict):
    """Compare a profile value with a number, its national figure or the comparators' median."""

    name: IndicatorPath
    op: Op
    value: float | None = None
    comparator_median: Literal[True] | None = None
    national: Literal[True] | None = None
    factor: float | None = Field(None, gt=0.0, le=10.0)
    """A margin on the yardstick: ``op: lt, comparator_median: true, factor: 0.8`` holds below
    80% of the comparators' median, so a value a hair under the yardstick does not fire."""

    @model_validator(mode="after")
    def _one_yardstick(self) -> IndicatorSpec:
        given = [k for k in ("value", "comparator_median", "national") if getattr(self, k)
                 is not None]
        if len(given) != 1:
            raise ValueError(
                "give exactly one of value, comparator_median: true, national: true"
                + (f" (got {', '.join(given)})" if given else "")
            )
        if self.factor is not None and self.value is not None:
            raise ValueError("factor is a margin on national or comparator_median; with a "
                             "value, write the value itself")
        if self.national:
            path = parse_path(self.name)
            if not path.has_national:
                raise ValueError(
                    f"{self.name!r} has no national figure in the profile; compare it with a "
                    "value or comparator_median instead"
                )
        return self


class AreaSpec(_Strict):
    """Restrict a rule to areas of some levels (district, group of districts, region ...)."""

    level: tuple[str, ...]

    @field_validator("level", mode="before")
    @classmethod
    def _listify(cls, value: object) -> object:
        return _as_tuple(value)

    @field_validator("level")
    @classmethod
    def _known(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        _check_names(value, list(AREA_LEVELS), "area level")
        return value


class FindingLeaf(_Strict):
    finding: FindingSpec


class IndicatorLeaf(_Strict):
    indicator: IndicatorSpec


class PresentLeaf(_Strict):
    present: IndicatorPath



class AreaLeaf(_Strict):
    area: AreaSpec


# ---------------------------------------------------------------------------------------------
# combinators


class AllOf(_Strict):
    all: list[Condition] = Field(min_length=1)


class AnyOf(_Strict):
    any: list[Condition] = Field(min_length=1)


class NotOf(_Strict):
    not_: Condition = Field(alias="not")


def _condition_tag(value: Any) -> str | None:
    if isinstance(value, BaseModel):
        for key, cls in _TAG_CLASSES.items():
            if isinstance(value, cls):
                return key
        return None
    if isinstance(value, dict):
        keys = [k for k in CONDITION_KEYS if k in value]
        return keys[0] if len(keys) == 1 else None
    return None


Condition = Annotated[
    Annotated[AllOf, Tag("all")]
    | Annotated[AnyOf, Tag("any")]
    | Annotated[NotOf, Tag("not")]
    | Annotated[FindingLeaf, Tag("finding")]
    | Annotated[IndicatorLeaf, Tag("indicator")]
    | Annotated[PresentLeaf, Tag("present")]
    | Annotated[AreaLeaf, Tag("area")],
    Discriminator(
        _condition_tag,
        custom_error_type="condition_key",
        custom_error_message=(
            "a condition must be a mapping with exactly one of the keys "
            + ", ".join(CONDITION_KEYS)
        ),
        custom_error_context={},
    ),
]

_TAG_CLASSES: dict[str, type[BaseModel]] = {
    "all": AllOf, "any": AnyOf, "not": NotOf, "finding": FindingLeaf,
    "indicator": IndicatorLeaf, "present": PresentLeaf, "area": AreaLeaf,
}

AllOf.model_rebuild()
AnyOf.model_rebuild()
NotOf.model_rebuild()


# ---------------------------------------------------------------------------------------------
# the rule


class Recommend(_Strict):
    """One intervention a rule recommends, with the weight it adds to the score."""

    intervention: str
    weight: float = Field(1.0, gt=0.0, le=10.0)

    @model_validator(mode="before")
    @classmethod
    def _short_form(cls, value: object) -> object:
        # `- am_centre_hub` is shorthand for `- {intervention: am_centre_hub}`
        return {"intervention": value} if isinstance(value, str) else value

    @field_validator("intervention")
    @classmethod
    def _known(cls, value: str, info: ValidationInfo) -> str:
        known = (info.context or {}).get("known_interventions")
        if known is not None and value not in known:
            raise ValueError(
                f"unknown intervention {value!r}; the catalogue has: {', '.join(sorted(known))}"
            )
        return value


class Rule(_Strict):
    """A reviewable piece of policy reasoning: when the evidence shows X, consider Y, because Z."""

    id: str
    title: str = Field(min_length=3)
    recommends: list[Recommend] = Field(min_length=1)
    rationale: Rationale
    why: str
    when: Condition
    advice: str | None = None
    """An outcome to state when the rule fires, beyond the interventions it names (e.g.
    "advanced manufacturing is not a priority here: consider ...")."""

    @field_validator("id")
    @classmethod
    def _id(cls, value: str) -> str:
        if not _ID_RE.match(value):
            raise ValueError(
                f"rule id {value!r} must be lower-case letters, digits, '-' or '_'"
            )
        return value

    @field_validator("why")
    @classmethod
    def _one_sentence(cls, value: str) -> str:
        text = " ".join(value.split())
        if not text.endswith("."):
            raise ValueError("'why' must be one sentence ending with a full stop")
        if _SENTENCE_BREAK.search(text[:-1]):
            raise ValueError("'why' must be ONE sentence (found a second one)")
        return text

    @field_validator("recommends")
    @classmethod
    def _distinct(cls, value: list[Recommend]) -> list[Recommend]:
        seen: set[str] = set()
        for item in value:
            if item.intervention in seen:
                raise ValueError(f"intervention {item.intervention!r} is listed twice")
            seen.add(item.intervention)
        return value

    @property
    def interventions(self) -> list[str]:
        return [r.intervention for r in self.recommends]
