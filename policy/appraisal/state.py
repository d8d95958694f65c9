"""The option appraisal as the user decides it: one model to store.

``AppraisalState`` holds everything a user (or a workshop) decides in the appraisal step:
spending objectives and critical success factors (HM Treasury Green Book 2022, chapter 4), the
long list of options with the business-as-usual (BAU) baseline, the options dropped from it and
why, MCDA criteria, swing weights and scores with rationales (DCLG 2009 *Multi-criteria
analysis: a manual*), per-option cost-benefit inputs (Green Book 2022, chapter 5) and notes. It
is stored in ``StrategySession.appraisal`` and must round-trip to JSON losslessly, so it holds
decisions only: cost lines are *derived* from the options' budgets when the appraisal runs (via
:func:`policy.appraisal.cba.cost_lines_from_option`) and so can never disagree with them.

The model is deliberately lenient about cross-references (a score for an option that has since
been deleted, a missing weight): a session that was saved half-edited must still load, because
the design promises that nothing a user entered is lost. :meth:`AppraisalState.problems` lists
every inconsistency in plain English and :func:`policy.appraisal.run.run_appraisal` reports them
instead of failing. Defaults live in :mod:`policy.appraisal.defaults`.
"""

from __future__ import annotations

import math
from typing import Any

from pydantic import BaseModel, Field, computed_field, field_validator, model_validator

from policy.appraisal.cba import (
    BENEFITS_OPTIMISM_PCT,
    VFM_BASELINE_BASIS,
    VFM_BASELINE_SCORE,
    VFM_SCORE_BASIS,
    VFM_SOURCE,
    Additionality,
    BenefitStream,
    CashflowLine,
    CbaInputs,
    OptimismBiasChoice,
    SpendType,
    cost_lines_from_option,
    vfm_category,
    vfm_score,
)
from policy.appraisal.mcda import (
    DEFAULT_CRITERIA,
    Criterion,
    McdaInputs,
    Score,
)
from policy.appraisal.options import (
    CriticalSuccessFactor,
    Option,
    OptionRule,
    Shortlist,
    SpendingObjective,
    shortlist,
)

VFM_CRITERION = "value_for_money"
"""The criterion scored from each option's cost-benefit result (:meth:`AppraisalState.
scores_with_cba`)."""

VFM_UNSCORED = ("Unscored until benefits are entered: scored from the option's own BCR "
                "once its cost-benefit analysis has one (" + VFM_SCORE_BASIS + "; "
                + VFM_SOURCE + "). The tool does not invent benefits. Type a score to set "
                "your own.")
"""Why an option's value for money is still empty, and what will score it."""

LEGACY_VFM_REASONS = ("Unscored: no benefits entered, so there is no BCR to score from.",
                      "Unscored: business as usual is the benchmark the other options' value")
"""How the old default's value-for-money cells began (see ``AppraisalState._legacy_vfm``)."""

DEFAULT_SWING_WEIGHTS: dict[str, float] = {c.id: 100.0 for c in DEFAULT_CRITERIA}
"""Equal swing weights: the neutral starting point until the workshop judges the swings. Any
other default would be the tool's value judgement presented as the user's."""


# --------------------------------------------------------------------------------------------
# The stored state


class RecommendedIntervention(BaseModel):
    """One entry of the ranked list the defaults were built from, kept for traceability."""

    intervention_id: str
    score: float


class OptionCba(BaseModel):
    """The user's cost-benefit inputs for one option (Green Book 2022, chapter 5).

    Cost lines for the option's own interventions are not stored: they are derived from its
    budgets, types of spend and co-funding each time (see :meth:`cba_inputs`), so editing a
    budget cannot leave a stale cost behind. ``extra_cost_lines`` is for costs outside those
    budgets (monitoring and evaluation, say). Optimism bias follows the type of spend
    (``optimism_bias``: the user's category or percentage for capital and for revenue; none
    means the tool's stated default for that type); ``project_type`` and ``optimism_bias_pct``
    set one category or one percentage for every cost. Benefits are ``benefit_lines`` (by year)
    and ``benefit_streams`` (start year, length, amount or jobs x GVA per job, persistence);
    both start empty: the tool never invents them. ``additionality`` is the local chain,
    ``additionality_uk`` the UK-level one (defaults: cited benchmarks, see
    :mod:`policy.appraisal.additionality`).

    Sessions saved before optimism bias was typed stored ``project_type:
    equipment_development``, the old default (200% on revenue programmes, which the guidance
    does not support); on loading such a session that default is replaced by the typed
    defaults. A percentage the user set is kept.
    """

    benefit_lines: list[CashflowLine] = Field(default_factory=list)
    benefit_streams: list[BenefitStream] = Field(default_factory=list)
    extra_cost_lines: list[CashflowLine] = Field(default_factory=list)
    additionality: Additionality = Field(default_factory=Additionality)
    additionality_uk: Additionality | None = None
    project_type: str | None = None
    optimism_bias_pct: float | None = None
    optimism_bias: dict[SpendType, OptimismBiasChoice] = Field(default_factory=dict)
    benefits_optimism_pct: float = BENEFITS_OPTIMISM_PCT
    first_year: int | None = None
    bcr_threshold: float = 1.0
    note: str = ""

    @model_validator(mode="before")
    @classmethod
    def _legacy_default(cls, data: Any) -> Any:
        if (isinstance(data, dict) and "optimism_bias" not in data
                and data.get("project_type") == "equipment_development"):
            data = {**data, "project_type": None}
        return data

    @model_validator(mode="after")
    def _kinds(self) -> OptionCba:
        for line in self.benefit_lines:
            if line.kind != "benefit":
                raise ValueError(f"line '{line.label}' is in benefit_lines but is a {line.kind}")
        for line in self.extra_cost_lines:
            if line.kind != "cost":
                raise ValueError(f"line '{line.label}' is in extra_cost_lines but is a {line.kind}")
        return self

    @computed_field  # type: ignore[prop-decorator]
    @property
    def benefits_entered(self) -> bool:
        """True once at least one benefit line or stream has an amount; False: costs only."""
        return any(line.amounts for line in self.benefit_lines) or bool(self.benefit_streams)

    def cba_inputs(self, option: Option) -> CbaInputs:
        """The full CBA inputs: derived cost lines, extra costs, then the user's benefits."""
        return CbaInputs(
            option_id=option.id,
            lines=[*cost_lines_from_option(option), *self.extra_cost_lines, *self.benefit_lines],
            streams=list(self.benefit_streams),
            project_type=self.project_type,
            optimism_bias_pct=self.optimism_bias_pct,
            optimism_bias=dict(self.optimism_bias),
            additionality=self.additionality,
            additionality_uk=self.additionality_uk,
            first_year=self.first_year,
            bcr_threshold=self.bcr_threshold,
            benefits_optimism_pct=self.benefits_optimism_pct,
        )


class AppraisalState(BaseModel):
    """Everything the user decides in the option appraisal; ``AppraisalState()`` is empty.

    ``options`` is the long list, BAU included; ``dropped`` maps a dropped option's id to the
    reason (the Green Book asks for one, typically the critical success factor it fails); the
    short list is what is left. Criteria and swing weights default to the tool's criteria with
    equal weights so an empty state is already consistent; options, scores and CBA inputs are
    added by :func:`default_appraisal` or the user. ``cba`` is keyed by option id.
    """

    recommendations: list[RecommendedIntervention] = Field(default_factory=list)
    spending_objectives: list[SpendingObjective] = Field(default_factory=list)
    critical_success_factors: list[CriticalSuccessFactor] = Field(default_factory=list)
    options: list[Option] = Field(default_factory=list)
    option_rules: list[OptionRule] = Field(
        default_factory=list, description="the stated rules the default options were built by"
    )
    dropped: dict[str, str] = Field(default_factory=dict, description="dropped option id -> reason")
    criteria: list[Criterion] = Field(default_factory=lambda: list(DEFAULT_CRITERIA))
    swing_weights: dict[str, float] = Field(default_factory=lambda: dict(DEFAULT_SWING_WEIGHTS))
    scores: list[Score] = Field(default_factory=list)
    cba: dict[str, OptionCba] = Field(default_factory=dict)
    niche_mitigation: str = Field(
        "", description="why budget aimed at sectors with few local jobs is justified, or how"
    )
    targets: dict[str, str] = Field(
        default_factory=dict, description="logframe node id -> the target the user sets"
    )
    notes: str = ""

    @model_validator(mode="before")
    @classmethod
    def _legacy_vfm(cls, data: Any) -> Any:
        """Sessions saved before value for money followed the CBA held the old default's
        unscored cells as plain scores; those (and only those: the old default's own words,
        value empty) follow the CBA now, so a saved session gets the new default too."""
        if not isinstance(data, dict) or not isinstance(data.get("scores"), list):
            return data
        scores = []
        for s in data["scores"]:
            if (isinstance(s, dict) and s.get("criterion_id") == VFM_CRITERION
                    and s.get("value") is None and "from_cba" not in s
                    and str(s.get("rationale", "")).startswith(LEGACY_VFM_REASONS)):
                s = {**s, "from_cba": True, "rationale": VFM_UNSCORED}
            scores.append(s)
        return {**data, "scores": scores}

    @field_validator("niche_mitigation", "notes")
    @classmethod
    def _strip(cls, v: str) -> str:
        return v.strip()

    # -- look-ups ----------------------------------------------------------------------------

    @property
    def baseline(self) -> Option | None:
        """The BAU option, or None if the long list has none yet."""
        return next((o for o in self.options if o.is_baseline), None)

    def option(self, option_id: str) -> Option:
        for opt in self.options:
            if opt.id == option_id:
                return opt
        known = ", ".join(o.id for o in self.options) or "none"
        raise KeyError(f"no option '{option_id}' (known: {known})")

    def score(self, option_id: str, criterion_id: str) -> Score | None:
        return next(
            (s for s in self.scores if s.option_id == option_id and s.criterion_id == criterion_id),
            None,
        )

    def set_score(
        self, option_id: str, criterion_id: str, value: float | None, rationale: str
    ) -> Score:
        """Replace (or add) one score; returns the new Score. Validates the 0-100 range."""
        new = Score(
            option_id=option_id, criterion_id=criterion_id, value=value, rationale=rationale
        )
        self.scores = [
            s
            for s in self.scores
            if not (s.option_id == option_id and s.criterion_id == criterion_id)
        ] + [new]
        return new

    def scores_with_cba(self, bcrs: dict[str, float | None]) -> list[Score]:
        """The scores with every ``from_cba`` cell filled from the options' BCRs.

        ``bcrs`` maps an option id to its BCR (None: no benefits entered). A derived value
        for money is :func:`~policy.appraisal.cba.vfm_score` of the option's BCR with the
        band and its source in the rationale; business as usual, the counterfactual, scores
        :data:`~policy.appraisal.cba.VFM_BASELINE_SCORE`, but only once every other
        short-listed option has a BCR (until then the criterion is unscored for them and
        left out anyway). Cells the user has set are returned as they are; the stored state
        is not changed (the derived scores are results, not decisions)."""
        kept = self.kept_option_ids()
        baseline = self.baseline.id if self.baseline is not None else None
        others = [o for o in kept if o != baseline]
        all_in = bool(others) and all(bcrs.get(o) is not None for o in others)
        out = []
        for s in self.scores:
            if not s.from_cba:
                out.append(s)
                continue
            if s.option_id == baseline:
                value = VFM_BASELINE_SCORE if all_in else None
                text = (f"From the cost-benefit analysis: {VFM_BASELINE_BASIS} "
                        f"({VFM_SOURCE})." if all_in else
                        "Unscored until every option's BCR is in: business as usual, the "
                        f"counterfactual, then scores {VFM_BASELINE_SCORE:g} "
                        f"({VFM_BASELINE_BASIS}).")
            else:
                bcr = bcrs.get(s.option_id)
                value = vfm_score(bcr)
                cat = vfm_category(bcr)
                text = VFM_UNSCORED if value is None or cat is None else (
                    f"From the cost-benefit analysis: BCR {bcr:.2f}, {cat.label.lower()} "
                    f"value for money, score {value:g} ({VFM_SCORE_BASIS}; {VFM_SOURCE}). "
                    "Type a score to set your own.")
            out.append(s.model_copy(update={"value": value, "rationale": text}))
        return out

    def remove_option(self, option_id: str) -> None:
        """Delete an option with its scores, CBA inputs and drop reason (not the baseline)."""
        opt = self.option(option_id)
        if opt.is_baseline:
            raise ValueError(
                f"cannot remove option '{option_id}': it is the business-as-usual baseline, "
                "which the Green Book requires on every short list"
            )
        self.options = [o for o in self.options if o.id != option_id]
        self.scores = [s for s in self.scores if s.option_id != option_id]
        self.cba.pop(option_id, None)
        self.dropped.pop(option_id, None)

    def shortlist(self) -> Shortlist:
        """The short list: BAU first, dropped options with reasons (raises ValueError if bad)."""
        return shortlist(self.options, self.dropped)

    def kept_option_ids(self) -> list[str]:
        """Ids of the short-listed options in MCDA tie-break order (BAU first), leniently."""
        try:
            return [o.id for o in self.shortlist().kept]
        except ValueError:
            return [o.id for o in self.options if o.id not in self.dropped]

    @property
    def benefits_entered(self) -> bool:
        """True when every short-listed option other than BAU has benefits entered."""
        ids = [o.id for o in self.options if not o.is_baseline and o.id in self.kept_option_ids()]
        return bool(ids) and all(oid in self.cba and self.cba[oid].benefits_entered for oid in ids)

    def unscored(self) -> dict[str, list[str]]:
        """Criterion id -> short-listed options left unscored on it (value None)."""
        ids = set(self.kept_option_ids())
        out: dict[str, list[str]] = {}
        for s in self.scores:
            if s.value is None and s.option_id in ids:
                out.setdefault(s.criterion_id, []).append(s.option_id)
        return {c.id: out[c.id] for c in self.criteria if c.id in out}

    def mcda_inputs(self) -> McdaInputs:
        """MCDA inputs over the short list and the criteria every option is scored on.

        Criteria with an unscored cell are left out (see :meth:`unscored`), with their weights:
        the totals are then over the criteria that have evidence, and the results say which
        were left out, rather than reading a missing score as 0 or 50 (DCLG 2009 manual,
        chapter 5: every option is scored on every criterion that is used). Raises ValueError
        naming what is incomplete, or when no criterion is scored for every option."""
        ids = [o.id for o in self.shortlist().kept]
        wanted = set(ids)
        gaps = self.unscored()
        criteria = [c for c in self.criteria if c.id not in gaps]
        if not criteria:
            raise ValueError(
                "no criterion is scored for every short-listed option yet (unscored: "
                + ", ".join(gaps) + ")"
            )
        keep = {c.id for c in criteria}
        if all(self.swing_weights.get(c, 0.0) <= 0.0 for c in keep):
            raise ValueError(
                "every criterion that is scored has zero weight: weight one of "
                + ", ".join(sorted(keep))
            )
        return McdaInputs(
            option_ids=ids,
            criteria=criteria,
            swing_weights={c: w for c, w in self.swing_weights.items() if c in keep},
            scores=[s for s in self.scores if s.option_id in wanted and s.criterion_id in keep],
        )

    def problems(self) -> list[str]:
        """Every inconsistency that would stop the appraisal, in plain English (empty if none)."""
        out: list[str] = []
        ids = [o.id for o in self.options]
        dup = sorted({i for i in ids if ids.count(i) > 1})
        if dup:
            out.append(f"option id(s) used more than once: {', '.join(dup)}")
        baselines = [o.id for o in self.options if o.is_baseline]
        if not baselines:
            out.append("no business-as-usual baseline option (the Green Book requires one)")
        elif len(baselines) > 1:
            out.append(f"more than one baseline option: {', '.join(baselines)}")
        known = set(ids)
        for oid, reason in self.dropped.items():
            if oid not in known:
                out.append(f"dropped option '{oid}' is not in the long list")
            elif oid in baselines:
                out.append(f"the baseline '{oid}' cannot be dropped")
            if not reason.strip():
                out.append(f"dropped option '{oid}' has no reason")
        for oid in self.cba:
            if oid not in known:
                out.append(f"CBA inputs given for unknown option '{oid}'")
        crit_ids = [c.id for c in self.criteria]
        if not crit_ids:
            out.append("no criteria")
        for cid in crit_ids:
            if cid not in self.swing_weights:
                out.append(f"no swing weight for criterion '{cid}'")
        for cid, w in self.swing_weights.items():
            if cid not in crit_ids:
                out.append(f"swing weight given for unknown criterion '{cid}'")
            elif not (math.isfinite(w) and 0.0 <= w <= 100.0):
                out.append(f"swing weight for criterion '{cid}' must be 0-100, got {w}")
        if crit_ids and all(self.swing_weights.get(c, 0.0) <= 0.0 for c in crit_ids):
            out.append("all swing weights are zero")
        seen: set[tuple[str, str]] = set()
        for s in self.scores:
            key = (s.option_id, s.criterion_id)
            if s.option_id not in known:
                out.append(f"score for unknown option '{s.option_id}'")
            elif s.criterion_id not in crit_ids:
                out.append(f"option '{s.option_id}' scored on unknown criterion '{s.criterion_id}'")
            elif key in seen:
                out.append(f"option '{s.option_id}' scored twice on '{s.criterion_id}'")
            seen.add(key)
        for oid in self.kept_option_ids():
            if oid not in known:
                continue
            missing = [c for c in crit_ids if (oid, c) not in seen]
            if missing:
                out.append(f"option '{oid}' has no score on: {', '.join(missing)}")
        return out


