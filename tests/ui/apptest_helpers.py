"""Opening the app at one step with a given session, for the AppTest page tests."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from policy.session import StrategySession
from tests.paths import APP

SESSION_KEY = "policymix_session"


def make_app(step: str, session: StrategySession | None = None, timeout: int = 60) -> AppTest:
    """An AppTest on ``step`` (not yet run), with ``session`` in place when given."""
    at = AppTest.from_file(APP, default_timeout=timeout)
    at.session_state["step"] = step
    if session is not None:
        at.session_state[SESSION_KEY] = session
    return at


def app_at(step: str, session: StrategySession) -> AppTest:
    """The app on ``step`` with ``session``, after its first run."""
    return make_app(step, session).run()


def open_tab(at: AppTest, key: str, label: str) -> AppTest:
    """Open the tab ``label`` of the page's tabs ``key`` and rerun: pages draw only the open
    tab (``ui.widgets.lazy_tabs``), as a click on the tab does in the browser."""
    at.session_state[key] = label
    return at.run()



def open_expanders(at: AppTest, *keys: str) -> AppTest:
    """Open the expanders ``keys`` and rerun: a lazy expander draws its content only while
    open (``ui.widgets.lazy_expander``), as a click on it does in the browser."""
    for key in keys:
        at.session_state[key] = True
    return at.run()
