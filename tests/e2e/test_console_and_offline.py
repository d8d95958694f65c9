"""Browser: every page, every tab, with the network outside this machine cut off (issue 15).

One pass over the walkthrough (each step of a complete demo session, each of its tabs opened in
turn, so charts drawn only once their tab shows are drawn too) and the participant's form, at
desk width and at phone size. The browser context aborts every request that is not for the
app's own server, and records it:

- **offline**: no page asks for anything outside the app (favicon, fonts, images, scripts);
  the app must work on a council laptop with no internet and must not tell a third party
  who is using it;
- **console**: no Vega or Vega-Lite warning (such as ``Dropping "fit-y" because spec has
  discrete height``, from a chart with a discrete axis left to fit its height) and no error
  other than the frontend's known probe of ``/<page>/_stcore/health`` and ``host-config``
  (it tries the page's path as the base path first, gets a 404 and falls back).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, Response, Route

from evidence.service import Evidence, load_any
from evidence.sources.demo import ARCHETYPES
from policy.storage import SessionStore
from policy.walkthrough import new_session
from policy.workshop import WorkshopStore
from tests.e2e.conftest import AppServer
from tests.e2e.st_helpers import RUN_TIMEOUT_MS, no_exception, open_app, rerun_after, wait_idle
from ui.steps import load_steps

pytestmark = pytest.mark.e2e

Shot = Callable[[Page, str], Path]
VEGA_WARNING = re.compile(r"^(WARN|ERROR)\s|vega|Infinite extent|Dropping \"fit", re.I)
BASE_PATH_PROBE = re.compile(r"/_stcore/(health|host-config)$")
"""Streamlit's frontend first tries the page's path as the server's base path."""
LOCAL_HOSTS = {"127.0.0.1", "localhost"}
SMALLEST_TEXT_PX = 11.0
"""The causal diagrams' box text on a desk screen (the merged one in one picture was ~6 px)."""
_DIAGRAM_TEXT_PX = """() => Array.from(
    document.querySelectorAll('[data-testid="stGraphVizChart"] svg'))
  .filter((svg) => !svg.closest('[data-testid="stExpander"]') && svg.getBoundingClientRect().width)
  .map((svg) => {
    const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
    const sizes = Array.from(svg.querySelectorAll('g.node text'),
                             (t) => parseFloat(t.getAttribute('font-size')) * scale);
    return Math.min(...sizes);
  })"""


@dataclass
class Watch:
    """What the browser saw on the way: messages, refused outside requests, probe 404s."""

    where: str = "start"
    outside: list[str] = field(default_factory=list)
    console: list[tuple[str, str, str]] = field(default_factory=list)  # (where, type, text)
    probes: int = 0

    def problems(self) -> list[str]:
        """Console warnings from Vega and errors, less one error line per known 404 probe."""
        errors = [c for c in self.console if c[1] == "error"]
        not_found = [c for c in errors if "404" in c[2]]
        other_errors = [c for c in errors if "404" not in c[2]]
        vega = [c for c in self.console if c[1] == "warning" and VEGA_WARNING.search(c[2])]
        extra_404 = not_found[self.probes:]  # more 404 lines than probes answered 404
        return [f"{w}: {t}: {x}" for w, t, x in vega + other_errors + extra_404]


def watch(page: Page, app_url: str) -> Watch:
    seen = Watch()
    app_host = urlsplit(app_url).hostname

    def route(r: Route) -> None:
        url = urlsplit(r.request.url)
        if url.scheme in ("http", "https", "ws", "wss") and url.hostname not in (
                LOCAL_HOSTS | {app_host}):
            seen.outside.append(f"{seen.where}: {r.request.url}")
            r.abort("internetdisconnected")
        else:
            r.continue_()

    def response(resp: Response) -> None:
        if resp.status == 404 and BASE_PATH_PROBE.search(urlsplit(resp.url).path):
            seen.probes += 1
        elif resp.status >= 400:
            seen.console.append((seen.where, "error", f"HTTP {resp.status} {resp.url}"))

    def console(msg: ConsoleMessage) -> None:
        seen.console.append((seen.where, msg.type, msg.text))

    page.context.route("**/*", route)
    page.on("response", response)
    page.on("console", console)
    page.on("pageerror", lambda exc: seen.console.append((seen.where, "error", str(exc))))
    return seen


@pytest.fixture(scope="module")
def saved(app_server: AppServer) -> tuple[str, str, str]:
    """A complete demo session, saved, with a workshop started on it: (sid, key, code)."""
    ev = Evidence.from_dataset(load_any(None))
    session = new_session(ev, ARCHETYPES["engineering_assembly_cluster"][0])
    db = app_server.home / "policymix.sqlite3"
    sid, key, _ = SessionStore(db).create(session)
    code = WorkshopStore(db).start_workshop(session).code
    return sid, key, code


def every_tab(page: Page, seen: Watch, step: str) -> None:
    """Open each tab of the page in turn (a page draws a tab when it is opened)."""
    tabs = page.get_by_role("tab")
    for i in range(tabs.count()):
        tab = tabs.nth(i)
        if not tab.is_visible():
            continue
        seen.where = f"{step} / {tab.inner_text().strip()}"
        if tab.get_attribute("aria-selected") != "true":
            rerun_after(page, tab.click)  # a page draws only its open tab: a script run
        page.wait_for_timeout(400)  # let Vega embed and lay out the newly shown charts
        wait_idle(page)


@pytest.mark.parametrize("size", [(1280, 900), (390, 844)], ids=["desk", "phone"])
def test_every_page_offline_without_console_warnings(
        browser: Browser, app_server: AppServer, saved: tuple[str, str, str],
        size: tuple[int, int], shot: Shot) -> None:
    sid, key, code = saved
    context = browser.new_context(viewport={"width": size[0], "height": size[1]})
    context.set_default_timeout(RUN_TIMEOUT_MS)
    try:
        page = context.new_page()
        seen = watch(page, app_server.url)
        steps = load_steps()
        for i, step in enumerate(steps):
            seen.where = step.id
            path = "" if i == 0 else step.id  # the first step is the app's default page
            open_app(page, f"{app_server.url}/{path}?sid={sid}&key={key}&step={step.id}")
            page.get_by_role("heading", name=step.title, exact=True).wait_for()
            wait_idle(page)
            no_exception(page)
            every_tab(page, seen, step.id)
            if step.id == "causal" and size[0] >= 1000:
                rerun_after(page, page.get_by_role("tab", name="The policy mix").click)
                sizes = page.evaluate(_DIAGRAM_TEXT_PX)
                assert len(sizes) >= 3 and min(sizes) >= SMALLEST_TEXT_PX, sizes
            shot(page, step.id)
        seen.where = "participant"
        open_app(page, f"{app_server.url}/?ws={code}")
        page.get_by_role("textbox").first.wait_for()
        no_exception(page)
        shot(page, "participant")
    finally:
        context.close()
    assert seen.outside == [], "requests left the machine:\n" + "\n".join(seen.outside)
    assert seen.problems() == [], "console:\n" + "\n".join(seen.problems())
