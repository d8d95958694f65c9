"""Findings from the analysis step: supply-chain gaps and strengths, related opportunities,
cross-boundary clusters and isolated specialisms (topics new in issue 11).

Each finding carries its numbers with their denominator and year, the yardstick (thresholds in
``evidence/data/finding_thresholds.yaml``) and a confidence. The yardsticks:

- supply chain: a strong local sector (LQ >= ``specialisation_lq`` and at least
  ``min_jobs_for_specialisation`` jobs) whose largest domestic supplier industries in the ONS
  input-output tables 2019 (direct requirement coefficients a_iS, its own industries left out)
  have a coefficient-weighted mean local LQ at or below ``supply_chain_gap_lq`` (a gap) or at or
  above ``supply_chain_strength_lq`` (a strength); only suppliers whose classes are all in the
  file count, and at least ``supply_chain_min_known`` must
- related opportunity: a Table 1 class with LQ < 1 whose relatedness density (Hidalgo et al.
  2007) is at least ``related_opportunity_density`` and at or above the
  ``related_opportunity_percentile`` percentile of districts for that class
- cluster: a specialism (as above) whose local Moran (Anselin 1995) is high-high with pseudo
  p < ``cluster_alpha`` (cross-boundary cluster) or high-low (isolated specialism)
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np

from evidence.analysis import load_io_tables, top_suppliers
from evidence.area_analysis import (
    AreaAnalysis,
    class_label,
    cluster_result,
    related_opportunities,
    sector_io_industries,
)
from evidence.findings import confidence, thresholds, year_positions
from evidence.indicators import zero_nan
from evidence.models import Finding, RelatedOpportunity, SectorCluster
from evidence.sectors import load_sectors


def _fmt_jobs(x: float) -> str:
    return f"{x:,.0f}"



@lru_cache(maxsize=64)
def _top_suppliers(sid: str, n: int) -> tuple[tuple[str, float], ...]:
    """The sector's n largest suppliers outside its own IO industries (national: the same in
    every area, so worked out once)."""
    own = sector_io_industries().get(sid) or []
    t = load_io_tables()
    return tuple((code, v) for code, v in top_suppliers(t, own, n + len(own))
                 if code not in own)[:n]


@lru_cache(maxsize=64)
def _supplier_positions(sid: str, n: int) -> tuple[tuple[str, float, int], ...]:
    """:func:`_top_suppliers` with each industry's position in the IO tables."""
    t = load_io_tables()
    return tuple((code, v, t.index(code)) for code, v in _top_suppliers(sid, n))


class _Ctx:
    """The area, its position and the thresholds, shared by the finding helpers."""

    def __init__(self, a: AreaAnalysis, pos: int) -> None:
        self.a, self.pos, self.t = a, pos, thresholds()
        self.ind, self.cube = a.ind, a.ind.cube
        self.i1 = year_positions(a.ind)[1]
        rows = a.rows  # the period's per-area lists: no numpy scalar or pandas lookup here
        self.code = rows.codes[pos]
        self.name = a.names[self.code]
        self.total = zero_nan(rows.total1[pos])
        self.emp1, self.lq1 = rows.emp1[pos], rows.lq1[pos]
        self.year = a.ind.end
        self.out: list[Finding] = []

    def jobs(self, s_i: int) -> float:
        return zero_nan(self.emp1[s_i])

    def lq(self, s_i: int) -> float:
        return self.lq1[s_i]

    def strong(self, s_i: int) -> bool:
        lq = self.lq(s_i)
        return bool(math.isfinite(lq) and lq >= self.t["specialisation_lq"]
                    and self.jobs(s_i) >= self.t["min_jobs_for_specialisation"])

    def add(self, kind: str, topic: str, sector: str, values: dict, threshold: str, text: str,
            conf: float) -> None:
        self.out.append(Finding(id=f"{self.code}:{topic}:{sector}", kind=kind, topic=topic,
                                sector=sector, values=values, threshold=threshold, text=text,
                                confidence=round(max(0.0, min(conf, 1.0)), 2)))


def analysis_findings(a: AreaAnalysis, pos: int) -> list[Finding]:
    """All analysis findings for the area at cube position ``pos``."""
    c = _Ctx(a, pos)
    for s_i, sector in enumerate(load_sectors()):
        if c.strong(s_i):
            _supply_chain(c, s_i, sector.sector_id, sector.label)
    _related(c, related_opportunities(a, pos))
    cluster = cluster_result(a, pos)
    for row in cluster.sectors if cluster is not None else []:
        s_i = c.cube.sectors.index(row.sector)
        if c.strong(s_i):
            _cluster(c, s_i, row)
    return c.out


def _supply_chain(c: _Ctx, s_i: int, sid: str, label: str) -> None:
    io = c.a.io
    if io is None:
        return
    t = io.tables
    own = sector_io_industries().get(sid) or []
    if not own:
        return
    n = int(c.t["supply_chain_suppliers"])
    top = _top_suppliers(sid, n)
    slq = c.a.rows.slq[c.pos]  # type: ignore[index]  # the area's SLQs as Python floats
    known = [(code, v, slq[j]) for code, v, j in _supplier_positions(sid, n)
             if math.isfinite(slq[j])]
    if len(known) < c.t["supply_chain_min_known"]:
        return
    coef = np.array([v for _, v, _ in known])
    lqs = np.array([q for _, _, q in known])
    wlq = float((coef * lqs).sum() / coef.sum())
    if c.t["supply_chain_gap_lq"] < wlq < c.t["supply_chain_strength_lq"]:
        return  # neither a gap nor a strength: no finding, so no words
    mass = float(coef.sum() / sum(v for _, v in top)) if top else 0.0
    jobs, lq = c.jobs(s_i), c.lq(s_i)
    named = ", ".join(f"{t.names[t.index(code)]} (LQ {q:.2f})" for code, _, q in known[:3])
    values = {"sector_lq": round(lq, 2), "employment": jobs, "total_jobs": c.total,
              "supplier_lq_weighted": round(wlq, 3), "suppliers_known": len(known),
              "suppliers_looked_at": len(top), "coefficient_share_known": round(mass, 3),
              "year": c.year, "io_table": "ONS IOAT 2019"}
    head = (f"{c.name}'s {label.lower()} ({_fmt_jobs(jobs)} of {_fmt_jobs(c.total)} jobs in "
            f"{c.year}, LQ {lq:.2f})")
    tail = (f"its {len(known)} largest domestic supplier industries in the file ({named}"
            f"{', ...' if len(known) > 3 else ''}) have a coefficient-weighted LQ of {wlq:.2f} "
            f"in {c.name} ({c.year}, against Great Britain; ONS input-output tables 2019).")
    conf = min(0.8, confidence(jobs) * (0.5 + 0.5 * mass))
    if wlq <= c.t["supply_chain_gap_lq"]:
        c.add("bottleneck", "supply_chain_gap", sid, values,
              f"strong sector (LQ >= {c.t['specialisation_lq']}) with main suppliers' weighted "
              f"LQ <= {c.t['supply_chain_gap_lq']}",
              f"{head} buys from industries that are thin locally: {tail}", conf)
    elif wlq >= c.t["supply_chain_strength_lq"]:
        c.add("strength", "supply_chain_strength", sid, values,
              f"strong sector (LQ >= {c.t['specialisation_lq']}) with main suppliers' weighted "
              f"LQ >= {c.t['supply_chain_strength_lq']}",
              f"{head} has its suppliers close by: {tail}", conf)


def _related(c: _Ctx, opportunities: list[RelatedOpportunity]) -> None:
    space = c.a.space
    if space is None:
        return
    pct = c.t["related_opportunity_percentile"]
    cut = c.a.density_percentile(pct)
    seen: set[str] = set()
    n_districts = int(c.a.districts.sum())
    for opp in opportunities:
        if len(seen) >= c.t["related_opportunity_max"] or opp.sector in seen:
            continue
        c_i = space.index(opp.sic)
        if opp.density < c.t["related_opportunity_density"] or opp.density < cut[c_i] \
                or (opp.national_jobs or 0) < c.t["related_opportunity_min_national_jobs"]:
            continue
        seen.add(opp.sector or "")
        related_idx = [space.index(r.sic) for r in opp.related_present]
        rel_jobs = float(np.nan_to_num(c.cube.class_emp[c.pos, related_idx, c.i1]).sum())
        shown = ", ".join(f"{r.label} (LQ {r.lq:.2f})" for r in opp.related_present[:3])
        c.add("opportunity", "related_opportunity", opp.sector or "", {
            "sic": opp.sic, "density": opp.density, "lq": opp.lq,
            "density_percentile_cut": round(float(cut[c_i]), 3), "districts": n_districts,
            "related_jobs": rel_jobs, "total_jobs": c.total,
            "national_jobs": opp.national_jobs, "year": c.year},
            f"LQ < 1, relatedness density >= {c.t['related_opportunity_density']} and >= the "
            f"{pct:.0f}th percentile of districts",
            f"{class_label(opp.sic)} is a feasible next step for {c.name}: LQ "
            f"{(opp.lq or 0):.2f} in {c.year}, but a relatedness density of {opp.density:.2f} "
            f"(the {pct:.0f}th percentile of the {n_districts} districts is {cut[c_i]:.2f}) from "
            f"related classes it has, {_fmt_jobs(rel_jobs)} of its {_fmt_jobs(c.total)} jobs: "
            f"{shown}.",
            min(0.7, confidence(rel_jobs)))


def _cluster(c: _Ctx, s_i: int, row: SectorCluster) -> None:
    alpha = c.t["cluster_alpha"]
    if row.local_p >= alpha or row.quadrant not in ("HH", "HL"):
        return
    jobs = c.jobs(s_i)
    values = {"lq": row.lq, "employment": jobs, "total_jobs": c.total, "year": c.year,
              "quadrant": row.quadrant, "local_p": row.local_p, "moran_i": row.moran_i,
              "moran_p": row.moran_p, "neighbours": ", ".join(n.name for n in row.neighbours)}
    # The LQ at full precision (the cluster row keeps 3 places: 1.5653 stored as 1.565 would
    # print 1.56 here beside the specialisation finding's 1.57).
    lq = c.lq(s_i) if math.isfinite(c.lq(s_i)) else (row.lq or 0)
    base = (f"{c.name}'s {row.label.lower()} specialism (LQ {lq:.2f}, "
            f"{_fmt_jobs(jobs)} of {_fmt_jobs(c.total)} jobs, {c.year})")
    stat = (f"local Moran {row.quadrant}, pseudo p = {row.local_p:.3f} over the "
            f"{len(row.neighbours)} nearest districts; the sector's global Moran's I across "
            f"districts is {row.moran_i:.2f} (p = {row.moran_p:.3f})")
    conf = min(0.8, confidence(jobs))
    if row.quadrant == "HH":
        partners = ", ".join(row.partners) or "its neighbours"
        c.add("strength", "cross_boundary_cluster", row.sector, values,
              f"specialism with LISA high-high, p < {alpha}",
              f"{base} is part of a cross-boundary cluster with {partners}: {stat}.", conf)
    else:
        c.add("bottleneck", "isolated_specialism", row.sector, values,
              f"specialism with LISA high-low, p < {alpha}",
              f"{base} is an isolated specialism: its neighbours "
              f"({', '.join(n.name for n in row.neighbours)}) have little of it; {stat}.", conf)
