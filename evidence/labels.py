"""The one vocabulary of words a person reads: ``evidence/data/labels.yaml``, and sector labels.

``label(group, code)`` gives the plain-English word for a code (a finding topic, a quadrant, an
area level, an indicator path ...); a code the vocabulary lacks comes back with its underscores
turned into spaces, and ``tests/policy/test_labels.py`` checks every closed vocabulary of the
code base has its words here. :func:`indicator_label` reads a rule's indicator path;
:func:`confidence_word` turns a finding's 0-1 confidence into high / medium / low; the number
helpers keep one format (thousands separators, percentages, LQ to two decimals, "fell 1.2% a
year", never "fell -1.2% a year").
"""

from __future__ import annotations

from datetime import UTC, datetime
from functools import lru_cache
from importlib import resources
from typing import Any

from evidence.sectors import load_sectors
from evidence.yaml_load import load_yaml

__all__ = [
    "confidence_word",
    "growth_words",
    "indicator_label",
    "label",
    "labels",
    "local_time",
    "lq_text",
    "number_text",
    "percent_text",
]


@lru_cache(maxsize=1)
def labels() -> dict[str, Any]:
    """Every group of the vocabulary (a mapping code -> words, or a list of codes for
    ``percent``), plus ``sector`` from sectors.csv."""
    text = resources.files("evidence").joinpath("data/labels.yaml").read_text(encoding="utf-8")
    data: dict[str, Any] = {k: dict(v) if isinstance(v, dict) else list(v)
                            for k, v in load_yaml(text).items()}
    data["sector"] = {s.sector_id: s.label for s in load_sectors()}
    return data


def label(group: str, code: object) -> str:
    """The word for ``code`` in ``group``; an unknown code with its underscores as spaces."""
    text = str(code)
    found = labels().get(group, {}).get(text)
    return str(found) if found is not None else text.replace("_", " ")


def indicator_label(path: str) -> str:
    """A rule's indicator path in words: ``sector.aerospace.lq`` -> "Aerospace: location
    quotient", ``sectors.science.any.lq`` -> "at least one science-based sector's location
    quotient"."""
    vocab = labels()
    if path in vocab["indicator"]:
        return str(vocab["indicator"][path])
    parts = path.split(".")
    if parts[0] == "sector" and len(parts) >= 3:
        return f"{label('sector', parts[1])}: {label('sector_field', '.'.join(parts[2:]))}"
    if parts[0] == "sectors" and len(parts) >= 3:
        if parts[1] in vocab["quantifier"]:
            group, quantifier, field = None, parts[1], ".".join(parts[2:])
        else:
            group, quantifier, field = parts[1], parts[2], ".".join(parts[3:])
        whose = str(vocab["quantifier"].get(quantifier, quantifier))
        if group is not None:
            group_word = next((label(g, group) for g in ("quadrant", "knowledge_base",
                                                          "growth_pattern")
                               if group in vocab[g]), group.replace("_", " "))
            whose = whose.replace("sector's", f"{group_word.lower()} sector's")
        return f"{whose} {label('sector_field', field)}"
    return path.replace("_", " ").replace(".", " ")


def confidence_word(confidence: float) -> str:
    """high / medium / low, from the bands in the vocabulary."""
    floors = labels()["confidence_floor"]
    if confidence >= float(floors["high"]):
        return label("confidence", "high")
    if confidence >= float(floors["medium"]):
        return label("confidence", "medium")
    return label("confidence", "low")


def local_time(moment: datetime | str) -> str:
    """A timestamp as people write it, in the server's local time: "1 Dec 2026, 09:12" (an
    ISO text is read first; a naive time is taken as UTC)."""
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    local = moment.astimezone()
    return f"{local.day} {local:%b %Y, %H:%M}"


def number_text(value: float | int | None, decimals: int = 0) -> str:
    """A count or amount with thousands separators; '-' when missing."""
    if value is None or value != value:
        return "-"
    return f"{value:,.{decimals}f}"


def percent_text(share: float | None, decimals: int = 1) -> str:
    """A 0-1 share as a percentage: 0.124 -> "12.4%"."""
    if share is None or share != share:
        return "-"
    return f"{share * 100:.{decimals}f}%"


def lq_text(lq: float | None) -> str:
    """A location quotient to two decimals."""
    if lq is None or lq != lq:
        return "-"
    return f"{lq:.2f}"


def growth_words(rate: float | None, decimals: int = 1) -> str:
    """A yearly growth rate in words: "grew 2.0% a year", "fell 1.2% a year"."""
    if rate is None or rate != rate:
        return "changed by an unknown amount"
    if round(rate * 100, decimals) == 0:
        return "held steady"
    verb = "grew" if rate > 0 else "fell"
    return f"{verb} {abs(rate) * 100:.{decimals}f}% a year"
