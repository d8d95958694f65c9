"""Text labels beside the points of a scatter chart, staggered so that close points do not
print their labels on top of each other.

Why: Vega-Lite draws a text mark at its datum and has no collision avoidance for text in a
layer; on the full demo the LQ-vs-growth bubbles of "Chemicals" and "Computers" sat close
and their names printed over each other. Vega's own ``label`` transform is not reachable from
Vega-Lite, and an offset channel (``yOffset``) has no effect on a continuous axis (checked
with vl-convert 1.9). So the labels' positions are worked out here, in Python, from the data:
each point's place in the chart's scaled space (pixels), a box the size of its text beside
it, and a greedy, deterministic pass that keeps each label where it is unless its box meets
one already placed, in which case it moves up or down a line at a time to the nearest free
place. The result is a y value in the data's own units that the text layer is drawn at.

The scales are Vega's: a linear domain from the data's extent (with zero where the chart's
scale includes it) made "nice" as d3-scale's ``linear.nice()`` does (ten ticks; d3-array's
``tickIncrement``), so a label's offset is whole lines of text at the chart's height. The
width is not known (the app stretches a chart to its column; a report is 520 px), so a
narrower plotting width than either is assumed: labels are then staggered whenever they could
meet at any width the chart is drawn at.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["LabelBox", "char_width_px", "nice_domain", "stagger_labels"]

_E10, _E5, _E2 = math.sqrt(50), math.sqrt(10), math.sqrt(2)


def _tick_increment(start: float, stop: float, count: int) -> float:
    """d3-array's ``tickIncrement``: a 1, 2 or 5 times a power of ten step (negative: the
    inverse of a step below one)."""
    step = (stop - start) / max(0, count)
    power = math.floor(math.log10(step))
    error = step / 10**power
    factor = 10 if error >= _E10 else 5 if error >= _E5 else 2 if error >= _E2 else 1
    return factor * 10**power if power >= 0 else -(10**-power) / factor


def nice_domain(lo: float, hi: float, count: int = 10) -> tuple[float, float]:
    """d3-scale's ``linear.nice(count)`` of the domain ``[lo, hi]`` (what Vega does with
    ``nice: true``, the Vega-Lite default for a quantitative x or y)."""
    if not hi > lo:
        return lo, hi
    previous = None
    for _ in range(10):
        step = _tick_increment(lo, hi, count)
        if step == previous:
            break
        if step > 0:
            lo, hi = math.floor(lo / step) * step, math.ceil(hi / step) * step
        elif step < 0:
            lo, hi = math.ceil(lo * step) / step, math.floor(hi * step) / step
        else:
            break
        previous = step
    return lo, hi


def char_width_px(font_px: float) -> float:
    """An upper estimate of a character's width in Vega's default sans-serif: 0.6 em (mixed
    case averages about 0.5 em; over-estimating staggers a label that might have fitted)."""
    return 0.6 * font_px


@dataclass(frozen=True)
class LabelBox:
    """Where a label is drawn: ``y`` in data units (the text layer's y), ``shift`` in lines
    of text (0: beside its point; negative: above it), ``left``: to the left of its point,
    right-aligned (it would run past the plotting area's right edge on the right)."""

    y: float
    shift: int
    left: bool = False


def _overlaps(a: tuple[float, float, float, float], b: tuple[float, float, float, float]
              ) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def stagger_labels(
    points: Sequence[tuple[float, float, str]],
    x_extent: tuple[float, float],
    y_extent: tuple[float, float],
    *,
    width_px: float,
    height_px: float,
    font_px: float,
    dx_px: float,
    max_shift: int = 3,
) -> list[LabelBox]:
    """Where to draw each point's label (``dx_px`` to the right of its point, vertically
    centred; to the left, right-aligned, when it would run past the right edge): beside it
    when that is free, else the nearest free line above or below, within ``max_shift`` lines.

    ``points`` are ``(x, y, text)`` in data units, in the order of priority (the first keeps
    its place). ``x_extent`` and ``y_extent`` are the extents of the chart's x and y scales
    (every layer's values, and zero where the scale includes it); made nice as Vega makes
    them, they turn data units into pixels as the chart draws them. A moved label stays
    inside ``y_extent``, so drawing it there leaves the scale as it was. A label that finds no
    free line stays beside its point. Deterministic: the same points give the same places."""
    x0, x1 = nice_domain(*x_extent)
    y0, y1 = nice_domain(*y_extent)
    x_span = (x1 - x0) or 1.0
    y_span = (y1 - y0) or 1.0
    line = font_px + 2  # a line of text with a pixel's gap above and below
    lowest = (y1 - y_extent[0]) / y_span * height_px  # pixels down from the top
    highest = (y1 - y_extent[1]) / y_span * height_px
    placed: list[tuple[float, float, float, float]] = []
    out: list[LabelBox] = []
    for x, y, text in points:
        at = (x - x0) / x_span * width_px
        text_px = len(text) * char_width_px(font_px)
        on_left = at + dx_px + text_px > width_px and at - dx_px - text_px >= 0
        left = at - dx_px - text_px if on_left else at + dx_px
        right = left + text_px
        centre = (y1 - y) / y_span * height_px
        chosen = 0
        for shift in _shifts(max_shift):
            middle = centre + shift * line
            if shift and not highest <= middle <= lowest:
                continue  # would stretch the scale
            box = (left, middle - line / 2, right, middle + line / 2)
            if not any(_overlaps(box, other) for other in placed):
                chosen = shift
                break
        middle = centre + chosen * line
        placed.append((left, middle - line / 2, right, middle + line / 2))
        moved = y - chosen * line / height_px * y_span
        if chosen:  # no rounding past the scale's end
            moved = min(max(moved, y_extent[0]), y_extent[1])
        out.append(LabelBox(y=moved, shift=chosen, left=on_left))
    return out


def _shifts(max_shift: int) -> list[int]:
    """0, then one line up, one down, two up, two down, ...: the nearest place first, up
    before down (a label above a cluster reads before one under it)."""
    out = [0]
    for k in range(1, max_shift + 1):
        out += [-k, k]
    return out
