"""Where a step count starts and what it leaves out, so that it is a function of the counted work alone.

SymPy memoises (``sympy.core.cache``), and its assumptions deduce facts in an order its random generators
shuffle: a count starts with ``known_state`` (the caches emptied, the generators seeded; their states returned,
to put back). A process also does some work once and keeps it: an import, a class's check against an abstract
class, a SymPy dispatch's search for the function of a new signature of types. ``once`` gives that work's code,
whose calls a count leaves out (``symact.budget.guard``). Some things still move a count: another thread computing
with SymPy meanwhile (the caches are the process's), the hash seed (``PYTHONHASHSEED`` orders SymPy's sets: a
limit's count differs by up to a tenth between seeds), and, by a few percent, the facts SymPy keeps on long-lived
objects and the numbering of its fresh symbols.

>>> saved = known_state()
>>> len(saved), len(once())
(2, 3)
>>> restore(saved)
"""

from __future__ import annotations

import abc
from importlib._bootstrap import _find_and_load

__all__ = ["known_state", "once", "restore"]


def known_state() -> list:
    """Empty SymPy's caches and seed its random generators; their states before, for ``restore``."""
    from sympy.core import cache, random  # here: a kernel served from the disk needs no SymPy

    saved = [(generator, generator.getstate()) for generator in (random.rng, random._assumptions_rng)]
    cache.clear_cache()
    random.seed(0)
    return saved


def restore(saved: list) -> None:
    """Put SymPy's random generators back where ``known_state`` found them: the caller's sequence goes on."""
    for generator, state in saved:
        generator.setstate(state)


def once() -> frozenset:
    """The code of the work a process does once and keeps (each called only where nothing is kept yet)."""
    from sympy.multipledispatch.dispatcher import Dispatcher

    return frozenset(f.__code__ for f in (_find_and_load, abc.ABCMeta.__subclasscheck__, Dispatcher.dispatch))
