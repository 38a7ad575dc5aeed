"""Scalar versions of ``symact.kernels.helpers``' NumPy helpers, for the fused backend (``symact.kernels.fused``).

Each function computes what its NumPy namesake in ``helpers.py`` computes for one float64 element, in
the same order, but branch-free and with ``symact.kernels.vmath``'s exp, expm1, log1p, tanh (and ``vmath_erf``'s erfc) in place of
the C library's, so that a loop over them vectorises; the two backends agree to the documented ULP bounds.
They are plain Python until ``compile_all`` compiles them with numba.

>>> round(s_sigmoid(0.5, 0.0, math.inf), 15), s_softplus(1000.0, 0.0, math.inf)
(0.622459331201855, 1000.0)
"""

from __future__ import annotations

import math

from symact.kernels.helpers import C_HI, C_LO, RSQRT2_HI, RSQRT2_LO, UNSCALE
from symact.kernels.vmath import (
    jit,
    split,
    tanh_parts,
    two_prod,
    two_sum,
    vexp,
    vexp_dd,
    vexpm1,
    vlog1p,
    vtanh,  # noqa: F401 (the generated kernels import it from here)
)
from symact.kernels.vmath_erf import erfc_dd, tail_ratio


@jit
def vmax(a, b):
    """numpy.maximum: NaN propagates."""
    m = a if a >= b else b
    return m if a == a else a


@jit
def vmin(a, b):
    m = a if a <= b else b
    return m if a == a else a


@jit
def vmax_number(a, c):
    """``vmax`` of a number c (never NaN): one select."""
    return c if c > a else a


@jit
def vmin_number(a, c):
    return c if c < a else a


@jit
def sign(t):
    s = 1.0 if t > 0 else -1.0
    return s if (t != 0) & (t == t) else t * 0.0  # 0 and NaN give themselves


@jit
def s_exp(t, lo):
    """``helpers.h_exp``: exp(t + lo) for a small low part."""
    e = vexp(t)
    r = e + e * lo
    return r if r - r == 0.0 else e


@jit(inline=True)
def _in_band(t, w, both):
    return abs(t) > w if both else t < -w


@jit(inline=True)
def s_unscale(t, lo, p, w, both):
    """``helpers.h_unscale``: the product of a scaled node brought back."""
    return p * UNSCALE if _in_band(t, w, both) else p


@jit(inline=True)
def _exp_neg_abs(t, lo, scale, w, both):
    e = vexp(abs(t) * -scale + (C_HI if _in_band(t, w, both) else 0.0))
    return e * (1 + scale * (lo if t < 0 else -lo)) if lo != 0.0 else e


@jit(inline=True)
def s_exp_neg_abs(t, scale, w, both):
    """exp(-scale*|t|) computed as the nodes whose ``decay`` is scale compute it for t, so that the compiler
    computes it once where both stand in one function."""
    return _exp_neg_abs(t, 0.0, scale, w, both)


@jit(inline=True)
def s_sigmoid(t, lo, w):
    e = _exp_neg_abs(t, lo, 1.0, w, False)  # exp(min(t, 0)) of the NumPy helper is e below 0 and 1 above: one exp
    r = 1.0 / (e + 1)
    return (r * e if t < 0 else r) if lo != 0.0 else (e if t < 0 else 1.0) / (e + 1)


@jit(inline=True)
def _over_square(e, scale):
    """``helpers._over_square``: scale*e/(1 + e)**2 with the rounding of 1 + e corrected."""
    d = e + 1
    r = e * scale / d / d
    return r - 2 * r * ((e - (d - 1)) / d)


@jit(inline=True)
def s_dsigmoid(t, lo, w):
    return _over_square(_exp_neg_abs(t, lo, 1.0, w, True), 1.0)


@jit(inline=True)
def s_softplus(t, lo, w):
    e = vlog1p(_exp_neg_abs(t, lo, 1.0, w, False))
    base = vmax(t, 0.0)
    return e + (base + lo if (lo != 0.0) & (not t < 0) else base)


@jit(inline=True)
def s_softplus_tail(t, lo, w):
    return vlog1p(_exp_neg_abs(t, lo, 1.0, w, True))


@jit(inline=True)
def s_sech2(t, lo, w):
    return _over_square(_exp_neg_abs(t, lo, 2.0, w, True), 4.0)


@jit(inline=True)
def s_expsq(t, c, w):
    """``helpers.h_expsq``: exp(-c t**2) (c a power of two) with the exponent hi**2 + lo (2 hi + lo) in
    double-double, times exp(C_HI) beyond w."""
    top = math.sqrt(900 / c)
    tc = abs(t) if abs(t) < top else top
    tc = tc if t == t else t
    hi, lo = split(tc)
    return vexp_dd(-c * (hi * hi), -c * (lo * (hi + tc)), 128.0 if tc > w else 0.0)


@jit(inline=True)
def s_ncdf(t, w):
    """``helpers.h_ncdf``: erfc(z + dz)/2 with z + dz = -t/sqrt(2) in double-double, scaled below -w (where
    the NumPy helper takes Mills' series)."""
    tc = t if t > -1e10 else -1e10
    tc = tc if tc < 1e10 else 1e10
    z, err = two_prod(-tc, RSQRT2_HI)
    err = err - tc * RSQRT2_LO
    z, dz = two_sum(z, err)
    r = erfc_dd(z, dz, tc < -w)
    return r * 0.5 if t == t else t


@jit
def _sqrt_sq_plus(t, c):
    a = abs(t)
    return math.sqrt(t * t + c) if a < 1e150 else a * math.sqrt(1.0 + (c / a) / a)  # no overflow of t*t


@jit
def s_sqplus(t, c):
    h = _sqrt_sq_plus(t, c)
    return (c / 4) / (h / 2 - t / 2) if t < 0 else t / 2 + h / 2


@jit
def s_dsqplus(t, c):
    h = _sqrt_sq_plus(t, c)
    return (c / 2) / h / (h / 2 - t / 2) * 0.5 if t < -math.sqrt(c / 3) else 0.5 + (t / h) / 2  # h - t overflows


THIRD_LO = 1.850371707708594e-17  # 1/3 - 1/3.0


@jit(inline=True)
def s_tanhshrink(t):
    """t - tanh(t), as ``helpers.h_tanhshrink`` but not in its order (its 13 divisions lose up to 3.7 ULP):
    within 1.0 ULP on 10 million points, with the sign of t. For a = |t| < 0.6, a**3 (1/3 - s N(s)/M(s)),
    s = a*a, from Lambert's continued fraction of tanh to depth 8 as one ratio of integer polynomials, a**3 and
    the sum with 1/3 in double-double; beyond, a less ``vmath.tanh_parts``'s tanh(a) in double-double (a - q
    exact by Sterbenz's lemma up to a = 1.9, and no cancellation past it)."""
    a = abs(t)
    s, s_lo = two_prod(a, a)
    c, c_lo = two_prod(a, s)
    c_lo = c_lo + a * s_lo
    n = ((45.0 * s + 13728.0) * s + 907335.0) * s + 13783770.0
    m = (((135.0 * s + 41580.0) * s + 2837835.0) * s + 48648600.0) * s + 103378275.0
    g, g_lo = two_sum(1.0 / 3.0, -(s * n / m))
    g_lo = g_lo + THIRD_LO
    p, p_lo = two_prod(c, g)
    q, q_lo = tanh_parts(a)
    r = p + (p_lo + (c * g_lo + c_lo * g)) if a < 0.6 else (a - q) - q_lo
    return math.copysign(r, t)


@jit(inline=True)
def s_expm1(t):
    return vexpm1(t)


@jit(inline=True)
def s_log1p(t):
    return vlog1p(t)


@jit
def s_hypot(t, c):
    return math.hypot(t, c)


@jit
def s_div(a, b):
    return a / b


@jit(inline=True)
def _exp_over_power(t, t_lo, a, a_lo, k, scale, m, n):
    """``exp_joined._exp_over_power``: scale**((m + n)/2) exp(a) sigmoid(k t)**m sigmoid(-k t)**n as
    exp(a - j k|t|)/h**(m + n), a - j k|t| exact in double-double (with the low parts t_lo, a_lo), its exponential
    moved by 2**128 towards 1 near the ends of the range, one division by an exact power."""
    rate = k * (m if t < 0 else n)
    decay = abs(t) * -k
    if m == 1 and n == 1:
        hi, lo = two_sum(a, decay)
    else:
        slope, slope_lo = two_prod(abs(t), -rate)
        hi, lo = two_sum(a, slope)
        lo = lo + (slope_lo if slope > -1e300 else 0.0)  # the product's rounding error
    lo = lo + a_lo - rate * (-t_lo if t < 0 else t_lo)
    side = 1.0 if hi < -700 else (-1.0 if hi > 700 else 0.0)
    lo = lo + side * C_LO
    e = vexp(decay)
    d = e + 1
    h = d * (1 / math.sqrt(scale))
    power, power_lo = h, 0.0
    for _ in range(m + n - 1):
        power, error = two_prod(power, h)
        power_lo = power_lo * h + error
    r = s_exp(hi + side * C_HI, lo + lo * lo / 2) / power
    r = r - r * ((e - (d - 1)) * ((m + n) / d) + power_lo / power) if r - r == 0 else r  # not inf*0
    return r * (2.0**-128 if side > 0 else (2.0**128 if side < 0 else 1.0))


@jit(inline=True)
def s_sech2_exp(t, t_lo, a, a_lo):
    """exp(a)*sech(t)**2 = 4 exp(a - 2|t|)/(1 + exp(-2|t|))**2."""
    return _exp_over_power(t, t_lo, a, a_lo, 2.0, 4.0, 1, 1)


@jit(inline=True)
def s_dsigmoid_exp(t, t_lo, a, a_lo):
    """exp(a)*sigmoid(t)*sigmoid(-t) = exp(a - |t|)/(1 + exp(-|t|))**2."""
    return _exp_over_power(t, t_lo, a, a_lo, 1.0, 1.0, 1, 1)


@jit(inline=True)
def s_sigmoid_exp(t, t_lo, a, a_lo, m, n):
    """exp(a)*sigmoid(t)**m*sigmoid(-t)**n = exp(a - j|t|)/(1 + exp(-|t|))**(m + n), j = n for t >= 0, else m."""
    return _exp_over_power(t, t_lo, a, a_lo, 1.0, 1.0, int(m), int(n))


@jit(inline=True)
def s_softplus_exp(t, t_lo, a, a_lo):
    """``exp_joined.h_softplus_exp``: exp(a)*softplus(t) as exp(a + t) log1p(e)/e, e = exp(t), for t < 0, a + t
    exact in double-double, its exponential moved by 2**128 towards 1 near the ends of the range."""
    neg = t < 0
    hi, lo = two_sum(a, t if neg else 0.0)
    lo = lo + a_lo + (t_lo if neg else 0.0)
    e = vexp(-abs(t)) * (1 + (t_lo if neg else -t_lo))
    side = 1.0 if hi < -700 else (-1.0 if hi > 700 else 0.0)
    g = vlog1p(e)
    g = (g / e if e > 1e-17 else 1.0) if neg else (t + t_lo) + g
    lo = lo + side * C_LO
    r = s_exp(hi + side * C_HI, lo + lo * lo / 2) * g
    return r * (2.0**-128 if side > 0 else (2.0**128 if side < 0 else 1.0))


@jit(inline=True)
def s_erfc_exp(t, t_lo, a, a_lo):
    """``exp_joined.h_erfc_exp``: exp(a)*erfc(t) as exp(a - t**2 - 0.5625 + g)/t for t >= 1.25 (g the tail fit of
    fdlibm's erfc, in double-double), the exponent in double-double; exp(a) erfc(t) below."""
    tail = t >= 1.25
    u = (t if t < 1.3e154 else 1.3e154) if tail else 1.25
    sq, sq_lo = two_prod(u, u)
    g, g_lo = tail_ratio(u)
    hi, lo = two_sum(a, -sq if tail else 0.0)
    hi, lo2 = two_sum(hi, g - 0.5625 if tail else 0.0)
    lo = lo + lo2 + a_lo - ((sq_lo + 2 * u * t_lo) - g_lo if tail else 0.0)
    side = 1.0 if hi < -700 else (-1.0 if hi > 700 else 0.0)
    lo = lo + side * C_LO
    r = s_exp(hi + side * C_HI, lo + lo * lo / 2) * (1 / u if tail else erfc_dd(t, t_lo, False))
    r = 0.0 if t > 1.3e154 else r
    return r * (2.0**-128 if side > 0 else (2.0**128 if side < 0 else 1.0))
