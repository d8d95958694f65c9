"""The whole state of one strategy session: everything the user decided, with a schema version.

The UI keeps one ``StrategySession`` in memory and autosaves it; the command line builds one
with defaults. It round-trips to JSON losslessly (pydantic), and a file from a newer schema or
a tampered file is refused with a clear message rather than half-loaded.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel, Field, ValidationError

from evidence.models import Finding
from policy.appraisal_state import AppraisalState

SCHEMA_VERSION = 1


class SessionError(ValueError):
    """A session file that cannot be loaded; says where and why."""


class CustomArea(BaseModel):
    code: str
    name: str
    members: list[str]


class StrategySession(BaseModel):
    schema_version: int = SCHEMA_VERSION
    session_id: str = ""
    title: str = "Advanced manufacturing strategy"
    data_source: str | None = Field(
        default=None, description="path of the data file; None = the bundled synthetic demo"
    )
    gva_source: str | None = Field(
        default=None, description="path of an ONS GVA file loaded alongside the employment data"
    )
    area_code: str | None = None
    area_name: str | None = None
    custom_area: CustomArea | None = None
    period_start: int | None = None
    period_end: int | None = None
    comparator_codes: list[str] | None = None
    findings: list[Finding] = Field(default_factory=list)
    answers: dict[str, Any] = Field(default_factory=dict)
    chosen_interventions: list[str] = Field(default_factory=list)
    dropped_interventions: list[str] = Field(default_factory=list)
    appraisal: AppraisalState = Field(default_factory=AppraisalState)
    workshop: dict[str, Any] = Field(default_factory=dict)
    notes: str = ""
    steps_visited: list[str] = Field(default_factory=list)

    def accepted_findings(self) -> list[Finding]:
        return [f for f in self.findings if f.status != "rejected"]


def session_to_json(session: StrategySession) -> str:
    return session.model_dump_json(indent=1)


def session_from_json(text: str, source: str = "session file") -> StrategySession:
    """Parse a session file, refusing future versions and naming the first bad field."""
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SessionError(
            f"{source}: not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg}); "
            "the file may be truncated"
        ) from None
    if not isinstance(raw, dict):
        raise SessionError(f"{source}: expected a JSON object at the top level")
    version = raw.get("schema_version")
    if not isinstance(version, int):
        raise SessionError(f"{source}: field 'schema_version' is missing or not a whole number")
    if version > SCHEMA_VERSION:
        raise SessionError(
            f"{source}: schema version {version} is newer than this tool understands "
            f"({SCHEMA_VERSION}); update policymix to open it"
        )
    try:
        return StrategySession.model_validate(raw)
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err["loc"])
        raise SessionError(f"{source}: field '{where}': {err['msg']}") from None
