"""The bundled real BRES NUTS2 sample: shape, values against the originals, and a profile."""

from __future__ import annotations

import hashlib
import importlib.util
import sys
from pathlib import Path

import pandas as pd
import pytest

from evidence.dataset import DataError
from evidence.service import Evidence
from evidence.sources.load import detect_format, load_dataset
from evidence.sources.samples import load_sample, load_sample_nuts2, sample_path

ROOT = Path(__file__).resolve().parents[2]
SHARED = Path("/work/shared/data/bres_nuts2")
needs_originals = pytest.mark.skipif(not SHARED.exists(), reason="original files not present")


@pytest.fixture(scope="module")
def sample():
    return load_sample_nuts2()


def test_sample_shape_and_labels(sample) -> None:
    assert sample.source.synthetic is False
    assert "real official statistics" in sample.source.label()
    assert "SYNTHETIC" not in sample.source.label()
    assert sample.years == [2015, 2016, 2017, 2018]  # 2010, 2011, 2014 files are all zeros
    lad = sample.areas[sample.areas["level"] == "lad"]
    assert len(lad) == 39 and lad["area_code"].str.fullmatch(r"UK[C-M]\d").all()
    assert (lad["region_code"] == lad["area_code"].str[:3]).all()
    assert sample.employment["area_code"].nunique() == 39
    assert sample.employment["sic"].nunique() == 525
    assert len(sample.employment) == 39 * 525 * 4
    assert "TOTAL" not in set(sample.employment["sic"])  # the originals have no totals
    assert any("left out" in n for n in sample.source.notes)
    assert any("sum of the classes" in n for n in sample.source.notes)
    assert sample.source.rounding == 5


def test_hand_checked_values(sample) -> None:
    emp = sample.employment.set_index(["area_code", "year", "sic"])["employment"]
    # Original nomis_BRES_2018_TYPE450.csv, Greater Manchester (UKD3):
    # 2910 -> 500, 2920 -> 2000, 2931 -> 75, 2932 -> 700; 3030 -> 600 (2015: 900).
    automotive = sum(emp[("UKD3", 2018, c)] for c in ("2910", "2920", "2931", "2932"))
    assert automotive == 500 + 2000 + 75 + 700 == 3275
    assert emp[("UKD3", 2018, "3030")] == 600
    assert emp[("UKD3", 2015, "3030")] == 900


@needs_originals
def test_every_value_matches_the_originals(sample) -> None:
    frames = [pd.read_csv(SHARED / f"nomis_BRES_{y}_TYPE450.csv", dtype={"SIC4": str})
              for y in (2015, 2016, 2017, 2018)]
    original = pd.concat(frames).set_index(["geo_cd", "year", "SIC4"])["value"].sort_index()
    ours = sample.employment.set_index(["area_code", "year", "sic"])["employment"].sort_index()
    assert (original.to_numpy() == ours.to_numpy()).all()
    assert list(original.index) == list(ours.index)
    for year in (2010, 2011, 2014):
        zeros = pd.read_csv(SHARED / f"nomis_BRES_{year}_TYPE450.csv")
        assert (zeros["value"] == 0).all()


def test_profile_works(sample) -> None:
    ev = Evidence.from_dataset(sample)
    profile = ev.profile("UKD3")
    assert profile.synthetic is False
    assert profile.total_jobs_basis == "sum of industries in file"
    auto = next(s for s in profile.sectors if s.sector == "automotive")
    assert auto.employment == 3275
    regions = ev.areas()
    assert set(regions.loc[regions["level"] == "region", "area_code"]) == {
        f"UK{c}" for c in "CDEFGHIJKLM"
    }
    assert ev.profile("UKD").area.level == "region"


def test_sample_is_found_by_content_and_by_name() -> None:
    path = sample_path("nuts2")
    assert detect_format(path) == "demo"
    assert load_dataset(path).source.synthetic is False
    assert load_sample("sample:nuts2").years == [2015, 2016, 2017, 2018]
    with pytest.raises(DataError, match="available: nuts2"):
        sample_path("nuts3")


@needs_originals
def test_vendor_script_is_deterministic(tmp_path: Path) -> None:
    spec = importlib.util.spec_from_file_location("vendor_bres_nuts2",
                                                  ROOT / "scripts" / "vendor_bres_nuts2.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["vendor_bres_nuts2"] = module
    spec.loader.exec_module(module)
    assert module.main(["--source", str(SHARED), "--out", str(tmp_path)]) == 0
    for name in ("bres_nuts2.csv.gz", "LICENCE.md"):
        built = hashlib.sha256((tmp_path / name).read_bytes()).hexdigest()
        bundled = hashlib.sha256((sample_path().parent / name).read_bytes()).hexdigest()
        assert built == bundled, name
