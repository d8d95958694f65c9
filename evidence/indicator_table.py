"""Every indicator for every area and sector as one long table: what analysts paste into their
own work (``policymix indicators --data FILE --out OUT.csv|.parquet``).

One row per area and Table 1 sector, for the period ``start``-``end`` of an
:class:`~evidence.indicators.Indicators`: jobs at both ends, share of all jobs, location
quotient against Great Britain (or the file's national reference, named in ``national_basis``)
and against the area's region, compound annual growth, the three classic shift-share parts
(they sum to the actual change), GVA per job and its ratio to the same sector nationally where
GVA is loaded, and the dynamics class. Values carry full precision; rounding is for display.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from evidence.indicators import Indicators

__all__ = ["COLUMNS", "indicator_table"]

COLUMNS: tuple[str, ...] = (
    "area_code", "area_name", "level", "sector", "start_year", "end_year", "jobs_start",
    "jobs", "share", "lq", "lq_region", "growth", "national_growth", "ss_national", "ss_mix",
    "ss_local", "productivity", "productivity_ratio", "dynamics", "national_basis",
)
"""Column order of the table; ``growth`` is the compound annual rate over the period."""


def indicator_table(ind: Indicators) -> pd.DataFrame:
    """The long table of :data:`COLUMNS` for every area and sector, built from the arrays
    without a Python loop over areas (areas x sectors rows)."""
    cube = ind.cube
    n_areas, n_sectors = len(cube.areas), len(cube.sectors)
    i0, i1 = cube.year_index(ind.start), cube.year_index(ind.end)

    def flat(values: np.ndarray) -> np.ndarray:
        return np.asarray(values).reshape(n_areas * n_sectors)

    def per_area(column: str) -> np.ndarray:
        return np.repeat(cube.areas[column].to_numpy(), n_sectors)

    frame = pd.DataFrame({
        "area_code": per_area("area_code"),
        "area_name": per_area("area_name"),
        "level": per_area("level"),
        "sector": np.tile(np.asarray(cube.sectors, dtype=object), n_areas),
        "start_year": ind.start,
        "end_year": ind.end,
        "jobs_start": flat(cube.emp[..., i0]),
        "jobs": flat(cube.emp[..., i1]),
        "share": flat(ind.share[..., i1]),
        "lq": flat(ind.lq[..., i1]),
        "lq_region": flat(ind.lq_region[..., i1]),
        "growth": flat(ind.cagr),
        "national_growth": np.tile(ind.nat_cagr, n_areas),
        "ss_national": flat(ind.ss_national),
        "ss_mix": flat(ind.ss_mix),
        "ss_local": flat(ind.ss_local),
        "productivity": (flat(ind.productivity[..., i1]) if ind.productivity is not None
                         else np.full(n_areas * n_sectors, np.nan)),
        "productivity_ratio": (flat(ind.productivity_ratio[..., i1])
                               if ind.productivity_ratio is not None
                               else np.full(n_areas * n_sectors, np.nan)),
        "dynamics": flat(ind.dynamics),
        "national_basis": cube.national_basis,
    })
    return frame.loc[:, list(COLUMNS)]
