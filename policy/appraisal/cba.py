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
from importlib import resources
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
from pydantic import BaseModel, Field, ValidationInfo, field_validator, model_validator

from evidence.yaml_load import load_yaml
from policy.appraisal.options import Option

if TYPE_CHECKING:
    import pandas as pd

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

SpendType = Literal["capital", "revenue"]
SPEND_TYPES: tuple[SpendType, ...] = ("capital", "revenue")


class OptimismBiasBound(BaseModel):
    """Published optimism bias bounds for one project type (percent uplifts)."""

    project_type: str
    label: str
    capex_upper_pct: float
    capex_lower_pct: float
    works_duration_upper_pct: float | None
    works_duration_lower_pct: float | None
    note: str = ""


class OptimismBiasDefault(BaseModel):
    """The category the tool applies to one type of spend by default, and why."""

    spend_type: SpendType
    category: str
    basis: str


def _load_yaml(name: str) -> Any:
    return load_yaml(
        resources.files("policy.appraisal").joinpath(f"data/{name}").read_text("utf-8")
    )


_OB_DATA = _load_yaml("optimism_bias.yaml")

OPTIMISM_BIAS_SOURCE: str = " ".join(str(_OB_DATA["source"]).split())
"""Where the bounds come from (policy/appraisal/data/optimism_bias.yaml)."""

OPTIMISM_BIAS_TABLE: dict[str, OptimismBiasBound] = {
    c["id"]: OptimismBiasBound(
        project_type=c["id"],
        label=c["label"],
        capex_upper_pct=c["capex_upper_pct"],
        capex_lower_pct=c["capex_lower_pct"],
        works_duration_upper_pct=c.get("works_duration_upper_pct"),
        works_duration_lower_pct=c.get("works_duration_lower_pct"),
        note=" ".join(str(c.get("note", "")).split()),
    )
    for c in _OB_DATA["categories"]
}
"""Optimism bias bounds by project type, as published in :data:`OPTIMISM_BIAS_SOURCE`."""

OPTIMISM_BIAS_DEFAULTS: dict[SpendType, OptimismBiasDefault] = {
    t: OptimismBiasDefault(
        spend_type=t,
        category=_OB_DATA["defaults"][t]["category"],
        basis=" ".join(str(_OB_DATA["defaults"][t]["basis"]).split()),
    )
    for t in SPEND_TYPES
}
"""Default category by type of spend (Green Book 2022, chapter 5; supplementary guidance on
optimism bias): non-standard buildings for capital, outsourcing (the only category measured on
operating expenditure) for revenue. Never equipment/development on revenue spend."""

BENEFITS_OPTIMISM_PCT: float = float(_OB_DATA["benefits_optimism_sensitivity_pct"])
"""The benefits shortfall shown as the benefits-optimism sensitivity (percent)."""
BENEFITS_OPTIMISM_BASIS: str = " ".join(str(_OB_DATA["benefits_optimism_basis"]).split())

DEFAULT_PROJECT_TYPE = OPTIMISM_BIAS_DEFAULTS["revenue"].category
"""The category of the revenue default (most local industrial-strategy spend is revenue)."""


def optimism_bias_uplift(amount: float, pct: float) -> float:
    """Cost after an optimism bias uplift of ``pct`` percent: amount x (1 + pct / 100)."""
    if not (math.isfinite(pct) and pct >= 0):
        raise ValueError(f"optimism bias must be a percentage >= 0, got {pct}")
    return amount * (1.0 + pct / 100.0)


class OptimismBiasChoice(BaseModel):
    """The user's optimism bias for one type of spend: a category (its upper bound applies)
    or a percentage (which wins). Both None means the tool's default for that type."""

    category: str | None = None
    percent: float | None = None

    @model_validator(mode="after")
    def _check(self) -> OptimismBiasChoice:
        if self.category is not None and self.category not in OPTIMISM_BIAS_TABLE:
            raise ValueError(
                f"unknown optimism bias category '{self.category}' "
                f"(known: {', '.join(OPTIMISM_BIAS_TABLE)})"
            )
        if self.percent is not None and not (math.isfinite(self.percent) and self.percent >= 0):
            raise ValueError(f"optimism bias must be a percentage >= 0, got {self.percent}")
        return self


class OptimismBiasApplied(BaseModel):
    """The optimism bias applied to one type of spend, its category and its basis."""

    spend_type: SpendType | None
    percent: float
    category: str
    label: str
    basis: str


# --------------------------------------------------------------------------------------------
# Additionality


class Additionality(BaseModel):
    """Adjustments from gross to net additional benefits (HCA 2014 Additionality Guide).

    Net additional = gross x (1 - deadweight) x (1 - displacement) x (1 - leakage)
    x (1 - substitution) x multiplier. The four adjustments are fractions in [0, 1] (0.25 for
    25%); the multiplier (supply-chain and income effects) defaults to 1, i.e. none claimed.
    ``basis`` says where each figure came from (a benchmark, the area's input-output
    multiplier, or the user), by field name; :mod:`policy.appraisal.additionality` fills it.
    """

    deadweight: float = Field(0.0, description="share that would have happened anyway")
    displacement: float = Field(0.0, description="share taken from other firms in the area")
    leakage: float = Field(0.0, description="share benefiting people outside the target area")
    substitution: float = Field(0.0, description="share where one activity replaces another")
    multiplier: float = Field(1.0, description="composite multiplier on net local effects")
    basis: dict[str, str] = Field(default_factory=dict, description="field -> where it came from")

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
    ``spend_type`` (capital or revenue) picks the optimism bias category of a cost line and
    ``public`` says whether the public sector pays it: the BCR divides by public costs only,
    private co-funding enters the social NPV (Green Book 2022, chapter 5; DLUHC 2023 appraisal
    guide). Amounts must be >= 0: record a saving as a benefit and a disbenefit as a cost.
    """

    label: str
    kind: Literal["cost", "benefit"]
    amounts: dict[int, float]
    adjust: bool = True
    spend_type: SpendType = "revenue"
    public: bool = True
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


class BenefitStream(BaseModel):
    """A benefit entered as a stream, not row by row: start year, length and amount.

    The yearly amount is ``amount_gbp_m``, or, for the jobs template, ``jobs`` x
    ``gva_per_job_gbp_k`` / 1000 (GVA per job from the area's own evidence). ``persistence``
    is the share of the effect still there a year later (HCA 2014 Additionality Guide, section
    2.6, persistence of outcomes): year k of the stream is amount x persistence^k, so 1 means
    no decay and 0.8 a 20% decay a year. Gross: additionality applies afterwards.
    """

    label: str
    start_year: int = Field(ge=0, le=MAX_YEAR)
    years: int = Field(ge=1, le=MAX_YEAR)
    amount_gbp_m: float | None = None
    jobs: float | None = None
    gva_per_job_gbp_k: float | None = None
    persistence: float = 1.0
    note: str = ""

    @model_validator(mode="after")
    def _check(self) -> BenefitStream:
        where = f"benefit stream '{self.label}'"
        if not self.label.strip():
            raise ValueError("benefit stream label must not be empty")
        if self.start_year + self.years - 1 > MAX_YEAR:
            raise ValueError(f"{where}: ends after year {MAX_YEAR}")
        if not (math.isfinite(self.persistence) and 0.0 <= self.persistence <= 1.0):
            raise ValueError(f"{where}: persistence must be between 0 and 1, got "
                             f"{self.persistence}")
        by_jobs = self.jobs is not None or self.gva_per_job_gbp_k is not None
        if by_jobs == (self.amount_gbp_m is not None):
            raise ValueError(f"{where}: give either amount_gbp_m or jobs and gva_per_job_gbp_k")
        for name in ("amount_gbp_m", "jobs", "gva_per_job_gbp_k"):
            v = getattr(self, name)
            if by_jobs and name != "amount_gbp_m" and v is None:
                raise ValueError(f"{where}: {name} is needed for the jobs x GVA template")
            if v is not None and not (math.isfinite(v) and v >= 0):
                raise ValueError(f"{where}: {name} must be a finite number >= 0, got {v}")
        return self

    @property
    def yearly_gbp_m(self) -> float:
        """The first year's amount, GBP million."""
        if self.amount_gbp_m is not None:
            return float(self.amount_gbp_m)
        return float(self.jobs or 0.0) * float(self.gva_per_job_gbp_k or 0.0) / 1000.0

    def amounts(self) -> dict[int, float]:
        """GBP million by appraisal year, with the persistence decay applied."""
        a = self.yearly_gbp_m
        return {self.start_year + k: a * self.persistence**k for k in range(self.years)}

    def to_line(self) -> CashflowLine:
        if self.jobs is not None:
            how = (f"{self.jobs:g} jobs x GBP {self.gva_per_job_gbp_k:g}k GVA per job, "
                   f"years {self.start_year}-{self.start_year + self.years - 1}, "
                   f"persistence {self.persistence:g}")
        else:
            how = (f"GBP {self.yearly_gbp_m:g}m a year, years {self.start_year}-"
                   f"{self.start_year + self.years - 1}, persistence {self.persistence:g}")
        note = f"{how}. {self.note}".strip()
        return CashflowLine(label=self.label, kind="benefit", amounts=self.amounts(), note=note)


class CbaInputs(BaseModel):
    """Everything a cost-benefit analysis of one option needs.

    Optimism bias (Green Book 2022, chapter 5; supplementary guidance on optimism bias) is set
    by the type of spend of each cost line: ``optimism_bias`` maps capital / revenue to the
    user's category or percentage; a type without a choice gets the default of
    :data:`OPTIMISM_BIAS_DEFAULTS` (its category's upper bound). ``project_type`` and
    ``optimism_bias_pct`` override that for every cost line (one category, or one percentage).
    ``additionality`` is the local net-to-gross chain behind the headline result;
    ``additionality_uk`` (optional) gives the UK-level net impact beside it. ``bcr_threshold``
    is the BCR whose switching values are reported besides NPV = 0 (1.5 or 2, the lower edges
    of the DfT medium and high value-for-money categories). ``benefits_optimism_pct`` is the
    benefit shortfall of the benefits-optimism sensitivity.
    """

    option_id: str | None = None
    lines: list[CashflowLine]
    streams: list[BenefitStream] = Field(default_factory=list)
    project_type: str | None = None
    optimism_bias_pct: float | None = None
    optimism_bias: dict[SpendType, OptimismBiasChoice] = Field(default_factory=dict)
    additionality: Additionality = Field(default_factory=Additionality)
    additionality_uk: Additionality | None = None
    discount_schedule: list[DiscountBand] = Field(default_factory=lambda: list(GREEN_BOOK_STPR))
    first_year: int | None = None
    last_year: int | None = Field(
        None, description="extend the per-year table to this year (default: last year of data)"
    )
    bcr_threshold: float = 1.0
    benefits_optimism_pct: float = BENEFITS_OPTIMISM_PCT

    @model_validator(mode="after")
    def _check(self) -> CbaInputs:
        where = f"option '{self.option_id}': " if self.option_id else ""
        labels = [line.label for line in self.all_lines()]
        for label in labels:
            if labels.count(label) > 1:
                raise ValueError(f"{where}cash-flow line label '{label}' is used more than once")
        if self.project_type is not None and self.project_type not in OPTIMISM_BIAS_TABLE:
            raise ValueError(
                f"{where}unknown project type '{self.project_type}' "
                f"(known: {', '.join(OPTIMISM_BIAS_TABLE)})"
            )
        ob = self.optimism_bias_pct
        if ob is not None and not (math.isfinite(ob) and ob >= 0):
            raise ValueError(f"{where}optimism bias must be a percentage >= 0, got {ob}")
        bo = self.benefits_optimism_pct
        if not (math.isfinite(bo) and 0 <= bo <= 100):
            raise ValueError(f"{where}benefits_optimism_pct must be 0-100, got {bo}")
        _check_schedule(self.discount_schedule)
        if not (math.isfinite(self.bcr_threshold) and self.bcr_threshold > 0):
            raise ValueError(f"{where}bcr_threshold must be > 0, got {self.bcr_threshold}")
        if self.last_year is not None:
            if not 0 <= self.last_year <= MAX_YEAR:
                raise ValueError(f"{where}last_year must be in 0..{MAX_YEAR}")
            for line in self.all_lines():
                late = [y for y in line.amounts if y > self.last_year]
                if late:
                    raise ValueError(
                        f"{where}line '{line.label}' has amounts in year {max(late)}, after "
                        f"last_year {self.last_year}"
                    )
        return self

    def all_lines(self) -> list[CashflowLine]:
        """The cash-flow lines with the benefit streams expanded to yearly lines."""
        return [*self.lines, *(s.to_line() for s in self.streams)]

    def optimism_bias_for(self, spend_type: SpendType | None) -> OptimismBiasApplied:
        """The optimism bias a cost line of this type of spend gets, with its basis."""
        t: SpendType = spend_type or "revenue"
        default = OPTIMISM_BIAS_DEFAULTS[t]
        choice = self.optimism_bias.get(t, OptimismBiasChoice())
        category = self.project_type or choice.category or default.category
        bound = OPTIMISM_BIAS_TABLE[category]
        pct = self.optimism_bias_pct if self.optimism_bias_pct is not None else choice.percent
        if pct is not None:
            return OptimismBiasApplied(
                spend_type=t, percent=float(pct), category=category, label=bound.label,
                basis=f"user-set ({pct:g}% on {t} costs; category {bound.label}, upper bound "
                f"{bound.capex_upper_pct:g}%, lower bound {bound.capex_lower_pct:g}%)")
        chosen = self.project_type is not None or choice.category is not None
        basis = (
            f"{bound.label} upper bound, chosen by the user for {t} costs"
            if chosen else default.basis
        )
        return OptimismBiasApplied(
            spend_type=t, percent=float(bound.capex_upper_pct), category=category,
            label=bound.label, basis=f"{basis} Source: {OPTIMISM_BIAS_SOURCE}.")

    @property
    def applied_optimism_bias_pct(self) -> float:
        """The optimism bias on revenue costs (or on all costs when one figure is set)."""
        return self.optimism_bias_for("revenue").percent


def cost_lines_from_option(option: Option) -> list[CashflowLine]:
    """Cost lines of an option: each intervention's public budget, typed capital or revenue,
    and a separate private line for any co-funding (same phasing)."""
    out = []
    for item in option.interventions:
        out.append(CashflowLine(
            label=item.intervention_id, kind="cost", amounts=item.spend_profile(),
            spend_type=item.spend_type, public=True,
            note=f"public budget of option '{option.id}' ({item.spend_type})",
        ))
        if item.private_gbp_m > 0:
            out.append(CashflowLine(
                label=f"{item.intervention_id} (private co-funding)", kind="cost",
                amounts=item.private_profile(), spend_type=item.spend_type, public=False,
                note=f"private co-funding of option '{option.id}'",
            ))
    return out


# --------------------------------------------------------------------------------------------
# Value for money

_VFM_DATA = _load_yaml("vfm_categories.yaml")
VFM_SOURCE: str = " ".join(str(_VFM_DATA["source"]).split())


class VfmCategory(BaseModel):
    """A value-for-money category: BCR from ``from_bcr`` (inclusive) to ``to_bcr``."""

    id: str
    label: str
    from_bcr: float | None
    to_bcr: float | None

    def contains(self, bcr: float) -> bool:
        return (self.from_bcr is None or bcr >= self.from_bcr) and (
            self.to_bcr is None or bcr < self.to_bcr
        )

    @property
    def band(self) -> str:
        if self.from_bcr is None:
            return f"BCR below {self.to_bcr:g}"
        if self.to_bcr is None:
            return f"BCR {self.from_bcr:g} or more"
        return f"BCR {self.from_bcr:g} to {self.to_bcr:g}"


VFM_CATEGORIES: tuple[VfmCategory, ...] = tuple(
    VfmCategory.model_validate(c) for c in _VFM_DATA["categories"]
)
"""Poor < 1, low 1-1.5, medium 1.5-2, high 2-4, very high > 4 (:data:`VFM_SOURCE`)."""


def vfm_category(bcr: float | None) -> VfmCategory | None:
    """The value-for-money category of a BCR (DfT 2015 VfM framework; DLUHC 2023); None when
    the BCR is undefined (no costs, or no benefits entered)."""
    if bcr is None or not math.isfinite(bcr):
        return None
    return next(c for c in VFM_CATEGORIES if c.contains(bcr))


_VFM_SCORE = _VFM_DATA["score"]
VFM_SCORE_BASIS: str = " ".join(str(_VFM_SCORE["basis"]).split())
"""How the value-for-money criterion is scored from a BCR (shown with every such score)."""
VFM_SCORE_KNOTS: tuple[tuple[float, float], ...] = tuple(
    (float(b), float(v)) for b, v in _VFM_SCORE["knots"])
"""(BCR, score) points: the DfT bands' edges on the 0-100 scale; linear between them."""
VFM_BASELINE_SCORE: float = float(_VFM_SCORE["baseline"])
VFM_BASELINE_BASIS: str = " ".join(str(_VFM_SCORE["baseline_basis"]).split())


def vfm_score(bcr: float | None) -> float | None:
    """The 0-100 value-for-money score of a BCR (:data:`VFM_SCORE_BASIS`), None without one.

    Piecewise linear through :data:`VFM_SCORE_KNOTS`, flat at 100 past the last, so the score
    keeps the order of the BCRs and each DfT band keeps its fifth of the scale."""
    if bcr is None or not math.isfinite(bcr):
        return None
    xs, ys = zip(*VFM_SCORE_KNOTS, strict=True)
    return round(float(np.interp(max(bcr, 0.0), xs, ys)), 1)


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
    spend_type: SpendType | None = None
    public: bool = True


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


    def sentence(self) -> str:
        """The switching values in words (Green Book 2022, chapter 5): how far PV benefits
        could fall (NPV / PV benefits) or PV costs rise (NPV / PV costs) before the NPV is
        zero, or how far they must move the other way when it is negative; a value that does
        not exist (no benefits, or no costs) is said in words, never printed as '-'."""
        parts = []
        if self.benefits_pct is None:
            parts.append("with no benefits entered there is no switching value for benefits")
        else:
            verb = "fall" if self.benefits_pct < 0 else "rise"
            parts.append(f"benefits would have to {verb} by {abs(self.benefits_pct):.0f}%")
        if self.costs_pct is None:
            parts.append("with no costs there is no switching value for costs")
        elif self.costs_pct <= -100.0 + 1e-9:
            parts.append("costs would have to fall to nothing (by 100%)")
        else:
            verb = "rise" if self.costs_pct > 0 else "fall"
            parts.append(f"costs would have to {verb} by {abs(self.costs_pct):.0f}%")
        text = parts[0][0].upper() + parts[0][1:]
        joiner = ", and " if self.benefits_pct is None or self.costs_pct is None else ", or "
        return text + joiner + parts[1] + " for the NPV to reach zero."


def benefit_cost_ratio(pv_benefits: float, pv_costs: float) -> float | None:
    """PV benefits / PV costs; ``None`` when there are no costs (the ratio is undefined)."""
    return pv_benefits / pv_costs if pv_costs > 0 else None


def switching_values(
    pv_benefits: float,
    pv_costs: float,
    bcr_threshold: float = 1.0,
    pv_public_costs: float | None = None,
) -> SwitchingValues:
    """Switching values for NPV = 0 and for BCR = ``bcr_threshold`` (see SwitchingValues).

    ``pv_costs`` are all costs (the social NPV's); ``pv_public_costs`` (default: the same) are
    the BCR's denominator."""
    npv = pv_benefits - pv_costs
    public = pv_costs if pv_public_costs is None else pv_public_costs
    has_b, has_c, has_p = pv_benefits > 0, pv_costs > 0, public > 0
    return SwitchingValues(
        benefits_pct=-npv / pv_benefits * 100.0 if has_b else None,
        costs_pct=npv / pv_costs * 100.0 if has_c else None,
        bcr_threshold=bcr_threshold,
        benefits_pct_for_bcr=(bcr_threshold * public / pv_benefits - 1.0) * 100.0
        if has_b
        else None,
        costs_pct_for_bcr=(pv_benefits / (bcr_threshold * public) - 1.0) * 100.0
        if has_p
        else None,
    )


class SensitivityCase(BaseModel):
    """The result with one main driver changed (Green Book 2022, chapter 5, sensitivity)."""

    id: str
    label: str
    npv: float
    bcr: float | None
    vfm_category: str | None


class CbaResult(BaseModel):
    """Present values, NPV, BCR, value for money, switching values, sensitivity and the
    per-year table of one option.

    ``pv_costs`` are public costs after optimism bias (the BCR's denominator, as DLUHC and DfT
    use it); ``pv_private_costs`` private co-funding, which enters the social ``npv`` = PV
    benefits - PV public costs - PV private costs. ``pv_benefits`` are net additional at the
    local level; ``pv_benefits_uk`` and ``bcr_uk`` the same at UK level when given.
    """

    option_id: str | None
    pv_costs: float
    pv_private_costs: float = 0.0
    pv_benefits: float
    pv_benefits_gross: float = 0.0
    npv: float
    bcr: float | None
    vfm_category: str | None = None
    vfm_label: str | None = None
    vfm_source: str = VFM_SOURCE
    benefits_entered: bool = True
    optimism_bias_pct: float
    optimism_bias_source: str
    optimism_bias_applied: list[OptimismBiasApplied] = Field(default_factory=list)
    additionality_factor: float
    additionality_factor_uk: float | None = None
    pv_benefits_uk: float | None = None
    bcr_uk: float | None = None
    vfm_category_uk: str | None = None
    switching: SwitchingValues
    sensitivity: list[SensitivityCase] = Field(default_factory=list)
    years: list[CbaYear]
    lines: list[LinePresentValue]

    def to_frame(self) -> pd.DataFrame:
        """The per-year table as a DataFrame (one row per year), ready for export."""
        import pandas as pd  # deferred: `policymix cba` reads JSON and never needs a frame

        return pd.DataFrame.from_records([row.model_dump() for row in self.years])

    @property
    def vfm_statement(self) -> str:
        """One sentence: BCR, category and its source, or why there is none."""
        if self.bcr is None:
            why = "no benefits entered" if not self.benefits_entered else "no public costs"
            return f"Value for money not assessed: {why}."
        return (
            f"BCR {self.bcr:.2f} on public-sector cost: {self.vfm_label} value for money "
            f"({VFM_SOURCE})."
        )


class _Core(BaseModel):
    pvc: float
    pvp: float
    pvb: float
    pvb_gross: float
    pvb_uk: float | None
    streams: dict[str, list[float]]
    df: list[float]
    lines: list[LinePresentValue]
    ob: list[OptimismBiasApplied]
    ob_base: float
    ob_adjusted: float


def _core(inputs: CbaInputs) -> _Core:
    lines = inputs.all_lines()
    last = max((max(line.amounts) for line in lines if line.amounts), default=0)
    if inputs.last_year is not None:
        last = max(last, inputs.last_year)
    df = discount_factors(last, inputs.discount_schedule)
    add = inputs.additionality.factor()
    add_uk = inputs.additionality_uk.factor() if inputs.additionality_uk is not None else None
    n = last + 1
    names = ("cost_base", "cost", "cost_private", "benefit_gross", "benefit", "benefit_uk")
    streams = {k: np.zeros(n) for k in names}
    line_pvs: list[LinePresentValue] = []
    applied: dict[str, OptimismBiasApplied] = {}
    ob_base = ob_adjusted = 0.0
    for line in lines:
        raw = np.zeros(n)
        for year, value in line.amounts.items():
            raw[year] += value
        if line.kind == "cost":
            ob = inputs.optimism_bias_for(line.spend_type)
            if line.adjust:
                applied.setdefault(ob.spend_type or "revenue", ob)
            adjusted = raw * (1.0 + ob.percent / 100.0) if line.adjust else raw
            if line.adjust:
                ob_base += float(raw.sum())
                ob_adjusted += float(adjusted.sum())
            streams["cost_base"] += raw
            streams["cost" if line.public else "cost_private"] += adjusted
        else:
            adjusted = raw * add if line.adjust else raw
            streams["benefit_gross"] += raw
            streams["benefit"] += adjusted
            if add_uk is not None:
                streams["benefit_uk"] += raw * add_uk if line.adjust else raw
        line_pvs.append(LinePresentValue(
            label=line.label, kind=line.kind, total=float(raw.sum()),
            total_adjusted=float(adjusted.sum()), present_value=float(adjusted @ df),
            spend_type=line.spend_type if line.kind == "cost" else None,
            public=line.public,
        ))
    return _Core(
        pvc=float(streams["cost"] @ df), pvp=float(streams["cost_private"] @ df),
        pvb=float(streams["benefit"] @ df), pvb_gross=float(streams["benefit_gross"] @ df),
        pvb_uk=float(streams["benefit_uk"] @ df) if add_uk is not None else None,
        streams={k: v.tolist() for k, v in streams.items()}, df=df.tolist(), lines=line_pvs,
        ob=[applied[t] for t in SPEND_TYPES if t in applied],
        ob_base=ob_base, ob_adjusted=ob_adjusted,
    )


def _has_benefits(inputs: CbaInputs) -> bool:
    return any(line.kind == "benefit" and line.amounts for line in inputs.all_lines())


def _bcr(inputs: CbaInputs, pvb: float, pvc: float) -> float | None:
    return benefit_cost_ratio(pvb, pvc) if _has_benefits(inputs) else None


def _case(
    case_id: str, label: str, inputs: CbaInputs, scale_benefits: float = 1.0
) -> SensitivityCase:
    c = _core(inputs)
    pvb = c.pvb * scale_benefits
    bcr = _bcr(inputs, pvb, c.pvc)
    cat = vfm_category(bcr)
    return SensitivityCase(id=case_id, label=label, npv=pvb - c.pvc - c.pvp, bcr=bcr,
                           vfm_category=cat.id if cat else None)


def cba_sensitivity(inputs: CbaInputs) -> list[SensitivityCase]:
    """The result with each main driver changed in turn (Green Book 2022, chapter 5):

    benefits optimism (benefits ``benefits_optimism_pct`` lower), optimism bias on costs at the
    lower bound of each category and at none, deadweight 10 points higher, displacement 25
    points higher (one ready-reckoner step, HCA 2014), no multiplier, and benefits starting a
    year later."""
    add = inputs.additionality
    lower = {
        t: OptimismBiasChoice(category=ob.category,
                              percent=OPTIMISM_BIAS_TABLE[ob.category].capex_lower_pct)
        for t in SPEND_TYPES
        for ob in [inputs.optimism_bias_for(t)]
    }
    later = [line.model_copy(update={"amounts": {y + 1: v for y, v in line.amounts.items()}})
             if line.kind == "benefit" else line for line in inputs.all_lines()]
    bo = inputs.benefits_optimism_pct

    def with_(**update: Any) -> CbaInputs:
        return inputs.model_copy(update=update)

    return [
        _case("benefits_optimism", f"Benefits {bo:g}% lower (benefits optimism)", inputs,
              1.0 - bo / 100.0),
        _case("ob_lower", "Optimism bias at the lower bound of its category",
              with_(optimism_bias_pct=None, project_type=None, optimism_bias=lower)),
        _case("ob_none", "No optimism bias", with_(optimism_bias_pct=0.0)),
        _case("deadweight_up", "Deadweight 10 points higher", with_(additionality=add.model_copy(
            update={"deadweight": min(1.0, add.deadweight + 0.10)}))),
        _case("displacement_up", "Displacement 25 points higher",
              with_(additionality=add.model_copy(
                  update={"displacement": min(1.0, add.displacement + 0.25)}))),
        _case("no_multiplier", "No multiplier claimed",
              with_(additionality=add.model_copy(update={"multiplier": 1.0}))),
        _case("benefits_later", "Benefits start a year later",
              with_(lines=later, streams=[], last_year=None)),
    ]


def appraise_cba(inputs: CbaInputs) -> CbaResult:
    """Run the Green Book cost-benefit analysis of one option.

    Costs get the optimism bias of their type of spend, benefits the additionality chain (each
    only on lines with ``adjust``), then every year is discounted at the STPR schedule and
    summed. The BCR divides net additional benefits by public costs; private co-funding enters
    the social NPV; the BCR is None until benefits are entered (a BCR of 0 would read as a
    verdict on benefits nobody has estimated).
    """
    c = _core(inputs)
    df = np.array(c.df)
    s = {k: np.array(v) for k, v in c.streams.items()}
    pv_cost = (s["cost"] + s["cost_private"]) * df
    pv_benefit = s["benefit"] * df
    pv_net = pv_benefit - pv_cost
    cumulative = np.cumsum(pv_net)
    years = [
        CbaYear(
            year=t,
            calendar_year=None if inputs.first_year is None else inputs.first_year + t,
            cost_base=float(s["cost_base"][t]),
            cost=float(s["cost"][t] + s["cost_private"][t]),
            benefit_gross=float(s["benefit_gross"][t]),
            benefit=float(s["benefit"][t]),
            discount_factor=float(df[t]),
            pv_cost=float(pv_cost[t]),
            pv_benefit=float(pv_benefit[t]),
            pv_net=float(pv_net[t]),
            cumulative_npv=float(cumulative[t]),
        )
        for t in range(len(df))
    ]
    bcr = _bcr(inputs, c.pvb, c.pvc)
    cat = vfm_category(bcr)
    bcr_uk = _bcr(inputs, c.pvb_uk, c.pvc) if c.pvb_uk is not None else None
    cat_uk = vfm_category(bcr_uk)
    effective = (
        (c.ob_adjusted / c.ob_base - 1.0) * 100.0 if c.ob_base > 0
        else inputs.applied_optimism_bias_pct
    )
    if len(c.ob) == 1 or not c.ob:
        ob_source = (c.ob[0] if c.ob else inputs.optimism_bias_for("revenue")).basis
    else:
        ob_source = "; ".join(f"{o.spend_type}: {o.percent:g}% ({o.label})" for o in c.ob)
    if inputs.optimism_bias_pct is not None:
        ob_source = "user-set"
    return CbaResult(
        option_id=inputs.option_id,
        pv_costs=c.pvc,
        pv_private_costs=c.pvp,
        pv_benefits=c.pvb,
        pv_benefits_gross=c.pvb_gross,
        npv=c.pvb - c.pvc - c.pvp,
        bcr=bcr,
        vfm_category=cat.id if cat else None,
        vfm_label=cat.label if cat else None,
        benefits_entered=_has_benefits(inputs),
        optimism_bias_pct=float(effective),
        optimism_bias_source=ob_source,
        optimism_bias_applied=c.ob,
        additionality_factor=inputs.additionality.factor(),
        additionality_factor_uk=(
            inputs.additionality_uk.factor() if inputs.additionality_uk is not None else None
        ),
        pv_benefits_uk=c.pvb_uk,
        bcr_uk=bcr_uk,
        vfm_category_uk=cat_uk.id if cat_uk else None,
        switching=switching_values(c.pvb, c.pvc + c.pvp, inputs.bcr_threshold, c.pvc),
        sensitivity=cba_sensitivity(inputs) if _has_benefits(inputs) else [],
        years=years,
        lines=c.lines,
    )
