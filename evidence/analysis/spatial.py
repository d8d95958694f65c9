"""Spatial association of a sector's location quotients across districts (PySAL esda/libpysal).

- Weights: k nearest neighbours of each district centroid (k = 6 by default), row-standardised
  so that each district's spatial lag is the mean of its neighbours' values (Getis and Aldstadt
  2004 on k-nearest-neighbour weights; libpysal ``KNN``).
- Global Moran's I = (n / S0) * sum_ij w_ij z_i z_j / sum_i z_i^2, z = y - mean(y), S0 = sum_ij
  w_ij (Moran 1950; Cliff and Ord 1981), with a permutation pseudo p-value (999 permutations,
  fixed seed).
- Local Moran I_i = z_i sum_j w_ij z_j / m2, m2 = sum_i z_i^2 / (n - 1) as in esda (Anselin
  1995, "Local indicators of spatial association - LISA", Geographical Analysis 27(2)), with
  conditional-permutation pseudo p-values (esda 2.x "directed", folded one-sided p_sim);
  quadrants HH, LH, LL, HL from the signs of z_i and its spatial lag (esda ``Moran_Local``:
  1 HH, 2 LH, 3 LL, 4 HL).

A focus district that is HH with p < 0.05 is "part of a cross-boundary cluster" with those of its
neighbours whose LQ is above the mean; one that is HL with p < 0.05 is "an isolated specialism"
(a high value surrounded by low ones); otherwise neither. Centroids are any projected x/y (e.g.
British National Grid metres), given as a DataFrame of ``code, x, y``.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd

DEFAULT_K = 6
PERMUTATIONS = 999
SEED = 12345
ALPHA = 0.05
QUADRANTS = ("", "HH", "LH", "LL", "HL")
Status = Literal["cluster", "isolated", "neither"]


def knn_weights(centroids: pd.DataFrame, k: int = DEFAULT_K):
    """Row-standardised k-nearest-neighbour weights (libpysal ``KNN``) over ``code, x, y``."""
    from libpysal.weights import KNN

    if len(centroids) <= k:
        raise ValueError(f"need more than k = {k} districts, got {len(centroids)}")
    coords = centroids[["x", "y"]].to_numpy(dtype=float)
    w = KNN.from_array(coords, k=k, ids=list(centroids["code"].astype(str)))
    w.transform = "r"
    return w


def dense_weights(w) -> np.ndarray:
    """The weights as a dense ``[n, n]`` array in ``w.id_order``."""
    return np.asarray(w.full()[0], dtype=float)


def morans_i(y: np.ndarray, w: np.ndarray) -> float:
    """Global Moran's I = (n / S0) z'Wz / z'z (Moran 1950), for a dense weights matrix."""
    y = np.asarray(y, dtype=float)
    z = y - y.mean()
    return float(len(y) / w.sum() * (z @ w @ z) / (z @ z))


@contextmanager
def _seeded(seed: int) -> Iterator[None]:
    state = np.random.get_state()
    np.random.seed(seed)
    try:
        yield
    finally:
        np.random.set_state(state)


@dataclass(frozen=True)
class SpatialAssociation:
    """Global and local Moran statistics of one variable over districts (order of ``codes``)."""

    codes: tuple[str, ...]
    values: np.ndarray
    k: int
    moran_i: float
    moran_expected: float  # E[I] = -1 / (n - 1)
    moran_p: float  # permutation pseudo p-value
    local_i: np.ndarray
    local_p: np.ndarray
    quadrant: np.ndarray  # "HH", "LH", "LL", "HL"
    neighbours: dict[str, tuple[str, ...]]
    _at: dict[str, int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # A dict, not tuple.index: every district profile looks up its neighbours' positions.
        at: dict[str, int] = {}
        for i, c in enumerate(self.codes):
            at.setdefault(c, i)  # the first, as tuple.index would
        object.__setattr__(self, "_at", at)

    def position(self, code: str) -> int:
        try:
            return self._at[code]
        except KeyError:
            raise KeyError(f"district {code!r} has no centroid or value") from None


def spatial_association(
    values: pd.Series | Sequence[float],
    centroids: pd.DataFrame,
    k: int = DEFAULT_K,
    permutations: int = PERMUTATIONS,
    seed: int = SEED,
) -> SpatialAssociation:
    """Global Moran's I and LISA of ``values`` (e.g. a sector's LQ) over the districts.

    ``values`` is a Series indexed by district code (or a sequence in ``centroids`` order).
    Districts without a value (NaN) or without a centroid are left out before the weights are
    built. Permutation inference uses ``permutations`` draws with a fixed ``seed``.
    """
    from esda.moran import Moran, Moran_Local

    cen = centroids.assign(code=centroids["code"].astype(str)).reset_index(drop=True)
    if isinstance(values, pd.Series):
        vals = values.copy()
        vals.index = vals.index.astype(str)
        cen = cen[cen["code"].isin(vals.index)].reset_index(drop=True)
        y = vals.reindex(cen["code"]).to_numpy(dtype=float)
    else:
        y = np.asarray(values, dtype=float)
        if len(y) != len(cen):
            raise ValueError("values must match centroids row for row")
    ok = np.isfinite(y)
    cen, y = cen[ok].reset_index(drop=True), y[ok]
    w = knn_weights(cen, k)
    with _seeded(seed):
        g = Moran(y, w, transformation="r", permutations=permutations)
    with warnings.catch_warnings():  # esda 2.x announces a change of default in esda 3
        warnings.filterwarnings("ignore", category=DeprecationWarning, module="esda")
        loc = Moran_Local(y, w, transformation="r", permutations=permutations, seed=seed,
                          n_jobs=1)
    codes = tuple(cen["code"])
    return SpatialAssociation(
        codes=codes, values=y, k=k, moran_i=float(g.I), moran_expected=float(g.EI),
        moran_p=float(g.p_sim), local_i=np.asarray(loc.Is, dtype=float),
        local_p=np.asarray(loc.p_sim, dtype=float),
        quadrant=np.array([QUADRANTS[int(q)] for q in loc.q]),
        neighbours={c: tuple(str(n) for n in w.neighbors[c]) for c in codes},
    )


@dataclass(frozen=True)
class ClusterFinding:
    """What the LISA says about one focus district."""

    code: str
    status: Status
    quadrant: str
    p_value: float
    neighbours: tuple[str, ...]  # the cluster partners (HH) or the surrounding districts (HL)
    text: str


def classify_district(
    sa: SpatialAssociation,
    code: str,
    names: dict[str, str] | None = None,
    alpha: float = ALPHA,
) -> ClusterFinding:
    """"Part of a cross-boundary cluster with ...", "an isolated specialism" or neither.

    HH with p < ``alpha``: a cluster, naming the focus's k nearest neighbours whose value is
    above the mean (highest first). HL with p < ``alpha``: an isolated specialism, naming its
    neighbours. ``names`` maps codes to display names (codes are used otherwise).
    """
    i = sa.position(code)
    quad, p = str(sa.quadrant[i]), float(sa.local_p[i])
    label = (names or {}).get
    mean = float(sa.values.mean())
    nbrs = sa.neighbours[code]
    value = {c: float(sa.values[sa.position(c)]) for c in nbrs}
    if quad == "HH" and p < alpha:
        partners = tuple(sorted((c for c in nbrs if value[c] > mean), key=lambda c: -value[c]))
        shown = ", ".join(label(c, c) for c in partners)
        return ClusterFinding(code, "cluster", quad, p, partners,
                              f"part of a cross-boundary cluster with {shown}")
    if quad == "HL" and p < alpha:
        shown = ", ".join(label(c, c) for c in nbrs)
        return ClusterFinding(code, "isolated", quad, p, nbrs,
                              f"an isolated specialism (neighbours {shown} are below the mean)")
    return ClusterFinding(code, "neither", quad, p, (),
                          "neither part of a significant cluster nor an isolated specialism")
