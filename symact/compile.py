"""Compile symbolic activations to NumPy kernels: f, f', f'' on arrays of any shape.

The expressions from ``derive`` go through ``symact.stable.stabilize`` (exp(-|x|) splits,
log1p/expm1, erfc, 1/cosh^2, double-double arguments), then common subexpressions are shared and
the code is generated once and cached. Kernels compute in float64 and return the input's float
dtype (float32 stays float32), keep the shape (0-d, empty, n-d), accept ``out=``, never warn,
map NaN to NaN and +-inf to the limits of the function there.

>>> import numpy as np
>>> k = kernel('relu')
>>> k(np.array([-1.0, 0.0, 2.0]))
array([0., 0., 2.])
>>> k.grad(np.array([-1.0, 0.0, 2.0]))          # torch's convention: relu'(0) = 0
array([0., 0., 1.])
>>> kernel('sigmoid')(np.float32(0)).dtype
dtype('float32')
>>> kernel('softplus').grad(np.array([-800.0, np.nan, np.inf])).tolist()
[0.0, nan, 1.0]
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

import mpmath
import numpy as np
import sympy as sp
from sympy.printing.numpy import NumPyPrinter

from . import stable
from .catalog import x
from .derive import Derivation, derive, y
from .errors import ParameterError

__all__ = ["Kernel", "kernel", "compile_expr", "NUMPY_FUNCTIONS", "ULP_BOUNDS"]

# Names the generated code may call, besides numpy.
NUMPY_FUNCTIONS: dict[str, Callable] = {**stable.HELPERS, "erfc": stable.erfc}

_BIG = 1.7976931348623157e308

# Documented worst cases in float64 ULPs (f, f') where they exceed 4, as measured by
# benchmarks/accuracy.py; tests/test_compile.py holds every kernel to these bounds (4 otherwise).
ULP_BOUNDS: dict[str, tuple[float, float]] = {
    "gelu": (6, 6),  # only for x in [-38.6, -37.5], where Phi(x) is subnormal before the product with x
    "gelu_tanh": (4, 5),  # f' near x = -1.8, just outside the Taylor patch around its zero at -0.75
    "mish": (4, 5),  # f' near x = -2.5, the same, around its zero at -1.19
}


# ---- code generation ----------------------------------------------------------------------------


class _Printer(NumPyPrinter):
    """NumPy code with Piecewise as nested ``where``, Max/Min as ``maximum``/``minimum``, stable nodes as calls."""

    def __init__(self, dd_symbols=(), **kwargs):
        super().__init__({"fully_qualified_modules": True, **kwargs})
        self._dd = set(dd_symbols)

    def _print_Piecewise(self, expr):
        code = "numpy.nan"
        for value, cond in reversed(expr.args):
            text = repr(float(value)) if value.is_Integer else self._print(value)  # float branches: no int arrays
            if cond is sp.true:
                code = text
            else:
                code = f"numpy.where({self._print(cond)}, {text}, {code})"
        return code

    def _print_Max(self, expr):
        return self._fold("numpy.maximum", expr.args)

    def _print_Min(self, expr):
        return self._fold("numpy.minimum", expr.args)

    def _fold(self, name, args):
        code = self._print(args[0])
        for arg in args[1:]:
            code = f"{name}({code}, {self._print(arg)})"
        return code

    def _print_Function(self, expr):
        name = type(expr).__name__
        if name in NUMPY_FUNCTIONS:
            args = [f"*{a.name}" if a in self._dd else self._print(a) for a in expr.args]
            return f"{name}({', '.join(args)})"
        return super()._print_Function(expr)

    def _print_Float(self, expr):
        return repr(float(expr))

    def _print_Rational(self, expr):
        return repr(float(expr))

    _print_erf = _print_erfc = _print_Function


def _fold_constants(expr: sp.Expr) -> sp.Expr:
    """Numeric factors and terms as one correctly rounded Float each (sqrt(2)/(2 sqrt(pi)) -> 0.3989...)."""

    def fold(e):
        if e.is_Atom or not e.args:
            return e
        if isinstance(e, sp.Piecewise):
            return sp.Piecewise(*[(fold(v), c) for v, c in e.args], evaluate=False)
        if e.is_number and not e.is_Rational:
            return sp.Float(sp.N(e, 40), 40) if e.is_real else e
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
                return e.func(num, *rest, evaluate=False) if rest else num
        return e.func(*args)

    return fold(expr)


def _dd_arguments(exprs, var):
    """Replace inexact polynomial arguments of exp-like nodes by symbols bound to double-double pairs."""
    table: dict[sp.Expr, tuple[sp.Symbol, tuple]] = {}

    def needs_dd(u):
        if not u.has(var) or not u.is_polynomial(var):
            return None
        coeffs = sp.Poly(u, var).all_coeffs()
        if not all(c.is_number and c.is_real for c in coeffs):
            return None
        if len(coeffs) == 2 and coeffs[1] == 0 and coeffs[0].is_Rational:
            c = abs(coeffs[0])
            if c.is_Rational and stable._is_power_of_two(c):
                return None  # c*x is exact
        if len(coeffs) == 1:
            return None
        pairs = []
        for c in coeffs:
            with mpmath.workdps(60):
                value = mpmath.mpf(sp.N(c, 60))
                hi = float(value)
                lo = float(value - mpmath.mpf(hi))
            pairs.append((hi, lo))
        return tuple(pairs)

    def visit(e):
        if type(e).__name__ in stable.EXP_LIKE:
            u = e.args[0]
            if u in table:
                return e.func(table[u][0], *e.args[1:])
            pairs = needs_dd(u)
            if pairs is not None:
                symbol = sp.Symbol(f"dd{len(table)}")
                table[u] = (symbol, pairs)
                return e.func(symbol, *e.args[1:])
        return None

    out = [e.replace(lambda t: visit(t) is not None, visit) for e in exprs]
    return out, {s: pairs for s, pairs in table.values()}


def _source(exprs: list[sp.Expr], var: sp.Symbol, fname: str) -> str:
    exprs, dd = _dd_arguments([stable.stabilize(e) for e in exprs], var)
    exprs = [_fold_constants(e) for e in exprs]
    printer = _Printer(dd_symbols=dd)
    replacements, reduced = sp.cse(exprs, symbols=sp.numbered_symbols("t"), optimizations="basic")
    lines = [f"def {fname}({var.name}):"]
    for symbol, pairs in dd.items():
        lines.append(f"    {symbol.name} = poly_dd({var.name}, {pairs!r})")
    for symbol, value in replacements:
        lines.append(f"    {symbol.name} = {printer.doprint(value)}")
    results = ", ".join(printer.doprint(e) for e in reduced)
    lines.append(f"    return ({results},)")
    return "\n".join(lines)


def _generate(exprs: list[sp.Expr], var: sp.Symbol) -> tuple[Callable, str]:
    free = set().union(*(e.free_symbols for e in exprs)) - {var}
    if free:
        names = ", ".join(sorted(s.name for s in free))
        raise ParameterError("kernel", names, "has no value; give every parameter a number")
    source = _source(exprs, var, "_generated")
    namespace = {"numpy": np, **NUMPY_FUNCTIONS}
    exec(compile(source, f"<symact kernel: {', '.join(map(str, exprs))[:200]}>", "exec"), namespace)
    return namespace["_generated"], source


class Compiled:
    """A compiled elementwise function of one variable; several outputs share one pass.

    Call with an array (``out=`` optional) for the first output; ``all(values)`` gives every output.
    """

    def __init__(self, exprs: list[sp.Expr], var: sp.Symbol = x, patch_zeros: tuple[bool, ...] = ()):
        self.exprs = [sp.sympify(e) for e in exprs]
        self.raw, self.source = _generate(self.exprs, var)
        self.limits = self._limits()
        flags = tuple(patch_zeros) + (False,) * (len(self.exprs) - len(patch_zeros))
        self.patches = [stable.zero_patches(e, var) if flag else [] for e, flag in zip(self.exprs, flags)]

    def _limits(self) -> list[tuple[float, float]]:
        """Each output's value at -inf and +inf: the kernel at the largest magnitude where it is not NaN.

        Values beyond 1e250 mean an infinite limit, below 1e-250 a zero one. Sets ``guard`` for outputs that give NaN at some
        huge finite input (an intermediate overflowing times an underflowing factor, x**3*sech(x)**2):
        there, the kernel returns the limit instead.
        """
        probes = np.array([1e308, 1e300, 1e200, 1e150, 1e100, 1e75, 1e50, 1e38, 1e20])
        with np.errstate(all="ignore"):
            values = [self.raw(np.concatenate([-probes, probes]))]
        limits, self.guard = [], []
        for v in values[0]:
            v = np.broadcast_to(np.asarray(v, dtype=np.float64), (2 * probes.size,))
            sides = []
            for side in (v[: probes.size], v[probes.size :]):
                ok = side[~np.isnan(side)]
                t = float(ok[0]) if ok.size else float("nan")
                if abs(t) > 1e250:  # growing without bound
                    t = float(np.copysign(np.inf, t))
                elif abs(t) < 1e-250:  # decaying like 1/x or faster
                    t = float(np.copysign(0.0, t))
                sides.append(t)
            limits.append(tuple(sides))
            self.guard.append(bool(np.isnan(v).any()))
        return limits

    def all(self, values, outs=None) -> tuple:
        array, dtype, scalar = _prepare(values)
        shape = array.shape
        if not shape:
            array = array.reshape(1)  # helpers work in place: give them a 1-d array
        with np.errstate(all="ignore"):
            results = self.raw(array)
            finite = bool(np.isfinite(np.add.reduce(array, axis=None))) if array.size else True
        done = []
        for i, r in enumerate(results):
            out = None if outs is None else outs[i]
            done.append(
                _finish(r, array, shape, dtype, scalar, finite, self.limits[i], self.guard[i], self.patches[i], out)
            )
        return tuple(done)

    def __call__(self, values, out=None):
        return self.all(values, None if out is None else (out,))[0]


def _prepare(values):
    array = np.asarray(values)
    kind = array.dtype.kind
    if kind not in "fiub":
        raise ParameterError("kernel", "x", f"must be real numbers, got an array of {array.dtype}")
    dtype = array.dtype if kind == "f" else np.dtype(np.float64)
    scalar = np.ndim(values) == 0 and not isinstance(values, np.ndarray)
    return array.astype(np.float64, copy=False), dtype, scalar


def _finish(r, array, shape, dtype, scalar, finite, limits, guard, patches, out):
    r = np.asarray(r)
    if r.dtype != np.float64 or r.shape != array.shape or r is array or not r.flags.writeable:
        r = np.array(np.broadcast_to(r, array.shape), dtype=np.float64)
    for patch in patches:
        patch.apply(array, r)
    if guard:
        with np.errstate(all="ignore"):
            lost = np.isnan(r) & (np.abs(array) > 1e15)
        if lost.any():
            r[lost] = np.where(array[lost] > 0, limits[1], limits[0])
    if not finite:
        bad = ~np.isfinite(array)
        if bad.any():
            special = array[bad]
            r[bad] = np.where(np.isnan(special), np.nan, np.where(special > 0, limits[1], limits[0]))
    r = r.reshape(shape)
    if out is not None:
        if not isinstance(out, np.ndarray) or out.shape != shape:
            raise ParameterError("kernel", "out", f"must be a NumPy array of shape {shape}, got {type(out).__name__}")
        np.copyto(out, r, casting="same_kind")
        return out
    if r.dtype != dtype:
        with np.errstate(all="ignore"):
            r = r.astype(dtype)
    return r[()] if scalar else r


def compile_expr(expr: sp.Expr, var: sp.Symbol = x) -> Compiled:
    """A stable NumPy function of ``var`` for a SymPy expression with no other free symbols.

    >>> float(compile_expr(sp.exp(x) + 1)(0.0))
    2.0
    >>> float(compile_expr(sp.log(1 + sp.exp(x)))(1000.0))    # no overflow: log1p(exp(-|x|)) + max(x, 0)
    1000.0
    """
    return Compiled([expr], var)


# ---- kernels --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Kernel:
    """Compiled f, f' and f'' of one activation. Call it for f; ``grad``/``grad2`` for the derivatives.

    >>> import numpy as np
    >>> f, df = kernel('silu').value_and_grad(np.array([0.0, 1.0]))
    >>> df
    array([0.5       , 0.92767051])
    """

    derivation: Derivation
    _f: Compiled
    _df: Compiled
    _d2f: Compiled
    _both: Compiled
    _df_of_output: Compiled | None

    @property
    def name(self) -> str:
        return self.derivation.name

    def __call__(self, values, out=None):
        """f(x); ``out`` an array of x's shape to write into."""
        return self._f(values, out)

    def grad(self, values, out=None):
        """f'(x), with the kink policy's value at kinks."""
        return self._df(values, out)

    def grad2(self, values, out=None):
        """f''(x)."""
        return self._d2f(values, out)

    def value_and_grad(self, values, out=None):
        """(f(x), f'(x)) in one pass sharing common subexpressions; ``out`` a pair of arrays."""
        return self._both.all(values, out)

    def grad_from_output(self, outputs, out=None):
        """f' computed from y = f(x) alone; ``None`` when f' has no such form."""
        if self._df_of_output is None:
            return None
        return self._df_of_output(outputs, out)

    @property
    def has_output_form(self) -> bool:
        return self._df_of_output is not None

    def source(self) -> str:
        """The generated NumPy code of ``value_and_grad``."""
        return self._both.source

    def __repr__(self) -> str:
        params = ", ".join(f"{k}={v}" for k, v in self.derivation.params.items())
        return f"Kernel({self.name!r}{', ' + params if params else ''}, kink={self.derivation.kink!r})"


def kernel(activation, kink: str = "torch", **params) -> Kernel:
    """Compile an activation (parameters at their defaults unless given) to NumPy kernels.

    >>> float(kernel('leaky_relu', negative_slope=0.1).grad(-3.0))
    0.1
    """
    return _kernel(activation, kink, tuple(sorted(params.items())))


@lru_cache(maxsize=256)
def _kernel(activation, kink, params) -> Kernel:
    from .catalog import Activation, get

    d = derive(activation, kink=kink, **dict(params))
    entry = activation if isinstance(activation, Activation) else None
    if entry is None and isinstance(activation, str):
        try:
            entry = get(activation)
        except Exception:
            entry = None
    defaults = {s: v for s, v in (entry.defaults.items() if isinstance(entry, Activation) else ()) if s not in d.params}
    f, df, d2f = (e.subs(defaults) for e in (d.f, d.df, d.d2f))
    dfy = d.df_of_output.subs(defaults) if d.df_of_output is not None else None
    return Kernel(
        d,
        Compiled([f]),
        Compiled([df], patch_zeros=(True,)),
        Compiled([d2f]),
        Compiled([f, df], patch_zeros=(False, True)),
        Compiled([dfy], y) if dfy is not None else None,
    )
