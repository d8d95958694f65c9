"""The HTML report's charts drawn in the reader's browser from their Vega-Lite specs.

Why: rendering a chart to SVG in Python (vl-convert) costs its JavaScript engine's start
(about 0.4 s) and 30-60 ms a chart, and the report has eight; the browser draws the same spec
with the same Vega in a few milliseconds a chart. The HTML file stays self-contained and
works offline: Vega, Vega-Lite and Vega-Embed are inlined from the vendored
``data/vega-bundle.js`` (``scripts/vendor_vega_js.py``; licences in ``data/VEGA-LICENSES.md``),
each spec sits in a ``<script type="application/json">`` block beside its chart, and the
page's Content-Security-Policy allows exactly two scripts, by their SHA-256 (the bundle and
:data:`RENDER_JS`), no ``eval`` (Vega runs its expressions through its interpreter,
``ast: true``) and no connection anywhere (``default-src 'none'``).

Spec text is JSON with ``<``, ``>`` and ``&`` written as ``\\u003c``, ``\\u003e``, ``\\u0026``,
so no label typed by a user can close the block or open a tag; Vega draws text as SVG text
nodes, never as markup.
"""

from __future__ import annotations

import base64
import hashlib
import json
from functools import cache
from pathlib import Path

__all__ = ["RENDER_JS", "bundle", "csp", "spec_block"]

_BUNDLE = Path(__file__).parent / "data" / "vega-bundle.js"

RENDER_JS = """(function () {
  var options = {mode: "vega-lite", renderer: "svg", actions: false, ast: true};
  document.querySelectorAll("div.vega-chart").forEach(function (el) {
    var spec = JSON.parse(document.getElementById(el.dataset.spec).textContent);
    vegaEmbed(el, spec, options).then(function () {
      el.setAttribute("data-drawn", "1");
    }).catch(function (err) {
      el.textContent = "This chart could not be drawn: " + err;
      el.setAttribute("data-drawn", "failed");
      console.error(err);
    });
  });
})();"""
"""Draws every ``div.vega-chart`` from the JSON block its ``data-spec`` names (SVG, no
action menu); marks it ``data-drawn`` "1" when done, or "failed" with the reason in its place
and on the console (the browser test waits on that)."""

_ESCAPES = {ord("<"): "\\u003c", ord(">"): "\\u003e", ord("&"): "\\u0026"}


@cache
def bundle() -> str:
    """The vendored Vega bundle's text (read once a process)."""
    return _BUNDLE.read_text(encoding="utf-8")


def _sha256(text: str) -> str:
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode() + "'"


@cache
def csp() -> str:
    """The Content-Security-Policy of a report with charts: nothing may load or connect; the
    two inline scripts run by hash; styles inline; images only from ``data:``."""
    return (f"default-src 'none'; script-src {_sha256(bundle())} {_sha256(RENDER_JS)}; "
            "img-src data:; style-src 'unsafe-inline'")


def spec_block(spec: str, block_id: str) -> str:
    """A ``<script type="application/json">`` holding ``spec`` (Vega-Lite JSON) without its
    ``$schema`` URL (the mode is given to Vega-Embed), safe to inline in HTML."""
    data = json.loads(spec)
    data.pop("$schema", None)
    text = json.dumps(data, separators=(",", ":"), ensure_ascii=False).translate(_ESCAPES)
    return f'<script type="application/json" id="{block_id}">{text}</script>'
