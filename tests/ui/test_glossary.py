"""The glossary: its entries, its search, and the sidebar that shows it on every page."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from tests.ui.apptest_helpers import APP
from ui.glossary import GLOSSARY_OPEN, Term, load_glossary, matching

JARGON = [
    # what a browser walk of every page found unexplained, and the appraisal's terms
    "LQ", "regional LQ", "shift-share", "local competitive effect", "homothetic",
    "allocation", "Krugman", "Hoover", "relatedness density", "variety", "bits", "LISA",
    "HL", "pseudo p", "Moran's I", "KNN", "permutations", "distance", "rule score",
    "automation exposure", "GVA", "multiplier", "logic model", "mission", "NPV", "BCR",
    "switching value", "optimism bias", "deadweight", "displacement", "leakage", "MCDA",
    "niche", "suppressed",
]


def test_entries_have_a_meaning_and_a_source_and_distinct_terms() -> None:
    terms = load_glossary()
    assert len(terms) >= 25
    assert len({t.term.lower() for t in terms}) == len(terms)
    for t in terms:
        assert t.means.endswith("."), t.term
        assert len(t.source) > 10, t.term


@pytest.mark.parametrize("word", JARGON)
def test_the_terms_the_pages_use_are_found(word: str) -> None:
    assert matching(word), f"no glossary entry for {word!r}"


def test_search_puts_the_named_term_first_and_falls_back_to_meanings() -> None:
    assert matching("pseudo p")[0].term == "Pseudo p-value"
    assert matching("LQ")[0].term == "Location quotient (LQ)"
    assert matching("  bcr ")[0].term == "Benefit-cost ratio (BCR)"
    assert len(matching("")) == len(load_glossary())
    # no entry is named "shuffled", but the pseudo p-value's meaning says it
    assert [t.term for t in matching("shuffled")] == ["Pseudo p-value"]
    assert matching("no such word anywhere") == []


def test_a_term_needs_a_meaning_and_a_source() -> None:
    with pytest.raises(ValueError):
        Term(term="LQ", means="too short", source="x")


def test_the_sidebar_shows_the_glossary_and_searches_it() -> None:
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["step"] = "profile"
    at.run()
    assert not at.exception
    assert any("Glossary" in e.label for e in at.sidebar.expander)
    assert not at.sidebar.text_input  # closed: nothing inside is drawn on each rerun
    at.session_state[GLOSSARY_OPEN] = True  # opened (a click reruns with it set)
    at.run()
    at.sidebar.text_input(key="glossary_query").input("pseudo").run()
    shown = [m.value for m in at.sidebar.markdown]
    assert any(v.startswith("**Pseudo p-value**") for v in shown)
    assert not any(v.startswith("**Net present value") for v in shown)
    at.sidebar.text_input(key="glossary_query").input("zzzz").run()
    assert any("No term matches" in c.value for c in at.sidebar.caption)
