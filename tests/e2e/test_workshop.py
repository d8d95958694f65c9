"""Browser: a live workshop with a facilitator and two participants, three separate browsers.

The AppTest versions are in tests/test_app_workshop_pages.py (each AppTest is its own session,
and the live fragment is simulated by a full rerun). Here three browser contexts (separate
cookies, storage and websockets, as on three devices) share only the server's SQLite file:

- the facilitator opens a saved session on the workshop step
  (``?sid=...&key=...&step=workshop``),
  starts a workshop and reads the join code off the page;
- two participants open ``?ws=CODE``, join with a name, see only their form (no sidebar, no
  steps), move sliders with the keyboard and submit;
- the facilitator's live view - an ``st.fragment(run_every=3)``, never a reload - shows both of
  them, the heatmap and the ranking;
- a participant's refresh keeps their identity (``&p=TOKEN`` in the URL) and their scores;
- once the facilitator closes scoring, the other participant's submit is refused.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from evidence.service import Evidence, load_any
from evidence.sources.demo import ARCHETYPES
from policy.storage import SessionStore
from policy.walkthrough import new_session
from policy.workshop import WorkshopStore, aggregate
from tests.e2e.conftest import AppServer
from tests.e2e.st_helpers import (
    RUN_TIMEOUT_MS,
    STEPS,
    no_exception,
    open_app,
    rerun_after,
    wait_idle,
    wait_text,
)

pytestmark = pytest.mark.e2e

Shot = Callable[[Page, str], Path]
LIVE_TIMEOUT_MS = 20_000  # the live fragment reruns every 3 s; allow several ticks
SUBMIT = "Submit my scores"
CLOSED = "Scoring is closed"
NAME_INPUT = "Your name (and organisation, if you like)"


@pytest.fixture
def new_page(browser: Browser) -> Iterator[Callable[..., Page]]:
    """``new_page(width, height)``: a page in a fresh browser context (one person's device)."""
    contexts = []

    def make(width: int = 1400, height: int = 1000) -> Page:
        context = browser.new_context(viewport={"width": width, "height": height})
        context.set_default_timeout(RUN_TIMEOUT_MS)
        contexts.append(context)
        return context.new_page()

    try:
        yield make
    finally:
        for context in contexts:
            context.close()


@pytest.fixture
def saved_session(app_server: AppServer) -> tuple[str, str]:
    """A complete default session (demo data, engineering cluster) in the server's store, and
    its key (the facilitator's address needs it)."""
    ev = Evidence.from_dataset(load_any(None))
    session = new_session(ev, ARCHETYPES["engineering_assembly_cluster"][0])
    assert len(session.appraisal.kept_option_ids()) >= 2  # BAU and at least one option
    sid, key, _ = SessionStore(app_server.home / "policymix.sqlite3").create(session)
    return sid, key


def metric(page: Page, label: str) -> Locator:
    """The value of the ``st.metric`` whose label is exactly ``label``."""
    box = page.locator('[data-testid="stMetric"]').filter(
        has=page.locator('[data-testid="stMetricLabel"]').get_by_text(label, exact=True))
    return box.locator('[data-testid="stMetricValue"]')


def sliders(page: Page) -> Locator:
    return page.locator('[data-testid="stSlider"]').get_by_role("slider")


def press_on(slider: Locator, *keys: str) -> None:
    """Move a slider thumb with the keyboard (inside a form: no rerun until submit)."""
    slider.focus()
    for key in keys:
        slider.press(key)


def join(page: Page, link: str, code: str, name: str) -> str:
    """Open the join link, enter ``name`` and join; returns the participant's token."""
    open_app(page, link)
    expect(page.get_by_role("heading", name="Strategy workshop")).to_be_visible()
    expect(page.get_by_label("Join code")).to_have_value(code)  # prefilled from the URL
    page.get_by_label(NAME_INPUT).fill(name)
    rerun_after(page, page.get_by_role("button", name="Join").click)
    wait_text(page, f"Welcome, {name}")
    expect(page.get_by_role("button", name=SUBMIT)).to_be_visible()
    no_exception(page)
    token = re.search(r"[?&]p=([^&]+)", page.url)
    assert token, f"no &p= token in {page.url}"
    assert f"ws={code}" in page.url and "sid=" not in page.url, page.url
    return token.group(1)


def only_the_form(page: Page) -> None:
    """A participant sees no walkthrough: no sidebar, no steps, no progress, no key question."""
    expect(page.locator('[data-testid="stSidebar"]')).to_have_count(0)
    expect(page.locator(STEPS)).to_have_count(0)
    expect(page.get_by_text("Key question")).to_have_count(0)
    expect(page.get_by_text("steps done")).to_have_count(0)


def submit(page: Page) -> None:
    rerun_after(page, page.get_by_role("button", name=SUBMIT).click)


def test_workshop_facilitator_and_two_participants_live(
    app_server: AppServer, new_page: Callable[..., Page], shot: Shot,
    saved_session: tuple[str, str]
) -> None:
    sid, key = saved_session
    log_start = len(app_server.output())
    db = app_server.home / "policymix.sqlite3"
    fac = new_page()
    ann = new_page(1000, 1000)
    bob = new_page(430, 932)  # a phone

    # -- the facilitator starts a workshop from the saved session
    open_app(fac, f"{app_server.url}/?sid={sid}&key={key}&step=workshop")
    start = fac.get_by_role("button", name="Start a workshop")
    expect(start).to_be_visible()
    no_exception(fac)
    shot(fac, "facilitator-before-start")
    rerun_after(fac, start.click)
    join_address = fac.locator('[data-testid="stCode"]').filter(has_text="?ws=")
    expect(join_address).to_be_visible()
    found = re.search(r"\?ws=([A-Z2-9]{6})\b", join_address.inner_text())
    assert found, join_address.inner_text()
    code = found.group(1)
    link = join_address.inner_text().strip()
    # issue 15: never the facilitator's localhost - this machine's network address, same port,
    # and no sid (nothing of the session). The test server listens on loopback only, so the
    # participants below open the same path on 127.0.0.1.
    shown = urlsplit(link)
    assert shown.hostname not in ("127.0.0.1", "localhost"), link
    assert shown.port == urlsplit(app_server.url).port and shown.query == f"ws={code}", link
    link = f"{app_server.url}/?ws={code}"
    expect(fac.get_by_role("img", name="Scan to join").or_(
        fac.locator('[data-testid="stImage"] img')).first).to_be_visible()  # the QR code
    expect(fac.get_by_text(code, exact=True)).to_be_visible()  # the big join code
    store = WorkshopStore(db)
    assert [w.code for w in store.workshops_for_session(sid)] == [code]
    workshop = store.get_workshop(code)
    n_cells = len(workshop.cells)
    expect(metric(fac, "Participants")).to_have_text("0")
    expect(metric(fac, "Status")).to_have_text("open")
    wait_text(fac, "Waiting for scores")
    no_exception(fac)
    fac.evaluate("window.__pmSameDocument = true")  # gone if the page is ever reloaded
    fac.mouse.move(1, 1)  # no tooltip from the button that replaced "Start a workshop"
    shot(fac, "facilitator-started")

    # -- two participants join from their own browsers
    ann_token = join(ann, link, code, "Ann Example")  # the address as shown
    only_the_form(ann)
    expect(sliders(ann)).to_have_count(n_cells)
    shot(ann, "ann-joined")
    bob_token = join(bob, f"{app_server.url}/?ws={code}", code, "Bob, Midlands Aerospace")
    only_the_form(bob)
    expect(sliders(bob)).to_have_count(n_cells)
    assert ann_token != bob_token
    shot(bob, "bob-joined")

    # -- each moves sliders with the keyboard and submits
    a0, a1 = sliders(ann).nth(0), sliders(ann).nth(1)
    press_on(a0, "End")
    press_on(a1, "ArrowRight", "ArrowRight", "ArrowRight")
    expect(a0).to_have_value("100")
    expect(a1).to_have_value("53")
    shot(ann, "ann-sliders-moved")
    submit(ann)
    wait_text(ann, f"Saved your {n_cells} scores")
    no_exception(ann)
    shot(ann, "ann-submitted")
    expect(metric(fac, "Scored")).to_have_text("1", timeout=LIVE_TIMEOUT_MS)  # live, mid-way
    expect(metric(fac, "Participants")).to_have_text("2")  # Bob joined, has not scored yet
    expect(fac.locator('[data-testid="stVegaLiteChart"]')).to_have_count(1)
    shot(fac, "facilitator-live-one-scored")

    b0 = sliders(bob).nth(0)
    press_on(b0, "Home")
    expect(b0).to_have_value("0")
    shot(bob, "bob-slider-moved")
    submit(bob)
    wait_text(bob, f"Saved your {n_cells} scores")
    no_exception(bob)
    shot(bob, "bob-submitted")

    first = workshop.cells[0]
    summary = aggregate(workshop, store.scores(code), participants=store.participants(code))
    assert (summary.n_participants, summary.n_complete) == (2, 2)
    cell = summary.cell(*first)
    assert (cell.min, cell.median, cell.max) == (0.0, 50.0, 100.0)
    assert summary.cell(*workshop.cells[1]).max == 53.0

    # -- the facilitator's live view catches up on its own (no reload, no click)
    expect(metric(fac, "Participants")).to_have_text("2", timeout=LIVE_TIMEOUT_MS)
    expect(metric(fac, "Scored")).to_have_text("2", timeout=LIVE_TIMEOUT_MS)
    expect(metric(fac, "Scored completely")).to_have_text("2", timeout=LIVE_TIMEOUT_MS)
    wait_text(fac, "Joined: Ann Example, Bob, Midlands Aerospace", timeout=LIVE_TIMEOUT_MS)
    chart = fac.locator('[data-testid="stVegaLiteChart"]')
    expect(chart).to_have_count(1, timeout=LIVE_TIMEOUT_MS)
    expect(chart.locator("svg.marks, canvas").first).to_be_visible()
    box = chart.bounding_box()
    assert box is not None and box["width"] > 200 and box["height"] > 100, box
    expect(fac.get_by_role("heading", name="Where the room disagrees most")).to_be_visible()
    ranking = fac.get_by_role("heading", name="Ranking with the room's median scores")
    expect(ranking).to_be_visible()
    expect(fac.get_by_text(re.compile(r"^The room's scores (and yours agree|put)"))).to_be_visible()
    expect(fac.locator('[data-testid="stDataFrame"]')).to_have_count(2)  # disagreements, ranking
    assert fac.evaluate("window.__pmSameDocument === true"), "the facilitator page was reloaded"
    no_exception(fac)
    shot(fac, "facilitator-live-two-scored")
    ranking.scroll_into_view_if_needed()
    shot(fac, "facilitator-live-ranking")
    shot(ann, "ann-while-facilitator-live")
    shot(bob, "bob-while-facilitator-live")

    # -- Ann refreshes: the token in the URL keeps her identity and her saved scores
    ann_url = ann.url
    ann.reload()
    ann.wait_for_selector('[data-testid="stAppViewContainer"]')
    wait_idle(ann)
    assert ann.url == ann_url
    wait_text(ann, "Welcome, Ann Example")
    wait_text(ann, f"Your saved scores: {n_cells} of {n_cells}")
    only_the_form(ann)
    expect(sliders(ann).nth(0)).to_have_value("100")
    expect(sliders(ann).nth(1)).to_have_value("53")
    expect(ann.get_by_label(NAME_INPUT)).to_have_count(0)  # not asked to join again
    no_exception(ann)
    shot(ann, "ann-after-refresh")

    # -- the facilitator closes scoring (a button outside the fragment: a full rerun)
    rerun_after(fac, fac.get_by_role("button", name="Close scoring").click)
    expect(metric(fac, "Status")).to_have_text("closed", timeout=LIVE_TIMEOUT_MS)
    expect(fac.get_by_role("button", name="Reopen scoring")).to_be_visible()
    assert store.get_workshop(code).status == "closed"
    report = SessionStore(db).load(sid).workshop  # autosaved for the exports
    assert report["summary"]["join_code"] == code and report["summary"]["status"] == "closed"
    assert [p["name"] for p in report["participants"]] == ["Ann Example",
                                                           "Bob, Midlands Aerospace"]
    assert {p["scored"] for p in report["participants"]} == {"completely"}
    no_exception(fac)
    fac.mouse.move(1, 1)
    shot(fac, "facilitator-closed")

    # -- Bob, whose form is still open, changes a score and submits: refused
    before = sorted((s.option_id, s.criterion_id, s.value) for s in store.scores(code))
    press_on(sliders(bob).nth(0), "End")
    expect(sliders(bob).nth(0)).to_have_value("100")
    shot(bob, "bob-changed-after-close")
    submit(bob)
    wait_text(bob, CLOSED)
    wait_text(bob, "not saved")
    expect(bob.get_by_text("Saved your")).to_have_count(0)
    expect(sliders(bob)).to_have_count(0)
    no_exception(bob)
    after = sorted((s.option_id, s.criterion_id, s.value) for s in store.scores(code))
    assert after == before, "a score was saved after the workshop was closed"
    shot(bob, "bob-refused-closed")
    shot(ann, "ann-at-the-end")
    expect(metric(fac, "Status")).to_have_text("closed")
    shot(fac, "facilitator-at-the-end")
    server_log = app_server.output()[log_start:]
    assert "Traceback" not in server_log, server_log


def test_workshop_on_a_phone_with_the_address_the_facilitator_sets(
    app_server: AppServer, new_page: Callable[..., Page], shot: Shot,
    saved_session: tuple[str, str]
) -> None:
    """At 390 x 844: the facilitator sets the address participants use (a second device's view
    of the server); the join address and QR code follow it; a participant on a phone sees what
    each option contains, leaves one cell not scored and submits the rest."""
    sid, key = saved_session
    fac = new_page()
    phone = new_page(390, 844)
    open_app(fac, f"{app_server.url}/?sid={sid}&key={key}&step=workshop")
    rerun_after(fac, fac.get_by_role("button", name="Start a workshop").click)
    code_box = fac.locator('[data-testid="stCode"]').filter(has_text="?ws=")
    expect(code_box).to_be_visible()
    code = re.search(r"\?ws=([A-Z2-9]{6})\b", code_box.inner_text()).group(1)
    port = urlsplit(app_server.url).port
    address = fac.get_by_label(re.compile("^Address participants use"))
    rerun_after(fac, lambda: (address.fill(f"http://192.168.50.7:{port}"),
                              address.press("Enter")))
    expect(code_box).to_have_text(re.compile(rf"http://192\.168\.50\.7:{port}/\?ws={code}"))
    expect(fac.locator('[data-testid="stImage"] img').first).to_be_visible()
    shot(fac, "facilitator-address-set-qr")

    join(phone, f"{app_server.url}/?ws={code}", code, "Priya, Midlands Aerospace")
    only_the_form(phone)
    expect(phone.get_by_text("What it contains").first).to_be_visible()
    expect(phone.get_by_text("edit to suit")).to_have_count(0)
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the form is {width} px wide on a 390 px screen"
    shot(phone, "phone-form")
    skip = phone.get_by_text(re.compile("^Not scored: ")).first
    skip.click()
    shot(phone, "phone-one-not-scored")
    submit(phone)
    wait_text(phone, "1 left not scored")
    no_exception(phone)
    shot(phone, "phone-submitted")
