"""Whether an evaluation ends: the size of its numbers, bounded from the expression's shape before evaluating.

Evaluating ``x**x**x**x`` at x = 3, or ``exp(exp(exp(exp(x))))`` at x = 3, is one long big-integer operation:
SymPy builds the exact integer 3**7625597484987 as soon as 3 is substituted, and mpmath computes ln 2 to
billions of bits for exp of a number with a billion-bit exponent. No budget can interrupt either, so the
question is settled first. ``too_large(expr, point)`` walks the expression once and bounds log2 |value| of
every node at the point (an interval, in floats: exp(a) is at most 2**(1.45 |a|), a**b at most
2**(|b| log2 |a|)). It says True when an exact rational may pass ``EXACT_BITS`` bits, or when a function
whose cost grows with the size of its argument (exp, sin, gamma, a power's exponent times log of its base...)
may get an argument beyond 2**``ARG_BITS``: mpmath's exp there needs ln 2 to that many bits. Huge values
themselves are cheap (an mpmath exponent is an integer): exp(exp(1000)) is evaluated, exp(exp(exp(30))) is
not. The walk evaluates no function, so it answers the same on every machine. A symbol the point leaves free
counts as a number of moderate size (2**±64).

An exact rational power costs more than its value's size: SymPy roots a rational to the power p/q prime by
prime, keeping an integer radicand of up to max(|p|, q) times the base's bits, and factors that radicand when
the root is raised to a power again. ``(x**a)**b`` at x = -3000, a = 1961/1000, b = -757/1000 is a number near
1e-5, yet SymPy factors a 511,000-bit radicand to build it, and ``x**(a*b)`` there a 12-million-bit one (seconds
to minutes, in one call): such a point is refused too.

SymPy substitutes by itself as well: ``simplify`` and ``Piecewise`` put a condition's boundary into the branches
(``Max(x, 3)**x**x**x`` at x = 3), ``limit`` puts in its point, an assumption query evaluates a constant.
``risky(expr)`` says whether a number of one of its switches (Max, Min, Abs, sign, Heaviside, a condition), put
in for every symbol at once, is too large: a call that may substitute such a point is then not started (the
method declines).

A lower bound for a sum of terms that are not all exact assumes it cancels at most ``_CANCEL`` bits (the
prover's highest precision): a sum that cancels further evaluates as 0 there, and its reciprocal fails as a
division by zero, not as a hang.

>>> from sympy.abc import x
>>> too_large(x**x**x**x, {x: 3}), too_large(x**x**x, {x: 3}), too_large(sp.exp(sp.exp(sp.exp(sp.exp(3)))))
(True, False, True)
>>> too_large(sp.exp(sp.exp(x)), {x: 1000}), too_large(sp.exp(sp.exp(x)), {x: 20000}), too_large(x**50000, {x: 3})
(False, True, True)
>>> a, b = sp.symbols('a b')
>>> point = {x: -3000, a: sp.Rational(1961, 1000), b: sp.Rational(-757, 1000)}
>>> too_large(x**a, point), too_large((x**a)**b, point), too_large(x ** (a * b), point)
(False, True, True)
"""

from __future__ import annotations

import functools
import math

import mpmath
import sympy as sp
from sympy.functions.elementary.piecewise import ExprCondPair
from sympy.functions.elementary.trigonometric import TrigonometricFunction

__all__ = ["ARG_BITS", "EXACT_BITS", "too_large", "substituted", "risky"]

EXACT_BITS = 2**16  # an exact rational of more bits is not built (3**20000 has 31,700 bits, 20,000 digits)
ARG_BITS = 2**13  # a costly function's argument stays below 2**8192: mpmath's exp there takes about 3 ms
_CANCEL = 4400  # bits a sum that is not exact may cancel: the prover's 1300 digits
_LOG2E = 1.4427  # log2(e), rounded up
_MARGIN = 1.01  # float roundings in the bounds
_BOUNDED = (sp.tanh, sp.erf, sp.atan, sp.sign, sp.Heaviside)  # cheap for any argument, and |f| <= 2
_KEEPING = (sp.Abs, sp.re, sp.im, sp.conjugate, sp.Max, sp.Min)  # as large as their arguments
_INF = math.inf
_SWITCHES = (sp.Max, sp.Min, sp.Abs, sp.sign, sp.Heaviside, sp.core.relational.Relational)


def too_large(expr: sp.Basic, point: dict | None = None) -> bool:
    """True when evaluating ``expr`` at ``point`` (SymPy or mpmath) may not end: an exact number of more than
    ``EXACT_BITS`` bits, a costly function of an argument beyond 2**``ARG_BITS``, or an integer power past 10**4
    of an expression (its expansion).

    >>> too_large(sp.Integer(2)**sp.Symbol('n'), {sp.Symbol('n'): 2**17})
    True
    """
    return _plan(sp.sympify(expr)).too_large(point or {})


def substituted(expr: sp.Expr, point: dict) -> sp.Expr | None:
    """``expr`` with ``point`` substituted, or None where building it would not end.

    >>> from sympy.abc import x
    >>> substituted(x**x, {x: 3}), substituted(x**x**x**x, {x: 3})
    (27, None)
    """
    return None if too_large(expr, point) else expr.xreplace(point)


def risky(expr: sp.Basic) -> bool:
    """True when ``expr`` is too large (``too_large``) with a number of one of its switches (the arguments of
    Max, Min, Abs, sign and Heaviside, a Piecewise's conditions: where SymPy puts in a boundary point) put in
    for all its symbols, or, without symbols, as it stands: SymPy's ``simplify``, ``limit`` and assumption
    queries are then not called on it.

    >>> from sympy.abc import x
    >>> risky(sp.Max(x, 3) ** x**x**x), risky(sp.Max(x, 3) ** x**x), risky(x**x**x**x), risky(x**50000)
    (True, False, False, False)
    """
    expr = sp.sympify(expr)
    symbols = expr.free_symbols
    if not symbols:
        return too_large(expr)
    switches = expr.atoms(*_SWITCHES)
    points = {abs(n) for s in switches for n in s.atoms(sp.Number, sp.NumberSymbol) if n.is_finite}
    return any(too_large(expr, dict.fromkeys(symbols, p)) for p in points)


class _TooLarge(Exception):
    pass


_FREE = (-64.0, 64.0, None)  # a symbol the point leaves free


@functools.lru_cache(maxsize=512)
def _plan(expr: sp.Basic) -> _Plan:
    return _Plan(expr)


class _Plan:
    """An expression's nodes in post-order, each with its children's places; a subtree without symbols is
    bounded once, here. Each node's span: (lo, hi) bounds on log2 |value| (lo for a value that is not 0), and its
    size in bits if it is an exact rational (None if not)."""

    def __init__(self, expr: sp.Basic) -> None:
        self.steps: list = []
        self.always = False
        places: dict = {}
        try:
            self._place(expr, places)
        except _TooLarge:
            self.always = True

    def _place(self, e: sp.Basic, places: dict) -> int:
        if e not in places:
            if not e.free_symbols:
                step = (_checked(self._constant(e)), None, ())
            elif e.is_Symbol:
                step = (None, e, ())
            else:
                step = (None, e, tuple(self._place(a, places) for a in e.args))
            self.steps.append(step)
            places[e] = len(self.steps) - 1
        return places[e]

    def _constant(self, e: sp.Basic) -> tuple:
        if not e.args:
            return _leaf(e)
        return _node(e, [self._constant(a) for a in e.args])

    def too_large(self, point: dict) -> bool:
        try:
            self.span(point)
        except _TooLarge:
            return True
        return False

    def span(self, point: dict) -> tuple:
        """The whole expression's span at ``point``; ``_TooLarge`` where a node passes the limits."""
        if self.always:
            raise _TooLarge
        spans: list = []
        for fixed, e, kids in self.steps:
            if fixed is not None:
                spans.append(fixed)
            elif not kids:
                spans.append(_checked(_value(point[e])) if e in point else _FREE)
            else:
                spans.append(_checked(_node(e, [spans[k] for k in kids])))
        return spans[-1]


def _value(v) -> tuple:
    """The span of a symbol's value: a number, or an expression (a kink point min_val, its symbols left free)."""
    if isinstance(v, sp.Basic) and not v.is_Number:
        return _plan(v).span({})
    return _number(v)


def _checked(span: tuple) -> tuple:
    if span[2] is not None and span[2] > EXACT_BITS:
        raise _TooLarge
    return span


def _leaf(e: sp.Basic) -> tuple:
    if e.is_Number:
        return _number(e)
    if isinstance(e, (sp.NumberSymbol, sp.core.numbers.ImaginaryUnit)):  # pi, E, I
        size = math.log2(abs(complex(e)))
        return size - 1e-9, size + 1e-9, None
    return 0.0, 0.0, None  # true, false, zoo: nothing to evaluate


def _node(e: sp.Basic, args: list) -> tuple[float, float, float | None]:
    if isinstance(e, ExprCondPair):  # a Piecewise's (branch, condition): the branch's value
        return args[0]
    if not isinstance(e, sp.Expr) or not args:  # relations and conditions: their parts are what costs
        return 0.0, 0.0, None
    if isinstance(e, sp.Piecewise):
        return _either(args)
    if isinstance(e, sp.Add):
        return _sum(args)
    if isinstance(e, sp.Mul):
        if any(hi == -_INF for _, hi, _ in args):
            return -_INF, -_INF, 0
        exact = sum(b for *_, b in args) if _exact(args) else None
        return sum(lo for lo, _, _ in args), sum(hi for _, hi, _ in args), exact
    if isinstance(e, sp.Pow):
        return _power(e, *args)
    if isinstance(e, _KEEPING):  # Max(x, 3) at 4 is the exact 4
        return _either(args)
    lo, hi = min(lo for lo, _, _ in args), max(hi for _, hi, _ in args)
    if isinstance(e, (sp.sign, sp.Heaviside)):  # -1, 0, 1 (1/2 or its second argument at 0)
        top = max([0.0] + [h for _, h, _ in args[1:]])
        return (-_INF if lo == -_INF or isinstance(e, sp.Heaviside) else 0.0), top, (2 if _exact(args) else None)
    if isinstance(e, _BOUNDED):
        return lo, 2.0, None
    if isinstance(e, sp.log):  # |log a| <= |log2 a|, and log of 1 + tiny is tiny
        return -_CANCEL, math.log2(max(abs(lo), abs(hi), 1.0)), None
    if hi > ARG_BITS:
        raise _TooLarge
    name = type(e).__name__
    if isinstance(e, TrigonometricFunction):  # its argument reduced modulo pi, to as many bits
        return -_CANCEL, (0.0 if isinstance(e, (sp.sin, sp.cos)) else _CANCEL), None
    if name in ("exp", "sinh", "cosh"):  # |log2 f(a)| <= 1.45 |a|; sinh of a tiny a is tiny
        m = _growth(hi)
        return (lo if name == "sinh" else -m), m, None
    if name in ("sigmoid", "softplus"):  # at least exp(-|a|) / 2, at most 1 or |a| + 1
        return -_growth(hi) - 1, (0.0 if name == "sigmoid" else max(hi, 0.0) + 1), None
    m = _growth(hi, power=2) + max(0.0, -lo) + 2  # erfc, Phi, gamma...: within exp(±a**2), and 1/a near 0
    return -m, m, None


def _number(v) -> tuple[float, float, float | None]:
    if isinstance(v, sp.Basic) and v.is_finite is False:
        return 0.0, 0.0, None  # oo, zoo
    if isinstance(v, sp.Rational) or isinstance(v, int):
        p, q = (v.p, v.q) if isinstance(v, sp.Rational) else (v, 1)
        if p == 0:
            return -_INF, -_INF, 0
        size = math.log2(abs(p)) - math.log2(q)
        return size - 1e-9, size + 1e-9, abs(p).bit_length() + q.bit_length()
    mpf = v._mpf_ if isinstance(v, (sp.Float, mpmath.mpf)) else mpmath.mpf(v)._mpf_ if isinstance(v, float) else None
    if mpf is None:  # a complex or other number: its modulus
        size = math.log2(abs(complex(v))) if abs(complex(v)) else -_INF
        return (size - 1e-9 if size > -_INF else -_INF), size + 1e-9, None
    _, man, exp, bc = mpf
    if not man:
        return (-_INF, -_INF, None) if bc == 0 else (0.0, 0.0, None)  # 0, or inf and nan
    return exp + bc - 1, exp + bc, None


def _exact(spans: list) -> bool:
    return all(b is not None for *_, b in spans)


def _either(spans: list) -> tuple[float, float, float | None]:
    """The span of a value that is one of ``spans`` (a Max, a Piecewise's branch), exact if each is."""
    exact = max(b for *_, b in spans) if _exact(spans) else None
    return min(lo for lo, _, _ in spans), max(hi for _, hi, _ in spans), exact


def _sum(args: list) -> tuple[float, float, float | None]:
    terms = [a for a in args if a[1] > -_INF]
    if not terms:
        return -_INF, -_INF, 0
    hi = max(h for _, h, _ in terms) + math.log2(len(terms))
    if _exact(terms):  # a nonzero sum of rationals is at least 1 / (product of denominators)
        return -sum(b for *_, b in terms), hi, sum(b for *_, b in terms) + len(terms)
    return max(lo for lo, _, _ in terms) - _CANCEL, hi, None


def _power(e: sp.Pow, base: tuple, exponent: tuple) -> tuple[float, float, float | None]:
    lo, hi, exact = base
    if e.exp.is_Integer:
        n = int(e.exp)
        if abs(n) > 10**4 and exact is None and not e.base.is_Atom:
            raise _TooLarge  # SymPy may expand (1 + sqrt(2))**20000
        if hi == -_INF:  # 0 to a power: 0, or no value (1/0) that costs nothing
            return (-_INF, -_INF, 0) if n > 0 else (0.0, 0.0, None)
        ends = (n * lo, n * hi)
        return min(ends), max(ends), (abs(n) * exact if exact is not None else None)
    if hi == -_INF:  # 0 to a power: 0, 1 or no value
        return -_INF, 0.0, None
    if e.exp.is_Rational:
        ends = (float(e.exp) * lo, float(e.exp) * hi)
        p, q = e.exp.p, e.exp.q
        return min(ends), max(ends), _root_bits(exact, math.log2(max(abs(p), q)), hi)
    scale = max(abs(lo) if lo > -_INF else 0.0, abs(hi))  # |log2 base| (0 to a power costs nothing)
    if scale > 0 and exponent[1] + math.log2(scale) > ARG_BITS:
        raise _TooLarge
    m = _growth(exponent[1], scale=scale)
    if exact is None or exponent[2] is None:
        return -m, m, None
    if not _rational_valued(e.exp):  # 2**sqrt(2) is kept as it is
        return -m, m, m + exact
    # a rational p/q of b bits with log2 |p/q| = h once substituted: log2 max(|p|, q) < (b + |h|) / 2
    h = max(abs(exponent[0]) if exponent[0] > -_INF else 0.0, abs(exponent[1]))
    return -m, m, max(m + exact, _root_bits(exact, (exponent[2] + h) / 2, hi))


@functools.lru_cache(maxsize=512)
def _rational_valued(e: sp.Basic) -> bool:
    """Whether ``e`` is rational wherever its symbols are: rationals and symbols by +, * and integer powers."""
    if e.is_Symbol or e.is_Rational:
        return True
    if isinstance(e, sp.Pow):
        return e.exp.is_Integer and _rational_valued(e.base)
    return isinstance(e, (sp.Add, sp.Mul)) and all(_rational_valued(a) for a in e.args)


def _root_bits(exact: float | None, log_n: float, hi: float) -> float | None:
    """Bits SymPy builds for a rational of ``exact`` bits (log2 of its size ``hi``) to an exact power p/q with
    max(|p|, q) <= 2**log_n: a radicand of up to max(|p|, q) times the base's bits (1 and -1 are kept as they are).

    >>> _root_bits(13, math.log2(1961), 11.6) > 25000, _root_bits(2, 20.0, 0.0)
    (True, 2)
    """
    if exact is None or (exact <= 2 and abs(hi) < 1e-6):
        return exact
    if log_n + math.log2(exact) > 62:
        return _INF
    return (2.0**log_n + 1) * exact


def _growth(hi: float, scale: float = _LOG2E, power: int = 1) -> float:
    """A bound on |log2 f(a)| for f growing at most like exp(scale |a|**power), for |a| <= 2**hi."""
    if hi == -_INF or scale == 0:
        return 0.0
    if math.isinf(scale) or power * hi + math.log2(scale) > 1000:
        return _INF
    return _MARGIN * scale * 2.0 ** (power * hi)
