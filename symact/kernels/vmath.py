"""Branch-free exp, expm1, log1p, tanh, erfc and erf for the fused backend's loops, which the compiler can vectorise.

A loop that calls the C library's ``exp`` runs one element at a time; these are range reduction and
polynomial only (no table, no branch: limits and special values are selects), so LLVM turns a numba loop
over them into SIMD code. exp is fdlibm's reduction and rational form, log1p musl's, expm1 a Taylor series
after the same reduction with its error carried, tanh a double-double quotient of expm1, erfc and erf
fdlibm's rational fits with their last steps and erfc's exp(-x*x) in double-double: exp, log1p and erf stay
within 1 ULP, expm1 and erfc within 1.1 and tanh within 1.5 (``tests/test_vmath.py`` measures them against
mpmath, subnormal results included).
Like ``symact.kernels.scalar`` the functions are plain Python until ``compile_all`` hands them to numba.

>>> vexp(-745.0), vexpm1(1e-20), vlog1p(-1.0), vtanh(-0.0), verfc(27.2), verf(-0.0)
(5e-324, 1e-20, -inf, -0.0, 1e-323, -0.0)
"""

from __future__ import annotations

import math
import struct
import sys
from collections.abc import Callable

__all__ = [
    "jit",
    "compile_all",
    "vexp",
    "vexpm1",
    "vlog1p",
    "vtanh",
    "verfc",
    "verf",
    "dd_step",
    "split",
    "two_prod",
    "two_sum",
]

_MARKED: dict = {}  # the functions compile_all hands to numba: whether numba inlines each


def jit(fn: Callable | None = None, *, inline: bool = False) -> Callable:
    """Mark ``fn`` for ``compile_all``; until then it is plain Python.

    LLVM inlines small functions into a loop by itself, but not long ones (over its threshold), and a loop
    calling a function does not vectorise: ``inline=True`` has numba inline ``fn`` into every caller instead
    (which costs compile time, so only the long ones ask for it).
    """
    if fn is None:
        return lambda f: jit(f, inline=inline)
    _MARKED[fn] = inline
    return fn


def compile_all() -> None:
    """Replace every marked function, in every module that holds it, by its numba version (once).

    The loop of a generated kernel becomes one straight body the compiler can vectorise (see ``jit``);
    machine code is cached on disk (``cache=True``).
    """
    if not _MARKED:
        return
    from numba import njit

    compiled = {
        id(fn): njit(cache=True, error_model="numpy", inline="always" if inline else "never")(fn)
        for fn, inline in _MARKED.items()
    }
    _intrinsics()
    for module in [m for m in list(sys.modules.values()) if getattr(m, "__name__", "").startswith("symact.kernels")]:
        for name, value in list(vars(module).items()):
            if id(value) in compiled:
                setattr(module, name, compiled[id(value)])
    _MARKED.clear()


def bits_of(v: float) -> int:
    """The IEEE bits of a float64 as an int64."""
    return struct.unpack("<q", struct.pack("<d", v))[0]


def from_bits(i: int) -> float:
    """The float64 whose IEEE bits are the int64 ``i``."""
    return struct.unpack("<d", struct.pack("<q", i))[0]


def product_error(a: float, b: float, p: float) -> float:
    """a*b - p exactly, for p = a*b rounded: Dekker's split in Python, one fused multiply-add compiled."""
    ah, al = split(a)
    bh, bl = split(b)
    return ((ah * bh - p) + ah * bl + al * bh) + al * bl


def _intrinsics() -> None:
    """Teach numba ``bits_of``, ``from_bits`` (one LLVM bitcast each) and ``product_error`` (LLVM's fma, which
    vectorises); in Python they stay as they are, and give the same bits."""
    from llvmlite import ir
    from numba import types
    from numba.extending import intrinsic, overload

    @intrinsic
    def to_int(typingctx, v):
        return types.int64(types.float64), lambda context, builder, sig, args: builder.bitcast(args[0], ir.IntType(64))

    @intrinsic
    def to_float(typingctx, i):
        return types.float64(types.int64), lambda context, builder, sig, args: builder.bitcast(args[0], ir.DoubleType())

    def fma(context, builder, sig, args):
        a, b, p = args
        d = ir.DoubleType()
        fn = builder.module.declare_intrinsic("llvm.fma", [d], ir.FunctionType(d, [d, d, d]))
        return builder.call(fn, [a, b, builder.fneg(p)])

    @intrinsic
    def fused_error(typingctx, a, b, p):
        return types.float64(types.float64, types.float64, types.float64), fma

    overload(bits_of)(lambda v: lambda v: to_int(v))
    overload(from_bits)(lambda i: lambda i: to_float(i))
    overload(product_error)(lambda a, b, p: lambda a, b, p: fused_error(a, b, p))


_LOG2E = 1.4426950408889634
_LN2_HI = 6.93147180369123816490e-01  # 32 significant bits: k * _LN2_HI is exact for |k| < 2**20
_LN2_LO = 1.90821492927058770002e-10
_SHIFT = 6755399441055744.0  # 1.5 * 2**52: t + _SHIFT - _SHIFT rounds t to an integer
_SPLIT = 134217729.0  # 2**27 + 1, Dekker's splitter
_SHIFT_BITS = 0x4338000000000000  # the bits of _SHIFT: those of t + _SHIFT minus these are round(t)
# fdlibm's exp: a minimax fit of r*(exp(r)+1)/(exp(r)-1) on [-ln2/2, ln2/2]
_P1, _P2, _P3 = 1.66666666666666019037e-01, -2.77777777770155933842e-03, 6.61375632143793436117e-05
_P4, _P5 = -1.65339022054652515390e-06, 4.13813679705723846039e-08
# musl's log1p: the series of log((1+s)/(1-s)) in s**2
_LG1, _LG2, _LG3 = 6.666666666666735130e-01, 3.999999999940941908e-01, 2.857142874366239149e-01
_LG4, _LG5, _LG6 = 2.222219843214978396e-01, 1.818357216161805012e-01, 1.531383769920937332e-01
_LG7 = 1.479819860511658591e-01


@jit
def _reduce(x):
    """k (a float holding an integer) and x - k ln2 as hi - lo, for x in [-1080, 1080]."""
    k = (x * _LOG2E + _SHIFT) - _SHIFT
    return k, x - k * _LN2_HI, k * _LN2_LO


@jit
def _int_bits(k):
    """The int64 value of an integer-valued float k, |k| < 2**51, without a conversion instruction."""
    return bits_of(k + _SHIFT) - _SHIFT_BITS


@jit
def _scale(p, k):
    """p * 2**k for an integer-valued k in [-1080, 1080], rounded once (subnormal and overflowing results too).

    2**k is two factors, built from their bits, so that no factor leaves the normal range.
    """
    k1 = (k * 0.5 + _SHIFT) - _SHIFT
    return p * from_bits((_int_bits(k1) + 1023) << 52) * from_bits((_int_bits(k - k1) + 1023) << 52)


@jit
def vexp(x: float) -> float:
    """exp(x) within 1 ULP, subnormal results and overflow to inf included; NaN stays NaN."""
    c = x if x > -760.0 else -760.0
    c = c if c < 720.0 else 720.0
    k, hi, lo = _reduce(c)
    r = hi - lo
    t = r * r
    q = r - t * (_P1 + t * (_P2 + t * (_P3 + t * (_P4 + t * _P5))))
    y = _scale(1.0 - ((lo - (r * q) / (2.0 - q)) - hi), k)
    return y if x == x else x


@jit(inline=True)
def _expm1_parts(c):
    """k and expm1(r) as em + em_lo (to about 0.1 ULP), where c = k ln2 + r, |r| <= ln2/2."""
    k, hi, lo = _reduce(c)
    r = hi - lo
    em, em_lo = _expm1_series(r, (hi - r) - lo)  # what r lost: expm1(r + err) = expm1(r) + err * exp(r)
    return k, em, em_lo


@jit(inline=True)
def _expm1_series(r, err):
    """expm1(r + err) as em + em_lo, for |r| <= ln2/2 and a rounding error err."""
    q = 1.0 / 6227020800.0  # the Taylor series of (expm1(r) - r) / r**2, through r**11
    q = q * r + 1.0 / 479001600.0
    q = q * r + 1.0 / 39916800.0
    q = q * r + 1.0 / 3628800.0
    q = q * r + 1.0 / 362880.0
    q = q * r + 1.0 / 40320.0
    q = q * r + 1.0 / 5040.0
    q = q * r + 1.0 / 720.0
    q = q * r + 1.0 / 120.0
    q = q * r + 1.0 / 24.0
    q = q * r + 1.0 / 6.0
    q = q * r + 0.5
    s = r * r * q
    em = r + s  # |s| < |r|, so the error of this sum is exactly (r - em) + s
    return em, (r - em) + s + err * (1.0 + em)


@jit(inline=True)
def vexpm1(x: float) -> float:
    """exp(x) - 1 within 1.1 ULP; NaN stays NaN."""
    c = x if x > -40.0 else -40.0  # expm1(-40) rounds to -1
    c = c if c < 720.0 else 720.0
    k, em, em_lo = _expm1_parts(c)
    two_k = _scale(1.0, k if k < 1000.0 else 0.0)
    small = (em * two_k + (two_k - 1.0)) + em_lo * two_k
    big = _scale(em + 1.0 + em_lo, k) - 1.0
    y = small if k < 1000.0 else big
    return x if (x != x) | (x == 0.0) else y  # NaN, and -0.0 keeps its sign


@jit(inline=True)
def vlog1p(x: float) -> float:
    """log(1 + x) within 1 ULP for x >= -1 (-inf at -1, NaN below); musl's reduction without its branches."""
    u = 1.0 + x
    u = u if u < 1.7976931348623157e308 else 1.7976931348623157e308
    u = u if u > 1e-300 else 1.0
    bits = bits_of(u)
    hu = (bits >> 32) + (0x3FF00000 - 0x3FE6A09E)
    k = (hu >> 20) - 0x3FF
    c = (1.0 - (u - x)) if k >= 2 else (x - (u - 1.0))  # the rounding error of 1 + x
    c = c / u if k < 54 else 0.0
    f = from_bits((((hu & 0x000FFFFF) + 0x3FE6A09E) << 32) | (bits & 0xFFFFFFFF)) - 1.0
    hfsq = 0.5 * f * f
    s = f / (2.0 + f)
    z = s * s
    w = z * z
    r = z * (_LG1 + w * (_LG3 + w * (_LG5 + w * _LG7))) + w * (_LG2 + w * (_LG4 + w * _LG6))
    dk = float(k)
    y = s * (hfsq + r) + (dk * _LN2_LO + c) - hfsq + f + dk * _LN2_HI
    y = y if x < math.inf else x
    y = y if x > -1.0 else (-math.inf if x == -1.0 else math.nan)
    return x if (x != x) | (x == 0.0) else y  # NaN, and -0.0 keeps its sign


@jit(inline=True)
def vtanh(x: float) -> float:
    """tanh(x) within 1.5 ULP, with the sign of x (-0.0 kept): -T/(2 + T) with T = expm1(-2|x|) carried in
    double-double through the division (tanh is 1 in double precision from |x| = 19.1 on)."""
    c = -2.0 * abs(x)
    c = c if c > -40.0 else -40.0
    k, em, em_lo = _expm1_parts(c)
    two_k = _scale(1.0, k)  # k <= 0: 2**k - 1 is exact down to k = -53, and T = -1 below
    t, tl = two_sum(em * two_k, two_k - 1.0)
    tl = tl + em_lo * two_k
    d = 2.0 + t  # 2 > |t|: the error of this sum is exactly (2 - d) + t
    dl = ((2.0 - d) + t) + tl
    q = -t / d
    ph, pl = two_prod(q, d)
    y = q + ((((-t - ph) - pl) - tl) - q * dl) / d
    y = math.copysign(y, x)
    return y if x == x else x


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
def exp_parts(eh, el, el_lo, n):
    """exp(eh + el + el_lo + n _LN2_HI) as (m + m_lo) 2**k, m + m_lo to about 0.1 ULP: k, m, m_lo.

    eh - k ln2_hi must be exact (|eh| >= 1/2 suffices: see _reduce); |el| < 1, el_lo small, n an integer.
    """
    k = ((eh + el) * _LOG2E + _SHIFT) - _SHIFT
    s, e = two_sum(eh - k * _LN2_HI, el)
    r, err = two_sum(s, (e + el_lo) - (k + n) * _LN2_LO)
    em, em_lo = _expm1_series(r, err)
    m = 1.0 + em
    return k + n, m, ((1.0 - m) + em) + em_lo


@jit(inline=True)
def vexp_dd(eh, el, n):
    """exp(eh + el + n _LN2_HI) within 0.6 ULP (subnormal results too) for exp_parts' eh, el and n.

    >>> vexp_dd(-1.0, 0.0, 0.0) == math.exp(-1.0)
    True
    """
    k, m, m_lo = exp_parts(eh, el, 0.0, n)
    return _scale(m + m_lo, k)


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
def erfc_dd(x, dx, scaled):
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


@jit
def dd_step(hi, lo, t, ch, cl):
    """One Horner step in double-double: (hi + lo)*t + (ch + cl)."""
    p, e = two_prod(hi, t)
    e = e + lo * t
    s, f = two_sum(p, ch)
    f = f + e + cl
    hi = s + f
    return hi, f - (hi - s)


@jit
def split(a: float) -> tuple[float, float]:
    """Dekker's split of a into two halves of 26 bits."""
    p = a * _SPLIT
    hi = p - (p - a)
    return hi, a - hi


@jit
def two_prod(a: float, b: float) -> tuple[float, float]:
    """a*b as p + e exactly (Dekker's, or a fused multiply-add, where a*b neither overflows nor underflows)."""
    p = a * b
    return p, product_error(a, b, p)


@jit
def two_sum(a: float, b: float) -> tuple[float, float]:
    """a + b as s + e exactly (Knuth)."""
    s = a + b
    bb = s - a
    return s, (a - (s - bb)) + (b - bb)
