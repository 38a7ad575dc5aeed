"""A certified bound on the condition number of a sum over the float32 inputs where the sum is used.

A sum S = t_1 + ... + t_n whose terms carry relative errors e_i has the relative error kappa * max e_i, with
kappa = (|t_1| + ... + |t_n|) / |S|: unbounded near a zero of S. A float32 kernel computes a sum with
``symact.kernels.vmath32`` only where kappa is certified below ``K`` on every float32 input outside the Taylor
patch windows (where the float64 patch polynomial, rounded, gives the result): ``condition`` covers
[-FLT_MAX, FLT_MAX] minus the windows with boxes, halved (in magnitude past 1: at the geometric mean) until
each box is decided by interval arithmetic (``mpmath.iv``, outward rounding) on the terms' exact values:

- every term of one sign on the box: kappa = 1;
- the terms' magnitudes below 2**-151 together: the float32 result is 0 whatever their errors (the sum and
  its computed value are below half the least subnormal: ``vmath32`` clips its exponents at -700, so a
  clipped term, x times exp(-700) at most, is below 2**-870);
- else the sum's enclosure away from 0 and sum |t_i| / |S| <= ``K`` there.

A box undecided after ``BOXES`` boxes in all refuses the sum (None). The terms are products, numbers, x,
integer powers, sums and the functions of ``vmath32``: each of those is monotone in its argument or in its
argument's magnitude, so its enclosure on a box is its values at the ends (and at 0), computed by mpmath at
``DIGITS`` digits and widened by 10**-(DIGITS - 5) relative. Only float32 inputs matter, so adjacent boxes
meet at neighbouring float32 numbers, not at one point. No sample decides anything; the same expression gets
the same answer everywhere (cached).

``weighted`` covers the same boxes with the weighted bound of a whole form: each subexpression's enclosure
and a bound on its computed value's error, relative (rel, in u) and absolute (abs), by the rules of
``symact.kernels.float32``; a sum's error is sum_i (|t_i| rel_i u + abs_i) / |S| where S keeps away from 0
(the largest rel_i where its terms have one sign), a function's adds its argument's error times its condition
number over the argument's range widened by that error (and by 2**-20), past vmath32's clip an absolute error.

>>> from symact.kernels.nodes import s_dsigmoid, s_sigmoid
>>> x = sp.Symbol('x')
>>> condition(s_sigmoid(x) + x * s_dsigmoid(x), x, ((-1.28, 1.0),))  # silu' outside its window
7.9
>>> condition(s_sigmoid(x) + x * s_dsigmoid(x), x) is None  # its zero at -1.28 left in
True
"""

from __future__ import annotations

import math
from functools import lru_cache

import mpmath
import numpy as np
import sympy as sp

from symact.kernels.vmath32 import ERRORS, MEANINGS

__all__ = ["condition", "weighted", "K", "LIMIT", "BOXES", "DIGITS"]

K = 8.0  # the largest condition number admitted: 8 * 0.002 u keeps a float32 kernel within 0.52 ULP
LIMIT = 0.01  # the largest relative error (in u) that ``weighted`` admits: a float32 kernel within 0.51 ULP
BOXES = 3000  # boxes examined at most per sum
DIGITS = 30
ZERO = 2.0**-151  # below half the least float32 subnormal, 2**-150: rounds to 0
_TOP = float(np.finfo(np.float32).max)

_iv = mpmath.iv


def _dsigmoid(t):
    e = mpmath.exp(-abs(t))
    return e / (1 + e) ** 2


# each function of a vmath32 node by mpmath, and its shape: 1 increasing, 0 even and decreasing in |t|
_SHAPES = {
    "exp": (mpmath.exp, 1),
    "tanh": (mpmath.tanh, 1),
    "s_tanhshrink": (MEANINGS["ftanhshrink"][0], 1),
    "s_expm1": (mpmath.expm1, 1),
    "s_sigmoid": (lambda t: 1 / (1 + mpmath.exp(-t)), 1),
    "s_dsigmoid": (_dsigmoid, 0),
    "s_sech2": (lambda t: 4 * _dsigmoid(2 * t), 0),
    "s_softplus": (lambda t: mpmath.log1p(mpmath.exp(t)), 1),
    "s_ncdf": (mpmath.ncdf, 1),
}


@lru_cache(maxsize=1024)
def condition(
    expr: sp.Expr, var: sp.Symbol, windows: tuple[tuple[float, float], ...] = (), limit: float = K
) -> float | None:
    """The certified largest condition number of the sum ``expr`` (an ``sp.Add``) over the float32 values of
    ``var`` outside the open ``windows`` ((centre, half-width), as ``Finish.window`` tests them), rounded up to
    a tenth; None where it is not certified below ``limit``."""
    worst = _cover(lambda a, b: _decide(expr.args, var, a, b), windows, limit)
    return None if worst is None else math.ceil(max(worst, 1.0) * 10) / 10


def _cover(decide, windows, limit: float) -> float | None:
    """The largest of ``decide(a, b)`` over boxes covering the float32 numbers outside ``windows``, each box
    halved until ``decide`` gives at most ``limit`` (None where it cannot after ``BOXES`` boxes)."""
    worst, count = 0.0, 0
    with mpmath.workdps(DIGITS):
        saved, _iv.dps = _iv.dps, DIGITS
        try:
            stack = [box for a, b in _segments(windows) for box in _initial(a, b)]
            while stack:
                a, b = stack.pop()
                count += 1
                if count > BOXES:
                    return None
                value = decide(a, b)
                if value is not None and value <= limit:
                    worst = max(worst, value)
                    continue
                halves = _halves(a, b)
                if halves is None:
                    return None
                stack += halves
        except (TypeError, ValueError, ZeroDivisionError, OverflowError):
            return None
        finally:
            _iv.dps = saved
    return worst


def _segments(windows) -> list[tuple[float, float]]:
    """[-FLT_MAX, FLT_MAX] minus the windows, each taken a little narrower (|x - c| < h is tested after the
    rounding of x - c, which may put an x just inside a window out of it), as closed intervals of float32
    numbers."""
    cuts = sorted((c - h * (1 - 2.0**-30), c + h * (1 - 2.0**-30)) for c, h in windows)
    segments, low = [], -_TOP
    for lo, hi in cuts:
        if lo > low:
            segments.append((low, _f32(lo, -1)))
        low = max(low, _f32(hi, 1))
    if low <= _TOP:
        segments.append((low, _TOP))
    return [(a, b) for a, b in segments if a <= b]


def _f32(v: float, side: int) -> float:
    """The float32 nearest to v at or beyond v on ``side`` (-1 below, 1 above), as a float."""
    f = np.float32(v)
    if (side < 0 and float(f) > v) or (side > 0 and float(f) < v):
        f = np.nextafter(f, np.float32(side * np.inf))
    return float(f)


def _initial(a: float, b: float) -> list[tuple[float, float]]:
    """The segment split at -1, 0 and 1 (where halving changes from arithmetic to geometric)."""
    points = [p for p in (-1.0, 0.0, 1.0) if a < p < b]
    ends = [a, *points, b]
    boxes = [(ends[0], ends[1])] + [(_f32(p, 1) if p != 0.0 else 0.0, q) for p, q in zip(ends[1:-1], ends[2:])]
    return [(lo if lo <= hi else hi, hi) for lo, hi in boxes]


def _halves(a: float, b: float) -> list[tuple[float, float]] | None:
    """Two boxes of float32 numbers covering [a, b], split at the geometric mean where both ends are beyond 1
    in magnitude, else at the midpoint; None where [a, b] holds one float32."""
    if a == b:
        return None
    geometric = a * b > 0 and min(abs(a), abs(b)) >= 1
    m = math.copysign(math.sqrt(abs(a)) * math.sqrt(abs(b)), a) if geometric else a / 2 + b / 2
    m = min(max(_f32(m, -1), a), b)
    if m >= b:
        m = float(np.nextafter(np.float32(b), np.float32(-np.inf)))
    return [(a, m), (_f32(float(np.nextafter(np.float32(m), np.float32(np.inf))), 1), b)]


def _decide(terms, var, a: float, b: float) -> float | None:
    """The condition number's bound on [a, b] by the rules of the module docstring, or None: undecided."""
    ts = [_enclose(t, var, _iv.mpf([a, b])) for t in terms]
    ends = [_ends(t) for t in ts]
    if all(lo >= 0 for lo, _ in ends) or all(hi <= 0 for _, hi in ends):
        return 1.0
    total = sum((_iv.mpf(max(-lo, hi)) for lo, hi in ends), _iv.mpf(0))
    if _ends(total)[1] < ZERO:
        return 1.0
    lo, hi = _ends(sum(ts[1:], ts[0]))
    if lo <= 0 <= hi:
        return None
    return float(_ends(total / _iv.mpf(min(abs(lo), abs(hi))))[1]) * (1 + 2.0**-40)  # float() may round down


def _ends(i) -> tuple[mpmath.mpf, mpmath.mpf]:
    """The two ends of an ``mpmath.iv`` interval, as mpmath numbers."""
    return mpmath.mp.make_mpf(i._mpi_[0]), mpmath.mp.make_mpf(i._mpi_[1])


def _enclose(e: sp.Expr, var: sp.Symbol, box):
    """An interval holding the value of ``e`` for every ``var`` in ``box``."""
    if e == var:
        return box
    if e.is_Number:  # a Float is a binary fraction: exactly a rational
        r = sp.Rational(e)
        return _iv.mpf(r.p) / r.q
    if isinstance(e, (sp.Add, sp.Mul)):
        parts = [_enclose(a, var, box) for a in e.args]
        out = parts[0]
        for p in parts[1:]:
            out = out + p if isinstance(e, sp.Add) else out * p
        return out
    if isinstance(e, sp.Pow) and e.exp.is_Integer and e.exp > 0:
        return _enclose(e.base, var, box) ** int(e.exp)
    name = type(e).__name__
    if name == "s_unscale":  # vmath32 never scales: the product itself
        return _enclose(e.args[1], var, box)
    if name == "s_expsq" and e.args[1].is_Rational:
        c = mpmath.mpf(e.args[1].p) / e.args[1].q  # rounded at DIGITS digits, within the slack
        return _monotone(lambda t: mpmath.exp(-c * t * t), 0, _enclose(e.args[0], var, box))
    if name in _SHAPES:
        return _monotone(*_SHAPES[name], _enclose(e.args[0], var, box))
    raise TypeError(f"no interval rule for {name}")


def _monotone(fn, shape: int, arg):
    """fn on the interval ``arg``: increasing (shape 1) or even and decreasing in |t| (shape 0); the end values
    widened outward by 10**-(DIGITS - 5) relative."""
    lo, hi = _ends(arg)
    if shape == 1:
        low, high = fn(lo), fn(hi)
    else:
        near = 0 if lo <= 0 <= hi else min(abs(lo), abs(hi))
        low, high = fn(max(abs(lo), abs(hi))), fn(near)
    slack = mpmath.mpf(10) ** -(DIGITS - 5)
    return _iv.mpf([low - abs(low) * slack, high + abs(high) * slack])


U = 2.0**-24  # float32's unit roundoff: relative errors are in units of it
ROUNDING = 2.0**-29  # one float64 rounding, in u
SLACK = 1 + 2.0**-10  # the second-order terms of the first-order error rules
WIDE = 2.0**-20  # a computed argument lies within this relative distance of its value
TINY = 2.0**-1000  # above exp(-700) and 4 exp(-700): what a decay gives beyond vmath32's clip, and the truth
BIG = 1e300  # the largest magnitude ``finite`` admits for a computed value


# per vmath32 node: its vmath32 function; the range of arguments where vmath32 computes it within its error
# (beyond, it clips: a decay then gives, as the truth, at most the next entry; fncdf's tail at a = 13 is below
# 1e-70); the bound of its condition number |t f'(t)/f(t)| over [lo, hi] (None: an exact argument only); a
# Lipschitz constant of f for an argument known to an absolute error (None: refused)
_INF = mpmath.inf
_RULES = {
    "exp": ("fexp", (-700, _INF), TINY, lambda lo, hi: max(abs(lo), abs(hi)), None),
    "s_expm1": ("fexpm1", (-_INF, _INF), 0.0, lambda lo, hi: 1 + max(hi, 0), None),
    "tanh": ("ftanh", (-_INF, _INF), 0.0, lambda lo, hi: 1, 1),
    "s_tanhshrink": ("ftanhshrink", (-_INF, _INF), 0.0, lambda lo, hi: 3, 1),  # t tanh(t)**2/(t - tanh t) <= 3
    "s_sigmoid": ("fsigmoid", (-700, 700), TINY, lambda lo, hi: max(-lo, mpmath.mpf("0.28")), 0.25),
    "s_dsigmoid": ("fdsigmoid", (-700, 700), TINY, lambda lo, hi: max(abs(lo), abs(hi)), 0.1),
    "s_sech2": ("fsech2", (-350, 350), TINY, lambda lo, hi: 2 * max(abs(lo), abs(hi)), 0.8),
    "s_softplus": ("fsoftplus", (-700, 700), TINY, lambda lo, hi: max(-lo, 1), 1),
    "s_ncdf": ("fncdf", (mpmath.mpf("-18.38"), mpmath.mpf("18.38")), 1e-70, None, None),
}
_GROWS = ("exp", "s_expm1")


@lru_cache(maxsize=1024)
def weighted(
    expr: sp.Expr,
    var: sp.Symbol,
    windows: tuple[tuple[float, float], ...] = (),
    dd: tuple = (),
    finite: bool = False,
) -> float | None:
    """The certified relative error (in u) of ``expr`` computed with ``symact.kernels.vmath32`` in float64 over
    the float32 values of ``var`` outside ``windows`` (as ``condition``), rounded up to a thousandth; None where
    it is not certified below ``LIMIT``. ``dd``: (symbol, ((hi, lo), ...)) of the polynomial arguments, each
    computed by Horner's rule in float64 from the high parts; ``finite``:
    also certify that no computed value exceeds ``BIG`` (no inf, so no NaN, for a finite float32 input).

    >>> from symact.kernels.nodes import s_sech2, s_sigmoid, s_softplus
    >>> x = sp.Symbol('x')
    >>> u = s_softplus(x, sp.oo)  # mish' outside its windows: sech(u)**2 amplifies u's error by 2u
    >>> weighted(sp.tanh(u) + x * s_sech2(u, sp.oo) * s_sigmoid(x, sp.oo), x, ((-1.19, 1.0), (-1.91, 0.29)))
    0.01
    """
    polys = {s: pairs for s, pairs in dd}

    def decide(a: float, b: float) -> float | None:
        found = _value(expr, var, _iv.mpf([a, b]), polys, {}, finite)
        if found is None:
            return None
        v, rel, ab = found
        lo, hi = _ends(v)
        if max(-lo, hi) * (1 + rel * U) + ab < ZERO:  # the result is 0 whatever the error
            return 0.0
        if ab == 0:
            return rel * SLACK
        if lo > 0 or hi < 0:
            return float(rel + ab / (U * min(abs(lo), abs(hi)))) * SLACK
        return None

    worst = _cover(decide, windows, LIMIT)
    return None if worst is None else math.ceil(worst * 1000) / 1000


def _value(e: sp.Expr, var: sp.Symbol, box, dd: dict, memo: dict, finite: bool):
    """(v, rel, abs): an interval v holding ``e``'s value on ``box`` and bounds on its computed value's error,
    computed = value (1 + d u) + a with |d| <= rel, |a| <= abs; None: undecided on this box."""
    if e not in memo:
        memo[e] = found = _value_of(e, var, box, dd, memo, finite)
        if found is not None:
            v, rel, ab = found
            lo, hi = _ends(v)
            if finite and max(-lo, hi) * (1 + rel * U) + ab > BIG:
                memo[e] = None
            elif ab and (lo > 0 or hi < 0) and ab <= U * min(abs(lo), abs(hi)):  # as relative: at most u more
                memo[e] = v, rel + float(ab / (U * min(abs(lo), abs(hi)))) * SLACK, 0
    return memo[e]


def _value_of(e, var, box, dd, memo, finite):
    if e == var:
        return box, 0.0, 0
    if e.is_Number:
        return _number(e), 0.0 if sp.Float(float(e), 60) == e else ROUNDING, 0
    if e in dd:  # Horner's rule in float64: within (2n + 1) roundings of sum |c_k x**k|, n the degree
        n = len(dd[e]) - 1
        terms = [(_number(hi) + _number(lo)) * box ** (n - k) for k, (hi, lo) in enumerate(dd[e]) if hi or lo]
        return _sum([(t, (2 * n + 1) * ROUNDING, 0) for t in terms], 0)
    if isinstance(e, sp.Pow) and e.exp.is_Integer and e.exp > 1:
        base = _value(e.base, var, box, dd, memo, finite)
        return None if base is None else _product([base] * int(e.exp))
    if isinstance(e, (sp.Add, sp.Mul)):
        parts = [_value(a, var, box, dd, memo, finite) for a in e.args]
        if None in parts:
            return None
        return _sum(parts, len(parts) - 1) if isinstance(e, sp.Add) else _product(parts)
    name = type(e).__name__
    if name == "s_unscale":  # vmath32 never scales: the product itself
        return _value(e.args[1], var, box, dd, memo, finite)
    if name == "s_expsq" and e.args[0] == var and e.args[1].is_Rational:
        v = _enclose(e, var, box)
        lo, hi = _ends(box)
        clipped = max(-lo, hi) ** 2 * mpmath.mpf(e.args[1]) > 700
        return v, ERRORS["fexp"], TINY if clipped else 0
    if name not in _RULES:
        raise TypeError(f"no interval rule for {name}")
    function, clip, beyond, bound, lipschitz = _RULES[name]
    own = ERRORS[function]
    arg = _value(e.args[0], var, box, dd, memo, finite)
    if arg is None:
        return None
    g, rel, ab = arg
    lo, hi = _ends(g)
    reach = max(-lo, hi) * (rel * U + WIDE) + ab if rel or ab else 0  # where the computed argument may lie
    wide = (lo - reach, hi + reach)
    v = _monotone(*_SHAPES[name], g)
    clipped = wide[0] < clip[0] or wide[1] > clip[1]
    exact = e.args[0] in (var, -var)
    if exact and (name in _GROWS or bound is None):  # exp of x past 700: overflows in float32 as the truth
        return v, own, beyond if clipped else 0
    if bound is None or rel * U > WIDE or (name in _GROWS and wide[1] > 700):
        return None
    if ab == 0:
        inside = (max(wide[0], clip[0]), min(wide[1], clip[1]))  # the condition number where not clipped
        cond = bound(*inside) if inside[0] <= inside[1] else 0
        return v, float(own + cond * rel * SLACK), beyond if clipped else 0
    if lipschitz is None:
        return None
    top = _ends(_monotone(*_SHAPES[name], _iv.mpf([wide[0], wide[1]])))
    far = max(-top[0], top[1])
    return v, 0.0, lipschitz * (max(-lo, hi) * rel * U + ab) * SLACK + own * U * far + (beyond if clipped else 0)


@lru_cache(maxsize=4096)
def _number(v) -> object:
    """The number ``v`` (a float or a SymPy number) as an ``mpmath.iv`` interval at ``DIGITS`` digits."""
    r = sp.Rational(v)
    return _iv.mpf(r.p) / r.q


def _sum(parts, additions: int):
    """(v, rel, abs) of a sum of terms (v, rel, abs) with ``additions`` float64 roundings."""
    total = sum((p[0] for p in parts[1:]), parts[0][0])
    ends = [_ends(p[0]) for p in parts]
    sizes = [max(-lo, hi) for lo, hi in ends]
    err = sum(m * r * U + a for m, (_, r, a) in zip(sizes, parts))
    err += additions * ROUNDING * U * sum(m * (1 + r * U) + a for m, (_, r, a) in zip(sizes, parts))
    lo, hi = _ends(total)
    rel = float(err / (U * min(abs(lo), abs(hi)))) * SLACK if lo > 0 or hi < 0 else math.inf
    if all(p[2] == 0 for p in parts) and (all(lo >= 0 for lo, _ in ends) or all(hi <= 0 for _, hi in ends)):
        rel = min(rel, max(p[1] for p in parts) + additions * ROUNDING)  # terms of one sign
    return (total, rel, 0) if rel < math.inf else (total, 0.0, err * SLACK)


def _product(parts):
    """(v, rel, abs) of a product of factors (v, rel, abs), one float64 rounding per multiplication."""
    v = parts[0][0]
    for p in parts[1:]:
        v = v * p[0]
    roundings = (len(parts) - 1) * ROUNDING
    if all(p[2] == 0 for p in parts):
        return v, sum(p[1] for p in parts) + roundings, 0
    sizes = [max(-lo, hi) for lo, hi in (_ends(p[0]) for p in parts)]
    reach = [m + m * r * U + a for m, (_, r, a) in zip(sizes, parts)]
    err = 0
    for i, (_, r, a) in enumerate(parts):  # |prod(x + d) - prod(x)| <= sum_i d_i prod_(j != i) (|x_j| + d_j)
        err += (sizes[i] * r * U + a) * math.prod(reach[:i] + reach[i + 1 :])
    return v, 0.0, (err + roundings * U * math.prod(reach)) * SLACK
