"""The tables every source module returns: the contract between data in and indicators.

A ``Dataset`` is plain tables with fixed columns, checked once at the boundary by
``validate_dataset`` so the indicator code can trust them and stay vectorised. Each table is a
pandas frame to whoever reads the attribute; a lean reader may give its small tables as
numpy :class:`~evidence.columns.Columns` and the employment table as integer codes or dense
cells, which the cube is built from without pandas (:mod:`evidence.columns` says why).

Tables
------
employment
    One row per area x industry code x year: ``area_code`` (str), ``year`` (int), ``sic``
    (normalised key from :func:`evidence.sectors.normalise_sic`: ``"3030"``, ``"303"``, ``"30"``
    or ``"TOTAL"``; ``"P01000"`` for a NOMIS pseudo-code such as ``01000 : DEFRA/Scottish
    Executive Agricultural Data``, which is in no sector or division but counts in a
    sum-of-industries total), ``employment`` (float; NaN where the cell was suppressed) and
    ``suppressed`` (bool). Counts may be rounded (BRES publishes employment rounded);
    ``SourceInfo.rounding`` records the base so confidence can reflect it.
areas
    One row per area in the file: ``area_code``, ``area_name``, ``level`` (``lad``, ``group``,
    ``region``, ``country``, or a neighbourhood level: ``msoa``, ``lsoa``, ``iz``, ``dz``), and
    for districts the parents ``group_code``, ``group_name``, ``region_code``, ``region_name``
    (empty strings when unknown). A neighbourhood's ``group_code`` / ``group_name`` are the
    district it lies in (its "group" is the area it rolls up into; the district's own LSIP
    area follows from the district's row), so that the tidy layout carries the lookup.
gva (optional)
    ``area_code``, ``year``, ``sic`` (normalised), ``gva`` in GBP million, current prices.
context (optional)
    ``area_code``, ``year`` and any of ``level4_share`` (share of residents 16-64 qualified to
    RQF level 4+), ``berd_per_job`` (business R&D, GBP per job) and ``soc_1`` .. ``soc_9``
    (employment by SOC 2020 major group); and any of ``CONTEXT_EXTRA`` (from the NOMIS context
    downloads, :mod:`evidence.sources.nomis_context`): the level 4+ share's 95% confidence
    half-width and its denominator, manufacturing enterprises by size band, and the data year
    behind each group of columns.

A ``SourceInfo`` says where it came from: ``kind`` (``official``, ``sample`` or ``synthetic``)
and, for files read by a source module, a ``LoadReport`` of what was read and what was not.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from evidence.columns import Columns, FrameField, columns_of
from evidence.problems import Problem, ProblemError

if TYPE_CHECKING:
    import pandas as pd

GB_CODE = "K03000001"
"""ONS code for Great Britain; a row with this code supplies national totals when present."""

EMPLOYMENT_COLUMNS = ["area_code", "year", "sic", "employment", "suppressed"]
AREA_COLUMNS = [
    "area_code",
    "area_name",
    "level",
    "group_code",
    "group_name",
    "region_code",
    "region_name",
]
GVA_COLUMNS = ["area_code", "year", "sic", "gva"]
CONTEXT_NUMERIC = ["level4_share", "berd_per_job"] + [f"soc_{i}" for i in range(1, 10)]
CONTEXT_EXTRA: dict[str, str] = {
    "level4_share_ci": "ci",
    "level4_people": "sum",
    "level4_year": "year",
    "soc_year": "year",
    "enterprises_mfg": "sum",
    "enterprises_mfg_micro": "sum",
    "enterprises_mfg_large": "sum",
    "enterprises_year": "year",
}
"""Context columns beyond ``CONTEXT_NUMERIC`` and how an aggregate area gets them from its
members (:mod:`evidence.context`): ``sum`` (counts), ``ci`` (a 95% confidence half-width of a
job-weighted share) or ``year`` (the data year behind the value: the members' latest)."""
NEIGHBOURHOOD_LEVELS = ("msoa", "iz", "lsoa", "dz")
"""Census statistical areas below districts (ONS / NRS): Middle and Lower Layer Super Output
Areas (England and Wales, 2021 codes ``E02`` / ``W02`` and ``E01`` / ``W01``) and Scotland's
Intermediate Zones (``S02``) and Data Zones (``S01``). NOMIS publishes BRES for all four."""
NEIGHBOURHOOD_TIERS: dict[str, int] = {"msoa": 1, "iz": 1, "lsoa": 2, "dz": 2}
"""Tier 1 (MSOA, IZ: about 7,000 in GB) is built from tier 2 (LSOA, DZ: about 42,000); one
tier partitions a district, so an area's national total never counts both."""
AREA_LEVELS = ("lad", *NEIGHBOURHOOD_LEVELS, "group", "region", "country", "custom")
"""Every level, in the order areas are listed (districts, then the neighbourhoods in them)."""
PSEUDO_PREFIX = "P"
"""Key prefix of NOMIS pseudo-codes (``P01000``): not SIC 2007, kept out of every sector."""
SOURCE_KINDS = ("official", "sample", "synthetic")


def is_neighbourhood(level: str) -> bool:
    """True for a level below districts (MSOA, LSOA, Intermediate Zone, Data Zone)."""
    return level in NEIGHBOURHOOD_TIERS


def partition_mask(areas: pd.DataFrame | Columns) -> np.ndarray:
    """Areas that together partition the country once: every district, and for a district
    the file has no row for, its neighbourhoods of the coarsest tier present there.

    National totals (the LQ denominators) are sums over these; a district and its
    neighbourhoods, or MSOAs and their LSOAs, are never both counted. A file with neither
    districts nor neighbourhoods (regions only, NUTS2 areas) is partitioned by all its areas.
    """
    level = np.asarray(areas["level"].astype(str).tolist(), dtype=object)
    lad = level == "lad"
    tier = np.array([NEIGHBOURHOOD_TIERS.get(lv, 0) for lv in level], dtype=np.int64)
    if not (lad.any() or tier.any()):
        return np.ones(len(areas), dtype=bool)
    # Plain lists, not Arrow-backed strings element by element (ten times slower).
    parent = np.asarray(areas["group_code"].astype(str).tolist(), dtype=object)
    districts = set(np.asarray(areas["area_code"].tolist(), dtype=object)[lad].tolist())
    uncovered = tier.astype(bool) & np.array([p not in districts for p in parent.tolist()],
                                             dtype=bool)
    coarsest: dict[str, int] = {}
    for p, t in zip(parent[uncovered], tier[uncovered], strict=True):
        coarsest[p] = min(t, coarsest.get(p, t))
    best = np.array([coarsest.get(p, 0) for p in parent], dtype=np.int64)
    return lad | (uncovered & (tier == best))


def pseudo_key(code: str) -> str:
    return f"{PSEUDO_PREFIX}{code}"


def is_pseudo_code(key: str) -> bool:
    """True for a NOMIS pseudo-code key (``P01000``)."""
    return key.startswith(PSEUDO_PREFIX) and key[len(PSEUDO_PREFIX):].isdigit()


class DataError(ProblemError):
    """Bad input, located: which file, which row, which column, and what is wrong.

    ``row`` is the 1-based line number in the file as a user would see it in a text editor or
    spreadsheet (header = line 1), or None when the problem is not tied to one row. A
    :class:`evidence.problems.ProblemError` carrying one :class:`~evidence.problems.Problem`
    (or several, given as ``problems``); ``detail`` is the first problem's bare message.
    """

    def __init__(
        self,
        message: str | None = None,
        *,
        file: str | None = None,
        row: int | None = None,
        column: str | None = None,
        code: str = "bad_data",
        problems: list[Problem] | None = None,
    ) -> None:
        if problems is None:
            if message is None:
                raise TypeError("DataError needs a message or a list of problems")
            problems = [Problem(file=file, row=row, column=column, message=message, code=code)]
        super().__init__(problems)

    @property
    def detail(self) -> str:
        return self.first.message


@dataclass
class LoadReport:
    """What a reader did with a file, for the data page and the command line to show."""

    format: str = ""
    rows_read: int = 0
    areas: int = 0
    area_levels: dict[str, int] = field(default_factory=dict)
    years: list[int] = field(default_factory=list)
    industry_level: str = ""
    statuses_found: list[str] = field(default_factory=list)
    status_used: str = ""
    suppressed_cells: int = 0
    pseudo_codes: dict[str, int] = field(default_factory=dict)
    """NOMIS pseudo-code label -> rows; kept out of the sectors, counted in totals."""
    unresolved_names: list[str] = field(default_factory=list)
    resolved_names: dict[str, str] = field(default_factory=dict)
    """Area name as in the file -> GSS code it was matched to in the bundled geography."""
    not_separable: list[str] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)
    context: list[str] = field(default_factory=list)
    """One line a NOMIS context file merged in (what, periods, areas matched and left out)."""

    def lines(self) -> list[str]:
        """The report as short lines ('label: value')."""
        years = (f"{self.years[0]}" if len(self.years) == 1 else
                 f"{self.years[0]}-{self.years[-1]} ({len(self.years)} years)"
                 if self.years else "none")
        if len(self.years) == 1:
            years += " (one year: a snapshot; growth needs two years)"
        levels = ", ".join(f"{n} {lv}" for lv, n in sorted(self.area_levels.items()))
        out = [
            f"format: {self.format}" if self.format else "",
            f"rows read: {self.rows_read:,}",
            f"areas: {self.areas}" + (f" ({levels})" if levels else ""),
            f"years: {years}",
            f"industry level: {self.industry_level}" if self.industry_level else "",
        ]
        if self.status_used:
            found = [s for s in self.statuses_found if s != self.status_used]
            out.append(f"employment status used: {self.status_used}"
                       + (f" (also in the file, not added: {', '.join(found)})" if found else ""))
        out.append(f"suppressed cells: {self.suppressed_cells:,}")
        if self.pseudo_codes:
            out.append("NOMIS pseudo-codes (not SIC 2007; kept out of the sectors, counted in "
                       "totals): " + "; ".join(f"{k} ({v} rows)"
                                               for k, v in self.pseudo_codes.items()))
        if self.resolved_names:
            out.append(f"area names matched to codes: {len(self.resolved_names)}")
        if self.unresolved_names:
            out.append("area names not found in the bundled geography (kept as custom areas): "
                       + ", ".join(self.unresolved_names))
        if self.not_separable:
            out.append("could not be separated: " + "; ".join(self.not_separable))
        out += [f"left out: {i}" for i in self.ignored]
        out += [f"context: {c}" for c in self.context]
        return [line for line in out if line]


@dataclass
class SourceInfo:
    """Where the data came from, so every screen and export can say so."""

    name: str
    path: str | None = None
    synthetic: bool = False
    rounding: int | None = None
    suppressed_cells: int = 0
    notes: list[str] = field(default_factory=list)
    kind: str = ""
    """``official``, ``sample`` or ``synthetic``; empty means: from ``synthetic``."""
    report: LoadReport | None = None
    area_word: str = ""
    """The data's own word for one of its lowest-level areas ("NUTS2 area"): the contract
    files them as districts (``lad``), but a page counting them must not call NUTS2 regions
    districts. Empty means district."""

    def areas_text(self, n: int) -> str:
        """``n`` lowest-level areas in the data's own word: "39 NUTS2 areas", "1 district"."""
        word = self.area_word or "district"
        return f"{n:,} {word}" + ("" if n == 1 else "s")

    @property
    def source_kind(self) -> str:
        if self.kind:
            return self.kind
        return "synthetic" if self.synthetic else "official"

    def label(self) -> str:
        text = self.name
        if self.synthetic:
            text += " (SYNTHETIC demo data - fictional areas, not real statistics)"
        elif self.source_kind == "sample":  # the sample's own name may already say "real"
            text += (" (a bundled sample)" if "real official statistics" in text.lower()
                     else " (real official statistics, a bundled sample)")
        return text


@dataclass
class EmploymentCodes:
    """The employment table as integer codes, as a lean reader has it (``read_tidy``): the
    cube is built from these without touching a string per row, and the ``employment`` frame
    is only made (on first use) when something asks for it.

    ``area`` and ``sic`` index ``area_labels`` and ``sic_labels`` (normalised keys); all
    arrays have one value per employment row, in file order.
    """

    area: np.ndarray
    area_labels: np.ndarray
    year: np.ndarray  # int64
    sic: np.ndarray
    sic_labels: np.ndarray
    employment: np.ndarray  # float64, NaN where unknown
    suppressed: np.ndarray  # bool

    def frame(self) -> pd.DataFrame:
        """The ``EMPLOYMENT_COLUMNS`` frame with plain ``str`` columns (the contract)."""
        import pandas as pd  # deferred: only row-level work asks for the rows as a frame

        return pd.DataFrame({
            "area_code": _str_column(self.area_labels, self.area),
            "year": self.year,
            "sic": _str_column(self.sic_labels, self.sic),
            "employment": self.employment,
            "suppressed": self.suppressed,
        })


@dataclass
class EmploymentSums:
    """The employment table already summed to what the cube keeps, by an out-of-core reader
    (``evidence.sources.tidy_duckdb``): no row is held in memory, only these sums.

    Arrays are [area, ..., year] over ``area_labels`` and ``years``; sectors in
    ``evidence.sectors.load_sectors`` order. The codes behind each sector and division are the
    ones :func:`evidence.levels.select_codes` picks for ``codes``, exactly as the in-memory
    cube build picks them. There is no 4-digit class detail.
    """

    area_labels: np.ndarray
    years: np.ndarray  # int64
    codes: list[str]
    """The file's normalised industry codes, TOTAL included."""
    sector_jobs: np.ndarray  # [A, S, Y] known jobs in the sector's codes
    sector_seen: np.ndarray  # [A, S, Y] known cells behind them
    sector_supp: np.ndarray  # [A, S, Y] suppressed cells behind them
    divisions: list[str]
    division_jobs: np.ndarray  # [A, D, Y] known jobs in the structure codes
    total_jobs: np.ndarray | None  # [A, Y] TOTAL rows; None when the file has none
    total_seen: np.ndarray | None  # [A, Y]
    rows: int = 0
    suppressed_cells: int = 0


@dataclass
class EmploymentCells:
    """The employment table as one dense cell per area, industry code and year, as the lean
    tidy reader builds it batch by batch (``evidence.sources.tidy``): no row is kept, only
    arrays the size of the cube, which is what lets a 35,000-area file load in memory.

    A tidy file holds at most one row per cell (a duplicate is an error), so nothing is lost:
    ``jobs`` is the row's count (0 where there is no row or the count is unknown), ``known``
    marks cells whose row has a count, ``suppressed`` cells whose row is marked suppressed.
    Axes: ``area_labels`` (every area of the areas table, in its order; ``area_rows`` says
    which have employment rows), ``sic_labels``
    (normalised keys, sorted), ``years`` (sorted).
    """

    area_labels: np.ndarray
    sic_labels: np.ndarray
    years: np.ndarray  # int64
    jobs: np.ndarray  # [A, U, Y] float64 (a view: the reader stores [A, Y, U])
    known: np.ndarray  # [A, U, Y] bool
    suppressed: np.ndarray  # [A, U, Y] bool
    area_rows: np.ndarray  # [A] bool: the area has employment rows
    rows: int = 0
    suppressed_rows: int = 0

    def frame(self) -> pd.DataFrame:
        """The ``EMPLOYMENT_COLUMNS`` frame, one row a filled cell, ordered by area (areas
        table order), year and industry code (the order ``write_tidy`` is given the demo
        in) rather than by file line."""
        area, year, sic = np.nonzero((self.known | self.suppressed).transpose(0, 2, 1))
        jobs = np.where(self.known[area, sic, year], self.jobs[area, sic, year], np.nan)
        import pandas as pd  # deferred: only row-level work asks for the rows as a frame

        return pd.DataFrame({
            "area_code": _str_column(self.area_labels, area),
            "year": np.asarray(self.years, dtype=np.int64)[year],
            "sic": _str_column(self.sic_labels, sic),
            "employment": jobs,
            "suppressed": self.suppressed[area, sic, year],
        })


def _str_column(labels: np.ndarray, codes: np.ndarray) -> pd.Series:
    """A ``str`` column from labels and codes, gathered in Arrow (no Python string a row)."""
    import pandas as pd  # deferred with the frames above
    import pyarrow as pa

    taken = pa.array(list(labels), pa.large_string()).take(pa.array(codes))
    dtype = pd.StringDtype("pyarrow", na_value=np.nan)
    return taken.to_pandas(types_mapper=lambda _: dtype)


class _EmploymentField:
    """The ``Dataset.employment`` field: the frame given, or made on first use from
    ``Dataset.codes`` (a descriptor-typed dataclass field; it has no default)."""

    def __set_name__(self, owner: type, name: str) -> None:
        self.attr = f"_{name}"

    def __get__(self, obj: Any, objtype: type | None = None) -> pd.DataFrame:
        if obj is None:
            raise AttributeError("employment")  # on the class: the field has no default
        frame = obj.__dict__.get(self.attr)
        if frame is None and obj.codes is not None:
            frame = obj.__dict__[self.attr] = obj.codes.frame()
        if frame is None and obj.cells is not None:
            frame = obj.__dict__[self.attr] = obj.cells.frame()
        if frame is None and obj.sums is not None:
            raise DataError("the employment rows of this file were summed out of core "
                            "(engine duckdb) and are not held in memory; read it with the "
                            "in-memory engine for row-level work", file=obj.source.path)
        return frame

    def __set__(self, obj: Any, value: pd.DataFrame | None) -> None:
        obj.__dict__[self.attr] = value


@dataclass
class Dataset:
    employment: pd.DataFrame = _EmploymentField()  # type: ignore[assignment]
    """One row per area x industry x year (see the module docstring); with ``codes`` it may be
    given as None and is then made from them on first use."""
    areas: pd.DataFrame = FrameField(required=True)  # type: ignore[assignment]
    source: SourceInfo
    gva: pd.DataFrame | None = FrameField()  # type: ignore[assignment]
    context: pd.DataFrame | None = FrameField()  # type: ignore[assignment]
    """``areas``, ``gva`` and ``context`` are frames when read; a reader may store them as
    :class:`~evidence.columns.Columns` (:meth:`table` reads them without making a frame)."""
    codes: EmploymentCodes | None = field(default=None, repr=False, compare=False)
    """The employment table as integer codes when the reader had them (the cube uses them)."""
    sums: EmploymentSums | None = field(default=None, repr=False, compare=False)
    """The employment table summed out of core (no rows, no class detail), when read so."""
    cells: EmploymentCells | None = field(default=None, repr=False, compare=False)
    """The employment table as dense cells (the lean tidy reader's; the cube uses them)."""

    def __post_init__(self) -> None:
        if (self.__dict__.get("_employment") is None and self.codes is None
                and self.sums is None and self.cells is None):
            raise TypeError("Dataset needs an employment frame, its codes or its sums")

    @property
    def years(self) -> list[int]:
        if self.sums is not None:
            return [int(y) for y in self.sums.years]
        if self.cells is not None:
            return [int(y) for y in self.cells.years]
        years = self.codes.year if self.codes is not None else self.employment["year"]
        return sorted(int(y) for y in np.unique(np.asarray(years)))

    def table(self, name: str) -> Columns | None:
        """The ``areas``, ``gva`` or ``context`` table as columns, without making a frame."""
        if name not in ("areas", "gva", "context"):
            raise KeyError(name)
        return columns_of(type(self).__dict__[name].raw(self))

    def has_placeable_areas(self) -> bool:
        """True when an area is a neighbourhood or a custom area, which readers place in
        districts (:func:`evidence.sources.neighbourhoods.place_neighbourhoods`): the other
        areas need no placement."""
        areas = self.table("areas")
        levels = set(areas["level"].tolist()) if areas is not None and len(areas) else set()
        return bool(levels & {*NEIGHBOURHOOD_LEVELS, "custom"})

    def area_name(self, code: str) -> str:
        hit = self.areas.loc[self.areas["area_code"] == code, "area_name"]
        return str(hit.iloc[0]) if len(hit) else code


def _require_columns(frame: pd.DataFrame, columns: list[str], table: str, file: str | None) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise DataError(f"{table} table lacks column(s) {', '.join(missing)}", file=file)


def validate_dataset(ds: Dataset) -> Dataset:
    """Check the contract once so downstream code needs no defensive checks.

    Raises DataError naming the table and column; row numbers here are 1-based positions in
    the table because the original file lines are the source module's business.
    """
    file = ds.source.path
    _require_columns(ds.employment, EMPLOYMENT_COLUMNS, "employment", file)
    _require_columns(ds.areas, AREA_COLUMNS, "areas", file)
    emp = ds.employment
    if emp.empty:
        raise DataError("no employment rows", file=file)
    bad = emp["employment"].notna() & (emp["employment"] < 0)
    if bad.any():
        i = int(bad.to_numpy().nonzero()[0][0])
        raise DataError("negative employment", file=file, row=i + 1, column="employment")
    unknown = ~emp["area_code"].isin(ds.areas["area_code"])
    if unknown.any():
        i = int(unknown.to_numpy().nonzero()[0][0])
        raise DataError(
            f"area {emp['area_code'].iloc[i]!r} is not in the areas table",
            file=file,
            row=i + 1,
            column="area_code",
        )
    dupes = emp.duplicated(["area_code", "year", "sic"])
    if dupes.any():
        i = int(dupes.to_numpy().nonzero()[0][0])
        r = emp.iloc[i]
        raise DataError(
            f"duplicate row for area {r['area_code']}, year {r['year']}, industry {r['sic']}",
            file=file,
            row=i + 1,
        )
    if ds.gva is not None:
        _require_columns(ds.gva, GVA_COLUMNS, "gva", file)
    if ds.context is not None:
        _require_columns(ds.context, ["area_code", "year"], "context", file)
    return ds
