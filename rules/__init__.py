"""Rules: evidence -> candidate interventions, with a trace. Never imports policy, ui or streamlit.

Public API::

    from rules import load_rules, evaluate
    ruleset = load_rules(known_interventions=catalogue_ids)   # validates and compiles once
    recs = evaluate(ruleset, profile, comparator_profiles, interventions=catalogue_ids)
    recs.model_dump(mode="json")
    many = evaluate_all(ruleset, profiles, comparators_of_each, interventions=catalogue_ids)
"""

from rules.engine import (
    RuleFileError,
    RuleSet,
    evaluate,
    evaluate_all,
    load_rules,
    needs_of,
    rules_from_texts,
)
from rules.loader import RuleProblem
from rules.models import RATIONALES, Rule
from rules.results import (
    ConditionTrace,
    FiredRule,
    NotRecommended,
    Recommendation,
    Recommendations,
)

__all__ = [
    "RATIONALES",
    "ConditionTrace",
    "FiredRule",
    "NotRecommended",
    "Recommendation",
    "Recommendations",
    "Rule",
    "RuleFileError",
    "RuleProblem",
    "RuleSet",
    "evaluate",
    "evaluate_all",
    "load_rules",
    "needs_of",
    "rules_from_texts",
]
