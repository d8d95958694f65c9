"""The README documents what the tool has: every step, key question and report section.

After datasette's ``tests/test_docs.py``: a name added to the code but not to the README fails
here, so the documentation cannot quietly fall behind.
"""

from __future__ import annotations

import re

import pytest

from policy.export.report import APPENDIX_TITLES, SECTION_TITLES, SUMMARY_TITLE
from policy.questions import load_questions
from tests.paths import ROOT
from ui.pages import PAGES
from ui.steps import load_steps

README = (ROOT / "README.md").read_text(encoding="utf-8")
ARCHITECTURE = (ROOT / "docs" / "ARCHITECTURE.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("title", [s.title for s in load_steps()])
def test_every_step_is_in_the_walkthrough_section(title: str) -> None:
    walkthrough = README.split("## The walkthrough", 1)[1].split("\n## ", 1)[0]
    assert f"**{title}**" in walkthrough


def test_every_step_has_a_page_and_every_page_a_step() -> None:
    assert [s.id for s in load_steps()] == list(PAGES)


@pytest.mark.parametrize("qid", [q.id for q in load_questions()])
def test_every_question_id_is_documented(qid: str) -> None:
    assert f"`{qid}`" in README


@pytest.mark.parametrize("title", [SUMMARY_TITLE, *SECTION_TITLES, *APPENDIX_TITLES])
def test_every_report_section_is_documented(title: str) -> None:
    flat = re.sub(r"\s+", " ", README)
    assert title in flat


@pytest.mark.parametrize("folder", ["catalogue", "appraisal", "workshop", "export"])
def test_architecture_names_each_policy_room(folder: str) -> None:
    assert f"{folder}/" in ARCHITECTURE
