"""Scalar versions of ``symact.kernels.helpers``' NumPy helpers, for the fused backend (``symact.kernels.fused``).

Each function computes what its NumPy namesake in ``helpers.py`` computes for one float64 element, with
the same operations in the same order, so the two backends round alike. They are plain Python until
``compile_all`` compiles them with numba.

>>> round(s_sigmoid(0.5, 0.0), 15), s_softplus(1000.0, 0.0)
(0.622459331201855, 1000.0)
"""

from __future__ import annotations

import math

_SPLIT = 134217729.0  # 2**27 + 1, Dekker's splitter (as helpers._SPLIT)
_RSQRT2_HI = 0.7071067811865476
_RSQRT2_LO = -4.833646656726457e-17
_TWO_OVER_SQRTPI = 1.1283791670955126
_CF_DEPTH = 13

_JIT: list[str] = []  # the helpers numba compiles, by name


def jit(fn):
    """Mark ``fn`` as a helper for ``compile_all`` to compile; until then it is plain Python."""
    _JIT.append(fn.__name__)
    return fn


def compile_all() -> None:
    """Replace every helper of this module by its numba-compiled version (once; numba caches the machine code
    on disk). The fused backend's generated modules call this before importing the helpers, so that numba is
    imported only when a fused kernel is built or loaded.
    """
    from numba import njit

    namespace = globals()
    for name in _JIT:
        fn = namespace.get(name)
        if fn is not None and not hasattr(fn, "py_func"):  # a numba dispatcher has py_func
            namespace[name] = njit(cache=True, error_model="numpy")(fn)


@jit
def split(a):
    p = a * _SPLIT
    hi = p - (p - a)
    return hi, a - hi


@jit
def two_prod(a, b):
    p = a * b
    ah, al = split(a)
    bh, bl = split(b)
    return p, ((ah * bh - p) + ah * bl + al * bh) + al * bl


@jit
def two_sum(a, b):
    s = a + b
    bb = s - a
    return s, (a - (s - bb)) + (b - bb)


@jit
def dd_step(hi, lo, t, ch, cl):
    """One Horner step of ``helpers.poly_dd``: (hi + lo)*t + (ch + cl) in double-double."""
    p, e = two_prod(hi, t)
    e = e + lo * t
    s, f = two_sum(p, ch)
    f = f + e + cl
    hi = s + f
    return hi, f - (hi - s)


@jit
def dd_clip(t):
    return min(max(t, -1e100), 1e100) if t == t else t


@jit
def vmax(a, b):
    """numpy.maximum: NaN propagates."""
    return a if (a >= b or a != a) else b


@jit
def vmin(a, b):
    return a if (a <= b or a != a) else b


@jit
def sign(t):
    return 1.0 if t > 0 else (-1.0 if t < 0 else t * 0.0)


@jit
def _exp_neg_abs(t, lo, scale):
    e = math.exp(abs(t) * -scale)
    if lo != 0.0:
        e = e * (1 + scale * (lo if t < 0 else -lo))
    return e


@jit
def s_sigmoid(t, lo):
    if lo != 0.0:
        e = _exp_neg_abs(t, lo, 1.0)
        r = 1.0 / (e + 1)
        return r * e if t < 0 else r
    e = math.exp(-abs(t))  # exp(min(t, 0)) of the NumPy helper is e below 0 and 1 above: one exp, same bits
    return (e if t < 0 else 1.0) / (e + 1)


@jit
def s_dsigmoid(t, lo):
    e = _exp_neg_abs(t, lo, 1.0)
    d = e + 1
    return e / d / d


@jit
def s_softplus(t, lo):
    e = math.log1p(_exp_neg_abs(t, lo, 1.0))
    base = vmax(t, 0.0)
    if lo != 0.0 and not t < 0:
        base += lo
    return e + base


@jit
def s_sech2(t, lo):
    e = _exp_neg_abs(t, lo, 2.0)
    d = 1 + e
    return e * 4.0 / d / d


@jit
def s_expsq(t, c):
    tc = min(abs(t), math.sqrt(800 / c)) if t == t else t
    hi, lo = split(tc)
    return math.exp(-c * (hi * hi)) * math.exp(-c * (lo * (2 * hi + lo)))


@jit
def s_ncdf(t):
    if t != t:
        return t
    tc = min(max(t, -1e10), 1e10)
    z, err = two_prod(-tc, _RSQRT2_HI)
    err = err - tc * _RSQRT2_LO
    z, dz = two_sum(z, err)
    r = math.erfc(z) - dz * _TWO_OVER_SQRTPI * s_expsq(z, 1.0)
    return r * 0.5


@jit
def _sqrt_sq_plus(t, c):
    h = math.sqrt(t * t + c)
    return math.hypot(t, math.sqrt(c)) if math.isinf(h) else h


@jit
def s_sqplus(t, c):
    h = _sqrt_sq_plus(t, c)
    return (c / 4) / (h / 2 - t / 2) if t < 0 else t / 2 + h / 2


@jit
def s_dsqplus(t, c):
    h = _sqrt_sq_plus(t, c)
    return (c / 2) / h / (h - t) if t < 0 else 0.5 + (t / h) / 2


@jit
def s_tanhshrink(t):
    if not abs(t) < 1.5:
        return t - math.tanh(t)
    s2 = t * t
    q = 0.0
    for n in range(_CF_DEPTH, 0, -1):
        q = s2 / ((2 * n + 1) + q)
    return q * t / (q + 1)


@jit
def s_expm1(t):
    return math.expm1(t)


@jit
def s_log1p(t):
    return math.log1p(t)


@jit
def s_hypot(t, c):
    return math.hypot(t, c)


@jit
def s_div(a, b):
    return a / b
