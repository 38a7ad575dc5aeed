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

__all__ = ["condition", "K", "BOXES", "DIGITS"]

K = 8.0  # the largest condition number admitted: 8 * 0.002 u keeps a float32 kernel within 0.52 ULP
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
    segments = _segments(windows)
    worst, count = 1.0, 0
    with mpmath.workdps(DIGITS):
        saved, _iv.dps = _iv.dps, DIGITS
        try:
            stack = [box for a, b in segments for box in _initial(a, b)]
            while stack:
                a, b = stack.pop()
                count += 1
                if count > BOXES:
                    return None
                kappa = _decide(expr.args, var, a, b)
                if kappa is not None and kappa <= limit:
                    worst = max(worst, kappa)
                    continue
                halves = _halves(a, b)
                if halves is None:
                    return None
                stack += halves
        except (TypeError, ValueError, ZeroDivisionError, OverflowError):
            return None
        finally:
            _iv.dps = saved
    return math.ceil(worst * 10) / 10


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
