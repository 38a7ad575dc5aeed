"""The stable nodes: one table, one row per node.

A stable node is a SymPy function that ``symact.kernels.rules`` writes into an expression where the textbook
formula would overflow or cancel, and that both emitters print as a call to a helper of the same name. Its row
in ``NODES`` holds everything about it: the SymPy class (``meaning`` gives its value as an ordinary SymPy
expression, so a node expression differentiates and evaluates with mpmath), the NumPy implementation
(``symact.kernels.helpers``), the scalar one for numba (``symact.kernels.scalar``), the error bound of both
in ULPs of the result (measured by ``tests/test_nodes.py`` against 50-digit evaluations of the meaning, on a
sample dense where the errors peak, with a fifth to spare), the source of the algorithm, whether the first
argument is exponentiated (then a double-double argument is worth it: the implementations take its low part
second) and, for a node that decays to 0, its underflow cut
(``symact.kernels.underflow``). Printers, ``underflow`` and ``rational`` read the table: a new node is a
class, two implementations and one row.

>>> s_softplus(sp.Symbol('t')).diff()
exp(t)/(exp(t) + 1)
>>> s_softplus(-800).evalf(5), NODES['s_softplus'].ulps
(3.6679e-348, 1.5)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import mpmath
import numpy as np
import sympy as sp
from mpmath.libmp import prec_to_dps
from sympy.codegen.cfunctions import expm1, hypot, log1p

from symact.errors import SymactError
from symact.kernels import exp_joined, helpers, scalar
from symact.kernels.helpers import C_HI, TINY, UNSCALE
from symact.precision import precision

__all__ = [
    "StableNode",
    "Node",
    "NODES",
    "STABLE_NODES",
    "EXP_LIKE",
    "DD_ARGS",
    "NUMPY_FUNCTIONS",
    "accurate",
    "NodeValueError",
]


class NodeValueError(SymactError):
    """A node's value that mpmath did not settle (an argument where the meaning cancels past 2,000 digits)."""


class StableNode(sp.Function):
    """A stable node: never evaluated on construction; its value and derivatives are those of ``meaning``."""

    @staticmethod
    def meaning(*args: sp.Expr) -> sp.Expr:  # pragma: no cover - every node sets its own
        """The node's value at ``args`` as an ordinary SymPy expression."""
        raise NotImplementedError

    @classmethod
    def _should_evalf(cls, arg):
        return -1  # s_sigmoid(2.0) stays a node, as the generated code calls it

    def value(self) -> sp.Expr:
        """The node as an ordinary SymPy expression."""
        return self.meaning(*self.args)

    def fdiff(self, argindex=1):
        d = sp.Dummy(real=True) if self.args[argindex - 1].is_extended_real else sp.Dummy()
        args = list(self.args)
        args[argindex - 1] = d
        return self.meaning(*args).diff(d).subs(d, self.args[argindex - 1])

    def _eval_evalf(self, prec):
        if not all(a.is_number for a in self.args):
            return None
        digits = prec_to_dps(prec)
        exact = [sp.Rational(a) if a.is_Float else a for a in self.args]  # SymPy rounds exp(Float) at once
        return sp.Float(accurate(self.meaning(*exact), (), digits)(), digits)

    def _eval_rewrite_as_value(self, *args, **hints):
        return self.meaning(*args)


def accurate(expr: sp.Expr, symbols: tuple[sp.Symbol, ...], digits: int = 30) -> Callable[..., mpmath.mpf]:
    """``expr`` as a function of ``symbols`` (numbers, taken as exact) computed by mpmath to ``digits`` digits:
    from 20 digits more, the working precision doubled until two nonzero results agree (SymPy's evalf of
    log1p(exp(-800)) is 0); 0 where every precision up to 2,000 digits more gives 0.

    >>> float(accurate(log1p(sp.Symbol('t')), (sp.Symbol('t'),))(1e-300))
    1e-300
    """
    f = sp.lambdify(symbols, expr, modules="mpmath")

    def value(*args: float) -> mpmath.mpf:
        prev, dps = None, digits + 20
        while dps < 40 * digits + 2000:
            with precision(dps):
                r = f(*map(mpmath.mpf, args))
                if prev is not None and r != 0 and abs(r - prev) <= abs(r) * mpmath.mpf(10) ** -(digits + 2):
                    return +r
            prev, dps = r, 2 * dps
        if r == 0:  # 0 at every precision up to 2,000 digits more (a cancellation to 0 is not evidence)
            return r
        raise NodeValueError(f"{expr} at {args}: no {digits} digits")

    return value


def _node(name: str, meaning: Callable[..., sp.Expr]) -> type[StableNode]:
    return type(name, (StableNode,), {"meaning": staticmethod(meaning), "__module__": __name__})


def _scaled(value: sp.Expr, t: sp.Expr, w: sp.Expr, two_sided: bool) -> sp.Expr:
    """``value`` times exp(C_HI) in the band of the cut ``w`` (where the implementations scale, see
    ``symact.kernels.underflow``)."""
    if w == sp.oo:
        return value
    band = sp.Abs(t) > w if two_sided else t < -w
    return sp.Piecewise((value * sp.exp(sp.Rational(C_HI)), band), (value, True))


def _sigmoid(t):
    return 1 / (1 + sp.exp(-t))


def _dsigmoid(t):
    return 1 / ((1 + sp.exp(-t)) * (1 + sp.exp(t)))


s_sigmoid = _node("s_sigmoid", lambda t, w=sp.oo: _scaled(_sigmoid(t), t, w, False))
s_dsigmoid = _node("s_dsigmoid", lambda t, w=sp.oo: _scaled(_dsigmoid(t), t, w, True))
s_softplus = _node("s_softplus", lambda t, w=sp.oo: _scaled(log1p(sp.exp(t)), t, w, False))
s_softplus_tail = _node("s_softplus_tail", lambda t, w=sp.oo: _scaled(log1p(sp.exp(-sp.Abs(t))), t, w, True))
s_sech2 = _node("s_sech2", lambda t, w=sp.oo: _scaled(sp.sech(t) ** 2, t, w, True))
s_ncdf = _node("s_ncdf", lambda t, w=sp.oo: _scaled(sp.erfc(-t / sp.sqrt(2), evaluate=False) / 2, t, w, False))
s_expsq = _node("s_expsq", lambda t, c, w=sp.oo: _scaled(sp.exp(-c * t**2), t, w, True))
s_sqplus = _node("s_sqplus", lambda t, c: (t + sp.sqrt(t**2 + c)) / 2)
s_dsqplus = _node("s_dsqplus", lambda t, c: (1 + t / sp.sqrt(t**2 + c)) / 2)
s_tanhshrink = _node("s_tanhshrink", lambda t: t - sp.tanh(t))
s_expm1 = _node("s_expm1", expm1)
s_log1p = _node("s_log1p", log1p)
s_hypot = _node("s_hypot", hypot)
s_div = _node("s_div", lambda a, b: a / b)  # SymPy does not merge its divisions (x*x/(...) stays, no x**2)
s_sech2_exp = _node("s_sech2_exp", lambda t, a: sp.exp(a) * sp.sech(t) ** 2)
s_dsigmoid_exp = _node("s_dsigmoid_exp", lambda t, a: sp.exp(a) * _dsigmoid(t))
s_sigmoid_exp = _node("s_sigmoid_exp", lambda t, a, m, n: sp.exp(a) * _sigmoid(t) ** m * _sigmoid(-t) ** n)
s_softplus_exp = _node("s_softplus_exp", lambda t, a: sp.exp(a) * log1p(sp.exp(t)))
s_erfc_exp = _node("s_erfc_exp", lambda t, a: sp.exp(a) * sp.erfc(t))
s_unscale = _node(
    "s_unscale",
    lambda t, p, w, two_sided: sp.Piecewise(
        (p * sp.Rational(UNSCALE), sp.Abs(t) > w if two_sided else t < -w), (p, True)
    ),
)
s_exp = _node("s_exp", sp.exp)


@dataclass(frozen=True)
class Node:
    """One stable node. The implementations take the node's arguments in order, with the low part of a
    double-double first argument second when ``exp_like`` (None or 0.0 for none), and with ``exp_sum`` each of
    the first two arguments followed by its low part (t, t_lo, a, a_lo); ``params`` counts the
    arguments after the first one before a cut; a node with ``cut`` decays to 0 and takes a last argument
    w, its cut (``symact.kernels.underflow``): ``cut(*params)`` gives w (or None: no cut), below -w (beyond
    |w| when ``two_sided``) its value is scaled by exp(C_HI); ``decay``: k where the scalar implementation
    starts from ``scalar.s_exp_neg_abs(t, k, w, two_sided)``, exp(-k|t|) (0: none), which generated code may
    share."""

    function: type[StableNode]
    numpy: Callable
    scalar: Callable
    ulps: float
    source: str
    params: int = 0
    exp_like: bool = False
    exp_sum: bool = False
    cut: Callable[..., float | None] | None = None
    two_sided: bool = False
    decay: float = 0.0

    @property
    def name(self) -> str:
        """The node's name, which the generated code calls."""
        return self.function.__name__


_E = "exp(-|t|) only, never of a positive number (Maechler, Accurately computing log(1 - exp(-|a|)), 2012)"
_SQUARE = "e/(1 + e)**2, e = exp(-|t|), the rounding of 1 + e corrected to first order (Knuth, TAOCP 2, 4.2.2)"
_CONJ = "divides instead of cancelling for t < 0 (the conjugate; Goldberg, What every computer scientist..., 1991)"
_DD = "exp(-c t**2) with t**2 = hi**2 + lo (2 hi + lo) exact (Dekker, Numer. Math. 18, 1971)"
_EXP_SUM = (
    "exp(a - k|t|)/(1 + exp(-k|t|))**2, a - k|t| in double-double (Knuth's two_sum) and moved by 128 ln 2 near the"
    " ends of the range (subnormal results rounded once); 1 + e and its square exact (Dekker 1971)"
)
_DECAY = {"exp_like": True, "cut": lambda: TINY}

_ROWS = (
    Node(s_sigmoid, helpers.h_sigmoid, scalar.s_sigmoid, 2.5, _E, **_DECAY, decay=1.0),
    Node(s_dsigmoid, helpers.h_dsigmoid, scalar.s_dsigmoid, 3.0, _SQUARE, **_DECAY, two_sided=True, decay=1.0),
    Node(s_softplus, helpers.h_softplus, scalar.s_softplus, 1.5, _E, **_DECAY, decay=1.0),
    Node(
        s_softplus_tail, helpers.h_softplus_tail, scalar.s_softplus_tail, 1.5, _E, **_DECAY, two_sided=True, decay=1.0
    ),
    Node(
        s_sech2,
        helpers.h_sech2,
        scalar.s_sech2,
        2.5,
        _SQUARE,
        exp_like=True,
        cut=lambda: TINY / 2,
        two_sided=True,
        decay=2.0,
    ),
    Node(
        s_ncdf,
        helpers.h_ncdf,
        scalar.s_ncdf,
        3.5,
        "erfc(-t/sqrt 2)/2, the argument in double-double (Dekker 1971); Mills' ratio series (A&S 7.1.23) below -w",
        cut=lambda: float(sp.sqrt(2 * TINY)),
    ),
    Node(
        s_expsq,
        helpers.h_expsq,
        scalar.s_expsq,
        1.5,
        _DD,
        params=1,
        cut=lambda c: float(sp.sqrt(TINY / c)) if c.is_positive else None,
        two_sided=True,
    ),
    Node(s_sqplus, helpers.h_sqplus, scalar.s_sqplus, 3.0, _CONJ, params=1),
    Node(
        s_dsqplus,
        helpers.h_dsqplus,
        scalar.s_dsqplus,
        4.5,
        "divides instead of cancelling for t < -sqrt(c/3) (the conjugate; Goldberg 1991), sums above",
        params=1,
    ),
    Node(
        s_tanhshrink,
        helpers.h_tanhshrink,
        scalar.s_tanhshrink,
        4.0,
        "Lambert's continued fraction of tanh, |t| < 1.5, its 13 divisions within 3.3 ULP (NumPy); its depth-8"
        " ratio with t**3 and 1/3 in double-double, |t| < 0.6, and t less tanh t in double-double beyond, within"
        " 1.0 ULP (vmath)",
    ),
    Node(s_expm1, np.expm1, scalar.s_expm1, 1.0, "C99 expm1 (NumPy); fdlibm's reduction, Taylor series (vmath)"),
    Node(s_log1p, np.log1p, scalar.s_log1p, 1.0, "C99 log1p (NumPy); musl's (vmath)"),
    Node(s_hypot, helpers.h_hypot, scalar.s_hypot, 1.0, "C99 hypot", params=1),
    Node(s_div, np.true_divide, scalar.s_div, 0.5, "IEEE 754 division", params=1),
    Node(s_sech2_exp, exp_joined.h_sech2_exp, scalar.s_sech2_exp, 3.0, _EXP_SUM + ", k = 2", params=1, exp_sum=True),
    Node(
        s_dsigmoid_exp,
        exp_joined.h_dsigmoid_exp,
        scalar.s_dsigmoid_exp,
        3.0,
        _EXP_SUM + ", k = 1",
        params=1,
        exp_sum=True,
    ),
    Node(
        s_sigmoid_exp,
        exp_joined.h_sigmoid_exp,
        scalar.s_sigmoid_exp,
        4.5,
        "exp(a - j|t|)/(1 + exp(-|t|))**(m + n), j = n for t >= 0 and m for t < 0: a - j|t| in double-double"
        " (Dekker's two_prod, Knuth's two_sum) and moved by 128 ln 2 near the ends of the range; 1 + e and its"
        " powers exact (Dekker 1971)",
        params=3,
        exp_sum=True,
    ),
    Node(
        s_softplus_exp,
        exp_joined.h_softplus_exp,
        scalar.s_softplus_exp,
        3.5,
        "exp(a + t) log1p(e)/e, e = exp(t), for t < 0: a + t in double-double (Knuth's two_sum) and moved by 128 ln 2"
        " near the ends of the range",
        params=1,
        exp_sum=True,
    ),
    Node(
        s_erfc_exp,
        exp_joined.h_erfc_exp,
        scalar.s_erfc_exp,
        4.0,
        "exp(a - t**2 - 0.5625 + R/S)/t for t >= 1.25, R/S fdlibm's tail fit of erfc (s_erf.c, Sun 1993): the"
        " exponent in double-double (Dekker's two_prod, Knuth's two_sum), moved by 128 ln 2 near the ends of the range",
        params=1,
        exp_sum=True,
    ),
    Node(s_unscale, helpers.h_unscale, scalar.s_unscale, 0.5, "times 2**-128 exp(128 ln 2 - C_HI)", 3, True),
    Node(s_exp, helpers.h_exp, scalar.s_exp, 1.0, "exp(t + lo) = exp(t) (1 + lo), |lo| < 1e-13", exp_like=True),
)

NODES: dict[str, Node] = {row.name: row for row in _ROWS}
STABLE_NODES: dict[str, type[StableNode]] = {name: row.function for name, row in NODES.items()}
EXP_LIKE = tuple(name for name, row in NODES.items() if row.exp_like)  # s_unscale's first argument is theirs
# How many leading arguments of a node may be double-double (each then followed by its low part).
DD_ARGS: dict[str, int] = {name: 2 if row.exp_sum else 1 for name, row in NODES.items() if row.exp_like or row.exp_sum}
# Names the generated NumPy code may call, besides numpy.
NUMPY_FUNCTIONS: dict[str, Callable] = {name: row.numpy for name, row in NODES.items()} | {
    "poly_dd": helpers.poly_dd,
    "erf": helpers.erf,
    "erfc": helpers.erfc,
    "LambertW": helpers.lambertw,
}
