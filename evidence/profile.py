"""AreaProfile: one area's advanced manufacturing base, its findings and comparators.

A profile is a slice of the all-areas indicators (never a recomputation), plus the findings
judged from it.
"""

from __future__ import annotations

import math

import numpy as np

from evidence.analysis_findings import analysis_findings
from evidence.area_analysis import AreaAnalysis, analysis_of, em_values, profile_fields
from evidence.comparators import comparators_from_codes, nearest_comparators
from evidence.cube import Cube
from evidence.dataset import CONTEXT_EXTRA, SourceInfo
from evidence.findings import derive_findings, small_area_caveat, year_positions
from evidence.indicators import Indicators, zero_nan
from evidence.models import AreaProfile, AreaRef, Period, SectorRow, models_from
from evidence.sectors import load_sectors

AUTOMATION_LABEL = "Mean probability of automation (job-weighted)"
"""What ``AreaProfile.automation_exposure`` is, said the same on the page and in the reports:
the jobs-weighted mean of the occupation groups' probabilities, not a share of jobs."""
AUTOMATION_SOURCE = ("job-weighted mean of the probability of automation of each occupation "
                     "group (SOC major groups; ONS 2019, The probability of automation in "
                     "England: 2011 and 2017); not the share of jobs at high risk")
AUTOMATION_GAP = ("needs jobs by occupation: load the NOMIS Annual Population Survey "
                  "employment by occupation (SOC) table for these areas")


def krugman_basis(p: AreaProfile) -> str:
    """What the Krugman index of ``p`` is computed over, for the page and the reports: its
    value depends on the industry detail (``context["krugman_industries"]``)."""
    n = p.context.get("krugman_industries")
    over = f"{n:,.0f} industries (SIC divisions in the data plus the rest of the economy)" \
        if n else "the industries in the data"
    national = "Great Britain's share" if p.national_basis.startswith("Great Britain") else \
        "the national share (the sum of the areas in the file)"
    return (f"Krugman (1991) dissimilarity index: the sum over {over} of |local share of jobs "
            f"- {national}|, {p.period.end}; 0 = the same mix, 2 = no industry in common")


def _num(x: object, digits: int | None = None) -> float | None:
    """A finite float or None. Full precision: rounding is for display (``digits`` is kept
    for callers' readability only; machine-readable output carries every digit)."""
    del digits
    v = float(x)  # type: ignore[arg-type]
    if not math.isfinite(v):
        return None
    return v


def _lists(x: np.ndarray | None) -> list:
    """``[A][S]`` Python numbers, None where not finite (``_num`` of every element), for all
    areas at once: one ``tolist`` of the period instead of one per area and field."""
    if x is None:
        return []
    x = np.asarray(x, dtype=float)
    ok = np.isfinite(x)
    return x.tolist() if ok.all() else np.where(ok, x, None).tolist()


def _sector_lists(ind: Indicators) -> dict[str, list]:
    """What :func:`sector_rows` reads, for every area of the period (cached on ``ind``)."""
    key = "profile_sector_lists"
    if key not in ind.cache:
        cube, (i0, i1) = ind.cube, year_positions(ind)
        ind.cache[key] = {
            "emp0": _lists(cube.emp[:, :, i0]), "emp1": _lists(cube.emp[:, :, i1]),
            "share": _lists(ind.share[:, :, i1]), "lq": _lists(ind.lq[:, :, i1]),
            "lq_region": _lists(ind.lq_region[:, :, i1]), "cagr": _lists(ind.cagr),
            "nat_cagr": _lists(ind.nat_cagr), "hoover": _lists(ind.hoover[:, i1]),
            # the shift-share parts as plain floats (``float``, NaN kept)
            "ss_n": ind.ss_national.tolist(), "ss_m": ind.ss_mix.tolist(),
            "ss_l": ind.ss_local.tolist(),
            "gva": _lists(cube.gva[:, :, i1]) if cube.gva is not None else None,
            "prod": (_lists(ind.productivity[:, :, i1]) if ind.productivity is not None
                     else None),
            "ratio": (_lists(ind.productivity_ratio[:, :, i1])
                      if ind.productivity_ratio is not None else None),
            "dynamics": np.asarray(ind.dynamics).astype(str).tolist(),
            "supp": (cube.supp[:, :, i0] + cube.supp[:, :, i1]).tolist(),
        }
    return ind.cache[key]


def sector_rows(ind: Indicators, pos: int, analysis: AreaAnalysis | None = None
                ) -> list[SectorRow]:
    t = _sector_lists(ind)
    emp0, emp1, share, lq = t["emp0"][pos], t["emp1"][pos], t["share"][pos], t["lq"][pos]
    lq_region, cagr, nat_cagr, hoover = (t["lq_region"][pos], t["cagr"][pos], t["nat_cagr"],
                                         t["hoover"])
    ss_n, ss_m, ss_l = t["ss_n"][pos], t["ss_m"][pos], t["ss_l"][pos]
    none = [None] * len(emp1)
    gva = t["gva"][pos] if t["gva"] is not None else none
    prod = t["prod"][pos] if t["prod"] is not None else none
    ratio = t["ratio"][pos] if t["ratio"] is not None else none
    dynamics, supp = t["dynamics"][pos], t["supp"][pos]
    growth_years = ind.end > ind.start
    rows = []
    for s_i, sector in enumerate(load_sectors()):
        e0, e1 = emp0[s_i], emp1[s_i]
        ss = None
        if e0 is not None and e1 is not None and growth_years:
            ss = {
                "national": ss_n[s_i],
                "industry_mix": ss_m[s_i],
                "local": ss_l[s_i],
                "actual": e1 - e0,
            }
        n_supp = int(supp[s_i])
        note = None
        if e1 is None:
            note = "no usable figure in the data (absent, suppressed or not separable)"
        elif n_supp:
            note = f"{n_supp} suppressed cell(s) behind this figure; it is a lower bound"
        rows.append({
            "sector": sector.sector_id,
            "label": sector.label,
            "quadrant": sector.quadrant,
            "employment": e1,
            "employment_start": e0,
            "share": share[s_i],
            "lq": lq[s_i],
            "lq_region": lq_region[s_i],
            "growth": cagr[s_i],
            "growth_national": nat_cagr[s_i],
            "shift_share": ss,
            "gva": gva[s_i],
            "productivity": prod[s_i],
            "productivity_ratio": ratio[s_i],
            "dynamics": dynamics[s_i],
            "hoover_gb": hoover[s_i],
            "suppressed_cells": n_supp,
            "note": note,
            "esteban_marquillas": em_values(analysis, pos, s_i) if analysis else None,
        })
    # One call into pydantic-core for the area's rows (see models_from).
    return models_from(SectorRow, rows)


SNAPSHOT_NOTE = (
    "Snapshot: the data hold one year ({year}), so growth, shift-share and dynamics need two "
    "years and are left empty; structure, LQs, concentration and comparators are for {year}."
)


def context_gaps(cube: Cube) -> list[str]:
    """What the profile cannot say without NOMIS context data (APS, Business Counts)."""
    out = []
    if cube.level4 is None:
        out.append("Skills (share qualified to RQF level 4+): needs APS data - load the NOMIS "
                   "Annual Population Survey qualifications table for these areas.")
    if cube.soc is None:
        out.append("Automation exposure: needs APS data - load the NOMIS APS employment by "
                   "occupation (SOC) table for these areas.")
    if "enterprises_mfg" not in cube.extra:
        out.append("Business sizes (one large plant or many small firms): needs UK Business "
                   "Counts data - load the NOMIS UK Business Counts table of enterprises by "
                   "industry and employment size band for these areas.")
    return out


def _extra(cube: Cube, name: str, pos: int, i1: int) -> float | None:
    x = cube.extra.get(name)
    return None if x is None else _num(x[pos, i1])


def context_lines(cube: Cube, pos: int, i1: int) -> list[str]:
    """The NOMIS context figures of one area as sentences, each with its denominator, source
    and year (the data year, which may be earlier than the profile's end year)."""
    end = int(cube.years[i1])
    out = []
    if cube.level4 is not None:
        share, ci = _num(cube.level4[pos, i1]), _extra(cube, "level4_share_ci", pos, i1)
        people, year = _extra(cube, "level4_people", pos, i1), _extra(cube, "level4_year", pos, i1)
        if share is None:
            out.append(f"Skills: no level 4+ figure for this area in {end} in the APS data.")
        elif year is not None:
            band = f", 95% confidence interval +/- {ci * 100:.1f} points" if ci is not None \
                else ", no reliable confidence interval (small sample)"
            of = f" of {people:,.0f} people aged 16-64" if people is not None else ""
            out.append(f"Skills: {share:.1%}{of} qualified to NVQ4+ / RQF level 4+{band} "
                       f"(Annual Population Survey T19, ONS via NOMIS, {int(year)}).")
    if cube.soc is not None and np.all(np.isnan(cube.soc[pos, :, i1])):
        out.append(f"Automation exposure: no APS occupation figures for this area in {end}.")
    firms = _extra(cube, "enterprises_mfg", pos, i1)
    year = _extra(cube, "enterprises_year", pos, i1)
    if "enterprises_mfg" in cube.extra and (firms is None or year is None):
        out.append(f"Business sizes: no UK Business Counts figure for this area in {end}.")
    elif firms is not None and year is not None:
        large = _extra(cube, "enterprises_mfg_large", pos, i1)
        micro = _extra(cube, "enterprises_mfg_micro", pos, i1)
        parts = []
        if large is not None:
            parts.append(f"{large:,.0f} large (250+ employees"
                         + (f", {large / firms:.1%} of {firms:,.0f}" if firms else "") + ")")
        if micro is not None:
            parts.append(f"{micro:,.0f} micro (0-9 employees"
                         + (f", {micro / firms:.1%} of {firms:,.0f}" if firms else "") + ")")
        out.append(f"Manufacturing enterprises: {firms:,.0f}"
                   + (f", of which {' and '.join(parts)}" if parts else "")
                   + f" (UK Business Counts {int(year)}, ONS via NOMIS; counts rounded to 5). A "
                   "specialism resting on a few large enterprises depends on their decisions; "
                   "one spread over many small firms is a cluster.")
    return out


def comparators_gap(cube: Cube, pos: int, k: int) -> str:
    """Why an area has no comparators."""
    level = str(cube.areas["level"].iloc[pos])
    peers = int((cube.areas["level"] == level).sum()) - 1
    if k <= 0:
        return "No comparators were asked for."
    if peers <= 0:
        return (f"No comparators: the file has no other area at this area's level ({level}); "
                "comparators are areas of the same level, so download more areas of this kind "
                "(for example every district, or every region, of Great Britain).")
    return f"No comparators: the {peers} other {level} area(s) have no usable figures."


def _area_lists(ind: Indicators) -> tuple[list[str], list[str], list[list[str]]]:
    """Names, levels and members of every area as plain lists, once per period: a pandas
    lookup per profile field costs more than the rest of a district's profile."""
    if "profile_area_lists" not in ind.cache:
        areas = ind.cube.areas
        ind.cache["profile_area_lists"] = (
            [str(x) for x in areas["area_name"].array], [str(x) for x in areas["level"].array],
            [[str(m) for m in x] for x in areas["members"].array])
    return ind.cache["profile_area_lists"]


def build_profile(
    ind: Indicators,
    area_code: str,
    source: SourceInfo,
    k: int = 5,
    comparator_codes: list[str] | None = None,
) -> AreaProfile:
    """Profile of one area; ``comparator_codes`` replaces the statistical neighbours."""
    cube = ind.cube
    pos = cube.position(area_code)
    i1 = year_positions(ind)[1]
    if comparator_codes:
        comps = comparators_from_codes(ind, area_code, comparator_codes)
    else:
        comps = nearest_comparators(ind, area_code, k=k)
    comp_pos = [cube.position(c.area_code) for c in comps]
    context: dict[str, float | None] = {}
    if cube.level4 is not None:
        context["level4_share"] = _num(cube.level4[pos, i1], 4)
        context["gb_level4_share"] = _num(cube.nat_level4[i1], 4) if cube.nat_level4 is not None \
            else None
    if cube.berd is not None:
        context["berd_per_job"] = _num(cube.berd[pos, i1], 1)
        context["gb_berd_per_job"] = _num(cube.nat_berd[i1], 1) if cube.nat_berd is not None \
            else None
    if ind.automation is not None:
        context["gb_automation_exposure"] = (
            _num(ind.nat_automation[i1], 4) if ind.nat_automation is not None else None
        )
    for name in CONTEXT_EXTRA:
        if name in cube.extra:
            context[name] = _extra(cube, name, pos, i1)
    # Krugman depends on the industry detail: say at which it was computed.
    context["krugman_industries"] = float(cube.structure.shape[1])
    analysis = analysis_of(ind, source.synthetic)
    notes = list(cube.notes) + list(source.notes)
    notes.append(f"Krugman dissimilarity computed over {cube.structure.shape[1]} industries "
                 "(SIC divisions in the data plus the rest of the economy); it is comparable "
                 "only between data sets with the same industry detail.")
    snapshot = ind.end == ind.start
    if snapshot:
        notes.insert(0, SNAPSHOT_NOTE.format(year=ind.end))
    if not cube.national_basis.startswith("Great Britain"):
        notes.insert(0, f"LQ against the sum of areas in the file ({cube.national_basis}), "
                        "not Great Britain: add a Great Britain row (K03000001) to the "
                        "download for GB location quotients.")
    notes += context_gaps(cube) + context_lines(cube, pos, i1)
    if source.synthetic:
        notes.insert(0, "SYNTHETIC demo data: areas and figures are fictional.")
    names, levels, members = _area_lists(ind)
    return AreaProfile(
        area=AreaRef(code=area_code, name=names[pos], level=levels[pos],
                     members=list(members[pos])),
        period=Period(start=ind.start, end=ind.end),
        source=source.label(),
        synthetic=source.synthetic,
        total_jobs=zero_nan(float(cube.total[pos, i1])),
        total_jobs_basis=cube.total_basis,
        national_basis=cube.national_basis,
        source_kind=source.source_kind,
        snapshot=snapshot,
        comparators_note=None if comps else comparators_gap(cube, pos, k),
        am_jobs=zero_nan(float(ind.am_jobs[pos, i1])),
        am_share=zero_nan(float(ind.am_share[pos, i1])),
        krugman=_num(ind.krugman[pos, i1], 4),
        herfindahl=_num(ind.herfindahl[pos, i1], 4),
        automation_exposure=(
            _num(ind.automation[pos, i1], 4) if ind.automation is not None else None
        ),
        context=context,
        sectors=sector_rows(ind, pos, analysis),
        comparators=comps,
        findings=small_area_caveat(levels[pos],
                                   derive_findings(ind, pos, comp_pos)
                                   + analysis_findings(analysis, pos)),
        notes=notes,
        **profile_fields(analysis, pos),  # type: ignore[arg-type]
    )
