"""The benchmarks' clock: a function's wall time in milliseconds over repeated runs, after one warm-up.

>>> timeit(lambda: None, 3) >= 0
True
>>> sorted(interleaved({"a": (None, lambda: None), "b": (None, lambda: None)}, 3))
['a', 'b']
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


def interleaved(
    entries: dict[str, tuple[Callable[[], object] | None, Callable[[], object]]],
    repeat: int,
    summary: Callable = statistics.median,
) -> dict[str, float]:
    """``summary`` of each entry's wall times in ms, the entries taking turns round by round, so that a change of
    the machine's load moves them all alike. An entry is (setup, fn): ``setup()`` (thread counts) runs untimed
    before each ``fn()``."""
    times: dict[str, list[float]] = {label: [] for label in entries}
    for rnd in range(repeat + 1):  # round 0 warms up
        for label, (setup, fn) in entries.items():
            if setup is not None:
                setup()
            start = time.perf_counter()
            fn()
            if rnd:
                times[label].append(time.perf_counter() - start)
    return {label: 1e3 * summary(t) for label, t in times.items()}
