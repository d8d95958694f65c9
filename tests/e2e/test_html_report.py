"""The HTML report in a real browser: its charts draw offline from the inlined Vega, with no
request leaving the page, no console message (a Content-Security-Policy refusal is one), and
the same text as vl-convert's drawing of each spec (what the Word report shows).

The report is written from the bundled demo and opened from disk (``file://``); the browser
context aborts every request but the document itself and records it.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, Route

from evidence.service import Evidence
from evidence.sources.demo import ARCHETYPES
from policy.export import ReportBundle, build_bundle, export, vega
from policy.walkthrough import new_session

AREA = ARCHETYPES["engineering_assembly_cluster"][0]


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, ReportBundle]:
    ev = Evidence.from_path(None)
    bundle = build_bundle(new_session(ev, AREA), ev)
    path = export(bundle, tmp_path_factory.mktemp("html") / "report.html")
    return path, bundle


@pytest.fixture
def offline(browser: Browser) -> Iterator[tuple[Page, list[str], list[str]]]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    left, messages = [], []

    def route(r: Route) -> None:
        if r.request.resource_type == "document" and r.request.url.startswith("file://"):
            r.continue_()
        else:
            left.append(r.request.url)
            r.abort()

    context.route("**/*", route)
    pg = context.new_page()
    pg.on("console", lambda m: messages.append(f"{m.type}: {m.text}"))
    pg.on("pageerror", lambda e: messages.append(f"page error: {e}"))
    try:
        yield pg, left, messages
    finally:
        context.close()


def _drawn(pg: Page, messages: list[str]) -> None:
    """Wait until every chart is marked drawn (the render script's ``data-drawn``), reading
    the page through the locator (Playwright's own evaluation, not the page's scripts)."""
    charts = pg.locator("div.vega-chart")
    deadline = time.monotonic() + 30
    while charts.count() == 0 or pg.locator("div.vega-chart:not([data-drawn])").count():
        assert time.monotonic() < deadline, f"charts not drawn: {messages}"
        pg.wait_for_timeout(100)


def test_charts_draw_offline_like_vl_convert(
    report: tuple[Path, ReportBundle], offline: tuple[Page, list[str], list[str]], shot
) -> None:
    path, bundle = report
    pg, left, messages = offline
    pg.goto(path.as_uri())
    _drawn(pg, messages)
    shot(pg, "report")
    assert pg.locator("div.vega-chart[data-drawn='failed']").count() == 0, messages
    drawn = pg.eval_on_selector_all(
        "div.vega-chart",
        "els => els.map(e => [e.querySelectorAll('svg').length, "
        "Array.from(e.querySelectorAll('svg text')).map(t => t.textContent)])")
    charts = [image for image in bundle.images().values() if image.spec is not None]
    assert len(drawn) == len(charts) >= 6
    for (svgs, texts), image in zip(drawn, charts, strict=True):
        assert svgs == 1, image.key
        reference = vega.svg(image.spec)
        assert len(texts) == reference.count("<text"), image.key  # the same labels drawn
        assert all(t in reference for t in texts if t.isascii() and "&" not in t), image.key
    assert left == [], f"requests left the page: {left}"
    assert messages == [], messages


def test_without_scripts_each_chart_says_why(
    report: tuple[Path, ReportBundle], browser: Browser
) -> None:
    path, _ = report
    context = browser.new_context(java_script_enabled=False)
    try:
        pg = context.new_page()
        pg.goto(path.as_uri())
        notes = pg.locator("div.vega-chart noscript")
        assert notes.count() >= 6
        assert "allow scripts" in pg.inner_text("main")
    finally:
        context.close()


def test_tables_keep_their_words_and_first_column(
    report: tuple[Path, ReportBundle], offline: tuple[Page, list[str], list[str]]
) -> None:
    """No word of a table is split over lines, and a text first column (the row's name) is at
    least 9em wide (it was squeezed to a few letters a line: "Aeros / pace"), at the 1280 px
    window of the other tests."""
    path, _ = report
    pg, _, _ = offline
    pg.goto(path.as_uri())
    found = pg.eval_on_selector_all("main table", """tables => tables.map(t => {
        const em = parseFloat(getComputedStyle(t).fontSize);
        const first = t.tBodies[0].rows[0].cells[0];
        const split = [];
        for (const cell of t.querySelectorAll('td')) {
            for (const word of cell.textContent.split(/\\s+/).filter(w => w.length > 1)) {
                const probe = document.createElement('span');
                probe.textContent = word;
                probe.style.whiteSpace = 'nowrap';
                cell.appendChild(probe);
                if (probe.getClientRects().length > 1 || probe.offsetWidth > cell.clientWidth)
                    split.push(word);
                probe.remove();
            }
        }
        return {caption: t.caption ? t.caption.textContent.slice(0, 40) : '',
                text: !first.classList.contains('num'), width: first.offsetWidth / em,
                split: split};
    })""")
    assert len(found) > 20
    for table in found:
        if table["text"]:
            assert table["width"] >= 9 - 0.01, table
    # a word wider than its column would be split by any layout; none is here
    assert [t for t in found if t["split"]] == [], [t for t in found if t["split"]][:3]
