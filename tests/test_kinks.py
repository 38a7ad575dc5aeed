import numpy as np
import pytest
import sympy as sp

import symact
from symact import catalog
from symact.errors import UndecidedSign
from symact.kinks import (
    FRAMEWORK_CONVENTIONS,
    POLICIES,
    Piece,
    find_kinks,
    pieces,
    rational_inside,
    resolve,
    switch_points,
)
from symact.numerics import certified_sign

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


# ---- switch points and pieces: certified order, exact de-duplication, rational probes ----------


def test_switch_points_closer_than_any_float_tolerance_stay_apart_and_in_order():
    eps = sp.Rational(1, 10**15)
    f = sp.Max(x - eps, 0) + sp.Max(x, 0) + sp.Max(x + eps, 0)
    assert switch_points(f, {}) == [-eps, 0, eps]
    parts = pieces(f, {})
    assert [(p.lo, p.hi) for p in parts] == [(-sp.oo, -eps), (-eps, 0), (0, eps), (eps, sp.oo)]
    assert [p.f for p in parts] == [0, x + eps, 2 * x + eps, 3 * x]


def test_a_point_written_two_ways_is_one_point():
    f = sp.Max(x - sp.sqrt(2), 0) + sp.Abs(x - sp.sqrt(8) / 2)
    assert len(switch_points(f, {})) == 1
    assert sp.simplify(switch_points(f, {})[0] - sp.sqrt(2)) == 0
    assert len(pieces(f, {})) == 2


def test_points_are_ordered_at_the_parameter_values():
    f = sp.Min(sp.Max(x, catalog.min_val), catalog.max_val)
    assert switch_points(f, {catalog.min_val: -1, catalog.max_val: 1}) == [catalog.min_val, catalog.max_val]
    assert switch_points(f, {catalog.min_val: 1, catalog.max_val: -1}) == [catalog.max_val, catalog.min_val]


@pytest.mark.parametrize(
    "f",
    [
        sp.Max(x - sp.Rational(1, 10**15), 0) + sp.Max(x, 0),
        sp.Abs(x - sp.sqrt(2)) + sp.Max(x - sp.pi / 2, 0),
        sp.Max(x - sp.Rational(10**20 + 1, 10**20), 0) + sp.Heaviside(x - 1),
        sp.Min(sp.Max(x, -3), 3),
    ],
)
def test_probes_are_rational_and_certified_strictly_inside(f):
    for p in pieces(f, {}):
        assert p.probe.is_Rational
        assert certified_sign(p.probe - p.lo) == 1 and certified_sign(p.hi - p.probe) == 1
        assert resolve(f, {x: p.probe}) == p.f


def test_a_smooth_function_is_one_piece():
    assert pieces(sp.tanh(x), {}) == [Piece(-sp.oo, sp.oo, sp.tanh(x), sp.Integer(0))]


def test_an_order_that_cannot_be_certified_raises():
    big = sp.exp(sp.exp(9000))  # too large to evaluate: the sign of big - 2*big is not certified
    f = sp.Max(x - big, 0) + sp.Max(x - 2 * big, 0)
    with pytest.raises(UndecidedSign):
        switch_points(f, {})
    with pytest.raises(UndecidedSign):
        pieces(f, {})
    with pytest.raises(UndecidedSign):
        rational_inside(big, 2 * big)


def test_an_uncertified_order_makes_properties_unknown_not_wrong():
    big = sp.exp(sp.exp(9000))
    p = symact.properties(sp.Max(x - big, 0) + sp.Max(x - 2 * big, 0))
    assert not p["range"].proved and not p["monotonic"].proved


def test_derive_splits_at_points_closer_than_any_float_tolerance():
    eps = sp.Rational(1, 10**15)
    d = symact.derive(sp.Max(x, 0) + sp.Max(x - eps, 0))
    assert d.df.subs(x, eps / 2) == 1 and d.df.subs(x, 2 * eps) == 2 and d.df.subs(x, -1) == 0
