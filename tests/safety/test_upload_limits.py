"""Uploads on a shared server (issue 13): size caps at the boundary, and uploads that expire.

The caps are checked before any reader sees the file (:func:`evidence.sources.limits.
check_upload`, through :meth:`policy.storage.Settings.keep_upload`); each refusal names the
file as the user named it, the limit and the environment variable that sets it, and writes
nothing. Old uploads are deleted, and a session that used one opens with its data source set
aside and a message saying what happened.
"""

from __future__ import annotations

import gzip
import io
import os
import time
import zipfile
import zlib
from pathlib import Path

import pandas as pd
import pytest

from evidence.dataset import DataError
from evidence.service import load_any, source_spec
from evidence.sources.limits import UploadLimits, check_upload
from evidence.sources.tidy import write_tidy
from policy.session import StrategySession
from policy.storage import LIMITS, Settings, SettingsError
from tests.conftest import tiny_dataset

LINE = b'"employment","E06000001",2020,"2511",123,false,,,,,,,,,,,,,,,,,,\n'


def _settings(tmp_path: Path, **limits: int) -> Settings:
    return Settings(home=tmp_path, db_path=tmp_path / "db", **limits)


@pytest.fixture(scope="module")
def bomb() -> bytes:
    """8 million duplicate lines (520 MB) in under 2 MB of gzip: the file from the issue."""
    packer = zlib.compressobj(1, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    block = LINE * 100_000
    return b"".join([packer.compress(block) for _ in range(80)] + [packer.flush()])


def test_the_gzip_bomb_is_refused_quickly_naming_file_and_limit(tmp_path: Path,
                                                                 bomb: bytes) -> None:
    settings = _settings(tmp_path)
    start = time.perf_counter()
    with pytest.raises(DataError) as caught:
        settings.keep_upload("bomb.csv", bomb)
    elapsed = time.perf_counter() - start
    assert elapsed < 5, f"{elapsed:.1f} s"
    problem = caught.value.problems[0]
    assert problem.file == "bomb.csv" and problem.code == "upload_too_many_rows"
    assert "5,000,000 lines" in str(caught.value)
    assert "POLICYMIX_UPLOAD_MAX_ROWS" in str(caught.value)
    assert list(settings.upload_dir.iterdir()) == []  # nothing kept


def test_the_unpacked_size_is_capped_while_streaming(tmp_path: Path, bomb: bytes) -> None:
    settings = _settings(tmp_path, upload_max_unpacked_mb=100, upload_max_rows=10**9)
    with pytest.raises(DataError) as caught:
        settings.keep_upload("bomb.csv.gz", bomb)
    assert caught.value.problems[0].code == "upload_unpacked_too_big"
    assert "100 MB" in str(caught.value) and "POLICYMIX_UPLOAD_MAX_UNPACKED_MB" in str(
        caught.value)


def test_the_file_size_is_capped(tmp_path: Path) -> None:
    settings = _settings(tmp_path, upload_max_mb=1)
    with pytest.raises(DataError) as caught:
        settings.keep_upload("big.csv", LINE * 20_000)  # 1.3 MB
    assert caught.value.problems[0].file == "big.csv"
    assert "1.3 MB" in str(caught.value) and "POLICYMIX_UPLOAD_MAX_MB" in str(caught.value)


def test_rows_are_counted_in_plain_text_and_in_every_gzip_member(tmp_path: Path) -> None:
    limits = UploadLimits(max_bytes=10**9, max_unpacked_bytes=10**9, max_rows=100)
    plain = LINE * 101
    with pytest.raises(DataError, match="more than 100 lines"):
        check_upload("a.csv", io.BytesIO(plain), len(plain), limits)
    check_upload("a.csv", io.BytesIO(LINE * 100), 100 * len(LINE), limits)  # at the cap: fine
    members = gzip.compress(LINE * 60) + gzip.compress(LINE * 60)  # 120 lines in two members
    with pytest.raises(DataError, match="more than 100 lines"):
        check_upload("b.csv.gz", io.BytesIO(members), len(members), limits)


def test_a_zip_bomb_workbook_is_refused(tmp_path: Path) -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/worksheets/sheet1.xml", b"0" * 3_000_000)
    data = out.getvalue()
    settings = _settings(tmp_path, upload_max_unpacked_mb=2)
    with pytest.raises(DataError) as caught:
        settings.keep_upload("book.xlsx", data)
    assert caught.value.problems[0].code == "upload_unpacked_too_big"
    assert caught.value.problems[0].file == "book.xlsx"


def test_parquet_rows_are_read_from_the_footer(tmp_path: Path) -> None:
    path = tmp_path / "t.parquet"
    pd.DataFrame({"x": range(11)}).to_parquet(path)
    data = path.read_bytes()
    with pytest.raises(DataError, match="11 rows"):
        _settings(tmp_path, upload_max_rows=10).keep_upload("t.parquet", data)
    assert _settings(tmp_path, upload_max_rows=11).keep_upload("t.parquet", data).is_file()


def test_a_good_upload_is_kept_and_read(tmp_path: Path) -> None:
    good = write_tidy(tiny_dataset(), tmp_path / "good.csv").read_bytes()
    settings = _settings(tmp_path / "home")
    kept = settings.keep_upload("my data.csv.gz", gzip.compress(good))
    assert kept.parent == settings.upload_dir and kept.name.endswith("-mydata.csv.gz")
    assert settings.source_problem(str(kept)) is None
    assert load_any(kept).source is not None  # the reader takes it from here


def test_old_uploads_expire_and_a_session_that_used_one_is_told(tmp_path: Path) -> None:
    settings = _settings(tmp_path, upload_days=30)
    old = settings.keep_upload("old.csv", LINE * 3)
    long_ago = time.time() - 31 * 86_400
    os.utime(old, (long_ago, long_ago))
    fresh = settings.keep_upload("new.csv", LINE * 4)  # every upload expires old ones
    assert not old.exists() and fresh.exists()
    session = StrategySession(data_source=source_spec(old, "Employees"), notes="kept")
    problems = settings.set_aside_sources(session)
    assert [p.code for p in problems] == ["upload_expired"]
    assert "'old.csv' is no longer on this server" in problems[0].message
    assert "30 days" in problems[0].message
    assert session.data_source is None and session.notes == "kept"
    assert "no longer on this server" in session.set_aside["data_source"]["problem"]
    # a NOMIS status on the path is not a reason to refuse a file that is there
    assert settings.source_problem(source_spec(fresh, "Employees")) is None


def test_expiry_on_start_and_zero_keeps_uploads(tmp_path: Path) -> None:
    settings = _settings(tmp_path, upload_days=0)
    path = settings.keep_upload("a.csv", LINE)
    os.utime(path, (0, 0))
    assert settings.expire_uploads() == [] and path.exists()
    assert _settings(tmp_path, upload_days=1).expire_uploads() == [path]


def test_every_limit_is_a_setting_with_an_environment_override(
        monkeypatch: pytest.MonkeyPatch) -> None:
    defaults = Settings.from_env()
    for i, limit in enumerate(LIMITS):
        assert getattr(defaults, limit.field) == limit.default, limit.env
        monkeypatch.setenv(limit.env, str(limit.default + i + 1))
    changed = Settings.from_env()
    for i, limit in enumerate(LIMITS):
        assert getattr(changed, limit.field) == limit.default + i + 1, limit.env


@pytest.mark.parametrize("value", ["lots", "-3", "1.5", "9" * 20])
def test_a_bad_setting_is_refused_by_name(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("POLICYMIX_UPLOAD_MAX_ROWS", value)
    with pytest.raises(SettingsError) as caught:
        Settings.from_env()
    assert caught.value.problems[0].column == "POLICYMIX_UPLOAD_MAX_ROWS"


def test_a_workbook_with_too_many_rows_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "rows.xlsx"
    pd.DataFrame({"x": range(30)}).to_excel(path, index=False)
    data = path.read_bytes()
    with pytest.raises(DataError, match="more than 20 rows") as caught:
        _settings(tmp_path, upload_max_rows=20).keep_upload("rows.xlsx", data)
    assert caught.value.problems[0].code == "upload_too_many_rows"
    assert _settings(tmp_path, upload_max_rows=31).keep_upload("rows.xlsx", data).is_file()
