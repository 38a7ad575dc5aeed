"""Certified limits at +-inf: a small asymptotic calculus over the expression tree, exact and cheap.

Each subexpression becomes a ``Series``: up to ``TERMS`` terms ``c * m`` in decreasing order of growth, with
exact constants ``c`` and monomials ``m = exp(k1 x**a1 + ...) * x**p * log(x)**q`` (``Scale``), and a bound
``O(rest)`` on what is left (``rest`` None: nothing is left). Sums, products, powers, ``exp`` and ``log``
are series arithmetic; an analytic function at a finite limit is its Taylor polynomial, and sigmoid, tanh,
softplus, erf, Phi, erfc, cosh, sinh, atan at an infinite one their asymptotic expansions; Abs, sign,
Heaviside, Max, Min and Piecewise take the branch their arguments' leading signs select. Every sign is
certified (``symact.numerics.certified_sign``); a cancellation that leaves no known term, an oscillation,
an unlisted function or an uncertified sign gives no answer (``None``), never a guess. No clock and no
SymPy ``limit``: the same expression gets the same answer on every machine, in milliseconds.

>>> from symact.catalog import x, sigmoid
>>> limit_at_infinity(x * sigmoid(x) * (1 - sigmoid(x)) + sigmoid(x), x, 1)
(1, 1)
>>> limit_at_infinity(x * sigmoid(x), x, -1)
(0, -1)
>>> limit_at_infinity(sp.sin(x**2) * x, x, 1) is None
True
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache, reduce

import sympy as sp

from symact.functions import Phi, sigmoid, softplus
from symact.numerics import certified_sign

__all__ = ["limit_at_infinity", "guarded_limit", "TERMS"]

TERMS = 3  # terms kept per series: enough for the second-order cancellations of derivatives


class _Unknown(Exception):
    """No certified answer."""


def _sign(c: sp.Expr) -> int:
    """The certified sign of a real constant; raises ``_Unknown`` where it cannot be certified."""
    s = _structural_sign(sp.sympify(c))
    if s is None:
        raise _Unknown
    return s


@lru_cache(maxsize=8192)
def _structural_sign(c: sp.Expr) -> int | None:
    """The sign from the structure where it shows (rationals, pi, E, exp, positive powers, products of
    those), else from ``certified_sign``."""
    if c.is_Rational:
        return int(c.p > 0) - int(c.p < 0)
    if c in (sp.pi, sp.E) or isinstance(c, sp.exp) and c.args[0].is_extended_real:
        return 1
    if isinstance(c, sp.Pow) and c.exp.is_extended_real:
        base = _structural_sign(c.base)
        if base == 1:
            return 1
    if isinstance(c, sp.Mul):
        signs = [_structural_sign(a) for a in c.args]
        if None not in signs:
            return math.prod(signs)
    if not c.is_number or c.is_extended_real is False:
        return None
    return certified_sign(c)


@dataclass(frozen=True)
class Scale:
    """``exp(sum k * x**a for a, k in e) * x**p * log(x)**q`` (``e`` by decreasing power ``a > 0``)."""

    e: tuple[tuple[sp.Expr, sp.Expr], ...] = ()
    p: sp.Expr = sp.S.Zero
    q: sp.Expr = sp.S.Zero

    def __mul__(self, other: Scale) -> Scale:
        powers: dict = dict(self.e)
        for a, k in other.e:
            powers[a] = powers.get(a, 0) + k
        e = tuple(sorted(((a, k) for a, k in powers.items() if _sign(k) != 0), key=lambda t: -t[0]))
        return Scale(e, self.p + other.p, self.q + other.q)

    def __pow__(self, r: sp.Expr) -> Scale:
        return Scale(tuple((a, k * r) for a, k in self.e), self.p * r, self.q * r)

    def order(self) -> int:
        """1: grows without bound, 0: is 1, -1: tends to 0 (the sign of its first nonzero exponent)."""
        for k in [k for _, k in self.e] + [self.p, self.q]:
            s = _sign(k)
            if s:
                return s
        return 0

    def cmp(self, other: Scale) -> int:
        return (self * other**sp.S.NegativeOne).order()


ONE = Scale()


def _larger(a: Scale | None, b: Scale | None) -> Scale | None:
    return b if a is None else a if b is None or a.cmp(b) >= 0 else b


@dataclass(frozen=True)
class Series:
    """``sum(c * m for c, m in terms) + O(rest)``: terms in decreasing order, each larger than ``rest``."""

    terms: tuple[tuple[sp.Expr, Scale], ...]
    rest: Scale | None = None

    @staticmethod
    def of(terms, rest: Scale | None) -> Series:
        """The series of ``terms`` (any order, repeats) and ``rest``: like terms added, zeros and terms no
        larger than ``rest`` dropped, at most ``TERMS`` kept (the first dropped one joins ``rest``)."""
        merged: list[list] = []
        for c, m in terms:
            for t in merged:
                if t[1].cmp(m) == 0:
                    t[0] += c
                    break
            else:
                merged.append([c, m])
        kept = [(c, m) for c, m in merged if _sign(c) != 0 and (rest is None or m.cmp(rest) > 0)]
        kept.sort(key=_Key)
        if len(kept) > TERMS:
            rest, kept = _larger(rest, kept[TERMS][1]), kept[:TERMS]
        return Series(tuple(kept), rest)

    @property
    def lead(self) -> Scale | None:
        return self.terms[0][1] if self.terms else self.rest

    def __add__(self, other: Series) -> Series:
        return Series.of(self.terms + other.terms, _larger(self.rest, other.rest))

    def __neg__(self) -> Series:
        return self.scaled(sp.S.NegativeOne)

    def __sub__(self, other: Series) -> Series:
        return self + -other

    def scaled(self, c: sp.Expr, m: Scale = ONE) -> Series:
        if c == 0:
            return ZERO
        return Series(tuple((c * k, m * s) for k, s in self.terms), None if self.rest is None else m * self.rest)

    def __mul__(self, other: Series) -> Series:
        if self.lead is None or other.lead is None:
            return ZERO
        terms = [(c * k, m * s) for c, m in self.terms for k, s in other.terms]
        rest = None
        if other.rest is not None:
            rest = self.lead * other.rest
        if self.rest is not None:
            rest = _larger(rest, self.rest * other.lead)
        return Series.of(terms, rest)

    def limit(self) -> tuple[sp.Expr, int]:
        """The limit and the sign the function eventually has (0: unknown, or zero); raises ``_Unknown``."""
        if not self.terms:
            if self.rest is None or self.rest.order() < 0:
                return sp.S.Zero, 0
            raise _Unknown
        c, m = self.terms[0]
        order, s = m.order(), _sign(c)
        return (c, s) if order == 0 else (s * sp.oo, s) if order > 0 else (sp.S.Zero, s)

    def split(self) -> tuple[sp.Expr, Series]:
        """(c, u): the series is c + u with u tending to 0; raises ``_Unknown`` if it does not converge."""
        value, _ = self.limit()
        if not value.is_finite:
            raise _Unknown
        return value, self - constant(value)


class _Key:
    """Sort key: larger scales first."""

    def __init__(self, term) -> None:
        self.m = term[1]

    def __lt__(self, other: _Key) -> bool:
        return self.m.cmp(other.m) > 0


ZERO = Series(())


def constant(c: sp.Expr) -> Series:
    return ZERO if _sign(c) == 0 else Series(((c, ONE),))


def _power_series(u: Series, coeffs: list[sp.Expr]) -> Series:
    """``sum(coeffs[i] * u**i) + O(u**len(coeffs))`` for u tending to 0."""
    out, power = ZERO, constant(sp.S.One)
    for c in coeffs:
        out, power = out + power.scaled(c), power * u
    return out if power.lead is None else out + Series((), power.lead)


def _taylor(fn, c: sp.Expr, u: Series, n: int = TERMS) -> Series:
    """``fn(c + u)`` for u tending to 0, fn analytic at c."""
    t = sp.Dummy("t")
    expr, coeffs = fn(t), []
    for i in range(n):
        coeffs.append(expr.subs(t, c) / sp.factorial(i))
        expr = expr.diff(t)
    return _power_series(u, coeffs)


#: A bound on exp(h) for h tending to -oo faster than every power (exp(-exp(x))): smaller than every scale met.
BEYOND = Scale(((sp.Integer(64), sp.S.NegativeOne),))


def _exp(s: Series) -> Series:
    if s.terms and s.terms[0][1].e and s.terms[0][1].order() > 0 and _sign(s.terms[0][0]) < 0:
        return Series((), BEYOND)
    e, p, const, small = [], sp.S.Zero, sp.S.Zero, []
    for c, m in s.terms:
        order = m.order()
        if order < 0:
            small.append((c, m))
        elif order == 0:
            const = c
        elif not m.e and m.q == 0 and m.p.is_Rational and m.p > 0:  # exact powers only: E stays sorted exactly
            e.append((m.p, c))
        elif not m.e and m.p == 0 and m.q == 1:
            p += c
        else:
            raise _Unknown
    if s.rest is not None and s.rest.order() >= 0:
        raise _Unknown
    u = Series(tuple(small), s.rest)
    scale = reduce(Scale.__mul__, [Scale(((a, k),)) for a, k in e], Scale((), p))
    return _power_series(u, [sp.S.One / sp.factorial(i) for i in range(TERMS)]).scaled(sp.exp(const), scale)


def _normalised(s: Series) -> tuple[sp.Expr, Scale, Series]:
    """(c, m, u) with s = c * m * (1 + u) and u tending to 0."""
    if not s.terms:
        raise _Unknown
    c, m = s.terms[0]
    return c, m, Series(s.terms[1:], s.rest).scaled(1 / c, m**sp.S.NegativeOne)


def _pow(s: Series, r: sp.Expr) -> Series:
    if not s.terms:
        if s.rest is not None and _sign(r) > 0:
            return Series((), s.rest**r)
        raise _Unknown
    c, m, u = _normalised(s)
    if not r.is_integer and _sign(c) < 0:
        raise _Unknown
    coeffs = [sp.binomial(r, i) for i in range(TERMS)]
    return _power_series(u, coeffs).scaled(c**r, m**r)


def _log(s: Series) -> Series:
    c, m, u = _normalised(s)
    if _sign(c) < 0 or m.q != 0:
        raise _Unknown
    growing = [(k, Scale((), a)) for a, k in m.e] + [(m.p, Scale((), sp.S.Zero, sp.S.One))]
    tail = _power_series(u, [sp.S.Zero] + [sp.S.NegativeOne ** (i + 1) / i for i in range(1, TERMS)])
    return Series.of(growing + [(sp.log(c), ONE)], None) + tail


def _far(kind, s: Series, side: int) -> Series:
    """An analytic function at an argument growing to ``side`` * oo."""
    one = constant(sp.S(side))
    if kind is sigmoid:
        return (
            _exp(s) - _exp(s.scaled(2)) + Series((), _exp(s.scaled(3)).lead)
            if side < 0
            else one - _far(sigmoid, -s, -1)
        )
    if kind is sp.tanh:
        return (_far(sigmoid, s.scaled(2), side)).scaled(2) - constant(sp.S.One)
    if kind is softplus:
        return (
            _exp(s) - _exp(s.scaled(2)).scaled(sp.S.Half) + Series((), _exp(s.scaled(3)).lead)
            if side < 0
            else s + _far(softplus, -s, -1)
        )
    if kind is sp.erf:
        decay = _exp(-(s * s)) * _pow(s, sp.S.NegativeOne).scaled(1 / sp.sqrt(sp.pi))
        return one - decay * (constant(sp.S.One) + Series((), _pow(s, sp.Integer(-2)).lead))
    if kind is sp.erfc:
        return constant(sp.S.One) - _far(sp.erf, s, side)
    if kind is Phi:
        return (constant(sp.S.One) + _far(sp.erf, s.scaled(1 / sp.sqrt(2)), side)).scaled(sp.S.Half)
    if kind in (sp.cosh, sp.sinh):
        return (_exp(s) + _exp(-s).scaled(1 if kind is sp.cosh else -1)).scaled(sp.S.Half)
    if kind is sp.atan:
        return constant(side * sp.pi / 2) - _pow(s, sp.S.NegativeOne) + Series((), _pow(s, sp.Integer(-3)).lead)
    raise _Unknown


_ANALYTIC = (sigmoid, softplus, Phi, sp.tanh, sp.erf, sp.erfc, sp.cosh, sp.sinh, sp.atan, sp.sin, sp.cos)


def _function(kind, s: Series) -> Series:
    value, _ = s.limit()
    if value.is_finite:
        return _taylor(kind, *s.split())
    return _far(kind, s, 1 if value > 0 else -1)


def _truth(cond, var: sp.Symbol) -> bool:
    """Whether the condition holds for every large ``var``."""
    if cond in (sp.true, sp.false):
        return bool(cond)
    if isinstance(cond, (sp.And, sp.Or)):
        truths = [_truth(a, var) for a in cond.args]
        return all(truths) if isinstance(cond, sp.And) else any(truths)
    if isinstance(cond, sp.Not):
        return not _truth(cond.args[0], var)
    if isinstance(cond, sp.core.relational.Relational):
        d = _series(cond.lhs - cond.rhs, var)
        s = _sign(d.terms[0][0]) if d.terms else 0 if d.rest is None else None
        if s is None:
            raise _Unknown
        return bool(cond.func(s, 0))
    raise _Unknown


@lru_cache(maxsize=4096)
def _series(e: sp.Expr, var: sp.Symbol) -> Series:
    """The series of ``e`` as ``var`` tends to +oo; raises ``_Unknown``."""
    if e == var:
        return Series(((sp.S.One, Scale((), sp.S.One)),))
    if not e.has(var):
        return constant(e)
    args = e.args
    if isinstance(e, sp.Add):
        return reduce(Series.__add__, (_series(a, var) for a in args))
    if isinstance(e, sp.Mul):
        return reduce(Series.__mul__, (_series(a, var) for a in args))
    if isinstance(e, sp.Pow) and not args[1].has(var):
        return _pow(_series(args[0], var), args[1])
    if isinstance(e, sp.Pow):
        return _exp(_series(args[1] * sp.log(args[0]), var))
    if isinstance(e, sp.exp):
        return _exp(_series(args[0], var))
    if isinstance(e, sp.log) and len(args) == 1:
        return _log(_series(args[0], var))
    if isinstance(e, _ANALYTIC):
        return _function(type(e), _series(args[0], var))
    if isinstance(e, (sp.Abs, sp.sign, sp.Heaviside)):
        s = _series(args[0], var)
        lead = _sign(s.terms[0][0]) if s.terms else None
        if isinstance(e, sp.Abs):
            return s.scaled(sp.S(lead)) if lead else Series((), s.rest) if s.rest is not None else ZERO
        if lead is None:
            raise _Unknown
        return constant(sp.S(lead) if isinstance(e, sp.sign) else sp.S(int(lead > 0)))
    if isinstance(e, (sp.Max, sp.Min)):
        pick = 1 if isinstance(e, sp.Max) else -1
        best = _series(args[0], var)
        for a in args[1:]:
            s = _series(a, var)
            d = s - best
            if not d.terms and d.rest is not None:
                raise _Unknown
            best = s if d.terms and pick * _sign(d.terms[0][0]) > 0 else best
        return best
    if isinstance(e, sp.Piecewise):
        for value, cond in args:
            if _truth(cond, var):
                return _series(value, var)
    raise _Unknown


_VAR = sp.Dummy("t", real=True)  # the variable tending to +oo, free of a caller's assumptions


def limit_at_infinity(expr: sp.Expr, var: sp.Symbol, side: int) -> tuple[sp.Expr, int] | None:
    """The limit of ``expr`` as ``var`` tends to ``side`` * oo (side 1 or -1), certified, and the sign the
    expression eventually has (1, -1; 0 where unknown or zero); None where this calculus cannot certify it."""
    e = expr.xreplace({var: side * _VAR})  # var's own sign assumptions would rewrite Abs(1 - var) on the way
    try:
        return _series(e, _VAR).limit()
    except (_Unknown, TypeError, ValueError, ZeroDivisionError, RecursionError):
        return None


def guarded_limit(expr: sp.Expr, var: sp.Symbol, side: int, agrees: Callable[[sp.Expr], bool]) -> sp.Expr | None:
    """``limit_at_infinity``'s limit where ``agrees(limit)`` (a plausibility check against values far out)
    confirms it; a disagreement is a bug here: warned (``RuntimeWarning``), and None, as where none is found.

    >>> from symact.catalog import x
    >>> guarded_limit(sp.atan(x), x, -1, lambda value: True)
    -pi/2
    """
    found = limit_at_infinity(expr, var, side)
    if found is None or agrees(found[0]):
        return None if found is None else found[0]
    warnings.warn(f"the certified limit {found[0]} of {expr} at {side}*oo disagrees with far values", RuntimeWarning, 2)
    return None
