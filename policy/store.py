"""SQLite store for strategy sessions, so a refresh, a crash or a server restart loses nothing.

One embedded file (default ``.policymix/policymix.sqlite3``, or ``$POLICYMIX_DB``). Sessions are
stored as their JSON (the same text as the export), with the schema version in its own column.
Writes are single transactions; a row that fails to parse on load is reported, never silently
replaced.
"""

from __future__ import annotations

import os
import sqlite3
import uuid
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path

from policy.session import StrategySession, session_from_json, session_to_json

SCHEMA = """
CREATE TABLE IF NOT EXISTS sessions (
    session_id TEXT PRIMARY KEY,
    schema_version INTEGER NOT NULL,
    title TEXT NOT NULL,
    area_code TEXT,
    updated_at TEXT NOT NULL,
    body TEXT NOT NULL
);
"""


def default_db_path() -> Path:
    env = os.environ.get("POLICYMIX_DB")
    if env:
        return Path(env)
    home = Path(os.environ.get("POLICYMIX_HOME", Path.cwd() / ".policymix"))
    return home / "policymix.sqlite3"


class SessionStore:
    def __init__(self, path: str | Path | None = None) -> None:
        self.path = Path(path) if path is not None else default_db_path()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with closing(self._connect()) as con, con:
            con.executescript(SCHEMA)

    def _connect(self) -> sqlite3.Connection:
        con = sqlite3.connect(self.path, timeout=10)
        con.execute("PRAGMA journal_mode=WAL")
        return con

    def save(self, session: StrategySession) -> str:
        """Insert or update; gives the session an id on first save."""
        if not session.session_id:
            session.session_id = uuid.uuid4().hex[:12]
        body = session_to_json(session)
        now = datetime.now(UTC).isoformat(timespec="seconds")
        with closing(self._connect()) as con, con:
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
        with closing(self._connect()) as con:
            row = con.execute("SELECT body FROM sessions WHERE session_id = ?",
                              (session_id,)).fetchone()
        if row is None:
            raise KeyError(f"no saved session with id {session_id!r} in {self.path}")
        return session_from_json(row[0], source=f"{self.path} session {session_id}")

    def list(self) -> list[dict[str, str]]:
        with closing(self._connect()) as con:
            rows = con.execute(
                "SELECT session_id, title, area_code, updated_at FROM sessions "
                "ORDER BY updated_at DESC").fetchall()
        return [dict(zip(("session_id", "title", "area_code", "updated_at"), r, strict=True))
                for r in rows]

    def delete(self, session_id: str) -> None:
        with closing(self._connect()) as con, con:
            con.execute("DELETE FROM sessions WHERE session_id = ?", (session_id,))
