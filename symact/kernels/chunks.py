"""A flat loop over an array in chunks on a thread pool: compiled loops release the GIL, so the chunks of one array
run side by side. A forked child starts a pool of its own (its parent's threads are not in it).

>>> import numpy as np
>>> x, out = np.arange(4.0), np.empty(4)
>>> run_in_chunks(lambda a, o: np.multiply(a, 2, out=o), PARALLEL_THRESHOLD, x, (out,))
>>> out
array([0., 2., 4., 6.])
"""

from __future__ import annotations

import numbers
import os
from collections.abc import Callable

import numpy as np

from symact.errors import ParameterError

__all__ = ["set_threads", "run_in_chunks", "PARALLEL_THRESHOLD", "MEMORY_BOUND_THRESHOLD", "MAX_THREADS"]

PARALLEL_THRESHOLD = 1 << 16  # elements; below it threads cost more than they save
# elements from which a loop that costs about a copy (``MEMORY_BOUND`` in the generated module) runs on threads:
# below it the pool's start-up costs more than a second core gains on one memory bus
MEMORY_BOUND_THRESHOLD = 1 << 22
MAX_THREADS = 1024

_THREADS = [os.cpu_count() or 1]
_POOL: list = []  # the pool, once started
# A forked child has none of its parent's threads: a pool copied from the parent would queue the chunks for
# workers that do not exist and wait for them forever. The child starts its own pool when it first needs one.
if hasattr(os, "register_at_fork"):  # no fork on Windows
    os.register_at_fork(after_in_child=_POOL.clear)


def set_threads(n: int | None = None) -> int:
    """Threads for arrays of ``PARALLEL_THRESHOLD`` elements or more (``MEMORY_BOUND_THRESHOLD`` for a loop that
    costs about a copy: relu, hardtanh, ...; ``None``: every core); returns the old count.

    The ufunc loops release the GIL, so chunks of one array run side by side on a thread pool. Any other ``n``
    than ``None`` or an int from 1 to ``MAX_THREADS`` is a ``ParameterError`` (an array is cut in ``n`` chunks).

    >>> old = set_threads(2); set_threads(old)
    2
    """
    if n is not None and (type(n) is bool or not isinstance(n, numbers.Integral) or not 1 <= n <= MAX_THREADS):
        raise ParameterError("set_threads", "n", f"must be None or an int from 1 to {MAX_THREADS}, got {n!r}")
    old = _THREADS[0]
    _THREADS[0] = int(n or os.cpu_count() or 1)
    return old


def run_in_chunks(loop: Callable, threshold: int, array: np.ndarray, outs: tuple) -> None:
    """``loop(array, *outs)`` over C-contiguous arrays of one shape, flattened; in chunks on the thread pool
    from ``threshold`` elements on. (A compiled loop sets no NumPy error state: no ``errstate`` needed.)"""
    threads = _THREADS[0]
    flat, flat_outs = array.reshape(-1), [o.reshape(-1) for o in outs]
    if threads == 1 or array.size < threshold:
        loop(flat, *flat_outs)
        return

    def chunk(a, b):
        loop(flat[a:b], *(o[a:b] for o in flat_outs))

    if not _POOL or _POOL[0]._max_workers < threads:
        from concurrent.futures import ThreadPoolExecutor

        _POOL[:] = [ThreadPoolExecutor(max_workers=threads, thread_name_prefix="symact")]
    cuts = np.linspace(0, flat.size, threads + 1).astype(int)
    for job in [_POOL[0].submit(chunk, a, b) for a, b in zip(cuts, cuts[1:])]:
        job.result()
