"""Multi-criteria decision analysis (MCDA) of short-listed options, with sensitivity analysis.

The method is the linear additive model of DCLG (2009) *Multi-criteria analysis: a manual*
(Department for Communities and Local Government), chapters 5-6: each option is scored 0-100 on
each criterion (higher is always better), criteria carry *swing weights* (the criterion whose
0-to-100 swing matters most gets 100, the others are judged relative to it, then the weights are
normalised to sum to 1), and an option's overall value is the weighted sum of its scores. The
manual's last step, sensitivity analysis, is provided two ways:

- :func:`weight_thresholds`: for each criterion, how far its weight can move down and up (the
  others rescaled proportionally so the weights still sum to 1) before the top option changes.
  The weighted total is linear in the moved weight, so the crossing points are solved exactly.
- :func:`rank_stability`: the chance each option ranks first (and at every rank) when all
  weights are perturbed at random around the chosen ones (Dirichlet, seeded, vectorised).

Ties: totals equal to :data:`TIE_DECIMALS` decimal places are treated as ties and broken by the
options' listed order, so results are deterministic and, with the baseline listed first (see
``policy.options.ensure_baseline``), an option that merely equals business as usual does not
outrank it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from pydantic import BaseModel, Field, field_validator, model_validator

CLOSE_LEAD_POINTS = 5.0
"""A lead (0-100 scale) below which the statement warns that the top two are too close to
choose between on these scores: a tool judgement, about one step of a typical 0-100 scoring
scale, so a stable rank is not mistaken for a material difference."""

CLEAR_FIRST_SHARE = 0.9
"""The share of random weight sets (:func:`rank_stability`) in which the top option must rank
first to be called the winner: below it, small weight changes put another option first
often enough that the ranking does not choose between them. A tool judgement (the DCLG 2009
manual asks for the sensitivity test, not for a cut-off), stated where it is used."""

TIE_DECIMALS = 9
"""Weighted totals (0-100 scale) are compared after rounding to this many decimals."""

_TOL = 1e-9


class Criterion(BaseModel):
    """An appraisal criterion. Scores on every criterion run 0-100 with higher = better."""

    id: str
    label: str
    description: str = ""

    @field_validator("id")
    @classmethod
    def _id(cls, v: str) -> str:
        v = v.strip()
        if not v:
            raise ValueError("criterion id must not be empty")
        return v


DEFAULT_CRITERIA: tuple[Criterion, ...] = (
    Criterion(
        id="fit_to_evidence",
        label="Fit to the local evidence",
        description="How directly the option addresses the strengths, bottlenecks and "
        "opportunities found in the area profile.",
    ),
    Criterion(
        id="evidence_strength",
        label="Strength of evidence that it works",
        description="Quality of the evaluation evidence that interventions like these achieve "
        "their outcomes elsewhere.",
    ),
    Criterion(
        id="value_for_money",
        label="Value for money",
        description="Expected benefits relative to costs (informed by the cost-benefit analysis).",
    ),
    Criterion(
        id="deliverability",
        label="Deliverability",
        description="Whether partners, powers, skills and time exist to deliver it.",
    ),
    Criterion(
        id="risk",
        label="Risk (higher score = lower risk)",
        description="Delivery, financial and outcome risk, scored so that a safer option "
        "scores higher.",
    ),
    Criterion(
        id="inclusion",
        label="Inclusion and spatial equity",
        description="How widely the benefits reach people and places, including those left behind.",
    ),
    Criterion(
        id="national_alignment",
        label="Alignment with national programmes",
        description="Fit with national industrial strategy, funding programmes and missions.",
    ),
)
"""The criteria the tool proposes; users may add, drop or reword them."""


class Score(BaseModel):
    """One option's score on one criterion (0-100, higher = better) and why it was given.

    ``value`` None means *unscored*: there is no evidence to score it from yet and the
    rationale says what would be needed. ``from_cba`` marks a score the appraisal derives
    (value for money from the option's own BCR, :func:`policy.appraisal.cba.vfm_score`);
    editing it makes it the user's. An unscored cell is never read as 0 or 50: the
    appraisal leaves its criterion out of the totals and says so (see
    :meth:`policy.appraisal.state.AppraisalState.mcda_inputs`).
    """

    option_id: str
    criterion_id: str
    value: float | None
    rationale: str = ""
    from_cba: bool = Field(
        False, description="kept in step with the option's cost-benefit result (value for "
        "money from its BCR) each time the appraisal runs, until the user edits the cell")

    @property
    def scored(self) -> bool:
        return self.value is not None

    @model_validator(mode="after")
    def _range(self) -> Score:
        if self.value is not None and not (math.isfinite(self.value)
                                           and 0.0 <= self.value <= 100.0):
            raise ValueError(
                f"score for option '{self.option_id}' on criterion '{self.criterion_id}' must be "
                f"between 0 and 100, got {self.value}"
            )
        return self


def normalise_weights(swing_weights: Mapping[str, float]) -> dict[str, float]:
    """Normalise raw 0-100 swing weights so they sum to 1 (DCLG 2009 manual, chapter 6).

    Swing weighting asks how much the swing from the worst to the best plausible score on each
    criterion matters, the largest swing getting 100; dividing by the total turns those
    judgements into the weights of the linear additive model. Zero is allowed (the criterion
    then plays no part) but at least one weight must be positive.
    """
    if not swing_weights:
        raise ValueError("no swing weights given")
    for cid, raw in swing_weights.items():
        if not (isinstance(raw, int | float) and math.isfinite(raw) and 0.0 <= raw <= 100.0):
            raise ValueError(
                f"swing weight for criterion '{cid}' must be between 0 and 100, got {raw}"
            )
    total = float(sum(swing_weights.values()))
    if total <= 0.0:
        raise ValueError("all swing weights are zero; at least one criterion must carry weight")
    return {cid: float(raw) / total for cid, raw in swing_weights.items()}


class McdaInputs(BaseModel):
    """Everything an MCDA needs: options (in tie-break order), criteria, swing weights, scores.

    Validation insists on a complete options x criteria score matrix and a swing weight for
    every criterion, naming the option or criterion at fault, because a silent gap would read
    as a score of zero.
    """

    option_ids: list[str]
    criteria: list[Criterion] = Field(default_factory=lambda: list(DEFAULT_CRITERIA))
    swing_weights: dict[str, float] = Field(description="raw 0-100 swing weight by criterion id")
    scores: list[Score]

    @model_validator(mode="after")
    def _consistent(self) -> McdaInputs:
        if not self.option_ids:
            raise ValueError("MCDA needs at least one option")
        if len(set(self.option_ids)) != len(self.option_ids):
            dup = next(o for o in self.option_ids if self.option_ids.count(o) > 1)
            raise ValueError(f"option '{dup}' is listed more than once")
        if not self.criteria:
            raise ValueError("MCDA needs at least one criterion")
        crit_ids = [c.id for c in self.criteria]
        if len(set(crit_ids)) != len(crit_ids):
            dup = next(c for c in crit_ids if crit_ids.count(c) > 1)
            raise ValueError(f"criterion '{dup}' is defined more than once")
        known = set(crit_ids)
        for cid in self.swing_weights:
            if cid not in known:
                raise ValueError(
                    f"swing weight given for unknown criterion '{cid}' "
                    f"(known: {', '.join(crit_ids)})"
                )
        for cid in crit_ids:
            if cid not in self.swing_weights:
                raise ValueError(f"no swing weight for criterion '{cid}' (use 0 to ignore it)")
        normalise_weights(self.swing_weights)  # range and all-zero checks, with messages
        options = set(self.option_ids)
        seen: set[tuple[str, str]] = set()
        for s in self.scores:
            if s.option_id not in options:
                raise ValueError(
                    f"score given for unknown option '{s.option_id}' on criterion "
                    f"'{s.criterion_id}'"
                )
            if s.criterion_id not in known:
                raise ValueError(
                    f"score for option '{s.option_id}' names unknown criterion "
                    f"'{s.criterion_id}' (known: {', '.join(crit_ids)})"
                )
            key = (s.option_id, s.criterion_id)
            if key in seen:
                raise ValueError(
                    f"option '{s.option_id}' is scored twice on criterion '{s.criterion_id}'"
                )
            seen.add(key)
            if s.value is None:
                raise ValueError(
                    f"option '{s.option_id}' is unscored on criterion '{s.criterion_id}': "
                    "score it or leave the criterion out"
                )
        for oid in self.option_ids:
            for cid in crit_ids:
                if (oid, cid) not in seen:
                    raise ValueError(f"option '{oid}' has no score on criterion '{cid}'")
        return self

    @property
    def criterion_ids(self) -> list[str]:
        return [c.id for c in self.criteria]

    def weights(self) -> dict[str, float]:
        """Normalised weights (sum 1) in criteria order."""
        norm = normalise_weights(self.swing_weights)
        return {cid: norm[cid] for cid in self.criterion_ids}

    def weight_vector(self) -> np.ndarray:
        """Normalised weights as an array aligned with ``criteria``."""
        return np.array(list(self.weights().values()), dtype=float)

    def score_matrix(self) -> np.ndarray:
        """Scores as an (options x criteria) array aligned with ``option_ids`` and ``criteria``."""
        row = {oid: i for i, oid in enumerate(self.option_ids)}
        col = {cid: j for j, cid in enumerate(self.criterion_ids)}
        out = np.zeros((len(row), len(col)))
        for s in self.scores:
            out[row[s.option_id], col[s.criterion_id]] = float(s.value or 0.0)
        return out


def rank_order(totals: Sequence[float] | np.ndarray) -> np.ndarray:
    """Indices of options from best to worst; ties (to TIE_DECIMALS) go to the earlier option."""
    t = np.round(np.asarray(totals, dtype=float), TIE_DECIMALS)
    return np.lexsort((np.arange(t.size), -t))


def _top(totals: np.ndarray) -> int:
    return int(rank_order(totals)[0])


class OptionTotal(BaseModel):
    """One option's weighted total, its rank (1 = best) and each criterion's contribution."""

    option_id: str
    total: float
    rank: int
    contributions: dict[str, float] = Field(description="weight x score by criterion id")


class McdaResult(BaseModel):
    """Weighted totals and ranking; ``rows`` are in rank order (best first)."""

    weights: dict[str, float]
    rows: list[OptionTotal]

    @property
    def top(self) -> str:
        return self.rows[0].option_id

    @property
    def totals(self) -> dict[str, float]:
        return {r.option_id: r.total for r in self.rows}

    def to_frame(self) -> pd.DataFrame:
        """One row per option (rank order): rank, total, then each criterion's contribution."""
        records = [
            {"option_id": r.option_id, "rank": r.rank, "total": r.total, **r.contributions}
            for r in self.rows
        ]
        return pd.DataFrame.from_records(records)


def weighted_totals(inputs: McdaInputs) -> dict[str, float]:
    """Weighted total per option: sum over criteria of normalised weight x score (0-100)."""
    totals = inputs.score_matrix() @ inputs.weight_vector()
    return {oid: float(v) for oid, v in zip(inputs.option_ids, totals, strict=True)}


def appraise_mcda(inputs: McdaInputs) -> McdaResult:
    """Score, weight, total and rank the options (DCLG 2009 manual, chapter 6, steps 5-7)."""
    w = inputs.weight_vector()
    scores = inputs.score_matrix()
    contrib = scores * w
    totals = contrib.sum(axis=1)
    order = rank_order(totals)
    rows = [
        OptionTotal(
            option_id=inputs.option_ids[i],
            total=float(totals[i]),
            rank=pos + 1,
            contributions={cid: float(contrib[i, j]) for j, cid in enumerate(inputs.criterion_ids)},
        )
        for pos, i in enumerate(order)
    ]
    return McdaResult(weights=inputs.weights(), rows=rows)


def _moved_vector(w: np.ndarray, k: int, new_weight: float) -> np.ndarray:
    others = w.copy()
    others[k] = 0.0
    rest = others.sum()
    if rest <= 0.0:
        # Every other weight is zero, so proportional rescaling is undefined: share equally.
        others = np.ones_like(w)
        others[k] = 0.0
        rest = others.sum()
    out = others * ((1.0 - new_weight) / rest)
    out[k] = new_weight
    return out


def moved_weights(
    weights: Mapping[str, float], criterion_id: str, new_weight: float
) -> dict[str, float]:
    """Set one criterion's normalised weight, rescaling the others proportionally to sum 1.

    This is the one-at-a-time weight change of the DCLG (2009) manual's sensitivity analysis.
    If every other weight is zero the remaining weight is shared equally among them.
    """
    if criterion_id not in weights:
        raise ValueError(f"unknown criterion '{criterion_id}'")
    if not (math.isfinite(new_weight) and 0.0 <= new_weight <= 1.0):
        raise ValueError(f"new weight for criterion '{criterion_id}' must be in [0, 1]")
    if len(weights) == 1:
        if not math.isclose(new_weight, 1.0):
            raise ValueError("the only criterion must keep weight 1")
        return {criterion_id: 1.0}
    ids = list(weights)
    w = np.array([weights[c] for c in ids], dtype=float)
    w = w / w.sum()
    out = _moved_vector(w, ids.index(criterion_id), new_weight)
    return {c: float(v) for c, v in zip(ids, out, strict=True)}


class WeightThreshold(BaseModel):
    """How far one criterion's weight can move before the top-ranked option changes.

    ``lower`` is the weight at which, moving the weight down from ``weight``, another option
    draws level with the top option and then overtakes it (``top_below`` ranks first just
    below ``lower``); ``upper`` and ``top_above`` likewise moving up. ``None`` means the top
    option does not change anywhere in that direction within the range: a weight share runs
    from 0 to 1, so a crossing only at an end of it (where another option merely draws level
    and the listed order breaks the tie) is not a change of preference, and no threshold is
    ever reported at or beyond the end (no "changes above 1.000").
    """

    criterion_id: str
    weight: float
    top_option: str
    lower: float | None
    top_below: str | None
    upper: float | None
    top_above: str | None


def _criterion_threshold(
    scores: np.ndarray, w: np.ndarray, k: int, option_ids: Sequence[str], criterion_id: str
) -> WeightThreshold:
    wk = float(w[k])
    t = _top(scores @ w)
    result = {
        "criterion_id": criterion_id,
        "weight": wk,
        "top_option": option_ids[t],
        "lower": None,
        "top_below": None,
        "upper": None,
        "top_above": None,
    }
    if scores.shape[0] < 2 or scores.shape[1] < 2:
        return WeightThreshold(**result)
    # Total of option i when criterion k has weight x: T_i(x) = R_i + x * (s_ik - R_i), with R_i
    # the others' weighted average score. Difference to the top: D_i(x) = a_i + b_i (x - wk).
    share = _moved_vector(w, k, 0.0)
    r = scores @ share
    slope = scores[:, k] - r
    a = (r - r[t]) + wk * (slope - slope[t])
    b = slope - slope[t]
    a = np.where(np.abs(a) < _TOL, 0.0, a)
    idx = np.arange(scores.shape[0])
    not_t = idx != t

    with np.errstate(divide="ignore", invalid="ignore"):
        cross = wk - a / b

    up = not_t & (b > _TOL)
    if up.any():
        xs = np.maximum(cross[up], wk)
        ids_up = idx[up]
        u = float(xs.min())
        if u < 1.0 - 1e-12:
            near = ids_up[np.abs(xs - u) <= 1e-12]
            new = min(near, key=lambda i: (-b[i], i))
            result["upper"], result["top_above"] = u, option_ids[new]
    down = not_t & (b < -_TOL)
    if down.any():
        xs = np.minimum(cross[down], wk)
        ids_down = idx[down]
        lo = float(xs.max())
        if lo > 1e-12:
            near = ids_down[np.abs(xs - lo) <= 1e-12]
            new = min(near, key=lambda i: (b[i], i))
            result["lower"], result["top_below"] = lo, option_ids[new]
    return WeightThreshold(**result)


def weight_thresholds(inputs: McdaInputs) -> list[WeightThreshold]:
    """For each criterion, the weights (down and up) at which the top-ranked option changes.

    Moving criterion k's weight to x and rescaling the others proportionally makes each
    option's total a straight line in x, ``T_i(x) = R_i + x (s_ik - R_i)`` where ``R_i`` is its
    average score on the other criteria under their (renormalised) weights. The top option is
    overtaken where its line crosses another's, so the nearest crossing on each side is solved
    for directly rather than found by scanning. This is the DCLG (2009) manual's
    one-at-a-time weight sensitivity, made exact.
    """
    w = inputs.weight_vector()
    scores = inputs.score_matrix()
    return [
        _criterion_threshold(scores, w, k, inputs.option_ids, cid)
        for k, cid in enumerate(inputs.criterion_ids)
    ]


class RankStability(BaseModel):
    """Monte Carlo rank probabilities under random weight perturbation.

    ``rank_probabilities[option][r]`` is the share of draws in which the option ranked r + 1;
    for each rank the probabilities over options sum to 1, as do each option's over ranks.
    """

    option_ids: list[str]
    n_draws: int
    concentration: float
    seed: int | None
    p_first: dict[str, float]
    rank_probabilities: dict[str, list[float]]

    def expected_rank(self) -> dict[str, float]:
        return {
            oid: float(np.dot(np.arange(1, len(p) + 1), p))
            for oid, p in self.rank_probabilities.items()
        }

    def to_frame(self) -> pd.DataFrame:
        """One row per option: p_first, expected rank and P(rank = r) columns ``rank_1``..."""
        expected = self.expected_rank()
        records = []
        for oid in self.option_ids:
            probs = self.rank_probabilities[oid]
            row: dict[str, float | str] = {
                "option_id": oid,
                "p_first": self.p_first[oid],
                "expected_rank": expected[oid],
            }
            row.update({f"rank_{r + 1}": p for r, p in enumerate(probs)})
            records.append(row)
        return pd.DataFrame.from_records(records)


def rank_stability(
    inputs: McdaInputs,
    n_draws: int = 10_000,
    concentration: float = 50.0,
    seed: int | None = 0,
    rng: np.random.Generator | None = None,
) -> RankStability:
    """Probability of each option ranking first, and at each rank, under perturbed weights.

    Weights are drawn from a Dirichlet distribution centred on the chosen normalised weights w:
    alpha = concentration x w, so each draw's mean is w and the variance of weight j is
    w_j (1 - w_j) / (concentration + 1): a larger concentration means smaller perturbations
    (50 gives a standard deviation of about 0.056 on a weight of 0.2). Criteria with zero weight
    stay at zero, since a Dirichlet needs positive parameters and the user has excluded them.
    This is the probabilistic form of the sensitivity analysis the DCLG (2009) manual asks for.

    Fully vectorised: one draw matrix, one matrix product, one argsort. Pass ``rng`` to use your
    own generator; otherwise ``numpy.random.default_rng(seed)`` makes the result reproducible.
    """
    if n_draws < 1:
        raise ValueError(f"n_draws must be >= 1, got {n_draws}")
    if not (math.isfinite(concentration) and concentration > 0):
        raise ValueError(f"concentration must be a positive number, got {concentration}")
    gen = rng if rng is not None else np.random.default_rng(seed)
    w = inputs.weight_vector()
    scores = inputs.score_matrix()
    positive = w > 0
    draws = np.zeros((n_draws, w.size))
    if positive.sum() == 1:
        draws[:, positive] = 1.0
    else:
        draws[:, positive] = gen.dirichlet(concentration * w[positive], size=n_draws)
    totals = np.round(draws @ scores.T, TIE_DECIMALS)  # (draws x options)
    m = scores.shape[0]
    order = np.argsort(-totals, axis=1, kind="stable")  # order[d, r] = option at rank r + 1
    ranks = np.broadcast_to(np.arange(m), order.shape)
    counts = np.bincount((order * m + ranks).ravel(), minlength=m * m).reshape(m, m)
    probs = counts / n_draws
    return RankStability(
        option_ids=list(inputs.option_ids),
        n_draws=n_draws,
        concentration=float(concentration),
        seed=seed if rng is None else None,
        p_first={oid: float(probs[i, 0]) for i, oid in enumerate(inputs.option_ids)},
        rank_probabilities={
            oid: [float(p) for p in probs[i]] for i, oid in enumerate(inputs.option_ids)
        },
    )


# --------------------------------------------------------------------------------------------
# Swing weighting aid and a plain statement of rank stability


class SwingRange(BaseModel):
    """One criterion's swing: its worst and best option side by side with its weight.

    Swing weighting (DCLG 2009 manual, section 6.2.10) asks how much the swing from the worst
    to the best score on each criterion matters; showing that swing next to the weight is what
    makes the judgement a swing judgement rather than an importance rating."""

    criterion_id: str
    worst_option: str
    worst: float
    best_option: str
    best: float
    swing_weight: float
    weight: float

    @property
    def swing(self) -> float:
        return self.best - self.worst


def swing_ranges(inputs: McdaInputs) -> list[SwingRange]:
    """For each criterion, the worst and best option (ties: the earlier listed) and weights."""
    scores = inputs.score_matrix()
    weights = inputs.weights()
    out = []
    for j, cid in enumerate(inputs.criterion_ids):
        col = scores[:, j]
        lo, hi = int(np.argmin(col)), int(np.argmax(col))
        out.append(SwingRange(
            criterion_id=cid, worst_option=inputs.option_ids[lo], worst=float(col[lo]),
            best_option=inputs.option_ids[hi], best=float(col[hi]),
            swing_weight=float(inputs.swing_weights[cid]), weight=weights[cid],
        ))
    return out


def share_text(p: float) -> str:
    """A share of random weight draws as shown everywhere (statement, page, report): one
    decimal of a percent, so the app and the report print the same number (99.9%, never
    100% in one and 99.9% in the other)."""
    return f"{p:.1%}"


def points_text(lead: float) -> str:
    """A lead on the 0-100 scale in words: never "0.0 points" for a lead that rounds away."""
    return "less than 0.1 points" if lead < 0.05 else f"{lead:.1f} points"


class Verdict(BaseModel):
    """Whether the MCDA picks one option, or which options it cannot choose between.

    ``winner`` is the top option when its lead over the runner-up is at least
    :data:`CLOSE_LEAD_POINTS` (the resolution of 0-100 scores) and it ranks first in at least
    :data:`CLEAR_FIRST_SHARE` of the random weight sets; otherwise None, and ``close`` lists
    the options it cannot be told apart from (top first): those within the resolution of
    the top total, or the one that small weight changes put first most often."""

    winner: str | None
    close: list[str] = Field(default_factory=list)
    lead: float = 0.0
    p_first: float | None = None


def verdict(result: McdaResult, stability: RankStability | None) -> Verdict:
    """The winner, or 'no clear winner between ...' (see :class:`Verdict`)."""
    top = result.rows[0]
    if len(result.rows) < 2:
        return Verdict(winner=top.option_id)
    lead = top.total - result.rows[1].total
    p = stability.p_first[top.option_id] if stability is not None else None
    close = [r.option_id for r in result.rows if top.total - r.total < CLOSE_LEAD_POINTS]
    if p is not None and p < CLEAR_FIRST_SHARE and len(close) < 2:
        rival = max((o for o in stability.p_first if o != top.option_id),  # type: ignore[union-attr]
                    key=lambda o: stability.p_first[o])  # type: ignore[union-attr]
        close = [top.option_id, rival]
    if len(close) >= 2:
        return Verdict(winner=None, close=close, lead=lead, p_first=p)
    return Verdict(winner=top.option_id, lead=lead, p_first=p)


def names_text(names: Sequence[str]) -> str:
    """'A and B', 'A, B and C'."""
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def stability_statement(
    inputs: McdaInputs,
    result: McdaResult,
    thresholds: Sequence[WeightThreshold],
    stability: RankStability | None,
    labels: Mapping[str, str] | None = None,
    names: Mapping[str, str] | None = None,
) -> str:
    """Rank stability in words, with what drives it: the top option's chance of ranking
    first, the criteria its lead over the runner-up comes from (weight x score difference),
    and the nearest weight change that would put another option first. When the scores
    cannot choose (:func:`verdict`), it opens with "No clear winner between ..." instead of
    naming a winner."""
    labels = labels or {}
    names = names or {}

    def n(oid: str) -> str:
        return names.get(oid, oid)

    top = result.rows[0]
    if len(result.rows) < 2:
        return f"{n(top.option_id)} is the only option scored."
    second = result.rows[1]
    lead = top.total - second.total
    judged = verdict(result, stability)
    diffs = {c: top.contributions[c] - second.contributions[c] for c in top.contributions}
    drivers = sorted((c for c in diffs if diffs[c] > 0.05), key=lambda c: -diffs[c])[:2]
    against = sorted((c for c in diffs if diffs[c] < -0.05), key=lambda c: diffs[c])[:1]
    parts = []
    if judged.winner is None:
        parts.append(f"No clear winner between {names_text([n(o) for o in judged.close])}.")
    if stability is not None:
        parts.append(
            f"{n(top.option_id)} ranks first in {share_text(stability.p_first[top.option_id])} "
            f"of {stability.n_draws:,} random weight sets around the chosen weights"
        )
    else:
        parts.append(f"{n(top.option_id)} ranks first")
    parts[-1] += f", {points_text(lead)} ahead of {n(second.option_id)}."
    if lead < CLOSE_LEAD_POINTS:
        parts.append(
            f"A lead under {CLOSE_LEAD_POINTS:g} points on the 0-100 scale is too small to "
            "choose between them on these scores, however stable the rank."
        )
    elif judged.winner is None:
        parts.append(
            f"Ranking first in under {share_text(CLEAR_FIRST_SHARE)} of the weight sets means "
            "small changes of weight put another option first."
        )
    if drivers:
        parts.append("Its lead comes from " + " and ".join(
            f"{labels.get(c, c)} (+{diffs[c]:.1f})" for c in drivers) + (
            f", offset by {labels.get(against[0], against[0])} ({diffs[against[0]]:.1f})"
            if against else "") + ".")
    nearest = None
    for t in thresholds:
        for bound, who in ((t.lower, t.top_below), (t.upper, t.top_above)):
            if bound is None or who is None:
                continue
            gap = abs(bound - t.weight)
            if nearest is None or gap < nearest[0]:
                nearest = (gap, t, bound, who)
    if nearest is None:
        parts.append("No single weight change within the range puts another option first.")
    else:
        _, t, bound, who = nearest
        label = labels.get(t.criterion_id, t.criterion_id)
        parts.append(
            f"The ranking is most sensitive to the weight on {label}: "
            f"at {bound:.0%} (now {t.weight:.0%}) {n(who)} goes first."
        )
    return " ".join(parts)
