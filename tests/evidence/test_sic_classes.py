"""The packaged SIC 2007 class list: complete, NACE Rev.2 (not ISIC Rev.4), covers Table 1."""

from __future__ import annotations

from importlib import resources
from io import StringIO

import pandas as pd
import pytest

from evidence.sectors import load_sectors, normalise_sic


@pytest.fixture(scope="module")
def classes() -> pd.DataFrame:
    text = resources.files("evidence").joinpath("data/sic2007_classes.csv").read_text("utf-8")
    return pd.read_csv(StringIO(text), dtype=str, keep_default_na=False)


NACE_DIVISIONS = (
    ["01", "02", "03"]
    + [f"{d:02d}" for d in range(5, 10)]
    + [str(d) for d in range(10, 34)]
    + ["35", "36", "37", "38", "39", "41", "42", "43", "45", "46", "47"]
    + ["49", "50", "51", "52", "53", "55", "56"]
    + [str(d) for d in range(58, 67) if d != 67]
    + ["68"]
    + [str(d) for d in range(69, 76)]
    + [str(d) for d in range(77, 83)]
    + ["84", "85", "86", "87", "88", "90", "91", "92", "93", "94", "95", "96", "97", "98", "99"]
)


def test_columns_and_count(classes: pd.DataFrame) -> None:
    assert list(classes.columns) == ["sic", "division", "title"]
    assert len(classes) == 615
    assert classes["sic"].is_unique
    assert classes["sic"].str.fullmatch(r"\d{4}").all()
    assert (classes["division"] == classes["sic"].str[:2]).all()
    assert (classes["title"].str.strip() != "").all()
    assert list(classes["sic"]) == sorted(classes["sic"])


def test_the_88_nace_divisions(classes: pd.DataFrame) -> None:
    assert len(NACE_DIVISIONS) == 88
    assert sorted(classes["division"].unique()) == NACE_DIVISIONS


def test_codes_are_their_own_normalised_keys(classes: pd.DataFrame) -> None:
    assert all(normalise_sic(code) == code for code in classes["sic"])


@pytest.mark.parametrize(
    ("prefix", "count"),
    [("29", 4), ("28", 21), ("27", 10), ("20", 16), ("21", 2), ("26", 10), ("303", 1),
     ("302", 1), ("304", 1), ("309", 3), ("325", 1), ("254", 1)],
)  # fmt: skip
def test_table1_prefixes_present(classes: pd.DataFrame, prefix: str, count: int) -> None:
    assert classes["sic"].str.startswith(prefix).sum() == count


def test_every_table1_prefix_has_classes(classes: pd.DataFrame) -> None:
    for sector in load_sectors():
        for prefix in sector.sic_prefixes:
            assert classes["sic"].str.startswith(prefix).any(), (sector.sector_id, prefix)


def test_nace_not_isic(classes: pd.DataFrame) -> None:
    """Classes that tell NACE Rev.2 / SIC 2007 apart from ISIC Rev.4 (2513, 2520 there)."""
    title = dict(zip(classes["sic"], classes["title"], strict=True))
    assert title["3030"] == "Manufacture of air and spacecraft and related machinery"
    assert title["3040"] == "Manufacture of military fighting vehicles"
    assert title["2540"] == "Manufacture of weapons and ammunition"
    assert title["2530"].startswith("Manufacture of steam generators")
    assert title["3250"] == "Manufacture of medical and dental instruments and supplies"
    assert title["2651"].startswith("Manufacture of instruments and appliances for measuring")
    assert title["2110"] == "Manufacture of basic pharmaceutical products"
    assert title["2120"] == "Manufacture of pharmaceutical preparations"
    for isic_only in ("2513", "2520", "4100"):
        assert isic_only not in title
