"""The inputs of a proof: sides parsed with their assumptions, budgets checked, verdicts on failures."""

from __future__ import annotations

import math
from collections.abc import Mapping

import sympy as sp

from symact.catalog import x
from symact.defined import written_conditions
from symact.errors import ParameterError, SymactError, UndecidedSign
from symact.parsing import parse
from symact.proof.result import UNKNOWN, Proof
from symact.whitelist import within_limits

# ---- inputs ------------------------------------------------------------------------------------

_KINDS = ("positive", "negative", "nonnegative", "nonpositive", "integer", "real")


def _assume(expr: sp.Expr, assumptions: Mapping) -> sp.Expr:
    """Apply ``name=kind`` (a symbol's assumptions) or ``name=value`` (a substitution) to ``expr``."""
    by_name = {s.name: s for s in expr.free_symbols}
    replace = {}
    for name, spec in assumptions.items():
        if name not in by_name:
            continue
        old = by_name[name]
        if isinstance(spec, bool) and spec:
            spec = "positive"
        if isinstance(spec, str):
            if spec not in _KINDS:
                raise ParameterError(
                    "prove", name, f"takes an assumption among {', '.join(_KINDS)}, got {spec!r}", _KINDS
                )
            replace[old] = sp.Symbol(name, **{"real": True, spec: True})  # spec may be "real" itself
        elif isinstance(spec, dict):
            try:
                replace[old] = sp.Symbol(name, **{"real": True, **spec})
            except (ValueError, TypeError) as err:  # SymPy's InconsistentAssumptions is a ValueError
                raise ParameterError("prove", name, f"has inconsistent assumptions {spec!r}: {err}") from None
        elif isinstance(spec, (int, float, sp.Basic)) and not isinstance(spec, bool):
            replace[old] = _finite_number(spec, name)
        else:
            raise ParameterError("prove", name, f"must be an assumption such as 'positive' or a number, got {spec!r}")
    return expr.xreplace(replace)


def _finite_number(value, name: str) -> sp.Expr:
    """A finite real number: a float is the exact binary value it denotes (0.1 is not 1/10)."""
    number = sp.Rational(value) if isinstance(value, float) and math.isfinite(value) else sp.sympify(value)
    if not (number.is_number and number.is_finite and number.is_extended_real) or number.has(sp.nan, sp.zoo):
        raise ParameterError("prove", name, f"must be a finite real number, got {value!r}")
    return number


def _side(side, assumptions: Mapping, what: str, written: list | None = None) -> sp.Expr:
    """A side; ``written``, a list, receives the conditions under which it has a value as written."""
    expr, conditions = _written(side, assumptions, what)
    (written if written is not None else []).extend(c for c in conditions if c not in (written or []))
    return expr


def _written(side, assumptions: Mapping, what: str) -> tuple[sp.Expr, list]:
    """A side and the conditions under which it has a value as written (``symact.defined``): x/x is 1 for
    x ≠ 0; a condition that the assumptions make false (``x/x`` at x = 0) is ``false``. A string is parsed with
    the assumed symbols, so that n**k records what an integer n makes true."""
    found: list = []
    if isinstance(side, str):
        assumed = {n: _assume(sp.Symbol(n, real=True), {n: spec}) for n, spec in assumptions.items() if n != "x"}
        symbols = {n: s for n, s in assumed.items() if isinstance(s, sp.Symbol)}
        expr = parse(side, parameters=symbols, allow_symbols=True, domain=found)
    else:
        expr = _read(side, what)
    conditions = [_assume(c, assumptions) for c in found + written_conditions(expr)]
    return _assume(expr, assumptions), [c for c in dict.fromkeys(conditions) if c is not sp.true]


def _read(side, what: str) -> sp.Expr:
    """A side given as a number or a SymPy expression, its x made symact's."""
    if isinstance(side, (int, float)) and not isinstance(side, bool):
        return _finite_number(side, what)
    if isinstance(side, sp.Basic):
        return within_limits(side, "prove", what).xreplace(
            {s: x for s in side.free_symbols if s.name == "x" and s != x}
        )
    raise ParameterError("prove", what, f"must be a string or SymPy expression, not {type(side).__name__}")


def _unify(*exprs: sp.Expr) -> tuple[sp.Expr, ...]:
    """One symbol per name: where sides disagree (beta real and beta positive), the stronger assumptions win."""
    by_name: dict[str, list] = {}
    for e in exprs:
        for s in e.free_symbols:
            by_name.setdefault(s.name, []).append(s)
    replace = {}
    for group in by_name.values():
        if len(set(group)) > 1:
            best = max(set(group), key=lambda s: (sum(bool(v) for v in s.assumptions0.values()), str(s.assumptions0)))
            replace.update({s: best for s in group if s != best})
    return tuple(e.xreplace(replace) for e in exprs)


def _raw(side) -> str:
    """The caller's text of a side, cut short: the statement before parsing (shown if parsing times out)."""
    text = side if isinstance(side, str) else type(side).__name__
    return text if len(text) <= 200 else text[:200] + f"... ({len(text)} characters)"


def _infinite(expr: sp.Expr) -> bool:
    return expr.has(sp.oo, -sp.oo, sp.zoo, sp.nan)


# ---- bounds ------------------------------------------------------------------------------------


def _no_verdict(statement: str, err: Exception, lhs, rhs) -> Proof:
    """*unknown* for an exception SymPy raised on an accepted input; a user error (``SymactError``) propagates."""
    if isinstance(err, SymactError) and not isinstance(err, UndecidedSign):
        raise err
    return Proof(
        statement=statement,
        status=UNKNOWN,
        method=f"internal failure ({type(err).__name__})",
        lhs=lhs,
        rhs=rhs,
        details={"error": str(err)[:300]},
    )
