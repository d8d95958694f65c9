"""The report's "Position" sentence: a most specialised sector only where some LQ is above 1."""

from __future__ import annotations

import pytest

from evidence.service import Evidence
from policy.export import build_bundle
from policy.export.report import Paragraph, report_blocks
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
