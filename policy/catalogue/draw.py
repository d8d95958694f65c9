"""Drawing causal chains: DOT for the browser, SVG and PNG for reports, Altair for the page.

No system Graphviz is needed: :func:`to_dot` returns DOT text for Streamlit's
``st.graphviz_chart`` (rendered in the browser), :func:`to_svg` writes a layered layout as
SVG for reports (:func:`to_png` rasterises it), :func:`to_altair` gives an interactive chart.
The graphs come from :mod:`policy.catalogue.chains`; nothing here changes them.
"""

from __future__ import annotations

import functools
import html
import io
import math
import textwrap
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import networkx as nx

from policy.catalogue.vocabulary import STAGES, load_shared_nodes

if TYPE_CHECKING:
    import altair as alt


__all__ = ["diagram_size", "layered_layout", "stage_views", "to_altair", "to_dot", "to_png",
           "to_svg"]

_STAGE_INDEX = {stage: index for index, stage in enumerate(STAGES)}


# --------------------------------------------------------------------------------------------
# Layout (shared by the static and Altair renderers)
# --------------------------------------------------------------------------------------------

_STAGE_TITLES = {
    "inputs": "Inputs",
    "activities": "Activities",
    "outputs": "Outputs",
    "outcomes": "Outcomes",
    "impacts": "Impacts",
}
_STAGE_COLOURS = {
    "inputs": "#e8eef7",
    "activities": "#dbe9f6",
    "outputs": "#d5ecd4",
    "outcomes": "#fdebc8",
    "impacts": "#f9d3cf",
}


def _column_key(data: Mapping[str, Any]) -> tuple[int, int]:
    stage = data.get("stage")
    index = _STAGE_INDEX.get(stage, len(STAGES)) if isinstance(stage, str) else len(STAGES)
    tier = data.get("tier") if stage == "outcomes" else None
    return (index, tier if isinstance(tier, int) else 0)


def _column_title(key: tuple[int, int], tiers: Mapping[int, str]) -> str:
    index, tier = key
    if index >= len(STAGES):
        return "Unstaged"
    title = _STAGE_TITLES[STAGES[index]]
    if STAGES[index] == "outcomes" and tier:
        return f"{title}: {tiers.get(tier, f'tier {tier}').lower()}"
    return title


def layered_layout(graph: nx.DiGraph) -> dict[str, tuple[int, int]]:
    """Deterministic (column, row) for every node: column = stage (outcomes split by tier),
    row = order within the column.

    Rows are ordered by a few barycentre sweeps (mean row of neighbours in earlier, then later
    columns) to cut edge crossings; ties break on node id, so the same graph always gives the
    same picture, which matters for reports that are diffed and reviewed.
    """
    keys = sorted({_column_key(d) for _, d in graph.nodes(data=True)})
    column_of = {n: keys.index(_column_key(d)) for n, d in graph.nodes(data=True)}
    columns: list[list[str]] = [[] for _ in keys]
    # Start from nodes grouped by intervention, so each chain's own boxes sit together.
    def start(node: str) -> tuple[tuple[str, ...], str]:
        return (tuple(sorted(graph.nodes[node].get("contributors", ()))), str(node))

    for node in sorted(graph.nodes, key=start):
        columns[column_of[node]].append(node)

    def sweep(order: Iterable[int], neighbours: Any) -> None:
        for c in order:
            rank = {n: i for col in columns for i, n in enumerate(col)}
            keyed = []
            for node in columns[c]:
                near = [rank[m] for m in neighbours(node) if column_of[m] != c]
                mean = sum(near) / len(near) if near else float(rank[node])
                keyed.append(((mean, str(node)), node))
            columns[c] = [node for _, node in sorted(keyed)]

    for _ in range(3):
        sweep(range(1, len(columns)), graph.predecessors)
        sweep(range(len(columns) - 2, -1, -1), graph.successors)
    return {node: (c, r) for c, col in enumerate(columns) for r, node in enumerate(col)}


def _wrap(text: str, width: int, whole_words: bool = False) -> list[str]:
    return textwrap.wrap(text, width=width, break_long_words=not whole_words) or [""]


def _tiers() -> Mapping[int, str]:
    try:
        return load_shared_nodes().tiers
    except Exception:  # pragma: no cover - rendering must not fail on a vocabulary problem
        return {}


# --------------------------------------------------------------------------------------------
# DOT
# --------------------------------------------------------------------------------------------


def _q(text: object) -> str:
    """A DOT double-quoted string (escape backslashes and quotes; keep ``\\n`` line breaks)."""
    value = str(text).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{value}"'


def stage_views(graph: nx.DiGraph) -> list[tuple[str, nx.DiGraph]]:
    """The chain cut into readable parts: one a stage, with the boxes it leads to.

    A merged mix of five or six interventions has a dozen boxes in each of six or seven
    columns; drawn as one picture across a 700 px page its text is about 6 px (issue 15).
    Each part here holds one stage's boxes and the boxes their arrows reach (the next stage,
    or for outcomes the later outcomes and the impacts), so it is two to four columns wide
    and its text stays at reading size. Every edge of ``graph`` is in exactly one part: the
    part of its source's stage. Titles say what the part shows ("Inputs to activities")."""
    views = []
    for stage in STAGES:
        sources = [n for n, d in graph.nodes(data=True) if d.get("stage") == stage]
        edges = [(a, b) for a, b in graph.edges if a in sources]
        if not edges:
            continue
        part = graph.edge_subgraph(edges).copy()
        to = sorted({graph.nodes[b].get("stage") for _, b in edges} - {stage},
                    key=lambda s: _STAGE_INDEX.get(s, len(STAGES)))
        later = " and ".join(_STAGE_TITLES.get(s, "other steps").lower() for s in to)
        if any(graph.nodes[b].get("stage") == stage for _, b in edges):
            later = f"later {_STAGE_TITLES[stage].lower()}" + (f" and {later}" if later else "")
        views.append((f"{_STAGE_TITLES[stage]} to {later}", part))
    return views


LINE_CHARS = 88
"""Characters of box text across a whole diagram that fit a 700 px page at about 12 px."""


def to_dot(graph: nx.DiGraph, *, title: str | None = None, wrap: int | None = 24,
           names: Mapping[str, str] | None = None, ranksep: float = 0.5) -> str:
    """DOT text for ``st.graphviz_chart``: left-to-right, one cluster per stage.

    Outcomes are split into ranked sub-groups by tier so that outcome -> outcome edges read left
    to right. Tooltips carry indicators, the interventions behind a box (by their ``names``,
    when given) and assumptions (hover in the browser). ``wrap=None``: wrap box text so the
    columns share :data:`LINE_CHARS` (at most 30 a line), for the parts of
    :func:`stage_views`.
    """
    tiers = _tiers()
    if wrap is None:
        columns = len({_column_key(d) for _, d in graph.nodes(data=True)}) or 1
        wrap = max(14, min(30, LINE_CHARS // columns))
    name = title or str(graph.graph.get("name", "chain"))
    lines = [
        f"digraph {_q(name)} {{",
        f'  graph [rankdir=LR, newrank=true, nodesep=0.2, ranksep={ranksep:g}, '
        f'fontname="Helvetica", fontsize=12, labelloc=t, label={_q(name)}];',
        '  node [shape=box, style="rounded,filled", fontname="Helvetica", fontsize=10, '
        'color="#777777", margin="0.12,0.05"];',
        '  edge [color="#666666", arrowsize=0.7, fontname="Helvetica"];',
    ]
    by_key: dict[tuple[int, int], list[str]] = {}
    for node, data in graph.nodes(data=True):
        by_key.setdefault(_column_key(data), []).append(node)
    layout = layered_layout(graph)
    for index, stage in [*enumerate(STAGES), (len(STAGES), "unstaged")]:
        keys = sorted(k for k in by_key if k[0] == index)
        if not keys:
            continue
        lines.append(f"  subgraph {_q('cluster_' + stage)} {{")
        lines.append(
            f'    label={_q(_STAGE_TITLES.get(stage, "Unstaged"))}; style="rounded,filled"; '
            f'fillcolor="#fafafa"; color="#dddddd";'
        )
        for key in keys:
            nodes = sorted(by_key[key], key=lambda n: layout[n][1])
            ids = " ".join(_q(n) for n in nodes)
            lines.append(f"    {{ rank=same; {ids} }}")
            for node in nodes:
                lines.append(f"    {_q(node)} [{_node_attrs(graph, node, tiers, wrap, names)}];")
        lines.append("  }")
    for source, target, data in sorted(graph.edges(data=True), key=lambda e: (e[0], e[1])):
        count = len(data.get("contributors", ())) or 1
        width = min(1 + 0.6 * (count - 1), 4)
        tooltip = _q(data.get("assumption", ""))
        lines.append(f"  {_q(source)} -> {_q(target)} [tooltip={tooltip}, penwidth={width:.1f}];")
    lines.append("}")
    return "\n".join(lines) + "\n"


def _node_attrs(graph: nx.DiGraph, node: str, tiers: Mapping[int, str], wrap: int,
                names: Mapping[str, str] | None = None) -> str:
    data = graph.nodes[node]
    stage = data.get("stage", "")
    contributors = sorted(data.get("contributors", ()))
    label = str(data.get("label", node))
    label_lines = _wrap(label, wrap)
    if len(contributors) >= 2:
        label_lines.append(f"[{len(contributors)} interventions]")
    tooltip = label  # what a reader hovers over: words, not the node's id
    if data.get("indicator"):
        tooltip += f"\nIndicator: {data['indicator']}"
    if contributors:
        shown = [names.get(c, c) if names else c for c in contributors]
        tooltip += f"\nFrom: {', '.join(shown)}"
    attrs = [
        f"label={_q(chr(10).join(label_lines))}",
        f"fillcolor={_q(_STAGE_COLOURS.get(stage, '#eeeeee'))}",
        f"tooltip={_q(tooltip)}",
    ]
    if len(contributors) >= 2:
        attrs.append(f"penwidth={min(1 + 0.5 * (len(contributors) - 1), 4):.1f}")
    return ", ".join(attrs)


# --------------------------------------------------------------------------------------------
# Static images: one drawing from the layered layout, written as SVG or rasterised to PNG
# --------------------------------------------------------------------------------------------

_FONT = 12.0  # px: box text; the app's stage parts are drawn at 12-13 px on a 700 px page
_TITLE_FONT = 14.0
_BADGE_FONT = 8.0
_LINE_H = 14.5  # px between box text lines
_CHAR_W = 0.56
"""Average advance of a character of mixed-case Helvetica / Arial / Liberation Sans text, in
ems (Adobe's Helvetica AFM widths: lower case about 0.5, capitals about 0.67). It sizes a box
for its wrap width without measuring glyphs; the PNG shrinks a line that still overflows."""
_PAD_X, _PAD_Y = 7.0, 6.0
_GAP_X, _GAP_Y = 22.0, 10.0
_MARGIN = 10.0
_TITLE_H = 26.0
_EDGE = "#666666"
FONT_STACK = "Helvetica, Arial, 'Liberation Sans', 'DejaVu Sans', sans-serif"
_FONT_FILES = {False: ("LiberationSans-Regular.ttf", "Arial.ttf", "DejaVuSans.ttf"),
               True: ("LiberationSans-Bold.ttf", "Arial Bold.ttf", "DejaVuSans-Bold.ttf")}
"""Fonts tried for the PNG, in order (metric-compatible with Helvetica first); Pillow's own
bundled font when none is installed."""


@dataclass(frozen=True)
class _Box:
    x: float
    y: float
    w: float
    h: float
    fill: str
    stroke: str
    stroke_w: float
    hover: str


@dataclass(frozen=True)
class _Text:
    x: float
    y: float  # baseline
    text: str
    size: float = _FONT
    bold: bool = False
    anchor: str = "middle"  # or "end"
    colour: str = "#1a1a1a"
    fit: float | None = None  # the width the line must stay inside (box text)


@dataclass(frozen=True)
class _Arrow:
    start: tuple[float, float]
    control: tuple[float, float]
    end: tuple[float, float]  # base of the head
    head: tuple[tuple[float, float], ...]
    width: float


@dataclass
class _Picture:
    width: float
    height: float
    arrows: list[_Arrow] = field(default_factory=list)
    boxes: list[_Box] = field(default_factory=list)
    texts: list[_Text] = field(default_factory=list)


def _arrow(x1: float, y1: float, x2: float, y2: float, cx: float, cy: float,
           width: float) -> _Arrow:
    """From (x1, y1) to (x2, y2) bending through control point (cx, cy), its filled head
    pointing along the curve's last tangent."""
    dx, dy = x2 - cx, y2 - cy
    length = math.hypot(dx, dy) or 1.0
    ux, uy = dx / length, dy / length
    size = 6.0 + width
    bx, by = x2 - ux * size, y2 - uy * size
    half = size * 0.45
    return _Arrow((x1, y1), (cx, cy), (bx, by),
                  ((x2, y2), (bx - uy * half, by + ux * half), (bx + uy * half, by - ux * half)),
                  width)


def _centred(lines: list[str], x: float, first: float, wrap: int | None = None,
             **style: Any) -> list[_Text]:
    """Lines centred on ``x``; with ``wrap``, a line longer than that (one word too long to
    break) is set smaller so that it still fits its box."""
    return [_Text(x, first + i * _LINE_H, line,
                  size=_FONT if not wrap or len(line) <= wrap else _FONT * wrap / len(line),
                  **style) for i, line in enumerate(lines)]


def _picture(graph: nx.DiGraph, title: str | None,
             names: Mapping[str, str] | None = None) -> _Picture:
    """The drawing in CSS px: box text wrapped so the columns share :data:`LINE_CHARS`
    characters (as :func:`to_dot` does for the app's stage parts), each column's boxes
    stacked and centred under its title, arrows from a box's right side to the next box's
    left (bowing out to the right between boxes of one column). Boxes shared by several
    interventions get a thicker border and an "xN" mark; an arrow's width grows with the
    chains that rely on it."""
    tiers = _tiers()
    layout = layered_layout(graph)
    keys = sorted({_column_key(d) for _, d in graph.nodes(data=True)})
    n_cols = max(len(keys), 1)
    wrap = max(13, min(30, LINE_CHARS // n_cols))
    box_w = wrap * _CHAR_W * _FONT + 2 * _PAD_X
    texts = {n: _wrap(str(graph.nodes[n].get("label", n)), wrap, whole_words=True)
             for n in graph.nodes}
    heights = {n: _LINE_H * len(lines) + 2 * _PAD_Y for n, lines in texts.items()}
    columns: list[list[str]] = [[] for _ in range(n_cols)]
    for node, (c, _r) in sorted(layout.items(), key=lambda kv: kv[1]):
        columns[c].append(node)
    heads = [_wrap(_column_title(k, tiers), max(12, int(box_w / (_CHAR_W * _FONT))))
             for k in keys]
    head_h = _LINE_H * max((len(h) for h in heads), default=1) + 8
    col_h = [sum(heights[n] for n in col) + _GAP_Y * max(len(col) - 1, 0) for col in columns]
    body = max(col_h, default=0.0) or 20.0
    title_h = _TITLE_H if title else 0.0
    pic = _Picture(2 * _MARGIN + n_cols * box_w + (n_cols - 1) * _GAP_X,
                   2 * _MARGIN + title_h + head_h + body)
    if title:
        pic.texts.append(_Text(pic.width / 2, _MARGIN + _TITLE_FONT, title, _TITLE_FONT, True,
                               fit=pic.width - 2 * _MARGIN))
    top = _MARGIN + title_h + head_h
    place: dict[str, tuple[float, float, float]] = {}
    for c, col in enumerate(columns):
        x = _MARGIN + c * (box_w + _GAP_X)
        pic.texts += _centred(heads[c], x + box_w / 2, _MARGIN + title_h + _FONT, bold=True,
                              colour="#333333", fit=box_w)
        y = top + (body - col_h[c]) / 2
        for node in col:
            place[node] = (x, y, heights[node])
            y += heights[node] + _GAP_Y
    for source, target, data in sorted(graph.edges(data=True), key=lambda e: (e[0], e[1])):
        (sx, sy, sh), (tx, ty, th) = place[source], place[target]
        width = min(1.0 + 0.6 * ((len(data.get("contributors", ())) or 1) - 1), 4.0)
        y1, y2 = sy + sh / 2, ty + th / 2
        if tx > sx:
            x1, x2 = sx + box_w, tx
            pic.arrows.append(_arrow(x1, y1, x2, y2, (x1 + x2) / 2, (y1 + y2) / 2, width))
        else:
            x1 = sx + box_w
            bend = x1 + min(_GAP_X * 0.9, 12 + abs(y2 - y1) * 0.15)
            pic.arrows.append(_arrow(x1, y1, x1, y2, bend, (y1 + y2) / 2, width))
    for node, (x, y, h) in place.items():
        data = graph.nodes[node]
        contributors = sorted(data.get("contributors", ()))
        many = len(contributors) >= 2
        hover = str(data.get("label", node))
        if contributors:
            hover += "\nFrom: " + ", ".join(names.get(c, c) if names else c
                                             for c in contributors)
        pic.boxes.append(_Box(x, y, box_w, h,
                              _STAGE_COLOURS.get(str(data.get("stage")), "#eeeeee"),
                              "#444444" if many else "#888888", 1.8 if many else 0.8, hover))
        lines = texts[node]
        first = y + h / 2 - _LINE_H * (len(lines) - 1) / 2 + _FONT * 0.35
        pic.texts += _centred(lines, x + box_w / 2, first, wrap, fit=box_w - 4)
        if many:
            pic.texts.append(_Text(x + box_w - 3, y + 9, f"x{len(contributors)}", _BADGE_FONT,
                                   anchor="end", colour="#444444"))
    return pic


def diagram_size(graph: nx.DiGraph, *, title: str | None = None) -> tuple[float, float]:
    """Width and height in CSS px (96 an inch) of the drawing at its own size, where box text
    is 12 px: a report places it no larger than this."""
    pic = _picture(graph, title)
    return pic.width, pic.height


def _esc(text: object) -> str:
    return html.escape(str(text), quote=True)


def to_svg(graph: nx.DiGraph, *, title: str | None = None,
           names: Mapping[str, str] | None = None) -> str:
    """SVG text of the layered chain drawing, written directly from :func:`layered_layout`.

    Text stays text (searchable, escaped), the output is deterministic (no ids, dates or
    salts: reports can be diffed) and only the standard library is needed: a report's
    diagrams cost milliseconds, not matplotlib's second a format. Each box has a ``<title>``
    (hover text in a browser): its label and the interventions behind it, by their ``names``
    when given.
    """
    pic = _picture(graph, title, names)
    w, h = f"{pic.width:.0f}", f"{pic.height:.0f}"
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" '
           f'viewBox="0 0 {w} {h}" font-family="{_esc(FONT_STACK)}" font-size="{_FONT:g}">',
           f'<rect width="{w}" height="{h}" fill="#ffffff"/>']
    for a in pic.arrows:
        (x1, y1), (cx, cy), (bx, by) = a.start, a.control, a.end
        head = " ".join(f"{x:.1f},{y:.1f}" for x, y in a.head)
        out.append(f'<path d="M{x1:.1f},{y1:.1f} Q{cx:.1f},{cy:.1f} {bx:.1f},{by:.1f}" '
                   f'fill="none" stroke="{_EDGE}" stroke-width="{a.width:.1f}"/>'
                   f'<polygon points="{head}" fill="{_EDGE}"/>')
    for b in pic.boxes:
        out.append(f'<rect x="{b.x:.1f}" y="{b.y:.1f}" width="{b.w:.1f}" height="{b.h:.1f}" '
                   f'rx="5" fill="{b.fill}" stroke="{b.stroke}" stroke-width="{b.stroke_w:g}">'
                   f"<title>{_esc(b.hover)}</title></rect>")
    for t in pic.texts:
        style = "" if t.size == _FONT else f' font-size="{t.size:g}"'
        style += ' font-weight="bold"' if t.bold else ""
        out.append(f'<text x="{t.x:.1f}" y="{t.y:.1f}" text-anchor="{t.anchor}" '
                   f'fill="{t.colour}"{style}>{_esc(t.text)}</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"


@functools.lru_cache(maxsize=32)
def _font(size: int, bold: bool) -> Any:
    """A Pillow font of ``size`` px: the first of :data:`_FONT_FILES` installed, else Pillow's
    bundled one (found once; Pillow searches the system font folders for a bare name)."""
    from PIL import ImageFont

    for name in _FONT_FILES[bold]:
        try:
            return ImageFont.truetype(name, size, layout_engine=ImageFont.Layout.BASIC)
        except OSError:
            continue
    return ImageFont.load_default(size)


def _curve(a: _Arrow, scale: float, steps: int = 12) -> list[tuple[float, float]]:
    (x0, y0), (cx, cy), (x1, y1) = a.start, a.control, a.end
    out = []
    for i in range(steps + 1):
        t = i / steps
        u = 1 - t
        out.append(((u * u * x0 + 2 * u * t * cx + t * t * x1) * scale,
                    (u * u * y0 + 2 * u * t * cy + t * t * y1) * scale))
    return out


def to_png(graph: nx.DiGraph, *, title: str | None = None, scale: float = 1.5) -> bytes:
    """PNG bytes of the same drawing as :func:`to_svg`, for the Word report (python-docx takes
    PNG, not SVG), drawn with Pillow: ``scale`` 1.5 is 144 dots an inch at the drawing's own
    size, sharp in print at up to 6.5 inches wide.

    Pillow rather than rasterising the SVG: resvg (inside ``vl-convert``) lays out each line
    of text in about 3 ms, 0.1-0.2 s a diagram; FreeType here takes a tenth of a ms a line.
    A line of box text that the installed font makes wider than its box is drawn smaller.
    """
    from PIL import Image, ImageDraw

    pic = _picture(graph, title)
    image = Image.new("RGB", (math.ceil(pic.width * scale), math.ceil(pic.height * scale)),
                      "#ffffff")
    draw = ImageDraw.Draw(image)
    for a in pic.arrows:
        width = max(1, round(a.width * scale))
        draw.line(_curve(a, scale), fill=_EDGE, width=width, joint="curve")
        draw.polygon([(x * scale, y * scale) for x, y in a.head], fill=_EDGE)
    for b in pic.boxes:
        draw.rounded_rectangle((b.x * scale, b.y * scale, (b.x + b.w) * scale,
                                (b.y + b.h) * scale), radius=5 * scale, fill=b.fill,
                               outline=b.stroke, width=max(1, round(b.stroke_w * scale)))
    for t in pic.texts:
        size = round(t.size * scale)
        font = _font(size, t.bold)
        if t.fit is not None:
            room = t.fit * scale
            while size > 6 and font.getlength(t.text) > room:
                size -= 1
                font = _font(size, t.bold)
        draw.text((t.x * scale, t.y * scale), t.text, font=font, fill=t.colour,
                  anchor="ms" if t.anchor == "middle" else "rs")
    # 64 colours hold the five fills, the greys and the text's anti-aliasing ramps: the file
    # is a third of the full-colour one and encodes in a fifth of the time.
    image = image.quantize(colors=64, method=Image.Quantize.FASTOCTREE)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", dpi=(96 * scale, 96 * scale))
    return buffer.getvalue()


# --------------------------------------------------------------------------------------------
# Altair (interactive, optional)
# --------------------------------------------------------------------------------------------


def to_altair(graph: nx.DiGraph, *, title: str | None = None) -> alt.LayerChart:
    """An interactive Altair chart of the same layered layout (tooltips on nodes and edges)."""
    import altair as alt

    layout = layered_layout(graph)
    tiers = _tiers()
    keys = sorted({_column_key(d) for _, d in graph.nodes(data=True)})
    nodes = []
    for node, (c, r) in layout.items():
        data = graph.nodes[node]
        nodes.append({
            "id": node,
            "x": c,
            "y": r,
            "label": str(data.get("label", node)),
            "stage": str(data.get("stage", "")),
            "column": _column_title(keys[c], tiers),
            "indicator": str(data.get("indicator", "")),
            "contributors": ", ".join(sorted(data.get("contributors", ()))),
        })
    edges = [
        {
            "x": layout[s][0], "y": layout[s][1], "x2": layout[t][0], "y2": layout[t][1],
            "from": s, "to": t, "assumption": str(d.get("assumption", "")),
        }
        for s, t, d in graph.edges(data=True)
    ]
    x = alt.X("x:Q", axis=None, scale=alt.Scale(padding=60))
    y = alt.Y("y:Q", axis=None, scale=alt.Scale(reverse=True, padding=20))
    rules = alt.Chart(alt.Data(values=edges)).mark_rule(color="#999999").encode(
        x=x, y=y, x2="x2:Q", y2="y2:Q",
        tooltip=[alt.Tooltip("from:N"), alt.Tooltip("to:N"), alt.Tooltip("assumption:N")],
    )
    stage_scale = alt.Scale(domain=list(_STAGE_COLOURS), range=list(_STAGE_COLOURS.values()))
    points = alt.Chart(alt.Data(values=nodes)).mark_square(size=900, stroke="#666666").encode(
        x=x, y=y, color=alt.Color("stage:N", scale=stage_scale, legend=None),
        tooltip=["label:N", "column:N", "indicator:N", "contributors:N", "id:N"],
    )
    labels = alt.Chart(alt.Data(values=nodes)).mark_text(fontSize=9, dy=-20).encode(
        x=x, y=y, text="label:N"
    )
    height = 40 * (max((r for _, r in layout.values()), default=0) + 2)
    return alt.layer(rules, points, labels).properties(
        width=180 * max(len(keys), 1), height=height,
        title=title or str(graph.graph.get("name", "")),
    )
