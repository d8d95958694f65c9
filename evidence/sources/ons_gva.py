"""ONS regional gross value added (balanced) by industry for local authorities -> GVA table.

Source: ONS, "Regional gross value added (balanced) by industry: local authorities by ITL1
region" (https://www.ons.gov.uk/economy/grossvalueaddedgva/datasets/
regionalgrossvalueaddedbalancedbyindustrylocalauthoritiesbyitl1region). Each workbook holds one
sheet per table (``Table1a`` ..., or one per region) laid out the ONS accessible-spreadsheet way:
a few title/note rows, then a header row

    ITL region code | ITL region name | LA code | LA name | SIC07 code | SIC07 description |
    1998 | ... | 2022

with values in GBP million at current basic prices, ``[c]`` (confidential), ``[x]`` (not
available) or ``..`` where nothing is published. The same table saved as CSV is accepted.

Industries in that release are coarser than BRES: single divisions (``C29``), ranges of
divisions (``C10-12``, ``C26-27``), sections (``C``) and totals. Single divisions are normalised
with :func:`evidence.sectors.normalise_sic` (``C29`` -> ``29``); ranges are kept as a combined
key (``"26-27"``) because splitting GVA between divisions would invent numbers. The notes then
say which Table 1 sectors the file cannot separate, so productivity findings stay honest.

GVA never loads on its own: it has no employment, so :func:`attach_gva` merges it into a
``Dataset`` read from an employment file.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd

from evidence.dataset import DataError, Dataset, validate_dataset
from evidence.geography import load_geography
from evidence.sectors import (
    TOTAL_CODE,
    SicCodeError,
    load_sectors,
    match_code,
    normalise_sic,
    unseparable_sectors,
)
from evidence.sources.text import (
    SUPPRESSION_MARKERS,
    magic_bytes,
    read_head_lines,
    read_text,
    xlsx_sheets,
)

__all__ = [
    "attach_gva",
    "looks_like_ons_gva",
    "normalise_gva_code",
    "read_ons_gva",
    "split_range_code",
    "xlsx_has_gva_table",
]

GVA_SOURCE = "ONS regional GVA (balanced) by industry, local authorities, current prices"

_DIVISIONS = (
    "01 02 03 05 06 07 08 09 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28 29 30 31 32 "
    "33 35 36 37 38 39 41 42 43 45 46 47 49 50 51 52 53 55 56 58 59 60 61 62 63 64 65 66 68 69 70 "
    "71 72 73 74 75 77 78 79 80 81 82 84 85 86 87 88 90 91 92 93 94 95 96 97 98 99".split()
)

_SECTION_DIVISIONS = {
    "A": (1, 3), "B": (5, 9), "C": (10, 33), "D": (35, 35), "E": (36, 39), "F": (41, 43),
    "G": (45, 47), "H": (49, 53), "I": (55, 56), "J": (58, 63), "K": (64, 66), "L": (68, 68),
    "M": (69, 75), "N": (77, 82), "O": (84, 84), "P": (85, 85), "Q": (86, 88), "R": (90, 93),
    "S": (94, 96), "T": (97, 98), "U": (99, 99),
    # ONS A*64 manufacturing sub-sections, as used in the regional accounts
    "CA": (10, 12), "CB": (13, 15), "CC": (16, 18), "CD": (19, 19), "CE": (20, 20),
    "CF": (21, 21), "CG": (22, 23), "CH": (24, 25), "CI": (26, 26), "CJ": (27, 27),
    "CK": (28, 28), "CL": (29, 30), "CM": (31, 33),
}  # fmt: skip
"""SIC 2007 sections (and ONS sub-sections) as division ranges."""

_TOTAL_RE = re.compile(r"^(?:total|all industries|all|total gva|total industries)\b", re.I)
_NOTE_RE = re.compile(r"\s*\[(?:note|notes)[^\]]*\]", re.I)
_RANGE_RE = re.compile(r"^([A-U]{0,2})\s*(\d{1,2})\s*[-\u2013]\s*[A-U]?\s*(\d{1,2})$")
_PAREN_RANGE_RE = re.compile(r"^([A-U]{1,3})\s*\(\s*(\d{1,2})\s*(?:[-\u2013]\s*(\d{1,2}))?\s*\)$")
_GROUPED_RE = re.compile(
    r"^[A-U]{1,2}-[A-U]{1,2}\s*\(\s*(\d{1,2})\s*(?:[-\u2013]\s*(\d{1,2}))?\s*\)$"
)
_YEAR_RE = re.compile(r"^((?:19|20)\d{2})(?:\.0)?\s*p?$", re.I)

_HEADER_PATTERNS = {
    "area_code": re.compile(
        r"^(?:la|lad|local authority(?: district)?)\s*(?:\d{2,4}\s*)?code$"
        r"|^lad\d{2}cd$"
    ),
    "area_name": re.compile(
        r"^(?:la|lad|local authority(?: district)?)\s*(?:\d{2,4}\s*)?name$"
        r"|^lad\d{2}nm$"
    ),
    "sic": re.compile(r"^sic\s*(?:20)?0?7 code$|^sic code$|^industry code$|^sic07$"),
    "itl_code": re.compile(r"^itl\s*[1-3]?\s*(?:region\s*)?code$"),
    "itl_name": re.compile(r"^(?:itl\s*[1-3]?\s*)?region\s*name$"),
}
_SKIP_TITLE_WORDS = (
    "chained volume",
    "deflator",
    "index",
    "per head",
    "per hour",
    "per filled job",
    "growth",
    "percentage",
)
"""Tables of the same workbook that are not GVA in GBP million at current prices."""


# --------------------------------------------------------------------------------------------
# industry codes
# --------------------------------------------------------------------------------------------


def _range_key(lo: int, hi: int, raw: str) -> str:
    if not (1 <= lo <= 99 and 1 <= hi <= 99) or hi < lo:
        raise SicCodeError(f"{raw!r} is not a range of SIC 2007 divisions")
    return f"{lo:02d}" if lo == hi else f"{lo:02d}-{hi:02d}"


def normalise_gva_code(raw: object) -> str:
    """Key for one ``SIC07 code`` of the regional GVA tables.

    ``C29`` -> ``29``; ``C10-12`` / ``CA (10-12)`` / ``CA`` -> ``10-12``; ``C`` / ``C (10-33)``
    -> ``10-33``; ``Total`` / ``All industries`` -> ``TOTAL``. Raises SicCodeError otherwise.
    """
    if raw is None or (isinstance(raw, float) and np.isnan(raw)):
        raise SicCodeError("empty industry code")
    text = _NOTE_RE.sub("", str(raw)).strip()
    if not text:
        raise SicCodeError("empty industry code")
    if _TOTAL_RE.match(text):
        return TOTAL_CODE
    compact = text.upper()
    if re.fullmatch(r"\d", compact):
        compact = f"0{compact}"  # ITL tables write divisions 1-9 without the leading zero
    if re.fullmatch(r"\d{2}[A-Z]{2,}", compact):
        return compact  # e.g. 68IMP (imputed rent, part of division 68): in no sector
    grouped = _GROUPED_RE.match(compact)
    if grouped:  # "CD-CG (19-23)", "CI-CJ (26-27)": ONS groupings with their divisions
        lo = int(grouped.group(1))
        return _range_key(lo, int(grouped.group(2) or lo), text)
    letters = re.fullmatch(r"([A-U])-([A-U])", compact)
    if letters:  # "A-E", "G-T": a run of sections
        return _range_key(_SECTION_DIVISIONS[letters.group(1)][0],
                          _SECTION_DIVISIONS[letters.group(2)][1], text)
    paren = _PAREN_RANGE_RE.match(compact)
    if paren:
        lo = int(paren.group(2))
        hi = int(paren.group(3) or lo)
        return _range_key(lo, hi, text)
    rng = _RANGE_RE.match(compact)
    if rng:
        return _range_key(int(rng.group(2)), int(rng.group(3)), text)
    if compact in _SECTION_DIVISIONS:
        return _range_key(*_SECTION_DIVISIONS[compact], text)
    if re.fullmatch(r"[A-U]{2,3}", compact) and all(c in _SECTION_DIVISIONS for c in compact):
        # combined sections such as "AB": from the first section's start to the last one's end
        return _range_key(
            _SECTION_DIVISIONS[compact[0]][0], _SECTION_DIVISIONS[compact[-1]][1], text
        )
    key = normalise_sic(compact)
    if key != TOTAL_CODE and key[:2] not in _DIVISIONS:
        raise SicCodeError(f"{text!r}: SIC 2007 has no division {key[:2]}")
    return key


def split_range_code(code: str) -> list[str]:
    """The SIC 2007 divisions a GVA industry key covers.

    ``"26-27"`` (or the raw ``C26-27``) -> ``["26", "27"]``; ``"10-12"`` -> ``["10", "11",
    "12"]``; a single code comes back alone (``"29"`` -> ``["29"]``), ``TOTAL`` as ``["TOTAL"]``.
    Divisions SIC 2007 does not have (04, 34, ...) are left out of ranges.
    """
    key = code if re.fullmatch(r"\d{2}-\d{2}|\d{2,4}|TOTAL", code) else normalise_gva_code(code)
    if "-" not in key:
        return [key]
    lo, hi = (int(part) for part in key.split("-"))
    return [d for d in _DIVISIONS if lo <= int(d) <= hi]


def _sector_labels(ids: list[str]) -> str:
    labels = {s.sector_id: s.label for s in load_sectors()}
    return " / ".join(labels.get(i, i) for i in ids)


def unseparable_note(keys: list[str] | pd.Series) -> list[str]:
    """Say which Table 1 sectors this GVA file cannot isolate, and in which combined code."""
    keys = [k for k in pd.unique(pd.Series(list(keys), dtype=object)) if k != TOTAL_CODE]
    singles = [k for k in keys if "-" not in k]
    isolated = {match_code(k).sector_id for k in singles} - {None}
    blocked: dict[str, list[str]] = {}
    coarse = unseparable_sectors(singles)  # e.g. division 30 -> aerospace, other_transport
    members = {k: split_range_code(k) for k in keys}
    absent: list[str] = []
    for sector in load_sectors():
        sid = sector.sector_id
        if sid in isolated:
            continue
        holders = [k for k, ids in coarse.items() if sid in ids]
        for k in keys:
            if "-" in k:
                for d in members[k]:
                    m = match_code(d)
                    if m.sector_id == sid or sid in m.overlaps:
                        holders.append(k)
                        break
        if not holders:
            absent.append(sid)
            continue
        narrowest = min(holders, key=lambda k: (len(members.get(k, [k])), k))
        blocked.setdefault(narrowest, []).append(sid)
    notes: list[str] = []
    if blocked:
        parts = [
            f"{_sector_labels(ids)} (only within {code})" for code, ids in sorted(blocked.items())
        ]
        notes.append(
            "GVA cannot be separated for these Table 1 sectors because the file combines "
            "industries: " + "; ".join(parts) + "."
        )
    if absent:
        notes.append(f"GVA file has no industry covering: {_sector_labels(absent)}.")
    return notes


# --------------------------------------------------------------------------------------------
# table detection
# --------------------------------------------------------------------------------------------


def _clean_header(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = _NOTE_RE.sub("", str(value)).strip()
    return re.sub(r"\s+", " ", text)


def _header_roles(cells: list[object]) -> dict[str, int] | None:
    """Column positions of a GVA header row, or None if ``cells`` is not one."""
    roles: dict[str, int] = {}
    years: dict[int, int] = {}
    for j, cell in enumerate(cells):
        text = _clean_header(cell)
        low = text.lower()
        for role, pattern in _HEADER_PATTERNS.items():
            if role not in roles and pattern.match(low):
                roles[role] = j
        year = _YEAR_RE.match(text)
        if year:
            years[j] = int(year.group(1))
    if "area_code" not in roles and "itl_code" in roles:
        # The ITL1 / ITL3 tables ("ITL code, Region name, SIC07 code, ..."): areas are ITL
        # regions; in the local-authority table the LA columns win.
        roles["area_code"] = roles.pop("itl_code")
        if "itl_name" in roles:
            roles["area_name"] = roles.pop("itl_name")
    roles.pop("itl_code", None)
    roles.pop("itl_name", None)
    if "area_code" in roles and "sic" in roles and years:
        roles.update({f"year:{y}": j for j, y in years.items()})
        return roles
    return None


def looks_like_ons_gva(header_lines: list[str]) -> bool:
    """True when one of the first lines of a CSV is the GVA header (LA code, SIC07 code, years)."""
    for line in header_lines[:60]:
        try:
            cells = next(csv.reader([line.lstrip("\ufeff")]))
        except (csv.Error, StopIteration):
            continue
        if _header_roles(list(cells)) is not None:
            return True
    return False


def xlsx_has_gva_table(path: str | Path) -> bool:
    """True when some sheet of the workbook has the GVA header within its first 40 rows."""
    try:
        for _sheet, rows in xlsx_sheets(Path(path), str(path), max_rows=40):
            if any(_header_roles(list(cells)) for _line, cells in rows):
                return True
    except DataError:
        return False
    return False




# --------------------------------------------------------------------------------------------
# reading
# --------------------------------------------------------------------------------------------


def _where(sheet: str | None, column: int | None = None, row: int | None = None) -> str:
    """Message prefix naming the sheet (and the cell, as Excel shows it) for XLSX input."""
    if not sheet:
        return ""
    if column is not None and row is not None:
        from openpyxl.utils import get_column_letter

        return f"sheet {sheet!r}, cell {get_column_letter(column + 1)}{row}: "
    return f"sheet {sheet!r}: "


def _is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _table_frame(
    rows: list[tuple[int, list[object]]],
    file: str,
    sheet: str | None,
    notes: list[str],
) -> tuple[pd.DataFrame, dict[str, str]] | None:
    """Long GVA rows (+ line numbers) of one sheet / CSV, or None if it has no GVA header."""
    found = _find_gva_header(rows, sheet, notes)
    if found is None:
        return None
    header_at, roles = found
    header_line, header_cells = rows[header_at]
    year_cols = sorted((int(k[5:]), j) for k, j in roles.items() if k.startswith("year:"))
    kept = _gva_data_rows(rows[header_at + 1 :], header_cells, roles, year_cols, file, sheet)
    if not kept:
        raise DataError(
            f"{_where(sheet)}the GVA table has no data rows", file=file, row=header_line + 1
        )
    code_j, sic_j = roles["area_code"], roles["sic"]
    name_j = roles.get("area_name")
    lines = np.asarray([line for line, _ in kept])
    codes = np.asarray([str(c[code_j]).strip() for _, c in kept], dtype=object)
    names = {
        str(c[code_j]).strip(): str(c[name_j]).strip()
        for _, c in kept
        if name_j is not None and not _is_blank(c[name_j])
    }
    sic_column = _clean_header(header_cells[sic_j])
    keys = _gva_keys([c[sic_j] for _, c in kept], lines, file, sheet, sic_column)
    parts = []
    for year, j in year_cols:
        raw = [c[j] for _, c in kept]
        gva, suppressed = _gva_values(raw, lines, file, sheet, j, _clean_header(header_cells[j]))
        parts.append(
            pd.DataFrame(
                {
                    "area_code": codes,
                    "year": year,
                    "sic": keys,
                    "gva": gva,
                    "suppressed": suppressed,
                    "line": lines,
                }
            )
        )
    frame = pd.concat(parts, ignore_index=True)
    frame["sheet"] = sheet or ""
    return frame, names


def _find_gva_header(
    rows: list[tuple[int, list[object]]], sheet: str | None, notes: list[str]
) -> tuple[int, dict[str, int]] | None:
    """Position and column roles of the GVA header; None when absent or the table is skipped
    by its title (e.g. chained volume measures), with a note saying so."""
    header_at = None
    roles: dict[str, int] | None = None
    for k, (_line, cells) in enumerate(rows):
        roles = _header_roles(cells)
        if roles is not None:
            header_at = k
            break
    if roles is None or header_at is None:
        return None
    title = (
        " ".join(str(c) for _line, cells in rows[:header_at] for c in cells if not _is_blank(c))
        + f" {sheet or ''}"
    )
    skip_word = next((w for w in _SKIP_TITLE_WORDS if w in title.lower()), None)
    if skip_word is not None and "current price" not in title.lower():
        notes.append(f"Skipped {_where(sheet)}table titled '{title.strip()[:80]}' ({skip_word}).")
        return None
    return header_at, roles


def _gva_data_rows(
    rows: list[tuple[int, list[object]]],
    header_cells: list[object],
    roles: dict[str, int],
    year_cols: list[tuple[int, int]],
    file: str,
    sheet: str | None,
) -> list[tuple[int, list[object]]]:
    """The data rows under the header, padded to its width; footnotes and blanks dropped."""
    width = len(header_cells)
    data = [
        (line, list(cells) + [None] * (width - len(cells)))
        for line, cells in rows
        if not all(_is_blank(c) for c in cells)
    ]
    code_j, sic_j = roles["area_code"], roles["sic"]
    kept: list[tuple[int, list[object]]] = []
    for line, cells in data:
        code, sic = cells[code_j], cells[sic_j]
        values_blank = all(_is_blank(cells[j]) for _y, j in year_cols)
        if _is_blank(code) and _is_blank(sic) and values_blank:
            continue  # a footnote line under the table
        if _is_blank(code):
            raise DataError(
                f"{_where(sheet)}missing LA code",
                file=file,
                row=line,
                column=_clean_header(header_cells[code_j]),
            )
        if _is_blank(sic):
            raise DataError(
                f"{_where(sheet)}missing SIC07 code",
                file=file,
                row=line,
                column=_clean_header(header_cells[sic_j]),
            )
        kept.append((line, cells))
    return kept


def _gva_keys(
    sic_raw: list[object], lines: np.ndarray, file: str, sheet: str | None, column: str
) -> np.ndarray:
    """Normalised industry keys of the rows' SIC07 codes (each distinct code read once)."""
    keys = np.empty(len(sic_raw), dtype=object)
    cache: dict[str, str] = {}
    for i, raw in enumerate(sic_raw):
        text = str(raw).strip()
        if text not in cache:
            try:
                cache[text] = normalise_gva_code(text)
            except SicCodeError as exc:
                raise DataError(
                    f"{_where(sheet)}{exc}", file=file, row=int(lines[i]), column=column
                ) from None
        keys[i] = cache[text]
    return keys


def _gva_values(
    raw: list[object],
    lines: np.ndarray,
    file: str,
    sheet: str | None,
    col_index: int,
    column: str,
) -> tuple[np.ndarray, np.ndarray]:
    """GBP million per cell: numbers as they are, ONS markers as NaN (counted), else an error."""
    series = pd.Series(raw, dtype=object)
    is_num = series.map(lambda v: isinstance(v, (int, float)) and not isinstance(v, bool))
    text = series.where(~is_num, "").map(lambda v: "" if v is None else str(v).strip())
    parsed = pd.to_numeric(text.str.replace(",", "", regex=False), errors="coerce")
    numbers = np.where(is_num, pd.to_numeric(series.where(is_num), errors="coerce"), parsed)
    numbers = numbers.astype(float)
    marker = text.isin(SUPPRESSION_MARKERS).to_numpy() | (text == "").to_numpy() & ~is_num
    bad = np.isnan(numbers) & ~marker
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise DataError(
            f"{_where(sheet, col_index, int(lines[i]))}{text.iloc[i]!r} is not a number "
            "(GVA, GBP million)",
            file=file,
            row=int(lines[i]),
            column=column,
        )
    return numbers, np.isnan(numbers)


def read_ons_gva(path: str | Path) -> pd.DataFrame:
    """Read the ONS local-authority GVA-by-industry table (XLSX workbook or CSV).

    Returns columns ``area_code, year, sic, gva`` (GBP million, current prices; NaN where ONS
    suppressed the cell). ``attrs`` carry ``notes`` (list of str), ``suppressed_cells`` (int),
    ``area_names`` (dict code -> name), ``source`` and ``path``. Raises DataError naming file,
    sheet, row and column for anything unreadable.
    """
    path = Path(path)
    file = str(path)
    magic = magic_bytes(path, file)
    notes: list[str] = []
    frames: list[pd.DataFrame] = []
    names: dict[str, str] = {}
    if magic.startswith(b"PK"):
        sheets = xlsx_sheets(path, file)
        for sheet, rows in sheets:
            result = _table_frame(rows, file, sheet, notes)
            if result is not None:
                frames.append(result[0])
                names.update(result[1])
        if not frames:
            raise DataError(
                "no GVA table found: looked in sheets "
                f"{', '.join(repr(s) for s, _ in sheets)} for a header row with 'LA code', "
                "'SIC07 code' and year columns",
                file=file,
            )
    else:
        read_head_lines(path)  # empty / binary checks with the shared messages
        text = read_text(path, file)
        reader = csv.reader(io.StringIO(text))
        try:
            rows = [(reader.line_num, list(cells)) for cells in reader]
        except csv.Error as exc:
            raise DataError(
                f"cannot parse the CSV: {exc}", file=file, row=reader.line_num
            ) from None
        result = _table_frame(rows, file, None, notes)
        if result is None:
            raise DataError(
                "no GVA table found: expected a header line with 'LA code', 'SIC07 code' and "
                "year columns",
                file=file,
            )
        frames.append(result[0])
        names.update(result[1])
    gva = pd.concat(frames, ignore_index=True)
    dupes = gva.duplicated(["area_code", "year", "sic"])
    if dupes.any():
        i = int(np.flatnonzero(dupes.to_numpy())[0])
        r = gva.iloc[i]
        raise DataError(
            f"{_where(r['sheet'] or None)}LA {r['area_code']}, industry {r['sic']}, year "
            f"{r['year']} appears twice",
            file=file,
            row=int(r["line"]),
        )
    suppressed = int(gva["suppressed"].sum())
    if suppressed:
        by_area = gva.loc[gva["suppressed"], "area_code"].value_counts().head(5)
        notes.append(
            f"{suppressed} GVA cells suppressed by ONS ([c] / [x] / ..); GVA is missing there. "
            "Most in: " + ", ".join(f"{names.get(a, a)} {n}" for a, n in by_area.items()) + "."
        )
    notes += unseparable_note(gva["sic"])
    out = gva[["area_code", "year", "sic", "gva"]].copy()
    out["area_code"] = out["area_code"].astype(str)
    out["sic"] = out["sic"].astype(str)
    out["year"] = out["year"].astype("int64")
    out["gva"] = out["gva"].astype(float)
    out.attrs = {
        "notes": notes,
        "suppressed_cells": suppressed,
        "area_names": names,
        "source": GVA_SOURCE,
        "path": file,
    }
    return out


_ITL_RE = re.compile(r"^(?:TL[C-N][A-Z0-9]{0,3}|UK[C-N]?[A-Z0-9]{0,3})$")


def _itl_to_gss(gva: pd.DataFrame, ds: Dataset) -> tuple[pd.DataFrame, list[str]]:
    """ITL1 codes (``TLC`` North East ...) to the GSS region codes the employment file uses."""
    codes = set(gva["area_code"])
    if not any(_ITL_RE.match(str(c)) for c in codes):
        return gva, []
    frame = load_geography().gb()
    itl1 = dict(zip(frame["itl1_code"], frame["region_code"], strict=False))
    mapping = {c: itl1[c] for c in codes if c in itl1 and c not in set(ds.areas["area_code"])}
    notes = []
    if mapping:
        notes.append(f"Read {len(mapping)} ITL1 region(s) as the matching GSS regions "
                     "(e.g. TLC as North East E12000001).")
    finer = sorted(c for c in codes if _ITL_RE.match(str(c)) and len(str(c)) > 3)
    if finer:
        notes.append(f"{len(finer)} ITL2/ITL3 area(s) (e.g. {finer[0]}) have no bundled lookup "
                     "to districts; their GVA is used only if the employment file has the "
                     "same codes.")
    out = gva.copy()
    out["area_code"] = out["area_code"].map(lambda c: mapping.get(c, c))
    out.attrs = gva.attrs
    return out, notes


def attach_gva(ds: Dataset, gva_path: str | Path) -> Dataset:
    """Return a copy of ``ds`` with the GVA table of ``gva_path`` merged in.

    GVA rows for areas the employment file does not have are left out (and counted in the
    notes: usually a different local-authority code vintage). ``SourceInfo.suppressed_cells``
    stays the employment count; GVA suppression is reported in the notes.
    """
    gva = read_ons_gva(gva_path)
    attrs = dict(gva.attrs)
    gva, itl_notes = _itl_to_gss(gva, ds)
    attrs["notes"] = list(attrs["notes"]) + itl_notes
    known = gva["area_code"].isin(ds.areas["area_code"])
    notes = list(ds.source.notes) + [f"GVA: {n}" for n in attrs["notes"]]
    if not known.any():
        first = str(gva["area_code"].iloc[0])
        if _ITL_RE.match(first):
            raise DataError(
                f"the GVA file is at ITL level ({first}): its areas are ITL regions, and the "
                "employment file has none of them (ITL1 regions match region rows E12..., "
                "W92000004, S92000003; ITL2/ITL3 areas have no bundled lookup); use the "
                "local-authority GVA table for districts",
                file=str(gva_path),
                code="gva_level_mismatch",
            )
        raise DataError(
            "none of the GVA file's LA codes match the employment file's areas "
            f"(e.g. {first}); check both use the same local authority codes",
            file=str(gva_path),
        )
    if not known.all():
        missing = sorted(gva.loc[~known, "area_code"].unique())
        notes.append(
            f"GVA: {len(missing)} LA(s) not in the employment file were left out: "
            f"{', '.join(missing[:5])}{' ...' if len(missing) > 5 else ''}."
        )
    merged = gva.loc[known].reset_index(drop=True)
    if ds.gva is not None and not ds.gva.empty:
        merged = (
            pd.concat([ds.gva, merged], ignore_index=True)
            .drop_duplicates(["area_code", "year", "sic"], keep="last")
            .reset_index(drop=True)
        )
        notes.append("GVA: merged with GVA already in the dataset; the new file wins on overlap.")
    overlap = set(merged["year"].unique()) & set(ds.years)
    if not overlap:
        notes.append("GVA: no year in common with the employment data.")
    merged.attrs = {}
    source = replace(
        ds.source,
        name=f"{ds.source.name} + {GVA_SOURCE}",
        notes=notes,
    )
    return validate_dataset(replace(ds, gva=merged, source=source))
