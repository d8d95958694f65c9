"""Guided workshop mode: many participants score the short list, the facilitator sees the spread.

A facilitator starts a workshop from a strategy session; participants join with a short code
and score the short-listed options on the appraisal criteria (0-100, higher = better, the same
scale as :mod:`policy.mcda`), and may propose findings the data missed. This module is the pure
logic: the models, the join code, the aggregation and the hand-over to the appraisal. Storage
lives in :mod:`policy.workshop_store`, the pages in ``ui/``; nothing here touches either.

Why medians and quartiles rather than means: a room of stakeholders is small (typically 5-20)
and a single enthusiast scoring 100 or a sceptic scoring 0 would drag a mean around; the median
is what "the room" thinks and the inter-quartile range (IQR) is how far apart the middle half
of the room is. Quartiles use the linear interpolation of ``numpy.percentile`` (Hyndman & Fan
type 7, the default of R, numpy and Excel's ``QUARTILE.INC``), so a hand check in a spreadsheet
gives the same numbers.

The workshop keeps a *snapshot* of the options and criteria it was started with, so that a
facilitator editing the appraisal mid-workshop cannot silently change what participants are
scoring; the aggregated scores are matched back to the appraisal by id.
"""

from __future__ import annotations

import hashlib
import math
import secrets
import unicodedata
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, Field, field_validator, model_validator

from evidence.models import FINDING_TOPICS, Finding, FindingKind
from evidence.problems import Problem, ProblemError
from policy.appraisal import AppraisalState, McdaInputs, McdaResult, Score, appraise_mcda
from policy.labels import word

__all__ = [
    "CODE_ALPHABET",
    "CODE_LENGTH",
    "CellStats",
    "DEFAULT_TOP_DISAGREEMENTS",
    "JOINS_PER_MINUTE",
    "MAX_PARTICIPANTS",
    "NAME_MAX",
    "WORKSHOP_HOURS",
    "Participant",
    "ParticipantScore",
    "Proposal",
    "RankingRow",
    "ScoreInput",
    "Workshop",
    "WorkshopClosed",
    "WorkshopCriterion",
    "WorkshopError",
    "WorkshopOption",
    "WorkshopSummary",
    "aggregate",
    "apply_to_appraisal",
    "clean_display_name",
    "new_join_code",
    "normalise_code",
    "now_utc",
    "proposal_to_finding",
    "workshop_report",
]

CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
"""Join-code characters: capitals and digits without the look-alikes 0/O, 1/I/L, so a code read
out across a room or copied from a projector is typed right first time."""
CODE_LENGTH = 6
"""31**6 is about 887 million codes: collisions are rare and the store retries on one."""
NAME_MAX = 40
"""Display names are shown in tables and exports; 40 characters fits a name and a role."""
MAX_PARTICIPANTS = 60
"""(This and the next two are defaults: a server's own values are in
:class:`policy.storage.Settings`.) A workshop takes at most this many participants: a room,
not a poll (200 sock-puppets once
moved a median from 75 to 0). The facilitator sees and can remove every one."""
JOINS_PER_MINUTE = 30
"""At most this many joins per workshop in any 60 seconds: a room of 20 scanning a code at once
fits, a script filling the workshop does not."""
WORKSHOP_HOURS = 24
"""An open workshop stops taking joins, scores and proposals this long after it starts (or is
reopened): a join code left on a slide does not stay a way in for ever."""
_NAME_DROPPED = {"Cc", "Cf", "Co", "Cs", "Cn", "Zl", "Zp"}
"""Unicode categories refused in names: controls, format characters (bidi overrides, zero
width joiners and spaces), private use, surrogates, unassigned, line and paragraph breaks."""
DEFAULT_TOP_DISAGREEMENTS = 5
WORKSHOP_RATIONALE_PREFIX = "workshop median of "
_FACILITATOR_MARK = "; facilitator's score was "


class WorkshopError(ProblemError):
    """A workshop request that is refused; the message says why, in plain English, and
    ``column`` / ``item`` name the field or thing refused when there is one."""

    def __init__(self, text: str, *, column: str | None = None, item: str | None = None,
                 code: str = "workshop") -> None:
        super().__init__([Problem(column=column, item=item, message=text, code=code)])
        self.args = (text,)

    def __str__(self) -> str:
        return str(self.args[0])


class WorkshopClosed(WorkshopError):
    """Scoring has been closed by the facilitator: nothing more can be written."""


def now_utc() -> datetime:
    """Timestamps are UTC to the second: workshops may be joined from anywhere."""
    return datetime.now(UTC).replace(microsecond=0)


def new_join_code(length: int = CODE_LENGTH) -> str:
    """A short random join code from :data:`CODE_ALPHABET` (``secrets``: not guessable)."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(length))


def normalise_code(code: str) -> str:
    """What a participant typed, as the stored code: trimmed, upper case, no spaces or dashes."""
    return "".join(ch for ch in str(code).upper() if ch not in " -\t\n")


def clean_display_name(name: str) -> str:
    """Normalise and check a display name; raises WorkshopError if unusable.

    NFKC first (full-width and compatibility letters become the ordinary ones, so ``Ａnn`` is
    ``Ann``), then any control, format (bidi override, zero-width) or private-use character
    is refused with its code point named, white space is collapsed, and 1-40 characters remain.
    """
    normal = unicodedata.normalize("NFKC", str(name))
    bad = next((ch for ch in normal if unicodedata.category(ch) in _NAME_DROPPED
                and ch not in "\t\n\r"), None)
    if bad is not None:
        raise WorkshopError(
            f"the display name contains an invisible or control character (U+{ord(bad):04X}, "
            f"{unicodedata.name(bad, 'unnamed')}): type the name again without it",
            column="display_name")
    scripts = {unicodedata.name(ch, "").split(" ")[0] for ch in normal if ch.isalpha()}
    if len(scripts & {"LATIN", "CYRILLIC", "GREEK"}) > 1:
        raise WorkshopError(
            "the display name mixes Latin, Cyrillic or Greek letters (look-alikes such as "
            "Cyrillic 'а' for 'a'): type it in one alphabet", column="display_name")
    cleaned = " ".join(normal.split())
    if not cleaned:
        raise WorkshopError("enter a display name (1 to 40 characters)", column="display_name")
    if len(cleaned) > NAME_MAX:
        raise WorkshopError(
            f"the display name is {len(cleaned)} characters long; use at most {NAME_MAX}",
            column="display_name")
    return cleaned


# --------------------------------------------------------------------------------------------
# Models


class WorkshopOption(BaseModel):
    """A short-listed option as participants see it (snapshot taken at the start)."""

    id: str
    name: str
    description: str = ""
    is_baseline: bool = False
    contents: list[str] = Field(default_factory=list)
    """What the option holds, as participants read it: "Cluster network: GBP 1.5m over 3
    years" for each intervention (names from the one vocabulary)."""
    budget_gbp_m: float | None = None
    """The option's total budget, GBP million (None for business as usual)."""


EDITOR_NOTES = ("; edit to suit", " edit to suit", "edit to suit")
"""Words for the person who builds the appraisal, not for people who cannot edit it."""


def participant_text(description: str) -> str:
    """An option's description as participants read it: without notes to the editor."""
    text = description
    for note in EDITOR_NOTES:
        text = text.replace(note, "")
    return text.replace(" .", ".").replace("..", ".").strip()


def option_contents(option: Any) -> tuple[list[str], float | None]:
    """(what the option holds, its total budget) for participants."""
    items = list(option.interventions)
    if not items:
        return [], None
    lines = [f"{word(i.intervention_id)}: GBP {i.budget_gbp_m:,.1f}m over "
             f"{i.duration_years} year{'s' if i.duration_years != 1 else ''}" for i in items]
    return lines, round(sum(i.budget_gbp_m for i in items), 3)


class WorkshopCriterion(BaseModel):
    """An appraisal criterion as participants see it (snapshot taken at the start)."""

    id: str
    label: str
    description: str = ""


class Workshop(BaseModel):
    """One workshop: its join code, the session it belongs to and what is being scored."""

    code: str
    session_id: str
    created_at: datetime
    status: Literal["open", "closed"] = "open"
    closed_at: datetime | None = None
    expires_at: datetime | None = None
    options: list[WorkshopOption]
    criteria: list[WorkshopCriterion]

    @property
    def expired(self) -> bool:
        """Open, but past :attr:`expires_at`: it takes nothing more until reopened."""
        return self.status == "open" and self.expires_at is not None \
            and now_utc() >= self.expires_at

    @property
    def is_open(self) -> bool:
        return self.status == "open" and not self.expired

    @property
    def state_label(self) -> str:
        return "expired" if self.expired else self.status

    @property
    def cells(self) -> list[tuple[str, str]]:
        """Every (option id, criterion id) a complete score sheet covers, in display order."""
        return [(o.id, c.id) for o in self.options for c in self.criteria]

    def option_name(self, option_id: str) -> str:
        return next((o.name for o in self.options if o.id == option_id), option_id)

    def criterion_label(self, criterion_id: str) -> str:
        return next((c.label for c in self.criteria if c.id == criterion_id), criterion_id)

    @classmethod
    def from_appraisal(cls, code: str, session_id: str, state: AppraisalState,
                       hours: int = WORKSHOP_HOURS) -> Workshop:
        """Snapshot the appraisal's short list (BAU included) and criteria.

        BAU is scored too: the MCDA ranks every short-listed option against it, so the room's
        view of business as usual is as much part of the ranking as its view of the options.
        """
        try:
            kept = state.shortlist().kept
        except ValueError:
            kept = [o for o in state.options if o.id not in state.dropped]
        created = now_utc()
        return cls(
            code=code,
            session_id=session_id,
            created_at=created,
            expires_at=created + timedelta(hours=hours),
            options=[
                WorkshopOption(
                    id=o.id, name=o.name, description=participant_text(o.description),
                    is_baseline=o.is_baseline, contents=option_contents(o)[0],
                    budget_gbp_m=option_contents(o)[1],
                )
                for o in kept
            ],
            criteria=[
                WorkshopCriterion(id=c.id, label=c.label, description=c.description)
                for c in state.criteria
            ],
        )


class Participant(BaseModel):
    """Someone who joined. The secret token is deliberately not a field: this model is what the
    facilitator's view and the exports see, and a token there would let anyone impersonate."""

    id: str
    display_name: str
    joined_at: datetime


class ScoreInput(BaseModel):
    """One score a participant submits: the participant is taken from their token, not from
    the input, so a submission cannot name somebody else."""

    option_id: str
    criterion_id: str
    value: float
    note: str = Field("", max_length=1000)

    @field_validator("note")
    @classmethod
    def _strip(cls, v: str) -> str:
        return v.strip()

    @model_validator(mode="after")
    def _range(self) -> ScoreInput:
        if not (math.isfinite(self.value) and 0.0 <= self.value <= 100.0):
            raise ValueError(
                f"score for option '{self.option_id}' on criterion '{self.criterion_id}' must be "
                f"between 0 and 100, got {self.value}"
            )
        return self


class ParticipantScore(ScoreInput):
    """A stored score: one participant, one option, one criterion (0-100, higher = better)."""

    participant_id: str


class Proposal(BaseModel):
    """A finding a participant proposes (local knowledge the data lacks), with a note."""

    participant_id: str
    kind: FindingKind
    topic: str = Field(min_length=1, max_length=80)
    sector: str | None = None
    text: str = Field(min_length=1, max_length=2000)
    note: str = Field("", max_length=1000)
    created_at: datetime

    @field_validator("topic", "text", "note")
    @classmethod
    def _strip(cls, v: str) -> str:
        return v.strip()

    @field_validator("topic")
    @classmethod
    def _topic(cls, v: str) -> str:
        """The closed topic list, as on the findings page: rules refer to these names, so a
        proposal under a made-up topic could never feed a recommendation."""
        if v not in FINDING_TOPICS:
            raise ValueError(f"unknown topic '{v}' (choose one of: {', '.join(FINDING_TOPICS)})")
        return v

    @field_validator("text")
    @classmethod
    def _text(cls, v: str) -> str:
        if not v:
            raise ValueError("write the finding first: the text is empty")
        return v

    @field_validator("sector")
    @classmethod
    def _sector(cls, v: str | None) -> str | None:
        return (v or "").strip() or None


# --------------------------------------------------------------------------------------------
# Aggregation


class CellStats(BaseModel):
    """The room's scores on one option x criterion: median, quartiles, range, count, notes."""

    option_id: str
    criterion_id: str
    n: int
    median: float | None = None
    q1: float | None = None
    q3: float | None = None
    iqr: float | None = None
    min: float | None = None
    max: float | None = None
    facilitator: float | None = Field(None, description="the appraisal's score when aggregated")
    notes: list[str] = Field(default_factory=list)

    @property
    def spread(self) -> float | None:
        """Range (max - min): the tie-break for disagreement when IQRs are equal."""
        return None if self.min is None or self.max is None else self.max - self.min


class RankingRow(BaseModel):
    """One option in the workshop ranking next to the facilitator's (1 = best)."""

    option_id: str
    name: str
    workshop_rank: int
    workshop_total: float
    facilitator_rank: int | None = None
    facilitator_total: float | None = None


class WorkshopSummary(BaseModel):
    """What :func:`aggregate` found, ready for the live view, the report and the appraisal.

    ``filled_from_facilitator`` lists the cells of the workshop ranking for which nobody scored
    (or the option or criterion was added after the workshop started), so the facilitator's
    score stands in; ``ranking_problems`` says why there is no ranking, if there is none.
    """

    code: str
    status: Literal["open", "closed"]
    n_participants: int
    n_complete: int
    n_partial: int
    cells: list[CellStats]
    disagreements: list[CellStats]
    ranking: list[RankingRow] = Field(default_factory=list)
    filled_from_facilitator: list[tuple[str, str]] = Field(default_factory=list)
    ranking_problems: list[str] = Field(default_factory=list)

    @property
    def n_scored(self) -> int:
        return self.n_complete + self.n_partial

    def cell(self, option_id: str, criterion_id: str) -> CellStats | None:
        return next(
            (c for c in self.cells if c.option_id == option_id and c.criterion_id == criterion_id),
            None,
        )


def _stats(values: Sequence[float]) -> dict[str, float]:
    arr = np.asarray(values, dtype=float)
    q1, med, q3 = np.percentile(arr, [25.0, 50.0, 75.0])
    return {
        "median": float(med),
        "q1": float(q1),
        "q3": float(q3),
        "iqr": float(q3 - q1),
        "min": float(arr.min()),
        "max": float(arr.max()),
    }


def _ranking(
    state: AppraisalState, workshop: Workshop, cells: Sequence[CellStats]
) -> tuple[list[RankingRow], list[tuple[str, str]], list[str]]:
    """Workshop medians plugged into the session's MCDA next to the facilitator's own scores.

    Options and criteria come from the appraisal as it is now (its short list in tie-break
    order, BAU first, and its swing weights), so the two rankings differ only in the scores.
    """
    ids = state.kept_option_ids()
    medians = {(c.option_id, c.criterion_id): c.median for c in cells if c.median is not None}
    scores: list[Score] = []
    filled: list[tuple[str, str]] = []
    problems: list[str] = []
    used = []
    for crit in state.criteria:
        values = {}
        for oid in ids:
            if (oid, crit.id) in medians:
                values[oid] = (medians[(oid, crit.id)], False)
            elif (own := state.score(oid, crit.id)) is not None and own.value is not None:
                values[oid] = (own.value, True)
        if len(values) < len(ids):
            # as the appraisal does: a criterion not scored for every option is left out of
            # the totals and named, never read as 0 or 50 (DCLG 2009, chapter 5)
            problems.append(f"'{crit.label}' is left out of the workshop ranking: not every "
                            "option is scored on it by the room or the facilitator")
            continue
        used.append(crit)
        for oid, (value, from_facilitator) in values.items():
            scores.append(Score(option_id=oid, criterion_id=crit.id, value=value))
            if from_facilitator:
                filled.append((oid, crit.id))
    if not used:
        return [], filled, problems + ["no criterion is scored for every option yet"]
    try:
        room = appraise_mcda(
            McdaInputs(
                option_ids=ids,
                criteria=used,
                swing_weights={c.id: state.swing_weights.get(c.id, 0.0) for c in used},
                scores=scores,
            )
        )
    except ValueError as exc:
        return [], filled, [*problems, f"MCDA with the workshop scores: {exc}"]
    own_result: McdaResult | None
    try:
        own_result = appraise_mcda(state.mcda_inputs())
    except ValueError as exc:
        own_result = None
        problems.append(f"the facilitator's own ranking cannot be computed: {exc}")
    own_rows = {r.option_id: r for r in own_result.rows} if own_result else {}
    names = {o.id: o.name for o in state.options}
    rows = [
        RankingRow(
            option_id=r.option_id,
            name=names.get(r.option_id, workshop.option_name(r.option_id)),
            workshop_rank=r.rank,
            workshop_total=r.total,
            facilitator_rank=own_rows[r.option_id].rank if r.option_id in own_rows else None,
            facilitator_total=own_rows[r.option_id].total if r.option_id in own_rows else None,
        )
        for r in room.rows
    ]
    return rows, filled, problems


def aggregate(
    workshop: Workshop,
    scores: Iterable[ParticipantScore],
    state: AppraisalState | None = None,
    *,
    participants: Sequence[Participant] | None = None,
    top_n: int = DEFAULT_TOP_DISAGREEMENTS,
) -> WorkshopSummary:
    """Summarise the room's scores: who has scored, median and spread per cell, disagreements.

    - A participant has scored *completely* when they scored every option x criterion of the
      workshop's snapshot, *partly* when they scored some. ``n_participants`` counts everyone
      who joined (pass ``participants``), or else everyone who scored.
    - Per cell: n, median, lower and upper quartile, IQR, min and max (see the module docstring
      for the quartile method), the facilitator's current score and the participants' notes.
    - Disagreements: the ``top_n`` cells scored by at least two people with the largest IQR,
      then the largest range, then in display order; cells where everyone agrees are left out,
      because "disagree most" among unanimous cells would only be noise.
    - Ranking (when ``state`` is given): the medians plugged into the session's MCDA with its
      swing weights, next to the facilitator's own ranking; see :func:`_ranking`.

    Scores for options or criteria not in the snapshot are ignored.
    """
    wanted = set(workshop.cells)
    by_cell: dict[tuple[str, str], list[float]] = {cell: [] for cell in workshop.cells}
    notes: dict[tuple[str, str], list[str]] = {cell: [] for cell in workshop.cells}
    per_person: dict[str, set[tuple[str, str]]] = {}
    for s in scores:
        key = (s.option_id, s.criterion_id)
        if key not in wanted:
            continue
        by_cell[key].append(float(s.value))
        if s.note and s.note not in notes[key]:
            notes[key].append(s.note)
        per_person.setdefault(s.participant_id, set()).add(key)
    n_complete = sum(len(done) == len(wanted) for done in per_person.values())
    n_partial = len(per_person) - n_complete
    cells: list[CellStats] = []
    for oid, cid in workshop.cells:
        values = by_cell[(oid, cid)]
        own = state.score(oid, cid) if state is not None else None
        cells.append(
            CellStats(
                option_id=oid,
                criterion_id=cid,
                n=len(values),
                facilitator=own.value if own is not None else None,
                notes=notes[(oid, cid)],
                **(_stats(values) if values else {}),
            )
        )
    order = {cell: i for i, cell in enumerate(workshop.cells)}
    contested = [c for c in cells if c.n >= 2 and (c.spread or 0.0) > 0.0]
    contested.sort(
        key=lambda c: (-(c.iqr or 0.0), -(c.spread or 0.0), order[(c.option_id, c.criterion_id)])
    )
    ranking: list[RankingRow] = []
    filled: list[tuple[str, str]] = []
    problems: list[str] = []
    if state is not None:
        ranking, filled, problems = _ranking(state, workshop, cells)
    joined = len(participants) if participants is not None else len(per_person)
    return WorkshopSummary(
        code=workshop.code,
        status=workshop.status,
        n_participants=max(joined, len(per_person)),
        n_complete=n_complete,
        n_partial=n_partial,
        cells=cells,
        disagreements=contested[: max(top_n, 0)],
        ranking=ranking,
        filled_from_facilitator=filled,
        ranking_problems=problems,
    )


# --------------------------------------------------------------------------------------------
# Hand-over to the appraisal and the exports


def _fmt(value: float) -> str:
    """60.0 -> '60', 62.5 -> '62.5': rationales are read by people."""
    return f"{value:.1f}".rstrip("0").rstrip(".")


def apply_to_appraisal(state: AppraisalState, summary: WorkshopSummary) -> list[dict[str, Any]]:
    """Write the workshop medians into the appraisal's scores, each with a traceable rationale.

    Only cells somebody scored, for options and criteria still in the appraisal, are written.
    The rationale names the number of participants, the IQR and the facilitator's previous
    score (and its rationale), so the appraisal and its export show where each number came
    from. Applying twice keeps the *facilitator's* score in the rationale, not the first
    median. Returns the changes made (option, criterion, before, after) for the caller to show.
    """
    options = {o.id for o in state.options}
    criteria = {c.id for c in state.criteria}
    changes: list[dict[str, Any]] = []
    for cell in summary.cells:
        known = cell.option_id in options and cell.criterion_id in criteria
        if cell.median is None or not known:
            continue
        before = state.score(cell.option_id, cell.criterion_id)
        if before is None or before.value is None:  # missing, or left unscored (no evidence)
            tail = "; the facilitator had not scored it"
        elif before.rationale.startswith(WORKSHOP_RATIONALE_PREFIX) and (
            _FACILITATOR_MARK in before.rationale or "had not scored" in before.rationale
        ):
            tail = before.rationale[before.rationale.index(";"):]  # keep the original
        else:
            why = f" ({before.rationale.strip()})" if before.rationale.strip() else ""
            tail = f"{_FACILITATOR_MARK}{_fmt(before.value)}{why}"
        people = "participant" if cell.n == 1 else "participants"
        rationale = (
            f"{WORKSHOP_RATIONALE_PREFIX}{cell.n} {people} (IQR {_fmt(cell.iqr or 0.0)}, range "
            f"{_fmt(cell.min or 0.0)}-{_fmt(cell.max or 0.0)}){tail}"
        )
        state.set_score(cell.option_id, cell.criterion_id, cell.median, rationale)
        changes.append(
            {
                "option_id": cell.option_id,
                "criterion_id": cell.criterion_id,
                "before": before.value if before is not None else None,
                "after": cell.median,
            }
        )
    return changes


def proposal_to_finding(proposal: Proposal, display_name: str) -> Finding:
    """A participant's proposal as a *proposed* local-knowledge finding for the session.

    The design counts local knowledge from a workshop as evidence, but a proposal is one
    person's claim: it enters the findings undecided, for the facilitator to accept or reject
    like any other. The id is derived from the proposal, so adding the same proposals twice
    does not duplicate them.
    """
    digest = hashlib.sha1(
        f"{proposal.participant_id}|{proposal.created_at.isoformat()}|{proposal.text}".encode(),
        usedforsecurity=False,
    ).hexdigest()[:10]
    note = f"proposed in the workshop by {display_name}" + (
        f": {proposal.note}" if proposal.note else ""
    )
    return Finding(
        id=f"workshop:{digest}",
        kind=proposal.kind,
        topic=proposal.topic,
        sector=proposal.sector,
        text=proposal.text,
        threshold="local knowledge (workshop)",
        confidence=0.5,
        origin="local_knowledge",
        status="proposed",
        note=note,
    )


def _iso(value: datetime | None) -> str | None:
    return value.isoformat(timespec="seconds") if value is not None else None


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def workshop_report(
    workshop: Workshop,
    participants: Sequence[Participant],
    scores: Iterable[ParticipantScore],
    proposals: Sequence[Proposal],
    summary: WorkshopSummary,
    *,
    applied: bool = False,
) -> dict[str, Any]:
    """The workshop's results as plain JSON for ``StrategySession.workshop`` and the exports.

    Flat records (lists of dicts of scalars) because the export writers render any such list as
    a table. ``participants`` shows display names only (never tokens) and whether each scored;
    ``aggregated_scores`` the median and spread per option and criterion next to the
    facilitator's score; ``disagreements`` the most contested cells; ``ranking`` the
    workshop's ranking against the facilitator's; ``contributions`` every proposed finding.
    """
    scores = list(scores)
    cells_per_person: dict[str, int] = {}
    wanted = set(workshop.cells)
    for s in scores:
        if (s.option_id, s.criterion_id) in wanted:
            cells_per_person[s.participant_id] = cells_per_person.get(s.participant_id, 0) + 1
    names = {p.id: p.display_name for p in participants}

    def scored(pid: str) -> str:
        done = cells_per_person.get(pid, 0)
        if done == 0:
            return "not yet"
        return "completely" if done >= len(wanted) else f"partly ({done} of {len(wanted)})"

    return {
        "summary": {
            "join_code": workshop.code,
            "status": workshop.status,
            "started": _iso(workshop.created_at),
            "closed": _iso(workshop.closed_at),
            "participants": summary.n_participants,
            "scored_completely": summary.n_complete,
            "scored_partly": summary.n_partial,
            "options_scored": len(workshop.options),
            "criteria": len(workshop.criteria),
            "applied_to_appraisal": applied,
            "quartile_method": "linear interpolation (numpy / R type 7, Excel QUARTILE.INC)",
        },
        "participants": [
            {"name": p.display_name, "joined": _iso(p.joined_at), "scored": scored(p.id)}
            for p in participants
        ],
        "aggregated_scores": [
            {
                "option": workshop.option_name(c.option_id),
                "criterion": workshop.criterion_label(c.criterion_id),
                "n": c.n,
                "median": _round(c.median),
                "lower_quartile": _round(c.q1),
                "upper_quartile": _round(c.q3),
                "iqr": _round(c.iqr),
                "min": _round(c.min),
                "max": _round(c.max),
                "facilitator_score": _round(c.facilitator),
            }
            for c in summary.cells
        ],
        "disagreements": [
            {
                "option": workshop.option_name(c.option_id),
                "criterion": workshop.criterion_label(c.criterion_id),
                "iqr": _round(c.iqr),
                "min": _round(c.min),
                "max": _round(c.max),
                "n": c.n,
                "notes": " | ".join(c.notes),
            }
            for c in summary.disagreements
        ],
        "ranking": [
            {
                "option": r.name,
                "workshop_rank": r.workshop_rank,
                "workshop_score": _round(r.workshop_total),
                "facilitator_rank": r.facilitator_rank,
                "facilitator_score": _round(r.facilitator_total),
            }
            for r in summary.ranking
        ],
        "contributions": [
            {
                "participant": names.get(p.participant_id, "(unknown)"),
                "kind": p.kind,
                "topic": p.topic,
                "sector": p.sector or "",
                "text": p.text,
                "note": p.note,
                "submitted": _iso(p.created_at),
            }
            for p in proposals
        ],
    }
