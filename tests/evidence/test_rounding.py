"""``evidence.rounding.rounded`` is Python's ``round`` bit for bit (sign of zero included):
random values over many magnitudes, exact and near ties, the values the profiles round."""

from __future__ import annotations

import math
import struct

import numpy as np
import pytest

from evidence.rounding import rounded, rounded_list


def _bits(x: float) -> bytes:
    return struct.pack("<d", x)


def _check(values: np.ndarray, digits: int) -> None:
    got = rounded(values, digits).tolist()
    for v, g in zip(values.tolist(), got, strict=True):
        if math.isfinite(v):
            assert _bits(g) == _bits(round(v, digits)), (v, digits, g, round(v, digits))
        else:
            assert _bits(g) == _bits(v)


@pytest.mark.parametrize("digits", [0, 1, 2, 3, 4, 5, 6])
def test_random_values_over_many_magnitudes(digits: int) -> None:
    rng = np.random.default_rng(digits)
    mags = 10.0 ** rng.uniform(-12, 17, 200_000)
    values = rng.choice([-1.0, 1.0], 200_000) * mags * rng.uniform(0, 1, 200_000)
    _check(values, digits)


@pytest.mark.parametrize("digits", [0, 1, 2, 3, 4])
def test_ties_and_their_neighbours(digits: int) -> None:
    # (k + 1/2) / 10^d: the decimal ties; as doubles most lie just above or below them.
    k = np.arange(-20_000, 20_000, dtype=float)
    ties = (k + 0.5) / 10.0 ** digits
    near = np.concatenate([ties, np.nextafter(ties, np.inf), np.nextafter(ties, -np.inf),
                           k / 10.0 ** digits, (k + 0.5) * 2.0 ** -digits])
    _check(near, digits)


def test_known_differences_from_numpy_round() -> None:
    values = np.array([0.00015, 2.675, 1.0005, 0.125, -0.125, 2.5, -2.5, 1e-320, -1e-7])
    for d in (0, 2, 3, 4):
        _check(values, d)
    assert rounded(np.array([2.675]), 2)[0] == round(2.675, 2) == 2.67
    assert np.round(2.675, 2) == 2.68  # why np.round will not do: 2.675 is just below


def test_zero_signs_large_and_non_finite() -> None:
    values = np.array([-0.0, 0.0, -1e-9, 1e-9, 2.0 ** 60, -(2.0 ** 55) + 3, 1e300,
                       np.nan, np.inf, -np.inf])
    _check(values, 4)
    assert rounded_list(values, 4)[-3:] == [None, None, None]
    assert rounded_list(np.array([[1.23456, np.nan]]), 2) == [[1.23, None]]
    assert all(type(v) is float for v in rounded_list(np.array([1.5, 2.25]), 1))


def test_the_shapes_are_kept() -> None:
    x = np.random.default_rng(1).normal(size=(3, 4, 5))
    assert rounded(x, 3).shape == (3, 4, 5)
    assert rounded_list(x, 3) == [[[round(v, 3) for v in r] for r in m] for m in x.tolist()]
