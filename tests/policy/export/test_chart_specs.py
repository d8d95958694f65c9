"""The report's charts, written as plain dicts (``evidence.chart_specs``, issue 14), are the
app's Altair charts exactly: the same Vega-Lite text, so the same pictures and cache keys.

The Altair side is built here as ``policy.export.images`` built it before (the app's chart
functions, the report's 520 px width), so a change to either side alone fails.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from functools import lru_cache
from typing import Any

import altair as alt
import pandas as pd
import pytest

from evidence import analysis_charts, chart_specs, charts
from evidence.models import AreaProfile
from evidence.service import Evidence
from policy.export import ReportBundle, build_bundle
from policy.export.images import rank_stability_chart, render_images
from policy.walkthrough import new_session

WIDTH = 520


def altair_charts(bundle: ReportBundle) -> dict[str, alt.TopLevelMixin]:
    """The report's charts as the Altair charts the app draws (the pre-issue-14 path)."""
    p = bundle.profile
    out: dict[str, Any] = {"sector_structure": charts.sector_structure(p),
                           "lq_growth": charts.lq_growth_bubbles(p)}
    if bundle.timeseries:
        out["trends"] = charts.employment_trends(pd.DataFrame(bundle.timeseries), p.area.name)
    out["shift_share"] = charts.shift_share_chart(p)
    if len(bundle.comparator_rows) > 1:
        out["comparators"] = charts.comparator_chart(pd.DataFrame(bundle.comparator_rows),
                                                     p.period.end)
    if p.related_opportunities:
        out["feasible_next"] = analysis_charts.feasible_next_chart(p)
    out = {k: c.properties(width=WIDTH) for k, c in out.items()}
    if bundle.cluster_map and bundle.cluster_map_sector:
        label = next(r.label for r in p.sectors if r.sector == bundle.cluster_map_sector)
        out["cluster_map"] = analysis_charts.cluster_map(
            pd.DataFrame(bundle.cluster_map), label, p.period.end, p.area.code,
            [c.area_code for c in p.comparators])
    stability = rank_stability_chart(bundle)
    if stability is not None:
        out["rank_stability"] = stability
    return out


@lru_cache(maxsize=2)
def evidence(source: str | None) -> Evidence:
    return Evidence.from_path(source)


def bundle_of(source: str | None, area: str) -> ReportBundle:
    ev = evidence(source)
    return build_bundle(new_session(ev, area, data_source=source), ev, n_draws=500)


def _areas(source: str | None, every: int) -> list[str]:
    areas = evidence(source).areas()
    return sorted(areas.loc[areas["level"] == "lad", "area_code"])[::every]


BUNDLE_CASES = [(None, a) for a in _areas(None, 45)] + [("sample:nuts2", a)
                                                        for a in _areas("sample:nuts2", 20)]


def test_the_schema_is_altairs() -> None:
    assert chart_specs.SCHEMA_URL == alt.SCHEMA_URL


@pytest.mark.parametrize("source, area", BUNDLE_CASES)
def test_every_report_chart_is_the_altair_text(source: str | None, area: str) -> None:
    bundle = bundle_of(source, area)
    images = render_images(bundle)
    want = altair_charts(bundle)
    got = {k: im.spec for k, im in images.items() if im.spec is not None}
    assert not bundle.warnings
    assert sorted(got) == sorted(want)
    for key, chart in want.items():
        assert got[key] == chart.to_json(validate=False), key


@pytest.mark.parametrize("offset", range(4))
def test_profile_charts_of_many_districts(offset: int) -> None:
    ev = evidence(None)
    for area in _areas(None, 1)[offset::24]:
        p = ev.profile(area)
        _same(p)


PROFILE_CHARTS: list[tuple[Callable, Callable]] = [
    (chart_specs.sector_structure_spec, charts.sector_structure),
    (chart_specs.lq_growth_spec, charts.lq_growth_bubbles),
    (chart_specs.shift_share_spec, charts.shift_share_chart),
]


def _same(p: AreaProfile) -> None:
    for spec, chart in PROFILE_CHARTS:
        assert chart_specs.spec_json(spec(p)) == chart(p).to_json(validate=False), spec.__name__
    if p.related_opportunities:
        assert chart_specs.spec_json(chart_specs.feasible_next_spec(p)) \
            == analysis_charts.feasible_next_chart(p).to_json(validate=False)


def test_gaps_in_a_profile_are_written_as_altair_writes_them() -> None:
    """Suppressed jobs, a missing LQ, growth or shift-share, a sector without dynamics: rows
    drop out or carry nulls exactly as the pandas frame behind the Altair chart does."""
    p = evidence(None).profile(_areas(None, 1)[7])
    sectors = list(p.sectors)
    sectors[0] = sectors[0].model_copy(update={"employment": None, "share": None})
    sectors[1] = sectors[1].model_copy(update={"lq": None})
    sectors[2] = sectors[2].model_copy(update={"growth": math.nan, "dynamics": None})
    sectors[3] = sectors[3].model_copy(update={"shift_share": None})
    sectors[4] = sectors[4].model_copy(update={"productivity_ratio": None})
    _same(p.model_copy(update={"sectors": sectors}))


@pytest.mark.parametrize("column", [
    [1, 2, 3], [1, None, 3], [1, 2.5, 3], [1.0, math.nan, math.inf], [True, False],
    [True, None], ["a", None], ["a", math.nan], [None, None], [math.nan, math.nan],
    [1, "a"], [True, 1], [-0.0, 0.1 + 0.2], [2**40, 3],
])
def test_records_are_what_altair_makes_of_a_frame(column: list[Any]) -> None:
    rows = [{"v": v, "k": i} for i, v in enumerate(column)]
    chart = alt.Chart(pd.DataFrame(rows)).mark_point()
    want = next(iter(json.loads(chart.to_json(validate=False))["datasets"].values()))
    got = chart_specs.records(rows)
    assert json.dumps(got, sort_keys=True) == json.dumps(want, sort_keys=True)
    data = chart_specs.Datasets()
    assert data.add(got)["name"] == json.loads(chart.to_json(validate=False))["data"]["name"]
