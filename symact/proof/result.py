"""Proof results: the four statuses, one step of a chain, numerical evidence, and the verdict ``Proof``.

The one vocabulary of every result in symact (proofs, properties, claims, theorem parts,
derivative and framework checks):

- *proved*: a symbolic or exact argument valid for every value the statement quantifies over;
- *checked*: numerical, sampled, or on finitely many instances of a general statement;
- *refuted*: a verified counterexample;
- *unknown*: no verdict, with the reason.

Every result has ``status`` and the flag ``proved``, True only for *proved* (False for *checked*).

>>> PROVED == "proved", f"{REFUTED}"
(True, 'refuted')
>>> Proof(statement="1 = 2", status=REFUTED).refuted
True
>>> Proof("k = 1, 2", PROVED, "exact arithmetic", basis=INSTANCES).status  # instances are never a proof
'checked'
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import Enum

import mpmath
import sympy as sp

from symact.errors import ParameterError
from symact.parsing import tree_size
from symact.precision import precision
from symact.proof.chains import block_tex, blocks, text

DIGITS = 50  # the working precision of numerical checks
RECHECK_DIGITS = 100  # the precision that confirms a counterexample


class Status(str, Enum):
    """A verdict: *proved*, *checked*, *refuted* or *unknown*; each member equals, prints and formats as its word.

    >>> Status("proved") is PROVED, str(UNKNOWN)
    (True, 'unknown')
    """

    PROVED = "proved"
    CHECKED = "checked"
    REFUTED = "refuted"
    UNKNOWN = "unknown"

    __str__ = str.__str__
    __format__ = str.__format__
    __repr__ = str.__repr__  # the plain word, so results and doctests read 'proved'


PROVED, CHECKED, REFUTED, UNKNOWN = Status.PROVED, Status.CHECKED, Status.REFUTED, Status.UNKNOWN

# What a verdict rests on (``Proof.basis``). A proof: a symbolic argument for every value, an exact
# computation of everything the statement quantifies over (a finite set), or a cited lemma.
SYMBOLIC, EXACT, CITED = "symbolic", "exact", "cited"
# A check: finitely many instances of a general statement, sample points, floating-point arithmetic.
INSTANCES, SAMPLES, FLOAT = "instances", "samples", "float"
PROOF_BASES, CHECK_BASES = (SYMBOLIC, EXACT, CITED), (INSTANCES, SAMPLES, FLOAT)


@dataclass(frozen=True)
class Step:
    """One link of a proof chain: ``expr`` follows from the previous link by ``rule``.

    ``relation`` is what was verified between the previous link and this one: '=', '<=', '<',
    or '->' (a limit; the rule names the variable, its direction and the case).
    """

    expr: sp.Expr
    rule: str
    relation: str = "="


@dataclass(frozen=True)
class Evidence:
    """Numerical evidence: how many points, at what precision, and the largest difference seen.

    For identities ``max_difference`` is relative, |lhs - rhs| / (1 + |lhs| + |rhs|), so that
    large values (exp(400)) do not hide or fake agreement. ``undecided`` counts the points where the 50-digit
    sides disagreed but accuracy-tracked evaluation could not certify the difference (``max_difference`` is
    over the others): such a statement is not said to agree.
    """

    points: int
    digits: int
    max_difference: float
    undecided: int = 0


@dataclass(frozen=True)
class Proof:
    """The verdict on a statement ``lhs = rhs`` (or a bound, a limit, a matrix identity).

    ``basis`` says what the verdict rests on (``PROOF_BASES`` or ``CHECK_BASES``): a *proved* status
    on a check's basis becomes *checked*. ``details['excluded']`` lists the points an identity
    between derivatives leaves out (where the function differentiated has no derivative),
    ``details['defined']`` the conditions off which every side has a value (``symact.proof.domain``;
    ``details['positive_base']``: a power with a symbolic exponent is read only where its base is positive).
    """

    statement: str
    status: Status | str
    method: str = ""
    steps: tuple[Step, ...] = ()
    counterexample: dict | None = None
    evidence: Evidence | None = None
    lhs: sp.Basic | None = None
    rhs: sp.Basic | None = None
    details: dict = field(default_factory=dict)
    basis: str = SYMBOLIC

    def __post_init__(self) -> None:
        if self.basis not in PROOF_BASES + CHECK_BASES:
            raise ParameterError(
                "Proof", "basis", f"must be one of {PROOF_BASES + CHECK_BASES}", PROOF_BASES + CHECK_BASES
            )
        if self.status == PROVED and self.basis in CHECK_BASES:
            object.__setattr__(self, "status", CHECKED)

    @property
    def proved(self) -> bool:
        """Whether the status is ``proved`` (False for ``checked``: numbers and instances are no proof)."""
        return self.status == PROVED

    @property
    def refuted(self) -> bool:
        """Whether the status is ``refuted`` (a certified counterexample)."""
        return self.status == REFUTED

    def __bool__(self) -> bool:
        return self.proved

    # ---- display ------------------------------------------------------------------------------
    def verdict(self) -> str:
        """The status in words, with the points an identity between derivatives leaves out and why.

        >>> Proof('d = e', PROVED, details={'excluded': [0], 'why': ['at 0 relu has no derivative']}).verdict()
        'proved for x ≠ 0; at 0 relu has no derivative'
        >>> Proof('(x**2 - 1)/(x - 1) = x + 1', PROVED, details={'defined': [sp.Ne(sp.Symbol('x'), 1)]}).verdict()
        'proved for x ≠ 1; a side has no real value at the points left out'
        >>> Proof('sqrt(x)**2 = x', PROVED, details={'defined': [sp.Symbol('x') >= 0]}).verdict()
        'proved for x ≥ 0; a side has no real value at the points left out'
        >>> Proof('x**a*x**b = x**(a + b)', PROVED, details={'defined': [sp.Symbol('x') > 0], 'positive_base': True}).verdict()
        'proved for x > 0; at the points left out a side has no real value, or a symbolic power a base not positive'
        """
        excluded = self.details.get("excluded", []) if self.status == PROVED else []
        defined = self.details.get("defined", []) if self.status == PROVED else []
        if not excluded and not defined:
            return str(self.status)
        where = [f"x ≠ {_words(sp.sstr(p))}" for p in excluded]
        where += [_condition(c) for c in defined]
        why = ["a side has no real value at the points left out"] if defined else []
        if defined and self.details.get("positive_base"):  # x**a*x**b at x = -1, a = b = 1: real
            why = ["at the points left out a side has no real value, or a symbolic power a base not positive"]
        return "; ".join([f"{self.status} for {' and '.join(where)}", *self.details.get("why", []), *why])

    def _evidence_text(self) -> str:
        e = self.evidence
        if e is None:
            return ""
        text = f"numeric check at {e.points} point{'s' if e.points != 1 else ''}, {e.digits} digits"
        if self.status == UNKNOWN:
            text += f", max difference {e.max_difference:.1e}"
        if e.undecided:
            text += f" except at {e.undecided} where they disagree but no certified evaluation decides"
        return text

    def _counterexample_text(self, digits: int = 5) -> str:
        c = self.counterexample or {}
        point = ", ".join(f"{k} = {v}" for k, v in c.get("point", {}).items())
        lhs, rhs = c.get("lhs"), c.get("rhs")
        relation = c.get("relation", "!=")  # a bound's counterexample: the side against the bound, as certified
        if _is_real_text(lhs) and _is_real_text(rhs) and relation != "=":
            with precision(4 * RECHECK_DIGITS + 10):
                a, b = mpmath.mpf(lhs), mpmath.mpf(rhs)
                while mpmath.nstr(a, digits) == mpmath.nstr(b, digits) and digits < 4 * RECHECK_DIGITS:
                    digits += 5  # show as many digits as it takes to see the difference
                lhs, rhs = mpmath.nstr(a, digits), mpmath.nstr(b, digits)
        point += (", " if point else "") + f"{c['limit']}" if "limit" in c else ""
        differ = f"{lhs} {relation} {rhs}" + (f" (lhs - rhs = {c['difference']})" if "difference" in c else "")
        return f"{point} gives {differ}" if point else differ

    def __repr__(self) -> str:
        if self.status == REFUTED and self.counterexample:
            return f"Proof(refuted: {self._counterexample_text()})"
        parts = [self.status if self.status != UNKNOWN else f"unknown ({self.method})"]
        if self.status in (PROVED, CHECKED):
            parts = [f"{self.verdict()}, by {self.method}"]
            if len(self.steps) > 1:
                parts.append(f"{len(self.steps) - 1} steps")
        evidence = self._evidence_text()
        if evidence:
            parts.append(evidence)
        return "Proof(" + "; ".join(parts) + ")"

    def __str__(self) -> str:
        lines = [_words(self.statement), f"  {self.verdict()}" + (f" by {_words(self.method)}" if self.method else "")]
        chains = text(self)
        if chains:
            lines += ["  " + line for line in chains]
        for i, step in enumerate(() if chains else self.steps):
            rows = _pretty(step.expr).splitlines()
            lead = "    " if i == 0 else f"  {_SYMBOLS[step.relation]} "
            for j, line in enumerate(rows):
                lines.append(
                    (lead if j == len(rows) // 2 else "    ") + line + ("" if j else f"    [{_words(step.rule)}]")
                )
        if "equality_set" in self.details:
            zeros = self.details["equality_set"]
            where = ", ".join(_words(sp.sstr(z)) for z in zeros)
            if not chains:
                lines.append(f"  equality exactly at x = {where}" if zeros else "  equality nowhere")
        if self.counterexample:
            c = self.counterexample
            where = [f"{k} = {v}" for k, v in c.get("point", {}).items()] + ([c["limit"]] if "limit" in c else [])
            lines.append("  counterexample: " + ", ".join(where))
            names = ("value", "bound") if "relation" in c else ("lhs", "rhs")  # a bound's: the function, the bound
            lines.append(f"    {names[0]} = {c.get('lhs')}")
            lines.append(f"    {names[1]} = {c.get('rhs')}")
            if "relation" in c:
                lines.append(f"    value {c['relation']} bound")
            if "difference" in c:
                lines.append(f"    lhs - rhs = {c['difference']}")
        if self.evidence:
            lines.append(f"  {self._evidence_text()}")
        return "\n".join(lines)

    def latex(self) -> str:
        r"""The proof chain as an ``align*`` environment, one ``\text{rule}`` per step.

        >>> from symact.proof.identities import prove
        >>> print(prove('sigmoid(-x)', '1 - sigmoid(x)').latex().splitlines()[0])
        \begin{align*}
        """
        if not self.steps:
            if isinstance(self.lhs, sp.Expr) and isinstance(self.rhs, sp.Expr):  # the question, not a claim
                body = rf"{sp.latex(self.lhs)} &\overset{{?}}{{=}} {sp.latex(self.rhs)} && \text{{{self.status}}}"
            else:
                body = rf"&\text{{{_latex_text(self.statement)}}} && \text{{{self.status}}}"
            if self.counterexample:
                body += r" \\ &" + self._counterexample_latex()
            return "\\begin{align*}\n" + body + "\n\\end{align*}"
        chains = blocks(self)
        if chains:
            return "\n".join(block_tex(b, column=False) for b in chains)
        rows = []
        for i, step in enumerate(self.steps):
            rel = "" if i == 0 else "&" + {"<=": r"\le ", "<": "< ", "->": r"\to "}.get(step.relation, "= ")
            expr = sp.latex(step.expr)
            rows.append((f"{expr} &" if i == 0 else rel + expr) + rf" && \text{{{_latex_text(step.rule)}}}")
        return "\\begin{align*}\n" + " \\\\\n".join(rows) + "\n\\end{align*}"

    def _counterexample_latex(self) -> str:
        r"""The counterexample as math: ``\text{at } x = 1{:}\ 1.76 \neq 1.46``."""
        point, _, values = self._counterexample_text(12).rpartition(" gives ")
        sides = [v if _NUMBER.fullmatch(v) else rf"\text{{{_latex_text(v)}}}" for v in values.split(" != ")]
        if point:
            shown = point if re.fullmatch(r"[\w\s=.,+-]+", point) else rf"\text{{{_latex_text(point)}}}"
            where = rf"\text{{at }} {shown}{{:}}\ "
        else:
            where = ""
        return where + r" \neq ".join(sides)

    def _repr_latex_(self) -> str:
        return self.latex()


_NUMBER = re.compile(r"-?\d+(\.\d*)?(e[-+]?\d+)?")


_SYMBOLS = {"=": "=", "<=": "≤", "<": "<", ">=": "≥", ">": ">", "->": "→"}
_WORDS = re.compile(r"\*\*|->|<=|>=|!=|\boo\b|\b(Max|Min)\(")


def _condition(c: sp.Basic) -> str:
    """A condition of ``details['defined']`` in words: ``x ≠ 1``, ``x ≥ 0``, ``x ≠ 1 where x > 0``."""
    if isinstance(c, sp.Ne):
        return f"{_words(sp.sstr(c.lhs))} ≠ {_words(sp.sstr(c.rhs))}"
    if isinstance(c, sp.Implies):
        return f"{_condition(c.args[1])} where {_condition(c.args[0])}"
    if isinstance(c, (sp.Or, sp.And)):
        return f" {type(c).__name__.lower()} ".join(f"({_condition(a)})" for a in c.args)
    return _words(sp.sstr(c))


def _words(text: str) -> str:
    """A statement or rule in words, its operators as mathematics: ``beta -> oo`` reads ``beta → ∞``."""
    table = {"**": "^", "->": "→", "<=": "≤", ">=": "≥", "!=": "≠", "oo": "∞"}
    return _WORDS.sub(lambda m: m[1].lower() + "(" if m[1] else table[m[0]], str(text))


_PRINT_NODES = 400  # larger expressions are summarised, never printed in full


def _text(expr) -> str:
    """``sstr`` of an expression, or a one-line summary when it is too large to print usefully."""
    if isinstance(expr, sp.Basic) and tree_size(expr, _PRINT_NODES) > _PRINT_NODES:
        return f"<expression of more than {_PRINT_NODES} nodes>"
    return sp.sstr(expr)


def _pretty(expr) -> str:
    if isinstance(expr, sp.Basic) and tree_size(expr, _PRINT_NODES) > _PRINT_NODES:
        return _text(expr)
    return sp.pretty(expr, use_unicode=True, wrap_line=False)


def _is_real_text(value) -> bool:
    try:
        mpmath.mpf(value)
        return True
    except (TypeError, ValueError):
        return False


def _latex_text(text: str) -> str:
    """Plain text made safe inside ``\\text{...}``."""
    table = {"\\": r"\textbackslash{}", "_": r"\_", "%": r"\%", "&": r"\&", "#": r"\#", "$": r"\$"}
    table.update({"^": r"\^{}", "~": r"\~{}", "{": r"\{", "}": r"\}"})
    return "".join(table.get(ch, ch) for ch in text)


# ---- inputs ------------------------------------------------------------------------------------
