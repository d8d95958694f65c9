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
"""

from __future__ import annotations

import os
import sqlite3
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from policy.session import StrategySession, session_from_json, session_to_json

__all__ = ["Database", "SessionStore", "Settings", "default_db_path"]


@dataclass(frozen=True)
class Settings:
    """Paths policymix writes to, read from the environment by :meth:`from_env`."""

    home: Path
    db_path: Path

    @classmethod
    def from_env(cls) -> Settings:
        home = Path(os.environ.get("POLICYMIX_HOME", Path.cwd() / ".policymix"))
        db = os.environ.get("POLICYMIX_DB")
        return cls(home=home, db_path=Path(db) if db else home / "policymix.sqlite3")

    @property
    def upload_dir(self) -> Path:
        """Where uploaded data files are kept (created on first use)."""
        path = self.home / "uploads"
        path.mkdir(parents=True, exist_ok=True)
        return path


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
        con = sqlite3.connect(self.path, timeout=10, isolation_level=None)
        con.execute("PRAGMA journal_mode=WAL")
        con.execute("PRAGMA foreign_keys=ON")
        return con

    def create(self, schema: str) -> None:
        """Run a schema script (``CREATE ... IF NOT EXISTS``); executescript manages its own
        transaction, so it runs outside :meth:`transaction`."""
        con = self._connect()
        try:
            con.executescript(schema)
        finally:
            con.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction, taken with the write lock up front (BEGIN IMMEDIATE) so a
        check (is the workshop open? whose token is this?) and the write it guards cannot be
        separated by another writer."""
        con = self._connect()
        try:
            con.execute("BEGIN IMMEDIATE")
            try:
                yield con
            except BaseException:
                con.execute("ROLLBACK")
                raise
            con.execute("COMMIT")
        finally:
            con.close()

    @contextmanager
    def reader(self) -> Iterator[sqlite3.Connection]:
        con = self._connect()
        try:
            yield con
        finally:
            con.close()


SESSIONS_SCHEMA = """
CREATE TABLE IF NOT EXISTS sessions (
    session_id TEXT PRIMARY KEY,
    schema_version INTEGER NOT NULL,
    title TEXT NOT NULL,
    area_code TEXT,
    updated_at TEXT NOT NULL,
    body TEXT NOT NULL
);
"""


class SessionStore:
    """Strategy sessions in SQLite, so a refresh, a crash or a server restart loses nothing."""

    def __init__(self, path: str | Path | None = None) -> None:
        self.db = Database(path)
        self.path = self.db.path
        self.db.create(SESSIONS_SCHEMA)

    def save(self, session: StrategySession) -> str:
        """Insert or update; gives the session an id on first save."""
        if not session.session_id:
            session.session_id = uuid.uuid4().hex[:12]
        body = session_to_json(session)
        now = datetime.now(UTC).isoformat(timespec="seconds")
        with self.db.transaction() as con:
            con.execute(
                "INSERT INTO sessions (session_id, schema_version, title, area_code, updated_at,"
                " body) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(session_id) DO UPDATE SET "
                "schema_version=excluded.schema_version, title=excluded.title, "
                "area_code=excluded.area_code, updated_at=excluded.updated_at, body=excluded.body",
                (session.session_id, session.schema_version, session.title, session.area_code,
                 now, body),
            )
        return session.session_id

    def load(self, session_id: str) -> StrategySession:
        with self.db.reader() as con:
            row = con.execute("SELECT body FROM sessions WHERE session_id = ?",
                              (session_id,)).fetchone()
        if row is None:
            raise KeyError(f"no saved session with id {session_id!r} in {self.path}")
        return session_from_json(row[0], source=f"{self.path} session {session_id}")

    def list(self) -> list[dict[str, str]]:
        with self.db.reader() as con:
            rows = con.execute(
                "SELECT session_id, title, area_code, updated_at FROM sessions "
                "ORDER BY updated_at DESC").fetchall()
        return [dict(zip(("session_id", "title", "area_code", "updated_at"), r, strict=True))
                for r in rows]

    def delete(self, session_id: str) -> None:
        with self.db.transaction() as con:
            con.execute("DELETE FROM sessions WHERE session_id = ?", (session_id,))
