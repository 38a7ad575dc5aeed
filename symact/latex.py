r"""LaTeX for activations, the catalog table, proof chains and theorems, as a textbook prints them.

Named functions print as :math:`\sigma` and :math:`\Phi`, parameters with long names in italics,
and piecewise functions as ``cases`` with one interval per line. Long formulas are wrapped in
``\symactfit``, a macro defined in ``MACROS`` (put it in the preamble; ``symact.notes`` does).

>>> print(expr(derive('relu').df))
\begin{cases} 0 & \text{if } x \leq 0 \\ 1 & \text{if } x > 0 \end{cases}
>>> print(definition('relu').splitlines()[1])
\operatorname{relu}(x) &= \max\left(0, x\right) = \begin{cases} 0 & \text{if } x \leq 0 \\ x & \text{if } x > 0 \end{cases} \\
"""

from __future__ import annotations

import re

import sympy as sp
from sympy.printing.latex import LatexPrinter

from .catalog import Activation, get, x
from .derive import Derivation, derive
from .errors import SymactError
from .kinks import resolve, switch_points

__all__ = ["MACROS", "expr", "escape", "definition", "activation", "catalog_table", "proof", "theorem"]

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

    def _print_Piecewise(self, pw):
        rows = _intervals(pw)
        body = r" \\ ".join(f"{self._print(value)} & {cond}" for value, cond in rows)
        return r"\begin{cases} " + body + r" \end{cases}"

    def _condition(self, cond) -> str:
        if cond is sp.true:
            return r"\text{otherwise}"
        return r"\text{if } " + self._print(_oriented(cond))


_PRINTER = _Printer({"mul_symbol": None, "fold_short_frac": False})


def expr(e) -> str:
    r"""One SymPy expression (or matrix, or relation) as LaTeX, with the textbook conventions.

    >>> expr(derive('sigmoid').df_of_output)
    'y \\left(1 - y\\right)'
    """
    return _PRINTER.doprint(e)


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


def _fit(tex: str) -> str:
    r"""A displayed formula, wrapped in ``\symactfit`` (see ``MACROS``) when it may be too wide."""
    return tex if len(tex) <= _LONG else r"\symactfit{%s}" % tex


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
    f_tex = expr(d.f) + (f" = {expr(cases)}" if cases is not None else "")
    lines = [
        rf"{name}(x) &= {_fit(f_tex)}",
        rf"{name}'(x) &= {_fit(expr(d.df))}",
        rf"{name}''(x) &= {_fit(expr(d.d2f))}",
    ]
    if d.df_of_output is not None:
        lines.append(rf"{name}'(x) &= {_fit(expr(d.df_of_output))} \quad \text{{with }} y = {name}(x)")
    return "\\begin{align*}\n" + " \\\\\n".join(lines) + "\n\\end{align*}"


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

    ``figure`` is LaTeX for a plot placed after the formulas (see ``symact.notes``).

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


def _cell(tex: str) -> str:
    return r"\symactfit[1]{%s}" % tex if len(tex) > 60 else f"${tex}$"


def catalog_table(names=None, kink: str = "torch") -> str:
    r"""A ``longtable`` of activations: name, f(x), f'(x) and f' written from the output y = f(x).

    >>> print(catalog_table(["relu", "tanh"]).splitlines()[-3])
    \texttt{tanh} & $\tanh{\left(x \right)}$ & $1 - \tanh^{2}{\left(x \right)}$ & $1 - y^{2}$ \\
    """
    from .catalog import names as catalog_names

    rows = []
    for name in names if names is not None else catalog_names():
        d = derive(name, kink=kink)
        dfy = _cell(expr(d.df_of_output)) if d.df_of_output is not None else "---"
        rows.append(rf"\texttt{{{escape(name)}}} & {_cell(expr(d.f))} & {_cell(expr(d.df))} & {dfy} \\")
    head = (
        r"\begin{longtable}{@{}p{0.14\linewidth}p{0.27\linewidth}p{0.33\linewidth}p{0.2\linewidth}@{}}"
        "\n\\toprule\nname & $f(x)$ & $f'(x)$ & $f'$ from $y = f(x)$ \\\\\n\\midrule\n\\endhead"
    )
    return head + "\n" + "\n".join(rows) + "\n\\bottomrule\n\\end{longtable}"


# ---- proofs and theorems ----------------------------------------------------------------------


def _is_value(e) -> bool:
    return isinstance(e, (sp.Expr, sp.MatrixBase)) and not isinstance(e, sp.logic.boolalg.Boolean)


def proof(p) -> str:
    r"""A proof as a checked chain of equalities in ``align*``, each step with its justification.

    A refuted statement shows its counterexample; an unknown one its numerical evidence.

    >>> from symact.prove import Proof, Step
    >>> from sympy import tanh, exp
    >>> p = Proof('tanh(x) = ...', 'proved', 'rewriting', (Step(tanh(x).rewrite(exp), 'rewrite tanh in exp'),),
    ...           lhs=tanh(x), rhs=tanh(x).rewrite(exp))
    >>> print(proof(p).splitlines()[1])
    \tanh{\left(x \right)} &= \frac{e^{x} - e^{- x}}{e^{x} + e^{- x}} && \text{rewrite tanh in exp}
    """
    parts = (p.details or {}).get("parts") if isinstance(p.details, dict) else None
    if parts:
        out = []
        for i, part in enumerate(parts, 1):
            out.append(rf"\textit{{Part {i}:}} {_statement(part)}.")
            out.append(proof(part))
        return "\n\n".join(out) + "\n\n" + _verdict(p, "Altogether")
    lines = []
    steps = [s for s in p.steps if getattr(s, "expr", None) is not None]
    chain = p.lhs is not None and _is_value(p.lhs) and all(_is_value(s.expr) for s in steps)
    if steps and chain:
        previous = p.lhs
        first = True
        for step in steps:
            if _same(step.expr, previous):
                continue
            left = expr(p.lhs) if first else ""
            lines.append(rf"{left} &= {_fit(expr(step.expr))} && \text{{{escape(step.rule)}}}")
            previous, first = step.expr, False
        if p.rhs is not None and _is_value(p.rhs) and not _same(previous, p.rhs):
            lines.append(rf"{expr(p.lhs) if first else ''} &= {_fit(expr(p.rhs))} && \text{{{escape(p.method)}}}")
    elif steps:
        lines = [rf"& {_fit(expr(s.expr))} && \text{{{escape(s.rule)}}}" for s in steps]
    out = []
    if lines:
        out.append("\\begin{align*}\n" + " \\\\\n".join(lines) + "\n\\end{align*}")
    out.append(_verdict(p))
    return "\n".join(out)


def _statement(p) -> str:
    """``$lhs = rhs$`` when the proof has both sides as expressions, else its statement as text."""
    if _is_value(p.lhs) and _is_value(p.rhs):
        return f"${expr(p.lhs)} = {expr(p.rhs)}$"
    return escape(p.statement)


def _same(a, b) -> bool:
    try:
        return a == b
    except (TypeError, ValueError):  # pragma: no cover - matrices of different shapes
        return False


def _verdict(p, lead: str = "") -> str:
    status = str(p.status)
    how = f" by {escape(p.method)}" if p.method and not lead else ""
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


def theorem(t, p=None) -> str:
    r"""A theorem (statement, explanation) followed by its proof chain, for an ``amsthm`` document.

    ``t`` needs ``name`` and ``statement`` (and optionally ``latex`` and ``explanation``);
    ``p`` is its ``Proof``.

    >>> from types import SimpleNamespace
    >>> t = SimpleNamespace(name='tanh_shift', statement='tanh(x) + 1 = 2 sigmoid(2x)', latex=r'\tanh x + 1 = 2\sigma(2x)')
    >>> print(theorem(t))
    \begin{theorem}[tanh shift]
    tanh(x) + 1 = 2 sigmoid(2x).
    \[ \symactfit{\tanh x + 1 = 2\sigma(2x)} \]
    \end{theorem}
    """
    formula = getattr(t, "latex", None)
    title = escape(str(t.name).replace("_", " "))
    out = [rf"\begin{{theorem}}[{title}]", escape(t.statement) + ("" if t.statement.endswith(".") else ".")]
    if formula:
        out.append(r"\[ \symactfit{%s} \]" % formula)
    out.append(r"\end{theorem}")
    explanation = getattr(t, "explanation", "")
    if explanation:
        out.append("\n" + r"\emph{Why.} " + escape(explanation) + "\n")
    if p is not None:
        out += [r"\begin{proof}", proof(p), r"\end{proof}"]
    return "\n".join(out)
