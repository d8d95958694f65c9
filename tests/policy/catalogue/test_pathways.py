"""The mix diagnostics' pathway count and bottleneck are networkx's, exactly.

``policy.catalogue.pathways.disjoint_pathways`` replaced two networkx calls an impact
(``local_node_connectivity`` and ``minimum_node_cut``; issue 14). These tests keep the networkx
computation as the reference and compare on merged chains of the real catalogue and on random
digraphs (cycles, adjacent ends, several minimum cuts).
"""

from __future__ import annotations

import itertools
import random

import networkx as nx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from policy.catalogue import load_catalogue, load_shared_nodes, merge_chains, mix_diagnostics
from policy.catalogue.pathways import disjoint_pathways

SOURCE = "\x00source"


def reference(flow: nx.DiGraph, s: str, t: str) -> tuple[int, frozenset[str]]:
    """What ``_coverage`` computed before: networkx on the flow digraph."""
    pathways = nx.algorithms.connectivity.local_node_connectivity(flow, s, t)
    return pathways, frozenset(nx.minimum_node_cut(flow, s, t))


def reference_coverage(graph: nx.DiGraph, impact: str) -> tuple[int, tuple[str, ...]]:
    """The pre-issue-14 ``_coverage`` body (pathways, bottleneck) on a merged chain."""
    inputs = [n for n, d in graph.nodes(data=True) if d.get("stage") == "inputs"]
    if impact not in graph or not inputs or not (nx.ancestors(graph, impact) & set(inputs)):
        return 0, ()
    flow = nx.DiGraph(graph.subgraph(nx.ancestors(graph, impact) | {impact}))
    flow.add_edges_from((SOURCE, n) for n in inputs if n in flow)
    pathways, cut = reference(flow, SOURCE, impact)
    return pathways, tuple(sorted(cut))


def successors(graph: nx.DiGraph) -> dict[str, list[str]]:
    return {n: list(graph.successors(n)) for n in graph}


CATALOGUE = load_catalogue()
IMPACTS = load_shared_nodes().ids("impacts")


def _mixes() -> list[tuple[str, ...]]:
    ids = sorted(CATALOGUE)
    rng = random.Random(14)
    mixes = [(i,) for i in ids] + list(itertools.combinations(ids[:6], 2))
    mixes += [tuple(rng.sample(ids, k)) for k in (3, 4, 5, 6, 8, 10) for _ in range(6)]
    return mixes


@pytest.mark.parametrize("mix", _mixes(), ids=lambda m: "+".join(m))
def test_coverage_of_catalogue_mixes_is_networkx(mix: tuple[str, ...]) -> None:
    graph = merge_chains([CATALOGUE[i] for i in mix])
    report = mix_diagnostics(graph)
    got = {c.impact: (c.pathways, c.bottleneck) for c in report.coverage}
    want = {impact: reference_coverage(graph, impact) for impact in IMPACTS}
    assert got == want


def test_some_mix_has_several_pathways_and_a_bottleneck() -> None:
    """The comparison above is not only over trivial answers."""
    seen = set()
    for mix in _mixes():
        graph = merge_chains([CATALOGUE[i] for i in mix])
        for impact in IMPACTS:
            pathways, cut = reference_coverage(graph, impact)
            seen.add((min(pathways, 2), bool(cut)))
    assert {(1, True), (2, True)} <= seen, seen


@settings(max_examples=300, deadline=None)
@given(n=st.integers(2, 9), edges=st.lists(st.tuples(st.integers(0, 8), st.integers(0, 8)),
                                             max_size=30), ends=st.tuples(st.integers(0, 8),
                                                                          st.integers(0, 8)))
def test_random_digraphs_match_networkx(n: int, edges: list[tuple[int, int]],
                                        ends: tuple[int, int]) -> None:
    s, t = ends[0] % n, ends[1] % n
    if s == t:
        t = (s + 1) % n
    graph = nx.DiGraph()
    graph.add_nodes_from(range(n))
    graph.add_edges_from((a % n, b % n) for a, b in edges)
    assert disjoint_pathways(successors(graph), s, t) == reference(graph, s, t)


def test_hand_made_cases() -> None:
    # two disjoint paths s-a-t, s-b-t: two pathways, the cut is {a, b}
    g = nx.DiGraph([("s", "a"), ("a", "t"), ("s", "b"), ("b", "t")])
    assert disjoint_pathways(successors(g), "s", "t") == (2, frozenset({"a", "b"}))
    # everything through m
    g = nx.DiGraph([("s", "a"), ("s", "b"), ("a", "m"), ("b", "m"), ("m", "t")])
    assert disjoint_pathways(successors(g), "s", "t") == (1, frozenset({"m"}))
    # adjacent ends: networkx gives no cut
    g = nx.DiGraph([("s", "t"), ("s", "a"), ("a", "t")])
    assert disjoint_pathways(successors(g), "s", "t") == reference(g, "s", "t")
    # no path at all: no pathway, and networkx's empty cut
    g = nx.DiGraph([("s", "x"), ("t", "s")])
    assert disjoint_pathways(successors(g), "s", "t") == reference(g, "s", "t") == (0, frozenset())
