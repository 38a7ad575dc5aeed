"""SymPy to framework code: the stable forms of ``symact.kernels.printer`` printed as PyTorch or JAX operations.

``FrameworkPrinter('torch')`` prints an expression after ``stable_forms`` with ``torch`` calls: Piecewise as
nested ``where``, Max/Min as ``clamp``/``maximum``, the stable ``s_*`` nodes as calls to the helpers of
``symact.exporting.prelude`` (written in the same framework), the double-double arguments unpacked into them,
and the forms in ``FUSED`` as the framework's own fused operation.

>>> from symact.catalog import x
>>> FrameworkPrinter('torch').doprint(sp.Piecewise((0, x <= 0), (x, True)))
'torch.where((x <= 0), 0, x)'
>>> FrameworkPrinter('jax').doprint(sp.Max(x, 0) + sp.exp(x))
'jnp.exp(x) + jnp.maximum(x, 0)'
"""

from __future__ import annotations

import sympy as sp
from sympy.printing.pycode import PythonCodePrinter

from symact.catalog import x
from symact.errors import ParameterError
from symact.kernels.nodes import DD_ARGS, s_dsigmoid, s_expm1, s_sigmoid
from symact.kernels.printer import leaky_form
from symact.kernels.rules import STABLE_NODES, s_softplus

__all__ = ["FrameworkPrinter", "LIBRARY", "PLAIN", "FUSED", "FUSED_WIDE"]

# The module alias the generated code calls, per framework.
LIBRARY = {"torch": "torch", "jax": "jnp"}
# SymPy functions with a same-named function in torch and jax.numpy.
PLAIN = {
    "exp": "exp",
    "log": "log",
    "sqrt": "sqrt",
    "tanh": "tanh",
    "sinh": "sinh",
    "cosh": "cosh",
    "sin": "sin",
    "cos": "cos",
    "tan": "tan",
    "atan": "arctan",
    "asinh": "arcsinh",
    "acosh": "arccosh",
    "atanh": "arctanh",
    "Abs": "abs",
    "sign": "sign",
    "floor": "floor",
    "ceiling": "ceil",
}
# Functions written in the module instead of the framework's own: XLA's float64 tanh is 6 ULP off near +-19,
# (1 - tanh(x)**2 cancels to 0.1 beyond where tanh(x) rounds to +-1).
OWN = {"torch": {}, "jax": {"tanh": "s_tanh"}}
# Functions the generated module defines (the prelude), by SymPy name.
NAMED = {**{name: name for name in STABLE_NODES}, "erf": "erf", "erfc": "erfc"}
NAMED.update({"sigmoid": "s_sigmoid", "softplus": "s_softplus", "Phi": "s_ncdf"})

# The helpers that carry a double-double argument in float64, unless their last argument says not to.
DD_HELPERS = ("s_ncdf", "s_expsq")
# Stable forms the framework computes in one fused operation, to the bounds the verification checks (elu's: the same
# operations; silu's: x/(1 + exp(-x)), one rounding fewer, where exp(-x) does not overflow). JAX's sigmoid where it is
# a whole part (``tensor``): lax.logistic, within 2.1 ULP in float32 and float64, enough where no sum magnifies it.
FUSED = {
    "torch": {
        x * sp.tanh(s_softplus(x)): "torch.nn.functional.mish",
        x * s_sigmoid(x): "s_silu",
        sp.Piecewise((x, x > 0), (s_expm1(x), True)): "torch.nn.functional.elu",
    },
    "jax": {s_sigmoid(x): "jax.nn.sigmoid"},
}


# Slopes torch computes in one fused operation where float64 computes a float32 or half-precision result (a part
# called with ``dd=False``). silu's: silu_backward is s*(1 + x*(1 - s)), s = 1/(1 + exp(-x)) with SLEEF's exp
# (within 1 ULP), so s is within 2 float64 ULPs. It cancels only near the zero x0 = -1.2784645427610738 of f': there
# 1 + x*(1 - s) is off by at most about 3 float64 ULPs of 1 (7e-16), f' by s = 0.218 times that (1.5e-16). The
# float32 closest to x0 lies 1.3e-8 from it, where |f'| = 2.8e-9 (f''(x0) = 0.218): an error of 5e-8 relative,
# under one float32 ULP before the rounding; farther out less. Measured within 1 ULP of the float64 export (every
# float32 within 1e-3 of x0 and a dense sample: tests/test_export.py).
FUSED_WIDE = {
    "torch": {x * s_dsigmoid(x) + s_sigmoid(x): "torch.ops.aten.silu_backward(torch.ones_like(x), x)"},
    "jax": {},
}


class FrameworkPrinter(PythonCodePrinter):
    """Python code of one framework's array operations for a stable form of one variable ``var``."""

    def __init__(self, framework: str, var: str = "x", dd_symbols=(), dd_flag: str | None = None):
        super().__init__({"fully_qualified_modules": False})
        self.lib, self.var, self._dd = LIBRARY[framework], var, {s.name for s in dd_symbols}
        self.framework, self.dd_flag = framework, dd_flag

    def _number(self, value) -> str:
        return repr(float(value))

    def _print_Float(self, expr):
        return self._number(expr)

    def _print_Rational(self, expr):
        return self._number(expr)

    def _print_Integer(self, expr):  # celu's alpha=1e20 is the Integer 10**20: too big for a torch scalar
        return str(expr) if abs(expr) < 2**53 else self._number(expr)

    def _print_Infinity(self, expr):
        return "float('inf')"

    def _print_NegativeInfinity(self, expr):
        return "float('-inf')"

    def _print_NaN(self, expr):
        return "float('nan')"

    def _print_Pow(self, expr, rational=False):
        if expr.exp == sp.S.Half:
            return f"{self.lib}.sqrt({self._print(expr.base)})"
        if expr.exp == -sp.S.Half:
            return f"1 / {self.lib}.sqrt({self._print(expr.base)})"
        return super()._print_Pow(expr, rational=False)

    def tensor(self, expr: sp.Expr) -> str:
        """The code of ``expr`` as an array shaped like the variable (a constant filled in)."""
        if expr.is_number:
            return f"{self.lib}.full_like({self.var}, {self._print(expr)})"
        own = FUSED[self.framework].get(expr)
        return f"{own}({self._print(x)})" if own else self._print(expr)

    def _print_Piecewise(self, expr):
        own = FUSED[self.framework].get(expr)
        if own:
            return f"{own}({self._print(x)})"
        code = self.tensor(sp.nan)
        for value, cond in reversed(expr.args):
            if cond is sp.true:
                code = self.tensor(value)
            else:
                code = f"{self.lib}.where({self._print(cond)}, {self._print(value)}, {code})"
        return code

    def _print_Relational(self, expr):
        op = {"==": "==", "!=": "!=", "<": "<", "<=": "<=", ">": ">", ">=": ">="}[expr.rel_op]
        return f"({self._print(expr.lhs)} {op} {self._print(expr.rhs)})"

    def _print_And(self, expr):
        return "(" + " & ".join(self._print(a) for a in expr.args) + ")"

    def _print_Or(self, expr):
        return "(" + " | ".join(self._print(a) for a in expr.args) + ")"

    def _print_Not(self, expr):
        return f"~{self._print(expr.args[0])}"

    def _print_Mul(self, expr):
        own = FUSED[self.framework].get(expr)
        return f"{own}({self._print(x)})" if own else super()._print_Mul(expr)

    def _print_Add(self, expr, **kwargs):
        leaky = leaky_form(expr)  # max(u, 0) + k*min(u, 0): torch's u if u > 0 else k*u, zeros signed as k*u
        if leaky is None:
            return super()._print_Add(expr, **kwargs)
        u, k = (self._print(leaky[0]), leaky[1])
        return f"{self.lib}.where({u} > 0, {u}, {k!r}*{u})"

    def _print_Max(self, expr):
        return self._fold("maximum", "min", expr.args)

    def _print_Min(self, expr):
        return self._fold("minimum", "max", expr.args)

    def _fold(self, name: str, bound: str, args) -> str:
        """max/min of the arguments, arrays first; a constant bound as ``clamp`` in torch (which takes numbers)."""
        args = sorted(args, key=lambda a: a.is_number)
        code = self._print(args[0])
        for arg in args[1:]:
            if arg.is_number and self.framework == "torch":
                code = f"torch.clamp({code}, {bound}={self._print(arg)})"
            else:
                code = f"{self.lib}.{name}({code}, {self._print(arg)})"
        return code

    def _print_Function(self, expr):
        name = type(expr).__name__
        pairs = DD_ARGS.get(name) == 2  # exp(a) times a decay of t: a double-double t or a passed as the pair
        args = [
            (a.name if pairs else f"*{a.name}") if getattr(a, "name", None) in self._dd else self._print(a)
            for a in expr.args
        ]
        if name in OWN[self.framework]:
            return f"{OWN[self.framework][name]}({', '.join(args)})"
        if name in PLAIN:
            return f"{self.lib}.{PLAIN[name]}({', '.join(args)})"
        if name in NAMED:
            if self.dd_flag and NAMED[name] in DD_HELPERS:
                args.append(self.dd_flag)
            return f"{NAMED[name]}({', '.join(args)})"
        raise ParameterError("export", "activation", f"uses {name}, which the {self.framework} export cannot write")

    def _print_Symbol(self, expr):
        return expr.name


for _name in [*PLAIN, "erf", "erfc", "LambertW", "gamma", "loggamma", "atan2"]:
    setattr(FrameworkPrinter, f"_print_{_name}", FrameworkPrinter._print_Function)
