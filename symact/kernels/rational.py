"""Rational functions of x as one fraction, evaluated in x up to a large |x| and in 1/x beyond.

The derivative of (x + x**2)/(1 + x**2) is (2x + 1)/(x**2 + 1) - 2x(x**2 + x)/(x**2 + 1)**2: at x = 1e6 its
two terms of 2e-6 cancel to 2e-12 and lose six digits. ``rewrite`` cancels every maximal rational
subexpression to one fraction P/Q (``sympy.cancel``: (1 + 2x - x**2)/(x**4 + 2x**2 + 1)), which has no such
cancellation, and evaluates it by Horner's rule in x up to |x| = 2**k and as x**(p - q) P~(1/x)/Q~(1/x) (the
reversed polynomials) beyond, so no power of x overflows before the quotient is formed (and x - 1 stays exact
near 1, where 1 - 1/x would not). k is the largest integer with s 2**(k n) <= 2**bits (n the largest degree, s
the largest sum of |coefficients| of P or Q): no step of Horner's rule passes 2**bits. ``FLOAT32_BITS`` (120)
keeps an exported float32 tensor (computed in float32) finite; the kernels compute in float64 (their float32
results too) and take ``FLOAT64_BITS`` (1000): the form in 1/x cancels near a root far out ((x**2 - 1e40)/(x**2 + 1)
at x = 1e20 as (1 - 1e40/x**2)/(1 + 1/x**2), every digit lost), and for float64 it starts beyond the roots of
coefficients up to 2**(1000/n).

>>> from symact.catalog import x
>>> rewrite(1/(1 + x**2) - x**2/(1 + x**2)**2)
Piecewise((1/(x**2*(x**2 + 2) + 1), Abs(x) <= 536870912.0), (s_div(s_div(s_div(s_div(1/(1 + (2 + x**(-2))/x**2), x), x), x), x), True))
"""

from __future__ import annotations

import sympy as sp

from symact.kernels.nodes import s_div

__all__ = ["rewrite"]

_MAX_OPS = 200  # larger expressions are left alone: cancel would cost more than it saves
_MAX_DEGREE = 12
# log2 of the largest value a step of Horner's rule in x may reach: float32 overflows at 2**128, float64 at 2**1024
FLOAT32_BITS = 120
FLOAT64_BITS = 1000


def rewrite(expr: sp.Expr, var: sp.Symbol | None = None, bits: int = FLOAT32_BITS) -> sp.Expr:
    """``expr`` with each maximal rational subexpression in ``var`` (default: its one free symbol) as one fraction,
    in x where no step of Horner's rule passes 2**``bits``."""
    if var is None:
        if len(expr.free_symbols) != 1:
            return expr
        (var,) = expr.free_symbols
    return _rewrite(expr, var, bits)


def _rewrite(expr, var, bits):
    if expr.is_Atom or not expr.has(var):
        return expr
    if isinstance(expr, (sp.Add, sp.Mul, sp.Pow)) and expr.is_rational_function(var):
        new = _fraction(expr, var, bits)
        if new is not None:
            return new
    if isinstance(expr, sp.Piecewise):
        return sp.Piecewise(*[(_rewrite(e, var, bits), c) for e, c in expr.args], evaluate=False)
    args = [_rewrite(a, var, bits) for a in expr.args]
    return expr.func(*args) if args != list(expr.args) else expr


def _fraction(expr, var, bits) -> sp.Expr | None:
    """P/Q in the two evaluation forms, or None when ``expr`` is a polynomial, a monomial quotient or too large."""
    if sp.count_ops(expr) > _MAX_OPS:
        return None
    try:
        num, den = (sp.Poly(e, var) for e in sp.fraction(sp.cancel(expr)))
    except sp.PolynomialError:
        return None
    if den.degree() < 1 or max(num.degree(), den.degree()) > _MAX_DEGREE or len(num.terms()) + len(den.terms()) < 3:
        return None
    if not all(c.is_number and c.is_real for c in num.coeffs() + den.coeffs()):
        return None
    near = sp.horner(num.as_expr(), wrt=var) / sp.horner(den.as_expr(), wrt=var)
    far = _reversed(num, var) / _reversed(den, var)
    excess = num.degree() - den.degree()
    for _ in range(-excess):  # one division at a time: x**2 would overflow at 1e155, the quotient not
        far = s_div(far, var)
    size = max(int(sp.ceiling(sp.log(sum(map(abs, p.coeffs())), 2))) for p in (num, den))
    reach = sp.Float(2.0 ** min(1023, max(0, (bits - size) // max(num.degree(), den.degree()))))  # nothing overflows
    return sp.Piecewise((near, sp.Abs(var) <= reach), (far * var ** max(excess, 0), True))


def _reversed(poly: sp.Poly, var) -> sp.Expr:
    """x**-n P(x) as a polynomial in 1/x (n the degree), by Horner's rule."""
    return sp.horner(sp.Poly(list(reversed(poly.all_coeffs())), var).as_expr(), wrt=var).subs(var, 1 / var)
