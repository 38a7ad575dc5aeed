"""Exercise 5 of d2l.ai 5.1: tanh and sigmoid networks compute the same functions.

>>> THEOREMS[0].name
'tanh_plus_one'
"""

from __future__ import annotations

import numpy as np
import sympy as sp

from symact.chapter.parts import exact_proof, instances_proof, sci, titled
from symact.chapter.theorem import Theorem, theorem
from symact.functions import sigmoid
from symact.linear import forward, sigmoid_to_tanh, tanh_to_sigmoid
from symact.proof import Proof, prove

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


def _symbolic_network(prefix: str, shapes):
    Ws = [
        sp.Matrix(a, c, lambda i, j, k=k: sp.Symbol(f"{prefix}{k}_{i}{j}", real=True))
        for k, (a, c) in enumerate(zip(shapes, shapes[1:]), 1)
    ]
    bs = [sp.Matrix(1, c, lambda i, j, k=k: sp.Symbol(f"c{k}_{j}", real=True)) for k, c in enumerate(shapes[1:], 1)]
    return Ws, bs


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
    units = []
    Ws, bs = _symbolic_network("w", [2, 2, 2, 2])  # first, hidden and last layer of a generic network
    g = sp.Matrix([sp.symbols("g1:3", real=True)])  # the previous sigmoid layer's output (a row)
    h = 2 * g - sp.ones(1, 2)  # the matching tanh layer's output: tanh = 2 sigmoid(2 .) - 1
    for direction, convert, act_from, act_to in (
        ("tanh -> sigmoid", tanh_to_sigmoid, sp.tanh, sigmoid),
        ("sigmoid -> tanh", sigmoid_to_tanh, sigmoid, sp.tanh),
    ):
        Vs, cs = convert(Ws, bs)
        old_in, new_in = (h, g) if act_from == sp.tanh else (g, h)
        # first layer: the inputs are the same; hidden layer: the previous layer matches as h = 2 g - 1
        first_old = (g * Ws[0] + bs[0]).applyfunc(act_from)
        first_new = (g * Vs[0] + cs[0]).applyfunc(act_to)
        hidden_old = (old_in * Ws[1] + bs[1]).applyfunc(act_from)
        hidden_new = (new_in * Vs[1] + cs[1]).applyfunc(act_to)
        last_old = old_in * Ws[2] + bs[2]
        last_new = new_in * Vs[2] + cs[2]
        relate = (lambda t: 2 * t - 1) if act_to == sigmoid else (lambda t: (t + 1) / 2)
        for label, old, new, mapped in (
            ("first layer", first_old, first_new, True),
            ("hidden layer", hidden_old, hidden_new, True),
            ("last (affine) layer", last_old, last_new, False),
        ):
            for j in range(old.shape[1]):
                p = prove(old[j], relate(new[j]) if mapped else new[j])
                units.append(
                    Proof(
                        f"{direction}, {label}, unit {j + 1}",
                        p.status,
                        p.method,
                        p.steps,
                        p.counterexample,
                        p.evidence,
                        p.lhs,
                        p.rhs,
                    )
                )
    nrng = np.random.default_rng(1)
    worst = 0.0
    for shapes in ([3, 5, 4, 2], [2, 8, 1], [4, 6, 6, 6, 3]):
        Ws_ = [nrng.normal(size=(a, c)) for a, c in zip(shapes, shapes[1:])]
        bs_ = [nrng.normal(size=c) for c in shapes[1:]]
        X_ = nrng.normal(size=(10, shapes[0]))
        V, c = tanh_to_sigmoid(Ws_, bs_)
        worst = max(worst, float(np.abs(forward(Ws_, bs_, X_, "tanh") - forward(V, c, X_, "sigmoid")).max()))
        V, c = sigmoid_to_tanh(Ws_, bs_)
        worst = max(worst, float(np.abs(forward(Ws_, bs_, X_, "sigmoid") - forward(V, c, X_, "tanh")).max()))
    general = titled(
        prove("tanh(x)", "2*sigmoid(2*x) - 1"),
        r"$\tanh(z) = 2\sigma(2z) - 1$, the identity behind "
        "every step",
    )
    first = r"$g_1, g_2$ (the previous sigmoid layer, $h = 2g - 1$ the tanh one)"
    return [
        general,
        instances_proof(
            "the weight maps, unit by unit, on a generic 2-2-2-2 network in both directions",
            r"the weight maps of \texttt{tanh\_to\_sigmoid} and \texttt{sigmoid\_to\_tanh} on a generic "
            r"$2 \to 2 \to 2 \to 2$ network with symbolic weights, one unit at a time; shown: the first unit, in "
            + first,
            units,
            " (every unit of every layer, both directions)",
        ),
        exact_proof(
            f"random networks agree in both directions, max difference {worst:.1e}",
            worst < 1e-12,
            "float64 check to 1e-12",
            latex=rf"random float networks of three shapes agree in both directions (largest difference "
            rf"{sci(worst)}, below $10^{{-12}}$)",
            max_difference=worst,
        ),
    ]


THEOREMS: tuple[Theorem, ...] = (_tanh_plus_one, _tanh_sigmoid_networks)
