"""The report's "Position" sentence: a most specialised sector only where some LQ is above 1."""

from __future__ import annotations

import pytest

from evidence.service import Evidence
from policy.export import build_bundle
from policy.export.report import Heading, Paragraph, Table, report_blocks
from policy.walkthrough import new_session


def _position(code: str) -> str:
    ev = Evidence.from_path(None)
    bundle = build_bundle(new_session(ev, code), ev)
    block = next(b for b in report_blocks(bundle)
                 if isinstance(b, Paragraph) and b.label == "Position: ")
    return block.text


@pytest.mark.parametrize(("code", "said"), [
    ("E09000005", "no sector is specialised (largest LQ 0."),  # Granmouth: a thin base
    ("E08000017", "its most specialised sector is Automotive (LQ 12.18"),  # Ashminster
])
def test_the_position_says_specialised_only_above_one(code: str, said: str) -> None:
    text = _position(code)
    assert said in text, text
    if "no sector is specialised" in text:
        assert "most specialised" not in text


def _niche_table(code: str):  # noqa: ANN202 - the report's Table
    ev = Evidence.from_path(None)
    items = report_blocks(build_bundle(new_session(ev, code), ev))
    at = next(i for i, b in enumerate(items)
              if isinstance(b, Heading) and b.text == "Niche risk")
    return next(b for b in items[at:] if isinstance(b, Table))


def test_the_niche_table_judges_each_sector_on_its_own_share() -> None:
    table = _niche_table("E07000078")  # Ebbcombe: weapons a niche, computers 14% of jobs
    rows = {(r[0], r[1]): r for r in table.rows}
    assert [c.header for c in table.columns][:4] == [
        "Vertical intervention", "Sector", "Share of local jobs", "Niche"]
    niche = {r[1] for r in rows.values() if r[3]}
    assert "Weapons and ammunition" in niche
    assert "Computers, electronics and optics" not in niche
    for r in rows.values():
        if r[2] is not None and r[2] < 0.01:
            assert r[3], r  # under the 1% line, sector by sector (weapons, at 1.23% but
            # resting on a handful of jobs, is a niche for that reason: policy.mix)
    assert "judged sector by sector" in table.caption


def test_the_report_says_why_there_is_no_cluster_map_for_nuts2_areas() -> None:
    from evidence.service import SAMPLE_NUTS2, load_any  # noqa: PLC0415 - this test only

    ev = Evidence.from_dataset(load_any(SAMPLE_NUTS2))
    bundle = build_bundle(new_session(ev, "UKF1", data_source=SAMPLE_NUTS2), ev)
    assert bundle.cluster_map == [] and bundle.cluster_map_note
    items = report_blocks(bundle)
    notes = [b.text for b in items if isinstance(b, Paragraph) and b.kind == "note"]
    assert any(n.startswith("No map of these areas") and "39 NUTS2 areas" in n for n in notes)


def test_a_district_report_has_the_map_and_no_such_note() -> None:
    ev = Evidence.from_path(None)
    bundle = build_bundle(new_session(ev, "E08000017"), ev)
    assert bundle.cluster_map and bundle.cluster_map_note is None
