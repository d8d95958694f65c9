"""Words for codes, on screen and in the Word and HTML reports: the one place pages and the
report writers ask.

The words live in data: ``evidence/data/labels.yaml`` (finding topics and kinds, quadrants,
area levels, indicator paths, comparison words, cash-flow columns; read by
:mod:`evidence.labels`) and, where a vocabulary already carries its own labels, that file:
sectors (``sectors.csv``), rationales (``rules/data/rationales.yaml``), the catalogue's shared
outcome and impact nodes, intervention names and actors. Codes stay in the JSON export and
behind "Details".

- :func:`word` - any code from any of those vocabularies;
- :func:`in_words` - a message built with codes (a chain diagnosis, a "why not") in words;
- :func:`finding_heading`, :func:`condition_words`, :func:`needs_words` - a finding's heading
  and a rule trace read as sentences, with the value and the threshold.
"""

from __future__ import annotations

import re
from functools import lru_cache

from evidence.labels import (
    confidence_word,
    growth_words,
    indicator_label,
    label,
    labels,
    local_time,
    lq_text,
    number_text,
    percent_text,
)
from evidence.models import Finding
from policy.catalogue import ACTOR_LABELS, load_catalogue, load_shared_nodes
from policy.walkthrough import default_ruleset
from rules import ConditionTrace, FiredRule, Rule, needs_of
from rules.vocabulary import RATIONALE_LABELS

__all__ = [
    "condition_words",
    "confidence_word",
    "finding_heading",
    "growth_words",
    "in_words",
    "known",
    "indicator_label",
    "label",
    "local_time",
    "lq_text",
    "needs_words",
    "number_text",
    "percent_text",
    "reader_words",
    "sentence",
    "word",
]

_GROUPS_FOR_WORD = ("sector", "finding_topic", "quadrant", "area_level", "indicator",
                    "sector_field", "column", "target_type", "cost_basis", "family")
_CODE = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b")
_FINDING_FILTER = re.compile(r"finding\(([^()]*)\)")
_FILTER_TEXT = re.compile(r"finding with ((?:[a-z_]+=[^,;()]+(?:, )?)+)")
_PATH = re.compile(r"\b(?:context|sectors?)\.[a-z0-9_.]*[a-z0-9]")
_RULE = re.compile(r"rule '([a-z0-9-]+)'")
_FIRED_ON = re.compile(r"(fired on |missing for )([a-z0-9_]+(?:, [a-z0-9_]+)*)")
_SECTOR_NUMBER = re.compile(r"\b([a-z][a-z0-9_]*)(?= -?\d)")
_SYMBOL_WORDS = {"<": "below", "<=": "at most", ">": "above", ">=": "at least", "=": "equal to",
                 "!=": "not equal to"}
_SECTOR_TEST = re.compile(r"\b(no sector|not every sector) has ([a-z_.]+) (<=|>=|!=|<|>|=) ")
_INDICATOR_TEST = re.compile(
    r"\b([a-z][a-z0-9_.]*) = (-?[\d.,]*\d), needs (<=|>=|!=|<|>|=) "
    r"(?:(comparator median|national)(?: x ([\d.]+))? )?(-?[\d.,]*\d)")
_AREA_TEST = re.compile(
    r"area level is '([a-z_]+)', needs (one of|not one of) ([a-z_]+(?:, [a-z_]+)*)")
_FOUND_BUT_NONE = re.compile(
    r"a finding with ((?:[a-z_]+=[^,;()]+?(?:, )?)+) exists \(([^)]*)\); the rule needs none")
_LONG_SCORE = re.compile(r"\bscores (\d+\.\d{3,})")
_MAYBE_PLURAL = re.compile(r"\b(\d[\d,]*) ((?:[a-z-]+ )?[a-z-]+)\(s\)")


@lru_cache(maxsize=1)
def _words() -> dict[str, str]:
    """Every code a reader may meet -> its label (interventions and nodes win over the rest)."""
    vocab = labels()
    out: dict[str, str] = {}
    for group in reversed(_GROUPS_FOR_WORD):
        out.update({k: str(v) for k, v in vocab[group].items()})
    out.update(RATIONALE_LABELS)
    out.update(ACTOR_LABELS)
    out.update({n.id: n.label for n in load_shared_nodes().nodes})
    out.update({i.id: i.name for i in load_catalogue().values()})
    return out


def _rule_title(rule_id: str) -> str:
    rule = _rules().get(rule_id)
    return rule.title if rule is not None else rule_id.replace("-", " ")


def known(code: object) -> bool:
    """Whether any vocabulary has words for ``code``."""
    return str(code) in _words()


def word(code: object) -> str:
    """The label of ``code`` in whichever vocabulary holds it; else underscores as spaces."""
    text = str(code)
    return _words().get(text, text.replace("_", " "))


def _filter_words(described: str) -> str:
    """``topic=skills, kind=bottleneck, min_confidence=0.6`` -> words."""
    parts: dict[str, str] = {}
    for item in described.split(", "):
        key, _, value = item.partition("=")
        parts[key] = value
    what = " or ".join(label("finding_topic", t) for t in parts.pop("topic", "").split("|") if t)
    kind = parts.pop("kind", "")
    text = f"a finding on {what or 'any topic'}"
    if kind:
        text += f" ({' or '.join(label('finding_kind', k).lower() for k in kind.split('|'))})"
    if "sector" in parts:
        text += " about " + " or ".join(label("sector", s) for s in parts.pop("sector").split("|"))
    for key, group in (("sector_quadrant", "quadrant"), ("sector_knowledge_base",
                                                         "knowledge_base"),
                       ("sector_growth_pattern", "growth_pattern")):
        if key in parts:
            values = " or ".join(label(group, v).lower() for v in parts.pop(key).split("|"))
            text += f" about {_article(values)} {values} sector"
    if "min_confidence" in parts:
        floor = float(parts.pop("min_confidence"))
        text += f", with confidence at least {confidence_word(floor)} ({floor:g})"
    return text


def in_words(text: str, *, known_only: bool = False) -> str:
    """A message built with codes, in words: finding filters read out, codes labelled.

    ``known_only`` leaves a snake_case word the vocabularies do not know as it is (for text
    that may be a person's own), instead of turning its underscores into spaces."""
    text = reader_words(str(text))
    text = _FOUND_BUT_NONE.sub(lambda m: (
        f"there is {_filter_words(m.group(1))} ({len(m.group(2).split(', '))} found); the rule "
        "needs none"), str(text))
    text = _FINDING_FILTER.sub(lambda m: _filter_words(m.group(1)), text)
    text = _FILTER_TEXT.sub(
        lambda m: _filter_words(m.group(1).rstrip(", ")).removeprefix("a "), text)
    text = _RULE.sub(lambda m: f"the rule '{_rule_title(m.group(1))}'", text)
    text = _engine_words(text)
    text = _PATH.sub(lambda m: indicator_label(m.group(0)), text)

    def one(m: re.Match[str]) -> str:
        code = m.group(0)
        return _words().get(code, code if known_only else code.replace("_", " "))

    return _CODE.sub(one, text)


@lru_cache(maxsize=1)
def _reader_rules() -> tuple[tuple[re.Pattern[str], str], ...]:
    return tuple((re.compile(r["match"]), str(r["say"])) for r in labels()["reader_words"])


def reader_words(text: str) -> str:
    """Notes written for developers ("see evidence.sources.demo for the planted patterns",
    "Great Britain row (K03000001)") in a reader's words (labels.yaml ``reader_words``)."""
    for pattern, say in _reader_rules():
        text = pattern.sub(say, text)
    return text


def _sector_word(code: str) -> str:
    """A sector id (one word ones too: "pharma", "weapons") as its label; other words kept."""
    return label("sector", code) if code in labels()["sector"] else code


def _areas_words(levels: str, joiner: str = "or") -> str:
    names = [label("area_level", v.strip()) for v in levels.split(",") if v.strip()]
    return f" {joiner} ".join(f"{_article(n)} {n}" for n in names)


def _engine_words(text: str) -> str:
    """The rules engine's short forms ("no sector has lq >= 2.00 (pharma 1.35)", "fired on
    weapons", "area level is 'lad', needs one of group, region") as sentences, with every
    sector by its label: single-word sector ids are not snake_case, so the code pass in
    :func:`in_words` would leave them as they are (issue 15)."""
    text = _FIRED_ON.sub(lambda m: m.group(1) + ", ".join(
        _sector_word(c) for c in m.group(2).split(", ")), text)

    def sector_test(m: re.Match[str]) -> str:
        field = label("sector_field", m.group(2))
        return f"{m.group(1)}'s {field} is {_SYMBOL_WORDS[m.group(3)]} "

    text = _SECTOR_TEST.sub(sector_test, text)
    text = _SECTOR_NUMBER.sub(lambda m: _sector_word(m.group(1)), text)

    def indicator_test(m: re.Match[str]) -> str:
        path, actual, symbol, yard, factor, need = m.groups()
        name = indicator_label(path)
        show = _percent if _field(path) in labels()["percent"] else _value
        verb = "are" if _plural(path) else "is"
        needed = show(float(need.replace(",", "")))
        if yard:
            whose = "the comparators' median" if yard == "comparator median" else \
                "the national figure"
            needed += f" ({f'{float(factor):g} times ' if factor else ''}{whose})"
        return (f"{name} {verb} {show(float(actual.replace(',', '')))}, and the rule needs "
                f"{_SYMBOL_WORDS[symbol]} {needed}")

    text = _INDICATOR_TEST.sub(indicator_test, text)
    text = _AREA_TEST.sub(lambda m: (
        f"the area is {_areas_words(m.group(1))}; the rule needs "
        + ("" if m.group(2) == "one of" else "anything but ") + _areas_words(m.group(3))), text)
    text = _MAYBE_PLURAL.sub(lambda m: f"{m.group(1)} {m.group(2)}"
                             + ("" if m.group(1) == "1" else "s"), text)
    return _LONG_SCORE.sub(lambda m: f"scores {float(m.group(1)):.2f}", text)


def sentence(text: str) -> str:
    """``text`` with a capital first letter, for a message that stands as a sentence on its
    own ("balanced: 3% horizontal ..." -> "Balanced: ...")."""
    return text[:1].upper() + text[1:]


def _field(path: str) -> str:
    """``sector.aerospace.lq`` -> ``lq``; a top-level or context path as it is."""
    return path.rsplit(".", 1)[-1] if path.startswith("sector") else path


def _plural(path: str) -> bool:
    """Whether the indicator's words are a plural noun (labels.yaml ``plural``)."""
    return _field(path) in labels()["plural"]


def finding_heading(f: Finding) -> str:
    """``Strength · Specialisation · Aerospace``: kind, topic and sector in words."""
    parts = [label("finding_kind", f.kind), label("finding_topic", f.topic)]
    if f.sector:
        # a known sector id in words; anything else (typed by a user) exactly as typed
        parts.append(label("sector", f.sector) if known(f.sector) else f.sector)
    return " · ".join(parts)


def _value(value: object) -> str:
    if value is None:
        return "missing"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return number_text(value)
    if isinstance(value, float):
        if abs(value) >= 1000 or (abs(value) >= 100 and value.is_integer()):
            return number_text(value)  # a count: 300 jobs, not 300.00
        return f"{value:.3g}" if abs(value) < 1 else f"{value:.2f}"
    return str(value)


def _percent(value: object) -> str:
    return percent_text(float(value)) if isinstance(value, int | float) else _value(value)


def _article(noun: str) -> str:
    return "an" if noun[:1].lower() in "aeiou" else "a"


def _sector_values(actual: str) -> str:
    """``aerospace=5.71, automotive=12.18`` (a quantified test's values) in words."""
    out = []
    for item in actual.split(", "):
        code, sep, value = item.partition("=")
        out.append(f"{label('sector', code)} {value}" if sep else in_words(item))
    return ", ".join(out)


def condition_words(c: ConditionTrace) -> str:
    """One test of a rule as a sentence with its value and threshold."""
    if c.path.startswith("finding("):
        what = _filter_words(c.path[len("finding("):-1])
        count = int(c.actual or 0) if isinstance(c.actual, int | float) else 0
        found = f"{count} found" if count else "none found"
        if c.op == "absent":
            return f"No {what.removeprefix('a ')}: {found}"
        return f"There is {what}: {found}"
    if c.path == "area.level":
        return (f"The area is {'' if c.op == 'in' else 'not '}{_areas_words(str(c.threshold))}"
                f": it is {_areas_words(str(c.actual))}")
    name = indicator_label(c.path)
    name = name[:1].upper() + name[1:]
    plural = _plural(c.path)
    field = _field(c.path)
    show = _percent if field in labels()["percent"] else _value
    if c.op in ("present", "missing"):
        state = ("are" if plural else "is") + (" known" if c.op == "present" else " missing")
        return f"{name} {state}: {show(c.actual)}"
    verb, it = ("are", "there are") if plural else ("is", "it is")
    if isinstance(c.actual, str):  # one value a sector: "Aerospace 2.54, Automotive 12.18"
        return _with_note(f"{name} {verb} {label('op', c.op)} {show(c.threshold)}: "
                          f"{_sector_values(c.actual)}", c)
    return _with_note(f"{name} {verb} {label('op', c.op)} {show(c.threshold)}: "
                      f"{it} {show(c.actual)}", c)


def _with_note(text: str, c: ConditionTrace) -> str:
    if c.note:
        text += f" ({in_words(c.note)})"
    return text


@lru_cache(maxsize=1)
def _rules() -> dict[str, Rule]:
    return {r.id: r for r in default_ruleset().rules}


def needs_words(fired: FiredRule) -> str:
    """Whether the rule needs all its tests or any one of them, and which are alternatives."""
    rule = _rules().get(fired.rule)
    if rule is None:  # a rule from another rule set: say only what the trace shows
        return label("needs", "one" if len(fired.conditions) == 1 else "all")
    needs, alternatives = needs_of(rule)
    text = label("needs", needs)
    for group in alternatives:
        numbers = " and ".join(str(i) for i in group)
        text += f"; tests {numbers} are alternatives (either is enough)"
    return text
