"""vl-convert started with its fonts in memory (policy/export/vega.py): the same drawing as
vl-convert left alone, the environment put back, the system's fonts still there behind it.

Each case runs in a fresh Python process: vl-convert builds its font database once a process.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from PIL import ImageFont

from policy.export.vega import FONT_DIRS
from tests.paths import ROOT

LABELS = {"data": {"values": [{"a": i, "b": f"Sector label number {i}"} for i in range(12)]},
          "mark": "bar", "title": "Jobs by sector (of 93,035)",
          "encoding": {"x": {"field": "a", "type": "quantitative"},
                       "y": {"field": "b", "type": "nominal"}}}


def _child(code: str, env: dict[str, str] | None = None) -> str:
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                          text=True, check=True, env={**os.environ, **(env or {})})
    return done.stdout


def _svg(spec: dict, ours: bool) -> str:
    start = "from policy.export import vega; vega.start(); " if ours else ""
    return _child(f"import sys, vl_convert; {start}"
                  f"sys.stdout.write(vl_convert.vegalite_to_svg({json.dumps(spec)!r}))")


def test_the_same_svg_as_vl_convert_left_alone() -> None:
    assert _svg(LABELS, ours=True) == _svg(LABELS, ours=False)


def test_the_environment_is_put_back() -> None:
    code = ("import os; from policy.export import vega; vega.start(engine=False); "
            "print(os.environ.get('FONTCONFIG_FILE'))")
    assert _child(code, {"FONTCONFIG_FILE": "/etc/fonts/fonts.conf"}).strip() \
        == "/etc/fonts/fonts.conf"
    env = {k: v for k, v in os.environ.items() if k != "FONTCONFIG_FILE"}
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                          text=True, check=True, env=env)
    assert done.stdout.strip() == "None"


def _system_family() -> str | None:
    """A font family installed on this machine other than Liberation Sans, if any."""
    for folder in FONT_DIRS:
        for path in sorted(Path(folder).expanduser().rglob("*.ttf")):
            family = ImageFont.truetype(str(path), 10).getname()[0]
            if family and "Liberation" not in family:
                return family
    return None


def test_system_fonts_are_still_found_behind_it() -> None:
    family = _system_family()
    assert family is not None, "no system font besides Liberation Sans to test with"
    other = {**LABELS, "config": {"font": family}}
    plain = {**LABELS, "config": {"font": "Liberation Sans"}}
    # the other family lays the labels out at other widths (so it was found), exactly as
    # vl-convert left alone does
    assert _svg(other, ours=True) != _svg(plain, ours=True)
    assert _svg(other, ours=True) == _svg(other, ours=False)
