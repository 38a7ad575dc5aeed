"""Numerics for properties that no closed form reaches: roots to 30 digits and certified enclosures.

``numeric_roots`` finds sign changes on a grid and refines them with ``mpmath.findroot``;
``enclose_critical_point`` certifies, in ``mpmath.iv`` interval arithmetic, that f' changes sign
across a tiny bracket and encloses f over it.

>>> import mpmath, sympy as sp
>>> [round(float(r), 10) for r in numeric_roots(mpmath.cos, -sp.oo, sp.oo, span=2)]
[-1.5707963268, 1.5707963268]
"""

from __future__ import annotations

import mpmath
import sympy as sp

from .catalog import x
from .functions import expand_named

__all__ = ["numeric_roots", "enclose_critical_point"]


def _num(e) -> sp.Float:
    return sp.N(e, 50)


def numeric_roots(fn, lo, hi, span: float = 40.0, grid: int = 800) -> list:
    """Roots of ``fn`` in (lo, hi) (clipped to [-span, span]) from sign changes, to 30 digits."""
    a = max(float(_num(lo)), -span) if lo != -sp.oo else -span
    b = min(float(_num(hi)), span) if hi != sp.oo else span
    found = []
    with mpmath.workdps(40):
        ts = [mpmath.mpf(a) + (mpmath.mpf(b) - a) * (i + mpmath.mpf("0.5")) / grid for i in range(grid)]
        vs = [fn(t) for t in ts]
        noise = mpmath.mpf("1e-25")  # smaller values may be cancellation noise at 40 digits: no sign read there
        for (t0, v0), (t1, v1) in zip(zip(ts, vs), zip(ts[1:], vs[1:])):
            if abs(v0) > noise and abs(v1) > noise and (v0 < 0) != (v1 < 0):
                found.append(mpmath.findroot(fn, (t0, t1), solver="anderson"))
    return [sp.Float(mpmath.nstr(r, 32), 30) for r in found]


def _iv(e: sp.Expr, t):
    """Evaluate e at the mpmath.iv interval t with outward rounding (exp, log, erf, sqrt, tanh)."""
    iv = mpmath.iv
    if e == x:
        return t
    if e.is_Rational:
        return iv.mpf(e.p) / e.q
    if e is sp.pi:
        return iv.pi
    if e is sp.E:
        return iv.exp(1)
    if e.is_Float:
        return iv.mpf(str(e))
    args = [_iv(a, t) for a in e.args]
    if isinstance(e, sp.Add):
        return sum(args[1:], args[0])
    if isinstance(e, sp.Mul):
        out = args[0]
        for a in args[1:]:
            out = out * a
        return out
    if isinstance(e, sp.Pow):
        base, power = args[0], e.args[1]
        if power == sp.Rational(1, 2):
            return iv.sqrt(base)
        if power.is_Integer:
            return base ** int(power)
        return iv.exp(args[1] * iv.log(base))
    table = {
        sp.exp: iv.exp, sp.log: iv.log, sp.erf: iv.erf,
        sp.tanh: lambda u: 1 - 2 / (iv.exp(2 * u) + 1),
    }  # fmt: skip
    if e.func in table:
        return table[e.func](*args)
    raise TypeError(f"no interval rule for {e.func}")


def enclose_critical_point(f: sp.Expr, df: sp.Expr, root, width: str = "1e-28") -> dict | None:
    """Certify a root of f' in [r - w, r + w] (f' has opposite signs at the ends, in interval arithmetic)
    and enclose f over that bracket; None when the signs do not separate."""
    fe, de = expand_named(f), expand_named(df)
    iv, saved = mpmath.iv, mpmath.iv.dps
    try:
        with mpmath.workdps(60):
            iv.dps = 60
            r, w = mpmath.mpf(str(root)), mpmath.mpf(width)
            lo, hi = iv.mpf(r - w), iv.mpf(r + w)
            left, right = _iv(de, lo), _iv(de, hi)
            if not ((left.b < 0 < right.a) or (right.b < 0 < left.a)):
                return None
            value = _iv(fe, iv.mpf([r - w, r + w]))
            return {
                "bracket": (sp.Float(mpmath.nstr(r - w, 40), 40), sp.Float(mpmath.nstr(r + w, 40), 40)),
                # 40 printed digits, widened by 1e-38 so the rounding cannot lose the enclosure
                "value": tuple(
                    sp.Float(mpmath.nstr(mpmath.mp.make_mpf(e) + d, 40), 40)
                    for e, d in zip(value._mpi_, (-mpmath.mpf("1e-38"), mpmath.mpf("1e-38")))
                ),
            }
    except (TypeError, ValueError, ZeroDivisionError, mpmath.libmp.libhyper.NoConvergence):
        return None
    finally:
        iv.dps = saved
