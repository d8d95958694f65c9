"""Hex positions (real and synthetic) and the hex map drawn from them (cluster_map_spec)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from evidence.chart_specs import cluster_map_spec
from evidence.hexmap import (
    HEX_PATH,
    gb_hex_frame,
    hex_positions,
    neighbours,
    real_hex_positions,
    real_hexes,
    synthetic_hex_positions,
)
from evidence.sources.demo import load_bundled_demo

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def _components(cells: set[tuple[int, int]]) -> int:
    left, count = set(cells), 0
    while left:
        count += 1
        todo = [left.pop()]
        while todo:
            for n in neighbours(todo.pop()):
                if n in left:
                    left.discard(n)
                    todo.append(n)
    return count


@pytest.fixture(scope="module")
def demo_areas() -> pd.DataFrame:
    return load_bundled_demo().areas


def test_neighbours_are_symmetric() -> None:
    for cell in [(0, 0), (3, 1), (-2, -1), (5, 8)]:
        for n in neighbours(cell):
            assert cell in neighbours(n)


def test_real_positions_come_from_the_hexjson() -> None:
    pos = real_hex_positions(["E08000003", "E07000026", "X01"]).set_index("area_code")
    assert (pos.loc["E08000003", "q"], pos.loc["E08000003", "r"]) == (5, 12)
    assert pos.loc["E07000026", "hex_code"] == "E06000063"  # Allerdale -> Cumberland's hex
    assert pd.isna(pos.loc["X01", "q"])
    assert len(real_hexes()) == 361


def test_synthetic_positions_deterministic_unique_and_regional(demo_areas) -> None:
    first = synthetic_hex_positions(demo_areas)
    again = hex_positions(demo_areas, synthetic=True)
    lad = demo_areas[demo_areas["level"] == "lad"]
    assert len(first) == len(lad) == 360
    pd.testing.assert_frame_equal(first, again)
    assert not first.duplicated(["q", "r"]).any()
    merged = first.merge(lad[["area_code", "region_code"]], on="area_code")
    real = real_hexes()
    for region, part in merged.groupby("region_code"):
        cells = set(zip(part["q"], part["r"], strict=True))
        template = real[real["region_code"] == region]
        real_parts = _components(set(zip(template["q"], template["r"], strict=True)))
        assert _components(cells) <= real_parts, region  # islands stay islands, no new pieces


def test_real_dataset_positions_use_the_real_layout() -> None:
    areas = pd.DataFrame({"area_code": ["E08000003", "W06000015"], "level": ["lad", "lad"]})
    pos = hex_positions(areas, synthetic=False)
    hexes = real_hexes().set_index("area_code")
    assert pos["q"].tolist() == hexes.loc[["E08000003", "W06000015"], "q"].tolist()
    assert pos["r"].tolist() == hexes.loc[["E08000003", "W06000015"], "r"].tolist()


def _records(frame: pd.DataFrame, values: list[float]) -> list[dict]:
    """The cluster map's records (``evidence.area_analysis.cluster_map_frame``'s columns)."""
    out = frame.assign(area_name=frame["area_code"], lq=values, hot_spot=False)
    return out[["area_code", "area_name", "q", "r", "lq", "hot_spot"]].to_dict("records")


def test_hex_map_spec_and_png(demo_areas) -> None:
    frame = gb_hex_frame()
    values = frame["r"].astype(float).tolist()
    values[:3] = [float("nan")] * 3
    spec = cluster_map_spec(_records(frame, values), "Row", 2024, "E08000003",
                            ["E08000001", "E08000002"])
    assert spec["title"].startswith("Row")
    layers = spec["layer"]
    assert len(layers) >= 4  # background, values, comparator outlines, focus outline
    assert all(layer["mark"]["shape"] == HEX_PATH for layer in layers[:4])
    colour = layers[1]["encoding"]["color"]
    assert colour["field"] == "lq" and colour["scale"] == {"scheme": "viridis"}
    assert any(layer["mark"].get("stroke") == "black" for layer in layers)
    data = next(iter(spec["datasets"].values()))
    assert len(data) == 350 and {"x", "y", "area_code", "lq"} <= set(data[0])
    import vl_convert as vlc

    png = vlc.vegalite_to_png(spec, scale=1)
    assert png[:4] == b"\x89PNG"
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "hexmap_gb.png").write_bytes(png)
    # The synthetic demo's layout draws too.
    pos = hex_positions(demo_areas, synthetic=True)
    demo_spec = cluster_map_spec(_records(pos, [float(i) for i in range(len(pos))]), "n",
                                 2024, None)
    assert len(next(iter(demo_spec["datasets"].values()))) == 360
