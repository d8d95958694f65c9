"""The appraisal facade: re-exports, module boundaries, and one end-to-end appraisal.

Hand-computed examples live next to each part: tests/test_options.py, tests/test_mcda.py and
tests/test_cba.py.
"""

from __future__ import annotations

import ast

import pytest

import policy.appraisal as appraisal
from policy.appraisal import cba, mcda, options
from tests.paths import ROOT

APPRAISAL = ROOT / "policy" / "appraisal"


def test_appraisal_reexports_the_public_api():
    for name in appraisal.__all__:
        assert hasattr(appraisal, name), name
    assert appraisal.appraise_cba is cba.appraise_cba
    assert appraisal.appraise_mcda is mcda.appraise_mcda
    assert appraisal.shortlist is options.shortlist


@pytest.mark.parametrize("module", ["__init__.py", "cba.py", "mcda.py", "options.py"])
def test_appraisal_modules_do_not_import_ui_rules_or_streamlit(module):
    tree = ast.parse((APPRAISAL / module).read_text())
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module.split(".")[0])
    assert not imported & {"ui", "rules", "streamlit"}


def test_end_to_end_option_appraisal():
    # Long list -> short list (BAU kept) -> MCDA on the short list -> CBA of the leader.
    long_list = [
        appraisal.Option(
            id="skills",
            name="Advanced skills hub",
            interventions=[
                appraisal.OptionIntervention(
                    intervention_id="skills_hub", budget_gbp_m=6, duration_years=3
                )
            ],
        ),
        appraisal.Option(id="grants", name="Capital grants"),
        appraisal.Option(id="port", name="New port"),
    ]
    short = appraisal.shortlist(long_list, {"port": "fails affordability CSF"})
    ids = [o.id for o in short.kept]
    assert ids == ["bau", "skills", "grants"]

    crits = [c.id for c in appraisal.DEFAULT_CRITERIA]
    table = {"bau": 40, "skills": 70, "grants": 55}
    inputs = appraisal.McdaInputs(
        option_ids=ids,
        swing_weights={c: 100 if c == "fit_to_evidence" else 50 for c in crits},
        scores=[
            appraisal.Score(option_id=o, criterion_id=c, value=table[o], rationale="workshop")
            for o in ids
            for c in crits
        ],
    )
    result = appraisal.appraise_mcda(inputs)
    assert result.top == "skills"
    assert all(t.lower is None and t.upper is None for t in appraisal.weight_thresholds(inputs))
    assert appraisal.rank_stability(inputs, n_draws=1000).p_first["skills"] == 1.0

    leader = next(o for o in short.kept if o.id == result.top)
    lines = [
        *appraisal.cost_lines_from_option(leader),
        appraisal.CashflowLine(label="GVA", kind="benefit", amounts={t: 4.0 for t in range(1, 11)}),
    ]
    cba_result = appraisal.appraise_cba(
        appraisal.CbaInputs(
            option_id=leader.id,
            lines=lines,
            optimism_bias_pct=appraisal.OPTIMISM_BIAS_TABLE["standard_buildings"].capex_upper_pct,
            additionality=appraisal.Additionality(deadweight=0.3, displacement=0.2),
        )
    )
    # costs 2, 2, 2 in years 0-2 uplifted 24% -> 2.48 a year
    assert cba_result.years[0].cost == pytest.approx(2.48)
    # benefits 4 x 0.7 x 0.8 = 2.24 a year in years 1-10
    assert cba_result.years[1].benefit == pytest.approx(2.24)
    assert cba_result.npv == pytest.approx(cba_result.pv_benefits - cba_result.pv_costs)
