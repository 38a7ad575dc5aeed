"""Plots of activations and their derivatives: one call for several curves on one figure.

The numbers come from the compiled forms of f and f' (``symact.kernels.compile_expr``); matplotlib (the ``plot`` extra)
is imported only when a figure is drawn, so ``curves`` works without it.

>>> c = curves('relu', xlim=(-1, 1), points=5)
>>> c.x.tolist()
[-1.0, -0.5, 0.0, 0.0, 0.0, 0.5, 1.0]
>>> c.df.tolist()                 # f' breaks at the kink: left limit, gap, right limit
[0.0, 0.0, 0.0, nan, 1.0, 1.0, 1.0]
"""

from __future__ import annotations

import functools
import io
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import sympy as sp

from symact.budget import DEFAULT_BUDGETS, validate, within
from symact.catalog import get
from symact.derivation import derive
from symact.errors import ParameterError, SymactError
from symact.kernels import compile_expr

if TYPE_CHECKING:  # matplotlib is optional: imported only when a figure is drawn
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["Curves", "curves", "plot"]

_FORMATS = ("png", "pdf", "svg", "eps", "jpg", "jpeg")


@dataclass(frozen=True)
class Curves:
    """Samples of f and f' on a grid; NaN separates the pieces at kinks (f' jumps, or f does)."""

    label: str
    x: np.ndarray
    f: np.ndarray
    df: np.ndarray


def curves(
    activation: str,
    xlim: tuple[float, float] = (-4.0, 4.0),
    points: int = 401,
    kink: str = "torch",
    **params: float | sp.Expr,
) -> Curves:
    """f and f' of ``activation`` sampled on ``points`` values of x in ``xlim``.

    At each kink x = c the samples hold the left limit, NaN and the right limit, so that lines
    break there instead of drawing a vertical segment: f' at every kink, f only where it jumps.
    """
    lo, hi = (float(v) for v in xlim)
    if not lo < hi or points < 2:
        raise SymactError(f"plot range {xlim!r} with {points} points is empty; give xlim=(low, high) with low < high")
    d = derive(activation, kink=kink, **params)
    label = d.name or str(activation)
    numeric = dict(get(d.name).defaults) if d.name else {}
    numeric.update(d.params)
    # plain compiled forms: a plot needs no last-digit accuracy near the zeros of f'
    f_of, df_of = (compile_expr(e.subs(numeric)) for e in (d.f, d.df))
    breaks = {}
    for point, sides in d.kinks.items():
        try:
            c = float(sp.sympify(point).subs(numeric))
        except (TypeError, ValueError):
            continue
        if lo < c < hi:
            breaks[c] = sides.continuous
    xs = np.linspace(lo, hi, points)
    xs = xs[~np.isin(xs, list(breaks))]
    f, df = f_of(xs), df_of(xs)
    eps = 1e-9 * (hi - lo)
    for c in sorted(breaks, reverse=True):
        i = int(np.searchsorted(xs, c))
        left, right = c - eps, c + eps
        fc = [f_of(c)] * 3 if breaks[c] else [f_of(left), np.nan, f_of(right)]
        xs = np.insert(xs, i, [c, c, c])
        f = np.insert(f, i, fc)
        df = np.insert(df, i, [df_of(left), np.nan, df_of(right)])
    return Curves(label, xs, f, df)


@functools.cache
def _notebook_figure() -> type:
    """A matplotlib ``Figure`` that shows itself in a notebook cell (``_repr_png_``) even where no backend
    registered a display for figures (pyplot never imported); it pickles as a plain ``Figure``."""
    from matplotlib.figure import Figure

    def png(fig) -> bytes:
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png")
        return buffer.getvalue()

    def reduce(fig, protocol):
        return _plain_figure, (), fig.__getstate__()

    return type("Figure", (Figure,), {"_repr_png_": png, "__reduce_ex__": reduce, "__module__": __name__})


def _plain_figure():
    """An empty matplotlib ``Figure`` for pickle to restore a state into."""
    from matplotlib.figure import Figure

    return Figure.__new__(Figure)


def plot(
    activations: str | Iterable[str | sp.Expr],
    derivative: bool = True,
    xlim: tuple[float, float] = (-4.0, 4.0),
    ylim: tuple[float, float] | None = None,
    path: str | Path | None = None,
    kink: str = "torch",
    ax: Axes | None = None,
    figsize: tuple[float, float] = (6.0, 3.6),
    legend: bool = True,
    budget: float | None = DEFAULT_BUDGETS["plot"],
    **params: float | sp.Expr,
) -> Figure:
    """Plot f (solid) and, with ``derivative``, f' (dashed, same colour) of one or several activations.

    ``activations`` is a name or a list of names (or expressions in x); ``params`` fix parameters of
    every one of them. Saved to ``path`` (PNG, PDF, SVG by its suffix) when given. Returns the
    matplotlib ``Figure``, which a notebook cell shows as an image (with or without pyplot). Needs the ``plot`` extra (matplotlib). ``budget`` bounds the seconds spent
    (``ProofTimeout`` past it).

    >>> import pytest; _ = pytest.importorskip('matplotlib')
    >>> fig = plot(['relu', 'gelu'], derivative=True)
    >>> fig.axes[0].get_legend_handles_labels()[1]
    ['relu', "relu'", 'gelu', "gelu'"]
    """
    try:
        figure_class = _notebook_figure()
    except ImportError as err:
        raise SymactError("plotting needs matplotlib: pip install 'symact[plot]'") from err
    if path is not None:
        suffix = str(path).rsplit(".", 1)[-1].lower() if "." in str(path) else ""
        if suffix not in _FORMATS:
            raise SymactError(f"cannot save a plot as {str(path)!r}: give a file ending in {', '.join(_FORMATS)}")
    if not isinstance(activations, (str, Iterable)):
        raise ParameterError("plot", "activations", f"must be a name or a list of names, not {activations!r}")
    names = [activations] if isinstance(activations, str) else list(activations)
    if not names:
        raise SymactError("plot needs at least one activation name, e.g. plot(['relu', 'gelu'])")
    if ax is None:
        fig = figure_class(figsize=figsize, layout="constrained")
        ax = fig.add_subplot()
    else:
        fig = ax.figure
    colours = [f"C{i % 10}" for i in range(len(names))]
    with within(validate(budget, "plot"), "plot"):
        found = [curves(name, xlim=xlim, kink=kink, **params) for name in names]
    for c, colour in zip(found, colours):
        ax.plot(c.x, c.f, color=colour, lw=1.8, label=c.label)
        if derivative:
            shade = "C3" if len(names) == 1 else colour  # one activation: f blue, f' red, as in the notes
            ax.plot(c.x, c.df, color=shade, lw=1.4, ls="--", label=c.label + "'")
    ax.axhline(0, color="0.6", lw=0.6)
    ax.axvline(0, color="0.6", lw=0.6)
    ax.set_xlim(*xlim)
    if ylim is not None:
        ax.set_ylim(*ylim)
    ax.set_xlabel("x")
    ax.grid(True, lw=0.3, alpha=0.5)
    if legend:
        ax.legend(frameon=False, fontsize="small")
    if path is not None:
        fig.savefig(path)
    return fig
