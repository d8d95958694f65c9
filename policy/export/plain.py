"""The report's blocks in words: every code the vocabularies know replaced by its label.

The Word and HTML writers pass :func:`policy.export.report.report_blocks` through
:func:`plain_blocks`, so whatever a section writes with an id in it (a chain diagnosis, a
rule's filter, an option's interventions) reaches the reader as words from the one vocabulary
(:mod:`policy.labels`). The JSON and Excel exports keep the codes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from policy.export.report import Block, Heading, Paragraph, Table, TitlePage
from policy.labels import in_words

__all__ = ["plain_blocks"]


def _cell(value: Any, words: Callable[[str], str]) -> Any:
    if isinstance(value, str):
        return words(value)
    if isinstance(value, list | tuple) and all(isinstance(v, str) for v in value):
        return [words(v) for v in value]
    return value


def _plain(block: Block, words: Callable[[str], str]) -> Block:
    if isinstance(block, Heading):
        return replace(block, text=in_words(block.text, known_only=True))
    if isinstance(block, Paragraph):
        return replace(block, text=in_words(block.text, known_only=True),
                       label=in_words(block.label, known_only=True))
    if isinstance(block, Table):
        return replace(block, rows=[[_cell(v, words) for v in row] for row in block.rows],
                       caption=in_words(block.caption, known_only=True),
                       note=in_words(block.note, known_only=True),
                       columns=[replace(c, header=in_words(c.header, known_only=True))
                                for c in block.columns])
    if isinstance(block, TitlePage):
        return replace(block, lines=[(k, in_words(v, known_only=True)) for k, v in block.lines])
    return block


def plain_blocks(blocks: list[Block]) -> list[Block]:
    """``blocks`` with every known code in their text replaced by its words.

    A report's tables repeat their cells ("met", "unscored", a rule's test): of about 2,000
    strings in a demo report some 900 differ, so each is put into words once a call (the
    vocabularies do not change within one)."""
    seen: dict[str, str] = {}

    def words(text: str) -> str:
        if text not in seen:
            seen[text] = in_words(text, known_only=True)
        return seen[text]

    return [_plain(b, words) for b in blocks]
