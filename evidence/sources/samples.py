"""Small real data sets shipped with the project, for trying the tool on real statistics.

``load_sample_nuts2()`` - BRES employment for the 39 NUTS2 (2013) areas of Great Britain by SIC
2007 class, 2015-2018 (ONS/NOMIS via Nesta beis-indicators; see
``evidence/data/samples/LICENCE.md``). Real official statistics (``synthetic=False``), in the
project's tidy single-file layout, built by ``scripts/vendor_bres_nuts2.py``.

How it fits the data contract (``evidence.dataset``):

* NUTS2 areas are the lowest, partitioning level (``lad`` - the contract has no NUTS2 level),
  grouped to their NUTS1 region (``UKC1`` -> ``UKC``), which the cube sums from them.
* There are no all-industries rows and no Great Britain row in the originals, so an area's
  total is the sum of the 525 classes in the file and Great Britain the sum of the 39 areas;
  the 90 absent classes (listed in ``source.notes``) are in neither.
* The original files for 2010, 2011 and 2014 hold only zeros and are not included.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from evidence.dataset import DataError, Dataset
from evidence.sources.tidy import read_tidy

SAMPLES: dict[str, str] = {"nuts2": "bres_nuts2.csv.gz"}
"""Sample name -> file under ``evidence/data/samples`` (``--data sample:<name>``)."""

SAMPLE_PREFIX = "sample:"
SAMPLE_AREA_WORDS: dict[str, str] = {"nuts2": "NUTS2 area"}
"""Each sample's own word for its lowest-level areas (``SourceInfo.area_word``)."""
SAMPLE_SOURCE = ("ONS Business Register and Employment Survey via "
                 "NOMIS (derived by Nesta, beis-indicators), Open Government Licence v3.0")


def sample_path(name: str = "nuts2") -> Path:
    """Path of a bundled sample file; DataError for an unknown name."""
    try:
        file = SAMPLES[name]
    except KeyError:
        raise DataError(
            f"unknown sample {name!r}; available: {', '.join(sorted(SAMPLES))}"
        ) from None
    return Path(str(resources.files("evidence").joinpath(f"data/samples/{file}")))


def load_sample(name: str) -> Dataset:
    """Load a bundled sample by name (``nuts2``) or by ``sample:nuts2``."""
    if name.startswith(SAMPLE_PREFIX):
        name = name[len(SAMPLE_PREFIX):]
    if name == "nuts2":
        return load_sample_nuts2()
    sample_path(name)  # raises DataError naming the available samples
    raise DataError(f"no loader for sample {name!r}")  # pragma: no cover


def load_sample_nuts2() -> Dataset:
    """The real BRES NUTS2 sample as a validated Dataset (real statistics, not synthetic)."""
    path = sample_path("nuts2")
    ds = read_tidy(path)
    if ds.source.synthetic:  # pragma: no cover - guards a mis-built file
        raise DataError("the NUTS2 sample is marked synthetic; rebuild it", file=str(path))
    ds.source.kind = "sample"
    ds.source.area_word = ds.source.area_word or SAMPLE_AREA_WORDS["nuts2"]
    return ds
