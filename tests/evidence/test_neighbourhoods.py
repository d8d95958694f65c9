"""Neighbourhood areas (issue 14): MSOAs, LSOAs, Intermediate Zones and Data Zones read from
every layout, placed in their districts (lookup file, the file's own districts, ONS names),
rolled up to districts, regions and Great Britain, with the same indicators.

``tests/fixtures/nomis_bulk_msoa.csv`` is a NOMIS bulk CSV in the exact layout of the real
download (header and field quoting from ``../shared/data/layouts``), with three real MSOAs
(2011 codes and ONS names: City of London 001 = E02000001, Hartlepool 001 = E02002483,
Hartlepool 002 = E02002484) and made-up counts, two years, one suppressed cell. The numbers
below are worked out by hand from its rows.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from evidence.cube import build_cube
from evidence.dataset import (
    AREA_COLUMNS,
    DataError,
    Dataset,
    SourceInfo,
    partition_mask,
    validate_dataset,
)
from evidence.geography import neighbourhood_district
from evidence.service import Evidence
from evidence.sources.demo import load_bundled_demo
from evidence.sources.load import load_dataset
from evidence.sources.neighbourhood_demo import generate_neighbourhoods
from evidence.sources.neighbourhoods import SMALL_AREA_NOTE, read_lookup
from evidence.sources.nomis import area_level
from evidence.sources.tidy import write_tidy
from policymix_cli import main
from tests.paths import FIXTURES

MSOA = FIXTURES / "nomis_bulk_msoa.csv"
CHEM = 6  # position of chemicals among the Table 1 sectors


@pytest.fixture(scope="module")
def msoa() -> Evidence:
    return Evidence.from_path(MSOA)


def _variant(tmp_path: Path, *swaps: tuple[str, str]) -> Path:
    """The fixture with names / codes swapped (for cases no real MSOA shows)."""
    text = MSOA.read_text(encoding="utf-8")
    for old, new in swaps:
        text = text.replace(old, new)
    out = tmp_path / "msoa_variant.csv"
    out.write_text(text, encoding="utf-8")
    return out


# --- levels ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("code", "level"), [
    ("E02002483", "msoa"), ("W02000001", "msoa"), ("E01011949", "lsoa"), ("W01000001", "lsoa"),
    ("S02001236", "iz"), ("S01006506", "dz"), ("E06000001", "lad"), ("E12000001", "region"),
])
def test_levels_from_gss_prefixes(code: str, level: str) -> None:
    assert area_level(code) == level


def test_ons_names_give_the_2023_district_and_former_names_their_successor() -> None:
    assert neighbourhood_district("Hartlepool 001").code == "E06000001"  # type: ignore[union-attr]
    assert neighbourhood_district("Hartlepool 001A").code == "E06000001"  # type: ignore[union-attr]
    merged = neighbourhood_district("Allerdale 003")
    assert merged is not None and merged.code == "E06000063" and "Allerdale" in merged.note
    yorks = neighbourhood_district("Harrogate 010")
    assert yorks is not None and yorks.name == "North Yorkshire"
    assert neighbourhood_district("Kingston upon Hull 012").code == "E06000010"  # type: ignore[union-attr]
    assert neighbourhood_district("Nowhere 001") is None
    assert neighbourhood_district("Hartlepool") is None  # no number: not an ONS MSOA name


# --- a real-layout NOMIS MSOA file, end to end ------------------------------------------------


def test_nomis_msoa_file_is_read_placed_and_rolled_up(msoa: Evidence) -> None:
    areas = msoa.cube.areas.set_index("area_code")
    assert areas.loc["E02002483", "level"] == "msoa"
    assert areas.loc["E02002483", "group_code"] == "E06000001"  # its district
    assert areas.loc["E02002483", "region_code"] == "E12000001"  # North East
    assert areas.loc["E02000001", "group_code"] == "E09000001"  # City of London
    assert areas.loc["E06000001", "level"] == "lad"
    assert areas.loc["E06000001", "members"] == ["E02002483", "E02002484"]
    cube = msoa.cube
    # 2022 totals: Hartlepool 001 = 90 + 10 + 0 + 225 + 40; Hartlepool 002 = 25+5+5+175+2300.
    assert cube.total[cube.position("E02002483"), -1] == 365
    assert cube.total[cube.position("E06000001"), -1] == 365 + 2510
    assert cube.total[cube.position("E12000001"), -1] == 365 + 2510
    assert cube.nat_total[-1] == 365 + 2510 + 600  # each MSOA once, no district twice
    # Chemicals (20.11 + 20.16): 90 + 10 in Hartlepool 001, 25 + 5 in Hartlepool 002.
    assert cube.emp[cube.position("E02002483"), CHEM, -1] == 100
    assert cube.emp[cube.position("E06000001"), CHEM, -1] == 130


def test_neighbourhood_indicators_against_gb_and_their_region(msoa: Evidence) -> None:
    ind = msoa.indicators()
    pos = msoa.cube.position("E02002483")
    assert ind.lq[pos, CHEM, -1] == pytest.approx((100 / 365) / (130 / 3475))
    assert ind.lq_region[pos, CHEM, -1] == pytest.approx((100 / 365) / (130 / 2875))
    assert ind.cagr[pos, CHEM] == pytest.approx(100 / 75 - 1)  # 2021 -> 2022, one year
    assert ind.share[pos, CHEM, -1] == pytest.approx(100 / 365)


def test_neighbourhood_profile_says_counts_are_small_and_caps_confidence(
    msoa: Evidence,
) -> None:
    profile = msoa.profile("E02002483")
    assert profile.area.level == "msoa"
    assert SMALL_AREA_NOTE in profile.notes
    assert any(n.startswith("Suppressed cells by area: Hartlepool 001 (E02002483) 1")
               for n in profile.notes)
    chem = next(s for s in profile.sectors if s.sector == "chemicals")
    assert chem.suppressed_cells == 1 and "lower bound" in (chem.note or "")
    assert profile.findings, "the chemicals specialism should be a finding"
    assert all(f.confidence <= 0.5 for f in profile.findings)
    assert all("A neighbourhood figure" in f.text for f in profile.findings)
    district = msoa.profile("E06000001")
    assert not any("A neighbourhood figure" in f.text for f in district.findings)
    assert {c.area_code for c in profile.comparators} <= {"E02000001", "E02002484"}


def test_cli_lists_msoas_and_profiles_one(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["areas", "--data", str(MSOA), "--level", "msoa"]) == 0
    lines = [ln for ln in capsys.readouterr().out.splitlines() if not ln.startswith("#")]
    assert lines == ["E02000001\tmsoa\tCity of London 001", "E02002483\tmsoa\tHartlepool 001",
                     "E02002484\tmsoa\tHartlepool 002"]
    assert main(["profile", "--data", str(MSOA), "--area", "E02002483"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("# Hartlepool 001 (E02002483, msoa)")
    assert "| Chemicals | 100 | 27.40% | 7.32 |" in out


def test_former_district_names_map_to_the_2023_successor(tmp_path: Path) -> None:
    # A made-up code (E02099999) under a 2011-style name of a district merged in 2023.
    path = _variant(tmp_path, ("Hartlepool 002", "Allerdale 001"), ("E02002484", "E02099999"))
    ev = Evidence.from_path(path)
    areas = ev.cube.areas.set_index("area_code")
    assert areas.loc["E02099999", "group_code"] == "E06000063"
    assert areas.loc["E06000063", "area_name"] == "Cumberland"
    assert areas.loc["E06000063", "region_code"] == "E12000002"  # North West
    assert any("Allerdale" in n and "Cumberland" in n for n in ev.dataset.source.notes)


def test_unplaced_neighbourhood_is_a_located_error(tmp_path: Path) -> None:
    path = _variant(tmp_path, ("Hartlepool 002", "Nowhere 002"))
    with pytest.raises(DataError) as err:
        load_dataset(path)
    problem = err.value.first
    assert problem.item == "E02002484" and problem.column == "GEOGRAPHY_CODE"
    assert problem.code == "neighbourhood_district"
    lines = path.read_text(encoding="utf-8").splitlines()
    assert "E02002484" in lines[problem.row - 1]  # type: ignore[operator]
    assert "E02002484" not in "".join(lines[: problem.row - 1])  # type: ignore[operator]
    assert "--lookup" in problem.message and "Nowhere 002" in problem.message


# --- the lookup file -------------------------------------------------------------------------


def _lookup(tmp_path: Path, rows: list[str],
            header: str = "OA21CD,LSOA21CD,LSOA21NM,MSOA21CD,MSOA21NM,LAD22CD,LAD22NM") -> Path:
    path = tmp_path / "OA21_LSOA21_MSOA21_LAD22_EW_LU.csv"
    path.write_text("\ufeff" + "\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


def test_lookup_places_what_names_cannot(tmp_path: Path) -> None:
    data = _variant(tmp_path, ("Hartlepool 002", "Nowhere 002"))
    lookup = _lookup(tmp_path, [
        "E00060274,E01011954,Hartlepool 001A,E02002483,Hartlepool 001,E06000001,Hartlepool",
        "E00060280,E01011960,Nowhere 002A,E02002484,Nowhere 002,E06000001,Hartlepool",
        "E00060281,E01011960,Nowhere 002A,E02002484,Nowhere 002,E06000001,Hartlepool",
    ])
    ev = Evidence.from_path(data, lookup=lookup)
    assert ev.cube.areas.set_index("area_code").loc["E02002484", "group_code"] == "E06000001"
    notes = " ".join(ev.dataset.source.notes)
    assert "2 by the lookup file" in notes and "1 by their ONS names" in notes
    assert ev.cube.total[ev.cube.position("E06000001"), -1] == 2875


def test_lookup_old_district_codes_become_2023_districts(tmp_path: Path) -> None:
    table = read_lookup(_lookup(tmp_path, ["E01019000,E02003950,E07000026"],
                                header="LSOA11CD,MSOA11CD,LAD17CD"))
    assert table.districts == {"E01019000": "E06000063", "E02003950": "E06000063"}
    assert table.district_column == "LAD17CD"


@pytest.mark.parametrize(("rows", "header", "row", "column", "code"), [
    (["E02002483,Hartlepool"], "MSOA21CD,LAD22NM", 1, None, "lookup_columns"),
    (["E02002483,E06000001", "E0200248,E06000001"], "MSOA21CD,LAD22CD", 3, "MSOA21CD",
     "lookup_code"),
    (["E02002483,E06000001", "E02002483,E06000002"], "MSOA21CD,LAD22CD", 3, "MSOA21CD",
     "lookup_clash"),
    (["E02002483,E06000001", "E02002484,E06999999"], "MSOA21CD,LAD22CD", 3, "LAD22CD",
     "lookup_district"),
])
def test_bad_lookups_are_located(tmp_path: Path, rows: list[str], header: str, row: int,
                                 column: str | None, code: str) -> None:
    with pytest.raises(DataError) as err:
        read_lookup(_lookup(tmp_path, rows, header))
    assert (err.value.row, err.value.column, err.value.code) == (row, column, code)


def test_cli_lookup_option(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = _variant(tmp_path, ("Hartlepool 002", "Nowhere 002"))
    assert main(["areas", "--data", str(data), "--level", "lad"]) == 2
    assert "E02002484" in capsys.readouterr().err
    lookup = _lookup(tmp_path, ["E00060280,E01011960,x,E02002484,x,E06000001,Hartlepool"])
    assert main(["areas", "--data", str(data), "--lookup", str(lookup), "--level", "lad"]) == 0
    out = capsys.readouterr().out
    assert "E06000001\tlad\tHartlepool" in out


# --- partition: districts and neighbourhoods are never both counted ---------------------------


def test_partition_counts_each_job_once() -> None:
    areas = pd.DataFrame([
        ["D1", "One", "lad", "", "", "R", "Region"],
        ["M1", "One 001", "msoa", "D1", "One", "R", "Region"],  # D1 is in the file: not summed
        ["M2", "Two 001", "msoa", "D2", "Two", "R", "Region"],
        ["L2", "Two 001A", "lsoa", "D2", "Two", "R", "Region"],  # M2 covers D2: not summed
        ["L3", "Three 001A", "lsoa", "D3", "Three", "R", "Region"],
        ["R", "Region", "region", "", "", "", ""],
    ], columns=AREA_COLUMNS)
    assert partition_mask(areas).tolist() == [True, False, True, False, True, False]


# --- the synthetic neighbourhood demo ---------------------------------------------------------


@pytest.fixture(scope="module")
def demo_pair() -> tuple[Dataset, Dataset]:
    base = load_bundled_demo()
    return base, generate_neighbourhoods(base, jobs_per_area=20_000, seed=7)


def test_rolled_up_neighbourhoods_give_the_district_demo_exactly(
    demo_pair: tuple[Dataset, Dataset],
) -> None:
    base, nb = demo_pair
    c1, c2 = build_cube(base), build_cube(nb)
    districts = c1.areas.loc[c1.areas["level"] == "lad", "area_code"]
    p1 = [c1.position(c) for c in districts]
    p2 = [c2.position(c) for c in districts]
    assert (c2.areas["level"].iloc[p2] == "lad").all()
    for name in ("emp", "total", "structure", "class_emp"):
        a, b = getattr(c1, name)[p1], getattr(c2, name)[p2]
        np.testing.assert_array_equal(a, b, err_msg=name)  # NaN where the district's is NaN
    for name in ("nat_emp", "nat_total", "nat_class_emp"):
        np.testing.assert_array_equal(getattr(c1, name), getattr(c2, name), err_msg=name)
    regions = c1.areas.loc[c1.areas["level"] == "region", "area_code"]
    np.testing.assert_array_equal(c1.emp[[c1.position(r) for r in regions]],
                                  c2.emp[[c2.position(r) for r in regions]])
    i1, i2 = Evidence.from_dataset(base).indicators(), Evidence.from_dataset(nb).indicators()
    np.testing.assert_allclose(i1.lq[p1], i2.lq[p2], equal_nan=True)
    np.testing.assert_allclose(i1.lq_region[p1], i2.lq_region[p2], equal_nan=True)


def test_neighbourhood_demo_is_named_coded_and_seeded(demo_pair: tuple[Dataset, Dataset]) -> None:
    base, nb = demo_pair
    parts = nb.areas[nb.areas["level"].isin(["msoa", "iz"])]
    names = base.areas.set_index("area_code")["area_name"]
    first = parts.groupby("group_code").head(1)
    assert (first["area_name"] == first["group_code"].map(names) + " 001").all()
    assert set(parts["area_code"].str[:3]) == {"E02", "W02", "S02"}
    assert (parts.loc[parts["area_code"].str.startswith("S"), "level"] == "iz").all()
    assert parts["area_code"].is_unique
    again = generate_neighbourhoods(base, jobs_per_area=20_000, seed=7)
    pd.testing.assert_frame_equal(nb.employment, again.employment)
    other = generate_neighbourhoods(base, jobs_per_area=20_000, seed=8)
    assert not nb.employment["employment"].equals(other.employment["employment"])
    # Neighbourhoods differ from their district: LQs spread out around it.
    ind = Evidence.from_dataset(nb).indicators()
    lq = ind.lq[np.flatnonzero(ind.cube.areas["level"] == "msoa"), :, -1]
    assert np.nanstd(lq) > 0.3
    # Every finding about a neighbourhood, analysis findings included, is capped and says so.
    ev = Evidence.from_dataset(nb)
    msoas = np.flatnonzero(ev.cube.areas["level"] == "msoa")
    biggest = msoas[np.nanargmax(ev.cube.emp[msoas].sum(axis=1)[:, -1])]
    profile = ev.profile(str(ev.cube.areas["area_code"].iloc[biggest]))
    assert len(profile.findings) >= 3
    assert all(f.confidence <= 0.5 and "A neighbourhood figure" in f.text
               for f in profile.findings)


def test_lsoa_demo_and_small_area_suppression() -> None:
    base = load_bundled_demo()
    lsoa = generate_neighbourhoods(base, "lsoa", jobs_per_area=8_000, suppress=0.5)
    parts = lsoa.areas[lsoa.areas["level"].isin(["lsoa", "dz"])]
    assert parts["area_name"].str.match(r"^.+ \d{3}[A-E]$").all()
    assert set(parts["area_code"].str[:3]) == {"E01", "W01", "S01"}
    emp = lsoa.employment
    small = emp["area_code"].isin(parts["area_code"]) & emp["suppressed"]
    assert small.sum() > base.employment["suppressed"].sum()  # more cells hidden than before
    cube, full = build_cube(lsoa), build_cube(base)
    # TOTAL rows are never suppressed: the districts' totals still add up exactly.
    codes = full.areas.loc[full.areas["level"] == "lad", "area_code"]
    np.testing.assert_array_equal(full.total[[full.position(c) for c in codes]],
                                  cube.total[[cube.position(c) for c in codes]])
    assert SMALL_AREA_NOTE in lsoa.source.notes


def test_neighbourhood_demo_round_trips_through_a_tidy_file(
    tmp_path: Path, demo_pair: tuple[Dataset, Dataset],
) -> None:
    _, nb = demo_pair
    path = write_tidy(nb, tmp_path / "msoa_demo.parquet")
    back = load_dataset(path)
    np.testing.assert_array_equal(build_cube(back).total, build_cube(nb).total)
    parts = back.areas[back.areas["level"] == "msoa"]
    assert (parts["group_code"] != "").all()
    out_of_core = load_dataset(path, engine="duckdb")  # summed by DuckDB, rolled up alike
    cube, duck = build_cube(back), build_cube(out_of_core)
    np.testing.assert_array_equal(cube.total, duck.total)
    np.testing.assert_allclose(cube.emp, duck.emp, equal_nan=True)


def test_a_tidy_file_without_districts_is_placed_by_name(tmp_path: Path) -> None:
    areas = pd.DataFrame([
        ["E02002483", "Hartlepool 001", "msoa", "", "", "", ""],
        ["E02002484", "Hartlepool 002", "msoa", "", "", "", ""],
        ["E02000001", "City of London 001", "custom", "", "", "", ""],  # level by prefix
    ], columns=AREA_COLUMNS)
    emp = pd.DataFrame({
        "area_code": ["E02002483", "E02002484", "E02000001"] * 2,
        "year": [2022] * 6, "sic": ["2011"] * 3 + ["TOTAL"] * 3,
        "employment": [90.0, 25.0, 0.0, 365.0, 2510.0, 600.0], "suppressed": [False] * 6,
    })
    ds = validate_dataset(Dataset(employment=emp, areas=areas, source=SourceInfo(name="t")))
    path = write_tidy(ds, tmp_path / "msoa.csv")
    ev = Evidence.from_path(path)
    assert ev.cube.total[ev.cube.position("E06000001"), 0] == 2875
    areas = ev.cube.areas.set_index("area_code")
    assert areas.loc["E06000001", "group_code"] == "E69000031"  # Tees Valley LSIP
    assert areas.loc["E02000001", "level"] == "msoa"
    assert areas.loc["E02000001", "group_code"] == "E09000001"
    assert ev.cube.nat_total[0] == 365 + 2510 + 600


def test_query_download_of_msoas_by_code(tmp_path: Path) -> None:
    """The web query layout (title lines, mnemonic column, flags) with MSOA rows and GB."""
    path = tmp_path / "query_msoa.csv"
    path.write_text("\n".join([
        '"Business Register and Employment Survey : open access"',
        '"ONS Crown Copyright Reserved [from Nomis on 14 March 2024]"', "",
        '"employment status","Employment"', '"measure","Count"', '"measures","Value"', "",
        '"date","2022"', "",
        '"2021 super output areas - middle layer","mnemonic","Total","Flag",'
        '"2011 : Manufacture of industrial gases","Flag"',
        '"Hartlepool 001","E02002483",365,"",90,""',
        '"Hartlepool 002","E02002484",2510,"",25,""',
        '"Great Britain","K03000001",30500000,"",4000,""',
    ]) + "\n", encoding="utf-8")
    ev = Evidence.from_path(path)
    cube, ind = ev.cube, ev.indicators()
    assert cube.national_basis.startswith("Great Britain")
    pos = cube.position("E02002483")
    assert ind.lq[pos, CHEM, -1] == pytest.approx((90 / 365) / (4000 / 30_500_000))
    assert cube.total[cube.position("E06000001"), -1] == 2875
    assert ind.lq_region[pos, CHEM, -1] == pytest.approx((90 / 365) / (115 / 2875))
