"""Loading the intervention catalogue from its YAML files, one file per intervention.

``<id>.yaml`` files are validated field by field (:mod:`policy.catalogue.models`) and their
causal chains structurally (:func:`policy.catalogue.chains.validate_chain`), so a file that
loads is a file whose chain can be drawn and merged. YAML is read with ``yaml.safe_load`` only.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

from pydantic import (
    ValidationError,
)

from policy.catalogue.chains import CausalChainError, chain_graph, validate_chain
from policy.catalogue.models import Intervention
from policy.catalogue.vocabulary import (
    CatalogueError,
    CatalogueIssue,
    SharedVocabulary,
    as_dir,
    issues_from,
    load_shared_nodes,
    packaged_dir,
    packaged_vocabulary,
    read_yaml,
)


def parse_intervention(
    raw: Any, label: str, vocabulary: SharedVocabulary | None = None
) -> Intervention:
    """Validate one intervention's raw mapping (from YAML) and its causal chain.

    ``label`` names the source in errors. The chain is checked structurally with
    :func:`policy.causal.validate_chain` as well as field by field, so a file that loads is a
    file whose chain can be drawn and merged.
    """
    vocab = vocabulary or packaged_vocabulary()
    guess = Path(label).stem
    if not isinstance(raw, Mapping):
        issue = CatalogueIssue(message=f"expected a mapping of fields, got {type(raw).__name__}",
                               code="not_a_mapping")
        raise CatalogueError(label, guess, [issue])
    intervention_id = raw.get("id") if isinstance(raw.get("id"), str) else guess
    try:
        intervention = Intervention.model_validate(raw, context={"shared_nodes": vocab})
    except ValidationError as exc:
        raise CatalogueError(label, intervention_id, issues_from(exc, raw)) from exc
    missing = _required_in_files(intervention)
    if missing:
        raise CatalogueError(label, intervention.id, missing)
    try:
        validate_chain(chain_graph(intervention), intervention.id)
    except CausalChainError as exc:
        issues = [CatalogueIssue(column="causal_chain", message=p.message, node=p.node,
                                 code=p.code) for p in exc.problems]
        raise CatalogueError(label, intervention.id, issues) from exc
    return intervention


def _required_in_files(intervention: Intervention) -> list[CatalogueIssue]:
    """Fields optional in the model (so code can build one) that every catalogue file needs:
    who delivers it, and the SMS level and studies its evidence rating rests on."""
    issues = []
    if intervention.delivery is None:
        issues.append(CatalogueIssue(column="delivery", code="missing", message=(
            "say who would lead and who partners locally (delivery: lead, partners)")))
    if intervention.evidence.sms_level is None:
        issues.append(CatalogueIssue(column="evidence.sms_level", code="missing", message=(
            "name the Maryland SMS level and the studies the rating rests on "
            "(evidence: sms_level, rests_on; see _evidence_scale.yaml)")))
    return issues


def load_catalogue(directory: str | Path | Traversable | None = None) -> dict[str, Intervention]:
    """Load every ``<id>.yaml`` intervention in ``directory`` (default: the packaged catalogue).

    Returns interventions keyed by id, in file-name order. The packaged catalogue is parsed
    once per process (Streamlit reruns the script on every interaction) and a fresh dict is
    returned each call; the models themselves are frozen.
    """
    if directory is None:
        return dict(_packaged_catalogue())
    return _load_dir(as_dir(directory))


@lru_cache(maxsize=1)
def _packaged_catalogue() -> dict[str, Intervention]:
    return _load_dir(packaged_dir())


def _load_dir(folder: Traversable) -> dict[str, Intervention]:
    vocab = load_shared_nodes(folder)
    entries = sorted(
        (e for e in folder.iterdir() if e.name.endswith(".yaml") and not e.name.startswith("_")),
        key=lambda e: e.name,
    )
    catalogue: dict[str, Intervention] = {}
    for entry in entries:
        label = str(entry) if isinstance(entry, Path) else f"policy/catalogue/{entry.name}"
        intervention = parse_intervention(read_yaml(entry, label), label, vocab)
        stem = entry.name.removesuffix(".yaml")
        if intervention.id != stem:
            raise CatalogueError(
                label,
                intervention.id,
                [CatalogueIssue(
                    column="id", code="id_mismatch",
                    message=f"id {intervention.id!r} must match the file name {stem!r}")],
            )
        catalogue[intervention.id] = intervention
    return catalogue
