"""Exercise 7 of d2l.ai 5.1: gradients vanish through sigmoid layers.

>>> THEOREMS[0].name
'sigmoid_derivative_bound'
"""

from __future__ import annotations

import numpy as np
import sympy as sp

from symact.catalog import x
from symact.chapter.parts import exact_proof, titled
from symact.chapter.theorem import Theorem, theorem
from symact.functions import expand_named, sigmoid
from symact.proof import EXACT, Step, prove, prove_bound

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
    w = sp.symbols("w1:4", real=True)
    z1 = w[0] * x
    z2 = w[1] * sigmoid(z1)
    z3 = w[2] * sigmoid(z2)
    out = sigmoid(z3)
    product = w[0] * w[1] * w[2] * sp.Mul(*[sigmoid(z) * (1 - sigmoid(z)) for z in (z1, z2, z3)])
    proofs = [
        titled(
            prove(sp.diff(out, x), product),
            r"for $L = 3$ scalar layers $h_l = \sigma(w_l h_{l-1})$, $h_0 = x$, the chain rule gives the "
            r"product $\prod_l w_l\, \sigma'(z_l)$",
        ),
        prove_bound("diff(sigmoid(x), x)", upper="1/4"),
    ]
    nrng = np.random.default_rng(2)
    ok = True
    for L in (2, 4, 6):
        Ws = [nrng.normal(size=(5, 5)) for _ in range(L)]
        h = nrng.normal(size=(1, 5))
        J = np.eye(5)
        for W in Ws:
            z = h @ W
            s = 1 / (1 + np.exp(-z))
            J = J @ W @ np.diag((s * (1 - s))[0])
            h = s
        bound = 0.25**L * np.prod([np.linalg.norm(W, 2) for W in Ws])
        ok &= np.linalg.norm(J, 2) <= bound * (1 + 1e-12)
    proofs.append(
        exact_proof(
            "random 5-wide sigmoid stacks: ||J||_2 <= (1/4)^L prod ||W_l||_2",
            bool(ok),
            "float64 check",
            latex=r"$\|J\|_2 \le 4^{-L} \prod_l \|W_l\|_2$ on random sigmoid stacks of width 5 and "
            r"depth $L = 2, 4, 6$",
        )
    )
    return proofs


THEOREMS: tuple[Theorem, ...] = (_sigmoid_bound, _sigmoid_at_10, _gradient_through_layers)
