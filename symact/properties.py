"""Properties of an activation, each with a proof: range, limits, continuity, monotonicity, Lipschitz.

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

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import lru_cache

import mpmath
import sympy as sp

from .catalog import CATALOG, Activation, get, x
from .errors import ParameterError, ProofTimeout, SymactError
from .functions import expand_named
from .kinks import resolve, switch_points
from .numerics import enclose_critical_point, numeric_roots
from .parse import parse
from .prove import PROVED, UNKNOWN, Evidence, Proof, Step
from .timeout import time_limit

__all__ = ["Property", "Properties", "properties", "PROPERTY_NAMES", "numeric_roots", "enclose_critical_point"]

PROPERTY_NAMES = (
    "range", "minimum", "maximum", "bounded_below", "bounded_above", "limits", "asymptotes", "continuity",
    "monotonic", "monotonic_intervals", "derivative_monotonic", "zero_at_zero", "derivative_at_zero",
    "identity_near_origin", "parity", "self_gated", "lipschitz", "saturation",
)  # fmt: skip

_DIGITS = 50


@dataclass(frozen=True)
class Property:
    """One property's ``value`` with the ``proof`` behind it; ``proved`` is False when numerics alone back it."""

    name: str
    value: object
    proof: Proof
    details: dict = field(default_factory=dict)

    @property
    def proved(self) -> bool:
        return self.proof.status == PROVED

    def __str__(self) -> str:
        return f"{self.name} = {_show(self.value)}" + ("" if self.proved else "  (numerical-only)")


@dataclass(frozen=True)
class Properties(Mapping):
    """The properties of one activation, by name (see ``PROPERTY_NAMES``)."""

    activation: str
    f: sp.Expr
    items_: dict

    def __getitem__(self, key: str) -> Property:
        if key not in self.items_:
            raise ParameterError(self.activation, key, "is not a property", PROPERTY_NAMES)
        return self.items_[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self.items_)

    def __len__(self) -> int:
        return len(self.items_)

    def __str__(self) -> str:
        width = max(map(len, self.items_))
        lines = [f"{self.activation or 'f'}(x) = {self.f}"]
        for name, p in self.items_.items():
            lines.append(f"  {name:<{width}}  {_show(p.value)}" + ("" if p.proved else "  [numerical-only]"))
        return "\n".join(lines)

    def __repr__(self) -> str:
        return f"Properties({self.activation!r}, {len(self)} properties)"


def _show(value) -> str:
    if isinstance(value, tuple):
        return "(" + ", ".join(_show(v) for v in value) + ")"
    if isinstance(value, list):
        return "; ".join(_show(v) for v in value)
    return readable(str(value))


# ---- exact helpers --------------------------------------------------------------------------------


def _num(e) -> sp.Float:
    return sp.N(e, _DIGITS)


def _close(a, b) -> bool:
    if a in (sp.oo, -sp.oo) or b in (sp.oo, -sp.oo):
        return a == b
    return bool(abs(_num(a - b)) < sp.Float(10) ** (10 - _DIGITS))


def _lambert(e: sp.Expr) -> sp.Expr:
    """Simplify with exp(-W(z)) = W(z)/z, the identity SymPy does not apply by itself."""
    if not e.has(sp.LambertW):
        return e
    e = sp.expand(e, power_exp=True)
    e = e.replace(
        lambda t: (
            isinstance(t, sp.exp) and t.args[0].could_extract_minus_sign() and isinstance(-t.args[0], sp.LambertW)
        ),
        lambda t: (-t.args[0]) / (-t.args[0]).args[0],
    )
    e = e.replace(
        lambda t: isinstance(t, sp.exp) and isinstance(t.args[0], sp.LambertW), lambda t: t.args[0].args[0] / t.args[0]
    )
    return sp.simplify(e)


def _is_zero(e: sp.Expr) -> bool | None:
    """True / False when decided exactly; None when SymPy cannot tell.

    A constant is first evaluated at 50 digits; an expression in x (for which a counterexample
    was looked for already) is only ever proved zero, never declared non-zero here.
    """
    if not e.has(x) and not _close(e, 0):
        return False
    try:
        with time_limit(3, "zero test"):
            return True if _lambert(sp.simplify(expand_named(e))) == 0 else None
    except ProofTimeout:
        return None


@lru_cache(maxsize=1024)
def _limit(g: sp.Expr, point) -> tuple[sp.Expr, bool]:
    """The limit of g at ``point`` (an end of a piece), exactly when SymPy manages."""
    if point not in (sp.oo, -sp.oo):
        value = g.subs(x, point)
        if value.is_finite:
            return value, True
    fn = _mp(g)
    sign = 1 if point == sp.oo else -1
    with mpmath.workdps(60):
        try:
            far = [fn(mpmath.mpf(t) * sign) for t in (10**4, 10**8)]
        except (TypeError, ValueError, ZeroDivisionError, OverflowError):
            far = None
    expanded = expand_named(g)
    for form in (lambda: expanded, lambda: sp.together(expanded), lambda: sp.simplify(expanded)):
        try:
            with time_limit(5, "limit"):
                value = sp.limit(form(), x, point, "-" if point != -sp.oo else "+")
        except (ProofTimeout, NotImplementedError, ValueError, TypeError):
            continue
        if value.is_extended_real and not value.has(sp.AccumBounds) and _plausible(value, far):
            return _tidy(value), True
    if far is None:
        return sp.nan, False
    value = sp.Float(far[-1], 15) if abs(far[-1] - far[0]) < 1e-10 else sp.oo * sp.sign(far[-1])
    return value, False


def _plausible(value: sp.Expr, far) -> bool:
    """SymPy's limit agrees with the values far out (SymPy's gruntz has been seen to return wrong limits)."""
    if far is None or any(not mpmath.isfinite(v) for v in far):
        return True
    if value in (sp.oo, -sp.oo):
        return (far[1] > 0) == (value == sp.oo) and abs(far[1]) > abs(far[0])
    return abs(far[1] - mpmath.mpf(str(sp.N(value, 30)))) < mpmath.mpf("1e-3") * (1 + abs(far[1]))


def _tidy(e: sp.Expr) -> sp.Expr:
    try:
        with time_limit(2, "simplify"):
            simpler = sp.nsimplify(sp.simplify(e)) if e.is_Float else sp.simplify(e)
            return simpler if sp.count_ops(simpler) <= sp.count_ops(e) else e
    except (ProofTimeout, ValueError):
        return e


def _mp(g: sp.Expr):
    from .testing import mp_function

    return mp_function(g)


# ---- roots and signs on an interval ---------------------------------------------------------------


@dataclass(frozen=True)
class _Roots:
    points: tuple  # sorted exact (or Float) roots inside the open interval
    exact: bool
    how: str
    zero: bool = False  # the function vanishes identically there


@lru_cache(maxsize=1024)
def _roots(h: sp.Expr, lo, hi) -> _Roots:
    """Every root of the smooth h in (lo, hi): exact when the set is known complete."""
    if not h.has(x):
        zero = _is_zero(h)
        return _Roots((), zero is not None, "a constant", bool(zero))
    hn = expand_named(h)
    domain = sp.Interval.open(lo, hi)
    try:
        with time_limit(3, "solveset"):
            found = sp.solveset(hn, x, domain)
    except (ProofTimeout, NotImplementedError, ValueError, TypeError):
        found = None
    if found is sp.S.EmptySet:
        return _Roots((), True, "solveset: no root")
    if isinstance(found, sp.FiniteSet) and all(r.is_real for r in found):
        return _Roots(tuple(sorted(found, key=_num)), True, "solveset: the complete finite set of roots")
    if isinstance(found, (sp.Interval, sp.Union)):
        return _Roots((), True, "vanishes on an interval, hence everywhere (analytic)", zero=True)
    if isinstance(found, sp.ConditionSet):
        cond = found.condition
        monotone = _monotone_root(cond.lhs - cond.rhs, lo, hi, domain)
        if monotone is not None:
            return monotone
    return _Roots(tuple(numeric_roots(_mp(h), lo, hi)), False, "sign changes on a grid, refined by findroot")


def _monotone_root(n: sp.Expr, lo, hi, domain) -> _Roots | None:
    """At most one root when n' has none; then find it in closed form (Lambert W) and check n(r) = 0."""
    try:
        with time_limit(3, "monotone numerator"):
            if sp.solveset(sp.diff(n, x), x, domain) is not sp.S.EmptySet:
                return None
            candidates = sp.solve(n, x)
    except (ProofTimeout, NotImplementedError, ValueError, TypeError):
        return None
    for r in candidates:
        value = _num(r)
        if not value.is_real or not (_num(lo) < value < _num(hi)):
            continue
        if _is_zero(n.subs(x, r)):
            return _Roots((r,), True, f"the numerator {n} is strictly monotone, so {r} is its only root")
    return None


def _sample(a, b) -> sp.Rational:
    """A rational point strictly inside (a, b)."""
    if a == -sp.oo and b == sp.oo:
        return sp.Integer(0)
    if a == -sp.oo:
        return sp.floor(_num(b)) - 1
    if b == sp.oo:
        return sp.ceiling(_num(a)) + 1
    return sp.nsimplify((_num(a) + _num(b)) / 2, rational=True, tolerance=abs(_num(b - a)) / 8)


def _sign_at(h: sp.Expr, point) -> int:
    value = _num(h.subs(x, point))
    return int(bool(value > 0)) - int(bool(value < 0))


def _signs(h: sp.Expr, lo, hi) -> tuple[list, _Roots]:
    """(a, b, sign) for the pieces of (lo, hi) between consecutive roots of h."""
    roots = _roots(h, lo, hi)
    if roots.zero:
        return [(lo, hi, 0)], roots
    cuts = [lo, *roots.points, hi]
    return [(a, b, _sign_at(h, _sample(a, b))) for a, b in zip(cuts, cuts[1:])], roots


# ---- the analysis of one activation ---------------------------------------------------------------


@dataclass(frozen=True)
class _Piece:
    lo: sp.Expr
    hi: sp.Expr
    f: sp.Expr


class _Analysis:
    """f split into smooth pieces between its switch points, with everything derived once."""

    def __init__(self, name: str, f: sp.Expr):
        self.name, self.f = name, f
        self.points = switch_points(f, {})
        cuts = [-sp.oo, *self.points, sp.oo]
        self.pieces = [_Piece(a, b, resolve(f, {x: _sample(a, b)})) for a, b in zip(cuts, cuts[1:])]
        self.values = [f.subs(x, p) for p in self.points]
        self.df = [_tidy(sp.diff(p.f, x)) for p in self.pieces]
        self.d2f = [_tidy(sp.diff(d, x)) for d in self.df]
        self.df_signs = [_signs(d, p.lo, p.hi) for d, p in zip(self.df, self.pieces)]
        self.d2f_signs = [_signs(d, p.lo, p.hi) for d, p in zip(self.d2f, self.pieces)]


def _activation(name_or_expr, params) -> tuple[str, sp.Expr]:
    bare = isinstance(name_or_expr, str) and name_or_expr.strip().replace("-", "_").isidentifier()
    if isinstance(name_or_expr, Activation) or bare or (isinstance(name_or_expr, str) and _known(name_or_expr)):
        entry = get(name_or_expr)
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
    cuts = [-sp.oo, *switch_points(expr, {}), sp.oo]
    for lo, hi in zip(cuts, cuts[1:]):
        piece = expand_named(resolve(expr, {x: _sample(lo, hi)}))
        try:
            with time_limit(5, "domain check"):
                domain = sp.calculus.util.continuous_domain(piece, x, sp.Interval.open(lo, hi))
        except (ProofTimeout, NotImplementedError, ValueError, TypeError):
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


def properties(name_or_expr, **params) -> Properties:
    """Every property of the activation (catalog name, string or SymPy expression), each with a proof.

    Parameters take their catalog defaults unless given as keywords (numbers).

    >>> p = properties('softsign')
    >>> p['continuity'].value, p['continuity'].proved
    (1, True)
    """
    name, f = _activation(name_or_expr, params)
    return _properties(name, f)


@lru_cache(maxsize=128)
def _properties(name: str, f: sp.Expr) -> Properties:
    from .property_rules import ALL_RULES

    a = _Analysis(name, f)
    items = {}
    for rule in ALL_RULES:
        for prop in rule(a, items):
            items[prop.name] = prop
    return Properties(name, f, {k: items[k] for k in PROPERTY_NAMES if k in items})


_LONG_RATIONAL = re.compile(r"(\d{20,})/(\d{20,})")


def readable(text: str) -> str:
    """Long exact rationals (selu's constants) shown as 20-digit decimals.

    >>> readable('x > 16732632423543772848170429916717/10000000000000000000000000000000')
    'x > 1.6732632423543772848'
    """
    return _LONG_RATIONAL.sub(lambda m: str(sp.N(sp.Rational(int(m[1]), int(m[2])), 20)), text)


def proof(statement: str, exact: bool, method: str, steps=(), evidence=None, **details) -> Proof:
    """A Proof that is ``proved`` when ``exact``, else ``unknown`` with numerical evidence."""
    statement = readable(statement)
    status = PROVED if exact else UNKNOWN
    if not exact and evidence is None:
        evidence = Evidence(points=1, digits=30, max_difference=0.0)
    return Proof(statement, status, method, tuple(Step(e, r) for e, r in steps), None, evidence, details=details)
