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

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from evidence.columns import Columns
from evidence.indicators import Indicators
from evidence.sources.arrow_numpy import arrow_of

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["COLUMNS", "indicator_columns", "indicator_table", "write_table"]

COLUMNS: tuple[str, ...] = (
    "area_code", "area_name", "level", "sector", "start_year", "end_year", "jobs_start",
    "jobs", "share", "lq", "lq_region", "growth", "national_growth", "ss_national", "ss_mix",
    "ss_local", "productivity", "productivity_ratio", "dynamics", "national_basis",
)
"""Column order of the table; ``growth`` is the compound annual rate over the period."""


def indicator_table(ind: Indicators) -> pd.DataFrame:
    """The long table of :data:`COLUMNS` for every area and sector, as a pandas frame."""
    return indicator_columns(ind).frame()


def write_table(table: Columns, path: Path) -> None:
    """Write the table to ``.parquet`` (by Arrow, from the arrays: no pandas) or ``.csv``
    (by pandas, whose number formatting the CSV has always had)."""
    if path.suffix.lower() == ".parquet":
        pq.write_table(pa.table({n: arrow_of(v) for n, v in table.data.items()}), path)
    elif path.suffix.lower() == ".csv":
        table.frame().to_csv(path, index=False)
    else:
        raise ValueError(f"{path}: the file must end in .csv or .parquet")


def indicator_columns(ind: Indicators) -> Columns:
    """The long table of :data:`COLUMNS` for every area and sector, built from the arrays
    without a Python loop over areas (areas x sectors rows), without pandas (the
    ``indicators`` command writes it with Arrow)."""
    cube = ind.cube
    areas = cube.area_table()
    n_areas, n_sectors = len(areas), len(cube.sectors)
    n_rows = n_areas * n_sectors
    i0, i1 = cube.year_index(ind.start), cube.year_index(ind.end)

    def flat(values: np.ndarray) -> np.ndarray:
        return np.asarray(values).reshape(n_areas * n_sectors)

    def per_area(column: str) -> np.ndarray:
        return np.repeat(np.asarray(areas[column], dtype=object), n_sectors)

    def every(value: object) -> np.ndarray:
        return np.full(n_rows, value, dtype=object if isinstance(value, str) else None)

    return Columns({
        "area_code": per_area("area_code"),
        "area_name": per_area("area_name"),
        "level": per_area("level"),
        "sector": np.tile(np.asarray(cube.sectors, dtype=object), n_areas),
        "start_year": every(int(ind.start)),
        "end_year": every(int(ind.end)),
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
        "dynamics": np.asarray(flat(ind.dynamics), dtype=object),
        "national_basis": every(cube.national_basis),
    }).select(COLUMNS)
