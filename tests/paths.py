"""Where the tests find the project and their fixture files, wherever a test module sits."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
"""The project's root folder (where streamlit_app.py and pyproject.toml are)."""

FIXTURES = ROOT / "tests" / "fixtures"
"""Hand-written data files in the published layouts."""

APP = str(ROOT / "streamlit_app.py")
