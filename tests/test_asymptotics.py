"""Certified limits at +-inf (symact.kernels.asymptotics) against mpmath far out, and the plan's use of them."""

import math

import mpmath
import pytest
import sympy as sp

from symact.catalog import CATALOG, x
from symact.derivation import derive
from symact.functions import mp_function
from symact.kernels import asymptotics
from symact.kernels.asymptotics import guarded_limit, limit_at_infinity
from symact.kernels.plan import _far, make_plan
from symact.parsing import parse
from symact.precision import precision

USER = [
    "x*exp(-x**2)",
    "x**3/cosh(x)**2",
    "log(1 + x**2)",
    "sqrt(1 + x**2) - 1",
    "x*tanh(exp(x))",
    "(x + x**2)/(1 + x**2)",
    "x*erf(x)",
    "x*sigmoid(2*x)",
    "sqrt(1 + x**2) - x",
    "x*(sqrt(1 + x**2) - x)",
    "x - tanh(x)",
    "exp(x)/(1 + exp(x)) - sigmoid(x)",
    "x**2*(1 - tanh(x)**2)*exp(x)",
    "atan(x)*x - x*pi/2",
]
NO_LIMIT = ["sin(x**2)*x", "x*cos(x)", "sin(x)", "exp(x)*sin(x)"]


def _agrees(expr: sp.Expr, side: int, value: sp.Expr, sign: int) -> bool:
    """The limit matches mpmath at side * 1e4 and side * 1e8 (60 digits): close to a finite one, growing
    towards an infinite one; a nonzero ``sign`` is the sign of the value (unless it cancels to 0 in mpmath)."""
    fn = mp_function(expr)
    with precision(60):
        near, far = (fn(mpmath.mpf(side) * 10**k) for k in (4, 8))
    if sign and far and mpmath.sign(far) != sign:
        return False
    if value.is_finite:
        return abs(far - mpmath.mpf(str(sp.N(value, 30)))) < 1e-6 * (1 + abs(far))
    return mpmath.sign(far) == (1 if value > 0 else -1) and abs(far) > abs(near)


@pytest.mark.parametrize("entry", CATALOG, ids=lambda entry: entry.name)
def test_every_catalog_limit_is_certified_and_matches_mpmath(entry):
    d = derive(entry)
    for order, e in enumerate((d.f, d.df, d.d2f)):
        e = e.subs(entry.defaults)
        for side in (-1, 1):
            limit = limit_at_infinity(e, x, side)
            assert limit is not None, (order, side)
            assert _agrees(e, side, *limit), (order, side, limit)


@pytest.mark.parametrize("text", USER)
def test_user_limits_match_mpmath(text):
    e = parse(text)
    for side in (-1, 1):
        limit = limit_at_infinity(e, x, side)
        assert limit is not None, side
        assert _agrees(e, side, *limit), (side, limit)


@pytest.mark.parametrize("text", NO_LIMIT)
def test_no_limit_is_never_claimed(text):
    assert limit_at_infinity(parse(text), x, 1) is None


def test_swish_beta_two_and_its_derivatives():
    e = parse("x*sigmoid(2*x)")
    for order in range(3):
        assert limit_at_infinity(sp.diff(e, x, order), x, -1)[0] == 0
    assert limit_at_infinity(sp.diff(e, x), x, 1) == (1, 1)
    assert limit_at_infinity(sp.diff(e, x, 2), x, 1)[0] == 0


@pytest.mark.parametrize("text", USER[:8] + ["x*sigmoid(x)*(1 - sigmoid(x)) + sigmoid(x)"])
def test_the_plan_uses_certified_limits_that_the_probe_confirms(text):
    e = parse(text)
    plan = make_plan([e], x)
    finish = plan.finishes[0]
    assert finish.certified == (True, True)
    ((probed, _, _),) = _far(plan.raw, 1)
    for limit, seen in zip(finish.limits, probed):
        assert limit == seen or (math.isinf(limit) and abs(seen) > 1e250), (limit, seen)


def test_the_plan_keeps_the_probe_where_nothing_is_certified():
    plan = make_plan([parse("x*cos(x)")], x)
    assert plan.finishes[0].certified == (False, False)


@pytest.mark.parametrize("text", USER + ["abs(x + 1)", "exp(-abs(1 - x))*x", "max(x, 2 - x)", "sign(x - 3)*x"])
def test_the_variables_sign_assumptions_change_no_limit(text):
    positive, negative = sp.Symbol("v", positive=True), sp.Symbol("v", negative=True)
    expr = parse(text)
    for side, v in ((1, positive), (-1, negative)):
        assert limit_at_infinity(expr.subs(x, v), v, side) == limit_at_infinity(expr, x, side), (text, side)


def test_a_limit_the_far_values_contradict_is_warned_and_dropped():
    assert guarded_limit(sp.atan(x), x, 1, lambda value: value == sp.pi / 2) == sp.pi / 2
    with pytest.warns(RuntimeWarning, match="disagrees"):
        assert guarded_limit(sp.atan(x), x, 1, lambda value: False) is None
    assert guarded_limit(sp.sin(x), x, 1, lambda value: False) is None  # none found: nothing to warn about


def test_the_analysis_falls_back_to_sympy_when_the_far_values_disagree(monkeypatch):
    from symact.analysis.exact import _limit

    monkeypatch.setattr(asymptotics, "limit_at_infinity", lambda expr, var, side: (sp.Integer(5), 1))
    with pytest.warns(RuntimeWarning, match="disagrees"):
        assert _limit(x / (3 + 7 * x), sp.oo) == (sp.Rational(1, 7), True)
