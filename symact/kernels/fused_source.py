"""The scalar emitter: a definition's kernel plans as Python functions of one float, for numba.

The stable forms of each ``symact.kernels.plan.Plan`` (the ones the NumPy emitter prints) are printed as
scalar code calling ``symact.kernels.scalar``'s helpers, and each output's ``Finish`` (patches, guard, limits
at +-inf, NaN) is written in as selects. ``symact.kernels.fused`` writes the module and compiles it.

>>> from symact.kernels.definition import resolve
>>> 'def symact_k1_value_and_grad(x_in):' in source(resolve('silu', 'torch', {}), 'k1')
True
"""

from __future__ import annotations

import sympy as sp
from sympy.printing.pycode import PythonCodePrinter

from symact.errors import ParameterError
from symact.kernels import scalar
from symact.kernels.definition import Definition
from symact.kernels.nodes import EXP_LIKE, NODES, STABLE_NODES, StableNode
from symact.kernels.plan import Plan, part_plans

__all__ = ["source", "function_name", "NoScalarForm"]


class NoScalarForm(ParameterError):
    """A stable node that ``symact.kernels.scalar`` has no scalar version of."""


class _ScalarPrinter(PythonCodePrinter):
    """Python scalar code for numba: Piecewise as conditional expressions, stable nodes as helper calls."""

    def __init__(self, dd_symbols=()):
        super().__init__({"fully_qualified_modules": True})
        self._dd = set(dd_symbols)

    def _print_Piecewise(self, expr):
        code = "math.nan"
        for value, cond in reversed(expr.args):
            text = self._print(value)
            code = text if cond is sp.true else f"({text} if {self._print(cond)} else {code})"
        return code

    def _print_Max(self, expr):
        return self._fold("vmax", expr.args)

    def _print_Min(self, expr):
        return self._fold("vmin", expr.args)

    def _fold(self, name, args):
        args = sorted(args, key=lambda a: a.is_number)
        code = self._print(args[0])
        for arg in args[1:]:
            code = f"{name}({code}, {self._print(arg)})"
        return code

    def _print_Function(self, expr):
        name = type(expr).__name__
        if name in STABLE_NODES:
            if not hasattr(scalar, name):
                raise NoScalarForm("kernel", "backend", f"'numba' has no scalar {name} yet; use backend='numpy'")
            (first, *rest) = expr.args
            if first in self._dd:
                args = [f"{first.name}_hi", f"{first.name}_lo"]
            else:
                args = [self._print(first)] + (["0.0"] if name in EXP_LIKE else [])
            return f"{name}({', '.join(args + [self._print(a) for a in rest])})"
        return super()._print_Function(expr)

    def _print_exp(self, expr):
        return f"vexp({self._print(expr.args[0])})"

    def _print_tanh(self, expr):
        return f"vtanh({self._print(expr.args[0])})"

    def _print_sign(self, expr):
        return f"sign({self._print(expr.args[0])})"

    def _print_Abs(self, expr):
        return f"abs({self._print(expr.args[0])})"

    def _print_Pow(self, expr, rational=False):
        n = int(expr.exp) if expr.exp.is_Integer else None
        base = self.parenthesize(expr.base, 100)
        if n in (3, 4):  # products vectorise; pow is a libm call
            return "(" + " * ".join([base] * n) + ")"
        if n == -2:  # the square of the reciprocal: no overflow of base**2 where the result is still subnormal
            return f"((1.0 / {base}) * (1.0 / {base}))"
        if n is not None and n not in (-1, 0, 1, 2):  # libm pow, as NumPy's power does
            return f"{base}**{float(n)!r}"
        return super()._print_Pow(expr, rational=rational)

    def _print_Float(self, expr):
        return repr(float(expr))

    def _print_Rational(self, expr):
        return repr(float(expr))

    def _print_Integer(self, expr):
        n = int(expr)
        return str(n) if abs(n) < 2**53 else repr(float(n))  # numba's integers are 64 bits

    def _print_erf(self, expr):
        return f"verf({self._print(expr.args[0])})"

    def _print_erfc(self, expr):
        return f"verfc({self._print(expr.args[0])})"


def _body(plan: Plan, finish) -> list[str]:
    """Lines computing ``plan``'s outputs from its variable; ``finish(values)`` gives the lines that return them."""
    try:
        return _lines(plan, finish)
    except NotImplementedError as err:  # a function the scalar printer does not know (LambertW, ...)
        name = str(err).split(": ")[-1].splitlines()[0]
        raise NoScalarForm("kernel", "backend", f"'numba' has no scalar {name}; use backend='numpy'") from None


def _lines(plan: Plan, finish) -> list[str]:
    """``_body``'s lines: the plan's double-double arguments, its forms, each output's ``Finish`` as selects."""
    printer = _ScalarPrinter(plan.dd)
    replacements, reduced = sp.cse(plan.forms, symbols=sp.numbered_symbols("t"), optimizations="basic")
    v = plan.var.name
    lines = [f"{v} = float64({v}_in)"]
    for symbol, pairs in plan.dd.items():  # helpers.poly_dd, unrolled
        hi, lo = f"{symbol.name}_hi", f"{symbol.name}_lo"
        lines += [f"{hi}, {lo} = {pairs[0][0]!r}, {pairs[0][1]!r}", f"{v}_c = dd_clip({v})"]
        lines += [f"{hi}, {lo} = dd_step({hi}, {lo}, {v}_c, {a!r}, {b!r})" for a, b in pairs[1:]]
    lines += [f"{s.name} = {printer.doprint(value)}" for s, value in replacements]
    names = [f"r{i}" for i in range(len(reduced))]
    shared = _exponentials(plan, printer)
    for name, e, post in zip(names, reduced, plan.finishes):
        lines.append(f"{name} = float64({printer.doprint(e)})")
        lines += post.selects(name, v, shared)
    return lines + finish(names)


def _exponentials(plan: Plan, printer: _ScalarPrinter) -> dict[float, tuple[float, str]]:
    """Per k, (w, code) of exp(-k|x|) as a node of the forms computes it from x itself (``Node.decay``)."""
    found = {}
    for node in sorted(set().union(*(f.atoms(StableNode) for f in plan.forms)), key=sp.default_sort_key):
        row = NODES[type(node).__name__]
        if row.decay and node.args[0] == plan.var and plan.var not in plan.dd:
            w = node.args[-1]
            code = f"s_exp_neg_abs({plan.var.name}, {row.decay!r}, {printer.doprint(w)}, {row.two_sided})"
            found.setdefault(row.decay, (float(w), code))
    return found


def source(definition: Definition, key: str) -> str:
    """The Python module (for numba) of a definition's kernel plans: one scalar function per part, named by ``key``.

    >>> from symact.kernels.definition import resolve
    >>> print(source(resolve('relu', 'torch', {}), 'k1').split('def ')[1].splitlines()[0])
    symact_k1_f(x_in):
    """
    plans = part_plans(definition)
    out = [
        f'"""symact fused kernel {definition.name or "(user)"!r}, kink={definition.kink!r} (generated; key {key})."""',
        "import math",
        "",
        "from numba import float64",
        "",
        "from symact.kernels import scalar  # noqa: F401 (the helpers compile_all compiles)",
        "from symact.kernels.vmath import compile_all",
        "",
        "compile_all()",
        "from symact.kernels.scalar import *  # noqa: E402, F403",
        "from symact.kernels.vmath import dd_step  # noqa: E402, F401",
        "from symact.kernels.vmath_erf import verf, verfc  # noqa: E402, F401",
        "",
        f"HAS_OUTPUT_FORM = {plans['grad_from_output'] is not None}",
        f"NAME = {definition.name!r}",
    ]

    def single(values):
        return [f"return {values[0]}"]

    def pair(values):
        return [f"return {values[0]}, {values[1]}"]

    for part in ("f", "grad", "grad2", "grad_from_output"):
        plan = plans[part]
        if plan is not None:
            out += ["", "", f"def {function_name(key, part)}({plan.var.name}_in):"]
            out += ["    " + line for line in _body(plan, single)]
            out += _loops(key, part, "out")
    both = function_name(key, "value_and_grad")
    out += ["", "", f"def {both}(x_in):"]
    out += ["    " + line for line in _body(plans["value_and_grad"], pair)]
    out += _loops(key, "value_and_grad", "f, df")
    return "\n".join(out) + "\n"


def _loops(key: str, part: str, outs: str) -> list[str]:
    """A loop over flat contiguous arrays (the compiler inlines the scalar function and vectorises it), and the
    element function of the ufunc (``()->()``: numba's ufunc loops honour every stride only for these)."""
    name = function_name(key, part)
    each = ", ".join(f"{o}[i]" for o in outs.split(", "))
    first = ", ".join(f"{o}[0]" for o in outs.split(", "))
    return [
        "",
        "",
        f"def {name}_loop(x, {outs}):",
        "    for i in range(x.size):",
        f"        {each} = {name}(x[i])",
        "",
        "",
        f"def {name}_ufunc(x_in, {outs}):",
        f"    {first} = {name}(x_in)",
    ]


def function_name(key: str, part: str) -> str:
    """The loop's function name, which is also its ufunc's ``__name__`` (unique per definition and part).

    >>> function_name('k1', 'grad')
    'symact_k1_grad'
    """
    return f"symact_{key}_{part}"
