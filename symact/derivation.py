"""Symbolic derivatives of activations: f, f', f'', f' from the output, kinks and LaTeX.

>>> d = derive('sigmoid')
>>> d.df
(1 - sigmoid(x))*sigmoid(x)
>>> d.df_of_output
y*(1 - y)
>>> derive('prelu').kinks
{0: (alpha, 1)}
>>> print(derive('swish', beta=1).df)
x*(1 - sigmoid(x))*sigmoid(x) + sigmoid(x)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import NamedTuple

import mpmath
import sympy as sp

from symact.catalog import Activation, VectorActivation, _parameter_value, get, x
from symact.errors import ParameterError, ProofTimeout, SymactError
from symact.functions import MPMATH, expand_named
from symact.kinks import (
    check_policy,
    find_kinks,
    is_smooth,
    kink_reason,
    kink_value,
    resolve,
    switch_functions,
    switch_points,
)
from symact.parsing import parse
from symact.timeout import budget_scope, internal_limit, time_limit

__all__ = ["Derivation", "KinkSides", "derive", "activation_entry", "y", "DEFAULT_BUDGET"]

y = sp.Symbol("y", real=True)


class KinkSides(tuple):
    """``(left, right)`` derivatives at a kink; ``.value`` is what the kink policy picks there, ``.why``
    says which convention that is and where it comes from."""

    def __new__(cls, left, right, value, continuous=True, why=""):
        self = super().__new__(cls, (left, right))
        self.value = value
        self.continuous = continuous
        self.why = why
        return self

    @property
    def left(self):
        return self[0]

    @property
    def right(self):
        return self[1]


class Values(NamedTuple):
    """f, f' and f'' at one point."""

    f: float
    df: float
    d2f: float


@dataclass(frozen=True)
class Derivation:
    """An activation with its derivatives; see ``derive``.

    ``subs`` fixes parameters by name (a new Derivation); calling it evaluates f, f', f'' at a point.
    Plain ``expr.subs('beta', 1)`` matches nothing, as symact's symbols carry assumptions; use these,
    and ``symact.lambdify`` for a NumPy function of an expression (``sympy.lambdify`` does not know
    sigmoid, Phi or softplus).

    >>> d = derive('swish').subs(beta=1)
    >>> d.df
    x*(1 - sigmoid(x))*sigmoid(x) + sigmoid(x)
    >>> d(1.0)
    Values(f=0.7310585786300049, df=0.9276705118714867, d2f=0.3023661188100153)
    >>> derive('swish')(0.0, beta=2).df
    0.5
    """

    name: str
    f: sp.Expr
    df: sp.Expr
    d2f: sp.Expr
    df_of_output: sp.Expr | None
    kinks: dict
    kink: str = "torch"
    params: Mapping = field(default_factory=dict)
    incomplete: tuple = ()  # what an internal time limit cut short (such a derivation is never cached)

    def subs(self, **values) -> Derivation:
        """This derivation with parameters replaced, matched by name; an unknown name raises ``ParameterError``.

        >>> derive('elu').subs(alpha=2).f
        Piecewise((x, x > 0), (2*exp(x) - 2, True))
        """
        if not values:
            return self
        symbols = {s.name: s for e in (self.f, self.df) for s in e.free_symbols if s != x}
        what = self.name or str(self.f)
        mapping = {}
        for key, value in values.items():
            if key not in symbols:
                taken = f"it takes {', '.join(sorted(symbols))}" if symbols else "none is left symbolic"
                raise ParameterError(what, key, f"is not a symbolic parameter ({taken})", symbols)
            mapping[symbols[key]] = _parameter_value(what, symbols[key], value)

        def put(e):
            return None if e is None else e.subs(mapping)

        kinks = {}
        for point, s in self.kinks.items():
            sides = KinkSides(*(sp.simplify(put(e)) for e in (s.left, s.right, s.value)), s.continuous, s.why)
            if not (sides.continuous and sp.simplify(sides.left - sides.right) == 0):
                kinks[sp.sympify(point).subs(mapping)] = sides
        params = {**self.params, **mapping}
        return replace(
            self,
            f=put(self.f),
            df=put(self.df),
            d2f=put(self.d2f),
            df_of_output=put(self.df_of_output),
            kinks=kinks,
            params=params,
        )

    def __call__(self, at, **values) -> Values:
        """f, f', f'' at the point ``at`` (parameters by name as in ``subs``), as floats computed exactly
        from the binary value of ``at`` and rounded once."""
        d = self.subs(**values)
        point = _parameter_value(d.name or "f", x, at)
        out = []
        for e in (d.f, d.df, d.d2f):
            v = e.subs(x, point)
            left = sorted(s.name for s in v.free_symbols)
            if left:
                raise ParameterError(d.name or str(d.f), left[0], "is still symbolic; give it a value as a keyword")
            out.append(float(v.evalf(30)))
        return Values(*out)

    def latex(self) -> str:
        r"""The definition and derivatives as LaTeX ``aligned`` lines.

        >>> print(derive('relu').latex().splitlines()[0])
        \begin{aligned}
        """
        f = sp.Function(self.name.replace("_", r"\_") if self.name else "f")
        lines = [
            rf"{sp.latex(f(x))} &= {sp.latex(self.f)}",
            rf"{sp.latex(f(x).diff(x))} &= {sp.latex(self.df)}",
            rf"{sp.latex(f(x).diff(x, 2))} &= {sp.latex(self.d2f)}",
        ]
        if self.df_of_output is not None:
            lines.append(rf"{sp.latex(f(x).diff(x))} &= {sp.latex(self.df_of_output)}, \quad y = {sp.latex(f(x))}")
        return "\\begin{aligned}\n" + " \\\\\n".join(lines) + "\n\\end{aligned}"

    def _repr_latex_(self) -> str:
        return "$\\displaystyle " + self.latex() + "$"

    def __str__(self) -> str:
        def show(label, expr):
            text = sp.pretty(expr, use_unicode=True, wrap_line=False)
            pad = " " * len(label)
            return "\n".join((label if i == 0 else pad) + line for i, line in enumerate(text.splitlines()))

        name = self.name or "f"
        parts = [show(f"{name}(x)   = ", self.f), show(f"{name}'(x)  = ", self.df), show(f"{name}''(x) = ", self.d2f)]
        if self.df_of_output is not None:
            parts.append(show(f"{name}'     = ", self.df_of_output) + f"    with y = {name}(x)")
        for point, sides in self.kinks.items():
            parts.append(
                f"kink at x = {point}: left {sides.left}, right {sides.right}; "
                f"{sides.why or self.kink + ' policy'} gives {sides.value}"
                + ("" if sides.continuous else " (f jumps here)")
            )
        if self.incomplete:
            parts.append("incomplete (time limit): " + ", ".join(self.incomplete))
        return "\n".join(parts)

    def __repr__(self) -> str:
        return f"Derivation({self.name!r}, f={self.f}, df={self.df})"


DEFAULT_BUDGET = 10.0  # seconds for one derive() call; its internal limits are fractions of it
_LIMITS = {"simplify": 2, "df_of_output": 5, "inverting f": 2}  # nominal seconds at the default budget
_CACHE: dict = {}


def derive(activation, kink: str = "torch", budget: float | None = DEFAULT_BUDGET, **params) -> Derivation:
    """Derive f', f'' and f' from the output for a catalog name, a string, a SymPy expression or the
    object ``define`` returns.

    Parameters stay symbolic unless given: ``derive('swish')`` keeps beta, ``derive('swish',
    beta=1)`` is silu. ``kink`` picks the derivative at kinks (torch, jax, left, right, mean);
    ``budget`` bounds the seconds spent (default ``DEFAULT_BUDGET`` = 10; ``ProofTimeout`` past it).
    Internal limits are fractions of the budget; what they cut short is named in ``incomplete``
    and such a derivation is not cached. Results are cached by the definition (expression,
    parameter values, kink policy), never by the name.

    >>> derive('softplus', beta=1).df_of_output
    1 - exp(-y)
    >>> derive('softplus', beta=1).incomplete
    ()
    """
    check_policy(kink)
    entry = activation_entry(activation, params)
    if isinstance(entry, VectorActivation):
        raise ParameterError(entry.name, "activation", "is a vector function; derive works elementwise")
    bound = entry.bind(**params)
    key = (entry.name, entry.expr, tuple(entry.defaults.items()), tuple(bound.items()), kink)
    if key in _CACHE:
        return _CACHE[key]
    scale = 1.0 if budget is None else budget / DEFAULT_BUDGET
    try:
        with budget_scope(scale) as cut, time_limit(budget, f"derive({entry.name or str(entry.expr)!r})"):
            result = _derive(*key)
    except (TypeError, ValueError, ZeroDivisionError, NotImplementedError, AttributeError, RecursionError) as err:
        if isinstance(err, SymactError):
            raise
        what = entry.name or str(entry.expr)
        raise ParameterError(what, "activation", f"could not be differentiated ({type(err).__name__}: {err})") from None
    if cut:
        return replace(result, incomplete=tuple(dict.fromkeys(cut)))
    _CACHE[key] = result
    return result


def activation_entry(activation, params: dict) -> Activation | VectorActivation:
    """The catalog entry an activation names: a catalog or ``define``-d name, or an unnamed ``Activation`` for an
    expression string or SymPy expression (its other symbols are parameters, each given a value in ``params``).

    >>> activation_entry('relu', {}).name
    'relu'
    >>> activation_entry('a*x + sigmoid(x)', {'a': 2}).defaults
    {a: 2}
    """
    if isinstance(activation, str):
        try:
            return get(activation)
        except SymactError:
            if not any(ch in activation for ch in "()*+-/^ "):
                raise
            expr = parse(activation, parameters={p: sp.Symbol(p, real=True) for p in params}, allow_symbols=True)
    elif isinstance(activation, (Activation, VectorActivation)):
        return activation
    elif isinstance(activation, sp.Basic):
        expr = activation.subs({s: x for s in activation.free_symbols if s.name == "x"})
    else:
        raise ParameterError("derive", "activation", f"must be a name, string or SymPy expression, not {activation!r}")
    names = {s.name: s for s in expr.free_symbols if s != x}
    missing = sorted(set(names) - set(params))
    if missing:
        raise ParameterError("derive", missing[0], "appears in the expression; give it a value as a keyword")
    return Activation("", expr, {names[p]: params[p] for p in names})


def _derive(name, expr, defaults, bound, kink) -> Derivation:
    values = {**dict(defaults), **dict(bound)}
    numeric = {s: sp.sympify(v) for s, v in values.items()}
    kinks = find_kinks(expr, numeric)
    sides = {
        k.point: KinkSides(k.left, k.right, kink_value(k, kink, name), k.continuous, kink_reason(k, kink, name))
        for k in kinks
    }
    subs = dict(bound)
    f = expr.subs(subs)
    pieces = _pieces(expr, numeric)
    branches = _branches(pieces, sides)
    df = _assemble(branches).subs(subs)
    d2f = sp.diff(df, x)
    d2f = _tidy(sp.piecewise_fold(d2f) if d2f.has(sp.Piecewise) else d2f, gain=1)
    kinks_out = {
        sp.sympify(p).subs(subs): KinkSides(
            *(sp.simplify(e.subs(subs)) for e in (s.left, s.right, s.value)), s.continuous, s.why
        )
        for p, s in sides.items()
    }
    kinks_out = {p: s for p, s in kinks_out.items() if not (s.continuous and sp.simplify(s.left - s.right) == 0)}
    try:
        with internal_limit(_LIMITS["df_of_output"], "df_of_output"):
            dfy = _df_of_output(f, df, branches, pieces, sides, numeric, subs)
    except ProofTimeout:
        dfy = None
    return Derivation(name, f, df, d2f, dfy, kinks_out, kink, dict(bound))


# ---- the derivative, piece by piece --------------------------------------------------------------


@dataclass(frozen=True)
class _Piece:
    """The smooth form of f on an interval; ``upper`` closes it on the right (None: +oo)."""

    f: sp.Expr
    upper: sp.Expr | None
    lower: sp.Expr | None


def _pieces(expr, numeric) -> list[_Piece]:
    if is_smooth(expr):
        return [_Piece(expr, None, None)]
    points = switch_points(expr, numeric)
    numbers = [sp.N(p.subs(numeric), 30) for p in points]
    bounds = [None, *points, None]
    probes = []
    for i in range(len(points) + 1):
        lo = numbers[i - 1] if i > 0 else None
        hi = numbers[i] if i < len(points) else None
        if lo is None and hi is None:
            probes.append(sp.Integer(0))
        elif lo is None:
            probes.append(hi - 1)
        elif hi is None:
            probes.append(lo + 1)
        else:
            probes.append((lo + hi) / 2)
    _check_pieces(expr, numeric, numbers, probes)
    return [_Piece(resolve(expr, {**numeric, x: probe}), bounds[i + 1], bounds[i]) for i, probe in enumerate(probes)]


def _check_pieces(expr, numeric, numbers, probes) -> None:
    """Refuse an f whose switch functions change sign inside a piece (max(sin(x), 0) switches at every k*pi):
    the pieces would silently be wrong there."""
    cuts = [-sp.oo, *numbers, sp.oo]
    for g in switch_functions(expr):
        g = g.subs(numeric)
        for lo, hi, probe in zip(cuts, cuts[1:], probes):
            smooth = expand_named(resolve(g, {x: probe}))
            try:
                with internal_limit(_LIMITS["simplify"], "switch point check"):
                    inside = sp.solveset(smooth, x, sp.Interval.open(lo, hi))
            except (ProofTimeout, NotImplementedError, ValueError, TypeError):
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


def _tidy(expr: sp.Expr, gain: float = 1.5) -> sp.Expr:
    """``expr``, or its simplification when that is ``gain`` times shorter (simplify can lengthen)."""
    try:
        with internal_limit(_LIMITS["simplify"], "simplification"):
            simpler = sp.simplify(expr)
    except ProofTimeout:
        return expr
    return simpler if gain * sp.count_ops(simpler) < sp.count_ops(expr) else expr


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
        d = _tidy(sp.diff(piece.f, x))
        point = piece.upper
        side = None if point is None else next((s for p, s in sides.items() if sp.simplify(p - point) == 0), None)
        if point is None or side is None or sp.simplify(side.value - side.left) == 0:
            branches.append(_Branch(d, point))
        elif sp.simplify(side.value - side.right) == 0:
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
    if sp.simplify(left - right.subs(x, -x)) == 0:
        return right.subs(x, sp.Abs(x))
    return None


# ---- the derivative from the output ---------------------------------------------------------------


def _df_of_output(f, df, branches, pieces, sides, numeric, subs) -> sp.Expr | None:
    """Write df as g(y) with y = f(x), when f is monotone and each piece can be inverted."""
    direction = _monotone_direction(f, sides, numeric)
    if direction is None:
        return None
    forms = {}
    for piece in pieces:
        fp, dp = piece.f.subs(subs), _tidy(sp.diff(piece.f, x)).subs(subs)
        g = _output_form(fp, dp, _probe_points(piece, numeric), numeric)
        if g is None:
            return None
        forms[piece.upper] = g
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
            i = next(i for i, piece in enumerate(pieces) if piece.upper == b.point)
            piece = pieces[i + 1] if b.strict else pieces[i]
            points.append(sp.simplify(piece.f.subs(x, b.point).subs(subs)))
        result = _assemble(out, var=y, points=points)
    return result if _verified(result, f, df, numeric, sides) else None


def _probe_points(piece, numeric) -> list:
    """Four points inside the piece's interval, with the parameters at ``numeric``."""
    lo = None if piece.lower is None else float(sp.N(piece.lower.subs(numeric)))
    hi = None if piece.upper is None else float(sp.N(piece.upper.subs(numeric)))
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
        return _tidy(candidate)
    try:
        with internal_limit(_LIMITS["inverting f"], "df_of_output (inverting f)"):
            roots = sp.solve(sp.Eq(y, expand_named(fp)), x)
    except (ProofTimeout, NotImplementedError, ValueError, TypeError):
        return None
    for root in roots:
        g = dp.subs(x, root)
        if g.has(x):
            continue
        g = min((g, *_simpler_forms(expand_named(g))), key=sp.count_ops)
        if not g.has(sp.I) and _agrees(g.subs(numeric), fp.subs(numeric), dp.subs(numeric), points):
            return g
    return None


def _simpler_forms(g) -> list:
    try:
        with internal_limit(_LIMITS["simplify"], "simplification of df_of_output"):
            simple = sp.simplify(g)
            return [simple, sp.expand(simple), sp.powsimp(sp.expand(simple))]
    except ProofTimeout:
        return [g]


def _agrees(g, fp, dp, points) -> bool:
    good = 0
    for p in points:
        try:
            yv = complex(sp.N(fp.subs(x, p), 30))
            lhs = complex(sp.N(g.subs(y, sp.Float(yv.real, 30)), 30))
            rhs = complex(sp.N(dp.subs(x, p), 30))
        except (TypeError, ValueError, ZeroDivisionError):
            continue
        if abs(yv.imag) > 1e-20 or abs(rhs.imag) > 1e-20:
            continue
        if abs(lhs - rhs) > 1e-12 * (1 + abs(rhs)):
            return False
        good += 1
    return good > 0


def _monotone_direction(f, sides, numeric) -> int | None:
    """+1 if f never decreases, -1 if it never increases (on a fine grid and across kinks), else None."""
    fn = sp.lambdify(x, f.subs(numeric), modules=[MPMATH, "mpmath"])
    grid = [mpmath.mpf(t) for t in mpmath.linspace(-12, 12, 481)]
    for p in sides:
        c = mpmath.mpf(sp.N(p.subs(numeric), 30))
        grid += [c - mpmath.mpf("1e-9"), c, c + mpmath.mpf("1e-9")]
    try:
        with mpmath.workdps(30):
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
    fx = sp.lambdify(x, f.subs(numeric), modules=[MPMATH, "mpmath"])
    dfx = sp.lambdify(x, df.subs(numeric), modules=[MPMATH, "mpmath"])
    gy = sp.lambdify(y, g.subs(numeric), modules=[MPMATH, "mpmath"])
    with mpmath.workdps(30):
        for t in [*mpmath.linspace(-9, 9, 37), -30, 30]:
            if any(abs(t - k) < 1e-6 for k in kinks):
                continue
            t = mpmath.mpf(t) + mpmath.mpf("1e-7")
            try:
                want, got = dfx(t), gy(fx(t))
            except (TypeError, ValueError, ZeroDivisionError):
                return False
            if abs(want - got) > mpmath.mpf("1e-20") * (1 + abs(want)):
                return False
    return True


def _mp_piecewise(*args):
    for value, cond in args:
        if cond:
            return value
    return mpmath.nan
