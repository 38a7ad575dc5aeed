"""The rules behind ``symact.properties()`` for range and extrema, limits and asymptotes, continuity order
and monotonicity: each turns the piecewise analysis into properties with proofs.

A rule reads the ``_Analysis`` (pieces, their derivatives, exact roots and signs) and the
properties found so far, and returns new ``Property`` objects.

>>> from symact.analysis.engine import properties
>>> properties('relu')['continuity'].value
0
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from symact.analysis.exact import _close, _cmp, _is_zero, _lambert, _limit, _num, _sample, _tidy
from symact.analysis.periodic import DOES_NOT_EXIST, no_limit, periodic_extremes
from symact.analysis.pieces import _Analysis, _piece_at
from symact.analysis.result import Property, _unknown, proof
from symact.catalog import x
from symact.functions import expand_named
from symact.numerics import enclose_critical_point
from symact.proof import Evidence

__all__ = ["range_rule", "limits_rule", "continuity_rule", "monotonic_rule"]


@dataclass(frozen=True)
class _Cand:
    """A candidate extreme value: ``value`` at ``where`` (a point, +-oo or an interval)."""

    value: sp.Expr
    where: object
    attained: bool
    exact: bool


def _exact_value(e: sp.Expr) -> sp.Expr:
    if e.has(sp.LambertW):
        return _lambert(expand_named(e))
    return _tidy(e)


def _candidates(pieces, derivative_signs, point_values=()) -> list[_Cand]:
    """Extreme-value candidates of a piecewise function: critical values, one-sided ends, point values.

    The set is complete (every candidate ``exact``) only where the roots of the derivative are.
    """
    out = []
    for (lo, hi, g), (_, roots) in zip(pieces, derivative_signs):
        periodic = periodic_extremes(g) if (lo, hi) == (-sp.oo, sp.oo) and not roots.zero else None
        if periodic is not None:  # every value of g on R is a value on one period
            out += [_Cand(v, p, True, periodic[2]) for p, v in periodic[1]]
            continue
        if roots.zero or not g.has(x):
            out.append(_Cand(_tidy(g.subs(x, _sample(lo, hi))), sp.Interval.open(lo, hi), True, roots.exact))
            continue
        for r in roots.points:
            value = _exact_value(g.subs(x, r)) if roots.exact else sp.N(g.subs(x, r), 30)
            out.append(_Cand(value, r, True, roots.exact))
        for end, side in ((lo, "+"), (hi, "-")):
            value, exact = _limit(g, end, side)
            out.append(_Cand(value, end, False, exact))
        if not roots.exact:  # critical points may be missing: no finite extreme is certain
            out.append(_Cand(sp.nan, sp.Interval.open(lo, hi), False, False))
    out += [_Cand(v, p, True, True) for p, v in point_values]
    return out


def _key(c: _Cand):
    return c.value if c.value in (sp.oo, -sp.oo) else _num(c.value)


def _extreme(cands: list[_Cand], lowest: bool) -> tuple[sp.Expr, list[_Cand], bool]:
    """(value, the candidates equal to it, certain): certain when every comparison is certified."""
    usable = [c for c in cands if c.value is not sp.nan and (c.value in (sp.oo, -sp.oo) or _num(c.value).is_real)]
    if not usable or any(c.value is sp.nan and c.where in (sp.oo, -sp.oo) for c in cands):  # a tail unknown
        return sp.nan, [], False
    best = min(usable, key=_key) if lowest else max(usable, key=_key)
    order = [_cmp(c.value, best.value) for c in usable]
    certain = len(usable) == len(cands) and all(o is not None and (o >= 0 if lowest else o <= 0) for o in order)
    ties = [c for c, o in zip(usable, order) if o == 0] or [best]
    return best.value, ties, certain


def _image(pieces, derivative_signs, point_values=()) -> sp.Set | None:
    sets = []
    for piece, signs in zip(pieces, derivative_signs):
        cands = _candidates([piece], [signs])
        lo, low, _ = _extreme(cands, True)
        hi, high, _ = _extreme(cands, False)
        if lo is sp.nan or hi is sp.nan:
            return None  # an end not found: the image is unknown, never guessed
        if _close(lo, hi):
            sets.append(sp.FiniteSet(lo))
            continue
        sets.append(sp.Interval(lo, hi, not any(c.attained for c in low), not any(c.attained for c in high)))
    sets += [sp.FiniteSet(v) for _, v in point_values]
    return sp.Union(*sets)


def _where(c: _Cand) -> str:
    if c.attained:
        return f"x in {c.where}" if isinstance(c.where, sp.Set) else f"x = {c.where}"
    return f"x -> {c.where}" if c.where in (sp.oo, -sp.oo) else f"x -> {c.where} (one-sided)"


def _numeric_evidence(cands) -> Evidence:
    return Evidence(points=len(cands), digits=30, max_difference=0.0)


# ---- range, extrema, bounds -----------------------------------------------------------------------


def range_rule(a: _Analysis, found: dict) -> list[Property]:
    """The image f(R), its infimum and supremum (and where they are attained or approached), and boundedness."""
    pieces = [(p.lo, p.hi, p.f) for p in a.pieces]
    signs = a.df_signs
    points = list(zip(a.points, a.values))
    cands = _candidates(pieces, signs, points)
    extremes = {lowest: _extreme(cands, lowest) for lowest in (True, False)}
    exact = all(c.exact for c in cands) and all(e[2] for e in extremes.values())
    # an infinite extreme reached exactly needs no comparison with the others
    sure = {
        lowest: all(c.exact for c in extremes[lowest][1]) and extremes[lowest][0] in (sp.oo, -sp.oo)
        for lowest in (True, False)
    }
    image = _image(pieces, signs, points)
    method = "image of each smooth piece from its critical points (roots of f') and one-sided limits"
    steps = [
        (sp.Eq(sp.Symbol("f'"), d), f"on ({p.lo}, {p.hi}): {r.how}") for d, p, (_, r) in zip(a.df, a.pieces, signs)
    ]
    out = [Property("range", image, proof(f"f(R) = {image}", exact, method, steps))]
    for label, lowest in (("minimum", True), ("maximum", False)):
        value, best, _ = extremes[lowest]
        attained = [c for c in best if c.attained]
        details = {"attained": bool(attained), "at": [c.where for c in (attained or best)]}
        details["where"] = ", ".join(_where(c) for c in (attained or best))
        evidence = None
        single = attained and not isinstance(attained[0].where, sp.Set)
        if not all(c.exact for c in best) and single:
            i, _ = _piece_at(a, attained[0].where)
            piece = a.pieces[i]
            enclosure = enclose_critical_point(piece.f, sp.diff(piece.f, x), attained[0].where)
            if enclosure:
                details["enclosure"] = enclosure
                width = float(enclosure["value"][1] - enclosure["value"][0])
                evidence = Evidence(points=2, digits=60, max_difference=width)
        if not (exact or sure[lowest]) and single:
            bound = _exact_bound(a, attained[0].where, derivative=False)
            if bound:
                details["proved_upper_bound" if lowest else "proved_lower_bound"] = bound
        word = "inf" if lowest else "sup"
        statement = f"{word} f = {value}, {details['where']}"
        how = "candidates: critical values, one-sided limits, values at the switch points"
        if "enclosure" in details:
            how += "; critical point bracketed by a sign change of f' in interval arithmetic"
        out.append(Property(label, value, proof(statement, exact or sure[lowest], how, evidence=evidence), details))
    lower, upper = out[1].value, out[2].value
    out.append(Property("bounded_below", lower != -sp.oo, proof(f"inf f = {lower}", out[1].proved, "from the infimum")))
    out.append(Property("bounded_above", upper != sp.oo, proof(f"sup f = {upper}", out[2].proved, "from the supremum")))
    return out


def _exact_bound(a: _Analysis, where, derivative: bool) -> tuple | None:
    """(q, v): at a simple rational q next to a numerical extremum, v = f(q) (or |f'(q)|) exactly.

    Any value taken bounds the extreme: inf f <= f(q), sup |f'| >= |f'(q)|. Proved by exact evaluation.
    """
    if where in (sp.oo, -sp.oo):
        return None
    q = sp.Rational(f"{float(_num(where)):.4f}")
    i, j = _piece_at(a, q)
    if i != j:
        return None
    g = a.df[i] if derivative else a.pieces[i].f
    value = g.subs(x, q)
    if not value.is_finite:
        return None
    value = sp.Abs(value) if derivative else value
    return q, value, sp.N(value, 20)


# ---- limits and asymptotes ------------------------------------------------------------------------


def limits_rule(a: _Analysis, found: dict) -> list[Property]:
    """The limits of f at -oo and +oo, and its asymptote on each side (horizontal or oblique, or none)."""
    left, exact_left = _limit_or_none(a.pieces[0].f, -sp.oo)
    right, exact_right = _limit_or_none(a.pieces[-1].f, sp.oo)
    exact = exact_left and exact_right and sp.nan not in (left, right)
    steps = [(sp.Limit(expand_named(a.pieces[0].f), x, -sp.oo), "sympy.limit"), (left, "")]
    steps += [(sp.Limit(expand_named(a.pieces[-1].f), x, sp.oo), "sympy.limit"), (right, "")]
    said = ", ".join(
        f"f has no limit at {e}" if v == DOES_NOT_EXIST else f"f -> {v} at {e}"
        for v, e in ((left, "-oo"), (right, "+oo"))
    )
    out = [Property("limits", (left, right), proof(said, exact, "limits", steps))]
    asymptotes, ok = {}, exact
    for side, piece, lim in (("-oo", a.pieces[0].f, left), ("+oo", a.pieces[-1].f, right)):
        point = -sp.oo if side == "-oo" else sp.oo
        if lim == DOES_NOT_EXIST:  # no horizontal asymptote; an oblique one needs f/x -> a != 0
            slope, e1 = _limit(piece / x, point)
            asymptotes[side], ok = None, ok and e1 and _close(slope, 0) is True
            continue
        if lim is sp.nan:
            asymptotes[side], ok = None, False
            continue
        if lim.is_finite:
            asymptotes[side] = lim
            continue
        slope, e1 = _limit(piece / x, point)
        if not slope.is_finite or slope == 0:
            asymptotes[side] = None
            ok = ok and e1
            continue
        intercept, e2 = _limit(piece - slope * x, point)
        asymptotes[side] = slope * x + intercept if intercept.is_finite else None
        ok = ok and e1 and e2
    statement = ", ".join(f"at {s}: y = {v}" if v is not None else f"at {s}: none" for s, v in asymptotes.items())
    out.append(Property("asymptotes", asymptotes, proof(statement, ok, "slope lim f/x, intercept lim f - a x")))
    return out


def _limit_or_none(g: sp.Expr, end) -> tuple:
    """The limit of g at +-oo, or ``DOES_NOT_EXIST`` (proved: g periodic with two different values)."""
    value, exact = _limit(g, end)
    if value is sp.nan and no_limit(g):
        return DOES_NOT_EXIST, True
    return value, exact


# ---- continuity order ------------------------------------------------------------------------------

_MAX_ORDER = 8


def continuity_rule(a: _Analysis, found: dict) -> list[Property]:
    """The order k of continuity (f is C^k; -1 when discontinuous, oo when smooth), from one-sided derivatives
    compared at each switch point."""
    order, steps, exact, at = sp.oo, [], True, {}
    for i, point in enumerate(a.points):
        left, right = a.pieces[i].f, a.pieces[i + 1].f
        if _removable(left, right, point, a.values[i]):
            steps.append((a.values[i], f"x = {point}: one analytic quotient on both sides, continuous: removable"))
            continue
        k_found = None
        for k in range(_MAX_ORDER + 1):
            (dl, el), (dr, er) = (_limit(sp.diff(g, x, k), point, side) for g, side in ((left, "-"), (right, "+")))
            if sp.nan in (dl, dr):  # a limit not found is unknown, never 'differ'
                exact, k_found = False, k
                steps.append((sp.Tuple(dl, dr), f"x = {point}: one-sided derivatives of order {k} not found"))
                break
            finite = all(d.is_finite for d in (dl, dr))
            same = _close(dl, dr) and (k > 0 or _close(a.values[i], dl)) if finite else False
            if same is None or not (el and er):
                exact = False
            if not same:
                k_found = k
                steps.append((sp.Tuple(dl, dr), f"x = {point}: one-sided derivatives of order {k} differ"))
                break
        if k_found is None:
            if _is_zero(left - right):
                continue  # the same analytic function on both sides: no break here
            exact, k_found = False, _MAX_ORDER + 1
        at[point] = k_found - 1
        order = min(order, k_found - 1)
    statement = (
        "f is C^oo" if order == sp.oo else ("f is discontinuous" if order < 0 else f"f is C^{order}, not C^{order + 1}")
    )
    method = "pieces are analytic; one-sided derivatives of every order compared exactly at each switch point"
    return [Property("continuity", order, proof(statement, exact, method, steps), {"at": at})]


_ENTIRE = (sp.exp, sp.sin, sp.cos, sp.sinh, sp.cosh, sp.erf)


def _removable(left: sp.Expr, right: sp.Expr, point, value) -> bool:
    """f is analytic at ``point``: one quotient n/d of entire functions on both sides, with n/d -> f(point).

    d has a zero of some order m at the point and n one of order >= m (the limit is finite), so
    n/d extends analytically there (sin(x)/x at 0); f(point) is that extension's value.
    """
    if _is_zero(left - right) is not True:
        return False
    num, den = sp.fraction(sp.together(expand_named(left)))
    for node in sp.preorder_traversal(sp.Tuple(num, den)):
        if isinstance(node, sp.Pow) and not (node.exp.is_Integer and node.exp >= 0):
            return False
        if isinstance(node, sp.Function) and not isinstance(node, _ENTIRE):
            return False
    limit, exact = _limit(left, point, "+")
    return exact and limit is not sp.nan and bool(limit.is_finite) and _close(limit, value) is True


# ---- monotonicity ----------------------------------------------------------------------------------

_WORDS = {1: "increasing", -1: "decreasing", 0: "constant"}
_EDGE = 30  # numerical roots are searched on [-40, 40]: one beyond 30 suggests more beyond 40


def _monotone(pieces, signs_list, point_values) -> tuple[str, list, bool, list]:
    """Direction of a piecewise function from its derivative's signs and its jumps at the switch points."""
    directions, intervals, exact, steps, jumps = set(), [], True, [], {}
    for _piece, (signs, roots) in zip(pieces, signs_list):
        exact = exact and roots.exact
        for s_lo, s_hi, sign in signs:
            if sign is None:
                exact = False
                continue
            directions.add(sign)
            intervals.append((s_lo, s_hi, _WORDS[sign]))
    for i, (point, value) in enumerate(point_values):
        (left, el), (right, er) = _limit(pieces[i][2], point, "-"), _limit(pieces[i + 1][2], point, "+")
        chain = [left, right] if value is None else [left, value, right]
        ups = {_cmp(b, a) for a, b in zip(chain, chain[1:])}
        if None in ups or not (el and er):
            exact = False
        ups -= {0, None}
        jumps[point] = ups if (el and er and None not in ups) else {1, -1}  # unknown jump: never merged across
        if ups:
            steps.append((sp.Tuple(*chain), f"jump at x = {point}"))
        directions |= {2 * u for u in ups}  # jumps count as +-2 so they never read as 'constant'
    rising = {d for d in directions if d > 0}
    falling = {d for d in directions if d < 0}
    if rising and falling:
        word = "not monotonic"
    elif rising:
        word = "increasing" if 0 not in directions else "nondecreasing"
    elif falling:
        word = "decreasing" if 0 not in directions else "nonincreasing"
    else:
        word = "constant"
    word_exact = exact
    if rising and falling:
        word_exact = True  # both signs certified at rational points (or certified jumps)
        steps.append((sp.Tuple(*sorted(directions)), "both directions occur: not monotonic"))
    return word, _merge(intervals, jumps), (word_exact, exact), steps


def _merge(intervals, jumps: dict):
    """Join neighbouring intervals of one direction, unless a jump between them breaks that direction."""
    allowed = {"increasing": {1}, "decreasing": {-1}, "constant": set()}
    merged = []
    for lo, hi, word in intervals:
        if merged and merged[-1][2] == word and jumps.get(lo, set()) <= allowed[word]:
            merged[-1] = (merged[-1][0], hi, word)
        else:
            merged.append((lo, hi, word))
    return merged


def monotonic_rule(a: _Analysis, found: dict) -> list[Property]:
    """Whether f is monotonic, the intervals where it increases or decreases, and whether f' is monotonic."""
    pieces = [(p.lo, p.hi, p.f) for p in a.pieces]
    word, intervals, exact, steps = _monotone(pieces, a.df_signs, list(zip(a.points, a.values)))
    method = "sign of f' between its exact roots on each piece, and the jumps at switch points"
    shown = "; ".join(f"{w} on ({lo}, {hi})" for lo, hi, w in intervals)
    out = [Property("monotonic", word, proof(f"f is {word}", exact[0], method, steps))]
    period = next((r.period for _, r in a.df_signs if r.period is not None), None)
    edge = any(not r.exact and any(abs(_num(t)) > _EDGE for t in r.points) for _, r in a.df_signs)
    if period is not None:  # infinitely many intervals: a finite list would be false
        reason = f"f' changes sign in every period {period} (in one period: {shown}); infinitely many intervals"
        out.append(_unknown("monotonic_intervals", reason))
    elif edge:  # roots found up to the edge of the numerical search: the pattern may go on beyond it
        reason = f"f' has roots found numerically up to |x| = {_EDGE} and beyond; the intervals may not end there"
        out.append(_unknown("monotonic_intervals", reason))
    else:
        out.append(Property("monotonic_intervals", intervals, proof(shown, exact[1], method)))
    dpieces = [(p.lo, p.hi, d) for p, d in zip(a.pieces, a.df)]
    dword, _, (dexact, _), dsteps = _monotone(dpieces, a.d2f_signs, [(p, None) for p in a.points])
    out.append(
        Property("derivative_monotonic", dword, proof(f"f' is {dword}", dexact, method.replace("f'", "f''"), dsteps))
    )
    return out
