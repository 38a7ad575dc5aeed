"""Exact helpers of the analysis: caches, certified signs and comparisons,
one-sided limits, and the roots and signs of an expression on an interval.

>>> _cmp(sp.sqrt(2), sp.Rational(3, 2))
-1
>>> _roots(x**2 - 2, -sp.oo, sp.oo).points
(-sqrt(2), sqrt(2))
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import wraps

import mpmath
import sympy as sp

from symact.budget import StepLimit, expired, guard
from symact.catalog import x
from symact.errors import UndecidedSign
from symact.functions import expand_named, mp_function
from symact.kernels.asymptotics import guarded_limit
from symact.kinks import resolve
from symact.magnitude import substituted
from symact.numerics import certified_sign, numeric_roots
from symact.precision import precision
from symact.tidy import is_zero, tidy

__all__: list[str] = []


_DIGITS = 50

# ---- step bounds and caches --------------------------------------------------------------------------

#: Python calls one SymPy method may make before it is declined (``symact.budget.guard``): work, not seconds,
#: so the same input is answered the same way on every machine. 10**6 calls is about a second on one core.
STEPS = {"sign": 10**6, "zero test": 10**6, "limit": 3 * 10**6, "simplify": 10**6, "roots": 2 * 10**6}


def _memo(fn):
    """Cache fn's results, but never one computed after the call's deadline passed (it may be cut short)."""
    cache = {}

    @wraps(fn)
    def cached(*args):
        if args in cache:
            return cache[args]
        result = fn(*args)
        if not expired() and len(cache) < 4096:
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
        with guard(STEPS["sign"]):
            return certified_sign(e)
    except (TypeError, ValueError, ZeroDivisionError, RecursionError, AttributeError, StepLimit):
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
    return tidy(e)


def _is_zero(e: sp.Expr) -> bool | None:
    """True / False when decided exactly; None when it cannot be settled.

    A constant by its certified sign; an expression in x is only ever proved zero (rewritten to 0 by
    ``symact.tidy``'s fixed passes), never declared non-zero here.
    """
    if not isinstance(e, sp.Basic) or e.has(sp.nan, sp.zoo):
        return None
    if not e.has(x):
        s = _sign(e)
        if s is not None:
            return s == 0
    try:
        with guard(STEPS["zero test"]):
            return True if is_zero(e) or _lambert(tidy(expand_named(e))) == 0 else None
    except (TypeError, ValueError, NotImplementedError, RecursionError, StepLimit):
        return None


_FAR = {sp.oo: (10**4, 10**8), -sp.oo: (-(10**4), -(10**8))}


def _limit(g: sp.Expr, point, side: str = "-") -> tuple[sp.Expr, bool]:
    """The one-sided limit of g at ``point`` from ``side`` ('-': from the left, '+': from the right).

    At +-oo, first the certified asymptotic series (``symact.kernels.asymptotics``). Else exact when SymPy
    manages and its answer agrees with g evaluated close to the point (SymPy's gruntz has been seen to return
    wrong limits); otherwise a numerical value (or nan) and False.
    """
    return _one_sided_limit(g, point, side if point not in (sp.oo, -sp.oo) else "-" if point == sp.oo else "+")


@_memo
def _one_sided_limit(g: sp.Expr, point, side: str) -> tuple[sp.Expr, bool]:
    if point not in (sp.oo, -sp.oo):
        value = g.subs(x, point)
        if _finite_real(value) and value.is_finite and not g.has(sp.sign, sp.Heaviside, sp.Abs, sp.Max, sp.Min):
            return value, True
    far = _near_values(g, point, side)
    if point in (sp.oo, -sp.oo):
        certified = guarded_limit(g, x, 1 if point == sp.oo else -1, lambda value: _plausible(value, far))
        if certified is not None:
            return _tidy(certified), True
    expanded = expand_named(g)
    for form in (lambda: expanded, lambda: sp.together(expanded), lambda: tidy(expanded)):
        try:
            with guard(STEPS["limit"]):
                value = sp.limit(form(), x, point, side)
        except (NotImplementedError, ValueError, TypeError, ZeroDivisionError, RecursionError, StepLimit):
            continue
        if value.is_extended_real and not value.has(sp.AccumBounds, sp.nan, sp.zoo) and _plausible(value, far):
            break
        if value.has(sp.AccumBounds) and point in (sp.oo, -sp.oo):
            return sp.nan, False  # it oscillates: two far values say nothing about a limit
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
        try:
            with precision(60), guard():
                v = fn(mpmath.mpf(_num(t)))
        except (TypeError, ValueError, ZeroDivisionError, OverflowError, AttributeError):
            return None
        if not isinstance(v, mpmath.mpf):
            return None
        out.append(v)
    return out


def _plausible(value: sp.Expr, far) -> bool:
    """SymPy's limit agrees with the values close to the point (a plausibility check, never a proof)."""
    if far is None or any(not mpmath.isfinite(v) for v in far):
        return True
    if value in (sp.oo, -sp.oo):
        return (far[1] > 0) == (value == sp.oo) and abs(far[1]) > abs(far[0])
    return abs(far[1] - mpmath.mpf(str(sp.N(value, 30)))) < mpmath.mpf("1e-3") * (1 + abs(far[1]))


def _tidy(e: sp.Expr) -> sp.Expr:
    try:
        with guard(STEPS["simplify"]):
            return sp.nsimplify(e) if e.is_Float else tidy(e)
    except (ValueError, TypeError, RecursionError, StepLimit):
        return e


def _mp(g: sp.Expr):
    return mp_function(g)


# ---- roots and signs on an interval ---------------------------------------------------------------


@dataclass(frozen=True)
class _Roots:
    points: tuple  # sorted exact (or Float) roots inside the open interval
    exact: bool
    how: str
    zero: bool = False  # the function vanishes identically there
    period: sp.Expr | None = None  # the points (and signs) repeat with this period, forever


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
        with guard(STEPS["roots"]):
            found = sp.solveset(hn, x, domain)
    except (NotImplementedError, ValueError, TypeError, ZeroDivisionError, RecursionError, StepLimit):
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
        with guard(STEPS["roots"]):
            if sp.solveset(sp.diff(n, x), x, domain) is not sp.S.EmptySet:
                return None
            candidates = sp.solve(n, x)
    except (NotImplementedError, ValueError, TypeError, ZeroDivisionError, RecursionError, StepLimit):
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
        value = substituted(resolve(h, {x: point}), {x: point})
    except UndecidedSign:
        return None
    return _sign(value) if value is not None else None


def _signs(h: sp.Expr, lo, hi) -> tuple[list, _Roots]:
    """(a, b, sign) for the pieces of (lo, hi) between consecutive roots of h; sign None when uncertified."""
    roots = _roots(h, lo, hi)
    if roots.zero:
        return [(lo, hi, 0)], roots
    cuts = [lo, *roots.points, hi]
    return [(a, b, _sign_at(h, _sample(a, b))) for a, b in zip(cuts, cuts[1:])], roots
