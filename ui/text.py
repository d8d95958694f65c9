"""User and file text shown as text: the one Markdown escape (re-exported by ui.widgets).

It sits apart from :mod:`ui.widgets` because :mod:`ui.state` needs it too and widgets imports
state.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["plain"]

MARKDOWN_SPECIAL = "\\`*_[]<>!$~|#"
"""What is backslash-escaped anywhere in a value: enough to disarm links, images, raw HTML and
autolinks (``[``, ``]``, ``<``, ``>``, ``!``), ``:red[...]`` directives, emphasis, code, tables,
strike-through and maths, while file names and numbers (``.``, ``-``, ``(``, ``:``) stay
readable in the Markdown source."""
_SPECIAL = re.compile("([" + re.escape(MARKDOWN_SPECIAL) + "])")
_BLOCK_START = re.compile(r"^(\s*)(?:([-+=])|(\d+)([.)]))")


def plain(text: object, *, limit: int | None = None) -> str:
    """User or file text made safe to put inside Markdown: shown as the characters typed.

    Streamlit renders Markdown in ``st.markdown``, ``st.caption``, ``st.write``, headers,
    alerts and widget labels, so a display name ``![](http://host/x.png)`` would make every
    viewer's browser fetch that address and a title ``[click](http://...)`` would become a link.
    Here :data:`MARKDOWN_SPECIAL` is backslash-escaped, a leading list or heading marker
    (``-``, ``+``, ``=``, ``1.``) too, control and format characters (including bidi
    overrides) are dropped, and line breaks become spaces, so one value cannot start a new
    block. ``limit`` cuts long text (with an ellipsis) before escaping.
    """
    s = "".join(" " if ch in "\r\n\t" else ch for ch in str(text)
                if ch in "\r\n\t" or unicodedata.category(ch) not in ("Cc", "Cf"))
    if limit is not None and len(s) > limit:
        s = s[: max(limit - 1, 0)] + "\u2026"
    s = _SPECIAL.sub(r"\\\1", s)
    return _BLOCK_START.sub(lambda m: m.group(1) + (
        "\\" + m.group(2) if m.group(2) else m.group(3) + "\\" + m.group(4)), s, count=1)
