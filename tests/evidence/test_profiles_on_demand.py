"""Only what is asked is computed (issue 14): one area's profile solves one Leontief system and
draws one district's conditional permutations; a batch does its areas' together. Every part
worked out on demand must give, bit for bit, the number the all-areas computation gives, in
whatever order and grouping it is asked for; each test here holds one part to that.
"""

from __future__ import annotations

import gc
import random
import warnings
import weakref
from functools import lru_cache

import numpy as np
import pandas as pd
import pytest

from evidence.analysis import (
    feasible_next,
    feasible_next_all,
    flq,
    regional_coefficients,
    regional_multipliers,
    relatedness_space,
    spatial_association,
    type_i_output_multipliers,
)
from evidence.analysis.spatial import PERMUTATIONS, SEED, global_moran
from evidence.area_analysis import AreaAnalysis, analysis_of, nan_percentile_columns
from evidence.batch import collector_paused, promote_young
from evidence.service import Evidence


@lru_cache(maxsize=1)
def demo() -> Evidence:
    return Evidence.from_path(None)


def fresh() -> AreaAnalysis:
    """A new analysis of the bundled demo's full period (nothing solved or drawn yet)."""
    ev = demo()
    ev._indicators.clear()  # noqa: SLF001 - start from nothing cached
    return analysis_of(ev.indicators(), True)


def test_multipliers_of_any_rows_equal_the_all_areas_solve() -> None:
    a = fresh()
    assert a.io is not None
    io, t = a.io, a.io.tables
    everyone = regional_multipliers(io.emp_f, io.nat_f, t, io.area_total, io.nat_total,
                                    io.delta)
    # the one-buffer coefficients are the composition of the public steps, bit for bit
    ref = type_i_output_multipliers(regional_coefficients(
        t.a, flq(io.emp_f, io.nat_f, io.area_total, io.nat_total, io.delta)))
    np.testing.assert_array_equal(everyone, ref)
    rng = random.Random(7)
    rows = list(range(len(io.emp_f)))
    rng.shuffle(rows)
    one = io.multipliers_of([rows[0]])  # one area alone
    np.testing.assert_array_equal(one[0], everyone[rows[0]])
    some = io.multipliers_of(rows[1:40])  # a batch of others, shuffled
    np.testing.assert_array_equal(some, everyone[rows[1:40]])
    np.testing.assert_array_equal(io.multipliers, everyone)  # the rest filled in
    assert io.multipliers_of([]).shape == (0, len(t.codes))


def test_local_p_of_one_district_equals_the_whole_set() -> None:
    a = fresh()
    for sid in a.ind.cube.sectors:
        sa = a.sector_spatial(sid)
        assert sa is not None
        n = len(sa.codes)
        singles = [sa.local_p_at(i) for i in range(0, n, 7)]  # before the full array exists
        sa.prepare_local_p(range(3, n, 5))  # a batch's rows together
        batch = {i: sa.local_p_at(i) for i in range(3, n, 5)}
        full = sa.local_p  # every district at once
        assert singles == full[::7].tolist()
        assert batch == {i: float(full[i]) for i in batch}
        assert all(sa.local_p_at(i) == full[i] for i in range(n))


def test_sector_statistics_equal_spatial_association_on_a_series() -> None:
    """The analysis reads the LQs from arrays and shares one set of weights between sectors;
    the statistics are spatial_association's on the district Series (held to esda's in
    tests/evidence/analysis/test_spatial_esda.py)."""
    a = fresh()
    cube, ind = a.ind.cube, a.ind
    lad = (cube.areas["level"] == "lad").to_numpy()
    codes = cube.areas["area_code"].astype(str).to_numpy()[lad]
    for s_i, sid in enumerate(cube.sectors):
        got = a.sector_spatial(sid)
        ref = spatial_association(pd.Series(ind.lq[lad, s_i, ind.i1], index=codes).dropna(),
                                  a.centroids)
        assert got is not None
        assert got.codes == ref.codes and got.neighbours == ref.neighbours
        assert (got.moran_i, got.moran_p) == (ref.moran_i, ref.moran_p)
        np.testing.assert_array_equal(got.local_i, ref.local_i)
        np.testing.assert_array_equal(got.quadrant, ref.quadrant)
        np.testing.assert_array_equal(got.local_p, ref.local_p)
    assert len(a.weights) == 1  # every sector had a value for every district: one set


def test_permuted_lag_is_the_lag_of_the_permuted_values() -> None:
    sa = fresh().sector_spatial(demo().cube.sectors[0])
    assert sa is not None
    w, z = sa.weights, sa.values - sa.values.mean()
    zp, lag = w.permuted_lag(z, PERMUTATIONS, SEED)
    order = np.random.RandomState(SEED)
    ref = z[np.stack([order.permutation(len(z)) for _ in range(PERMUTATIONS)])]
    np.testing.assert_array_equal(zp, ref)
    np.testing.assert_array_equal(lag, w.lag(ref))
    moran, _, p = global_moran(sa.values, w)
    assert (moran, p) == (sa.moran_i, sa.moran_p)


@pytest.mark.parametrize(("seed", "n_classes"), [(s, 14) for s in range(4)]
                         + [(s, 150) for s in range(4)])
def test_feasible_next_all_keeps_the_loops_contributors_under_ties(seed: int,
                                                                    n_classes: int) -> None:
    """Relatedness on a coarse grid of values (many exact ties) and areas with many classes,
    or (150 classes) with few, so that some areas' contributors lie past the first classes the
    walk looks at: the sorted walk picks the contributors the loop's lexsort picks, in its
    order."""
    rng = np.random.default_rng(seed)
    shape = (40, n_classes)
    keep = rng.random(shape) < (0.5 if n_classes < 20 else 0.06)
    emp = rng.integers(0, 4, size=shape).astype(float) * keep
    classes = [f"{c:04d}" for c in range(n_classes)]
    space = relatedness_space(emp + 0.5, classes)
    rel = np.round(space.relatedness * 4) / 4  # ties everywhere
    np.fill_diagonal(rel, 0.0)
    space = type(space)(classes=space.classes, lq=space.lq, presence=space.presence,
                        relatedness=rel, density=space.density, method=space.method)
    table = feasible_next_all(space, classes, top=6, n_related=4)
    for pos in range(40):
        ref = feasible_next(space, pos, classes, top=6, n_related=4)
        assert [space.classes[c] for c in table.cand[pos] if c >= 0] == [f.code for f in ref]
        for t, f in enumerate(ref):
            got = [(space.classes[j], v) for j, v in zip(table.related[pos, t].tolist(),
                                                         table.contrib[pos, t].tolist(),
                                                         strict=True) if j >= 0]
            assert got == [(r.code, r.relatedness) for r in f.related]


def test_one_area_alone_equals_the_same_area_in_a_batch() -> None:
    ev = demo()
    codes = [str(c) for c in ev.cube.areas["area_code"]]
    ev._indicators.clear()  # noqa: SLF001
    batch = {p.area.code: p.model_dump_json() for p in ev.profiles(codes)}
    for code in codes[::23]:
        ev._indicators.clear()  # noqa: SLF001 - as in a fresh command: this area first
        assert ev.profile(code).model_dump_json() == batch[code]


class _Node:
    def __init__(self) -> None:
        self.other: _Node | None = None


@pytest.fixture
def unfrozen() -> object:
    """Nothing frozen during the test (an app test before it may have settled the process),
    the process's frozen objects frozen again after."""
    was = gc.get_freeze_count()
    gc.unfreeze()
    yield
    if was:
        gc.freeze()


@pytest.mark.usefixtures("unfrozen")
def test_a_batch_goes_to_the_oldest_generation_and_cycles_are_still_collected() -> None:
    gc.enable()
    with collector_paused():
        assert not gc.isenabled()
        kept = [{"tree": [i]} for i in range(1000)]
        a, b = _Node(), _Node()
        a.other, b.other = b, a  # a cycle made inside the batch
        gone = weakref.ref(a)
        del a, b
    assert gc.isenabled()
    assert gc.get_freeze_count() == 0  # nothing left frozen
    young = {id(o) for o in gc.get_objects(generation=0)}
    assert not any(id(x) in young for x in kept[:10])
    assert any(x is kept[0] for x in gc.get_objects(generation=2))
    assert gone() is not None  # promoted, not yet collected
    gc.collect()
    assert gone() is None  # the next full collection finds the cycle: nothing leaks


@pytest.mark.usefixtures("unfrozen")
def test_frozen_objects_stay_frozen_and_the_batch_is_left_to_the_collector() -> None:
    gc.enable()
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        assert frozen > 0
        assert promote_young() is False
        with collector_paused():
            kept = [{"tree": [i]} for i in range(10)]
        assert gc.get_freeze_count() == frozen
        assert not any(x is kept[0] for x in gc.get_objects(generation=2))
    finally:
        gc.unfreeze()


@pytest.mark.parametrize("pct", [0.0, 33.3, 50.0, 75.0, 90.0, 100.0])
def test_column_percentiles_equal_nanpercentile(pct: float) -> None:
    rng = np.random.default_rng(int(pct))
    d = rng.random((60, 30))
    d[rng.random(d.shape) < 0.05] = np.nan  # NaNs in some columns
    d[:, 4] = np.nan  # a class related to nothing
    d[:, 7] = 0.25  # ties
    with pytest.warns(RuntimeWarning):
        ref = np.nanpercentile(d, pct, axis=0)
    np.testing.assert_array_equal(nan_percentile_columns(d, pct), ref)
    a = fresh()  # and the bundled demo's relatedness densities
    assert a.space is not None
    dens = a.space.density[a.districts]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        want = np.nanpercentile(dens, pct, axis=0)
    np.testing.assert_array_equal(nan_percentile_columns(dens, pct), want)
