"""Real-data importers: NOMIS BRES (bulk and query CSV), ONS regional GVA, format detection.

Fixtures in ``tests/fixtures`` mimic the published files: ``nomis_bres_bulk.csv`` is an API
download (all NOMIS columns, employees and employment rows, ``Q`` / ``*`` statuses),
``nomis_bres_query.csv`` a web query download (title, metadata, one table per date, ``Flag``
columns, a ``Column Total`` line and footnotes) and ``ons_gva_la.csv`` the ONS local-authority GVA
table; the XLSX workbook is built from it with openpyxl.
"""

from __future__ import annotations

import csv
import gzip
import io
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import evidence.sources.load
from evidence.dataset import GB_CODE, DataError, Dataset, SourceInfo, validate_dataset
from evidence.sectors import TOTAL_CODE
from evidence.sources.load import detect_format, load_dataset
from evidence.sources.nomis import (
    _known_sic_codes,
    classify_industry,
    looks_like_nomis,
    read_nomis_bres,
)
from evidence.sources.ons_gva import (
    attach_gva,
    normalise_gva_code,
    read_ons_gva,
    split_range_code,
)
from evidence.sources.tidy import is_tidy_file
from tests.paths import FIXTURES

FIXTURES = FIXTURES
BULK = FIXTURES / "nomis_bres_bulk.csv"
QUERY = FIXTURES / "nomis_bres_query.csv"
GVA_CSV = FIXTURES / "ons_gva_la.csv"
DIVISIONS = (
    "01 02 03 05 06 07 08 09 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28 29 30 31 32 "
    "33 35 36 37 38 39 41 42 43 45 46 47 49 50 51 52 53 55 56 58 59 60 61 62 63 64 65 66 68 69 70 "
    "71 72 73 74 75 77 78 79 80 81 82 84 85 86 87 88 90 91 92 93 94 95 96 97 98 99"
).split()


def _text(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8", newline="")
    return path


def _bulk_rows() -> tuple[list[str], list[list[str]]]:
    rows = list(csv.reader(io.StringIO(_text(BULK))))
    return rows[0], rows[1:]


def _bulk_file(tmp_path: Path, header: list[str], rows: list[list[str]], name: str) -> Path:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return _write(tmp_path, name, out.getvalue())


def _value(ds: Dataset, area: str, year: int, sic: str) -> pd.Series:
    emp = ds.employment
    hit = emp[(emp["area_code"] == area) & (emp["year"] == year) & (emp["sic"] == sic)]
    assert len(hit) == 1, (area, year, sic)
    return hit.iloc[0]


def _assert_located(exc: DataError, file: Path, row: int | None, column: str | None) -> None:
    assert exc.file == str(file)
    assert exc.row == row
    assert exc.column == column
    text = str(exc)
    assert str(file) in text
    if row is not None:
        assert f"row {row}" in text
    if column is not None:
        assert repr(column) in text


# --------------------------------------------------------------------------------------------
# NOMIS bulk CSV
# --------------------------------------------------------------------------------------------


def test_bulk_happy_path() -> None:
    ds = read_nomis_bres(BULK)
    emp = ds.employment
    assert list(emp.columns) == ["area_code", "year", "sic", "employment", "suppressed"]
    assert ds.years == [2021, 2022]
    assert set(emp["sic"]) == {TOTAL_CODE, "2110", "2910", "3030"}
    # employment (employees + working owners) is chosen over employees
    assert _value(ds, "E06000015", 2021, TOTAL_CODE)["employment"] == 135000
    assert _value(ds, "E06000015", 2022, "3030")["employment"] == 12500
    assert len(emp) == 7 * 2 * 4
    assert emp["year"].dtype == np.int64
    assert emp["suppressed"].dtype == bool
    assert ds.source.rounding == 5
    assert any("rounded" in n for n in ds.source.notes)
    assert any("'Employees'" in n for n in ds.source.notes)
    validate_dataset(ds)


def test_bulk_areas_and_levels() -> None:
    areas = read_nomis_bres(BULK).areas.set_index("area_code")
    assert areas.loc[GB_CODE, "level"] == "country"
    assert areas.loc[GB_CODE, "area_name"] == "Great Britain"
    assert areas.loc["E47000007", "level"] == "group"
    assert areas.loc["E12000005", "level"] == "region"
    for lad in ("E06000015", "E06000025", "E08000025", "W06000015"):
        assert areas.loc[lad, "level"] == "lad"
    # Issue 9: real districts get their hierarchy from the bundled geography (it used to be
    # empty, so real data had no region LQs and no partnership areas).
    assert areas.loc["E06000015", "region_code"] == "E12000004"  # Derby, East Midlands
    assert areas.loc["E08000025", "cauth_code"] == "E47000007"  # Birmingham, WMCA
    assert areas.loc["W06000015", "region_name"] == "Wales"
    not_lad = areas[areas["level"] != "lad"]
    assert (not_lad[["group_code", "group_name", "region_code", "region_name"]] == "").all().all()


def test_bulk_suppressed_cells_counted_and_marked() -> None:
    ds = read_nomis_bres(BULK)
    emp = ds.employment
    assert ds.source.suppressed_cells == 3 == int(emp["suppressed"].sum())
    assert emp.loc[emp["suppressed"], "employment"].isna().all()
    assert emp.loc[~emp["suppressed"], "employment"].notna().all()
    assert _value(ds, "E06000025", 2021, "2110")["suppressed"]
    assert _value(ds, "E08000025", 2022, "3030")["suppressed"]  # status '*'
    summary = " ".join(ds.source.notes)
    assert "3 cells suppressed" in summary
    assert "Q: 2" in summary and "*: 1" in summary
    assert "Birmingham (E08000025) 1" in summary
    assert "21.10 2" in summary


def test_bulk_employees_only_is_used_with_a_note(tmp_path: Path) -> None:
    header, rows = _bulk_rows()
    status = header.index("EMPLOYMENT_STATUS_NAME")
    only = [r for r in rows if r[status] == "Employees"]
    ds = read_nomis_bres(_bulk_file(tmp_path, header, only, "employees.csv"))
    assert _value(ds, "E06000015", 2021, TOTAL_CODE)["employment"] == 121500
    assert any("employees only" in n for n in ds.source.notes)


def test_bulk_gzipped(tmp_path: Path) -> None:
    path = tmp_path / "download.data"
    path.write_bytes(gzip.compress(BULK.read_bytes()))
    ds = read_nomis_bres(path)
    assert len(ds.employment) == 56


def test_bulk_windows_1252_names(tmp_path: Path) -> None:
    header, rows = _bulk_rows()
    name = header.index("GEOGRAPHY_NAME")
    for r in rows:
        if r[name] == "Cardiff":
            r[name] = "Ynys Môn"
    path = _bulk_file(tmp_path, header, rows, "cp1252.csv")
    path.write_bytes(path.read_text(encoding="utf-8").encode("cp1252"))
    ds = read_nomis_bres(path)
    assert ds.area_name("W06000015") == "Ynys Môn"


def test_bulk_sections_are_set_aside_with_a_note(tmp_path: Path) -> None:
    header, rows = _bulk_rows()
    ind = header.index("INDUSTRY_NAME")
    extra = []
    for r in rows:
        if r[ind] == "Total":
            for label in ("C : Manufacturing", "3 : Manufacturing (C)"):
                copy = list(r)
                copy[ind] = label
                extra.append(copy)
    ds = read_nomis_bres(_bulk_file(tmp_path, header, rows + extra, "sections.csv"))
    assert set(ds.employment["sic"]) == {TOTAL_CODE, "2110", "2910", "3030"}
    assert any("section / broad industry" in n for n in ds.source.notes)


def _corrupt_bulk(tmp_path: Path, column: str, value: str, pick: int = 5) -> tuple[Path, int]:
    """Set ``column`` of one Employment row; returns the file and that row's line number."""
    header, rows = _bulk_rows()
    status = header.index("EMPLOYMENT_STATUS_NAME")
    index = [i for i, r in enumerate(rows) if r[status] == "Employment"][pick]
    rows[index][header.index(column)] = value
    return _bulk_file(tmp_path, header, rows, "bad.csv"), index + 2


def test_bulk_non_numeric_count(tmp_path: Path) -> None:
    path, line = _corrupt_bulk(tmp_path, "OBS_VALUE", "12a")
    with pytest.raises(DataError, match="'12a' is not a number") as info:
        read_nomis_bres(path)
    _assert_located(info.value, path, line, "OBS_VALUE")
    assert path.read_text().splitlines()[line - 1].count(",12a,") == 1


def test_bulk_unknown_industry_code(tmp_path: Path) -> None:
    path, line = _corrupt_bulk(tmp_path, "INDUSTRY_NAME", "99.99.9 : Made-up industry", pick=9)
    with pytest.raises(DataError, match=r"99\.99\.9") as info:
        read_nomis_bres(path)
    _assert_located(info.value, path, line, "INDUSTRY_NAME")


def test_bulk_missing_year(tmp_path: Path) -> None:
    path, line = _corrupt_bulk(tmp_path, "DATE_NAME", "", pick=11)
    with pytest.raises(DataError, match="missing year") as info:
        read_nomis_bres(path)
    _assert_located(info.value, path, line, "DATE_NAME")


def test_bulk_bad_year(tmp_path: Path) -> None:
    path, line = _corrupt_bulk(tmp_path, "DATE_NAME", "latest", pick=3)
    with pytest.raises(DataError, match="'latest' is not a year") as info:
        read_nomis_bres(path)
    _assert_located(info.value, path, line, "DATE_NAME")


def _drop_columns(tmp_path: Path, names: set[str], file: str) -> Path:
    header, rows = _bulk_rows()
    keep = [k for k, h in enumerate(header) if h not in names]
    return _bulk_file(
        tmp_path, [header[k] for k in keep], [[r[k] for k in keep] for r in rows], file
    )


@pytest.mark.parametrize(
    ("dropped", "column"),
    [
        ({"OBS_VALUE"}, "OBS_VALUE"),
        ({"GEOGRAPHY_CODE"}, "GEOGRAPHY_CODE"),
        ({"DATE", "DATE_NAME", "DATE_CODE"}, "DATE_NAME"),
        ({"INDUSTRY", "INDUSTRY_NAME", "INDUSTRY_CODE"}, "INDUSTRY_NAME"),
    ],
)
def test_bulk_missing_required_column(tmp_path: Path, dropped: set[str], column: str) -> None:
    path = _drop_columns(tmp_path, dropped, "nocol.csv")
    with pytest.raises(DataError, match=f"required column {column}") as info:
        read_nomis_bres(path)
    _assert_located(info.value, path, 1, column)


def test_bulk_negative_count(tmp_path: Path) -> None:
    path, line = _corrupt_bulk(tmp_path, "OBS_VALUE", "-5")
    with pytest.raises(DataError, match="negative") as info:
        read_nomis_bres(path)
    _assert_located(info.value, path, line, "OBS_VALUE")


def test_bulk_duplicate_rows(tmp_path: Path) -> None:
    header, rows = _bulk_rows()
    status = header.index("EMPLOYMENT_STATUS_NAME")
    first = next(r for r in rows if r[status] == "Employment")
    path = _bulk_file(tmp_path, header, rows + [list(first)], "dupe.csv")
    with pytest.raises(DataError, match="appears again") as info:
        read_nomis_bres(path)
    assert info.value.row == len(rows) + 2


def test_bulk_header_only(tmp_path: Path) -> None:
    header, _ = _bulk_rows()
    path = _bulk_file(tmp_path, header, [], "header.csv")
    with pytest.raises(DataError, match="no data lines") as info:
        read_nomis_bres(path)
    assert info.value.file == str(path)


def test_bulk_truncated_mid_line(tmp_path: Path) -> None:
    text = _text(BULK)
    cut = text[: len(text) - 150]
    path = _write(tmp_path, "cut.csv", cut)
    with pytest.raises(DataError, match="truncated") as info:
        read_nomis_bres(path)
    assert info.value.row == cut.count("\n") + 1


def test_bulk_truncated_inside_quotes(tmp_path: Path) -> None:
    header, rows = _bulk_rows()
    text = _bulk_file(tmp_path, header, rows, "q.csv").read_text()
    cut = text.rstrip("\r\n").rsplit(",", 3)[0] + ',"Normal Va'
    path = _write(tmp_path, "cutq.csv", cut)
    with pytest.raises(DataError, match="truncated") as info:
        read_nomis_bres(path)
    assert info.value.row == cut.count("\n") + 1


def test_bulk_too_many_fields(tmp_path: Path) -> None:
    lines = _text(BULK).splitlines(keepends=True)
    lines[7] = lines[7].rstrip("\r\n") + ",extra\r\n"
    path = _write(tmp_path, "wide.csv", "".join(lines))
    with pytest.raises(DataError, match="fields") as info:
        read_nomis_bres(path)
    assert info.value.row == 8


def test_empty_and_binary_files(tmp_path: Path) -> None:
    empty = _write(tmp_path, "empty.csv", "")
    with pytest.raises(DataError, match="empty") as info:
        read_nomis_bres(empty)
    assert info.value.file == str(empty)
    garbage = tmp_path / "garbage.csv"
    garbage.write_bytes(bytes(range(256)) * 40)
    with pytest.raises(DataError, match="binary") as info:
        read_nomis_bres(garbage)
    assert info.value.file == str(garbage)
    with pytest.raises(DataError, match="binary"):
        load_dataset(garbage)
    with pytest.raises(DataError, match="empty"):
        load_dataset(empty)


def test_bulk_reads_national_size_quickly(tmp_path: Path) -> None:
    """~250k lines with every NOMIS column: the per-line cost must stay vectorised."""
    header, rows = _bulk_rows()
    keep = [r for r in rows if r[header.index("EMPLOYMENT_STATUS_NAME")] == "Employment"]
    template = keep[2]  # Derby 2021, 2110
    labels = ["Total"] + [f"{d} : Division {d}" for d in DIVISIONS]
    n_areas, years = 280, range(2015, 2025)
    frame = (
        pd.DataFrame([template], columns=header)
        .loc[np.zeros(n_areas * len(labels) * len(years), dtype=int)]
        .reset_index(drop=True)
    )
    a, i, y = np.meshgrid(np.arange(n_areas), np.arange(len(labels)), list(years), indexing="ij")
    frame["GEOGRAPHY_CODE"] = [f"E07{k:06d}" for k in a.ravel()]
    frame["GEOGRAPHY_NAME"] = [f"District {k}" for k in a.ravel()]
    frame["INDUSTRY_NAME"] = np.asarray(labels, dtype=object)[i.ravel()]
    frame["DATE_NAME"] = y.ravel().astype(str)
    frame["OBS_VALUE"] = (np.arange(len(frame)) % 97 * 5).astype(str)
    frame.loc[frame.index % 50 == 0, ["OBS_VALUE", "OBS_STATUS"]] = ["", "Q"]
    path = tmp_path / "big.csv"
    frame.to_csv(path, index=False)
    started = time.perf_counter()
    ds = read_nomis_bres(path)
    elapsed = time.perf_counter() - started
    assert len(ds.employment) == len(frame)
    assert ds.source.suppressed_cells == (len(frame) + 49) // 50
    assert elapsed < 10, f"{len(frame)} lines took {elapsed:.1f}s"


# --------------------------------------------------------------------------------------------
# industry labels
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("label", "expected"),
    [
        ("3030 : Manufacture of air and spacecraft and related machinery", ("sic", "3030")),
        ("303 : Manufacture of air and spacecraft and related machinery", ("sic", "303")),
        ("30 : Manufacture of other transport equipment", ("sic", "30")),
        ("30300 : Manufacture of air and spacecraft and related machinery", ("sic", "3030")),
        ("2910 : Manufacture of motor vehicles", ("sic", "2910")),
        ("21.10", ("sic", "2110")),
        ("C30.3", ("sic", "303")),
        ("Total", ("sic", TOTAL_CODE)),
        ("Column Total", ("sic", TOTAL_CODE)),
        ("C : Manufacturing", ("coarse", "C : Manufacturing")),
        ("3 : Manufacturing (C)", ("coarse", "3 : Manufacturing (C)")),
        (
            "10 : Information & communication (J)",
            ("coarse", "10 : Information & communication (J)"),
        ),
        ("5 : Motor trades (Part G)", ("coarse", "5 : Motor trades (Part G)")),
    ],
)
def test_industry_labels_normalise(label: str, expected: tuple[str, str]) -> None:
    assert classify_industry(label) == expected


@pytest.mark.parametrize(
    "label",
    [
        "99.99.9",
        "4410 : Nothing",
        pytest.param(
            "9999 : Nothing",
            marks=pytest.mark.skipif(
                _known_sic_codes() is None, reason="needs evidence/data/sic2007_classes.csv"
            ),
        ),
        "abc",
        "",
        "3",
    ],
)
def test_industry_labels_rejected(label: str) -> None:
    assert classify_industry(label)[0] == "error"


# --------------------------------------------------------------------------------------------
# NOMIS query download
# --------------------------------------------------------------------------------------------


def test_query_happy_path() -> None:
    ds = read_nomis_bres(QUERY)
    assert ds.years == [2021, 2022]
    assert set(ds.employment["sic"]) == {TOTAL_CODE, "2110", "2910", "3030"}
    assert set(ds.areas["area_code"]) == {
        "E06000015",
        "E06000025",
        "E08000025",
        "W06000015",
        GB_CODE,
    }
    assert _value(ds, "E06000015", 2022, "3030")["employment"] == 12500
    assert _value(ds, GB_CODE, 2021, TOTAL_CODE)["employment"] == 30500000
    assert ds.source.rounding == 5
    assert "query" in ds.source.name
    notes = " ".join(ds.source.notes)
    assert "Column Total" in notes  # the sum line is reported, not loaded as an area
    assert "NOMIS footnotes" in notes


def test_query_suppressed_and_flagged_cells() -> None:
    ds = read_nomis_bres(QUERY)
    # '!' cell, '*' cell, '!' cell, and a number carrying a '!' Flag
    assert ds.source.suppressed_cells == 4
    flagged = _value(ds, "W06000015", 2021, "3030")
    assert flagged["suppressed"] and np.isnan(flagged["employment"])
    assert _value(ds, "E08000025", 2022, "3030")["suppressed"]
    assert "!: 3" in " ".join(ds.source.notes)


def _query_lines() -> list[str]:
    return _text(QUERY).splitlines(keepends=True)


def _line_no(lines: list[str], startswith: str, nth: int = 0) -> int:
    hits = [k for k, line in enumerate(lines) if line.startswith(startswith)]
    return hits[nth] + 1


def test_query_non_numeric_count(tmp_path: Path) -> None:
    lines = _query_lines()
    row = _line_no(lines, '"Birmingham"', nth=1)
    lines[row - 1] = lines[row - 1].replace("3250", '"12a"')
    path = _write(tmp_path, "q.csv", "".join(lines))
    with pytest.raises(DataError, match="'12a' is not a number") as info:
        read_nomis_bres(path)
    _assert_located(info.value, path, row, "2910 : Manufacture of motor vehicles")


def test_query_unknown_industry(tmp_path: Path) -> None:
    lines = _query_lines()
    row = _line_no(lines, '"local authority')
    lines[row - 1] = lines[row - 1].replace("2110 : Manufacture", "99.99.9 : Manufacture")
    path = _write(tmp_path, "q.csv", "".join(lines))
    with pytest.raises(DataError, match=r"99\.99\.9") as info:
        read_nomis_bres(path)
    assert info.value.row == row
    assert info.value.column.startswith("99.99.9")


def test_query_missing_year(tmp_path: Path) -> None:
    lines = [line for line in _query_lines() if not line.startswith('"date"')]
    path = _write(tmp_path, "q.csv", "".join(lines))
    with pytest.raises(DataError, match="missing year") as info:
        read_nomis_bres(path)
    _assert_located(info.value, path, _line_no(lines, '"local authority'), "date")


def test_query_truncated(tmp_path: Path) -> None:
    text = _text(QUERY)
    cut = text[: text.index('"Birmingham","E08000025",540000') + 40]
    path = _write(tmp_path, "q.csv", cut)
    with pytest.raises(DataError, match="truncated") as info:
        read_nomis_bres(path)
    assert info.value.row == cut.count("\n") + 1


def test_query_without_codes_resolves_names(tmp_path: Path) -> None:
    # Issue 9: a query download by area name is read by resolving the names against the
    # bundled geography (it used to be refused); the codes are those of the coded download.
    rows = list(csv.reader(io.StringIO(_text(QUERY))))
    out = io.StringIO()
    writer = csv.writer(out, quoting=csv.QUOTE_NONNUMERIC, lineterminator="\n")
    for r in rows:
        writer.writerow([c for k, c in enumerate(r) if k != 1] if len(r) > 3 else r)
    path = _write(tmp_path, "q.csv", out.getvalue())
    by_name = read_nomis_bres(path)
    by_code = read_nomis_bres(QUERY)
    assert set(by_name.areas["area_code"]) == set(by_code.areas["area_code"])
    assert by_name.source.report is not None
    assert by_name.source.report.unresolved_names == []


def test_query_with_no_resolvable_name_is_an_error(tmp_path: Path) -> None:
    rows = list(csv.reader(io.StringIO(_text(QUERY))))
    out = io.StringIO()
    writer = csv.writer(out, quoting=csv.QUOTE_NONNUMERIC, lineterminator="\n")
    for r in rows:
        if len(r) > 3 and r[1].startswith(("E", "W", "S", "K")) and r[1][1:].isdigit():
            r = [f"Nowhere {r[1][-3:]}"] + r[1:]
        writer.writerow([c for k, c in enumerate(r) if k != 1] if len(r) > 3 else r)
    path = _write(tmp_path, "q.csv", out.getvalue())
    with pytest.raises(DataError, match="mnemonic") as info:
        read_nomis_bres(path)
    assert info.value.row is not None


def test_query_years_across_industry_in_metadata(tmp_path: Path) -> None:
    text = (
        '"Business Register and Employment Survey : open access"\n'
        '"ONS Crown Copyright Reserved [from Nomis on 14 March 2024]"\n'
        '"industry","3030 : Manufacture of air and spacecraft and related machinery"\n'
        '"employment status","Employees"\n'
        '"measure","Count"\n'
        "\n"
        '"local authority: district / unitary (as of April 2023)","mnemonic","2021","2022"\n'
        '"Derby","E06000015",11000,11500\n'
        '"Great Britain","K03000001",90000,"*"\n'
        "\n"
        '"* These figures are suppressed as statistically unreliable."\n'
    )
    ds = read_nomis_bres(_write(tmp_path, "years.csv", text))
    assert ds.years == [2021, 2022]
    assert set(ds.employment["sic"]) == {"3030"}
    assert _value(ds, "E06000015", 2022, "3030")["employment"] == 11500
    assert ds.source.suppressed_cells == 1
    assert any("employees only" in n for n in ds.source.notes)


def test_looks_like_nomis() -> None:
    assert looks_like_nomis(_text(BULK).splitlines()[:5])
    assert looks_like_nomis(_text(QUERY).splitlines()[:20])
    assert not looks_like_nomis(_text(GVA_CSV).splitlines()[:10])
    assert not looks_like_nomis(["table,area_code,year,sic,employment"])
    assert not looks_like_nomis([])


# --------------------------------------------------------------------------------------------
# ONS GVA
# --------------------------------------------------------------------------------------------


@pytest.fixture
def gva_xlsx(tmp_path: Path) -> Path:
    """The CSV fixture as the ONS workbook lays it out: cover and notes sheets, Table1a (current
    prices, the one to read) and Table1b (chained volume measures, to be skipped)."""
    from openpyxl import Workbook

    rows = list(csv.reader(io.StringIO(_text(GVA_CSV))))
    wb = Workbook()
    cover = wb.active
    cover.title = "Cover"
    cover.append(["Regional gross value added (balanced) by industry: local authorities by ITL1"])
    cover.append(["Release date: 24 April 2024"])
    notes = wb.create_sheet("Notes")
    notes.append(["Note number", "Note text"])
    notes.append(["note 1", "Figures may not sum due to rounding."])
    for name, title in (("Table1a", None), ("Table1b", "Table 1b: chained volume measures")):
        ws = wb.create_sheet(name)
        for k, row in enumerate(rows):
            cells: list[object] = []
            for j, value in enumerate(row):
                if k == 0 and j == 0 and title:
                    value = title
                if k > 3 and j >= 6:
                    try:
                        cells.append(float(value))
                        continue
                    except ValueError:
                        pass
                if k == 3 and j >= 6:
                    cells.append(int(value))
                    continue
                cells.append(value if value != "" else None)
            ws.append(cells)
    path = tmp_path / "regionalgvabyindustry.xlsx"
    wb.save(path)
    return path


def test_gva_csv() -> None:
    gva = read_ons_gva(GVA_CSV)
    assert list(gva.columns) == ["area_code", "year", "sic", "gva"]
    assert set(gva["sic"]) == {TOTAL_CODE, "10-33", "10-12", "20", "21", "26-27", "28", "29", "30"}
    assert sorted(gva["year"].unique()) == [2019, 2020, 2021, 2022]
    row = gva[(gva.area_code == "E06000015") & (gva.year == 2022) & (gva.sic == "30")]
    assert row["gva"].iloc[0] == 1722
    assert gva.attrs["suppressed_cells"] == 13 == int(gva["gva"].isna().sum())
    notes = " ".join(gva.attrs["notes"])
    assert "Aerospace" in notes and "(only within 30)" in notes
    assert "Electrical equipment / Computers, electronics and optics (only within 26-27)" in notes
    assert gva.attrs["area_names"]["E06000016"] == "Leicester"


def test_gva_xlsx_matches_csv(gva_xlsx: Path) -> None:
    from_xlsx = read_ons_gva(gva_xlsx)
    from_csv = read_ons_gva(GVA_CSV)
    pd.testing.assert_frame_equal(from_xlsx, from_csv, check_like=True)
    assert any("Table1b" in n and "chained volume" in n for n in from_xlsx.attrs["notes"])


def test_gva_xlsx_error_names_sheet_row_and_column(gva_xlsx: Path) -> None:
    from openpyxl import load_workbook

    wb = load_workbook(gva_xlsx)
    wb["Table1a"]["H9"] = "12 million"
    wb.save(gva_xlsx)
    with pytest.raises(DataError, match="sheet 'Table1a', cell H9: '12 million'") as info:
        read_ons_gva(gva_xlsx)
    _assert_located(info.value, gva_xlsx, 9, "2020")


def test_gva_csv_bad_industry(tmp_path: Path) -> None:
    text = _text(GVA_CSV).replace("E06000016,Leicester,C29,", "E06000016,Leicester,Z99x,")
    path = _write(tmp_path, "gva.csv", text)
    with pytest.raises(DataError) as info:
        read_ons_gva(path)
    _assert_located(info.value, path, 21, "SIC07 code")


def test_gva_without_table(tmp_path: Path) -> None:
    path = _write(tmp_path, "other.csv", "a,b\n1,2\n")
    with pytest.raises(DataError, match="no GVA table"):
        read_ons_gva(path)


@pytest.mark.parametrize(
    ("raw", "key"),
    [
        ("C29", "29"),
        ("29", "29"),
        ("C10-12", "10-12"),
        ("C26-27", "26-27"),
        ("CA (10-12)", "10-12"),
        ("C (10-33)", "10-33"),
        ("C", "10-33"),
        ("CI", "26"),
        ("AB (1-9)", "01-09"),
        ("Total", TOTAL_CODE),
        ("All industries", TOTAL_CODE),
        ("C30.3", "303"),
    ],
)
def test_normalise_gva_code(raw: str, key: str) -> None:
    assert normalise_gva_code(raw) == key


def test_split_range_code() -> None:
    assert split_range_code("26-27") == ["26", "27"]
    assert split_range_code("C10-12") == ["10", "11", "12"]
    assert split_range_code("29") == ["29"]
    assert split_range_code("C29") == ["29"]
    assert split_range_code(TOTAL_CODE) == [TOTAL_CODE]
    assert split_range_code("01-09") == ["01", "02", "03", "05", "06", "07", "08", "09"]


def test_attach_gva() -> None:
    ds = attach_gva(read_nomis_bres(BULK), GVA_CSV)
    assert ds.gva is not None
    assert set(ds.gva["area_code"]) == {"E06000015", "E08000025"}  # Leicester is not in BRES
    assert "GVA" in ds.source.name and "NOMIS" in ds.source.name
    notes = " ".join(ds.source.notes)
    assert "E06000016" in notes
    assert ds.source.suppressed_cells == 3  # employment's count, GVA's is in the notes


def test_attach_gva_no_common_areas(tmp_path: Path) -> None:
    base = Dataset(
        employment=pd.DataFrame(
            {
                "area_code": ["X1"],
                "year": [2022],
                "sic": ["29"],
                "employment": [5.0],
                "suppressed": [False],
            }
        ),
        areas=pd.DataFrame(
            {
                "area_code": ["X1"],
                "area_name": ["X"],
                "level": ["custom"],
                "group_code": [""],
                "group_name": [""],
                "region_code": [""],
                "region_name": [""],
            }
        ),
        source=SourceInfo(name="test"),
    )
    with pytest.raises(DataError, match="none of the GVA"):
        attach_gva(base, GVA_CSV)


# --------------------------------------------------------------------------------------------
# detection
# --------------------------------------------------------------------------------------------


def test_detection_by_content_not_extension(tmp_path: Path, gva_xlsx: Path) -> None:
    bulk = tmp_path / "1234567.txt"
    bulk.write_bytes(BULK.read_bytes())
    query = tmp_path / "query.xlsx"  # misleading extension
    query.write_bytes(QUERY.read_bytes())
    gz = tmp_path / "bulk.bin"
    gz.write_bytes(gzip.compress(BULK.read_bytes()))
    assert detect_format(bulk) == "nomis_bulk"
    assert detect_format(query) == "nomis_query"
    assert detect_format(gz) == "nomis_bulk"
    assert detect_format(GVA_CSV) == "ons_gva"
    assert detect_format(gva_xlsx) == "ons_gva"
    assert len(load_dataset(bulk).employment) == 56
    assert load_dataset(query).years == [2021, 2022]
    assert len(load_dataset(gz).employment) == 56


def test_gva_alone_is_an_error(gva_xlsx: Path) -> None:
    for path in (gva_xlsx, GVA_CSV):
        with pytest.raises(DataError, match="this is a GVA file; load it alongside"):
            load_dataset(path)


def test_load_with_gva(gva_xlsx: Path) -> None:
    ds = load_dataset(QUERY, gva_path=gva_xlsx)
    assert ds.gva is not None and set(ds.gva["area_code"]) == {"E06000015", "E08000025"}


def test_unknown_content(tmp_path: Path) -> None:
    path = _write(tmp_path, "notes.csv", "name,age\nAda,36\n")
    with pytest.raises(DataError, match="supported formats: demo") as info:
        load_dataset(path)
    assert info.value.file == str(path)
    zipped = tmp_path / "archive.zip"
    import zipfile

    with zipfile.ZipFile(zipped, "w") as zf:
        zf.writestr("readme.txt", "hello")
    with pytest.raises(DataError, match="supported formats"):
        load_dataset(zipped)


def test_demo_format_goes_to_the_demo_reader(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[Path] = []

    def read_demo(path: str | Path, engine: str = "auto", years: object = None) -> str:
        seen.append(Path(path))
        return "demo dataset"

    # the tidy reader (in memory or out of core) is imported by name in evidence.sources.load
    monkeypatch.setattr(evidence.sources.load, "read_tidy_any", read_demo)
    # placing neighbourhoods (issue 14) follows every reader; the stub's result has no areas
    monkeypatch.setattr(evidence.sources.load, "place_neighbourhoods", lambda ds, *a, **k: ds)
    csv_path = _write(tmp_path, "mine.dat", "table,area_code,area_name,year,sic,employment\n")
    parquet = tmp_path / "mine.bin"
    parquet.write_bytes(b"PAR1" + b"\x00" * 16)
    gz = tmp_path / "mine.gz"
    gz.write_bytes(gzip.compress(b"table,area_code,year,sic,employment\nemployment,A,2020,29,5\n"))
    for path in (csv_path, parquet, gz):
        assert detect_format(path) == "demo"
        assert is_tidy_file(path)  # the tidy reader's own check agrees
        assert load_dataset(path) == "demo dataset"
    assert seen == [csv_path, parquet, gz]


def test_a_missing_file_is_named_by_detection_and_the_gva_reader(tmp_path: Path) -> None:
    """Both open the file through ``magic_bytes``: the same located error, naming the file."""
    missing = tmp_path / "nope.xlsx"
    for read in (detect_format, read_ons_gva):
        with pytest.raises(DataError, match="file not found") as info:
            read(missing)
        assert info.value.file == str(missing)
