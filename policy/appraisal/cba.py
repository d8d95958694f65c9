"""Cost-benefit analysis of an option, following HM Treasury's Green Book (2022).

The steps, each a small function so an exported appraisal can show every number's working:

1. **Cost and benefit streams** by appraisal year, in real terms (constant prices, GBP
   million). Year 0 is the first year of spend and is not discounted (Green Book 2022, Annex A6).
2. **Optimism bias** (Green Book 2022, chapter 5 and the supplementary guidance on optimism bias):
   costs are uplifted by a percentage because appraisers systematically underestimate them.
   :data:`OPTIMISM_BIAS_TABLE` gives the published upper and lower bounds by project type; the
   user chooses, starting from the upper bound and reducing it only as risks are managed.
3. **Additionality** (Homes and Communities Agency (2014) *Additionality Guide*, 4th edition,
   as referenced by the Green Book): gross benefits are netted down for what would have happened
   anyway (deadweight), activity merely moved from elsewhere in the area (displacement),
   benefits going outside the target area (leakage) and one activity swapped for a similar one
   (substitution), then scaled by any multiplier effect.
4. **Discounting** at the social time preference rate (STPR), 3.5% a year, declining for the
   long term (Green Book 2022, Annex A6, the declining long-term discount rate schedule).
5. **Summary measures**: present values, net present value (NPV), benefit-cost ratio (BCR) and
   **switching values** (Green Book 2022, chapter 5: the change in a variable that would make
   the NPV zero, reported so decision makers can judge how robust the case is).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, Field, ValidationInfo, field_validator, model_validator

from policy.appraisal.options import Option

MAX_YEAR = 1000
"""Latest appraisal year accepted: a guard against typos such as 20250 for 2025."""


# --------------------------------------------------------------------------------------------
# Discounting


class DiscountBand(BaseModel):
    """A discount rate that applies from ``start_year`` until the next band starts.

    The rate for year t is the rate of the band containing t, and it discounts the step from
    year t-1 to year t (see :func:`discount_factors`).
    """

    start_year: int = Field(ge=0)
    rate: float

    @field_validator("rate")
    @classmethod
    def _rate(cls, v: float) -> float:
        if not (math.isfinite(v) and -1.0 < v < 1.0):
            raise ValueError(f"discount rate must be a fraction in (-1, 1), e.g. 0.035; got {v}")
        return v


GREEN_BOOK_STPR: tuple[DiscountBand, ...] = (
    DiscountBand(start_year=0, rate=0.035),
    DiscountBand(start_year=31, rate=0.030),
    DiscountBand(start_year=76, rate=0.025),
    DiscountBand(start_year=126, rate=0.020),
    DiscountBand(start_year=201, rate=0.015),
    DiscountBand(start_year=301, rate=0.010),
)
"""Green Book (2022) Annex A6 declining long-term STPR: 3.5% for years 0-30, 3.0% for 31-75,
2.5% for 76-125, 2.0% for 126-200, 1.5% for 201-300 and 1.0% from year 301."""


def flat_schedule(rate: float) -> tuple[DiscountBand, ...]:
    """A single-rate schedule, e.g. for a sensitivity test at a different rate."""
    return (DiscountBand(start_year=0, rate=rate),)


def _check_schedule(schedule: Sequence[DiscountBand]) -> None:
    if not schedule:
        raise ValueError("discount schedule is empty")
    starts = [band.start_year for band in schedule]
    if starts[0] != 0:
        raise ValueError(f"discount schedule must start at year 0, starts at {starts[0]}")
    if any(b <= a for a, b in zip(starts, starts[1:], strict=False)):
        raise ValueError(f"discount bands must start in increasing years, got {starts}")


def discount_factors(
    last_year: int, schedule: Sequence[DiscountBand] = GREEN_BOOK_STPR
) -> np.ndarray:
    """Discount factors for years 0..last_year, the way the Green Book compounds them.

    DF(0) = 1 and DF(t) = DF(t-1) / (1 + r_t), where r_t is the rate of the band containing
    year t. So the rate applies to each year's step and the long-term rates compound on top of
    the earlier ones rather than replacing them from year 0:

        DF(30) = 1.035^-30
        DF(31) = 1.035^-30 x 1.030^-1
        DF(40) = 1.035^-30 x 1.030^-10
        DF(76) = 1.035^-30 x 1.030^-45 x 1.025^-1

    which is how the Green Book's (2022, Annex A6) published discount factor tables behave: no
    jump in the factor at year 31, just a slower decline from there on.
    """
    if last_year < 0:
        raise ValueError(f"last_year must be >= 0, got {last_year}")
    _check_schedule(schedule)
    years = np.arange(1, last_year + 1)
    starts = np.array([band.start_year for band in schedule])
    rates = np.array([band.rate for band in schedule])
    step_rates = rates[np.searchsorted(starts, years, side="right") - 1]
    return np.concatenate(([1.0], np.cumprod(1.0 / (1.0 + step_rates))))


def discount_factor(year: int, schedule: Sequence[DiscountBand] = GREEN_BOOK_STPR) -> float:
    """Discount factor for one year (see :func:`discount_factors` for the convention)."""
    return float(discount_factors(year, schedule)[-1])


def present_value(
    amounts: Mapping[int, float], schedule: Sequence[DiscountBand] = GREEN_BOOK_STPR
) -> float:
    """Present value of amounts by appraisal year: sum of amount(t) x DF(t)."""
    if not amounts:
        return 0.0
    if min(amounts) < 0:
        raise ValueError(f"years must be >= 0, got {min(amounts)}")
    df = discount_factors(max(amounts), schedule)
    return float(sum(v * df[t] for t, v in amounts.items()))


# --------------------------------------------------------------------------------------------
# Optimism bias


class OptimismBiasBound(BaseModel):
    """Published optimism bias bounds for one project type (percent uplifts)."""

    project_type: str
    label: str
    capex_upper_pct: float
    capex_lower_pct: float
    works_duration_upper_pct: float | None
    works_duration_lower_pct: float | None
    note: str = ""


OPTIMISM_BIAS_SOURCE = (
    "HM Treasury (2003) Supplementary Green Book Guidance: Optimism Bias, Table 1, from "
    "Mott MacDonald (2002) Review of Large Public Procurement in the UK"
)

OPTIMISM_BIAS_TABLE: dict[str, OptimismBiasBound] = {
    b.project_type: b
    for b in (
        OptimismBiasBound(
            project_type="standard_buildings",
            label="Standard buildings",
            capex_upper_pct=24,
            capex_lower_pct=2,
            works_duration_upper_pct=4,
            works_duration_lower_pct=1,
        ),
        OptimismBiasBound(
            project_type="non_standard_buildings",
            label="Non-standard buildings",
            capex_upper_pct=51,
            capex_lower_pct=4,
            works_duration_upper_pct=39,
            works_duration_lower_pct=2,
        ),
        OptimismBiasBound(
            project_type="standard_civil_engineering",
            label="Standard civil engineering",
            capex_upper_pct=44,
            capex_lower_pct=3,
            works_duration_upper_pct=20,
            works_duration_lower_pct=1,
        ),
        OptimismBiasBound(
            project_type="non_standard_civil_engineering",
            label="Non-standard civil engineering",
            capex_upper_pct=66,
            capex_lower_pct=6,
            works_duration_upper_pct=25,
            works_duration_lower_pct=3,
        ),
        OptimismBiasBound(
            project_type="equipment_development",
            label="Equipment / development",
            capex_upper_pct=200,
            capex_lower_pct=10,
            works_duration_upper_pct=54,
            works_duration_lower_pct=10,
            note="The closest category for novel programmes (business support, innovation, "
            "skills): the tool's default until the business case evidences mitigation.",
        ),
        OptimismBiasBound(
            project_type="outsourcing",
            label="Outsourcing",
            capex_upper_pct=41,
            capex_lower_pct=0,
            works_duration_upper_pct=None,
            works_duration_lower_pct=None,
            note="Measured on operating expenditure.",
        ),
    )
}
"""Optimism bias bounds by project type, as published in :data:`OPTIMISM_BIAS_SOURCE`."""

DEFAULT_PROJECT_TYPE = "equipment_development"
"""Local industrial-strategy programmes are novel, non-standard spend with no category of their
own in the guidance; its cautious counsel is to start at the upper bound of the closest type,
so the default is the equipment/development upper bound (200% of costs) until the user
records a lower, evidenced figure."""


def optimism_bias_uplift(amount: float, pct: float) -> float:
    """Cost after an optimism bias uplift of ``pct`` percent: amount x (1 + pct / 100)."""
    if not (math.isfinite(pct) and pct >= 0):
        raise ValueError(f"optimism bias must be a percentage >= 0, got {pct}")
    return amount * (1.0 + pct / 100.0)


# --------------------------------------------------------------------------------------------
# Additionality


class Additionality(BaseModel):
    """Adjustments from gross to net additional benefits (HCA 2014 Additionality Guide).

    Net additional = gross x (1 - deadweight) x (1 - displacement) x (1 - leakage)
    x (1 - substitution) x multiplier. The four adjustments are fractions in [0, 1] (0.25 for
    25%); the multiplier (supply-chain and income effects) defaults to 1, i.e. none claimed,
    which is the cautious choice unless local multiplier evidence exists.
    """

    deadweight: float = Field(0.0, description="share that would have happened anyway")
    displacement: float = Field(0.0, description="share taken from other firms in the area")
    leakage: float = Field(0.0, description="share benefiting people outside the target area")
    substitution: float = Field(0.0, description="share where one activity replaces another")
    multiplier: float = Field(1.0, description="composite multiplier on net local effects")

    @field_validator("deadweight", "displacement", "leakage", "substitution")
    @classmethod
    def _fraction(cls, v: float, info: ValidationInfo) -> float:
        if not (math.isfinite(v) and 0.0 <= v <= 1.0):
            hint = " (give a fraction: 0.25 for 25%)" if math.isfinite(v) and v > 1 else ""
            raise ValueError(
                f"additionality {info.field_name} must be between 0 and 1{hint}, got {v}"
            )
        return v

    @field_validator("multiplier")
    @classmethod
    def _multiplier(cls, v: float) -> float:
        if not (math.isfinite(v) and v > 0.0):
            raise ValueError(f"additionality multiplier must be > 0, got {v}")
        return v

    def factor(self) -> float:
        """The net-to-gross ratio the chain applies."""
        return (
            (1.0 - self.deadweight)
            * (1.0 - self.displacement)
            * (1.0 - self.leakage)
            * (1.0 - self.substitution)
            * self.multiplier
        )

    def net(self, gross: float) -> float:
        """Net additional benefit from a gross benefit."""
        return gross * self.factor()


# --------------------------------------------------------------------------------------------
# Inputs


class CashflowLine(BaseModel):
    """One cost or benefit stream: GBP million in real terms by appraisal year (0 = first spend).

    ``adjust`` says whether the appraisal adjustments apply: optimism bias for a cost line,
    additionality for a benefit line. Turn it off for figures that are already adjusted (for
    example a benefit taken from an evaluation that reports net additional impact).
    Amounts must be >= 0: record a saving as a benefit and a disbenefit as a cost, so the BCR
    keeps its meaning.
    """

    label: str
    kind: Literal["cost", "benefit"]
    amounts: dict[int, float]
    adjust: bool = True
    note: str = ""

    @model_validator(mode="after")
    def _check(self) -> CashflowLine:
        if not self.label.strip():
            raise ValueError("cash-flow line label must not be empty")
        for year, value in self.amounts.items():
            if not 0 <= year <= MAX_YEAR:
                raise ValueError(
                    f"line '{self.label}': year {year} is outside 0..{MAX_YEAR} "
                    "(years count from 0 = first year of spend)"
                )
            if not (math.isfinite(value) and value >= 0):
                raise ValueError(
                    f"line '{self.label}', year {year}: amount must be a finite number >= 0, "
                    f"got {value}"
                )
        return self


class CbaInputs(BaseModel):
    """Everything a cost-benefit analysis of one option needs.

    ``optimism_bias_pct`` None means: use the upper bound for ``project_type`` from
    :data:`OPTIMISM_BIAS_TABLE`. ``first_year`` is the calendar year of appraisal year 0, used
    only to label the per-year table. ``bcr_threshold`` is the BCR whose switching values are
    reported besides NPV = 0 (for instance 1.5 or 2, the lower edges of the Department for
    Transport's medium and high value-for-money categories).
    """

    option_id: str | None = None
    lines: list[CashflowLine]
    project_type: str = DEFAULT_PROJECT_TYPE
    optimism_bias_pct: float | None = None
    additionality: Additionality = Field(default_factory=Additionality)
    discount_schedule: list[DiscountBand] = Field(default_factory=lambda: list(GREEN_BOOK_STPR))
    first_year: int | None = None
    last_year: int | None = Field(
        None, description="extend the per-year table to this year (default: last year of data)"
    )
    bcr_threshold: float = 1.0

    @model_validator(mode="after")
    def _check(self) -> CbaInputs:
        where = f"option '{self.option_id}': " if self.option_id else ""
        labels = [line.label for line in self.lines]
        for label in labels:
            if labels.count(label) > 1:
                raise ValueError(f"{where}cash-flow line label '{label}' is used more than once")
        if self.project_type not in OPTIMISM_BIAS_TABLE:
            raise ValueError(
                f"{where}unknown project type '{self.project_type}' "
                f"(known: {', '.join(OPTIMISM_BIAS_TABLE)})"
            )
        ob = self.optimism_bias_pct
        if ob is not None and not (math.isfinite(ob) and ob >= 0):
            raise ValueError(f"{where}optimism bias must be a percentage >= 0, got {ob}")
        _check_schedule(self.discount_schedule)
        if not (math.isfinite(self.bcr_threshold) and self.bcr_threshold > 0):
            raise ValueError(f"{where}bcr_threshold must be > 0, got {self.bcr_threshold}")
        if self.last_year is not None:
            if not 0 <= self.last_year <= MAX_YEAR:
                raise ValueError(f"{where}last_year must be in 0..{MAX_YEAR}")
            for line in self.lines:
                late = [y for y in line.amounts if y > self.last_year]
                if late:
                    raise ValueError(
                        f"{where}line '{line.label}' has amounts in year {max(late)}, after "
                        f"last_year {self.last_year}"
                    )
        return self

    @property
    def applied_optimism_bias_pct(self) -> float:
        """The optimism bias actually applied: the user's figure or the table's upper bound."""
        if self.optimism_bias_pct is not None:
            return float(self.optimism_bias_pct)
        return float(OPTIMISM_BIAS_TABLE[self.project_type].capex_upper_pct)


def cost_lines_from_option(option: Option) -> list[CashflowLine]:
    """One cost line per intervention of an option, from its budgets and phasing."""
    return [
        CashflowLine(
            label=item.intervention_id,
            kind="cost",
            amounts=item.spend_profile(),
            note=f"budget of option '{option.id}'",
        )
        for item in option.interventions
    ]


# --------------------------------------------------------------------------------------------
# Results


class CbaYear(BaseModel):
    """One row of the per-year table (GBP million; PV columns are discounted)."""

    year: int
    calendar_year: int | None
    cost_base: float = Field(description="costs before optimism bias")
    cost: float = Field(description="costs after optimism bias")
    benefit_gross: float = Field(description="benefits before additionality")
    benefit: float = Field(description="net additional benefits")
    discount_factor: float
    pv_cost: float
    pv_benefit: float
    pv_net: float
    cumulative_npv: float


class LinePresentValue(BaseModel):
    """A line's undiscounted total before and after adjustment, and its present value."""

    label: str
    kind: Literal["cost", "benefit"]
    total: float
    total_adjusted: float
    present_value: float


class SwitchingValues(BaseModel):
    """Percentage changes that would overturn the result (Green Book 2022, chapter 5).

    ``benefits_pct``: the change in PV benefits (all else fixed) that makes NPV zero, i.e.
    -NPV / PV benefits x 100 (negative: benefits can fall this far). ``costs_pct``: the change
    in PV costs that makes NPV zero, NPV / PV costs x 100. The ``*_for_bcr`` values are the same
    for the BCR reaching ``bcr_threshold``: (threshold x PVC / PVB - 1) x 100 for benefits and
    (PVB / (threshold x PVC) - 1) x 100 for costs; with threshold 1 they equal the NPV ones.
    ``None`` where the base is zero, so no percentage change can help.
    """

    benefits_pct: float | None
    costs_pct: float | None
    bcr_threshold: float
    benefits_pct_for_bcr: float | None
    costs_pct_for_bcr: float | None


def benefit_cost_ratio(pv_benefits: float, pv_costs: float) -> float | None:
    """PV benefits / PV costs; ``None`` when there are no costs (the ratio is undefined)."""
    return pv_benefits / pv_costs if pv_costs > 0 else None


def switching_values(
    pv_benefits: float, pv_costs: float, bcr_threshold: float = 1.0
) -> SwitchingValues:
    """Switching values for NPV = 0 and for BCR = ``bcr_threshold`` (see SwitchingValues)."""
    npv = pv_benefits - pv_costs
    has_b, has_c = pv_benefits > 0, pv_costs > 0
    return SwitchingValues(
        benefits_pct=-npv / pv_benefits * 100.0 if has_b else None,
        costs_pct=npv / pv_costs * 100.0 if has_c else None,
        bcr_threshold=bcr_threshold,
        benefits_pct_for_bcr=(bcr_threshold * pv_costs / pv_benefits - 1.0) * 100.0
        if has_b
        else None,
        costs_pct_for_bcr=(pv_benefits / (bcr_threshold * pv_costs) - 1.0) * 100.0
        if has_c
        else None,
    )


class CbaResult(BaseModel):
    """Present values, NPV, BCR, switching values and the per-year table of one option."""

    option_id: str | None
    pv_costs: float
    pv_benefits: float
    npv: float
    bcr: float | None
    optimism_bias_pct: float
    optimism_bias_source: str
    additionality_factor: float
    switching: SwitchingValues
    years: list[CbaYear]
    lines: list[LinePresentValue]

    def to_frame(self) -> pd.DataFrame:
        """The per-year table as a DataFrame (one row per year), ready for export."""
        return pd.DataFrame.from_records([row.model_dump() for row in self.years])


def appraise_cba(inputs: CbaInputs) -> CbaResult:
    """Run the Green Book cost-benefit analysis of one option.

    Costs get the optimism bias uplift, benefits the additionality chain (each only on lines
    with ``adjust``), then every year is discounted at the STPR schedule and summed.
    """
    last = max((max(line.amounts) for line in inputs.lines if line.amounts), default=0)
    if inputs.last_year is not None:
        last = max(last, inputs.last_year)
    df = discount_factors(last, inputs.discount_schedule)
    ob = inputs.applied_optimism_bias_pct
    add = inputs.additionality.factor()
    n = last + 1
    streams = {
        "cost_base": np.zeros(n),
        "cost": np.zeros(n),
        "benefit_gross": np.zeros(n),
        "benefit": np.zeros(n),
    }
    line_pvs: list[LinePresentValue] = []
    for line in inputs.lines:
        raw = np.zeros(n)
        for year, value in line.amounts.items():
            raw[year] += value
        if line.kind == "cost":
            adjusted = raw * (1.0 + ob / 100.0) if line.adjust else raw
            streams["cost_base"] += raw
            streams["cost"] += adjusted
        else:
            adjusted = raw * add if line.adjust else raw
            streams["benefit_gross"] += raw
            streams["benefit"] += adjusted
        line_pvs.append(
            LinePresentValue(
                label=line.label,
                kind=line.kind,
                total=float(raw.sum()),
                total_adjusted=float(adjusted.sum()),
                present_value=float(adjusted @ df),
            )
        )
    pv_cost = streams["cost"] * df
    pv_benefit = streams["benefit"] * df
    pv_net = pv_benefit - pv_cost
    cumulative = np.cumsum(pv_net)
    years = [
        CbaYear(
            year=t,
            calendar_year=None if inputs.first_year is None else inputs.first_year + t,
            cost_base=float(streams["cost_base"][t]),
            cost=float(streams["cost"][t]),
            benefit_gross=float(streams["benefit_gross"][t]),
            benefit=float(streams["benefit"][t]),
            discount_factor=float(df[t]),
            pv_cost=float(pv_cost[t]),
            pv_benefit=float(pv_benefit[t]),
            pv_net=float(pv_net[t]),
            cumulative_npv=float(cumulative[t]),
        )
        for t in range(n)
    ]
    pvc, pvb = float(pv_cost.sum()), float(pv_benefit.sum())
    return CbaResult(
        option_id=inputs.option_id,
        pv_costs=pvc,
        pv_benefits=pvb,
        npv=pvb - pvc,
        bcr=benefit_cost_ratio(pvb, pvc),
        optimism_bias_pct=ob,
        optimism_bias_source=(
            "user-set"
            if inputs.optimism_bias_pct is not None
            else f"{OPTIMISM_BIAS_TABLE[inputs.project_type].label} upper bound, "
            f"{OPTIMISM_BIAS_SOURCE}"
        ),
        additionality_factor=add,
        switching=switching_values(pvb, pvc, inputs.bcr_threshold),
        years=years,
        lines=line_pvs,
    )
