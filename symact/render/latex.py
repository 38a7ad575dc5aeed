r"""LaTeX pages as a textbook prints them: an activation's definition and section, the catalog table,
and proofs and theorems (their chains come from ``symact.proof.chains``, formulas from ``symact.formula``).

>>> print(definition('relu').splitlines()[1])
\operatorname{relu}(x) &= \max\left(0, x\right) \\
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import sympy as sp

from symact.catalog import Activation, VectorActivation, get, x
from symact.catalog import names as catalog_names
from symact.derivation import Derivation, derive
from symact.errors import SymactError, UndecidedSign
from symact.formula import LINE, escape, expr, lines, prose, sentence, width
from symact.formula.printer import decimal_text
from symact.kinks import pieces
from symact.proof.chains import RELATIONS, block_tex, blocks, condition_tex, is_bound, is_value
from symact.proof.result import Proof
from symact.vector import derive_vector

__all__ = ["definition", "activation", "vector_activation", "catalog_table", "proof", "statement", "theorem"]


# ---- one activation ---------------------------------------------------------------------------


def _cases(entry: Activation, f: sp.Expr, numeric: dict) -> sp.Expr | None:
    """f as a Piecewise over its switch points when it is written with max, min or |.|."""
    if not f.has(sp.Max, sp.Min, sp.Abs):
        return None
    try:
        parts = pieces(f, numeric)
    except UndecidedSign:  # the order of the switch points is not certain: no case form
        return None
    if len(parts) < 2:
        return None
    rows = []
    for part in parts:
        piece = sp.factor_terms(part.f)
        cond = True if part.hi == sp.oo else x <= part.hi
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


def definition(
    activation: str | sp.Expr | Activation | Derivation, kink: str = "torch", **params: float | sp.Expr
) -> str:
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
        none = "there is no derivative: " if sp.sympify(sides.left - sides.right).is_zero is False else ""
        text = (
            rf"at $x = {expr(point)}$ {none}the left derivative is ${expr(sides.left)}$ and the right one "
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
    if isinstance(entry, VectorActivation):
        return vector_activation(name)
    d = derive(name, kink=kink)
    out = [rf"\subsection*{{\texttt{{{escape(entry.name)}}}}}", *_facts(entry), definition(d)]
    kinks = _kink_text(d)
    if kinks:
        out.append(kinks)
    if figure:
        out.append(figure)
    return "\n\n".join(out)


def vector_activation(name: str, n: int = 3) -> str:
    r"""A subsection for a vector activation on ``n`` inputs: one output, the Jacobian written in the
    outputs, and the gradient of the cross-entropy loss, each as ``symact.vector`` derived and checked it.

    >>> print(vector_activation('softmax').splitlines()[0])
    \subsection*{\texttt{softmax}}
    """
    entry = get(name)
    if not isinstance(entry, VectorActivation):
        raise SymactError(f"{name!r} is elementwise; use activation()")
    d = derive_vector(entry, n)
    out = [rf"\subsection*{{\texttt{{{escape(entry.name)}}}}}", *_facts(entry)]
    first = rf"y_1 = {expr(d.f[0])}"
    out.append(rf"On $n = {n}$ inputs $\mathbf{{x}}$, with outputs $\mathbf{{y}}$ (the others alike): \[{first}\]")
    if d.jacobian_of_output is not None:
        out.append(
            r"The Jacobian in the outputs, checked exactly against the derivative of the definition:"
            rf"\[\frac{{\partial \mathbf{{y}}}}{{\partial \mathbf{{x}}}} = {expr(d.jacobian_of_output)}\]"
        )
    if d.loss_gradient is not None:
        out.append(
            rf"For targets $\mathbf{{t}}$ summing to 1, the cross-entropy $L = {expr(d.loss)}$ has the gradient"
            rf"\[\frac{{\partial L}}{{\partial \mathbf{{x}}}} = {expr(d.loss_gradient)}\]"
        )
    return "\n\n".join(out)


def _facts(entry: Activation | VectorActivation) -> list[str]:
    """One paragraph: parameters, framework names, aliases and the reference."""
    facts = []
    if getattr(entry, "defaults", None):
        facts.append("Parameters: " + ", ".join(_parameter(p, v) for p, v in entry.defaults.items()) + ".")
    frameworks = [
        f"{label} \\texttt{{{escape(n)}}}" for label, n in (("PyTorch", entry.torch), ("JAX", entry.jax)) if n
    ]
    if frameworks:
        facts.append("In " + ", ".join(frameworks) + ".")
    if entry.aliases:
        facts.append("Also called " + ", ".join(rf"\texttt{{{escape(a)}}}" for a in entry.aliases) + ".")
    # a vector activation's reference may write its definition in plain text; the typeset one follows
    cited = [part for part in entry.reference.rstrip(".").split("; ") if "=" not in part] if entry.reference else []
    if cited:
        facts.append(escape("; ".join(cited)) + ".")
    return [" ".join(facts)] if facts else []


def _parameter(p: sp.Symbol, v: sp.Expr) -> str:
    r"""``p = v``; a value of more than 10 significant digits (selu's) rounded, its exact value in a footnote.

    >>> print(_parameter(sp.Symbol('a'), sp.Rational(1673263242354377284817042991671, 10**30)))
    $a \approx 1.673263242$\footnote{Exactly $a = 1.673263242354377284817042991671$.}
    """
    text = decimal_text(v)
    if text is None or len(text.lstrip("-0.").replace(".", "")) <= 10:
        return f"${expr(p)} = {expr(v)}$"
    return rf"${expr(p)} \approx {float(v):.10g}$\footnote{{Exactly ${expr(p)} = {text}$.}}"


# ---- the catalog table ------------------------------------------------------------------------

_COLUMNS = (0.14, 0.24, 0.32, 0.21)  # of the line; with the three column gaps they fill it


def _cell(e, columns: float) -> str | None:
    """One table cell of ``columns`` (a fraction of the line): the formula, on as many lines as it takes, or
    None when a factor is too wide alone for the column (the formula then gets a full line)."""
    parts = lines(e, columns * LINE - 0.3)
    if any(r"\symactfit" in part for part in parts):
        return None
    if len(parts) == 1:
        return rf"$\displaystyle {parts[0]}$"
    return r"$\begin{aligned}[t] &" + r" \\ &\quad ".join(parts) + r"\end{aligned}$"


def _full_lines(label: str, d: Derivation) -> list[str]:
    """Rows of a one-column table: the activation's name, then f, f' and f' from y each on full lines."""
    rows = [rf"\texttt{{{label}}} \\*"]
    for head, e in (("f(x)", d.f), ("f'(x)", d.df), (r"f'(x) \text{ in } y", d.df_of_output)):
        if e is not None:
            parts = lines(e, LINE - 4 - width(head))
            rows.append(rf"$\begin{{aligned}}[t] \quad {head} &= " + r" \\ &\quad ".join(parts) + r"\end{aligned}$ \\")
    return rows


def catalog_table(names: Iterable[str] | None = None, kink: str = "torch") -> str:
    r"""A ``longtable`` of activations: name, f(x), f'(x) and f' written from the output y = f(x); the
    activations with a formula too wide for its column follow in a second table, each formula on full lines.

    >>> print(catalog_table(["relu", "tanh"]).splitlines()[-3])
    \texttt{tanh} & $\displaystyle \tanh{\left(x \right)}$ & $\displaystyle 1 - \tanh^{2}{\left(x \right)}$ & $\displaystyle 1 - y^{2}$ \\
    """
    rows, long_rows = [], []
    for name in names if names is not None else catalog_names():
        d = derive(name, kink=kink)
        dfy = _cell(d.df_of_output, _COLUMNS[3]) if d.df_of_output is not None else "---"
        f, df = _cell(d.f, _COLUMNS[1]), _cell(d.df, _COLUMNS[2])
        label = escape(name).replace(r"\_", r"\_\allowbreak ")
        if None in (f, df, dfy):
            long_rows += _full_lines(label, d)
        else:
            rows.append(rf"\texttt{{{label}}} & {f} & {df} & {dfy} \\")
    head = (
        r"\begin{longtable}{@{}" + "".join(r"p{%g\linewidth}" % c for c in _COLUMNS) + "@{}}"
        "\n\\toprule\nname & $f(x)$ & $f'(x)$ & $f'$ from $y = f(x)$ \\\\\n\\midrule\n\\endhead"
    )
    table = head + "\n" + "\n".join(rows) + "\n\\bottomrule\n\\end{longtable}"
    if not long_rows:
        return table
    second = (
        r"\begin{longtable}{@{}p{\linewidth}@{}}" + "\n\\toprule\n"
        r"the activations whose formulas need a full line: $f(x)$, $f'(x)$ and $f'$ from $y = f(x)$ \\"
        "\n\\midrule\n\\endhead"
    )
    return table + "\n\n" + second + "\n" + "\n".join(long_rows) + "\n\\bottomrule\n\\end{longtable}"


# ---- proofs and theorems ----------------------------------------------------------------------


def proof(p: Proof, details: bool = True) -> str:
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
    head = sentence(info["latex"]) + "\n" if info.get("latex") else ""
    return head + _body(p, details)


def _body(p, details: bool) -> str:
    info = p.details if isinstance(p.details, dict) else {}
    instances = info.get("instances")
    if instances:
        shown, rest = instances[0], instances[1:]
        text = _body(shown, details)
        if rest:
            counts = {s: sum(q.status == s for q in rest) for s in ("proved", "checked")}
            said = ", ".join(f"{n} of {len(rest)} {s}" for s, n in counts.items() if n) or f"0 of {len(rest)} proved"
            text += rf" The same on the other {len(rest)} instances{escape(info.get('others', ''))}: {said}."
        return text
    out = [block_tex(b) for b in blocks(p)] if details else []
    out.append(_verdict(p))
    return "\n".join(out)


def statement(p: Proof) -> str:
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
    if chains and is_bound(p):
        ends = [b.links[0] for b in chains if b.intro.startswith("Hence")]
        return " and ".join(rf"${expr(e.left)} {RELATIONS[e.rel]} {expr(e.right)}$" for e in ends)
    if is_value(p.lhs) and is_value(p.rhs) and not limit and not is_bound(p):
        return f"${expr(p.lhs)} = {expr(p.rhs)}$"
    return prose(p.statement)


def _verdict(p, lead: str = "") -> str:
    status = str(p.status)
    info = p.details if isinstance(p.details, dict) else {}
    excluded = info.get("excluded") if status == "proved" else None
    defined = info.get("defined", []) if status == "proved" else []
    conditions = [rf"$x \ne {expr(e)}$" for e in excluded or []]
    conditions += [f"${condition_tex(c)}$" for c in defined]
    where = " for " + " and ".join(conditions) if conditions else ""
    if status == "checked":
        where = " (numerically or on instances; not a proof)"
    how = f" by {prose(p.method)}" if p.method and not lead else ""
    word = f"{lead}: {status}" if lead else status.capitalize()
    text = rf"\textbf{{{escape(word)}}}{where}{how}."
    if excluded:
        text += " " + "; ".join(escape(w[0].upper() + w[1:]) for w in info.get("why", [])) + "."
    if p.counterexample:
        ce = p.counterexample
        point = ce.get("point")
        if isinstance(point, dict):
            where = ", ".join(f"${expr(sp.Symbol(str(k)))} = {_number(v)}$" for k, v in point.items())
        else:
            where = f"$x = {_number(point)}$"
        sides = ("function", "bound") if "relation" in ce else ("left side", "right side")
        text += rf" Counterexample: at {where} the {sides[0]} is ${_number(ce.get('lhs'))}$"
        text += rf" and the {sides[1]} ${_number(ce.get('rhs'))}$."
    if p.evidence is not None and not p.counterexample:
        ev = p.evidence
        text += (
            rf" Checked numerically at {ev.points} points with {ev.digits} digits"
            rf" (largest difference ${_number(ev.max_difference, 2)}$"
            + (rf"; at {ev.undecided} they disagree but no certified evaluation decides)." if ev.undecided else ").")
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


def theorem(t: Any, p: Proof | None = None, proofs: bool = True) -> str:
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
    words = getattr(t, "prose", "") or prose(t.statement)
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
