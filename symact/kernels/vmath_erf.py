"""Branch-free erfc and erf for the fused backend's loops (``symact.kernels.vmath`` has exp, expm1, log1p, tanh).

erfc(a) = t exp(g - a*a) for a = |x|, t = 2/(2 + a), with one polynomial g in 2t - 1 for all a (no ranges to
select between, one division), the exponential in double-double and erfc(x) = 2 - erfc(-x) below 0, so that
a loop over it vectorises. erfc stays within 1.1 ULP, subnormal results included (about 0.75 measured), and
erf within 1: x + x*P/Q (fdlibm's fit) below 0.84375, else 1 - erfc(|x|) (``tests/test_vmath.py`` measures
them against mpmath). ``tail_ratio`` keeps fdlibm's tail fit of log(x erfc(x)) for ``s_erfc_exp``, which joins
an exponential to erfc's tail in one exponent. Plain Python until ``vmath.compile_all`` hands them to numba.

>>> verfc(27.2), verfc(-7.0), verf(-0.0), verf(0.5) == math.erf(0.5)
(1e-323, 2.0, -0.0, True)
"""

from __future__ import annotations

import math

from symact.kernels.vmath import _int_bits, _scale, dd_step, exp_parts, fma, from_bits, jit, two_prod, two_sum

__all__ = ["erfc_dd", "verf", "verfc", "ERFC_FIT", "ERFC_TAIL", "tail_ratio"]

# fdlibm's erf (s_erf.c, Sun Microsystems 1993, as in FreeBSD's msun) for |x| < 0.84375: (erf(x) - x)/x = P/Q
# in x*x, highest power first.
_ERF_P = (-2.37630166566501626084e-05, -5.77027029648944159157e-03, -2.84817495755985104766e-02,
          -3.25042107247001499370e-01, 1.28379167095512558561e-01)  # fmt: skip
_ERF_Q = (-3.96022827877536812320e-06, 1.32494738004321644526e-04, 5.08130628187576562776e-03,
          6.50222499887672944485e-02, 3.97917223959155352819e-01, 1.0)  # fmt: skip
# erfc(a) = t exp(g - a*a) for a >= 0, t = 2/(2 + a) (the form of Numerical Recipes' erfcc): g is smooth on t in
# [1/15.5, 1] (a in [0, 29]), fitted there by Chebyshev interpolation of degree 27 in s = 2t - 1 (mpmath at 50
# digits, converted to powers of s), highest power first, the two lowest in double-double: within 4.7e-18 of g
# as rounded here (mpmath on 400,001 points of s).
_G0_HI, _G0_LO = -0.6717940840566923, 1.083776361984306e-17
_G1_HI, _G1_LO = 0.6726432239776567, 1.951753175793579e-17
_G2, _G3 = 0.04734330684190386, -0.04689561023118015
_G = (-1.2635895323619077e-09, 2.8862631014003263e-09, 8.483425947286745e-09, -3.3234182520418773e-08,
      6.1753295390097705e-09, 1.4005972847604767e-07, -2.537133995831428e-07, -1.5118693792530427e-07,
      1.2513913351065845e-06, -1.2868650653645015e-06, -2.947258819684001e-06, 8.570880780975548e-06,
      1.3669228433770265e-07, -3.0191099063640333e-05, 3.174571957423417e-05, 7.14018698125544e-05,
      -0.00017430310822061235, -9.373518359320785e-05, 0.0006736788247275071, -0.00014624684598262298,
      -0.002345812503610551, 0.0017589335566204137, 0.008824938557243442, -0.0098726893663486)  # fmt: skip
_H3, _H2, _H1, _H0 = (_G[i::4] for i in range(4))  # s**(4j + 7), ..., s**(4j + 4): four short chains
# g's coefficients for ``symact.exporting.prelude``: s**27 down to s**2, then (hi, lo) of s**1 and of s**0.
ERFC_FIT = ((*_G, _G3, _G2), (_G1_HI, _G1_LO), (_G0_HI, _G0_LO))
# M = -t d(log erfc)/da = 2t/(sqrt(pi) erfcx(a)), degree 8 in s: within 1.1e-6 (a few digits are enough)
_M = (-0.002560028992170796, 0.002515755896520986, 0.012469448778647915, -0.014208487829694761,
      -0.04999179772601196, 0.06184485822383236, 0.3951495651724987, -1.4859216904817267, 2.2090803850899077)  # fmt: skip
_C_HI_STEPS = 128.0  # the scaled band of symact.kernels.helpers: C_HI = 128 * _LN2_HI
_GRID = 1649267441664.0  # 1.5 * 2**40: a + _GRID - _GRID rounds a to a multiple of 2**-12
# fdlibm's erfc tail (s_erf.c): for 1.25 <= x < 1/0.35, then up to 28, log(x erfc(x)) + x*x + 0.5625 = R/S in
# 1/x**2, within 2**-61.5 (``s_erfc_exp`` joins exp(a) to it)
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
# first pair below 1/0.35 (``exp_joined.h_erfc_exp`` reads them).
ERFC_TAIL = ((_ERFC_R, _ERFC_R2), (_ERFC_S, _ERFC_S2))


@jit(inline=True)
def _poly(t, coeffs):
    p = coeffs[0]
    for c in coeffs[1:]:
        p = fma(p, t, c)
    return p


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
    that it stays normal down to erfc(28)) where ``scaled`` (for x > 0).

    One formula for a = |x|: erfc(a) = t exp(g(s) - a*a), g in double-double, a*a as hi*hi (exact, hi on a grid
    of 2**-12, so that exp_parts' reduction of -hi*hi is exact) plus a small part, the exponential in
    double-double and times t exactly. t = 2/(2 + a) and s = 2t - 1 round: the point where g is evaluated is
    a_s = 2/t_s - 2, t_s = (s + 1)/2 exactly, and erfc(a + da) = t_s exp(g(s) - a_s**2 - (a + da - a_s) L) with
    L = M(s)/t the slope of -log erfc. Below 0 erfc(x) = 2 - erfc(-x), in double-double.
    """
    a = abs(x)
    inside = a < 29.0  # erfc(29) rounds to 0 even scaled (NaN too: the last line restores it)
    a = a if inside else 29.0
    da = (-dx if x < 0 else dx) if inside else 0.0
    d, d_lo = two_sum(2.0, a)
    t = 2.0 / d
    s = 2.0 * t - 1.0
    s_lo = 2.0 * t - (s + 1.0)  # exact (Sterbenz, or |2t| < 1): t_s = t - s_lo/2
    s2 = s * s
    s4 = s2 * s2
    h = fma(s2, fma(s, _poly(s4, _H3), _poly(s4, _H2)), fma(s, _poly(s4, _H1), _poly(s4, _H0)))
    q, q_lo = two_prod(s, fma(s, fma(s, h, _G3), _G2))
    u = _G1_HI + q  # |q| < 0.12 < |_G1_HI|: the error of this sum is exactly q - (u - _G1_HI)
    u_lo = ((q - (u - _G1_HI)) + q_lo) + _G1_LO
    v, v_lo = two_prod(s, u)
    g = _G0_HI + v  # |v| < 1 <= 2|_G0_HI|: likewise
    g_lo = ((v - (g - _G0_HI)) + v_lo) + fma(s, u_lo, _G0_LO)
    p, p_lo = two_prod(t, d)
    shift = (((2.0 - p) - p_lo) + 0.5 * s_lo * d - t * d_lo) * (0.5 * d)  # a_s - a = (2 - t_s (2 + a))/t_s
    slope = _poly(s, _M) * (0.5 * d)
    hi = (a + _GRID) - _GRID
    lo = a - hi
    small = g_lo - lo * (hi + a) - 2.0 * a * shift - (da - shift) * slope
    k, m, m_lo = exp_parts(-(hi * hi), g, small, _C_HI_STEPS if scaled else 0.0)
    q, q_lo = two_prod(m, t)
    q_lo = q_lo + (m_lo * t - m * (0.5 * s_lo))
    two_k = from_bits((_int_bits(k if k > -1000.0 else -1000.0) + 1023) << 52)  # erfc(a) >= 2**-60 below 0
    u = q * two_k
    r, r_lo = two_sum(2.0, -u)
    y = r + (r_lo - q_lo * two_k) if x < 0 else _scale(q + q_lo, k)
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
