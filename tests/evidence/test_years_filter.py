"""A read of a period's two years only (``read_tidy(path, years=(start, end))``, issue 14).

What it must keep: the indicator table of the period is the one a read of every year gives
(every column, NaN where NaN), whatever years, areas, codes, suppression and missing rows
the file has; a bad row of a year that is read is still reported at its file line and
column (and a row without a year is always read, so always reported); a year asked for that
the file lacks is a located error naming the file's years. And the year-on-year growth of
a cube of non-consecutive years is undefined across the gap, not a one-year rate.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from evidence.cube import build_cube
from evidence.dataset import DataError, Dataset, SourceInfo, validate_dataset
from evidence.indicator_table import indicator_columns
from evidence.indicators import compute_indicators, year_on_year
from evidence.service import Evidence
from evidence.sources import tidy
from evidence.sources.arrow_numpy import rows_where
from evidence.sources.tidy import read_tidy, write_tidy

CODES = ["2611", "2910", "3030", "29", "30", "TOTAL"]
"""Classes of two sectors, their divisions (mixed SIC levels) and the all-industry row."""

AREAS = pd.DataFrame({
    "area_code": ["A1", "A2", "A3", "A4", "K03000001"],
    "area_name": ["Aville", "Beeton", "Ceeford", "Deeham", "Great Britain"],
    "level": ["lad", "lad", "lad", "lad", "country"],
    "group_code": ["G1", "G1", "G2", "G2", ""],
    "group_name": ["Group One", "Group One", "Group Two", "Group Two", ""],
    "region_code": ["R1", "R1", "R1", "R2", ""],
    "region_name": ["Region One", "Region One", "Region One", "Region Two", ""],
})


def _dataset(years: list[int], seed: int, drop: float, suppress: float,
             gb: bool = True) -> Dataset:  # fmt: skip
    """Employment (some cells missing, some suppressed), GVA and context for ``years``."""
    rng = np.random.default_rng(seed)
    areas = AREAS if gb else AREAS[AREAS["level"] == "lad"]
    rows = []
    for area in areas["area_code"]:
        for year in years:
            for code in CODES:
                if code != "TOTAL" and rng.random() < drop:
                    continue  # no row for this cell
                hidden = code != "TOTAL" and rng.random() < suppress
                jobs = np.nan if hidden else float(rng.integers(0, 400))
                if code == "TOTAL":
                    jobs = float(rng.integers(2000, 5000))
                rows.append({"area_code": area, "year": year, "sic": code,
                             "employment": jobs, "suppressed": hidden})
    gva = pd.DataFrame([{"area_code": a, "year": y, "sic": s, "gva": float(rng.integers(1, 90))}
                        for a in areas["area_code"] for y in years for s in ("29", "TOTAL")])
    context = pd.DataFrame([{"area_code": a, "year": y, "level4_share": 0.3,
                             "berd_per_job": 40.0, **{f"soc_{k}": 10.0 * k for k in range(1, 10)}}
                            for a in areas["area_code"] for y in years])
    ds = Dataset(employment=pd.DataFrame(rows), areas=areas.reset_index(drop=True),
                 source=SourceInfo(name="years filter test data", synthetic=True),
                 gva=gva, context=context)
    return validate_dataset(ds)


def _table(ds: Dataset, start: int | None, end: int | None) -> dict[str, np.ndarray]:
    return indicator_columns(compute_indicators(build_cube(ds), start, end)).data


def _assert_same_table(full: dict[str, np.ndarray], part: dict[str, np.ndarray]) -> None:
    assert list(full) == list(part)
    for name, values in full.items():
        other = part[name]
        if values.dtype.kind == "f":
            np.testing.assert_array_equal(values, other, err_msg=name)  # NaN == NaN here
        else:
            assert values.tolist() == other.tolist(), name


@pytest.mark.parametrize("suffix", [".parquet", ".csv", ".csv.gz"])
@pytest.mark.parametrize("period", [(None, None), (2016, 2019), (2015, None), (None, 2018)])
def test_the_two_years_give_the_table_of_every_year(
    tmp_path: Path, suffix: str, period: tuple[int | None, int | None]
) -> None:
    path = write_tidy(_dataset(list(range(2015, 2021)), 3, 0.1, 0.1), tmp_path / f"f{suffix}")
    full, part = read_tidy(path), read_tidy(path, years=period)
    start = full.years[0] if period[0] is None else period[0]
    end = full.years[-1] if period[1] is None else period[1]
    assert part.years == [start, end]  # only the two years were read
    assert len(part.gva) == len(full.gva[full.gva["year"].isin([start, end])])
    assert len(part.context) == len(full.context[full.context["year"].isin([start, end])])
    _assert_same_table(_table(full, *period), _table(part, *period))


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(years=st.lists(st.integers(2009, 2024), min_size=2, max_size=6, unique=True),
       seed=st.integers(0, 10_000), drop=st.sampled_from([0.0, 0.2, 0.5]),
       suppress=st.sampled_from([0.0, 0.2]), gb=st.booleans(),
       ends=st.tuples(st.booleans(), st.booleans()), row_group=st.sampled_from([None, 7]))
def test_any_file_any_period_gives_the_same_table(
    tmp_path_factory: pytest.TempPathFactory, years: list[int], seed: int, drop: float,
    suppress: float, gb: bool, ends: tuple[bool, bool], row_group: int | None,
) -> None:
    """Random years (gaps included), missing and suppressed cells, with or without a GB row,
    files in one row group or in many small ones; the period's ends by number or left to
    the file."""
    ds = _dataset(sorted(years), seed, drop, suppress, gb)
    path = tmp_path_factory.mktemp("h") / "f.parquet"
    write_tidy(ds, path)
    if row_group is not None:  # the same rows in groups of 7
        pq.write_table(pq.read_table(path), path, row_group_size=row_group)
    y = sorted(years)
    period = (None if ends[0] else y[0], None if ends[1] else y[-1] if len(y) < 3 else y[-2])
    full, part = read_tidy(path), read_tidy(path, years=period)
    _assert_same_table(_table(full, *period), _table(part, *period))


def test_a_big_file_read_by_row_group_skips_the_groups_of_other_years(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The row-group path (a file above ``BATCHED_ROWS``): the same table, and a file
    written a year to a row group has the groups of other years skipped, not decoded."""
    years = list(range(2015, 2021))
    ds = _dataset(years, 5, 0.1, 0.1)
    path = tmp_path / "by_year.parquet"
    write_tidy(ds, path)
    table = pq.read_table(path)
    order = np.lexsort([np.arange(table.num_rows),
                        np.nan_to_num(np.asarray(table["year"].to_numpy(zero_copy_only=False),
                                                 dtype=float), nan=0.0)])
    table = table.take(pa.array(order))  # rows by year: areas and meta first (no year)
    counts = [int(np.isnan(np.asarray(table["year"].to_numpy(zero_copy_only=False),
                                      dtype=float)).sum())]
    counts += [int((table["year"].to_numpy(zero_copy_only=False) == y).sum()) for y in years]
    writer = pq.ParquetWriter(path, table.schema)
    at = 0
    for n in counts:  # one row group of the yearless rows, then one a year
        writer.write_table(table.slice(at, n))
        at += n
    writer.close()
    full = read_tidy(path)
    monkeypatch.setattr(tidy, "BATCHED_ROWS", 10)
    decoded: list[int] = []
    original = tidy._row_groups

    def spy(path: Path, columns: list[str], read=None):  # type: ignore[no-untyped-def]
        for n, group in original(path, columns, read):
            if group is not None and "employment" in columns:
                decoded.append(n)
            yield n, group

    monkeypatch.setattr(tidy, "_row_groups", spy)
    part = read_tidy(path, years=(2016, 2019))
    assert part.years == [2016, 2019]
    _assert_same_table(_table(full, 2016, 2019), _table(part, 2016, 2019))
    # the scatter decoded the groups of 2016 and 2019 only: not the four other years', nor
    # the yearless one (areas and meta rows, read for the small tables)
    assert decoded == [counts[2], counts[5]]


def _bad_file(tmp_path: Path, suffix: str, year: int, column: str,
              value: object) -> tuple[Path, int]:  # fmt: skip
    """A tidy file with one bad employment cell in a row of ``year``; its file line."""
    ds = _dataset([2015, 2016, 2017], 1, 0.0, 0.0)
    path = write_tidy(ds, tmp_path / f"good{suffix}")
    frame = pq.read_table(path).to_pandas() if suffix == ".parquet" else \
        pd.read_csv(path, dtype=str, keep_default_na=False)
    hits = np.flatnonzero((frame["table"] == "employment")
                          & (pd.to_numeric(frame["year"], errors="coerce") == year)
                          & (frame["sic"] == "3030"))
    row = int(hits[1])
    if column == "employment" and suffix == ".parquet":
        frame["employment"] = frame["employment"].astype(float)
    frame.loc[row, column] = value if suffix == ".parquet" else str(value)
    bad = tmp_path / f"bad{suffix}"
    if suffix == ".parquet":
        frame.to_parquet(bad, index=False)
    else:
        frame.to_csv(bad, index=False)
    return bad, row + 2  # the header is line 1


@pytest.mark.parametrize("suffix", [".parquet", ".csv"])
@pytest.mark.parametrize(("column", "value", "message"), [
    ("employment", -5, "negative employment"),
    ("sic", "9999", "is not a SIC 2007 class"),
    ("area_code", "Z9", "is not in the areas table"),
])
def test_a_bad_row_in_a_year_read_is_located(
    tmp_path: Path, suffix: str, column: str, value: object, message: str
) -> None:
    bad, line = _bad_file(tmp_path, suffix, 2017, column, value)
    with pytest.raises(DataError, match=message) as caught:
        read_tidy(bad, years=(2015, 2017))
    assert caught.value.file == str(bad)
    assert caught.value.row == line
    assert caught.value.column == column
    # the same problem, at the same place, as a read of every year reports
    with pytest.raises(DataError) as everything:
        read_tidy(bad)
    assert (everything.value.row, everything.value.column) == (line, column)


@pytest.mark.parametrize("suffix", [".parquet", ".csv"])
def test_a_bad_row_of_a_year_not_read_is_not_checked(tmp_path: Path, suffix: str) -> None:
    """What the docstring promises: the rows of other years are neither read nor checked."""
    bad, _ = _bad_file(tmp_path, suffix, 2016, "employment", -5)
    ds = read_tidy(bad, years=(2015, 2017))
    assert ds.years == [2015, 2017]
    with pytest.raises(DataError, match="negative employment"):
        read_tidy(bad)


def test_a_row_without_a_year_is_always_read_and_reported(tmp_path: Path) -> None:
    bad, line = _bad_file(tmp_path, ".csv", 2016, "year", "")
    with pytest.raises(DataError, match="without year") as caught:
        read_tidy(bad, years=(2015, 2017))
    assert (caught.value.row, caught.value.column) == (line, "year")


def test_a_year_the_file_lacks_is_an_error_naming_its_years(tmp_path: Path) -> None:
    path = write_tidy(_dataset([2015, 2016, 2017], 1, 0.0, 0.0), tmp_path / "f.parquet")
    with pytest.raises(DataError, match="no employment rows for the year 2013 .*2015-2017"):
        read_tidy(path, years=(2013, None))


def test_evidence_from_path_threads_the_years(tmp_path: Path) -> None:
    path = write_tidy(_dataset(list(range(2015, 2020)), 2, 0.1, 0.1), tmp_path / "f.parquet")
    ev = Evidence.from_path(str(path), years=(2016, None))
    assert ev.years == [2016, 2019]
    full = Evidence.from_path(str(path))
    _assert_same_table(indicator_columns(full.indicators(2016, 2019)).data,
                       indicator_columns(ev.indicators(2016, 2019)).data)


def test_an_area_with_rows_only_in_other_years_stays_as_in_a_full_read(tmp_path: Path) -> None:
    ds = _dataset([2015, 2016, 2017], 4, 0.0, 0.0)
    emp = ds.employment
    ds.employment = emp[~((emp["area_code"] == "A4") & emp["year"].isin([2015, 2017]))]
    path = write_tidy(validate_dataset(ds), tmp_path / "f.parquet")
    full, part = read_tidy(path), read_tidy(path, years=(2015, 2017))
    _assert_same_table(_table(full, 2015, 2017), _table(part, 2015, 2017))
    assert "A4" in part.cells.area_labels[part.cells.area_rows].tolist()


def test_growth_1y_is_undefined_across_a_gap() -> None:
    emp = np.array([[[100.0, 110.0, 121.0, 200.0]]])
    growth = year_on_year(emp, np.array([2015, 2016, 2017, 2020]))
    np.testing.assert_allclose(growth[0, 0, 1:3], [0.1, 0.1])
    assert np.isnan(growth[0, 0, 0]) and np.isnan(growth[0, 0, 3])


def test_growth_1y_of_a_two_year_read_is_undefined(tmp_path: Path) -> None:
    path = write_tidy(_dataset(list(range(2015, 2020)), 2, 0.0, 0.0), tmp_path / "f.parquet")
    ind = compute_indicators(build_cube(read_tidy(path, years=(None, None))))
    assert ind.cube.years.tolist() == [2015, 2019]
    assert np.isnan(ind.growth_1y).all()
    full = compute_indicators(build_cube(read_tidy(path)))
    assert np.isfinite(full.growth_1y[..., 1:]).any()  # consecutive years: defined


@pytest.mark.parametrize("nulls", [False, True])
def test_rows_where_equals_arrow_filter(nulls: bool) -> None:
    rng = np.random.default_rng(0)
    n = 1000
    mask = rng.random(n) < 0.3
    valid = rng.random(n) < 0.8 if nulls else np.ones(n, dtype=bool)
    numbers = pa.array(np.where(valid, rng.integers(0, 9, n), 0), mask=~valid)
    table = pa.table({
        "text": pa.array(rng.choice(["a", "b", "c"], n)).dictionary_encode(),
        "ints": numbers,
        "floats": pa.array(rng.random(n), mask=~valid),
        "flags": pa.array(rng.random(n) < 0.5, mask=~valid),
        "empty": pa.nulls(n),
    })
    table = pa.concat_tables([table.slice(0, 333), table.slice(333, 667)])  # offsets, chunks
    assert rows_where(table, mask).equals(table.filter(pa.array(mask)))


def test_the_indicators_command_reads_two_years_without_arrow_compute(tmp_path: Path) -> None:
    """The filtered rows are gathered by numpy (``rows_where``): Arrow's ``take`` on the
    many runs of two years' rows would import its compute module (30-50 ms of the command's
    start-up). And the command's table equals the one from every year."""
    from tests.processes import modules_loaded_by

    data = write_tidy(_dataset(list(range(2015, 2021)), 6, 0.1, 0.1), tmp_path / "f.parquet")
    out = tmp_path / "x.parquet"
    loaded = modules_loaded_by(["indicators", "--data", str(data), "--out", str(out),
                                "--start", "2016"], modules=("pyarrow.compute", "pandas"))
    assert loaded == []
    written = pq.read_table(out)
    full = _table(read_tidy(data), 2016, None)
    for name, values in full.items():
        got = np.asarray(written[name].to_pylist(), dtype=values.dtype)
        if values.dtype.kind == "f":
            np.testing.assert_array_equal(got, values, err_msg=name)
        else:
            assert got.tolist() == values.tolist(), name
