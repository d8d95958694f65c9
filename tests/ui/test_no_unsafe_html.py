"""No user or file text through ``unsafe_allow_html``, and user text rendered as text.

The source check walks every module under ``ui/``: a call that passes ``unsafe_allow_html``
(anything but a literal ``False``) must get a literal string as its body, with no
``{...}`` in an f-string, no name, no concatenation; ``st.html`` and ``components.html`` are
held to the same rule. A session file once ran script in the app's origin through a finding's
sector rendered with ``unsafe_allow_html=True`` (issue 13).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.paths import ROOT
from ui.widgets import plain

UI_SOURCES = sorted((ROOT / "ui").rglob("*.py"))
HTML_CALLS = {"html"}  # st.html, components.html: always raw HTML


def _constant_text(node: ast.expr) -> bool:
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str)
    if isinstance(node, ast.JoinedStr):
        return all(isinstance(v, ast.Constant) for v in node.values)
    return False


def unsafe_calls(source: str, name: str = "<src>") -> list[str]:
    """Every call that sends non-constant text as raw HTML, as ``name:line``."""
    bad = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        unsafe = [k for k in node.keywords if k.arg == "unsafe_allow_html"]
        raw = called in HTML_CALLS or any(
            not (isinstance(k.value, ast.Constant) and k.value.value is False) for k in unsafe)
        if not raw:  # **kwargs could carry unsafe_allow_html=True
            if any(k.arg is None for k in node.keywords):
                bad.append(f"{name}:{node.lineno} (**kwargs may carry unsafe_allow_html)")
            continue
        body = node.args[0] if node.args else next(
            (k.value for k in node.keywords if k.arg in ("body", "html")), None)
        if body is None or not _constant_text(body):
            bad.append(f"{name}:{node.lineno}")
    return bad


@pytest.mark.parametrize("path", UI_SOURCES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_non_constant_text_through_unsafe_html(path: Path) -> None:
    assert unsafe_calls(path.read_text(encoding="utf-8"), str(path.relative_to(ROOT))) == []


@pytest.mark.parametrize("src, n_bad", [
    ('st.markdown(f"<b>{x}</b>", unsafe_allow_html=True)', 1),
    ('st.markdown("<b>" + x, unsafe_allow_html=True)', 1),
    ("st.markdown(x, unsafe_allow_html=flag)", 1),
    ("st.html(x)", 1),
    ("components.html(page)", 1),
    ('st.caption(body=x, unsafe_allow_html=True)', 1),
    ("st.markdown(**opts)", 1),
    ('st.markdown("<hr>", unsafe_allow_html=True)', 0),
    ("st.markdown(x, unsafe_allow_html=False)", 0),
    ("st.markdown(x)", 0),
])
def test_the_check_catches_what_it_should(src: str, n_bad: int) -> None:
    """The check itself can fail: each unsafe pattern is reported, safe ones are not."""
    assert len(unsafe_calls(src)) == n_bad


@pytest.mark.parametrize("text, shown", [
    ("![](http://host/x.png)", r"\!\[\](http://host/x.png)"),
    ("[click](http://evil.example)", r"\[click\](http://evil.example)"),
    ('<iframe srcdoc="<script>x</script>">', r'\<iframe srcdoc="\<script\>x\</script\>"\>'),
    ("**bold** _it_ `code` ~~s~~", r"\*\*bold\*\* \_it\_ \`code\` \~\~s\~\~"),
    (":red[alarm]", r":red\[alarm\]"),
    ("# heading", r"\# heading"),
    ("- item", r"\- item"),
    ("12. item", r"12\. item"),
    ("$x^2$ | a", r"\$x^2\$ \| a"),
    ("<http://autolink.example>", r"\<http://autolink.example\>"),
    ("broken.csv (row 3, column 'jobs')", "broken.csv (row 3, column 'jobs')"),
])
def test_plain_escapes_markdown_syntax(text: str, shown: str) -> None:
    assert plain(text) == shown


def test_plain_drops_control_and_bidi_characters_and_line_breaks() -> None:
    assert plain("Ann\u202e\u200b\x00 Ex\nample") == "Ann Ex ample"
    assert plain("a" * 50, limit=10) == "a" * 9 + "\u2026"
