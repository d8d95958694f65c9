"""The batch profile path (issue 14) gives the profiles the one-area path gives.

``Evidence.profiles`` builds many profiles with the cyclic collector paused; sector rows,
supply chains and opportunities are validated a list at a time (``models_from``); district
centroids are worked out once per set of districts; a few per-area numpy calls became plain
Python with the same arithmetic. Each test holds one of these to the code it replaced.
"""

from __future__ import annotations

import gc
import math
import random
import warnings
from functools import lru_cache

import numpy as np
import pytest
from pydantic import ValidationError

from evidence.area_analysis import district_centroids
from evidence.batch import collector_paused
from evidence.findings import nan_median
from evidence.hexmap import hex_centres, hex_positions
from evidence.models import (
    Buyer,
    Multiplier,
    SectorRow,
    ShiftShare,
    Supplier,
    SupplyChain,
    models_from,
)
from evidence.service import Evidence


@lru_cache(maxsize=1)
def demo() -> Evidence:
    return Evidence.from_path(None)


def test_the_batch_equals_one_profile_at_a_time_for_every_area() -> None:
    ev = demo()
    codes = [str(c) for c in ev.cube.areas["area_code"]]
    gc.enable()
    batch = ev.profiles(codes)
    assert gc.isenabled()
    one = [ev.profile(c) for c in codes]
    assert [p.model_dump_json() for p in batch] == [p.model_dump_json() for p in one]
    assert batch == one


def test_the_batch_takes_the_period_and_k() -> None:
    ev = demo()
    years = ev.years
    codes = [str(c) for c in ev.cube.areas["area_code"]][:12]
    batch = ev.profiles(codes, years[1], years[-2], k=3)
    assert all(len(p.comparators) <= 3 for p in batch)
    assert batch == [ev.profile(c, years[1], years[-2], k=3) for c in codes]


def test_the_collector_is_restored_on_errors_and_left_paused_if_it_was() -> None:
    ev = demo()
    gc.enable()
    with pytest.raises(KeyError):
        ev.profiles(["E06000001", "not an area"])
    assert gc.isenabled()
    gc.disable()
    try:
        with collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_models_from_equals_the_constructors_nested_included() -> None:
    items = [{"sector": "aero", "label": "Aerospace", "io_industry": ["C30"],
              "suppliers": [{"industry": "C25", "name": "Metal", "coefficient": 0.1,
                             "local_lq": None}],
              "buyers": [{"industry": "C30", "name": "Air", "share": 0.2, "local_lq": 1.5}],
              "multiplier": {"type_i": 1.7, "method": "FLQ", "delta": 0.3}}]
    ref = [SupplyChain(sector="aero", label="Aerospace", io_industry=["C30"],
                       suppliers=[Supplier(industry="C25", name="Metal", coefficient=0.1,
                                           local_lq=None)],
                       buyers=[Buyer(industry="C30", name="Air", share=0.2, local_lq=1.5)],
                       multiplier=Multiplier(type_i=1.7, method="FLQ", delta=0.3))]
    got = models_from(SupplyChain, items)
    assert got == ref
    assert got[0].model_fields_set == ref[0].model_fields_set
    assert got[0].model_dump_json() == ref[0].model_dump_json()
    assert models_from(SupplyChain, []) == []


def test_models_from_still_validates() -> None:
    """Internal data is checked as strictly as through the constructors: a wrong type fails."""
    row = {"sector": "aero", "label": "Aerospace", "quadrant": "q", "employment": "many",
           "share": None, "lq": None, "growth": None}
    with pytest.raises(ValidationError):
        models_from(SectorRow, [row])
    with pytest.raises(ValidationError):
        models_from(ShiftShare, [{"national": 1.0}])
    # ints become floats, as the constructors make them
    ss = models_from(ShiftShare, [{"national": 1, "industry_mix": 2, "local": 3, "actual": 4}])
    assert type(ss[0].national) is float


def test_nan_median_is_numpy_nanmedian() -> None:
    rng = random.Random(14)
    cases = [[1.0], [2.0, 1.0], [math.nan, 3.0], [0.1, 0.2, 0.3, 0.7], [math.inf, 1.0, 2.0]]
    for _ in range(20_000):
        n = rng.randint(1, 8)
        cases.append([rng.choice([math.nan, 0.0, rng.uniform(0, 0.4), rng.lognormvariate(-3, 1)])
                      for _ in range(n)])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN cases
        for xs in cases:
            ref = float(np.nanmedian(np.array(xs)))
            got = nan_median(xs)
            assert got == ref or (math.isnan(got) and math.isnan(ref)), xs


def test_district_centroids_are_computed_once_and_handed_out_as_copies() -> None:
    ev = demo()
    lad = ev.cube.areas[ev.cube.areas["level"] == "lad"]
    first, basis = district_centroids(lad, True)
    pos = hex_positions(lad, True)
    x, y = hex_centres(pos["q"].astype(int), pos["r"].astype(int))
    assert first["code"].tolist() == pos["area_code"].astype(str).tolist()
    assert first["x"].tolist() == x.tolist() and first["y"].tolist() == y.tolist()
    first.loc[0, "x"] = 1e9  # a caller's change does not reach the next caller
    again, basis_again = district_centroids(lad, True)
    assert again["x"].tolist() == x.tolist() and basis_again == basis
    # other districts, other points
    fewer, _ = district_centroids(lad.iloc[:-3], True)
    assert len(fewer) == len(lad) - 3
