"""Time budgets for symbolic work: SymPy can run for minutes on adversarial input.

>>> with time_limit(5):
...     1 + 1
2
"""

from __future__ import annotations

import signal
import threading
import time
from contextlib import contextmanager

from .errors import ProofTimeout

__all__ = ["time_limit"]


@contextmanager
def time_limit(seconds: float | None, what: str = "symbolic computation"):
    """Raise ``ProofTimeout`` if the block runs longer than ``seconds`` (None: no limit).

    Uses SIGALRM, so the limit holds in the main thread of POSIX systems; elsewhere the
    block runs unbounded. Nested limits keep the earlier deadline.
    """
    usable = (
        seconds is not None and hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
    )
    if not usable:
        yield
        return
    if seconds <= 0:
        raise ProofTimeout(f"{what} had no time left in its budget")
    outer_left, _ = signal.getitimer(signal.ITIMER_REAL)
    start = time.monotonic()

    def on_alarm(signum, frame):
        raise ProofTimeout(f"{what} ran past its budget of {seconds:g} s")

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, min(seconds, outer_left) if outer_left else seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        if outer_left:
            left = outer_left - (time.monotonic() - start)
            signal.setitimer(signal.ITIMER_REAL, max(left, 1e-3))
