"""Browser: what a shared server must hold (issue 13).

- a participant cannot reach the facilitator's workshop view or anyone's session list, not by
  dropping ``?ws=`` from the address nor with the session id alone;
- script and outside addresses in any text field (a finding's sector and text, a session
  title, a participant's display name) never run or load: they show as text;
- two tabs on one session: changes to different parts are merged and both kept; the same
  part changed in both is refused with a message, the first tab's work is kept, and the
  second tab can load it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, Request, expect

from evidence.models import Finding
from evidence.service import Evidence, load_any
from evidence.sources.demo import ARCHETYPES
from policy.storage import SessionStore
from policy.walkthrough import new_session
from policy.workshop import WorkshopStore
from tests.e2e.conftest import AppServer
from tests.e2e.st_helpers import (
    RUN_TIMEOUT_MS,
    no_exception,
    open_app,
    rerun_after,
    step_button,
    wait_text,
)

pytestmark = pytest.mark.e2e

Shot = Callable[[Page, str], Path]
OUTSIDE = "http://203.0.113.9"  # TEST-NET-3: nothing answers; a request there is the leak
SCRIPT_SECTOR = '<iframe srcdoc="<script>parent.__pwned=1</script>"></iframe>'
SCRIPT_TEXT = f'<img src="{OUTSIDE}/x.png" onerror="window.__pwned=2"> ![]({OUTSIDE}/y.png)'
TITLE = f"[Click me]({OUTSIDE}/phish) ![]({OUTSIDE}/t.png)"
NAME = f"![]({OUTSIDE}/n.png)"


@pytest.fixture
def context_page(browser: Browser) -> Iterator[Callable[[], Page]]:
    contexts = []

    def make() -> Page:
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        context.set_default_timeout(RUN_TIMEOUT_MS)
        contexts.append(context)
        return context.new_page()

    try:
        yield make
    finally:
        for c in contexts:
            c.close()


@pytest.fixture
def hostile_session(app_server: AppServer) -> tuple[str, str, str]:
    """A saved session (with a workshop) whose finding, title and participant carry script."""
    ev = Evidence.from_dataset(load_any(None))
    session = new_session(ev, ARCHETYPES["engineering_assembly_cluster"][0])
    session.title = TITLE
    session.findings.append(Finding(
        id="local:evil", kind="risk", topic="skills", sector=SCRIPT_SECTOR, text=SCRIPT_TEXT,
        threshold="local knowledge", confidence=0.6, origin="local_knowledge",
        status="accepted", values={}))
    db = app_server.home / "policymix.sqlite3"
    sid, key, _ = SessionStore(db).create(session)
    code = WorkshopStore(db).start_workshop(session).code
    WorkshopStore(db).join(code, NAME)
    return sid, key, code


def _watch_outside(page: Page) -> list[str]:
    leaked: list[str] = []

    def on_request(request: Request) -> None:
        if request.url.startswith(OUTSIDE):
            leaked.append(request.url)

    page.on("request", on_request)
    return leaked


def test_script_in_text_fields_never_runs(app_server: AppServer, context_page: Callable[[], Page],
                                          hostile_session: tuple[str, str, str],
                                          shot: Shot) -> None:
    sid, key, code = hostile_session
    page = context_page()
    leaked = _watch_outside(page)
    open_app(page, f"{app_server.url}/?sid={sid}&key={key}&step=findings")
    expect(page.get_by_role("heading", name="Strengths and bottlenecks")).to_be_visible()
    page.get_by_role("tab", name=re.compile("Risks")).click()
    card = page.locator('[data-testid="stVerticalBlock"]').filter(
        has=page.get_by_role("radiogroup", name="Decision")).filter(has_text="srcdoc").last
    expect(card).to_contain_text(SCRIPT_SECTOR)  # shown as the characters typed
    expect(card).to_contain_text('onerror="window.__pwned=2"')
    assert page.locator("iframe[srcdoc]").count() == 0
    assert page.locator(f'img[src^="{OUTSIDE}"]').count() == 0
    shot(page, "findings-with-script-as-text")

    rerun_after(page, step_button(page, re.compile("Guided workshop|Workshop")).first.click)
    wait_text(page, code)
    page.wait_for_timeout(3500)  # one tick of the live view, which lists the names
    expect(page.get_by_text(NAME).first).to_be_visible()  # the name as text, not an image
    assert page.locator(f'img[src^="{OUTSIDE}"]').count() == 0
    shot(page, "workshop-with-hostile-name")
    assert page.evaluate("() => window.__pwned === undefined")
    assert leaked == [], leaked
    no_exception(page)


def test_a_participant_reaches_neither_the_facilitator_view_nor_the_session_list(
        app_server: AppServer, context_page: Callable[[], Page],
        hostile_session: tuple[str, str, str], shot: Shot) -> None:
    sid, _, code = hostile_session
    page = context_page()
    open_app(page, f"{app_server.url}/?ws={code}")
    page.get_by_label("Your name (and organisation, if you like)").fill("Curious Carol")
    rerun_after(page, page.get_by_role("button", name="Join").click)
    wait_text(page, "Welcome, Curious Carol")

    # in the same browser session, the address without ?ws= keeps the form only
    page.evaluate("() => { const u = new URL(location); u.searchParams.delete('ws');"
                  " history.replaceState(null, '', u); }")
    rerun_after(page, page.get_by_role("button", name="Submit my scores").click)
    expect(page.locator('[data-testid="stSidebar"]')).to_have_count(0)

    # a fresh visit with the facilitator's session id but no key: a new, empty session
    for step in ("workshop", "export"):
        open_app(page, f"{app_server.url}/?sid={sid}&step={step}")
        wait_text(page, "does not open a saved session")
        expect(page.get_by_text(code, exact=True)).to_have_count(0)
        expect(page.get_by_text("Click me")).to_have_count(0)  # the session's title
        assert f"sid={sid}" not in page.url
        shot(page, f"id-alone-{step}")
    expect(page.get_by_text("No other sessions opened in this browser session")).to_be_visible()
    no_exception(page)


def test_two_tabs_on_one_session_keep_both_or_refuse_one(
        app_server: AppServer, browser: Browser, shot: Shot) -> None:
    """Both tabs add a finding: the second save is merged, both findings kept. Then both
    change the title: a real conflict, refused with a message; the tab keeps its change and
    can load the saved version."""
    ev = Evidence.from_dataset(load_any(None))
    session = new_session(ev, ARCHETYPES["engineering_assembly_cluster"][0])
    db = app_server.home / "policymix.sqlite3"
    sid, key, _ = SessionStore(db).create(session)
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    context.set_default_timeout(RUN_TIMEOUT_MS)
    try:
        tabs = [context.new_page(), context.new_page()]
        for tab in tabs:
            open_app(tab, f"{app_server.url}/?sid={sid}&key={key}&step=findings")
            expect(tab.get_by_role("heading", name="Strengths and bottlenecks")).to_be_visible()
        for i, tab in enumerate(tabs):
            form = tab.locator(".st-key-add_finding")
            form.get_by_label("What do you know?").fill(f"Tab {'AB'[i]} knows this.")
            rerun_after(tab, form.get_by_role("button", name="Add finding").click)
        a, b = tabs
        expect(a.get_by_text("Not saved")).to_have_count(0)
        wait_text(b, "both sets of changes are kept")
        expect(b.get_by_text("Not saved")).to_have_count(0)
        stored = [f.text for f in SessionStore(db).load(sid).findings]
        assert "Tab A knows this." in stored and "Tab B knows this." in stored
        expect(b.get_by_text("Tab A knows this.").first).to_be_visible()  # merged into tab B
        expect(b.get_by_text("Tab B knows this.").first).to_be_visible()
        shot(b, "tab-b-merged")
        for tab in tabs:  # now both change the same field
            open_app(tab, f"{app_server.url}/?sid={sid}&key={key}&step=export")
            expect(tab.get_by_label("Session title")).to_be_visible()
        for i, tab in enumerate(tabs):
            box = tab.get_by_label("Session title")
            box.fill(f"Title from tab {'AB'[i]}")
            rerun_after(tab, lambda box=box: box.press("Enter"))
        expect(a.get_by_text("Not saved")).to_have_count(0)
        wait_text(b, "Not saved: this session was changed in another tab")
        wait_text(b, "Both of you changed the same part (title)")
        shot(b, "tab-b-refused")
        saved = SessionStore(db).load(sid)
        assert saved.title == "Title from tab A"
        assert "Tab B knows this." in [f.text for f in saved.findings]  # the merge stands
        rerun_after(b, b.get_by_role("button", name="Load the saved version").click)
        expect(b.get_by_label("Session title")).to_have_value("Title from tab A")
        shot(b, "tab-b-loaded-the-saved-version")
        expect(b.get_by_text("Not saved")).to_have_count(0)
        no_exception(b)
    finally:
        context.close()
