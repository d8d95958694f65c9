"""Charts and diagrams of a report, rendered offline to PNG (and SVG for causal diagrams).

Profile charts are the app's own Altair charts (:mod:`evidence.charts`, pure functions with no
Streamlit import) converted with ``vl-convert``, so a report shows exactly what the walkthrough
showed. Causal diagrams come from :func:`policy.catalogue.to_png` / :func:`policy.catalogue.to_svg`.
A chart that fails to render is left out with a warning on the bundle rather than stopping the
whole report.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pandas as pd

from evidence import analysis_charts, charts
from policy.catalogue import chain_graph, to_png, to_svg

if TYPE_CHECKING:
    import altair as alt

    from policy.export.bundle import ReportBundle

__all__ = ["CHART_SCALE", "ReportImage", "chart_png", "rank_stability_chart", "render_images"]

CHART_SCALE = 1.5
"""vl-convert scale factor: sharp enough for print at 6 inches wide, small enough to embed."""

_CHART_WIDTH = 520
_OWN_SIZE = {"cluster_map"}
"""Charts that keep their own width (a hex map's aspect ratio is its geometry)."""


class ReportImage:
    """One figure: PNG bytes, optional SVG text (diagrams), caption and width in the page.

    ``png`` and ``svg`` may be given as values or as functions that make them; a made value is
    kept, so each representation is rendered at most once and only if a writer asks for it
    (the HTML report inlines diagrams as SVG and never needs their PNG, the Word report the
    reverse).
    """

    def __init__(
        self,
        key: str,
        caption: str,
        png: bytes | Callable[[], bytes],
        svg: str | Callable[[], str] | None = None,
        width_in: float = 6.3,
    ) -> None:
        self.key = key
        self.caption = caption
        self.width_in = width_in
        self._png = png
        self._svg = svg

    @property
    def has_svg(self) -> bool:
        return self._svg is not None

    @property
    def png(self) -> bytes:
        if callable(self._png):
            self._png = self._png()
        return self._png

    @property
    def svg(self) -> str | None:
        if callable(self._svg):
            self._svg = self._svg()
        return self._svg

    def __repr__(self) -> str:
        return f"ReportImage({self.key!r})"


def chart_png(chart: alt.TopLevelMixin, scale: float = CHART_SCALE) -> bytes:
    """PNG bytes of an Altair chart, rendered offline by vl-convert."""
    import vl_convert

    return vl_convert.vegalite_to_png(chart.to_json(), scale=scale)


def rank_stability_chart(bundle: ReportBundle) -> alt.Chart | None:
    """Stacked bars: share of weight draws in which each option takes each rank."""
    import altair as alt

    stab = bundle.results.stability
    if stab is None:
        return None
    rows = []
    for oid in stab.option_ids:
        for r, p in enumerate(stab.rank_probabilities[oid]):
            rows.append({"option": bundle.option_name(oid), "rank": f"rank {r + 1}",
                         "order": r, "probability": p})
    frame = pd.DataFrame(rows)
    return alt.Chart(frame, title=(
        f"Rank stability: share of {stab.n_draws:,} random weight draws (Dirichlet, "
        f"concentration {stab.concentration:g}) giving each rank"
    )).mark_bar().encode(
        x=alt.X("probability:Q", title="share of draws", axis=alt.Axis(format="%"),
                scale=alt.Scale(domain=[0, 1])),
        y=alt.Y("option:N", title=None),
        color=alt.Color("rank:N", title="rank", sort=alt.SortField("order")),
        order=alt.Order("order:Q"),
    ).properties(width=_CHART_WIDTH)


def _profile_charts(bundle: ReportBundle) -> list[tuple[str, str, Any]]:

    p = bundle.profile
    period = bundle.period_label
    out: list[tuple[str, str, Any]] = [
        ("sector_structure", (
            f"Jobs by advanced manufacturing sector in {p.period.end}; bars are sector jobs "
            f"out of {p.total_jobs:,.0f} jobs in all industries ({p.total_jobs_basis})."
        ), lambda: charts.sector_structure(p)),
        ("lq_growth", (
            f"Location quotient against Great Britain in {p.period.end} (x) and compound annual "
            f"growth of jobs {period} (y); bubble size is jobs in {p.period.end}."
        ), lambda: charts.lq_growth_bubbles(p)),
    ]
    if bundle.timeseries:
        trends = pd.DataFrame(bundle.timeseries)
        out.append(("trends", f"Jobs by sector, {period} (employee jobs, each year).",
                    lambda: charts.employment_trends(trends, p.area.name)))
    out.append(("shift_share", (
        f"Shift-share of the change in jobs {period}: national growth + industry mix + local "
        "effect = actual change (Dunn 1960)."
    ), lambda: charts.shift_share_chart(p)))
    if len(bundle.comparator_rows) > 1:
        peers = pd.DataFrame(bundle.comparator_rows)
        out.append(("comparators", (
            f"Advanced manufacturing jobs as a share of all jobs in {p.period.end}: the area "
            "and its comparators (numerator AM jobs, denominator all jobs in each area)."
        ), lambda: charts.comparator_chart(peers, p.period.end)))
    out += _analysis_charts(bundle)
    return out


def _analysis_charts(bundle: ReportBundle) -> list[tuple[str, str, Any]]:
    """The Analysis view's feasible-next chart and cluster map (issue 11)."""
    p = bundle.profile
    out: list[tuple[str, str, Any]] = []
    if p.related_opportunities:
        out.append(("feasible_next", (
            f"Feasible next classes: relatedness density (y, 0-1) against the area's LQ vs "
            f"Great Britain (x) in {p.period.end}; bubble size is the class's Great Britain "
            f"jobs in {p.period.end}."
        ), lambda: analysis_charts.feasible_next_chart(p)))
    if bundle.cluster_map and bundle.cluster_map_sector:
        frame = pd.DataFrame(bundle.cluster_map)
        label = next((r.label for r in p.sectors if r.sector == bundle.cluster_map_sector),
                     bundle.cluster_map_sector)
        comps = [c.area_code for c in p.comparators]
        centroids = p.cluster.centroids if p.cluster else "district positions"
        out.append(("cluster_map", (
            f"{label}: LQ vs Great Britain by district, {p.period.end}. Black outline: "
            f"{p.area.name}; orange: its comparators; white dots ringed in red: "
            f"{int(frame['hot_spot'].sum())} hot spots of {len(frame)} districts (local Moran "
            f"high-high, p < 0.05, k = 6 nearest neighbours; {centroids})."
        ), lambda: analysis_charts.cluster_map(frame, label, p.period.end, p.area.code, comps)))
    return out


def render_images(bundle: ReportBundle) -> dict[str, ReportImage]:
    """Render every figure of the report once; failures become warnings on the bundle."""
    images: dict[str, ReportImage] = {}
    for key, caption, make in _profile_charts(bundle):
        try:
            chart = make()
            if key not in _OWN_SIZE:
                chart = chart.properties(width=_CHART_WIDTH)
            images[key] = ReportImage(key=key, caption=caption, png=chart_png(chart))
        except Exception as exc:  # one bad chart must not sink the report
            bundle.warnings.append(f"chart '{key}' could not be rendered: {exc}")
    if bundle.chosen:
        title = "Causal chains of the chosen mix, merged"
        images["mix_diagram"] = ReportImage(
            key="mix_diagram",
            caption=(
                "Merged causal chains of the chosen interventions: inputs -> activities -> "
                "outputs -> outcomes -> impacts. Boxes marked xN are shared by N interventions; "
                "thicker arrows are links several chains rely on."
            ),
            png=lambda: to_png(bundle.graph, title=title),
            svg=lambda: to_svg(bundle.graph, title=title),
        )
        for iv in bundle.chosen:
            g = chain_graph(iv)
            images[f"chain:{iv.id}"] = ReportImage(
                key=f"chain:{iv.id}",
                caption=f"Causal chain (logic model) of {iv.name}.",
                png=lambda g=g, name=iv.name: to_png(g, title=name),
                svg=lambda g=g, name=iv.name: to_svg(g, title=name),
            )
    try:
        chart = rank_stability_chart(bundle)
        if chart is not None:
            images["rank_stability"] = ReportImage(
                key="rank_stability",
                caption="Share of random weight draws in which each option takes each rank.",
                png=chart_png(chart),
            )
    except Exception as exc:
        bundle.warnings.append(f"chart 'rank_stability' could not be rendered: {exc}")
    return images
