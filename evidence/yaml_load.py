"""The project's own YAML data files read through libyaml's C parser when PyYAML has it.

``yaml.safe_load`` always uses PyYAML's pure-Python scanner, parser and composer: the
bundled data files (rules' scoring, rationales, appraisal tables, programmes, questions,
labels) cost a command about 0.1-0.2 s of start-up that way (cProfile of ``policymix
appraise``, issue 14), several times what libyaml's parser takes for the same text.
``CSafeLoader`` is that C parser with the same safe constructor and resolver, so it builds the
same plain Python values (``tests/evidence/test_yaml_load.py`` compares both loaders on every
bundled YAML file); without libyaml the pure-Python ``SafeLoader`` is used.

A syntax error is raised as PyYAML's own (the pure-Python parser is run again on the text), so
the message and its line and column read as they always have. User files with limits on depth
and size go through ``rules.loader.safe_yaml``, which uses the same loader.
"""

from __future__ import annotations

from typing import Any

import yaml

__all__ = ["YAML_LOADER", "load_yaml"]

YAML_LOADER: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""libyaml's safe loader (C) when PyYAML was built with it, else the pure-Python one; both
construct only plain YAML types."""


def load_yaml(text: str) -> Any:
    """``yaml.safe_load(text)``, parsed by :data:`YAML_LOADER`; the same values and errors."""
    try:
        return yaml.load(text, Loader=YAML_LOADER)
    except yaml.YAMLError:
        if YAML_LOADER is not yaml.SafeLoader:
            yaml.safe_load(text)  # PyYAML's own wording and marks
        raise
