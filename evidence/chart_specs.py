"""The profile's report charts as Vega-Lite specs written as plain dicts: the one definition
the app draws (``st.vega_lite_chart``, through :func:`ui.widgets.cached_chart`) and the
exports embed (the HTML report's inlined Vega, Word's PNGs through vl-convert).

Why plain dicts and not Altair: a report only needs each chart's Vega-Lite JSON, and
importing Altair cost a command-line export 0.2-0.3 s and turning eight Altair charts into
JSON (``to_dict`` walks Altair's schema classes and sanitises each pandas frame) another
0.2 s; these functions build the JSON in a few milliseconds (issue 14). The app drew the same
charts from Altair twins until both were tied by a test; now there is one definition, tested
on its own values (``tests/evidence/test_chart_specs.py``: data rows, encodings, titles with
their denominators and periods).

The data rows are written as Altair wrote a pandas frame
(``altair.utils.core.sanitize_pandas_dataframe``): a numeric column with a gap or a float in
it is all floats, gaps and infinities become ``null``; each table sits once in the top-level
``datasets``, named by a hash of its rows. So the app's charts kept the specs Altair gave
them, but for two deliberate changes (the trends' year axis, the bubbles' staggered names).

The chart-sizing helpers and colours live here too; :mod:`evidence.charts` re-exports them
for the app's Altair-only charts (appraisal, mix, workshop).
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Iterable, Sequence
from typing import Any

from evidence.chart_labels import LabelBox, stagger_labels
from evidence.hexmap import HEX_PATH
from evidence.labels import label
from evidence.models import AreaProfile
from evidence.sectors import load_sectors

__all__ = [
    "CATEGORY_SCHEME", "CONFIG", "HOT_SPOT_COLOUR", "LABEL_LIMIT_PX", "QUADRANT_COLOURS", "ROW_PX",
    "SCHEMA_URL",
    "Datasets",
    "cluster_map_spec", "comparator_spec", "employment_trends_spec", "feasible_next_spec",
    "lq_growth_spec", "opportunity_rows", "records", "rows_height", "sector_rows",
    "sector_structure_spec", "shift_share_spec", "size_legend_values", "spec_json",
]

SCHEMA_URL = "https://vega.github.io/schema/vega-lite/v6.4.1.json"
"""The Vega-Lite schema Altair 6 writes (``altair.SCHEMA_URL``; the test checks they agree)."""

CONFIG = {"view": {"continuousWidth": 300, "continuousHeight": 300}}
"""Altair's default theme, which every spec carried when Altair wrote them (the exports keep
it, so their pictures and cache keys stay; the app leaves it out, as it always drew them)."""

QUADRANT_COLOURS = {
    "expanding_engineering": "#1f77b4",
    "select_engineering": "#9ecae1",
    "expanding_science": "#d62728",
    "select_science": "#ff9896",
}

HOT_SPOT_COLOUR = "#d7191c"

ROW_PX = 26
"""Height of one bar's row in a bar chart by sector, area or option."""

CATEGORY_SCHEME = {"scheme": "tableau10"}
"""The colours of a chart's categories (sectors, shift-share parts), named in the spec: Vega's
own default, which the reports draw with, while the app's Streamlit theme would otherwise put
its own palette on the same chart (Automotive light blue in the app, orange in the report)."""

LABEL_LIMIT_PX = 320
"""Room for a sector's or a legend entry's full name (Vega-Lite's default cuts at 180 px)."""

FIT_WIDTH = {"type": "fit-x", "contains": "padding"}
"""Fit the page's width; the height given is the plotting area's (axes and title added)."""


def rows_height(n: int, row_px: int = ROW_PX) -> int:
    """A fixed height for a chart with ``n`` rows on a discrete axis; pair it with
    ``autosize=FIT_WIDTH``.

    Left to Vega-Lite, such a chart's height is a "step" per row; Streamlit stretches charts
    with ``autosize: fit`` and Vega-Lite then logs ``WARN Dropping "fit-y" because spec has
    discrete height`` in the browser console (it warns for fit-x with a step too: vega-lite
    src/compile/compile.ts, getTopLevelProperties). A number of pixels is not discrete, and
    with fit-x it stays the plotting area's height instead of shrinking to make room for the
    title and the axis (which is what ``fit`` does)."""
    return max(n, 1) * row_px


def _round_down(x: float) -> float:
    """``x`` to two significant figures, rounded down (1,234 -> 1,200)."""
    if x <= 0:
        return 0.0
    step = 10 ** (math.floor(math.log10(x)) - 1)
    return math.floor(x / step) * step


def size_legend_values(values: Iterable[float | None]) -> list[float]:
    """Three sizes for a bubble legend: a quarter and half of the largest (rounded) and the
    largest itself, so the legend's biggest circle is the chart's biggest bubble."""
    top = max((float(v) for v in values if v is not None and not math.isnan(v)), default=0.0)
    if top <= 0:
        return []
    return sorted({_round_down(top / 4), _round_down(top / 2), top} - {0.0})


# --------------------------------------------------------------------------------------------
# Data rows as Altair writes a pandas frame's


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _column(values: list[Any]) -> list[Any]:
    """One column as pandas infers its type and Altair then writes it: whole numbers stay
    whole only with no gap and no fraction beside them (else the column is float64), float
    gaps and infinities become None, anything else is kept with its gaps as None."""
    present = [v for v in values if not _missing(v)]
    if present and all(isinstance(v, bool) for v in present):
        return values if len(present) == len(values) else [None if _missing(v) else v
                                                            for v in values]
    if present and all(_is_number(v) for v in present):
        if len(present) == len(values) and all(isinstance(v, int) for v in present):
            return [int(v) for v in values]
        return [None if _missing(v) or math.isinf(v) else float(v) for v in values]
    if not present and any(isinstance(v, float) for v in values):
        return [None] * len(values)  # an all-NaN column is float64: all null
    return [None if _missing(v) else v for v in values]


def records(rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """``rows`` (dicts with the same keys) as Altair writes ``pd.DataFrame(rows)``."""
    if not rows:
        return []
    names = list(rows[0])
    columns = {name: _column([row[name] for row in rows]) for name in names}
    return [{name: columns[name][i] for name in names} for i in range(len(rows))]


class Datasets:
    """A spec's top-level ``datasets``: each data table once, named as Altair names it (a
    hash of its rows), referred to by ``{"name": ...}``."""

    def __init__(self) -> None:
        self.tables: dict[str, list[dict[str, Any]]] = {}

    def add(self, values: list[dict[str, Any]]) -> dict[str, str]:
        if values == [{}]:
            name = "empty"
        else:
            text = json.dumps(values, sort_keys=True, default=str)
            name = "data-" + hashlib.sha256(text.encode()).hexdigest()[:32]
        self.tables[name] = values
        return {"name": name}


def _top(spec: dict[str, Any], data: Datasets) -> dict[str, Any]:
    return {"$schema": SCHEMA_URL, "config": CONFIG, "datasets": data.tables, **spec}


def spec_json(spec: dict[str, Any]) -> str:
    """The spec's text as Altair's ``to_json`` wrote it (sorted keys, two-space indent)."""
    return json.dumps(spec, indent=2, sort_keys=True, ensure_ascii=False)


def _field(name: str, kind: str, **more: Any) -> dict[str, Any]:
    return {"field": name, "type": kind, **more}


def _q(name: str, **more: Any) -> dict[str, Any]:
    return _field(name, "quantitative", **more)


def _n(name: str, **more: Any) -> dict[str, Any]:
    return _field(name, "nominal", **more)


def _colour(orient: str = "right") -> dict[str, Any]:
    return _n("quadrant", title="Type of sector",
              scale={"domain": [label("quadrant", q) for q in QUADRANT_COLOURS],
                     "range": list(QUADRANT_COLOURS.values())},
              legend={"labelLimit": LABEL_LIMIT_PX, "orient": orient, "direction": "vertical"})


def _bubble_size(name: str, title: str, values: Iterable[float | None],
                 range_px: tuple[int, int]) -> dict[str, Any]:
    """A size channel whose scale starts at zero (area proportional to the value) and ends at
    the largest value, with legend entries that include that largest value.

    Left to itself Vega-Lite picks a "nice" domain and legend ticks below the data's maximum,
    so the largest bubble was bigger than any circle in the legend (issue 15)."""
    shown = size_legend_values(values)
    top = shown[-1] if shown else 1.0
    return _q(name, title=title, scale={"domain": [0, top], "range": list(range_px), "zero": True},
              legend={"values": shown, "format": ",.0f", "labelLimit": LABEL_LIMIT_PX})


# --------------------------------------------------------------------------------------------
# The profile's charts
#
# Every chart title carries the period or year and the denominator, so a screenshot pasted into
# a board paper still says what the numbers are.


def sector_rows(p: AreaProfile) -> list[dict[str, Any]]:
    """One row a sector: the charts' data and the profile page's sector table."""
    rows = []
    for s in p.sectors:
        ss = s.shift_share
        rows.append({
            "sector": s.sector, "label": s.label, "quadrant": label("quadrant", s.quadrant),
            "employment": s.employment, "share": s.share, "lq": s.lq, "growth": s.growth,
            "growth_national": s.growth_national,
            "ss_national": ss.national if ss else None,
            "ss_industry_mix": ss.industry_mix if ss else None,
            "ss_local": ss.local if ss else None,
            "productivity_ratio": s.productivity_ratio, "dynamics": s.dynamics,
        })
    return rows


def sector_structure_spec(p: AreaProfile) -> dict[str, Any]:
    """Bars of jobs by sector in the end year, coloured by type of sector.

    The denominator on a line of its own and the legend under the bars: in one line beside a
    side legend, a report's 520 px cut the title short and left the bars a third of it."""
    rows = [r for r in sector_rows(p) if not _missing(r["employment"])]
    data = Datasets()
    return _top({
        "data": data.add(records(rows)),
        "title": {"text": f"Jobs by advanced manufacturing sector, {p.area.name}, "
                          f"{p.period.end}",
                  "subtitle": f"of {p.total_jobs:,.0f} jobs in all industries in "
                              f"{p.period.end}",
                  "anchor": "start", "frame": "bounds"},
        "mark": {"type": "bar"},
        "encoding": {
            "x": _q("employment", title=f"jobs, {p.period.end}"),
            "y": _n("label", sort="-x", title=None, axis={"labelLimit": 260}),
            "color": _colour(orient="bottom"),
            "tooltip": [_n("label"), _q("employment", format=",.0f"),
                        _q("share", format=".2%", title="share of all jobs"),
                        _q("lq", format=".2f", title="LQ vs GB")],
        },
        "autosize": FIT_WIDTH, "height": rows_height(len(rows)),
    }, data)


BUBBLE_HEIGHT_PX = 380
"""The LQ-vs-growth chart's plotting height."""

LABEL_FONT_PX = 11
LABEL_DX_PX = 8

NARROWEST_PLOT_PX = 420
"""The plotting width the LQ-vs-growth chart's labels are staggered for: narrower than it is
drawn at, as a rule (a report's is 520 px; the app's is its column less the legends: about
640 px in a 1,400 px window, about 430 px in a 1,024 px one), so labels that could meet are
moved."""


def _bubble_labels(rows: list[dict[str, Any]]) -> list[LabelBox]:
    """Where each row's label goes (y in growth units; on the left near the right edge):
    staggered where labels would meet (:func:`evidence.chart_labels.stagger_labels`), the
    largest sectors keeping their place.

    The extents are the chart's scales': x from zero (``zero: true``) to at least the LQ = 1
    rule, y through the zero-growth rule."""
    if not rows:
        return []

    def jobs(i: int) -> float:
        value = rows[i]["employment"]
        return 0.0 if _missing(value) else float(value)

    order = sorted(range(len(rows)), key=lambda i: (-jobs(i), rows[i]["label"]))
    lqs = [r["lq"] for r in rows]
    growths = [r["growth"] for r in rows]
    boxes = stagger_labels(
        [(rows[i]["lq"], rows[i]["growth"], rows[i]["label"]) for i in order],
        (min(0.0, *lqs), max(1.0, *lqs)), (min(0.0, *growths), max(0.0, *growths)),
        width_px=NARROWEST_PLOT_PX, height_px=BUBBLE_HEIGHT_PX, font_px=LABEL_FONT_PX,
        dx_px=LABEL_DX_PX)
    out = [LabelBox(y=0.0, shift=0)] * len(rows)
    for i, box in zip(order, boxes, strict=True):
        out[i] = box
    return out


def lq_growth_spec(p: AreaProfile) -> dict[str, Any]:
    """Sectors as bubbles: LQ in the end year (x) against compound annual growth over the
    period (y), size jobs, colour type of sector; dashed rules at LQ = 1 and zero growth.

    Each bubble's name is drawn at ``label_y``, a row's own growth unless that would print it
    over another name, when it moves a line up or down (:func:`_bubble_labels`) and a thin
    grey leader joins it to its bubble; a name that would run into the legend
    (``label_left``) is drawn to the left of its bubble."""
    rows = [dict(r) for r in sector_rows(p) if not _missing(r["lq"]) and not _missing(r["growth"])]
    for row, box in zip(rows, _bubble_labels(rows), strict=True):
        row["label_y"], row["label_left"] = box.y, box.left
    data = Datasets()
    table = data.add(records(rows))
    title = (f"Specialisation against growth, {p.area.name}: LQ in {p.period.end} vs compound "
             f"annual growth {p.period.start}-{p.period.end} (bubble = jobs)")
    growth_axis = {"title": "jobs growth per year", "axis": {"format": "%"}}
    bubbles = {
        "data": table, "title": title,
        "mark": {"type": "circle", "opacity": 0.75, "stroke": "black", "strokeWidth": 0.5},
        "encoding": {
            "x": _q("lq", title="location quotient vs Great Britain", scale={"zero": True}),
            "y": _q("growth", **growth_axis),
            "size": _bubble_size("employment", "jobs", [r["employment"] for r in rows],
                                 (40, 2500)),
            "color": _colour(),
            "tooltip": [_n("label"), _q("lq", format=".2f"), _q("growth", format="+.1%"),
                        _q("growth_national", format="+.1%", title="national growth"),
                        _q("employment", format=",.0f")],
        },
    }
    labels = [{"data": table, "title": title,
               "transform": [{"filter": test}],
               "mark": {"type": "text", "align": align, "dx": dx, "fontSize": LABEL_FONT_PX},
               "encoding": {"x": _q("lq"), "y": _q("label_y", **growth_axis),
                            "text": _n("label")}}
              for test, align, dx in [("!datum.label_left", "left", LABEL_DX_PX),
                                      ("datum.label_left", "right", -LABEL_DX_PX)]]
    leaders = {"data": table, "transform": [{"filter": "datum.label_y != datum.growth"}],
               "mark": {"type": "rule", "color": "#888888", "strokeWidth": 0.75, "aria": False},
               "encoding": {"x": _q("lq"), "y": _q("growth", **growth_axis),
                            "y2": {"field": "label_y"}}}
    rule_x = {"data": data.add([{"x": 1.0}]), "mark": {"type": "rule", "strokeDash": [4, 4]},
              "encoding": {"x": _q("x")}}
    rule_y = {"data": data.add([{"y": 0.0}]), "mark": {"type": "rule", "strokeDash": [4, 4]},
              "encoding": {"y": _q("y")}}
    return _top({"layer": [bubbles, *labels, rule_x, rule_y, leaders],
                 "height": BUBBLE_HEIGHT_PX}, data)


def employment_trends_spec(timeseries: Sequence[dict[str, Any]],
                           area_name: str) -> dict[str, Any]:
    """Lines of jobs by sector and year, of rows ``sector, label, year, employment`` (as
    :meth:`evidence.service.Evidence.area_timeseries` gives them).

    Years on a quantitative axis, not as ordinal categories: a file with 2015, 2016 and 2018
    leaves a gap where 2017 is missing, so the slope of each line is true. Ticks are whole
    years (``tickMinStep``) written without a thousands comma (format ``d``)."""
    rows = [r for r in timeseries if not _missing(r["employment"])]
    years = (f"{int(min(r['year'] for r in rows))}-{int(max(r['year'] for r in rows))}"
             if rows else "")
    data = Datasets()
    return _top({
        "data": data.add(records(rows)),
        "title": f"Jobs by sector, {area_name}, {years}",
        # The plotting area tall enough for the legend, one entry a sector (the app's theme
        # spaces them ~28 px): Streamlit's default autosize "fit" squeezed axes and legend into
        # 300 px and cut the legend off at its tenth sector; with fit-x the height is the
        # plot's and only the width fits the column.
        "autosize": FIT_WIDTH,
        "height": max(300, 30 * len({r["label"] for r in rows}) + 40),
        "mark": {"type": "line", "point": True},
        "encoding": {
            "x": _q("year", title="year", scale={"zero": False},
                    axis={"format": "d", "tickMinStep": 1}),
            "y": _q("employment", title="jobs"),
            "color": _n("label", title="sector", scale=CATEGORY_SCHEME,
                        legend={"labelLimit": LABEL_LIMIT_PX}),
            "tooltip": [_n("label"), _q("year", format="d"),
                        _q("employment", format=",.0f")],
        },
    }, data)


def shift_share_spec(p: AreaProfile) -> dict[str, Any]:
    """Stacked shift-share components by sector with a black tick at the actual change they
    sum to (Dunn 1960: national growth + industry mix + local effect)."""
    rows = [dict(r) for r in sector_rows(p) if not _missing(r["ss_local"])]
    for r in rows:
        r["actual"] = r["ss_national"] + r["ss_industry_mix"] + r["ss_local"]
    parts = {"ss_national": "national growth", "ss_industry_mix": "industry mix",
             "ss_local": "local competitive effect"}
    long = [{"label": r["label"], "component": name, "jobs": r[column]}
            for column, name in parts.items() for r in rows]
    data = Datasets()
    bars = {
        "data": data.add(records(long)),
        "title": (f"Shift-share of the change in jobs, {p.area.name}, "
                  f"{p.period.start}-{p.period.end}"),
        "mark": {"type": "bar"},
        "encoding": {
            "x": _q("jobs", title="change in jobs (parts sum to the actual change: black tick)"),
            "y": _n("label", title=None, axis={"labelLimit": 260}),
            "color": _n("component", title="component", scale=CATEGORY_SCHEME,
                        legend={"labelLimit": LABEL_LIMIT_PX}),
            "tooltip": [_n("label"), _n("component"), _q("jobs", format="+,.0f")],
        },
    }
    ticks = {
        "data": data.add(records(rows)),
        "mark": {"type": "tick", "color": "black", "thickness": 3, "size": 18},
        "encoding": {"x": _q("actual"), "y": _n("label", title=None),
                     "tooltip": [_n("label"),
                                 _q("actual", format="+,.0f", title="actual change")]},
    }
    return _top({"layer": [bars, ticks], "autosize": FIT_WIDTH,
                 "height": rows_height(len({r["label"] for r in rows}))}, data)


def comparator_spec(rows: Sequence[dict[str, Any]], year: int) -> dict[str, Any]:
    """Bars of the advanced manufacturing share of all jobs, the area (red) and its
    comparators; ``rows``: ``area_name, am_share, am_jobs, total_jobs, is_focus``."""
    data = Datasets()
    return _top({
        "data": data.add(records(rows)),
        "title": f"Advanced manufacturing share of all jobs, {year}: area and comparators",
        "mark": {"type": "bar"},
        "encoding": {
            "x": _q("am_share", title="AM jobs / all jobs", axis={"format": "%"}),
            "y": _n("area_name", sort="-x", title=None, axis={"labelLimit": LABEL_LIMIT_PX}),
            "color": {"condition": {"test": "datum.is_focus", "value": "#d62728"},
                      "value": "#9ecae1"},
            "tooltip": [_n("area_name"), _q("am_share", format=".2%"),
                        _q("am_jobs", format=",.0f"), _q("total_jobs", format=",.0f")],
        },
        "autosize": FIT_WIDTH, "height": rows_height(len(rows)),
    }, data)


# --------------------------------------------------------------------------------------------
# The analysis step's charts


def opportunity_rows(p: AreaProfile) -> list[dict[str, Any]]:
    """The related opportunities, one row a class: the feasible-next chart's data and the
    Analysis view's table (:func:`evidence.analysis_charts.opportunities_frame`)."""
    labels = {s.sector_id: s.label for s in load_sectors()}
    return [{
        "sic": o.sic, "label": o.label, "sector": labels.get(o.sector or "", o.sector or ""),
        "density": o.density,
        "lq": o.lq if o.lq is not None else 0.0, "national_jobs": o.national_jobs or 0.0,
        "related_present": "; ".join(f"{r.label} (LQ {r.lq:.2f})" for r in o.related_present),
    } for o in p.related_opportunities]


def feasible_next_spec(p: AreaProfile) -> dict[str, Any]:
    """Relatedness density (y) against the area's LQ (x) of the feasible next classes; bubble
    size is the class's national jobs in the end year, colour its Table 1 sector (drawn only
    for a profile with related opportunities)."""
    rows = opportunity_rows(p)
    year = p.period.end
    data = Datasets()
    return _top({
        "data": data.add(records(rows)),
        "title": (f"Feasible next classes for {p.area.name}: relatedness density against LQ, "
                  f"{year}"),
        "mark": {"type": "circle", "opacity": 0.7, "stroke": "black", "strokeWidth": 0.5},
        "encoding": {
            "x": _q("lq", title=f"LQ vs Great Britain, {year} (below 1: not yet specialised)",
                    scale={"domain": [0, 1]}),
            "y": _q("density", title="relatedness density (0-1)", scale={"domain": [0, 1]}),
            "size": _bubble_size("national_jobs", f"GB jobs in the class, {year}",
                                 [r["national_jobs"] for r in rows], (40, 900)),
            "color": _n("sector", title="Advanced manufacturing sector", scale=CATEGORY_SCHEME,
                        legend={"labelLimit": LABEL_LIMIT_PX, "titleLimit": LABEL_LIMIT_PX}),
            "tooltip": [_n("label", title="Class"), _q("density", format=".2f"),
                        _q("lq", title="LQ", format=".2f"),
                        _q("national_jobs", title="GB jobs", format=",.0f"),
                        _n("related_present", title="Builds on")],
        },
        "width": 520, "height": 320,
    }, data)


_HALF_ROOT3 = math.sqrt(3) / 2


def _centre(q: Any, r: Any) -> tuple[float, float]:
    """:func:`evidence.hexmap.hex_centres` of one cell, the same floats."""
    r = int(r)
    return float(int(q)) + 0.5 * (r & 1), r * _HALF_ROOT3


def cluster_map_spec(
    frame: Sequence[dict[str, Any]],
    sector_label: str,
    year: int,
    focus_code: str | None,
    comparator_codes: Iterable[str] = (),
    hex_px: float = 13.0,
) -> dict[str, Any]:
    """The hex map of a sector's LQ by district (viridis; no data grey), focus (black) and
    comparators (orange) outlined, LISA hot spots (high-high, p < 0.05) marked with a white
    dot ringed in red. ``frame``: the records of
    :func:`evidence.area_analysis.cluster_map_frame` (``area_code, area_name, q, r, lq,
    hot_spot``); positions as :func:`evidence.hexmap.hex_centres` gives them."""
    rows = []
    for row in frame:
        if _missing(row["q"]) or _missing(row["r"]):
            continue
        x, y = _centre(row["q"], row["r"])
        lq = row["lq"]
        rows.append({"area_code": str(row["area_code"]), "area_name": str(row["area_name"]),
                     "x": x, "y": y, "lq": float(lq) if _is_number(lq) else float("nan")})
    x0, x1 = min(r["x"] for r in rows) - 1, max(r["x"] for r in rows) + 1
    y0, y1 = min(r["y"] for r in rows) - 1, max(r["y"] for r in rows) + 1
    width, height = (x1 - x0) * hex_px, (y1 - y0) * hex_px
    size = 4 * hex_px**2 / 3
    base = {
        "x": _q("x", scale={"domain": [x0, x1], "nice": False, "zero": False}, axis=None),
        "y": _q("y", scale={"domain": [y0, y1], "nice": False, "zero": False}, axis=None),
        "tooltip": [_n("area_name", title="Area"), _n("area_code", title="Code"),
                    _q("lq", title="LQ", format=",.2f")],
    }
    hexes = {"type": "point", "shape": HEX_PATH, "size": size, "filled": True, "opacity": 1}
    outline = {"type": "point", "shape": HEX_PATH, "size": size, "filled": False, "opacity": 1}
    layers: list[dict[str, Any]] = [
        {"mark": {**hexes, "color": "#e3e3e3", "stroke": "white", "strokeWidth": 0.4},
         "encoding": base},
        {"mark": {**hexes, "stroke": "white", "strokeWidth": 0.4},
         "encoding": {**base, "color": _q("lq", title="LQ", scale={"scheme": "viridis"},
                                          legend={"orient": "right",
                                                  "gradientLength": max(120, height / 3)})},
         "transform": [{"filter": "isValid(datum['lq'])"}]},
    ]
    outlined = [c for c in comparator_codes if c != focus_code]
    if outlined:
        layers.append({"mark": {**outline, "stroke": "#e66101", "strokeWidth": 2},
                       "encoding": base,
                       "transform": [{"filter": {"field": "area_code", "oneOf": outlined}}]})
    if focus_code is not None:
        layers.append({"mark": {**outline, "stroke": "black", "strokeWidth": 3},
                       "encoding": base,
                       "transform": [{"filter": {"field": "area_code", "equal": focus_code}}]})
    data = Datasets()
    table = data.add(records(rows))
    hot = [row for row in frame if bool(row["hot_spot"])]
    if hot:
        dots = [dict(zip(("x", "y"), _centre(row["q"], row["r"]), strict=True),
                     area_name=row["area_name"]) for row in hot]
        layers.append({
            "data": data.add(records(dots)),
            "mark": {"type": "point", "shape": "circle", "filled": True,
                     "size": 30 * (hex_px / 13.0) ** 2, "fill": "white",
                     "stroke": HOT_SPOT_COLOUR, "strokeWidth": 2, "opacity": 1},
            "encoding": {"x": _q("x", axis=None), "y": _q("y", axis=None),
                         "tooltip": [_n("area_name", title="Hot spot")]},
        })
    return _top({"data": table, "layer": layers, "title": f"{sector_label}: LQ vs Great "
                 f"Britain by district, {year}", "width": round(width), "height": round(height),
                 "view": {"stroke": None}}, data)
