"""Browser: an upload past the server's caps is refused at once, naming the file and the limit.

The bomb from issue 13 (8 million duplicate lines in a small gzip) goes through the real
uploader widget; the page says which file and which limit (and the variable that sets it)
within a few seconds, nothing is kept in the upload folder, and the session is unchanged.
"""

from __future__ import annotations

import time
import zlib
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import AppServer
from tests.e2e.st_helpers import no_exception, open_app, rerun_after

pytestmark = pytest.mark.e2e

Shot = Callable[[Page, str], Path]
LINE = b'"employment","E06000001",2020,"2511",123,false,,,,,,,,,,,,,,,,,,\n'


def test_a_gzip_bomb_is_refused_naming_file_and_limit(
        app_server: AppServer, page: Page, shot: Shot, tmp_path: Path) -> None:
    packer = zlib.compressobj(6, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    bomb = tmp_path / "bomb.csv.gz"
    block = LINE * 100_000
    bomb.write_bytes(b"".join([packer.compress(block) for _ in range(80)] + [packer.flush()]))
    open_app(page, app_server.url)
    rerun_after(page, page.get_by_role("radiogroup", name="Data source")
                .get_by_text("Upload a file", exact=False).click)
    dropzone = page.locator('[data-testid="stFileUploader"]').filter(
        has_text="Employment data file").locator('[data-testid="stFileUploaderDropzoneInput"]')
    expect(dropzone).to_be_attached()
    start = time.perf_counter()
    rerun_after(page, lambda: dropzone.set_input_files(str(bomb)))
    error = page.locator('[data-testid="stAlertContentError"]')
    expect(error).to_contain_text("bomb.csv.gz")
    elapsed = time.perf_counter() - start
    expect(error).to_contain_text("5,000,000 lines")
    expect(error).to_contain_text("POLICYMIX_UPLOAD_MAX_ROWS")
    expect(error).to_contain_text("nothing in your session changed")
    shot(page, "bomb-refused")
    assert elapsed < 20, f"{elapsed:.1f} s"  # upload over the websocket included
    uploads = app_server.home / "uploads"
    assert not any("bomb" in p.name for p in uploads.iterdir()) if uploads.exists() else True
    no_exception(page)
