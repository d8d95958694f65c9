"""How selective the advice is: calibration figures over every district (issue 10).

Run from the project root::

    .venv/bin/python benchmarks/calibration.py [--data PATH ...]

Without ``--data`` it covers the bundled demo, the full demo (``demo:full``) and the real BRES
NUTS2 sample (``evidence.sources.samples.load_sample_nuts2``). For each it prints the median
and spread of the number of interventions recommended per district, the share of districts
each intervention is recommended in, how often each finding (topic and sector) fires, the
number of distinct top-3 sets, and whether the targets of issue 10 are met. Exit status 1 when
a target is missed on a synthetic demo (the real sample has only 39 areas and is reported, not
judged).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

# Run as a script, this file's folder comes first on sys.path and benchmarks/evidence.py would
# shadow the `evidence` package: put the project root first.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from evidence.service import FULL_DEMO, Evidence  # noqa: E402
from evidence.sources.samples import load_sample_nuts2  # noqa: E402
from policy.calibration import calibration, recommend_all  # noqa: E402

SOURCES = {
    "bundled demo": None,
    "full demo (demo:full)": FULL_DEMO,
    "real BRES NUTS2 sample": "sample:nuts2",
}


def _evidence(spec: str | None) -> Evidence:
    if spec == "sample:nuts2":
        return Evidence.from_dataset(load_sample_nuts2())
    return Evidence.from_path(spec)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", action="append",
                        help="data file, demo:full or sample:nuts2 (repeatable); default: all "
                        "three bundled sets")
    parser.add_argument("--top", type=int, default=8, help="rows per frequency table")
    args = parser.parse_args(argv)
    sources = {d: d for d in args.data} if args.data else SOURCES
    missed = False
    for label, spec in sources.items():
        t0 = time.perf_counter()
        cal = calibration(recommend_all(_evidence(spec)), label)
        print(cal.text(args.top))
        print(f"({time.perf_counter() - t0:.1f} s)\n")
        if spec != "sample:nuts2" and not all(cal.checks.values()):
            missed = True
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
