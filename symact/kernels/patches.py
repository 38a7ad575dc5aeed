"""Taylor patches: where a formula cancels (near a zero of f') or divides 0 by 0 (a removable singularity),
the kernel evaluates a Taylor series instead, found and expanded in mpmath when the kernel is compiled.

>>> from symact.catalog import x
>>> [(p.hi, p.coeffs[-1]) for p in removable_patches(sp.sin(x) / x, x)]
[(0.0, 1.0)]
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

import mpmath
import numpy as np
import sympy as sp

from symact.budget import check, guard
from symact.functions import expand_named, mp_function
from symact.magnitude import too_large
from symact.precision import precision

__all__ = ["LOSSY", "ZeroPatch", "chosen_patches", "loses_near", "zero_patches", "removable_patches"]


@dataclass(frozen=True)
class ZeroPatch:
    """Near the zero x0 = hi + lo, within ``window``: f(x) = sum c_k h^k with h = (x - hi) - lo.

    Away from its zeros a formula like sigmoid(x) + x*sigmoid'(x) is accurate to a few ULP, but
    near a zero its terms cancel and every rounding error of the terms shows in full. The Taylor
    series around the zero has no such cancellation: its leading term is c_1 h.
    """

    hi: float
    lo: float
    window: float
    coeffs: tuple[float, ...]  # c_N, ..., c_1, c_0 (Horner order)

    def apply(self, t: np.ndarray, out: np.ndarray) -> None:
        """Overwrite ``out`` with the Taylor polynomial wherever ``t`` lies within ``window`` of ``hi``."""
        # a cheap superset from two bool comparisons, then the exact test on the few indices inside
        near = np.greater(t, self.hi - 2 * self.window)
        near &= np.less(t, self.hi + 2 * self.window)
        index = np.nonzero(near)
        if not index[0].size:
            return
        tn = t[index]
        keep = np.abs(tn - self.hi) < self.window
        index, tn = tuple(i[keep] for i in index), tn[keep]
        if not tn.size:
            return
        h = (tn - self.hi) - self.lo
        p = np.full_like(h, self.coeffs[0])
        for c in self.coeffs[1:]:  # Horner in place: no temporaries
            p *= h
            p += c
        out[index] = p


def _taylor(fn, x0, radius, count=96):
    """Taylor coefficients c_0..c_{count-1} of fn at x0 from its values on a circle (Cauchy, by DFT).

    The DFT runs in 120-bit fixed point on Python integers: exact sums, a thousand times faster than mpmath.
    """
    roots = [mpmath.expjpi(-mpmath.mpf(2 * m) / count) for m in range(count)]  # the DFT's twiddle factors
    values = [mpmath.mpc(fn(x0 + radius * mpmath.conj(w))) for w in roots]
    top = max(abs(v) for v in values)
    shift = 120 - (mpmath.mag(top) if top else 0)

    def fixed(t, bits):
        return int(mpmath.nint(mpmath.ldexp(t, bits)))

    vr, vi = [fixed(v.real, shift) for v in values], [fixed(v.imag, shift) for v in values]
    wr, wi = [fixed(w.real, 120) for w in roots], [fixed(w.imag, 120) for w in roots]
    coeffs = []
    for k in range(count):
        total = sum(vr[j] * wr[j * k % count] - vi[j] * wi[j * k % count] for j in range(count))
        coeffs.append(mpmath.ldexp(mpmath.mpf(total), -shift - 120) / count / mpmath.mpf(radius) ** k)
    return coeffs


LOSSY = "lossy"  # a ``make_plan`` flag: patch the zeros where the forms lose half their digits
CANCELLING = 8.0  # sum |term| / |f| past which f's forms may be 4 ULP off: tiled beyond a zero's patch
MAX_TILES = 6  # the most such tiles on each side of a zero (each one a pass of the kernel's post-pass)
MAX_PATCHES = 8  # the most zeros of f' (in [-10, 10]) that get a Taylor patch; more: none at all


def _real_sign(value) -> int:
    """The sign of a real value; 0 for a complex one (LambertW below -1/e): no sign change is read there."""
    return int(mpmath.sign(value)) if isinstance(value, (mpmath.mpf, int, float)) else 0


@lru_cache(maxsize=512)
def zero_patches(
    expr: sp.Expr, var: sp.Symbol, lo: float = -10, hi: float = 10, origin: bool = False
) -> tuple[ZeroPatch, ...]:
    """Patches for the sign changes of a smooth ``expr`` in [lo, hi], each followed by the tiles over its
    ill-conditioned end (``_tiles``), in the order they apply; one at 0 only with ``origin`` (a formula with a
    factor x is accurate there; 2*sigmoid(x) - 1 is not). A zero outside [lo, hi] gets none.

    >>> from symact.catalog import x
    >>> [round(p.hi, 4) for p in zero_patches(sp.tanh(x) - x / 2, x)]  # each zero, then a tile towards 0
    [-1.915, -0.947, 1.915, 0.947]
    """
    return tuple(p for zero in sign_changes(expr, var, lo, hi, origin) for p in patches_at(expr, var, zero))


@lru_cache(maxsize=512)
def sign_changes(
    expr: sp.Expr, var: sp.Symbol, lo: float = -10, hi: float = 10, origin: bool = False
) -> tuple[mpmath.mpf, ...]:
    """The zeros (to 40 digits) where a smooth ``expr`` changes sign in [lo, hi] (0 only with ``origin``);
    none where there are more than ``MAX_PATCHES`` (an oscillating f).

    >>> from symact.catalog import x
    >>> [float(z) for z in sign_changes(sp.exp(x) - 2, x)]
    [0.6931471805599453]
    """
    if expr.has(sp.Piecewise, sp.Max, sp.Min, sp.Abs, sp.Heaviside) or not expr.has(var):
        return ()
    try:
        fn = _mp_lambda(expr, var)
        with precision(30), guard():  # 2000 evaluations: of exp(1e302) at 30 ms each for swish at beta = 1e300
            grid = [
                mpmath.mpf(lo) + (hi - lo) * (i + mpmath.mpf(1) / 3) / 2000 for i in range(2000)
            ]  # zeros at round x are off the grid; no sign is read where no evaluation would end (magnitude)
            plain = expand_named(expr)
            signs = [0 if too_large(plain, {var: t}) else _real_sign(fn(t)) for t in grid]
    except (TypeError, ValueError, ZeroDivisionError, OverflowError):
        return ()
    changes = [
        (a, b) for a, b, sa, sb in zip(grid, grid[1:], signs, signs[1:]) if sa * sb < 0 and (origin or not a <= 0 <= b)
    ]
    if len(changes) > MAX_PATCHES:  # an oscillating f: no patches, rather than one per zero
        return ()
    zeros = []
    for a, b in changes:
        check()
        with precision(40):
            try:
                zeros.append(mpmath.findroot(fn, (a, b), solver="anderson"))
            except (ValueError, ZeroDivisionError):
                pass
    return tuple(zeros)


@lru_cache(maxsize=512)
def _mp_lambda(expr: sp.Expr, var: sp.Symbol):
    return sp.lambdify(var, expand_named(expr), modules="mpmath")


@lru_cache(maxsize=512)
def patches_at(expr: sp.Expr, var: sp.Symbol, zero: mpmath.mpf) -> tuple[ZeroPatch, ...]:
    """The patch around a ``zero`` of ``expr`` (``sign_changes``), then the tiles over its ill-conditioned end."""
    return _patch_at(_mp_lambda(expr, var), zero)


def _patch_at(fn, x0) -> tuple[ZeroPatch, ...]:
    """The patch around the zero ``x0`` of ``fn``, then the tiles over the parts of it that are ill-conditioned."""
    with precision(90):  # a zero at a float ((x/(1 + x**2))' at 1, sigmoid'' at 0) is it: the patch gives 0 there
        try:
            near = mpmath.mpf(float(x0) if abs(x0) > 1e-30 else 0)
            if fn(near) == 0 or abs(mpmath.findroot(fn, x0) - near) < mpmath.mpf(10) ** -80:
                x0 = near
        except (ValueError, ZeroDivisionError):
            pass
    patch = _taylor_patch(fn, x0, zero=True)
    return () if patch is None else (patch, *_tiles(fn, x0, patch))


def chosen_patches(raw: Callable, i: int, expr: sp.Expr, var: sp.Symbol, flag: bool | str) -> tuple[ZeroPatch, ...]:
    """The patches at the zeros of output ``i`` of the forms ``raw`` computing ``expr`` that ``flag`` asks for:
    none (False), all (True), those where the forms lose half their digits (``LOSSY``)."""
    if not flag:
        return ()
    origin = loses_near(raw, i, expr, var)
    zeros = sign_changes(expr, var, origin=origin)
    if flag == LOSSY:
        zeros = tuple(z for z in zeros if loses_near(raw, i, expr, var, float(z)))
    found = [cancelling_patches(expr, var, z) if flag == LOSSY else patches_at(expr, var, z) for z in zeros]
    return tuple(  # a tile over another zero would give it an absolute error, not a relative one: that zero's own
        p
        for z, patches in zip(zeros, found)
        for p in patches
        if all(abs(p.hi - w) >= p.window for w in zeros if w != z)
    )


@lru_cache(maxsize=512)
def cancelling_patches(expr: sp.Expr, var: sp.Symbol, zero: mpmath.mpf) -> tuple[ZeroPatch, ...]:
    """``patches_at``, with tiles beyond its reach on each side as far as the terms of ``expr`` still cancel
    (sum |term| > ``CANCELLING`` |expr|): atan(x) - 1 loses 3 bits half a unit right of its zero; at most
    ``MAX_TILES`` on a side.

    >>> from symact.catalog import x
    >>> [round(p.hi, 2) for p in cancelling_patches(sp.atan(x) - 1, x, mpmath.mpf(1.5574077246549023))]
    [1.56, 0.81, 2.3, 2.79, 3.28]
    """
    found = patches_at(expr, var, zero)
    if not found or not isinstance(expr, sp.Add):
        return found
    fn, terms = _mp_lambda(expr, var), [_mp_lambda(t, var) for t in expr.args]

    def cancels(t) -> bool:
        with precision(30):
            try:
                parts = [term(t) for term in terms]
                return sum(map(abs, parts)) > CANCELLING * abs(sum(parts))
            except (TypeError, ValueError, ZeroDivisionError, OverflowError):
                return False

    tiles, step = [], found[0].window
    for side in (-1, 1):
        reach, count = max(side * (p.hi - float(zero)) + p.window for p in found), 0
        while cancels(zero + side * reach) and count < MAX_TILES:
            check()
            tile = _tile(fn, zero + side * reach * 0.99, side, step)
            if tile is None:
                break
            tiles.append(tile)
            reach, count = side * (tile.hi - float(zero)) + tile.window, count + 1
    return (*found, *tiles)


def loses_near(raw: Callable, i: int, expr: sp.Expr, var: sp.Symbol, centre: float = 0.0) -> bool:
    """Whether output ``i`` of the forms loses half its digits next to 0 (2*sigmoid(x) - 1 does, x*sigmoid(x)
    does not), or next to ``centre`` (a zero), against mpmath at two x within 1e-8 of 0, 1e-11 of ``centre``:
    then a zero there is patched as any other.

    >>> from symact.catalog import x
    >>> loses_near(lambda t: (2 / (1 + np.exp(-t)) - 1,), 0, 2 / (1 + sp.exp(-x)) - 1, x)
    True
    >>> loses_near(lambda t: (np.exp(t) - 2,), 0, sp.exp(x) - 2, x, 0.6931471805599453)
    True
    """
    t = centre + np.array([3.1e-9, -7.3e-9]) * (1e-3 * max(1.0, abs(centre)) if centre else 1.0)
    with np.errstate(all="ignore"):
        got = np.broadcast_to(np.asarray(raw(t)[i], dtype=np.float64), t.shape)
    try:
        fn = mp_function(expand_named(expr), (var,))
        with precision(40):
            want = [fn(mpmath.mpf(float(v))) for v in t]
    except (TypeError, ValueError, ZeroDivisionError, OverflowError):
        return False
    return any(abs(g - w) > 1e-8 * abs(w) for g, w in zip(got, want))


WELL_CONDITIONED = 2.0  # the most sum |c_k h^k| may exceed |sum c_k h^k| where a patch's Horner sum is used


def _condition(coeffs: tuple[float, ...], h: float) -> float:
    """sum |c_k h^k| / |sum c_k h^k| (``coeffs`` in Horner order): how much Horner's rounding errors grow.

    >>> _condition((1.0, 0.0, -1.0), 0.5), _condition((1.0, 0.0, 1.0), 0.5)
    (1.6666666666666667, 1.0)
    """
    terms = [c * h**k for k, c in enumerate(reversed(coeffs))]
    total = abs(sum(terms))
    return sum(map(abs, terms)) / total if total else math.inf


def _tiles(fn, x0, patch: ZeroPatch) -> tuple[ZeroPatch, ...]:
    """Taylor patches over the parts of a zero's ``patch`` where its series is ill-conditioned, applied after it.

    Towards the edge of the window the series' own terms cancel (c_1 h against c_4 h**4, ...) as the formula's
    did near the zero, and Horner's rounding errors grow with ``_condition``; a series centred there, where f
    is not small, has no such cancellation. Each side is tiled from where the condition first exceeds
    ``WELL_CONDITIONED`` to just past the window's edge; a side that cannot be tiled keeps the patch alone.
    """
    tiles = []
    for side in (-1, 1):
        reach = [j / 64 * patch.window for j in range(1, 65)]
        bad = next((h for h in reach if _condition(patch.coeffs, side * h) > WELL_CONDITIONED), None)
        start, stop, row = (bad or 0) * 0.95, 1.01 * patch.window, []
        while bad is not None and start < stop - patch.window / 64:
            tile = _tile(fn, x0 + side * start, side, max(stop - start, patch.window / 8))
            if tile is None:
                row = []
                break
            row.append(tile)
            start += 1.98 * tile.window  # neighbours overlap by 1%
        tiles += row
    return tuple(tiles)


def _tile(fn, start, side: int, length) -> ZeroPatch | None:
    """A Taylor patch from ``start`` towards ``side``, as long as ``length`` or as long as its series converges."""
    radius = length / 2
    while True:
        tile = _taylor_patch(fn, start + side * radius, zero=False, widest=radius)
        if tile is None or tile.window >= radius:
            return tile
        radius = tile.window


def _taylor_patch(fn, x0, zero: bool, widest: float = 1.0) -> ZeroPatch | None:
    """The Taylor patch of ``fn`` around ``x0`` in the widest window (from ``widest`` down, halving) where
    two radii give the same coefficients to 1e-19 of its largest term; with ``zero``, c_0 = 0."""
    with precision(40):
        hi = float(x0)
        lo = float(x0 - mpmath.mpf(hi))
    with precision(28), guard():  # mpmath's exp of a huge argument (swish at beta = 1e300) takes 30 ms a point
        window = widest
        while window > 0.02:
            check()
            try:
                c1 = _taylor(fn, x0, 1.5 * window)
                c2 = _taylor(fn, x0, 1.25 * window)
            except (TypeError, ValueError, ZeroDivisionError, OverflowError):
                return None
            scale = abs(c1[1]) * window if zero else max(abs(c) * window**k for k, c in enumerate(c1[:8]))
            degree = next(
                (n for n in range(2, 80) if all(abs(c1[k]) * window**k < 1e-19 * scale for k in (n + 1, n + 2))), None
            )
            consistent = degree is not None and all(
                abs(c1[k] - c2[k]) * window**k < 1e-19 * scale for k in range(degree + 1)
            )
            if consistent:
                # coefficients below the accuracy of the series are noise of the quadrature: 0
                kept = [0.0 if abs(c) * window**k < 1e-19 * scale else float(c) for k, c in enumerate(c1[: degree + 1])]
                kept = kept[: _degree(kept, window) + 1]
                return ZeroPatch(hi, lo, float(window), (*reversed(kept[1:]), 0.0 if zero else kept[0]))
            window /= 2
    return None


def _degree(coeffs: list[float], window: float) -> int:
    """The lowest degree whose remainder stays below 2**-57 of the series' value across the window (1/16 ULP):
    the remainder's share shrinks with |h|, but the value, near a zero or where the terms cancel, may too.

    >>> _degree([1.0, 1.0, 0.5, 1 / 6, 1 / 24, 1 / 120, 1 / 720, 1 / 5040], 2.0**-10)
    5
    """
    h = window * np.concatenate([np.arange(-16, 0), np.arange(1, 17)]) / 16
    terms = np.abs(np.asarray(coeffs)) * np.abs(h[:, None]) ** np.arange(len(coeffs))
    values = np.abs(np.polyval(coeffs[::-1], h))
    beyond = np.cumsum(terms[:, :0:-1], axis=1)[:, ::-1]  # beyond[:, n - 1]: the terms of degree > n - 1
    for n in range(1, len(coeffs) - 1):
        if np.all(beyond[:, n] <= values * 2.0**-57):
            return n
    return len(coeffs) - 1


@lru_cache(maxsize=512)
def removable_patches(expr: sp.Expr, var: sp.Symbol) -> tuple[ZeroPatch, ...]:
    """Taylor patches at the removable singularities of ``expr``: real zeros of a denominator (its real roots
    when it is a polynomial, else 0 when it vanishes there) where ``expr`` is bounded.

    sin(x)/x computes 0/0 at 0; its patch gives 1 there and keeps sin(x)/x - the closed form of f'' in
    particular, -sin(x)/x - 2 cos(x)/x**2 + 2 sin(x)/x**3, which cancels near 0 - out of the window.

    >>> from symact.catalog import x
    >>> [(p.hi, p.coeffs[-1]) for p in removable_patches(sp.sin(x) / x, x)]
    [(0.0, 1.0)]
    """
    if expr.has(sp.Piecewise, sp.Max, sp.Min, sp.Abs, sp.Heaviside, sp.sign) or not expr.has(var):
        return ()
    points = set()
    for power in expr.atoms(sp.Pow):
        if power.exp.is_negative and power.base.has(var):
            points |= _real_zeros(power.base, var)
    if not points:
        return ()
    fn = mp_function(expand_named(expr), (var,))  # TooLarge (an OverflowError) where it would not end
    patches = []
    for point in sorted(points)[:8]:
        patch = _taylor_patch(fn, mpmath.mpf(point), zero=False, widest=2.0)
        if patch is not None and _bounded_near(fn, patch):
            patches.append(patch)
    return tuple(patches)


def _real_zeros(base: sp.Expr, var: sp.Symbol) -> set:
    if base.is_polynomial(var):
        poly = sp.Poly(base, var)
        if poly.degree() > 8 or not all(c.is_number and c.is_real for c in poly.all_coeffs()):
            return set()
        if poly.domain.is_Exact:
            roots = set(sp.real_roots(poly))
        else:
            try:
                roots = {sp.re(z) for z in poly.nroots(n=30) if abs(sp.im(z)) < 1e-25}
            except mpmath.libmp.NoConvergence:
                return set()
        return {r for r in roots if abs(r) < 1e6}
    try:
        return {0} if base.subs(var, 0).equals(0) else set()
    except (TypeError, ValueError):
        return set()


def _bounded_near(fn, patch: ZeroPatch) -> bool:
    """The function agrees with the patch just off its centre (a pole or a jump would not)."""
    x0 = mpmath.mpf(patch.hi) + patch.lo
    with precision(60):
        for h in (mpmath.mpf(10) ** -9, -(mpmath.mpf(10) ** -9), patch.window / 3, -patch.window / 3):
            try:
                value = fn(x0 + h)
            except (TypeError, ValueError, ZeroDivisionError, OverflowError):
                return False
            series = mpmath.polyval([mpmath.mpf(c) for c in patch.coeffs], h)
            if not abs(value - series) <= 1e-12 * (1 + abs(series)):
                return False
    return True
