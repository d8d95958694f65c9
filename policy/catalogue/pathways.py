"""How many node-disjoint pathways reach an impact, and the nodes they all pass through.

The coverage check of the mix diagnostics (:func:`policy.catalogue.mix_diagnostics`) asks, for
each intended impact, Menger's question: how many input-to-impact pathways share no node
(the local node connectivity from a super-source wired to every input), and which nodes a
minimum cut takes. It used to ask networkx twice an impact
(``local_node_connectivity`` and ``minimum_node_cut``), each building its auxiliary
node-split digraph and residual network as networkx graphs and running Edmonds-Karp on them:
about 4 ms an impact, 25-30 ms a mix, 0.2 s for the eight options of one appraisal (issue 14).

This is the same computation once per impact on plain dictionaries: the same auxiliary
digraph (each node ``v`` split into ``v_in -> v_out`` with capacity 1, each edge ``u -> v`` as
``u_out -> v_in`` with capacity 1: networkx's ``build_auxiliary_node_connectivity``), one
maximum flow by shortest augmenting paths (Edmonds-Karp), and networkx's reading of the cut:
the nodes that can still reach the sink in the residual network are the sink's side
(``networkx.minimum_cut``), every auxiliary edge from the other side into it is cut, and the
cut names the original nodes at both ends of those edges, minus source and sink
(``minimum_st_node_cut``). The answers are networkx's exactly, whichever maximum flow is
found: the flow's value is the maximum, and the set of nodes that can reach the sink in the
residual network of a maximum flow is the same for every maximum flow (it is the sink side
of the minimum cut nearest the sink: Ford and Fulkerson 1962, ch. I.5).
``tests/policy/catalogue/test_pathways.py`` holds it to networkx on every option of the
demo's appraisals and on random chains.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Hashable, Iterable, Mapping

__all__ = ["disjoint_pathways"]

Node = Hashable


def disjoint_pathways(
    successors: Mapping[Node, Iterable[Node]], source: Node, target: Node
) -> tuple[int, frozenset[Node]]:
    """The number of node-disjoint ``source -> target`` paths in the digraph ``successors``
    (every node a key, its successors its value) and networkx's minimum node cut between
    them: ``(local_node_connectivity(G, s, t), minimum_node_cut(G, s, t))``.

    As networkx, the cut is empty when ``source`` and ``target`` are adjacent (no node can
    part them); the count is then the flow through the auxiliary digraph, where that edge
    counts once."""
    # Auxiliary node-split digraph as residual capacities: (v, 0) is v's "in", (v, 1) its
    # "out"; res[a][b] is the residual capacity of a -> b (reverse edges start at 0).
    res: dict[tuple[Node, int], dict[tuple[Node, int], int]] = {}
    edges: list[tuple[tuple[Node, int], tuple[Node, int]]] = []

    def add(a: tuple[Node, int], b: tuple[Node, int]) -> None:
        res.setdefault(a, {})[b] = 1
        res.setdefault(b, {}).setdefault(a, 0)
        edges.append((a, b))

    for v in successors:
        add((v, 0), (v, 1))
    adjacent = False
    for u, outs in successors.items():
        for v in outs:
            add((u, 1), (v, 0))
            adjacent |= (u, v) in ((source, target), (target, source))
    s, t = (source, 1), (target, 0)
    flow = 0
    while True:  # Edmonds-Karp: shortest augmenting path, one unit at a time
        parent = {s: s}
        queue = deque([s])
        while queue and t not in parent:
            a = queue.popleft()
            for b, cap in res[a].items():
                if cap > 0 and b not in parent:
                    parent[b] = a
                    queue.append(b)
        if t not in parent:
            break
        b = t
        while b != s:
            a = parent[b]
            res[a][b] -= 1
            res[b][a] += 1
            b = a
        flow += 1
    if adjacent:
        return flow, frozenset()
    # The sink's side: what can still reach t in the residual network.
    into: dict[tuple[Node, int], list[tuple[Node, int]]] = {}
    for a, outs in res.items():
        for b, cap in outs.items():
            if cap > 0:
                into.setdefault(b, []).append(a)
    sink_side = {t}
    queue = deque([t])
    while queue:
        b = queue.popleft()
        for a in into.get(b, ()):
            if a not in sink_side:
                sink_side.add(a)
                queue.append(a)
    cut = {end[0] for a, b in edges if a not in sink_side and b in sink_side for end in (a, b)}
    return flow, frozenset(cut - {source, target})
