"""Scalar source for the fused backend: a NumPy ``Kernel``'s parts as Python functions of one float for numba.

The same stable forms that ``symact.kernels.compiled`` prints for NumPy are printed as scalar code calling
``symact.kernels.scalar``'s helpers, with the NumPy kernel's special-value limits, NaN guards and Taylor
patches written into each function. ``symact.kernels.fused`` writes the module and compiles it.

>>> from symact.kernels.definition import resolve
>>> from symact.kernels.numpy_backend import compile_kernel
>>> 'def symact_k1_value_and_grad(x_in):' in source(compile_kernel(resolve('silu', 'torch', {})), 'k1')
True
"""

from __future__ import annotations

import math

import sympy as sp
from sympy.printing.pycode import PythonCodePrinter

from symact.catalog import x
from symact.derivation import y
from symact.errors import ParameterError
from symact.kernels import scalar
from symact.kernels.numpy_backend import NumpyKernel
from symact.kernels.printer import stable_forms
from symact.kernels.rules import EXP_LIKE, STABLE_NODES

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

    _print_erf = _print_erfc = _print_Function


def _number(v: float) -> str:
    return repr(v) if math.isfinite(v) else ("math.nan" if math.isnan(v) else ("-" if v < 0 else "") + "math.inf")


def _polynomial(coeffs: list[float], ways: int = 4) -> list[str]:
    """Lines setting ``p`` to the polynomial in ``h`` (coefficients from the highest power) in ``ways``
    interleaved Horner chains in h**ways, so that the loop is not bound by one chain's latency.

    >>> _polynomial([2.0, 3.0], ways=1)
    ['p = 2.0', 'p = p * h + 3.0']
    """
    if ways == 1 or len(coeffs) <= 2 * ways:
        return [f"p = {coeffs[0]!r}"] + [f"p = p * h + {c!r}" for c in coeffs[1:]]
    low_first = coeffs[::-1]
    chains = [low_first[j::ways][::-1] for j in range(ways)]  # chain j: the powers j, j + ways, ...
    lines = ["h2 = h * h", "hw = " + " * ".join(["h2"] * (ways // 2) + ["h"] * (ways % 2))]
    for j, chain in enumerate(chains):
        lines += [f"q{j} = {chain[0]!r}"] + [f"q{j} = q{j} * hw + {c!r}" for c in chain[1:]]
    combined = f"q{ways - 1}"
    for j in range(ways - 2, -1, -1):
        combined = f"q{j} + h * ({combined})"
    return lines + [f"p = {combined}"]


def _body(compiled, var: sp.Symbol, finish) -> list[str]:
    """Lines computing ``compiled``'s outputs from ``var``; ``finish(values)`` gives the lines that return them."""
    exprs, dd = stable_forms(compiled.exprs, var)
    printer = _ScalarPrinter(dd)
    try:
        return _lines(compiled, var, finish, exprs, dd, printer)
    except NotImplementedError as err:  # a function the scalar printer does not know (LambertW, ...)
        name = str(err).split(": ")[-1].splitlines()[0]
        raise NoScalarForm("kernel", "backend", f"'numba' has no scalar {name}; use backend='numpy'") from None


def _lines(compiled, var, finish, exprs, dd, printer) -> list[str]:
    """``_body``'s lines from the stable forms ``exprs`` (with the double-double polynomials ``dd``)."""
    replacements, reduced = sp.cse(exprs, symbols=sp.numbered_symbols("t"), optimizations="basic")
    v = var.name
    lines = [f"{v} = float64({v}_in)"]
    for symbol, pairs in dd.items():  # helpers.poly_dd, unrolled
        hi, lo = f"{symbol.name}_hi", f"{symbol.name}_lo"
        lines += [f"{hi}, {lo} = {pairs[0][0]!r}, {pairs[0][1]!r}", f"{v}_c = dd_clip({v})"]
        lines += [f"{hi}, {lo} = dd_step({hi}, {lo}, {v}_c, {a!r}, {b!r})" for a, b in pairs[1:]]
    lines += [f"{s.name} = {printer.doprint(value)}" for s, value in replacements]
    names = [f"r{i}" for i in range(len(reduced))]
    # Straight-line code with flat selects only (no early return, no nested conditional), so that numba's
    # loop over it vectorises: every value is computed, and the selects pick.
    for name, e, patches, guard, (lo, hi) in zip(names, reduced, compiled.patches, compiled.guard, compiled.limits):
        lines.append(f"{name} = float64({printer.doprint(e)})")
        for p in patches:  # patches.ZeroPatch: the Taylor series around a zero
            lines += [f"h = ({v} - {p.hi!r}) - {p.lo!r}"] + _polynomial(p.coeffs)
            lines.append(f"{name} = p if abs({v} - {p.hi!r}) < {p.window!r} else {name}")
        lines.append(f"limit = {_number(hi)} if {v} > 0 else {_number(lo)}")
        if guard:  # an intermediate overflow times an underflow at a huge finite input: the limit
            lines.append(f"{name} = limit if ({name} != {name}) & (abs({v}) > 1e15) else {name}")
        lines.append(f"{name} = {name} if {v} - {v} == 0.0 else limit  # +-inf give the limits")
        lines.append(f"{name} = {name} if {v} == {v} else {v}  # NaN stays NaN")
    return lines + finish(names)


def source(k: NumpyKernel, key: str) -> str:
    """The Python module (for numba) of a NumPy kernel: one scalar function per part, named by ``key``.

    >>> from symact.kernels.definition import resolve
    >>> from symact.kernels.numpy_backend import compile_kernel
    >>> print(source(compile_kernel(resolve('relu', 'torch', {})), 'k1').split('def ')[1].splitlines()[0])
    symact_k1_f(x_in):
    """
    parts = {part: k.part(part) for part in ("f", "grad", "grad2", "grad_from_output")}
    out = [
        f'"""symact fused kernel {k.name or "(user)"!r}, kink={k.definition.kink!r} (generated; key {key})."""',
        "import math",
        "",
        "from numba import float64",
        "",
        "from symact.kernels import scalar  # noqa: F401 (the helpers compile_all compiles)",
        "from symact.kernels.vmath import compile_all",
        "",
        "compile_all()",
        "from symact.kernels.scalar import *  # noqa: E402, F403",
        "",
        f"HAS_OUTPUT_FORM = {k.has_output_form}",
        f"NAME = {k.name!r}",
    ]

    def single(values):
        return [f"return {values[0]}"]

    def pair(values):
        return [f"return {values[0]}, {values[1]}"]

    for part, compiled in parts.items():
        if compiled is not None:
            var = y if part == "grad_from_output" else x
            out += ["", "", f"def {function_name(key, part)}({var.name}_in):"]
            out += ["    " + line for line in _body(compiled, var, single)]
            out += _loops(key, part, "out")
    both = function_name(key, "value_and_grad")
    out += ["", "", f"def {both}(x_in):"]
    out += ["    " + line for line in _body(k.part("value_and_grad"), x, pair)]
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
