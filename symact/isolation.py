"""A hard cap for untrusted input: a public call run in a warm worker process that is killed past its deadline.

``budget`` ends a call cooperatively, at symact's loops and at the Python calls of SymPy and mpmath; a single
C-level step (a huge integer power, mpmath at absurd precision) cannot be ended that way. ``isolated`` runs the
call in a separate process instead and kills it when the budget (or an enclosing call's deadline, if earlier)
plus ``GRACE`` has passed, so even such a step ends on time: a killed worker costs only the next call's start. The caller's ``define``-d activations go with each call. Workers start with ``spawn`` (safe beside threads, the same on every platform), stay warm between
calls and are replaced after a kill. The cost: the first call starts a worker (about the time of ``import
symact``, 1 to 3 s, not counted in the budget); later calls add the pickling of arguments and result (about a
millisecond).

>>> from symact.proof.identities import prove
>>> isolated(prove, 'sigmoid(-x)', '1 - sigmoid(x)', budget=60).status
'proved'
"""

from __future__ import annotations

import functools
import importlib
import inspect
import multiprocessing
import os
import threading
import weakref
from collections.abc import Callable
from typing import Any

from symact.budget import check, remaining, validate
from symact.catalog import USER
from symact.errors import ProofTimeout, SymactError

__all__ = ["isolated", "isolatable", "warm", "GRACE"]

GRACE = 0.3  # seconds a worker gets past the call's budget (to notice it itself) before it is killed
_START = 120.0  # seconds a new worker may take to start (import symact); not counted in the call's budget
_IDLE: list[_Worker] = []  # warm workers, ready for the next call
_LOCK = threading.Lock()
_STARTED: weakref.WeakSet = weakref.WeakSet()  # the worker processes this process started


def _forked() -> None:
    """In a forked child: none of the parent's workers (the child would share their pipes with the parent, and
    multiprocessing would terminate them when the child exits) and a fresh lock (another thread may have held it).
    """
    global _LOCK
    _LOCK = threading.Lock()
    _IDLE.clear()
    multiprocessing.process._children.difference_update(_STARTED)  # not the child's children: never theirs to end


if hasattr(os, "register_at_fork"):  # no fork on Windows
    os.register_at_fork(after_in_child=_forked)


class _Worker:
    """One worker process and the pipe to it."""

    def __init__(self) -> None:
        context = multiprocessing.get_context("spawn")
        self.pipe, child = context.Pipe()
        self.process = context.Process(target=_serve, args=(child,), daemon=True, name="symact-worker")
        self.process.start()
        _STARTED.add(self.process)
        child.close()
        if not self.pipe.poll(_START):  # the worker says it is ready once symact is imported
            self.kill()
            raise SymactError(f"a worker process did not start within {_START:g} s")
        self.pipe.recv()

    def call(self, fn: Callable, args: tuple, kwargs: dict, seconds: float | None) -> tuple[bool, Any]:
        try:
            self.pipe.send((dict(USER), fn, args, kwargs))
        except OSError:  # it ended while idle (killed from outside)
            self.kill()
            raise SymactError(f"the worker for {fn.__name__} had died; the next call starts a new one") from None
        if not self.pipe.poll(None if seconds is None else seconds + GRACE):
            self.kill()
            raise ProofTimeout(f"{fn.__name__} ran past its budget of {seconds:g} s; its worker was killed")
        try:
            return self.pipe.recv()
        except (EOFError, OSError):
            self.kill()
            raise SymactError(f"the worker running {fn.__name__} died (out of memory?)") from None

    def kill(self) -> None:
        self.process.kill()
        self.process.join()
        self.pipe.close()


def _serve(pipe) -> None:
    """The worker's loop: run each call and send back its result or its exception."""
    package = importlib.import_module("symact")
    for name in package.__all__:  # every public call imported before any budget starts (symact imports lazily)
        getattr(package, name)
    pipe.send("ready")
    while True:
        try:
            user, fn, args, kwargs = pipe.recv()
        except (EOFError, OSError):
            return
        USER.clear()  # the caller's define()-d activations
        USER.update(user)
        try:
            reply = (True, fn(*args, **kwargs))
        except Exception as err:  # sent back to the caller, who raises it
            reply = (False, err if isinstance(err, SymactError) else SymactError(f"{type(err).__name__}: {err}"))
        pipe.send(reply)


def isolated(fn: Callable, *args: Any, budget: float | None, **kwargs: Any) -> Any:
    """``fn(*args, budget=budget, **kwargs)`` in a worker process, killed ``GRACE`` seconds past the budget
    (``ProofTimeout``). ``fn`` is a module-level function of symact; its arguments and result are pickled."""
    seconds = validate(budget, fn.__name__)
    left = remaining()
    if left is not None and (seconds is None or left < seconds):  # an enclosing call's deadline comes first
        check()
        seconds = max(left, 1e-3)
    with _LOCK:
        worker = _IDLE.pop() if _IDLE else None
    if worker is not None and not worker.process.is_alive():  # ended while idle (killed from outside)
        worker.kill()
        worker = None
    worker = worker or _Worker()
    ok, value = worker.call(fn, args, {**kwargs, "budget": seconds}, seconds)
    with _LOCK:
        _IDLE.append(worker) if len(_IDLE) < 2 else worker.kill()
    if not ok:
        raise value
    return value


def warm() -> None:
    """Start a worker now, before any budget, unless one is idle (the command line's budget then covers only the
    call, as it covers only the call in the process that already imported symact).

    >>> warm()
    """
    with _LOCK:
        if _IDLE:
            return
    worker = _Worker()
    with _LOCK:
        _IDLE.append(worker)


def isolatable(fn: Callable) -> Callable:
    """Give a public call an ``isolate=False`` keyword: with ``isolate=True`` it runs through ``isolated``.

    >>> from symact.derivation import derive
    >>> 'isolate' in inspect.signature(derive).parameters
    True
    """
    signature = inspect.signature(fn)
    default = signature.parameters["budget"].default

    @functools.wraps(fn)
    def call(*args: Any, isolate: bool = False, **kwargs: Any) -> Any:
        if not isolate:
            return fn(*args, **kwargs)
        return isolated(call, *args, budget=kwargs.pop("budget", default), **kwargs)

    parameters = list(signature.parameters.values())
    at = next((i for i, p in enumerate(parameters) if p.kind is p.VAR_KEYWORD), len(parameters))
    parameters.insert(
        at, inspect.Parameter("isolate", inspect.Parameter.KEYWORD_ONLY, default=False, annotation="bool")
    )
    call.__signature__ = signature.replace(parameters=parameters)
    return call
