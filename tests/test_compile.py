import warnings

import mpmath
import numpy as np
import pytest

import symact
from symact import catalog
from symact.kernels import compile_expr

from .exact import exact_values
from .reference import REFERENCE

NAMES = catalog.names()
ORDINARY = np.array([-30.0, -7.5, -3.0, -1.2, -0.4, 0.0, 0.3, 0.9, 2.2, 5.0, 11.0, 30.0])


@pytest.mark.parametrize("name", NAMES)
def test_kernel_matches_reference_on_ordinary_inputs(name):
    k = symact.kernel(name)
    got = k(ORDINARY)
    with mpmath.workdps(50):
        want = np.array([float(REFERENCE[name](mpmath.mpf(t))) for t in ORDINARY])
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("name", NAMES)
def test_gradient_matches_central_difference(name):
    k = symact.kernel(name)
    entry = catalog.get(name)
    kinks = [float(kk.subs(entry.defaults)) for kk in symact.derive(name).kinks]
    points = np.array([t for t in ORDINARY if all(abs(t - c) > 1e-3 for c in kinks)])
    h = 1e-6
    numeric = (k(points + h) - k(points - h)) / (2 * h)
    np.testing.assert_allclose(k.grad(points), numeric, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_dtype_shape_and_no_warnings(name, dtype):
    k = symact.kernel(name)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for values in (np.zeros((2, 3, 4), dtype), np.zeros((0,), dtype), np.array(0.5, dtype), ORDINARY.astype(dtype)):
            for out in (k(values), k.grad(values), k.grad2(values)):
                assert out.dtype == dtype and out.shape == values.shape


def test_scalars_and_integers():
    k = symact.kernel("sigmoid")
    assert k(0.0) == 0.5 and isinstance(k(0.0), np.floating)
    assert k(np.array([0, 1])).dtype == np.float64


def test_kernels_are_cached():
    assert symact.kernel("gelu") is symact.kernel("gelu")


def test_output_form_kernel_agrees_with_grad():
    for name in ("sigmoid", "tanh", "elu", "softplus", "relu"):
        k = symact.kernel(name)
        assert k.has_output_form
        np.testing.assert_allclose(k.grad_from_output(k(ORDINARY[3:-3])), k.grad(ORDINARY[3:-3]), rtol=1e-9, atol=1e-15)
    assert symact.kernel("gelu").grad_from_output(ORDINARY) is None


@pytest.mark.parametrize("backend", ["numpy", "numba"])
def test_output_form_keeps_its_digits_where_the_output_saturates(backend):
    """tanh' from the output, 1 - y**2, is (1 - y)*(1 + y): within 1.5 ULP of g(y) at every y, also where y**2
    nears 1 (as 1 - y**2 it lost up to 1.5e7 ULP at y = 0.99999999510)."""
    pytest.importorskip(backend)
    from symact.testing.frameworks import ulp_error

    k = symact.kernel("tanh", backend=backend)
    rng = np.random.default_rng(7)
    for dtype in (np.float64, np.float32):
        ys = np.tanh(np.concatenate([rng.uniform(-20, 20, 400), [9.5, -9.5, 0.3]])).astype(dtype)
        with mpmath.workdps(60):
            want = np.array([float(1 - mpmath.mpf(float(t)) ** 2) for t in ys])
        err = ulp_error(k.grad_from_output(ys), want, dtype)
        assert err.max() <= 1.5, (np.dtype(dtype).name, ys[np.argmax(err)], err.max())


def test_parameters_reach_the_kernel():
    assert symact.kernel("leaky_relu", negative_slope=0.2)(-1.0) == pytest.approx(-0.2)
    assert symact.kernel("swish", beta=2)(1.0) == pytest.approx(float(REFERENCE["sigmoid"](mpmath.mpf(2))), rel=1e-14)


def test_bad_input_is_reported():
    with pytest.raises(symact.ParameterError):
        symact.kernel("relu")(np.array(["a"]))


# ---- extreme inputs, NaN, shapes, out= ---------------------------------------------------------

EXTREME = {
    np.float64: [1e308, -1e308, 700.0, -700.0, 89.0, -89.0, 5e-324, -5e-324, 2.5e-310, 0.0, -0.0],
    np.float32: [3e38, -3e38, 700.0, -700.0, 89.0, -89.0, 1e-45, -1e-45, 1e-40, 0.0, -0.0],
}


def _true_value_finite(name, value, dtype) -> bool:
    """Every catalog f and f' is finite at finite x except exp (and x*e^x-like growth: none in the catalog)."""
    return not (name == "exp" and value > np.log(np.finfo(dtype).max))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", NAMES)
def test_extreme_inputs_give_finite_values_without_warnings(name, dtype):
    k = symact.kernel(name)
    values = np.array(EXTREME[dtype], dtype=dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        results = [k(values), k.grad(values), *k.value_and_grad(values)]
    for result in results:
        assert result.dtype == dtype
        for value, r in zip(values, result):
            if _true_value_finite(name, value, dtype):
                assert np.isfinite(r), (name, value, r)


@pytest.mark.parametrize("name", NAMES)
def test_nan_maps_to_nan(name):
    k = symact.kernel(name)
    for dtype in (np.float32, np.float64):
        values = np.array([np.nan, 0.5, np.nan], dtype=dtype)
        for result in (k(values), k.grad(values), k.grad2(values), *k.value_and_grad(values)):
            assert np.isnan(result[0]) and np.isnan(result[2]) and not np.isnan(result[1]), name
    if k.has_output_form:
        assert np.isnan(k.grad_from_output(np.array([np.nan]))[0])


@pytest.mark.parametrize(
    "name, at_minus_inf, at_plus_inf",
    [("silu", (-0.0, 0.0), (np.inf, 1.0)), ("softplus", (0.0, 0.0), (np.inf, 1.0)),
     ("gelu", (0.0, 0.0), (np.inf, 1.0)), ("tanh", (-1.0, 0.0), (1.0, 0.0)), ("exp", (0.0, 0.0), (np.inf, np.inf)),
     ("softsign", (-1.0, 0.0), (1.0, 0.0)), ("mish", (0.0, 0.0), (np.inf, 1.0))],
)  # fmt: skip
def test_infinities_give_the_limits(name, at_minus_inf, at_plus_inf):
    k = symact.kernel(name)
    values = np.array([-np.inf, np.inf])
    assert k(values).tolist() == [at_minus_inf[0], at_plus_inf[0]]
    assert k.grad(values).tolist() == [at_minus_inf[1], at_plus_inf[1]]


def test_shapes_and_out():
    k = symact.kernel("gelu")
    for shape in [(), (0,), (2, 3, 4), (5,)]:
        values = np.linspace(-3, 3, int(np.prod(shape))).reshape(shape)
        for dtype in (np.float32, np.float64):
            v = values.astype(dtype)
            out = np.empty(shape, dtype)
            assert k(v, out=out) is out
            np.testing.assert_array_equal(out, k(v))
            f_out, df_out = np.empty(shape, dtype), np.empty(shape, dtype)
            f, df = k.value_and_grad(v, out=(f_out, df_out))
            assert f is f_out and df is df_out
            np.testing.assert_array_equal(df, k.grad(v))
            assert k(v).shape == shape and k.grad(v).dtype == dtype
    with pytest.raises(symact.ParameterError, match="out"):
        k(np.zeros(3), out=np.zeros(4))


def test_value_and_grad_is_f_and_grad():
    for name in ("silu", "gelu_tanh", "mish", "relu6", "squareplus"):
        k = symact.kernel(name)
        f, df = k.value_and_grad(ORDINARY)
        np.testing.assert_array_equal(f, k(ORDINARY))
        np.testing.assert_array_equal(df, k.grad(ORDINARY))


def test_input_is_not_modified_and_identity_returns_a_copy():
    values = np.array([1.0, np.nan, np.inf])
    out = symact.kernel("identity")(values)
    out[0] = 5.0
    assert values[0] == 1.0 and np.isnan(values[1])


# ---- accuracy against mpmath within the documented bounds ---------------------------------------

SAMPLE = np.concatenate([-np.logspace(-8, np.log10(700), 40), np.logspace(-8, np.log10(700), 40),
                         np.linspace(-10, 10, 81) + 0.003])  # fmt: skip


@pytest.mark.parametrize("name", NAMES)
def test_kernels_within_documented_ulp_bounds(name):
    from symact.kernels import ULP_BOUNDS
    from symact.testing.frameworks import ulp_error

    entry, d, k = catalog.get(name), symact.derive(name), symact.kernel(name)
    bound_f, bound_df = ULP_BOUNDS.get(name, (4, 4))
    for expr, fn, bound in ((d.f, k, bound_f), (d.df, k.grad, bound_df)):
        for dtype, limit in ((np.float64, bound), (np.float32, 1)):
            got = fn(SAMPLE.astype(dtype))
            exact = exact_values(expr.subs(entry.defaults), SAMPLE.astype(dtype))
            over = np.abs(exact) > np.finfo(dtype).max  # exp(700) in float32: inf is right
            assert np.isinf(got[over]).all()
            err = np.where(over, 0.0, ulp_error(got, exact, dtype))
            assert not np.isnan(err).any(), (name, dtype)
            worst = int(np.argmax(err))
            assert err[worst] <= limit, (name, np.dtype(dtype).name, SAMPLE[worst], err[worst])


def test_correct_without_scipy():
    """A subprocess where importing scipy fails: gelu's kernel (erfc) still matches mpmath."""
    import subprocess
    import sys

    code = (
        "import sys; sys.modules['scipy'] = None\n"
        "import numpy as np, mpmath, symact\n"
        "from symact.kernels import helpers\n"
        "assert helpers._scipy_special() is None\n"
        "xs = np.array([-30.0, -5.5, -0.7, 0.0, 0.3, 2.0, 9.0])\n"
        "got = symact.kernel('gelu')(xs)\n"
        "mpmath.mp.dps = 40\n"
        "want = np.array([float(t * mpmath.ncdf(t)) for t in xs])\n"
        "err = np.abs(got - want) / np.spacing(np.abs(want))\n"
        "assert (err <= 4).all(), err\n"
        "print('ok')\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.stdout.strip() == "ok", result.stderr


# ---- fast piecewise-linear code: masks and clip instead of numpy.where ------------------------------

PIECEWISE_LINEAR = [
    "relu", "relu6", "leaky_relu", "prelu", "rrelu", "threshold", "hardsigmoid", "hardtanh",
    "sparse_sigmoid", "hardswish", "softshrink", "hardshrink",
]  # fmt: skip


@pytest.mark.parametrize("name", PIECEWISE_LINEAR)
@pytest.mark.parametrize("policy", ["torch", "jax", "left", "right", "mean"])
def test_fast_piecewise_code_equals_the_formula(name, policy):
    import sympy as sp

    k = symact.kernel(name, kink=policy)
    d = k.derivation
    defaults = catalog.get(name).defaults
    kinks = [float(sp.sympify(c).subs(defaults)) for c in d.kinks]
    near = [v for c in kinks for v in (np.nextafter(c, -np.inf), c, np.nextafter(c, np.inf))]
    points = np.concatenate([np.linspace(-8, 8, 161), near, [-1e300, 1e300]])
    for expr, got, exact in ((d.f, k(points), False), (d.df, k.grad(points), True)):
        formula = sp.lambdify(catalog.x, expr.subs(defaults), "numpy")
        with np.errstate(all="ignore"):
            want = np.broadcast_to(np.asarray(formula(points), dtype=np.float64), points.shape)
        np.testing.assert_allclose(got, want, rtol=1e-14, atol=0)  # the formula rounds on its own
        at_kinks = np.isin(points, kinks)
        assert not exact or np.array_equal(got[at_kinks], want[at_kinks])  # kink policy values exactly


@pytest.mark.parametrize("name", [n for n in PIECEWISE_LINEAR if n != "hardswish"])
def test_piecewise_linear_kernels_avoid_where(name):
    k = symact.kernel(name, backend="numpy")
    assert "numpy.where" not in k.part("f").source
    assert "numpy.where" not in k.part("grad").source


def test_constant_pieces_that_would_round_stay_exact():
    import sympy as sp

    x = catalog.x
    for a, b in [(0.1, 0.3), (0.01, 1.0), (1 / 3, -2 / 3), (1e-300, 1e300)]:
        pw = sp.Piecewise((a, x <= 0), (b, x < 2), (a, True))
        fn = compile_expr(pw)
        got = fn(np.array([-1.0, 0.0, 1.0, 2.0, 3.0, np.nan]))
        assert got[:5].tolist() == [a, a, b, a, a]
        assert np.isnan(got[5])
        steps = sp.Piecewise((a, x < 0), (b, x <= 1), (2 * b, x < 4), (a, True))
        got = compile_expr(steps)(np.array([-1.0, 0.0, 1.0, 2.0, 4.0, 5.0]))
        assert got.tolist() == [a, b, b, 2 * b, a, a]


def test_leaky_forms_for_slopes_above_and_below_one():
    points = np.array([-3.0, -0.0, 0.0, 2.0, -np.inf, np.inf, np.nan])
    for slope in (0.2, 2.0, 7.5):
        k = symact.kernel("leaky_relu", backend="numpy", negative_slope=slope)
        got = k(points)
        assert got[:4].tolist() == [-3.0 * slope, 0.0, 0.0, 2.0]
        assert got[4:6].tolist() == [-np.inf, np.inf] and np.isnan(got[6])
        assert ("numpy.minimum" if slope > 1 else "numpy.maximum") in k.part("f").source


def test_special_value_pass_skipped_only_when_the_code_gives_the_limits():
    assert symact.kernel("relu", backend="numpy").part("f").special_safe  # maximum propagates NaN, max(inf, 0) = inf
    assert (
        not symact.kernel("relu", backend="numpy").part("grad").special_safe
    )  # a bool mask makes NaN 0: mended afterwards
    assert symact.kernel("relu").grad(np.array([np.nan, -np.inf, np.inf])).tolist()[1:] == [0.0, 1.0]
    assert np.isnan(symact.kernel("relu").grad(np.array([np.nan]))[0])


@pytest.mark.parametrize("name", NAMES)
def test_float32_native_kernels_equal_the_float64_result_rounded(name):
    k = symact.kernel(name)
    rng = np.random.default_rng(1)
    points = np.concatenate([rng.standard_normal(5000) * 4, [0.0, -0.0, 6.0, -1.0, 1.0, 0.5, -0.5, np.inf, np.nan]])
    points = points.astype(np.float32)
    for fn in (k, k.grad):
        want = fn(points.astype(np.float64)).astype(np.float32)
        got = fn(points)
        assert got.dtype == np.float32
        assert np.array_equal(got, want, equal_nan=True)


def test_float32_native_only_for_selections_and_single_roundings():
    from symact.kernels.plan import _exact_in_float32

    x = catalog.x
    assert (
        symact.kernel("relu", backend="numpy").part("f").native32
        and symact.kernel("hardtanh", backend="numpy").part("grad").native32
    )
    assert (
        not symact.kernel("sigmoid", backend="numpy").part("f").native32
    )  # exp in float32 is not the float64 exp rounded
    assert not _exact_in_float32(sp_float(0.01) * x, x)  # 0.01 is not a float32
    assert _exact_in_float32(x - sp_float(0.5), x)  # one rounding of float32 operands
    assert not _exact_in_float32((x + 3) / 6, x)  # two roundings


def sp_float(v):
    import sympy as sp

    return sp.Float(v)
