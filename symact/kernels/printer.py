"""From a derived expression to printable code: the stable forms, folded constants, and the NumPy printer.

``stable_forms`` is what both backends print: the expressions after ``symact.kernels.rules.stabilize``, with
inexact polynomial arguments of the exp-like nodes bound to double-double pairs and numeric factors folded
into one correctly rounded float each. ``KernelPrinter`` prints them as NumPy code: Piecewise as nested
``where`` (``symact.kernels.lowering`` removes most of those first), Max/Min as ``maximum``/``minimum``,
stable nodes as calls to the functions of ``NUMPY_FUNCTIONS``.

>>> from symact.catalog import x
>>> exprs, dd = stable_forms([sp.log(1 + sp.exp(x)) / 3], x)
>>> KernelPrinter(dd).doprint(exprs[0])
'0.3333333333333333*s_softplus(x, None, numpy.inf)'
"""

from __future__ import annotations

import mpmath
import numpy as np
import sympy as sp
from sympy.printing.numpy import NumPyPrinter

from symact.kernels.nodes import DD_ARGS, EXP_LIKE, NUMPY_FUNCTIONS, STABLE_NODES
from symact.kernels.rational import FLOAT32_BITS
from symact.kernels.rules import is_power_of_two, stabilize
from symact.kernels.underflow import scale_tiny
from symact.kernels.zero_slopes import ZeroSlope
from symact.precision import precision

__all__ = [
    "NUMPY_FUNCTIONS",
    "stable_forms",
    "fold_constants",
    "KernelPrinter",
    "float_comparison",
    "each_cse",
]


def float_comparison(rel: sp.Basic) -> sp.Basic:
    """``rel`` with an exact rational side that float64 does not hold replaced by the float on the side that
    keeps the comparison of every float: x < 10**300 holds for the floats x <= 1e300 - ulp (1e300 is above
    10**300), not for x = 1e300.

    >>> from symact.catalog import x
    >>> float_comparison(x < sp.Integer(10) ** 300).rhs < 1e300, float_comparison(x < 1)
    (True, x < 1)
    """
    if not isinstance(rel, (sp.StrictLessThan, sp.LessThan, sp.StrictGreaterThan, sp.GreaterThan)):
        return rel
    small, big = rel.lts, rel.gts
    for c, up in ((big, False), (small, True)):
        if c.is_Rational and abs(c) < sp.Float(1.7e308) and sp.Rational(float(c)) != c:
            f = float(c)
            if (sp.Rational(f) < c) == up:
                f = float(np.nextafter(f, np.inf if up else -np.inf))
            return sp.LessThan(sp.Float(f), big) if up else sp.LessThan(small, sp.Float(f))
    return rel


def stable_forms(
    exprs: list[sp.Expr], var: sp.Symbol, scaled: bool = True, bits: int = FLOAT32_BITS
) -> tuple[list[sp.Expr], dict]:
    """The expressions to print, and the double-double arguments they use (symbol -> (hi, lo) coefficients);
    ``scaled=False`` leaves out the underflow scaling of ``symact.kernels.underflow`` (for printers whose
    helpers do not take its cut argument); ``bits``: how far a fraction is evaluated in x
    (``symact.kernels.rational``: ``FLOAT64_BITS`` where it is computed in float64 alone).

    >>> from symact.catalog import x
    >>> stable_forms([sp.exp(x) - 1], x)
    ([s_expm1(x)], {})
    """
    exprs, dd = dd_arguments([stabilize(e, bits) for e in exprs], var)
    return [fold_constants(e) for e in (scale_tiny(exprs) if scaled else exprs)], dd


class KernelPrinter(NumPyPrinter):
    """NumPy code with Piecewise as nested ``where``, Max/Min as ``maximum``/``minimum``, stable nodes as calls."""

    def __init__(self, dd_symbols=(), **kwargs):
        super().__init__({"fully_qualified_modules": True, **kwargs})
        self._dd = set(dd_symbols)
        self.pieces: dict[str, str] = {}  # placeholder function name -> code (see lower_piecewise)

    def _print_Relational(self, expr):
        return super()._print_Relational(float_comparison(expr))

    def _print_Piecewise(self, expr):
        code = "numpy.nan"
        for value, cond in reversed(expr.args):
            text = repr(float(value)) if value.is_Integer else self._print(value)  # float branches: no int arrays
            if cond is sp.true:
                code = text
            else:
                code = f"numpy.where({self._print(cond)}, {text}, {code})"
        return code

    def _print_Add(self, expr, **kwargs):
        leaky = leaky_form(expr)
        if leaky is not None:
            u, k = leaky  # a tie at u = 0 between zeros of two signs where k < 0: k*u, torch's, explicitly
            name = ("numpy.maximum", "tie_max")[k < 0] if k < 1 else "numpy.minimum"
            return f"{name}({self._print(u)}, {k!r}*{self._print(u)})"
        return super()._print_Add(expr, **kwargs)

    def _print_Max(self, expr):
        return self._fold("numpy.maximum", expr.args)

    def _print_Min(self, expr):
        inner = [a for a in expr.args if isinstance(a, sp.Max)]
        if len(expr.args) == 2 and len(inner) == 1 and len(inner[0].args) == 2:
            (hi,) = [a for a in expr.args if a is not inner[0]]
            lo = [a for a in inner[0].args if a.is_number]
            u = [a for a in inner[0].args if not a.is_number]
            if hi.is_number and len(lo) == 1 and len(u) == 1 and float(lo[0]) <= float(hi):
                # min(hi, max(lo, u)): one pass of clip instead of two (clip propagates NaN); u at a tie with 0
                name = "tie_clip" if 0 in (lo[0], hi) else "numpy.clip"
                return f"{name}({self._print(u[0])}, {float(lo[0])!r}, {float(hi)!r})"
        return self._fold("numpy.minimum", expr.args)

    def _fold(self, name, args):
        # constants first, and a tie with a zero (-0.0 and 0.0) gives the second operand explicitly
        # (``tie_max``): relu(-0.0) is -0.0, as torch's relu and the fused vmax_number
        args = sorted(args, key=lambda a: not a.is_number)
        code = repr(float(args[0])) if args[0].is_number else self._print(args[0])
        for arg in args[1:]:
            tie = args[0].is_number and args[0].is_zero and arg is args[1]
            call = {"numpy.maximum": "tie_max", "numpy.minimum": "tie_min"}[name] if tie else name
            code = f"{call}({code}, {repr(float(arg)) if arg.is_number else self._print(arg)})"
        return code

    def _print_Function(self, expr):
        name = type(expr).__name__
        if name in self.pieces:
            return self.pieces[name]
        if name in NUMPY_FUNCTIONS:
            args = []
            for i, a in enumerate(expr.args):  # a double-double argument as (hi, lo); another with no low part
                args += [f"*{a.name}"] if a in self._dd else [self._print(a)] + ["None"] * (i < DD_ARGS.get(name, 0))
            return f"{name}({', '.join(args)})"
        return super()._print_Function(expr)

    def _print_Float(self, expr):
        return repr(float(expr))

    def _print_Rational(self, expr):
        return repr(float(expr))

    _print_erf = _print_erfc = _print_LambertW = _print_Function


def each_cse(exprs: list[sp.Expr]) -> tuple[list[tuple[sp.Symbol, sp.Expr]], list[sp.Expr]]:
    """``sympy.cse`` of each output on its own, the subexpressions they have in common computed once: each output
    is computed as its kernel alone computes it (a joint cse took 1/(x**2 + 1) out of x/(x**2 + 1), and
    value_and_grad's f rounded twice where f rounds once).

    >>> from symact.catalog import x
    >>> each_cse([x / (x**2 + 1), 1 / (x**2 + 1) + x**2])
    ([(t0, x**2)], [x/(x**2 + 1), t0 + 1/(t0 + 1)])
    """
    names, found, replacements, reduced = sp.numbered_symbols("t"), {}, [], []
    for expr in exprs:
        own, (alone,) = sp.cse([expr], symbols=sp.numbered_symbols("_each"), optimizations="basic")
        renamed = {}
        for symbol, value in own:
            value = value.xreplace(renamed)
            if value not in found:
                found[value] = next(names)
                replacements.append((found[value], value))
            renamed[symbol] = found[value]
        reduced.append(alone.xreplace(renamed))
    return replacements, reduced


def leaky_form(expr: sp.Add):
    """(u, k) when ``expr`` is max(u, 0) + k*min(u, 0): then it is max(u, k*u) (min for k > 1), torch's
    u if u > 0 else k*u, zeros signed as k*u is (the sum gives +0.0 at u = -1e-300, k = 1e-300).

    One multiplication and one comparison pass; each element gets u or k*u exactly. The ties are at u = 0,
    where for k < 0 NumPy's second operand, k*u, is torch's.

    >>> from symact.catalog import x
    >>> leaky_form(sp.Max(x, 0) - 2 * sp.Min(x, 0))
    (x, -2.0)
    """
    if len(expr.args) != 2:
        return None
    maxes = [a for a in expr.args if isinstance(a, sp.Max)]
    if len(maxes) != 1:
        return None
    (other,) = [a for a in expr.args if a is not maxes[0]]
    if isinstance(other, ZeroSlope) and set(maxes[0].args) == set(other.args[0].args) and 0 in maxes[0].args:
        (u,) = [a for a in maxes[0].args if a != 0]
        return u, 0.0
    k, rest = other.as_coeff_Mul()
    if not isinstance(rest, sp.Min) or not k.is_number or not k.is_real or k.is_zero or k == 1:
        return None
    if set(maxes[0].args) != set(rest.args) or len(rest.args) != 2 or 0 not in rest.args:
        return None
    (u,) = [a for a in rest.args if a != 0]
    return u, float(k)


def fold_constants(expr: sp.Expr) -> sp.Expr:
    """Numeric factors and terms as one correctly rounded Float each (sqrt(2)/(2 sqrt(pi)) -> 0.3989...)."""

    def fold(e):
        if e.is_Atom or not e.args:
            return e
        if isinstance(e, sp.Piecewise):
            return sp.Piecewise(*[(fold(v), c) for v, c in e.args], evaluate=False)
        if e.is_number and not e.is_Rational:
            return sp.Float(sp.N(e, 40), 40) if e.is_real else e
        if isinstance(e, sp.Mul):
            e = _rescaled(e)
        args = [fold(a) for a in e.args]
        if isinstance(e, (sp.Mul, sp.Add)):
            nums = [a for a in args if a.is_number]
            rest = [a for a in args if not a.is_number]
            if len(nums) > 1 or (nums and not nums[0].is_Integer and not nums[0].is_Float):
                value = e.func(*nums)
                if value.is_Integer:
                    num = value
                else:
                    num = sp.Float(sp.N(value, 40), 40)
                if not rest:
                    return num
                nums = [num]
            if isinstance(e, sp.Mul) and len(nums) == 1:
                return e.func(*_scaled_power(nums[0], rest), evaluate=False)
            if nums and rest:
                return e.func(*nums, *rest, evaluate=False)
        return e.func(*args)

    return fold(expr)


_TINY, _HUGE = sp.Rational(1, 2**1022), sp.Integer(2) ** 1023  # float64's normal range


def _normal(k: sp.Expr) -> bool:
    return k == 0 or _TINY <= abs(k) < _HUGE


def _coefficient(term: sp.Expr) -> sp.Expr:
    """The rational factor of ``term``, looking into the product of an ``s_unscale`` (linear in it)."""
    if type(term).__name__ == "s_unscale":
        return _coefficient(term.args[1])
    return sp.Mul(*[a for a in sp.Mul.make_args(term) if a.is_Rational])


def _inner(term: sp.Expr) -> sp.Add | None:
    """The one sum factor of ``term`` (in an ``s_unscale``'s product too) with a coefficient beyond float64's
    normal range: mish'' at beta = 1e-300 is ~1e-616*((a*x + ~1e316)*sigmoid(-u) + ...), each a term of it."""
    if type(term).__name__ == "s_unscale":
        return _inner(term.args[1])
    sums = [a for a in sp.Mul.make_args(term) if isinstance(a, sp.Add)]
    return sums[0] if len(sums) == 1 and not all(_normal(_coefficient(t)) for t in sums[0].args) else None


def _coefficients(term: sp.Expr) -> list:
    """The rational factor of ``term``, or that factor times each coefficient of its ``_inner`` sum."""
    inner, c = _inner(term), _coefficient(term)
    return [c] if inner is None else [c * _coefficient(t) for t in inner.args]


def _times(term: sp.Expr, r: sp.Rational) -> sp.Expr:
    """``term`` times ``r``, ``r`` merged into its rational factor (inside an ``s_unscale``'s product), or into
    each term of its ``_inner`` sum."""
    if type(term).__name__ == "s_unscale":
        args = list(term.args)
        args[1] = _times(args[1], r)
        return term.func(*args)
    inner = _inner(term)
    if inner is not None:
        return term.xreplace({inner: sp.Add(*[_times(t, r) for t in inner.args])})
    nums = [a for a in sp.Mul.make_args(term) if a.is_Rational]
    rest = [a for a in sp.Mul.make_args(term) if not a.is_Rational]
    return sp.Mul(sp.Mul(*nums) * r, *rest)


def _rescaled(mul: sp.Mul) -> sp.Mul:
    """c*(a*u + K + ...)**e*... (e rational, 1 for a plain sum) with the sum divided by its largest coefficient
    m and c times m**e, where c, a coefficient or m**e is beyond float64's normal range and every coefficient
    is inside after: swish'' at beta = 1e-300 is ~1e-616*(... + ~1e616), which rounded to 0*(int too large to
    convert); squareplus'' at b = 1e300 is b/2*(x**2 + b)**-1.5, whose power overflowed to 0 at any x."""
    factors = sp.Mul.make_args(mul)
    c = sp.Mul(*[f for f in factors if f.is_Rational])
    for f in factors:
        add, e = (f.base, f.exp) if f.is_Pow else (f, sp.Integer(1))
        if isinstance(add, sp.Add) and e.is_Rational:
            break
    else:
        return mul
    coeffs = [k for t in add.args for k in _coefficients(t)]
    m = max(abs(k) for k in coeffs)
    if m == 0 or all(_normal(k) for k in (c, *coeffs, m**e)):
        return mul
    outer = c * m**e
    if not all(_normal(k) for k in (sp.Rational(outer.evalf(30)), *(k / m for k in coeffs))):
        return mul
    others = [g for g in factors if g is not f and not g.is_Rational]
    return sp.Mul(outer, sp.Pow(sp.Add(*[_times(t, 1 / m) for t in add.args]), e), *others, evaluate=False)


def _scaled_power(c: sp.Expr, factors: list) -> list:
    """The factors of c*B**e (|e| > 1, c beyond 2**+-64) as c*2**(-j*e), (2**j*B)**e with c*2**(-j*e) near 1:
    B**e alone may overflow or underflow where the product is in range (squareplus'' = b/2/hypot(x, sqrt(b))**3
    at b = 1e300 was 0 at x = 100). Powers of two: every product rounds as before."""
    powers = [f for f in factors if f.is_Pow and f.exp.is_Rational and abs(f.exp) > 1]
    if len(powers) != 1 or c == 0 or not c.is_finite:
        return [c, *factors]
    e = powers[0].exp
    with precision(40):
        log2 = float(mpmath.log(abs(mpmath.mpf(sp.N(c, 40))), 2))
    if abs(log2) <= 64:
        return [c, *factors]
    j = e.q * round(log2 / (e * e.q))
    base = powers[0].base
    if isinstance(base, sp.Add):
        base = sp.Add(*[_times(t, sp.Integer(2) ** j) for t in base.args], evaluate=False)
    else:
        base = sp.UnevaluatedExpr(sp.Float(2.0**j) * base)  # (t*h)**-3 would be t**-3*h**-3 again
    scaled = sp.Pow(base, e, evaluate=False)
    return [sp.Float(sp.N(c * sp.Integer(2) ** (-j * e), 40), 40), scaled, *(f for f in factors if f is not powers[0])]


def dd_arguments(exprs, var):
    """Replace inexact polynomial arguments of exp-like nodes by symbols bound to double-double pairs; of a node
    of exp(a) times a decay of t (``exp_sum``: a - k|t| is computed exactly), both t and a where either is
    inexact, so that both are computed from the same (clipped) x."""
    table: dict[sp.Expr, tuple[sp.Symbol, tuple]] = {}

    def polynomial(u):
        if not u.has(var) or not u.is_polynomial(var):
            return None
        coeffs = sp.Poly(u, var).all_coeffs()
        return coeffs if all(c.is_number and c.is_real for c in coeffs) and len(coeffs) > 1 else None

    def needs_dd(u, exact_too=False):
        coeffs = polynomial(u)
        if coeffs is None:
            return None
        if len(coeffs) == 2 and coeffs[1] == 0 and coeffs[0].is_Rational and not exact_too:
            c = abs(coeffs[0])
            if c.is_Rational and is_power_of_two(c):
                return None  # c*x is exact
        pairs = []
        for c in coeffs:
            with precision(60):
                value = mpmath.mpf(sp.N(c, 60))
                hi = float(value)
                lo = float(value - mpmath.mpf(hi))
            pairs.append((hi, lo))
        return tuple(pairs)

    def bind(u, pairs):
        if u not in table:
            table[u] = (sp.Symbol(f"dd{len(table)}"), pairs)
        return table[u][0]

    def visit(e):
        name = type(e).__name__
        if name in EXP_LIKE or isinstance(e, sp.exp):
            func = STABLE_NODES["s_exp"] if isinstance(e, sp.exp) else e.func  # exp(x/3): exp(hi)(1 + lo)
            u = e.args[0]
            pairs = table[u][1] if u in table else needs_dd(u)
            return None if pairs is None else func(bind(u, pairs), *e.args[1:])
        if DD_ARGS.get(name) == 2:  # exp(a) times a decay of t
            head = e.args[:2]
            if not any(u in table or needs_dd(u) is not None for u in head):
                return None
            pairs = [table[u][1] if u in table else needs_dd(u, exact_too=True) for u in head]
            args = [u if p is None else bind(u, p) for u, p in zip(head, pairs)]
            return e.func(*args, *e.args[2:])
        return None

    out = [e.replace(lambda t: visit(t) is not None, visit) for e in exprs]
    return out, {s: pairs for s, pairs in table.values()}
