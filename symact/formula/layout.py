r"""How wide LaTeX prints (in em of the notes' 11 pt text) and formulas broken into lines that fit.

A sum breaks before a top-level + or -, a product between its factors; what still does not fit is
shrunk by ``\symactfit`` (see ``symact.formula.printer.MACROS``).

>>> width("x") < width("x + y")
True
"""

from __future__ import annotations

import re

import sympy as sp

from symact.formula.printer import _GREEK, _PRINTER, expr

# ---- widths and line breaks --------------------------------------------------------------------

LINE = 42.0  # the notes' text width (A4, 2.3 cm margins, 11 pt) in em
_WORD = re.compile(r"\\([A-Za-z]+)\*?|\\(.)|(\s+)|(.)", re.S)
_NARROW = {
    "left": 0.0,
    "right": 0.0,
    "big": 0.0,
    "Big": 0.0,
    "displaystyle": 0.0,
    "limits": 0.0,
    "quad": 1.0,
    "qquad": 2.0,
    "cdot": 0.8,
    "cdots": 1.4,
    "ldots": 1.4,
    "in": 1.2,
    "le": 1.3,
    "leq": 1.3,
    "ge": 1.3,
    "geq": 1.3,
    "to": 1.4,
    "infty": 1.0,
    "mathbb": 0.0,
    "mathbf": 0.0,
    "operatorname": 0.0,
    "mathit": 0.0,
    "allowbreak": 0.0,
}
_NO_GROUP = {"left", "right", "big", "Big", "bigg", "Bigg"}


def _group(tex: str, i: int) -> tuple[str, int]:
    """The ``{...}`` group (or single token) starting at ``tex[i]``, and the index after it."""
    while i < len(tex) and tex[i] == " ":
        i += 1
    if i >= len(tex):
        return "", i
    if tex[i] != "{":
        m = _WORD.match(tex, i)
        return m.group(0), m.end()
    depth, j = 0, i
    while j < len(tex):
        if tex[j] == "\\":
            j += 2
            continue
        depth += {"{": 1, "}": -1}.get(tex[j], 0)
        if depth == 0:
            return tex[i + 1 : j], j + 1
        j += 1
    return tex[i + 1 :], len(tex)


def width(tex: str) -> float:
    r"""An upper estimate of the width of display-style math ``tex``, in em (about 10.95 pt in the notes).

    >>> width(r"\frac{x}{2}") < width("x + y") < width(r"x + y + \tanh{\left(x \right)}")
    True
    """
    total, i, unary = 0.0, 0, True  # a sign after an operator (or at the start) is unary: narrower
    while i < len(tex):
        m = _WORD.match(tex, i)
        command, escaped, space, char = m.groups()
        i = m.end()
        if space:
            continue
        was_unary, unary = unary, char is not None and char in "+-=<>(&{,"
        if command in ("frac", "tfrac", "dfrac"):
            top, i = _group(tex, i)
            bottom, i = _group(tex, i)
            total += max(width(top), width(bottom)) * (0.8 if command == "tfrac" else 1.0) + 0.4
        elif command == "sqrt":
            inner, i = _group(tex, i)
            total += width(inner) + 1.0
        elif command in ("text", "mathit", "operatorname", "mathrm", "textit"):
            inner, i = _group(tex, i)
            total += 0.55 * len(inner.replace("\\", "")) + 0.3
        elif command in ("mathbb", "mathbf", "boldsymbol"):
            inner, i = _group(tex, i)
            total += width(inner)
        elif command == "begin":
            name, i = _group(tex, i)
            end = tex.find(r"\end{%s}" % name, i)
            end = len(tex) if end < 0 else end
            body, i = tex[i:end], end + len(name) + 6
            if body.startswith("["):
                body = body[body.index("]") + 1 :]
            rows = [[width(cell) for cell in row.split("&")] for row in re.split(r"\\\\", body)]
            columns = max(len(r) for r in rows)
            total += sum(max((r[k] for r in rows if k < len(r)), default=0.0) for k in range(columns))
            total += 1.2 * (columns - 1) + 1.2
        elif command in _NO_GROUP:
            total += 0.45 if i < len(tex) and tex[i] not in ".\\" else 0.0
            if i < len(tex) and tex[i] == "\\":  # \left\{
                i = _WORD.match(tex, i).end()
                total += 0.5
            elif i < len(tex):
                i += 1
        elif command and command.lower() in _GREEK:
            total += 0.65
        elif command:
            total += _NARROW.get(
                command,
                0.6
                if len(command) <= 5 and command not in ("tanh", "cosh", "sinh", "log", "exp", "max", "min")
                else 0.55 * len(command),
            )
        elif escaped is not None:
            total += {",": 0.17, ";": 0.28, ":": 0.22, "!": -0.17, " ": 0.33, "|": 0.3}.get(escaped, 0.5)
        elif char in "^_":
            inner, i = _group(tex, i)
            total += 0.72 * width(inner)
        elif char in "{}":
            continue
        elif char in "+-" and was_unary:
            total += 0.8
        elif char in "+-=<>":
            total += 1.3
        elif char in "()[]|":
            total += 0.45
        elif char in ",;":
            total += 0.45
        else:
            total += 0.6
    return total


def _terms(e) -> list[tuple[str, sp.Expr]]:
    """The top-level terms of a sum as printed: (sign, term) with the sign ``''``, ``'+ '`` or ``'- '``."""
    out = []
    for k, term in enumerate(_PRINTER._as_ordered_terms(e, order=None)):
        negative = term.could_extract_minus_sign()
        out.append(("- " if negative else "+ " if k else "", -term if negative else term))
    return out


def _factors(sign: str, term, budget: float) -> list[str]:
    """A product too wide for one line, broken between its factors (continued with a centred dot)."""
    factors = sp.Mul.make_args(term) if isinstance(term, sp.Mul) else (term,)
    printed = [rf"\left({expr(f)}\right)" if f.is_Add else expr(f) for f in factors]
    out, current = [], sign.strip()
    for tex in printed:
        candidate = f"{current} {tex}".strip()
        if current.strip("-+ ") and width(candidate) > budget:
            out.append(current)
            current = rf"\cdot {tex}"
        else:
            current = candidate
    out.append(current)
    return [t if width(t) <= budget else shrunk(t, budget) for t in out]


def lines(e: sp.Expr, budget: float) -> list[str]:
    r"""``e`` as LaTeX lines of at most ``budget`` em each: a long sum breaks before a top-level + or -,
    a long product between its factors.

    A factor that is too wide alone is shrunk to the budget (``\symactfit``, see ``MACROS``).

    >>> lines(sp.sympify("a + b"), 40)
    ['a + b']
    >>> from symact.derivation import derive
    >>> len(lines(derive('gelu_tanh').d2f, 30)) > 1
    True
    """
    tex = expr(e)
    if width(tex) <= budget:
        return [tex]
    if not isinstance(e, (sp.Add, sp.Mul)):
        return [shrunk(tex, budget)]
    terms = _terms(e) if isinstance(e, sp.Add) else [("- " if e.could_extract_minus_sign() else "", e)]
    if isinstance(e, sp.Mul) and terms[0][0]:
        terms = [("- ", -e)]
    out, current = [], ""
    for sign, term in terms:
        piece = f"{sign}{expr(term)}"
        room = budget - (1.5 if out or current else 0.0)
        if width(piece) > room:
            if current:
                out.append(current)
            broken = _factors(sign, term, budget - (1.5 if out else 0.0))
            out += broken[:-1]
            current = broken[-1]
            continue
        candidate = f"{current} {piece}".strip()
        if current and width(candidate) > budget - (1.5 if out else 0.0):
            out.append(current)
            current = piece
        else:
            current = candidate
    out.append(current)
    return out


def shrunk(tex: str, budget: float) -> str:
    r"""``tex`` in ``\symactfit``: shrunk to ``budget`` em (at least 5) when LaTeX finds it wider.

    >>> shrunk("x", 21)
    '\\symactfit[0.50]{x}'
    """
    return r"\symactfit[%.2f]{%s}" % (max(budget, 5.0) / LINE, tex)
