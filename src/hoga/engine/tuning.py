"""Process tuning the engine applies once it is built: the cyclic garbage collector's policy.

Every resting order, event and sequenced batch is a GC-tracked object, and a running market
holds ~100k long-lived ones (the universe, the boards, the participants' quotes). With the
default thresholds (700 allocations per young collection) the collector keeps re-walking young
survivors and, on every full pass, the whole heap: measured at 10–25 % of the engine's time.

:func:`apply_gc_policy` (called by :class:`hoga.engine.runtime.MarketRunner` when it starts, and by
the engine benchmark the same way):

- ``gc.freeze()`` moves everything alive after start-up (instruments, calendars, seeded books)
  into the permanent generation, so later collections never traverse it again;
- raises the young-generation threshold to :data:`GC_THRESHOLDS` — a young collection every 50k
  net allocations instead of 700. Nothing in the engine relies on prompt collection of cycles
  (resting orders drop their ``prev``/``next`` links when they leave the book; events and batches
  hold no cycles), so memory only grows by the short-lived garbage between collections.

:func:`apply_switch_interval` (also called by the runner) shortens the interpreter's thread
switch interval from 5 ms to :data:`SWITCH_INTERVAL_S`. The server's worker threads (the record
chain's flush, market-data writes, the brokerage's group commits) run Python code for several
milliseconds at a time; with 5 ms slices the event loop waits up to 5 ms for the GIL each time
one of them holds it, which shows directly in the tail latency of requests.

The domain never touches ``gc``; this is the only module that does.
"""

from __future__ import annotations

import gc
import sys

__all__ = ["GC_THRESHOLDS", "SWITCH_INTERVAL_S", "apply_gc_policy", "apply_switch_interval"]

#: The thread switch interval of a serving process (seconds; CPython's default is 0.005).
SWITCH_INTERVAL_S = 0.001


def apply_switch_interval(seconds: float = SWITCH_INTERVAL_S) -> float:
    """Set the interpreter's thread switch interval; returns the previous one."""
    previous = sys.getswitchinterval()
    sys.setswitchinterval(seconds)
    return previous


#: (young, middle, old) collection thresholds applied by :func:`apply_gc_policy`.
GC_THRESHOLDS = (50_000, 50, 100)


def apply_gc_policy(*, freeze: bool = True) -> tuple[int, int, int]:
    """Freeze what is alive now (``freeze``) and raise the GC thresholds; returns the previous
    thresholds (so a test or a benchmark can put them back)."""
    previous = gc.get_threshold()
    if freeze:
        gc.collect()
        gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)
    return previous
