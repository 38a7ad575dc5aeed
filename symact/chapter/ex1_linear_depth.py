"""Exercise 1 of d2l.ai 5.1: stacked affine layers collapse into one, and a narrow layer caps the rank.

>>> THEOREMS[0].name
'affine_collapse'
"""

from __future__ import annotations

import itertools

import sympy as sp

from symact.chapter.parts import exact_proof
from symact.chapter.theorem import Theorem, theorem
from symact.proof import CITED, PROVED, REFUTED, SYMBOLIC, Proof, Step

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
    # induction on L: one layer is affine (W = W1, b = b1); if L layers are X W + 1 b, layer L + 1 gives
    # (X W + 1 b) W' + 1 b' = X (W W') + 1 (b W' + b'), the same form with W W' and b W' + b'
    n, d0, d, e = sp.symbols("n d0 d e", integer=True, positive=True)
    X, W, b = sp.MatrixSymbol("X", n, d0), sp.MatrixSymbol("W", d0, d), sp.MatrixSymbol("b", 1, d)
    Wn, bn, one = sp.MatrixSymbol("V", d, e), sp.MatrixSymbol("c", 1, e), sp.OneMatrix(n, 1)
    lhs = (X * W + one * b) * Wn + one * bn
    rhs = X * (W * Wn) + one * (b * Wn + bn)
    ok = sp.expand(lhs - rhs) in (0, sp.ZeroMatrix(n, e))
    steps = [
        Step(lhs, "layer $L + 1$ applied to the collapsed $L$ layers"),
        Step(sp.expand(lhs), "distribute"),
        Step(rhs, r"group: the $L + 1$ layers are one, with weights $W V$ and bias $b V + c$"),
    ]
    step = Proof(
        "induction step: L affine layers collapsed, then one more, collapse again",
        PROVED if ok else REFUTED,
        "matrix algebra with symbolic shapes",
        tuple(steps),
        lhs=lhs,
        rhs=rhs,
        details={
            "latex": r"the induction step from $L$ to $L + 1$ layers, with symbolic shapes: if the first $L$ "
            r"layers are one affine layer $X W + \mathbf{1} b$, the next layer $V, c$ ($V$ of shape $d \times e$) "
            r"keeps that form"
        },
    )
    base = exact_proof(
        "base case: one affine layer is X W1 + 1 b1",
        True,
        "definition",
        latex=r"for $L = 1$ the collapsed layer is the layer itself, $W = W_1$ and $b = b_1$",
        basis=SYMBOLIC,
    )
    return [base, step]


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
            latex=r"for every $W_1 = (a_1, a_2, a_3)^\top$ and $W_2 = (c_1, c_2, c_3)$ (symbolic entries), "
            r"$\operatorname{rank}(W_1 W_2) \le 1 < 3 = \operatorname{rank} I_3$",
            basis=SYMBOLIC,
        )
    ]
    lemma = Proof(
        "rank(W1 W2) <= min(rank W1, rank W2) for matrices of any shapes and ranks",
        PROVED,
        "cited lemma",
        (),
        details={
            "latex": r"$\operatorname{rank}(W_1 W_2) \le \min(\operatorname{rank} W_1, \operatorname{rank} W_2)$ "
            r"for every shape and rank: the column space of $W_1 W_2$ lies in that of $W_1$, its row space in "
            r"that of $W_2$ (a standard lemma of linear algebra, cited)"
        },
        basis=CITED,
    )
    return [lemma, *proofs]


THEOREMS: tuple[Theorem, ...] = (_affine_collapse, _rank_bottleneck)
