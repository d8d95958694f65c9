"""The extra context columns (``evidence.dataset.CONTEXT_EXTRA``) as cube arrays, area x year.

Skills, R&D and occupations have their own cube arrays (``Cube.level4``, ``berd``, ``soc``);
the columns the NOMIS context readers add beside them (the level 4+ share's confidence interval
and denominator, manufacturing enterprises by size band, the data year behind each) live in
``Cube.extra`` by column name. An aggregate area (partnership, region, custom area) gets each
from its member areas by the column's rule:

``sum``
    counts (people, enterprises) are added up; NaN only when every member is NaN.
``ci``
    the 95% confidence half-width of a share that the cube averages with job weights ``w``:
    for independent area samples the variance of ``sum w_i p_i / sum w_i`` is
    ``sum w_i^2 var_i / (sum w_i)^2``, so the half-width is ``sqrt(sum (w_i ci_i)^2) / sum w_i``;
    NaN when any member's half-width is unknown.
``year``
    the data year behind the value: the latest of the members'.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from evidence.columns import Columns
from evidence.dataset import CONTEXT_EXTRA

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["aggregate_extra", "extra_arrays"]


def extra_arrays(
    ctx: pd.DataFrame | Columns | None, area_order: list[str], years: np.ndarray
) -> dict[str, np.ndarray]:
    """``{column: [A, Y] array}`` for each ``CONTEXT_EXTRA`` column the context table has.

    Rows for areas not in ``area_order`` or years not in ``years`` are left out; cells without a
    row are NaN.
    """
    if ctx is None or not len(ctx):
        return {}
    columns = [c for c in CONTEXT_EXTRA if c in ctx.columns]
    if not columns:
        return {}
    pos = {c: i for i, c in enumerate(area_order)}
    a = np.array([pos.get(c, -1) for c in np.asarray(ctx["area_code"], dtype=object).tolist()],
                 dtype=np.int64)
    year = np.asarray(ctx["year"])
    keep = (a >= 0) & np.isin(year, years)
    a_idx = a[keep]
    y_idx = np.searchsorted(years, year[keep])
    out = {}
    for name in columns:
        arr = np.full((len(area_order), len(years)), np.nan)
        arr[a_idx, y_idx] = np.asarray(ctx[name], dtype=float)[keep]
        out[name] = arr
    return out


def _aggregate(x: np.ndarray, rule: str, members: np.ndarray, weights: np.ndarray) -> np.ndarray:
    part = x[members]
    if not len(members) or np.all(np.isnan(part), axis=0).all():
        return np.full(x.shape[1], np.nan)
    if rule == "sum":
        return np.where(np.all(np.isnan(part), axis=0), np.nan, np.nansum(part, axis=0))
    if rule == "year":
        with np.errstate(invalid="ignore"):
            return np.where(np.all(np.isnan(part), axis=0), np.nan,
                            np.nanmax(np.where(np.isnan(part), -np.inf, part), axis=0))
    w = np.nan_to_num(weights[members])
    with np.errstate(invalid="ignore", divide="ignore"):
        ci = np.sqrt(np.sum((w * part) ** 2, axis=0)) / w.sum(axis=0)
    return np.where(np.any(np.isnan(part), axis=0) | (w.sum(axis=0) <= 0), np.nan, ci)


def aggregate_extra(
    extra: dict[str, np.ndarray], member_positions: list[np.ndarray], weights: np.ndarray
) -> dict[str, np.ndarray]:
    """``extra`` with one row appended per aggregate (its members' positions), by each
    column's rule; ``weights`` [A, Y] are the job counts the cube weights shares with."""
    out = {}
    for name, x in extra.items():
        rule = CONTEXT_EXTRA.get(name, "sum")
        rows = [_aggregate(x, rule, np.asarray(m, dtype=np.int64), weights)
                for m in member_positions]
        out[name] = np.concatenate([x, np.stack(rows)], axis=0) if rows else x
    return out
