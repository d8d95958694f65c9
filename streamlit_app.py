"""Entry point: `streamlit run streamlit_app.py`. Page config and navigation live in ui.app."""

from ui.app import main

main()
