"""Everything an exported report needs, gathered once: :class:`ReportBundle`.

A bundle is the walkthrough's results (:class:`policy.walkthrough.WalkthroughResults`, from the
same :func:`policy.walkthrough.run_walkthrough` the pages use) plus the labels a report prints
around them: the data source, the comparator table, the time series, the workshop. It makes no
domain calls of its own, so the report's numbers are the pages' numbers. On a partial session
the walkthrough fills gaps with the tool's defaults and says so (``bundle.defaults_used``,
printed in the report): no findings reviewed, no interventions chosen (the top
:data:`policy.walkthrough.TOP_N`, minus any dropped), no appraisal options saved.

Writers (:mod:`policy.export.to_docx` and friends) only read a bundle; images are rendered
once per bundle and cached (:meth:`ReportBundle.images`), so writing several formats from one
bundle renders each chart once.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import networkx as nx

from evidence.area_analysis import analysis_of, cluster_map_frame
from evidence.hexmap import hex_positions, no_map_reason
from evidence.models import AreaProfile, Finding
from policy.appraisal import AppraisalResults, AppraisalState, EvaluationPlan
from policy.catalogue import Intervention, MixDiagnostics
from policy.mix import MixReport
from policy.session import StrategySession
from policy.walkthrough import WalkthroughResults, run_walkthrough

if TYPE_CHECKING:
    from evidence.service import Evidence
    from policy.export.images import ReportImage
    from rules.loader import RuleSet

__all__ = ["ReportBundle", "build_bundle", "bundle_from_results"]



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
    cluster_map: list[dict[str, Any]] = field(default_factory=list)
    """Districts with hex positions, the map sector's LQ and LISA (the Analysis view's map)."""
    cluster_map_sector: str | None = None
    cluster_map_note: str | None = None
    """Why there is no cluster map, when the data's areas have no positions (NUTS2 areas)."""
    source_rounding: int | None = None
    source_suppressed_cells: int = 0
    source_notes: list[str] = field(default_factory=list)
    workshop: dict[str, Any] | None = None
    evaluation: EvaluationPlan | None = None
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
            # Imports deferred to here: the figure modules load altair and vl-convert
            # (0.2-0.3 s), which a JSON or spreadsheet export never uses (issue 14).
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
            "evaluation": self.evaluation.model_dump(mode="json") if self.evaluation else None,
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

    The results come from :func:`policy.walkthrough.run_walkthrough`, the same path the pages
    take; this adds only what a report needs around them (source labels, the comparator table,
    the time series, the workshop). ``workshop`` defaults to ``session.workshop``. Raises
    ``ValueError`` with a plain message when the session has no area or the area is not in the
    data.
    """
    run = run_walkthrough(session, evidence, ruleset, catalogue, n_draws=n_draws)
    return bundle_from_results(session, run, workshop=workshop)


def bundle_from_results(
    session: StrategySession, run: WalkthroughResults, *, workshop: dict[str, Any] | None = None
) -> ReportBundle:
    """A bundle around results the caller already has (the export page reuses the page's)."""
    profile = run.profile
    comparator_rows = [_comparator_row(profile, True)] + [
        _comparator_row(p, False) for p in run.comparators
    ]
    source = run.evidence.dataset.source
    if workshop is None:
        workshop = dict(session.workshop) if session.workshop else None
    return ReportBundle(
        session=session,
        profile=profile,
        source_label=source.label(),
        synthetic=bool(source.synthetic or profile.synthetic),
        recommendations=run.recommendations.model_dump(mode="json"),
        chosen=run.chosen,
        chosen_basis=run.chosen_basis,
        catalogue=run.catalogue,
        graph=run.graph,
        diagnostics=run.diagnostics,
        appraisal=run.appraisal,
        results=run.results,
        mix=run.mix,
        option_mixes=run.option_mixes,
        intended_impacts=run.intended_impacts,
        rejected_findings=run.rejected_findings,
        comparator_rows=comparator_rows,
        timeseries=_timeseries(run.evidence, profile),
        cluster_map_sector=(sector := _map_sector(profile)),
        cluster_map=(cluster := _cluster_map(run.evidence, profile, sector)),
        cluster_map_note=None if cluster else _no_map_note(run.evidence),
        source_rounding=source.rounding,
        source_suppressed_cells=int(source.suppressed_cells or 0),
        source_notes=list(source.notes),
        workshop=workshop or None,
        evaluation=run.evaluation,
        defaults_used=list(run.defaults_used),
        warnings=list(run.warnings),
    )


def _comparator_row(p: AreaProfile, is_focus: bool) -> dict[str, Any]:
    return {"area_code": p.area.code, "area_name": p.area.name, "am_jobs": p.am_jobs,
            "am_share": p.am_share, "total_jobs": p.total_jobs, "is_focus": is_focus}


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


def _map_sector(profile: AreaProfile) -> str | None:
    """The sector the Analysis view opens its map on: the area's highest LQ."""
    rows = [r for r in profile.sectors if r.lq is not None]
    return max(rows, key=lambda r: r.lq or 0.0).sector if rows else None


def _no_map_note(ev: Evidence) -> str | None:
    """The Analysis tab's reason for no map, when no area of the data has a hex position."""
    if hex_positions(ev.cube.areas, ev.dataset.source.synthetic)[["q", "r"]].notna().all(
            axis=1).any():
        return None  # some area has a position: the map is missing for another reason
    return no_map_reason(ev.cube.areas, ev.dataset.source)


def _cluster_map(ev: Evidence, profile: AreaProfile, sector: str | None) -> list[dict[str, Any]]:
    if sector is None or not (ev.cube.areas["level"] == "lad").any():
        return []
    try:
        ind = ev.indicators(profile.period.start, profile.period.end)
    except (KeyError, ValueError):
        return []
    frame = cluster_map_frame(analysis_of(ind, ev.dataset.source.synthetic), sector)
    return frame.to_dict("records")
