"""From the newer revision of d2l.ai 5.1: XOR needs two hidden ReLU units, depth multiplies pieces, SwiGLU.

>>> THEOREMS[0].name
'xor_two_relu_units'
"""

from __future__ import annotations

import sympy as sp

from symact.catalog import x
from symact.chapter.parts import exact_proof
from symact.chapter.theorem import Theorem, theorem
from symact.functions import sigmoid
from symact.linear import XOR_WEIGHTS, linear_pieces, tent_network
from symact.proof import EXACT, SYMBOLIC, Step, prove

__all__ = ["SECTION", "TITLE", "THEOREMS"]

SECTION = "newer"
TITLE = "From the newer revision: XOR and depth"


@theorem(
    "xor_two_relu_units",
    SECTION,
    "XOR is computed exactly by relu(x1 + x2) - 2 relu(x1 + x2 - 1), a network with two hidden ReLU units",
    r"\operatorname{XOR}(x_1, x_2) = \max(0, x_1 + x_2) - 2\max(0, x_1 + x_2 - 1) \text{ on } \{0,1\}^2",
    "The first unit counts the ones; the second subtracts twice the excess over one.",
    prose=r"XOR is computed exactly by $N(x_1, x_2) = \operatorname{relu}(x_1 + x_2) - "
    r"2 \operatorname{relu}(x_1 + x_2 - 1)$, a network with two hidden ReLU units",
)
def _xor_two():
    Ws, bs = XOR_WEIGHTS
    table = {(0, 0): 0, (0, 1): 1, (1, 0): 1, (1, 1): 0}
    got = {}
    for a, c in table:
        H = (sp.Matrix([[a, c]]) * Ws[0] + bs[0]).applyfunc(lambda z: sp.Max(0, z))
        got[(a, c)] = (H * Ws[1] + bs[1])[0]
    N = sp.Function("N")
    outputs = sp.Matrix([[N(*k) for k in table]])
    steps = [Step(sp.Eq(outputs, sp.Matrix([[got[k] for k in table]]), evaluate=False), "exact evaluation")]
    return exact_proof(
        "XOR with two ReLU units",
        got == table,
        "exact evaluation",
        steps,
        latex=r"$N$ on $(0,0), (0,1), (1,0), (1,1)$ gives XOR's $0, 1, 1, 0$",
        basis=EXACT,
    )


@theorem(
    "xor_one_relu_unit_impossible",
    SECTION,
    "No network with a single hidden ReLU unit, a relu(w . x + c) + d, computes XOR on {0,1}^2",
    r"\nexists\, a, w, c, d:\ a \max(0, w^\top x + c) + d = \operatorname{XOR}(x) \ \forall x \in \{0,1\}^2",
    r"The output is a monotone function of one affine $g$, and $g(0,0) + g(1,1) = g(0,1) + g(1,0)$ forbids both "
    r"$(0,1)$ and $(1,0)$ to lie strictly above both $(0,0)$ and $(1,1)$.",
    prose=r"No network with a single hidden ReLU unit, $a \max(0, g(x)) + d$ with $g(x) = w_1 x_1 + w_2 x_2 + c$, "
    r"computes XOR on $\{0, 1\}^2$",
)
def _xor_one():
    w1, w2, c = sp.symbols("w1 w2 c", real=True)

    def g(p, q):
        return w1 * p + w2 * q + c

    balance = sp.expand(g(0, 0) + g(1, 1) - g(0, 1) - g(1, 0))
    # Farkas-style certificate: for nondecreasing phi, XOR needs g01 - g00 > 0 and g10 - g11 > 0, whose sum
    # is identically 0; for nonincreasing phi the same two differences must be < 0; a = 0 gives a constant.
    certificate = sp.expand((g(0, 1) - g(0, 0)) + (g(1, 0) - g(1, 1)))
    written = sp.Add(
        sp.Add(g(0, 1), -g(0, 0), evaluate=False), sp.Add(g(1, 0), -g(1, 1), evaluate=False), evaluate=False
    )
    steps = [
        Step(sp.Eq(written, certificate, evaluate=False), r"$(g(0,1) - g(0,0)) + (g(1,0) - g(1,1))$ expands to 0"),
    ]
    orderings_ok = certificate == 0
    return exact_proof(
        "XOR with one ReLU unit is impossible",
        balance == 0 and orderings_ok,
        "monotone composition argument",
        steps,
        latex=r"$u \mapsto a \max(0, u) + d$ is monotone, so XOR's $N(0,1), N(1,0) > N(0,0), N(1,1)$ needs "
        r"$g(0,1) - g(0,0)$ and $g(1,0) - g(1,1)$ both positive (or both negative); their sum is 0, a contradiction "
        r"($a = 0$ gives a constant)",
        basis=SYMBOLIC,
    )


@theorem(
    "depth_multiplies_pieces",
    SECTION,
    "Composing k tent maps t(x) = 2 relu(x) - 4 relu(x - 1/2), each two ReLUs, gives 2^k linear pieces on [0, 1]",
    r"\#\text{pieces}(t^{\circ k}|_{[0,1]}) = 2^k \text{ with } 2k \text{ ReLU units}",
    "Each tent folds $[0, 1]$ onto itself twice, so every fold doubles the pieces while the width stays two.",
    prose=r"Composing $k$ tent maps $t(x) = 2 \operatorname{relu}(x) - 4 \operatorname{relu}(x - \frac12)$, each two "
    r"ReLUs, gives $2^k$ linear pieces on $[0, 1]$",
)
def _tent_maps():
    # base: t itself, exactly: on [0, 1/2] it is 2x, on [1/2, 1] it is 2 - 2x, each onto [0, 1]
    pieces = [p for p in linear_pieces(*tent_network(1)) if p.start < 1 and p.end > 0]
    halves = [(sp.Integer(0), sp.Rational(1, 2), 2, 0), (sp.Rational(1, 2), sp.Integer(1), -2, 2)]
    found = [(max(p.start, 0), min(p.end, 1), p.slope, p.intercept) for p in pieces]
    base = exact_proof(
        "k = 1: t is 2x on [0, 1/2] and 2 - 2x on [1/2, 1], two pieces of slope +-2, each onto [0, 1]",
        found == halves,
        "exact linear pieces",
        latex=r"$k = 1$: $t(x) = 2x$ on $[0, \frac12]$ and $2 - 2x$ on $[\frac12, 1]$, exactly: two pieces "
        r"of slope $\pm 2$, each mapping its half onto $[0, 1]$",
        basis=EXACT,
    )
    # step: if g = t^k has n pieces of slope +-s on [0, 1], g(t(x)) is g(2x) then g(2 - 2x): each piece
    # [a, b] of slope m pulls back to [a/2, b/2] with slope 2m and to [1 - b/2, 1 - a/2] with slope -2m
    a, b, m, c = sp.symbols("a b m c", real=True)
    left, right = m * (2 * x) + c, m * (2 - 2 * x) + c
    facts = [
        sp.Eq(sp.diff(left, x), 2 * m),
        sp.Eq(sp.diff(right, x), -2 * m),
        sp.Eq(left.subs(x, a / 2), m * a + c),
        sp.Eq(left.subs(x, b / 2), m * b + c),
        sp.Eq(right.subs(x, 1 - b / 2), m * b + c),
        sp.Eq(right.subs(x, 1 - a / 2), m * a + c),
    ]
    step = exact_proof(
        "induction step: t^(k+1) = t^k o t doubles the pieces and the slopes",
        all(f is sp.true for f in facts),
        "induction on k",
        (),
        latex=r"induction step: if $g = t^{\circ k}$ has $n$ pieces of slope $\pm s$ on $[0, 1]$, then "
        r"$g(t(x))$ is $g(2x)$ on $[0, \frac12]$ and $g(2 - 2x)$ on $[\frac12, 1]$; a piece $[a, b]$ of slope "
        r"$m$ pulls back to $[\frac a2, \frac b2]$ with slope $2m$ and to $[1 - \frac b2, 1 - \frac a2]$ with "
        r"slope $-2m$ (checked symbolically); distinct neighbouring slopes stay distinct, and at $\frac12$ the "
        r"slopes $2m$ and $-2m$ differ as $m \ne 0$: $2n$ pieces of slope $\pm 2s$",
        basis=SYMBOLIC,
    )
    return [base, step]


@theorem(
    "swiglu_gradient",
    SECTION,
    "SwiGLU(a, b) = swish(a) b, the gated unit of the newer revision, has d/da = b (sigmoid(a) + a sigmoid(a)"
    "(1 - sigmoid(a))) and d/db = swish(a); with beta, d/da swish_beta(a) b = b (sigmoid(beta a) + beta a "
    "sigmoid(beta a)(1 - sigmoid(beta a)))",
    r"\frac{\partial}{\partial a}\, a\,\sigma(\beta a)\, b = b\,\big(\sigma(\beta a) + \beta a\, \sigma(\beta a)"
    r"(1 - \sigma(\beta a))\big), \\ \frac{\partial}{\partial b}\, a\,\sigma(\beta a)\, b = a\,\sigma(\beta a)",
    "The gate and the value enter as a product, so each gradient is the other factor times the derivative of its own.",
    prose=r"$\operatorname{SwiGLU}(a, b) = \operatorname{swish}_\beta(a)\, b$, the gated unit of the newer revision, "
    r"has the two partial derivatives below",
    activations=("swish", "silu"),
)
def _swiglu():
    a, b = sp.symbols("a b", real=True)
    beta = sp.Symbol("beta", positive=True)
    unit = a * (1 / (1 + sp.exp(-beta * a))) * b  # from the definition of sigmoid, not the named function
    return [
        prove(sp.diff(unit, a), b * (sigmoid(beta * a) + beta * a * sigmoid(beta * a) * (1 - sigmoid(beta * a)))),
        prove(sp.diff(unit, b), a * sigmoid(beta * a)),
    ]


THEOREMS: tuple[Theorem, ...] = (_xor_two, _xor_one, _tent_maps, _swiglu)
