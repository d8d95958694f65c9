"""A single self-contained HTML report: inline CSS, diagrams as inline SVG, charts drawn by
the inlined Vega from their specs (:mod:`policy.export.web_charts`).

The file loads nothing from anywhere (no fonts, no stylesheets, no remote scripts or images)
and says so to the browser: a Content-Security-Policy meta tag allows only its own two inline
scripts (by hash), no ``eval``, no connection and no source but ``data:`` images, so the
report can be e-mailed, archived and opened offline safely. Every piece of text is
HTML-escaped, so a note typed in a workshop is shown, never interpreted.
"""

from __future__ import annotations

import base64
import html
import re
from pathlib import Path
from typing import TYPE_CHECKING

from policy.export.images import ReportImage, images_as
from policy.export.plain import plain_blocks
from policy.export.report import (
    Figure,
    Heading,
    PageBreak,
    Paragraph,
    Table,
    TitlePage,
    format_value,
    report_blocks,
)
from policy.export.safety import xml_safe
from policy.export.web_charts import RENDER_JS, csp, spec_block
from policy.export.web_charts import bundle as bundle_js

if TYPE_CHECKING:
    from policy.export.bundle import ReportBundle

__all__ = ["inline_svg", "render_html", "write_html"]

CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'"
"""The policy of a report without charts; one with charts allows its two scripts by hash
(:func:`policy.export.web_charts.csp`)."""

NOSCRIPT = ("This chart is drawn by the script inside this file: allow scripts for it to see "
            "the chart (nothing is loaded from anywhere). The Word report has every chart as a "
            "picture.")

CSS = """
body { font-family: Calibri, 'Segoe UI', Helvetica, Arial, sans-serif; font-size: 15px;
  line-height: 1.45; color: #1a1a1a; margin: 0; background: #f5f6f8; }
main, header.title, nav.toc { max-width: 1100px; margin: 0 auto; background: #fff;
  padding: 8px 40px; }
header.title { padding-top: 32px; }
h1, h2, h3 { scroll-margin-top: 36px; }
h1 { font-size: 26px; border-bottom: 2px solid #1f4e79; color: #1f4e79; margin-top: 40px; }
h2 { font-size: 20px; color: #1f4e79; margin-top: 28px; }
h3 { font-size: 16px; color: #333; }
.report-title { font-size: 32px; margin: 0 0 4px 0; color: #1f4e79; border: none; }
.subtitle { color: #555; font-size: 17px; margin-top: 0; }
.synthetic { background: #fde7ea; border: 3px solid #b00020; color: #b00020; font-weight: bold;
  font-size: 18px; padding: 14px 18px; margin: 16px 0; }
.banner { position: sticky; top: 0; z-index: 2; background: #b00020; color: #fff;
  text-align: center; font-weight: bold; padding: 4px; font-size: 13px; }
table { border-collapse: collapse; margin: 8px 0 18px 0; font-size: 13px; width: 100%; }
table.compact { font-size: 12px; }
caption { caption-side: top; text-align: left; font-style: italic; color: #444;
  padding-bottom: 4px; font-size: 12.5px; }
th, td { border: 1px solid #c8ccd4; padding: 3px 6px; vertical-align: top; }
th { background: #d9e2f3; text-align: left; }
td.num, th.num { text-align: right; }
td.num { white-space: nowrap; }
table.meta td:first-child { font-weight: bold; width: 160px; }
figure { margin: 12px 0 22px 0; text-align: center; }
figure img, figure svg { max-width: 100%; height: auto; }
.vega-chart { display: inline-block; max-width: 100%; overflow-x: auto; }
figcaption { font-style: italic; color: #444; font-size: 12.5px; margin-top: 4px; }
p.note { color: #555; font-style: italic; }
p.warning { color: #b00020; font-weight: bold; }
ul { margin-top: 0; }
nav.toc ul { columns: 2; list-style: none; padding-left: 0; }
.table-wrap { overflow-x: auto; max-width: 100%; }
/* Words stay whole ("break-word" splits only a word longer than its column; "anywhere" let a
   wide table squeeze a column to a few letters a line), and the first column, which names the
   row (a sector, an option, an intervention), keeps room for two words a line. A number
   column's heading may wrap (its numbers do not): one-line headings made a 12-column table
   half as wide again as the page and left its text columns a word wide. */
td { overflow-wrap: break-word; }
td:first-child:not(.num), th:first-child:not(.num) { min-width: 9em; }
@media print { table.compact { font-size: 9px; } .table-wrap { overflow: visible; } }
@media print { .banner { position: static; } body { background: #fff; } }
"""

_ID_ATTR = re.compile(r'\bid="([^"]+)"')
_URL_REF = re.compile(r"url\(#([^)]+)\)")
_HREF_REF = re.compile(r'((?:xlink:)?href)="#([^"]+)"')
_XMLNS = re.compile(r'\s+xmlns(?::[A-Za-z]+)?="[^"]*"')
_METADATA = re.compile(r"<metadata>.*?</metadata>", re.DOTALL)
_ROOT_SIZE = re.compile(r'(<svg\b[^>]*?)\s+width="([^"]*)"\s+height="[^"]*"')
_LENGTH = re.compile(r"\s*([0-9]+(?:\.[0-9]+)?)\s*(px|pt)?\s*")
_PX = {"px": 1.0, "pt": 4 / 3, None: 1.0}
_ACTIVE = re.compile(r"<(script|foreignObject|iframe|object|embed)\b.*?</\1\s*>|"
                     r"<(script|foreignObject|iframe|object|embed)\b[^>]*/?>", re.I | re.S)
_TAG = re.compile(r"<[^>]+>")
_HANDLER = re.compile(r"""\s+on[a-z]+\s*=\s*("[^"]*"|'[^']*'|[^\s>]+)""", re.I)
_OUTSIDE_REF = re.compile(r"""\s+(?:xlink:)?href\s*=\s*("(?!#)[^"]*"|'(?!#)[^']*')""", re.I)


def _e(text: object) -> str:
    return html.escape(xml_safe(str(text)), quote=True)


def inline_svg(svg: str, prefix: str) -> str:
    """An SVG document made fit to inline in HTML.

    Drops the XML prolog, DOCTYPE, metadata and namespace declarations (none are needed inside
    HTML, and they are the only URLs in the renderers' output), prefixes every id and internal
    reference with ``prefix`` so several diagrams on one page cannot capture each other's clip
    paths, and lets the drawing shrink to the page width but not grow past its own. Scripts,
    event handlers and links out of the drawing are removed first.
    """
    start = svg.find("<svg")
    body = svg[start:] if start >= 0 else svg
    # Sanitise: an SVG is markup, so nothing in it may run or fetch (the renderers escape
    # text, and this holds even if one did not): no script-bearing elements, no event
    # handlers, no links other than to ids in the same drawing.
    body = _ACTIVE.sub("", body)
    if _HANDLER.search(body) or _OUTSIDE_REF.search(body):  # tag by tag only when needed:
        # a chart has thousands of tags and the renderers write neither
        body = _TAG.sub(lambda m: _OUTSIDE_REF.sub("", _HANDLER.sub("", m.group(0))), body)
    body = _METADATA.sub("", body)
    body = _XMLNS.sub("", body)
    body = _ID_ATTR.sub(lambda m: f'id="{prefix}-{m.group(1)}"', body)
    body = _URL_REF.sub(lambda m: f"url(#{prefix}-{m.group(1)})", body)
    body = _HREF_REF.sub(lambda m: f'{m.group(1)}="#{prefix}-{m.group(2)}"', body)
    body = _ROOT_SIZE.sub(_fit_width, body, count=1)
    return body


def _fit_width(match: re.Match[str]) -> str:
    """The root's size as "the page's width, but no wider than its own": a diagram drawn at
    12 px text stays at 12 px on a wide screen instead of being blown up, and shrinks on a
    narrow one (the viewBox keeps the proportions)."""
    length = _LENGTH.fullmatch(match.group(2))
    if length is None or "style=" in match.group(1):
        return f'{match.group(1)} width="100%"'
    own = float(length.group(1)) * _PX[length.group(2)]
    return f'{match.group(1)} width="100%" style="max-width: {own:.0f}px"'


def _slug(text: str, taken: set[str]) -> str:
    base = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "section"
    slug, k = base, 2
    while slug in taken:
        slug, k = f"{base}-{k}", k + 1
    taken.add(slug)
    return slug


def _table(block: Table) -> str:
    cls = ' class="compact"' if block.compact else ""
    out = [f'<div class="table-wrap"><table{cls}>']
    if block.caption:
        out.append(f"<caption>{_e(block.caption)}</caption>")
    out.append("<thead><tr>")
    for col in block.columns:
        num = ' class="num"' if col.numeric else ""
        out.append(f"<th{num}>{_e(col.header)}</th>")
    out.append("</tr></thead><tbody>")
    for values in block.rows:
        out.append("<tr>")
        for col, value in zip(block.columns, values, strict=False):
            numeric = col.numeric or (
                isinstance(value, int | float) and not isinstance(value, bool)
            )
            num = ' class="num"' if numeric else ""
            out.append(f"<td{num}>{_e(format_value(value, col.fmt))}</td>")
        out.append("</tr>")
    out.append("</tbody></table></div>")
    if block.note:
        out.append(f'<p class="note">{_e(block.note)}</p>')
    return "".join(out)


def _figure(block: Figure, images: dict[str, ReportImage], n: int) -> str:
    image = images.get(block.key)
    if image is None:
        return ""
    caption = f"<figcaption>{_e(block.caption)}</figcaption>" if block.caption else ""
    if image.spec is not None:
        label = _e(block.caption or image.caption)
        body = (f'<div class="vega-chart" data-spec="fig{n}-spec" role="img" '
                f'aria-label="{label}"><noscript>{NOSCRIPT}</noscript></div>'
                + spec_block(image.spec, f"fig{n}-spec"))
        return f"<figure>{body}{caption}</figure>"
    svg = image.svg if image.has_svg else None
    if svg:
        body = inline_svg(svg, f"fig{n}")
    else:
        data = base64.b64encode(image.png).decode("ascii")
        body = f'<img src="data:image/png;base64,{data}" alt="{_e(block.caption)}">'
    return f"<figure>{body}{caption}</figure>"


def _paragraph(block: Paragraph) -> str:
    label = f"<strong>{_e(block.label)}</strong>" if block.label else ""
    text = label + _e(block.text)
    if block.kind == "bullet":
        return f"<ul><li>{text}</li></ul>"
    cls = f' class="{block.kind}"' if block.kind in ("note", "warning") else ""
    return f"<p{cls}>{text}</p>"


def _title(block: TitlePage) -> str:
    rows = "".join(f"<tr><td>{_e(k)}</td><td>{_e(v)}</td></tr>" for k, v in block.lines)
    parts = [
        '<header class="title">',
        f'<h1 class="report-title">{_e(block.title)}</h1>',
        '<p class="subtitle">Option appraisal pack: local industrial strategy for advanced '
        "manufacturing</p>",
    ]
    if block.synthetic_statement:
        parts.append(f'<div class="synthetic" role="alert">{_e(block.synthetic_statement)}</div>')
    parts.append(f'<table class="meta"><tbody>{rows}</tbody></table>')
    if block.notes:
        parts.append(f"<p><strong>Session notes: </strong>{_e(block.notes)}</p>")
    parts.append("</header>")
    return "".join(parts)


def render_html(bundle: ReportBundle) -> str:
    """The whole report as one HTML document (a string)."""
    images = images_as(bundle, "web")
    charts = any(image.spec is not None for image in images.values())
    blocks = plain_blocks(report_blocks(bundle))
    taken: set[str] = set()
    body: list[str] = []
    toc: list[str] = []
    title_html = ""
    figures = 0
    for block in blocks:
        if isinstance(block, TitlePage):
            title_html = _title(block)
        elif isinstance(block, Heading):
            level = min(max(block.level, 1), 6)
            slug = _slug(block.text, taken)
            if level == 1:
                toc.append(f'<li><a href="#{slug}">{_e(block.text)}</a></li>')
            body.append(f'<h{level} id="{slug}">{_e(block.text)}</h{level}>')
        elif isinstance(block, Paragraph):
            body.append(_paragraph(block))
        elif isinstance(block, Table):
            body.append(_table(block))
        elif isinstance(block, Figure):
            figures += 1
            body.append(_figure(block, images, figures))
        elif isinstance(block, PageBreak):
            continue
    banner = (
        '<div class="banner">SYNTHETIC DEMO DATA - fictional areas and figures, not official '
        "statistics</div>" if bundle.synthetic else ""
    )
    head = (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{csp() if charts else CSP}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta name="generator" content="policymix">\n'
        f"<title>{_e(bundle.title)} - {_e(bundle.area_label)}</title>\n"
        f"<style>{CSS}</style>\n</head>\n<body>\n"
    )
    # The section titles carry their own numbers ("1 Evidence"), so the list is unnumbered:
    # an <ol> would read "1. 1 Evidence".
    nav = f'<nav class="toc"><h2>Contents</h2><ul>{"".join(toc)}</ul></nav>'
    main = "\n".join(body).replace("</li></ul>\n<ul><li>", "</li>\n<li>")
    scripts = f"<script>{bundle_js()}</script>\n<script>{RENDER_JS}</script>\n" if charts else ""
    return (head + banner + title_html + nav + "<main>\n" + main + "\n</main>\n" + scripts
            + "</body>\n</html>\n")


def write_html(bundle: ReportBundle, path: str | Path) -> Path:
    """Write the self-contained HTML report for ``bundle`` to ``path``; returns the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_html(bundle), encoding="utf-8")
    return path
