"""Altair charts of an area profile (no Streamlit): the app shows them; the reports embed the
same specs written without Altair (:mod:`evidence.chart_specs`, tested equal to these).

Every chart title carries the period or year and the denominator, so a screenshot pasted into a
board paper still says what the numbers are.
"""

from __future__ import annotations

from collections.abc import Iterable

import altair as alt
import pandas as pd

from evidence.chart_specs import (
    LABEL_LIMIT_PX,
    QUADRANT_COLOURS,
    ROW_PX,
    rows_height,
    sector_rows,
    size_legend_values,
)
from evidence.labels import label
from evidence.models import AreaProfile

__all__ = ["FIT_WIDTH", "LABEL_LIMIT_PX", "QUADRANT_COLOURS", "ROW_PX", "bubble_size",
           "comparator_chart", "employment_trends", "lq_growth_bubbles", "rows_height",
           "sector_frame", "sector_structure", "shift_share_chart", "size_legend_values"]


def sector_frame(p: AreaProfile) -> pd.DataFrame:
    return pd.DataFrame(sector_rows(p))


FIT_WIDTH = alt.AutoSizeParams(type="fit-x", contains="padding")
"""Fit the page's width; the height given is the plotting area's (axes and title added)."""


def _colour(orient: str = "right") -> alt.Color:
    return alt.Color(
        "quadrant:N", title="Type of sector",
        scale=alt.Scale(domain=[label("quadrant", q) for q in QUADRANT_COLOURS],
                        range=list(QUADRANT_COLOURS.values())),
        legend=alt.Legend(labelLimit=LABEL_LIMIT_PX, orient=orient, direction="vertical"),
    )


def bubble_size(field: str, title: str, values: Iterable[float],
                range_px: tuple[int, int]) -> alt.Size:
    """A size channel whose scale starts at zero (area proportional to the value) and ends at
    the largest value, with legend entries that include that largest value.

    Left to itself Vega-Lite picks a "nice" domain and legend ticks below the data's maximum,
    so the largest bubble was bigger than any circle in the legend (issue 15)."""
    shown = size_legend_values(values)
    top = shown[-1] if shown else 1.0
    return alt.Size(field, title=title,
                    scale=alt.Scale(domain=[0, top], range=list(range_px), zero=True),
                    legend=alt.Legend(values=shown, format=",.0f", labelLimit=LABEL_LIMIT_PX))


def sector_structure(p: AreaProfile) -> alt.Chart:
    df = sector_frame(p).dropna(subset=["employment"])
    # The denominator on a line of its own and the legend under the bars: in one line beside
    # a side legend, a report's 520 px cut the title short and left the bars a third of it.
    return alt.Chart(df, title=alt.TitleParams(
        f"Jobs by advanced manufacturing sector, {p.area.name}, {p.period.end}",
        subtitle=f"of {p.total_jobs:,.0f} jobs in all industries in {p.period.end}",
        anchor="start", frame="bounds",
    )).mark_bar().encode(
        x=alt.X("employment:Q", title=f"jobs, {p.period.end}"),
        y=alt.Y("label:N", sort="-x", title=None, axis=alt.Axis(labelLimit=260)),
        color=_colour(orient="bottom"),
        tooltip=["label", alt.Tooltip("employment:Q", format=",.0f"),
                 alt.Tooltip("share:Q", format=".2%", title="share of all jobs"),
                 alt.Tooltip("lq:Q", format=".2f", title="LQ vs GB")],
    ).properties(autosize=FIT_WIDTH, height=rows_height(len(df)))


def lq_growth_bubbles(p: AreaProfile) -> alt.LayerChart:
    df = sector_frame(p).dropna(subset=["lq", "growth"])
    base = alt.Chart(df, title=(
        f"Specialisation against growth, {p.area.name}: LQ in {p.period.end} vs compound "
        f"annual growth {p.period.start}-{p.period.end} (bubble = jobs)"
    ))
    bubbles = base.mark_circle(opacity=0.75, stroke="black", strokeWidth=0.5).encode(
        x=alt.X("lq:Q", title="location quotient vs Great Britain", scale=alt.Scale(zero=True)),
        y=alt.Y("growth:Q", title="jobs growth per year", axis=alt.Axis(format="%")),
        size=bubble_size("employment:Q", "jobs", df["employment"], (40, 2500)),
        color=_colour(),
        tooltip=["label", alt.Tooltip("lq:Q", format=".2f"),
                 alt.Tooltip("growth:Q", format="+.1%"),
                 alt.Tooltip("growth_national:Q", format="+.1%", title="national growth"),
                 alt.Tooltip("employment:Q", format=",.0f")],
    )
    labels = base.mark_text(align="left", dx=8, fontSize=11).encode(
        x="lq:Q", y="growth:Q", text="label:N")
    rule_x = alt.Chart(pd.DataFrame({"x": [1.0]})).mark_rule(strokeDash=[4, 4]).encode(x="x:Q")
    rule_y = alt.Chart(pd.DataFrame({"y": [0.0]})).mark_rule(strokeDash=[4, 4]).encode(y="y:Q")
    return alt.layer(bubbles, labels, rule_x, rule_y).properties(height=380)


def employment_trends(ts: pd.DataFrame, area_name: str) -> alt.Chart:
    df = ts.dropna(subset=["employment"])
    years = f"{int(df['year'].min())}-{int(df['year'].max())}" if len(df) else ""
    return alt.Chart(df, title=f"Jobs by sector, {area_name}, {years}").mark_line(
        point=True).encode(
        x=alt.X("year:O", title="year"),
        y=alt.Y("employment:Q", title="jobs"),
        color=alt.Color("label:N", title="sector"),
        tooltip=["label", "year", alt.Tooltip("employment:Q", format=",.0f")],
    )


def shift_share_chart(p: AreaProfile) -> alt.LayerChart:
    """Stacked components with a black tick at the actual change they sum to."""
    df = sector_frame(p).dropna(subset=["ss_local"])
    df["actual"] = df["ss_national"] + df["ss_industry_mix"] + df["ss_local"]
    long = df.melt(id_vars=["label"], value_vars=["ss_national", "ss_industry_mix", "ss_local"],
                   var_name="component", value_name="jobs")
    long["component"] = long["component"].map({
        "ss_national": "national growth", "ss_industry_mix": "industry mix",
        "ss_local": "local competitive effect"})
    bars = alt.Chart(long, title=(
        f"Shift-share of the change in jobs, {p.area.name}, {p.period.start}-{p.period.end}"
    )).mark_bar().encode(
        x=alt.X("jobs:Q", title="change in jobs (parts sum to the actual change: black tick)"),
        y=alt.Y("label:N", title=None, axis=alt.Axis(labelLimit=260)),
        color=alt.Color("component:N", title="component",
                        legend=alt.Legend(labelLimit=LABEL_LIMIT_PX)),
        tooltip=["label", "component", alt.Tooltip("jobs:Q", format="+,.0f")],
    )
    ticks = alt.Chart(df).mark_tick(color="black", thickness=3, size=18).encode(
        x="actual:Q", y=alt.Y("label:N", title=None),
        tooltip=["label", alt.Tooltip("actual:Q", format="+,.0f", title="actual change")])
    return alt.layer(bars, ticks).properties(autosize=FIT_WIDTH,
                                             height=rows_height(df["label"].nunique()))


def comparator_chart(rows: pd.DataFrame, year: int) -> alt.Chart:
    """``rows``: area_name, am_share, am_jobs, total_jobs, is_focus."""
    return alt.Chart(rows, title=(
        f"Advanced manufacturing share of all jobs, {year}: area and comparators"
    )).mark_bar().encode(
        x=alt.X("am_share:Q", title="AM jobs / all jobs", axis=alt.Axis(format="%")),
        y=alt.Y("area_name:N", sort="-x", title=None,
                axis=alt.Axis(labelLimit=LABEL_LIMIT_PX)),
        color=alt.condition("datum.is_focus", alt.value("#d62728"), alt.value("#9ecae1")),
        tooltip=["area_name", alt.Tooltip("am_share:Q", format=".2%"),
                 alt.Tooltip("am_jobs:Q", format=",.0f"),
                 alt.Tooltip("total_jobs:Q", format=",.0f")],
    ).properties(autosize=FIT_WIDTH, height=rows_height(len(rows)))
