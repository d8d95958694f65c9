"""Every BRES layout NOMIS produces (issue 9), on fixtures that start with real first lines.

The fixtures are written by ``scripts/make_layout_fixtures.py``: the real first lines of each
download (``../shared/data/layouts``, OGL) followed by made-up rows in the same layout. The
sector sums below are worked out by hand from those rows (see the script's tables).
"""

from __future__ import annotations

import csv
import gzip
import io
import json
from pathlib import Path

import numpy as np
import pytest

from evidence.cube import build_cube
from evidence.dataset import DataError
from evidence.levels import select_codes
from evidence.service import Evidence, find_area, load_any
from evidence.sources.load import detect_format, load_dataset
from policymix_cli import main
from tests.paths import FIXTURES

FIVE = FIXTURES / "nomis_bulk_5digit_latin1.csv"
MIXED = FIXTURES / "nomis_bulk_gb_mixed_levels.csv"
API_SECTIONS = FIXTURES / "nomis_api_sections.csv"
QUERY_SECTIONS = FIXTURES / "nomis_query_by_name_sections.csv"
QUERY_NAMES = FIXTURES / "nomis_query_by_name_classes.csv"


def sector_jobs(ev: Evidence, area: str) -> dict[str, float]:
    cube = ev.cube
    row = cube.emp[cube.position(area), :, -1]
    return {s: float(v) for s, v in zip(cube.sectors, row, strict=True) if not np.isnan(v)}


def total_jobs(ev: Evidence, area: str) -> float:
    return float(ev.cube.total[ev.cube.position(area), -1])


# --- subclasses, pseudo-codes, latin-1, three statuses ---------------------------------------


def test_five_digit_latin1_sums_subclasses_to_classes() -> None:
    assert b"Ynys M\xf4n" in FIVE.read_bytes()  # latin-1 on disk
    ev = Evidence.from_path(FIVE)
    assert ev.dataset.area_name("W06000001") == "Isle of Anglesey / Ynys Môn"
    jobs = sector_jobs(ev, "W06000001")
    # Employment rows only: 29100 + 29201 + 29202 + 29203 + 29310 + 29320 = 100+20+30+5+40+60
    assert jobs["automotive"] == 255
    assert jobs["aerospace"] == 400  # 30300
    assert jobs["pharmaceuticals"] == 200  # 21100 + 21200
    assert jobs["weapons"] == 10  # 25400
    emp = ev.dataset.employment
    assert emp.loc[(emp["area_code"] == "W06000001") & (emp["sic"] == "6820"),
                   "employment"].item() == 100  # 68201 + 68202 + 68209 = 10 + 5 + 85


def test_pseudo_code_out_of_sectors_in_totals_and_reported() -> None:
    ev = Evidence.from_path(FIVE)
    # 400 + 200 + 10 + 255 + 100 (real estate) + 300 (01000 DEFRA, counted as NOMIS does)
    assert total_jobs(ev, "W06000001") == 1265
    report = ev.dataset.source.report
    assert report is not None
    assert report.pseudo_codes == {"01000 : DEFRA/Scottish Executive Agricultural Data": 2}
    assert "P01000" in set(ev.dataset.employment["sic"])
    assert report.industry_level == "subclasses (5 digit) summed to classes"


def test_statuses_default_to_employment_and_are_never_added() -> None:
    ds = load_any(FIVE)
    report = ds.source.report
    assert report is not None and report.status_used == "Employment"
    assert set(report.statuses_found) == {"Employment", "Full-time employees",
                                          "Part-time employees"}
    full_time = Evidence.from_path(FIVE, status="Full-time employees")
    assert sector_jobs(full_time, "W06000001")["aerospace"] == 240  # 60 % of 400
    assert full_time.dataset.source.report.status_used == "Full-time employees"  # type: ignore[union-attr]
    via_spec = load_any(f"{FIVE}::status=Part-time employees")
    assert via_spec.source.report.status_used == "Part-time employees"  # type: ignore[union-attr]


def test_unknown_status_is_a_located_error() -> None:
    with pytest.raises(DataError, match="Contractors") as info:
        load_any(FIVE, status="Contractors")
    assert info.value.file == str(FIVE) and info.value.row == 2
    assert info.value.column == "EMPLOYMENT_STATUS_NAME"


# --- mixed levels -----------------------------------------------------------------------------


def test_mixed_levels_count_each_sector_once_from_the_finest_codes() -> None:
    ev = Evidence.from_path(MIXED)
    derby = sector_jobs(ev, "E06000015")
    assert derby["aerospace"] == 7995  # class 30.30, not group 30.3 (8000) nor division 30
    assert derby["other_transport"] == 4000  # groups 30.2 + 30.4 + 30.9 = 3500 + 0 + 500
    assert derby["automotive"] == 900  # division 29: class 29.10 alone does not cover it
    assert derby["weapons"] == 15  # group 25.4
    assert derby["pharmaceuticals"] == 50 and derby["chemicals"] == 300
    assert "medical_instruments" not in derby  # only division 32: not separable
    # Structure and total from the divisions only: 300+50+2000+700+250+1200+900+12000+400+1500
    assert total_jobs(ev, "E06000015") == 19300
    bristol = sector_jobs(ev, "E06000023")
    assert bristol["aerospace"] == 8495 and bristol["other_transport"] == 500
    assert total_jobs(ev, "E06000023") == 17700
    report = ev.dataset.source.report
    assert report is not None
    assert report.industry_level == "mixed: divisions (2 digit), groups (3 digit), classes " \
        "(4 digit)"
    assert report.not_separable == ["Medical and dental instruments (only in 32)"]
    assert any("Division 32 holds Medical and dental instruments" in n for n in ev.cube.notes)


def test_select_codes_partial_and_not_separable() -> None:
    sel = select_codes(["30", "303", "2910", "3250"])
    assert sel.sector_codes["aerospace"] == ("303",)
    assert sel.not_separable["other_transport"] == "30"
    assert sel.sector_codes["medical_instruments"] == ("3250",)
    assert sel.partial["automotive"] == ("2920", "2931", "2932")
    assert sel.structure_codes == {"30", "2910", "3250"}


# --- real hierarchy -------------------------------------------------------------------------


def test_real_districts_get_regions_lsips_and_combined_authorities() -> None:
    ev = Evidence.from_path(MIXED)
    areas = ev.cube.areas.set_index("area_code")
    assert areas.loc["E12000004", "level"] == "region"  # East Midlands, from Derby
    assert areas.loc["E47000013", "level"] == "group"  # East Midlands combined authority
    assert areas.loc["E69000007", "level"] == "group"  # Derbyshire and Nottinghamshire LSIP
    assert areas.loc["E47000013", "members"] == ["E06000015"]
    ind = ev.indicators()
    pos = ev.cube.position("E06000015")
    assert np.isfinite(ind.lq_region[pos, 0, ind.i1])  # region LQ for Derby's aerospace
    assert [c.area_code for c in ev.profile("E06000015").comparators] == ["E06000023"]


def test_a_file_of_regions_says_why_comparators_are_empty(tmp_path: Path) -> None:
    rows = [r for r in MIXED.read_text(encoding="utf-8").splitlines()
            if '"E06000015"' in r or r.startswith('"DATE"')]
    path = tmp_path / "region.csv"
    path.write_text("\n".join(r.replace('"E06000015"', '"E12000004"').replace(
        '"Derby"', '"East Midlands"') for r in rows) + "\n", encoding="utf-8")
    profile = Evidence.from_path(path).profile("E12000004")
    assert profile.comparators == []
    assert profile.comparators_note and "no other area at this area's level (region)" in \
        profile.comparators_note


# --- single year ----------------------------------------------------------------------------


def test_single_year_is_a_snapshot_profile() -> None:
    ev = Evidence.from_path(MIXED)
    assert ev.years == [2021]
    p = ev.profile("E06000015")
    assert p.snapshot and p.period.start == p.period.end == 2021
    aero = p.sector("aerospace")
    assert aero.employment == 7995 and aero.lq is not None
    assert aero.growth is None and aero.shift_share is None
    assert any("Snapshot" in n and "need two years" in n for n in p.notes)


# --- sections only, names only ----------------------------------------------------------------


@pytest.mark.parametrize("path, row, column", [
    (API_SECTIONS, 2, "INDUSTRY_NAME"),
    (QUERY_SECTIONS, 9, "A : Agriculture, forestry and fishing"),
])
def test_sections_only_are_refused_naming_level_found_and_needed(
    path: Path, row: int, column: str
) -> None:
    with pytest.raises(DataError) as info:
        load_dataset(path)
    message = info.value.detail
    assert "section level only" in message and "C : Manufacturing" in message
    assert "divisions (2 digit), classes (4 digit) or subclasses (5 digit)" in message
    assert info.value.file == str(path) and info.value.row == row
    assert info.value.column == column
    assert info.value.code == "sic_sections_only"


def test_query_by_name_resolves_names_and_lists_the_rest() -> None:
    ev = Evidence.from_path(QUERY_NAMES)
    report = ev.dataset.source.report
    assert report is not None
    assert report.resolved_names == {"combauth:Greater Manchester": "E47000001",
                                     "ladu:Bristol, City of": "E06000023",
                                     "ladu:Derby": "E06000015"}
    assert report.unresolved_names == ["towncity:Nowhereville"]
    assert ev.dataset.area_name("E47000001") == "Greater Manchester"
    gm = sector_jobs(ev, "E47000001")
    assert gm == {"automotive": 1250, "aerospace": 900, "pharmaceuticals": 5500}
    assert total_jobs(ev, "E47000001") == 27650  # 1250 + 900 + 2500 + 3000 + 20000
    derby = sector_jobs(ev, "E06000015")
    assert derby["pharmaceuticals"] == 25  # 2110 suppressed ('*'), 2120 = 25: a lower bound
    assert report.suppressed_cells == 1
    assert sector_jobs(ev, "towncity:Nowhereville")["automotive"] == 5  # kept, listed


# --- encodings, gzip, tab-separated, XLSX: detected from content -----------------------------


def _same_numbers(a: Evidence, b: Evidence) -> None:
    assert a.dataset.employment.sort_values(["area_code", "sic"]).reset_index(drop=True) \
        .equals(b.dataset.employment.sort_values(["area_code", "sic"]).reset_index(drop=True))


def test_utf16_tab_separated_and_gzip_read_the_same(tmp_path: Path) -> None:
    text = FIVE.read_bytes().decode("latin-1")
    rows = list(csv.reader(io.StringIO(text)))
    out = io.StringIO()
    csv.writer(out, delimiter="\t", lineterminator="\r\n").writerows(rows)
    utf16 = tmp_path / "download.txt"  # Excel "Unicode text": UTF-16 LE with BOM, tabs
    utf16.write_bytes(out.getvalue().encode("utf-16"))
    zipped = tmp_path / "download.bin"
    zipped.write_bytes(gzip.compress(text.encode("utf-8-sig")))  # UTF-8 with BOM, gzipped
    base = Evidence.from_path(FIVE)
    for path in (utf16, zipped):
        assert detect_format(path) == "nomis_bulk"
        other = Evidence.from_path(path)
        _same_numbers(base, other)
        assert other.dataset.area_name("W06000001") == "Isle of Anglesey / Ynys Môn"


def test_xlsx_query_download_reads_like_the_csv(tmp_path: Path) -> None:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    for cells in csv.reader(io.StringIO(QUERY_NAMES.read_text(encoding="utf-8"))):
        ws.append([int(c) if c.isdigit() else c for c in cells] or [None])
    path = tmp_path / "nomis_2024.xlsx"
    wb.save(path)
    assert detect_format(path) == "nomis_query"
    _same_numbers(Evidence.from_path(QUERY_NAMES), Evidence.from_path(path))


def test_bad_cell_in_a_converted_file_names_the_original_file_and_row(tmp_path: Path) -> None:
    text = FIVE.read_bytes().decode("latin-1").replace(',"400",', ',"4x0",', 1)
    rows = list(csv.reader(io.StringIO(text)))
    out = io.StringIO()
    csv.writer(out, delimiter="\t", lineterminator="\n").writerows(rows)
    bad = tmp_path / "bad.txt"
    bad.write_bytes(out.getvalue().encode("utf-16"))
    line = next(i for i, r in enumerate(text.splitlines(), start=1) if '"4x0"' in r)
    with pytest.raises(DataError, match="not a number") as info:
        load_dataset(bad)
    assert info.value.file == str(bad) and info.value.row == line
    assert info.value.column == "OBS_VALUE"


# --- command line -----------------------------------------------------------------------------


def test_cli_profile_by_name_with_full_precision_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["profile", "--data", str(MIXED), "--area", "derby", "--format", "json"]) == 0
    captured = capsys.readouterr()
    data = json.loads(captured.out)
    assert data["area"]["code"] == "E06000015"
    assert data["source_kind"] == "official" and data["snapshot"] is True
    assert data["national_basis"] == "Great Britain row (K03000001)"
    assert "industry level: mixed" in captured.err  # the load report, on stderr
    ev = Evidence.from_path(MIXED)
    ind = ev.indicators()
    pos, s = ev.cube.position("E06000015"), ev.cube.sectors.index("aerospace")
    assert data["sectors"][s]["share"] == float(ind.share[pos, s, ind.i1])  # not rounded


def test_cli_area_name_near_miss_suggests(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["profile", "--data", str(MIXED), "--area", "Dreby"]) == 2
    err = capsys.readouterr().err
    assert "did you mean Derby (E06000015)" in err


def test_cli_sample_nuts2_is_labelled_real(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["profile", "--data", "sample:nuts2", "--area", "UKC1", "--format",
                 "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["source_kind"] == "sample" and data["synthetic"] is False
    assert "real official statistics" in data["source"]
    assert main(["areas", "--data", "sample:nuts2"]) == 0
    assert "UKC1" in capsys.readouterr().out


def test_gva_with_the_bundled_demo_is_not_silently_ignored(
    capsys: pytest.CaptureFixture[str]
) -> None:
    gva = str(FIXTURES / "ons_gva_la.csv")
    assert main(["profile", "--area", "E06000001", "--gva", gva]) == 2
    assert "synthetic demo carries its own" in capsys.readouterr().err


def test_find_area_codes_and_names() -> None:
    areas = Evidence.from_path(MIXED).areas()
    assert find_area(areas, "e06000015") == "E06000015"
    assert find_area(areas, "BRISTOL, CITY OF") == "E06000023"
    assert find_area(areas, "ladu:Derby") == "E06000015"
    assert find_area(areas, "City of Bristol") == "E06000023"  # via the bundled geography


def test_cube_of_the_mixed_file_matches_the_cli_totals() -> None:
    cube = build_cube(load_any(MIXED))
    assert cube.total_basis == "sum of industries in file"


# --- ONS GVA at ITL1 / ITL3 -----------------------------------------------------------------

ITL1 = FIXTURES / "ons_gva_itl1_table1c.csv"
ITL3 = FIXTURES / "ons_gva_itl3_table3c.csv"


def test_ons_gva_itl_tables_are_read_with_their_groupings() -> None:
    from evidence.sources.ons_gva import read_ons_gva

    itl1 = read_ons_gva(ITL1)
    assert set(itl1["area_code"]) == {"UK"}
    uk = itl1[(itl1["year"] == 2021)].set_index("sic")["gva"]
    assert uk["TOTAL"] == 2040499 and uk["01"] == 13739  # "1" is division 01; thousands sep.
    itl3 = read_ons_gva(ITL3)
    assert {"TLC11"} == set(itl3["area_code"])
    assert {"26-27", "28-30", "19-23"} <= set(itl3["sic"])  # CI-CJ, CK-CL, CD-CG
    note = " ".join(itl3.attrs["notes"])
    assert "Electrical equipment / Computers, electronics and optics (only within 26-27)" in note


def test_itl1_gva_attaches_to_region_rows(tmp_path: Path) -> None:
    lines = ITL1.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    years = header[4:]
    rows = [f"TLM,Scotland,Total,All industries,{','.join('1000' for _ in years)}",
            f"TLM,Scotland,CK-CL (28-30),Machinery and transport,{','.join('50' for _ in years)}"]
    path = tmp_path / "itl1.csv"
    path.write_text("\n".join([lines[0], *rows]) + "\n", encoding="utf-8")
    ds = load_any(FIVE, path)
    assert ds.gva is not None
    assert set(ds.gva["area_code"]) == {"S92000003"}  # TLM read as Scotland's GSS code
    assert any("ITL1 region(s) as the matching GSS regions" in n for n in ds.source.notes)
    assert any("only within 28-30" in n for n in ds.source.notes)


def test_itl3_gva_on_districts_says_why_it_cannot_attach() -> None:
    with pytest.raises(DataError, match="ITL level") as info:
        load_any(MIXED, ITL3)
    assert info.value.file == str(ITL3)
