"""Identities of smooth functions by calculus: two functions differentiable on every real x, with the same
derivative and one common value, are equal (the mean value theorem on the connected real line).

Each side must be differentiable for every real x: every node is analytic on the reals (exp, sin,
tanh, atan, asinh, erf, polynomials) or has a domain condition (the argument of log and of a
fractional power > 0, 1 - u**2 > 0 under asin, acos and atanh, u - 1 > 0 under acosh, a
denominator != 0) proved for every x by SymPy's assumptions or as a rational function of
s = exp(x) > 0. The derivative of the difference must simplify to 0 exactly, and the difference
at x = 0 must be an exact zero. This proves principal-branch identities such as asinh(sinh(x)) = x
and the forms of the Gudermannian function, and never acosh(cosh(x)) = x (acosh is not
differentiable at 1 = cosh(0)).

>>> _by_derivative(sp.atan(sp.sinh(x)), sp.asin(sp.tanh(x)))[0]
'equal derivatives and one common value'
"""

from __future__ import annotations

import sympy as sp

from symact.catalog import x
from symact.functions import expand_named
from symact.proof.bounds import _in_exp, _sign_of
from symact.proof.result import Step
from symact.proof.rewriting import _exp_form, _zero

_ANALYTIC = (sp.exp, sp.sin, sp.cos, sp.sinh, sp.cosh, sp.tanh, sp.atan, sp.asinh, sp.erf)


def _conditions(expr: sp.Expr) -> list[sp.Expr] | None:
    """Quantities that must be > 0 for every real x for ``expr`` to be differentiable everywhere; None when a
    node is neither analytic on the reals nor understood."""
    out = []
    for node in sp.preorder_traversal(expr):
        if not isinstance(node, sp.Expr) or not node.has(x) or isinstance(node, (sp.Symbol, sp.Add, sp.Mul)):
            continue
        if isinstance(node, sp.Pow):
            if node.exp.has(x) or not node.exp.is_Rational:
                return None
            if not node.exp.is_Integer:
                out.append(node.base)
            elif node.exp < 0:
                out.append(node.base**2)
        elif isinstance(node, sp.log):
            out.append(node.args[0])
        elif isinstance(node, (sp.asin, sp.acos, sp.atanh)):
            out.append(1 - node.args[0] ** 2)
        elif isinstance(node, sp.acosh):
            out.append(node.args[0] - 1)
        elif not isinstance(node, _ANALYTIC):
            return None
    return out


def _positive(c: sp.Expr) -> bool:
    """c > 0 for every real x: by SymPy's assumptions, or as a factored rational function of s = exp(x) > 0."""
    if c.is_positive:
        return True
    g = _in_exp(c)
    return g is not None and _sign_of(g) == "positive"


def _vanishes(d: sp.Expr) -> bool:
    """d = 0 identically: a normal form of its exp form, or of it in s = exp(x) > 0 with roots of factored powers."""
    e = _exp_form(d)
    if _zero(e) is not None:
        return True
    g = _in_exp(e)
    if g is None:
        return False
    rooted = g.replace(
        lambda n: isinstance(n, sp.Pow) and n.exp.is_Rational and not n.exp.is_Integer,
        lambda n: sp.Pow(sp.factor(n.base), n.exp),
    )
    return sp.simplify(rooted) == 0


def _by_derivative(lhs: sp.Expr, rhs: sp.Expr) -> tuple[str, list[Step]] | None:
    """lhs = rhs for every real x from equal derivatives and equal values at 0; None when not shown."""
    left, right = expand_named(lhs), expand_named(rhs)
    if not (left.has(x) or right.has(x)):
        return None
    conditions = [_conditions(e) for e in (left, right)]
    if None in conditions or not all(_positive(c) for c in conditions[0] + conditions[1]):
        return None
    if not _vanishes(sp.diff(left - right, x)) or _zero((left - right).subs(x, 0)) is None:
        return None
    why = "differentiable for every real x, equal derivatives (their difference simplifies to 0), equal at x = 0"
    return "equal derivatives and one common value", [Step(lhs, "left-hand side"), Step(rhs, why)]
