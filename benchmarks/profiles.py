"""Time every district profile and the rules over every district, bundled and full demo.

    .venv/bin/python benchmarks/profiles.py [--repeat 7] [--no-full]

Targets (issue 14): all district profiles under 0.5 s, rules over all districts under 0.2 s.
Each repeat starts from fresh indicators for the period (nothing cached), and the stages are
timed one after the other, the two demos interleaved in every repeat so a noisy machine slows
both alike. Loading the file and building the cube are not timed (see benchmarks/evidence.py).

- ``analysis step``: class LQ, relatedness, variety, Esteban-Marquillas, FLQ multipliers and
  Moran + LISA (999 permutations) for all ten sectors: computed once per period for all areas
- ``profiles, first``: every district profile right after (the analysis is cached, the
  per-area parts are not), as one batch (``Evidence.profiles``: the collector paused)
- ``profiles, again``: every district profile a second time, the same way (what a page rerun
  or an export of a second area sees)
- ``first + analysis``: the sum of the two stages above it: all district profiles from fresh
  indicators, the strictest reading of "all district profiles"
- ``loop, again``: ``Evidence.profile`` called once per district (as a page does for its one
  area), the collector running: for comparison with the batch
- ``rules``: every packaged rule over every district profile, with its comparators'
  profiles, as one batch (``rules.evaluate_all``)

The batch stages include the young collection the paused collector leaves for after the batch
(``gc.collect(1)`` right after, timed with the stage), so the pause does not hide work.
"""

from __future__ import annotations

import argparse
import gc
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from evidence.area_analysis import analysis_of  # noqa: E402
from evidence.models import AreaProfile  # noqa: E402
from evidence.service import FULL_DEMO, Evidence  # noqa: E402
from rules import evaluate_all, load_rules  # noqa: E402

STAGES = ("analysis step", "profiles, first", "profiles, again", "first + analysis",
          "loop, again", "rules")
TARGETS = {"profiles, first": 500.0, "profiles, again": 500.0, "first + analysis": 500.0,
           "rules": 200.0}


CPU: dict[str, float] = {}
"""CPU milliseconds of the last timed stage (``time.process_time``: on a machine shared with
other jobs, wall time counts their time too)."""


def _time(fn: Callable[[], object], stage: str) -> tuple[float, object]:
    t0, c0 = time.perf_counter(), time.process_time()
    out = fn()
    CPU[stage] = (time.process_time() - c0) * 1000
    return (time.perf_counter() - t0) * 1000, out


def one_repeat(ev: Evidence, ruleset: object) -> dict[str, float]:
    """All stages once on fresh indicators; milliseconds by stage."""
    ev._indicators.clear()  # noqa: SLF001 - the benchmark wants nothing cached
    ind = ev.indicators()
    synthetic = ev.dataset.source.synthetic
    lads = ev.cube.areas.loc[ev.cube.areas["level"] == "lad", "area_code"].tolist()

    def analysis() -> None:
        a = analysis_of(ind, synthetic)
        for sid in ev.cube.sectors:
            a.sector_spatial(sid)

    def profiles() -> list[AreaProfile]:
        out = ev.profiles(lads)
        gc.collect(1)  # the young collection the paused collector deferred
        return out

    def loop() -> list[AreaProfile]:
        return [ev.profile(c) for c in lads]

    out: dict[str, float] = {}
    out["analysis step"], _ = _time(analysis, "analysis step")
    out["profiles, first"], _ = _time(profiles, "profiles, first")
    out["first + analysis"] = out["analysis step"] + out["profiles, first"]
    CPU["first + analysis"] = CPU["analysis step"] + CPU["profiles, first"]
    out["profiles, again"], profs = _time(profiles, "profiles, again")
    out["loop, again"], _ = _time(loop, "loop, again")
    by_code = {p.area.code: p for p in profs}  # type: ignore[union-attr]
    peers = [[by_code[c.area_code] for c in p.comparators if c.area_code in by_code]
             for p in profs]  # type: ignore[union-attr]

    def rules() -> object:
        recs = evaluate_all(ruleset, profs, peers, ruleset.interventions)  # type: ignore[arg-type]
        gc.collect(1)
        return recs

    out["rules"], _ = _time(rules, "rules")
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--repeat", type=int, default=7)
    p.add_argument("--no-full", action="store_true", help="bundled demo only")
    args = p.parse_args(argv)
    demos = {"bundled demo": Evidence.from_path(None)}
    if not args.no_full:
        demos["full demo"] = Evidence.from_path(FULL_DEMO)
    ruleset = load_rules()
    for ev in demos.values():  # warm-up: imports, esda's first call, lru caches
        one_repeat(ev, ruleset)
    times: dict[str, dict[str, list[float]]] = {d: {s: [] for s in STAGES} for d in demos}
    cpu: dict[str, dict[str, list[float]]] = {d: {s: [] for s in STAGES} for d in demos}
    for _ in range(args.repeat):
        for name, ev in demos.items():
            for stage, ms in one_repeat(ev, ruleset).items():
                times[name][stage].append(ms)
                cpu[name][stage].append(CPU[stage])
    for name, ev in demos.items():
        n = int((ev.cube.areas["level"] == "lad").sum())
        print(f"{name}: {n} districts, {len(ev.cube.classes)} classes; median (min-max) of "
              f"{args.repeat} interleaved repeats")
        for stage in STAGES:
            xs = times[name][stage]
            bar = TARGETS.get(stage)
            flag = "" if bar is None else (" ok" if statistics.median(xs) <= bar
                                           else f"  <-- over {bar:.0f} ms")
            cs = cpu[name][stage]
            print(f"  {stage:<18} {statistics.median(xs):8.0f} ms  ({min(xs):.0f}-{max(xs):.0f})"
                  f"   CPU {statistics.median(cs):6.0f} ms ({min(cs):.0f}-{max(cs):.0f}){flag}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
