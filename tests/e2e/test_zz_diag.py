# ruff: noqa
"""Scratch: where a page's browser time goes (not committed)."""
from __future__ import annotations
import json, os, statistics, time
from playwright.sync_api import Page
from evidence.service import FULL_DEMO, Evidence
from policy.storage import SessionStore
from policy.walkthrough import new_session
from tests.e2e.conftest import AppServer
from tests.e2e.st_helpers import go_to_step, open_app, wait_idle
from tests.e2e.test_page_timings import AREA, _WATCH_RENDER
from ui.steps import load_steps

HOOK = """(() => {
  window.__pmMsgs = [];
  const Native = window.WebSocket;
  window.WebSocket = class extends Native {
    constructor(...a) { super(...a);
      this.addEventListener('message', (e) => {
        const n = e.data.byteLength ?? e.data.size ?? e.data.length;
        window.__pmMsgs.push([performance.now(), n]); }); }
  };
})();"""

def test_diag(app_server: AppServer, page: Page) -> None:
    session = new_session(Evidence.from_path(FULL_DEMO), AREA, data_source=FULL_DEMO)
    sid, key, _ = SessionStore(app_server.home / "policymix.sqlite3").create(session)
    steps = load_steps()
    page.add_init_script(HOOK)
    open_app(page, f"{app_server.url}/?sid={sid}&key={key}&step={steps[0].id}")
    spy = None
    if os.environ.get("DIAG_SPY"):
        import subprocess
        kids = open(f"/proc/{os.getpid()}/task/{os.getpid()}/children").read().split()
        spy = subprocess.Popen(["/tmp/tools/bin/py-spy", "record", "-p", kids[0], "-o", os.environ["DIAG_SPY"],
                                "-f", "raw", "-r", "200", "--threads"], env={**os.environ, "PYTHONPATH": "/tmp/tools"})
        time.sleep(1.5)
    only = os.environ.get("DIAG_STEPS")
    rounds = int(os.environ.get("DIAG_ROUNDS", "2"))
    out = []
    for r in range(rounds + 1):
        for step in steps[1:] + steps[:1]:
            if only and step.id not in only.split(","):
                continue
            wait_idle(page)
            page.evaluate("() => { window.__pmMsgs = []; }")
            page.evaluate(_WATCH_RENDER, step.title)
            go_to_step(page, step.title)
            wait_idle(page)
            page.wait_for_function("() => window.__pmDoneAt !== null")
            d = page.evaluate("""() => {
              const c = window.__pmClickAt, m = window.__pmMsgs.filter(x => x[0] >= c);
              return {done: window.__pmDoneAt - c, first: m.length ? m[0][0] - c : null,
                      last: m.length ? m[m.length-1][0] - c : null, n: m.length,
                      kb: m.reduce((s, x) => s + x[1], 0) / 1024,
                      nodes: document.querySelectorAll('[data-testid="stMain"] *').length,
                      vega: document.querySelectorAll('[data-testid="stVegaLiteChart"]').length,
                      grids: document.querySelectorAll('[data-testid="stDataFrame"]').length,
                      gv: document.querySelectorAll('[data-testid="stGraphVizChart"]').length};
            }""")
            if r:
                out.append({"step": step.id, **d})
            if r == rounds and os.environ.get("DIAG_TIMELINE"):
                tl = page.evaluate("() => window.__pmMsgs.filter(x => x[0] >= window.__pmClickAt).map(x => [Math.round(x[0]-window.__pmClickAt), x[1]])")
                print(step.id, tl)
    if spy:
        import signal
        spy.send_signal(signal.SIGINT); spy.wait(timeout=30)
    for s in steps:
        rows = [o for o in out if o["step"] == s.id]
        if rows:
            med = lambda k: statistics.median(o[k] for o in rows if o[k] is not None)
            print(f"{s.id:14s} done {med('done'):6.0f}  first msg {med('first'):6.0f}  last msg {med('last'):6.0f}"
                  f"  msgs {med('n'):4.0f}  {med('kb'):8.1f} KB  nodes {med('nodes'):6.0f} vega {rows[0]['vega']} grids {rows[0]['grids']} gv {rows[0]['gv']}")
