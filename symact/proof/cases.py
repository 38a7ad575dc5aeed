"""Case splits at switch points: where branches of max, min, abs and friends switch, and the chain on each piece."""

from __future__ import annotations

import functools
import random

import mpmath
import sympy as sp

from symact.catalog import x
from symact.errors import UndecidedSign
from symact.kinks import is_smooth, resolve, smooth_variants, switch_functions
from symact.magnitude import substituted
from symact.numerics import certified_sign
from symact.precision import precision
from symact.proof.falsify import _evaluate, _mp_callable, _parameter_samples, _sample_points
from symact.proof.result import DIGITS, Step
from symact.proof.rewriting import _exp_form, _smooth_chain, _zero
from symact.proof.zeros import _zeros

_NONSMOOTH = (sp.Max, sp.Min, sp.Abs, sp.sign, sp.Heaviside, sp.Piecewise)


def _order(a: sp.Expr, b: sp.Expr, values: dict) -> int:
    sign = certified_sign((a - b).xreplace(values))
    if sign is None:
        raise UndecidedSign(a - b)
    return sign


def _split_points(diff: sp.Expr, values: dict) -> list[sp.Expr] | None:
    """Every point where a branch of ``diff`` may switch, in a proven order; None if that is out of reach.

    Sound only when each branch's sign pattern on each interval is the same for every allowed
    parameter value, so each switch function's smooth variants must be constants whose sign the
    assumptions decide (a = 0 included: ``a >= 0`` does not decide ``sign(a)``) or have a complete
    list of zeros (``_zeros``). The points' order must then be provable from the parameters' assumptions.
    """
    roots: list[sp.Expr] = []
    for g in switch_functions(diff, only_in_x=False):
        for variant in smooth_variants(g):
            if not variant.has(x):
                if variant.free_symbols and not any((variant.is_positive, variant.is_negative, variant.is_zero)):
                    return None  # a branch decided by a parameter whose sign the assumptions leave open
                continue
            found = _zeros(variant)
            if found is None:
                return None
            roots += found
    unique: list[sp.Expr] = []
    for r in roots:
        if not any(sp.simplify(r - u) == 0 for u in unique):
            unique.append(r)
    try:
        unique.sort(key=functools.cmp_to_key(lambda a, b: _order(a, b, values)))
    except UndecidedSign:
        return None
    for lo, hi in zip(unique, unique[1:]):
        if not sp.simplify(hi - lo).is_positive:
            return None
    return unique


def _case_split(lhs: sp.Expr, rhs: sp.Expr, values: dict) -> tuple[str, list[Step]] | None:
    diff = lhs - rhs
    points = _split_points(diff, values)
    if points is None:
        return None
    numbers = [p.xreplace(values) for p in points]  # exact: each branch below is chosen by certified signs
    if not points:
        reps = [sp.Integer(0)]
    else:
        reps = [numbers[0] - 1] + [(a + b) / 2 for a, b in zip(numbers, numbers[1:])] + [numbers[-1] + 1]
    bounds = [-sp.oo, *points, sp.oo]
    steps = [Step(lhs, "left-hand side")]
    cases = []
    for i, rep in enumerate(reps):
        try:
            left_branch = resolve(lhs, {**values, x: rep})
            right_branch = resolve(rhs, {**values, x: rep})
        except UndecidedSign:
            return None
        if not (is_smooth(left_branch) and is_smooth(right_branch)):
            return None
        chain = _smooth_chain(left_branch, right_branch)
        if chain is None:
            return None
        cases.append((bounds[i], bounds[i + 1], left_branch, right_branch, chain[1][-1].rule))
    for p in points:
        at = substituted(lhs - rhs, {x: p})
        if at is None or not (is_smooth(at := _settle(at)) and _zero(at) is not None):
            return None
    pieces_l = sp.Piecewise(*[(c[2], x < c[1]) for c in cases[:-1]], (cases[-1][2], True))
    pieces_r = sp.Piecewise(*[(c[3], x < c[1]) for c in cases[:-1]], (cases[-1][3], True))
    method = f"case split at x = {', '.join(sp.sstr(p) for p in points)}" if points else "one case: no switch point"
    steps.append(Step(pieces_l, method))
    steps.append(Step(pieces_r, "equal on every interval and at every split point"))
    steps.append(Step(rhs, "case split read back"))
    return method, steps


def _identically_zero(g: sp.Expr) -> bool:
    """g = 0 for every real x and parameter, by an exact rewrite; tried only when g is tiny at sample points."""
    if not is_smooth(g):
        return False
    symbols = sorted(g.free_symbols, key=lambda s: s.name)
    fn = _mp_callable(g, symbols)
    with precision(DIGITS):
        for point in _sample_points(g, 6, symbols=symbols)[:6]:
            value = _evaluate(fn, symbols, point)
            if value is not None and abs(value) > mpmath.mpf(10) ** (-DIGITS // 2):
                return False
    return _zero(_exp_form(g)) is not None


@functools.lru_cache(maxsize=256)  # keyed by the expression; a timeout raises, so nothing partial is kept
def _settle(expr: sp.Expr) -> sp.Expr:
    """Switch functions of exact constants resolved by certified signs; those of identically-zero arguments
    replaced by their value at 0 (``sign(sigmoid(x) + sigmoid(-x) - 1)`` is 0). Others are left as they are."""
    if not expr.args or is_smooth(expr):
        return expr
    expr = expr.func(*[_settle(a) if isinstance(a, sp.Expr) else a for a in expr.args])
    if not isinstance(expr, _NONSMOOTH) or isinstance(expr, sp.Piecewise):
        return expr
    if not expr.free_symbols:
        try:
            return resolve(expr, {})
        except UndecidedSign:
            return expr
    if isinstance(expr, (sp.Max, sp.Min)):
        kept = [a for i, a in enumerate(expr.args) if not any(_identically_zero(a - b) for b in expr.args[:i])]
        return expr.func(*kept) if len(kept) < len(expr.args) else expr
    if _identically_zero(expr.args[0]):
        return resolve(expr.func(sp.Integer(0), *expr.args[1:]), {})
    return expr


def _values_for(expr: sp.Expr) -> dict:
    """One sample value per parameter (respecting its assumptions), to order kinks and pick branches."""
    rng = random.Random(1)
    return {s: _parameter_samples(s, rng, 1)[0] for s in expr.free_symbols if s != x}
