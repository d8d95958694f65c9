"""The analysis step wired into the cube and the profile (issue 11): class-level employment,
the profile's supply chain, variety, relatedness, Esteban-Marquillas and cluster fields, the
new findings and the selectivity of the rules that read them."""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np
import pandas as pd
import pytest

from evidence.analysis import load_io_tables, supply_chain_profile
from evidence.analysis.supply_chain import sector_input_coefficients
from evidence.area_analysis import (
    analysis_of,
    district_centroids,
    sector_io_industries,
)
from evidence.dataset import Dataset, SourceInfo
from evidence.models import FINDING_TOPICS, AreaProfile
from evidence.service import Evidence
from evidence.sources.demo import ARCHETYPES
from rules.engine import evaluate
from rules.loader import load_rules

NEW_TOPICS = ("supply_chain_gap", "supply_chain_strength", "related_opportunity",
              "cross_boundary_cluster", "isolated_specialism")
NEW_RULES = ("supplier-development-from-gap", "inward-investment-supplier-gap",
             "organise-dense-supply-chain", "related-diversification-next-step",
             "cross-boundary-cluster-district", "isolated-specialism-links")
CLUSTER = ARCHETYPES["engineering_assembly_cluster"][0]


@lru_cache(maxsize=1)
def demo() -> Evidence:
    return Evidence.from_path(None)


@lru_cache(maxsize=1)
def demo_profiles() -> dict[str, AreaProfile]:
    ev = demo()
    lads = ev.cube.areas.loc[ev.cube.areas["level"] == "lad", "area_code"]
    return {c: ev.profile(c) for c in lads}


def tiny_dataset(n_areas: int = 9, seed: int = 3) -> Dataset:
    """Districts with jobs in every class the IO tables map, plus TOTAL (no GB row)."""
    rng = np.random.default_rng(seed)
    classes = sorted(load_io_tables().sic_map)
    rows = []
    for a in range(n_areas):
        jobs = rng.poisson(rng.lognormal(3.0, 1.2, len(classes))).astype(float)
        for y, scale in ((2020, 1.0), (2023, 1.1)):
            vals = np.round(jobs * scale * rng.uniform(0.9, 1.1, len(classes)))
            rows += [(f"E0600000{a}", y, c, v, False) for c, v in zip(classes, vals,
                                                                       strict=True)]
            rows.append((f"E0600000{a}", y, "TOTAL", float(vals.sum()), False))
    emp = pd.DataFrame(rows, columns=["area_code", "year", "sic", "employment", "suppressed"])
    areas = pd.DataFrame({
        "area_code": [f"E0600000{a}" for a in range(n_areas)],
        "area_name": [f"Area {a}" for a in range(n_areas)], "level": "lad",
        "group_code": "", "group_name": "", "region_code": "R1", "region_name": "Region",
    })
    return Dataset(employment=emp, areas=areas,
                   source=SourceInfo(name="tiny test set", synthetic=True))


# --------------------------------------------------------------------------------------------
# Cube


def test_cube_keeps_class_employment_and_sums_it_into_groups() -> None:
    ds = demo().dataset
    cube = demo().cube
    assert cube.classes == tuple(sorted(c for c in ds.employment["sic"].unique()
                                        if c != "TOTAL"))
    i1 = cube.year_index(2024)
    row = ds.employment[(ds.employment["area_code"] == CLUSTER) & (ds.employment["year"] == 2024)]
    expected = row[row["sic"] == "3030"]["employment"].fillna(0).sum()
    assert cube.class_emp[cube.position(CLUSTER), cube.classes.index("3030"), i1] == expected
    region = cube.areas.iloc[cube.position(CLUSTER)]["region_code"]
    members = cube.areas.iloc[cube.position(region)]["members"]
    total = sum(cube.class_emp[cube.position(m), :, i1] for m in members)
    np.testing.assert_allclose(cube.class_emp[cube.position(region), :, i1], total)


# --------------------------------------------------------------------------------------------
# Profile fields


def test_variety_fields_decompose_total_entropy_by_hand() -> None:
    """Frenken et al. (2007) from the raw rows with plain Python: H = RV + UV."""
    p = demo().profile(CLUSTER)
    ds = demo().dataset
    rows = ds.employment[(ds.employment["area_code"] == CLUSTER)
                         & (ds.employment["year"] == p.period.end)
                         & (ds.employment["sic"] != "TOTAL")]
    jobs = {r.sic: (0.0 if math.isnan(r.employment) else r.employment)
            for r in rows.itertuples()}
    total = sum(jobs.values())
    share = {c: v / total for c, v in jobs.items() if v > 0}
    h = -sum(s * math.log2(s) for s in share.values())
    div: dict[str, float] = {}
    for c, s in share.items():
        div[c[:2]] = div.get(c[:2], 0.0) + s
    uv = -sum(s * math.log2(s) for s in div.values())
    rv = sum(big * -sum((s / big) * math.log2(s / big) for c, s in share.items() if c[:2] == d)
             for d, big in div.items())
    assert p.total_variety == pytest.approx(h, abs=1e-4)
    assert p.unrelated_variety == pytest.approx(uv, abs=1e-4)
    assert p.related_variety == pytest.approx(rv, abs=1e-4)
    assert p.related_variety + p.unrelated_variety == pytest.approx(p.total_variety, abs=2e-4)
    assert "advanced manufacturing classes" in (p.class_detail or "")


def test_supply_chain_json_shape_and_coefficients() -> None:
    p = demo().profile(CLUSTER)
    t = load_io_tables()
    data = p.model_dump(mode="json")["supply_chain"]
    present = [s.sector for s in p.sectors if (s.employment or 0) > 0]
    assert [c["sector"] for c in data] == present  # one entry per sector present
    for chain in data:
        assert set(chain) == {"sector", "label", "io_industry", "suppliers", "buyers",
                              "multiplier"}
        assert set(chain["multiplier"]) == {"type_i", "method", "delta"}
        assert "delta = 0.3" in chain["multiplier"]["method"]
        coef = sector_input_coefficients(t, chain["io_industry"])
        for s in chain["suppliers"]:
            assert set(s) == {"industry", "name", "coefficient", "local_lq"}
            assert s["industry"] in t.codes  # IOAT code as ONS prints it
            assert s["coefficient"] == pytest.approx(coef[t.index(s["industry"])], abs=1e-6)
        assert all(set(b) == {"industry", "name", "share", "local_lq"} for b in chain["buyers"])
    aero = next(c for c in p.supply_chain if c.sector == "aerospace")
    assert aero["io_industry"] == ["C303"]
    # the file holds no fabricated-metal classes other than weapons: its LQ is unknown
    fab = next(s for s in aero.suppliers if s.industry == "C25OTHER")
    assert fab.local_lq is None
    assert p.supply_chain[0]["multiplier"]["type_i"] == p.supply_chain[0].multiplier.type_i
    assert p.io_multiplier is not None and p.io_multiplier.type_i >= 1.0


def test_supply_chain_matches_the_one_area_function_when_every_class_is_in_the_file() -> None:
    """With all classes present nothing is filled in: the batch equals supply_chain_profile."""
    ev = Evidence.from_dataset(tiny_dataset())
    p = ev.profile("E06000003")
    cube, i1 = ev.cube, ev.cube.year_index(2023)
    analysis = analysis_of(ev.indicators(), True)
    assert analysis.io is not None and analysis.io.covered.all()
    t = load_io_tables()
    from_classes = np.zeros((len(cube.areas), len(t.codes)))
    pos_of = {c: i for i, c in enumerate(t.codes)}
    for j, c in enumerate(cube.classes):
        from_classes[:, pos_of[t.sic_map[c]]] += cube.class_emp[:, j, i1]
    pos = cube.position("E06000003")
    lad = (cube.areas["level"] == "lad").to_numpy()
    nat = from_classes[lad].sum(axis=0)
    for chain in p.supply_chain:
        classes = [c for c in t.sic_map if t.sic_map[c] in chain.io_industry]
        ref = supply_chain_profile(chain.sector, classes, from_classes[pos], nat,
                                   area_total=float(cube.total[pos, i1]),
                                   nat_total=float(cube.nat_total[i1]))
        assert chain.multiplier.type_i == pytest.approx(ref["multiplier"]["type_i"], abs=1e-4)
        assert [s.industry for s in chain.suppliers] == [s["industry"] for s in ref["suppliers"]]
        for mine, theirs in zip(chain.suppliers, ref["suppliers"], strict=True):
            assert mine.local_lq == pytest.approx(theirs["local_lq"], abs=1e-4)


def test_related_opportunities_are_ranked_unheld_classes_with_density_in_unit_interval() -> None:
    p = demo().profile(CLUSTER)
    opps = p.related_opportunities
    assert opps, "the engineering cluster has related classes it does not yet hold"
    dens = [o.density for o in opps]
    assert dens == sorted(dens, reverse=True)
    assert all(0.0 <= d <= 1.0 for d in dens)
    assert all((o.lq or 0.0) < 1.0 for o in opps)
    assert all(r.lq >= 1.0 for o in opps for r in o.related_present)
    assert "Hidalgo" in (p.relatedness_method or "")
    space = analysis_of(demo().indicators(), True).space
    assert space is not None
    assert np.nanmin(space.density) >= 0.0 and np.nanmax(space.density) <= 1.0


def test_esteban_marquillas_parts_add_up_to_the_shift_share_local_effect() -> None:
    p = demo().profile(CLUSTER)
    for row in p.sectors:
        em = row.esteban_marquillas
        if em is None or row.shift_share is None:
            continue
        assert em.homothetic_competitive + em.allocation == pytest.approx(em.competitive,
                                                                           abs=0.11)
        assert em.competitive == pytest.approx(row.shift_share.local, abs=0.11)


def test_cluster_result_names_neighbours_and_states_the_centroids() -> None:
    p = demo().profile(CLUSTER)
    assert p.cluster is not None
    assert "synthetic hex map" in p.cluster.centroids and "k = 6" in p.cluster.weights
    focal = {s.sector for s in p.sectors if (s.lq or 0) >= 1}
    assert {c.sector for c in p.cluster.sectors} <= focal
    names = set(demo().cube.areas["area_name"])
    for row in p.cluster.sectors:
        assert len(row.neighbours) == 6 and {n.name for n in row.neighbours} <= names
        assert set(row.partners) <= {n.name for n in row.neighbours}
    region = demo().cube.areas.iloc[demo().cube.position(CLUSTER)]["region_code"]
    assert demo().profile(region).cluster is None  # districts only


def test_real_centroids_are_projected_kilometres() -> None:
    """Hartlepool to Middlesbrough by hand: 0.1315 deg of latitude x 111.19 km and 0.0592 deg
    of longitude x 111.19 km x cos 54 deg = 14.62 and 3.87 km, 15.1 km apart."""
    frame, basis = district_centroids(pd.DataFrame({"area_code": ["E06000001", "E06000002"]}),
                                      synthetic=False)
    d = math.dist(frame.loc[0, ["x", "y"]], frame.loc[1, ["x", "y"]])
    assert d == pytest.approx(15.1, abs=0.1)
    assert "ONS 2021 district centroids" in basis


def test_sector_io_industries_follow_the_ioat_sic_map() -> None:
    inds = sector_io_industries()
    assert inds["aerospace"] == ["C303"] and inds["automotive"] == ["C29"]
    assert inds["other_transport"] == ["C30OTHER"] and inds["weapons"] == ["C254"]


# --------------------------------------------------------------------------------------------
# Findings and rules


def test_new_topics_are_in_the_vocabulary_and_findings_carry_their_numbers() -> None:
    assert set(NEW_TOPICS) <= set(FINDING_TOPICS)
    found = [f for p in demo_profiles().values() for f in p.findings if f.topic in NEW_TOPICS]
    assert {f.topic for f in found} >= {"related_opportunity", "cross_boundary_cluster",
                                        "isolated_specialism", "supply_chain_strength"}
    for f in found:
        assert f.threshold and 0 < f.confidence <= 0.8
        assert "year" in f.values and f.values["total_jobs"]
        assert str(f.values["year"]) in f.text
        assert len({g.id for g in demo_profiles()[f.id.split(":")[0]].findings}) == len(
            demo_profiles()[f.id.split(":")[0]].findings)


def test_cluster_findings_agree_with_the_lisa() -> None:
    for p in demo_profiles().values():
        rows = {c.sector: c for c in (p.cluster.sectors if p.cluster else [])}
        for f in p.findings:
            if f.topic == "cross_boundary_cluster":
                assert rows[f.sector].quadrant == "HH" and rows[f.sector].local_p < 0.05
                assert all(name in f.text for name in rows[f.sector].partners)
            if f.topic == "isolated_specialism":
                assert rows[f.sector].quadrant == "HL" and rows[f.sector].local_p < 0.05


def test_new_rules_are_selective_across_the_bundled_demo_districts() -> None:
    rules = load_rules()
    profiles = demo_profiles()
    fired = {r: 0 for r in NEW_RULES}
    for p in profiles.values():
        rec = evaluate(rules, p)
        for rule in {t.rule for item in rec.recommended for t in item.trace}:
            if rule in fired:
                fired[rule] += 1
    shares = {r: n / len(profiles) for r, n in fired.items()}
    assert all(s < 0.6 for s in shares.values()), shares
    assert fired["cross-boundary-cluster-district"] > 0, "the district cluster rule can fire"
