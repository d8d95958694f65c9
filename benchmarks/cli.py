"""Every `policymix` command on the bundled demo as a whole process: median (min-max) wall time.

    .venv/bin/python benchmarks/cli.py [--repeats 7] [--commands areas profile ...]
        [--before DIR]   # also run each command from another checkout, interleaved

Each command is one ``python policymix_cli.py ...`` process, timed from its start to its exit
(hyperfine-style); the commands are interleaved, each repeat running all of them in turn, so
they share the machine's noise. One warm-up round runs first: it writes the project's
bytecode (``__pycache__``), as an installed package has it, and warms the OS file cache, so no
timed run pays for compiling sources. ``PYTHONDONTWRITEBYTECODE`` is removed from the children's
environment for the same reason (with it set, every run recompiles the project: about 0.3 s).

The commands: ``areas``; ``profile`` and ``recommend`` of one district; ``session new`` (a
session file with defaults); ``appraise`` of that session to JSON and to HTML (the report: its
figures are the export's own cost); ``cba`` of the issue 12 example file. The target of issue 14
is under 1.5 s each. CPU time of each child (user + system) is printed beside the wall time:
the machine is shared, and wall time includes waiting for a core.

``--imports`` adds, after the timed runs, one ``python -X importtime`` run of each command and
prints how long its imports took in all (the top-level modules' cumulative times: the
start-up before any data is read, module bodies such as pydantic model classes included) and
the packages whose own modules took longest; the importtime run is slower than a timed one,
so these are shares, not figures to add to the table.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
AREA = "E08000001"  # a district of the bundled demo
TARGET_S = 1.5
CBA_EXAMPLE = {  # the issue 12 example (tests/test_cli.py)
    "costs": [{"year": t, "amount": 1.0, "type": "revenue", "public": True} for t in range(5)],
    "benefits": [{"year": t, "amount": 2.0} for t in range(1, 11)],
    "additionality": {"deadweight": 0.4, "displacement": 0.25, "leakage": 0.1},
    "optimism_bias": {"percent": 0},
}


def commands(tmp: Path) -> dict[str, list[str]]:
    """The command lines, by the name the table shows."""
    session = tmp / "session.json"
    cba = tmp / "cba.json"
    cba.write_text(json.dumps(CBA_EXAMPLE), encoding="utf-8")
    return {
        "areas": ["areas"],
        "profile": ["profile", "--area", AREA],
        "profile --format json": ["profile", "--area", AREA, "--format", "json"],
        "recommend": ["recommend", "--area", AREA],
        "session new": ["session", "new", "--area", AREA, "--out", str(session)],
        "appraise (JSON)": ["appraise", "--session", str(session), "--out",
                            str(tmp / "pack.json")],
        "appraise (HTML)": ["appraise", "--session", str(session), "--out",
                            str(tmp / "pack.html")],
        "cba": ["cba", "--input", str(cba)],
    }


def run_once(args: list[str], env: dict[str, str], root: Path = ROOT) -> tuple[float, float]:
    """Wall and CPU seconds (user + system of the child) of one process of ``root``'s CLI."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    subprocess.run([sys.executable, str(root / "policymix_cli.py"), *args], check=True,
                   capture_output=True, cwd=root, env={**env, "PYTHONPATH": str(root)})
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def import_times(args: list[str], env: dict[str, str], root: Path = ROOT
                 ) -> tuple[float, list[tuple[str, float]]]:
    """Seconds of imports in one ``-X importtime`` process of the command, and the five
    top-level packages with the most self time in their modules."""
    done = subprocess.run([sys.executable, "-X", "importtime", str(root / "policymix_cli.py"),
                           *args], check=True, capture_output=True, text=True, cwd=root,
                          env={**env, "PYTHONPATH": str(root)})
    total = 0.0
    by_package: dict[str, float] = {}
    for line in done.stderr.splitlines():
        if not line.startswith("import time:") or "self [us]" in line:
            continue
        own, cumulative, name = (part.strip() for part in line[len("import time:"):]
                                 .split("|"))
        if not line.split("|")[2].startswith("  "):  # depth 0: a top-level import
            total += int(cumulative) / 1e6
        top = name.split(".")[0]
        by_package[top] = by_package.get(top, 0.0) + int(own) / 1e6
    return total, sorted(by_package.items(), key=lambda kv: -kv[1])[:5]


def _fmt(xs: list[float]) -> str:
    return f"{statistics.median(xs) * 1000:6.0f} ms ({min(xs) * 1000:.0f}-{max(xs) * 1000:.0f})"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--repeats", type=int, default=7)
    p.add_argument("--commands", nargs="*", help="names to run (default: all); session new "
                   "runs first whenever an appraise is asked for")
    p.add_argument("--before", type=Path, help="another checkout (e.g. `git worktree add "
                   "/tmp/before main`): each command also runs from it, interleaved")
    p.add_argument("--imports", action="store_true", help="also one -X importtime run of each "
                   "command: its imports' total and the packages that took longest")
    args = p.parse_args(argv)
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONDONTWRITEBYTECODE", "OPENBLAS_NUM_THREADS")}
    roots = {"": ROOT} | ({" (before)": args.before.resolve()} if args.before else {})
    with tempfile.TemporaryDirectory(prefix="policymix-cli-") as tmp:
        env["POLICYMIX_HOME"] = tmp
        cmds = commands(Path(tmp))
        if args.commands:
            wanted = set(args.commands)
            if any(n.startswith("appraise") for n in wanted):
                wanted.add("session new")
            cmds = {n: c for n, c in cmds.items() if n in wanted}
        runs = {name + tag: (c, root) for name, c in cmds.items() for tag, root in roots.items()}
        for c, root in runs.values():  # warm-up: bytecode, file cache, the session file
            run_once(c, env, root)
        wall: dict[str, list[float]] = {n: [] for n in runs}
        cpu: dict[str, list[float]] = {n: [] for n in runs}
        for _ in range(args.repeats):
            for name, (c, root) in runs.items():
                w, u = run_once(c, env, root)
                wall[name].append(w)
                cpu[name].append(u)
        imports = {name: import_times(c, env, root) for name, (c, root) in runs.items()
                   } if args.imports else {}
    load = os.getloadavg()[0]
    print(f"policymix commands on the bundled demo, whole processes: median (min-max) of "
          f"{args.repeats} interleaved runs after a warm-up; load average {load:.1f} at the end")
    print(f"{'command':<33} {'wall':>22} {'CPU (user + sys)':>24}  under {TARGET_S} s?")
    for name in runs:
        med = statistics.median(wall[name])
        print(f"{name:<33} {_fmt(wall[name]):>22} {_fmt(cpu[name]):>24}  "
              f"{'yes' if med < TARGET_S else 'no'}")
    if imports:
        print("\nimports (one -X importtime run each; self time by top-level package)")
    for name, (total, packages) in imports.items():
        top = ", ".join(f"{pkg} {t * 1000:.0f}" for pkg, t in packages)
        print(f"{name:<33} {total * 1000:6.0f} ms: {top}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
