"""AppTest: the evidence profile's Analysis view renders on the bundled demo (issue 11)."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from evidence.sources.demo import ARCHETYPES
from policy.session import StrategySession
from tests.ui.apptest_helpers import make_app, open_tab


def _texts(at: AppTest) -> str:
    parts = [c.value for c in at.caption] + [m.value for m in at.markdown]
    return "\n".join(str(p) for p in parts)


def test_analysis_view_renders_without_exception() -> None:
    code = ARCHETYPES["engineering_assembly_cluster"][0]
    at = make_app("profile", StrategySession(area_code=code, area_name="x")).run()
    assert not at.exception
    assert "Analysis" in [t.label for t in at.tabs]
    assert not at.subheader, "only the open tab (Structure) is drawn"
    open_tab(at, "profile_tab", "Analysis")
    assert not at.exception
    assert [s.value for s in at.subheader][-3:] == [
        "Supply chains", "What the area could move into next", "Where clusters sit"]
    labels = [m.label for m in at.metric]
    assert any(label.startswith("Regional Type I output multiplier") for label in labels)
    assert any(label.startswith("Related variety") for label in labels)
    text = _texts(at)
    assert "advanced manufacturing classes" in text  # the class detail is stated
    assert "synthetic hex map" in text  # and where the cluster centroids come from
    # supply chain, opportunities and Esteban-Marquillas tables
    assert len(at.dataframe) >= 3
    # the map can switch sector and still render
    at.selectbox(key="analysis_map_sector").set_value("pharmaceuticals").run()
    assert not at.exception
    at.selectbox(key="analysis_chain_sector").set_value("automotive").run()
    assert not at.exception
