"""Browser walkthrough: data and area -> evidence profile -> strengths and bottlenecks -> reload.

The AppTest versions are in tests/test_app_evidence_pages.py; this drives the real app: the
selectbox is typed into, charts must actually draw, and the decisions must survive a reload from
the SQLite store (the URL's ``?sid=``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from evidence.service import load_any
from evidence.sources.demo import ARCHETYPES
from policy.storage import SessionStore
from tests.e2e.conftest import AppServer
from tests.e2e.st_helpers import (
    choose_selectbox,
    no_exception,
    open_app,
    rerun_after,
    wait_idle,
    wait_text,
)

pytestmark = pytest.mark.e2e

Shot = Callable[[Page, str], Path]
LOCAL_TEXT = "The college's engineering apprenticeships have a two-year waiting list."
LOCAL_SOURCE = "e2e workshop, table 3"


@pytest.fixture(scope="module")
def cluster() -> tuple[str, str]:
    """Code and name of the engineering assembly cluster archetype in the bundled demo."""
    code = ARCHETYPES["engineering_assembly_cluster"][0]
    areas = load_any(None).areas
    return code, str(areas.loc[areas["area_code"] == code, "area_name"].item())


def chart_drawn(chart: Locator) -> None:
    """A Vega-Lite chart that has actually drawn marks (SVG or canvas, per renderer)."""
    expect(chart).to_be_visible()
    expect(chart.locator("svg.marks, canvas").first).to_be_visible()
    box = chart.bounding_box()
    assert box is not None and box["width"] > 200 and box["height"] > 100


def visible_panel(page: Page) -> Locator:
    return page.locator('[data-testid="stTabPanel"]:visible').first


def finding_card(page: Page, has: Locator | str) -> Locator:
    """The bordered container of one finding (innermost block holding its Decision radio)."""
    blocks = page.locator('[data-testid="stVerticalBlock"]').filter(
        has=page.get_by_role("radiogroup", name="Decision"))
    blocks = blocks.filter(has_text=has) if isinstance(has, str) else blocks.filter(has=has)
    return blocks.last


def stored_session(server: AppServer, url: str):
    sid = re.search(r"[?&]sid=([0-9a-f]+)", url)
    assert sid, f"no ?sid= in {url}"
    return SessionStore(server.home / "policymix.sqlite3").load(sid.group(1))


def test_walkthrough_evidence_and_findings_survive_reload(
    app_server: AppServer, page: Page, browser: Browser, shot: Shot, cluster: tuple[str, str]
) -> None:
    code, name = cluster

    # 1. Data and area: the synthetic banner, then a district typed into the selectbox
    open_app(page, app_server.url)
    expect(page.get_by_role("heading", name="Data and area")).to_be_visible()
    wait_text(page, "Synthetic demo data.")
    expect(page.get_by_text("Areas and figures are fictional")).to_be_visible()
    shot(page, "data-page")
    district = page.get_by_role("radiogroup", name="Kind of area").get_by_text(
        "District", exact=True)
    district.click()
    wait_idle(page)
    expect(page.get_by_role("radio", name="District", exact=True)).to_be_checked()
    choose_selectbox(page, "District", name, f"{name} ({code})")
    wait_text(page, f"Area: {name} ({code})")
    expect(page.locator('[data-testid="stSidebar"]')).to_contain_text(f"Area: {name}")
    no_exception(page)
    shot(page, "district-chosen")

    # 2. Evidence profile: headline metrics and a drawn chart in every chart tab
    rerun_after(page, page.get_by_role("button", name="Next: evidence profile").click)
    expect(page.get_by_role("heading", name="Evidence profile")).to_be_visible()
    assert "step=profile" in page.url
    expect(page.locator('[data-testid="stMetric"]').first).to_contain_text("All jobs")
    chart_drawn(visible_panel(page).locator('[data-testid="stVegaLiteChart"]'))
    no_exception(page)
    shot(page, "profile-structure")
    for tab in ["Specialisation and growth", "Trends", "Shift-share", "Comparators"]:
        page.get_by_role("tab", name=tab).click()
        expect(page.get_by_role("tab", name=tab)).to_have_attribute("aria-selected", "true")
        chart_drawn(visible_panel(page).locator('[data-testid="stVegaLiteChart"]'))
        shot(page, f"profile-{tab}")
    expect(visible_panel(page).locator('[data-testid="stTable"]').first).to_be_visible()
    page.get_by_role("tab", name="Table").click()
    expect(visible_panel(page).locator('[data-testid="stTable"]').first).to_be_visible()
    shot(page, "profile-table")

    # 3. Strengths and bottlenecks: accept the first strength, add local knowledge
    rerun_after(page, page.get_by_role("button", name="Next: strengths and bottlenecks").click)
    expect(page.get_by_role("heading", name="Strengths and bottlenecks")).to_be_visible()
    summary = wait_text(page, re.compile(rf"\d+ findings for {re.escape(name)}: 0 accepted"))
    total = int(summary.inner_text().split()[0])
    assert total > 0, "the engineering cluster archetype must produce findings"
    shot(page, "findings")
    first = visible_panel(page).get_by_role("radiogroup", name="Decision").first
    rerun_after(page, first.get_by_text("Accept", exact=True).click)
    wait_text(page, f"{total} findings for {name}: 1 accepted")
    expect(first.get_by_role("radio", name="Accept", exact=True)).to_be_checked()
    accepted = [f for f in stored_session(app_server, page.url).findings
                if f.status == "accepted"]
    assert len(accepted) == 1, "the decision must be autosaved to SQLite at once"
    accepted_text = accepted[0].text
    shot(page, "finding-accepted")

    form = page.locator(".st-key-add_finding")
    form.get_by_label("What do you know?").fill(LOCAL_TEXT)
    form.get_by_label("Source or who said so").fill(LOCAL_SOURCE)
    rerun_after(page, form.get_by_role("button", name="Add finding").click)
    wait_text(page, f"{total + 1} findings for {name}: 2 accepted")
    expect(finding_card(page, LOCAL_TEXT)).to_contain_text("from local knowledge")
    no_exception(page)
    shot(page, "local-knowledge-added")
    url = page.url
    assert "step=findings" in url and "sid=" in url

    # 4. Reload, then open the same URL in a brand-new browser context: restored from SQLite
    for label, target in [("reloaded", page), ("new-browser", None)]:
        if target is None:
            context = browser.new_context(viewport={"width": 1400, "height": 1000})
            target = context.new_page()
            open_app(target, url)
        else:
            target.reload()
            wait_idle(target)
        expect(target.get_by_role("heading", name="Strengths and bottlenecks")).to_be_visible()
        wait_text(target, f"{total + 1} findings for {name}: 2 accepted, 0 rejected")
        expect(target.locator('[data-testid="stSidebar"]')).to_contain_text(f"Area: {name}")
        kept = finding_card(target, accepted_text)
        expect(kept.get_by_role("radio", name="Accept", exact=True)).to_be_checked()
        local = finding_card(target, LOCAL_TEXT)
        expect(local).to_contain_text("from local knowledge")
        expect(local.get_by_role("radio", name="Accept", exact=True)).to_be_checked()
        no_exception(target)
        shot(target, label)
        if label == "new-browser":
            target.context.close()

    stored = stored_session(app_server, url)
    assert stored.area_code == code
    local_saved = [f for f in stored.findings if f.origin == "local_knowledge"]
    assert [(f.text, f.note, f.status) for f in local_saved] == [
        (LOCAL_TEXT, LOCAL_SOURCE, "accepted")]
