"""The rationale vocabulary, read from ``rules/data/rationales.yaml``: one file for the rules,
the intervention catalogue, the rationale questions and the reports.

Rationales fall in three families (market failure, system failure, equity); a rule or an
intervention naming a rationale that is not in the file fails validation with its field named.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from typing import Literal

from pydantic import BaseModel, ConfigDict

from evidence.yaml_load import load_yaml

__all__ = ["RATIONALE_FAMILIES", "RATIONALE_LABELS", "RATIONALES", "RationaleEntry",
           "load_rationales"]

Family = Literal["market_failure", "system_failure", "equity"]


class RationaleEntry(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str
    family: Family
    label: str


@lru_cache(maxsize=1)
def load_rationales() -> tuple[RationaleEntry, ...]:
    text = resources.files("rules").joinpath("data/rationales.yaml").read_text(encoding="utf-8")
    entries = tuple(RationaleEntry.model_validate(item) for item in load_yaml(text))
    ids = [e.id for e in entries]
    if len(set(ids)) != len(ids):
        raise ValueError("rules/data/rationales.yaml: a rationale id is listed twice")
    return entries


RATIONALES: tuple[str, ...] = tuple(e.id for e in load_rationales())
"""Every rationale id, in file order (market failures, system failures, equity)."""

RATIONALE_FAMILIES: dict[str, str] = {e.id: e.family for e in load_rationales()}
"""Rationale id -> its family: appraisals report the case by family."""

RATIONALE_LABELS: dict[str, str] = {e.id: e.label for e in load_rationales()}
"""Rationale id -> a label a reader can follow."""
