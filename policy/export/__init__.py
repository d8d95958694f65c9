"""Exports of a strategy session: Word, Excel, HTML and JSON option-appraisal packs.

Usage::

    from policy.export import build_bundle, export
    bundle = build_bundle(session, evidence)         # everything the report needs, once
    export(bundle, "appraisal.docx")                 # or .xlsx, .html, .json

``build_bundle`` raises ``ValueError`` when the session has no area; ``export`` raises
``ValueError`` naming the supported extensions for any other suffix. No module here imports
Streamlit.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from evidence.labels import labels
from policy.export.bundle import ReportBundle, build_bundle
from policy.export.safety import neutralise_cell, neutralise_row
from policy.programmes import load_programmes

__all__ = [
    "SUPPORTED_EXTENSIONS",
    "ReportBundle",
    "build_bundle",
    "export",
    "neutralise_cell",
    "neutralise_row",
    "prepare",
    "write_docx",
    "write_html",
    "write_json",
    "write_xlsx",
]


# Each writer is imported when used: it defers its heavy optional dependency (python-docx,
# openpyxl, or the figure renderers) until that format is asked for.


def write_docx(bundle: ReportBundle, path: str | Path) -> Path:
    from policy.export.to_docx import write_docx as _write

    return _write(bundle, path)


def write_xlsx(bundle: ReportBundle, path: str | Path) -> Path:
    from policy.export.to_xlsx import write_xlsx as _write

    return _write(bundle, path)


def write_html(bundle: ReportBundle, path: str | Path) -> Path:
    from policy.export.to_html import write_html as _write

    return _write(bundle, path)


def write_json(bundle: ReportBundle, path: str | Path) -> Path:
    from policy.export.to_json import write_json as _write

    return _write(bundle, path)


def prepare() -> None:
    """What a first export would otherwise pay for, done ahead (the app's warm-up thread calls
    this after loading the data): vl-convert's fonts and JavaScript engine (about 0.4 s), the
    Word and Excel writers' imports (python-docx, openpyxl: about 0.2 s), and the two data
    files every report reads that nothing before the export page may have read (the
    programmes and the plain-language labels: about 0.3 s of pure-Python YAML). Thread-safe
    and idempotent; renders nothing of any session's."""
    from policy.export import to_docx, to_xlsx  # noqa: F401 - deferred: python-docx, openpyxl
    from policy.export.vega import start

    start(engine=True)
    load_programmes()
    labels()


WRITERS: dict[str, Callable[[ReportBundle, str | Path], Path]] = {
    ".docx": write_docx,
    ".xlsx": write_xlsx,
    ".html": write_html,
    ".json": write_json,
}
SUPPORTED_EXTENSIONS: tuple[str, ...] = tuple(WRITERS)


def export(bundle: ReportBundle, path: str | Path) -> Path:
    """Write ``bundle`` in the format its extension names (.docx, .xlsx, .html, .json)."""
    path = Path(path)
    suffix = path.suffix.lower()
    writer = WRITERS.get(suffix)
    if writer is None:
        raise ValueError(
            f"cannot export to {path.name!r}: unsupported extension {suffix or '(none)'!r}; "
            f"use one of {', '.join(SUPPORTED_EXTENSIONS)}"
        )
    return writer(bundle, path)
