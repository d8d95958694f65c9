"""The tables every source module returns: the contract between data in and indicators.

A ``Dataset`` is plain pandas tables with fixed columns, checked once at the boundary by
``validate_dataset`` so the indicator code can trust them and stay vectorised.

Tables
------
employment
    One row per area x industry code x year: ``area_code`` (str), ``year`` (int), ``sic``
    (normalised key from :func:`evidence.sectors.normalise_sic`: ``"3030"``, ``"303"``, ``"30"``
    or ``"TOTAL"``), ``employment`` (float; NaN where the cell was suppressed) and ``suppressed``
    (bool). Counts may be rounded (BRES publishes employment rounded); ``SourceInfo.rounding``
    records the base so confidence can reflect it.
areas
    One row per area in the file: ``area_code``, ``area_name``, ``level`` (``lad``, ``group``,
    ``region``, ``country``), and for districts the parents ``group_code``, ``group_name``,
    ``region_code``, ``region_name`` (empty strings when unknown).
gva (optional)
    ``area_code``, ``year``, ``sic`` (normalised), ``gva`` in GBP million, current prices.
context (optional)
    ``area_code``, ``year`` and any of ``level4_share`` (share of residents 16-64 qualified to
    RQF level 4+), ``berd_per_job`` (business R&D, GBP per job) and ``soc_1`` .. ``soc_9``
    (employment by SOC 2020 major group).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from evidence.problems import Problem, ProblemError

GB_CODE = "K03000001"
"""ONS code for Great Britain; a row with this code supplies national totals when present."""

EMPLOYMENT_COLUMNS = ["area_code", "year", "sic", "employment", "suppressed"]
AREA_COLUMNS = [
    "area_code",
    "area_name",
    "level",
    "group_code",
    "group_name",
    "region_code",
    "region_name",
]
GVA_COLUMNS = ["area_code", "year", "sic", "gva"]
CONTEXT_NUMERIC = ["level4_share", "berd_per_job"] + [f"soc_{i}" for i in range(1, 10)]
AREA_LEVELS = ("lad", "group", "region", "country", "custom")


class DataError(ProblemError):
    """Bad input, located: which file, which row, which column, and what is wrong.

    ``row`` is the 1-based line number in the file as a user would see it in a text editor or
    spreadsheet (header = line 1), or None when the problem is not tied to one row. A
    :class:`evidence.problems.ProblemError` carrying one :class:`~evidence.problems.Problem`
    (or several, given as ``problems``); ``detail`` is the first problem's bare message.
    """

    def __init__(
        self,
        message: str | None = None,
        *,
        file: str | None = None,
        row: int | None = None,
        column: str | None = None,
        code: str = "bad_data",
        problems: list[Problem] | None = None,
    ) -> None:
        if problems is None:
            if message is None:
                raise TypeError("DataError needs a message or a list of problems")
            problems = [Problem(file=file, row=row, column=column, message=message, code=code)]
        super().__init__(problems)

    @property
    def detail(self) -> str:
        return self.first.message


@dataclass
class SourceInfo:
    """Where the data came from, so every screen and export can say so."""

    name: str
    path: str | None = None
    synthetic: bool = False
    rounding: int | None = None
    suppressed_cells: int = 0
    notes: list[str] = field(default_factory=list)

    def label(self) -> str:
        text = self.name
        if self.synthetic:
            text += " (SYNTHETIC demo data - fictional areas, not real statistics)"
        return text


@dataclass
class Dataset:
    employment: pd.DataFrame
    areas: pd.DataFrame
    source: SourceInfo
    gva: pd.DataFrame | None = None
    context: pd.DataFrame | None = None

    @property
    def years(self) -> list[int]:
        return sorted(int(y) for y in self.employment["year"].unique())

    def area_name(self, code: str) -> str:
        hit = self.areas.loc[self.areas["area_code"] == code, "area_name"]
        return str(hit.iloc[0]) if len(hit) else code


def _require_columns(frame: pd.DataFrame, columns: list[str], table: str, file: str | None) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise DataError(f"{table} table lacks column(s) {', '.join(missing)}", file=file)


def validate_dataset(ds: Dataset) -> Dataset:
    """Check the contract once so downstream code needs no defensive checks.

    Raises DataError naming the table and column; row numbers here are 1-based positions in
    the table because the original file lines are the source module's business.
    """
    file = ds.source.path
    _require_columns(ds.employment, EMPLOYMENT_COLUMNS, "employment", file)
    _require_columns(ds.areas, AREA_COLUMNS, "areas", file)
    emp = ds.employment
    if emp.empty:
        raise DataError("no employment rows", file=file)
    bad = emp["employment"].notna() & (emp["employment"] < 0)
    if bad.any():
        i = int(bad.to_numpy().nonzero()[0][0])
        raise DataError("negative employment", file=file, row=i + 1, column="employment")
    unknown = ~emp["area_code"].isin(ds.areas["area_code"])
    if unknown.any():
        i = int(unknown.to_numpy().nonzero()[0][0])
        raise DataError(
            f"area {emp['area_code'].iloc[i]!r} is not in the areas table",
            file=file,
            row=i + 1,
            column="area_code",
        )
    dupes = emp.duplicated(["area_code", "year", "sic"])
    if dupes.any():
        i = int(dupes.to_numpy().nonzero()[0][0])
        r = emp.iloc[i]
        raise DataError(
            f"duplicate row for area {r['area_code']}, year {r['year']}, industry {r['sic']}",
            file=file,
            row=i + 1,
        )
    if ds.gva is not None:
        _require_columns(ds.gva, GVA_COLUMNS, "gva", file)
    if ds.context is not None:
        _require_columns(ds.context, ["area_code", "year"], "context", file)
    return ds
