"""The disk index of ``kernel()``: a catalog name served in a later process without SymPy, the same kernel
bit for bit; never for another definition (an edited source, a ``define``-d name)."""

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import symact
from symact import catalog

pytest.importorskip("numba")
from symact.kernels import api, fused  # noqa: E402

ROOT = Path(symact.__file__).resolve().parents[1]

SERVED = """
import json, pickle, sys, numpy as np, symact
x = np.concatenate([np.linspace(-40, 40, 801), [0.0, -0.0, np.inf, -np.inf, np.nan, 5e-324, -5e-324, 1e-310]])
k, leaky = symact.kernel("logistic"), symact.kernel("leaky_relu", negative_slope=0.1, backend="numba")
outs = [k(x), leaky(x)]
light = sorted({"sympy", "numba", "symact.catalog", "symact.derivation"} & set(sys.modules))
if sys.argv[1] == "f":  # the kernels built, their index entries and f's float64 loops written: nothing else
    sys.exit()
outs += [k.grad(x), *k.value_and_grad(x), k.grad2(x), k.grad_from_output(k(x)), leaky.grad(x)]
outs += [k(x.astype(np.float32)), *k.value_and_grad(x.astype(np.float32)), leaky(x.astype(np.float32))]
o = np.full(5, 7.0)
k(x[:5], out=o, where=x[:5] > 0)
outs.append(o)
same = symact.kernel("logistic") is k and symact.kernel("sigmoid") is k
facts = [k.name, k.backend, k.has_output_form, k.source(), leaky.name, same]
facts += [repr(leaky), str(k.derivation.df), leaky.definition.key, light]
back = pickle.loads(pickle.dumps(k))
facts.append(back(x).tobytes().hex() == outs[0].tobytes().hex())
print(json.dumps({"outs": [o.tobytes().hex() for o in outs], "facts": facts, "sympy": light}))
"""


def test_a_second_process_serves_a_catalog_kernel_without_sympy(tmp_path):
    """A process builds the kernels and writes their index entries, computing f on float64 only; a second serves
    them from the index (its f imports no SymPy, numba or catalog; then numba compiles the loops the first did
    not) and gives the bits, facts and pickles of a process that built everything."""

    def run(cache: str, what: str):
        env = {**os.environ, "SYMACT_CACHE_DIR": str(tmp_path / cache)}
        args = [sys.executable, "-c", SERVED, what]
        return subprocess.run(args, capture_output=True, text=True, env=env, timeout=600, cwd=ROOT)

    runs = [run("a", "all"), run("b", "f"), run("b", "all")]
    assert [r.returncode for r in runs] == [0, 0, 0], [r.stderr for r in runs]
    first, second = json.loads(runs[0].stdout), json.loads(runs[2].stdout)
    assert "sympy" in first["sympy"] and second["sympy"] == [], [r.stderr for r in runs]
    assert first["outs"] == second["outs"]
    assert first["facts"][:-2] == second["facts"][:-2] and second["facts"][-1] is True
    assert second["facts"][:2] == ["sigmoid", "numba"] and second["facts"][5] is True


@pytest.fixture
def cache(monkeypatch, tmp_path):
    """A fresh cache folder, and a process that has served or built no kernel yet."""
    monkeypatch.setenv("SYMACT_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(fused, "_KERNELS", {})
    monkeypatch.setattr(api, "_SERVED", {})
    return tmp_path


def test_an_entry_is_served_only_for_the_sources_it_was_written_for(cache, monkeypatch):
    built = symact.kernel("elu", alpha=0.5)
    call = api._indexable("elu", "torch", "auto", {"alpha": 0.5})
    monkeypatch.setattr(fused, "_KERNELS", {})
    served = api._served(call)
    x = np.linspace(-5, 5, 101)
    assert served is not built and np.array_equal(served.grad(x), built.grad(x))
    assert served.definition == built.definition and served.definition.params == built.definition.params
    read = Path.read_bytes

    def edited(path: Path) -> bytes:  # symact's catalog as another version of it would read
        return read(path) + (b"\n# edited\n" if path.name == "catalog.py" else b"")

    try:
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(Path, "read_bytes", edited)
            api._sources.cache_clear()
            assert api._served(call) is None
    finally:
        api._sources.cache_clear()
    assert api._served(api._indexable("elu", "torch", "auto", {"alpha": 0.25})) is None  # another value
    assert api._served(api._indexable("elu", "torch", "numba", {"alpha": 0.5})) is None  # another backend
    assert api._served(call) is served  # one kernel per definition, as build gives


def test_a_defined_name_is_never_served(cache, monkeypatch):
    symact.define("act_indexed", "x*sigmoid(x)")
    first = symact.kernel("act_indexed", backend="numba")
    assert api._indexable("act_indexed", "torch", "numba", {}) is None and not (cache / "fused" / "index").exists()
    symact.define("act_indexed", "x*sigmoid(2*x)", replace=True)
    assert symact.kernel("act_indexed", backend="numba")(1.0) != first(1.0)
    relu = symact.kernel("relu", backend="numba")
    assert len(list((cache / "fused" / "index").iterdir())) == 1
    shadow = catalog.Activation("relu", catalog.get("silu").expr, {})  # a user entry under a catalog name
    monkeypatch.setitem(catalog.USER, "relu", shadow)
    assert symact.kernel("relu", backend="numba") is not relu
    assert symact.kernel("relu", backend="numba")(1.0) == symact.kernel("silu", backend="numba")(1.0)


def test_only_a_plain_call_is_looked_up():
    assert api._indexable("relu", "torch", "numpy", {}) is None
    assert api._indexable("elu", "torch", "auto", {"alpha": np.float64(0.5)}) is None
    assert api._indexable("elu", "torch", "auto", {"alpha": True}) is None
    assert api._indexable(catalog.get("relu"), "torch", "auto", {}) is None
    one, half = api._indexable("elu", "torch", "auto", {"alpha": 1}), api._indexable("elu", "torch", "auto", {})
    assert one != api._indexable("elu", "torch", "auto", {"alpha": 1.0}) and one != half
