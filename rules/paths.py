"""Indicator paths: the names rules use for numbers in an ``AreaProfile``, compiled to getters.

A path is parsed once when the rule file loads and becomes a plain function of a
:class:`ProfileView`, so evaluating a rule never parses strings or walks the profile by name.

Grammar::

    <field>                          total_jobs, am_jobs, am_share, krugman, herfindahl,
                                     automation_exposure
    context.<key>                    any key of AreaProfile.context (level4_share, berd_per_job ...)
    sector.<sector_id>.<field>       a Table 1 sector's row: lq, growth, share, employment, ...,
                                     shift_share.local (and .national, .industry_mix, .actual)
    sectors.<q>.<field>              q = any | all over the ten Table 1 sectors
    sectors.<group>.<q>.<field>      the same over a group: a quadrant (expanding_science ...), a
                                     knowledge base (engineering, science) or a growth pattern
                                     (expanding, select)

National figures (for ``national: true``) exist where the profile carries them: every
``context.<key>`` against ``context.gb_<key>``, ``automation_exposure`` against
``context.gb_automation_exposure``, a sector's ``growth`` against its ``growth_national``, and
``lq``, ``lq_region`` and ``productivity_ratio``, which are 1 nationally by definition.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from evidence.models import AreaProfile, SectorRow
from evidence.sectors import load_sectors

TOP_LEVEL_FIELDS: tuple[str, ...] = (
    "total_jobs", "am_jobs", "am_share", "krugman", "herfindahl", "automation_exposure",
)
SECTOR_FIELDS: tuple[str, ...] = (
    "employment", "employment_start", "share", "lq", "lq_region", "growth", "growth_national",
    "gva", "productivity", "productivity_ratio", "suppressed_cells",
    "shift_share.national", "shift_share.industry_mix", "shift_share.local", "shift_share.actual",
)
QUANTIFIERS: tuple[str, ...] = ("any", "all")
_UNIT_NATIONAL = frozenset({"lq", "lq_region", "productivity_ratio"})
"""Sector fields whose national value is 1 by construction."""


class PathError(ValueError):
    """A path that does not name anything in an AreaProfile."""


class ProfileView:
    """A profile with its sector rows indexed by id: built once per evaluation, read by getters."""

    __slots__ = ("profile", "sectors", "context")

    def __init__(self, profile: AreaProfile) -> None:
        self.profile = profile
        self.sectors: dict[str, SectorRow] = {row.sector: row for row in profile.sectors}
        self.context = profile.context


Getter = Callable[[ProfileView], float | None]


@dataclass(frozen=True)
class SectorTerm:
    """One sector inside a quantified path: its getter and national getter."""

    sector: str
    getter: Getter
    national: Getter | None


@dataclass(frozen=True)
class ParsedPath:
    """A compiled path. Scalar paths have ``getter``; quantified ones have ``terms``."""

    text: str
    getter: Getter | None = None
    national: Getter | None = None
    national_name: str | None = None
    sector: str | None = None  # the sector a scalar ``sector.<id>.<field>`` path names
    quantifier: str | None = None  # "any" / "all" for ``sectors.`` paths
    field: str | None = None  # the sector field of ``sector.`` and ``sectors.`` paths
    terms: tuple[SectorTerm, ...] = ()

    @property
    def has_national(self) -> bool:
        if self.quantifier is not None:
            return all(t.national is not None for t in self.terms)
        return self.national is not None


@lru_cache(maxsize=1)
def _groups() -> dict[str, tuple[str, ...]]:
    """Sector groups usable in ``sectors.<group>.<q>.<field>``, in Table 1 order."""
    groups: dict[str, list[str]] = {}
    for s in load_sectors():
        for key in (s.quadrant, s.knowledge_base, s.growth_pattern):
            groups.setdefault(key, []).append(s.sector_id)
    return {k: tuple(v) for k, v in groups.items()}


def _constant(value: float) -> Getter:
    return lambda view: value


def _top(field: str) -> Getter:
    return lambda view: getattr(view.profile, field)


def _context(key: str) -> Getter:
    return lambda view: view.context.get(key)


def _sector_field(sector: str, field: str) -> Getter:
    if field.startswith("shift_share."):
        part = field.split(".", 1)[1]

        def get_ss(view: ProfileView) -> float | None:
            row = view.sectors.get(sector)
            if row is None or row.shift_share is None:
                return None
            return getattr(row.shift_share, part)

        return get_ss

    def get(view: ProfileView) -> float | None:
        row = view.sectors.get(sector)
        return None if row is None else getattr(row, field)

    return get


def _sector_national(sector: str, field: str) -> tuple[Getter | None, str | None]:
    if field in _UNIT_NATIONAL:
        return _constant(1.0), "1 (national by definition)"
    if field == "growth":
        return _sector_field(sector, "growth_national"), f"sector.{sector}.growth_national"
    return None, None


@lru_cache(maxsize=512)
def parse_path(text: str) -> ParsedPath:
    """Parse and compile a path; raise :class:`PathError` saying what would have been valid."""
    parts = text.split(".")
    head = parts[0]
    sector_ids = [s.sector_id for s in load_sectors()]
    if len(parts) == 1:
        if head not in TOP_LEVEL_FIELDS:
            raise PathError(
                f"unknown indicator {text!r}; use one of {', '.join(TOP_LEVEL_FIELDS)}, "
                "context.<key>, sector.<sector_id>.<field> or sectors.[<group>.]any|all.<field>"
            )
        if head == "automation_exposure":
            return ParsedPath(text, _top(head), _context("gb_automation_exposure"),
                              "context.gb_automation_exposure")
        return ParsedPath(text, _top(head))
    if head == "context":
        if len(parts) != 2 or not parts[1]:
            raise PathError(f"{text!r}: write context.<key>, e.g. context.level4_share")
        key = parts[1]
        if key.startswith("gb_"):
            return ParsedPath(text, _context(key))
        return ParsedPath(text, _context(key), _context(f"gb_{key}"), f"context.gb_{key}")
    if head == "sector":
        if len(parts) < 3:
            raise PathError(f"{text!r}: write sector.<sector_id>.<field>, e.g. sector.aerospace.lq")
        sector, field = parts[1], ".".join(parts[2:])
        if sector not in sector_ids:
            raise PathError(f"{text!r}: unknown sector {sector!r}; known: {', '.join(sector_ids)}")
        _check_field(text, field)
        national, national_name = _sector_national(sector, field)
        return ParsedPath(text, _sector_field(sector, field), national, national_name,
                          sector=sector, field=field)
    if head == "sectors":
        groups = _groups()
        rest = parts[1:]
        members: tuple[str, ...] = tuple(sector_ids)
        if rest and rest[0] in groups:
            members = groups[rest[0]]
            rest = rest[1:]
        if len(rest) < 2 or rest[0] not in QUANTIFIERS:
            raise PathError(
                f"{text!r}: write sectors.any.<field>, sectors.all.<field> or "
                f"sectors.<group>.any.<field> with group one of {', '.join(groups)}"
            )
        quantifier, field = rest[0], ".".join(rest[1:])
        _check_field(text, field)
        terms = tuple(
            SectorTerm(sid, _sector_field(sid, field), _sector_national(sid, field)[0])
            for sid in members
        )
        national_name = _sector_national(members[0], field)[1]
        if national_name and field == "growth":
            national_name = "each sector's growth_national"
        return ParsedPath(text, national_name=national_name, quantifier=quantifier, terms=terms,
                          field=field)
    raise PathError(
        f"unknown indicator {text!r}; paths start with a profile field "
        f"({', '.join(TOP_LEVEL_FIELDS)}), context., sector. or sectors."
    )


def _check_field(text: str, field: str) -> None:
    if field not in SECTOR_FIELDS:
        raise PathError(
            f"{text!r}: unknown sector field {field!r}; known: {', '.join(SECTOR_FIELDS)}"
        )


def as_number(value: object) -> float | None:
    """The value as a float, or None when it is missing, not numeric or NaN."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        v = float(value)
        return v if math.isfinite(v) else None
    return None
