"""The textbook table of activations, computed and proved cell by cell.

``table()`` prints the catalog's properties as text, Markdown or LaTeX; a cell backed only by
numerics carries a mark.

>>> print(table(['relu', 'tanh'], ['range', 'continuity'], format='markdown'))
| activation | range | continuity |
|---|---|---|
| relu | [0, ∞) | C^0 |
| tanh | (-1, 1) | C^∞ |
<BLANKLINE>
cells marked * are numerical-only; the others are proved.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import sympy as sp

from symact import catalog
from symact.analysis.engine import properties
from symact.analysis.result import PROPERTY_NAMES, Property
from symact.budget import DEFAULT_BUDGETS, validate, within
from symact.errors import ParameterError
from symact.formula.html import table as html_table
from symact.isolation import isolatable

__all__ = ["table", "Table", "TABLE_COLUMNS", "FORMATS"]

TABLE_COLUMNS = (
    "range", "continuity", "monotonic", "derivative_monotonic", "identity_near_origin", "parity", "minimum",
    "lipschitz",
)  # fmt: skip
FORMATS = ("text", "markdown", "latex")

_HEADERS = {
    "range": "range", "continuity": "continuity", "monotonic": "monotonic",
    "derivative_monotonic": "f' monotonic", "identity_near_origin": "f(0)=0, f'(0)=1", "parity": "parity",
    "minimum": "minimum", "maximum": "maximum", "lipschitz": "sup |f'|", "limits": "limits",
    "asymptotes": "asymptotes", "saturation": "f' at -oo, +oo", "self_gated": "x g(x)",
    "zero_at_zero": "f(0)=0", "derivative_at_zero": "f'(0)", "bounded_below": "bounded below",
    "bounded_above": "bounded above", "monotonic_intervals": "monotonic on",
}  # fmt: skip


# ---- cells ----------------------------------------------------------------------------------------


def _short(value: sp.Expr, latex: bool) -> str:
    """An exact value when it is short, else 6 significant digits."""
    if value in (sp.oo, -sp.oo):
        return ("-" if value == -sp.oo else "") + ("\\infty" if latex else "∞")
    if isinstance(value, sp.Basic) and value.is_number:
        if value.is_Float or sp.count_ops(value) > 8 or len(str(value)) > 24:
            text = sp.N(value, 6)
            return f"{float(text):.6g}"
        return sp.latex(value) if latex else str(value)
    return str(value)


def _interval(s: sp.Set, latex: bool) -> str:
    if isinstance(s, sp.Union):
        return (" \\cup " if latex else " ∪ ").join(_interval(a, latex) for a in s.args)
    if isinstance(s, sp.FiniteSet):
        inner = ", ".join(_short(v, latex) for v in s.args)
        return f"\\{{{inner}\\}}" if latex else f"{{{inner}}}"
    if isinstance(s, sp.Interval):
        left = "(" if s.left_open or s.start == -sp.oo else "["
        right = ")" if s.right_open or s.end == sp.oo else "]"
        return f"{left}{_short(s.start, latex)}, {_short(s.end, latex)}{right}"
    return sp.latex(s) if latex else str(s)


def cell(prop: Property, latex: bool = False) -> str:
    """One table cell for a property (no numerical-only mark); '?' where nothing is known."""
    v = prop.value
    if v is None:
        return "?"
    if prop.name == "range":
        return _interval(v, latex)
    if prop.name == "continuity":
        order = "\\infty" if latex and v == sp.oo else ("∞" if v == sp.oo else str(v))
        if v == -1:
            return r"\mbox{disc.}" if latex else "discontinuous"
        return f"C^{{{order}}}" if latex else f"C^{order}"
    if isinstance(v, bool):
        return "yes" if v else "no"
    if prop.name in ("monotonic", "derivative_monotonic"):
        word = "no" if v == "not monotonic" else v
        return word.replace("creasing", "cr.") if latex else word
    if prop.name in ("minimum", "maximum", "lipschitz"):
        text = _short(v, latex)
        where = prop.details.get("at") or []
        if not latex and prop.details.get("attained") and len(where) == 1 and not isinstance(where[0], sp.Set):
            text += (" at " if not latex else r"\text{ at }") + ("x=" + _short(where[0], latex))
        return text
    if isinstance(v, tuple):
        return "(" + ", ".join(_short(e, latex) for e in v) + ")"
    if isinstance(v, dict):  # asymptotes by direction
        arrow, sep = (r" \to ", r";\ ") if latex else (" -> ", "; ")
        return sep.join(f"x{arrow}{_short(sp.sympify(k), latex)}: {_short(e, latex)}" for k, e in v.items())
    return str(v)


@isolatable
def table(
    names: Iterable | str | None = None,
    columns: Sequence[str] | None = None,
    format: str = "text",
    budget: float | None = DEFAULT_BUDGETS["table"],
) -> Table:
    """The properties of several activations as one table: ``format`` is text, markdown or latex.

    ``names`` (one or several catalog names, expressions or ``define``'s objects) defaults to the whole catalog,
    ``columns`` to ``TABLE_COLUMNS`` (any of ``PROPERTY_NAMES``). The result is a ``Table``: the text in
    ``format``, which a notebook shows as HTML. Numerical-only and unknown cells
    carry ``*`` (LaTeX: a dagger). ``budget`` (seconds, default 1800) bounds
    the whole table, every row within it; past it, ``ProofTimeout``.
    """
    if format not in FORMATS:
        raise ParameterError("table", "format", f"must be one of {', '.join(FORMATS)}, got {format!r}", FORMATS)
    if names is None:
        rows = catalog.names()
    elif isinstance(names, (str, sp.Basic, catalog.Activation)):
        rows = [names]
    else:
        rows = list(names)
    columns = list(TABLE_COLUMNS if columns is None else columns)
    for column in columns:
        if column not in PROPERTY_NAMES:
            raise ParameterError("table", column, "is not a property", PROPERTY_NAMES)
    text_body, latex_body = [], []
    with within(validate(budget, "table"), "table"):
        for name in rows:
            p = properties(name, budget=None)
            label = p.activation or str(p.f)
            text_body.append((label, [(cell(p[c], False), p[c].proved) for c in columns]))
            latex_body.append((label, [(cell(p[c], True), p[c].proved) for c in columns]))
    return Table(columns, text_body, latex_body, format)


class Table(str):
    """A properties table: the text of the format asked for (it is that ``str``; ``print`` shows it), and
    ``_repr_html_``, ``_repr_latex_``, ``_repr_markdown_`` so that a notebook cell shows it rendered.

    >>> t = Table(['range'], [('relu', [('[0, ∞)', True)])], [('relu', [(r'[0, \\infty)', True)])], 'text')
    >>> t.splitlines()[2], '<td>relu</td>' in t._repr_html_()
    ('relu        [0, ∞)', True)
    """

    def __new__(cls, columns: list[str], text_body: list, latex_body: list, format: str = "text"):
        render = {"text": _text, "markdown": _markdown, "latex": _latex}[format]
        self = super().__new__(cls, render(columns, latex_body if format == "latex" else text_body))
        self.columns, self.text_body, self.latex_body, self.format = columns, text_body, latex_body, format
        return self

    def __getnewargs__(self):
        return self.columns, self.text_body, self.latex_body, self.format

    def __repr__(self) -> str:
        return str.__str__(self)

    def _repr_html_(self) -> str:
        heads, rows = _marked(self.columns, self.text_body)
        return html_table(heads, rows) + "<p>cells marked * are numerical-only; the others are proved.</p>"

    def _repr_latex_(self) -> str:
        return _latex(self.columns, self.latex_body)

    def _repr_markdown_(self) -> str:
        return _markdown(self.columns, self.text_body)


def _marked(columns, body) -> tuple[list[str], list[list[str]]]:
    heads = ["activation", *(_HEADERS.get(c, c) for c in columns)]
    return heads, [[name, *(text + ("" if ok else " *") for text, ok in cells)] for name, cells in body]


def _markdown(columns, body) -> str:
    heads, rows = _marked(columns, body)
    heads, rows = [h.replace("|", "\\|") for h in heads], [[c.replace("|", "\\|") for c in r] for r in rows]
    lines = ["| " + " | ".join(heads) + " |", "|" + "---|" * len(heads)]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(lines) + "\n\ncells marked * are numerical-only; the others are proved."


def _text(columns, body) -> str:
    heads, rows = _marked(columns, body)
    widths = [max(len(r[i]) for r in [heads, *rows]) for i in range(len(heads))]
    lines = ["  ".join(h.ljust(w) for h, w in zip(r, widths)).rstrip() for r in [heads, *rows]]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines) + "\n\n* numerical-only; every other cell is proved."


_MATH_COLUMNS = {
    "range", "continuity", "minimum", "maximum", "lipschitz", "limits", "saturation", "derivative_at_zero", "asymptotes",
}  # fmt: skip
_LATEX_HEADERS = {
    "continuity": "$C^k$", "derivative_monotonic": "$f'$ monotonic", "identity_near_origin": "$f\\approx x$",
    "minimum": "min", "maximum": "max", "lipschitz": "$\\sup |f'|$", "saturation": "$f'(\\mp\\infty)$",
    "derivative_at_zero": "$f'(0)$", "zero_at_zero": "$f(0)=0$", "self_gated": "$x\\,g(x)$",
}  # fmt: skip


def _latex(columns, body) -> str:
    """A plain ``tabular`` (no packages needed); math cells in $...$, a dagger on numerical-only cells."""
    heads = ["activation", *(_LATEX_HEADERS.get(c, _HEADERS.get(c, c).replace("_", " ")) for c in columns)]
    lines = [
        r"{\footnotesize\setlength{\tabcolsep}{2pt}",
        r"\begin{tabular}{l" + "l" * len(columns) + "}",
        r"\hline",
        " & ".join(heads) + r" \\",
    ]
    lines.append(r"\hline")
    for name, cells in body:
        out = [r"\texttt{" + name.replace("_", r"\_") + "}"]
        for column, (text, ok) in zip(columns, cells):
            mark = "" if ok else "^{\\dagger}"
            out.append(f"${text}{mark}$" if column in _MATH_COLUMNS else text + (f"${mark}$" if mark else ""))
        lines.append(" & ".join(out) + r" \\")
    note = r"\noindent $^{\dagger}$ numerical-only; every other cell is proved. incr.: increasing; decr.: decreasing; disc.: discontinuous."
    lines += [r"\hline", r"\end{tabular}}", "", note]
    return "\n".join(lines)
