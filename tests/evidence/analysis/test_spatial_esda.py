"""The hand-written Moran's I and LISA against PySAL itself (esda 2.9, libpysal KNN).

`evidence/analysis/spatial.py` computes the statistics without importing esda (whose import
costs 2-4 s of every command-line profile); these tests hold it to esda's numbers on every
sector of the bundled demo, on the synthetic hex lattice (where equally distant neighbours are
everywhere) and on the real ONS district centroids: the statistics to 1e-12, and the
neighbours, the quadrants and every permutation pseudo p-value exactly.
"""

from __future__ import annotations

import subprocess
import sys
import warnings
from functools import lru_cache

import numpy as np
import pandas as pd
import pytest

from evidence.analysis import spatial
from evidence.analysis.spatial import PERMUTATIONS, QUADRANTS, SEED, spatial_association
from evidence.area_analysis import district_centroids
from evidence.service import Evidence
from tests.paths import ROOT

esda_moran = pytest.importorskip("esda.moran", reason="esda is the reference (dev dependency)")
libpysal_weights = pytest.importorskip("libpysal.weights")


@lru_cache(maxsize=1)
def _bundled() -> Evidence:
    return Evidence.from_path(None)


def _lq(sector_index: int) -> pd.Series:
    ind = _bundled().indicators(None, None)
    lad = (ind.cube.areas["level"] == "lad").to_numpy()
    codes = ind.cube.areas["area_code"].astype(str)[lad].to_numpy()
    values = pd.Series(ind.lq[lad, sector_index, ind.i1], index=codes)
    return values[np.isfinite(values.to_numpy())]


def _centroids(synthetic: bool) -> pd.DataFrame:
    ind = _bundled().indicators(None, None)
    lad = ind.cube.areas[ind.cube.areas["level"] == "lad"]
    return district_centroids(lad, synthetic)[0]


def esda_reference(values: pd.Series, centroids: pd.DataFrame, k: int = 6,
                   permutations: int = PERMUTATIONS) -> dict:
    """What spatial_association returned when it called esda (the code it replaced)."""
    cen = centroids.assign(code=centroids["code"].astype(str)).reset_index(drop=True)
    cen = cen[cen["code"].isin(values.index)].reset_index(drop=True)
    y = values.reindex(cen["code"]).to_numpy(dtype=float)
    w = libpysal_weights.KNN.from_array(cen[["x", "y"]].to_numpy(dtype=float), k=k,
                                        ids=list(cen["code"]))
    w.transform = "r"
    state = np.random.get_state()
    np.random.seed(SEED)
    g = esda_moran.Moran(y, w, transformation="r", permutations=permutations)
    np.random.set_state(state)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        loc = esda_moran.Moran_Local(y, w, transformation="r", permutations=permutations,
                                     seed=SEED, n_jobs=1)
    return {"codes": tuple(cen["code"]), "I": float(g.I), "EI": float(g.EI),
            "p": float(g.p_sim), "Is": np.asarray(loc.Is), "p_local": np.asarray(loc.p_sim),
            "quadrant": np.array([QUADRANTS[int(q)] for q in loc.q]),
            "neighbours": {c: tuple(str(n) for n in w.neighbors[c]) for c in cen["code"]}}


def _assert_same(values: pd.Series, centroids: pd.DataFrame, k: int = 6) -> None:
    ref = esda_reference(values, centroids, k)
    sa = spatial_association(values, centroids, k=k)
    assert sa.codes == ref["codes"]
    assert sa.neighbours == ref["neighbours"]  # the same k, in the same order
    assert abs(sa.moran_i - ref["I"]) <= 1e-12
    assert sa.moran_expected == ref["EI"]
    assert sa.moran_p == ref["p"]
    np.testing.assert_allclose(sa.local_i, ref["Is"], rtol=0, atol=1e-12)
    np.testing.assert_array_equal(sa.local_p, ref["p_local"])
    np.testing.assert_array_equal(sa.quadrant, ref["quadrant"])


SECTORS = range(10)


@pytest.mark.parametrize("synthetic", [True, False], ids=["hex lattice", "ONS centroids"])
@pytest.mark.parametrize("sector_index", SECTORS)
def test_every_sector_of_the_bundled_demo_matches_esda(sector_index: int,
                                                       synthetic: bool) -> None:
    _assert_same(_lq(sector_index), _centroids(synthetic))


def test_a_subset_with_missing_values_and_other_k_matches_esda() -> None:
    values = _lq(0).copy()
    values.iloc[::7] = np.nan  # left out before the weights are built
    _assert_same(values.dropna(), _centroids(True), k=4)
    _assert_same(values.dropna(), _centroids(False), k=8)


def test_ties_in_values_keep_esda_p_values() -> None:
    """Many equal values (LQ 0 where a sector is absent) give permutations that tie the
    observed statistic exactly; each must count as esda counts it."""
    values = _lq(8).copy()  # weapons: a third of districts at LQ 0
    values[values < values.median()] = 0.0
    assert (values == 0).sum() > 150
    _assert_same(values, _centroids(True))


def test_global_random_state_is_left_alone() -> None:
    state = np.random.get_state()
    spatial_association(_lq(1), _centroids(True))
    after = np.random.get_state()
    assert all(np.array_equal(a, b) for a, b in zip(state[1:3], after[1:3], strict=True))


def test_no_pysal_or_scipy_stats_imported() -> None:
    code = ("import sys\n"
            "from evidence.analysis.spatial import spatial_association\n"
            "import pandas as pd\n"
            "cen = pd.DataFrame({'code': list('abcdefghij'), 'x': range(10), "
            "'y': [0, 1] * 5})\n"
            "spatial_association(pd.Series(range(10), index=cen['code'], dtype=float), cen, "
            "k=3)\n"
            "print(sorted(m for m in ('esda', 'libpysal', 'sklearn', 'scipy.stats') "
            "if m in sys.modules))\n")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                         text=True, check=True).stdout
    assert out.strip() == "[]"


def test_the_neighbour_table_is_the_k_d_tree_s_answer() -> None:
    """The bundled point sets' table (scripts/knn_table.py) is what the tree returns now."""
    from scripts.knn_table import bundled_point_sets

    table = spatial._knn_table()
    for name, coords in bundled_point_sets().items():
        key = spatial.point_set_key(coords, 6)
        assert key in table, f"{name}: not in the table - run scripts/knn_table.py"
        np.testing.assert_array_equal(table[key], spatial.kdtree_nearest(coords, 6))


def test_distinct_distances_sorted_by_numpy_match_the_tree() -> None:
    # districts merged since (Aylesbury Vale ... into Buckinghamshire) share their successor's
    # centroid: those are ties, so one point each here
    coords = np.unique(_centroids(False)[["x", "y"]].to_numpy(dtype=float), axis=0)
    assert spatial._distinct_nearest(_centroids(False)[["x", "y"]].to_numpy(), 6) is None
    for k in (4, 6, 8):
        for subset in (slice(None), slice(0, None, 3), slice(5, 200)):
            c = coords[subset]
            found = spatial._distinct_nearest(c, k)
            assert found is not None  # real centroids: no two distances alike
            np.testing.assert_array_equal(found, spatial.kdtree_nearest(c, k))


def test_ties_are_left_to_the_tree() -> None:
    lattice = _centroids(True)[["x", "y"]].to_numpy(dtype=float)
    assert spatial._distinct_nearest(lattice, 6) is None
    part = lattice[::2]  # not in the table: the tree is asked
    assert spatial.point_set_key(part, 6) not in spatial._knn_table()
    np.testing.assert_array_equal(spatial.nearest_neighbours(part, 6),
                                  spatial.kdtree_nearest(part, 6))


def test_more_districts_than_are_kept_between_sectors_matches_esda() -> None:
    """Above ``_KEPT_N`` points the draws are placed block by block, not kept."""
    n = spatial._KEPT_N + spatial._BLOCK // 2
    rng = np.random.default_rng(3)
    cen = pd.DataFrame({"code": [f"P{i:05d}" for i in range(n)],
                        "x": rng.uniform(0, 100, n), "y": rng.uniform(0, 100, n)})
    values = pd.Series(rng.gamma(2.0, 0.5, n) + 0.01 * cen["x"].to_numpy(), index=cen["code"])
    values[values < 0.3] = 0.0
    ref = esda_reference(values, cen, permutations=99)
    sa = spatial_association(values, cen, permutations=99)
    assert sa.neighbours == ref["neighbours"] and sa.moran_p == ref["p"]
    np.testing.assert_allclose(sa.local_i, ref["Is"], rtol=0, atol=1e-12)
    np.testing.assert_array_equal(sa.local_p, ref["p_local"])
