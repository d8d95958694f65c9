"""Each item's first position in a sequence, as a dict.

Why: the analysis step looks up class, industry and area codes by position thousands of times
a profile batch (``tuple.index`` scans the sequence each time); a dict built once answers the
same as ``tuple.index`` would, the first position when a code repeats."""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from typing import TypeVar

__all__ = ["first_positions"]

K = TypeVar("K", bound=Hashable)


def first_positions(items: Iterable[K]) -> dict[K, int]:
    """``{item: the position of its first occurrence}``, what ``tuple(items).index`` gives."""
    out: dict[K, int] = {}
    for i, item in enumerate(items):
        out.setdefault(item, i)
    return out
