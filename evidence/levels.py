"""SIC 2007 levels in one file: which codes count for a sector, which for the structure.

NOMIS lets a user download divisions (2 digit), groups (3), classes (4) and subclasses (5) in
one file. Adding every row up would count a job two or three times, so this module chooses, for
the file's set of codes (``evidence.dataset`` keys, subclasses already summed to classes):

* for each Table 1 sector, the *finest* codes that cover it completely (aerospace from class
  30.30 rather than division 30); a sector covered only by a coarser code is *not separable*
  (medical instruments, 32.5, when the file has division 32 only); a sector with only some of
  its classes in the file is counted from those and reported as *partial*;
* for each division, the *coarsest* code present (the division row when there is one, which
  covers everything; else its groups or classes), so the economic structure and the
  all-industry total count every job once.

The hierarchy is the packaged class list ``evidence/data/sic2007_classes.csv``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

from evidence.sectors import TOTAL_CODE, format_code, load_sectors, packaged_rows

__all__ = ["LEVEL_NAMES", "CodeSelection", "level_name", "select_codes", "sic_children"]

LEVEL_NAMES = {
    1: "sections",
    2: "divisions (2 digit)",
    3: "groups (3 digit)",
    4: "classes (4 digit)",
    5: "subclasses (5 digit)",
}

_SINGULAR = {2: "division", 3: "group", 4: "class"}


def level_name(code: str) -> str:
    return LEVEL_NAMES.get(len(code), f"{len(code)}-character codes")


@lru_cache(maxsize=1)
def _tree() -> dict[str, tuple[str, ...]]:
    classes = sorted(r["sic"] for r in packaged_rows("sic2007_classes.csv") if r.get("sic"))
    children: dict[str, list[str]] = {}
    for c in classes:
        children.setdefault(c[:2], [])
        if c[:3] not in children[c[:2]]:
            children[c[:2]].append(c[:3])
        children.setdefault(c[:3], []).append(c)
    return {k: tuple(v) for k, v in children.items()}


def sic_children(code: str) -> tuple[str, ...]:
    """Groups of a division, classes of a group; empty for a class."""
    return _tree().get(code, ())


@dataclass(frozen=True)
class CodeSelection:
    """What one file's codes can say, sector by sector and division by division."""

    sector_codes: dict[str, tuple[str, ...]]
    """Sector id -> the codes its jobs are counted from (empty when not separable / absent)."""
    structure_codes: frozenset[str]
    """Codes the division structure and the sum-of-industries total are counted from."""
    not_separable: dict[str, str] = field(default_factory=dict)
    """Sector id -> the coarser code that holds it together with other industries."""
    partial: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """Sector id -> its codes missing from the file (counted from the codes present)."""
    levels: tuple[int, ...] = ()
    """Code lengths present (2 = division ... 4 = class)."""

    @property
    def sector_code_set(self) -> frozenset[str]:
        return frozenset(c for codes in self.sector_codes.values() for c in codes)

    def level_text(self) -> str:
        names = [LEVEL_NAMES.get(n, str(n)) for n in self.levels]
        if len(names) > 1:
            return "mixed: " + ", ".join(names)
        return names[0] if names else "none"

    def notes(self) -> list[str]:
        labels = {s.sector_id: s.label for s in load_sectors()}
        by_code: dict[str, list[str]] = {}
        for sector_id, code in self.not_separable.items():
            by_code.setdefault(code, []).append(sector_id)
        out = [
            f"{_SINGULAR.get(len(code), 'code').capitalize()} {format_code(code)} holds "
            f"{' and '.join(labels[x] for x in ids)} together with other industries, so the "
            f"file cannot separate {'it' if len(ids) == 1 else 'them'} (sector ids: "
            f"{', '.join(ids)}); download a finer level (classes) for "
            f"{'it' if len(ids) == 1 else 'them'}."
            for code, ids in by_code.items()
        ]
        out += [
            f"{labels[s]} is counted from the codes present; the file lacks "
            f"{', '.join(format_code(c) for c in missing[:6])}"
            f"{' ...' if len(missing) > 6 else ''}, so its figures are lower bounds."
            for s, missing in self.partial.items()
        ]
        return out


def _cover(node: str, present: frozenset[str]) -> tuple[str, ...] | None:
    """The finest codes in ``present`` covering ``node`` completely, or None."""
    kids = sic_children(node)
    if kids:
        parts = [_cover(k, present) for k in kids]
        if all(p is not None for p in parts):
            return tuple(c for p in parts for c in p)  # type: ignore[union-attr]
    return (node,) if node in present else None


def _partial(node: str, present: frozenset[str]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Codes present below ``node`` (finest complete covers first) and the classes missing."""
    full = _cover(node, present)
    if full is not None:
        return full, ()
    kids = sic_children(node)
    if not kids:
        return (), (node,)
    found: list[str] = []
    missing: list[str] = []
    for k in kids:
        f, m = _partial(k, present)
        found += f
        missing += m
    return tuple(found), tuple(missing)


def _coarsest(node: str, present: frozenset[str]) -> tuple[str, ...]:
    if node in present:
        return (node,)
    out: list[str] = []
    for k in sic_children(node):
        out += _coarsest(k, present)
    return tuple(out)


def select_codes(codes: Iterable[str]) -> CodeSelection:
    """Choose sector and structure codes for a file's industry keys (see the module doc).

    Keys that are not SIC digits (``TOTAL``, NOMIS pseudo-codes, ONS ranges) are ignored.
    """
    present = frozenset(
        c for c in codes if c != TOTAL_CODE and c.isdigit() and 2 <= len(c) <= 4
    )
    sector_codes: dict[str, tuple[str, ...]] = {}
    not_separable: dict[str, str] = {}
    partial: dict[str, tuple[str, ...]] = {}
    for sector in load_sectors():
        chosen: list[str] = []
        missing: list[str] = []
        coarse: str | None = None
        for prefix in sector.sic_prefixes:
            cover = _cover(prefix, present)
            if cover is not None:
                chosen += cover
                continue
            ancestor = next((prefix[:n] for n in range(len(prefix) - 1, 1, -1)
                             if prefix[:n] in present), None)
            if ancestor is not None:
                coarse = ancestor
                continue
            found, lacking = _partial(prefix, present)
            chosen += found
            missing += lacking
        if coarse is not None:
            # Part of the sector sits inside a coarser code: counting the rest would understate
            # it without saying so; report it instead.
            not_separable[sector.sector_id] = coarse
            sector_codes[sector.sector_id] = ()
            continue
        sector_codes[sector.sector_id] = tuple(chosen)
        if chosen and missing:
            partial[sector.sector_id] = tuple(missing)
    structure: set[str] = set()
    for division in sorted({c[:2] for c in present}):
        structure.update(_coarsest(division, present))
    # Codes the packaged list does not know (an old or custom list): count them as they are.
    known = set(_tree()) | {k for kids in _tree().values() for k in kids}
    structure.update(c for c in present if c not in known and c[:2] not in present)
    return CodeSelection(
        sector_codes=sector_codes,
        structure_codes=frozenset(structure),
        not_separable=not_separable,
        partial=partial,
        levels=tuple(sorted({len(c) for c in present})),
    )
