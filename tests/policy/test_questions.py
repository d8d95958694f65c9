"""The rationale evidence table (policy/data/rationale_evidence.yaml) and what bears on what."""

from __future__ import annotations

from evidence.labels import labels
from evidence.models import Finding
from policy.questions import bears_on, rationale_topics
from rules.vocabulary import RATIONALE_LABELS


def test_rationale_evidence_file_covers_every_rationale_with_known_topics():
    table = rationale_topics()
    assert set(table) == set(RATIONALE_LABELS)
    known_topics = set(labels()["finding_topic"])
    known_kinds = set(labels()["finding_kind"])
    for rationale, topics in table.items():
        assert set(topics) <= known_topics, rationale
        assert all(set(k) <= known_kinds for k in topics.values()), rationale
    assert table["infrastructure_failure"] == {}  # no finding measures sites or premises


def test_bears_on_reads_topic_and_kind():
    def f(topic: str, kind: str) -> Finding:
        return Finding(id=f"T1:{topic}", kind=kind, topic=topic, text="x", confidence=0.8)

    assert bears_on(f("innovation", "bottleneck"), "information_asymmetry")
    assert not bears_on(f("innovation", "strength"), "information_asymmetry")  # R&D is high
    assert not bears_on(f("specialisation", "strength"), "network_failure")
    assert bears_on(f("supply_chain_gap", "bottleneck"), "network_failure")
    assert not bears_on(f("sector_growth", "strength"), "infrastructure_failure")


def test_the_draft_rationale_skips_a_specialism_whose_lq_is_missing() -> None:
    """A saved session may hold a specialisation finding on a sector whose LQ is now missing
    (suppressed): the draft names the others with their LQ and does not fail on it."""
    from evidence.service import Evidence  # noqa: PLC0415 - the demo, for this test only
    from policy.questions import rationale_sentence  # noqa: PLC0415

    ev = Evidence.from_path(None)
    profile = ev.profile("E08000017")  # Ashminster: specialised in automotive and aerospace
    # two specialisms only, so the one without an LQ is among the two the draft names
    live = [f for f in profile.findings if f.topic != "specialisation"
            or f.sector in ("automotive", "aerospace")]
    before = rationale_sentence(profile, live, None)
    assert "automotive (LQ 12.18)" in before
    sectors = [r.model_copy(update={"lq": None}) if r.sector == "automotive" else r
               for r in profile.sectors]
    gappy = profile.model_copy(update={"sectors": sectors})
    text = rationale_sentence(gappy, live, None)
    assert "automotive (LQ" not in text and "aerospace (LQ 5.71)" in text


def test_a_niche_sector_is_named_by_its_label_even_without_a_profile_row() -> None:
    from policy.mix import _sector_label  # noqa: PLC0415 - the one place labels are chosen

    assert _sector_label({}, "weapons") == "Weapons and ammunition"  # not "weapons"
