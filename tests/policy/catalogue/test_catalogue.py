"""The intervention catalogue: every file loads, vocabularies are closed, bad data is named."""

from __future__ import annotations

import shutil
import subprocess
import sys
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
import yaml

from evidence.sectors import load_sectors
from policy.catalogue import (
    FAMILIES,
    QUADRANTS,
    RATIONALE_CATEGORIES,
    RATIONALES,
    STAGES,
    TARGET_TYPES,
    CatalogueError,
    CostRange,
    Intervention,
    chain_graph,
    load_catalogue,
    load_shared_nodes,
    parse_intervention,
    validate_chain,
)
from tests.paths import ROOT

REQUIRED_IDS = {
    "am_centre_hub",
    "sector_strategy",
    "fe_apprenticeships",
    "university_management_links",
    "supply_chain_development",
    "digital_adoption",
    "innovation_vouchers_crd",
    "inward_investment_sites",
    "export_support",
    "access_to_finance",
    "automation_reskilling",
    "cluster_network",
    "servitisation_support",
    "net_zero_mission",
    "science_park_incubation",
    "graduate_placements",
}
REQUIRED_FAMILIES = {
    "innovation", "skills", "business_support", "place", "finance", "trade", "strategy"
}
REQUIRED_SHARED = {
    "outcomes": {
        "firm_productivity", "skills_supply", "innovation_activity", "technology_adoption",
        "am_employment", "exports", "investment", "supply_chain_capacity",
        "management_capability", "business_formation", "emissions_reduction",
    },
    "impacts": {
        "local_productivity_growth", "good_jobs", "inclusive_growth", "resilient_economy",
        "net_zero",
    },
}

CATALOGUE_DIR = Path(str(resources.files("policy").joinpath("catalogue")))
INTERVENTION_FILES = sorted(p for p in CATALOGUE_DIR.glob("*.yaml") if not p.name.startswith("_"))


@pytest.fixture(scope="module")
def catalogue() -> dict[str, Intervention]:
    return load_catalogue()


# ---------------------------------------------------------------------------------------------
# The packaged catalogue
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", INTERVENTION_FILES, ids=lambda p: p.stem)
def test_every_file_loads_and_its_chain_validates(path: Path) -> None:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    intervention = parse_intervention(raw, str(path))
    assert intervention.id == path.stem
    assert validate_chain(chain_graph(intervention), intervention.id) == []


def test_catalogue_size_ids_families_and_target_types(catalogue: dict[str, Intervention]) -> None:
    assert len(catalogue) >= 16
    assert REQUIRED_IDS <= set(catalogue)
    assert REQUIRED_FAMILIES <= {i.family for i in catalogue.values()}
    assert set(TARGET_TYPES) == {i.target_type for i in catalogue.values()}
    assert set(FAMILIES) == REQUIRED_FAMILIES


def test_load_returns_fresh_dict_of_frozen_models(catalogue: dict[str, Intervention]) -> None:
    again = load_catalogue()
    assert again == catalogue and again is not catalogue
    again.pop("export_support")
    assert "export_support" in load_catalogue()
    with pytest.raises(Exception):  # noqa: B017 - pydantic's frozen-instance error
        catalogue["export_support"].name = "changed"  # type: ignore[misc]


def test_vocabularies_are_closed_in_the_raw_yaml() -> None:
    """Check the files themselves, not only the models, so a loosened model would be caught."""
    sector_ids = {s.sector_id for s in load_sectors()}
    shared = load_shared_nodes().by_id()
    for path in INTERVENTION_FILES:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        assert set(raw["rationales"]) <= set(RATIONALES), path.name
        sectors = raw["sectors"]
        assert sectors == "all" or set(sectors) <= sector_ids, path.name
        assert set(raw["quadrants"]) <= set(QUADRANTS), path.name
        assert raw["family"] in FAMILIES and raw["target_type"] in TARGET_TYPES, path.name
        for node in raw["causal_chain"]["nodes"]:
            if node["id"] in shared:
                assert set(node) == {"id"}, f"{path.name}: shared node {node['id']} restated"
            else:
                assert node["stage"] in ("inputs", "activities", "outputs"), path.name
                assert node["id"].startswith(raw["id"] + "."), path.name


def test_quadrant_vocabulary_matches_table_1() -> None:
    assert {s.quadrant for s in load_sectors()} == set(QUADRANTS)


def test_every_rationale_has_a_category_and_all_three_are_used(
    catalogue: dict[str, Intervention],
) -> None:
    assert set(RATIONALE_CATEGORIES) == set(RATIONALES)
    used = {c for i in catalogue.values() for c in i.rationale_categories}
    assert used == {"market_failure", "system_failure", "equity"}


def test_listed_sectors_sit_in_listed_quadrants(catalogue: dict[str, Intervention]) -> None:
    quadrant_of = {s.sector_id: s.quadrant for s in load_sectors()}
    for intervention in catalogue.values():
        for sector in intervention.sector_ids():
            if "all" not in intervention.sectors:
                assert quadrant_of[sector] in intervention.quadrants, intervention.id


def test_shared_vocabulary(catalogue: dict[str, Intervention]) -> None:
    vocab = load_shared_nodes()
    for stage, required in REQUIRED_SHARED.items():
        assert required <= set(vocab.ids(stage))
    assert all(n.tier in vocab.tiers for n in vocab.nodes if n.stage == "outcomes")
    used = {n for i in catalogue.values() for n in (*i.outcomes(), *i.impacts())}
    assert used == set(vocab.ids()), "every shared node is used by some intervention"


def test_costs_times_and_evidence_are_plausible(catalogue: dict[str, Intervention]) -> None:
    for intervention in catalogue.values():
        cost = intervention.cost
        low, high = cost.per_year()
        assert 0 < low <= high <= 20, f"{intervention.id}: local scale, GBP m a year"
        if cost.basis == "total":
            assert cost.duration_years and cost.high_gbp_m <= 100, intervention.id
        assert intervention.time_to_impact_years.high <= 15, intervention.id
        # Evidence notes must be honest about precision and name their sources.
        assert "indicative" in intervention.evidence.note.lower(), intervention.id
        assert intervention.evidence.sources and intervention.risks, intervention.id
        assert intervention.national_programmes, intervention.id
    strengths = {i.evidence.strength for i in catalogue.values()}
    assert {"strong", "moderate", "weak", "emerging"} == strengths


def test_every_chain_has_every_stage(catalogue: dict[str, Intervention]) -> None:
    for intervention in catalogue.values():
        assert {n.stage for n in intervention.causal_chain.nodes} == set(STAGES), intervention.id
        for node in intervention.causal_chain.nodes:
            assert node.label and node.indicator, (intervention.id, node.id)
        for edge in intervention.causal_chain.edges:
            assert edge.assumption, (intervention.id, edge.source, edge.target)


def test_model_round_trips_through_json(catalogue: dict[str, Intervention]) -> None:
    for intervention in catalogue.values():
        dumped = intervention.model_dump(mode="json", by_alias=True)
        assert Intervention.model_validate(dumped) == intervention
        assert Intervention.model_validate_json(intervention.model_dump_json(by_alias=True)) \
            == intervention


def test_helpers(catalogue: dict[str, Intervention]) -> None:
    hub = catalogue["am_centre_hub"]
    assert hub.suits_sector("aerospace") and not hub.suits_sector("pharmaceuticals")
    assert hub.suits_quadrant("expanding_engineering")
    assert not hub.suits_quadrant("select_science")
    assert catalogue["sector_strategy"].sectors == ("all",)
    assert len(catalogue["sector_strategy"].sector_ids()) == len(load_sectors())
    total = CostRange(low_gbp_m=10, high_gbp_m=50, basis="total", duration_years=10)
    assert total.per_year() == (1.0, 5.0)
    with pytest.raises(ValueError, match="duration_years"):
        CostRange(low_gbp_m=1, high_gbp_m=2, basis="total")
    with pytest.raises(ValueError, match="below"):
        CostRange(low_gbp_m=3, high_gbp_m=2, basis="per_year")


def test_policy_package_imports_no_ui_or_streamlit() -> None:
    """policy may read rules' public models (the rationale vocabulary), never the UI."""
    code = (
        "import sys, policy.catalogue, policy.catalogue\n"
        "policy.catalogue.load_catalogue()\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in {'streamlit', 'ui'})\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)


# ---------------------------------------------------------------------------------------------
# Tampered files: the error names file, intervention, field and node
# ---------------------------------------------------------------------------------------------


def _tampered(tmp_path: Path, change: Any, name: str = "am_centre_hub") -> CatalogueError:
    raw = yaml.safe_load((CATALOGUE_DIR / f"{name}.yaml").read_text(encoding="utf-8"))
    change(raw)
    (tmp_path / f"{name}.yaml").write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    with pytest.raises(CatalogueError) as info:
        load_catalogue(tmp_path)
    err = info.value
    assert f"{name}.yaml" in str(err) and err.path.endswith(f"{name}.yaml")
    assert err.intervention_id == raw.get("id", name)
    assert f"'{err.intervention_id}'" in str(err)
    return err


def test_missing_field(tmp_path: Path) -> None:
    err = _tampered(tmp_path, lambda raw: raw.pop("cost"))
    assert err.field == "cost"
    assert "Field required" in str(err)


def test_missing_nested_field_names_the_node(tmp_path: Path) -> None:
    err = _tampered(tmp_path, lambda raw: raw["causal_chain"]["nodes"][1].pop("indicator"))
    assert err.field == "causal_chain.nodes[1].indicator"
    assert err.node == "am_centre_hub.partners"
    assert "am_centre_hub.partners" in str(err)


def test_bad_stage(tmp_path: Path) -> None:
    def change(raw: dict[str, Any]) -> None:
        raw["causal_chain"]["nodes"][0]["stage"] = "inputz"

    err = _tampered(tmp_path, change)
    assert err.field == "causal_chain.nodes[0].stage"
    assert err.node == "am_centre_hub.funding"
    assert "inputz" in str(err) or "'inputs'" in str(err)


def test_cycle(tmp_path: Path) -> None:
    def change(raw: dict[str, Any]) -> None:
        raw["causal_chain"]["edges"].append(
            {"from": "firm_productivity", "to": "innovation_activity", "assumption": "loop"}
        )

    err = _tampered(tmp_path, change)
    assert err.field == "causal_chain"
    text = str(err)
    assert "cycle" in text and "firm_productivity" in text and "innovation_activity" in text
    assert "higher tier" in text  # the same edge also breaks the tier order


def test_dangling_node(tmp_path: Path) -> None:
    def change(raw: dict[str, Any]) -> None:
        raw["causal_chain"]["nodes"].append({
            "id": "am_centre_hub.orphan", "stage": "activities", "label": "Orphan",
            "indicator": "none",
        })

    err = _tampered(tmp_path, change)
    assert err.node == "am_centre_hub.orphan"
    assert "nothing leading to it" in str(err) and "leads nowhere" in str(err)


def test_stage_skipping_edge(tmp_path: Path) -> None:
    def change(raw: dict[str, Any]) -> None:
        raw["causal_chain"]["edges"].append({
            "from": "am_centre_hub.sme_outreach", "to": "technology_adoption",
            "assumption": "shortcut",
        })

    err = _tampered(tmp_path, change)
    assert err.node == "am_centre_hub.sme_outreach"
    assert "skips outputs" in str(err)


def test_unknown_sector(tmp_path: Path) -> None:
    err = _tampered(tmp_path, lambda raw: raw["sectors"].append("spaceships"))
    assert err.field == "sectors[6]"
    assert "spaceships" in str(err) and "aerospace" in str(err)


def test_unknown_rationale_and_quadrant(tmp_path: Path) -> None:
    def change(raw: dict[str, Any]) -> None:
        raw["rationales"].append("vibes")
        raw["quadrants"] = ["everywhere"]

    err = _tampered(tmp_path, change)
    fields = {issue.field for issue in err.issues}
    assert {"rationales[5]", "quadrants[0]"} <= fields


def test_sector_outside_listed_quadrants(tmp_path: Path) -> None:
    err = _tampered(tmp_path, lambda raw: raw["sectors"].append("pharmaceuticals"))
    assert err.field == "quadrants"
    assert "pharmaceuticals (expanding_science)" in str(err)


def test_outcome_outside_shared_vocabulary(tmp_path: Path) -> None:
    def change(raw: dict[str, Any]) -> None:
        raw["causal_chain"]["nodes"].append({
            "id": "world_peace", "stage": "impacts", "label": "Peace", "indicator": "none",
        })

    err = _tampered(tmp_path, change)
    assert err.node == "world_peace"
    assert "_shared_nodes.yaml" in str(err)


def test_shared_node_cannot_be_restated_differently(tmp_path: Path) -> None:
    def change(raw: dict[str, Any]) -> None:
        for node in raw["causal_chain"]["nodes"]:
            if node["id"] == "skills_supply":
                node["stage"] = "outputs"

    err = _tampered(tmp_path, change)
    assert err.node == "skills_supply"
    assert "list it by id alone" in str(err)


def test_unprefixed_own_node(tmp_path: Path) -> None:
    def change(raw: dict[str, Any]) -> None:
        raw["causal_chain"]["nodes"][0]["id"] = "funding"
        for edge in raw["causal_chain"]["edges"]:
            if edge["from"] == "am_centre_hub.funding":
                edge["from"] = "funding"

    err = _tampered(tmp_path, change)
    assert err.field == "causal_chain"
    assert "'funding'" in str(err) and "prefixed 'am_centre_hub.'" in str(err)


def test_edge_to_unknown_node(tmp_path: Path) -> None:
    def change(raw: dict[str, Any]) -> None:
        raw["causal_chain"]["edges"][0]["to"] = "am_centre_hub.nowhere"

    err = _tampered(tmp_path, change)
    assert "am_centre_hub.nowhere" in str(err) and "edges[0].to" in str(err)


def test_misspelt_key_is_rejected(tmp_path: Path) -> None:
    err = _tampered(tmp_path, lambda raw: raw.update(riskz=["typo"]))
    assert err.field == "riskz"


def test_id_must_match_file_name(tmp_path: Path) -> None:
    raw = yaml.safe_load((CATALOGUE_DIR / "export_support.yaml").read_text(encoding="utf-8"))
    (tmp_path / "exports.yaml").write_text(yaml.safe_dump(raw), encoding="utf-8")
    with pytest.raises(CatalogueError, match="must match the file name") as info:
        load_catalogue(tmp_path)
    assert info.value.field == "id" and "exports.yaml" in str(info.value)


def test_invalid_yaml_names_file_and_line(tmp_path: Path) -> None:
    (tmp_path / "broken.yaml").write_text("id: broken\nname: [unclosed\n", encoding="utf-8")
    with pytest.raises(CatalogueError, match=r"broken\.yaml.*line \d+") as info:
        load_catalogue(tmp_path)
    assert info.value.intervention_id == "broken"


def test_yaml_tags_are_not_executed(tmp_path: Path) -> None:
    (tmp_path / "evil.yaml").write_text(
        "id: !!python/object/apply:os.system ['echo pwned']\n", encoding="utf-8"
    )
    with pytest.raises(CatalogueError, match="invalid YAML"):
        load_catalogue(tmp_path)


def test_non_mapping_file(tmp_path: Path) -> None:
    (tmp_path / "listy.yaml").write_text("- a\n- b\n", encoding="utf-8")
    with pytest.raises(CatalogueError, match="expected a mapping"):
        load_catalogue(tmp_path)


def test_custom_directory_uses_packaged_vocabulary_unless_it_has_its_own(tmp_path: Path) -> None:
    shutil.copy(CATALOGUE_DIR / "export_support.yaml", tmp_path)
    assert list(load_catalogue(tmp_path)) == ["export_support"]
    vocab = yaml.safe_load((CATALOGUE_DIR / "_shared_nodes.yaml").read_text(encoding="utf-8"))
    vocab["nodes"] = [n for n in vocab["nodes"] if n["id"] != "exports"]
    (tmp_path / "_shared_nodes.yaml").write_text(yaml.safe_dump(vocab), encoding="utf-8")
    with pytest.raises(CatalogueError) as info:
        load_catalogue(tmp_path)
    assert info.value.node == "exports"


def test_bad_vocabulary_file_is_named(tmp_path: Path) -> None:
    vocab = yaml.safe_load((CATALOGUE_DIR / "_shared_nodes.yaml").read_text(encoding="utf-8"))
    vocab["nodes"][0].pop("tier")
    (tmp_path / "_shared_nodes.yaml").write_text(yaml.safe_dump(vocab), encoding="utf-8")
    with pytest.raises(CatalogueError, match=r"_shared_nodes\.yaml.*needs a tier"):
        load_catalogue(tmp_path)


def test_missing_directory() -> None:
    with pytest.raises(FileNotFoundError):
        load_catalogue("/nonexistent/catalogue")
