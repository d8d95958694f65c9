"""Entry point: `streamlit run streamlit_app.py`. Page config and navigation live in ui.app.

The bundled demo starts loading in the background the first time this runs in a process (see
:func:`ui.state.warm_in_background`), so the first page does not wait for it from scratch.
"""

from ui.app import main
from ui.state import warm_in_background

warm_in_background()
main()
