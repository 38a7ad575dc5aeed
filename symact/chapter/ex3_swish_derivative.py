"""Exercise 3 of d2l.ai 5.1: the derivative of Swish, and its limits in beta.

>>> THEOREMS[0].name
'swish_derivative'
"""

from __future__ import annotations

import sympy as sp

from symact.catalog import get as get_activation
from symact.catalog import x
from symact.chapter.parts import titled
from symact.chapter.theorem import Theorem, theorem
from symact.derivation import derive
from symact.proof import prove, prove_limit

__all__ = ["SECTION", "TITLE", "THEOREMS"]

SECTION = "swish"
TITLE = "Exercise 3: the derivative of Swish, and its limits in beta"


@theorem(
    "swish_derivative",
    SECTION,
    "d/dx x sigmoid(beta x) = sigmoid(beta x) + beta x sigmoid(beta x)(1 - sigmoid(beta x))",
    r"\frac{d}{dx}\, x\,\sigma(\beta x) = \sigma(\beta x) + \beta x\, \sigma(\beta x)\,(1 - \sigma(\beta x))",
    r"The product rule with the chain rule and $\sigma' = \sigma (1 - \sigma)$.",
    prose=r"The derivative of $\operatorname{swish}(x) = x\,\sigma(\beta x)$ is "
    r"$\sigma(\beta x) + \beta x\, \sigma(\beta x)(1 - \sigma(\beta x))$",
    activations=("swish", "silu"),
)
def _swish_derivative():
    textbook = "sigmoid(beta*x) + beta*x*sigmoid(beta*x)*(1 - sigmoid(beta*x))"
    from_definition = sp.diff(x / (1 + sp.exp(-get_activation("swish").params[0] * x)), x)
    return [
        titled(
            prove(derive("swish").df, textbook, beta="positive"),
            r"the derivative symact computes for $\operatorname{swish}$ is the formula above, term for term",
        ),
        titled(
            prove(from_definition, textbook, beta="positive"),
            r"differentiating the definition $x / (1 + e^{-\beta x})$ gives the same formula",
        ),
    ]


@theorem(
    "swish_limits",
    SECTION,
    "Swish tends to relu(x) as beta -> oo (for x != 0) and to x/2 as beta -> 0",
    r"\lim_{\beta\to\infty} x\,\sigma(\beta x) = \max(0, x)\ (x \ne 0), \quad "
    r"\lim_{\beta\to 0^+} x\,\sigma(\beta x) = \frac{x}{2}",
    r"As $\beta$ grows the gate $\sigma(\beta x)$ becomes a step at 0; as it shrinks the gate is $\frac12$ everywhere.",
    prose=r"$\operatorname{swish}(x) = x\,\sigma(\beta x)$ tends to $\operatorname{relu}(x)$ as $\beta \to \infty$ "
    r"(for $x \ne 0$) and to $x/2$ as $\beta \to 0^+$",
    activations=("swish", "silu", "relu"),
)
def _swish_limits():
    return [
        prove_limit("swish(x, beta)", "beta", "oo", "relu(x)"),
        prove_limit("swish(x, beta)", "beta", 0, "x/2", beta="positive"),
    ]


THEOREMS: tuple[Theorem, ...] = (_swish_derivative, _swish_limits)
