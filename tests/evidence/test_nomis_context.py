"""NOMIS context downloads (issue 9 section 4): APS T19 qualifications, APS T09a occupations and
UK Business Counts by size band, read and merged into an employment dataset.

The fixtures (``scripts/make_context_fixtures.py``) are real NOMIS downloads cut to a few areas
and two periods: every number below is a cell of those files, summed by hand.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pytest
from openpyxl import load_workbook

import policymix_cli
from evidence.context import aggregate_extra
from evidence.dataset import DataError
from evidence.service import Evidence, load_any
from evidence.sources.nomis_context import load_soc_mapping, merge_context, read_context
from policy.export import build_bundle
from policy.export.report import Table, report_blocks
from policy.session import StrategySession
from tests.paths import FIXTURES

T19 = FIXTURES / "nomis_aps_t19_qualifications.xlsx"
T09A = FIXTURES / "nomis_aps_t09a_occupations.xlsx"
UBC = FIXTURES / "nomis_ubc_size_bands.xlsx"
BRES = FIXTURES / "nomis_bres_bulk.csv"  # Derby, South Gloucestershire, Birmingham ... 2021-22
DERBY, SOUTH_GLOS, WMCA = "E06000015", "E06000025", "E47000007"


def _row(table, code: str, year: int):
    hit = table[(table["area_code"] == code) & (table["year"] == year)]
    assert len(hit) == 1, (code, year, len(hit))
    return hit.iloc[0]


def test_t19_level4_share_its_denominator_and_confidence_interval() -> None:
    cf = read_context(T19)
    assert cf.kind == "aps_qualifications"
    assert cf.periods == {2020: "Jan 2020-Dec 2020", 2021: "Jan 2021-Dec 2021"}
    derby = _row(cf.table, DERBY, 2021)
    # Derby, Jan-Dec 2021, people aged 16-64: None 10,100 + NVQ1 17,800 + NVQ2 20,500 + Trade
    # Apprenticeships 5,500 + NVQ3 24,900 + NVQ4+ 67,200 + Other 13,500 = 159,500.
    assert derby["level4_people"] == 159_500
    assert derby["level4_share"] == pytest.approx(67_200 / 159_500)  # 0.4213
    assert derby["level4_share_ci"] == pytest.approx(7_800 / 159_500)  # +/- 4.9 points
    assert derby["level4_year"] == 2021
    # Craven 2021 ('!' for None, Trade Apprenticeships and Other: counted 0):
    # 3,500 + 4,700 + 4,000 + 18,100 = 30,300; Craven is a former district, kept by its own code.
    craven = _row(cf.table, "E07000163", 2021)
    assert craven["level4_people"] == 30_300
    assert craven["level4_share"] == pytest.approx(18_100 / 30_300)
    assert craven["level4_share_ci"] == pytest.approx(5_100 / 30_300)
    scilly = _row(cf.table, "E06000053", 2021)  # every cell '-': no figure, not zero
    assert np.isnan(scilly["level4_share"]) and np.isnan(scilly["level4_people"])


def test_area_names_resolve_to_codes_and_the_rest_are_listed() -> None:
    cf = read_context(T19)
    codes = set(cf.table["area_code"])
    assert {"E92000001", WMCA, DERBY, "E08000025", SOUTH_GLOS, "E07000026"} <= codes
    assert "E69000001" in codes  # 'Brighton and Hove, East Sussex, Wes' (cut short) -> its LSIP
    assert "E69000014" in codes  # lep:Greater Manchester -> the LSIP area, with a note
    assert cf.unresolved == ["User Defined Geography:Norfolk and Suffolk-LSIP - from dn81838",
                             "lep:Greater Birmingham and Solihull"]
    assert "cut short" in cf.name_notes["E69000001"]
    assert "LEP boundaries are not bundled" in cf.name_notes["E69000014"]


def test_t09a_sub_major_groups_sum_to_soc2020_major_groups() -> None:
    cf = read_context(T09A)
    assert cf.kind == "aps_occupations"
    d = _row(cf.table, DERBY, 2021)
    # Derby 2021, T09a sub-major groups (SOC 2010) -> major groups:
    expected = {1: 8_200 + 2_600, 2: 12_000 + 4_100 + 7_700 + 4_500,
                3: 2_200 + 1_000 + 700 + 1_900 + 7_900, 4: 8_300 + 1_800,
                5: 700 + 6_300 + 3_400 + 1_700, 6: 8_800 + 1_200, 7: 5_600 + 3_100,
                8: 2_200 + 7_100, 9: 2_900 + 13_900}
    assert {k: d[f"soc_{k}"] for k in range(1, 10)} == expected
    mapping = load_soc_mapping()
    assert len(mapping) == 25 and sorted(mapping["soc2020_major"].unique()) == list(range(1, 10))
    assert any("approximate" in n for n in cf.notes)


def test_business_counts_read_manufacturing_only() -> None:
    cf = read_context(UBC)
    assert cf.kind == "business_counts"
    assert cf.periods == {2021: "2021", 2022: "2022"}
    d = _row(cf.table, DERBY, 2022)  # the 2022 Mining block is not read (else: a duplicate)
    assert (d["enterprises_mfg"], d["enterprises_mfg_micro"], d["enterprises_mfg_large"]) == \
        (440, 340, 5)
    b = _row(cf.table, "E08000025", 2021)
    assert (b["enterprises_mfg"], b["enterprises_mfg_large"]) == (2_135, 20)
    assert any("other broad industries" in n for n in cf.notes)


def test_a_csv_save_of_the_download_reads_the_same(tmp_path: Path) -> None:
    out = tmp_path / "ubc.csv"
    with open(out, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        for row in load_workbook(UBC).active.iter_rows(values_only=True):
            writer.writerow(["" if v is None else v for v in row])
    a, b = read_context(UBC).table, read_context(out).table
    assert a.equals(b)


def _merged() -> Evidence:
    return Evidence.from_path(BRES, context=[T19, T09A, UBC])


def test_merge_context_matches_by_code_and_counts_what_is_left_out() -> None:
    ev = _merged()
    ctx = ev.dataset.context
    assert set(ctx["area_code"]) == {DERBY, SOUTH_GLOS, "E08000025", WMCA}
    assert sorted(ctx["year"].unique()) == [2020, 2021, 2022]
    # 2022 has no APS period in the file: Jan-Dec 2021 is used, and the year says so.
    d22 = _row(ctx, DERBY, 2022)
    assert d22["level4_share"] == pytest.approx(67_200 / 159_500) and d22["level4_year"] == 2021
    assert d22["enterprises_mfg"] == 440 and d22["enterprises_year"] == 2022
    lines = ev.dataset.source.report.lines()
    t19 = next(line for line in lines if line.startswith("context: APS qualifications"))
    # 12 areas x 2 periods = 24 rows; matched: Derby, South Gloucestershire, Birmingham, West
    # Midlands CA; left out: England, Allerdale, Craven, Isles of Scilly and two LSIP areas.
    assert "24 area rows read, 4 area(s) matched, 6 not in the employment data" in t19
    assert "2 name(s) not resolved" in t19
    assert any("Jan 2021-Dec 2021 is used for 2022" in n for n in ev.dataset.source.notes)


def test_profile_carries_context_with_source_year_and_needs_notes_go() -> None:
    bare = Evidence.from_path(BRES).profile(DERBY)
    assert any("needs APS data" in n for n in bare.notes)
    assert any("needs UK Business Counts" in n for n in bare.notes)
    p = _merged().profile(DERBY)
    assert not any("needs APS data" in n or "needs UK Business" in n for n in p.notes)
    c = p.context
    assert c["level4_share"] == pytest.approx(0.421317, abs=1e-6)
    assert c["level4_share_ci"] == pytest.approx(0.048903, abs=1e-6)
    assert (c["level4_people"], c["level4_year"]) == (159_500, 2021)
    assert (c["enterprises_mfg"], c["enterprises_mfg_large"], c["enterprises_year"]) == \
        (440, 5, 2022)
    # Automation exposure from the 2021 occupations: sum(soc_k p_k) / sum(soc_k) with the ONS
    # 2019 probabilities 0.24 .. 0.64: 50,390 / 119,800.
    assert p.automation_exposure == pytest.approx(50_390 / 119_800)
    skills = next(n for n in p.notes if n.startswith("Skills:"))
    assert "42.1% of 159,500 people aged 16-64" in skills and "+/- 4.9 points" in skills
    assert "2021" in skills
    firms = next(n for n in p.notes if n.startswith("Manufacturing enterprises:"))
    assert "440, of which 5 large (250+ employees, 1.1% of 440)" in firms
    assert "UK Business Counts 2022" in firms


def test_aggregate_areas_sum_counts_and_combine_confidence_intervals() -> None:
    extra = {"enterprises_mfg": np.array([[10.0], [30.0]]),
             "level4_share_ci": np.array([[0.04], [0.02]]),
             "enterprises_year": np.array([[2021.0], [2022.0]])}
    jobs = np.array([[100.0], [300.0]])
    out = aggregate_extra(extra, [np.array([0, 1])], jobs)
    assert out["enterprises_mfg"][2, 0] == 40
    # sqrt((100 x 0.04)^2 + (300 x 0.02)^2) / 400 = sqrt(16 + 36) / 400
    assert out["level4_share_ci"][2, 0] == pytest.approx(np.sqrt(52) / 400)
    assert out["enterprises_year"][2, 0] == 2022
    ev = _merged()
    ev.add_custom_area("X01", "Derby and South Gloucestershire", [DERBY, SOUTH_GLOS])
    c = ev.profile("X01").context
    assert (c["enterprises_mfg"], c["enterprises_mfg_large"]) == (440 + 545, 5 + 0)


def test_a_file_with_none_of_the_areas_is_a_located_error() -> None:
    with pytest.raises(DataError) as err:
        merge_context(load_any(FIXTURES / "nomis_bulk_5digit_latin1.csv"), [UBC])
    problem = err.value.first
    assert problem.code == "context_no_common_areas" and problem.file == str(UBC)
    assert "none of the areas" in problem.message


def test_a_bad_cell_names_file_row_and_column(tmp_path: Path) -> None:
    wb = load_workbook(T19)
    ws = wb.active
    row = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == "ladu:Derby")
    ws.cell(row, 17).value = "lots"  # NVQ4+ number
    bad = tmp_path / "t19.xlsx"
    wb.save(bad)
    with pytest.raises(DataError) as err:
        read_context(bad)
    p = err.value.first
    assert (p.file, p.row, p.column) == (str(bad), row, ws.cell(7, 17).value)
    assert "'lots' is not a number" in p.message


def test_a_bres_file_is_not_a_context_file() -> None:
    with pytest.raises(DataError) as err:
        read_context(FIXTURES / "nomis_bres_query.csv")
    assert err.value.first.code == "not_context"


def test_cli_context_option(capsys: pytest.CaptureFixture[str]) -> None:
    code = policymix_cli.main(["profile", "--data", str(BRES), "--area", "Derby", "--format",
                               "json", "--context", str(T19), "--context", str(UBC)])
    assert code == 0
    out = json.loads(capsys.readouterr().out)
    assert out["context"]["level4_year"] == 2021 and out["context"]["enterprises_mfg"] == 440
    assert not any("Skills (share qualified" in n for n in out["notes"])
    assert any("Automation exposure: needs APS data" in n for n in out["notes"])


def test_report_headline_rows_give_the_data_year_ci_and_denominator() -> None:
    bundle = build_bundle(StrategySession(area_code=DERBY), _merged())
    table = next(b for b in report_blocks(bundle)
                 if isinstance(b, Table) and b.caption.startswith("Table 1.0"))
    rows = {r[0]: r for r in table.rows}
    skills = rows["Residents qualified to level 4+"]
    assert skills[1].value == pytest.approx(67_200 / 159_500)
    assert "(of 159,500), 95% CI +/- 4.9 points" in skills[2] and skills[3] == "2021"
    assert rows["Mean probability of automation (job-weighted)"][3] == "2021"
    large = rows["Large manufacturing enterprises"]
    assert (large[1].value, large[2], large[3]) == (5, "250+ employees, of 440", "2022")
