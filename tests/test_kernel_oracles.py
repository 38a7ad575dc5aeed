"""Kernels against independent oracles: mpmath at 60 digits for catalog rows at parameters far from their defaults,
and the frameworks' own functions and autograd derivatives (``symact.crosscheck``), where a disagreement is either
the framework's error (shown against mpmath) or a wrong definition that the cross-check must catch."""

import mpmath
import numpy as np
import pytest

import symact
from symact.kernels import fused
from symact.testing.frameworks import crosscheck, ulp_error

BACKENDS = ["numpy"] + (["numba"] if fused.available() else [])


def _celu(alpha: float, t: float, order: int) -> float:
    """celu(x) = alpha*expm1(x/alpha) for x <= 0 and its derivatives, by mpmath at 60 digits."""
    with mpmath.workdps(60):
        a, u = mpmath.mpf(alpha), mpmath.mpf(t) / mpmath.mpf(alpha)
        return float([a * mpmath.expm1(u), mpmath.exp(u), mpmath.exp(u) / a][order])


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("alpha", [1e200, 1e300])
def test_a_tiny_coefficient_is_not_lost_to_the_double_double_clip(backend, alpha):
    """celu's argument x/alpha is a polynomial evaluated in double-double with x clipped to 1e100 (Dekker's
    splits overflow beyond): at alpha = 1e300, f'(-1e300) was exp(-1e-200) = 1 instead of exp(-1), and
    f'(-1e308) 1 instead of 0. Beyond the clip the polynomial is now Horner's rule in float64."""
    k = symact.kernel("celu", alpha=alpha, backend=backend)
    points = np.array([-1e308, -3 * alpha, -alpha, -alpha / 7, -1e101, -1e99, -1.0])
    for order, fn in enumerate((k, k.grad, k.grad2)):
        want = np.array([_celu(alpha, t, order) for t in points])
        assert np.max(ulp_error(fn(points), want)) <= 4, (order, fn(points), want)
    f, df = k.value_and_grad(points)
    assert f.tobytes() == k(points).tobytes() and df.tobytes() == k.grad(points).tobytes()


def test_torch_elu_derivative_at_a_large_alpha_loses_digits_in_float32_and_symact_does_not():
    """alpha*exp(x) in float32: torch rounds exp(x) to a float32 subnormal first (exp(-92.42) = 1.3e-40) and
    multiplies by alpha after, 49 ULP off; symact's kernel rounds the float64 product once."""
    pytest.importorskip("torch")
    report = crosscheck("elu", "torch", dtype="float32", points=[-92.41996, -97.1578, -3.0], alpha=100.0)
    t, theirs, ours = next((t, a, b) for what, t, a, b, _ in report.worst if what == "f'")
    with mpmath.workdps(60):
        exact = np.float32(float(100 * mpmath.exp(mpmath.mpf(t))))
    assert ours == exact and ulp_error(np.float32(theirs), exact, "float32") > 8


def test_crosscheck_catches_a_wrong_definition():
    """silu with a sign slipped, x/(1 + exp(x)), against torch's silu: f and f' far off, at the worst points."""
    pytest.importorskip("torch")
    import torch

    right = crosscheck("x*sigmoid(x)", torch.nn.functional.silu, points=np.linspace(-8, 8, 33))
    wrong = crosscheck("x/(1 + exp(x))", torch.nn.functional.silu, points=np.linspace(-8, 8, 33))
    assert right.max_ulp_f <= 4 and right.max_ulp_df <= 8
    assert wrong.max_ulp_f > 1e6 and wrong.max_ulp_df > 1e6 and wrong.worst[0][1] != 0


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_the_mlp_gives_any_layout_of_x_the_bits_of_its_contiguous_copy(dtype):
    """Fortran order, a strided view, a transposed copy and a list give the bits of X itself; an empty
    batch and NaN are ``DataError``s."""
    from symact.nn.mlp import MLP

    X = np.random.default_rng(3).normal(size=(6, 3)).astype(dtype)
    y = np.array([0, 1, 2, 1, 0, 2])
    net = MLP([3, 5, 3], activation="gelu", dtype=dtype, seed=1).partial_fit(X, y, classes=[0, 1, 2])
    loss, grads = net.loss_and_grads(X, y)
    grads = [g.copy() for g in grads]
    for other in [np.asfortranarray(X), np.repeat(X, 2, axis=1)[:, ::2], np.ascontiguousarray(X.T).T, X.tolist()]:
        got, got_grads = net.loss_and_grads(other, y)
        assert got == loss and all(a.tobytes() == b.tobytes() for a, b in zip(grads, got_grads))
        assert net.predict_proba(other).tobytes() == net.predict_proba(X).tobytes()
    for bad in (X[:0], np.where(np.eye(6, 3) > 0, np.nan, X)):
        with pytest.raises(symact.DataError):
            net.predict(bad)


def test_an_export_writes_a_huge_integer_parameter_as_a_float():
    """celu's alpha=1e20 is the SymPy Integer 10**20: printed as an int literal, torch refused it ("int too big to
    convert") while probing the export. Now a float literal: f is the kernel's to float64 rounding, f' too but for
    the output form's absolute error (f' = 1 + y/alpha)."""
    torch = pytest.importorskip("torch")
    ex = symact.export("celu", "torch", alpha=1e20, verify=False, kernels=False)
    k = symact.kernel("celu", alpha=1e20, backend="numpy")
    points = np.array([-1e308, -3e20, -1e20, -1e101, -1.0, 2.0])
    t = torch.tensor(points, requires_grad=True)
    y = ex.function(t)
    (g,) = torch.autograd.grad(y.sum(), t)
    np.testing.assert_allclose(y.detach().numpy(), k(points), rtol=1e-15)
    np.testing.assert_allclose(g.numpy(), k.grad(points), rtol=1e-15, atol=4e-16)


@pytest.mark.parametrize("backend", BACKENDS)
def test_celu_at_a_tiny_alpha_compiles_and_keeps_its_digits(backend):
    """exp(x/alpha) at alpha = 1e-300 is exp(10**300*x): simplification factored it as a polynomial of that degree in
    exp(x) and never finished. f, f' and f'' against mpmath, at the kink's float neighbours too."""
    alpha = 1e-300
    k = symact.kernel("celu", alpha=alpha, backend=backend, budget=60)
    points = np.array([-1e-290, -3e-300, -1e-300, -1e-310, -5e-324, -1.0])
    for order, fn in enumerate((k, k.grad, k.grad2)):
        want = np.array([_celu(alpha, t, order) for t in points])
        assert np.max(ulp_error(fn(points), want)) <= 4, (order, fn(points), want)
    assert k(1.5) == 1.5 and k.grad(5e-324) == 1.0 and k.grad2(5e-324) == 0.0


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_huge_coefficient_overflowing_the_double_double_product_is_not_nan(backend):
    """beta*x at beta = 1e300 and x = 1e10 overflows inside Dekker's product (inf - inf): softplus gave NaN there;
    it is x, and f' 1, as wherever beta*x is past the switch to the linear tail."""
    k = symact.kernel("softplus", beta=1e300, backend=backend)
    points = np.array([1e10, 1e9, 5.0, 1e-200])
    assert k(points).tolist() == points.tolist() and k.grad(points).tolist() == [1.0] * 4
    assert k(-points).tolist() == [0.0] * 4 and k.grad(-points).tolist() == [0.0] * 4


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize(
    "name, params, lo, hi",
    [
        ("hardtanh", {"min_val": -1e300}, -1e300, 1.0),
        ("hardtanh", {"max_val": 1e300}, -1.0, 1e300),
        ("hardtanh", {"min_val": -1e20, "max_val": 1e20}, -1e20, 1e20),
        ("threshold", {"threshold": -1e300}, -1e300, np.inf),
        ("threshold", {"threshold": -1e20}, -1e20, np.inf),
    ],
)
def test_a_breakpoint_far_from_zero_is_kept(backend, name, params, lo, hi):
    """A breakpoint at -1e300 was refused (no certified rational was found left of it: 30 digits of -10**300
    rounded past it), and at -1e20 the NumPy kernel probed its pieces at the cut -+ 1, the cut itself in float64:
    threshold was 0 everywhere, hardtanh' 1 at its upper cut. f and f' against the definitions (torch's f' at a
    cut: 0)."""
    k = symact.kernel(name, backend=backend, **params)
    x = np.array([-1e308, -2e300, -1e300, -5e299, -1e20, -1.5, -1.0, 0.5, 1.0, 1.5, 1e20, 1e300, 1e308])
    inside = (x > lo) & (x < hi)
    want = np.clip(x, lo, hi) if name == "hardtanh" else np.where(x > lo, x, 0.0)
    assert k(x).tolist() == want.tolist() and k.grad(x).tolist() == inside.astype(float).tolist()
    assert k.grad2(x).tolist() == [0.0] * len(x)
    f, df = k.value_and_grad(x)
    assert f.tobytes() == k(x).tobytes() and df.tobytes() == k.grad(x).tobytes()


def _swish(beta: float, t: float, order: int) -> float:
    """x*sigmoid(beta*x) and its derivatives, by mpmath at 800 digits (beta*x may be 1e608)."""
    with mpmath.workdps(800):
        b, t = mpmath.mpf(beta), mpmath.mpf(t)
        s = 1 / (1 + mpmath.exp(-b * t))
        return float([t * s, s + b * t * s * (1 - s), b * s * (1 - s) * (2 + b * t * (1 - 2 * s))][order])


def _squareplus(b: float, t: float, order: int) -> float:
    """(x + sqrt(x**2 + b))/2 and its derivatives, by mpmath at 800 digits."""
    with mpmath.workdps(800):
        b, t = mpmath.mpf(b), mpmath.mpf(t)
        r = mpmath.sqrt(t * t + b)
        return float([(t + r) / 2, (1 + t / r) / 2, b / (2 * r**3)][order])


_EXTREME = np.array([-1e300, -1e100, -1e10, -1.0, -1e-150, -1e-300, 1e-300, 1e-150, 1.0, 100.0, 1e9, 1e100, 1e300])


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize(
    "name, params, oracle",
    [
        ("swish", {"beta": 1e-300}, lambda t, o: _swish(1e-300, t, o)),
        ("squareplus", {"b": 1e300}, lambda t, o: _squareplus(1e300, t, o)),
        ("squareplus", {"b": 1e-300}, lambda t, o: _squareplus(1e-300, t, o)),
    ],
)
def test_extreme_parameters_compile_and_keep_their_digits(backend, name, params, oracle):
    """squareplus at b = 1e300: f'' = b/2/hypot(x, sqrt(b))**3 was 0 (the cube overflowed: now a power-of-two
    scaled base). At beta = 1e-300 and b = 1e-300 neither compiled: a coefficient of ~1e-616
    times a sum holding ~1e616 (an int too large to convert); now the sum is divided by its largest coefficient.
    f, f', f'' against mpmath within 5 ULP (f' = sigmoid(t) + t*dsigmoid(t) cancels near t = -1), away from
    |x| > 1e100 where beta*x is one float64 product."""
    k = symact.kernel(name, backend=backend, **params)
    x = _EXTREME[(np.abs(_EXTREME) <= 1e100) | (name == "squareplus")]
    for order, fn in enumerate((k, k.grad, k.grad2)):
        want = np.array([oracle(t, order) for t in x])
        assert np.max(ulp_error(fn(x), want)) <= 5, (order, fn(x), want)
    f, df = k.value_and_grad(x)
    assert f.tobytes() == k(x).tobytes() and df.tobytes() == k.grad(x).tobytes()


def _mish_like(a: float, t: float, order: int) -> float:
    """x*tanh(softplus(a*x)) and its derivatives, by mpmath at 800 digits."""
    with mpmath.workdps(800):
        a, t = mpmath.mpf(a), mpmath.mpf(t)
        s = 1 / (1 + mpmath.exp(-a * t))
        T = mpmath.tanh(mpmath.log1p(mpmath.exp(a * t)))
        d = (1 - T * T) * s
        return float([t * T, T + t * d * a, 2 * a * d + t * a * a * d * ((1 - s) - 2 * T * s)][order])


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_huge_coefficient_inside_a_sum_of_products_is_scaled_with_its_tiny_factor(backend):
    """f'' of x*tanh(softplus(a*x)) at a = 1e-300 is ~1e-616*((c*x + ~1e316)*sigmoid(-a*x) + ...): the huge
    coefficient sits in a sum inside each term of the sum the tiny factor multiplies, and the kernel did not
    compile (an int too large to convert). f, f', f'' against mpmath within 5 ULP, |x| <= 1e300."""
    k = symact.kernel("x*tanh(log(1 + exp(a*x)))", a=1e-300, backend=backend)
    for order, fn in enumerate((k, k.grad, k.grad2)):
        want = np.array([_mish_like(1e-300, t, order) for t in _EXTREME])
        assert np.max(ulp_error(fn(_EXTREME), want)) <= 5, (order, fn(_EXTREME), want)
    f, df = k.value_and_grad(_EXTREME)
    assert f.tobytes() == k(_EXTREME).tobytes() and df.tobytes() == k.grad(_EXTREME).tobytes()


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_nan_where_a_huge_coefficient_overflows_is_the_limit_in_the_units_of_the_argument(backend):
    """swish at beta = 1e300 computes silu's forms of beta*x: beta*x*sigmoid'(beta*x) is inf*0 = NaN where beta*x
    overflows (x = 1e9), and f'' multiplies 2*beta by a sum past float64 at x = -1: f' was NaN for |x| >= 1e9
    and f'' almost everywhere. The guard (a NaN is the limit) now starts where the nodes' arguments, not x, pass
    1e15. f, f', f'' against mpmath (where its 800 digits resolve a value, its sign too)."""
    k = symact.kernel("swish", beta=1e300, backend=backend)
    x = np.array([-1e308, -1e10, -1e9, -1e8, -1.0, -1e-298, -1e-300, -1e-310, 1e-310, 1e-300, 1e-298, 1.0, 1e9, 1e308])
    for order, fn in enumerate((k, k.grad, k.grad2)):
        got, want = fn(x), np.array([_swish("1e300", t, order) for t in x])  # beta is 10**300 exactly
        assert np.max(ulp_error(got, want)) <= 4, order
        assert np.signbit(got[want != 0]).tolist() == np.signbit(want[want != 0]).tolist(), order
    f, df = k.value_and_grad(x)
    assert f.tobytes() == k(x).tobytes() and df.tobytes() == k.grad(x).tobytes()


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("name", ["silu", "mish", "gelu", "swish", "elu", "softplus"])
def test_the_zeros_at_the_far_ends_keep_their_signs(backend, name):
    """silu' = sigmoid(x) + x*sigmoid'(x) at x = -1e308 is +0.0 + -0.0 = +0.0 where the exact value is negative,
    and its limit at -inf was signed so; a NaN turned into +0.0 would flip x*sigmoid(x) there. f, f', f'' at
    +-300 and +-1e3 against mpmath (its digits reach e**-2000), and at +-1e200, +-1e308, +-inf zeros signed as
    the exact values at +-1e3 (each is signed so from there on)."""
    from symact.functions import mp_function

    k = symact.kernel(name, backend=backend)
    d, defaults = symact.derive(name), symact.catalog.get(name).defaults
    near, far = np.array([-1e3, -300.0, 300.0, 1e3]), np.array([-np.inf, -1e308, -1e200, 1e200, 1e308, np.inf])
    for fn, e in zip((k, k.grad, k.grad2), (d.f, d.df, d.d2f)):
        g = mp_function(e.subs(defaults), (symact.catalog.x,))
        with mpmath.workdps(4500):
            exact = [g(mpmath.mpf(t)) for t in near]
        got = fn(near)
        assert np.max(ulp_error(got, np.array([float(v) for v in exact]))) <= 4, (e, got)
        assert np.signbit(fn(far)).tolist() == [bool(exact[0] < 0)] * 3 + [bool(exact[-1] < 0)] * 3, e


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize(
    "name, params",
    [("threshold", {}), ("threshold", {"threshold": -1.0}), ("threshold", {"value": 2.0}), ("hardshrink", {})],
)
def test_a_masked_linear_piece_gives_the_zeros_of_the_where_chain(backend, name, params):
    """threshold's NumPy kernel computed x*mask: -0.0 below the cut for x < 0, where torch's F.threshold (a
    select) and the fused kernel give 0.0. f and value_and_grad against the definition's select, sign bits too,
    -inf included, and against torch where it is installed."""
    k = symact.kernel(name, backend=backend, **params)
    x = np.array([-np.inf, -1e308, -2.0, -1.0, -0.5, -5e-324, -0.0, 0.0, 0.5, 1.0, 2.0, np.inf])
    cut = params.get("threshold", 1.0)
    value = params.get("value", 0.0)
    want = np.where(x > cut, x, value) if name == "threshold" else np.where(np.abs(x) > 0.5, x, 0.0)
    assert k(x).tobytes() == want.tobytes() and k.value_and_grad(x)[0].tobytes() == want.tobytes()
    try:
        import torch
    except ImportError:
        return
    if name == "threshold":
        theirs = torch.nn.functional.threshold(torch.tensor(x), cut, value).numpy()
    else:
        theirs = torch.nn.functional.hardshrink(torch.tensor(x)).numpy()
    assert theirs.tobytes() == want.tobytes()


@pytest.mark.parametrize("backend", BACKENDS)
def test_squareplus_slope_at_the_far_left_is_the_subnormal_it_is(backend):
    """f' = (b/2)/(h (h - x)) at b = 1e300: h - x overflowed at x = -1e308 (f' was 0, not 2.5e-317)."""
    k = symact.kernel("squareplus", b=1e300, backend=backend)
    x = np.array([-1.79e308, -1e308, -3e307, -1e306, -1e300])
    want = np.array([_squareplus(1e300, t, 1) for t in x])
    assert np.max(ulp_error(k.grad(x), want)) <= 4 and k.grad(x).tolist() == k.value_and_grad(x)[1].tolist()


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("lower, upper", [(0.0, 1 / 3), (0.0, 0.0), (-0.5, 0.5), (-1.0, -0.5), (2.0, 3.0)])
def test_rrelu_takes_the_bounds_torch_takes(backend, lower, upper):
    """torch's eval rrelu takes any lower <= upper (0, negative, above 1); symact refused lower = 0 (its symbols
    were positive). f and f' are x, 1 right of 0 and (lower + upper)/2 times x, (lower + upper)/2 left of it
    (torch's autograd takes the left side at 0)."""
    k = symact.kernel("rrelu", lower=lower, upper=upper, backend=backend)
    x = np.array([-1e308, -2.0, -5e-324, 5e-324, 1.5, 1e308])
    slope = (lower + upper) / 2
    with np.errstate(over="ignore"):  # 2.5 * -1e308 is -inf
        assert k(x).tolist() == np.where(x > 0, x, slope * x).tolist()
    assert k.grad(x).tolist() == np.where(x > 0, 1.0, slope).tolist() and k.grad2(x).tolist() == [0.0] * 6
    assert symact.derive("rrelu").df.subs({symact.catalog.lower: lower, symact.catalog.upper: upper}).subs(
        symact.catalog.x, -1
    ) == pytest.approx(slope)
    try:
        import torch
    except ImportError:
        return
    theirs = torch.nn.functional.rrelu(torch.tensor(x), lower, upper, training=False).numpy()
    assert np.array_equal(theirs, k(x))


def test_an_export_whose_limit_is_past_float32_builds():
    """celu at alpha = 1e300 has the limit -1e300 at -inf: the export's guard wrote it into a float32 tensor with
    torch.where and torch refused ("value cannot be converted to type float without overflow") while probing the
    guards. A limit is now the tensor's dtype's (-1e300 in float64; -inf in float32, where a guard takes it)."""
    torch = pytest.importorskip("torch")
    ex = symact.export("celu", "torch", alpha=1e300, verify=False, kernels=False)
    x = torch.tensor([-np.inf, -1.0, 2.0, np.inf], dtype=torch.float64)
    assert ex.function(x).tolist() == [-1e300, -1.0, 2.0, np.inf]


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("text, root", [("(x - 1e20)/(x**2 + 1)", 1e20), ("(x + 2**70)/(x**3 + 1)", -(2.0**70))])
def test_a_fraction_is_evaluated_in_x_past_float32s_reach(backend, text, root):
    """The one-fraction rule switched to its form in 1/x at 2**k with s 2**(k n) <= 2**120, float32's range,
    and that form cancels near a root far out: (1/x - 1e20/x**2)/(1 + 1/x**2) at x = 1e20 (1 + 1e-12) lost every
    digit. The kernels compute it in float64 and switch at 2**1000. f, f', f'' against mpmath at 80 digits."""
    from symact.functions import mp_function

    k = symact.kernel(text, backend=backend)
    d = symact.derive(text)
    x = np.array([root * (1 + e) for e in (-1e-3, -1e-9, -1e-12, 1e-12, 1e-9, 1e-3)] + [3.0, 1e300])
    for fn, e in zip((k, k.grad, k.grad2), (d.f, d.df, d.d2f)):
        g = mp_function(e, (symact.catalog.x,))
        with mpmath.workdps(80):
            want = np.array([float(g(mpmath.mpf(t))) for t in x])
        assert np.max(ulp_error(fn(x), want)) <= 4, (e, fn(x), want)


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("lambd", [1e-300, 3e-200, 0.25])
def test_softshrink_at_a_tiny_lambda_shrinks(backend, lambd):
    """The NumPy kernel wrote softshrink as x - clip(x, -a, a) with a = nsimplify(1e-300) = 0: it was x, not 0
    inside [-lambd, lambd]. f and f' against the definition's selects."""
    k = symact.kernel("softshrink", lambd=lambd, backend=backend)
    x = np.array([-np.inf, -1.0, -2 * lambd, -lambd, -5e-324, -0.0, 0.0, 5e-324, lambd, 2 * lambd, 1.0, np.inf])
    with np.errstate(invalid="ignore"):
        want = np.where(x > lambd, x - lambd, np.where(x < -lambd, x + lambd, 0.0))
    assert k(x).tolist() == want.tolist() and k.grad(x).tolist() == (np.abs(x) > lambd).astype(float).tolist()


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_double_double_argument_keeps_its_bits_past_1e100(backend):
    """Past |x| = 1e100 poly_dd computed beta*x by Horner's rule in float64, 1 ULP off, and f multiplies that
    error by |beta*x|: swish at beta = 1e-300 was 36 ULP off at -1e302 (f' 24, f'' 9 at 1e301). The products are
    now exact (a Dekker product of operands balanced by a power of two; fused: a fused multiply-add). f, f', f''
    against mpmath at 60 digits, where they are normal."""
    k = symact.kernel("swish", beta=1e-300, backend=backend)
    x = np.array([-1e302, -3e302, -7e301, -5e301, 1e301, 2e302, -1e101, 1e200])
    b = mpmath.mpf(1e-300)
    with mpmath.workdps(60):
        s = [1 / (1 + mpmath.exp(-b * mpmath.mpf(t))) for t in x]
        want = [
            [float(mpmath.mpf(t) * v) for t, v in zip(x, s)],
            [float(v + b * mpmath.mpf(t) * v * (1 - v)) for t, v in zip(x, s)],
            [float(b * v * (1 - v) * (2 + b * mpmath.mpf(t) * (1 - 2 * v))) for t, v in zip(x, s)],
        ]
    with np.errstate(all="ignore"):
        for fn, w in zip((k, k.grad, k.grad2), want):
            w = np.array(w)
            normal = np.abs(w) >= np.finfo(np.float64).tiny
            assert np.max(ulp_error(fn(x)[normal], w[normal])) <= 4, (fn(x), w)
