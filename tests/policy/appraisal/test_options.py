"""Options: baseline, phasing, and long list to short list with reasons."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from policy.appraisal import (
    BASELINE_ID,
    GREEN_BOOK_CSFS,
    CriticalSuccessFactor,
    Option,
    OptionIntervention,
    SpendingObjective,
    ensure_baseline,
    shortlist,
)


def _opt(oid: str, **kw) -> Option:
    return Option(id=oid, name=oid.title(), **kw)


def test_option_budget_and_phasing():
    # hub: 12 over 3 years from year 1 -> 4, 4, 4 in years 1-3
    # grants: 5 in year 0 -> 5; total 17
    option = _opt(
        "mix",
        interventions=[
            OptionIntervention(
                intervention_id="hub", budget_gbp_m=12, start_year_offset=1, duration_years=3
            ),
            OptionIntervention(intervention_id="grants", budget_gbp_m=5),
        ],
    )
    assert option.total_budget_gbp_m == 17
    assert option.spend_profile() == {0: 5.0, 1: 4.0, 2: 4.0, 3: 4.0}


def test_negative_budget_names_option_and_intervention():
    with pytest.raises(ValidationError, match="option 'opt_a': intervention 'hub' has budget -5"):
        Option.model_validate(
            {
                "id": "opt_a",
                "name": "A",
                "interventions": [{"intervention_id": "hub", "budget_gbp_m": -5}],
            }
        )
    with pytest.raises(ValidationError, match="intervention 'hub': budget_gbp_m must be"):
        OptionIntervention(intervention_id="hub", budget_gbp_m=-0.1)


def test_phasing_validation():
    with pytest.raises(ValidationError, match="intervention 'hub': duration_years must be >= 1"):
        OptionIntervention(intervention_id="hub", budget_gbp_m=1, duration_years=0)
    with pytest.raises(ValidationError, match="start_year_offset must be >= 0"):
        OptionIntervention(intervention_id="hub", budget_gbp_m=1, start_year_offset=-1)


def test_duplicate_intervention_in_option_rejected():
    item = OptionIntervention(intervention_id="hub", budget_gbp_m=1)
    with pytest.raises(ValidationError, match="option 'x': intervention 'hub' is listed twice"):
        _opt("x", interventions=[item, item])


def test_ensure_baseline_adds_bau_first():
    options = ensure_baseline([_opt("a"), _opt("b")])
    assert [o.id for o in options] == [BASELINE_ID, "a", "b"]
    assert options[0].is_baseline and options[0].interventions == []
    # idempotent, and an existing baseline is moved to the front, not duplicated
    again = ensure_baseline(options)
    assert [o.id for o in again] == [BASELINE_ID, "a", "b"]
    mine = ensure_baseline([_opt("a"), _opt("dm", is_baseline=True)])
    assert [o.id for o in mine] == ["dm", "a"]


def test_ensure_baseline_avoids_taken_id_and_rejects_conflicts():
    options = ensure_baseline([_opt("bau")])
    assert options[0].id == "bau_2" and options[0].is_baseline
    with pytest.raises(ValueError, match="only one option may be the baseline"):
        ensure_baseline([_opt("a", is_baseline=True), _opt("b", is_baseline=True)])
    with pytest.raises(ValueError, match="option id 'a' is used by more than one"):
        ensure_baseline([_opt("a"), _opt("a")])


def test_shortlist_records_reasons_and_keeps_baseline():
    long_list = [_opt("a"), _opt("b"), _opt("c")]
    result = shortlist(long_list, {"b": "  fails affordability  "})
    assert [o.id for o in result.kept] == [BASELINE_ID, "a", "c"]
    assert result.baseline.id == BASELINE_ID
    assert [(d.option.id, d.reason) for d in result.dropped] == [("b", "fails affordability")]
    assert type(result).model_validate_json(result.model_dump_json()) == result


def test_shortlist_refusals():
    long_list = [_opt("a"), _opt("b")]
    with pytest.raises(ValueError, match="cannot drop option 'bau': it is the business-as-usual"):
        shortlist(long_list, {BASELINE_ID: "no need"})
    with pytest.raises(ValueError, match="cannot drop option 'a' without a reason"):
        shortlist(long_list, {"a": "   "})
    with pytest.raises(ValueError, match="cannot drop option 'zz': no such option"):
        shortlist(long_list, {"zz": "gone"})


def test_objectives_and_csfs():
    obj = SpendingObjective(
        id="jobs",
        statement="Grow advanced manufacturing jobs",
        measure="BRES employment",
        target="+500 by 2030",
    )
    assert obj.id == "jobs"
    assert [c.id for c in GREEN_BOOK_CSFS] == [
        "strategic_fit",
        "value_for_money",
        "supplier_capacity",
        "affordability",
        "achievability",
    ]
    with pytest.raises(ValidationError, match="critical success factor id must not be empty"):
        CriticalSuccessFactor(id=" ", label="x")
