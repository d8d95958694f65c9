"""Time every district profile and the rules over every district, bundled and full demo.

    .venv/bin/python benchmarks/profiles.py [--repeat 7] [--no-full] [--one-area 7]

Targets (issue 14): all district profiles under 0.5 s, rules over all districts under 0.2 s.
Each repeat starts from fresh indicators for the period (nothing cached), and the stages are
timed one after the other, the two demos interleaved in every repeat so a noisy machine slows
both alike. Loading the file and building the cube are not timed (see benchmarks/evidence.py).

- ``analysis step``: class LQ, relatedness, variety, Esteban-Marquillas, the IO industries'
  LQs, and Moran's I (999 permutations) and local Moran for all ten sectors: once per period
  for all areas
- ``profiles, first``: every district profile right after, as one batch
  (``Evidence.profiles``: the collector paused): what is worked out per area on demand (the
  FLQ multipliers, one Leontief solve an area, all of the batch's at once, in a second thread
  beside the rest; the comparators, all of the batch's distances at once; the LISA pseudo
  p-values of each area's specialisms; feasible next classes) and the per-area models
- ``profiles, again``: every district profile a second time, the same way (what a page rerun
  or an export of a second area sees)
- ``first + analysis``: ``analysis step`` plus ``profiles, first``: all district profiles from fresh
  indicators, the strictest reading of "all district profiles"
- ``loop, again``: ``Evidence.profile`` called once per district (as a page does for its one
  area), the collector running: for comparison with the batch
- ``rules``: every packaged rule over every district profile, with its comparators'
  profiles, as one batch (``rules.evaluate_all``)

"All district profiles under 0.5 s" has two readings, and both are printed against the bar:
``first + analysis`` (the strict one: from fresh indicators, everything the profiles show
computed) and ``profiles, again`` (a second batch on the same indicators).

Each stage's line also gives the collector's collections during it and their time
(``gc.callbacks``), and the run prints the collector's setting.

The batch stages include a collection of the young and middle generations right after
(``gc.collect(1)``, timed with the stage), so pausing the collector hides nothing: since the
batch's objects now go straight to the oldest generation (``evidence/batch.py``) it finds
little, and what is left of their cost is their share of the next full collection, which any
long-lived object has.

``--one-area N`` also times, in N fresh processes (interleaved with nothing else), what a
command-line ``profile`` / ``recommend --area E08000001`` computes on the bundled demo: the
area's profile, then its comparators' profiles (the load is not timed; CPU time in the child).
"""

from __future__ import annotations

import argparse
import gc
import statistics
import subprocess
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
GC: dict[str, tuple[int, float]] = {}
"""Collections of the cyclic garbage collector during the last timed stage, and their
milliseconds (``gc.callbacks``): the collector runs as it would in the app, so its cost is in
the stage's time; this says how much of it there was."""


class _Collections:
    """Counts the collector's collections and their time while installed."""

    def __init__(self) -> None:
        self.count, self.seconds, self._t0 = 0, 0.0, 0.0

    def __call__(self, phase: str, info: dict) -> None:
        if phase == "start":
            self._t0 = time.perf_counter()
        else:
            self.count += 1
            self.seconds += time.perf_counter() - self._t0


def _time(fn: Callable[[], object], stage: str) -> tuple[float, object]:
    seen = _Collections()
    gc.callbacks.append(seen)
    try:
        t0, c0 = time.perf_counter(), time.process_time()
        out = fn()
        CPU[stage] = (time.process_time() - c0) * 1000
        wall = (time.perf_counter() - t0) * 1000
    finally:
        gc.callbacks.remove(seen)
    GC[stage] = (seen.count, seen.seconds * 1000)
    return wall, out


def collector_setting() -> str:
    """The garbage collector's setting as the benchmark runs, in words."""
    return (f"collector: enabled {gc.isenabled()}, thresholds {gc.get_threshold()}, "
            f"{gc.get_freeze_count()} objects frozen; inside Evidence.profiles and "
            "rules.evaluate_all it is paused and what the batch made goes to the oldest "
            "generation (evidence/batch.py); the analysis step and the loop run with it on")


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
    GC["first + analysis"] = tuple(  # type: ignore[assignment]
        x + y for x, y in zip(GC["analysis step"], GC["profiles, first"], strict=True))
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


ONE_AREA = """
import sys, time
sys.path.insert(0, {root!r})
from evidence.service import Evidence
ev = Evidence.from_path(None)
c0 = time.process_time()
p = ev.profile({code!r})
c1 = time.process_time()
peers = [ev.profile(c.area_code) for c in p.comparators]
c2 = time.process_time()
print((c1 - c0) * 1000, (c2 - c0) * 1000)
"""


def one_area(repeats: int, code: str = "E08000001") -> None:
    """CPU of one area's profile, and with its comparators', each in a fresh process."""
    script = ONE_AREA.format(root=str(Path(__file__).resolve().parents[1]), code=code)
    alone, with_peers = [], []
    for _ in range(repeats):
        out = subprocess.run([sys.executable, "-c", script], check=True, capture_output=True,
                             text=True).stdout.split()
        alone.append(float(out[0]))
        with_peers.append(float(out[1]))
    print(f"one area in a fresh process (bundled demo, {code}), CPU, median (min-max) of "
          f"{repeats}:")
    for name, xs in (("profile", alone), ("profile + 5 comparators", with_peers)):
        flag = " ok" if statistics.median(xs) <= ONE_AREA_BAR else \
            f"  <-- over {ONE_AREA_BAR:.0f} ms"
        print(f"  {name:<24} {statistics.median(xs):6.0f} ms  ({min(xs):.0f}-{max(xs):.0f}){flag}")


ONE_AREA_BAR = 400.0
"""Issue 14's brief for one area: well under 0.4 s of compute in a fresh process."""


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--repeat", type=int, default=7)
    p.add_argument("--no-full", action="store_true", help="bundled demo only")
    p.add_argument("--one-area", type=int, default=0, metavar="N",
                   help="also time one area's profile in N fresh processes")
    args = p.parse_args(argv)
    demos = {"bundled demo": Evidence.from_path(None)}
    if not args.no_full:
        demos["full demo"] = Evidence.from_path(FULL_DEMO)
    ruleset = load_rules()
    for ev in demos.values():  # warm-up: imports, esda's first call, lru caches
        one_repeat(ev, ruleset)
    times: dict[str, dict[str, list[float]]] = {d: {s: [] for s in STAGES} for d in demos}
    cpu: dict[str, dict[str, list[float]]] = {d: {s: [] for s in STAGES} for d in demos}
    gcs: dict[str, dict[str, list[tuple[int, float]]]] = {d: {s: [] for s in STAGES}
                                                          for d in demos}
    for _ in range(args.repeat):
        for name, ev in demos.items():
            for stage, ms in one_repeat(ev, ruleset).items():
                times[name][stage].append(ms)
                cpu[name][stage].append(CPU[stage])
                gcs[name][stage].append(GC[stage])
    print("'all district profiles' (bar 500 ms): first time = 'first + analysis' (from fresh "
          "indicators, the analysis step included); again = 'profiles, again'. Wall time is "
          "the figure held to the bar; CPU counts every thread (BLAS's, the solver's)")
    print(collector_setting())
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
            n_gc = statistics.median(c for c, _ in gcs[name][stage])
            ms_gc = statistics.median(t for _, t in gcs[name][stage])
            print(f"  {stage:<18} {statistics.median(xs):8.0f} ms  ({min(xs):.0f}-{max(xs):.0f})"
                  f"   CPU {statistics.median(cs):6.0f} ms ({min(cs):.0f}-{max(cs):.0f})"
                  f"   collections {n_gc:.0f} ({ms_gc:.0f} ms){flag}")
    if args.one_area:
        one_area(args.one_area)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
