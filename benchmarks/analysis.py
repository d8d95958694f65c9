"""Time the evidence.analysis functions on national-size arrays and print medians.

    .venv/bin/python benchmarks/analysis.py [--repeat 7] [--areas 400] [--classes 615] [--no-demo]

A synthetic area x class employment matrix (sparse, skewed like BRES: most class cells small or
zero) stands in for the ~400 districts x 615 SIC 2007 classes. Measures: relatedness (LQ,
presence, proximity and density for all areas; target < 0.5 s), association strength, feasible
next for one area, related/unrelated variety, Esteban-Marquillas shift-share, FLQ Type I
multipliers for all areas (105 IO industries, one batched inversion), and Moran's I + LISA with
999 permutations for one sector.

Then the same on the cube of the full synthetic demo (``demo:full``, 360 districts x 615 classes,
generated once and cached): class-level LQ + presence + proximity + density for all areas on top
of the cube (target < 0.5 s), the whole analysis step (``evidence.area_analysis``), Moran + LISA
for all ten sectors, and the analysis fields of every district profile.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from evidence.analysis import (  # noqa: E402
    aggregate_to_io,
    class_lq,
    esteban_marquillas,
    feasible_next,
    load_io_tables,
    presence,
    proximity,
    regional_multipliers,
    relatedness_density,
    relatedness_space,
    spatial_association,
    variety,
)
from evidence.area_analysis import analysis_of, compute_analysis, profile_fields  # noqa: E402
from evidence.service import FULL_DEMO, Evidence  # noqa: E402


def timed(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def synthetic(n_areas: int, classes: list[str], seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    size = rng.lognormal(8.5, 0.8, n_areas)[:, None]  # area scale
    weight = rng.lognormal(0.0, 1.5, len(classes))[None, :]  # class scale
    lam = size * weight / weight.sum() * rng.lognormal(0.0, 1.0, (n_areas, len(classes)))
    return rng.poisson(lam).astype(float)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--repeat", type=int, default=7)
    p.add_argument("--areas", type=int, default=400)
    p.add_argument("--classes", type=int, default=615)
    p.add_argument("--no-demo", action="store_true", help="skip the full-demo figures")
    args = p.parse_args(argv)

    t = load_io_tables()
    all_classes = pd.read_csv(ROOT / "evidence" / "data" / "sic2007_classes.csv", dtype=str)
    classes = list(all_classes["sic"])[: args.classes]
    emp = synthetic(args.areas, classes)
    emp_end = emp * np.random.default_rng(1).lognormal(0.0, 0.1, emp.shape)
    space = relatedness_space(emp, classes)
    am = [c for c in classes if c[:2] in {"20", "21", "26", "27", "28", "29", "30"}]
    emp_io = aggregate_to_io(emp, classes, t)
    nat_io = emp_io.sum(axis=0)
    rng = np.random.default_rng(2)
    cen = pd.DataFrame({"code": [f"A{i:03d}" for i in range(args.areas)],
                        "x": rng.uniform(0, 6e5, args.areas), "y": rng.uniform(0, 1e6, args.areas)})
    lq = pd.Series(space.lq[:, classes.index("3030")] if "3030" in classes else space.lq[:, 0],
                   index=cen["code"]).fillna(0.0)

    rows = [
        ("relatedness_space (LQ, M, phi, density)", lambda: relatedness_space(emp, classes)),
        ("relatedness_space association", lambda: relatedness_space(emp, classes,
                                                                    method="association")),
        ("feasible_next (one area, AM classes)", lambda: feasible_next(space, 0, am)),
        ("variety (H, RV, UV)", lambda: variety(emp, classes)),
        ("esteban_marquillas", lambda: esteban_marquillas(emp, emp_end)),
        ("aggregate_to_io", lambda: aggregate_to_io(emp, classes, t)),
        ("regional_multipliers FLQ (all areas)", lambda: regional_multipliers(emp_io, nat_io, t)),
        ("spatial_association (Moran + LISA, 999)", lambda: spatial_association(lq, cen)),
    ]
    print(f"{args.areas} areas x {len(classes)} classes, median of {args.repeat} runs")
    for label, fn in rows:
        fn()  # warm-up (imports, caches)
        print(f"  {label:<42} {timed(fn, args.repeat) * 1000:9.1f} ms")
    if not args.no_demo:
        full_demo(args.repeat)
    return 0


def full_demo(repeat: int) -> None:
    """Figures on the full demo's cube (loading and the cube are not timed here)."""
    t0 = time.perf_counter()
    ev = Evidence.from_path(FULL_DEMO)
    load = time.perf_counter() - t0
    cube = ev.cube
    ind = ev.indicators()
    i1 = ind.i1
    lad = (cube.areas["level"] == "lad").to_numpy()

    def relatedness() -> None:
        lq = class_lq(cube.class_emp[:, :, i1], cube.nat_class_emp[:, i1], cube.total[:, i1],
                      float(cube.nat_total[i1]))
        m = presence(lq)
        relatedness_density(m, proximity(m[lad]))

    synthetic = ev.dataset.source.synthetic
    analysis = analysis_of(ind, synthetic)
    codes = list(cube.areas["area_code"][lad])
    pos = [cube.position(c) for c in codes]
    print(f"full demo: {int(lad.sum())} districts, {len(cube.areas)} areas x "
          f"{len(cube.classes)} classes (load + cube {load:.1f} s, not in the figures below)")
    rows = [
        ("class LQ + proximity + density (target<500)", relatedness),
        ("analysis step, all areas (incl. FLQ)", lambda: compute_analysis(ind, synthetic)),
        ("analysis fields of every district", lambda: [profile_fields(analysis, i)
                                                       for i in pos]),
    ]
    fresh = compute_analysis(ind, synthetic)  # nothing spatial cached yet
    fresh.sector_spatial(cube.sectors[0])  # warm-up: esda's first call compiles
    t0 = time.perf_counter()
    for sid in cube.sectors[1:]:
        fresh.sector_spatial(sid)
    print(f"  {'Moran + LISA per sector (999 perm., once)':<42} "
          f"{(time.perf_counter() - t0) * 1000 / (len(cube.sectors) - 1):9.1f} ms")
    for label, fn in rows:
        fn()  # warm-up; also fills the spatial cache the district fields read
        print(f"  {label:<42} {timed(fn, repeat) * 1000:9.1f} ms")


if __name__ == "__main__":
    raise SystemExit(main())
