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
    """``policymix ARGS`` in a fresh interpreter, reading its own command line as the
    ``policymix`` script does (``main()``); ``probe`` is Python run after the command (it may
    print what the process loaded)."""
    code = (f"import sys\nsys.argv = ['policymix', *{args!r}]\nfrom policymix_cli import main\n"
            f"rc = main()\n{probe}\nsys.exit(rc)\n")
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


WRITERS = ("policy.export", "altair", "vl_convert", "docx", "openpyxl", "PIL", "jinja2")
"""The report's writers and renderers: only ``appraise`` needs them."""
ROOMS_RECOMMEND_SKIPS = ("policy.storage", "policy.workshop", "sqlite3", "duckdb", "streamlit",
                         "matplotlib")
"""What ``recommend`` used to load through ``policy/__init__`` (every room) or never needs."""


def test_profile_process_prints_what_the_library_does(capsys: pytest.CaptureFixture[str]):
    loaded = _same_as_in_process("profile", capsys)
    assert not {m for m in loaded if m.split(".")[0] in ("policy", "rules", "ui")}
    assert not {"networkx", "duckdb", *WRITERS} & loaded


def test_recommend_process_prints_what_the_library_does(capsys: pytest.CaptureFixture[str]):
    loaded = _same_as_in_process("recommend", capsys)
    assert not {*ROOMS_RECOMMEND_SKIPS, *WRITERS} & loaded


def test_areas_loads_no_policy_rules_or_analysis():
    there = _process(["areas"], probe=LOADED)
    assert AREA in _printed(there.stdout)
    loaded = _modules(there.stdout)
    assert not {m for m in loaded if m.split(".")[0] in ("policy", "rules", "ui")}
    assert not {"networkx", "scipy", "duckdb", *WRITERS} & loaded


def test_cba_loads_only_the_appraisal_it_computes(tmp_path):
    """`cba` reads one JSON file: the CBA and its file format, numpy and pydantic; not the
    evidence layer, the data readers, pandas, the catalogue or the rest of the policy layer
    (``policy/__init__`` and ``policy.appraisal`` import a room only when a name is read)."""
    from tests.test_cli import ISSUE_12_FILE

    path = tmp_path / "in.json"
    path.write_text(json.dumps(ISSUE_12_FILE), encoding="utf-8")
    there = _process(["cba", "--input", str(path)], probe=LOADED)
    assert json.loads(_printed(there.stdout))["vfm_category"] == "low"
    loaded = _modules(there.stdout)
    assert {"policy.appraisal.cba", "policy.appraisal.cba_file"} <= loaded
    assert not {"pandas", "pyarrow", "networkx", "scipy", "evidence.service", "evidence.dataset",
                "evidence.models", "rules", "policy.catalogue", "policy.session",
                "policy.walkthrough", "policy.appraisal.defaults", "policy.appraisal.mcda",
                *WRITERS} & loaded


def test_appraise_to_json_loads_no_renderer(tmp_path):
    """The JSON pack holds the appraisal's data, no figure: the chart and diagram renderers
    (altair, vl-convert, Pillow) and the Word and Excel writers stay unloaded; the HTML pack
    of the same session does load the figure module."""
    session = tmp_path / "session.json"
    _process(["session", "new", "--area", AREA, "--out", str(session)])
    pack = tmp_path / "pack.json"
    there = _process(["appraise", "--session", str(session), "--out", str(pack)], probe=LOADED)
    assert json.loads(pack.read_text(encoding="utf-8"))["format"] == "policymix-report"
    loaded = _modules(there.stdout)
    assert "policy.export.to_json" in loaded
    assert not {"altair", "vl_convert", "PIL", "docx", "openpyxl", "policy.export.images"} & loaded
    html = _process(["appraise", "--session", str(session), "--out", str(tmp_path / "p.html")],
                    probe=LOADED)
    assert "policy.export.images" in _modules(html.stdout)


GC_STATE = ("import gc\nprint('\\nGC', gc.isenabled(), gc.get_freeze_count())")


def _gc_after(out: str) -> tuple[bool, int]:
    enabled, frozen = out.rsplit("\nGC ", 1)[1].split()
    return enabled == "True", int(frozen)


def test_a_process_starts_up_with_the_collector_paused_then_frozen(tmp_path):
    """A command that loads evidence ends with the collector running and the start-up's
    objects frozen; one that loads none (`cba`) with the collector running and nothing
    frozen; `indicators` (any size of file) is left to the collector as it always was."""
    enabled, frozen = _gc_after(_process(["areas", "--level", "region"], probe=GC_STATE).stdout)
    assert enabled and frozen > 10_000
    from tests.test_cli import ISSUE_12_FILE

    path = tmp_path / "in.json"
    path.write_text(json.dumps(ISSUE_12_FILE), encoding="utf-8")
    assert _gc_after(_process(["cba", "--input", str(path)], probe=GC_STATE).stdout) == (True, 0)
    out = tmp_path / "ind.csv"
    assert _gc_after(_process(["indicators", "--out", str(out)], probe=GC_STATE).stdout) == (
        True, 0)


def test_a_call_with_arguments_leaves_the_collector_as_it_was(capsys):
    """Tests and scripts call ``main(argv)``: it must not freeze their objects or switch the
    collector on or off."""
    import gc

    frozen = gc.get_freeze_count()
    gc.disable()
    try:
        assert main(["areas", "--level", "region"]) == 0
        assert not gc.isenabled()
        assert gc.get_freeze_count() == frozen
    finally:
        gc.enable()
    assert main(["areas", "--level", "region"]) == 0
    assert gc.isenabled() and gc.get_freeze_count() == frozen
    capsys.readouterr()


def test_level_still_checks_its_choices_and_names_them(capsys):
    """``--level`` has a metavar (argparse would otherwise read the choices, and pandas, on
    every parse) but still refuses an unknown level, naming the known ones."""
    with pytest.raises(SystemExit) as exc:
        main(["areas", "--level", "ward"])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert "invalid choice: 'ward'" in err and "'lad'" in err and "'msoa'" in err
    parse = ("import sys\nfrom policymix_cli import build_parser\n"
             "build_parser().parse_args(['cba', '--input', 'x.json'])\n"
             "print(sorted(m for m in ('pandas', 'evidence.dataset') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", parse], cwd=ROOT, capture_output=True,
                          text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_the_cli_runs_one_blas_thread_unless_told_otherwise():
    probe = "import os\nprint('\\nTHREADS', os.environ.get('OPENBLAS_NUM_THREADS'))"
    out = _process(["areas", "--level", "region"], probe=probe).stdout
    assert out.rstrip().endswith("THREADS 1")
    code = ("import os, sys\nos.environ['OPENBLAS_NUM_THREADS'] = '2'\nimport policymix_cli\n"
            "print(os.environ['OPENBLAS_NUM_THREADS'])")
    told = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                          text=True, check=True).stdout
    assert told.strip() == "2"
