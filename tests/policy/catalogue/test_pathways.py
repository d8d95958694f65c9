"""The mix diagnostics' pathway count and bottleneck are what networkx's two calls gave.

``_coverage`` used to ask networkx twice an impact (``local_node_connectivity`` and
``minimum_node_cut`` on the impact's ancestors plus a super-source), building the auxiliary
digraph and residual network each time. It now builds them once a mix and takes one
``minimum_st_node_cut`` an impact, its size the pathway count (Menger; issue 14). These tests
keep the two-call computation as the reference and compare on merged chains of the real
catalogue and on random chain-like digraphs (cycles, several minimum cuts, unreachable
impacts).
"""

from __future__ import annotations

import itertools
import random

import networkx as nx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from policy.catalogue import load_catalogue, load_shared_nodes, merge_chains, mix_diagnostics

SOURCE = "\x00source"


def reference_coverage(graph: nx.DiGraph, impact: str) -> tuple[int, tuple[str, ...]]:
    """The pre-issue-14 ``_coverage`` body (pathways, bottleneck) on a merged chain."""
    inputs = [n for n, d in graph.nodes(data=True) if d.get("stage") == "inputs"]
    if impact not in graph or not inputs or not (nx.ancestors(graph, impact) & set(inputs)):
        return 0, ()
    flow = nx.DiGraph(graph.subgraph(nx.ancestors(graph, impact) | {impact}))
    flow.add_edges_from((SOURCE, n) for n in inputs if n in flow)
    pathways = nx.algorithms.connectivity.local_node_connectivity(flow, SOURCE, impact)
    return pathways, tuple(sorted(nx.minimum_node_cut(flow, SOURCE, impact)))


def coverage(graph: nx.DiGraph, impacts: list[str]) -> dict[str, tuple[int, tuple[str, ...]]]:
    report = mix_diagnostics(graph, impacts)
    return {c.impact: (c.pathways, c.bottleneck) for c in report.coverage}


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
    want = {impact: reference_coverage(graph, impact) for impact in IMPACTS}
    assert coverage(graph, IMPACTS) == want


def test_some_mix_has_several_pathways_and_a_bottleneck() -> None:
    """The comparison above is not only over trivial answers."""
    seen = set()
    for mix in _mixes():
        graph = merge_chains([CATALOGUE[i] for i in mix])
        for impact in IMPACTS:
            pathways, cut = reference_coverage(graph, impact)
            seen.add((min(pathways, 2), bool(cut)))
    assert {(1, True), (2, True)} <= seen, seen


def staged(edges: list[tuple[str, str]], inputs: set[str], impacts: set[str]) -> nx.DiGraph:
    graph = nx.DiGraph(edges)
    for node in graph:
        graph.nodes[node]["stage"] = ("inputs" if node in inputs else
                                      "impacts" if node in impacts else "outcomes")
    return graph


@settings(max_examples=300, deadline=None)
@given(edges=st.lists(st.tuples(st.integers(0, 9), st.integers(0, 9)), min_size=1, max_size=30),
       n_inputs=st.integers(1, 3))
def test_random_chains_match_networkx(edges: list[tuple[int, int]], n_inputs: int) -> None:
    """Nodes 0.. are inputs, 7-9 impacts, the rest in between; cycles and dead ends allowed."""
    pairs = [(f"n{a}", f"n{b}") for a, b in edges if a != b]
    if not pairs:
        return
    inputs = {f"n{i}" for i in range(n_inputs)}
    impacts = [f"n{i}" for i in (7, 8, 9)]
    graph = staged(pairs, inputs, set(impacts))
    want = {impact: reference_coverage(graph, impact) for impact in impacts}
    assert coverage(graph, impacts) == want


def test_hand_made_cases() -> None:
    # two disjoint paths i-a-z, i-b-z: two pathways, the cut is {a, b}
    g = staged([("i", "a"), ("a", "z"), ("i", "b"), ("b", "z")], {"i"}, {"z"})
    assert coverage(g, ["z"]) == {"z": (1, ("i",))}  # the one input carries both
    g = staged([("i", "a"), ("a", "z"), ("j", "b"), ("b", "z")], {"i", "j"}, {"z"})
    assert coverage(g, ["z"]) == {"z": (2, ("a", "b"))}
    # everything through m
    g = staged([("i", "a"), ("j", "b"), ("a", "m"), ("b", "m"), ("m", "z")], {"i", "j"}, {"z"})
    assert coverage(g, ["z"]) == {"z": (1, ("m",))}
    # an input straight into the impact: that input is the cut
    g = staged([("i", "z"), ("j", "a"), ("a", "z")], {"i", "j"}, {"z"})
    assert coverage(g, ["z"]) == {"z": (2, tuple(sorted(nx.minimum_node_cut(
        nx.DiGraph([(SOURCE, "i"), (SOURCE, "j"), ("i", "z"), ("j", "a"), ("a", "z")]),
        SOURCE, "z"))))}
    # not reached, and not in the graph at all
    g = staged([("i", "a"), ("z", "i")], {"i"}, {"z"})
    assert coverage(g, ["z", "w"]) == {"z": (0, ()), "w": (0, ())}
