"""Where a statement's sides have a value: a proof holds off the real zeros of their denominators.

(x**2 - 1)/(x - 1) = x + 1 is proved by cancelling x - 1, which holds for x ≠ 1 only: at 1 the left side is
0/0. A proof records such points in ``details['defined']`` (``x ≠ 1``, or ``d ≠ 0`` for a denominator d whose
real zeros are not a finite list), and its verdict says where it holds.

>>> import sympy as sp
>>> from symact.catalog import x
>>> domain_details([(x**2 - 1) / (x - 1), x + 1])
{'defined': [Ne(x, 1)]}
>>> domain_details([sp.sin(x) / x, 1 / (1 + x**2)])
{'defined': [Ne(x, 0)]}
"""

from __future__ import annotations

from collections.abc import Iterable

import sympy as sp

from symact.catalog import x
from symact.defined import surely

__all__ = ["domain_details"]

# a function with poles, and the expression that vanishes at them
_POLES = {
    sp.tan: sp.cos,
    sp.sec: sp.cos,
    sp.cot: sp.sin,
    sp.csc: sp.sin,
    sp.coth: sp.sinh,
    sp.csch: sp.sinh,
}


def _denominators(expr: sp.Expr) -> set[sp.Expr]:
    found = set()
    for node in sp.preorder_traversal(expr):
        if isinstance(node, sp.Pow) and not node.exp.is_nonnegative:
            found.add(node.base)
        elif type(node) in _POLES:
            found.add(_POLES[type(node)](node.args[0]))
    return found


def _conditions(d: sp.Expr) -> list[sp.Expr]:
    """``s ≠ r`` for each real zero r of ``d`` in a symbol s (x first), when d is a polynomial in s with a finite
    set of zeros; else ``d ≠ 0``; nothing when d is never 0 for real values."""
    if d.is_zero is False or not d.free_symbols:
        return []
    if isinstance(d, sp.Mul):
        return [c for factor in d.args for c in _conditions(factor)]
    if isinstance(d, sp.Abs) or (isinstance(d, sp.Pow) and d.exp.is_positive):
        return _conditions(d.args[0])  # |u| and u**2 vanish where u does
    s = x if x in d.free_symbols else min(d.free_symbols, key=lambda t: t.name)
    found = [sp.Ne(d, 0)]
    degree = sp.degree(d, s) if d.is_polynomial(s) else None
    if degree == 1 and d.coeff(s).is_zero is False:  # x - a: x ≠ a
        found = [sp.Ne(s, -(d - d.coeff(s) * s) / d.coeff(s))]
    elif degree is not None and degree <= 4 and d.free_symbols == {s}:
        zeros = sp.solveset(d, s, sp.S.Reals)
        if isinstance(zeros, sp.FiniteSet):
            found = [sp.Ne(s, z) for z in sorted(zeros, key=sp.default_sort_key)]
    return [c for c in found if isinstance(c, sp.Ne)]  # x ≠ 0 for a positive x is no condition


def _as_set(c: sp.Basic) -> list | None:
    """A condition on one real symbol s as the set where it holds: none for all reals, ``s ≠ r`` for all but
    finitely many points, ``s ≥ r`` (``s > r``, ``s ≤ r``, ``s < r``) for a half-line; None otherwise."""
    (s,) = c.free_symbols
    try:
        where = (c.to_nnf() if isinstance(c, sp.Implies) else c).as_set()
        missing = sp.Complement(sp.S.Reals, where)
    except (NotImplementedError, TypeError, ValueError, AttributeError):
        return None
    if isinstance(missing, sp.FiniteSet) or missing == sp.S.EmptySet:
        return [sp.Ne(s, p) for p in sorted(missing, key=sp.default_sort_key)]
    if isinstance(where, sp.Interval) and where.end == sp.oo:
        return [(sp.Gt if where.left_open else sp.Ge)(s, where.start)]
    if isinstance(where, sp.Interval) and where.start == -sp.oo:
        return [(sp.Lt if where.right_open else sp.Le)(s, where.end)]
    return None


def _solved(c: sp.Basic) -> list[sp.Basic]:
    """A written condition (``symact.defined``) in its simplest form: ``u ≠ 0`` as ``_conditions`` gives it,
    ``a*x + b > 0`` as ``x > -b/a`` for a number a; none when it holds for every real value of its one symbol."""
    if isinstance(c, sp.Ne) and c.rhs == 0:
        return _conditions(c.lhs)
    if len(c.free_symbols) == 1:
        found = _as_set(c)
        if found is not None:
            return found
    if isinstance(c, sp.Implies):  # a branch's: solved, where the branch is taken; x ≠ 1 alone if taken at 1
        solved = _solved(c.args[1])
        taken = [
            c.args[0].xreplace({d.lhs: d.rhs}) if isinstance(d, sp.Ne) and d.lhs.is_Symbol else None for d in solved
        ]
        return [d if t is sp.true else sp.Implies(c.args[0], d) for d, t in zip(solved, taken) if t is not sp.false]
    if isinstance(c, (sp.Gt, sp.Ge)) and c.rhs == 0 and c.free_symbols:
        s = x if x in c.free_symbols else min(c.free_symbols, key=lambda t: t.name)
        a, b = c.lhs.coeff(s), c.lhs - c.lhs.coeff(s) * s
        if c.lhs.is_polynomial(s) and sp.degree(c.lhs, s) == 1 and a.is_number and not b.has(s):
            return [(c.func if a.is_positive else c.reversed.func)(s, -b / a)]
    return [c]


def domain_details(sides: Iterable[sp.Expr], written: Iterable[sp.Basic] = ()) -> dict:
    """What a proof of a statement between ``sides`` records about the points where a side has no value;
    ``written``: the conditions of the sides as the user wrote them, before SymPy's evaluation."""
    conditions = []
    for d in sorted(set().union(*(_denominators(s) for s in sides)), key=sp.default_sort_key):
        conditions += [c for c in _conditions(d) if c not in conditions]
    for w in map(surely, written):  # a symbolic power read for a positive base (symact.defined)
        conditions += [c for c in _solved(w) if c not in conditions and c is not sp.true] if w is not sp.true else []
    unequal = {(c.lhs, c.rhs) for c in conditions if isinstance(c, sp.Ne)}
    conditions = [  # x ≠ 0 and x ≥ 0: x > 0
        sp.Gt(*c.args)
        if isinstance(c, sp.Ge) and c.args in unequal
        else sp.Lt(*c.args)
        if isinstance(c, sp.Le) and c.args in unequal
        else c
        for c in conditions
    ]
    strict = {(c.lhs, c.rhs) for c in conditions if isinstance(c, (sp.StrictGreaterThan, sp.StrictLessThan))}
    conditions = [
        c for c in dict.fromkeys(conditions) if not (isinstance(c, (sp.Ne, sp.Ge, sp.Le)) and c.args in strict)
    ]
    read = any(surely(w) != w for w in written)  # a symbolic power, read for a positive base only
    return ({"defined": conditions} | ({"positive_base": True} if read else {})) if conditions else {}
