"""The profile's report charts, defined once as plain Vega-Lite dicts (``evidence.chart_specs``):
the app draws them and the exports embed them. Checked on a small profile made by hand, whose
every number is known: the data rows, the encodings, the titles with their denominators and
periods; and, drawn by vl-convert (the exports' renderer, offline), that a gap in the years
keeps its width and that two sectors at nearly the same point do not print their names on top
of each other.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

import altair as alt
import pandas as pd
import pytest

from evidence import chart_specs
from evidence.chart_labels import nice_domain, stagger_labels
from evidence.labels import label
from evidence.models import (
    AreaProfile,
    AreaRef,
    Period,
    RelatedOpportunity,
    RelatedPresent,
    SectorRow,
    ShiftShare,
)
from policy.export import vega


def _sector(sector: str, name: str, quadrant: str, jobs: float | None, lq: float | None,
            growth: float | None, ss: tuple[float, float, float] | None) -> SectorRow:
    return SectorRow(
        sector=sector, label=name, quadrant=quadrant, employment=jobs,
        share=None if jobs is None else jobs / 50_000, lq=lq, growth=growth,
        growth_national=None if growth is None else 0.01,
        shift_share=None if ss is None else ShiftShare(national=ss[0], industry_mix=ss[1],
                                                       local=ss[2], actual=sum(ss)))


def small_profile(**more: Any) -> AreaProfile:
    """Testshire, 2018-2023, 50,000 jobs: Aerospace, and Chemicals and Computers at nearly the
    same LQ and growth; Pharmaceuticals suppressed (no jobs, LQ, growth or shift-share)."""
    return AreaProfile(
        area=AreaRef(code="E06999999", name="Testshire", level="lad"),
        period=Period(start=2018, end=2023), source="hand-made", synthetic=True,
        total_jobs=50_000, total_jobs_basis="all-industries row",
        national_basis="Great Britain row", am_jobs=2_600, am_share=0.052,
        sectors=[
            _sector("aerospace", "Aerospace", "expanding_engineering", 1_200, 2.5, 0.03,
                    (50, 20, 30)),
            _sector("chemicals", "Chemicals", "expanding_science", 800, 1.2, 0.02,
                    (40, -10, 5)),
            _sector("computers", "Computers", "select_science", 600, 1.21, 0.0205,
                    (30, 5, -15)),
            _sector("pharma", "Pharmaceuticals", "select_science", None, None, None, None),
        ], **more)


def _table(spec: dict[str, Any], layer: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    return spec["datasets"][(layer or spec)["data"]["name"]]


def _svg(spec: dict[str, Any]) -> str:
    return vega.svg(chart_specs.spec_json(spec))


def _marks(svg: str, role: str) -> list[tuple[str, float, float]]:
    """(aria label, x, y) of each mark of ``role`` (Vega's ``aria-roledescription``: "text
    mark", "point", "circle", ...) in an SVG drawn by Vega."""
    found = []
    for tag in re.findall(r"<[a-z]+ [^>]*>", svg):
        if f'aria-roledescription="{role}"' not in tag:
            continue
        where = re.search(r'transform="translate\(([-\d.]+),([-\d.]+)\)"', tag)
        name = re.search(r'aria-label="([^"]*)"', tag)
        if where and name:
            found.append((name.group(1), float(where.group(1)), float(where.group(2))))
    return found


def _axis(svg: str, axis: str) -> tuple[list[str], str]:
    """The tick labels and the title of the axis whose aria label starts with ``axis``
    ("X-axis", "Y-axis")."""
    start = svg.index(f'aria-label="{axis}')

    def texts(role: str) -> list[str]:
        at = svg.index(role, start)
        return re.findall(r">([^<>]+)</text>", svg[at:svg.index("</g>", at)])

    return texts("role-axis-label"), " ".join(texts("role-axis-title"))


# --------------------------------------------------------------------------------------------
# Structure, shift-share, comparators: rows, encodings, titles


def test_sector_structure_rows_encodings_and_title() -> None:
    spec = chart_specs.sector_structure_spec(small_profile())
    assert spec["$schema"] == chart_specs.SCHEMA_URL
    rows = _table(spec)
    assert [(r["label"], r["employment"], r["share"], r["lq"]) for r in rows] == [
        ("Aerospace", 1200.0, 0.024, 2.5), ("Chemicals", 800.0, 0.016, 1.2),
        ("Computers", 600.0, 0.012, 1.21)]  # the suppressed sector has no bar
    assert rows[0]["quadrant"] == label("quadrant", "expanding_engineering")
    assert spec["title"] == {"text": "Jobs by advanced manufacturing sector, Testshire, 2023",
                             "subtitle": "of 50,000 jobs in all industries in 2023",
                             "anchor": "start", "frame": "bounds"}
    enc = spec["encoding"]
    assert enc["x"] == {"field": "employment", "type": "quantitative", "title": "jobs, 2023"}
    assert enc["y"]["field"] == "label" and enc["y"]["sort"] == "-x"
    assert enc["color"]["scale"] == {
        "domain": [label("quadrant", q) for q in chart_specs.QUADRANT_COLOURS],
        "range": ["#1f77b4", "#9ecae1", "#d62728", "#ff9896"]}
    assert enc["color"]["legend"]["orient"] == "bottom"
    assert [(t["field"], t.get("format")) for t in enc["tooltip"]] == [
        ("label", None), ("employment", ",.0f"), ("share", ".2%"), ("lq", ".2f")]
    assert spec["height"] == 3 * chart_specs.ROW_PX
    assert spec["autosize"] == {"type": "fit-x", "contains": "padding"}


def test_shift_share_parts_and_the_actual_change() -> None:
    spec = chart_specs.shift_share_spec(small_profile())
    bars, ticks = spec["layer"]
    assert bars["title"] == "Shift-share of the change in jobs, Testshire, 2018-2023"
    long = _table(spec, bars)
    assert [(r["label"], r["component"], r["jobs"]) for r in long] == [
        ("Aerospace", "national growth", 50.0), ("Chemicals", "national growth", 40.0),
        ("Computers", "national growth", 30.0), ("Aerospace", "industry mix", 20.0),
        ("Chemicals", "industry mix", -10.0), ("Computers", "industry mix", 5.0),
        ("Aerospace", "local competitive effect", 30.0),
        ("Chemicals", "local competitive effect", 5.0),
        ("Computers", "local competitive effect", -15.0)]
    assert [(r["label"], r["actual"]) for r in _table(spec, ticks)] == [
        ("Aerospace", 100.0), ("Chemicals", 35.0), ("Computers", 20.0)]
    assert ticks["encoding"]["x"] == {"field": "actual", "type": "quantitative"}
    assert ticks["mark"] == {"type": "tick", "color": "black", "thickness": 3, "size": 18}
    assert bars["encoding"]["tooltip"][-1] == {"field": "jobs", "type": "quantitative",
                                               "format": "+,.0f"}
    assert spec["height"] == 3 * chart_specs.ROW_PX


def test_comparators_rows_focus_colour_and_title() -> None:
    rows = [{"area_name": "Testshire", "am_share": 0.052, "am_jobs": 2600.0,
             "total_jobs": 50000.0, "is_focus": True},
            {"area_name": "Otherby", "am_share": 0.04, "am_jobs": 1000, "total_jobs": 25000,
             "is_focus": False}]
    spec = chart_specs.comparator_spec(rows, 2023)
    assert spec["title"] == ("Advanced manufacturing share of all jobs, 2023: area and "
                             "comparators")
    assert _table(spec)[1] == {"area_name": "Otherby", "am_share": 0.04, "am_jobs": 1000.0,
                               "total_jobs": 25000.0, "is_focus": False}
    assert spec["encoding"]["color"] == {"condition": {"test": "datum.is_focus",
                                                       "value": "#d62728"},
                                         "value": "#9ecae1"}
    assert spec["encoding"]["x"]["axis"] == {"format": "%"}
    assert spec["height"] == 2 * chart_specs.ROW_PX


# --------------------------------------------------------------------------------------------
# LQ against growth: the bubbles and their names


def test_bubbles_rows_sizes_and_title() -> None:
    spec = chart_specs.lq_growth_spec(small_profile())
    bubbles, labels, on_left, rule_x, rule_y, leaders = spec["layer"]
    assert bubbles["title"] == ("Specialisation against growth, Testshire: LQ in 2023 vs "
                                "compound annual growth 2018-2023 (bubble = jobs)")
    rows = _table(spec, bubbles)
    assert [(r["label"], r["lq"], r["growth"], r["employment"]) for r in rows] == [
        ("Aerospace", 2.5, 0.03, 1200.0), ("Chemicals", 1.2, 0.02, 800.0),
        ("Computers", 1.21, 0.0205, 600.0)]
    size = bubbles["encoding"]["size"]
    assert size["scale"] == {"domain": [0, 1200.0], "range": [40, 2500], "zero": True}
    assert size["legend"]["values"] == [300.0, 600.0, 1200.0]
    assert bubbles["encoding"]["y"]["axis"] == {"format": "%"}
    for layer in (labels, on_left):
        assert layer["encoding"]["y"] == {"field": "label_y", "type": "quantitative",
                                          "title": "jobs growth per year",
                                          "axis": {"format": "%"}}
    assert (labels["transform"], labels["mark"]["align"], labels["mark"]["dx"]) == (
        [{"filter": "!datum.label_left"}], "left", 8)
    assert (on_left["transform"], on_left["mark"]["align"], on_left["mark"]["dx"]) == (
        [{"filter": "datum.label_left"}], "right", -8)
    assert _table(spec, rule_x) == [{"x": 1.0}] and _table(spec, rule_y) == [{"y": 0.0}]
    assert leaders["transform"] == [{"filter": "datum.label_y != datum.growth"}]  # moved only
    assert (leaders["encoding"]["y"]["field"], leaders["encoding"]["y2"]) == (
        "growth", {"field": "label_y"})
    assert spec["height"] == chart_specs.BUBBLE_HEIGHT_PX


def test_close_sectors_get_labels_a_line_apart() -> None:
    """Worked by hand: the y scale runs 0-3% (nice already) over 380 px, so a line of 11 px
    text (13 px with its gaps) is 13 / 380 x 3% of growth. Aerospace (the most jobs) and
    Chemicals keep their places; Computers, 0.05 points of growth (6.3 px) above Chemicals and
    as far right, would print over it: it moves one line up."""
    spec = chart_specs.lq_growth_spec(small_profile())
    rows = _table(spec, spec["layer"][1])
    label_y = {r["label"]: r["label_y"] for r in rows}
    line = 13 / 380 * 0.03
    assert label_y["Aerospace"] == 0.03 and label_y["Chemicals"] == 0.02
    assert label_y["Computers"] == pytest.approx(0.0205 + line)
    # x runs 0-2.6 (nice) over the 420 px assumed: Aerospace at 2.5 is 404 px across, and
    # its name (9 characters, at most 6.6 px each) would run past 420 px: it goes on the left
    assert {r["label"]: r["label_left"] for r in rows} == {
        "Aerospace": True, "Chemicals": False, "Computers": False}
    assert abs(label_y["Computers"] - label_y["Chemicals"]) / 0.03 * 380 >= 13


def test_close_sectors_labels_are_drawn_apart() -> None:
    """As vl-convert draws the chart at the report's width: the two names sit at least a line
    apart, each bubble where its data puts it, and the y axis is what the bubbles alone set."""
    spec = chart_specs.lq_growth_spec(small_profile())
    spec["width"] = 520
    svg = _svg(spec)
    texts = {name.split("label: ")[-1]: (x, y) for name, x, y in _marks(svg, "text mark")}
    assert sorted(texts) == ["Aerospace", "Chemicals", "Computers"]
    anchors = dict(re.findall(r'aria-label="[^"]*label: (\w+)"[^>]*text-anchor="(\w+)"', svg))
    assert anchors == {"Aerospace": "end", "Chemicals": "start", "Computers": "start"}
    assert abs(texts["Chemicals"][1] - texts["Computers"][1]) >= 11
    assert abs(texts["Chemicals"][0] - texts["Computers"][0]) < 20  # still beside its bubble
    assert len(_marks(svg, "circle")) == 3
    ticks, title = _axis(svg, "Y-axis")
    assert title == "jobs growth per year"
    assert (ticks[0], ticks[-1]) == ("0.0%", "3.0%")  # the bubbles set the scale, not labels
    assert "label_y" not in svg


def test_labels_far_apart_stay_beside_their_points() -> None:
    sectors = list(small_profile().sectors)
    sectors[2] = sectors[2].model_copy(update={"lq": 0.4, "growth": -0.02})
    spec = chart_specs.lq_growth_spec(small_profile().model_copy(update={"sectors": sectors}))
    rows = _table(spec, spec["layer"][1])
    assert [r["label_y"] for r in rows] == [r["growth"] for r in rows]


@pytest.mark.parametrize("lo, hi, want", [
    (0.0, 0.03, (0.0, 0.03)), (0.0, 2.5, (0.0, 2.6)), (-0.013, 0.047, (-0.015, 0.05)),
    (0.0, 1.37, (0.0, 1.4)), (2015.0, 2018.0, (2015.0, 2018.0)), (0.0, 987.0, (0.0, 1000.0)),
    (1.0, 1.0, (1.0, 1.0)),
])
def test_nice_domains_are_d3s(lo: float, hi: float, want: tuple[float, float]) -> None:
    """d3-scale's linear().domain([lo, hi]).nice() (worked from d3-array's tickIncrement)."""
    assert nice_domain(lo, hi) == pytest.approx(want)


def test_stagger_is_deterministic_and_keeps_inside_the_scale() -> None:
    """Five labels on one point: each gets its own line, nearest first, up before down, and
    none leaves the y extent (which would stretch the axis)."""
    points = [(1.0, 0.5, f"Sector {i}") for i in range(5)]
    boxes = stagger_labels(points, (0.0, 2.0), (0.0, 1.0), width_px=360, height_px=380,
                           font_px=11, dx_px=8)
    assert [b.shift for b in boxes] == [0, -1, 1, -2, 2]
    assert boxes == stagger_labels(points, (0.0, 2.0), (0.0, 1.0), width_px=360,
                                   height_px=380, font_px=11, dx_px=8)
    top = stagger_labels([(1.0, 1.0, "A"), (1.0, 1.0, "B")], (0.0, 2.0), (0.0, 1.0),
                         width_px=360, height_px=380, font_px=11, dx_px=8)
    assert [b.shift for b in top] == [0, 1]  # no room above the top of the scale
    assert all(0.0 <= b.y <= 1.0 for b in top)


# --------------------------------------------------------------------------------------------
# Trends: years on a true scale


def _series() -> list[dict[str, Any]]:
    """Two sectors in 2015, 2016 and 2018 (no 2017 in the file), one gap in the jobs."""
    jobs = {"aerospace": [100, 110, 130], "chemicals": [50, math.nan, 70]}
    return [{"sector": s, "label": s.title(), "year": year, "employment": float(v)}
            for s, values in jobs.items() for year, v in zip((2015, 2016, 2018), values,
                                                             strict=True)]


def test_trends_put_years_on_a_quantitative_axis() -> None:
    spec = chart_specs.employment_trends_spec(_series(), "Testshire")
    assert spec["title"] == "Jobs by sector, Testshire, 2015-2018"
    assert spec["encoding"]["x"] == {"field": "year", "type": "quantitative", "title": "year",
                                     "scale": {"zero": False},
                                     "axis": {"format": "d", "tickMinStep": 1}}
    assert spec["encoding"]["tooltip"][1] == {"field": "year", "type": "quantitative",
                                              "format": "d"}
    assert [(r["label"], r["year"], r["employment"]) for r in _table(spec)] == [
        ("Aerospace", 2015, 100.0), ("Aerospace", 2016, 110.0), ("Aerospace", 2018, 130.0),
        ("Chemicals", 2015, 50.0), ("Chemicals", 2018, 70.0)]  # the missing jobs dropped


def test_a_missing_year_keeps_its_width() -> None:
    """Drawn: 2016 to 2018 is twice as wide as 2015 to 2016, and the ticks are whole years
    written without a thousands comma."""
    spec = chart_specs.employment_trends_spec(_series(), "Testshire")
    spec["width"] = 520
    svg = _svg(spec)
    xs = sorted({round(x, 1) for name, x, _ in _marks(svg, "point")
                 if "label: Aerospace" in name})
    assert len(xs) == 3
    assert xs[2] - xs[1] == pytest.approx(2 * (xs[1] - xs[0]), abs=0.2)
    assert _axis(svg, "X-axis") == (["2015", "2016", "2017", "2018"], "year")


def test_trends_legend_fits_and_colours_are_named_in_the_spec() -> None:
    spec = chart_specs.employment_trends_spec(_series(), "Testshire")
    colour = spec["encoding"]["color"]
    # the scheme in the spec, so the app's theme does not repaint what the report shows
    assert colour["scale"] == chart_specs.CATEGORY_SCHEME == {"scheme": "tableau10"}
    assert colour["legend"]["labelLimit"] == chart_specs.LABEL_LIMIT_PX
    assert spec["height"] == 300  # two sectors: the default height holds the legend
    assert spec["autosize"] == {"type": "fit-x", "contains": "padding"}  # height = the plot's
    ten = [{"sector": f"s{i}", "label": f"Sector {i}", "year": 2015, "employment": 1.0}
           for i in range(10)]
    assert chart_specs.employment_trends_spec(ten, "T")["height"] == 30 * 10 + 40


def test_trends_of_no_rows() -> None:
    spec = chart_specs.employment_trends_spec([], "Testshire")
    assert spec["title"] == "Jobs by sector, Testshire, " and _table(spec) == []


# --------------------------------------------------------------------------------------------
# The analysis step's charts


def test_feasible_next_rows_and_title() -> None:
    opportunity = RelatedOpportunity(
        sic="2651", label="Instruments", sector="electronics", density=0.42, lq=None,
        national_jobs=12_000, related_present=[RelatedPresent(
            sic="3030", label="Aircraft", relatedness=0.3, lq=2.345)])
    spec = chart_specs.feasible_next_spec(small_profile(related_opportunities=[opportunity]))
    assert spec["title"] == ("Feasible next classes for Testshire: relatedness density "
                             "against LQ, 2023")
    row = _table(spec)[0]
    assert (row["sic"], row["density"], row["lq"], row["national_jobs"],
            row["related_present"]) == ("2651", 0.42, 0.0, 12000.0, "Aircraft (LQ 2.35)")
    enc = spec["encoding"]
    assert enc["x"]["title"] == "LQ vs Great Britain, 2023 (below 1: not yet specialised)"
    assert enc["size"]["title"] == "GB jobs in the class, 2023"
    assert enc["size"]["scale"]["domain"] == [0, 12000.0]
    assert (spec["width"], spec["height"]) == (520, 320)


def test_cluster_map_hexes_outlines_and_hot_spots() -> None:
    frame = [
        {"area_code": "A", "area_name": "Ay", "q": 0, "r": 0, "lq": 1.5, "hot_spot": True},
        {"area_code": "B", "area_name": "Bee", "q": 1, "r": 1, "lq": math.nan,
         "hot_spot": False},
        {"area_code": "C", "area_name": "Cee", "q": 2, "r": 0, "lq": 0.5, "hot_spot": False},
        {"area_code": "D", "area_name": "Dee", "q": math.nan, "r": 0, "lq": 1.0,
         "hot_spot": False},
    ]
    spec = chart_specs.cluster_map_spec(frame, "Aerospace", 2023, "A", ["C", "A"], hex_px=10)
    assert spec["title"] == "Aerospace: LQ vs Great Britain by district, 2023"
    rows = _table(spec)
    assert [(r["area_code"], r["x"], r["y"], r["lq"]) for r in rows] == [
        ("A", 0.0, 0.0, 1.5), ("B", 1.5, pytest.approx(math.sqrt(3) / 2), None),
        ("C", 2.0, 0.0, 0.5)]  # no position: not drawn; odd rows half a hex right
    assert (spec["width"], spec["height"]) == (40, round((math.sqrt(3) / 2 + 2) * 10))
    layers = spec["layer"]
    assert layers[2]["transform"] == [{"filter": {"field": "area_code", "oneOf": ["C"]}}]
    assert layers[3]["transform"] == [{"filter": {"field": "area_code", "equal": "A"}}]
    assert layers[3]["mark"]["stroke"] == "black"
    assert _table(spec, layers[4]) == [{"x": 0.0, "y": 0.0, "area_name": "Ay"}]


# --------------------------------------------------------------------------------------------
# The data rows and the schema


def test_the_schema_is_altairs() -> None:
    """The Vega-Lite version the specs declare is the one the installed Altair writes."""
    assert chart_specs.SCHEMA_URL == alt.SCHEMA_URL


@pytest.mark.parametrize("column", [
    [1, 2, 3], [1, None, 3], [1, 2.5, 3], [1.0, math.nan, math.inf], [True, False],
    [True, None], ["a", None], ["a", math.nan], [None, None], [math.nan, math.nan],
    [1, "a"], [True, 1], [-0.0, 0.1 + 0.2], [2**40, 3],
])
def test_records_are_what_altair_makes_of_a_frame(column: list[Any]) -> None:
    """The rows are written as a pandas frame's always were (gaps to null, whole numbers
    whole only without a gap or a fraction beside them), named by the same hash."""
    rows = [{"v": v, "k": i} for i, v in enumerate(column)]
    chart = alt.Chart(pd.DataFrame(rows)).mark_point()
    want = next(iter(json.loads(chart.to_json(validate=False))["datasets"].values()))
    got = chart_specs.records(rows)
    assert json.dumps(got, sort_keys=True) == json.dumps(want, sort_keys=True)
    data = chart_specs.Datasets()
    assert data.add(got)["name"] == json.loads(chart.to_json(validate=False))["data"]["name"]
