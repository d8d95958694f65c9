"""One loaded dataset and everything derived from it, computed once and cached.

The UI and the command line both go through this: load -> cube -> indicators (per period) ->
profiles. Indicators for a period are computed for all areas in one pass and kept, so looking at
another area is a slice, not a recomputation.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from evidence.cube import Cube, build_cube, with_custom_area
from evidence.dataset import Dataset
from evidence.indicators import Indicators, compute_indicators
from evidence.models import AreaProfile
from evidence.profile import build_profile
from evidence.sectors import load_sectors
from evidence.sources import load_dataset
from evidence.sources.demo import ensure_full_demo, load_bundled_demo
from evidence.sources.tidy import read_tidy


@dataclass
class Evidence:
    dataset: Dataset
    cube: Cube
    _indicators: dict[tuple[int, int], Indicators] = field(default_factory=dict)

    @classmethod
    def from_dataset(cls, ds: Dataset) -> Evidence:
        return cls(dataset=ds, cube=build_cube(ds))

    @classmethod
    def from_path(cls, path: str | Path | None = None,
                  gva_path: str | Path | None = None) -> Evidence:
        """Load a file in any supported format, or the bundled demo when ``path`` is None."""
        return cls.from_dataset(load_any(path, gva_path))

    @property
    def years(self) -> list[int]:
        return [int(y) for y in self.cube.years]

    def period(self, start: int | None, end: int | None) -> tuple[int, int]:
        return (self.years[0] if start is None else int(start),
                self.years[-1] if end is None else int(end))

    def indicators(self, start: int | None = None, end: int | None = None) -> Indicators:
        key = self.period(start, end)
        if key not in self._indicators:
            self._indicators[key] = compute_indicators(self.cube, *key)
        return self._indicators[key]

    def areas(self) -> pd.DataFrame:
        """Area codes, names and levels, districts first then groups and regions."""
        order = {"lad": 0, "group": 1, "region": 2, "custom": 3, "country": 4}
        frame = self.cube.areas[["area_code", "area_name", "level", "region_name"]].copy()
        frame["_o"] = frame["level"].map(order).fillna(9)
        return frame.sort_values(["_o", "area_name"]).drop(columns="_o").reset_index(drop=True)

    def add_custom_area(self, code: str, name: str, members: list[str]) -> None:
        """Add a custom area made of districts; cached indicators are dropped and recomputed."""
        levels = self.cube.areas.set_index("area_code")["level"]
        not_lad = [m for m in members if levels.get(m) not in ("lad", None)]
        if (levels == "lad").any() and not_lad:
            raise ValueError(
                "a custom area is built from districts; these are not districts: "
                + ", ".join(not_lad)
            )
        if code in set(self.cube.areas["area_code"]):
            raise ValueError(f"area code {code!r} already exists")
        self.cube = with_custom_area(self.cube, code, name, members)
        self._indicators.clear()

    def area_timeseries(self, area_code: str) -> pd.DataFrame:
        """Jobs by sector and year for one area (long form, for trend charts and exports)."""
        pos = self.cube.position(area_code)
        labels = {s.sector_id: s.label for s in load_sectors()}
        frame = pd.DataFrame(self.cube.emp[pos], index=self.cube.sectors,
                             columns=self.cube.years)
        long = frame.rename_axis("sector").reset_index().melt(
            id_vars="sector", var_name="year", value_name="employment")
        long["label"] = long["sector"].map(labels)
        long["year"] = long["year"].astype(int)
        return long

    def profile(
        self,
        area_code: str,
        start: int | None = None,
        end: int | None = None,
        k: int = 5,
        comparator_codes: list[str] | None = None,
    ) -> AreaProfile:
        return build_profile(self.indicators(start, end), area_code, self.dataset.source, k=k,
                             comparator_codes=comparator_codes)


FULL_DEMO = "demo:full"
"""Names the full national synthetic demo (generated once into a cache on first use)."""


def load_any(path: str | Path | None, gva_path: str | Path | None = None) -> Dataset:
    """The bundled demo for None, the full demo for ``demo:full``, else a file by content.

    ``gva_path`` (an ONS GVA file) is merged into a real-data file; the demo has its own GVA.
    """
    if gva_path is not None and path not in (None, FULL_DEMO):
        return load_dataset(path, gva_path)
    if path is None:
        return load_bundled_demo()
    if str(path) == FULL_DEMO:
        return read_tidy(ensure_full_demo())
    return load_dataset(path)
