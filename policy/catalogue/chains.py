"""Causal chains as networkx graphs: build, validate, merge into a policy mix, diagnose.

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

Drawing lives apart in :mod:`policy.catalogue.draw` (computation here, pictures there).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import networkx as nx
from networkx.algorithms.connectivity import (
    build_auxiliary_node_connectivity,
    minimum_st_node_cut,
)
from networkx.algorithms.flow import build_residual_network
from pydantic import BaseModel, ConfigDict

from evidence.problems import Problem, ProblemError
from policy.catalogue.models import Intervention
from policy.catalogue.vocabulary import STAGES, load_shared_nodes

if TYPE_CHECKING:
    pass

__all__ = [
    "CausalChainError",
    "ChainProblem",
    "Complementarity",
    "Gap",
    "ImpactCoverage",
    "MixDiagnostics",
    "Overlap",
    "chain_graph",
    "merge_chains",
    "mix_diagnostics",
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


@dataclass(frozen=True, kw_only=True)
class ChainProblem(Problem):
    """One structural problem in a chain (a :class:`evidence.problems.Problem`): the chain is
    its ``item``, ``node`` the node (or edge) it concerns."""

    node: str | None = None

    @property
    def chain(self) -> str:
        return self.item or ""

    def __str__(self) -> str:
        where = f"chain {self.chain!r}"
        if self.node:
            where += f", node {self.node!r}"
        return f"{where}: {self.message}"


class CausalChainError(ProblemError):
    """A causal chain that breaks the logic-model rules; ``problems`` lists every breach."""

    def __init__(self, chain: str, problems: Sequence[ChainProblem]):
        super().__init__(problems)
        self.chain = chain
        lines = [f"causal chain {chain!r} is invalid ({len(self.problems)} problem(s)):"]
        lines += [f"  - {problem}" for problem in self.problems]
        self.args = ("\n".join(lines),)

    def __str__(self) -> str:
        return str(self.args[0])


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
        problems.append(ChainProblem(item=name, code=code, message=message, node=node))

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


class _FlowNetwork:
    """The mix's digraph with a super-source wired to every input, and networkx's auxiliary
    node-split digraph and residual network of it, built once a mix and reused for every
    impact (``networkx.algorithms.connectivity.minimum_st_node_cut`` takes both for exactly
    this: "repeated calls on the same graph"). Building them for each impact, twice (once for
    ``local_node_connectivity``, once for ``minimum_node_cut``), was most of the eight
    appraisal options' diagnostics (issue 14)."""

    def __init__(self, graph: nx.DiGraph, inputs: list[str]) -> None:
        self.graph = nx.DiGraph(graph)
        self.graph.add_edges_from((_SOURCE, n) for n in inputs)
        self.auxiliary = build_auxiliary_node_connectivity(self.graph)
        self.residual = build_residual_network(self.auxiliary, "capacity")

    def bottleneck(self, impact: str) -> set[str]:
        """A minimum set of nodes whose removal parts every input from ``impact``."""
        return minimum_st_node_cut(self.graph, _SOURCE, impact, auxiliary=self.auxiliary,
                                   residual=self.residual)


def _coverage(graph: nx.DiGraph, impact: str, inputs: list[str],
              network: Callable[[], _FlowNetwork]) -> ImpactCoverage:  # fmt: skip
    """How many node-disjoint pathways reach ``impact`` from the mix's inputs and the nodes a
    minimum cut of them takes. By Menger's theorem the number of node-disjoint paths between
    two non-adjacent nodes is the size of a minimum node cut between them; the super-source
    is adjacent only to inputs, never to an impact, so one cut gives both numbers."""
    if impact not in graph:
        return ImpactCoverage(impact=impact, pathways=0, interventions=())
    interventions = tuple(sorted(graph.nodes[impact].get("contributors", ())))
    if not inputs or not (nx.ancestors(graph, impact) & set(inputs)):
        return ImpactCoverage(impact=impact, pathways=0, interventions=interventions)
    cut = network().bottleneck(impact)
    return ImpactCoverage(
        impact=impact,
        pathways=len(cut),
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

    inputs = [n for n, d in graph.nodes(data=True) if d.get("stage") == "inputs"]
    built: list[_FlowNetwork] = []

    def network() -> _FlowNetwork:  # built when the first impact needs it
        if not built:
            built.append(_FlowNetwork(graph, inputs))
        return built[0]

    coverage = tuple(_coverage(graph, impact, inputs, network) for impact in impacts)
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


