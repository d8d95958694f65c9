"""Browser: a local-knowledge finding half-written when the user goes to another step is still
there when they come back (the walk-through review found it lost), and adding it counts it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from evidence.service import Evidence, load_any
from evidence.sources.demo import ARCHETYPES
from policy.storage import SessionStore
from policy.walkthrough import new_session
from tests.e2e.conftest import AppServer
from tests.e2e.st_helpers import go_to_step, no_exception, open_app, rerun_after, wait_text

pytestmark = pytest.mark.e2e

DRAFT = "The college's engineering course has a waiting list."


def test_a_draft_finding_survives_a_visit_to_another_step(
        app_server: AppServer, page: Page, shot: Callable[[Page, str], Path]) -> None:
    ev = Evidence.from_dataset(load_any(None))
    session = new_session(ev, ARCHETYPES["engineering_assembly_cluster"][0])
    sid, key, _ = SessionStore(app_server.home / "policymix.sqlite3").create(session)
    open_app(page, f"{app_server.url}/?sid={sid}&key={key}&step=findings")
    box = page.locator(".st-key-add_finding")
    box.get_by_label("What do you know?").fill(DRAFT)
    rerun_after(page, lambda: box.get_by_label("What do you know?").blur())
    go_to_step(page, "Evidence profile")
    go_to_step(page, "Strengths and bottlenecks")
    box = page.locator(".st-key-add_finding")
    expect(box.get_by_label("What do you know?")).to_have_value(DRAFT)
    expect(box.get_by_text("Your draft is kept")).to_be_visible()
    shot(page, "draft-kept")
    rerun_after(page, box.get_by_role("button", name="Add finding").click)
    wait_text(page, "from local knowledge")
    expect(page.locator(".st-key-add_finding").get_by_label("What do you know?")).to_have_value("")
    no_exception(page)
