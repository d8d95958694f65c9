"""The report's appraisal sections after the walk (Ashminster, E08000017, bundled demo): the
summary names no winner on a tie and never says "0.0 points ahead"; the weight thresholds
say "does not change within the range" rather than 100%; the share of draws is the same
number as in the rank stability statement; switching values exist or are said not to."""

from __future__ import annotations

import pytest

from evidence.service import Evidence
from policy.appraisal import share_text
from policy.export import build_bundle
from policy.export.report import NO_CHANGE, Paragraph, Table, format_value, report_blocks
from policy.walkthrough import new_session


@pytest.fixture(scope="module")
def blocks() -> tuple[list, object]:
    ev = Evidence.from_path(None)
    bundle = build_bundle(new_session(ev, "E08000017"), ev)
    return report_blocks(bundle), bundle


def test_the_summary_names_no_winner_on_a_tie(blocks) -> None:  # noqa: ANN001
    items, bundle = blocks
    rec = next(b for b in items if isinstance(b, Paragraph) and b.label == "Recommended option: ")
    # Full, Core and Light are the same interventions at three budgets and value for money is
    # unscored until benefits are in: the scores cannot tell them (or the focus options) apart
    assert rec.text.startswith("no clear winner between Full, Core")
    assert "0.0 points" not in rec.text
    cost = next(b for b in items if isinstance(b, Paragraph) and b.label == "Cost: ")
    assert "Full GBP 150.5m" in cost.text and "Light GBP 27.7m" in cost.text
    assert bundle.results.verdict.winner is None


def test_thresholds_stay_within_the_range_and_shares_match(blocks) -> None:  # noqa: ANN001
    items, bundle = blocks
    thresholds = next(b for b in items if isinstance(b, Table)
                      and any(c.header == "Upper threshold" for c in b.columns))
    cells = [format_value(v, c.fmt) for row in thresholds.rows
             for v, c in zip(row, thresholds.columns, strict=True)
             if c.header in ("Lower threshold", "Upper threshold")]
    assert "100.0%" not in cells and "0.0%" not in cells and NO_CHANGE in cells
    stab = bundle.results.stability
    p = stab.p_first["full"]
    shares = next(b for b in items if isinstance(b, Table)
                  and any(c.header == "P(first)" for c in b.columns))
    col = next(c for c in shares.columns if c.header == "P(first)")
    row = next(r for r in shares.rows if r[0] == "Full")
    assert format_value(row[1], col.fmt) == share_text(p)
    assert 0.0 < p < 1.0  # neither 0% nor 100%: the old statement said 100% for 99.9%
    assert f"ranks first in {share_text(p)}" in bundle.results.stability_statement


def test_cash_flows_without_calendar_years_have_no_column_of_blanks(blocks) -> None:  # noqa: ANN001
    items, _ = blocks
    flows = next(b for b in items if isinstance(b, Table) and b.columns[0].header == "Year")
    assert "Calendar year" not in [c.header for c in flows.columns]
    cba = next(b for b in items if isinstance(b, Table)
               and any(c.header == "Switching value: benefits (%)" for c in b.columns))
    i = [c.header for c in cba.columns].index("Switching value: benefits (%)")
    assert {r[i] for r in cba.rows} == {"none: no benefits"}
