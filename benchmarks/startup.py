"""Time the app's start: process start to the server answering, and to the first page served.

    .venv/bin/python benchmarks/startup.py [--repeat 5]

Runs ``streamlit run streamlit_app.py`` in each configuration below, interleaved, and opens the
app in headless Chromium (Playwright, ``/usr/bin/chromium``) as soon as ``/_stcore/health``
answers. "First page" is when the opening page (Data and area, on the bundled demo) has its
heading on screen and its script run finished. Medians with min-max.

- ``before``: the development environment (``.venv``, with pytest, hypothesis, playwright,
  polars ...) and no background warm-up (``POLICYMIX_WARM=0``): how the app started until now
- ``dev env + warm``: the development environment with the warm-up
- ``app env + warm``: ``make app``'s runtime-only environment (``.venv-app``) with the
  warm-up: how the app starts now

The opening page needs the bundled demo loaded (it lists the areas): with the warm-up that has
started by the time the browser connects. A configuration whose environment is missing is
skipped with a note (``make app`` builds ``.venv-app``).

The command line's start-up (every ``policymix`` command as a whole process) is
``benchmarks/cli.py``.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = os.environ.get("POLICYMIX_E2E_CHROMIUM", "/usr/bin/chromium")
CONFIGS = {
    "before": (ROOT / ".venv", "0"),
    "dev env + warm": (ROOT / ".venv", "1"),
    "app env + warm": (ROOT / ".venv-app", "1"),
}


def _venv(path: Path) -> Path:
    """``path``, or the main checkout's environment when this is a git worktree without one."""
    if (path / "bin" / "python").exists():
        return path
    common = subprocess.run(["git", "rev-parse", "--git-common-dir"], cwd=ROOT,
                            capture_output=True, text=True).stdout.strip()
    other = (ROOT / common).resolve().parent / path.name if common else path
    return other if (other / "bin" / "python").exists() else path


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=1) as r:
            return r.status == 200
    except OSError:
        return False


def one_start(browser: object, venv: Path, warm: str) -> tuple[float, float]:
    """Seconds from the process start to health, and to the first page rendered."""
    port = _port()
    url = f"http://127.0.0.1:{port}"
    home = tempfile.mkdtemp(prefix="policymix-start-")
    env = {**os.environ, "POLICYMIX_HOME": home, "POLICYMIX_WARM": warm,
           "PYTHONPATH": str(ROOT)}
    env.pop("POLICYMIX_DB", None)
    cmd = [str(venv / "bin" / "python"), "-m", "streamlit", "run", "streamlit_app.py",
           "--server.port", str(port), "--server.address", "127.0.0.1",
           "--server.headless", "true", "--browser.gatherUsageStats", "false",
           "--server.fileWatcherType", "none"]
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        while not _healthy(url):
            if proc.poll() is not None or time.perf_counter() - t0 > 120:
                raise RuntimeError(f"streamlit from {venv} did not start")
            time.sleep(0.05)
        t_health = time.perf_counter() - t0
        context = browser.new_context()  # type: ignore[attr-defined]
        page = context.new_page()
        page.set_default_timeout(120_000)
        page.goto(url)
        page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]')
        page.get_by_role("heading", name="Data and area", exact=True).wait_for()
        t_page = time.perf_counter() - t0
        context.close()
        return t_health, t_page
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=20)


def main(argv: list[str] | None = None) -> int:
    from playwright.sync_api import sync_playwright

    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--repeat", type=int, default=5)
    args = p.parse_args(argv)
    configs = {}
    for name, (venv, warm) in CONFIGS.items():
        found = _venv(venv)
        if not (found / "bin" / "streamlit").exists():
            print(f"{name}: skipped, no environment at {venv} (make app builds .venv-app)")
            continue
        configs[name] = (found, warm)
    times: dict[str, list[tuple[float, float]]] = {n: [] for n in configs}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True,
                                     args=["--no-sandbox", "--disable-gpu"])
        for venv, warm in configs.values():  # warm-up: the OS file cache
            one_start(browser, venv, warm)
        for _ in range(args.repeat):
            for name, (venv, warm) in configs.items():
                times[name].append(one_start(browser, venv, warm))
        browser.close()
    print(f"app start, median (min-max) of {args.repeat} interleaved starts")
    for name, xs in times.items():
        h = [x[0] for x in xs]
        f = [x[1] for x in xs]
        print(f"  {name:<16} server answers {statistics.median(h):5.2f} s ({min(h):.2f}-"
              f"{max(h):.2f})   first page {statistics.median(f):5.2f} s ({min(f):.2f}-"
              f"{max(f):.2f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
