"""MCDA: hand-computed weighted totals, exact weight thresholds, Monte Carlo rank stability."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from policy.appraisal import (
    DEFAULT_CRITERIA,
    Criterion,
    McdaInputs,
    Score,
    appraise_mcda,
    moved_weights,
    normalise_weights,
    rank_order,
    rank_stability,
    weight_thresholds,
    weighted_totals,
)

ABC = [Criterion(id=c, label=c.upper()) for c in ("a", "b", "c")]


def make_inputs(
    scores: dict[str, list[float]], swing: list[float], criteria: list[Criterion] | None = None
) -> McdaInputs:
    criteria = criteria or [Criterion(id=f"c{j}", label=f"C{j}") for j in range(len(swing))]
    return McdaInputs(
        option_ids=list(scores),
        criteria=criteria,
        swing_weights={c.id: w for c, w in zip(criteria, swing, strict=True)},
        scores=[
            Score(option_id=o, criterion_id=c.id, value=v, rationale=f"{o} on {c.id}")
            for o, row in scores.items()
            for c, v in zip(criteria, row, strict=True)
        ],
    )


def test_default_criteria_cover_the_brief():
    ids = {c.id for c in DEFAULT_CRITERIA}
    assert {
        "fit_to_evidence",
        "evidence_strength",
        "value_for_money",
        "deliverability",
        "risk",
        "inclusion",
        "national_alignment",
    } <= ids


def test_swing_weights_normalise_by_hand():
    # 100 + 50 + 50 = 200 -> 0.5, 0.25, 0.25
    assert normalise_weights({"a": 100, "b": 50, "c": 50}) == {"a": 0.5, "b": 0.25, "c": 0.25}


def test_weighted_totals_three_options_three_criteria_by_hand():
    # weights 0.5 / 0.25 / 0.25
    # x: 0.5 x 80 + 0.25 x 40 + 0.25 x 60 = 40 + 10.0 + 15.0 = 65
    # y: 0.5 x 60 + 0.25 x 90 + 0.25 x 70 = 30 + 22.5 + 17.5 = 70
    # z: 0.5 x 70 + 0.25 x 60 + 0.25 x 20 = 35 + 15.0 +  5.0 = 55
    inputs = make_inputs(
        {"x": [80, 40, 60], "y": [60, 90, 70], "z": [70, 60, 20]}, [100, 50, 50], ABC
    )
    assert weighted_totals(inputs) == pytest.approx({"x": 65.0, "y": 70.0, "z": 55.0})
    result = appraise_mcda(inputs)
    assert [r.option_id for r in result.rows] == ["y", "x", "z"]
    assert [r.rank for r in result.rows] == [1, 2, 3]
    assert result.top == "y"
    assert result.rows[0].contributions == pytest.approx({"a": 30.0, "b": 22.5, "c": 17.5})
    frame = result.to_frame()
    assert frame["option_id"].tolist() == ["y", "x", "z"]
    assert frame["total"].tolist() == pytest.approx([70.0, 65.0, 55.0])


def test_ties_broken_by_listed_order():
    # p: 0.5 x 60 + 0.5 x 40 = 50; q: 0.5 x 40 + 0.5 x 60 = 50; r: 50 too -> listed order
    inputs = make_inputs({"q": [40, 60], "p": [60, 40], "r": [50, 50]}, [1, 1])
    assert [r.option_id for r in appraise_mcda(inputs).rows] == ["q", "p", "r"]
    # float noise below 1e-9 is a tie, not a win
    assert rank_order([50.0, 50.0 + 1e-12, 49.0]).tolist() == [0, 1, 2]
    assert rank_order([50.0, 50.0 + 1e-6, 49.0]).tolist() == [1, 0, 2]


def test_weight_threshold_two_options_two_criteria_by_hand():
    # weights c0 = 0.6, c1 = 0.4. p = (80, 20) -> 56; q = (30, 90) -> 54: p on top.
    # Move c0's weight to x (c1 gets 1 - x):
    #   T_p = 80x + 20(1 - x) = 20 + 60x;  T_q = 30x + 90(1 - x) = 90 - 60x
    #   equal when 120x = 70, x = 7/12 = 0.58333: below it q leads; above it p's lead grows.
    # For c1 (weight y): T_p = 80 - 60y, T_q = 30 + 60y, equal at y = 50/120 = 5/12.
    inputs = make_inputs({"p": [80, 20], "q": [30, 90]}, [60, 40])
    t0, t1 = weight_thresholds(inputs)
    assert t0.criterion_id == "c0" and t0.top_option == "p"
    assert t0.weight == pytest.approx(0.6)
    assert t0.lower == pytest.approx(7 / 12)
    assert t0.top_below == "q"
    assert t0.upper is None and t0.top_above is None
    assert t1.upper == pytest.approx(5 / 12)
    assert t1.top_above == "q"
    assert t1.lower is None


def test_threshold_reaching_the_end_of_the_range():
    # p = (50, 50), q = (50, 40): level on c0, so q only draws level at weight 1 on c0, where
    # the listed order breaks the tie. A weight share cannot pass 1, so either way round the
    # top option does not change within the range: no threshold at (or "above") 1.
    t_pq = weight_thresholds(make_inputs({"p": [50, 50], "q": [50, 40]}, [50, 50]))[0]
    assert t_pq.upper is None
    t_qp = weight_thresholds(make_inputs({"q": [50, 40], "p": [50, 50]}, [50, 50]))[0]
    assert t_qp.top_option == "p"
    assert t_qp.upper is None and t_qp.top_above is None
    # the same at the bottom end: q = (40, 50) only draws level with p at weight 0 on c0
    t_low = weight_thresholds(make_inputs({"q": [40, 50], "p": [50, 50]}, [50, 50]))[0]
    assert t_low.top_option == "p" and t_low.lower is None



def test_threshold_when_already_tied():
    # p = (60, 40) and q = (40, 60) tie at 50 with equal weights; p leads on listed order.
    # Any cut in c0's weight puts q ahead, so the lower threshold is the current weight 0.5.
    t0, t1 = weight_thresholds(make_inputs({"p": [60, 40], "q": [40, 60]}, [1, 1]))
    assert (t0.lower, t0.top_below, t0.upper) == (0.5, "q", None)
    assert (t1.upper, t1.top_above, t1.lower) == (0.5, "q", None)


def test_threshold_when_other_weights_are_zero():
    # All weight on c0: p = (90, 0) beats q = (60, 100). Lowering c0 shares the rest equally
    # with c1: T_p = 90x, T_q = 60x + 100(1 - x) = 100 - 40x -> equal at x = 100/130.
    inputs = make_inputs({"p": [90, 0], "q": [60, 100]}, [100, 0])
    t0 = weight_thresholds(inputs)[0]
    assert t0.lower == pytest.approx(100 / 130)
    assert t0.top_below == "q"


def test_single_option_or_criterion_has_no_thresholds():
    one = weight_thresholds(make_inputs({"p": [10, 20]}, [1, 1]))
    assert all(t.lower is None and t.upper is None for t in one)
    crit = weight_thresholds(make_inputs({"p": [10], "q": [20]}, [1]))
    assert crit[0].lower is None and crit[0].upper is None and crit[0].weight == 1.0


def test_moved_weights_rescale_proportionally():
    # moving a from 0.5 to 0.2 leaves 0.8 for b and c in their 1:1 ratio -> 0.4 each
    out = moved_weights({"a": 0.5, "b": 0.25, "c": 0.25}, "a", 0.2)
    assert out == pytest.approx({"a": 0.2, "b": 0.4, "c": 0.4})
    with pytest.raises(ValueError, match="unknown criterion 'z'"):
        moved_weights({"a": 1.0}, "z", 0.5)


# --------------------------------------------------------------------------------------------
# Validation


def test_validation_messages_name_option_and_criterion():
    with pytest.raises(ValueError, match="option 'x' on criterion 'a' must be between 0 and 100"):
        Score(option_id="x", criterion_id="a", value=120)
    with pytest.raises(ValueError, match="between 0 and 100"):
        Score(option_id="x", criterion_id="a", value=-1)
    with pytest.raises(ValueError, match="all swing weights are zero"):
        make_inputs({"x": [1, 2]}, [0, 0])
    with pytest.raises(ValueError, match="swing weight for criterion 'c1' must be between"):
        make_inputs({"x": [1, 2]}, [10, -5])
    good = make_inputs({"x": [1, 2]}, [10, 5]).model_dump()
    with pytest.raises(ValueError, match="unknown criterion 'zz'"):
        McdaInputs.model_validate({**good, "swing_weights": {"c0": 1, "c1": 1, "zz": 1}})
    with pytest.raises(ValueError, match="no swing weight for criterion 'c1'"):
        McdaInputs.model_validate({**good, "swing_weights": {"c0": 1}})
    bad_score = {"option_id": "x", "criterion_id": "nope", "value": 5}
    with pytest.raises(ValueError, match="option 'x' names unknown criterion 'nope'"):
        McdaInputs.model_validate({**good, "scores": [*good["scores"], bad_score]})
    with pytest.raises(ValueError, match="unknown option 'w'"):
        McdaInputs.model_validate(
            {
                **good,
                "scores": [*good["scores"], {"option_id": "w", "criterion_id": "c0", "value": 5}],
            }
        )
    with pytest.raises(ValueError, match="option 'x' has no score on criterion 'c1'"):
        McdaInputs.model_validate({**good, "scores": good["scores"][:1]})
    with pytest.raises(ValueError, match="scored twice"):
        McdaInputs.model_validate({**good, "scores": good["scores"] + good["scores"][:1]})
    with pytest.raises(ValueError, match="option 'x' is listed more than once"):
        McdaInputs.model_validate({**good, "option_ids": ["x", "x"]})


def test_inputs_round_trip_json():
    inputs = make_inputs({"x": [1, 2], "y": [3, 4]}, [10, 5])
    assert McdaInputs.model_validate_json(inputs.model_dump_json()) == inputs


# --------------------------------------------------------------------------------------------
# Monte Carlo


def test_rank_stability_reproducible_and_consistent():
    inputs = make_inputs(
        {"x": [80, 40, 60], "y": [60, 90, 70], "z": [70, 60, 20]}, [100, 50, 50], ABC
    )
    a = rank_stability(inputs, n_draws=5000, seed=7)
    b = rank_stability(inputs, n_draws=5000, seed=7)
    assert a == b
    assert a.p_first["y"] > 0.5  # the deterministic winner usually stays on top
    probs = np.array([a.rank_probabilities[o] for o in a.option_ids])
    assert probs.sum(axis=0) == pytest.approx(np.ones(3))
    assert probs.sum(axis=1) == pytest.approx(np.ones(3))
    assert a.p_first == {o: a.rank_probabilities[o][0] for o in a.option_ids}
    frame = a.to_frame()
    assert list(frame.columns) == [
        "option_id",
        "p_first",
        "expected_rank",
        "rank_1",
        "rank_2",
        "rank_3",
    ]
    gen = rank_stability(inputs, n_draws=100, rng=np.random.default_rng(1))
    assert gen.seed is None


def test_rank_stability_dominated_option_never_first_and_zero_weights_stay_zero():
    # z is dominated by y on every criterion, so under any weights y ranks above z.
    inputs = make_inputs({"y": [60, 90, 70], "z": [50, 80, 60], "x": [90, 10, 10]}, [50, 50, 0])
    rs = rank_stability(inputs, n_draws=2000, concentration=5.0, seed=3)
    assert rs.p_first["z"] == 0.0
    # Only c0 carries weight: every draw is the same, x always first.
    solo = make_inputs({"y": [60, 90, 70], "x": [90, 10, 10]}, [100, 0, 0])
    assert rank_stability(solo, n_draws=100).p_first == {"y": 0.0, "x": 1.0}


def test_rank_stability_argument_checks():
    inputs = make_inputs({"x": [1, 2]}, [1, 1])
    with pytest.raises(ValueError, match="n_draws"):
        rank_stability(inputs, n_draws=0)
    with pytest.raises(ValueError, match="concentration"):
        rank_stability(inputs, concentration=0)


# --------------------------------------------------------------------------------------------
# Invariants


@st.composite
def mcda_inputs(draw, max_options: int = 5, max_criteria: int = 5) -> McdaInputs:
    n_c = draw(st.integers(1, max_criteria))
    n_o = draw(st.integers(1, max_options))
    swing = draw(st.lists(st.integers(0, 100), min_size=n_c, max_size=n_c))
    assume(sum(swing) > 0)
    scores = {
        f"o{i}": draw(st.lists(st.integers(0, 100), min_size=n_c, max_size=n_c)) for i in range(n_o)
    }
    return make_inputs(scores, [float(w) for w in swing])


@settings(max_examples=100, deadline=None)
@given(st.dictionaries(st.text(min_size=1, max_size=5), st.floats(0, 100), min_size=1))
def test_normalised_weights_sum_to_one(raw):
    assume(sum(raw.values()) > 0)
    norm = normalise_weights(raw)
    assert sum(norm.values()) == pytest.approx(1.0)
    assert all(v >= 0 for v in norm.values())


def _top_at(inputs: McdaInputs, criterion_id: str, x: float) -> str:
    w = moved_weights(inputs.weights(), criterion_id, x)
    totals = inputs.score_matrix() @ np.array([w[c] for c in inputs.criterion_ids])
    return inputs.option_ids[int(rank_order(totals)[0])]


EPS = 1e-5


@settings(max_examples=150, deadline=None)
@given(mcda_inputs())
def test_weight_threshold_flips_top_just_past_it_and_not_before(inputs):
    for th in weight_thresholds(inputs):
        if len(inputs.criteria) == 1:
            continue
        cid, wk, top = th.criterion_id, th.weight, th.top_option
        assert _top_at(inputs, cid, wk) == top
        # upwards
        end = 1.0 - EPS if th.upper is None else th.upper - EPS  # at 1 only ties are left
        for x in np.linspace(wk, end, 12) if end > wk else []:
            assert _top_at(inputs, cid, float(x)) == top, (cid, x, th)
        if th.upper is not None:
            past = min(th.upper + EPS, 1.0)
            assert _top_at(inputs, cid, past) != top, th
        # downwards
        end = EPS if th.lower is None else th.lower + EPS
        for x in np.linspace(wk, end, 12) if end < wk else []:
            assert _top_at(inputs, cid, float(x)) == top, (cid, x, th)
        if th.lower is not None:
            past = max(th.lower - EPS, 0.0)
            assert _top_at(inputs, cid, past) != top, th


@settings(max_examples=40, deadline=None)
@given(mcda_inputs(), st.integers(0, 2**32 - 1), st.floats(0.5, 500))
def test_monte_carlo_probabilities_sum_to_one_per_rank(inputs, seed, concentration):
    rs = rank_stability(inputs, n_draws=500, concentration=concentration, seed=seed)
    probs = np.array([rs.rank_probabilities[o] for o in rs.option_ids])
    assert probs.sum(axis=0) == pytest.approx(np.ones(len(rs.option_ids)))
    assert probs.sum(axis=1) == pytest.approx(np.ones(len(rs.option_ids)))
    assert sum(rs.p_first.values()) == pytest.approx(1.0)


@settings(max_examples=60, deadline=None)
@given(mcda_inputs())
def test_ranks_are_a_permutation_and_totals_in_range(inputs):
    result = appraise_mcda(inputs)
    assert sorted(r.rank for r in result.rows) == list(range(1, len(inputs.option_ids) + 1))
    assert all(-1e-9 <= r.total <= 100 + 1e-9 for r in result.rows)
    totals = [r.total for r in result.rows]
    assert all(a >= b - 1e-9 for a, b in zip(totals, totals[1:], strict=False))


def test_stability_statement_names_drivers_and_warns_on_a_close_lead():
    from policy.appraisal import (
        CLOSE_LEAD_POINTS,
        appraise_mcda,
        rank_stability,
        stability_statement,
        swing_ranges,
        weight_thresholds,
    )

    def statement(a_fit: float) -> str:
        inputs = McdaInputs(
            option_ids=["a", "b"],
            criteria=[Criterion(id="fit", label="Fit"), Criterion(id="cost", label="Cost")],
            swing_weights={"fit": 100, "cost": 50},
            scores=[Score(option_id="a", criterion_id="fit", value=a_fit),
                    Score(option_id="a", criterion_id="cost", value=40),
                    Score(option_id="b", criterion_id="fit", value=50),
                    Score(option_id="b", criterion_id="cost", value=60)],
        )
        result = appraise_mcda(inputs)
        return stability_statement(inputs, result, weight_thresholds(inputs),
                                   rank_stability(inputs, n_draws=500), names={"a": "A"},
                                   labels={"fit": "Fit", "cost": "Cost"})

    # a: 2/3 x 90 + 1/3 x 40 = 73.3; b: 2/3 x 50 + 1/3 x 60 = 53.3: lead 20 from Fit (+26.7)
    wide = statement(90)
    assert "20.0 points ahead of b" in wide and "Fit (+26.7)" in wide
    assert "offset by Cost (-6.7)" in wide and "too small" not in wide
    # a - b = 40 x + (-20)(1 - x) = 0 at x = 1/3: the weight on Fit at which b goes first
    assert "weight on Fit: at 33% (now 67%) b goes first" in wide
    # a: 2/3 x 60 + 1/3 x 40 = 53.3 vs 53.3 + ... -> lead 0 < CLOSE_LEAD_POINTS
    close = statement(61)
    assert CLOSE_LEAD_POINTS == 5 and "too small to choose" in close
    rows = {r.criterion_id: r for r in swing_ranges(McdaInputs(
        option_ids=["a", "b"], criteria=[Criterion(id="fit", label="Fit")],
        swing_weights={"fit": 80}, scores=[Score(option_id="a", criterion_id="fit", value=20),
                                           Score(option_id="b", criterion_id="fit", value=70)]))}
    assert (rows["fit"].worst_option, rows["fit"].best_option, rows["fit"].swing) == ("a", "b", 50)
    assert rows["fit"].weight == 1.0 and rows["fit"].swing_weight == 80


@settings(max_examples=150, deadline=None)
@given(mcda_inputs())
def test_no_threshold_is_ever_reported_at_or_past_the_end_of_the_range(inputs):
    for th in weight_thresholds(inputs):
        assert th.upper is None or th.upper < 1.0, th
        assert th.lower is None or th.lower > 0.0, th
