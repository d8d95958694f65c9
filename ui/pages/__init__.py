"""One module a walkthrough step, each with a ``render()``; pages never import each other.

:data:`PAGES` maps each step id of ``ui/steps.yaml`` to its page's ``render``: the shell
(:mod:`ui.app`) builds one ``st.Page`` a step from it. A test checks the two agree.
"""

from collections.abc import Callable

from ui.pages import (
    appraisal,
    causal,
    data,
    export,
    findings,
    interventions,
    mix,
    participant,
    profile,
    rationale,
    workshop,
)

PAGES: dict[str, Callable[[], None]] = {
    "data": data.render,
    "profile": profile.render,
    "findings": findings.render,
    "rationale": rationale.render,
    "interventions": interventions.render,
    "causal": causal.render,
    "mix": mix.render,
    "appraisal": appraisal.render,
    "workshop": workshop.render,
    "export": export.render,
}

PARTICIPANT: Callable[[], None] = participant.render
"""A workshop participant's own form (``?ws=`` in the URL): no session, no sidebar."""
