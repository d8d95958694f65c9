"""Batches built with Python's cyclic garbage collector paused, their objects kept out of the
young generations.

A batch of results (every district's profile, every district's recommendations) is a forest of
trees: models holding lists of models, no reference cycles, nothing the cyclic collector could
free. Yet 360 district profiles with their analysis are ~200,000 tracked objects. With the
collector running they set off hundreds of young collections, dozens of middle ones and, as the
survivors pile up, a few full collections of everything alive in the process (the national
demo's arrays, pandas, every cached analysis): 0.3-0.8 s a batch on the full demo
(``benchmarks/profiles.py``), as much as building the profiles. Paused, the batch's objects were
still looked at twice after it: once by the young collection the re-enabled collector starts
at once, and again in the next middle collection (70-120 ms each for the profiles of the full
demo, 2026-12 measurements), and both find nothing.

So on the way out the objects made while paused go straight to the oldest generation
(``gc.freeze`` then ``gc.unfreeze``: the permanent generation is merged into the oldest, and the
young counts start again from zero). Nothing is hidden or leaked: reference counting frees
every temporary at once and every result when its last user drops it, and a cycle made during
the batch, if there were one, is found by the next full collection, which looks at the oldest
generation as it always does. Where objects are already frozen (the app freezes its long-lived
caches once, ``ui.state.settle``) unfreezing would undo that, so there the collector is simply
re-enabled and does its young collection.

Only code that builds such trees uses this, and only around the batch: the collector's state
is restored on the way out, exceptions included, and a caller that had paused it keeps it
paused (and its young generation as it is).
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector for a batch, restoring its state after (the batch's
    objects moved to the oldest generation, see the module's note)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            promote_young()
            gc.enable()


def promote_young() -> bool:
    """Move the young and middle generations into the oldest without scanning them; False
    (nothing moved) when objects are frozen, since unfreezing would thaw them too."""
    if gc.get_freeze_count():
        return False
    gc.freeze()
    gc.unfreeze()
    return True
