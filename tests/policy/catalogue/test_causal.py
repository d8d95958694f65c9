"""Causal chains: validation rules, merging, mix diagnostics and rendering."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import Any

import networkx as nx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from policy.catalogue import (
    STAGES,
    CausalChainError,
    chain_graph,
    layered_layout,
    load_catalogue,
    load_shared_nodes,
    merge_chains,
    mix_diagnostics,
    to_altair,
    to_dot,
    to_png,
    to_svg,
    validate_chain,
)

CATALOGUE = load_catalogue()


# ---------------------------------------------------------------------------------------------
# Hand-made graphs
# ---------------------------------------------------------------------------------------------


def _graph(
    nodes: dict[str, str | tuple[str, int]],
    edges: list[tuple[str, str]],
    contributors: dict[str, set[str]] | None = None,
    families: dict[str, str] | None = None,
) -> nx.DiGraph:
    """Build a chain graph by hand: node -> stage (or (stage, tier) for outcomes)."""
    graph = nx.DiGraph(name="hand", interventions={
        k: {"family": v} for k, v in (families or {}).items()
    })
    for node, spec in nodes.items():
        stage, tier = (spec, None) if isinstance(spec, str) else spec
        graph.add_node(node, stage=stage, tier=tier, label=node.replace("_", " "),
                       indicator=f"count of {node}",
                       contributors=frozenset((contributors or {}).get(node, {"x"})))
    for a, b in edges:
        shared = graph.nodes[a]["contributors"] & graph.nodes[b]["contributors"]
        graph.add_edge(a, b, assumption=f"{a} works", contributors=shared or frozenset({"x"}))
    return graph


VALID = {
    "i": "inputs", "a": "activities", "o": "outputs", "oc": ("outcomes", 1), "im": "impacts",
}
VALID_EDGES = [("i", "a"), ("a", "o"), ("o", "oc"), ("oc", "im")]


def test_valid_hand_made_chain() -> None:
    assert validate_chain(_graph(VALID, VALID_EDGES), "hand") == []


def _codes(graph: nx.DiGraph) -> dict[str, set[str | None]]:
    problems = validate_chain(graph, "hand", raise_on_error=False)
    codes: dict[str, set[str | None]] = {}
    for p in problems:
        codes.setdefault(p.code, set()).add(p.node)
    return codes


def test_error_names_chain_and_node() -> None:
    graph = _graph({**VALID, "stray": "outputs"}, VALID_EDGES)
    with pytest.raises(CausalChainError) as info:
        validate_chain(graph, "my_intervention")
    assert info.value.chain == "my_intervention"
    assert "chain 'my_intervention', node 'stray'" in str(info.value)
    assert {p.code for p in info.value.problems} == {"no_predecessor", "no_successor"}


def test_missing_stage_and_bad_stage() -> None:
    codes = _codes(_graph({**VALID, "a": "actions"}, VALID_EDGES))
    assert codes["bad_stage"] == {"a"}
    assert "missing_stage" in codes


def test_skipping_a_stage_is_not_allowed() -> None:
    codes = _codes(_graph(VALID, [*VALID_EDGES, ("a", "oc")]))
    assert codes == {"edge_order": {"a"}}


def test_backward_edge_and_cycle() -> None:
    codes = _codes(_graph(VALID, [*VALID_EDGES, ("o", "a")]))
    assert codes["cycle"] and codes["edge_order"] == {"o"}


def test_outcome_to_outcome_must_climb_tiers() -> None:
    nodes = {**VALID, "oc2": ("outcomes", 2)}
    up = [*VALID_EDGES, ("oc", "oc2"), ("oc2", "im")]
    assert _codes(_graph(nodes, up)) == {}
    down = [("i", "a"), ("a", "o"), ("o", "oc2"), ("oc2", "oc"), ("oc", "im")]
    assert _codes(_graph(nodes, down)) == {"edge_order": {"oc2"}}
    same = {**VALID, "oc2": ("outcomes", 1)}
    assert "edge_order" in _codes(_graph(same, up))


def test_unreachable_impact_and_dangling_nodes() -> None:
    nodes = {**VALID, "im2": "impacts", "oc2": ("outcomes", 2)}
    codes = _codes(_graph(nodes, [*VALID_EDGES, ("oc2", "im2")]))
    assert codes["unreachable_impact"] == {"im2"}
    assert codes["no_predecessor"] == {"oc2"}


def test_empty_graph() -> None:
    assert _codes(nx.DiGraph())["empty"] == {None}


# ---------------------------------------------------------------------------------------------
# The catalogue's chains and merging
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("intervention_id", sorted(CATALOGUE))
def test_catalogue_chain_graphs(intervention_id: str) -> None:
    intervention = CATALOGUE[intervention_id]
    graph = chain_graph(intervention)
    assert validate_chain(graph, intervention_id) == []
    assert nx.is_directed_acyclic_graph(graph)
    assert set(graph.nodes) == {n.id for n in intervention.causal_chain.nodes}
    for _, data in graph.nodes(data=True):
        assert data["stage"] in STAGES and data["label"] and data["indicator"]
        assert data["contributors"] == frozenset({intervention_id})
    for _, _, data in graph.edges(data=True):
        assert data["assumption"] and data["assumptions"] == {intervention_id: data["assumption"]}


def test_merge_shares_outcome_nodes() -> None:
    fe, digital = CATALOGUE["fe_apprenticeships"], CATALOGUE["digital_adoption"]
    merged = merge_chains([fe, digital])
    assert list(merged.nodes).count("skills_supply") == 1
    assert merged.nodes["skills_supply"]["contributors"] == {"fe_apprenticeships",
                                                             "digital_adoption"}
    assert merged.nodes["fe_apprenticeships.sme_brokerage"]["contributors"] == {
        "fe_apprenticeships"
    }
    edge = merged.edges["firm_productivity", "local_productivity_growth"]
    assert edge["contributors"] == {"fe_apprenticeships", "digital_adoption"}
    assert set(edge["assumptions"]) == {"fe_apprenticeships", "digital_adoption"}
    assert " | " in edge["assumption"]
    assert set(merged.graph["interventions"]) == {"fe_apprenticeships", "digital_adoption"}
    assert validate_chain(merged, "mix") == []
    # The single chains are not modified by merging.
    assert chain_graph(fe).nodes["skills_supply"]["contributors"] == {"fe_apprenticeships"}


def test_merge_accepts_catalogue_dict_and_ignores_repeats() -> None:
    export = CATALOGUE["export_support"]
    assert set(merge_chains([export, export]).nodes) == set(chain_graph(export).nodes)
    everything = merge_chains(CATALOGUE)
    assert set(everything.graph["interventions"]) == set(CATALOGUE)
    assert validate_chain(everything, "catalogue") == []


def test_merge_rejects_two_interventions_with_one_id() -> None:
    export = CATALOGUE["export_support"]
    impostor = export.model_copy(update={"family": "finance"})
    with pytest.raises(ValueError, match="share the id 'export_support'"):
        merge_chains([export, impostor])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sets(st.sampled_from(sorted(CATALOGUE))))
def test_any_merge_is_acyclic_and_is_the_union(ids: set[str]) -> None:
    chosen = [CATALOGUE[i] for i in sorted(ids)]
    merged = merge_chains(chosen)
    assert nx.is_directed_acyclic_graph(merged)
    union: set[str] = set()
    for intervention in chosen:
        union |= {n.id for n in intervention.causal_chain.nodes}
    assert set(merged.nodes) == union
    for node, data in merged.nodes(data=True):
        expected = {i.id for i in chosen if node in {n.id for n in i.causal_chain.nodes}}
        assert data["contributors"] == expected
    if chosen:
        assert validate_chain(merged, "mix") == []


# ---------------------------------------------------------------------------------------------
# Diagnostics
# ---------------------------------------------------------------------------------------------


def _gap_example() -> nx.DiGraph:
    """Two interventions. ``jobs`` has two node-disjoint routes (one per intervention);
    ``growth`` has two routes that both pass through ``prod`` (fragile); ``green`` has two
    node-disjoint routes, but both inside intervention B."""
    nodes: dict[str, str | tuple[str, int]] = {
        "a_in": "inputs", "a_act": "activities", "a_out": "outputs",
        "b_in": "inputs", "b_act": "activities", "b_out": "outputs",
        "b_in2": "inputs", "b_act2": "activities", "b_out2": "outputs",
        "skills": ("outcomes", 1), "adopt": ("outcomes", 2), "prod": ("outcomes", 3),
        "emis": ("outcomes", 3), "emis2": ("outcomes", 2),
        "jobs": "impacts", "growth": "impacts", "green": "impacts",
    }
    edges = [
        ("a_in", "a_act"), ("a_act", "a_out"), ("a_out", "skills"), ("skills", "jobs"),
        ("b_in", "b_act"), ("b_act", "b_out"), ("b_out", "adopt"), ("adopt", "jobs"),
        ("skills", "prod"), ("adopt", "prod"), ("prod", "growth"),
        ("b_in2", "b_act2"), ("b_act2", "b_out2"), ("b_out2", "emis2"), ("emis2", "emis"),
        ("b_out", "emis"), ("emis", "green"), ("emis2", "green"),
    ]
    contributors = {
        **dict.fromkeys(["a_in", "a_act", "a_out", "skills"], {"A"}),
        **dict.fromkeys(["b_in", "b_act", "b_out", "adopt", "b_in2", "b_act2", "b_out2",
                         "emis", "emis2", "green"], {"B"}),
        **dict.fromkeys(["prod", "jobs", "growth"], {"A", "B"}),
    }
    return _graph(nodes, edges, contributors, families={"A": "skills", "B": "innovation"})


def test_gap_detection_on_hand_made_example() -> None:
    graph = _gap_example()
    assert validate_chain(graph, "hand") == []
    report = mix_diagnostics(graph, intended_impacts=["jobs", "growth", "green", "net_zero"])
    coverage = {c.impact: c for c in report.coverage}
    assert coverage["jobs"].pathways == 2
    assert coverage["growth"].pathways == 1 and coverage["growth"].bottleneck == ("prod",)
    assert coverage["green"].pathways == 2
    gaps = {g.impact: g for g in report.gaps}
    assert set(gaps) == {"growth", "green", "net_zero"}
    assert gaps["growth"].kind == "fragile" and "prod" in gaps["growth"].message
    assert gaps["green"].kind == "single_intervention" and gaps["green"].interventions == ("B",)
    assert gaps["net_zero"].kind == "missing" and gaps["net_zero"].pathways == 0


def test_node_disjoint_not_edge_disjoint() -> None:
    """Two routes that share an outcome but no edge count as ONE pathway: the shared outcome
    is a single point of failure, which edge-disjoint counting would hide."""
    nodes: dict[str, str | tuple[str, int]] = {
        "a_in": "inputs", "a_act": "activities", "a_out": "outputs",
        "b_in": "inputs", "b_act": "activities", "b_out": "outputs",
        "skills": ("outcomes", 1), "adopt": ("outcomes", 2), "prod": ("outcomes", 3),
        "growth": "impacts",
    }
    edges = [
        ("a_in", "a_act"), ("a_act", "a_out"), ("a_out", "skills"),
        ("b_in", "b_act"), ("b_act", "b_out"), ("b_out", "skills"),
        ("skills", "adopt"), ("adopt", "growth"), ("skills", "prod"), ("prod", "growth"),
    ]
    graph = _graph(nodes, edges)
    assert validate_chain(graph, "hand") == []
    flow = nx.DiGraph(graph)
    flow.add_edges_from([("S", "a_in"), ("S", "b_in")])
    assert nx.edge_connectivity(flow, "S", "growth") == 2
    (gap,) = mix_diagnostics(graph, ["growth"]).gaps
    assert gap.kind == "fragile" and gap.pathways == 1 and gap.bottleneck == ("skills",)


def test_unreached_impact_present_in_graph_is_missing() -> None:
    graph = _graph({**VALID, "lonely": "impacts"}, VALID_EDGES)
    (gap,) = mix_diagnostics(graph, ["lonely"]).gaps
    assert gap.kind == "missing"


def test_overlaps_and_complementarities() -> None:
    nodes: dict[str, str | tuple[str, int]] = {
        "p_in": "inputs", "p_act": "activities", "p_out": "outputs",
        "q_in": "inputs", "q_act": "activities", "q_out": "outputs",
        "r_in": "inputs", "r_act": "activities", "r_out": "outputs",
        "skills": ("outcomes", 1), "adopt": ("outcomes", 2), "jobs": "impacts",
    }
    edges = [
        ("p_in", "p_act"), ("p_act", "p_out"), ("p_out", "skills"),
        ("q_in", "q_act"), ("q_act", "q_out"), ("q_out", "skills"),
        ("r_in", "r_act"), ("r_act", "r_out"), ("r_out", "adopt"),
        ("skills", "adopt"), ("adopt", "jobs"),
    ]
    contributors = {
        **{f"{x}_{s}": {x.upper()} for x in "pqr" for s in ("in", "act", "out")},
        "skills": {"P", "Q"}, "adopt": {"P", "Q", "R"}, "jobs": {"P", "Q", "R"},
    }
    graph = _graph(nodes, edges, contributors,
                   families={"P": "skills", "Q": "skills", "R": "business_support"})
    report = mix_diagnostics(graph, ["jobs"])
    (overlap,) = report.overlaps
    assert overlap.outcome == "skills" and overlap.interventions == ("P", "Q")
    assert overlap.same_family == (("P", "Q"),)
    (comp,) = report.complementarities
    assert comp.outcome == "adopt"
    assert comp.families == ("business_support", "skills")
    assert comp.interventions == ("P", "Q", "R")


def test_diagnostics_of_real_mix() -> None:
    mix = merge_chains([CATALOGUE[i] for i in ("fe_apprenticeships", "digital_adoption")])
    report = mix_diagnostics(mix)
    assert [c.impact for c in report.coverage] == load_shared_nodes().ids("impacts")
    kinds = {g.impact: g.kind for g in report.gaps}
    assert kinds["resilient_economy"] == "missing"
    assert "local_productivity_growth" not in kinds or kinds["local_productivity_growth"] != \
        "missing"
    assert any(c.outcome == "skills_supply" for c in report.complementarities)
    assert any(o.outcome == "skills_supply" for o in report.overlaps)
    assert report.model_dump()  # serialisable for sessions and exports


# ---------------------------------------------------------------------------------------------
# Rendering
# ---------------------------------------------------------------------------------------------

_TOKEN = re.compile(r'\s*(?:(->|--|[{}\[\];,=])|"((?:[^"\\]|\\.)*)"|([A-Za-z0-9_.]+))', re.S)


def _tokens(text: str) -> list[tuple[str, str]]:
    out, pos = [], 0
    while pos < len(text.rstrip()):
        match = _TOKEN.match(text, pos)
        assert match, f"DOT lexing failed at {text[pos:pos + 40]!r}"
        punct, quoted, bare = match.groups()
        out.append(("p", punct) if punct else ("id", quoted if quoted is not None else bare))
        pos = match.end()
    return out


def parse_dot(text: str) -> tuple[set[str], set[tuple[str, str]]]:
    """A small recursive-descent parser for the DOT subset to_dot writes; returns node and edge
    ids. Raises AssertionError on anything malformed (unbalanced braces, stray tokens)."""
    toks = _tokens(text)
    i = 0
    nodes: set[str] = set()
    edges: set[tuple[str, str]] = set()

    def peek() -> tuple[str, str] | None:
        return toks[i] if i < len(toks) else None

    def take(kind: str, value: str | None = None) -> str:
        nonlocal i
        tok = peek()
        assert tok and tok[0] == kind and (value is None or tok[1] == value), (tok, kind, value)
        i += 1
        return tok[1]

    def attrs() -> None:
        take("p", "[")
        while peek() != ("p", "]"):
            take("id")
            take("p", "=")
            take("id")
            if peek() in (("p", ","), ("p", ";")):
                take("p")
        take("p", "]")

    def stmts() -> None:
        take("p", "{")
        while peek() != ("p", "}"):
            tok = peek()
            assert tok is not None, "unbalanced braces"
            if tok == ("p", "{"):
                stmts()
            elif tok == ("id", "subgraph"):
                take("id")
                take("id")
                stmts()
            elif tok[0] == "id" and tok[1] in ("graph", "node", "edge") and \
                    toks[i + 1] == ("p", "["):
                take("id")
                attrs()
            else:
                first = take("id")
                if peek() == ("p", "="):
                    take("p")
                    take("id")
                elif peek() == ("p", "->"):
                    take("p")
                    second = take("id")
                    edges.add((first, second))
                    if peek() == ("p", "["):
                        attrs()
                else:
                    nodes.add(first)
                    if peek() == ("p", "["):
                        attrs()
            if peek() == ("p", ";"):
                take("p")
        take("p", "}")

    take("id", "digraph")
    if peek() and peek()[0] == "id":  # type: ignore[index]
        take("id")
    stmts()
    assert i == len(toks), "trailing tokens after the graph"
    return nodes, edges


def test_dot_parses_and_contains_every_node_and_edge() -> None:
    for graph in (chain_graph(CATALOGUE["am_centre_hub"]), merge_chains(CATALOGUE)):
        text = to_dot(graph)
        nodes, edges = parse_dot(text)
        assert nodes == set(graph.nodes)
        assert edges == set(graph.edges)
        for stage in STAGES:
            assert f'"cluster_{stage}"' in text


def test_dot_escapes_quotes_and_backslashes() -> None:
    graph = _graph(VALID, VALID_EDGES)
    graph.nodes["i"]["label"] = 'The "quoted" \\ input'
    nodes, _ = parse_dot(to_dot(graph))
    assert "i" in nodes


def test_png_and_svg() -> None:
    mix = merge_chains([CATALOGUE["fe_apprenticeships"], CATALOGUE["digital_adoption"]])
    png = to_png(mix, title="Skills and digital")
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 10_000
    svg = to_svg(mix)
    root = ET.fromstring(svg)
    assert root.tag.endswith("svg")
    assert "Supply of advanced" in svg  # text kept as text, searchable in reports
    assert to_svg(mix) == svg  # deterministic: reports can be diffed


def test_layout_is_layered_and_deterministic() -> None:
    graph = merge_chains(CATALOGUE)
    layout = layered_layout(graph)
    assert layout == layered_layout(graph)
    assert set(layout) == set(graph.nodes)
    for source, target in graph.edges:
        assert layout[source][0] < layout[target][0]
    positions = [pos for pos in layout.values()]
    assert len(positions) == len(set(positions))


def test_altair_chart() -> None:
    chart = to_altair(chain_graph(CATALOGUE["export_support"]))
    spec: dict[str, Any] = chart.to_dict()
    assert len(spec["layer"]) == 3
