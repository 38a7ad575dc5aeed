"""Periodic pieces: a period proved from the structure of g (x only inside sin and cos of a x + b, a rational),
the critical points of one period, and limits at +-oo that do not exist.

A continuous periodic g takes on R exactly the values it takes on one period [0, P], so its
extremes come from the roots of g' in (0, P) and g(0); its limits at +-oo exist only when it is
constant, and two certified different values refute that.

>>> _period(sp.sin(x) + sp.cos(2*x))
2*pi
>>> _period(x + sp.sin(x)) is None
True
"""

from __future__ import annotations

import functools
import math

import sympy as sp

from symact.analysis.exact import _cmp, _Roots, _roots, _signs, _tidy
from symact.catalog import x

__all__ = []

DOES_NOT_EXIST = "does not exist"


def _period(g: sp.Expr) -> sp.Expr | None:
    """A period P > 0 of g, proved by structure: x occurs only in sin(a x + b), cos(a x + b) with a rational
    and nonzero, and P = 2 pi lcm(1/|a|); None otherwise (or when g has no x at all)."""
    nodes = [n for n in g.atoms(sp.sin, sp.cos) if n.has(x)]
    if not nodes or g.xreplace({n: sp.Dummy() for n in nodes}).has(x):
        return None
    multiples = []
    for n in nodes:
        a = sp.expand(n.args[0]).coeff(x)
        if not (a.is_Rational and a != 0) or sp.expand(n.args[0] - a * x).has(x):
            return None
        multiples.append(1 / abs(a))
    common = sp.Rational(
        functools.reduce(math.lcm, (m.p for m in multiples)), functools.reduce(math.gcd, (m.q for m in multiples))
    )
    return 2 * sp.pi * common


def _continuous(g: sp.Expr, period: sp.Expr) -> bool:
    """No pole on [0, P]: the denominator of g has exactly no root there and is nonzero at 0."""
    den = sp.fraction(sp.together(g))[1]
    if not den.has(x):
        return True
    roots = _roots(den, sp.Integer(0), period)
    return roots.exact and not roots.points and not roots.zero and _cmp(den.subs(x, 0), 0) in (1, -1)


def periodic_extremes(g: sp.Expr) -> tuple[sp.Expr, list, bool] | None:
    """(P, [(x, g(x))] for x = 0 and every root of g' in (0, P), exact) for a continuous periodic g; else None.

    Every value g takes on R is among g's values on [0, P], so these are all the candidates.

    >>> periodic_extremes(sp.sin(x))
    (2*pi, [(0, 0), (pi/2, 1), (3*pi/2, -1)], True)
    """
    period = _period(g)
    if period is None or not _continuous(g, period):
        return None
    roots = _roots(_tidy(sp.diff(g, x)), sp.Integer(0), period)
    if roots.zero:
        return period, [(sp.Integer(0), g.subs(x, 0))], True
    points = [sp.Integer(0), *roots.points]
    return period, [(p, _tidy(g.subs(x, p)) if roots.exact else sp.N(g.subs(x, p), 30)) for p in points], roots.exact


def no_limit(g: sp.Expr) -> bool:
    """True when g is periodic and takes two certified different values: no limit at +oo or -oo.

    >>> no_limit(sp.sin(x)), no_limit(sp.sin(x)**2 + sp.cos(x)**2)
    (True, False)
    """
    period = _period(g)
    if period is None:
        return False
    values = [g.subs(x, period * sp.Rational(k, 7)) for k in range(7)]
    return any(_cmp(v, values[0]) in (1, -1) for v in values[1:])


def periodic_signs(h: sp.Expr) -> tuple[list, _Roots] | None:
    """The signs of a continuous periodic h on R from one period, as ``_signs`` gives them: one sign kept
    everywhere (isolated zeros aside) is [(-oo, oo, sign)]; otherwise the signs on [0, P], whose roots
    repeat with period P (``_Roots.period``). None when h is not periodic or a root or sign is uncertain.

    >>> periodic_signs(1 + sp.cos(x))[0]
    [(-oo, oo, 1)]
    """
    period = _period(h)
    if period is None or not _continuous(h, period):
        return None
    signs, roots = _signs(h, sp.Integer(0), period)  # roots found numerically stay inexact
    if roots.zero or None in {s for _, _, s in signs}:
        return None
    how = f"periodic with period {period}; in one period: {roots.how}"
    if len({s for _, _, s in signs}) == 1:
        return [(-sp.oo, sp.oo, signs[0][2])], _Roots((), roots.exact, how + ", one sign between them")
    return signs, _Roots(roots.points, roots.exact, how, period=period)
