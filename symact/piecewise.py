"""The derivative piece by piece: f split at its switch points into smooth pieces, each differentiated and
reassembled into one expression, closed at each kink on the side the kink policy picks.

>>> [p.f for p in _pieces(sp.Max(0, x), {})]
[0, x]
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from symact.catalog import x
from symact.errors import ParameterError
from symact.functions import expand_named
from symact.kinks import Piece, pieces, resolve, switch_functions
from symact.tidy import is_zero, tidy, work

MAX_SWITCH_WORK = 40  # the largest switch function (``tidy.work``) whose zeros inside a piece are looked for


def _pieces(expr, numeric) -> list[Piece]:
    """``kinks.pieces``, refusing an f whose switch functions change sign inside a piece."""
    found = pieces(expr, numeric)
    _check_pieces(expr, numeric, found)
    return found


def _check_pieces(expr, numeric, found: list[Piece]) -> None:
    """Refuse an f whose switch functions change sign inside a piece (max(sin(x), 0) switches at every k*pi):
    the pieces would silently be wrong there. A switch function larger than ``MAX_SWITCH_WORK`` is not
    searched, on every machine alike."""
    for g in switch_functions(expr):
        g = g.subs(numeric)
        for piece in found:
            lo, hi = (sp.sympify(end).subs(numeric) for end in (piece.lo, piece.hi))
            smooth = expand_named(resolve(g, {x: piece.probe}))
            if work(smooth) > MAX_SWITCH_WORK:
                continue
            try:
                inside = sp.solveset(smooth, x, sp.Interval.open(lo, hi))
            except (NotImplementedError, ValueError, TypeError):
                continue
            if isinstance(inside, (sp.FiniteSet, sp.ImageSet, sp.Union, sp.Intersection, sp.Complement)) and (
                inside is not sp.S.EmptySet
            ):
                raise ParameterError(
                    str(expr),
                    "activation",
                    f"switches branch where {g} = 0, at more points than derive can split "
                    f"at (for instance in ({lo}, {hi})); write it with finitely many switch points",
                )


def piece_derivative(piece: Piece) -> sp.Expr:
    """The derivative of one piece, tidied when that makes it 1.5 times shorter (the textbook product-rule
    form stays otherwise).

    >>> piece_derivative(_pieces(x / (1 + sp.Abs(x)), {})[1])
    (x + 1)**(-2)
    """
    return tidy(sp.diff(piece.f, x), gain=1.5)


@dataclass(frozen=True)
class _Branch:
    """``expr`` holds for x up to ``point`` (None: +oo), inclusive unless ``strict``; or only at it."""

    expr: sp.Expr
    point: sp.Expr | None
    strict: bool = False
    only_at_point: bool = False

    def condition(self, var=x, point=None):
        point = self.point if point is None else point
        if self.point is None:
            return True
        if self.only_at_point:
            return sp.Eq(var, point)
        return var < point if self.strict else var <= point


def _branches(pieces, sides) -> list[_Branch]:
    """The derivative on each piece, closed on the side the kink policy picks."""
    branches = []
    for piece in pieces:
        d = piece_derivative(piece)
        point = None if piece.hi == sp.oo else piece.hi
        side = None if point is None else next((s for p, s in sides.items() if is_zero(p - point)), None)
        if point is None or side is None or is_zero(side.value - side.left):
            branches.append(_Branch(d, point))
        elif is_zero(side.value - side.right):
            branches.append(_Branch(d, point, strict=True))
        else:
            branches += [_Branch(side.value, point, only_at_point=True), _Branch(d, point, strict=True)]
    return branches


def _assemble(branches: list[_Branch], var=x, points=None) -> sp.Expr:
    """One expression from the branches: a Piecewise in ``var``, folded where possible."""
    points = points or [b.point for b in branches]
    merged: list[tuple[_Branch, sp.Expr]] = []
    for b, point in zip(branches, points):
        if merged and merged[-1][0].expr == b.expr and not merged[-1][0].only_at_point and not b.only_at_point:
            merged[-1] = (b, point)
        else:
            merged.append((b, point))
    if len(merged) == 1:
        return merged[0][0].expr
    if var == x:
        folded = _fold_abs([b for b, _ in merged])
        if folded is not None:
            return folded
    return sp.Piecewise(*[(b.expr, b.condition(var, point)) for b, point in merged])


def _fold_abs(branches) -> sp.Expr | None:
    """``g(|x|)`` when the derivative is ``g(-x)`` left of 0 and ``g(x)`` right of it."""
    if len(branches) != 2 or branches[0].point != 0 or branches[0].only_at_point:
        return None
    left, right = branches[0].expr, branches[1].expr
    if is_zero(left - right.subs(x, -x)):
        return right.subs(x, sp.Abs(x))
    return None
