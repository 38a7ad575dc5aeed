"""NumPy helpers of an exponential joined to a factor that decays: exp(a) times powers of sigmoid, sech**2,
softplus or erfc, where exp(a) overflows or the factor underflows while their product is a number.

Each computes the sum of exp(a)'s exponent and the factor's own (-k|t|, t, -t**2 ...) as hi + lo exactly, so
a rounded 3*x does not enter, and exp(hi + lo) once; where exp(hi) nears the ends of float64's range the
exponent moves by 128 ln 2 = C_HI + C_LO towards 0 and the result by 2**128 back, rounded once (``_moved``,
``_back``). ``symact.kernels.scalar`` has their scalar versions for the fused loops.

>>> print(f"{h_sigmoid_exp(np.array([300.0]), None, 690.0, None, 0, 2)[0]:.6e}")  # exp(690 - 600)
1.220403e+39
"""

from __future__ import annotations

import math

import numpy as np

from symact.kernels.helpers import C_HI, C_LO, erfc, h_exp, two_prod, two_sum
from symact.kernels.vmath_erf import ERFC_TAIL

__all__ = ["h_sech2_exp", "h_dsigmoid_exp", "h_sigmoid_exp", "h_softplus_exp", "h_erfc_exp"]

_TWO_OVER_SQRTPI = 1.1283791670955126


def _moved(hi, lo):
    """hi + lo moved by 128 ln 2 towards 0 where |hi| > 700 (exact: C_HI has 26 fraction bits, hi 43 or fewer
    where |hi| < 1024), lo with its second-order term (exp(hi + lo) = exp(hi) (1 + expm1(lo)), |lo| < 3e-8),
    and the side moved (-1, 0, 1)."""
    side = np.less(hi, -700).astype(np.float64) - np.greater(hi, 700)
    hi = hi + side * C_HI
    lo = lo + side * C_LO
    return hi, lo + lo * lo / 2, side


def _back(r, side):
    """r times 2**(128 side), rounded once: the move of ``_moved`` undone."""
    return np.ldexp(r, (-128 * side).astype(np.int64))


def _exp_over_power(t, t_lo, a, a_lo, k, scale, m=1, n=1):
    """scale**((m + n)/2) exp(a) sigmoid(k t)**m sigmoid(-k t)**n (scale 1 or 4) as exp(a - j k|t|)/h**(m + n),
    j = n where t >= 0 and m where t < 0, h = (1 + e)/sqrt(scale), e = exp(-k|t|): a - j k|t| is hi + lo exactly
    (``two_prod``, ``two_sum``; with the low parts of double-double t + t_lo and a + a_lo, to double-double
    accuracy: a rounded 3*x does not enter), so exp(a) may overflow and exp(-k|t|) underflow where their product
    is a number; where exp(hi) nears the ends of the range, the exponent moves by 128 ln 2 = C_HI + C_LO towards 0
    and the result by 2**128 back, rounded once. 1 + e is d + d_lo exactly and h**(m + n) is H + H_lo
    (``two_prod`` at each power): one division and a first-order correction."""
    t, a = np.broadcast_arrays(np.asarray(t, dtype=np.float64), np.asarray(a, dtype=np.float64))
    rate = k * (np.where(t < 0, m, n) if m != n else m)
    decay = np.abs(t) * -k
    if m == n == 1:
        hi, lo = two_sum(a, decay)
    else:
        slope = np.abs(t) * -rate
        hi, lo = two_sum(a, slope)
        lo = lo + two_prod(np.where(slope > -1e300, np.abs(t), 0.0), -rate)[1]  # the product's rounding error
    if a_lo is not None:
        lo = lo + a_lo
    if t_lo is not None:
        lo = lo - rate * np.where(t < 0, -t_lo, t_lo)
    hi, lo, side = _moved(hi, lo)
    e = np.exp(decay)
    d = e + 1
    h = d * (1 / math.sqrt(scale))
    power, power_lo = h, 0.0
    for _ in range(m + n - 1):
        power, error = two_prod(power, h)
        power_lo = power_lo * h + error
    r = h_exp(hi, lo) / power
    c = (e - (d - 1)) * ((m + n) / d) + power_lo / power  # (h + h_lo)**p = H + H_lo + p H h_lo/h, h_lo/h = d_lo/d
    np.multiply(c, -r, out=c, where=np.isfinite(r))  # inf + c is inf: not inf*0
    r += c
    return _back(r, side)


def h_sech2_exp(t: np.ndarray, t_lo: np.ndarray | None, a: np.ndarray, a_lo: np.ndarray | None) -> np.ndarray:
    """exp(a)*sech(t)**2 = 4 exp(a - 2|t|)/(1 + exp(-2|t|))**2 (t + t_lo, a + a_lo: low parts None where exact).

    >>> print(f"{h_sech2_exp(np.array([620.0]), None, 700.0, None)[0]:.13e}")  # NumPy's exp may differ by CPU
    1.2107089797892e-234
    """
    return _exp_over_power(t, t_lo, a, a_lo, 2.0, 4.0)


def h_dsigmoid_exp(t: np.ndarray, t_lo: np.ndarray | None, a: np.ndarray, a_lo: np.ndarray | None) -> np.ndarray:
    """exp(a)*sigmoid(t)*sigmoid(-t) = exp(a - |t|)/(1 + exp(-|t|))**2 (t + t_lo, a + a_lo)."""
    return _exp_over_power(t, t_lo, a, a_lo, 1.0, 1.0)


def h_sigmoid_exp(
    t: np.ndarray, t_lo: np.ndarray | None, a: np.ndarray, a_lo: np.ndarray | None, m: int, n: int
) -> np.ndarray:
    """exp(a)*sigmoid(t)**m*sigmoid(-t)**n = exp(a - j|t|)/(1 + exp(-|t|))**(m + n), j = n for t >= 0, else m.

    >>> print(f"{h_sigmoid_exp(np.array([300.0]), None, 690.0, None, 0, 2)[0]:.6e}")  # exp(690 - 600)
    1.220403e+39
    """
    return _exp_over_power(t, t_lo, a, a_lo, 1.0, 1.0, int(m), int(n))


def h_softplus_exp(t: np.ndarray, t_lo: np.ndarray | None, a: np.ndarray, a_lo: np.ndarray | None) -> np.ndarray:
    """exp(a)*softplus(t) as exp(a + t) log1p(e)/e with e = exp(t) for t < 0 (1 where e < 1e-17), exp(a)*softplus(t)
    above: a + min(t, 0) is hi + lo exactly (``two_sum``; with the low parts of double-double t + t_lo and
    a + a_lo), so exp(a) may overflow and exp(t) underflow where their product is a number; moved by 128 ln 2
    near the ends of the range as ``_exp_over_power``.

    >>> print(f"{h_softplus_exp(np.array([-1135.0]), None, 908.0, None)[0]:.6e}")  # exp(908 - 1135) log1p(e)/e, e = exp(-1135) = 0
    2.601073e-99
    """
    t, a = np.broadcast_arrays(np.asarray(t, dtype=np.float64), np.asarray(a, dtype=np.float64))
    neg = t < 0
    hi, lo = two_sum(a, np.minimum(t, 0.0))
    if a_lo is not None:
        lo = lo + a_lo
    e = np.exp(-np.abs(t))
    grow = np.maximum(t, 0.0)
    if t_lo is not None:
        lo = lo + np.where(neg, t_lo, 0.0)
        e = e * (1 + np.where(neg, t_lo, -t_lo))
        grow = grow + np.where(neg, 0.0, t_lo)
    hi, lo, side = _moved(hi, lo)
    g = np.log1p(e)
    with np.errstate(invalid="ignore", divide="ignore"):
        g = np.where(neg, np.where(e > 1e-17, g / e, 1.0), grow + g)  # log1p(e)/e = 1 - e/2 rounds to 1
    return _back(h_exp(hi, lo) * g, side)


def h_erfc_exp(t: np.ndarray, t_lo: np.ndarray | None, a: np.ndarray, a_lo: np.ndarray | None) -> np.ndarray:
    """exp(a)*erfc(t): for t >= 1.25 exp(a - t**2 - 0.5625 + g)/t, g = R/S(1/t**2) the tail fit of fdlibm's erfc
    (``vmath_erf.ERFC_TAIL``: erfc(t) = exp(-t**2 - 0.5625 + g)/t), the exponent in double-double (t**2 by
    ``two_prod``, with the low parts of t + t_lo and a + a_lo), so that exp(a) may overflow and erfc(t)
    underflow where their product is a number; below 1.25 exp(a) erfc(t) (erfc(t) > 0.07). Moved by 128 ln 2
    near the ends of the range as ``_exp_over_power``.

    >>> print(f"{h_erfc_exp(np.array([40.0]), None, 1000.0, None)[0]:.6e}")  # exp(-600) erfcx(40)
    3.737148e-263
    """
    t, a = np.broadcast_arrays(np.asarray(t, dtype=np.float64), np.asarray(a, dtype=np.float64))
    tail = t >= 1.25
    u = np.where(tail, np.minimum(t, 1.3e154), 1.25)  # u*u finite
    sq, sq_lo = two_prod(u, u)
    if t_lo is not None:
        sq_lo = sq_lo + 2 * u * np.where(tail, t_lo, 0.0)
    s = 1 / (u * u)
    r_fit, s_fit = (np.where(u < 1 / 0.35, *(np.polyval(c, s) for c in pair)) for pair in ERFC_TAIL)
    g = r_fit / s_fit - 0.5625
    hi, lo = two_sum(a, np.where(tail, -sq, 0.0))
    hi, lo2 = two_sum(hi, np.where(tail, g, 0.0))
    lo = lo + lo2 - np.where(tail, sq_lo, 0.0)
    if a_lo is not None:
        lo = lo + a_lo
    hi, lo, side = _moved(hi, lo)
    near = erfc(np.where(tail, 0.0, t))
    if t_lo is not None:
        near = near - t_lo * _TWO_OVER_SQRTPI * np.exp(-np.minimum(t * t, 800.0))
    r = h_exp(hi, lo) * np.where(tail, 1 / u, near)
    r = np.where(t > 1.3e154, 0.0, r)  # exp(a - t**2) with t**2 > 1.69e308 > a
    return _back(r, side)
