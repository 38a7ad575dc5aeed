"""The NumPy emitter's code: a plan's stable forms printed as one NumPy function, executed once.

``generate`` prints the forms with ``symact.kernels.printer.KernelPrinter`` (Piecewise lowered by
``symact.kernels.lowering``, common subexpressions shared, double-double arguments by ``poly_dd``) and
executes the source; ``symact.kernels.compiled`` wraps the function with the post-pass of the plan.

>>> import numpy as np, sympy as sp
>>> from symact.catalog import x
>>> from symact.kernels.printer import stable_forms
>>> fn, text = generate(*stable_forms([sp.exp(x) - 1], x), x)
>>> print(text)
def _generated(x):
    return (s_expm1(x),)
>>> fn(np.array([0.0]))[0].tolist()
[0.0]
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import sympy as sp

from symact.kernels.lowering import band, lower_piecewise, steps, tie_clip, tie_max, tie_min
from symact.kernels.printer import NUMPY_FUNCTIONS, KernelPrinter, each_cse

__all__ = ["generate"]


def _source(exprs: list[sp.Expr], dd: dict, var: sp.Symbol, fname: str) -> str:
    printer = KernelPrinter(dd_symbols=dd)
    exprs = [lower_piecewise(e, printer) for e in exprs]
    replacements, reduced = each_cse(exprs)
    lines = [f"def {fname}({var.name}):"]
    for symbol, pairs in dd.items():
        lines.append(f"    {symbol.name} = poly_dd({var.name}, {pairs!r})")
    for symbol, value in replacements:
        lines.append(f"    {symbol.name} = {printer.doprint(value)}")
    results = ", ".join(printer.doprint(e) for e in reduced)
    lines.append(f"    return ({results},)")
    return "\n".join(lines)


def generate(forms: list[sp.Expr], dd: dict, var: sp.Symbol, label: str = "") -> tuple[Callable, str]:
    """The NumPy function of the stable ``forms`` (with the double-double arguments ``dd``) of ``var``, and its
    source; ``label`` names it in tracebacks."""
    source = _source(forms, dd, var, "_generated")
    namespace = {"numpy": np, "steps": steps, "band": band, **NUMPY_FUNCTIONS}
    namespace.update(tie_max=tie_max, tie_min=tie_min, tie_clip=tie_clip)
    exec(compile(source, f"<symact kernel: {label[:200]}>", "exec"), namespace)
    return namespace["_generated"], source
