"""The analysts' cost-benefit file: ``policymix cba --input FILE.json [--format json|md]``.

The file holds, in GBP million at real (constant) prices by appraisal year (0 = first year of
spend):

- ``costs``: a list of ``{"year", "amount", "type": "capital" | "revenue", "public": bool}``
  (``label`` optional);
- ``benefits``: a list of ``{"year", "amount"}`` rows, or of streams ``{"start_year", "years",
  "amount"}`` (``persistence`` optional, the share of the effect left a year later; ``label``
  optional); ``streams`` may also be given as its own list;
- ``additionality``: ``deadweight``, ``displacement``, ``leakage``, ``substitution`` (fractions
  0-1) and ``multiplier`` (> 0); ``additionality_uk`` optionally, for the UK-level view;
- ``optimism_bias`` (optional): ``{"category": ...}`` (its upper bound, for every cost) or
  ``{"percent": ...}``; without it each cost gets the default for its type of spend;
- ``first_year``, ``bcr_threshold``, ``benefits_optimism_pct`` (optional).

Every problem names its field (``costs[2].year``), so a typo is fixed at once; the output keys
are fixed (see :func:`cba_file_output`). The arithmetic is :func:`policy.appraisal.cba.appraise_cba`
(Green Book 2022).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from evidence.problems import Problem, ProblemError
from policy.appraisal.cba import (
    MAX_YEAR,
    OPTIMISM_BIAS_TABLE,
    SPEND_TYPES,
    VFM_SOURCE,
    Additionality,
    BenefitStream,
    CashflowLine,
    CbaInputs,
    CbaResult,
    OptimismBiasApplied,
)

FACTORS = ("deadweight", "displacement", "leakage", "substitution")
TOP_LEVEL = {
    "costs", "benefits", "streams", "additionality", "additionality_uk", "optimism_bias",
    "first_year", "bcr_threshold", "benefits_optimism_pct", "option_id",
}


class CbaFileError(ProblemError):
    """Problems in a cost-benefit input file, each naming its field."""


class _Reader:
    def __init__(self, source: str | None) -> None:
        self.source = source
        self.problems: list[Problem] = []

    def bad(self, field: str, message: str) -> None:
        self.problems.append(Problem(file=self.source, column=field, message=message))

    def number(self, obj: Mapping[str, Any], key: str, where: str, *, required: bool = True,
               low: float | None = None, high: float | None = None,
               above: float | None = None) -> float | None:
        field = f"{where}.{key}" if where else key
        if key not in obj or obj[key] is None:
            if required:
                self.bad(field, "is missing")
            return None
        v = obj[key]
        if isinstance(v, bool) or not isinstance(v, int | float):
            self.bad(field, f"must be a number, got {v!r}")
            return None
        v = float(v)
        if not math.isfinite(v):
            self.bad(field, f"must be a finite number, got {v}")
            return None
        if low is not None and v < low or high is not None and v > high:
            hint = " (give a fraction: 0.25 for 25%)" if high == 1.0 and v > 1 else ""
            self.bad(field, f"must be between {low:g} and {high:g}{hint}, got {v:g}"
                     if high is not None else f"must be >= {low:g}, got {v:g}")
            return None
        if above is not None and v <= above:
            self.bad(field, f"must be > {above:g}, got {v:g}")
            return None
        return v

    def year(self, obj: Mapping[str, Any], key: str, where: str, low: int = 0) -> int | None:
        field = f"{where}.{key}"
        v = obj.get(key)
        if v is None:
            self.bad(field, "is missing")
            return None
        if isinstance(v, bool) or not (isinstance(v, int) or isinstance(v, float)
                                       and math.isfinite(v) and v.is_integer()):
            self.bad(field, f"must be a whole number of years, got {v!r}")
            return None
        if not low <= int(v) <= MAX_YEAR:
            self.bad(field, f"must be between {low} and {MAX_YEAR} (year 0 = first year of "
                     f"spend), got {int(v)}")
            return None
        return int(v)

    def records(self, data: Mapping[str, Any], key: str) -> list[tuple[str, Mapping[str, Any]]]:
        raw = data.get(key, [])
        if not isinstance(raw, list):
            self.bad(key, f"must be a list of objects, got {type(raw).__name__}")
            return []
        out = []
        for i, item in enumerate(raw):
            if not isinstance(item, Mapping):
                self.bad(f"{key}[{i}]", f"must be an object, got {item!r}")
                continue
            out.append((f"{key}[{i}]", item))
        return out

    def additionality(self, data: Mapping[str, Any], key: str) -> Additionality | None:
        raw = data.get(key)
        if raw is None:
            return None
        if not isinstance(raw, Mapping):
            self.bad(key, "must be an object with deadweight, displacement, leakage, "
                     "substitution and multiplier")
            return None
        for extra in sorted(set(raw) - {*FACTORS, "multiplier"}):
            self.bad(f"{key}.{extra}", "is not an additionality factor (known: "
                     + ", ".join((*FACTORS, "multiplier")) + ")")
        values = {f: self.number(raw, f, key, required=False, low=0.0, high=1.0)
                  for f in FACTORS}
        mult = self.number(raw, "multiplier", key, required=False, above=0.0)
        return Additionality(**{f: v for f, v in values.items() if v is not None},
                            **({"multiplier": mult} if mult is not None else {}),
                            basis=dict.fromkeys((*FACTORS, "multiplier"), "input file"))


def _costs(r: _Reader, data: Mapping[str, Any]) -> list[CashflowLine]:
    grouped: dict[tuple[str, str, bool], dict[int, float]] = {}
    for where, item in r.records(data, "costs"):
        year = r.year(item, "year", where)
        amount = r.number(item, "amount", where, low=0.0)
        kind = item.get("type")
        if kind not in SPEND_TYPES:
            r.bad(f"{where}.type", f"must be 'capital' or 'revenue', got {kind!r}")
        public = item.get("public", True)
        if not isinstance(public, bool):
            r.bad(f"{where}.public", f"must be true or false, got {public!r}")
        label = item.get("label")
        if label is not None and not (isinstance(label, str) and label.strip()):
            r.bad(f"{where}.label", f"must be a non-empty text, got {label!r}")
        if year is None or amount is None or kind not in SPEND_TYPES or not isinstance(
                public, bool):
            continue
        name = str(label).strip() if label else (
            f"{kind} costs ({'public' if public else 'private'})")
        key = (name, str(kind), public)
        grouped.setdefault(key, {})
        grouped[key][year] = grouped[key].get(year, 0.0) + amount
    return [CashflowLine(label=name, kind="cost", amounts=amounts, spend_type=kind,  # type: ignore[arg-type]
                         public=public) for (name, kind, public), amounts in grouped.items()]


def _benefits(
    r: _Reader, data: Mapping[str, Any]
) -> tuple[list[CashflowLine], list[BenefitStream]]:
    rows: dict[str, dict[int, float]] = {}
    streams: list[BenefitStream] = []
    items = r.records(data, "benefits") + r.records(data, "streams")
    for n, (where, item) in enumerate(items):
        label = item.get("label")
        if label is not None and not (isinstance(label, str) and label.strip()):
            r.bad(f"{where}.label", f"must be a non-empty text, got {label!r}")
            label = None
        amount = r.number(item, "amount", where, low=0.0)
        if "start_year" in item or where.startswith("streams"):
            start = r.year(item, "start_year", where)
            length = r.year(item, "years", where, low=1) if "years" in item else (
                r.year(item, "length", where, low=1))
            persistence = r.number(item, "persistence", where, required=False, low=0.0,
                                   high=1.0)
            if start is None or length is None or amount is None:
                continue
            if start + length - 1 > MAX_YEAR:
                r.bad(f"{where}.years", f"the stream ends after year {MAX_YEAR}")
                continue
            streams.append(BenefitStream(
                label=str(label or f"benefit stream {n + 1}"), start_year=start, years=length,
                amount_gbp_m=amount, persistence=1.0 if persistence is None else persistence))
        else:
            year = r.year(item, "year", where)
            if year is None or amount is None:
                continue
            name = str(label or "benefits")
            rows.setdefault(name, {})
            rows[name][year] = rows[name].get(year, 0.0) + amount
    lines = [CashflowLine(label=k, kind="benefit", amounts=v) for k, v in rows.items()]
    return lines, streams


def _optimism(r: _Reader, data: Mapping[str, Any]) -> dict[str, Any]:
    raw = data.get("optimism_bias")
    if raw is None:
        return {}
    if not isinstance(raw, Mapping) or not ({"category", "percent"} & set(raw)):
        r.bad("optimism_bias", 'must be {"category": ...} or {"percent": ...}')
        return {}
    out: dict[str, Any] = {}
    if "category" in raw:
        if raw["category"] not in OPTIMISM_BIAS_TABLE:
            r.bad("optimism_bias.category", f"unknown category {raw['category']!r} (known: "
                  + ", ".join(OPTIMISM_BIAS_TABLE) + ")")
        else:
            out["project_type"] = raw["category"]
    if "percent" in raw:
        pct = r.number(raw, "percent", "optimism_bias", low=0.0)
        if pct is not None:
            out["optimism_bias_pct"] = pct
    return out


def parse_cba_file(data: Any, source: str | None = None) -> CbaInputs:
    """The CBA inputs of a parsed JSON file; raises :class:`CbaFileError` listing every
    problem, each with its field (``costs[2].year``)."""
    r = _Reader(source)
    if not isinstance(data, Mapping):
        raise CbaFileError([Problem(file=source, message="the file must hold a JSON object "
                                    "with costs, benefits and additionality")])
    for extra in sorted(set(data) - TOP_LEVEL):
        r.bad(extra, "is not a field of the cost-benefit file (known: "
              + ", ".join(sorted(TOP_LEVEL)) + ")")
    if not data.get("costs"):
        r.bad("costs", "is missing or empty: give at least one cost row")
    costs = _costs(r, data)
    lines, streams = _benefits(r, data)
    add = r.additionality(data, "additionality") or Additionality()
    add_uk = r.additionality(data, "additionality_uk")
    extra: dict[str, Any] = _optimism(r, data)
    if data.get("first_year") is not None:
        fy = r.number(data, "first_year", "", low=1900.0, high=2200.0)
        if fy is not None:
            extra["first_year"] = int(fy)
    for key, lo, hi in (("bcr_threshold", 0.0, None), ("benefits_optimism_pct", 0.0, 100.0)):
        if data.get(key) is not None:
            v = r.number(data, key, "", low=lo, high=hi)
            if v is not None:
                extra[key] = v
    if r.problems:
        raise CbaFileError(r.problems)
    try:
        return CbaInputs(option_id=str(data.get("option_id") or "") or None, lines=costs + lines,
                         streams=streams, additionality=add, additionality_uk=add_uk, **extra)
    except ValueError as exc:
        raise CbaFileError([Problem(file=source, message=str(exc))]) from None


def _applied(result: CbaResult) -> dict[str, Any]:
    obs: list[OptimismBiasApplied] = result.optimism_bias_applied
    if len(obs) == 1:
        o = obs[0]
        return {"percent": o.percent, "category": o.category, "basis": o.basis,
                "by_type": [o.model_dump()]}
    return {
        "percent": result.optimism_bias_pct,
        "category": "mixed" if obs else None,
        "basis": "; ".join(f"{o.spend_type}: {o.percent:g}% ({o.label}). {o.basis}"
                           for o in obs) or "no costs",
        "by_type": [o.model_dump() for o in obs],
    }


def cba_file_output(result: CbaResult) -> dict[str, Any]:
    """The JSON output of ``policymix cba``: fixed keys, GBP million, real prices."""
    return {
        "additionality_factor": result.additionality_factor,
        "additionality_factor_uk": result.additionality_factor_uk,
        "discount_factors": {str(y.year): y.discount_factor for y in result.years},
        "pv_costs": result.pv_costs,
        "pv_private_costs": result.pv_private_costs,
        "pv_benefits": result.pv_benefits,
        "pv_benefits_gross": result.pv_benefits_gross,
        "pv_benefits_uk": result.pv_benefits_uk,
        "npv": result.npv,
        "bcr": result.bcr,
        "bcr_uk": result.bcr_uk,
        "vfm_category": result.vfm_category,
        "vfm_source": VFM_SOURCE,
        "optimism_bias_applied": _applied(result),
        "switching_values": result.switching.model_dump(),
        "sensitivity": [c.model_dump() for c in result.sensitivity],
    }


def _f(v: float | None, fmt: str = ",.2f") -> str:
    return "-" if v is None else format(v, fmt)


def cba_file_markdown(result: CbaResult) -> str:
    """The same result as a short Markdown note for a business case."""
    sv = result.switching
    ob = _applied(result)
    out = [
        "# Cost-benefit analysis (Green Book 2022)",
        "",
        f"- PV public costs (after optimism bias): GBP {_f(result.pv_costs)}m",
        f"- PV private co-funding: GBP {_f(result.pv_private_costs)}m",
        f"- PV net additional benefits: GBP {_f(result.pv_benefits)}m (additionality factor "
        f"{result.additionality_factor:.3f})",
        f"- Social NPV: GBP {_f(result.npv, '+,.2f')}m",
        f"- BCR on public cost: {_f(result.bcr)}; value for money: "
        f"{result.vfm_label or 'not assessed'} ({VFM_SOURCE})",
        f"- Optimism bias: {_f(ob['percent'], '.0f')}% ({ob['category']}). {ob['basis']}",
        f"- Switching values: {sv.sentence()}",
    ]
    if result.bcr_uk is not None:
        out.append(f"- UK level: PV benefits GBP {_f(result.pv_benefits_uk)}m, BCR "
                   f"{_f(result.bcr_uk)} (additionality {result.additionality_factor_uk:.3f})")
    if result.sensitivity:
        out += ["", "## Sensitivity", "", "| Case | NPV (GBP m) | BCR | VfM |",
                "|---|---:|---:|---|"]
        out += [f"| {c.label} | {_f(c.npv, '+,.2f')} | {_f(c.bcr)} | {c.vfm_category or '-'} |"
                for c in result.sensitivity]
    out += ["", "## Discount factors", "", "| Year | DF |", "|---:|---:|"]
    out += [f"| {y.year} | {y.discount_factor:.4f} |" for y in result.years]
    return "\n".join(out) + "\n"
