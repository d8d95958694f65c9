"""AppTest of the real NUTS2 sample on the data and profile pages (the browser walk's
findings): its areas are NUTS2 areas, not districts; the Analysis tab says why there is no
cluster map instead of crashing; the headline tiles name what they show."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from evidence.service import SAMPLE_NUTS2
from policy.session import StrategySession
from tests.ui.apptest_helpers import make_app, open_tab

AREA = ("UKF1", "Derbyshire and Nottinghamshire")


def _texts(at: AppTest) -> str:
    parts = ([c.value for c in at.caption] + [m.value for m in at.markdown]
             + [i.value for i in at.info] + [w.value for w in at.warning])
    return "\n".join(str(p) for p in parts)


def _session() -> StrategySession:
    return StrategySession(data_source=SAMPLE_NUTS2, area_code=AREA[0], area_name=AREA[1])


def test_analysis_tab_on_nuts2_says_why_there_is_no_map() -> None:
    at = make_app("profile", _session()).run()
    assert not at.exception
    open_tab(at, "profile_tab", "Analysis")
    assert not at.exception, [e.value for e in at.exception]
    assert "Where clusters sit" in [s.value for s in at.subheader]
    text = _texts(at)
    assert "No map of these areas" in text
    assert "39 NUTS2 areas" in text
    # the spatial statistics say what they cannot compute without positions
    assert "Moran's I" in text and "not computed" in text
    assert "hot spots of" not in text  # no count of hot spots over an empty map
