"""Workshop mode: participants score the options on their own devices; the room is aggregated.

:mod:`~policy.workshop.room` holds the models, the aggregation (medians, spread, disagreement)
and the hand-over into the appraisal; :mod:`~policy.workshop.store` keeps workshops,
participants and their scores in the session's SQLite file (through
:class:`policy.storage.Database`).
"""

from policy.workshop.room import (
    CODE_ALPHABET,
    CODE_LENGTH,
    DEFAULT_TOP_DISAGREEMENTS,
    NAME_MAX,
    WORKSHOP_RATIONALE_PREFIX,
    CellStats,
    Participant,
    ParticipantScore,
    Proposal,
    RankingRow,
    ScoreInput,
    Workshop,
    WorkshopClosed,
    WorkshopCriterion,
    WorkshopError,
    WorkshopOption,
    WorkshopSummary,
    aggregate,
    apply_to_appraisal,
    clean_display_name,
    new_join_code,
    normalise_code,
    now_utc,
    proposal_to_finding,
    workshop_report,
)
from policy.workshop.store import (
    SCHEMA,
    NotAParticipant,
    UnknownWorkshop,
    WorkshopStore,
)

__all__ = [
    "CODE_ALPHABET",
    "CODE_LENGTH",
    "CellStats",
    "DEFAULT_TOP_DISAGREEMENTS",
    "NAME_MAX",
    "NotAParticipant",
    "Participant",
    "ParticipantScore",
    "Proposal",
    "RankingRow",
    "SCHEMA",
    "ScoreInput",
    "UnknownWorkshop",
    "WORKSHOP_RATIONALE_PREFIX",
    "Workshop",
    "WorkshopClosed",
    "WorkshopCriterion",
    "WorkshopError",
    "WorkshopOption",
    "WorkshopStore",
    "WorkshopSummary",
    "aggregate",
    "apply_to_appraisal",
    "clean_display_name",
    "new_join_code",
    "normalise_code",
    "now_utc",
    "proposal_to_finding",
    "workshop_report",
]
