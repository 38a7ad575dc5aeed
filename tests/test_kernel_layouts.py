"""Memory safety: any layout of x and of out= gives, bit for bit, what a plain contiguous call gives, and
nothing outside out is written: f, grad, grad2, value_and_grad and the ufuncs, on both backends.

Each example lays x and out (and the second out of value_and_grad) into buffers with guard elements around
them, at any offset, with any steps (reversed, strided, transposed), dtype and overlap (x inside out's
buffer), and compares the whole buffers with the ones NumPy's ``copyto`` makes from a call on fresh
contiguous arrays.
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import symact
from symact.kernels import fused

NAMES = ["relu", "gelu", "silu", "elu"]
BACKENDS = ["numpy"] + (["numba"] if fused.available() else [])
DTYPES = [np.float16, np.float32, np.float64]
SPECIAL = [0.0, -0.0, np.inf, -np.inf, np.nan, 1e-310, -40.0, 1e4]


@pytest.fixture(scope="module", autouse=True)
def _private_cache(tmp_path_factory):
    mp = pytest.MonkeyPatch()
    mp.setenv("SYMACT_CACHE_DIR", str(tmp_path_factory.mktemp("layouts-cache")))
    yield
    mp.undo()


@st.composite
def layouts(draw, ndim: int):
    """Steps in elements of a view of ``ndim`` axes that never overlaps itself (reversed, strided, transposed)."""
    inner = draw(st.sampled_from([1, 1, 2, 3, -1, -2]))
    if ndim < 2:
        return (inner,)[:ndim]
    gap = draw(st.integers(0, 2))
    return inner, gap, draw(st.booleans()), draw(st.booleans())  # the outer step is fixed by the shape


def _steps(layout: tuple, shape: tuple) -> tuple:
    if len(shape) < 2:
        return layout
    inner, gap, transposed, outer_reversed = layout
    rows, cols = shape[::-1] if transposed else shape
    outer = (cols * abs(inner) + gap) * (-1 if outer_reversed else 1)
    return (inner, outer) if transposed else (outer, inner)


def _extent(shape: tuple, steps: tuple) -> tuple[int, int]:
    """The lowest and highest element offsets a view reaches from its first element."""
    ends = [(n - 1) * s for n, s in zip(shape, steps) if n]
    return sum(min(0, e) for e in ends), sum(max(0, e) for e in ends)


def _view(buffer: np.ndarray, start: int, shape: tuple, steps: tuple) -> np.ndarray:
    strides = tuple(s * buffer.itemsize for s in steps)
    return np.lib.stride_tricks.as_strided(buffer[start:], shape, strides)


@st.composite
def placed(draw, shape, dtype, buffer=None):
    """A buffer (``buffer``, or a new one with guard elements) and a view of ``shape`` inside it."""
    steps = _steps(draw(layouts(len(shape))), shape)
    low, high = _extent(shape, steps)
    if buffer is None:
        guard = draw(st.integers(1, 3))
        buffer = np.arange(high - low + 1 + 2 * guard, dtype=np.float64).astype(dtype) * dtype(0.5) - dtype(3)
        return buffer, _view(buffer, guard - low, shape, steps)
    if high - low >= buffer.size:
        steps = (1,) * len(shape)  # the drawn layout does not fit: contiguous
        low, high = _extent(shape, steps)
    return buffer, _view(buffer, draw(st.integers(-low, buffer.size - 1 - high)), shape, steps)


@st.composite
def calls(draw, backend):
    methods = ["f", "grad", "grad2", "value_and_grad"]
    if backend == "numba":
        methods += ["ufunc f", "ufunc grad", "ufunc value_and_grad"]
    method = draw(st.sampled_from(methods))
    ndim = draw(st.sampled_from([1, 2, 1, 2, 0, -1]))  # -1: an empty array
    shape = (0,) if ndim < 0 else tuple(draw(st.lists(st.integers(1, 6), min_size=ndim, max_size=ndim)))
    out_dtype = draw(st.sampled_from(DTYPES))
    x_dtype = draw(st.sampled_from([out_dtype, *DTYPES]))
    out_buffer, out = draw(placed(shape, out_dtype))
    if draw(st.booleans()):  # x overlaps out (or is out)
        x_buffer, x = draw(placed(shape, out_dtype, out_buffer))
    else:
        x_buffer, x = draw(placed(shape, x_dtype))
    outs = [out]
    buffers = [out_buffer]
    if method.endswith("value_and_grad"):
        second_buffer, second = draw(placed(shape, draw(st.sampled_from(DTYPES))))
        outs.append(second)
        buffers.append(second_buffer)
    pool = np.array(SPECIAL + list(np.linspace(-8, 8, 13)))
    values = pool[draw(st.lists(st.integers(0, pool.size - 1), min_size=x.size, max_size=x.size))]
    with np.errstate(over="ignore"):
        x[...] = values.reshape(shape).astype(x.dtype)
    where = True
    if not method.startswith("ufunc") and draw(st.booleans()):
        where = np.array(draw(st.lists(st.booleans(), min_size=x.size, max_size=x.size)), bool).reshape(shape)
    return method, x, x_buffer, outs, buffers, where


def _call(k, method: str, x, outs, where):
    if method.startswith("ufunc"):
        with np.errstate(all="ignore"):  # a bare ufunc reports the inf - inf of its selects; a kernel call does not
            return k.ufunc(method.split()[1])(x, out=tuple(outs))
    single = outs[0] if len(outs) == 1 else tuple(outs)
    return getattr(k, "__call__" if method == "f" else method)(x, out=single, where=where)


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("name", NAMES)
@settings(max_examples=80)
@given(data=st.data())
def test_any_layout_of_x_and_out_writes_out_exactly_and_nothing_else(name, backend, data):
    k = symact.kernel(name, backend=backend)
    method, x, x_buffer, outs, buffers, where = data.draw(calls(backend))
    plain_x = np.array(x)  # contiguous, the values before the call
    plain = [np.zeros(o.shape, o.dtype) for o in outs]
    _call(k, method, plain_x, plain, True)
    expected = _expected(buffers, outs, plain, where)
    x_before = x_buffer.copy()
    returned = _call(k, method, x, outs, where)
    returned = returned if isinstance(returned, tuple) else (returned,)
    assert all(r is o for r, o in zip(returned, outs))
    for buffer, want in zip(buffers, expected):
        assert buffer.tobytes() == want.tobytes(), (method, x.strides, [o.strides for o in outs], buffer, want)
    if not any(x_buffer is b for b in buffers):
        assert x_buffer.tobytes() == x_before.tobytes(), "x was written"


def _expected(buffers, outs, plain, where):
    """Copies of the buffers with each out's view set, by ``np.copyto``, to the plain call's result."""
    copies = {id(b): b.copy() for b in buffers}
    for buffer, o, want in zip(buffers, outs, plain):
        copy = copies[id(buffer)]
        offset = (o.__array_interface__["data"][0] - buffer.__array_interface__["data"][0]) // buffer.itemsize
        view = _view(copy, offset, o.shape, tuple(s // buffer.itemsize for s in o.strides))
        np.copyto(view, want, where=where)
    return [copies[id(b)] for b in buffers]


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_reported_layouts(backend):
    """A strided out, a matrix column and a reversed slice (which once wrote past its buffer)."""
    k, xs = symact.kernel("gelu", backend=backend), np.linspace(-2, 2, 10)
    want, dwant = k(xs), k.grad(xs)
    calls = [k, k.grad] + ([k.ufunc("f"), k.ufunc("grad")] if backend == "numba" else [])
    for fn, value in zip(calls, [want, dwant, want, dwant]):
        o = np.zeros(20)
        fn(xs, out=o[::2])
        assert np.array_equal(o[::2], value) and not o[1::2].any()
        m = np.zeros((10, 2))
        fn(xs, out=m[:, 0])
        assert np.array_equal(m[:, 0], value) and not m[:, 1].any()
        buf = np.zeros(30)
        fn(xs, out=buf[5:25][::-1][:10])
        assert np.array_equal(buf[24:14:-1], value) and not buf[:15].any() and not buf[25:].any()


@pytest.mark.parametrize("backend", BACKENDS)
def test_an_out_that_cannot_take_the_result_is_a_parameter_error(backend):
    k, xs = symact.kernel("silu", backend=backend), np.linspace(-1, 1, 3)
    frozen = np.zeros(3)
    frozen.flags.writeable = False
    for out, where in [(np.zeros(3, int), True), (frozen, True), (np.zeros(4), True), (np.zeros(3), [1, 0, 1])]:
        with pytest.raises(symact.ParameterError):
            k(xs, out=out, where=where)
    with pytest.raises(symact.ParameterError, match="tuple of 2"):
        k.value_and_grad(xs, out=np.zeros(3))
    assert not frozen.any()
