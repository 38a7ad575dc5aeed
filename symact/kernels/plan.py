"""The kernel plan: what a kernel computes, decided once per expression; both emitters read it.

``make_plan`` takes the expressions a kernel computes together (f; f'; f and f' in one pass) and decides, once:
the stable forms of ``symact.kernels.printer`` with their double-double arguments, and for each output its
``Finish``, the one description of the post-pass: the Taylor patches of ``symact.kernels.patches``, the
limits at -inf and +inf, and whether a NaN at a huge finite input means the limit (``guard``: an intermediate
overflowing times one underflowing, x**3*sech(x)**2); and whether float32 computes the same result
(``native32``), or a float32 result within a bound with ``symact.kernels.vmath32`` (``float32``). The NumPy emitter (``symact.kernels.compiled``) and the scalar emitter for numba
(``symact.kernels.fused_source``) print the same forms and apply each ``Finish`` in the same order, in arrays
(``Finish.apply``) and as selects (``Finish.selects``). ``part_plans`` gives the plans of a ``Definition``'s
kernel parts; the fused backend builds from them alone.

The limits at -inf and +inf are certified where ``symact.kernels.asymptotics`` finds them (an exact
asymptotic calculus: milliseconds, no clock, no SymPy ``limit``) and ``Finish.certified`` says which; where it
finds none (an oscillation, a cancellation it cannot resolve, an unlisted function) the plan reads the limit
from the float64 forms at 1e20..1e308, as the guard always is: a value beyond 1e250 is an infinite limit,
below 1e-250 a zero one (signed as computed).

>>> from symact.catalog import x
>>> p = make_plan([sp.log(1 + sp.exp(x))], x)
>>> p.forms, p.finishes[0].limits, p.finishes[0].certified, p.finishes[0].guard, p.native32
([s_softplus(x, oo)], (0.0, inf), (True, True), False, False)
"""

from __future__ import annotations

import math
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from functools import cached_property, lru_cache

import numpy as np
import sympy as sp
from sympy.printing.codeprinter import PrintMethodNotImplementedError

from symact.catalog import x
from symact.derivation import y
from symact.errors import ParameterError
from symact.kernels.asymptotics import limit_at_infinity
from symact.kernels.base import PARTS
from symact.kernels.definition import Definition
from symact.kernels.exp_fraction import ExpFraction, exp_fractions
from symact.kernels.float32 import APART, narrowed, ulp_bound, uses_vmath32
from symact.kernels.numpy_code import generate
from symact.kernels.patches import LOSSY, ZeroPatch, chosen_patches, removable_patches
from symact.kernels.printer import stable_forms
from symact.kernels.rational import FLOAT64_BITS
from symact.kernels.underflow import GUARD_BEYOND, guard_beyond
from symact.kernels.zero_slopes import ZeroSlope, kept_zero_slopes
from symact.magnitude import too_large

__all__ = ["Finish", "Plan", "make_plan", "LOSSY", "part_plans", "float32_parts", "PARTS", "GUARD_BEYOND"]


@dataclass(frozen=True)
class Finish:
    """The post-pass of one output, in this order: on the intervals of ``fractions`` the sum as one fraction in
    exp(k*x); inside a patch the Taylor polynomial; with ``guard``, the limit where the formula gave NaN at
    |x| > ``beyond`` (``GUARD_BEYOND`` in the units of the decaying nodes' arguments: ``underflow.guard_beyond``); with
    ``signs``, a zero at |x| > ``beyond`` signed as the certified zero limit on its side (silu' at -1e308 is
    sigmoid(x) + x*sigmoid'(x), +0.0 + -0.0, where the exact value is negative); at -inf and +inf ``limits`` (``certified``: each one proved, not read from the
    float64 forms); NaN stays NaN."""

    patches: tuple[ZeroPatch, ...]
    limits: tuple[float, float]
    guard: bool
    certified: tuple[bool, bool] = (False, False)
    fractions: tuple[ExpFraction, ...] = ()
    beyond: float = GUARD_BEYOND
    signs: bool = False

    def apply(self, r: np.ndarray, array: np.ndarray, finite: bool) -> None:
        """In place on the outputs ``r`` of ``array`` (``finite``: no NaN or inf in it, as already known)."""
        for patch in (*self.fractions, *self.patches):
            patch.apply(array, r)
        low, high = self.limits
        if self.guard:
            with np.errstate(all="ignore"):
                lost = np.isnan(r) & (np.abs(array) > self.beyond)
            if lost.any():
                r[lost] = np.where(array[lost] > 0, high, low)
        if self.signs:
            with np.errstate(all="ignore"):
                zero = (r == 0) & (np.abs(array) > self.beyond)
            if zero.any():
                r[zero] = np.copysign(0.0, np.where(array[zero] > 0, high, low))
        if not finite:
            bad = ~np.isfinite(array)
            if bad.any():
                special = array[bad]
                r[bad] = np.where(np.isnan(special), np.nan, np.where(special > 0, high, low))

    def replaced(self, array: np.ndarray) -> np.ndarray | None:
        """Where the fractions overwrite the output whatever the forms give (None: no fractions)."""
        if not self.fractions:
            return None
        return np.logical_or.reduce([fraction.inside(array) for fraction in self.fractions])

    def selects(
        self,
        name: str,
        v: str,
        shared: dict | None = None,
        patches: bool = True,
        cast: str = "",
        ends: tuple[bool, bool] = (True, True),
        inside: bool = False,
        lean: bool = False,
    ) -> list[str]:
        """The same as straight-line scalar code on ``name`` (the output) and ``v`` (the input): flat selects,
        no early return, so that a compiled loop over it vectorises; ``shared`` as ``ExpFraction.selects``;
        ``patches=False`` leaves the patches out (the caller evaluates them only inside ``window``); ``cast``
        types the limits (``float32``); ``ends``: whether to select the limits at +-inf, and NaN at NaN
        (``symact.kernels.fused_source`` leaves out those its code gives itself; the first needs the second).
        ``inside``: the same where ``v`` lies inside ``window`` (the caller tested it): a patch overwrites what
        the fractions give, and ``v`` is a number, so where no window reaches past ``beyond`` the patches alone
        are left (a loop over them vectorises; with the selects of the ends after them, LLVM kept it scalar).
        ``lean``: without the selects past ``far()`` (guard, signs, the limits at +-inf, NaN): for a loop that
        runs the whole function in the blocks that meet such an x (selects of rare inputs cost silu' 40%)."""
        far = any(abs(p.hi) + p.window > self.beyond for p in self.patches)
        if inside and not far:
            return [line for p in self.patches for line in self._patch(name, v, p)]
        lines = [line for fraction in self.fractions for line in fraction.selects(name, v, shared or {})]
        for p in self.patches if patches else ():
            lines += self._patch(name, v, p)
        if lean:
            return lines
        infinities = ends[0] or self.guard or self.signs
        if infinities:
            high, low = (f"{cast}({_number(t)})" if cast else _number(t) for t in self.limits[::-1])
            lines.append(f"limit = {high} if {v} > 0 else {low}")
        if self.guard:
            lines.append(f"{name} = limit if ({name} != {name}) & (abs({v}) > {self.beyond!r}) else {name}")
        if self.signs:
            zero = f"({name} == 0.0) & (abs({v}) > {self.beyond!r})"
            high, low = (f"{cast}({math.copysign(0.0, t)!r})" for t in self.limits[::-1])
            lines.append(f"{name} = ({high} if {v} > 0 else {low}) if {zero} else {name}")
        if infinities:
            lines.append(f"{name} = {name} if {v} - {v} == 0.0 else limit  # +-inf give the limits")
        if infinities or ends[1]:
            lines.append(f"{name} = {name} if {v} == {v} else {v}  # NaN stays NaN")
        return lines

    def far(self) -> float:
        """The |x| past which a ``lean`` output may differ from the whole ``selects`` (NaN is past it too)."""
        return self.beyond if self.guard or self.signs else sys.float_info.max

    @staticmethod
    def _patch(name: str, v: str, p: ZeroPatch) -> list[str]:
        lines = [f"h = ({v} - {p.hi!r}) - {p.lo!r}", *_polynomial(p.coeffs)]
        return lines + [f"{name} = p if abs({v} - {p.hi!r}) < {p.window!r} else {name}"]

    def window(self, v: str) -> str:
        """The scalar condition that ``v`` lies in some patch's window (where the patches change the output)."""
        return " | ".join(f"(abs({v} - {p.hi!r}) < {p.window!r})" for p in self.patches)


def _number(v: float) -> str:
    return repr(v) if math.isfinite(v) else ("math.nan" if math.isnan(v) else ("-" if v < 0 else "") + "math.inf")


def _polynomial(coeffs: tuple[float, ...], ways: int = 4) -> list[str]:
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


@dataclass(frozen=True, eq=False)
class Plan:
    """What a kernel computes: the ``exprs`` of ``var``, their stable ``forms`` with the double-double
    arguments ``dd``, one ``Finish`` per output, ``native32``, ``float32``; ``raw`` and ``source`` are the forms
    as NumPy code (``symact.kernels.numpy_code``), which the NumPy emitter calls."""

    exprs: tuple[sp.Expr, ...]
    var: sp.Symbol
    forms: list[sp.Expr]
    dd: dict
    finishes: tuple[Finish, ...]
    raw: Callable
    source: str

    @cached_property
    def native32(self) -> bool:
        """Whether computing in float32 gives the float64 result rounded (then both emitters compute float32 in float32)."""
        return (
            not any(f.patches or f.guard or f.fractions for f in self.finishes)
            and all(_exact_in_float32(e, self.var) for e in self.exprs)
            and _same_in_float32(self.raw)
        )

    @cached_property
    def float32(self) -> tuple[float, ...] | None:
        """Each output's float32 error bound in ULPs where float32 results come from ``symact.kernels.vmath32``'s
        short functions outside the Taylor patch windows (``symact.kernels.float32``: the nodes' errors times
        their condition numbers; inside a window the float64 patch, rounded); None where they are the float64
        forms rounded (a sum not certified, a guard whose NaN is not proved impossible, no function of
        ``vmath32`` at all) or the plan is ``native32``. The float32 loop computes its polynomial arguments in
        float64 from their high parts, and the sum itself where the float64 one takes an exp fraction."""
        if self.native32:
            return None
        windows = [tuple((p.hi, p.window) for p in f.patches) for f in self.finishes]
        named = [_named(form, self.dd) for form in self.forms]
        bounds = tuple(
            ulp_bound(form, self.var, w, dd, f.guard) for (form, dd), w, f in zip(named, windows, self.finishes)
        )
        return None if None in bounds or not any(map(uses_vmath32, self.forms)) else bounds

    @cached_property
    def float32_finishes(self) -> tuple[Finish, ...]:
        """Each output's ``Finish`` for the float32 loop of a plan with a ``float32`` bound: its Taylor patches'
        windows narrowed to where a float32 result needs them (``float32.narrowed``: outside them the bound
        holds as outside the float64 windows), a patch no float32 result needs left out. A patch polynomial is
        accurate across its whole window, so inside a narrower one too; fewer elements take it."""
        finishes = []
        for (form, dd), f in zip((_named(form, self.dd) for form in self.forms), self.finishes):
            widths = narrowed(form, self.var, tuple((p.hi, p.window) for p in f.patches), dd, f.guard)
            finishes.append(replace(f, patches=tuple(replace(p, window=w) for p, w in zip(f.patches, widths) if w)))
        return tuple(finishes)


def _named(form: sp.Expr, dd: dict) -> tuple[sp.Expr, tuple]:
    """``form`` with its polynomial arguments named by their coefficients' order, and those (symbol, pairs):
    one form of two plans is then one expression (``float32.ulp_bound`` certifies it once)."""
    used = sorted((pairs, s.name) for s, pairs in dd.items() if form.has(s))
    names = {sp.Symbol(name): sp.Symbol(f"dd{i}") for i, (_, name) in enumerate(used)}
    return form.xreplace(names), tuple((names[sp.Symbol(name)], pairs) for pairs, name in used)


def make_plan(exprs: Sequence[sp.Expr], var: sp.Symbol, patch_zeros: tuple[bool | str, ...] = ()) -> Plan:
    """The plan of the expressions ``exprs`` (no free symbol but ``var``), computed once; ``patch_zeros[i]``:
    patch the zeros of output i (True), or those where its forms lose half their digits (``LOSSY``: f, whose
    terms cancel at a zero of x*tanh(x) + x/(1 + x**2) but not at one of x*sigmoid(x))."""
    return _plan(tuple(sp.sympify(e) for e in exprs), var, tuple(patch_zeros))


@lru_cache(maxsize=512)
def _plan(exprs: tuple[sp.Expr, ...], var: sp.Symbol, patch_zeros: tuple[bool | str, ...]) -> Plan:
    free = set().union(*(e.free_symbols for e in exprs)) - {var}
    if free:
        names = ", ".join(sorted(s.name for s in free))
        raise ParameterError("kernel", names, "has no value; give every parameter a number")
    forms, dd = stable_forms(list(exprs), var, bits=FLOAT64_BITS)  # the kernels compute fractions in float64
    raw, source = generate(forms, dd, var, ", ".join(map(str, exprs)))
    flags = tuple(patch_zeros) + (False,) * (len(exprs) - len(patch_zeros))
    patches = [
        chosen_patches(raw, i, e, var, flag) + removable_patches(e, var)
        for i, (e, flag) in enumerate(zip(exprs, flags))
    ]
    beyond = [guard_beyond(form, dd, var) for form in forms]
    far = _far(raw, len(exprs), sorted({b * k for b in beyond for k in (2.0, 1e3, 1e6) if b * k < 1e20}))
    fractions = [tuple(filter(None, (f.outside(p) for f in exp_fractions(e, var)))) for e, p in zip(exprs, patches)]
    finishes = []
    for p, fr, e, probed, b in zip(patches, fractions, exprs, far, beyond):
        limits, guard, certified, signs = _certified(e, var, probed)
        finishes.append(Finish(p, limits, guard, certified, fr, b, signs))
    return Plan(exprs, var, forms, dd, tuple(finishes), raw, source)


def part_plans(definition: Definition) -> dict[str, Plan | None]:
    """The plan of each kernel part of ``definition`` (``PARTS``), with the parameter defaults substituted;
    ``grad_from_output`` is ``None`` where f' has no form in y = f(x) that NumPy can compute (erfinv)."""
    d = definition.derivation()
    defaults = {s: v for s, v in definition.entry.defaults.items() if s not in d.params}
    f, df, d2f = (e.subs(defaults) for e in (d.f, d.df, d.d2f))
    kept = kept_zero_slopes(definition.entry.expr, definition.values(), x)  # leaky_relu at slope 0: -0.0 left of 0
    f = kept if kept is not None and kept.replace(ZeroSlope, lambda u: 0) == f else f
    dfy = d.df_of_output.subs(defaults) if d.df_of_output is not None else None
    try:
        from_output = make_plan((dfy,), y) if dfy is not None else None
    except PrintMethodNotImplementedError:
        from_output = None
    parts = (make_plan((f,), x, (LOSSY,)), make_plan((df,), x, (True,)), make_plan((d2f,), x, (True,)))
    return dict(zip(PARTS, (*parts, make_plan((f, df), x, (LOSSY, True)), from_output)))


def float32_parts(plans: dict[str, Plan | None]) -> dict[str, tuple[float, ...] | None]:
    """Per part, the float32 bounds its float32 loop computes within (``Plan.float32``), or None (the float64
    forms rounded, or ``native32``). ``value_and_grad`` takes its own where f and f' have theirs too (their plans
    may differ: a guard of f' alone), and f and f' theirs where it does, or where f computes a node of
    ``float32.APART``: then ``value_and_grad`` computes f and f' in float32 as f and f' do
    (``symact.kernels.fused_source``). Either way its f and f' are exactly f and f'. f'' takes its own only
    without Taylor patches: certifying their narrowed windows (``Plan.float32_finishes``) took gelu_tanh's first
    build from 26 to 50 s, for the part that serves double backward alone; patched, it is the float64 f'' rounded.

    >>> from symact.kernels.definition import resolve
    >>> bounds = float32_parts(part_plans(resolve('tanh', 'torch', {})))
    >>> bounds['f'], bounds['value_and_grad'], bounds['grad2'], float32_parts(part_plans(resolve('silu', 'torch', {})))['grad2']
    ((0.51,), (0.51, 0.51), (0.51,), None)
    >>> float32_parts(part_plans(resolve('gelu', 'torch', {})))['f'], _apart(part_plans(resolve('gelu', 'torch', {})))
    ((0.51,), True)
    """
    both = all(plans[p].float32 is not None for p in ("f", "grad", "value_and_grad"))
    paired = both or _apart(plans)
    patched = any(f.patches for f in plans["grad2"].finishes)
    alone = {"f": not paired, "grad": not paired, "value_and_grad": not both, "grad2": patched}
    return {part: None if plan is None or alone.get(part, False) else plan.float32 for part, plan in plans.items()}


def _apart(plans: dict[str, Plan | None]) -> bool:
    """Whether f's float32 loop computes a node of ``float32.APART`` (then ``value_and_grad`` computes f apart)."""
    f = plans["f"]
    return f.float32 is not None and any(type(n).__name__ in APART for e in f.forms for n in sp.preorder_traversal(e))


def _far(raw: Callable, count: int, nearer=()) -> list[tuple[tuple[float, float], bool, tuple[frozenset, frozenset]]]:
    """Each output's limits at -inf and +inf, and its guard: the forms at the largest magnitude where they are
    not NaN (beyond 1e250: an infinite limit; below 1e-250: a zero one), whether any of them is NaN, and at
    each side the sign bits of the zeros they give (at the magnitudes ``nearer`` too)."""
    probes = np.array([1e308, 1e300, 1e200, 1e150, 1e100, 1e75, 1e50, 1e38, 1e20, *sorted(nearer, reverse=True)])
    with np.errstate(all="ignore"):
        values = raw(np.concatenate([-probes, probes]))
    found, n = [], probes.size
    for every in values[:count]:
        every = np.broadcast_to(np.asarray(every, dtype=np.float64), (2 * n,))
        zeros = tuple(frozenset(np.signbit(side[side == 0]).tolist()) for side in (every[:n], every[n:]))
        v = np.concatenate([every[:9], every[n : n + 9]])
        sides = []
        for side in (v[:9], v[9:]):
            ok = side[~np.isnan(side)]
            t = float(ok[0]) if ok.size else float("nan")
            if abs(t) > 1e250:  # growing without bound
                t = float(np.copysign(np.inf, t))
            elif abs(t) < 1e-250:  # decaying like 1/x or faster
                t = float(np.copysign(0.0, t))
            sides.append(t)
        found.append((tuple(sides), bool(np.isnan(v).any()), zeros))
    return found


def _certified(expr: sp.Expr, var: sp.Symbol, probed) -> tuple[tuple[float, float], bool, tuple[bool, bool], bool]:
    """The limits, guard, certified flags and ``signs`` of one output: the certified limit at each side where
    one is found (a zero signed by the sign the expression eventually has, where that is certified, else as the
    float64 forms give it), else the probed one; ``signs`` where the forms give a zero of the other sign far out."""
    (low, high), guard, zeros = probed
    limits, certified, signs = [], [], False
    for side, seen, bits in ((-1, low, zeros[0]), (1, high, zeros[1])):
        found = limit_at_infinity(expr, var, side)
        if found is None or too_large(found[0]):  # exp(exp(exp(exp(3)))): no evaluation ends
            limits.append(seen)
        else:
            value, sign = found
            v = float(value.evalf(40)) if value.is_finite else math.copysign(math.inf, sign)
            if v == 0 and sign:
                signs = signs or bits - {sign < 0} != set()
            limits.append(math.copysign(0.0, sign or (seen if seen == 0 else 1)) if v == 0 else v)
        certified.append(found is not None)
    return (limits[0], limits[1]), guard, (certified[0], certified[1]), signs


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
        fits = abs(v) <= float(np.finfo(np.float32).max)  # 1e300 is no float32 constant (and casts with a warning)
        return fits and sp.Rational(v) == sp.Rational(e) and float(np.float32(v)) == v

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


def _same_in_float32(raw: Callable) -> bool:
    """The float32 evaluation equals the float64 one rounded, on a dense probe (a check of the rule)."""
    rng = np.random.default_rng(0)
    grid = np.concatenate([np.linspace(-10, 10, 4001), 10 ** rng.uniform(-40, 38, 2000) * rng.choice([-1, 1], 2000)])
    probe = np.concatenate([grid, [0.0, -0.0, np.inf, -np.inf, np.nan, 3.4e38, -3.4e38, 1e-45]]).astype(np.float32)
    with np.errstate(all="ignore"):  # the cast to float32 overflows where the function exceeds its range
        wide = raw(probe.astype(np.float64))
        narrow = raw(probe)
        for w, n in zip(wide, narrow):
            w = np.broadcast_to(np.asarray(w, dtype=np.float64), probe.shape).astype(np.float32)
            n = np.broadcast_to(np.asarray(n), probe.shape)
            if n.dtype != np.float32 and np.ndim(n) and n.dtype.kind == "f":
                return False
            if not np.array_equal(w, n.astype(np.float32), equal_nan=True):
                return False
    return True
