"""Product-space relatedness between industry classes, vectorised over all areas at once.

Input is an area x class employment matrix ``emp`` (areas rows, classes columns, e.g. ~400 districts
x 615 SIC 2007 classes) and optionally a national reference vector. Every function is a handful of
matrix products, so the whole country takes a few milliseconds (see ``benchmarks/analysis.py``).

Definitions follow Hidalgo, Klinger, Barabasi and Hausmann (2007) "The product space conditions the
development of nations", Science 317, 482-487, applied to regions and industries as in Neffke,
Henning and Boschma (2011) and Boschma, Balland and Kogler (2015); the association-strength
alternative follows van Eck and Waltman (2009) as implemented in the EconGeo R package (Balland
2017, ``relatedness(method = "association")``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Literal

import numpy as np

from evidence.positions import first_positions

Method = Literal["proximity", "association"]


def _div(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.true_divide(a, b)
    return np.where(np.isfinite(out), out, np.nan)


def class_lq(
    emp: np.ndarray,
    ref: np.ndarray | None = None,
    area_total: np.ndarray | None = None,
    ref_total: float | None = None,
) -> np.ndarray:
    """Location quotient (Balassa 1965 revealed comparative advantage) of every class in every area.

    LQ_rc = (E_rc / E_r) / (E_c / E), the class's share of the area's jobs over its share of the
    reference economy's jobs (Balassa 1965, "Trade liberalisation and revealed comparative
    advantage"; Isard 1960 for the regional LQ). ``emp`` is ``[A, C]`` (NaN read as 0). ``ref`` is
    the national employment by class ``[C]``; by default the column sums of ``emp``. ``area_total``
    ``[A]`` and ``ref_total`` default to the row sums and ``ref``'s sum, i.e. the classes are
    taken to cover the whole economy. Undefined ratios (an area or a class with no jobs) are NaN.
    """
    e = np.nan_to_num(np.asarray(emp, dtype=float))
    r = e.sum(axis=0) if ref is None else np.nan_to_num(np.asarray(ref, dtype=float))
    a_tot = e.sum(axis=1) if area_total is None else np.asarray(area_total, dtype=float)
    r_tot = float(r.sum()) if ref_total is None else float(ref_total)
    local = _div(e, a_tot[:, None])
    nat = _div(r, np.asarray(r_tot))
    return _div(local, nat[None, :])


def presence(lq: np.ndarray, threshold: float = 1.0) -> np.ndarray:
    """Binary specialisation matrix M_rc = 1 where LQ_rc >= threshold (1 by default), else 0.

    Hidalgo et al. (2007): a country (here an area) "exports a product with revealed comparative
    advantage" when RCA >= 1. NaN LQs count as absent.
    """
    with np.errstate(invalid="ignore"):
        return (np.nan_to_num(lq, nan=-np.inf) >= threshold).astype(float)


def proximity(m: np.ndarray) -> np.ndarray:
    """Proximity phi_ij = min(P(RCA_i >= 1 | RCA_j >= 1), P(RCA_j >= 1 | RCA_i >= 1)).

    Hidalgo, Klinger, Barabasi and Hausmann (2007), eq. (1), computed across areas:
    phi_ij = U_ij / max(k_i, k_j) with U = M'M the co-specialisation counts and k_i = U_ii the
    number of areas specialised in i (ubiquity). Symmetric, in [0, 1]; the diagonal (phi_ii = 1
    by definition) is set to 0 so that it is excluded from relatedness sums. A class no area is
    specialised in has phi = 0 with every class.
    """
    m = np.asarray(m, dtype=float)
    u = m.T @ m
    k = np.diag(u).copy()
    phi = _div(u, np.maximum(k[:, None], k[None, :]))
    phi = np.nan_to_num(phi)
    np.fill_diagonal(phi, 0.0)
    return phi


def association_strength(m: np.ndarray) -> np.ndarray:
    """Association strength: observed over expected co-specialisation, R_ij = C_ij N / (S_i S_j).

    van Eck and Waltman (2009) "How to normalize cooccurrence data", JASIST 60(8), as in EconGeo's
    ``relatedness(mat, method = "association")`` (Balland 2017): C = M'M with the diagonal set to
    0, S_i = sum_j C_ij and N = sum_ij C_ij. R_ij > 1 means i and j co-occur more often than
    chance. Symmetric, non-negative, diagonal 0 (excluded), 0 where a class co-occurs with none.
    """
    m = np.asarray(m, dtype=float)
    c = m.T @ m
    np.fill_diagonal(c, 0.0)
    s = c.sum(axis=1)
    n = c.sum()
    return np.nan_to_num(_div(c * n, s[:, None] * s[None, :]))


def relatedness_density(m: np.ndarray, phi: np.ndarray) -> np.ndarray:
    """Relatedness density of class i in area r: sum_{j!=i} M_rj phi_ij / sum_{j!=i} phi_ij.

    Hidalgo et al. (2007) "density" omega_ir; Boschma, Balland and Kogler (2015) "relatedness
    density". In [0, 1] for non-negative weights: the share of i's related classes (weighted by
    proximity) in which the area is already specialised. ``phi`` must have a zero diagonal (as
    :func:`proximity` returns), so j = i is excluded. NaN where class i is related to nothing.
    Shape ``[A, C]``.
    """
    phi = np.asarray(phi, dtype=float)
    num = np.asarray(m, dtype=float) @ phi
    return _div(num, phi.sum(axis=0)[None, :])


@dataclass(frozen=True)
class RelatednessSpace:
    """Classes, their LQs, presence, the relatedness matrix and density for every area."""

    classes: tuple[str, ...]
    lq: np.ndarray  # [A, C]
    presence: np.ndarray  # [A, C] 0/1
    relatedness: np.ndarray  # [C, C] symmetric, zero diagonal
    density: np.ndarray  # [A, C] in [0, 1]
    method: Method

    def index(self, code: str) -> int:
        try:
            return self._positions[code]
        except KeyError:
            raise KeyError(f"class {code!r} is not in the relatedness space") from None

    @cached_property
    def _positions(self) -> dict[str, int]:
        """Each class's position (the first, as ``tuple.index``): findings look up many."""
        return first_positions(self.classes)


def relatedness_space(
    emp: np.ndarray,
    classes: Sequence[str],
    ref: np.ndarray | None = None,
    method: Method = "proximity",
    threshold: float = 1.0,
) -> RelatednessSpace:
    """LQ, presence (LQ >= ``threshold``), relatedness (``method``) and density for all areas."""
    emp = np.asarray(emp, dtype=float)
    if emp.ndim != 2 or emp.shape[1] != len(classes):
        raise ValueError(f"emp must be [areas, {len(classes)} classes], got {emp.shape}")
    lq = class_lq(emp, ref)
    m = presence(lq, threshold)
    if method == "proximity":
        rel = proximity(m)
    elif method == "association":
        rel = association_strength(m)
    else:
        raise ValueError(f"unknown relatedness method {method!r}")
    return RelatednessSpace(
        classes=tuple(classes), lq=lq, presence=m, relatedness=rel,
        density=relatedness_density(m, rel), method=method,
    )


@dataclass(frozen=True)
class RelatedClass:
    """A class the area already has (LQ >= 1) and its relatedness to the candidate."""

    code: str
    relatedness: float
    lq: float


@dataclass(frozen=True)
class FeasibleClass:
    """A candidate class the area is not yet specialised in, with what it could build on."""

    code: str
    density: float
    lq: float
    related: tuple[RelatedClass, ...]


def feasible_next(
    space: RelatednessSpace,
    area: int,
    candidates: Iterable[str],
    top: int | None = None,
    n_related: int = 5,
) -> list[FeasibleClass]:
    """Candidate classes the area does not yet specialise in (LQ < 1), ranked by density.

    The "adjacent possible" of Hidalgo et al. (2007) and Boschma et al. (2015): diversification is
    likelier into classes related to what a place already does. ``candidates`` are class codes
    (e.g. those in the advanced-manufacturing sectors); codes not in the space are ignored. Each
    result lists up to ``n_related`` classes the area already has, the top contributors
    M_rj * phi_ij to the density. Ties in density are broken by class code (deterministic).
    """
    pos = {c: i for i, c in enumerate(space.classes)}
    idx = np.array(sorted({pos[c] for c in candidates if c in pos}), dtype=np.int64)
    if not len(idx):
        return []
    lq = space.lq[area, idx]
    dens = space.density[area, idx]
    keep = ~(np.nan_to_num(lq, nan=0.0) >= 1.0)
    idx, lq, dens = idx[keep], lq[keep], dens[keep]
    codes = np.array([space.classes[i] for i in idx], dtype=object)
    order = np.lexsort((codes, -np.nan_to_num(dens, nan=-1.0)))
    if top is not None:
        order = order[:top]
    # Contributions M_rj * phi_ij for every kept candidate at once: [k, C].
    contrib = space.relatedness[idx[order]] * space.presence[area][None, :]
    out: list[FeasibleClass] = []
    for row, o in zip(contrib, order, strict=True):
        nz = np.flatnonzero(row > 0)
        best = nz[np.lexsort((nz, -row[nz]))][:n_related]
        related = tuple(
            RelatedClass(space.classes[j], float(row[j]), float(space.lq[area, j])) for j in best
        )
        out.append(FeasibleClass(str(codes[o]), float(dens[o]), float(lq[o]), related))
    return out


@dataclass(frozen=True)
class FeasibleTable:
    """:func:`feasible_next` for every area at once, as index arrays (-1 pads a short row).

    ``cand[a, t]`` is the class index of area ``a``'s t-th candidate, ``related[a, t, r]`` the
    class index of its r-th contributing class and ``contrib[a, t, r]`` that class's
    M_rj * phi_ij. The same ranking and ties as :func:`feasible_next`.
    """

    cand: np.ndarray  # [A, T] int
    related: np.ndarray  # [A, T, R] int
    contrib: np.ndarray  # [A, T, R] float


def feasible_next_all(
    space: RelatednessSpace,
    candidates: Iterable[str],
    top: int,
    n_related: int = 5,
) -> FeasibleTable:
    """:func:`feasible_next` (``top`` candidates, ``n_related`` classes each) for all areas in
    a few array operations: one lexsort over the [areas, candidates] density matrix and one over
    the [areas, top, classes] contributions, instead of a loop over areas.

    Ties break as in :func:`feasible_next` (density, then class code), which needs the space's
    classes sorted by code, as the cube keeps them.
    """
    if list(space.classes) != sorted(space.classes):
        raise ValueError("feasible_next_all needs the space's classes sorted by code")
    pos = {c: i for i, c in enumerate(space.classes)}
    idx = np.array(sorted({pos[c] for c in candidates if c in pos}), dtype=np.int64)
    n_areas = space.lq.shape[0]
    if not len(idx):
        empty = np.empty((n_areas, 0), dtype=np.int64)
        return FeasibleTable(empty, empty[:, :, None], np.empty((n_areas, 0, n_related)))
    keep = ~(np.nan_to_num(space.lq[:, idx], nan=0.0) >= 1.0)  # [A, K]
    key = -np.nan_to_num(space.density[:, idx], nan=-1.0)
    rank = np.broadcast_to(np.arange(len(idx)), keep.shape)  # idx is in code order
    order = np.lexsort((rank, key, ~keep), axis=-1)[:, :top]  # kept first, then as in the loop
    valid = np.take_along_axis(keep, order, axis=-1)
    cand = np.where(valid, idx[order], -1)
    best, ok = _top_contributors(space, np.where(valid, cand, 0), n_related)
    ok &= valid[..., None]
    rows = np.arange(n_areas)[:, None, None]
    # M_rj * phi_ij of the chosen contributors, the products the loop takes
    best_val = space.relatedness[np.where(valid, cand, 0)[..., None], best] \
        * space.presence[rows, best]
    return FeasibleTable(cand, np.where(ok, best, -1), np.where(ok, best_val, 0.0))


def _top_contributors(space: RelatednessSpace, cand: np.ndarray, n: int
                      ) -> tuple[np.ndarray, np.ndarray]:
    """``[A, T, n]`` the classes j with the largest contributions M_rj * phi_ij > 0 to each
    candidate i = ``cand[a, t]`` (ties to the lower j) and whether there were that many.

    M is 0 or 1, so the contributions of i are phi_ij over the classes the area has: walk
    phi_i's classes in descending order (a stable sort, once per space: ties keep the lower
    j first, as the loop's lexsort does) and keep the first n present ones with phi_ij > 0,
    instead of sorting every [areas, candidates, classes] row. The walk looks at the first
    ``_WALK`` classes of every row, and again at all of them only for the rows where those
    held fewer than n: the first n found are the same either way.
    """
    order = np.argsort(-space.relatedness, axis=1, kind="stable")  # NaN last
    positive = np.take_along_axis(space.relatedness, order, axis=1) > 0
    areas = np.broadcast_to(np.arange(cand.shape[0])[:, None], cand.shape)
    best, ok = _first_present(space.presence, order[:, :_WALK], positive[:, :_WALK],
                              areas, cand, n)
    short = ~ok.all(axis=-1)
    if order.shape[1] > _WALK and short.any():
        best[short], ok[short] = _first_present(space.presence, order, positive,
                                                areas[short], cand[short], n)
    return best, ok


_WALK = 64
"""Classes of a candidate's relatedness ranking looked at first (most areas have their five
contributors among them)."""


def _first_present(presence: np.ndarray, order: np.ndarray, positive: np.ndarray,
                   areas: np.ndarray, cand: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """The first n classes of ``order[cand]`` the area has and that relate positively."""
    walk = order[cand]  # [..., W]
    good = (presence[areas[..., None], walk] > 0) & positive[cand]
    first = np.argsort(~good, axis=-1, kind="stable")[..., :n]  # the good ones, in order
    ok = np.take_along_axis(good, first, axis=-1)
    best = np.where(ok, np.take_along_axis(walk, first, axis=-1), 0)
    if first.shape[-1] < n:  # fewer classes than n
        pad = n - first.shape[-1]
        best = np.concatenate([best, np.zeros(best.shape[:-1] + (pad,), dtype=best.dtype)], -1)
        ok = np.concatenate([ok, np.zeros(ok.shape[:-1] + (pad,), dtype=bool)], -1)
    return best, ok
