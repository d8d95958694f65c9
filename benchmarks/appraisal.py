"""Time the appraisal hot paths: Monte Carlo rank stability and a whole run_appraisal.

    .venv/bin/python benchmarks/appraisal.py [--repeat 7]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from evidence.service import Evidence  # noqa: E402
from evidence.sources.demo import ARCHETYPES  # noqa: E402
from policy.appraisal import (  # noqa: E402
    DEFAULT_CRITERIA,
    McdaInputs,
    Score,
    rank_stability,
    run_appraisal,  # noqa: E402
)
from policy.walkthrough import new_session  # noqa: E402


def median_ms(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    criteria = list(DEFAULT_CRITERIA)
    options = [f"o{i}" for i in range(12)]
    inputs = McdaInputs(
        option_ids=options, criteria=criteria,
        swing_weights={c.id: float(w) for c, w in zip(criteria, rng.integers(1, 101, 7),
                                                       strict=True)},
        scores=[Score(option_id=o, criterion_id=c.id, value=float(rng.integers(0, 101)))
                for o in options for c in criteria])
    ms = median_ms(lambda: rank_stability(inputs, n_draws=10_000), args.repeat)
    print(f"rank stability, 12 options x 7 criteria, 10,000 draws: median {ms:.1f} ms")
    session = new_session(Evidence.from_path(None), ARCHETYPES["declining_industrial"][0])
    ms = median_ms(lambda: run_appraisal(session.appraisal), args.repeat)
    print(f"run_appraisal (MCDA, thresholds, stability, CBA), default session: "
          f"median {ms:.1f} ms")


if __name__ == "__main__":
    main()
