"""Neighbourhood data (issue 14): what placing and rolling up MSOAs / LSOAs costs.

Two tidy parquet files from the bundled demo (Table 1 classes + TOTAL, 10 years): the
district demo itself and its MSOA-like split (``evidence.sources.neighbourhood_demo``, about
7,100 neighbourhoods; ``--kind lsoa`` for about 35,000). Each repeat measures, interleaved
(district file, then neighbourhood file), ``load_dataset`` (read + placement), ``build_cube``
(with the neighbourhood -> district roll-up) and ``compute_indicators``; then the placement by
ONS name alone on ``--names`` neighbourhoods named after real districts (``Hartlepool 001``
...), which is the path a NOMIS download without a lookup takes. Prints medians with
min-max; the machine is shared, so read the ratios rather than the absolute times.

    python benchmarks/neighbourhoods.py [--repeats 5] [--kind msoa|lsoa] [--names 7000]
"""

from __future__ import annotations

import argparse
import resource
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from evidence.cube import build_cube  # noqa: E402
from evidence.dataset import AREA_COLUMNS, Dataset, SourceInfo  # noqa: E402
from evidence.geography import load_geography  # noqa: E402
from evidence.indicators import compute_indicators  # noqa: E402
from evidence.sources.demo import load_bundled_demo  # noqa: E402
from evidence.sources.load import load_dataset  # noqa: E402
from evidence.sources.neighbourhood_demo import generate_neighbourhoods  # noqa: E402
from evidence.sources.neighbourhoods import place_neighbourhoods  # noqa: E402
from evidence.sources.tidy import write_tidy  # noqa: E402


def timed(fn: Callable[[], object]) -> tuple[float, object]:
    start = time.perf_counter()
    out = fn()
    return time.perf_counter() - start, out


def named_areas(n: int) -> Dataset:
    """``n`` neighbourhoods named '<real district> 001' ... with one employment row each."""
    gb = load_geography().gb()
    names = [f"{gb['district_name'].iloc[i % len(gb)]} {i // len(gb) + 1:03d}" for i in range(n)]
    codes = [f"E02{i:06d}" for i in range(n)]
    areas = pd.DataFrame({"area_code": codes, "area_name": names, "level": "msoa"})
    for col in AREA_COLUMNS[3:]:
        areas[col] = ""
    emp = pd.DataFrame({"area_code": codes, "year": 2022, "sic": "TOTAL", "employment": 5.0,
                        "suppressed": False})
    return Dataset(employment=emp, areas=areas, source=SourceInfo(name="bench"))


def show(label: str, values: list[float]) -> float:
    med = statistics.median(values)
    print(f"| {label} | {med * 1000:,.0f} ms ({min(values) * 1000:,.0f}-"
          f"{max(values) * 1000:,.0f}) |")
    return med


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--kind", choices=["msoa", "lsoa"], default="msoa")
    parser.add_argument("--names", type=int, default=7000)
    args = parser.parse_args(argv)

    base = load_bundled_demo()
    gen_s, nb = timed(lambda: generate_neighbourhoods(base, args.kind))
    assert isinstance(nb, Dataset)
    n_nb = int(nb.areas["level"].isin(["msoa", "iz", "lsoa", "dz"]).sum())
    tmp = Path(tempfile.mkdtemp(prefix="policymix-nb-"))
    files = {"districts": write_tidy(base, tmp / "districts.parquet"),
             "neighbourhoods": write_tidy(nb, tmp / f"{args.kind}.parquet")}
    print(f"# generated {n_nb:,} {args.kind} neighbourhoods, {len(nb.employment):,} rows, "
          f"in {gen_s:.1f} s; districts file {len(base.employment):,} rows")
    times: dict[str, list[float]] = {}
    for _ in range(args.repeats):
        for label, path in files.items():  # interleaved: the machine's noise hits both
            t_load, ds = timed(lambda p=path: load_dataset(p, engine="memory"))
            t_cube, cube = timed(lambda d=ds: build_cube(d))
            t_ind, _ = timed(lambda c=cube: compute_indicators(c))
            for stage, t in (("load", t_load), ("cube", t_cube), ("indicators", t_ind),
                             ("total", t_load + t_cube + t_ind)):
                times.setdefault(f"{label}: {stage}", []).append(t)
        named = named_areas(args.names)
        t_place, _ = timed(lambda d=named: place_neighbourhoods(d))
        times.setdefault(f"placement by ONS name, {args.names:,} areas", []).append(t_place)
    print(f"\n| stage ({args.repeats} interleaved repeats) | median (min-max) |\n|---|---:|")
    med = {k: show(k, v) for k, v in times.items()}
    ratio = med["neighbourhoods: total"] / med["districts: total"]
    print(f"\nneighbourhoods / districts, file to indicators: {ratio:.1f}x "
          f"for {len(nb.employment) / len(base.employment):.1f}x the rows")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 ** 2
    print(f"peak resident memory of the process (generation included): {peak:.1f} GB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
