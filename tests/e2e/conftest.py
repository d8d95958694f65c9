"""End-to-end fixtures: the real app under `streamlit run`, driven by headless Chromium.

- ``app_server`` (session): starts ``streamlit run streamlit_app.py`` on a free port with its own
  ``POLICYMIX_HOME`` (SQLite store and uploads in a temporary directory), waits for
  ``/_stcore/health`` and kills the whole process group at the end.
- ``browser`` (session): Debian's Chromium through Playwright's sync API. It is never downloaded
  (no ``playwright install``); if ``/usr/bin/chromium`` is missing the tests FAIL with a message
  saying how to install it - they never skip.
- ``page``: a fresh browser context per test (1400x1000), closed afterwards.
- ``shot``: ``shot(page, name)`` saves ``test-artifacts/e2e/<test>/<nn>-<name>.png``.

Streamlit renders asynchronously over a websocket: ``tests/e2e/st_helpers.py`` has the helpers
that wait on the app's own state rather than sleeping.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from tests.e2e.st_helpers import RUN_TIMEOUT_MS

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "test-artifacts" / "e2e"
CHROMIUM = os.environ.get("POLICYMIX_E2E_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
SERVER_START_TIMEOUT = 60.0
E2E_DIR = Path(__file__).resolve().parent

# expect(...) retries until this (default 5 s): a rerun with a cold data cache can take longer
expect.set_options(timeout=15_000)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "e2e: end-to-end test driving the real Streamlit app in headless Chromium"
    )


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if E2E_DIR in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.e2e)


# --------------------------------------------------------------------------- the server


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as resp:
            return resp.status == 200
    except OSError:
        return False


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=10)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait(timeout=10)


class AppServer:
    def __init__(self, url: str, home: Path, log: Path) -> None:
        self.url = url
        self.home = home  # POLICYMIX_HOME of the server: SQLite store and uploads
        self.log = log

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""


@pytest.fixture(scope="session")
def app_server() -> Iterator[AppServer]:
    home = Path(tempfile.mkdtemp(prefix="policymix-e2e-"))
    log = home / "streamlit.log"
    port = _free_port()
    env = {**os.environ, "POLICYMIX_HOME": str(home), "PYTHONUNBUFFERED": "1"}
    env.pop("POLICYMIX_DB", None)  # the store must live under POLICYMIX_HOME
    cmd = [
        sys.executable, "-m", "streamlit", "run", "streamlit_app.py",
        "--server.port", str(port),
        "--server.address", "127.0.0.1",
        "--server.headless", "true",
        "--browser.gatherUsageStats", "false",
        # others edit the source while tests run: never rerun the app on a file change
        "--server.fileWatcherType", "none",
    ]
    url = f"http://127.0.0.1:{port}"
    with open(log, "wb") as out:
        proc = subprocess.Popen(cmd, cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True)
    server = AppServer(url, home, log)
    try:
        deadline = time.monotonic() + SERVER_START_TIMEOUT
        while not _healthy(url):
            if proc.poll() is not None:
                pytest.fail(f"streamlit exited with code {proc.returncode} before answering "
                            f"{url}/_stcore/health. Output:\n{server.output()}")
            if time.monotonic() > deadline:
                pytest.fail(f"streamlit did not answer {url}/_stcore/health within "
                            f"{SERVER_START_TIMEOUT:.0f} s. Output:\n{server.output()}")
            time.sleep(0.25)
        yield server
    finally:
        _stop(proc)
        shutil.rmtree(home, ignore_errors=True)


# --------------------------------------------------------------------------- the browser


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        how = "sudo apt-get install chromium (or `make test`: scripts/ensure_chromium.sh)"
        if os.environ.get("CI"):
            pytest.fail(f"CI: Chromium is missing at {CHROMIUM}; the CI script must install it "
                        f"before the tests ({how}).", pytrace=False)
        pytest.fail(f"The end-to-end tests need Debian's Chromium at {CHROMIUM}. Install it "
                    f"with: {how}. Do not run `playwright install`; set POLICYMIX_E2E_CHROMIUM "
                    "to use a browser elsewhere.", pytrace=False)
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    context.set_default_timeout(RUN_TIMEOUT_MS)
    pg = context.new_page()
    try:
        yield pg
    finally:
        context.close()


@pytest.fixture
def shot(request: pytest.FixtureRequest) -> Callable[[Page, str], Path]:
    """``shot(page, name)``: a numbered full-page screenshot for this test."""
    folder = ARTIFACTS / re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name)
    shutil.rmtree(folder, ignore_errors=True)
    counter = iter(range(1, 100))

    def take(pg: Page, name: str) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        slug = re.sub(r"[^A-Za-z0-9_-]+", "-", name).strip("-")
        path = folder / f"{next(counter):02d}-{slug}.png"
        pg.screenshot(path=str(path), full_page=True)
        return path

    return take
