"""One loaded dataset and everything derived from it, computed once and cached.

The UI and the command line both go through this: load -> cube -> indicators (per period) ->
profiles. Indicators for a period are computed for all areas in one pass and kept, so looking at
another area is a slice, not a recomputation.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from evidence.area_analysis import analysis_of
from evidence.batch import collector_paused
from evidence.comparators import prepare_comparators
from evidence.cube import Cube, build_cube, with_custom_area
from evidence.dataset import AREA_LEVELS, DataError, Dataset
from evidence.geography import AreaNotFound, resolve_area, split_prefix
from evidence.indicators import Indicators, compute_indicators
from evidence.models import AreaProfile
from evidence.profile import build_profile
from evidence.sectors import load_sectors
from evidence.sources.demo import bundled_demo_path, ensure_full_demo, load_bundled_demo
from evidence.sources.load import load_dataset
from evidence.sources.nomis_context import merge_context
from evidence.sources.ons_gva import attach_gva
from evidence.sources.samples import SAMPLE_PREFIX, load_sample
from evidence.sources.tidy_cells import YearsWanted
from evidence.sources.tidy_duckdb import read_tidy_any


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
                  gva_path: str | Path | None = None, status: str | None = None,
                  context: list[str | Path] | None = None,
                  engine: str = "auto", lookup: str | Path | None = None,
                  years: YearsWanted | None = None) -> Evidence:
        """Load a file in any supported format, or the bundled demo when ``path`` is None.

        ``status`` picks the BRES employment status of a file that has several (default
        Employment); it may also ride in ``path`` as ``file::status=Employees``. ``context``
        lists NOMIS context downloads (APS qualifications and occupations, UK Business Counts)
        to merge in (:func:`evidence.sources.nomis_context.merge_context`). ``engine``: see
        :func:`load_any`; ``lookup``: an ONS area-to-district lookup for a file of
        neighbourhoods (MSOAs, LSOAs). ``years``: see :func:`load_any` (for one period's
        indicators; the profile's trends need every year).
        """
        return cls.from_dataset(load_any(path, gva_path, status, context=context,
                                         engine=engine, lookup=lookup, years=years))

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
        """Area codes, names and levels, districts first (then their neighbourhoods), then
        groups and regions."""
        order = {lv: i for i, lv in enumerate(AREA_LEVELS)}
        order["country"] = len(order)  # after custom areas
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

    def profiles(
        self,
        area_codes: list[str],
        start: int | None = None,
        end: int | None = None,
        k: int = 5,
    ) -> list[AreaProfile]:
        """The profiles of many areas (every district of a calibration, a batch export), each
        equal to :meth:`profile` of its code; built with the cyclic garbage collector paused
        (:func:`evidence.batch.collector_paused`: profiles are trees, nothing for it to free).
        """
        ind = self.indicators(start, end)
        source = self.dataset.source
        with collector_paused():
            positions = [self.cube.position(c) for c in area_codes]
            analysis_of(ind, source.synthetic).prepare(positions)
            prepare_comparators(ind, positions, k)
            return [build_profile(ind, code, source, k=k) for code in area_codes]


def find_area(areas: pd.DataFrame, query: str) -> str:
    """The code of an area in ``areas`` (``Evidence.areas()``) from its code or its name.

    Codes match exactly (case-insensitive); names case-insensitively, then through the bundled
    geography (``ladu:`` prefixes, old district names). Raises ``AreaNotFound`` with near
    misses among the data's own area names (KeyError).
    """
    text = str(query).strip()
    codes = {str(c).upper(): str(c) for c in areas["area_code"]}
    if text.upper() in codes:
        return codes[text.upper()]
    by_name: dict[str, str] = {}
    for code, name in zip(areas["area_code"], areas["area_name"], strict=True):
        by_name.setdefault(str(name).casefold(), str(code))
    _, bare = split_prefix(text)
    for key in (text.casefold(), bare.casefold()):
        if key in by_name:
            return by_name[key]
    try:
        match = resolve_area(text)
    except AreaNotFound:
        match = None
    if match is not None and match.code in set(codes.values()):
        return match.code
    close = difflib.get_close_matches(bare.casefold(), list(by_name), n=5, cutoff=0.6)
    names = dict(zip(areas["area_code"], areas["area_name"], strict=True))
    hints = [f"{names[by_name[c]]} ({by_name[c]})" for c in close]
    elsewhere = f"; {match.name} ({match.code}) is not in this data" if match else ""
    hint = f"; did you mean {', '.join(hints)}?" if hints else ""
    raise KeyError(f"no area {text!r} in the data{elsewhere}{hint}")


FULL_DEMO = "demo:full"
"""Names the full national synthetic demo (generated once into a cache on first use)."""


SAMPLE_NUTS2 = "sample:nuts2"
"""Names the bundled real BRES NUTS2 sample (``--data sample:nuts2``)."""
STATUS_MARK = "::status="


def source_spec(path: str | Path, status: str | None = None) -> str:
    """A data source as one string (what a session stores): the path, and the status if any."""
    return f"{path}{STATUS_MARK}{status}" if status else str(path)


def split_source(spec: str | Path) -> tuple[str, str | None]:
    """``file::status=Employees`` -> (``file``, ``Employees``); a plain path has no status."""
    text = str(spec)
    if STATUS_MARK in text:
        path, status = text.rsplit(STATUS_MARK, 1)
        return path, status.strip() or None
    return text, None


def load_any(
    path: str | Path | None, gva_path: str | Path | None = None, status: str | None = None,
    context: list[str | Path] | None = None,
    engine: str = "auto",
    lookup: str | Path | None = None,
    years: YearsWanted | None = None,
) -> Dataset:
    """The bundled demo for None, the full demo for ``demo:full``, the real sample for
    ``sample:nuts2``, else a file by content.

    ``gva_path`` (an ONS GVA file) is merged into a real-data file; the synthetic demo has its
    own GVA, so asking to merge one into it is an error rather than silently ignored.
    ``status`` picks the employment status of a BRES file with several; ``context`` files
    (NOMIS APS / UK Business Counts downloads) are merged in by area code. ``engine`` reads a
    tidy file in memory (``memory``), out of core with DuckDB (``duckdb``: sector-level
    numbers, no class detail) or by its size (``auto``, above
    ``evidence.sources.tidy_duckdb.OUT_OF_CORE_ROWS`` rows). ``lookup`` (an ONS area-to-
    district lookup file) places the neighbourhoods of a real file in their districts.
    ``years`` = ``(start, end)`` reads only those two years of a tidy file, the demos
    included (None for an end: the file's first or last year; the rows of other years are
    neither read nor checked, :func:`evidence.sources.tidy.read_tidy`): what one period's
    indicators need. The bundled demo (``path`` None) and the other formats read every year.
    """
    if context:
        return merge_context(load_any(path, gva_path, status, engine=engine, lookup=lookup,
                                      years=years), context)
    if path is not None:
        spec_path, spec_status = split_source(path)
        path, status = spec_path, status or spec_status
    if gva_path is not None and (path is None or str(path) == FULL_DEMO):
        raise DataError(
            "a GVA file is merged into a real employment file (--data FILE --gva GVA); the "
            "synthetic demo carries its own synthetic GVA, so the ONS GVA was not used",
            file=str(gva_path),
            code="gva_needs_real_data",
        )
    if path is None:
        return load_bundled_demo() if engine in ("auto", "memory") else \
            read_tidy_any(bundled_demo_path(), engine)
    if str(path) == FULL_DEMO:
        return read_tidy_any(ensure_full_demo(), engine, years)
    if str(path).startswith(SAMPLE_PREFIX):
        ds = load_sample(str(path))
        return attach_gva(ds, gva_path) if gva_path is not None else ds
    return load_dataset(path, gva_path, status, engine, lookup, years)
