"""The profile charts' sizes and labels (issue 15), on a demo district: the bubble legend covers
the largest bubble, long names are not cut at Vega-Lite's default 180 px."""

from __future__ import annotations

from functools import lru_cache

import pytest

from evidence import analysis_charts, chart_specs
from evidence.chart_specs import LABEL_LIMIT_PX, size_legend_values
from evidence.models import AreaProfile
from evidence.service import Evidence, load_any
from evidence.sources.demo import ARCHETYPES


@lru_cache(maxsize=1)
def profile() -> AreaProfile:
    return Evidence.from_dataset(load_any(None)).profile(
        ARCHETYPES["engineering_assembly_cluster"][0])


def _size(spec: dict) -> dict:
    layers = spec.get("layer", [spec])
    return next(layer["encoding"]["size"] for layer in layers
                if "size" in layer.get("encoding", {}))


@pytest.mark.parametrize("values, expected", [
    ([6123, 10, 200], [1500, 3000, 6123]),
    ([950], [230, 470, 950]),
    ([3.0, 1.0], [0.75, 1.5, 3.0]),
    ([], []),
    ([0.0], []),
])
def test_size_legend_ends_at_the_largest_value(values: list[float],
                                               expected: list[float]) -> None:
    assert size_legend_values(values) == pytest.approx(expected)


def test_bubble_chart_legend_covers_its_largest_bubble() -> None:
    p = profile()
    size = _size(chart_specs.lq_growth_spec(p))
    largest = max(s.employment for s in p.sectors if s.lq is not None and s.growth is not None)
    assert size["scale"]["domain"] == [0, pytest.approx(largest)]
    assert size["legend"]["values"][-1] == pytest.approx(largest)
    assert all(v <= largest for v in size["legend"]["values"])


def test_feasible_next_legend_covers_its_largest_bubble() -> None:
    p = profile()
    frame = analysis_charts.opportunities_frame(p)
    assert len(frame), "the cluster archetype has feasible next classes"
    size = _size(chart_specs.feasible_next_spec(p))
    assert size["scale"]["domain"][-1] == pytest.approx(frame["national_jobs"].max())
    assert size["legend"]["values"][-1] == pytest.approx(frame["national_jobs"].max())


def test_sector_names_and_legends_have_room() -> None:
    p = profile()
    spec = chart_specs.lq_growth_spec(p)
    colour = next(layer["encoding"]["color"] for layer in spec["layer"]
                  if "color" in layer.get("encoding", {}))
    assert colour["legend"]["labelLimit"] == LABEL_LIMIT_PX
    longest = max(len(s.label) for s in p.sectors)
    assert LABEL_LIMIT_PX >= 6.5 * longest  # about 6.5 px a character at 11 px


def test_sector_structure_title_and_legend_leave_the_bars_room() -> None:
    """At the report's 520 px, a one-line title with the denominator was cut ("...in all
    indu") and a side legend left the bars a third of the width: the denominator is a
    subtitle (still with its period) and the legend sits under the bars."""
    p = profile()
    spec = chart_specs.sector_structure_spec(p)
    title = spec["title"]
    assert title["text"] == (f"Jobs by advanced manufacturing sector, {p.area.name}, "
                             f"{p.period.end}")
    assert title["subtitle"] == (f"of {p.total_jobs:,.0f} jobs in all industries in "
                                 f"{p.period.end}")
    assert len(title["text"]) < 70 and len(title["subtitle"]) < 70
    assert spec["encoding"]["color"]["legend"]["orient"] == "bottom"
