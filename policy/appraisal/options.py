"""Options for appraisal: the long list, the business-as-usual baseline and the short list.

HM Treasury's Green Book (2022), chapter 4 and the options framework filter, asks that options be
generated against SMART *spending objectives* and filtered from a long list to a short list using
*critical success factors*, with the reason for discarding each option recorded, and that the
short list always keeps a business-as-usual (BAU) option as the benchmark every other option is
measured against. These models carry exactly that: what each option spends on which intervention
and when, and why options were dropped, so an exported appraisal can show its working.

Nothing here knows about scoring or discounting; ``policy.mcda`` and ``policy.cba`` read these.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any, Literal

from pydantic import BaseModel, Field, field_validator, model_validator

BASELINE_ID = "bau"
"""Id given to the business-as-usual option that :func:`ensure_baseline` creates."""


def _check_id(value: str, what: str) -> str:
    value = value.strip()
    if not value:
        raise ValueError(f"{what} id must not be empty")
    return value


class OptionIntervention(BaseModel):
    """One intervention inside an option: its budget and when it is spent.

    ``start_year_offset`` counts from year 0 of the appraisal (the first year of spend, as in
    ``policy.cba``); the budget is spread evenly over ``duration_years``. Budgets are in real
    terms (constant prices, GBP million), as the Green Book's cost-benefit analysis expects.
    ``budget_gbp_m`` is the public budget; ``private_gbp_m`` any private co-funding over the
    same years (it enters the social NPV, not the BCR's denominator). ``spend_type`` (capital
    or revenue) picks the optimism bias category (Green Book 2022, chapter 5).
    """

    intervention_id: str
    budget_gbp_m: float = Field(description="total budget over the duration, GBP million, real")
    start_year_offset: int = Field(0, description="first year of spend, counted from year 0")
    duration_years: int = Field(1, description="number of years the budget is spread over")
    spend_type: Literal["capital", "revenue"] = "revenue"
    private_gbp_m: float = Field(0.0, description="private co-funding over the same years")

    @field_validator("intervention_id")
    @classmethod
    def _id(cls, v: str) -> str:
        return _check_id(v, "intervention")

    @model_validator(mode="after")
    def _check(self) -> OptionIntervention:
        iid = self.intervention_id
        if not math.isfinite(self.budget_gbp_m) or self.budget_gbp_m < 0:
            raise ValueError(
                f"intervention '{iid}': budget_gbp_m must be a finite number >= 0, "
                f"got {self.budget_gbp_m}"
            )
        if not math.isfinite(self.private_gbp_m) or self.private_gbp_m < 0:
            raise ValueError(
                f"intervention '{iid}': private_gbp_m must be a finite number >= 0, "
                f"got {self.private_gbp_m}"
            )
        if self.start_year_offset < 0:
            raise ValueError(
                f"intervention '{iid}': start_year_offset must be >= 0 (year 0 is the first "
                f"year of spend), got {self.start_year_offset}"
            )
        if self.duration_years < 1:
            raise ValueError(
                f"intervention '{iid}': duration_years must be >= 1, got {self.duration_years}"
            )
        return self

    def spend_profile(self) -> dict[int, float]:
        """Budget by appraisal year: an even spread over the duration (GBP million)."""
        per_year = self.budget_gbp_m / self.duration_years
        first = self.start_year_offset
        return {first + k: per_year for k in range(self.duration_years)}

    def private_profile(self) -> dict[int, float]:
        """Private co-funding by appraisal year, spread like the budget (GBP million)."""
        per_year = self.private_gbp_m / self.duration_years
        first = self.start_year_offset
        return {first + k: per_year for k in range(self.duration_years)}


class Option(BaseModel):
    """An option: a named package of interventions with budgets and phasing.

    ``is_baseline`` marks the business-as-usual (or do-minimum) option. The Green Book (2022,
    chapter 4) requires BAU on every short list as the benchmark: options are appraised as
    changes against it, so it normally has no interventions of its own.
    """

    id: str
    name: str
    description: str = ""
    interventions: list[OptionIntervention] = Field(default_factory=list)
    is_baseline: bool = False
    rule: str = Field("", description="the rule the option was built by (empty: by hand)")

    @model_validator(mode="before")
    @classmethod
    def _name_option_in_budget_errors(cls, data: Any) -> Any:
        # The nested model also rejects these, but its message cannot name the option.
        if isinstance(data, Mapping):
            oid = data.get("id", "?")
            for item in data.get("interventions") or []:
                if isinstance(item, Mapping):
                    budget = item.get("budget_gbp_m")
                    if isinstance(budget, int | float) and not budget >= 0:
                        raise ValueError(
                            f"option '{oid}': intervention '{item.get('intervention_id', '?')}'"
                            f" has budget {budget} GBP m; budgets must be >= 0"
                        )
        return data

    @field_validator("id")
    @classmethod
    def _id(cls, v: str) -> str:
        return _check_id(v, "option")

    @model_validator(mode="after")
    def _unique_interventions(self) -> Option:
        seen: set[str] = set()
        for item in self.interventions:
            if item.intervention_id in seen:
                raise ValueError(
                    f"option '{self.id}': intervention '{item.intervention_id}' is listed twice; "
                    "combine its budgets into one entry"
                )
            seen.add(item.intervention_id)
        return self

    @property
    def total_budget_gbp_m(self) -> float:
        """Sum of the intervention budgets (GBP million, undiscounted)."""
        return float(sum(item.budget_gbp_m for item in self.interventions))

    def spend_profile(self) -> dict[int, float]:
        """Total budget by appraisal year across all interventions (years with spend only)."""
        out: dict[int, float] = {}
        for item in self.interventions:
            for year, amount in item.spend_profile().items():
                out[year] = out.get(year, 0.0) + amount
        return dict(sorted(out.items()))


class OptionRule(BaseModel):
    """A stated rule that builds one option from the chosen interventions (editable).

    ``scale`` picks each budget from the catalogue's cost range (low end, midpoint, high end);
    ``target_types`` keeps only interventions of those types (horizontal, vertical, mission;
    empty = all); ``stagger_years`` > 0 starts every intervention whose evidence is not strong
    that many years later, after the first evaluation results of the rest (a test-and-learn
    sequence, Magenta Book 2020, chapter 2). Options differ in scale, focus or sequencing, as
    the Green Book (2022, chapter 4, options framework) asks, and an option built with a
    focus names what it leaves out.
    """

    id: str
    name: str
    scale: Literal["low", "mid", "high"] = "mid"
    target_types: list[str] = Field(default_factory=list)
    stagger_years: int = Field(0, ge=0, le=20)
    enabled: bool = True

    @field_validator("id")
    @classmethod
    def _id(cls, v: str) -> str:
        return _check_id(v, "option rule")

    def describe(self) -> str:
        """The rule in one sentence."""
        scale = {"low": "the low end", "mid": "the midpoint", "high": "the high end"}[self.scale]
        which = ("the chosen " + "/".join(self.target_types) + " interventions"
                 if self.target_types else "every chosen intervention")
        text = f"{which.capitalize()} at {scale} of the catalogue's cost range"
        if self.stagger_years:
            text += (f"; those without strong evidence start in year {self.stagger_years}, "
                     "after the first evaluation results of the rest")
        return text + "."


class SpendingObjective(BaseModel):
    """A SMART spending objective (Green Book 2022, chapter 4): what the spend must achieve."""

    id: str
    statement: str
    measure: str = Field("", description="the indicator by which achievement will be judged")
    target: str = Field("", description="the level and date, e.g. '+500 jobs by 2030'")

    @field_validator("id")
    @classmethod
    def _id(cls, v: str) -> str:
        return _check_id(v, "spending objective")


class CriticalSuccessFactor(BaseModel):
    """A critical success factor used to filter the long list (Green Book 2022, chapter 4)."""

    id: str
    label: str
    description: str = ""

    @field_validator("id")
    @classmethod
    def _id(cls, v: str) -> str:
        return _check_id(v, "critical success factor")


GREEN_BOOK_CSFS: tuple[CriticalSuccessFactor, ...] = (
    CriticalSuccessFactor(
        id="strategic_fit",
        label="Strategic fit and meets business needs",
        description="How well the option meets the spending objectives and related strategies.",
    ),
    CriticalSuccessFactor(
        id="value_for_money",
        label="Potential value for money",
        description="How well the option optimises social value: benefits, costs and risks.",
    ),
    CriticalSuccessFactor(
        id="supplier_capacity",
        label="Supplier capacity and capability",
        description="Whether the market or delivery partners can supply what the option needs.",
    ),
    CriticalSuccessFactor(
        id="affordability",
        label="Potential affordability",
        description="Whether the option can be funded within the available budget.",
    ),
    CriticalSuccessFactor(
        id="achievability",
        label="Potential achievability",
        description="Whether the organisation and partners have the skills and capacity to "
        "deliver it.",
    ),
)
"""The five generic critical success factors of the Green Book (2022) options framework."""


def _baseline_option(taken: set[str]) -> Option:
    oid = BASELINE_ID
    n = 2
    while oid in taken:
        oid = f"{BASELINE_ID}_{n}"
        n += 1
    return Option(
        id=oid,
        name="Business as usual",
        description="Continue current policy and spending with no new intervention: the "
        "benchmark every other option is appraised against (Green Book 2022, chapter 4).",
        is_baseline=True,
    )


def ensure_baseline(options: Iterable[Option]) -> list[Option]:
    """Return the options with exactly one business-as-usual baseline, listed first.

    If none of ``options`` is marked ``is_baseline`` a BAU option (id ``"bau"``, or ``"bau_2"``
    and so on if that id is taken) is added. Listing it first matters downstream: MCDA ranking
    breaks ties by list order, so an option that merely equals BAU does not beat it.

    Raises ``ValueError`` on duplicate option ids or on more than one baseline.
    """
    items = list(options)
    ids: set[str] = set()
    for opt in items:
        if opt.id in ids:
            raise ValueError(f"option id '{opt.id}' is used by more than one option")
        ids.add(opt.id)
    baselines = [opt for opt in items if opt.is_baseline]
    if len(baselines) > 1:
        names = ", ".join(f"'{opt.id}'" for opt in baselines)
        raise ValueError(f"only one option may be the baseline; found {names}")
    if not baselines:
        return [_baseline_option(ids), *items]
    base = baselines[0]
    return [base, *(opt for opt in items if opt is not base)]


class DroppedOption(BaseModel):
    """An option discarded from the long list, kept whole with the recorded reason."""

    option: Option
    reason: str


class Shortlist(BaseModel):
    """The outcome of long-list filtering: the options kept and the ones dropped, with reasons."""

    kept: list[Option]
    dropped: list[DroppedOption] = Field(default_factory=list)

    @property
    def baseline(self) -> Option:
        return next(opt for opt in self.kept if opt.is_baseline)


def shortlist(options: Iterable[Option], dropped: Mapping[str, str]) -> Shortlist:
    """Filter a long list to a short list, recording why each dropped option was dropped.

    The Green Book (2022, chapter 4) asks for the reason each long-list option is discarded
    (typically the critical success factor it fails) and for BAU to stay on the short list, so:

    - the baseline is ensured (see :func:`ensure_baseline`) and can never be dropped;
    - every drop needs a non-blank reason;
    - every id in ``dropped`` must name an option in the long list.

    Raises ``ValueError`` naming the offending option otherwise. Order of the long list is kept.
    """
    items = ensure_baseline(options)
    by_id = {opt.id: opt for opt in items}
    for oid, reason in dropped.items():
        if oid not in by_id:
            known = ", ".join(sorted(by_id))
            raise ValueError(f"cannot drop option '{oid}': no such option (known: {known})")
        if by_id[oid].is_baseline:
            raise ValueError(
                f"cannot drop option '{oid}': it is the business-as-usual baseline, which the "
                "Green Book requires on every short list"
            )
        if not isinstance(reason, str) or not reason.strip():
            raise ValueError(f"cannot drop option '{oid}' without a reason")
    kept = [opt for opt in items if opt.id not in dropped]
    gone = [
        DroppedOption(option=opt, reason=dropped[opt.id].strip())
        for opt in items
        if opt.id in dropped
    ]
    return Shortlist(kept=kept, dropped=gone)
