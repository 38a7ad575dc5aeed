"""Plans of selections only (relu, relu6, hardtanh, leaky_relu, ...): their loops cost about a copy, where every
select counts.

``memory_bound`` says which plans these are. ``gives_ends`` runs such a plan's scalar code at -inf and +inf,
and ``keeps_nan`` reads its forms, so that ``symact.kernels.fused_source`` leaves out the selects of the limits
and of NaN where the code already gives them (max(x, 0) is +inf at +inf and x's own NaN at NaN; a step's NaN
needs its select).

>>> from symact.kernels.definition import resolve
>>> from symact.kernels.plan import part_plans
>>> plans = part_plans(resolve('relu', 'torch', {}))
>>> memory_bound(plans['f']), gives_ends(plans['f'], ['x = float64(x_in)', 'return vmax_number(x, 0.0)'], 'float64')
(True, (True, True))
>>> gives_ends(plans['grad'], ['x = float64(x_in)', 'return 1.0 if x > 0 else 0.0'], 'float64')
(True, False)
"""

from __future__ import annotations

import math

import numpy as np
import sympy as sp

from symact.kernels import scalar
from symact.kernels.plan import Plan

__all__ = ["memory_bound", "gives_ends", "keeps_nan", "same_float"]


def memory_bound(plan: Plan) -> bool:
    """Whether the loop costs about a copy: no function in the forms but selections (max, min, pieces, |x|,
    sign), integer powers, no post-pass but the limits."""
    calls = set().union(*(f.atoms(sp.Function) for f in plan.forms))
    powers = set().union(*(f.atoms(sp.Pow) for f in plan.forms))
    return (
        all(isinstance(c, (sp.Piecewise, sp.Abs, sp.sign)) for c in calls)
        and all(p.exp.is_Integer for p in powers)
        and not any(f.patches or f.guard or f.fractions for f in plan.finishes)
    )


def gives_ends(plan: Plan, lines: list[str], cast: str) -> tuple[bool, bool]:
    """Whether ``lines`` (straight scalar code of ``plan``'s forms ending in a return) give each output's limit at
    -inf and +inf (a number, signed zeros included), and whether they give NaN at NaN as the select would: the
    input's own bits (``keeps_nan``). The limits come from running the code as Python on NumPy scalars of
    ``cast``'s type, whose IEEE arithmetic and comparisons on numbers are the compiled loop's."""
    names = {n: getattr(f, "py_func", f) for n, f in vars(scalar).items() if not n.startswith("_")}
    code = "def fn(" + plan.var.name + "_in):\n" + "".join(f"    {line}\n" for line in lines)
    space = {**names, "math": math, "float64": np.float64, "float32": np.float32}
    try:
        exec(code, space)  # noqa: S102 (code this module printed from a plan, no user text)
        with np.errstate(all="ignore"):
            low, high = (np.atleast_1d(space["fn"](t)) for t in (-np.inf, np.inf))
    except Exception:  # noqa: BLE001 (any failure keeps the selects)
        return False, False
    dtype = np.float32 if cast == "float32" else np.float64
    limits = [post.limits for post in plan.finishes]
    typed = all(np.asarray(r).dtype == dtype for r in (*low, *high))
    infinities = typed and all(
        same_float(float(a), b) and same_float(float(c), d) and not math.isnan(b) and not math.isnan(d)
        for a, c, (b, d) in zip(low, high, limits)
    )
    return infinities, all(keeps_nan(form, plan.var) for form in plan.forms)


def keeps_nan(expr: sp.Expr, var: sp.Symbol) -> bool:
    """Whether the scalar code of ``expr`` gives a NaN ``var`` back bit for bit, whatever order the compiler
    puts the operands of each operation in: ``var`` itself, max/min of it and a number (which select it), a
    number times it (a NaN operand passes unchanged), sums of such terms (every NaN operand the same bits).
    Negation, |.|, pieces (their last piece at NaN) and powers are not.

    >>> x = sp.Symbol('x')
    >>> keeps_nan(sp.Max(x, 0) + sp.Rational(1, 100) * sp.Min(x, 0), x), keeps_nan(-x * (x - 1), x)
    (True, False)
    """
    if expr == var:
        return True
    if isinstance(expr, (sp.Max, sp.Min)):
        inner = [a for a in expr.args if not a.is_number]
        return len(inner) == 1 and all(a is not sp.nan for a in expr.args) and keeps_nan(inner[0], var)
    if isinstance(expr, sp.Mul):
        numbers = [a for a in expr.args if a.is_number]
        inner = [a for a in expr.args if not a.is_number]
        return len(inner) == 1 and all(a.is_finite and a > 0 for a in numbers) and keeps_nan(inner[0], var)
    if isinstance(expr, sp.Add):
        inner = [a for a in expr.args if not a.is_number]
        return (
            bool(inner) and all(a.is_finite for a in expr.args if a.is_number) and all(keeps_nan(a, var) for a in inner)
        )
    return False


def same_float(a: float, b: float) -> bool:
    """a and b the same float64, the sign of a zero included (NaN the same as NaN).

    >>> same_float(0.0, -0.0), same_float(math.nan, math.nan)
    (False, True)
    """
    return a == b and math.copysign(1.0, a) == math.copysign(1.0, b) or (a != a and b != b)
