"""The merged causal chain a stage at a time (issue 15: one picture of a six-intervention mix
had 6 px text at a 700 px page; each part is about 12-13 px in Chromium at that width)."""

from __future__ import annotations

import re

import pytest

from policy.catalogue import load_catalogue, merge_chains, stage_views, to_dot
from policy.catalogue.draw import LINE_CHARS

MIX = ("inward_investment_sites", "supply_chain_development", "export_support",
       "cluster_network", "net_zero_mission")  # the demo cluster's default mix


@pytest.fixture(scope="module")
def merged():
    catalogue = load_catalogue()
    missing = [i for i in MIX if i not in catalogue]
    assert not missing, f"not in the catalogue: {missing}"
    return merge_chains([catalogue[i] for i in MIX])


def test_every_edge_is_in_exactly_one_part(merged) -> None:
    parts = stage_views(merged)
    seen = [e for _, part in parts for e in part.edges]
    assert sorted(seen) == sorted(merged.edges)
    assert len(seen) == len(set(seen))


def test_parts_are_titled_in_words_and_narrow(merged) -> None:
    parts = stage_views(merged)
    titles = [t for t, _ in parts]
    assert titles[:3] == ["Inputs to activities", "Activities to outputs", "Outputs to outcomes"]
    assert titles[3] == "Outcomes to later outcomes and impacts"
    for title, part in parts:
        dot = to_dot(part, title=title, wrap=None)
        labels = re.findall(r'label="([^"]*)", fillcolor', dot)
        assert labels, title
        longest = max(len(line) for lab in labels for line in lab.split("\\n"))
        columns = len(re.findall(r"rank=same", dot))
        assert longest * columns <= LINE_CHARS + 30, (title, longest, columns)


def test_tooltips_name_interventions_not_ids(merged) -> None:
    catalogue = load_catalogue()
    names = {i: catalogue[i].name for i in MIX}
    dot = to_dot(merged, names=names)
    tooltips = re.findall(r'tooltip="([^"]*)"', dot.split("->")[0])
    assert tooltips
    assert not any(re.search(r"\b[a-z]+_[a-z_]+\b", t) for t in tooltips), tooltips[:3]
    assert any(f"From: {names['cluster_network']}" in t for t in tooltips)
