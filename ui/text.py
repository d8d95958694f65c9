"""User and file text shown as text: the one Markdown escape (re-exported by ui.widgets).

It sits apart from :mod:`ui.widgets` because :mod:`ui.state` needs it too and widgets imports
state.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["plain"]

_MARKDOWN_PUNCT = re.compile(r"([!-/:-@\[-`{-~])")
"""Every ASCII punctuation character: CommonMark lets a backslash make any of them literal."""


def plain(text: object, *, limit: int | None = None) -> str:
    """User or file text made safe to put inside Markdown: shown as the characters typed.

    Streamlit renders Markdown in ``st.markdown``, ``st.caption``, ``st.write``, headers,
    alerts and widget labels, so a display name ``![](http://host/x.png)`` would make every
    viewer's browser fetch that address and a title ``[click](http://...)`` would become a link.
    Here every ASCII punctuation character is backslash-escaped (links, images, emphasis,
    headings, HTML, ``:material/...:`` and ``:red[...]`` directives and ``$`` maths all lose
    their meaning), control and format characters (including bidi overrides) are dropped, and
    line breaks become spaces, so one value cannot start a new block. ``limit`` cuts long text
    (with an ellipsis) before escaping.
    """
    s = "".join(" " if ch in "\r\n\t" else ch for ch in str(text)
                if ch in "\r\n\t" or unicodedata.category(ch) not in ("Cc", "Cf"))
    if limit is not None and len(s) > limit:
        s = s[: max(limit - 1, 0)] + "\u2026"
    return _MARKDOWN_PUNCT.sub(r"\\\1", s)
