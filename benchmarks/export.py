"""Time the exports of one area: Word, HTML, Excel and JSON, bundled and full demo.

    .venv/bin/python benchmarks/export.py [--repeat 5] [--no-full] [--fresh 3]

Targets (issue 14): Word under 2 s and HTML under 1 s for one area. A session is made for one
area of each demo (the engineering cluster archetype) with the tool's defaults, as the export
page would see it; loading the data is not timed (the app holds it in memory).

Each repeat times, the demos interleaved:

- ``bundle``: the walkthrough results and labels (:func:`policy.export.build_bundle`)
- ``<format>, cold``: a fresh bundle written with the figure cache emptied first: what the
  first export of a session state costs (the figures rendered)
- ``<format>, warm``: the same format again from a fresh bundle of the same session state: the
  figures come from the cache keyed by their inputs (what a second format or a second click
  costs)

The cold rows are measured in a process that has already exported once (the warm-up repeat
below), so its imports are done. ``--fresh N`` adds what a user meets first: N times per demo
and format (interleaved), a new Python process loads the evidence and makes the session (not
timed, as the app has done both by the time its export page is opened; Altair is imported
too, as the app's pages import it at start), then times its first export:

- ``<format>, first in a fresh process``: nothing else done first - the imports of the export
  package and its writers' libraries and the start of vl-convert's JavaScript engine (Word)
  included; what the command line (``policymix appraise``) meets
- ``<format>, first after the app's warm-up``: the same, after what the app's warm-up thread
  does once its data is loaded (``ui.state.warm_in_background``), untimed:
  :func:`policy.export.prepare` (vl-convert's fonts and engine started, python-docx and
  openpyxl imported, the programmes and labels files read; nothing of the session drawn),
  then a collection and ``gc.freeze()`` (``ui.state.settle``). What the app's first export
  costs.

``--repeat 0`` times only these. The HTML report draws no chart in Python (the reader's
browser draws them from their specs), so its rows are the bundle, the diagrams and the page.
The charts' specs are written without Altair (``evidence.chart_specs``), so the export itself
no longer imports it; the fresh child still imports it untimed, as the app has by then (the
command line, ``benchmarks/cli.py``, imports it nowhere).

Medians with min-max; CPU time (``time.process_time``) beside wall time, since the machine may
be shared.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from evidence.service import FULL_DEMO, Evidence  # noqa: E402
from evidence.sources.demo import ARCHETYPES  # noqa: E402
from policy.session import StrategySession  # noqa: E402
from policy.walkthrough import new_session  # noqa: E402

FORMATS = ("docx", "html", "xlsx", "json")
TARGETS = {"docx": 2000.0, "html": 1000.0}
FIRST = "first in a fresh process"
AFTER_WARM_UP = "first after the app's warm-up"
DEFINITIONS = (
    "cold: the figure cache emptied, in a process that has exported before (imports done); "
    "warm: the same state again (figures cached); "
    f"{FIRST}: a new process with the evidence loaded and the session made (untimed), "
    "its first export timed with every import and vl-convert's start; "
    f"{AFTER_WARM_UP}: the same after policy.export.prepare() and gc.collect() + gc.freeze() "
    "(untimed), as the app's warm-up thread ends")


def _time(fn: Callable[[], object]) -> tuple[float, float]:
    t0, c0 = time.perf_counter(), time.process_time()
    fn()
    return (time.perf_counter() - t0) * 1000, (time.process_time() - c0) * 1000


def one_repeat(ev: Evidence, session: StrategySession, tmp: Path) -> dict[str, tuple]:
    from policy.export import build_bundle, export
    from policy.export.images import clear_figure_cache

    out: dict[str, tuple] = {}
    out["bundle"] = _time(lambda: build_bundle(session, ev))
    for fmt in FORMATS:
        path = tmp / f"report.{fmt}"
        clear_figure_cache()
        out[f"{fmt}, cold"] = _time(lambda p=path: export(build_bundle(session, ev), p))
        out[f"{fmt}, warm"] = _time(lambda p=path: export(build_bundle(session, ev), p))
    return out


def first_export(source: str | None, fmt: str, out: Path,
                 prepared: bool = False) -> tuple[float, float]:
    """In this (fresh) process: load the evidence and make the session untimed (and with
    ``prepared`` run the app's warm-up step :func:`policy.export.prepare`, untimed), then time
    the first export, ``policy.export`` imported inside the timing (the export page defers it;
    with ``prepared`` it is imported already, as the app's ``ui.state`` imports it)."""
    import altair  # noqa: F401 - the app imports it at start (its pages draw Altair charts)

    area = ARCHETYPES["engineering_assembly_cluster"][0]
    ev = Evidence.from_path(source)
    session = new_session(ev, area, data_source=source)
    if prepared:
        import gc

        from policy.export import prepare

        prepare()
        gc.collect()  # what the app's warm-up does last (ui.state.settle): without it the
        gc.freeze()  # writers' imported modules make every full collection longer

    def run() -> None:
        from policy.export import build_bundle, export

        export(build_bundle(session, ev), out)

    return _time(run)


def fresh(source: str | None, fmt: str, tmp: Path, prepared: bool) -> tuple[float, float]:
    """:func:`first_export` in a new Python process; its wall and CPU milliseconds."""
    cmd = [sys.executable, __file__, "--child", fmt, "--source", source or "",
           "--out", str(tmp / f"fresh.{fmt}")] + (["--prepared"] if prepared else [])
    done = subprocess.run(cmd, capture_output=True, text=True, check=True, cwd=ROOT)
    wall, cpu = json.loads(done.stdout.strip().splitlines()[-1])
    return wall, cpu


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--repeat", type=int, default=5)
    p.add_argument("--no-full", action="store_true", help="bundled demo only")
    p.add_argument("--fresh", type=int, default=0, metavar="N",
                   help="also time the first export in N fresh processes per demo and format")
    p.add_argument("--child", choices=FORMATS, help=argparse.SUPPRESS)
    p.add_argument("--source", help=argparse.SUPPRESS)
    p.add_argument("--out", help=argparse.SUPPRESS)
    p.add_argument("--prepared", action="store_true", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.child:
        print(json.dumps(first_export(args.source or None, args.child, Path(args.out),
                                      prepared=args.prepared)))
        return 0
    area = ARCHETYPES["engineering_assembly_cluster"][0]
    demos: dict[str, tuple[Evidence, StrategySession]] = {}
    sources = {"bundled demo": None} if args.no_full else {"bundled demo": None,
                                                            "full demo": FULL_DEMO}
    for name, source in sources.items():
        ev = Evidence.from_path(source)
        demos[name] = (ev, new_session(ev, area, data_source=source))
    stages = ["bundle"] + [f"{f}, {w}" for f in FORMATS for w in ("cold", "warm")]
    wall = {d: {s: [] for s in stages} for d in demos}
    cpu = {d: {s: [] for s in stages} for d in demos}
    firsts = [f"{f}, {when}" for when in (FIRST, AFTER_WARM_UP) for f in ("docx", "html")
              ] if args.fresh else []
    for d in demos:
        for stage in firsts:
            wall[d][stage], cpu[d][stage] = [], []
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(args.fresh):  # before this process has imported the export package
            for name, source in sources.items():
                for stage in firsts:
                    w, c = fresh(source, stage.split(",")[0], Path(tmp),
                                 prepared=stage.endswith(AFTER_WARM_UP))
                    wall[name][stage].append(w)
                    cpu[name][stage].append(c)
        for ev, session in demos.values() if args.repeat else ():  # warm-up: imports,
            one_repeat(ev, session, Path(tmp))  # vl-convert's JavaScript engine, fonts
        for _ in range(args.repeat):
            for name, (ev, session) in demos.items():
                for stage, (w, c) in one_repeat(ev, session, Path(tmp)).items():
                    wall[name][stage].append(w)
                    cpu[name][stage].append(c)
    print(DEFINITIONS)
    for name in demos:
        print(f"{name}, area {area}: median (min-max) of {args.repeat} interleaved repeats"
              + (f" ({args.fresh} for the fresh processes)" if args.fresh else ""))
        for stage in (stages if args.repeat else []) + firsts:
            xs, cs = wall[name][stage], cpu[name][stage]
            bar = TARGETS.get(stage.split(",")[0])
            flag = "" if bar is None else (" ok" if statistics.median(xs) <= bar
                                           else f"  <-- over {bar:.0f} ms")
            print(f"  {stage:<37} {statistics.median(xs):7.0f} ms ({min(xs):.0f}-{max(xs):.0f})"
                  f"   CPU {statistics.median(cs):6.0f} ms ({min(cs):.0f}-{max(cs):.0f}){flag}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
