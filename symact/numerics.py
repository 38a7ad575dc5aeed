"""Certified numerics: signs of constants, roots to 30 digits and interval enclosures.

``certified_sign`` decides the sign of a real constant by an exact zero test or by SymPy's
accuracy-tracked ``evalf`` at increasing precision, and says ``None`` when neither settles it;
every branch, case or verdict taken from a sign goes through it. ``numeric_roots`` finds sign
changes on a grid and refines them with ``mpmath.findroot``; ``enclose_critical_point`` certifies,
in ``mpmath.iv`` interval arithmetic, that f' changes sign across a tiny bracket and encloses f over it.

>>> certified_sign(sp.log(8) - 3*sp.log(2)), certified_sign(sp.tanh(400) - 1)
(0, -1)

>>> import mpmath, sympy as sp
>>> [round(float(r), 10) for r in numeric_roots(mpmath.cos, -sp.oo, sp.oo, span=2)]
[-1.5707963268, 1.5707963268]
"""

from __future__ import annotations

from collections.abc import Callable

import mpmath
import sympy as sp
from sympy.core.evalf import PrecisionExhausted

from symact.budget import check
from symact.catalog import x
from symact.functions import expand_named
from symact.magnitude import too_large
from symact.precision import precision

__all__ = ["certified_sign", "certified_truth", "numeric_roots", "enclose_critical_point"]

_PRECISIONS = (30, 120, 480)  # digits tried by accuracy-tracked evaluation, cheapest first


def certified_sign(value: sp.Expr | float) -> int | None:
    """The sign (-1, 0 or 1) of a real constant, certified; None when it cannot be settled.

    Non-smooth nodes inside (sign, Heaviside, Abs, Max, Min, Piecewise) are resolved first by
    certified signs of their arguments. A nonzero sign comes from ``evalf(strict=True)``, which
    only answers when the digits it returns are correct; a zero only from an exact test
    (simplification to 0, or a minimal polynomial). Runs inside the caller's budget (``symact.budget``).

    >>> certified_sign(sp.sign(sp.sin(1)**2 + sp.cos(1)**2 - 1)), certified_sign(sp.exp(-800))
    (0, 1)
    >>> certified_sign(sp.exp(sp.exp(sp.exp(100))) - 1) is None   # too large to evaluate: unknown
    True
    """
    c = sp.sympify(value)
    if c in (sp.oo, -sp.oo):
        return 1 if c is sp.oo else -1
    if not c.is_number or c.has(sp.nan, sp.zoo, sp.oo, -sp.oo, sp.I):
        return None
    c = _constant_switches(expand_named(c))
    if c is None or too_large(c):
        return None
    if c.is_zero:
        return 0
    sign = _evaluated_sign(c, _PRECISIONS[:2])  # cheap: settles every constant that is not tiny
    if sign is not None:
        return sign
    if _exactly_zero(c):
        return 0
    return _evaluated_sign(c, _PRECISIONS[2:])


def _evaluated_sign(c: sp.Expr, precisions) -> int | None:
    for digits in precisions:
        try:
            v = c.evalf(digits, strict=True, maxn=4 * digits)
        except (PrecisionExhausted, ValueError, TypeError, ZeroDivisionError, OverflowError):
            continue
        if (v.is_Float or v.is_Rational) and v != 0:  # an evaluated 0 is no sign: log(1 + exp(-100)) gives 0
            return 1 if v > 0 else -1
    return None


def _exactly_zero(c: sp.Expr) -> bool:
    """An exact proof that the constant c is 0 (never a numerical guess)."""
    tries = (
        sp.expand,
        lambda e: sp.logcombine(sp.expand_log(e)),
        lambda e: sp.together(sp.expand(e.rewrite(sp.exp))),  # tanh, sigmoid, sinh of one constant: milliseconds
        sp.simplify,
        lambda e: sp.simplify(e.rewrite(sp.exp)),
        lambda e: sp.simplify(e.rewrite(sp.log)),
    )
    for normalise in tries:
        try:
            if normalise(c) == 0:
                return True
        except (ValueError, TypeError, NotImplementedError, RecursionError):
            continue
    if not c.has(sp.Function) and c.is_algebraic:
        try:
            return sp.minimal_polynomial(c, sp.Dummy()).is_Symbol
        except (NotImplementedError, ValueError, TypeError):
            return False
    return False


def _constant_switches(c: sp.Expr) -> sp.Expr | None:
    """c with every non-smooth node of constants replaced by its certified branch; None if one is undecided."""
    switches = (sp.sign, sp.Heaviside, sp.Abs, sp.Max, sp.Min, sp.Piecewise)
    if not c.has(*switches):
        return c
    args = [_constant_switches(a) if isinstance(a, sp.Expr) else a for a in c.args]
    if any(a is None for a in args):
        return None
    if isinstance(c, sp.Piecewise):
        for branch, cond in c.args:
            truth = certified_truth(cond)
            if truth is None:
                return None
            if truth:
                return _constant_switches(branch)
        return None
    if isinstance(c, (sp.Max, sp.Min)):
        best = args[0]
        for a in args[1:]:
            s = certified_sign(a - best)
            if s is None:
                return None
            if (s > 0) == isinstance(c, sp.Max) and s != 0:
                best = a
        return best
    if isinstance(c, (sp.sign, sp.Heaviside, sp.Abs)):
        s = certified_sign(args[0])
        if s is None:
            return None
        if isinstance(c, sp.Abs):
            return args[0] * s
        if isinstance(c, sp.sign):
            return sp.Integer(s)
        at_zero = c.args[1] if len(c.args) > 1 else sp.Rational(1, 2)
        return sp.Integer(1) if s > 0 else sp.Integer(0) if s < 0 else at_zero
    return c.func(*args)


def certified_truth(cond: sp.Basic | bool) -> bool | None:
    """The truth of a condition on constants (relations, And, Or, Not), certified; None if undecided."""
    if cond in (sp.true, sp.false) or isinstance(cond, bool):
        return bool(cond)
    if isinstance(cond, (sp.And, sp.Or)):
        truths = [certified_truth(a) for a in cond.args]
        if isinstance(cond, sp.And):
            return False if False in truths else None if None in truths else True
        return True if True in truths else None if None in truths else False
    if isinstance(cond, sp.Not):
        inner = certified_truth(cond.args[0])
        return None if inner is None else not inner
    if isinstance(cond, sp.core.relational.Relational):
        s = certified_sign(cond.lhs - cond.rhs)
        if s is None:
            return None
        return {"<": s < 0, "<=": s <= 0, ">": s > 0, ">=": s >= 0, "==": s == 0, "!=": s != 0}[cond.rel_op]
    return None


def _num(e) -> sp.Float:
    return sp.N(e, 50)


def _checked(fn, t):
    """``fn(t)``, after a look at the running call's deadline (a numeric loop may never trigger the guard)."""
    check()
    return fn(t)


def numeric_roots(
    fn: Callable[[mpmath.mpf], mpmath.mpf],
    lo: sp.Expr | float,
    hi: sp.Expr | float,
    span: float = 40.0,
    grid: int = 800,
) -> list[sp.Float]:
    """Roots of ``fn`` in (lo, hi) (clipped to [-span, span]) from sign changes, to 30 digits."""
    a = max(float(_num(lo)), -span) if lo != -sp.oo else -span
    b = min(float(_num(hi)), span) if hi != sp.oo else span
    found = []
    with precision(40):
        ts = [mpmath.mpf(a) + (mpmath.mpf(b) - a) * (i + mpmath.mpf("0.5")) / grid for i in range(grid)]
        vs = [_checked(fn, t) for t in ts]
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


def enclose_critical_point(f: sp.Expr, df: sp.Expr, root: sp.Expr | float, width: str = "1e-28") -> dict | None:
    """Certify a root of f' in [r - w, r + w] (f' has opposite signs at the ends, in interval arithmetic)
    and enclose f over that bracket; None when the signs do not separate."""
    fe, de = expand_named(f), expand_named(df)
    iv, saved = mpmath.iv, mpmath.iv.dps
    try:
        with precision(60):
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
