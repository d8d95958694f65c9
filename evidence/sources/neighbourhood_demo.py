"""Synthetic neighbourhoods: each demo district's jobs split into MSOA-like (or LSOA-like) areas.

Why: neighbourhood files (NOMIS publishes BRES for about 7,000 MSOAs and 35,000 LSOAs in
England and Wales) must be testable and benchmarkable without a download, and a split whose
parts add back to a known district is the strongest test of the roll-up: summed into their
districts, the neighbourhoods give the district demo back exactly.

How (deterministic for a seed): every district of the base dataset (the synthetic demo, or
any dataset with districts) gets ``k`` neighbourhoods, ``k`` from its first-year jobs
(``jobs_per_area``), named ``"<District> 001"`` ... as ONS names them (LSOAs ``"<District>
001A"``), coded ``E02``/``W02``/``S02`` (MSOA, Intermediate Zone) or ``E01``/``W01``/``S01``
(LSOA, Data Zone) plus a running number. Each neighbourhood has a size and a lean for every
industry (gamma and log-normal draws, fixed over the years, so neighbourhoods specialise);
every district cell is split among its neighbourhoods in whole rounding units (multiples of
5 for the demo) by sequential binomial draws, so the parts sum to the cell exactly. A
suppressed district cell is suppressed in every part; the ``TOTAL`` of a part is its known
cells plus its share (by size) of the rest of the district's total. With ``suppress`` > 0
that share of the parts' cells holding 5 or 10 jobs is suppressed as BRES does for small
areas (the parts then add up to less than the district: a lower bound, as with real data).
GVA and context (APS, R&D) are not published for neighbourhoods and are left out.

Codes and names are invented, like the district demo's: nothing here is a real statistic.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from evidence.dataset import (
    AREA_COLUMNS,
    EMPLOYMENT_COLUMNS,
    Dataset,
    SourceInfo,
    validate_dataset,
)
from evidence.sectors import TOTAL_CODE
from evidence.sources.neighbourhoods import SMALL_AREA_NOTE

__all__ = ["LEVEL_CODES", "generate_neighbourhoods"]

LEVEL_CODES: dict[str, dict[str, tuple[str, str]]] = {
    "msoa": {"E": ("E02", "msoa"), "W": ("W02", "msoa"), "S": ("S02", "iz")},
    "lsoa": {"E": ("E01", "lsoa"), "W": ("W01", "lsoa"), "S": ("S01", "dz")},
}
"""Neighbourhood kind -> nation letter of the district code -> (GSS prefix, level)."""
JOBS_PER_AREA = {"msoa": 4_000, "lsoa": 800}
"""Typical BRES jobs in one area (GB: ~31m jobs over ~7,000 MSOAs / ~35,000 LSOAs)."""
SIZE_SHAPE = 2.0  # gamma shape of a neighbourhood's size: most alike, a few big centres
LEAN_SIGMA = 0.9  # log-normal spread of an industry's lean in one neighbourhood
MAX_PARTS = {"msoa": 150, "lsoa": 700}
"""At most this many neighbourhoods a district (Birmingham, the largest, has 132 MSOAs and
639 LSOAs of 2021)."""
CHUNK_CELLS = 8_000_000  # rows x parts split at once: bounds the generator's working memory


def _parts(base: Dataset, kind: str, jobs_per_area: int, max_parts: int) -> pd.DataFrame:
    """One row per neighbourhood: code, name, level, district, region, position in district."""
    areas = base.areas
    lad = areas[areas["level"] == "lad"].sort_values("area_code").reset_index(drop=True)
    emp = base.employment
    first = emp[(emp["sic"] == TOTAL_CODE) & (emp["year"] == min(base.years))]
    jobs = first.set_index("area_code")["employment"].reindex(lad["area_code"]).fillna(0.0)
    k = np.clip(np.round(jobs.to_numpy() / jobs_per_area), 2, max_parts).astype(int)
    rows = []
    counters: dict[str, int] = {}
    for (_, d), n in zip(lad.iterrows(), k, strict=True):
        prefix, level = LEVEL_CODES[kind][str(d["area_code"])[0]]
        for j in range(n):
            counters[prefix] = counters.get(prefix, 0) + 1
            number = f"{j // 5 + 1:03d}{'ABCDE'[j % 5]}" if kind == "lsoa" else f"{j + 1:03d}"
            rows.append({
                "area_code": f"{prefix}{counters[prefix]:06d}",
                "area_name": f"{d['area_name']} {number}",
                "level": level,
                "group_code": d["area_code"],
                "group_name": d["area_name"],
                "region_code": d["region_code"],
                "region_name": d["region_name"],
                "slot": j,
            })
    return pd.DataFrame(rows)


def _split(units: np.ndarray, weights: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Split each row's ``units`` among its columns with probabilities ``weights`` (rows sum
    to 1 over their columns; zero weight = no such part): sequential binomials, exact sums."""
    out = np.zeros(weights.shape, dtype=np.int64)
    left = units.astype(np.int64)
    rest = weights.sum(axis=1)
    for j in range(weights.shape[1]):
        w = weights[:, j]
        p = np.divide(w, rest, out=np.zeros_like(w), where=rest > 0)
        take = rng.binomial(left, np.clip(p, 0.0, 1.0))
        out[:, j] = take
        left = left - take
        rest = rest - w
    return out


def _split_rows(
    rows: pd.DataFrame,
    d_index: dict[str, int],
    slot_part: np.ndarray,
    size: np.ndarray,
    lean: np.ndarray,
    sics: np.ndarray,
    unit: float,
    suppress: float,
    rng: np.random.Generator,
    part_codes: np.ndarray,
) -> pd.DataFrame:
    """The neighbourhood rows of some districts' rows (all their years and industries)."""
    d_of = rows["area_code"].map(d_index).to_numpy()
    sic_of = np.searchsorted(sics, rows["sic"].astype(str).to_numpy())
    part_of = slot_part[d_of]  # [R, slots], -1 where the district has fewer parts
    used = int((part_of >= 0).sum(axis=1).max())
    part_of = part_of[:, :used]
    exists = part_of >= 0
    safe = np.where(exists, part_of, 0)
    weights = np.where(exists, size[safe] * lean[safe, sic_of[:, None]], 0.0)
    weights /= weights.sum(axis=1, keepdims=True)

    is_total = rows["sic"].to_numpy() == TOTAL_CODE
    value = rows["employment"].to_numpy(dtype=float)
    known = ~np.isnan(value) & ~is_total
    units = np.where(known, np.floor(np.nan_to_num(value) / unit), 0)
    split = _split(units, weights, rng).astype(float) * unit
    split[:, 0] += np.where(known, np.nan_to_num(value) - units * unit, 0.0)  # off-unit rest

    # TOTAL: each part's known cells plus its share (by size) of the district's remainder.
    key = pd.MultiIndex.from_arrays([rows["area_code"], rows["year"]])
    known_sum = pd.DataFrame(np.where(known[:, None], split, 0.0)).groupby(
        key).sum().reindex(key).to_numpy()
    rest = np.where(is_total, np.nan_to_num(value) - known_sum.sum(axis=1), 0.0)
    size_w = np.where(exists, size[safe], 0.0)
    size_w /= size_w.sum(axis=1, keepdims=True)
    rest_units = np.where(rest > 0, np.floor(rest / unit), 0)
    rest_split = _split(rest_units, size_w, rng).astype(float) * unit
    rest_split[:, 0] += np.where(rest > 0, rest - rest_units * unit, 0.0)
    split = np.where(is_total[:, None], known_sum + rest_split, split)

    r_idx, s_idx = np.nonzero(exists)
    values = split[r_idx, s_idx]
    suppressed = rows["suppressed"].to_numpy()[r_idx] & ~is_total[r_idx]
    if suppress > 0:
        small = (values > 0) & (values <= 2 * unit) & ~is_total[r_idx]
        suppressed |= small & (rng.random(len(values)) < suppress)
    return pd.DataFrame({
        "area_code": part_codes[part_of[r_idx, s_idx]],
        "year": rows["year"].to_numpy()[r_idx],
        "sic": rows["sic"].to_numpy()[r_idx],
        "employment": np.where(suppressed, np.nan, values),
        "suppressed": suppressed,
    })


def generate_neighbourhoods(
    base: Dataset,
    kind: str = "msoa",
    seed: int = 2021,
    *,
    jobs_per_area: int | None = None,
    max_parts: int | None = None,
    suppress: float = 0.0,
) -> Dataset:
    """The neighbourhoods of ``base``'s districts (see the module docstring); ``base``'s
    other rows (Great Britain) are kept, its district rows replaced by their parts."""
    if kind not in LEVEL_CODES:
        raise ValueError(f"kind must be one of {sorted(LEVEL_CODES)}, not {kind!r}")
    rng = np.random.default_rng(seed)
    unit = float(base.source.rounding or 1)
    parts = _parts(base, kind, jobs_per_area or JOBS_PER_AREA[kind],
                   max_parts or MAX_PARTS[kind])
    districts = sorted(set(parts["group_code"]))
    d_index = {c: i for i, c in enumerate(districts)}
    n_slots = int(parts["slot"].max()) + 1
    slot_part = np.full((len(districts), n_slots), -1)
    slot_part[parts["group_code"].map(d_index).to_numpy(), parts["slot"].to_numpy()] = \
        np.arange(len(parts))
    size = rng.gamma(SIZE_SHAPE, 1.0, len(parts))

    emp = base.employment
    in_lad = emp["area_code"].isin(d_index).to_numpy()
    sics = np.unique(emp.loc[in_lad, "sic"].astype(str).to_numpy())
    lean = rng.lognormal(0.0, LEAN_SIGMA, (len(parts), len(sics)))
    chunks = []
    lad_rows = emp[in_lad]
    by_district = lad_rows.groupby(lad_rows["area_code"].map(d_index), sort=True).indices
    batch: list[np.ndarray] = []
    cells = 0
    for d in [*sorted(by_district), None]:  # memory: rows x parts of one batch at a time
        if batch and (d is None or cells + len(by_district[d]) * n_slots > CHUNK_CELLS):
            take = np.sort(np.concatenate(batch))
            chunks.append(_split_rows(lad_rows.iloc[take].reset_index(drop=True), d_index,
                                      slot_part, size, lean, sics, unit, suppress, rng,
                                      parts["area_code"].to_numpy()))
            batch, cells = [], 0
        if d is not None:
            batch.append(by_district[d])
            cells += len(by_district[d]) * n_slots
    out = pd.concat(chunks, ignore_index=True)
    others = emp[~in_lad]
    employment = pd.concat([out, others[EMPLOYMENT_COLUMNS]], ignore_index=True)
    areas = pd.concat([base.areas, parts[AREA_COLUMNS]], ignore_index=True).astype(str)
    what = "MSOA-like" if kind == "msoa" else "LSOA-like"
    source = SourceInfo(
        name=f"{base.source.name}, split into {len(parts):,} {what} neighbourhoods (seed {seed})",
        synthetic=base.source.synthetic,
        kind=base.source.kind,
        rounding=base.source.rounding,
        suppressed_cells=int(employment["suppressed"].sum()),
        notes=[*base.source.notes,
               f"Neighbourhoods: each district split into {what} areas named after it "
               "(evidence.sources.neighbourhood_demo); no GVA or context at this level.",
               SMALL_AREA_NOTE],
    )
    return validate_dataset(Dataset(employment=employment[EMPLOYMENT_COLUMNS], areas=areas,
                                    source=source))
