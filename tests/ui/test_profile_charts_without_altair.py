"""The profile page's charts are plain Vega-Lite dicts: drawing them needs no Altair.

Why a test: ``ui.widgets.cached_chart`` draws both the plain specs and the appraisal, mix and
workshop pages' Altair charts, and a top-level ``import altair`` creeping back into it or into
the chart modules would put Altair (about 0.4 s to import) on the profile's path again. The
app as a whole still imports Altair at start: ``ui.pages`` imports every page, and those three
draw Altair charts. Checked in a fresh interpreter (the test session has imported
everything already).
"""

from __future__ import annotations

import subprocess
import sys

from tests.paths import ROOT


def test_the_profile_charts_path_imports_no_altair() -> None:
    script = ("import sys\n"
              "import evidence.analysis_charts, evidence.chart_specs, ui.widgets\n"
              "print(sorted(m for m in sys.modules if m.split('.')[0] == 'altair'))\n")
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True,
                          text=True, check=True)
    assert done.stdout.strip().splitlines()[-1] == "[]"
