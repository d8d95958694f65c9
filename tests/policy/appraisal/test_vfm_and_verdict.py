"""Value for money scored from each option's own BCR, no recommendation on a tie, one rounding
of the share of draws, switching values in words (the option appraisal fixes of the walk).

The bands are DfT (2015) Value for Money Framework's (poor < 1, low 1-1.5, medium 1.5-2,
high 2-4, very high > 4); switching values are the Green Book's (2022, chapter 5): benefits may
fall by NPV / PV benefits, costs rise by NPV / PV costs.
"""

from __future__ import annotations

import pytest

from policy.appraisal import (
    CLOSE_LEAD_POINTS,
    VFM_BASELINE_SCORE,
    VFM_CATEGORIES,
    AppraisalState,
    BenefitStream,
    Criterion,
    McdaInputs,
    Score,
    appraise_mcda,
    default_appraisal,
    rank_stability,
    run_appraisal,
    share_text,
    stability_statement,
    switching_values,
    verdict,
    vfm_category,
    vfm_score,
    weight_thresholds,
)
from policy.catalogue import load_catalogue
from policy.export.report import format_value

RANKED = [("supply_chain_development", 1.0), ("cluster_network", 0.8),
          ("fe_apprenticeships", 0.6)]


@pytest.fixture(scope="module")
def state() -> AppraisalState:
    return default_appraisal(RANKED, load_catalogue(), None)


def test_vfm_score_keeps_the_dft_bands_on_the_scale() -> None:
    # band edges at the fifths of the scale, linear within a band (worked by hand)
    assert [vfm_score(b) for b in (0.0, 0.5, 1.0, 1.25, 1.5, 2.0, 3.0, 4.0, 6.0, 8.0, 20.0)] \
        == [0.0, 10.0, 20.0, 30.0, 40.0, 60.0, 70.0, 80.0, 90.0, 100.0, 100.0]
    assert vfm_score(None) is None and vfm_score(float("nan")) is None
    ids = [c.id for c in VFM_CATEGORIES]
    for bcr in (0.3, 0.99, 1.0, 1.49, 1.7, 2.5, 3.99, 4.2, 7.0):
        band = ids.index(vfm_category(bcr).id)  # type: ignore[union-attr]
        assert 20 * band <= vfm_score(bcr) <= 20 * (band + 1), bcr  # type: ignore[operator]
    scores = [vfm_score(b / 10) for b in range(0, 90)]
    assert scores == sorted(scores)


def test_value_for_money_follows_each_options_bcr_once_benefits_are_in(
        state: AppraisalState) -> None:
    cells = [s for s in state.scores if s.criterion_id == "value_for_money"]
    assert cells and all(s.from_cba and s.value is None for s in cells)
    before = run_appraisal(state, n_draws=200)
    assert "until benefits are entered" in before.excluded_criteria["value_for_money"]
    st = state.model_copy(deep=True)
    others = [o for o in st.options if not o.is_baseline]
    for i, o in enumerate(others):
        st.cba[o.id].benefit_streams = [BenefitStream(label="GVA", start_year=1, years=10,
                                                      amount_gbp_m=2.0 + 4.0 * i)]
    res = run_appraisal(st, n_draws=200)
    assert "value_for_money" not in res.excluded_criteria  # it counts in the totals now
    assert res.mcda is not None and "value_for_money" in res.mcda.weights
    derived = {s.option_id: s for s in res.scores if s.criterion_id == "value_for_money"}
    for o in others:
        bcr = res.cba[o.id].bcr
        assert derived[o.id].value == vfm_score(bcr)
        assert f"BCR {bcr:.2f}" in derived[o.id].rationale and "DfT" in derived[o.id].rationale
    assert derived["bau"].value == VFM_BASELINE_SCORE
    # the state keeps the decision (follow the CBA), not the derived number
    assert all(s.value is None for s in st.scores if s.criterion_id == "value_for_money")
    # a score the user types is theirs: kept, and no longer follows the CBA
    st.set_score(others[0].id, "value_for_money", 55.0, "partnership judgement")
    mine = next(s for s in run_appraisal(st, n_draws=200).scores
                if s.option_id == others[0].id and s.criterion_id == "value_for_money")
    assert mine.value == 55.0 and not mine.from_cba


def test_a_session_saved_with_the_old_default_follows_the_cba() -> None:
    old = {"scores": [
        {"option_id": "core", "criterion_id": "value_for_money", "value": None,
         "rationale": "Unscored: no benefits entered, so there is no BCR to score from. Score "
                      "it from the cost-benefit analysis"},
        {"option_id": "light", "criterion_id": "value_for_money", "value": None,
         "rationale": "Not enough known yet"}]}
    state = AppraisalState.model_validate(old)
    assert [s.from_cba for s in state.scores] == [True, False]  # only the old default's words


def _two(a: list[float], b: list[float]) -> McdaInputs:
    crit = [Criterion(id="c1", label="One"), Criterion(id="c2", label="Two")]
    scores = [Score(option_id=o, criterion_id=c, value=v)
              for o, vals in (("a", a), ("b", b)) for c, v in zip(("c1", "c2"), vals,
                                                                   strict=True)]
    return McdaInputs(option_ids=["a", "b"], criteria=crit, swing_weights={"c1": 50, "c2": 50},
                      scores=scores)


def _statement(inputs: McdaInputs) -> tuple[str, object]:
    result = appraise_mcda(inputs)
    stab = rank_stability(inputs, n_draws=2000)
    return (stability_statement(inputs, result, weight_thresholds(inputs), stab,
                                names={"a": "A", "b": "B"}), verdict(result, stab))


def test_a_lead_below_the_resolution_is_no_clear_winner_and_never_zero_points() -> None:
    # a = (60.1, 40), b = (60, 40): a leads by 0.05 points, stably (it is better on c1 alone)
    text, judged = _statement(_two([60.1, 40], [60, 40]))
    assert judged.winner is None and judged.close == ["a", "b"]
    assert text.startswith("No clear winner between A and B.")
    assert "0.0 points" not in text and "less than 0.1 points ahead of B" in text
    # a clear lead (20 points, first in every draw) names the winner
    text, judged = _statement(_two([90, 70], [60, 60]))
    assert judged.winner == "a" and "No clear winner" not in text
    assert "20.0 points ahead of B" in text
    # a lead above the resolution that small weight changes overturn is no winner either
    text, judged = _statement(_two([100, 20], [20, 92]))  # a 60, b 56 -> lead 4 < 5
    assert judged.winner is None
    text, judged = _statement(_two([100, 10], [10, 90]))  # a 55, b 50: lead 5, p(first) ~0.8
    assert judged.lead >= CLOSE_LEAD_POINTS and judged.p_first < 0.9  # type: ignore[operator]
    assert judged.winner is None and "small changes of weight" in text


def test_the_share_of_draws_is_one_number_in_the_statement_and_the_report() -> None:
    inputs = _two([100, 10], [10, 90])
    text, _ = _statement(inputs)
    p = rank_stability(inputs, n_draws=2000).p_first["a"]
    assert share_text(p) in text
    assert format_value(p, ".1%") == share_text(p)  # the report's P(first) column
    assert share_text(0.9987) == "99.9%"  # never "100%" for a share short of every draw


def test_switching_values_are_the_green_books_and_said_in_words() -> None:
    # PVB 150, PVC 100: NPV 50; benefits may fall 50/150 = 33.3%, costs rise 50/100 = 50%
    sv = switching_values(150.0, 100.0)
    assert sv.benefits_pct == pytest.approx(-100 * 50 / 150)
    assert sv.costs_pct == pytest.approx(50.0)
    assert sv.sentence() == ("Benefits would have to fall by 33%, or costs would have to rise "
                             "by 50% for the NPV to reach zero.")
    # PVB 60, PVC 100: NPV -40; benefits must rise 40/60 = 67%, costs fall 40%
    assert "rise by 67%" in switching_values(60.0, 100.0).sentence()
    assert "fall by 40%" in switching_values(60.0, 100.0).sentence()
    # no benefits: no switching value for benefits exists, said so; costs would go to nothing
    text = switching_values(0.0, 100.0).sentence()
    assert "no switching value for benefits" in text and "fall to nothing" in text
    assert "-" not in text.replace("cost-benefit", "")
