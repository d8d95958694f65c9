"""The policy mix checks section answers "how will it be co-ordinated" (issue 10 s.2): who
leads and partners each chosen intervention, the programmes in or near the place, the flags."""

from __future__ import annotations

from evidence.service import Evidence
from evidence.sources.demo import ARCHETYPES
from policy.catalogue import ACTOR_LABELS
from policy.export import build_bundle
from policy.export.report import SECTION_TITLES, Heading, Paragraph, Table, report_blocks
from policy.session import StrategySession


def _mix_section(blocks: list) -> list:
    start = next(i for i, b in enumerate(blocks)
                 if isinstance(b, Heading) and b.text == SECTION_TITLES[7])
    end = next((i for i, b in enumerate(blocks[start + 1:], start + 1)
                if isinstance(b, Heading) and b.level == 1), len(blocks))
    return blocks[start:end]


def test_mix_checks_say_who_leads_and_that_the_demo_needs_real_geography() -> None:
    code = ARCHETYPES["chemicals_flourishing"][0]
    bundle = build_bundle(StrategySession(area_code=code), Evidence.from_path(None))
    section = _mix_section(report_blocks(bundle))
    heads = [b.text for b in section if isinstance(b, Heading)]
    assert "Co-ordination: who leads, and what is already there" in heads
    notes = [b.text for b in section if isinstance(b, Paragraph)]
    assert any(t.startswith("programme presence needs real geography") for t in notes)
    table = next(b for b in section if isinstance(b, Table)
                 and [c.header for c in b.columns][:2] == ["Intervention", "Lead"])
    assert len(table.rows) == len(bundle.chosen)
    for iv, row in zip(bundle.chosen, table.rows, strict=True):
        assert iv.delivery is not None
        assert row[1] == ", ".join(ACTOR_LABELS[a] for a in iv.delivery.lead)
    # the demo's chemicals cluster has no Industrial Strategy sector plan: flagged
    flags = [b.text for b in section if isinstance(b, Paragraph) and b.label == "Flag: "]
    assert any("chemicals" in f and "sector plan" in f for f in flags)
