"""Synthetic, Great-Britain-shaped demo data: fictional places, realistic structure, known patterns.

Why it exists: the tool has to be usable (and testable) without anybody's licensed or
downloaded statistics, and the rules must have something to fire on. So this module builds a
deterministic synthetic economy with the *shape* of Great Britain - about 360 local authority
districts in 38 partnership areas and 11 regions, years 2015-2024, employment for every
UK SIC 2007 class, GVA for the Table 1 sectors and context (skills, R&D, occupations) - and
plants the patterns the policy brief talks about at documented places, so that a user (and a
test) can find them. Every name is invented; every number is made up. Nothing here is a
statistic about a real place.

Shape
-----
* Regions (11): ``E12000001`` .. ``E12000009`` (England-like), ``W92000004`` (Wales-like),
  ``S92000003`` (Scotland-like), with fictional names ("North Marches", "Capital Reach", ...).
* Partnership areas (38, LEP-like, level ``group``): ``E37000001`` .. ``E37000038``; each lies
  inside one region (real LEPs overlapped; ours do not, to keep aggregation simple).
* Districts (360, level ``lad``): ``E06``/``E07``/``E08``/``E09`` codes in England,
  ``W06000001``.. in Wales, ``S12000001``.. in Scotland; names are made from syllables.
* Great Britain (``K03000001``, level ``country``): national totals = the sum of the districts.
* Employment: every SIC 2007 class (615, ``evidence/data/sic2007_classes.csv``) plus ``TOTAL``
  for each district and GB, 2015-2024 (~2.2 million rows). Counts are rounded to the nearest 5
  like BRES; ``TOTAL`` is the sum of the rounded classes. In small districts (2015 total below
  25,000 jobs) about a quarter of the cells holding 5 or 10 jobs are suppressed (employment NaN,
  ``suppressed`` True) as BRES does for disclosure control; ``TOTAL`` and the GB row are never
  suppressed and include the suppressed cells' jobs. Archetype districts (below) are exempt so
  that their patterns stay visible.
* National sizes (fixed for every seed; 2015 -> 2024): all jobs 29.2m -> 31.9m (with a 2020
  dip), manufacturing 2.68m -> 2.62m, advanced manufacturing (Table 1) 1.00m -> 1.05m;
  in 2015 automotive 165k, aerospace 105k, machinery 220k, chemicals 108k, pharmaceuticals
  50k, electronics 175k, electrical 98k, medical instruments 42k, other transport (excl.
  ships) 29k, weapons 11k. Expanding sectors grow, select ones are flat or shrink.
* GVA (GBP million, current prices) per district and year for each Table 1 prefix (``303``,
  ``29``, ``302``, ``304``, ``309``, ``325``, ``28``, ``27``, ``20``, ``21``, ``254``, ``26``) and
  ``TOTAL``: jobs x productivity, with productivity varying by place and sector (nationally in
  2015 AM about GBP 85k per job, from 64k in electrical to 154k in pharmaceuticals, the whole
  economy about GBP 61k; 3% nominal growth a year). The GB rows are the sums of the districts.
* Context per district and GB and year: ``level4_share`` (0.25-0.60), ``berd_per_job`` (GBP,
  skewed, 50-3000) and ``soc_1`` .. ``soc_9`` (jobs by SOC 2020 major group, summing to TOTAL).

Planted patterns (``ARCHETYPES``; the codes are fixed, only the numbers depend on the seed)
------------------------------------------------------------------------------------------
* ``science_pharma_hub`` - ``E07000083``, ``E07000121``, ``S12000010``: pharmaceuticals (21)
  LQ roughly 10-30 (1-3k jobs), plus electronics, medical instruments and R&D services;
  level4_share ~0.55-0.60 and BERD per job GBP 1,800-3,000; above-average productivity.
* ``engineering_assembly_cluster`` - ``E08000017``, ``E08000034``, ``E07000025``,
  ``E07000144``: automotive (29) and aerospace (30.3) LQ about 5-12, machinery (28) and
  electrical (27) about 2-5.
* ``declining_industrial`` - ``E08000001``, ``E06000003``, ``E08000022``, ``W06000009``:
  a large manufacturing base in 2015 that shrinks by about 6% a year (to about half by 2024),
  level4_share near 0.25, BERD per job under GBP 150, more process and elementary occupations.
* ``little_am`` - ``E09000005``, ``E09000020``, ``E07000170``, ``S12000031``: almost no advanced
  manufacturing (AM share of jobs below 1% in every year).
* ``niche`` - ``E07000078`` (weapons and ammunition, 25.40) and ``E07000040`` (medical and
  dental instruments, 32.50): small districts (~18k jobs) with a few hundred jobs in one class,
  LQ above 10; see ``NICHE_CLASSES``.
* ``aerospace_newcomer`` - ``E08000027``, ``E06000035``, ``E07000095``: aerospace was absent from
  regions ``E12000003`` and ``E12000006`` in 2015 (regional LQ < 0.1); these districts grow it
  from a few dozen jobs to several hundred (about 35% a year) - "expanding into new regions".
* ``automotive_newcomer`` - ``W06000015``, ``E06000058``, ``E07000160``: the same for automotive,
  absent from regions ``W92000004`` and ``E12000009`` in 2015.
* ``electronics_flourishing`` - ``E06000041``, ``S12000019``: electronics (26) LQ ~4-7 in 2015
  and growing ~6% a year faster than nationally (LQ ~6-12 by 2024).
* ``chemicals_flourishing`` - ``E06000001``, ``E08000011``: chemicals (20) LQ ~4-7 in 2015 and
  growing ~5% a year faster than nationally, while chemicals shrink nationally.

Files are written in the project's tidy single-file format (``evidence.sources.tidy``;
``write_demo`` adds the generator version to its ``meta`` rows).

Use ``load_bundled_demo()`` for the shipped small set (Table 1 classes + TOTAL, < 2 MB),
``ensure_full_demo()`` for the full set (generated once into ``~/.cache/policymix`` or
``$POLICYMIX_CACHE``), or ``python -m evidence.sources.demo --scale full --out FILE``.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from io import StringIO
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from evidence.dataset import (
    AREA_COLUMNS,
    CONTEXT_NUMERIC,
    EMPLOYMENT_COLUMNS,
    GB_CODE,
    GVA_COLUMNS,
    Dataset,
    SourceInfo,
    validate_dataset,
)
from evidence.sectors import TOTAL_CODE, match_code
from evidence.sources.tidy import read_tidy, str_column, write_tidy

# Re-exported for callers outside evidence/ (benchmarks/evidence.py, tests/test_demo_data.py)
# that read demo files as ``demo.read_demo``; new code uses ``evidence.sources.tidy.read_tidy``.
read_demo = read_tidy

Scale = Literal["full", "small"]

DEFAULT_SEED = 2015
YEARS: tuple[int, ...] = tuple(range(2015, 2025))
ROUNDING = 5
GENERATOR_VERSION = 2
"""Bump when the generator's output changes, so cached full sets are regenerated."""

BUNDLED_FILE = "demo_small.csv.gz"
CACHE_ENV = "POLICYMIX_CACHE"

ARCHETYPES: dict[str, list[str]] = {
    "science_pharma_hub": ["E07000083", "E07000121", "S12000010"],
    "engineering_assembly_cluster": ["E08000017", "E08000034", "E07000025", "E07000144"],
    "declining_industrial": ["E08000001", "E06000003", "E08000022", "W06000009"],
    "little_am": ["E09000005", "E09000020", "E07000170", "S12000031"],
    "niche": ["E07000078", "E07000040"],
    "aerospace_newcomer": ["E08000027", "E06000035", "E07000095"],
    "automotive_newcomer": ["W06000015", "E06000058", "E07000160"],
    "electronics_flourishing": ["E06000041", "S12000019"],
    "chemicals_flourishing": ["E06000001", "E08000011"],
}
"""Districts where a pattern of the brief is planted (see the module docstring)."""

NICHE_CLASSES: dict[str, str] = {"E07000078": "2540", "E07000040": "3250"}
"""The one SIC class each niche district specialises in."""

ABSENT_REGIONS: dict[str, list[str]] = {
    "303": ["E12000003", "E12000006"],
    "29": ["W92000004", "E12000009"],
}
"""Regions where a growing sector was (almost) absent in 2015 and spreads in via newcomers."""

GVA_PREFIXES: tuple[str, ...] = (
    "303", "29", "302", "304", "309", "325", "28", "27", "20", "21", "254", "26",
)  # fmt: skip
"""One GVA row per Table 1 prefix (plus TOTAL) per district and year."""

_CONTEXT_COLUMNS = ["area_code", "year"] + CONTEXT_NUMERIC

# --------------------------------------------------------------------------------------------
# Classification
# --------------------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def sic_classes() -> pd.DataFrame:
    """The 615 UK SIC 2007 classes (``sic``, ``division``, ``title``) from the packaged CSV."""
    text = resources.files("evidence").joinpath("data/sic2007_classes.csv").read_text("utf-8")
    return pd.read_csv(StringIO(text), dtype=str)


def table1_classes() -> list[str]:
    """SIC classes inside a Table 1 sector, in classification order (71 classes)."""
    return [c for c in sic_classes()["sic"] if match_code(c).sector_id is not None]


# --------------------------------------------------------------------------------------------
# Layout: areas, names and hierarchy (fixed: independent of the seed)
# --------------------------------------------------------------------------------------------

_LAYOUT_SEED = 20150701

_REGION_SPECS: tuple[tuple[str, str, tuple[tuple[str, int], ...], int], ...] = (
    ("E12000001", "Northern Fells", (("E08", 5), ("E06", 7)), 2),
    ("E12000002", "North Marches", (("E08", 15), ("E06", 8), ("E07", 14)), 5),
    ("E12000003", "Eastern Dales", (("E08", 9), ("E06", 5), ("E07", 7)), 4),
    ("E12000004", "Mid Shires", (("E06", 6), ("E07", 32)), 4),
    ("E12000005", "Western Forges", (("E08", 7), ("E06", 6), ("E07", 17)), 4),
    ("E12000006", "Fenland Coast", (("E06", 6), ("E07", 38)), 4),
    ("E12000007", "Capital Reach", (("E09", 33),), 1),
    ("E12000008", "Southern Downs", (("E06", 15), ("E07", 47)), 5),
    ("E12000009", "Western Moors", (("E06", 10), ("E07", 19)), 3),
    ("W92000004", "Cambrian Valleys", (("W06", 22),), 3),
    ("S92000003", "Highlands and Firths", (("S12", 32),), 3),
)
"""(region code, fictional name, district code prefixes with counts, partnership areas)."""

_ENGLISH_FIRST = (
    "Ash", "Kel", "Bram", "Thorn", "Ald", "Brin", "Hask", "Oak", "Rad", "Sel", "Thal", "Hal",
    "Lang", "Mel", "Orm", "Ped", "Ros", "Rusk", "Wey", "Whit", "Fern", "Gran", "Elm", "Fal",
    "Hol", "Lin", "Mor", "Ock", "Quen", "Rav", "Sax", "Tarn", "Ven", "Wil", "Yar", "Pell",
    "Cor", "Dray", "Fenn", "Gos", "Hem", "Skel", "Varn", "Wren", "Ebb", "Garr", "Lorr",
)  # fmt: skip
_ENGLISH_SECOND = (
    "bridge", "moor", "ford", "ton", "ley", "field", "by", "ham", "wick", "stead", "worth",
    "mouth", "dale", "borough", "combe", "well", "hurst", "thorpe", "minster", "cester",
)  # fmt: skip
_WELSH_FIRST = ("Aber", "Llan", "Pen", "Caer", "Bryn", "Cwm", "Pont", "Tre", "Glyn", "Nant")
_WELSH_SECOND = ("gwyn", "morfa", "dulas", "teg", "fawr", "celyn", "rhos", "wern", "hafod")
_SCOTS_FIRST = ("Kin", "Inver", "Strath", "Dun", "Glen", "Bal", "Auch", "Kil", "Ard", "Loch")
_SCOTS_SECOND = ("more", "lorn", "varrie", "carden", "tarvie", "brae", "askin", "mairn", "ochty")
_REAL_PLACES = {
    "Aldford", "Aldham", "Aldwick", "Aldworth", "Ardbrae", "Ardmore", "Ashby", "Ashfield",
    "Ashford", "Ashley", "Ashton", "Ashwell", "Balmore", "Bramford", "Bramham", "Bramley",
    "Bramwell", "Brynteg", "Corby", "Cornwell", "Drayton", "Dunmore", "Elmbridge", "Elmley",
    "Elmton", "Falmouth", "Ferndale", "Glenbrae", "Glenmore", "Gosford", "Goswell", "Granton",
    "Halstead", "Halton", "Halwell", "Hartley", "Hemsworth", "Holbrook", "Holford", "Holton",
    "Invermore", "Kelham", "Kilmore", "Kinmore", "Kinross", "Langdale", "Langford", "Langham",
    "Langley", "Langton", "Linby", "Lindale", "Linford", "Linton", "Llandulas", "Llanfawr",
    "Llanwern", "Lochmore", "Melford", "Melton", "Moreton", "Morland", "Morley", "Morton",
    "Oakford", "Oakham", "Oakley", "Oakwell", "Ockham", "Ockley", "Ormsby", "Penmorfa", "Penrhos",
    "Radford", "Radley", "Saxby", "Saxham", "Saxton", "Selby", "Selston", "Skelton", "Strathmore",
    "Thornham", "Thornley", "Thornton", "Tremorfa", "Weybridge", "Weymouth", "Whitby", "Whitfield",
    "Whitford", "Whitley", "Whitton", "Whitwick", "Whitworth", "Wilby", "Wilford", "Wilton",
    "Yarmouth",
}  # fmt: skip
"""Combinations that are (or closely resemble) real places: never generated."""


@dataclass(frozen=True)
class _Layout:
    codes: np.ndarray  # (D,) district codes
    names: np.ndarray  # (D,) district names
    kind: np.ndarray  # (D,) code prefix: E06, E07, E08, E09, W06, S12
    region: np.ndarray  # (D,) region index
    group: np.ndarray  # (D,) group index
    region_codes: list[str]
    region_names: list[str]
    group_codes: list[str]
    group_names: list[str]

    def index(self, codes: list[str]) -> np.ndarray:
        lookup = {c: i for i, c in enumerate(self.codes)}
        return np.array([lookup[c] for c in codes], dtype=int)


def _names(
    rng: np.random.Generator, first: tuple[str, ...], second: tuple[str, ...], n: int
) -> list[str]:
    # Skip doubled joins ("Ashhurst") and names of real places.
    combos = [a + b for a in first for b in second if a[-1] != b[0]]
    combos = [c for c in combos if c not in _REAL_PLACES]
    picked = rng.choice(len(combos), size=n, replace=False)
    return [combos[i] for i in picked]


@lru_cache(maxsize=1)
def _layout() -> _Layout:
    """Build the area hierarchy. Fixed (own seed) so codes and names never depend on the seed."""
    rng = np.random.default_rng(_LAYOUT_SEED)
    counters: dict[str, int] = {}
    codes: list[str] = []
    kinds: list[str] = []
    regions: list[int] = []
    groups: list[int] = []
    group_codes: list[str] = []
    group_members: list[list[int]] = []
    for r, (_, _, parts, n_groups) in enumerate(_REGION_SPECS):
        members: list[int] = []
        for prefix, count in parts:
            for _ in range(count):
                counters[prefix] = counters.get(prefix, 0) + 1
                members.append(len(codes))
                codes.append(f"{prefix}{counters[prefix]:06d}")
                kinds.append(prefix)
                regions.append(r)
        for chunk in np.array_split(np.array(members), n_groups):
            group_codes.append(f"E37{len(group_codes) + 1:06d}")
            group_members.append([int(i) for i in chunk])
    groups = [0] * len(codes)
    for g, members in enumerate(group_members):
        for i in members:
            groups[i] = g
    kind_arr = np.array(kinds)
    names = np.empty(len(codes), dtype=object)
    english = np.flatnonzero(np.char.startswith(kind_arr.astype(str), "E"))
    names[english] = _names(rng, _ENGLISH_FIRST, _ENGLISH_SECOND, len(english))
    for prefix, first, second in (
        ("W06", _WELSH_FIRST, _WELSH_SECOND),
        ("S12", _SCOTS_FIRST, _SCOTS_SECOND),
    ):
        idx = np.flatnonzero(kind_arr == prefix)
        names[idx] = _names(rng, first, second, len(idx))
    group_names = []
    for members in group_members:
        metro = sum(kinds[i] in ("E08", "E09") for i in members) > len(members) / 2
        first, last = names[members[0]], names[members[-1]]
        group_names.append(f"Greater {first}" if metro else f"{first} and {last} Partnership")
    return _Layout(
        codes=np.array(codes, dtype=object),
        names=names,
        kind=kind_arr,
        region=np.array(regions),
        group=np.array(groups),
        region_codes=[s[0] for s in _REGION_SPECS],
        region_names=[s[1] for s in _REGION_SPECS],
        group_codes=group_codes,
        group_names=group_names,
    )


# --------------------------------------------------------------------------------------------
# National economy (fixed): jobs by class in 2015 and their national trends
# --------------------------------------------------------------------------------------------

_DIVISION_JOBS_K: dict[str, float] = {
    "01": 150, "02": 15, "03": 10, "05": 1, "06": 12, "07": 0.3, "08": 25, "09": 22,
    "10": 390, "11": 55, "12": 4, "13": 45, "14": 30, "15": 10, "16": 60, "17": 50, "18": 95,
    "19": 10, "22": 165, "23": 90, "24": 70, "25": 290, "30": 32, "31": 70, "32": 55, "33": 155,
    "35": 120, "36": 40, "37": 20, "38": 110, "39": 5,
    "41": 420, "42": 200, "43": 880, "45": 530, "46": 1140, "47": 2850,
    "49": 620, "50": 20, "51": 60, "52": 430, "53": 340, "55": 450, "56": 1700,
    "58": 110, "59": 75, "60": 30, "61": 190, "62": 560, "63": 80,
    "64": 520, "65": 115, "66": 320, "68": 480,
    "69": 560, "70": 640, "71": 470, "72": 120, "73": 150, "74": 190, "75": 65,
    "77": 125, "78": 1020, "79": 80, "80": 165, "81": 780, "82": 480,
    "84": 1330, "85": 2620, "86": 1900, "87": 780, "88": 1130,
    "90": 95, "91": 85, "92": 75, "93": 390, "94": 200, "95": 40, "96": 340,
    "97": 35, "98": 1, "99": 10,
}  # fmt: skip
"""Jobs (thousands, 2015) per division *outside* Table 1 (Table 1 prefixes are set below)."""

_TABLE1_JOBS_K: dict[str, float] = {
    "303": 105, "29": 165, "302": 15, "304": 4, "309": 10, "325": 42,
    "28": 220, "27": 98, "20": 108, "21": 50, "254": 11, "26": 175,
}  # fmt: skip
"""Jobs (thousands, 2015) per Table 1 prefix."""

_FIXED_CLASS_SPLIT: dict[str, dict[str, float]] = {
    "29": {"2910": 0.45, "2920": 0.12, "2931": 0.08, "2932": 0.35},
    "21": {"2110": 0.25, "2120": 0.75},
    "309": {"3091": 0.3, "3092": 0.25, "3099": 0.45},
}

_TABLE1_GROWTH: dict[str, float] = {
    "303": 0.015, "29": 0.005, "302": 0.02, "304": 0.02, "309": 0.01, "325": 0.025,
    "28": -0.003, "27": 0.0, "20": -0.008, "21": 0.015, "254": 0.03, "26": 0.005,
}  # fmt: skip
"""National trend per Table 1 prefix (log growth a year): the brief's expanding vs select."""

_DIVISION_GROWTH: dict[str, float] = {
    "62": 0.04, "63": 0.03, "70": 0.02, "71": 0.015, "72": 0.02, "86": 0.02, "87": 0.01,
    "88": 0.01, "47": -0.002, "53": 0.01, "52": 0.025, "78": 0.005, "64": 0.005,
    "05": -0.1, "06": -0.03, "09": -0.03, "19": -0.02, "24": -0.02, "13": -0.015, "14": -0.02,
}  # fmt: skip
_SERVICE_GROWTH = 0.011
_MANUFACTURING_GROWTH = -0.006
_COVID_HIT = {"55", "56", "79", "90", "91", "93", "59"}

_NATIONAL_PRODUCTIVITY: dict[str, float] = {
    "303": 95_000, "29": 80_000, "302": 65_000, "304": 75_000, "309": 60_000, "325": 70_000,
    "28": 68_000, "27": 62_000, "20": 105_000, "21": 150_000, "254": 78_000, "26": 80_000,
    TOTAL_CODE: 57_000,
}  # fmt: skip
"""GVA per job in 2015, GBP; grows 3% a year in nominal terms."""
_NOMINAL_GROWTH = 0.03


def _is_manufacturing(division: str) -> bool:
    return "10" <= division <= "33"


@dataclass(frozen=True)
class _Economy:
    classes: np.ndarray  # (C,) class codes
    division: np.ndarray  # (C,) division codes
    manufacturing: np.ndarray  # (C,) bool
    knowledge_services: np.ndarray  # (C,) bool: ICT, finance, professional, R&D
    prefix: np.ndarray  # (C,) Table 1 prefix ('' outside)
    national: np.ndarray  # (T, C) national jobs target


@lru_cache(maxsize=1)
def _economy() -> _Economy:
    """National jobs per class and year. Fixed, so the national picture is the same for any seed."""
    rng = np.random.default_rng(_LAYOUT_SEED + 1)
    table = sic_classes()
    classes = table["sic"].to_numpy(dtype=object)
    division = table["division"].to_numpy(dtype=object)
    prefix = np.array(
        [next((p for p in GVA_PREFIXES if c.startswith(p)), "") for c in classes], dtype=object
    )
    base = np.zeros(len(classes))
    # Table 1 prefixes: fixed splits where known, otherwise random but fixed class shares.
    for p, jobs in _TABLE1_JOBS_K.items():
        members = np.flatnonzero(prefix == p)
        split = _FIXED_CLASS_SPLIT.get(p)
        if split:
            weights = np.array([split[c] for c in classes[members]])
        else:
            weights = rng.lognormal(0.0, 0.7, len(members))
        base[members] = jobs * 1000 * weights / weights.sum()
    for d, jobs in _DIVISION_JOBS_K.items():
        members = np.flatnonzero((division == d) & (prefix == ""))
        weights = rng.lognormal(0.0, 0.8, len(members))
        base[members] = jobs * 1000 * weights / weights.sum()
    # Classes that barely exist in Britain.
    for c in ("0112", "0114", "0115", "0116", "0122", "0123", "0126", "0127", "0144", "0721"):
        base[classes == c] = 0.0
    manufacturing = np.array([_is_manufacturing(d) for d in division])
    growth = np.where(manufacturing, _MANUFACTURING_GROWTH, _SERVICE_GROWTH)
    for d, g in _DIVISION_GROWTH.items():
        growth[division == d] = g
    for p, g in _TABLE1_GROWTH.items():
        growth[prefix == p] = g
    t = np.arange(len(YEARS))[:, None]
    national = base[None, :] * np.exp(growth[None, :] * t)
    # Shocks: the pandemic (2020-21) and the aerospace slump that followed it.
    year = np.array(YEARS)
    covid = np.isin(division, list(_COVID_HIT))
    national[year == 2020] *= np.where(covid, 0.86, np.where(manufacturing, 0.96, 0.985))
    national[year == 2021] *= np.where(covid, 0.93, np.where(manufacturing, 0.98, 1.0))
    aero = prefix == "303"
    national[np.ix_(year == 2021, aero)] *= 0.9
    national[np.ix_(year == 2022, aero)] *= 0.95
    kis = np.isin(
        division, ["58", "61", "62", "63", "64", "65", "66", "69", "70", "71", "72", "73", "74"]
    )
    return _Economy(
        classes=classes,
        division=division,
        manufacturing=manufacturing,
        knowledge_services=kis,
        prefix=prefix,
        national=national,
    )


# --------------------------------------------------------------------------------------------
# Simulation (seeded): districts x years x classes, vectorised
# --------------------------------------------------------------------------------------------

_BASE_SIZE = {
    "E06": 95_000,
    "E07": 48_000,
    "E08": 130_000,
    "E09": 150_000,
    "W06": 58_000,
    "S12": 78_000,
}
_MANUF_BY_KIND = {"E06": 1.0, "E07": 1.1, "E08": 0.9, "E09": 0.2, "W06": 1.2, "S12": 0.9}
_KIS_BY_KIND = {"E06": 0.9, "E07": 0.8, "E08": 1.1, "E09": 2.5, "W06": 0.7, "S12": 0.9}
_L4_BY_KIND = {"E06": 0.34, "E07": 0.37, "E08": 0.33, "E09": 0.52, "W06": 0.33, "S12": 0.38}

_PLANTS: tuple[tuple[str, str, float, float], ...] = (
    # archetype, prefix, weight on the 2015 location quotient, extra trend a year. The resulting
    # LQ is about half the weight: the national scaling also counts every other district.
    ("science_pharma_hub", "21", 30.0, 0.02),
    ("science_pharma_hub", "26", 4.0, 0.01),
    ("science_pharma_hub", "325", 5.0, 0.01),
    ("science_pharma_hub", "72", 6.0, 0.02),
    ("science_pharma_hub", "20", 2.0, 0.0),
    ("engineering_assembly_cluster", "29", 12.0, 0.01),
    ("engineering_assembly_cluster", "303", 12.0, 0.015),
    ("engineering_assembly_cluster", "28", 5.5, 0.0),
    ("engineering_assembly_cluster", "27", 5.5, 0.0),
    ("engineering_assembly_cluster", "25", 2.5, 0.0),
    ("engineering_assembly_cluster", "33", 2.5, 0.0),
    ("electronics_flourishing", "26", 11.0, 0.06),
    ("chemicals_flourishing", "20", 10.0, 0.05),
)
"""How the sector patterns are planted: (archetype, SIC prefix, LQ multiplier, trend)."""

_SMALL_DISTRICT = 25_000
_NICHE_SIZE = 18_000


@dataclass(frozen=True)
class _Simulation:
    employment: np.ndarray  # (D, T, C) rounded jobs, before suppression
    suppressed: np.ndarray  # (D, T, C) bool
    gva: np.ndarray  # (D, T, P+1) GBP m, last = TOTAL
    level4: np.ndarray  # (D, T)
    berd: np.ndarray  # (D, T)
    soc: np.ndarray  # (D, T, 9)


def _prefix_mask(classes: np.ndarray, prefix: str) -> np.ndarray:
    return np.array([c.startswith(prefix) for c in classes])


def _simulate(seed: int) -> _Simulation:
    """Draw the whole synthetic economy; every random draw comes from one seeded generator.

    The helpers below draw in a fixed order from ``rng``: changing the order changes the data.
    """
    lay, eco = _layout(), _economy()
    rng = np.random.default_rng(seed)
    t = np.arange(len(YEARS), dtype=float)
    arch = {k: lay.index(v) for k, v in ARCHETYPES.items()}
    size, growth, manuf, kis = _draw_district_effects(lay, arch, rng)
    log_lq, trend = _draw_class_effects(lay, eco, manuf, kis, growth, rng)
    forced = _plant_patterns(lay, eco, arch, log_lq, trend)
    employment = _draw_employment(eco, size, log_lq, trend, forced, t, rng)
    all_arch = np.unique(np.concatenate(list(arch.values())))
    suppressed = _draw_suppression(employment, all_arch, rng)
    gva = _draw_gva(employment, eco, lay.kind, arch, t, rng)
    level4, berd, soc = _draw_context(employment, eco, lay.kind, arch, kis, t, rng)
    return _Simulation(employment, suppressed, gva, level4, berd, soc)


def _draw_district_effects(
    lay: _Layout, arch: dict[str, np.ndarray], rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per district: size (jobs), growth, manufacturing and knowledge-services intensity."""
    n_d, kind = len(lay.codes), lay.kind
    size = np.array([_BASE_SIZE[k] for k in kind]) * rng.lognormal(0.0, 0.45, n_d)
    size[arch["niche"]] = _NICHE_SIZE
    growth = rng.normal(0.008, 0.006, n_d) + np.where(kind == "E09", 0.008, 0.0)
    growth[arch["declining_industrial"]] = -0.004
    manuf = np.array([_MANUF_BY_KIND[k] for k in kind]) * rng.lognormal(0.0, 0.45, n_d)
    manuf[arch["declining_industrial"]] = 2.5  # a big manufacturing base to lose
    manuf[arch["little_am"]] = 0.25
    kis = np.array([_KIS_BY_KIND[k] for k in kind]) * rng.lognormal(0.0, 0.25, n_d)
    return size, growth, manuf, kis


def _draw_class_effects(
    lay: _Layout,
    eco: _Economy,
    manuf: np.ndarray,
    kis: np.ndarray,
    growth: np.ndarray,
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray]:
    """(district, class) log location-quotient multipliers and growth trends.

    Multipliers: district, district x division, partnership x division (spatial clustering)
    and district x class effects, stronger in manufacturing.
    """
    n_d, n_c = len(lay.codes), len(eco.classes)
    divisions, div_idx = np.unique(eco.division, return_inverse=True)
    div_manuf = np.array([_is_manufacturing(d) for d in divisions])
    sd_div = np.where(div_manuf, 0.7, 0.25)
    sd_cls = np.where(eco.manufacturing, 0.6, 0.3)
    a = rng.normal(0.0, 1.0, (n_d, len(divisions))) * sd_div
    b = rng.normal(0.0, 1.0, (len(lay.group_codes), len(divisions))) * sd_div * 0.7
    e = rng.normal(0.0, 1.0, (n_d, n_c)) * sd_cls
    log_lq = (
        np.outer(np.log(manuf), eco.manufacturing)
        + np.outer(np.log(kis), eco.knowledge_services)
        + a[:, div_idx]
        + b[lay.group][:, div_idx]
        + e
    )
    trend = growth[:, None] + rng.normal(0.0, 1.0, (n_d, n_c)) * np.where(
        eco.manufacturing, 0.02, 0.008
    )
    return log_lq, trend


def _plant_patterns(
    lay: _Layout,
    eco: _Economy,
    arch: dict[str, np.ndarray],
    log_lq: np.ndarray,
    trend: np.ndarray,
) -> np.ndarray:
    """Plant the archetypes' patterns into ``log_lq`` and ``trend`` (in place); returns the
    (district, class) cells that must exist whatever the draw."""
    forced = np.zeros(log_lq.shape, dtype=bool)
    am = eco.prefix != ""
    log_lq[np.ix_(arch["little_am"], np.flatnonzero(am))] += np.log(0.25)
    for archetype, prefix, multiplier, extra in _PLANTS:
        cols = np.flatnonzero(_prefix_mask(eco.classes, prefix))
        rows = arch[archetype]
        # Keep a little of the district's own variation, so planted places are not identical.
        cell = np.ix_(rows, cols)
        log_lq[cell] = 0.3 * log_lq[cell] + np.log(multiplier)
        trend[np.ix_(rows, cols)] += extra
        forced[np.ix_(rows, cols)] = True
    decl = arch["declining_industrial"]
    trend[np.ix_(decl, np.flatnonzero(eco.manufacturing))] -= 0.06
    for district, sic in NICHE_CLASSES.items():
        row, col = lay.index([district])[0], int(np.flatnonzero(eco.classes == sic)[0])
        log_lq[row, col] = np.log(30.0 if sic == "2540" else 25.0)
        forced[row, col] = True
    for prefix, regions in ABSENT_REGIONS.items():
        cols = np.flatnonzero(_prefix_mask(eco.classes, prefix))
        region_idx = [lay.region_codes.index(r) for r in regions]
        rows = np.flatnonzero(np.isin(lay.region, region_idx))
        log_lq[np.ix_(rows, cols)] += np.log(0.01)
        newcomers = arch["aerospace_newcomer" if prefix == "303" else "automotive_newcomer"]
        # From a few dozen jobs in 2015, growing ~35% a year.
        log_lq[np.ix_(newcomers, cols)] = np.log(0.12)
        trend[np.ix_(newcomers, cols)] = 0.35
        forced[np.ix_(newcomers, cols)] = True
    return forced


def _draw_employment(
    eco: _Economy,
    size: np.ndarray,
    log_lq: np.ndarray,
    trend: np.ndarray,
    forced: np.ndarray,
    t: np.ndarray,
    rng: np.random.Generator,
) -> np.ndarray:
    """(district, year, class) jobs rounded like BRES, scaled to the national targets."""
    n_d, n_c = log_lq.shape
    # Which district-class cells exist at all: small expected cells are often empty.
    weight = size[:, None] * np.exp(log_lq)
    share = weight / np.maximum(weight.sum(axis=0), 1e-12)
    expected = share * eco.national[0][None, :]
    present = (rng.random((n_d, n_c)) < 1.0 - np.exp(-expected / 12.0)) | forced

    # Jobs: scaled per class and year so that the national totals hit their targets.
    noise = rng.normal(0.0, 0.04, (n_d, len(t), n_c))
    raw = (weight * present)[:, None, :] * np.exp(trend[:, None, :] * t[None, :, None] + noise)
    totals = raw.sum(axis=0)
    scale = np.divide(eco.national, totals, out=np.zeros_like(totals), where=totals > 0)
    jobs = raw * scale[None, :, :]
    return np.round(jobs / ROUNDING) * ROUNDING


def _draw_suppression(
    employment: np.ndarray, all_arch: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """Suppression: small districts, small cells, never archetypes, never totals."""
    n_d = employment.shape[0]
    district_total0 = employment[:, 0, :].sum(axis=1)
    small = (district_total0 < _SMALL_DISTRICT) & ~np.isin(np.arange(n_d), all_arch)
    return (
        small[:, None, None]
        & (employment > 0)
        & (employment <= 2 * ROUNDING)
        & (rng.random(employment.shape) < 0.25)
    )


def _draw_gva(
    employment: np.ndarray,
    eco: _Economy,
    kind: np.ndarray,
    arch: dict[str, np.ndarray],
    t: np.ndarray,
    rng: np.random.Generator,
) -> np.ndarray:
    """GVA: jobs x productivity (place effect x sector effect x nominal growth)."""
    n_d = employment.shape[0]
    prefixes = list(GVA_PREFIXES)
    member = np.stack([eco.prefix == p for p in prefixes], axis=1).astype(float)  # (C, P)
    jobs_p = np.concatenate(
        [employment @ member, employment.sum(axis=2, keepdims=True)], axis=2
    )  # (D, T, P+1)
    place = rng.lognormal(0.0, 0.12, n_d) * np.where(kind == "E09", 1.35, 1.0)
    place[arch["science_pharma_hub"]] *= 1.15
    place[arch["declining_industrial"]] *= 0.85
    sector = rng.lognormal(0.0, 0.10, (n_d, len(prefixes) + 1))
    sector[:, -1] = 1.0
    national_prod = np.array([_NATIONAL_PRODUCTIVITY[p] for p in prefixes + [TOTAL_CODE]])
    prod = (
        national_prod[None, None, :]
        * (place[:, None] * sector)[:, None, :]
        * np.exp(_NOMINAL_GROWTH * t)[None, :, None]
        * np.exp(rng.normal(0.0, 0.02, jobs_p.shape))
    )
    return np.round(jobs_p * prod / 1e6, 2)


def _draw_context(
    employment: np.ndarray,
    eco: _Economy,
    kind: np.ndarray,
    arch: dict[str, np.ndarray],
    kis: np.ndarray,
    t: np.ndarray,
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Context: skills (level 4+ share), business R&D per job and occupations."""
    n_d, n_t = employment.shape[0], len(t)
    district_total0 = employment[:, 0, :].sum(axis=1)
    decl = arch["declining_industrial"]
    manuf_share = (employment[:, 0, :] * eco.manufacturing).sum(axis=1) / np.maximum(
        district_total0, 1.0
    )
    l4_base = np.array([_L4_BY_KIND[k] for k in kind]) + rng.normal(0.0, 0.035, n_d)
    l4_base[arch["science_pharma_hub"]] = rng.uniform(0.54, 0.56, len(arch["science_pharma_hub"]))
    l4_base[decl] = rng.uniform(0.22, 0.245, len(decl))
    level4 = np.clip(
        l4_base[:, None] + 0.004 * t[None, :] + rng.normal(0, 0.006, (n_d, n_t)), 0.25, 0.60
    ).round(3)
    berd_base = 260.0 * np.sqrt(manuf_share / 0.09 + 0.2) * kis * rng.lognormal(0.0, 0.6, n_d)
    berd_base[arch["science_pharma_hub"]] = rng.uniform(1800, 2700, len(arch["science_pharma_hub"]))
    berd_base[decl] = rng.uniform(60, 110, len(decl))
    berd = np.clip(
        berd_base[:, None] * np.exp(0.02 * t[None, :] + rng.normal(0, 0.05, (n_d, n_t))), 50, 3000
    ).round(0)
    soc = _occupations(employment.sum(axis=2), level4, manuf_share, rng)
    return level4, berd, soc


_SOC_BASE = np.array([0.10, 0.26, 0.14, 0.10, 0.10, 0.08, 0.07, 0.06, 0.09])


def _occupations(
    total: np.ndarray, level4: np.ndarray, manuf_share: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """Jobs by SOC major group, tilted by skills and industry, summing exactly to the total."""
    skill_tilt = (level4 - 0.38)[..., None] * np.array(
        [0.4, 1.6, 0.5, 0, -0.2, -0.3, -0.4, -0.8, -0.8]
    )
    manuf_tilt = (manuf_share - 0.09)[:, None, None] * np.array(
        [0, -0.3, 0, -0.2, 0.8, -0.3, -0.3, 1.6, 0.6]
    )
    shares = np.clip(_SOC_BASE + skill_tilt + manuf_tilt, 0.01, None)
    shares *= rng.lognormal(0.0, 0.03, shares.shape)
    shares /= shares.sum(axis=-1, keepdims=True)
    soc = np.round(shares[..., :8] * total[..., None] / ROUNDING) * ROUNDING
    rest = total - soc.sum(axis=-1)
    return np.concatenate([soc, rest[..., None]], axis=-1)


# --------------------------------------------------------------------------------------------
# Frames
# --------------------------------------------------------------------------------------------


def _areas_frame(lay: _Layout) -> pd.DataFrame:
    n_d = len(lay.codes)
    districts = pd.DataFrame(
        {
            "area_code": lay.codes.astype(str),
            "area_name": lay.names.astype(str),
            "level": ["lad"] * n_d,
            "group_code": [lay.group_codes[g] for g in lay.group],
            "group_name": [lay.group_names[g] for g in lay.group],
            "region_code": [lay.region_codes[r] for r in lay.region],
            "region_name": [lay.region_names[r] for r in lay.region],
        }
    )
    group_region = [int(lay.region[lay.group == g][0]) for g in range(len(lay.group_codes))]
    groups = pd.DataFrame(
        {
            "area_code": lay.group_codes,
            "area_name": lay.group_names,
            "level": "group",
            "group_code": "",
            "group_name": "",
            "region_code": [lay.region_codes[r] for r in group_region],
            "region_name": [lay.region_names[r] for r in group_region],
        }
    )
    regions = pd.DataFrame(
        {
            "area_code": lay.region_codes,
            "area_name": lay.region_names,
            "level": "region",
            "group_code": "",
            "group_name": "",
            "region_code": "",
            "region_name": "",
        }
    )
    country = pd.DataFrame(
        [[GB_CODE, "Great Britain", "country", "", "", "", ""]], columns=AREA_COLUMNS
    )
    areas = pd.concat([districts, groups, regions, country], ignore_index=True)
    return areas[AREA_COLUMNS].astype("str")


def _long(
    values: np.ndarray, area_codes: list[str], keys: list[str], key_name: str, value_name: str
) -> pd.DataFrame:
    """(A, T, K) array -> long frame sorted by area, year, key."""
    n_a, n_t, n_k = values.shape
    return pd.DataFrame(
        {
            "area_code": str_column(area_codes, np.repeat(np.arange(n_a), n_t * n_k)),
            "year": np.tile(np.repeat(np.array(YEARS, dtype=np.int64), n_k), n_a),
            key_name: str_column(keys, np.tile(np.arange(n_k), n_a * n_t)),
            value_name: values.reshape(-1).astype(np.float64),
        }
    )


def generate_demo(scale: Scale = "full", seed: int = DEFAULT_SEED) -> Dataset:
    """Generate the synthetic dataset (deterministic for a given seed).

    ``full`` holds all 615 SIC classes (~2.2M employment rows); ``small`` is the very same data
    restricted to the Table 1 classes plus ``TOTAL`` (the TOTAL rows still count every class).
    """
    if scale not in ("full", "small"):
        raise ValueError(f"scale must be 'full' or 'small', not {scale!r}")
    lay, eco = _layout(), _economy()
    sim = _simulate(seed)
    keep = np.arange(len(eco.classes))
    if scale == "small":
        keep = np.flatnonzero(eco.prefix != "")
    area_codes = list(lay.codes.astype(str)) + [GB_CODE]

    emp = np.where(sim.suppressed, np.nan, sim.employment)[:, :, keep]
    district_total = sim.employment.sum(axis=2, keepdims=True)
    gb = sim.employment[:, :, keep].sum(axis=0, keepdims=True)
    gb_total = district_total.sum(axis=0, keepdims=True)
    values = np.concatenate(
        [np.concatenate([emp, district_total], axis=2), np.concatenate([gb, gb_total], axis=2)],
        axis=0,
    )
    sup = np.concatenate([sim.suppressed[:, :, keep], np.zeros_like(district_total, bool)], axis=2)
    sup = np.concatenate([sup, np.zeros((1,) + sup.shape[1:], bool)], axis=0)
    keys = list(eco.classes[keep]) + [TOTAL_CODE]
    employment = _long(values, area_codes, keys, "sic", "employment")
    employment["suppressed"] = sup.reshape(-1)

    gva_values = np.concatenate([sim.gva, sim.gva.sum(axis=0, keepdims=True).round(2)], axis=0)
    gva = _long(gva_values, area_codes, list(GVA_PREFIXES) + [TOTAL_CODE], "sic", "gva")

    context = _context_frame(sim, area_codes)
    n_suppressed = int(employment["suppressed"].sum())
    source = SourceInfo(
        name=f"policymix synthetic demo (seed {seed})",
        synthetic=True,
        rounding=ROUNDING,
        suppressed_cells=n_suppressed,
        notes=[
            "Fictional areas and invented numbers shaped like Great Britain; see "
            "evidence.sources.demo for the planted patterns.",
            f"scale {scale}: "
            + ("all 615 SIC 2007 classes" if scale == "full" else "Table 1 classes and TOTAL"),
        ],
    )
    ds = Dataset(
        employment=employment[EMPLOYMENT_COLUMNS],
        areas=_areas_frame(lay),
        source=source,
        gva=gva[GVA_COLUMNS],
        context=context,
    )
    return validate_dataset(ds)


def _context_frame(sim: _Simulation, area_codes: list[str]) -> pd.DataFrame:
    total = sim.employment.sum(axis=2)  # (D, T)
    gb_total = total.sum(axis=0)
    gb_l4 = np.round((sim.level4 * total).sum(axis=0) / gb_total, 3)
    gb_berd = np.round((sim.berd * total).sum(axis=0) / gb_total, 0)
    level4 = np.vstack([sim.level4, gb_l4])
    berd = np.vstack([sim.berd, gb_berd])
    soc = np.concatenate([sim.soc, sim.soc.sum(axis=0, keepdims=True)], axis=0)
    n_a, n_t = level4.shape
    frame = pd.DataFrame(
        {
            "area_code": str_column(area_codes, np.repeat(np.arange(n_a), n_t)),
            "year": np.tile(np.array(YEARS, dtype=np.int64), n_a),
            "level4_share": level4.reshape(-1),
            "berd_per_job": berd.reshape(-1),
        }
    )
    for i in range(9):
        frame[f"soc_{i + 1}"] = soc[:, :, i].reshape(-1).astype(np.float64)
    return frame[_CONTEXT_COLUMNS]


def write_demo(ds: Dataset, path: Path | str) -> Path:
    """Write ``ds`` in the tidy single-file format (``evidence.sources.tidy``), recording
    ``GENERATOR_VERSION`` in its ``meta`` rows; ``.csv``, ``.csv.gz`` or ``.parquet``."""
    return write_tidy(ds, path, meta={"generator_version": str(GENERATOR_VERSION)})


# --------------------------------------------------------------------------------------------
# Bundled small set, cached full set, command line
# --------------------------------------------------------------------------------------------


def bundled_demo_path() -> Path:
    """Path of the small demo set shipped inside the package (``evidence/data``)."""
    return Path(str(resources.files("evidence").joinpath(f"data/{BUNDLED_FILE}")))


def load_bundled_demo() -> Dataset:
    """The shipped small demo set (Table 1 classes + TOTAL): loads in well under a second."""
    return read_tidy(bundled_demo_path())


def default_cache_dir() -> Path:
    """``$POLICYMIX_CACHE`` if set, else ``~/.cache/policymix``."""
    env = os.environ.get(CACHE_ENV)
    return Path(env).expanduser() if env else Path.home() / ".cache" / "policymix"


def ensure_full_demo(cache_dir: Path | None = None, *, seed: int = DEFAULT_SEED) -> Path:
    """Generate the full set (all SIC classes) once into the cache and return the Parquet path.

    The file name carries the seed and ``GENERATOR_VERSION``, so a changed generator never
    serves a stale file. Written to a temporary name and renamed, so a crash or two processes
    racing never leave a half-written file behind.
    """
    directory = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    target = directory / f"demo_full_seed{seed}_v{GENERATOR_VERSION}.parquet"
    if target.exists():
        return target
    directory.mkdir(parents=True, exist_ok=True)
    partial = directory / f".{target.name}.{os.getpid()}.tmp.parquet"
    try:
        write_demo(generate_demo("full", seed), partial)
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m evidence.sources.demo",
        description="Write the synthetic demo data set (fictional areas, invented numbers).",
    )
    parser.add_argument("--scale", choices=["full", "small"], default="full")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument(
        "--out", type=Path, required=True, help="output file: .csv, .csv.gz or .parquet"
    )
    args = parser.parse_args(argv)
    start = time.perf_counter()
    ds = generate_demo(args.scale, args.seed)
    generated = time.perf_counter()
    write_demo(ds, args.out)
    done = time.perf_counter()
    print(
        f"{args.out}: {len(ds.employment):,} employment rows, {len(ds.areas)} areas, "
        f"{ds.source.suppressed_cells} suppressed cells; generated in {generated - start:.1f} s, "
        f"written in {done - generated:.1f} s ({args.out.stat().st_size / 1e6:.1f} MB)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
