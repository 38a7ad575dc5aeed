"""Room to recurse: every public call gets ``HEADROOM`` Python frames above its caller's, however deep the caller.

Parsing and SymPy recurse on the expression tree, and a tree too deep for the room left ends in a
``RecursionError`` that symact reads as "nested too deeply" (a ``ParseError``, an *unknown*). Without this, whether
that happens would depend on how deep the caller's own stack is (a script, a test runner, a notebook, a recursive
caller): ``headroom()`` raises Python's recursion limit to the caller's depth plus ``HEADROOM`` for the block, so
the same input gets the same answer from any caller and thread. The limit is process-wide: it is only ever raised
while symact runs, and put back when the last such block in the process ends (unless someone else changed it since).

>>> import sys
>>> with headroom():
...     sys.getrecursionlimit() >= HEADROOM
True
"""

from __future__ import annotations

import os
import sys
import threading

__all__ = ["HEADROOM", "headroom"]

HEADROOM = 1000  # frames above the caller: the room a shallow caller has at Python's default limit (1000)

_LOCK = threading.Lock()
_STATE = {"running": 0, "found": 0, "set": 0}  # blocks running; the limit the first found; the last one set


def _forked() -> None:
    """In a forked child: a fresh lock, and no blocks of other threads (the limit stays as it is)."""
    global _LOCK
    _LOCK = threading.Lock()
    _STATE.update(running=0, found=0, set=0)


if hasattr(os, "register_at_fork"):  # no fork on Windows
    os.register_at_fork(after_in_child=_forked)


def _depth() -> int:
    depth, frame = 0, sys._getframe(1)
    while frame is not None:
        depth, frame = depth + 1, frame.f_back
    return depth


class headroom:  # noqa: N801  (used as ``with headroom():``, like a function)
    """Run the block with at least ``HEADROOM`` frames of recursion above the caller's depth."""

    def __enter__(self) -> headroom:
        need = _depth() + HEADROOM
        with _LOCK:
            if _STATE["running"] == 0:
                _STATE["found"] = _STATE["set"] = sys.getrecursionlimit()
            _STATE["running"] += 1
            if need > sys.getrecursionlimit():
                sys.setrecursionlimit(need)
                _STATE["set"] = need
        return self

    def __exit__(self, kind, error, traceback) -> None:
        with _LOCK:
            _STATE["running"] = max(_STATE["running"] - 1, 0)
            if _STATE["running"] == 0 and sys.getrecursionlimit() == _STATE["set"] != _STATE["found"]:
                try:
                    sys.setrecursionlimit(_STATE["found"])
                except RecursionError:  # this thread is deeper than the old limit now: leave it raised
                    pass
