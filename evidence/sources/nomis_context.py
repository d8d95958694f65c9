"""NOMIS context downloads: skills, occupations and business sizes beside the BRES employment.

Three NOMIS web downloads (XLSX, or the same table saved as CSV), each a stack of blocks, one
per period (and, for Business Counts, per broad industry): title lines, ``date`` (and
``industry``, ``legal status``, ``confidence``) lines, an ``Area`` header line, data lines,
then footnotes.

* **APS qualifications, table T19** (Annual Population Survey, people aged 16-64 by highest NVQ
  level): ``level4_share`` = the NVQ4+ (RQF4+) count / the sum of every 16-64 qualification
  category (None, NVQ1, NVQ2, Trade Apprenticeships, NVQ3, NVQ4+, Other), its denominator
  ``level4_people``, and ``level4_share_ci``, the 95% confidence half-width NOMIS gives for the
  NVQ4+ count divided by that denominator (the 16-64 population is weighted to population
  estimates, so the count's sampling error is the share's).
* **APS employment by occupation, table T09a** (SOC 2010 sub-major groups): summed to the nine
  major groups ``soc_1`` .. ``soc_9`` through
  ``evidence/data/soc2010_submajor_to_soc2020_major.csv`` (SOC 2010 major group -> SOC 2020
  major group of the same number: approximate, see its ``.md``) for the automation exposure.
* **UK Business Counts, enterprises by industry and employment size band**: from the
  ``3 : Manufacturing (C)`` blocks, ``enterprises_mfg`` (all sizes), ``enterprises_mfg_micro``
  (0-9 employees) and ``enterprises_mfg_large`` (250+), so a specialism can be told apart as one
  large plant or many small firms.

Areas come as names with NOMIS prefixes (``ladu:Derby``, ``country:England``, ``User Defined
Geography:Greater Manchester-MCA - from dn81838``); they are resolved to GSS codes against the
bundled geography (:mod:`evidence.geography`); a former district (``ladu:Allerdale``) keeps its
own code, as the BRES readers do; names that do not resolve are listed, never dropped silently.
``merge_context`` adds the rows to an employment ``Dataset``: areas matched by code, the others
left out and counted in the load report.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from functools import lru_cache
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

from evidence.dataset import DataError, Dataset, validate_dataset
from evidence.geography import AreaNotFound, load_geography, resolve_area, suggest_areas
from evidence.sources.places import resolve_names
from evidence.sources.text import SUPPRESSION_MARKERS, conversion_kind, read_text, xlsx_sheets

__all__ = [
    "CONTEXT_KINDS",
    "ContextFile",
    "load_soc_mapping",
    "merge_context",
    "read_context",
]

CONTEXT_KINDS: dict[str, str] = {
    "aps_qualifications": "APS T19 qualifications (NVQ4+ share of people aged 16-64; Annual "
                          "Population Survey, ONS, via NOMIS)",
    "aps_occupations": "APS T09a employment by occupation (SOC 2010 sub-major groups read as "
                       "SOC 2020 major groups, approximately; Annual Population Survey, ONS, "
                       "via NOMIS)",
    "business_counts": "UK Business Counts, manufacturing enterprises by employment size band "
                       "(ONS Inter-Departmental Business Register, via NOMIS)",
}
"""What each context file is, as the profile notes and the load report cite it."""

_SHORT = {"aps_qualifications": "APS qualifications", "aps_occupations": "APS occupations",
          "business_counts": "UK Business Counts"}
_META_KEYS = ("date", "industry", "legal status", "confidence", "geography", "employment size")
_YEAR_RE = re.compile(r"((?:19|20)\d\d)\s*$")
_T19_RE = re.compile(r"All people aged 16-64\s*:\s*(.+?)\s*\)\s*$", re.I)
_LEVEL4_RE = re.compile(r"^(?:NVQ|RQF)\s*4\s*\+", re.I)
_T09A_RE = re.compile(r"^T09a:\d+\s*\(All people - (.+?)\s*\((SOC\s*20[12]0)\)\s*:", re.I)
_UDG_RE = re.compile(r"^\s*User Defined Geography\s*:\s*(.*?)(?:\s+-\s+from\s+\w+)?\s*$", re.I)
_UDG_SUFFIX = re.compile(r"^(.*?)\s*-\s*(LSIP|LSI|LS|L|MCA|MC|M)?\s*$", re.I)
_SIZE_BANDS = {"Total": "enterprises_mfg", "Micro": "enterprises_mfg_micro",
               "Large": "enterprises_mfg_large"}


@dataclass
class ContextFile:
    """One context download, read: rows by GSS code and year, and what happened on the way."""

    path: str
    kind: str
    table: pd.DataFrame
    """``area_code``, ``year`` and the kind's columns (see the module docstring)."""
    periods: dict[int, str] = field(default_factory=dict)
    """Year -> the period as the file writes it (``Jan 2021-Dec 2021``, ``2022``)."""
    rows_read: int = 0
    names: dict[str, str] = field(default_factory=dict)
    """GSS code -> area name as in the file."""
    unresolved: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    name_notes: dict[str, str] = field(default_factory=dict)
    """GSS code -> how its name was read (cut short, a LEP read as an LSIP area), for the
    notes of the areas that are used."""

    @property
    def source(self) -> str:
        return CONTEXT_KINDS[self.kind]

    def period_text(self) -> str:
        labels = [self.periods[y] for y in sorted(self.periods)]
        return labels[0] if len(labels) == 1 else f"{labels[0]} to {labels[-1]}"


# --------------------------------------------------------------------------------------------
# Cells and blocks
# --------------------------------------------------------------------------------------------


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _sheet_rows(path: Path) -> list[tuple[str, int, list[str]]]:
    """(file label, row number, stripped cells) for every line of the workbook or text file."""
    file = str(path)
    if not path.exists():
        raise DataError("file not found", file=file)
    if conversion_kind(path) == "xlsx":
        sheets = xlsx_sheets(path, file)
        return [(file if len(sheets) == 1 else f"{file} (sheet {title!r})", n,
                 [_text(v) for v in values])
                for title, rows in sheets for n, values in rows]
    text = read_text(path, file)
    head = text[:20000]
    delimiter = "\t" if head.count("\t") > head.count(",") else ","
    return [(file, n, [c.strip() for c in cells])
            for n, cells in enumerate(csv.reader(io.StringIO(text), delimiter=delimiter), 1)]


@dataclass
class _Block:
    file: str
    meta: dict[str, tuple[str, int]]
    header: list[str]
    header_row: int
    sub: list[str] = field(default_factory=list)
    rows: list[tuple[int, list[str]]] = field(default_factory=list)

    def year(self) -> tuple[int, str]:
        text, row = self.meta.get("date", ("", self.header_row))
        match = _YEAR_RE.search(text)
        if not match:
            raise DataError(f"cannot read a year from the date line {text!r} (expected e.g. "
                            "'Jan 2021-Dec 2021' or '2022')", file=self.file, row=row,
                            column="date")
        return int(match.group(1)), text


def _blocks(rows: list[tuple[str, int, list[str]]]) -> list[_Block]:
    """The file's blocks: metadata lines, the ``Area`` header, data lines up to a blank line."""
    blocks: list[_Block] = []
    meta: dict[str, tuple[str, int]] = {}
    current: _Block | None = None
    for file, number, cells in rows:
        while cells and cells[-1] == "":
            cells = cells[:-1]
        if not cells:
            if current is not None and current.rows:
                current = None
            continue
        first = cells[0].casefold()
        if first in _META_KEYS and len(cells) >= 2 and (current is None or current.rows):
            current = None
            if first == "date":
                meta = {}
            meta[first] = (cells[1], number)
        elif first == "area" and len(cells) > 1:
            current = _Block(file, dict(meta), cells, number)
            blocks.append(current)
        elif current is not None and not cells[0] and "number" in (c.casefold() for c in cells):
            current.sub = cells
        elif current is not None and cells[0] and len(cells) > 1:
            current.rows.append((number, cells))
    return blocks


def _cell(cells: list[str], j: int) -> str:
    return cells[j] if j < len(cells) else ""


def _number(block: _Block, row: int, cells: list[str], j: int) -> float | None:
    """A count; None for a NOMIS marker (``!``, ``*``, ``~``, ``-``) or an empty cell."""
    raw = _cell(cells, j).replace(",", "")
    if raw == "" or raw in SUPPRESSION_MARKERS:
        return None
    try:
        return float(raw)
    except ValueError:
        raise DataError(f"{raw!r} is not a number", file=block.file, row=row,
                        column=block.header[j] if j < len(block.header) else f"column {j + 1}",
                        code="bad_number") from None


def _kind(blocks: list[_Block], path: Path) -> str:
    if not blocks:
        raise DataError("no 'Area' header line: not a NOMIS context download (APS T19 "
                        "qualifications, APS T09a occupations or UK Business Counts by size "
                        "band)", file=str(path), code="not_context")
    header = blocks[0].header
    if any(h.upper().startswith("T19:") for h in header):
        return "aps_qualifications"
    if any(h.upper().startswith("T09A:") for h in header):
        return "aps_occupations"
    if any(h.casefold().startswith("large") for h in header) and "industry" in blocks[0].meta:
        return "business_counts"
    raise DataError(
        f"the columns ({', '.join(header[1:5])} ...) are not APS T19 qualifications, APS T09a "
        "occupations or UK Business Counts by employment size band",
        file=blocks[0].file, row=blocks[0].header_row, code="not_context")


# --------------------------------------------------------------------------------------------
# The three tables
# --------------------------------------------------------------------------------------------


def _t19_columns(block: _Block) -> tuple[list[int], int, int | None]:
    """Positions of the 16-64 categories, of NVQ4+, and of NVQ4+'s confidence cell."""
    cats = [(j, m.group(1)) for j, h in enumerate(block.header) if (m := _T19_RE.search(h))]
    level4 = [j for j, name in cats if _LEVEL4_RE.match(name)]
    if len(cats) < 2 or not level4:
        raise DataError("the T19 columns for all people aged 16-64 (None, NVQ1 ... NVQ4+, "
                        "Other Qualifications) are not all there", file=block.file,
                        row=block.header_row, code="t19_columns")
    j4 = level4[0]
    conf = j4 + 2 if _cell(block.sub, j4 + 2).casefold() == "conf" else None
    return [j for j, _ in cats], j4, conf


def _qualification_rows(block: _Block, counts: dict[str, int]) -> list[dict]:
    cats, j4, conf = _t19_columns(block)
    year, _ = block.year()
    out = []
    for number, cells in block.rows:
        values = [_number(block, number, cells, j) for j in cats]
        counts["suppressed"] += sum(v is None for v in values)
        people = sum(v for v in values if v is not None)
        l4 = _number(block, number, cells, j4)
        ci = _number(block, number, cells, conf) if conf is not None else None
        if l4 is not None and ci is None:
            counts["no_ci"] += 1
        ok = l4 is not None and people > 0
        out.append({"name": cells[0], "year": year, "row": number,
                    "level4_share": l4 / people if ok else np.nan,
                    "level4_share_ci": ci / people if ok and ci is not None else np.nan,
                    "level4_people": people if people > 0 else np.nan,
                    "level4_year": float(year)})
    return out


@lru_cache(maxsize=1)
def load_soc_mapping() -> pd.DataFrame:
    """SOC 2010 sub-major groups -> SOC 2020 major groups (approximate; source in the .md)."""
    text = resources.files("evidence").joinpath(
        "data/soc2010_submajor_to_soc2020_major.csv").read_text("utf-8")
    return pd.read_csv(io.StringIO(text), dtype={"soc2010_submajor": str})


def _key(text: str) -> str:
    return " ".join(re.sub(r"[^\w\s]", " ", str(text).casefold().replace("&", " and ")).split())


def _soc_columns(block: _Block) -> dict[int, int]:
    """Column position of each sub-major group's count -> SOC 2020 major group."""
    mapping = load_soc_mapping()
    by_title = {_key(t): int(m) for t, m in zip(mapping["soc2010_title"],
                                                 mapping["soc2020_major"], strict=True)}
    out = {}
    for j, label in enumerate(block.header):
        match = _T09A_RE.match(label)
        if not match:
            continue
        title = _key(match.group(1))
        lead = re.match(r"^(\d)", title)
        major = by_title.get(title) or (int(lead.group(1)) if lead else None)
        if major is None:
            raise DataError(f"occupation {match.group(1)!r} is not a SOC 2010 sub-major group in "
                            "evidence/data/soc2010_submajor_to_soc2020_major.csv",
                            file=block.file, row=block.header_row, column=label,
                            code="unknown_soc")
        out[j] = major
    if not out:
        raise DataError("no T09a occupation columns ('T09a:1 (All people - ... (SOC2010) : All "
                        "people )')", file=block.file, row=block.header_row, code="t09a_columns")
    return out


def _occupation_rows(block: _Block, counts: dict[str, int]) -> list[dict]:
    columns = _soc_columns(block)
    year, _ = block.year()
    out = []
    for number, cells in block.rows:
        soc = np.zeros(9)
        seen = 0
        for j, major in columns.items():
            v = _number(block, number, cells, j)
            if v is None:
                counts["suppressed"] += 1
                continue
            soc[major - 1] += v
            seen += 1
        row: dict = {"name": cells[0], "year": year, "row": number, "soc_year": float(year)}
        row.update({f"soc_{k + 1}": (soc[k] if seen else np.nan) for k in range(9)})
        out.append(row)
    return out


def _business_rows(block: _Block, counts: dict[str, int]) -> list[dict]:
    industry = block.meta.get("industry", ("", 0))[0]
    if "manufacturing" not in industry.casefold():
        counts["other_industry_blocks"] += 1
        return []
    status = block.meta.get("legal status", ("Total", 0))[0]
    if status.casefold() != "total":
        counts["legal_status_not_total"] += 1
    where = {name: j for j, h in enumerate(block.header) for band, name in _SIZE_BANDS.items()
             if h.casefold().startswith(band.casefold())}
    missing = [band for band, name in _SIZE_BANDS.items() if name not in where]
    if missing:
        raise DataError(f"the size band column(s) {', '.join(missing)} are missing (expected "
                        "Total, Micro (0 to 9), Small, Medium-sized, Large (250+))",
                        file=block.file, row=block.header_row, code="ubc_columns")
    year, _ = block.year()
    out = []
    for number, cells in block.rows:
        row: dict = {"name": cells[0], "year": year, "row": number,
                     "enterprises_year": float(year)}
        for name, j in where.items():
            v = _number(block, number, cells, j)
            counts["suppressed"] += v is None
            row[name] = np.nan if v is None else v
        out.append(row)
    return out


_READERS = {"aps_qualifications": _qualification_rows, "aps_occupations": _occupation_rows,
            "business_counts": _business_rows}


# --------------------------------------------------------------------------------------------
# Area names -> GSS codes
# --------------------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _former_districts() -> dict[str, str]:
    """Normalised name of a district merged away -> its own (old) code."""
    changes = load_geography().code_changes
    merged = changes[changes["change"] == "merged"]
    return {_key(n): str(c) for n, c in zip(merged["old_name"], merged["old_code"], strict=True)}


def _group_prefix_match(stem: str, kinds: tuple[str, ...]) -> tuple[str, str] | None:
    """The one LSIP / combined authority whose name starts with a name NOMIS cut short."""
    frame = load_geography().frame
    found = set()
    for kind in kinds:
        code_col, name_col = (("lsip_code", "lsip_name") if kind == "lsip"
                              else ("cauth_code", "cauth_name"))
        for code, name in frame[[code_col, name_col]].drop_duplicates().itertuples(index=False):
            if name and _key(name).startswith(_key(stem)) and len(_key(stem)) >= 8:
                found.add((str(code), str(name)))
    return found.pop() if len(found) == 1 else None


def _user_defined(name: str, body: str) -> tuple[str | None, str, str]:
    """(code or None, area name, note) for a NOMIS user-defined geography."""
    match = _UDG_SUFFIX.match(body)
    stem, suffix = (match.group(1), (match.group(2) or "").upper()) if match else (body, "")
    kinds: tuple[str, ...] = (("lsip",) if suffix.startswith("L") else
                              ("combined_authority",) if suffix.startswith("M") else
                              ("lsip", "combined_authority"))
    try:
        hit = resolve_area(stem, kinds=kinds)
        return hit.code, hit.name, hit.note
    except AreaNotFound:
        pass
    found = _group_prefix_match(stem, kinds)
    if found:
        return found[0], found[1], "the name is cut short in the NOMIS download"
    return None, stem, ""


def _resolve(names: list[str]) -> tuple[dict[str, tuple[str, str]], list[str], list[str],
                                         dict[str, str]]:
    """name -> (code, area name); names not resolved; notes; code -> how its name was read.
    One code, one name: an exact match wins over an approximate one (a ``lep:`` name read as
    an LSIP area)."""
    found: dict[str, tuple[str, str, bool]] = {}
    unresolved, notes = [], []
    code_notes: dict[str, str] = {}
    plain = []
    for name in dict.fromkeys(names):
        udg = _UDG_RE.match(name)
        prefix, _, rest = name.partition(":")
        if udg:
            code, area, note = _user_defined(name, udg.group(1))
            if code is None:
                unresolved.append(name)
                near = suggest_areas(area)[:3]
                if near:
                    notes.append(f"Area {name!r} is not in the bundled geography; near names: "
                                 f"{', '.join(near)}.")
                continue
            found[name] = (code, area, False)
            if note:
                code_notes[code] = f"{name!r} read as {area} ({code}): {note}."
        elif prefix.strip().casefold() in ("ladu", "lauth") and _key(rest) in _former_districts():
            found[name] = (_former_districts()[_key(rest)], rest.strip(), False)
        else:
            plain.append(name)
    res = resolve_names(plain)
    unresolved += res.unresolved
    for note in res.notes:  # places.resolve_names: "'name' read as ..." or "Area 'name' is not"
        name = next((n for n in res.codes if note.startswith(repr(n))), None)
        if name is None:
            notes.append(note)
        else:
            code_notes.setdefault(res.codes[name], note)
    for name, code in res.codes.items():
        approximate = name.casefold().startswith("lep:")
        found[name] = (code, res.names[name], approximate)
    out: dict[str, tuple[str, str]] = {}
    owner: dict[str, str] = {}
    for name, (code, area, _approx) in sorted(found.items(), key=lambda kv: kv[1][2]):
        if code in owner:
            notes.append(f"{name!r} not used: {owner[code]!r} gives the same area ({code}).")
            continue
        owner[code] = name
        out[name] = (code, area)
    return out, unresolved, notes, code_notes


# --------------------------------------------------------------------------------------------
# Reading and merging
# --------------------------------------------------------------------------------------------


def _count_notes(kind: str, counts: dict[str, int]) -> list[str]:
    short = _SHORT[kind]
    out = []
    if counts["suppressed"]:
        out.append(f"{short}: {counts['suppressed']:,} cell(s) marked by NOMIS as not available "
                   "or too small ('!', '~', '-'); they count as 0 in the sums.")
    if counts["no_ci"]:
        out.append(f"{short}: {counts['no_ci']:,} area-period(s) have no usable confidence "
                   "interval for the NVQ4+ count ('*': sample of 3-9 people, unreliable).")
    if counts["other_industry_blocks"]:
        out.append(f"{short}: {counts['other_industry_blocks']} block(s) for other broad "
                   "industries were not used (only 3 : Manufacturing (C) is read).")
    if counts["legal_status_not_total"]:
        out.append(f"{short}: {counts['legal_status_not_total']} block(s) are for one legal "
                   "status only, not the Total.")
    if kind == "aps_occupations":
        out.append(f"{short}: SOC 2010 sub-major groups summed to major groups and read as the "
                   "SOC 2020 major group of the same number (approximate: SOC 2020 moved some "
                   "unit groups between major groups; evidence/data/"
                   "soc2010_submajor_to_soc2020_major.md).")
    if kind == "business_counts":
        out.append(f"{short}: counts are rounded to the nearest 5 by ONS (disclosure control); "
                   "a zero is not necessarily a true zero.")
    return out


def read_context(path: str | Path) -> ContextFile:
    """Read one NOMIS context download (kind detected from its columns)."""
    path = Path(path)
    blocks = _blocks(_sheet_rows(path))
    kind = _kind(blocks, path)
    counts = dict.fromkeys(("suppressed", "no_ci", "other_industry_blocks",
                            "legal_status_not_total"), 0)
    records: list[dict] = []
    periods: dict[int, str] = {}
    for block in blocks:
        rows = _READERS[kind](block, counts)
        if rows:
            year, label = block.year()
            periods[year] = label
            records += rows
    if not records:
        what = ("a 3 : Manufacturing (C) block" if kind == "business_counts" else "area rows")
        raise DataError(f"no {what} in the file", file=str(path), code="no_context_rows")
    frame = pd.DataFrame.from_records(records)
    codes, unresolved, notes, code_notes = _resolve(list(frame["name"]))
    frame["area_code"] = frame["name"].map(lambda n: codes.get(n, (None, ""))[0])
    kept = frame[frame["area_code"].notna()]
    dupes = kept.duplicated(["area_code", "year"])
    if dupes.any():
        r = kept[dupes].iloc[0]
        raise DataError(f"area {r['name']!r} appears twice for {periods[int(r['year'])]}",
                        file=str(path), row=int(r["row"]), column="Area", code="duplicate_area")
    table = kept.drop(columns=["name", "row"]).reset_index(drop=True)
    table["year"] = table["year"].astype(int)
    names = {c: a for c, a in codes.values()}
    if unresolved:
        notes.append(f"{_SHORT[kind]}: {len(unresolved)} area name(s) not found in the bundled "
                     f"geography, left out: {', '.join(unresolved)}.")
    return ContextFile(path=str(path), kind=kind, table=table, periods=periods,
                       rows_read=len(records), names=names, unresolved=unresolved,
                       notes=notes + _count_notes(kind, counts), name_notes=code_notes)


def _align_years(cf: ContextFile, table: pd.DataFrame, years: list[int]
                 ) -> tuple[pd.DataFrame, list[str]]:
    """Copy the latest earlier period into each employment year the file has no period for
    (the ``*_year`` columns keep the year the figures are for) and say so."""
    have = sorted(int(y) for y in table["year"].unique())
    extra, notes = [], []
    for year in years:
        earlier = [h for h in have if h < year]
        if year in have or not earlier:
            continue
        rows = table[table["year"] == earlier[-1]].assign(year=year)
        extra.append(rows)
        notes.append(f"{_SHORT[cf.kind]}: no {year} figures in the file; {cf.periods[earlier[-1]]}"
                     f" is used for {year}.")
    return (pd.concat([table, *extra], ignore_index=True) if extra else table), notes


def _combine(old: pd.DataFrame | None, new: pd.DataFrame) -> pd.DataFrame:
    """One row per area and year; the new file's values win where both have one."""
    if old is None or old.empty:
        return new.reset_index(drop=True)
    both = pd.concat([old, new], ignore_index=True)
    return both.groupby(["area_code", "year"], as_index=False, sort=True).last()


def merge_context(ds: Dataset, paths: Iterable[str | Path]) -> Dataset:
    """``ds`` with the context downloads in ``paths`` added to its context table.

    Rows are matched to the employment areas by GSS code; rows for other areas are left out and
    counted (in the load report's ``context`` lines and the notes). A file none of whose areas
    is in the employment data is an error, since nothing from it could be used.
    """
    paths = [p for p in paths if p]
    if not paths:
        return ds
    context = ds.context
    notes = list(ds.source.notes)
    lines = []
    known_codes = set(ds.areas["area_code"])
    for path in paths:
        cf = read_context(path)
        known = cf.table["area_code"].isin(known_codes)
        if not known.any():
            sample = ", ".join(f"{cf.names.get(c, c)} ({c})"
                               for c in list(dict.fromkeys(cf.table["area_code"]))[:3])
            raise DataError(f"none of the areas in this {_SHORT[cf.kind]} file are in the "
                            f"employment data (it has {sample} ...); download the same areas "
                            "(by district) as the employment file", file=cf.path,
                            code="context_no_common_areas")
        left_out = sorted(set(cf.table.loc[~known, "area_code"]))
        table, year_notes = _align_years(cf, cf.table[known], ds.years)
        context = _combine(context, table)
        matched = int(cf.table.loc[known, "area_code"].nunique())
        notes += [f"{_SHORT[cf.kind]}: {cf.source}, {cf.period_text()} ({Path(cf.path).name})."]
        notes += [cf.name_notes[c] for c in sorted(set(table["area_code"])) if c in cf.name_notes]
        notes += cf.notes + year_notes
        if left_out:
            notes.append(f"{_SHORT[cf.kind]}: {len(left_out)} area(s) in the file are not in the "
                         "employment data and were left out: "
                         + "; ".join(cf.names.get(c, c) for c in left_out[:5])
                         + ("; ..." if len(left_out) > 5 else ""))
        lines.append(f"{_SHORT[cf.kind]} ({Path(cf.path).name}), {cf.period_text()}: "
                     f"{cf.rows_read:,} area rows read, {matched} area(s) matched, "
                     f"{len(left_out)} not in the employment data (left out), "
                     f"{len(cf.unresolved)} name(s) not resolved"
                     + (f" ({', '.join(cf.unresolved[:5])}"
                        f"{' ...' if len(cf.unresolved) > 5 else ''})" if cf.unresolved else ""))
    report = ds.source.report
    if report is not None:
        report = replace(report, context=[*report.context, *lines])
    else:  # the demo or a tidy file: no load report, so the lines go into the notes
        notes += [f"Context file: {line}." for line in lines]
    source = replace(ds.source, name=f"{ds.source.name} + NOMIS context", notes=notes,
                     report=report)
    return validate_dataset(replace(ds, context=context, source=source))
