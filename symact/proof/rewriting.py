"""Checked chains for smooth expressions: rewrites to exp, normal forms and structural zeros."""

from __future__ import annotations

from collections.abc import Callable

import sympy as sp

from symact.errors import SymactError
from symact.functions import expand_named
from symact.precision import precision
from symact.proof.falsify import _close, _evaluate, _mp_callable, _signed
from symact.proof.result import Step


def _exp_form(expr: sp.Expr) -> sp.Expr:
    """sigmoid, softplus, Phi, tanh, sinh, cosh written with exp, log and erf (erfc as 1 - erf); asinh, acosh,
    atanh with log (their principal branches, so ``atanh(tanh(x))`` becomes a logarithm that simplifies to x)."""
    inverse = (sp.asinh, sp.acosh, sp.atanh)
    e = expand_named(expr).rewrite(sp.exp)
    e = e.replace(lambda n: isinstance(n, sp.erfc), lambda n: 1 - sp.erf(n.args[0])) if e.has(sp.erfc) else e
    return e.replace(lambda n: isinstance(n, inverse), lambda n: n.rewrite(sp.log)) if e.has(*inverse) else e


def _normalisers() -> list[tuple[str, Callable[[sp.Expr], sp.Expr]]]:
    return [
        ("expand", sp.expand),
        ("combine fractions and cancel", lambda e: sp.cancel(sp.together(sp.expand_power_exp(e)))),
        ("combine logarithms and simplify", lambda e: sp.simplify(sp.logcombine(e))),
        ("simplify", sp.simplify),
    ]


def _zero(expr: sp.Expr) -> tuple[str, sp.Expr] | None:
    """The first normaliser that turns ``expr`` into a structural zero."""
    for rule, normalise in _normalisers():
        if normalise(expr) == 0:
            return rule, sp.S.Zero
    return None


def _check_rewrite(before: sp.Expr, after: sp.Expr) -> None:
    """A definitional rewrite step is checked numerically at high precision at a few points."""
    symbols = sorted(before.free_symbols | after.free_symbols, key=lambda s: s.name)
    probes = [sp.Rational(3, 7), -sp.Rational(5, 3), sp.Rational(11, 4)]
    f, g = _mp_callable(before, symbols), _mp_callable(after, symbols)
    with precision(60):
        for i in range(len(probes)):
            point = {s: _signed(s, probes[(i + j) % 3]) for j, s in enumerate(symbols)}
            a, b = _evaluate(f, symbols, point), _evaluate(g, symbols, point)
            if a is not None and b is not None and not _close(a, b, 60):
                raise SymactError(f"internal: rewrite step {before} -> {after} does not hold at {point}")


def _smooth_chain(lhs: sp.Expr, rhs: sp.Expr) -> tuple[str, list[Step]] | None:
    """A checked chain lhs = ... = rhs for expressions free of Max, Min, Abs and Piecewise."""
    if lhs == rhs:
        return "identity", [Step(lhs, "left-hand side"), Step(rhs, "same expression")]
    for rule, normalise in _normalisers()[:2]:
        if normalise(lhs - rhs) == 0:
            return "algebra", [Step(lhs, "left-hand side"), Step(rhs, rule)]
    el, er = _exp_form(lhs), _exp_form(rhs)
    steps = [Step(lhs, "left-hand side")]
    if el != lhs:
        _check_rewrite(lhs, el)
        steps.append(Step(el, "rewrite in exp (definitions)"))
    found = _zero(el - er)
    if found is None:
        return None
    rule, _ = found
    middle = sp.cancel(sp.together(sp.expand_power_exp(el)))
    if middle not in (el, er) and middle.count_ops() < el.count_ops() and _zero(middle - el) is not None:
        steps.append(Step(middle, "combine fractions and cancel"))
        rule = "the same normal form"
    if er != rhs:
        steps.append(Step(er, rule))
        _check_rewrite(er, rhs)
        steps.append(Step(rhs, "rewrite back (definitions)"))
    else:
        steps.append(Step(rhs, rule))
    method = "rewriting to exp" if el != lhs or er != rhs else rule
    return method, steps
