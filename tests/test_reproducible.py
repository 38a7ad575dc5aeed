"""A result is a function of its definition alone: the whole catalog, derived (and its properties analysed) by
the test run and in a fresh process deliberately slowed (stopped half the time, so every deadline comes after
half the work it allows elsewhere; hash seed 1, an empty cache of its own), gives the same SymPy trees
and the same verdicts and values, or a ``ProofTimeout``; never a third outcome. Every derivation is complete and
cached.

The slowed process is stopped and continued by signals (``SIGSTOP``, ``SIGCONT``) rather than made to share the
GIL with a thread burning CPU: a slowing of the wall clock without spending CPU on the burning (this file took
194 CPU-seconds with the burning thread, 162 without, at a load average of 6 to 9). While it is stopped, the
test run computes its own answers on that core.

One slowed process answers both comparisons (derivations and properties). The reference side is the test run's
own answers (this process's, or another worker's, through ``tests.shared``), computed under another hash seed
and history than the slowed process's: still two processes, with the reference shared with the other tests
instead of computed again in a second fresh process.

The slowed process starts when the run collects this file (``tests/conftest.py``: once per run, whichever
worker collects first) and works beside the other tests; this file's tests run last and read its answers. A
worker waiting on a process stopped half the time would leave its core half idle. The slowing is done by a
process of its own (``python -m tests.test_reproducible``), so no worker has to outlive the slowed one."""

import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import sympy as sp

import symact
from symact import catalog
from symact.derivation import Derivation
from symact.errors import ProofTimeout
from symact.vector import derive_vector

from .timeouts import TIMEOUT_SHARE

ROOT = Path(__file__).resolve().parent.parent


def tree(e) -> str:
    """``srepr`` of ``e`` with each symbol by its name and every assumption it has, given or implied: SymPy's
    caches may hold an equal symbol built with other given ones (beta with real=True and positive=True is beta
    with positive=True), which ``srepr`` alone prints as they were given."""
    symbols = {s.name: sorted(s.assumptions0.items()) for s in getattr(e, "free_symbols", ())}
    return re.sub(
        r"Symbol\('([^']*)'(, \w+=\w+)*\)", lambda m: f"Symbol({m.group(1)!r}, {symbols.get(m.group(1))})", sp.srepr(e)
    )


def derivations() -> dict:
    """Every catalog derivation as SymPy trees (``tree``), kinks included."""
    out = {}
    for entry in catalog.CATALOG:
        d = symact.derive(entry.name)
        kinks = sorted((tree(p), tree(s.left), tree(s.right), tree(s.value)) for p, s in d.kinks.items())
        out[entry.name] = [tree(e) for e in (d.f, d.df, d.d2f, d.df_of_output)] + [kinks]
    for entry in catalog.VECTOR_CATALOG:
        d = derive_vector(entry.name, 3)
        out[entry.name] = [tree(e) for e in (d.jacobian, d.jacobian_of_output, d.loss_gradient, d.loss)]
    return out


def analysed() -> dict:
    """Every catalog activation's properties (proved flag and value), or "timeout"."""
    out = {}
    for entry in catalog.CATALOG:
        try:
            p = symact.properties(entry.name)
        except ProofTimeout:
            out[entry.name] = "timeout"
            continue
        out[entry.name] = {k: [v.proved, sp.srepr(v.value) if isinstance(v.value, sp.Basic) else repr(v.value)]
                           for k, v in p.items()}  # fmt: skip
    return out


SLOWED = """
import json
from tests.test_reproducible import analysed, derivations
print(json.dumps({"derive": derivations(), "properties": analysed()}))
"""


def slow_down(process: subprocess.Popen, running: float = 0.05, stopped: float = 0.05) -> None:
    """Let ``process`` run ``running`` seconds in each ``running + stopped`` until it ends (``send_signal``
    sends nothing to a process that has ended)."""
    while process.poll() is None:
        time.sleep(running)
        try:
            process.send_signal(signal.SIGSTOP)
            time.sleep(stopped)
        finally:
            process.send_signal(signal.SIGCONT)


def answers_file() -> Path:
    """Where this run's slowed process writes its answers (the run's own cache folder, ``tests/conftest.py``)."""
    return Path(os.environ["SYMACT_TEST_CACHE_DIR"]) / "slowed.json"


def start_slowed_process() -> None:
    """Start the slowed process of this run, unless a process of the run already has (an exclusive lock file)."""
    path = answers_file()
    try:
        os.close(os.open(path.with_suffix(".lock"), os.O_CREAT | os.O_EXCL | os.O_WRONLY))
    except FileExistsError:
        return
    command = [sys.executable, "-m", "tests.test_reproducible", str(path)]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    STARTED.append(subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True))


STARTED: list[subprocess.Popen] = []  # the slowed process's runner, where this process started it


def run_slowed(path: Path) -> None:
    """Compute the answers in a fresh process (hash seed 1, an empty cache of its own), slowed down, and write
    them to ``path`` (or what went wrong to ``path.err``), each whole or not at all."""
    cache = tempfile.mkdtemp(prefix="symact-slowed-")
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONHASHSEED": "1", "SYMACT_CACHE_DIR": cache}
    process = subprocess.Popen(
        [sys.executable, "-c", SLOWED], env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    slowing = threading.Thread(target=slow_down, args=(process,), daemon=True)
    slowing.start()
    out, err = process.communicate()
    slowing.join()
    target, text = (path, out) if process.returncode == 0 else (path.with_suffix(".err"), err[-2000:])
    target.with_suffix(".tmp").write_bytes(text)
    os.replace(target.with_suffix(".tmp"), target)


@pytest.fixture(scope="module")
def answers():
    """The catalog's derivations and properties here and in the slowed fresh process: ``(here, slowed)``."""
    start_slowed_process()  # started at collection already, when this file was collected with the run
    here = json.loads(json.dumps({"derive": derivations(), "properties": analysed()}))  # as the other's, via JSON
    path = answers_file()
    for _ in range(6000):  # at most 3000 s
        if path.exists() or path.with_suffix(".err").exists():
            break
        time.sleep(0.5)
    assert path.exists(), path.with_suffix(".err").read_text() if path.with_suffix(".err").exists() else "no answer"
    for runner in STARTED:
        runner.wait(timeout=60)  # it ends once the answers are written
    return here, json.loads(path.read_text())


def test_the_catalog_derives_identically_on_a_slowed_process(answers):
    here, slowed = (side["derive"] for side in answers)
    names = [e.name for e in catalog.CATALOG] + [e.name for e in catalog.VECTOR_CATALOG]
    assert sorted(here) == sorted(names)
    for name in names:
        assert here[name] == slowed[name], name


def test_the_catalog_properties_are_identical_on_a_slowed_process_or_time_out(answers):
    here, slowed = (side["properties"] for side in answers)
    assert sorted(here) == sorted(slowed) == sorted(e.name for e in catalog.CATALOG)
    answered = {name: mine for name, mine in here.items() if mine != "timeout"}
    assert len(answered) >= (1 - TIMEOUT_SHARE) * len(here)  # timeouts are counted apart
    for name, mine in answered.items():
        assert slowed[name] in (mine, "timeout"), name


def test_no_derivation_is_degraded_and_every_one_is_cached():
    assert "incomplete" not in Derivation.__dataclass_fields__
    assert "incomplete" not in str(symact.derive("gelu_tanh"))
    for entry in catalog.CATALOG:
        d = symact.derive(entry.name)
        assert symact.derive(entry.name) is d, entry.name
        assert isinstance(d.d2f, sp.Expr)


def test_concurrent_first_calls_share_one_cached_derivation():
    definition = "tanh(x/7) + x/11"  # an expression no other test derives
    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda _: symact.derive(definition), range(4)))
    assert all(d is results[0] for d in results)
    assert results[0] is symact.derive(definition)


if __name__ == "__main__":
    run_slowed(Path(sys.argv[1]))
