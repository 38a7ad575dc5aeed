"""Compiled NumPy functions of one variable: generated code plus the pass that makes it safe to call.

``compile_expr`` and ``lambdify`` turn a SymPy expression into a ``Compiled`` function: the stable forms of
``symact.kernels.printer``, lowered by ``symact.kernels.lowering``, with common subexpressions shared,
printed and executed once. A call computes in float64 (in float32 where that gives the same result) and
returns the input's float dtype (bfloat16 and other extension floats are computed in float64 and rounded
once), keeps the shape (0-d, empty, n-d), accepts ``out=`` and ``where=`` (``symact.kernels.arrays``), never warns, applies the Taylor patches of
``symact.kernels.patches``, and maps NaN to NaN and +-inf to the limits of the function there.

>>> import numpy as np
>>> from symact.catalog import Activation, x
>>> fn = compile_expr(sp.log(1 + sp.exp(x)))
>>> fn(np.array([-800.0, 0.0, 800.0, np.nan])).tolist()
[0.0, 0.6931471805599453, 800.0, nan]
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import sympy as sp

from symact.budget import DEFAULT_BUDGETS, validate, within
from symact.catalog import Activation, x
from symact.errors import ParameterError
from symact.kernels.arrays import as_input, check_outs, deliver
from symact.kernels.lowering import band, lower_piecewise, steps
from symact.kernels.patches import removable_patches, zero_patches
from symact.kernels.printer import NUMPY_FUNCTIONS, KernelPrinter, stable_forms

__all__ = ["compile_expr", "lambdify"]


def _exact_in_float32(expr: sp.Expr, var: sp.Symbol) -> bool:
    """Whether computing ``expr`` in float32 gives the float64 result rounded: only selections
    (max, min, pieces, |x|) of x and float32 constants, and single +-*/ of those (one rounding: from
    binary64 to binary32 a double rounding of one basic operation is innocuous).
    """

    def leaf(e):
        if e == var:
            return True
        if not (e.is_Rational or e.is_Float) or not e.is_finite:
            return False
        v = float(e)
        return sp.Rational(v) == sp.Rational(e) and float(np.float32(v)) == v

    def ok(e):
        if leaf(e) or e in (sp.true, sp.false):
            return True
        if isinstance(e, (sp.Max, sp.Min, sp.Piecewise, sp.And, sp.Or, sp.Not, sp.core.relational.Relational)):
            return all(ok(a) for a in e.args)
        if isinstance(e, sp.Abs):
            return ok(e.args[0])
        if isinstance(e, sp.core.containers.Tuple):  # Piecewise's (value, condition) pairs
            return all(ok(a) for a in e.args)
        if isinstance(e, (sp.Add, sp.Mul)):
            return all(leaf(a) for a in e.args)
        return False

    return ok(expr)


def _source(exprs: list[sp.Expr], var: sp.Symbol, fname: str) -> str:
    exprs, dd = stable_forms(exprs, var)
    printer = KernelPrinter(dd_symbols=dd)
    exprs = [lower_piecewise(e, printer) for e in exprs]
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
    namespace = {"numpy": np, "steps": steps, "band": band, **NUMPY_FUNCTIONS}
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
        self.patches = [
            (zero_patches(e, var) if flag else ()) + removable_patches(e, var) for e, flag in zip(self.exprs, flags)
        ]
        self.special_safe = self._special_safe()
        self.native32 = (
            not any(self.patches) and not any(self.guard) and all(_exact_in_float32(e, var) for e in self.exprs)
        )
        self.native32 = self.native32 and self._same_in_float32()

    def _same_in_float32(self) -> bool:
        """The float32 evaluation equals the float64 one rounded, on a dense probe (a check of the rule)."""
        rng = np.random.default_rng(0)
        grid = np.concatenate(
            [np.linspace(-10, 10, 4001), 10 ** rng.uniform(-40, 38, 2000) * rng.choice([-1, 1], 2000)]
        )
        probe = np.concatenate([grid, [0.0, -0.0, np.inf, -np.inf, np.nan, 3.4e38, -3.4e38, 1e-45]]).astype(np.float32)
        with np.errstate(all="ignore"):  # the cast to float32 overflows where the function exceeds its range
            wide = self.raw(probe.astype(np.float64))
            narrow = self.raw(probe)
            for w, n in zip(wide, narrow):
                w = np.broadcast_to(np.asarray(w, dtype=np.float64), probe.shape).astype(np.float32)
                n = np.broadcast_to(np.asarray(n), probe.shape)
                if n.dtype != np.float32 and np.ndim(n) and n.dtype.kind == "f":
                    return False
                if not np.array_equal(w, n.astype(np.float32), equal_nan=True):
                    return False
        return True

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
            results = self.raw(array)
            finite = self.special_safe or not array.size or bool(np.isfinite(np.add.reduce(array, axis=None)))
        done, seen = [], []
        for i, r in enumerate(results):
            r = np.asarray(r)
            fresh = r.flags.writeable and not any(np.may_share_memory(r, a) for a in [array, *seen])
            if r.dtype != array.dtype or r.shape != array.shape or not fresh:
                r = np.array(np.broadcast_to(r, array.shape), dtype=array.dtype)  # a fresh array of its own
            seen.append(r)
            _finish(r, array, finite, self.limits[i], self.guard[i], self.patches[i])
            done.append(r.reshape(shape))
        return deliver(tuple(done), dtype, scalar, outs, where)

    def __call__(self, values, out=None, where=True):
        return self.all(values, out, where)[0]


def _finish(r, array, finite, limits, guard, patches) -> None:
    """The post-pass, in place: Taylor patches, the limits where an intermediate overflowed, NaN and +-inf."""
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


def compile_expr(expr: sp.Expr, var: sp.Symbol = x) -> Compiled:
    """A stable NumPy function of ``var`` for a SymPy expression with no other free symbols.

    >>> float(compile_expr(sp.exp(x) + 1)(0.0))
    2.0
    >>> float(compile_expr(sp.log(1 + sp.exp(x)))(1000.0))    # no overflow: log1p(exp(-|x|)) + max(x, 0)
    1000.0
    """
    return Compiled([expr], var)


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
    expr = expr.subs({s: x for s in expr.free_symbols if s.name == "x" and s != x})
    symbols = {s: s for s in expr.free_symbols if s != x}
    expr = expr.subs(Activation("lambdify", expr, symbols).bind(**params))
    left = sorted(s.name for s in expr.free_symbols if s != x)
    if left:
        raise ParameterError("lambdify", left[0], f"is still symbolic; give it a value: lambdify(expr, {left[0]}=...)")
    with within(validate(budget, "lambdify"), "lambdify"):
        return compile_expr(expr)
