"""The synthetic demo data: deterministic, internally consistent, GB-shaped, patterns planted."""

from __future__ import annotations

import csv
import gzip
import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from evidence.dataset import GB_CODE, DataError, Dataset, validate_dataset
from evidence.sectors import TOTAL_CODE, sector_of_codes
from evidence.sources import demo

YEARS = list(range(2015, 2025))
REQUIRED_ARCHETYPES = {
    "science_pharma_hub",
    "engineering_assembly_cluster",
    "declining_industrial",
    "little_am",
    "niche",
}


@pytest.fixture(scope="session")
def full() -> Dataset:
    return demo.generate_demo("full")


@pytest.fixture(scope="session")
def small() -> Dataset:
    return demo.generate_demo("small")


def _tables(ds: Dataset) -> dict[str, pd.DataFrame]:
    assert ds.gva is not None and ds.context is not None
    return {"employment": ds.employment, "areas": ds.areas, "gva": ds.gva, "context": ds.context}


def assert_same_data(a: Dataset, b: Dataset) -> None:
    for name, frame in _tables(a).items():
        pd.testing.assert_frame_equal(frame, _tables(b)[name], check_exact=True, obj=name)


def jobs(ds: Dataset, prefixes: tuple[str, ...] | str) -> pd.DataFrame:
    """Jobs in classes under ``prefixes``: area x year (suppressed cells count as 0)."""
    emp = ds.employment
    codes = emp["sic"]
    mask = (codes != TOTAL_CODE) & codes.str.startswith(prefixes)
    part = emp[mask]
    return part.pivot_table(index="area_code", columns="year", values="employment",
                            aggfunc="sum", fill_value=0.0)  # fmt: skip


def totals(ds: Dataset) -> pd.DataFrame:
    emp = ds.employment
    return emp[emp["sic"] == TOTAL_CODE].pivot(index="area_code", columns="year",
                                               values="employment")  # fmt: skip


def lq(ds: Dataset, prefixes: tuple[str, ...] | str) -> pd.DataFrame:
    share = jobs(ds, prefixes).reindex(totals(ds).index, fill_value=0.0) / totals(ds)
    return share / share.loc[GB_CODE]


AM_PREFIXES = tuple(demo.GVA_PREFIXES)
MANUFACTURING = tuple(str(d) for d in range(10, 34))


# --- determinism and the bundled file --------------------------------------------------------


def test_same_seed_same_data(small: Dataset) -> None:
    assert_same_data(small, demo.generate_demo("small"))


def test_other_seed_other_numbers_same_areas(small: Dataset) -> None:
    other = demo.generate_demo("small", seed=7)
    pd.testing.assert_frame_equal(other.areas, small.areas)
    assert not other.employment["employment"].equals(small.employment["employment"])
    assert other.source.name == "policymix synthetic demo (seed 7)"


def test_small_is_the_full_set_restricted_to_table1(full: Dataset, small: Dataset) -> None:
    emp = full.employment
    keep = (emp["sic"] == TOTAL_CODE) | sector_of_codes(emp["sic"]).notna()
    pd.testing.assert_frame_equal(emp[keep].reset_index(drop=True), small.employment)
    assert len(small.employment["sic"].unique()) == 71 + 1
    pd.testing.assert_frame_equal(full.gva, small.gva)
    pd.testing.assert_frame_equal(full.context, small.context)


def test_bundled_file_equals_a_fresh_small_generation(small: Dataset) -> None:
    path = demo.bundled_demo_path()
    assert path.exists()
    assert path.stat().st_size < 3_000_000
    bundled = demo.load_bundled_demo()
    # If this fails the generator changed: python -m evidence.sources.demo --scale small
    # --out evidence/data/demo_small.csv.gz
    assert_same_data(bundled, small)
    assert bundled.source.synthetic
    assert bundled.source.rounding == 5
    assert bundled.source.name == small.source.name
    assert "SYNTHETIC" in bundled.source.label()


# --- contract and internal consistency -------------------------------------------------------


def test_validates_and_has_the_gb_shape(full: Dataset) -> None:
    validate_dataset(full)
    levels = full.areas["level"].value_counts().to_dict()
    assert levels == {"lad": 360, "group": 38, "region": 11, "country": 1}
    lads = full.areas[full.areas["level"] == "lad"]
    assert lads["area_code"].str.fullmatch(r"(E0[6-9]|W06|S12)\d{6}").all()
    assert set(lads["region_code"]) == {f"E1200000{i}" for i in range(1, 10)} | {
        "W92000004",
        "S92000003",
    }
    assert lads["group_code"].str.fullmatch(r"E37\d{6}").all()
    assert lads["area_name"].is_unique and (lads["area_name"] != "").all()
    assert full.years == YEARS
    assert len(full.employment) == 361 * 10 * 616
    counts = full.employment.groupby(["area_code", "year"]).size()
    assert (counts == 616).all()
    assert full.source.synthetic and full.source.rounding == 5


def test_counts_are_rounded_to_five(full: Dataset) -> None:
    values = full.employment["employment"].dropna().to_numpy()
    assert (values >= 0).all()
    assert (values % 5 == 0).all()


def test_suppression_is_rare_small_and_never_in_totals(full: Dataset) -> None:
    emp = full.employment
    sup = emp["suppressed"].to_numpy()
    assert (np.isnan(emp["employment"].to_numpy()) == sup).all()
    assert 0 < sup.sum() < 0.01 * len(emp)
    assert full.source.suppressed_cells == sup.sum()
    hit = emp[emp["suppressed"]]
    assert (hit["sic"] != TOTAL_CODE).all()
    assert (hit["area_code"] != GB_CODE).all()
    small_areas = totals(full)[2015]
    assert (small_areas.loc[hit["area_code"].unique()] < 25_000).all()
    planted = {code for codes in demo.ARCHETYPES.values() for code in codes}
    assert not planted & set(hit["area_code"])


def test_total_is_the_sum_of_classes(full: Dataset) -> None:
    emp = full.employment
    classes = emp[emp["sic"] != TOTAL_CODE]
    visible = classes.groupby(["area_code", "year"])["employment"].sum()
    any_suppressed = classes.groupby(["area_code", "year"])["suppressed"].any()
    total = emp[emp["sic"] == TOTAL_CODE].set_index(["area_code", "year"])["employment"]
    total = total.reindex(visible.index)
    clean = ~any_suppressed
    assert clean.sum() > 3000
    pd.testing.assert_series_equal(visible[clean], total[clean], check_names=False)
    assert (total[~clean] > visible[~clean]).all()


def test_gb_is_the_sum_of_districts(full: Dataset) -> None:
    emp = full.employment
    districts = emp[emp["area_code"] != GB_CODE]
    gb = emp[emp["area_code"] == GB_CODE].set_index(["year", "sic"])["employment"]
    summed = districts.groupby(["year", "sic"])["employment"].sum()
    suppressed = districts.groupby(["year", "sic"])["suppressed"].any()
    gb = gb.reindex(summed.index)
    clean = ~suppressed
    pd.testing.assert_series_equal(summed[clean], gb[clean], check_names=False)
    assert (gb[~clean] > summed[~clean]).all()
    assert gb.notna().all()
    gva = full.gva
    gb_gva = gva[gva["area_code"] == GB_CODE].set_index(["year", "sic"])["gva"]
    sum_gva = gva[gva["area_code"] != GB_CODE].groupby(["year", "sic"])["gva"].sum()
    np.testing.assert_allclose(gb_gva.sort_index(), sum_gva.sort_index(), atol=0.01)


def test_occupations_sum_to_total_and_context_ranges(full: Dataset) -> None:
    ctx = full.context
    assert ctx is not None
    assert len(ctx) == 361 * 10
    soc = ctx[[f"soc_{i}" for i in range(1, 10)]]
    assert (soc >= 0).all().all()
    total = totals(full).stack().rename("total")
    merged = ctx.set_index(["area_code", "year"]).join(total)
    np.testing.assert_array_equal(soc.sum(axis=1).to_numpy(), merged["total"].to_numpy())
    assert ctx["level4_share"].between(0.25, 0.60).all()
    assert ctx["berd_per_job"].between(50, 3000).all()
    assert ctx["berd_per_job"].mean() > ctx["berd_per_job"].median()  # skewed


def test_national_magnitudes(full: Dataset) -> None:
    gb_total = totals(full).loc[GB_CODE]
    assert 28e6 < gb_total[2015] < 30e6 and 30.5e6 < gb_total[2024] < 33e6
    manufacturing = jobs(full, MANUFACTURING).loc[GB_CODE]
    assert 2.4e6 < manufacturing[2015] < 2.9e6
    am = jobs(full, AM_PREFIXES).loc[GB_CODE]
    assert 0.98e6 < am[2015] < 1.3e6
    expected_2015 = {"29": 165e3, "303": 105e3, "28": 220e3, "20": 108e3, "21": 50e3}
    for prefix, size in expected_2015.items():
        assert jobs(full, prefix).loc[GB_CODE, 2015] == pytest.approx(size, rel=0.02)


def test_productivity_is_realistic(full: Dataset) -> None:
    gva = full.gva
    assert gva is not None
    gb = gva[(gva["area_code"] == GB_CODE) & (gva["year"] == 2015)].set_index("sic")["gva"]
    am_jobs = jobs(full, AM_PREFIXES).loc[GB_CODE, 2015]
    am_gva = gb.drop(TOTAL_CODE).sum() * 1e6
    assert 70_000 < am_gva / am_jobs < 110_000
    assert 50_000 < gb[TOTAL_CODE] * 1e6 / totals(full).loc[GB_CODE, 2015] < 70_000
    # Productivity varies by place.
    dist = gva[(gva["sic"] == TOTAL_CODE) & (gva["year"] == 2015)].set_index("area_code")["gva"]
    per_job = dist * 1e6 / totals(full)[2015]
    assert per_job.drop(GB_CODE).std() / per_job.mean() > 0.05


# --- planted patterns ------------------------------------------------------------------------


def test_archetype_codes_are_districts_and_disjoint(small: Dataset) -> None:
    assert REQUIRED_ARCHETYPES <= set(demo.ARCHETYPES)
    lads = set(small.areas.loc[small.areas["level"] == "lad", "area_code"])
    codes = [c for group in demo.ARCHETYPES.values() for c in group]
    assert set(codes) <= lads
    assert len(codes) == len(set(codes))
    assert set(demo.NICHE_CLASSES) == set(demo.ARCHETYPES["niche"])


@pytest.fixture(scope="module", params=[demo.DEFAULT_SEED, 7])
def seeded(request: pytest.FixtureRequest) -> Dataset:
    """The patterns are planted, so they must show whatever the seed."""
    return demo.generate_demo("small", seed=request.param)


def test_science_hubs(seeded: Dataset) -> None:
    hubs = demo.ARCHETYPES["science_pharma_hub"]
    assert (lq(seeded, "21").loc[hubs] > 3).all().all()
    ctx = seeded.context.set_index(["area_code", "year"])
    latest = ctx.xs(2024, level="year")
    assert (latest.loc[hubs, "level4_share"] > latest.loc[GB_CODE, "level4_share"] + 0.1).all()
    assert (latest.loc[hubs, "berd_per_job"] > 1000).all()


def test_engineering_clusters(seeded: Dataset) -> None:
    clusters = demo.ARCHETYPES["engineering_assembly_cluster"]
    assert (lq(seeded, "29").loc[clusters] > 3).all().all()
    assert (lq(seeded, "303").loc[clusters] > 3).all().all()
    assert (lq(seeded, ("28", "27")).loc[clusters] > 1.2).all().all()


def test_declining_places_lose_manufacturing_and_have_low_skills(seeded: Dataset) -> None:
    places = demo.ARCHETYPES["declining_industrial"]
    manufacturing = jobs(seeded, AM_PREFIXES).loc[places]
    assert (manufacturing[2024] < 0.75 * manufacturing[2015]).all()
    assert (manufacturing.diff(axis=1).iloc[:, 1:] <= 0).to_numpy().mean() > 0.8
    ctx = seeded.context.set_index("area_code")
    assert (ctx.loc[places, "level4_share"] < 0.32).all()
    assert (ctx.loc[places, "berd_per_job"] < 200).all()


def test_declining_places_full_manufacturing(full: Dataset) -> None:
    places = demo.ARCHETYPES["declining_industrial"]
    manufacturing = jobs(full, MANUFACTURING).loc[places]
    assert (manufacturing[2024] < 0.7 * manufacturing[2015]).all()
    share = manufacturing[2015] / totals(full).loc[places, 2015]
    national = jobs(full, MANUFACTURING).loc[GB_CODE, 2015] / totals(full).loc[GB_CODE, 2015]
    assert (share > national).all()


def test_little_am(seeded: Dataset) -> None:
    places = demo.ARCHETYPES["little_am"]
    share = jobs(seeded, AM_PREFIXES).reindex(places, fill_value=0) / totals(seeded).loc[places]
    assert (share < 0.01).all().all()


def test_niches_are_tiny_but_specialised(seeded: Dataset) -> None:
    for code, sic in demo.NICHE_CLASSES.items():
        assert totals(seeded).loc[code, 2015] < 30_000
        assert (lq(seeded, sic).loc[code] > 5).all()
        assert (jobs(seeded, sic).loc[code] < 1000).all()


@pytest.mark.parametrize(("archetype", "prefix"), [("aerospace_newcomer", "303"),
                                                   ("automotive_newcomer", "29")])  # fmt: skip
def test_sectors_spread_into_new_regions(seeded: Dataset, archetype: str, prefix: str) -> None:
    newcomers = demo.ARCHETYPES[archetype]
    sector = jobs(seeded, prefix).reindex(newcomers, fill_value=0)
    assert (sector[2015] < 100).all()
    assert (sector[2024] > 5 * sector[2015].clip(lower=5)).all()
    areas = seeded.areas.set_index("area_code")
    regions = demo.ABSENT_REGIONS[prefix]
    assert set(areas.loc[newcomers, "region_code"]) <= set(regions)
    lads = areas[areas["level"] == "lad"]
    region_of = lads["region_code"]
    region_jobs = jobs(seeded, prefix).reindex(lads.index, fill_value=0).groupby(region_of).sum()
    region_total = totals(seeded).loc[lads.index].groupby(region_of).sum()
    national = jobs(seeded, prefix).loc[GB_CODE] / totals(seeded).loc[GB_CODE]
    region_lq = (region_jobs / region_total).div(national, axis=1)
    for region in regions:
        assert region_lq.loc[region, 2015] < 0.1
        assert region_lq.loc[region, 2024] > 2 * region_lq.loc[region, 2015]


@pytest.mark.parametrize(("archetype", "prefix"), [("electronics_flourishing", "26"),
                                                   ("chemicals_flourishing", "20")])  # fmt: skip
def test_select_sectors_flourish_in_a_few_places(
    seeded: Dataset, archetype: str, prefix: str
) -> None:
    places = demo.ARCHETYPES[archetype]
    sector = jobs(seeded, prefix)
    assert (lq(seeded, prefix).loc[places, 2024] > 3).all()
    local_growth = sector.loc[places, 2024] / sector.loc[places, 2015]
    national_growth = sector.loc[GB_CODE, 2024] / sector.loc[GB_CODE, 2015]
    assert (local_growth > national_growth * 1.2).all()


# --- files -----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["demo.csv", "demo.csv.gz", "demo.parquet"])
def test_round_trip(small: Dataset, tmp_path: Path, name: str) -> None:
    path = demo.write_demo(small, tmp_path / name)
    back = demo.read_demo(path)
    assert_same_data(back, small)
    assert back.source.path == str(path)
    assert back.source.suppressed_cells == small.source.suppressed_cells


def few_areas(ds: Dataset, codes: tuple[str, ...] = ("E06000001", "E07000078", GB_CODE)) -> Dataset:
    """The same data for a handful of areas: a file small enough to corrupt many times."""
    assert ds.gva is not None and ds.context is not None
    return Dataset(
        employment=ds.employment[ds.employment["area_code"].isin(codes)].reset_index(drop=True),
        areas=ds.areas,
        source=ds.source,
        gva=ds.gva[ds.gva["area_code"].isin(codes)].reset_index(drop=True),
        context=ds.context[ds.context["area_code"].isin(codes)].reset_index(drop=True),
    )


@pytest.fixture(scope="module")
def small_csv(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[list[str]]]:
    ds = few_areas(demo.generate_demo("small"))
    path = demo.write_demo(ds, tmp_path_factory.mktemp("d") / "s.csv")
    with open(path, newline="", encoding="utf-8") as handle:
        return path, list(csv.reader(handle))


def _corrupt(
    source: tuple[Path, list[list[str]]], target: Path, edit: dict[tuple[int, str], str]
) -> Path:
    """Copy the CSV with some cells changed; keys are (1-based line, column name)."""
    _, rows = source
    header = rows[0]
    changed = [list(r) for r in rows]
    for (line, column), value in edit.items():
        changed[line - 1][header.index(column)] = value
    opener = gzip.open if target.name.endswith(".gz") else open
    with opener(target, "wt", newline="", encoding="utf-8") as handle:
        csv.writer(handle, lineterminator="\n").writerows(changed)
    return target


def _line_of(source: tuple[Path, list[list[str]]], table: str, nth: int = 0) -> int:
    _, rows = source
    hits = [i + 1 for i, r in enumerate(rows) if r and r[0] == table]
    return hits[nth]


@pytest.mark.parametrize(
    ("table", "column", "value", "message"),
    [
        ("employment", "employment", "12x", "not a number"),
        ("employment", "employment", "-5", "negative"),
        ("employment", "employment", "", "not marked suppressed"),
        ("employment", "suppressed", "maybe", "true/false"),
        ("employment", "sic", "99.x", "SIC"),
        ("employment", "year", "2015.5", "whole year"),
        ("employment", "area_code", "Z99999999", "Z99999999"),
        ("gva", "gva", "lots", "not a number"),
        ("gva", "area_code", "Z99999999", "not in the areas"),
        ("context", "level4_share", "1.7", "out of range"),
        ("areas", "level", "county", "level"),
        ("meta", "table", "tables", "unknown table"),
    ],
)
def test_bad_values_are_located(
    small_csv: tuple[Path, list[list[str]]],
    tmp_path: Path,
    table: str,
    column: str,
    value: str,
    message: str,
) -> None:
    line = _line_of(small_csv, table, nth=3)
    for suffix in (".csv", ".csv.gz"):
        bad = _corrupt(small_csv, tmp_path / f"bad{suffix}", {(line, column): value})
        with pytest.raises(DataError) as info:
            demo.read_demo(bad)
        err = info.value
        assert err.file == str(bad)
        assert err.row == line, str(err)
        assert err.column == column, str(err)
        assert message in str(err)


def test_duplicate_row_is_located(small_csv: tuple[Path, list[list[str]]], tmp_path: Path) -> None:
    first, second = _line_of(small_csv, "employment", 0), _line_of(small_csv, "employment", 1)
    rows = small_csv[1]
    header = rows[0]
    bad = _corrupt(small_csv, tmp_path / "dup.csv", {(second, "sic"): rows[first - 1][3]})
    assert header[3] == "sic"
    with pytest.raises(DataError) as info:
        demo.read_demo(bad)
    assert info.value.row == second
    assert "duplicate" in str(info.value)


def test_blank_line_and_ragged_line_are_located(
    small_csv: tuple[Path, list[list[str]]], tmp_path: Path
) -> None:
    path, rows = small_csv
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    blank = tmp_path / "blank.csv"
    blank.write_text("".join(lines[:9] + ["\n"] + lines[9:]), encoding="utf-8")
    with pytest.raises(DataError) as info:
        demo.read_demo(blank)
    assert info.value.row == 10
    ragged = tmp_path / "ragged.csv"
    ragged.write_text("".join(lines[:20] + [lines[20].rstrip("\n") + ",extra\n"] + lines[21:]),
                      encoding="utf-8")  # fmt: skip
    with pytest.raises(DataError) as info:
        demo.read_demo(ragged)
    assert info.value.row == 21


def test_parquet_rows_are_reported_as_csv_lines(small: Dataset, tmp_path: Path) -> None:
    frame = pd.read_parquet(demo.write_demo(small, tmp_path / "ok.parquet"))
    position = int(np.flatnonzero(frame["table"] == "employment")[5])
    frame.loc[position, "employment"] = -10
    bad = tmp_path / "bad.parquet"
    frame.to_parquet(bad)
    with pytest.raises(DataError) as info:
        demo.read_demo(bad)
    assert info.value.row == position + 2
    assert info.value.column == "employment"


def test_missing_file_and_missing_column(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="not found"):
        demo.read_demo(tmp_path / "nope.csv.gz")
    bad = tmp_path / "nocols.csv"
    bad.write_text("x,y\n1,2\n", encoding="utf-8")
    with pytest.raises(DataError) as info:
        demo.read_demo(bad)
    assert info.value.row == 1 and info.value.column == "table"


# --- full set on demand and the command line -------------------------------------------------


def test_ensure_full_demo_generates_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(demo.CACHE_ENV, str(tmp_path / "cache"))
    path = demo.ensure_full_demo()
    assert path.parent == tmp_path / "cache" and path.suffix == ".parquet"
    stamp = path.stat().st_mtime_ns
    assert demo.ensure_full_demo() == path
    assert path.stat().st_mtime_ns == stamp
    assert not [p for p in path.parent.iterdir() if p != path]  # no temporary files left
    ds = demo.read_demo(path)
    assert len(ds.employment) == 361 * 10 * 616
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / path.name).write_bytes(b"")  # present: returned as it is, not regenerated
    assert demo.ensure_full_demo(elsewhere) == elsewhere / path.name
    assert (elsewhere / path.name).stat().st_size == 0


def test_default_cache_dir(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(demo.CACHE_ENV, raising=False)
    assert demo.default_cache_dir() == Path.home() / ".cache" / "policymix"
    monkeypatch.setenv(demo.CACHE_ENV, os.path.join("some", "where"))
    assert demo.default_cache_dir() == Path("some/where")


def test_command_line_writes_a_readable_file(tmp_path: Path) -> None:
    out = tmp_path / "cli.parquet"
    assert demo.main(["--scale", "small", "--seed", "3", "--out", str(out)]) == 0
    ds = demo.read_demo(out)
    assert ds.source.name == "policymix synthetic demo (seed 3)"
    assert len(ds.employment) == 361 * 10 * 72


def test_spreadsheet_style_year_is_accepted(
    small_csv: tuple[Path, list[list[str]]], tmp_path: Path
) -> None:
    line = _line_of(small_csv, "employment", nth=2)
    year = small_csv[1][line - 1][2]
    ok = _corrupt(small_csv, tmp_path / "year.csv", {(line, "year"): f"{year}.0"})
    assert demo.read_demo(ok).years == YEARS
