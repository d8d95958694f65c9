"""Who leads and partners each intervention, and evidence ratings tied to one scale (the
Maryland Scientific Methods Scale as the What Works Centre uses it) - issue 10 s.2 and s.5."""

from __future__ import annotations

import pytest

from policy.catalogue import (
    ACTOR_LABELS,
    ACTORS,
    EVIDENCE_STRENGTHS,
    Evidence,
    evidence_scale,
    load_catalogue,
)
from tests.policy.catalogue.test_catalogue import _tampered


def test_every_intervention_says_who_leads_and_partners() -> None:
    for iv in load_catalogue().values():
        assert iv.delivery is not None, iv.id
        assert iv.delivery.lead and iv.delivery.partners, iv.id
        assert set(iv.delivery.lead) | set(iv.delivery.partners) <= set(ACTORS)
    assert set(ACTOR_LABELS) == set(ACTORS)


def test_the_scale_has_five_levels_and_a_band_for_each_strength() -> None:
    scale = evidence_scale()
    assert sorted(scale.levels) == [1, 2, 3, 4, 5]
    assert set(scale.strengths) == set(EVIDENCE_STRENGTHS)
    assert "What Works" in scale.scale and "Maryland" in scale.scale


def test_every_rating_names_its_sms_level_and_studies_and_fits_its_band() -> None:
    bands = evidence_scale().strengths
    for iv in load_catalogue().values():
        ev = iv.evidence
        assert ev.rests_on, iv.id
        assert ev.sms_level == max(s.sms for s in ev.rests_on), iv.id
        assert bands[ev.strength].min_sms <= ev.sms_level <= bands[ev.strength].max_sms, iv.id


def test_the_citations_the_issue_names() -> None:
    cat = load_catalogue()
    vouchers = " ".join(s.study for s in cat["innovation_vouchers_crd"].evidence.rests_on)
    assert "Cornet, Vroomen and van der Steeg (2006)" in vouchers
    text = " ".join(str(iv.evidence.model_dump()) for iv in cat.values())
    assert "Creative Credits" not in text and "Wilson Review" not in text
    assert "Frenken" not in text


@pytest.mark.parametrize(("strength", "levels", "sms_level", "message"), [
    ("strong", [2], 2, "needs SMS 3-5"),  # strong on beneficiary surveys alone
    ("emerging", [5], 5, "needs SMS 1-2"),  # an RCT is not 'emerging'
    ("moderate", [3, 4], 3, "not the highest level"),
])
def test_a_rating_off_the_scale_is_refused(strength, levels, sms_level, message) -> None:
    with pytest.raises(ValueError, match=message):
        Evidence(strength=strength, sms_level=sms_level, note="n", sources=("s",),
                 rests_on=tuple({"study": f"Study {i}", "sms": lv} for i, lv in enumerate(levels)))


def test_a_catalogue_file_without_delivery_or_sms_is_refused(tmp_path) -> None:
    err = _tampered(tmp_path, lambda raw: raw.pop("delivery"))
    assert err.field == "delivery"
    err = _tampered(tmp_path, lambda raw: (raw["evidence"].pop("sms_level"),
                                           raw["evidence"].pop("rests_on")))
    assert err.field == "evidence.sms_level"


def test_lead_and_partner_vocabulary_is_closed(tmp_path) -> None:
    err = _tampered(tmp_path, lambda raw: raw["delivery"].update(lead=["the mayor"]))
    assert err.field.startswith("delivery.lead")
    err = _tampered(tmp_path, lambda raw: raw["delivery"].update(partners=["university"]))
    assert "both lead and partner" in str(err)
