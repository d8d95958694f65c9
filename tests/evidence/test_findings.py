"""Findings: confidence honest about small and suppressed counts; numbers with denominators."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from evidence.findings import confidence
from evidence.indicators import herfindahl, krugman_dissimilarity, shannon_entropy
from evidence.service import Evidence
from evidence.sources.demo import ARCHETYPES


@given(st.floats(0, 1e6), st.floats(0, 1e6))
def test_confidence_grows_with_jobs(a: float, b: float) -> None:
    lo, hi = sorted((a, b))
    assert confidence(lo) <= confidence(hi) <= 0.95


@given(st.floats(1, 1e6), st.integers(0, 4))
def test_suppressed_cells_lower_confidence(jobs: float, suppressed: int) -> None:
    assert confidence(jobs, suppressed, 4) <= confidence(jobs, 0, 4)


def test_small_counts_get_low_confidence() -> None:
    # n / (n + 50) * 0.95: 20 jobs -> 0.27, 5,000 jobs -> 0.94
    assert confidence(20) == 0.27
    assert confidence(5000) == 0.94


def test_every_finding_states_its_year_and_yardstick() -> None:
    ev = Evidence.from_path(None)
    for codes in ARCHETYPES.values():
        for f in ev.profile(codes[0]).findings:
            assert f.threshold, f
            assert any(k in f.values for k in ("year", "period")), f
            assert str(ev.years[-1]) in f.text or "-" in str(f.values.get("period", "")), f


def test_concentration_is_undefined_without_jobs() -> None:
    """Issue 10: HHI, entropy and Krugman are NaN, not 0, for an area with no jobs."""
    emp = np.array([[[0.0], [0.0]], [[30.0], [10.0]]])  # [A=2, S=2, Y=1]
    hhi, ent = herfindahl(emp), shannon_entropy(emp)
    assert np.isnan(hhi[0, 0]) and np.isnan(ent[0, 0])
    assert hhi[1, 0] == pytest.approx(0.75**2 + 0.25**2)
    assert ent[1, 0] == pytest.approx(-(0.75 * np.log(0.75) + 0.25 * np.log(0.25)))
    k = krugman_dissimilarity(emp, np.array([[1.0], [1.0]]))
    assert np.isnan(k[0, 0]) and k[1, 0] == pytest.approx(0.5)


def test_findings_on_the_demo_are_selective_and_consistent() -> None:
    """Spreading fires on under a third of districts per sector (it was 94% for any); a finding's
    LQ reads as the profile table's; automation reports a mean probability, not a share 'in
    tasks'."""
    ev = Evidence.from_path(None)
    codes = list(ev.cube.areas.loc[ev.cube.areas["level"] == "lad", "area_code"])
    spreading: dict[str | None, int] = {}
    for code in codes[::4]:
        p = ev.profile(code)
        for f in p.findings:
            if f.topic == "thin_growth_sector":
                spreading[f.sector] = spreading.get(f.sector, 0) + 1
            if f.topic == "specialisation":
                assert f.values["lq"] == p.sector(f.sector).lq
                assert f"{p.sector(f.sector).lq:.2f}" in f.text
            if f.topic == "automation":
                assert "mean probability" in f.text and "in tasks" not in f.text
    assert max(spreading.values(), default=0) < len(codes[::4]) / 3
