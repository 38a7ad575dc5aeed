r"""Proof chains: a proved ``Proof`` as chains of relations, each the one the proof verified, in LaTeX or as terminal text.

Identities print as equalities, bounds as inequalities with the equality case apart, limits with
their variable and direction, case splits one case at a time.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import sympy as sp

from symact.catalog import x
from symact.formula import LINE, expr, lines, prose, sentence, shrunk, width
from symact.parsing import parse

RELATIONS = {"=": "=", "<=": r"\le", "<": "<", ">=": r"\ge", ">": ">"}
PROOF_WIDTH = 0.62  # of the line, for the formulas of a proof; the justification column takes 0.3
_LIMIT = re.compile(r"^lim (\w+) -> (\S+) of ")
_SIDE = re.compile(r"for x ([<>=]) ([^\s()]+)")


@dataclass(frozen=True)
class Link:
    """One printed line of a proof: ``left rel right`` (``left`` None continues the chain), and why it holds.

    ``rel`` None makes ``right`` a statement of its own (a relation, or ``Implies(condition, relation)``).
    """

    left: object
    rel: str | None
    right: object
    why: str = ""


@dataclass(frozen=True)
class Block:
    """A chain of links that holds under ``condition`` (a SymPy boolean, or None: everywhere).

    ``where`` binds the symbols the block introduces (``{s: exp(x)}``); ``intro`` and ``outro``
    are LaTeX sentences printed before and after the chain.
    """

    links: tuple
    condition: object = None
    where: dict = field(default_factory=dict)
    intro: str = ""
    outro: str = ""


def blocks(p) -> list[Block]:
    """What a proved ``Proof`` prints, as chains whose every relation is the one the proof verified.

    Identities print as equalities, bounds as inequalities with the equality case apart, limits
    with their variable and direction, case splits one case at a time. A proof that is not
    proved, or whose steps are not understood, prints no chain: never a relation not verified.

    >>> from symact import prove
    >>> [link.rel for b in blocks(prove('sigmoid(-x)', '1 - sigmoid(x)')) for link in b.links]
    ['=', '=', '=']
    """
    steps = [s for s in p.steps if getattr(s, "expr", None) is not None]
    if p.status != "proved" or not steps:
        return []
    if is_bound(p):
        return _bound_blocks(p, steps)
    if any(s.relation == "->" for s in steps):
        return _limit_blocks(p, steps)
    if not is_value(p.lhs) or not is_value(p.rhs):
        if not any(is_value(s.expr) for s in steps):
            return [Block(tuple(Link(None, None, s.expr, s.rule) for s in steps))]
        return []
    if any(s.relation != "=" for s in steps):
        return []  # a relation this reader does not know: print no chain
    smooth = not any(e.has(*_NONSMOOTH) for e in [p.lhs, p.rhs] + [s.expr for s in steps])
    if _same(p.lhs, p.rhs):
        return []  # the two sides are one expression: nothing to chain
    if smooth:
        return [_chain(p.lhs, [("=", s.expr, s.rule) for s in steps] + [("=", p.rhs, p.method)])]
    return [b for b in _case_blocks(p, steps) if b.links]


_NONSMOOTH = (sp.Max, sp.Min, sp.Abs, sp.Piecewise, sp.Heaviside, sp.sign)


def _chain(left, links, **kw) -> Block:
    """A chain from ``left`` through ``(rel, expr, why)`` links, dropping links that repeat the previous one."""
    out, previous = [], left
    for rel, e, why in links:
        if rel == "=" and _same(e, previous):
            continue
        out.append(Link(left if not out else None, rel, e, why))
        previous = e
    return Block(tuple(out), **kw)


def _case_blocks(p, steps) -> list[Block]:
    """A case split: each open interval with its branches, then each split point."""
    pieces = [s.expr for s in steps if isinstance(s.expr, sp.Piecewise)]
    why = next((s.rule for s in steps if isinstance(s.expr, sp.Piecewise)), p.method)
    if len(pieces) != 2 or [c for _, c in pieces[0].args] != [c for _, c in pieces[1].args]:
        return [Block((Link(p.lhs, "=", p.rhs, p.method),))]
    ends = [c.rhs for _, c in pieces[0].args[:-1]]
    out, lo = [], None
    for (left, _), (right, _), hi in zip(pieces[0].args, pieces[1].args, [*ends, None]):
        condition = sp.And(*([x > lo] if lo is not None else []), *([x < hi] if hi is not None else []))
        links = [
            ("=", left, "the branch of the left side here"),
            ("=", right, "the same function"),
            ("=", p.rhs, "the branch of the right side here"),
        ]
        out.append(_chain(p.lhs, links, condition=condition, intro=rf"For ${expr(condition)}$:"))
        lo = hi
    for point in ends:
        value = sp.simplify(p.lhs.subs(x, point))
        links = [("=", value, ""), ("=", sp.Subs(p.rhs, x, point), "checked exactly")]
        out.append(_chain(sp.Subs(p.lhs, x, point), links, intro=rf"At the split point ${expr(x)} = {expr(point)}$:"))
    if out:
        first = out[0]
        out[0] = Block(first.links, first.condition, first.where, sentence(prose(why)) + " " + first.intro)
    return out


_RELATIONS = {"!=": r"\ne", ">": ">", ">=": r"\ge", "<": "<", "<=": r"\le"}


def condition_tex(c: sp.Basic) -> str:
    """A condition of ``details['defined']`` in LaTeX: ``x \\ne 1``, ``x \\ge 0``, or SymPy's for a combination."""
    if getattr(c, "rel_op", None) in _RELATIONS:
        return f"{expr(c.lhs)} {_RELATIONS[c.rel_op]} {expr(c.rhs)}"
    return sp.latex(c)


def is_bound(p) -> bool:
    """A bound proof: its steps carry an inequality (``Step.relation``) and its gaps are in ``details``."""
    info = p.details if isinstance(p.details, dict) else {}
    return any(s.relation in ("<", "<=") for s in p.steps) and ("gap_upper" in info or "gap_lower" in info)


def _bound_blocks(p, steps) -> list[Block]:
    """A bound proved from the sign of its gap, written in s = exp(x) > 0: the gap's chain, then the bound."""
    f, info = p.lhs, p.details
    off = "".join(rf" with ${condition_tex(c)}$" for c in info.get("defined", []))
    out, previous = [], steps[0].expr
    for step in steps[1:]:
        if step.relation not in ("<", "<="):
            return []
        strict = step.relation == "<"
        above = _same(previous, f)  # f <= bound, else bound <= f
        bound = step.expr if above else previous
        factored = info.get("gap_upper" if above else "gap_lower")
        if factored is None:
            return []
        gap = (bound - f) if above else (f - bound)
        new = sorted(factored.free_symbols - f.free_symbols - bound.free_symbols, key=str)
        where = {s: sp.exp(x) for s in new if s.name == "s"}
        if len(where) != len(new):
            return []
        sign = next((why for key, why in _SIGNS.items() if key in p.method), _SIGNS[""])
        links = [("=", factored, "rewrite and factor"), (">" if strict else ">=", sp.Integer(0), sign)]
        out.append(_chain(gap, links, where=where))
        rel = step.relation if above else {"<": ">", "<=": ">="}[step.relation]
        out.append(Block((Link(f, rel, bound, "the gap above"),), intro=f"Hence, for every real $x${off}:"))
        previous = step.expr
    zeros = info.get("equality_set")
    if zeros and out:
        at = ", ".join(expr(z) for z in zeros)
        last = out[-1]
        text = (
            rf"The gap vanishes, so equality holds, exactly at ${expr(x)} = {at}$."
            if len(zeros) == 1
            else rf"The gap vanishes, so equality holds, exactly at ${expr(x)} \in \{{{at}\}}$."
        )
        out[-1] = Block(last.links, last.condition, last.where, last.intro, text)
    return out


_SIGNS = {  # the justification of gap >= 0, by the proof's method
    "critical values": "its critical values and its limits at infinity are >= 0",
    "each piece": "each branch on its interval, and the gap at each split point",
    "": "the sign of every factor is known",
}


def _limit_blocks(p, steps) -> list[Block]:
    """A limit, one case at a time when the expected value has kinks: for x > k, lim f = value = expected."""
    found = _LIMIT.match(p.statement or "")
    f, target = p.lhs, p.rhs
    if found is None or target is None:
        return []
    name, point = found.groups()
    var = next((s for s in f.free_symbols if s.name == name), None)
    if var is None:
        return []
    side = point[-1] if point[-1] in "+-" and len(point) > 1 else ""
    point = point[:-1] if side else point
    where = {"oo": sp.oo, "inf": sp.oo, "-oo": -sp.oo}.get(point) or parse(point)
    out = []
    for step in steps[1:]:
        if step.relation != "->":
            continue
        case = _SIDE.search(str(step.rule))
        rule_side = re.search(r"-> \S*?([+-]),", str(step.rule))
        direction = rule_side[1] if rule_side and where.is_finite else (side or "+-")
        limit = sp.Limit(f, var, where, direction if where.is_finite else "+-")
        value, condition, intro = step.expr, None, ""
        if case:
            k = parse(case[2])
            condition = {">": x > k, "<": x < k, "=": sp.Eq(x, k)}[case[1]]
            intro = rf"For ${expr(condition)}$:"
        if value.free_symbols - f.free_symbols - target.free_symbols:
            return []  # a symbol the statement does not bind: print no chain
        here = target.subs(x, parse(case[2])) if case and case[1] == "=" else target
        why = "the expected value" + (" on this side" if case and case[1] != "=" else "")
        links = [("=", value, "SymPy's limit (Gruntz's algorithm)"), ("=", here, why)]
        out.append(_chain(limit, links, condition=condition, intro=intro))
    return out


def is_value(e) -> bool:
    """Whether ``e`` is a value (an expression or a matrix) rather than a statement.

    >>> is_value(x), is_value(x > 0)
    (True, False)
    """
    return isinstance(e, (sp.Expr, sp.MatrixBase))  # a Symbol is both an Expr and a Boolean: a value


def _same(a, b) -> bool:
    try:
        return bool(a == b)
    except (TypeError, ValueError):  # pragma: no cover - matrices of different shapes
        return False


def _fact(e) -> str:
    """A self-contained statement: a relation, or ``relation  for condition``."""
    if isinstance(e, sp.Implies):
        return rf"{expr(e.args[1])} \quad \text{{for }} {expr(e.args[0])}"
    return expr(e)


def _why(text: str) -> str:
    return r"&& \parbox[t]{0.3\linewidth}{\raggedright\small %s}" % prose(text) if text else ""


def block_tex(b: Block, column: bool = True) -> str:
    """One block as LaTeX: its intro, its chain in ``align*`` (justifications in a wrapping column, or
    ``\\text`` with ``column=False``), its outro."""
    budget = PROOF_WIDTH * LINE
    rows, indent = [], ""
    for link in b.links:
        if link.rel is None:
            fact = _fact(link.right)
            rows.append(f"& {fact if width(fact) <= budget else shrunk(fact, budget)} {_why(link.why)}")
            continue
        left = expr(link.left) if link.left is not None else ""
        if width(left) > 0.4 * budget:  # the first expression on a line of its own, the chain indented below it
            rows.append(f"& {left if width(left) <= budget else shrunk(left, budget)}")
            left, indent = "", r"\quad "
        body = lines(link.right, budget - width(left) - 2.5 - (1 if indent else 0))
        why = _why(link.why) if column else rf"&& \text{{{prose(link.why)}}}"
        rows.append(rf"{left} &{indent}{RELATIONS[link.rel]} {body[0]} {why}")
        rows += [rf"&{indent}\qquad {part}" for part in body[1:]]
    intro = b.intro or ", ".join(rf"${expr(k)} = {expr(v)} > 0$" for k, v in b.where.items())
    intro = "With " + intro + ":" if not b.intro and intro else intro
    return "\n".join(t for t in (intro, "\\begin{align*}\n" + " \\\\\n".join(rows) + "\n\\end{align*}", b.outro) if t)


_UNICODE = {"=": "=", "<=": "≤", "<": "<", ">=": "≥", ">": ">"}
_PLAIN = {r"\le": "≤", r"\ge": "≥", r"\ne": "≠", r"\to": "→", r"\infty": "∞", r"\in": "∈", "\\": ""}


def _plain(text: str) -> str:
    """LaTeX words of a block (``For $x > 0$:``) as terminal text."""
    text = re.sub(r"\$([^$]*)\$", lambda m: m[1], str(text))
    for tex, char in _PLAIN.items():
        text = text.replace(tex, char)
    return re.sub(r"e\^\{(\w+)\}", r"exp(\1)", text).replace("{", "").replace("}", "")


def _pretty(e) -> tuple[list[str], int]:
    """``e`` by SymPy's unicode pretty printer: its lines and the index of its baseline."""
    from sympy.printing.pretty.pretty import PrettyPrinter

    form = PrettyPrinter({"use_unicode": True, "wrap_line": False})._print(e)
    rows = re.sub(r"\b(Max|Min)\(", lambda m: m[1].lower() + "(", str(form)).splitlines() or [""]
    return rows, min(form.baseline, len(rows) - 1)


def text(p) -> list[str]:
    """The chains of ``blocks(p)`` as terminal lines, expressions in SymPy's unicode pretty printer.

    >>> from symact import prove_bound
    >>> [line for line in text(prove_bound('tanh(x)', upper=1, strict=True)) if '<' in line]
    ['  tanh(x) < 1    [the gap above]']
    """
    out = []
    for b in blocks(p):
        intro = f"for {_plain(expr(b.condition))}:" if b.condition is not None else _plain(b.intro)
        intro = intro or ", ".join(f"with {k.name} = {sp.sstr(v)} > 0:" for k, v in b.where.items())
        out += [intro] if intro else []
        for link in b.links:
            if link.rel is None:
                parts = [_pretty(link.right)]
            else:
                head = _pretty(link.left) if link.left is not None else ([""], 0)
                parts = [head, ([f" {_UNICODE[link.rel]} "], 0), _pretty(link.right)]
            above = max(base for _, base in parts)
            rows = above + max(len(q) - base for q, base in parts)
            columns = []
            for q, base in parts:
                wide = max(len(r) for r in q)
                top = above - base
                columns.append([" " * wide] * top + [r.ljust(wide) for r in q] + [" " * wide] * (rows - len(q) - top))
            lines_ = ["  " + "".join(col[r] for col in columns).rstrip() for r in range(rows)]
            lines_[above] += f"    [{_plain(link.why)}]" if link.why else ""
            out += lines_
        if b.outro:
            out.append(_plain(b.outro))
    return out
