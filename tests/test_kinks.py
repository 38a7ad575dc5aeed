import numpy as np
import pytest
import sympy as sp

import symact
from symact import catalog
from symact.kinks import FRAMEWORK_CONVENTIONS, POLICIES, find_kinks

x = catalog.x

# activation, kink point, left, right derivatives (defaults), torch's value, jax's value
KINKS = [
    ("relu", 0, 0, 1, 0, 0),
    ("relu6", 0, 0, 1, 0, 0),
    ("relu6", 6, 1, 0, 0, 0),
    ("leaky_relu", 0, 0.01, 1, 0.01, 1),
    ("prelu", 0, 0.25, 1, 0.25, 0.25),
    ("hardtanh", -1, 0, 1, 0, 1),
    ("hardtanh", 1, 1, 0, 0, 1),
    ("hardsigmoid", -3, 0, 1 / 6, 0, 0),
    ("hardsigmoid", 3, 1 / 6, 0, 0, 0),
    ("hardswish", -3, 0, -0.5, 0, 0),
    ("hardswish", 3, 1.5, 1, 1, 1),
    ("elu", 0, 1, 1, None, None),  # alpha = 1: differentiable
    ("threshold", 1, 0, 1, 0, 0),
    ("softshrink", -0.5, 1, 0, 0, 0),
    ("softshrink", 0.5, 0, 1, 0, 0),
    ("sparse_sigmoid", -1, 0, 0.5, 0.25, 0.25),
]


@pytest.mark.parametrize("name, point, left, right, torch, jax", KINKS)
def test_kernels_at_kinks_follow_each_policy(name, point, left, right, torch, jax):
    expected = {"left": left, "right": right, "mean": (left + right) / 2, "torch": torch, "jax": jax}
    for policy in POLICIES:
        if expected[policy] is None:
            expected[policy] = left
        k = symact.kernel(name, kink=policy)
        for dtype in (np.float64, np.float32):
            got = k.grad(np.array([point], dtype=dtype))[0]
            assert got == pytest.approx(expected[policy], rel=1e-6), (name, point, policy)


@pytest.mark.parametrize("name", sorted(FRAMEWORK_CONVENTIONS))
def test_convention_table_matches_found_kinks(name):
    entry = catalog.get(name)
    points = {k.point for k in find_kinks(entry.expr, entry.defaults)}
    assert {sp.sympify(p) for p in FRAMEWORK_CONVENTIONS[name]} <= points | {0} if name == "celu" else points


@pytest.mark.parametrize("name", catalog.names())
def test_one_sided_derivatives_are_limits(name):
    entry = catalog.get(name)
    f = entry.at_defaults()
    for kink in find_kinks(entry.expr, entry.defaults):
        c = float(kink.point.subs(entry.defaults))
        h = 1e-7
        fn = sp.lambdify(x, f, modules=[{"sigmoid": lambda t: 1 / (1 + np.exp(-t))}, "mpmath"])
        left = (fn(c - h) - fn(c - 2 * h)) / h
        right = (fn(c + 2 * h) - fn(c + h)) / h
        assert float(left) == pytest.approx(float(kink.left.subs(entry.defaults)), abs=1e-5)
        assert float(right) == pytest.approx(float(kink.right.subs(entry.defaults)), abs=1e-5)


def test_discontinuities_are_marked():
    assert not symact.derive("hardshrink").kinks[sp.Symbol("lambd", positive=True)].continuous
    assert symact.derive("relu").kinks[0].continuous


def test_symbolic_kink_points_follow_parameters():
    d = symact.derive("hardtanh", min_val=-2, max_val=3)
    assert set(d.kinks) == {-2, 3}
    assert symact.kernel("hardtanh", min_val=-2, max_val=3).grad(np.array([-2.0, 3.0, 0.0])).tolist() == [0, 0, 1]
