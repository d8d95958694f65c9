"""Time the rules engine: every packaged rule over ~360 area profiles (GB local authority scale).

Run with ``.venv/bin/python benchmarks/rules.py [--areas 360] [--repeat 7]``. The target
(issue 14) is under 0.2 s for all districts together, so the UI can re-run the rules on every
edit of a finding and a batch export or calibration can cover every district.

Two ways are timed in interleaved repeats: ``evaluate`` called once per area (what a page does
for its one area, here in a loop) and ``evaluate_all``, the batch (views shared between the
areas each is a comparator of, the garbage collector paused while the results are built). Both
give the same results (``tests/rules/test_golden.py``); wall and CPU (``time.process_time``)
medians with min-max are printed, since the machine may be shared.

By default the profiles are the 360 district profiles of the full synthetic national demo
(generation takes a few seconds and is not timed); ``--source bundled`` the bundled demo's;
``--source random`` uses seeded hand-made
``AreaProfile`` objects with findings of every topic instead.

The timed figure includes Python's cyclic garbage collector, as an app would see it: a batch of
360 results allocates ~76k tracked objects, which in a loop of ``evaluate`` calls usually
triggers one full collection whose cost grows with everything else alive in the process.
``--no-gc`` gives the timeit-style figure without it.
"""

from __future__ import annotations

import argparse
import gc
import random
import statistics
import sys
import time
from pathlib import Path

# Run as a script, this file's folder comes first on sys.path and its name would shadow the
# `rules` package (and benchmarks/evidence.py the `evidence` one): put the project root first.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from evidence.models import (  # noqa: E402
    FINDING_TOPICS,
    AreaProfile,
    AreaRef,
    Comparator,
    Finding,
    Period,
    SectorRow,
)
from evidence.sectors import load_sectors  # noqa: E402
from rules import evaluate, evaluate_all, load_rules  # noqa: E402

_KINDS = {
    "specialisation": ["strength"],
    "sector_growth": ["strength", "opportunity"],
    "sector_decline": ["risk", "bottleneck"],
    "productivity_gap": ["bottleneck"],
    "productivity_lead": ["strength"],
    "skills": ["strength", "bottleneck"],
    "innovation": ["strength", "bottleneck"],
    "automation": ["risk"],
    "dependence": ["risk"],
    "thin_growth_sector": ["opportunity"],
    "comparators": ["strength", "bottleneck"],
    "am_base": ["strength", "bottleneck"],
}
_SECTOR_TOPICS = {"specialisation", "sector_growth", "sector_decline", "dependence",
                  "thin_growth_sector"}


def _maybe(rng: random.Random, value: float, p_missing: float = 0.05) -> float | None:
    return None if rng.random() < p_missing else value


def random_profile(rng: random.Random, i: int) -> AreaProfile:
    """A plausible-looking profile: random LQs and growth, some missing values, 3-10 findings."""
    code = f"E{i:08d}"
    total = rng.uniform(20_000, 400_000)
    rows = []
    for s in load_sectors():
        lq = rng.lognormvariate(-0.3, 0.9)
        rows.append(SectorRow(
            sector=s.sector_id, label=s.label, quadrant=s.quadrant,
            employment=_maybe(rng, total * 0.004 * lq), employment_start=total * 0.004,
            share=0.004 * lq, lq=_maybe(rng, lq), growth=_maybe(rng, rng.gauss(0.0, 0.03)),
            growth_national=rng.gauss(0.01, 0.01), productivity_ratio=_maybe(rng, 1.0, 0.5),
        ))
    sector_ids = [r.sector for r in rows]
    findings = []
    for topic in rng.sample(FINDING_TOPICS, rng.randint(3, 10)):
        sector = rng.choice(sector_ids) if topic in _SECTOR_TOPICS else None
        findings.append(Finding(
            id=f"{code}:{topic}:{sector or 'area'}", kind=rng.choice(_KINDS[topic]), topic=topic,
            sector=sector, text="synthetic", confidence=round(rng.uniform(0.2, 0.95), 2),
            status=rng.choice(["proposed", "proposed", "accepted", "rejected"]),
        ))
    am_share = rng.uniform(0.002, 0.15)
    return AreaProfile(
        area=AreaRef(code=code, name=f"Area {i}", level=rng.choice(["lad", "lad", "group"])),
        period=Period(start=2015, end=2022), source="benchmark", synthetic=True,
        total_jobs=total, total_jobs_basis="sum of industries",
        national_basis="sum of areas in file", am_jobs=total * am_share, am_share=am_share,
        krugman=rng.uniform(0.1, 1.2), herfindahl=rng.uniform(0.1, 0.8),
        automation_exposure=_maybe(rng, rng.uniform(0.2, 0.4)),
        context={
            "level4_share": _maybe(rng, rng.uniform(0.25, 0.6)), "gb_level4_share": 0.43,
            "berd_per_job": _maybe(rng, rng.uniform(100, 4000)), "gb_berd_per_job": 900.0,
            "gb_automation_exposure": 0.30,
        },
        sectors=rows,
        comparators=[Comparator(area_code=f"E{(i + k) % 360:08d}", area_name="peer",
                                distance=float(k), similar_because="synthetic")
                     for k in range(1, 6)],
        findings=findings,
    )


def demo_profiles() -> list[AreaProfile]:
    """The district profiles of the full synthetic demo, built by the evidence pipeline."""
    from evidence.cube import build_cube
    from evidence.indicators import compute_indicators
    from evidence.profile import build_profile
    from evidence.sources.demo import generate_demo

    ds = generate_demo("full")
    ind = compute_indicators(build_cube(ds))
    areas = ind.cube.areas
    return [build_profile(ind, code, ds.source)
            for code in areas.loc[areas["level"] == "lad", "area_code"]]


def bundled_profiles() -> list[AreaProfile]:
    """The district profiles of the bundled demo (what the app opens on)."""
    from evidence.service import Evidence

    ev = Evidence.from_path(None)
    areas = ev.cube.areas
    return [ev.profile(str(code)) for code in areas.loc[areas["level"] == "lad", "area_code"]]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--areas", type=int, default=360, help="random profiles to build")
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--source", choices=["random", "demo", "bundled"], default="demo",
                        help="demo: the full national demo; bundled: the bundled demo")
    parser.add_argument("--no-gc", action="store_true", help="time with the GC disabled")
    args = parser.parse_args()

    t0 = time.perf_counter()
    ruleset = load_rules()
    load_s = time.perf_counter() - t0
    if args.source == "demo":
        profiles = demo_profiles()
    elif args.source == "bundled":
        profiles = bundled_profiles()
    else:
        rng = random.Random(20240601)
        profiles = [random_profile(rng, i) for i in range(args.areas)]
    by_code = {p.area.code: p for p in profiles}
    peers = [[by_code[c.area_code] for c in p.comparators if c.area_code in by_code]
             for p in profiles]
    catalogue = ruleset.interventions

    ways = {
        "evaluate, one call per area": lambda: [evaluate(ruleset, p, peers[k], catalogue)
                                                for k, p in enumerate(profiles)],
        "evaluate_all, the batch": lambda: evaluate_all(ruleset, profiles, peers, catalogue),
    }
    wall: dict[str, list[float]] = {w: [] for w in ways}
    cpu: dict[str, list[float]] = {w: [] for w in ways}
    collections: dict[str, list[int]] = {w: [] for w in ways}
    results: list = []
    counted = [0]

    def count(phase: str, info: dict) -> None:
        counted[0] += phase == "stop"

    for _ in range(args.repeat):
        for way, run in ways.items():
            del results
            gc.collect()
            if args.no_gc:
                gc.disable()
            counted[0] = 0
            gc.callbacks.append(count)
            start, start_cpu = time.perf_counter(), time.process_time()
            results = run()
            wall[way].append(time.perf_counter() - start)
            cpu[way].append(time.process_time() - start_cpu)
            gc.callbacks.remove(count)
            collections[way].append(counted[0])
            gc.enable()
    fired = sum(len(r.recommended) for r in results)
    start = time.perf_counter()
    for r in results:
        r.model_dump(mode="json")
    dump_s = time.perf_counter() - start

    print(f"rules: {len(ruleset)} loaded and compiled in {load_s * 1000:.0f} ms")
    print(f"areas: {len(profiles)} ({args.source}); recommendations per area: "
          f"{fired / len(profiles):.1f}")
    gc_note = " (GC off)" if args.no_gc else ""
    print(f"collector: {'off while timed' if args.no_gc else 'on'}, thresholds "
          f"{gc.get_threshold()}, {gc.get_freeze_count()} objects frozen, a full collection "
          "before each timed run; evaluate_all pauses it for its batch (evidence/batch.py), "
          "the loop of evaluate calls does not")
    print(f"all rules x all areas{gc_note}, median (min-max) of {args.repeat} interleaved "
          "repeats (bar: 200 ms wall):")
    for way in ways:
        w, c = wall[way], cpu[way]
        flag = ""
        if way.startswith("evaluate_all"):
            flag = " ok" if statistics.median(w) <= 0.2 else "  <-- over 200 ms"
        print(f"  {way:<28} {statistics.median(w) * 1000:6.1f} ms "
              f"({min(w) * 1000:.1f}-{max(w) * 1000:.1f})   CPU "
              f"{statistics.median(c) * 1000:6.1f} ms ({min(c) * 1000:.1f}-{max(c) * 1000:.1f})"
              f"   collections {statistics.median(collections[way]):.0f}{flag}")
    print(f"model_dump(mode='json') of all results: {dump_s * 1000:.1f} ms")

if __name__ == "__main__":
    main()
