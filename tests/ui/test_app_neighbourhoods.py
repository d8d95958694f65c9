"""AppTest of the data page on neighbourhood data (issue 14): the area chooser lists a
district's neighbourhoods under it, and a neighbourhood's profile opens."""

from __future__ import annotations

import shutil

import pytest

from policy.session import StrategySession
from policy.storage import Settings
from tests.paths import FIXTURES
from tests.ui.apptest_helpers import SESSION_KEY, make_app


@pytest.fixture
def msoa() -> str:
    """The MSOA download as a user's upload (sessions may only read the upload folder)."""
    target = Settings.from_env().upload_dir / "nomis_bulk_msoa.csv"
    shutil.copy(FIXTURES / "nomis_bulk_msoa.csv", target)
    return str(target)


def test_neighbourhoods_are_chosen_within_their_district(msoa: str) -> None:
    session = StrategySession(data_source=msoa, area_code="E06000001", area_name="Hartlepool")
    at = make_app("data", session).run()
    assert not at.exception
    assert at.selectbox(key="area_pick_lad").value == "E06000001"
    within = at.selectbox(key="neighbourhood_pick_E06000001")
    assert within.options == ["Whole district", "Hartlepool 001 (E02002483)",
                              "Hartlepool 002 (E02002484)"]
    assert within.value == "E06000001"
    within.set_value("E02002483").run()
    assert not at.exception
    chosen = at.session_state[SESSION_KEY]
    assert (chosen.area_code, chosen.area_name) == ("E02002483", "Hartlepool 001")
    # The district list still shows the neighbourhood's district, the inner list the MSOA.
    assert at.selectbox(key="area_pick_lad").value == "E06000001"
    assert at.selectbox(key="neighbourhood_pick_E06000001").value == "E02002483"
    at.selectbox(key="area_pick_lad").set_value("E09000001").run()
    assert at.session_state[SESSION_KEY].area_code == "E09000001"  # another district: whole


def test_neighbourhood_profile_page_opens(msoa: str) -> None:
    session = StrategySession(data_source=msoa, area_code="E02002483",
                              area_name="Hartlepool 001")
    at = make_app("profile", session).run()
    assert not at.exception
    text = " ".join(str(getattr(e, "value", "")) for e in at.main)
    assert "Hartlepool 001" in text


def test_a_session_lookup_places_what_names_cannot() -> None:
    upload = Settings.from_env().upload_dir
    data = upload / "msoa_nowhere.csv"
    data.write_text((FIXTURES / "nomis_bulk_msoa.csv").read_text(encoding="utf-8")
                    .replace("Hartlepool 002", "Nowhere 002"), encoding="utf-8")
    lookup = upload / "msoa_lookup.csv"
    lookup.write_text("MSOA21CD,MSOA21NM,LAD22CD\nE02002484,Nowhere 002,E06000001\n",
                      encoding="utf-8")
    without = make_app("data", StrategySession(data_source=str(data))).run()
    assert not without.exception
    assert any("E02002484" in e.value and "lookup" in e.value for e in without.error)
    session = StrategySession(data_source=str(data), lookup_source=str(lookup),
                              area_code="E06000001", area_name="Hartlepool")
    at = make_app("data", session).run()
    assert not at.exception and not at.error
    assert "Nowhere 002 (E02002484)" in at.selectbox(key="neighbourhood_pick_E06000001").options
