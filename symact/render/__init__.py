r"""LaTeX for lecture notes, the notes document itself, and plots.

>>> from symact.render import latex
>>> print(latex.escape('50% & more'))
50\% \& more
"""
