"""National programmes with a geography (policy/data/programmes.yaml) and the place-based
alignment check of the policy mix (issue 10 s.2), on real 2023 GSS codes and synthetic ones."""

from __future__ import annotations

from pathlib import Path

import pytest

from evidence.geography import load_geography
from evidence.models import AreaRef
from policy.catalogue import load_catalogue, sector_quadrants
from policy.mix import alignment
from policy.programmes import (
    ProgrammeError,
    load_programmes,
    parse_programmes,
    place_districts,
    programmes_near,
)
from tests.policy.appraisal.test_appraisal_state import finding, make_profile, sector_row

DATA = Path(__file__).resolve().parents[2] / "policy" / "data" / "programmes.yaml"

HVMC_HOSTS = {  # the seven centres and their host districts (2023 codes)
    "hvmc_afrc": {"S12000038"},  # Renfrewshire
    "hvmc_amrc": {"E08000018", "E08000019"},  # Rotherham, Sheffield
    "hvmc_cpi": {"E06000003", "E06000005"},  # Redcar and Cleveland (Wilton), Darlington
    "hvmc_mtc": {"E07000220"},  # Rugby (Ansty)
    "hvmc_ncc": {"E06000025", "E06000023"},  # South Gloucestershire, Bristol
    "hvmc_nuclear_amrc": {"E08000018"},  # Rotherham
    "hvmc_wmg": {"E08000026"},  # Coventry
}


def real_profile(code: str, findings=None, sectors=None):
    geo = load_geography()
    name = geo.district(code).district_name
    return make_profile(sectors=sectors, findings=findings).model_copy(update={
        "area": AreaRef(code=code, name=name, level="lad"), "synthetic": False})


def test_every_entry_has_a_source_and_date_and_the_file_says_it_is_indicative() -> None:
    data = load_programmes()
    assert "INDICATIVE" in DATA.read_text(encoding="utf-8").split("\n\n")[0]
    for p in data.programmes:
        assert p.source.url.startswith("https://") and p.source.title, p.id
        assert p.source.as_of[:2] == "20", p.id
    for plan in data.sector_plans.values():
        assert plan.source.as_of == "2025-06"


def test_the_seven_catapult_centres_and_their_hosts() -> None:
    data = load_programmes()
    centres = {p.id: p for p in data.programmes if p.kind == "catapult_centre"}
    assert set(centres) == set(HVMC_HOSTS)
    for pid, hosts in HVMC_HOSTS.items():
        assert hosts <= set(centres[pid].districts), pid


def test_every_table1_sector_has_its_sector_plans() -> None:
    data = load_programmes()
    assert set(data.sectors) == set(sector_quadrants())
    assert data.plans_for("pharmaceuticals") == ["Life Sciences Sector Plan"]
    assert data.plans_for("weapons") == ["Defence Sector Plan"]
    assert data.plans_for("chemicals") == []


def test_kinds_name_catalogue_interventions() -> None:
    known = set(load_catalogue())
    for kind in load_programmes().kinds.values():
        assert set(kind.aligns) | set(kind.duplicates) <= known


@pytest.mark.parametrize(("bad", "code"), [
    ("districts: [E08000018]", "districts: [E99999999]"),
    ("kind: catapult_centre\n    name: WMG", "kind: catapult\n    name: WMG"),
    ("aligns: [digital_adoption, university_management_links",
     "aligns: [digital_adoptionn, university_management_links"),
    ("as_of: 2025-01", "as_of: 2025"),
])
def test_mistakes_in_the_file_are_located(bad: str, code: str) -> None:
    text = DATA.read_text(encoding="utf-8")
    assert bad in text
    with pytest.raises(ProgrammeError) as err:
        parse_programmes(text.replace(bad, code, 1))
    assert err.value.file == "policy/data/programmes.yaml"


def test_place_districts_for_real_and_fictional_codes() -> None:
    assert place_districts("E08000018") == ["E08000018"]
    assert "E08000018" in (place_districts("E47000002") or [])  # South Yorkshire CA
    assert place_districts("D0001") is None  # the demo's fictional codes
    assert place_districts("UKC1") is None  # NUTS2, not GSS


def test_rotherham_has_amrc_in_the_area_and_doncaster_nearby() -> None:
    here = {p.programme: p for p in programmes_near(["E08000018"])}
    assert here["hvmc_amrc"].where == "district" and here["hvmc_amrc"].distance_km == 0
    assert here["iz_south_yorkshire"].where == "combined_authority"
    assert here["made_smarter_yorkshire_humber"].where == "region"
    assert "South Yorkshire" in here["lsip"].name
    doncaster = {p.programme: p for p in programmes_near(["E08000017"])}
    assert doncaster["hvmc_amrc"].where == "combined_authority"
    assert 0 < (doncaster["hvmc_amrc"].distance_km or 0) < 40
    far = {p.programme for p in programmes_near(["E07000190"])}  # Somerset
    assert not any(p.startswith("hvmc_") for p in far)


def test_a_hub_where_a_catapult_centre_is_gets_a_coordinate_not_duplicate_flag() -> None:
    cat = load_catalogue()
    ivs = [cat["am_centre_hub"], cat["fe_apprenticeships"]]
    report = alignment(ivs, real_profile("E08000018"))
    assert report.real_geography is True
    dup = [f for f in report.flags if f.kind == "duplicate"]
    assert dup and dup[0].intervention == "am_centre_hub"
    assert "AMRC" in dup[0].message and "rather than duplicate" in dup[0].message
    assert any("Local Skills Improvement Plan" in line
               for line in report.coordinate["fe_apprenticeships"])
    assert "co-ordinate rather than duplicate: am_centre_hub" in report.judgement
    # the same hub in Somerset has no Catapult centre near it: no duplicate flag
    far = alignment(ivs, real_profile("E07000190"))
    assert not [f for f in far.flags if f.kind == "duplicate"]


def test_a_vertical_measure_for_a_sector_without_a_plan_is_flagged() -> None:
    cat = load_catalogue()
    chem = [finding("spec_chem", "strength", "specialisation", "Chemicals LQ 3.",
                    sector="chemicals", status="accepted")]
    rows = [sector_row("chemicals", 0.05)]
    strategy = cat["sector_strategy"]
    # Somerset: no plan for chemicals and no programme about chemicals near it
    far = alignment([strategy], real_profile("E07000190", chem, rows))
    assert [f.kind for f in far.flags] == ["no_sector_plan"]
    assert "no national programme in or near" in far.flags[0].message
    assert far.sector_plans == {"chemicals": []}
    # Redcar and Cleveland: CPI (process industries) is in the area, so it is not flagged
    tees = alignment([strategy], real_profile("E06000003", chem, rows))
    assert not [f for f in tees.flags if f.kind == "no_sector_plan"]


def test_synthetic_area_needs_real_geography_and_is_judged_on_sector_plans_only() -> None:
    cat = load_catalogue()
    chem = [finding("spec_chem", "strength", "specialisation", "Chemicals LQ 3.",
                    sector="chemicals", status="accepted")]
    report = alignment([cat["am_centre_hub"], cat["sector_strategy"]],
                       make_profile(sectors=[sector_row("chemicals", 0.05)], findings=chem))
    assert report.real_geography is False
    assert report.presence == [] and report.coordinate == {}
    assert report.place.startswith("programme presence needs real geography")
    assert "needs real geography" in report.judgement
    assert [f.kind for f in report.flags] == ["no_sector_plan"]  # sector plans still judged
    assert "in or near the area" not in report.flags[0].message
