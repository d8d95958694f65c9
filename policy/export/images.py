"""Charts and diagrams of a report, rendered offline to PNG and SVG, each at most once.

Profile charts are the app's own charts: the Vega-Lite specs of :mod:`evidence.chart_specs`,
plain dicts that the app draws too (no Altair import, no walk of its schema classes: 0.4-0.5 s
of a command-line export; issue 14), converted with ``vl-convert``, so a report shows exactly
what the walkthrough showed.
Causal diagrams come from :func:`policy.catalogue.to_svg` (SVG written straight from the
layout) and :func:`policy.catalogue.to_png` (the same drawing with Pillow); the chosen mix is
drawn a stage at a time, as the app's causal chain page shows it
(:func:`policy.catalogue.stage_views`), so its text stays readable. A chart that fails to
render is left out with a warning on the bundle rather than stopping the whole report.

Every rendering is kept in a process-wide cache keyed by a hash of what it is drawn from (the
chart's Vega-Lite spec, which carries its data; the diagram's nodes, edges and title), so the
same session state exported as Word, then Word again renders each figure once. The HTML
report inlines the diagrams' SVG and each chart's Vega-Lite spec, which the reader's browser
draws (:mod:`policy.export.web_charts`), so it renders no chart and needs no PNG; the Word
report takes the PNGs. vl-convert is started and fed through :mod:`policy.export.vega`.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import networkx as nx

from evidence import chart_specs
from policy.catalogue import chain_graph, diagram_size, stage_views, to_png, to_svg
from policy.export import vega

if TYPE_CHECKING:
    import altair as alt

    from policy.export.bundle import ReportBundle

__all__ = ["CHART_SCALE", "ReportImage", "chart_png", "chart_svg", "clear_figure_cache",
           "diagram_png", "diagram_svg", "diagram_width_in", "figure_cache_info", "images_as",
           "rank_stability_spec", "render_images"]

CHART_SCALE = 1.5
"""vl-convert scale factor: sharp enough for print at 6 inches wide, small enough to embed."""

_CHART_WIDTH = 520
_OWN_SIZE = {"cluster_map"}
"""Charts that keep their own width (a hex map's aspect ratio is its geometry)."""

FIGURE_CACHE_SIZE = 256
"""Renderings kept (PNG bytes or SVG text, least recently used dropped first): a session's
report has about fifteen figures, so this holds the recent states of many sessions."""

_cache: OrderedDict[str, bytes | str] = OrderedDict()
_lock = threading.Lock()
_stats = {"hits": 0, "misses": 0}


def _cached(key: str, make: Callable[[], bytes | str]) -> bytes | str:
    """The rendering stored under ``key``, made (outside the lock) when it is missing."""
    with _lock:
        if key in _cache:
            _cache.move_to_end(key)
            _stats["hits"] += 1
            return _cache[key]
        _stats["misses"] += 1
    value = make()
    with _lock:
        _cache[key] = value
        while len(_cache) > FIGURE_CACHE_SIZE:
            _cache.popitem(last=False)
    return value


def clear_figure_cache() -> None:
    """Forget every rendering (benchmarks and tests measure the first export with this)."""
    with _lock:
        _cache.clear()
        _stats.update(hits=0, misses=0)


def figure_cache_info() -> dict[str, int]:
    """Renderings held, and cache hits and misses since the last clear."""
    with _lock:
        return {"size": len(_cache), **_stats}


def _digest(*parts: str) -> str:
    h = hashlib.sha256()
    for part in parts:
        h.update(part.encode("utf-8"))
        h.update(b"\0")
    return h.hexdigest()


def _spec(chart: alt.TopLevelMixin | str) -> str:
    """The chart's Vega-Lite JSON. Not re-validated against the schema here: the charts are
    the app's own (tested there), vl-convert rejects a bad spec anyway, and validation costs
    more than rendering."""
    return chart if isinstance(chart, str) else chart.to_json(validate=False)


def _graph_key(graph: nx.DiGraph) -> str:
    """A diagram's inputs as canonical JSON (sets sorted): what its drawing depends on."""

    def clean(data: dict[str, Any]) -> dict[str, Any]:
        return {k: sorted(map(str, v)) if isinstance(v, set | frozenset) else v
                for k, v in data.items()}

    return json.dumps({"nodes": [[n, clean(d)] for n, d in graph.nodes(data=True)],
                       "edges": [[a, b, clean(d)] for a, b, d in graph.edges(data=True)]},
                      sort_keys=True, default=str)


class ReportImage:
    """One figure: PNG bytes, optional SVG text, caption and width in the page.

    ``png`` and ``svg`` may be given as values or as functions that make them; a made value is
    kept, so each representation is rendered at most once and only if a writer asks for it
    (the HTML report inlines SVG and never needs a PNG, the Word report the reverse).
    """

    def __init__(
        self,
        key: str,
        caption: str,
        png: bytes | Callable[[], bytes],
        svg: str | Callable[[], str] | None = None,
        width_in: float = 6.3,
        spec: str | None = None,
    ) -> None:
        self.key = key
        self.caption = caption
        self.width_in = width_in
        self.spec = spec
        """A chart's Vega-Lite JSON (None for a diagram): the HTML report draws it in the
        browser from this, so it never renders the chart itself."""
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


def chart_png(chart: alt.TopLevelMixin | str, scale: float = CHART_SCALE) -> bytes:
    """PNG bytes of an Altair chart (or its Vega-Lite JSON), rendered offline by vl-convert;
    cached by spec and scale."""
    spec = _spec(chart)
    # Straight from the spec: the same bytes as rasterising its SVG (vl-convert draws the
    # PNG from that SVG inside), without handing the SVG text out and back (10% less).
    return _cached(_digest("chart-png", str(scale), spec),  # type: ignore[return-value]
                   lambda: vega.png_of_spec(spec, scale=scale))


def chart_svg(chart: alt.TopLevelMixin | str) -> str:
    """SVG text of an Altair chart (or its Vega-Lite JSON), rendered offline by vl-convert;
    cached by spec. Text in it is XML-escaped by the renderer; the HTML writer sanitises it
    again before inlining."""
    spec = _spec(chart)
    return _cached(_digest("chart-svg", spec),  # type: ignore[return-value]
                   lambda: vega.svg(spec))


def diagram_png(graph: nx.DiGraph, title: str) -> bytes:
    """:func:`policy.catalogue.to_png` of the diagram, cached by its nodes, edges and title."""
    return _cached(_digest("diagram-png", title, _graph_key(graph)),  # type: ignore[return-value]
                   lambda: to_png(graph, title=title))


def diagram_svg(graph: nx.DiGraph, title: str, names: dict[str, str] | None = None) -> str:
    """:func:`policy.catalogue.to_svg` of the diagram (boxes' hover text naming the
    interventions by ``names``), cached by its nodes, edges, title and names."""
    key = _digest("diagram-svg", title, _graph_key(graph), json.dumps(names, sort_keys=True))
    return _cached(key, lambda: to_svg(graph, title=title, names=names))  # type: ignore[return-value]


PAGE_HEIGHT_IN = 8.6
"""Height a figure may take on an A4 page with 2 cm margins, its caption and a heading."""


def diagram_width_in(graph: nx.DiGraph, title: str, page_width_in: float = 6.3) -> float:
    """The width to place a diagram at in a page, in inches: its own size (text at 12 px,
    96 px an inch) or less, so a small part is not blown up and a tall one fits the page."""
    w, h = diagram_size(graph, title=title)
    return min(page_width_in, w / 96, PAGE_HEIGHT_IN * w / h)


def _diagram_image(key: str, caption: str, graph: nx.DiGraph, title: str,
                   names: dict[str, str]) -> ReportImage:
    return ReportImage(key=key, caption=caption, png=lambda: diagram_png(graph, title),
                       svg=lambda: diagram_svg(graph, title, names),
                       width_in=diagram_width_in(graph, title))


def _diagrams(bundle: ReportBundle) -> dict[str, ReportImage]:
    """The chosen mix's merged chain a stage at a time (``mix:1`` ...), then each chosen
    intervention's chain (``chain:<id>``)."""
    names = {iv.id: iv.name for iv in bundle.chosen}
    parts = stage_views(bundle.graph)
    images: dict[str, ReportImage] = {}
    for n, (title, part) in enumerate(parts, 1):
        images[f"mix:{n}"] = _diagram_image(
            f"mix:{n}",
            f"The chosen interventions' causal chains merged, part {n} of {len(parts)}: "
            f"{title.lower()}. Boxes marked xN are shared by N interventions; thicker arrows "
            "are links several chains rely on.",
            part, title, names)
    for iv in bundle.chosen:
        images[f"chain:{iv.id}"] = _diagram_image(
            f"chain:{iv.id}", f"Causal chain (logic model) of {iv.name}.", chain_graph(iv),
            iv.name, names)
    return images


def _rank_rows(bundle: ReportBundle) -> list[dict[str, Any]] | None:
    stab = bundle.results.stability
    if stab is None:
        return None
    return [{"option": bundle.option_name(oid), "rank": f"rank {r + 1}", "order": r,
             "probability": p}
            for oid in stab.option_ids for r, p in enumerate(stab.rank_probabilities[oid])]


def _rank_title(bundle: ReportBundle) -> str:
    stab = bundle.results.stability
    return (f"Rank stability: share of {stab.n_draws:,} random weight draws (Dirichlet, "
            f"concentration {stab.concentration:g}) giving each rank")


def rank_stability_spec(bundle: ReportBundle) -> dict[str, Any] | None:
    """Stacked bars: share of weight draws in which each option takes each rank, as a plain
    Vega-Lite dict (no Altair)."""
    rows = _rank_rows(bundle)
    if rows is None:
        return None
    data = chart_specs.Datasets()
    return {
        "$schema": chart_specs.SCHEMA_URL, "config": chart_specs.CONFIG,
        "data": data.add(chart_specs.records(rows)), "title": _rank_title(bundle),
        "mark": {"type": "bar"},
        "encoding": {
            "x": {"field": "probability", "type": "quantitative", "title": "share of draws",
                  "axis": {"format": "%"}, "scale": {"domain": [0, 1]}},
            "y": {"field": "option", "type": "nominal", "title": None},
            "color": {"field": "rank", "type": "nominal", "title": "rank",
                      "sort": {"field": "order"}},
            "order": {"field": "order", "type": "quantitative"},
        },
        "width": _CHART_WIDTH, "datasets": data.tables,
    }


def _profile_charts(bundle: ReportBundle) -> list[tuple[str, str, Callable[[], dict]]]:
    """The profile's charts as (key, caption, a function making the Vega-Lite spec): the
    app's charts, written without Altair (:mod:`evidence.chart_specs`)."""
    p = bundle.profile
    period = bundle.period_label
    out: list[tuple[str, str, Callable[[], dict]]] = [
        ("sector_structure", (
            f"Jobs by advanced manufacturing sector in {p.period.end}; bars are sector jobs "
            f"out of {p.total_jobs:,.0f} jobs in all industries ({p.total_jobs_basis})."
        ), lambda: chart_specs.sector_structure_spec(p)),
        ("lq_growth", (
            f"Location quotient against Great Britain in {p.period.end} (x) and compound annual "
            f"growth of jobs {period} (y); bubble size is jobs in {p.period.end}."
        ), lambda: chart_specs.lq_growth_spec(p)),
    ]
    if bundle.timeseries:
        out.append(("trends", f"Jobs by sector, {period} (employee jobs, each year).",
                    lambda: chart_specs.employment_trends_spec(bundle.timeseries,
                                                               p.area.name)))
    out.append(("shift_share", (
        f"Shift-share of the change in jobs {period}: national growth + industry mix + local "
        "effect = actual change (Dunn 1960)."
    ), lambda: chart_specs.shift_share_spec(p)))
    if len(bundle.comparator_rows) > 1:
        out.append(("comparators", (
            f"Advanced manufacturing jobs as a share of all jobs in {p.period.end}: the area "
            "and its comparators (numerator AM jobs, denominator all jobs in each area)."
        ), lambda: chart_specs.comparator_spec(bundle.comparator_rows, p.period.end)))
    out += _analysis_charts(bundle)
    return out


def _analysis_charts(bundle: ReportBundle) -> list[tuple[str, str, Callable[[], dict]]]:
    """The Analysis view's feasible-next chart and cluster map (issue 11)."""
    p = bundle.profile
    out: list[tuple[str, str, Callable[[], dict]]] = []
    if p.related_opportunities:
        out.append(("feasible_next", (
            f"Feasible next classes: relatedness density (y, 0-1) against the area's LQ vs "
            f"Great Britain (x) in {p.period.end}; bubble size is the class's Great Britain "
            f"jobs in {p.period.end}."
        ), lambda: chart_specs.feasible_next_spec(p)))
    if bundle.cluster_map and bundle.cluster_map_sector:
        rows = bundle.cluster_map
        label = next((r.label for r in p.sectors if r.sector == bundle.cluster_map_sector),
                     bundle.cluster_map_sector)
        comps = [c.area_code for c in p.comparators]
        centroids = p.cluster.centroids if p.cluster else "district positions"
        hot_spots = sum(bool(r["hot_spot"]) for r in rows)
        out.append(("cluster_map", (
            f"{label}: LQ vs Great Britain by district, {p.period.end}. Black outline: "
            f"{p.area.name}; orange: its comparators; white dots ringed in red: "
            f"{hot_spots} hot spots of {len(rows)} districts (local Moran "
            f"high-high, p < 0.05, k = 6 nearest neighbours; {centroids})."
        ), lambda: chart_specs.cluster_map_spec(rows, label, p.period.end, p.area.code,
                                                comps)))
    return out


def _chart_image(key: str, caption: str, spec: str) -> ReportImage:
    return ReportImage(key=key, caption=caption, png=lambda: chart_png(spec),
                       svg=lambda: chart_svg(spec), spec=spec)


def render_images(bundle: ReportBundle) -> dict[str, ReportImage]:
    """Every figure of the report, each rendered when a writer first asks for it (from the
    cache when the same inputs were drawn before); failures become warnings on the bundle."""
    images: dict[str, ReportImage] = {}
    for key, caption, make in _profile_charts(bundle):
        try:
            spec = make()
            if key not in _OWN_SIZE:
                spec["width"] = _CHART_WIDTH
            images[key] = _chart_image(key, caption, chart_specs.spec_json(spec))
        except Exception as exc:  # one bad chart must not sink the report
            bundle.warnings.append(f"chart '{key}' could not be rendered: {exc}")
    if bundle.chosen:
        try:
            images.update(_diagrams(bundle))
        except Exception as exc:  # a diagram that cannot be laid out must not sink the report
            bundle.warnings.append(f"the causal diagrams could not be drawn: {exc}")
    try:
        spec = rank_stability_spec(bundle)
        if spec is not None:
            images["rank_stability"] = _chart_image(
                "rank_stability",
                "Share of random weight draws in which each option takes each rank.",
                chart_specs.spec_json(spec))
    except Exception as exc:
        bundle.warnings.append(f"chart 'rank_stability' could not be rendered: {exc}")
    return images


def images_as(bundle: ReportBundle, kind: str) -> dict[str, ReportImage]:
    """The bundle's figures with their ``kind`` ("png", "svg", or "web": a chart's spec as it
    is and a diagram's SVG) rendered now, before a writer lays out the report: one that fails
    is left out with a warning on the bundle, as a chart that cannot be built is (the
    report's warnings list is made after this).

    One thread: vl-convert holds the interpreter lock while it renders (measured: a Python
    thread beside it gets through 6-8% of its work), so a second thread for the charts bought
    nothing.
    """
    images = bundle.images()
    problems: dict[str, str] = {}
    for key, image in images.items():
        try:
            if kind == "web" and image.spec is not None:
                continue  # drawn by the reader's browser
            if kind in ("svg", "web") and image.has_svg:
                image.svg  # noqa: B018 - renders and keeps it
            else:
                image.png  # noqa: B018
        except Exception as exc:  # one bad figure must not sink the report
            problems[key] = str(exc)
    for key, message in problems.items():
        bundle.warnings.append(f"chart '{key}' could not be rendered: {message}")
    return {k: v for k, v in images.items() if k not in problems}
