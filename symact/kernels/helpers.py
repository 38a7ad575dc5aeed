"""The NumPy implementations of the stable nodes (``symact.kernels.nodes`` names each in its row).

Each takes and returns float64 arrays (callers silence floating-point warnings): the exp-like helpers
``h_sigmoid``, ``h_dsigmoid``, ``h_softplus`` and ``h_sech2`` take an optional low part of a double-double
argument, ``poly_dd`` evaluates the polynomial arguments in double-double (with Dekker's ``two_prod`` and
Knuth's ``two_sum``; ``symact.kernels.vmath`` has their scalar twins, which numba compiles in place, so
these array versions stay apart), and ``erf``, ``erfc`` and ``lambertw`` complete what NumPy lacks.

>>> h_softplus(np.array([1000.0, -1000.0])).tolist()
[1000.0, 0.0]
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np

from symact.kernels.vmath import SPLITTER

__all__ = ["erf", "erfc", "lambertw", "TINY", "C_HI", "C_LO", "UNSCALE", "RSQRT2_HI", "RSQRT2_LO", "CF_DEPTH"]


@lru_cache(maxsize=1)
def _scipy_special():
    """scipy.special's vectorised ``(erf, erfc)``, imported on first use (it takes 0.4 s, so ``import symact``
    does not); None without scipy, which is optional: math's functions then, within ~1 ULP."""
    try:
        from scipy.special import erf, erfc
    except ImportError:  # pragma: no cover - the fallback is tested by hiding scipy
        return None
    return erf, erfc


_math_erfc = np.frompyfunc(math.erfc, 1, 1)


def erfc(t: np.ndarray) -> np.ndarray:
    """Complementary error function on float64 arrays, as accurate as the C library's erfc: glibc's reaches
    3.2 ULP (at 1.2175, 120,000 random points of [-6, 27] against mpmath).

    scipy's erfc is within 1 ULP below 0.5 but loses 4-20 ULP above (and erfcx(t)*exp(-t^2)
    up to 4), so above 0.5 the C library's erfc (math.erfc) is applied element by element;
    without scipy, math.erfc everywhere (slower, as accurate).
    """
    t = np.asarray(t, dtype=np.float64)
    scipy = _scipy_special()
    if scipy is None:
        return np.asarray(_math_erfc(t), dtype=np.float64)
    r = scipy[1](t)
    tail = t > 0.5
    if tail.any():
        r[tail] = np.asarray(_math_erfc(t[tail]), dtype=np.float64)
    return r


_math_erf = np.frompyfunc(math.erf, 1, 1)


def erf(t: np.ndarray) -> np.ndarray:
    """The error function on float64 arrays: scipy's (within 1 ULP), or math.erf element by element."""
    t = np.asarray(t, dtype=np.float64)
    scipy = _scipy_special()
    return scipy[0](t) if scipy is not None else np.asarray(_math_erf(t), dtype=np.float64)


_INV_E = math.exp(-1)


def lambertw(t: np.ndarray) -> np.ndarray:
    """The principal real branch W0 of Lambert's W (w e^w = t) for t >= -1/e, NaN below.

    Below 3, Halley's iteration from a branch-point series near -1/e or log1p(t); above, Newton's on
    w + log w = log t from log t - log log t. Six steps reach the last bit.

    >>> float(lambertw(np.array(1.0)))
    0.5671432904097838
    """
    t = np.asarray(t, dtype=np.float64)
    p = np.sqrt(np.maximum(2 * (math.e * np.minimum(t, 3.0) + 1), 0.0))
    lt = np.log(np.maximum(t, 3.0))
    small = np.where(t < -0.25, -1 + p - p * p / 3 + 11 / 72 * p**3, np.log1p(np.clip(t, -0.25, 3.0)))
    large = lt - np.log(lt)
    for _ in range(6):
        ew = np.exp(small)
        r = small * ew - t
        step = r / (ew * (small + 1) - (small + 2) * r / (2 * small + 2))
        small = np.where(np.isfinite(step), small - step, small)
        large = large - (large + np.log(large) - lt) / (1 + 1 / large)  # w + log w = log t, for t >= 3
    w = np.where(t < 3, np.where(t == -_INV_E, -1.0, small), large)
    return np.where(t < -_INV_E, np.nan, np.where(t == np.inf, np.inf, w))


def _split(a):
    p = a * SPLITTER
    hi = p - (p - a)
    return hi, a - hi


def two_prod(a, b):
    """a*b as hi + lo exactly (Dekker), for |a*b| < 1e300."""
    p = a * b
    ah, al = _split(a)
    bh, bl = _split(b)
    err = ((ah * bh - p) + ah * bl + al * bh) + al * bl
    return p, err


def two_sum(a, b):
    s = a + b
    bb = s - a
    return s, (a - (s - bb)) + (b - bb)


def two_prod_scaled(a, b):
    """``two_prod`` of a*2**-m and b*2**m, m half the difference of their exponents: exact wherever a*b and its
    error are normal numbers, at any magnitude of a and b (Dekker's splits overflow past 2**996)."""
    m = (np.frexp(a)[1] - np.frexp(b)[1]) // 2
    return two_prod(np.ldexp(a, -m), np.ldexp(b, m))


def _horner_dd(t, coeffs, product):
    hi = np.full_like(t, coeffs[0][0])
    lo = np.full_like(t, coeffs[0][1])
    for ch, cl in coeffs[1:]:
        p, e = product(hi, t)
        e = e + lo * t
        s, f = two_sum(p, ch)
        f = f + e + cl
        hi = s + f
        lo = f - (hi - s)
    return hi, lo


def poly_dd(t, coeffs):
    """sum c_k t**k in double-double by Horner; ``coeffs`` are (hi, lo) pairs, highest degree first. Beyond
    |t| = 1e100 (where Dekker's splits of a product may overflow) its products are ``two_prod_scaled`` (swish at
    beta = 1e-300 reads beta*x to the last bit at x = 1e302); where a step overflows, Horner's rule in float64
    on the high parts, low part 0 (softplus' beta*x at beta = 1e300)."""
    hi, lo = _horner_dd(np.clip(t, -1e100, 1e100), coeffs, two_prod)
    far = (np.abs(t) > 1e100) | ~np.isfinite(hi)
    if far.any():
        scaled_hi, scaled_lo = _horner_dd(t, coeffs, two_prod_scaled)
        value = np.full_like(t, coeffs[0][0])
        for ch, _ in coeffs[1:]:
            value = value * t + ch
        over = ~np.isfinite(scaled_hi)
        hi = np.where(far, np.where(over, value, scaled_hi), hi)
        lo = np.where(far, np.where(over, 0.0, scaled_lo), lo)
    return hi, lo


# Below exp(-TINY) a decaying node's value is subnormal or nearly so, and a product it takes part in (x*sigmoid(x)
# at x = -714) would show every bit it lost. There a node given the cut ``w`` returns its value times
# 2**128/E_LO, computed as exp(y + C_HI) with y its exponent (y + C_HI is exact for 512 <= |y| < 2**52: C_HI has
# 26 fraction bits), and ``h_unscale`` multiplies the finished product by UNSCALE = 2**-128*E_LO once
# (``rules.scale_tiny`` writes the products so). Band: t < -w for one-sided nodes, |t| > w for the others.
TINY = 640.0
C_HI = 88.72283908724785  # 128*ln2_hi, ln2_hi = 0x3FE62E42FEE00000
UNSCALE = 2.9387359488347877e-39  # 2**-128 * exp(128 ln 2 - C_HI)
C_LO = 2.4425151094663523e-08  # 128 ln 2 - C_HI


def _band(t, w, both):
    return np.greater(np.abs(t), w) if both else np.less(t, -w)


def _scaled(values, t, w, both, exponent):
    """Overwrite ``values`` in the band of the cut ``w`` with exp(exponent(band) + C_HI)."""
    if w == np.inf:
        return values
    band = _band(t, w, both)
    if band.any():
        values[band] = np.exp(exponent(band) + C_HI)
    return values


def h_unscale(t, lo, p, w, both):
    """``p`` times UNSCALE in the band of the cut ``w``: the product of a scaled node brought back."""
    band = _band(t, w, both)
    return np.where(band, p * UNSCALE, p) if band.any() else p


def _exp_neg_abs(h, lo, scale=1.0, w=np.inf, both=True):
    """exp(-scale*|h + lo|) (a fresh array, computed in place, scaled in the band of ``w``) and the mask h < 0
    (None without lo)."""
    e = np.abs(h)
    np.multiply(e, -scale, out=e)
    np.exp(e, out=e)
    _scaled(e, h, w, both, lambda band: -scale * np.abs(h[band]))
    neg = None
    if lo is not None:
        neg = h < 0
        corr = np.where(neg, lo, -lo)
        e = e * (1 + scale * corr)
    return e, neg


def h_exp(t, lo=None):
    """exp(t + lo) = exp(t) + exp(t)*lo for a low part |lo| < 1e-13 (its square is below the last bit)."""
    e = np.exp(t)
    if lo is None:
        return e
    r = e * lo
    r += e
    np.copyto(r, e, where=~np.isfinite(r))  # inf*lo + inf may be NaN
    return r


def h_sigmoid(t, lo=None, w=np.inf):
    """1/(1 + exp(-t)) without overflow: exp(min(t, 0))/(1 + exp(-|t|)), no exp of a positive number.

    exp(min(t, 0)) is exp(-|t|) for t < 0 and 1 above: a second exp costs less than a masked pass.
    """
    if lo is not None:
        e, neg = _exp_neg_abs(t, lo, 1.0, w, False)
        r = e + 1
        np.reciprocal(r, out=r)
        np.multiply(r, e, out=r, where=neg)
        return r
    e, _ = _exp_neg_abs(t, None)
    e += 1
    num = np.minimum(t, 0.0)
    np.exp(num, out=num)
    _scaled(num, t, w, False, lambda band: t[band])
    np.divide(num, e, out=num)
    return num


def _over_square(e, scale):
    """scale*e/(1 + e)**2, with the rounding of 1 + e (d + d_lo exactly, e <= 1) corrected to first order:
    the two divisions by a rounded 1 + e alone cost up to 2 ULP."""
    d = e + 1
    d_lo = e - (d - 1)
    if scale != 1:
        np.multiply(e, scale, out=e)
    np.divide(e, d, out=e)
    np.divide(e, d, out=e)
    np.divide(d_lo, d, out=d_lo)
    d_lo *= -2 * e
    e += d_lo
    return e


def h_dsigmoid(t, lo=None, w=np.inf):
    """sigmoid(t)*sigmoid(-t) = e/(1 + e)**2 with e = exp(-|t|)."""
    e, _ = _exp_neg_abs(t, lo, 1.0, w)
    return _over_square(e, 1.0)


def h_softplus(t, lo=None, w=np.inf):
    """log(1 + exp(t)) = max(t, 0) + log1p(exp(-|t|))."""
    e, neg = _exp_neg_abs(t, lo, 1.0, w, False)
    np.log1p(e, out=e)
    base = np.maximum(t, 0.0)
    if lo is not None:
        base += np.where(neg, 0, lo)
    e += base
    return e


def h_softplus_tail(t, lo=None, w=np.inf):
    """log1p(exp(-|t|)): softplus(t) less max(t, 0)."""
    e, _ = _exp_neg_abs(t, lo, 1.0, w)
    return np.log1p(e, out=e)


def h_sech2(t, lo=None, w=np.inf):
    """1 - tanh(t)**2 = 4e/(1 + e)**2 with e = exp(-2|t|)."""
    e, _ = _exp_neg_abs(t, lo, 2.0, w)
    return _over_square(e, 4.0)


RSQRT2_HI = 0.7071067811865476
RSQRT2_LO = -4.833646656726457e-17  # 1/sqrt(2) - RSQRT2_HI
_TWO_OVER_SQRTPI = 1.1283791670955126


# Phi(t) = phi(t)/|t| * sum (-1)^n (2n - 1)!! t**(-2n) for t -> -inf (Mills' ratio), with 1/sqrt(2 pi) folded in:
# ten terms reach 1e-20 below the band of the scaled ncdf (t < -sqrt(1280)), where erfc(z) would be subnormal.
MILLS = (-13747321.59082214, 808665.975930714, -53911.06506204761, 4147.005004772893, -377.0004549793539,
         41.88893944215043, -5.984134206021491, 1.196826841204298, -0.3989422804014327, 0.3989422804014327)  # fmt: skip


def h_ncdf(t, w=np.inf):
    """Phi(t) = erfc(z)/2 with z = -t/sqrt(2) carried in double-double; erfc(z + dz) ~ erfc(z) - dz 2/sqrt(pi) exp(-z^2).

    In the band t < -w, exp(-t**2/2) (scaled, see ``h_unscale``) times Mills' series.
    """
    tc = np.clip(t, -1e10, 1e10)
    z, err = two_prod(-tc, RSQRT2_HI)
    err = err - tc * RSQRT2_LO
    z, dz = two_sum(z, err)
    r = erfc(z)
    r = r - dz * _TWO_OVER_SQRTPI * h_expsq(z, 1.0)
    r = r * 0.5
    band = np.less(tc, -w)
    if band.any():
        tb = tc[band]
        q = 1 / (tb * tb)
        s = np.full_like(q, MILLS[0])
        for m in MILLS[1:]:
            s = s * q + m
        r[band] = h_expsq(tb, 0.5, w) * s / -tb
    if np.ndim(t):
        r = np.where(np.isnan(t), t, r)
    return r


def h_expsq(t, c, w=np.inf):
    """exp(-c*t**2) for c a power of two: t = hi + lo with hi**2 exact, so the exponent has no rounding."""
    c = float(c)
    tc = np.minimum(np.abs(t), math.sqrt(900 / c))  # beyond, exp underflows to 0 anyway, scaled or not
    hi, lo = _split(tc)
    big = np.exp(-c * (hi * hi))
    _scaled(big, tc, w, True, lambda band: -c * (hi[band] * hi[band]))
    small = -c * (lo * (2 * hi + lo))
    return big + big * np.expm1(small)


def _sqrt_sq_plus(t, c):
    """sqrt(t**2 + c) by the formula, hypot only where t**2 overflows."""
    h = np.sqrt(t * t + c)
    over = np.isinf(h)
    if over.any():
        h[over] = np.hypot(t[over], math.sqrt(c))
    return h


def h_sqplus(t, c):
    """(t + sqrt(t**2 + c))/2, dividing instead of cancelling for t < 0; finite up to 1e308."""
    c = float(c)
    h = _sqrt_sq_plus(t, c)
    neg = np.flatnonzero(t < 0)
    r = t / 2 + h / 2
    hn, tn = np.take(h, neg), np.take(t, neg)
    r.put(neg, (c / 4) / (hn / 2 - tn / 2))
    return r


def h_dsqplus(t, c):
    """(1 + t/sqrt(t**2 + c))/2, as (c/2)/(h (h - t)) for t < -sqrt(c/3), where t/h < -1/2 would cancel (above,
    the conjugate's five roundings cost more than the sum's: 4.3 ULP at t = -0.0057, c = 4); h - t halved, which
    overflows at t = -1e308 (c = 1e300: f' is 2.5e-317, not 0)."""
    c = float(c)
    h = _sqrt_sq_plus(t, c)
    neg = np.flatnonzero(t < -math.sqrt(c / 3))
    r = 0.5 + (t / h) / 2
    hn = np.take(h, neg)
    r.put(neg, (c / 2) / hn / (hn / 2 - np.take(t, neg) / 2) * 0.5)
    return r


CF_DEPTH = 13


def h_tanhshrink(t):
    """t - tanh(t): for |t| < 1.5 from tanh t = t/(1 + q), q = t^2/(3 + t^2/(5 + ...)), as t q/(1 + q)."""
    r = t - np.tanh(t)
    small = np.flatnonzero(np.abs(t) < 1.5)  # indices: take/put cost less than a bool mask's gather/scatter
    if small.size:
        s = np.take(t, small)
        s2 = s * s
        q = np.zeros_like(s)
        for n in range(CF_DEPTH, 0, -1):  # in place: q = s2/((2n + 1) + q)
            q += 2 * n + 1
            np.divide(s2, q, out=q)
        d = q + 1
        np.multiply(q, s, out=q)
        np.divide(q, d, out=q)
        r.put(small, q)
    return r


def h_hypot(t, c):
    return np.hypot(t, float(c))
