"""The whole state of one strategy session: everything the user decided, with a schema version.

The UI keeps one ``StrategySession`` in memory and autosaves it; the command line builds one
with defaults. The session's invariants live here, not in the pages that change it: switching
the data source clears what belonged to the old data, choosing another area clears the last
area's findings and comparators, a custom area gets a code that cannot clash with a real one,
and findings are seeded from the profile once per area (:meth:`StrategySession.seed_findings`).
It round-trips to JSON losslessly (pydantic), and a file from a newer schema or
a tampered file is refused with a clear message rather than half-loaded.

Two ways in. :func:`session_from_json` is strict (the command line): the first bad field is a
:class:`SessionError`. :func:`open_session_json` is what the app uses for the store and for an
uploaded file: a session that cannot be opened in full opens with each broken top-level part
(an appraisal with a NaN weight, a period of 10^12, an unknown key) *set aside*: reset to its
default, its raw value and the reason kept in :attr:`StrategySession.set_aside`, so nothing is
lost and the user is told what and why. What cannot be set aside (not JSON, not an object, no
usable ``schema_version``, a newer schema, too big) is refused whole. Numbers are checked as the
JSON is parsed: NaN and infinities, floats beyond double range and integers of more than
:data:`MAX_INT_DIGITS` digits are refused with their line, and so is nesting deeper than
:data:`MAX_DEPTH`.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from typing import Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from evidence.models import Finding, standing
from evidence.problems import Problem, ProblemError
from policy.appraisal import AppraisalState

SCHEMA_VERSION = 1
CUSTOM_PREFIX = "CUSTOM-"
"""Custom area codes start with this, so they never equal a district or group code."""
MAX_SESSION_BYTES = 20_000_000
"""A session file is a few hundred kB; anything past 20 MB is refused before it is parsed (the
default: a server sets its own, ``Settings.session_max_mb``)."""
MAX_DEPTH = 64
"""The deepest nesting a session needs is under 10; 64 leaves room and stops 5,000-deep files
(which crash Python's JSON parser with a RecursionError) before they are parsed."""
MAX_INT_DIGITS = 30
"""Integers in a session are years, counts and weights: 30 digits is far past any of them."""
YEAR_MIN, YEAR_MAX = 1900, 2100
"""Periods outside these years are not in any data the tool reads."""


class SessionError(ProblemError):
    """A session file that cannot be loaded; says where and why (one located problem)."""

    def __init__(self, text: str, *, file: str | None = None, row: int | None = None,
                 column: str | None = None, code: str = "invalid_session") -> None:
        super().__init__([Problem(file=file, row=row, column=column, message=text, code=code)])
        self.args = (text,)

    def __str__(self) -> str:
        return str(self.args[0])


MAX_CUSTOM_MEMBERS = 1000
"""Great Britain has 361 districts; a custom area of more is not one anybody drew."""


class CustomArea(BaseModel):
    """Districts grouped by the user. The code always starts with :data:`CUSTOM_PREFIX`, so a
    session file cannot make a custom area pose as a real one (checked on load and on save);
    whether the members are districts of the data is checked against the data
    (:func:`custom_area_problems`)."""

    model_config = ConfigDict(extra="forbid")

    code: str = Field(min_length=len(CUSTOM_PREFIX) + 1, max_length=200)
    name: str = Field(max_length=200)
    members: list[str] = Field(min_length=1, max_length=MAX_CUSTOM_MEMBERS)

    @field_validator("code")
    @classmethod
    def _custom_code(cls, code: str) -> str:
        if not code.startswith(CUSTOM_PREFIX):
            raise ValueError(f"a custom area's code starts with {CUSTOM_PREFIX!r}, so it cannot "
                             f"be taken for a real area; got {code[:40]!r}")
        return code

    @field_validator("members")
    @classmethod
    def _distinct_members(cls, members: list[str]) -> list[str]:
        bad = next((m for m in members if not m.strip() or len(m) > 40), None)
        if bad is not None:
            raise ValueError(f"{bad[:40]!r} is not an area code")
        if len(set(members)) != len(members):
            twice = next(m for m in members if members.count(m) > 1)
            raise ValueError(f"district {twice!r} is listed twice")
        return members


def custom_area_problems(custom: CustomArea, levels: Mapping[str, str],
                         source: str | None = None) -> list[Problem]:
    """What stops ``custom`` being built from the data whose areas are ``levels`` (area code ->
    level): a code the data already uses, members the data does not have, members that are
    not districts. Empty when it can be built. Checked when a session is opened, so a custom
    area of unknown districts cannot break every page."""
    problems = []
    if custom.code in levels:
        problems.append(Problem(file=source, column="custom_area.code", item=custom.code,
                                code="custom_code_taken", message=(
            f"the custom area's code {custom.code[:60]!r} is already an area in the data")))
    unknown = [m for m in custom.members if m not in levels]
    if unknown:
        shown = ", ".join(unknown[:5]) + (f" and {len(unknown) - 5} more" if len(unknown) > 5
                                          else "")
        problems.append(Problem(file=source, column="custom_area.members", item=unknown[0],
                                code="unknown_district", message=(
            f"{len(unknown)} of the custom area's {len(custom.members)} districts are not in "
            f"the data: {shown}")))
    has_districts = "lad" in set(levels.values())
    not_lad = [m for m in custom.members if m in levels and levels[m] != "lad"]
    if has_districts and not_lad:
        problems.append(Problem(file=source, column="custom_area.members", item=not_lad[0],
                                code="not_a_district", message=(
            "a custom area is built from districts; these are not districts: "
            + ", ".join(not_lad[:5]))))
    return problems


class StrategySession(BaseModel):
    model_config = ConfigDict(extra="forbid")

    schema_version: int = SCHEMA_VERSION
    session_id: str = ""
    title: str = "Advanced manufacturing strategy"
    data_source: str | None = Field(
        default=None, description="path of the data file; None = the bundled synthetic demo"
    )
    gva_source: str | None = Field(
        default=None, description="path of an ONS GVA file loaded alongside the employment data"
    )
    context_sources: list[str] = Field(
        default_factory=list, description="paths of NOMIS context downloads (APS "
        "qualifications and occupations, UK Business Counts) merged into the employment data")
    lookup_source: str | None = Field(
        default=None, description="path of an ONS area-to-district lookup placing the "
        "neighbourhoods (MSOAs, LSOAs) of the data file in their districts")
    area_code: str | None = None
    area_name: str | None = None
    custom_area: CustomArea | None = None
    period_start: int | None = Field(default=None, ge=YEAR_MIN, le=YEAR_MAX)
    period_end: int | None = Field(default=None, ge=YEAR_MIN, le=YEAR_MAX)
    comparator_codes: list[str] | None = None
    findings: list[Finding] = Field(default_factory=list)
    answers: dict[str, Any] = Field(default_factory=dict)
    chosen_interventions: list[str] = Field(default_factory=list)
    dropped_interventions: list[str] = Field(default_factory=list)
    appraisal: AppraisalState = Field(default_factory=AppraisalState)
    workshop: dict[str, Any] = Field(default_factory=dict)
    notes: str = ""
    steps_visited: list[str] = Field(default_factory=list)
    set_aside: dict[str, Any] = Field(
        default_factory=dict, description="parts of a saved session that could not be opened: "
        "field -> {'value': the raw value, 'problem': why}; kept so nothing is lost")

    @model_validator(mode="after")
    def _period_in_order(self) -> StrategySession:
        if self.period_start is not None and self.period_end is not None \
                and self.period_start > self.period_end:
            raise ValueError(f"period_start {self.period_start} is after period_end "
                             f"{self.period_end}")
        return self

    def set_aside_custom_area(self, problems: list[Problem]) -> None:
        """Move the custom area into :attr:`set_aside` (kept, not used) with the reasons; the
        area chosen was the custom one, so no area is chosen now (the findings stay)."""
        if self.custom_area is None:
            return
        why = "; ".join(p.message for p in problems)
        self.set_aside["custom_area"] = {"value": self.custom_area.model_dump(),
                                         "problem": f"set aside: {why}"}
        if self.area_code == self.custom_area.code:
            self.area_code = self.area_name = None
        self.custom_area = None

    def standing_findings(self) -> list[Finding]:
        """The findings the rules and the report work from (see :attr:`Finding.stands`)."""
        return standing(self.findings)

    def rejected_findings(self) -> list[Finding]:
        return [f for f in self.findings if not f.stands]

    # -- invariants -----------------------------------------------------------------------

    def switch_source(self, source: str | None, gva: str | None = None,
                      context: list[str] | None = None, lookup: str | None = None) -> None:
        """Use another data file: what belonged to the old data (custom area, comparators,
        period) is cleared; the area is kept, since the same code may exist in the new data."""
        context = list(context or [])
        if source == self.data_source and gva == self.gva_source \
                and context == self.context_sources and lookup == self.lookup_source:
            return
        self.data_source = source
        self.gva_source = gva
        self.context_sources = context
        self.lookup_source = lookup
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


def session_save_problems(session: StrategySession) -> list[Problem]:
    """What would make the saved text unopenable (checked before every save): a NaN or an
    infinity anywhere (JSON has no such numbers: pydantic writes null, which then fails to
    load), or a field that no longer validates."""
    problems = [Problem(column=path, code="not_finite",
                        message=f"{value!r} is not a number a session can hold")
                for path, value in _non_finite(session.model_dump(mode="python"))]
    if not problems:
        try:
            StrategySession.model_validate(session.model_dump(mode="python"))
        except ValidationError as exc:
            problems = [_problem(err, None) for err in exc.errors()]
    return problems


def _non_finite(value: Any, path: str = "") -> list[tuple[str, float]]:
    if isinstance(value, float):
        return [] if math.isfinite(value) else [(path or "(top)", value)]
    if isinstance(value, dict):
        return [hit for k, v in value.items() for hit in _non_finite(v, f"{path}.{k}" if path
                                                                      else str(k))]
    if isinstance(value, list | tuple):
        return [hit for i, v in enumerate(value) for hit in _non_finite(v, f"{path}.{i}")]
    return []


def _problem(err: Any, source: str | None) -> Problem:
    where = ".".join(str(p) for p in err["loc"])
    return Problem(file=source, column=where, code=err["type"], message=err["msg"])


def _too_deep(text: str) -> int | None:
    """The line where nesting first passes MAX_DEPTH (brackets inside strings skipped)."""
    depth, in_string, escaped, line = 0, False, False, 1
    for ch in text:
        if ch == "\n":
            line += 1
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                return line
        elif ch in "]}":
            depth -= 1
    return None


def _parse_json(text: str | bytes, source: str,
                max_bytes: int = MAX_SESSION_BYTES) -> dict[str, Any]:
    """The session file's top-level object, or a located SessionError; never a traceback.
    ``max_bytes``: the server's cap (``Settings.session_max_bytes``)."""
    if isinstance(text, bytes):
        if len(text) > max_bytes:
            raise SessionError(f"{source}: {len(text):,} bytes is too big for a session file "
                               f"(at most {max_bytes:,}, POLICYMIX_SESSION_MAX_MB)",
                               file=source, code="too_big")
        try:
            text = text.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line = text[: exc.start].count(b"\n") + 1
            raise SessionError(f"{source}: line {line} is not UTF-8 (byte {exc.start}: "
                               f"{text[exc.start:exc.start + 1]!r}); save the file as UTF-8",
                               file=source, row=line, code="encoding") from None
    text = text.removeprefix("\ufeff")  # a UTF-8 byte-order mark from Windows editors
    if len(text) > max_bytes:
        raise SessionError(f"{source}: {len(text):,} characters is too big for a session file "
                           f"(at most {max_bytes:,}, POLICYMIX_SESSION_MAX_MB)", file=source,
                           code="too_big")
    deep = _too_deep(text)
    if deep is not None:
        raise SessionError(f"{source}: line {deep}: nested more than {MAX_DEPTH} levels deep; "
                           "this is not a policymix session", file=source, row=deep,
                           code="too_deep")
    try:
        raw = json.loads(text, parse_constant=_refuse_constant, parse_float=_finite_float,
                         parse_int=_small_int)
    except json.JSONDecodeError as exc:
        raise SessionError(
            f"{source}: not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg}); "
            "the file may be truncated", file=source, row=exc.lineno, code="json_syntax"
        ) from None
    except _BadNumber as exc:
        line = text[: text.find(exc.token)].count("\n") + 1 if exc.token in text else None
        raise SessionError(f"{source}: line {line}: {exc.reason}", file=source, row=line,
                           code="bad_number") from None
    except RecursionError:  # pragma: no cover - _too_deep stops these first
        raise SessionError(f"{source}: nested too deeply", file=source,
                           code="too_deep") from None
    if not isinstance(raw, dict):
        raise SessionError(f"{source}: expected a JSON object at the top level", file=source)
    version = raw.get("schema_version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise SessionError(f"{source}: field 'schema_version' is missing or not a whole number "
                           f"(got {json.dumps(version)[:20]})", file=source,
                           column="schema_version", code="schema_version")
    if version > SCHEMA_VERSION:
        raise SessionError(
            f"{source}: schema version {version} is newer than this tool understands "
            f"({SCHEMA_VERSION}); update policymix to open it", file=source,
            column="schema_version", code="future_schema"
        )
    return raw


class _BadNumber(ValueError):
    def __init__(self, token: str, reason: str) -> None:
        super().__init__(reason)
        self.token, self.reason = token, reason


def _refuse_constant(token: str) -> float:
    raise _BadNumber(token, f"{token} is not a number a session can hold")


def _finite_float(token: str) -> float:
    value = float(token)
    if not math.isfinite(value):
        raise _BadNumber(token, f"{token[:40]} is beyond the range of numbers a session holds")
    return value


def _small_int(token: str) -> int:
    digits = len(token.lstrip("-"))
    if digits > MAX_INT_DIGITS:
        raise _BadNumber(token[:40], f"an integer of {digits:,} digits (at most "
                         f"{MAX_INT_DIGITS})")
    return int(token)


def session_from_json(text: str | bytes, source: str = "session file",
                      max_bytes: int = MAX_SESSION_BYTES) -> StrategySession:
    """Parse a session file, refusing future versions and naming the first bad field."""
    raw = _parse_json(text, source, max_bytes)
    try:
        return StrategySession.model_validate(raw)
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err["loc"])
        raise SessionError(f"{source}: field '{where}': {err['msg']}", file=source,
                           column=where, code=err["type"]) from None


UNSETTABLE = ("schema_version",)


def open_session_json(text: str | bytes, source: str = "session file",
                      max_bytes: int = MAX_SESSION_BYTES
                      ) -> tuple[StrategySession, list[Problem]]:
    """Open as much of a session as can be opened: each top-level part that fails validation
    (or is unknown) is moved into ``set_aside`` and named in the problems returned."""
    raw = _parse_json(text, source, max_bytes)
    aside: dict[str, Any] = dict(raw.pop("set_aside", None) or {}) \
        if isinstance(raw.get("set_aside"), dict) else {}
    problems: list[Problem] = []
    for _ in range(len(raw) + 1):
        try:
            session = StrategySession.model_validate(raw)
            break
        except ValidationError as exc:
            err = exc.errors()[0]
            field = str(err["loc"][0]) if err["loc"] else ""
            if field in UNSETTABLE or field not in raw:
                # a whole-model check (the period's order): set both ends aside
                field = next((f for f in ("period_start", "period_end") if f in raw), "")
                if not field:
                    raise SessionError(f"{source}: {err['msg']}", file=source,
                                       code=err["type"]) from None
            problem = _problem(err, source)
            message = f"set aside, could not be opened: {problem.message}"
            problems.append(Problem(file=source, column=problem.column, code=problem.code,
                                    message=message))
            aside[field] = {"value": raw.pop(field), "problem": str(problems[-1])}
    else:  # pragma: no cover - every round removes a field
        raise SessionError(f"{source}: could not be opened", file=source)
    session.set_aside = aside
    dropped = aside.get("custom_area", {})
    if session.custom_area is None and isinstance(dropped, dict) \
            and isinstance(dropped.get("value"), dict) \
            and session.area_code == dropped["value"].get("code"):
        session.area_code = session.area_name = None  # it named the custom area set aside
    return session, problems


# -- two tabs: a three-way merge ------------------------------------------------------------

NOT_MERGED = ("session_id", "schema_version")
COUPLED = (
    (("area_code",), ("area_name", "findings", "comparator_codes")),
    (("data_source", "gva_source", "context_sources", "lookup_source"),
     ("custom_area", "comparator_codes", "period_start", "period_end")),
    (("custom_area",), ("area_code", "area_name", "findings", "comparator_codes")),
)
"""Fields the session's invariants change together (:meth:`StrategySession.choose_area`,
:meth:`~StrategySession.switch_source`, :meth:`~StrategySession.use_custom_area`): when one
side changes a trigger on the left, its whole group is that side's, so a merge never pairs one
tab's new area with the other tab's findings of the old one."""
BY_KEY = ("answers", "set_aside")
"""Mappings merged key by key (two tabs answering different questions both count)."""
_GONE = object()


class Merge(BaseModel):
    """What a three-way merge made: the merged session, the fields the other side brought in,
    and the fields both sides changed differently (a real conflict: nothing is merged)."""

    session: StrategySession | None
    theirs: list[str] = Field(default_factory=list)
    conflicts: list[str] = Field(default_factory=list)
    revision: int = 0
    """Set by the store: the revision the merged session was saved as."""


def _claims(base: dict[str, Any], side: dict[str, Any]) -> tuple[set[str], set[str]]:
    """(the fields this side changed, with the groups it changed as a whole; those groups)."""
    changed = {f for f in base if f not in NOT_MERGED and side.get(f) != base.get(f)}
    whole: set[str] = set()
    for triggers, followers in COUPLED:
        if changed & set(triggers):
            whole |= set(triggers) | set(followers)
    return changed | whole, whole


def _by_key(base: dict, mine: dict, theirs: dict) -> tuple[dict, list[str]]:
    """Three-way merge of two mappings, key by key: their order first, then keys only mine
    added; a key both sides changed differently is a clash."""
    out, clashes = {}, []
    for key in list(theirs) + [k for k in mine if k not in theirs]:
        b, m, t = base.get(key, _GONE), mine.get(key, _GONE), theirs.get(key, _GONE)
        value = t if m == b else m if t == b or m == t else _GONE
        if m != b and t != b and m != t:
            clashes.append(str(key))
            continue
        if value is not _GONE:
            out[key] = value
    return out, clashes


def _findings(base: list, mine: list, theirs: list) -> tuple[list, list[str]]:
    """Findings by id: one tab's new finding and the other's edit of another both stand."""
    keyed = [{f.get("id"): f for f in side if isinstance(f, dict)} for side in (base, mine,
                                                                               theirs)]
    if any(len(k) != len(side) for k, side in zip(keyed, (base, mine, theirs), strict=True)):
        return [], ["findings"]  # ids not unique: no safe way to pair them
    merged, clashes = _by_key(*keyed)
    return list(merged.values()), [f"findings.{c}" for c in clashes]


def merge_sessions(base: StrategySession, mine: StrategySession,
                   theirs: StrategySession) -> Merge:
    """Three-way merge on the session's top-level fields against ``base``, the version both
    sides started from (as git merges a file, field for line): a field only one side changed
    takes that side's value; a field both changed to the same value is fine; findings merge by
    id, ``answers`` and ``set_aside`` by key, the steps visited as a union; anything else both
    sides changed differently is a conflict, and then nothing is merged."""
    b, m, t = (s.model_dump(mode="json") for s in (base, mine, theirs))
    mine_claims, mine_whole = _claims(b, m)
    their_claims, their_whole = _claims(b, t)
    merged, conflicts = dict(b), []
    for field in sorted(mine_claims | their_claims):
        if field not in their_claims or m[field] == t[field]:
            merged[field] = m[field]
        elif field not in mine_claims:
            merged[field] = t[field]
        elif field in mine_whole or field in their_whole:
            conflicts.append(field)
        elif field == "findings":
            merged[field], clash = _findings(b[field], m[field], t[field])
            conflicts += clash
        elif field in BY_KEY:
            merged[field], clash = _by_key(b[field], m[field], t[field])
            conflicts += [f"{field}.{c}" for c in clash]
        elif field == "steps_visited":
            merged[field] = t[field] + [s for s in m[field] if s not in t[field]]
        else:
            conflicts.append(field)
    merged["session_id"] = t["session_id"] or m["session_id"]
    if conflicts:
        return Merge(session=None, conflicts=conflicts)
    try:
        session = StrategySession.model_validate(merged)
    except ValidationError as exc:  # e.g. one tab moved the start past the other's new end
        return Merge(session=None, conflicts=[".".join(str(p) for p in e["loc"]) or "period"
                                              for e in exc.errors()])
    return Merge(session=session,
                 theirs=sorted(f for f in their_claims if merged.get(f) != m.get(f)))
