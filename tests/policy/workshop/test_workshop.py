"""Workshop mode: aggregation checked by hand, join codes, the SQLite store and its access rules.

Quartiles are numpy's linear interpolation (type 7): for sorted x_0..x_{n-1} the p-quantile is at
position (n - 1) p, interpolated between neighbours. The hand figures below use that rule.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from policy.appraisal import AppraisalState, Criterion, Option, Score
from policy.session import StrategySession
from policy.storage import SessionStore
from policy.workshop import (
    CODE_ALPHABET,
    CODE_LENGTH,
    NotAParticipant,
    Participant,
    ParticipantScore,
    Proposal,
    ScoreInput,
    UnknownWorkshop,
    Workshop,
    WorkshopClosed,
    WorkshopCriterion,
    WorkshopError,
    WorkshopOption,
    WorkshopStore,
    aggregate,
    apply_to_appraisal,
    new_join_code,
    normalise_code,
    proposal_to_finding,
    workshop_report,
)

T0 = datetime(2026, 3, 12, 10, 0, tzinfo=UTC)


def hand_state() -> AppraisalState:
    """BAU and option A on two criteria; swing weights 100 and 50 (normalised 2/3 and 1/3)."""
    return AppraisalState(
        options=[Option(id="bau", name="Business as usual", is_baseline=True),
                 Option(id="a", name="Option A")],
        criteria=[Criterion(id="c1", label="Fit", description="fits the evidence"),
                  Criterion(id="c2", label="Risk", description="higher = safer")],
        swing_weights={"c1": 100.0, "c2": 50.0},
        scores=[Score(option_id="bau", criterion_id="c1", value=50, rationale="neutral"),
                Score(option_id="bau", criterion_id="c2", value=50, rationale="neutral"),
                Score(option_id="a", criterion_id="c1", value=80, rationale="derived fit"),
                Score(option_id="a", criterion_id="c2", value=70, rationale="derived risk")],
    )


def hand_workshop() -> Workshop:
    return Workshop(
        code="ABC234", session_id="s1", created_at=T0,
        options=[WorkshopOption(id="bau", name="Business as usual", is_baseline=True),
                 WorkshopOption(id="a", name="Option A")],
        criteria=[WorkshopCriterion(id="c1", label="Fit"),
                  WorkshopCriterion(id="c2", label="Risk")],
    )


def ps(pid: str, oid: str, cid: str, value: float, note: str = "") -> ParticipantScore:
    return ParticipantScore(participant_id=pid, option_id=oid, criterion_id=cid, value=value,
                            note=note)


HAND_SCORES = [
    # p1 and p2 score every cell, p3 three cells, p4 two; p5 joined but has not scored
    ps("p1", "a", "c1", 10), ps("p1", "a", "c2", 50), ps("p1", "bau", "c1", 0),
    ps("p1", "bau", "c2", 40),
    ps("p2", "a", "c1", 20), ps("p2", "a", "c2", 50), ps("p2", "bau", "c1", 100),
    ps("p2", "bau", "c2", 60, note="BAU is safe enough"),
    ps("p3", "a", "c1", 30), ps("p3", "a", "c2", 50), ps("p3", "bau", "c2", 60),
    ps("p4", "a", "c1", 80, note="the cluster is strong"), ps("p4", "a", "c2", 50),
]
PARTICIPANTS = [Participant(id=f"p{i}", display_name=f"Person {i}", joined_at=T0)
                for i in range(1, 6)]


# --------------------------------------------------------------------------------------------
# Aggregation by hand


def test_aggregate_counts_participants_completely_and_partly() -> None:
    s = aggregate(hand_workshop(), HAND_SCORES, hand_state(), participants=PARTICIPANTS)
    assert (s.n_participants, s.n_complete, s.n_partial, s.n_scored) == (5, 2, 2, 4)


def test_aggregate_medians_quartiles_by_hand() -> None:
    s = aggregate(hand_workshop(), HAND_SCORES, hand_state())
    a1 = s.cell("a", "c1")  # 10 20 30 80: q1 at 0.75 -> 17.5, median 25, q3 at 2.25 -> 42.5
    assert (a1.n, a1.median, a1.q1, a1.q3, a1.iqr, a1.min, a1.max) == (
        4, 25.0, 17.5, 42.5, 25.0, 10.0, 80.0)
    assert a1.facilitator == 80.0 and a1.notes == ["the cluster is strong"]
    b1 = s.cell("bau", "c1")  # 0 100: q1 25, median 50, q3 75
    assert (b1.n, b1.median, b1.q1, b1.q3, b1.iqr) == (2, 50.0, 25.0, 75.0, 50.0)
    b2 = s.cell("bau", "c2")  # 40 60 60: q1 at 0.5 -> 50, median 60, q3 at 1.5 -> 60
    assert (b2.median, b2.q1, b2.q3, b2.iqr, b2.spread) == (60.0, 50.0, 60.0, 10.0, 20.0)
    a2 = s.cell("a", "c2")
    assert (a2.median, a2.iqr, a2.spread) == (50.0, 0.0, 0.0)


def test_disagreements_largest_iqr_first_unanimous_left_out() -> None:
    s = aggregate(hand_workshop(), HAND_SCORES, hand_state())
    assert [(c.option_id, c.criterion_id) for c in s.disagreements] == [
        ("bau", "c1"), ("a", "c1"), ("bau", "c2")]  # IQR 50, 25, 10; (a, c2) is unanimous
    assert [c.option_id for c in aggregate(hand_workshop(), HAND_SCORES, top_n=1).disagreements
            ] == ["bau"]


def test_disagreement_order_iqr_then_range_then_display_order() -> None:
    iqr_beats_range = [
        ps("p1", "bau", "c1", 40), ps("p2", "bau", "c1", 60),  # q1 45, q3 55: IQR 10, range 20
        ps("p1", "a", "c2", 0), ps("p2", "a", "c2", 50), ps("p3", "a", "c2", 50),
        ps("p4", "a", "c2", 50), ps("p5", "a", "c2", 60),  # q1 = q3 = 50: IQR 0, range 60
    ]
    order = [(c.option_id, c.criterion_id)
             for c in aggregate(hand_workshop(), iqr_beats_range).disagreements]
    assert order == [("bau", "c1"), ("a", "c2")]
    ties = [
        ps("p1", "bau", "c1", 40), ps("p2", "bau", "c1", 60),  # IQR 10, range 20
        ps("p1", "a", "c1", 30), ps("p2", "a", "c1", 50),  # IQR 10, range 20
        ps("p1", "a", "c2", 20), ps("p2", "a", "c2", 30), ps("p3", "a", "c2", 30),
        ps("p4", "a", "c2", 40), ps("p5", "a", "c2", 100),  # q1 30, q3 40: IQR 10, range 80
    ]
    order = [(c.option_id, c.criterion_id) for c in aggregate(hand_workshop(), ties).disagreements]
    assert order == [("a", "c2"), ("bau", "c1"), ("a", "c1")]  # wider range; then display order


def test_ranking_plugs_medians_into_the_mcda_and_compares_with_the_facilitator() -> None:
    s = aggregate(hand_workshop(), HAND_SCORES, hand_state())
    rows = {r.option_id: r for r in s.ranking}
    # Workshop medians: A = 25 x 2/3 + 50 x 1/3 = 33.33; BAU = 50 x 2/3 + 60 x 1/3 = 53.33
    assert rows["bau"].workshop_total == pytest.approx(160 / 3)
    assert rows["a"].workshop_total == pytest.approx(100 / 3)
    # Facilitator: A = 80 x 2/3 + 70 x 1/3 = 76.67; BAU = 50
    assert rows["a"].facilitator_total == pytest.approx(230 / 3)
    assert rows["bau"].facilitator_total == pytest.approx(50.0)
    assert [r.option_id for r in s.ranking] == ["bau", "a"]
    assert (rows["bau"].workshop_rank, rows["bau"].facilitator_rank) == (1, 2)
    assert (rows["a"].workshop_rank, rows["a"].facilitator_rank) == (2, 1)
    assert s.filled_from_facilitator == [] and s.ranking_problems == []


def test_ranking_keeps_the_facilitators_score_where_nobody_scored() -> None:
    state = hand_state()
    state.options.append(Option(id="b", name="Option B"))  # added after the workshop started
    state.set_score("b", "c1", 95, "")
    state.set_score("b", "c2", 95, "")
    s = aggregate(hand_workshop(), [ps("p1", "a", "c1", 100)], state)
    assert set(s.filled_from_facilitator) == {("bau", "c1"), ("bau", "c2"), ("a", "c2"),
                                              ("b", "c1"), ("b", "c2")}
    assert s.ranking[0].option_id == "b"
    a = next(r for r in s.ranking if r.option_id == "a")
    assert a.workshop_total == pytest.approx(100 * 2 / 3 + 70 / 3)


def test_ranking_leaves_out_a_criterion_with_a_gap_and_says_so() -> None:
    """Nobody scored option a on Risk (c2): as in the appraisal (issue 12), the criterion is
    left out of the workshop ranking and named, never read as 0 or 50; Fit (c1) still ranks."""
    state = hand_state()
    state.scores = [x for x in state.scores if x.option_id != "a"]
    s = aggregate(hand_workshop(), [ps("p1", "a", "c1", 50)], state)
    assert any("'Risk' is left out of the workshop ranking" in p for p in s.ranking_problems)
    assert {r.option_id for r in s.ranking} == set(state.kept_option_ids())
    assert not any("Fit" in p for p in s.ranking_problems)


def test_scores_outside_the_snapshot_are_ignored() -> None:
    s = aggregate(hand_workshop(), [ps("p1", "zzz", "c1", 10), ps("p1", "a", "c1", 10)])
    assert s.cell("a", "c1").n == 1 and s.n_partial == 1


# --------------------------------------------------------------------------------------------
# Hand-over to the appraisal and the report


def test_apply_to_appraisal_writes_medians_with_a_traceable_rationale() -> None:
    state = hand_state()
    summary = aggregate(hand_workshop(), HAND_SCORES, state, participants=PARTICIPANTS)
    changes = apply_to_appraisal(state, summary)
    assert len(changes) == 4
    score = state.score("a", "c1")
    assert score.value == 25.0
    assert score.rationale == ("workshop median of 4 participants (IQR 25, range 10-80); "
                               "facilitator's score was 80 (derived fit)")
    assert state.score("bau", "c1").rationale.startswith("workshop median of 2 participants "
                                                         "(IQR 50, range 0-100)")
    assert not state.problems()
    # Applying again keeps the facilitator's score, not the first median.
    apply_to_appraisal(state, aggregate(hand_workshop(), HAND_SCORES, state))
    assert state.score("a", "c1").rationale.endswith("facilitator's score was 80 (derived fit)")


def test_apply_to_appraisal_skips_unscored_cells_and_unknown_options() -> None:
    state = hand_state()
    state.remove_option("a")
    changes = apply_to_appraisal(state, aggregate(hand_workshop(), [ps("p1", "a", "c1", 5),
                                                                    ps("p1", "bau", "c1", 70)]))
    assert [(c["option_id"], c["before"], c["after"]) for c in changes] == [("bau", 50.0, 70.0)]
    assert state.score("bau", "c2").value == 50.0
    assert state.score("bau", "c1").rationale.startswith("workshop median of 1 participant ")


def test_workshop_report_is_json_with_names_scores_and_contributions() -> None:
    w = hand_workshop()
    proposals = [Proposal(participant_id="p2", kind="bottleneck", topic="skills",
                          text="Tier-2 suppliers cannot hire CNC machinists.",
                          note="from the chamber survey", created_at=T0)]
    summary = aggregate(w, HAND_SCORES, hand_state(), participants=PARTICIPANTS)
    report = workshop_report(w, PARTICIPANTS, HAND_SCORES, proposals, summary, applied=True)
    json.dumps(report)  # JSON-able as it is
    assert [p["name"] for p in report["participants"]] == [f"Person {i}" for i in range(1, 6)]
    assert [p["scored"] for p in report["participants"]] == [
        "completely", "completely", "partly (3 of 4)", "partly (2 of 4)", "not yet"]
    row = next(r for r in report["aggregated_scores"]
               if r["option"] == "Option A" and r["criterion"] == "Fit")
    assert (row["median"], row["iqr"], row["n"], row["facilitator_score"]) == (25.0, 25.0, 4, 80)
    assert report["disagreements"][0]["option"] == "Business as usual"
    assert report["ranking"][0]["option"] == "Business as usual"
    assert report["contributions"] == [{
        "participant": "Person 2", "kind": "bottleneck", "topic": "skills", "sector": "",
        "text": "Tier-2 suppliers cannot hire CNC machinists.", "note": "from the chamber survey",
        "submitted": "2026-03-12T10:00:00+00:00"}]
    assert report["summary"]["applied_to_appraisal"] is True
    assert report["summary"]["scored_completely"] == 2


def test_proposal_becomes_an_undecided_local_knowledge_finding() -> None:
    p = Proposal(participant_id="p1", kind="opportunity", topic="innovation", sector="aerospace",
                 text="A new composites centre opens in 2027.", created_at=T0)
    f = proposal_to_finding(p, "Ann")
    assert (f.kind, f.topic, f.sector, f.status, f.origin) == (
        "opportunity", "innovation", "aerospace", "proposed", "local_knowledge")
    assert f.id == proposal_to_finding(p, "Ann").id and "Ann" in f.note


def test_proposal_topic_must_be_a_known_finding_topic() -> None:
    with pytest.raises(ValueError, match="unknown topic"):
        Proposal(participant_id="p1", kind="risk", topic="vibes", text="x", created_at=T0)


# --------------------------------------------------------------------------------------------
# Join codes


def test_join_code_length_and_alphabet() -> None:
    assert not set("0O1IL") & set(CODE_ALPHABET)
    codes = {new_join_code() for _ in range(500)}
    assert len(codes) > 490  # random, not a counter
    for code in codes:
        assert len(code) == CODE_LENGTH == 6 and set(code) <= set(CODE_ALPHABET)
    assert normalise_code(" abc-234 ") == "ABC234"


# --------------------------------------------------------------------------------------------
# The store


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "policymix.sqlite3"


@pytest.fixture
def session() -> StrategySession:
    return StrategySession(session_id="s1", area_code="E06000001", area_name="x",
                           appraisal=hand_state())


def full_sheet(value: float) -> list[ScoreInput]:
    return [ScoreInput(option_id=o, criterion_id=c, value=value)
            for o in ("bau", "a") for c in ("c1", "c2")]


def test_start_workshop_snapshots_the_short_list(db: Path, session: StrategySession) -> None:
    w = WorkshopStore(db).start_workshop(session)
    assert len(w.code) == 6 and w.status == "open" and w.session_id == "s1"
    assert [(o.id, o.name) for o in w.options] == [("bau", "Business as usual"),
                                                   ("a", "Option A")]
    assert [(c.id, c.label, c.description) for c in w.criteria] == [
        ("c1", "Fit", "fits the evidence"), ("c2", "Risk", "higher = safer")]


def test_start_workshop_refuses_sessions_not_ready(db: Path, session: StrategySession) -> None:
    store = WorkshopStore(db)
    with pytest.raises(WorkshopError, match="choose an area"):
        store.start_workshop(session.model_copy(update={"area_code": None}))
    with pytest.raises(WorkshopError, match="save the session"):
        store.start_workshop(session.model_copy(update={"session_id": ""}))
    only_bau = hand_state()
    only_bau.remove_option("a")
    with pytest.raises(WorkshopError, match="no option besides business as usual"):
        store.start_workshop(session.model_copy(update={"appraisal": only_bau}))
    dropped = hand_state()
    dropped.dropped = {"a": "fails affordability"}
    with pytest.raises(WorkshopError, match="no option besides business as usual"):
        store.start_workshop(session.model_copy(update={"appraisal": dropped}))
    assert store.workshops_for_session("s1") == []


def test_join_checks_names_and_codes(db: Path, session: StrategySession) -> None:
    store = WorkshopStore(db)
    w = store.start_workshop(session)
    p, token = store.join(w.code.lower(), "   Ann   Smith  ")
    assert p.display_name == "Ann Smith" and len(token) >= 24
    assert store.participant_by_token(w.code, token) == p
    assert "token" not in p.model_dump()
    for bad in ("", "   ", "x" * 41):
        with pytest.raises(WorkshopError, match="display name"):
            store.join(w.code, bad)
    assert store.join(w.code, "y" * 40)[0].display_name == "y" * 40
    with pytest.raises(WorkshopError, match="already taken"):
        store.join(w.code, "ann smith")
    with pytest.raises(UnknownWorkshop, match="no workshop with join code"):
        store.join("ZZZZZZ", "Bob")


def test_scores_only_through_ones_own_token(db: Path, session: StrategySession) -> None:
    store = WorkshopStore(db)
    w = store.start_workshop(session)
    ann, ann_token = store.join(w.code, "Ann")
    bob, bob_token = store.join(w.code, "Bob")
    assert store.save_scores(w.code, ann_token, full_sheet(30)) == 4
    assert store.save_scores(w.code, bob_token, full_sheet(70)[:2]) == 2
    with pytest.raises(NotAParticipant):
        store.save_scores(w.code, "not-a-token", full_sheet(0))
    with pytest.raises(NotAParticipant):
        store.save_scores(w.code, "", full_sheet(0))
    # Bob's token cannot write a score that names Ann, as a model or as a plain mapping.
    with pytest.raises(NotAParticipant, match="only save their own"):
        store.save_scores(w.code, bob_token, [ps(ann.id, "a", "c1", 0)])
    with pytest.raises(NotAParticipant):
        store.save_scores(w.code, bob_token, [{"participant_id": ann.id, "option_id": "a",
                                               "criterion_id": "c1", "value": 0}])
    # A token of another workshop is no good here.
    other = store.start_workshop(session)
    _, stranger = store.join(other.code, "Ann")
    with pytest.raises(NotAParticipant):
        store.save_scores(w.code, stranger, full_sheet(0))
    assert {s.value for s in store.own_scores(w.code, ann_token)} == {30.0}
    by = {(s.participant_id, s.option_id, s.criterion_id): s.value for s in store.scores(w.code)}
    assert len(by) == 6 and by[(ann.id, "a", "c1")] == 30.0 and by[(bob.id, "bau", "c1")] == 70.0


def test_save_scores_upserts_and_is_all_or_nothing(db: Path, session: StrategySession) -> None:
    store = WorkshopStore(db)
    w = store.start_workshop(session)
    _, token = store.join(w.code, "Ann")
    store.save_scores(w.code, token, full_sheet(30))
    store.save_scores(w.code, token, [ScoreInput(option_id="a", criterion_id="c1", value=90,
                                                 note="changed my mind")])
    scores = store.scores(w.code)
    assert len(scores) == 4
    changed = next(s for s in scores if (s.option_id, s.criterion_id) == ("a", "c1"))
    assert (changed.value, changed.note) == (90.0, "changed my mind")
    with pytest.raises(WorkshopError, match="not being scored"):
        store.save_scores(w.code, token, [*full_sheet(10), ScoreInput(
            option_id="zzz", criterion_id="c1", value=10)])
    with pytest.raises(ValueError, match="between 0 and 100"):
        store.save_scores(w.code, token, [{"option_id": "a", "criterion_id": "c1", "value": 101}])
    assert {s.value for s in store.scores(w.code)} == {30.0, 90.0}  # nothing half-written


def test_closed_workshop_refuses_scores_proposals_and_joins(db: Path,
                                                            session: StrategySession) -> None:
    store = WorkshopStore(db)
    w = store.start_workshop(session)
    _, token = store.join(w.code, "Ann")
    store.save_scores(w.code, token, full_sheet(40))
    closed = store.close(w.code)
    assert closed.status == "closed" and closed.closed_at is not None
    with pytest.raises(WorkshopClosed, match="closed"):
        store.save_scores(w.code, token, full_sheet(99))
    with pytest.raises(WorkshopClosed):
        store.propose(w.code, token, kind="risk", topic="skills", text="late")
    with pytest.raises(WorkshopClosed):
        store.join(w.code, "Latecomer")
    assert {s.value for s in store.scores(w.code)} == {40.0}
    assert store.reopen(w.code).status == "open"
    assert store.save_scores(w.code, token, full_sheet(41)) == 4


def test_proposals_are_stored_and_validated(db: Path, session: StrategySession) -> None:
    store = WorkshopStore(db)
    w = store.start_workshop(session)
    ann, token = store.join(w.code, "Ann")
    p = store.propose(w.code, token, kind="bottleneck", topic="skills", sector="aerospace",
                      text="  No CNC apprentices  ", note="college waiting list")
    assert (p.participant_id, p.text, p.sector) == (ann.id, "No CNC apprentices", "aerospace")
    with pytest.raises(WorkshopError, match="incomplete"):
        store.propose(w.code, token, kind="bottleneck", topic="skills", text="   ")
    with pytest.raises(WorkshopError, match="incomplete"):
        store.propose(w.code, token, kind="gossip", topic="skills", text="x")
    with pytest.raises(NotAParticipant):
        store.propose(w.code, "forged", kind="risk", topic="skills", text="x")
    assert store.proposals(w.code) == [p] == store.own_proposals(w.code, token)


def test_everything_survives_a_new_store_on_the_same_file(db: Path,
                                                          session: StrategySession) -> None:
    first = WorkshopStore(db)
    w = first.start_workshop(session)
    ann, token = first.join(w.code, "Ann")
    first.save_scores(w.code, token, full_sheet(55))
    first.propose(w.code, token, kind="strength", topic="am_base", text="Strong supply chain")
    first.close(w.code)
    del first
    again = WorkshopStore(db)  # a server restart: nothing shared but the file
    got = again.get_workshop(w.code)
    assert got is not None and got.status == "closed"
    assert got.options == w.options and got.criteria == w.criteria
    assert again.participants(w.code) == [ann]
    assert again.participant_by_token(w.code, token) == ann
    assert len(again.scores(w.code)) == 4 and len(again.proposals(w.code)) == 1
    assert [x.code for x in again.workshops_for_session("s1")] == [w.code]


def test_shares_the_session_database_in_wal_mode_and_keeps_no_token(
        db: Path, session: StrategySession, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POLICYMIX_DB", str(db))
    sessions = SessionStore()
    store = WorkshopStore()
    assert store.path == sessions.path == db
    sessions.save(session)
    w = store.start_workshop(session)
    _, token = store.join(w.code, "Ann")
    assert sessions.load("s1").area_code == session.area_code
    con = sqlite3.connect(db)
    try:
        assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        assert {"sessions", "workshops", "workshop_participants", "workshop_scores",
                "workshop_proposals"} <= tables
        dump = "\n".join(con.iterdump())
    finally:
        con.close()
    assert token not in dump  # only its hash is stored
