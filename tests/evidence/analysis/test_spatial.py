"""Spatial association: Moran's I by hand and against esda, LISA on a planted pattern."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from evidence.analysis.spatial import (
    classify_district,
    dense_weights,
    knn_weights,
    morans_i,
    spatial_association,
)


def test_morans_i_hand_lattice():
    # Points on a line at 0, 1, 3, 6 with k = 1: neighbours 0->1, 1->0, 3->1, 6->3.
    cen = pd.DataFrame({"code": list("abcd"), "x": [0.0, 1.0, 3.0, 6.0], "y": 0.0})
    w = dense_weights(knn_weights(cen, k=1))
    np.testing.assert_array_equal(w, [[0, 1, 0, 0], [1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0]])
    # z = (-1.5, -0.5, 0.5, 1.5): z'z = 5, z'Wz = 0.75 + 0.75 - 0.25 + 0.75 = 2, n/S0 = 1.
    assert morans_i(np.array([1.0, 2.0, 3.0, 4.0]), w) == pytest.approx(0.4)


def _grid(n: int) -> pd.DataFrame:
    ii, jj = np.meshgrid(np.arange(n), np.arange(n), indexing="ij")
    codes = [f"E{i:02d}{j:02d}" for i, j in zip(ii.ravel(), jj.ravel(), strict=True)]
    return pd.DataFrame({"code": codes, "x": jj.ravel().astype(float),
                         "y": ii.ravel().astype(float)})


def test_moran_matches_esda_and_hand_formula():
    rng = np.random.default_rng(0)
    cen = _grid(8)
    cen["x"] += rng.uniform(-0.2, 0.2, len(cen))  # break distance ties
    y = rng.gamma(2.0, 0.5, len(cen)) + 0.05 * cen["x"].to_numpy()
    sa = spatial_association(pd.Series(y, index=cen["code"]), cen)
    w = dense_weights(knn_weights(cen))
    assert sa.moran_i == pytest.approx(morans_i(y, w), rel=1e-10)
    assert sa.moran_expected == pytest.approx(-1 / (len(y) - 1))
    again = spatial_association(pd.Series(y, index=cen["code"]), cen)
    assert again.moran_p == sa.moran_p  # fixed seed
    np.testing.assert_array_equal(again.local_p, sa.local_p)
    # Local Moran as esda computes it: I_i = z_i * lag_i / m2 with m2 = z'z / (n - 1), so the
    # mean of I_i is (n - 1) / n times the global I.
    n, z = len(y), y - y.mean()
    np.testing.assert_allclose(sa.local_i, z * (w @ z) / (z @ z / (n - 1)))
    assert sa.local_i.mean() == pytest.approx(sa.moran_i * (n - 1) / n)


def _planted() -> tuple[pd.DataFrame, pd.Series]:
    rng = np.random.default_rng(1)
    cen = _grid(12)
    cen["x"] += rng.uniform(-0.05, 0.05, len(cen))
    cen["y"] += rng.uniform(-0.05, 0.05, len(cen))
    lq = pd.Series(1.0 + rng.normal(0, 0.05, len(cen)), index=cen["code"])
    for i in range(1, 5):  # a hot 4 x 4 block
        for j in range(1, 5):
            lq[f"E{i:02d}{j:02d}"] = 3.0 + rng.normal(0, 0.05)
    for i in range(6, 12):  # a cold 6 x 6 block with one specialised district in the middle
        for j in range(6, 12):
            lq[f"E{i:02d}{j:02d}"] = 0.1
    lq["E0809"] = 3.0
    return cen, lq


def test_planted_cluster_and_isolated_specialism():
    cen, lq = _planted()
    sa = spatial_association(lq, cen)
    assert sa.moran_i > 0.3 and sa.moran_p < 0.01
    hot = classify_district(sa, "E0202", names={"E0203": "Thirdshire"})
    assert hot.status == "cluster" and hot.quadrant == "HH" and hot.p_value < 0.05
    assert set(hot.neighbours) <= {f"E{i:02d}{j:02d}" for i in range(1, 5) for j in range(1, 5)}
    assert len(hot.neighbours) == 6
    assert hot.text.startswith("part of a cross-boundary cluster with ")
    assert "Thirdshire" in hot.text
    iso = classify_district(sa, "E0809")
    assert iso.status == "isolated" and iso.quadrant == "HL"
    assert iso.text.startswith("an isolated specialism")
    assert all(lq[c] == 0.1 for c in iso.neighbours)
    plain = classify_district(sa, "E0011")
    assert plain.status == "neither" and plain.neighbours == ()
    assert plain.text.startswith("no significant pattern with its neighbours: ")
    assert f"pseudo p = {plain.p_value:.3f}" in plain.text and "low here" in plain.text
    with pytest.raises(KeyError):
        classify_district(sa, "nope")


def test_missing_values_and_errors():
    cen, lq = _planted()
    lq = lq.drop("E0000")
    lq["E0001"] = np.nan
    sa = spatial_association(lq, cen, k=4)
    assert "E0000" not in sa.codes and "E0001" not in sa.codes and sa.k == 4
    assert all(len(v) == 4 for v in sa.neighbours.values())
    with pytest.raises(ValueError):
        knn_weights(cen.head(3), k=6)
    with pytest.raises(ValueError):
        spatial_association([1.0, 2.0], cen)
