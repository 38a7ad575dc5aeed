"""Sums of products of sigmoids that vanish at an end, in Bernstein form, for ``symact.kernels.rules``.

A derivative collected as a polynomial in sigmoid(u) cancels where the sigmoids tend to 1:
softplus(0.7x)*sigmoid(0.5x) has f'' = sigmoid(x/2)*(119 s - 49 s**2 - 70 s*r + 25 p (1 - 3 r + 2 r**2))/100
with r = sigmoid(x/2), s = sigmoid(0.7x) and p = softplus(0.7x), whose terms of size 100 sum to 0 at x = +oo:
at x = 100 the true -3.2e-21 came out as 0. Where the sum is 0 at an end x = +-oo (each sigmoid there at 0 or 1,
as the certified asymptotic calculus decides), each sigmoid(u) of degree d is written with t = sigmoid(-u),
s + t = 1, in the Bernstein basis s**k t**(d - k): a term at the end that cancels drops out exactly, each of the
others is small where its t is, and the basis is as good at the other end (s -> 0).

>>> from symact.catalog import x, sigmoid
>>> s = sigmoid(x)
>>> rule_sigmoid_ends(3 * s - s**2 - 2)
-(2*sigmoid(-x) + sigmoid(x))*sigmoid(-x)
>>> rule_sigmoid_ends(x * s - x - 2) == x * s - x - 2  # no end where it cancels: unchanged
True
>>> rule_sigmoid_ends(x * s + 2 * s)  # 0 at x = -oo only through the factor s: unchanged
x*sigmoid(x) + 2*sigmoid(x)
"""

from __future__ import annotations

import sympy as sp

from symact.functions import sigmoid
from symact.kernels.asymptotics import limit_at_infinity

__all__ = ["rule_sigmoid_ends"]

_MAX_TERMS = 64  # a larger Bernstein form is left alone: it would cost more than its accuracy is worth


def rule_sigmoid_ends(add: sp.Expr) -> sp.Expr:
    """``add``, a polynomial in sigmoids of one symbol that is 0 at x = +oo or x = -oo once the powers of sigmoids
    common to its terms are taken out, in the Bernstein basis of each sigmoid (unchanged otherwise)."""
    gens = _generators(add)
    if not gens or len(add.free_symbols) != 1:
        return add
    try:
        poly = sp.Poly(add, *gens)
    except sp.PolynomialError:  # a sigmoid also stands inside a quotient or a function
        return add
    if any(c.has(*gens) for c in poly.coeffs()):
        return add
    common, poly = poly.terms_gcd()
    (var,) = add.free_symbols
    if not any(_cancels_at(poly.as_expr(), gens, var, side) for side in (-1, 1)):
        return add
    others = [sigmoid(-g.args[0]) for g in gens]
    degrees = poly.degree_list()
    total = sp.S.Zero
    for powers, c in poly.terms():
        term = c
        for g, h, k, d in zip(gens, others, powers, degrees):
            term *= g**k * (g + h) ** (d - k)
        total += sp.expand(term)
    try:
        homogeneous = sp.Poly(total, *gens, *others)
    except sp.PolynomialError:  # sigmoid(-u) stands inside a coefficient
        return add
    if len(homogeneous.terms()) > _MAX_TERMS or any(c.has(*others) for c in homogeneous.coeffs()):
        return add
    terms = (sp.factor_terms(c) * sp.Mul(*(b**k for b, k in zip(homogeneous.gens, m))) for m, c in homogeneous.terms())
    return sp.Mul(*(g**k for g, k in zip(gens, common))) * sp.factor_terms(sp.Add(*terms))


def _generators(add: sp.Expr) -> list[sp.Expr]:
    """The sigmoids that are factors, or integer powers, of the terms of ``add`` (empty: not a sum)."""
    if not isinstance(add, sp.Add):
        return []
    found = set()
    for term in add.args:
        for f in sp.Mul.make_args(term):
            base, j = f.as_base_exp()
            if isinstance(base, sigmoid) and j.is_Integer and j > 0:
                found.add(base)
    return sorted(found, key=sp.default_sort_key)


def _cancels_at(expr: sp.Expr, gens: list[sp.Expr], var: sp.Symbol, side: int) -> bool:
    """Whether ``expr`` is 0 at var = side*oo with each sigmoid at its limit there (0 or 1, certified)."""
    ends = {}
    for g in gens:
        found = limit_at_infinity(g.args[0], var, side)
        if found is None or not found[0].is_infinite:
            return False
        ends[g] = sp.S.One if found[0] is sp.oo else sp.S.Zero
    return sp.expand(expr.xreplace(ends)) == 0
