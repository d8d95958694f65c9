"""Public models of the evidence layer: what rules, policy and UI may read.

These are the boundary types of the design (``AreaProfile`` and ``Finding``); everything inside
``evidence`` may change as long as these stay stable.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

from pydantic import BaseModel, Field

FindingKind = Literal["strength", "bottleneck", "opportunity", "risk"]
FindingOrigin = Literal["data", "local_knowledge"]

FINDING_TOPICS: tuple[str, ...] = (
    "specialisation",  # a sector with a high location quotient
    "sector_growth",  # a sector growing faster than nationally, or emerging from a small base
    "sector_decline",  # a sector shrinking
    "productivity_gap",  # GVA per job below the national figure
    "productivity_lead",  # GVA per job above the national figure
    "skills",  # share of residents with level 4+ qualifications
    "innovation",  # business R&D per job
    "automation",  # jobs exposed to automation
    "dependence",  # over-reliance on one sector (concentration of the local base)
    "thin_growth_sector",  # an expanding sector spreading to new places, this area plausibly next
    "niche",  # a pronounced specialism resting on a handful of jobs or one plant
    "comparators",  # position against similar areas
    "am_base",  # size of the advanced manufacturing base overall
)
"""Closed list of finding topics; rules refer to these names."""


class ShiftShare(BaseModel):
    """Change in jobs over the period split as in Dunn (1960): national + mix + local = actual."""

    national: float
    industry_mix: float
    local: float
    actual: float


class SectorRow(BaseModel):
    sector: str
    label: str
    quadrant: str
    employment: float | None = Field(description="jobs in the end year (None if suppressed)")
    employment_start: float | None = None
    share: float | None = Field(description="share of all jobs in the area, end year")
    lq: float | None = Field(description="location quotient against Great Britain, end year")
    lq_region: float | None = None
    growth: float | None = Field(description="compound annual growth over the period")
    growth_national: float | None = None
    shift_share: ShiftShare | None = None
    gva: float | None = None
    productivity: float | None = Field(None, description="GVA per job, GBP thousand")
    productivity_ratio: float | None = None
    dynamics: str | None = None
    hoover_gb: float | None = Field(
        None, description="Hoover localisation of the sector across GB districts, end year")
    suppressed_cells: int = 0
    note: str | None = None


class Comparator(BaseModel):
    area_code: str
    area_name: str
    distance: float
    similar_because: str


class Finding(BaseModel):
    """One judged fact about the area, with its numbers and the yardstick it was judged by."""

    id: str
    kind: FindingKind
    topic: str
    sector: str | None = None
    values: dict[str, float | int | str | None] = Field(default_factory=dict)
    threshold: str = ""
    text: str
    confidence: float = Field(ge=0.0, le=1.0)
    origin: FindingOrigin = "data"
    status: Literal["proposed", "accepted", "rejected"] = "proposed"
    note: str = ""

    @property
    def stands(self) -> bool:
        """Whether the finding still counts as evidence: proposed findings count until the user
        rejects them. The one definition the rules, questions, appraisal and reports share."""
        return self.status != "rejected"


def standing(findings: Iterable[Finding]) -> list[Finding]:
    """The findings that still stand (see :attr:`Finding.stands`), in order."""
    return [f for f in findings if f.stands]


class Period(BaseModel):
    start: int
    end: int


class AreaRef(BaseModel):
    code: str
    name: str
    level: str
    members: list[str] = Field(default_factory=list)


class AreaProfile(BaseModel):
    area: AreaRef
    period: Period
    source: str
    synthetic: bool
    total_jobs: float
    total_jobs_basis: str = Field(description="'all-industries row' or 'sum of industries'")
    national_basis: str = Field(description="'Great Britain row' or 'sum of areas in file'")
    source_kind: str = Field(default="official",
                             description="'official', 'sample' (bundled real) or 'synthetic'")
    snapshot: bool = Field(default=False, description="one year only: no growth measures")
    comparators_note: str | None = Field(
        default=None, description="why there are no comparators, when there are none")
    am_jobs: float
    am_share: float
    krugman: float | None = None
    herfindahl: float | None = None
    automation_exposure: float | None = None
    context: dict[str, float | None] = Field(default_factory=dict)
    sectors: list[SectorRow]
    comparators: list[Comparator] = Field(default_factory=list)
    findings: list[Finding] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)

    def sector(self, sector_id: str) -> SectorRow:
        for row in self.sectors:
            if row.sector == sector_id:
                return row
        raise KeyError(sector_id)
