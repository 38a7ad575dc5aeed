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
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import wraps

import mpmath
import sympy as sp

from symact.catalog import CATALOG, Activation, get, x
from symact.errors import ParameterError, ProofTimeout, SymactError, UndecidedSign
from symact.functions import expand_named
from symact.kinks import resolve, switch_points
from symact.numerics import certified_sign, enclose_critical_point, numeric_roots
from symact.parsing import parse
from symact.proof import PROVED, UNKNOWN, Evidence, Proof, Step
from symact.timeout import _scope, budget_scope, internal_limit, time_limit

__all__ = [
    "Property", "Properties", "properties", "PROPERTY_NAMES", "DEFAULT_BUDGET", "numeric_roots",
    "enclose_critical_point",
]  # fmt: skip

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


# ---- budgets, degraded answers and caches ----------------------------------------------------------

DEFAULT_BUDGET = 180.0  # seconds for one properties() call; internal limits are fractions of it
_LIMITS = {"zero test": 3, "limit": 10, "simplify": 2, "solveset": 3, "monotone numerator": 3, "domain check": 5}
_LIMITS.update({"audit": 5, "sign": 3})  # nominal seconds of the internal limits at the default budget


@contextmanager
def _limited(what: str):
    """An internal time limit, a fraction of the caller's budget; running out marks the answer as degraded."""
    with internal_limit(_LIMITS[what], what):
        yield


def _memo(fn):
    """Cache fn's results, but never one computed while an internal time limit cut something short."""
    cache = {}

    @wraps(fn)
    def cached(*args):
        if args in cache:
            return cache[args]
        with budget_scope(_scope["scale"]) as cut:
            result = fn(*args)
        if not cut and len(cache) < 4096:
            cache[args] = result
        return result

    cached.cache_clear = cache.clear
    return cached


# ---- certified helpers ------------------------------------------------------------------------------


def _num(e) -> sp.Float:
    """A 50-digit value, for display and for choosing sample points only (never for a decision)."""
    return sp.N(e, _DIGITS)


def _sign(e) -> int | None:
    """The certified sign of a real constant (+-oo included); None when it cannot be certified."""
    if e in (sp.oo, -sp.oo):
        return 1 if e == sp.oo else -1
    try:
        with _limited("sign"):
            return certified_sign(e)
    except (ProofTimeout, TypeError, ValueError, ZeroDivisionError, RecursionError, AttributeError):
        return None


def _cmp(a, b) -> int | None:
    """Certified sign of a - b for real constants or +-oo; None when undecided."""
    if a in (sp.oo, -sp.oo) or b in (sp.oo, -sp.oo):
        if a == b:
            return 0
        return 1 if a == sp.oo or b == -sp.oo else -1
    return _sign(sp.sympify(a) - sp.sympify(b))


def _close(a, b) -> bool | None:
    """a = b, certified (exact zero test of a - b); None when undecided. No tolerance."""
    c = _cmp(a, b)
    return None if c is None else c == 0


def _finite_real(e) -> bool:
    return isinstance(e, sp.Basic) and not e.has(sp.nan, sp.zoo, sp.oo, -sp.oo, sp.I) and e.is_real is not False


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
    """True / False when decided exactly; None when it cannot be settled.

    A constant by its certified sign; an expression in x is only ever proved zero (simplified
    to 0), never declared non-zero here.
    """
    if not isinstance(e, sp.Basic) or e.has(sp.nan, sp.zoo):
        return None
    if not e.has(x):
        s = _sign(e)
        if s is not None:
            return s == 0
    try:
        with _limited("zero test"):
            return True if _lambert(sp.simplify(expand_named(e))) == 0 else None
    except (ProofTimeout, TypeError, ValueError, NotImplementedError, RecursionError):
        return None


_FAR = {sp.oo: (10**4, 10**8), -sp.oo: (-(10**4), -(10**8))}


def _limit(g: sp.Expr, point, side: str = "-") -> tuple[sp.Expr, bool]:
    """The one-sided limit of g at ``point`` from ``side`` ('-': from the left, '+': from the right).

    Exact when SymPy manages and its answer agrees with g evaluated close to the point (SymPy's
    gruntz has been seen to return wrong limits); otherwise a numerical value (or nan) and False.
    """
    return _one_sided_limit(g, point, side if point not in (sp.oo, -sp.oo) else "-" if point == sp.oo else "+")


@_memo
def _one_sided_limit(g: sp.Expr, point, side: str) -> tuple[sp.Expr, bool]:
    if point not in (sp.oo, -sp.oo):
        value = g.subs(x, point)
        if _finite_real(value) and value.is_finite and not g.has(sp.sign, sp.Heaviside, sp.Abs, sp.Max, sp.Min):
            return value, True
    far = _near_values(g, point, side)
    expanded = expand_named(g)
    with budget_scope(_scope["scale"]) as cut:
        for form in (lambda: expanded, lambda: sp.together(expanded), lambda: sp.simplify(expanded)):
            try:
                with _limited("limit"):
                    value = sp.limit(form(), x, point, side)
            except (ProofTimeout, NotImplementedError, ValueError, TypeError, ZeroDivisionError, RecursionError):
                continue
            if value.is_extended_real and not value.has(sp.AccumBounds, sp.nan, sp.zoo) and _plausible(value, far):
                cut.clear()  # an exact limit is complete, whichever form gave it
                break
        else:
            value = None
    if value is not None:
        return _tidy(value), True
    if far is None:
        return sp.nan, False
    if abs(far[-1] - far[0]) < 1e-10:
        return sp.Float(far[-1], 15), False
    if abs(far[-1]) > 10 * abs(far[0]) and (far[0] > 0) == (far[-1] > 0):
        return sp.oo * sp.sign(far[-1]), False
    return sp.nan, False


def _near_values(g: sp.Expr, point, side: str):
    """g at two points approaching ``point`` (far out for +-oo), skipping arguments too large to evaluate."""
    if point in (sp.oo, -sp.oo):
        ts = [sp.Integer(t) for t in _FAR[point]]
    else:
        step = -1 if side == "-" else 1
        ts = [point + step * sp.Rational(1, 10**k) for k in (6, 12)]
    fn = _mp(g)
    out = []
    for t in ts:
        if _too_large(g, t):
            return None
        try:
            with mpmath.workdps(60), _limited("limit"):
                v = fn(mpmath.mpf(_num(t)))
        except (TypeError, ValueError, ZeroDivisionError, OverflowError, ProofTimeout, AttributeError):
            return None
        if not isinstance(v, mpmath.mpf):
            return None
        out.append(v)
    return out


def _too_large(g: sp.Expr, t) -> bool:
    """True when evaluating g at t would take exp/cosh of a huge argument (exp(exp(10**8)))."""
    from symact.numerics import _too_large as huge

    try:
        return huge(g.subs(x, t))
    except (TypeError, ValueError, RecursionError):
        return True


def _plausible(value: sp.Expr, far) -> bool:
    """SymPy's limit agrees with the values close to the point (a plausibility check, never a proof)."""
    if far is None or any(not mpmath.isfinite(v) for v in far):
        return True
    if value in (sp.oo, -sp.oo):
        return (far[1] > 0) == (value == sp.oo) and abs(far[1]) > abs(far[0])
    return abs(far[1] - mpmath.mpf(str(sp.N(value, 30)))) < mpmath.mpf("1e-3") * (1 + abs(far[1]))


def _tidy(e: sp.Expr) -> sp.Expr:
    try:
        with _limited("simplify"):
            simpler = sp.nsimplify(sp.simplify(e)) if e.is_Float else sp.simplify(e)
            return simpler if sp.count_ops(simpler) <= sp.count_ops(e) else e
    except (ProofTimeout, ValueError, TypeError, RecursionError):
        return e


def _mp(g: sp.Expr):
    from symact.functions import mp_function

    return mp_function(g)


# ---- roots and signs on an interval ---------------------------------------------------------------


@dataclass(frozen=True)
class _Roots:
    points: tuple  # sorted exact (or Float) roots inside the open interval
    exact: bool
    how: str
    zero: bool = False  # the function vanishes identically there


@_memo
def _roots(h: sp.Expr, lo, hi) -> _Roots:
    """Every root of the smooth h in (lo, hi): exact when the set is known complete.

    A root set with infinitely many points (a union of ImageSets, as for cos) is never read as
    'vanishes on an interval': h vanishes identically only when h simplifies to 0.
    """
    if not h.has(x):
        zero = _is_zero(h)
        return _Roots((), zero is not None, "a constant", bool(zero))
    hn = expand_named(h)
    domain = sp.Interval.open(lo, hi)
    try:
        with _limited("solveset"):
            found = sp.solveset(hn, x, domain)
    except (ProofTimeout, NotImplementedError, ValueError, TypeError, ZeroDivisionError, RecursionError):
        found = None
    if found is sp.S.EmptySet:
        return _Roots((), True, "solveset: no root")
    if isinstance(found, sp.Set) and found.has(sp.Interval) and _is_zero(h):
        return _Roots((), True, "simplifies to 0", zero=True)
    if isinstance(found, sp.FiniteSet) and all(r.is_real and not r.has(sp.Float) for r in found):
        ordered = sorted(found, key=_num)
        inside = all(_cmp(a, b) == -1 for a, b in zip([lo, *ordered], [*ordered, hi]))
        if inside:
            return _Roots(tuple(ordered), True, "solveset: the complete finite set of roots")
    if isinstance(found, sp.ConditionSet):
        cond = found.condition
        if isinstance(cond, sp.core.relational.Relational):
            monotone = _monotone_root(cond.lhs - cond.rhs, lo, hi, domain)
            if monotone is not None:
                return monotone
    how = "sign changes on a grid, refined by findroot"
    if isinstance(found, sp.Set) and found.has(sp.ImageSet):
        how = "infinitely many roots (a periodic family); " + how + " on [-40, 40] only"
    try:
        return _Roots(tuple(numeric_roots(_mp(h), lo, hi)), False, how)
    except (TypeError, ValueError, ZeroDivisionError, OverflowError, AttributeError):
        return _Roots((), False, "no numerical roots could be computed")


def _monotone_root(n: sp.Expr, lo, hi, domain) -> _Roots | None:
    """At most one root when n' has none; then find it in closed form (Lambert W) and check n(r) = 0."""
    try:
        with _limited("monotone numerator"):
            if sp.solveset(sp.diff(n, x), x, domain) is not sp.S.EmptySet:
                return None
            candidates = sp.solve(n, x)
    except (ProofTimeout, NotImplementedError, ValueError, TypeError, ZeroDivisionError, RecursionError):
        return None
    for r in candidates:
        if r.has(sp.Float, sp.I) or _cmp(lo, r) != -1 or _cmp(r, hi) != -1:
            continue
        if _is_zero(n.subs(x, r)):
            return _Roots((r,), True, f"the numerator {n} is strictly monotone, so {r} is its only root")
    return None


def _sample(a, b) -> sp.Expr:
    """A rational point strictly inside (a, b) (certified; the exact midpoint when no rational is)."""
    if a == -sp.oo and b == sp.oo:
        return sp.Integer(0)
    if a == -sp.oo:
        return sp.floor(_num(b)) - 1
    if b == sp.oo:
        return sp.ceiling(_num(a)) + 1
    q = sp.nsimplify((_num(a) + _num(b)) / 2, rational=True, tolerance=abs(_num(b - a)) / 8)
    if _cmp(a, q) == -1 and _cmp(q, b) == -1:
        return q
    return (a + b) / 2


def _sign_at(h: sp.Expr, point) -> int | None:
    try:
        return _sign(resolve(h, {x: point}).subs(x, point))
    except UndecidedSign:
        return None


def _signs(h: sp.Expr, lo, hi) -> tuple[list, _Roots]:
    """(a, b, sign) for the pieces of (lo, hi) between consecutive roots of h; sign None when uncertified."""
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
    """f split into smooth pieces between its switch points, with everything derived once.

    Raises ``_OutOfDepth`` when a switch function may change sign inside a piece (sign(sin(x)) has
    infinitely many switch points) or f is undefined at a switch point.
    """

    def __init__(self, name: str, f: sp.Expr):
        self.name, self.f = name, f
        self.points = switch_points(f, {})
        if any(p.has(sp.Float) or not _finite_real(p) for p in self.points):
            raise _OutOfDepth("a switch point is not an exact real number")
        cuts = [-sp.oo, *self.points, sp.oo]
        if any(_cmp(a, b) != -1 for a, b in zip(cuts, cuts[1:])):
            raise _OutOfDepth("the switch points could not be ordered with certainty")
        self.pieces = [_Piece(a, b, resolve(f, {x: _sample(a, b)})) for a, b in zip(cuts, cuts[1:])]
        _check_switches(f, self.pieces)
        self.values = [_value_at(f, p) for p in self.points]
        self.df = [_tidy(sp.diff(p.f, x)) for p in self.pieces]
        self.d2f = [_tidy(sp.diff(d, x)) for d in self.df]
        self.df_signs = [_signs(d, p.lo, p.hi) for d, p in zip(self.df, self.pieces)]
        self.d2f_signs = [_signs(d, p.lo, p.hi) for d, p in zip(self.d2f, self.pieces)]


class _OutOfDepth(Exception):
    """The piecewise analysis does not apply to this f (internal; becomes unknown verdicts)."""


def _check_switches(f: sp.Expr, pieces) -> None:
    """Every switch function keeps one sign inside every piece (its roots there are exactly none)."""
    from symact.kinks import switch_functions

    for g in switch_functions(f):
        for p in pieces:
            try:
                smooth = resolve(g, {x: _sample(p.lo, p.hi)})
            except UndecidedSign as err:
                raise _OutOfDepth(str(err)) from None
            roots = _roots(smooth, p.lo, p.hi)
            if not (roots.exact and not roots.points and not roots.zero) and not (roots.zero and roots.exact):
                raise _OutOfDepth(f"{g} may change sign inside ({p.lo}, {p.hi}): {roots.how}")


def _value_at(f: sp.Expr, point) -> sp.Expr:
    try:
        value = resolve(f, {x: point}).subs(x, point)
    except UndecidedSign as err:
        raise _OutOfDepth(str(err)) from None
    if not (_finite_real(value) and value.is_finite):
        raise _OutOfDepth(f"f is not defined at x = {point} (f({point}) = {value})")
    return value


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
        cuts = [-sp.oo, *switch_points(expr, {}), sp.oo]
    except (TypeError, ValueError, NotImplementedError, RecursionError):
        return  # the analysis itself will answer unknown
    for lo, hi in zip(cuts, cuts[1:]):
        try:
            piece = expand_named(resolve(expr, {x: _sample(lo, hi)}))
            with _limited("domain check"):
                domain = sp.calculus.util.continuous_domain(piece, x, sp.Interval.open(lo, hi))
        except (ProofTimeout, NotImplementedError, ValueError, TypeError, SymactError, RecursionError):
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


def properties(name_or_expr, budget: float | None = DEFAULT_BUDGET, **params) -> Properties:
    """Every property of the activation (catalog name, string, SymPy expression or ``define``'s object).

    Parameters take their catalog defaults unless given as keywords (numbers). ``budget`` bounds
    the seconds spent (default ``DEFAULT_BUDGET`` = 180; None: unbounded): past it, ``ProofTimeout``.
    Internal limits (a limit, a root set, a simplification) are fractions of the budget; a property
    they cut short is *unknown* with the reason 'time limit', and such a result is never cached.
    Where the analysis is out of its depth (infinitely many switch points, f undefined at one,
    an uncertifiable sign), properties are *unknown* with the reason.

    >>> p = properties('softsign')
    >>> p['continuity'].value, p['continuity'].proved
    (1, True)
    >>> properties('sin(x)')['range'].proved   # infinitely many critical points: not claimed
    False
    """
    name, f = _activation(name_or_expr, params)
    key = (name, f)
    if key in _CACHE:
        return _CACHE[key]
    scale = 1.0 if budget is None else budget / DEFAULT_BUDGET
    try:
        with budget_scope(scale) as cut, time_limit(budget, f"properties({name or str(f)!r})"):
            deadline = None if budget is None else time.monotonic() + budget
            result = _properties(name, f, cut, deadline)
    except RecursionError:
        raise ParameterError(name or str(f), "activation", "is nested too deeply to analyse") from None
    if not cut:
        _CACHE[key] = result
    return result


_CACHE: dict = {}


def _properties(name: str, f: sp.Expr, cut: list, deadline: float | None) -> Properties:
    from symact.analysis.rules import ALL_RULES

    try:
        a = _Analysis(name, f)
    except _OutOfDepth as err:
        limits = f"time limit: {', '.join(dict.fromkeys(cut))}; " if cut else ""
        return _all_unknown(name, f, limits + str(err))
    except ProofTimeout:
        raise
    except (TypeError, ValueError, ZeroDivisionError, NotImplementedError, AttributeError, SymactError) as err:
        return _all_unknown(name, f, f"the analysis failed: {type(err).__name__}: {err}")
    items = {}
    for rule in ALL_RULES:
        try:
            for prop in rule(a, items):
                items[prop.name] = prop
        except ProofTimeout:
            if not cut or (deadline is not None and time.monotonic() >= deadline):
                raise
            reason = "time limit: " + ", ".join(dict.fromkeys(cut))
            items.update({n: _unknown(n, reason) for n in rule.names if n not in items})
        except (TypeError, ValueError, ZeroDivisionError, NotImplementedError, AttributeError, KeyError,
                SymactError, _OutOfDepth) as err:  # fmt: skip
            reason = f"out of depth: {type(err).__name__}: {err}"
            items.update({n: _unknown(n, reason) for n in rule.names if n not in items})
    from symact.analysis.rules import audit

    audit(a, items)
    if cut:
        reason = "time limit: " + ", ".join(dict.fromkeys(cut))
        items = {k: p if p.proved else _with_reason(p, reason) for k, p in items.items()}
    return Properties(name, f, {k: items[k] for k in PROPERTY_NAMES if k in items})


def _unknown(name: str, reason: str) -> Property:
    return Property(name, None, proof(f"{name} unknown: {reason}", False, reason), {"reason": reason})


def _with_reason(p: Property, reason: str) -> Property:
    return Property(p.name, p.value, p.proof, {**p.details, "reason": p.details.get("reason", reason)})


def _all_unknown(name: str, f: sp.Expr, reason: str) -> Properties:
    return Properties(name, f, {n: _unknown(n, reason) for n in PROPERTY_NAMES})


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
