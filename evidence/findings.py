"""Turn one area's indicators into judged findings: strengths, bottlenecks, opportunities, risks.

Every finding carries the numbers behind it (with their denominator and year), the yardstick it
was judged against, a sentence an officer can read out in a workshop, and a confidence that
falls for small or suppressed counts: BRES counts are rounded and small cells are suppressed, so
a specialisation resting on 20 jobs deserves less weight than one resting on 5,000.

Numbers in a finding carry full precision, as the profile's do; text and tables format the same
value the same way (an LQ to two decimals), so a location quotient reads the same in both.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

import numpy as np

from evidence.dataset import is_neighbourhood
from evidence.indicators import Indicators, automation_probabilities, zero_nan
from evidence.labels import growth_words
from evidence.models import Finding
from evidence.sectors import Sector, load_sectors
from evidence.yaml_load import load_yaml


@lru_cache(maxsize=1)
def thresholds() -> dict[str, float]:
    text = resources.files("evidence").joinpath("data/finding_thresholds.yaml").read_text("utf-8")
    return {k: float(v) for k, v in load_yaml(text).items()}


def confidence(jobs: float, suppressed_cells: float = 0, cells: float = 1) -> float:
    """0.95 x n/(n+h) x (1 - suppressed share): near 0.95 for big counts, ~0.5 at h jobs."""
    if jobs is None or not math.isfinite(jobs):
        return 0.2
    half = thresholds()["confidence_jobs_half"]
    size = max(jobs, 0.0) / (max(jobs, 0.0) + half)
    supp = min(1.0, suppressed_cells / cells) if cells else 0.0
    return round(float(0.95 * size * (1.0 - 0.7 * supp)), 2)


def _f(x: object) -> float | None:
    try:
        v = float(x)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return v if math.isfinite(v) else None


def _area_labels(ind: Indicators) -> tuple[list[str], list[str]]:
    """Area codes and names as lists, once per period (a pandas lookup costs more than all
    of an area's findings arithmetic)."""
    if "area_labels" not in ind.cache:
        areas = ind.cube.areas
        ind.cache["area_labels"] = (areas["area_code"].astype(str).tolist(),
                                    areas["area_name"].astype(str).tolist())
    return ind.cache["area_labels"]


def year_positions(ind: Indicators) -> tuple[int, int]:
    """The cube positions of the period's start and end years, looked up once a period
    (``Indicators.i0`` and ``.i1`` search the years on every read)."""
    if "year_positions" not in ind.cache:
        ind.cache["year_positions"] = (ind.i0, ind.i1)
    return ind.cache["year_positions"]


def _none_lists(x: np.ndarray) -> list:
    """``_f`` of every element as nested lists: floats, None where not finite."""
    x = np.asarray(x, dtype=float)
    ok = np.isfinite(x)
    return x.tolist() if ok.all() else np.where(ok, x, None).tolist()


def _sector_lists(ind: Indicators) -> dict[str, list]:
    """Every area's sector figures the findings read, as lists, once per period (cached)."""
    if "finding_sector_lists" not in ind.cache:
        cube, i0, i1 = ind.cube, ind.i0, ind.i1
        ind.cache["finding_sector_lists"] = {
            "emp0": _none_lists(cube.emp[:, :, i0]), "emp1": _none_lists(cube.emp[:, :, i1]),
            "lq0": _none_lists(ind.lq[:, :, i0]), "lq1": _none_lists(ind.lq[:, :, i1]),
            "cagr": _none_lists(ind.cagr), "nat_cagr": _none_lists(ind.nat_cagr),
            "supp0": cube.supp[:, :, i0].tolist(), "supp1": cube.supp[:, :, i1].tolist(),
        }
    return ind.cache["finding_sector_lists"]


@dataclass
class _Area:
    """What every finding about one area needs: its indicators, position, name and the list."""

    ind: Indicators
    pos: int
    t: dict[str, float] = field(default_factory=thresholds)
    out: list[Finding] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.cube = self.ind.cube
        self.i0, self.i1 = year_positions(self.ind)
        codes, names = _area_labels(self.ind)
        self.name, self.code = names[self.pos], codes[self.pos]
        self.period = f"{self.ind.start}-{self.ind.end}"
        self.total = _f(self.cube.total[self.pos, self.i1])
        # The area's sector rows as Python floats, None where not finite (what ``_f`` makes
        # of each), from lists made once a period for every area.
        rows, pos = _sector_lists(self.ind), self.pos
        self.emp0, self.emp1 = rows["emp0"][pos], rows["emp1"][pos]
        self.lq0, self.lq1 = rows["lq0"][pos], rows["lq1"][pos]
        self.cagr, self.nat_cagr = rows["cagr"][pos], rows["nat_cagr"]
        self.supp0, self.supp1 = rows["supp0"][pos], rows["supp1"][pos]

    def add(self, kind: str, topic: str, sector: str | None, values: dict, threshold: str,
            text: str, conf: float) -> None:
        fid = f"{self.code}:{topic}:{sector or 'area'}"
        self.out.append(Finding(id=fid, kind=kind, topic=topic, sector=sector, values=values,
                                threshold=threshold, text=text, confidence=conf))


def derive_findings(ind: Indicators, pos: int, comparator_pos: list[int]) -> list[Finding]:
    """All findings for the area at cube position ``pos``."""
    a = _Area(ind, pos)
    sectors = load_sectors()
    declines: list[tuple[float, Finding]] = []
    for s_i, sector in enumerate(sectors):
        _sector_findings(a, s_i, sector)
        _emergence_findings(a, s_i, sector)
        _spreading_findings(a, s_i, sector)
        _niche_findings(a, s_i, sector)
        declines.extend(_decline_findings(a, s_i, sector))
    # Declines are weighed by the jobs lost: the largest loss comes first.
    a.out.extend(f for _, f in sorted(declines, key=lambda d: -d[0]))
    am, am_share = _am_base_findings(a)
    _productivity_findings(a, am)
    _skills_findings(a)
    _innovation_findings(a)
    _automation_findings(a)
    _dependence_findings(a, sectors, am, am_share)
    _comparator_findings(a, comparator_pos, am_share)
    return a.out


SMALL_AREA_CAVEAT = (" (A neighbourhood figure: BRES rounds small counts and suppresses many "
                     "small-area cells, so this is indicative; its confidence is capped.)")


def small_area_caveat(level: str, findings: list[Finding]) -> list[Finding]:
    """Findings about a neighbourhood rest on a few rounded, often suppressed, cells: their
    confidence is capped (``neighbourhood_max_confidence``) and the text says why; other
    levels' findings (a district's, on the summed counts) come back unchanged."""
    if not is_neighbourhood(level):
        return findings
    cap = thresholds()["neighbourhood_max_confidence"]
    return [f.model_copy(update={"confidence": min(f.confidence, cap),
                                 "text": f.text + SMALL_AREA_CAVEAT}) for f in findings]


def _lq(x: float | None) -> float | None:
    """A location quotient as the profile holds it: full precision (rounding is display)."""
    return x


def _sector_findings(a: _Area, s_i: int, sector: Sector) -> None:
    """Specialisation (LQ >= cut-off on enough jobs) and growth faster than the sector in GB."""
    t, ind = a.t, a.ind
    name, total, period, add = a.name, a.total, a.period, a.add
    jobs = a.emp1[s_i]
    jobs0 = a.emp0[s_i]
    lq = _lq(a.lq1[s_i])
    cagr = a.cagr[s_i]
    nat = a.nat_cagr[s_i]
    supp = float(a.supp0[s_i] + a.supp1[s_i])
    if lq is not None and jobs is not None and lq >= t["specialisation_lq"] \
            and jobs >= t["min_jobs_for_specialisation"]:
        label = sector.label.lower()
        add("strength", "specialisation", sector.sector_id,
            {"employment": jobs, "total_jobs": total, "year": ind.end, "lq": lq},
            f"LQ vs Great Britain >= {t['specialisation_lq']}",
            f"{name} is specialised in {label}: {jobs:,.0f} of {total:,.0f} jobs in "
            f"{ind.end}, a location quotient of {lq:.2f} against Great Britain.",
            confidence(jobs, supp, 2))
    if cagr is None or jobs0 is None or jobs is None or jobs0 < t["min_jobs_for_trend"]:
        return
    if nat is not None and cagr >= t["growth_floor"] and cagr - nat >= t["growth_gap"] \
            and jobs - jobs0 >= t["min_jobs_change_for_trend"]:
        vals = {"employment_start": jobs0, "employment": jobs, "cagr": round(cagr, 4),
                "national_cagr": round(nat, 4), "period": period, "pattern": "growth"}
        kind = "strength" if (lq or 0) >= 1 else "opportunity"
        add(kind, "sector_growth", sector.sector_id, vals,
            f"CAGR >= {t['growth_floor']:.0%} and >= national + {t['growth_gap']:.0%}, "
            f"gaining >= {t['min_jobs_change_for_trend']:.0f} jobs",
            f"{sector.label} jobs in {name} {growth_words(cagr)} over {period} "
            f"({jobs0:,.0f} to {jobs:,.0f}), while nationally they {growth_words(nat)}.",
            confidence(min(jobs or 0, jobs0 or 0) if jobs0 else (jobs or 0), supp, 2))


def _emergence_findings(a: _Area, s_i: int, sector: Sector) -> None:
    """A sector emerging from a small base: too few jobs at the start for a growth rate, but a
    large absolute gain (and its share of the sector's national gain, and whether the area
    lacked it entirely). Confidence rests on the start count, so it stays modest."""
    t, cube = a.t, a.cube
    jobs0 = a.emp0[s_i] or 0.0
    jobs = a.emp1[s_i]
    if jobs is None or jobs0 >= t["min_jobs_for_trend"]:
        return
    gain = jobs - jobs0
    if gain < t["emergence_min_gain"] or jobs < t["emergence_min_end_jobs"]:
        return
    nat_gain = float(cube.nat_emp[s_i, a.i1] - cube.nat_emp[s_i, a.i0])
    share_nat = round(gain / nat_gain, 3) if nat_gain > 0 else None
    lq0, lq = _lq(a.lq0[s_i]), _lq(a.lq1[s_i])
    entry = jobs0 == 0 or (lq0 or 0) < 0.1
    supp = float(a.supp0[s_i] + a.supp1[s_i])
    share_txt = f", {share_nat:.0%} of the sector's growth in Great Britain" if share_nat else ""
    a.add("opportunity", "sector_growth", sector.sector_id,
          {"employment_start": jobs0, "employment": jobs, "gain": gain,
           "share_of_national_gain": share_nat, "lq_start": lq0, "lq": lq,
           "period": a.period, "pattern": "entry" if entry else "emergence"},
          f"from < {t['min_jobs_for_trend']:.0f} jobs, gaining >= {t['emergence_min_gain']:.0f}",
          f"{sector.label} is emerging in {a.name}" + (" (a sector it lacked)" if entry else "")
          + f": from {jobs0:,.0f} to {jobs:,.0f} jobs over {a.period}{share_txt}; the small "
          "starting count makes the rate of growth uncertain.",
          # capped: the rate rests on a start count too small to judge a trend from
          round(min(t["emergence_max_confidence"], confidence(gain, supp, 2)), 2))


def _decline_findings(a: _Area, s_i: int, sector: Sector) -> list[tuple[float, Finding]]:
    """A decline weighed by the jobs lost and the sector's weight in the area, and named:

    * ``risk`` - a specialism (LQ >= 1) or a large part of the local AM base (share of AM jobs
      at the start >= ``decline_risk_share_of_am``) is shrinking: a transition problem;
    * ``bottleneck`` - a minor sector shrinking here while it grows in Great Britain: a local
      competitiveness problem (the shift-share local effect is negative);
    * a minor sector following its national decline is not a local finding.
    """
    t, ind, pos = a.t, a.ind, a.pos
    jobs0, jobs = a.emp0[s_i], a.emp1[s_i]
    cagr, nat = a.cagr[s_i], a.nat_cagr[s_i]
    if cagr is None or jobs0 is None or jobs is None or jobs0 < t["min_jobs_for_trend"]:
        return []
    lost = jobs0 - jobs
    if cagr > t["decline_threshold"] or lost < t["min_jobs_change_for_trend"]:
        return []
    am0 = _f(ind.am_jobs[pos, a.i0]) or 0.0
    weight = jobs0 / am0 if am0 else 0.0
    lq0 = a.lq0[s_i] or 0.0
    if lq0 >= 1 or weight >= t["decline_risk_share_of_am"]:
        kind, problem = "risk", "a specialism or a large part of the base is shrinking"
    elif (nat or 0) > 0:
        kind, problem = "bottleneck", "losing ground in a sector that grows nationally"
    else:
        return []
    supp = float(a.supp0[s_i] + a.supp1[s_i])
    vals = {"employment_start": jobs0, "employment": jobs, "jobs_lost": lost,
            "share_of_am_jobs_start": round(weight, 3), "lq_start": _lq(lq0),
            "cagr": round(cagr, 4), "national_cagr": None if nat is None else round(nat, 4),
            "period": a.period, "problem": problem}
    finding = Finding(
        id=f"{a.code}:sector_decline:{sector.sector_id}", kind=kind, topic="sector_decline",
        sector=sector.sector_id, values=vals,
        threshold=f"CAGR <= {t['decline_threshold']:.0%}, losing >= "
                  f"{t['min_jobs_change_for_trend']:.0f} jobs",
        text=f"{sector.label} jobs in {a.name} {growth_words(cagr)} over {a.period} "
             f"({jobs0:,.0f} to {jobs:,.0f}, {lost:,.0f} jobs lost, {weight:.0%} of the "
             f"area's advanced manufacturing jobs at the start); nationally the sector "
             f"{growth_words(nat)}: {problem}.",
        confidence=confidence(min(jobs, jobs0), supp, 2))
    return [(lost, finding)]


def _spreading_findings(a: _Area, s_i: int, sector: Sector) -> None:
    """A sector growing in Great Britain and spreading to new places, where this area is
    plausibly next (the brief's "expanding into new regions").

    Spreading: over the period more districts have LQ >= 1 (by ``spreading_min_new_districts``)
    or the sector's Hoover coefficient of localisation fell (``spreading_hoover_fall``), or its
    LQ in the area's region rose (``spreading_region_lq_gain``). Plausibly next: the region
    already holds some of it (region LQ >= ``spreading_min_region_lq``), the area is not yet
    specialised (LQ < ``spreading_max_lq``) but has a base (>= ``spreading_min_jobs`` jobs) that
    grew at least as fast as the sector in Great Britain.
    """
    t, cube, ind, pos, i0, i1 = a.t, a.cube, a.ind, a.pos, a.i0, a.i1
    nat = a.nat_cagr[s_i]
    jobs, lq = a.emp1[s_i], _lq(a.lq1[s_i])
    cagr = a.cagr[s_i]
    reg = int(cube.region_pos[pos]) if pos < len(cube.region_pos) else -1
    if nat is None or nat <= 0 or jobs is None or lq is None or reg < 0 or cagr is None:
        return
    if lq >= t["spreading_max_lq"] or jobs < t["spreading_min_jobs"] or cagr < nat:
        return
    new_districts, hoover_fall = _spread(ind, s_i)
    reg_lq0, reg_lq = _f(ind.lq[reg, s_i, i0]), _f(ind.lq[reg, s_i, i1])
    if reg_lq is None or reg_lq < t["spreading_min_region_lq"]:
        return
    reg_gain = reg_lq - (reg_lq0 or 0.0)
    how = [f"{new_districts:+d} districts with LQ >= 1" if new_districts
           >= t["spreading_min_new_districts"] else "",
           f"Hoover localisation down {hoover_fall:.3f}" if hoover_fall
           >= t["spreading_hoover_fall"] else "",
           f"regional LQ up {reg_gain:+.2f}" if reg_gain >= t["spreading_region_lq_gain"] else ""]
    how = [h for h in how if h]
    if not how:
        return
    region = _area_labels(ind)[1][reg]
    add_vals = {"employment": jobs, "lq": lq, "cagr": round(cagr, 4), "national_cagr":
                round(nat, 4), "new_districts_lq1": new_districts,
                "hoover_fall": round(hoover_fall, 4), "region_lq": round(reg_lq, 3),
                "region_lq_start": None if reg_lq0 is None else round(reg_lq0, 3),
                "period": a.period}
    a.add("opportunity", "thin_growth_sector", sector.sector_id, add_vals,
          "growing in GB and spreading; region LQ >= "
          f"{t['spreading_min_region_lq']}; area LQ < {t['spreading_max_lq']} with >= "
          f"{t['spreading_min_jobs']:.0f} jobs growing at least as fast as GB",
          f"{sector.label} is growing in Great Britain (it {growth_words(nat)}, {a.period}) and "
          f"spreading ({'; '.join(how)}); {region} holds some of it (LQ {reg_lq:.2f}) and "
          f"{a.name}'s {jobs:,.0f} jobs (LQ {lq:.2f}) {growth_words(cagr)}, so it is "
          "plausibly next.", round(min(0.7, confidence(jobs)), 2))


def _spread(ind: Indicators, s_i: int) -> tuple[int, float]:
    """Change in the number of districts with LQ >= 1, and the fall in the Hoover index."""
    key = ("spread", s_i)
    if key not in ind.cache:
        lad = (ind.cube.areas["level"] == "lad").to_numpy()
        lq = np.nan_to_num(ind.lq[lad, s_i])
        new = int((lq[:, ind.i1] >= 1).sum() - (lq[:, ind.i0] >= 1).sum())
        fall = float(np.nan_to_num(ind.hoover[s_i, ind.i0] - ind.hoover[s_i, ind.i1]))
        ind.cache[key] = (new, fall)
    return ind.cache[key]


def _niche_findings(a: _Area, s_i: int, sector: Sector) -> None:
    """A pronounced specialism resting on few jobs: possibly one plant, so one decision away
    from disappearing (a concentration risk for focusing resources on a small niche)."""
    t, ind = a.t, a.ind
    jobs, lq = a.emp1[s_i], _lq(a.lq1[s_i])
    if jobs is None or lq is None or lq < t["niche_min_lq"]:
        return
    if not t["niche_min_jobs"] <= jobs < t["niche_max_jobs"]:
        return
    supp = float(a.supp1[s_i])
    a.add("risk", "niche", sector.sector_id,
          {"employment": jobs, "lq": lq, "businesses": None, "year": ind.end},
          f"LQ >= {t['niche_min_lq']:g} on fewer than {t['niche_max_jobs']:.0f} jobs",
          f"{a.name}'s specialism in {sector.label.lower()} (LQ {lq:.2f}) rests on "
          f"{jobs:,.0f} jobs ({ind.end}), perhaps a single plant; business counts (UK Business "
          "Counts) are not loaded, so how many firms hold them is not known, and one closure "
          "would remove the niche.", confidence(jobs, supp, 1))


def _am_base_findings(a: _Area) -> tuple[float | None, float | None]:
    """A large or a thin advanced manufacturing base; returns AM jobs and AM share of jobs."""
    t, ind, pos, i1, name, total, add = a.t, a.ind, a.pos, a.i1, a.name, a.total, a.add
    am = _f(ind.am_jobs[pos, i1])
    am_lq = _f(ind.am_lq[pos, i1])
    am_share = _f(ind.am_share[pos, i1])
    am_vals = {"am_jobs": am, "total_jobs": total, "am_share": am_share, "am_lq": am_lq,
               "year": ind.end}
    if am_lq is not None:
        if am_lq >= t["am_base_strong_lq"]:
            add("strength", "am_base", None, am_vals, f"AM LQ >= {t['am_base_strong_lq']}",
                f"Advanced manufacturing is a large part of {name}'s economy: {am:,.0f} of "
                f"{total:,.0f} jobs ({am_share:.1%}) in {ind.end}, {am_lq:.2f} times the GB share.",
                confidence(am or 0))
        elif am_lq < t["am_base_weak_lq"]:
            add("bottleneck", "am_base", None, am_vals, f"AM LQ < {t['am_base_weak_lq']}",
                f"{name} has little advanced manufacturing: {am or 0:,.0f} of {total:,.0f} jobs "
                f"({(am_share or 0):.1%}) in {ind.end}, {am_lq:.2f} times the GB share.",
                confidence(total or 0))
    return am, am_share


def mix_expected_productivity(ind: Indicators, pos: int) -> tuple[float | None, float | None]:
    """GB productivity of the area's own AM sector mix, and GB AM productivity (GBP k a job).

    Standard mix (shift-share) adjustment: expected_r = sum_i E_ir p_iN / sum_i E_ir over the
    sectors with local GVA and jobs, where p_iN is GB GVA per job in sector i. The area's AM
    GVA per job over expected_r is its productivity net of its sector mix; expected_r over GB AM
    GVA per job is the mix effect.
    """
    cube, i1 = ind.cube, year_positions(ind)[1]
    if cube.gva is None or cube.nat_gva is None:
        return None, None
    nat_prod, gb = _gb_productivity(ind)
    emp, gva = cube.emp[pos, :, i1], cube.gva[pos, :, i1]
    ok = np.isfinite(emp) & np.isfinite(gva) & np.isfinite(nat_prod) & (emp > 0)
    if not ok.any():
        return None, None
    expected = float((emp[ok] * nat_prod[ok]).sum() / emp[ok].sum())
    return expected, gb


def _gb_productivity(ind: Indicators) -> tuple[np.ndarray, float]:
    """GB GVA per job by sector ``[S]`` and for AM as a whole, end year: the same for every
    area, so worked out once per period."""
    if "gb_productivity" not in ind.cache:
        cube, i1 = ind.cube, ind.i1
        nat_emp = cube.nat_gva_emp if cube.nat_gva_emp is not None else cube.nat_emp
        gb_ok = np.isfinite(cube.nat_gva[:, i1]) & np.isfinite(nat_emp[:, i1])
        with np.errstate(divide="ignore", invalid="ignore"):
            nat_prod = cube.nat_gva[:, i1] * 1000.0 / nat_emp[:, i1]
            gb = float(cube.nat_gva[gb_ok, i1].sum() * 1000.0 / nat_emp[gb_ok, i1].sum())
        ind.cache["gb_productivity"] = (nat_prod, gb)
    return ind.cache["gb_productivity"]


def _productivity_findings(a: _Area, am: float | None) -> None:
    """AM GVA per job against GB productivity of the same sector mix (the mix effect apart)."""
    t, ind, pos, i1, name, add = a.t, a.ind, a.pos, a.i1, a.name, a.add
    if ind.am_productivity is None or (am or 0) < t["min_jobs_for_productivity"]:
        return
    prod = _f(ind.am_productivity[pos, i1])
    expected, gb = mix_expected_productivity(ind, pos)
    if prod is None or not expected or not gb:
        return
    ratio, mix = prod / expected, expected / gb
    vals = {"gva_per_job_k": round(prod, 1), "mix_expected_gva_per_job_k": round(expected, 1),
            "ratio_to_mix": round(ratio, 3), "gb_am_gva_per_job_k": round(gb, 1),
            "mix_effect": round(mix, 3), "am_jobs": am, "year": ind.end}
    said = (f"Advanced manufacturing output per job in {name} is GBP {prod:,.0f}k ({ind.end}), "
            f"{ratio:.0%} of what the same sectors produce per job in Great Britain (GBP "
            f"{expected:,.0f}k); the sector mix alone puts the area at {mix:.0%} of the GB "
            f"advanced manufacturing figure (GBP {gb:,.0f}k).")
    conf = min(0.8, confidence(am or 0))
    if ratio < t["productivity_gap_ratio"]:
        add("bottleneck", "productivity_gap", None, vals,
            f"AM GVA per job < {t['productivity_gap_ratio']:.0%} of GB for the same sector mix",
            said, conf)
    elif ratio > t["productivity_lead_ratio"]:
        add("strength", "productivity_lead", None, vals,
            f"AM GVA per job > {t['productivity_lead_ratio']:.0%} of GB for the same sector mix",
            said, conf)


def _skills_findings(a: _Area) -> None:
    t, cube, ind, pos, i1, name, add = a.t, a.cube, a.ind, a.pos, a.i1, a.name, a.add
    if cube.level4 is not None and cube.nat_level4 is not None:
        l4, l4n = _f(cube.level4[pos, i1]), _f(cube.nat_level4[i1])
        if l4 is not None and l4n is not None:
            vals = {"level4_share": round(l4, 3), "gb_level4_share": round(l4n, 3),
                    "year": ind.end}
            gap = t["skills_gap_points"]
            if l4 <= l4n - gap:
                add("bottleneck", "skills", None, vals, f"level 4+ share <= GB - {gap:.0%} pts",
                    f"{l4:.0%} of residents aged 16-64 in {name} hold level 4+ qualifications "
                    f"({ind.end}) against {l4n:.0%} in Great Britain.", 0.75)
            elif l4 >= l4n + gap:
                add("strength", "skills", None, vals, f"level 4+ share >= GB + {gap:.0%} pts",
                    f"{l4:.0%} of residents aged 16-64 in {name} hold level 4+ qualifications "
                    f"({ind.end}) against {l4n:.0%} in Great Britain.", 0.75)


def _innovation_findings(a: _Area) -> None:
    t, cube, ind, pos, i1, name, add = a.t, a.cube, a.ind, a.pos, a.i1, a.name, a.add
    if cube.berd is not None and cube.nat_berd is not None:
        rd, rdn = _f(cube.berd[pos, i1]), _f(cube.nat_berd[i1])
        if rd is not None and rdn:
            ratio = rd / rdn
            vals = {"berd_per_job": round(rd, 1), "gb_berd_per_job": round(rdn, 1),
                    "ratio": round(ratio, 3), "year": ind.end}
            if ratio < t["rd_low_ratio"]:
                add("bottleneck", "innovation", None, vals,
                    f"BERD per job < {t['rd_low_ratio']:.0%} of GB",
                    f"Business R&D in {name} is GBP {rd:,.0f} per job ({ind.end}), "
                    f"{ratio:.0%} of the GB figure of GBP {rdn:,.0f}.", 0.7)
            elif ratio > t["rd_high_ratio"]:
                add("strength", "innovation", None, vals,
                    f"BERD per job > {t['rd_high_ratio']:.0%} of GB",
                    f"Business R&D in {name} is GBP {rd:,.0f} per job ({ind.end}), "
                    f"{ratio:.0%} of the GB figure of GBP {rdn:,.0f}.", 0.7)


@lru_cache(maxsize=1)
def _probabilities() -> np.ndarray:
    """The ONS probability of automation of each SOC major group, as an array (read once)."""
    p = automation_probabilities()["probability"].to_numpy(dtype=float)
    p.setflags(write=False)
    return p


def high_risk_share(soc: np.ndarray, cut: float) -> float | None:
    """Share of jobs in occupation groups whose probability of automation exceeds ``cut``
    (ONS 2019 calls > 0.7 high risk); None when no group in the probability table exceeds it,
    since averages by group then hide the high-risk jobs inside each group."""
    p = _probabilities()
    if not (p > cut).any():
        return None
    jobs = np.nansum(soc)
    return float(np.nansum(soc[p > cut]) / jobs) if jobs else None


def _automation_findings(a: _Area) -> None:
    """Job-weighted mean probability of automation (ONS 2019 by occupation) against GB."""
    t, ind, pos, i1, name, total, add = a.t, a.ind, a.pos, a.i1, a.name, a.total, a.add
    if ind.automation is None or ind.nat_automation is None:
        return
    ax, axn = _f(ind.automation[pos, i1]), _f(ind.nat_automation[i1])
    if ax is None or axn is None or ax < axn + t["automation_gap_points"]:
        return
    cut = t["automation_high_risk_probability"]
    soc = a.cube.soc[pos, :, i1] if a.cube.soc is not None else np.array([])
    high = high_risk_share(soc, cut) if soc.size else None
    high_txt = (f"; {high:.0%} of jobs are in occupations at high risk (probability > {cut:g})"
                if high is not None else
                f"; the share of jobs at high risk (probability > {cut:g}, ONS) cannot be told "
                "from occupation major-group averages")
    add("risk", "automation", None,
        {"mean_probability": round(ax, 3), "gb_mean_probability": round(axn, 3),
         "high_risk_share": None if high is None else round(high, 3), "total_jobs": total,
         "scope": "all jobs (occupation-by-industry data not loaded)", "year": ind.end},
        f"mean probability of automation >= GB + {t['automation_gap_points']:.0%} pts",
        f"Across {name}'s {total:,.0f} jobs ({ind.end}) the job-weighted mean probability of "
        f"automation is {ax:.0%}, against {axn:.0%} in Great Britain (occupation mix weighted "
        f"by ONS 2019 probabilities){high_txt}. This covers all jobs: without occupation-by-"
        "industry data the advanced manufacturing workforce cannot be judged on its own.", 0.6)


def _dependence_findings(
    a: _Area, sectors: list[Sector], am: float | None, am_share: float | None
) -> None:
    t, cube, ind, pos, i1, name, add = a.t, a.cube, a.ind, a.pos, a.i1, a.name, a.add
    hhi = _f(ind.herfindahl[pos, i1])
    if hhi is not None and am_share is not None and hhi >= t["dependence_hhi"] \
            and am_share >= t["dependence_min_am_share"]:
        top = int(np.nanargmax(np.nan_to_num(cube.emp[pos, :, i1])))
        top_share = float(zero_nan(float(cube.emp[pos, top, i1])) / am) if am else 0.0
        add("risk", "dependence", sectors[top].sector_id,
            {"herfindahl": round(hhi, 3), "top_sector_share_of_am": round(top_share, 3),
             "am_jobs": am, "year": ind.end},
            f"HHI of the AM base >= {t['dependence_hhi']}",
            f"{name}'s advanced manufacturing depends on one sector: {sectors[top].label} holds "
            f"{top_share:.0%} of its {am:,.0f} AM jobs ({ind.end}); a shock to it would hit the "
            "whole base.", confidence(am or 0))


def nan_median(values: list[float]) -> float:
    """``numpy.nanmedian`` of a few Python floats, the same number (the middle value, or the
    mean of the two middle ones as numpy takes it, (a + b) / 2), without numpy's per-call
    overhead: the profile of every district takes one. NaN when no value is a number."""
    xs = sorted(x for x in values if x == x)
    n = len(xs)
    if not n:
        return math.nan
    mid = n // 2
    return xs[mid] if n % 2 else (xs[mid - 1] + xs[mid]) / 2


def _comparator_findings(a: _Area, comparator_pos: list[int], am_share: float | None) -> None:
    """AM share against the median of peers chosen on whole-economy structure, size and place
    type (not on AM itself; see :mod:`evidence.comparators`)."""
    t, ind, i1, name, add = a.t, a.ind, a.i1, a.name, a.add
    if not comparator_pos or am_share is None:
        return
    peer_share = nan_median(ind.am_share[comparator_pos, i1].tolist())
    if not math.isfinite(peer_share) or peer_share <= 0:
        return
    ratio = am_share / peer_share
    vals = {"am_share": round(am_share, 4), "comparator_median": round(peer_share, 4),
            "ratio": round(ratio, 3), "comparators": len(comparator_pos), "year": ind.end}
    said = (f"{name}'s advanced manufacturing share ({am_share:.1%} of jobs, {ind.end}) is "
            f"{ratio:.1f} times the median of its {len(comparator_pos)} comparators "
            f"({peer_share:.1%}), places like it in economic structure, size and type.")
    if ratio >= t["comparator_high_ratio"]:
        add("strength", "comparators", None, vals,
            f"AM share >= {t['comparator_high_ratio']:g} x comparator median", said, 0.7)
    elif ratio <= t["comparator_low_ratio"]:
        add("bottleneck", "comparators", None, vals,
            f"AM share <= {t['comparator_low_ratio']:g} x comparator median", said, 0.7)
