"""Write policy/export/data/vega-bundle.js: Vega, Vega-Lite and Vega-Embed as one script.

    .venv/bin/python scripts/vendor_vega_js.py

The HTML report draws its charts in the reader's browser from their Vega-Lite specs with this
script inlined, so the file stays self-contained and works offline. The bundle is vl-convert's
(``vl_convert.javascript_bundle``: the same Vega and Vega-Lite that render the Word report's
PNGs, all their dependencies included, ES modules flattened into one script that sets
``window.vega``, ``window.vegaLite`` and ``window.vegaEmbed``). Run it again after upgrading
vl-convert-python; the versions written into the file's first line are checked by
tests/policy/export/test_web_charts.py.
"""

from __future__ import annotations

from pathlib import Path

import vl_convert

OUT = Path(__file__).resolve().parents[1] / "policy" / "export" / "data" / "vega-bundle.js"


def main() -> None:
    vl = vl_convert.get_vegalite_versions()[-1]
    head = (f"/* Vega {vl_convert.get_vega_version()}, Vega-Lite {vl}, Vega-Embed "
            f"{vl_convert.get_vega_embed_version()}: vl_convert.javascript_bundle() of "
            f"vl-convert-python {vl_convert.__version__}. Licences: VEGA-LICENSES.md. */\n")
    OUT.write_text(head + vl_convert.javascript_bundle(vl_version=vl), encoding="utf-8")
    print(f"wrote {OUT} ({OUT.stat().st_size:,} bytes)")


if __name__ == "__main__":
    main()
