"""Properties of an activation, each with a proof: range, limits, continuity, monotonicity, Lipschitz.
This module holds the public ``properties()``, its cache and the order of its rules.

``properties(name)`` splits f at its switch points into smooth pieces and works exactly on each:
limits with SymPy on the exp-rewritten form, critical points with ``solveset`` (complete on an
interval) or a strictly monotone numerator solved in closed form (Lambert W for swish), signs
by exact evaluation between consecutive roots, continuity order from one-sided derivatives of
every order. Where only numerics reach (mish's minimum, swish's Lipschitz constant), the
property is ``unknown`` with 30-digit roots from ``mpmath.findroot`` and, for extrema, an
interval-arithmetic enclosure; tables mark such cells numerical-only.

>>> p = properties('sigmoid')
>>> p['range'].value
Interval.open(0, 1)
>>> p['lipschitz'].value, p['lipschitz'].proof.status
(1/4, 'proved')
>>> properties('swish')['minimum'].value
-LambertW(exp(-1))
"""

from __future__ import annotations

import sympy as sp

from symact.analysis.audit import audit
from symact.analysis.exact import STEPS
from symact.analysis.pieces import _Analysis, _OutOfDepth
from symact.analysis.result import PROPERTY_NAMES, Properties, Property, _all_unknown, _unknown
from symact.analysis.rules import continuity_rule, limits_rule, monotonic_rule, range_rule
from symact.analysis.slope import lipschitz_rule, origin_rule, symmetry_rule
from symact.budget import DEFAULT_BUDGETS, check, guard, validate, within
from symact.catalog import CATALOG, Activation, get, x
from symact.errors import ParameterError, ProofTimeout, SymactError
from symact.functions import expand_named
from symact.isolation import isolatable
from symact.kinks import pieces
from symact.parsing import parse

__all__ = ["properties", "ALL_RULES"]


def _activation(name_or_expr, params) -> tuple[str, sp.Expr]:
    bare = isinstance(name_or_expr, str) and name_or_expr.strip().replace("-", "_").isidentifier()
    if isinstance(name_or_expr, Activation) or bare or (isinstance(name_or_expr, str) and _known(name_or_expr)):
        entry = name_or_expr if isinstance(name_or_expr, Activation) else get(name_or_expr)
        if not isinstance(entry, Activation):
            raise ParameterError(entry.name, "activation", "is a vector function; properties are elementwise")
        expr = entry.expr.subs({**entry.defaults, **entry.bind(**params)})
        symbolic = sorted(s.name for s in expr.free_symbols - {x})
        if symbolic:
            raise ParameterError(
                entry.name, symbolic[0], "must be a number here: properties work at numeric parameters"
            )
        if entry not in CATALOG:
            _check_domain(entry.name, expr)
        return entry.name, expr
    if params:
        raise ParameterError("properties", next(iter(params)), "applies to catalog names; substitute it yourself")
    if isinstance(name_or_expr, str):
        expr = parse(name_or_expr)
    elif isinstance(name_or_expr, sp.Basic):
        expr = name_or_expr.subs({s: x for s in name_or_expr.free_symbols if s.name == "x"})
    else:
        raise ParameterError(
            "properties", "activation", f"must be a name, string or SymPy expression, not {name_or_expr!r}"
        )
    extra = sorted(s.name for s in expr.free_symbols - {x})
    if extra:
        raise ParameterError(str(expr), extra[0], "has no value; give the expression numbers for its parameters")
    _check_domain(str(expr), expr)
    return "", expr


def _check_domain(name: str, expr: sp.Expr) -> None:
    """Refuse an f that is not real and continuous on each piece (a pole, log of a negative number)."""
    if expr.has(sp.nan, sp.zoo, sp.I, sp.oo, -sp.oo):
        raise ParameterError(name or "properties", "activation", "is not a finite real function (nan, oo or I in it)")
    try:
        found = pieces(expr, {})
    except (TypeError, ValueError, NotImplementedError, RecursionError, SymactError):
        return  # the analysis itself will answer unknown
    for piece in found:
        lo, hi = piece.lo, piece.hi
        try:
            with guard(STEPS["roots"]):
                domain = sp.calculus.util.continuous_domain(expand_named(piece.f), x, sp.Interval.open(lo, hi))
        except ProofTimeout:
            raise
        except (NotImplementedError, ValueError, TypeError, SymactError, RecursionError):
            continue
        if domain != sp.Interval.open(lo, hi):
            raise ParameterError(
                name or "properties", "activation", f"is not real and continuous on ({lo}, {hi}): only on {domain}"
            )


def _known(name: str) -> bool:
    try:
        get(name)
    except SymactError:
        return False
    return True


@isolatable
def properties(
    name_or_expr: str | sp.Expr | Activation,
    budget: float | None = DEFAULT_BUDGETS["properties"],
    **params: float | sp.Expr,
) -> Properties:
    """Every property of the activation (catalog name, string, SymPy expression or ``define``'s object).

    Parameters take their catalog defaults unless given as keywords (numbers). ``budget`` bounds
    the seconds spent (default 180, ``symact.budget.DEFAULT_BUDGETS``; None: unbounded): past it,
    ``ProofTimeout``.
    The answer does not depend on the machine's speed: the budget decides only whether it comes back.
    Where the analysis is out of its depth (infinitely many switch points, f undefined at one,
    an uncertifiable sign), properties are *unknown* with the reason.

    >>> p = properties('softsign')
    >>> p['continuity'].value, p['continuity'].proved
    (1, True)
    >>> properties('sin(x)')['range'].value   # infinitely many critical points, read from one period
    Interval(-1, 1)
    >>> properties('x*cos(x)')['limits'].value is None   # it oscillates: no limit guessed
    True
    """
    validate(budget, "properties")
    with within(budget, "properties"), guard():
        name, f = _activation(name_or_expr, params)
        key = (name, f)
        if key in _CACHE:
            return _CACHE[key]
        try:
            result = _properties(name, f)
        except RecursionError:
            raise ParameterError(name or str(f), "activation", "is nested too deeply to analyse") from None
    _CACHE[key] = result
    return result


_CACHE: dict = {}


def _properties(name: str, f: sp.Expr) -> Properties:
    try:
        a = _Analysis(name, f)
    except _OutOfDepth as err:
        return _all_unknown(name, f, str(err))
    except ProofTimeout:
        raise
    except (TypeError, ValueError, ZeroDivisionError, NotImplementedError, AttributeError, SymactError) as err:
        return _all_unknown(name, f, f"the analysis failed: {type(err).__name__}: {err}")
    items = {}
    for rule in ALL_RULES:
        check()
        try:
            for prop in rule(a, items):
                items[prop.name] = prop
        except ProofTimeout:
            raise
        except (TypeError, ValueError, ZeroDivisionError, NotImplementedError, AttributeError, KeyError,
                SymactError, _OutOfDepth) as err:  # fmt: skip
            reason = f"out of depth: {type(err).__name__}: {err}"
            items.update({n: _unknown(n, reason) for n in rule.names if n not in items})
    audit(a, items)
    items = {k: _undetermined(p) for k, p in items.items()}
    return Properties(name, f, {k: items[k] for k in PROPERTY_NAMES if k in items})


def _undetermined(p: Property) -> Property:
    """A numerical-only value that is nan (a limit at +-oo not found: f oscillates) is unknown, never 'nan'."""
    values = p.value if isinstance(p.value, tuple) else (p.value,)
    if p.proved or not any(v is sp.nan for v in values):
        return p
    return _unknown(p.name, "a limit at +-oo is not determined (f may oscillate)")


#: the rules in order of dependence: each may read what the ones before it found
ALL_RULES = (range_rule, limits_rule, continuity_rule, monotonic_rule, origin_rule, symmetry_rule, lipschitz_rule)


for _rule, _names in (
    (range_rule, ("range", "minimum", "maximum", "bounded_below", "bounded_above")),
    (limits_rule, ("limits", "asymptotes")),
    (continuity_rule, ("continuity",)),
    (monotonic_rule, ("monotonic", "monotonic_intervals", "derivative_monotonic")),
    (origin_rule, ("zero_at_zero", "derivative_at_zero", "identity_near_origin")),
    (symmetry_rule, ("parity", "self_gated")),
    (lipschitz_rule, ("lipschitz", "saturation")),
):
    _rule.names = _names
