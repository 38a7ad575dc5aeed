"""A result is a function of its definition alone: the whole catalog, derived (and its properties analysed) in a
fresh process and in another fresh process deliberately slowed (a thread burning CPU under the GIL, a switch
interval of a microsecond, another hash seed), gives the same SymPy trees and the same verdicts and values, or a
``ProofTimeout``; never a third outcome. Every derivation is complete and cached."""

import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import sympy as sp

import symact
from symact import catalog
from symact.derivation import Derivation

from .timeouts import TIMEOUT_SHARE

ROOT = Path(__file__).resolve().parent.parent

SLOWED = """
import json, sys, threading
if sys.argv[1] == "slow":
    def burn():
        while True:
            sum(range(1000))
    threading.Thread(target=burn, daemon=True).start()
"""

SCRIPT = (
    SLOWED
    + """    sys.setswitchinterval(1e-6)
import sympy as sp
from symact import catalog, derive
from symact.vector import derive_vector
out = {}
for entry in catalog.CATALOG:
    d = derive(entry.name)
    kinks = sorted((sp.srepr(p), sp.srepr(s.left), sp.srepr(s.right), sp.srepr(s.value)) for p, s in d.kinks.items())
    out[entry.name] = [sp.srepr(e) for e in (d.f, d.df, d.d2f, d.df_of_output)] + [kinks]
for entry in catalog.VECTOR_CATALOG:
    d = derive_vector(entry.name, 3)
    out[entry.name] = [sp.srepr(e) for e in (d.jacobian, d.jacobian_of_output, d.loss_gradient, d.loss)]
print(json.dumps(out))
"""
)

PROPERTIES = (
    SLOWED
    + """import sympy as sp
from symact import catalog, properties
from symact.errors import ProofTimeout
out = {}
for entry in catalog.CATALOG:
    try:
        p = properties(entry.name)
    except ProofTimeout:
        out[entry.name] = "timeout"
        continue
    out[entry.name] = {k: [v.proved, sp.srepr(v.value) if isinstance(v.value, sp.Basic) else repr(v.value)]
                       for k, v in p.items()}
print(json.dumps(out))
"""
)


def _derive_catalog(mode: str, seed: str, cache: Path, script: str = SCRIPT) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONHASHSEED": seed, "SYMACT_CACHE_DIR": str(cache)}
    return subprocess.Popen(
        [sys.executable, "-c", script, mode], env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )


def test_the_catalog_derives_identically_on_a_slowed_process(tmp_path):
    runs = {mode: _derive_catalog(mode, seed, tmp_path / mode) for mode, seed in (("normal", "0"), ("slow", "1"))}
    results = {}
    for mode, process in runs.items():
        out, err = process.communicate(timeout=900)
        assert process.returncode == 0, err.decode()[-2000:]
        results[mode] = json.loads(out)
    names = [e.name for e in catalog.CATALOG] + [e.name for e in catalog.VECTOR_CATALOG]
    assert sorted(results["normal"]) == sorted(names)
    for name in names:
        assert results["normal"][name] == results["slow"][name], name


def test_the_catalog_properties_are_identical_on_a_slowed_process_or_time_out(tmp_path):
    runs = {m: _derive_catalog(m, seed, tmp_path / m, PROPERTIES) for m, seed in (("normal", "0"), ("slow", "1"))}
    results = {}
    for mode, process in runs.items():
        out, err = process.communicate(timeout=3000)
        assert process.returncode == 0, err.decode()[-2000:]
        results[mode] = json.loads(out)
    assert sorted(results["normal"]) == sorted(e.name for e in catalog.CATALOG)
    answered = {name: normal for name, normal in results["normal"].items() if normal != "timeout"}
    assert len(answered) >= (1 - TIMEOUT_SHARE) * len(results["normal"])  # timeouts are counted apart
    for name, normal in answered.items():
        assert results["slow"][name] in (normal, "timeout"), name


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
