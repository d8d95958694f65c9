"""Output of the rules engine: ranked recommendations, each with the trace of what fired.

These models are the contract with ``policy`` and ``ui``; ``model_dump(mode="json")`` is the JSON
an exported appraisal embeds, so every recommendation can be followed back to its rule, the
values it tested and the findings it relied on.
"""

from __future__ import annotations

from pydantic import BaseModel, Field

from rules.models import Rationale


class ConditionTrace(BaseModel):
    """One evaluated test of a fired rule.

    ``op`` is ``lt`` .. ``ne`` for indicators, ``exists`` / ``absent`` for findings,
    ``present`` / ``missing`` for presence tests and ``in`` / ``not_in`` for the area level; a
    ``not`` in the rule is already folded into the op, so ``result`` is the truth of the test as
    shown. ``actual`` is None when the value is missing (the test is then false). ``note`` names
    the yardstick (national figure, median of n comparators) or why the test could not be judged.
    """

    path: str
    op: str
    actual: float | int | str | None
    threshold: float | int | str | None
    result: bool
    findings: list[str] = Field(default_factory=list)
    note: str | None = None


class FiredRule(BaseModel):
    """A rule whose condition held, with every test it evaluated."""

    rule: str
    title: str
    why: str
    rationale: Rationale
    conditions: list[ConditionTrace]


class Recommendation(BaseModel):
    """An intervention the evidence points to.

    ``score`` counts each piece of evidence once: the sum over the findings (or, for rules that
    fired on indicators alone, the indicator tests) behind the fired rules of the largest
    ``weight x confidence / number of pieces the rule rests on`` any rule recommending this
    intervention gives that piece (see :mod:`rules.engine`).
    """

    intervention: str
    score: float
    rationales: list[str]
    sectors: list[str]
    trace: list[FiredRule]


class NotRecommended(BaseModel):
    """A catalogue intervention no rule recommended, with why each candidate rule did not fire."""

    intervention: str
    why: list[str]


class Recommendations(BaseModel):
    recommended: list[Recommendation]
    not_recommended: list[NotRecommended]
    advice: list[str] = Field(default_factory=list)
    """Outcomes stated by fired rules beyond the list (e.g. "advanced manufacturing is not a
    priority here: consider ...")."""

    def ids(self) -> list[str]:
        """Recommended intervention ids in rank order."""
        return [r.intervention for r in self.recommended]

    def get(self, intervention: str) -> Recommendation | None:
        for item in self.recommended:
            if item.intervention == intervention:
                return item
        return None
