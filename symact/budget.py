"""Budgets: a deadline per public call, held in a ``ContextVar`` (each thread and asyncio task its own).

A public call opens ``within(seconds, what)``. Inside it, symact's own loops call ``check()`` at their heads,
and each expensive third-party call (a SymPy ``simplify``, ``limit`` or ``solve``) runs through ``guarded``,
which checks the deadline at the guarded library's Python function calls. No signal and no timer; the one
thing shared between threads is the list of running guards' deadlines a watchdog thread reads (``guard``): a
budget is bounded in any thread, task and platform, and leaves the process alone. A thread started inside a call
(``threading.Thread``, an executor) starts with no budget; an asyncio task, ``asyncio.to_thread`` and
``contextvars.copy_context().run`` carry the caller's deadline. A forked child keeps the guards of the thread that
forked and none of another's.

The clock decides only *whether* an answer comes back, never *which*: a call whose deadline passed raises
``ProofTimeout`` when its ``within`` block ends, even where code inside caught the timeout and went on, so no
answer is ever computed from a method that was cut short.

>>> with within(5, "an example"):
...     check()
...     guarded(sum, [1, 2])
3
>>> remaining() is None
True
"""

from __future__ import annotations

import gc
import inspect
import math
import os
import sys
import threading
import time
import weakref
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any

from symact.errors import ParameterError, ProofTimeout, SymactError
from symact.recursion import headroom
from symact.steps import known_state, once, restore

__all__ = ["DEFAULT_BUDGETS", "StepLimit", "within", "check", "expired", "guard", "guarded", "remaining", "validate"]

#: Seconds each public call may take unless given ``budget=`` (None: no limit of its own). The README's
#: budget section prints this table.
DEFAULT_BUDGETS: dict[str, float | None] = {
    "derive": 10.0,
    "prove": 10.0,
    "prove_bound": 10.0,
    "prove_limit": 10.0,
    "properties": 180.0,
    "check_claims": 180.0,  # each claim
    "table": 1800.0,  # the whole table
    "kernel": 120.0,
    "lambdify": 60.0,
    "crosscheck": 300.0,
    "export": 300.0,  # with its verification
    "plot": 120.0,
    "notes": 3600.0,
    "MLP.fit": None,  # epochs bound the training; give a budget to bound it in seconds as well
}

_EVERY = 64  # a guarded call checks the clock at every 64th function call of the library it runs
_EAGER_WITHIN = 2.0  # seconds: a guard entered this close to its deadline hooks at once, not at a collection


class _Deadline:
    """One public call's deadline: when it passes, what it bounds, and whether a check has seen it pass."""

    __slots__ = ("at", "what", "seconds", "expired")

    def __init__(self, seconds: float, what: str) -> None:
        self.at, self.what, self.seconds, self.expired = time.monotonic() + seconds, what, seconds, False

    def timeout(self) -> ProofTimeout:
        self.expired = True
        return ProofTimeout(f"{self.what} ran past its budget of {self.seconds:g} s")


_CURRENT: ContextVar[_Deadline | None] = ContextVar("symact_budget", default=None)


def validate(budget: float | None, what: str) -> float | None:
    """``budget`` checked for the public call ``what``: None (no limit) or a positive finite number of seconds.

    >>> validate(2, "derive")
    2.0
    >>> validate(-1, "derive")
    Traceback (most recent call last):
    symact.errors.ParameterError: derive: parameter 'budget' must be a positive number of seconds or None, not -1
    """
    if budget is None:
        return None
    if isinstance(budget, bool) or not isinstance(budget, (int, float)) or not 0 < budget < math.inf:
        raise ParameterError(what, "budget", f"must be a positive number of seconds or None, not {budget!r}")
    return float(budget)


class within:  # noqa: N801  (used as ``with within(...)``, like a function)
    """Bound the block to ``seconds`` (None: no limit of its own). Nested blocks keep the earlier deadline;
    the block that owns the deadline raises ``ProofTimeout`` on the way out once it has passed. The block
    has the same room to recurse whoever calls it (``symact.recursion.headroom``).

    >>> with within(None, "unbounded"):
    ...     remaining() is None
    True
    """

    def __init__(self, seconds: float | None, what: str = "symbolic computation") -> None:
        self.seconds, self.what = seconds, what

    def __enter__(self) -> within:
        outer = _CURRENT.get()
        self.owner = None
        if self.seconds is not None and (outer is None or time.monotonic() + self.seconds < outer.at):
            self.owner = _Deadline(self.seconds, self.what)
        self.token = _CURRENT.set(self.owner or outer)
        self.room = headroom().__enter__()
        return self

    def __exit__(self, kind, error, traceback) -> None:
        self.room.__exit__(kind, error, traceback)
        _CURRENT.reset(self.token)
        if self.owner is not None and self.owner.expired:
            raise ProofTimeout(f"{self.what} ran past its budget of {self.seconds:g} s") from None


def check() -> None:
    """Raise ``ProofTimeout`` if the running call's deadline has passed; called at the heads of loops.

    >>> check()
    """
    deadline = _CURRENT.get()
    if deadline is not None and time.monotonic() > deadline.at:
        raise deadline.timeout()


def expired() -> bool:
    """Whether the running call's deadline has been seen to pass: what was computed since may have been cut
    short, so it must not be cached (the call raises ``ProofTimeout`` when its ``within`` block ends).

    >>> expired()
    False
    """
    deadline = _CURRENT.get()
    return deadline is not None and deadline.expired


def remaining() -> float | None:
    """Seconds left to the running call (None: no limit).

    >>> with within(60):
    ...     0 < remaining() <= 60
    True
    """
    deadline = _CURRENT.get()
    return None if deadline is None else max(deadline.at - time.monotonic(), 0.0)


class StepLimit(SymactError):
    """A guarded computation made more than its ``steps`` Python calls: a method declined, the same way on every
    machine, under any load and after any earlier work (raised only inside symact; the caller moves on)."""


class guard:  # noqa: N801  (used as ``with guard():``, like a function)
    """Run a third-party computation (a SymPy ``simplify``, ``limit`` or ``solve``) so that it ends with
    ``ProofTimeout`` at one of its Python function calls once the running call's deadline passes, and with
    ``StepLimit`` after ``steps`` Python calls (None: no step bound). The step bound is the deterministic one,
    like Lean's heartbeats: it counts work, not seconds, so where it declines a method does not depend on the
    machine's speed nor on what the process computed before (``symact.steps``: a count starts from a known state
    of SymPy's caches and leaves out what a process does once).

    The check is a profile hook of this thread alone (``sys.setprofile``), active only inside the block. Any
    hook puts CPython 3.11 in its slow tracing mode (a trace function, ``sys.settrace``, sees the same "call"
    events and costs as much) and slows Python code two- to threefold, so without ``steps`` it is armed only
    once the deadline has passed, by a garbage-collector callback in its thread (the computation allocates: SymPy
    and mpmath always do; where what it allocates is freed at once, a watchdog thread lifts the collector's count
    past its threshold once the deadline has passed, so that the computation's next allocation collects); a step
    bound, or a deadline less than two seconds away, has it from the start. Python drops a profile hook that
    raises; if the library swallows the timeout (SymPy catches every ``Exception`` in places), the timeout's
    finaliser puts the hook back, and the next call raises again.
    SymPy's evaluation flags (per thread) are put back if the block ends early; mpmath's precision is set
    only through ``symact.precision``, whose clean-up a timeout never interrupts. Under a profiler
    the hook stays off and only the checks around the block apply.

    >>> with within(5), guard():
    ...     max(2, 3)
    3
    >>> import sympy
    >>> with guard(steps=100):
    ...     sympy.limit(sympy.sin(sympy.Symbol('t')) / sympy.Symbol('t'), sympy.Symbol('t'), 0)
    Traceback (most recent call last):
    symact.budget.StepLimit: a computation ran past 100 steps
    """

    def __init__(self, steps: int | None = None) -> None:
        self.steps = steps

    def __enter__(self) -> guard:
        check()
        self.deadline = _CURRENT.get()
        self.outer = sys.getprofile()  # an enclosing guard's hook (this one counts its own steps), or none
        mine = self.outer is None or getattr(self.outer, "symact_guard", False)
        near = self.deadline is not None and self.deadline.at - time.monotonic() < _EAGER_WITHIN
        eager = self.steps is not None or not gc.isenabled() or near
        self.lazy = mine and not eager and self.deadline is not None and self.outer is None
        self.active = self.lazy or (mine and eager and (self.steps is not None or self.deadline is not None))
        if self.active:
            from sympy.core.parameters import global_parameters  # here: a kernel served from the disk needs no SymPy

            self.parameters = global_parameters
            self.saved = (global_parameters.evaluate, global_parameters.distribute)  # this thread's own
            self.thread = threading.get_ident()
            self.hook = _hook(self)
            self.state = known_state() if self.steps is not None else None
            if self.lazy:
                _watch(self)
            else:
                sys.setprofile(self.hook)
        return self

    def __exit__(self, kind, error, traceback) -> None:
        if not self.active:
            return
        self.active = False
        if self.lazy:
            with _WAKE:
                _WATCHED[self.thread].remove(self)
                if not _WATCHED[self.thread]:  # a thread's entry goes with its last guard: threads come and go
                    del _WATCHED[self.thread]
                _unhook_collector()
        sys.setprofile(self.outer)
        if self.state is not None:
            restore(self.state)
        if kind is not None and issubclass(kind, (ProofTimeout, StepLimit)):  # ended inside: undo what it left
            self.parameters.evaluate, self.parameters.distribute = self.saved
        if isinstance(error, _Rearming):  # the caller sees the plain error, raised here
            raise (StepLimit if isinstance(error, StepLimit) else ProofTimeout)(str(error)) from None

    def rearm(self) -> None:
        """Put the hook back after the library swallowed a timeout (called by the timeout's finaliser)."""
        if self.active and threading.get_ident() == self.thread and sys.getprofile() is None:
            sys.setprofile(self.hook)


_WATCHED: dict[int, list[guard]] = {}  # per thread, its running lazy guards, innermost last
_WAKE = threading.Condition()  # guards _WATCHED; notified when a lazy guard starts
_WATCHDOG: list[threading.Thread] = []  # this process's watchdog, once started
_NUDGE_EVERY = 0.05  # seconds past a watched deadline before the watchdog nudges the collector, and between nudges


def _watch(owner: guard) -> None:
    """Let the garbage collector's callback arm ``owner``'s hook once its deadline has passed."""
    with _WAKE:
        _WATCHED.setdefault(owner.thread, []).append(owner)
        if _collecting not in gc.callbacks:
            gc.callbacks.append(_collecting)
        if not _WATCHDOG:
            _WATCHDOG[:] = [threading.Thread(target=_watchdog, name="symact-budget", daemon=True)]
            _WATCHDOG[0].start()
        _WAKE.notify()


def _forked() -> None:
    """In a forked child, which runs only the thread that forked: a fresh lock (another thread may have held the
    parent's at the fork), only that thread's guards (the child's next thread may get another one's identity,
    and its collections would arm that guard's hook there) and no watchdog (the next lazy guard starts one)."""
    global _WAKE
    _WAKE = threading.Condition()
    mine = _WATCHED.pop(threading.get_ident(), None)
    _WATCHED.clear()
    if mine:
        _WATCHED[threading.get_ident()] = mine
    _WATCHDOG.clear()
    _unhook_collector()


def _unhook_collector() -> None:
    """Take the collector's callback off once no lazy guard runs (under ``_WAKE``): an exception a signal handler
    raises in a collector callback is lost (Python reports it and goes on), so outside guarded calls a Ctrl-C must
    never land in one. Inside one it can, while a collection runs (a few percent of the time): press it again."""
    if not _WATCHED and _collecting in gc.callbacks:
        gc.callbacks.remove(_collecting)


if hasattr(os, "register_at_fork"):  # no fork on Windows
    os.register_at_fork(after_in_child=_forked)


def _watchdog() -> None:
    """Past the deadline of a running lazy guard, make the next allocation collect: a computation whose objects
    are freed as fast as they come (SymPy's polynomial arithmetic) never reaches the collector's threshold by
    itself, so its thread would never arm its hook. Collecting there (not here) is what arms it."""
    while True:
        with _WAKE:
            due = [guards[-1].deadline.at for guards in _WATCHED.values() if guards]
            wait = min(due) + _NUDGE_EVERY - time.monotonic() if due else None
            if wait is None or wait > 0:
                _WAKE.wait(wait)
                continue
        held = _nudge()
        time.sleep(_NUDGE_EVERY)  # allocates nothing: the watched thread's next allocation collects
        del held


class _Ballast:
    """An object the collector counts when it is allocated (lists and dicts come from free lists, uncounted)."""


def _nudge() -> list:
    """Objects, allocated with the collector off, that lift its count past the threshold (kept by the caller
    until a collection has come; none where the collector is off or collects only by hand)."""
    threshold, on = gc.get_threshold()[0], gc.isenabled()
    if not (threshold and on):
        return []
    gc.disable()
    try:
        return [_Ballast() for _ in range(threshold + 1)]
    finally:
        gc.enable()


def _collecting(phase: str, info: dict) -> None:
    """At each collection in a thread running a lazy guard past its deadline: arm that guard's hook."""
    watched = _WATCHED.get(threading.get_ident())
    if watched and phase == "start" and time.monotonic() > watched[-1].deadline.at and sys.getprofile() is None:
        sys.setprofile(watched[-1].hook)


class _Rearming:
    """An exception a guard raises inside a library; when it is dropped, its guard's hook comes back."""

    def __del__(self) -> None:
        self.guard.rearm()


class _Expired(_Rearming, ProofTimeout):
    def __init__(self, owner: guard) -> None:
        super().__init__(str(owner.deadline.timeout()))
        self.guard = owner


class _OutOfSteps(_Rearming, StepLimit):
    def __init__(self, owner: guard) -> None:
        super().__init__(f"a computation ran past {owner.steps} steps")
        self.guard = owner


def _hook(owner: guard) -> Callable:
    """The profile hook of one guard: counts Python calls (none in ``symact.steps.once``'s work), and only at a
    count it waits for (every ``_EVERY``-th, the step bound, and every call once past either) looks further. Past
    the deadline or the step bound, an exception at each call outside a clean-up."""
    deadline, steps, skipped = owner.deadline, owner.steps or math.inf, once()
    calls, wait, kept = 0, min(_EVERY, steps + 1), None

    def hook(frame, event, arg):
        nonlocal calls, wait, kept
        if event != "call" or kept is not None:
            if frame is kept and event == "return":
                kept = None
            return
        if frame.f_code in skipped:  # work done once per process, left out of the count
            kept = frame
            return
        calls += 1
        if calls < wait:
            return
        wait = calls + 1  # the next call, unless it turns out nothing is due before the next look at the clock
        if calls > steps:
            if _interruptible(frame):
                raise _OutOfSteps(owner)  # no local name: a reference from this frame would keep it alive
            return
        if deadline is not None and (deadline.expired or time.monotonic() > deadline.at):
            if _interruptible(frame):
                raise _Expired(owner)
            return
        wait = min(calls - calls % _EVERY + _EVERY, steps + 1)

    hook.symact_guard, hook.count = True, lambda: calls
    return hook


def _interruptible(frame) -> bool:
    """False for a generator resuming (or closing: an exception there is lost), inside a garbage-collector
    callback or a weak reference's (``weakref``'s own code, numba's ``on_disposal``: the collector runs it, and an
    exception there is lost), and while a context manager leaves or an object is finalised (it would skip the
    clean-up): the timeout waits for the next call."""
    if frame.f_code.co_flags & _RESUMABLE:
        return False
    collector = {getattr(callback, "__code__", None) for callback in gc.callbacks}
    while frame is not None:
        code = frame.f_code
        if code.co_name in _CLEAN_UP or code in collector or code.co_filename in _WEAKREF_FILES:
            return False
        frame = frame.f_back
    return True


_RESUMABLE = inspect.CO_GENERATOR | inspect.CO_COROUTINE | inspect.CO_ASYNC_GENERATOR
_CLEAN_UP = {"__exit__", "__aexit__", "__del__", "_remove", "_callback", "on_disposal"}
_WEAKREF_FILES = {weakref.__file__, sys.modules["_weakrefset"].__file__}


def guarded(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """``fn(*args, **kwargs)`` inside a ``guard``.

    >>> guarded(max, 2, 3)
    3
    """
    with guard():
        return fn(*args, **kwargs)
