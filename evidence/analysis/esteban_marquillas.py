"""Esteban-Marquillas (1972) extension of shift-share analysis, over arrays of areas x sectors.

Esteban-Marquillas, J.M. (1972) "A reinterpretation of shift-share analysis", Regional and Urban
Economics 2(3), 249-255. The classic competitive (local) effect of sector i in area r,
C_ir = E_ir (r_ir - r_i) (Dunn 1960), mixes competitiveness with specialisation. Esteban-Marquillas
splits it using homothetic employment, what the area would employ in i if its structure were the
nation's:

    E*_ir = E_r E_i / E

- homothetic competitive effect   C*_ir = E*_ir (r_ir - r_i)
- allocation effect               A_ir  = (E_ir - E*_ir)(r_ir - r_i)

so that C_ir = C*_ir + A_ir, and with the national share E_ir g_N and industry mix
E_ir (r_i - g_N): E_ir,1 - E_ir,0 = NS + IM + C*_ir + A_ir. All employment figures are for the
start year; r_ir, r_i and g_N are growth rates between the two years.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

ALLOCATION_TYPES = np.array(
    [
        "specialised, competitive advantage",  # E - E* > 0, r_ir - r_i > 0: A > 0
        "specialised, competitive disadvantage",  # > 0, < 0: A < 0
        "not specialised, competitive advantage",  # < 0, > 0: A < 0
        "not specialised, competitive disadvantage",  # < 0, < 0: A > 0
        "none",  # E = E* or r_ir = r_i: A = 0
        "unknown",
    ]
)
"""Esteban-Marquillas (1972) typology of the allocation effect by the signs of its two factors."""


def _div(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.true_divide(a, b)
    return np.where(np.isfinite(out), out, np.nan)


@dataclass(frozen=True)
class EstebanMarquillas:
    """Every component for every area and sector, ``[A, S]`` (growth rates alongside)."""

    national: np.ndarray  # E_ir g_N
    mix: np.ndarray  # E_ir (r_i - g_N)
    competitive: np.ndarray  # E_ir (r_ir - r_i): the classic local effect
    homothetic_competitive: np.ndarray  # E*_ir (r_ir - r_i)
    allocation: np.ndarray  # (E_ir - E*_ir)(r_ir - r_i)
    homothetic: np.ndarray  # E*_ir = E_r E_i / E
    specialisation: np.ndarray  # E_ir - E*_ir
    advantage: np.ndarray  # r_ir - r_i
    allocation_type: np.ndarray  # labels from ALLOCATION_TYPES


def homothetic_employment(
    area_total: np.ndarray, nat_sector: np.ndarray, nat_total: float
) -> np.ndarray:
    """E*_ir = E_r E_i / E (Esteban-Marquillas 1972): ``[A]`` x ``[S]`` -> ``[A, S]``."""
    return np.asarray(area_total, dtype=float)[:, None] * _div(
        np.asarray(nat_sector, dtype=float), np.asarray(float(nat_total))
    )[None, :]


def allocation_type(specialisation: np.ndarray, advantage: np.ndarray) -> np.ndarray:
    """Label each cell by the signs of E_ir - E*_ir and r_ir - r_i (Esteban-Marquillas 1972)."""
    s, a = np.sign(specialisation), np.sign(advantage)
    code = np.select(
        [(s > 0) & (a > 0), (s > 0) & (a < 0), (s < 0) & (a > 0), (s < 0) & (a < 0)],
        [0, 1, 2, 3], default=4,
    )
    code = np.where(np.isnan(specialisation) | np.isnan(advantage), 5, code)
    return ALLOCATION_TYPES[code]


def esteban_marquillas(
    start: np.ndarray,
    end: np.ndarray,
    area_total: np.ndarray | None = None,
    nat_start: np.ndarray | None = None,
    nat_end: np.ndarray | None = None,
    nat_total_start: float | None = None,
    nat_total_end: float | None = None,
) -> EstebanMarquillas:
    """Esteban-Marquillas shift-share for every area and sector (see the module docstring).

    ``start``/``end``: employment ``[A, S]`` in the two years (NaN read as 0). ``area_total``:
    the areas' all-industry jobs E_r in the start year ``[A]`` (default: row sums of ``start``).
    ``nat_start``/``nat_end``: national employment by sector ``[S]`` (default: column sums) and
    ``nat_total_*`` the national all-industry totals (default: their sums). A sector with no
    jobs nationally at the start takes r_i = g_N. Where E_ir,0 = 0 the local growth rate is
    undefined: the competitive effect is E_ir,1 (as in the classic decomposition) and its split
    (homothetic competitive, allocation, advantage) is NaN.
    """
    e0 = np.nan_to_num(np.asarray(start, dtype=float))
    e1 = np.nan_to_num(np.asarray(end, dtype=float))
    n0 = e0.sum(axis=0) if nat_start is None else np.asarray(nat_start, dtype=float)
    n1 = e1.sum(axis=0) if nat_end is None else np.asarray(nat_end, dtype=float)
    t0 = float(n0.sum()) if nat_total_start is None else float(nat_total_start)
    t1 = float(n1.sum()) if nat_total_end is None else float(nat_total_end)
    e_r = e0.sum(axis=1) if area_total is None else np.asarray(area_total, dtype=float)

    g_n = t1 / t0 - 1.0
    r_i = _div(n1, n0) - 1.0
    r_i = np.where(np.isnan(r_i), g_n, r_i)[None, :]
    r_ir = np.where(e0 > 0, _div(e1, e0) - 1.0, np.nan)
    advantage = r_ir - r_i

    national = e0 * g_n
    mix = e0 * (r_i - g_n)
    competitive = (e1 - e0) - national - mix
    e_star = homothetic_employment(e_r, n0, t0)
    spec = e0 - e_star
    return EstebanMarquillas(
        national=national, mix=mix, competitive=competitive,
        homothetic_competitive=e_star * advantage, allocation=spec * advantage,
        homothetic=e_star, specialisation=spec, advantage=advantage,
        allocation_type=allocation_type(spec, advantage),
    )
