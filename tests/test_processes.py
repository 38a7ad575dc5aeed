"""A process forked while symact's threads run (a DataLoader's workers, gunicorn's, a multiprocessing pool) works:
no lock, pool, guard or worker of the parent's other threads is left behind in the child. Each child is wall-limited,
so a regression fails here rather than hangs."""

import gc
import multiprocessing
import os
import signal
import subprocess
import sys
import threading
import time
from contextlib import contextmanager

import mpmath
import numpy as np
import pytest

import symact
from symact import budget, isolation
from symact.budget import guard, within
from symact.errors import ProofTimeout
from symact.kernels import native
from symact.kernels.chunks import PARALLEL_THRESHOLD, set_threads
from symact.precision import precision

WALL = 30.0  # seconds a forked child may take before it counts as hung (it needs about one)

pytestmark = [
    pytest.mark.skipif(not hasattr(os, "fork"), reason="fork is POSIX"),
    pytest.mark.filterwarnings("ignore:This process .* is multi-threaded:DeprecationWarning"),  # Python 3.12
]


def _in_fork(child) -> str:
    """``repr(child())`` computed in a forked child (or what it raised); fails where the child hangs."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        try:
            os.close(read)
            try:
                result = repr(child())
            except BaseException as err:  # noqa: BLE001  (reported to the parent)
                result = f"raised {err!r}"
            os.write(write, result.encode())
        finally:
            os._exit(0)
    os.close(write)
    deadline = time.monotonic() + WALL
    while not os.waitpid(pid, os.WNOHANG)[0]:
        if time.monotonic() > deadline:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            os.close(read)
            pytest.fail(f"the forked child hung for {WALL:g} s")
        time.sleep(0.02)
    with os.fdopen(read, "rb") as pipe:
        return pipe.read().decode()


class _Holding(threading.Thread):
    """A thread inside ``block`` until released: what another thread of the parent is doing at the fork."""

    def __init__(self, block):
        super().__init__(daemon=True)
        self.block, self.inside, self.release = block, threading.Event(), threading.Event()

    def run(self):
        try:
            with self.block():
                self.inside.set()
                self.release.wait()
        except ProofTimeout:  # a guard's deadline passed while it waited
            pass

    def __enter__(self):
        self.start()
        assert self.inside.wait(WALL)
        return self

    def __exit__(self, *exc):
        self.release.set()
        self.join()


def test_a_forked_child_runs_kernels_on_threads_as_the_parent_did_even_forked_mid_call():
    old = set_threads(2)
    try:
        k = symact.kernel("silu")
        x = np.linspace(-30, 30, 2 * PARALLEL_THRESHOLD + 1)
        want = k(x)  # the parent's pool is running
        stop = threading.Event()
        busy = threading.Thread(target=lambda: [k(x) for _ in iter(stop.is_set, True)], daemon=True)
        busy.start()  # and calls into it while the child forks
        try:
            assert _in_fork(lambda: k(x).tobytes() == want.tobytes()) == "True"
        finally:
            stop.set()
            busy.join()
    finally:
        set_threads(old)


def test_a_fork_while_another_thread_holds_mpmath_s_precision():
    """The child gets a free lock and the precision from before the other thread's block."""
    with _Holding(lambda: precision(50)):

        def child():
            with precision(30):
                inside = mpmath.mp.dps
            return inside, mpmath.mp.dps

        assert _in_fork(child) == "(30, 15)"


@pytest.mark.parametrize("lock", ["numba", "llvm"])
def test_a_fork_waits_for_a_compile_in_another_thread_and_the_child_compiles(lock):
    """The other thread holds the lock a compile holds (numba's, or ``native``'s) for a moment: the fork waits for
    it, so the child does not wait forever for a lock that no thread of it releases."""
    from numba import njit
    from numba.core.compiler_lock import global_compiler_lock

    inside = threading.Event()

    def compiling():
        with global_compiler_lock if lock == "numba" else native.LLVM_LOCK:
            inside.set()
            time.sleep(0.3)

    def child():
        native._host.cache_clear()
        return njit(lambda v: v + 1)(1), len(native._host()) > 0

    other = threading.Thread(target=compiling)
    other.start()
    assert inside.wait(WALL)
    try:
        assert _in_fork(child) == "(2, True)"
    finally:
        other.join()


def test_a_fork_waiting_for_a_compile_that_logs_does_not_deadlock():
    """logging takes its lock before a fork; a compile waited for may need that lock to log."""
    script = """
from symact.kernels import native  # before logging, as in a program that imports symact first
import os, threading, time, logging
from numba import njit
from numba.core.compiler_lock import global_compiler_lock
inside = threading.Event()
def compiling():
    with global_compiler_lock:
        inside.set()
        time.sleep(0.3)
        logging.getLogger("a.compile.logging").debug("at the end of a compile")
threading.Thread(target=compiling).start()
inside.wait()
pid = os.fork()
if pid == 0:
    os._exit(njit(lambda v: v + 1)(1) - 2)
assert os.waitpid(pid, 0)[1] == 0
"""
    subprocess.run([sys.executable, "-c", script], check=True, timeout=WALL)


def test_a_forked_child_is_not_ended_by_a_guard_of_another_thread_of_the_parent(monkeypatch):
    """The parent's other thread is inside a guard whose deadline passes in the child; the child's threads (one of
    which may get that thread's identity) have no budget and finish."""
    monkeypatch.setattr(budget, "_EAGER_WITHIN", 0.0)  # a lazy guard, even that close to its deadline

    @contextmanager
    def guarded():
        with within(0.3), guard():
            yield

    def child():
        time.sleep(0.4)  # past the other thread's deadline
        results = []

        def work():
            try:
                for _ in range(20):
                    [str(i) for i in range(1000)]  # Python calls, where a guard's hook would raise
                    gc.collect(0)  # and a collection, where a guard's collector callback arms its hook
                results.append("done")
            except ProofTimeout as err:
                results.append(repr(err))

        threads = [threading.Thread(target=work) for _ in range(8)]
        [t.start() for t in threads]
        [t.join() for t in threads]
        return results

    with _Holding(guarded):
        assert _in_fork(child) == repr(["done"] * 8)


def test_a_forked_child_neither_uses_nor_ends_the_parent_s_isolated_workers():
    isolation.warm()
    worker = isolation._IDLE[-1]

    def child():
        idle = list(isolation._IDLE)
        multiprocessing.util._exit_function()  # what exiting the child runs (atexit)
        return idle

    assert _in_fork(child) == "[]"
    assert worker.process.is_alive()
    assert symact.derive("tanh(x/6)", isolate=True, budget=60).df_of_output == symact.derive("tanh(x/6)").df_of_output
