"""Read rule files, validate them and compile their conditions: the only place YAML is parsed.

Rule files are edited by analysts, so every problem is reported as
``<file>: rule '<id>': field <location>: <message>`` (or with the line for YAML syntax errors),
and all problems in all files are collected before raising, so one edit-and-reload cycle fixes
them all.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from pydantic import ValidationError

from evidence.problems import Problem, ProblemError
from evidence.yaml_load import YAML_LOADER
from rules.conditions import Node, compile_conditions
from rules.models import CONDITION_KEYS, Rule

LIBRARY = Path(__file__).parent / "library"
"""The packaged rule library."""

_FILE_KEYS = ("theme", "description", "rules")
_ID_LINE = re.compile(r"^\s*-?\s*id\s*:\s*['\"]?([A-Za-z0-9_-]+)")


@dataclass(frozen=True, kw_only=True)
class RuleProblem(Problem):
    """One problem in one rule file: a :class:`~evidence.problems.Problem` whose ``item`` is the
    rule id (or ``#n``, its position, when it has none), ``column`` the field path and ``row``
    the line; ``position`` is the character column on that line (YAML syntax errors).

    Rendered as ``<file>: rule '<id>': field <path>: <message> (line L, column C)``.
    """

    position: int | None = None

    @property
    def rule(self) -> str | None:
        return self.item

    @property
    def field(self) -> str | None:
        return self.column

    @property
    def line(self) -> int | None:
        return self.row

    def __str__(self) -> str:
        text = self.file or ""
        if self.item is not None:
            text += f": rule {self.item}" if self.item.startswith("#") else f": rule {self.item!r}"
        if self.column is not None:
            text += f": field {self.column}"
        text += f": {self.message}"
        if self.row is not None:
            text += f" (line {self.row}" + (f", column {self.position})" if self.position else ")")
        return text


class RuleFileError(ProblemError):
    """One or more rule files are invalid; the message lists every problem, one per line."""

    problems: list[RuleProblem]

    def __init__(self, problems: list[RuleProblem]) -> None:
        super().__init__(problems)

    @property
    def rule(self) -> str | None:
        return self.first.item

    @property
    def field(self) -> str | None:
        return self.first.column


@dataclass(frozen=True)
class CompiledRule:
    rule: Rule
    node: Node
    file: str


@dataclass(frozen=True)
class RuleSet:
    """Validated rules with their conditions compiled, ready for :func:`rules.engine.evaluate`."""

    compiled: tuple[CompiledRule, ...]
    known_interventions: frozenset[str] | None = None
    by_intervention: dict[str, tuple[CompiledRule, ...]] = field(default_factory=dict)

    @property
    def rules(self) -> list[Rule]:
        return [c.rule for c in self.compiled]

    @property
    def interventions(self) -> list[str]:
        """Every intervention id some rule recommends, sorted."""
        return sorted(self.by_intervention)

    @property
    def topics(self) -> set[str]:
        """Every finding topic some rule tests."""
        found: set[str] = set()
        for c in self.compiled:
            _collect_topics(c.rule.when, found)
        return found

    def rule(self, rule_id: str) -> Rule:
        for c in self.compiled:
            if c.rule.id == rule_id:
                return c.rule
        raise KeyError(rule_id)

    def __len__(self) -> int:
        return len(self.compiled)


def _collect_topics(cond: object, found: set[str]) -> None:
    for key in ("all", "any"):
        parts = getattr(cond, key, None)
        if isinstance(parts, list):
            for part in parts:
                _collect_topics(part, found)
    inner = getattr(cond, "not_", None)
    if inner is not None:
        _collect_topics(inner, found)
    spec = getattr(cond, "finding", None)
    if spec is not None and spec.topic:
        found.update(spec.topic)


def display_path(path: Path) -> str:
    """The path relative to the working directory when it is inside it (shorter messages)."""
    try:
        return os.path.relpath(path) if not os.path.relpath(path).startswith("..") else str(path)
    except ValueError:  # different drive on Windows
        return str(path)


def load_rules(
    directory: str | Path | None = None,
    known_interventions: Iterable[str] | None = None,
) -> RuleSet:
    """Load every ``*.yaml`` / ``*.yml`` in ``directory`` (default: the packaged library).

    ``known_interventions`` (the catalogue's ids) turns an unknown intervention id into an
    error instead of a recommendation nothing downstream can appraise.
    """
    folder = Path(directory) if directory is not None else LIBRARY
    if not folder.is_dir():
        raise RuleFileError([RuleProblem(
            file=str(folder), message="is not a directory of rule files", code="not_a_directory")])
    files = sorted([*folder.glob("*.yaml"), *folder.glob("*.yml")])
    if not files:
        raise RuleFileError([RuleProblem(
            file=display_path(folder), message="contains no *.yaml rule files", code="no_files")])
    sources = [(display_path(f), f.read_text(encoding="utf-8")) for f in files]
    return rules_from_texts(sources, known_interventions)


def rules_from_texts(
    sources: list[tuple[str, str]],
    known_interventions: Iterable[str] | None = None,
) -> RuleSet:
    """Validate and compile rules from ``(file name, YAML text)`` pairs (e.g. edited in the UI)."""
    known = frozenset(known_interventions) if known_interventions is not None else None
    problems: list[RuleProblem] = []
    rules: list[tuple[Rule, str]] = []
    first_seen: dict[str, str] = {}
    for name, text in sources:
        for rule, problem in _parse_file(name, text, known):
            if problem is not None:
                problems.append(problem)
                continue
            assert rule is not None
            if rule.id in first_seen:
                problems.append(RuleProblem(
                    file=name, message=f"duplicate rule id, first defined in {first_seen[rule.id]}",
                    item=rule.id, column="id", row=_line_of_id(text, rule.id),
                    code="duplicate_id"))
                continue
            first_seen[rule.id] = name
            rules.append((rule, name))
    if problems:
        raise RuleFileError(problems)
    nodes = compile_conditions([r.when for r, _ in rules])
    compiled = tuple(CompiledRule(r, node, name) for (r, name), node in zip(rules, nodes,
                                                                           strict=True))
    index: dict[str, list[CompiledRule]] = {}
    for c in compiled:
        for iid in c.rule.interventions:
            index.setdefault(iid, []).append(c)
    return RuleSet(compiled, known, {k: tuple(v) for k, v in index.items()})


YAML_MAX_DEPTH = 60
"""Deepest nesting a YAML file of rules or interventions may have (they need under 15)."""
YAML_MAX_NODES = 200_000
"""Most nodes a YAML file may expand to, aliases counted each time they are used: stops an
alias bomb (a few lines that expand to billions of nodes) before it is built."""


_FLOW_BRACKET = re.compile(r"[\[\]{}]")
"""The characters that open and close flow-style nesting."""


class YamlLimitError(ValueError):
    """YAML that is well formed but too deep or too big once its aliases are expanded."""

    def __init__(self, message: str, line: int | None) -> None:
        super().__init__(message)
        self.line = line


def _measure(root: yaml.Node) -> None:
    """Depth and expanded size of a composed YAML graph, without recursion: aliases are shared
    nodes in the graph, so a size memo per node counts each use without expanding any."""
    size: dict[int, int] = {}
    stack: list[tuple[yaml.Node, int, bool]] = [(root, 1, False)]
    while stack:
        node, depth, done = stack.pop()
        if depth > YAML_MAX_DEPTH:
            raise YamlLimitError(f"nested more than {YAML_MAX_DEPTH} levels deep",
                                 node.start_mark.line + 1)
        kids: list[yaml.Node] = []
        if isinstance(node, yaml.SequenceNode):
            kids = list(node.value)
        elif isinstance(node, yaml.MappingNode):
            kids = [n for pair in node.value for n in pair]
        if done:
            size[id(node)] = 1 + sum(size[id(k)] for k in kids)
            if size[id(node)] > YAML_MAX_NODES:
                raise YamlLimitError(f"expands to more than {YAML_MAX_NODES:,} values (aliases "
                                     "used over and over: an alias bomb?)",
                                     node.start_mark.line + 1)
            continue
        if id(node) in size:
            continue
        stack.append((node, depth, True))
        stack.extend((k, depth + 1, False) for k in kids if id(k) not in size)


def safe_yaml(text: str) -> object:
    """``yaml.safe_load`` with limits: the text is composed (never constructed) first, its
    depth and expanded size checked (:class:`YamlLimitError`), and only then constructed.
    Raises ``yaml.YAMLError`` for bad syntax, as ``safe_load`` does. Uses ``YAML_LOADER``
    (libyaml's C loader when available)."""
    depth = 0
    # flow-style nesting, too deep for the recursive composer: only the bracket characters are
    # visited (a loop over every character took 14-36 ms for the 26 bundled files; this, 1 ms)
    for match in _FLOW_BRACKET.finditer(text):
        if match.group() in "[{":
            depth += 1
            if depth > YAML_MAX_DEPTH:
                raise YamlLimitError(f"nested more than {YAML_MAX_DEPTH} levels deep",
                                     text.count("\n", 0, match.start()) + 1)
        else:
            depth -= 1
    loader = YAML_LOADER(text)
    try:  # composed once, measured, then constructed from the same nodes (never re-parsed)
        try:
            root = loader.get_single_node()
        except yaml.YAMLError:
            if YAML_LOADER is not yaml.SafeLoader:  # PyYAML's wording and marks, as before
                yaml.compose(text, Loader=yaml.SafeLoader)
            raise
        except RecursionError:
            raise YamlLimitError(f"nested more than {YAML_MAX_DEPTH} levels deep",
                                 None) from None
        if root is None:
            return None
        _measure(root)
        return loader.construct_document(root)
    finally:
        loader.dispose()


def _parse_file(
    name: str, text: str, known: frozenset[str] | None
) -> list[tuple[Rule | None, RuleProblem | None]]:
    try:
        doc = safe_yaml(text)
    except yaml.YAMLError as exc:
        return [(None, _syntax_problem(name, text, exc))]
    except YamlLimitError as exc:
        return [(None, RuleProblem(file=name, row=exc.line, message=str(exc),
                                   code="yaml_limit"))]
    if not isinstance(doc, dict):
        got = "an empty file" if doc is None else f"a {type(doc).__name__}"
        return [(None, RuleProblem(
            file=name, message=f"a rule file must be a mapping with a 'rules' list, got {got}",
            code="not_a_mapping"))]
    extra = [k for k in doc if k not in _FILE_KEYS]
    out: list[tuple[Rule | None, RuleProblem | None]] = []
    if extra:
        out.append((None, RuleProblem(
            file=name, message=f"unknown top-level key(s) {', '.join(map(repr, extra))}; "
                               f"allowed: {', '.join(_FILE_KEYS)}",
            column=str(extra[0]), code="unknown_key")))
    items = doc.get("rules")
    if not isinstance(items, list) or not items:
        out.append((None, RuleProblem(
            file=name, message="needs a non-empty 'rules' list", column="rules", code="no_rules")))
        return out
    context = {"known_interventions": known}
    for index, item in enumerate(items):
        label = f"#{index + 1}"
        if isinstance(item, dict) and isinstance(item.get("id"), str):
            label = item["id"]
        line = _line_of_id(text, label) if not label.startswith("#") else None
        if not isinstance(item, dict):
            out.append((None, RuleProblem(
                file=name, message=f"a rule must be a mapping, got {type(item).__name__}",
                item=label, column=f"rules[{index}]", code="not_a_mapping")))
            continue
        try:
            out.append((Rule.model_validate(item, context=context), None))
        except ValidationError as exc:
            for err in exc.errors():
                out.append((None, RuleProblem(
                    file=name, message=_message(err), item=label,
                    column=format_loc(err["loc"]), row=line, code=str(err["type"]))))
    return out


def _message(err: dict) -> str:
    msg = str(err["msg"])
    for prefix in ("Value error, ", "Assertion failed, "):
        if msg.startswith(prefix):
            msg = msg[len(prefix):]
    if err["type"] == "extra_forbidden":
        msg = "unknown key (not part of the rule language)"
    return msg


def format_loc(loc: tuple) -> str:
    """Pydantic error location to a dotted path a rule author can find in the file.

    ``('when', 'all', 'all', 1, 'indicator', 'indicator', 'op')`` -> ``when.all[1].indicator.op``.
    Pydantic repeats a condition's key (once as the union tag, once as the field); fold it.
    """
    parts: list[str] = []
    items = list(loc)
    i = 0
    while i < len(items):
        item = items[i]
        if (isinstance(item, str) and item in CONDITION_KEYS and i + 1 < len(items)
                and items[i + 1] == item):
            i += 1
            continue
        if isinstance(item, int):
            if parts:
                parts[-1] += f"[{item}]"
            else:
                parts.append(f"[{item}]")
        else:
            parts.append(str(item))
        i += 1
    return ".".join(parts)


def _line_of_id(text: str, rule_id: str) -> int | None:
    for number, line in enumerate(text.splitlines(), start=1):
        m = _ID_LINE.match(line)
        if m and m.group(1) == rule_id:
            return number
    return None


def _syntax_problem(name: str, text: str, exc: yaml.YAMLError) -> RuleProblem:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    line = mark.line + 1 if mark is not None else None
    rule = None
    if line is not None:
        # The rule being written when the parser gave up: the last `id:` at or above the line.
        for text_line in text.splitlines()[:line]:
            m = _ID_LINE.match(text_line)
            if m:
                rule = m.group(1)
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    return RuleProblem(file=name, message=f"YAML syntax error: {problem}", item=rule, row=line,
                       position=mark.column + 1 if mark is not None else None,
                       code="yaml_syntax")
