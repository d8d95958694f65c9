"""Option appraisal: options, multi-criteria analysis (MCDA) and cost-benefit analysis (CBA).

One import point for the appraisal step of the walkthrough. The work is split by job:

- :mod:`~policy.appraisal.options`: long list, business-as-usual baseline, short list with
  reasons (HM Treasury Green Book 2022, chapter 4);
- :mod:`~policy.appraisal.mcda`: swing-weighted linear additive MCDA with exact weight
  thresholds and Monte Carlo rank stability (DCLG 2009, *Multi-criteria analysis: a manual*);
- :mod:`~policy.appraisal.cba`: discounting at the STPR, optimism bias by type of spend,
  additionality, NPV, BCR on public cost, value-for-money category, switching values and
  sensitivity (Green Book 2022; HCA 2014 *Additionality Guide*; DfT / DLUHC VfM categories);
- :mod:`~policy.appraisal.additionality`: cited benchmark additionality by intervention type
  and geography (HCA 2014; BIS 2009);
- :mod:`~policy.appraisal.cba_file`: the analysts' JSON input and output of ``policymix cba``;
- :mod:`~policy.appraisal.evaluation`: the monitoring and evaluation plan (Magenta Book 2020,
  Maryland Scientific Methods Scale);
- :mod:`~policy.appraisal.state`: what the user decides (stored in the session);
- :mod:`~policy.appraisal.defaults`: a starting appraisal derived from the evidence;
- :mod:`~policy.appraisal.run`: the state in, results out (a pure function).
"""

from evidence.lazy import lazy_exports

# Each name is imported from its room when first read (evidence.lazy): importing the
# package, or one room through it, does not load the others (issue 14).
__getattr__, __dir__, __all__ = lazy_exports(__name__, {
    "additionality": (
        "ADDITIONALITY_SOURCE", "BENCHMARK_TYPES", "GEOGRAPHIES",
        "benchmark_additionality", "geography_of", "intervention_type",
        "io_multiplier_of", "option_additionality",
    ),
    "cba": (
        "BENEFITS_OPTIMISM_BASIS", "BENEFITS_OPTIMISM_PCT", "DEFAULT_PROJECT_TYPE",
        "GREEN_BOOK_STPR", "MAX_YEAR", "OPTIMISM_BIAS_DEFAULTS", "OPTIMISM_BIAS_SOURCE",
        "OPTIMISM_BIAS_TABLE", "SPEND_TYPES", "VFM_CATEGORIES", "VFM_SOURCE",
        "Additionality", "BenefitStream", "CashflowLine", "CbaInputs", "CbaResult",
        "CbaYear", "DiscountBand", "LinePresentValue", "OptimismBiasApplied",
        "OptimismBiasBound", "OptimismBiasChoice", "SensitivityCase", "SwitchingValues",
        "VfmCategory", "appraise_cba", "benefit_cost_ratio", "cba_sensitivity",
        "cost_lines_from_option", "discount_factor", "discount_factors",
        "flat_schedule", "optimism_bias_uplift", "present_value", "switching_values",
        "vfm_category", "VFM_BASELINE_BASIS", "VFM_BASELINE_SCORE", "VFM_SCORE_BASIS",
        "VFM_SCORE_KNOTS", "vfm_score",
    ),
    "cba_file": (
        "CbaFileError", "cba_file_markdown", "cba_file_output", "parse_cba_file",
    ),
    "defaults": (
        "CAPITAL_FAMILIES", "CORE_ID", "DEFAULT_OPTION_RULES",
        "EVIDENCE_STRENGTH_SCORES", "MAX_DEFAULT_OBJECTIVES", "UNSCORED_REASONS",
        "area_gva_per_job", "build_option", "build_options", "default_appraisal",
        "default_cba", "default_option_intervention", "default_scores",
        "default_spending_objectives", "spend_type_of",
    ),
    "evaluation": (
        "EVALUATION_SOURCE", "EvaluationPlan", "LogframeRow", "evaluation_plan",
    ),
    "mcda": (
        "CLEAR_FIRST_SHARE", "CLOSE_LEAD_POINTS", "DEFAULT_CRITERIA", "Verdict",
        "names_text", "points_text", "share_text", "verdict", "TIE_DECIMALS", "Criterion",
        "McdaInputs", "McdaResult", "OptionTotal", "RankStability", "Score",
        "SwingRange", "WeightThreshold", "appraise_mcda", "moved_weights",
        "normalise_weights", "rank_order", "rank_stability", "stability_statement",
        "swing_ranges", "weight_thresholds", "weighted_totals",
    ),
    "options": (
        "BASELINE_ID", "GREEN_BOOK_CSFS", "CriticalSuccessFactor", "DroppedOption",
        "Option", "OptionIntervention", "OptionRule", "Shortlist", "SpendingObjective",
        "ensure_baseline", "shortlist",
    ),
    "run": (
        "AppraisalResults", "run_appraisal",
    ),
    "state": (
        "DEFAULT_SWING_WEIGHTS", "LEGACY_VFM_REASONS", "VFM_CRITERION", "VFM_UNSCORED",
        "AppraisalState", "OptionCba",
        "RecommendedIntervention",
    ),
})
