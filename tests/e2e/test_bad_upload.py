"""Browser: a malformed upload gets a clear error naming the file, and the session is kept.

DESIGN.md: "Bad input gets a clear message naming what is wrong and where, and nothing the user
already entered is lost." The AppTest version (tests/test_app_evidence_pages.py) injects the bad
path into the session; here the file goes through the real uploader widget.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from evidence.sources.demo import ARCHETYPES
from policy.storage import SessionStore
from tests.e2e.conftest import AppServer
from tests.e2e.st_helpers import (
    choose_selectbox,
    no_exception,
    open_app,
    rerun_after,
    wait_text,
)

pytestmark = pytest.mark.e2e

Shot = Callable[[Page, str], Path]
BAD_NAME = "broken_bres_extract.csv"


def test_bad_upload_names_the_file_and_keeps_the_area(
    app_server: AppServer, page: Page, shot: Shot, tmp_path: Path
) -> None:
    code = ARCHETYPES["engineering_assembly_cluster"][0]
    bad = tmp_path / BAD_NAME
    bad.write_text("this,is,not\n1,2\nnot a policymix or NOMIS file at all\n", encoding="utf-8")

    # an area chosen on the bundled demo first (typing the code matches "Name (code)" too)
    open_app(page, app_server.url)
    choose_selectbox(page, "District", code, re.compile(rf"\({code}\)$"))
    chosen = wait_text(page, re.compile(rf"^Area: .+ \({code}\), \d{{4}}-\d{{4}}\.$"))
    area_line = chosen.inner_text()
    name = area_line.removeprefix("Area: ").split(f" ({code})")[0]
    shot(page, "area-chosen")

    # switch to uploading, and upload the malformed file through the real widget
    rerun_after(page, page.get_by_role("radiogroup", name="Data source")
                .get_by_text("Upload a file", exact=False).click)
    dropzone = page.locator('[data-testid="stFileUploader"]').filter(
        has_text="Employment data file").locator('[data-testid="stFileUploaderDropzoneInput"]')
    expect(dropzone).to_be_attached()
    shot(page, "upload-chosen")
    rerun_after(page, lambda: dropzone.set_input_files(str(bad)))

    error = page.locator('[data-testid="stAlertContentError"]')
    expect(error).to_be_visible()
    expect(error).to_contain_text(BAD_NAME)
    expect(error).to_contain_text("nothing in your session changed")
    no_exception(page)
    shot(page, "bad-upload-error")

    # the previously chosen area is still there: page, sidebar and the saved session (the
    # demo's area chooser is hidden while Upload is chosen: issue 15)
    expect(page.get_by_text(area_line)).to_be_visible()
    expect(page.locator('[data-testid="stSidebar"]')).to_contain_text(f"Area: {name}")
    sid = re.search(r"[?&]sid=([0-9a-f]+)", page.url)
    assert sid, page.url
    saved = SessionStore(app_server.home / "policymix.sqlite3").load(sid.group(1))
    assert (saved.area_code, saved.area_name, saved.data_source) == (code, name, None)

    # and the walkthrough goes on with that area
    rerun_after(page, page.get_by_role("button", name="Next: evidence profile").click)
    expect(page.get_by_role("heading", name="Evidence profile")).to_be_visible()
    wait_text(page, f"{name}, ")  # codes only behind details (issue 15)
    no_exception(page)
    shot(page, "profile-after-bad-upload")
