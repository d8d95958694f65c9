"""The command line starts fast (issue 14) without changing what it prints.

Each command imports only what it needs - checked on the modules a real process has loaded -
and a process (one BLAS thread, the hand-written spatial statistics) prints exactly what the
same command prints inside this test process (the library's default threads). Times are in
``benchmarks/cli.py``, not here.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from policymix_cli import main
from tests.paths import ROOT

AREA = "E08000001"
HEAVY = ("esda", "libpysal", "sklearn", "scipy.stats", "scipy.spatial")


def _process(args: list[str], *, probe: str = "") -> subprocess.CompletedProcess[str]:
    """``policymix ARGS`` in a fresh interpreter; ``probe`` is Python run after the command
    (it may print what the process loaded)."""
    code = ("import sys\nfrom policymix_cli import main\n"
            f"rc = main({args!r})\n{probe}\nsys.exit(rc)\n")
    env = {k: v for k, v in os.environ.items() if k != "OPENBLAS_NUM_THREADS"}
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env,
                          capture_output=True, text=True, check=True)


LOADED = ("import json\nmods = sorted(m for m in sys.modules)\n"
          "print('\\nMODULES ' + json.dumps(mods))")


def _modules(out: str) -> set[str]:
    return set(json.loads(out.rsplit("\nMODULES ", 1)[1]))


def _printed(out: str) -> str:
    return out.rsplit("\nMODULES ", 1)[0]


def _same_as_in_process(command: str, capsys: pytest.CaptureFixture[str]) -> set[str]:
    """Run ``command`` for AREA in process and as a process; both print the same JSON.
    Returns the modules the process loaded."""
    args = [command, "--area", AREA, "--format", "json"]
    assert main(args) == 0
    here = json.loads(capsys.readouterr().out)
    there = _process(args, probe=LOADED)
    assert json.loads(_printed(there.stdout)) == here
    loaded = _modules(there.stdout)
    assert not set(HEAVY) & loaded, set(HEAVY) & loaded
    return loaded


def test_profile_process_prints_what_the_library_does(capsys: pytest.CaptureFixture[str]):
    loaded = _same_as_in_process("profile", capsys)
    assert not {m for m in loaded if m.split(".")[0] in ("policy", "rules", "ui")}


def test_recommend_process_prints_what_the_library_does(capsys: pytest.CaptureFixture[str]):
    loaded = _same_as_in_process("recommend", capsys)
    assert "streamlit" not in loaded and "matplotlib" not in loaded


def test_areas_loads_no_policy_rules_or_analysis():
    there = _process(["areas"], probe=LOADED)
    assert AREA in _printed(there.stdout)
    loaded = _modules(there.stdout)
    assert not {m for m in loaded if m.split(".")[0] in ("policy", "rules", "ui")}
    assert not {"networkx", "scipy", "matplotlib", "docx", "openpyxl"} & loaded


def test_cba_loads_no_writers_and_no_scipy(tmp_path):
    """`cba` reads one JSON file: no export writers, no scipy (the policy package's own
    imports still bring the evidence layer and pandas - see the README)."""
    from tests.test_cli import ISSUE_12_FILE

    path = tmp_path / "in.json"
    path.write_text(json.dumps(ISSUE_12_FILE), encoding="utf-8")
    there = _process(["cba", "--input", str(path)], probe=LOADED)
    assert json.loads(_printed(there.stdout))["vfm_category"] == "low"
    loaded = _modules(there.stdout)
    assert not {"scipy", "matplotlib", "docx", "openpyxl", "streamlit", "policy.export"} & loaded


def test_the_cli_runs_one_blas_thread_unless_told_otherwise():
    probe = "import os\nprint('\\nTHREADS', os.environ.get('OPENBLAS_NUM_THREADS'))"
    out = _process(["areas", "--level", "region"], probe=probe).stdout
    assert out.rstrip().endswith("THREADS 1")
    code = ("import os, sys\nos.environ['OPENBLAS_NUM_THREADS'] = '2'\nimport policymix_cli\n"
            "print(os.environ['OPENBLAS_NUM_THREADS'])")
    told = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                          text=True, check=True).stdout
    assert told.strip() == "2"
