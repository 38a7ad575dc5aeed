"""Proofs of bounds ``lower <= f <= upper``: the gap as a rational function of s = exp(x) and its sign."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import mpmath
import sympy as sp

from symact.budget import DEFAULT_BUDGETS, guard, validate, within
from symact.catalog import x
from symact.defined import surely
from symact.errors import ParameterError, ProofTimeout, UndecidedSign
from symact.isolation import isolatable
from symact.kinks import is_smooth, rational_inside, resolve
from symact.magnitude import risky, substituted
from symact.numerics import certified_sign
from symact.precision import precision
from symact.proof.cases import _split_points
from symact.proof.domain import domain_details
from symact.proof.falsify import _certified, _evaluate, _mp_callable, _sample_points, _shown_at, _valued
from symact.proof.inputs import _infinite, _no_verdict, _raw, _side
from symact.proof.result import DIGITS, PROVED, REFUTED, UNKNOWN, Evidence, Proof, Step, _text
from symact.proof.rewriting import _exp_form
from symact.proof.zeros import _zeros, nonnegative

# ---- bounds ------------------------------------------------------------------------------------

_S = sp.Dummy("s", positive=True)  # s = exp(x): a Dummy, never a user's s


def _in_exp(expr: sp.Expr) -> sp.Expr | None:
    """``expr`` as a rational function of s = exp(x) > 0, or None when it is not one."""
    e = sp.expand_power_exp(_exp_form(expr))

    def swap(node):
        arg = sp.expand(node.args[0])
        coeff, rest = arg.as_independent(x, as_Add=True)
        k = sp.cancel(rest / x)
        if not k.is_Rational or k.has(x):
            raise ValueError(f"exp({arg}) is not exp(k x + c)")
        return sp.exp(coeff) * _S**k

    try:
        e = e.replace(lambda n: isinstance(n, sp.exp) and n.has(x), swap)
    except ValueError:
        return None
    e = sp.factor(sp.cancel(sp.together(e)))
    return None if e.has(x) else e


def _sign_of(g: sp.Expr) -> str | None:
    """'positive' or 'nonnegative' when the assumptions on s (and parameters) decide g's sign."""
    g = sp.factor(g)
    if g.is_positive:
        return "positive"
    if g.is_nonnegative:
        return "nonnegative"
    return None


def _bound_side(expr: sp.Expr, bound: sp.Expr, above: bool, strict: bool) -> tuple[bool, sp.Expr | None, str]:
    """Whether the gap (bound - f or f - bound), as a factored rational function of s = exp(x) > 0, has a
    sign the assumptions decide; the factored gap; and the rule that says so."""
    gap = (bound - expr) if above else (expr - bound)
    if risky(gap):  # SymPy would evaluate it at a kink: exp(exp(exp(exp(Max(x, 3))))) at 3
        return False, None, "the gap is too large to evaluate at its switch points"
    g = _in_exp(gap)
    if g is None and not is_smooth(gap):
        return _piecewise_sign(gap, strict)
    if g is None and nonnegative(gap, strict):
        return True, gap, f"{'bound - f' if above else 'f - bound'}: {_EXTREMES}"
    if g is None:
        return False, None, "the gap is not a rational function of s = exp(x)"
    sign = _sign_of(g)
    ok = sign == "positive" or (sign == "nonnegative" and not strict)
    what = f"{'bound - f' if above else 'f - bound'} = {sp.sstr(g)} with s = exp(x) > 0"
    return ok, g, what + (f": {sign}" if ok else f": {sign or 'sign not decided'}")


def _piecewise_sign(gap: sp.Expr, strict: bool) -> tuple[bool, sp.Expr | None, str]:
    """The sign of a gap with switch functions: split at every point where a branch may switch (certified),
    then each branch's sign on its interval and the gap's value at each split point, exactly."""
    points = _split_points(gap, {})
    if points is None:
        return False, None, "the switch points of the gap could not be certified"
    cuts = [-sp.oo, *points, sp.oo]
    branches = []
    for lo, hi in zip(cuts, cuts[1:]):
        try:  # a switch point with parameters (max(x, a) - a switches at x = a) has no rational inside
            branch = resolve(gap, {x: rational_inside(lo, hi)})
        except UndecidedSign:
            return False, None, "a branch of the gap could not be chosen"
        if not (is_smooth(branch) and _sign_between(branch, lo, hi, strict)):
            return False, None, f"sign of {sp.sstr(branch)} on ({lo}, {hi}) not decided"
        branches.append((branch, x < hi))
    at_points = [_sign_at(substituted(gap, {x: p})) for p in points]
    if any(s is None or s < 0 or (strict and s == 0) for s in at_points):
        return False, None, "sign of the gap at a split point not decided"
    shown = sp.Piecewise(*branches[:-1], (branches[-1][0], True)) if len(branches) > 1 else branches[0][0]
    where = ", ".join(sp.sstr(p) for p in points)
    return True, shown, f"gap = {sp.sstr(shown)}, split at x = {where}: {'positive' if strict else 'nonnegative'}"


def _sign_between(g: sp.Expr, lo, hi, strict: bool) -> bool:
    """g >= 0 (> 0 with ``strict``) on (lo, hi): g's sign in s = exp(x) on all reals, or, for a g continuous on
    the reals with a complete list of zeros (``_zeros``), its certified signs between the zeros inside."""
    found = _in_exp(g)
    sign = _sign_of(found) if found is not None else None
    if sign == "positive" or (sign == "nonnegative" and not strict):
        return True
    if _on_half_line(g, lo, hi, strict):
        return True
    denominator = sp.fraction(sp.together(g))[1]
    continuous = not denominator.has(x) or denominator.is_positive
    zeros = _zeros(g) if continuous and not (g.free_symbols - {x}) else None
    if zeros is None:
        return False
    inside = [r for r in set(zeros) if certified_sign(r - lo) == 1 and certified_sign(hi - r) == 1]
    cuts = [lo, *sorted(inside, key=lambda r: sp.N(r, 30)), hi]
    if (strict and inside) or any(certified_sign(b - a) != 1 for a, b in zip(cuts, cuts[1:])):
        return False
    return all(_sign_at(substituted(g, {x: rational_inside(a, b)})) == 1 for a, b in zip(cuts, cuts[1:]))


def _sign_at(value: sp.Expr | None) -> int | None:
    """The certified sign of a number; of a value with parameters, by SymPy's assumptions: 1 positive, 0 only
    known nonnegative, -1 negative, None undecided (and for no value: too large to build)."""
    if value is None:
        return None
    if not value.free_symbols:
        return certified_sign(value)
    return 1 if value.is_positive else 0 if value.is_nonnegative else -1 if value.is_negative else None


def _on_half_line(g: sp.Expr, lo, hi, strict: bool) -> bool:
    """g >= 0 (> 0) on a half-line by SymPy's assumptions with x = lo + t or hi - t, t > 0: on (0, oo) with
    a, s > 0, a*s + s*x is positive."""
    t = sp.Dummy("t", positive=True)
    for end, far, way in ((lo, hi, 1), (hi, lo, -1)):
        if end.is_finite and far == way * sp.oo:
            moved = g.subs(x, end + way * t)
            if moved.is_positive or (moved.is_nonnegative and not strict):
                return True
    return False


def _points(given, what: str) -> list[sp.Expr]:
    """Equality points exactly as given: a float is its exact binary value, a string or SymPy value is symbolic."""
    points = []
    for p in given:
        point = _side(p, {}, what)
        if point.free_symbols or not point.is_finite:
            raise ParameterError("prove_bound", what, f"must be finite real numbers, got {p!r}")
        points.append(point)
    return points


def _same_set(found: list, wanted: list) -> tuple[bool | None, sp.Expr | None]:
    """Whether two finite sets of real constants are equal, by certified signs; and a witness if not."""
    for group, others in ((wanted, found), (found, wanted)):
        for a in group:
            signs = [certified_sign(a - b) for b in others]
            if None in signs and 0 not in signs:
                return None, None
            if 0 not in signs:
                return False, a
    return True, None


@isolatable
def prove_bound(
    expr: str | sp.Expr,
    upper: str | float | sp.Expr | None = None,
    lower: str | float | sp.Expr | None = None,
    equality_at: Iterable[str | float | sp.Expr] | None = None,
    strict: bool = False,
    budget: float | None = DEFAULT_BUDGETS["prove_bound"],
    **assumptions: str | bool | float | sp.Expr | Mapping[str, bool],
) -> Proof:
    """Prove ``lower <= expr <= upper`` for all real x (``<`` with ``strict``), with equality only at ``equality_at``.

    The gap is written as a rational function of s = exp(x) > 0 and factored; SymPy's
    assumptions must then decide its sign. A violation found numerically refutes the bound.
    Equality points are taken exactly as given (0.69314718 is not log 2).

    >>> prove_bound('diff(sigmoid(x), x)', upper='1/4', equality_at=[0]).status
    'proved'
    >>> prove_bound('diff(tanh(x), x)', lower=0, upper=1, strict=True).status
    'refuted'
    """
    validate(budget, "prove_bound")
    statement = f"bound on {_raw(expr)}"
    f = up = lo = None
    written: list = []  # where the sides as written have a value (symact.defined)
    try:
        with within(budget, "prove_bound"), guard():
            f = _side(expr, assumptions, "expr", written)
            up = None if upper is None else _side(upper, assumptions, "upper", written)
            lo = None if lower is None else _side(lower, assumptions, "lower", written)
            wanted = None if equality_at is None else _points(equality_at, "equality_at")
            rel = "<" if strict else "<="
            statement = (f"{_text(lo)} {rel} " if lo is not None else "") + _text(f)
            statement += f" {rel} {_text(up)}" if up is not None else ""
            if wanted is not None:
                statement += f", with equality only at x in {{{', '.join(_text(p) for p in wanted)}}}"
            if any(_infinite(e) for e in (f, up, lo) if e is not None) or sp.false in written:
                return Proof(
                    statement=statement,
                    status=UNKNOWN,
                    method="infinite values",
                    lhs=f,
                    rhs=up if up is not None else lo,
                )
            return _prove_bound(statement, f, up, lo, wanted, strict, written)
    except ProofTimeout:
        return Proof(statement=statement, status=UNKNOWN, method="timeout", lhs=f, rhs=up if up is not None else lo)
    except Exception as err:  # SymPy failing on an input the parser accepted: no verdict, never a crash
        return _no_verdict(statement, err, f, up)


def _prove_bound(statement, f, up, lo, wanted, strict, written) -> Proof:
    refuted, used, worst = _falsify_bound(f, up, lo, strict, statement, written)
    if refuted is not None:
        return refuted
    if sp.false in map(surely, written):  # no proof reads (-1)**x (symact.defined)
        return Proof(statement, UNKNOWN, "a power of a negative base", lhs=f, rhs=up if up is not None else lo)
    evidence = Evidence(points=used, digits=DIGITS, max_difference=float(worst) if worst != mpmath.inf else 0.0)
    rel = "<" if strict else "<="
    steps: list[Step] = [Step(lo, "lower bound") if lo is not None else Step(f, "f(x)")]
    zeros: list = []
    details: dict = {}
    for bound, above in ((lo, False), (up, True)):
        if bound is None:
            continue
        ok, g, rule = _bound_side(f, bound, above, strict)
        if not ok:
            steps.append(Step(f if not above else bound, rule, rel))
            return Proof(
                statement=statement,
                status=UNKNOWN,
                method="sign not decided",
                steps=tuple(steps),
                evidence=evidence,
                lhs=f,
                rhs=bound,
            )
        details["gap_upper" if above else "gap_lower"] = g
        steps.append(Step(bound if above else f, rule, rel))
        if wanted is not None and not strict:
            found = _zeros_in_s(g)
            if found is None:
                return Proof(
                    statement=statement,
                    status=UNKNOWN,
                    method="equality set not found",
                    steps=tuple(steps),
                    evidence=evidence,
                    lhs=f,
                    rhs=bound,
                )
            zeros += [z for z in found if all(certified_sign(z - y) != 0 for y in zeros)]
    if wanted is not None and not strict:
        same, witness = _same_set(zeros, wanted)
        if same is None:
            return Proof(
                statement=statement,
                status=UNKNOWN,
                method="equality set not compared",
                steps=tuple(steps),
                evidence=evidence,
                lhs=f,
                rhs=up,
            )
        if not same:
            bound = up if up is not None else lo
            ce = {
                "point": {"x": _text(witness)},
                "lhs": _shown_at(f, {x: witness}),
                "rhs": _shown_at(bound, {x: witness}),
            }
            ce["rhs"] += " (equality)" if witness in zeros else " (no equality)"
            details["equality_set"] = zeros
            return Proof(
                statement=statement,
                status=REFUTED,
                method="equality set",
                steps=tuple(steps),
                counterexample=ce,
                evidence=evidence,
                lhs=f,
                rhs=up,
                details=details,
            )
        details["equality_set"] = zeros
    method = _method([s.rule for s in steps])
    return Proof(
        statement=statement,
        status=PROVED,
        method=method,
        steps=tuple(steps),
        evidence=evidence,
        lhs=f,
        rhs=up,
        details={**details, **domain_details([e for e in (lo, f, up) if e is not None], written)},
    )


def _falsify_bound(f, up, lo, strict, statement, written):
    """Search for a violation of the bound at 50 digits where the sides as written have a value; confirm it with
    accuracy-tracked evaluation."""
    sides = [e for e in (f, up, lo) if e is not None] + written
    symbols = set().union(*(e.free_symbols for e in sides))  # a bound's too; x with assumptions is the user's
    symbols = sorted(symbols | ({x} if all(s.name != "x" for s in symbols) else set()), key=lambda s: s.name)
    points = _sample_points(f - (up if up is not None else 0) - (lo if lo is not None else 0), symbols=symbols)
    fn, valued = _mp_callable(f, symbols), _valued(written, symbols, real=True)
    bounds = [
        (_mp_callable(bound, symbols), bound, above) for bound, above in ((up, True), (lo, False)) if bound is not None
    ]
    worst = mpmath.inf
    used, lows, refined = 0, [], symbols != [x]  # without parameters, the lowest gaps are refined once
    with precision(DIGITS):
        while points or not refined:
            if not points:
                points, refined = _near_minima(f, sorted(lows, key=lambda low: low[0])[:3]), True
                continue
            sample = points.pop(0)
            point = {s: sample.get(s, 0) for s in symbols}
            value = _evaluate(fn, symbols, point) if valued(point) else None
            if value is None or isinstance(value, mpmath.mpc):
                continue
            used += 1
            for fb, bound, above in bounds:
                b = _evaluate(fb, symbols, point)
                if b is None or isinstance(b, mpmath.mpc):
                    continue
                gap = (b - value) if above else (value - b)
                worst = min(worst, gap)
                lows.append((gap, point.get(x), bound, above))
                tol = mpmath.mpf(10) ** -(DIGITS * 7 // 10)
                # equality, for a strict bound, is a gap small beside the sides: 4 exp(-2 |x|) > 1 - tanh(x)**2
                # at x = 10**5 is not a candidate (its certified value takes minutes)
                if gap < -tol or (strict and gap <= tol * (abs(value) + abs(b))):
                    exact_gap = _certified((bound - f) if above else (f - bound), point, 30)
                    if exact_gap is not None and (exact_gap < 0 or (strict and exact_gap == 0)):
                        ce = {
                            "point": {s.name: str(v) for s, v in point.items()},
                            "lhs": _shown_at(f, point),
                            "rhs": _shown_at(bound, point),
                            "relation": "=" if exact_gap == 0 else ">" if above else "<",  # f against the bound
                        }
                        evidence = Evidence(points=used, digits=DIGITS, max_difference=float(-exact_gap))
                        refuted = Proof(
                            statement=statement,
                            status=REFUTED,
                            method="counterexample",
                            counterexample=ce,
                            evidence=evidence,
                            lhs=f,
                            rhs=bound,
                        )
                        return refuted, used, worst
    return None, used, worst


def _near_minima(f, lows: list) -> list[dict]:
    """Points where a gap is locally smallest (its derivative's roots found by ``mpmath.findroot`` from the
    lowest samples), as 25-digit rationals: where a bound that holds at every sample may still fail."""
    points = []
    for _, start, bound, above in lows:
        slope = sp.diff((bound - f) if above else (f - bound), x).replace(sp.DiracDelta, lambda *args: 0)
        slope = _mp_callable(slope, [x])  # the slope off the gap's jumps: x*Heaviside(x) has x*DiracDelta(x)
        try:
            root = mpmath.findroot(slope, start)
        except (ValueError, TypeError, ZeroDivisionError, ArithmeticError):
            continue
        if isinstance(root, mpmath.mpf) and mpmath.isfinite(root):
            points.append({x: sp.Rational(mpmath.nstr(root, 25))})
    return points


def _method(rules: list[str]) -> str:
    """The proof's method, named after the strongest rule its steps needed."""
    if any(_EXTREMES in r for r in rules):
        return "sign of the gap from its critical values and limits"
    if any("split at x =" in r for r in rules):
        return "sign of the gap on each piece between switch points"
    return "sign of the factored gap in s = exp(x)"


_EXTREMES = "its critical values and limits at +-oo are >= 0"


def _zeros_in_s(g: sp.Expr) -> list | None:
    numerator, _ = sp.fraction(sp.cancel(g))
    try:
        poly = sp.Poly(numerator, _S)
    except sp.PolynomialError:
        return None
    if any(s.free_symbols for s in poly.coeffs()):
        return None
    roots = sp.roots(poly, multiple=True)
    if len(roots) != poly.degree():
        return None
    signs = [certified_sign(r) if r.is_real else -1 for r in roots]
    if None in signs:
        return None
    zeros: list = []
    for r, sign in zip(roots, signs):
        if sign > 0 and all(certified_sign(r - sp.exp(z)) != 0 for z in zeros):
            zeros.append(sp.simplify(sp.log(r)))
    return zeros
