"""The intervention catalogue: interventions as data, their causal chains, and drawing them.

Rooms: :mod:`~policy.catalogue.vocabulary` (closed vocabularies, shared outcome nodes, located
errors), :mod:`~policy.catalogue.models` (typed interventions), :mod:`~policy.catalogue.load`
(YAML files in, one per intervention), :mod:`~policy.catalogue.chains` (build, validate, merge,
diagnose), :mod:`~policy.catalogue.draw` (DOT, SVG, PNG, Altair). The YAML files sit beside
them in this folder.
"""

from evidence.lazy import lazy_exports

# Each name is imported from its room when first read (evidence.lazy): importing the
# package, or one room through it, does not load the others (issue 14).
__getattr__, __dir__, __all__ = lazy_exports(__name__, {
    "chains": (
        "CausalChainError", "ChainProblem", "Complementarity", "Gap", "ImpactCoverage",
        "MixDiagnostics", "Overlap", "chain_graph", "merge_chains", "mix_diagnostics",
        "validate_chain",
    ),
    "draw": (
        "diagram_size", "layered_layout", "stage_views", "to_altair", "to_dot",
        "to_png", "to_svg",
    ),
    "load": (
        "load_catalogue", "parse_intervention",
    ),
    "models": (
        "CausalChain", "CausalEdge", "CausalNode", "CostRange", "Delivery", "Evidence",
        "Intervention", "Study", "YearRange",
    ),
    "vocabulary": (
        "ACTOR_LABELS", "ACTORS", "ALL_SECTORS", "EVIDENCE_STRENGTHS", "FAMILIES",
        "ID_PATTERN", "NODE_ID_PATTERN", "QUADRANTS", "RATIONALE_CATEGORIES",
        "RATIONALE_LABELS", "RATIONALES", "SHARED_NODES_FILE", "STAGES", "TARGET_TYPES",
        "Actor", "CatalogueError", "CatalogueIssue", "EvidenceScale",
        "EvidenceStrength", "Family", "FrozenModel", "Quadrant", "SectorId",
        "SharedNode", "SharedVocabulary", "Stage", "TargetType", "as_dir",
        "evidence_scale", "issues_from", "load_shared_nodes", "packaged_dir",
        "packaged_vocabulary", "read_yaml", "sector_quadrants", "unique_values",
        "vocabulary_from_context",
    ),
})
