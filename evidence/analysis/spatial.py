"""Spatial association of a sector's location quotients across districts: Moran's I and LISA.

- Weights: k nearest neighbours of each district centroid (k = 6 by default), row-standardised
  so that each district's spatial lag is the mean of its neighbours' values (Getis and Aldstadt
  2004 on k-nearest-neighbour weights); the same neighbours, in the same order, as libpysal's
  ``KNN`` (ties in distance go to the lower row).
- Global Moran's I = (n / S0) * sum_ij w_ij z_i z_j / sum_i z_i^2, z = y - mean(y), S0 = sum_ij
  w_ij (Moran 1950, "Notes on continuous stochastic phenomena", Biometrika 37; Cliff and Ord
  1981), with a permutation pseudo p-value (999 permutations, fixed seed).
- Local Moran I_i = z_i sum_j w_ij z_j / m2, m2 = sum_i z_i^2 / (n - 1), z standardised (Anselin
  1995, "Local indicators of spatial association - LISA", Geographical Analysis 27(2), eq. 12),
  with conditional-permutation pseudo p-values (each district's value held fixed, its k
  neighbours drawn from the other n - 1; folded one-sided p = (min(#sims >= I_i, #sims < I_i)
  + 1) / (permutations + 1)); quadrants HH, LH, LL, HL from the signs of z_i and its spatial lag
  (1 HH, 2 LH, 3 LL, 4 HL).

Why written here and not called from PySAL: ``esda.moran`` imports scipy.stats, and any
libpysal module runs libpysal's package import (its graph module pulls in scikit-learn): 2-4 s
of every command-line call that builds a profile, for arithmetic numpy does in milliseconds.
The computation follows esda 2.9's ``Moran`` and ``Moran_Local`` step by step - the same
permutation draws from the same seed (legacy ``RandomState`` streams, as esda's
``np.random.seed``), the spatial lag summed neighbour by neighbour in column order as scipy's
CSR product does, the conditional draws' lags through the same matrix-vector product - so the
statistics and every pseudo p-value are esda's own: ``tests/evidence/analysis/test_spatial.py``
checks them against esda on every sector of the bundled demo (esda is a development
dependency kept for that check).

A focus district that is HH with p < 0.05 is "part of a cross-boundary cluster" with those of its
neighbours whose LQ is above the mean; one that is HL with p < 0.05 is "an isolated specialism"
(a high value surrounded by low ones); otherwise neither. Centroids are any projected x/y (e.g.
British National Grid metres), given as a DataFrame of ``code, x, y``.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from evidence.positions import first_positions

DEFAULT_K = 6
PERMUTATIONS = 999
SEED = 12345
ALPHA = 0.05
QUADRANTS = ("", "HH", "LH", "LL", "HL")
Status = Literal["cluster", "isolated", "neither"]
_BLOCK = 512  # rows of distances, or of conditional draws, held at once
_KEPT_N = 1024  # up to this many districts, every district's draw positions are kept (25 MB)
LEAF_SIZE = 10  # libpysal's KDTree leaf size
TIE_GAP = 1e-9  # relative gap under which two squared distances count as equal
KNN_TABLE = Path(__file__).resolve().parents[1] / "data" / "geography" / "knn_neighbours.npz"
"""The k-d tree's neighbours of the bundled point sets (``scripts/knn_table.py`` writes it)."""


@dataclass(frozen=True)
class KnnWeights:
    """Row-standardised k-nearest-neighbour weights: each of a row's k neighbours weighs 1 / k.

    ``nearest[i]`` are row i's neighbours' positions, nearest first (the order libpysal's
    ``KNN.neighbors`` lists them); ``by_column`` the same sorted by position, the order in
    which a CSR matrix stores and sums them.
    """

    ids: tuple[str, ...]
    nearest: np.ndarray  # [n, k] positions
    k: int
    weight: float = field(init=False)
    by_column: np.ndarray = field(init=False, repr=False)
    _through: dict[tuple[int, int], list[np.ndarray]] = field(init=False, repr=False,
                                                               compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "weight", 1.0 / float(self.k))  # libpysal: w_ij / sum_j w_ij
        object.__setattr__(self, "by_column", np.sort(self.nearest, axis=1))
        object.__setattr__(self, "_through", {})

    @property
    def n(self) -> int:
        return len(self.ids)

    @cached_property
    def neighbors(self) -> dict[str, tuple[str, ...]]:
        """Each id's neighbours' ids, nearest first (worked out once: every sector of a
        period shares the weights)."""
        ids = np.asarray(self.ids, dtype=object)
        return {c: tuple(ids[row]) for c, row in zip(self.ids, self.nearest, strict=True)}

    @property
    def s0(self) -> float:
        """S0 = sum_ij w_ij, summed over the stored weights as scipy sums a sparse matrix."""
        return float(np.full(self.n * self.k, self.weight).sum())

    def permuted_lag(self, z: np.ndarray, permutations: int, seed: int
                     ) -> tuple[np.ndarray, np.ndarray]:
        """``zp = z[orders]`` for esda's seeded permutation orders (:func:`_permutations`)
        and its spatial lag ``lag(zp)``, bit for bit.

        Each neighbour's term reads ``w * z`` (formed once per value, not once per term)
        through one index array, ``orders[:, col]``, made once per weights (every sector of a
        period shares them), instead of gathering from the permuted ``[permutations, n]``
        array and multiplying every term: the same sums, about a sixth faster a sector.
        """
        orders = _permutations(self.n, permutations, seed)
        key = (permutations, seed)
        through = self._through.get(key)
        if through is None:
            through = [orders[:, self.by_column[:, j]] for j in range(self.k)]
            self._through.clear()  # one set of draws at a time (esda's: 999, seed 12345)
            self._through[key] = through
        wz = self.weight * z  # each w * z_j once: the products the lag adds, the same values
        out = wz[through[0]]
        for j in range(1, self.k):
            out += wz[through[j]]
        return z[orders], out

    def lag(self, z: np.ndarray) -> np.ndarray:
        """Spatial lag sum_j w_ij z_j along the last axis of ``z``.

        Summed one neighbour at a time in column order, as scipy's CSR matrix-vector product
        does, so that the lag is bit for bit the one esda compares its permutations with.
        """
        cols = self.by_column
        out = self.weight * z[..., cols[:, 0]]
        for j in range(1, self.k):
            out = out + self.weight * z[..., cols[:, j]]
        return out


def knn_weights(centroids: pd.DataFrame, k: int = DEFAULT_K) -> KnnWeights:
    """Row-standardised k-nearest-neighbour weights over ``code, x, y`` (Euclidean distance),
    the neighbours libpysal's ``KNN`` finds (see :func:`nearest_neighbours`)."""
    if len(centroids) <= k:
        raise ValueError(f"need more than k = {k} districts, got {len(centroids)}")
    coords = centroids[["x", "y"]].to_numpy(dtype=float)
    return KnnWeights(ids=tuple(centroids["code"].astype(str)),
                      nearest=nearest_neighbours(coords, k), k=k)


def nearest_neighbours(coords: np.ndarray, k: int) -> np.ndarray:
    """``[n, k]`` positions of each point's k nearest others, nearest first, as libpysal's
    ``KNN`` finds them.

    libpysal asks scipy's k-d tree for each point's k + 1 nearest (itself among them) and
    leaves itself out. Where distances are distinct that is simply the k smallest, worked out
    here with numpy. Where equal distances decide which neighbours are in the k, or their
    order (the synthetic demo's hex lattice: six at exactly one hex width), the tree's order
    decides; so the answer is read from the table written by ``scripts/knn_table.py`` for the
    bundled point sets, or asked of the same k-d tree for any other set.
    """
    coords = np.ascontiguousarray(coords, dtype=float)
    known = _knn_table().get(point_set_key(coords, k))
    if known is not None:
        return known.astype(np.intp)
    found = _distinct_nearest(coords, k)
    return found if found is not None else kdtree_nearest(coords, k)


def point_set_key(coords: np.ndarray, k: int) -> str:
    """The table's key of a point set: SHA-256 of its float64 coordinates, k and the tree's
    leaf size (the tree's order of equal distances depends on all three)."""
    data = np.ascontiguousarray(coords, dtype="<f8").tobytes()
    return hashlib.sha256(data + f"|k={k}|leaf={LEAF_SIZE}".encode()).hexdigest()


def kdtree_nearest(coords: np.ndarray, k: int) -> np.ndarray:
    """libpysal ``KNN``'s neighbours from scipy's k-d tree: each point's k + 1 nearest, itself
    left out (or the farthest, when duplicated points keep it out of the k + 1)."""
    from scipy.spatial import cKDTree  # deferred: scipy.spatial is 0.2-0.5 s of import

    n = len(coords)
    _, cand = cKDTree(coords, LEAF_SIZE).query(coords, k=k + 1, p=2)
    keep = cand != np.arange(n)[:, None]
    keep[keep.all(axis=1), -1] = False
    return cand[keep].reshape(n, k)


def _distinct_nearest(coords: np.ndarray, k: int) -> np.ndarray | None:
    """The k nearest others by sorting distances, or None when two of the k + 2 nearest
    distances of any point (itself at 0 included) are within ``TIE_GAP`` of each other: then
    which are in the k, or their order, is the k-d tree's to decide."""
    n = len(coords)
    m = min(k + 2, n)
    nearest = np.empty((n, k), dtype=np.intp)
    for lo in range(0, n, _BLOCK):
        hi = min(lo + _BLOCK, n)
        d = coords[lo:hi, None, :] - coords[None, :, :]
        dist2 = d[..., 0] * d[..., 0] + d[..., 1] * d[..., 1]
        order = np.argsort(dist2, axis=1, kind="stable")[:, :m]
        near = np.take_along_axis(dist2, order, axis=1)
        if np.any(near[:, 1:] - near[:, :-1] <= TIE_GAP * near[:, 1:]):
            return None
        nearest[lo:hi] = order[:, 1 : k + 1]  # order[:, 0] is the point itself (distance 0)
    return nearest


@lru_cache(maxsize=1)
def _knn_table() -> dict[str, np.ndarray]:
    if not KNN_TABLE.is_file():
        return {}
    with np.load(KNN_TABLE) as data:
        return {key: data[key] for key in data.files}


def dense_weights(w: KnnWeights) -> np.ndarray:
    """The weights as a dense ``[n, n]`` array in ``w.ids`` order."""
    out = np.zeros((w.n, w.n))
    np.put_along_axis(out, w.nearest, w.weight, axis=1)
    return out


def morans_i(y: np.ndarray, w: np.ndarray) -> float:
    """Global Moran's I = (n / S0) z'Wz / z'z (Moran 1950), for a dense weights matrix."""
    y = np.asarray(y, dtype=float)
    z = y - y.mean()
    return float(len(y) / w.sum() * (z @ w @ z) / (z @ z))


@lru_cache(maxsize=8)
def _permutations(n: int, permutations: int, seed: int) -> np.ndarray:
    """``[permutations, n]``: the orders esda's ``Moran`` draws after ``np.random.seed(seed)``
    (``np.random.permutation(z)`` equals ``z[permutation(n)]``: the same shuffle)."""
    rs = np.random.RandomState(seed)
    out = np.stack([rs.permutation(n) for _ in range(permutations)])
    out.flags.writeable = False
    return out


@lru_cache(maxsize=8)
def _conditional_draws(n: int, k: int, permutations: int, seed: int) -> np.ndarray:
    """``[permutations, k]`` positions among "everyone but i": esda's ``vec_permutations``
    (``np.random.choice(n - 1, k, replace=False)`` after the seed; the same for every i)."""
    rs = np.random.RandomState(seed)
    # choice(m, k, replace=False) is legacy RandomState's permutation(m)[:k]: the same draws
    # from the same stream, without choice's checks on every call (a third of the time)
    out = np.stack([rs.permutation(n - 1)[:k] for _ in range(permutations)])
    out.flags.writeable = False
    return out


def _draw_positions(rows: np.ndarray, n: int, k: int, permutations: int,
                    seed: int) -> np.ndarray:
    """``[len(rows), permutations, k]``: the draws of each row's district as positions among
    all n (a draw at or past i skips i). Kept between calls (sectors) for district-sized n."""
    if n <= _KEPT_N and len(rows) > _FEW:
        return _all_draw_positions(n, k, permutations, seed)[rows]
    return _skip_self(_conditional_draws(n, k, permutations, seed), rows)


_FEW = 32
"""Up to this many rows (one area's profile and its comparators') are placed from the shared
draws directly, without working out every district's positions."""


@lru_cache(maxsize=2)
def _all_draw_positions(n: int, k: int, permutations: int, seed: int) -> np.ndarray:
    out = _skip_self(_conditional_draws(n, k, permutations, seed), np.arange(n))
    out.flags.writeable = False
    return out


def _skip_self(draws: np.ndarray, rows: np.ndarray) -> np.ndarray:
    return draws[None, :, :] + (draws[None, :, :] >= rows[:, None, None])


def _folded_p(sims_above: np.ndarray, permutations: int) -> np.ndarray:
    """Pseudo p-value from the number of simulations >= the observed value, folded to the
    smaller tail: (min(larger, permutations - larger) + 1) / (permutations + 1)."""
    larger = np.minimum(sims_above, permutations - sims_above)
    return (larger + 1.0) / (permutations + 1.0)


def global_moran(y: np.ndarray, w: KnnWeights, permutations: int = PERMUTATIONS,
                 seed: int = SEED) -> tuple[float, float, float]:
    """Moran's I, E[I] = -1 / (n - 1) and the permutation pseudo p-value (esda ``Moran``)."""
    n = len(y)
    z = y - y.mean()
    z2ss = (z * z).sum()
    scale = n / w.s0
    moran = scale * (z * w.lag(z)).sum() / z2ss
    zp, lag = w.permuted_lag(z, permutations, seed)
    sims = scale * (zp * lag).sum(axis=1) / z2ss
    p = _folded_p(np.count_nonzero(sims >= moran), permutations)
    return float(moran), -1.0 / (n - 1), float(p)


def local_moran(y: np.ndarray, w: KnnWeights, permutations: int = PERMUTATIONS,
                seed: int = SEED) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Local Moran I_i, conditional-permutation pseudo p-values and quadrants 1-4 (Anselin
    1995; esda ``Moran_Local`` with ``n_jobs=1`` and its simulations kept)."""
    z, local_i, quadrant = local_statistics(y, w)
    return local_i, local_p_values(z, local_i, w, np.arange(len(y)), permutations,
                                   seed), quadrant


def local_statistics(y: np.ndarray, w: KnnWeights) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Standardised z, local Moran I_i and quadrants 1-4: the part of :func:`local_moran`
    without the permutations (cheap, so worked out for every district at once)."""
    n = len(y)
    z = y - y.mean()
    z = z / y.std()
    den = (z * z).sum()
    lag = w.lag(z)
    local_i = (n - 1) * z * lag / den
    zpos, lpos = z > 0, lag > 0
    quadrant = (1 * (zpos & lpos) + 2 * (~zpos & lpos) + 3 * (~zpos & ~lpos)
                + 4 * (zpos & ~lpos))
    return z, local_i, quadrant


def local_p_values(z: np.ndarray, local_i: np.ndarray, w: KnnWeights, rows: np.ndarray,
                   permutations: int = PERMUTATIONS, seed: int = SEED) -> np.ndarray:
    """The conditional-permutation pseudo p-values of the districts at ``rows`` (positions).

    Each district's are its own draws against its own I_i, so a few districts cost a few
    districts' draws (a profile asks for its own area's), and any rows give the values the
    whole set gives for them: the same products in the same order.
    """
    n = len(z)
    scaling = (n - 1) / (z * z).sum()
    weights = np.full(w.k, w.weight)
    rows = np.asarray(rows, dtype=np.intp)
    above = np.empty(len(rows), dtype=np.int64)
    for lo in range(0, len(rows), _BLOCK):
        part = rows[lo:lo + _BLOCK]
        # zrand @ w: numpy's matmul makes one [permutations, k] matrix-vector product per
        # district, the product esda makes district by district (bit for bit: the tests)
        lags = np.matmul(z[_draw_positions(part, n, w.k, permutations, seed)], weights)
        zi = z[part, None]
        sims = zi * (lags + 0.0 * zi) * scaling
        above[lo:lo + len(part)] = np.count_nonzero(sims >= local_i[part, None], axis=1)
    return _folded_p(above, permutations)


@dataclass(frozen=True)
class SpatialAssociation:
    """Global and local Moran statistics of one variable over districts (order of ``codes``).

    The local pseudo p-values are the one costly part (999 conditional draws of every
    district): ``local_p`` works them out for every district on first use, ``local_p_at`` for
    one district (what a profile shows), each the value the other gives.
    """

    codes: tuple[str, ...]
    values: np.ndarray
    k: int
    moran_i: float
    moran_expected: float  # E[I] = -1 / (n - 1)
    moran_p: float  # permutation pseudo p-value
    local_i: np.ndarray
    quadrant: np.ndarray  # "HH", "LH", "LL", "HL"
    weights: KnnWeights = field(repr=False, compare=False)
    z: np.ndarray = field(repr=False, compare=False)  # the standardised values
    permutations: int = PERMUTATIONS
    seed: int = SEED
    _at: dict[str, int] = field(init=False, repr=False, compare=False)
    _p: dict[int, float] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # A dict, not tuple.index: every district profile looks up its neighbours' positions.
        object.__setattr__(self, "_at", first_positions(self.codes))
        object.__setattr__(self, "_p", {})

    @cached_property
    def neighbours(self) -> dict[str, tuple[str, ...]]:
        """Each district's k nearest, nearest first (libpysal ``KNN.neighbors``)."""
        return self.weights.neighbors

    @cached_property
    def value_list(self) -> list[float]:
        """``values`` as Python floats (read by every district profile)."""
        return self.values.tolist()

    @cached_property
    def mean(self) -> float:
        """The mean of ``values``, the line between high and low."""
        return float(self.values.mean())

    def prepare_local_p(self, rows: Sequence[int]) -> None:
        """Work out the pseudo p-values of the districts at ``rows`` together (a batch of
        profiles), each the value :meth:`local_p_at` gives alone."""
        if "local_p" in self.__dict__:
            return
        todo = np.array(sorted({int(i) for i in rows} - self._p.keys()), dtype=np.intp)
        if len(todo):
            got = local_p_values(self.z, self.local_i, self.weights, todo, self.permutations,
                                 self.seed)
            self._p.update(zip(todo.tolist(), got.tolist(), strict=True))

    @cached_property
    def local_p(self) -> np.ndarray:
        """``[n]`` conditional-permutation pseudo p-values (esda ``Moran_Local.p_sim``)."""
        return local_p_values(self.z, self.local_i, self.weights, np.arange(len(self.codes)),
                              self.permutations, self.seed)

    def local_p_at(self, i: int) -> float:
        """The pseudo p-value of the district at position ``i``, without the others' draws."""
        if "local_p" in self.__dict__:
            return float(self.local_p[i])
        if i not in self._p:
            self.prepare_local_p([i])
        return self._p[i]

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
    return association_over(y, knn_weights(cen, k), permutations, seed)


def association_over(y: np.ndarray, w: KnnWeights, permutations: int = PERMUTATIONS,
                     seed: int = SEED) -> SpatialAssociation:
    """:func:`spatial_association` of finite values ``y`` in the order of ``w.ids``, for
    weights already built (the districts of every sector of a period share theirs)."""
    moran, expected, moran_p = global_moran(y, w, permutations, seed)
    z, local_i, quadrant = local_statistics(y, w)
    return SpatialAssociation(
        codes=w.ids, values=y, k=w.k, moran_i=moran, moran_expected=expected, moran_p=moran_p,
        local_i=local_i, quadrant=np.array(QUADRANTS)[quadrant], weights=w, z=z,
        permutations=permutations, seed=seed,
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
    quad, p = str(sa.quadrant[i]), sa.local_p_at(i)
    label = (names or {}).get
    mean = sa.mean
    nbrs = sa.neighbours[code]
    values = sa.value_list
    value = {c: values[sa.position(c)] for c in nbrs}
    if quad == "HH" and p < alpha:
        partners = tuple(sorted((c for c in nbrs if value[c] > mean), key=lambda c: -value[c]))
        shown = ", ".join(label(c, c) for c in partners)
        return ClusterFinding(code, "cluster", quad, p, partners,
                              f"part of a cross-boundary cluster with {shown}")
    if quad == "HL" and p < alpha:
        shown = ", ".join(label(c, c) for c in nbrs)
        return ClusterFinding(code, "isolated", quad, p, nbrs,
                              f"an isolated specialism (neighbours {shown} are below the mean)")
    return ClusterFinding(code, "neither", quad, p, (), _no_pattern(quad, p, alpha))


_QUADRANT_WORDS = {
    "HH": "high here and high around it",
    "HL": "high here but low around it",
    "LH": "low here but high around it",
    "LL": "low here and low around it",
}
"""The local Moran quadrants in words (Anselin 1995): the district's value against the mean,
then its neighbours' average against the mean."""


def _no_pattern(quadrant: str, p: float, alpha: float) -> str:
    """Why a district is neither a cluster nor an isolated specialism, in words: its quadrant
    is not told apart from chance (a strong specialism can still be that: a high value beside
    mixed neighbours)."""
    pattern = _QUADRANT_WORDS.get(quadrant)
    if pattern is None or not math.isfinite(p):
        return "no pattern with its neighbours could be measured"
    return (f"no significant pattern with its neighbours: {pattern}, but a pattern this "
            f"strong arises by chance too often (pseudo p = {p:.3f}, not below {alpha:g}) to "
            "call it a cross-boundary cluster or an isolated specialism")
