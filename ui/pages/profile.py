"""Step 2: the evidence profile - structure, specialisation, trends, shift-share, comparators.

Its charts are the report's own Vega-Lite specs (:mod:`evidence.chart_specs`), one definition
for both, each built once per cache key (:func:`ui.widgets.cached_chart`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import streamlit as st

from evidence import analysis_charts, chart_specs
from evidence.analysis.spatial import DEFAULT_K
from evidence.area_analysis import analysis_of, cluster_map_frame
from evidence.hexmap import no_map_reason
from evidence.models import AreaProfile
from evidence.profile import AUTOMATION_GAP, AUTOMATION_LABEL, AUTOMATION_SOURCE, krugman_basis
from evidence.service import Evidence
from policy.labels import percent_text, reader_words, sentence
from ui.state import get_session, session_profile, try_evidence
from ui.widgets import (
    cached_chart,
    lazy_tabs,
    model_key,
    need_area,
    next_button,
    synthetic_banner,
)

if TYPE_CHECKING:
    from pandas.io.formats.style import Styler

TAB_KEY = "profile_tab"
"""Session-state key of the open tab (only its content is drawn: :func:`ui.widgets.lazy_tabs`)."""


def coverage_note(p: AreaProfile) -> str | None:
    """Said beside the headline figures when the data hold only some of the sectors."""
    held = [r for r in p.sectors if r.employment is not None or r.suppressed_cells]
    if len(held) == len(p.sectors):
        return None
    return (f"The data cover {len(held)} of the {len(p.sectors)} advanced manufacturing "
            f"sectors ({', '.join(r.label for r in held) or 'none'}): the advanced "
            "manufacturing jobs and share count only those.")


def headline(p: AreaProfile) -> None:
    note = coverage_note(p)
    if note:
        st.warning(note, icon=":material/info:")
    # a row that wraps, each figure as wide as its label: five equal columns cut the labels
    # ("Advanced manufact...") at desk width
    row = st.container(horizontal=True, gap="medium")
    row.metric(f"All jobs, {p.period.end}", f"{p.total_jobs:,.0f}", width="content",
               help=reader_words(f"Source of the total: {p.total_jobs_basis}"))
    row.metric(f"Advanced manufacturing jobs, {p.period.end}", f"{p.am_jobs:,.0f}",
               width="content",
               help=f"Sum of the {len(p.sectors)} advanced manufacturing sectors")
    row.metric("Advanced manufacturing share of all jobs", f"{p.am_share:.1%}", width="content",
               help=f"{p.am_jobs:,.0f} / {p.total_jobs:,.0f}, {p.period.end}")
    row.metric("Krugman specialisation", "-" if p.krugman is None else f"{p.krugman:.2f}",
               width="content", help=reader_words(krugman_basis(p)))
    gb_auto = p.context.get("gb_automation_exposure")
    soc_year = p.context.get("soc_year")
    row.metric(AUTOMATION_LABEL,
               "-" if p.automation_exposure is None else percent_text(p.automation_exposure),
               width="content",
               help=(f"- = {AUTOMATION_GAP}." if p.automation_exposure is None else
                     sentence(AUTOMATION_SOURCE)
                     + (f", {soc_year:.0f}" if soc_year else "")
                     + (f"; Great Britain {percent_text(gb_auto)}" if gb_auto is not None
                        else "")))
    if p.automation_exposure is None:
        st.caption(f"{AUTOMATION_LABEL}: - = {AUTOMATION_GAP}.")


MISSING = ""
"""Shown for a figure the data cannot give (no jobs at the start, suppressed, no GVA): a
blank, since a static table reads a lone "-" as a markdown bullet."""
MISSING_NOTE = ("A blank cell: not available (no jobs at the start of the period for growth, "
                "suppressed or missing cells, or no GVA or regional figure in the data).")


def _float(values: list[float | None]) -> list[float]:
    """NaN, not None, for a missing figure: a column of numbers, formatted as one."""
    return [np.nan if v is None else float(v) for v in values]


def sector_tables(p: AreaProfile) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The Table tab's two tables, size and specialisation in the end year, then change over
    the period: ten columns side by side did not fit the page (the last ones hid off to the
    right at 1400 px), five or six do. Missing figures are NaN or None, shown blank."""
    s, e = p.period.start, p.period.end
    rows = p.sectors
    size = pd.DataFrame({
        "Sector": [r.label for r in rows],
        f"Jobs {e}": _float([r.employment for r in rows]),
        "Share of all jobs": _float([r.share for r in rows]),
        "LQ vs GB": _float([r.lq for r in rows]),
        "LQ vs region": _float([r.lq_region for r in rows]),
        "GB localisation (Hoover)": _float([r.hoover_gb for r in rows]),
    })
    change = pd.DataFrame({
        "Sector": [r.label for r in rows],
        f"Growth p.a. {s}-{e}": _float([r.growth for r in rows]),
        "GB growth p.a.": _float([r.growth_national for r in rows]),
        "Dynamics": [r.dynamics or None for r in rows],
        "Productivity vs GB": _float([r.productivity_ratio for r in rows]),
    })
    return size, change


TABLE_FORMATS = {"Jobs": "{:,.0f}", "Share": "{:.2%}", "LQ": "{:.2f}", "GB localisation": "{:.2f}",
                 "Growth": "{:+.1%}", "GB growth": "{:+.1%}", "Productivity": "{:.2f}"}
"""Display formats by the start of a column's name: LQs to 2 dp, jobs with thousands
separators, growth as a signed percentage (as the report's Table 1.1)."""


def styled(frame: pd.DataFrame) -> Styler:
    """``frame`` shown with :data:`TABLE_FORMATS` and :data:`MISSING` for a missing figure."""
    formats = {c: next((f for k, f in TABLE_FORMATS.items() if str(c).startswith(k)), None)
               for c in frame.columns}
    return frame.style.format({c: f for c, f in formats.items() if f}, na_rep=MISSING) \
        .format(subset=[c for c, f in formats.items() if not f], na_rep=MISSING)


def comparator_table(p: AreaProfile) -> pd.DataFrame:
    """The comparators with why each is similar, for a table that wraps the long reasons."""
    return pd.DataFrame({
        "Comparator": [c.area_name for c in p.comparators],
        "Code": [c.area_code for c in p.comparators],
        "Distance": [round(c.distance, 2) for c in p.comparators],
        "Why similar": [c.similar_because for c in p.comparators],
    })


def comparator_rows(ev: Evidence, p: AreaProfile) -> pd.DataFrame:
    ind = ev.indicators(p.period.start, p.period.end)
    codes = [p.area.code] + [c.area_code for c in p.comparators]
    pos = [ev.cube.position(c) for c in codes]
    return pd.DataFrame({
        "area_name": [ev.cube.areas["area_name"].iloc[i] for i in pos],
        "am_share": np.nan_to_num(ind.am_share[pos, ind.i1]),
        "am_jobs": np.nan_to_num(ind.am_jobs[pos, ind.i1]),
        "total_jobs": np.nan_to_num(ev.cube.total[pos, ind.i1]),
        "is_focus": [True] + [False] * (len(pos) - 1),
    })


def comparators_section(ev: Evidence, p: AreaProfile) -> None:
    session = get_session()
    cached_chart(("comparators", model_key(p)),
                 lambda: chart_specs.comparator_spec(
                     comparator_rows(ev, p).to_dict("records"), p.period.end),
                 width="stretch")
    if p.comparators:  # a static table wraps the reasons a grid cut off at the right
        st.table(comparator_table(p).style.format({"Distance": "{:.2f}"}).hide(axis="index"))
    st.caption("Distance: smaller is more similar (statistical nearest neighbours unless "
               "chosen below).")
    areas = ev.areas()
    peers = areas[(areas["level"] == p.area.level) & (areas["area_code"] != p.area.code)]
    names = dict(zip(peers["area_code"], peers["area_name"], strict=True))
    with st.form("comparators_form"):
        chosen = st.multiselect(
            "Replace the comparators (leave empty for the statistical nearest neighbours)",
            list(names), default=[c for c in (session.comparator_codes or []) if c in names],
            format_func=names.__getitem__)
        if st.form_submit_button("Use these comparators"):
            session.comparator_codes = chosen or None
            st.rerun()


def supply_chain_section(p: AreaProfile) -> None:
    st.subheader("Supply chains")
    if not p.supply_chain:
        st.info("No supply chain: the file has no 4-digit class detail, or no advanced "
                "manufacturing sector "
                "has jobs here.")
        return
    chains = {c.sector: c for c in p.supply_chain}
    sid = st.selectbox("Sector", list(chains), format_func=lambda s: chains[s].label,
                       key="analysis_chain_sector")
    chain = chains[sid]
    st.dataframe(analysis_charts.supply_chain_frame(chain, p.period.end), hide_index=True,
                 width="stretch")
    st.caption(f"IO industries {', '.join(chain.io_industry)}. Suppliers: domestic purchases "
               "from the industry per GBP of the sector's output (direct requirement "
               "coefficient); buyers: share of the sector's output the industry buys; ONS UK "
               f"input-output analytical tables 2019. Local LQ: the industry's jobs as a share "
               f"of the area's {p.total_jobs:,.0f} jobs over the same share in Great Britain, "
               f"{p.period.end}; blank where the file does not hold all its classes.")
    st.metric(f"Regional Type I output multiplier ({chain.label})",
              f"{chain.multiplier.type_i:.3f}")
    if p.io_multiplier is not None:
        st.caption(f"Area multiplier for the appraisal: {p.io_multiplier.type_i:.3f}.")
        with st.expander("Details: how the multiplier is worked out"):
            st.caption(f"{p.io_multiplier.method}.")


def related_section(p: AreaProfile) -> None:
    st.subheader("What the area could move into next")
    if p.class_detail:
        st.caption(p.class_detail)
    if p.related_opportunities:
        cached_chart(("feasible next", model_key(p)),
                     lambda: chart_specs.feasible_next_spec(p), width="stretch")
        st.dataframe(analysis_charts.opportunities_frame(p).rename(columns={
            "sic": "SIC", "label": "Class", "sector": "Sector", "density": "Density",
            "lq": f"LQ {p.period.end}", "national_jobs": f"GB jobs {p.period.end}",
            "related_present": "Builds on (classes held, LQ >= 1)"}),
            hide_index=True, width="stretch")
    else:
        st.info("No feasible next class: relatedness needs 4-digit class detail.")
    if p.relatedness_method:
        with st.expander("Details: how relatedness is measured"):
            st.caption(p.relatedness_method)
    if p.total_variety is not None:
        c1, c2, c3 = st.columns(3)
        c1.metric(f"Related variety, {p.period.end}", f"{p.related_variety:.2f} bits")
        c2.metric(f"Unrelated variety, {p.period.end}", f"{p.unrelated_variety:.2f} bits")
        c3.metric("Total entropy", f"{p.total_variety:.2f} bits",
                  help="related + unrelated variety")
        with st.expander("Details: how variety is measured"):
            st.caption(p.variety_method or "")
    em = [(s.label, s.esteban_marquillas) for s in p.sectors if s.esteban_marquillas]
    if em:
        jobs = st.column_config.NumberColumn(format="%.0f", width="small")
        st.dataframe(pd.DataFrame([{  # the Type beside the sector: at the right it was cut
            "Sector": label, "Type": e.allocation_type,
            "Homothetic jobs (start)": e.homothetic_employment,
            "Local effect": e.competitive, "Homothetic competitive": e.homothetic_competitive,
            "Allocation": e.allocation} for label, e in em]),
            hide_index=True, width="stretch", column_config={
                "Sector": st.column_config.TextColumn(width="medium"),
                "Type": st.column_config.TextColumn(width=270),
                "Homothetic jobs (start)": jobs, "Local effect": jobs,
                "Homothetic competitive": jobs, "Allocation": jobs})
        st.caption(f"Esteban-Marquillas (1972): the local effect of the shift-share "
                   f"(jobs, {p.period.start}-{p.period.end}) = homothetic competitive effect "
                   "(growth advantage on the jobs the area would have with the GB structure) "
                   "+ allocation effect (specialisation x growth advantage).")


def no_map_text(ev: Evidence) -> str:
    """Why the Analysis tab draws no cluster map: none of the data's areas has a position."""
    return no_map_reason(ev.cube.areas, ev.dataset.source)


def cluster_section(ev: Evidence, p: AreaProfile) -> None:
    st.subheader("Where clusters sit")
    analysis = analysis_of(ev.indicators(p.period.start, p.period.end),
                           ev.dataset.source.synthetic)
    labels = {s.sector: s.label for s in p.sectors}
    best = max(p.sectors, key=lambda s: s.lq or 0.0).sector
    sectors = list(labels)
    sid = st.selectbox("Sector on the map", sectors, index=sectors.index(best),
                       format_func=labels.__getitem__, key="analysis_map_sector")
    frame = cluster_map_frame(analysis, sid)
    if frame.empty:  # NUTS2 regions and other areas the tool holds no position for
        st.info(no_map_text(ev), icon=":material/info:")
    else:
        cached_chart(("cluster map", model_key(p), sid), lambda: chart_specs.cluster_map_spec(
            frame.to_dict("records"), labels[sid], p.period.end, p.area.code,
            [c.area_code for c in p.comparators], hex_px=20),
            width="content")  # a hex map keeps its own aspect ratio
        hot = int(frame["hot_spot"].sum())
        st.caption(f"Black outline: {p.area.name}; orange: its comparators; white dots ringed "
                   f"in red: {hot} hot spots of {ev.dataset.source.areas_text(len(frame))} "
                   f"(local Moran high-high, p < 0.05, {analysis.centroid_basis}, k = {DEFAULT_K} "
                   "nearest neighbours).")
    if analysis.sector_spatial(sid) is None:
        st.caption(f"Moran's I and the local Moran (LISA) hot spots are not computed for "
                   f"{labels[sid]}: they need at least {DEFAULT_K + 2} areas with a position "
                   f"(for their {DEFAULT_K} nearest neighbours) and an LQ that varies between "
                   "them; here "
                   f"{ev.dataset.source.areas_text(len(analysis.centroids))} have a position. "
                   "The LQs, growth, shift-share and supply chain figures above do not need "
                   "positions.")
    if p.cluster is not None:
        row = next((c for c in p.cluster.sectors if c.sector == sid), None)
        if row is not None:
            st.write(f"{labels[sid]} in {p.area.name}: {row.text} (LISA {row.quadrant}, "
                     f"p = {row.local_p:.3f}; global Moran's I {row.moran_i:.2f}, "
                     f"p = {row.moran_p:.3f}).")
        st.caption(f"Weights: {p.cluster.weights}; centroids: {p.cluster.centroids}; "
                   f"{p.cluster.permutations} permutations, seed {p.cluster.seed}.")


def bubbles_tab(p: AreaProfile, key: str) -> None:
    cached_chart(("bubbles", key), lambda: chart_specs.lq_growth_spec(p), width="stretch")
    st.caption("Top right: specialised and growing. Bottom right: specialised but "
               "declining. Dashed lines: LQ = 1 (GB average) and zero growth.")


def shift_share_tab(p: AreaProfile, key: str) -> None:
    cached_chart(("shift-share", key), lambda: chart_specs.shift_share_spec(p), width="stretch")
    st.caption("National growth: jobs the sector would have gained had it grown like all "
               "GB jobs. Industry mix: extra from the sector's national trend. Local "
               "effect: what is left, the area's own performance.")


def table_tab(p: AreaProfile) -> None:
    # static tables: a grid shows "None" for a missing number whatever its format says, and
    # hid the last columns off to the right; these wrap to the page and leave it blank
    size, change = sector_tables(p)
    st.markdown(f"**Size and specialisation, {p.period.end}**")
    st.table(styled(size).hide(axis="index"))
    st.markdown(f"**Change, {p.period.start}-{p.period.end}**")
    st.table(styled(change).hide(axis="index"))
    st.caption(f"Share: sector jobs / all {p.total_jobs:,.0f} jobs in the area, "
               f"{p.period.end}. LQ (location quotient): the sector's share of local jobs / "
               "its share of Great Britain's (1 = the GB average).")
    st.caption(f"Dynamics: growing at +1% a year or more, declining at -1% or less, "
               f"stagnating between ({p.period.start}-{p.period.end}, compound). "
               "Productivity: GVA per job against the same sector in Great Britain. "
               "Hoover localisation: how unevenly the sector's jobs are spread across GB "
               "districts compared with all jobs (0 even, 1 all in one place). " + MISSING_NOTE)


def analysis_tab(ev: Evidence, p: AreaProfile) -> None:
    supply_chain_section(p)
    related_section(p)
    cluster_section(ev, p)


def render() -> None:
    if need_area():
        return
    session = get_session()
    ev = try_evidence(session)
    if ev is None:
        return
    p = session_profile(session)
    if p is None:
        return
    synthetic_banner(ev)
    st.caption(reader_words(
        f"{p.area.name}, {p.period.start}-{p.period.end}. Data: {p.source}. Total jobs: "
        f"{p.total_jobs_basis}; national reference: {p.national_basis}."))
    headline(p)
    key = model_key(p)
    lazy_tabs({
        "Structure": lambda: cached_chart(("structure", key),
                                          lambda: chart_specs.sector_structure_spec(p),
                                          width="stretch"),
        "Specialisation and growth": lambda: bubbles_tab(p, key),
        "Trends": lambda: cached_chart(("trends", key), lambda: chart_specs.employment_trends_spec(
            ev.area_timeseries(p.area.code).to_dict("records"), p.area.name), width="stretch"),
        "Shift-share": lambda: shift_share_tab(p, key),
        "Comparators": lambda: comparators_section(ev, p),
        "Table": lambda: table_tab(p),
        "Analysis": lambda: analysis_tab(ev, p),
    }, key=TAB_KEY)
    if p.notes:
        with st.expander("Details: notes on the data"):
            for note in p.notes:
                st.caption(reader_words(note))
    next_button("profile", "Next: strengths and bottlenecks")
