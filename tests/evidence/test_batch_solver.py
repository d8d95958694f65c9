"""A batch's Leontief solves run in the second thread (``AreaAnalysis.prepare``) and give the
multipliers, and so the profiles, the same solves in this thread give."""

from __future__ import annotations

import threading

import pytest

import evidence.area_analysis as area_analysis
from evidence.analysis import supply_chain
from evidence.service import Evidence


def _dumps(ev: Evidence, codes: list[str]) -> list[str]:
    ev._indicators.clear()  # noqa: SLF001 - nothing cached: every solve made again
    return [p.model_dump_json() for p in ev.profiles(codes)]


def test_the_solver_thread_gives_the_same_profiles(monkeypatch: pytest.MonkeyPatch) -> None:
    ev = Evidence.from_path(None)
    codes = ev.cube.areas["area_code"].astype(str).tolist()
    threads: list[str] = []
    solve = supply_chain.type_i_output_multipliers

    def watched(a: object) -> object:
        threads.append(threading.current_thread().name)
        return solve(a)  # type: ignore[arg-type]

    monkeypatch.setattr(supply_chain, "type_i_output_multipliers", watched)
    beside = _dumps(ev, codes)
    assert threads and all(t.startswith("policymix-solve") for t in threads)
    threads.clear()
    monkeypatch.setattr(area_analysis, "_SOLVE_BESIDE", 10 ** 9)  # solved in this thread
    here = _dumps(ev, codes)
    assert threads == [threading.current_thread().name]
    assert beside == here
