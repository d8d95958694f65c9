"""Where policymix keeps things, and the one owner of its SQLite file.

:class:`Settings` reads the environment in one place: ``$POLICYMIX_HOME`` (default
``./.policymix``) holds the database and the uploads; ``$POLICYMIX_DB`` overrides the database
path. :class:`Database` owns the connections to one SQLite file (WAL, foreign keys, a busy
timeout, write transactions that take the lock up front); nothing else in the project touches
``sqlite3``. The session store (:class:`SessionStore`, here) and the workshop store
(:class:`policy.workshop.store.WorkshopStore`) both work through a :class:`Database`, so one file
holds a session and its workshops and one set of rules governs how it is opened.

Sessions are stored as their JSON (the same text as the export), with the schema version in its
own column. A row that fails to parse on load is reported, never silently replaced.

Access: a session's id is a public reference (workshops and exports name it); opening one from
an address needs its *key*, a random secret (``secrets.token_urlsafe``) handed out when the
session is created (:meth:`SessionStore.create`) or issued on the server
(:meth:`SessionStore.issue_key`). Only the key's SHA-256 is stored, so the database file never
holds a usable key; a wrong key and an unknown id get the same refusal, so ids cannot be probed.

Two tabs on one session: every row carries a ``revision``; :meth:`SessionStore.commit` writes
only when the revision the tab loaded is still the stored one, and refuses a stale save
(:class:`StaleSession`) so the other tab's work is never overwritten.
:meth:`SessionStore.commit_merging` (what the app uses) first tries a three-way merge against
the version the tab started from, and refuses only a real conflict.
"""

from __future__ import annotations

import hashlib
import io
import os
import secrets
import sqlite3
import time
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from evidence.problems import Problem, ProblemError
from evidence.service import FULL_DEMO, split_source
from evidence.sources.limits import UploadLimits, check_upload
from evidence.sources.samples import SAMPLE_PREFIX, SAMPLES
from policy.session import (
    Merge,
    SessionError,
    StrategySession,
    merge_sessions,
    open_session_json,
    session_from_json,
    session_save_problems,
    session_to_json,
)

__all__ = ["AccessDenied", "Database", "SessionStore", "Settings", "StaleSession",
           "StorageError", "default_db_path", "hash_secret", "new_secret"]

SECRET_BYTES = 24
"""Keys and tokens carry 192 random bits (32 URL-safe characters): not guessable, not listable."""


def new_secret() -> str:
    """A fresh random secret for an address (session keys, participant tokens)."""
    return secrets.token_urlsafe(SECRET_BYTES)


def hash_secret(secret: str) -> str:
    """SHA-256 of a secret: they are long and random, so no salt is needed."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


class StorageError(ProblemError):
    """The database could not be read or written (locked past the timeout, disk full, a file
    that is not a database); nothing was changed by the refused write."""

    def __init__(self, path: Path, exc: BaseException) -> None:
        super().__init__([Problem(file=str(path), message=f"the session store failed: {exc}",
                                  code="storage")])


class AccessDenied(ProblemError, PermissionError):
    """No session with that id and key: a wrong key and an unknown id look the same."""

    def __init__(self, session_id: str) -> None:
        super().__init__([Problem(item=session_id, code="access_denied", message=(
            "no saved session matches this address and key: open the full address you were "
            "given (with its key), or ask whoever created the session to share it"))])


class StaleSession(ProblemError):
    """Another tab or person saved this session since it was loaded: this save is refused
    (when merging was tried, ``conflicts`` names the fields both sides changed)."""

    def __init__(self, session_id: str, expected: int, stored: int,
                 conflicts: list[str] | None = None) -> None:
        self.expected, self.stored = expected, stored
        self.conflicts = list(conflicts or [])
        both = (f" Both changed: {', '.join(self.conflicts[:8])}." if self.conflicts else "")
        super().__init__([Problem(item=session_id, code="stale_revision",
                                  column=self.conflicts[0] if self.conflicts else "revision",
                                  message=(
            f"this session was saved elsewhere (another tab?) since you opened it: you have "
            f"revision {expected}, the store has {stored}.{both} Your change was not saved"))])


@dataclass(frozen=True)
class Limit:
    """One limit a shared server may set: its environment variable, default and meaning (the
    README's "Running on a shared server" table lists these, checked by tests/test_docs.py)."""

    field: str
    env: str
    default: int
    meaning: str


LIMITS = (
    Limit("upload_max_mb", "POLICYMIX_UPLOAD_MAX_MB", 500,
          "largest upload, in MB (Streamlit's own server.maxUploadSize, 500 in "
          ".streamlit/config.toml, must be at least this)"),
    Limit("upload_max_unpacked_mb", "POLICYMIX_UPLOAD_MAX_UNPACKED_MB", 1000,
          "largest upload once unpacked (gzip, or the parts of an XLSX), in MB"),
    Limit("upload_max_rows", "POLICYMIX_UPLOAD_MAX_ROWS", 5_000_000,
          "most lines (or Parquet rows) in an upload; the full national demo has 2.2 million"),
    Limit("upload_days", "POLICYMIX_UPLOAD_DAYS", 30,
          "uploads older than this many days are deleted (on start and on every upload; 0 "
          "keeps them); a session that used one opens with its data source set aside and "
          "named"),
    Limit("session_max_mb", "POLICYMIX_SESSION_MAX_MB", 20,
          "largest session file opened or saved, in MB (a session is a few hundred kB)"),
    Limit("workshop_max_participants", "POLICYMIX_WORKSHOP_MAX_PARTICIPANTS", 60,
          "most participants in one workshop"),
    Limit("workshop_joins_per_minute", "POLICYMIX_WORKSHOP_JOINS_PER_MINUTE", 30,
          "most joins to one workshop in any 60 seconds"),
    Limit("client_joins_per_minute", "POLICYMIX_CLIENT_JOINS_PER_MINUTE", 20,
          "most joins from one client (see below) in any 60 seconds, over all workshops; 0 "
          "turns the per-client limit off"),
    Limit("workshop_hours", "POLICYMIX_WORKSHOP_HOURS", 24,
          "an open workshop stops taking joins, scores and proposals this many hours after it "
          "starts or is reopened"),
    Limit("trust_proxy", "POLICYMIX_TRUST_PROXY", 0,
          "1: the server sits behind a proxy that sets X-Forwarded-For, so the client is the "
          "address the proxy saw; 0: the address of the connection itself"),
)
"""Every limit, its environment variable and its default, in one place."""


class SettingsError(ProblemError):
    """An environment variable that does not hold a usable value: the server does not start
    on a guess."""


def _env_int(limit: Limit) -> int:
    raw = os.environ.get(limit.env, "").strip()
    if not raw:
        return limit.default
    try:
        value = int(raw.replace("_", ""))
    except ValueError:
        value = -1
    if value < 0 or value > 10**12:
        raise SettingsError([Problem(column=limit.env, code="bad_setting", message=(
            f"{limit.env}={raw[:40]!r} is not a whole number of 0 or more (default "
            f"{limit.default}: {limit.meaning})"))])
    return value


@dataclass(frozen=True)
class Settings:
    """Paths policymix writes to and the limits of a shared server, read from the environment
    by :meth:`from_env` (one field a :data:`LIMITS` entry; the defaults are theirs)."""

    home: Path
    db_path: Path
    upload_max_mb: int = 500
    upload_max_unpacked_mb: int = 1000
    upload_max_rows: int = 5_000_000
    upload_days: int = 30
    session_max_mb: int = 20
    workshop_max_participants: int = 60
    workshop_joins_per_minute: int = 30
    client_joins_per_minute: int = 20
    workshop_hours: int = 24
    trust_proxy: int = 0

    @classmethod
    def from_env(cls) -> Settings:
        home = Path(os.environ.get("POLICYMIX_HOME", Path.cwd() / ".policymix"))
        db = os.environ.get("POLICYMIX_DB")
        return cls(home=home, db_path=Path(db) if db else home / "policymix.sqlite3",
                   **{limit.field: _env_int(limit) for limit in LIMITS})

    @property
    def session_max_bytes(self) -> int:
        return self.session_max_mb * 1_000_000

    @property
    def upload_limits(self) -> UploadLimits:
        return UploadLimits(max_bytes=self.upload_max_mb * 1_000_000,
                            max_unpacked_bytes=self.upload_max_unpacked_mb * 1_000_000,
                            max_rows=self.upload_max_rows)

    @property
    def upload_dir(self) -> Path:
        """Where uploaded data files are kept (created on first use)."""
        path = self.home / "uploads"
        path.mkdir(parents=True, exist_ok=True)
        return path

    def keep_upload(self, name: str, data: bytes) -> Path:
        """Check an upload against the caps (:func:`evidence.sources.limits.check_upload`:
        raises a DataError naming ``name`` and the limit, and writes nothing), keep it in
        :attr:`upload_dir` under its content hash, and expire old uploads."""
        check_upload(name, io.BytesIO(data), len(data), self.upload_limits)
        digest = hashlib.sha256(data).hexdigest()[:16]
        safe = "".join(ch for ch in Path(name).name if ch.isalnum() or ch in "._-")[:60]
        path = self.upload_dir / f"{digest}-{safe or 'data'}"
        path.write_bytes(data)  # the same file uploaded again: its age starts again
        self.expire_uploads()
        return path

    def expire_uploads(self, now: float | None = None) -> list[Path]:
        """Delete uploads last written more than :attr:`upload_days` days ago (0 keeps them);
        returns what was deleted. Run on start and on every upload."""
        if self.upload_days <= 0:
            return []
        cutoff = (time.time() if now is None else now) - self.upload_days * 86_400
        gone = []
        for path in self.upload_dir.iterdir():
            try:
                if path.is_file() and path.stat().st_mtime < cutoff:
                    path.unlink()
                    gone.append(path)
            except OSError:  # another process removed it first
                continue
        return gone

    def source_problem(self, source: str | None, field: str = "data_source") -> Problem | None:
        """Why a session may not read this data file on this server, or None if it may.

        Allowed: nothing (the bundled demo), ``demo:full``, ``sample:<name>`` of a bundled
        sample, and a file in this server's :attr:`upload_dir` (where the app keeps what users
        upload). Any other path - ``/etc/passwd``, a directory, another deployment's files - is
        refused, so a session file cannot make the server read what it should not.
        """
        if source is None or source == FULL_DEMO:
            return None
        if source.startswith(SAMPLE_PREFIX):
            name = source[len(SAMPLE_PREFIX):]
            if name in SAMPLES:
                return None
            return Problem(column=field, code="unknown_sample", message=(
                f"unknown sample {name!r}; available: {', '.join(sorted(SAMPLES))}"))
        try:  # a NOMIS file's status rides on the path (``file::status=Employees``)
            path = Path(split_source(source)[0]).resolve()
            inside = path.is_relative_to(self.upload_dir.resolve()) and path.is_file()
        except (OSError, ValueError):
            inside = False
        if inside:
            return None
        if self._was_upload(source):
            kept = f"{self.upload_days} days" if self.upload_days else "a while"
            shown = Path(split_source(source)[0]).name.split("-", 1)[-1][:80]
            return Problem(column=field, code="upload_expired", message=(
                f"the uploaded file {shown!r} is no longer on "
                f"this server (uploads are kept {kept}, POLICYMIX_UPLOAD_DAYS); upload it "
                "again on the Data page"))
        return Problem(column=field, code="source_not_allowed", message=(
            f"{source[:200]!r} is not a data file this server may read: only the bundled demo, "
            "demo:full, a bundled sample or a file uploaded here; upload the file on the Data "
            "page"))

    def _was_upload(self, source: str) -> bool:
        """A path in the upload folder, named as :meth:`keep_upload` names files, that is gone."""
        try:
            path = Path(split_source(source)[0]).resolve()
            return path.parent == self.upload_dir.resolve() and not path.exists() \
                and len(path.name.split("-", 1)[0]) == 16
        except (OSError, ValueError):
            return False

    def set_aside_sources(self, session: StrategySession) -> list[Problem]:
        """Move a data or GVA source this server may not read into the session's set-aside
        parts (the session falls back to the bundled demo; the rest is kept) and say so."""
        problems = []
        for field in ("data_source", "gva_source", "lookup_source"):
            problem = self.source_problem(getattr(session, field), field)
            if problem is not None:
                session.set_aside[field] = {"value": getattr(session, field),
                                            "problem": f"set aside: {problem.message}"}
                setattr(session, field, None)
                problems.append(problem)
        kept = []
        for source in session.context_sources:
            problem = self.source_problem(source, "context_sources")
            if problem is None:
                kept.append(source)
                continue
            session.set_aside.setdefault("context_sources", {"value": [], "problem": ""})
            session.set_aside["context_sources"]["value"].append(source)
            session.set_aside["context_sources"]["problem"] = f"set aside: {problem.message}"
            problems.append(problem)
        session.context_sources = kept
        return problems


def default_db_path() -> Path:
    """The database path the environment asks for (see :class:`Settings`)."""
    return Settings.from_env().db_path


class Database:
    """One SQLite file and the only code that opens connections to it (after datasette's
    ``Database``). Autocommit connections; :meth:`transaction` for writes, :meth:`reader` for
    reads, :meth:`create` for schema scripts."""

    def __init__(self, path: str | Path | None = None) -> None:
        self.path = Path(path) if path is not None else default_db_path()
        self.path.parent.mkdir(parents=True, exist_ok=True)

    def _connect(self) -> sqlite3.Connection:
        try:
            con = sqlite3.connect(self.path, timeout=10, isolation_level=None)
            con.execute("PRAGMA journal_mode=WAL")
            con.execute("PRAGMA foreign_keys=ON")
        except sqlite3.Error as exc:
            raise StorageError(self.path, exc) from None
        return con

    def create(self, schema: str) -> None:
        """Run a schema script (``CREATE ... IF NOT EXISTS``); executescript manages its own
        transaction, so it runs outside :meth:`transaction`."""
        con = self._connect()
        try:
            con.executescript(schema)
        except sqlite3.Error as exc:
            raise StorageError(self.path, exc) from None
        finally:
            con.close()

    def add_column(self, table: str, column: str, decl: str) -> None:
        """Add a column to a table made by an older version (a no-op when it is there)."""
        with self.reader() as con:
            have = {r[1] for r in con.execute(f"PRAGMA table_info({table})")}
        if column not in have:
            try:
                with self.transaction() as con:
                    con.execute(f"ALTER TABLE {table} ADD COLUMN {column} {decl}")
            except StorageError:  # another process added it first
                with self.reader() as con:
                    if column not in {r[1] for r in con.execute(f"PRAGMA table_info({table})")}:
                        raise

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction, taken with the write lock up front (BEGIN IMMEDIATE) so a
        check (is the workshop open? whose token is this?) and the write it guards cannot be
        separated by another writer. A database failure is a :class:`StorageError` and the
        transaction is rolled back: the caller can say "not saved" and mean it."""
        con = self._connect()
        try:
            con.execute("BEGIN IMMEDIATE")
            try:
                yield con
            except BaseException:
                con.execute("ROLLBACK")
                raise
            con.execute("COMMIT")
        except sqlite3.Error as exc:
            raise StorageError(self.path, exc) from None
        finally:
            con.close()

    @contextmanager
    def reader(self) -> Iterator[sqlite3.Connection]:
        con = self._connect()
        try:
            yield con
        except sqlite3.Error as exc:
            raise StorageError(self.path, exc) from None
        finally:
            con.close()


SESSIONS_SCHEMA = """
CREATE TABLE IF NOT EXISTS sessions (
    session_id TEXT PRIMARY KEY,
    schema_version INTEGER NOT NULL,
    title TEXT NOT NULL,
    area_code TEXT,
    updated_at TEXT NOT NULL,
    body TEXT NOT NULL,
    revision INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS session_keys (
    key_hash TEXT PRIMARY KEY,
    session_id TEXT NOT NULL REFERENCES sessions (session_id) ON DELETE CASCADE,
    created_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS session_keys_by_session ON session_keys (session_id);
"""

_UPSERT = (
    "INSERT INTO sessions (session_id, schema_version, title, area_code, updated_at, body, "
    "revision) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(session_id) DO UPDATE SET "
    "schema_version=excluded.schema_version, title=excluded.title, "
    "area_code=excluded.area_code, updated_at=excluded.updated_at, body=excluded.body, "
    "revision=excluded.revision")


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class SessionStore:
    """Strategy sessions in SQLite, so a refresh, a crash or a server restart loses nothing.

    :meth:`save` and :meth:`load` are the trusted, server-side calls (the command line, tests,
    a facilitator's own page); an address from a browser goes through :meth:`open` with its key,
    and a browser's autosave through :meth:`commit` with the revision it loaded.
    """

    def __init__(self, path: str | Path | None = None, settings: Settings | None = None) -> None:
        self.settings = settings or Settings.from_env()
        self.db = Database(path)
        self.path = self.db.path
        self.db.create(SESSIONS_SCHEMA)
        self.db.add_column("sessions", "revision", "INTEGER NOT NULL DEFAULT 0")

    # -- trusted ---------------------------------------------------------------------------

    def save(self, session: StrategySession) -> str:
        """Insert or update, whatever is stored; gives the session an id on first save."""
        if not session.session_id:
            session.session_id = uuid.uuid4().hex[:12]
        with self.db.transaction() as con:
            self._write(con, session, self._revision(con, session.session_id) + 1)
        return session.session_id

    def load(self, session_id: str) -> StrategySession:
        return self._load(session_id)[0]

    def load_with_revision(self, session_id: str) -> tuple[StrategySession, int]:
        """The session and its stored revision, read together."""
        return self._load(session_id)

    def issue_key(self, session_id: str) -> str:
        """A new key that opens this saved session (returned once; only its hash is kept)."""
        key = new_secret()
        with self.db.transaction() as con:
            if self._revision(con, session_id) == 0:
                raise KeyError(f"no saved session with id {session_id!r} in {self.path}")
            con.execute("INSERT INTO session_keys (key_hash, session_id, created_at) "
                        "VALUES (?, ?, ?)", (hash_secret(key), session_id, _now()))
        return key

    # -- from a browser --------------------------------------------------------------------

    def create(self, session: StrategySession) -> tuple[str, str, int]:
        """Save as a new session with a fresh id and key: ``(id, key, revision)``."""
        session.session_id = uuid.uuid4().hex[:12]
        key = new_secret()
        with self.db.transaction() as con:
            self._write(con, session, 1)
            con.execute("INSERT INTO session_keys (key_hash, session_id, created_at) "
                        "VALUES (?, ?, ?)", (hash_secret(key), session.session_id, _now()))
        return session.session_id, key, 1

    def holds_key(self, session_id: str, key: str | None) -> bool:
        if not session_id or not key:
            return False
        with self.db.reader() as con:
            return con.execute("SELECT 1 FROM session_keys WHERE key_hash = ? AND "
                               "session_id = ?", (hash_secret(key), session_id)).fetchone() \
                is not None

    def open(self, session_id: str, key: str | None) -> tuple[StrategySession, int]:
        """The session and its revision, if ``key`` opens it; else :class:`AccessDenied`."""
        if not self.holds_key(session_id, key):
            raise AccessDenied(session_id)
        return self._load(session_id)

    def commit(self, session: StrategySession, expected_revision: int) -> int:
        """Save only if the stored revision is still ``expected_revision`` (0: not stored yet);
        returns the new revision, or raises :class:`StaleSession` and writes nothing."""
        with self.db.transaction() as con:
            stored = self._revision(con, session.session_id)
            if stored != expected_revision:
                raise StaleSession(session.session_id, expected_revision, stored)
            self._write(con, session, stored + 1)
        return stored + 1

    def commit_merging(self, session: StrategySession, expected_revision: int,
                       base_json: str | None) -> Merge:
        """:meth:`commit`, but a stale save is merged rather than refused when it can be.

        ``base_json`` is the session as this tab last loaded or saved it (revision
        ``expected_revision``). When another tab saved since, the three versions are merged
        (:func:`policy.session.merge_sessions`) inside the write lock; the merged session is
        written and copied into ``session`` in place, so the tab goes on from it. A real
        conflict (a field both changed differently) raises :class:`StaleSession` naming the
        fields, and nothing is written. Returns the :class:`~policy.session.Merge` with the
        new revision in ``revision``."""
        with self.db.transaction() as con:
            stored = self._revision(con, session.session_id)
            if stored == expected_revision:
                self._write(con, session, stored + 1)
                return Merge(session=session, revision=stored + 1)
            if base_json is None or stored == 0:
                raise StaleSession(session.session_id, expected_revision, stored)
            row = con.execute("SELECT body FROM sessions WHERE session_id = ?",
                              (session.session_id,)).fetchone()
            theirs, _ = open_session_json(row[0], source=f"{self.path} session",
                                          max_bytes=self.settings.session_max_bytes)
            base = session_from_json(base_json, source="this tab's base",
                                     max_bytes=self.settings.session_max_bytes)
            merge = merge_sessions(base, session, theirs)
            if merge.session is None:
                raise StaleSession(session.session_id, expected_revision, stored,
                                   merge.conflicts)
            self._write(con, merge.session, stored + 1)
        for field in StrategySession.model_fields:
            setattr(session, field, getattr(merge.session, field))
        merge.revision = stored + 1
        return merge

    def revision(self, session_id: str) -> int:
        """The stored revision (0 when the session is not stored)."""
        with self.db.reader() as con:
            return self._revision(con, session_id)

    def list(self, ids: Iterable[str] | None = None) -> list[dict[str, str]]:
        """Saved sessions, newest first; only those in ``ids`` when given (what one browser
        holds keys for: the UI never lists the whole store)."""
        with self.db.reader() as con:
            rows = con.execute(
                "SELECT session_id, title, area_code, updated_at FROM sessions "
                "ORDER BY updated_at DESC, rowid DESC").fetchall()
        wanted = None if ids is None else set(ids)
        return [dict(zip(("session_id", "title", "area_code", "updated_at"), r, strict=True))
                for r in rows if wanted is None or r[0] in wanted]

    def delete(self, session_id: str) -> None:
        with self.db.transaction() as con:
            con.execute("DELETE FROM session_keys WHERE session_id = ?", (session_id,))
            con.execute("DELETE FROM sessions WHERE session_id = ?", (session_id,))

    # -- inside ----------------------------------------------------------------------------

    @staticmethod
    def _revision(con: sqlite3.Connection, session_id: str) -> int:
        row = con.execute("SELECT revision FROM sessions WHERE session_id = ?",
                          (session_id,)).fetchone()
        return 0 if row is None else max(int(row[0]), 1)

    def _write(self, con: sqlite3.Connection, session: StrategySession, revision: int) -> None:
        problems = session_save_problems(session)
        if problems:  # saved text that could never be opened again: refuse, write nothing
            first = problems[0]
            raise SessionError(f"not saved: field '{first.column}': {first.message}",
                               column=first.column, code=first.code)
        body = session_to_json(session)
        cap = self.settings.session_max_bytes
        if len(body.encode("utf-8")) > cap:  # it could not be opened again: refuse it now
            raise SessionError(f"not saved: the session is {len(body) / 1e6:,.1f} MB, past the "
                               f"server's {cap / 1e6:,.0f} MB (POLICYMIX_SESSION_MAX_MB); "
                               "shorten the notes or findings", column="(session)",
                               code="too_big")
        con.execute(_UPSERT, (session.session_id, session.schema_version, session.title,
                              session.area_code, _now(), body, revision))

    def _load(self, session_id: str) -> tuple[StrategySession, int]:
        with self.db.reader() as con:
            row = con.execute("SELECT body, revision FROM sessions WHERE session_id = ?",
                              (session_id,)).fetchone()
        if row is None:
            raise KeyError(f"no saved session with id {session_id!r} in {self.path}")
        session, _ = open_session_json(row[0], source=f"{self.path} session {session_id}",
                                       max_bytes=self.settings.session_max_bytes)
        return session, max(int(row[1]), 1)
