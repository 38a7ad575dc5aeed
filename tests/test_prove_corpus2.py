"""A second adversarial corpus for ``prove``, ``prove_bound`` and ``prove_limit``, each statement with its truth.

The classes: activations with parameters, identities true only on a domain, branch cuts, switch functions,
statements false only at a kink, only at large |x| or only for some parameter values, differences far
below 1e-30, derivatives, the d2l 5.1 statements, bounds and limits. No verdict may be wrong (a false
statement proved, a true one refuted), and every counterexample is evaluated again here with mpmath,
independently of symact's own evaluation: the difference found at 1200 digits must agree to 50 digits
with the one found at 1300 digits, and must not be 0 (a strict bound's equality is a gap below 1e-1100).
*unknown* is never wrong, and a proof that ran out of its budget is *unknown*.
"""

import mpmath as mp
import pytest
import sympy as sp

from symact.parsing import parse
from symact.proof import PROVED, REFUTED, prove, prove_bound, prove_limit


def _heaviside(t, at_zero=mp.mpf(1) / 2):
    return mp.mpf(1) if t > 0 else mp.mpf(0) if t < 0 else at_zero


MODULES = [
    {
        "sigmoid": lambda t: 1 / (1 + mp.exp(-t)),
        "Phi": lambda t: mp.erfc(-t / mp.sqrt(2)) / 2,
        "softplus": lambda t: mp.log1p(mp.exp(t)) if t < 0 else t + mp.log1p(mp.exp(-t)),
        "Heaviside": _heaviside,
        "sign": lambda t: mp.mpf(mp.sign(t)),
        "Max": max,
        "Min": min,
    },
    "mpmath",
]


def value(text: str, point: dict, dps: int):
    """``text`` at ``point`` (names to exact rationals, as strings) with mpmath at ``dps`` digits."""
    expr = parse(text, allow_symbols=True)
    symbols = sorted(expr.free_symbols, key=lambda s: s.name)
    fn = sp.lambdify(symbols, expr, modules=MODULES)
    with mp.workdps(dps):
        args = [sp.Rational(point[s.name]) for s in symbols]
        return fn(*[mp.mpf(a.p) / a.q for a in args])


def gap(lhs: str, rhs: str, point: dict):
    """lhs - rhs at ``point``, certified to 50 digits; 0 when below 1e-1100 at 1200 digits."""
    rough, fine = (value(lhs, point, dps) - value(rhs, point, dps) for dps in (1200, 1300))
    with mp.workdps(60):
        if abs(fine) <= mp.mpf(10) ** -1100 * (1 + abs(value(lhs, point, 60))):
            return mp.mpf(0)
        assert abs(rough - fine) <= mp.mpf(10) ** -50 * abs(fine), (lhs, rhs, point)
        return fine


IDENTITIES = [
    ("param", "leaky_relu(x, a)", "max(x, a*x)", {"a": "nonnegative"}, False),
    ("param", "prelu(x, a)", "max(x, a*x)", {}, False),
    ("param", "prelu(x, a)", "relu(x) - a*relu(-x)", {}, True),
    ("param", "elu(x, a)", "celu(x, a)", {"a": "positive"}, False),
    ("param", "celu(x, a)", "elu(x, a)", {"a": 1}, True),
    ("param", "selu(x, a, s)/s", "elu(x, a)", {"s": "positive"}, True),
    ("param", "elu(x, a)", "relu(x) + a*(exp(-relu(-x)) - 1)", {}, True),
    ("param", "elu(x, a)", "max(x, a*(exp(x) - 1))", {"a": "positive"}, False),
    ("param", "elu(x, a)", "min(x, a*(exp(x) - 1))", {"a": "positive"}, False),
    ("param", "selu(x, a, s)", "s*relu(x) + s*a*(exp(min(x, 0)) - 1)", {}, True),
    ("param", "softplus(x, 2)", "log(1 + exp(2*x))/2", {}, True),
    ("param", "softplus(x, b)", "softplus(b*x)/b", {"b": "positive"}, True),
    ("param", "softplus(x, b)", "log(1 + exp(x))", {"b": "positive"}, False),
    ("param", "softplus(x, b)", "relu(x) + softplus(-b*abs(x))/b", {"b": "positive"}, True),
    ("param", "celu(x, a)", "relu(x) + min(0, a*(exp(x/a) - 1))", {"a": "positive"}, True),
    ("param", "celu(x, a)", "relu(x) + min(0, a*(exp(x/a) - 1))", {"a": "negative"}, True),
    ("param", "hardtanh(x, a, b)", "clip(x, a, b)", {}, True),
    ("param", "hardtanh(x, a, b)", "max(a, min(b, x))", {}, False),
    ("param", "hardtanh(x, a, b)", "max(a, min(b, x))", {"a": "negative", "b": "positive"}, True),
    ("param", "hardtanh(x, -a, a)", "a*hardtanh(x/a)", {"a": "positive"}, True),
    ("param", "hardtanh(x, -2, 2)", "2*hardtanh(x/2)", {}, True),
    ("param", "clip(x, -2, 2)", "hardtanh(x, -2, 3)", {}, False),
    ("param", "softshrink(x, l)", "sign(x)*relu(abs(x) - l)", {"l": "positive"}, True),
    ("param", "softshrink(x, l)", "sign(x)*relu(abs(x) - l)", {}, False),
    ("param", "hardshrink(x, l)", "x*Heaviside(abs(x) - l, 0)", {"l": "positive"}, True),
    ("kink", "hardshrink(x, l)", "x*Heaviside(abs(x) - l)", {"l": "positive"}, False),
    ("param", "threshold(x, t, v)", "where(x > t, x, v)", {}, True),
    ("kink", "threshold(x, t, v)", "where(x >= t, x, v)", {}, False),
    ("param", "squareplus(x, 4)", "(x + sqrt(x**2 + 4))/2", {}, True),
    ("param", "squareplus(x, 0)", "relu(x)", {}, True),
    ("param", "squareplus(x, b)", "relu(x)", {"b": "positive"}, False),
    ("param", "rrelu(x, l, u)", "leaky_relu(x, (l + u)/2)", {}, True),
    ("param", "swish(x, b)", "x*(1 + tanh(b*x/2))/2", {}, True),
    ("param", "swish(x, b)", "x*(1 + tanh(b*x))/2", {"b": "positive"}, False),
    ("param", "relu(a*x)", "-a*relu(-x)", {"a": "negative"}, True),
    ("param", "relu(a*x)", "-a*relu(-x)", {"a": "nonpositive"}, True),
    ("param", "relu(a*x)", "-a*relu(-x)", {"a": "nonnegative"}, False),
    ("param", "exp(a*log(1 + x**2))", "(1 + x**2)**a", {}, True),
    ("param", "leaky_relu(x, 1/100)", "where(x >= 0, x, x/100)", {}, True),
    ("form", "softplus(x)", "relu(x) + log(1 + exp(-abs(x)))", {}, True),
    ("form", "softplus(x)", "relu(x) + log(1 + exp(-x))", {}, False),
    ("form", "softplus(x)", "max(x, 0) + softplus(-abs(x))", {}, True),
    ("form", "log_sigmoid(x)", "min(x, 0) - log(1 + exp(-abs(x)))", {}, True),
    ("form", "sigmoid(x)", "where(x >= 0, 1/(1 + exp(-x)), exp(x)/(1 + exp(x)))", {}, True),
    ("form", "sigmoid(x)", "where(x >= 0, 1/(1 + exp(-x)), 1/(1 + exp(x)))", {}, False),
    ("form", "tanh(x)", "sign(x)*(1 - exp(-2*abs(x)))/(1 + exp(-2*abs(x)))", {}, True),
    ("form", "silu(x)", "x*(1 + tanh(x/2))/2", {}, True),
    ("form", "gelu(x)", "x*erfc(-x/sqrt(2))/2", {}, True),
    ("form", "gelu(x)", "x - x*erfc(x/sqrt(2))/2", {}, True),
    ("form", "Phi(x)", "erfc(-x/sqrt(2))/2", {}, True),
    ("form", "erf(x) + erfc(x)", "1", {}, True),
    ("form", "erfc(x) + erfc(-x)", "2", {}, True),
    ("form", "erfc(-x)", "1 + erf(x)", {}, True),
    ("form", "mish(x)", "x*(exp(2*x) + 2*exp(x))/(exp(2*x) + 2*exp(x) + 2)", {}, True),
    ("form", "tanhshrink(x)", "x - 2*sigmoid(2*x) + 1", {}, True),
    ("form", "sparse_plus(x)", "where(x < -1, 0, where(x <= 1, (x + 1)**2/4, x))", {}, True),
    ("form", "sparse_sigmoid(x)", "clip((x + 1)/2, 0, 1)", {}, True),
    ("form", "hardsigmoid(x)", "clip(x/6 + 1/2, 0, 1)", {}, True),
    ("form", "hardsigmoid(x)", "clip(x/5 + 1/2, 0, 1)", {}, False),
    ("form", "hardswish(x)", "x*min(1, max(0, x/6 + 1/2))", {}, True),
    ("form", "hardswish(x)", "x*min(1, max(0, x/6 + 1/3))", {}, False),
    ("form", "relu6(x)", "6*hardsigmoid(x - 3)", {}, True),
    ("form", "softsign(x)", "sign(x)*abs(x)/(1 + abs(x))", {}, True),
    ("form", "softsign(x)", "x/(1 + sqrt(x**2))", {}, True),
    ("form", "relu(-x)", "relu(x) - x", {}, True),
    ("form", "relu(x)**2", "x*relu(x)", {}, True),
    ("form", "relu(x)**2", "x**2", {}, False),
    ("form", "sigmoid(x) - 1/2", "tanh(x/2)/2", {}, True),
    ("form", "1 - tanh(x)", "2*sigmoid(-2*x)", {}, True),
    ("large", "1 - tanh(x)", "2*exp(-2*x)", {}, False),
    ("form", "tanh(x)", "1 - 2*sigmoid(-2*x)", {}, True),
    ("form", "log(1 + exp(x))", "x + log(1 + exp(-x))", {}, True),
    ("domain", "sqrt(x**2)", "x", {}, False),
    ("domain", "sqrt(x**2)", "abs(x)", {}, True),
    ("domain", "sqrt(x**2)", "x", {"x": "nonnegative"}, True),
    ("domain", "sqrt(x**2 + 2*x + 1)", "x + 1", {}, False),
    ("domain", "sqrt(x**2 + 2*x + 1)", "abs(x + 1)", {}, True),
    ("domain", "(x**2)**(3/2)", "abs(x)**3", {}, True),
    ("domain", "(x**2)**(3/2)", "x**3", {}, False),
    ("domain", "(x**4)**(1/4)", "abs(x)", {}, True),
    ("domain", "(x**6)**(1/3)", "x**2", {}, True),
    ("domain", "log(x**2)", "2*log(x)", {}, False),
    ("domain", "log(x**2)", "2*log(x)", {"x": "positive"}, True),
    ("domain", "log(x**2 + 1)", "2*log(sqrt(x**2 + 1))", {}, True),
    ("domain", "sqrt(exp(2*x))", "exp(x)", {}, True),
    ("domain", "2**(x/2)", "sqrt(2**x)", {}, True),
    ("domain", "exp(x)**y", "exp(x*y)", {}, True),
    ("domain", "sqrt(x*y)", "sqrt(x)*sqrt(y)", {}, False),
    ("domain", "sqrt(x*y)", "sqrt(x)*sqrt(y)", {"x": "positive", "y": "positive"}, True),
    ("domain", "sqrt(x**2*y**2)", "abs(x*y)", {}, True),
    ("domain", "(x**2)**a", "abs(x)**(2*a)", {"a": "positive"}, True),
    ("branch", "log(x*(x + 1))", "log(x) + log(x + 1)", {}, False),
    ("branch", "log(x*(x + 1))", "log(x) + log(x + 1)", {"x": "positive"}, True),
    ("branch", "log((1 + x**2)*(2 + x**2))", "log(1 + x**2) + log(2 + x**2)", {}, True),
    ("branch", "log(exp(x)*exp(y))", "x + y", {}, True),
    ("branch", "atan(x) + atan(y)", "atan((x + y)/(1 - x*y))", {}, False),
    ("branch", "2*atan(x)", "atan(2*x/(1 - x**2))", {}, False),
    ("branch", "asinh(-x)", "-asinh(x)", {}, True),
    ("branch", "acosh(1 + x**2)", "log(1 + x**2 + sqrt((1 + x**2)**2 - 1))", {}, True),
    ("branch", "acosh(x)", "log(x + sqrt(x**2 - 1))", {}, False),
    ("branch", "atanh(x/sqrt(1 + x**2))", "asinh(x)", {}, True),
    ("branch", "asin(x/sqrt(1 + x**2))", "atan(x)", {}, True),
    ("branch", "acos(1/sqrt(1 + x**2))", "abs(atan(x))", {}, True),
    ("branch", "acos(1/sqrt(1 + x**2))", "atan(x)", {}, False),
    ("branch", "atan(tanh(x)) + atan(1/tanh(x))", "pi/2", {"x": "positive"}, True),
    ("branch", "asin(sin(x))", "x", {"x": "positive"}, False),
    ("branch", "acos(cos(x))", "abs(x)", {}, False),
    ("branch", "atan(exp(x))", "pi/2 - atan(exp(-x))", {}, True),
    ("switch", "abs(x)*sign(x)", "x", {}, True),
    ("kink", "sign(x)**2", "1", {}, False),
    ("switch", "abs(sign(x))", "sign(abs(x))", {}, True),
    ("switch", "Heaviside(x) + Heaviside(-x)", "1", {}, True),
    ("switch", "Heaviside(x)", "(1 + sign(x))/2", {}, True),
    ("kink", "Heaviside(x, 1)", "(1 + sign(x))/2", {}, False),
    ("switch", "Heaviside(x, 0)*x", "relu(x)", {}, True),
    ("switch", "max(x, 0)*min(x, 0)", "0", {}, True),
    ("switch", "max(x, y) - min(x, y)", "abs(x - y)", {}, True),
    ("switch", "min(x, 1) + max(x, 1)", "x + 1", {}, True),
    ("switch", "max(x, 2*x)", "2*x", {}, False),
    ("switch", "max(x, 2*x)", "2*relu(x) - relu(-x)", {}, True),
    ("switch", "abs(abs(x) - 1)", "abs(x) - 1", {}, False),
    ("switch", "abs(x - 1) + abs(x + 1)", "2*max(1, abs(x))", {}, True),
    ("switch", "abs(x - 1) + abs(x + 1)", "2*max(1, x)", {}, False),
    ("switch", "sign(x*y)", "sign(x)*sign(y)", {}, True),
    ("switch", "abs(x*y)", "abs(x)*abs(y)", {}, True),
    ("kink", "abs(x)", "x*sign(x) + Heaviside(x) - Heaviside(x, 1)", {}, False),
    ("kink", "sign(x)", "2*Heaviside(x, 1) - 1", {}, False),
    ("switch", "Heaviside(x - 1)*(x - 1)", "relu(x - 1)", {}, True),
    ("kink", "where(x > 1, 1, 0)", "Heaviside(x - 1)", {}, False),
    ("switch", "where(x > a, 1, 0)", "Heaviside(x - a, 0)", {}, True),
    ("kink", "where(x >= a, 1, 0)", "Heaviside(x - a, 0)", {}, False),
    ("switch", "where(abs(x) < 1, x, sign(x))", "hardtanh(x)", {}, True),
    ("switch", "where(abs(x) <= 1, x, 0)", "x*Heaviside(1 - abs(x), 1)", {}, True),
    ("kink", "where(abs(x) <= 1, x, 0)", "x*Heaviside(1 - abs(x))", {}, False),
    ("switch", "relu(relu(x) - relu(x - 1))", "relu(x) - relu(x - 1)", {}, True),
    ("switch", "relu(x) - relu(x - 1)", "clip(x, 0, 1)", {}, True),
    ("switch", "relu(x) - 2*relu(x - 1) + relu(x - 2)", "relu(1 - abs(x - 1))", {}, True),
    ("switch", "relu(x) - 2*relu(x - 1) + relu(x - 2)", "max(0, 1 - abs(x - 2))", {}, False),
    ("switch", "relu(2*x - 1)", "2*relu(x - 1/2)", {}, True),
    ("large", "x*(1 - Heaviside(x - 1000))", "x", {}, False),
    ("large", "min(x, 10**6)", "x", {}, False),
    ("large", "relu(x - 1000)", "0", {}, False),
    ("large", "tanh(x)", "sign(x)*min(abs(x), 1)", {}, False),
    ("large", "softplus(x)", "log(2) + x/2 + x**2/8", {}, False),
    ("large", "sigmoid(x)", "Phi(1.702*x)", {}, False),
    ("large", "log(1 + exp(x))", "x + exp(-x)", {}, False),
    ("tiny", "tanh(40)", "1", {}, False),
    ("tiny", "sigmoid(80)", "1", {}, False),
    ("tiny", "tanh(100) + 0*x", "1", {}, False),
    ("tiny", "softplus(100)", "100", {}, False),
    ("tiny", "pi", "428224593349304/136308121570117", {}, False),
    ("tiny", "exp(pi*sqrt(163))", "640320**3 + 744", {}, False),
    ("tiny", "x + exp(-1000)", "x", {}, False),
    ("tiny", "sigmoid(x) + exp(-1000)", "sigmoid(x)", {}, False),
    ("tiny", "erf(10)", "1", {}, False),
    ("tiny", "erf(x) + erfc(x) + erfc(30)", "1", {}, False),
    ("tiny", "erf(10) + erfc(10)", "1", {}, True),
    ("tiny", "Phi(-40)", "0", {}, False),
    ("tiny", "cos(pi/7) + cos(3*pi/7) + cos(5*pi/7)", "1/2", {}, True),
    ("tiny", "cos(2*pi/7) + cos(4*pi/7) + cos(6*pi/7)", "-1/2", {}, True),
    ("tiny", "sqrt(2) + sqrt(3)", "sqrt(5 + 2*sqrt(6))", {}, True),
    ("tiny", "sqrt(5 + 2*sqrt(6))", "sqrt(2) + sqrt(3) + 10**-35", {}, False),
    ("tiny", "4*atan(1/5) - atan(1/239)", "pi/4", {}, True),
    ("tiny", "4*atan(1/5) - atan(1/240)", "pi/4", {}, False),
    ("tiny", "atan(1/2) + atan(1/3)", "pi/4", {}, True),
    ("tiny", "log(2)", "2*atanh(1/3)", {}, True),
    ("tiny", "Heaviside(tanh(40) - 1)", "0", {}, True),
    ("tiny", "x*sign(tanh(40) - 1) + x", "0", {}, True),
    ("tiny", "max(x, x + exp(-1000))", "x + exp(-1000)", {}, True),
    ("tiny", "max(x, x + exp(-1000))", "x", {}, False),
    ("tiny", "min(tanh(40), 1)", "1", {}, False),
    ("tiny", "relu(x - exp(-100))", "relu(x)", {}, False),
    ("tiny", "sigmoid(x)*sigmoid(-x)", "sigmoid(x) - sigmoid(x)**2 + 10**-45", {}, False),
    ("deriv", "diff(relu(x), x)", "Heaviside(x)", {}, True),
    ("deriv", "diff(relu(x), x)", "Heaviside(x, 1)", {}, True),
    ("deriv", "diff(abs(x), x)", "sign(x)", {}, True),
    ("deriv", "diff(leaky_relu(x, a), x)", "where(x > 0, 1, a)", {}, True),
    ("deriv", "diff(elu(x, a), x)", "where(x > 0, 1, a*exp(x))", {"a": "positive"}, True),
    ("deriv", "diff(elu(x, a), x)", "where(x > 0, 1, elu(x, a) + a)", {"a": "positive"}, True),
    ("deriv", "diff(elu(x, a), x)", "where(x > 0, 1, elu(x, a) - a)", {"a": "positive"}, False),
    ("deriv", "diff(selu(x, a, s), x)", "s*where(x > 0, 1, a*exp(x))", {}, True),
    ("deriv", "diff(celu(x, a), x)", "where(x > 0, 1, exp(x/a))", {"a": "positive"}, True),
    ("deriv", "diff(celu(x, a), x)", "where(x > 0, 1, a*exp(x/a))", {"a": "positive"}, False),
    ("deriv", "diff(softplus(x, b), x)", "sigmoid(b*x)", {"b": "positive"}, True),
    ("deriv", "diff(log_sigmoid(x), x)", "1 - sigmoid(x)", {}, True),
    ("deriv", "diff(log_sigmoid(x), x)", "sigmoid(x)", {}, False),
    ("deriv", "diff(mish(x), x)", "tanh(softplus(x)) + x*sigmoid(x)*(1 - tanh(softplus(x))**2)", {}, True),
    ("deriv", "diff(hardswish(x), x)", "where(x < -3, 0, where(x > 3, 1, (2*x + 3)/6))", {}, True),
    ("deriv", "diff(hardswish(x), x)", "where(x < -3, 0, where(x > 3, 1, x/3 + 1/3))", {}, False),
    ("deriv", "diff(hardsigmoid(x), x)", "where(abs(x) < 3, 1/6, 0)", {}, True),
    ("deriv", "diff(hardtanh(x), x)", "Heaviside(1 - abs(x))", {}, True),
    ("deriv", "diff(softsign(x), x)", "1/(1 + abs(x))**2", {}, True),
    ("deriv", "diff(softsign(x), x)", "1/(1 + x)**2", {}, False),
    ("deriv", "diff(squareplus(x, b), x)", "(1 + x/sqrt(x**2 + b))/2", {"b": "positive"}, True),
    ("deriv", "diff(tanhshrink(x), x)", "tanh(x)**2", {}, True),
    ("deriv", "diff(softshrink(x, l), x)", "Heaviside(abs(x) - l)", {"l": "positive"}, True),
    ("deriv", "diff(hardshrink(x, l), x)", "Heaviside(abs(x) - l)", {"l": "positive"}, True),
    ("deriv", "diff(sparse_plus(x), x)", "sparse_sigmoid(x)", {}, True),
    ("deriv", "diff(relu(x)**2, x)", "2*relu(x)", {}, True),
    ("deriv", "diff(abs(x)**3, x)", "3*x*abs(x)", {}, True),
    ("deriv", "diff(x*abs(x), x)", "2*abs(x)", {}, True),
    ("deriv", "diff(x*abs(x), x)", "2*x", {}, False),
    ("deriv", "diff(relu6(x), x)", "Heaviside(x)*Heaviside(6 - x)", {}, True),
    ("deriv", "diff(relu(x), x, 2)", "0", {}, True),
    ("deriv", "diff(sigmoid(x), x, 2)", "sigmoid(x)*(1 - sigmoid(x))*(1 - 2*sigmoid(x))", {}, True),
    ("deriv", "diff(tanh(x), x, 2)", "-2*tanh(x)*(1 - tanh(x)**2)", {}, True),
    ("deriv", "diff(tanh(x), x, 2)", "2*tanh(x)*(1 - tanh(x)**2)", {}, False),
    ("deriv", "diff(silu(x), x)", "sigmoid(x) + silu(x)*(1 - sigmoid(x))", {}, True),
    ("deriv", "diff(swish(x, b), x)", "b*swish(x, b) + sigmoid(b*x)*(1 - b*swish(x, b))", {}, True),
    ("deriv", "diff(swish(x, b), x)", "b*swish(x, b) + sigmoid(x)*(1 - b*swish(x, b))", {}, False),
    ("deriv", "diff(Phi(x), x)", "exp(-x**2/2)/sqrt(2*pi)", {}, True),
    ("deriv", "diff(Phi(x), x)", "exp(-x**2/2)/sqrt(pi)", {}, False),
    ("deriv", "diff(asinh(x), x)", "1/sqrt(1 + x**2)", {}, True),
    ("deriv", "diff(sqrt(x**2), x)", "sign(x)", {}, True),
    ("deriv", "diff(relu(x), x)*x", "relu(x)", {}, True),
    ("d2l", "diff(tanh(x), x)", "4*sigmoid(2*x)*(1 - sigmoid(2*x))", {}, True),
    ("d2l", "diff(prelu(x, a), x)", "where(x >= 0, 1, a)", {}, True),
    ("d2l", "diff(prelu(x, a), x)", "where(x > 0, 1, 0)", {}, False),
    ("d2l", "diff(swish(x, b), x)", "sigmoid(b*x) + b*x*sigmoid(b*x)*(1 - sigmoid(b*x))", {}, True),
    ("d2l", "diff(sigmoid(x), x)", "sigmoid(x)*sigmoid(-x)", {}, True),
    ("d2l", "tanh(x)", "(1 - exp(-2*x))/(1 + exp(-2*x))", {}, True),
    ("d2l", "tanh(x)", "(1 - exp(-x))/(1 + exp(-x))", {}, False),
    ("d2l", "relu(x)", "x*Heaviside(x)", {}, True),
    ("tiny", "Heaviside(softplus(-100))", "1/2", {}, False),
    ("tiny", "Heaviside(softplus(-100))", "1", {}, True),
    ("tiny", "sign(log_sigmoid(100))", "0", {}, False),
    ("tiny", "sign(log_sigmoid(100))", "-1", {}, True),
    ("tiny", "max(x, x + softplus(-100))", "x", {}, False),
    ("tiny", "sign(Phi(-40))", "1", {}, True),
    ("tiny", "x*Heaviside(log(1 + exp(-100)))", "x/2", {}, False),
    ("tiny", "min(1, 1 - Phi(-40))", "1", {}, False),
    ("tiny", "sign(log(erf(10)))", "0", {}, False),
    ("tiny", "sign(log(erf(10)))", "-1", {}, True),
    ("tiny", "Heaviside(log(sigmoid(120)))", "1/2", {}, False),
    ("tiny", "Heaviside(log(sigmoid(120)))", "0", {}, True),
]
BOUNDS = [
    ("sigmoid(x)", "0", "1", True, {}, True),
    ("softplus(x)", "x", None, True, {}, True),
    ("softplus(x)", "relu(x)", None, True, {}, True),
    ("softplus(x)", None, "relu(x) + log(2)", True, {}, False),
    ("softplus(x)", None, "relu(x) + 0.6931", False, {}, False),
    ("tanh(x)", None, "x", False, {}, False),
    ("silu(x)", "-0.27846454276108", None, False, {}, True),
    ("silu(x)", "-0.27846454276107", None, False, {}, False),
    ("gelu(x)", "-0.16997120747991", None, False, {}, True),
    ("gelu(x)", "-0.1699712074799", None, False, {}, False),
    ("mish(x)", "-0.30884341301726", None, False, {}, True),
    ("mish(x)", "-0.3088434130172", None, False, {}, False),
    ("diff(sigmoid(x), x)", None, "1/4", True, {}, False),
    ("diff(tanh(x), x)", "0", "1", False, {}, True),
    ("elu(x)", "-1", None, True, {}, True),
    ("selu(x, a, s)", "-a*s", None, False, {"a": "positive", "s": "positive"}, True),
    ("exp(x)", "1 + x + x**2/2", None, False, {}, False),
    ("log(1 + x**2)", None, "x**2", False, {}, True),
    ("softsign(x)", "-1", "1", True, {}, True),
    ("sigmoid(x)", "0.5 + x/4", None, False, {}, False),
    ("tanh(x)**2", None, "1", True, {}, True),
    ("sigmoid(x)*(1 - sigmoid(x))", None, "0.2499999999999999999999999999999", False, {}, False),
    ("sigmoid(x)*(1 - sigmoid(x))", None, "1/4", False, {}, True),
    ("x**2 - 2*x + 1", "0", None, True, {}, False),
    ("(x - 1)**4", "10**-40", None, False, {}, False),
    ("x**2 + 10**-40", "0", None, True, {}, True),
    ("relu(x) - x", "0", None, False, {}, True),
    ("sigmoid(x)", None, "exp(x)", True, {}, True),
    ("log_sigmoid(x)", None, "min(x, 0)", True, {}, True),
    ("softplus(x)", "log(2)", None, False, {}, False),
    ("hardtanh(x)", None, "tanh(x)", False, {}, False),
    ("hardsigmoid(x)", "0", "1", False, {}, True),
    ("hardsigmoid(x)", "0", "1", True, {}, False),
    ("tanh(x)", "-1", "1", True, {}, True),
    ("1 - tanh(x)", "0", None, True, {}, True),
    ("softplus(x - 200)", "0", None, True, {}, True),
    ("log(sigmoid(x))", None, "0", True, {}, True),
    ("log(1 + exp(x - 300))", "0", None, True, {}, True),
]
LIMITS = [
    ("softplus(x, beta)", "beta", "oo", "relu(x)", {}, True),
    ("softplus(beta*x)/beta", "beta", "oo", "x", {}, False),
    ("tanh(beta*x)", "beta", "oo", "sign(x)", {}, True),
    ("tanh(beta*x)", "beta", "oo", "2*Heaviside(x) - 1", {}, True),
    ("tanh(beta*x)", "beta", "oo", "2*Heaviside(x, 1) - 1", {}, False),
    ("elu(x, a)", "a", 0, "relu(x)", {}, True),
    ("celu(x, a)", "a", 0, "relu(x)", {"a": "positive"}, True),
    ("celu(x, a)", "a", "oo", "x", {}, True),
    ("x*tanh(beta*x)", "beta", "oo", "abs(x)", {}, True),
    ("(1 + x/n)**n", "n", "oo", "exp(x)", {}, True),
    ("n*(exp(x/n) - 1)", "n", "oo", "x", {}, True),
    ("erf(beta*x)", "beta", "oo", "sign(x)", {}, True),
    ("Phi(beta*x)", "beta", "oo", "Heaviside(x)", {}, True),
    ("sigmoid(beta*x)", "beta", "oo", "Heaviside(x, 1)", {}, False),
    ("x*Phi(beta*x)", "beta", "oo", "relu(x)", {}, True),
    ("sigmoid(x)", "x", "oo", "1", {}, True),
    ("tanh(x)", "x", "-oo", "-1", {}, True),
    ("softplus(x) - x", "x", "oo", "0", {}, True),
    ("silu(x)", "x", "-oo", "0", {}, True),
    ("tanh(x)/x", "x", 0, "1", {}, True),
    ("gelu(x)/x", "x", 0, "1/2", {}, True),
    ("(exp(x) - 1)/x", "x", 0, "1/2", {}, False),
    ("relu(x)/x", "x", 0, "1", {}, False),
    ("relu(x)/x", "x", 0, "1", {"direction": "+"}, True),
    ("abs(x)/x", "x", 0, "1", {}, False),
    ("swish(x, beta)", "beta", "-oo", "min(x, 0)", {}, True),
    ("swish(x, beta)", "beta", "-oo", "relu(x)", {}, False),
]


@pytest.mark.parametrize("cls, lhs, rhs, assumptions, true", IDENTITIES, ids=[f"{e[1]}={e[2]}" for e in IDENTITIES])
def test_identity_verdicts(cls, lhs, rhs, assumptions, true):
    p = prove(lhs, rhs, budget=10, **assumptions)
    assert p.status != (REFUTED if true else PROVED), (cls, p)
    if p.status == PROVED:  # the chain runs from the statement's left side to its right side
        assert p.steps[0].expr == p.lhs and p.steps[-1].expr == p.rhs
    if p.status == REFUTED:
        point = {**{k: str(v) for k, v in assumptions.items() if not isinstance(v, str)}, **p.counterexample["point"]}
        assert gap(lhs, rhs, point) != 0, p.counterexample


@pytest.mark.parametrize(
    "expr, lower, upper, strict, assumptions, true", BOUNDS, ids=[f"{e[1]}<{e[0]}<{e[2]}" for e in BOUNDS]
)
def test_bound_verdicts(expr, lower, upper, strict, assumptions, true):
    p = prove_bound(expr, lower=lower, upper=upper, strict=strict, budget=10, **assumptions)
    assert p.status != (REFUTED if true else PROVED), p
    assert (" < " in p.statement) == strict and (" <= " in p.statement) != strict  # the relation printed
    if p.status == REFUTED:
        point = p.counterexample["point"]
        gaps = [gap(expr, b, point) for b in (lower,) if b is not None] + [
            gap(b, expr, point) for b in (upper,) if b is not None
        ]
        assert any(g < 0 or (strict and g == 0) for g in gaps), p.counterexample


def near(limit: str) -> tuple[str, str]:
    """The variable of a counterexample's ``limit`` ('beta -> oo', 'x -> 0-') and a value close to its target."""
    var, target = limit.split(" -> ")
    side = -1 if target.endswith("-") else 1
    target = target.rstrip("+-") or target
    if target in ("oo", "-oo"):
        return var, str(sp.Integer(10) ** 60 * (1 if target == "oo" else -1))
    return var, str(sp.Rational(target) + side * sp.Rational(1, 10**60))


@pytest.mark.parametrize(
    "expr, var, at, expected, kw, true", LIMITS, ids=[f"lim_{e[1]}->{e[2]} {e[0]}={e[3]}" for e in LIMITS]
)
def test_limit_verdicts(expr, var, at, expected, kw, true):
    p = prove_limit(expr, var, at, expected, budget=10, **kw)
    assert p.status != (REFUTED if true else PROVED), p
    if p.status == REFUTED:
        name, close = near(p.counterexample["limit"])
        point = {**p.counterexample["point"], name: close}
        with mp.workdps(60):
            assert abs(value(expr, point, 200) - value(expected, point, 200)) > mp.mpf(10) ** -6, p.counterexample


def test_a_gap_sympy_cannot_solve_is_undecided_not_an_internal_failure():
    """x - softplus(x) + log(2) has no method in SymPy's solve (NotImplementedError): its zero is not found, the
    search goes on, and softplus(x) <= relu(x) + log(2) (true, equal at 0) is never refuted."""
    p = prove_bound("softplus(x)", upper="relu(x) + log(2)", budget=10)
    assert p.status != REFUTED and not p.method.startswith("internal failure"), p
    assert prove_bound("softplus(x)", upper="relu(x) + log(2)", strict=True, budget=10).status == REFUTED


@pytest.mark.parametrize(
    "expr, bounds, truth",
    [
        ("selu(x, a, s)", {"lower": "-a*s"}, PROVED),  # each piece by assumptions on a half-line, and at the kink
        ("elu(x, a)", {"lower": "-a", "strict": True}, PROVED),
        ("selu(x, a, s)", {"lower": "-a*s/2"}, REFUTED),
        ("leaky_relu(x, a)", {"lower": "x"}, REFUTED),  # a > 1
        ("elu(x, a)", {"upper": "x"}, REFUTED),
    ],
)
def test_bounds_with_positive_parameters(expr, bounds, truth):
    """A piece's gap with positive parameters (a*s + s*x on x > 0) is signed by SymPy's assumptions with x
    moved onto the half-line; the sample points of a bound with parameters are whole (one point at a time,
    each parameter from the same sample: a pop per parameter ran out, an internal failure)."""
    p = prove_bound(expr, budget=10, a="positive", s="positive", **bounds)
    assert p.status == truth, p
    if truth == REFUTED:
        point = p.counterexample["point"]
        assert all(float(sp.Rational(point[name])) > 0 for name in ("a", "s") if name in point)


@pytest.mark.parametrize("lhs", ["x*sigmoid(x - 1000)", "softplus(x - 500)", "exp(x/1000 - 2)*relu(x - 2000)"])
def test_a_term_that_wakes_only_far_out_is_refuted(lhs):
    """lhs = 0 agrees to far below 50 digits at every |x| <= 400 and SymPy's symbolic methods run past any
    budget on it: some of the falsifier's points lie far out, where it is plainly false."""
    p = prove(lhs, "0", budget=10)
    assert p.status == REFUTED, p
    assert abs(value(lhs, p.counterexample["point"], 60)) > 1e-6


@pytest.mark.parametrize(
    "lhs, rhs, truth",
    [
        ("erf(x) + erfc(x)", "1", PROVED),
        ("gelu(x)", "x*erfc(-x/sqrt(2))/2", PROVED),
        ("Phi(x)", "erfc(-x/sqrt(2))/2", PROVED),
        ("Phi(x)", "erfc(x/sqrt(2))/2", REFUTED),
    ],
)
def test_erfc_forms_in_their_normal_form(lhs, rhs, truth):
    """erfc(z) is 1 - erf(z) in the normal form the rewriting compares (gelu's and Phi's erfc forms)."""
    assert prove(lhs, rhs, budget=10).status == truth
