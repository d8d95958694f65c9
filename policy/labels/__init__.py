"""Words for codes, on screen and in the Word and HTML reports (issue 15): see
:mod:`policy.labels.words`. The words themselves are data (``evidence/data/labels.yaml`` and
the vocabularies that carry their own labels)."""

from policy.labels.words import (
    condition_words,
    confidence_word,
    finding_heading,
    growth_words,
    in_words,
    indicator_label,
    known,
    label,
    local_time,
    lq_text,
    needs_words,
    number_text,
    percent_text,
    reader_words,
    sentence,
    word,
)

__all__ = [
    "condition_words",
    "confidence_word",
    "finding_heading",
    "growth_words",
    "in_words",
    "known",
    "indicator_label",
    "label",
    "local_time",
    "lq_text",
    "needs_words",
    "number_text",
    "percent_text",
    "reader_words",
    "sentence",
    "word",
]
