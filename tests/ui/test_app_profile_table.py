"""AppTest of the profile's Table tab and comparators (the browser walk's findings): LQs to
2 dp, jobs with thousands separators, growth as a percentage, a blank (never "None"; a static
table reads a lone "-" as a bullet) for a missing figure with a caption saying what it means,
and no more columns than fit the page."""

from __future__ import annotations

import pandas as pd
import pyarrow as pa
import pytest
from streamlit.testing.v1 import AppTest

from evidence.service import Evidence
from policy.session import StrategySession
from tests.ui.apptest_helpers import make_app, open_tab

MAX_COLUMNS = 6
"""Columns side by side within the page's width at 1400 px (ten hid the last ones)."""


def _shown(at: AppTest, i: int) -> pd.DataFrame:
    """What table ``i`` displays: the Styler's display values, as the browser draws them."""
    data = at.table[i].proto.arrow_data
    assert data.styler.display_values, "the table is formatted for display"
    return pa.ipc.open_stream(data.styler.display_values).read_all().to_pandas()


def _area(name: str) -> str:
    areas = Evidence.from_path(None).areas()
    return str(areas.loc[areas["area_name"] == name, "area_code"].iloc[0])


@pytest.fixture(scope="module")
def ebbcombe() -> AppTest:
    """Ebbcombe: jobs in thousands, sectors with no jobs at the start (growth undefined)."""
    at = make_app("profile", StrategySession(area_code=_area("Ebbcombe"), area_name="Ebbcombe"))
    return open_tab(at.run(), "profile_tab", "Table")


def test_table_formats_lq_jobs_and_growth(ebbcombe: AppTest) -> None:
    at = ebbcombe
    assert not at.exception
    assert len(at.table) == 2 and not at.dataframe  # static: a grid shows "None" for NaN
    size, change = _shown(at, 0), _shown(at, 1)
    raw = at.table[0].value
    jobs = next(c for c in raw.columns if str(c).startswith("Jobs "))
    lq = raw["LQ vs GB"]
    for shown, value in zip(size["LQ vs GB"], lq, strict=True):
        assert shown == ("" if pd.isna(value) else f"{value:.2f}")
    big = raw[jobs].idxmax()
    assert raw[jobs][big] >= 1000 and size[jobs][big] == f"{raw[jobs][big]:,.0f}"
    assert "," in size[jobs][big]
    growth = next(c for c in change.columns if str(c).startswith("Growth p.a."))
    assert all(g == "" or g.endswith("%") for g in change[growth])


def test_missing_growth_is_blank_with_a_caption(ebbcombe: AppTest) -> None:
    at = ebbcombe
    raw = at.table[1].value
    growth = next(c for c in raw.columns if str(c).startswith("Growth p.a."))
    missing = raw[growth].isna()
    assert missing.any(), "Ebbcombe has sectors with no jobs at the start"
    shown = _shown(at, 1)
    assert (shown[growth][missing] == "").all()
    assert not any("None" in str(v) for t in (_shown(at, 0), shown) for v in t.to_numpy().ravel())
    assert any("A blank cell: not available" in c.value for c in at.caption)


def test_tables_fit_the_page(ebbcombe: AppTest) -> None:
    assert all(len(t.value.columns) <= MAX_COLUMNS for t in ebbcombe.table)
    columns = [c for t in ebbcombe.table for c in t.value.columns if c != "Sector"]
    for name in ("LQ vs GB", "LQ vs region", "GB localisation (Hoover)", "Dynamics",
                 "Productivity vs GB", "GB growth p.a."):
        assert name in columns  # split in two, nothing dropped


def test_comparators_show_why_similar_in_full() -> None:
    at = make_app("profile", StrategySession(area_code=_area("Ashminster"),
                                             area_name="Ashminster")).run()
    open_tab(at, "profile_tab", "Comparators")
    assert not at.exception
    assert len(at.table) == 1 and not at.dataframe  # a table wraps; a grid cut the reasons
    table = at.table[0].value
    assert list(table.columns) == ["Comparator", "Code", "Distance", "Why similar"]
    session = at.session_state["policymix_session"]
    assert session.area_code == _area("Ashminster")
    assert all(len(str(r)) > 40 for r in table["Why similar"])
