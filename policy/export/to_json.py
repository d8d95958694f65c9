"""JSON export: the bundle's data (session, profile, recommendations, appraisal, mix checks).

The document is :meth:`policy.export.bundle.ReportBundle.to_json_dict`: plain JSON types only
(NaN and infinities become ``null``), UTF-8, stable key order, so it can be diffed and read back
by other tools. The ``session`` member is the session itself, loadable with
:func:`policy.session.session_from_json` after ``json.dumps``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from policy.export.bundle import ReportBundle

__all__ = ["render_json", "write_json"]


def render_json(bundle: ReportBundle) -> str:
    """The bundle as JSON text (strict: no NaN)."""
    return json.dumps(bundle.to_json_dict(), indent=1, ensure_ascii=False, allow_nan=False,
                      default=str)


def write_json(bundle: ReportBundle, path: str | Path) -> Path:
    """Write the JSON export for ``bundle`` to ``path``; returns the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_json(bundle), encoding="utf-8")
    return path
