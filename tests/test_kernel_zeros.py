"""A user's f near its own zeros against mpmath at 60 digits, and the sign of zero of the leaky family against torch.

Where f's terms cancel at a sign change (x*tanh(x) + x/(1 + x**2) at -0.754, tanh(x) - x/2 at +-1.915), the
formula loses every digit next to the zero; the kernels now patch those zeros with Taylor series as they patch
the zeros of f' and f''. The oracles below are written in mpmath directly, not derived from symact.
"""

import mpmath
import numpy as np
import pytest

import symact
from symact.kernels import fused
from symact.testing.frameworks import ulp_error

BACKENDS = ["numpy"] + (["numba"] if fused.available() else [])


def _sigmoid(t):
    return 1 / (1 + mpmath.exp(-t))


CORPUS = {  # f, its mpmath oracle and derivative: sums of transcendental terms with a sign change in [-10, 10]
    "x*tanh(x) + x/(1 + x**2)": (
        lambda t: t * mpmath.tanh(t) + t / (1 + t**2),
        lambda t: mpmath.tanh(t) + t * mpmath.sech(t) ** 2 + (1 - t**2) / (1 + t**2) ** 2,
    ),
    "tanh(x) - x/2": (lambda t: mpmath.tanh(t) - t / 2, lambda t: mpmath.sech(t) ** 2 - mpmath.mpf(1) / 2),
    "x*sigmoid(x) - 1/10": (
        lambda t: t * _sigmoid(t) - mpmath.mpf(1) / 10,
        lambda t: _sigmoid(t) + t * _sigmoid(t) * (1 - _sigmoid(t)),
    ),
    "softplus(x) - 1": (lambda t: mpmath.log1p(mpmath.exp(t)) - 1, _sigmoid),
    "erf(x) - x/3": (
        lambda t: mpmath.erf(t) - t / 3,
        lambda t: 2 / mpmath.sqrt(mpmath.pi) * mpmath.exp(-(t**2)) - mpmath.mpf(1) / 3,
    ),
    "exp(x) - 2": (lambda t: mpmath.exp(t) - 2, mpmath.exp),
    "log(1 + x**2) - 1": (lambda t: mpmath.log1p(t**2) - 1, lambda t: 2 * t / (1 + t**2)),
    "atan(x) - 1": (lambda t: mpmath.atan(t) - 1, lambda t: 1 / (1 + t**2)),
    "x*exp(x) + 3/10": (lambda t: t * mpmath.exp(t) + mpmath.mpf(3) / 10, lambda t: (1 + t) * mpmath.exp(t)),
    "cosh(x) - 3": (lambda t: mpmath.cosh(t) - 3, mpmath.sinh),
}


def _points(f, dtype) -> np.ndarray:
    """A grid over [-10, 10], and around each sign change of ``f`` windows from 1e-12 to 0.3 wide and 64 ULP."""
    with mpmath.workdps(30):
        grid = np.linspace(-10, 10, 1001) + 1 / 3000
        signs = [mpmath.sign(f(mpmath.mpf(float(t)))) for t in grid]
        roots = [
            float(mpmath.findroot(f, (grid[i], grid[i + 1]), solver="anderson"))
            for i in range(len(grid) - 1)
            if signs[i] * signs[i + 1] < 0
        ]
    assert roots
    parts = [grid]
    for r in roots:
        parts += [r + np.linspace(-w, w, 41) for w in (1e-12, 1e-9, 1e-6, 1e-3, 0.3)]
        parts.append(r + np.arange(-64, 65) * np.spacing(r))
    return np.unique(np.concatenate(parts).astype(dtype))


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("text", sorted(CORPUS))
def test_f_keeps_its_digits_next_to_its_own_zeros(backend, text):
    """f and value_and_grad within 4 ULP in float64 (1 ULP in float32) everywhere, the zeros included; before,
    x*tanh(x) + x/(1 + x**2) was 2e6 ULP off at -0.7540133."""
    f, df = CORPUS[text]
    k = symact.kernel(text, backend=backend)
    for dtype, bound in (("float64", 4), ("float32", 1)):
        x = _points(f, dtype)
        with mpmath.workdps(60):
            want = np.array([float(f(mpmath.mpf(float(t)))) for t in x])
            slope = np.array([float(df(mpmath.mpf(float(t)))) for t in x])
        got = k(x)
        worst = np.argmax(ulp_error(got, want, dtype))
        assert ulp_error(got, want, dtype)[worst] <= bound, (dtype, x[worst], got[worst], want[worst])
        assert np.max(ulp_error(k.grad(x), slope, dtype)) <= bound, dtype
        value, grad = k.value_and_grad(x)
        assert value.tobytes() == got.tobytes() and grad.tobytes() == k.grad(x).tobytes()


def _torch_leaky(name, slope, t):
    import torch.nn.functional as F

    if name == "leaky_relu":
        return F.leaky_relu(t, slope)
    if name == "prelu":
        import torch

        return F.prelu(t, torch.tensor([slope], dtype=t.dtype))
    return F.rrelu(t, slope, slope, training=False)


PARAMETER = {"leaky_relu": "negative_slope", "prelu": "alpha"}


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("name", ["leaky_relu", "prelu", "rrelu"])
@pytest.mark.parametrize("slope", [1e-300, 0.1, 2.0, -0.5, -1e-300, 0.0])
def test_the_leaky_family_signs_its_zeros_as_torch(backend, name, slope):
    """torch computes x if x > 0 else slope*x: -0.0 at x = -1e-300, slope = 1e-300 (the fused kernel summed
    max(x, 0) + slope*min(x, 0) to +0.0), and -0.0 at x = -0.0, slope = 0 (NumPy's maximum(x, 0.0) gave 0.0).
    At slope 0, -0.0 left of 0, where relu is +0.0 (SymPy reduces the sum to relu's max(x, 0))."""
    torch = pytest.importorskip("torch")
    x = np.array([-1e-300, -5e-324, -0.0, 0.0, 5e-324, 1e-300, -2.5, 3.0])
    params = {"lower": slope, "upper": slope} if name == "rrelu" else {PARAMETER[name]: slope}
    k = symact.kernel(name, backend=backend, **params)
    dtypes = (np.float64, np.float32) if slope == 0 or abs(slope) > 1e-30 else (np.float64,)  # a float32 slope
    for dtype in dtypes:
        t = torch.tensor(x.astype(dtype), requires_grad=True)
        y = _torch_leaky(name, slope, t)
        y.sum().backward()
        want, slope_want = y.detach().numpy(), t.grad.numpy()
        value, grad = k.value_and_grad(x.astype(dtype))
        for got, expected in ((k(x.astype(dtype)), want), (value, want), (k.grad(x.astype(dtype)), slope_want)):
            assert got.tolist() == expected.tolist() and np.signbit(got).tolist() == np.signbit(expected).tolist()
        assert grad.tobytes() == k.grad(x.astype(dtype)).tobytes()


@pytest.mark.parametrize(
    "name, params",
    [("relu", {}), ("relu6", {}), ("hardtanh", {"min_val": 0}), ("leaky_relu", {"negative_slope": -0.5})],
)
def test_a_tie_of_signed_zeros_is_decided_explicitly_in_the_numpy_kernel(name, params):
    """Which operand numpy.maximum/minimum/clip give at a tie of -0.0 and 0.0 is not documented: the NumPy
    kernel selects it itself (``tie_max``, ``tie_clip``), never through a bare maximum(0.0, x)."""
    k = symact.kernel(name, backend="numpy", **params)
    text = k.source()
    assert "tie_" in text and "numpy.maximum(0.0" not in text and "numpy.clip(x, 0.0" not in text
    x = np.array([-0.0, 0.0, -1.0, 7.0])
    for dtype in (np.float64, np.float32):
        want = symact.kernel(name, backend="numba", **params)(x.astype(dtype)) if fused.available() else None
        got = k(x.astype(dtype))
        assert np.signbit(got[:2]).tolist() == ([False, True] if name == "leaky_relu" else [True, False])
        assert want is None or got.tobytes() == want.tobytes()
