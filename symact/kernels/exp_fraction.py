"""Sums that cancel (or products of them), computed as one fraction of polynomials in E = exp(k*x) where that is
better conditioned.

mish' = tanh(softplus(x)) + x*sech(softplus(x))**2*sigmoid(x): for x < -2.2 its two terms cancel (by 1.4 to
2.6) and carry 2 to 3 ULP each. Written out with E = exp(x) it is one fraction,

    E*(4(x + 1) + (4x + 6)E + 4E**2 + E**3) / (4 + 8E + 8E**2 + 4E**3 + E**4),

whose monomials all have one sign there: Horner's scheme in E (each coefficient a polynomial in x, itself by
Horner) adds no cancellation, and the result is within 3 ULP. ``exp_fractions`` finds, for any sum of x and
exponentials of k*x (k a power of two: k*x is exact) with a function of a function among its terms (a
composed term's own error is what a cancellation magnifies), the intervals of [-40, 40] where the fraction's
summands cancel by at most ``WELL`` and the sum's terms by more, from the conditions at every 1/4 evaluated in
20-digit mpmath; the kernel plan computes the fraction there, the sum elsewhere. A product counts as the
product of its factors that are sums: mish'' = sech(softplus(x))**2 (x sigmoid(-x) - 2x sigmoid(x)
tanh(softplus(x)) + 2) sigmoid(x) computed sech(u)**2 of a rounded u = softplus(x), which costs 2u times u's
error (59 ULP at x = 33.3); as its fraction (degrees 5 and 6 in E) it is within 6 ULP on [-40, -3], [-2, 1]
and [2.25, 40]. A coefficient a*x + b whose a is no power of two and whose root r = -b/a is a float is computed
as a*(x - r): in mish'' the coefficient of E**3 cancels near x = 2 as 24 - 12x, not as -12(x - 2).

>>> from symact.catalog import x
>>> from symact.functions import sigmoid, softplus
>>> mish_d = sp.tanh(softplus(x)) + x * (1 - sp.tanh(softplus(x)) ** 2) * sigmoid(x)
>>> [(round(r.lo, 2), round(r.hi, 2), len(r.num), len(r.den)) for r in exp_fractions(mish_d, x)]
[(-40.0, -1.5, 5, 5), (-1.0, -0.25, 5, 5)]
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from fractions import Fraction
from functools import lru_cache
from math import gcd

import mpmath
import numpy as np
import sympy as sp

from symact.budget import check
from symact.functions import expand_named
from symact.kernels.patches import ZeroPatch
from symact.kernels.rules import is_power_of_two
from symact.precision import precision

__all__ = ["ExpFraction", "exp_fractions", "WELL"]

WELL = 1.25  # the most sum |summands| / |sum| of the fraction's numerator and denominator may be
REACH = 40.0  # the fraction is looked for on [-REACH, REACH] (its powers of E stay far from overflow there)
_POINTS = 321  # a step of 1/4
_MAX_OPS = 200
_MAX_DEGREE = 8

# per power of E from the highest: (r, a polynomial in x - r from its highest coefficient); r = 0 or a float
Coefficients = tuple[tuple[float, tuple[float, ...]], ...]


@dataclass(frozen=True)
class ExpFraction:
    """On lo <= x <= hi the output is num(x, E) / den(x, E) with E = exp(scale*x), each by Horner in E."""

    lo: float
    hi: float
    scale: float
    num: Coefficients
    den: Coefficients

    def outside(self, patches: Sequence[ZeroPatch]) -> ExpFraction | None:
        """The interval less the windows of the Taylor ``patches`` (applied after it) over its ends; None when
        nothing is left."""
        lo, hi = self.lo, self.hi
        for _ in patches:  # a trimmed end may reach into a further window
            for p in patches:
                if abs(lo - p.hi) < p.window:
                    lo = p.hi + p.window
                if abs(hi - p.hi) < p.window:
                    hi = p.hi - p.window
        return replace(self, lo=lo, hi=hi) if lo < hi else None

    def inside(self, t: np.ndarray) -> np.ndarray:
        """Where ``t`` lies in [lo, hi]."""
        return (t >= self.lo) & (t <= self.hi)

    def apply(self, t: np.ndarray, out: np.ndarray) -> None:
        """Overwrite ``out`` with the fraction wherever ``t`` lies in [lo, hi]."""
        index = np.nonzero(self.inside(t))
        if index[0].size:
            v = t[index]
            e = np.exp(v * self.scale)
            out[index] = _horner(self.num, v, e) / _horner(self.den, v, e)

    def selects(self, name: str, v: str, shared: dict[float, tuple[float, str]]) -> list[str]:
        """The same as scalar lines on ``name`` (the output) and ``v`` (the input), ending in a select;
        ``shared[k]``: (w, code) of exp(-k|v|) that the output's code computes, equal to E on the interval
        when it lies in [-w, 0) (then the compiler computes the exponential once)."""
        w, code = shared.get(self.scale, (0.0, ""))
        exact = -w <= self.lo and self.hi < 0
        lines = [f"fe = {code}" if exact else f"fe = vexp({v} * {self.scale!r})"]
        for part, coeffs in (("fnum", self.num), ("fden", self.den)):
            lines.append(f"{part} = {_text(coeffs[0], v)}")
            lines += [f"{part} = {part} * fe + {_text(c, v)}" for c in coeffs[1:]]
        return lines + [f"{name} = fnum / fden if ({v} >= {self.lo!r}) & ({v} <= {self.hi!r}) else {name}"]


def _polynomial(row: tuple[float, tuple[float, ...]], v):
    shift, coeffs = row
    w = v - shift if shift else v
    p = coeffs[0]
    for c in coeffs[1:]:
        p = p * w + c
    return p


def _horner(coeffs: Coefficients, v: np.ndarray, e: np.ndarray) -> np.ndarray:
    p = _polynomial(coeffs[0], v) * e  # an array of its own: the steps below work in place
    for c in coeffs[1:-1]:
        p += _polynomial(c, v)
        p *= e
    return p + _polynomial(coeffs[-1], v)


def _text(row: tuple[float, tuple[float, ...]], v: str) -> str:
    """``_polynomial`` as scalar code (the same operations in the same order)."""
    shift, coeffs = row
    w = f"({v} - {shift!r})" if shift else v
    code = repr(coeffs[0])
    for c in coeffs[1:]:
        code = f"({code}) * {w} + {c!r}"
    return code


@lru_cache(maxsize=512)
def exp_fractions(expr: sp.Expr, var: sp.Symbol) -> tuple[ExpFraction, ...]:
    """The intervals where ``expr``, a sum or a product with sums among its factors, is better computed as its
    fraction in exp(k*``var``), with it."""
    sums = _sums(expr, var)
    if not sums or sp.count_ops(expr) > _MAX_OPS or not _composed(expr, var):
        return ()
    found = _fraction(expr, var)
    if found is None:
        return ()
    scale, num, den = found
    layouts = [_layout(num), _layout(den)]
    terms = [[sp.lambdify(var, expand_named(t), modules="mpmath") for t in a.args] for a in sums]
    regions, run, last = [], [], 0  # run: where the fraction is better in the current well-conditioned stretch
    with precision(20):
        for i in range(_POINTS):
            if i % 16 == 0:
                check()
            t = mpmath.mpf(-REACH) + 2 * REACH * mpmath.mpf(i) / (_POINTS - 1)
            verdict, sign = _better(terms, layouts, scale, t)
            if verdict is None or sign != last:  # ill-conditioned, or a zero or pole passed since the last point
                regions += [(run[0], run[-1])] if run else []
                run, last = [], sign
            if verdict:
                run.append(t)
    regions += [(run[0], run[-1])] if run else []
    num_c, den_c = (_floats(p) for p in (num, den))
    return tuple(ExpFraction(float(a), float(b), scale, num_c, den_c) for a, b in regions if a < b)


def _sums(expr: sp.Expr, var: sp.Symbol) -> list[sp.Add]:
    """The sums whose terms may cancel: ``expr`` itself, or the factors of a product that are sums in ``var``
    (a product adds no cancellation: its condition is the product of theirs)."""
    if isinstance(expr, sp.Mul):
        return [a for a in expr.args if isinstance(a, sp.Add) and a.has(var)]
    return [expr] if isinstance(expr, sp.Add) else []


def _composed(expr: sp.Expr, var: sp.Symbol) -> bool:
    """Whether a term of ``expr`` applies a function to a function of ``var`` (tanh(softplus(x)))."""
    functions = [f for f in expr.atoms(sp.Function) if f.has(var)]
    return any(isinstance(a, sp.Function) and a.has(var) for f in functions for a in sp.preorder_traversal(f.args))


def _fraction(expr: sp.Expr, var: sp.Symbol):
    """(k, num, den): ``expr`` as num/den, polynomials (``sp.Poly``) in E = exp(k*var) and var; else None."""
    plain = expand_named(expr).rewrite(sp.exp)
    atoms = plain.atoms(sp.exp)
    if plain.atoms(sp.Function) - atoms:
        return None  # a function of x that is no exponential
    slopes = [a.args[0].as_coeff_Mul() for a in atoms]
    if not atoms or any(rest != var or not c.is_Rational for c, rest in slopes):
        return None
    g = Fraction(gcd(*(int(c.p) for c, _ in slopes)), _lcm(int(c.q) for c, _ in slopes))
    if g.numerator & (g.numerator - 1) or g.denominator & (g.denominator - 1):
        return None  # k*x would round
    E = sp.Dummy("E", positive=True)
    k = sp.Rational(g.numerator, g.denominator)
    substituted = plain.xreplace({a: E ** int(c / k) for a, (c, _) in zip(atoms, slopes)})
    num, den = sp.fraction(sp.cancel(sp.together(substituted)))
    try:
        polys = [sp.Poly(p, E, var) for p in (num, den)]
    except sp.PolynomialError:
        return None
    if any(not p.domain.is_Numerical or p.degree(E) > _MAX_DEGREE for p in polys):
        return None
    return float(k), *polys


def _lcm(values) -> int:
    out = 1
    for v in values:
        out = out * v // gcd(out, v)
    return out


def _floats(poly: sp.Poly) -> Coefficients:
    """The coefficients of ``poly`` in (E, x), from E's highest power; each a polynomial in x from its highest,
    or a*(x - r) where it is a*x + b with a root r that is a float (``_root``)."""
    E, var = poly.gens
    rows = []
    for j in range(poly.degree(E), -1, -1):
        row = sp.Poly(poly.as_expr().coeff(E, j) if j else poly.as_expr().subs(E, 0), var)
        r = _root(row)
        coeffs = row.all_coeffs() if r is None else [row.LC(), 0]
        rows.append((0.0 if r is None else float(r), tuple(float(sp.N(c, 40)) for c in coeffs)))
    return tuple(rows)


def _root(row: sp.Poly) -> sp.Rational | None:
    """r where ``row`` is a*x + b with a no power of two (a*x would round) and r = -b/a a float (a dyadic of at
    most 53 bits): a*(x - r) has no cancellation (x - r rounds once; exactly near r) and rounds twice."""
    if row.degree() != 1:
        return None
    a, b = row.all_coeffs()
    r = -b / a
    if not (a.is_Rational and r.is_Rational) or is_power_of_two(abs(a)) or r == 0:
        return None
    return r if r.q & (r.q - 1) == 0 and abs(r.p) < 2**53 else None


def _condition(values) -> float:
    total = abs(sum(values))
    return sum(abs(v) for v in values) / total if total else mpmath.inf


def _better(terms, layouts, scale: float, t) -> tuple[bool | None, int]:
    """At ``t``: None where the fraction's summands cancel by more than ``WELL``, else whether the sums' terms
    (``terms``: per sum, its terms; the conditions multiply) cancel by more than they do (between two points
    where it is, the fraction is used where it is not worse); and the fraction's sign."""
    e = mpmath.exp(mpmath.mpf(scale) * t)
    summands = [_summands(layout, e, t) for layout in layouts]
    worst = max(map(_condition, summands))
    sign = int(mpmath.sign(sum(summands[0]) * sum(summands[1])))
    if worst > WELL:
        return None, sign
    try:
        return mpmath.fprod(_condition([term(t) for term in sum_terms]) for sum_terms in terms) > worst, sign
    except (TypeError, ValueError, ZeroDivisionError):
        return False, sign


def _layout(poly: sp.Poly) -> list[tuple[int, list, bool]]:
    """Per power j of E: the monomials (i, a) of its coefficient c_j(x), and whether c_j is computed without
    cancellation (a*x + b with a a power of two: a*x is exact; a*(x - r), see ``_root``)."""
    E, var = poly.gens
    rows = []
    for j in range(poly.degree(E) + 1):
        c = sp.Poly(poly.as_expr().coeff(E, j) if j else poly.as_expr().subs(E, 0), var)
        lead = abs(c.LC())
        once = c.degree() <= 0 or (c.degree() == 1 and lead.is_Rational and is_power_of_two(lead)) or bool(_root(c))
        rows.append((j, [(i, mpmath.mpf(float(a))) for (i,), a in c.terms()], once))
    return rows


def _summands(layout, e, t) -> list:
    """The values Horner's scheme in E adds at ``t``: c_j(t)*E**j where c_j is rounded once, else its monomials."""
    out = []
    for j, monomials, once in layout:
        values = [a * t**i * e**j for i, a in monomials]
        out += [sum(values)] if once else values
    return out
