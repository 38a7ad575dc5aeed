r"""LaTeX for activations, the catalog table, proof chains and theorems, as a textbook prints them.

Named functions print as :math:`\sigma` and :math:`\Phi`, parameters with long names in italics,
and piecewise functions as ``cases`` with one interval per line. Long formulas are wrapped in
``\symactfit``, a macro defined in ``MACROS`` (put it in the preamble; ``symact.render.notes`` does).

>>> print(expr(derive('relu').df))
\begin{cases} 0 & \text{if } x \leq 0 \\ 1 & \text{if } x > 0 \end{cases}
>>> print(definition('relu').splitlines()[1])
\operatorname{relu}(x) &= \max\left(0, x\right) \\
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import sympy as sp
from sympy.printing.latex import LatexPrinter

from symact.catalog import Activation, get, x
from symact.derivation import Derivation, derive
from symact.errors import SymactError
from symact.kinks import resolve, switch_points

__all__ = [
    "MACROS",
    "expr",
    "escape",
    "width",
    "lines",
    "definition",
    "activation",
    "catalog_table",
    "Link",
    "Block",
    "blocks",
    "proof",
    "statement",
    "theorem",
]

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


def _decimal(r) -> str | None:
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
    if len(text) > 12:  # a long constant (selu's) may break across lines in running text
        text = r"\allowbreak ".join(text[k : k + 10] for k in range(0, len(text), 10))
    return ("-" if r.p < 0 else "") + text


_PRINTER = _Printer({"mul_symbol": None, "fold_short_frac": False})


def expr(e) -> str:
    r"""One SymPy expression (or matrix, or relation) as LaTeX, with the textbook conventions.

    >>> expr(derive('sigmoid').df_of_output)
    'y \\left(1 - y\\right)'
    """
    return _PRINTER.doprint(e)


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
    return [t if width(t) <= budget else _shrunk(t, budget) for t in out]


def lines(e, budget: float) -> list[str]:
    r"""``e`` as LaTeX lines of at most ``budget`` em each: a long sum breaks before a top-level + or -,
    a long product between its factors.

    A factor that is too wide alone is shrunk to the budget (``\symactfit``, see ``MACROS``).

    >>> lines(sp.sympify("a + b"), 40)
    ['a + b']
    >>> len(lines(derive('gelu_tanh').d2f, 30)) > 1
    True
    """
    tex = expr(e)
    if width(tex) <= budget:
        return [tex]
    if not isinstance(e, (sp.Add, sp.Mul)):
        return [_shrunk(tex, budget)]
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


def _shrunk(tex: str, budget: float) -> str:
    return r"\symactfit[%.2f]{%s}" % (max(budget, 5.0) / LINE, tex)


# ---- piecewise conditions as intervals --------------------------------------------------------


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


def _cases(entry: Activation, f: sp.Expr, numeric: dict) -> sp.Expr | None:
    """f as a Piecewise over its switch points when it is written with max, min or |.|."""
    if not f.has(sp.Max, sp.Min, sp.Abs):
        return None
    points = switch_points(f, numeric)
    if not points:
        return None
    values = [sp.N(p.subs(numeric), 30) for p in points]
    probes = [values[0] - 1] + [(a + b) / 2 for a, b in zip(values, values[1:])] + [values[-1] + 1]
    pieces = [sp.factor_terms(resolve(f, {**numeric, x: probe})) for probe in probes]
    rows = []
    for piece, point in zip(pieces, [*points, None]):
        cond = True if point is None else x <= point
        if rows and rows[-1][0] == piece:
            rows[-1] = (piece, cond)
        else:
            rows.append((piece, cond))
    return sp.Piecewise(*rows) if len(rows) > 1 else None


def _rows(left: str, rel: str, e, budget: float, suffix: str = "") -> list[str]:
    """``left rel e`` as ``align*`` rows, ``e`` broken into lines of the ``budget`` (em) left beside ``left``."""
    room = budget - width(left) - 1.5
    parts = lines(e, room - width(suffix)) if isinstance(e, sp.Basic) else [e]
    rows = [rf"{left} &{rel} {parts[0]}"] + [rf"&\quad {part}" for part in parts[1:]]
    rows[-1] += suffix
    return rows


def _name(d: Derivation) -> str:
    return r"\operatorname{%s}" % escape(d.name) if d.name else "f"


def definition(activation, kink: str = "torch", **params) -> str:
    r"""The definition, f', f'' and f' from the output of one activation, in an ``align*`` block.

    >>> print(definition('sigmoid').splitlines()[-2])
    \operatorname{sigmoid}'(x) &= y \left(1 - y\right) \quad \text{with } y = \operatorname{sigmoid}(x)
    """
    d = activation if isinstance(activation, Derivation) else derive(activation, kink=kink, **params)
    name = _name(d)
    numeric = {}
    if d.name:
        entry = get(d.name)
        numeric = {**entry.defaults, **entry.bind(**{str(k): v for k, v in d.params.items()})}
        cases = _cases(entry, d.f, numeric)
    else:
        cases = None
    budget = LINE - 2
    rows = _rows(rf"{name}(x)", "=", d.f, budget)
    if cases is not None:
        rows += _rows("", "=", cases, budget - width(rf"{name}(x)"))
    rows += _rows(rf"{name}'(x)", "=", d.df, budget)
    rows += _rows(rf"{name}''(x)", "=", d.d2f, budget)
    if d.df_of_output is not None:
        rows += _rows(rf"{name}'(x)", "=", d.df_of_output, budget, rf" \quad \text{{with }} y = {name}(x)")
    return "\\begin{align*}\n" + " \\\\\n".join(rows) + "\n\\end{align*}"


def _kink_text(d: Derivation) -> str:
    if not d.kinks:
        return ""
    parts = []
    for point, sides in d.kinks.items():
        text = (
            rf"at $x = {expr(point)}$ the left derivative is ${expr(sides.left)}$ and the right one "
            rf"${expr(sides.right)}$"
        )
        if not sides.continuous:
            text += " ($f$ jumps there)"
        why = escape(sides.why) if getattr(sides, "why", "") else f"the {escape(d.kink)} convention"
        parts.append(text + rf"; {why} takes ${expr(sides.value)}$")
    return "Kinks: " + "; ".join(parts) + "."


def activation(name: str, kink: str = "torch", figure: str | None = None) -> str:
    r"""A textbook subsection for one catalog activation: parameters, frameworks, formulas, kinks.

    ``figure`` is LaTeX for a plot placed after the formulas (see ``symact.render.notes``).

    >>> print(activation('prelu').splitlines()[0])
    \subsection*{\texttt{prelu}}
    """
    entry = get(name)
    if not isinstance(entry, Activation):
        raise SymactError(f"{name!r} is a vector activation; LaTeX sections cover the elementwise catalog")
    d = derive(name, kink=kink)
    out = [rf"\subsection*{{\texttt{{{escape(entry.name)}}}}}"]
    facts = []
    if entry.defaults:
        facts.append("Parameters: " + ", ".join(f"${expr(p)} = {expr(v)}$" for p, v in entry.defaults.items()) + ".")
    frameworks = [
        f"{label} \\texttt{{{escape(n)}}}" for label, n in (("PyTorch", entry.torch), ("JAX", entry.jax)) if n
    ]
    if frameworks:
        facts.append("In " + ", ".join(frameworks) + ".")
    if entry.aliases:
        facts.append("Also called " + ", ".join(rf"\texttt{{{escape(a)}}}" for a in entry.aliases) + ".")
    if entry.reference:
        facts.append(escape(entry.reference.rstrip(".")) + ".")
    if facts:
        out.append(" ".join(facts))
    out.append(definition(d))
    kinks = _kink_text(d)
    if kinks:
        out.append(kinks)
    if figure:
        out.append(figure)
    return "\n\n".join(out)


# ---- the catalog table ------------------------------------------------------------------------

_COLUMNS = (0.14, 0.24, 0.32, 0.21)  # of the line; with the three column gaps they fill it


def _cell(e, columns: float) -> str:
    """One table cell of ``columns`` (a fraction of the line): the formula, on up to three lines when long,
    or a pointer to its section when longer still."""
    budget = columns * LINE - 0.3
    parts = lines(e, budget)
    if len(parts) > 3 or any(r"\symactfit" in part for part in parts):
        return r"\emph{long: see its section}"
    if len(parts) == 1:
        return rf"$\displaystyle {parts[0]}$"
    return r"$\begin{aligned}[t] &" + r" \\ &\quad ".join(parts) + r"\end{aligned}$"


def catalog_table(names=None, kink: str = "torch") -> str:
    r"""A ``longtable`` of activations: name, f(x), f'(x) and f' written from the output y = f(x).

    >>> print(catalog_table(["relu", "tanh"]).splitlines()[-3])
    \texttt{tanh} & $\displaystyle \tanh{\left(x \right)}$ & $\displaystyle 1 - \tanh^{2}{\left(x \right)}$ & $\displaystyle 1 - y^{2}$ \\
    """
    from symact.catalog import names as catalog_names

    rows = []
    for name in names if names is not None else catalog_names():
        d = derive(name, kink=kink)
        dfy = _cell(d.df_of_output, _COLUMNS[3]) if d.df_of_output is not None else "---"
        f, df = _cell(d.f, _COLUMNS[1]), _cell(d.df, _COLUMNS[2])
        label = escape(name).replace(r"\_", r"\_\allowbreak ")
        rows.append(rf"\texttt{{{label}}} & {f} & {df} & {dfy} \\")
    head = (
        r"\begin{longtable}{@{}" + "".join(r"p{%g\linewidth}" % c for c in _COLUMNS) + "@{}}"
        "\n\\toprule\nname & $f(x)$ & $f'(x)$ & $f'$ from $y = f(x)$ \\\\\n\\midrule\n\\endhead"
    )
    return head + "\n" + "\n".join(rows) + "\n\\bottomrule\n\\end{longtable}"


# ---- proofs and theorems ----------------------------------------------------------------------

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
    if _is_bound(p):
        return _bound_blocks(p, steps)
    if any(s.relation == "->" for s in steps):
        return _limit_blocks(p, steps)
    if not _is_value(p.lhs) or not _is_value(p.rhs):
        if not any(_is_value(s.expr) for s in steps):
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
        out[0] = Block(first.links, first.condition, first.where, _sentence(_prose(why)) + " " + first.intro)
    return out


def _is_bound(p) -> bool:
    """A bound proof: its steps carry an inequality (``Step.relation``) and its gaps are in ``details``."""
    info = p.details if isinstance(p.details, dict) else {}
    return any(s.relation in ("<", "<=") for s in p.steps) and ("gap_upper" in info or "gap_lower" in info)


def _bound_blocks(p, steps) -> list[Block]:
    """A bound proved from the sign of its gap, written in s = exp(x) > 0: the gap's chain, then the bound."""
    f, info = p.lhs, p.details
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
        links = [("=", factored, "rewrite and factor"), (">" if strict else ">=", sp.Integer(0), _SIGNS)]
        out.append(_chain(gap, links, where=where))
        rel = step.relation if above else {"<": ">", "<=": ">="}[step.relation]
        out.append(Block((Link(f, rel, bound, "the gap above"),), intro="Hence, for every real $x$:"))
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


_SIGNS = "the sign of every factor is known"


def _limit_blocks(p, steps) -> list[Block]:
    """A limit, one case at a time when the expected value has kinks: for x > k, lim f = value = expected."""
    from symact.parsing import parse

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


def _is_value(e) -> bool:
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
    return r"&& \parbox[t]{0.3\linewidth}{\raggedright\small %s}" % _prose(text) if text else ""


def block_tex(b: Block, column: bool = True) -> str:
    """One block as LaTeX: its intro, its chain in ``align*`` (justifications in a wrapping column, or
    ``\\text`` with ``column=False``), its outro."""
    budget = PROOF_WIDTH * LINE
    rows, indent = [], ""
    for link in b.links:
        if link.rel is None:
            fact = _fact(link.right)
            rows.append(f"& {fact if width(fact) <= budget else _shrunk(fact, budget)} {_why(link.why)}")
            continue
        left = expr(link.left) if link.left is not None else ""
        if width(left) > 0.4 * budget:  # the first expression on a line of its own, the chain indented below it
            rows.append(f"& {left if width(left) <= budget else _shrunk(left, budget)}")
            left, indent = "", r"\quad "
        body = lines(link.right, budget - width(left) - 2.5 - (1 if indent else 0))
        why = _why(link.why) if column else rf"&& \text{{{_prose(link.why)}}}"
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
        intro = intro or ", ".join(f"with {k} = {sp.sstr(v)} > 0:" for k, v in b.where.items())
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


def proof(p, details: bool = True) -> str:
    r"""A proof as LaTeX: its chains (see ``blocks``) in ``align*``, each step justified in a column that wraps.

    A theorem with parts shows each part; a refuted statement its counterexample; an unknown one its
    numerical evidence.

    >>> from symact import prove
    >>> print(proof(prove('sigmoid(-x)', '1 - sigmoid(x)')).splitlines()[1])
    \sigma{\left(- x \right)} &= \frac{1}{e^{x} + 1} && \parbox[t]{0.3\linewidth}{\raggedright\small rewrite in exp (definitions)} \\
    """
    info = p.details if isinstance(p.details, dict) else {}
    if info.get("parts"):
        out = []
        for i, part in enumerate(info["parts"], 1):
            out.append(rf"\textit{{Part {i}:}} {statement(part)}.")
            out.append(_body(part, details))
        return "\n\n".join(out) + "\n\n" + _verdict(p, "Altogether")
    head = _sentence(info["latex"]) + "\n" if info.get("latex") else ""
    return head + _body(p, details)


def _body(p, details: bool) -> str:
    info = p.details if isinstance(p.details, dict) else {}
    instances = info.get("instances")
    if instances:
        shown, rest = instances[0], instances[1:]
        text = _body(shown, details)
        if rest:
            proved = sum(q.status == "proved" for q in rest)
            label = info.get("others", "")
            text += rf" The same check on the other {len(rest)} instances{label}: {proved} of {len(rest)} proved."
        return text
    out = [block_tex(b) for b in blocks(p)] if details else []
    out.append(_verdict(p))
    return "\n".join(out)


def statement(p) -> str:
    """A proof's statement as LaTeX text: its own (``details['latex']``), the verified relation, or its words."""
    info = p.details if isinstance(p.details, dict) else {}
    if info.get("latex"):
        return info["latex"]
    chains = blocks(p)
    limit = any(s.relation == "->" for s in p.steps)
    if chains and limit:
        conditions = [b.condition for b in chains if b.condition is not None]
        everywhere = any(isinstance(c, sp.Eq) for c in conditions)  # x < k, x = k, x > k: every x
        sides = [] if everywhere else [expr(c) for c in conditions]
        text = rf"${expr(chains[0].links[0].left)} = {expr(p.rhs)}$"
        return text + (" for $" + "$, for $".join(sides) + "$" if sides else "")
    if chains and _is_bound(p):
        ends = [b.links[0] for b in chains if b.intro.startswith("Hence")]
        return " and ".join(rf"${expr(e.left)} {RELATIONS[e.rel]} {expr(e.right)}$" for e in ends)
    if _is_value(p.lhs) and _is_value(p.rhs) and not limit and not _is_bound(p):
        return f"${expr(p.lhs)} = {expr(p.rhs)}$"
    return _prose(p.statement)


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")


_OPERATORS = {"<=": r"\le", ">=": r"\ge", "!=": r"\ne", "->": r"\to", "<": "<", ">": ">"}
_PROSE = re.compile(r"(<=|>=|!=|->|<|>)|\bexp\((\w+)\)|(\w+)\*\*(\w+)|\boo\b")


def _prose(text: str) -> str:
    r"""Plain words as LaTeX text: relations and arrows in math mode, exp(x) as e^x, the rest escaped.

    >>> _prose('beta -> oo for x != 0, exp(x) <= 1')
    'beta $\\to$ $\\infty$ for x $\\ne$ 0, $e^{x}$ $\\le$ 1'
    """
    text = str(text)
    if "$" in text:  # words already in LaTeX: keep the math, convert the words between
        pieces = text.split("$")
        return "".join(_prose(t) if k % 2 == 0 else f"${t}$" for k, t in enumerate(pieces))
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


def _verdict(p, lead: str = "") -> str:
    status = str(p.status)
    how = f" by {_prose(p.method)}" if p.method and not lead else ""
    word = f"{lead}: {status}" if lead else status.capitalize()
    text = rf"\textbf{{{escape(word)}}}{how}."
    if p.counterexample:
        ce = p.counterexample
        point = ce.get("point")
        if isinstance(point, dict):
            where = ", ".join(f"${expr(sp.Symbol(str(k)))} = {_number(v)}$" for k, v in point.items())
        else:
            where = f"$x = {_number(point)}$"
        text += rf" Counterexample: at {where} the left side is ${_number(ce.get('lhs'))}$"
        text += rf" and the right side ${_number(ce.get('rhs'))}$."
    if p.evidence is not None and not p.counterexample:
        ev = p.evidence
        text += (
            rf" Checked numerically at {ev.points} points with {ev.digits} digits"
            rf" (largest difference ${_number(ev.max_difference, 2)}$)."
        )
    return text


def _number(v, digits: int = 10) -> str:
    """A number as LaTeX, rounded to ``digits`` significant digits (exact SymPy numbers stay exact)."""
    if v is None:
        return r"\text{?}"
    if isinstance(v, (list, tuple)):
        return r"\left(" + ", ".join(_number(t) for t in v) + r"\right)"
    if isinstance(v, sp.Basic) and not isinstance(v, sp.Float):
        return expr(v)
    try:
        value = float(v)
    except (TypeError, ValueError):
        return r"\text{%s}" % escape(str(v))
    text = f"{value:.{digits}g}"
    mantissa, _, exponent = text.partition("e")
    return mantissa if not exponent else rf"{mantissa} \cdot 10^{{{int(exponent)}}}"


def theorem(t, p=None, proofs: bool = True) -> str:
    r"""A theorem (statement, formula, explanation) followed by its proof, for an ``amsthm`` document.

    ``t`` needs ``name`` and ``statement``; ``prose`` (LaTeX words), ``latex`` (the formula; ``\\``
    breaks it into lines) and ``explanation`` (LaTeX words) are optional; ``p`` is its ``Proof``.
    With ``proofs=False`` only the verdict follows the theorem.

    >>> from types import SimpleNamespace
    >>> t = SimpleNamespace(name='tanh_shift', statement='tanh(x) + 1 = 2 sigmoid(2x)', latex=r'\tanh x + 1 = 2\sigma(2x)')
    >>> print(theorem(t))
    \begin{theorem}[tanh shift]
    tanh(x) + 1 = 2 sigmoid(2x).
    \begin{gather*}
    \tanh x + 1 = 2\sigma(2x)
    \end{gather*}
    \end{theorem}
    """
    formula = getattr(t, "latex", None)
    title = escape(str(t.name).replace("_", " "))
    words = getattr(t, "prose", "") or _prose(t.statement)
    out = [rf"\begin{{theorem}}[{title}]", words + ("" if words.rstrip("$").endswith(".") else ".")]
    if formula:
        out.append("\\begin{gather*}\n" + formula + "\n\\end{gather*}")
    out.append(r"\end{theorem}")
    explanation = getattr(t, "explanation", "")
    if explanation:
        out.append("\n" + r"\emph{Why.} " + explanation + "\n")
    if p is not None:
        body = proof(p) if proofs else _verdict(p)
        out += [r"\begin{proof}", body, r"\end{proof}"] if proofs else [body]
    return "\n".join(out)
