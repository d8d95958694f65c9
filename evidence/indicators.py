"""Indicators for every area, sector and year in one vectorised pass over a :class:`Cube`.

Each function documents the standard definition it follows. All take arrays shaped
``[area, sector, year]`` (or ``[area, year]``) and broadcast; none loops over areas, so the
same code serves one custom area or all 400-odd areas of Great Britain.
"""

from __future__ import annotations

import math
import sys
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np

from evidence.columns import Columns, text_values
from evidence.cube import Cube
from evidence.sectors import packaged_rows

if TYPE_CHECKING:
    import pandas as pd

GROWING_THRESHOLD = 0.01
"""Compound annual growth at or above +1.0% a year counts as growing."""
DECLINING_THRESHOLD = -0.01
"""Compound annual growth at or below -1.0% a year counts as declining; between is stagnating."""
DYNAMICS_LABELS = np.array(["declining", "stagnating", "growing", "unknown"])


def _div(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.true_divide(a, b)
    return np.where(np.isfinite(out), out, np.nan)


def zero_nan(x: float) -> float:
    """``np.nan_to_num`` of one Python float (NaN -> 0, +-inf -> the largest finite float),
    without a numpy scalar round trip: the profile and findings read per-area Python lists."""
    if x != x:
        return 0.0
    if math.isinf(x):
        return math.copysign(sys.float_info.max, x)
    return x


def employment_share(emp: np.ndarray, total: np.ndarray) -> np.ndarray:
    """Share of the area's jobs in each sector: E_ir / E_r."""
    return _div(emp, total[..., None, :] if emp.ndim == total.ndim + 1 else total)


def location_quotient(
    emp: np.ndarray, total: np.ndarray, ref_emp: np.ndarray, ref_total: np.ndarray
) -> np.ndarray:
    """Location quotient LQ_ir = (E_ir / E_r) / (E_iN / E_N).

    Standard definition (e.g. Isard 1960; ONS and BEIS use it for cluster mapping): the sector's
    share of local jobs relative to its share of jobs in the reference economy. LQ > 1 means the
    area is more specialised than the reference. ``ref_*`` broadcast: national arrays ``[S, Y]``
    / ``[Y]`` or per-area regional arrays ``[A, S, Y]`` / ``[A, Y]``.
    """
    local = _div(emp, total[..., None, :])
    ref = _div(ref_emp, ref_total[..., None, :])
    return _div(local, ref)


def compound_annual_growth(start: np.ndarray, end: np.ndarray, years: int) -> np.ndarray:
    """CAGR = (E_end / E_start) ** (1 / years) - 1; undefined (NaN) from a zero base."""
    if years <= 0:
        return np.full(np.broadcast(start, end).shape, np.nan)
    ratio = _div(end, np.where(start > 0, start, np.nan))
    with np.errstate(invalid="ignore"):
        return np.power(ratio, 1.0 / years) - 1.0


def shift_share(
    start: np.ndarray,
    end: np.ndarray,
    nat_start: np.ndarray,
    nat_end: np.ndarray,
    nat_total_start: float,
    nat_total_end: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Classic shift-share decomposition (Dunn 1960; Stevens and Moore 1980).

    For sector i in area r between two years, with national all-industry growth g_N, national
    sector growth g_iN and local sector growth g_ir:

    - national share   NS = E_ir,0 * g_N
    - industry mix     IM = E_ir,0 * (g_iN - g_N)
    - local (competitive) effect  LC = E_ir,0 * (g_ir - g_iN)

    The three sum exactly to the actual change E_ir,1 - E_ir,0. A sector absent at the start
    has all its change in the local effect (its growth rate is undefined), which keeps the
    identity.
    """
    g_n = nat_total_end / nat_total_start - 1.0
    g_in = _div(nat_end, nat_start) - 1.0
    g_in = np.where(np.isnan(g_in), g_n, g_in)
    national = start * g_n
    mix = start * (g_in - g_n)
    local = (end - start) - national - mix
    return national, mix, local


def krugman_dissimilarity(structure: np.ndarray, nat_structure: np.ndarray) -> np.ndarray:
    """Krugman specialisation index K_r = sum_i |s_ir - s_iN| (Krugman 1991, Geography and Trade).

    Shares are over the industries in ``structure`` (divisions plus the rest of the economy).
    0 means the same structure as the nation; the maximum is 2. Undefined (NaN), not 0, for an
    area with no jobs; the value depends on the industry detail of ``structure``.
    """
    local = _div(structure, structure.sum(axis=-2, keepdims=True))
    nat = _div(nat_structure, nat_structure.sum(axis=-2, keepdims=True))
    out = np.nansum(np.abs(local - nat), axis=-2)
    return np.where(np.nansum(structure, axis=-2) > 0, out, np.nan)


def herfindahl(emp: np.ndarray) -> np.ndarray:
    """Herfindahl-Hirschman index of the local advanced manufacturing base: sum of squared shares.

    Computed over the Table 1 sectors (axis -2). 1/S for an even spread over S sectors, 1 when
    one sector holds every job; used to flag over-dependence on one sector. Undefined (NaN), not
    0, for an area with no jobs in the sectors.
    """
    e = np.nan_to_num(emp)
    shares = _div(e, e.sum(axis=-2, keepdims=True))
    return np.where(e.sum(axis=-2) > 0, np.nansum(shares**2, axis=-2), np.nan)


def shannon_entropy(emp: np.ndarray) -> np.ndarray:
    """Shannon entropy -sum s ln s of the sector mix: a diversity measure (Frenken et al. 2007).

    Undefined (NaN), not 0, for an area with no jobs in the sectors.
    """
    e = np.nan_to_num(emp)
    shares = _div(e, e.sum(axis=-2, keepdims=True))
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(shares > 0, -shares * np.log(shares), 0.0)
    return np.where(e.sum(axis=-2) > 0, terms.sum(axis=-2), np.nan)


def hoover_index(emp: np.ndarray, total: np.ndarray) -> np.ndarray:
    """Hoover coefficient of localisation per sector and year: 0.5 * sum_r |E_ir/E_i - E_r/E|.

    Computed over a partition of the country (districts). 0 = spread like all jobs; 1 = all in
    one place (Hoover 1936).
    """
    e = np.nan_to_num(emp)
    t = np.nan_to_num(total)
    sector_dist = _div(e, e.sum(axis=0, keepdims=True))
    job_dist = _div(t, t.sum(axis=0, keepdims=True))[:, None, :]
    return 0.5 * np.nansum(np.abs(sector_dist - job_dist), axis=0)


def year_on_year(emp: np.ndarray, years: np.ndarray) -> np.ndarray:
    """Growth from each year to the next, E_t / E_t-1 - 1 (year axis last): undefined (NaN)
    for the first year, and where the cube's previous year is not the year before (a cube
    of some years only, such as a read of a period's two ends: 2015 to 2024 is not one
    year's growth, and compound growth over a span is :func:`compound_annual_growth`)."""
    out = np.full_like(emp, np.nan, dtype=float)
    out[..., 1:] = _div(emp[..., 1:], emp[..., :-1]) - 1.0
    gap = np.flatnonzero(np.diff(np.asarray(years, dtype=np.int64)) != 1) + 1
    out[..., gap] = np.nan
    return out


def dynamics_class(cagr: np.ndarray) -> np.ndarray:
    """Growing (>= +1% a year), declining (<= -1% a year) or stagnating; 'unknown' without data."""
    code = np.where(cagr >= GROWING_THRESHOLD, 2, np.where(cagr <= DECLINING_THRESHOLD, 0, 1))
    code = np.where(np.isnan(cagr), 3, code)
    return DYNAMICS_LABELS[code]


@lru_cache(maxsize=1)
def automation_table() -> Columns:
    """Indicative probability of automation for each SOC 2020 major group.

    Source: ONS (2019) "The probability of automation in England: 2011 and 2017", which scores
    occupations (after Frey and Osborne 2017, with the task-based approach of Arntz, Gregory and
    Zierahn 2016) and finds the highest risks in elementary, sales and machine-operative
    occupations and the lowest in professional ones. The values in
    ``evidence/data/automation_soc.csv`` are job-weighted averages to major-group level rounded
    to two decimals: indicative, not official statistics; replace the file to use other values.
    Columns ``soc_major_group`` (int), ``label``, ``probability`` (float).
    """
    rows = packaged_rows("automation_soc.csv")
    return Columns({
        "soc_major_group": np.array([int(r["soc_major_group"]) for r in rows], dtype=np.int64),
        "label": np.array([r["label"] for r in rows], dtype=object),
        "probability": np.array([float(r["probability"]) for r in rows], dtype=float),
    })


def automation_probabilities() -> pd.DataFrame:
    """:func:`automation_table` as a frame."""
    return automation_table().frame()


def automation_exposure(soc: np.ndarray) -> np.ndarray:
    """Expected share of jobs automatable: sum_k soc_k * p_k / sum_k soc_k (axis -2 = SOC group)."""
    p = automation_table()["probability"]
    shape = [1] * soc.ndim
    shape[-2] = len(p)
    weighted = np.nansum(soc * p.reshape(shape), axis=-2)
    return _div(weighted, np.nansum(soc, axis=-2))


@dataclass
class Indicators:
    """Every indicator for every area of a cube, for one analysis period."""

    cube: Cube
    start: int
    end: int
    share: np.ndarray  # [A,S,Y]
    lq: np.ndarray  # [A,S,Y] vs Great Britain
    lq_region: np.ndarray  # [A,S,Y] vs the area's region (NaN where no region)
    growth_1y: np.ndarray  # [A,S,Y] year-on-year (NaN for the first year and after a gap)
    cagr: np.ndarray  # [A,S] over start..end
    nat_cagr: np.ndarray  # [S]
    ss_national: np.ndarray  # [A,S]
    ss_mix: np.ndarray  # [A,S]
    ss_local: np.ndarray  # [A,S]
    dynamics: np.ndarray  # [A,S] labels
    productivity: np.ndarray | None  # [A,S,Y] GBP thousand per job
    productivity_ratio: np.ndarray | None  # [A,S,Y] vs the same sector nationally
    am_jobs: np.ndarray  # [A,Y]
    am_share: np.ndarray  # [A,Y]
    am_lq: np.ndarray  # [A,Y]
    am_cagr: np.ndarray  # [A]
    am_productivity: np.ndarray | None  # [A,Y]
    am_productivity_ratio: np.ndarray | None  # [A,Y]
    krugman: np.ndarray  # [A,Y]
    herfindahl: np.ndarray  # [A,Y]
    entropy: np.ndarray  # [A,Y]
    hoover: np.ndarray  # [S,Y] across districts
    automation: np.ndarray | None  # [A,Y]
    nat_automation: np.ndarray | None  # [Y]
    cache: dict = field(default_factory=dict)  # derived per-period values (e.g. peer features)

    @property
    def i0(self) -> int:
        return self.cube.year_index(self.start)

    @property
    def i1(self) -> int:
        return self.cube.year_index(self.end)


def compute_indicators(cube: Cube, start: int | None = None, end: int | None = None) -> Indicators:
    """All indicators for all areas at once; a single area's view is a slice of the result."""
    start = int(cube.years.min()) if start is None else int(start)
    end = int(cube.years.max()) if end is None else int(end)
    snapshot = len(cube.years) == 1 and start == end
    if start >= end and not snapshot:
        raise ValueError(f"the period must span at least two years (got {start}-{end})")
    i0, i1 = cube.year_index(start), cube.year_index(end)
    n_years = end - start

    emp, total = cube.emp, cube.total
    share = employment_share(emp, total)
    lq = location_quotient(emp, total, cube.nat_emp, cube.nat_total)
    has_region = cube.region_pos >= 0
    reg = np.where(has_region, cube.region_pos, 0)
    lq_region = location_quotient(emp, total, emp[reg], total[reg])
    lq_region[~has_region] = np.nan

    growth_1y = year_on_year(emp, cube.years)
    cagr = compound_annual_growth(emp[..., i0], emp[..., i1], n_years)
    nat_cagr = compound_annual_growth(cube.nat_emp[:, i0], cube.nat_emp[:, i1], n_years)
    ss_n, ss_m, ss_l = shift_share(
        emp[..., i0], emp[..., i1], cube.nat_emp[:, i0], cube.nat_emp[:, i1],
        float(cube.nat_total[i0]), float(cube.nat_total[i1]),
    )
    if snapshot:  # one year in the file: a snapshot; change needs two years
        ss_n, ss_m, ss_l = (np.full_like(x, np.nan) for x in (ss_n, ss_m, ss_l))

    productivity = productivity_ratio = am_prod = am_prod_ratio = None
    am_jobs = np.nansum(emp, axis=1)
    if cube.gva is not None and cube.nat_gva is not None:
        nat_gva_emp = cube.nat_gva_emp if cube.nat_gva_emp is not None else cube.nat_emp
        productivity = _div(cube.gva * 1000.0, emp)
        nat_prod = _div(cube.nat_gva * 1000.0, nat_gva_emp)
        productivity_ratio = _div(productivity, nat_prod)
        # AM productivity only over sectors where both GVA and jobs are known.
        both = ~np.isnan(cube.gva) & ~np.isnan(emp)
        am_gva = np.where(both, cube.gva, 0).sum(axis=1)
        am_emp_g = np.where(both, emp, 0).sum(axis=1)
        am_prod = _div(am_gva * 1000.0, am_emp_g)
        nat_both = ~np.isnan(cube.nat_gva) & ~np.isnan(nat_gva_emp)
        nat_am_prod = _div(
            np.where(nat_both, cube.nat_gva, 0).sum(axis=0) * 1000.0,
            np.where(nat_both, nat_gva_emp, 0).sum(axis=0),
        )
        am_prod_ratio = _div(am_prod, nat_am_prod)

    am_all_nan = np.all(np.isnan(emp), axis=1)
    am_jobs = np.where(am_all_nan, np.nan, am_jobs)
    nat_am = np.nansum(cube.nat_emp, axis=0)
    am_share = _div(am_jobs, total)
    am_lq = _div(am_share, nat_am / cube.nat_total)
    am_cagr = compound_annual_growth(am_jobs[:, i0], am_jobs[:, i1], n_years)

    lad = np.asarray(text_values(cube.area_table()["level"]), dtype=object) == "lad"
    part = lad if lad.any() else np.ones(len(lad), dtype=bool)
    hoover = hoover_index(emp[part], total[part])

    automation = nat_auto = None
    if cube.soc is not None:
        automation = automation_exposure(cube.soc)
        if cube.nat_soc is not None:
            nat_auto = automation_exposure(cube.nat_soc)

    return Indicators(
        cube=cube, start=start, end=end, share=share, lq=lq, lq_region=lq_region,
        growth_1y=growth_1y, cagr=cagr, nat_cagr=nat_cagr, ss_national=ss_n, ss_mix=ss_m,
        ss_local=ss_l, dynamics=dynamics_class(cagr), productivity=productivity,
        productivity_ratio=productivity_ratio, am_jobs=am_jobs, am_share=am_share, am_lq=am_lq,
        am_cagr=am_cagr, am_productivity=am_prod, am_productivity_ratio=am_prod_ratio,
        krugman=krugman_dissimilarity(cube.structure, cube.nat_structure),
        herfindahl=herfindahl(emp), entropy=shannon_entropy(emp), hoover=hoover,
        automation=automation, nat_automation=nat_auto,
    )
