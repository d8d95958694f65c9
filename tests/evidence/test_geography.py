"""Bundled real geography: completeness, code changes, name resolution, hierarchy, script."""

from __future__ import annotations

import hashlib
import importlib.util
import json
import sys
from pathlib import Path

import pandas as pd
import pytest

from evidence.dataset import AREA_COLUMNS, AREA_LEVELS, GB_CODE
from evidence.geography import (
    GB_DISTRICTS_2023,
    AreaNotFound,
    area_rows,
    current_code,
    group_members,
    load_geography,
    predecessors,
    resolve_area,
    suggest_areas,
    to_2023_codes,
)

ROOT = Path(__file__).resolve().parents[2]
SHARED = Path("/work/shared/data/geography")
needs_originals = pytest.mark.skipif(not SHARED.exists(), reason="original files not present")


def test_every_gb_district_of_2023_with_region_and_itl1() -> None:
    geo = load_geography()
    assert len(geo.frame) == 361  # all UK districts in the 2023 hexjson
    gb = geo.gb()
    assert len(gb) == GB_DISTRICTS_2023 == 350
    assert gb["district_code"].is_unique
    assert gb["nation"].value_counts().to_dict() == {"England": 296, "Scotland": 32, "Wales": 22}
    for column in ("region_code", "region_name", "itl1_code", "itl1_name", "lon", "lat"):
        assert (gb[column].astype(str) != "").all(), column
    assert gb["region_code"].nunique() == 11 and gb["itl1_code"].nunique() == 11
    assert set(gb.loc[gb["nation"] == "Wales", "region_code"]) == {"W92000004"}
    assert set(gb.loc[gb["nation"] == "Scotland", "itl1_code"]) == {"TLM"}
    england = gb[gb["nation"] == "England"]
    assert (england["lsip_code"] != "").all()  # LSIP areas cover England
    assert gb["lon"].between(-8.7, 1.8).all() and gb["lat"].between(49.8, 60.9).all()
    assert not gb.duplicated(["hex_q", "hex_r"]).any()


@needs_originals
def test_gb_count_derived_independently_from_the_originals() -> None:
    # England from the DfE LSIP lookup (2023), Wales and Scotland from mySociety's councils.
    lsip = pd.read_excel(SHARED / "LAD23_LSIP23_lookup.xlsx", dtype=str)
    society = pd.read_csv(SHARED / "uk_local_authorities_current.csv", dtype=str)
    current = society[(society["current-authority"] == "True")
                      & society["local-authority-type"].isin(["SCO", "WPA"])]
    derived = set(lsip["LAD23CD"]) | set(current["gss-code"])
    assert len(derived) == GB_DISTRICTS_2023
    assert derived == set(load_geography().gb()["district_code"])
    hexes = json.loads((SHARED / "uk-local-authority-districts-2023.hexjson").read_text())
    assert len(hexes["hexes"]) - sum(c.startswith("N") for c in hexes["hexes"]) == 350


def test_merged_districts_map_to_2023_codes() -> None:
    assert predecessors("E06000063") == ["E07000026", "E07000028", "E07000029"]
    assert predecessors("E06000060") == ["E07000004", "E07000005", "E07000006", "E07000007"]
    assert current_code("E07000026") == "E06000063"
    assert current_code("e07000190") == "E06000066"  # Taunton Deane -> SWT (2019) -> Somerset
    assert current_code("E06000028") == "E06000058"  # Bournemouth -> BCP
    assert current_code("E07000150") == "E06000061"  # Corby -> North Northamptonshire
    assert current_code("E07000154") == "E06000062"  # Northampton -> West Northamptonshire
    assert current_code("E07000165") == "E06000065"  # Harrogate -> North Yorkshire
    assert current_code("E07000052") == "E06000059"  # West Dorset -> Dorset
    assert current_code("S12000015") == "S12000047"  # Fife recoded
    assert current_code("E08000003") == "E08000003"
    with pytest.raises(KeyError):
        current_code("E99999999")
    mapped = to_2023_codes(["E07000004", "E37000001", "W06000001"])
    assert mapped.tolist() == ["E06000060", "E37000001", "W06000001"]


def test_new_districts_have_centroids_from_predecessors() -> None:
    frame = load_geography().frame.set_index("district_code")
    for code in ("E06000063", "E06000064", "E06000065", "E06000066"):
        assert frame.loc[code, "centroid_basis"].startswith("area-weighted mean")
    cumberland = frame.loc["E06000063"]
    assert 54.3 < cumberland["lat"] < 55.1 and -3.6 < cumberland["lon"] < -2.6


def test_name_resolution() -> None:
    m = resolve_area("combauth:Greater Manchester")
    assert (m.code, m.kind) == ("E47000001", "combined_authority")
    assert resolve_area("ladu:Bristol, City of").code == "E06000023"
    assert resolve_area("BRISTOL").code == "E06000023"
    assert resolve_area("city of bristol").code == "E06000023"
    assert resolve_area("Ynys Môn").code == "W06000001"
    assert resolve_area("towncity:Leeds").code == "E08000035"
    old = resolve_area("ladu:Allerdale")
    assert old.code == "E06000063" and "Cumberland" in old.note
    assert resolve_area("lep:Greater Manchester").kind == "lsip"
    assert resolve_area("North East").kind == "region"
    assert resolve_area("North East", kinds=["combined_authority"]).code.startswith("E47")
    assert resolve_area("Great Britain").code == GB_CODE
    with pytest.raises(AreaNotFound) as err:
        resolve_area("ladu:Manchster")
    assert err.value.suggestions[0] == "Manchester (district)"
    assert "did you mean" in str(err.value)
    assert "Sheffield (district)" in suggest_areas("Shefield")


def test_area_rows_have_the_areas_table_shape() -> None:
    rows = area_rows()
    assert list(rows.columns) == AREA_COLUMNS
    assert set(rows["level"]) <= set(AREA_LEVELS)
    counts = rows["level"].value_counts().to_dict()
    assert counts == {"lad": 350, "group": 38, "region": 11, "country": 1}
    lad = rows[rows["level"] == "lad"]
    assert set(lad["region_code"]) == set(rows.loc[rows["level"] == "region", "area_code"])
    groups = set(rows.loc[rows["level"] == "group", "area_code"])
    assert set(lad["group_code"]) - {""} == groups
    cauth = area_rows("combined_authority")
    gm = cauth[cauth["group_code"] == "E47000001"]
    assert len(gm) == 10 and set(gm["region_code"]) == {"E12000002"}
    assert len(group_members("combined_authority")) == 11
    assert len(group_members("region")["E12000007"]) == 33


@needs_originals
def test_vendor_script_is_deterministic(tmp_path: Path) -> None:
    spec = importlib.util.spec_from_file_location("vendor_geography",
                                                  ROOT / "scripts" / "vendor_geography.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["vendor_geography"] = module
    spec.loader.exec_module(module)
    digests = []
    for run in ("a", "b"):
        out = tmp_path / run
        assert module.main(["--source", str(SHARED), "--out", str(out)]) == 0
        digests.append({p.name: hashlib.sha256(p.read_bytes()).hexdigest()
                        for p in sorted(out.iterdir())})
    assert digests[0] == digests[1]
    bundled = ROOT / "evidence" / "data" / "geography"
    assert digests[0] == {name: hashlib.sha256((bundled / name).read_bytes()).hexdigest()
                          for name in digests[0]}
