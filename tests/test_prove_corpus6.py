"""A sixth adversarial corpus for ``prove``, ``prove_bound`` and ``prove_limit``, each statement with its truth.

The classes: powers with a symbolic exponent of a base that may be negative ((-1)**(-1) is -1, real and defined,
while (-1)**(1/2) is not real: ``symact.defined``), sign, abs and Heaviside at 0, piecewise functions at their
switch points, parameters at their boundary values, and huge or tiny constants (1e-300, 1e300). The truth of
each was decided by hand; no verdict may be wrong, and every counterexample is evaluated again at 1200 and 1300
digits with mpmath, independently of symact (``tests/verdicts.py``). *unknown* is never wrong.
"""

import pytest
import sympy as sp

from symact.parsing import parse
from symact.proof import PROVED, REFUTED, prove, prove_bound

from .verdicts import check_bound, check_identity, check_limit

P, N, NN, INT = "positive", "negative", "nonnegative", "integer"

IDENTITIES = [
    # powers with a symbolic exponent: a negative base has a real value where the exponent is an integer
    ("pow", "(x**a)**b", "x**(a*b)", {}, False),  # x = -1, a = 2, b = 1/2: 1 and -1
    ("pow", "(x**a)**b", "x**(a*b)", {"x": P}, True),
    ("pow", "(x**a)**n", "x**(a*n)", {"n": INT}, True),
    ("pow", "x**a*x**b", "x**(a + b)", {}, True),
    ("pow", "x**a/x**b", "x**(a - b)", {}, True),
    ("pow", "(x*y)**a", "x**a*y**a", {"x": P}, True),
    ("pow", "(x**2)**a", "abs(x)**(2*a)", {}, True),
    ("pow", "(x**2)**a", "x**(2*a)", {}, False),
    ("pow", "(x**2)**(1/2)", "x", {}, False),
    ("pow", "(x**2)**(1/2)", "abs(x)", {}, True),
    ("pow", "x**x**x**x", "x**(x**(x**x))", {}, True),
    ("pow", "x**(1/x)", "exp(log(x)/x)", {}, True),
    ("pow", "x**(1/x)", "exp(log(abs(x))/x)", {}, False),  # x = -1: -1 and 1
    ("pow", "x**a", "exp(a*log(x))", {}, True),
    ("pow", "x**a", "exp(a*log(abs(x)))", {}, False),
    ("pow", "abs(x)**a", "exp(a*log(abs(x)))", {}, True),
    ("pow", "sign(x)*abs(x)**a", "x**a", {}, False),
    ("pow", "sign(x)*abs(x)**a", "x**a", {"x": P}, True),
    ("pow", "(x**a)**(1/a)", "x", {"x": P}, True),
    ("pow", "(x**a)**(1/a)", "abs(x)", {}, False),  # x = -1, a = 1
    ("pow", "(x**(1/a))**a", "x", {}, False),  # x = -1, a = 1/2: 1 and -1
    ("pow", "(-1)**n*(-1)**n", "1", {"n": INT}, True),
    ("pow", "(-1)**(2*n)", "1", {"n": INT}, True),
    ("pow", "(-1)**n", "1", {"n": INT}, False),
    ("pow", "(-2)**n/2**n", "(-1)**n", {"n": INT}, True),
    ("pow", "x**(2*n)", "abs(x)**(2*n)", {"n": INT}, True),
    ("pow", "x**(2*n + 1)", "abs(x)**(2*n + 1)", {"n": INT}, False),
    ("pow", "x**(2/(x**2 + 1))", "abs(x)**(2/(x**2 + 1))", {}, False),  # x = -1: -1 and 1
    ("pow", "x**0", "1", {}, True),
    ("pow", "x**a/x**a", "1", {}, True),
    ("pow", "exp(a*log(x))", "x**a", {"x": P}, True),
    ("pow", "x**x", "exp(x*log(x))", {}, True),
    ("pow", "x**n*x**(-n)", "1", {"n": INT}, True),
    ("pow", "(x**n)**2", "x**(2*n)", {"n": INT}, True),
    ("pow", "(x**(1/2))**(2*n)", "x**n", {"n": INT}, True),
    ("pow", "(x**(2*n))**(1/2)", "abs(x)**n", {"n": INT}, True),
    ("pow", "(x**(2*n))**(1/2)", "x**n", {"n": INT}, False),
    ("pow", "relu(x)**a", "where(x > 0, x**a, 0)", {"a": P}, True),
    # sign, abs and Heaviside at 0
    ("sign", "sign(x)*sign(x)", "Heaviside(x, 0) + Heaviside(-x, 0)", {}, True),
    ("sign", "sign(x)*sign(x)", "Heaviside(x, 1/2) + Heaviside(-x, 1/2)", {}, False),
    ("sign", "abs(x)/x", "sign(x)", {"x": N}, True),
    ("sign", "sign(x)**3", "sign(x)", {}, True),
    ("sign", "sign(abs(x))", "1", {}, False),
    ("sign", "sign(abs(x))", "abs(sign(x))", {}, True),
    ("sign", "x*sign(x) - abs(x)", "0", {}, True),
    ("sign", "sign(x - a)", "sign(x**3 - a**3)", {}, True),
    ("sign", "sign(x**2 - a**2)", "sign(abs(x) - abs(a))", {}, True),
    ("sign", "sign(x)*sign(y)", "sign(x*y)", {}, True),
    ("sign", "abs(x + y)", "abs(x) + abs(y)", {}, False),
    ("sign", "Heaviside(x)", "(1 + sign(x))/2", {}, True),
    ("sign", "Heaviside(x, 0)", "(1 + sign(x))/2", {}, False),
    ("sign", "Heaviside(x, 1)*Heaviside(-x, 1)", "where(x == 0, 1, 0)", {}, True),
    ("sign", "x*Heaviside(x, 7)", "relu(x)", {}, True),
    ("sign", "Heaviside(x - a, 1)", "Heaviside(a - x, 0)", {}, False),
    ("sign", "Heaviside(x - a, 1)", "1 - Heaviside(a - x, 0)", {}, True),
    ("sign", "abs(x)**a", "abs(x**a)", {}, True),  # |exp(a Log x)| = exp(a log|x|) for a real a
    ("sign", "abs(x**3)", "abs(x)**3", {}, True),
    # piecewise functions at their switch points
    ("piece", "where(x > 1, x, 1)", "max(x, 1)", {}, True),
    ("piece", "where(x >= 1, x**2, x)", "where(x > 1, x**2, x)", {}, True),
    ("piece", "where(x >= 1, 2*x, x)", "where(x > 1, 2*x, x)", {}, False),  # x = 1: 2 and 1
    ("piece", "where(x > a, x - a, 0)", "relu(x - a)", {}, True),
    ("piece", "where(x >= 0, x, 0.01*x)", "leaky_relu(x, 0.01)", {}, True),
    ("piece", "where(x > 0, 1, where(x < 0, -1, 0))", "sign(x)", {}, True),
    ("piece", "where(x > 0, 1, where(x < 0, -1, 1/2))", "sign(x)", {}, False),
    ("piece", "where(x == 0, 0, x*log(abs(x)))", "x*log(abs(x))", {}, True),
    ("piece", "where(x > 2, x, 2) + where(x < 2, x, 2)", "x + 2", {}, True),
    # parameters at their boundary values
    ("param", "leaky_relu(x, 1)", "x", {}, True),
    ("param", "elu(x, 0)", "relu(x)", {}, True),
    ("param", "celu(x, a)", "elu(x, 1)", {"a": 1}, True),
    ("param", "swish(x, 0)", "x/2", {}, True),
    ("param", "clip(x, a, a)", "a", {}, True),
    ("param", "leaky_relu(x, a)", "relu(x)", {"a": 0}, True),
    ("param", "leaky_relu(x, a)", "abs(x)", {"a": -1}, True),
    ("param", "leaky_relu(x, a)", "abs(x)", {"a": 1}, False),
    # huge and tiny constants
    ("huge", "x + 1e-300", "x", {}, False),
    ("huge", "exp(-a*x**2)", "0", {"a": 1e300}, False),  # x = 0: 1
    ("huge", "1e300*x/1e300", "x", {}, True),
    ("huge", "sigmoid(1e300)", "1", {}, False),
    ("huge", "(1 + 1e-300)**x", "exp(x*log(1 + 1e-300))", {}, True),
    ("huge", "tanh(a*x)", "sign(x)", {"a": 1e300}, False),
    ("huge", "x*1e-300 + x", "x*(1 + 1e-300)", {}, True),
    ("huge", "max(x, 1e-300)", "max(x, 0)", {}, False),
    ("huge", "exp(1e-300*x)", "1", {}, False),
    ("huge", "(1e-300)**x", "exp(x*log(1e-300))", {}, True),
    ("huge", "(-1e-300)**n", "(-1)**n*(1e-300)**n", {"n": INT}, True),
    ("huge", "x**(1e-300)", "x", {"x": P}, False),
    ("piece", "min(x, a) + max(x, a) - x", "a", {}, True),
    ("piece", "where(x > a, 1, 0) + where(x < a, 1, 0)", "1", {}, False),
    ("piece", "where(x > a, 1, 0) + where(x <= a, 1, 0)", "1", {}, True),
    ("tiny", "sign(x - 1e-300)", "sign(x)", {}, False),
    ("tiny", "relu(x - 1e-300)", "relu(x)", {}, False),
    ("tiny", "max(x, 1e-300) - max(x, 0)", "0", {"x": P}, False),
    ("tiny", "abs(x - 1e300) - abs(1e300 - x)", "0", {}, True),
    ("tiny", "where(x > 1e-300, 1, 0)", "Heaviside(x, 0)", {}, False),
    ("tiny", "where(x > 1e300, 1, 0)", "0", {}, False),
    ("step", "where(x >= 0, 1, 0)", "Heaviside(x, 1)", {}, True),
    ("step", "where(x >= a, 1, 0)", "Heaviside(x - a, 1)", {}, True),
    ("step", "where(x >= a, 1, 0)", "Heaviside(x - a)", {}, False),
    ("step", "abs(x)*sign(x)**2", "abs(x)", {}, True),
    ("step", "sign(x)/sign(x)", "1", {}, True),
    ("step", "x/abs(x)", "sign(x)", {}, True),
    ("step", "sqrt(abs(x))**2", "abs(x)", {}, True),
    ("param", "relu(a*x)", "a*relu(x)", {"a": NN}, True),
    ("param", "relu(a*x)", "a*relu(x)", {}, False),
    ("param", "leaky_relu(x, a)", "max(x, a*x)", {"a": NN}, False),
    ("param", "leaky_relu(x, a)", "where(x > 0, x, a*x)", {}, True),
    ("param", "elu(x, a)", "where(x > 0, x, a*(exp(x) - 1))", {}, True),
    ("param", "celu(x, a)", "elu(x, a)", {}, False),
    ("pow", "exp(x)**a", "exp(a*x)", {}, True),
    ("pow", "exp(x)**(1/x)", "E", {}, True),
    ("pow", "2**x*2**(-x)", "1", {}, True),
    ("pow", "(-2)**x*(-2)**(-x)", "1", {}, True),
    ("pow", "x**(log(2)/log(x))", "2", {"x": P}, True),
    ("pow", "x**(a - a)", "1", {}, True),
    ("pow", "(x**a)**0", "1", {}, True),
    ("pow", "0**x", "0", {"x": P}, True),
    ("pow", "1**x", "1", {}, True),
    ("pow", "(-1)**(x**2 + x)", "1", {"x": INT}, True),
    ("pow", "(-1)**(x**2)", "(-1)**x", {"x": INT}, True),
    ("pow", "(-1)**(x**2)", "1", {"x": INT}, False),
    ("pow", "abs(x)**(1/x)", "x**(1/x)", {}, False),  # x = -1: 1 and -1
    ("pow", "x**(1/x)", "x**(1/x)*sign(x)**2", {}, True),
    ("pow", "x**a*sign(x)", "x**a", {}, False),
    ("pow", "x**(2*a)*sign(x)**2", "x**(2*a)", {}, True),
    ("piece", "where(x >= 0, x**a, 0)", "relu(x)**a", {"a": P}, True),
    ("piece", "where(x > 0, x**x, 1)", "max(x, 0)**max(x, 0)", {}, True),  # 0**0 is 1
]  # fmt: skip

BOUNDS = [
    ("x**x**x**x", "0", None, False, {}, False),  # x = -1: -1
    ("x**x", "0", None, True, {"x": P}, True),
    ("x**x", "0", None, False, {}, False),
    ("x**x", "exp(-exp(-1))", None, False, {"x": P}, True),
    ("x**x", "exp(-exp(-1))", None, True, {"x": P}, False),  # equality at 1/e
    ("x**(1/x)", "0", None, False, {}, False),
    ("x**(1/x)", None, "exp(exp(-1))", False, {}, False),  # x = -1/2: 4
    ("x**(1/x)", None, "exp(exp(-1))", False, {"x": P}, True),
    ("(-1)**n", "-1", "1", False, {"n": INT}, True),
    ("(-1)**x", None, "0", False, {}, False),  # x = 2: 1
    ("x**a", "0", None, False, {"x": P}, True),
    ("x**a", "0", None, False, {}, False),
    ("x**(2*n)", "0", None, False, {"n": INT}, True),
    ("abs(x)**a", "0", None, False, {}, True),
    ("x**(2*x)", "0", None, False, {}, False),  # x = -1/2: -2
    ("x**(x**2)", "0", None, False, {}, False),
    ("x**(x**2)", "0", None, False, {"x": NN}, True),
    ("x**(2/(x**2 + 1))", "0", None, False, {}, False),
    ("x**(x/3)", "0", None, False, {}, False),  # x = -3: -1/3
    ("(x**a)**2", "0", None, False, {}, True),  # SymPy's x**(2*a), though x**a must be real
    ("x**a*x**a", "0", None, False, {}, True),
    ("x**(2*a)", "0", None, False, {}, False),  # x = -1, a = 1/2: -1
    ("x**(2*a)", "0", None, False, {"a": INT}, True),
    ("where(x > 0, x**x, (-x)**x)", "0", None, False, {}, True),
    ("where(x > 0, 1, x**x)", "0", None, False, {}, False),  # x = -1: -1
    ("where(x > 0, x**x, 1)", "0", None, True, {}, True),
    ("sign(x)", "-1", "1", False, {}, True),
    ("sign(x)", "-1", "1", True, {}, False),
    ("abs(x) - x*sign(x)", "0", "0", False, {}, True),
    ("where(x >= 0, x, -2*x)", "0", None, False, {}, True),
    ("where(x > 0, x, -1)", "-1", None, True, {}, False),
    ("relu(x) - relu(x - 1)", "0", "1", False, {}, True),
    ("relu(x) - relu(x - 1)", "0", "1", True, {}, False),
    ("exp(-a*x**2)", "0", "1", False, {"a": 1e300}, True),
    ("exp(-a*x**2)", "0", None, True, {"a": 1e300}, True),
    ("x*1e-300", None, "x", False, {"x": NN}, True),
    ("x*1e-300", None, "x", False, {}, False),
    ("leaky_relu(x, a) - x", "0", None, False, {"a": 1}, True),
    ("elu(x, a)", "-a", None, False, {"a": NN}, True),
    ("elu(x, a)", "-a", None, False, {}, False),  # a = -1, x = -1: 1 - exp(-1) < 1
    ("x**n", "0", None, False, {"n": INT}, False),
    ("x**(1/3)", "0", None, False, {}, True),
    ("x**a", "-1", "1", False, {"a": P}, False),
    ("abs(x)**x", "exp(-exp(-1))", None, False, {}, False),  # x = -2: 1/4
    ("Heaviside(x, a)", "0", "1", False, {"a": NN}, False),
    ("sign(x)*x**2", None, "x*abs(x)", False, {}, True),
    ("clip(x, a, a + 1)", "a", "a + 1", False, {}, True),
    ("x**(x - 1)", "0", None, False, {}, False),  # x = -2: -1/8
    ("(x - 1)**x", "0", None, False, {}, False),
    ("(x**2 - 1)**x", "0", None, False, {}, True),  # a negative base only for x in (-1, 1): at x = 0, 1
    ("x**(-x)", None, "exp(exp(-1))", False, {}, False),
    ("x**(-x)", None, "exp(exp(-1))", False, {"x": P}, True),
    ("x**(1/x**2)", "0", None, False, {}, False),  # x = -1: -1
    ("tanh(x)**x", "0", None, False, {}, False),
    ("sigmoid(x)**x", "0", None, True, {}, True),
    ("x*1e300", None, "x*1e301", False, {"x": NN}, True),
    ("exp(1e-300*x)", "1", None, False, {"x": NN}, True),
    ("exp(1e-300*x)", "1", None, True, {"x": NN}, False),
    ("sign(x - 1e-300)", "-1", "1", False, {}, True),
    ("relu(x - 1e-300)", None, "relu(x)", False, {}, True),
    ("x**a", "0", None, True, {"x": P}, True),
    ("x**a", "0", None, True, {"x": NN, "a": P}, False),  # x = 0: 0
    ("abs(x)**a", "0", None, True, {"a": P}, False),
    ("x**(a**2)", "0", None, False, {}, False),  # x = -1, a = 1: -1
    ("x**(a**2)", "0", None, False, {"x": NN}, True),
    ("(x**a)**(1/2)", "0", None, False, {}, True),
    ("sqrt(x**(2*a))", "0", None, False, {}, True),
    ("x**(a + 1/2)", "0", None, False, {}, False),  # x = -1/2, a = -3/2: -2
    ("(x - a)**2", "0", None, False, {}, True),
    ("leaky_relu(x, a)", "a*x", None, False, {"a": NN}, False),
    ("elu(x, 1e-300)", "-1e-300", None, True, {}, True),
    ("elu(x, 1e300)", "-1e300", None, True, {}, True),
    ("x**a + x**(-a)", "2", None, False, {"x": P}, True),
    ("x**a + x**(-a)", "2", None, False, {}, False),  # x = -1, a = 1: -2
    ("x**x**x", "0", None, False, {}, False),
    ("x**x**x", "0", None, False, {"x": P}, True),
    ("(1 + x**2)**a", "1", None, False, {"a": NN}, True),
    ("(1 + x**2)**a", "1", None, False, {}, False),
    ("(1 - x**2)**a", None, "1", False, {"a": NN}, False),
    ("(x**2)**(1/x)", "0", None, False, {}, True),
]  # fmt: skip

LIMITS = [
    ("x**x", "x", 0, "1", {"direction": "+"}, True),
    ("x**(1/x)", "x", "oo", "1", {}, True),
    ("(1 + 1/x)**x", "x", "oo", "E", {}, True),
    ("(1 + 1/x)**x", "x", "-oo", "E", {}, True),
    ("(1 + a/x)**x", "x", "oo", "exp(a)", {}, True),
    ("x**(1/x)", "x", 0, "0", {"direction": "+"}, True),
    ("sign(x)", "x", 0, "0", {}, False),
    ("sign(x)", "x", 0, "1", {"direction": "+"}, True),
    ("abs(x)/x", "x", 0, "-1", {"direction": "-"}, True),
    ("Heaviside(x)", "x", 0, "1", {"direction": "+"}, True),
    ("where(x > 1, x**2, 2*x)", "x", 1, "2", {"direction": "-"}, True),
    ("where(x > 1, x**2, 2*x)", "x", 1, "1", {"direction": "+"}, True),
    ("where(x > 1, x**2, 2*x)", "x", 1, "2", {"direction": "+"}, False),
    ("sigmoid(a*x)", "x", "oo", "1", {"a": 1e300}, True),
    ("tanh(1e-300*x)", "x", "oo", "1", {}, True),  # near 0 until x is far beyond 10**300
    ("tanh(1e-300/x)", "x", 0, "1", {"direction": "+"}, True),
    ("exp(-a/x**2)", "x", 0, "0", {"a": 1e300}, True),
    ("x*log(x)", "x", 0, "0", {"direction": "+"}, True),
    ("(x**a - 1)/a", "a", 0, "log(x)", {"x": P}, True),
    ("elu(x, a)", "x", "-oo", "-a", {}, True),
    ("x**a", "x", "oo", "oo", {"a": P}, True),
    ("x**a", "x", "oo", "0", {"a": N}, True),
    ("x**a", "x", "oo", "0", {"a": 2}, False),
    ("x**x**x", "x", 0, "0", {"direction": "+"}, True),
    ("abs(x)**x", "x", 0, "1", {}, True),
    ("x**(1/x)", "x", 0, "0", {"direction": "-"}, False),
    ("Heaviside(x, 0)", "x", 0, "0", {"direction": "-"}, True),
    ("Heaviside(x, 0)", "x", 0, "0", {"direction": "+"}, False),
    ("clip(x, a, b)", "x", "oo", "b", {}, True),
    ("x**a", "x", 0, "0", {"direction": "+", "a": P}, True),
    ("x**a", "x", 0, "1", {"direction": "+", "a": 0}, True),
    ("abs(x)**a", "x", 0, "0", {"a": P}, True),
    ("x*sign(1/x)", "x", 0, "0", {}, True),
    ("leaky_relu(x, a)/x", "x", 0, "a", {"direction": "-"}, True),
    ("leaky_relu(x, a)/x", "x", 0, "a", {"direction": "+"}, False),
    ("(-1)**n/n", "n", "oo", "0", {}, True),
]  # fmt: skip


@pytest.mark.parametrize(
    "cls, lhs, rhs, assumptions, true", IDENTITIES, ids=[f"{e[1][:60]}={e[2][:60]}" for e in IDENTITIES]
)
def test_identity_verdicts(cls, lhs, rhs, assumptions, true):
    check_identity(cls, lhs, rhs, assumptions, true, at={"x": "1/3"})


@pytest.mark.parametrize(
    "expr, lower, upper, strict, assumptions, true", BOUNDS, ids=[f"{e[1]}<{e[0]}<{e[2]}" for e in BOUNDS]
)
def test_bound_verdicts(expr, lower, upper, strict, assumptions, true):
    check_bound(expr, lower, upper, strict, assumptions, true)


@pytest.mark.parametrize(
    "expr, var, at, expected, kw, true", LIMITS, ids=[f"lim_{e[1]}->{e[2]} {e[0]}={e[3]}" for e in LIMITS]
)
def test_limit_verdicts(expr, var, at, expected, kw, true):
    check_limit(expr, var, at, expected, kw, true, apart=1e-40)


# false, and false only where a power of a negative base has an integer exponent ((-1)**(-1) is -1): refuted there
INTEGER_EXPONENTS = [
    ("x**x**x**x", None, {"lower": "0"}),  # x = -1: (-1)**((-1)**((-1)**(-1))) is -1
    ("x**(2*x)", None, {"lower": "0"}),
    ("x**(x**2)", None, {"lower": "0"}),
    ("x**(2*a)", None, {"lower": "0"}),
    ("(x**a)**b", "x**(a*b)", {}),  # x = -1, a = 2, b = 1/2: 1 and -1
    ("(x**(1/a))**a", "x", {}),
    ("x**(2/(x**2 + 1))", "abs(x)**(2/(x**2 + 1))", {}),
]


def _exact(text: str, values: dict) -> sp.Rational:
    """``text`` at a point where it has a real value as written, exactly: every condition the parser records
    (``symact.defined``) holds there, and every power is an exact rational (no float anywhere)."""
    domain: list = []
    expr = parse(text, allow_symbols=True, domain=domain)
    at = {s: values.get(s.name, sp.Integer(0)) for c in [expr, *domain] for s in c.free_symbols}
    assert all(c.xreplace(at) is sp.true for c in domain), (text, values)
    for node in sp.preorder_traversal(expr):
        if isinstance(node, sp.Pow):
            exponent, base = node.exp.xreplace(at), node.base.xreplace(at)
            assert exponent.is_Integer or base.is_positive, (node, at)
    found = expr.xreplace(at)
    assert found.is_Rational, (text, found)
    return found


@pytest.mark.parametrize("lhs, rhs, bounds", INTEGER_EXPONENTS, ids=[e[0] for e in INTEGER_EXPONENTS])
def test_a_power_of_a_negative_base_is_refuted_exactly_where_its_exponent_is_an_integer(lhs, rhs, bounds):
    """x**x**x**x >= 0 was unknown (a symbolic power was read for a positive base only), (x**a)**b = x**(a*b)
    an uncertified disagreement: both are false at points where every exponent is an integer, which the
    sides' recorded conditions now admit, and the counterexample is checked here in exact rationals."""
    p = prove(lhs, rhs, budget=10) if rhs is not None else prove_bound(lhs, budget=10, **bounds)
    assert p.status == REFUTED, p
    values = {k: sp.Rational(v) for k, v in p.counterexample["point"].items()}
    if rhs is not None:
        assert _exact(lhs, values) != _exact(rhs, values), p.counterexample
    else:
        assert _exact(lhs, values) < sp.Rational(bounds["lower"]), p.counterexample


def test_a_power_whose_exponent_may_have_no_value_keeps_its_domain():
    """x**(1/x) set no condition on x (1/x may be zoo, so its exponent was not known real): x**(1/x)*x**(-1/x) = 1
    was proved for x ≠ 0; it is proved for x > 0, where a symbolic power is read."""
    p = prove("x**(1/x)*x**(-1/x)", "1", budget=10)
    assert p.status == PROVED and p.verdict().startswith("proved for x > 0"), p.verdict()


def test_no_proof_reads_a_power_of_a_negative_constant_base():
    """(-1)**x has a real value only at integer x: no proof, which reads a symbolic power for a positive base,
    applies; a false bound is still refuted at an integer."""
    p = prove("(-1)**x*(-1)**(-x)", "1", budget=10)
    assert p.status not in (PROVED, REFUTED), p
    p = prove_bound("(-1)**x", upper="0", budget=10)
    assert p.status == REFUTED and sp.Rational(p.counterexample["point"]["x"]).is_integer, p


def test_a_proof_that_reads_a_symbolic_power_for_a_positive_base_says_so():
    """x**a*x**b = x**(a + b) is proved for x > 0; at x = -1, a = b = 1 both sides are real (1), so its verdict no
    longer says that a side has no real value wherever x <= 0."""
    p = prove("x**a*x**b", "x**(a + b)", budget=10)
    assert p.status == PROVED and p.details["positive_base"], p.details
    assert "a symbolic power a base not positive" in p.verdict(), p.verdict()
    assert "positive_base" not in prove("sqrt(x)**2", "x", budget=10).details
