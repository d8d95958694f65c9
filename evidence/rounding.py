"""Python's ``round(v, digits)`` for a whole array at once, the same floats bit for bit.

A batch of profiles rounds tens of thousands of numbers for display (LQs to 3 places,
relatedness to 4, jobs to whole numbers); one ``round`` call each was a tenth of the first
batch's time. ``np.round`` is not a substitute: it scales, rounds and unscales, so a value whose
scaled product lands on the wrong side of a half
(``round(2.675, 2)`` is 2.67, since the double is just below 2.675; ``np.round`` gives 2.68)
comes out differently.

Why the vectorised path is exact where it is taken. Python rounds the exact binary value of
``v`` to ``digits`` decimals (half to even) and returns the double nearest that decimal
(``float_round`` in CPython: ``_Py_dg_dtoa`` mode 3 then ``_Py_dg_strtod``). Here
``y = fl(v * 10**d)`` differs from the exact product ``P`` by at most half an ulp,
``|y - P| <= |y| * 2**-53``. Where ``y`` is further than ``|y| * 2**-50`` from the nearest
half-integer (and ``|y| < 2**52``), ``P`` is on the same side of it, so ``k = rint(y)`` is the
integer Python's decimal rounding gives, and ``k / 10**d`` - both operands exact, IEEE division
correctly rounded - is the double nearest ``k * 10**-d``: Python's answer, sign of zero
included. The few elements near a half, exact ties included, and any too large to have
decimals are rounded by Python's own ``round``. ``tests/evidence/test_rounding.py`` checks
millions of values, ties and their neighbours against ``round``.
"""

from __future__ import annotations

import numpy as np

_MARGIN = 2.0 ** -50
"""How far from a half-integer (relative to the scaled value) the vectorised path is trusted:
four times the largest error of the scaled product."""
_BIG = 2.0 ** 52
"""From here on a double has no fractional part to round."""


def rounded(x: np.ndarray, digits: int) -> np.ndarray:
    """``round(float(v), digits)`` of every element of ``x`` (float64; non-finite values come
    back as they are, for the caller to turn into None). ``digits`` from 0 to 15."""
    if not 0 <= digits <= 15:
        raise ValueError(f"digits must be 0-15, got {digits}")
    v = np.asarray(x, dtype=float)
    scale = 10.0 ** digits
    with np.errstate(invalid="ignore", over="ignore"):
        y = v * scale
        out = np.rint(y) / scale
        near_half = np.abs(y - np.floor(y) - 0.5)
        safe = (near_half > np.abs(y) * _MARGIN) & (np.abs(y) < _BIG)
    finite = np.isfinite(v)
    out = np.where(finite, out, v)
    for i in np.flatnonzero(finite & ~safe).tolist():
        out.flat[i] = round(float(v.flat[i]), digits)
    return out


def rounded_list(x: np.ndarray, digits: int) -> list:
    """:func:`rounded` as (nested) Python lists, None for a value that is not finite: what a
    profile's optional number fields hold."""
    r = rounded(x, digits)
    finite = np.isfinite(r)
    if finite.all():
        return r.tolist()
    return np.where(finite, r, None).tolist()
