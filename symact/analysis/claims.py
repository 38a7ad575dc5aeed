"""An auditor for published claims about activations: ``check_claims`` takes claims as data and says which
are proved, which are refuted (and why), which only agree with numbers (checked) and which stay unknown.

>>> [c.status for c in check_claims([('sigmoid', 'lipschitz', '1/4'), ('softsign', 'derivative', '1 - y**2')])]
['proved', 'refuted']
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from dataclasses import dataclass

import mpmath
import sympy as sp
from sympy.core.evalf import PrecisionExhausted

from symact.analysis.engine import properties
from symact.analysis.exact import _close, _cmp, _is_zero, _num
from symact.analysis.periodic import DOES_NOT_EXIST
from symact.analysis.pieces import _check_switches, _OutOfDepth
from symact.analysis.result import PROPERTY_NAMES, Properties, Property
from symact.analysis.tables import cell
from symact.budget import DEFAULT_BUDGETS, validate, within
from symact.catalog import Activation, get, x
from symact.errors import ParameterError, ParseError, ProofTimeout, SymactError, UndecidedSign
from symact.functions import expand_named
from symact.isolation import isolatable
from symact.kinks import Piece, rational_inside, resolve, switch_points
from symact.parsing import parse
from symact.precision import precision
from symact.proof import CHECKED, PROVED, REFUTED, UNKNOWN, Proof, Status, prove

__all__ = ["Claim", "check_claims"]

_Y = sp.Dummy("y", real=True)  # y stands for f(x); a Dummy: never a parameter named y
_ALIASES = {"lipschitz_constant": "lipschitz", "smoothness": "continuity", "order_of_continuity": "continuity",
            "monotone": "monotonic", "derivative_monotone": "derivative_monotonic", "odd": "parity",
            "identity_at_origin": "identity_near_origin", "min": "minimum", "max": "maximum"}  # fmt: skip


@dataclass(frozen=True)
class Claim:
    """A claim about an activation and what symact found: ``status`` *proved*, *refuted* (a certified
    counterexample or a proved different value), *checked* (agrees with a numerical-only value) or
    *unknown*; ``proved`` is True only for *proved*."""

    activation: str
    property: str
    claimed: object
    status: Status
    reason: str
    proof: Proof | None = None

    @property
    def proved(self) -> bool:
        """Whether the claim is proved (False for *checked*: numerical agreement is no proof)."""
        return self.status == PROVED

    def __str__(self) -> str:
        return f"{self.status:<9} {self.activation}: {self.property} = {self.claimed!s}  ({self.reason})"


@isolatable
def check_claims(claims: Iterable, budget: float | None = DEFAULT_BUDGETS["check_claims"]) -> list[Claim]:
    """Audit claims given as (activation, property, claimed value) tuples or dicts with those keys.

    Properties are ``PROPERTY_NAMES`` plus ``derivative`` (a formula in x, with y standing for
    f(x) and a catalog entry's parameters by name: ``'where(x > 0, 1, alpha)'`` for prelu, proved
    for every parameter value). Ranges are strings such as ``'(0, 1)'``, ``'[0, ∞)'`` or ``'ℝ'``,
    SymPy intervals, tuples ``(0, 1)`` (open, as the notation reads) or lists ``[0, 6]`` (closed);
    continuity an integer k for C^k (``'oo'`` for smooth, -1 for discontinuous); yes/no
    properties booleans. Strings are read by symact's parser, never evaluated. Values are
    compared exactly (certified signs, no tolerance); a derivative holds only when proved
    symbolically on every smooth piece. ``budget`` (seconds, default 180)
    bounds each claim: past it the claim is *unknown*.
    """
    validate(budget, "check_claims")
    results, seen = [], {}
    for claim in claims:
        try:
            if isinstance(claim, dict):
                activation, prop, claimed = claim["activation"], claim["property"], claim["value"]
            else:
                activation, prop, claimed = claim
        except (KeyError, TypeError, ValueError):
            raise ParameterError(
                "check_claims", "claims", f"each claim is (activation, property, value) or such a dict, not {claim!r}"
            ) from None
        results.append(_check(activation, _ALIASES.get(prop, prop), claimed, budget, seen))
    return results


def _check(activation, prop: str, claimed, budget, seen: dict) -> Claim:
    def verdict(v: Status, reason: str, prf: Proof | None = None) -> Claim:
        return Claim(activation, prop, claimed, v, reason, prf)

    try:
        with within(budget, f"claim about {activation}"):
            key = activation if isinstance(activation, str) else id(activation)
            p = seen[key] if key in seen else seen.setdefault(key, properties(activation, budget=budget))
            if prop == "derivative":
                return verdict(*_derivative(activation, p, claimed))
            if prop not in PROPERTY_NAMES:
                raise ParameterError(
                    activation, prop, "is not a property one can claim", (*PROPERTY_NAMES, "derivative")
                )
            found = p[prop]
            if found.value is None:
                return verdict(UNKNOWN, f"{prop} is unknown: {found.details.get('reason', '')}", found.proof)
            same = _matches(prop, _value(prop, claimed), found.value)
            # an exact counterexample outweighs agreement with a numerical value to its digits
            witness = _witness(p, prop, _value(prop, claimed), found) if same is not None and not found.proved else None
    except ProofTimeout as err:
        return verdict(UNKNOWN, f"time limit: {err}")
    except SymactError as err:
        return verdict(UNKNOWN, f"cannot read the claim: {err}")
    except (TypeError, ValueError, ZeroDivisionError, NotImplementedError, AttributeError, RecursionError) as err:
        return verdict(UNKNOWN, f"cannot decide the claim ({type(err).__name__}: {err})")
    shown = cell(found)
    if found.proved and same is not None:
        if same:
            return verdict(PROVED, f"proved: {found.proof.statement}", found.proof)
        return verdict(REFUTED, f"proved instead: {prop} = {shown} ({found.proof.statement})", found.proof)
    if same is None:
        return verdict(UNKNOWN, f"the claim could not be compared exactly with {shown}", found.proof)
    if witness:
        return verdict(REFUTED, witness, found.proof)
    if same:
        return verdict(CHECKED, f"the claim agrees with the numerical value {shown}; not proved", found.proof)
    return verdict(UNKNOWN, f"the claim differs from the numerical value {shown}; not proved", found.proof)


def _value(prop: str, claimed):
    """The claimed value as the same kind of object ``properties`` returns."""
    if isinstance(claimed, str):
        text = _plain(claimed)
        if prop == "range":
            return _parse_interval(text)
        if prop == "continuity":
            text = text.upper().replace("C^", "").replace("C", "").replace("INF", "oo")
            return sp.oo if text in ("oo", "OO") else sp.Integer(int(text))
        if prop in ("monotonic", "derivative_monotonic", "parity", "monotonic_intervals"):
            return {"yes": True, "no": False}.get(text.lower(), text.lower())
        if text.lower() in ("yes", "no", "true", "false"):
            return text.lower() in ("yes", "true")
        return DOES_NOT_EXIST if text.lower() in (DOES_NOT_EXIST, "dne") else parse(text)
    if isinstance(claimed, bool):
        return claimed
    if isinstance(claimed, float) and abs(claimed) == float("inf"):
        return sp.oo if claimed > 0 else -sp.oo
    if isinstance(claimed, (int, float)):
        return sp.nsimplify(claimed, rational=True) if isinstance(claimed, float) else sp.Integer(claimed)
    if isinstance(claimed, (tuple, list)):
        ends = tuple(_value("value", c) for c in claimed)
        if prop == "range" and len(ends) == 2:  # (0, 1) open, [0, 6] closed, as the notation reads
            return sp.Interval(*ends, *(2 * [isinstance(claimed, tuple)]))
        return ends
    return claimed


def _plain(text: str) -> str:
    """A claim as copied from a table, in the parser's words: ∞ is oo, − is -, ℝ is (-oo, oo)."""
    text = text.strip().replace("∞", "oo").replace("−", "-").replace("+oo", "oo")
    return "(-oo, oo)" if text in ("R", "ℝ", "reals") else text


def _parse_interval(text: str) -> sp.Set:
    if len(text) < 5 or text[0] not in "([" or text[-1] not in ")]" or "," not in text:
        raise ParseError(f"a range looks like '(0, 1)' or '[0, oo)', got {text!r}", text, 0)
    lo, hi = (parse(t) for t in text[1:-1].split(",", 1))
    return sp.Interval(lo, hi, text[0] == "(", text[-1] == ")")


def _matches(prop: str, claimed, value) -> bool | None:
    """Whether the claimed value equals the found one, decided exactly; None when that cannot be certified."""
    if prop in ("monotonic", "derivative_monotonic") and isinstance(claimed, bool):
        return claimed == (value != "not monotonic")
    if isinstance(value, bool) or isinstance(claimed, (bool, str)):
        return claimed == value
    if isinstance(value, sp.Set):
        if not isinstance(claimed, sp.Set):
            return False
        a, b = value, claimed
        if isinstance(a, sp.Interval) and isinstance(b, sp.Interval):
            if (a.left_open, a.right_open) != (b.left_open, b.right_open):
                return False
            return _all_true([_close(u, v) for u, v in ((a.start, b.start), (a.end, b.end))])
        return a == b
    if isinstance(value, tuple):
        if not (isinstance(claimed, tuple) and len(claimed) == len(value)):
            return False
        return _all_true([_matches("value", c, v) for c, v in zip(claimed, value)])
    if isinstance(value, sp.Float) and isinstance(claimed, sp.Basic) and claimed.is_number:
        return _same_digits(claimed, value)
    if isinstance(value, sp.Basic) and isinstance(claimed, sp.Basic):
        return _close(claimed, value)
    return claimed == value


def _same_digits(claimed: sp.Expr, value: sp.Float) -> bool | None:
    """A numerical value carries its digits and no more: the claim agrees when it rounds to the same digits
    (the 30-digit claim of mish's minimum differs from its 103-bit value by 5e-32)."""
    digits = mpmath.libmp.prec_to_dps(value._prec)
    try:
        exact = sp.N(claimed, digits + 10, strict=True)
    except (PrecisionExhausted, ValueError, TypeError):
        return None
    with precision(digits + 10):
        return mpmath.nstr(mpmath.mpf(exact._mpf_), digits) == mpmath.nstr(mpmath.mpf(value._mpf_), digits)


def _all_true(truths: list) -> bool | None:
    return False if False in truths else None if None in truths else True


def _witness(p: Properties, prop: str, claimed, found: Property) -> str | None:
    """An exact counterexample to a numerical-only extreme: a rational point beyond the claimed bound."""
    if prop not in ("minimum", "maximum", "lipschitz") or not isinstance(claimed, sp.Basic) or not claimed.is_number:
        return None
    where = found.details.get("at") or []
    if not where or isinstance(where[0], sp.Set) or where[0] in (sp.oo, -sp.oo):
        return None
    g = sp.diff(p.f, x) if prop == "lipschitz" else p.f
    for tolerance in ("1e-2", "1e-4", "1e-8", "1e-12", "1e-16"):  # the simplest rational point that refutes
        point = sp.nsimplify(_num(where[0]), rational=True, tolerance=sp.Float(tolerance))
        try:
            value = resolve(g, {x: point}).subs(x, point)
        except UndecidedSign:
            continue
        value = sp.Abs(value) if prop == "lipschitz" else value
        beyond = _cmp(value, claimed)
        if beyond is not None and (beyond < 0 if prop == "minimum" else beyond > 0):
            what = "|f'|" if prop == "lipschitz" else "f"
            return f"at x = {point}, {what} = {sp.N(value, 15)}, beyond the claimed {claimed}"
    return None


def _parameters(activation) -> dict[str, sp.Symbol]:
    """A catalog entry's parameter symbols by name (``alpha`` of prelu); none for an expression."""
    if isinstance(activation, str) and activation.strip().replace("-", "_").isidentifier():
        activation = get(activation)
    return {s.name: s for s in activation.params} if isinstance(activation, Activation) else {}


def _claimed_derivative(activation, p: Properties, claimed) -> tuple[sp.Expr, sp.Expr, list]:
    """The claim and f, with y = f(x) and every parameter the claim names kept symbolic (others at defaults)."""
    params = _parameters(activation)
    if isinstance(claimed, str):
        expr = parse(_plain(claimed), parameters={"y": _Y, **params})
    else:
        expr = sp.sympify(claimed)
        expr = expr.xreplace({s: {"y": _Y, "x": x, **params}.get(s.name, s) for s in expr.free_symbols})
    used = sorted(expr.free_symbols & set(params.values()), key=lambda s: s.name)
    if used:
        entry = get(activation) if isinstance(activation, str) else activation
        f = entry.expr.subs({s: v for s, v in entry.defaults.items() if s not in used})
    else:
        f = p.f
    return expr.subs(_Y, f), f, used


def _samples(used: list) -> list[dict]:
    """A few values of the named parameters, within their assumptions, to look for a counterexample."""
    allowed = [
        [v for v in (sp.Rational(1, 2), sp.Integer(2), sp.Rational(-3, 2), sp.Integer(0)) if _allows(s, v)]
        for s in used
    ]
    return [dict(zip(used, values)) for values in itertools.islice(itertools.product(*allowed), 6)]


def _allows(s: sp.Symbol, v: sp.Expr) -> bool:
    signs = {"positive": v > 0, "negative": v < 0, "nonnegative": v >= 0, "nonpositive": v <= 0, "zero": v == 0}
    signs.update({"integer": v.is_integer, "nonzero": v != 0})
    return all(bool(holds) for kind, holds in signs.items() if s.assumptions0.get(kind))


def _derivative(activation, p: Properties, claimed) -> tuple[Status, str, Proof | None]:
    """Compare a claimed f' (in x, with y = f(x) and the entry's parameters) with the derivative on every piece.

    Refuted only by a certified difference at a rational point inside a piece (parameters at
    sample values); holds only with a symbolic proof of the identity on every piece, for every
    parameter value (never from agreeing samples).
    """
    expr, f, used = _claimed_derivative(activation, p, claimed)
    df = sp.diff(f, x)
    for values in _samples(used):
        refuted = _counterexample(f.xreplace(values), expr.xreplace(values), df.xreplace(values), claimed, values)
        if refuted is not None:
            return refuted
    try:  # the pieces of f and of the claim together: both are smooth on each
        cuts = [-sp.oo, *switch_points(sp.Tuple(f, expr), {}), sp.oo]
        found = [Piece(lo, hi, None, rational_inside(lo, hi)) for lo, hi in zip(cuts, cuts[1:])]
    except UndecidedSign:
        return UNKNOWN, "the claim's pieces could not be separated exactly", Proof(f"f' = {claimed}", UNKNOWN)
    if len(cuts) == 2:  # smooth: the identity prover gives the chain of steps
        result = prove(expr, df, budget=5)
        if result.status == PROVED:
            return PROVED, f"proved by {result.method}: f' = {claimed}", result
    try:
        _check_switches(expr - df, found)
        _check_switches(f, found)
    except (_OutOfDepth, UndecidedSign):
        return UNKNOWN, "the claim's pieces could not be separated exactly", Proof(f"f' = {claimed}", UNKNOWN)
    for piece in found:
        point = {x: piece.probe}
        if not _is_zero(expand_named(resolve(expr, point) - resolve(df, point))):
            return UNKNOWN, "agrees at test points; no symbolic proof", Proof(f"f' = {claimed}", UNKNOWN)
    steps = "rewritten to exp and simplified to zero on every smooth piece"
    steps += f", for every {', '.join(s.name for s in used)}" if used else ""
    return PROVED, f"proved: {steps}", Proof(f"f' = {claimed}", PROVED, steps)


def _counterexample(f, expr, df, claimed, values: dict) -> tuple[Status, str, Proof] | None:
    """A rational x inside a smooth piece where the claim and f' certifiably differ (parameters at ``values``)."""
    try:
        cuts = [-sp.oo, *switch_points(sp.Tuple(f, expr), {}), sp.oo]
    except UndecidedSign:
        return None
    points = [sp.Rational(1, 3), sp.Rational(7, 4), sp.Rational(-5, 2), 3, sp.Rational(-2, 3), 1]
    points += [rational_inside(lo, hi) for lo, hi in zip(cuts, cuts[1:])]
    at = "".join(f", {s.name} = {v}" for s, v in values.items())
    for t in points:
        if any(c not in (sp.oo, -sp.oo) and _cmp(c, t) in (0, None) for c in cuts):
            continue
        try:
            want, got = resolve(df, {x: t}).subs(x, t), resolve(expr, {x: t}).subs(x, t)
        except UndecidedSign:
            continue
        if _cmp(want, got) in (1, -1):
            reason = f"at x = {t}{at} the claim gives {sp.N(got, 10)} but f'({t}) = {sp.N(want, 10)}"
            point = {"x": t, **{s.name: v for s, v in values.items()}}
            return REFUTED, reason, Proof(f"f' = {claimed}", REFUTED, "counterexample", counterexample=point)
    return None
