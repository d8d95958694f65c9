"""Sessions that cannot be opened in full open with the broken part set aside (issue 13), and
data sources limited to what this server may read."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from policy.session import (
    SessionError,
    StrategySession,
    open_session_json,
    session_from_json,
    session_save_problems,
    session_to_json,
)
from policy.storage import SessionStore, Settings


def raw_session(**fields: object) -> str:
    raw = json.loads(session_to_json(StrategySession(title="Mine", area_code="E06000001",
                                                     notes="keep me")))
    raw.update(fields)
    return json.dumps(raw)


@pytest.mark.parametrize("field, value", [
    ("period_start", 10**12), ("appraisal", {"swing_weights": {"c1": None}}),
    ("custom_area", {"code": "X"}), ("admin", True), ("findings", [{"id": 1}]),
])
def test_a_broken_part_is_set_aside_and_named(field: str, value: object) -> None:
    session, problems = open_session_json(raw_session(**{field: value}), source="s.json")
    assert session.notes == "keep me" and session.title == "Mine"  # the rest opened
    assert list(session.set_aside) == [field]
    assert session.set_aside[field]["value"] == value  # kept, not lost
    assert problems and problems[0].file == "s.json" and problems[0].column.startswith(field)
    again = session_from_json(session_to_json(session))  # and it saves and reopens
    assert again.set_aside == session.set_aside
    with pytest.raises(SessionError):
        session_from_json(raw_session(**{field: value}))  # the strict reader still refuses


def test_bom_and_bytes_are_read() -> None:
    text = "\ufeff" + raw_session()
    assert session_from_json(text).title == "Mine"
    assert session_from_json(text.encode("utf-8")).title == "Mine"


def test_schema_version_true_is_refused() -> None:
    with pytest.raises(SessionError) as caught:
        session_from_json(raw_session(schema_version=True))
    assert caught.value.column == "schema_version"


def test_a_session_that_could_not_be_reopened_is_not_saved(tmp_path: Path) -> None:
    store = SessionStore(tmp_path / "db.sqlite3")
    session = StrategySession(title="x")
    session.appraisal.swing_weights["fit"] = float("nan")
    assert session_save_problems(session)[0].column == "appraisal.swing_weights.fit"
    with pytest.raises(SessionError, match="not saved"):
        store.save(session)
    assert store.list() == []


@pytest.mark.parametrize("source", ["/etc/passwd", "/", "../../etc/passwd", "sample:nope",
                                    "uploads/../../secret.csv", "demo:other"])
def test_sources_outside_this_server_are_refused(tmp_path: Path, source: str) -> None:
    settings = Settings(home=tmp_path, db_path=tmp_path / "db")
    assert settings.source_problem(source) is not None
    session = StrategySession(data_source=source, area_code="E1", notes="kept")
    problems = settings.set_aside_sources(session)
    assert problems and session.data_source is None and session.notes == "kept"
    assert session.set_aside["data_source"]["value"] == source


def test_bundled_and_uploaded_sources_are_allowed(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path, db_path=tmp_path / "db")
    upload = settings.upload_dir / "abc-data.csv"
    upload.write_text("x", encoding="utf-8")
    for ok in (None, "demo:full", "sample:nuts2", str(upload)):
        assert settings.source_problem(ok) is None, ok
    assert settings.source_problem(str(settings.upload_dir)) is not None  # a directory


def test_context_sources_outside_this_server_are_set_aside(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path, db_path=tmp_path / "db")
    upload = settings.upload_dir / "abc-t19.xlsx"
    upload.write_bytes(b"x")
    session = StrategySession(context_sources=[str(upload), "/etc/passwd"], notes="kept")
    problems = settings.set_aside_sources(session)
    assert [p.column for p in problems] == ["context_sources"]
    assert session.context_sources == [str(upload)] and session.notes == "kept"
    assert session.set_aside["context_sources"]["value"] == ["/etc/passwd"]
    again = session_from_json(session_to_json(session))  # saves and reopens
    assert again.context_sources == [str(upload)]


def test_switching_context_files_counts_as_another_source() -> None:
    session = StrategySession(data_source="a.csv", period_start=2015, period_end=2020)
    session.switch_source("a.csv", None, ["t19.xlsx"])
    assert session.context_sources == ["t19.xlsx"] and session.period_start is None


def test_a_lookup_outside_this_server_is_set_aside(tmp_path: Path) -> None:
    """The neighbourhood lookup (issue 14) is read like the data file: uploads only."""
    settings = Settings(home=tmp_path, db_path=tmp_path / "db")
    upload = settings.upload_dir / "abc-lookup.csv"
    upload.write_text("x", encoding="utf-8")
    kept = StrategySession(lookup_source=str(upload))
    assert settings.set_aside_sources(kept) == [] and kept.lookup_source == str(upload)
    session = StrategySession(lookup_source="/etc/passwd", notes="kept")
    problems = settings.set_aside_sources(session)
    assert [p.column for p in problems] == ["lookup_source"]
    assert session.lookup_source is None and session.notes == "kept"
    assert session.set_aside["lookup_source"]["value"] == "/etc/passwd"


def test_switching_the_lookup_counts_as_another_source() -> None:
    session = StrategySession(data_source="a.csv", period_start=2016)
    session.switch_source("a.csv", lookup="lookup.csv")
    assert session.lookup_source == "lookup.csv" and session.period_start is None
