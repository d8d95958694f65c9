"""Batches built with Python's cyclic garbage collector paused.

A batch of results (every district's profile, every district's recommendations) is a forest of
trees: models holding lists of models, no reference cycles, nothing the cyclic collector could
free. Yet 360 district profiles are ~200,000 tracked objects. With the collector running they
set off hundreds of young collections, dozens of middle ones and, as the survivors pile up, a
few full collections of everything alive in the process (the national demo's arrays, pandas,
every cached analysis): 0.3-0.8 s a batch on the full demo (``benchmarks/profiles.py``), as
much as building the profiles. Paused, the new objects are looked at once, in the young
collection after the batch (the benchmarks time that collection with the batch). Reference
counting still frees every temporary at once, so memory does not grow while paused.

Only code that builds such trees uses this, and only around the batch: the collector's state
is restored on the way out, exceptions included, and a caller that had paused it keeps it
paused.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector for a batch, restoring its state after."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
