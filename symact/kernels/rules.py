"""Stability rewrites: turn textbook formulas into forms that neither overflow nor cancel.

``stabilize(expr)`` applies general rules to the SymPy tree, so a user-defined activation
benefits as much as a catalog one. The result uses a few *stable nodes* (SymPy functions
with names ``s_*``, one row each in ``symact.kernels.nodes``) that both printers print as calls
to their implementations.

Rules (``k`` a constant, ``u`` any subexpression):

==================================  ==================================================================================
``1/(1 + exp(-u))``                 ``sigmoid(u)`` (and ``exp(u)/(exp(u) + 1)``)
``k - k*sigmoid(u)``                ``k*sigmoid(-u)``
``sigmoid(u)*sigmoid(-u)``          ``s_dsigmoid(u)`` = e/(1+e)^2 with e = exp(-|u|)
a sum of sigmoids 0 at x = +-oo     each sigmoid(u) in the basis s^k sigmoid(-u)^(d-k) (``sigmoid_ends``)
``k + k*tanh(u)``                   ``2k*sigmoid(2u)`` (and ``k - k*tanh(u)`` -> ``2k*sigmoid(-2u)``)
``k - k*tanh(u)**2``                ``k*s_sech2(u)`` = 4e/(1+e)^2 with e = exp(-2|u|) (``b - k*tanh(u)**2``, |b| > |k|
                                    of k's sign: ``(b - k) + k*s_sech2(u)``, no cancellation)
``k - k*u**2``                      ``k*(1 - u)*(1 + u)``: no cancellation where u**2 nears 1 (tanh' from the output)
``k*exp(u) - k``                    ``k*expm1(u)``;  ``log(1 + u)`` -> ``log1p(u)``
``u/n + b``, n*b dyadic             ``(u + n*b)/n`` (x/3 + 1/2 -> (x + 3/2)/3: no rounded 1/3 to cancel)
``log(1 + exp(u))``                 ``softplus(u)`` = max(u, 0) + log1p(exp(-|u|))
``exp(-c*u**2)``, c dyadic          ``s_expsq(u, c)``: u**2 split exactly (Dekker), no error in the exponent
``sqrt(u**2 + c)``                  ``hypot(u, sqrt(c))`` (no overflow at 1e308; any power (u**2 + c)**(k/2) too)
``b*sqrt(u**2 + c) - b*sqrt c``     ``b*u*(u/(sqrt(u**2 + c) + sqrt c))``: no cancellation for small u
``k*u + k*sqrt(u**2 + c)``          ``2k*s_sqplus(u, c)``, which divides instead of cancelling for u < 0
``k + k*u/sqrt(u**2 + c)``          ``2k*s_dsqplus(u, c)``
``u - tanh(u)``                     ``s_tanhshrink(u)``: a continued fraction for |u| < 1.5
``2k - k*erfc(u)``                  ``k*erfc(-u)`` as ``s_erfc_exp(-u, 0)``: SymPy writes erfc(-u) as 2 - erfc(u), which
                                    cancels where erfc(u) nears 2 (``k +- k*erf(u)`` -> ``k*erfc(-+u)`` too)
``Phi(u)``                          ``s_ncdf(u)`` = erfc(-u/sqrt 2)/2 with the argument in double-double
``exp(a)*sech(u)**2``               ``s_sech2_exp(u, a)`` = 4 exp(a - 2|u|)/(1 + e)^2, a - 2|u| exact (also sigmoid')
``exp(a)*sigmoid(+-u)**j``          ``s_sigmoid_exp(u, a, m, n)`` where exp(a) grows as the powers decay (one node)
``exp(a)*softplus(u)``              ``s_softplus_exp(u, a)`` = exp(a + u) log1p(e)/e where exp(a) grows as u -> -oo
``exp(a)*erfc(u)``                  ``s_erfc_exp(u, a)`` = exp(a - u^2 - 0.5625 + R/S)/u where exp(a) grows as u -> oo
node(u, a)*sigmoid(w)**m*...        each further decay into the node's exponent: node(u, a - n w)*sigmoid(|w|)**(m+n)
terms overflowing together          ``exp(g)*(sum of the cofactors)`` where g > 600: the signed inf, not inf - inf
growing sum*decays                  each term times the decays, (1 + exp(u))**k cancelled against sigmoid(-u)**k
==================================  ==================================================================================

Before these, ``symact.kernels.exp_rational`` writes quotients of exponentials of one argument (a sigmoid,
tanh or their derivatives written with exp, sinh and cosh) in sigmoid coordinates, and
``symact.kernels.rational`` cancels rational functions of x to one fraction.

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

import sympy as sp

from symact.functions import Phi, sigmoid, softplus
from symact.kernels import exp_rational, rational
from symact.kernels.decay_joins import rule_decay_times_exp
from symact.kernels.nodes import (  # noqa: F401 (EXP_LIKE, STABLE_NODES: the table, named here too)
    EXP_LIKE,
    STABLE_NODES,
    s_div,
    s_dsigmoid,
    s_dsqplus,
    s_erfc_exp,
    s_exp,
    s_expm1,
    s_expsq,
    s_hypot,
    s_log1p,
    s_ncdf,
    s_sech2,
    s_sigmoid,
    s_softplus,
    s_softplus_tail,
    s_sqplus,
    s_tanhshrink,
    s_unscale,
)
from symact.kernels.sigmoid_ends import rule_sigmoid_ends

__all__ = ["stabilize", "STABLE_NODES", "EXP_LIKE", "is_power_of_two"]


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
            if c * k < 0 and abs(k) > abs(c) and g.is_Pow and g.exp == 2 and isinstance(g.base, sp.tanh):
                rest = [u for j, u in enumerate(terms) if j != i and not u.is_number]  # k + c*tanh(u)**2, |k| > |c|:
                return sp.Add(*rest, k + c, -c * s_sech2(g.base.args[0]))  # (k + c) + |c|*sech(u)**2, one sign
    return add


def _rule_one_minus(add):
    def match(g, sign):
        if sign == -1 and isinstance(g, sigmoid):  # k - k*sigmoid(u)
            return sigmoid(-g.args[0])
        if isinstance(g, sp.tanh):  # k +- k*tanh(u)
            return 2 * sigmoid(2 * sign * g.args[0])
        if sign == -1 and g.is_Pow and g.exp == 2 and isinstance(g.base, sp.tanh):
            return s_sech2(g.base.args[0])
        if sign == -1 and g.is_Pow and g.exp == 2:  # k - k*u**2 = k*(1 - u)*(1 + u): 1 - u exact near u = 1
            return (1 - g.base) * (1 + g.base)
        if sign == -1 and isinstance(g, sp.exp):  # k - k*exp(u) = -k*expm1(u)
            return -s_expm1(g.args[0])
        if isinstance(g, sp.erf):  # k +- k*erf(u) = k*erfc(-+u)
            return s_erfc_exp(-sign * g.args[0], 0)
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


def _rule_two_minus_erfc(add):
    """2k - k*erfc(u) -> k*erfc(-u), which SymPy writes 2 - erfc(u), as ``s_erfc_exp(-u, 0)``: no cancellation."""
    if not isinstance(add, sp.Add):
        return add
    consts = [t for t in add.args if t.is_number]
    for t in add.args:
        c, g = _split_coeff(t)
        if isinstance(g, sp.erfc) and len(consts) == 1 and consts[0] == -2 * c:
            return add - t - consts[0] - c * s_erfc_exp(-g.args[0], 0)
    return add


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
        if c.is_Rational and is_power_of_two(c):
            return s_expsq(g.base, c)
    return expr


def is_power_of_two(c: sp.Rational) -> bool:
    """Whether a positive rational is 2**k for an integer k (then c*x is exact in binary floating point).

    >>> is_power_of_two(sp.Rational(1, 8)), is_power_of_two(sp.Rational(3, 4))
    (True, False)
    """
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
    if not is_power_of_two(abs(sp.Rational(1, c.q))) or abs(c) > 2**50:
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


def stabilize(expr: sp.Expr, bits: int = rational.FLOAT32_BITS) -> sp.Expr:
    """``expr`` rewritten with the rules above into stable nodes (``bits``: ``symact.kernels.rational.rewrite``'s).

    >>> from symact.catalog import x
    >>> stabilize(1 - sp.tanh(x)**2)
    s_sech2(x)
    """
    expr = rational.rewrite(exp_rational.rewrite(sp.piecewise_fold(sp.sympify(expr))), bits=bits)
    first = (
        _rule_log,
        _rule_logistic,
        _rule_tanhshrink,
        _rule_one_minus,
        _rule_two_minus_erfc,
        _rule_product,
        _rule_sqrt,
        _rule_root_minus_root,
    )
    for rule in (*first, _rule_exp):
        expr = _bottom_up(expr, rule)
    # a second pass catches products made by the first (1 - sigmoid -> sigmoid(-u), then the product rule)
    for rule in (rule_sigmoid_ends, _rule_one_minus, _rule_product):
        expr = _bottom_up(expr, rule)
    expr = expr.replace(lambda e: isinstance(e, sigmoid), lambda e: s_sigmoid(e.args[0]))
    expr = expr.replace(lambda e: isinstance(e, softplus), lambda e: s_softplus(e.args[0]))
    expr = expr.replace(lambda e: isinstance(e, Phi), lambda e: s_ncdf(e.args[0]))
    expr = _bottom_up(expr, _rule_softplus_scaled)
    expr = _bottom_up(expr, rule_decay_times_exp)
    expr = _bottom_up(expr, _rule_exp_minus_one)
    expr = _bottom_up(expr, _rule_affine)
    expr = expr.replace(  # (u**2 + c)**(k/2) -> hypot(u, sqrt c)**k: no overflow of u**2 at 1e155
        lambda e: e.is_Pow and (2 * e.exp).is_odd and _square_plus_const(e.base) is not None,
        lambda e: (
            s_hypot((e.base - _square_plus_const(e.base)).base, sp.sqrt(_square_plus_const(e.base))) ** (2 * e.exp)
        ),
    )
    return expr


def _rule_exp_minus_one(add):
    """k*exp(u) - k -> k*expm1(u)."""
    return _pair_rule(add, lambda g, sign: -s_expm1(g.args[0]) if sign == -1 and isinstance(g, sp.exp) else None)


def _rule_softplus_scaled(mul):
    """softplus(k*u)/k -> max(u, 0) + softplus_tail(k*u)/k: k*u overflows at 1e308/k, the function does not."""
    if not isinstance(mul, sp.Mul) or len(mul.args) != 2:
        return mul
    c, g = mul.as_coeff_Mul()
    if g.func is not s_softplus or not c.is_Number or c == 1:
        return mul
    k, u = g.args[0].as_coeff_Mul()
    if k * c != 1 or not k.is_positive:
        return mul
    return sp.Max(u, 0) + c * s_softplus_tail(g.args[0])
