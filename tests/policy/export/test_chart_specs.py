"""The report's charts are the specs of ``evidence.chart_specs`` (the ones the app draws) at the
report's width, and the rank-stability chart's own spec, checked on hand-made values.

The charts themselves are tested in ``tests/evidence/test_chart_specs.py``.
"""

from __future__ import annotations

import json
from functools import lru_cache
from types import SimpleNamespace
from typing import Any

from evidence import chart_specs
from evidence.service import Evidence
from evidence.sources.demo import ARCHETYPES
from policy.appraisal.mcda import RankStability
from policy.export import ReportBundle, build_bundle
from policy.export.images import rank_stability_spec, render_images
from policy.walkthrough import new_session


@lru_cache(maxsize=1)
def bundle() -> ReportBundle:
    ev = Evidence.from_path(None)
    area = ARCHETYPES["engineering_assembly_cluster"][0]
    return build_bundle(new_session(ev, area), ev, n_draws=200)


def test_the_report_draws_the_apps_specs_at_its_width() -> None:
    b = bundle()
    p = b.profile
    images = render_images(b)
    assert not b.warnings
    want: dict[str, dict[str, Any]] = {
        "sector_structure": chart_specs.sector_structure_spec(p),
        "lq_growth": chart_specs.lq_growth_spec(p),
        "trends": chart_specs.employment_trends_spec(b.timeseries, p.area.name),
        "shift_share": chart_specs.shift_share_spec(p),
        "comparators": chart_specs.comparator_spec(b.comparator_rows, p.period.end),
    }
    if p.related_opportunities:
        want["feasible_next"] = chart_specs.feasible_next_spec(p)
    for key, spec in want.items():
        assert json.loads(images[key].spec or "") == {**spec, "width": 520}, key
    cluster = json.loads(images["cluster_map"].spec or "")
    assert "width" in cluster and cluster["width"] != 520  # a hex map keeps its own width


def test_rank_stability_spec_rows_and_title() -> None:
    stability = RankStability(option_ids=["a", "b"], n_draws=1000, concentration=20.0,
                              seed=1, p_first={"a": 0.7, "b": 0.3},
                              rank_probabilities={"a": [0.7, 0.3], "b": [0.3, 0.7]})
    names = {"a": "Skills hub", "b": "Grants"}
    fake = SimpleNamespace(results=SimpleNamespace(stability=stability),
                           option_name=names.__getitem__)
    spec = rank_stability_spec(fake)  # type: ignore[arg-type]
    assert spec is not None
    assert spec["title"] == ("Rank stability: share of 1,000 random weight draws (Dirichlet, "
                             "concentration 20) giving each rank")
    rows = spec["datasets"][spec["data"]["name"]]
    assert rows == [
        {"option": "Skills hub", "rank": "rank 1", "order": 0, "probability": 0.7},
        {"option": "Skills hub", "rank": "rank 2", "order": 1, "probability": 0.3},
        {"option": "Grants", "rank": "rank 1", "order": 0, "probability": 0.3},
        {"option": "Grants", "rank": "rank 2", "order": 1, "probability": 0.7}]
    assert spec["encoding"]["color"]["sort"] == {"field": "order"}
    assert spec["encoding"]["x"]["scale"] == {"domain": [0, 1]}
    assert spec["width"] == 520
    no_stability = SimpleNamespace(results=SimpleNamespace(stability=None))
    assert rank_stability_spec(no_stability) is None  # type: ignore[arg-type]
