"""Building blocks of the chapter's proofs: exact verdicts, parts checked on several instances, and shared checks.

Each part names what it rests on (``basis``, see ``symact.proof.result``): only a symbolic
argument, an exact computation of everything the statement quantifies over, or a cited lemma
is *proved*; floats, samples and finitely many instances of a general claim are *checked*.

>>> from symact.proof import EXACT
>>> exact_proof('1 + 1 = 2', 1 + 1 == 2, 'exact arithmetic', basis=EXACT).status
'proved'
>>> exact_proof('random networks agree', 3e-16 < 1e-12, 'float64 check').status
'checked'
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import replace

import sympy as sp

from symact.catalog import x
from symact.chapter.theorem import combine
from symact.derivation import derive
from symact.proof import INSTANCES, PROVED, REFUTED, Proof, Step

__all__ = ["instances_proof", "titled", "exact_proof", "sci", "rational_matrix", "one_sided"]


def instances_proof(statement: str, latex: str, proofs: list[Proof], others: str = "", every: bool = False) -> Proof:
    """One part on several instances: printed once (the first instance), the others counted.

    *Checked* on instances of a general claim; *proved* only when the instances are ``every``
    case the part quantifies over (each instance proved).

    >>> from symact.proof import EXACT
    >>> two = [exact_proof('k = 1', True, 'm', basis=EXACT), exact_proof('k = 2', True, 'm', basis=EXACT)]
    >>> p = instances_proof('k = 1, 2', 'for $k = 1$', two)
    >>> p.status, len(p.details['instances'])
    ('checked', 2)
    >>> instances_proof('k = 1, 2', 'for $k = 1$', two, every=True).status
    'proved'
    """
    combined = combine(statement, proofs)
    details = {"instances": proofs, "latex": latex, "others": others}
    return replace(combined, details=details, basis=combined.basis if every else INSTANCES)


def titled(p: Proof, latex: str) -> Proof:
    """``p`` with the statement the notes print for it (LaTeX words).

    >>> titled(exact_proof('1 = 1', True, 'm'), 'one is one').details['latex']
    'one is one'
    """
    return replace(p, details={**p.details, "latex": latex})


def exact_proof(
    statement: str,
    ok: bool,
    method: str,
    steps: Iterable[Step] = (),
    counterexample: dict | None = None,
    latex: str = "",
    basis: str = INSTANCES,
    **details: object,
) -> Proof:
    """A verdict from a computation: ``ok`` is *proved* when the computation is a proof (``basis``
    ``SYMBOLIC``, ``EXACT`` or ``CITED``), else *checked* (the default, ``INSTANCES``, and ``SAMPLES``,
    ``FLOAT``); not ``ok`` is *refuted*. ``steps`` are facts (relations).

    >>> exact_proof('2 < 1', 2 < 1, 'exact comparison', counterexample={'x': 0}, basis='exact').status
    'refuted'
    """
    return Proof(
        statement,
        PROVED if ok else REFUTED,
        method,
        tuple(steps),
        None if ok else counterexample,
        None,
        None,
        None,
        {**details, "latex": latex} if latex else details,
        basis,
    )


def sci(value: float) -> str:
    """A float in LaTeX scientific notation, ``$1.2 \\cdot 10^{-15}$``.

    >>> print(sci(0.00012))
    $1.2 \\cdot 10^{-4}$
    """
    mantissa, exponent = f"{value:.1e}".split("e")
    return rf"${mantissa} \cdot 10^{{{int(exponent)}}}$" if value else "$0$"


def rational_matrix(rng: random.Random, rows: int, cols: int, denominator: int = 4) -> sp.Matrix:
    """A ``rows`` x ``cols`` matrix of random rationals k / ``denominator``, k in -9..9, drawn from ``rng``.

    >>> rational_matrix(random.Random(0), 1, 2)
    Matrix([[3/4, 1]])
    """
    return sp.Matrix(rows, cols, lambda i, j: sp.Rational(rng.randint(-9, 9), denominator))


def one_sided(name: str, f: sp.Expr, kink: str = "torch") -> tuple[bool, list[Step], dict]:
    """f's branches on each side of 0, their derivatives against symact's f', and the one-sided derivatives at 0.

    Returns whether the branches' derivatives match symact's, the steps, and the left and right
    derivatives at 0 with the value ``kink`` takes there.

    >>> from symact.catalog import get
    >>> ok, steps, sides = one_sided('relu', get('relu').expr)
    >>> ok, sides['left'], sides['right'], sides['value']
    (True, 0, 1, 0)
    """
    t = sp.Symbol("t", positive=True)
    F = sp.Function(name)
    d = derive(name, kink=kink)
    right_branch, left_branch = f.subs(x, t).subs(t, x), f.subs(x, -t).subs(t, -x)
    right_slope, left_slope = sp.diff(right_branch, x), sp.diff(left_branch, x)
    right = sp.limit((f.subs(x, t) - f.subs(x, 0)) / t, t, 0, "+")
    left = sp.limit((f.subs(x, -t) - f.subs(x, 0)) / (-t), t, 0, "+")
    ok = (
        sp.simplify(d.df.subs(x, t) - right_slope.subs(x, t)) == 0
        and sp.simplify(d.df.subs(x, -t) - left_slope.subs(x, -t)) == 0
    )
    dF = sp.Derivative(F(x), x)
    h = sp.Symbol("h", positive=True)
    steps = [
        Step(sp.Implies(x > 0, sp.Eq(F(x), right_branch)), r"$\max(0, x) = x$, $\min(0, x) = 0$"),
        Step(sp.Implies(x > 0, sp.Eq(dF, right_slope)), "differentiate that branch; symact's $f'$ agrees"),
        Step(sp.Implies(x < 0, sp.Eq(F(x), left_branch)), r"$\max(0, x) = 0$, $\min(0, x) = x$"),
        Step(sp.Implies(x < 0, sp.Eq(dF, left_slope)), "differentiate that branch; symact's $f'$ agrees"),
        Step(sp.Eq(sp.Limit((F(h) - F(0)) / h, h, 0, "+"), right, evaluate=False), "right derivative at 0"),
        Step(sp.Eq(sp.Limit((F(-h) - F(0)) / (-h), h, 0, "+"), left, evaluate=False), "left derivative at 0"),
    ]
    return ok, steps, {"left": left, "right": right, "value": d.kinks[0].value}
