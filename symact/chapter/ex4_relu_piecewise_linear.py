"""Exercise 4 of d2l.ai 5.1: ReLU and pReLU networks are continuous and piecewise linear.

>>> THEOREMS[0].name
'relu_network_piecewise_linear'
"""

from __future__ import annotations

import random

import numpy as np
import sympy as sp

from symact.catalog import x
from symact.chapter.parts import exact_proof, rational_matrix
from symact.chapter.theorem import Theorem, theorem
from symact.linear import check_continuity, evaluate_pieces, forward, linear_pieces
from symact.proof import FLOAT, Proof, Step

__all__ = ["SECTION", "TITLE", "THEOREMS"]

SECTION = "pieces"
TITLE = "Exercise 4: ReLU and pReLU networks are continuous and piecewise linear"


def _exact_forward(weights, biases, t, negative_slope=0):
    H = sp.Matrix([[t]])
    for i, (W, b) in enumerate(zip(weights, biases)):
        H = H * W + b
        if i < len(weights) - 1:
            H = H.applyfunc(lambda z: z if z > 0 else negative_slope * z)
    return H[0] if H.shape[1] == 1 else tuple(H)


def _pieces_match(weights, biases, negative_slope, label: str, rng: random.Random) -> Proof:
    pieces = linear_pieces(weights, biases, negative_slope)
    probes = [p.end for p in pieces[:-1]]
    probes += [(p.start + p.end) / 2 for p in pieces if p.start.is_finite and p.end.is_finite]
    probes += [sp.Rational(rng.randint(-4000, 4000), 400) for _ in range(30)]
    mismatched = [t for t in probes if evaluate_pieces(pieces, t) != _exact_forward(weights, biases, t, negative_slope)]
    ok = check_continuity(pieces) and not mismatched
    outputs = len(pieces[0].slope) if isinstance(pieces[0].slope, tuple) else 1
    steps = []
    for k in range(outputs):

        def part(v, k=k):
            return v[k] if isinstance(v, tuple) else v

        rows = [(part(p.slope) * x + part(p.intercept), x < p.end) for p in pieces[:-1]]
        rows.append((part(pieces[-1].slope) * x + part(pieces[-1].intercept), True))
        name = sp.Function(f"N{k + 1}" if outputs > 1 else "N")
        why = f"{len(pieces)} exact pieces" + (f", output {k + 1}" if outputs > 1 else "")
        steps.append(Step(sp.Eq(name(x), sp.Piecewise(*rows), evaluate=False), why))
    counterexample = {"point": {"x": str(mismatched[0])}} if mismatched else None
    arrows = label.split()[-1].replace("-", r" \to ")
    named = "N" if outputs == 1 else ", ".join(f"N_{k + 1}" for k in range(outputs))
    return exact_proof(
        f"{label}: pieces match the network at {len(probes)} points",
        ok,
        "exact rational arithmetic",
        steps,
        counterexample,
        latex=rf"the {label.split()[0]} network ${arrows}$ with random rational weights "
        rf"computes ${named}$; its pieces are continuous at every breakpoint and equal the network at every "
        rf"breakpoint, midpoint and 30 random points ({len(probes)} in all)",
    )


@theorem(
    "relu_network_piecewise_linear",
    SECTION,
    "A network of ReLU or pReLU layers with a final affine layer is continuous and piecewise linear; on a 1-D input "
    "its pieces and breakpoints are found exactly and match the network",
    r"N(x) = a_k x + c_k \text{ for } x \in [t_{k-1}, t_k], \quad a_k t_k + c_k = a_{k+1} t_k + c_{k+1}",
    r"Each layer is affine on every interval where no unit changes sign, and $\max(z, 0)$ is continuous, so "
    "composing them keeps the function continuous and piecewise affine.",
    prose=r"A network $N$ of ReLU or pReLU layers with a final affine layer is continuous and piecewise linear; "
    "on a one-dimensional input its pieces and breakpoints are found exactly and match the network",
    activations=("relu", "prelu", "leaky_relu"),
    checked=True,
)
def _relu_pieces():
    rng = random.Random(11)
    proofs = []
    for shapes, slope, label in (
        ([1, 5, 4, 1], 0, "ReLU 1-5-4-1"),
        ([1, 6, 3, 2], sp.Rational(1, 4), "pReLU(1/4) 1-6-3-2"),
        ([1, 3, 3, 3, 1], sp.Rational(-1, 2), "pReLU(-1/2) 1-3-3-3-1"),
    ):
        Ws = [rational_matrix(rng, a, c) for a, c in zip(shapes, shapes[1:])]
        bs = [rational_matrix(rng, 1, c) for c in shapes[1:]]
        proofs.append(_pieces_match(Ws, bs, slope, label, rng))
    # float weights (as from training) are converted exactly and agree with the float network
    nrng = np.random.default_rng(3)
    Ws = [nrng.normal(size=s) for s in [(1, 8), (8, 8), (8, 1)]]
    bs = [nrng.normal(size=s) for s in [8, 8, 1]]
    pieces = linear_pieces(Ws, bs)
    grid = np.linspace(-4, 4, 41)
    got = np.array([float(evaluate_pieces(pieces, float(t))) for t in grid])
    want = forward(Ws, bs, grid[:, None])[:, 0]
    ok = check_continuity(pieces) and np.allclose(got, want, rtol=1e-12, atol=1e-12)
    proofs.append(
        exact_proof(
            f"float network: {len(pieces)} exact pieces agree with NumPy to 1e-12",
            ok,
            "exact conversion of floats",
            latex=rf"a ReLU network $1 \to 8 \to 8 \to 1$ with float weights, converted exactly: its {len(pieces)} "
            r"pieces are continuous and agree with the float network to $10^{-12}$ at 41 points",
            basis=FLOAT,
        )
    )
    return proofs


THEOREMS: tuple[Theorem, ...] = (_relu_pieces,)
