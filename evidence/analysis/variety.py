"""Related and unrelated variety (Frenken, Van Oort and Verburg 2007), vectorised over areas.

Frenken, K., Van Oort, F. and Verburg, T. (2007) "Related variety, unrelated variety and regional
economic growth", Regional Studies 41(5), 685-697. With p_i the share of class i (4-digit SIC) in
the area's jobs and P_g = sum_{i in g} p_i the share of division g (2-digit SIC):

- variety (total entropy)  H  = sum_i p_i log2(1 / p_i)
- unrelated variety        UV = sum_g P_g log2(1 / P_g)
- related variety          RV = sum_g P_g H_g, with H_g = sum_{i in g} (p_i / P_g) log2(P_g / p_i)

Entropy decomposition theorem (Theil 1972): H = UV + RV exactly. Logarithms are base 2, as in
Frenken et al. (2007), so the measures are in bits. 0 log 0 is taken as 0.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np


def _div(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.true_divide(a, b)
    return np.where(np.isfinite(out), out, np.nan)


def _plogp(p: np.ndarray, q: np.ndarray | None = None) -> np.ndarray:
    """p * log2(p / q) with 0 where p = 0 (q defaults to 1)."""
    q = np.ones_like(p) if q is None else q
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(p > 0, p * np.log2(np.where(p > 0, p / q, 1.0)), 0.0)


def entropy(shares: np.ndarray, axis: int = -1) -> np.ndarray:
    """Shannon (1948) entropy in bits, H = -sum p log2 p, along ``axis`` (NaN shares -> NaN)."""
    return -_plogp(np.asarray(shares, dtype=float)).sum(axis=axis) + 0.0


def division_index(classes: Sequence[str]) -> tuple[np.ndarray, tuple[str, ...]]:
    """Position of each class's division (first two characters of the code); divisions sorted."""
    divs = sorted({str(c)[:2] for c in classes})
    pos = {d: i for i, d in enumerate(divs)}
    return np.array([pos[str(c)[:2]] for c in classes], dtype=np.int64), tuple(divs)


@dataclass(frozen=True)
class Variety:
    """Entropy measures for every area (all ``[...]``, the leading shape of ``emp``), in bits."""

    total: np.ndarray  # H over classes
    related: np.ndarray  # RV
    unrelated: np.ndarray  # UV
    divisions: tuple[str, ...]


def variety(
    emp: np.ndarray, classes: Sequence[str], groups: Sequence[str] | None = None
) -> Variety:
    """Total, related and unrelated variety of every area (Frenken et al. 2007; see module doc).

    ``emp`` is ``[..., C]`` (areas first, classes last; NaN read as 0). Classes are grouped by
    ``groups`` when given (one label per class), else by division = the first two characters of
    the class code. Areas with no jobs give NaN.
    """
    e = np.nan_to_num(np.asarray(emp, dtype=float))
    if e.shape[-1] != len(classes):
        raise ValueError(f"emp has {e.shape[-1]} classes, labels give {len(classes)}")
    gidx, divs = division_index(groups if groups is not None else classes)
    tot = e.sum(axis=-1, keepdims=True)
    p = _div(e, tot)
    indicator = np.zeros((len(classes), len(divs)))
    indicator[np.arange(len(classes)), gidx] = 1.0
    big_p = p @ indicator  # [..., D]
    h = -_plogp(p).sum(axis=-1)
    uv = -_plogp(big_p).sum(axis=-1)
    rv = -_plogp(p, big_p[..., gidx]).sum(axis=-1)
    empty = tot[..., 0] <= 0
    nan = np.where(empty, np.nan, 0.0)
    return Variety(total=h + nan, related=rv + nan, unrelated=uv + nan, divisions=divs)


def within_group_entropy(emp: np.ndarray, classes: Sequence[str]) -> np.ndarray:
    """H_g, the entropy of class shares within each division, ``[..., D]`` (NaN if no jobs in g).

    The term Frenken et al. (2007) weight by P_g to obtain related variety.
    """
    e = np.nan_to_num(np.asarray(emp, dtype=float))
    gidx, divs = division_index(classes)
    indicator = np.zeros((len(classes), len(divs)))
    indicator[np.arange(len(classes)), gidx] = 1.0
    div_emp = e @ indicator
    q = _div(e, div_emp[..., gidx])
    terms = -_plogp(np.nan_to_num(q))
    hg = terms @ indicator
    return np.where(div_emp > 0, hg, np.nan)
