"""Issue 15's proof: no page and no report shows a snake_case identifier or a bare ``None``.

One session with findings (one accepted), chosen interventions, an appraisal and a started
workshop goes to every page (AppTest) and into the HTML and Word reports; the visible text
(:mod:`tests.plain.visible`: JSON views and "Details" expanders excluded) must hold none.
A planted id proves the check can fail.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from evidence.service import Evidence
from evidence.sources.demo import ARCHETYPES
from policy.export import build_bundle, export
from policy.session import StrategySession
from policy.walkthrough import ensure_appraisal, recommend, seed_findings
from tests.plain.visible import app_text, docx_text, html_text, offenders
from tests.ui.apptest_helpers import make_app
from ui.steps import load_steps

AREA = ARCHETYPES["engineering_assembly_cluster"][0]


@pytest.fixture(scope="module")
def evidence() -> Evidence:
    return Evidence.from_path(None)


@pytest.fixture(scope="module")
def session(evidence: Evidence) -> StrategySession:
    s = StrategySession(area_code=AREA, area_name=evidence.profile(AREA).area.name)
    seed_findings(evidence, s)
    s.findings[0].status = "accepted"
    s.chosen_interventions = recommend(evidence, s).ids()[:4]
    ensure_appraisal(evidence, s)
    return s


def _report(found: list[tuple[str, str]]) -> str:
    return "\n".join(f"{where}: {word!r} in {text[:120]!r}" for where, word, text in found)


def _page_offenders(step: str, session: StrategySession) -> list[tuple[str, str, str]]:
    at = make_app(step, session.model_copy(deep=True)).run()
    assert not at.exception, at.exception
    if step == "workshop":
        at.button(key="ws_start").click().run()
        assert not at.exception, at.exception
    return [(where, word, text) for where, text in app_text(at, step)
            for word in offenders(text)]


@pytest.mark.parametrize("step", [s.id for s in load_steps()])
def test_page_shows_words_not_codes(step: str, session: StrategySession) -> None:
    found = _page_offenders(step, session)
    assert not found, _report(found)


@pytest.mark.parametrize("suffix", [".html", ".docx"])
def test_report_shows_words_not_codes(suffix: str, evidence: Evidence,
                                      session: StrategySession, tmp_path: Path) -> None:
    bundle = build_bundle(session.model_copy(deep=True), evidence, n_draws=100)
    path = export(bundle, tmp_path / f"report{suffix}")
    text = html_text(path) if suffix == ".html" else docx_text(path)
    found = sorted(set(offenders(text)))
    assert not found, found


def test_the_check_catches_a_code_and_none() -> None:
    assert offenders("Topic: thin_growth_sector") == ["thin_growth_sector"]
    assert offenders("calendar year = None") == ["None"]
    assert offenders("None yet.") == []
    assert offenders(":material/check_circle: Evidence profile") == []
    assert offenders("a^r_ij = a_ij min(FLQ_ij, 1)") == []  # formula notation, allowed
    assert offenders("see evidence.sources.demo for the planted patterns") == [
        "evidence.sources.demo"]
    assert offenders("synthetic demo (seed 2015); scale small: Table 1 classes and TOTAL") == [
        "(seed 2015)", "Table 1 classes", "TOTAL"]
    assert offenders("999 permutations, seed 12345; Green Book Table 1 rates") == []
    assert offenders("national reference: Great Britain row (K03000001)") == [
        "row (K03000001)"]


def test_the_page_icon_is_a_shipped_file_not_an_outside_font() -> None:
    from ui.app import FAVICON  # the shell's constant, read where the test needs it

    assert FAVICON.is_file() and FAVICON.read_bytes().startswith(b"\x89PNG")
    source = (FAVICON.parent / "app.py").read_text(encoding="utf-8")
    assert "page_icon=str(FAVICON)" in source and 'page_icon=":material' not in source
