"""HTML tables for notebook display (``_repr_html_``): cells escaped, math left to MathJax as ``$...$``.

>>> print(table(['name', 'value'], [['relu', '$x$'], ['a<b', '1']]))
<table><thead><tr><th>name</th><th>value</th></tr></thead><tbody><tr><td>relu</td><td>$x$</td></tr><tr><td>a&lt;b</td><td>1</td></tr></tbody></table>
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence

__all__ = ["table"]


def table(header: Sequence[str], rows: Iterable[Sequence[object]], caption: str = "") -> str:
    """An HTML table of ``rows`` under ``header``, every cell escaped; ``caption`` above it."""
    head = "".join(f"<th>{html.escape(str(h))}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in row) + "</tr>" for row in rows)
    top = f"<caption>{html.escape(caption)}</caption>" if caption else ""
    return f"<table>{top}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
