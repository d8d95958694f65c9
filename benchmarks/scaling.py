"""How policymix scales with the number of areas: time and peak memory of each stage.

Synthetic tidy files of N areas x 615 SIC classes x 10 years are made by tiling the full
national demo's districts (each copy renamed, its jobs perturbed by a few per cent and rounded;
no Great Britain row, so the national reference is the sum of the areas) and written as
parquet once into ``~/.cache/policymix/scaling`` (row group by row group: the generator's
memory does not grow with N). Each size is then measured in a fresh process (peak memory is a
per-process figure): ``read_tidy`` (load), ``build_cube`` (cube), ``compute_indicators`` for
the whole period (indicators), each stage's wall time and the process's peak resident memory
after it (``resource.getrusage``).

    python benchmarks/scaling.py [--areas 360 1000 7000 35000] [--engine auto|memory|duckdb]
                                 [--ends]

``--ends`` reads only the first and last year (``read_tidy(path, years=(None, None))``, what
``policymix indicators`` reads for its period): the rows of the other eight years are decoded
but neither checked nor scattered; "rows" is then the rows read.

``--engine auto`` (the default) lets ``evidence.sources.tidy_duckdb.choose_engine`` pick, as
the app and the CLI do; ``memory`` is the lean reader (rows scattered into dense cells, a row
group at a time for a big file: memory about the size of the cube, with the 4-digit class
detail); ``duckdb`` the out-of-core reader (sector sums in SQL, its default memory limit, no
class detail). Each row of the table says which engine ran.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from evidence.sources.demo import default_cache_dir, ensure_full_demo  # noqa: E402

GB = "K03000001"


def scaled_file(n_areas: int) -> Path:
    """The tidy parquet file of ``n_areas`` districts (made once, then reused)."""
    out = default_cache_dir() / "scaling" / f"tidy_{n_areas}_areas.parquet"
    if out.exists():
        return out
    out.parent.mkdir(parents=True, exist_ok=True)
    full = pq.read_table(ensure_full_demo())
    table = full["table"].to_numpy(zero_copy_only=False)
    codes = full["area_code"].to_numpy(zero_copy_only=False)
    emp = full.filter(pa.array((table == "employment") & (codes != GB)))
    areas = full.filter(pa.array(table == "areas"))
    districts = areas.filter(pc.equal(areas["level"], "lad"))
    base = districts["area_code"].to_pylist()
    rng = np.random.default_rng(14)
    tmp = out.with_suffix(".tmp")
    with pq.ParquetWriter(tmp, full.schema, compression="zstd") as writer:
        meta = full.filter(pa.array(table == "meta"))
        writer.write_table(meta)
        copies = -(-n_areas // len(base))
        names = [f"{c}-{k}" if k else c for k in range(copies) for c in base][:n_areas]
        renamed = {}
        for k in range(copies):
            chunk = districts.slice(0, min(len(base), n_areas - k * len(base)))
            new = [f"{c}-{k}" if k else c for c in chunk["area_code"].to_pylist()]
            renamed[k] = dict(zip(chunk["area_code"].to_pylist(), new, strict=True))
            chunk = chunk.set_column(chunk.schema.get_field_index("area_code"), "area_code",
                                     pa.array(new))
            writer.write_table(chunk)
        for k in range(copies):
            keep = pc.is_in(emp["area_code"], pa.array(list(renamed[k])))
            part = emp.filter(keep)
            mapped = [renamed[k][c] for c in part["area_code"].to_pylist()]
            jobs = part["employment"].to_numpy(zero_copy_only=False).astype(float)
            factor = 1.0 if k == 0 else rng.uniform(0.95, 1.05, size=len(jobs))
            jobs = np.round(jobs * factor)
            part = part.set_column(part.schema.get_field_index("area_code"), "area_code",
                                   pa.array(mapped))
            part = part.set_column(part.schema.get_field_index("employment"), "employment",
                                   pa.array(jobs, mask=np.isnan(jobs)).cast(pa.int64()))
            writer.write_table(part)
        assert len(names) == n_areas
    tmp.rename(out)
    return out


def measure(path: Path, engine: str = "auto", ends: bool = False) -> dict[str, float | str]:
    """Run in a child process: each stage's seconds and the peak RSS (GB) after it."""
    from evidence.cube import build_cube  # in the child only: the parent stays small
    from evidence.indicators import compute_indicators
    from evidence.sources.tidy_duckdb import read_tidy_any

    def peak() -> float:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2  # KB -> GB

    from evidence.sources.tidy_duckdb import choose_engine

    out: dict[str, float | str] = {"start_gb": peak(), "engine": choose_engine(path, engine)}
    t0 = time.perf_counter()
    ds = read_tidy_any(path, engine, (None, None) if ends else None)
    out["load_s"], out["load_gb"] = time.perf_counter() - t0, peak()
    t0 = time.perf_counter()
    cube = build_cube(ds)
    out["cube_s"], out["cube_gb"] = time.perf_counter() - t0, peak()
    t0 = time.perf_counter()
    compute_indicators(cube)
    out["indicators_s"], out["indicators_gb"] = time.perf_counter() - t0, peak()
    out["rows"] = float(ds.cells.rows if ds.cells is not None else
                        ds.sums.rows if ds.sums is not None else float("nan"))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--areas", type=int, nargs="+", default=[360, 1000, 7000, 35000])
    parser.add_argument("--engine", choices=["auto", "memory", "duckdb"], default="auto")
    parser.add_argument("--ends", action="store_true",
                        help="read only the first and last year (a period's indicators)")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure(args.child, args.engine, args.ends)))
        return
    print(f"engine asked: {args.engine}; years read: "
          f"{'the first and last' if args.ends else 'every year'}")
    print(f"{'areas':>7} {'rows':>12} {'engine':>7} {'load':>8} {'cube':>8} {'indic.':>8} "
          f"{'total':>8} {'peak GB':>8}")
    for n in args.areas:
        path = scaled_file(n)
        child = subprocess.run([sys.executable, __file__, "--child", str(path),
                                "--engine", args.engine] + (["--ends"] if args.ends else []),
                               capture_output=True, text=True, check=True)
        r = json.loads(child.stdout.strip().splitlines()[-1])
        total = r["load_s"] + r["cube_s"] + r["indicators_s"]
        print(f"{n:>7} {int(r['rows']):>12,} {r['engine']:>7} {r['load_s']:7.2f}s "
              f"{r['cube_s']:7.2f}s {r['indicators_s']:7.2f}s {total:7.2f}s "
              f"{r['indicators_gb']:8.2f}", flush=True)


if __name__ == "__main__":
    main()
