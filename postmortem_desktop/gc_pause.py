"""Pausing Python's cyclic garbage collector while a reader or an import makes many acyclic objects.

Hundreds of thousands of rows become long-lived tuples with no cycles; the collector would walk them
again and again (about 0.4 s per 100k rows), so it waits. On the way out the survivors are frozen
(gc.freeze): otherwise the collector's first pass after it is switched back on scans every one of
them at once, holding the GIL, and a window whose import ran on a worker froze for 1.7 s right after
a 100k-row redo finished. Freezing leaves them to reference counting, which frees them all the same.
"""
from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """No cyclic collection inside; what survives is frozen on the way out (see the module's note)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:  # a paused caller (nested readers) keeps its own pause and its own freeze
            gc.freeze()
            gc.enable()
