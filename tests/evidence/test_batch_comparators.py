"""Comparators worked out for a batch (``prepare_comparators``: distances a block of areas at a
time, a mirrored triangle for a whole level, the nearest found by a partition) are the ones
each area gets alone, and the partition keeps a stable argsort's order through ties."""

from __future__ import annotations

import numpy as np
import pytest

from evidence.comparators import (
    all_distances,
    nearest_comparators,
    nearest_order,
    prepare_comparators,
)
from evidence.indicators import compute_indicators
from evidence.service import Evidence


@pytest.fixture(scope="module")
def ev() -> Evidence:
    return Evidence.from_path(None)


def _alone(ev: Evidence, codes: list[str], k: int) -> list[list[tuple]]:
    ind = compute_indicators(ev.cube, *ev.period(None, None))  # nothing cached
    return [[tuple(c.model_dump().values()) for c in nearest_comparators(ind, code, k)]
            for code in codes]


@pytest.mark.parametrize("k", [5, 1, 0])
def test_a_batch_gives_each_area_its_own_comparators(ev: Evidence, k: int) -> None:
    codes = ev.cube.areas["area_code"].astype(str).tolist()
    ind = compute_indicators(ev.cube, *ev.period(None, None))
    prepare_comparators(ind, [ev.cube.position(c) for c in codes], k)
    batch = [[tuple(c.model_dump().values()) for c in nearest_comparators(ind, code, k)]
             for code in codes]
    assert batch == _alone(ev, codes, k)
    assert all(len(b) == k for b, lvl in zip(batch, ev.cube.areas["level"], strict=True)
               if lvl == "lad")


def test_part_of_a_level_and_a_custom_area(ev: Evidence) -> None:
    ev = Evidence(dataset=ev.dataset, cube=ev.cube)
    lads = ev.cube.areas.loc[ev.cube.areas["level"] == "lad", "area_code"].tolist()
    ev.add_custom_area("X99000001", "Custom", lads[:4])
    codes = lads[::3] + ["X99000001"]
    ind = ev.indicators()
    prepare_comparators(ind, [ev.cube.position(c) for c in codes], 5)
    batch = [[tuple(c.model_dump().values()) for c in nearest_comparators(ind, code, 5)]
             for code in codes]
    assert batch == _alone(ev, codes, 5)
    assert batch[-1]  # the custom area is compared with partnership areas


def test_the_mirrored_triangle_is_each_row_s_own_sum() -> None:
    rng = np.random.default_rng(3)
    z = rng.normal(size=(150, 37))
    ref = np.stack([np.sqrt(((z - z[m]) ** 2).sum(axis=1)) for m in range(len(z))])
    assert np.array_equal(all_distances(z).view(np.int64), ref.view(np.int64))


@pytest.mark.parametrize("n", [1, 3, 6, 20])
def test_nearest_order_is_a_stable_argsort_through_ties(n: int) -> None:
    rng = np.random.default_rng(n)
    d = rng.integers(0, 4, size=(200, 30)).astype(float)  # many ties at every cut
    assert nearest_order(d, n) == np.argsort(d, axis=1, kind="stable")[:, :n].tolist()
    d[5, 7] = np.nan  # not finite: the full sort, as before
    assert nearest_order(d, n) == np.argsort(d, axis=1, kind="stable")[:, :n].tolist()
    assert nearest_order(d[:, :n], n) == np.argsort(d[:, :n], axis=1, kind="stable").tolist()
