"""Checks for users' test suites: derivatives against mpmath, identities and theorems proved.

A failed ``assert_identity`` raises ``ProofFailure`` whose message comes first: both sides
pretty-printed and the counterexample; these helpers hide their own frames from pytest's
traceback. The pytest plugin itself (``pytest_symact``, an import-light module) makes ``Proof``
objects compared in a plain ``assert`` explain themselves.

>>> check_derivative('sigmoid').status
'checked'
>>> assert_identity('tanh(x) + 1', '2*sigmoid(2*x)').status
'proved'
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Protocol

import mpmath
import sympy as sp

from symact.catalog import Activation, get, x
from symact.derivation import derive
from symact.errors import SymactError
from symact.functions import mp_function
from symact.kinks import switch_points
from symact.parsing import parse
from symact.precision import precision
from symact.proof import CHECKED, UNKNOWN, Proof, Status, prove
from symact.proof.derivatives import derivative_kinks, kink_details, off_kinks

__all__ = [
    "DerivativeCheck",
    "check_derivative",
    "sample_points",
    "ProofFailure",
    "assert_identity",
    "assert_derivative",
    "prove_derivative",
    "assert_theorem",
    "autodiff",
]


def sample_points(kinks: Sequence[mpmath.mpf] = (), count: int = 40) -> list:
    """Points for checking: a spread over [-50, 50], small |x|, and both sides next to each kink."""
    points = [mpmath.mpf(t) for t in (-50, -20, -9.5, -5, -3.3, -2, -1.3, -0.7, -0.3, -0.05, 0.01)]
    points += [mpmath.mpf(t) for t in (0.02, 0.2, 0.45, 0.9, 1.6, 2.5, 3.7, 6.1, 8, 12.5, 30, 50)]
    step = mpmath.mpf(100) / count
    points += [mpmath.mpf(-50) + step * (i + mpmath.mpf("0.37")) for i in range(count - len(points) + 8)]
    for k in kinks:
        points += [k - mpmath.mpf("1e-3"), k + mpmath.mpf("1e-3"), k - mpmath.mpf("0.3"), k + mpmath.mpf("0.3")]
    return sorted(p for p in points if all(abs(p - k) > mpmath.mpf("1e-6") for k in kinks))


@dataclass
class DerivativeCheck:
    """The result of ``check_derivative``: ``failures`` lists (what, point, analytic, numerical).

    A numerical comparison is never a proof: ``status`` is *checked* when every point agrees, else
    *unknown* (a disagreement of numerical differentiation is no certified counterexample), and
    ``proved`` is always False.

    >>> check_derivative('relu').status, check_derivative('relu').proved
    ('checked', False)
    """

    name: str
    points: int = 0
    failures: list = field(default_factory=list)

    @property
    def status(self) -> Status:
        """*checked* when f' and f'' agree with mpmath at every point, else *unknown*."""
        return UNKNOWN if self.failures else CHECKED

    @property
    def proved(self) -> bool:
        """Always False: numbers check, they do not prove (see ``assert_derivative`` for a proof)."""
        return False

    def __str__(self) -> str:
        if not self.failures:
            return f"{self.name}: f' and f'' agree with mpmath at {self.points} points"
        lines = [f"{self.name}: {len(self.failures)} disagreement(s) with mpmath.diff"]
        lines += [
            f"  {what} at x = {mpmath.nstr(p, 12)}: analytic {mpmath.nstr(a, 15)}, numerical {mpmath.nstr(n, 15)}"
            for what, p, a, n in self.failures[:10]
        ]
        return "\n".join(lines)


def check_derivative(
    activation: str | Activation, digits: int = 30, tolerance: float = 1e-15, **params: float | sp.Expr
) -> DerivativeCheck:
    """Compare f' and f'' of ``derive(activation)`` with mpmath.diff of f at many points.

    Points next to a switch point of f (where f' or f'' may jump) are skipped; both sides are
    sampled close to it. Parameters take their defaults unless given. The check is independent of SymPy's calculus:
    the numerical side differentiates f itself at ``digits`` digits.
    """
    entry = get(activation) if isinstance(activation, str) else activation
    defaults = dict(entry.defaults) if isinstance(entry, Activation) else {}
    d = derive(entry, **params)
    values = {s: v for s, v in defaults.items() if s.name not in params}
    f, df, d2f = (mp_function(e.subs(values)) for e in (d.f, d.df, d.d2f))
    values = {**defaults, **entry.bind(**params)}
    # every switch point, not only the kinks of f: f'' may jump where f' is continuous (SQNL at -2)
    kinks = [mpmath.mpf(sp.N(p.subs(values), 30)) for p in switch_points(entry.expr, values)]
    result = DerivativeCheck(d.name or str(d.f))
    with precision(digits):
        for p in sample_points(kinks):
            h = mpmath.mpf(10) ** (-digits // 3)
            for what, analytic, order in (("f'", df, 1), ("f''", d2f, 2)):
                want = mpmath.diff(f, p, order, h=h) if order == 1 else mpmath.diff(f, p, 2, h=h * 10)
                got = analytic(p)
                scale = 1 + abs(want)
                if abs(got - want) > tolerance * (10 ** (order - 1)) * 1e3 * scale:
                    result.failures.append((what, p, got, want))
            result.points += 1
    return result


# ---- identities in test suites ---------------------------------------------------------------


class ProofFailure(AssertionError):
    """An identity, derivative or theorem that was not proved; the message shows why."""


def _pretty(expr) -> str:
    text = sp.pretty(expr, use_unicode=True, wrap_line=False)
    return "\n".join("      " + line for line in text.splitlines())


class _TheoremLike(Protocol):
    """What ``assert_theorem`` reads of a theorem (``symact.chapter.registry.Theorem``)."""

    name: str
    statement: str
    checked: bool

    def run(self) -> Proof: ...


def _failure(what: str, proof) -> ProofFailure:
    lines = [f"{what} is {proof.status}" + (f" ({proof.method})" if proof.method else "")]
    if proof.lhs is not None:
        lines += ["  left-hand side:", _pretty(proof.lhs)]
    if proof.rhs is not None:
        lines += ["  right-hand side:", _pretty(proof.rhs)]
    if proof.counterexample:
        c = proof.counterexample
        point = ", ".join(f"{k} = {v}" for k, v in c.get("point", {}).items())
        lines += [f"  counterexample at {point}:", f"      lhs = {c.get('lhs')}", f"      rhs = {c.get('rhs')}"]
    if proof.evidence is not None:
        e = proof.evidence
        lines.append(
            f"  numeric check at {e.points} point{'s' if e.points != 1 else ''}, {e.digits} digits, max difference {e.max_difference:.3g}"
            + (
                f" except at {e.undecided} where they disagree but no certified evaluation decides"
                if e.undecided
                else ""
            )
        )
    return ProofFailure("\n".join(lines))


def assert_identity(
    lhs: str | sp.Expr,
    rhs: str | sp.Expr,
    budget: float = 5.0,
    allow_unknown: bool = False,
    **assumptions: str | bool | float | sp.Expr | Mapping[str, bool],
) -> Proof:
    """Assert that ``lhs = rhs`` is proved (see ``symact.proof.prove``); returns the ``Proof``.

    ``allow_unknown`` accepts numerical agreement without a symbolic proof. On failure the
    ``ProofFailure`` (an ``AssertionError``) shows both sides and the counterexample.

    >>> assert_identity('relu(x) - relu(-x)', 'x').method
    'case split at x = 0'
    >>> assert_identity('tanh(x)', '2*sigmoid(x) - 1')
    Traceback (most recent call last):
        ...
    symact.testing.assertions.ProofFailure: tanh(x) = 2*sigmoid(x) - 1 is refuted (counterexample)
    ...
    """
    __tracebackhide__ = True

    proof = prove(lhs, rhs, budget=budget, **assumptions)
    if proof.proved or (allow_unknown and proof.status == UNKNOWN):
        return proof
    raise _failure(proof.statement, proof)


def prove_derivative(
    f: str | sp.Expr | Activation,
    df: str | sp.Expr,
    budget: float = 5.0,
    **assumptions: str | bool | float | sp.Expr | Mapping[str, bool],
) -> Proof:
    """Prove that the derivative in x of ``f`` (a catalog name or entry, string or SymPy expression) is ``df``.

    The identity is read where f is differentiable: f's kinks are left out and listed, with their
    one-sided derivatives, in ``details['excluded']`` and ``details['why']`` (so ``df`` may take any
    value there, as every kink policy of ``derive`` does). When no assumption is given and the proof
    for every parameter value is out of reach, a catalog entry's parameters take the signs of their
    defaults, and ``details['assumed']`` and the statement say so.

    >>> prove_derivative('relu', 'where(x > 0, 1, 0)').verdict()
    'proved for x ≠ 0; at 0 relu has no derivative (one-sided derivatives 0 and 1); torch and JAX take 0'
    """
    entry = f if isinstance(f, Activation) else None
    if isinstance(f, str):
        try:
            entry = get(f)
        except SymactError:
            entry = None
        entry = entry if isinstance(entry, Activation) else None
    expr = entry.expr if entry else parse(f, allow_symbols=True) if isinstance(f, str) else f
    names = {s.name: s for s in expr.free_symbols}
    var = names.get("x", x)
    numbers = {names[k]: v for k, v in assumptions.items() if k in names and isinstance(v, (int, float, sp.Number))}
    expr = expr.subs(numbers)  # a parameter given a value: its kinks are numbers
    statement = f"d/dx {entry.name if entry else sp.sstr(expr)} = {df if isinstance(df, str) else sp.sstr(df)}"
    if var != x:
        return prove(sp.diff(expr, var), df, budget=budget, **assumptions)
    kinks = derivative_kinks([(None, sp.Derivative(expr, x))], dict(entry.defaults) if entry else {})
    sides = off_kinks(sp.diff(expr, x), kinks), off_kinks(_side_expr(df), kinks)
    proof = prove(*sides, budget, **assumptions)
    signs = {s.name: "positive" if v > 0 else "negative" for s, v in (entry.defaults if entry else {}).items() if v}
    if proof.status == UNKNOWN and signs and not assumptions:
        proof = replace(prove(*sides, budget, **signs), details={"assumed": signs})
        statement += " for " + ", ".join(f"{kind} {name}" for name, kind in signs.items())
    if proof.proved:
        proof = replace(proof, details={**proof.details, **kink_details(kinks, entry.name if entry else None)})
    return replace(proof, statement=statement)


def assert_derivative(
    f: str | sp.Expr,
    df: str | sp.Expr,
    budget: float = 5.0,
    allow_unknown: bool = False,
    **assumptions: str | bool | float | sp.Expr | Mapping[str, bool],
) -> Proof:
    """Assert that the derivative in x of ``f`` is ``df``, read where f is differentiable (``prove_derivative``).

    >>> assert_derivative('sigmoid', 'sigmoid(x)*(1 - sigmoid(x))').status
    'proved'
    >>> assert_derivative('x**3', '3*x**3')
    Traceback (most recent call last):
        ...
    symact.testing.assertions.ProofFailure: d/dx x**3 = 3*x**3 is refuted (counterexample)
    ...
    """
    __tracebackhide__ = True
    proof = prove_derivative(f, df, budget, **assumptions)
    if proof.proved or (allow_unknown and proof.status == UNKNOWN):
        return proof
    raise _failure(proof.statement, proof)


def _side_expr(side: str | sp.Expr) -> sp.Expr:
    return parse(side, allow_symbols=True) if isinstance(side, str) else sp.sympify(side)


def assert_theorem(theorem: _TheoremLike) -> Proof:
    """Assert that a ``symact.chapter.registry.Theorem`` is proved (or, for one declared ``checked``, that
    its numerical or instance checks pass); returns its ``Proof``.

    >>> from symact.chapter.registry import get as theorem
    >>> assert_theorem(theorem('xor_two_relu_units')).status
    'proved'
    """
    __tracebackhide__ = True
    proof = theorem.run()
    if proof.proved or (theorem.checked and proof.status == CHECKED):
        return proof
    parts = proof.details.get("parts", [proof])
    failed = [p for p in parts if not p.proved]
    message = [f"theorem {theorem.name!r}: {theorem.statement}", f"  {len(failed)} of {len(parts)} part(s) not proved"]
    message += [str(_failure(p.statement, p)) for p in failed]
    raise ProofFailure("\n".join(message))


# ---- forward-mode automatic differentiation, independent of SymPy's calculus ---------------------


class _Dual:
    """a + b eps with eps**2 = 0: value and derivative carried together (mpmath numbers)."""

    __slots__ = ("a", "b")

    def __init__(self, a, b=0):
        self.a, self.b = mpmath.mpf(a) if not isinstance(a, mpmath.mpf) else a, b

    def __add__(self, o):
        o = _lift(o)
        return _Dual(self.a + o.a, self.b + o.b)

    def __mul__(self, o):
        o = _lift(o)
        return _Dual(self.a * o.a, self.a * o.b + self.b * o.a)

    def __truediv__(self, o):
        o = _lift(o)
        return _Dual(self.a / o.a, (self.b * o.a - self.a * o.b) / o.a**2)

    def __pow__(self, n):
        if isinstance(n, _Dual):  # a**n = exp(n log a)
            return _apply("exp", _apply("log", self) * n)
        return _Dual(self.a**n, n * self.a ** (n - 1) * self.b)


def _lift(v) -> _Dual:
    return v if isinstance(v, _Dual) else _Dual(v, 0)


# name: (value, derivative) as functions of the value
_RULES = {
    "exp": (mpmath.exp, mpmath.exp),
    "log": (mpmath.log, lambda t: 1 / t),
    "tanh": (mpmath.tanh, lambda t: 1 - mpmath.tanh(t) ** 2),
    "sinh": (mpmath.sinh, mpmath.cosh),
    "cosh": (mpmath.cosh, mpmath.sinh),
    "erf": (mpmath.erf, lambda t: 2 / mpmath.sqrt(mpmath.pi) * mpmath.exp(-(t**2))),
    "sigmoid": (lambda t: 1 / (1 + mpmath.exp(-t)), lambda t: mpmath.exp(-t) / (1 + mpmath.exp(-t)) ** 2),
    "softplus": (lambda t: mpmath.log1p(mpmath.exp(t)), lambda t: 1 / (1 + mpmath.exp(-t))),
    "Phi": (mpmath.ncdf, mpmath.npdf),
    "Abs": (abs, mpmath.sign),
}


def _apply(name: str, d: _Dual) -> _Dual:
    value, slope = _RULES[name]
    return _Dual(value(d.a), slope(d.a) * d.b)


def autodiff(expr: sp.Expr, at: float | mpmath.mpf, var: sp.Symbol = x) -> tuple:
    """(f(at), f'(at)) by forward-mode automatic differentiation of ``expr``'s tree, at mpmath precision.

    Independent of SymPy's ``diff``: each node applies its own rule to dual numbers. Max, Min and
    Piecewise take the branch active at the point (so ``at`` should not sit on a kink).

    >>> autodiff(x * sp.tanh(x), 1)[1] == mpmath.tanh(1) + 1 - mpmath.tanh(1) ** 2
    True
    """

    def walk(e):
        if e == var:
            return _Dual(at, 1)
        if e.is_Number or e.is_NumberSymbol:
            return _Dual(mpmath.mpf(sp.N(e, mpmath.mp.dps + 5)) if not e.is_Rational else mpmath.mpf(e.p) / e.q)
        if isinstance(e, sp.Add):
            total = _Dual(0)
            for arg in e.args:
                total = total + walk(arg)
            return total
        if isinstance(e, sp.Mul):
            total = _Dual(1)
            for arg in e.args:
                total = total * walk(arg)
            return total
        if isinstance(e, sp.Pow):
            base, power = e.args
            return walk(base) ** (walk(power) if power.has(var) else _number(power))
        if isinstance(e, (sp.Max, sp.Min)):
            values = [walk(arg) for arg in e.args]
            pick = max if isinstance(e, sp.Max) else min
            return pick(values, key=lambda d: d.a)
        if isinstance(e, sp.Piecewise):
            for branch, cond in e.args:
                if cond == sp.true or bool(cond.subs(var, sp.Float(at, mpmath.mp.dps))):
                    return walk(branch)
        name = type(e).__name__
        if name in _RULES and len(e.args) == 1:
            return _apply(name, walk(e.args[0]))
        raise SymactError(f"autodiff: no rule for {name} in {e}; rewrite it with exp, log, tanh or erf")

    with precision(mpmath.mp.dps):
        result = walk(expr)
    return result.a, result.b


def _number(e: sp.Expr):
    return mpmath.mpf(e.p) / e.q if e.is_Rational else mpmath.mpf(sp.N(e, mpmath.mp.dps + 5))
