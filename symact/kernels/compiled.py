"""The NumPy emitter: compiled NumPy functions of one variable, a plan's code plus the pass that makes it safe.

``Compiled`` calls the NumPy code of a ``symact.kernels.plan.Plan`` (``symact.kernels.numpy_code``) and applies
each output's ``Finish``; ``compile_expr`` and ``lambdify`` turn a SymPy expression into one. A call computes in float64 (in float32 where that gives the same result) and
returns the input's float dtype (bfloat16 and other extension floats are computed in float64 and rounded
once), keeps the shape (0-d, empty, n-d), accepts ``out=`` and ``where=``
(``symact.kernels.arrays``), never warns, applies the Taylor patches, and maps NaN to NaN and +-inf to the
limits of the function there.

>>> import numpy as np
>>> from symact.catalog import Activation, x
>>> fn = compile_expr(sp.log(1 + sp.exp(x)))
>>> fn(np.array([-800.0, 0.0, 800.0, np.nan])).tolist()
[0.0, 0.6931471805599453, 800.0, nan]
"""

from __future__ import annotations

import numpy as np
import sympy as sp

from symact.budget import DEFAULT_BUDGETS, validate, within
from symact.catalog import Activation, x
from symact.errors import ParameterError, SymactError
from symact.kernels.arrays import as_input, check_outs, deliver
from symact.kernels.plan import Plan, make_plan
from symact.whitelist import within_limits

__all__ = ["compile_expr", "lambdify"]


class Compiled:
    """A compiled elementwise function of one variable: the NumPy emitter of a ``Plan``; several outputs share
    one pass.

    Call with an array (``out=`` optional) for the first output; ``all(values)`` gives every output.
    """

    def __init__(self, plan: Plan):
        self.plan = plan
        self.exprs, self.raw, self.source = list(plan.exprs), plan.raw, plan.source
        self.limits = [finish.limits for finish in plan.finishes]
        self.special_safe = self._special_safe()

    @property
    def native32(self) -> bool:
        """Whether float32 input is computed in float32 (the plan's ``native32``)."""
        return self.plan.native32

    def _special_safe(self) -> bool:
        """Whether the generated code alone maps NaN to NaN and +-inf to the limits, for every output.

        Elementwise code gives an element the same value wherever it stands, so three probes decide it;
        then calls skip the pass that looks for NaN and inf in the input (maximum/minimum propagate NaN).
        """
        probe = np.array([np.nan, np.inf, -np.inf])
        with np.errstate(all="ignore"):
            results = self.raw(probe.copy())
        for r, (low, high) in zip(results, self.limits):
            r = np.broadcast_to(np.asarray(r, dtype=np.float64), probe.shape)
            if not (np.isnan(r[0]) and np.array_equal(r[1:], [high, low], equal_nan=True)):
                return False
        return True

    def _forms(self, array: np.ndarray) -> tuple:
        """The forms' values at ``array``, computed only where some output is not a fraction's (elsewhere the
        outputs are fresh arrays, unset: the fractions overwrite them)."""
        masks = [finish.replaced(array) for finish in self.plan.finishes]
        skip = None if any(m is None for m in masks) else np.logical_and.reduce(masks)
        if skip is None or not skip.any():
            return self.raw(array)
        keep = ~skip
        outputs = []
        for value in self.raw(array[keep]):
            r = np.empty_like(array)
            r[keep] = value
            outputs.append(r)
        return tuple(outputs)

    def all(self, values, out=None, where=True) -> tuple:
        """Every output for ``values``; ``out`` (an array, a tuple of them for several outputs) and ``where`` as
        ``symact.kernels.arrays`` describes."""
        array, dtype, scalar = as_input(values)
        outs = check_outs(array.shape, out, where, len(self.exprs))
        work = np.float32 if self.native32 and dtype == np.float32 else np.float64
        array = array.astype(work, copy=False)
        shape = array.shape
        if not shape:
            array = array.reshape(1)  # helpers work in place: give them a 1-d array
        with np.errstate(all="ignore"):
            results = self._forms(array)
            finite = self.special_safe or not array.size or bool(np.isfinite(np.add.reduce(array, axis=None)))
        done, seen = [], []
        for i, r in enumerate(results):
            r = np.asarray(r)
            fresh = r.flags.writeable and not any(np.may_share_memory(r, a) for a in [array, *seen])
            if r.dtype != array.dtype or r.shape != array.shape or not fresh:
                r = np.array(np.broadcast_to(r, array.shape), dtype=array.dtype)  # a fresh array of its own
            seen.append(r)
            self.plan.finishes[i].apply(r, array, finite)
            done.append(r.reshape(shape))
        return deliver(tuple(done), dtype, scalar, outs, where)

    def __call__(self, values, out=None, where=True):
        return self.all(values, out, where)[0]


def compile_expr(expr: sp.Expr, var: sp.Symbol = x) -> Compiled:
    """A stable NumPy function of ``var`` for a SymPy expression with no other free symbols.

    >>> float(compile_expr(sp.exp(x) + 1)(0.0))
    2.0
    >>> float(compile_expr(sp.log(1 + sp.exp(x)))(1000.0))    # no overflow: log1p(exp(-|x|)) + max(x, 0)
    1000.0

    An expression the kernel printer cannot compute (a SymPy function outside symact's grammar, a coefficient
    beyond float64) is a ``ParameterError``.
    """
    try:
        return Compiled(make_plan((expr,), var))
    except (NameError, NotImplementedError, OverflowError, TypeError) as err:
        if isinstance(err, SymactError):
            raise
        problem = f"cannot be compiled to a NumPy kernel ({type(err).__name__}: {str(err).splitlines()[0]})"
        raise ParameterError("lambdify", "expr", problem) from None


def lambdify(expr: sp.Expr, budget: float | None = DEFAULT_BUDGETS["lambdify"], **params: float | sp.Expr) -> Compiled:
    """A stable NumPy function of ``x`` for a SymPy expression, knowing sigmoid, Phi and softplus; the
    variable is matched by the name ``x`` whatever its assumptions, and every other symbol is given a value by
    name in ``params`` (exact, as ``Derivation.subs``). ``budget`` bounds the seconds spent compiling
    (``ProofTimeout`` past it).

    >>> import symact
    >>> d = symact.derive('softplus')
    >>> float(lambdify(d.df, beta=1)(1000.0))
    1.0
    >>> float(lambdify(sp.Symbol('x') ** 2)(3.0))
    9.0
    """
    if not isinstance(expr, sp.Basic):
        raise ParameterError("lambdify", "expr", f"must be a SymPy expression, not {type(expr).__name__}")
    expr = within_limits(expr, "lambdify", "expr").subs({s: x for s in expr.free_symbols if s.name == "x" and s != x})
    symbols = {s: s for s in expr.free_symbols if s != x}
    expr = expr.subs(Activation("lambdify", expr, symbols).bind(**params))
    left = sorted(s.name for s in expr.free_symbols if s != x)
    if left:
        raise ParameterError("lambdify", left[0], f"is still symbolic; give it a value: lambdify(expr, {left[0]}=...)")
    with within(validate(budget, "lambdify"), "lambdify"):
        return compile_expr(expr)
