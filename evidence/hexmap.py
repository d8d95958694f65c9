"""Hex maps of districts: positions on an "odd-r" hex grid and an offline Altair hex map.

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
    import altair as alt

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


# --------------------------------------------------------------------------------------------
# Chart
# --------------------------------------------------------------------------------------------


def hex_map(
    frame: pd.DataFrame,
    value_column: str,
    title: str,
    legend_title: str,
    focus_code: str | None = None,
    outline_codes: Iterable[str] = (),
    *,
    hex_px: float = 13.0,
    scheme: str = "viridis",
) -> alt.LayerChart:
    """An offline hex map (Altair): one hexagon per district coloured by ``value_column``.

    ``frame`` has ``area_code``, ``value_column`` and ``q``, ``r`` (from ``hex_positions``;
    when absent, real hexjson positions are looked up by code), optionally ``area_name``.
    Districts without a value are drawn light grey ("no data"). ``focus_code`` is outlined in
    black, ``outline_codes`` (e.g. comparators) in orange. No tiles, no network.
    ValueError when no area has a position (NUTS2 regions, say): a map needs one; callers
    check :func:`hex_positions` first and say why in words.
    """
    import altair as alt  # deferred: ~0.4 s to import, and only drawing a map needs it

    data = frame.copy()
    if "q" not in data.columns or "r" not in data.columns:
        pos = real_hex_positions(data["area_code"])
        data["q"], data["r"] = pos["q"].to_numpy(), pos["r"].to_numpy()
    data = data[data["q"].notna() & data["r"].notna()].copy()
    if data.empty:  # no extent to draw: say so, not "cannot convert float NaN to integer"
        raise ValueError("no area has a hex position: the hex map places GB local authority "
                         "districts (2023 codes) and the synthetic demo's districts only")
    if "area_name" not in data.columns:
        data["area_name"] = data["area_code"]
    data["x"], data["y"] = hex_centres(data["q"].astype(int), data["r"].astype(int))
    data = data[["area_code", "area_name", "x", "y", value_column]].copy()
    data[value_column] = pd.to_numeric(data[value_column], errors="coerce").astype(float)
    data["area_code"] = data["area_code"].astype(str)
    data["area_name"] = data["area_name"].astype(str)

    x0, x1 = float(data["x"].min()) - 1, float(data["x"].max()) + 1
    y0, y1 = float(data["y"].min()) - 1, float(data["y"].max()) + 1
    width, height = (x1 - x0) * hex_px, (y1 - y0) * hex_px
    size = 4 * hex_px**2 / 3  # a hexagon hex_px wide (flat side to flat side)
    x = alt.X("x:Q", scale=alt.Scale(domain=[x0, x1], nice=False, zero=False), axis=None)
    y = alt.Y("y:Q", scale=alt.Scale(domain=[y0, y1], nice=False, zero=False), axis=None)
    tooltip = [
        alt.Tooltip("area_name:N", title="Area"),
        alt.Tooltip("area_code:N", title="Code"),
        alt.Tooltip(f"{value_column}:Q", title=legend_title, format=",.2f"),
    ]
    base = alt.Chart(data).encode(x=x, y=y, tooltip=tooltip)
    hexes = dict(shape=HEX_PATH, size=size, filled=True, opacity=1)
    layers = [
        base.mark_point(**hexes, color="#e3e3e3", stroke="white", strokeWidth=0.4),
        base.transform_filter(f"isValid(datum['{value_column}'])")
        .mark_point(**hexes, stroke="white", strokeWidth=0.4)
        .encode(
            color=alt.Color(
                f"{value_column}:Q",
                title=legend_title,
                scale=alt.Scale(scheme=scheme),
                legend=alt.Legend(orient="right", gradientLength=max(120, height / 3)),
            )
        ),
    ]
    outlined = [c for c in outline_codes if c != focus_code]
    outline = dict(shape=HEX_PATH, size=size, filled=False, opacity=1)
    if outlined:
        layers.append(
            base.transform_filter(alt.FieldOneOfPredicate(field="area_code", oneOf=outlined))
            .mark_point(**outline, stroke="#e66101", strokeWidth=2)
        )
    if focus_code is not None:
        layers.append(
            base.transform_filter(alt.FieldEqualPredicate(field="area_code", equal=focus_code))
            .mark_point(**outline, stroke="black", strokeWidth=3)
        )
    return alt.layer(*layers).properties(
        title=title, width=round(width), height=round(height),
        view=alt.ViewBackground(stroke=None)
    )
