"""Everything an exported report needs, gathered once: :class:`ReportBundle`.

:func:`build_bundle` runs the same plain function calls the walkthrough does - evidence profile,
rules, catalogue, merged causal chains, appraisal, mix checks - on a (possibly partial)
:class:`~policy.session.StrategySession`, filling gaps with the tool's defaults and saying so:

* no area chosen: ``ValueError`` (there is nothing to report on);
* no findings edited yet: the profile's own findings, all still "proposed";
* no chosen interventions: the top :data:`DEFAULT_TOP_N` recommendations, minus any the user
  dropped (the app's own default, :func:`policy.pipeline.chosen_or_default`);
* no appraisal options saved: :func:`policy.appraisal_state.default_appraisal` on the chosen
  interventions, as the app's appraisal page does on a first visit.

Each default used is recorded in ``bundle.defaults_used`` and printed in the report, so a
reader knows which parts are the tool's starting point rather than the partnership's decision.

Writers (:mod:`policy.export.docx_writer` and friends) only read a bundle; images are rendered
once per bundle and cached (:meth:`ReportBundle.images`), so writing several formats from one
bundle renders each chart once.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import networkx as nx

from evidence.models import AreaProfile, Finding
from policy.appraisal_state import (
    AppraisalResults,
    AppraisalState,
    default_appraisal,
    default_option_intervention,
    run_appraisal,
)
from policy.catalogue import Intervention, load_catalogue
from policy.causal import MixDiagnostics, merge_chains, mix_diagnostics
from policy.mix import MixReport, mix_report
from policy.options import Option
from policy.session import StrategySession

if TYPE_CHECKING:
    from evidence.service import Evidence
    from policy.export.images import ReportImage
    from rules.loader import RuleSet

__all__ = ["CHOSEN_MIX_ID", "DEFAULT_TOP_N", "ReportBundle", "build_bundle"]

DEFAULT_TOP_N = 5
"""Interventions taken from the top of the ranking when the session has chosen none (the app's
default in :func:`policy.pipeline.chosen_or_default` and :data:`policy.defaults.TOP_CHOSEN`)."""

CHOSEN_MIX_ID = "chosen_mix"
"""Option id used for the chosen interventions when no appraisal option holds exactly them."""


@dataclass
class ReportBundle:
    """The inputs and results of one strategy session, ready to be written in any format.

    ``profile`` carries the session's findings that stand (as edited; the ones the rules saw)
    when it has any, else the profile's own; ``rejected_findings`` are the ones the user
    rejected. ``recommendations`` is the rules engine's
    ``model_dump(mode="json")``. ``graph`` is the merged causal chain of ``chosen`` and
    ``diagnostics`` its gaps and overlaps against ``intended_impacts`` (None = every impact in
    the shared vocabulary). ``mix`` checks the chosen interventions as one option; ``option_mixes``
    checks each short-listed non-baseline option. ``workshop`` is filled by the workshop feature
    (participants, aggregated scores, contributions) and rendered when present.
    """

    session: StrategySession
    profile: AreaProfile
    source_label: str
    synthetic: bool
    recommendations: dict[str, Any]
    chosen: list[Intervention]
    chosen_basis: str
    catalogue: dict[str, Intervention]
    graph: nx.DiGraph
    diagnostics: MixDiagnostics | None
    appraisal: AppraisalState
    results: AppraisalResults
    mix: MixReport | None
    option_mixes: dict[str, MixReport] = field(default_factory=dict)
    intended_impacts: list[str] | None = None
    rejected_findings: list[Finding] = field(default_factory=list)
    comparator_rows: list[dict[str, Any]] = field(default_factory=list)
    timeseries: list[dict[str, Any]] = field(default_factory=list)
    source_rounding: int | None = None
    source_suppressed_cells: int = 0
    source_notes: list[str] = field(default_factory=list)
    workshop: dict[str, Any] | None = None
    defaults_used: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    generated_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    _images: dict[str, ReportImage] | None = field(default=None, repr=False, compare=False)

    # -- convenience ---------------------------------------------------------------------

    @property
    def title(self) -> str:
        return self.session.title or "Advanced manufacturing strategy"

    @property
    def area_label(self) -> str:
        a = self.profile.area
        return f"{a.name} ({a.code})"

    @property
    def period_label(self) -> str:
        return f"{self.profile.period.start}-{self.profile.period.end}"

    @property
    def chosen_ids(self) -> list[str]:
        return [iv.id for iv in self.chosen]

    def findings_by_id(self) -> dict[str, Finding]:
        """Every finding of the session (rejected ones too), by id."""
        return {f.id: f for f in [*self.profile.findings, *self.rejected_findings]}

    def intervention_name(self, intervention_id: str) -> str:
        iv = self.catalogue.get(intervention_id)
        return iv.name if iv is not None else intervention_id

    def option_name(self, option_id: str) -> str:
        for opt in self.appraisal.options:
            if opt.id == option_id:
                return opt.name
        return option_id

    @property
    def data_notes(self) -> list[str]:
        """Notes on the data from the profile and the source, each once."""
        return list(dict.fromkeys([*self.profile.notes, *self.source_notes]))

    def images(self) -> dict[str, ReportImage]:
        """Charts and diagrams as PNG (and SVG for diagrams), rendered once and cached."""
        if self._images is None:
            from policy.export.images import render_images

            self._images = render_images(self)
        return self._images

    def to_json_dict(self) -> dict[str, Any]:
        """The bundle's data as plain JSON types (what the JSON export writes); NaN -> None."""
        return _finite({
            "format": "policymix-report",
            "format_version": 1,
            "generated_at": self.generated_at.isoformat(timespec="seconds"),
            "source": {
                "label": self.source_label,
                "synthetic": self.synthetic,
                "rounding": self.source_rounding,
                "suppressed_cells": self.source_suppressed_cells,
                "notes": list(self.source_notes),
            },
            "session": self.session.model_dump(mode="json"),
            "profile": self.profile.model_dump(mode="json"),
            "recommendations": self.recommendations,
            "chosen_interventions": {
                "basis": self.chosen_basis,
                "items": [
                    {"id": iv.id, "name": iv.name, "family": iv.family,
                     "target_type": iv.target_type}
                    for iv in self.chosen
                ],
            },
            "causal": {
                "intended_impacts": self.intended_impacts,
                "graph": graph_json(self.graph),
                "diagnostics": (
                    self.diagnostics.model_dump(mode="json") if self.diagnostics else None
                ),
            },
            "appraisal": {
                "state": self.appraisal.model_dump(mode="json"),
                "results": self.results.model_dump(mode="json"),
            },
            "mix": self.mix.model_dump(mode="json") if self.mix else None,
            "option_mixes": {k: v.model_dump(mode="json") for k, v in self.option_mixes.items()},
            "comparators": self.comparator_rows,
            "workshop": self.workshop,
            "defaults_used": list(self.defaults_used),
            "warnings": list(self.warnings),
        })


def graph_json(graph: nx.DiGraph) -> dict[str, Any]:
    """Nodes and edges of a chain graph with sets turned into sorted lists."""

    def clean(data: dict[str, Any]) -> dict[str, Any]:
        out = {}
        for key, value in data.items():
            if isinstance(value, frozenset | set):
                value = sorted(value)
            out[key] = value
        return out

    return {
        "nodes": [{"id": n, **clean(d)} for n, d in graph.nodes(data=True)],
        "edges": [{"from": s, "to": t, **clean(d)} for s, t, d in graph.edges(data=True)],
    }


def _finite(value: Any) -> Any:
    """Replace NaN and infinities (not valid JSON) by None, recursively."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_finite(v) for v in value]
    return value


# --------------------------------------------------------------------------------------------
# Building


def _evidence_for(session: StrategySession, evidence: Evidence) -> Evidence:
    """The evidence with the session's custom area added (on a copy) when it is missing."""
    c = session.custom_area
    if c is None or c.code in set(evidence.cube.areas["area_code"]):
        return evidence
    from evidence.service import Evidence as _Evidence

    copy = _Evidence(dataset=evidence.dataset, cube=evidence.cube)
    copy.add_custom_area(c.code, c.name, list(c.members))
    return copy


def _chosen_option(chosen: list[Intervention], state: AppraisalState) -> Option:
    """The appraisal option holding exactly the chosen interventions, or one built for them.

    A built option takes each intervention's budget from the first appraisal option that
    funds it, else the catalogue default (cost midpoint and phasing).
    """
    wanted = {iv.id for iv in chosen}
    for opt in state.options:
        if not opt.is_baseline and {i.intervention_id for i in opt.interventions} == wanted:
            return opt
    items = []
    for iv in chosen:
        found = next(
            (i for o in state.options for i in o.interventions if i.intervention_id == iv.id),
            None,
        )
        items.append(found if found is not None else default_option_intervention(iv))
    return Option(
        id=CHOSEN_MIX_ID,
        name="Chosen mix",
        description="The interventions chosen in the session, as one package.",
        interventions=items,
    )


def build_bundle(
    session: StrategySession,
    evidence: Evidence,
    ruleset: RuleSet | None = None,
    catalogue: dict[str, Intervention] | None = None,
    *,
    workshop: dict[str, Any] | None = None,
    n_draws: int = 10_000,
) -> ReportBundle:
    """Assemble a :class:`ReportBundle` for the session's area from ``evidence``.

    Follows the app's own path (:mod:`policy.pipeline`): the session's findings replace the
    generated ones, rejected findings are left out of the rules, comparators' profiles feed the
    comparator tests. ``ruleset`` defaults to the packaged rule library and ``catalogue`` to the
    packaged intervention catalogue; ``workshop`` defaults to ``session.workshop``. Raises
    ``ValueError`` with a plain message when the session has no area or the area is not in the
    data.
    """
    from policy.pipeline import comparator_profiles, default_ruleset, session_profile
    from rules import evaluate

    if not session.area_code:
        raise ValueError(
            "the session has no area: choose an area (session.area_code) before exporting"
        )
    defaults: list[str] = []
    warnings: list[str] = []
    if catalogue is None:
        catalogue = load_catalogue()
    if ruleset is None:
        ruleset = default_ruleset()
    ev = _evidence_for(session, evidence)
    try:
        profile = session_profile(ev, session)
    except KeyError as exc:
        raise ValueError(
            f"area {session.area_code!r} is not in the data ({ev.dataset.source.name}): {exc}"
        ) from None
    if not session.findings:
        defaults.append("findings: the profile's own findings (none reviewed in the session)")
    rejected = [f for f in session.findings if f.status == "rejected"]

    comparators: list[AreaProfile] = []
    try:
        comparators = comparator_profiles(ev, profile)
    except (KeyError, ValueError) as exc:
        warnings.append(f"comparators left out of the rules: {exc}")
    recs = evaluate(ruleset, profile, comparators, interventions=list(catalogue))
    rec_json = recs.model_dump(mode="json")
    scores = {r["intervention"]: float(r["score"]) for r in rec_json["recommended"]}
    unknown_recs = [iid for iid in scores if iid not in catalogue]
    if unknown_recs:
        warnings.append(
            "recommended but not in the catalogue (left out): " + ", ".join(unknown_recs)
        )

    dropped = set(session.dropped_interventions)
    if session.chosen_interventions:
        ids = [i for i in dict.fromkeys(session.chosen_interventions) if i not in dropped]
        basis = "chosen in the session"
    else:
        ids = [i for i in scores if i not in dropped and i in catalogue][:DEFAULT_TOP_N]
        basis = f"none chosen in the session: the top {len(ids)} recommendation(s)"
        defaults.append(f"interventions: {basis}")
    missing = [i for i in ids if i not in catalogue]
    if missing:
        warnings.append(
            "chosen interventions not in the catalogue (left out): " + ", ".join(missing)
        )
    chosen = [catalogue[i] for i in ids if i in catalogue]

    state = session.appraisal
    if not state.options:
        # as the app does on first visit to the appraisal: options from the chosen interventions
        ranked = [(iv.id, scores.get(iv.id, 0.0)) for iv in chosen]
        state = default_appraisal(ranked, catalogue, profile)
        defaults.append(
            "appraisal: the tool's default options from the chosen interventions, equal "
            "weights and derived scores (no options saved in the session)"
        )
    results = run_appraisal(state, n_draws=n_draws)

    impacts_answer = session.answers.get("intended_impacts")
    intended = [str(i) for i in impacts_answer] if isinstance(impacts_answer, list) else None
    intended = intended or None
    graph = merge_chains(chosen)
    diagnostics = mix_diagnostics(graph, intended) if chosen else None
    mix = None
    if chosen:
        mix = mix_report(_chosen_option(chosen, state), catalogue, profile, state,
                         intended_impacts=intended)
    option_mixes: dict[str, MixReport] = {}
    for oid in results.kept:
        opt = next((o for o in state.options if o.id == oid), None)
        if opt is None or opt.is_baseline:
            continue
        option_mixes[oid] = mix_report(opt, catalogue, profile, state, intended_impacts=intended)

    focus = {"area_code": profile.area.code, "area_name": profile.area.name,
             "am_jobs": profile.am_jobs, "am_share": profile.am_share,
             "total_jobs": profile.total_jobs, "is_focus": True}
    comparator_rows = [focus] + [
        {"area_code": p.area.code, "area_name": p.area.name, "am_jobs": p.am_jobs,
         "am_share": p.am_share, "total_jobs": p.total_jobs, "is_focus": False}
        for p in comparators
    ]

    source = ev.dataset.source
    if workshop is None:
        workshop = dict(session.workshop) if session.workshop else None
    return ReportBundle(
        session=session,
        profile=profile,
        source_label=source.label(),
        synthetic=bool(source.synthetic or profile.synthetic),
        recommendations=rec_json,
        chosen=chosen,
        chosen_basis=basis,
        catalogue=catalogue,
        graph=graph,
        diagnostics=diagnostics,
        appraisal=state,
        results=results,
        mix=mix,
        option_mixes=option_mixes,
        intended_impacts=intended,
        rejected_findings=rejected,
        comparator_rows=comparator_rows,
        timeseries=_timeseries(ev, profile),
        source_rounding=source.rounding,
        source_suppressed_cells=int(source.suppressed_cells or 0),
        source_notes=list(source.notes),
        workshop=workshop or None,
        defaults_used=defaults,
        warnings=warnings,
    )


def _timeseries(ev: Evidence, profile: AreaProfile) -> list[dict[str, Any]]:
    try:
        frame = ev.area_timeseries(profile.area.code)
    except (KeyError, ValueError):
        return []
    frame = frame[(frame["year"] >= profile.period.start) & (frame["year"] <= profile.period.end)]
    out = []
    for row in frame.itertuples(index=False):
        jobs = None if row.employment is None or math.isnan(row.employment) else row.employment
        out.append({"sector": row.sector, "label": row.label, "year": int(row.year),
                    "employment": None if jobs is None else float(jobs)})
    return out
