"""Cancelling sums (and products of them) with a composed term, computed as one fraction in exp(k*x) where that
is better conditioned: the fraction is the function, the kernel is within 4 ULP on its intervals, and sums
without a composed term (silu', gelu', swish') keep their forms."""

import mpmath
import numpy as np
import pytest
import sympy as sp

import symact
from symact.catalog import x
from symact.functions import MPMATH, sigmoid, softplus
from symact.kernels import compile_expr
from symact.kernels.exp_fraction import exp_fractions
from symact.testing.frameworks import ulp_error

try:
    import numba  # noqa: F401

    BACKENDS = ("numpy", "numba")
except ImportError:
    BACKENDS = ("numpy",)
COMPOSED = [
    x * sp.tanh(softplus(x)),
    x * sp.tanh(softplus(2 * x)),
    x * sp.tanh(softplus(x / 2)),
    x * sigmoid(softplus(x)),
    x**2 * sp.tanh(softplus(x)),
]


@pytest.mark.parametrize("order", [1, 2])
@pytest.mark.parametrize("f", COMPOSED, ids=str)
def test_fraction_is_accurate_on_its_intervals(f, order):
    """f' (a sum) within 4 ULP; f'' (a product of sums: mish'' is sech(softplus(x))**2 times one, whose rounded
    softplus costs 2*softplus(x) times its error) within 8: its fraction's denominator has degree 6 in E, not 4."""
    bound = 4 if order == 1 else 8
    df = sp.diff(f, x, order)
    regions = exp_fractions(df, x)
    assert regions, df
    exact = sp.lambdify(x, df, modules=[MPMATH, "mpmath"])
    kernel = compile_expr(df)
    rng = np.random.default_rng(0)
    for region in regions:
        points = np.concatenate([[region.lo, region.hi], rng.uniform(region.lo, region.hi, 400)])
        with mpmath.workdps(150):  # 1 - tanh(softplus(2x))**2 at x = 40 is 1e-69
            want = np.array([float(exact(mpmath.mpf(t))) for t in points])
        got = np.empty_like(points)
        region.apply(points, got)
        assert ulp_error(got, want, np.float64).max() <= bound, (df, region)
        assert ulp_error(kernel(points), want, np.float64).max() <= bound, (df, region)


@pytest.mark.parametrize("name", ["silu", "gelu", "swish", "softplus", "elu"])
def test_sums_without_a_composed_term_keep_their_form(name):
    assert exp_fractions(symact.derive(name).df.subs(sp.Symbol("beta"), 1), x) == ()


def test_mish_grad_within_4_ulp_beyond_its_patches_on_both_backends():
    points = np.random.default_rng(1).uniform(-6, -2.2, 2000)
    exact = sp.lambdify(x, symact.derive("mish").df, modules=[MPMATH, "mpmath"])
    with mpmath.workdps(40):
        want = np.array([float(exact(mpmath.mpf(t))) for t in points])
    for backend in BACKENDS:
        got = symact.kernel("mish", backend=backend).grad(points)
        assert ulp_error(got, want, np.float64).max() <= 4, backend
