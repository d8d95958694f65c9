"""The pages and the report show the same numbers for one session: one walkthrough path.

A session with a rejected finding, a dropped intervention and no appraisal saved yet goes to the
candidate interventions and option appraisal pages (AppTest) and, untouched, into the export
bundle (:func:`policy.export.build_bundle`). The scores, the chosen interventions, the default
options and the MCDA totals on screen must equal the report's.
"""

from __future__ import annotations

import re

import pytest

from evidence.service import Evidence
from evidence.sources.demo import ARCHETYPES
from policy.export import build_bundle
from policy.session import StrategySession
from policy.walkthrough import TOP_N, seed_findings
from tests.ui.apptest_helpers import SESSION_KEY, app_at, open_tab


@pytest.fixture(scope="module")
def evidence() -> Evidence:
    return Evidence.from_path(None)


@pytest.fixture
def session(evidence: Evidence) -> StrategySession:
    code = ARCHETYPES["engineering_assembly_cluster"][0]
    s = StrategySession(area_code=code, area_name="x")
    seed_findings(evidence, s)
    s.findings[0].status = "rejected"
    s.findings[1].status = "accepted"
    ranked = build_bundle(s, evidence, n_draws=200).recommendations["recommended"]
    s.dropped_interventions = [ranked[0]["intervention"]]  # the top one, so the default moves
    return s


def test_interventions_page_scores_are_the_reports(
    evidence: Evidence, session: StrategySession
) -> None:
    bundle = build_bundle(session.model_copy(deep=True), evidence, n_draws=200)
    at = app_at("interventions", session)
    assert not at.exception
    shown = {}
    for exp in at.expander:
        found = re.match(r"Why (.+)\? \(score ([0-9.]+);", exp.label)
        if found:
            shown[found.group(1)] = float(found.group(2))
    names = {iv.id: iv.name for iv in bundle.catalogue.values()}
    report = {names[r["intervention"]]: round(r["score"], 2)
              for r in bundle.recommendations["recommended"]}
    assert shown, "the page shows the ranking with its scores"
    assert shown == report


def test_appraisal_page_numbers_are_the_reports(
    evidence: Evidence, session: StrategySession
) -> None:
    bundle = build_bundle(session.model_copy(deep=True), evidence, n_draws=200)
    dropped = session.dropped_interventions[0]
    assert dropped not in bundle.chosen_ids and len(bundle.chosen_ids) == TOP_N
    at = app_at("appraisal", session)
    assert not at.exception
    stored = at.session_state[SESSION_KEY].appraisal
    assert stored.model_dump() == bundle.appraisal.model_dump(), \
        "the page's default appraisal is the one the report used"
    open_tab(at, "appraisal_tab", "Results and sensitivity")
    table = next(df.value for df in at.dataframe if "weighted score" in df.value.columns)
    names = {o.id: o.name for o in bundle.appraisal.options}
    report = sorted((r.rank, names[r.option_id], round(r.total, 1))
                     for r in bundle.results.mcda.rows)
    page = sorted(zip(table["rank"], table["option"], table["weighted score"], strict=True))
    assert page == report
