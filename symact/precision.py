"""mpmath's working precision, one call at a time.

mpmath keeps its precision in one process-wide context: a thread that sets 50 digits while another sets 30
would compute with the other's digits. symact sets it only through ``precision``, which holds a process-wide
lock while the precision is raised, so concurrent calls never see each other's precision. Waiting for the
lock counts against the caller's budget.

>>> with precision(30):
...     mpmath.mp.dps
30
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import mpmath

from symact.budget import check, remaining

__all__ = ["precision"]

_LOCK = threading.RLock()
_OUTSIDE: list[int] = []  # mpmath's precision (bits) before the block that holds the lock, while one does


def _forked() -> None:
    """In a forked child: where another thread held the lock at the fork (a thread the child lacks, which will
    never put the precision back), a fresh lock and the precision from before its block."""
    global _LOCK
    if _LOCK.acquire(blocking=False):  # free, or held by the thread that forked, which releases it
        _LOCK.release()
        return
    if _OUTSIDE:  # empty where the thread had the lock but not yet raised the precision
        mpmath.mp.prec = _OUTSIDE.pop()
    _LOCK = threading.RLock()


if hasattr(os, "register_at_fork"):  # no fork on Windows
    os.register_at_fork(after_in_child=_forked)


@contextmanager
def precision(dps: int) -> Iterator[None]:
    """Run the block with mpmath at ``dps`` decimal digits, holding the precision lock.

    >>> with precision(20), precision(40):
    ...     mpmath.mp.dps
    40
    """
    left, held, outermost = remaining(), False, False
    try:  # acquired inside the try: a timeout at any Python call after it still releases the lock
        while not (held := _LOCK.acquire(timeout=-1 if left is None else left + 1e-3)):
            check()  # past the deadline now: raises, and marks the call as cut short
        if outermost := not _OUTSIDE:
            _OUTSIDE.append(mpmath.mp.prec)
        with mpmath.workdps(dps):
            yield
    finally:
        if outermost:
            _OUTSIDE.clear()
        if held:
            _LOCK.release()
