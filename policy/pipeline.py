"""From a session and its evidence to recommendations: the one path the UI and CLI share.

The user's decisions on findings (rejected, edited, local knowledge added) replace the generated
findings before the rules run, so what the room agreed is what drives the recommendations.
"""

from __future__ import annotations

from functools import lru_cache

from evidence.models import AreaProfile
from evidence.service import Evidence
from policy.catalogue import Intervention, load_catalogue
from policy.session import StrategySession
from rules.engine import RuleSet, evaluate, load_rules
from rules.results import Recommendations


@lru_cache(maxsize=1)
def default_ruleset() -> RuleSet:
    return load_rules(known_interventions=set(load_catalogue()))


def session_profile(ev: Evidence, session: StrategySession) -> AreaProfile:
    """The area's profile with the session's findings (if it has any) in place of the defaults."""
    if session.area_code is None:
        raise ValueError("the session has no area yet: choose one first")
    profile = ev.profile(session.area_code, session.period_start, session.period_end,
                         comparator_codes=session.comparator_codes)
    if session.findings:
        profile = profile.model_copy(update={"findings": session.accepted_findings()})
    return profile


def comparator_profiles(ev: Evidence, profile: AreaProfile) -> list[AreaProfile]:
    return [ev.profile(c.area_code, profile.period.start, profile.period.end)
            for c in profile.comparators]


def recommend(
    ev: Evidence,
    session: StrategySession,
    ruleset: RuleSet | None = None,
    catalogue: dict[str, Intervention] | None = None,
) -> Recommendations:
    catalogue = catalogue if catalogue is not None else load_catalogue()
    profile = session_profile(ev, session)
    return evaluate(ruleset or default_ruleset(), profile, comparator_profiles(ev, profile),
                    interventions=list(catalogue))


def chosen_or_default(session: StrategySession, recs: Recommendations, n: int = 5) -> list[str]:
    """The user's chosen interventions, or the top ``n`` recommendations when none chosen."""
    return list(session.chosen_interventions) or recs.ids()[:n]
