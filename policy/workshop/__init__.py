"""Workshop mode: participants score the options on their own devices; the room is aggregated.

:mod:`~policy.workshop.room` holds the models, the aggregation (medians, spread, disagreement)
and the hand-over into the appraisal; :mod:`~policy.workshop.store` keeps workshops,
participants and their scores in the session's SQLite file (through
:class:`policy.storage.Database`).
"""

from evidence.lazy import lazy_exports

# Each name is imported from its room when first read (evidence.lazy): importing the
# package, or one room through it, does not load the others (issue 14).
__getattr__, __dir__, __all__ = lazy_exports(__name__, {
    "address": (
        "client_key", "join_address",
    ),
    "room": (
        "CODE_ALPHABET", "CODE_LENGTH", "DEFAULT_TOP_DISAGREEMENTS", "JOINS_PER_MINUTE",
        "MAX_PARTICIPANTS", "NAME_MAX", "WORKSHOP_HOURS", "WORKSHOP_RATIONALE_PREFIX",
        "CellStats", "Participant", "ParticipantScore", "Proposal", "RankingRow",
        "ScoreInput", "Workshop", "WorkshopClosed", "WorkshopCriterion",
        "WorkshopError", "WorkshopOption", "WorkshopSummary", "aggregate",
        "apply_to_appraisal", "clean_display_name", "new_join_code", "normalise_code",
        "now_utc", "proposal_to_finding", "workshop_report",
    ),
    "store": (
        "SCHEMA", "NotAParticipant", "UnknownWorkshop", "WorkshopStore",
    ),
})
