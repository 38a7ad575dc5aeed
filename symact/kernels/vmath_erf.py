"""Branch-free erfc and erf for the fused backend's loops (``symact.kernels.vmath`` has exp, expm1, log1p, tanh).

fdlibm's four ranges and rational fits (s_erf.c, Sun Microsystems 1993, as in FreeBSD's msun), each computed
and the right one selected, so that a loop over them vectorises: in the tail erfc(x) = exp(-x*x - 0.5625 +
R/S)/x with the exponential and the quotient in double-double, below it 1 - x - x*P/Q or 1 - erx - P/Q with
the last Horner steps and the quotient in double-double. erfc stays within 1.1 ULP, subnormal results
included, and erf within 1 (``tests/test_vmath.py`` measures them against mpmath). Plain Python until
``vmath.compile_all`` hands them to numba.

>>> verfc(27.2), verfc(-7.0), verf(-0.0), verf(0.5) == math.erf(0.5)
(1e-323, 2.0, -0.0, True)
"""

from __future__ import annotations

import math

from symact.kernels.vmath import _scale, dd_step, exp_parts, jit, split, two_prod, two_sum

__all__ = ["erfc_dd", "verf", "verfc", "ERFC_TAIL", "tail_ratio"]

# fdlibm's erf and erfc (s_erf.c, Sun Microsystems 1993, as in FreeBSD's msun): rational fits, highest power
# first, the two fits that one evaluation selects between padded with zeros to one length.
# |x| < 0.84375: (erf(x) - x)/x = P/Q in x*x
_ERF_P = (0.0, 0.0, -2.37630166566501626084e-05, -5.77027029648944159157e-03, -2.84817495755985104766e-02,
          -3.25042107247001499370e-01, 1.28379167095512558561e-01)  # fmt: skip
_ERF_Q = (0.0, -3.96022827877536812320e-06, 1.32494738004321644526e-04, 5.08130628187576562776e-03,
          6.50222499887672944485e-02, 3.97917223959155352819e-01, 1.0)  # fmt: skip
# 0.84375 <= |x| < 1.25: erf(1 + s) - _ERX = P/Q in s = |x| - 1
_ERX = 8.45062911510467529297e-01
_ERF1_P = (-2.16637559486879084300e-03, 3.54783043256182359371e-02, -1.10894694282396677476e-01,
           3.18346619901161753674e-01, -3.72207876035701323847e-01, 4.14856118683748331666e-01,
           -2.36211856075265944077e-03)  # fmt: skip
_ERF1_Q = (1.19844998467991074170e-02, 1.36370839120290507362e-02, 1.26171219808761642112e-01,
           7.18286544141962662868e-02, 5.40397917702171048937e-01, 1.06420880400844228286e-01, 1.0)  # fmt: skip
# 1.25 <= x < 1/0.35, then up to 28: log(x erfc(x)) + x*x + 0.5625 = R/S in 1/x**2, within 2**-61.5
_ERFC_R = (-9.81432934416914548592e+00, -8.12874355063065934246e+01, -1.84605092906711035994e+02,
           -1.62396669462573470355e+02, -6.23753324503260060396e+01, -1.05586262253232909814e+01,
           -6.93858572707181764372e-01, -9.86494403484714822705e-03)  # fmt: skip
_ERFC_S = (-6.04244152148580987438e-02, 6.57024977031928170135e+00, 1.08635005541779435134e+02,
           4.29008140027567833386e+02, 6.45387271733267880336e+02, 4.34565877475229228821e+02,
           1.37657754143519042600e+02, 1.96512716674392571292e+01, 1.0)  # fmt: skip
_ERFC_R2 = (0.0, -4.83519191608651397019e+02, -1.02509513161107724954e+03, -6.37566443368389627722e+02,
            -1.60636384855821916062e+02, -1.77579549177547519889e+01, -7.99283237680523006574e-01,
            -9.86494292470009928597e-03)  # fmt: skip
_ERFC_S2 = (0.0, -2.24409524465858183362e+01, 4.74528541206955367215e+02, 2.55305040643316442583e+03,
            3.19985821950859553908e+03, 1.53672958608443695994e+03, 3.25792512996573918826e+02,
            3.03380607434824582924e+01, 1.0)  # fmt: skip
# The tail's fits as ((R, R2), (S, S2)): for t >= 1.25 erfc(t) = exp(-t*t - 0.5625 + R/S)/t, R/S in 1/t**2, the
# first pair below 1/0.35 (``helpers.h_erfc_exp`` reads them).
ERFC_TAIL = ((_ERFC_R, _ERFC_R2), (_ERFC_S, _ERFC_S2))


@jit(inline=True)
def _poly(t, coeffs):
    p = coeffs[0]
    for c in coeffs[1:]:
        p = p * t + c
    return p


_EXP_NEG = tuple((-1.0) ** n / math.factorial(n) for n in range(10, -1, -1))  # exp(-u) to 3e-6 for u < 1.6
_TWO_OVER_SQRTPI = 1.1283791670955126
_C_HI_STEPS = 128.0  # the scaled band of symact.kernels.helpers: C_HI = 128 * _LN2_HI


@jit(inline=True)
def _exp_square_over(a, da, g, g_lo, n):
    """exp(-(a + da)**2 - 0.5625 + g + g_lo + n _LN2_HI)/(a + da) for 1 <= a <= 30, |da| <= ulp(a), |g| < 1,
    rounded once (subnormal results too).

    a*a is hi*hi (exact, hi of 26 bits) plus a small part; the exponential is carried in double-double, and
    the quotient by a too, so that only g's own rounding and the last one remain.
    """
    hi, lo = split(a)
    gh = g - 0.5625
    k, m, m_lo = exp_parts(-(hi * hi), gh, (g - (gh + 0.5625)) + g_lo - (lo * (hi + a) + 2.0 * a * da), n)
    inv = 1.0 / a
    q = m * inv
    p, p_lo = two_prod(q, a)
    return _scale(q + ((((m - p) - p_lo) + m_lo) - q * da) * inv, k)


@jit(inline=True)
def _ratio(t, first, p1, q1, p2, q2):
    """P/Q at t as q + q_lo, with P, Q = p1, q1 if ``first`` else p2, q2 (coefficients, highest power first,
    p1 and p2 of one length, q1 and q2 too): the last two Horner steps and the quotient in double-double."""
    p, d = 0.0, 0.0
    for i in range(len(p1) - 2):
        p = p * t + (p1[i] if first else p2[i])
    for i in range(len(q1) - 2):
        d = d * t + (q1[i] if first else q2[i])
    p_lo, d_lo = 0.0, 0.0
    for i in (-2, -1):
        p, p_lo = dd_step(p, p_lo, t, p1[i] if first else p2[i], 0.0)
        d, d_lo = dd_step(d, d_lo, t, q1[i] if first else q2[i], 0.0)
    inv = 1.0 / d
    q = p * inv
    h, h_lo = two_prod(q, d)
    return q, (((p - h) - h_lo) + p_lo - q * d_lo) * inv


@jit(inline=True)
def tail_ratio(a: float) -> tuple[float, float]:
    """R/S at 1/a**2 for a >= 1.25 (``ERFC_TAIL``) in double-double: erfc(a) = exp(-a*a - 0.5625 + R/S)/a."""
    return _ratio(1.0 / (a * a), a < 2.857142857142857, _ERFC_R, _ERFC_S, _ERFC_R2, _ERFC_S2)


@jit(inline=True)
def erfc_dd(x: float, dx: float, scaled: bool) -> float:
    """erfc(x + dx), |dx| <= ulp(x), with the same bound as ``verfc``; times exp(C_HI) (``helpers.C_HI``, so
    that it stays normal down to erfc(28)) where ``scaled``.

    fdlibm's four ranges and rational fits, each computed and the right one selected; in the tail
    erfc(x) = exp(-x*x - 0.5625 + R/S)/x with the exponential and the quotient in double-double (and dx in
    them), below it 1 - x - x*P/Q or 1 - _ERX - P/Q in double-double, less dx erfc'(x).
    """
    a = abs(x)
    a = a if a < 30.0 else 30.0  # erfc(30) rounds to 0 even scaled (NaN too: the last line restores it)
    z = a * a
    small, near = a < 0.84375, a < 1.25
    q, q_lo = _ratio(z if small else a - 1.0, small, _ERF_P, _ERF_Q, _ERF1_P, _ERF1_Q)
    slope = dx * _TWO_OVER_SQRTPI * _poly(z, _EXP_NEG)  # dx erf'(x), a few digits are enough
    one_x, one_x_lo = two_sum(1.0, -x)
    p, p_lo = two_prod(x, q)
    y, y_lo = two_sum(one_x, -p)
    y = y + ((((one_x_lo + y_lo) - p_lo) - x * q_lo) - slope)  # erfc from 0.23 to 1.77
    near_y, near_lo = two_sum(1.0 - _ERX if x > 0 else -1.0 - _ERX, -q)  # 1 - _ERX is exact
    near_y = near_y + (near_lo - q_lo)
    near_y = (near_y if x > 0 else -near_y) - slope
    at = a if a > 1.0 else 1.0  # the tail's fits, from 1.25 on
    g, g_lo = _ratio(1.0 / (at * at), at < 2.857142857142857, _ERFC_R, _ERFC_S, _ERFC_R2, _ERFC_S2)
    tail = _exp_square_over(at, dx if x > 0 else -dx, g, g_lo, _C_HI_STEPS if scaled else 0.0)
    tail = tail if x > 0 else 2.0 - tail
    y = y if small else (near_y if near else tail)
    return y if x == x else x


@jit(inline=True)
def verfc(x: float) -> float:
    """erfc(x) within 1.1 ULP, subnormal results included (0 from x = 27.3 on, 2 below -6); NaN stays NaN."""
    return erfc_dd(x, 0.0, False)


@jit(inline=True)
def verf(x: float) -> float:
    """erf(x) within 1 ULP, -0.0 kept: x + x*P/Q below 0.84375, else 1 - erfc(|x|) with the sign of x."""
    z = x * x
    small = x + x * (_poly(z, _ERF_P) / _poly(z, _ERF_Q))
    return small if abs(x) < 0.84375 else math.copysign(1.0 - verfc(abs(x)), x)
