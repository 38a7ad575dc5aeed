"""Quotients of exponentials in sigmoid coordinates: a user's sigmoid, tanh or softplus' written with exp.

A subexpression built by +, * and integer powers from exp, sinh and cosh of multiples of one argument
is a rational function R(E) of E = exp(u). With s = sigmoid(u) and t = sigmoid(-u), E = s/t and
s + t = 1, so for R = P(E)/Q(E) with P, Q of degrees p, q:

    R = t**(q - p) * P_h(s, t) / Q_h(s, t)

with P_h, Q_h the homogeneous forms of P and Q. s and t lie in [0, 1]: nothing overflows, and
exp(x)/(1 + exp(x))**2 becomes sigmoid(x)*sigmoid(-x) instead of inf/inf. Each factor of P_h and
Q_h is then written in the best-conditioned form: s + t is 1, s - t is tanh(u/2), a*s + b*t with a
constant a + b is (a + b)/2 + (a - b)/2 tanh(u/2), other linear factors stay a*s + b*t, and
factors of higher degree are polynomials in tanh(u/2) (s = (1 + tanh(u/2))/2), or stay sums of terms of one
sign in s and t where the polynomial in tanh(u/2) would have coefficients of both.

Only quotients whose denominator is not a single power of E are rewritten: exp(x) - 1 or cosh(x)
are fine as they are. Where E's exponents share only a small divisor (exp(23x/10) against exp(2x) gives
E = exp(x/10) and degrees past ``_MAX_DEGREE``), the power of E common to the numerator stays apart as
exp(c*x) and the rest is written in E**k: ``symact.kernels.rules`` then joins exp(c*x) to the decay.

>>> from symact.catalog import x
>>> rewrite(sp.exp(x)/(1 + sp.exp(x))**2)
sigmoid(-x)*sigmoid(x)
>>> rewrite((1 - sp.exp(-x))/(1 + sp.exp(-x)))
tanh(x/2)
>>> rewrite(1/sp.cosh(x)**2)
4*sigmoid(-2*x)*sigmoid(2*x)
>>> rewrite((23 - 17*sp.exp(2*x))*sp.exp(23*x/10)/(1 + sp.exp(2*x))**3)
(3 - 20*tanh(x))*exp(23*x/10)*sigmoid(-2*x)**2
"""

from __future__ import annotations

from math import gcd

import sympy as sp

from symact.functions import sigmoid

__all__ = ["rewrite"]

_MAX_OPS = 300  # larger quotients are left alone: cancel and factor would cost more than they save
_MAX_DEGREE = 12
_ENDS = 8  # the most a factor apart from a power of E may cancel by at u = +-inf: sum |c_i| / |p(+-1)| in tanh(u/2)

_ATOMS = (sp.exp, sp.sinh, sp.cosh)


def rewrite(expr: sp.Expr) -> sp.Expr:
    """``expr`` with every maximal quotient of exponentials of one argument in sigmoid coordinates."""
    if not expr.has(*_ATOMS) or expr.is_Atom:
        return expr
    if isinstance(expr, (sp.Add, sp.Mul, sp.Pow)):
        new = _quotient(expr)
        if new is not None:
            return new
    if isinstance(expr, sp.Piecewise):
        return sp.Piecewise(*[(rewrite(e), c) for e, c in expr.args], evaluate=False)
    args = [rewrite(a) for a in expr.args]
    return expr.func(*args) if args != list(expr.args) else expr


def _split(arg: sp.Expr) -> tuple[sp.Rational, sp.Expr]:
    """(c, v) with arg = c*v, c rational and v primitive with a canonical sign."""
    c, v = arg.as_content_primitive()
    if v.could_extract_minus_sign():
        c, v = -c, -v
    return c, v


def _atoms(expr, found: list) -> None:
    """Collect the exp/sinh/cosh nodes at the rational level of ``expr`` (other leaves are coefficients)."""
    if isinstance(expr, _ATOMS):
        found.append(expr)
    elif isinstance(expr, (sp.Add, sp.Mul)):
        for a in expr.args:
            _atoms(a, found)
    elif isinstance(expr, sp.Pow) and expr.exp.is_Integer:
        _atoms(expr.base, found)


def _quotient(expr: sp.Expr) -> sp.Expr | None:
    found: list = []
    _atoms(expr, found)
    if not found or sp.count_ops(expr) > _MAX_OPS:
        return None
    parts = [_split(a.args[0]) for a in found]
    units = {v for _, v in parts}
    if len(units) != 1:
        return None
    (v,) = units
    coeffs = [c for c, _ in parts]
    num = gcd(*(int(c.p) for c in coeffs))
    den = 1
    for c in coeffs:
        den = den * int(c.q) // gcd(den, int(c.q))
    g = sp.Rational(num, den)
    E = sp.Dummy("E", positive=True)

    def power(c):
        return E ** int(c / g)

    mapping = {}
    for atom, (c, _) in zip(found, parts):
        if isinstance(atom, sp.exp):
            mapping[atom] = power(c)
        else:
            sign = 1 if isinstance(atom, sp.cosh) else -1
            mapping[atom] = (power(c) + sign * power(-c)) / 2
    try:
        P, Q = (sp.Poly(e, E) for e in sp.fraction(sp.cancel(_replace(expr, mapping))))
    except (sp.PolynomialError, sp.GeneratorsNeeded):
        return None
    shift, P1, Q1 = _monomial_content(P, Q)
    if len(Q1.terms()) < 2:
        return None  # a Laurent polynomial in E: no quotient to tame
    k = gcd(*(m[0] for poly in (P, Q) for m in poly.monoms()))
    p, q, factor = P.degree() // k, Q.degree() // k, sp.S.One
    if max(p, q) > _MAX_DEGREE:  # exp(23x/10)/(1 + exp(2x))**3: E**shift apart, exp(shift*g*v) times P1/Q1
        k = gcd(*(m[0] for poly in (P1, Q1) for m in poly.monoms()))
        P, Q, factor = P1, Q1, sp.exp(shift * g * v)
        p, q = P.degree() // k, Q.degree() // k
    if max(p, q) > _MAX_DEGREE:
        return None
    form = _sigmoid_form(P, Q, k, p, q, k * g * v, expr, factor != 1)
    return None if form is None else factor * form


def _monomial_content(P: sp.Poly, Q: sp.Poly) -> tuple[int, sp.Poly, sp.Poly]:
    """(shift, P1, Q1) with P/Q = E**shift * P1/Q1, neither P1 nor Q1 divisible by E."""
    low = [min(m[0] for m in poly.monoms()) for poly in (P, Q)]
    return low[0] - low[1], *(sp.Poly(poly.as_expr() / P.gen**d, P.gen) for poly, d in zip((P, Q), low))


def _sigmoid_form(
    P: sp.Poly, Q: sp.Poly, k: int, p: int, q: int, u: sp.Expr, expr: sp.Expr, apart: bool
) -> sp.Expr | None:
    """P(E)/Q(E), polynomials in E**k of degrees p and q, in sigmoid coordinates of u (None where a sum would
    be worse conditioned as one quotient, or with a power of E ``apart``, where a factor cancels towards
    x = +-inf: the form the rules leave is then no worse)."""
    s, t = sp.Dummy("s"), sp.Dummy("t")
    homogeneous = [
        sum(c * s ** (m[0] // k) * t ** (d - m[0] // k) for m, c in poly.terms()) for poly, d in ((P, p), (Q, q))
    ]
    (num_form, num_ok, num_tame), (den_form, den_ok, den_tame) = (_factored(h, s, t, u) for h in homogeneous)
    if isinstance(expr.as_coeff_Mul()[1], sp.Add) and not (num_ok and den_ok):
        return None  # its terms one by one are better conditioned than the sum as one quotient
    if apart and not (num_tame and den_tame):
        return None
    return sigmoid(-u) ** (q - p) * num_form / den_form


def _replace(expr, mapping):
    """Substitute the atoms at the rational level only (an exp inside a tanh stays)."""
    if expr in mapping:
        return mapping[expr]
    if isinstance(expr, (sp.Add, sp.Mul)) or (isinstance(expr, sp.Pow) and expr.exp.is_Integer):
        return expr.func(*[_replace(a, mapping) for a in expr.args])
    return expr


def _factored(h: sp.Expr, s, t, u) -> tuple[sp.Expr, bool, bool]:
    """``h`` as a product of the forms of its factors; whether no factor may cancel, and whether none cancels
    by more than ``_ENDS`` at the ends t = 0 and s = 0 (u = +-inf)."""
    coeff, factors = sp.factor_list(h)
    result, ok, tame = coeff, True, True
    for factor, multiplicity in factors:
        if not factor.has(s, t):
            result *= factor**multiplicity
            continue
        form, good, calm = _factor_form(sp.Poly(factor, s, t), u)
        result *= form**multiplicity
        ok, tame = ok and good, tame and calm
    return result, ok, tame


def _factor_form(f: sp.Poly, u) -> tuple[sp.Expr, bool, bool]:
    """A homogeneous factor in s = sigmoid(u), t = sigmoid(-u), whether its form is free of cancellation, and
    whether it cancels by at most ``_ENDS`` at tanh(u/2) = +-1 (a linear form never does)."""
    T = sp.tanh(u / 2)
    if f.total_degree() == 1:
        a, b = f.coeff_monomial((1, 0)), f.coeff_monomial((0, 1))
        total, diff = sp.expand(a + b), sp.expand(a - b)
        if b == 0 or a == 0:
            return a * sigmoid(u) + b * sigmoid(-u), True, True
        if total == 0:
            return a * T, True, True
        if diff == 0:
            return a, True, True
        if total.is_number:
            return total / 2 + diff / 2 * T, True, True
        return a * sigmoid(u) + b * sigmoid(-u), True, True
    s, t = f.gens
    poly = sp.Poly(f.as_expr().subs({s: (1 + T) / 2, t: (1 - T) / 2}, simultaneous=True), T)
    signs = {sp.sign(c) for c in poly.coeffs()}
    if len(signs) > 1 and len({sp.sign(c) for c in f.coeffs()}) == 1 and f.domain.is_Numerical:
        return f.as_expr().subs({s: sigmoid(u), t: sigmoid(-u)}, simultaneous=True), True, True  # terms of one sign
    size = sum(abs(c) for c in poly.coeffs())
    ends = [abs(poly.eval(end)) for end in (1, -1)]
    calm = size.is_number and all(e.is_number and e > 0 and size <= _ENDS * e for e in ends)
    return poly.as_expr(), len(signs) == 1 and signs <= {1, -1}, bool(calm)
