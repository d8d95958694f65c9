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
