"""policymix side by side with what an analyst would write instead, on the same file.

From the full national demo file (parquet, about 2.2 million rows: 360 districts and Great
Britain x 615 SIC classes x 10 years) to each district's location quotient against Great
Britain (end year) and compound annual growth over the period, for the ten advanced
manufacturing sectors:

* ``policymix``: ``Evidence.from_path(FILE, years=(start, end))`` -> indicators ->
  ``indicator_columns`` (it decodes the six employment columns of every row, keeps, checks
  and scatters the rows of the two years, builds the cube with every group and region, and
  computes every indicator for every area and group, not only these two);
* ``pandas``: a whole-table groupby;
* ``polars``: the same in a lazy query;
* ``duckdb``: the same in SQL over the parquet file.

Each run starts from the file on disk (no caches: policymix's per-process caches are cleared),
the four are interleaved in each repeat so they share the machine's noise, and the numbers are
checked against policymix to 1e-9 before any time is printed. Prints median, min and max per
tool and the ratio of each median to policymix's. The output says what each tool reads and computes.

With ``--floors`` (the default), three more lines, interleaved in the same repeats: not tools
but floors, the work no reader of this file into policymix's cube can skip. ``floor: Arrow
decode`` is the reader's first step alone (the six employment columns of every row, text as
dictionaries, Arrow's threaded reader: what ``Evidence.from_path`` starts with);
``floor: decode + bare scatter`` adds the least numpy that turns it into two years' cells
(each row group's years and label indices tallied, the two years' rows picked and their job
counts added into a dense areas x years x codes array: no check, no cube, no indicator);
``floor: Polars decode`` is Polars' reader on the same columns, filtered to the employment
rows of the two years as its query does (its decoder skips what the filter drops). Policymix
can beat a tool only if its floor is below that tool's whole time.

Then whole processes, hyperfine-style (each command run ``--repeats`` times, interleaved,
median / min / max of the wall time, and the median CPU time, which a busy machine inflates
less): ``policymix indicators --data FILE --out X.parquet`` (every
indicator for every area, written to a file) against a minimal DuckDB script
(``benchmarks/scripts/duckdb_lq_growth.py``) that computes only LQ and growth from the same
file and writes them (the command reads only the file's first and last year, as the script
does: ``--start`` / ``--end`` default to them); and ``policymix areas``, ``profile`` and
``recommend`` on the bundled demo (start-up; the target is under 1.5 s each).

    python benchmarks/compare.py [--repeats 7] [--file PATH] [--no-floors] [--no-processes]
                                 [--no-startup]
"""

from __future__ import annotations

import argparse
import gc
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from evidence.indicator_table import indicator_columns  # noqa: E402
from evidence.sectors import load_sectors, normalise_sic  # noqa: E402
from evidence.service import Evidence  # noqa: E402
from evidence.sources.demo import ensure_full_demo  # noqa: E402

GB = "K03000001"
BUNDLED_AREA = "E08000001"  # a district of the bundled demo, for the start-up commands


def sector_map(classes: list[str]) -> pd.DataFrame:
    """SIC class -> Table 1 sector, by the sectors' SIC prefixes (what an analyst would type)."""
    rows = []
    for sic in classes:
        if sic == "TOTAL":
            continue
        key = normalise_sic(sic)
        for s in load_sectors():
            if any(key.startswith(p) for p in s.sic_prefixes):
                rows.append((sic, s.sector_id))
                break
    return pd.DataFrame(rows, columns=["sic", "sector"])


def run_policymix(path: Path, start: int, end: int) -> pd.DataFrame:
    """``Evidence.from_path(..., years=(start, end))``, what an analyst asking for one
    period calls: the reader decodes the file's six employment columns for every row (the
    demo's years are spread over every row group, so no tool here can skip decoding them)
    and keeps, checks and scatters only the rows of the two years (as the others filter in
    their scans); then the cube, every indicator for every area and group, and the whole
    indicator table (``indicator_columns``: all 20 columns for 409 areas), of which the
    districts' four columns are made a frame, as the other tools return."""
    ev = Evidence.from_path(str(path), years=(start, end))
    table = indicator_columns(ev.indicators(start, end))
    table = table.take(table["level"] == "lad").select(["area_code", "sector", "lq", "growth"])
    return pd.DataFrame(table.data)


def run_pandas(path: Path, start: int, end: int, mapping: pd.DataFrame) -> pd.DataFrame:
    df = pd.read_parquet(path, columns=["table", "area_code", "year", "sic", "employment"],
                         filters=[("table", "==", "employment"), ("year", "in", [start, end])])
    total = df[df["sic"] == "TOTAL"].pivot_table(index="area_code", columns="year",
                                                 values="employment", aggfunc="sum")
    sec = df.merge(mapping, on="sic").groupby(["area_code", "sector", "year"])["employment"]
    sec = sec.sum(min_count=1).unstack("year")
    gb_sec, gb_tot = sec.xs(GB, level="area_code"), total.loc[GB]
    share = sec[end].div(total[end], level="area_code")
    nat_share = gb_sec[end] / gb_tot[end]
    lq = share.div(nat_share, level="sector")
    growth = (sec[end] / sec[start]) ** (1.0 / (end - start)) - 1.0
    out = pd.DataFrame({"lq": lq, "growth": growth}).reset_index()
    return out[out["area_code"] != GB]


def run_polars(path: Path, start: int, end: int, mapping: pd.DataFrame) -> pd.DataFrame:
    import polars as pl  # dev-only dependency, imported when this tool runs

    lf = (pl.scan_parquet(path)
          .filter((pl.col("table") == "employment") & pl.col("year").is_in([start, end]))
          .select("area_code", pl.col("year").cast(pl.Int64), "sic", "employment"))
    total = (lf.filter(pl.col("sic") == "TOTAL")
             .group_by("area_code", "year").agg(pl.col("employment").sum().alias("total")))
    sec = (lf.join(pl.from_pandas(mapping).lazy(), on="sic")
           .group_by("area_code", "sector", "year")
           .agg(pl.when(pl.col("employment").is_not_null().any())
                .then(pl.col("employment").sum()).alias("jobs")))
    sec = sec.join(total, on=["area_code", "year"])
    gb = (sec.filter(pl.col("area_code") == GB)
          .select("sector", "year", (pl.col("jobs") / pl.col("total")).alias("nat_share")))
    e = (sec.filter(pl.col("year") == end).join(gb, on=["sector", "year"])
         .select("area_code", "sector", "jobs",
                 (pl.col("jobs") / pl.col("total") / pl.col("nat_share")).alias("lq")))
    s = (sec.filter(pl.col("year") == start)
         .select("area_code", "sector", pl.col("jobs").alias("jobs0")))
    out = (e.join(s, on=["area_code", "sector"], how="left")
           .with_columns(((pl.col("jobs") / pl.col("jobs0")) ** (1.0 / (end - start)) - 1.0)
                         .alias("growth"))
           .filter(pl.col("area_code") != GB)
           .select("area_code", "sector", "lq", "growth"))
    return out.collect().to_pandas()


def run_duckdb(path: Path, start: int, end: int, mapping: pd.DataFrame) -> pd.DataFrame:
    import duckdb  # dev-only dependency, imported when this tool runs

    con = duckdb.connect()
    con.register("mapping", mapping)
    sql = f"""
    WITH e AS (
      SELECT area_code, CAST(year AS INTEGER) AS year, sic, employment
      FROM read_parquet('{path}') WHERE "table" = 'employment' AND year IN ({start}, {end})),
    tot AS (SELECT area_code, year, SUM(employment) AS total FROM e WHERE sic = 'TOTAL'
            GROUP BY ALL),
    sec AS (SELECT area_code, sector, year, SUM(employment) AS jobs
            FROM e JOIN mapping USING (sic) GROUP BY ALL),
    s AS (SELECT sec.*, tot.total FROM sec JOIN tot USING (area_code, year)),
    nat AS (SELECT sector, year, jobs / total AS nat_share FROM s WHERE area_code = '{GB}')
    SELECT a.area_code, a.sector, a.jobs / a.total / nat.nat_share AS lq,
           pow(a.jobs / b.jobs, 1.0 / {end - start}) - 1.0 AS growth
    FROM s a JOIN nat ON a.sector = nat.sector AND a.year = nat.year
    LEFT JOIN s b ON a.area_code = b.area_code AND a.sector = b.sector AND b.year = {start}
    WHERE a.year = {end} AND a.area_code <> '{GB}'
    """
    out = con.execute(sql).df()
    con.close()
    return out


_MAIN = ["table", "area_code", "year", "sic", "employment", "suppressed"]
_TEXT = ["table", "area_code", "sic"]


def floor_decode(path: Path) -> object:
    """The reader's first step alone: the six employment columns of every row, decoded by
    Arrow's threaded reader with text as dictionaries."""
    import pyarrow.parquet as pq

    return pq.ParquetFile(path, read_dictionary=_TEXT).read(columns=_MAIN, use_threads=True)


def floor_scatter(path: Path, start: int, end: int) -> np.ndarray:
    """The decode and the least numpy that makes two years' cells of it: per row group, the
    years counted and the label indices tallied (as the reader tallies every row), the two
    years' employment rows picked and their counts added into a dense areas x years x codes
    array (codes are each group's dictionary positions; no check, no cube, no indicator)."""
    table = floor_decode(path)
    n_area = max(len(c.dictionary) for c in table["area_code"].chunks)
    n_code = max(len(c.dictionary) for c in table["sic"].chunks)
    cells = np.zeros(n_area * 2 * n_code)
    for batch in table.to_batches():
        kind = batch.column(0).indices.fill_null(-1).to_numpy()
        year = batch.column(2).fill_null(0).to_numpy()
        area = batch.column(1).indices.fill_null(0).to_numpy()
        code = batch.column(3).indices.fill_null(0).to_numpy()
        np.bincount(np.clip(year - 1990, 0, 110), minlength=111)  # the years tally
        np.bincount(code, minlength=n_code)  # the labels tally
        np.bincount(area, minlength=n_area)
        keep = np.flatnonzero(((year == start) | (year == end)) & (kind >= 0))
        jobs = batch.column(4).fill_null(0).to_numpy()[keep]
        at = (area[keep].astype(np.int64) * 2 + (year[keep] == end)) * n_code + code[keep]
        cells += np.bincount(at, weights=jobs, minlength=len(cells))
    return cells


def floor_polars(path: Path, start: int, end: int) -> object:
    """Polars' reader on the same columns, filtered to the two years' employment rows."""
    import polars as pl  # dev-only dependency, imported when this floor runs

    return (pl.scan_parquet(path)
            .filter((pl.col("table") == "employment") & pl.col("year").is_in([start, end]))
            .select("area_code", "year", "sic", "employment", "suppressed").collect())


def _keyed(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.set_index(["area_code", "sector"]).sort_index()[["lq", "growth"]].astype(float)


def check_same(reference: pd.DataFrame, other: pd.DataFrame, name: str) -> None:
    ref, oth = _keyed(reference), _keyed(other)
    common = ref.index.intersection(oth.index)
    if len(common) < 0.95 * len(ref):
        raise SystemExit(f"{name}: only {len(common)} of {len(ref)} district x sector rows")
    a, b = ref.loc[common].to_numpy(), oth.loc[common].to_numpy()
    both = np.isfinite(a) & np.isfinite(b)
    if not np.allclose(a[both], b[both], rtol=1e-9, atol=1e-12):
        worst = float(np.nanmax(np.abs(a[both] - b[both])))
        raise SystemExit(f"{name}: numbers differ from policymix (max abs diff {worst})")
    if (np.isfinite(a) != np.isfinite(b)).mean() > 0.01:
        raise SystemExit(f"{name}: missing values differ from policymix")


def clear_caches() -> None:
    from evidence.sources import demo

    for fn in vars(demo).values():
        if callable(fn) and hasattr(fn, "cache_clear"):
            fn.cache_clear()
    gc.collect()


ROOT = Path(__file__).resolve().parents[1]


def run_processes(path: Path, mapping: pd.DataFrame, repeats: int,
                  startup: bool = True) -> None:
    """Whole processes, interleaved, hyperfine-style: wall time of each command line (one
    warm-up run each first, so no run pays for compiling imports or writing a cache)."""
    python = sys.executable
    # Bytecode written and used, as an installed package has it: with PYTHONDONTWRITEBYTECODE
    # set (as in some shells and CI) every run of policymix would recompile its modules
    # (about 0.1 s), while the one-file DuckDB script has almost nothing to compile.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    with tempfile.TemporaryDirectory() as tmp:
        mapping_csv = Path(tmp) / "mapping.csv"
        mapping.to_csv(mapping_csv, index=False)
        cli = str(ROOT / "policymix_cli.py")
        commands = {
            "policymix indicators": [python, cli, "indicators", "--data", str(path),
                                     "--out", f"{tmp}/pm.parquet"],
            "duckdb LQ+growth script": [python, str(ROOT / "benchmarks" / "scripts" /
                                                    "duckdb_lq_growth.py"),
                                        str(path), f"{tmp}/duck.parquet", str(mapping_csv)],
            "policymix areas (bundled)": [python, cli, "areas"],
            "policymix profile (bundled)": [python, cli, "profile", "--area", BUNDLED_AREA],
            "policymix recommend (bundled)": [python, cli, "recommend", "--area",
                                              BUNDLED_AREA],
        }
        if not startup:
            commands = {k: v for k, v in commands.items() if "bundled" not in k}
        for command in commands.values():
            subprocess.run(command, check=True, capture_output=True, cwd=ROOT, env=env)
        times: dict[str, list[float]] = {name: [] for name in commands}
        cpu: dict[str, list[float]] = {name: [] for name in commands}
        for _ in range(repeats):
            for name, command in commands.items():
                c0 = _children_cpu()
                t0 = time.perf_counter()
                subprocess.run(command, check=True, capture_output=True, cwd=ROOT, env=env)
                times[name].append(time.perf_counter() - t0)
                cpu[name].append(_children_cpu() - c0)
        duck = pd.read_parquet(f"{tmp}/duck.parquet")
        ours = pd.read_parquet(f"{tmp}/pm.parquet")
        check_same(ours[ours["level"] == "lad"], duck, "duckdb script")
    base = statistics.median(times["duckdb LQ+growth script"])
    print(f"\nwhole processes ({repeats} interleaved runs each after a warm-up; wall time; "
          "the script's LQ and growth checked equal to policymix's file;\n  `policymix "
          "indicators` reads the file's first and last year and writes every indicator for "
          "every area\n  and sector; the script computes LQ and growth only)")
    print(f"{'command':<30} {'median':>9} {'min':>9} {'max':>9} {'vs duckdb':>10} {'cpu':>8}")
    for name, ts in times.items():
        med = statistics.median(ts)
        print(f"{name:<30} {med * 1000:8.0f}ms {min(ts) * 1000:8.0f}ms {max(ts) * 1000:8.0f}ms "
              f"{med / base:9.2f}x {statistics.median(cpu[name]) * 1000:6.0f}ms")


def _children_cpu() -> float:
    """User + system CPU seconds of the finished child processes so far."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--file", type=Path, default=None)
    parser.add_argument("--no-floors", action="store_true",
                        help="skip the floors (decode alone, decode + bare scatter, Polars' "
                        "decode)")
    parser.add_argument("--no-processes", action="store_true",
                        help="skip the whole-process comparison")
    parser.add_argument("--no-startup", action="store_true",
                        help="whole processes: only `indicators` and the DuckDB script, not "
                        "the start-up commands on the bundled demo")
    args = parser.parse_args()
    path = args.file or ensure_full_demo()
    ev = Evidence.from_path(str(path))
    start, end = int(ev.years[0]), int(ev.years[-1])
    mapping = sector_map(sorted(set(ev.cube.classes) | {"TOTAL"}))
    del ev
    tools: dict[str, Callable[[], pd.DataFrame]] = {
        "policymix": lambda: run_policymix(path, start, end),
        "pandas": lambda: run_pandas(path, start, end, mapping),
        "polars": lambda: run_polars(path, start, end, mapping),
        "duckdb": lambda: run_duckdb(path, start, end, mapping),
    }
    floors: dict[str, Callable[[], object]] = {} if args.no_floors else {
        "floor: Arrow decode": lambda: floor_decode(path),
        "floor: decode + bare scatter": lambda: floor_scatter(path, start, end),
        "floor: Polars decode": lambda: floor_polars(path, start, end),
    }
    reference = tools["policymix"]()
    for name, fn in tools.items():
        if name != "policymix":
            check_same(reference, fn(), name)
    runs: dict[str, Callable[[], object]] = {**tools, **floors}
    for fn in floors.values():
        fn()  # a warm-up each (imports, the file in the page cache), as the tools had
    times: dict[str, list[float]] = {name: [] for name in runs}
    cpu: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(args.repeats):
        for name, fn in runs.items():  # interleaved: each repeat runs every one in turn
            clear_caches()
            t0, c0 = time.perf_counter(), time.process_time()
            fn()
            times[name].append(time.perf_counter() - t0)
            cpu[name].append(time.process_time() - c0)
    base = statistics.median(times["policymix"])
    print(f"file to LQ and growth for {len(reference):,} district x sector rows "
          f"({path.name}, {start}-{end}; {args.repeats} interleaved repeats; numbers checked "
          "equal to 1e-9; cpu: the process's CPU time, all threads, median)")
    print("what each reads and computes: every tool reads the same file from disk; pandas, "
          "Polars and DuckDB filter the scan to\n  table = 'employment' and the two years and "
          "compute LQ and growth of the ten sectors for the districts;\n  policymix "
          f"(Evidence.from_path(..., years=({start}, {end}))) decodes its six employment "
          "columns for every row,\n  keeps, checks and scatters the two years' rows (and "
          "the small tables' rows of those years), builds\n  the cube (districts, groups, "
          "regions; sectors, divisions, 4-digit classes) and computes every indicator\n  of "
          "the period for every area, then the 20-column indicator table")
    if floors:
        print("floors (not tools): the reader's Arrow decode alone; that decode plus the least "
              "numpy making two years'\n  cells (no check, cube or indicator); Polars' reader "
              "on the same columns with its filter")
    print(f"{'tool':<30} {'median':>9} {'min':>9} {'max':>9} {'vs policymix':>13} {'cpu':>8}")
    for name, ts in times.items():
        med = statistics.median(ts)
        print(f"{name:<30} {med * 1000:8.0f}ms {min(ts) * 1000:8.0f}ms {max(ts) * 1000:8.0f}ms "
              f"{med / base:12.2f}x {statistics.median(cpu[name]) * 1000:6.0f}ms")
    if not args.no_processes:
        run_processes(path, mapping, args.repeats, startup=not args.no_startup)


if __name__ == "__main__":
    main()
