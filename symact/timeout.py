"""Time budgets for symbolic work: SymPy can run for minutes on adversarial input.

>>> with time_limit(5):
...     1 + 1
2
"""

from __future__ import annotations

import contextlib
import gc
import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

from symact.errors import ProofTimeout

__all__ = ["time_limit", "budget_scope", "budget_scale", "internal_limit"]

_RETRY = 0.05  # seconds between repeated timeouts once a limit has run out


class _Expired(BaseException):
    """A limit ran out. A BaseException, so that neither library code catching every ``Exception`` nor a
    handler meant for a nested limit's ``ProofTimeout`` can swallow it; the ``time_limit`` that owns the
    deadline turns it into ``ProofTimeout`` on the way out."""

    def __init__(self, token: object, message: str) -> None:
        super().__init__(message)
        self.token = token


class time_limit:  # noqa: N801  (used as ``with time_limit(...)``, like a function)
    """Raise ``ProofTimeout`` if the block runs longer than ``seconds`` (None: no limit).

    Uses SIGALRM, so the limit holds in the main thread of POSIX systems; elsewhere the
    block runs unbounded. Nested limits keep the earlier deadline; an outer limit running out
    inside a nested one ends the outer block, not just the nested one.

    >>> with time_limit(5):
    ...     1 + 1
    2
    """

    def __init__(self, seconds: float | None, what: str = "symbolic computation") -> None:
        self.seconds, self.what = seconds, what
        self.active = (
            seconds is not None
            and hasattr(signal, "setitimer")
            and threading.current_thread() is threading.main_thread()
        )

    def __enter__(self) -> None:
        if not self.active:
            return
        if self.seconds <= 0:
            raise ProofTimeout(f"{self.what} had no time left in its budget")
        self.outer_left, _ = signal.getitimer(signal.ITIMER_REAL)
        self.start = time.monotonic()
        if not self.outer_left or self.seconds < self.outer_left or not _DEADLINES:
            deadline = (self, f"{self.what} ran past its budget of {self.seconds:g} s")
        else:  # the enclosing deadline comes first: running out then ends the limit that owns it
            deadline = _DEADLINES[-1]

        def on_alarm(signum, frame):
            if _in_finalizer(frame) or _in_bookkeeping(frame):  # raising there would be lost: retry in 1 ms
                signal.setitimer(signal.ITIMER_REAL, 1e-3)
                return
            if _in_compiler(frame):  # numba's compiler is not exception-safe (ctypes callbacks, its caches)
                signal.setitimer(signal.ITIMER_REAL, 1e-2)
                return
            # Re-armed before raising, in case a bare ``except:`` swallows it; the block's exit disarms it.
            signal.setitimer(signal.ITIMER_REAL, _RETRY)
            raise _Expired(*deadline)

        self.previous = signal.signal(signal.SIGALRM, on_alarm)
        _DEADLINES.append(deadline)
        signal.setitimer(signal.ITIMER_REAL, self.seconds if deadline[0] is self else self.outer_left)

    def __exit__(self, kind, error, traceback) -> None:
        if not self.active:
            return
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, self.previous)
        _DEADLINES.pop()
        if self.outer_left:
            left = self.outer_left - (time.monotonic() - self.start)
            signal.setitimer(signal.ITIMER_REAL, max(left, 1e-3))
        if kind is _Expired and error.token is self:
            raise ProofTimeout(str(error)) from None


def _in_bookkeeping(frame) -> bool:
    """True while a ``time_limit``, or a context manager around one (``internal_limit``), is entering or
    leaving: an alarm then waits until its state is consistent."""
    while frame is not None:
        if frame.f_code in _BOOKKEEPING:
            return True
        frame = frame.f_back
    return False


def _in_compiler(frame) -> bool:
    """True inside numba or llvmlite (the fused kernels' compiler): an alarm then waits until it returns."""
    while frame is not None:
        if frame.f_globals.get("__name__", "").partition(".")[0] in ("numba", "llvmlite"):
            return True
        frame = frame.f_back
    return False


_BOOKKEEPING = {
    code.__code__
    for code in (
        time_limit.__enter__,
        time_limit.__exit__,
        contextlib._GeneratorContextManager.__enter__,
        contextlib._GeneratorContextManager.__exit__,
    )
}
_DEADLINES: list[tuple[object, str]] = []  # per running limit, innermost last: who owns its deadline, and why


_scope = {"scale": 1.0, "cut": None}  # the running public call's budget scale and the internal limits it hit


@contextmanager
def budget_scope(scale: float) -> Iterator[list[str]]:
    """Run a public call whose internal limits are ``scale`` times their nominal seconds; yields the list
    of the internal limits that ran out (an answer with any is degraded and must not be cached).

    >>> with budget_scope(0.5) as cut:
    ...     pass
    >>> cut
    []
    """
    saved = dict(_scope)
    _scope.update(scale=scale, cut=[])
    try:
        yield _scope["cut"]
    finally:
        if saved["cut"] is not None:
            saved["cut"].extend(_scope["cut"])  # a nested call's cut degrades its caller too
        _scope.update(saved)


def budget_scale() -> float:
    """The running public call's budget scale: its internal limits take this times their nominal seconds.

    >>> with budget_scope(0.5):
    ...     budget_scale()
    0.5
    """
    return _scope["scale"]


@contextmanager
def internal_limit(seconds: float, what: str) -> Iterator[None]:
    """``time_limit`` for one internal step: scaled to the caller's budget, and recorded when it runs out."""
    try:
        with time_limit(seconds * _scope["scale"], what):
            yield
    except ProofTimeout:
        if _scope["cut"] is not None:
            _scope["cut"].append(what)
        raise


def _in_finalizer(frame) -> bool:
    """True inside a ``__del__``, a weak-reference callback (``weakref.finalize``, a ``WeakKeyDictionary``'s
    clean-up) or a garbage-collector callback, where Python ignores exceptions."""
    collector = {getattr(callback, "__code__", None) for callback in gc.callbacks}
    while frame is not None:
        code = frame.f_code
        if code.co_name == "__del__" or code in collector:
            return True
        if frame.f_globals.get("__name__") in ("weakref", "_weakrefset"):
            return True
        frame = frame.f_back
    return False
