"""Write the k-d tree's nearest neighbours of the bundled demo's district points.

    python scripts/knn_table.py   # writes evidence/data/geography/knn_neighbours.npz

The synthetic demo's districts sit on a hex lattice, where each has six neighbours at exactly
one hex width and more at equal distances beyond: which of them are a district's k nearest,
and in which order, is what scipy's k-d tree (inside libpysal's ``KNN``) happens to return. The
spatial statistics read those answers from this table instead of importing scipy.spatial
(0.2-0.5 s) in every command; any other point set is worked out when it is asked for.
``tests/evidence/analysis/test_spatial_esda.py`` checks the table against the tree. Run this
again when the bundled geography, the hex layout or scipy's k-d tree changes.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from evidence.analysis.spatial import (  # noqa: E402
    DEFAULT_K,
    KNN_TABLE,
    kdtree_nearest,
    point_set_key,
)
from evidence.area_analysis import district_centroids  # noqa: E402
from evidence.service import Evidence  # noqa: E402


def bundled_point_sets() -> dict[str, np.ndarray]:
    """The district points of the bundled demo: its hex lattice and its ONS centroids."""
    areas = Evidence.from_path(None).cube.areas
    lad = areas[areas["level"] == "lad"]
    return {name: district_centroids(lad, synthetic)[0][["x", "y"]].to_numpy(dtype=float)
            for name, synthetic in (("hex lattice", True), ("ONS centroids", False))}


def table(k: int = DEFAULT_K) -> dict[str, np.ndarray]:
    return {point_set_key(c, k): kdtree_nearest(c, k).astype(np.int16)
            for c in bundled_point_sets().values()}


if __name__ == "__main__":
    np.savez_compressed(KNN_TABLE, **table())
    print(f"wrote {KNN_TABLE}")
