"""Piecewise-linear lowering: Piecewise nodes as clip, bool masks and products instead of ``numpy.where``.

relu', hardtanh', step functions and ramps are constant or linear between breakpoints of one symbol.
``lower_piecewise`` writes a continuous ramp as ``clip``, a two-valued function as one or two comparisons
(``band``), a step function as a sum of comparison masks (``steps``), and a ramp that is 0 outside an interval
as its linear part times a mask, whenever the result equals the ``where`` chain exactly; the generated code
calls ``steps`` and ``band``.

>>> from symact.catalog import x
>>> from symact.kernels.printer import KernelPrinter
>>> printer = KernelPrinter()
>>> lower_piecewise(sp.Piecewise((0, x < 0), (1, True)), printer)
piece0(x)
>>> print(printer.pieces['piece0'])
band(x, (('ge', 0.0),), 'and', 1.0, 0.0)
"""

from __future__ import annotations

import numpy as np
import sympy as sp

from symact.kernels.printer import KernelPrinter

__all__ = ["lower_piecewise", "steps", "band", "tie_max", "tie_min", "tie_clip"]


def steps(t: np.ndarray, v0: float, terms: tuple) -> np.ndarray:
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


def band(t: np.ndarray, masks: tuple, join: str, scale: float, offset: float) -> np.ndarray:
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


def tie_max(a: np.ndarray | float, b: np.ndarray | float) -> np.ndarray:
    """``numpy.maximum(a, b)`` that gives ``b`` at a tie: where -0.0 meets 0.0, NumPy does not say which it
    returns (the printer calls this where a tie can be one; NaN propagates as in ``maximum``).

    >>> np.signbit(tie_max(0.0, np.array([-0.0, -1.0]))).tolist()
    [True, False]
    """
    return _tie(np.maximum(a, b), a, b)


def tie_min(a: np.ndarray | float, b: np.ndarray | float) -> np.ndarray:
    """``numpy.minimum(a, b)`` that gives ``b`` at a tie, as ``tie_max``."""
    return _tie(np.minimum(a, b), a, b)


def tie_clip(u: np.ndarray, lo: float, hi: float) -> np.ndarray:
    """``numpy.clip(u, lo, hi)`` that gives ``u`` at a tie with a zero bound, as ``tie_max`` (other ties are
    the same bits either way)."""
    return _tie(np.clip(u, lo, hi), u, u, u == 0.0)


def _tie(r, a, b, tie=None):
    tie = a == b if tie is None else tie
    if np.ndim(r) == 0:
        return b if tie else r
    np.copyto(r, b, where=tie)
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
    # the floats next to the outer cuts (cut -+ 1 is the cut itself at 1e20)
    outer = [float(np.nextafter(cuts[0], -np.inf)), float(np.nextafter(cuts[-1], np.inf))]
    probes = outer[:1] + [p for a, b in zip(cuts, cuts[1:]) for p in (a, (a + b) / 2)] + cuts[-1:] + outer[1:]

    def value(p):
        v = expr.subs(var, sp.Rational(p))  # the float itself: a cut 10**300 rounds to 1e300, right of it
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


def _gate_form(expr: sp.Piecewise) -> sp.Expr:
    """Piecewise ramps without ``numpy.where``; ``expr`` itself when no form applies.

    ``x - clip(x, a, b)`` when that is the function (softshrink), else ``h(x) * mask`` when every
    branch is 0 or one linear h (threshold, hardshrink): h*1 and h*0 are exact; plus 0.0 (``_PlusZero``) where
    h*0 would be -0.0 and the where chain's 0.0 is wanted, unless h itself may be -0.0 where the mask is 1.
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
        a, b = (sp.Rational(c) for c in cuts)  # the floats themselves: nsimplify(1e-300) is 0
        candidate = var - sp.Min(b, sp.Max(a, var))
        probes = [a - 3, a - 1, a, (a + b) / 2, (3 * a + b) / 4, b, b + 1, b + 3]
        if all(sp.simplify(expr.subs(var, p) - candidate.subs(var, p)) == 0 for p in probes):
            return candidate
        return expr
    if len(nonzero) != 1 or abs(nonzero[0].coeff(var, 1)) > 1:
        return expr  # |h| could overflow where the mask is 0: inf*0 would be NaN
    if _zeros_unsigned(nonzero[0], var, indicator, cuts):
        return nonzero[0] * indicator
    if nonzero[0].coeff(var, 0) != 0 or indicator.subs(var, 0) == 0:  # h is never -0.0 where the mask is 1
        return _PlusZero(nonzero[0] * indicator)  # + 0.0 turns the -0.0 of h*0 into the where chain's 0.0
    return expr


_PlusZero = sp.Function("_plus_zero")  # printed by ``lower_piecewise`` as its argument + 0.0


def _zeros_unsigned(h: sp.Expr, var: sp.Symbol, indicator: sp.Piecewise, cuts) -> bool:
    """Whether h*mask gives +0.0 wherever the mask is 0, as the where chain does (torch's threshold below its
    cut: x*0 is -0.0 for x < 0): h, linear, is positive at the ends of each region where the mask is 0.

    >>> from symact.catalog import x
    >>> ind = sp.Piecewise((1, x > 1), (0, True))
    >>> _zeros_unsigned(x, x, ind, [1.0]), _zeros_unsigned(x + 5, x, sp.Piecewise((1, x < -2), (0, True)), [-2.0])
    (False, True)
    """
    a, b = (float(h.coeff(var, k)) for k in (1, 0))
    ends = [-1e300, 1e300, -0.0, 0.0, *cuts] + [
        float(np.nextafter(c, side)) for c in cuts for side in (-np.inf, np.inf)
    ]
    for p in ends:
        if indicator.subs(var, sp.Rational(p)) == 0 and np.signbit(np.float64(a) * p + b):
            return False
    return True


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


def lower_piecewise(expr: sp.Expr, printer: KernelPrinter) -> sp.Expr:
    """Piecewise nodes without ``numpy.where``: clip for continuous ramps, bool masks for step functions.

    Step functions become placeholder calls (printed from ``printer.pieces``), so that common
    subexpression elimination cannot split their conditions.
    """

    def fast(pw):
        clip = _clip_form(pw)
        if clip is not None:
            return clip
        found, stepped = _band(pw), None
        if found is None:
            stepped = _step_terms(pw)
        if found is not None:
            var, masks, join, scale, offset = found
            code = f"band({printer._print(var)}, {masks!r}, {join!r}, {scale!r}, {offset!r})"
        elif stepped is not None:
            var, v0, terms = stepped
            code = f"steps({printer._print(var)}, {v0!r}, {terms!r})"
        else:
            gated = _gate_form(pw)
            if gated.func is not _PlusZero:
                return pw if gated is pw else lower_piecewise(gated, printer)
            (var,) = pw.free_symbols
            code = f"{printer.doprint(lower_piecewise(gated.args[0], printer))} + 0.0"
        same = [n for n, c in printer.pieces.items() if c == code]  # f and f' share a mask: cse keeps one
        name = same[0] if same else f"piece{len(printer.pieces)}"
        printer.pieces[name] = code
        return sp.Function(name)(var)

    return expr.replace(lambda e: isinstance(e, sp.Piecewise), fast)
