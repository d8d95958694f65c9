"""What a person reads: the visible text of an AppTest run and of the HTML and Word reports.

Codes are allowed in JSON views and inside an expander whose label starts with "Details" (the
issue 15 rule: codes only in JSON and behind "details"); everything else is collected.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import docx
import pandas as pd
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.element_tree import Block, Dataframe, Expander, Json, Node

SNAKE = re.compile(r"\b[a-z][a-z0-9]*_[a-z0-9_]*[a-z0-9]\b")
"""A snake_case identifier: what a person should never read."""
NONE = re.compile(r"\bNone\b(?!\s+[a-z])")
"""Python's ``None`` printed as a value; "None yet." or "None of ..." is English."""
ALLOWED: frozenset[str] = frozenset({"phi_ij", "a_ij", "r_ij", "sum_g", "r_t"})
"""Snake-case words a person may read: only the subscripts of the method formulas the
reports print in their captions (relatedness phi_ij, the FLQ-adjusted input coefficients
a^r_ij, related variety's sum_g, the Green Book's discount rate r_t) - notation a reader of
the method expects, not identifiers."""
DETAILS = "Details"
MODULE = re.compile(r"\b(?:evidence|policy|rules|ui|tests)\.[a-z][a-z0-9_]*(?:\.[a-z0-9_]+)*")
"""A Python module path ("see evidence.sources.demo for ..."): a note for developers."""
DEVELOPER = re.compile(r"\(seed \d+\)|\bTable 1 (?:classes|quadrants?|sectors?)\b|"
                       r"\bthe brief's\b|\bTOTAL\b|\brow \([A-Z]\d{8}\)")
"""Build words a reader cannot follow: the demo generator's "(seed 2015)", the brief's "Table
1 classes" (the reader has no brief), the data's TOTAL row, an area's "row (K03000001)". A
method's permutation seed and a cited source's "Table 1" are fine."""


ICON = re.compile(r":material/[a-z0-9_]+:")
"""Streamlit's icon shortcodes (drawn as icons, never read as text)."""


def offenders(text: str) -> list[str]:
    """The snake_case identifiers, module paths, build words and bare ``None`` in ``text``."""
    text = ICON.sub("", text)
    found = [m for m in SNAKE.findall(text) if m not in ALLOWED]
    found += [m.group(0) for m in MODULE.finditer(text)]
    found += [m.group(0) for m in DEVELOPER.finditer(text)]
    return found + [m.group(0) for m in NONE.finditer(text)]


def _frame_text(frame: pd.DataFrame) -> Iterator[str]:
    yield from (str(c) for c in frame.columns)
    for column in frame.columns:
        series = frame[column]
        if series.dtype == object or str(series.dtype) in ("string", "category"):
            yield from (str(v) for v in series if isinstance(v, str))


def _node_text(node: Node) -> Iterator[str]:
    if isinstance(node, Dataframe):
        yield from _frame_text(node.value)
        return
    has_options = hasattr(node, "options")
    for attr in ("label", "value", "body", "help", "placeholder", "caption"):
        if attr == "value" and has_options:  # a choice widget: its value is a code, shown
            continue                          # through format_func as one of its options
        try:
            value: Any = getattr(node, attr)
        except (AttributeError, TypeError, ValueError, KeyError):
            continue
        if isinstance(value, str):
            yield value
    try:
        options = node.options  # type: ignore[attr-defined]
    except (AttributeError, TypeError, ValueError):
        options = None
    if isinstance(options, list):
        yield from (str(o) for o in options)


def _walk(node: Node, where: str) -> Iterator[tuple[str, str]]:
    if isinstance(node, Json):
        return
    if isinstance(node, Expander):
        if node.label.startswith(DETAILS):
            yield where, node.label
            return
        where = f"{where} > {node.label}"
    if isinstance(node, Block):
        if not isinstance(node, Expander):
            label = getattr(node, "label", None)
            if isinstance(label, str):
                yield where, label
        for child in node.children.values():
            yield from _walk(child, where)
        return
    for text in _node_text(node):
        yield where, text


def app_text(at: AppTest, where: str) -> list[tuple[str, str]]:
    """(where, text) for every visible string of the app's main area and sidebar."""
    return list(_walk(at._tree, where))  # noqa: SLF001 - the tree is AppTest's public shape


class _HtmlText(HTMLParser):
    SKIP = ("style", "script", "svg")

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.SKIP:
            self._skip += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in self.SKIP:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def html_text(path: Path) -> str:
    parser = _HtmlText()
    parser.feed(path.read_text(encoding="utf-8"))
    return "\n".join(parser.parts)


def docx_text(path: Path) -> str:
    document = docx.Document(str(path))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    return "\n".join(parts)
