"""A complete session with sensible defaults, for the command line and for new users.

All generated findings accepted, the top recommendations chosen, and the baseline plus two
options built from them: the whole flow can run without a browser and be refined later.
"""

from __future__ import annotations

from evidence.service import Evidence
from policy.appraisal_state import default_appraisal
from policy.catalogue import load_catalogue
from policy.pipeline import recommend, session_profile
from policy.questions import load_questions, propose
from policy.session import StrategySession

TOP_CHOSEN = 5


def new_session(ev: Evidence, area_code: str, data_source: str | None = None) -> StrategySession:
    catalogue = load_catalogue()
    session = StrategySession(area_code=area_code, data_source=data_source)
    session.area_name = str(ev.cube.areas["area_name"].iloc[ev.cube.position(area_code)])
    profile = session_profile(ev, session)
    session.findings = [f.model_copy(update={"status": "accepted"}) for f in profile.findings]
    recs = recommend(ev, session, catalogue=catalogue)
    session.chosen_interventions = recs.ids()[:TOP_CHOSEN]
    for q in load_questions():
        proposal = propose(q, profile, session.findings, recs, catalogue)
        if proposal not in (None, [], ""):
            session.answers[q.id] = proposal
    ranked = [(r.intervention, r.score) for r in recs.recommended]
    session.appraisal = default_appraisal(ranked, catalogue, profile)
    return session
