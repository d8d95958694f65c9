"""The second step for every area at once: relatedness, variety, Esteban-Marquillas, supply
chains, FLQ multipliers and spatial association, from the cube's class-level employment.

The economics lives in :mod:`evidence.analysis` (pure functions, each citing its definition);
this module feeds it the cube and turns the results into the profile's fields. What is cheap
for every area is computed once per :class:`~evidence.indicators.Indicators` (one period) for
all areas and kept in ``Indicators.cache``, so a district's profile is a slice. What costs by
the area is worked out for the areas asked about, and kept: the FLQ multipliers (an area's own
Leontief solve) and the LISA pseudo p-values (a district's own conditional draws); a batch of
profiles asks for all of its areas' at once (:meth:`AreaAnalysis.prepare`). Spatial
association runs per sector on first use (Moran's I with 999 permutations) and is cached too.

Definitions used (see the cited modules for the formulas):

- class LQ (Balassa 1965) against the national reference the profile uses (the GB row or the
  sum of districts), all-industry jobs as the denominator
- proximity phi_ij = min(P(LQ_i >= 1 | LQ_j >= 1), P(LQ_j >= 1 | LQ_i >= 1)) across districts
  (Hidalgo, Klinger, Barabasi and Hausmann 2007); relatedness density
  sum_{j != i} M_rj phi_ij / sum_{j != i} phi_ij (Boschma, Balland and Kogler 2015)
- related and unrelated variety (Frenken, Van Oort and Verburg 2007), 4-digit classes within
  2-digit divisions, bits
- Esteban-Marquillas (1972) homothetic competitive and allocation effects
- ONS input-output analytical tables 2019: direct requirements a_iS, output shares b_Sj; Type I
  output multipliers from FLQ-regionalised coefficients (Flegg and Webber 1997)
- global Moran's I and local Moran (Anselin 1995), k nearest neighbours,
  computed as libpysal and esda do (evidence.analysis.spatial, tested against them)
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from importlib import resources
from io import StringIO

import numpy as np
import pandas as pd

from evidence.analysis import (
    EstebanMarquillas,
    FeasibleTable,
    IOTables,
    RelatednessSpace,
    SpatialAssociation,
    Variety,
    aggregate_to_io,
    class_lq,
    classify_district,
    esteban_marquillas,
    feasible_next_all,
    load_io_tables,
    presence,
    proximity,
    regional_multipliers,
    relatedness_density,
    simple_lq,
    top_buyers,
    top_suppliers,
    variety,
)
from evidence.analysis.spatial import (
    DEFAULT_K,
    PERMUTATIONS,
    SEED,
    KnnWeights,
    association_over,
    knn_weights,
)
from evidence.analysis.supply_chain import DEFAULT_DELTA, io_industries_for
from evidence.geography import load_geography, to_2023_codes
from evidence.hexmap import hex_centres, hex_positions
from evidence.indicators import Indicators
from evidence.models import (
    ClusterResult,
    EstebanMarquillasParts,
    Multiplier,
    RelatedOpportunity,
    SupplyChain,
    models_from,
)
from evidence.rounding import rounded, rounded_list
from evidence.sectors import load_sectors, match_code

N_SUPPLIERS = 5
"""Suppliers and buyers listed per sector in the profile (the largest coefficients)."""
N_OPPORTUNITIES = 10
N_RELATED = 5
EARTH_KM = 6371.0
PROJECTION_LAT = 54.0
"""Latitude (degrees) of the equirectangular projection of real district centroids."""


def _num(x: object, digits: int = 4) -> float | None:
    v = float(x)  # type: ignore[arg-type]
    return round(v, digits) if math.isfinite(v) else None


@lru_cache(maxsize=1)
def class_titles() -> dict[str, str]:
    """SIC 2007 class titles by 4-digit code (``evidence/data/sic2007_classes.csv``)."""
    text = resources.files("evidence").joinpath("data/sic2007_classes.csv").read_text("utf-8")
    frame = pd.read_csv(StringIO(text), dtype=str)
    return dict(zip(frame["sic"], frame["title"], strict=True))


def class_label(code: str) -> str:
    title = class_titles().get(code)
    return f"{code[:2]}.{code[2:]} {title}" if title else code


@lru_cache(maxsize=1)
def sector_io_industries() -> dict[str, list[str]]:
    """Each Table 1 sector's IO industries, from the 4-digit classes in the IOAT's SIC map."""
    t = load_io_tables()
    sector_of = {c: match_code(c).sector_id for c in t.sic_map}  # each class placed once
    out: dict[str, list[str]] = {}
    for sector in load_sectors():
        classes = [c for c in t.sic_map if sector_of[c] == sector.sector_id]
        out[sector.sector_id] = io_industries_for(classes, t)
    return out


@lru_cache(maxsize=32)
def sector_links(sector_id: str, n: int = N_SUPPLIERS) -> tuple[
    tuple[tuple[str, float], ...], tuple[tuple[str, float], ...]
]:
    """The sector's top-n national suppliers (a_iS) and buyers (b_Sj): the same in every area."""
    t = load_io_tables()
    inds = sector_io_industries()[sector_id]
    return tuple(top_suppliers(t, inds, n)), tuple(top_buyers(t, inds, n))


@dataclass
class IOAnalysis:
    """Area employment by IO industry and the FLQ multipliers of the areas asked about.

    A multiplier is an area's own Leontief system (105 x 105 for the ONS tables), so it is
    solved only for the areas a profile asks about, many at once when a batch asks
    (:meth:`multipliers_of`): one district's profile does not pay for every area's.
    """

    tables: IOTables
    covered: np.ndarray  # [N] bool: every SIC class of the industry is in the file
    slq: np.ndarray  # [A, N] simple LQ by IO industry (NaN where not covered)
    delta: float
    method: str
    emp_f: np.ndarray  # [A, N] jobs by IO industry, uncovered industries filled in
    nat_f: np.ndarray  # [N] the same nationally
    area_total: np.ndarray  # [A]
    nat_total: float
    _solved: dict[int, np.ndarray] = field(default_factory=dict, repr=False)

    def multipliers_of(self, rows: Sequence[int]) -> np.ndarray:
        """``[len(rows), N]`` FLQ Type I output multipliers of the areas at ``rows``; those
        not yet solved are solved together. Each area's system is its own, so an area's
        multipliers are the same whichever others are solved with it."""
        todo = sorted({int(r) for r in rows} - self._solved.keys())
        if todo:
            mult = regional_multipliers(self.emp_f[todo], self.nat_f, self.tables,
                                        self.area_total[todo], self.nat_total, self.delta)
            self._solved.update(zip(todo, mult, strict=True))
        n = len(self.tables.codes)
        return np.stack([self._solved[int(r)] for r in rows]) if len(rows) else \
            np.empty((0, n))

    @property
    def multipliers(self) -> np.ndarray:
        """``[A, N]`` the multipliers of every area."""
        return self.multipliers_of(range(len(self.emp_f)))


@dataclass
class AreaRows:
    """Per-area numbers of one period as Python lists (``[area][sector]``): a district profile
    reads them by position instead of indexing numpy scalars one at a time."""

    codes: list[str]
    levels: list[str]
    emp0: list[list[float]]
    emp1: list[list[float]]
    lq1: list[list[float]]
    total1: list[float]
    em: dict[str, list[list[float]]]
    allocation_type: list[list[str]]
    slq: list[list[float]] | None  # [A][N] simple LQ by IO industry
    centroid_codes: frozenset[str]
    # The same numbers as the profile shows them, rounded for all areas at once
    # (evidence.rounding: Python's round, bit for bit), None where not finite.
    em1: dict[str, list[list[float | None]]]  # Esteban-Marquillas parts, 1 place
    lq3: list[list[float | None]]  # [A][S] end-year LQ, 3 places
    slq4: list[list[float | None]] | None  # [A][N] SLQ by IO industry, 4 places
    position: dict[str, int]  # cube position of each area code


@dataclass
class SectorChain:
    """One Table 1 sector's supply-chain facts shared by every area, and its multipliers."""

    s_i: int
    sector: str
    label: str
    industries: list[str]
    suppliers: list[tuple[str, str, float, int]]  # code, name, a_iS (6 places), IO position
    buyers: list[tuple[str, str, float, int]]  # code, name, b_Sj (6 places), IO position
    method: str
    idx: list[int]  # the IO positions of its industries
    weights: np.ndarray  # their national output, the weights of the sector's multiplier


@dataclass
class AreaAnalysis:
    """Everything the analysis step derives, for every area of one period."""

    ind: Indicators
    synthetic: bool
    classes: tuple[str, ...]
    class_detail: str
    districts: np.ndarray  # [A] bool: rows the relatedness and spatial statistics are taken over
    space: RelatednessSpace | None
    relatedness_method: str | None
    variety: Variety | None
    variety_method: str | None
    em: EstebanMarquillas
    io: IOAnalysis | None
    centroids: pd.DataFrame  # code, x, y of the districts
    centroid_basis: str
    lad: np.ndarray  # [A] bool: the district rows (none: no spatial statistics)
    centroid_positions: np.ndarray  # [len(centroids)] cube position of each centroid's district
    weights: dict[bytes, KnnWeights] = field(default_factory=dict)  # by districts kept
    spatial: dict[str, SpatialAssociation | None] = field(default_factory=dict)
    clusters: dict[int, ClusterResult | None] = field(default_factory=dict)
    opportunities: dict[int, list[RelatedOpportunity]] = field(default_factory=dict)
    fields: dict[int, dict[str, object]] = field(default_factory=dict)
    _chain_mult: dict[int, list[float]] = field(default_factory=dict)
    _percentiles: dict[float, np.ndarray] = field(default_factory=dict)

    def density_percentile(self, pct: float) -> np.ndarray:
        """``[C]`` the ``pct`` percentile of each class's relatedness density across districts
        (+inf for a class related to nothing), cached."""
        if pct not in self._percentiles:
            assert self.space is not None
            cut = nan_percentile_columns(self.space.density[self.districts], pct)
            self._percentiles[pct] = np.where(np.isfinite(cut), cut, np.inf)
        return self._percentiles[pct]

    @cached_property
    def names(self) -> dict[str, str]:
        areas = self.ind.cube.areas
        return dict(zip(areas["area_code"], areas["area_name"].astype(str), strict=True))

    @cached_property
    def class_labels(self) -> list[str]:
        """``class_label`` of every class, by class position."""
        return [class_label(c) for c in self.classes]

    @cached_property
    def national_class_jobs(self) -> list[float]:
        """National jobs in each class in the end year, by class position."""
        return self.ind.cube.nat_class_emp[:, self.ind.i1].tolist()

    @cached_property
    def rows(self) -> AreaRows:
        """The period's per-area numbers as plain lists, made once for all areas."""
        return _area_rows(self)

    @cached_property
    def em_table(self) -> list[list[dict[str, float | str | None] | None]]:
        """``[A][S]`` each area's Esteban-Marquillas parts as plain data (None without a start
        or end figure), made once for all areas: every profile of the period reads them (the
        models validate their own copy)."""
        rows = self.rows
        em = rows.em1
        parts = ("homothetic_employment", "competitive", "homothetic_competitive",
                 "allocation")
        ok = (np.isfinite(self.ind.cube.emp[:, :, self.ind.i0])
              & np.isfinite(self.ind.cube.emp[:, :, self.ind.i1])).tolist()
        return [[dict(zip(parts, (em[p][pos][s_i] for p in parts), strict=True),
                      allocation_type=rows.allocation_type[pos][s_i]) if ok[pos][s_i] else None
                 for s_i in range(len(ok[pos]))] for pos in range(len(ok))]

    @cached_property
    def feasible(self) -> FeasibleTable | None:
        """Feasible next classes of every area at once (:func:`feasible_next_all`)."""
        if self.space is None:
            return None
        return feasible_next_all(self.space, am_candidates(self.classes), top=N_OPPORTUNITIES,
                                 n_related=N_RELATED)

    @cached_property
    def chains(self) -> list[SectorChain]:
        """Each Table 1 sector's IO industries, top suppliers and buyers and the FLQ
        multiplier of every area (the same national links in every area)."""
        return _sector_chains(self) if self.io is not None else []

    def chain_multipliers(self, pos: int) -> list[float]:
        """The FLQ multiplier of each of ``chains`` in the area at ``pos``."""
        if pos not in self._chain_mult:
            self.prepare([pos])
        return self._chain_mult.get(pos, [])

    def prepare(self, positions: Sequence[int]) -> None:
        """Work out together what the profiles of the areas at ``positions`` will each ask
        for (their FLQ multipliers: one batch of Leontief solves; their specialisms' LISA
        pseudo p-values: one call a sector; their feasible next classes' numbers, rounded as
        one array, and models, validated in one call); the numbers are the ones each profile
        would get alone.

        A batch's Leontief solves (LAPACK, which releases the interpreter) run in a second
        thread, after the feasible classes' ranking (numpy), while this one works out the
        p-values and then the feasible classes' models (waiting for the ranking if it is not
        ready: ``cached_property`` computes it once): on a machine with a free core the
        solves cost no wall time. Each area's multipliers are the
        same whichever thread solves them (one BLAS thread, its own system)."""
        todo = sorted({int(p) for p in positions} - self._chain_mult.keys())
        io = self.io if todo else None
        solving = None
        if io is not None and len(todo) >= _SOLVE_BESIDE:
            if "feasible" not in self.__dict__:  # numpy too, read after the p-values
                _solver().submit(getattr, self, "feasible")
            solving = _solver().submit(io.multipliers_of, todo)
        try:
            self._prepare_clusters(positions)
            todo_opps = sorted({int(p) for p in positions} - self.opportunities.keys())
            if todo_opps:
                self.opportunities.update(_opportunities_of(self, todo_opps))
        finally:
            m = solving.result() if solving is not None else None
        if io is None:
            return
        if m is None:
            m = io.multipliers_of(todo)
        # Row-wise over [areas, k], the same sum in the same order as one area at a time.
        per_chain = [((m[:, ch.idx] * ch.weights).sum(axis=1) / ch.weights.sum()).tolist()
                     for ch in self.chains]
        for r, pos in enumerate(todo):
            self._chain_mult[pos] = [col[r] for col in per_chain]

    def _prepare_clusters(self, positions: Sequence[int]) -> None:
        """The local pseudo p-values the areas' cluster results read (their specialisms'),
        one call a sector."""
        rows = self.rows
        want = [p for p in positions if p not in self.clusters and rows.levels[p] == "lad"
                and rows.codes[p] in rows.centroid_codes]
        for s_i, sid in enumerate(self.ind.cube.sectors):
            mine = [rows.codes[p] for p in want if rows.lq1[p][s_i] >= 1.0]  # NaN: False
            sa = self.sector_spatial(sid) if mine else None
            if sa is not None:
                sa.prepare_local_p([sa.position(c) for c in mine if c in sa.neighbours])

    def sector_spatial(self, sector_id: str) -> SpatialAssociation | None:
        """Moran's I and LISA of the sector's LQ across districts (end year), cached."""
        if sector_id not in self.spatial:
            self.spatial[sector_id] = _spatial(self, sector_id)
        return self.spatial[sector_id]


_SOLVE_BESIDE = 16
"""From this many areas a batch's multipliers are solved in the second thread (fewer are a
few milliseconds)."""


@lru_cache(maxsize=1)
def _solver() -> ThreadPoolExecutor:
    """The one worker thread the batches' Leontief solves run in (made on first use)."""
    return ThreadPoolExecutor(max_workers=1, thread_name_prefix="policymix-solve")


def nan_percentile_columns(d: np.ndarray, pct: float) -> np.ndarray:
    """``np.nanpercentile(d, pct, axis=0)``, the same numbers: the columns without a NaN in
    one vectorised ``np.percentile`` (for them nanpercentile is percentile), the others one
    at a time. With any NaN in the array, nanpercentile goes column by column in Python
    (``apply_along_axis``): 615 classes took 40-150 ms."""
    d = np.asarray(d, dtype=float)
    nan = np.isnan(d).any(axis=0)
    out = np.empty(d.shape[1])
    if (~nan).any():
        out[~nan] = np.percentile(d[:, ~nan], pct, axis=0)
    with warnings.catch_warnings():  # a class related to nothing: all-NaN column
        warnings.simplefilter("ignore", RuntimeWarning)
        for j in np.flatnonzero(nan).tolist():
            out[j] = np.nanpercentile(d[:, j], pct)
    return out


def analysis_of(ind: Indicators, synthetic: bool, delta: float = DEFAULT_DELTA) -> AreaAnalysis:
    """The cached analysis of the indicators' period (computed on first use)."""
    key = ("area_analysis", synthetic, float(delta))
    if key not in ind.cache:
        ind.cache[key] = compute_analysis(ind, synthetic, delta)
    return ind.cache[key]


def compute_analysis(
    ind: Indicators, synthetic: bool, delta: float = DEFAULT_DELTA
) -> AreaAnalysis:
    """Relatedness, variety, Esteban-Marquillas and IO analysis for all areas (vectorised)."""
    cube = ind.cube
    lad = (cube.areas["level"] == "lad").to_numpy()
    districts = lad if lad.any() else np.ones(len(lad), dtype=bool)
    classes = tuple(cube.classes)
    space, rel_method = _relatedness(ind, districts)
    var, var_method = _variety(ind)
    em = esteban_marquillas(
        cube.emp[:, :, ind.i0], cube.emp[:, :, ind.i1], cube.total[:, ind.i0],
        cube.nat_emp[:, ind.i0], cube.nat_emp[:, ind.i1],
        float(cube.nat_total[ind.i0]), float(cube.nat_total[ind.i1]),
    )
    cen, basis = district_centroids(cube.areas[lad], synthetic)
    at = {c: i for i, c in zip(np.flatnonzero(lad).tolist(),
                               cube.areas["area_code"].astype(str).to_numpy()[lad].tolist(),
                               strict=True)}
    return AreaAnalysis(
        ind=ind, synthetic=synthetic, classes=classes, class_detail=_class_detail(classes),
        districts=districts, space=space, relatedness_method=rel_method,
        variety=var, variety_method=var_method, em=em, io=_io(ind, delta), centroids=cen,
        centroid_basis=basis, lad=lad,
        centroid_positions=np.array([at[c] for c in cen["code"].astype(str)], dtype=np.intp),
    )


def _am_only(classes: tuple[str, ...]) -> bool:
    return all(match_code(c).sector_id is not None for c in classes)


def _class_detail(classes: tuple[str, ...]) -> str:
    if not classes:
        return ("The file has no 4-digit SIC class detail, so relatedness, variety and local "
                "supplier presence are not computed.")
    text = f"{len(classes)} 4-digit SIC 2007 classes in the file"
    if _am_only(classes):
        return (text + ": only the advanced manufacturing classes (the rest of the economy is "
                "in the all-industries total), so relatedness is between those classes and "
                "variety is within advanced manufacturing, not across the whole economy.")
    return text + " (of the 615 in SIC 2007), across the whole economy."


def _relatedness(
    ind: Indicators, districts: np.ndarray
) -> tuple[RelatednessSpace | None, str | None]:
    cube = ind.cube
    if not cube.classes or cube.class_emp is None or districts.sum() < 3:
        return None, None
    i1 = ind.i1
    lq = class_lq(cube.class_emp[:, :, i1], cube.nat_class_emp[:, i1], cube.total[:, i1],
                  float(cube.nat_total[i1]))
    m = presence(lq)
    phi = proximity(m[districts])
    density = relatedness_density(m, phi)
    space = RelatednessSpace(classes=tuple(cube.classes), lq=lq, presence=m, relatedness=phi,
                             density=density, method="proximity")
    method = (
        f"Proximity (Hidalgo, Klinger, Barabasi and Hausmann 2007): phi_ij = min(P(LQ_i >= 1 | "
        f"LQ_j >= 1), P(LQ_j >= 1 | LQ_i >= 1)) across {int(districts.sum())} areas in "
        f"{ind.end}; relatedness density of class i = sum over j != i of M_rj phi_ij / sum over "
        f"j != i of phi_ij, M_rj = 1 where the area's LQ of class j >= 1 (LQ against "
        f"{cube.national_basis}, all-industry jobs as denominator); "
        f"{len(cube.classes)} classes."
    )
    return space, method


def _variety(ind: Indicators) -> tuple[Variety | None, str | None]:
    cube = ind.cube
    if not cube.classes or cube.class_emp is None:
        return None, None
    v = variety(cube.class_emp[:, :, ind.i1], cube.classes)
    scope = ("the advanced manufacturing classes only" if _am_only(cube.classes)
             else "all classes in the file")
    return v, (
        f"Frenken, Van Oort and Verburg (2007) entropy in bits over {len(cube.classes)} 4-digit "
        f"classes ({scope}) within {len(v.divisions)} 2-digit divisions, {ind.end}: related "
        "variety = sum_g P_g H_g (entropy within divisions), unrelated variety = entropy "
        "between divisions; total = related + unrelated."
    )


def _io(ind: Indicators, delta: float) -> IOAnalysis | None:
    cube = ind.cube
    if not cube.classes or cube.class_emp is None:
        return None
    t = load_io_tables()
    i1 = ind.i1
    in_file = set(cube.classes)
    missing = {io_code for sic, io_code in t.sic_map.items() if sic not in in_file}
    covered = np.array([code not in missing for code in t.codes])
    emp_io = aggregate_to_io(cube.class_emp[:, :, i1], cube.classes, t)
    nat_io = aggregate_to_io(cube.nat_class_emp[:, i1], cube.classes, t)
    area_total = np.nan_to_num(cube.total[:, i1])
    nat_total = float(cube.nat_total[i1])
    slq = simple_lq(emp_io, nat_io, area_total, nat_total)
    slq[:, ~covered] = np.nan
    # Industries the file does not cover: the area's remaining jobs, split like national output.
    w = np.where(covered, 0.0, t.output)
    w = w / w.sum() if w.sum() > 0 else w
    rest = np.clip(area_total - emp_io[:, covered].sum(axis=1), 0, None)
    nat_rest = max(nat_total - float(nat_io[covered].sum()), 0.0)
    emp_f = np.where(covered[None, :], emp_io, rest[:, None] * w[None, :])
    nat_f = np.where(covered, nat_io, nat_rest * w)
    method = (
        f"Type I output multiplier: column sum of (I - A_r)^-1 with a^r_ij = a_ij min(FLQ_ij, "
        f"1), FLQ_ij = CILQ_ij [log2(1 + E_r / E_n)]^delta, delta = {delta} (Flegg and Webber "
        "1997), from the ONS UK input-output analytical tables 2019 (domestic use, industry by "
        f"industry) and {ind.end} employment"
    )
    if not covered.all():
        method += (f"; {int((~covered).sum())} of {len(t.codes)} IO industries are not in the "
                   "file and take the area's remaining jobs in national output proportions")
    return IOAnalysis(t, covered, slq, float(delta), method, emp_f, nat_f, area_total,
                      nat_total)


# --------------------------------------------------------------------------------------------
# Spatial
# --------------------------------------------------------------------------------------------


def district_centroids(districts: pd.DataFrame, synthetic: bool) -> tuple[pd.DataFrame, str]:
    """``code, x, y`` for the districts and a sentence saying where the points come from.

    The points depend on the districts alone (codes, and regions for the synthetic layout),
    not on the period, so they are worked out once per set of districts: laying out the
    synthetic hex map is a fifth of the analysis step on the full demo. Each call gets its own
    copy of the frame.
    """
    codes = tuple(districts["area_code"].astype(str))
    regions = (tuple(districts["region_code"].astype(str))
               if synthetic and "region_code" in districts.columns else None)
    frame, text = _centroids(codes, regions, synthetic)
    return frame.copy(), text


@lru_cache(maxsize=8)
def _centroids(codes: tuple[str, ...], regions: tuple[str, ...] | None, synthetic: bool
               ) -> tuple[pd.DataFrame, str]:
    if synthetic:
        table = {"area_code": list(codes), "level": ["lad"] * len(codes)}
        if regions is not None:
            table["region_code"] = list(regions)
        return _district_points(pd.DataFrame(table), True)
    return _district_points(pd.DataFrame({"area_code": list(codes)}), False)


def _district_points(districts: pd.DataFrame, synthetic: bool) -> tuple[pd.DataFrame, str]:
    codes = districts["area_code"].astype(str)
    if synthetic:
        pos = hex_positions(districts, True)
        x, y = hex_centres(pos["q"].astype(int), pos["r"].astype(int))
        return (pd.DataFrame({"code": pos["area_code"].astype(str), "x": x, "y": y}),
                "positions on the synthetic hex map (the demo's districts are fictional and "
                "have no real location; hex widths)")
    geo = load_geography().frame.set_index("district_code")
    current = to_2023_codes(codes)
    lon = current.map(geo["lon"]).to_numpy(dtype=float)
    lat = current.map(geo["lat"]).to_numpy(dtype=float)
    k = math.cos(math.radians(PROJECTION_LAT))
    frame = pd.DataFrame({"code": codes.to_numpy(),
                          "x": np.radians(lon) * EARTH_KM * k, "y": np.radians(lat) * EARTH_KM})
    ok = np.isfinite(frame["x"])
    text = ("ONS 2021 district centroids (evidence/data/geography/districts.csv), "
            f"equirectangular projection at {PROJECTION_LAT:.0f} degrees N, km")
    if not ok.all():
        text += f"; {int((~ok).sum())} districts without a centroid are left out"
    return frame[ok].reset_index(drop=True), text


def _spatial(a: AreaAnalysis, sector_id: str) -> SpatialAssociation | None:
    """The sector's Moran's I and LISA over the districts with a centroid and a finite LQ:
    the numbers :func:`spatial_association` gives for them, read from arrays (no pandas
    lookups) and with the weights of a set of districts built once for every sector."""
    ind = a.ind
    s_i = ind.cube.sectors.index(sector_id)
    lq = ind.lq[:, s_i, ind.i1]
    lad_lq = lq[a.lad]
    lad_lq = lad_lq[np.isfinite(lad_lq)]
    y = lq[a.centroid_positions]
    ok = np.isfinite(y)
    if ok.sum() <= DEFAULT_K + 1 or float(pd.Series(lad_lq).std()) == 0.0:
        return None
    key = ok.tobytes()
    if key not in a.weights:
        a.weights[key] = knn_weights(a.centroids.iloc[np.flatnonzero(ok)], DEFAULT_K)
    return association_over(y[ok], a.weights[key])


def cluster_map_frame(a: AreaAnalysis, sector_id: str) -> pd.DataFrame:
    """Districts with hex ``q, r``, the sector's LQ and its LISA: for the hex map.

    Columns ``area_code, area_name, q, r, lq, quadrant, local_p, hot_spot`` (``hot_spot``:
    high-high with p < 0.05).
    """
    cube = a.ind.cube
    lad = cube.areas[cube.areas["level"] == "lad"]
    pos = hex_positions(lad, a.synthetic)
    s_i = cube.sectors.index(sector_id)
    lq = pd.Series(a.ind.lq[lad.index.to_numpy(), s_i, a.ind.i1],
                   index=lad["area_code"].astype(str).to_numpy())
    frame = pos.assign(area_code=pos["area_code"].astype(str))
    frame["area_name"] = frame["area_code"].map(a.names)
    frame["lq"] = frame["area_code"].map(lq)
    sa = a.sector_spatial(sector_id)
    frame["quadrant"], frame["local_p"] = "", np.nan
    if sa is not None:
        quad = dict(zip(sa.codes, sa.quadrant, strict=True))
        pval = dict(zip(sa.codes, sa.local_p, strict=True))
        frame["quadrant"] = frame["area_code"].map(quad).fillna("")
        frame["local_p"] = frame["area_code"].map(pval)
    frame["hot_spot"] = (frame["quadrant"] == "HH") & (frame["local_p"] < 0.05)
    return frame.reset_index(drop=True)


# --------------------------------------------------------------------------------------------
# Profile fields
# --------------------------------------------------------------------------------------------


def _area_rows(a: AreaAnalysis) -> AreaRows:
    cube, ind = a.ind.cube, a.ind
    em = a.em
    return AreaRows(
        codes=cube.areas["area_code"].astype(str).tolist(),
        levels=cube.areas["level"].astype(str).tolist(),
        emp0=cube.emp[:, :, ind.i0].tolist(), emp1=cube.emp[:, :, ind.i1].tolist(),
        lq1=ind.lq[:, :, ind.i1].tolist(), total1=cube.total[:, ind.i1].tolist(),
        em={"homothetic_employment": em.homothetic.tolist(),
            "competitive": em.competitive.tolist(),
            "homothetic_competitive": em.homothetic_competitive.tolist(),
            "allocation": em.allocation.tolist()},
        allocation_type=np.asarray(em.allocation_type).astype(str).tolist(),
        slq=a.io.slq.tolist() if a.io is not None else None,
        centroid_codes=frozenset(a.centroids["code"].astype(str)),
        em1={"homothetic_employment": rounded_list(em.homothetic, 1),
             "competitive": rounded_list(em.competitive, 1),
             "homothetic_competitive": rounded_list(em.homothetic_competitive, 1),
             "allocation": rounded_list(em.allocation, 1)},
        lq3=rounded_list(ind.lq[:, :, ind.i1], 3),
        slq4=rounded_list(a.io.slq, 4) if a.io is not None else None,
        position={c: i for i, c in enumerate(cube.areas["area_code"].astype(str).tolist())},
    )


def _sector_chains(a: AreaAnalysis) -> list[SectorChain]:
    io, cube = a.io, a.ind.cube
    assert io is not None
    t = io.tables
    inds_of = sector_io_industries()
    labels = {s.sector_id: s.label for s in load_sectors()}
    out = []
    for s_i, sid in enumerate(cube.sectors):
        inds = inds_of.get(sid) or []
        if not inds:
            continue
        idx = [t.index(c) for c in inds]
        sup, buy = sector_links(sid)
        out.append(SectorChain(
            s_i=s_i, sector=sid, label=labels[sid], industries=inds,
            suppliers=[(c, t.names[t.index(c)], round(float(v), 6), t.index(c)) for c, v in sup],
            buyers=[(c, t.names[t.index(c)], round(float(v), 6), t.index(c)) for c, v in buy],
            method=io.method + ("; output-weighted mean over the sector's IO industries"
                                if len(inds) > 1 else ""),
            idx=idx, weights=t.output[idx],
        ))
    return out


def profile_fields(a: AreaAnalysis, pos: int) -> dict[str, object]:
    """The analysis fields of ``AreaProfile`` for the area at cube position ``pos``.

    Worked out once per area and period (the numbers behind them once for all areas): a page
    rerun or an export of the same area reads them back.
    """
    if pos not in a.fields:
        a.fields[pos] = _profile_fields(a, pos)
    return dict(a.fields[pos])


def _profile_fields(a: AreaAnalysis, pos: int) -> dict[str, object]:
    out: dict[str, object] = {
        "class_detail": a.class_detail,
        "relatedness_method": a.relatedness_method,
        "related_opportunities": related_opportunities(a, pos),
        "variety_method": a.variety_method,
        "supply_chain": supply_chains(a, pos),
        "io_multiplier": area_multiplier(a, pos),
        "cluster": cluster_result(a, pos),
    }
    if a.variety is not None:
        out["related_variety"] = _num(a.variety.related[pos])
        out["unrelated_variety"] = _num(a.variety.unrelated[pos])
        out["total_variety"] = _num(a.variety.total[pos])
    return out


def _finite(x: float) -> bool:
    return x == x and x not in (math.inf, -math.inf)


def em_parts(a: AreaAnalysis, pos: int, s_i: int) -> EstebanMarquillasParts | None:
    """Esteban-Marquillas parts of sector ``s_i`` in the area (None without a start figure)."""
    values = em_values(a, pos, s_i)
    return None if values is None else EstebanMarquillasParts(**values)


def em_values(a: AreaAnalysis, pos: int, s_i: int) -> dict[str, float | str | None] | None:
    """The fields of :func:`em_parts` as plain data (a profile validates its rows at once)."""
    return a.em_table[pos][s_i]


@lru_cache(maxsize=8)
def am_candidates(classes: tuple[str, ...]) -> dict[str, str]:
    """The classes in the ten Table 1 sectors, with their sector."""
    out = {}
    for c in classes:
        sid = match_code(c).sector_id
        if sid is not None:
            out[c] = sid
    return out


def related_opportunities(a: AreaAnalysis, pos: int) -> list[RelatedOpportunity]:
    """Feasible next classes in the Table 1 sectors, highest relatedness density first.

    The ranking is :func:`feasible_next` for all areas at once (``a.feasible``); the models
    are built once per area and shared by the profile and its findings.
    """
    if pos not in a.opportunities:
        a.opportunities[pos] = _related_opportunities(a, pos)
    return a.opportunities[pos]


def _related_opportunities(a: AreaAnalysis, pos: int) -> list[RelatedOpportunity]:
    return _opportunities_of(a, [pos])[pos]


def _opportunities_of(a: AreaAnalysis, positions: list[int]
                      ) -> dict[int, list[RelatedOpportunity]]:
    """The feasible next classes of the areas at ``positions``: their numbers gathered and
    rounded as arrays (Python's ``round``, :mod:`evidence.rounding`), the models of all of
    them validated in one call."""
    table = a.feasible
    if a.space is None or table is None:
        return {p: [] for p in positions}
    cands = am_candidates(a.classes)
    classes, labels = a.classes, a.class_labels
    at = np.asarray(positions, dtype=np.intp)
    cand = table.cand[at]  # [n, top], -1 past the last candidate
    c_safe = np.where(cand >= 0, cand, 0)
    related = table.related[at]  # [n, top, r], -1 past the last related class
    r_safe = np.where(related >= 0, related, 0)
    density = a.space.density[at[:, None], c_safe]
    dens_raw, dens4 = density.tolist(), rounded(density, 4).tolist()
    lq_cand = rounded_list(a.space.lq[at[:, None], c_safe], 3)
    nat = rounded_list(a.ind.cube.nat_class_emp[:, a.ind.i1][c_safe], 0)
    rel4 = rounded(table.contrib[at], 4).tolist()
    lq_rel = rounded(a.space.lq[at[:, None, None], r_safe], 3).tolist()
    items: list[dict] = []
    counts = []
    for n, (cand_row, rel_rows) in enumerate(zip(cand.tolist(), related.tolist(), strict=True)):
        before = len(items)
        for t, c_i in enumerate(cand_row):
            if c_i < 0:
                break
            d = dens_raw[n][t]
            if not _finite(d) or d <= 0:
                continue
            code = classes[c_i]
            phi, lqs = rel4[n][t], lq_rel[n][t]
            present = [{"sic": classes[j], "label": labels[j], "relatedness": phi[r],
                        "lq": lqs[r]} for r, j in enumerate(rel_rows[t]) if j >= 0]
            items.append({"sic": code, "label": labels[c_i], "sector": cands[code],
                          "density": dens4[n][t], "lq": lq_cand[n][t],
                          "national_jobs": nat[n][t], "related_present": present})
        counts.append(len(items) - before)
    models = models_from(RelatedOpportunity, items)
    out, lo = {}, 0
    for pos, count in zip(positions, counts, strict=True):
        out[pos] = models[lo:lo + count]
        lo += count
    return out


def supply_chains(a: AreaAnalysis, pos: int) -> list[SupplyChain]:
    """One entry per Table 1 sector with jobs in the area in the end year."""
    if a.io is None:
        return []
    rows = a.rows
    emp1, slq = rows.emp1[pos], rows.slq4[pos] if rows.slq4 is not None else []
    out = []
    for ch, mult in zip(a.chains, a.chain_multipliers(pos), strict=True):
        e = emp1[ch.s_i]
        if not (e == e and e > 0):  # NaN or no jobs
            continue
        out.append({
            "sector": ch.sector, "label": ch.label, "io_industry": ch.industries,
            "suppliers": [{"industry": c, "name": n, "coefficient": v, "local_lq": slq[j]}
                          for c, n, v, j in ch.suppliers],
            "buyers": [{"industry": c, "name": n, "share": v, "local_lq": slq[j]}
                       for c, n, v, j in ch.buyers],
            "multiplier": {"type_i": round(mult, 4), "method": ch.method,
                           "delta": a.io.delta},
        })
    return models_from(SupplyChain, out)


def area_multiplier(a: AreaAnalysis, pos: int) -> Multiplier | None:
    """Jobs-weighted mean of the FLQ Type I multipliers of the area's Table 1 sectors."""
    if a.io is None:
        return None
    emp1 = a.rows.emp1[pos]
    jobs, mults = [], []
    for ch, mult in zip(a.chains, a.chain_multipliers(pos), strict=True):
        e = emp1[ch.s_i]
        if e == e and e > 0:
            jobs.append(float(e))
            mults.append(mult)
    if not jobs:
        return None
    value = float(np.average(mults, weights=jobs))
    return Multiplier(
        type_i=round(value, 4), delta=a.io.delta,
        method=a.io.method + (f"; mean over the area's {len(jobs)} advanced manufacturing "
                              f"sectors weighted by their {a.ind.end} jobs"),
    )


def cluster_result(a: AreaAnalysis, pos: int) -> ClusterResult | None:
    """LISA of the district's specialisms (sectors with LQ >= 1); None above district level.

    Cached per area: the profile and the findings share it.
    """
    if pos not in a.clusters:
        a.clusters[pos] = _cluster_result(a, pos)
    return a.clusters[pos]


@lru_cache(maxsize=1)
def _sector_labels() -> dict[str, str]:
    return {s.sector_id: s.label for s in load_sectors()}


def _cluster_result(a: AreaAnalysis, pos: int) -> ClusterResult | None:
    cube, ind, rows = a.ind.cube, a.ind, a.rows
    code = rows.codes[pos]
    if rows.levels[pos] != "lad" or code not in rows.centroid_codes:
        return None
    labels = _sector_labels()
    names = a.names
    out = []
    for s_i, sid in enumerate(cube.sectors):
        lq = rows.lq1[pos][s_i]
        if not (_finite(lq) and lq >= 1.0):
            continue
        sa = a.sector_spatial(sid)
        if sa is None or code not in sa.neighbours:
            continue
        cf = classify_district(sa, code, names)
        # a neighbour's value in the sector is its LQ there: the same number, rounded once
        lq3 = rows.lq3
        nbrs = [{"code": c, "name": names.get(c, c), "lq": lq3[rows.position[c]][s_i]}
                for c in sa.neighbours[code]]
        out.append({
            "sector": sid, "label": labels[sid], "lq": lq3[pos][s_i],
            "moran_i": round(sa.moran_i, 4), "moran_expected": round(sa.moran_expected, 4),
            "moran_p": round(sa.moran_p, 4), "quadrant": cf.quadrant,
            "local_p": round(cf.p_value, 4), "status": cf.status, "text": cf.text,
            "neighbours": nbrs, "partners": [names.get(c, c) for c in cf.neighbours],
        })
    # One call into pydantic-core for the result and its sectors (see models_from).
    return ClusterResult.model_validate(dict(
        weights=f"k nearest neighbours, k = {DEFAULT_K}, row-standardised "
                "(the neighbours libpysal's KNN finds)",
        centroids=a.centroid_basis, permutations=PERMUTATIONS, seed=SEED,
        districts=len(a.centroids), year=ind.end, sectors=out,
    ))
