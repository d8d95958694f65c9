"""`policymix` command line: the same functions as the app, without a browser."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence

from evidence.dataset import DataError
from evidence.render import profile_markdown
from evidence.service import Evidence

COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {}


def command(name: str) -> Callable[[Callable[[argparse.Namespace], int]],
                                   Callable[[argparse.Namespace], int]]:
    def register(fn: Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
        COMMANDS[name] = fn
        return fn
    return register


def _evidence(args: argparse.Namespace) -> Evidence:
    return Evidence.from_path(getattr(args, "data", None))


@command("areas")
def cmd_areas(args: argparse.Namespace) -> int:
    ev = _evidence(args)
    frame = ev.areas()
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
    profile = ev.profile(args.area, args.start, args.end, k=args.k)
    if args.format == "json":
        print(profile.model_dump_json(indent=1))
    else:
        print(profile_markdown(profile), end="")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="policymix", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    def data_arg(p: argparse.ArgumentParser) -> None:
        p.add_argument("--data", help="data file (demo CSV/parquet, NOMIS BRES CSV); "
                       "default: the bundled synthetic demo")

    p = sub.add_parser("areas", help="list area codes, names and levels")
    data_arg(p)
    p.add_argument("--format", choices=["text", "json"], default="text")

    p = sub.add_parser("profile", help="print an area's advanced manufacturing profile")
    data_arg(p)
    p.add_argument("--area", required=True, help="area code, e.g. E06000001")
    p.add_argument("--start", type=int, help="first year (default: earliest in the data)")
    p.add_argument("--end", type=int, help="last year (default: latest in the data)")
    p.add_argument("--k", type=int, default=5, help="number of comparator areas")
    p.add_argument("--format", choices=["md", "json"], default="md")

    for extra in EXTRA_PARSERS:
        extra(sub, data_arg)
    return parser


EXTRA_PARSERS: list[Callable[..., None]] = []


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except (DataError, KeyError, ValueError, FileNotFoundError) as exc:
        message = exc.args[0] if isinstance(exc, KeyError) and exc.args else exc
        print(f"policymix: error: {message}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
