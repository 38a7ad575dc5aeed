"""Identities between derivatives hold where the function is differentiable; its kinks are left out.

A derivative has no value where the function differentiated has a kink (relu at 0): SymPy's
``diff`` still gives one there (Heaviside(0) = 1/2), ``derive`` the value of its kink policy
(torch, jax, left, right, mean). So an identity with a derivative on one side (``diff(...)`` in a
string, or an unevaluated ``sp.Derivative``) is proved on the set where the function is
differentiable: each kink is left out, and recorded with its one-sided derivatives.

>>> from symact.catalog import get
>>> [(k.point, k.left, k.right) for k in derivative_kinks([(None, sp.Derivative(get('relu').expr, x))])]
[(0, 0, 1)]
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

import sympy as sp

from symact.catalog import x
from symact.errors import TooLarge, UndecidedSign
from symact.kinks import Kink, find_kinks, kink_value

__all__ = ["derivative_kinks", "off_kinks", "kink_details"]

_DIFF = re.compile(r"\bdiff\s*\(")


def derivative_kinks(sides: Iterable[tuple[object, sp.Expr]], values: Mapping | None = None) -> list[Kink]:
    """The kinks of every function differentiated in the sides, each given as (caller's input, parsed expression).

    For an unevaluated ``Derivative(g, x)``: the points where g is not differentiable. For a
    string with ``diff(...)`` (evaluated by the parser): the points where that side jumps, which
    is where the function differentiated has different one-sided derivatives. ``values`` gives
    numbers for parameters, to order the points (by default a generic value of each parameter's
    sign, 37/29 or -37/29 times 1, 2, ...); the points stay symbolic. Points that cannot be placed are not excluded.

    >>> [k.point for k in derivative_kinks([('diff(relu(x - 1), x)', sp.Heaviside(x - 1))])]
    [1]
    >>> l = sp.Symbol('l', positive=True)
    >>> [k.point for k in derivative_kinks([('diff(softshrink(x, l), x)', sp.Heaviside(x - l) + sp.Heaviside(-x - l))])]
    [-l, l]
    """
    sides = list(sides)
    if values is None:
        values = _generic_values(set().union(*(parsed.free_symbols for _, parsed in sides)) - {x})
    found: list[Kink] = []
    for raw, parsed in sides:
        try:
            for d in parsed.atoms(sp.Derivative):
                found += find_kinks(d.expr, values or {}) if d.variables == (x,) else []
            if isinstance(raw, str) and _DIFF.search(raw):
                jumps = find_kinks(parsed.doit(), values or {})
                found += [Kink(k.point, k.value_left, k.value_right, 0, 0) for k in jumps if not k.continuous]
        except (UndecidedSign, TooLarge, NotImplementedError, ValueError, TypeError):
            continue
    unique: dict[sp.Expr, Kink] = {}
    for k in found:
        unique.setdefault(k.point, k)
    return list(unique.values())


def _generic_values(parameters: set) -> dict:
    """A value of each parameter's sign that no activation singles out (0 and 1 are special for many), a
    different one for each (in the order of their names): with a = b, the kinks of hardtanh(x, a, b) could not
    be ordered, and none was left out.

    >>> a, b = sp.symbols('a b', real=True)
    >>> _generic_values({b, a})
    {a: 37/29, b: 74/29}
    """
    generic = sp.Rational(37, 29)
    ordered = sorted(parameters, key=lambda p: p.name)
    return {p: (-1 if p.is_negative or p.is_nonpositive else 1) * generic * (k + 1) for k, p in enumerate(ordered)}


def off_kinks(expr: sp.Expr, kinks: list[Kink]) -> sp.Expr:
    """``expr`` with its derivatives evaluated, and 0 at the kinks (the points an identity leaves out).

    >>> off_kinks(sp.Heaviside(x), [Kink(0, 0, 1, 0, 0)])
    Piecewise((0, Eq(x, 0)), (Heaviside(x), True))
    """
    expr = expr.doit() if expr.has(sp.Derivative) else expr
    if not kinks:
        return expr
    return sp.Piecewise((0, sp.Or(*[sp.Eq(x, k.point) for k in kinks])), (expr, True))


def kink_details(kinks: list[Kink], name: str | None = None) -> dict:
    """What a proof records about the points it leaves out: the points, and why, in words.

    >>> kink_details([Kink(0, 0, 1, 0, 0)], 'relu')['why']
    ['at 0 relu has no derivative (one-sided derivatives 0 and 1); torch and JAX take 0']
    """
    if not kinks:
        return {}
    why = []
    for k in kinks:
        what = name or "the function"
        differs = False in (sp.sympify(k.left - k.right).is_zero, sp.sympify(k.value_left - k.value_right).is_zero)
        sides = f"{sp.sstr(k.left)} and {sp.sstr(k.right)}"
        text = f"at {sp.sstr(k.point)} " + (
            f"{what} has no derivative (one-sided derivatives {sides})"
            if differs
            else f"the one-sided derivatives are {sides}"
        )
        if name:
            torch, jax = (kink_value(k, policy, name) for policy in ("torch", "jax"))
            text += f"; torch and JAX take {torch}" if torch == jax else f"; torch takes {torch}, JAX {jax}"
        why.append(text)
    return {"excluded": [k.point for k in kinks], "why": why}
