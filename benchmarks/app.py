"""Rerun time of every walkthrough page on the full national demo, measured with AppTest.

    .venv/bin/python benchmarks/app.py [--repeat 7]

Each page is opened once (warm-up: loading the full demo and computing every indicator happens
once per process and is cached), then rerun ``--repeat`` times; the median rerun is printed.
The bar is 300 ms per rerun.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("POLICYMIX_HOME", tempfile.mkdtemp(prefix="policymix-bench-"))
os.environ.setdefault("STREAMLIT_LOGGER_LEVEL", "error")

import logging  # noqa: E402

from streamlit.testing.v1 import AppTest  # noqa: E402

from evidence.service import Evidence  # noqa: E402
from evidence.sources.demo import ARCHETYPES, ensure_full_demo  # noqa: E402
from policy.walkthrough import new_session  # noqa: E402
from ui.state import FULL_DEMO  # noqa: E402
from ui.steps import load_steps  # noqa: E402

BAR_MS = 300.0

for name in list(logging.root.manager.loggerDict):
    if name.startswith("streamlit"):
        logging.getLogger(name).setLevel(logging.ERROR)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    ensure_full_demo()
    area = ARCHETYPES["engineering_assembly_cluster"][0]
    template = new_session(Evidence.from_path(ensure_full_demo()), area, data_source=FULL_DEMO)
    print(f"full national demo, area {area}; median of {args.repeat} reruns per page")
    worst = 0.0
    for step in load_steps():
        at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=300)
        at.session_state["step"] = step.id
        at.session_state["policymix_session"] = template.model_copy(deep=True)
        t0 = time.perf_counter()
        at.run()
        first = time.perf_counter() - t0
        if at.exception:
            print(f"{step.id:14s} FAILED: {at.exception[0].message}")
            continue
        times = []
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            at.run()
            times.append(time.perf_counter() - t0)
        med = statistics.median(times) * 1000
        worst = max(worst, med)
        flag = "" if med <= BAR_MS else "  <-- over the bar"
        print(f"{step.id:14s} first run {first * 1000:7.0f} ms   rerun median {med:6.0f} ms{flag}")
    print(f"slowest page rerun: {worst:.0f} ms (bar {BAR_MS:.0f} ms)")


if __name__ == "__main__":
    main()
