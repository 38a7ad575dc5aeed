"""The complete set of real zeros of a smooth function of x, or None: what a case split may rely on.

Zeros come from structure (sign-definite factors, exact polynomial roots, one zero of a strictly
monotone function) or from a certified sign: a continuous g whose critical values (at the complete
zeros of g') and limits at +-oo are all of one sign never vanishes, so ``silu(x) + 0.2785`` > 0
because silu's minimum -W(1/e) = -0.27846... is certified above -0.2785.

>>> from symact.functions import sigmoid
>>> _zeros(x * sigmoid(x) + sp.Rational(557, 2000)), _zeros(x * sigmoid(x) + sp.Rational(278, 1000)) is None
([], True)
"""

from __future__ import annotations

import sympy as sp

from symact.catalog import x
from symact.functions import expand_named
from symact.magnitude import substituted
from symact.numerics import certified_sign
from symact.proof.limits import _limit_agrees_numerically
from symact.proof.rewriting import _exp_form, _zero


def _lambert(e: sp.Expr) -> sp.Expr:
    """exp(a + c W(z)) written as exp(a) (W(z)/z)**(-c) for integer c (W e^W = z, so e^-W = W/z; z != 0).

    >>> _lambert(sp.exp(-1 - sp.LambertW(sp.exp(-1))))
    LambertW(exp(-1))
    """

    def split(node):
        rest, terms = sp.expand(node.args[0]).as_independent(sp.LambertW, as_Add=True)
        out = sp.exp(rest)
        for term in sp.Add.make_args(terms):
            c, w = term.as_coeff_Mul()
            if not (isinstance(w, sp.LambertW) and len(w.args) == 1 and c.is_Integer and w.args[0] != 0):
                return node
            out *= (w / w.args[0]) ** (-c)
        return out

    return e.replace(lambda n: isinstance(n, sp.exp) and n.has(sp.LambertW), split)


def _monotone_root(g: sp.Expr) -> list[sp.Expr] | None:
    """The one real zero of g when g is strictly monotone in x (its derivative has a proven sign); else None."""
    slope = sp.factor(sp.cancel(_exp_form(sp.diff(g, x))))
    if not (slope.is_positive or slope.is_negative):
        return None
    try:
        roots = [r for r in sp.solve(g, x) if r.is_real]
    except NotImplementedError:  # SymPy has no method for it (x - softplus(x) + log(2)): no root found
        return None
    if len(roots) != 1:
        return None
    at_root = substituted(g, {x: roots[0]})
    if at_root is None:
        return None
    at_root = _lambert(at_root)
    exact = certified_sign(at_root) == 0 if not at_root.free_symbols else _zero(_exp_form(at_root)) is not None
    return [sp.simplify(roots[0])] if exact else None


def _zeros(g: sp.Expr, depth: int = 0) -> list[sp.Expr] | None:
    """Every real zero of the smooth g, for every allowed parameter value; None when the list may be incomplete.

    A factor whose sign SymPy's assumptions decide has none (sigmoid, Phi, exp, tanh(softplus(x)));
    a product's zeros are its factors'; a polynomial with numeric coefficients has its exact real
    roots (any degree); a linear one needs a leading coefficient of known sign; a strictly
    monotone g its one exact zero; a quotient with a positive denominator its numerator's; and
    a g of one certified sign (``_definite``) none.

    >>> _zeros(x**3 * sp.exp(x)), _zeros(x * sp.sin(x)) is None
    ([0], True)
    """
    if g.is_positive or g.is_negative:
        return []
    if isinstance(g, sp.Mul) or (isinstance(g, sp.Pow) and g.exp.is_Integer and g.exp > 0):
        parts = [_zeros(f, depth) for f in (g.args if isinstance(g, sp.Mul) else [g.base])]
        return None if None in parts else [r for part in parts for r in part]
    try:
        poly = sp.Poly(g, x)
    except sp.PolynomialError:
        poly = None
    if poly is not None and poly.degree() == 1:
        lead, const = poly.all_coeffs()
        return [sp.simplify(-const / lead)] if (lead.is_positive or lead.is_negative) else None
    if poly is not None and not (g.free_symbols - {x}):
        return list(sp.real_roots(poly))  # exact algebraic numbers, complete
    if poly is not None:
        return None
    found = _monotone_root(g)
    if found is not None:
        return found
    numerator, denominator = sp.fraction(sp.factor(sp.together(_exp_form(g))))
    if numerator != g and (denominator.is_positive or not denominator.has(x)):
        found = _zeros(numerator, depth + 1)
    if found is None and depth == 0 and _definite(g):  # critical points are zeros of g': one level only
        return []
    return found


_ANALYTIC = (sp.exp, sp.sin, sp.cos, sp.sinh, sp.cosh, sp.tanh, sp.atan, sp.asinh, sp.erf)


def _differentiable(g: sp.Expr) -> bool:
    """g is differentiable at every real x: analytic nodes, log of positive arguments, integer powers, and a
    positive denominator once the named functions are written out."""
    g = expand_named(g)
    for node in sp.preorder_traversal(g):
        if isinstance(node, sp.Pow) and not node.exp.is_Integer and node.has(x):
            return False
        if isinstance(node, sp.Function) and node.has(x):
            if not (isinstance(node, _ANALYTIC) or (isinstance(node, sp.log) and node.args[0].is_positive)):
                return False
    return bool(sp.fraction(sp.together(g))[1].is_positive)


def nonnegative(g: sp.Expr, strict: bool) -> bool:
    """g >= 0 (> 0 with ``strict``) for every real x, certified from its extremes: g is differentiable
    everywhere, its critical points are complete and exact (the zeros of g'), its critical values are
    >= 0 (> 0) and its limits at +-oo >= 0. An infimum below them would be attained at a critical point.

    >>> nonnegative(x * sp.exp(x) + sp.exp(-1), strict=False), nonnegative(x * sp.exp(x) + sp.exp(-1), strict=True)
    (True, False)
    """
    if g.free_symbols - {x} or not g.has(x) or not _differentiable(g):
        return False
    critical = _zeros(sp.diff(g, x), 1)
    if critical is None:
        return False
    for end, far in ((-sp.oo, g.subs(x, -x)), (sp.oo, g)):  # far: the same end reached as x -> +oo
        value = sp.limit(expand_named(g), x, end)
        if value.has(sp.Limit, sp.AccumBounds, sp.nan) or not _limit_agrees_numerically(far, value, x, sp.oo):
            return False
        if certified_sign(value) not in (0, 1):
            return False
    at_critical = [substituted(g, {x: c}) for c in critical]
    return None not in at_critical and all(
        certified_sign(_lambert(expand_named(v))) in ((1,) if strict else (0, 1)) for v in at_critical
    )


def _definite(g: sp.Expr) -> bool:
    """g > 0 everywhere or g < 0 everywhere, certified by ``nonnegative``."""
    return nonnegative(g, True) or nonnegative(-g, True)
