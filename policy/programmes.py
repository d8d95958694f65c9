"""National programmes with a geography and the Industrial Strategy sector plans (issue 10).

The data are in ``policy/data/programmes.yaml`` (indicative; each entry has its source and
``as_of``): High Value Manufacturing Catapult centres, Investment Zones, Freeports, Made
Smarter regions, Strength in Places awards, Innovation Accelerators, and a Local Skills
Improvement Plan / local growth plan for every LSIP area / combined authority of the bundled
geography (``evidence.geography``). :func:`programmes_near` says which are in or near a place
given as 2023 GSS codes; :func:`place_districts` turns an area code (a district, combined
authority, LSIP area or region) into its districts, and says when a code is not real geography
(the synthetic demo's fictional codes), so presence is never invented.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from functools import lru_cache
from importlib import resources
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from evidence.geography import District, group_members, load_geography
from evidence.problems import Problem, ProblemError
from evidence.yaml_load import load_yaml
from policy.catalogue import ALL_SECTORS, SectorId, load_catalogue, sector_quadrants

__all__ = [
    "PROGRAMMES_FILE",
    "Presence",
    "Programme",
    "ProgrammeData",
    "ProgrammeError",
    "ProgrammeKind",
    "SectorPlan",
    "SectorPlans",
    "Source",
    "load_programmes",
    "place_districts",
    "programmes_near",
]

PROGRAMMES_FILE = "policy/data/programmes.yaml"

Where = Literal["district", "combined_authority", "lsip", "near", "region"]
WHERE_TEXT: dict[str, str] = {
    "district": "in the area",
    "combined_authority": "in its combined authority",
    "lsip": "in its LSIP area",
    "near": "nearby",
    "region": "in its region",
}
_RANK = {w: i for i, w in enumerate(WHERE_TEXT)}


class ProgrammeError(ProblemError):
    """``programmes.yaml`` cannot be read (located problems, as every input of the tool)."""


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Source(_Frozen):
    """Where an entry comes from and the month whose position it states (``YYYY-MM``)."""

    title: str = Field(min_length=3)
    url: str = Field(pattern=r"^https://")
    as_of: str = Field(pattern=r"^20\d\d-(0[1-9]|1[0-2])$")

    @field_validator("as_of", mode="before")
    @classmethod
    def _text(cls, value: object) -> object:
        return str(value)


class ProgrammeKind(_Frozen):
    label: str
    backs_sectors: bool = False
    aligns: tuple[str, ...] = Field(min_length=1)
    duplicates: tuple[str, ...] = ()
    coordination: str = Field(min_length=10)


class SectorPlan(_Frozen):
    label: str
    source: Source


class SectorPlans(_Frozen):
    """The sector plans a Table 1 sector falls under (none for some) and a note on the fit."""

    plans: tuple[str, ...]
    note: str = ""


_GSS = re.compile(r"^[EWS]\d{8}$")


class Programme(_Frozen):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    kind: str
    name: str
    districts: tuple[str, ...] = ()
    combined_authorities: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    scope: Literal["listed", "every_lsip", "every_combined_authority"] = "listed"
    sectors: tuple[SectorId, ...] = ()
    source: Source
    to_check: str = ""

    @field_validator("districts", "combined_authorities", "regions")
    @classmethod
    def _codes(cls, codes: tuple[str, ...]) -> tuple[str, ...]:
        bad = [c for c in codes if not _GSS.match(c)]
        if bad:
            raise ValueError(f"not GSS codes: {', '.join(bad)}")
        return codes

    def covers_sector(self, sector: str) -> bool:
        return ALL_SECTORS in self.sectors or sector in self.sectors


class ProgrammeData(_Frozen):
    near_km: float = Field(gt=0)
    kinds: dict[str, ProgrammeKind]
    sector_plans: dict[str, SectorPlan]
    sectors: dict[str, SectorPlans]
    programmes: tuple[Programme, ...]

    def plans_for(self, sector: str) -> list[str]:
        """Labels of the sector plans a Table 1 sector falls under (empty: none)."""
        entry = self.sectors.get(sector)
        return [self.sector_plans[p].label for p in entry.plans] if entry else []

    def kind(self, programme: Programme) -> ProgrammeKind:
        return self.kinds[programme.kind]


def _check(data: ProgrammeData, known_interventions: set[str]) -> list[Problem]:
    """Cross-references the models cannot see: kinds, plans, sectors, interventions, codes."""
    geo = load_geography()
    districts = {d.district_code for d in geo.districts}
    cauths = {d.cauth_code for d in geo.districts if d.cauth_code}
    regions = {d.region_code for d in geo.districts}
    out: list[Problem] = []

    def bad(item: str, column: str, message: str) -> None:
        out.append(Problem(file=PROGRAMMES_FILE, item=item, column=column, message=message,
                           code="unknown"))

    for kid, kind in data.kinds.items():
        for field in ("aligns", "duplicates"):
            for iid in getattr(kind, field):
                if iid not in known_interventions:
                    bad(kid, field, f"{iid!r} is not a catalogue intervention")
    for sid, entry in data.sectors.items():
        if sid not in sector_quadrants():
            bad(sid, "sectors", f"{sid!r} is not a Table 1 sector")
        for plan in entry.plans:
            if plan not in data.sector_plans:
                bad(sid, "plans", f"{plan!r} is not a sector plan of the file")
    for sid in sector_quadrants():
        if sid not in data.sectors:
            bad(sid, "sectors", "every Table 1 sector needs its sector plans (or plans: [])")
    seen: set[str] = set()
    for p in data.programmes:
        if p.id in seen:
            bad(p.id, "id", "listed twice")
        seen.add(p.id)
        if p.kind not in data.kinds:
            bad(p.id, "kind", f"unknown kind {p.kind!r}; known: {', '.join(data.kinds)}")
        for field, known in (("districts", districts), ("combined_authorities", cauths),
                             ("regions", regions)):
            for code in getattr(p, field):
                if code not in known:
                    bad(p.id, field, f"{code} is not a 2023 code of that kind in the geography")
        if p.scope == "listed" and not (p.districts or p.combined_authorities or p.regions):
            bad(p.id, "districts", "a listed programme needs districts, combined_authorities "
                "or regions")
    return out


def parse_programmes(text: str, known_interventions: set[str] | None = None) -> ProgrammeData:
    """Read and check programmes YAML (``load_yaml``: ``yaml.safe_load`` through libyaml);
    :class:`ProgrammeError` if wrong."""
    try:
        raw = load_yaml(text)
        data = ProgrammeData.model_validate(raw)
    except yaml.YAMLError as exc:
        raise ProgrammeError([Problem(file=PROGRAMMES_FILE, message=f"invalid YAML: {exc}",
                                      code="yaml_syntax")]) from exc
    except ValidationError as exc:
        raise ProgrammeError([
            Problem(file=PROGRAMMES_FILE, column=".".join(str(p) for p in e["loc"]),
                    message=e["msg"], code=e["type"])
            for e in exc.errors(include_url=False)]) from exc
    known = set(load_catalogue()) if known_interventions is None else known_interventions
    problems = _check(data, known)
    if problems:
        raise ProgrammeError(problems)
    return data


@lru_cache(maxsize=1)
def load_programmes() -> ProgrammeData:
    """The packaged programmes file, checked (cached for the process)."""
    text = resources.files("policy").joinpath("data/programmes.yaml").read_text("utf-8")
    return parse_programmes(text)


# --------------------------------------------------------------------------------------------
# Places


def place_districts(code: str, members: Sequence[str] = ()) -> list[str] | None:
    """The 2023 GB districts of an area code, or None when it is not real geography.

    A district code (2023 or older) is itself; a combined authority, LSIP area, region or ITL1
    code is its member districts; a custom area is its ``members`` when they are real district
    codes. Anything else (the synthetic demo's fictional codes, NUTS2 codes) gives None.
    """
    geo = load_geography()
    try:
        return [geo.district(code).district_code]
    except KeyError:
        pass
    for kind in ("combined_authority", "lsip", "region", "itl1"):
        found = group_members(kind).get(code)  # type: ignore[arg-type]
        if found:
            return list(found)
    if members:
        out: list[str] = []
        for m in members:
            try:
                out.append(geo.district(m).district_code)
            except KeyError:
                return None
        return out
    return None


def _km(a: District, b: District) -> float:
    lat1, lat2 = math.radians(a.lat), math.radians(b.lat)
    dlat, dlon = lat2 - lat1, math.radians(b.lon - a.lon)
    h = math.sin(dlat / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin(dlon / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(h))


class Presence(BaseModel):
    """One programme in or near a place: where (``WHERE_TEXT``), and how far its nearest host
    district's centroid is (km; 0 in the area; None for region-wide programmes)."""

    programme: str
    kind: str
    name: str
    where: Where
    where_text: str
    distance_km: float | None = None
    sectors: list[str] = Field(default_factory=list)
    source: str
    as_of: str
    to_check: str = ""


def _hosts(p: Programme) -> list[District]:
    geo = load_geography()
    return [geo.district(c) for c in p.districts]


def _presence_of(p: Programme, ours: list[District], near_km: float) -> tuple[str, float | None,
                                                                                 str] | None:
    """(where, distance, name) of one programme relative to the place, or None if absent."""
    codes = {d.district_code for d in ours}
    if p.scope == "every_lsip":
        lsips = sorted({d.lsip_name for d in ours if d.lsip_code})
        return ("lsip", None, f"{p.name}: {', '.join(lsips)}") if lsips else None
    if p.scope == "every_combined_authority":
        cas = sorted({d.cauth_name for d in ours if d.cauth_code})
        return ("combined_authority", None, f"{p.name}: {', '.join(cas)}") if cas else None
    if codes & set(p.districts):
        return "district", 0.0, p.name
    if {d.cauth_code for d in ours} & set(p.combined_authorities):
        return "combined_authority", None, p.name
    hosts = _hosts(p)
    if hosts:
        dist = min(_km(a, b) for a in ours for b in hosts)
        if any(h.cauth_code and h.cauth_code in {d.cauth_code for d in ours} for h in hosts):
            return "combined_authority", round(dist, 1), p.name
        if dist <= near_km:
            return "near", round(dist, 1), p.name
    if {d.region_code for d in ours} & set(p.regions):
        return "region", None, p.name
    return None


def programmes_near(districts: Iterable[str], data: ProgrammeData | None = None) -> list[Presence]:
    """The programmes in or near a place given as 2023 district codes, nearest kind first."""
    data = data or load_programmes()
    geo = load_geography()
    ours = [geo.district(c) for c in districts]
    if not ours:
        return []
    out: list[Presence] = []
    for p in data.programmes:
        found = _presence_of(p, ours, data.near_km)
        if found is None:
            continue
        where, dist, name = found
        out.append(Presence(
            programme=p.id, kind=p.kind, name=name, where=where,  # type: ignore[arg-type]
            where_text=WHERE_TEXT[where], distance_km=dist, sectors=list(p.sectors),
            source=f"{p.source.title} <{p.source.url}>", as_of=p.source.as_of,
            to_check=p.to_check))
    return sorted(out, key=lambda x: (_RANK[x.where], x.distance_km or 0.0))
