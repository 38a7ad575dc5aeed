r"""SymPy -> LaTeX with the notes' conventions, and formulas broken into lines that fit the page.

>>> import sympy as sp
>>> from symact.formula import escape, expr, width
>>> print(escape('50% & more'))
50\% \& more
>>> width(expr(sp.Symbol('beta'))) < 2
True
"""

from symact.formula.layout import LINE, lines, shrunk, width
from symact.formula.printer import MACROS, escape, expr, prose, sentence

__all__ = ["LINE", "MACROS", "escape", "expr", "lines", "prose", "sentence", "shrunk", "width"]
