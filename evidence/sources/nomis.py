"""NOMIS Business Register and Employment Survey (BRES) downloads -> ``Dataset``.

BRES is the ONS employer survey of jobs by workplace and detailed industry (SIC 2007); NOMIS
(https://www.nomisweb.co.uk, datasets NM_189_1 / NM_172_1 "Business Register and Employment
Survey : open access") publishes it in two CSV shapes, and both are read here:

bulk (API) CSV
    ``https://www.nomisweb.co.uk/api/v01/dataset/NM_189_1.data.csv?...``: one observation per line
    with ``DATE``/``DATE_NAME``, ``GEOGRAPHY_CODE``/``GEOGRAPHY_NAME``/``GEOGRAPHY_TYPE``,
    ``INDUSTRY``/``INDUSTRY_NAME`` (labels such as ``3030 : Manufacture of air and spacecraft and
    related machinery``; ``INDUSTRY_CODE`` is often NOMIS's internal numeric id, so the label is
    preferred), ``EMPLOYMENT_STATUS_NAME``, ``MEASURE_NAME``, ``MEASURES_NAME``, ``OBS_VALUE``,
    ``OBS_STATUS``/``OBS_STATUS_NAME``. National files run to millions of lines, so this path reads
    with pyarrow into dictionary-encoded columns and validates each *distinct* value once.
query download
    the web "Query" tool's CSV: title and metadata lines (``"date","2022"``,
    ``"employment status","Employment"`` ...), then a wide table - geography name and
    ``mnemonic`` (GSS code) columns, one column per industry (or per year), optional ``Flag``
    columns - then footnotes. Several tables may follow one another, each after its own metadata.

Whatever the shape, the output follows ``evidence.dataset``: employment rather than employees
when both are present, counts (``Value``) rather than percentages, suppressed/flagged cells kept
as NaN with ``suppressed=True`` and counted, and any cell that cannot be read raises
``DataError`` naming the file, the line as a text editor shows it, and the column.
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

from evidence.dataset import (
    AREA_COLUMNS,
    DataError,
    Dataset,
    LoadReport,
    SourceInfo,
    is_pseudo_code,
    pseudo_key,
    validate_dataset,
)
from evidence.levels import select_codes
from evidence.sectors import (
    TOTAL_CODE,
    SicCodeError,
    format_code,
    known_sic_codes,
    load_sectors,
    normalise_sic,
)
from evidence.sources.places import NameResolution, area_hierarchy, resolve_names
from evidence.sources.text import (
    SUPPRESSION_MARKERS,
    csv_cells,
    is_gzip,
    open_binary,
    read_head_lines,
    read_text,
)

__all__ = [
    "SUPPRESSION_MARKERS",  # re-exported from evidence.sources.text
    "area_level",
    "looks_like_nomis",
    "nomis_shape",
    "read_head_lines",  # re-exported from evidence.sources.text
    "read_nomis_bres",
]

BRES_ROUNDING = 5
ROUNDING_NOTE = (
    "BRES publishes rounded counts (small counts to the nearest 5, larger ones more coarsely), "
    "so small differences between areas or years may be rounding, not change."
)

_OK_STATUS = frozenset({"", "A", "P", "R", "B", "E"})
"""NOMIS ``OBS_STATUS`` codes that qualify a published value without withdrawing it: normal,
provisional, revised, series break, estimated."""
_SUPPRESS_STATUS = frozenset(
    {"Q", "M", "L", "X", "C", "U", "*", "!", "-", "..", ".", "#", "~", "[X]", "[C]"}
)
"""``OBS_STATUS`` codes / query ``Flag`` values marking a cell as suppressed, confidential,
missing or statistically unreliable (``!`` 'estimate less reliable' included: the contract has
one ``suppressed`` flag and a number NOMIS itself warns about must not look like a solid one)."""
_SUPPRESS_WORDS = (
    "suppress",
    "confidential",
    "unreliable",
    "less reliable",
    "not available",
    "disclos",
    "missing",
    "not published",
)

_LEVEL_BY_PREFIX = {
    "E06": "lad", "E07": "lad", "E08": "lad", "E09": "lad", "W06": "lad", "S12": "lad",
    "N09": "lad",
    "E02": "msoa", "W02": "msoa", "E01": "lsoa", "W01": "lsoa", "S02": "iz", "S01": "dz",
    "E47": "group", "E37": "group", "E61": "group",
    "E12": "region", "W92": "region", "S92": "region", "N92": "region",
    "K02": "country", "K03": "country", "K04": "country", "E92": "country",
}  # fmt: skip
"""ONS GSS code prefixes (ONS Register of Geographic Codes): local authority districts /
unitaries, MSOAs / LSOAs (England and Wales) and Intermediate Zones / Data Zones (Scotland),
combined authorities / LEPs / GLA, regions, countries and GB / E+W / UK."""

_GSS_RE = re.compile(r"^[EWSNK]\d{8}$")

_SIC_DIVISIONS = frozenset(
    "01 02 03 05 06 07 08 09 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28 29 30 31 32 "
    "33 35 36 37 38 39 41 42 43 45 46 47 49 50 51 52 53 55 56 58 59 60 61 62 63 64 65 66 68 69 70 "
    "71 72 73 74 75 77 78 79 80 81 82 84 85 86 87 88 90 91 92 93 94 95 96 97 98 99".split()
)
"""The 88 SIC 2007 divisions; used when the packaged class list is not available."""

_CODE_PART_RE = re.compile(r"^(?:[A-Ua-u]\s*)?(\d{2})(?:\d{1,3}|\.\d{1,2}(?:/\d)?|\d{2}\.0)?$")
_SECTION_RE = re.compile(r"^[A-U](?:\s*:.*)?$")
_BROAD_GROUP_RE = re.compile(
    r"\((?:part\s+)?[A-U](?:\s*(?:,|and|&)\s*(?:part\s+)?[A-U])*\)\s*$", re.IGNORECASE
)
"""BRES 'broad industrial groups' end in the sections they cover: ``3 : Manufacturing (C)``,
``10 : Information & communication (J)`` - the number is NOT a SIC division."""
_INTERNAL_ID_RE = re.compile(r"^\d{6,}$")
_YEAR_RE = re.compile(r"^\D*?((?:19|20)\d{2})\D*$")


def area_level(code: str) -> str:
    """Geography level of a GSS code from its prefix; ``custom`` for anything else."""
    return _LEVEL_BY_PREFIX.get(code[:3].upper(), "custom")


def _status_kind(raw: str) -> str:
    """``ok``, ``suppress`` or ``unknown`` for an OBS_STATUS code / name or a query Flag."""
    text = raw.strip()
    if text.upper() in _OK_STATUS or text.lower() in {"normal value", "normal"}:
        return "ok"
    if text.upper() in _SUPPRESS_STATUS or text in SUPPRESSION_MARKERS:
        return "suppress"
    lowered = text.lower()
    if any(word in lowered for word in _SUPPRESS_WORDS):
        return "suppress"
    if "normal" in lowered or "provisional" in lowered or "revised" in lowered:
        return "ok"
    return "unknown"


def _known_sic_codes() -> frozenset[str] | None:
    """Classes, groups and divisions of SIC 2007 (:func:`evidence.sectors.known_sic_codes`)."""
    return known_sic_codes() or None


@lru_cache(maxsize=1)
def pseudo_codes() -> dict[str, str]:
    """NOMIS pseudo-codes (not SIC 2007) -> label, from ``evidence/data/nomis_pseudo_codes.csv``."""
    text = resources.files("evidence").joinpath("data/nomis_pseudo_codes.csv").read_text("utf-8")
    frame = pd.read_csv(io.StringIO(text), dtype=str)
    return dict(zip(frame["code"].str.strip(), frame["label"].str.strip(), strict=True))


SECTIONS_MESSAGE = (
    "the file has industries at SIC 2007 section level only (found: {found}); the ten advanced "
    "manufacturing sectors need divisions (2 digit), classes (4 digit) or subclasses (5 digit). "
    "In NOMIS choose Industry: 'SIC 2007 class (4 digit)' (or division / subclass) and download "
    "again"
)


def is_subclass(label: str) -> bool:
    """True for a five-digit SIC 2007 subclass label or code (``25620 : Machining``)."""
    text = str(label).strip()
    code_part = text.split(":", 1)[0].strip() if ":" in text else text
    return bool(re.fullmatch(r"[A-Ua-u]?\d{5}", code_part.replace(" ", "")))


def classify_industry(label: str) -> tuple[str, str]:
    """Read one NOMIS industry label or code.

    Returns ``("sic", key)`` with the normalised key (``"3030"``, ``"303"``, ``"30"``, ``TOTAL``;
    a five-digit subclass gives its class), ``("coarse", label)`` for SIC sections
    (``C : Manufacturing``) and BRES broad industrial groups (``3 : Manufacturing (C)``), which
    the classification cannot use, ``("pseudo", code)`` for a NOMIS pseudo-code that is not SIC
    2007 (``01000 : DEFRA/Scottish Executive Agricultural Data``), or ``("error", reason)``.
    """
    text = str(label).strip()
    if not text:
        return "error", "empty industry"
    try:
        if normalise_sic(text) == TOTAL_CODE:
            return "sic", TOTAL_CODE
    except SicCodeError:
        pass
    code_part = text.split(":", 1)[0].strip() if ":" in text else text
    if _BROAD_GROUP_RE.search(text) and re.fullmatch(r"\d{1,2}", code_part):
        return "coarse", text
    if _SECTION_RE.fullmatch(text) or re.fullmatch(r"[A-U]", code_part):
        return "coarse", text
    compact = code_part.replace(" ", "")
    if compact in pseudo_codes():
        return "pseudo", compact
    match = _CODE_PART_RE.fullmatch(compact)
    if not match:
        return "error", f"{text!r} is not a SIC 2007 class, group or division code"
    compact = re.sub(r"/\d$", "", compact)
    try:
        key = normalise_sic(compact)
    except SicCodeError:
        return "error", f"{text!r} is not a SIC 2007 code"
    known = _known_sic_codes()
    if known is not None and key not in known:
        return "error", f"{text!r}: SIC 2007 has no code {format_code(key)}"
    if key[:2] not in _SIC_DIVISIONS:
        return "error", f"{text!r}: SIC 2007 has no division {key[:2]}"
    return "sic", key


def _parse_number(text: str) -> float | None:
    try:
        return float(text.replace(",", ""))
    except ValueError:
        return None


# --------------------------------------------------------------------------------------------
# sniffing
# --------------------------------------------------------------------------------------------

_BULK_MARKERS = ("GEOGRAPHY_CODE", "OBS_VALUE")
_GEO_HEADER_RE = re.compile(
    r"^(?:mnemonic|local authorit|local enterprise|combined authorit|region|countr|count(?:y|ies)|"
    r"ward|.*super output area|travel to work|parliamentary|itl|nuts|lep|geography|area|"
    r"2011 |2021 |local authority)",
    re.IGNORECASE,
)
_INDUSTRY_LABEL_RE = re.compile(r"^\s*(?:\d{1,5}|[A-U])\s*:\s*\S")


def _is_query_header(cells: list[str]) -> bool:
    nonempty = [c for c in cells if c]
    if len(nonempty) < 2 or not cells or not _GEO_HEADER_RE.match(cells[0] or nonempty[0]):
        return False
    first = (cells[0] or nonempty[0]).lower()
    if first.endswith((" code", " name", "_code", "_name")) or any(
        re.match(r"sic\s*(?:20)?0?7\b", c.lower()) for c in cells
    ):
        return False  # an ONS table (e.g. regional GVA: "ITL region code", "SIC07 code")
    rest = cells[1:]
    return any(
        c.lower() == "mnemonic"
        or _INDUSTRY_LABEL_RE.match(c)
        or re.fullmatch(r"(?:19|20)\d{2}", c)
        or c.lower() in {"total", "column total"}
        for c in rest
    )


def nomis_shape(header_lines: list[str]) -> str | None:
    """``"bulk"``, ``"query"`` or None for the first lines of a file."""
    if not header_lines:
        return None
    first = {c.upper() for c in csv_cells(header_lines[0].lstrip("\ufeff"))}
    if all(m in first for m in _BULK_MARKERS):
        return "bulk"
    nomis_style = [c for c in first if re.fullmatch(r"[A-Z_]+_(?:NAME|CODE|TYPE|SORTORDER)", c)]
    if any(m in first for m in _BULK_MARKERS) and len(nomis_style) >= 3:
        return "bulk"  # a NOMIS bulk file missing a required column: let the reader say which
    head = header_lines[:40]
    titled = any("business register and employment survey" in line.lower() for line in head)
    for line in head:
        if _is_query_header(csv_cells(line.lstrip("\ufeff"))):
            return "query"
    return "query" if titled and any("nomis" in line.lower() for line in head) else None


def looks_like_nomis(header_lines: list[str]) -> bool:
    """True when the first lines of a file are a NOMIS bulk (API) CSV or a NOMIS query download.

    Bulk: the first line names ``GEOGRAPHY_CODE`` and ``OBS_VALUE``. Query: a table header whose
    first cell is a NOMIS geography type (``local authority: district / unitary ...``) followed by
    ``mnemonic``, industry labels (``3030 : ...``) or years, or the BRES title with a NOMIS
    copyright line.
    """
    return nomis_shape(header_lines) is not None


# --------------------------------------------------------------------------------------------
# public reader
# --------------------------------------------------------------------------------------------


def read_nomis_bres(
    path: str | Path, status: str | None = None, name: str | None = None
) -> Dataset:
    """Read a NOMIS BRES download (bulk API CSV or web query CSV, optionally gzipped).

    ``status`` picks the employment status when the file has several (default: Employment,
    else Employees); statuses are never added together. ``name`` is the file name to report
    (when ``path`` is a converted copy). Raises DataError naming file, line and column for
    anything that cannot be read; nothing is dropped without a note in ``SourceInfo.notes``
    and the ``SourceInfo.report``.
    """
    path = Path(path)
    file = name or str(path)
    lines = read_head_lines(path)
    shape = nomis_shape(lines)
    if shape == "bulk":
        header = csv_cells(lines[0].lstrip("\ufeff"))
        return _read_bulk(path, file, header, status)
    if shape == "query":
        return _read_query(path, file, status)
    raise DataError(
        "not a NOMIS BRES download: expected a bulk CSV with GEOGRAPHY_CODE and OBS_VALUE "
        "columns or a NOMIS query CSV with a geography column and industry columns",
        file=file,
        row=1,
    )


def _status_preference(status: str | None) -> list[str]:
    return [status.strip().lower()] if status else ["employment", "employees"]


def _sections_error(labels: list[str], file: str, row: int | None, column: str | None) -> None:
    found = ", ".join(repr(x) for x in labels[:3]) + (" ..." if len(labels) > 3 else "")
    raise DataError(SECTIONS_MESSAGE.format(found=found), file=file, row=row, column=column,
                    code="sic_sections_only")


def _sum_subclasses(
    out: pd.DataFrame, sub: np.ndarray, lines: np.ndarray, flags: np.ndarray, notes: list[str]
) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """Five-digit subclasses summed into their class (one row per area, year and class).

    A class with a suppressed subclass is flagged suppressed (its sum is a lower bound); a
    class whose every subclass is suppressed is NaN. A class the file also has as its own
    4-digit row keeps that row and its subclasses are set aside.
    """
    if not sub.any():
        return out, lines, flags
    keys = ["area_code", "year", "sic"]
    own = out.loc[~sub, keys]
    subs = out.loc[sub].assign(_line=lines[sub], _flag=flags[sub])
    if len(own):
        clash = subs.merge(own.drop_duplicates(), on=keys, how="left", indicator=True)
        dup = (clash["_merge"] == "both").to_numpy()
        if dup.any():
            notes.append(f"Set aside {int(dup.sum())} subclass rows whose class the file also "
                         "has as its own row.")
            subs = subs.loc[~dup]
    grouped = subs.groupby(keys, sort=False, dropna=False)
    summed = grouped.agg(
        employment=("employment", lambda v: v.sum(min_count=1)),
        suppressed=("suppressed", "any"),
        _line=("_line", "min"),
        _flag=("_flag", "first"),
        _n=("employment", "size"),
    ).reset_index()
    notes.append(
        f"Summed {len(subs):,} subclass (5 digit) rows into {len(summed):,} class (4 digit) "
        "rows; a class with a suppressed subclass is a lower bound."
    )
    rest = out.loc[~sub]
    combined = pd.concat([rest, summed[out.columns]], ignore_index=True)
    return (combined, np.concatenate([lines[~sub], summed["_line"].to_numpy()]),
            np.concatenate([flags[~sub], summed["_flag"].to_numpy()]))


def _pseudo_report(sic: pd.Series) -> dict[str, int]:
    labels = pseudo_codes()
    counts = sic[sic.map(is_pseudo_code)].value_counts()
    return {f"{k[1:]} : {labels.get(k[1:], '')}".rstrip(" :"): int(v) for k, v in counts.items()}


def _level_report(sic: pd.Series, subclasses: bool) -> tuple[str, list[str]]:
    selection = select_codes(list(pd.unique(sic)))
    text = selection.level_text()
    if subclasses:
        text = ("subclasses (5 digit) summed to classes" if text == "classes (4 digit)"
                else f"{text}; subclasses (5 digit) summed to classes")
    labels = {x.sector_id: x.label for x in load_sectors()}
    not_sep = [f"{labels[x]} (only in {format_code(c)})"
               for x, c in selection.not_separable.items()]
    return text, not_sep


def _report(
    fmt: str, rows_read: int, out: pd.DataFrame, areas: pd.DataFrame, subclasses: bool,
    statuses: list[str], status_used: str, suppressed: int,
) -> LoadReport:
    level, not_sep = _level_report(out["sic"], subclasses)
    return LoadReport(
        format=fmt,
        rows_read=rows_read,
        areas=len(areas),
        area_levels={str(k): int(v) for k, v in areas["level"].value_counts().items()},
        years=sorted(int(y) for y in pd.unique(out["year"])),
        industry_level=level,
        statuses_found=statuses,
        status_used=status_used,
        suppressed_cells=suppressed,
        pseudo_codes=_pseudo_report(out["sic"]),
        not_separable=not_sep,
    )


# --------------------------------------------------------------------------------------------
# bulk (API) CSV
# --------------------------------------------------------------------------------------------


class _Cat:
    """A column as distinct values + integer codes, so each distinct value is checked once."""

    def __init__(self, series: pd.Series) -> None:
        if isinstance(series.dtype, pd.CategoricalDtype):
            self.values = np.asarray(series.cat.categories.astype(str), dtype=object)
            self.codes = series.cat.codes.to_numpy()
        else:
            codes, uniques = pd.factorize(series.astype(str), use_na_sentinel=True)
            self.values = np.asarray(uniques, dtype=object)
            self.codes = codes
        if (self.codes < 0).any():  # nulls become the empty string
            self.values = np.append(self.values, "")
            self.codes = np.where(self.codes < 0, len(self.values) - 1, self.codes)
        self.values = np.asarray([v.strip() for v in self.values], dtype=object)

    def map(self, func: Callable[[str], object], dtype: object = object) -> np.ndarray:
        """Apply ``func`` to distinct values; returns per-row results."""
        mapped = np.asarray([func(v) for v in self.values], dtype=dtype)
        return mapped[self.codes]

    def rows(self) -> np.ndarray:
        return self.values[self.codes]


def _pick(columns: dict[str, str], *names: str) -> str | None:
    for name in names:
        if name in columns:
            return columns[name]
    return None


def _read_bulk_table(path: Path, file: str, header: list[str], usecols: list[str]) -> pd.DataFrame:
    import pyarrow as pa
    import pyarrow.csv as pacsv

    bad_rows: list[tuple[int, int, str]] = []

    def on_invalid(row: object) -> str:
        bad_rows.append((row.expected_columns, row.actual_columns, row.text))  # type: ignore[attr-defined]
        return "skip"

    def attempt(encoding: str) -> pa.Table:
        bad_rows.clear()
        source = pa.input_stream(str(path), compression="gzip" if is_gzip(path) else None)
        return pacsv.read_csv(
            source,
            read_options=pacsv.ReadOptions(
                column_names=header, skip_rows=1, encoding=encoding, block_size=1 << 24
            ),
            parse_options=pacsv.ParseOptions(
                invalid_row_handler=on_invalid, ignore_empty_lines=False
            ),
            convert_options=pacsv.ConvertOptions(
                include_columns=usecols,
                column_types={c: pa.dictionary(pa.int32(), pa.string()) for c in usecols},
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )

    try:
        try:
            table = attempt("utf8")
        except pa.ArrowInvalid as exc:
            if "utf8" not in str(exc).lower() and "utf-8" not in str(exc).lower():
                raise
            table = attempt("cp1252")
    except (pa.ArrowInvalid, OSError, EOFError) as exc:
        raise DataError(f"cannot parse the CSV: {exc}", file=file) from None
    if bad_rows:
        expected, actual, text = bad_rows[0]
        line = _find_line(path, text)
        hint = " - the file looks truncated" if actual < expected else ""
        raise DataError(
            f"line has {actual} fields but the header has {expected}{hint}",
            file=file,
            row=line,
        )
    frame = table.to_pandas()
    _check_tail(path, file, len(header), len(frame) + 1)
    return frame


def _find_line(path: Path, text: str) -> int | None:
    """Line number of the first line equal to ``text`` (slow path, used only to report)."""
    with open_binary(path) as fh:
        wrapper = io.TextIOWrapper(fh, encoding="utf-8-sig", errors="replace", newline="")
        for number, line in enumerate(wrapper, start=1):
            if line.rstrip("\r\n") == text.rstrip("\r\n"):
                return number
    return None


def _check_tail(path: Path, file: str, n_fields: int, last_line: int) -> None:
    """A download cut off inside a quoted field parses 'fine'; catch it from the file's end."""
    if is_gzip(path):
        return  # a cut gzip stream fails to decompress, which the reader already reports
    with open(path, "rb") as fh:
        fh.seek(0, io.SEEK_END)
        size = fh.tell()
        fh.seek(max(0, size - 65536))
        tail = fh.read()
    if tail.endswith(b"\n"):
        return
    last = tail.rsplit(b"\n", 1)[-1].decode("utf-8", errors="replace")
    if last.count('"') % 2 == 1:
        raise DataError(
            "the last line ends inside a quoted value - the file looks truncated",
            file=file,
            row=last_line,
        )
    cells = csv_cells(last)
    if len(cells) != n_fields:
        raise DataError(
            f"the last line has {len(cells)} fields but the header has {n_fields} "
            "- the file looks truncated",
            file=file,
            row=last_line,
        )


def _first_bad(mask: np.ndarray) -> int:
    return int(np.flatnonzero(mask)[0])


@dataclass(frozen=True)
class _BulkColumns:
    """The header names of the bulk CSV's columns this reader uses (None when absent)."""

    year: str
    geo: str
    value: str
    ind_name: str | None
    ind_code: str | None
    name: str | None
    status: str | None
    status_name: str | None
    emp_status: str | None
    measure: str | None
    measures: str | None

    @classmethod
    def from_header(cls, header: list[str], file: str) -> _BulkColumns:
        """Find the columns; DataError naming the first required column that is missing."""
        columns = {c.strip().upper(): c for c in header}
        year_col = _pick(columns, "DATE_NAME", "DATE", "DATE_CODE")
        geo_col = _pick(columns, "GEOGRAPHY_CODE")
        value_col = _pick(columns, "OBS_VALUE")
        ind_name_col = _pick(columns, "INDUSTRY_NAME")
        ind_code_col = _pick(columns, "INDUSTRY_CODE", "INDUSTRY")
        for needed, col in (
            ("DATE_NAME (or DATE)", year_col),
            ("GEOGRAPHY_CODE", geo_col),
            ("OBS_VALUE", value_col),
            ("INDUSTRY_NAME (or INDUSTRY_CODE)", ind_name_col or ind_code_col),
        ):
            if col is None:
                raise DataError(
                    f"required column {needed} is missing from the header",
                    file=file,
                    row=1,
                    column=needed.split(" ")[0],
                )
        assert year_col and geo_col and value_col
        return cls(
            year=year_col,
            geo=geo_col,
            value=value_col,
            ind_name=ind_name_col,
            ind_code=ind_code_col,
            name=_pick(columns, "GEOGRAPHY_NAME"),
            status=_pick(columns, "OBS_STATUS"),
            status_name=_pick(columns, "OBS_STATUS_NAME"),
            emp_status=_pick(columns, "EMPLOYMENT_STATUS_NAME"),
            measure=_pick(columns, "MEASURE_NAME"),
            measures=_pick(columns, "MEASURES_NAME"),
        )

    @property
    def used(self) -> list[str]:
        """The columns to read, in this order, without repeats."""
        order = [self.year, self.geo, self.value, self.ind_name, self.ind_code, self.name,
                 self.status, self.status_name, self.emp_status, self.measure, self.measures]
        return [c for c in dict.fromkeys(order) if c is not None]


def _read_bulk(path: Path, file: str, header: list[str], status: str | None = None) -> Dataset:
    cols = _BulkColumns.from_header(header, file)
    frame = _read_bulk_table(path, file, header, cols.used)
    if frame.empty:
        raise DataError("the file has a header but no data lines", file=file, row=2)
    cats = {c: _Cat(frame[c]) for c in cols.used}
    n = len(frame)
    line_of = np.arange(n) + 2  # header is line 1; blank lines are kept as all-empty rows
    notes: list[str] = []

    blank = np.ones(n, dtype=bool)
    for cat in cats.values():
        blank &= cat.map(lambda v: v == "", dtype=bool)
    statuses = (sorted({str(cats[cols.emp_status].values[c])
                        for c in np.unique(cats[cols.emp_status].codes[~blank])})
                if cols.emp_status is not None else [])
    keep = _bulk_breakdown(cats, cols, ~blank, file, line_of, notes, status)
    status_used = _chosen_value(cats[cols.emp_status], keep) if cols.emp_status else ""
    years = _bulk_years(cats[cols.year], cols.year, keep, file, line_of)
    geo = cats[cols.geo]
    bad = keep & geo.map(lambda v: v == "", dtype=bool)
    if bad.any():
        raise DataError(
            "missing area code", file=file, row=int(line_of[_first_bad(bad)]), column=cols.geo
        )

    # Industry: the label carries the SIC code; INDUSTRY_CODE is often NOMIS's internal id.
    sic, coarse, sub = _bulk_industry(cats, cols.ind_name, cols.ind_code, keep, file, line_of)
    if coarse.any():
        label_cat = cats[cols.ind_name or cols.ind_code]  # type: ignore[index]
        labels = Counter(label_cat.rows()[keep & coarse])
        usable = keep & ~coarse & (sic != TOTAL_CODE) & ~np.char.startswith(
            sic.astype(str), "P")
        if not usable.any():
            _sections_error(sorted(labels), file, int(line_of[_first_bad(keep & coarse)]),
                            cols.ind_name or cols.ind_code)
        notes.append(
            f"Ignored {int((keep & coarse).sum())} lines at SIC section / broad industry level "
            f"({', '.join(sorted(labels)[:4])}{' ...' if len(labels) > 4 else ''}): the "
            "classification needs divisions, groups or classes."
        )
        keep &= ~coarse

    values, suppressed, flags = _bulk_values(
        cats, cols.value, cols.status, cols.status_name, keep, file, line_of, notes
    )
    idx = np.flatnonzero(keep)
    out = pd.DataFrame(
        {
            "area_code": geo.rows()[idx],
            "year": years[idx].astype("int64"),
            "sic": sic[idx],
            "employment": values[idx],
            "suppressed": suppressed[idx],
        }
    )
    raw_suppressed = int(out["suppressed"].sum())
    names = cats[cols.name].rows()[idx] if cols.name else out["area_code"].to_numpy()
    codes = out["area_code"].to_numpy()
    out, lines, row_flags = _sum_subclasses(out, sub[idx], line_of[idx], flags[idx], notes)
    _check_duplicates(out, lines, file)
    ds = _bulk_dataset(out, codes, names, row_flags, file, notes, raw_suppressed)
    assert ds.source.report is not None
    ds.source.report = _report(
        "NOMIS bulk (API) CSV", int((~blank).sum()), ds.employment, ds.areas, bool(sub.any()),
        statuses, status_used, raw_suppressed,
    )
    return ds


def _bulk_breakdown(
    cats: dict[str, _Cat],
    cols: _BulkColumns,
    keep: np.ndarray,
    file: str,
    line_of: np.ndarray,
    notes: list[str],
    status: str | None = None,
) -> np.ndarray:
    """One breakdown of the jobs: employment (employees + working owners) before employees
    (or the ``status`` asked for), counts, values; DataError when nothing is left."""
    if cols.emp_status is not None:
        keep = _choose(
            cats[cols.emp_status],
            keep,
            _status_preference(status),
            file,
            line_of,
            cols.emp_status,
            "employment status",
            notes,
        )
        chosen = _chosen_value(cats[cols.emp_status], keep)
        if chosen.lower() == "employees" and not status:
            notes.append(
                "This file has employees only (no working owners); figures are employee jobs, "
                "which understate employment where self-employment is common."
            )
    if cols.measure is not None:
        keep = _choose(
            cats[cols.measure], keep, ["count"], file, line_of, cols.measure, "measure", notes
        )
    if cols.measures is not None:
        keep = _choose(
            cats[cols.measures], keep, ["value"], file, line_of, cols.measures, "measures", notes
        )
    if not keep.any():
        raise DataError("no data lines after the header", file=file, row=2)
    return keep


def _bulk_years(
    cat: _Cat, column: str, keep: np.ndarray, file: str, line_of: np.ndarray
) -> np.ndarray:
    """The year of every row (NaN where unreadable); DataError for a kept row without one."""
    years = cat.map(_year_or_nan, dtype=float)
    bad = keep & np.isnan(years)
    if bad.any():
        i = _first_bad(bad)
        value = cat.rows()[i]
        raise DataError(
            "missing year" if not value else f"{value!r} is not a year",
            file=file,
            row=int(line_of[i]),
            column=column,
        )
    return years


def _bulk_dataset(
    out: pd.DataFrame,
    codes: np.ndarray,
    names: np.ndarray,
    flags: np.ndarray,
    file: str,
    notes: list[str],
    suppressed: int,
) -> Dataset:
    """The validated Dataset of the bulk rows kept, with areas and notes."""
    areas, area_notes = _areas_table(codes, names)
    notes += area_notes
    notes += _suppression_notes(out, areas, flags)
    notes.append(ROUNDING_NOTE)
    out["area_code"] = out["area_code"].astype(str)
    out["sic"] = out["sic"].astype(str)
    source = SourceInfo(
        name="NOMIS Business Register and Employment Survey (bulk CSV)",
        path=file,
        rounding=BRES_ROUNDING,
        suppressed_cells=suppressed,
        notes=notes,
        kind="official",
        report=LoadReport(),
    )
    return validate_dataset(
        Dataset(employment=out.reset_index(drop=True), areas=areas, source=source)
    )


def _year_or_nan(value: str) -> float:
    match = _YEAR_RE.match(value)
    return float(match.group(1)) if match else float("nan")


def _choose(
    cat: _Cat,
    keep: np.ndarray,
    preferred: list[str],
    file: str,
    line_of: np.ndarray,
    column: str,
    what: str,
    notes: list[str],
) -> np.ndarray:
    """Keep the rows of the first preferred value present; note what else was set aside."""
    present = {str(cat.values[c]).lower(): str(cat.values[c]) for c in np.unique(cat.codes[keep])}
    for wanted in preferred:
        if wanted in present:
            mask = cat.map(lambda v, w=wanted: v.lower() == w, dtype=bool)
            others = sorted(v for k, v in present.items() if k != wanted)
            if others:
                notes.append(
                    f"Used {what} {present[wanted]!r}; set aside "
                    f"{int((keep & ~mask).sum())} lines of {', '.join(repr(o) for o in others)}."
                )
            return keep & mask
    i = _first_bad(keep)
    raise DataError(
        f"no usable {what}: found {', '.join(repr(v) for v in present.values())}, need "
        f"{' or '.join(repr(p.capitalize()) for p in preferred)}",
        file=file,
        row=int(line_of[i]),
        column=column,
    )


def _chosen_value(cat: _Cat, keep: np.ndarray) -> str:
    return str(cat.values[cat.codes[_first_bad(keep)]])


def _bulk_industry(
    cats: dict[str, _Cat],
    name_col: str | None,
    code_col: str | None,
    keep: np.ndarray,
    file: str,
    line_of: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Normalised SIC key, a 'coarse level' mask and a 'subclass' mask per row, from the
    distinct (name, code) pairs."""
    name = cats[name_col] if name_col else None
    code = cats[code_col] if code_col else None
    n = len(keep)
    name_codes = name.codes if name is not None else np.zeros(n, dtype=np.int64)
    code_codes = code.codes if code is not None else np.zeros(n, dtype=np.int64)
    width = (len(code.values) if code is not None else 1) + 1
    pair = name_codes.astype(np.int64) * width + code_codes.astype(np.int64)
    uniques, inverse = np.unique(pair, return_inverse=True)
    keys = np.empty(len(uniques), dtype=object)
    coarse = np.zeros(len(uniques), dtype=bool)
    sub = np.zeros(len(uniques), dtype=bool)
    errors: dict[int, tuple[str, str]] = {}
    for j, p in enumerate(uniques):
        label = str(name.values[p // width]) if name is not None else ""
        raw_code = str(code.values[p % width]) if code is not None else ""
        kind, result, column = _industry_of(label, raw_code, name_col, code_col)
        if kind == "sic":
            keys[j] = result
            sub[j] = is_subclass(label if column == (name_col or "") and label else raw_code)
        elif kind == "pseudo":
            keys[j] = pseudo_key(result)
        elif kind == "coarse":
            keys[j] = ""
            coarse[j] = True
        else:
            keys[j] = ""
            errors[j] = (result, column)
    row_keys = keys[inverse]
    row_coarse = coarse[inverse]
    row_sub = sub[inverse]
    if errors:
        bad_pairs = np.fromiter(errors, dtype=np.int64)
        bad = keep & np.isin(inverse, bad_pairs)
        if bad.any():
            i = _first_bad(bad)
            reason, column = errors[int(inverse[i])]
            raise DataError(reason, file=file, row=int(line_of[i]), column=column)
    return row_keys, row_coarse, row_sub


def _industry_of(
    label: str, raw_code: str, name_col: str | None, code_col: str | None
) -> tuple[str, str, str]:
    if label:
        kind, result = classify_industry(label)
        if kind != "error" or not raw_code or _INTERNAL_ID_RE.match(raw_code):
            return kind, result, name_col or ""
        # A label without a code ("Manufacture of ...") next to a real SIC code.
        kind2, result2 = classify_industry(raw_code)
        return (
            (kind2, result2, code_col or "") if kind2 != "error" else (kind, result, name_col or "")
        )
    if not raw_code:
        return "error", "missing industry", name_col or code_col or ""
    if _INTERNAL_ID_RE.match(raw_code):
        return (
            "error",
            f"industry {raw_code!r} is a NOMIS internal id; include INDUSTRY_NAME in the download",
            code_col or "",
        )
    kind, result = classify_industry(raw_code)
    return kind, result, code_col or ""


def _bulk_values(
    cats: dict[str, _Cat],
    value_col: str,
    status_col: str | None,
    status_name_col: str | None,
    keep: np.ndarray,
    file: str,
    line_of: np.ndarray,
    notes: list[str],
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Employment (NaN where suppressed), suppressed mask and the flag behind each suppression."""
    value = cats[value_col]
    parsed = np.asarray([_parse_number(v) if v else None for v in value.values], dtype=object)
    numeric = np.asarray([p is not None for p in parsed], dtype=bool)
    marker = np.asarray([v in SUPPRESSION_MARKERS for v in value.values], dtype=bool)
    empty = np.asarray([v == "" for v in value.values], dtype=bool)
    bad = keep & ~(numeric | marker | empty)[value.codes]
    if bad.any():
        i = _first_bad(bad)
        raise DataError(
            f"{value.rows()[i]!r} is not a number (employment count)",
            file=file,
            row=int(line_of[i]),
            column=value_col,
        )
    numbers = np.asarray([p if p is not None else np.nan for p in parsed], dtype=float)
    values = numbers[value.codes]
    negative = keep & (values < 0)
    if negative.any():
        i = _first_bad(negative)
        raise DataError(
            f"negative employment {values[i]:g}", file=file, row=int(line_of[i]), column=value_col
        )
    flag = np.where(marker[value.codes], value.rows(), "")
    flag = np.where(empty[value.codes], "(blank)", flag)
    suppressed = ~numeric[value.codes]
    for col in (status_col, status_name_col):
        if col is None:
            continue
        status = cats[col]
        kinds = np.asarray([_status_kind(v) for v in status.values], dtype=object)
        row_kind = kinds[status.codes]
        hit = row_kind == "suppress"
        odd = [
            str(status.values[c]) for c in np.unique(status.codes[keep]) if kinds[c] == "unknown"
        ]
        if odd:
            notes.append(
                f"{col} values {', '.join(repr(o) for o in odd[:5])} are not known suppression "
                "flags; their values were kept."
            )
        flag = np.where(hit & (flag == ""), status.rows(), flag)
        flag = np.where(hit & (flag == "(blank)"), status.rows(), flag)
        suppressed |= hit
    values = np.where(suppressed, np.nan, values)
    return values, suppressed, flag.astype(object)


def _check_duplicates(out: pd.DataFrame, lines: np.ndarray, file: str) -> None:
    dupes = out.duplicated(["area_code", "year", "sic"], keep=False).to_numpy()
    if not dupes.any():
        return
    first_dupe = out.duplicated(["area_code", "year", "sic"], keep="first").to_numpy()
    i = _first_bad(first_dupe)
    r = out.iloc[i]
    same = np.flatnonzero(
        dupes
        & (out["area_code"].to_numpy() == r["area_code"])
        & (out["year"].to_numpy() == r["year"])
        & (out["sic"].to_numpy() == r["sic"])
    )
    raise DataError(
        f"area {r['area_code']}, year {r['year']}, industry {format_code(r['sic'])} appears again "
        f"(first at line {int(lines[same[0]])}); the file holds another breakdown (e.g. "
        "public/private sector, a second measure, or several subclasses of one class) - "
        "download one value per area, industry and year",
        file=file,
        row=int(lines[i]),
    )


def _areas_table(codes: np.ndarray, names: np.ndarray) -> tuple[pd.DataFrame, list[str]]:
    pairs = pd.DataFrame({"area_code": codes, "area_name": names}).drop_duplicates("area_code")
    pairs["area_name"] = np.where(pairs["area_name"] == "", pairs["area_code"], pairs["area_name"])
    levels = [area_level(c) for c in pairs["area_code"]]
    areas = pd.DataFrame(
        {
            "area_code": pairs["area_code"].astype(str).to_numpy(),
            "area_name": pairs["area_name"].astype(str).to_numpy(),
            "level": levels,
        }
    )
    for col in AREA_COLUMNS[3:]:
        areas[col] = ""
    areas = areas[AREA_COLUMNS].sort_values("area_code", kind="stable").reset_index(drop=True)
    areas, placed = area_hierarchy(areas)
    notes: list[str] = []
    if placed:
        notes.append(
            f"{placed} district(s) placed in their region, LSIP area and combined authority "
            "from the bundled geography (2023 boundaries; older codes by the district they "
            "became part of)."
        )
    custom = areas.loc[areas["level"] == "custom", "area_code"].tolist()
    if custom:
        notes.append(
            f"{len(custom)} area code(s) are not districts, neighbourhoods, groups, regions or "
            "countries by their "
            f"ONS prefix and are kept as custom areas: {', '.join(custom[:5])}"
            f"{' ...' if len(custom) > 5 else ''}."
        )
    return areas, notes


def _suppression_notes(out: pd.DataFrame, areas: pd.DataFrame, flags: np.ndarray) -> list[str]:
    mask = out["suppressed"].to_numpy()
    total = int(mask.sum())
    if not total:
        return []
    by_flag = Counter(str(f) or "flagged" for f in flags[mask])
    names = dict(zip(areas["area_code"], areas["area_name"], strict=True))
    by_area = out.loc[mask, "area_code"].value_counts()
    by_sic = out.loc[mask, "sic"].value_counts()
    flag_text = ", ".join(f"{k}: {v}" for k, v in by_flag.most_common())
    area_text = ", ".join(
        f"{names.get(code, code)} ({code}) {count}" for code, count in by_area.head(5).items()
    )
    sic_text = ", ".join(f"{format_code(code)} {count}" for code, count in by_sic.head(5).items())
    more_a = f" and {len(by_area) - 5} more areas" if len(by_area) > 5 else ""
    more_s = f" and {len(by_sic) - 5} more industries" if len(by_sic) > 5 else ""
    cells = "1 cell" if total == 1 else f"{total} cells"
    return [
        f"{cells} suppressed or flagged unreliable by ONS ({flag_text}); employment is "
        "missing there, not zero.",
        f"Suppressed cells by area: {area_text}{more_a}. By industry: {sic_text}{more_s}.",
    ]


# --------------------------------------------------------------------------------------------
# query (web) download
# --------------------------------------------------------------------------------------------


class _Block:
    """One wide table of a query download and the metadata lines above it."""

    def __init__(self, meta: dict[str, str], header: list[str], header_line: int) -> None:
        self.meta = meta
        self.header = header
        self.header_line = header_line
        self.rows: list[tuple[int, list[str]]] = []
        self.subclass_columns: set[int] = set()


def _split_blocks(text: str, file: str) -> tuple[list[_Block], list[str], list[str]]:
    """Walk the download line by line: title, metadata, table(s), footnotes."""
    reader = csv.reader(io.StringIO(text))
    meta: dict[str, str] = {}
    titles: list[str] = []
    footnotes: list[str] = []
    blocks: list[_Block] = []
    current: _Block | None = None
    try:
        for raw in reader:
            line = reader.line_num
            cells = [c.strip() for c in raw]
            nonempty = [c for c in cells if c]
            if current is not None and not nonempty and not current.rows:
                continue  # NOMIS puts a blank line between the header and the first area
            if current is not None:
                full_width = len(cells) >= len(current.header) > 1 and bool(cells[0])
                if (len(nonempty) >= 2 or full_width) and not _is_query_header(cells):
                    current.rows.append((line, cells))  # footnotes are one-cell lines
                    continue
                current = None
            if not nonempty:
                continue
            if _is_query_header(cells):
                current = _Block(dict(meta), cells, line)
                blocks.append(current)
            elif len(nonempty) == 2 and cells[0]:
                # "key","value"; NOMIS repeats e.g. "date" before each following table
                meta[cells[0].lower().rstrip(":").strip()] = nonempty[1]
            elif blocks:
                footnotes.append(" ".join(nonempty))
            else:
                titles.append(" ".join(nonempty))
    except csv.Error as exc:
        raise DataError(f"cannot parse the CSV: {exc}", file=file, row=reader.line_num) from None
    return blocks, titles, footnotes


def _read_query(path: Path, file: str, status: str | None = None) -> Dataset:
    text = read_text(path, file)
    blocks, titles, footnotes = _split_blocks(text, file)
    if not blocks:
        raise DataError(
            "no table found: expected a header line starting with a geography column "
            "(e.g. 'local authority: district / unitary') followed by industry columns",
            file=file,
        )
    notes: list[str] = []
    statuses = sorted({b.meta.get("employment status", "").strip() for b in blocks} - {""})
    blocks = _select_query_blocks(blocks, file, notes, status)
    ends_cleanly = text.endswith(("\n", "\r"))
    last_line = text.count("\n") + (0 if ends_cleanly else 1)
    names_seen: list[str] = []
    frames = [_query_block_frame(b, file, notes, ends_cleanly, last_line, names_seen)
              for b in blocks]
    long = pd.concat([f for f, _ in frames], ignore_index=True)
    flags = np.concatenate([fl for _, fl in frames]) if frames else np.array([], dtype=object)
    if long.empty:
        raise DataError("the table has no data lines", file=file, row=blocks[0].header_line + 1)
    resolution = _resolve_query_names(long, names_seen, file, notes)
    rows_read = int(long["line"].nunique())
    sub = long.pop("sub").to_numpy(dtype=bool)
    codes = long["area_code"].to_numpy()
    names = long.pop("area_name").to_numpy()
    raw_suppressed = int(long["suppressed"].sum())
    lines = long.pop("line").to_numpy()
    long, lines, flags = _sum_subclasses(long, sub, lines, flags, notes)
    _check_duplicates(long, lines, file)
    areas, area_notes = _areas_table(codes, names)
    notes += area_notes
    notes += _suppression_notes(long, areas, flags)
    notes.append(ROUNDING_NOTE)
    if footnotes:
        notes.append("NOMIS footnotes: " + " | ".join(footnotes[:6]))
    title = titles[0] if titles else "Business Register and Employment Survey"
    long["area_code"] = long["area_code"].astype(str)
    long["sic"] = long["sic"].astype(str)
    long["year"] = long["year"].astype("int64")
    long["employment"] = long["employment"].astype(float)
    long["suppressed"] = long["suppressed"].astype(bool)
    status_used = blocks[0].meta.get("employment status", "").strip()
    report = _report("NOMIS query download", rows_read, long, areas, bool(sub.any()),
                     statuses, status_used, raw_suppressed)
    report.resolved_names = resolution.codes
    report.unresolved_names = resolution.unresolved
    source = SourceInfo(
        name=f"NOMIS {title} (query download)",
        path=file,
        rounding=BRES_ROUNDING,
        suppressed_cells=raw_suppressed,
        notes=notes,
        kind="official",
        report=report,
    )
    return validate_dataset(Dataset(employment=long, areas=areas, source=source))


def _resolve_query_names(
    long: pd.DataFrame, names_seen: list[str], file: str, notes: list[str]
) -> NameResolution:
    """Areas given by name only: GSS codes from the bundled geography; the rest stay by name
    (as custom areas) and are listed. DataError when no name resolves (likely not names of
    GB areas at all)."""
    if not names_seen:
        return NameResolution()
    resolution = resolve_names(names_seen)
    if not resolution.codes:
        first = long.iloc[0]
        raise DataError(
            "no area codes, and none of the area names is a GB district, combined authority, "
            f"LSIP area or region in the bundled geography (e.g. {names_seen[0]!r}): tick "
            "'mnemonic' (codes) in the NOMIS download options, or show geography as codes",
            file=file,
            row=int(first["line"]),
        )
    by_name = long["area_code"].map(resolution.codes)
    long["area_name"] = long["area_code"].map(resolution.names).fillna(long["area_name"])
    long["area_code"] = by_name.fillna(long["area_code"])
    notes.append(f"Matched {len(resolution.codes)} area name(s) to GSS codes from the bundled "
                 "geography (2023 boundaries).")
    notes += resolution.notes
    if resolution.unresolved:
        notes.append(
            f"{len(resolution.unresolved)} area name(s) are not in the bundled geography and "
            f"are kept by name as custom areas: {', '.join(resolution.unresolved[:8])}"
            f"{' ...' if len(resolution.unresolved) > 8 else ''}."
        )
    return resolution


def _select_query_blocks(
    blocks: list[_Block], file: str, notes: list[str], wanted_status: str | None = None
) -> list[_Block]:
    """Employment before employees (or the status asked for); counts only. Mirrors the bulk
    reader's choices."""

    def status(b: _Block) -> str:
        return b.meta.get("employment status", "").strip().lower()

    statuses = {status(b) for b in blocks}
    if wanted_status:
        wanted = wanted_status.strip().lower()
        if wanted not in statuses:
            raise DataError(
                f"no tables of employment status {wanted_status!r}: found "
                f"{', '.join(repr(x) for x in sorted(statuses) if x) or 'none stated'}",
                file=file,
                row=blocks[0].header_line,
            )
    elif "employment" in statuses:
        wanted = "employment"
    elif "employees" in statuses:
        wanted = "employees"
        notes.append(
            "This file has employees only (no working owners); figures are employee jobs, "
            "which understate employment where self-employment is common."
        )
    elif statuses == {""}:
        wanted = ""
        notes.append("The download does not state the employment status; read as employment.")
    else:
        b = blocks[0]
        raise DataError(
            f"no usable employment status: found {', '.join(sorted(statuses))}; need "
            "'Employment' or 'Employees'",
            file=file,
            row=b.header_line,
        )
    chosen = [b for b in blocks if status(b) == wanted]
    if len(chosen) < len(blocks):
        others = sorted({b.meta.get("employment status", "") for b in blocks} - {
            chosen[0].meta.get("employment status", "")})
        notes.append(
            f"Used employment status {chosen[0].meta.get('employment status', '')!r}; set aside "
            f"{len(blocks) - len(chosen)} table(s) of {', '.join(repr(o) for o in others)} "
            "(statuses are never added together)."
        )
    counts = [b for b in chosen if "percent" not in b.meta.get("measure", "").lower()]
    if not counts:
        raise DataError(
            "the tables hold percentages; download the 'Count' measure",
            file=file,
            row=chosen[0].header_line,
        )
    if len(counts) < len(chosen):
        notes.append(f"Set aside {len(chosen) - len(counts)} table(s) of percentages.")
    return counts


_ValueColumn = tuple[int, str, int | None]
"""(position, header, position of its Flag column or None) of one value column."""


def _query_block_frame(
    block: _Block,
    file: str,
    notes: list[str],
    ends_cleanly: bool,
    last_line: int,
    names_seen: list[str],
) -> tuple[pd.DataFrame, np.ndarray]:
    """One table of a query download as long employment rows, and each row's suppression flag."""
    header = block.header
    lowered = [h.lower() for h in header]
    code_idx = lowered.index("mnemonic") if "mnemonic" in lowered else None
    name_idx = 0 if code_idx != 0 else (1 if len(header) > 1 else 0)
    values = _query_value_columns(block, name_idx, code_idx, file)
    if all(re.fullmatch(r"(?:19|20)\d{2}", h) for _, h, _ in values):
        keys, years = _year_column_keys(block, values, file)
    else:
        values, keys, years = _industry_column_keys(block, values, file, notes)
    rows = _query_data_rows(block, code_idx, name_idx, file, notes, ends_cleanly, last_line,
                            names_seen)
    if not rows:
        return pd.DataFrame(
            columns=["area_code", "year", "sic", "employment", "suppressed", "line", "area_name",
                     "sub"]
        ), np.array([], dtype=object)
    return _query_long(rows, len(header), code_idx, name_idx, values, keys, years, file, notes,
                       block.subclass_columns)


def _query_value_columns(
    block: _Block, name_idx: int, code_idx: int | None, file: str
) -> list[_ValueColumn]:
    """Value columns; a "Flag" (or unnamed) column belongs to the value column before it."""
    values: list[_ValueColumn] = []
    for j, head in enumerate(block.header):
        if j in (name_idx, code_idx):
            continue
        if head.lower() in {"flag", "flags", ""}:
            if values and values[-1][2] is None and head:
                values[-1] = (values[-1][0], values[-1][1], j)
            continue
        values.append((j, head, None))
    if not values:
        raise DataError("the table has no value columns", file=file, row=block.header_line)
    return values


def _year_column_keys(
    block: _Block, values: list[_ValueColumn], file: str
) -> tuple[list[str], list[int]]:
    """Columns are years: the industry comes from the 'industry' line above the table."""
    industry = block.meta.get("industry", "")
    if not industry:
        raise DataError(
            "the table has year columns but no 'industry' line above it",
            file=file,
            row=block.header_line,
        )
    kind, result = classify_industry(industry)
    if kind != "sic":
        raise DataError(
            result
            if kind == "error"
            else f"{industry!r} is a section, not a division, group or class",
            file=file,
            row=block.header_line,
            column="industry",
        )
    return [result] * len(values), [int(h) for _, h, _ in values]


def _industry_column_keys(
    block: _Block, values: list[_ValueColumn], file: str, notes: list[str]
) -> tuple[list[_ValueColumn], list[str], list[int]]:
    """Columns are industries: the year comes from the 'date' line; coarse columns are noted
    and left out."""
    date = block.meta.get("date", "")
    year = _year_or_nan(date)
    if np.isnan(year):
        raise DataError(
            "missing year: no 'date' line above the table"
            if not date
            else f"date {date!r} is not a year",
            file=file,
            row=block.header_line,
            column="date",
        )
    kept: list[_ValueColumn] = []
    keys: list[str] = []
    coarse: list[str] = []
    for j, head, flag_j in values:
        kind, result = classify_industry(head)
        if kind == "error":
            raise DataError(result, file=file, row=block.header_line, column=head)
        if kind == "coarse":
            coarse.append(head)
            continue
        if kind == "pseudo":
            result = pseudo_key(result)
        elif is_subclass(head):
            block.subclass_columns.add(j)
        kept.append((j, head, flag_j))
        keys.append(result)
    if coarse and not [k for k in keys if k != TOTAL_CODE and not is_pseudo_code(k)]:
        _sections_error(coarse, file, block.header_line, coarse[0])
    if coarse:
        notes.append(
            f"Ignored {len(coarse)} column(s) at SIC section / broad industry level "
            f"({', '.join(coarse[:4])}): the classification needs divisions, groups or "
            "classes."
        )
    return kept, keys, [int(year)] * len(kept)


def _query_data_rows(
    block: _Block,
    code_idx: int | None,
    name_idx: int,
    file: str,
    notes: list[str],
    ends_cleanly: bool,
    last_line: int,
    names_seen: list[str] | None = None,
) -> list[tuple[int, list[str]]]:
    """The table's area lines, checked for width and area code; total lines are skipped.

    Without a code column, an area that is not a GSS code is a name (``combauth:Greater
    Manchester``): it is collected in ``names_seen`` for the caller to resolve."""
    header = block.header
    width = len(header)
    rows: list[tuple[int, list[str]]] = []
    skipped_totals: list[str] = []
    optional = {j for j, head in enumerate(header) if head.lower() in {"flag", "flags", ""}}
    for line, cells in block.rows:
        truncated = not ends_cleanly and line == last_line
        if len(cells) < width and not truncated and set(range(len(cells), width)) <= optional:
            cells = cells + [""] * (width - len(cells))  # writers may drop trailing empty flags
        if len(cells) < width:
            raise DataError(
                f"line has {len(cells)} fields but the header has {width}"
                + (" - the file looks truncated" if truncated else ""),
                file=file,
                row=line,
            )
        if any(cells[width:]):
            raise DataError(
                f"line has {len(cells)} fields but the header has {width}", file=file, row=line
            )
        code = cells[code_idx] if code_idx is not None else cells[name_idx]
        if code_idx is None and not _GSS_RE.match(code):
            if code.lower() in {"column total", "total"}:
                skipped_totals.append(code)
                continue
            if not code or names_seen is None:
                raise DataError(
                    "no area codes: tick 'mnemonic' (codes) in the NOMIS download options, or "
                    "show geography as codes",
                    file=file,
                    row=line,
                    column=header[name_idx],
                )
            names_seen.append(code)
        if not code:
            if cells[name_idx].lower() in {"column total", "total"}:
                skipped_totals.append(cells[name_idx])
                continue
            raise DataError(
                "missing area code",
                file=file,
                row=line,
                column=header[code_idx] if code_idx is not None else None,
            )
        rows.append((line, cells))
    if skipped_totals:
        notes.append(
            f"Skipped {len(skipped_totals)} total line(s) ({skipped_totals[0]!r}): sums over "
            "the areas listed, not an area."
        )
    return rows


def _query_long(
    rows: list[tuple[int, list[str]]],
    width: int,
    code_idx: int | None,
    name_idx: int,
    values: list[_ValueColumn],
    keys: list[str],
    years: list[int],
    file: str,
    notes: list[str],
    subclass_columns: set[int] | None = None,
) -> tuple[pd.DataFrame, np.ndarray]:
    """Wide area lines -> one long row per area and value column, with the flags."""
    subclass_columns = subclass_columns or set()
    grid = np.asarray([cells[:width] for _, cells in rows], dtype=object)
    line_nos = np.asarray([line for line, _ in rows])
    codes = grid[:, code_idx] if code_idx is not None else grid[:, name_idx]
    area_names = grid[:, name_idx]
    parts = []
    flags_all = []
    for (j, head, flag_j), key, year in zip(values, keys, years, strict=True):
        raw = grid[:, j]
        nums, supp, flag = _query_values(
            raw, grid[:, flag_j] if flag_j is not None else None, line_nos, file, head, notes
        )
        parts.append(
            pd.DataFrame(
                {
                    "area_code": codes,
                    "year": year,
                    "sic": key,
                    "employment": nums,
                    "suppressed": supp,
                    "line": line_nos,
                    "area_name": area_names,
                    "sub": j in subclass_columns,
                }
            )
        )
        flags_all.append(flag)
    return pd.concat(parts, ignore_index=True), np.concatenate(flags_all)


def _query_values(
    raw: np.ndarray,
    flag_cells: np.ndarray | None,
    lines: np.ndarray,
    file: str,
    column: str,
    notes: list[str],
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    text = pd.Series(raw, dtype=object).astype(str).str.strip()
    numbers = pd.to_numeric(text.str.replace(",", "", regex=False), errors="coerce").to_numpy()
    marker = text.isin(SUPPRESSION_MARKERS).to_numpy()
    empty = (text == "").to_numpy()
    bad = np.isnan(numbers) & ~marker & ~empty
    if bad.any():
        i = _first_bad(bad)
        raise DataError(
            f"{text.iloc[i]!r} is not a number (employment count)",
            file=file,
            row=int(lines[i]),
            column=column,
        )
    if (numbers < 0).any():
        i = _first_bad(numbers < 0)
        raise DataError(
            f"negative employment {numbers[i]:g}", file=file, row=int(lines[i]), column=column
        )
    suppressed = np.isnan(numbers)
    flag = np.where(marker, text.to_numpy(), np.where(empty, "(blank)", "")).astype(object)
    if flag_cells is not None:
        flags = pd.Series(flag_cells, dtype=object).astype(str).str.strip().to_numpy()
        kinds = np.asarray([_status_kind(f) if f else "ok" for f in flags], dtype=object)
        hit = kinds == "suppress"
        suppressed |= hit
        flag = np.where(hit & ((flag == "") | (flag == "(blank)")), flags, flag)
        unknown = sorted({f for f, k in zip(flags, kinds, strict=True) if k == "unknown"})
        if unknown:
            notes.append(
                f"Flags {', '.join(unknown)} in column {column!r} are not suppression markers; "
                "values kept."
            )
    numbers = np.where(suppressed, np.nan, numbers)
    return numbers, suppressed, flag
