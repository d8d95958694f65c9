"""vl-convert, started once a process with its text fonts held in memory.

Why the fonts matter: vl-convert measures every piece of chart text by laying it out with usvg
(``op_text_width``), and resvg lays it out again to draw a PNG. usvg reads each glyph through
fontdb, which maps a font *file* into memory again on every read; only the Liberation Sans that
vl-convert carries inside itself is read from memory. On Linux fontdb loads the system fonts
first, so a system Liberation Sans (Debian's fonts-liberation, a dependency of chromium-common)
wins the family lookup, and a 15-letter label costs about 1 ms each time it is measured or
drawn. Measured with vl-convert 1.9 on the report's eight charts (CPU, three fresh processes
each, interleaved): SVGs 0.82-0.91 s, PNGs 0.44-0.46 s with the system's file, against
0.44-0.66 s and 0.25 s with the fonts in memory - byte-identical SVGs (the same font, the same
metrics) and PNGs that differ only in anti-aliasing at a few edge pixels (the two files are
different builds of Liberation Sans 2).

So before vl-convert first touches its font database, fontdb is pointed (through
``FONTCONFIG_FILE``, the one setting it reads) at a configuration whose only font directory
does not exist (``data/no-system-fonts.conf``),
which leaves the built-in Liberation Sans as the first face of its family; the variable is put
back straight after, so nothing else in the process (or a child process) sees it. The system's
font directories are then registered behind it, so a label in a family or script Liberation
Sans lacks still finds its glyphs, as before. Default Vega text is ``sans-serif``, which
vl-convert maps to Arial, then Helvetica, then Liberation Sans: on a machine with Arial the
charts keep Arial (read from its file, the slow way) exactly as before.
"""

from __future__ import annotations

import os
import sys
import threading
from pathlib import Path

__all__ = ["FONT_DIRS", "png", "png_of_spec", "start", "svg"]

_DATA = Path(__file__).parent / "data"
_NO_FONTS_CONF = _DATA / "no-system-fonts.conf"

FONT_DIRS = ("/usr/share/fonts", "/usr/local/share/fonts", "~/.local/share/fonts", "~/.fonts")
"""Registered behind the built-in font on Linux: fontconfig's default directories (Debian's
/etc/fonts/fonts.conf lists these)."""

_TEXT_SVG = ('<svg xmlns="http://www.w3.org/2000/svg" width="40" height="20">'
             '<text x="2" y="15" font-family="sans-serif" font-size="11">0</text></svg>')
_TINY_CHART = ('{"data": {"values": [{"a": 1}]}, "mark": "bar", '
               '"encoding": {"x": {"field": "a", "type": "quantitative"}}}')

_lock = threading.Lock()
_state = {"fonts": False, "engine": False}


def _fonts() -> None:
    """vl-convert's font database, built once: the built-in Liberation Sans first (Linux),
    the system's fonts behind it. Call with ``_lock`` held."""
    import vl_convert

    if _state["fonts"]:
        return
    if sys.platform.startswith("linux"):
        before = os.environ.get("FONTCONFIG_FILE")
        os.environ["FONTCONFIG_FILE"] = str(_NO_FONTS_CONF)
        try:
            vl_convert.svg_to_png(_TEXT_SVG)  # builds the font database, reading the variable
        finally:
            if before is None:
                os.environ.pop("FONTCONFIG_FILE", None)
            else:
                os.environ["FONTCONFIG_FILE"] = before
        for folder in FONT_DIRS:
            path = Path(folder).expanduser()
            if path.is_dir():
                vl_convert.register_font_directory(str(path))
    _state["fonts"] = True


def start(engine: bool = True) -> None:
    """Make vl-convert ready: its fonts, and with ``engine`` its JavaScript engine (about
    0.4 s, paid by its first chart). Idempotent and thread-safe; the app's warm-up thread
    calls it so the first export does not pay for it."""
    import vl_convert

    with _lock:
        _fonts()
        if engine and not _state["engine"]:
            vl_convert.vegalite_to_svg(_TINY_CHART)
            _state["engine"] = True


def svg(spec: str) -> str:
    """The SVG of a Vega-Lite spec (JSON text)."""
    import vl_convert

    with _lock:
        _fonts()
        _state["engine"] = True
    return vl_convert.vegalite_to_svg(spec)


def png_of_spec(spec: str, scale: float) -> bytes:
    """The PNG of a Vega-Lite spec (JSON text) at ``scale``: its SVG rasterised by resvg."""
    import vl_convert

    with _lock:
        _fonts()
        _state["engine"] = True
    return vl_convert.vegalite_to_png(spec, scale=scale)


def png(svg_text: str, scale: float) -> bytes:
    """An SVG rasterised by resvg at ``scale`` (vl-convert's PNG is this of its SVG)."""
    import vl_convert

    with _lock:
        _fonts()
    return vl_convert.svg_to_png(svg_text, scale=scale)
