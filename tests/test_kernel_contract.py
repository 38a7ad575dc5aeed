"""What a kernel call promises for any input and any ``out=`` (``symact.kernels.arrays``), on both backends: the
dtype and values a call without ``out`` gives, written into ``out`` as ``np.copyto`` writes them; an ``out`` it
cannot write element for element refused before anything is written; bad input a ``ParameterError``."""

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import symact
from symact.kernels import fused

BACKENDS = ["numpy"] + (["numba"] if fused.available() else [])
X = np.array([-3.0, -1.2784645, -1e-8, -0.0, 0.0, 5e-324, 0.5, 2.0, 40.0, np.inf, -np.inf, np.nan])


def _calls(k):
    return [k, k.grad, k.grad2] + ([k.grad_from_output] if k.has_output_form else [])


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("order", [">", "<"])
@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
def test_byte_swapped_input_gives_the_native_results(backend, order, dtype):
    k = symact.kernel("silu", backend=backend)
    x = X.astype(dtype)
    swapped = x.astype(np.dtype(dtype).newbyteorder(order))
    for fn in _calls(k):
        got, want = fn(swapped), fn(x)
        assert got.dtype == want.dtype and got.dtype.isnative
        assert got.tobytes() == want.tobytes()
    got, want = k.value_and_grad(swapped), k.value_and_grad(x)
    assert all(g.dtype.isnative and g.tobytes() == w.tobytes() for g, w in zip(got, want))


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize(
    ("x_dtype", "out_dtype"), [("f2", "f4"), ("f2", "f8"), ("f4", "f8"), ("f8", "f2"), ("f4", ">f8")]
)
def test_out_of_another_dtype_takes_what_the_call_without_out_returns(backend, x_dtype, out_dtype):
    """As NumPy's ufuncs: the result in x's dtype, then cast to out's (float32 x into a float64 out is not
    computed again in float64, which would make out's values depend on the backend's working precision)."""
    k = symact.kernel("silu", backend=backend)
    x = np.concatenate([X, np.linspace(-9, 9, 61)]).astype(x_dtype)
    for fn in _calls(k):
        out = np.full(x.shape, -7.0, out_dtype)
        assert fn(x, out=out) is out
        with np.errstate(over="ignore"):
            want = fn(x).astype(out_dtype)
        assert out.tobytes() == want.tobytes()
    f, df = np.empty(x.shape, out_dtype), np.empty(x.shape, out_dtype)
    k.value_and_grad(x, out=(f, df))
    want = [r.astype(out_dtype) for r in k.value_and_grad(x)]
    assert f.tobytes() == want[0].tobytes() and df.tobytes() == want[1].tobytes()


@pytest.mark.parametrize("backend", BACKENDS)
def test_an_out_too_narrow_for_the_result_does_not_warn(backend):
    out = np.empty(2, np.float16)
    symact.kernel("softplus", backend=backend)(np.array([1e5, -1.0]), out=out)  # warnings are errors in tests
    assert out[0] == np.inf and out[1] == np.float16(symact.kernel("softplus")(-1.0))


def _overlapping(n: int, shape: tuple, strides: tuple) -> tuple[np.ndarray, np.ndarray]:
    """A buffer of ``n`` zeros and a writable view of it whose elements overlap."""
    buffer = np.zeros(n)
    return buffer, np.lib.stride_tricks.as_strided(buffer, shape, strides)


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("part", ["f", "grad", "value_and_grad"])
def test_an_out_with_two_elements_in_one_place_is_refused_unwritten(backend, part):
    """A writable stride-0 view, or rows that overlap: its elements would be written twice, the last wins."""
    k = symact.kernel("gelu", backend=backend)
    fn = k if part == "f" else getattr(k, part)
    for buffer, bad in [_overlapping(1, (6,), (0,)), _overlapping(8, (2, 6), (8, 8)), _overlapping(4, (3, 2), (8, 8))]:
        out = (bad, np.zeros(bad.shape)) if part == "value_and_grad" else bad
        with pytest.raises(symact.ParameterError, match="share memory"):
            fn(np.linspace(1, 2, bad.size).reshape(bad.shape), out=out)
        assert not buffer.any()


@pytest.mark.parametrize("backend", BACKENDS)
def test_value_and_grad_into_outs_that_share_memory_is_refused_unwritten(backend):
    """One array twice (f would be lost to f'), overlapping views, a view and its reverse, x twice."""
    k = symact.kernel("silu", backend=backend)
    a, b, x = np.zeros(6), np.zeros(7), np.linspace(-1, 1, 6)
    for pair in [(a, a), (b[:6], b[1:]), (a, a[::-1]), (x, x)]:
        with pytest.raises(symact.ParameterError, match="share memory"):
            k.value_and_grad(x, out=pair)
    assert not a.any() and not b.any() and np.array_equal(x, np.linspace(-1, 1, 6))
    grid = np.zeros(12)  # rows and columns interleaved, no element shared: taken
    out = np.lib.stride_tricks.as_strided(grid, (3, 2), (16, 24))
    assert k(np.ones((3, 2)), out=out) is out and np.array_equal(out, np.full((3, 2), k(1.0)))
    interleaved = np.zeros(12)
    f, df = k.value_and_grad(x, out=(interleaved[::2], interleaved[1::2]))  # apart though in one buffer
    assert np.array_equal(f, k(x)) and np.array_equal(df, k.grad(x))


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_ragged_list_is_a_parameter_error(backend):
    k = symact.kernel("relu", backend=backend)
    for bad in [[1.0, [2.0, 3.0]], [[1.0], [2.0, 3.0]]]:
        with pytest.raises(symact.ParameterError, match="'x'"):
            k(bad)


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_lazy_array_with_out_is_computed_into_out(backend):
    """dask stays lazy without out=; with it, both backends compute into out (the fused one once ignored it)."""
    da = pytest.importorskip("dask.array")
    k = symact.kernel("relu", backend=backend)
    lazy = da.from_array(np.array([-1.0, 2.0, 3.0]), chunks=2)
    out, f, df = np.zeros(3), np.zeros(3), np.zeros(3)
    assert k(lazy, out=out) is out and out.tolist() == [0.0, 2.0, 3.0]
    got = k.value_and_grad(lazy, out=(f, df))
    assert got[0] is f and got[1] is df and df.tolist() == [0.0, 1.0, 1.0]


@pytest.mark.parametrize("bad", [0, -1, 2.5, "3", True, 10**9])
def test_a_thread_count_other_than_a_small_positive_int_is_a_parameter_error(bad):
    """0 once meant every core and -1 one thread; 10**9 cut an array in 10**9 chunks."""
    from symact.kernels.chunks import set_threads

    old = set_threads(3)
    with pytest.raises(symact.ParameterError, match="'n'"):
        set_threads(bad)
    assert set_threads(old) == 3  # the refused call changed nothing


def _unaligned(values: np.ndarray) -> np.ndarray:
    array = np.ndarray(values.shape, dtype=values.dtype, buffer=bytearray(values.nbytes + 1), offset=1)
    array[...] = values
    assert not array.flags.aligned
    return array


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("part", ["f", "value_and_grad"])
def test_the_compiled_loop_never_sees_an_unaligned_array(dtype, part, monkeypatch):
    seen = []
    real = fused.run_in_chunks

    def spy(*args):
        array, results = args[-2], args[-1]
        seen.append(all(a.flags.aligned for a in (array, *results)))
        return real(*args)

    monkeypatch.setattr(fused, "run_in_chunks", spy)
    k = symact.kernel("silu", backend="numba")
    x = np.linspace(-5, 5, 301).astype(dtype)
    want = getattr(k, part)(x) if part != "f" else k(x)
    ux = _unaligned(x)
    outs = (_unaligned(np.zeros_like(x)), _unaligned(np.zeros_like(x)))
    got = k.value_and_grad(ux, out=outs) if part == "value_and_grad" else k(ux, out=outs[0])
    assert seen and all(seen)
    for w, g in zip(want if part == "value_and_grad" else (want,), got if part == "value_and_grad" else (got,)):
        assert np.array_equal(w, g)


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_masked_array_gives_masked_results_and_writes_only_its_unmasked_elements(backend):
    """As NumPy's ufuncs: the mask is kept, never dropped (a kernel once computed the values under it as data)."""
    k = symact.kernel("silu", backend=backend)
    m = np.ma.masked_array([1.0, np.nan, 3.0, -2.0], mask=[0, 1, 0, 0])
    plain = np.array([1.0, 0.0, 3.0, -2.0])
    for fn in _calls(k):
        got = fn(m)
        assert isinstance(got, np.ma.MaskedArray) and got.mask.tolist() == [False, True, False, False]
        assert got.compressed().tobytes() == fn(plain)[[0, 2, 3]].tobytes()
        out = np.full(4, 7.0)
        assert fn(m, out=out) is out and out[1] == 7.0 and out[[0, 2, 3]].tobytes() == fn(plain)[[0, 2, 3]].tobytes()
    f, df = k.value_and_grad(m)
    assert f.mask.tolist() == df.mask.tolist() == [False, True, False, False]
    assert df.compressed().tobytes() == k.grad(plain)[[0, 2, 3]].tobytes()


# A process where numba is not installed (find_spec finds nothing, an import fails), or installed but broken (found,
# and its import fails, as a numba built for another NumPy does).
_NO_NUMBA = """
import importlib.abc, importlib.util, sys
real = importlib.util.find_spec
importlib.util.find_spec = lambda name, *a: None if name.split('.')[0] in ('numba', 'llvmlite') else real(name, *a)
class Block(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path, target=None):
        if name.split('.')[0] in ('numba', 'llvmlite'):
            raise ImportError('No module named ' + name)
sys.meta_path.insert(0, Block())
"""
_BROKEN_NUMBA = """
import importlib.abc, importlib.machinery, importlib.util, sys
origin = importlib.util.find_spec('numba').origin
class Broken(importlib.abc.Loader):
    def create_module(self, spec):
        return None
    def exec_module(self, module):
        raise ImportError('Numba needs another NumPy')
class Block(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path, target=None):
        if name.split('.')[0] == 'numba':
            return importlib.machinery.ModuleSpec(name, Broken(), origin=origin)
sys.meta_path.insert(0, Block())
"""


def _run(code: str, cache, *args) -> str:
    env = {**os.environ, "SYMACT_CACHE_DIR": str(cache)}
    root = Path(symact.__file__).resolve().parents[1]  # this checkout's symact, whatever is installed
    done = subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, env=env, timeout=600, cwd=root
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.mark.skipif(not fused.available(), reason="the pickles are written by the fused backend")
def test_a_pickled_fused_kernel_is_the_numpy_kernel_where_numba_is_missing(tmp_path):
    """Another machine without numba, and a cache of its own: the kernel (and an MLP holding one) loads as the
    NumPy kernel of the same definition, as backend='auto' gives there; a fused ufunc says it needs numba. (A
    pickled kernel once raised a bare ImportError there.)"""
    write = (
        "import pickle, sys, numpy as np, symact\n"
        "symact.define('act_away', 'x*tanh(x) + x/(1 + x**2)')\n"
        "xs = np.linspace(-5, 5, 11)\n"
        "ks = [symact.kernel('act_away'), symact.kernel('elu', alpha=0.5)]\n"
        "X = np.linspace(-1, 1, 12).reshape(6, 2)\n"
        "net = symact.MLP([2, 3, 2], activation='act_away', epochs=2, seed=0).fit(X, [0, 1, 0, 1, 0, 1])\n"
        "want = [(k(xs), k.grad(xs)) for k in ks], net.predict_proba(X)\n"
        "pickle.dump(((ks, net), want, pickle.dumps(ks[1].ufunc('f'))), open(sys.argv[1], 'wb'))\n"
        "print(' '.join(type(k).__name__ for k in ks))\n"
    )
    read = _NO_NUMBA + (
        "import pickle, numpy as np, symact\n"
        "(ks, net), (values, proba), ufunc = pickle.load(open(sys.argv[1], 'rb'))\n"
        "xs = np.linspace(-5, 5, 11)\n"
        "for k, (f, df) in zip(ks, values):\n"
        "    assert np.allclose(k(xs), f, rtol=1e-14, atol=0) and np.allclose(k.grad(xs), df, rtol=1e-14, atol=0)\n"
        "assert np.allclose(net.predict_proba(np.linspace(-1, 1, 12).reshape(6, 2)), proba, rtol=1e-12)\n"
        "try:\n"
        "    pickle.loads(ufunc)\n"
        "except symact.ParameterError as err:\n"
        "    assert 'needs numba' in str(err)\n"
        "else:\n"
        "    raise AssertionError('a fused ufunc without numba')\n"
        "print(' '.join(k.backend for k in ks), 'numba' in sys.modules)\n"
    )
    path = str(tmp_path / "kernels.pickle")
    assert _run(write, tmp_path / "a", path).split() == ["FusedKernel", "FusedKernel"]
    assert _run(read, tmp_path / "b", path).split() == ["numpy", "numpy", "False"]


@pytest.mark.skipif(not fused.available(), reason="needs numba's release file")
def test_a_broken_numba_is_a_parameter_error_and_auto_serves_the_numpy_kernel(tmp_path):
    """numba installed but failing to import (built for another NumPy) once raised a bare ImportError."""
    code = _BROKEN_NUMBA + (
        "import numpy as np, symact\n"
        "k = symact.kernel('silu')\n"
        "assert k.backend == 'numpy' and k(np.array([0.0])).tolist() == [0.0]\n"
        "try:\n"
        "    symact.kernel('gelu', backend='numba')\n"
        "except symact.ParameterError as err:\n"
        "    print('numba cannot be imported' in str(err))\n"
    )
    assert _run(code, tmp_path / "c").strip() == "True"


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_where_that_fits_one_out_of_value_and_grad_only_is_refused_unwritten(backend):
    """x broadcasts into outs of two shapes; a mask of the first's shape was NumPy's ValueError at the second's
    copy, after the first had been written."""
    k = symact.kernel("silu", backend=backend)
    f, df = np.zeros((2, 3)), np.zeros(3)
    with pytest.raises(symact.ParameterError, match="'where'"):
        k.value_and_grad(np.ones(3), out=(f, df), where=np.eye(2, 3, dtype=bool))
    assert not f.any() and not df.any()
    mask = np.array([True, False, True])  # fits both: taken
    k.value_and_grad(np.ones(3), out=(f, df), where=mask)
    assert f.tolist() == [[k(1.0), 0.0, k(1.0)]] * 2 and df.tolist() == [k.grad(1.0), 0.0, k.grad(1.0)]


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_one_tuple_out_is_taken_as_numpy_ufuncs_take_it(backend):
    """np.tanh(x, out=(o,)) writes o and returns it; the kernel refused the 1-tuple."""
    k = symact.kernel("silu", backend=backend)
    for fn in _calls(k):
        for x, o in ((X, np.empty_like(X)), (X[::2], np.empty(6, np.float32)), (X, np.empty((2, 12)))):
            got = fn(x, out=(o,))
            assert got is o and o.tobytes() == np.broadcast_to(fn(x).astype(o.dtype), o.shape).tobytes()
    with pytest.raises(symact.ParameterError, match="tuple of 1"):
        k(X, out=(np.empty_like(X), np.empty_like(X)))


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("x", [2**70, -(2**64), [2**70, 1.0], np.array([2**80, 3], dtype=object)])
def test_an_integer_beyond_int64_is_refused_as_numpy_refuses_it(backend, x):
    """np.tanh(2**70) is a TypeError (NumPy holds it as an object): a ParameterError that says why."""
    with pytest.raises(TypeError):
        np.tanh(np.asarray(x))
    with pytest.raises(symact.ParameterError, match="beyond int64"):
        symact.kernel("tanh", backend=backend)(x)


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("name", ["silu", "sigmoid", "mish", "gelu"])
def test_float16_results_are_the_float64_values_rounded_once(backend, name):
    """Every float16 input: f, f', f'' and value_and_grad in float16 are the float64 kernel's values rounded to
    float16 (the fused kernel computed float16 in its float32 loop and rounded twice: silu' at 0.001465 gave
    0.501 where 0.50073... rounds to 0.5005)."""
    x = np.arange(2**16, dtype=np.uint16).view(np.float16)
    x = x[~np.isnan(x)]
    k = symact.kernel(name, backend=backend)
    for fn in (k, k.grad, k.grad2):
        got = fn(x)
        assert got.dtype == np.float16 and got.tobytes() == fn(x.astype(np.float64)).astype(np.float16).tobytes()
    value, grad = k.value_and_grad(x)
    assert value.tobytes() == k(x).tobytes() and grad.tobytes() == k.grad(x).tobytes()
