"""JAX's float64 tanh, sigmoid, sigmoid(t)*sigmoid(-t), sech**2 and softplus, for ``symact.exporting.prelude``:
within 0.6 to 1.2 ULP, where XLA's tanh, exp and log1p (up to 3, 1.5 and 1.9 ULP off) made them 2.3 to 3.8 ULP
off, too much where f' cancels (mish's near x = -3). exp(-|t|) is a pair (``_exp_dd``: k ln 2 + r with r's
rounding error carried, a Taylor series, 2**k from its bits), a quotient is corrected by its remainder
(``_div_dd``, from a reciprocal by Newton steps, ``_recip``: XLA computes a quotient used twice, and everything
before it, twice) and log1p is musl's (``_log1p64``). ``xp`` stands for ``jnp``; ``two_prod`` and ``_kept`` are
the prelude's. Torch calls none of them: its verification passes without, and in eager mode each operation is a
pass over memory.

>>> print(FLOAT64['_div_dd'].strip().splitlines()[0])
def _div_dd(n, n_lo, d, d_lo, r):
"""

from __future__ import annotations

__all__ = ["FLOAT64"]

FLOAT64 = {
    "s_tanh": '''
def s_tanh(t):
    """tanh(t) in float64: up to |t| = 0.55 its Taylor series to t**37, and above 1 - q with q = 2e/(1 + e),
    e = exp(-2|t|), 1 + e = d + (e - (d - 1)) exactly, each within 1 ULP (XLA's float64 tanh is 3 ULP off below
    0.55 and 6 near +-19, and a sum such as 4*tanh(t) - 3 or a square magnifies the error), with the sign of t; +-1
    where it rounds there. In float32 XLA's own, within 4.1 ULP."""
    if t.dtype != xp.float64:
        return xp.tanh(t)
    a = xp.abs(t)
    e = xp.exp(-2 * a)
    d = 1 + e
    q = 2 * e / d
    q = q - q * (e - (d - 1)) / d
    s = xp.where(a > 0.55, 0.0, a)
    p = s * s
    c = xp.full_like(s, _TANH[0])
    for k in _TANH[1:]:
        c = c * p + k
    small = s + s * (p * c)
    return xp.copysign(xp.where(a > 0.55, 1 - q, small), t)


_TANH = (
    7.054636946400968e-08, -1.7406618963571648e-07, 4.294911078273806e-07, -1.0597268320104654e-06,
    2.6147711512907546e-06, -6.451689215655431e-06, 1.5918905069328964e-05, -3.927832388331683e-05,
    9.691537956929451e-05, -0.00023912911424355248, 0.000590027440945586, -0.0014558343870513183,
    0.003592128036572481, -0.008863235529902197, 0.021869488536155203, -0.05396825396825397, 0.13333333333333333,
    -0.3333333333333333,
)''',
    "_pow2": '''
def _pow2(k):
    """2.0**k for an integer-valued float64 k in [-1022, 1023], from its bits: k + 1023 is the last bits of
    2**52 + 1023 + k (exact), shifted into the exponent; no conversion to an integer (which XLA does not vectorize
    on x86 before AVX-512)."""
    bits = jax.lax.bitcast_convert_type(k + 4503599627371519.0, xp.int64)
    return jax.lax.bitcast_convert_type(bits << 52, xp.float64)''',
    "_exp_dd": '''
def _exp_dd(t, lo, scale):
    """exp(-scale*|t + lo|) in float64 as a pair e + e_lo to about 0.15 ULP (scale 1 or 2; e_lo may flush where e
    is below 2**-969): c = -scale*|t| = k ln2 + r, r carried with its rounding error, 1 + r + r**2 q(r) with q the
    Taylor series of (expm1(r) - r)/r**2 (as ``symact.kernels.vmath``'s), times 1 + err, times 2**k in two exact
    factors."""
    c = -scale * xp.abs(t)
    c_lo = 0.0 if lo is None else xp.where(c < -745.2, 0.0, scale * xp.where(t < 0, lo, -lo))  # past: e is 0
    c = xp.clip(c, -745.2, 0.0)
    k = xp.round(c * 1.4426950408889634)
    hi = c - k * 0.6931471803691238  # exact: ln 2's high part has 32 trailing zero bits
    r = hi - k * 1.9082149292705877e-10
    err = ((hi - r) - k * 1.9082149292705877e-10) + c_lo
    q = xp.full_like(r, _EXPM1[0])
    for coef in _EXPM1[1:]:
        q = q * r + coef
    p = r * r * q
    m = 1 + r
    m_lo = (((1 - m) + r) + err * (1 + (r + p))) + p  # no exact sum with p: an fma where XLA contracts is as good
    e = m + m_lo
    e_lo = (m - e) + m_lo
    k1 = xp.floor(k * 0.5)
    a, b = _pow2(k1), _pow2(k - k1)
    return e * a * b, e_lo * a * b


_EXPM1 = (  # 1/13!, 1/12!, ..., 1/2!
    1.6059043836821613e-10, 2.08767569878681e-09, 2.505210838544172e-08, 2.755731922398589e-07,
    2.7557319223985893e-06, 2.48015873015873e-05, 0.0001984126984126984, 0.001388888888888889,
    0.008333333333333333, 0.041666666666666664, 0.16666666666666666, 0.5,
)''',
    "_sigmoid64": '''
def _sigmoid64(t, lo):
    """sigmoid(t + lo) in float64 within 0.6 ULP: n/(1 + e) with e = exp(-|t + lo|) a pair (_exp_dd), n = 1 for
    t >= 0 and e below, 1 + e a pair too."""
    e, e_lo = _exp_dd(t, lo, 1.0)
    d = 1 + e
    n, n_lo = xp.where(t < 0, e, 1.0), xp.where(t < 0, e_lo, 0.0)
    return _div_dd(n, n_lo, d, ((1 - d) + e) + e_lo, _recip(d, 1.0, 2.0))''',
    "_bell64": '''
def _bell64(t, lo, scale):
    """e/(1 + e)**2 with e = exp(-scale*|t + lo|) in float64 within 0.6 ULP: e, 1 + e and its square as pairs
    (_exp_dd, two_prod)."""
    e, e_lo = _exp_dd(t, lo, scale)
    d = 1 + e
    dd, dd_lo = two_prod(d, d)
    r = _recip(d, 1.0, 2.0)
    return _div_dd(e, e_lo, dd, dd_lo + 2 * d * (((1 - d) + e) + e_lo), r * r)''',
    "_recip": '''
def _recip(d, low, high):
    """1/d for low <= d <= high <= 2 low within about 1 ULP without a division: the chord of 1/d (within
    (high - low)**2/(4 low high) <= 1/8), then five Newton steps (each squares the error). XLA would compute a
    quotient used twice, and everything before it, twice."""
    r = (low + high - d) / (low * high)
    for _ in range(5):
        r = r + r * (1 - d * r)
    return r''',
    "_div_dd": '''
def _div_dd(n, n_lo, d, d_lo, r):
    """(n + n_lo)/(d + d_lo) from r, 1/d within a few ULP: q = n r corrected by its remainder n - q d (exact:
    two_prod) times r."""
    q = n * r
    p, p_lo = two_prod(q, d)
    return q + ((((n - p) - p_lo) + n_lo) - q * d_lo) * r''',
    "_log1p64": '''
def _log1p64(e, e_lo):
    """log(1 + e + e_lo) in float64 for 0 <= e <= 1 within 0.6 ULP: musl's log1p (its fit of log((1 + s)/(1 - s))
    in s**2) of f = e, or of (e - 1)/2 plus ln 2 above sqrt 2 - 1, f's low part f_lo added as f_lo/(1 + f)."""
    big = e > 0.41421356237309503
    h = _kept(e - 1)  # XLA would fold e - (h + 1) to 0
    f = xp.where(big, 0.5 * h, e)
    f_lo = xp.where(big, 0.5 * ((e - (h + 1)) + e_lo), e_lo)
    k = xp.where(big, 1.0, 0.0)
    hfsq = 0.5 * f * f
    s = f * _recip(2 + f, 1.7, 2.5)  # within 2 ULP: its term is below f**3/4
    z = s * s
    w = z * z
    r = z * (_LG[0] + w * (_LG[2] + w * (_LG[4] + w * _LG[6]))) + w * (_LG[1] + w * (_LG[3] + w * _LG[5]))
    c = k * 1.9082149292705877e-10 + f_lo / (1 + f)
    return k * 0.6931471803691238 + (f - (hfsq - (s * (hfsq + r) + c)))


_LG = (
    6.666666666666735130e-01, 3.999999999940941908e-01, 2.857142874366239149e-01, 2.222219843214978396e-01,
    1.818357216161805012e-01, 1.531383769920937332e-01, 1.479819860511658591e-01,
)''',
    "_softplus64": '''
def _softplus64(t, lo):
    """max(t + lo, 0) + log1p(exp(-|t + lo|)) in float64 within 1 ULP (_exp_dd, _log1p64), t's low part added to
    the tail first."""
    tail = _log1p64(*_exp_dd(t, lo, 1.0))
    return xp.where(t > 0, t, 0.0) + (tail if lo is None else xp.where(t > 0, lo, 0.0) + tail)''',
}
