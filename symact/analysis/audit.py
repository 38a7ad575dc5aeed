"""A numerical audit of every proved value: f and f' on a dense grid must not contradict a proved extreme,
Lipschitz constant, direction or parity.

>>> from symact.analysis.engine import properties
>>> properties('sigmoid')['lipschitz'].proved  # 1/4, and no grid point has a steeper slope
True
"""

from __future__ import annotations

import mpmath
import sympy as sp

from symact.analysis.exact import _num
from symact.analysis.pieces import _Analysis
from symact.analysis.result import Property, proof
from symact.budget import check, guard
from symact.errors import TooLarge
from symact.functions import mp_function
from symact.precision import precision

__all__ = ["audit"]


# ---- a numerical audit of every proved value ---------------------------------------------------------

_GRID = [mpmath.mpf(i) / 20 for i in range(-800, 801)] + [s * mpmath.mpf(10) ** k for s in (-1, 1) for k in (2, 3)]


def audit(a: _Analysis, items: dict) -> None:
    """Demote to *unknown* any proved extreme, Lipschitz constant, direction or parity that f contradicts
    at one of 1,600 points of [-40, 40] and in the tails (30 digits). A safety net, never a proof."""
    checks = {
        "minimum": lambda v, fv, dv: all(f >= v - _tol(v) for f in fv),
        "maximum": lambda v, fv, dv: all(f <= v + _tol(v) for f in fv),
        "lipschitz": lambda v, fv, dv: all(abs(d) <= v + _tol(v) for d in dv),
        "monotonic": lambda v, fv, dv: _direction_holds(v, fv),
        "derivative_monotonic": lambda v, fv, dv: _direction_holds(v, dv),
    }
    todo = {k: p for k, p in items.items() if k in checks and p.proved}
    todo = {k: p for k, p in todo.items() if not isinstance(p.value, sp.Expr) or p.value.is_finite}
    if not todo:
        return
    try:
        with guard():
            fv, dv = _dense_values(a)
    except (TypeError, ValueError, ZeroDivisionError, OverflowError, AttributeError):
        return
    for k, p in todo.items():
        with precision(30):
            value = mpmath.mpf(str(sp.N(p.value, 40))) if isinstance(p.value, sp.Expr) else p.value
            holds = checks[k](value, fv, dv)
        if not holds:
            reason = "contradicted by a dense numerical evaluation of f; the derivation does not apply here"
            items[k] = Property(k, p.value, proof(p.proof.statement, False, reason), {**p.details, "reason": reason})


def _tol(v) -> mpmath.mpf:
    return mpmath.mpf("1e-20") * (1 + abs(v))


def _direction_holds(word: str, values: list) -> bool:
    if not values:
        return True
    steps = [b - a for a, b in zip(values, values[1:])]
    tol = mpmath.mpf("1e-20") * (1 + max(abs(v) for v in values))
    if word in ("increasing", "nondecreasing"):
        return all(s >= -tol for s in steps)
    if word in ("decreasing", "nonincreasing"):
        return all(s <= tol for s in steps)
    if word == "constant":
        return all(abs(s) <= tol for s in steps)
    return True


def _dense_values(a: _Analysis) -> tuple[list, list]:
    """f and f' at the grid points (sorted), each from the piece that holds the point."""
    cuts = [float(_num(p)) for p in a.points]
    fs = [mp_function(p.f) for p in a.pieces]
    ds = [mp_function(d) for d in a.df]
    fv, dv = [], []
    with precision(30):
        for t in sorted(_GRID):
            check()
            if any(abs(float(t) - c) < 1e-9 for c in cuts):
                continue
            i = sum(1 for c in cuts if c < t)
            try:
                f, d = mpmath.mpmathify(fs[i](t)), mpmath.mpmathify(ds[i](t))
            except TooLarge:  # exp(exp(exp(x))) far out
                continue
            if isinstance(f, mpmath.mpf) and isinstance(d, mpmath.mpf) and mpmath.isfinite(f) and mpmath.isfinite(d):
                fv.append(f)
                dv.append(d)
    return fv, dv
