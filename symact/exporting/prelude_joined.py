"""The stable nodes of an exponential joined to a factor that decays (``symact.kernels.exp_joined``) as PyTorch or
JAX functions, for ``symact.exporting.prelude``: exp(a) times powers of sigmoid, sech**2, softplus or erfc, with
the exponents summed in double-double and moved by 64 ln 2 towards 0 where exp would leave the range (float32's
too), the result moved back by 2**64. ``xp`` stands for ``torch`` or ``jnp``; ``two_prod`` and ``two_sum`` are
the prelude's.

>>> print(JOINED['s_dsigmoid_exp'].strip().splitlines()[0])
def s_dsigmoid_exp(t, a):
"""

from __future__ import annotations

from symact.kernels.vmath_erf import ERFC_TAIL

__all__ = ["JOINED"]

JOINED = {
    "_exp_over_power": '''
def _exp_over_power(t, a, k, half, m=1, n=1):
    """exp(a - j k|t|)/h**(m + n) with j = n where t >= 0 and m where t < 0, h = half*(1 + e), e = exp(-k|t|):
    exp(a) times sigmoid(k t)**m sigmoid(-k t)**n (times half**-(m + n)), each of which may overflow or underflow
    alone (t and a each an array or a double-double pair (hi, lo) of poly_dd). a - j k|t| = hi + lo exactly
    (two_prod, two_sum, plus the low parts); where |hi| > 64 it moves by 64 ln 2 towards 0 and
    the result by 2**64 back (hi -+ 44.361419677734375 is exact in float32 and float64): a subnormal or nearly
    overflowing result is rounded once, and the first-order correction r*(...) stays a normal number in float32
    (a backend that flushes subnormals to 0 would drop it). 1 + e = d + (e - (d - 1)) and each power of h is
    exact as power + power_lo: one division, the rest corrected to first order."""
    (t, t_lo), (a, a_lo) = (v if isinstance(v, tuple) else (v, None) for v in (t, a))
    decay = -k * xp.abs(t)
    rate = k * m if m == n else xp.where(t < 0, xp.full_like(t, k * m), k * n)
    if m == n == 1:
        hi, lo = two_sum(a, decay)
    else:
        slope = -rate * xp.abs(t)
        hi, lo = two_sum(a, slope)
        lo = lo + two_prod(xp.where(slope > -1e30, xp.abs(t), 0.0), -rate)[1]  # the product's rounding error
    if a_lo is not None:  # a (and t) in double-double in float64: a rounded 3*x does not enter a - j k|t|
        lo = lo + a_lo
    if t_lo is not None:
        lo = lo - rate * xp.where(t < 0, -t_lo, t_lo)
    side = xp.sign(hi) * (xp.abs(hi) > 64)
    hi = hi - side * 44.361419677734375
    lo = lo + side * 1.2189787519729715e-07  # 64 ln 2 - 44.361419677734375
    e = xp.exp(decay)
    d = 1 + e
    h = d * half
    power, power_lo = h, 0.0
    for _ in range(m + n - 1):
        power, error = two_prod(power, h)
        power_lo = power_lo * h + error
    r = xp.exp(hi) / power
    fix = r * (lo + lo * lo / 2 - (e - (d - 1)) * ((m + n) / d) - power_lo / power)
    r = xp.where(xp.isfinite(fix), r + fix, r)
    return xp.where(side > 0, r * 1.8446744073709552e19, xp.where(side < 0, r * 5.421010862427522e-20, r))''',
    "s_sech2_exp": '''
def s_sech2_exp(t, a):
    """exp(a)*sech(t)**2 = 4 exp(a - 2|t|)/(1 + exp(-2|t|))**2."""
    return _exp_over_power(t, a, 2.0, 0.5)''',
    "s_dsigmoid_exp": '''
def s_dsigmoid_exp(t, a):
    """exp(a)*sigmoid(t)*sigmoid(-t) = exp(a - |t|)/(1 + exp(-|t|))**2."""
    return _exp_over_power(t, a, 1.0, 1.0)''',
    "s_sigmoid_exp": '''
def s_sigmoid_exp(t, a, m, n):
    """exp(a)*sigmoid(t)**m*sigmoid(-t)**n = exp(a - j|t|)/(1 + exp(-|t|))**(m + n), j = n for t >= 0, else m."""
    return _exp_over_power(t, a, 1.0, 1.0, m, n)''',
    "s_softplus_exp": '''
def s_softplus_exp(t, a):
    """exp(a)*softplus(t) as exp(a + t) log1p(e)/e with e = exp(t) for t < 0 (1 for e < 1e-17: no subnormal
    enters), exp(a)*softplus(t) above (t and a
    each an array or a double-double pair (hi, lo) of poly_dd): a + min(t, 0) = hi + lo exactly, moved by 64 ln 2
    towards 0 where |hi| > 64 and the result by 2**64 back, as in _exp_over_power."""
    (t, t_lo), (a, a_lo) = (v if isinstance(v, tuple) else (v, None) for v in (t, a))
    neg = t < 0
    hi, lo = two_sum(a, xp.where(neg, t, 0.0))
    if a_lo is not None:
        lo = lo + a_lo
    if t_lo is not None:
        lo = lo + xp.where(neg, t_lo, 0.0)
    side = xp.sign(hi) * (xp.abs(hi) > 64)
    hi = hi - side * 44.361419677734375
    lo = lo + side * 1.2189787519729715e-07  # 64 ln 2 - 44.361419677734375
    e = _exp_neg_abs(t, t_lo)
    g = xp.log1p(e)
    grow = xp.where(neg, 0.0, t) if t_lo is None else xp.where(neg, 0.0, t + t_lo)
    g = xp.where(neg, xp.where(e > 1e-17, g / xp.where(e > 1e-17, e, 1.0), 1.0), grow + g)  # 1 - e/2 rounds to 1
    r = xp.exp(hi) * g
    fix = r * (lo + lo * lo / 2)
    r = xp.where(xp.isfinite(fix), r + fix, r)
    return xp.where(side > 0, r * 1.8446744073709552e19, xp.where(side < 0, r * 5.421010862427522e-20, r))''',
    "s_erfc_exp": f'''
def s_erfc_exp(t, a):
    """exp(a)*erfc(t): exp(a - t**2 - 0.5625 + R/S)/t for t >= 1.25, R/S fdlibm's tail fit of erfc in 1/t**2
    (the first pair below 1/0.35), exp(a) erfc(t) below (t and a each an array or a double-double pair (hi, lo) of
    poly_dd): the exponent in double-double, moved by 64 ln 2 towards 0 where |hi| > 64 and the result by 2**64
    back, as in _exp_over_power."""
    (t, t_lo), (a, a_lo) = (v if isinstance(v, tuple) else (v, None) for v in (t, a))
    far = 1e150 if t.dtype == xp.float64 else 1e15  # u*u finite
    tail = t >= 1.25
    u = xp.where(tail, xp.clip(t, max=far), 1.25)
    s = 1 / (u * u)
    first = u < 2.857142857142857
    (r1, r2), (s1, s2) = {ERFC_TAIL!r}
    p, q = xp.zeros_like(s), xp.zeros_like(s)
    for c1, c2 in zip(r1, r2):  # a select of the sums: torch.where(first, c1, c2) would be float32
        p = xp.where(first, p * s + c1, p * s + c2)
    for c1, c2 in zip(s1, s2):
        q = xp.where(first, q * s + c1, q * s + c2)
    sq, sq_lo = two_prod(u, u)
    if t_lo is not None:
        sq_lo = sq_lo + 2 * u * xp.where(tail, t_lo, 0.0)
    hi, lo = two_sum(a, xp.where(tail, -sq, 0.0))
    hi, lo2 = two_sum(hi, xp.where(tail, p / q - 0.5625, 0.0))
    lo = lo + lo2 - xp.where(tail, sq_lo, 0.0)
    if a_lo is not None:
        lo = lo + a_lo
    side = xp.sign(hi) * (xp.abs(hi) > 64)
    hi = hi - side * 44.361419677734375
    lo = lo + side * 1.2189787519729715e-07  # 64 ln 2 - 44.361419677734375
    near = erfc(xp.where(tail, 0.0, t))
    if t_lo is not None:
        near = near - t_lo * 1.1283791670955126 * xp.exp(-xp.clip(t * t, max=800.0))
    r = xp.exp(hi) * xp.where(tail, 1 / u, near)
    fix = r * (lo + lo * lo / 2)
    r = xp.where(t > far, 0.0, xp.where(xp.isfinite(fix), r + fix, r))
    return xp.where(side > 0, r * 1.8446744073709552e19, xp.where(side < 0, r * 5.421010862427522e-20, r))''',
}
