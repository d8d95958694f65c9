"""Dense arrays (area x sector x year) built once from a Dataset.

Every indicator is arithmetic on these arrays, which is what makes "all indicators for all areas"
a single vectorised pass. Districts are aggregated into their partnership areas and regions here
by summing counts (never by averaging ratios), so a group's shares and location quotients are
recomputed from its totals.

Besides the ten Table 1 sectors the cube keeps every 4-digit SIC 2007 class in the file
(``classes``, ``class_emp`` [area, class, year]): the bundled demo holds only the advanced
manufacturing classes, a full BRES extract or the full demo all 615. Relatedness, variety and
supply chains (``evidence.area_analysis``) work at that detail.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import numpy as np

from evidence.columns import Columns, FrameField, columns_of, text_values
from evidence.context import aggregate_extra, extra_arrays
from evidence.dataset import (
    GB_CODE,
    NEIGHBOURHOOD_TIERS,
    Dataset,
    EmploymentCells,
    EmploymentSums,
    is_pseudo_code,
    partition_mask,
)
from evidence.levels import CodeSelection, select_codes
from evidence.sectors import TOTAL_CODE, load_sectors, match_code

if TYPE_CHECKING:
    import pandas as pd

SOC_GROUPS = 9
AREA_FIELDS = ["area_code", "area_name", "level", "group_code", "group_name", "region_code",
               "region_name", "members"]
"""The cube's area columns (``members``: the codes of the file areas each row sums)."""


class _ClassRows:
    """The ``Cube.class_emp`` field: an array, or a function that makes it, called on first
    read and replaced by its result (a descriptor-typed dataclass field, default None).

    The class array of the aggregate rows (groups, regions, custom areas: sums of their
    districts' rows, the size of the whole cube) is only read by the analysis step; the
    indicators, the ``indicators`` command and the profile's sector figures never read it,
    so it is summed when first asked for rather than with every cube."""

    def __set_name__(self, owner: type, name: str) -> None:
        self.attr = f"_{name}"

    def __get__(self, obj: Any, objtype: type | None = None) -> np.ndarray | None:
        if obj is None:
            return None  # the field's default
        value = obj.__dict__.get(self.attr)
        if callable(value):
            value = obj.__dict__[self.attr] = value()
        return value

    def __set__(self, obj: Any, value: np.ndarray | Callable[[], np.ndarray] | None) -> None:
        obj.__dict__[self.attr] = value

    def stored(self, obj: Any) -> np.ndarray | Callable[[], np.ndarray] | None:
        """The value as stored: the array, or the function that makes it (not called)."""
        return obj.__dict__.get(self.attr)


@dataclass
class Cube:
    """Counts for every area, Table 1 sector and year, plus the national reference.

    Arrays are float with NaN where a value is unknown (no row in the file, or suppressed with
    nothing else to go on). ``supp`` counts suppressed input cells behind each sector value.
    """

    areas: pd.DataFrame = FrameField(required=True)  # type: ignore[assignment]
    """Position-indexed ``AREA_FIELDS``: a frame to whoever reads it; built as
    :class:`~evidence.columns.Columns` (:meth:`area_table` reads them without pandas)."""
    sectors: list[str]
    years: np.ndarray
    emp: np.ndarray  # [A, S, Y]
    supp: np.ndarray  # [A, S, Y] suppressed input cells
    total: np.ndarray  # [A, Y] all-industry jobs
    structure: np.ndarray  # [A, D, Y] jobs by division (+ a final 'rest of economy' column)
    gva: np.ndarray | None  # [A, S, Y] GBP million
    gva_total: np.ndarray | None  # [A, Y]
    level4: np.ndarray | None  # [A, Y] share of residents qualified to level 4+
    berd: np.ndarray | None  # [A, Y] business R&D, GBP per job
    soc: np.ndarray | None  # [A, 9, Y] jobs by SOC 2020 major group
    region_pos: np.ndarray  # [A] position of the area's region row, -1 if none
    nat_emp: np.ndarray  # [S, Y]
    nat_total: np.ndarray  # [Y]
    nat_structure: np.ndarray  # [D, Y]
    nat_gva: np.ndarray | None
    nat_gva_total: np.ndarray | None
    nat_gva_emp: np.ndarray | None  # [S, Y] jobs behind nat_gva (same areas), for GVA per job
    nat_level4: np.ndarray | None
    nat_berd: np.ndarray | None
    nat_soc: np.ndarray | None
    classes: tuple[str, ...] = ()
    """The 4-digit SIC 2007 classes in the file, sorted; ``class_emp`` follows this order."""
    class_emp: np.ndarray | None = _ClassRows()  # type: ignore[assignment]
    """[A, C, Y] jobs by class; suppressed cells count 0 (aggregate rows summed on first
    read, :class:`_ClassRows`)."""
    nat_class_emp: np.ndarray | None = None  # [C, Y]
    total_basis: str = "all-industries row"
    national_basis: str = "sum of areas in file"
    notes: list[str] = field(default_factory=list)
    extra: dict[str, np.ndarray] = field(default_factory=dict)
    """[A, Y] per ``CONTEXT_EXTRA`` column in the data (:mod:`evidence.context`)."""
    _pos: dict[str, int] = field(default_factory=dict)

    def area_table(self) -> Columns:
        """The area columns, without making a frame (the frame when one was made)."""
        table = columns_of(Cube.__dict__["areas"].raw(self))
        assert table is not None
        return table

    def position(self, area_code: str) -> int:
        if not self._pos:
            self._pos = {c: i for i, c in enumerate(self.area_table()["area_code"].tolist())}
        try:
            return self._pos[area_code]
        except KeyError:
            raise KeyError(f"area {area_code!r} is not in the data") from None

    def year_index(self, year: int) -> int:
        hits = np.nonzero(self.years == year)[0]
        if not len(hits):
            raise KeyError(
                f"year {year} is not in the data ({self.years.min()}-{self.years.max()})"
            )
        return int(hits[0])


def _factorize(series: pd.Series | np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Integer codes and the distinct values; hash-based, so ~50 ms for 2 million strings
    (a frame's column), or by a dictionary for a numpy column (the small tables')."""
    if isinstance(series, np.ndarray):
        values = series.tolist()
        distinct = list(dict.fromkeys(values))  # in order of first appearance, as pandas
        index = {v: i for i, v in enumerate(distinct)}
        codes = np.fromiter(map(index.__getitem__, values), dtype=np.int64, count=len(values))
        return codes, np.asarray(distinct, dtype=object).astype(str)
    import pandas as pd  # deferred: only a reader that gave frames gets here

    if isinstance(series.dtype, pd.CategoricalDtype):
        return (series.cat.codes.to_numpy(dtype=np.int64),
                np.asarray(series.cat.categories, dtype=object).astype(str))
    codes, uniques = pd.factorize(series, sort=False)
    return codes.astype(np.int64), np.asarray(uniques, dtype=object).astype(str)


def _positions(series: pd.Series | np.ndarray, order: list[str]) -> np.ndarray:
    """Position of each value in ``order`` (-1 when absent), via the distinct values only."""
    codes, uniques = _factorize(series)
    pos = {c: i for i, c in enumerate(order)}
    lookup = np.array([pos.get(u, -1) for u in uniques] + [-1], dtype=np.int64)
    return lookup[codes]  # code -1 (missing) picks the trailing -1


def _lowest_level_mask(areas: Columns) -> np.ndarray:
    """Areas that partition the country: districts, and neighbourhoods of districts the file
    has no row for (:func:`evidence.dataset.partition_mask`); else every area."""
    return partition_mask(areas)


def build_cube(ds: Dataset) -> Cube:
    """Turn the tidy tables into dense arrays, adding group and region aggregates."""
    sectors = [s.sector_id for s in load_sectors()]
    years = np.array(ds.years, dtype=int)
    base, gb_in_file = _base_areas(ds)
    area_order = base["area_code"].tolist() + [GB_CODE]
    if ds.sums is not None:
        e = _summed_arrays(ds.sums, area_order, years, sectors)
    elif ds.cells is not None:
        e = _cell_arrays(ds.cells, area_order, years, sectors)
    else:
        e = _employment_arrays(ds, area_order, years, sectors)
    notes = (e.selection or select_codes(e.codes)).notes()  # the code axis's, when it has one

    gva = gva_total = None
    gva_rows, context_rows = ds.table("gva"), ds.table("context")
    if gva_rows is not None and len(gva_rows):
        gva, gva_total = _gva_arrays(gva_rows, area_order, years, sectors)
    level4 = berd = soc = None
    if context_rows is not None and len(context_rows):
        level4, berd, soc = _context_arrays(context_rows, area_order, years)

    # National reference: the GB row when present, else the sum of the partitioning areas.
    lowest = _lowest_level_mask(base)
    national_basis, nat_emp, nat_total, nat_struct = _national_employment(e, lowest, gb_in_file)
    nat_gva = nat_gva_total = nat_gva_emp = None
    if gva is not None:
        nat_gva, nat_gva_total, nat_gva_emp = _national_gva(
            gva, gva_total, e.emp, nat_emp, lowest, gb_in_file, notes
        )
    nat_level4 = nat_berd = nat_soc = None
    if level4 is not None:
        nat_level4, nat_berd, nat_soc = _national_context(level4, berd, soc, e.total, lowest)

    nat_class = None
    if e.class_emp is not None:
        nat_class = e.class_gb if national_basis.startswith("Great Britain") else \
            e.class_emp[lowest].sum(axis=0)

    def drop_gb(x: np.ndarray | None) -> np.ndarray | None:
        return None if x is None else x[:-1]

    areas = base.select(AREA_FIELDS[:-1]).with_column(
        "members", [[c] for c in base["area_code"].tolist()])
    cube = Cube(
        areas=areas,
        sectors=sectors,
        years=years,
        emp=e.emp[:-1],
        supp=e.supp[:-1],
        total=e.total[:-1],
        structure=e.structure[:-1],
        gva=drop_gb(gva),
        gva_total=drop_gb(gva_total),
        level4=drop_gb(level4),
        berd=drop_gb(berd),
        soc=drop_gb(soc),
        region_pos=np.full(len(areas), -1),
        nat_emp=nat_emp,
        nat_total=nat_total,
        nat_structure=nat_struct,
        nat_gva=nat_gva,
        nat_gva_total=nat_gva_total,
        nat_gva_emp=nat_gva_emp,
        nat_level4=nat_level4,
        nat_berd=nat_berd,
        nat_soc=nat_soc,
        classes=e.classes,
        class_emp=e.class_emp,
        nat_class_emp=nat_class,
        total_basis=e.total_basis,
        national_basis=national_basis,
        notes=notes,
        extra=extra_arrays(context_rows, area_order[:-1], years),
    )
    extra = base.select(["cauth_code", "cauth_name"]) if "cauth_code" in base else None
    cube, extra = _add_districts(cube, ds, extra)
    cube = _add_aggregates(cube, extra)
    return cube


def _add_districts(
    cube: Cube, ds: Dataset, extra: Columns | None
) -> tuple[Cube, Columns | None]:
    """Append a district row summing its neighbourhoods (MSOAs, LSOAs...; their
    ``group_code`` is the district) for each district the file has no row of its own for.

    The district's name and parents come from its row in the file's areas table (readers put
    one there, :func:`evidence.sources.neighbourhoods.place_neighbourhoods`); only the
    coarsest tier in a district is summed, so MSOAs and their LSOAs never both count.
    """
    table = cube.area_table()
    if not set(table["level"].tolist()) & set(NEIGHBOURHOOD_TIERS):
        return cube, extra  # no neighbourhoods: nothing to sum (and no frame to make)
    import pandas as pd  # deferred: neighbourhood files only

    file_areas = ds.areas
    areas = cube.areas
    tier = areas["level"].astype(str).map(NEIGHBOURHOOD_TIERS)
    existing = set(areas["area_code"].tolist())
    parent = areas["group_code"].astype(str)
    nb = tier.notna() & (parent != "") & ~parent.isin(existing)
    if not nb.any():
        return cube, extra
    # Only the coarsest tier in each district is summed (MSOAs, not also their LSOAs).
    nb &= tier == tier[nb].groupby(parent[nb]).transform("min").reindex(tier.index)
    part = areas[nb]
    groups = part.groupby(part["group_code"].astype(str), sort=True)
    known = file_areas.drop_duplicates("area_code").set_index("area_code")
    first = groups.first()
    own = known.reindex(first.index)

    def field(name: str, default: pd.Series | str) -> list[str]:
        mine = own[name].fillna("").astype(str) if name in own.columns else \
            pd.Series("", index=first.index)
        return list(mine.where(mine != "", default))

    rows = pd.DataFrame({
        "area_code": list(first.index),
        "area_name": field("area_name", first["group_name"].astype(str)),
        "level": "lad",
        "group_code": field("group_code", ""),
        "group_name": field("group_name", ""),
        "region_code": field("region_code", first["region_code"].astype(str)),
        "region_name": field("region_name", first["region_name"].astype(str)),
    })
    positions = groups.indices
    members = [np.asarray(part.index[positions[c]]) for c in rows["area_code"]]
    codes = areas["area_code"].to_numpy(dtype=object)
    rows["members"] = [list(codes[m]) for m in members]
    cauth = list(zip(field("cauth_code", ""), field("cauth_name", ""), strict=True))
    start = len(cube.areas)
    cube = append_rows(cube, Columns.from_frame(rows), members)
    if extra is not None:
        added = Columns({"cauth_code": [c for c, _ in cauth],
                         "cauth_name": [n for _, n in cauth]})
        assert len(extra) == start
        extra = extra.concat(added)
    return cube, extra


def _base_areas(ds: Dataset) -> tuple[Columns, bool]:
    """The file's areas that have employment rows, in the areas table's order, without GB;
    and whether GB had rows."""
    file_areas = ds.table("areas")
    assert file_areas is not None
    if ds.sums is not None:  # so are the areas of the sums
        present = np.asarray(ds.sums.area_labels, dtype=str).tolist()
    elif ds.cells is not None:
        present = np.asarray(ds.cells.area_labels, dtype=str)[ds.cells.area_rows].tolist()
    elif ds.codes is not None:  # the codes' labels are exactly the areas with rows
        present = np.asarray(ds.codes.area_labels, dtype=str).tolist()
    else:
        present = np.unique(np.asarray(ds.employment["area_code"], dtype=str)).tolist()
    codes = text_values(file_areas["area_code"])
    keep = set(present)
    first: dict[str, int] = {}
    for i, code in enumerate(codes):  # each code once (its first row), as an index lookup
        if code in keep:
            first.setdefault(code, i)
    gb_in_file = GB_CODE in first
    rows = np.array([i for c, i in first.items() if c != GB_CODE], dtype=np.int64)
    return file_areas.take(np.sort(rows)), gb_in_file


@dataclass
class _EmploymentArrays:
    """Employment scattered to (area, sector, year) etc.; the last area slot is the GB row."""

    emp: np.ndarray
    supp: np.ndarray
    total: np.ndarray
    structure: np.ndarray
    total_basis: str
    codes: list[str]
    """The file's industry codes other than TOTAL."""
    classes: tuple[str, ...] = ()
    class_emp: np.ndarray | None = None
    """[A, C, Y] jobs by 4-digit SIC class (suppressed or missing cells count 0) of the
    areas without the GB row (which is ``class_gb``); None from an out-of-core reader's
    sums, which have no class detail."""
    class_gb: np.ndarray | None = None
    selection: CodeSelection | None = None
    """The codes' selection (:func:`evidence.levels.select_codes`) when the arrays were summed
    over a code axis (TOTAL is ignored by it, so it is also the selection of ``codes``)."""


def is_class_code(code: str) -> bool:
    """A 4-digit SIC 2007 class key (the finest level the cube keeps besides sectors)."""
    return len(code) == 4 and code.isdigit()


def _code_positions(
    uniques: np.ndarray, sectors: list[str]
) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[str], CodeSelection]:
    """Per distinct industry code: its Table 1 sector and division positions (-1 for none),
    whether it is TOTAL; and the divisions present.

    Codes of several levels are chosen by :func:`evidence.levels.select_codes` so that no job
    is counted twice: a sector from the finest codes covering it, the structure from the
    coarsest.
    """
    sector_of = np.full(len(uniques), -1, dtype=np.int64)
    division_of = np.full(len(uniques), -1, dtype=np.int64)
    is_total = uniques == TOTAL_CODE
    selection = select_codes(list(uniques))  # TOTAL and pseudo-codes are ignored
    sector_by_code = {c: s for s, codes in selection.sector_codes.items() for c in codes}
    divisions = sorted({u[:2] for u in uniques if u in selection.structure_codes})
    div_pos = {d: i for i, d in enumerate(divisions)}
    for i, code in enumerate(uniques):
        if code == TOTAL_CODE:
            continue
        sector = sector_by_code.get(code)
        if sector is not None:
            sector_of[i] = sectors.index(sector)
        if code in selection.structure_codes:
            division_of[i] = div_pos[code[:2]]
    return sector_of, division_of, is_total, divisions, selection


class _Rows:
    """The employment rows as integer positions: area (in the cube's area order, -1 if not in
    it), year (in ``years``), industry code (in ``uniques``); values and flags."""

    def __init__(self, ds: Dataset, area_order: list[str], years: np.ndarray) -> None:
        codes = ds.codes
        if codes is not None:  # a lean reader's codes: nothing per row but integer gathers
            pos = {c: i for i, c in enumerate(area_order)}
            lookup = np.array([pos.get(str(c), -1) for c in codes.area_labels], dtype=np.int64)
            self.area = lookup[codes.area]
            year, self.code = codes.year, codes.sic.astype(np.int64)
            self.uniques = np.asarray(codes.sic_labels, dtype=str)
            self.values, self.suppressed = codes.employment, codes.suppressed
        else:
            emp = ds.employment
            self.area = _positions(emp["area_code"], area_order)
            year = emp["year"].to_numpy()
            self.code, self.uniques = _factorize(emp["sic"])
            self.values = emp["employment"].to_numpy(dtype=float)
            self.suppressed = emp["suppressed"].to_numpy(dtype=bool)
        first = int(years[0])
        if len(years) and int(years[-1]) - first < 1000 and np.all(np.diff(years) > 0):
            table = np.full(int(years[-1]) - first + 1, -1, dtype=np.int64)
            table[years - first] = np.arange(len(years))
            self.year = table[np.asarray(year, dtype=np.int64) - first]
        else:
            self.year = np.searchsorted(years, year)


def _employment_arrays(
    ds: Dataset, area_order: list[str], years: np.ndarray, sectors: list[str]
) -> _EmploymentArrays:
    """One pass over the rows: jobs by (area, industry code, year), a dense array only as big
    as the cube; sectors, divisions, totals and classes are then sums over its code axis.
    Known and suppressed counts are taken only over the rows of sector and TOTAL codes."""
    rows = _Rows(ds, area_order, years)
    uniques = rows.uniques
    codes = _CodeAxis(uniques, sectors)
    n_a, n_u, n_y = len(area_order), len(uniques), len(years)
    known = ~np.isnan(rows.values)
    valid = rows.area >= 0
    if not valid.all():
        rows.area, rows.code, rows.year = rows.area[valid], rows.code[valid], rows.year[valid]
        rows.values, rows.suppressed, known = (rows.values[valid], rows.suppressed[valid],
                                               known[valid])
    cell = (rows.area * n_u + rows.code) * n_y + rows.year
    jobs = np.bincount(cell, weights=np.where(known, rows.values, 0.0),
                       minlength=n_a * n_u * n_y).reshape(n_a, n_u, n_y)
    # Known / suppressed counts for the few codes that make sectors and the TOTAL.
    row_slot = codes.slot[rows.code]
    mine = row_slot >= 0
    small = (rows.area[mine] * len(codes.counted) + row_slot[mine]) * n_y + rows.year[mine]
    size = n_a * len(codes.counted) * n_y

    def count(flags: np.ndarray) -> np.ndarray:
        return np.bincount(small, weights=flags[mine].astype(float),
                           minlength=size).reshape(n_a, len(codes.counted), n_y)

    sums = codes.sums(jobs, count(known), count(rows.suppressed))
    class_emp = jobs[:, codes.class_pos, :]
    arrays = _finish(*sums, list(uniques[~codes.is_total]), codes.classes, class_emp[:-1],
                     class_emp[-1])
    arrays.selection = codes.selection
    return arrays


def _cell_arrays(cells: EmploymentCells, area_order: list[str], years: np.ndarray,
                 sectors: list[str]) -> _EmploymentArrays:  # fmt: skip
    """The lean reader's dense cells summed over their code axis, then placed in the cube's
    area order (an area without rows, such as a missing GB row, is all zero).

    The cells are stored [area, year, code], so every sum runs along contiguous memory, over
    runs of neighbouring codes (sorted codes of one division or sector sit together); the
    class array is a view of the cells when the areas are already in the cube's order."""
    if [int(y) for y in cells.years] != [int(y) for y in years]:
        raise ValueError("the cells' years are not the dataset's years")
    uniques = np.asarray(cells.sic_labels, dtype=str)
    codes = _CodeAxis(uniques, sectors)
    have = {str(c): i for i, c in enumerate(cells.area_labels)}
    pick = np.array([have.get(c, -1) for c in area_order], dtype=np.int64)
    missing = pick < 0
    take = np.where(missing, 0, pick)

    def placed(x: np.ndarray | None) -> np.ndarray | None:
        if x is None:
            return None
        out = x[take]
        out[missing] = 0.0
        return out

    stored = cells.jobs.transpose(0, 2, 1)  # [A, Y, U], contiguous
    counted = codes.counted
    seen = cells.known.transpose(0, 2, 1)[:, :, counted].astype(float)
    supp = cells.suppressed.transpose(0, 2, 1)[:, :, counted].astype(float)
    sums = [placed(x) for x in codes.sums_last(stored, seen, supp)]
    arrays = _finish(*sums, list(uniques[~codes.is_total]), codes.classes,  # type: ignore[arg-type]
                     *_class_arrays(stored, codes.class_pos, pick))
    arrays.selection = codes.selection
    return arrays


def _class_arrays(stored: np.ndarray, class_pos: np.ndarray,
                  pick: np.ndarray) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
    """[A, C, Y] class jobs of the areas (all but the last of ``pick``) and [C, Y] of the GB
    row (the last); views of ``stored`` [A, Y, U] when nothing needs moving."""
    lo = int(class_pos[0]) if len(class_pos) else 0
    contiguous = bool(np.array_equal(class_pos, np.arange(lo, lo + len(class_pos))))
    columns = slice(lo, lo + len(class_pos)) if contiguous else class_pos
    areas, gb = pick[:-1], int(pick[-1])
    if (len(areas) and np.array_equal(areas, np.arange(areas[0], areas[0] + len(areas)))
            and areas[0] >= 0):
        rows = stored[int(areas[0]):int(areas[0]) + len(areas)]
    else:
        rows = stored[np.where(areas < 0, 0, areas)]
        rows[areas < 0] = 0.0
    class_emp = rows[:, :, columns].transpose(0, 2, 1)
    class_gb = (stored[gb][:, columns].T if gb >= 0
                else np.zeros((len(class_pos), stored.shape[1])))
    return class_emp, class_gb


class _CodeAxis:
    """What each distinct industry code of a dense [area, code, year] array adds up to: its
    Table 1 sector, its division, TOTAL, a NOMIS pseudo-code, a 4-digit class."""

    def __init__(self, uniques: np.ndarray, sectors: list[str]) -> None:
        self.sector_of, self.division_of, self.is_total, divisions, self.selection = (
            _code_positions(uniques, sectors))
        self.n_s, self.n_d = len(sectors), len(divisions)
        self.counted = np.flatnonzero((self.sector_of >= 0) | self.is_total)
        self.slot = np.full(len(uniques), -1, dtype=np.int64)
        self.slot[self.counted] = np.arange(len(self.counted))
        self.pseudo = np.array([is_pseudo_code(u) for u in uniques], dtype=bool)
        self.class_pos = np.asarray(
            [i for i in np.argsort(uniques, kind="stable") if is_class_code(uniques[i])],
            dtype=np.int64)
        self.classes = tuple(str(uniques[i]) for i in self.class_pos)

    def sums_last(self, stored: np.ndarray, seen: np.ndarray,
                  supp_count: np.ndarray) -> list[np.ndarray | None]:  # fmt: skip
        """:meth:`sums` from arrays with the code axis last ([A, Y, U] and [A, Y, counted]),
        summed slice by slice over runs of neighbouring codes; results [A, group, Y]."""
        sector_of, is_total, counted = self.sector_of, self.is_total, self.counted
        n_a, n_y, _ = stored.shape

        def by_group(source: np.ndarray, members: np.ndarray, group: np.ndarray,
                     n_group: int) -> np.ndarray:  # fmt: skip
            out = np.zeros((n_a, n_group, n_y))
            if not len(members):
                return out
            lo, hi = int(members[0]), int(members[-1]) + 1
            if hi - lo == len(members) and bool(np.all(np.diff(group) >= 0)):
                # One span of codes, groups in order (sorted codes by division): one pass.
                starts = np.flatnonzero(np.r_[True, group[1:] != group[:-1]])
                sums = np.add.reduceat(source[:, :, lo:hi], starts, axis=2)
                out[:, group[starts], :] = sums.transpose(0, 2, 1)
                return out
            for g in range(n_group):
                picked = members[group == g]
                for run in np.split(picked, np.flatnonzero(np.diff(picked) != 1) + 1):
                    if len(run):
                        out[:, g, :] += source[:, :, int(run[0]):int(run[-1]) + 1].sum(axis=2)
            return out

        counted_sector = sector_of[counted]
        emp = by_group(stored, np.flatnonzero(sector_of >= 0), sector_of[sector_of >= 0],
                       self.n_s)
        sector_seen = by_group(seen, np.arange(len(counted)), counted_sector, self.n_s)
        supp = by_group(supp_count, np.arange(len(counted)), counted_sector, self.n_s)
        in_division = (self.division_of >= 0) & ~is_total
        structure = by_group(stored, np.flatnonzero(in_division),
                             self.division_of[in_division], self.n_d)
        total_jobs = total_seen = None
        if bool(is_total.any()):
            total_jobs = stored[:, :, is_total].sum(axis=2)
            total_seen = seen[:, :, is_total[counted]].sum(axis=2)
        pseudo_jobs = (stored[:, :, self.pseudo].sum(axis=2) if self.pseudo.any()
                       else np.zeros((n_a, n_y)))
        return [emp, sector_seen, supp, structure, total_jobs, total_seen, pseudo_jobs]

    def sums(self, jobs: np.ndarray, seen: np.ndarray,
             supp_count: np.ndarray) -> list[np.ndarray | None]:  # fmt: skip
        """Sector jobs, known and suppressed cells, division jobs, TOTAL jobs and cells and
        pseudo-code jobs from jobs [A, U, Y] and the counts [A, counted, Y]."""
        n_a, _, n_y = jobs.shape

        def by_group(source: np.ndarray, members: np.ndarray, group: np.ndarray,
                     n_group: int) -> np.ndarray:  # fmt: skip
            out = np.zeros((n_a, n_group, n_y))
            for g in range(n_group):
                picked = members[group == g]
                if len(picked):
                    out[:, g, :] = source[:, picked, :].sum(axis=1)
            return out

        sector_of, is_total = self.sector_of, self.is_total
        counted_sector = sector_of[self.counted]
        emp = by_group(jobs, np.flatnonzero(sector_of >= 0), sector_of[sector_of >= 0], self.n_s)
        sector_seen = by_group(seen, np.arange(len(self.counted)), counted_sector, self.n_s)
        supp = by_group(supp_count, np.arange(len(self.counted)), counted_sector, self.n_s)
        in_division = (self.division_of >= 0) & ~is_total
        structure = by_group(jobs, np.flatnonzero(in_division), self.division_of[in_division],
                             self.n_d)
        total_jobs = total_seen = None
        if bool(is_total.any()):
            total_jobs = jobs[:, is_total, :].sum(axis=1)
            total_seen = seen[:, is_total[self.counted], :].sum(axis=1)
        pseudo_jobs = (jobs[:, self.pseudo, :].sum(axis=1) if self.pseudo.any()
                       else np.zeros((n_a, n_y)))
        return [emp, sector_seen, supp, structure, total_jobs, total_seen, pseudo_jobs]


def _finish(emp: np.ndarray, sector_seen: np.ndarray, supp: np.ndarray, structure: np.ndarray,
            total_jobs: np.ndarray | None, total_seen: np.ndarray | None,
            pseudo_jobs: np.ndarray | None, codes: list[str], classes: tuple[str, ...] = (),
            class_emp: np.ndarray | None = None,
            class_gb: np.ndarray | None = None) -> _EmploymentArrays:  # fmt: skip
    """Sums by sector, division and TOTAL -> the cube's arrays (both engines end here)."""
    # No known value behind a cell (no row, or every row suppressed): unknown, not zero.
    emp = np.where(sector_seen == 0, np.nan, emp)
    if total_jobs is not None and total_seen is not None:
        total = np.where(total_seen > 0, total_jobs, np.nan)
        total_basis = "all-industries row"
    else:
        # NOMIS pseudo-codes (DEFRA agricultural data) are in no sector or division but are
        # jobs NOMIS counts in its totals.
        total = structure.sum(axis=1)
        if pseudo_jobs is not None:
            total = total + pseudo_jobs
        total_basis = "sum of industries in file"
    rest = np.clip(total - structure.sum(axis=1), 0, None)
    structure = np.concatenate([structure, rest[:, None, :]], axis=1)
    return _EmploymentArrays(emp, supp, total, structure, total_basis, codes, classes,
                             class_emp, class_gb)


def _summed_arrays(sums: EmploymentSums, area_order: list[str], years: np.ndarray,
                   sectors: list[str]) -> _EmploymentArrays:  # fmt: skip
    """An out-of-core reader's sums placed in the cube's area order (no class detail)."""
    if list(sums.years) != [int(y) for y in years]:
        raise ValueError("the sums' years are not the dataset's years")
    have = {str(c): i for i, c in enumerate(sums.area_labels)}
    pick = np.array([have.get(c, -1) for c in area_order], dtype=np.int64)
    missing = pick < 0

    def placed(x: np.ndarray, fill: float) -> np.ndarray:
        out = x[np.where(missing, 0, pick)] if len(x) else np.zeros((len(pick), *x.shape[1:]))
        out[missing] = fill
        return out

    structure = placed(sums.division_jobs, 0.0)
    total_jobs = None if sums.total_jobs is None else placed(sums.total_jobs, 0.0)
    total_seen = None if sums.total_seen is None else placed(sums.total_seen, 0.0)
    codes = [c for c in sums.codes if c != TOTAL_CODE]
    return _finish(placed(sums.sector_jobs, 0.0), placed(sums.sector_seen, 0.0),
                   placed(sums.sector_supp, 0.0), structure, total_jobs, total_seen, None,
                   codes)


def _national_employment(
    e: _EmploymentArrays, lowest: np.ndarray, gb_in_file: bool
) -> tuple[str, np.ndarray, np.ndarray, np.ndarray]:
    """Basis, jobs by sector, total jobs and structure for Great Britain."""
    if gb_in_file and not np.all(np.isnan(e.total[-1])):
        return "Great Britain row (K03000001)", e.emp[-1], e.total[-1], e.structure[-1]
    return (
        "sum of areas in file",
        np.nansum(e.emp[:-1][lowest], axis=0),
        np.nansum(e.total[:-1][lowest], axis=0),
        e.structure[:-1][lowest].sum(axis=0),
    )


def _national_gva(
    gva: np.ndarray,
    gva_total: np.ndarray | None,
    emp: np.ndarray,
    nat_emp: np.ndarray,
    lowest: np.ndarray,
    gb_in_file: bool,
    notes: list[str],
) -> tuple[np.ndarray, np.ndarray | None, np.ndarray]:
    """National GVA by sector, total GVA and the jobs to divide sector GVA by."""
    if gb_in_file and not np.all(np.isnan(gva[-1])):
        return gva[-1], gva_total[-1] if gva_total is not None else None, nat_emp
    # GVA per job nationally must divide GVA by the jobs of the same areas.
    known = ~np.isnan(gva[:-1][lowest])
    nat_gva = np.where(known.any(axis=0), np.nansum(gva[:-1][lowest], axis=0), np.nan)
    nat_gva_emp = np.nansum(np.where(known, emp[:-1][lowest], 0.0), axis=0)
    nat_gva_total = (np.nansum(gva_total[:-1][lowest], axis=0)
                     if gva_total is not None else None)
    notes.append("National GVA per job is computed from the areas in the GVA file "
                 "(it has no Great Britain row), over the same areas' jobs.")
    return nat_gva, nat_gva_total, nat_gva_emp


def _national_context(
    level4: np.ndarray,
    berd: np.ndarray | None,
    soc: np.ndarray | None,
    total: np.ndarray,
    lowest: np.ndarray,
) -> tuple[np.ndarray, np.ndarray | None, np.ndarray | None]:
    """National skills, R&D and occupations: the GB row when it has them, else job-weighted."""
    w = np.where(np.isnan(total[:-1][lowest]), 0, total[:-1][lowest])
    nat_level4 = _weighted(level4[:-1][lowest], w)
    nat_berd = _weighted(berd[:-1][lowest], w) if berd is not None else None
    nat_soc = np.nansum(soc[:-1][lowest], axis=0) if soc is not None else None
    if not np.all(np.isnan(level4[-1])):
        nat_level4 = level4[-1]
        nat_berd = berd[-1] if berd is not None else nat_berd
        nat_soc = soc[-1] if soc is not None and np.nansum(soc[-1]) > 0 else nat_soc
    return nat_level4, nat_berd, nat_soc


def _weighted(values: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Job-weighted mean over axis 0, ignoring missing values."""
    ok = ~np.isnan(values)
    w = np.where(ok, weights, 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(w.sum(axis=0) > 0, np.nansum(values * w, axis=0) / w.sum(axis=0), np.nan)


def _area_year_index(
    frame: Columns, area_order: list[str], years: np.ndarray
) -> tuple[Columns, np.ndarray, np.ndarray]:
    """Rows of an area-year table that fall in the cube, with their area and year positions
    (looked up on the distinct codes, not row by row)."""
    a = _positions(np.asarray(frame["area_code"], dtype=object), area_order)
    y = np.asarray(frame["year"], dtype=np.int64)
    keep = (a >= 0) & np.isin(y, years)
    kept = frame.take(keep) if not keep.all() else frame
    return kept, a[keep], np.searchsorted(years, y[keep])


def _gva_arrays(
    rows: Columns, area_order: list[str], years: np.ndarray, sectors: list[str]
) -> tuple[np.ndarray, np.ndarray]:
    gdf, a, y = _area_year_index(rows, area_order, years)
    code, uniques = _factorize(np.asarray(gdf["sic"], dtype=object))
    vals = np.asarray(gdf["gva"], dtype=float)
    n_a, n_s, n_y = len(area_order), len(sectors), len(years)
    gva = np.full((n_a, n_s, n_y), np.nan)
    gva_total = np.full((n_a, n_y), np.nan)
    # Range codes such as "26-27" (ONS GVA) straddle sectors: they never count for one sector.
    index = {s: i for i, s in enumerate(sectors)}
    sector_of = np.array([-2 if c == TOTAL_CODE else -1 if "-" in c
                          else index.get(match_code(c).sector_id or "", -1)
                          for c in uniques] + [-1], dtype=np.int64)  # fmt: skip
    sec = sector_of[code]
    tot = sec == -2
    gva_total[a[tot], y[tot]] = vals[tot]
    mine = sec >= 0
    if mine.any():
        cell = (a[mine] * n_s + sec[mine]) * n_y + y[mine]
        block = np.bincount(cell, weights=np.nan_to_num(vals[mine]), minlength=n_a * n_s * n_y)
        seen = np.bincount(cell, minlength=n_a * n_s * n_y)
        gva = np.where(seen > 0, block, np.nan).reshape(n_a, n_s, n_y)
    return gva, gva_total


def _context_arrays(
    ctx: Columns, area_order: list[str], years: np.ndarray
) -> tuple[np.ndarray | None, np.ndarray | None, np.ndarray | None]:
    ctx, a, y = _area_year_index(ctx, area_order, years)
    n_a, n_y = len(area_order), len(years)

    def column(name: str) -> np.ndarray | None:
        if name not in ctx:
            return None
        out = np.full((n_a, n_y), np.nan)
        out[a, y] = np.asarray(ctx[name], dtype=float)
        return out

    level4 = column("level4_share")
    berd = column("berd_per_job")
    soc_cols = [column(f"soc_{k}") for k in range(1, SOC_GROUPS + 1)]
    soc = None
    if all(c is not None for c in soc_cols):
        soc = np.stack(soc_cols, axis=1)  # type: ignore[arg-type]
    return level4, berd, soc


def _sum_members(x: np.ndarray | None, members: list[np.ndarray],
                 nan_free: bool = False) -> np.ndarray | None:  # fmt: skip
    """Each group's sum of its members' rows (missing values count 0; an empty group NaN).

    A loop over the groups, each summing only its members' rows: a product with a
    membership matrix would cost groups x areas x the rest, and BLAS threads fight for a
    small shared machine's cores."""
    if x is None:
        return None
    filled = x if nan_free else np.where(np.isnan(x), 0.0, x)
    out = np.empty((len(members), *x.shape[1:]))
    for i, g in enumerate(members):
        out[i] = filled[g].sum(axis=0) if len(g) else np.nan
    return out


def aggregate_rows(cube: Cube, member_positions: list[np.ndarray]) -> dict[str, np.ndarray | None]:
    """Sum district rows into aggregate rows; ratios (skills, R&D) are job-weighted.

    A sector value of an aggregate is NaN only when every member is NaN.
    """
    members = _member_arrays(member_positions)

    def summed(x: np.ndarray | None) -> np.ndarray | None:
        if x is None:
            return None
        out = _sum_members(x, members)
        known = _sum_members((~np.isnan(x)).astype(float), members, nan_free=True)
        return np.where((known == 0) | np.isnan(known), np.nan, out)

    result: dict[str, np.ndarray | None] = {
        "emp": summed(cube.emp),
        "supp": _sum_members(cube.supp, members),
        "total": summed(cube.total),
        "structure": _sum_members(cube.structure, members),
        "gva": summed(cube.gva),
        "gva_total": summed(cube.gva_total),
        "soc": summed(cube.soc),
    }
    for name in ("level4", "berd"):
        x = getattr(cube, name)
        if x is None:
            result[name] = None
            continue
        w = np.where(np.isnan(cube.total), 0.0, cube.total)
        result[name] = np.stack([_weighted(x[g], w[g]) for g in members])
    return result


def _add_aggregates(cube: Cube, extra: Columns | None = None) -> Cube:
    """Append group and region rows (sums of their districts) not already in the file.

    ``extra`` (``cauth_code``, ``cauth_name`` by area position) is a second grouping of the
    districts, such as combined authorities beside LSIP areas: its rows are groups too.
    """
    table = cube.area_table()
    positions = np.flatnonzero(np.asarray(text_values(table["level"]), dtype=object) == "lad")
    lad = table.take(positions)
    passes = [("group", "group_code", "group_name"), ("region", "region_code", "region_name")]
    if extra is not None:
        lad = Columns({**lad.data, **extra.take(positions).data})
        passes.insert(1, ("group", "cauth_code", "cauth_name"))
    existing = set(table["area_code"].tolist())
    new_rows: list[dict] = []
    members: list[np.ndarray] = []

    def text(column: str) -> np.ndarray:  # one list conversion, not a string a row
        return np.asarray(text_values(lad[column]), dtype=object)

    lad_codes, regions, region_names = text("area_code"), text("region_code"), text("region_name")
    for level, code_col, name_col in passes:
        codes, names = text(code_col), text(name_col)
        groups, inverse = np.unique(codes, return_inverse=True)
        for g, code in enumerate(groups.tolist()):
            if code == "" or code in existing:
                continue
            existing.add(code)
            rows = np.flatnonzero(inverse == g)
            name = str(names[rows[0]])
            region_code = _mode(regions[rows]) if level == "group" else code
            region_name = _mode(region_names[rows]) if level == "group" else ""
            new_rows.append({
                "area_code": code,
                "area_name": name,
                "level": level,
                "group_code": code if level == "group" else "",
                "group_name": name if level == "group" else "",
                "region_code": region_code,
                "region_name": region_name or name,
                "members": lad_codes[rows].tolist(),
            })
            members.append(positions[rows])
    if new_rows:
        cube = append_rows(cube, Columns({c: [r[c] for r in new_rows] for c in AREA_FIELDS}),
                           members)
    table = cube.area_table()
    pos = {c: i for i, c in enumerate(table["area_code"].tolist())}
    region_codes = text_values(table["region_code"])
    cube.region_pos = np.array([pos.get(rc, -1) for rc in region_codes], dtype=np.int64)
    cube._pos = {}
    return cube


def _mode(values: np.ndarray) -> str:
    """The most common value, the smallest of those tied (as ``pandas.Series.mode`` picks).

    Counted in Python: a group has a handful of districts, and ``np.unique``'s sort cost
    about 30 us a group (2 ms of a cube's 50-odd groups, 360 in all)."""
    counts: dict[str, int] = {}
    for value in values.tolist():
        key = str(value)
        counts[key] = counts.get(key, 0) + 1
    top = max(counts.values())
    return min(k for k, c in counts.items() if c == top)


def append_rows(cube: Cube, rows: pd.DataFrame | Columns,
                member_positions: list[np.ndarray]) -> Cube:  # fmt: skip
    """Return a cube with aggregate rows added (used for groups, regions and custom areas)."""
    agg = aggregate_rows(cube, member_positions)
    new = columns_of(rows)
    assert new is not None

    def cat(old: np.ndarray | None, new: np.ndarray | None) -> np.ndarray | None:
        if old is None or new is None:
            return old
        return np.concatenate([old, new], axis=0)

    old = cube.area_table()
    areas = old.concat(new.select(old.columns))
    out = replace(
        cube,
        areas=areas,
        emp=cat(cube.emp, agg["emp"]),
        supp=cat(cube.supp, agg["supp"]),
        total=cat(cube.total, agg["total"]),
        structure=cat(cube.structure, agg["structure"]),
        gva=cat(cube.gva, agg["gva"]),
        gva_total=cat(cube.gva_total, agg["gva_total"]),
        level4=cat(cube.level4, agg["level4"]),
        berd=cat(cube.berd, agg["berd"]),
        soc=cat(cube.soc, agg["soc"]),
        class_emp=_appended_classes(cube, _member_arrays(member_positions)),
        region_pos=np.concatenate([cube.region_pos, np.full(len(new), -1)]),
        extra=aggregate_extra(cube.extra, member_positions, cube.total),
        _pos={},
    )
    pos = {c: i for i, c in enumerate(areas["area_code"].tolist())}
    out.region_pos = np.array(
        [pos.get(rc, -1) for rc in text_values(areas["region_code"])], dtype=np.int64
    )
    return out


def _member_arrays(member_positions: list[np.ndarray]) -> list[np.ndarray]:
    return [np.asarray(g, dtype=np.int64) for g in member_positions]


def _appended_classes(cube: Cube, members: list[np.ndarray]
                      ) -> Callable[[], np.ndarray] | None:  # fmt: skip
    """A function making ``cube``'s class array with the aggregates' rows appended (None
    when the cube has no class detail); the parent's array is read when it is called."""
    if Cube.__dict__["class_emp"].stored(cube) is None:
        return None

    def rows() -> np.ndarray:
        base = cube.class_emp
        return np.concatenate([base, _sum_members(base, members, nan_free=True)], axis=0)

    return rows


def with_custom_area(cube: Cube, code: str, name: str, members: list[str]) -> Cube:
    """Add a user-defined area made of districts (or any areas) in the data."""
    if not members:
        raise ValueError("a custom area needs at least one member area")
    positions = np.array([cube.position(m) for m in members])
    regions = np.asarray(text_values(cube.area_table()["region_code"]), dtype=object)[positions]
    row = Columns({
        "area_code": [code],
        "area_name": [name],
        "level": ["custom"],
        "group_code": [""],
        "group_name": [""],
        "region_code": [str(regions[0]) if len(set(regions.tolist())) == 1 else ""],
        "region_name": [""],
        "members": [list(members)],
    })
    return append_rows(cube, row, [positions])
