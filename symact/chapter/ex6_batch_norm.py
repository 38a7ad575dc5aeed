"""Exercise 6 of d2l.ai 5.1: batch normalisation couples the examples of a minibatch.

>>> THEOREMS[0].name
'batch_norm_couples_examples'
"""

from __future__ import annotations

import sympy as sp

from symact.chapter.parts import exact_proof
from symact.chapter.theorem import Theorem, theorem
from symact.functions import sigmoid
from symact.linear import batch_norm, batch_norm_jacobian
from symact.proof import EXACT, Step

__all__ = ["SECTION", "TITLE", "THEOREMS"]

SECTION = "batch_norm"
TITLE = "Exercise 6: a nonlinearity over the minibatch couples the examples"


@theorem(
    "batch_norm_couples_examples",
    SECTION,
    "Batch normalisation makes y_1 depend on x_2 (a non-zero cross-example Jacobian), unlike an elementwise "
    "activation, whose Jacobian is diagonal; and its training output differs from its evaluation output",
    r"\frac{\partial y_1}{\partial x_2} \ne 0 \text{ for } y_i = \frac{x_i - \mu_B}{\sqrt{\sigma_B^2 + \epsilon}}, "
    r"\quad \frac{\partial \sigma(x_1)}{\partial x_2} = 0",
    "The batch mean and variance mix every example into every output; an elementwise function sees only its own input.",
    prose=r"Batch normalisation makes $y_1$ depend on $x_2$ (a non-zero cross-example Jacobian), unlike an "
    "elementwise activation, whose Jacobian is diagonal; and its training output differs from its evaluation output",
)
def _batch_norm():
    J, xs = batch_norm_jacobian(3)
    point = dict(zip(xs, (sp.Integer(1), sp.Integer(2), sp.Integer(4))))
    cross = sp.nsimplify(sp.simplify(J[0, 1].subs(point)))
    elementwise = sp.Matrix(3, 3, lambda i, j: sp.diff(sigmoid(xs[i]), xs[j]))
    off_diagonal_zero = all(elementwise[i, j] == 0 for i in range(3) for j in range(3) if i != j)
    y1 = sp.Function("y1")(*xs)
    steps = [
        Step(
            sp.Eq(sp.Subs(sp.Derivative(y1, xs[1]), xs, tuple(point.values())), cross, evaluate=False),
            r"differentiate $y_1$ exactly, at $(x_1, x_2, x_3) = (1, 2, 4)$",
        ),
        Step(
            sp.Eq(sp.Derivative(sigmoid(xs[0]), xs[1]), 0, evaluate=False),
            r"and likewise every off-diagonal entry of the Jacobian of an elementwise $\sigma$",
        ),
    ]
    proofs = [
        exact_proof(
            "cross-example Jacobian",
            cross != 0 and cross.is_number and off_diagonal_zero,
            "exact witness",
            steps,
            latex=r"for a batch $x_1, x_2, x_3$, $\partial y_1 / \partial x_2 \ne 0$, while "
            r"$\partial \sigma(x_1) / \partial x_2 = 0$",
            basis=EXACT,
        )
    ]
    # the same example in two batches, and in training versus evaluation mode
    in_one = batch_norm([1, 2, 4])[0]
    in_other = batch_norm([1, 10, 20])[0]
    eval_mode = (sp.Integer(1) - 0) / sp.sqrt(1 + sp.Rational(1, 10**5))  # running mean 0, running variance 1
    ok = sp.simplify(in_one - in_other) != 0 and sp.simplify(in_one - eval_mode) != 0
    shown = ", ".join(f"${sp.latex(sp.N(v, 6))}$" for v in (in_one, in_other, eval_mode))
    proofs.append(
        exact_proof(
            "train/eval mismatch",
            ok,
            "exact values",
            latex=rf"the example $x = 1$ is normalised to three different exact values, about {shown}: "
            r"in the batch $(1, 2, 4)$, in the batch $(1, 10, 20)$ and in evaluation mode (running mean "
            r"0, running variance 1)",
            basis=EXACT,
        )
    )
    return proofs


THEOREMS: tuple[Theorem, ...] = (_batch_norm,)
