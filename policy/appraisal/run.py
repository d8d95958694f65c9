"""Running the appraisal: one pure function from the stored state to its results.

MCDA with weight thresholds and Monte Carlo rank stability (DCLG 2009), and each short-listed
option's Green Book cost-benefit analysis. Problems are reported, not raised.
"""

from __future__ import annotations

from pydantic import BaseModel, Field

from policy.appraisal.cba import (
    CbaResult,
    appraise_cba,
)
from policy.appraisal.mcda import (
    McdaResult,
    RankStability,
    Score,
    SwingRange,
    Verdict,
    WeightThreshold,
    appraise_mcda,
    rank_stability,
    stability_statement,
    swing_ranges,
    verdict,
    weight_thresholds,
)
from policy.appraisal.state import AppraisalState, OptionCba

# --------------------------------------------------------------------------------------------
# Running the appraisal


class AppraisalResults(BaseModel):
    """What :func:`run_appraisal` found: MCDA and sensitivity, CBA per option, and problems.

    ``mcda`` (with ``thresholds`` and ``stability``) is None while the state has problems that
    stop the MCDA, listed in ``problems``. ``cba`` holds a result for each short-listed option
    with any cost or benefit lines; ``cba_skipped`` says why the others have none, and
    ``warnings`` flags results to read with care (costs without benefits, for instance).
    ``excluded_criteria`` names the criteria left out of the totals because an option is
    unscored on them (criterion id -> the sentence shown); ``swing`` is each used criterion's
    worst and best option beside its weights; ``stability_statement`` says in words how stable
    the ranking is and what drives it; ``verdict`` whether it picks one option or which it
    cannot choose between. ``scores`` are the scores the MCDA used and the pages show: the
    state's, with value for money filled from each option's BCR where it follows the CBA
    (:meth:`AppraisalState.scores_with_cba`).
    """

    kept: list[str] = Field(default_factory=list)
    dropped: dict[str, str] = Field(default_factory=dict)
    mcda: McdaResult | None = None
    thresholds: list[WeightThreshold] = Field(default_factory=list)
    stability: RankStability | None = None
    cba: dict[str, CbaResult] = Field(default_factory=dict)
    cba_skipped: dict[str, str] = Field(default_factory=dict)
    problems: list[str] = Field(default_factory=list)
    warnings: list[str] = Field(default_factory=list)
    excluded_criteria: dict[str, str] = Field(default_factory=dict)
    swing: list[SwingRange] = Field(default_factory=list)
    stability_statement: str = ""
    verdict: Verdict | None = None
    scores: list[Score] = Field(default_factory=list)

    @property
    def complete(self) -> bool:
        return not self.problems and self.mcda is not None


def run_appraisal(
    state: AppraisalState, *, n_draws: int = 10_000, concentration: float = 50.0, seed: int = 0
) -> AppraisalResults:
    """Run the MCDA (with weight thresholds and rank stability) and each option's CBA.

    A pure function of the state: the seed makes the Monte Carlo rank stability reproducible,
    and nothing in ``state`` is changed. Problems are reported, not raised, so the UI can show
    the parts that do work next to a list of what to fix.
    """
    problems = state.problems()
    warnings: list[str] = []
    try:
        short = state.shortlist()
        kept = short.kept
        dropped = {d.option.id: d.reason for d in short.dropped}
    except ValueError as exc:
        if not problems:  # otherwise problems() has already said the same in its own words
            problems.append(f"short list: {exc}")
        kept = [o for o in state.options if o.id not in state.dropped]
        dropped = {}

    cba: dict[str, CbaResult] = {}
    skipped: dict[str, str] = {}
    for opt in kept:
        inputs_for = state.cba.get(opt.id, OptionCba())
        try:
            cba_in = inputs_for.cba_inputs(opt)
        except ValueError as exc:
            problems.append(f"CBA of option '{opt.id}': {exc}")
            skipped[opt.id] = "inputs are invalid (see problems)"
            continue
        if not cba_in.lines:
            skipped[opt.id] = (
                "the benchmark: no costs or benefits of its own"
                if opt.is_baseline
                else "no cost or benefit lines"
            )
            continue
        cba[opt.id] = appraise_cba(cba_in)
        if not inputs_for.benefits_entered:
            warnings.append(
                f"{opt.name}: no benefits entered, so its CBA shows costs only and a "
                "negative NPV by construction"
            )
    scores = state.scores_with_cba({o: r.bcr for o, r in cba.items()})
    state = state.model_copy(update={"scores": scores})
    mcda = None
    judged = None
    thresholds: list[WeightThreshold] = []
    stability = None
    swing: list[SwingRange] = []
    statement = ""
    names = {o.id: o.name for o in state.options}
    labels = {c.id: c.label for c in state.criteria}
    n_kept = len(state.kept_option_ids())
    derived = {(s.option_id, s.criterion_id) for s in scores if s.from_cba}

    def left_out(cid: str, oids: list[str]) -> str:
        who = ("every option" if len(oids) == n_kept
               else ", ".join(names.get(o, o) for o in oids))
        if all((o, cid) in derived for o in oids):
            return (f"{labels.get(cid, cid)}: left out of the totals until benefits are "
                    f"entered for {who} (it is then scored from each option's BCR)")
        return f"{labels.get(cid, cid)}: left out of the totals until scored for {who}"

    excluded = {cid: left_out(cid, oids) for cid, oids in state.unscored().items()}
    if not problems:
        try:
            inputs = state.mcda_inputs()
            mcda = appraise_mcda(inputs)
            thresholds = weight_thresholds(inputs)
            stability = rank_stability(
                inputs, n_draws=n_draws, concentration=concentration, seed=seed
            )
            swing = swing_ranges(inputs)
            statement = stability_statement(inputs, mcda, thresholds, stability, labels, names)
            judged = verdict(mcda, stability)
            if excluded:
                statement += (
                    f" {len(excluded)} criteria are unscored and not in these totals; scoring "
                    "them could change the ranking."
                )
        except ValueError as exc:
            problems.append(f"MCDA: {exc}")

    return AppraisalResults(
        kept=[o.id for o in kept],
        dropped=dropped,
        mcda=mcda,
        thresholds=thresholds,
        stability=stability,
        cba=cba,
        cba_skipped=skipped,
        problems=problems,
        warnings=warnings,
        excluded_criteria=excluded,
        swing=swing,
        stability_statement=statement,
        verdict=judged,
        scores=scores,
    )
