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

import os
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import NamedTuple

import numpy as np
import sympy as sp

from symact.budget import DEFAULT_BUDGETS, expired, guard, validate, within
from symact.catalog import Activation, VectorActivation, _parameter_value, get, x
from symact.errors import ParameterError, SymactError
from symact.formula.printer import text_block
from symact.isolation import isolatable
from symact.kinks import (
    check_policy,
    find_kinks,
    kink_reason,
    kink_value,
)
from symact.output_form import _df_of_output, y
from symact.parsing import parse
from symact.piecewise import _assemble, _branches, _pieces
from symact.tidy import is_zero, tidy
from symact.vector import VectorDerivation, derive_vector
from symact.whitelist import within_limits

__all__ = ["Derivation", "KinkSides", "derive", "activation_entry", "y"]


class KinkSides(tuple):
    """``(left, right)`` derivatives at a kink; ``.value`` is what the kink policy picks there, ``.why``
    says which convention that is and where it comes from."""

    def __new__(cls, left, right, value, continuous=True, why=""):
        self = super().__new__(cls, (left, right))
        self.value = value
        self.continuous = continuous
        self.why = why
        return self

    def __getnewargs__(self):
        return (*self, self.value, self.continuous, self.why)

    @property
    def left(self) -> sp.Expr:
        """The derivative from the left of the kink.

        >>> derive('prelu').kinks[0].left
        alpha
        """
        return self[0]

    @property
    def right(self) -> sp.Expr:
        """The derivative from the right of the kink.

        >>> derive('prelu').kinks[0].right
        1
        """
        return self[1]


class Values(NamedTuple):
    """f, f' and f'' at one point (floats) or at an array of points (arrays of its shape)."""

    f: float | np.ndarray
    df: float | np.ndarray
    d2f: float | np.ndarray


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

    def subs(self, **values: float | sp.Expr) -> Derivation:
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
            sides = KinkSides(*(tidy(put(e)) for e in (s.left, s.right, s.value)), s.continuous, s.why)
            if not (sides.continuous and is_zero(sides.left - sides.right)):
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
        from the binary value of ``at`` and rounded once; at an array (or list) of points, three float64
        arrays of its shape, each entry so computed (``symact.kernel`` is the fast path for large arrays).

        >>> import numpy as np
        >>> derive('relu')(np.array([-1.0, 2.0]))
        Values(f=array([0., 2.]), df=array([0., 1.]), d2f=array([0., 0.]))
        """
        d = self.subs(**values)
        if np.ndim(at) > 0:
            points = np.asarray(at, dtype=np.float64)
            columns = np.array([d._at(float(p)) for p in points.ravel()]).reshape(points.size, 3)
            return Values(*(columns[:, i].reshape(points.shape) for i in range(3)))
        return Values(*d._at(at))

    def _at(self, at) -> list[float]:
        point = _parameter_value(self.name or "f", x, at)
        out = []
        for e in (self.f, self.df, self.d2f):
            v = e.subs(x, point)
            left = sorted(s.name for s in v.free_symbols)
            if left:
                raise ParameterError(
                    self.name or str(self.f), left[0], "is still symbolic; give it a value as a keyword"
                )
            out.append(float(v.evalf(30)))
        return out

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
        name = self.name or "f"
        parts = [
            text_block(f"{name}(x)   = ", self.f),
            text_block(f"{name}'(x)  = ", self.df),
            text_block(f"{name}''(x) = ", self.d2f),
        ]
        if self.df_of_output is not None:
            parts.append(text_block(f"{name}'     = ", self.df_of_output) + f"    with y = {name}(x)")
        for point, sides in self.kinks.items():
            parts.append(
                f"kink at x = {point}: left {sides.left}, right {sides.right}; "
                f"{sides.why or self.kink + ' policy'} gives {sides.value}"
                + ("" if sides.continuous else " (f jumps here)")
            )
        return "\n".join(parts)

    def __repr__(self) -> str:
        return f"Derivation({self.name!r}, f={self.f}, df={self.df})"


_CACHE: dict = {}
_CACHE_LOCK = threading.Lock()
if hasattr(os, "register_at_fork"):  # no fork on Windows
    os.register_at_fork(after_in_child=_CACHE_LOCK._at_fork_reinit)  # held by a thread the child lacks


@isolatable
def derive(
    activation: str | sp.Expr | Activation,
    kink: str = "torch",
    budget: float | None = DEFAULT_BUDGETS["derive"],
    **params: float | sp.Expr,
) -> Derivation | VectorDerivation:
    """Derive f', f'' and f' from the output for a catalog name, a string, a SymPy expression or the
    object ``define`` returns. A vector activation (softmax, log_softmax, softmin) gives its Jacobian on
    ``n`` inputs instead (``derive('softmax', n=3)``, default 3; see ``symact.vector``).

    Parameters stay symbolic unless given: ``derive('swish')`` keeps beta, ``derive('swish',
    beta=1)`` is silu. ``kink`` picks the derivative at kinks (torch, jax, left, right, mean);
    ``budget`` bounds the seconds spent (default 10, ``symact.budget.DEFAULT_BUDGETS``; ``ProofTimeout``
    past it), and decides only whether the answer comes back: every step inside is a fixed rewriting pass or
    is gated by the size of its input, so the result is a function of the definition alone. Results are
    cached by the definition (expression, parameter values, kink policy), never by the name.

    >>> derive('softplus', beta=1).df_of_output
    1 - exp(-y)
    >>> derive('softmax', n=2).loss_gradient.T
    Matrix([[-t1 + y1, -t2 + y2]])
    """
    validate(budget, "derive")
    check_policy(kink)
    with within(budget, "derive"), guard():  # one budget, from the first character parsed
        return _cached(activation_entry(activation, params), kink, budget, params)


def _cached(entry: Activation | VectorActivation, kink: str, budget: float | None, params: dict) -> Derivation:
    """The derivation of a resolved entry, from the cache keyed by its definition or computed and stored."""
    if isinstance(entry, VectorActivation):  # softmax and friends: the Jacobian on n inputs
        extra = sorted(set(params) - {"n"})
        if extra:
            raise ParameterError(entry.name, extra[0], "is not a parameter; a vector activation takes n (inputs)")
        return derive_vector(entry, params.get("n", 3), budget=budget)
    bound = entry.bind(**params)
    key = (entry.name, entry.expr, tuple(entry.defaults.items()), tuple(bound.items()), kink)
    if key in _CACHE:
        return _CACHE[key]
    try:
        result = _derive(*key)
    except (TypeError, ValueError, ArithmeticError, NotImplementedError, AttributeError, RecursionError) as err:
        if isinstance(err, SymactError):
            raise
        what = entry.name or str(entry.expr)
        raise ParameterError(what, "activation", f"could not be differentiated ({type(err).__name__}: {err})") from None
    if expired():  # cut short inside: the block raises ProofTimeout on its way out; nothing is cached
        return result
    with _CACHE_LOCK:  # two first calls may both compute; they store and return one result
        return _CACHE.setdefault(key, result)


def activation_entry(activation: str | sp.Expr | Activation, params: dict) -> Activation | VectorActivation:
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
        within_limits(activation, "derive", "activation")
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
    d2f = tidy(sp.piecewise_fold(d2f) if d2f.has(sp.Piecewise) else d2f)
    kinks_out = {
        sp.sympify(p).subs(subs): KinkSides(
            *(tidy(e.subs(subs)) for e in (s.left, s.right, s.value)), s.continuous, s.why
        )
        for p, s in sides.items()
    }
    kinks_out = {p: s for p, s in kinks_out.items() if not (s.continuous and is_zero(s.left - s.right))}
    dfy = _df_of_output(f, df, branches, pieces, sides, numeric, subs)
    return Derivation(name, f, df, d2f, dfy, kinks_out, kink, dict(bound))
