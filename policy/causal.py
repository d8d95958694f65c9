"""Causal chains as networkx graphs: build, validate, merge into a policy mix, diagnose, render.

A chain is a logic model: inputs -> activities -> outputs -> outcomes -> impacts. Merging the
chains of the interventions in a mix turns it into one graph in which shared outcomes and impacts
are single nodes, which is what makes a *mix* more than a list: you can see where interventions
reinforce each other, where they pile onto the same outcome and where an intended impact hangs
on a single thread.

Stage-order rule (decided here, checked by :func:`validate_chain`):

* every edge moves exactly one stage forward: inputs -> activities -> outputs -> outcomes ->
  impacts. Skipping a stage is NOT allowed, because an arrow that jumps from an activity to an
  outcome hides the mechanism an evaluation would need an indicator for;
* the one exception is outcome -> outcome, allowed only from a lower to a higher outcome tier
  (capabilities -> firm behaviour -> performance, see ``_shared_nodes.yaml``). Intermediate
  outcomes are how interventions complement each other (skills make technology adoption
  possible), and the tier order guarantees that any merge of valid chains stays acyclic.

Fragility (:func:`mix_diagnostics`) counts NODE-disjoint paths from the inputs to an impact.
Edge-disjoint paths would call two routes independent even when both pass through the same
outcome; node-disjointness treats that outcome as the single point of failure it is, which is
the question a policy mix must answer ("if this does not move, does anything else carry the
impact?").

The rendering functions need no system Graphviz: :func:`to_dot` returns DOT text for Streamlit's
``st.graphviz_chart`` (rendered in the browser), :func:`to_svg` / :func:`to_png` draw a layered
layout with matplotlib for reports, :func:`to_altair` gives an interactive chart.
"""

from __future__ import annotations

import io
import textwrap
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import networkx as nx
from pydantic import BaseModel, ConfigDict

from policy.catalogue import STAGES, Intervention, load_shared_nodes

if TYPE_CHECKING:
    import altair as alt
    from matplotlib.figure import Figure

__all__ = [
    "CausalChainError",
    "ChainProblem",
    "Complementarity",
    "Gap",
    "ImpactCoverage",
    "MixDiagnostics",
    "Overlap",
    "chain_graph",
    "layered_layout",
    "merge_chains",
    "mix_diagnostics",
    "to_altair",
    "to_dot",
    "to_png",
    "to_svg",
    "validate_chain",
]

_STAGE_INDEX = {stage: index for index, stage in enumerate(STAGES)}
_SOURCE = "\x00source"  # super-source for path counting; cannot clash with a node id


# --------------------------------------------------------------------------------------------
# Building graphs
# --------------------------------------------------------------------------------------------


def _intervention_meta(intervention: Intervention) -> dict[str, str]:
    return {
        "name": intervention.name,
        "family": intervention.family,
        "target_type": intervention.target_type,
    }


def chain_graph(intervention: Intervention) -> nx.DiGraph:
    """The causal chain of one intervention as a directed graph.

    Nodes carry ``stage``, ``label``, ``indicator``, ``tier`` (shared outcomes only), ``shared``
    and ``contributors`` (a frozenset of intervention ids: here just this one). Edges carry
    ``assumption``, ``assumptions`` ({intervention id: text}) and ``contributors``, so a single
    chain and a merged mix have the same shape and every function below accepts either.
    """
    graph = nx.DiGraph(
        name=intervention.id,
        interventions={intervention.id: _intervention_meta(intervention)},
    )
    contributors = frozenset({intervention.id})
    for node in intervention.causal_chain.nodes:
        graph.add_node(
            node.id,
            stage=node.stage,
            label=node.label,
            indicator=node.indicator,
            tier=node.tier,
            # the catalogue only admits outcomes/impacts from the shared vocabulary
            shared=node.stage in ("outcomes", "impacts"),
            contributors=contributors,
        )
    for edge in intervention.causal_chain.edges:
        graph.add_edge(
            edge.source,
            edge.target,
            assumption=edge.assumption,
            assumptions={intervention.id: edge.assumption},
            contributors=contributors,
        )
    return graph


def merge_chains(
    interventions: Iterable[Intervention] | Mapping[str, Intervention],
) -> nx.DiGraph:
    """Merge the chains of a policy mix into one graph.

    Shared outcomes and impacts become one node whose ``contributors`` is the set of
    interventions whose chains contain it; an edge present in several chains (e.g.
    ``firm_productivity -> local_productivity_growth``) is one edge whose ``assumptions`` keeps
    each intervention's wording. Accepts a ``load_catalogue()`` dict as well as a list.
    """
    items = list(interventions.values() if isinstance(interventions, Mapping) else interventions)
    merged = nx.DiGraph(name="mix", interventions={})
    for intervention in items:
        known = merged.graph["interventions"].get(intervention.id)
        if known is not None:
            if known != _intervention_meta(intervention):
                raise ValueError(f"two different interventions share the id {intervention.id!r}")
            continue
        merged.graph["interventions"][intervention.id] = _intervention_meta(intervention)
        chain = chain_graph(intervention)
        for node_id, data in chain.nodes(data=True):
            if node_id not in merged:
                merged.add_node(node_id, **data)
                continue
            existing = merged.nodes[node_id]
            for key in ("stage", "label", "tier"):
                if existing.get(key) != data.get(key):
                    raise ValueError(
                        f"node {node_id!r}: {key} differs between chains "
                        f"({existing.get(key)!r} vs {data.get(key)!r} in {intervention.id!r})"
                    )
            existing["contributors"] = existing["contributors"] | data["contributors"]
        for source, target, data in chain.edges(data=True):
            if not merged.has_edge(source, target):
                merged.add_edge(source, target, **data)
                merged.edges[source, target]["assumptions"] = dict(data["assumptions"])
                continue
            existing = merged.edges[source, target]
            existing["assumptions"] = {**existing["assumptions"], **data["assumptions"]}
            existing["contributors"] = existing["contributors"] | data["contributors"]
            texts = list(dict.fromkeys(existing["assumptions"].values()))
            existing["assumption"] = " | ".join(texts)
    return merged


# --------------------------------------------------------------------------------------------
# Validation
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChainProblem:
    """One structural problem in a chain, named by chain and node (or edge)."""

    chain: str
    code: str
    message: str
    node: str | None = None

    def __str__(self) -> str:
        where = f"chain {self.chain!r}"
        if self.node:
            where += f", node {self.node!r}"
        return f"{where}: {self.message}"


class CausalChainError(ValueError):
    """A causal chain that breaks the logic-model rules; ``problems`` lists every breach."""

    def __init__(self, chain: str, problems: Sequence[ChainProblem]):
        self.chain = chain
        self.problems = list(problems)
        lines = [f"causal chain {chain!r} is invalid ({len(self.problems)} problem(s)):"]
        lines += [f"  - {problem}" for problem in self.problems]
        super().__init__("\n".join(lines))


def _edge_problem(graph: nx.DiGraph, source: str, target: str) -> str | None:
    """Why an edge breaks the stage order, or None if it is allowed."""
    a = graph.nodes[source].get("stage")
    b = graph.nodes[target].get("stage")
    if a not in _STAGE_INDEX or b not in _STAGE_INDEX:
        return None  # reported as bad_stage on the node
    step = _STAGE_INDEX[b] - _STAGE_INDEX[a]
    if a == b == "outcomes":
        ta, tb = graph.nodes[source].get("tier"), graph.nodes[target].get("tier")
        if ta is None or tb is None or tb <= ta:
            return (
                f"outcome -> outcome edge {source!r} -> {target!r} must go to a higher tier "
                f"(tier {ta} -> tier {tb})"
            )
        return None
    if step == 1:
        return None
    if step <= 0:
        return f"edge {source!r} -> {target!r} goes backwards or sideways ({a} -> {b})"
    skipped = ", ".join(STAGES[_STAGE_INDEX[a] + 1 : _STAGE_INDEX[b]])
    return f"edge {source!r} -> {target!r} skips {skipped} ({a} -> {b})"


def validate_chain(
    graph: nx.DiGraph, name: str, *, raise_on_error: bool = True
) -> list[ChainProblem]:
    """Check a chain (or a merged mix) against the logic-model rules.

    Checks: every node has a known stage; every stage is present; the graph is acyclic; every
    edge follows the stage order of this module's docstring; no node dangles (every non-input
    has a predecessor, every non-impact a successor); every impact is reachable from an input.
    All problems are collected so one run shows everything to fix. Raises
    :class:`CausalChainError` if there are any (unless ``raise_on_error`` is false, in which
    case the list is returned; it is empty for a valid chain).
    """
    problems: list[ChainProblem] = []

    def report(code: str, message: str, node: str | None = None) -> None:
        problems.append(ChainProblem(name, code, message, node))

    if graph.number_of_nodes() == 0:
        report("empty", "the chain has no nodes")
    stages: dict[str, str] = {}
    for node_id, data in graph.nodes(data=True):
        stage = data.get("stage")
        if stage not in _STAGE_INDEX:
            report("bad_stage", f"unknown stage {stage!r}; use one of {', '.join(STAGES)}", node_id)
        else:
            stages[node_id] = stage
    if graph.number_of_nodes():
        for stage in STAGES:
            if stage not in stages.values():
                report("missing_stage", f"no {stage} node")

    for component in nx.strongly_connected_components(graph):
        if len(component) > 1 or any(graph.has_edge(n, n) for n in component):
            cycle = nx.find_cycle(graph.subgraph(component))
            path = " -> ".join([str(edge[0]) for edge in cycle] + [str(cycle[0][0])])
            report("cycle", f"cycle {path}", min(component))

    for source, target in graph.edges:
        message = _edge_problem(graph, source, target)
        if message:
            report("edge_order", message, source)

    for node_id in graph.nodes:
        stage = stages.get(node_id)
        if stage is None:
            continue
        if stage != "inputs" and graph.in_degree(node_id) == 0:
            report("no_predecessor", f"{stage} node has nothing leading to it", node_id)
        if stage != "impacts" and graph.out_degree(node_id) == 0:
            report("no_successor", f"{stage} node leads nowhere", node_id)

    inputs = {n for n, s in stages.items() if s == "inputs"}
    for node_id, stage in stages.items():
        if stage == "impacts" and not (nx.ancestors(graph, node_id) & inputs):
            report("unreachable_impact", "impact is not reachable from any input", node_id)

    if problems and raise_on_error:
        raise CausalChainError(name, problems)
    return problems


# --------------------------------------------------------------------------------------------
# Mix diagnostics
# --------------------------------------------------------------------------------------------


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


class ImpactCoverage(_Frozen):
    """How an intended impact is reached: node-disjoint pathways and contributing interventions.

    ``bottleneck`` is a minimum set of nodes whose failure would cut every pathway (empty when
    the impact is unreached).
    """

    impact: str
    pathways: int
    interventions: tuple[str, ...]
    bottleneck: tuple[str, ...] = ()


class Gap(_Frozen):
    """An intended impact the mix does not secure.

    ``kind`` is ``missing`` (no pathway from any input), ``fragile`` (one node-disjoint pathway:
    a single node failing cuts it off) or ``single_intervention`` (several pathways, but all
    inside one intervention, so its failure to deliver loses the impact).
    """

    impact: str
    kind: Literal["missing", "fragile", "single_intervention"]
    pathways: int
    interventions: tuple[str, ...]
    bottleneck: tuple[str, ...]
    message: str


class Overlap(_Frozen):
    """An outcome several interventions act on directly (from their own outputs).

    Worth checking for duplication and for coordinating delivery; ``same_family`` lists groups
    of those interventions that pull the same kind of lever.
    """

    outcome: str
    interventions: tuple[str, ...]
    same_family: tuple[tuple[str, ...], ...]
    message: str


class Complementarity(_Frozen):
    """An outcome where interventions of different families meet (different levers, one aim)."""

    outcome: str
    interventions: tuple[str, ...]
    families: tuple[str, ...]
    message: str


class MixDiagnostics(_Frozen):
    coverage: tuple[ImpactCoverage, ...]
    gaps: tuple[Gap, ...]
    overlaps: tuple[Overlap, ...]
    complementarities: tuple[Complementarity, ...]


def _coverage(graph: nx.DiGraph, impact: str) -> ImpactCoverage:
    if impact not in graph:
        return ImpactCoverage(impact=impact, pathways=0, interventions=())
    inputs = [n for n, d in graph.nodes(data=True) if d.get("stage") == "inputs"]
    interventions = tuple(sorted(graph.nodes[impact].get("contributors", ())))
    if not inputs or not (nx.ancestors(graph, impact) & set(inputs)):
        return ImpactCoverage(impact=impact, pathways=0, interventions=interventions)
    flow = nx.DiGraph(graph.subgraph(nx.ancestors(graph, impact) | {impact}))
    flow.add_edges_from((_SOURCE, n) for n in inputs if n in flow)
    pathways = nx.algorithms.connectivity.local_node_connectivity(flow, _SOURCE, impact)
    cut = nx.minimum_node_cut(flow, _SOURCE, impact)
    return ImpactCoverage(
        impact=impact,
        pathways=pathways,
        interventions=interventions,
        bottleneck=tuple(sorted(cut)),
    )


def mix_diagnostics(
    graph: nx.DiGraph, intended_impacts: Iterable[str] | None = None
) -> MixDiagnostics:
    """Gaps, overlaps and complementarities of a (merged) chain graph.

    ``intended_impacts`` defaults to every impact in the shared vocabulary: a mix that is silent
    about, say, ``net_zero`` should say so rather than hide it. Families come from the graph's
    ``interventions`` metadata (set by :func:`chain_graph` / :func:`merge_chains`); in a
    hand-made graph without it, each intervention counts as its own family.
    """
    impacts = (
        list(dict.fromkeys(intended_impacts))
        if intended_impacts is not None
        else load_shared_nodes().ids("impacts")
    )
    meta: Mapping[str, Mapping[str, Any]] = graph.graph.get("interventions", {})

    def family(intervention: str) -> str:
        return str(meta.get(intervention, {}).get("family", intervention))

    coverage = tuple(_coverage(graph, impact) for impact in impacts)
    gaps: list[Gap] = []
    for cov in coverage:
        if cov.pathways == 0:
            gaps.append(
                Gap(
                    impact=cov.impact,
                    kind="missing",
                    pathways=0,
                    interventions=cov.interventions,
                    bottleneck=(),
                    message=f"{cov.impact}: not reached by any intervention in the mix",
                )
            )
        elif cov.pathways == 1:
            gaps.append(
                Gap(
                    impact=cov.impact,
                    kind="fragile",
                    pathways=1,
                    interventions=cov.interventions,
                    bottleneck=cov.bottleneck,
                    message=(
                        f"{cov.impact}: reached by a single pathway; everything passes through "
                        f"{', '.join(cov.bottleneck)}"
                    ),
                )
            )
        elif len(cov.interventions) == 1:
            gaps.append(
                Gap(
                    impact=cov.impact,
                    kind="single_intervention",
                    pathways=cov.pathways,
                    interventions=cov.interventions,
                    bottleneck=cov.bottleneck,
                    message=(
                        f"{cov.impact}: {cov.pathways} pathways, all within "
                        f"{cov.interventions[0]}; nothing else carries it if that under-delivers"
                    ),
                )
            )

    overlaps: list[Overlap] = []
    complementarities: list[Complementarity] = []
    outcomes = sorted(n for n, d in graph.nodes(data=True) if d.get("stage") == "outcomes")
    for outcome in outcomes:
        direct: set[str] = set()
        for pred in graph.predecessors(outcome):
            if graph.nodes[pred].get("stage") == "outputs":
                direct |= set(graph.edges[pred, outcome].get("contributors", ()))
        if len(direct) >= 2:
            by_family: dict[str, list[str]] = {}
            for intervention in sorted(direct):
                by_family.setdefault(family(intervention), []).append(intervention)
            same = tuple(tuple(group) for group in by_family.values() if len(group) >= 2)
            note = (
                "; same kind of lever: " + "; ".join(", ".join(g) for g in same) if same else ""
            )
            overlaps.append(
                Overlap(
                    outcome=outcome,
                    interventions=tuple(sorted(direct)),
                    same_family=same,
                    message=(
                        f"{outcome}: acted on directly by {len(direct)} interventions "
                        f"({', '.join(sorted(direct))}); check for duplication and coordinate"
                        f"{note}"
                    ),
                )
            )
        contributors = sorted(graph.nodes[outcome].get("contributors", ()))
        families = sorted({family(c) for c in contributors})
        if len(contributors) >= 2 and len(families) >= 2:
            complementarities.append(
                Complementarity(
                    outcome=outcome,
                    interventions=tuple(contributors),
                    families=tuple(families),
                    message=(
                        f"{outcome}: {', '.join(families)} levers meet "
                        f"({', '.join(contributors)})"
                    ),
                )
            )
    return MixDiagnostics(
        coverage=coverage,
        gaps=tuple(gaps),
        overlaps=tuple(overlaps),
        complementarities=tuple(complementarities),
    )


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
            ax.add_patch(FancyBboxPatch(
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
        ax.add_patch(FancyArrowPatch(
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
