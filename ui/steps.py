"""The walkthrough steps, read from ``ui/steps.yaml`` (data, not code)."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

import yaml
from pydantic import BaseModel


class Step(BaseModel):
    """One step of the walkthrough; ``done_when`` says in words what marks it done (the
    sidebar shows it beside the status, so the count of steps done says what it counts)."""

    id: str
    title: str
    question: str
    done_when: str


@lru_cache(maxsize=1)
def load_steps() -> tuple[Step, ...]:
    text = resources.files("ui").joinpath("steps.yaml").read_text(encoding="utf-8")
    return tuple(Step.model_validate(item) for item in yaml.safe_load(text))


def step_by_id(step_id: str) -> Step:
    for step in load_steps():
        if step.id == step_id:
            return step
    raise KeyError(step_id)
