"""The stability rewrites: each rule fires on its pattern, and its compiled form is accurate where the
textbook formula is not (a "precision" test per rule, as in sympy.codegen.cfunctions)."""

import math
import warnings

import mpmath
import numpy as np
import pytest
import sympy as sp

import symact
from symact.catalog import x
from symact.functions import Phi, sigmoid, softplus
from symact.kernels import compile_expr, helpers, patches
from symact.kernels.rules import stabilize
from symact.testing.frameworks import ulp_error

# textbook expression, the stable node it must become, a point where the textbook form fails
RULES = [
    (1 - sigmoid(x), "s_sigmoid", 40.0),
    (sigmoid(x) * (1 - sigmoid(x)), "s_dsigmoid", 300.0),
    (sp.log(1 + sp.exp(x)), "s_softplus", 800.0),
    (softplus(x), "s_softplus", -720.0),
    (1 - sp.tanh(x) ** 2, "s_sech2", 30.0),
    (sp.Rational(11, 10) - sp.tanh(x) ** 2, "s_sech2", -18.66),  # f' of tanh(x) + x/10: 1/10 + sech(x)**2
    (1 + sp.tanh(x), "s_sigmoid", -30.0),
    (sp.exp(x) - 1, "s_expm1", 1e-10),
    (sp.log(1 + x), "s_log1p", 1e-12),
    (x * sp.exp(-(x**2) / 2), "s_expsq", 30.3),
    (sp.sqrt(x**2 + 4), "s_hypot", 1e200),
    ((x + sp.sqrt(x**2 + 4)) / 2, "s_sqplus", -1e9),
    (sp.Rational(1, 2) + x / (2 * sp.sqrt(x**2 + 4)), "s_dsqplus", -1e6),
    (x - sp.tanh(x), "s_tanhshrink", 1e-4),
    (x * Phi(x), "s_ncdf", -30.0),
    (x / 3 + sp.Rational(1, 2), "s_div", -1.4999999),
    (1 / (1 + sp.exp(-x)), "s_sigmoid", -720.0),
    (sp.exp(x) / (sp.exp(x) + 1), "s_sigmoid", 800.0),
]


def _names(expr):
    return {type(e).__name__ for e in sp.preorder_traversal(expr)}


@pytest.mark.parametrize("expr, node, point", RULES)
def test_rule_fires(expr, node, point):
    assert node in _names(stabilize(expr))


@pytest.mark.parametrize("expr, node, point", RULES)
def test_rule_is_accurate_where_the_textbook_form_fails(expr, node, point):
    got = compile_expr(expr)(np.array([point]))[0]
    exact = sp.lambdify(x, symact.functions.expand_named(expr), "mpmath")
    with mpmath.workdps(400):  # enough digits for every cancellation at these points
        want = float(exact(mpmath.mpf(point)))
    assert ulp_error(np.array([got]), np.array([want]))[0] <= 4, (expr, point, got, want)
    textbook_erf = {"erf": np.vectorize(math.erf), "erfc": np.vectorize(math.erfc)}  # scipy is optional
    naive = sp.lambdify(x, symact.functions.expand_named(expr), [textbook_erf, "numpy"])
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        textbook = float(np.asarray(naive(np.array([point]))).ravel()[0])
    assert not ulp_error(np.array([textbook]), np.array([want]))[0] <= 4, "the rule is not needed here"


def test_user_defined_activations_benefit():
    symact.define("steep_swish", "x*sigmoid(3*x)", replace=True)
    symact.define("soft_relu", "log(1 + exp(x))", replace=True)
    k = symact.kernel("steep_swish")
    points = np.array([-200.0, -20.0, -1.0, 0.5, 200.0])
    with mpmath.workdps(60):
        want = np.array([float(t / (1 + mpmath.exp(-3 * mpmath.mpf(t)))) for t in points])
    assert (ulp_error(k(points), want) <= 4).all()
    assert symact.kernel("soft_relu")(np.array([1000.0]))[0] == 1000.0
    assert symact.kernel("soft_relu").grad(np.array([-800.0, 800.0])).tolist() == [0.0, 1.0]


def test_double_double_helpers_are_exact():
    rng = np.random.default_rng(1)
    a, b = rng.standard_normal(200) * 1e3, rng.standard_normal(200)
    p, e = helpers.two_prod(a, b)
    s, f = helpers.two_sum(a, b)
    for i in range(200):
        assert mpmath.mpf(p[i]) + mpmath.mpf(e[i]) == mpmath.mpf(a[i]) * mpmath.mpf(b[i])
        assert mpmath.mpf(s[i]) + mpmath.mpf(f[i]) == mpmath.mpf(a[i]) + mpmath.mpf(b[i])


def test_polynomial_argument_in_double_double():
    c = [sp.sqrt(2 / sp.pi) * sp.Rational(44715, 10**6), 0, sp.sqrt(2 / sp.pi), 0]
    with mpmath.workdps(60):
        pairs = []
        for v in c:
            m = mpmath.mpf(sp.N(v, 60))
            pairs.append((float(m), float(m - mpmath.mpf(float(m)))))
        t = np.array([-9.7, -3.3, 0.25, 6.1])
        hi, lo = helpers.poly_dd(t, pairs)
        for i, ti in enumerate(t):
            exact = sum(mpmath.mpf(sp.N(v, 60)) * mpmath.mpf(ti) ** (3 - k) for k, v in enumerate(c))
            assert abs(mpmath.mpf(hi[i]) + mpmath.mpf(lo[i]) - exact) < abs(exact) * mpmath.mpf("1e-30")


def test_tanhshrink_is_continuous_where_the_method_changes():
    t = np.array([np.nextafter(1.5, 0), 1.5])
    with mpmath.workdps(40):
        want = np.array([float(mpmath.mpf(v) - mpmath.tanh(v)) for v in t])
    assert (ulp_error(helpers.h_tanhshrink(t), want) <= 2).all()


def test_erfc_within_2_ulp_with_and_without_scipy(monkeypatch):
    z = np.linspace(-3, 27, 301)
    with mpmath.workdps(40):
        want = np.array([float(mpmath.erfc(v)) for v in z])
    assert ulp_error(helpers.erfc(z), want).max() <= 2
    monkeypatch.setattr(helpers, "_scipy_special", lambda: None)
    assert ulp_error(helpers.erfc(z), want).max() <= 2
    assert ulp_error(helpers.erfc(np.array([math.inf, -math.inf])), np.array([0.0, 2.0])).max() == 0


def test_zero_patch_fixes_the_cancellation_at_a_zero_of_the_derivative():
    d = symact.derive("silu")
    patch = patches.zero_patches(d.df, x)[0]  # the zero's own patch; tiles over its ill-conditioned end follow
    assert patch.hi == pytest.approx(-1.2784645427610738, abs=1e-15)
    t = np.array([patch.hi, patch.hi + 1e-9, patch.hi - 0.3])
    with mpmath.workdps(50):
        mp = sp.lambdify(x, symact.functions.expand_named(d.df), "mpmath")
        want = np.array([float(mp(mpmath.mpf(v))) for v in t])
    assert (ulp_error(symact.kernel("silu").grad(t), want) <= 2).all()
    assert patches.zero_patches(sp.Piecewise((x - 1, x > 0), (x, True)), x) == ()
