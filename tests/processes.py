"""A ``policymix`` command run in a fresh interpreter, and the modules it loaded.

Why: "the command imports only what it needs" can only be seen in a process of its own (the
test session has imported everything already). Several tests ask it of different commands and
different modules; they share this one runner."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterable

from tests.paths import ROOT


def modules_loaded_by(cli_args: list[str], packages: Iterable[str] = (),
                      modules: Iterable[str] = ()) -> list[str]:  # fmt: skip
    """Run ``policymix_cli.main(cli_args)`` in a fresh interpreter (from the project root) and
    return, sorted, the loaded modules that are in one of ``packages`` (by their first dotted
    part) or named in ``modules``. Raises if the command fails."""
    script = (
        "import json, sys, policymix_cli\n"
        f"policymix_cli.main(json.loads({json.dumps(cli_args)!r}))\n"
        f"packages, modules = set(json.loads({json.dumps(list(packages))!r})), "
        f"set(json.loads({json.dumps(list(modules))!r}))\n"
        "print(json.dumps(sorted(m for m in sys.modules\n"
        "                        if m.split('.')[0] in packages or m in modules)))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True,
                          text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])
