"""Proofs of identities ``lhs = rhs``: proved (a checked symbolic chain), refuted (a counterexample) or unknown.

Only a symbolic zero earns ``proved``; numerical agreement alone is ``unknown``.

>>> prove('tanh(x) + 1', '2*sigmoid(2*x)')
Proof(proved, by rewriting to exp; 4 steps; numeric check at 64 points, 50 digits)
>>> prove('tanh(x) + 1', '2*sigmoid(x)')
Proof(refuted: x = 1 gives 1.7616 != 1.4621)
"""

from __future__ import annotations

from collections.abc import Mapping

import sympy as sp

from symact.budget import DEFAULT_BUDGETS, guard, validate, within
from symact.catalog import x
from symact.defined import surely
from symact.errors import ProofTimeout, SymactError
from symact.functions import Phi, sigmoid, softplus
from symact.isolation import isolatable
from symact.kinks import is_smooth, switch_functions
from symact.magnitude import risky
from symact.proof.calculus import _by_derivative
from symact.proof.cases import _case_split, _settle, _values_for
from symact.proof.derivatives import derivative_kinks, kink_details, off_kinks
from symact.proof.domain import domain_details
from symact.proof.falsify import _falsify, _tiny_difference
from symact.proof.inputs import _infinite, _no_verdict, _raw, _unify, _written
from symact.proof.result import PROVED, REFUTED, UNKNOWN, Proof, Step, _text
from symact.proof.rewriting import _smooth_chain


def _symbolic(lhs: sp.Expr, rhs: sp.Expr) -> tuple[str, list[Step]] | None:
    if lhs == rhs or (is_smooth(lhs) and is_smooth(rhs)):
        return _smooth_chain(lhs, rhs) or _by_derivative(lhs, rhs)
    for rewrite, rule in (
        (_settle, "switch functions of exact zeros and constants settled (certified signs)"),
        (_commute, "increasing functions taken out of max, min and abs"),
    ):
        new_l, new_r = rewrite(lhs), rewrite(rhs)
        if (new_l, new_r) != (lhs, rhs):
            found = _symbolic(new_l, new_r)
            if found is None:
                return None
            before = [Step(new_l, rule)] if new_l != lhs else []
            after = [Step(rhs, rule)] if new_r != rhs else []
            return found[0], [Step(lhs, "left-hand side"), *before, *found[1][1:], *after]
    found = _case_split(lhs, rhs, _values_for(lhs - rhs))
    if found is None:
        found = _parameter_split(lhs, rhs)
    if found is None and not risky(lhs - rhs) and sp.simplify(lhs - rhs) == 0:
        return "simplify", [Step(lhs, "left-hand side"), Step(rhs, "simplify")]
    return found


_INCREASING = (sp.exp, sp.tanh, sp.sinh, sp.erf, sp.atan, sp.asinh, sigmoid, Phi, softplus)
_ODD_INCREASING = (sp.tanh, sp.sinh, sp.erf, sp.atan, sp.asinh)


def _commute(expr: sp.Expr) -> sp.Expr:
    """max(f(a), f(b)) = f(max(a, b)) and min likewise for f increasing on all reals; |f(a)| = f(|a|) for f odd
    and increasing. Identities for every real argument, so both sides may be rewritten by them; an argument not
    known to be real is left alone (|atan(log(x))| is not atan(|log(x)|) at x = -1)."""

    def pull(node):
        f = type(node.args[0])
        if not all(len(a.args) == 1 and a.args[0].is_extended_real for a in node.args):
            return node
        if isinstance(node, sp.Abs):
            return f(sp.Abs(node.args[0].args[0])) if issubclass(f, _ODD_INCREASING) else node
        if issubclass(f, _INCREASING) and all(type(a) is f and len(a.args) == 1 for a in node.args):
            return f(node.func(*[a.args[0] for a in node.args]))
        return node

    return expr.replace(lambda n: isinstance(n, (sp.Max, sp.Min, sp.Abs)), pull)


def _parameter_split(lhs: sp.Expr, rhs: sp.Expr) -> tuple[str, list[Step]] | None:
    """Split on the sign of a parameter that a switch function depends on (a = 0 and a > 0 when a >= 0)."""
    switches = set().union(*[g.free_symbols for g in switch_functions(lhs - rhs, only_in_x=False)])
    open_sign = sorted(
        (p for p in switches - {x} if not (p.is_positive or p.is_negative or p.is_zero)), key=lambda p: p.name
    )
    if not open_sign:
        return None
    p = open_sign[0]
    kinds = [k for k, allowed in (("negative", not p.is_nonnegative), ("positive", not p.is_nonpositive)) if allowed]
    cases = [(sp.Integer(0), f"{p.name} = 0")]
    cases += [(sp.Symbol(p.name, real=True, integer=p.is_integer, **{k: True}), f"{p.name} {k}") for k in kinds]
    steps = [Step(lhs, "left-hand side")]
    for value, label in cases:
        found = _symbolic(lhs.xreplace({p: value}), rhs.xreplace({p: value}))
        if found is None:
            return None
        steps.append(Step(rhs.xreplace({p: value}), f"case {label}: {found[0]}"))
    steps.append(Step(rhs, f"every case of the sign of {p.name}"))
    return f"case split on the sign of {p.name}", steps


@isolatable
def prove(
    lhs: str | sp.Expr,
    rhs: str | sp.Expr,
    budget: float | None = DEFAULT_BUDGETS["prove"],
    **assumptions: str | bool | float | sp.Expr | Mapping[str, bool],
) -> Proof:
    """Prove, refute or leave open ``lhs = rhs`` for all real x and every parameter value.

    ``lhs``/``rhs`` are strings (parsed safely; unknown names become real symbols) or SymPy
    expressions. ``assumptions`` give a symbol's kind (``beta='positive'``) or a finite value
    (``beta=2``; a float is its exact binary value). Only a symbolic zero earns 'proved'; a
    counterexample found at 50 digits is confirmed by SymPy's accuracy-tracked evaluation before
    'refuted'; agreement alone is 'unknown'. A side that is a derivative (``diff(...)``, or an
    unevaluated ``sp.Derivative``) is read where the function differentiated is differentiable: its
    kinks are left out and listed in ``details['excluded']`` (``symact.proof.derivatives``). ``budget`` bounds the seconds spent in all, parsing
    and printing included (past it: 'unknown', method 'timeout').

    >>> prove('sigmoid(-x)', '1 - sigmoid(x)').status
    'proved'
    >>> prove('swish(x, b)', 'x*sigmoid(b*x)', b='positive').method
    'identity'
    """
    validate(budget, "prove")
    statement = f"{_raw(lhs)} = {_raw(rhs)}"
    left = right = None
    try:
        with within(budget, "prove"), guard():
            (left, written), (right, more) = _written(lhs, assumptions, "lhs"), _written(rhs, assumptions, "rhs")
            left, right, *written = _unify(left, right, *written, *more)  # where the sides as written have a value
            statement = f"{_text(left)} = {_text(right)}"
            kinks = derivative_kinks([(lhs, left), (rhs, right)])  # read where the function is differentiable
            left, right = off_kinks(left, kinks), off_kinks(right, kinks)
            if _infinite(left) or _infinite(right) or sp.false in written:
                return Proof(
                    statement=statement,
                    status=UNKNOWN,
                    method="infinite values: not an identity of real functions"
                    if sp.false not in written
                    else "a side has no value at the values given",
                    lhs=left,
                    rhs=right,
                )
            counterexample, evidence = _falsify(_settle(left), _settle(right), defined=written)
            if counterexample is not None:
                return Proof(
                    statement=statement,
                    status=REFUTED,
                    method="counterexample",
                    counterexample=counterexample,
                    evidence=evidence,
                    lhs=left,
                    rhs=right,
                )
            if sp.false in map(surely, written):  # no proof reads (-1)**x (symact.defined)
                return Proof(statement, UNKNOWN, "a power of a negative base", evidence=evidence, lhs=left, rhs=right)
            try:
                found = _symbolic(left, right)
            except (SymactError, NotImplementedError, TypeError, ValueError, RecursionError, MemoryError) as err:
                if isinstance(err, ProofTimeout):
                    raise
                reason = {"error": str(err)[:300]}
                return Proof(
                    statement=statement,
                    status=UNKNOWN,
                    method="no strategy applies",
                    evidence=evidence,
                    lhs=left,
                    rhs=right,
                    details=reason,
                )
            details = {}
            if found is None:
                counterexample = _tiny_difference(left, right, defined=written)
                if counterexample is not None:
                    return Proof(
                        statement=statement,
                        status=REFUTED,
                        method="counterexample",
                        counterexample=counterexample,
                        evidence=evidence,
                        lhs=left,
                        rhs=right,
                    )
                return Proof(
                    statement=statement,
                    status=UNKNOWN,
                    method="numeric agreement only" if not evidence.undecided else "uncertified disagreement",
                    evidence=evidence,
                    lhs=left,
                    rhs=right,
                    details=details,
                )
            method, steps = found
            return Proof(
                statement=statement,
                status=PROVED,
                method=method,
                steps=tuple(steps),
                evidence=evidence,
                lhs=left,
                rhs=right,
                details={**details, **kink_details(kinks), **domain_details([left, right], written)},
            )
    except ProofTimeout:
        return Proof(
            statement=statement, status=UNKNOWN, method="timeout", lhs=left, rhs=right, details={"budget": budget}
        )
    except Exception as err:  # SymPy failing on an input the parser accepted: no verdict, never a crash
        return _no_verdict(statement, err, left, right)
