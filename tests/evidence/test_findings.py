"""Findings: confidence honest about small and suppressed counts; numbers with denominators."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from evidence.findings import confidence
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
