"""Public models of the evidence layer: what rules, policy and UI may read.

These are the boundary types of the design (``AreaProfile`` and ``Finding``); everything inside
``evidence`` may change as long as these stay stable.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from typing import Literal, TypeVar

from pydantic import BaseModel, Field, TypeAdapter

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
    "supply_chain_gap",  # a strong local sector whose main supplier industries are thin locally
    "supply_chain_strength",  # a strong local sector whose main suppliers are dense locally
    "related_opportunity",  # a class not yet held but dense in related classes the area has
    "cross_boundary_cluster",  # a specialism shared with neighbouring districts (LISA high-high)
    "isolated_specialism",  # a specialism surrounded by districts without it (LISA high-low)
)
"""Closed list of finding topics; rules refer to these names."""


class ShiftShare(BaseModel):
    """Change in jobs over the period split as in Dunn (1960): national + mix + local = actual."""

    national: float
    industry_mix: float
    local: float
    actual: float


class Record(BaseModel):
    """A model that can also be read like the JSON it dumps to (``row["multiplier"]``)."""

    def __getitem__(self, key: str) -> object:
        if key not in type(self).model_fields:
            raise KeyError(key)
        return getattr(self, key)


class EstebanMarquillasParts(Record):
    """Esteban-Marquillas (1972) split of the local (competitive) effect of one sector.

    competitive = homothetic_competitive + allocation, with homothetic employment
    E*_ir = E_r E_i / E (start year), homothetic_competitive = E*_ir (r_ir - r_i) and
    allocation = (E_ir - E*_ir)(r_ir - r_i); jobs over the profile's period.
    """

    homothetic_employment: float | None
    competitive: float | None
    homothetic_competitive: float | None
    allocation: float | None
    allocation_type: str


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
    esteban_marquillas: EstebanMarquillasParts | None = None


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


class Supplier(Record):
    """A domestic supplier industry of a sector (ONS input-output analytical tables 2019)."""

    industry: str = Field(description="IOAT industry code as ONS prints it, e.g. C25OTHER")
    name: str
    coefficient: float = Field(description="direct requirement a_iS: purchases per unit output")
    local_lq: float | None = Field(description="the industry's LQ in the area (None: not in file)")


class Buyer(Record):
    """An intermediate buyer industry of a sector: the share of the sector's output it buys."""

    industry: str
    name: str
    share: float = Field(description="output coefficient b_Sj = Z_Sj / X_S")
    local_lq: float | None


class Multiplier(Record):
    """A Type I output multiplier and how it was made (method text states the FLQ delta)."""

    type_i: float
    method: str
    delta: float | None = None


class SupplyChain(Record):
    """One sector's supply chain in the area: ``{sector, io_industry, suppliers, buyers,
    multiplier}`` as issue 11 specifies (buyers carry ``share`` rather than a coefficient)."""

    sector: str
    label: str = ""
    io_industry: list[str]
    suppliers: list[Supplier]
    buyers: list[Buyer]
    multiplier: Multiplier


class RelatedPresent(Record):
    """A class the area already has (LQ >= 1) that makes a candidate class feasible."""

    sic: str
    label: str
    relatedness: float = Field(description="proximity phi to the candidate class")
    lq: float


class RelatedOpportunity(Record):
    """A class the area is not specialised in (LQ < 1) but whose related classes it has."""

    sic: str
    label: str
    sector: str | None = None
    density: float = Field(description="relatedness density in [0, 1], end year")
    lq: float | None
    national_jobs: float | None = None
    related_present: list[RelatedPresent] = Field(default_factory=list)


class ClusterNeighbour(Record):
    code: str
    name: str
    lq: float | None


class SectorCluster(Record):
    """Global Moran's I of a sector's LQ across districts and the focus district's LISA."""

    sector: str
    label: str
    lq: float | None
    moran_i: float
    moran_expected: float
    moran_p: float
    quadrant: str = Field(description="LISA quadrant HH, LH, LL or HL")
    local_p: float
    status: Literal["cluster", "isolated", "neither"]
    text: str
    neighbours: list[ClusterNeighbour] = Field(
        default_factory=list, description="the k nearest districts, with their LQ")
    partners: list[str] = Field(default_factory=list,
                                description="names of the cluster partners (HH) or surrounding "
                                            "districts (HL)")


class ClusterResult(Record):
    """Spatial association of the area's specialisms (districts only)."""

    weights: str
    centroids: str
    permutations: int
    seed: int
    districts: int
    year: int
    sectors: list[SectorCluster] = Field(default_factory=list)


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
    class_detail: str | None = Field(
        None, description="the SIC class detail relatedness and variety were computed at")
    relatedness_method: str | None = None
    related_opportunities: list[RelatedOpportunity] = Field(default_factory=list)
    related_variety: float | None = Field(None, description="Frenken et al. 2007, bits")
    unrelated_variety: float | None = None
    total_variety: float | None = Field(None, description="entropy over classes = RV + UV")
    variety_method: str | None = None
    supply_chain: list[SupplyChain] = Field(default_factory=list)
    io_multiplier: Multiplier | None = Field(
        None, description="the area's Type I multiplier (FLQ), jobs-weighted over its sectors")
    cluster: ClusterResult | None = None

    def sector(self, sector_id: str) -> SectorRow:
        for row in self.sectors:
            if row.sector == sector_id:
                return row
        raise KeyError(sector_id)


M = TypeVar("M", bound=BaseModel)


@lru_cache(maxsize=16)
def _list_adapter(model: type[BaseModel]) -> TypeAdapter:
    return TypeAdapter(list[model])  # type: ignore[valid-type]


def models_from(model: type[M], items: list[dict]) -> list[M]:
    """``[model(**item) for item in items]``, nested models given as dicts, in one call into
    pydantic-core: every field validated as the constructors would, without a Python
    constructor call a model. A district's profile has ~200 small models (sector rows with
    their shift-share parts, supply chains with their suppliers and buyers, opportunities with
    their related classes); built this way they take about half the time."""
    return _list_adapter(model).validate_python(items) if items else []
