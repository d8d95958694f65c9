"""Time the evidence hot paths on the full national demo and print medians.

    .venv/bin/python benchmarks/evidence.py [--repeat 7]

Measures: loading the full national file (parquet and csv.gz), building the area x sector x year
cube, all indicators for all areas, all area profiles, and the same indicators computed area by
area in a plain Python loop (the naive way), with the speed-up ratio.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from evidence.cube import Cube, build_cube  # noqa: E402
from evidence.indicators import compute_indicators  # noqa: E402
from evidence.profile import build_profile  # noqa: E402
from evidence.sources.demo import ensure_full_demo, generate_demo, read_demo, write_demo  # noqa: E402


def timed(fn: Callable[[], object], repeat: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), result


def loop_indicators(cube: Cube, start: int, end: int) -> list[dict[str, float]]:
    """The naive way: one area and one sector at a time, plain Python arithmetic."""
    i0, i1 = cube.year_index(start), cube.year_index(end)
    n_years = end - start
    g_n = cube.nat_total[i1] / cube.nat_total[i0] - 1
    out = []
    for a in range(len(cube.areas)):
        for s in range(len(cube.sectors)):
            for y in range(len(cube.years)):
                e, t = cube.emp[a, s, y], cube.total[a, y]
                ne, nt = cube.nat_emp[s, y], cube.nat_total[y]
                lq = (e / t) / (ne / nt) if t and ne else float("nan")
                out.append({"lq": lq})
            e0, e1 = cube.emp[a, s, i0], cube.emp[a, s, i1]
            n0, n1 = cube.nat_emp[s, i0], cube.nat_emp[s, i1]
            cagr = (e1 / e0) ** (1 / n_years) - 1 if e0 and e0 > 0 else float("nan")
            g_in = n1 / n0 - 1 if n0 else g_n
            out.append({"cagr": cagr, "ns": e0 * g_n, "mix": e0 * (g_in - g_n),
                        "local": (e1 - e0) - e0 * g_in})
        shares = np.nan_to_num(cube.structure[a, :, i1]) / max(
            float(np.nansum(cube.structure[a, :, i1])), 1.0)
        nat = cube.nat_structure[:, i1] / cube.nat_structure[:, i1].sum()
        out.append({"krugman": float(sum(abs(x - y) for x, y in zip(shares, nat, strict=True)))})
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    r = args.repeat

    t0 = time.perf_counter()
    parquet = ensure_full_demo()
    print(f"full demo ready at {parquet} ({time.perf_counter() - t0:.1f} s incl. generation "
          "if it was not cached)")
    t_gen, ds = timed(lambda: generate_demo("full"), 3)
    print(f"generate full demo            median {t_gen * 1000:8.0f} ms  "
          f"({len(ds.employment):,} employment rows)")
    t_pq, ds = timed(lambda: read_demo(parquet), r)
    print(f"load parquet                  median {t_pq * 1000:8.0f} ms")
    with tempfile.TemporaryDirectory() as tmp:
        csv = Path(tmp) / "full.csv.gz"
        write_demo(ds, csv)
        t_csv, _ = timed(lambda: read_demo(csv), 3)
    print(f"load csv.gz                   median {t_csv * 1000:8.0f} ms")

    t_cube, cube = timed(lambda: build_cube(ds), r)
    n_areas = len(cube.areas)
    print(f"build cube ({n_areas} areas)       median {t_cube * 1000:8.0f} ms")
    t_ind, ind = timed(lambda: compute_indicators(cube), r)
    print(f"all indicators, all areas     median {t_ind * 1000:8.0f} ms")
    print(f"cube + indicators             median {(t_cube + t_ind) * 1000:8.0f} ms")

    lads = list(cube.areas.loc[cube.areas["level"] == "lad", "area_code"])
    t_prof, _ = timed(lambda: [build_profile(ind, c, ds.source) for c in lads], r)
    print(f"all {len(lads)} district profiles   median {t_prof * 1000:8.0f} ms")

    start, end = int(cube.years.min()), int(cube.years.max())
    t_loop, _ = timed(lambda: loop_indicators(cube, start, end), 3)
    print(f"same indicators, plain loop   median {t_loop * 1000:8.0f} ms")
    print(f"vectorised speed-up           {t_loop / t_ind:8.0f} x")


if __name__ == "__main__":
    main()
