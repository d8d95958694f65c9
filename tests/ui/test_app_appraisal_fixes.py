"""AppTest of the option appraisal page after the read-only walk's findings (Ashminster,
E08000017, bundled demo): no recommendation on a tie, no threshold past a weight of 1,
switching values in words, blanks and words instead of "None" and ids, the share of draws
as the report prints it, and the steps a user finished counted as done."""

from __future__ import annotations

import re

import pytest

from evidence.service import Evidence
from policy.appraisal import share_text
from policy.export import build_bundle
from policy.session import StrategySession
from policy.walkthrough import new_session
from tests.ui.apptest_helpers import SESSION_KEY, app_at, open_tab

TABS = "appraisal_tab"
ASHMINSTER = "E08000017"


@pytest.fixture(scope="module")
def evidence() -> Evidence:
    return Evidence.from_path(None)


@pytest.fixture(scope="module")
def ashminster(evidence: Evidence) -> StrategySession:
    return new_session(evidence, ASHMINSTER)


def _frames(at) -> list:  # noqa: ANN001 - AppTest's element list
    return list(at.dataframe)  # st.dataframe and st.data_editor alike


def test_results_say_no_clear_winner_and_no_threshold_past_one(
        ashminster: StrategySession, evidence: Evidence) -> None:
    at = open_tab(app_at("appraisal", ashminster.model_copy(deep=True)), TABS,
                  "Results and sensitivity")
    assert not at.exception
    statement = next(m.value for m in at.markdown if m.value.startswith("**Rank stability.**"))
    assert "No clear winner between Full, Core" in statement
    assert "0.0 points" not in statement
    frames = [f.value for f in _frames(at)]
    thresholds = next(f for f in frames if "top changes above" in f.columns)
    cells = thresholds[["top changes below", "top changes above"]].to_numpy().ravel().tolist()
    assert "1.000" not in cells and "0.000" not in cells
    assert "does not change within the range" in cells
    shares = next(f for f in frames if "ranks first in (share of weight sets)" in f.columns)
    bundle = build_bundle(ashminster.model_copy(deep=True), evidence)
    stab = bundle.results.stability
    report = {bundle.option_name(o): share_text(stab.p_first[o]) for o in stab.option_ids}
    page = dict(zip(shares["option"], shares["ranks first in (share of weight sets)"],
                    strict=True))
    assert page == report  # the report's P(first) column, the same text
    assert f"ranks first in {page['Full']}" in statement


def test_scores_grid_shows_blanks_and_names_and_vfm_from_the_cba(
        ashminster: StrategySession) -> None:
    at = open_tab(app_at("appraisal", ashminster.model_copy(deep=True)), TABS, "Scores")
    assert not at.exception
    grid = next(f for f in _frames(at) if "rationale" in f.value.columns)
    assert grid.proto.placeholder == ""  # an unscored cell is blank, not "None"
    frame = grid.value
    assert frame["score"].dtype == "float64" and frame["score"].isna().any()
    ids = [t for t in frame["rationale"] if re.search(r"\b[a-z]+_[a-z_]+\b", t)]
    assert not ids, ids[:2]
    vfm = frame[frame["criterion"] == "Value for money"]
    assert set(vfm["from"]) == {"cost-benefit result"}
    options = vfm[vfm["option"] != "Business as usual"]["rationale"]
    assert len(options) and all("once its cost-benefit analysis has one" in t for t in options)
    bau = vfm[vfm["option"] == "Business as usual"]["rationale"]
    assert all("every option's BCR" in t for t in bau)
    open_tab(at, TABS, "Objectives and success factors")
    objectives = next(f.value for f in _frames(at) if "measure" in f.value.columns)
    assert not [m for m in objectives["measure"] if re.search(r"\b[a-z]+_[a-z_]+\b", m)]


def test_cost_benefit_says_switching_values_in_words_and_hides_empty_years(
        ashminster: StrategySession) -> None:
    at = open_tab(app_at("appraisal", ashminster.model_copy(deep=True)), TABS, "Cost-benefit")
    assert not at.exception
    switching = next(c.value for c in at.caption if c.value.startswith("Switching values"))
    assert "by -," not in switching and "no switching value for benefits" in switching
    assert "costs would have to fall to nothing" in switching
    assert next(m.value for m in at.metric if m.label == "BCR") == "none yet"  # not "-"
    yearly = next(f for f in _frames(at) if "discount factor" in f.value.columns)
    assert "calendar year" not in yearly.value.columns  # no first year set: no column of blanks
    streams = next(f for f in _frames(at) if "persistence" in f.value.columns)
    assert streams.proto.placeholder == ""
    assert streams.value["jobs"].dtype == "float64"


def test_moving_on_and_exporting_count_as_steps_done(ashminster: StrategySession) -> None:
    session = ashminster.model_copy(deep=True)
    session.steps_visited = []
    at = app_at("profile", session)
    assert not at.exception
    for step in ("appraisal", "export"):  # by the sidebar, not the Next buttons
        at.button(key=f"nav_{step}").click().run()
        assert not at.exception
    visited = at.session_state[SESSION_KEY].steps_visited
    assert "profile" in visited and "appraisal" in visited  # read, then left
    assert "export" not in visited  # on screen, nothing exported yet
    at.button(key="prepare_export").click().run()
    assert not at.exception
    assert "export" in at.session_state[SESSION_KEY].steps_visited
    progress = at.get("progress")[0].proto.text
    expander = " ".join(m.value for m in at.sidebar.markdown)
    assert "counts as done when" in expander
    done = int(progress.split(" of ")[0])
    assert done >= 6, progress  # data, profile, findings, interventions, appraisal, export
