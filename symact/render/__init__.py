r"""LaTeX for lecture notes, the notes document itself, and plots.

>>> from symact.render import latex
>>> print(latex.definition('relu').splitlines()[1])
\operatorname{relu}(x) &= \max\left(0, x\right) \\
"""
