"""Compile rule conditions into closures and evaluate them against one area.

The condition language (YAML, no code, validated by ``rules.models``)::

    all: [c, ...]          every part holds          any: [c, ...]   some part holds
    not: c                 the part does not hold
    finding: {topic, kind, sector, sector_quadrant, sector_knowledge_base,
              sector_growth_pattern, min_confidence}
                           a proposed or accepted (not rejected) finding matches; each filter
                           takes one name or a list; binds the findings' sectors
    indicator: {name: <path>, op: lt|le|gt|ge|eq|ne,
                value: <number> | national: true | comparator_median: true}
                           compare a profile value (paths: see ``rules.paths``); ``sector.<id>``
                           paths and ``sectors.[<group>.]any`` witnesses bind sectors
    present: <path>        the value is not missing
    area: {level: <level> | [levels]}   the area is a district, group, region ...

Compilation happens once, when rules load; evaluation then only calls plain functions, which is
what keeps ~40 rules over ~360 areas well under a second.

Three-valued logic. A leaf is true, false or *unknown* (a missing value, no comparators, no
national figure). ``all`` is false if any part is false, else unknown if any part is unknown;
``any`` is true if any part is true, else unknown if any part is unknown; ``not`` keeps unknown
unknown. A rule fires only when its condition is *true*, so missing data never fires a rule,
including through ``not`` (``not: sector.x.lq > 2`` with the LQ suppressed does not fire).

``not`` is pushed down to the leaves at compile time (De Morgan), so each leaf in a trace states
what was actually tested: ``not: {finding: ...}`` is traced as ``op: absent`` and
``not: {indicator: {op: lt}}`` as ``op: ge``. A trace therefore reads as a flat list of tests
whose ``result`` is the truth of the test as displayed.
"""

from __future__ import annotations

import operator
import statistics
from collections.abc import Callable, Sequence
from typing import Any

from evidence.models import AreaProfile, Finding
from rules.models import (
    AllOf,
    AnyOf,
    AreaLeaf,
    FindingLeaf,
    IndicatorLeaf,
    NotOf,
    PresentLeaf,
)
from rules.paths import ParsedPath, ProfileView, as_number, parse_path

TRUE, FALSE, UNKNOWN = 1, 0, -1

_OPS: dict[str, Callable[[float, float], bool]] = {
    "lt": operator.lt,
    "le": operator.le,
    "gt": operator.gt,
    "ge": operator.ge,
    "eq": lambda a, b: abs(a - b) <= 1e-9 * max(1.0, abs(a), abs(b)),
    "ne": lambda a, b: abs(a - b) > 1e-9 * max(1.0, abs(a), abs(b)),
}
_NEGATE = {"lt": "ge", "ge": "lt", "le": "gt", "gt": "le", "eq": "ne", "ne": "eq"}
SYMBOLS = {"lt": "<", "le": "<=", "gt": ">", "ge": ">=", "eq": "=", "ne": "!="}


def fmt(value: float | None) -> str:
    """A number as an analyst would read it: 2.10, 0.5, 0.0213, 12,400."""
    if value is None:
        return "missing"
    if value == 0:
        return "0"
    a = abs(value)
    if a >= 1000:
        return f"{value:,.0f}"
    if a >= 1:
        return f"{value:.2f}"
    return f"{value:.3g}"


class Context:
    """Everything one evaluation reads, indexed once: views, findings by topic, median cache.

    The comparators' views are built only when a ``comparator_median`` test first asks for a
    median (most rules never do), and taken from ``views`` when the caller shares them across
    areas (:func:`rules.engine.evaluate_all`: a district is a comparator of several others).
    """

    __slots__ = ("profile", "view", "comparators", "findings", "by_topic", "rejected", "_medians",
                 "shared", "_views")

    def __init__(
        self, profile: AreaProfile, comparator_profiles: Sequence[AreaProfile] | None = None,
        views: dict[int, tuple[AreaProfile, ProfileView]] | None = None,
    ) -> None:
        self.profile = profile
        self._views = {} if views is None else views
        self.view = self.view_of(profile)
        self.comparators = None if comparator_profiles is None else list(comparator_profiles)
        self.findings: list[Finding] = []
        self.rejected: list[Finding] = []
        self.by_topic: dict[str, list[Finding]] = {}
        for f in profile.findings:
            if not f.stands:
                self.rejected.append(f)
                continue
            self.findings.append(f)
            self.by_topic.setdefault(f.topic, []).append(f)
        self._medians: dict[Any, tuple[float | None, int]] = {}
        self.shared: dict[int, Leaf] = {}
        """Results of leaves several rules share (see :func:`compile_conditions`), by slot."""

    def view_of(self, profile: AreaProfile) -> ProfileView:
        """The profile's view, built once per ``views`` (keyed by identity; the profile is kept
        beside its view so the identity cannot be reused while the cache lives)."""
        hit = self._views.get(id(profile))
        if hit is None or hit[0] is not profile:
            hit = self._views[id(profile)] = (profile, ProfileView(profile))
        return hit[1]

    def median(self, key: Any, getter: Callable[[ProfileView], Any]) -> tuple[float | None, int]:
        """Median of a value over the comparators, and how many comparators had it."""
        cached = self._medians.get(key)
        if cached is not None:
            return cached
        raw = (as_number(getter(self.view_of(c))) for c in self.comparators or ())
        values = [v for v in raw if v is not None]
        result = (statistics.median(values) if values else None, len(values))
        self._medians[key] = result
        return result


class Leaf:
    """One evaluated test: what the trace shows and what a failure explanation says."""

    __slots__ = ("kind", "path", "op", "actual", "threshold", "truth", "findings",
                 "confidences", "sectors", "note", "reason")

    def __init__(
        self, kind: str, path: str, op: str, actual: Any, threshold: Any, truth: int,
        findings: tuple[str, ...] = (), confidences: tuple[float, ...] = (),
        sectors: tuple[str, ...] = (), note: str | None = None,
        reason: str | Callable[[], str] | None = None,
    ) -> None:
        self.kind = kind
        self.path = path
        self.op = op
        self.actual = actual
        self.threshold = threshold
        self.truth = truth
        self.findings = findings
        self.confidences = confidences
        self.sectors = sectors
        self.note = note
        self.reason = reason

    def explain(self) -> str:
        """The failure in plain words (built lazily: most failures are never explained)."""
        reason = self.reason
        if callable(reason):
            reason = self.reason = reason()
        return reason or f"{self.path} {self.op} {self.threshold}: {self.actual}"


class AnyFailure:
    """Why an ``any`` (or a negated ``all``) was not true: none of its parts held."""

    __slots__ = ("parts",)

    def __init__(self, parts: list[Any]) -> None:
        self.parts = parts

    def explain(self) -> str:
        return "none of: " + "; ".join(p.explain() for p in self.parts)


class Outcome:
    """Result of a node: truth, all evaluated leaves, the leaves that made it true, the failure."""

    __slots__ = ("truth", "leaves", "contrib", "failure")

    def __init__(self, truth: int, leaves: list[Leaf], contrib: list[Leaf],
                 failure: Leaf | AnyFailure | None) -> None:
        self.truth = truth
        self.leaves = leaves
        self.contrib = contrib
        self.failure = failure


Node = Callable[[Context], "Outcome | Leaf"]
"""A compiled condition. Leaf tests return their :class:`Leaf`, combinators an Outcome."""


def outcome_of(result: Outcome | Leaf) -> Outcome:
    """A node's result as an Outcome (leaf nodes return their Leaf to save allocations)."""
    if result.__class__ is Leaf:
        leaf: Leaf = result  # type: ignore[assignment]
        if leaf.truth == TRUE:
            return Outcome(TRUE, [leaf], [leaf], None)
        return Outcome(leaf.truth, [leaf], [], leaf)
    return result  # type: ignore[return-value]


def compile_conditions(conds: Sequence[Any]) -> list[Node]:
    """Compile several rules' conditions, evaluating each distinct leaf once per area.

    A library repeats tests (``am_jobs >= 500``, ``finding: {topic: skills, kind: bottleneck}``
    appear in several rules): a leaf written identically (same test, same negation) in more
    than one place is compiled once and its result kept in ``Context.shared`` for the other
    rules. A leaf is a pure function of the context, so sharing it changes nothing in any
    result; the leaf objects are read, never changed, by the combinators and the engine.
    """
    counts: dict[tuple[Any, bool], int] = {}
    for cond in conds:
        _count_leaves(cond, False, counts)
    slots = {key: i for i, key in enumerate(k for k, n in counts.items() if n > 1)}
    memo: dict[tuple[Any, bool], Node] = {}
    return [compile_condition(cond, False, slots, memo) for cond in conds]


def _count_leaves(cond: Any, negated: bool, counts: dict[tuple[Any, bool], int]) -> None:
    if isinstance(cond, AllOf | AnyOf):
        for part in cond.all if isinstance(cond, AllOf) else cond.any:
            _count_leaves(part, negated, counts)
    elif isinstance(cond, NotOf):
        _count_leaves(cond.not_, not negated, counts)
    else:
        key = (cond, negated)
        counts[key] = counts.get(key, 0) + 1


def _shared(node: Node, slot: int) -> Node:
    def shared(ctx: Context) -> Outcome | Leaf:
        hit = ctx.shared.get(slot)
        if hit is None:
            hit = ctx.shared[slot] = node(ctx)  # type: ignore[assignment]
        return hit

    return shared


def compile_condition(
    cond: Any, negated: bool = False, slots: dict[tuple[Any, bool], int] | None = None,
    memo: dict[tuple[Any, bool], Node] | None = None,
) -> Node:
    """Turn a validated condition model into a closure ``Context -> Outcome``.

    ``slots`` (from :func:`compile_conditions`) names the leaves several rules share: those
    are compiled once (``memo``) and evaluated once per context."""
    if isinstance(cond, AllOf):
        parts = [compile_condition(c, negated, slots, memo) for c in cond.all]
        return _or(parts) if negated else _and(parts)
    if isinstance(cond, AnyOf):
        parts = [compile_condition(c, negated, slots, memo) for c in cond.any]
        return _and(parts) if negated else _or(parts)
    if isinstance(cond, NotOf):
        return compile_condition(cond.not_, not negated, slots, memo)
    key = (cond, negated)
    if slots is None or memo is None or key not in slots:
        return _leaf(cond, negated)
    node = memo.get(key)
    if node is None:
        node = memo[key] = _shared(_leaf(cond, negated), slots[key])
    return node


def _leaf(cond: Any, negated: bool) -> Node:
    if isinstance(cond, FindingLeaf):
        return _finding(cond, negated)
    if isinstance(cond, IndicatorLeaf):
        return _indicator(cond, negated)
    if isinstance(cond, PresentLeaf):
        return _present(parse_path(cond.present), negated)
    if isinstance(cond, AreaLeaf):
        return _area(cond, negated)
    raise TypeError(f"not a condition: {cond!r}")  # pragma: no cover - models forbid it


def _and(parts: list[Node]) -> Node:
    def node(ctx: Context) -> Outcome:
        leaves: list[Leaf] = []
        contrib: list[Leaf] = []
        unknown: Leaf | AnyFailure | None = None
        for part in parts:
            out = part(ctx)
            if out.__class__ is Leaf:
                leaves.append(out)  # type: ignore[arg-type]
                if out.truth == FALSE:
                    return Outcome(FALSE, leaves, [], out)  # type: ignore[arg-type]
                if out.truth == UNKNOWN:
                    if unknown is None:
                        unknown = out  # type: ignore[assignment]
                else:
                    contrib.append(out)  # type: ignore[arg-type]
                continue
            leaves.extend(out.leaves)  # type: ignore[union-attr]
            if out.truth == FALSE:
                return Outcome(FALSE, leaves, [], out.failure)  # type: ignore[union-attr]
            if out.truth == UNKNOWN:
                if unknown is None:
                    unknown = out.failure  # type: ignore[union-attr]
            else:
                contrib.extend(out.contrib)  # type: ignore[union-attr]
        if unknown is not None:
            return Outcome(UNKNOWN, leaves, [], unknown)
        return Outcome(TRUE, leaves, contrib, None)

    return node


def _or(parts: list[Node]) -> Node:
    def node(ctx: Context) -> Outcome:
        leaves: list[Leaf] = []
        contrib: list[Leaf] = []
        failures: list[Leaf | AnyFailure] = []
        truth = FALSE
        for part in parts:
            out = outcome_of(part(ctx))
            leaves.extend(out.leaves)
            if out.truth == TRUE:
                truth = TRUE
                contrib.extend(out.contrib)
            else:
                if out.truth == UNKNOWN and truth == FALSE:
                    truth = UNKNOWN
                failures.append(out.failure)  # type: ignore[arg-type]
        if truth == TRUE:
            return Outcome(TRUE, leaves, contrib, None)
        failure = failures[0] if len(failures) == 1 else AnyFailure(failures)
        return Outcome(truth, leaves, [], failure)

    return node


# ---------------------------------------------------------------------------------------------
# finding leaf


def _finding(leaf: FindingLeaf, negated: bool) -> Node:
    spec = leaf.finding
    topics = spec.topic
    kinds = frozenset(spec.kind) if spec.kind else None
    allowed = spec.allowed_sectors()
    min_conf = spec.min_confidence
    described = spec.describe()
    path = f"finding({described})"
    op = "absent" if negated else "exists"

    floor = -1.0 if min_conf is None else min_conf
    unfiltered = kinds is None and allowed is None and min_conf is None  # the topic decides

    def node(ctx: Context) -> Outcome:
        if topics is None:
            pool = ctx.findings
        elif len(topics) == 1:
            pool = ctx.by_topic.get(topics[0], ())  # type: ignore[assignment]
        else:
            pool = [f for t in topics for f in ctx.by_topic.get(t, ())]
        if not pool:
            found = []
        elif unfiltered:
            found = list(pool)
        else:
            found = [f for f in pool
                     if (kinds is None or f.kind in kinds)
                     and (allowed is None or f.sector in allowed)
                     and f.confidence >= floor]
        ids = tuple(f.id for f in found)
        if negated:
            if found:
                reason = (f"a finding with {described} exists ({', '.join(ids)}); "
                          "the rule needs none")
                return Leaf("finding", path, op, len(found), None, FALSE, ids,
                                          reason=reason)
            return Leaf("finding", path, op, 0, None, TRUE)
        if found:
            sectors = tuple(dict.fromkeys(f.sector for f in found if f.sector))
            return Leaf("finding", path, op, len(found), None, TRUE, ids,
                                      tuple(f.confidence for f in found), sectors)
        return Leaf("finding", path, op, 0, None, FALSE,
                                  reason=lambda: _no_finding_reason(
                                      ctx, described, min_conf, topics, kinds, allowed))

    return node


def _no_finding_reason(
    ctx: Context, described: str, min_conf: float | None,
    topics: tuple[str, ...] | None, kinds: frozenset[str] | None, allowed: frozenset[str] | None,
) -> str:
    """Say why nothing matched, mentioning near misses a facilitator may want to revisit."""

    def near(f: Finding) -> bool:
        return ((topics is None or f.topic in topics) and (kinds is None or f.kind in kinds)
                and (allowed is None or f.sector in allowed))

    reason = f"no accepted or proposed finding with {described}"
    extra = []
    if min_conf is not None:
        weak = [f for f in ctx.findings if near(f)]
        if weak:
            extra.append(f"{len(weak)} below confidence {min_conf:g}: "
                         + ", ".join(f"{f.id} ({f.confidence:.2f})" for f in weak))
    rejected = [f for f in ctx.rejected if near(f)]
    if rejected:
        extra.append(f"rejected by the user: {', '.join(f.id for f in rejected)}")
    return reason + (f" ({'; '.join(extra)})" if extra else "")


# ---------------------------------------------------------------------------------------------
# indicator leaf


def _indicator(leaf: IndicatorLeaf, negated: bool) -> Node:
    spec = leaf.indicator
    path = parse_path(spec.name)
    op = _NEGATE[spec.op] if negated else spec.op
    if path.quantifier is not None:
        quantifier = path.quantifier
        if negated:  # not (any x: P) == all x: not P, and vice versa
            quantifier = "all" if quantifier == "any" else "any"
        return _quantified(path, spec, op, quantifier)
    return _scalar(path, spec, op)


def _yardstick(path: ParsedPath, spec: Any) -> str:
    if spec.national:
        return "national"
    if spec.comparator_median:
        return "comparator median"
    return ""


def _scalar(path: ParsedPath, spec: Any, op: str) -> Node:
    compare = _OPS[op]
    getter = path.getter
    assert getter is not None
    text = path.text
    symbol = SYMBOLS[op]
    bound = (path.sector,) if path.sector else ()
    constant = spec.value
    national = path.national
    factor = spec.factor if spec.factor is not None else 1.0
    margin = f" x {spec.factor:g}" if spec.factor is not None else ""
    national_note = f"national figure: {path.national_name}{margin}"

    def threshold_of(ctx: Context) -> tuple[float | None, str | None, str | None]:
        """(threshold, note, why unknown)."""
        if constant is not None:
            return constant, None, None
        if national is not None and spec.national:
            value = as_number(national(ctx.view))
            if value is None:
                return None, national_note, f"no national figure ({path.national_name} missing)"
            return value * factor, national_note, None
        if ctx.comparators is None:
            return None, "comparator median", "no comparator profiles given"
        value, n = ctx.median(text, getter)
        if value is None:
            return None, "comparator median", (
                f"none of the {len(ctx.comparators)} comparator profiles has {text}"
            )
        return value * factor, f"median of {n} comparator profiles{margin}", None

    yard = _yardstick(path, spec) + margin

    def node(ctx: Context) -> Outcome:
        actual = as_number(getter(ctx.view))
        threshold, note, unknown = threshold_of(ctx)
        if actual is None:
            return Leaf("indicator", text, op, None, threshold, UNKNOWN,
                                      note="value missing" if note is None else
                                      f"value missing; {note}",
                                      reason=f"{text} is missing from the profile")
        if unknown is not None:
            return Leaf("indicator", text, op, actual, None, UNKNOWN,
                                      note=unknown,
                                      reason=f"{text} = {fmt(actual)} cannot be compared with "
                                             f"the {yard}: {unknown}")
        assert threshold is not None
        if compare(actual, threshold):
            return Leaf("indicator", text, op, actual, threshold, TRUE,
                                      sectors=bound, note=note)
        need = f"{yard} {fmt(threshold)}" if yard else fmt(threshold)
        reason = f"{text} = {fmt(actual)}, needs {symbol} {need}"
        return Leaf("indicator", text, op, actual, threshold, FALSE, note=note,
                                  reason=reason)

    return node


def _quantified(path: ParsedPath, spec: Any, op: str, quantifier: str) -> Node:
    compare = _OPS[op]
    symbol = SYMBOLS[op]
    text = path.text
    display = text if quantifier == path.quantifier else text.replace(
        f".{path.quantifier}.", f".{quantifier}.")
    terms = path.terms
    constant = spec.value
    factor = spec.factor if spec.factor is not None else 1.0
    yard = _yardstick(path, spec) + (f" x {spec.factor:g}" if spec.factor is not None else "")
    field = path.field

    def node(ctx: Context) -> Outcome:
        if constant is None and spec.comparator_median and ctx.comparators is None:
            return Leaf("indicator", display, op, None, None, UNKNOWN,
                                      note="no comparator profiles given",
                                      reason=f"{display} cannot be compared with the "
                                             "comparator median: no comparator profiles given")
        passed: list[tuple[str, float, float]] = []
        failed: list[tuple[str, float, float]] = []
        missing: list[str] = []
        for term in terms:
            actual = as_number(term.getter(ctx.view))
            if constant is not None:
                threshold = constant
            elif spec.national:
                threshold = as_number(term.national(ctx.view)) if term.national else None
            else:
                threshold = ctx.median((text, term.sector), term.getter)[0]
            if threshold is not None and constant is None:
                threshold *= factor
            if actual is None or threshold is None:
                missing.append(term.sector)
            elif compare(actual, threshold):
                passed.append((term.sector, actual, threshold))
            else:
                failed.append((term.sector, actual, threshold))
        if quantifier == "any":
            truth = TRUE if passed else (UNKNOWN if missing else FALSE)
        else:
            truth = FALSE if failed else (UNKNOWN if missing else TRUE)
        shown = passed if (quantifier == "any" and passed) else failed or passed
        actual_text = ", ".join(f"{s}={fmt(a)}" for s, a, _ in shown) or None
        if constant is not None:
            threshold_out: Any = constant
        else:
            threshold_out = ", ".join(f"{s}={fmt(t)}" for s, _, t in shown) or None
        note = (f"{yard} per sector" if yard else None)
        if missing:
            miss = f"missing for {', '.join(missing)}"
            note = f"{note}; {miss}" if note else miss
        if truth == TRUE:
            bound = tuple(s for s, _, _ in passed) if quantifier == "any" else ()
            return Leaf("indicator", display, op, actual_text, threshold_out, TRUE,
                                      sectors=bound, note=note)
        need = f"{symbol} {yard or fmt(constant)}"
        if quantifier == "any":
            if failed:
                worst = ", ".join(
                    f"{s} {fmt(a)}" + (f" vs {fmt(t)}" if constant is None else "")
                    for s, a, t in failed)
                reason = f"no sector has {field} {need} ({worst})"
            else:
                reason = f"{display}: {field} is missing for every sector"
            if missing and failed:
                reason += f"; missing for {', '.join(missing)}"
        else:
            if failed:
                bad = ", ".join(
                    f"{s} {fmt(a)}" + (f" vs {fmt(t)}" if constant is None else "")
                    for s, a, t in failed)
                reason = f"not every sector has {field} {need} ({bad})"
            else:
                reason = f"{display}: {field} is missing for {', '.join(missing)}"
        return Leaf("indicator", display, op, actual_text, threshold_out, truth,
                                  note=note, reason=reason)

    return node


# ---------------------------------------------------------------------------------------------
# present and area leaves


def _present(path: ParsedPath, negated: bool) -> Node:
    op = "missing" if negated else "present"
    text = path.text

    if path.quantifier is None:
        getter = path.getter
        assert getter is not None
        bound = (path.sector,) if path.sector else ()

        def scalar(ctx: Context) -> Outcome:
            actual = as_number(getter(ctx.view))
            there = actual is not None
            ok = there != negated
            if ok:
                return Leaf("present", text, op, actual, None, TRUE,
                                          sectors=bound if there else ())
            reason = (f"{text} is missing from the profile" if not there
                      else f"{text} = {fmt(actual)} is present; the rule needs it missing")
            return Leaf("present", text, op, actual, None, FALSE, reason=reason)

        return scalar

    terms = path.terms
    quantifier = path.quantifier

    def quantified(ctx: Context) -> Outcome:
        have = [t.sector for t in terms if as_number(t.getter(ctx.view)) is not None]
        if quantifier == "any":
            there = bool(have)
        else:
            there = len(have) == len(terms)
        ok = there != negated
        actual = ", ".join(have) or None
        if ok:
            bound = tuple(have) if quantifier == "any" and not negated else ()
            return Leaf("present", text, op, actual, None, TRUE, sectors=bound)
        reason = (f"{text}: no value in the profile" if not there
                  else f"{text} has values ({actual}); the rule needs them missing")
        return Leaf("present", text, op, actual, None, FALSE, reason=reason)

    return quantified


def _area(leaf: AreaLeaf, negated: bool) -> Node:
    levels = frozenset(leaf.area.level)
    wanted = ", ".join(leaf.area.level)
    op = "not_in" if negated else "in"

    def node(ctx: Context) -> Outcome:
        level = ctx.profile.area.level
        ok = (level in levels) != negated
        if ok:
            return Leaf("area", "area.level", op, level, wanted, TRUE)
        need = "not one of" if negated else "one of"
        return Leaf("area", "area.level", op, level, wanted, FALSE,
                                  reason=f"area level is {level!r}, needs {need} {wanted}")

    return node
