"""Neighbourhoods (MSOAs, LSOAs, Intermediate Zones, Data Zones) placed in their districts.

NOMIS publishes BRES for Middle and Lower Layer Super Output Areas (England and Wales) and
Scotland's Intermediate Zones and Data Zones, labelled with GSS codes and ONS names but with
no district. The indicators need the district (to roll neighbourhoods up to districts, LSIP
areas, regions and Great Britain for the LQ denominators, and to compare a neighbourhood with
its region), so every neighbourhood gets one here, in this order:

1. a user-supplied ONS lookup file (``read_lookup``): the ONS "Output Area to Lower layer
   Super Output Area to Middle layer Super Output Area to Local Authority District" lookup
   (``OA21CD, LSOA21CD, MSOA21CD, LAD22CD`` ...), an LSOA or MSOA to district lookup, any
   year suffix; district codes of any year are mapped to the 2023 districts;
2. the district the file itself names (a tidy file's ``group_code``, see
   :mod:`evidence.dataset`);
3. the ONS name, which is the district's name and a number (``Hartlepool 001``, ``Hartlepool
   001A``), against the bundled 2023 districts and their former names
   (:func:`evidence.geography.neighbourhood_district`: ``Allerdale 003`` -> Cumberland).

A neighbourhood none of these places is a located error (file, line, column, the area), so
nothing is silently left out of a district's total.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from evidence.dataset import (
    AREA_COLUMNS,
    NEIGHBOURHOOD_LEVELS,
    DataError,
    Dataset,
)
from evidence.geography import (
    NEIGHBOURHOOD_NAME,
    load_geography,
    neighbourhood_district,
    to_2023_codes,
)
from evidence.problems import Problem
from evidence.sources.nomis import area_level
from evidence.sources.places import area_hierarchy
from evidence.sources.text import csv_cells, open_binary, plain_csv, read_head_lines

__all__ = [
    "NeighbourhoodLookup",
    "SMALL_AREA_NOTE",
    "place_neighbourhoods",
    "read_lookup",
]

MAX_LISTED = 20
"""Unplaced neighbourhoods listed one by one in the error (the rest are counted)."""

SMALL_AREA_NOTE = (
    "Neighbourhood figures (MSOA, LSOA, Intermediate Zone, Data Zone): BRES rounds small "
    "counts (to the nearest 5) and suppresses many small-area cells for disclosure control, "
    "so most neighbourhood sector counts are a few rounded jobs or missing. Their LQs and "
    "growth rates are indicative only, findings about them carry capped confidence, and a "
    "suppressed cell makes a figure a lower bound; the district figures (the neighbourhoods "
    "summed) are firmer."
)

_CODE_COLUMN = re.compile(r"^(OA|LSOA|MSOA|DZ|IZ)(\d{2}|\d{4})CD$", re.IGNORECASE)
_DISTRICT_COLUMN = re.compile(r"^(LAD|LTLA)(\d{2})CD$", re.IGNORECASE)
_GSS = re.compile(r"^[EWSN]\d{8}$")


@dataclass(frozen=True)
class NeighbourhoodLookup:
    """Neighbourhood (and output area) code -> 2023 district code, from one lookup file."""

    file: str
    district_column: str
    code_columns: tuple[str, ...]
    districts: dict[str, str] = field(default_factory=dict, repr=False)
    rows: int = 0

    def describe(self) -> str:
        return (f"lookup {Path(self.file).name}: {len(self.districts):,} areas "
                f"({', '.join(self.code_columns)}) to districts by {self.district_column}")


def _lookup_columns(header: list[str], file: str) -> tuple[list[str], str]:
    codes = [c for c in header if _CODE_COLUMN.match(c.strip())]
    districts = [c for c in header if _DISTRICT_COLUMN.match(c.strip())]
    if not codes or not districts:
        raise DataError(
            "not a neighbourhood lookup: expected a district code column (LAD22CD, LAD23CD "
            "...) and at least one area code column (LSOA21CD, MSOA21CD, OA21CD ...); found "
            + ", ".join(header[:12]),
            file=file, row=1, code="lookup_columns",
        )
    # Several district columns (LAD22CD and LAD23CD): the latest year describes today's map.
    def year(column: str) -> int:
        match = _DISTRICT_COLUMN.match(column.strip())
        return int(match.group(2)) if match else 0

    return codes, max(districts, key=year)


def read_lookup(path: str | Path, name: str | None = None) -> NeighbourhoodLookup:
    """Read an ONS area-to-district lookup (CSV, gzipped CSV or XLSX; any year suffix).

    Raises DataError (file, line, column) for a file without the columns, a code that is not
    a GSS code, a district unknown to the bundled geography, or an area given two districts.
    """
    file = name or str(path)
    with plain_csv(path) as plain:
        try:
            return _read_lookup(plain.path, file)
        except DataError as exc:
            raise plain.relocate(exc) from None


def _read_lookup(path: Path, file: str) -> NeighbourhoodLookup:
    header = [c.strip() for c in csv_cells(read_head_lines(path)[0].lstrip("\ufeff"))]
    code_cols, lad_col = _lookup_columns(header, file)
    with open_binary(path) as fh:
        frame = pd.read_csv(io.TextIOWrapper(fh, encoding="utf-8-sig", errors="replace"),
                            usecols=lambda c: c.strip() in {*code_cols, lad_col}, dtype=str,
                            keep_default_na=False)
    frame.columns = [c.strip() for c in frame.columns]
    if frame.empty:
        raise DataError("the lookup has a header but no rows", file=file, row=2)
    line = pd.RangeIndex(2, len(frame) + 2)
    for col in [lad_col, *code_cols]:
        values = frame[col].str.strip().str.upper()
        bad = ~values.str.match(_GSS)
        if bad.any():
            i = int(bad.to_numpy().nonzero()[0][0])
            raise DataError(f"{frame[col].iloc[i]!r} is not a GSS code", file=file,
                            row=int(line[i]), column=col, code="lookup_code")
        frame[col] = values
    lad = to_2023_codes(frame[lad_col])
    known = set(load_geography().frame["district_code"])
    unknown = ~lad.isin(known).to_numpy()
    if unknown.any():
        i = int(unknown.nonzero()[0][0])
        raise DataError(f"district {frame[lad_col].iloc[i]!r} is not a district of the bundled "
                        "geography (2023 districts and their predecessors)", file=file,
                        row=int(line[i]), column=lad_col, code="lookup_district")
    districts: dict[str, str] = {}
    for col in code_cols:
        pairs = pd.DataFrame({"code": frame[col].to_numpy(), "lad": lad.to_numpy()})
        distinct = pairs.drop_duplicates()
        clash = distinct["code"].duplicated()
        if clash.any():
            i = int(distinct.index[clash.to_numpy().nonzero()[0][0]])
            raise DataError(
                f"{pairs['code'].iloc[i]!r} is given two districts ({lad_col}); an area lies "
                "in one district", file=file, row=int(line[i]), column=col,
                code="lookup_clash")
        districts.update(zip(distinct["code"], distinct["lad"], strict=True))
    return NeighbourhoodLookup(file=file, district_column=lad_col,
                               code_columns=tuple(code_cols), districts=districts,
                               rows=len(frame))


# --------------------------------------------------------------------------------------------
# Placing the neighbourhoods of a dataset
# --------------------------------------------------------------------------------------------


def _first_lines(search: Path | None, codes: list[str]) -> dict[str, int]:
    """Line of the first mention of each code in a text file (slow path: errors only)."""
    if search is None or not codes:
        return {}
    wanted = set(codes)
    found: dict[str, int] = {}
    pattern = re.compile(r"[EWSN]\d{8}")
    try:
        with open_binary(search) as fh:
            text = io.TextIOWrapper(fh, encoding="utf-8", errors="replace", newline="")
            for number, line in enumerate(text, start=1):
                for code in pattern.findall(line):
                    if code in wanted and code not in found:
                        found[code] = number
                if len(found) == len(wanted):
                    break
    except (OSError, EOFError):
        return found
    return found


def _by_name(names: pd.Series) -> tuple[pd.Series, list[str]]:
    """District code per neighbourhood from its ONS name (one resolution per district
    part), and notes on names that were read through a former district."""
    parts = names.str.strip().str.extract(NEIGHBOURHOOD_NAME)["district"]
    codes: dict[str, str] = {}
    notes: list[str] = []
    for part in parts.dropna().unique():
        match = neighbourhood_district(f"{part} 001")
        if match is None:
            continue
        codes[part] = match.code
        if match.note:
            notes.append(f"Neighbourhoods named '{part} ...' placed in {match.name} "
                         f"({match.code}): {match.note}.")
    return parts.map(codes), notes


def place_neighbourhoods(
    ds: Dataset,
    lookup: NeighbourhoodLookup | None = None,
    *,
    search: Path | None = None,
    column: str | None = None,
) -> Dataset:
    """Give every neighbourhood of ``ds`` its 2023 district (``group_code`` / ``group_name``)
    and region, and put a row for each of those districts in the areas table (so the cube
    can sum them into it); unchanged when there are no neighbourhoods.

    ``search`` is the text file to find line numbers in for the located error, ``column``
    the column those lines name. Raises DataError listing the neighbourhoods no lookup row,
    file district or name places.
    """
    areas = ds.areas.copy()
    # A file that calls its MSOAs / LSOAs custom areas: their code prefix says what they are.
    custom = areas["level"] == "custom"
    if custom.any():
        by_prefix = areas.loc[custom, "area_code"].astype(str).map(area_level)
        areas.loc[custom, "level"] = by_prefix.where(
            by_prefix.isin(list(NEIGHBOURHOOD_LEVELS)), "custom")
    nb = areas["level"].isin(list(NEIGHBOURHOOD_LEVELS)).to_numpy()
    notes = ds.source.notes
    if not nb.any():
        ds.areas = areas
        if lookup is not None:
            notes.append(f"The lookup ({Path(lookup.file).name}) was not used: the file has "
                         "no neighbourhood (MSOA, LSOA, Intermediate Zone, Data Zone) areas.")
        return ds
    geo = load_geography()
    bundled = dict(zip(geo.frame["district_code"], geo.frame["district_name"], strict=True))
    file_lads = areas.loc[areas["level"] == "lad"].set_index("area_code")
    sub = areas.loc[nb]
    code = pd.Series("", index=sub.index, dtype=object)
    how = pd.Series("", index=sub.index, dtype=object)
    if lookup is not None:
        hit = sub["area_code"].map(lookup.districts)
        code, how = code.where(hit.isna(), hit), how.where(hit.isna(), "lookup")
    own = sub["group_code"].astype(str)
    own_ok = (code == "") & (own.isin(file_lads.index) | own.isin(list(bundled)))
    code, how = code.where(~own_ok, own), how.where(~own_ok, "file")
    named, name_notes = _by_name(sub.loc[code == "", "area_name"].astype(str))
    named = named.reindex(sub.index)
    by_name = (code == "") & named.notna()
    code, how = code.where(~by_name, named), how.where(~by_name, "name")
    missing = sub.loc[code == ""]
    if len(missing):
        raise _unplaced(missing, ds.source.path, lookup, search, column)
    # Older district codes (a tidy file's, a name's) become the 2023 district, unless the
    # file has a district row of its own under that code (the synthetic demo's districts).
    code = code.where(code.isin(file_lads.index), to_2023_codes(code).set_axis(code.index))
    new = sorted(set(code) - set(areas["area_code"]))
    if new:
        rows = pd.DataFrame({"area_code": new, "area_name": [bundled.get(c, c) for c in new],
                             "level": "lad"})
        for col in AREA_COLUMNS[3:]:
            rows[col] = ""
        areas, _ = area_hierarchy(pd.concat([areas, rows], ignore_index=True))
        file_lads = areas.loc[areas["level"] == "lad"].set_index("area_code")
    parent = file_lads.reindex(code.to_numpy())
    areas.loc[sub.index, "group_code"] = code.to_numpy()
    areas.loc[sub.index, "group_name"] = parent["area_name"].fillna("").to_numpy()
    areas.loc[sub.index, "region_code"] = parent["region_code"].fillna("").to_numpy()
    areas.loc[sub.index, "region_name"] = parent["region_name"].fillna("").to_numpy()
    counts = how.value_counts()
    said = {"lookup": "by the lookup file", "file": "by the district the file gives",
            "name": "by their ONS names (district name and number)"}
    notes.append(
        f"{len(sub):,} neighbourhood(s) placed in {code.nunique()} district(s) "
        + "; ".join(f"{int(counts[k]):,} {said[k]}" for k in said if k in counts)
        + "; they are summed into their districts, LSIP areas, regions and Great Britain.")
    notes += name_notes
    if lookup is not None:
        notes.append(f"Neighbourhood lookup: {lookup.describe()}.")
    if SMALL_AREA_NOTE not in notes:
        notes.append(SMALL_AREA_NOTE)
    ds.areas = areas  # every area kept, districts added: the employment rows stay valid
    return ds


def _unplaced(
    missing: pd.DataFrame,
    file: str | None,
    lookup: NeighbourhoodLookup | None,
    search: Path | None,
    column: str | None,
) -> DataError:
    codes = list(missing["area_code"].astype(str))
    lines = _first_lines(search, codes[:MAX_LISTED])
    why = ("it is not in the lookup file, and its name is not an ONS name (a district name "
           "and a number, 'Hartlepool 001')" if lookup is not None else
           "its name is not an ONS name (a district name and a number, 'Hartlepool 001') of "
           "a district known here, and no lookup file was given")
    fix = ("give the ONS lookup file (Output Area to LSOA to MSOA to Local Authority District, "
           "from the ONS Open Geography Portal) with --lookup FILE, or on the Data page")
    problems = [
        Problem(file=file, row=lines.get(c), column=column, item=c,
                message=f"the district of neighbourhood {c} ({n!r}) cannot be found: {why}; "
                        f"{fix}", code="neighbourhood_district")
        for c, n in zip(codes[:MAX_LISTED], missing["area_name"].astype(str), strict=False)
    ]
    if len(codes) > MAX_LISTED:
        problems.append(Problem(file=file, column=column, code="neighbourhood_district",
                                message=f"and {len(codes) - MAX_LISTED:,} more neighbourhoods "
                                        "whose district cannot be found"))
    return DataError(problems=problems)
