"""The command line on the bundled demo: areas and profile (JSON contract of the issue)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from evidence.indicator_table import indicator_table
from evidence.sectors import sector_ids
from evidence.service import Evidence
from evidence.sources.demo import ARCHETYPES
from policymix_cli import main
from tests.paths import FIXTURES


def test_areas_lists_codes_names_levels(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["areas"]) == 0
    out = capsys.readouterr().out
    assert "SYNTHETIC" in out
    lines = [ln.split("\t") for ln in out.splitlines() if "\t" in ln]
    levels = {ln[1] for ln in lines}
    assert {"lad", "group", "region"} <= levels
    assert sum(ln[1] == "lad" for ln in lines) > 300


def test_profile_json_contract(capsys: pytest.CaptureFixture[str]) -> None:
    code = ARCHETYPES["science_pharma_hub"][0]
    assert main(["profile", "--area", code, "--format", "json", "--start", "2016"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["area"]["code"] == code
    assert data["period"] == {"start": 2016, "end": 2024}
    assert [s["sector"] for s in data["sectors"]] == sector_ids()
    for s in data["sectors"]:
        assert {"sector", "employment", "share", "lq", "growth", "shift_share",
                "productivity_ratio", "dynamics"} <= set(s)
        if s["shift_share"] is not None:
            assert {"national", "industry_mix", "local"} <= set(s["shift_share"])
    assert data["comparators"]
    assert data["findings"]
    for f in data["findings"]:
        assert {"kind", "topic", "sector", "values", "text", "confidence"} <= set(f)
    pharma = next(s for s in data["sectors"] if s["sector"] == "pharmaceuticals")
    assert pharma["lq"] > 2


def test_profile_markdown_states_period_and_source(capsys: pytest.CaptureFixture[str]) -> None:
    code = ARCHETYPES["declining_industrial"][0]
    assert main(["profile", "--area", code]) == 0
    out = capsys.readouterr().out
    assert "Period: 2015-2024" in out
    assert "SYNTHETIC" in out


def test_unknown_area_is_a_clear_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["profile", "--area", "NOPE"]) == 2
    assert "NOPE" in capsys.readouterr().err


def test_profile_from_a_nomis_file_detected_by_content(
        capsys: pytest.CaptureFixture[str]) -> None:

    fixture = FIXTURES / "nomis_bres_bulk.csv"
    assert main(["profile", "--data", str(fixture), "--area", "E08000025",
                 "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["national_basis"].startswith("Great Britain row")
    assert data["total_jobs_basis"] == "all-industries row"
    auto = next(s for s in data["sectors"] if s["sector"] == "automotive")
    assert auto["employment"] is not None and auto["lq"] is not None
    aero = next(s for s in data["sectors"] if s["sector"] == "aerospace")
    assert aero["employment"] is None and "no usable figure" in aero["note"]


def test_recommend_json_contract(capsys: pytest.CaptureFixture[str]) -> None:
    code = ARCHETYPES["declining_industrial"][0]
    assert main(["recommend", "--area", code, "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["recommended"] and data["not_recommended"]
    top = data["recommended"][0]
    assert {"intervention", "score", "rationales", "trace"} <= set(top)
    cond = top["trace"][0]["conditions"][0]
    assert {"path", "actual", "threshold", "result"} <= set(cond)
    assert all({"intervention", "why"} <= set(n) for n in data["not_recommended"])


def test_session_new_writes_defaults(tmp_path, capsys: pytest.CaptureFixture[str]) -> None:
    from policy.session import session_from_json

    out = tmp_path / "s.json"
    code = ARCHETYPES["engineering_assembly_cluster"][0]
    assert main(["session", "new", "--area", code, "--out", str(out)]) == 0
    s = session_from_json(out.read_text())
    assert s.area_code == code
    assert s.findings and all(f.status == "accepted" for f in s.findings)
    assert s.chosen_interventions
    # issue 12: options by stated rules (light/core/full, focus, sequencing), not Focused/Broad
    assert s.appraisal.options[0].is_baseline and len(s.appraisal.options) >= 4
    assert s.appraisal.option("core").interventions


def test_appraise_writes_each_format_by_extension(tmp_path) -> None:
    import docx
    import openpyxl

    session_file = tmp_path / "s.json"
    code = ARCHETYPES["science_pharma_hub"][0]
    assert main(["session", "new", "--area", code, "--out", str(session_file)]) == 0
    assert main(["appraise", "--session", str(session_file), "--out",
                 str(tmp_path / "pack.xlsx")]) == 0
    wb = openpyxl.load_workbook(tmp_path / "pack.xlsx")
    assert {"Evidence", "Scores", "Weights"} <= set(wb.sheetnames)
    assert main(["appraise", "--session", str(session_file), "--out",
                 str(tmp_path / "pack.json")]) == 0
    data = json.loads((tmp_path / "pack.json").read_text())
    assert data["session"]["area_code"] == code
    assert main(["appraise", "--session", str(session_file), "--out",
                 str(tmp_path / "pack.docx")]) == 0
    headings = [p.text for p in docx.Document(tmp_path / "pack.docx").paragraphs
                if p.style.name == "Heading 1"]
    # issue 12: the report leads with the answer, then the numbered sections
    assert headings[0] == "Executive summary" and headings[1].startswith("1 Evidence")
    assert "evaluation" in data and data["evaluation"]["rows"]


def test_appraise_refuses_a_tampered_session(tmp_path, capsys) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"schema_version": 1, "findings": [{"kind": "x"}]')
    assert main(["appraise", "--session", str(bad), "--out", str(tmp_path / "x.docx")]) == 2
    err = capsys.readouterr().err
    assert "bad.json" in err and "not valid JSON" in err
    assert not (tmp_path / "x.docx").exists()


def test_profile_merges_ons_gva_with_nomis_employment(
        capsys: pytest.CaptureFixture[str]) -> None:

    fixtures = FIXTURES
    assert main(["profile", "--data", str(fixtures / "nomis_bres_bulk.csv"), "--gva",
                 str(fixtures / "ons_gva_la.csv"), "--area", "E06000015", "--format",
                 "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    auto = next(s for s in data["sectors"] if s["sector"] == "automotive")
    # GVA per job in GBP thousand = GVA (GBP m) * 1000 / jobs
    assert auto["productivity"] == pytest.approx(auto["gva"] * 1000 / auto["employment"], rel=1e-3)
    assert auto["productivity_ratio"] is not None
    assert any("same areas' jobs" in n for n in data["notes"])


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_indicators_table_matches_the_profile(tmp_path: Path, suffix: str) -> None:
    out = tmp_path / f"indicators{suffix}"
    assert main(["indicators", "--out", str(out), "--start", "2016", "--end", "2024"]) == 0
    table = pd.read_csv(out) if suffix == ".csv" else pd.read_parquet(out)
    ev = Evidence.from_path(None)
    assert len(table) == len(ev.cube.areas) * len(ev.cube.sectors)
    assert {"area_code", "sector", "lq", "growth", "share", "lq_region", "ss_national",
            "ss_mix", "ss_local", "productivity", "dynamics"} <= set(table.columns)
    code = ARCHETYPES["engineering_assembly_cluster"][0]
    ind, pos = ev.indicators(2016, 2024), ev.cube.position(code)
    end = ev.cube.year_index(2024)
    rows = table[table["area_code"] == code].set_index("sector")
    for k, sector in enumerate(ev.cube.sectors):
        assert rows.loc[sector, "lq"] == pytest.approx(ind.lq[pos, k, end], rel=1e-12, nan_ok=True)
        assert rows.loc[sector, "share"] == pytest.approx(ind.share[pos, k, end], rel=1e-12,
                                                          nan_ok=True)
        parts = rows.loc[sector, ["ss_national", "ss_mix", "ss_local"]].sum()
        actual = rows.loc[sector, "jobs"] - rows.loc[sector, "jobs_start"]
        if pd.notna(actual):
            assert parts == pytest.approx(actual, rel=1e-9, abs=1e-6)
    assert rows["lq"].notna().sum() >= 5, "the cluster archetype has most sectors"


def test_indicators_on_a_tidy_file_equal_the_evidence_path(tmp_path: Path) -> None:
    """``indicators --data FILE`` on a tidy file skips ``Evidence`` (and the profile layer's
    imports) but writes exactly the table ``Evidence`` gives for the same file."""
    from evidence.indicator_table import indicator_table
    from evidence.sources.demo import bundled_demo_path

    data = bundled_demo_path()
    out = tmp_path / "fast.parquet"
    assert main(["indicators", "--data", str(data), "--out", str(out), "--start", "2016"]) == 0
    fast = pd.read_parquet(out)
    slow = indicator_table(Evidence.from_path(str(data)).indicators(2016, None))
    pd.testing.assert_frame_equal(fast, slow.reset_index(drop=True), check_dtype=False,
                                  rtol=1e-12)


def test_indicators_command_imports_only_what_it_needs(tmp_path: Path) -> None:
    from evidence.sources.demo import bundled_demo_path
    from tests.processes import modules_loaded_by

    loaded = modules_loaded_by(
        ["indicators", "--data", str(bundled_demo_path()), "--out", str(tmp_path / "x.csv")],
        packages=("streamlit", "altair", "policy", "rules", "docx", "matplotlib"),
        modules=("evidence.service", "evidence.profile", "evidence.render"))
    assert loaded == []


@pytest.mark.parametrize("suffix", [".parquet", ".csv"])
def test_indicators_on_a_tidy_file_imports_no_pandas(tmp_path: Path, suffix: str) -> None:
    """``indicators`` on a tidy file (Parquet or the bundled CSV) reads, builds the cube and
    writes a Parquet table without pandas, pydantic or YAML (most of its start-up was
    importing them); a CSV table is written by pandas, so it imports pandas then."""
    from evidence.sources.demo import bundled_demo_path
    from evidence.sources.tidy import read_tidy, write_tidy
    from tests.processes import modules_loaded_by

    data = bundled_demo_path()
    if suffix == ".parquet":
        data = write_tidy(read_tidy(data), tmp_path / "demo.parquet")
    out = tmp_path / "x.parquet"
    loaded = modules_loaded_by(["indicators", "--data", str(data), "--out", str(out)],
                               packages=("pandas", "pydantic", "yaml", "duckdb"))
    assert loaded == []
    slow = indicator_table(Evidence.from_path(str(data)).indicators(None, None))
    pd.testing.assert_frame_equal(pd.read_parquet(out), slow.reset_index(drop=True),
                                  check_dtype=False, rtol=1e-12)


def test_indicators_refuses_other_extensions(tmp_path: Path, capsys) -> None:
    assert main(["indicators", "--out", str(tmp_path / "x.xlsx")]) == 2
    assert "must end in .csv or .parquet" in capsys.readouterr().err


def test_recommend_all_gives_every_district_in_the_one_area_shape(
        capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["recommend", "--all", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    areas = data["areas"]
    assert len(areas) > 300
    assert {"area_code", "area_name", "recommended"} <= set(areas[0])
    code = ARCHETYPES["chemicals_flourishing"][0]
    mine = next(a for a in areas if a["area_code"] == code)
    assert main(["recommend", "--area", code, "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["recommended"] == mine["recommended"]


def test_recommend_needs_area_or_all(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["recommend"])


ISSUE_12_FILE = {
    "costs": [{"year": t, "amount": 1.0, "type": "revenue", "public": True} for t in range(5)],
    "benefits": [{"year": t, "amount": 2.0} for t in range(1, 11)],
    "additionality": {"deadweight": 0.4, "displacement": 0.25, "leakage": 0.1},
    "optimism_bias": {"percent": 0},
}


def test_cba_json_is_the_issue_example(tmp_path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "in.json"
    path.write_text(json.dumps(ISSUE_12_FILE), encoding="utf-8")
    assert main(["cba", "--input", str(path)]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["additionality_factor"] == pytest.approx(0.405)
    assert round(out["bcr"], 2) == 1.44 and out["vfm_category"] == "low"
    assert out["optimism_bias_applied"]["percent"] == 0
    assert {"percent", "category", "basis"} <= set(out["optimism_bias_applied"])
    assert {"pv_costs", "pv_private_costs", "pv_benefits", "npv", "switching_values",
            "discount_factors"} <= set(out)
    assert main(["cba", "--input", str(path), "--format", "md"]) == 0
    assert "BCR on public cost: 1.44" in capsys.readouterr().out


def test_cba_bad_input_names_the_field(tmp_path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "bad.json"
    bad = {**ISSUE_12_FILE, "costs": [{"year": -1, "amount": "x", "type": "revenue"}],
           "additionality": {"deadweight": float("nan")}}
    path.write_text(json.dumps(bad), encoding="utf-8")
    assert main(["cba", "--input", str(path)]) == 2
    err = capsys.readouterr().err
    assert "costs[0].year" in err and "costs[0].amount" in err
    assert "additionality.deadweight" in err
    path.write_text("{not json", encoding="utf-8")
    assert main(["cba", "--input", str(path)]) == 2
    assert "not valid JSON" in capsys.readouterr().err
