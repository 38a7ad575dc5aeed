"""Branch-free exp, expm1, log1p and tanh for the fused backend's loops, which the compiler can vectorise.

A loop that calls the C library's ``exp`` runs one element at a time; these are range reduction and
polynomial only (no table, no branch: limits and special values are selects), so LLVM turns a numba loop
over them into SIMD code. exp is fdlibm's reduction and rational form, log1p musl's, expm1 a Taylor series
after the same reduction with its error carried (Horner's steps as fused multiply-adds, ``fma``), tanh a
double-double quotient of expm1: exp and log1p stay within 1 ULP, expm1 within 1.25 and tanh within 1.5
(``tests/test_vmath.py`` measures them against mpmath, subnormal results included); ``symact.kernels.vmath_erf``
adds erfc and erf.
Like ``symact.kernels.scalar`` the functions are plain Python until ``compile_all`` hands them to numba.

>>> vexp(-745.0), vexpm1(1e-20), vlog1p(-1.0), vtanh(-0.0)
(5e-324, 1e-20, -inf, -0.0)
"""

from __future__ import annotations

import math
import os
import struct
import sys
import threading
from collections.abc import Callable
from fractions import Fraction

import numpy as np

__all__ = [
    "jit",
    "compile_all",
    "vexp",
    "vexpm1",
    "vlog1p",
    "vtanh",
    "tanh_parts",
    "vexp_dd",
    "exp_parts",
    "product_error",
    "fma",
    "dd_step",
    "split",
    "two_prod",
    "two_sum",
    "scratch",
]

_MARKED: dict = {}  # the functions compile_all hands to numba: whether LLVM must inline each
_COMPILING = threading.Lock()
if hasattr(os, "register_at_fork"):  # no fork on Windows
    os.register_at_fork(after_in_child=_COMPILING._at_fork_reinit)  # held by a thread the child lacks


def jit(fn: Callable | None = None, *, inline: bool = False) -> Callable:
    """Mark ``fn`` for ``compile_all``; until then it is plain Python.

    LLVM inlines small functions into a loop by itself, but not long ones (over its threshold), and a loop
    calling a function does not vectorise: ``inline=True`` marks ``fn`` ``alwaysinline`` for LLVM (numba's
    ``forceinline``), so that LLVM inlines its machine-level code into every caller. numba compiles ``fn`` once
    per signature and process (not on disk: numba's cache does not record ``forceinline``, so a machine code
    cached without it would be loaded and not inlined); its own inlining (``inline='always'``) would copy and
    retype ``fn``'s whole nested body at every call site, which took 60% of a kernel's compile time for the same
    machine code. The loops that inline them are cached whole.
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
    with _COMPILING:  # threads importing generated modules at once: one compiles, the others find it done
        if not _MARKED:
            return
        from numba import njit

        marked = list(_MARKED.items())
        compiled = {
            id(fn): njit(cache=not inline, error_model="numpy", forceinline=inline)(fn) for fn, inline in marked
        }
        _intrinsics()
        for module in [
            m for m in list(sys.modules.values()) if getattr(m, "__name__", "").startswith("symact.kernels")
        ]:
            for name, value in list(vars(module).items()):
                if id(value) in compiled:
                    setattr(module, name, compiled[id(value)])
        for fn, _ in marked:  # not what a module imported meanwhile marked: the next call compiles that
            del _MARKED[fn]


def bits_of(v: float) -> int:
    """The IEEE bits of a float64 as an int64."""
    return struct.unpack("<q", struct.pack("<d", v))[0]


def from_bits(i: int) -> float:
    """The float64 whose IEEE bits are the int64 ``i`` (wrapped to 64 bits, as the compiled version's arithmetic)."""
    return struct.unpack("<d", struct.pack("<Q", i % 2**64))[0]


def product_error(a: float, b: float, p: float) -> float:
    """a*b - p exactly, for p = a*b rounded: Dekker's split in Python, one fused multiply-add compiled."""
    ah, al = split(a)
    bh, bl = split(b)
    return ((ah * bh - p) + ah * bl + al * bh) + al * bl


def fma(a: float, b: float, c: float) -> float:
    """a*b + c rounded once: by exact rationals in Python, one fused multiply-add compiled.

    >>> fma(0.1, 10.0, -1.0)  # 0.1 is 0.1000000000000000055511151231257827...
    5.551115123125783e-17
    """
    if not (math.isfinite(a) and math.isfinite(b) and math.isfinite(c)):
        return a * b + c
    exact = Fraction(a) * Fraction(b) + Fraction(c)
    if exact == 0:
        return a * b + c  # an exact 0 with IEEE's sign, as the fma's
    if abs(exact) >= 2**1024 - 2**970:  # rounds to an infinity
        return math.inf if exact > 0 else -math.inf
    return float(exact)


def scratch(n: int, dtype: type) -> list:
    """Room for ``n`` values of ``dtype`` (a literal count) that a compiled loop writes before it reads: in
    Python a list; compiled, an array on the stack of the function that calls it (numba inlines it there), which
    needs no allocator, so no numba runtime (``symact.kernels.native`` keeps such a loop's machine code).

    >>> len(scratch(4, float))
    4
    """
    return [np.dtype(dtype).type(0)] * n


def _intrinsics() -> None:
    """Teach numba ``bits_of``, ``from_bits`` (one LLVM bitcast each), ``product_error`` and ``fma`` (LLVM's fma,
    which vectorises), and ``scratch``; in Python they stay as they are, and give the same bits."""
    from llvmlite import ir
    from numba import types
    from numba.core import cgutils
    from numba.extending import intrinsic, overload

    @intrinsic
    def stack(typingctx, n, dtype):
        if not isinstance(n, types.IntegerLiteral):
            return None  # numba asks again with the literal count
        array = types.Array(dtype.dtype, 1, "C")

        def codegen(context, builder, sig, args):
            item = context.get_data_type(array.dtype)
            size = context.get_constant(types.intp, n.literal_value)
            step = context.get_constant(types.intp, context.get_abi_sizeof(item))
            data = cgutils.alloca_once(builder, item, size=size)  # in the entry block of the calling function
            out = context.make_array(array)(context, builder)
            context.populate_array(out, data=data, shape=[size], strides=[step], itemsize=step, meminfo=None)
            return out._getvalue()

        return array(n, dtype), codegen

    @intrinsic
    def to_int(typingctx, v):
        return types.int64(types.float64), lambda context, builder, sig, args: builder.bitcast(args[0], ir.IntType(64))

    @intrinsic
    def to_float(typingctx, i):
        return types.float64(types.int64), lambda context, builder, sig, args: builder.bitcast(args[0], ir.DoubleType())

    def fused(negate):
        def codegen(context, builder, sig, args):
            a, b, c = args
            d = ir.DoubleType()
            fn = builder.module.declare_intrinsic("llvm.fma", [d], ir.FunctionType(d, [d, d, d]))
            return builder.call(fn, [a, b, builder.fneg(c) if negate else c])

        return codegen

    @intrinsic
    def fused_error(typingctx, a, b, p):
        return types.float64(types.float64, types.float64, types.float64), fused(True)

    @intrinsic
    def fused_add(typingctx, a, b, c):
        return types.float64(types.float64, types.float64, types.float64), fused(False)

    overload(bits_of)(lambda v: lambda v: to_int(v))
    overload(from_bits)(lambda i: lambda i: to_float(i))
    overload(product_error)(lambda a, b, p: lambda a, b, p: fused_error(a, b, p))
    overload(fma)(lambda a, b, c: lambda a, b, c: fused_add(a, b, c))
    overload(scratch, inline="always", prefer_literal=True)(lambda n, dtype: lambda n, dtype: stack(n, dtype))


_LOG2E = 1.4426950408889634
_LN2_HI = 6.93147180369123816490e-01  # 32 significant bits: k * _LN2_HI is exact for |k| < 2**20
_LN2_LO = 1.90821492927058770002e-10
_SHIFT = 6755399441055744.0  # 1.5 * 2**52: t + _SHIFT - _SHIFT rounds t to an integer
SPLITTER = 134217729.0  # 2**27 + 1, Dekker's splitter
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
    q = fma(q, r, 1.0 / 479001600.0)
    q = fma(q, r, 1.0 / 39916800.0)
    q = fma(q, r, 1.0 / 3628800.0)
    q = fma(q, r, 1.0 / 362880.0)
    q = fma(q, r, 1.0 / 40320.0)
    q = fma(q, r, 1.0 / 5040.0)
    q = fma(q, r, 1.0 / 720.0)
    q = fma(q, r, 1.0 / 120.0)
    q = fma(q, r, 1.0 / 24.0)
    q = fma(q, r, 1.0 / 6.0)
    q = fma(q, r, 0.5)
    s = r * r * q
    em = r + s  # |s| < |r|, so the error of this sum is exactly (r - em) + s
    return em, (r - em) + s + err * (1.0 + em)


@jit(inline=True)
def vexpm1(x: float) -> float:
    """exp(x) - 1 within 1.25 ULP (1.19 measured, near x = 37.2); NaN stays NaN."""
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
def tanh_parts(x: float) -> tuple[float, float]:
    """tanh(|x|) as q + q_lo (to a small part of an ULP of q): -T/(2 + T) with T = expm1(-2|x|) carried in
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
    return q, ((((-t - ph) - pl) - tl) - q * dl) / d


@jit(inline=True)
def vtanh(x: float) -> float:
    """tanh(x) within 1.5 ULP, with the sign of x (-0.0 kept): ``tanh_parts`` summed."""
    q, q_lo = tanh_parts(x)
    y = math.copysign(q + q_lo, x)
    return y if x == x else x


@jit(inline=True)
def exp_parts(eh: float, el: float, el_lo: float, n: float) -> tuple[float, float, float]:
    """exp(eh + el + el_lo + n _LN2_HI) as (m + m_lo) 2**k, m + m_lo to about 0.1 ULP: k, m, m_lo.

    eh - k ln2_hi must be exact (|eh| >= 1/2 suffices: see _reduce); |el| < 2, el_lo small, n an integer.
    """
    k = ((eh + el) * _LOG2E + _SHIFT) - _SHIFT
    s, e = two_sum(eh - k * _LN2_HI, el)
    r, err = two_sum(s, (e + el_lo) - (k + n) * _LN2_LO)
    em, em_lo = _expm1_series(r, err)
    m = 1.0 + em
    return k + n, m, ((1.0 - m) + em) + em_lo


@jit(inline=True)
def vexp_dd(eh: float, el: float, n: float) -> float:
    """exp(eh + el + n _LN2_HI) within 0.6 ULP (subnormal results too) for exp_parts' eh, el and n.

    >>> vexp_dd(-1.0, 0.0, 0.0) == math.exp(-1.0)
    True
    """
    k, m, m_lo = exp_parts(eh, el, 0.0, n)
    return _scale(m + m_lo, k)


@jit
def dd_step(hi: float, lo: float, t: float, ch: float, cl: float) -> tuple[float, float]:
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
    p = a * SPLITTER
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
