"""Charts and tables of the analysis step (pure functions, no Streamlit): the supply-chain
table, the feasible-next chart and the cluster hex map. The app and the reports draw the same
ones, so a report shows what the walkthrough showed (the reports through their Altair-free
twins in :mod:`evidence.chart_specs`, tested equal to these).
"""

from __future__ import annotations

from collections.abc import Iterable

import altair as alt
import pandas as pd

from evidence.chart_specs import HOT_SPOT_COLOUR
from evidence.charts import LABEL_LIMIT_PX, bubble_size
from evidence.hexmap import hex_centres, hex_map
from evidence.models import AreaProfile, SupplyChain
from evidence.sectors import load_sectors


def supply_chain_frame(chain: SupplyChain, year: int) -> pd.DataFrame:
    """Suppliers and buyers of one sector as rows: role, industry, name, value, local LQ."""
    rows = [{"Role": "supplier", "IO industry": s.industry, "Industry": s.name,
             "Coefficient (per GBP of output, 2019)": s.coefficient,
             f"Local LQ vs GB, {year}": s.local_lq} for s in chain.suppliers]
    rows += [{"Role": "buyer", "IO industry": b.industry, "Industry": b.name,
              "Coefficient (per GBP of output, 2019)": b.share,
              f"Local LQ vs GB, {year}": b.local_lq} for b in chain.buyers]
    return pd.DataFrame(rows)


def opportunities_frame(p: AreaProfile) -> pd.DataFrame:
    """The related opportunities as a table (one row a class)."""
    labels = {s.sector_id: s.label for s in load_sectors()}
    return pd.DataFrame([{
        "sic": o.sic, "label": o.label, "sector": labels.get(o.sector or "", o.sector or ""),
        "density": o.density,
        "lq": o.lq if o.lq is not None else 0.0, "national_jobs": o.national_jobs or 0.0,
        "related_present": "; ".join(f"{r.label} (LQ {r.lq:.2f})" for r in o.related_present),
    } for o in p.related_opportunities])


def feasible_next_chart(p: AreaProfile) -> alt.Chart:
    """Relatedness density (y) against the area's LQ (x) of the feasible next classes; bubble
    size is the class's national jobs in the end year, colour its Table 1 sector."""
    frame = opportunities_frame(p)
    if frame.empty:
        frame = pd.DataFrame({"sic": [], "label": [], "sector": [], "density": [], "lq": [],
                              "national_jobs": [], "related_present": []})
    year = p.period.end
    return alt.Chart(frame, title=(
        f"Feasible next classes for {p.area.name}: relatedness density against LQ, {year}"
    )).mark_circle(opacity=0.7, stroke="black", strokeWidth=0.5).encode(
        x=alt.X("lq:Q", title=f"LQ vs Great Britain, {year} (below 1: not yet specialised)",
                scale=alt.Scale(domain=[0, 1])),
        y=alt.Y("density:Q", title="relatedness density (0-1)", scale=alt.Scale(domain=[0, 1])),
        size=bubble_size("national_jobs:Q", f"GB jobs in the class, {year}",
                         frame["national_jobs"], (40, 900)),
        color=alt.Color("sector:N", title="Advanced manufacturing sector",
                        legend=alt.Legend(labelLimit=LABEL_LIMIT_PX)),
        tooltip=[alt.Tooltip("label:N", title="Class"), alt.Tooltip("density:Q", format=".2f"),
                 alt.Tooltip("lq:Q", title="LQ", format=".2f"),
                 alt.Tooltip("national_jobs:Q", title="GB jobs", format=",.0f"),
                 alt.Tooltip("related_present:N", title="Builds on")],
    ).properties(width=520, height=320)


def cluster_map(
    frame: pd.DataFrame,
    sector_label: str,
    year: int,
    focus_code: str | None,
    comparator_codes: Iterable[str] = (),
    hex_px: float = 13.0,
) -> alt.LayerChart:
    """The hex map of a sector's LQ by district, focus (black) and comparators (orange)
    outlined, LISA hot spots (high-high, p < 0.05) marked with a white dot ringed in red.

    ``frame`` comes from :func:`evidence.area_analysis.cluster_map_frame`.
    """
    chart = hex_map(frame, "lq", f"{sector_label}: LQ vs Great Britain by district, {year}",
                    "LQ", focus_code, list(comparator_codes), hex_px=hex_px)
    hot = frame[frame["hot_spot"].astype(bool)].copy()
    if len(hot):
        hot["x"], hot["y"] = hex_centres(hot["q"].astype(int), hot["r"].astype(int))
        dots = alt.Chart(hot[["x", "y", "area_name"]]).mark_point(
            shape="circle", filled=True, size=30 * (hex_px / 13.0) ** 2, fill="white",
            stroke=HOT_SPOT_COLOUR, strokeWidth=2, opacity=1,
        ).encode(x=alt.X("x:Q", axis=None), y=alt.Y("y:Q", axis=None),
                 tooltip=[alt.Tooltip("area_name:N", title="Hot spot")])
        chart.layer.append(dots)
    return chart
