"""The benchmarks' clock: a function's wall time in milliseconds over repeated runs, after one warm-up.

>>> timeit(lambda: None, 3) >= 0
True
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable


def timeit(fn: Callable[[], object], repeat: int, summary: Callable = statistics.median) -> float:
    """``summary`` (the median; ``min`` for the fastest run) of ``fn()``'s wall times in ms over ``repeat`` runs."""
    fn()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return 1e3 * summary(times)
