"""Waiting on Streamlit in a real browser.

Streamlit renders asynchronously: a click sends a rerun request over the websocket, the script
runs on the server, and the page is patched as elements arrive. These helpers wait on the app's
own state - ``data-test-connection-state`` and ``data-test-script-state`` on
``[data-testid="stApp"]``, the status widget's running icon and ``data-stale`` elements - and on
specific text, never on fixed sleeps.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Locator, Page, expect

RUN_TIMEOUT_MS = 30_000  # one script run (the first one loads and indexes the demo data)
APP = '[data-testid="stApp"]'


def wait_idle(page: Page, timeout: float = RUN_TIMEOUT_MS) -> None:
    """Connected, no script run in flight, no stale elements left from the previous run."""
    page.wait_for_selector(f'{APP}[data-test-connection-state="CONNECTED"]', timeout=timeout)
    page.wait_for_selector(f'{APP}[data-test-script-state="notRunning"]', timeout=timeout)
    page.wait_for_function(
        """() => !document.querySelector('[data-testid="stStatusWidget"] '
                                          + '[data-testid="stStatusWidgetRunningIcon"]')
               && !document.querySelector('[data-stale="true"]')""",
        timeout=timeout,
    )


_WATCH_RUNS = """() => {
  const app = document.querySelector('[data-testid="stApp"]');
  if (window.__pmObserver) window.__pmObserver.disconnect();
  window.__pmRuns = 0;
  window.__pmObserver = new MutationObserver((records) => {
    window.__pmRuns += records.length;  // every change of the run state
  });
  window.__pmObserver.observe(app, {attributes: true, attributeOldValue: true,
                                    attributeFilter: ['data-test-script-state']});
}"""


def rerun_after(page: Page, action: Callable[[], object],
                timeout: float = RUN_TIMEOUT_MS) -> None:
    """Do ``action`` (a click, a fill...) and wait for the script run it triggers to finish.

    Watching the script-state attribute avoids the race where we look for "idle" before the
    frontend has even sent the rerun request.
    """
    wait_idle(page, timeout)
    page.evaluate(_WATCH_RUNS)
    action()
    page.wait_for_function("() => window.__pmRuns > 0", timeout=timeout)
    wait_idle(page, timeout)


def open_app(page: Page, url: str) -> None:
    page.goto(url)
    page.wait_for_selector('[data-testid="stAppViewContainer"]')
    wait_idle(page)
    page.wait_for_selector("h1")


def wait_text(page_or_locator: Page | Locator, text: str | re.Pattern[str],
              timeout: float = RUN_TIMEOUT_MS) -> Locator:
    """The first visible element showing ``text`` (substring or regex), once it is there."""
    loc = page_or_locator.get_by_text(text).first
    expect(loc).to_be_visible(timeout=timeout)
    return loc


def no_exception(page: Page) -> None:
    """Fail with the traceback text if the app shows a Python exception."""
    exc = page.locator('[data-testid="stException"]')
    if exc.count():
        pytest.fail("the app raised:\n" + "\n".join(exc.all_inner_texts()))


def choose_selectbox(page: Page, label: str, typed: str, option: str | re.Pattern[str]) -> None:
    """Open the selectbox labelled ``label``, type ``typed`` and pick the matching option."""
    box = page.locator('[data-testid="stSelectbox"]').filter(
        has=page.get_by_text(label, exact=True))
    box.click()
    page.keyboard.type(typed)
    choice = page.get_by_role("option", name=option)
    expect(choice.first).to_be_visible()
    rerun_after(page, lambda: choice.first.click())
