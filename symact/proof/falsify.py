"""Numerical falsification: sample points, 50-digit evaluation, and accuracy-tracked rechecks of counterexamples."""

from __future__ import annotations

import random
from collections.abc import Callable
from itertools import islice, product

import mpmath
import sympy as sp
from sympy.core.evalf import PrecisionExhausted

from symact.budget import check, guard
from symact.catalog import x
from symact.defined import has_value
from symact.errors import ParameterError, ProofTimeout, SymactError, UndecidedSign
from symact.functions import mp_function
from symact.kinks import is_smooth, resolve, smooth_variants, switch_functions, switch_points
from symact.magnitude import too_large
from symact.numerics import certified_sign, numeric_roots
from symact.precision import precision
from symact.proof.result import DIGITS, RECHECK_DIGITS, Evidence, _text

# ---- numerical falsification ------------------------------------------------------------------

_NICE_X = [1, -1, 2, sp.Rational(1, 2), -sp.Rational(1, 2), 0, 3, -2, sp.Rational(1, 3), -sp.Rational(7, 3), 5, -5]
_LARGE_X = [30, -30, 100, -100, 400, -400]
_FAR_X = [3000, -3000, 10**5, -(10**5)]  # last: a term that wakes only far out (x*sigmoid(x - 1000))


def _allowed(symbol: sp.Symbol, value: sp.Rational) -> bool:
    """Whether ``value`` has every property the symbol assumes (even, odd, nonzero, prime, ...)."""
    return all(getattr(value, f"is_{fact}", None) in (None, holds) for fact, holds in symbol.assumptions0.items())


def _parameter_samples(symbol: sp.Symbol, rng: random.Random, count: int) -> list[sp.Rational]:
    """Values for a parameter that respect all its assumptions (an odd n is never 4).

    >>> n = sp.Symbol('n', integer=True, odd=True, positive=True)
    >>> sorted(set(_parameter_samples(n, random.Random(0), 20)))
    [1, 3, 5]
    """
    if symbol.is_integer:
        pool = (
            list(range(1, 7))
            if symbol.is_positive
            else list(range(0, 7))
            if symbol.is_nonnegative
            else list(range(-4, 5))
        )
        pool = [v for v in pool if _allowed(symbol, sp.Integer(v))] or pool
        return [sp.Integer(rng.choice(pool)) for _ in range(count)]
    if symbol.is_positive or symbol.is_nonnegative:
        fixed = [1, 2, sp.Rational(1, 2), 3, sp.Rational(1, 10), sp.Rational(5, 2)]
        fixed = [sp.sympify(v) for v in fixed] + ([sp.Integer(0)] if not symbol.is_positive else [])
        rand = [sp.Rational(rng.randint(1, 6000), 1000) for _ in range(count)]
    else:
        fixed = [sp.sympify(v) for v in (1, -1, 2, sp.Rational(1, 2), -sp.Rational(3, 2), 0, 3)]
        rand = [sp.Rational(rng.randint(-6000, 6000), 1000) for _ in range(count)]
    values = fixed + rand
    if symbol.is_negative or symbol.is_nonpositive:
        values = [-abs(v) for v in values if v != 0 or not symbol.is_negative]
    return [v for v in values if _allowed(symbol, v)][:count]


def _corners(params: list) -> list[dict]:
    """Every parameter at once at its boundary (0 when allowed), tiny, and large (both signs when unsigned)."""

    def signed(symbol, magnitude):
        return -magnitude if (symbol.is_negative or symbol.is_nonpositive) else magnitude

    def boundary(symbol):
        if not (symbol.is_positive or symbol.is_negative):
            return sp.Integer(0)
        return signed(symbol, sp.Integer(1) if symbol.is_integer else sp.Rational(1, 10**6))

    corners = [{p: boundary(p) for p in params}]
    corners.append({p: signed(p, sp.Integer(1000)) for p in params})
    corners.append({p: signed(p, sp.Integer(1) if p.is_integer else sp.Rational(1, 1000)) for p in params})
    if any(
        p.is_positive is None and p.is_negative is None and not p.is_nonnegative and not p.is_nonpositive
        for p in params
    ):
        corners.append(
            {p: (-1000 if p.is_positive is None and not p.is_nonnegative else v) for p, v in corners[1].items()}
        )
    corners = [{p: sp.sympify(v) for p, v in c.items()} for c in corners] if params else []
    return [c for c in corners if all(_allowed(p, v) for p, v in c.items())]


def _rational(value) -> sp.Rational:
    return sp.Rational(str(sp.N(value, 40))) if not isinstance(value, sp.Rational) else value


def _kink_hints(diff: sp.Expr) -> list[sp.Expr] | None:
    """Where branches may switch, for sampling only: roots of polynomial switch functions (None: not all are)."""
    roots = []
    for g in switch_functions(diff, only_in_x=False):
        for variant in smooth_variants(g):
            if not variant.has(x):
                continue
            try:
                poly = sp.Poly(variant, x)
            except sp.PolynomialError:
                return None
            if poly.degree() == 1:
                lead, const = poly.all_coeffs()
                roots.append(-const / lead)
            elif poly.degree() == 2:
                roots += list(sp.roots(poly, multiple=True))
            else:
                return None
    return list(dict.fromkeys(roots))


def _critical_hints(diff: sp.Expr) -> list[sp.Expr]:
    """For sampling only: where each switch argument is extreme (roots of its derivative on [-40, 40], found
    numerically), since a branch that switches only near an extreme (silu(x) + 0.278) is missed elsewhere."""
    hints = []
    try:
        with guard(steps=HINT_STEPS):  # a count of work, not seconds: the same points on every machine
            for g in switch_functions(diff):
                for variant in smooth_variants(g):
                    slope = _mp_callable(sp.diff(variant, x), [x])
                    hints += [sp.Rational(str(r)) for r in numeric_roots(slope, -sp.oo, sp.oo, grid=400)]
    except (SymactError, TypeError, ValueError, ZeroDivisionError, ArithmeticError) as err:
        if isinstance(err, ProofTimeout):
            raise
    return hints


HINT_STEPS = 3 * 10**6  # Python calls the search for extremes of switch arguments may make (about 2 s)
KINK_STEPS = 5 * 10**5  # Python calls the exact search for switch points may make before the extremes are sampled


def _sample_points(diff: sp.Expr, count: int = 64, seed: int = 0, symbols=None) -> list[dict]:
    """Points for falsification: nice values, kinks and their neighbours, random, large |x|."""
    rng = random.Random(seed)
    symbols = set(diff.free_symbols if symbols is None else symbols)
    params = sorted((s for s in symbols if s != x), key=lambda s: s.name)
    samples = {}
    for k, p in enumerate(params):  # rotate so that different parameters rarely share a value
        values = _parameter_samples(p, rng, count)
        samples[p] = values[k % len(values) :] + values[: k % len(values)]
    base = [{p: samples[p][i] for p in params} for i in range(count)]
    xs = [sp.sympify(v) for v in _NICE_X]
    kinks = []
    if x in diff.free_symbols and not is_smooth(diff):
        kinks = _kink_hints(diff)
        if kinks is None:
            try:
                with guard(steps=KINK_STEPS):  # a count of work, not seconds: the same points on every machine
                    kinks = switch_points(diff, {**base[0], x: 0})
            except (SymactError, NotImplementedError, TypeError, ValueError) as err:
                if isinstance(err, ProofTimeout):
                    raise
                kinks = _critical_hints(diff) if not params else []
    points = []
    for i, v in enumerate(xs):
        points.append({**base[i % count], x: v})
    points += _integer_powers(diff, [x, *params] if x in symbols else params)
    for i, k in enumerate(kinks):
        for j in range(3):
            values = base[(i + 3 * j) % count]
            try:
                centre = _rational(k.subs(values))
            except (TypeError, ValueError):
                continue
            for offset in (
                0,
                sp.Rational(1, 1000),
                -sp.Rational(1, 1000),
                sp.Rational(1, 10**12),
                -sp.Rational(1, 10**12),
            ):
                points.append({**values, x: centre + offset})
    for corner in _corners(params):
        points += [{**corner, x: sp.sympify(v)} for v in (1, -1, 0, sp.Rational(1, 2), -2, 3)]
    points += [{**base[(i + 5) % count], x: sp.sympify(v)} for i, v in enumerate(_LARGE_X + _FAR_X)]
    i = 0
    while len(points) < count + 5 * 3 * len(kinks):
        points.append({**base[(i + 7) % count], x: sp.Rational(rng.randint(-8000, 8000), 1000)})
        i += 1
    if x not in symbols:
        points = [{p: v for p, v in pt.items() if p != x} for pt in points]
        points = [dict(t) for t in dict.fromkeys(tuple(sorted(pt.items(), key=lambda kv: kv[0].name)) for pt in points)]
    return points[: max(count, len(points))]


_LATTICE = [-1, 2, sp.Rational(1, 2), -2, 3, -sp.Rational(1, 2)]


def _integer_powers(diff: sp.Expr, symbols: list, most: int = 216) -> list[dict]:
    """For a power with a symbolic exponent (read for a positive base, ``symact.defined``): every symbol on a
    small lattice of integers and halves, where such a power of a negative base may have an integer exponent
    and a real value ((x**a)**b and x**(a*b) at x = -1, a = 2, b = 1/2: 1 and -1); none without such a power.

    >>> a = sp.Symbol('a', positive=True)
    >>> len(_integer_powers(x**a, [x, a])), len(_integer_powers(x**2 + 2**a, [x, a]))
    (18, 0)
    """
    if not any(
        isinstance(n, sp.Pow) and n.exp.free_symbols and not n.base.is_positive for n in sp.preorder_traversal(diff)
    ):
        return []
    pools = [[v for v in map(sp.sympify, _LATTICE) if _allowed(s, v)] or [sp.Integer(1)] for s in symbols]
    return [dict(zip(symbols, values)) for values in islice(product(*pools), most)]


def _mp_callable(expr: sp.Expr, symbols: list) -> Callable:
    return mp_function(expr, symbols)


def _mp_value(value: sp.Rational):
    value = sp.Rational(value)
    return mpmath.mpf(int(value.p)) / int(value.q)


def _close(a, b, digits: int) -> bool:
    tol = mpmath.mpf(10) ** (-(digits * 7 // 10))
    return abs(a - b) <= tol * (1 + abs(a) + abs(b))


def _evaluate(fn: Callable, symbols: list, point: dict):
    check()  # numeric loops allocate little, so the guard's collector callback may never come: check here
    try:
        value = fn(*[_mp_value(point[s]) for s in symbols])
    except (ZeroDivisionError, ValueError, TypeError, ArithmeticError, NameError, MemoryError, RecursionError):
        return None
    if isinstance(value, (int, float)):
        value = mpmath.mpf(value)
    if not isinstance(value, (mpmath.mpf, mpmath.mpc)) or not mpmath.isfinite(value):
        return None
    return value


def _valued(defined, symbols: list, real: bool = False) -> Callable[[dict], bool]:
    """Whether the sides as written have a value at a point (``real``: a real value, as a bound needs):
    ``defined`` are their conditions (``symact.defined``); x/x, which SymPy made 1, has none at x = 0, where
    no counterexample may be. A condition too large to decide at the point (the exponent of x**x**x**x**x at 3,
    ``symact.magnitude``) leaves the point out."""
    checks = [c for c in (c if real else has_value(c) for c in defined) if c is not sp.true]

    def valued(point: dict) -> bool:
        values = {s: point.get(s, 0) for s in symbols}
        return all(not too_large(c, values) and c.xreplace(values) is sp.true for c in checks)

    return valued


def _symbols(lhs: sp.Expr, rhs: sp.Expr, defined) -> list:
    return sorted(
        set().union(lhs.free_symbols, rhs.free_symbols, *(c.free_symbols for c in defined)), key=lambda s: s.name
    )


def _falsify(lhs: sp.Expr, rhs: sp.Expr, count: int = 64, defined=()):
    """Search for a point where lhs != rhs at 50 digits, where both sides as written have a value (``defined``,
    their conditions); re-check any hit at 100 digits.

    Returns (counterexample or None, Evidence).
    """
    diff = lhs - rhs
    symbols = _symbols(lhs, rhs, defined)
    valued = _valued(defined, symbols)
    points = [p for p in _sample_points(diff, count, symbols=symbols) if valued(p)]
    fl, fr = _mp_callable(lhs, symbols), _mp_callable(rhs, symbols)
    used, worst, rechecks = 0, mpmath.mpf(0), 0
    with precision(DIGITS):
        for point in points:
            if used >= count and worst == 0:
                break
            a, b = _evaluate(fl, symbols, point), _evaluate(fr, symbols, point)
            if a is None or b is None:
                continue
            used += 1
            if _close(a, b, DIGITS):
                worst = max(worst, abs(a - b) / (1 + abs(a) + abs(b)))
                continue
            rechecks += 1
            if rechecks > 8:  # the fast evaluation keeps disagreeing where certified evaluation cannot confirm
                continue
            checked = _recheck(lhs, rhs, point)
            if checked is not None:
                return checked, Evidence(points=used, digits=DIGITS, max_difference=float(abs(a - b)))
    return None, Evidence(points=used, digits=DIGITS, max_difference=float(worst), undecided=rechecks)


def _tiny_difference(lhs: sp.Expr, rhs: sp.Expr, count: int = 8, defined=()) -> dict | None:
    """A point where lhs - rhs is certified non-zero although below the 50-digit test's resolution.

    ``exp(-1000) = 0`` and ``f(x) + 10**-40 = f(x)`` agree to 50 digits at every point, yet are false:
    SymPy's accuracy-tracked evaluation of the difference tells them apart.
    """
    symbols = _symbols(lhs, rhs, defined)
    valued = _valued(defined, symbols)
    for point in _sample_points(lhs - rhs, count, symbols=symbols)[:count]:
        checked = _recheck(lhs, rhs, point) if valued(point) else None
        if checked is not None:
            return checked
    return None


def _certified(expr: sp.Expr, point: dict, digits: int):
    """``expr`` at ``point`` by SymPy's evalf with its accuracy tracked (strict): None if it cannot tell.

    A difference that cancels catastrophically (cosh(400)**2 - sinh(400)**2) or is exactly zero is
    reported as None, never as a number, and so is a value too large to build (``symact.magnitude``).
    """
    if too_large(expr, point):
        return None
    try:
        value = resolve(expr.xreplace(point), {})  # switch functions by certified signs
        if value.is_zero:
            return sp.S.Zero
        value = sp.N(value, digits, strict=True, maxn=4 * RECHECK_DIGITS)  # raises unless the digits are right
        if value == 0:  # evaluated, not proved: log(1 + exp(-100)) evaluates to 0 at 30 digits
            return sp.S.Zero if certified_sign(expr.xreplace(point)) == 0 else None
    except (
        PrecisionExhausted,
        UndecidedSign,
        ParameterError,
        TypeError,
        ValueError,
        ZeroDivisionError,
        AttributeError,
    ):
        return None
    if not value.is_Float and not value.is_Rational:
        return None
    return value


def _recheck(lhs: sp.Expr, rhs: sp.Expr, point: dict) -> dict | None:
    """Re-check a candidate counterexample with SymPy's own evaluation, accuracy tracked.

    The point is kept only if lhs - rhs is certified non-zero (a second, independent evaluator
    from the lambdified mpmath one that found it); both sides are then reported to 50 digits.
    """
    difference = _certified(lhs - rhs, point, 30)
    if difference is None or difference == 0:
        return None
    digits = DIGITS  # enough for the certified difference to show in the printed sides
    scale = _certified(lhs, point, 15)
    if scale is not None and scale != 0:
        digits = min(max(DIGITS, int(mpmath.log10(abs(scale / difference))) + 10), 4 * RECHECK_DIGITS)
    sides = [_shown_at(side, point, digits) for side in (lhs, rhs)]
    ordered = sorted(point.items(), key=lambda kv: (kv[0] != x, kv[0].name))
    found = {"point": {s.name: str(v) for s, v in ordered}, "lhs": sides[0], "rhs": sides[1]}
    if sides[0] == sides[1]:  # a difference beyond the digits shown: the certified difference itself
        found["difference"] = _show(difference, 6)
    return found


def _show(value: sp.Expr, digits: int = DIGITS) -> str:
    """A certified value (``_certified`` at digits + 5 digits) printed to ``digits`` significant digits."""
    if value.is_Rational:
        value = sp.Float(value, digits + 5)
    with precision(digits + 5):
        return mpmath.nstr(mpmath.mpf(value._mpf_), digits)


def _shown_at(expr: sp.Expr, point: dict, digits: int = DIGITS) -> str:
    """``expr`` at ``point``: certified digits, or the exact expression when no digit can be certified."""
    value = _certified(expr, point, digits + 5)
    if value is not None:
        return _show(value, digits)
    if too_large(expr, point):
        with sp.evaluate(False):  # unevaluated: 3**(3**27) is not built
            return _text(expr.xreplace(point))
    return _text(expr.xreplace(point))


# ---- symbolic proof ---------------------------------------------------------------------------


def _signed(symbol: sp.Symbol, value: sp.Rational) -> sp.Rational:
    if symbol.is_positive or symbol.is_nonnegative:
        return abs(value)
    return -abs(value) if (symbol.is_negative or symbol.is_nonpositive) else value
