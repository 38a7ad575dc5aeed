"""Compile symbolic activations to NumPy kernels: f, f', f'' on arrays of any shape.

The expressions from ``derive`` go through ``symact.kernels.stable.stabilize`` (exp(-|x|) splits,
log1p/expm1, erfc, 1/cosh^2, double-double arguments), then common subexpressions are shared and
the code is generated once and cached. Kernels compute in float64 and return the input's float
dtype (float32 stays float32; bfloat16 and other extension floats are computed in float64 and
rounded once to their dtype), keep the shape (0-d, empty, n-d), accept ``out=``, never warn,
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
from sympy.printing.codeprinter import PrintMethodNotImplementedError
from sympy.printing.numpy import NumPyPrinter

from symact.kernels import stable
from symact.catalog import x
from symact.derivation import Derivation, derive, y
from symact.errors import ParameterError, SymactError

__all__ = ["Kernel", "kernel", "compile_expr", "lambdify", "NUMPY_FUNCTIONS", "ULP_BOUNDS"]

# Names the generated code may call, besides numpy.
NUMPY_FUNCTIONS: dict[str, Callable] = dict(stable.HELPERS)

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
        self.pieces: dict[str, str] = {}  # placeholder function name -> code (see _fast_piecewise)

    def _print_Piecewise(self, expr):
        code = "numpy.nan"
        for value, cond in reversed(expr.args):
            text = repr(float(value)) if value.is_Integer else self._print(value)  # float branches: no int arrays
            if cond is sp.true:
                code = text
            else:
                code = f"numpy.where({self._print(cond)}, {text}, {code})"
        return code

    def _print_Add(self, expr, **kwargs):
        leaky = _leaky_form(expr)
        if leaky is not None:
            u, k = leaky
            name = "numpy.maximum" if k < 1 else "numpy.minimum"
            return f"{name}({self._print(u)}, {k!r}*{self._print(u)})"
        return super()._print_Add(expr, **kwargs)

    def _print_Max(self, expr):
        return self._fold("numpy.maximum", expr.args)

    def _print_Min(self, expr):
        inner = [a for a in expr.args if isinstance(a, sp.Max)]
        if len(expr.args) == 2 and len(inner) == 1 and len(inner[0].args) == 2:
            (hi,) = [a for a in expr.args if a is not inner[0]]
            lo = [a for a in inner[0].args if a.is_number]
            u = [a for a in inner[0].args if not a.is_number]
            if hi.is_number and len(lo) == 1 and len(u) == 1 and float(lo[0]) <= float(hi):
                # min(hi, max(lo, u)): one pass of clip instead of two (clip propagates NaN)
                return f"numpy.clip({self._print(u[0])}, {float(lo[0])!r}, {float(hi)!r})"
        return self._fold("numpy.minimum", expr.args)

    def _fold(self, name, args):
        # the array first and constants as floats: numpy.maximum(x, 0.0) is faster than (0, x)
        args = sorted(args, key=lambda a: a.is_number)
        code = self._print(args[0])
        for arg in args[1:]:
            code = f"{name}({code}, {repr(float(arg)) if arg.is_number else self._print(arg)})"
        return code

    def _print_Function(self, expr):
        name = type(expr).__name__
        if name in self.pieces:
            return self.pieces[name]
        if name in NUMPY_FUNCTIONS:
            args = [f"*{a.name}" if a in self._dd else self._print(a) for a in expr.args]
            return f"{name}({', '.join(args)})"
        return super()._print_Function(expr)

    def _print_Float(self, expr):
        return repr(float(expr))

    def _print_Rational(self, expr):
        return repr(float(expr))

    _print_erf = _print_erfc = _print_LambertW = _print_Function


def steps(t, v0: float, terms: tuple) -> np.ndarray:
    """A step function of ``t`` from comparison masks: ``v0 + sum(d * (t > b))`` (``>=`` for ``'ge'``).

    Bool masks cost one byte per element and no branches, far less than ``numpy.where`` with constant
    branches; NaN comes out as ``v0`` and is mended by the kernel's special-value pass.

    >>> steps(np.array([-1.0, 0.0, 2.0]), 0.0, (("gt", 0.0, 1.0),))
    array([0., 0., 1.])
    """
    unit = min((abs(d) for _, _, d in terms), default=1.0)
    counts = [d / unit for _, _, d in terms]
    if all(c == round(c) for c in counts) and sum(abs(c) for c in counts) <= 127:
        # whole multiples of one step: count in int8 (one byte an element), scale once
        acc = np.zeros(np.shape(t), dtype=np.int8)
        for (op, b, _), c in zip(terms, counts):
            m = (np.greater_equal(t, b) if op == "ge" else np.greater(t, b)).view(np.int8)
            if c == 1:
                acc += m
            elif c == -1:
                acc -= m
            else:
                acc += m * np.int8(c)
        r = acc.astype(_float_type(t))
        if unit != 1:
            r *= unit
        if v0 != 0:
            r += v0
        return r
    r = None
    for op, b, d in terms:
        m = np.greater_equal(t, b) if op == "ge" else np.greater(t, b)
        if r is None:
            r = m.astype(_float_type(t))
            if d != 1:
                r *= d
        elif d == 1:
            r += m
        elif d == -1:
            r -= m
        else:
            r += m * d
    if r is None:
        r = np.zeros(np.shape(t))
    if v0 != 0:
        r += v0
    return r


def _float_type(t) -> np.dtype:
    """float32 for float32 input (kernels that compute in float32), float64 otherwise."""
    return np.dtype(np.float32) if getattr(t, "dtype", None) == np.float32 else np.dtype(np.float64)


_COMPARE = {"gt": np.greater, "ge": np.greater_equal, "lt": np.less, "le": np.less_equal}


def band(t, masks: tuple, join: str, scale: float, offset: float) -> np.ndarray:
    """``scale * mask + offset`` with ``mask`` one or two comparisons of ``t``, joined by ``and``/``or``.

    A two-valued step function (relu', leaky_relu', hardtanh') in one or two passes of bool masks.

    >>> band(np.array([-1.0, 0.5, 2.0]), (("gt", 0.0), ("lt", 1.0)), "and", 1.0, 0.0)
    array([0., 1., 0.])
    """
    m = _COMPARE[masks[0][0]](t, masks[0][1])
    if len(masks) > 1:
        other = _COMPARE[masks[1][0]](t, masks[1][1])
        (np.logical_and if join == "and" else np.logical_or)(m, other, out=m)
    r = m.astype(_float_type(t))
    if scale != 1:
        r *= scale
    if offset != 0:
        r += offset
    return r


def _regions(expr: sp.Piecewise):
    """(var, cuts, values) for a Piecewise constant between breakpoints of one symbol, else None.

    ``values`` lists the value left of the first cut, at it, between it and the next, ..., right of the last.
    """
    var, points = None, set()
    for value, cond in expr.args:
        if not value.is_number or not value.is_real:
            return None
        if cond is sp.true:
            continue
        if not isinstance(cond, sp.core.relational.Relational):
            return None
        for side, other in ((cond.lhs, cond.rhs), (cond.rhs, cond.lhs)):
            mirrored = isinstance(side, sp.Abs) and isinstance(side.args[0], sp.Symbol)
            if mirrored:
                side = side.args[0]
            if isinstance(side, sp.Symbol) and other.is_number and other.is_real:
                if var not in (None, side):
                    return None
                var = side
                points |= {float(other), -float(other)} if mirrored else {float(other)}
                break
        else:
            return None
    if var is None or not points:
        return None
    cuts = sorted(points)
    probes = (
        [cuts[0] - 1.0] + [p for a, b in zip(cuts, cuts[1:]) for p in (a, (a + b) / 2)] + cuts[-1:] + [cuts[-1] + 1.0]
    )

    def value(p):
        v = expr.subs(var, sp.Float(p, 60) if p not in cuts else sp.nsimplify(p))
        return float(v) if v.is_number else float("nan")

    values = [value(p) for p in probes]
    if any(np.isnan(values)):
        return None
    return var, cuts, values, probes


def _band(expr: sp.Piecewise):
    """Arguments of ``band`` for a Piecewise taking two values, one of them on a single interval; else None."""
    found = _regions(expr)
    if found is None:
        return None
    var, cuts, values, probes = found
    distinct = sorted(set(values))
    if len(distinct) != 2 or len(cuts) > 2:
        return None
    # the value that the outer regions do not both take is the "inside" one
    outside = values[0] if values[0] == values[-1] else None
    candidates = []
    if outside is not None:
        inside = distinct[1] if outside == distinct[0] else distinct[0]
        inner = [i for i, v in enumerate(values) if v == inside]
        if inner != list(range(inner[0], inner[-1] + 1)):
            return None
        candidates.append((inner, inside, outside, "and"))
        candidates.append(([i for i in range(len(values)) if i not in inner], outside, inside, "or"))
    else:
        first = [i for i, v in enumerate(values) if v == values[0]]
        if first != list(range(len(first))):
            return None
        rest = list(range(len(first), len(values)))
        candidates += [(first, values[0], values[-1], "and"), (rest, values[-1], values[0], "and")]
    best = None
    for where, on, off, join in candidates:
        masks = _interval_masks(where, cuts, len(values), join)
        if masks is None:
            continue
        scale, offset = on - off, off
        if not np.array_equal(band(np.array(probes), masks, join, scale, offset), np.array(values)):
            continue  # scale * mask + offset would round
        cost = len(masks) + (scale != 1) + (offset != 0)
        if best is None or cost < best[0]:
            best = (cost, (var, masks, join, scale, offset))
    return None if best is None else best[1]


def _interval_masks(where: list[int], cuts: list[float], n: int, join: str):
    """Comparisons selecting region indices ``where`` (an interval, or for ``or`` the outside of one)."""
    if join == "or":  # two outer runs: left run ends at some region, right run starts at another
        left = [i for i in where if i < n // 2 + 1 and all(j in where for j in range(i + 1))]
        right = [i for i in where if i not in left]
        if not left or not right or right != list(range(right[0], n)):
            return None
        return _upper_mask(left[-1], cuts) + _lower_mask(right[0], cuts)
    lo, hi = where[0], where[-1]
    masks = ()
    if lo > 0:
        masks += _lower_mask(lo, cuts)
    if hi < n - 1:
        masks += _upper_mask(hi, cuts)
    return masks or None


def _lower_mask(i: int, cuts):
    """t in region i or above: region 2k+1 is the cut k itself, region 2k the interval left of it."""
    return (("ge", cuts[(i - 1) // 2]),) if i % 2 else (("gt", cuts[i // 2 - 1]),)


def _upper_mask(i: int, cuts):
    """t in region i or below."""
    return (("le", cuts[(i - 1) // 2]),) if i % 2 else (("lt", cuts[i // 2]),)


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


def _leaky_form(expr: sp.Add):
    """(u, k) when ``expr`` is max(u, 0) + k*min(u, 0) with k > 0: then it is max(u, k*u) (min for k > 1).

    One multiplication and one comparison pass; each element gets u or k*u exactly as before.
    """
    if len(expr.args) != 2:
        return None
    maxes = [a for a in expr.args if isinstance(a, sp.Max)]
    if len(maxes) != 1:
        return None
    (other,) = [a for a in expr.args if a is not maxes[0]]
    k, rest = other.as_coeff_Mul()
    if not isinstance(rest, sp.Min) or not k.is_number or not k.is_positive or k == 1:
        return None
    if set(maxes[0].args) != set(rest.args) or len(rest.args) != 2 or 0 not in rest.args:
        return None
    (u,) = [a for a in rest.args if a != 0]
    return u, float(k)


def _gate_form(expr: sp.Piecewise) -> sp.Expr:
    """Piecewise ramps without ``numpy.where``; ``expr`` itself when no form applies.

    ``x - clip(x, a, b)`` when that is the function (softshrink), else ``h(x) * mask`` when every
    branch is 0 or one linear h (threshold, hardshrink): h*1 and h*0 are exact.
    """
    values = {v for v, _ in expr.args}
    nonzero = [v for v in values if v != 0]
    if not nonzero or len(nonzero) > 2 or any(len(v.free_symbols) != 1 for v in nonzero):
        return expr
    var = next(iter(nonzero[0].free_symbols))
    if not all(v.is_polynomial(var) and sp.degree(v, var) <= 1 for v in nonzero):
        return expr
    indicator = sp.Piecewise(*[(sp.Integer(int(v != 0)), c) for v, c in expr.args], evaluate=False)
    found = _regions(indicator)
    if found is None or found[0] != var:
        return expr
    cuts = found[1]
    if len(nonzero) == 2 and len(cuts) == 2:
        a, b = (sp.nsimplify(c) for c in cuts)
        candidate = var - sp.Min(b, sp.Max(a, var))
        probes = [a - 3, a - 1, a, (a + b) / 2, (3 * a + b) / 4, b, b + 1, b + 3]
        if all(sp.simplify(expr.subs(var, p) - candidate.subs(var, p)) == 0 for p in probes):
            return candidate
        return expr
    if len(nonzero) != 1 or abs(nonzero[0].coeff(var, 1)) > 1:
        return expr  # |h| could overflow where the mask is 0: inf*0 would be NaN
    return nonzero[0] * indicator


def _clip_form(expr: sp.Piecewise):
    """clip(a*x + b, lo, hi) for a Piecewise that is constant, then increasing linear, then constant, continuous."""
    args = expr.args
    if len(args) != 3 or args[2][1] is not sp.true:
        return None
    (v1, c1), (v2, c2), (v3, _) = args
    if not (v1.is_number and v3.is_number) or v2.is_number:
        return None
    rels = [c for c in (c1, c2) if isinstance(c, sp.core.relational.Relational)]
    if len(rels) != 2:
        return None
    var = next(iter(v2.free_symbols), None)
    if len(v2.free_symbols) != 1 or not all(var in (c.lhs, c.rhs) for c in rels):
        return None
    mid = sp.expand(v2.replace(lambda e: type(e).__name__ == "s_div", lambda e: e.args[0] / e.args[1]))
    if not mid.is_polynomial(var) or sp.degree(mid, var) != 1 or not mid.coeff(var, 1).is_positive:
        return None
    found = _regions(sp.Piecewise((sp.Integer(0), c1), (sp.Integer(1), c2), (sp.Integer(2), True)))
    if found is None or len(found[1]) != 2:
        return None
    _, (a, b), values, _ = found
    if values[0] != 0.0 or values[2] != 1.0 or values[4] != 2.0:
        return None
    lo, hi = sp.nsimplify(a), sp.nsimplify(b)
    if sp.simplify(mid.subs(var, lo) - v1) != 0 or sp.simplify(mid.subs(var, hi) - v3) != 0:
        return None  # not continuous: keep the branches
    return sp.Min(v3, sp.Max(v1, v2, evaluate=False), evaluate=False)


def _step_terms(expr: sp.Piecewise):
    """(var, v0, terms) for ``steps`` when a Piecewise is constant between breakpoints of one symbol.

    None when it is not, or when the sums of the steps would not give every value exactly.
    """
    found = _regions(expr)
    if found is None:
        return None
    var, cuts, values, probes = found
    terms = []
    for k, b in enumerate(cuts):
        left, point, right = values[2 * k], values[2 * k + 1], values[2 * k + 2]
        if point == right:
            terms.append(("ge", b, right - left))
        elif point == left:
            terms.append(("gt", b, right - left))
        else:
            terms += [("ge", b, point - left), ("gt", b, right - point)]
    terms = tuple(t for t in terms if t[2] != 0)
    probe = np.array(probes)
    if not np.array_equal(steps(probe, values[0], terms), np.array(values)):
        return None  # a sum of steps that rounds: keep the where chain
    return var, values[0], terms


def _fast_piecewise(expr: sp.Expr, printer: _Printer) -> sp.Expr:
    """Piecewise nodes without ``numpy.where``: clip for continuous ramps, bool masks for step functions.

    Step functions become placeholder calls (printed from ``printer.pieces``), so that common
    subexpression elimination cannot split their conditions.
    """

    def fast(pw):
        clip = _clip_form(pw)
        if clip is not None:
            return clip
        found = _band(pw)
        if found is not None:
            var, masks, join, scale, offset = found
            code = f"band({printer._print(var)}, {masks!r}, {join!r}, {scale!r}, {offset!r})"
        else:
            found = _step_terms(pw)
            if found is None:
                gated = _gate_form(pw)
                return pw if gated is pw else _fast_piecewise(gated, printer)
            var, v0, terms = found
            code = f"steps({printer._print(var)}, {v0!r}, {terms!r})"
        same = [n for n, c in printer.pieces.items() if c == code]  # f and f' share a mask: cse keeps one
        name = same[0] if same else f"piece{len(printer.pieces)}"
        printer.pieces[name] = code
        return sp.Function(name)(var)

    return expr.replace(lambda e: isinstance(e, sp.Piecewise), fast)


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
    exprs = [_fast_piecewise(e, printer) for e in exprs]
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
            (stable.zero_patches(e, var) if flag else ()) + stable.removable_patches(e, var)
            for e, flag in zip(self.exprs, flags)
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

    def all(self, values, outs=None) -> tuple:
        array, dtype, scalar = _prepare(values, self.native32)
        shape = array.shape
        if not shape:
            array = array.reshape(1)  # helpers work in place: give them a 1-d array
        with np.errstate(all="ignore"):
            results = self.raw(array)
            finite = self.special_safe or not array.size or bool(np.isfinite(np.add.reduce(array, axis=None)))
        done = []
        for i, r in enumerate(results):
            out = None if outs is None else outs[i]
            done.append(
                _finish(r, array, shape, dtype, scalar, finite, self.limits[i], self.guard[i], self.patches[i], out)
            )
        return tuple(done)

    def __call__(self, values, out=None):
        return self.all(values, None if out is None else (out,))[0]


def _prepare(values, native32: bool = False):
    array = np.asarray(values)
    kind = array.dtype.kind
    if kind not in "fiub":
        dtype, array = array.dtype, _extension_float(array)
    else:
        dtype = array.dtype if kind == "f" else np.dtype(np.float64)
    scalar = np.ndim(values) == 0 and not isinstance(values, np.ndarray)
    work = np.float32 if native32 and dtype == np.float32 else np.float64
    return array.astype(work, copy=False), dtype, scalar


def _extension_float(array: np.ndarray) -> np.ndarray:
    """An extension float array (bfloat16, float8 of ml_dtypes) as float64 holding the same values, else an error.

    The result is computed in float64 and rounded once to the input's dtype.
    """
    problem = f"must be real numbers, got an array of {array.dtype}"
    if array.dtype.kind != "V" or array.dtype.fields is not None:
        raise ParameterError("kernel", "x", problem)
    try:
        with np.errstate(all="ignore"):
            wide = array.astype(np.float64)
            exact = np.array_equal(wide.astype(array.dtype).astype(np.float64), wide, equal_nan=True)
    except (TypeError, ValueError):
        exact = False
    if not exact:
        raise ParameterError("kernel", "x", f"{problem}, which does not convert exactly to float64")
    return wide


def _finish(r, array, shape, dtype, scalar, finite, limits, guard, patches, out):
    r = np.asarray(r)
    if r.dtype != array.dtype or r.shape != array.shape or r is array or not r.flags.writeable:
        r = np.array(np.broadcast_to(r, array.shape), dtype=array.dtype)
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


def lambdify(expr) -> Compiled:
    """A stable NumPy function of ``x`` for a SymPy expression, knowing sigmoid, Phi and softplus; the
    variable is matched by the name ``x`` whatever its assumptions, and any other symbol must be fixed first.

    >>> import symact
    >>> d = symact.derive('softplus', beta=1)
    >>> float(lambdify(d.df)(1000.0))
    1.0
    >>> float(lambdify(sp.Symbol('x') ** 2)(3.0))
    9.0
    """
    if not isinstance(expr, sp.Basic):
        raise ParameterError("lambdify", "expr", f"must be a SymPy expression, not {type(expr).__name__}")
    expr = expr.subs({s: x for s in expr.free_symbols if s.name == "x" and s != x})
    left = sorted(s.name for s in expr.free_symbols if s != x)
    if left:
        raise ParameterError("lambdify", left[0], "is still symbolic; fix it first, e.g. Derivation.subs")
    return compile_expr(expr)


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


def kernel(activation, kink: str = "torch", backend: str = "numpy", **params) -> Kernel:
    """Compile an activation (parameters at their defaults unless given) to NumPy kernels.

    ``activation`` is a catalog or ``define``-d name, an expression string, a SymPy expression or the
    object ``define`` returns. The compiled code is cached by the expressions it computes, never by a
    name, so ``define(..., replace=True)`` takes effect at once. ``backend``: ``'numpy'`` (the default),
    ``'numba'`` (fused ufuncs, ``symact.kernels.fused``; needs ``symact[fast]``) or ``'auto'`` (numba when installed).

    >>> float(kernel('leaky_relu', negative_slope=0.1).grad(-3.0))
    0.1
    """
    if backend not in ("auto", "numpy", "numba"):
        raise ParameterError("kernel", "backend", f"must be 'auto', 'numpy' or 'numba', got {backend!r}")
    if backend != "numpy":
        from symact.kernels import fused

        if backend == "numba" or fused.available():
            found = fused.kernel(activation, kink, tuple(sorted(params.items())), strict=backend == "numba")
            if found is not None:
                return found
    try:
        return _kernel_for(activation, kink, params)
    except (TypeError, ValueError, ZeroDivisionError, ArithmeticError) as err:  # one error family
        if isinstance(err, SymactError):
            raise
        raise ParameterError(
            str(activation), "activation", f"could not be compiled ({type(err).__name__}: {err})"
        ) from None


def _kernel_for(activation, kink: str, params: dict) -> Kernel:
    from symact.catalog import Activation, get

    d = derive(activation, kink=kink, **params)
    entry = activation
    if isinstance(activation, str):
        try:
            entry = get(activation)
        except SymactError:
            entry = None
    defaults = {s: v for s, v in entry.defaults.items() if s not in d.params} if isinstance(entry, Activation) else {}
    f, df, d2f = (e.subs(defaults) for e in (d.f, d.df, d.d2f))
    dfy = d.df_of_output.subs(defaults) if d.df_of_output is not None else None
    # One Kernel per derivation object: derive caches a derivation by its definition and the Kernel keeps
    # it alive, so its id names it while the entry lives.
    key = (id(d), f, df, d2f, dfy)
    found = _KERNELS.get(key)
    if found is None or found.derivation is not d:
        if len(_KERNELS) >= 256:
            _KERNELS.pop(next(iter(_KERNELS)))
        found = _KERNELS[key] = Kernel(d, *_compiled(f, df, d2f, dfy))
    return found


_KERNELS: dict[tuple, Kernel] = {}


@lru_cache(maxsize=256)
def _compiled(f, df, d2f, dfy) -> tuple:
    """The compiled outputs of a kernel, keyed by the expressions themselves."""
    try:
        from_output = Compiled([dfy], y) if dfy is not None else None
    except PrintMethodNotImplementedError:  # f' from y needs a function NumPy lacks (erfinv): use f'(x)
        from_output = None
    return (
        Compiled([f]),
        Compiled([df], patch_zeros=(True,)),
        Compiled([d2f]),
        Compiled([f, df], patch_zeros=(False, True)),
        from_output,
    )
