"""Stability rewrites: turn textbook formulas into forms that neither overflow nor cancel.

``stabilize(expr)`` applies general rules to the SymPy tree, so a user-defined activation
benefits as much as a catalog one. The result uses a few *stable nodes* (SymPy functions
with names ``s_*``) that ``symact.kernels.codegen`` prints as calls to the NumPy helpers below.

Rules (``k`` a constant, ``u`` any subexpression):

==================================  ==================================================================================
``1/(1 + exp(-u))``                 ``sigmoid(u)`` (and ``exp(u)/(exp(u) + 1)``)
``k - k*sigmoid(u)``                ``k*sigmoid(-u)``
``sigmoid(u)*sigmoid(-u)``          ``s_dsigmoid(u)`` = e/(1+e)^2 with e = exp(-|u|)
``k + k*tanh(u)``                   ``2k*sigmoid(2u)`` (and ``k - k*tanh(u)`` -> ``2k*sigmoid(-2u)``)
``k - k*tanh(u)**2``                ``k*s_sech2(u)`` = 4e/(1+e)^2 with e = exp(-2|u|)
``k*exp(u) - k``                    ``k*expm1(u)``;  ``log(1 + u)`` -> ``log1p(u)``
``u/n + b``, n*b dyadic             ``(u + n*b)/n`` (x/3 + 1/2 -> (x + 3/2)/3: no rounded 1/3 to cancel)
``log(1 + exp(u))``                 ``softplus(u)`` = max(u, 0) + log1p(exp(-|u|))
``exp(-c*u**2)``, c dyadic          ``s_expsq(u, c)``: u**2 split exactly (Dekker), no error in the exponent
``sqrt(u**2 + c)``                  ``hypot(u, sqrt(c))`` (no overflow at 1e308; any power (u**2 + c)**(k/2) too)
``b*sqrt(u**2 + c) - b*sqrt c``     ``b*u*(u/(sqrt(u**2 + c) + sqrt c))``: no cancellation for small u
``k*u + k*sqrt(u**2 + c)``          ``2k*s_sqplus(u, c)``, which divides instead of cancelling for u < 0
``k + k*u/sqrt(u**2 + c)``          ``2k*s_dsqplus(u, c)``
``u - tanh(u)``                     ``s_tanhshrink(u)``: a continued fraction for |u| < 1.5
``Phi(u)``                          ``s_ncdf(u)`` = erfc(-u/sqrt 2)/2 with the argument in double-double
``exp(a)*sech(u)**2``               ``s_sech2_exp(u, a)``: exp(a - 2|u|) where exp(a) overflows (also sigmoid')
==================================  ==================================================================================

Before these, ``symact.exp_rational`` writes quotients of exponentials of one argument (a sigmoid,
tanh or their derivatives written with exp, sinh and cosh) in sigmoid coordinates.

Arguments of the exp-like nodes that are polynomials in x with inexact coefficients (gelu_tanh's
sqrt(2/pi)*(x + 0.044715 x^3), swish with beta = 1.7) are evaluated in double-double by the compiler,
so exp of a large argument keeps its last bits.

>>> from symact.catalog import x
>>> from symact.functions import sigmoid
>>> stabilize(x*sigmoid(x)*(1 - sigmoid(x)) + sigmoid(x))
x*s_dsigmoid(x) + s_sigmoid(x)
>>> stabilize(sp.log(1 + sp.exp(x)))
s_softplus(x)
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import mpmath
import numpy as np
import sympy as sp

from symact.kernels import exp_rational
from symact.functions import Phi, sigmoid, softplus

__all__ = [
    "stabilize",
    "STABLE_NODES",
    "HELPERS",
    "erf",
    "erfc",
    "lambertw",
    "ZeroPatch",
    "zero_patches",
    "removable_patches",
]

# ---- stable nodes (SymPy side) ---------------------------------------------------------------

s_sigmoid = sp.Function("s_sigmoid")
s_dsigmoid = sp.Function("s_dsigmoid")
s_softplus = sp.Function("s_softplus")
s_sech2 = sp.Function("s_sech2")
s_ncdf = sp.Function("s_ncdf")
s_expsq = sp.Function("s_expsq")
s_sqplus = sp.Function("s_sqplus")
s_dsqplus = sp.Function("s_dsqplus")
s_tanhshrink = sp.Function("s_tanhshrink")
s_expm1 = sp.Function("s_expm1")
s_log1p = sp.Function("s_log1p")
s_hypot = sp.Function("s_hypot")
s_div = sp.Function("s_div")
s_sech2_exp = sp.Function("s_sech2_exp")
s_dsigmoid_exp = sp.Function("s_dsigmoid_exp")

STABLE_NODES = {
    f.__name__: f
    for f in (
        s_sigmoid,
        s_dsigmoid,
        s_softplus,
        s_sech2,
        s_ncdf,
        s_expsq,
        s_sqplus,
        s_dsqplus,
        s_tanhshrink,
        s_expm1,
        s_log1p,
        s_hypot,
        s_div,
        s_sech2_exp,
        s_dsigmoid_exp,
    )
}
# Nodes whose first argument is exponentiated: worth a double-double argument.
EXP_LIKE = ("s_sigmoid", "s_dsigmoid", "s_softplus", "s_sech2")


# ---- rules -----------------------------------------------------------------------------------


def _split_coeff(term: sp.Expr) -> tuple[sp.Expr, sp.Expr]:
    """(k, rest) with k the numeric factor of a product."""
    k, rest = term.as_coeff_Mul()
    return k, rest


def _pair_rule(add: sp.Expr, match) -> sp.Expr:
    """For an Add, find a constant term k and a term k*g with ``match(g)`` giving a replacement."""
    if not isinstance(add, sp.Add):
        return add
    terms = list(add.args)
    consts = [t for t in terms if t.is_number]
    if len(consts) != 1:
        return add
    k = consts[0]
    for i, t in enumerate(terms):
        if t.is_number:
            continue
        c, g = _split_coeff(t)
        for sign in (1, -1):
            if c == sign * k:
                new = match(g, sign)
                if new is not None:
                    rest = [u for j, u in enumerate(terms) if j != i and not u.is_number]
                    return sp.Add(*rest, k * new)
    return add


def _rule_one_minus(add):
    def match(g, sign):
        if sign == -1 and isinstance(g, sigmoid):  # k - k*sigmoid(u)
            return sigmoid(-g.args[0])
        if isinstance(g, sp.tanh):  # k +- k*tanh(u)
            return 2 * sigmoid(2 * sign * g.args[0])
        if sign == -1 and g.is_Pow and g.exp == 2 and isinstance(g.base, sp.tanh):
            return s_sech2(g.base.args[0])
        if sign == -1 and isinstance(g, sp.exp):  # k - k*exp(u) = -k*expm1(u)
            return -s_expm1(g.args[0])
        if sign == 1 and g.is_Mul:  # k + k*u/sqrt(u**2 + c)
            parts = g.as_ordered_factors()
            for p in parts:
                if p.is_Pow and p.exp == -sp.S.Half:
                    c = _square_plus_const(p.base)
                    if c is not None:
                        u = sp.Mul(*[q for q in parts if q is not p])
                        if sp.expand(u**2 + c - p.base) == 0:
                            return 2 * s_dsqplus(u, c)
        return None

    return _pair_rule(add, match)


def _square_plus_const(base) -> sp.Expr | None:
    """c when ``base`` is u**2 + c with c a positive number."""
    if not isinstance(base, sp.Add):
        return None
    c = sum((t for t in base.args if t.is_number), sp.S.Zero)
    rest = base - c
    if c.is_positive and rest.is_Pow and rest.exp == 2:
        return c
    return None


def _rule_sqrt(expr):
    """k*u + k*sqrt(u**2 + c) -> 2k*s_sqplus(u, c); remaining sqrt(u**2 + c) -> hypot."""
    if not isinstance(expr, sp.Add):
        return expr
    terms = list(expr.args)
    for i, t in enumerate(terms):
        k, g = _split_coeff(t)
        if g.is_Pow and g.exp == sp.S.Half:
            c = _square_plus_const(g.base)
            if c is None:
                continue
            u = (g.base - c).base
            for j, s in enumerate(terms):
                if j != i and sp.expand(s - k * u) == 0:
                    rest = [v for m, v in enumerate(terms) if m not in (i, j)]
                    return sp.Add(*rest, 2 * k * s_sqplus(u, c))
    return expr


def _rule_root_minus_root(add):
    """b*sqrt(u**2 + c) - b*sqrt(c) -> b*u*(u/(sqrt(u**2 + c) + sqrt(c))): no cancellation for small u."""
    if not isinstance(add, sp.Add):
        return add
    consts = [t for t in add.args if t.is_number]
    if len(consts) != 1:
        return add
    for t in add.args:
        b, g = _split_coeff(t)
        c = _square_plus_const(g.base) if g.is_Pow and g.exp == sp.S.Half else None
        if c is not None and sp.simplify(consts[0] + b * sp.sqrt(c)) == 0:
            u = (g.base - c).base
            rest = [v for v in add.args if v is not t and v is not consts[0]]
            return sp.Add(*rest, b * u * s_div(u, g + sp.sqrt(c)))  # s_div: SymPy would merge u*u into u**2
    return add


def _rule_logistic(expr):
    """1/(1 + exp(-u)) -> sigmoid(u); exp(u)/(exp(u) + 1) -> sigmoid(u)."""
    if expr.is_Pow and expr.exp == -1 and isinstance(expr.base, sp.Add) and len(expr.base.args) == 2:
        one, e = sorted(expr.base.args, key=lambda t: not t.is_number)
        if one == 1 and isinstance(e, sp.exp):
            return sigmoid(-e.args[0])
    if isinstance(expr, sp.Mul):
        for f in expr.args:
            if isinstance(f, sp.exp):
                for g in expr.args:
                    if isinstance(g, sigmoid) and sp.expand(g.args[0] + f.args[0]) == 0:  # e^u sigmoid(-u)
                        rest = [t for t in expr.args if t is not f and t is not g]
                        return sp.Mul(*rest, sigmoid(f.args[0]))
                    if g.is_Pow and g.exp == -1 and sp.expand(g.base - f - 1) == 0:
                        rest = [t for t in expr.args if t is not f and t is not g]
                        return sp.Mul(*rest, sigmoid(f.args[0]))
    return expr


def _rule_product(mul):
    """sigmoid(u)*sigmoid(-u) -> s_dsigmoid(u)."""
    if not isinstance(mul, sp.Mul):
        return mul
    sigs = [f for f in mul.args if isinstance(f, sigmoid)]
    for a in sigs:
        for b in sigs:
            if a is not b and sp.expand(a.args[0] + b.args[0]) == 0:
                rest = [f for f in mul.args if f is not a and f is not b]
                u = a.args[0]
                return sp.Mul(*rest, s_dsigmoid(u))
    return mul


def _rule_log(expr):
    if not isinstance(expr, sp.log):
        return expr
    arg = expr.args[0]
    if isinstance(arg, sp.Add) and sp.S.One in arg.args:
        rest = arg - 1
        if isinstance(rest, sp.exp):
            return softplus(rest.args[0])
        return s_log1p(rest)
    return expr


def _rule_exp(expr):
    """exp(-c*u**2) with c a power of two -> s_expsq(u, c)."""
    if not isinstance(expr, sp.exp):
        return expr
    k, g = expr.args[0].as_coeff_Mul()
    if k.is_number and k.is_negative and g.is_Pow and g.exp == 2:
        c = -k
        if c.is_Rational and _is_power_of_two(c):
            return s_expsq(g.base, c)
    return expr


def _is_power_of_two(c: sp.Rational) -> bool:
    p, q = int(c.p), int(c.q)
    return p > 0 and (p & (p - 1)) == 0 and (q & (q - 1)) == 0


def _rule_tanhshrink(add):
    if not isinstance(add, sp.Add):
        return add
    terms = list(add.args)
    for i, t in enumerate(terms):
        k, g = _split_coeff(t)
        if isinstance(g, sp.tanh):
            u = g.args[0]
            for j, s in enumerate(terms):
                if j != i and sp.expand(s + k * u) == 0:
                    rest = [v for m, v in enumerate(terms) if m not in (i, j)]
                    return sp.Add(*rest, -k * s_tanhshrink(u))
    return add


def _rule_affine(add):
    """a*u + b with rational a = 1/n and b/a dyadic: x/3 + 1/2 -> (x + 3/2)/3, one rounding at each step."""
    if not isinstance(add, sp.Add) or len(add.args) != 2:
        return add
    b = next((t for t in add.args if t.is_Rational), None)
    if b is None:
        return add
    a, u = _split_coeff(add - b)
    if not (a.is_Rational and not u.is_number) or a.p not in (1, -1) or a.q == 1:
        return add
    c = b / a
    if not _is_power_of_two(abs(sp.Rational(1, c.q))) or abs(c) > 2**50:
        return add
    return s_div(u + c, sp.Integer(a.q * a.p))


def _bottom_up(expr, rule):
    if not expr.args or expr.is_Atom:
        return rule(expr)
    if isinstance(expr, sp.Piecewise):
        new = sp.Piecewise(*[(_bottom_up(e, rule), c) for e, c in expr.args], evaluate=False)
        return new
    args = [_bottom_up(a, rule) for a in expr.args]
    new = expr.func(*args) if args != list(expr.args) else expr
    return rule(new)


def stabilize(expr: sp.Expr) -> sp.Expr:
    """``expr`` rewritten with the rules above into stable nodes.

    >>> from symact.catalog import x
    >>> stabilize(1 - sp.tanh(x)**2)
    s_sech2(x)
    """
    expr = exp_rational.rewrite(sp.piecewise_fold(sp.sympify(expr)))
    first = (
        _rule_log,
        _rule_logistic,
        _rule_tanhshrink,
        _rule_one_minus,
        _rule_product,
        _rule_sqrt,
        _rule_root_minus_root,
    )
    for rule in (*first, _rule_exp):
        expr = _bottom_up(expr, rule)
    # a second pass catches products made by the first (1 - sigmoid -> sigmoid(-u), then the product rule)
    for rule in (_rule_one_minus, _rule_product):
        expr = _bottom_up(expr, rule)
    expr = expr.replace(lambda e: isinstance(e, sigmoid), lambda e: s_sigmoid(e.args[0]))
    expr = expr.replace(lambda e: isinstance(e, softplus), lambda e: s_softplus(e.args[0]))
    expr = expr.replace(lambda e: isinstance(e, Phi), lambda e: s_ncdf(e.args[0]))
    expr = _bottom_up(expr, _rule_decay_times_exp)
    expr = _bottom_up(expr, _rule_exp_minus_one)
    expr = _bottom_up(expr, _rule_affine)
    expr = expr.replace(  # (u**2 + c)**(k/2) -> hypot(u, sqrt c)**k: no overflow of u**2 at 1e155
        lambda e: e.is_Pow and (2 * e.exp).is_odd and _square_plus_const(e.base) is not None,
        lambda e: (
            s_hypot((e.base - _square_plus_const(e.base)).base, sp.sqrt(_square_plus_const(e.base))) ** (2 * e.exp)
        ),
    )
    return expr


def _rule_decay_times_exp(mul):
    """exp(a)*sech(u)**2 -> s_sech2_exp(u, a), exp(a)*sigmoid'(u) -> s_dsigmoid_exp(u, a): the chain rule's
    exp(x)*sech(exp(x))**2 is 0 for large x, not inf*0."""
    if not isinstance(mul, sp.Mul):
        return mul
    grow = [f for f in mul.args if isinstance(f, sp.exp)]
    decay = [f for f in mul.args if f.func in (s_sech2, s_dsigmoid)]
    if len(grow) != 1 or not decay:
        return mul
    node = s_sech2_exp if decay[0].func is s_sech2 else s_dsigmoid_exp
    rest = [f for f in mul.args if f is not grow[0] and f is not decay[0]]
    return sp.Mul(*rest, node(decay[0].args[0], grow[0].args[0]))


def _rule_exp_minus_one(add):
    """k*exp(u) - k -> k*expm1(u)."""
    return _pair_rule(add, lambda g, sign: -s_expm1(g.args[0]) if sign == -1 and isinstance(g, sp.exp) else None)


# ---- NumPy helpers (float64 in, float64 out; callers silence floating-point warnings) ---------

try:  # scipy is optional: vectorised erfc and erfcx; math.erfc (within ~1 ULP) otherwise
    from scipy.special import erfc as _scipy_erfc
except ImportError:  # pragma: no cover - the fallback is tested by hiding scipy
    _scipy_erfc = None

_math_erfc = np.frompyfunc(math.erfc, 1, 1)


def erfc(t):
    """Complementary error function on float64 arrays, within 2 ULP everywhere.

    scipy's erfc is within 1 ULP below 0.5 but loses 4-20 ULP above (and erfcx(t)*exp(-t^2)
    up to 4), so above 0.5 the C library's erfc (math.erfc) is applied element by element;
    without scipy, math.erfc everywhere (slower, as accurate).
    """
    t = np.asarray(t, dtype=np.float64)
    if _scipy_erfc is None:
        return np.asarray(_math_erfc(t), dtype=np.float64)
    r = _scipy_erfc(t)
    tail = t > 0.5
    if tail.any():
        r[tail] = np.asarray(_math_erfc(t[tail]), dtype=np.float64)
    return r


if _scipy_erfc is not None:
    from scipy.special import erf as _scipy_erf
_math_erf = np.frompyfunc(math.erf, 1, 1)


def erf(t):
    """The error function on float64 arrays: scipy's (within 1 ULP), or math.erf element by element."""
    t = np.asarray(t, dtype=np.float64)
    return _scipy_erf(t) if _scipy_erfc is not None else np.asarray(_math_erf(t), dtype=np.float64)


_INV_E = math.exp(-1)


def lambertw(t):
    """The principal real branch W0 of Lambert's W (w e^w = t) for t >= -1/e, NaN below.

    Below 3, Halley's iteration from a branch-point series near -1/e or log1p(t); above, Newton's on
    w + log w = log t from log t - log log t. Six steps reach the last bit.

    >>> float(lambertw(np.array(1.0)))
    0.5671432904097838
    """
    t = np.asarray(t, dtype=np.float64)
    p = np.sqrt(np.maximum(2 * (math.e * np.minimum(t, 3.0) + 1), 0.0))
    lt = np.log(np.maximum(t, 3.0))
    small = np.where(t < -0.25, -1 + p - p * p / 3 + 11 / 72 * p**3, np.log1p(np.clip(t, -0.25, 3.0)))
    large = lt - np.log(lt)
    for _ in range(6):
        ew = np.exp(small)
        r = small * ew - t
        step = r / (ew * (small + 1) - (small + 2) * r / (2 * small + 2))
        small = np.where(np.isfinite(step), small - step, small)
        large = large - (large + np.log(large) - lt) / (1 + 1 / large)  # w + log w = log t, for t >= 3
    w = np.where(t < 3, np.where(t == -_INV_E, -1.0, small), large)
    return np.where(t < -_INV_E, np.nan, np.where(t == np.inf, np.inf, w))


_SPLIT = 134217729.0  # 2**27 + 1, Dekker's splitter


def _split(a):
    p = a * _SPLIT
    hi = p - (p - a)
    return hi, a - hi


def two_prod(a, b):
    """a*b as hi + lo exactly (Dekker), for |a*b| < 1e300."""
    p = a * b
    ah, al = _split(a)
    bh, bl = _split(b)
    err = ((ah * bh - p) + ah * bl + al * bh) + al * bl
    return p, err


def two_sum(a, b):
    s = a + b
    bb = s - a
    return s, (a - (s - bb)) + (b - bb)


def poly_dd(t, coeffs):
    """sum c_k t**k in double-double by Horner; ``coeffs`` are (hi, lo) pairs, highest degree first."""
    t = np.clip(t, -1e100, 1e100)  # keep the splits finite; such arguments saturate the caller anyway
    hi = np.full_like(t, coeffs[0][0])
    lo = np.full_like(t, coeffs[0][1])
    for ch, cl in coeffs[1:]:
        p, e = two_prod(hi, t)
        e = e + lo * t
        s, f = two_sum(p, ch)
        f = f + e + cl
        hi = s + f
        lo = f - (hi - s)
    return hi, lo


def _exp_neg_abs(h, lo, scale=1.0):
    """exp(-scale*|h + lo|) (a fresh array, computed in place) and the mask h < 0 (None without lo)."""
    e = np.abs(h)
    np.multiply(e, -scale, out=e)
    np.exp(e, out=e)
    neg = None
    if lo is not None:
        neg = h < 0
        corr = np.where(neg, lo, -lo)
        e = e * (1 + scale * corr)
    return e, neg


def h_sigmoid(t, lo=None):
    """1/(1 + exp(-t)) without overflow: exp(min(t, 0))/(1 + exp(-|t|)), no exp of a positive number.

    exp(min(t, 0)) is exp(-|t|) for t < 0 and 1 above: a second exp costs less than a masked pass.
    """
    if lo is not None:
        e, neg = _exp_neg_abs(t, lo)
        r = e + 1
        np.reciprocal(r, out=r)
        np.multiply(r, e, out=r, where=neg)
        return r
    e, _ = _exp_neg_abs(t, None)
    e += 1
    num = np.minimum(t, 0.0)
    np.exp(num, out=num)
    np.divide(num, e, out=num)
    return num


def h_dsigmoid(t, lo=None):
    """sigmoid(t)*sigmoid(-t) = e/(1 + e)**2 with e = exp(-|t|)."""
    e, _ = _exp_neg_abs(t, lo)
    d = e + 1
    np.divide(e, d, out=e)
    np.divide(e, d, out=e)
    return e


def h_softplus(t, lo=None):
    """log(1 + exp(t)) = max(t, 0) + log1p(exp(-|t|))."""
    e, neg = _exp_neg_abs(t, lo)
    np.log1p(e, out=e)
    base = np.maximum(t, 0.0)
    if lo is not None:
        base += np.where(neg, 0, lo)
    e += base
    return e


def h_sech2(t, lo=None):
    """1 - tanh(t)**2 = 4e/(1 + e)**2 with e = exp(-2|t|)."""
    e, _ = _exp_neg_abs(t, lo, 2.0)
    d = 1 + e
    np.multiply(e, 4.0, out=e)
    np.divide(e, d, out=e)
    np.divide(e, d, out=e)
    return e


def _times_exp(product, log_value):
    """``product`` where it is a number, else exp(log_value) (where inf*0 gave NaN)."""
    lost = np.isnan(product)
    if lost.any():
        product[lost] = np.exp(log_value[lost] if np.ndim(log_value) else log_value)
    return product


def h_sech2_exp(t, a):
    """exp(a)*sech(t)**2, from 4 exp(a - 2|t|)/(1 + exp(-2|t|))**2 where the plain product is inf*0."""
    t, a = np.broadcast_arrays(np.asarray(t, dtype=np.float64), np.asarray(a, dtype=np.float64))
    return _times_exp(np.exp(a) * h_sech2(t), a + np.log(4.0) - 2 * np.abs(t) - 2 * np.log1p(np.exp(-2 * np.abs(t))))


def h_dsigmoid_exp(t, a):
    """exp(a)*sigmoid(t)*sigmoid(-t), the same way: exp(a - |t|)/(1 + exp(-|t|))**2."""
    t, a = np.broadcast_arrays(np.asarray(t, dtype=np.float64), np.asarray(a, dtype=np.float64))
    return _times_exp(np.exp(a) * h_dsigmoid(t), a - np.abs(t) - 2 * np.log1p(np.exp(-np.abs(t))))


_RSQRT2_HI = 0.7071067811865476
_RSQRT2_LO = -4.833646656726457e-17  # 1/sqrt(2) - _RSQRT2_HI
_TWO_OVER_SQRTPI = 1.1283791670955126


def h_ncdf(t):
    """Phi(t) = erfc(z)/2 with z = -t/sqrt(2) carried in double-double; erfc(z + dz) ~ erfc(z) - dz 2/sqrt(pi) exp(-z^2)."""
    tc = np.clip(t, -1e10, 1e10)
    z, err = two_prod(-tc, _RSQRT2_HI)
    err = err - tc * _RSQRT2_LO
    z, dz = two_sum(z, err)
    r = erfc(z)
    r = r - dz * _TWO_OVER_SQRTPI * h_expsq(z, 1.0)
    r = r * 0.5
    if np.ndim(t):
        r = np.where(np.isnan(t), t, r)
    return r


def h_expsq(t, c):
    """exp(-c*t**2) for c a power of two: t = hi + lo with hi**2 exact, so the exponent has no rounding."""
    c = float(c)
    tc = np.minimum(np.abs(t), math.sqrt(800 / c))  # beyond, exp underflows to 0 anyway
    hi, lo = _split(tc)
    big = np.exp(-c * (hi * hi))
    small = -c * (lo * (2 * hi + lo))
    return big * np.exp(small)


def _sqrt_sq_plus(t, c):
    """sqrt(t**2 + c) by the formula, hypot only where t**2 overflows."""
    h = np.sqrt(t * t + c)
    over = np.isinf(h)
    if over.any():
        h[over] = np.hypot(t[over], math.sqrt(c))
    return h


def h_sqplus(t, c):
    """(t + sqrt(t**2 + c))/2, dividing instead of cancelling for t < 0; finite up to 1e308."""
    c = float(c)
    h = _sqrt_sq_plus(t, c)
    neg = np.flatnonzero(t < 0)
    r = t / 2 + h / 2
    hn, tn = np.take(h, neg), np.take(t, neg)
    r.put(neg, (c / 4) / (hn / 2 - tn / 2))
    return r


def h_dsqplus(t, c):
    """(1 + t/sqrt(t**2 + c))/2, as (c/2)/(h (h - t)) for t < 0."""
    c = float(c)
    h = _sqrt_sq_plus(t, c)
    neg = np.flatnonzero(t < 0)
    r = 0.5 + (t / h) / 2
    hn = np.take(h, neg)
    r.put(neg, (c / 2) / hn / (hn - np.take(t, neg)))
    return r


_CF_DEPTH = 13


def h_tanhshrink(t):
    """t - tanh(t): for |t| < 1.5 from tanh t = t/(1 + q), q = t^2/(3 + t^2/(5 + ...)), as t q/(1 + q)."""
    r = t - np.tanh(t)
    small = np.flatnonzero(np.abs(t) < 1.5)  # indices: take/put cost less than a bool mask's gather/scatter
    if small.size:
        s = np.take(t, small)
        s2 = s * s
        q = np.zeros_like(s)
        for n in range(_CF_DEPTH, 0, -1):  # in place: q = s2/((2n + 1) + q)
            q += 2 * n + 1
            np.divide(s2, q, out=q)
        d = q + 1
        np.multiply(q, s, out=q)
        np.divide(q, d, out=q)
        r.put(small, q)
    return r


def h_hypot(t, c):
    return np.hypot(t, float(c))


HELPERS = {
    "s_sigmoid": h_sigmoid,
    "s_dsigmoid": h_dsigmoid,
    "s_softplus": h_softplus,
    "s_sech2": h_sech2,
    "s_ncdf": h_ncdf,
    "s_expsq": h_expsq,
    "s_sqplus": h_sqplus,
    "s_dsqplus": h_dsqplus,
    "s_tanhshrink": h_tanhshrink,
    "s_expm1": np.expm1,
    "s_log1p": np.log1p,
    "s_hypot": h_hypot,
    "s_div": np.true_divide,
    "s_sech2_exp": h_sech2_exp,
    "s_dsigmoid_exp": h_dsigmoid_exp,
    "poly_dd": poly_dd,
    "erf": erf,
    "erfc": erfc,
    "LambertW": lambertw,
}


# ---- zeros of smooth functions: a Taylor expansion around each, in double-double -------------


@dataclass(frozen=True)
class ZeroPatch:
    """Near the zero x0 = hi + lo, within ``window``: f(x) = sum c_k h^k with h = (x - hi) - lo.

    Away from its zeros a formula like sigmoid(x) + x*sigmoid'(x) is accurate to a few ULP, but
    near a zero its terms cancel and every rounding error of the terms shows in full. The Taylor
    series around the zero has no such cancellation: its leading term is c_1 h.
    """

    hi: float
    lo: float
    window: float
    coeffs: tuple[float, ...]  # c_N, ..., c_1, c_0 (Horner order)

    def apply(self, t: np.ndarray, out: np.ndarray) -> None:
        # a cheap superset from two bool comparisons, then the exact test on the few indices inside
        near = np.greater(t, self.hi - 2 * self.window)
        near &= np.less(t, self.hi + 2 * self.window)
        index = np.nonzero(near)
        if not index[0].size:
            return
        tn = t[index]
        keep = np.abs(tn - self.hi) < self.window
        index, tn = tuple(i[keep] for i in index), tn[keep]
        if not tn.size:
            return
        h = (tn - self.hi) - self.lo
        p = np.full_like(h, self.coeffs[0])
        for c in self.coeffs[1:]:  # Horner in place: no temporaries
            p *= h
            p += c
        out[index] = p


def _taylor(fn, x0, radius, count=96):
    """Taylor coefficients c_0..c_{count-1} of fn at x0 from its values on a circle (Cauchy, by DFT).

    The DFT runs in 120-bit fixed point on Python integers: exact sums, a thousand times faster than mpmath.
    """
    roots = [mpmath.expjpi(-mpmath.mpf(2 * m) / count) for m in range(count)]  # the DFT's twiddle factors
    values = [mpmath.mpc(fn(x0 + radius * mpmath.conj(w))) for w in roots]
    top = max(abs(v) for v in values)
    shift = 120 - (mpmath.mag(top) if top else 0)

    def fixed(t, bits):
        return int(mpmath.nint(mpmath.ldexp(t, bits)))

    vr, vi = [fixed(v.real, shift) for v in values], [fixed(v.imag, shift) for v in values]
    wr, wi = [fixed(w.real, 120) for w in roots], [fixed(w.imag, 120) for w in roots]
    coeffs = []
    for k in range(count):
        total = sum(vr[j] * wr[j * k % count] - vi[j] * wi[j * k % count] for j in range(count))
        coeffs.append(mpmath.ldexp(mpmath.mpf(total), -shift - 120) / count / radius**k)
    return coeffs


@lru_cache(maxsize=512)
def zero_patches(expr: sp.Expr, var: sp.Symbol, lo: float = -10, hi: float = 10) -> tuple[ZeroPatch, ...]:
    """Patches for the sign changes of a smooth ``expr`` in [lo, hi] (excluding 0, where h = x is exact).

    >>> from symact.catalog import x
    >>> [round(p.hi, 4) for p in zero_patches(sp.tanh(x) - x / 2, x)]
    [-1.915, 1.915]
    """
    from symact.functions import expand_named

    if expr.has(sp.Piecewise, sp.Max, sp.Min, sp.Abs, sp.Heaviside) or not expr.has(var):
        return ()
    plain = expand_named(expr)
    try:
        fn = sp.lambdify(var, plain, modules="mpmath")
        with mpmath.workdps(30):
            grid = [mpmath.mpf(lo) + (hi - lo) * mpmath.mpf(i) / 2000 for i in range(2001)]
            signs = [mpmath.sign(fn(t)) for t in grid]
    except (TypeError, ValueError, ZeroDivisionError, OverflowError):
        return ()
    patches = []
    for a, b, sa, sb in zip(grid, grid[1:], signs, signs[1:]):
        if sa * sb >= 0 or (a <= 0 <= b):
            continue
        patch = _patch_at(fn, a, b)
        if patch is not None:
            patches.append(patch)
    return tuple(patches)


def _patch_at(fn, a, b) -> ZeroPatch | None:
    with mpmath.workdps(40):
        try:
            x0 = mpmath.findroot(fn, (a, b), solver="anderson")
        except (ValueError, ZeroDivisionError):
            return None
    return _taylor_patch(fn, x0, zero=True)


def _taylor_patch(fn, x0, zero: bool, widest: float = 1.0) -> ZeroPatch | None:
    """The Taylor patch of ``fn`` around ``x0`` in the widest window (from ``widest`` down, halving) where
    two radii give the same coefficients to 1e-19 of its largest term; with ``zero``, c_0 = 0."""
    with mpmath.workdps(40):
        hi = float(x0)
        lo = float(x0 - mpmath.mpf(hi))
    with mpmath.workdps(28):
        window = widest
        while window > 0.02:
            try:
                c1 = _taylor(fn, x0, 1.5 * window)
                c2 = _taylor(fn, x0, 1.25 * window)
            except (TypeError, ValueError, ZeroDivisionError, OverflowError):
                return None
            scale = abs(c1[1]) * window if zero else max(abs(c) * window**k for k, c in enumerate(c1[:8]))
            degree = next(
                (n for n in range(2, 80) if all(abs(c1[k]) * window**k < 1e-19 * scale for k in (n + 1, n + 2))), None
            )
            consistent = degree is not None and all(
                abs(c1[k] - c2[k]) * window**k < 1e-19 * scale for k in range(degree + 1)
            )
            if consistent:
                # coefficients below the accuracy of the series are noise of the quadrature: 0
                kept = [0.0 if abs(c) * window**k < 1e-19 * scale else float(c) for k, c in enumerate(c1[: degree + 1])]
                return ZeroPatch(hi, lo, window, (*reversed(kept[1:]), 0.0 if zero else kept[0]))
            window /= 2
    return None


@lru_cache(maxsize=512)
def removable_patches(expr: sp.Expr, var: sp.Symbol) -> tuple[ZeroPatch, ...]:
    """Taylor patches at the removable singularities of ``expr``: real zeros of a denominator (its real roots
    when it is a polynomial, else 0 when it vanishes there) where ``expr`` is bounded.

    sin(x)/x computes 0/0 at 0; its patch gives 1 there and keeps sin(x)/x - the closed form of f'' in
    particular, -sin(x)/x - 2 cos(x)/x**2 + 2 sin(x)/x**3, which cancels near 0 - out of the window.

    >>> from symact.catalog import x
    >>> [(p.hi, p.coeffs[-1]) for p in removable_patches(sp.sin(x) / x, x)]
    [(0.0, 1.0)]
    """
    from symact.functions import expand_named

    if expr.has(sp.Piecewise, sp.Max, sp.Min, sp.Abs, sp.Heaviside, sp.sign) or not expr.has(var):
        return ()
    points = set()
    for power in expr.atoms(sp.Pow):
        if power.exp.is_negative and power.base.has(var):
            points |= _real_zeros(power.base, var)
    if not points:
        return ()
    fn = sp.lambdify(var, expand_named(expr), modules="mpmath")
    patches = []
    for point in sorted(points)[:8]:
        patch = _taylor_patch(fn, mpmath.mpf(point), zero=False, widest=2.0)
        if patch is not None and _bounded_near(fn, patch):
            patches.append(patch)
    return tuple(patches)


def _real_zeros(base: sp.Expr, var: sp.Symbol) -> set:
    if base.is_polynomial(var):
        poly = sp.Poly(base, var)
        if poly.degree() > 8 or not all(c.is_number and c.is_real for c in poly.all_coeffs()):
            return set()
        if poly.domain.is_Exact:
            roots = set(sp.real_roots(poly))
        else:
            try:
                roots = {sp.re(z) for z in poly.nroots(n=30) if abs(sp.im(z)) < 1e-25}
            except mpmath.libmp.NoConvergence:
                return set()
        return {r for r in roots if abs(r) < 1e6}
    try:
        return {0} if base.subs(var, 0).equals(0) else set()
    except (TypeError, ValueError):
        return set()


def _bounded_near(fn, patch: ZeroPatch) -> bool:
    """The function agrees with the patch just off its centre (a pole or a jump would not)."""
    x0 = mpmath.mpf(patch.hi) + patch.lo
    with mpmath.workdps(60):
        for h in (mpmath.mpf(10) ** -9, -(mpmath.mpf(10) ** -9), patch.window / 3, -patch.window / 3):
            try:
                value = fn(x0 + h)
            except (TypeError, ValueError, ZeroDivisionError, OverflowError):
                return False
            series = mpmath.polyval([mpmath.mpf(c) for c in patch.coeffs], h)
            if not abs(value - series) <= 1e-12 * (1 + abs(series)):
                return False
    return True
