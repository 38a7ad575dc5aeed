"""Exercise 1 of d2l.ai 5.1: stacked affine layers collapse into one, and a narrow layer caps the rank.

>>> THEOREMS[0].name
'affine_collapse'
"""

from __future__ import annotations

import itertools
import random

import sympy as sp

from symact.chapter.parts import exact_proof, instances_proof, rational_matrix
from symact.chapter.theorem import Theorem, theorem
from symact.linear import collapse
from symact.proof import PROVED, REFUTED, Proof, Step

__all__ = ["SECTION", "TITLE", "THEOREMS"]

SECTION = "linear"
TITLE = "Exercise 1: depth without a nonlinearity adds no expressive power"


@theorem(
    "affine_collapse",
    SECTION,
    "L affine layers with no activation between them are one affine layer: W = W1 W2 ... WL, "
    "b = (...(b1 W2 + b2) W3 ...) + bL",
    r"(\cdots((X W_1 + \mathbf{1} b_1) W_2 + \mathbf{1} b_2) \cdots) W_L + \mathbf{1} b_L = X W + \mathbf{1} b, \\"
    r"W = W_1 W_2 \cdots W_L, \quad b = (\cdots(b_1 W_2 + b_2) W_3 + \cdots) W_L + b_L",
    "Matrix products are associative and distribute over sums, so stacking affine maps only ever gives another "
    "affine map.",
    prose=r"$L$ affine layers with no activation between them are one affine layer ($\mathbf{1}$ is a column of "
    r"ones, $X$ holds one example per row)",
)
def _affine_collapse():
    symbolic = []
    n = sp.Symbol("n", integer=True, positive=True)
    for L in (2, 3, 4, 5):
        dims = sp.symbols(f"d0:{L + 1}", integer=True, positive=True)
        X = sp.MatrixSymbol("X", n, dims[0])
        Ws = [sp.MatrixSymbol(f"W{i + 1}", dims[i], dims[i + 1]) for i in range(L)]
        bs = [sp.MatrixSymbol(f"b{i + 1}", 1, dims[i + 1]) for i in range(L)]
        one = sp.OneMatrix(n, 1)
        lhs = X
        for W, b in zip(Ws, bs):
            lhs = lhs * W + one * b
        W, b = Ws[0], bs[0]
        for Wl, bl in zip(Ws[1:], bs[1:]):
            W, b = W * Wl, b * Wl + bl
        rhs = X * W + one * b
        expanded = sp.expand(lhs)
        ok = sp.expand(lhs - rhs) == sp.ZeroMatrix(n, dims[-1]) or sp.expand(lhs - rhs) == 0
        steps = [Step(lhs, f"{L} affine layers"), Step(expanded, "distribute"), Step(rhs, "group into W and b")]
        symbolic.append(
            Proof(
                f"collapse of {L} layers",
                PROVED if ok else REFUTED,
                "matrix algebra with symbolic shapes",
                tuple(steps),
                lhs=lhs,
                rhs=rhs,
            )
        )
    # concrete shapes, exact rationals: the library's collapse against running the layers
    rng = random.Random(5)
    concrete = []
    for shapes in ([3, 4, 2], [2, 5, 3, 4], [4, 1, 4], [3, 3, 3, 3, 2]):
        Ws = [rational_matrix(rng, a, c) for a, c in zip(shapes, shapes[1:])]
        bs = [rational_matrix(rng, 1, c) for c in shapes[1:]]
        X = rational_matrix(rng, 6, shapes[0])
        H = X
        for W, b in zip(Ws, bs):
            H = H * W + sp.ones(6, 1) * b
        W, b = collapse(Ws, bs)
        ok = H == X * W + sp.ones(6, 1) * b
        concrete.append(exact_proof(f"collapse on shapes {shapes}", ok, "exact rational arithmetic"))
    return [
        instances_proof(
            "collapse of L = 2, 3, 4, 5 layers", r"with symbolic shapes, for $L = 2$", symbolic, r" ($L = 3, 4, 5$)"
        ),
        instances_proof(
            "collapse on concrete shapes",
            r"the library's \texttt{collapse} on four stacks of rational "
            r"matrices, against running the layers",
            concrete,
        ),
    ]


@theorem(
    "rank_bottleneck",
    SECTION,
    "rank(W1 W2) <= min(rank W1, rank W2); a width-1 bottleneck makes a 3 -> 1 -> 3 linear network unable to "
    "express the identity on R^3, which one 3 x 3 layer expresses",
    r"\operatorname{rank}(W_1 W_2) \le \min(\operatorname{rank} W_1, \operatorname{rank} W_2), \\"
    r"\operatorname{rank}(W_1 W_2) \le 1 < 3 = \operatorname{rank} I_3 \text{ for } W_1 \in \mathbb{R}^{3\times 1},"
    r"\ W_2 \in \mathbb{R}^{1\times 3}",
    r"The columns of $W_1 W_2$ are combinations of the columns of $W_1$, and its rows of the rows of $W_2$; "
    "a narrow layer caps both.",
    prose=r"$\operatorname{rank}(W_1 W_2) \le \min(\operatorname{rank} W_1, \operatorname{rank} W_2)$; a width-1 "
    r"bottleneck makes a $3 \to 1 \to 3$ linear network unable to express the identity on $\mathbb{R}^3$, "
    r"which one $3 \times 3$ layer expresses",
)
def _rank_bottleneck():
    a = sp.Matrix(3, 1, sp.symbols("a1:4", real=True))
    c = sp.Matrix(1, 3, sp.symbols("c1:4", real=True))
    P = a * c
    minors = [
        P.extract(list(r), list(k)).det()
        for r in itertools.combinations(range(3), 2)
        for k in itertools.combinations(range(3), 2)
    ]
    zero = all(sp.expand(m) == 0 for m in minors)
    rank = sp.Function("rank")
    steps = [
        Step(sp.Eq(sp.MatMul(a, c, evaluate=False), P, evaluate=False), "the product, entry by entry"),
        Step(
            sp.Eq(sp.Determinant(sp.ImmutableMatrix(P[:2, :2])), 0, evaluate=False),
            "this minor and the other eight $2 \\times 2$ minors expand to 0, so the rank is at most 1",
        ),
        Step(sp.Eq(rank(sp.Identity(3)), 3, evaluate=False), "so no such $W_1 W_2$ equals $I_3$"),
    ]
    proofs = [
        exact_proof(
            "bottleneck: rank(W1 W2) <= 1 < rank(I3)",
            zero and sp.eye(3).rank() == 3,
            "vanishing minors",
            steps,
            latex=r"for $W_1 = (a_1, a_2, a_3)^\top$ and $W_2 = (c_1, c_2, c_3)$, "
            r"$\operatorname{rank}(W_1 W_2) \le 1 < 3 = \operatorname{rank} I_3$",
        )
    ]
    rng = random.Random(7)
    bad = None
    for _ in range(25):
        d, h, o = rng.randint(1, 5), rng.randint(1, 5), rng.randint(1, 5)
        W1 = rational_matrix(rng, d, h, 1)
        W2 = rational_matrix(rng, h, o, 1)
        if rng.random() < 0.3:
            W2[0, :] = W2[min(1, h - 1), :] * 2 if h > 1 else W2[0, :] * 0
        if (W1 * W2).rank() > min(W1.rank(), W2.rank()):
            bad = (W1, W2)
    proofs.append(
        exact_proof(
            "rank(W1 W2) <= min(rank W1, rank W2) on 25 random integer pairs",
            bad is None,
            "exact rank",
            counterexample={"W1": str(bad)} if bad else None,
            latex=r"$\operatorname{rank}(W_1 W_2) \le \min(\operatorname{rank} W_1, \operatorname{rank} W_2)$ "
            "on 25 random integer pairs",
        )
    )
    return proofs


THEOREMS: tuple[Theorem, ...] = (_affine_collapse, _rank_bottleneck)
