"""The advanced manufacturing classification (the brief's Table 1) and SIC 2007 code matching.

The table itself lives in ``evidence/data/sectors.csv`` so that evidence, rules and UI read one
source. Codes arrive in many spellings (``30.30``, ``3030``, ``30.3``, ``C30.3``, NOMIS labels such
as ``3030 : Manufacture of air and spacecraft ...``, five-digit UK subclasses ``30300``); they are
all normalised to a digits-only key whose length gives the level: 2 = division, 3 = group,
4 = class.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from io import StringIO
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

TOTAL_CODE = "TOTAL"
"""Normalised key for an all-industries row (NOMIS 'Total', 'Column Total', 'All industries')."""

_TOTAL_LABELS = {"total", "column total", "all industries", "all", "total industries", "tot"}
_CODE_RE = re.compile(r"^\s*(?:[A-Ua-u]\s*)?(\d{2})(?:\.?(\d))?(?:\.?(\d))?(?:\.?(\d))?\s*$")


@dataclass(frozen=True)
class Sector:
    """One row of Table 1 (a plain frozen record: the packaged file is checked by its tests,
    and a validating model class would put pydantic on every command's import path)."""

    sector_id: str
    label: str
    sic_prefixes: tuple[str, ...]
    growth_pattern: str  # "expanding" or "select"
    knowledge_base: str  # "engineering" or "science"
    quadrant: str

    def __post_init__(self) -> None:
        prefixes = self.sic_prefixes
        if isinstance(prefixes, str):  # the file's space-separated codes, normalised
            prefixes = tuple(normalise_sic(part) for part in prefixes.split())
        object.__setattr__(self, "sic_prefixes", tuple(prefixes))


def packaged_rows(name: str) -> list[dict[str, str]]:
    """A packaged CSV's rows (all text, surrounding spaces trimmed)."""
    text = resources.files("evidence").joinpath(f"data/{name}").read_text(encoding="utf-8")
    return [{k.strip(): (v or "").strip() for k, v in row.items() if k is not None}
            for row in csv.DictReader(StringIO(text))]


@lru_cache(maxsize=1)
def load_sectors() -> tuple[Sector, ...]:
    """Read Table 1 from the packaged CSV (cached: it never changes during a run)."""
    return tuple(
        Sector(
            sector_id=row["sector_id"],
            label=row["label"],
            sic_prefixes=row["sic_codes"],
            growth_pattern=row["growth_pattern"],
            knowledge_base=row["knowledge_base"],
            quadrant=row["quadrant"],
        )
        for row in packaged_rows("sectors.csv")
    )


def sector_ids() -> list[str]:
    return [s.sector_id for s in load_sectors()]


class SicCodeError(ValueError):
    """A value that is not a recognisable SIC 2007 code."""


def normalise_sic(raw: object) -> str:
    """Return the digits-only key of a SIC 2007 code, or ``TOTAL`` for an all-industries label.

    Accepts ``30.30``, ``3030``, ``30.3``, ``C30.3``, ``30`` and NOMIS labels
    ``"3030 : Manufacture of ..."``. Five-digit UK subclasses (``30300``) are reduced to their
    four-digit class because the classification is defined at class level or above.
    """
    if raw is None or (isinstance(raw, float) and raw != raw):  # None or NaN
        raise SicCodeError("empty industry code")
    text = str(raw).strip()
    if text.lower() in _TOTAL_LABELS:
        return TOTAL_CODE
    if ":" in text:
        text = text.split(":", 1)[0].strip()
        if text.lower() in _TOTAL_LABELS:
            return TOTAL_CODE
    compact = text.replace(" ", "")
    if re.fullmatch(r"[A-Ua-u]?\d{5}", compact):
        compact = compact.lstrip("ABCDEFGHIJKLMNOPQRSTUabcdefghijklmnopqrstu")[:4]
    # A float-like 4-digit code written by a spreadsheet ("3030.0") is a class, not a group.
    if re.fullmatch(r"\d{4}\.0", compact):
        compact = compact[:4]
    match = _CODE_RE.match(compact)
    if not match:
        raise SicCodeError(f"{raw!r} is not a SIC 2007 code")
    # A fourth digit group ("30.3.0.1" style) is below class level and is ignored.
    division, group, klass, _below_class = match.groups()
    return division + (group or "") + (klass or "")


@dataclass(frozen=True)
class SectorMatch:
    """Where one normalised code belongs.

    ``sector_id`` is set when the code lies wholly inside one sector. ``overlaps`` lists sectors
    the code contains but cannot separate (division-level data for division 30 holds aerospace,
    other transport and shipbuilding together).
    """

    code: str
    sector_id: str | None
    overlaps: tuple[str, ...] = ()

    @property
    def ambiguous(self) -> bool:
        return self.sector_id is None and bool(self.overlaps)


def match_code(code: str) -> SectorMatch:
    """Place a normalised code in Table 1."""
    if code == TOTAL_CODE:
        return SectorMatch(code, None)
    inside: list[str] = []
    overlaps: list[str] = []
    for sector in load_sectors():
        for prefix in sector.sic_prefixes:
            if code.startswith(prefix):
                inside.append(sector.sector_id)
            elif prefix.startswith(code):
                overlaps.append(sector.sector_id)
    if inside:
        return SectorMatch(code, inside[0])
    return SectorMatch(code, None, tuple(dict.fromkeys(overlaps)))


def sector_of_codes(codes: pd.Series) -> pd.Series:
    """Vectorised sector id for a column of normalised codes (None outside Table 1).

    Works on the unique codes only, so a 2-million-row table costs ~600 look-ups.
    """
    import pandas as pd  # deferred: a frame in, a frame out

    uniques = pd.unique(codes)
    lookup = {code: match_code(code).sector_id for code in uniques}
    return codes.map(lookup)


def unseparable_sectors(codes: pd.Series | list[str]) -> dict[str, list[str]]:
    """For coarse codes present in the data, the sectors each one cannot separate.

    Used to say honestly, e.g., 'your file only has division 30: aerospace and other transport
    cannot be told apart (and include shipbuilding)'.
    """
    result: dict[str, list[str]] = {}
    for code in dict.fromkeys(list(codes)):  # distinct, in order of appearance
        m = match_code(code)
        if m.ambiguous:
            result[code] = list(m.overlaps)
    return result


def format_code(code: str) -> str:
    """Display form with a dot after the division: ``3030`` -> ``30.30``, ``303`` -> ``30.3``."""
    if code == TOTAL_CODE or len(code) <= 2:
        return code
    return f"{code[:2]}.{code[2:]}"


@lru_cache(maxsize=1)
def known_sic_codes() -> frozenset[str]:
    """Every SIC 2007 class, group and division (digits-only keys, as :func:`normalise_sic`
    gives them), from the packaged class list ``evidence/data/sic2007_classes.csv``."""
    classes = [row["sic"] for row in packaged_rows("sic2007_classes.csv")
               if re.fullmatch(r"\d{4}", row.get("sic", ""))]
    return (frozenset(classes) | frozenset(c[:3] for c in classes)
            | frozenset(c[:2] for c in classes))
