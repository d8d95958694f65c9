"""An export reads the Evidence the app already holds (issue 14): preparing a report never
reads the data file again, so a full-demo session does not re-read its 2.2 million rows."""

from __future__ import annotations

import pytest

from evidence.sources.demo import ARCHETYPES
from policy.session import StrategySession
from tests.ui.apptest_helpers import make_app


def _refuse(*args: object, **kwargs: object) -> None:
    raise AssertionError("the data file was read again for an export")


@pytest.mark.parametrize("fmt", ["html", "docx"])
def test_an_export_uses_the_loaded_evidence(monkeypatch: pytest.MonkeyPatch, fmt: str) -> None:
    session = StrategySession(area_code=ARCHETYPES["engineering_assembly_cluster"][0],
                              area_name="x", chosen_interventions=["cluster_network"])
    at = make_app("export", session, timeout=180).run()  # the page loads (or finds) the data
    assert not at.exception
    monkeypatch.setattr("ui.state.load_any", _refuse)
    monkeypatch.setattr("evidence.service.load_any", _refuse)
    monkeypatch.setattr("evidence.service.read_tidy_any", _refuse)
    at.radio(key="export_format").set_value(fmt).run()
    at.button(key="prepare_export").click().run()
    assert not at.exception, at.exception
    got, blob = at.session_state["export_blob"]
    assert got == fmt and len(blob) > 10_000
