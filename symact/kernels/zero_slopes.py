"""Zero slopes: a term k*min(u, 0) whose parameter k is 0, kept where SymPy drops it.

torch's leaky_relu(x, 0.0) is x if x > 0 else 0.0*x: -0.0 left of 0, where relu is +0.0. SymPy reduces
max(x, 0) + k*min(x, 0) at k = 0 to relu's max(x, 0); ``kept_zero_slopes`` writes the term as ``ZeroSlope``
for the kernel plans (``symact.kernels.plan``), and ``symact.kernels.printer.leaky_form`` prints the sum as
torch's select, k = 0.0.

>>> from symact.catalog import x
>>> k = sp.Symbol('k')
>>> kept_zero_slopes(sp.Max(x, 0) + k * sp.Min(x, 0), {k: 0}, x)
ZeroSlope(Min(0, x)) + Max(0, x)
"""

from __future__ import annotations

import sympy as sp

__all__ = ["ZeroSlope", "kept_zero_slopes"]


class ZeroSlope(sp.Function):
    """0*min(u, 0) as torch computes it: -0.0 for u < 0 (``kept_zero_slopes`` writes it, ``leaky_form`` reads it).

    >>> from symact.catalog import x
    >>> ZeroSlope(sp.Min(x, 0)).diff(x), ZeroSlope(sp.Min(x, 0)).subs(x, -2)
    (0, 0)
    """

    nargs = 1
    is_real = True

    @classmethod
    def eval(cls, arg):
        return sp.S.Zero if arg.is_number else None

    def fdiff(self, argindex=1):
        return sp.S.Zero

    def _code(self, printer) -> str:  # alone (outside ``leaky_form``): a zero times u, NaN at NaN
        return f"(0*{printer._print(self.args[0])})"

    _mpmathcode = _numpycode = _pythoncode = _code


def kept_zero_slopes(expr: sp.Expr, values: dict, var: sp.Symbol) -> sp.Expr | None:
    """``expr`` with ``values`` substituted, a term k*min(u, 0) whose parameter k is 0 kept as ``ZeroSlope``;
    None where no term is."""
    if not isinstance(expr, sp.Add):
        return None
    terms, kept = [], False
    for term in expr.args:
        k, rest = term.as_independent(var, as_Add=False)
        if isinstance(rest, sp.Min) and 0 in rest.args and k.free_symbols and k.subs(values) == 0:
            terms.append(ZeroSlope(rest.subs(values)))
            kept = True
        else:
            terms.append(term.subs(values))
    return sp.Add(*terms) if kept else None
