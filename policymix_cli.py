"""`policymix` command line: the same functions as the app, without a browser.

Every command imports what it needs inside its own function: this defers pandas-heavy
evidence modules, the rules engine, the catalogue, pydantic models and the export writers
(python-docx, openpyxl, Pillow) to the commands that use them, so that ``policymix
indicators`` loads only the tidy reader, the cube and the indicators (not the profile,
findings or rendering modules) and ``policymix areas`` starts without the policy layer.
The policy package and its rooms import a room only when one of its names is read
(``evidence.lazy``), so ``policymix cba`` loads the CBA and its file format alone (no pandas,
no evidence layer). A ``policymix`` process runs its start-up with the garbage collector
paused and freezes what it loaded (``main``).
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import signal
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

# One BLAS thread unless the caller asks for more (read when numpy loads, so set before any
# command imports it). A command's linear algebra is small - the profile's 409 FLQ Leontief
# solves are 105 x 105 each - and OpenBLAS's threads spin on a busy machine: that batch took
# 1-6 s on two shared cores with its default threads, 0.07 s on one (the same numbers to
# 1e-15; tests/test_cli_fast.py checks the printed profile equals the in-process one). The FLQ
# solve now limits itself (threadpoolctl, evidence/analysis/supply_chain.py), but the other
# BLAS calls (the LISA permutations' batched matrix products) do not: with two threads, on
# the shared machine at load 2-4, `profile` took 1.26 s of CPU against 1.07 s with one and
# `recommend` 1.66 s against 1.52 s (7 interleaved runs each; wall 1.39 / 1.38 s and 2.69 /
# 1.56 s), so the variable stays (issue 14).
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

if TYPE_CHECKING:
    from evidence.indicators import Indicators
    from evidence.service import Evidence

COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {}


def command(name: str) -> Callable[[Callable[[argparse.Namespace], int]],
                                   Callable[[argparse.Namespace], int]]:
    def register(fn: Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
        COMMANDS[name] = fn
        return fn
    return register


def _evidence(args: argparse.Namespace) -> Evidence:
    from evidence.service import Evidence

    ev = Evidence.from_path(getattr(args, "data", None), getattr(args, "gva", None),
                            getattr(args, "status", None),
                            context=getattr(args, "context", None),
                            engine=getattr(args, "engine", None) or "auto",
                            lookup=getattr(args, "lookup", None))
    _started()
    return ev


_START_UP = {"paused": False}
"""Whether this process's start-up runs with the cyclic collector paused (see ``main``)."""


def _pause_start_up() -> None:
    """Pause the cyclic garbage collector for the start-up of a ``policymix`` process.

    Start-up (importing pandas, pyarrow, the project's modules and ~120 pydantic models, then
    reading the data) allocates a few hundred thousand objects that all live until the process
    exits; with the collector running they set off hundreds of young collections and a few full
    ones of everything alive: 0.1-0.4 s of a command (``gc.callbacks``; issue 14). Reference
    counting still frees every temporary, so memory does not grow while paused."""
    if gc.isenabled():
        gc.disable()
        _START_UP["paused"] = True


def _started() -> None:
    """Start-up is over (modules imported, evidence loaded): move what is alive to the
    collector's permanent generation (``gc.freeze``, as the app's ``ui.state.settle`` does)
    so the collections of the command's own work do not walk it again, and resume collecting.
    A no-op unless ``_pause_start_up`` paused the collector."""
    if _START_UP["paused"]:
        _START_UP["paused"] = False
        gc.freeze()
        gc.enable()


def _print_report(ev: Evidence) -> None:
    """The load report of a real file, on stderr (stdout stays the requested output)."""
    report = ev.dataset.source.report
    if report is None:
        return
    print(f"# loaded {ev.dataset.source.path}", file=sys.stderr)
    for line in report.lines():
        print(f"#   {line}", file=sys.stderr)


def _area_code(ev: Evidence, query: str) -> str:
    """An area code from a code or a name (case-insensitive), else KeyError with suggestions."""
    from evidence.service import find_area

    return find_area(ev.areas(), query)


@command("areas")
def cmd_areas(args: argparse.Namespace) -> int:
    ev = _evidence(args)
    _print_report(ev)
    frame = ev.areas()
    if getattr(args, "level", None):
        frame = frame[frame["level"] == args.level].reset_index(drop=True)
    if getattr(args, "format", "text") == "json":
        print(json.dumps(frame.to_dict(orient="records"), indent=1))
        return 0
    print(f"# {ev.dataset.source.label()}")
    for row in frame.itertuples(index=False):
        print(f"{row.area_code}\t{row.level}\t{row.area_name}")
    return 0


@command("profile")
def cmd_profile(args: argparse.Namespace) -> int:
    ev = _evidence(args)
    _print_report(ev)
    profile = ev.profile(_area_code(ev, args.area), args.start, args.end, k=args.k)
    if args.format == "json":
        print(profile.model_dump_json(indent=1))
    else:
        from evidence.render import profile_markdown

        text = profile_markdown(profile)
        report = ev.dataset.source.report
        if report is not None:
            text += "\n## Load report\n\n" + "".join(f"- {line}\n" for line in report.lines())
        print(text, end="")
    return 0


@command("indicators")
def cmd_indicators(args: argparse.Namespace) -> int:
    from evidence.indicator_table import indicator_columns, write_table

    out = Path(args.out)
    if out.suffix.lower() not in (".csv", ".parquet"):
        raise ValueError(f"--out {args.out}: the file must end in .csv or .parquet")
    table = indicator_columns(_tidy_indicators(args) or _evidence(args).indicators(args.start,
                                                                                   args.end))
    write_table(table, out)
    print(f"wrote {out}: {len(table):,} rows ({len(set(table['area_code'].tolist())):,} "
          f"areas x {len(set(table['sector'].tolist()))} sectors), "
          f"{int(table['start_year'][0])}-{int(table['end_year'][0])}", file=sys.stderr)
    return 0


def _tidy_indicators(args: argparse.Namespace) -> Indicators | None:
    """The indicators of a data file straight from its reader, the cube and the indicators
    (what ``Evidence`` does for a file, without importing the profile layer); None for the
    demos, the sample, a ``file::status=`` spec or context files to merge, which go through
    ``Evidence``. A tidy file without a GVA or lookup file to merge is read by the tidy
    reader alone (numpy and Arrow, no pandas: most of this command's start-up was importing
    it), its neighbourhoods, if any, then placed as ``load_dataset`` places them.

    A tidy file is read for the period's two years only (``--start`` / ``--end``, else the
    file's first and last year of employment rows): the rows of the other years are
    neither read nor checked, which changes none of the table's numbers (every column is of
    the start or end year, or between them). A period of one year, or backwards, reads every
    year, so it is refused (or taken as a one-year file's snapshot) exactly as before."""
    data = args.data
    if data is None or args.context or "::" in str(data):
        return None
    if not Path(data).is_file():  # demo:full, sample:nuts2, or a missing file
        return None
    from evidence.cube import build_cube
    from evidence.indicators import compute_indicators
    from evidence.sources.tidy import is_tidy_file

    # A period of one year or backwards reads every year (then refused as before).
    backwards = args.start is not None and args.end is not None and args.start >= args.end
    read_years = None if backwards else (args.start, args.end)
    if is_tidy_file(data) and args.gva is None and args.lookup is None:
        from evidence.sources.tidy_duckdb import read_tidy_any

        ds = read_tidy_any(data, args.engine or "auto", read_years)
        if ds.has_placeable_areas():
            from evidence.sources.load import place_tidy

            ds = place_tidy(ds, data, None)
    else:
        from evidence.sources.load import load_dataset

        ds = load_dataset(data, args.gva, args.status, args.engine or "auto", args.lookup,
                          read_years)
    cube = build_cube(ds)
    years = [int(y) for y in cube.years]
    start = years[0] if args.start is None else int(args.start)
    end = years[-1] if args.end is None else int(args.end)
    return compute_indicators(cube, start, end)


@command("recommend")
def cmd_recommend(args: argparse.Namespace) -> int:
    from policy.calibration import recommend_all
    from policy.catalogue import load_catalogue
    from policy.session import StrategySession
    from policy.walkthrough import recommend

    ev = _evidence(args)
    if args.all:
        return _recommend_all(ev, recommend_all(ev), args.format)
    if args.area is None:
        raise ValueError("give --area CODE, or --all for every district")
    recs = recommend(ev, StrategySession(area_code=args.area, data_source=args.data,
                                         gva_source=args.gva))
    if args.format == "json":
        print(json.dumps(recs.model_dump(mode="json"), indent=1))
        return 0
    catalogue = load_catalogue()
    name = ev.cube.areas["area_name"].iloc[ev.cube.position(args.area)]
    print(f"# Recommended interventions for {name} ({args.area})\n")
    print(f"Data: {ev.dataset.source.label()}\n")
    for rank, rec in enumerate(recs.recommended, start=1):
        print(f"{rank}. **{catalogue[rec.intervention].name}** (score {rec.score:.2f}; "
              f"{', '.join(rec.rationales)})")
        for fired in rec.trace:
            print(f"   - rule `{fired.rule}`: {fired.why}")
            for c in fired.conditions:
                print(f"     - {c.path} {c.op} {c.threshold}: actual {c.actual} -> {c.result}")
    print("\n## Not recommended\n")
    for nr in recs.not_recommended:
        print(f"- **{catalogue[nr.intervention].name}**: " + "; ".join(nr.why))
    return 0


def _recommend_all(ev: Evidence, results: list, fmt: str) -> int:
    """Every district's recommended list: JSON ``{"areas": [{area_code, area_name,
    recommended}]}`` (each list as ``recommend --area --format json`` gives it), or one line a
    district in markdown."""
    if fmt == "json":
        print(json.dumps({"source": ev.dataset.source.label(),
                          "areas": [r.as_json() for r in results]}, indent=1))
        return 0
    print(f"# Recommended interventions for every district\n\nData: "
          f"{ev.dataset.source.label()}\n")
    for r in results:
        ids = ", ".join(x["intervention"] for x in r.recommended) or "(none)"
        print(f"- {r.area_name} ({r.area_code}), {len(r.recommended)}: {ids}")
    return 0


@command("session")
def cmd_session(args: argparse.Namespace) -> int:
    from pathlib import Path

    from policy.session import session_to_json
    from policy.walkthrough import new_session

    if args.session_command != "new":
        raise ValueError(f"unknown session command {args.session_command!r}")
    ev = _evidence(args)
    session = new_session(ev, args.area, data_source=args.data)
    session.gva_source = args.gva
    session.context_sources = list(args.context or [])
    session.lookup_source = args.lookup
    Path(args.out).write_text(session_to_json(session), encoding="utf-8")
    print(f"wrote {args.out}: {session.area_name} ({session.area_code}), "
          f"{len(session.findings)} findings accepted, "
          f"{len(session.chosen_interventions)} interventions, "
          f"{len(session.appraisal.options)} options")
    return 0


@command("appraise")
def cmd_appraise(args: argparse.Namespace) -> int:
    from pathlib import Path

    from evidence.service import Evidence
    from policy.export import build_bundle, export
    from policy.session import session_from_json

    path = Path(args.session)
    session = session_from_json(path.read_bytes(), source=str(path))  # BOM, encoding: located
    ev = Evidence.from_path(session.data_source, session.gva_source,
                            context=session.context_sources, lookup=session.lookup_source)
    _started()
    bundle = build_bundle(session, ev, workshop=session.workshop or None)
    out = export(bundle, Path(args.out))
    print(f"wrote {out}")
    return 0


@command("cba")
def cmd_cba(args: argparse.Namespace) -> int:
    """Green Book cost-benefit analysis of one file of costs, benefits and additionality."""
    from pathlib import Path

    from policy.appraisal import (
        appraise_cba,
        cba_file_markdown,
        cba_file_output,
        parse_cba_file,
    )

    path = Path(args.input)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ValueError(f"{path}: not valid JSON (line {exc.lineno}, column {exc.colno}): "
                         f"{exc.msg}") from None
    result = appraise_cba(parse_cba_file(data, source=str(path)))
    if args.format == "json":
        print(json.dumps(cba_file_output(result), indent=1))
    else:
        print(cba_file_markdown(result), end="")
    return 0


class _AreaLevels:
    """``--level``'s choices, read from ``evidence.dataset`` only when argparse checks a value
    or names the choices in an error: importing it (pandas) for every parse cost ``cba`` about
    0.4 s. The option has a metavar because argparse otherwise lists the choices to check the
    metavar on every ``add_argument``, which read them on every parse; its help lists them."""

    def _levels(self) -> tuple[str, ...]:
        from evidence.dataset import AREA_LEVELS  # deferred: pandas

        return tuple(AREA_LEVELS)

    def __contains__(self, value: object) -> bool:
        return value in self._levels()

    def __iter__(self):
        return iter(self._levels())


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="policymix", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    def data_arg(p: argparse.ArgumentParser) -> None:
        p.add_argument("--data", help="data file (policymix CSV/parquet, NOMIS BRES CSV or "
                       "XLSX), demo:full for the full national synthetic demo, or "
                       "sample:nuts2 for the real BRES NUTS2 sample; "
                       "default: the bundled synthetic demo")
        p.add_argument("--gva", help="ONS regional GVA file (CSV or XLSX) to merge with --data")
        p.add_argument("--status", help="BRES employment status to use when the file has "
                       "several (Employment, Employees, Full-time employees, Part-time "
                       "employees); default Employment; statuses are never added together")
        p.add_argument("--context", action="append", metavar="FILE",
                       help="NOMIS context download to merge with --data (repeatable): APS "
                       "qualifications (T19), APS employment by occupation (T09a) or UK "
                       "Business Counts by employment size band, XLSX or CSV")
        p.add_argument("--lookup", metavar="FILE",
                       help="ONS lookup placing the neighbourhoods (MSOAs, LSOAs) of --data in "
                       "their districts (e.g. the Output Area to LSOA to MSOA to Local "
                       "Authority District lookup: LSOA21CD, MSOA21CD, LAD22CD ...); without "
                       "it they are placed by their ONS names ('Hartlepool 001')")
        p.add_argument("--engine", choices=["auto", "memory", "duckdb"], default="auto",
                       help="read a tidy file in memory or out of core with DuckDB (sector "
                       "numbers only, no 4-digit class analysis); auto: DuckDB above "
                       "240 million rows for Parquet, 20 million for CSV "
                       "(POLICYMIX_OUT_OF_CORE_ROWS)")

    p = sub.add_parser("areas", help="list area codes, names and levels")
    data_arg(p)
    p.add_argument("--format", choices=["text", "json"], default="text")
    p.add_argument("--level", choices=_AreaLevels(), metavar="LEVEL",
                   help="only areas of this level: lad (districts), msoa, lsoa, iz, dz "
                   "(neighbourhoods), group, region, country, custom")

    p = sub.add_parser("profile", help="print an area's advanced manufacturing profile")
    data_arg(p)
    p.add_argument("--area", required=True,
                   help="area code (E06000001) or name (case-insensitive, e.g. 'hartlepool')")
    p.add_argument("--start", type=int, help="first year (default: earliest in the data)")
    p.add_argument("--end", type=int, help="last year (default: latest in the data)")
    p.add_argument("--k", type=int, default=5, help="number of comparator areas")
    p.add_argument("--format", choices=["md", "json"], default="md")

    p = sub.add_parser("indicators", help="every indicator for every area and sector, to a file")
    data_arg(p)
    p.add_argument("--out", required=True, help="output table: .csv or .parquet")
    p.add_argument("--start", type=int, help="first year (default: earliest in the data)")
    p.add_argument("--end", type=int, help="last year (default: latest in the data)")

    p = sub.add_parser("recommend", help="recommended interventions with their traces")
    data_arg(p)
    which = p.add_mutually_exclusive_group(required=True)
    which.add_argument("--area", help="area code")
    which.add_argument("--all", action="store_true",
                       help="every district: its recommended list (for calibration)")
    p.add_argument("--format", choices=["md", "json"], default="md")

    p = sub.add_parser("session", help="make a session file with defaults")
    p.add_argument("session_command", choices=["new"])
    data_arg(p)
    p.add_argument("--area", required=True)
    p.add_argument("--out", required=True, help="session JSON file to write")

    p = sub.add_parser("cba", help="Green Book cost-benefit analysis of a JSON file of costs, "
                       "benefits and additionality")
    p.add_argument("--input", required=True, help="JSON file: costs, benefits, additionality, "
                   "optimism_bias (GBP m, real prices, year 0 = first year of spend)")
    p.add_argument("--format", choices=["json", "md"], default="json")

    p = sub.add_parser("appraise", help="write the appraisal pack from a session file")
    p.add_argument("--session", required=True, help="session JSON file")
    p.add_argument("--out", required=True, help="output: .docx, .xlsx, .html or .json")
    return parser


def _data_error() -> type[Exception]:
    """``DataError``, imported when a command failed (it pulls in pandas)."""
    from evidence.dataset import DataError

    return DataError


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command. Without ``argv`` this is the ``policymix`` process reading its own
    command line: its start-up runs with the garbage collector paused (``_pause_start_up``;
    not for ``indicators``, whose reader may hold a file of any size). With ``argv`` (a test or
    a script calling in) the collector is left as the caller has it."""
    if hasattr(signal, "SIGPIPE"):  # `policymix ... | head` should just stop, not trace back
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    parser = build_parser()
    args = parser.parse_args(argv)
    if argv is None and args.command != "indicators":
        _pause_start_up()
    try:
        return COMMANDS[args.command](args)
    except (KeyError, ValueError, OSError, _data_error()) as exc:
        message = exc.args[0] if isinstance(exc, KeyError) and exc.args else exc
        print(f"policymix: error: {message}", file=sys.stderr)
        return 2
    finally:
        if _START_UP["paused"]:  # a command without evidence, or one that failed: resume
            _START_UP["paused"] = False
            gc.enable()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
