"""The rules behind ``symact.properties()`` for the origin (f(0), f'(0), identity near 0), symmetry and
self-gating, the Lipschitz constant and saturation.

>>> from symact.analysis.engine import properties
>>> properties('tanh')['parity'].value
'odd'
"""

from __future__ import annotations

import sympy as sp

from symact.analysis.exact import _close, _cmp, _is_zero, _limit, _num
from symact.analysis.pieces import _Analysis, _check_switches, _OutOfDepth, _piece_at, _split
from symact.analysis.result import Property, proof
from symact.analysis.rules import _Cand, _candidates, _exact_bound, _extreme, _numeric_evidence, _where
from symact.catalog import x
from symact.errors import UndecidedSign
from symact.kinks import resolve
from symact.proof import UNKNOWN, Proof

__all__ = ["origin_rule", "symmetry_rule", "lipschitz_rule"]


# ---- the origin ------------------------------------------------------------------------------------


def origin_rule(a: _Analysis, found: dict) -> list[Property]:
    """f(0), then continuity at 0 (one-sided limits), and only then f'(0) from one-sided limits of f'."""
    f0 = resolve(a.f, {x: 0}).subs(x, 0)
    zero = _is_zero(f0)
    out = [Property("zero_at_zero", bool(zero), proof(f"f(0) = {f0}", zero is not None, "substitution"))]
    i, j = _piece_at(a, 0)
    (fl, el), (fr, er) = _limit(a.pieces[i].f, 0, "-"), _limit(a.pieces[j].f, 0, "+")
    continuous = (_close(fl, f0) and _close(fr, f0)) if el and er else None
    if continuous is False:
        statement = f"f(0-) = {fl}, f(0) = {f0}, f(0+) = {fr}: f jumps at 0, so it has no derivative there"
        out.append(Property("derivative_at_zero", _JUMP, proof(statement, True, "one-sided limits of f at 0")))
        out.append(Property("identity_near_origin", False, proof(statement, True, "f is not continuous at 0")))
        return out
    (left, dl), (right, dr) = _limit(a.df[i], 0, "-"), _limit(a.df[j], 0, "+")
    known = continuous is not None and dl and dr and sp.nan not in (left, right)
    both = _close(left, right) if known and left.is_finite and right.is_finite else (False if known else None)
    value = left if both else (left, right)
    statement = f"f'(0) = {left}" if both else f"f'(0-) = {left}, f'(0+) = {right}: no derivative at 0"
    method = "f continuous at 0 (one-sided limits); one-sided derivatives at 0 as limits of f'"
    out.append(Property("derivative_at_zero", value, proof(statement, both is not None, method)))
    one = bool(both) and _close(left, 1)
    out.append(
        Property(
            "identity_near_origin",
            bool(zero) and bool(one),
            proof(
                f"f(0) = {f0} and f'(0) = {value}",
                zero is not None and both is not None and (one is not None or not zero or not both),
                "f continuous at 0, f(0) = 0 and f'(0) = 1",
            ),
        )
    )
    return out


_JUMP = "none (f jumps at 0)"


# ---- symmetry and gating ---------------------------------------------------------------------------


def _vanishes(e: sp.Expr) -> tuple[bool | None, dict | None]:
    """Whether e(x) = 0 for every real x: a certified counterexample at a rational point, or a proof
    piece by piece (the switch functions of e checked to keep their sign on every piece)."""
    for t in (sp.Rational(1, 3), 1, sp.Rational(7, 4), 3, sp.Rational(-5, 2)):
        value = e.subs(x, t)
        if _is_zero(value) is False:
            return False, {"x": t, "value": _num(value).evalf(15)}
    try:
        found = _split(e)
        _check_switches(e, found)
    except (_OutOfDepth, UndecidedSign):
        return None, None
    if not all(_is_zero(p.f) for p in found):
        return None, None
    if any(not _is_zero(resolve(e, {x: p.lo}).subs(x, p.lo)) for p in found[1:]):
        return None, None
    return True, None


def symmetry_rule(a: _Analysis, found: dict) -> list[Property]:
    """The parity of f (odd, even or neither) and whether f is self-gated, ``x * g(x)``."""
    odd, odd_cx = _vanishes(a.f.subs(x, -x) + a.f)
    even, even_cx = _vanishes(a.f.subs(x, -x) - a.f)
    if odd:
        word, prf = "odd", proof("f(-x) = -f(x)", True, "f(-x) + f(x) = 0 on every piece")
    elif even:
        word, prf = "even", proof("f(-x) = f(x)", True, "f(-x) - f(x) = 0 on every piece")
    elif odd is False and even is False:
        word = "neither"
        prf = proof(
            "f is neither odd nor even",
            True,
            "counterexamples",
            [(sp.Tuple(*odd_cx.values()), "f(-x) + f(x) != 0"), (sp.Tuple(*even_cx.values()), "f(-x) - f(x) != 0")],
        )
    else:
        word, prf = "unknown", Proof("parity undecided", UNKNOWN, "no counterexample and no symbolic zero")
    out = [Property("parity", word, prf)]
    gate = _gate(a.f)
    if gate is None:
        out.append(Property("self_gated", False, proof("f is not written as x*g(x)", True, "structure of f")))
        return out
    g0, e0 = _limit(a.pieces[0].f / x, -sp.oo)
    g1, e1 = _limit(a.pieces[-1].f / x, sp.oo)
    gated = (_close(g0, 0), _close(g1, 1))
    statement = f"f = x*g(x) with g = {gate}, g -> {g0} at -oo and {g1} at +oo"
    prf = proof(statement, e0 and e1 and None not in gated, "factor x; limits of the gate")
    out.append(Property("self_gated", all(gated), prf, {"gate": gate}))
    return out


def _gate(f: sp.Expr) -> sp.Expr | None:
    if isinstance(f, sp.Mul) and x in f.args:
        gate = f / x
        return gate if gate.has(x) else None
    return None


# ---- Lipschitz constant and saturation -------------------------------------------------------------


def lipschitz_rule(a: _Analysis, found: dict) -> list[Property]:
    """The Lipschitz constant ``sup |f'|`` (infinite where f is discontinuous) and the limits of f' at -oo
    and +oo (where the activation saturates)."""
    pieces = [(p.lo, p.hi, d) for p, d in zip(a.pieces, a.df)]
    cands = _candidates(pieces, a.d2f_signs)
    low, low_c, low_sure = _extreme(cands, True)
    high, high_c, high_sure = _extreme(cands, False)
    exact = all(c.exact for c in cands) and low_sure and high_sure
    order = _cmp(-low, high) if sp.nan not in (low, high) else None
    exact = exact and order is not None
    value, best = (-low, low_c) if order == 1 else (high, high_c)
    if value == -sp.oo:
        value = sp.oo
    continuity = found["continuity"].value
    if continuity is not None and continuity < 0:
        exact, value, best = found["continuity"].proved, sp.oo, [_Cand(sp.oo, a.points[0], True, True)]
        cands = best
    attained = [c for c in best if c.attained]
    where = ", ".join(_where(c) for c in (attained or best))
    details = {"at": [c.where for c in (attained or best)], "attained": bool(attained), "where": where}
    method = "sup |f'| over the critical points of f' (roots of f''), one-sided limits at switch points and at +-oo"
    evidence = None if exact else _numeric_evidence(cands)
    if not exact:
        details["digits"] = 30
        bound = _exact_bound(a, details["at"][0], derivative=True) if details["at"] else None
        if bound:
            details["proved_lower_bound"] = bound
    out = [
        Property("lipschitz", value, proof(f"sup |f'| = {value}, {where}", exact, method, evidence=evidence), details)
    ]
    left, e0 = _limit(a.df[0], -sp.oo)
    right, e1 = _limit(a.df[-1], sp.oo)
    zero = [(s, _close(v, 0)) for s, v in (("-oo", left), ("+oo", right))]
    statement = f"f' -> {left} at -oo, {right} at +oo"
    details = {"saturates": [s for s, z in zero if z]}
    sure = e0 and e1 and all(z is not None for _, z in zero)
    out.append(Property("saturation", (left, right), proof(statement, sure, "limits of f'"), details))
    return out
