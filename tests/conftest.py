"""Shared fixtures: a tiny hand-computable dataset used by the economics tests."""

from __future__ import annotations

import os
import tempfile

import pandas as pd
import pytest

from evidence.dataset import Dataset, SourceInfo, validate_dataset

# Keep the app's SQLite store and uploads out of the work tree during tests.
os.environ.setdefault("POLICYMIX_HOME", tempfile.mkdtemp(prefix="policymix-test-"))

TINY_EMPLOYMENT = {
    # area: {year: {sic: jobs}}
    "A1": {2020: {"3030": 100, "2910": 50, "TOTAL": 1000},
           2022: {"3030": 150, "2910": 40, "TOTAL": 1100}},
    "A2": {2020: {"3030": 0, "2910": 200, "TOTAL": 2000},
           2022: {"3030": 10, "2910": 220, "TOTAL": 2100}},
    "A3": {2020: {"3030": 20, "2910": 30, "TOTAL": 3000},
           2022: {"3030": 20, "2910": 30, "TOTAL": 2800}},
}


def tiny_dataset() -> Dataset:
    rows = [
        {"area_code": a, "year": y, "sic": s, "employment": float(v), "suppressed": False}
        for a, years in TINY_EMPLOYMENT.items()
        for y, cells in years.items()
        for s, v in cells.items()
    ]
    areas = pd.DataFrame(
        [
            {"area_code": "A1", "area_name": "Aville", "level": "lad", "group_code": "G1",
             "group_name": "Group One", "region_code": "R1", "region_name": "Region One"},
            {"area_code": "A2", "area_name": "Beeton", "level": "lad", "group_code": "G1",
             "group_name": "Group One", "region_code": "R1", "region_name": "Region One"},
            {"area_code": "A3", "area_name": "Ceeford", "level": "lad", "group_code": "G2",
             "group_name": "Group Two", "region_code": "R1", "region_name": "Region One"},
        ]
    )
    ds = Dataset(employment=pd.DataFrame(rows), areas=areas,
                 source=SourceInfo(name="tiny hand-made test data", synthetic=True))
    return validate_dataset(ds)


@pytest.fixture
def tiny() -> Dataset:
    return tiny_dataset()
