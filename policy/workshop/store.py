"""SQLite storage for workshops: participants, their scores and proposals, in the session file.

The tables live in the same database file as :class:`policy.storage.SessionStore` (same path
logic: ``$POLICYMIX_DB``, else ``$POLICYMIX_HOME/policymix.sqlite3``), so one file holds a
strategy session and everything its workshop contributed; a backup of that file is a backup of
both. Every participant's browser and the facilitator's live view are separate Streamlit
sessions, possibly separate server processes after a restart: they share nothing but this
file, which is why every read goes to SQLite and every write is one transaction (WAL mode lets
the live view read while participants write).

Security model, deliberately simple: a participant is identified by a random secret token
(``secrets.token_urlsafe``) handed out when they join and kept in their URL. Only a hash of the
token is stored, so the database file (or an export) never holds a usable token. Scores and
proposals are written *only* through a token and always under the token's own participant:
there is no API that writes a score for a participant id, so nobody can change another's
scores. The join code only lets people join; it is not a credential for anything else.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import uuid
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from policy.session import StrategySession
from policy.storage import Database, Settings
from policy.workshop.room import (
    CODE_LENGTH,
    Participant,
    ParticipantScore,
    Proposal,
    ScoreInput,
    Workshop,
    WorkshopClosed,
    WorkshopCriterion,
    WorkshopError,
    WorkshopOption,
    clean_display_name,
    new_join_code,
    normalise_code,
    now_utc,
)

if TYPE_CHECKING:
    import sqlite3

__all__ = ["NotAParticipant", "UnknownWorkshop", "WorkshopStore"]

SCHEMA = """
CREATE TABLE IF NOT EXISTS workshops (
    code TEXT PRIMARY KEY,
    session_id TEXT NOT NULL,
    created_at TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('open', 'closed')),
    closed_at TEXT,
    options TEXT NOT NULL,
    criteria TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS workshops_by_session ON workshops (session_id, created_at);
CREATE TABLE IF NOT EXISTS workshop_participants (
    id TEXT PRIMARY KEY,
    code TEXT NOT NULL REFERENCES workshops (code) ON DELETE CASCADE,
    display_name TEXT NOT NULL,
    name_key TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    joined_at TEXT NOT NULL,
    UNIQUE (code, name_key)
);
CREATE TABLE IF NOT EXISTS workshop_scores (
    code TEXT NOT NULL REFERENCES workshops (code) ON DELETE CASCADE,
    participant_id TEXT NOT NULL REFERENCES workshop_participants (id) ON DELETE CASCADE,
    option_id TEXT NOT NULL,
    criterion_id TEXT NOT NULL,
    value REAL NOT NULL CHECK (value >= 0 AND value <= 100),
    note TEXT NOT NULL DEFAULT '',
    updated_at TEXT NOT NULL,
    PRIMARY KEY (code, participant_id, option_id, criterion_id)
);
CREATE TABLE IF NOT EXISTS workshop_join_log (
    client_hash TEXT NOT NULL,
    code TEXT NOT NULL,
    joined_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS workshop_join_log_by_client ON workshop_join_log (client_hash,
                                                                            joined_at);
CREATE TABLE IF NOT EXISTS workshop_proposals (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    code TEXT NOT NULL REFERENCES workshops (code) ON DELETE CASCADE,
    participant_id TEXT NOT NULL REFERENCES workshop_participants (id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    topic TEXT NOT NULL,
    sector TEXT,
    text TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL
);
"""

_CODE_ATTEMPTS = 20
_WORKSHOP_COLUMNS = ("code, session_id, created_at, status, closed_at, options, criteria, "
                     "expires_at")


class UnknownWorkshop(WorkshopError):
    """No workshop with that join code (mistyped, or from another database)."""


class NotAParticipant(WorkshopError, PermissionError):
    """The token does not belong to a participant of this workshop: nothing is written."""


def _hash_token(token: str) -> str:
    """SHA-256 of the token: the tokens are long and random, so no salt is needed."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _ts(value: datetime) -> str:
    return value.isoformat(timespec="seconds")


class WorkshopStore:
    """Workshops in SQLite; a new object on the same file sees everything (server restarts)."""

    def __init__(self, path: str | Path | None = None, settings: Settings | None = None) -> None:
        self.settings = settings or Settings.from_env()
        """The caps (participants, joins a minute per workshop and per client, hours open)."""
        self.db = Database(path)
        self.path = self.db.path
        # every statement is IF NOT EXISTS, so a second store on the same file changes nothing.
        self.db.create(SCHEMA)
        self.db.add_column("workshops", "expires_at", "TEXT")

    @staticmethod
    def _workshop_row(con: sqlite3.Connection, code: str) -> tuple | None:
        return con.execute(
            f"SELECT {_WORKSHOP_COLUMNS} FROM workshops WHERE code = ?",
            (code,),
        ).fetchone()

    @staticmethod
    def _to_workshop(row: tuple) -> Workshop:
        code, session_id, created_at, status, closed_at, options, criteria, expires = row
        return Workshop(
            expires_at=datetime.fromisoformat(expires) if expires else None,
            code=code,
            session_id=session_id,
            created_at=datetime.fromisoformat(created_at),
            status=status,
            closed_at=datetime.fromisoformat(closed_at) if closed_at else None,
            options=[WorkshopOption.model_validate(o) for o in json.loads(options)],
            criteria=[WorkshopCriterion.model_validate(c) for c in json.loads(criteria)],
        )

    def _require(self, con: sqlite3.Connection, code: str) -> Workshop:
        row = self._workshop_row(con, normalise_code(code))
        if row is None:
            raise UnknownWorkshop(
                f"no workshop with join code '{normalise_code(code)}': check the code with the "
                "facilitator", column="join_code", item=normalise_code(code)[:20]
            )
        return self._to_workshop(row)

    def _participant_for(
        self, con: sqlite3.Connection, code: str, token: str | None
    ) -> Participant:
        row = None
        if token:
            row = con.execute(
                "SELECT id, display_name, joined_at FROM workshop_participants "
                "WHERE code = ? AND token_hash = ?",
                (code, _hash_token(token)),
            ).fetchone()
        if row is None:
            raise NotAParticipant(
                f"this link does not identify a participant of workshop '{code}': join again "
                "with your name", column="token", item=code
            )
        return Participant(id=row[0], display_name=row[1], joined_at=datetime.fromisoformat(row[2]))

    # -- facilitator -------------------------------------------------------------------------

    def start_workshop(self, session: StrategySession) -> Workshop:
        """Open a workshop on the session's short list; refuses a session not ready for one.

        Needs a saved session (its id links the workshop back), an area, and a short list with
        at least one option besides business as usual: scoring BAU alone compares nothing.
        """
        if not session.session_id:
            raise WorkshopError("save the session first: a workshop is linked to its session id")
        if session.area_code is None:
            raise WorkshopError("choose an area first: a workshop appraises one place's options")
        state = session.appraisal
        probe = Workshop.from_appraisal("X" * CODE_LENGTH, session.session_id, state,
                                        hours=self.settings.workshop_hours)
        if not any(not o.is_baseline for o in probe.options):
            raise WorkshopError(
                "the short list has no option besides business as usual: build the options "
                "(Policy mix step) or keep at least one on the short list before starting a "
                "workshop"
            )
        if not probe.criteria:
            raise WorkshopError("the appraisal has no criteria to score")
        with self.db.transaction() as con:
            for _ in range(_CODE_ATTEMPTS):
                code = new_join_code()
                if self._workshop_row(con, code) is None:
                    break
            else:  # pragma: no cover - 887 million codes; only a broken RNG gets here
                raise WorkshopError("could not find an unused join code; try again")
            workshop = probe.model_copy(update={"code": code})
            con.execute(
                "INSERT INTO workshops (code, session_id, created_at, status, closed_at, options,"
                " criteria, expires_at) VALUES (?, ?, ?, 'open', NULL, ?, ?, ?)",
                (
                    code,
                    workshop.session_id,
                    _ts(workshop.created_at),
                    json.dumps([o.model_dump() for o in workshop.options]),
                    json.dumps([c.model_dump() for c in workshop.criteria]),
                    _ts(workshop.expires_at) if workshop.expires_at else None,
                ),
            )
        return workshop

    def get_workshop(self, code: str) -> Workshop | None:
        """The workshop with this join code (case and spaces ignored), or None."""
        with self.db.reader() as con:
            row = self._workshop_row(con, normalise_code(code))
        return self._to_workshop(row) if row is not None else None

    def workshops_for_session(self, session_id: str) -> list[Workshop]:
        """A session's workshops, newest first: the facilitator's page finds its workshop again
        after a refresh or a server restart from the session id alone."""
        with self.db.reader() as con:
            rows = con.execute(
                f"SELECT {_WORKSHOP_COLUMNS} FROM workshops WHERE session_id = ? "
                "ORDER BY created_at DESC, rowid DESC",
                (session_id,),
            ).fetchall()
        return [self._to_workshop(r) for r in rows]

    def close(self, code: str) -> Workshop:
        """Close scoring: from now on scores and proposals are refused (idempotent)."""
        return self._set_status(code, "closed")

    def reopen(self, code: str) -> Workshop:
        """Undo a close made by mistake, or give an expired workshop another
        ``settings.workshop_hours``; scores given before are kept."""
        return self._set_status(code, "open")

    def _set_status(self, code: str, status: str) -> Workshop:
        with self.db.transaction() as con:
            workshop = self._require(con, code)
            if workshop.status != status:
                con.execute(
                    "UPDATE workshops SET status = ?, closed_at = ? WHERE code = ?",
                    (status, _ts(now_utc()) if status == "closed" else None, workshop.code),
                )
            if status == "open" and (workshop.status != "open" or workshop.expired):
                con.execute("UPDATE workshops SET expires_at = ? WHERE code = ?",
                            (_ts(now_utc() + timedelta(hours=self.settings.workshop_hours)),
                             workshop.code))
            row = self._workshop_row(con, workshop.code)
        return self._to_workshop(row)

    def participants(self, code: str) -> list[Participant]:
        """Everyone who joined, in joining order (display names, never tokens)."""
        with self.db.reader() as con:
            rows = con.execute(
                "SELECT id, display_name, joined_at FROM workshop_participants WHERE code = ? "
                "ORDER BY joined_at, rowid",
                (normalise_code(code),),
            ).fetchall()
        return [
            Participant(id=r[0], display_name=r[1], joined_at=datetime.fromisoformat(r[2]))
            for r in rows
        ]

    def scores(self, code: str) -> list[ParticipantScore]:
        """Every participant's scores in the workshop (for aggregation; not for participants)."""
        with self.db.reader() as con:
            rows = con.execute(
                "SELECT participant_id, option_id, criterion_id, value, note FROM workshop_scores "
                "WHERE code = ? ORDER BY participant_id, option_id, criterion_id",
                (normalise_code(code),),
            ).fetchall()
        return [
            ParticipantScore(
                participant_id=r[0], option_id=r[1], criterion_id=r[2], value=r[3], note=r[4]
            )
            for r in rows
        ]

    def proposals(self, code: str) -> list[Proposal]:
        """Every proposed finding, oldest first."""
        with self.db.reader() as con:
            rows = con.execute(
                "SELECT participant_id, kind, topic, sector, text, note, created_at "
                "FROM workshop_proposals WHERE code = ? ORDER BY id",
                (normalise_code(code),),
            ).fetchall()
        return [self._proposal(r) for r in rows]

    @staticmethod
    def _proposal(r: tuple) -> Proposal:
        return Proposal(
            participant_id=r[0],
            kind=r[1],
            topic=r[2],
            sector=r[3],
            text=r[4],
            note=r[5],
            created_at=datetime.fromisoformat(r[6]),
        )

    # -- participants ------------------------------------------------------------------------

    def join(self, code: str, display_name: str,
             client: str | None = None) -> tuple[Participant, str]:
        """Join an open workshop; returns the participant and their secret token.

        The token is returned once and never stored in clear: keep it (the app puts it in the
        participant's URL). Display names are trimmed, 1-40 characters, and unique within the
        workshop (case-insensitive) so the facilitator's tables are unambiguous. ``client``
        names where the join comes from (:func:`policy.workshop.address.client_key`); one
        client's joins are limited over all workshops (only its hash is stored).
        """
        name = clean_display_name(display_name)
        token = secrets.token_urlsafe(24)
        participant = Participant(id=uuid.uuid4().hex[:12], display_name=name, joined_at=now_utc())
        with self.db.transaction() as con:
            workshop = self._require(con, code)
            if not workshop.is_open:
                raise WorkshopClosed(f"workshop '{workshop.code}' is {workshop.state_label}: it "
                                     "takes no new joins")
            self._check_room(con, workshop.code)
            if client:
                self._check_client(con, client)
            taken = con.execute(
                "SELECT 1 FROM workshop_participants WHERE code = ? AND name_key = ?",
                (workshop.code, name.casefold()),
            ).fetchone()
            if taken:
                raise WorkshopError(
                    f"the name '{name}' is already taken in this workshop: if that is you, open "
                    "your personal link again; otherwise add an initial or your organisation",
                    column="display_name", item=workshop.code
                )
            con.execute(
                "INSERT INTO workshop_participants (id, code, display_name, name_key, token_hash,"
                " joined_at) VALUES (?, ?, ?, ?, ?, ?)",
                (participant.id, workshop.code, name, name.casefold(), _hash_token(token),
                 _ts(participant.joined_at)),
            )
            if client:
                con.execute("INSERT INTO workshop_join_log (client_hash, code, joined_at) "
                            "VALUES (?, ?, ?)", (_hash_token(client), workshop.code,
                                                 _ts(participant.joined_at)))
        return participant, token

    def _check_room(self, con: sqlite3.Connection, code: str) -> None:
        """Refuse a join past the cap or the rate (read inside the join's write lock)."""
        cap, rate = self.settings.workshop_max_participants, \
            self.settings.workshop_joins_per_minute
        joined = con.execute("SELECT COUNT(*) FROM workshop_participants WHERE code = ?",
                             (code,)).fetchone()[0]
        if joined >= cap:
            raise WorkshopError(
                f"workshop '{code}' is full ({cap} participants): ask the "
                "facilitator to remove someone who should not be there", column="display_name",
                item=code)
        since = _ts(now_utc() - timedelta(seconds=60))
        recent = con.execute("SELECT COUNT(*) FROM workshop_participants WHERE code = ? AND "
                             "joined_at > ?", (code, since)).fetchone()[0]
        if recent >= rate:
            raise WorkshopError(
                f"too many people joined workshop '{code}' in the last minute (at most "
                f"{rate}): wait a minute and join again", column="display_name",
                item=code)

    def _check_client(self, con: sqlite3.Connection, client: str) -> None:
        """Refuse a join when this client joined too often in the last minute, over every
        workshop (log rows older than an hour are dropped here, so the log stays small)."""
        rate = self.settings.client_joins_per_minute
        con.execute("DELETE FROM workshop_join_log WHERE joined_at < ?",
                    (_ts(now_utc() - timedelta(hours=1)),))
        if rate <= 0:
            return
        recent = con.execute("SELECT COUNT(*) FROM workshop_join_log WHERE client_hash = ? "
                             "AND joined_at > ?", (_hash_token(client),
                                                   _ts(now_utc() - timedelta(seconds=60)))
                             ).fetchone()[0]
        if recent >= rate:
            raise WorkshopError(
                f"too many joins from this device or network in the last minute (at most "
                f"{rate}): wait a minute and join again", column="display_name",
                code="client_rate")

    def remove_participant(self, code: str, participant_id: str) -> Participant:
        """The facilitator removes someone: their scores and proposals go with them, and their
        link stops working. Their name is free again."""
        with self.db.transaction() as con:
            workshop = self._require(con, code)
            row = con.execute("SELECT id, display_name, joined_at FROM workshop_participants "
                              "WHERE code = ? AND id = ?", (workshop.code, participant_id)
                              ).fetchone()
            if row is None:
                raise WorkshopError(f"no participant {participant_id!r} in workshop "
                                    f"'{workshop.code}'", column="participant_id",
                                    item=participant_id)
            con.execute("DELETE FROM workshop_participants WHERE id = ?", (participant_id,))
        return Participant(id=row[0], display_name=row[1], joined_at=datetime.fromisoformat(row[2]))

    def participant_by_token(self, code: str, token: str | None) -> Participant | None:
        """The participant this token identifies in this workshop, or None."""
        with self.db.reader() as con:
            try:
                return self._participant_for(con, normalise_code(code), token)
            except NotAParticipant:
                return None

    def own_scores(self, code: str, token: str) -> list[ParticipantScore]:
        """The token holder's own scores (to pre-fill their form); nobody else's."""
        with self.db.reader() as con:
            who = self._participant_for(con, normalise_code(code), token)
            rows = con.execute(
                "SELECT option_id, criterion_id, value, note FROM workshop_scores "
                "WHERE code = ? AND participant_id = ?",
                (normalise_code(code), who.id),
            ).fetchall()
        return [
            ParticipantScore(
                participant_id=who.id, option_id=r[0], criterion_id=r[1], value=r[2], note=r[3]
            )
            for r in rows
        ]

    def own_proposals(self, code: str, token: str) -> list[Proposal]:
        """The token holder's own proposals, oldest first."""
        with self.db.reader() as con:
            who = self._participant_for(con, normalise_code(code), token)
            rows = con.execute(
                "SELECT participant_id, kind, topic, sector, text, note, created_at "
                "FROM workshop_proposals WHERE code = ? AND participant_id = ? ORDER BY id",
                (normalise_code(code), who.id),
            ).fetchall()
        return [self._proposal(r) for r in rows]

    def save_scores(
        self, code: str, token: str, scores: Iterable[ScoreInput | Mapping[str, Any]],
        unscored: Iterable[tuple[str, str]] = (),
    ) -> int:
        """Save (insert or replace) the token holder's scores; returns how many were written.

        ``unscored``: (option, criterion) cells the participant leaves "not scored"; any score
        they saved there before is removed, so the cell does not count for them.

        All or nothing, in one transaction. Refused when the workshop is closed or unknown,
        when the token is not a participant's, when an item names an option or criterion that
        is not being scored, or when an item is a ``ParticipantScore`` of someone else.
        """
        items = [_score_input(s) for s in scores]
        now = _ts(now_utc())
        with self.db.transaction() as con:
            workshop = self._require(con, code)
            who = self._participant_for(con, workshop.code, token)
            if not workshop.is_open:
                raise WorkshopClosed(f"scoring in workshop '{workshop.code}' is "
                                     f"{workshop.state_label}")
            cells = set(workshop.cells)
            for s in items:
                if isinstance(s, ParticipantScore) and s.participant_id != who.id:
                    raise NotAParticipant("a participant can only save their own scores",
                                          column="participant_id", item=s.participant_id)
                if (s.option_id, s.criterion_id) not in cells:
                    raise WorkshopError(
                        f"option '{s.option_id}' on criterion '{s.criterion_id}' is not being "
                        "scored in this workshop", item=f"{s.option_id}/{s.criterion_id}",
                        column="option_id")
            con.executemany(
                "INSERT INTO workshop_scores (code, participant_id, option_id, criterion_id, "
                "value, note, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (code, participant_id, option_id, criterion_id) DO UPDATE SET "
                "value = excluded.value, note = excluded.note, updated_at = excluded.updated_at",
                [(workshop.code, who.id, s.option_id, s.criterion_id, float(s.value), s.note, now)
                 for s in items],
            )
            con.executemany(
                "DELETE FROM workshop_scores WHERE code = ? AND participant_id = ? AND "
                "option_id = ? AND criterion_id = ?",
                [(workshop.code, who.id, o, c) for o, c in unscored if (o, c) in cells],
            )
        return len(items)

    def propose(
        self,
        code: str,
        token: str,
        *,
        kind: str,
        topic: str,
        text: str,
        note: str = "",
        sector: str | None = None,
    ) -> Proposal:
        """Record a finding the token holder proposes; refused when closed or not a participant."""
        with self.db.transaction() as con:
            workshop = self._require(con, code)
            who = self._participant_for(con, workshop.code, token)
            if not workshop.is_open:
                raise WorkshopClosed(f"workshop '{workshop.code}' is {workshop.state_label}: no "
                                     "more proposals")
            try:
                proposal = Proposal(
                    participant_id=who.id, kind=kind, topic=topic, sector=sector, text=text,
                    note=note, created_at=now_utc(),
                )
            except ValueError as exc:  # pydantic's ValidationError is a ValueError
                raise WorkshopError(f"the proposal is incomplete: {_first_error(exc)}",
                                    column=_first_loc(exc), item=workshop.code) from None
            con.execute(
                "INSERT INTO workshop_proposals (code, participant_id, kind, topic, sector, text,"
                " note, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (workshop.code, who.id, proposal.kind, proposal.topic, proposal.sector,
                 proposal.text, proposal.note, _ts(proposal.created_at)),
            )
        return proposal


def _score_input(item: ScoreInput | Mapping[str, Any]) -> ScoreInput:
    """A score to save; a mapping that names a participant keeps that name, to be checked."""
    if isinstance(item, ScoreInput):
        return item
    try:
        if isinstance(item, Mapping) and "participant_id" in item:
            return ParticipantScore.model_validate(item)
        return ScoreInput.model_validate(item)
    except ValueError as exc:  # pydantic's ValidationError is a ValueError
        where = (item.get("option_id"), item.get("criterion_id")) \
            if isinstance(item, Mapping) else (None, None)
        raise WorkshopError(f"the score is not usable: {_first_error(exc)}", column="value",
                            item="/".join(str(w) for w in where if w), code="bad_score") from None


def _first_loc(exc: ValueError) -> str | None:
    errors = getattr(exc, "errors", None)
    if callable(errors) and errors():
        return ".".join(str(p) for p in errors()[0]["loc"]) or None
    return None


def _first_error(exc: ValueError) -> str:
    errors = getattr(exc, "errors", None)
    if callable(errors):
        err = errors()[0]
        where = ".".join(str(p) for p in err["loc"])
        return f"{where}: {err['msg']}"
    return str(exc)
