"""Exercise 7 of d2l.ai 5.1: gradients vanish through sigmoid layers.

>>> THEOREMS[0].name
'sigmoid_derivative_bound'
"""

from __future__ import annotations

import sympy as sp

from symact.catalog import x
from symact.chapter.parts import exact_proof
from symact.chapter.theorem import Theorem, theorem
from symact.functions import expand_named, sigmoid
from symact.proof import CITED, EXACT, PROVED, SYMBOLIC, Proof, Step, prove_bound

__all__ = ["SECTION", "TITLE", "THEOREMS"]

SECTION = "vanishing"
TITLE = "Exercise 7: vanishing gradients with sigmoid"


@theorem(
    "sigmoid_derivative_bound",
    SECTION,
    "sigmoid'(x) <= 1/4 for all real x, with equality only at x = 0",
    r"\sigma'(x) \le \tfrac14, \quad \sigma'(x) = \tfrac14 \iff x = 0",
    r"With $s = e^{x}$, $\frac14 - \sigma' = (s - 1)^2 / (4 (s + 1)^2)$, a square that vanishes only at $s = 1$.",
    prose=r"$\sigma'(x) \le \frac14$ for every real $x$, with equality only at $x = 0$",
    activations=("sigmoid",),
)
def _sigmoid_bound():
    return prove_bound("diff(sigmoid(x), x)", upper="1/4", equality_at=[0])


@theorem(
    "sigmoid_derivative_at_10",
    SECTION,
    "sigmoid'(10) is about 4.5e-5: 4.5e-5 < sigmoid'(10) < 4.6e-5",
    r"4.5\cdot 10^{-5} < \sigma'(10) = \frac{e^{-10}}{(1 + e^{-10})^2} < 4.6 \cdot 10^{-5}",
    "Far from 0 the sigmoid is flat, so almost no gradient passes through it.",
    prose=r"$\sigma'(10)$ is about $4.5 \cdot 10^{-5}$",
    activations=("sigmoid",),
)
def _sigmoid_at_10():
    value = sp.diff(sigmoid(x), x).subs(x, 10)
    exact = expand_named(value)
    low, high = sp.Rational(45, 10**6), sp.Rational(46, 10**6)
    ok = bool(sp.Lt(low, exact)) and bool(sp.Lt(exact, high))
    derivative = sp.Subs(sp.Derivative(sigmoid(x), x), x, 10)
    steps = [
        Step(sp.Eq(derivative, value, evaluate=False), r"$\sigma' = \sigma (1 - \sigma)$"),
        Step(sp.Eq(derivative, exact, evaluate=False), "exact value"),
        Step(sp.StrictLessThan(low, exact, evaluate=False), "certified comparison"),
        Step(sp.StrictLessThan(exact, high, evaluate=False), "certified comparison"),
    ]
    return exact_proof("4.5e-5 < sigmoid'(10) < 4.6e-5", ok, "exact comparison", steps, basis=EXACT)


@theorem(
    "sigmoid_gradient_through_layers",
    SECTION,
    "Through L sigmoid layers the gradient is a product of L factors sigmoid'(z_l) <= 1/4 and the weights, so "
    "|d out / d x| <= (1/4)^L prod |w_l| (for matrices, (1/4)^L prod ||W_l||_2)",
    r"\Big|\frac{\partial h_L}{\partial x}\Big| = \prod_{l=1}^{L} |w_l|\, \sigma'(z_l) \le 4^{-L} "
    r"\prod_{l=1}^{L} |w_l|, \qquad \|J\|_2 \le 4^{-L} \prod_{l=1}^{L} \|W_l\|_2",
    r"The chain rule multiplies one $\sigma'$ per layer, each at most $\frac14$, so the gradient shrinks "
    "geometrically with depth.",
    prose=r"Through $L$ sigmoid layers the gradient is a product of $L$ factors $\sigma'(z_l) \le \frac14$ and the "
    r"weights, so $|\partial h_L / \partial x| \le 4^{-L} \prod_l |w_l|$; for matrices, "
    r"$\|J\|_2 \le 4^{-L} \prod_l \|W_l\|_2$",
    activations=("sigmoid",),
)
def _gradient_through_layers():
    # induction on L: h_{L+1} = sigmoid(w h_L), so d h_{L+1}/dx = w sigmoid'(w h_L) d h_L/dx, one factor per layer
    w = sp.Symbol("w", real=True)
    h = sp.Function("h")(x)
    z = w * h
    chain = sp.diff(sigmoid(z), x)
    factor = w * sigmoid(z) * (1 - sigmoid(z)) * sp.diff(h, x)
    step = exact_proof(
        "induction step: d/dx sigmoid(w h(x)) = w sigmoid'(w h(x)) h'(x)",
        sp.simplify(expand_named(chain - factor)) == 0,
        "chain rule",
        [Step(sp.Eq(sp.Derivative(sigmoid(z), x), factor, evaluate=False), "the chain rule, one layer")],
        latex=r"induction on $L$: with $h_{l} = \sigma(w_l h_{l-1})$, $h_0 = x$, the chain rule gives "
        r"$h_{L+1}' = w_{L+1}\, \sigma'(z_{L+1})\, h_L'$, so $h_L' = \prod_l w_l\, \sigma'(z_l)$",
        basis=SYMBOLIC,
    )
    norms = Proof(
        "||A B||_2 <= ||A||_2 ||B||_2 and ||diag(d)||_2 = max |d_i|",
        PROVED,
        "cited lemma",
        details={
            "latex": r"for matrices, $J_{L+1} = J_L W_{L+1} D_{L+1}$ with $D = \operatorname{diag}(\sigma'(z))$; "
            r"the spectral norm is submultiplicative and $\|D\|_2 = \max_i \sigma'(z_i) \le \frac14$ "
            r"(standard lemmas, cited), so $\|J\|_2 \le 4^{-L} \prod_l \|W_l\|_2$"
        },
        basis=CITED,
    )
    return [step, prove_bound("diff(sigmoid(x), x)", upper="1/4"), norms]


THEOREMS: tuple[Theorem, ...] = (_sigmoid_bound, _sigmoid_at_10, _gradient_through_layers)
