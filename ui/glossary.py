"""The glossary: the terms the pages and reports use, in plain words with their sources.

Why: a workshop reads "LISA HL, pseudo p = 0.377", "homothetic competitive effect" or "BCR"
off the screen; the definitions live in ``ui/glossary.yaml`` (data, not code) and are shown
in the sidebar on every page, searchable, so nobody has to leave the step to look one up.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

import streamlit as st
from pydantic import BaseModel, Field

from evidence.yaml_load import load_yaml
from ui.widgets import lazy_expander

__all__ = ["GLOSSARY_OPEN", "Term", "glossary_sidebar", "load_glossary", "matching"]


class Term(BaseModel):
    """One entry: the term, the other words it is shown as, what it means, where from."""

    term: str = Field(min_length=1)
    also: tuple[str, ...] = ()
    means: str = Field(min_length=20)
    source: str = Field(min_length=3)

    def words(self) -> tuple[str, ...]:
        """Everything a search may match: the term and its other names, lower case."""
        return tuple(w.lower() for w in (self.term, *self.also))


@lru_cache(maxsize=1)
def load_glossary() -> tuple[Term, ...]:
    """The entries of ``ui/glossary.yaml``, in file order."""
    text = resources.files("ui").joinpath("glossary.yaml").read_text(encoding="utf-8")
    return tuple(Term.model_validate(item) for item in load_yaml(text)["terms"])


def matching(query: str, terms: tuple[Term, ...] | None = None) -> list[Term]:
    """The entries whose term or other names contain ``query`` (case ignored), those whose
    term does first; every entry for an empty query; else those whose meaning mentions it."""
    terms = load_glossary() if terms is None else terms
    q = query.strip().lower()
    if not q:
        return list(terms)
    named = [t for t in terms if any(q in w for w in t.words())]
    named.sort(key=lambda t: q not in t.term.lower())
    if named:
        return named
    return [t for t in terms if q in t.means.lower()]


def glossary_sidebar() -> None:
    """A sidebar expander, drawn only while open (:func:`ui.widgets.lazy_expander`: 31
    entries on every page's rerun would cost every step): a search box and the matching
    entries (file text only: no HTML)."""
    with st.sidebar:
        lazy_expander("Glossary: what the terms mean", key=GLOSSARY_OPEN, draw=_entries)


GLOSSARY_OPEN = "glossary_open"
"""``st.session_state`` key: the sidebar's glossary is open."""


def _entries() -> None:
    query = st.text_input("Find a term", key="glossary_query",
                          placeholder="e.g. LQ, pseudo p, BCR")
    found = matching(query)
    if not found:
        st.caption(f"No term matches. The glossary has {len(load_glossary())} terms.")
    for t in found:
        st.markdown(f"**{t.term}**: {t.means}")
        st.caption(f"Source: {t.source}")
