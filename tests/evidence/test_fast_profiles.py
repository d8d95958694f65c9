"""The fast profile path (issue 14) gives the numbers the area-by-area code gave, on the bundled
demo, for every area.

The profile used to be built one area at a time from numpy scalars: ``feasible_next`` per area,
each sector's multiplier as a weighted sum per area, comparators' distances and words from
array lookups. Now the analysis is worked out once per period for all areas and a profile reads
lists. Each test here recomputes one part the old way (the reference, written out below from
the public pure functions) and asks for exact equality, every digit and every word.
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np
import pytest

from evidence.analysis import feasible_next, feasible_next_all
from evidence.area_analysis import (
    AreaAnalysis,
    am_candidates,
    analysis_of,
    area_multiplier,
    class_label,
    related_opportunities,
    sector_io_industries,
    supply_chains,
)
from evidence.comparators import feature_blocks, nearest_comparators, peer_features, place_type
from evidence.indicators import Indicators
from evidence.profile import sector_rows
from evidence.service import Evidence


@lru_cache(maxsize=1)
def demo() -> tuple[Evidence, Indicators, AreaAnalysis]:
    ev = Evidence.from_path(None)
    ind = ev.indicators()
    return ev, ind, analysis_of(ind, ev.dataset.source.synthetic)


def _num(x: object, digits: int) -> float | None:
    v = float(x)  # type: ignore[arg-type]
    return round(v, digits) if math.isfinite(v) else None


def _areas() -> range:
    return range(len(demo()[0].cube.areas))


def test_feasible_next_all_equals_feasible_next_area_by_area() -> None:
    _, _, a = demo()
    assert a.space is not None
    cands = am_candidates(a.classes)
    table = feasible_next_all(a.space, cands, top=10, n_related=5)
    for pos in _areas():
        ref = feasible_next(a.space, pos, cands, top=10, n_related=5)
        got = [c for c in table.cand[pos].tolist() if c >= 0]
        assert [a.classes[c] for c in got] == [f.code for f in ref]
        for t, f in enumerate(ref):
            rel = [(a.classes[j], v) for j, v in zip(table.related[pos, t].tolist(),
                                                       table.contrib[pos, t].tolist(),
                                                       strict=True) if j >= 0]
            assert rel == [(r.code, r.relatedness) for r in f.related]


def test_feasible_next_all_breaks_ties_by_code_like_the_loop() -> None:
    from evidence.analysis import relatedness_space

    emp = np.array([[5.0, 5, 5, 5, 0], [1, 1, 1, 1, 9], [0, 0, 0, 0, 9], [2, 2, 2, 2, 2]])
    space = relatedness_space(emp, ["a", "b", "c", "d", "e"])
    table = feasible_next_all(space, ["a", "b", "c", "d", "e"], top=4, n_related=3)
    for pos in range(4):
        ref = feasible_next(space, pos, ["a", "b", "c", "d", "e"], top=4, n_related=3)
        assert [space.classes[c] for c in table.cand[pos] if c >= 0] == [f.code for f in ref]


def test_related_opportunities_equal_the_area_by_area_models() -> None:
    _, ind, a = demo()
    assert a.space is not None
    cands = am_candidates(a.classes)
    for pos in _areas():
        ref = []
        for fc in feasible_next(a.space, pos, cands, top=10, n_related=5):
            if not np.isfinite(fc.density) or fc.density <= 0:
                continue
            c_i = a.space.index(fc.code)
            ref.append({
                "sic": fc.code, "label": class_label(fc.code), "sector": cands[fc.code],
                "density": round(fc.density, 4), "lq": _num(fc.lq, 3),
                "national_jobs": _num(ind.cube.nat_class_emp[c_i, ind.i1], 0),
                "related_present": [{"sic": r.code, "label": class_label(r.code),
                                     "relatedness": round(r.relatedness, 4),
                                     "lq": round(r.lq, 3)} for r in fc.related],
            })
        assert [o.model_dump() for o in related_opportunities(a, pos)] == ref


def test_supply_chain_multipliers_equal_the_per_area_sums() -> None:
    _, ind, a = demo()
    io = a.io
    assert io is not None
    t, cube = io.tables, ind.cube
    inds_of = sector_io_industries()
    for pos in _areas():
        chains = {c.sector: c for c in supply_chains(a, pos)}
        jobs, mults = [], []
        for s_i, sid in enumerate(cube.sectors):
            inds = inds_of.get(sid) or []
            e = float(np.nan_to_num(cube.emp[pos, s_i, ind.i1]))
            if not inds or not e > 0:
                assert sid not in chains
                continue
            idx = [t.index(c) for c in inds]
            w = t.output[idx]
            ref = float((io.multipliers[pos, idx] * w).sum() / w.sum())
            assert chains[sid].multiplier.type_i == round(ref, 4)
            for s in chains[sid].suppliers:
                assert s.local_lq == _num(io.slq[pos, t.index(s.industry)], 4)
            jobs.append(e)
            mults.append(ref)
        m = area_multiplier(a, pos)
        if jobs:
            assert m is not None
            assert m.type_i == round(float(np.average(mults, weights=jobs)), 4)
        else:
            assert m is None


def _reason(ind: Indicators, a: int, b: int) -> str:
    """The comparator's words as the numpy-scalar code wrote them."""
    i1 = ind.i1
    total = ind.cube.total[:, i1]
    ratio = total[b] / total[a] if total[a] else np.nan
    size_word = "similar size" if 0.67 <= ratio <= 1.5 else "size"
    parts = [f"{size_word} ({total[a]:,.0f} vs {total[b]:,.0f} jobs, {ind.end})"]
    codes = [str(c) for c in ind.cube.areas["area_code"]]
    ta, tb = place_type(codes[a]), place_type(codes[b])
    if ta and ta == tb:
        parts.append(f"same type of district ({ta})")
    blocks = feature_blocks(ind)
    if "occupations" in blocks and ind.cube.soc is not None:
        diff = 0.5 * float(np.abs(blocks["occupations"][a, :9] - blocks["occupations"][b, :9])
                           .sum())
        parts.append(f"occupational mix {1 - diff:.0%} alike")
    if "industries" in blocks:
        diff = 0.5 * float(np.abs(blocks["industries"][a] - blocks["industries"][b]).sum())
        parts.append(f"industry mix {1 - diff:.0%} alike")
    am_a, am_b = ind.am_share[a, i1], ind.am_share[b, i1]
    parts.append(
        f"advanced manufacturing share {np.nan_to_num(am_a):.1%} vs {np.nan_to_num(am_b):.1%} "
        "(not used to choose peers)")
    return "; ".join(parts)


def test_comparators_equal_the_brute_force_neighbours() -> None:
    ev, ind, _ = demo()
    areas = ev.cube.areas
    for pos in _areas():
        level = str(areas["level"].iloc[pos])
        if level == "custom":
            continue
        peers, z = peer_features(ind, level)
        me = int(np.searchsorted(peers, pos))
        dist = np.sqrt(((z - z[me]) ** 2).sum(axis=1))
        order = [int(j) for j in np.argsort(dist, kind="stable")[:6] if j != me][:5]
        ref = [(str(areas["area_code"].iloc[peers[j]]), round(float(dist[j]), 3),
                _reason(ind, pos, int(peers[j]))) for j in order]
        got = nearest_comparators(ind, str(areas["area_code"].iloc[pos]))
        assert [(c.area_code, c.distance, c.similar_because) for c in got] == ref


def test_sector_rows_read_the_arrays_exactly() -> None:
    _, ind, a = demo()
    cube, i0, i1 = ind.cube, ind.i0, ind.i1

    def same(x: float | None, arr_value: object) -> bool:
        v = float(arr_value)  # type: ignore[arg-type]
        return x is None if not math.isfinite(v) else x == v

    for pos in _areas():
        for s_i, row in enumerate(sector_rows(ind, pos, a)):
            assert same(row.employment, cube.emp[pos, s_i, i1])
            assert same(row.employment_start, cube.emp[pos, s_i, i0])
            assert same(row.lq, ind.lq[pos, s_i, i1])
            assert same(row.lq_region, ind.lq_region[pos, s_i, i1])
            assert same(row.share, ind.share[pos, s_i, i1])
            assert same(row.growth, ind.cagr[pos, s_i])
            assert row.suppressed_cells == int(cube.supp[pos, s_i, i0] + cube.supp[pos, s_i, i1])
            assert row.dynamics == str(ind.dynamics[pos, s_i])
            if row.shift_share is not None:
                assert row.shift_share.local == float(ind.ss_local[pos, s_i])


@pytest.mark.parametrize("repeat", [1, 2])
def test_profiles_are_the_same_on_fresh_and_on_cached_analysis(repeat: int) -> None:
    """A profile read back from the per-area caches is the profile first built."""
    ev = Evidence.from_path(None)
    codes = list(ev.cube.areas["area_code"])[::repeat * 17]
    first = [ev.profile(c).model_dump_json() for c in codes]
    again = [ev.profile(c).model_dump_json() for c in codes]
    ev._indicators.clear()  # noqa: SLF001 - recompute everything
    fresh = [ev.profile(c).model_dump_json() for c in reversed(codes)][::-1]
    assert first == again == fresh
