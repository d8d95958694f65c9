"""Browser: the sidebar's glossary opens, searches and explains a term, on any page."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import AppServer
from tests.e2e.st_helpers import no_exception, open_app, rerun_after, wait_idle

pytestmark = pytest.mark.e2e


def test_the_glossary_explains_a_term_from_the_sidebar(
        app_server: AppServer, page: Page, shot: Callable[[Page, str], Path]) -> None:
    open_app(page, app_server.url)
    sidebar = page.get_by_test_id("stSidebar")
    rerun_after(page, lambda: sidebar.get_by_text("Glossary: what the terms mean").click())
    box = sidebar.get_by_label("Find a term")
    expect(box).to_be_visible()
    box.fill("pseudo")
    rerun_after(page, lambda: box.press("Enter"))
    wait_idle(page)
    expect(sidebar.get_by_text("Pseudo p-value", exact=False)).to_be_visible()
    expect(sidebar.get_by_text("999 shuffles", exact=False)).to_be_visible()
    expect(sidebar.get_by_text("Net present value", exact=False)).to_have_count(0)
    no_exception(page)
    shot(page, "glossary-pseudo-p")
