"""Branch-free float32 exp, expm1, tanh, sigmoid and their derivatives, in float-float, for native float32 loops.

Every operation is on float32 (eight lanes under AVX2, twice float64's four), and each function returns its
value as a float-float times a power of two, ``(h, l, k)`` with value (h + l) 2**k, accurate to a few
2**-28 relative (the float32 unit roundoff u is 2**-24): ``finish`` rounds it once, through float64 (where the
scaling by 2**k is exact), to float32 (subnormal results included). So a float32 kernel built from these,
products of them with x and constants taken as float-float, is within 0.5 ULP plus the sum of the float-float
errors (condition number 1 for each factor of a product): ``ERRORS`` holds each function's bound in units of
u, which ``benchmarks/accuracy32.py`` measures against float64 on every float32 of its range, and
``tests/test_vmath32.py`` on a sample against mpmath.

The reduction is the classic one of single-precision exp (Cody and Waite; Cephes ``expf``, fdlibm ``e_expf.c``,
SLEEF ``expf_u10``): k = round(x / ln2), r = x - k ln2 with ln2 in three parts, the first with 15 bits so that
k ln2_1 is exact, and the remainder carried as r + re (Dekker's two_sum, and two_prod by a fused
multiply-add). expm1(r) is its Taylor series through r**9 (|r| <= ln2/2: truncation 2**-35 relative), r +
r**2/2 in float-float and the tail in float32. The quotients of sigmoid, sigmoid', sech**2 and tanh are
one float32 division and one float-float correction (SLEEF's ``dfdiv``). Like ``symact.kernels.vmath`` the
functions are plain Python (on NumPy float32 scalars) until ``vmath.compile_all`` hands them to numba.

>>> [float(finish(*exp_ff(np.float32(v)))) for v in (0.0, -103.0, 88.0)]
[1.0, 1e-45, 1.6516362549940018e+38]
"""

from __future__ import annotations

import math

import numpy as np

from symact.kernels.vmath import intrinsics, jit

__all__ = [
    "ERRORS",
    "finish",
    "exp_ff",
    "expm1_ff",
    "sigmoid_ff",
    "dsigmoid_ff",
    "sech2_ff",
    "tanh_ff",
    "mul_ff",
    "scaled_x",
    "fma_error",
    "pow2f",
    "pow2d",
]

F = np.float32
# Each function's error before ``finish``: max |(h + l) 2**k - f| / |f| in units of u = 2**-24, as measured on
# every float32 of the range by benchmarks/accuracy32.py (rounded up); tests/test_vmath32.py checks a sample.
ERRORS = {"exp": 0.01, "expm1": 0.02, "sigmoid": 0.02, "dsigmoid": 0.02, "sech2": 0.02, "tanh": 0.02}

_ZERO, _ONE, _TWO, _HALF, _FOUR = F(0.0), F(1.0), F(2.0), F(0.5), F(4.0)
_LOG2E = F(1.4426950408889634)
_SHIFT = F(12582912.0)  # 1.5 * 2**23: t + _SHIFT - _SHIFT rounds t to an integer
_LN2_1 = F(0.693145751953125)  # 15 significant bits: k * _LN2_1 is exact for |k| < 2**9
_LN2_2 = F(1.428606765330187e-06)
_LN2_3 = F(1.4260219251543595e-13)  # ln2 = _LN2_1 + _LN2_2 + _LN2_3 to 2**-62
_LOW, _HIGH = F(-110.0), F(100.0)  # exp(-110) rounds to 0 in float32 and exp(100) to inf
_TINY = F(2.0**-30)  # below it expm1(x) and tanh(x) are x to 2**-31 relative
_UP, _DOWN = F(2.0**64), F(-64.0)  # a tiny x scaled up (exactly) so that products of it stay normal
_SUB = F(-126.0)
_SCALE_LOW, _SCALE_HIGH = F(-100.0), F(100.0)  # 2**k as 2**k1 2**(k - k1), both factors normal
_NEG_TWO = F(-2.0)
_TANH_TOP = F(10.0)  # tanh(10) rounds to 1 in float32
_EXPM1_LOW = F(-20.0)  # expm1(-20) rounds to -1 in float32
# 1/n! for n = 3 to 9: the Taylor tail of expm1(r) past r**2/2, divided by r**3
_T3, _T4, _T5, _T6, _T7, _T8, _T9 = (F(1.0 / math.factorial(n)) for n in range(3, 10))


def fma_error(a, b, p):
    """a*b - p exactly, for float32 a, b and p = a*b rounded (a fused multiply-add when compiled; in Python the
    product is exact in float64)."""
    return F(float(a) * float(b) - float(p))


def pow2f(k):
    """2**k as a float32, for an integer-valued float32 k in [-126, 127] (its bits, when compiled)."""
    return F(math.ldexp(1.0, int(k)))


def pow2d(k):
    """2**k as a float64, for an integer-valued float32 k in [-1022, 1023] (its bits, when compiled)."""
    return math.ldexp(1.0, int(k))


@intrinsics
def _intrinsics() -> None:
    """Teach numba ``fma_error`` (LLVM's fma on float32), ``pow2f`` and ``pow2d`` (an integer conversion, a
    shift and a bitcast): one instruction or three, which vectorise."""
    from llvmlite import ir
    from numba import types
    from numba.extending import intrinsic, overload

    def fma(context, builder, sig, args):
        a, b, p = args
        f = ir.FloatType()
        fn = builder.module.declare_intrinsic("llvm.fma", [f], ir.FunctionType(f, [f, f, f]))
        return builder.call(fn, [a, b, builder.fneg(p)])

    def power(bits, bias, width, target):
        def build(context, builder, sig, args):
            n = builder.fptosi(args[0], ir.IntType(bits))
            n = builder.shl(builder.add(n, ir.Constant(ir.IntType(bits), bias)), ir.Constant(ir.IntType(bits), width))
            return builder.bitcast(n, target)

        return build

    @intrinsic
    def fused(typingctx, a, b, p):
        return types.float32(types.float32, types.float32, types.float32), fma

    @intrinsic
    def two_to_f(typingctx, k):
        return types.float32(types.float32), power(32, 127, 23, ir.FloatType())

    @intrinsic
    def two_to_d(typingctx, k):
        return types.float64(types.float32), power(64, 1023, 52, ir.DoubleType())

    overload(fma_error)(lambda a, b, p: lambda a, b, p: fused(a, b, p))
    overload(pow2f)(lambda k: lambda k: two_to_f(k))
    overload(pow2d)(lambda k: lambda k: two_to_d(k))


@jit
def finish(h, l, k):
    """(h + l) 2**k rounded to float32: h + l rounded once, then scaled by 2**k in two steps, exact but the
    last, which rounds only a subnormal (or overflowing) result; an infinite h stays itself.

    A normal result is the float-float rounded once (0.5 ULP); a subnormal one is rounded twice, the first time
    at 2**-24 relative, which is at most 0.25 of the subnormal's ULP: 0.75 ULP.
    """
    k1 = k if k > _SCALE_LOW else _SCALE_LOW
    k1 = k1 if k1 < _SCALE_HIGH else _SCALE_HIGH
    r = ((h + l) * pow2f(k1)) * pow2f(k - k1)
    return r if h - h == _ZERO else h


@jit
def _two_sum(a, b):
    s = a + b
    bb = s - a
    return s, (a - (s - bb)) + (b - bb)


@jit
def mul_ff(ah, al, bh, bl):
    """(ah + al)(bh + bl) as a float-float (Dekker's product: the high product exact by a fused multiply-add)."""
    p = ah * bh
    return p, fma_error(ah, bh, p) + (ah * bl + al * bh)


@jit
def _div_ff(nh, nl, dh, dl):
    """(nh + nl)/(dh + dl) as a float-float: one division and one correction by its exact remainder."""
    q = nh / dh
    r = -fma_error(q, dh, nh) + nl - q * dl  # nh - q dh exactly, then the low parts
    return q, r / dh


@jit
def scaled_x(x):
    """x as (h, 0, k): x itself, or below 2**-30 in magnitude x 2**64 (exact) with k = -64."""
    tiny = abs(x) < _TINY
    return (x * _UP if tiny else x), _ZERO, (_DOWN if tiny else _ZERO)


@jit(inline=True)
def _reduce(c):
    """k and r + re = c - k ln2, |r| <= ln2/2 (to 2**-48 relative), for c in [-110, 100]."""
    k = (c * _LOG2E + _SHIFT) - _SHIFT
    t = c - k * _LN2_1  # exact (Sterbenz for k != 0)
    p = k * _LN2_2
    r, re = _two_sum(t, -p)
    return k, r, re - fma_error(k, _LN2_2, p) - k * _LN2_3


@jit(inline=True)
def _expm1_core(r, re):
    """expm1(r + re) as a float-float, for |r| <= ln2/2 and a small re: r + r**2/2 in float-float, the rest of
    the Taylor series through r**9 in float32."""
    q = ((((((_T9 * r + _T8) * r + _T7) * r + _T6) * r + _T5) * r + _T4) * r) + _T3
    r2 = r * r
    r2e = fma_error(r, r, r2)
    h2 = r2 * _HALF
    s = r + h2  # |h2| <= |r|/5: the error of this sum is exactly (r - s) + h2
    tail = ((r - s) + h2) + (r2e * _HALF + (r2 * r * q + re * (_ONE + r)))
    h = s + tail
    return h, (s - h) + tail


@jit(inline=True)
def _exp_parts(c):
    """exp(c) = (m + ml) 2**k with m in [0.7, 1.42], for c clamped to [-110, 100]."""
    c = c if c > _LOW else _LOW
    c = c if c < _HIGH else _HIGH
    k, r, re = _reduce(c)
    eh, el = _expm1_core(r, re)
    m = _ONE + eh
    return m, ((_ONE - m) + eh) + el, k


@jit(inline=True)
def exp_ff(x):
    """exp(x) as (h, l, k); NaN stays NaN.

    >>> float(finish(*exp_ff(np.float32(1.0))))
    2.7182817
    """
    m, ml, k = _exp_parts(x)
    return (m if x == x else x), ml, k


@jit(inline=True)
def expm1_ff(x):
    """exp(x) - 1 as (h, l, k): 2**k (1 + em) - 1 with the 1 moved into the float-float exactly
    (1 - 2**-k at scale 2**k for k > 0, -1 + 2**k at scale 1 for k < 0); x itself below 2**-30."""
    c = x if x > _EXPM1_LOW else _EXPM1_LOW
    c = c if c < _HIGH else _HIGH
    k, r, re = _reduce(c)
    eh, el = _expm1_core(r, re)
    up = k > _ZERO
    s = _ONE if up else pow2f(k if k > _SUB else _SUB)
    one = _ONE if up else (_ZERO if k == _ZERO else -_ONE)
    two_k = -pow2f(-k if -k > _SUB else _SUB) if up else (_ZERO if k == _ZERO else s)
    ch = one + two_k  # 1 - 2**-k (k > 0) or -1 + 2**k (k < 0) as ch + cl exactly
    cl = (one - ch) + two_k
    h, e = _two_sum(ch, s * eh)
    l = e + (cl + s * el)
    small = abs(x) < _TINY
    h, l, k = (x * _UP if small else h), (_ZERO if small else l), (_DOWN if small else (k if up else _ZERO))
    return (h if x == x else x), l, k


@jit(inline=True)
def _over_one_plus(t):
    """exp(t) = (m + ml) 2**k for t <= 0, and 1/(1 + exp(t)) as a float-float (q, ql)."""
    m, ml, k = _exp_parts(t)
    k1 = k if k > _SUB else _SUB
    e = m * pow2f(k1) * pow2f(k - k1)  # exp(t) in float32: its rounding (subnormal) is far below 1 + e's
    d = _ONE + e
    dl = ((_ONE - d) + e) + ml * pow2f(k1) * pow2f(k - k1)
    q, ql = _div_ff(_ONE, _ZERO, d, dl)
    return m, ml, k, q, ql


@jit(inline=True)
def sigmoid_ff(x):
    """1/(1 + exp(-x)) as (h, l, k): 1/(1 + e) for x >= 0 and e/(1 + e) below, e = exp(-|x|) (never exp of a
    positive number); NaN stays NaN."""
    m, ml, k, q, ql = _over_one_plus(-abs(x))
    ph, pl = mul_ff(m, ml, q, ql)
    below = x < _ZERO
    h = ph if below else q
    return (h if x == x else x), (pl if below else ql), (k if below else _ZERO)


@jit(inline=True)
def _e_over_square(t, scale):
    """scale e/(1 + e)**2 with e = exp(t), t <= 0, as (h, l, k)."""
    m, ml, k, q, ql = _over_one_plus(t)
    sh, sl = mul_ff(q, ql, q, ql)
    ph, pl = mul_ff(m * scale, ml * scale, sh, sl)
    return ph, pl, k


@jit(inline=True)
def dsigmoid_ff(x):
    """sigmoid'(x) = e/(1 + e)**2, e = exp(-|x|), as (h, l, k); NaN stays NaN."""
    h, l, k = _e_over_square(-abs(x), _ONE)
    return (h if x == x else x), l, k


@jit(inline=True)
def sech2_ff(x):
    """sech(x)**2 = 4 e/(1 + e)**2, e = exp(-2|x|), as (h, l, k); NaN stays NaN."""
    a = abs(x)
    h, l, k = _e_over_square(_NEG_TWO * (a if a < _HIGH else _HIGH), _FOUR)
    return (h if x == x else x), l, k


@jit(inline=True)
def tanh_ff(x):
    """tanh(x) = -T/(2 + T), T = expm1(-2|x|), with the sign of x, as (h, l, k); x itself below 2**-30 (where
    tanh(x) is x to 2**-61), -0.0 kept, NaN stays NaN."""
    a = abs(x)
    th, tl, tk = expm1_ff(_NEG_TWO * (a if a < _TANH_TOP else _TANH_TOP))
    dh = _TWO + th  # |th| < 1: the error of this sum is exactly (2 - dh) + th
    dl = ((_TWO - dh) + th) + tl
    q, ql = _div_ff(-th, -tl, dh, dl)
    small = a < _TINY
    h, l = (x * _UP if small else (q if x > _ZERO else -q)), (_ZERO if small else (ql if x > _ZERO else -ql))
    return (h if x == x else x), l, (_DOWN if small else _ZERO)
