"""Words for codes, on screen and in the Word and HTML reports (issue 15): see
:mod:`policy.labels.words`. The words themselves are data (``evidence/data/labels.yaml`` and
the vocabularies that carry their own labels)."""

from evidence.lazy import lazy_exports

# Each name is imported from its room when first read (evidence.lazy): importing the
# package, or one room through it, does not load the others (issue 14).
__getattr__, __dir__, __all__ = lazy_exports(__name__, {
    "words": (
        "condition_words", "confidence_word", "finding_heading", "growth_words",
        "in_words", "indicator_label", "known", "label", "local_time", "lq_text",
        "needs_words", "number_text", "percent_text", "reader_words", "sentence", "word",
    ),
})
