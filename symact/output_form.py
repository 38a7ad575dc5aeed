"""f' written in the output y = f(x): each piece of f inverted where f is monotone, the result checked at 30
digits against f' before it is kept. ``solve`` inverts a piece only when the piece is small (``tidy.work`` at
most ``MAX_INVERT_WORK``) and x occurs in it once or only algebraically (x - tanh(x) is left alone): any other
piece gives no output form, on every machine alike.

>>> from symact.piecewise import _assemble, _branches, _pieces
>>> f = sp.tanh(x)
>>> pieces = _pieces(f, {})
>>> _df_of_output(f, sp.diff(f, x), _branches(pieces, {}), pieces, {}, {}, {})
1 - y**2
"""

from __future__ import annotations

import mpmath
import sympy as sp

from symact.catalog import x
from symact.functions import expand_named, mp_function
from symact.piecewise import _assemble, _Branch, piece_derivative
from symact.precision import precision
from symact.tidy import tidy, work

y = sp.Symbol("y", real=True)
MAX_INVERT_WORK = 30  # the largest piece of f (``tidy.work``, named functions written out) solve inverts


def _df_of_output(f, df, branches, pieces, sides, numeric, subs) -> sp.Expr | None:
    """Write df as g(y) with y = f(x), when f is monotone and each piece can be inverted."""
    direction = _monotone_direction(f, sides, numeric)
    if direction is None:
        return None
    forms = {}
    for piece in pieces:
        fp, dp = piece.f.subs(subs), piece_derivative(piece).subs(subs)
        g = _output_form(fp, dp, _probe_points(piece, numeric), numeric)
        if g is None:
            return None
        forms[None if piece.hi == sp.oo else piece.hi] = g
    if len(pieces) == 1:
        result = forms[None]
    elif direction < 0:
        return None  # conditions on x would turn around; no catalog entry needs it
    else:
        out, points = [], []
        for b in branches:
            out.append(
                _Branch(b.expr.subs(subs) if b.only_at_point else forms[b.point], b.point, b.strict, b.only_at_point)
            )
            if b.point is None:
                points.append(None)
                continue
            # x <= c becomes y <= f(c-), x < c becomes y < f(c+)
            i = next(i for i, piece in enumerate(pieces) if piece.hi == b.point)
            piece = pieces[i + 1] if b.strict else pieces[i]
            points.append(tidy(piece.f.subs(x, b.point).subs(subs)))
        result = _assemble(out, var=y, points=points)
    return result if _verified(result, f, df, numeric, sides) else None


def _probe_points(piece, numeric) -> list:
    """Four points inside the piece's interval, with the parameters at ``numeric``."""
    lo = None if piece.lo == -sp.oo else float(sp.N(sp.sympify(piece.lo).subs(numeric)))
    hi = None if piece.hi == sp.oo else float(sp.N(sp.sympify(piece.hi).subs(numeric)))
    if lo is None and hi is None:
        return [-2.5, -0.7, 0.3, 1.9]
    if lo is None:
        return [hi - t for t in (0.1, 0.7, 1.6, 3.3)]
    if hi is None:
        return [lo + t for t in (0.1, 0.7, 1.6, 3.3)]
    return [lo + (hi - lo) * t for t in (0.13, 0.41, 0.62, 0.89)]


def _output_form(fp, dp, points, numeric) -> sp.Expr | None:
    if not fp.has(x):
        return dp if not dp.has(x) else None
    candidate = dp.xreplace({fp: y})
    if not candidate.has(x):
        return tidy(candidate, gain=1.5)
    named = expand_named(fp)
    if not _invertible(named):
        return None
    try:
        roots = _inverses(named)
    except (NotImplementedError, ValueError, TypeError, sp.PolynomialError):
        return None
    for root in roots:
        g = dp.subs(x, root)
        if g.has(x):
            continue
        g = _opened(g, fp.subs(numeric), points)
        if not g.has(sp.I) and _agrees(g.subs(numeric), fp.subs(numeric), dp.subs(numeric), points):
            return g
    return None


def _opened(g: sp.Expr, fp: sp.Expr, points: list) -> sp.Expr:
    """``g`` tidied, or, where shorter, with the sign of y that f shows at ``points`` taken as known and its
    factors opened under roots: for y > 0, sqrt(b + (y - b/(4*y))**2) is y + b/(4*y), and squareplus' f' from
    its output cancels no more (the candidate is checked as any other).

    >>> _opened(sp.S.Half + (y - 1/y) / (2*sp.sqrt(4 + (y - 1/y)**2)), (x + sp.sqrt(x**2 + 4))/2, [-1.0, 2.0])
    y**2/(y**2 + 1)
    """
    values = [sp.N(fp.subs(x, p)) for p in points]
    signed = sp.Dummy("y", positive=True) if all(v.is_positive for v in values) else None
    if signed is None and all(v.is_negative for v in values):
        signed = sp.Dummy("y", negative=True)
    plain = tidy(g)
    if signed is None:
        return plain
    opened = tidy(sp.factor(g.xreplace({y: signed}), deep=True)).xreplace({signed: y})
    return opened if sp.count_ops(opened) < sp.count_ops(plain) else plain


def _inverses(fp: sp.Expr) -> list[sp.Expr]:
    """Candidate x with fp(x) = y, each checked by the caller: the roots of a numerator polynomial in x when it
    is at most quadratic (none past that: Cardano's radicals are no output form), else what ``solve`` finds.

    >>> _inverses(x / (1 + x)), _inverses(x**3 + x)
    ([-y/(y - 1)], [])
    """
    numerator = sp.numer(sp.together(fp - y))
    if numerator.is_polynomial(x):
        return list(sp.roots(sp.Poly(numerator, x))) if sp.degree(numerator, x) <= 2 else []
    return sp.solve(sp.Eq(y, fp), x, simplify=False, check=False)


def _invertible(fp: sp.Expr) -> bool:
    """Whether ``solve`` is asked to invert y = fp: small, and x in it once or only under +, * and powers.

    >>> _invertible(sp.log(1 + sp.exp(x))), _invertible(x / (1 + x)), _invertible(x - sp.tanh(x))
    (True, True, False)
    """
    if work(fp) > MAX_INVERT_WORK:
        return False
    inside = [n for n in sp.preorder_traversal(fp) if n.has(x)]
    return inside.count(x) == 1 or all(isinstance(n, (sp.Add, sp.Mul, sp.Pow, sp.Symbol)) for n in inside)


def _agrees(g, fp, dp, points) -> bool:
    good = 0
    for p in points:
        try:
            yv = complex(sp.N(fp.subs(x, p), 30))
            lhs = complex(sp.N(g.subs(y, sp.Float(yv.real, 30)), 30))
            rhs = complex(sp.N(dp.subs(x, p), 30))
        except (TypeError, ValueError, ArithmeticError):  # no number here (10**400*tanh(x) overflows a float)
            continue
        if abs(yv.imag) > 1e-20 or abs(rhs.imag) > 1e-20:
            continue
        if abs(lhs - rhs) > 1e-12 * (1 + abs(rhs)):
            return False
        good += 1
    return good > 0


def _monotone_direction(f, sides, numeric) -> int | None:
    """+1 if f never decreases, -1 if it never increases (on a fine grid and across kinks), else None."""
    fn = mp_function(f.subs(numeric))
    grid = [mpmath.mpf(t) for t in mpmath.linspace(-12, 12, 481)]
    for p in sides:
        c = mpmath.mpf(sp.N(p.subs(numeric), 30))
        grid += [c - mpmath.mpf("1e-9"), c, c + mpmath.mpf("1e-9")]
    try:
        with precision(30):
            values = [complex(fn(t)) for t in sorted(grid)]
    except (TypeError, ValueError, ZeroDivisionError, OverflowError):
        return None
    if any(abs(v.imag) > 1e-20 for v in values):
        return None
    steps = {(b.real > a.real) - (b.real < a.real) for a, b in zip(values, values[1:])} - {0}
    return steps.pop() if len(steps) == 1 else None


def _verified(g, f, df, numeric, sides) -> bool:
    """Check g(f(x)) = f'(x) at 30 digits on points away from the kinks."""
    kinks = [float(sp.N(p.subs(numeric))) for p in sides]
    fx = mp_function(f.subs(numeric))
    dfx = mp_function(df.subs(numeric))
    gy = mp_function(g.subs(numeric), (y,))
    with precision(30):
        for t in [*mpmath.linspace(-9, 9, 37), -30, 30]:
            if any(abs(t - k) < 1e-6 for k in kinks):
                continue
            t = mpmath.mpf(t) + mpmath.mpf("1e-7")
            try:
                want, got = dfx(t), gy(fx(t))
            except (TypeError, ValueError, ArithmeticError):
                return False
            if abs(want - got) > mpmath.mpf("1e-20") * (1 + abs(want)):
                return False
    return True
