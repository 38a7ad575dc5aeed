"""The checks every adversarial corpus makes of a verdict: a true statement is never refuted, a false one never
proved, and a counterexample is evaluated again, exactly or at 1200 digits, independently of symact.

>>> str(check_identity("relu", "max(x, 0)", "(x + abs(x))/2", {}, True).status)
'proved'
"""

import mpmath as mp
import sympy as sp

from symact.proof import PROVED, REFUTED, prove, prove_bound, prove_limit

from .test_prove_corpus2 import gap, value


def check_identity(cls: str, lhs: str, rhs: str, assumptions: dict, true: bool, at: dict | None = None):
    """``prove(lhs, rhs)`` with its verdict checked; a counterexample's point completed by ``at`` (a point
    without x: the sides do not depend on it)."""
    p = prove(lhs, rhs, budget=10, **assumptions)
    assert p.status != (REFUTED if true else PROVED), (cls, p)
    if p.status == PROVED:  # the chain runs from the statement's left side to its right side
        assert p.steps[0].expr == p.lhs and p.steps[-1].expr == p.rhs
    if p.status == REFUTED:
        point = {**(at or {}), **point_from(assumptions, p.counterexample["point"])}
        assert gap(lhs, rhs, point) != 0, p.counterexample
    return p


def check_bound(expr: str, lower, upper, strict: bool, assumptions: dict, true: bool):
    """``prove_bound`` with its verdict checked: the relation printed, and the one a counterexample names holds."""
    p = prove_bound(expr, lower=lower, upper=upper, strict=strict, budget=10, **assumptions)
    assert p.status != (REFUTED if true else PROVED), p
    assert (" < " in p.statement) == strict and (" <= " in p.statement) != strict  # the relation printed
    if p.status == REFUTED:
        point = point_from(assumptions, p.counterexample["point"])
        below = gap(expr, lower, point) if lower is not None else None
        above = gap(upper, expr, point) if upper is not None else None
        shown = {"=": 0 in (below, above), "<": below is not None and below < 0}  # the relation printed holds
        shown[">"] = above is not None and above < 0
        assert shown[p.counterexample["relation"]] and (strict or p.counterexample["relation"] != "="), p
    return p


def check_limit(expr: str, var: str, at: str, expected: str, kw: dict, true: bool, apart: float):
    """``prove_limit`` with its verdict checked: near a counterexample's limit the sides differ by more than
    ``apart``."""
    p = prove_limit(expr, var, at, expected, budget=10, **kw)
    assert p.status != (REFUTED if true else PROVED), p
    if p.status == REFUTED:
        name, close = near(p.counterexample["limit"])
        point = {**point_from(kw, p.counterexample["point"]), name: close}
        with mp.workdps(60):
            assert abs(value(expr, point, 200) - value(expected, point, 200)) > mp.mpf(apart), p.counterexample
    return p


def point_from(assumptions: dict, found: dict) -> dict:
    """A counterexample's point with the values the statement fixed (``a=0``) added."""
    fixed = {k: str(v) for k, v in assumptions.items() if isinstance(v, (int, float)) and k != "direction"}
    return {**fixed, **found}


def near(limit: str) -> tuple[str, str]:
    """The variable of a counterexample's ``limit`` ('b -> oo', 'x -> sqrt(2)-') and an exact value 1e-60 from its
    target (a target such as sqrt(2) to 1300 digits), on the side the limit approaches from."""
    var, target = limit.split(" -> ")
    side = -1 if target.endswith("-") else 1
    target = target.rstrip("+-") or target
    if target in ("oo", "-oo"):
        return var, str(sp.Integer(10) ** 60 * (1 if target == "oo" else -1))
    return var, str(sp.Rational(str(sp.N(sp.sympify(target), 1300))) + side * sp.Rational(1, 10**60))
