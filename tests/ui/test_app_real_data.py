"""AppTest of the data and profile pages on real layouts (issue 9): the real sample, the load
report, a single-year file as a snapshot, and a bad upload that changes nothing."""

from __future__ import annotations

import shutil

import pytest

from policy.session import StrategySession
from policy.storage import Settings
from tests.paths import FIXTURES
from tests.ui.apptest_helpers import SESSION_KEY, make_app


@pytest.fixture
def mixed() -> str:
    """The mixed-levels download as a user's upload: sessions may only read the upload folder."""
    target = Settings.from_env().upload_dir / "nomis_bulk_gb_mixed_levels.csv"
    shutil.copy(FIXTURES / "nomis_bulk_gb_mixed_levels.csv", target)
    return str(target)


def test_data_page_offers_the_real_sample_labelled_as_official() -> None:
    at = make_app("data").run()
    at.radio(key="data_source_choice").set_value("sample").run()
    assert not at.exception
    assert at.session_state[SESSION_KEY].data_source == "sample:nuts2"
    assert any("Real official statistics" in i.value and "NOMIS" in i.value for i in at.info)
    assert not any("Synthetic demo data" in i.value for i in at.info)


def test_data_page_shows_the_load_report_and_the_snapshot(mixed: str) -> None:
    at = make_app("data", StrategySession(data_source=mixed)).run()
    assert not at.exception
    report = " ".join(m.value for m in at.markdown)
    assert "mixed: divisions (2 digit), groups (3 digit), classes (4 digit)" in report
    assert "employment status used: Employment" in report
    assert "Medical and dental instruments" in report
    assert any("snapshot" in i.value for i in at.info)


def test_profile_page_on_a_single_year_file_does_not_crash(mixed: str) -> None:
    session = StrategySession(data_source=mixed, area_code="E06000015", area_name="Derby")
    at = make_app("profile", session).run()
    assert not at.exception
    assert any("All jobs" in m.label for m in at.metric)


def test_context_files_show_in_the_load_report_and_the_profile() -> None:
    """NOMIS context downloads beside a BRES upload (issue 9 section 4)."""
    upload = Settings.from_env().upload_dir
    names = ["nomis_bres_bulk.csv", "nomis_aps_t19_qualifications.xlsx",
             "nomis_ubc_size_bands.xlsx"]
    for name in names:
        shutil.copy(FIXTURES / name, upload / name)
    session = StrategySession(data_source=str(upload / names[0]),
                              context_sources=[str(upload / n) for n in names[1:]],
                              area_code="E06000015", area_name="Derby")
    at = make_app("data", session).run()
    assert not at.exception
    report = " ".join(m.value for m in at.markdown)
    assert "context: APS qualifications (nomis_aps_t19_qualifications.xlsx)" in report
    assert "context: UK Business Counts (nomis_ubc_size_bands.xlsx)" in report
    at = make_app("profile", session).run()
    assert not at.exception
    text = " ".join(str(getattr(e, "value", "")) for e in at.main)
    assert "Skills (share qualified to RQF level 4+): needs APS data" not in text
    assert "Skills: 42.1% of 159,500 people aged 16-64" in text  # 67,200 / 159,500, APS 2021
