"""Real GB geography, bundled: 2023 districts with their regions, groups, centroids and hexes.

The tables live in ``evidence/data/geography/`` (built by ``scripts/vendor_geography.py`` from
Open Innovations, mySociety, ONS and DfE files; see ``LICENCE.md`` there). They are read once
(cached) and checked at the boundary by the ``District`` model.

What is here
------------
* ``load_geography()`` - the districts (GB and Northern Ireland, ``nation`` says which) and
  the code changes, as a ``Geography``.
* ``current_code`` / ``to_2023_codes`` - older district codes (e.g. Allerdale ``E07000026``)
  to the 2023 district they are part of (Cumberland ``E06000063``).
* ``resolve_area`` - an area name as people and NOMIS write it (``combauth:Greater
  Manchester``, ``ladu:Bristol, City of``, ``towncity:...``), case-insensitive, with near-miss
  suggestions when nothing matches.
* ``neighbourhood_district`` - the 2023 district of an ONS MSOA / LSOA name (``Hartlepool
  001``, ``Hartlepool 001A``), former district names (``Allerdale 003``) included.
* ``area_rows`` - districts -> groups (LSIP areas or combined authorities) -> regions -> GB, in
  the columns of the project's areas table (``evidence.dataset.AREA_COLUMNS``).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from io import StringIO
from typing import Literal

import pandas as pd
from pydantic import BaseModel, ConfigDict, field_validator

from evidence.dataset import AREA_COLUMNS, GB_CODE

GB_NATIONS: tuple[str, ...] = ("England", "Wales", "Scotland")
GB_DISTRICTS_2023 = 350
"""England 296 + Wales 22 + Scotland 32 (the 361 UK districts of 2023 less 11 in NI)."""

Kind = Literal[
    "district", "region", "itl1", "nation", "country", "combined_authority", "lsip"
]  # fmt: skip
KIND_ORDER: tuple[str, ...] = (
    "district", "region", "combined_authority", "lsip", "itl1", "nation", "country",
)  # fmt: skip
"""Which kind wins when one name means several areas and no prefix says which."""

NOMIS_PREFIXES: dict[str, tuple[str, ...]] = {
    "ladu": ("district",),
    "lauth": ("district",),
    "combauth": ("combined_authority",),
    "lep": ("lsip",),
    "towncity": ("district",),
    "rgn": ("region",),
    "region": ("region",),
    "ctry": ("nation", "country"),
    "country": ("nation", "country"),
}
"""NOMIS query-download prefixes and the kinds of bundled area they most likely mean."""

PREFIX_NOTES: dict[str, str] = {
    "lep": "LEP boundaries are not bundled; matched against the 2023 LSIP areas, which mostly "
    "follow former LEP boundaries - check the members",
    "towncity": "NOMIS towns and cities are built-up areas, not districts; matched against the "
    "district of that name",
}

_DATA = "data/geography"


class District(BaseModel):
    """One 2023 local authority district (a row of ``districts.csv``)."""

    model_config = ConfigDict(frozen=True)

    district_code: str
    district_name: str
    name_cy: str = ""
    nation: Literal["England", "Wales", "Scotland", "Northern Ireland"]
    region_code: str
    region_name: str
    itl1_code: str
    itl1_name: str
    cauth_code: str = ""
    cauth_name: str = ""
    lsip_code: str = ""
    lsip_name: str = ""
    lon: float
    lat: float
    centroid_basis: str
    hex_q: int
    hex_r: int
    alt_names: tuple[str, ...] = ()

    @field_validator("district_code", "region_code")
    @classmethod
    def _gss(cls, value: str) -> str:
        if not re.fullmatch(r"[EWSN]\d{8}", value):
            raise ValueError(f"{value!r} is not a GSS code")
        return value

    @field_validator("alt_names", mode="before")
    @classmethod
    def _split(cls, value: object) -> tuple[str, ...]:
        if isinstance(value, str):
            return tuple(v for v in value.split("|") if v)
        return tuple(value)  # type: ignore[arg-type]


@dataclass(frozen=True)
class Geography:
    """The bundled districts (all UK, 2023) and older-code changes, read once."""

    districts: tuple[District, ...]
    frame: pd.DataFrame  # one row per district, columns of districts.csv (alt_names as text)
    code_changes: pd.DataFrame  # old_code, old_name, successor_code, ..., code_2023, name_2023
    _by_code: dict[str, District] = field(default_factory=dict, repr=False)

    def district(self, code: str) -> District:
        return self._by_code[current_code(code)]

    def gb(self) -> pd.DataFrame:
        """The GB districts (England, Wales, Scotland) of ``frame``."""
        return self.frame[self.frame["nation"].isin(GB_NATIONS)].reset_index(drop=True)


def _read(name: str) -> pd.DataFrame:
    text = resources.files("evidence").joinpath(f"{_DATA}/{name}").read_text("utf-8")
    return pd.read_csv(StringIO(text), dtype=str, keep_default_na=False)


def hexjson_path() -> str:
    """Path of the bundled Open Innovations hexjson (2023 UK districts, odd-r layout)."""
    return str(resources.files("evidence").joinpath(
        f"{_DATA}/uk-local-authority-districts-2023.hexjson"))


@lru_cache(maxsize=1)
def load_geography() -> Geography:
    """Read and check the bundled geography (cached for the process)."""
    frame = _read("districts.csv")
    districts = tuple(District(**row) for row in frame.to_dict("records"))
    frame = frame.assign(
        lon=frame["lon"].astype(float),
        lat=frame["lat"].astype(float),
        hex_q=frame["hex_q"].astype(int),
        hex_r=frame["hex_r"].astype(int),
    )
    changes = _read("code_changes.csv")
    return Geography(
        districts=districts,
        frame=frame,
        code_changes=changes,
        _by_code={d.district_code: d for d in districts},
    )


# --------------------------------------------------------------------------------------------
# Codes
# --------------------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _code_map() -> dict[str, str]:
    geo = load_geography()
    mapping = dict(zip(geo.code_changes["old_code"], geo.code_changes["code_2023"], strict=True))
    mapping.update({d.district_code: d.district_code for d in geo.districts})
    return mapping


def current_code(code: str) -> str:
    """The 2023 district code for a 2023 or older district code.

    ``E07000026`` (Allerdale, merged 2023) -> ``E06000063`` (Cumberland); a 2023 code maps to
    itself. Raises KeyError for a code that is not a district code known here.
    """
    key = str(code).strip().upper()
    try:
        return _code_map()[key]
    except KeyError:
        raise KeyError(f"{code!r} is not a known UK district code (2023 or older)") from None


def to_2023_codes(codes: Iterable[str] | pd.Series) -> pd.Series:
    """Vectorised ``current_code``: unknown codes come back unchanged (they may be groups)."""
    series = pd.Series(list(codes) if not isinstance(codes, pd.Series) else codes, dtype=object)
    mapping = _code_map()
    upper = series.astype(str).str.strip().str.upper()
    return upper.map(mapping).fillna(series.astype(str)).astype(object)


def predecessors(code: str) -> list[str]:
    """Older district codes now part of this 2023 district (sorted; empty when unchanged)."""
    changes = load_geography().code_changes
    return sorted(changes.loc[changes["code_2023"] == current_code(code), "old_code"])


# --------------------------------------------------------------------------------------------
# Names
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AreaMatch:
    """What a name resolved to."""

    query: str
    code: str
    name: str
    kind: str
    note: str = ""
    alternatives: tuple[tuple[str, str, str], ...] = ()  # (code, name, kind) of other readings


class AreaNotFound(LookupError):
    """No area has that name; ``suggestions`` lists near misses ('Name (kind)')."""

    def __init__(self, query: str, suggestions: list[str]) -> None:
        self.query = query
        self.suggestions = suggestions
        hint = f"; did you mean {', '.join(suggestions)}?" if suggestions else ""
        super().__init__(f"no area called {query!r} in the bundled geography{hint}")


def _norm(name: str) -> str:
    text = str(name).casefold().replace("&", " and ")
    text = re.sub(r"[^\w\s]", " ", text)
    return " ".join(text.split())


def split_prefix(name: str) -> tuple[str | None, str]:
    """``'combauth:Greater Manchester'`` -> ``('combauth', 'Greater Manchester')``."""
    match = re.match(r"^\s*([A-Za-z]+)\s*:\s*(.+)$", str(name))
    if match and match.group(1).lower() in NOMIS_PREFIXES:
        return match.group(1).lower(), match.group(2).strip()
    return None, str(name).strip()


@dataclass(frozen=True)
class _Entry:
    code: str
    name: str
    kind: str
    note: str = ""


@lru_cache(maxsize=1)
def _name_index() -> dict[str, list[_Entry]]:
    geo = load_geography()
    index: dict[str, list[_Entry]] = {}

    def add(label: str, entry: _Entry) -> None:
        key = _norm(label)
        if not key:
            return
        bucket = index.setdefault(key, [])
        if all((e.code, e.kind) != (entry.code, entry.kind) for e in bucket):
            bucket.append(entry)
        # "Bristol, City of" is also written "City of Bristol" and "Bristol".
        m = re.match(r"^(.*),\s*(city|county|city and county) of$", label.strip(), re.I)
        if m:
            add(m.group(1), entry)
            add(f"{m.group(2)} of {m.group(1)}", entry)

    for d in geo.districts:
        entry = _Entry(d.district_code, d.district_name, "district")
        for label in (d.district_name, d.name_cy, *d.alt_names):
            add(label, entry)
    name_2023 = {d.district_code: d.district_name for d in geo.districts}
    for row in geo.code_changes.itertuples(index=False):
        if row.change == "merged":
            when = f" on {row.effective_date}" if row.effective_date else ""
            note = f"{row.old_name} ({row.old_code}) became part of {row.name_2023}{when}"
            add(row.old_name, _Entry(row.code_2023, name_2023[row.code_2023], "district", note))
    frame = geo.frame
    for kind, code_col, name_col in (
        ("region", "region_code", "region_name"),
        ("itl1", "itl1_code", "itl1_name"),
        ("combined_authority", "cauth_code", "cauth_name"),
        ("lsip", "lsip_code", "lsip_name"),
    ):
        pairs = frame.loc[frame[code_col] != "", [code_col, name_col]].drop_duplicates()
        for code, name in pairs.itertuples(index=False):  # Wales, Scotland: regions here
            add(name, _Entry(code, name, kind))
    add("England", _Entry("E92000001", "England", "nation"))
    for label in ("Great Britain", "GB", "Britain"):
        add(label, _Entry(GB_CODE, "Great Britain", "country"))
    return index


def _ordered(entries: list[_Entry]) -> list[_Entry]:
    return sorted(entries, key=lambda e: (KIND_ORDER.index(e.kind), e.note != "", e.code))


def suggest_areas(name: str, n: int = 5) -> list[str]:
    """Near-miss names ('Name (kind)') for a name that did not match, best first."""
    _, rest = split_prefix(name)
    index = _name_index()
    close = difflib.get_close_matches(_norm(rest), list(index), n=n * 2, cutoff=0.6)
    out: list[str] = []
    for key in close:
        for e in _ordered(index[key]):
            label = f"{e.name} ({e.kind.replace('_', ' ')})"
            if label not in out:
                out.append(label)
    return out[:n]


def resolve_area(name: str, kinds: Iterable[str] | None = None) -> AreaMatch:
    """Resolve an area name (case-insensitive; NOMIS prefixes allowed) to a bundled area.

    ``kinds`` restricts the search (``district``, ``region``, ``itl1``, ``nation``, ``country``,
    ``combined_authority``, ``lsip``); a NOMIS prefix narrows it to the kinds it means and falls
    back to all kinds when that finds nothing. Old district names resolve to the 2023 district
    with a note (``Allerdale`` -> Cumberland). Raises ``AreaNotFound`` with suggestions.
    """
    prefix, rest = split_prefix(name)
    entries = _name_index().get(_norm(rest), [])
    wanted = tuple(kinds) if kinds is not None else NOMIS_PREFIXES.get(prefix or "", ())
    chosen = [e for e in entries if e.kind in wanted] if wanted else entries
    if not chosen and kinds is None:
        chosen = entries
    if not chosen:
        raise AreaNotFound(str(name), suggest_areas(rest))
    ordered = _ordered(chosen)
    best = ordered[0]
    notes = [n for n in (best.note, PREFIX_NOTES.get(prefix or "", "")) if n]
    others = tuple((e.code, e.name, e.kind) for e in _ordered(entries) if e is not best)
    return AreaMatch(
        query=str(name), code=best.code, name=best.name, kind=best.kind,
        note="; ".join(notes), alternatives=others,
    )  # fmt: skip


NEIGHBOURHOOD_NAME = re.compile(r"^(?P<district>.*\S)\s+(?P<number>\d{3}[A-Z]?)$")
"""ONS names of MSOAs and LSOAs (2011 and 2021): the district's name, a space, a three-digit
number and, for an LSOA, a capital letter (``Hartlepool 001``, ``Hartlepool 001A``). Scottish
Intermediate Zones and Data Zones have place names, so their district needs a lookup file."""


def neighbourhood_district(name: str) -> AreaMatch | None:
    """The 2023 district an MSOA or LSOA lies in, from its ONS name; None when the name does
    not follow the rule or its district part is not a district name known here.

    Names carry the district of their census year: ``Allerdale 003`` (an MSOA of a district
    merged into Cumberland in 2023) resolves to Cumberland with a note saying so.
    """
    match = NEIGHBOURHOOD_NAME.match(str(name).strip())
    if match is None:
        return None
    district = match.group("district")
    entries = [e for e in _name_index().get(_norm(district), []) if e.kind == "district"]
    if not entries:  # no near-miss suggestions: a miss is reported once, by the caller
        return None
    best = _ordered(entries)[0]
    return AreaMatch(query=str(name), code=best.code, name=best.name, kind=best.kind,
                     note=best.note)


# --------------------------------------------------------------------------------------------
# Hierarchy in the project's areas-table shape
# --------------------------------------------------------------------------------------------

GroupBy = Literal["lsip", "combined_authority", "none"]


def group_members(kind: Literal["lsip", "combined_authority", "region", "itl1"]) -> dict[
    str, list[str]
]:
    """2023 GB district codes in each LSIP area, combined authority, region or ITL1 area."""
    column = {"lsip": "lsip_code", "combined_authority": "cauth_code", "region": "region_code",
              "itl1": "itl1_code"}[kind]  # fmt: skip
    gb = load_geography().gb()
    gb = gb[gb[column] != ""]
    return {code: sorted(part["district_code"]) for code, part in gb.groupby(column, sort=True)}


def area_rows(
    group_by: GroupBy = "lsip",
    nations: Iterable[str] = GB_NATIONS,
    include_gb: bool = True,
) -> pd.DataFrame:
    """The areas table (``AREA_COLUMNS``) for the real districts: lad -> group -> region -> GB.

    Districts are level ``lad`` with their region (English region, or Wales / Scotland) and,
    per ``group_by``, their 2023 LSIP area or 2024 combined authority as ``group`` (empty when
    none: Wales, Scotland and districts outside any combined authority). Group rows follow,
    then regions and, with ``include_gb``, Great Britain (``K03000001``, level ``country``).
    """
    frame = load_geography().frame
    frame = frame[frame["nation"].isin(list(nations))]
    code_col, name_col = {"lsip": ("lsip_code", "lsip_name"),
                          "combined_authority": ("cauth_code", "cauth_name"),
                          "none": (None, None)}[group_by]  # fmt: skip
    empty = pd.Series("", index=frame.index)
    districts = pd.DataFrame(
        {
            "area_code": frame["district_code"],
            "area_name": frame["district_name"],
            "level": "lad",
            "group_code": frame[code_col] if code_col else empty,
            "group_name": frame[name_col] if name_col else empty,
            "region_code": frame["region_code"],
            "region_name": frame["region_name"],
        }
    )
    parts = [districts]
    if code_col:
        grouped = districts[districts["group_code"] != ""].groupby("group_code", sort=True)
        parts.append(
            pd.DataFrame(
                [
                    {
                        "area_code": code,
                        "area_name": part["group_name"].iloc[0],
                        "level": "group",
                        "group_code": "",
                        "group_name": "",
                        "region_code": part["region_code"].mode().iloc[0],
                        "region_name": part["region_name"].mode().iloc[0],
                    }
                    for code, part in grouped
                ],
                columns=AREA_COLUMNS,
            )
        )
    regions = districts[["region_code", "region_name"]].drop_duplicates().sort_values(
        "region_code")
    parts.append(
        pd.DataFrame(
            {
                "area_code": regions["region_code"],
                "area_name": regions["region_name"],
                "level": "region",
                "group_code": "",
                "group_name": "",
                "region_code": "",
                "region_name": "",
            }
        )
    )
    if include_gb:
        parts.append(
            pd.DataFrame([[GB_CODE, "Great Britain", "country", "", "", "", ""]],
                         columns=AREA_COLUMNS)
        )
    out = pd.concat(parts, ignore_index=True)[AREA_COLUMNS]
    return out.astype(str).reset_index(drop=True)
