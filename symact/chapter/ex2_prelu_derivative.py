"""Exercise 2 of d2l.ai 5.1: the derivative of pReLU on each side of 0 and at 0.

>>> THEOREMS[0].name
'prelu_derivative'
"""

from __future__ import annotations

import sympy as sp

from symact.catalog import get as get_activation
from symact.chapter.parts import exact_proof, one_sided
from symact.chapter.theorem import Theorem, theorem
from symact.proof import SYMBOLIC, Step

__all__ = ["SECTION", "TITLE", "THEOREMS"]

SECTION = "prelu"
TITLE = "Exercise 2: the derivative of pReLU"


@theorem(
    "prelu_derivative",
    SECTION,
    "pReLU(x) = max(0, x) + alpha min(0, x) has derivative 1 for x > 0 and alpha for x < 0; at 0 the one-sided "
    "derivatives are alpha and 1, so it is differentiable there only when alpha = 1; PyTorch takes alpha",
    r"\operatorname{prelu}'(x) = \begin{cases} 1 & x > 0 \\ \alpha & x < 0 \end{cases}, \quad "
    r"\partial_-(0) = \alpha,\ \partial_+(0) = 1",
    r"Each side of 0 is a straight line; the two slopes agree only when the line does not bend, $\alpha = 1$.",
    prose=r"$\operatorname{prelu}(x) = \max(0, x) + \alpha \min(0, x)$ has derivative 1 for $x > 0$ and $\alpha$ "
    r"for $x < 0$; at 0 the one-sided derivatives are $\alpha$ and 1, so it is differentiable there only when "
    r"$\alpha = 1$; PyTorch takes $\alpha$",
    activations=("prelu", "leaky_relu"),
)
def _prelu_derivative():
    entry = get_activation("prelu")
    alpha = entry.params[0]
    ok, steps, sides = one_sided("prelu", entry.expr)
    solutions = sp.solve(sp.Eq(sides["left"], sides["right"]), alpha)
    steps[-1] = Step(steps[-1].expr, r"left derivative at 0; it equals the right one only for $\alpha = 1$")
    ok = ok and sides["right"] == 1 and sides["left"] == alpha and solutions == [1] and sides["value"] == alpha
    return exact_proof(
        "derivative of prelu on each side and at 0",
        ok,
        "branches and one-sided limits",
        steps,
        latex=r"the derivative on each side of 0, and the one-sided derivatives at 0",
        basis=SYMBOLIC,
    )


THEOREMS: tuple[Theorem, ...] = (_prelu_derivative,)
