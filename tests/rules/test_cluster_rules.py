"""The cluster-network rules are selective on the real BRES NUTS2 sample (issue 10 s.2).

Before: a cluster network was recommended in all 39 regions, because "nurture an emerging
sector" fired on any growth in an under-represented sector (even where advanced manufacturing
is 0.2% of jobs, as in inner London) and "organise an existing cluster" on the weakest
specialisation (LQ 1.25).
"""

from __future__ import annotations

import pytest

from evidence.service import Evidence
from evidence.sources.samples import load_sample_nuts2
from policy.calibration import recommend_all


@pytest.fixture(scope="module")
def nuts2() -> tuple[Evidence, dict[str, list[dict]]]:
    ev = Evidence.from_dataset(load_sample_nuts2())
    return ev, {a.area_code: a.recommended for a in recommend_all(ev)}


def _rules_for(recommended: list[dict], intervention: str) -> set[str]:
    return {t["rule"] for r in recommended if r["intervention"] == intervention
            for t in r["trace"]}


def test_emerging_sector_network_not_for_a_thin_base(nuts2) -> None:
    ev, recs = nuts2
    thin = [c for c in recs if any(f.topic == "am_base" and f.kind == "bottleneck"
                                   for f in ev.profile(c).findings)]
    assert thin  # inner London and others
    for code in thin:
        assert "emerging-sector-network" not in _rules_for(recs[code], "cluster_network"), code


def test_cluster_organisation_needs_a_pronounced_specialism(nuts2) -> None:
    ev, recs = nuts2
    fired = [c for c in recs if "cluster-organisation" in _rules_for(recs[c], "cluster_network")]
    assert fired
    for code in fired:
        lqs = [r.lq for r in ev.profile(code).sectors if r.lq is not None]
        assert max(lqs) >= 2.0, code
    assert len(fired) < len(recs)


def test_cluster_network_not_recommended_everywhere(nuts2) -> None:
    _, recs = nuts2
    share = sum(any(r["intervention"] == "cluster_network" for r in v)
                for v in recs.values()) / len(recs)
    assert share <= 0.80
