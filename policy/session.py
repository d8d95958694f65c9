"""The whole state of one strategy session: everything the user decided, with a schema version.

The UI keeps one ``StrategySession`` in memory and autosaves it; the command line builds one
with defaults. The session's invariants live here, not in the pages that change it: switching
the data source clears what belonged to the old data, choosing another area clears the last
area's findings and comparators, a custom area gets a code that cannot clash with a real one,
and findings are seeded from the profile once per area (:meth:`StrategySession.seed_findings`).
It round-trips to JSON losslessly (pydantic), and a file from a newer schema or
a tampered file is refused with a clear message rather than half-loaded.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel, Field, ValidationError

from evidence.models import Finding, standing
from evidence.problems import Problem, ProblemError
from policy.appraisal import AppraisalState

SCHEMA_VERSION = 1
CUSTOM_PREFIX = "CUSTOM-"
"""Custom area codes start with this, so they never equal a district or group code."""


class SessionError(ProblemError):
    """A session file that cannot be loaded; says where and why (one located problem)."""

    def __init__(self, text: str, *, file: str | None = None, row: int | None = None,
                 column: str | None = None, code: str = "invalid_session") -> None:
        super().__init__([Problem(file=file, row=row, column=column, message=text, code=code)])
        self.args = (text,)

    def __str__(self) -> str:
        return str(self.args[0])


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

    def standing_findings(self) -> list[Finding]:
        """The findings the rules and the report work from (see :attr:`Finding.stands`)."""
        return standing(self.findings)

    def rejected_findings(self) -> list[Finding]:
        return [f for f in self.findings if not f.stands]

    # -- invariants -----------------------------------------------------------------------

    def switch_source(self, source: str | None, gva: str | None = None) -> None:
        """Use another data file: what belonged to the old data (custom area, comparators,
        period) is cleared; the area is kept, since the same code may exist in the new data."""
        if source == self.data_source and gva == self.gva_source:
            return
        self.data_source = source
        self.gva_source = gva
        self.custom_area = None
        self.comparator_codes = None
        self.period_start = self.period_end = None

    def choose_area(self, code: str, name: str) -> None:
        """Work on another area: findings and comparators are per area, so they go."""
        if code == self.area_code:
            return
        self.area_code, self.area_name = code, name
        self.comparator_codes = None
        self.findings = []  # regenerated from the new area's profile (seed_findings)

    def use_custom_area(self, name: str, members: list[str]) -> str:
        """Make a custom area of districts and choose it; returns its code."""
        code = CUSTOM_PREFIX + "-".join(sorted(members))[:40]
        self.custom_area = CustomArea(code=code, name=name, members=list(members))
        self.choose_area(code, name)
        return code

    def findings_need_seeding(self) -> bool:
        """True when the session holds no findings of its current area yet (a new area, or
        findings left from another area), so the profile's findings should be copied in."""
        prefix = f"{self.area_code}:"
        return not self.findings or not all(
            f.id.startswith(prefix) or f.origin == "local_knowledge" for f in self.findings)

    def seed_findings(self, generated: list[Finding], *, accept: bool = False) -> None:
        """Copy the profile's findings in when :meth:`findings_need_seeding`; ``accept`` marks
        them accepted (the command line's defaults), else they stay proposed for review."""
        if not self.findings_need_seeding():
            return
        update = {"status": "accepted"} if accept else {}
        self.findings = [f.model_copy(update=update) for f in generated]


def session_to_json(session: StrategySession) -> str:
    return session.model_dump_json(indent=1)


def session_from_json(text: str, source: str = "session file") -> StrategySession:
    """Parse a session file, refusing future versions and naming the first bad field."""
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SessionError(
            f"{source}: not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg}); "
            "the file may be truncated", file=source, row=exc.lineno, code="json_syntax"
        ) from None
    if not isinstance(raw, dict):
        raise SessionError(f"{source}: expected a JSON object at the top level", file=source)
    version = raw.get("schema_version")
    if not isinstance(version, int):
        raise SessionError(f"{source}: field 'schema_version' is missing or not a whole number",
                           file=source, column="schema_version")
    if version > SCHEMA_VERSION:
        raise SessionError(
            f"{source}: schema version {version} is newer than this tool understands "
            f"({SCHEMA_VERSION}); update policymix to open it", file=source,
            column="schema_version", code="future_schema"
        )
    try:
        return StrategySession.model_validate(raw)
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err["loc"])
        raise SessionError(f"{source}: field '{where}': {err['msg']}", file=source,
                           column=where, code=err["type"]) from None
