"""The piecewise analysis of one activation: f split at its switch points into smooth pieces, with
each piece's derivatives and their exact roots and signs (``_Analysis``).

>>> a = _Analysis('relu', sp.Max(0, x))
>>> a.points, [p.f for p in a.pieces]
([0], [0, x])
"""

from __future__ import annotations

import sympy as sp

from symact.analysis.exact import _cmp, _finite_real, _roots, _signs, _tidy
from symact.analysis.periodic import periodic_signs
from symact.catalog import x
from symact.errors import UndecidedSign
from symact.kinks import Piece, pieces, resolve, switch_functions
from symact.magnitude import substituted

__all__ = []


# ---- the analysis of one activation ---------------------------------------------------------------


class _Analysis:
    """f split into smooth pieces between its switch points, with everything derived once.

    Raises ``_OutOfDepth`` when a switch function may change sign inside a piece (sign(sin(x)) has
    infinitely many switch points) or f is undefined at a switch point.
    """

    def __init__(self, name: str, f: sp.Expr):
        self.name, self.f = name, f
        self.pieces = _split(f)
        self.points = [p.lo for p in self.pieces[1:]]
        if any(p.has(sp.Float) or not _finite_real(p) for p in self.points):
            raise _OutOfDepth("a switch point is not an exact real number")
        _check_switches(f, self.pieces)
        self.values = [_value_at(f, p) for p in self.points]
        self.df = [_tidy(sp.diff(p.f, x)) for p in self.pieces]
        self.d2f = [_tidy(sp.diff(d, x)) for d in self.df]
        self.df_signs = [_piece_signs(d, p) for d, p in zip(self.df, self.pieces)]
        self.d2f_signs = [_piece_signs(d, p) for d, p in zip(self.d2f, self.pieces)]


def _piece_signs(h: sp.Expr, p: Piece) -> tuple[list, object]:
    """``_signs`` of h on the piece; on the whole line a periodic h is read from one period."""
    found = periodic_signs(h) if (p.lo, p.hi) == (-sp.oo, sp.oo) else None
    return found if found is not None else _signs(h, p.lo, p.hi)


class _OutOfDepth(Exception):
    """The piecewise analysis does not apply to this f (internal; becomes unknown verdicts)."""


def _split(f: sp.Expr) -> list[Piece]:
    """``kinks.pieces`` of f at exact parameters; ``_OutOfDepth`` when the points cannot be certified."""
    try:
        return pieces(f, {})
    except UndecidedSign:
        raise _OutOfDepth("the switch points could not be ordered with certainty") from None


def _check_switches(f: sp.Expr, found: list[Piece]) -> None:
    """Every switch function keeps one sign inside every piece (its roots there are exactly none)."""
    for g in switch_functions(f):
        for p in found:
            try:
                smooth = resolve(g, {x: p.probe})
            except UndecidedSign as err:
                raise _OutOfDepth(str(err)) from None
            roots = _roots(smooth, p.lo, p.hi)
            if not (roots.exact and not roots.points and not roots.zero) and not (roots.zero and roots.exact):
                raise _OutOfDepth(f"{g} may change sign inside ({p.lo}, {p.hi}): {roots.how}")


def _value_at(f: sp.Expr, point) -> sp.Expr:
    try:
        value = substituted(resolve(f, {x: point}), {x: point})
    except UndecidedSign as err:
        raise _OutOfDepth(str(err)) from None
    if value is None:
        raise _OutOfDepth(f"f at x = {point} is too large to evaluate")
    if not (_finite_real(value) and value.is_finite):
        raise _OutOfDepth(f"f is not defined at x = {point} (f({point}) = {value})")
    return value


def _piece_at(a: _Analysis, point) -> tuple[int, int]:
    """Indices of the pieces left and right of ``point`` (the same index inside a piece)."""
    for i, p in enumerate(a.points):
        c = _cmp(p, point)
        if c is None:
            raise UndecidedSign(point - p)
        if c == 0:
            return i, i + 1
        if c == 1:
            return i, i
    return len(a.points), len(a.points)
