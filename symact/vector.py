"""Vector activations (softmax, log_softmax, softmin) derived as the vector functions they are: the n outputs,
the Jacobian, the Jacobian written in the outputs, and the gradient of the cross-entropy loss.

Each form in the outputs is a candidate that is accepted only when the difference from the Jacobian derived
from the definition cancels to exactly zero in every entry, as a rational function of the exp(x_i) (no
``simplify``, nothing timed: the same answer on every machine); otherwise the field is ``None``.

>>> d = derive_vector(get('softmax'), 2)
>>> d.jacobian_of_output
Matrix([
[-y1**2 + y1,    -y1*y2],
[     -y1*y2, -y2**2 + y2]])
>>> d.loss_gradient.T
Matrix([[-t1 + y1, -t2 + y2]])
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass

import sympy as sp

from symact.budget import guard, within
from symact.catalog import VectorActivation, get
from symact.errors import ParameterError
from symact.formula.printer import text_block

__all__ = ["VectorDerivation", "derive_vector", "MAX_N"]

MAX_N = 8  # outputs; the Jacobian has n**2 entries, each checked once


@dataclass(frozen=True)
class VectorDerivation:
    """A vector activation on n inputs: outputs ``f``, ``jacobian`` (d f_i / d x_j), the Jacobian in the
    outputs y (``jacobian_of_output``) and the cross-entropy gradient in y and the targets t (``loss_gradient``),
    each ``None`` when no checked form exists; ``canonical`` names the stable form f equals exactly
    ('softmax', 'softmin' or 'log_softmax'), which the kernels evaluate."""

    name: str
    n: int
    inputs: sp.Matrix
    outputs: sp.Matrix
    f: sp.Matrix
    jacobian: sp.Matrix
    jacobian_of_output: sp.Matrix | None
    targets: sp.Matrix
    loss_gradient: sp.Matrix | None
    loss: sp.Expr | None
    canonical: str | None

    def latex(self) -> str:
        """f, its Jacobian in the outputs and the loss gradient as LaTeX display lines.

        >>> print(derive_vector(get('softmax'), 2).latex().splitlines()[0])
        \\begin{align*}
        """
        name = r"\operatorname{" + self.name.replace("_", r"\_") + "}"
        rows = [rf"{name}(\mathbf{{x}}) &= {sp.latex(self.f.T)}^\top"]
        if self.jacobian_of_output is not None:
            rows.append(
                rf"\frac{{\partial \mathbf{{y}}}}{{\partial \mathbf{{x}}}} &= {sp.latex(self.jacobian_of_output)}"
            )
        if self.loss_gradient is not None:
            rows.append(rf"\frac{{\partial L}}{{\partial \mathbf{{x}}}} &= {sp.latex(self.loss_gradient.T)}^\top")
        return "\\begin{align*}\n" + " \\\\\n".join(rows) + "\n\\end{align*}"

    def _repr_latex_(self) -> str:
        return self.latex()

    def __str__(self) -> str:
        parts = [f"{self.name}(x1..x{self.n}) = (y1..y{self.n}) with"]
        parts += [text_block(f"  y{i} = ", e) for i, e in enumerate(self.f, 1)]
        if self.jacobian_of_output is not None:
            parts.append(text_block("dy/dx = ", self.jacobian_of_output) + "    (in y)")
        else:
            parts.append(text_block("dy/dx = ", self.jacobian))
        if self.loss_gradient is not None:
            parts.append(text_block("dL/dx = ", self.loss_gradient.T) + f"    for L = {self.loss}")
        return "\n".join(parts)


def _symbols(letter: str, n: int) -> sp.Matrix:
    return sp.Matrix(sp.symbols(f"{letter}1:{n + 1}", real=True))


def _canonical(f: sp.Matrix, x: sp.Matrix) -> str | None:
    """Which stable form f is exactly: 'softmax', 'softmin' (softmax of -x) or 'log_softmax'; else None."""
    forms = {}
    for name, sign in (("softmax", 1), ("softmin", -1)):
        total = sum(sp.exp(sign * xi) for xi in x)
        forms[name] = sp.Matrix([sp.exp(sign * xi) / total for xi in x])
    forms["log_softmax"] = sp.Matrix([xi - sp.log(sum(sp.exp(xj) for xj in x)) for xi in x])
    for name, form in forms.items():
        if all(_is_zero(a - b, x) for a, b in zip(f, form)):
            return name
    return None


def _is_zero(e: sp.Expr, x: sp.Matrix) -> bool:
    """True only when ``e`` is exactly 0: with logarithms of products expanded (the catalog takes logarithms
    of probabilities only, all positive) and each exp(k*x_i) written e_i**k (e_i a positive symbol), the
    rational function that remains cancels to 0. Anything else counts as not shown."""
    letters = {xi: sp.Symbol(f"e_{xi}", positive=True) for xi in x}

    def power(term):  # exp(k*x_i) as e_i**k for an integer k
        k, rest = term.as_coeff_Mul()
        return letters[rest] ** k if rest in letters and k.is_Integer else sp.exp(term)

    e = sp.expand_log(e.rewrite(sp.exp), force=True)
    e = e.replace(sp.exp, lambda a: sp.Mul(*(power(t) for t in sp.Add.make_args(sp.expand(a)))))
    return sp.cancel(sp.together(e)) == 0


def _jacobian_forms(y: sp.Matrix) -> list[sp.Matrix]:
    n = len(y)
    probabilities = sp.diag(*y) - y * y.T  # softmax: diag(p) - p p^T
    return [probabilities, -probabilities, sp.eye(n) - sp.ones(n, 1) * y.applyfunc(sp.exp).T]


def _checked(
    candidates: list[sp.Matrix], outputs: sp.Matrix, f: sp.Matrix, target: sp.Matrix, x: sp.Matrix
) -> sp.Matrix | None:
    """The first candidate (in the output symbols) equal to ``target`` once the outputs are f; else None."""
    at_f = dict(zip(outputs, f))
    for candidate in candidates:
        if all(_is_zero(a.subs(at_f) - b, x) for a, b in zip(candidate, target)):
            return candidate
    return None


def _loss(f: sp.Matrix, x: sp.Matrix, outputs: sp.Matrix, t: sp.Matrix) -> tuple[sp.Expr | None, sp.Matrix | None]:
    """The cross-entropy L = -sum t_i log p_i (t a distribution; p = y, or exp(y) for log-probabilities), in y
    and t, and its gradient in x."""
    n = len(f)
    if _is_zero(sum(f) - 1, x):
        log_p, name = f.applyfunc(sp.log), -sum(ti * sp.log(yi) for ti, yi in zip(t, outputs))
    elif _is_zero(sum(f.applyfunc(sp.exp)) - 1, x):
        log_p, name = f, -sum(ti * yi for ti, yi in zip(t, outputs))
    else:
        return None, None
    on_simplex = {t[-1]: 1 - sum(t[:-1])}
    gradient = sp.Matrix([-sum(t[i] * sp.diff(log_p[i], x[j]) for i in range(n)) for j in range(n)])
    probabilities = outputs.applyfunc(sp.exp) if log_p is f else outputs
    for candidate in (probabilities - t, t - probabilities):
        if _checked([candidate.subs(on_simplex)], outputs, f, gradient.subs(on_simplex), x) is not None:
            return name, candidate
    return name, None


_CACHE: dict = {}
_CACHE_LOCK = threading.Lock()
if hasattr(os, "register_at_fork"):  # no fork on Windows
    os.register_at_fork(after_in_child=_CACHE_LOCK._at_fork_reinit)  # held by a thread the child lacks


def derive_vector(activation: str | VectorActivation, n: int = 3, budget: float | None = 10.0) -> VectorDerivation:
    """Derive a vector activation on ``n`` inputs (2 to ``MAX_N``), within ``budget`` seconds.

    >>> derive_vector('log_softmax', 2).jacobian_of_output
    Matrix([
    [1 - exp(y1),    -exp(y2)],
    [   -exp(y1), 1 - exp(y2)]])
    """
    entry = get(activation) if isinstance(activation, str) else activation
    if not isinstance(entry, VectorActivation):
        raise ParameterError(str(activation), "activation", "is elementwise; derive it with symact.derive")
    if isinstance(n, sp.Integer):  # from the command line's --param n=4
        n = int(n)
    if isinstance(n, bool) or not isinstance(n, int) or not 2 <= n <= MAX_N:
        raise ParameterError(entry.name, "n", f"must be an integer from 2 to {MAX_N}, got {n!r}")
    f = entry.build(n)
    key = (entry.name, sp.ImmutableMatrix(f))
    if key in _CACHE:
        return _CACHE[key]
    x, y, t = entry.inputs(n), _symbols("y", n), _symbols("t", n)
    with within(budget, f"derive({entry.name!r}, n={n})"), guard():
        jacobian = f.jacobian(x)
        of_output = _checked(_jacobian_forms(y), y, f, jacobian, x)
        loss, gradient = _loss(f, x, y, t)
        canonical = _canonical(f, x)
    result = VectorDerivation(entry.name, n, x, y, f, jacobian, of_output, t, gradient, loss, canonical)
    with _CACHE_LOCK:  # two first calls may both compute; they store and return one result
        return _CACHE.setdefault(key, result)
