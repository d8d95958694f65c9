"""How long each walkthrough page takes in a real browser on the full national demo (issue 14).

A measurement printed, not a timed assertion (the machine running the tests may be shared):
a session on the full national demo (360 districts x 615 SIC classes) is saved, opened by its
address, every page visited once to warm the caches, then each page opened ``ROUNDS`` times
from the sidebar. The time of one page is from the click on its step in the sidebar to its
main content being rendered: the page's heading on screen, the script run finished and no
element left stale from the previous page. Printed as a table, page -> median (min-max) ms,
with the pages over the 300 ms bar marked; run with ``-s`` to see it (it is also written to
``test-artifacts/e2e/page-timings.txt``).
"""

from __future__ import annotations

import statistics
import time

from playwright.sync_api import Page, expect

from evidence.service import FULL_DEMO, Evidence
from evidence.sources.demo import ARCHETYPES
from policy.storage import SessionStore
from policy.walkthrough import new_session
from tests.e2e.conftest import ARTIFACTS, AppServer
from tests.e2e.st_helpers import go_to_step, no_exception, open_app, wait_idle
from ui.steps import load_steps

ROUNDS = 3
BAR_MS = 300.0
AREA = ARCHETYPES["engineering_assembly_cluster"][0]


def _open_step(page: Page, title: str) -> float:
    """Milliseconds from the sidebar click to the page rendered and idle."""
    t0 = time.perf_counter()
    go_to_step(page, title)  # clicks, waits for the run and the page's heading
    wait_idle(page)
    expect(page.get_by_role("heading", name=title, exact=True)).to_be_visible()
    return (time.perf_counter() - t0) * 1000


def test_every_page_on_the_full_demo_is_timed(app_server: AppServer, page: Page) -> None:
    session = new_session(Evidence.from_path(FULL_DEMO), AREA, data_source=FULL_DEMO)
    sid, key, _ = SessionStore(app_server.home / "policymix.sqlite3").create(session)
    steps = load_steps()
    open_app(page, f"{app_server.url}/?sid={sid}&key={key}&step={steps[0].id}")
    for step in steps[1:] + steps[:1]:  # warm-up: each page's first run fills its caches
        _open_step(page, step.title)
        no_exception(page)
    times: dict[str, list[float]] = {s.title: [] for s in steps}
    for _ in range(ROUNDS):
        for step in steps[1:] + steps[:1]:
            times[step.title].append(_open_step(page, step.title))
            no_exception(page)
    lines = [f"Pages on the full national demo ({AREA}), sidebar click to page rendered, "
             f"median (min-max) of {ROUNDS} in headless Chromium:"]
    width = max(len(t) for t in times)
    for title, xs in times.items():
        med = statistics.median(xs)
        flag = "" if med <= BAR_MS else f"  <-- over {BAR_MS:.0f} ms"
        lines.append(f"  {title:<{width}}  {med:6.0f} ms  ({min(xs):.0f}-{max(xs):.0f}){flag}")
    meds = [statistics.median(xs) for xs in times.values()]
    lines.append(f"  slowest median {max(meds):.0f} ms; pages over {BAR_MS:.0f} ms: "
                 f"{sum(m > BAR_MS for m in meds)} of {len(meds)}")
    report = "\n".join(lines)
    print("\n" + report)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "page-timings.txt").write_text(report + "\n", encoding="utf-8")
    # Every page was measured ROUNDS times and rendered without an exception.
    assert all(len(xs) == ROUNDS and all(x > 0 for x in xs) for xs in times.values())
