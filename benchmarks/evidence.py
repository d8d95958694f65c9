"""Time the evidence hot paths on the full national demo and print medians.

    .venv/bin/python benchmarks/evidence.py [--repeat 7]

Measures: loading the full national file (parquet and csv.gz), building the area x sector x year
cube, all indicators for all areas, all area profiles, and the same indicators computed area by
area in a plain Python loop (the naive way), with the speed-up ratio.
"""

from __future__ import annotations

import argparse
import math
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from evidence import indicators as ind_mod  # noqa: E402
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


def _ratio(a: float, b: float) -> float:
    return a / b if b and not math.isnan(b) and not math.isnan(a) else math.nan


def loop_indicators(cube: Cube, start: int, end: int) -> list[dict[str, object]]:
    """The same indicators in a plain Python loop, one area, sector and year at a time.

    Starts from the same cube as the vectorised pass (lists, not arrays), so the ratio measures
    the vectorisation alone, not data loading.
    """
    emp, total = cube.emp.tolist(), cube.total.tolist()
    nat_emp, nat_total = cube.nat_emp.tolist(), cube.nat_total.tolist()
    structure, nat_structure = cube.structure.tolist(), cube.nat_structure.tolist()
    gva = cube.gva.tolist() if cube.gva is not None else None
    nat_gva = cube.nat_gva.tolist() if cube.nat_gva is not None else None
    soc = cube.soc.tolist() if cube.soc is not None else None
    probs = ind_mod.automation_probabilities()["probability"].tolist()
    region = cube.region_pos.tolist()
    i0, i1 = cube.year_index(start), cube.year_index(end)
    n_s, n_y = len(cube.sectors), len(cube.years)
    g_n = nat_total[i1] / nat_total[i0] - 1
    out = []
    for a in range(len(emp)):
        r = region[a]
        row: dict[str, object] = {}
        for s in range(n_s):
            for y in range(n_y):
                e, t = emp[a][s][y], total[a][y]
                row[f"share{s}{y}"] = _ratio(e, t)
                row[f"lq{s}{y}"] = _ratio(_ratio(e, t), _ratio(nat_emp[s][y], nat_total[y]))
                if r >= 0:
                    row[f"lqr{s}{y}"] = _ratio(_ratio(e, t),
                                               _ratio(emp[r][s][y], total[r][y]))
                if y:
                    row[f"g1{s}{y}"] = _ratio(e, emp[a][s][y - 1]) - 1
                if gva is not None and nat_gva is not None:
                    row[f"pr{s}{y}"] = _ratio(_ratio(gva[a][s][y], e),
                                              _ratio(nat_gva[s][y], nat_emp[s][y]))
            e0, e1 = emp[a][s][i0], emp[a][s][i1]
            cagr = (e1 / e0) ** (1 / (end - start)) - 1 if e0 and e0 > 0 else math.nan
            g_in = _ratio(nat_emp[s][i1], nat_emp[s][i0]) - 1
            row[f"cagr{s}"] = cagr
            row[f"dyn{s}"] = ("unknown" if math.isnan(cagr) else "growing" if cagr >= 0.01
                              else "declining" if cagr <= -0.01 else "stagnating")
            row[f"ss{s}"] = (e0 * g_n, e0 * (g_in - g_n), (e1 - e0) - e0 * g_in)
        for y in range(n_y):
            local = structure[a]
            lt = sum(local[d][y] for d in range(len(local)))
            nt = sum(nat_structure[d][y] for d in range(len(nat_structure)))
            row[f"krugman{y}"] = sum(abs(_ratio(local[d][y], lt) - nat_structure[d][y] / nt)
                                     for d in range(len(local)))
            am = [0.0 if math.isnan(emp[a][s][y]) else emp[a][s][y] for s in range(n_s)]
            am_t = sum(am)
            shares = [x / am_t for x in am] if am_t else [0.0] * n_s
            row[f"hhi{y}"] = sum(x * x for x in shares)
            row[f"entropy{y}"] = -sum(x * math.log(x) for x in shares if x > 0)
            if soc is not None:
                jobs = [soc[a][k][y] for k in range(len(probs))]
                row[f"auto{y}"] = _ratio(sum(j * p for j, p in zip(jobs, probs, strict=True)),
                                         sum(jobs))
        out.append(row)
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
