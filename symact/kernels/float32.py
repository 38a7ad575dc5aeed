"""Which kernel forms compute float32 results with ``symact.kernels.vmath32``'s short functions, and their bound.

A float32 kernel needs its value before the rounding to float32 only to a small part of float32's unit
roundoff u = 2**-24. ``vmath32`` computes exp, expm1, tanh, x - tanh(x), sigmoid, sigmoid', sech**2, softplus
and Phi to that (in float64, no double-double), at 0.001 u or better on every float32 of their ranges. A form is computed with them when
its error before the rounding is provably small, by the sum of its nodes' errors times their condition numbers:

- the variable, a number of magnitude 1e-200 to 1e25 or 0 (one float64 rounding, 2**-29 u): exact or nearly;
- a product: the sum of its factors' errors plus one float64 rounding per multiplication (the condition
  number of a product in each factor is 1), unless an exponential (exp, expm1) is multiplied by another
  function of ``vmath32`` that decays (all but tanh);
- a ``vmath32`` function of x or -x (exact arguments: no argument error to amplify): its ``ERRORS`` entry;
  exp(-c x**2), c a power of two (``s_expsq`` of x): exp's entry (x**2 of a float32 is exact in float64);
- a piecewise form whose conditions compare x with numbers (the same comparisons as the float64 form): the
  largest error of its pieces; ``s_unscale`` around nodes cut at the same (t, w): its product (the float64
  form scales in the band where float64 underflows; ``vmath32`` never does);
- a form with a sum, an integer power, a polynomial argument (computed by Horner's rule in float64 from the
  high parts of the float64 form's double-double coefficients: (2n + 1) roundings for degree n) or a
  ``vmath32`` function of a computed argument: the bound that ``symact.kernels.condition.weighted``
  certifies by interval arithmetic on every float32 input outside the Taylor patch windows (there the float64
  patch polynomial, rounded, gives the result). A function of a computed argument adds the argument's error
  times its condition number |t f'(t)/f(t)| over the argument's range (sech(u)**2: 2|u|; tanh: 1); a sum
  has the weighted error sum_i |t_i| e_i / |sum_i t_i|, each term with its own error e_i, so a term whose
  error is large where it is tiny (sech(u)**2 of u = softplus(x) at x = 300) costs nothing. A zero of a
  sum left in, a function with no interval rule: refused. Where the float64 form sums an exp fraction
  (``symact.kernels.exp_fraction``), the float32 loop computes the sum itself, within this bound.

``vmath32`` clips exp's argument to [-700, 700] and Phi's t below -18.4: beyond, each function alone rounds to
0, 1 or an infinity in float32, and the rules keep that so in a form. A number of at most 1e25 times x
(at most 3.4e38) times a clipped decay (below exp(-700), or Phi below 1e-74) stays below half the least float32
subnormal, as the true product does; a number of at least 1e-200 times exp(700) overflows, as the true
product does; an exponential clipped at either end times another function (exp(x) Phi(-x) near x = 750) would
not, so such a product is refused. The interval rules carry a clipped decay as an absolute error (at most
2**-1000) and decide where a form and its computed value are both below half the least subnormal.

The float64 kernel's Taylor patch windows are sized for float64's accuracy: a float32 result needs far narrower
ones. ``narrowed`` takes each window down to the least fraction of it (``SCALES``) outside which ``ulp_bound``
still certifies the bound, or leaves the patch out; the float32 loop patches only there (``Plan.float32_finishes``;
silu' from (-2.28, -0.28) and a tile to (-1.53, -1.03), 6% of 3*N(0, 1) inputs against 24%).

A guard (the limit where the float64 form gives NaN past |x| = 1e15) is admitted where ``weighted`` also
certifies that no computed value exceeds 1e300 for a finite float32 x: no inf, so no NaN, and the guard never
fires. Otherwise the form keeps the float64 forms rounded. The float32 result is within 0.5 ULP plus the
error (in ULPs: a relative error e u is below e ULP), subnormal results included (float64 holds them as
normal numbers).

>>> from symact.kernels.nodes import s_dsigmoid, s_sigmoid
>>> x = sp.Symbol('x')
>>> ulp_bound(x * s_sigmoid(x, sp.oo), x), ulp_bound(x - s_sigmoid(x, sp.oo), x)
(0.51, None)
>>> ulp_bound(s_sigmoid(x, sp.oo) + x * s_dsigmoid(x, sp.oo), x, ((-1.28, 1.0),))  # silu' outside its window
0.51
"""

from __future__ import annotations

import math
from functools import lru_cache

import sympy as sp

from symact.kernels.condition import weighted
from symact.kernels.vmath32 import ERRORS

__all__ = ["FUNCTIONS", "APART", "ulp_bound", "narrowed", "error", "uses_vmath32"]

# the nodes and functions computed by vmath32 in a float32 kernel, and the names it calls
FUNCTIONS = {
    "exp": "fexp",
    "tanh": "ftanh",
    "s_tanhshrink": "ftanhshrink",
    "s_expm1": "fexpm1",
    "s_sigmoid": "fsigmoid",
    "s_dsigmoid": "fdsigmoid",
    "s_sech2": "fsech2",
    "s_softplus": "fsoftplus",
    "s_ncdf": "fncdf",
    "s_expsq": "fexp",
}
# Nodes whose float64 scalar costs several exponentials (erfc in double-double) against about one for their
# vmath32 function: where f computes one, its float32 loop is worth a value_and_grad that computes f apart
# (``symact.kernels.plan.float32_parts``).
APART = ("s_ncdf",)
_CUT = ("s_sigmoid", "s_dsigmoid", "s_sech2", "s_softplus", "s_ncdf", "s_expsq")  # nodes whose last argument is a cut
ROUNDING = 2.0**-29  # one float64 rounding in units of float32's u
SMALLEST, LARGEST = 1e-200, 1e25  # the magnitudes of the numbers a form may hold (see the docstring)
SCALES = (0.0, 0.125, 0.25, 0.5, 0.75)  # the fractions of a Taylor patch's window ``narrowed`` tries, smallest first


def ulp_bound(
    expr: sp.Expr, var: sp.Symbol, windows: tuple[tuple[float, float], ...] = (), dd: tuple = (), finite: bool = False
) -> float | None:
    """The float32 result's error bound in ULPs when ``expr`` is computed with ``vmath32`` outside the open
    ``windows`` ((centre, half-width) of the Taylor patches) (None: not admitted), rounded up to a hundredth;
    ``dd``: the polynomial arguments (``condition.weighted``); ``finite``: only where no computed value can be
    inf or NaN for a finite float32 input (a guard's NaN then never comes)."""
    e = error(expr, var, windows=windows, dd=dd, finite=finite)
    return None if e is None else math.ceil((0.5 + e) * 100) / 100


@lru_cache(maxsize=256)
def narrowed(
    expr: sp.Expr, var: sp.Symbol, windows: tuple[tuple[float, float], ...], dd: tuple = (), finite: bool = False
) -> tuple[float, ...]:
    """The half-widths of ``windows`` a float32 result needs: each the least fraction ``SCALES`` of its own (0:
    the patch is not needed), the last window first, such that ``ulp_bound`` outside them is what it is
    outside ``windows`` (the float64 kernel's, sized for float64's accuracy); a form ``ulp_bound`` refuses keeps
    its windows. Certified as ``ulp_bound`` is, so a result is a function of the form alone.

    >>> from symact.kernels.nodes import s_dsigmoid, s_sigmoid
    >>> x = sp.Symbol('x')
    >>> narrowed(s_sigmoid(x, sp.oo) + x * s_dsigmoid(x, sp.oo), x, ((-1.2785, 1.0), (-2.0284, 0.26)))  # silu'
    (0.25, 0.0)
    """
    target = ulp_bound(expr, var, windows, dd, finite)
    widths = [w for _, w in windows]
    for i in reversed(range(len(windows)) if target is not None else ()):
        for scale in SCALES:
            trial = [*widths[:i], windows[i][1] * scale, *widths[i + 1 :]]
            kept = tuple((c, w) for (c, _), w in zip(windows, trial) if w > 0)
            bound = ulp_bound(expr, var, kept, dd, finite)
            if bound is not None and bound <= target:
                widths = trial
                break
    return tuple(widths)


def error(
    expr: sp.Expr, var: sp.Symbol, cut: tuple = (), windows: tuple = (), dd: tuple = (), finite: bool = False
) -> float | None:
    """The relative error of ``expr`` computed with ``vmath32``, in units of u, before the rounding to float32
    (None where it is not bounded) outside ``windows`` (as ``ulp_bound``); ``cut``: the (t, w) of the enclosing
    ``s_unscale`` nodes."""
    if isinstance(expr, sp.Piecewise):
        if not all(_plain_condition(c, var) for _, c in expr.args):
            return None
        parts = [error(v, var, cut, windows, dd, finite) for v, _ in expr.args]
        return None if None in parts else max(parts)
    if type(expr).__name__ == "s_unscale":
        t, p, w, _ = expr.args
        return error(p, var, (*cut, (t, w)), windows, dd, finite)
    if not _admitted(expr, var, cut, dd):
        return None
    if finite or _weighted(expr, var, dd):
        return weighted(expr, var, windows, dd, finite)
    if expr == var:
        return 0.0
    if expr.is_Number:
        return 0.0 if sp.Float(float(expr), 60) == expr else ROUNDING
    if isinstance(expr, sp.Mul):
        parts = [error(a, var, cut, windows, dd) for a in expr.args]
        return None if None in parts else sum(parts) + ROUNDING * (len(parts) - 1)
    return ERRORS[FUNCTIONS[type(expr).__name__]]  # a function of x or -x


def _weighted(expr: sp.Expr, var: sp.Symbol, dd: tuple) -> bool:
    """Whether ``expr`` holds a sum, a power, a polynomial argument or a function of a computed argument (then
    ``condition.weighted`` bounds its error by intervals)."""
    symbols = {s for s, _ in dd}
    return any(
        isinstance(e, (sp.Add, sp.Pow))
        or e in symbols
        or (type(e).__name__ in FUNCTIONS and e.args[0] not in (var, -var))
        for e in sp.preorder_traversal(expr)
    )


def _admitted(expr: sp.Expr, var: sp.Symbol, cut: tuple, dd: tuple) -> bool:
    """Whether ``expr`` is made of what the rules of the module docstring cover."""
    if expr == var or expr in {s for s, _ in dd}:
        return True
    if expr.is_Number:  # beyond these, a product with a clipped exponential would not round as the true one
        return bool(expr.is_finite and expr.is_real) and (expr == 0 or SMALLEST <= abs(expr) <= LARGEST)
    if isinstance(expr, sp.Pow):
        return bool(expr.exp.is_Integer and expr.exp > 1) and _admitted(expr.base, var, cut, dd)
    if isinstance(expr, (sp.Mul, sp.Add)):
        if isinstance(expr, sp.Mul) and any(
            _grows(a) and any(_decays(b) for b in expr.args if b is not a) for a in expr.args
        ):
            return False
        return all(_admitted(a, var, cut, dd) for a in expr.args)
    if isinstance(expr, sp.Piecewise):
        return all(_plain_condition(c, var) and _admitted(v, var, cut, dd) for v, c in expr.args)
    name = type(expr).__name__
    if name == "s_unscale":
        t, p, w, _ = expr.args
        return _admitted(p, var, (*cut, (t, w)), dd)
    if name not in FUNCTIONS or (name in _CUT and expr.args[-1] != sp.oo and (expr.args[0], expr.args[-1]) not in cut):
        return False
    if name == "s_expsq" and not _power_of_two(expr.args[1]):
        return False
    return _admitted(expr.args[0], var, cut, dd)


def uses_vmath32(expr: sp.Expr) -> bool:
    """Whether ``expr`` calls a function of ``vmath32`` (else its float64 form rounded is as fast)."""
    return any(type(e).__name__ in FUNCTIONS for e in sp.preorder_traversal(expr))


def _grows(expr: sp.Expr) -> bool:
    """Whether ``expr`` computes an exponential that ``vmath32`` clips at exp(700) (exp, expm1)."""
    return any(type(e).__name__ in ("exp", "s_expm1") for e in sp.preorder_traversal(expr))


def _decays(expr: sp.Expr) -> bool:
    """Whether ``expr`` computes a function of ``vmath32`` that decays towards 0 (all but tanh)."""
    return any(type(e).__name__ in FUNCTIONS and type(e) is not sp.tanh for e in sp.preorder_traversal(expr))


def _power_of_two(c: sp.Expr) -> bool:
    """Whether ``c`` is 2**k (then -c x**2 is exact in float64 for a float32 x)."""
    return c.is_Rational and c > 0 and c.p & (c.p - 1) == 0 and c.q & (c.q - 1) == 0


def _plain_condition(cond, var: sp.Symbol) -> bool:
    """A condition of numbers and ``var`` only, by comparisons, and, or, not (no function of var)."""
    if cond in (sp.true, sp.false):
        return True
    if isinstance(cond, (sp.And, sp.Or, sp.Not)):
        return all(_plain_condition(a, var) for a in cond.args)
    if isinstance(cond, sp.core.relational.Relational):
        return all(a == var or (a.is_Number and a.is_finite) for a in cond.args)
    return False
