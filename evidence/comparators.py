"""Statistical nearest neighbours: the k areas most like one area in economic structure, size
and place type.

Following the ONS/CIPFA "nearest neighbour" approach, each area is described by standardised
features and neighbours are the areas at the smallest Euclidean distance among areas of the same
level. The features describe the whole economy, not advanced manufacturing, so that the area's
AM share can then be judged against its peers without the peers having been chosen on it:

* occupational structure: the share of jobs in each SOC 2020 major group (where loaded), and
  the share of residents qualified to level 4+;
* industrial structure: the share of jobs in each SIC division, when the data hold the whole
  economy by division (more than the Table 1 divisions and a "rest");
* size: log of total jobs;
* place type: the kind of district the GSS code names (E06 unitary, E07 shire district, E08
  metropolitan, E09 London borough, W06, S12), where codes are GSS codes.

Each block carries equal weight whatever its number of columns (place type half), so a city is
not paired with a village that happens to share an occupational mix.
"""

from __future__ import annotations

import math
import re

import numpy as np

from evidence.dataset import is_neighbourhood
from evidence.indicators import Indicators, zero_nan
from evidence.models import Comparator, models_from
from evidence.rounding import rounded
from evidence.sectors import load_sectors

BLOCK_WEIGHTS: dict[str, float] = {"occupations": 1.0, "industries": 1.0, "size": 1.0,
                                  "place_type": 0.5}
"""Relative weight of each block of features in the distance."""

_GSS_TYPE = re.compile(r"^[ENSW]\d\d")


def place_type(code: str) -> str | None:
    """The district type a GSS code names (its first three characters), or None."""
    return code[:3] if _GSS_TYPE.match(code) else None


def feature_blocks(ind: Indicators) -> dict[str, np.ndarray]:
    """Whole-economy features by block for the end year (see the module docstring); cached."""
    if "feature_blocks" in ind.cache:
        return ind.cache["feature_blocks"]
    cube, i1 = ind.cube, ind.i1
    blocks: dict[str, np.ndarray] = {}
    occ = []
    if cube.soc is not None:
        soc = np.nan_to_num(cube.soc[:, :, i1])
        tot = soc.sum(axis=1, keepdims=True)
        occ.append(np.divide(soc, tot, out=np.zeros_like(soc), where=tot > 0))
    if cube.level4 is not None:
        occ.append(np.nan_to_num(cube.level4[:, i1])[:, None])
    if occ:
        blocks["occupations"] = np.column_stack(occ)
    struct = np.nan_to_num(cube.structure[:, :, i1])
    if struct.shape[1] > len(load_sectors()) + 2:  # the whole economy by division
        tot = struct.sum(axis=1, keepdims=True)
        blocks["industries"] = np.divide(struct, tot, out=np.zeros_like(struct), where=tot > 0)
    blocks["size"] = np.log1p(np.nan_to_num(cube.total[:, i1]))[:, None]
    types = [place_type(str(c)) for c in cube.areas["area_code"]]
    kinds = sorted({t for t in types if t})
    if len(kinds) > 1:
        blocks["place_type"] = np.array([[float(t == k) for k in kinds] for t in types])
    ind.cache["feature_blocks"] = blocks
    return blocks


def comparison_features(ind: Indicators, rows: np.ndarray | None = None) -> np.ndarray:
    """Weighted z-scores [A, F] of the whole-economy features (rows: a subset of areas)."""
    out = []
    for name, block in feature_blocks(ind).items():
        x = block if rows is None else block[rows]
        z = _standardise(x)
        out.append(z * np.sqrt(BLOCK_WEIGHTS[name] / x.shape[1]))
    return np.column_stack(out)


def _standardise(x: np.ndarray) -> np.ndarray:
    sd = x.std(axis=0)
    sd = np.where(sd > 0, sd, 1.0)
    return (x - x.mean(axis=0)) / sd


def peer_features(ind: Indicators, level: str) -> tuple[np.ndarray, np.ndarray]:
    """Positions of the areas of one level and their weighted z-scores (cached per period)."""
    key = ("peer_features", level)
    if key not in ind.cache:
        peers = np.nonzero((ind.cube.areas["level"] == level).to_numpy())[0]
        ind.cache[key] = (peers, comparison_features(ind, peers))
    return ind.cache[key]


def _area_text(ind: Indicators) -> tuple[list[str], list[str], list[str | None], list[str]]:
    """Area codes, names, place types and levels as plain lists (cached): no pandas lookup a
    peer."""
    if "area_text" not in ind.cache:
        areas = ind.cube.areas
        codes = areas["area_code"].astype(str).tolist()
        ind.cache["area_text"] = (codes, areas["area_name"].astype(str).tolist(),
                                  [place_type(c) for c in codes],
                                  areas["level"].astype(str).tolist())
    return ind.cache["area_text"]


def _end_year(ind: Indicators) -> tuple[list[float], list[float]]:
    """Total jobs and the AM share of every area in the end year, as lists (cached)."""
    if "comparator_end_year" not in ind.cache:
        i1 = ind.i1
        ind.cache["comparator_end_year"] = (ind.cube.total[:, i1].tolist(),
                                            ind.am_share[:, i1].tolist())
    return ind.cache["comparator_end_year"]


def nearest_comparators(ind: Indicators, area_code: str, k: int = 5) -> list[Comparator]:
    """The k most similar areas of the same level, each with what makes it similar."""
    pos = ind.cube.position(area_code)
    found = _found(ind, k)
    if pos not in found:
        prepare_comparators(ind, [pos], k)
    return models_from(Comparator, [
        {"area_code": c, "area_name": n, "distance": d, "similar_because": why}
        for c, n, d, why in found[pos]])


def _found(ind: Indicators, k: int) -> dict[int, list[tuple[str, str, float, str]]]:
    """Each area's comparators as plain data, by cube position (cached per period and k)."""
    return ind.cache.setdefault(("comparators", k), {})


_BLOCK = 64
"""Areas whose distances to every peer are taken in one array ([block, peers, features])."""


def prepare_comparators(ind: Indicators, positions: list[int], k: int = 5) -> None:
    """Work out the comparators of the areas at ``positions`` together (a batch of profiles):
    each area's distances to its peers a block of areas at a time, the 'why similar' figures
    of every chosen pair as one array. Each area's row of distances is the same sum over the
    same features in the same order as alone, so its peers and words are the ones
    :func:`nearest_comparators` of that area alone gives."""
    cube = ind.cube
    found = _found(ind, k)
    codes, names, _, levels = _area_text(ind)
    todo = sorted({int(p) for p in positions} - found.keys())
    pairs: list[tuple[int, int, float]] = []  # (area, peer, distance) in the areas' order
    by_level: dict[str, list[int]] = {}
    for pos in todo:
        by_level.setdefault(levels[pos], []).append(pos)
    for level, mine in by_level.items():
        if level == "custom":
            for pos in mine:
                # A custom area is compared with partnership areas (the nearest predefined
                # scale).
                groups = np.nonzero((cube.areas["level"] == "group").to_numpy())[0]
                peer_pos = np.append(groups, pos)
                z = comparison_features(ind, peer_pos)
                me_custom = [len(peer_pos) - 1]
                _pick(_row_distances(z, me_custom), peer_pos, [0], [pos], k, pairs,
                      own=me_custom)
            continue
        peer_pos, z = peer_features(ind, level)
        me = np.searchsorted(peer_pos, mine).tolist()
        if len(mine) == len(peer_pos):  # every area of the level: half the sums suffice
            _pick(all_distances(z), peer_pos, me, mine, k, pairs)
            continue
        for lo in range(0, len(mine), _BLOCK):
            rows = me[lo:lo + _BLOCK]
            _pick(_row_distances(z, rows), peer_pos, list(range(len(rows))),
                  mine[lo:lo + _BLOCK], k, pairs, own=rows)
    reasons = similarity_reasons(ind, [a for a, _, _ in pairs], [b for _, b, _ in pairs])
    for pos in todo:
        found[pos] = []
    for (a, b, d), why in zip(pairs, reasons, strict=True):
        found[a].append((codes[b], names[b], d, why))


def _row_distances(z: np.ndarray, rows: list[int]) -> np.ndarray:
    """``[len(rows), n]``: each row's ``sqrt(((z - z[m]) ** 2).sum(axis=1))``."""
    return np.sqrt(((z[None, :, :] - z[rows][:, None, :]) ** 2).sum(axis=2))


def all_distances(z: np.ndarray) -> np.ndarray:
    """``[n, n]`` Euclidean distances between the rows of ``z``, each entry the sum an area's
    own row gives (``sqrt(((z - z[m]) ** 2).sum(axis=1))``): (a - b)^2 and (b - a)^2 are the
    same double, so the upper triangle is worked out a block of rows at a time and mirrored."""
    n = len(z)
    out = np.empty((n, n))
    for lo in range(0, n, _BLOCK):
        hi = min(lo + _BLOCK, n)
        d = z[None, lo:, :] - z[lo:hi, None, :]
        np.square(d, out=d)
        part = np.sqrt(d.sum(axis=2))  # [rows lo:hi, columns lo:n]
        out[lo:hi, lo:] = part
        out[lo:, lo:hi] = part.T
    return out


def nearest_order(d: np.ndarray, n: int) -> list[list[int]]:
    """Each row's first ``n`` columns in a stable argsort (smallest first, ties in column
    order), without sorting whole rows: every column up to the n-th smallest value (ties
    included) is sorted, the rest never are. The same lists as
    ``np.argsort(d, axis=1, kind="stable")[:, :n]``."""
    if not 0 < n < d.shape[1] or not np.isfinite(d).all():
        return np.argsort(d, axis=1, kind="stable")[:, :n].tolist()
    kth = np.partition(d, n - 1, axis=1)[:, n - 1]
    out = []
    for row, cut in zip(d, kth.tolist(), strict=True):
        near = np.flatnonzero(row <= cut)
        out.append(near[np.argsort(row[near], kind="stable")][:n].tolist())
    return out


def _pick(dist: np.ndarray, peer_pos: np.ndarray, rows: list[int], areas: list[int], k: int,
          pairs: list[tuple[int, int, float]], own: list[int] | None = None) -> None:
    """The k nearest peers of each of ``areas`` (its distances: row ``rows[i]`` of ``dist``;
    its own column: ``own[i]``, default ``rows[i]``), appended to ``pairs``: the nearest
    first, ties in peer order - the first k + 1 of a stable argsort of the row, less the area
    itself, found from the (k + 1)-th smallest distance without sorting the whole row."""
    own = rows if own is None else own
    peers = peer_pos.tolist()
    d = dist[rows]
    order = nearest_order(d, k + 1)
    for r, (pos, m) in enumerate(zip(areas, own, strict=True)):
        chosen = [j for j in order[r] if j != m][:k]
        shown = rounded(d[r, chosen], 3).tolist()
        pairs.extend((pos, peers[j], v) for j, v in zip(chosen, shown, strict=True))


def comparators_from_codes(ind: Indicators, area_code: str, codes: list[str]) -> list[Comparator]:
    """User-chosen comparators, with the same 'why similar' text and distance."""
    cube = ind.cube
    pos = cube.position(area_code)
    feats = comparison_features(ind)
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
    """Plain words on what makes two areas similar: size, place type, and how close their
    occupational and industrial structures are (the features peers are chosen on)."""
    return similarity_reasons(ind, [a], [b])[0]


def similarity_reasons(ind: Indicators, a: list[int], b: list[int]) -> list[str]:
    """:func:`similarity_reason` of each pair ``(a[i], b[i])``, the structures' distances for
    all pairs as one array (each pair's the same sum over the same columns)."""
    total, am_share = _end_year(ind)
    _, _, types, levels = _area_text(ind)
    blocks = feature_blocks(ind)
    ia, ib = np.asarray(a, dtype=np.intp), np.asarray(b, dtype=np.intp)
    occ_alike = ind_alike = None
    if "occupations" in blocks and ind.cube.soc is not None:
        occ = blocks["occupations"][:, :9]
        occ_alike = (1 - 0.5 * np.abs(occ[ia] - occ[ib]).sum(axis=1)).tolist()
    if "industries" in blocks:
        mix = blocks["industries"]
        ind_alike = (1 - 0.5 * np.abs(mix[ia] - mix[ib]).sum(axis=1)).tolist()
    out = []
    for n, (pa, pb) in enumerate(zip(a, b, strict=True)):
        ratio = total[pb] / total[pa] if total[pa] else math.nan
        size_word = "similar size" if 0.67 <= ratio <= 1.5 else "size"
        parts = [f"{size_word} ({total[pa]:,.0f} vs {total[pb]:,.0f} jobs, {ind.end})"]
        ta, tb = types[pa], types[pb]
        if ta and ta == tb:
            kind = "neighbourhood" if is_neighbourhood(levels[pa]) else "district"
            parts.append(f"same type of {kind} ({ta})")
        if occ_alike is not None:
            parts.append(f"occupational mix {occ_alike[n]:.0%} alike")
        if ind_alike is not None:
            parts.append(f"industry mix {ind_alike[n]:.0%} alike")
        parts.append(
            f"advanced manufacturing share {zero_nan(am_share[pa]):.1%} vs "
            f"{zero_nan(am_share[pb]):.1%} (not used to choose peers)")
        out.append("; ".join(parts))
    return out
