"""Hex maps of districts: positions on an "odd-r" hex grid (the map itself is
:func:`evidence.chart_specs.cluster_map_spec`, one Vega-Lite spec for the app and the reports).

Real districts take their position from the bundled Open Innovations hexjson (2023 districts;
older codes take the position of the 2023 district they are now part of). The synthetic demo's
fictional districts get positions on the same kind of grid: each demo region grows from the
hexes of the real region with the same code (the demo reuses the region codes), so the map has
the shape of Great Britain with each region one contiguous blob, while no fictional district
sits on a real district's hex "by name". The layout is deterministic (no randomness).

Grid: ``q`` is the column, ``r`` the row (north is larger ``r``); odd rows are shifted half a
hex to the right. ``hex_centres`` turns ``q, r`` into plot coordinates in hex widths.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from evidence.geography import GB_NATIONS, hexjson_path, load_geography, to_2023_codes

if TYPE_CHECKING:
    from evidence.dataset import SourceInfo

HEX_PATH = "M0,-1L0.8660254,-0.5L0.8660254,0.5L0,1L-0.8660254,0.5L-0.8660254,-0.5Z"
"""A pointy-top hexagon as an SVG path in Vega's [-1, 1] symbol box."""

Cell = tuple[int, int]

# --------------------------------------------------------------------------------------------
# Grid geometry
# --------------------------------------------------------------------------------------------


def neighbours(cell: Cell) -> list[Cell]:
    """The six neighbours of a hex in an odd-r layout (odd rows shifted right)."""
    q, r = cell
    if r & 1:
        return [(q + 1, r), (q - 1, r), (q, r - 1), (q + 1, r - 1), (q, r + 1), (q + 1, r + 1)]
    return [(q + 1, r), (q - 1, r), (q - 1, r - 1), (q, r - 1), (q - 1, r + 1), (q, r + 1)]


def hex_centres(q: Iterable[int] | pd.Series, r: Iterable[int] | pd.Series) -> tuple[
    np.ndarray, np.ndarray
]:
    """Plot coordinates (in hex widths) of odd-r cells: ``x = q + (r odd)/2``, ``y = r*sqrt3/2``."""
    q_arr = np.asarray(list(q), dtype=float)
    r_arr = np.asarray(list(r), dtype=int)
    return q_arr + 0.5 * (r_arr & 1), r_arr * (math.sqrt(3) / 2)


def _centre(cell: Cell) -> tuple[float, float]:
    x, y = hex_centres([cell[0]], [cell[1]])
    return float(x[0]), float(y[0])


def _dist2(cell: Cell, centre: tuple[float, float]) -> float:
    x, y = _centre(cell)
    return (x - centre[0]) ** 2 + (y - centre[1]) ** 2


def _mean_centre(cells: set[Cell]) -> tuple[float, float]:
    points = [_centre(c) for c in cells]
    return float(np.mean([p[0] for p in points])), float(np.mean([p[1] for p in points]))


def _connected(cells: set[Cell]) -> bool:
    if not cells:
        return True
    start = min(cells)
    seen = {start}
    todo = [start]
    while todo:
        for n in neighbours(todo.pop()):
            if n in cells and n not in seen:
                seen.add(n)
                todo.append(n)
    return len(seen) == len(cells)


# --------------------------------------------------------------------------------------------
# Real positions
# --------------------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def real_hexes() -> pd.DataFrame:
    """The bundled hexjson as a table: ``area_code, area_name, region_code, q, r`` (361 rows)."""
    with open(hexjson_path(), encoding="utf-8") as fh:
        hexes = json.load(fh)["hexes"]
    frame = pd.DataFrame(
        [(code, h["n"], h["region"], int(h["q"]), int(h["r"])) for code, h in hexes.items()],
        columns=["area_code", "area_name", "region_code", "q", "r"],
    )
    return frame.sort_values("area_code").reset_index(drop=True)


def real_hex_positions(codes: Iterable[str]) -> pd.DataFrame:
    """``area_code, hex_code, q, r`` for real district codes (2023 or older; unknown -> NaN).

    Older codes that merged share the hex of their 2023 district (``hex_code``).
    """
    codes = [str(c) for c in codes]
    hexes = real_hexes().set_index("area_code")
    current = to_2023_codes(codes)
    out = pd.DataFrame({"area_code": codes, "hex_code": current.to_numpy()})
    out["q"] = out["hex_code"].map(hexes["q"]).astype("Int64")
    out["r"] = out["hex_code"].map(hexes["r"]).astype("Int64")
    return out


# --------------------------------------------------------------------------------------------
# Synthetic positions
# --------------------------------------------------------------------------------------------


def _shrink(cells: set[Cell], n: int, land: set[Cell]) -> set[Cell]:
    """Drop cells farthest from the blob's centre, coast first, keeping it in one piece.

    A coast cell has a neighbour outside ``land`` (all the map's cells), so dropping it leaves
    no hole inside the map.
    """
    cells = set(cells)
    while len(cells) > n:
        centre = _mean_centre(cells)
        order = sorted(
            cells,
            key=lambda c: (all(nb in land for nb in neighbours(c)), -_dist2(c, centre), c),
        )
        removable = next((c for c in order if _connected(cells - {c})), order[0])
        cells.discard(removable)
    return cells


def _grow(cells: set[Cell], n: int, taken: set[Cell], seed: Cell) -> set[Cell]:
    """Add free neighbouring cells nearest the blob's centre (or the seed) until it has n."""
    cells = set(cells)
    if not cells:
        cells.add(seed)
        taken.add(seed)
    while len(cells) < n:
        centre = _mean_centre(cells)
        frontier = {nb for c in cells for nb in neighbours(c)} - taken - cells
        best = min(frontier, key=lambda c: (_dist2(c, centre), c))
        cells.add(best)
        taken.add(best)
    return cells


def synthetic_hex_positions(areas: pd.DataFrame) -> pd.DataFrame:
    """Hex positions for fictional districts: ``area_code, q, r`` (deterministic).

    ``areas`` is an areas table (rows of level ``lad`` are placed; others are ignored). Each
    region becomes one contiguous blob grown or trimmed from the real GB region with the same
    code; a region code the real map lacks starts a new blob east of the map. Within a region,
    districts are placed in code order from north-west to south-east.
    """
    lad = areas[areas["level"] == "lad"] if "level" in areas.columns else areas
    lad = lad.sort_values("area_code")
    real = real_hexes()
    real = real[real["area_code"].str[0].isin({"E", "W", "S"})]
    templates = {
        code: set(zip(part["q"], part["r"], strict=True))
        for code, part in real.groupby("region_code", sort=True)
    }
    wanted = lad.groupby("region_code", sort=True)["area_code"].apply(list).to_dict()
    land: set[Cell] = set().union(*templates.values())
    blobs: dict[str, set[Cell]] = {}
    for region, members in wanted.items():
        blobs[region] = _shrink(templates.get(region, set()), len(members), land)
    taken: set[Cell] = set().union(*blobs.values()) if blobs else set()
    # Cells of real regions the synthetic data does not use stay free for growth.
    max_q = int(real["q"].max())
    extra = 0
    for region, members in wanted.items():
        seed = (max_q + 4 + 6 * extra, int(real["r"].min()) + 2)
        if not blobs[region]:
            extra += 1
        blobs[region] = _grow(blobs[region], len(members), taken, seed)
    rows = []
    for region, members in wanted.items():
        cells = sorted(blobs[region], key=lambda c: (-c[1], c[0]))
        rows.extend((code, q, r) for code, (q, r) in zip(members, cells, strict=True))
    out = pd.DataFrame(rows, columns=["area_code", "q", "r"])
    return out.sort_values("area_code").reset_index(drop=True)


def hex_positions(areas: pd.DataFrame, synthetic: bool) -> pd.DataFrame:
    """``area_code, q, r`` for the districts of an areas table: real or synthetic layout.

    Pass ``dataset.source.synthetic``: synthetic (fictional) districts are laid out by
    ``synthetic_hex_positions`` even though their codes look like real ones.
    """
    if synthetic:
        return synthetic_hex_positions(areas)
    lad = areas[areas["level"] == "lad"] if "level" in areas.columns else areas
    found = real_hex_positions(lad["area_code"])
    return found[["area_code", "q", "r"]].dropna().reset_index(drop=True)


def gb_hex_frame() -> pd.DataFrame:
    """The real GB districts with names and q/r (for maps of real data)."""
    geo = load_geography().frame
    geo = geo[geo["nation"].isin(GB_NATIONS)]
    return pd.DataFrame(
        {
            "area_code": geo["district_code"],
            "area_name": geo["district_name"],
            "region_name": geo["region_name"],
            "q": geo["hex_q"],
            "r": geo["hex_r"],
        }
    ).reset_index(drop=True)


def no_map_reason(areas: pd.DataFrame, source: SourceInfo) -> str:
    """Why there is no cluster map (and so no spatial statistics) for a dataset none of whose
    areas has a position, its areas counted in the data's own word ("39 NUTS2 areas"). One
    sentence for the Analysis tab and the reports."""
    n = int((areas["level"] == "lad").sum())
    return (f"No map of these areas: the tool places Great Britain's local authority districts "
            f"(2023 codes) and the demo's districts on its hex map, and none of the "
            f"{source.areas_text(n)} in this data is one of them. Data by district give the map "
            "and the cluster statistics.")
