"""Statistical nearest neighbours: the k areas most like one area in industrial structure and size.

Following the ONS/CIPFA "nearest neighbour" approach, each area is described by standardised
features (here: the share of local jobs in each Table 1 sector and the log of total jobs), and
neighbours are the areas at the smallest Euclidean distance among areas of the same level.
Size gets the same weight as the whole sector mix so that a city is not paired with a village
that happens to share one specialism.
"""

from __future__ import annotations

import numpy as np

from evidence.indicators import Indicators
from evidence.models import Comparator
from evidence.sectors import load_sectors


def comparison_features(ind: Indicators) -> np.ndarray:
    """Feature matrix [A, S+1] for the end year: sector shares and log total jobs."""
    i1 = ind.i1
    shares = np.nan_to_num(ind.share[:, :, i1])
    size = np.log1p(np.nan_to_num(ind.cube.total[:, i1]))
    return np.column_stack([shares, size])


def _standardise(x: np.ndarray) -> np.ndarray:
    sd = x.std(axis=0)
    sd = np.where(sd > 0, sd, 1.0)
    return (x - x.mean(axis=0)) / sd


def _weighted_z(feats: np.ndarray) -> np.ndarray:
    z = _standardise(feats)
    # Size counts as much as the whole sector mix.
    z[:, -1] *= np.sqrt(z.shape[1] - 1)
    return z


def peer_features(ind: Indicators, level: str) -> tuple[np.ndarray, np.ndarray]:
    """Positions of the areas of one level and their weighted z-scores (cached per period)."""
    key = ("peer_features", level)
    if key not in ind.cache:
        peers = np.nonzero((ind.cube.areas["level"] == level).to_numpy())[0]
        ind.cache[key] = (peers, _weighted_z(comparison_features(ind)[peers]))
    return ind.cache[key]


def nearest_comparators(ind: Indicators, area_code: str, k: int = 5) -> list[Comparator]:
    """The k most similar areas of the same level, each with what makes it similar."""
    cube = ind.cube
    pos = cube.position(area_code)
    level = str(cube.areas["level"].iloc[pos])
    if level == "custom":
        # A custom area is compared with partnership areas (the nearest predefined scale).
        groups = np.nonzero((cube.areas["level"] == "group").to_numpy())[0]
        peer_pos = np.append(groups, pos)
        z = _weighted_z(comparison_features(ind)[peer_pos])
    else:
        peer_pos, z = peer_features(ind, level)
    me = int(np.nonzero(peer_pos == pos)[0][0])
    dist = np.sqrt(((z - z[me]) ** 2).sum(axis=1))
    order = np.argsort(dist, kind="stable")
    chosen = [int(j) for j in order if j != me][:k]
    return [
        Comparator(
            area_code=str(cube.areas["area_code"].iloc[peer_pos[j]]),
            area_name=str(cube.areas["area_name"].iloc[peer_pos[j]]),
            distance=round(float(dist[j]), 3),
            similar_because=similarity_reason(ind, pos, int(peer_pos[j])),
        )
        for j in chosen
    ]


def comparators_from_codes(ind: Indicators, area_code: str, codes: list[str]) -> list[Comparator]:
    """User-chosen comparators, with the same 'why similar' text and distance."""
    cube = ind.cube
    pos = cube.position(area_code)
    feats = _standardise(comparison_features(ind))
    out = []
    for code in codes:
        other = cube.position(code)
        out.append(
            Comparator(
                area_code=code,
                area_name=str(cube.areas["area_name"].iloc[other]),
                distance=round(float(np.linalg.norm(feats[pos] - feats[other])), 3),
                similar_because=similarity_reason(ind, pos, other) + " (chosen by user)",
            )
        )
    return out


def similarity_reason(ind: Indicators, a: int, b: int) -> str:
    """Plain words on what two areas share: size and the specialisms both have (LQ >= 1.25)."""
    i1 = ind.i1
    total = ind.cube.total[:, i1]
    ratio = total[b] / total[a] if total[a] else np.nan
    size_word = "similar size" if 0.67 <= ratio <= 1.5 else "size"
    parts = [f"{size_word} ({total[a]:,.0f} vs {total[b]:,.0f} jobs, {ind.end})"]
    sectors = load_sectors()
    lq_a, lq_b = ind.lq[a, :, i1], ind.lq[b, :, i1]
    both = [
        f"{sectors[s].label.lower()} (LQ {lq_a[s]:.1f} vs {lq_b[s]:.1f})"
        for s in np.argsort(-np.nan_to_num(np.minimum(lq_a, lq_b)))
        if np.nan_to_num(lq_a[s]) >= 1.25 and np.nan_to_num(lq_b[s]) >= 1.25
    ][:2]
    if both:
        parts.append("both specialised in " + " and ".join(both))
    else:
        am_a, am_b = ind.am_share[a, i1], ind.am_share[b, i1]
        parts.append(
            f"advanced manufacturing share {np.nan_to_num(am_a):.1%} vs {np.nan_to_num(am_b):.1%}"
        )
    return "; ".join(parts)
