"""Text hygiene for exported files: spreadsheet formula injection and XML-illegal characters.

Spreadsheet programs treat a cell whose text starts with ``=``, ``+``, ``-`` or ``@`` as a
formula, and some also act on a leading tab or carriage return (OWASP, *CSV Injection*). A
finding typed in a workshop such as ``=HYPERLINK("http://evil.example", "click")`` would then
run when an analyst opens the export. :func:`neutralise_cell` prefixes such text with a single
quote so it is shown, never evaluated. Numbers, booleans, dates and ``None`` pass through
unchanged: only text is ever neutralised, so numbers stay numbers.

Word and Excel files are XML, and XML 1.0 forbids most control characters; python-docx and
openpyxl raise on them. :func:`xml_safe` drops them so one stray character pasted into a note
cannot stop a whole report from being written.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

__all__ = ["FORMULA_PREFIXES", "neutralise_cell", "neutralise_row", "xml_safe"]

FORMULA_PREFIXES: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r")
"""Leading characters that make a spreadsheet cell a formula (or a DDE trigger)."""

_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def xml_safe(text: str) -> str:
    """``text`` without the characters XML 1.0 does not allow (tab, LF and CR are kept)."""
    return _XML_ILLEGAL.sub("", text)


def neutralise_cell(value: Any) -> Any:
    """A cell value that no spreadsheet will evaluate as a formula.

    Text starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a leading
    single quote (``'=1+1``); any other value, including every number, is returned as it is.
    """
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def neutralise_row(values: Iterable[Any]) -> list[Any]:
    """:func:`neutralise_cell` applied to each value of a row (for CSV writers)."""
    return [neutralise_cell(v) for v in values]
