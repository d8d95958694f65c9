"""Waiting on Streamlit in a real browser.

Streamlit renders asynchronously: a click sends a rerun request over the websocket, the script
runs on the server, and the page is patched as elements arrive. These helpers wait on the app's
own state - ``data-test-connection-state`` and ``data-test-script-state`` on
``[data-testid="stApp"]``, the status widget's running icon and ``data-stale`` elements - and on
specific text, never on fixed sleeps.

Data editors and dataframes draw on a canvas (Glide Data Grid). Glide also keeps an accessible
copy of the rows it shows as a hidden ``<table>`` whose cells carry the test ids
``glide-cell-<col>-<row>`` and ``aria-selected``: the grid helpers read values and check the
selection there, click the canvas by row geometry and edit with the keyboard, as a user would.
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


# Installed by open_app before the app's own code runs: counts the websocket traffic. A rerun
# request is an outgoing message; its run comes back as incoming ones.
_COUNT_MESSAGES = """(() => {
  if (window.__pmWsHooked) return;
  window.__pmWsHooked = true;
  window.__pmIn = 0; window.__pmLastIn = 0; window.__pmOut = 0; window.__pmOutAt = 0;
  const Native = window.WebSocket;
  window.WebSocket = class extends Native {
    constructor(...args) {
      super(...args);
      this.addEventListener('message', () => {
        window.__pmIn += 1; window.__pmLastIn = performance.now();
      });
    }
    send(data) {
      window.__pmOut += 1; window.__pmOutAt = performance.now();
      return super.send(data);
    }
  };
})();"""

_WATCH_RUNS = """() => {
  const app = document.querySelector('[data-testid="stApp"]');
  if (window.__pmObserver) window.__pmObserver.disconnect();
  window.__pmRuns = 0;
  window.__pmObserver = new MutationObserver((records) => {
    window.__pmRuns += records.length;  // every change of the run state
  });
  window.__pmObserver.observe(app, {attributes: true, attributeOldValue: true,
                                    attributeFilter: ['data-test-script-state']});
  return window.__pmWsHooked ? window.__pmOut : null;
}"""

# A run has started: its state change reached the DOM, or - when the frontend applied "running"
# and "notRunning" in one render, which happens when its main thread is busy (a big Graphviz
# layout, say) - a message went out and the server answered after it.
_RUN_SEEN = """(out0) => window.__pmRuns > 0 || (out0 !== null && window.__pmOut > out0
                                               && window.__pmLastIn > window.__pmOutAt)"""
# ... and in that second case the answer has stopped arriving, so the frontend has applied it.
_RUN_SETTLED = "() => window.__pmRuns > 0 || performance.now() - window.__pmLastIn > 250"


def rerun_after(page: Page, action: Callable[[], object],
                timeout: float = RUN_TIMEOUT_MS) -> None:
    """Do ``action`` (a click, a fill...) and wait for the script run it triggers to finish.

    Watching the script-state attribute avoids the race where we look for "idle" before the
    frontend has even sent the rerun request; the websocket counters (from ``open_app``) catch
    the runs whose state change never showed in the DOM.
    """
    wait_idle(page, timeout)
    out0 = page.evaluate(_WATCH_RUNS)
    action()
    page.wait_for_function(_RUN_SEEN, arg=out0, timeout=timeout)
    page.wait_for_function(_RUN_SETTLED, timeout=timeout)
    wait_idle(page, timeout)


def open_app(page: Page, url: str, timeout: float = RUN_TIMEOUT_MS) -> None:
    """Open ``url`` and wait for its first run (``timeout``: longer for a first run that
    loads a big file)."""
    page.add_init_script(_COUNT_MESSAGES)  # idempotent; kept for reloads of this page
    page.goto(url)
    page.wait_for_selector('[data-testid="stAppViewContainer"]')
    wait_idle(page, timeout)
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


# --------------------------------------------------------------------------- pages and charts


STEPS = '[data-testid="stSidebar"] .st-key-steplist'
"""The sidebar's list of steps: one button a step, named "<n>. <title>" (icons are hidden from
the accessible name)."""


def step_button(page: Page, title: str | re.Pattern[str]) -> Locator:
    """The sidebar's button for the step titled ``title`` (a regex matches the title part)."""
    pattern = title.pattern if isinstance(title, re.Pattern) else re.escape(title)
    return page.locator(STEPS).get_by_role("button", name=re.compile(rf"^\d+\. (?:{pattern})$"))


def go_to_step(page: Page, title: str, timeout: float = RUN_TIMEOUT_MS) -> None:
    """Open a walkthrough step from the sidebar's list of steps, by its title; the step's
    button is then the highlighted (primary) one."""
    button = step_button(page, title)
    rerun_after(page, button.click, timeout)
    expect(page.get_by_role("heading", name=title, exact=True)).to_be_visible(timeout=timeout)
    expect(step_button(page, title)).to_have_attribute("kind", "primary", timeout=timeout)


def visible_panel(page: Page) -> Locator:
    """The tab panel on show (Streamlit keeps the other tabs' panels in the DOM, hidden)."""
    return page.locator('[data-testid="stTabPanel"]:visible').first


def chart_drawn(chart: Locator) -> None:
    """A Vega-Lite chart that has actually drawn marks (SVG or canvas, per renderer)."""
    expect(chart).to_be_visible()
    expect(chart.locator("svg.marks, canvas").first).to_be_visible()
    box = chart.bounding_box()
    assert box is not None and box["width"] > 200 and box["height"] > 100


# --------------------------------------------------------------------------- data grids

GRID_HEADER_PX = 36  # Streamlit's default header and row heights in its Glide grids
GRID_ROW_PX = 35


def grid_cell(frame: Locator, col: int, row: int) -> Locator:
    """The accessible copy of one visible cell of a dataframe or data editor (``frame`` is the
    ``stDataFrame`` element; columns count from the first shown one, hidden index excluded)."""
    return frame.locator(f'[data-testid="glide-cell-{col}-{row}"]')


def grid_rows(frame: Locator) -> list[list[str]]:
    """The text of every rendered row, cell by cell (the grid renders the rows in view)."""
    expect(grid_cell(frame, 0, 0)).to_be_attached()
    return frame.locator('canvas[data-testid="data-grid-canvas"]').evaluate(
        """(canvas) => Array.from(canvas.querySelectorAll('tbody tr'), (tr) =>
               Array.from(tr.querySelectorAll('td'), (td) => td.textContent))""")


def select_grid_cell(page: Page, frame: Locator, col: int, row: int) -> Locator:
    """Click row ``row`` in its first column, near the left edge (a checkbox there is centred, so
    it is not toggled), then move right with the keyboard to column ``col``."""
    canvas = frame.locator('canvas[data-testid="data-grid-canvas"]')
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    assert box is not None
    y = GRID_HEADER_PX + GRID_ROW_PX * row + GRID_ROW_PX // 2
    assert y < box["height"] - GRID_ROW_PX // 2, f"row {row} is below the grid's visible rows"
    page.mouse.click(box["x"] + 6, box["y"] + y)
    expect(grid_cell(frame, 0, row)).to_have_attribute("aria-selected", "true")
    for _ in range(col):
        page.keyboard.press("ArrowRight")
    cell = grid_cell(frame, col, row)
    expect(cell).to_have_attribute("aria-selected", "true")
    return cell


def toggle_grid_checkbox(page: Page, frame: Locator, col: int, row: int) -> None:
    """Tick or untick a checkbox cell: select it, press space, wait for the rerun.

    Check the result on the page: Glide does not refresh the accessible copy of a toggled cell.
    """
    select_grid_cell(page, frame, col, row)
    rerun_after(page, lambda: page.keyboard.press(" "))


def edit_grid_cell(page: Page, frame: Locator, col: int, row: int, value: str) -> None:
    """Type a new value into an editable text or number cell and commit it with Enter."""
    cell = select_grid_cell(page, frame, col, row)
    page.keyboard.press("Enter")  # opens Glide's overlay editor in the portal
    editor = page.locator('[data-testid="portal"] .gdg-input')
    expect(editor).to_be_focused()
    editor.fill(value)
    rerun_after(page, lambda: page.keyboard.press("Enter"))
    expect(cell).to_have_text(value)
