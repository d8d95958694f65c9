"""Drawing causal chains: DOT for the browser, SVG and PNG for reports, Altair for the page.

No system Graphviz is needed: :func:`to_dot` returns DOT text for Streamlit's
``st.graphviz_chart`` (rendered in the browser), :func:`to_svg` / :func:`to_png` draw a layered
layout with matplotlib for reports, :func:`to_altair` gives an interactive chart. The graphs
come from :mod:`policy.catalogue.chains`; nothing here changes them.
"""

from __future__ import annotations

import io
import textwrap
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

import networkx as nx

from policy.catalogue.vocabulary import STAGES, load_shared_nodes

if TYPE_CHECKING:
    import altair as alt
    from matplotlib.figure import Figure


__all__ = ["layered_layout", "to_altair", "to_dot", "to_png", "to_svg"]

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


def _wrap(text: str, width: int) -> list[str]:
    return textwrap.wrap(text, width=width, break_long_words=True) or [""]


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


def to_dot(graph: nx.DiGraph, *, title: str | None = None, wrap: int = 24) -> str:
    """DOT text for ``st.graphviz_chart``: left-to-right, one cluster per stage.

    Outcomes are split into ranked sub-groups by tier so that outcome -> outcome edges read left
    to right. Tooltips carry indicators, contributors and assumptions (hover in the browser).
    """
    tiers = _tiers()
    name = title or str(graph.graph.get("name", "chain"))
    lines = [
        f"digraph {_q(name)} {{",
        '  graph [rankdir=LR, newrank=true, nodesep=0.2, ranksep=0.5, fontname="Helvetica", '
        f'fontsize=12, labelloc=t, label={_q(name)}];',
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
                lines.append(f"    {_q(node)} [{_node_attrs(graph, node, tiers, wrap)}];")
        lines.append("  }")
    for source, target, data in sorted(graph.edges(data=True), key=lambda e: (e[0], e[1])):
        count = len(data.get("contributors", ())) or 1
        width = min(1 + 0.6 * (count - 1), 4)
        tooltip = _q(data.get("assumption", ""))
        lines.append(f"  {_q(source)} -> {_q(target)} [tooltip={tooltip}, penwidth={width:.1f}];")
    lines.append("}")
    return "\n".join(lines) + "\n"


def _node_attrs(graph: nx.DiGraph, node: str, tiers: Mapping[int, str], wrap: int) -> str:
    data = graph.nodes[node]
    stage = data.get("stage", "")
    contributors = sorted(data.get("contributors", ()))
    label_lines = _wrap(str(data.get("label", node)), wrap)
    if len(contributors) >= 2:
        label_lines.append(f"[{len(contributors)} interventions]")
    tooltip = f"{node}\nIndicator: {data.get('indicator', '')}"
    if contributors:
        tooltip += f"\nContributors: {', '.join(contributors)}"
    attrs = [
        f"label={_q(chr(10).join(label_lines))}",
        f"fillcolor={_q(_STAGE_COLOURS.get(stage, '#eeeeee'))}",
        f"tooltip={_q(tooltip)}",
    ]
    if len(contributors) >= 2:
        attrs.append(f"penwidth={min(1 + 0.5 * (len(contributors) - 1), 4):.1f}")
    return ", ".join(attrs)


# --------------------------------------------------------------------------------------------
# Static images (matplotlib, no system Graphviz)
# --------------------------------------------------------------------------------------------

_BOX_W = 2.1  # inches
_GAP_X = 0.7
_LINE_H = 0.15
_PAD_Y = 0.16
_GAP_Y = 0.2
_MARGIN = 0.3
_HEADER = 0.55
_FONT = 7.5
_WRAP = 30


def _figure(graph: nx.DiGraph, title: str | None = None) -> Figure:
    from matplotlib.figure import Figure
    from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

    tiers = _tiers()
    layout = layered_layout(graph)
    keys = sorted({_column_key(d) for _, d in graph.nodes(data=True)})
    n_cols = max(len(keys), 1)
    texts = {
        n: _wrap(str(graph.nodes[n].get("label", n)), _WRAP) for n in graph.nodes
    }
    heights = {n: _LINE_H * len(lines) + _PAD_Y for n, lines in texts.items()}
    col_nodes: list[list[str]] = [[] for _ in range(n_cols)]
    for node, (c, _r) in sorted(layout.items(), key=lambda kv: kv[1]):
        col_nodes[c].append(node)
    col_heights = [
        sum(heights[n] for n in col) + _GAP_Y * max(len(col) - 1, 0) for col in col_nodes
    ]
    body = max(col_heights, default=1.0) or 1.0
    title_h = 0.35 if title else 0.0
    width = 2 * _MARGIN + n_cols * _BOX_W + (n_cols - 1) * _GAP_X
    height = 2 * _MARGIN + _HEADER + title_h + body

    fig = Figure(figsize=(width, height))
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, width)
    ax.set_ylim(0, height)
    ax.axis("off")
    if title:
        ax.text(width / 2, height - _MARGIN - 0.1, title, ha="center", va="center",
                fontsize=11, fontweight="bold")

    centres: dict[str, tuple[float, float]] = {}
    top = height - _MARGIN - title_h - _HEADER
    for c, col in enumerate(col_nodes):
        x = _MARGIN + c * (_BOX_W + _GAP_X)
        ax.text(x + _BOX_W / 2, top + _HEADER / 2, "\n".join(_wrap(
            _column_title(keys[c], tiers), 28)), ha="center", va="center",
            fontsize=8.5, fontweight="bold", color="#333333")
        y = top - (body - col_heights[c]) / 2
        for node in col:
            h = heights[node]
            data = graph.nodes[node]
            contributors = data.get("contributors", ())
            many = len(contributors) >= 2
            ax.add_artist(FancyBboxPatch(  # limits are set: no autoscale walk
                (x, y - h), _BOX_W, h, boxstyle="round,pad=0,rounding_size=0.06",
                facecolor=_STAGE_COLOURS.get(str(data.get("stage")), "#eeeeee"),
                edgecolor="#444444" if many else "#888888", linewidth=1.6 if many else 0.7,
                zorder=2,
            ))
            ax.text(x + _BOX_W / 2, y - h / 2, "\n".join(texts[node]), ha="center",
                    va="center", fontsize=_FONT, zorder=3, linespacing=1.15)
            if many:
                ax.text(x + _BOX_W - 0.04, y - 0.04, f"x{len(contributors)}", ha="right",
                        va="top", fontsize=6, color="#444444", zorder=3)
            centres[node] = (x, y - h / 2)
            y -= h + _GAP_Y

    for source, target, data in sorted(graph.edges(data=True), key=lambda e: (e[0], e[1])):
        (x1, y1), (x2, y2) = centres[source], centres[target]
        count = len(data.get("contributors", ())) or 1
        forward = x2 > x1
        start = (x1 + _BOX_W, y1) if forward else (x1 + _BOX_W / 2, y1)
        end = (x2, y2) if forward else (x2 + _BOX_W / 2, y2)
        ax.add_artist(FancyArrowPatch(
            start, end, arrowstyle="-|>", mutation_scale=8,
            connectionstyle="arc3,rad=0.0" if forward else "arc3,rad=0.4",
            color="#666666", linewidth=min(0.6 + 0.4 * (count - 1), 2.5), zorder=1,
            shrinkA=0, shrinkB=1,
        ))
    return fig


def to_svg(graph: nx.DiGraph, *, title: str | None = None) -> str:
    """SVG text of the layered chain drawing (text kept as text, deterministic ids, no date)."""
    import matplotlib

    fig = _figure(graph, title)
    buffer = io.StringIO()
    with matplotlib.rc_context({"svg.hashsalt": "policymix", "svg.fonttype": "none"}):
        fig.savefig(buffer, format="svg", metadata={"Date": None})
    return buffer.getvalue()


def to_png(graph: nx.DiGraph, *, title: str | None = None, dpi: int = 150) -> bytes:
    """PNG bytes of the layered chain drawing, for DOCX/HTML reports."""
    fig = _figure(graph, title)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi, metadata={"Software": None})
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
