"""The one vocabulary (evidence/data/labels.yaml, read by evidence.labels and policy.labels)
has words for every closed list of codes."""

from __future__ import annotations

from typing import get_args

from evidence.dataset import AREA_LEVELS
from evidence.labels import growth_words, indicator_label, label, labels, local_time
from evidence.models import FINDING_TOPICS, FindingKind
from evidence.sectors import load_sectors
from policy.catalogue.vocabulary import Family


def test_every_topic_kind_level_quadrant_and_family_has_words() -> None:
    vocab = labels()
    assert set(FINDING_TOPICS) <= set(vocab["finding_topic"])
    assert set(get_args(FindingKind)) <= set(vocab["finding_kind"])
    assert set(AREA_LEVELS) <= set(vocab["area_level"])
    assert {s.quadrant for s in load_sectors()} <= set(vocab["quadrant"])
    assert set(get_args(Family)) <= set(vocab["family"])
    for group in ("finding_topic", "quadrant", "area_level", "family"):
        assert all("_" not in str(v) for v in vocab[group].values()), group


def test_indicator_paths_read_as_words() -> None:
    assert indicator_label("sector.aerospace.lq") == "Aerospace: location quotient"
    assert indicator_label("context.berd_per_job") == "business R&D per job"
    assert "science-based sector's location quotient" in indicator_label("sectors.science.any.lq")
    assert label("area_level", "lad") == "local authority district"


def test_growth_is_said_without_a_minus_sign() -> None:
    assert growth_words(-0.012) == "fell 1.2% a year"
    assert growth_words(0.02) == "grew 2.0% a year"
    assert growth_words(0.0) == "held steady"


def test_local_time_is_as_people_write_it() -> None:
    text = local_time("2026-12-01T09:12:00+00:00")
    assert "Dec 2026, " in text and "+00:00" not in text and "UTC" not in text
