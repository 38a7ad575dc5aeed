r"""SymPy expressions as LaTeX with the notes' conventions: named functions as :math:`\sigma` and :math:`\Phi`,
long parameter names in italics, short terminating decimals, piecewise functions as ``cases`` over intervals,
and plain words (``beta -> oo``) as LaTeX text.

>>> from symact import derive
>>> print(expr(derive('relu').df))
\begin{cases} 0 & \text{if } x \leq 0 \\ 1 & \text{if } x > 0 \end{cases}
"""

from __future__ import annotations

import re

import sympy as sp
from sympy.printing.latex import LatexPrinter

from symact.budget import guard

_GREEK = set(
    "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi pi rho sigma tau upsilon phi chi psi "
    "omega".split()
)
_TEX_SPECIAL = {
    "\\": r"\textbackslash{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "{": r"\{",
    "}": r"\}",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
    "<": r"\ensuremath{<}",
    ">": r"\ensuremath{>}",
}
_INDEXED = re.compile(r"^([A-Za-z])(\d+)?(?:_([A-Za-z0-9]+))?$")  # w2_01 -> w_{2,01}
_LONG = 100  # characters of LaTeX beyond which a formula may be too wide for the line

MACROS = r"""\newsavebox{\symactbox}
% \symactfit[fraction]{formula}: display style, shrunk to fraction*\linewidth only when wider
\newcommand{\symactfit}[2][0.8]{\sbox{\symactbox}{$\displaystyle #2$}%
  \ifdim\wd\symactbox>#1\linewidth\resizebox{#1\linewidth}{!}{\usebox{\symactbox}}\else\usebox{\symactbox}\fi}
"""


def escape(text: str) -> str:
    r"""Text with LaTeX's special characters escaped.

    >>> escape('log_sigmoid & 50%')
    'log\\_sigmoid \\& 50\\%'
    """
    return "".join(_TEX_SPECIAL.get(ch, ch) for ch in str(text))


class _Printer(LatexPrinter):
    """SymPy's printer with textbook piecewise functions and readable parameter names."""

    def _print_Symbol(self, symbol, style="plain"):
        name = symbol.name
        if name == "lambd":
            return r"\lambda"
        indexed = _INDEXED.match(name)
        if indexed and (indexed[2] or indexed[3]):
            sub = ",".join(part for part in (indexed[2], indexed[3]) if part)
            return rf"{indexed[1]}_{{{sub}}}"
        if len(name) > 1 and name.lower() not in _GREEK:
            return r"\mathit{%s}\," % escape(name)
        return super()._print_Symbol(symbol, style)

    def _print_Rational(self, r):
        decimal = _decimal(r)
        return decimal if decimal is not None else super()._print_Rational(r)

    def _print_Mul(self, e):
        coeff, rest = e.as_coeff_Mul()
        decimal = _decimal(abs(coeff)) if coeff.is_Rational and rest != 1 else None
        if decimal is None:
            return super()._print_Mul(e)
        body = self._print(rest)
        if rest.is_Add:
            body = rf"\left({body}\right)"
        return ("- " if coeff < 0 else "") + f"{decimal} {body}"

    def _print_Identity(self, e):
        return rf"I_{{{self._print(e.rows)}}}"

    def _print_OneMatrix(self, e):
        return r"\mathbf{1}"

    def _print_Piecewise(self, pw):
        rows = _intervals(pw)
        body = r" \\ ".join(f"{self._print(value)} & {cond}" for value, cond in rows)
        return r"\begin{cases} " + body + r" \end{cases}"

    def _condition(self, cond) -> str:
        if cond is sp.true:
            return r"\text{otherwise}"
        return r"\text{if } " + self._print(_oriented(cond))


def decimal_text(r: sp.Basic) -> str | None:
    """A rational with a long terminating decimal expansion (0.044715, not 8943/200000) as that decimal, else None.

    Only denominators of 100 or more whose decimal is shorter than the fraction: 1/2 and 1/8 stay fractions.
    """
    if not isinstance(r, sp.Rational) or r.q < 100:
        return None
    q, digits = r.q, 0
    while q % 10 == 0:
        q, digits = q // 10, digits + 1
    twos = fives = 0
    while q % 2 == 0:
        q, twos = q // 2, twos + 1
    while q % 5 == 0:
        q, fives = q // 5, fives + 1
    if q != 1:
        return None
    digits += max(twos, fives)
    scaled = abs(r.p) * 10**digits // r.q
    whole, frac = divmod(scaled, 10**digits)
    text = f"{whole}.{frac:0{digits}d}".rstrip("0").rstrip(".")
    if len(text.replace(".", "").lstrip("0")) >= len(str(abs(r.p))) + len(str(r.q)):
        return None
    return ("-" if r.p < 0 else "") + text


def _decimal(r) -> str | None:
    """``decimal_text`` for LaTeX: a long constant (selu's) may break across lines in running text."""
    text = decimal_text(r)
    if text is None or len(text) <= 12:
        return text
    return r"\allowbreak ".join(text[k : k + 10] for k in range(0, len(text), 10))


def decimals(expr: sp.Expr) -> sp.Expr:
    """``expr`` for display in text, each rational with a long terminating decimal as that decimal (exactly).

    >>> x = sp.Symbol('x')
    >>> str(decimals(sp.Rational(8943, 200000) * x**3 + x / 2))
    '0.044715*x**3 + x/2'
    """

    def exact(r: sp.Rational) -> sp.Float:
        text = decimal_text(r)
        return sp.Float(text, len(text.lstrip("-0.").replace(".", "")))

    return expr.replace(lambda e: isinstance(e, sp.Rational) and decimal_text(e) is not None, exact)


_PRINTER = _Printer({"mul_symbol": None, "fold_short_frac": False})


def expr(e: sp.Basic | sp.MatrixBase) -> str:
    r"""One SymPy expression (or matrix, or relation) as LaTeX, with the textbook conventions.

    >>> from symact.derivation import derive
    >>> expr(derive('sigmoid').df_of_output)
    'y \\left(1 - y\\right)'
    """
    with guard():  # a huge tree prints for seconds: the running call's budget bounds it
        return _PRINTER.doprint(e)


def _variable(cond):
    names = [s for s in cond.free_symbols if s.name in ("x", "y")]
    return names[0] if len(names) == 1 else None


def _isolated(rel):
    """``rel`` rewritten as ``var op bound`` when it is linear in its one variable, else None."""
    var = _variable(rel)
    if var is None or not isinstance(rel, (sp.StrictLessThan, sp.LessThan, sp.StrictGreaterThan, sp.GreaterThan)):
        return None
    diff = sp.expand(rel.lhs - rel.rhs)
    a = diff.coeff(var, 1)
    b = sp.expand(diff - a * var)
    if not a.is_number or a == 0 or b.has(var):
        return None
    bound = sp.simplify(-b / a)
    op = rel.rel_op if a > 0 else {"<": ">", "<=": ">=", ">": "<", ">=": "<="}[rel.rel_op]
    return var, op, bound


def _oriented(cond):
    """``cond`` with the variable on the left where possible (``x <= a`` rather than ``a >= x``)."""
    if isinstance(cond, sp.Eq):
        var = _variable(cond)
        if var is not None and cond.rhs == var:
            return sp.Eq(var, cond.lhs, evaluate=False)
        return cond
    iso = _isolated(cond)
    if iso is None:
        return cond
    var, op, bound = iso
    return sp.Rel(var, bound, op, evaluate=False)


class _Interval:
    """A condition shown as ``lo < x <= hi`` (either side may be open)."""

    def __init__(self, var, lo=None, lo_strict=True, hi=None, hi_strict=False):
        self.var, self.lo, self.lo_strict, self.hi, self.hi_strict = var, lo, lo_strict, hi, hi_strict

    def latex(self) -> str:
        v = expr(self.var)
        less = {True: "<", False: r"\leq"}
        if self.lo is None and self.hi is None:
            return r"\text{otherwise}"
        if self.lo is None:
            return rf"\text{{if }} {v} {less[self.hi_strict]} {expr(self.hi)}"
        if self.lo == self.hi and not (self.lo_strict or self.hi_strict):
            return rf"\text{{if }} {v} = {expr(self.lo)}"
        if self.hi is None:
            greater = ">" if self.lo_strict else r"\geq"
            return rf"\text{{if }} {v} {greater} {expr(self.lo)}"
        return rf"\text{{if }} {expr(self.lo)} {less[self.lo_strict]} {v} {less[self.hi_strict]} {expr(self.hi)}"


def _intervals(pw) -> list[tuple]:
    """The rows of a Piecewise as (value, condition LaTeX), disjoint where the conditions allow it.

    SymPy's Piecewise is read top to bottom (a row holds where the earlier ones fail); when every
    condition bounds one variable from above, each row becomes the interval it really covers.
    """
    rows = pw.args
    var, bounds = None, []
    for _, cond in rows[:-1]:
        if isinstance(cond, sp.Eq) and _variable(cond) is not None:
            o = _oriented(cond)
            bounds.append((o.lhs, "=", o.rhs))
            continue
        iso = _isolated(cond)
        if iso is None or iso[1] not in ("<", "<="):
            return [(v, _PRINTER._condition(c)) for v, c in rows]
        bounds.append(iso)
    if rows[-1][1] is not sp.true:
        return [(v, _PRINTER._condition(c)) for v, c in rows]
    variables = {b[0] for b in bounds}
    if len(variables) != 1:
        return [(v, _PRINTER._condition(c)) for v, c in rows]
    var = variables.pop()
    out, lo, lo_strict, points = [], None, True, set()
    for (value, _), (_, op, bound) in zip(rows, [*bounds, (var, None, None)]):
        if op == "=":
            out.append((value, rf"\text{{if }} {expr(var)} = {expr(bound)}"))
            points.add(bound)
            continue
        hi_strict = op == "<" or bound in points
        cond = _Interval(var, lo, lo_strict or lo in points, bound, hi_strict)
        out.append((value, cond.latex()))
        if op is not None:
            lo, lo_strict = bound, op == "<="
    if len(out) == 1:
        return [(out[0][0], r"\text{otherwise}")]
    return out


# ---- one activation ---------------------------------------------------------------------------


def sentence(text: str) -> str:
    """``text`` as a sentence: a capital first letter and a full stop.

    >>> sentence("proved by algebra")
    'Proved by algebra.'
    """
    return text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")


_OPERATORS = {"<=": r"\le", ">=": r"\ge", "!=": r"\ne", "->": r"\to", "<": "<", ">": ">"}
_PROSE = re.compile(r"(<=|>=|!=|->|<|>)|\bexp\((\w+)\)|(\w+)\*\*(\w+)|\boo\b")


def prose(text: str) -> str:
    r"""Plain words as LaTeX text: relations and arrows in math mode, exp(x) as e^x, the rest escaped.

    >>> prose('beta -> oo for x != 0, exp(x) <= 1')
    'beta $\\to$ $\\infty$ for x $\\ne$ 0, $e^{x}$ $\\le$ 1'
    """
    text = str(text)
    if "$" in text:  # words already in LaTeX: keep the math, convert the words between
        pieces = text.split("$")
        return "".join(prose(t) if k % 2 == 0 else f"${t}$" for k, t in enumerate(pieces))
    out, last = [], 0
    for m in _PROSE.finditer(text):
        out.append(escape(text[last : m.start()]))
        if m[1]:
            out.append(f"${_OPERATORS[m[1]]}$")
        elif m[2]:
            out.append(f"$e^{{{m[2]}}}$")
        elif m[3]:
            out.append(f"${m[3]}^{{{m[4]}}}$")
        else:
            out.append(r"$\infty$")
        last = m.end()
    out.append(escape(text[last:]))
    return "".join(out)


def text_block(label: str, expr: sp.Basic) -> str:
    """``label`` then ``expr`` pretty-printed (Unicode, decimals as typed), its later lines indented under it.

    >>> print(text_block('f(x) = ', sp.Symbol('x') / 2))
    f(x) = x
           ─
           2
    """
    with guard():
        text = sp.pretty(decimals(expr), use_unicode=True, wrap_line=False)
    pad = " " * len(label)
    return "\n".join((label if i == 0 else pad) + line for i, line in enumerate(text.splitlines()))
