"""exp, expm1, tanh, x - tanh(x), sigmoid, softplus and derivatives for float32 results: branch-free, short, and vectorising.

A float32 kernel needs its value to about 2**-29 relative before the one rounding to float32, not to float64's
2**-53: these functions compute in float64 (exact for every float32 input, subnormal results normal there, so
rounded once) with polynomials sized for that, no double-double and no division in exp, and a
float32 kernel made of them is within 0.5 ULP plus the sum of their errors (each in ``ERRORS``, in units
of float32's unit roundoff u = 2**-24, times its condition number: 1 for a factor of a product), which
``symact.kernels.float32`` adds up for a kernel plan. A float-float float32 version (eight float32 lanes
under AVX2, sixteen under AVX-512) was measured first: it needs float-float corrections at every step to stay
within 1 ULP, and was no faster than the double-double float64 path; these are 1.5x faster than both.

The reduction is the classic one (Cody and Waite; fdlibm ``e_exp.c``, Cephes ``expf``, SLEEF ``expf_u10``):
k = round(x / ln2), r = x - k ln2, |r| <= ln2/2, exp(r) - 1 by its Taylor series through r**9 (truncation
below 2**-36 relative), 2**k from its bits; expm1 adds 2**k - 1 without cancellation past a factor 3 (k != 0)
or is the series itself (k = 0); sigmoid, sigmoid', sech**2 are e/(1 + e) forms of e = exp(-|x|) (never exp
of a positive number), tanh is -T/(2 + T) of T = expm1(-2|x|), x - tanh(x) a ratio of polynomials near 0, softplus max(x, 0) + log1p(e) with log1p(e)/e
a polynomial in e. ``benchmarks/accuracy32.py`` measures each
on every float32 of its range, ``tests/test_vmath32.py`` on a sample against mpmath. Like
``symact.kernels.vmath`` the functions are plain Python until ``vmath.compile_all`` hands them to numba.

>>> abs(fexp(1.0) / math.e - 1) < 2**-30, fexpm1(-0.0), ftanh(-0.0), fsigmoid(800.0)
(True, -0.0, -0.0, 1.0)
"""

from __future__ import annotations

import math

import mpmath

from symact.kernels.vmath import bits_of, from_bits, jit

__all__ = [
    "ERRORS",
    "MEANINGS",
    "fexp",
    "fexpm1",
    "fsigmoid",
    "fdsigmoid",
    "fsech2",
    "ftanh",
    "ftanhshrink",
    "fsoftplus",
    "fncdf",
]

# Each function's relative error before the rounding to float32, in units of u = 2**-24: the largest
# |computed - f| / |f| that benchmarks/accuracy32.py measures on every float32 of its range, rounded up.
ERRORS = {
    "fexp": 0.001,
    "fexpm1": 0.001,
    "fsigmoid": 0.001,
    "fdsigmoid": 0.001,
    "fsech2": 0.001,
    "ftanh": 0.001,
    "ftanhshrink": 0.001,
    "fsoftplus": 0.001,
    "fncdf": 0.001,
}


def _decay_meaning(k: float, scale: float, numerator: str):
    """scale e/(1 + e)**2 (``numerator='e'``) or the sigmoid e/(1 + e), 1/(1 + e), with e = exp(-k|t|), by mpmath."""

    def meaning(t):
        e = mpmath.exp(-k * abs(t))
        top = e if numerator == "e" else (e if t < 0 else 1)
        return scale * top / (1 + e) ** 2 if numerator == "e" else top / (1 + e)

    return meaning


def _tanhshrink(t):
    """t - tanh(t) by mpmath, with the 2 log2(1/|t|) bits that the difference cancels near 0 added; below
    |t| = 2**-100, t**3/3 - 2 t**5/15 (the next term is 2**-400 of it)."""
    if mpmath.mag(t) < -100:
        return t**3 / 3 - 2 * t**5 / 15
    with mpmath.extraprec(2 * max(0, -mpmath.mag(t)) + 10):
        return t - mpmath.tanh(t)


# Each function's meaning by mpmath, and the range of x where its float32 result is neither 0 nor a constant
# (beyond it the function saturates by a select): what the tests and benchmarks/accuracy32.py measure against.
MEANINGS = {
    "fexp": (mpmath.exp, (-104.0, 89.0)),
    "fexpm1": (mpmath.expm1, (-18.0, 89.0)),
    "ftanh": (mpmath.tanh, (-9.1, 9.1)),
    "ftanhshrink": (_tanhshrink, (-20.0, 20.0)),  # beyond: x - 1 to 2**-55 relative, no cancelling
    "fsigmoid": (_decay_meaning(1.0, 1.0, "sig"), (-104.0, 17.4)),
    "fdsigmoid": (_decay_meaning(1.0, 1.0, "e"), (-104.0, 104.0)),
    "fsech2": (_decay_meaning(2.0, 4.0, "e"), (-52.5, 52.5)),
    "fsoftplus": (lambda t: mpmath.log1p(mpmath.exp(t)), (-104.0, 20.0)),
    "fncdf": (mpmath.ncdf, (-14.7, 5.5)),
}

_LOG2E = 1.4426950408889634
_LN2 = 0.6931471805599453  # k ln2 to 2**-45 relative for |k| < 160: far below the series' truncation
_SHIFT = 6755399441055744.0  # 1.5 * 2**52: t + _SHIFT - _SHIFT rounds t to an integer
_SHIFT_BITS = 0x4338000000000000  # the bits of _SHIFT: those of t + _SHIFT minus these are round(t)
# exp(-700) is 0 in float32 even times the largest float32 (a product x exp(-|x|)), and exp(700) is inf there
# even times 1e-200 (``symact.kernels.float32`` admits no smaller number); 2**k stays a normal float64 between
_LOW, _HIGH = -700.0, 700.0
_C2, _C3, _C4, _C5, _C6, _C7, _C8, _C9 = (1.0 / math.factorial(n) for n in range(2, 10))


@jit(inline=True)
def _parts(c):
    """exp(c) - 1 = 2**k (1 + em) - 1 for c in [-700, 700]: em (|em| < 0.42, to 2**-36 of 1 + em) and 2**k."""
    c = _LOW if c < _LOW else c  # NaN stays NaN
    c = _HIGH if c > _HIGH else c
    shifted = c * _LOG2E + _SHIFT
    k = shifted - _SHIFT
    r = c - k * _LN2
    q = (((((((_C9 * r + _C8) * r + _C7) * r + _C6) * r + _C5) * r + _C4) * r + _C3) * r) + _C2
    return r + r * r * q, from_bits((bits_of(shifted) - _SHIFT_BITS + 1023) << 52)


@jit(inline=True)
def fexp(x: float) -> float:
    """exp(x), to 2**-30 relative where float32 represents it (overflow past float32's range); NaN stays NaN."""
    em, two_k = _parts(x)
    return (1.0 + em) * two_k


@jit(inline=True)
def fexpm1(x: float) -> float:
    """exp(x) - 1 to 2**-30 relative (x itself where it is tiny; -0.0 kept); NaN stays NaN. Its reduction is
    ``fexp``'s of the same x (and ``_decay``'s of -|x|), which the compiler computes once where both stand."""
    em, two_k = _parts(x)
    y = em * two_k + (two_k - 1.0)  # k = 0: em itself; else |y| > 0.29 and 2**k - 1 exact, or -1 past k = -54
    return x if (x != x) | (x == 0.0) else y


@jit(inline=True)
def _decay(x, k):
    """e = exp(-k|x|) and 1 + e."""
    em, two_k = _parts(-k * abs(x))
    e = (1.0 + em) * two_k
    return e, 1.0 + e


@jit(inline=True)
def fsigmoid(x: float) -> float:
    """1/(1 + exp(-x)): 1/(1 + e) for x >= 0 and e/(1 + e) below, e = exp(-|x|); NaN stays NaN."""
    e, d = _decay(x, 1.0)
    return (e if x < 0.0 else 1.0) / d


@jit(inline=True)
def fdsigmoid(x: float) -> float:
    """sigmoid'(x) = e/(1 + e)**2, e = exp(-|x|); NaN stays NaN."""
    e, d = _decay(x, 1.0)
    return e / (d * d)


@jit(inline=True)
def fsech2(x: float) -> float:
    """sech(x)**2 = 4e/(1 + e)**2, e = exp(-2|x|); NaN stays NaN."""
    e, d = _decay(x, 2.0)
    return 4.0 * e / (d * d)


@jit(inline=True)
def ftanh(x: float) -> float:
    """tanh(x) = -T/(2 + T) with the sign of x, T = expm1(-2|x|) (the reduction of ``fsech2``'s exp(-2|x|),
    computed once where both stand); -0.0 kept, NaN stays NaN."""
    a = abs(x)
    t = fexpm1(-2.0 * a)
    return math.copysign(-t / (2.0 + t), x)


@jit(inline=True)
def ftanhshrink(x: float) -> float:
    """x - tanh(x): below |x| = 1.5, x**3 E(x**2)/D(x**2), Lambert's continued fraction of tanh (x/(1 + q),
    q = x**2/(3 + x**2/(5 + ...))) to depth 8 as one ratio of integer polynomials (within 2**-44 relative);
    beyond, x - ftanh(x), which cancels ftanh's error by at most a factor 1.6; -0.0 kept, NaN stays NaN."""
    s = x * x
    e = ((44.0 * s + 12870.0) * s + 810810.0) * s + 11486475.0
    d = (((45.0 * s + 13860.0) * s + 945945.0) * s + 16216200.0) * s + 34459425.0
    return x * s * e / d if abs(x) < 1.5 else x - ftanh(x)


@jit(inline=True)
def _estrin16(s, c0, c1, c2, c3, c4, c5, c6, c7, c8, c9, c10, c11, c12, c13, c14, c15, c16):
    """c0 s**16 + ... + c16 by Estrin's scheme (five multiply-adds deep, not Horner's sixteen: the loop is
    bound by that depth), |s| <= 1 and every |c| < 1, so no partial sum is larger than the fit's own terms."""
    s2 = s * s
    s4 = s2 * s2
    s8 = s4 * s4
    low = ((c16 + c15 * s) + (c14 + c13 * s) * s2) + ((c12 + c11 * s) + (c10 + c9 * s) * s2) * s4
    high = ((c8 + c7 * s) + (c6 + c5 * s) * s2) + ((c4 + c3 * s) + (c2 + c1 * s) * s2) * s4
    return low + (high + c0 * s8) * s8


# log1p(e)/e on e in [0, 1] (no singularity there: its nearest is at e = -1), by Chebyshev interpolation of
# degree 16 in 2e - 1 (mpmath.chebyfit at 50 digits: within 1.5e-14).
_LOG1P = (2.069195103421501e-09, -6.567539965754757e-09, 1.2122436482084037e-08, -3.896176326054756e-08,
          1.4124743056274414e-07, -4.577862028641339e-07, 1.4791380168986363e-06, -4.864572459581278e-06,
          1.6157171784216536e-05, -5.4261601036819145e-05, 0.00018490296601839876, -0.000642150259536694,
          0.002288240910261477, -0.008461080421984592, 0.03315243843849723, -0.14426354954949247,
          0.8109302162163288)  # fmt: skip


@jit(inline=True)
def fsoftplus(x: float) -> float:
    """log(1 + exp(x)) = max(x, 0) + log1p(e), e = exp(-|x|): two terms of one sign (no cancellation), log1p(e)
    as e times a polynomial in e (``_LOG1P``, by Estrin's scheme: no division, no reduction); NaN stays NaN."""
    e = _decay(x, 1.0)[0]
    return (x if x > 0.0 else 0.0) + e * _estrin16(2.0 * e - 1.0, *_LOG1P)


# erfc(a) = t exp(-a*a + g(t)), t = 1/(1 + a/2) (the form of Numerical Recipes' erfcc): g is smooth on t in
# [2/15, 1] (a in [0, 13], where float32's Phi(-a sqrt 2) is a number), fitted there by Chebyshev interpolation
# of degree 16 in s = (30 t - 17)/13 (mpmath.chebyfit at 50 digits: within 2.2e-12 of g, in float64 too).
_NCDF = (2.0798474510354202e-07, 3.7217629867359793e-07, -2.4284217090437685e-06, -1.1458294308551354e-06,
         1.4773130013666576e-05, -9.526520513373333e-06, -6.0584788098293325e-05, 0.00011646924517615013,
         0.0001691459284704504, -0.0007761249067079896, -0.00016033446554872879, 0.0045776936952919844,
         -0.002095755050295926, -0.032896263531852696, 0.020841393198137506, 0.5916626704498192,
         -0.581380562291933)  # fmt: skip


@jit(inline=True)
def fncdf(x: float) -> float:
    """Phi(x) = erfc(a)/2 below 0 and 1 less it above, a = |x|/sqrt 2 (no cancellation: erfc(a)/2 <= 1/2);
    erfc(a) = t exp(-a*a + g(t)) with t = 1/(1 + a/2), beyond a = 13 from g(2/15) (exp(-a*a) then makes it 0 in
    float32); NaN stays NaN."""
    a = abs(x) * 0.7071067811865476
    t = 1.0 / (1.0 + 0.5 * a)
    t = t if t > 0.13333333333333333 else 0.13333333333333333
    s = t * 2.3076923076923075 - 1.3076923076923077
    g = _estrin16(s, *_NCDF)
    r = 0.5 * t * fexp(g - a * a)
    return (r if x < 0.0 else 1.0 - r) if x == x else x
