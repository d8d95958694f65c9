"""Real areas in downloaded files: names to GSS codes, and districts to their parents.

NOMIS files carry GSS codes (or, in query downloads, only names with type prefixes such as
``combauth:Greater Manchester``) but no hierarchy. This module fills it from the bundled
geography (:mod:`evidence.geography`, 2023 districts): each district's region, its LSIP area as
the ``group`` and its combined authority (``cauth_code`` / ``cauth_name``, a second grouping the
cube adds as ``group`` rows too). Older district codes (before the 2023 mergers) get the parents
of the district they became part of and keep their own code.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from evidence.geography import AreaNotFound, load_geography, resolve_area, to_2023_codes

__all__ = ["EXTRA_GROUP_COLUMNS", "NameResolution", "area_hierarchy", "resolve_names"]

EXTRA_GROUP_COLUMNS = ("cauth_code", "cauth_name")
"""Optional areas-table columns: a second grouping of districts (combined authorities)."""


@dataclass
class NameResolution:
    """Area names as in a file -> GSS codes, with what did not resolve."""

    codes: dict[str, str] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)
    unresolved: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def resolve_names(names: list[str]) -> NameResolution:
    """Resolve each distinct name (``ladu:Bristol, City of``, ``combauth:...``) once."""
    out = NameResolution()
    for name in dict.fromkeys(names):
        try:
            match = resolve_area(name)
        except AreaNotFound as exc:
            out.unresolved.append(name)
            if exc.suggestions:
                out.notes.append(f"Area {name!r} is not in the bundled geography; near names: "
                                 f"{', '.join(exc.suggestions[:3])}.")
            continue
        out.codes[name] = match.code
        out.names[name] = match.name
        if match.note:
            out.notes.append(f"{name!r} read as {match.name} ({match.code}): {match.note}.")
    return out


def _district_parents() -> pd.DataFrame:
    frame = load_geography().frame
    return frame.set_index("district_code")[
        ["region_code", "region_name", "lsip_code", "lsip_name", "cauth_code", "cauth_name"]
    ]


def area_hierarchy(areas: pd.DataFrame) -> tuple[pd.DataFrame, int]:
    """Fill region, group (LSIP area) and combined authority of the districts the bundled
    geography knows; name regions and groups by their bundled names when the file has only
    codes. Returns the table and how many districts were placed."""
    parents = _district_parents()
    areas = areas.copy()
    for col in EXTRA_GROUP_COLUMNS:
        if col not in areas.columns:
            areas[col] = ""
    todo = (areas["level"] == "lad") & (areas["region_code"].astype(str) == "")
    current = to_2023_codes(areas.loc[todo, "area_code"]).set_axis(areas.index[todo])
    current = current[current.isin(parents.index)]
    found = parents.loc[current.to_numpy()]
    for ours, theirs in (("region_code", "region_code"), ("region_name", "region_name"),
                         ("group_code", "lsip_code"), ("group_name", "lsip_name"),
                         ("cauth_code", "cauth_code"), ("cauth_name", "cauth_name")):
        areas.loc[current.index, ours] = found[theirs].to_numpy()
    placed = len(current)
    names = _bundled_names()
    unnamed = areas["area_name"] == areas["area_code"]
    areas.loc[unnamed, "area_name"] = [
        names.get(c, c) for c in areas.loc[unnamed, "area_code"]
    ]
    return areas, placed


def _bundled_names() -> dict[str, str]:
    frame = load_geography().frame
    out: dict[str, str] = dict(zip(frame["district_code"], frame["district_name"], strict=True))
    for code_col, name_col in (("region_code", "region_name"), ("lsip_code", "lsip_name"),
                               ("cauth_code", "cauth_name")):
        pairs = frame.loc[frame[code_col] != "", [code_col, name_col]].drop_duplicates()
        out.update(dict(zip(pairs[code_col], pairs[name_col], strict=True)))
    return out
