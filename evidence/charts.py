"""Sizing helpers for the app's Altair charts (appraisal, mix, workshop pages): the charts that
have no plain Vega-Lite twin.

The profile's report charts are not here: they are defined once, as plain Vega-Lite dicts, in
:mod:`evidence.chart_specs`, which the app draws and the exports embed. The shared sizes and
colours live there too (no Altair needed) and are re-exported here for the Altair charts.
"""

from __future__ import annotations

import altair as alt

from evidence.chart_specs import LABEL_LIMIT_PX, QUADRANT_COLOURS, ROW_PX, rows_height

__all__ = ["FIT_WIDTH", "LABEL_LIMIT_PX", "QUADRANT_COLOURS", "ROW_PX", "rows_height"]

FIT_WIDTH = alt.AutoSizeParams(type="fit-x", contains="padding")
"""Fit the page's width; the height given is the plotting area's (axes and title added)."""
