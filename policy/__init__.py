"""The policy layer: from evidence to a mix of interventions, an appraisal and a report.

The names the UI and the command line use; the rooms behind them:

- :mod:`policy.session` - the session (what the user decided) and its invariants;
- :mod:`policy.walkthrough` - session + evidence -> every result, the one path for the pages,
  the command line and the exports;
- :mod:`policy.questions` - the key policy questions and their evidence-based proposals;
- :mod:`policy.mix` - balance, alignment, complementarity and niche risk of a mix;
- :mod:`policy.storage` - settings and the one SQLite file sessions and workshops live in;
- :mod:`policy.catalogue` - interventions as data, their causal chains, drawing them;
- :mod:`policy.appraisal` - options, MCDA, Green Book CBA, defaults, running the appraisal;
- :mod:`policy.workshop` - participants scoring on their own devices, aggregated;
- :mod:`policy.export` - Word, Excel, HTML and JSON reports from one bundle.
"""

from evidence.lazy import lazy_exports

# Each name is imported from its room when first read (evidence.lazy): importing the
# package, or one room through it, does not load the others (issue 14).
__getattr__, __dir__, __all__ = lazy_exports(__name__, {
    "session": (
        "SessionError", "StrategySession", "session_from_json", "session_to_json",
    ),
    "storage": (
        "SessionStore", "Settings",
    ),
    "walkthrough": (
        "TOP_N", "WalkthroughResults", "new_session", "recommend", "run_walkthrough",
        "session_profile",
    ),
})
