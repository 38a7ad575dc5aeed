"""Compile symbolic activations to NumPy kernels: f, f', f'' on arrays of any shape.

Kernels keep float32 as float32 and float64 as float64, evaluate piecewise branches
under ``numpy.errstate`` (a discarded branch never warns), and are cached.

>>> import numpy as np
>>> k = kernel('relu')
>>> k(np.array([-1.0, 0.0, 2.0]))
array([0., 0., 2.])
>>> k.grad(np.array([-1.0, 0.0, 2.0]))          # torch's convention: relu'(0) = 0
array([0., 0., 1.])
>>> kernel('sigmoid')(np.float32(0)).dtype
dtype('float32')
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import sympy as sp
from sympy.printing.numpy import NumPyPrinter

from .catalog import x
from .derive import Derivation, derive, y
from .errors import ParameterError

__all__ = ["Kernel", "kernel", "compile_expr", "NUMPY_FUNCTIONS"]

try:  # scipy is optional: its erf is vectorised; math.erf is the fallback
    from scipy.special import erf as _erf
    from scipy.special import erfc as _erfc
except ImportError:  # pragma: no cover - exercised by a test that hides scipy
    _erf_scalar = np.frompyfunc(math.erf, 1, 1)
    _erfc_scalar = np.frompyfunc(math.erfc, 1, 1)

    def _erf(t):
        t = np.asarray(t)
        return np.asarray(_erf_scalar(t), dtype=t.dtype if t.dtype.kind == "f" else np.float64)

    def _erfc(t):
        t = np.asarray(t)
        return np.asarray(_erfc_scalar(t), dtype=t.dtype if t.dtype.kind == "f" else np.float64)


def _sigmoid(t):
    """1/(1 + exp(-t)) without overflow: exp only of -|t|."""
    e = np.exp(-np.abs(t))
    return np.where(t >= 0, 1 / (1 + e), e / (1 + e))


def _softplus(t):
    return np.logaddexp(0, t)


def _phi(t):
    return 0.5 * _erfc(-t * 0.7071067811865476)


NUMPY_FUNCTIONS: dict[str, Callable] = {
    "sigmoid": _sigmoid,
    "softplus": _softplus,
    "Phi": _phi,
    "erf": _erf,
    "erfc": _erfc,
}


class _Printer(NumPyPrinter):
    """NumPy code with Piecewise as nested ``where`` and Max/Min as ``maximum``/``minimum``."""

    def _print_Piecewise(self, expr):
        code = "numpy.nan"
        for value, cond in reversed(expr.args):
            if cond is sp.true:
                code = self._print(value)
            else:
                code = f"numpy.where({self._print(cond)}, {self._print(value)}, {code})"
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
            return f"{name}({', '.join(self._print(a) for a in expr.args)})"
        return super()._print_Function(expr)

    _print_erf = _print_erfc = _print_Function


def compile_expr(expr: sp.Expr, var: sp.Symbol = x) -> Callable:
    """A NumPy function of ``var`` for a SymPy expression with no other free symbols.

    >>> float(compile_expr(sp.exp(x) + 1)(0.0))
    2.0
    """
    free = expr.free_symbols - {var}
    if free:
        names = ", ".join(sorted(s.name for s in free))
        raise ParameterError("kernel", names, "has no value; give every parameter a number")
    raw = sp.lambdify(var, expr, modules=[NUMPY_FUNCTIONS, "numpy"], printer=_Printer, cse=True)

    def run(values):
        with np.errstate(all="ignore"):
            out = raw(values)
        return np.broadcast_to(out, np.shape(values)) if np.ndim(out) < np.ndim(values) else out

    run.__doc__ = f"NumPy kernel for {expr}"
    return run


@dataclass(frozen=True)
class Kernel:
    """Compiled f, f' and f'' of one activation. Call it for f; ``grad``/``grad2`` for the derivatives."""

    derivation: Derivation
    _f: Callable
    _df: Callable
    _d2f: Callable
    _df_of_output: Callable | None

    @property
    def name(self) -> str:
        return self.derivation.name

    def __call__(self, values):
        return _apply(self._f, values)

    def grad(self, values):
        """f'(x), with the kink policy's value at kinks."""
        return _apply(self._df, values)

    def grad2(self, values):
        return _apply(self._d2f, values)

    def value_and_grad(self, values):
        return self(values), self.grad(values)

    def grad_from_output(self, outputs):
        """f' computed from y = f(x) alone; ``None`` when f' has no such form."""
        if self._df_of_output is None:
            return None
        return _apply(self._df_of_output, outputs)

    @property
    def has_output_form(self) -> bool:
        return self._df_of_output is not None

    def __repr__(self) -> str:
        params = ", ".join(f"{k}={v}" for k, v in self.derivation.params.items())
        return f"Kernel({self.name!r}{', ' + params if params else ''}, kink={self.derivation.kink!r})"


def _apply(function: Callable, values):
    array = np.asarray(values)
    if array.dtype.kind not in "fiub":
        raise ParameterError("kernel", "x", f"must be real numbers, got an array of {array.dtype}")
    dtype = array.dtype if array.dtype.kind == "f" else np.dtype(np.float64)
    out = np.asarray(function(array.astype(dtype, copy=False)), dtype=dtype)
    if np.ndim(values) == 0 and not isinstance(values, np.ndarray):
        return out[()]
    return out


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
        d, compile_expr(f), compile_expr(df), compile_expr(d2f), compile_expr(dfy, y) if dfy is not None else None
    )
