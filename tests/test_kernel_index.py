"""The disk index of ``kernel()``: a catalog name served in a later process without SymPy, the same kernel
bit for bit; never for another definition (an edited source, a ``define``-d name)."""

import json
import os
import pickle
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest

import symact
from symact import catalog

pytest.importorskip("numba")
from symact.kernels import api, build, fused  # noqa: E402

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
    monkeypatch.setattr(build, "_CALLS", {})
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
    assert api._indexable("x*sigmoid(x)", "torch", "auto", {}) is None  # an expression: never a catalog name
    assert api._indexable(" Leaky-ReLU ", "torch", "auto", {}) is not None
    one, half = api._indexable("elu", "torch", "auto", {"alpha": 1}), api._indexable("elu", "torch", "auto", {})
    assert one != api._indexable("elu", "torch", "auto", {"alpha": 1.0}) and one != half


def test_a_call_seen_before_is_matched_with_its_parameter_types():
    """``True == 1``: a bool is refused as a parameter whether or not the int of its value was compiled before."""
    assert symact.kernel("elu", backend="numpy", alpha=1)(-1.0) < 0
    with pytest.raises(symact.SymactError, match="must be a number"):
        symact.kernel("elu", backend="numpy", alpha=True)


def test_a_cache_that_cannot_take_the_index_still_serves(cache):
    (cache / "fused").mkdir()
    (cache / "fused" / "index").write_text("not a folder")
    relu = symact.kernel("relu", backend="numba")
    assert relu(np.array([-1.0, 2.0])).tolist() == [0.0, 2.0] and symact.kernel("relu", backend="numba") is relu


def test_two_threads_write_one_generated_module(cache, monkeypatch):
    """Each writer has its own temporary file: neither replaces the other's."""
    both = threading.Barrier(2, timeout=30)
    replace = os.replace

    def together(src, dst):
        both.wait()
        replace(src, dst)

    monkeypatch.setattr(os, "replace", together)
    with ThreadPoolExecutor(2) as pool:
        texts = list(pool.map(lambda _: fused._written("0" * 24, lambda: "X = 1"), range(2)))
    assert texts == ["X = 1"] * 2 and fused._cached("0" * 24) == "X = 1"


@pytest.mark.parametrize("damage", ["truncated", "edited", "garbage", "entry", "object"])
def test_a_damaged_cache_gives_the_kernel_or_builds_it_again(cache, monkeypatch, damage):
    """A generated module that is not as written (truncated, edited, not text) is written again, never run; an
    index entry or native object that is not whole is a miss."""
    x = np.linspace(-4, 4, 9)
    relu = symact.kernel("relu", backend="numba")
    want = relu.source(), relu(x).tobytes(), relu.grad_from_output(relu(x)).tobytes()
    path = fused.module_path(relu._key)
    if damage == "truncated":
        path.write_text(path.read_text()[:300])
    elif damage == "edited":
        path.write_text(path.read_text().replace("HAS_OUTPUT_FORM = True", "HAS_OUTPUT_FORM = False"))
    elif damage == "garbage":
        path.write_bytes(b"\xff\x00 (((")
    elif damage == "entry":
        for entry in (cache / "fused" / "index").iterdir():
            entry.write_text(entry.read_text()[:20])
    else:
        for obj in (cache / "fused").glob("*.o"):
            obj.write_bytes(obj.read_bytes()[:200])
    for memo, name in ((fused, "_KERNELS"), (fused, "_LOOPS"), (api, "_SERVED"), (build, "_CALLS")):
        monkeypatch.setattr(memo, name, {})
    again = symact.kernel("relu", backend="numba")
    assert again is not relu and fused._cached(again._key) == want[0]
    assert (again.source(), again(x).tobytes(), again.grad_from_output(again(x)).tobytes()) == want


def test_threads_compiling_the_marked_functions_at_once_compile_them_once(monkeypatch):
    """Threads importing their first generated modules side by side: one compiles ``vmath``'s marked functions,
    the others wait for it (iterating the marks as one clears them was a RuntimeError)."""
    from symact.kernels import vmath

    inside, most, both = [0], [0], threading.Barrier(2, timeout=30)

    def intrinsics():
        inside[0] += 1
        most[0] = max(most[0], inside[0])
        threading.Event().wait(0.2)
        inside[0] -= 1

    def marked(v):
        return v

    monkeypatch.setattr(vmath, "_MARKED", {marked: False})
    monkeypatch.setattr(vmath, "_intrinsics", intrinsics)
    with ThreadPoolExecutor(2) as pool:
        list(pool.map(lambda _: (both.wait(), vmath.compile_all()), range(2)))
    assert most == [1] and vmath._MARKED == {}


def test_a_budget_too_short_to_build_still_serves_what_the_index_holds(cache, monkeypatch):
    relu = symact.kernel("relu", backend="numba")
    for memo, name in ((fused, "_KERNELS"), (api, "_SERVED"), (build, "_CALLS")):
        monkeypatch.setattr(memo, name, {})
    with ThreadPoolExecutor(1) as pool:
        for call in (symact.kernel, lambda *a, **k: pool.submit(symact.kernel, *a, **k).result()):
            assert call("relu", backend="numba", budget=1e-6).source() == relu.source()
            with pytest.raises(symact.ProofTimeout):
                call("leaky_relu", backend="numba", budget=1e-6, negative_slope=0.3125)


def test_a_cache_folder_that_cannot_be_written_is_an_error_or_the_numpy_kernel(tmp_path, monkeypatch):
    """numba imports the generated module from a file: without a folder to write it, 'numba' is a SymactError and
    'auto' serves the NumPy kernel (an OSError before)."""
    blocked = tmp_path / "a file"
    blocked.write_text("")
    monkeypatch.setenv("SYMACT_CACHE_DIR", str(blocked))
    text = "x*sigmoid(1.25*x) + x/64"  # compiled nowhere else
    with pytest.raises(symact.SymactError, match="cache folder"):
        symact.kernel(text, backend="numba")
    served = symact.kernel(text)
    assert served.backend == "numpy" and served(np.array([0.0, 64.0]))[1] > 64


def test_a_pickled_kernel_restored_where_the_cache_cannot_be_written_is_the_numpy_kernel(tmp_path, monkeypatch):
    """Unpickling a fused kernel writes its generated module to this process's cache folder: where there is none to
    write, the pickle loads as the NumPy kernel of its definition, as ``backend='auto'`` serves there (an OSError
    before, then a ParameterError)."""
    pickled = pickle.dumps(symact.kernel("x*atan(1.25*x)", backend="numba"))
    t = np.linspace(-5.0, 5.0, 101)
    want = symact.kernel("x*atan(1.25*x)", backend="numpy")
    blocked = tmp_path / "a file"
    blocked.write_text("")
    monkeypatch.setenv("SYMACT_CACHE_DIR", str(blocked))
    monkeypatch.setattr(fused, "_KERNELS", {})
    served = pickle.loads(pickled)
    assert served.backend == "numpy"
    assert served(t).tobytes() == want(t).tobytes() and served.grad(t).tobytes() == want.grad(t).tobytes()
