"""AppTest of the real NUTS2 sample on the data and profile pages (the browser walk's
findings): its areas are NUTS2 areas, not districts; the Analysis tab says why there is no
cluster map instead of crashing; the headline tiles name what they show."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from evidence.service import SAMPLE_NUTS2
from evidence.sources.demo import ARCHETYPES
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


def test_headline_tiles_name_the_mean_probability_and_say_why_it_is_missing() -> None:
    at = make_app("profile", _session()).run()
    assert not at.exception
    tiles = {m.label: m for m in at.metric}
    assert "Jobs exposed to automation" not in tiles
    auto = tiles["Mean probability of automation (job-weighted)"]
    assert auto.value == "-"  # the sample has no jobs by occupation, and the page says why
    assert any("needs jobs by occupation" in c.value for c in at.caption)
    krugman = tiles["Krugman specialisation"]
    assert "Krugman (1991)" in krugman.help and "over 84 industries" in krugman.help


def test_headline_tiles_on_the_demo_cite_the_probability_source() -> None:
    code = ARCHETYPES["engineering_assembly_cluster"][0]
    at = make_app("profile", StrategySession(area_code=code, area_name="x")).run()
    assert not at.exception
    auto = {m.label: m for m in at.metric}["Mean probability of automation (job-weighted)"]
    assert auto.value.endswith("%")
    assert "ONS 2019" in auto.help and "not the share of jobs at high risk" in auto.help
    assert not any("needs jobs by occupation" in c.value for c in at.caption)


def test_data_page_counts_the_sample_in_its_own_areas() -> None:
    at = make_app("data", _session()).run()
    assert not at.exception
    text = _texts(at) + "\n".join(r.options[0] for r in at.radio if r.options)
    assert "39 NUTS2 areas" in text
    assert "39 districts" not in text
    everything = text + "\n".join(" ".join(r.options) for r in at.radio)
    assert everything.lower().count("real official statistics") <= 2
    assert "NUTS2 area" in [o for r in at.radio for o in r.options]
    assert "Custom list of NUTS2 areas" in [o for r in at.radio for o in r.options]
