"""Figures are rendered once per session state and reused across formats (issue 14), and the
SVG the HTML report inlines cannot run or fetch anything."""

from __future__ import annotations

from pathlib import Path

import docx
import pytest

from evidence.service import Evidence
from evidence.sources.demo import ARCHETYPES
from policy.export import build_bundle, export
from policy.export.images import clear_figure_cache, figure_cache_info
from policy.export.to_html import inline_svg
from policy.session import StrategySession
from policy.walkthrough import new_session

AREA = ARCHETYPES["engineering_assembly_cluster"][0]


@pytest.fixture(scope="module")
def evidence() -> Evidence:
    return Evidence.from_path(None)


@pytest.fixture(scope="module")
def session(evidence: Evidence) -> StrategySession:
    return new_session(evidence, AREA)


def _pictures(path: Path) -> list[bytes]:
    doc = docx.Document(str(path))
    return [rel.target_part.blob for rel in doc.part.rels.values()
            if "image" in rel.reltype]


def test_each_figure_is_rendered_once_across_formats(
        evidence: Evidence, session: StrategySession, tmp_path: Path) -> None:
    clear_figure_cache()
    export(build_bundle(session, evidence), tmp_path / "a.html")
    after_html = figure_cache_info()
    assert after_html["misses"] > 5 and after_html["hits"] == 0
    export(build_bundle(session, evidence), tmp_path / "b.html")  # a new bundle, same state
    again = figure_cache_info()
    assert again["misses"] == after_html["misses"]
    assert again["hits"] >= after_html["misses"]
    export(build_bundle(session, evidence), tmp_path / "a.docx")
    after_docx = figure_cache_info()
    # the Word report needs PNGs: the charts' come from their cached SVG, nothing is drawn twice
    export(build_bundle(session, evidence), tmp_path / "b.docx")
    assert figure_cache_info()["misses"] == after_docx["misses"]
    assert _pictures(tmp_path / "a.docx") == _pictures(tmp_path / "b.docx")
    assert (tmp_path / "a.html").read_text("utf-8").split("<main>")[1] \
        == (tmp_path / "b.html").read_text("utf-8").split("<main>")[1]


def test_a_changed_session_state_draws_its_figures_anew(
        evidence: Evidence, session: StrategySession, tmp_path: Path) -> None:
    export(build_bundle(session, evidence), tmp_path / "a.html")
    before = figure_cache_info()
    other = session.model_copy(deep=True)
    other.chosen_interventions = other.chosen_interventions[:1]
    export(build_bundle(other, evidence), tmp_path / "b.html")
    assert figure_cache_info()["misses"] > before["misses"]


def test_the_cold_word_report_matches_the_warm_one(
        evidence: Evidence, session: StrategySession, tmp_path: Path) -> None:
    export(build_bundle(session, evidence), tmp_path / "warm.docx")
    clear_figure_cache()
    export(build_bundle(session, evidence), tmp_path / "cold.docx")
    assert _pictures(tmp_path / "warm.docx") == _pictures(tmp_path / "cold.docx")


def test_inline_svg_removes_scripts_handlers_and_outside_links() -> None:
    svg = ('<svg width="4" height="3" xmlns="http://www.w3.org/2000/svg">'
           '<script type="text/javascript">alert(1)</script><script src="x.js"/>'
           '<g onload="alert(2)" ONCLICK=\'alert(3)\'><a href="https://evil.example/">'
           '<text>one = 1 &lt;script&gt;</text></a><a xlink:href="javascript:alert(4)">x</a>'
           '<use href="#clip1"/></g><foreignObject><iframe src="https://evil.example"/>'
           "</foreignObject></svg>")
    out = inline_svg(svg, "fig1")
    lowered = out.lower()
    for bad in ("<script", "onload", "onclick", "http", "javascript", "foreignobject",
                "iframe", "alert"):
        assert bad not in lowered, bad
    assert "<text>one = 1 &lt;script&gt;</text>" in out  # text (escaped) is kept as it was
    assert 'href="#fig1-clip1"' in out
