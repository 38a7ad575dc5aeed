"""Exercise 5 of d2l.ai 5.1: tanh and sigmoid networks compute the same functions.

>>> THEOREMS[0].name
'tanh_plus_one'
"""

from __future__ import annotations

import sympy as sp

from symact.chapter.parts import exact_proof, titled
from symact.chapter.theorem import Theorem, theorem
from symact.proof import SYMBOLIC, Proof, Step, prove

__all__ = ["SECTION", "TITLE", "THEOREMS"]

SECTION = "tanh_sigmoid"
TITLE = "Exercise 5: tanh and sigmoid networks compute the same functions"


@theorem(
    "tanh_plus_one",
    SECTION,
    "tanh(x) + 1 = 2 sigmoid(2x), equivalently sigmoid(x) = (tanh(x/2) + 1)/2",
    r"\tanh(x) + 1 = 2\sigma(2x), \qquad \sigma(x) = \tfrac{1}{2}(\tanh(x/2) + 1)",
    r"Both sides are the same rational function of $e^{2x}$; SymPy's simplify alone misses it, rewriting to "
    "exponentials does not.",
    prose=r"$\tanh(x) + 1 = 2\sigma(2x)$, equivalently $\sigma(x) = (\tanh(x/2) + 1)/2$",
    activations=("tanh", "sigmoid"),
)
def _tanh_plus_one():
    return [prove("tanh(x) + 1", "2*sigmoid(2*x)"), prove("sigmoid(x)", "(tanh(x/2) + 1)/2")]


def _affine_step(label: str, lhs: sp.MatrixExpr, rhs: sp.MatrixExpr, latex: str) -> Proof:
    """An identity of matrix expressions with symbolic shapes, proved by expanding their difference."""
    zero = sp.expand(lhs - rhs)
    ok = zero == 0 or isinstance(zero, sp.ZeroMatrix)
    steps = (Step(lhs, "the layer's input, affine map"), Step(rhs, "distribute and regroup"))
    return exact_proof(label, ok, "matrix algebra with symbolic shapes", steps, latex=latex, basis=SYMBOLIC)


@theorem(
    "tanh_sigmoid_networks",
    SECTION,
    "Every tanh network equals a sigmoid network with the same shape and vice versa: with sigmoid(z) = (tanh(z/2)+1)/2 "
    "the weights rescale and the biases absorb the shift",
    r"\tanh(H W + b) = 2\sigma\big(G (4W) + 2b - 2\,\mathbf{1} W\big) - 1, \quad H = 2G - 1",
    "A tanh unit is a sigmoid unit stretched and shifted; the next layer's weights and bias undo the shift exactly.",
    prose=r"Every tanh network equals a sigmoid network of the same shape and vice versa: with "
    r"$\tanh(z) = 2\sigma(2z) - 1$ the weights rescale and the biases absorb the shift, layer by layer",
    activations=("tanh", "sigmoid"),
)
def _tanh_sigmoid_networks():
    # induction on the layers: with G the sigmoid network's layer output and H the tanh one's, the claim
    # H = 2 G - J (J all ones) passes from each layer to the next; the unit identities make it elementwise
    n, d, e = sp.symbols("n d e", integer=True, positive=True)
    X, G, W = sp.MatrixSymbol("X", n, d), sp.MatrixSymbol("G", n, d), sp.MatrixSymbol("W", d, e)
    b, ones, row = sp.MatrixSymbol("b", 1, e), sp.OneMatrix(n, 1), sp.OneMatrix(1, d)
    H = 2 * G - ones * row
    half = sp.Rational(1, 2)
    return [
        titled(prove("tanh(x)", "2*sigmoid(2*x) - 1"), r"the unit identity $\tanh(z) = 2\sigma(2z) - 1$"),
        titled(prove("sigmoid(x)", "(tanh(x/2) + 1)/2"), r"and its inverse $\sigma(z) = (\tanh(z/2) + 1)/2$"),
        _affine_step(
            "tanh -> sigmoid, first layer: 2 (X W + 1 b) = X (2W) + 1 (2b)",
            2 * (X * W + ones * b),
            X * (2 * W) + ones * (2 * b),
            r"tanh $\to$ sigmoid, first layer ($V_1 = 2W_1$, $c_1 = 2b_1$), so $H_1 = 2G_1 - J$",
        ),
        _affine_step(
            "tanh -> sigmoid, induction step: H = 2G - J gives 2 (H W + 1 b) = G (4W) + 1 (2b - 2 1^T W)",
            2 * (H * W + ones * b),
            G * (4 * W) + ones * (2 * b - 2 * row * W),
            r"tanh $\to$ sigmoid, from layer $l$ to $l + 1$: if $H_l = 2G_l - J$, the next pre-activation "
            r"doubled is $G_l (4W) + \mathbf{1}(2b - 2\,\mathbf{1}^\top W)$, so $H_{l+1} = 2G_{l+1} - J$",
        ),
        _affine_step(
            "tanh -> sigmoid, last (affine) layer: H W + 1 b = G (2W) + 1 (b - 1^T W)",
            H * W + ones * b,
            G * (2 * W) + ones * (b - row * W),
            r"tanh $\to$ sigmoid, the last (affine) layer: $V_L = 2W_L$, $c_L = b_L - \mathbf{1}^\top W_L$",
        ),
        _affine_step(
            "sigmoid -> tanh, first layer: (X W + 1 b)/2 = X (W/2) + 1 (b/2)",
            half * (X * W + ones * b),
            X * (half * W) + ones * (half * b),
            r"sigmoid $\to$ tanh, first layer ($V_1 = W_1/2$, $c_1 = b_1/2$), so $G_1 = (H_1 + J)/2$",
        ),
        _affine_step(
            "sigmoid -> tanh, induction step: G = (H + J)/2 gives (G W + 1 b)/2 = H (W/4) + 1 (b/2 + 1^T W/4)",
            half * (half * (H + ones * row) * W + ones * b),
            H * (W / 4) + ones * (half * b + row * W / 4),
            r"sigmoid $\to$ tanh, from layer $l$ to $l + 1$: if $G_l = (H_l + J)/2$, the next pre-activation "
            r"halved is $H_l (W/4) + \mathbf{1}(b/2 + \mathbf{1}^\top W/4)$",
        ),
        _affine_step(
            "sigmoid -> tanh, last (affine) layer: G W + 1 b = H (W/2) + 1 (b + 1^T W/2)",
            half * (H + ones * row) * W + ones * b,
            H * (W / 2) + ones * (b + row * W / 2),
            r"sigmoid $\to$ tanh, the last (affine) layer: $V_L = W_L/2$, $c_L = b_L + \mathbf{1}^\top W_L/2$",
        ),
    ]


THEOREMS: tuple[Theorem, ...] = (_tanh_plus_one, _tanh_sigmoid_networks)
