"""Deterministic simplification: a fixed sequence of cheap rewriting passes, the shortest result kept.

``tidy`` never runs ``simplify`` and never looks at the clock: the same expression always takes the same
passes and gives the same form, on a fast machine or a loaded one. The passes that can grow with their input
(``together``, ``cancel``, ``factor``, ``expand``, and the same after writing sigmoid, softplus and Phi in
exp, log and erf) run only on expressions whose ``work`` (tree size, integer powers counted by their exponent)
is at most ``MAX_WORK``; larger ones get ``factor_terms`` alone.

>>> from symact.catalog import x
>>> from symact.functions import sigmoid
>>> tidy(x / (1 - x) ** 2 + 1 / (1 - x))
(x - 1)**(-2)
>>> is_zero(sigmoid(x) - 1 / (1 + sp.exp(-x))), is_zero(sigmoid(x) - sigmoid(-x))
(True, False)
"""

from __future__ import annotations

import sympy as sp

from symact.functions import expand_named

__all__ = ["tidy", "is_zero", "work", "MAX_WORK"]

MAX_WORK = 160  # the largest input the growing passes see; gelu_tanh's f'' is about 110
MIN_HEIGHT = 1000  # a rewrite may have numbers up to this, or up to the largest in its input


def work(expr: sp.Expr) -> int:
    """The size of ``expr`` as the growing passes feel it: one per node, an integer power by its exponent, and
    exp(p/q*u) by max(|p|, q) beyond ``MAX_WORK`` (``factor`` takes it for exp(u/q)**p: celu's exp(x/alpha)
    at alpha = 1e-300 is a polynomial of degree 10**300 there).

    >>> from symact.catalog import x
    >>> work(x**2 + 1), work((x + 1) ** 1000), work(sp.exp(10**300 * x)) > MAX_WORK
    (6, 1004, True)
    """
    total = 0
    for node in sp.preorder_traversal(expr):
        exponent = node.exp if isinstance(node, sp.Pow) else None
        total += int(abs(exponent)) if isinstance(exponent, sp.Integer) else 1
        if isinstance(node, sp.exp) and _height(node.args[0].as_coeff_Mul()[0]) > MAX_WORK:
            total += _height(node.args[0].as_coeff_Mul()[0])
    return total


def _growing(e: sp.Expr) -> list[sp.Expr]:
    together = sp.together(e)
    cancel = sp.cancel(together)
    return [together, cancel, sp.factor_terms(cancel), sp.factor(e), sp.expand(together)]


def _candidates(expr: sp.Expr) -> list[sp.Expr]:
    """Every form the passes give, ``expr`` first, in a fixed order."""
    out = [expr, sp.factor_terms(expr)]
    if work(expr) <= MAX_WORK:
        out += _growing(expr)
        named = expand_named(expr)
        if named != expr and work(named) <= MAX_WORK:
            out += [named, *_growing(named)]
    return out


def _height(e: sp.Basic) -> int:
    """The largest numerator or denominator of a rational number in ``e``."""
    return max((max(abs(r.p), r.q) for r in e.atoms(sp.Rational)), default=1)


def _depth(e: sp.Basic) -> int:
    """How deeply functions nest in ``e``: sigmoid(log(u)) is 2 deep, 1 - exp(u) is 1."""
    return max((_depth(a) for a in e.args), default=0) + isinstance(e, sp.Function)


def _rank(e: sp.Expr) -> tuple[int, int, int]:
    return sp.count_ops(e), _depth(e), work(e)


def tidy(expr: sp.Expr, gain: float = 1) -> sp.Expr:
    """``expr`` or its shortest rewrite by ``count_ops`` when that is ``gain`` times shorter; a Piecewise branch
    by branch. A rewrite with larger numbers than ``expr`` (beyond ``MIN_HEIGHT``) is not a candidate; ties
    go to the shallower nesting of functions, then the smaller ``work``, then the earlier pass, so the answer
    is a function of ``expr`` alone.

    >>> from symact.catalog import x
    >>> from symact.functions import sigmoid
    >>> tidy(sp.diff(x * sigmoid(x), x, 2))
    (x*(2*sigmoid(x) - 1) - 2)*(sigmoid(x) - 1)*sigmoid(x)
    """
    expr = sp.sympify(expr)
    if isinstance(expr, sp.Piecewise):
        return sp.Piecewise(*((tidy(e, gain), c) for e, c in expr.args))
    if expr.is_Atom:
        return expr
    ceiling = max(_height(expr), MIN_HEIGHT)  # clearing 8943/200000 out of a sum is not simpler
    candidates = [c for c in _candidates(expr) if not c.has(sp.nan, sp.zoo) and _height(c) <= ceiling]
    best = min(candidates, key=_rank)
    return best if gain * sp.count_ops(best) < sp.count_ops(expr) else expr


def is_zero(expr: sp.Expr) -> bool:
    """True only when ``expr`` is exactly zero by the passes of ``tidy`` (a rational function of its named
    functions, exp and log whose numerator cancels); False means not shown, not nonzero.

    >>> from symact.catalog import x
    >>> is_zero(sp.tanh(x) ** 2 - (1 - 1 / sp.cosh(x) ** 2)), is_zero(x - x)
    (False, True)
    """
    expr = sp.sympify(expr)
    return expr == 0 or any(c == 0 for c in _candidates(expr))
