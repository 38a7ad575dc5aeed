"""The chapter's theorems as data: statement, a sentence of explanation, LaTeX, and a check returning a Proof.

``proofs/`` runs each theorem as one pytest test; ``symact check`` and ``symact.render.notes`` use the same
objects, so they work from an installed package. Sections follow the seed exercises of d2l.ai 5.1.

>>> [s for s in SECTIONS][:3]
['linear', 'prelu', 'swish']
>>> get('tanh_plus_one').run().status
'proved'
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np
import sympy as sp

from symact.catalog import get as get_activation
from symact.catalog import x
from symact.derivation import derive
from symact.errors import UnknownTheorem
from symact.functions import expand_named, sigmoid
from symact.linear import (
    XOR_WEIGHTS,
    batch_norm,
    batch_norm_jacobian,
    check_continuity,
    collapse,
    evaluate_pieces,
    forward,
    linear_pieces,
    sigmoid_to_tanh,
    tanh_to_sigmoid,
    tent_network,
)
from symact.proof import PROVED, REFUTED, UNKNOWN, Evidence, Proof, Step, prove, prove_bound, prove_limit

__all__ = ["Theorem", "THEOREMS", "SECTIONS", "get", "section", "select", "run_all"]

SECTIONS: dict[str, str] = {
    "linear": "Exercise 1: depth without a nonlinearity adds no expressive power",
    "prelu": "Exercise 2: the derivative of pReLU",
    "swish": "Exercise 3: the derivative of Swish, and its limits in beta",
    "pieces": "Exercise 4: ReLU and pReLU networks are continuous and piecewise linear",
    "tanh_sigmoid": "Exercise 5: tanh and sigmoid networks compute the same functions",
    "batch_norm": "Exercise 6: a nonlinearity over the minibatch couples the examples",
    "vanishing": "Exercise 7: vanishing gradients with sigmoid",
    "derivatives": "The chapter's derivative facts",
    "newer": "From the newer revision: XOR and depth",
}


@dataclass(frozen=True)
class Theorem:
    """One statement of the chapter, with the check that proves (or refutes) it.

    ``statement`` is plain words (for the terminal); ``prose`` the same in LaTeX, ``latex`` its
    formula (``\\\\`` breaks it into lines) and ``explanation`` one LaTeX sentence, for the notes.
    ``activations`` names the catalog activations it concerns; empty for a general fact.
    """

    name: str
    section: str
    statement: str
    explanation: str
    check: Callable[[], Proof | list[Proof]]
    latex: str
    prose: str = ""
    activations: tuple[str, ...] = ()

    def run(self) -> Proof:
        """Run the check; several proofs combine into one (proved only if every part is)."""
        result = self.check()
        if isinstance(result, Proof):
            return result
        return _combine(self.statement, list(result))

    def __repr__(self) -> str:
        return f"Theorem({self.name!r}: {self.statement})"


THEOREMS: list[Theorem] = []


def theorem(name: str, section: str, statement: str, latex: str, explanation: str, prose: str = "", activations=()):
    def register(check: Callable) -> Callable:
        THEOREMS.append(Theorem(name, section, statement, explanation, check, latex, prose, tuple(activations)))
        return check

    return register


def get(name: str) -> Theorem:
    """The theorem called ``name``."""
    for t in THEOREMS:
        if t.name == name:
            return t
    raise UnknownTheorem(name, [t.name for t in THEOREMS])


def section(key: str) -> list[Theorem]:
    """The theorems of one section, in order."""
    if key not in SECTIONS:
        raise UnknownTheorem(key, SECTIONS, "section")
    return [t for t in THEOREMS if t.section == key]


def select(names=None, activations=None) -> list[Theorem]:
    """Theorems by name or section key (``names``), or those concerning ``activations`` plus the general ones.

    With neither, every theorem. Unknown names raise ``UnknownTheorem`` with the closest names.

    >>> [t.name for t in select(['newer'])][:2]
    ['xor_two_relu_units', 'xor_one_relu_unit_impossible']
    >>> 'prelu_derivative' in [t.name for t in select(activations=['relu'])]
    False
    """
    if names is not None:
        known = [t.name for t in THEOREMS]
        chosen = set()
        for name in names:
            if name in SECTIONS:
                chosen.update(t.name for t in section(name))
            elif name in known:
                chosen.add(name)
            else:
                raise UnknownTheorem(name, [*SECTIONS, *known], "theorem or section")
        return [t for t in THEOREMS if t.name in chosen]
    if activations is not None:
        wanted = set(activations)
        return [t for t in THEOREMS if not t.activations or wanted & set(t.activations)]
    return list(THEOREMS)


def run_all(selected=None) -> list[tuple[Theorem, Proof]]:
    """Every theorem (or the ``selected`` ones) with its proof, in order."""
    return [(t, t.run()) for t in (THEOREMS if selected is None else selected)]


def _combine(statement: str, proofs: list[Proof]) -> Proof:
    statuses = {p.status for p in proofs}
    status = REFUTED if REFUTED in statuses else UNKNOWN if UNKNOWN in statuses else PROVED
    steps = tuple(s for p in proofs for s in p.steps)
    bad = next((p for p in proofs if p.status == status and status != PROVED), None)
    points = sum(p.evidence.points for p in proofs if p.evidence)
    worst = max([p.evidence.max_difference for p in proofs if p.evidence] or [0.0])
    evidence = Evidence(points, 50, worst) if points else None
    method = "; ".join(dict.fromkeys(p.method for p in proofs))
    return Proof(
        statement, status, method, steps, bad.counterexample if bad else None, evidence, None, None, {"parts": proofs}
    )


def _instances(statement: str, latex: str, proofs: list[Proof], others: str = "") -> Proof:
    """One part checked on several instances: printed once (the first instance), the others counted."""
    combined = _combine(statement, proofs)
    details = {"instances": proofs, "latex": latex, "others": others}
    return replace(combined, details=details)


def _titled(p: Proof, latex: str) -> Proof:
    """``p`` with the statement the notes print for it (LaTeX words)."""
    return replace(p, details={**p.details, "latex": latex})


def _exact(statement: str, ok: bool, method: str, steps=(), counterexample=None, latex: str = "", **details) -> Proof:
    """A proof by exact computation (rational arithmetic or symbolic zero); ``steps`` are facts (relations)."""
    return Proof(
        statement,
        PROVED if ok else REFUTED,
        method,
        tuple(steps),
        None if ok else counterexample,
        None,
        None,
        None,
        {**details, "latex": latex} if latex else details,
    )


def _sci(value: float) -> str:
    """A float in LaTeX scientific notation, ``$1.2 \\cdot 10^{-15}$``."""
    mantissa, exponent = f"{value:.1e}".split("e")
    return rf"${mantissa} \cdot 10^{{{int(exponent)}}}$" if value else "$0$"


def _rational_matrix(rng: random.Random, rows: int, cols: int, denominator: int = 4) -> sp.Matrix:
    return sp.Matrix(rows, cols, lambda i, j: sp.Rational(rng.randint(-9, 9), denominator))


# ---- Exercise 1: linear depth ----------------------------------------------------------------------


@theorem(
    "affine_collapse",
    "linear",
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
        Ws = [_rational_matrix(rng, a, c) for a, c in zip(shapes, shapes[1:])]
        bs = [_rational_matrix(rng, 1, c) for c in shapes[1:]]
        X = _rational_matrix(rng, 6, shapes[0])
        H = X
        for W, b in zip(Ws, bs):
            H = H * W + sp.ones(6, 1) * b
        W, b = collapse(Ws, bs)
        ok = H == X * W + sp.ones(6, 1) * b
        concrete.append(_exact(f"collapse on shapes {shapes}", ok, "exact rational arithmetic"))
    return [
        _instances(
            "collapse of L = 2, 3, 4, 5 layers", r"with symbolic shapes, for $L = 2$", symbolic, r" ($L = 3, 4, 5$)"
        ),
        _instances(
            "collapse on concrete shapes",
            r"the library's \texttt{collapse} on four stacks of rational "
            r"matrices, against running the layers",
            concrete,
        ),
    ]


@theorem(
    "rank_bottleneck",
    "linear",
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
        _exact(
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
        W1 = _rational_matrix(rng, d, h, 1)
        W2 = _rational_matrix(rng, h, o, 1)
        if rng.random() < 0.3:
            W2[0, :] = W2[min(1, h - 1), :] * 2 if h > 1 else W2[0, :] * 0
        if (W1 * W2).rank() > min(W1.rank(), W2.rank()):
            bad = (W1, W2)
    proofs.append(
        _exact(
            "rank(W1 W2) <= min(rank W1, rank W2) on 25 random integer pairs",
            bad is None,
            "exact rank",
            counterexample={"W1": str(bad)} if bad else None,
            latex=r"$\operatorname{rank}(W_1 W_2) \le \min(\operatorname{rank} W_1, \operatorname{rank} W_2)$ "
            "on 25 random integer pairs",
        )
    )
    return proofs


# ---- Exercise 2: pReLU ------------------------------------------------------------------------------


def _one_sided(name: str, f: sp.Expr, kink: str = "torch") -> tuple[bool, list[Step], dict]:
    """f's branches on each side of 0, their derivatives against symact's f', and the one-sided derivatives at 0."""
    t = sp.Symbol("t", positive=True)
    F = sp.Function(name)
    d = derive(name, kink=kink)
    right_branch, left_branch = f.subs(x, t).subs(t, x), f.subs(x, -t).subs(t, -x)
    right_slope, left_slope = sp.diff(right_branch, x), sp.diff(left_branch, x)
    right = sp.limit((f.subs(x, t) - f.subs(x, 0)) / t, t, 0, "+")
    left = sp.limit((f.subs(x, -t) - f.subs(x, 0)) / (-t), t, 0, "+")
    ok = (
        sp.simplify(d.df.subs(x, t) - right_slope.subs(x, t)) == 0
        and sp.simplify(d.df.subs(x, -t) - left_slope.subs(x, -t)) == 0
    )
    dF = sp.Derivative(F(x), x)
    h = sp.Symbol("h", positive=True)
    steps = [
        Step(sp.Implies(x > 0, sp.Eq(F(x), right_branch)), r"$\max(0, x) = x$, $\min(0, x) = 0$"),
        Step(sp.Implies(x > 0, sp.Eq(dF, right_slope)), "differentiate that branch; symact's $f'$ agrees"),
        Step(sp.Implies(x < 0, sp.Eq(F(x), left_branch)), r"$\max(0, x) = 0$, $\min(0, x) = x$"),
        Step(sp.Implies(x < 0, sp.Eq(dF, left_slope)), "differentiate that branch; symact's $f'$ agrees"),
        Step(sp.Eq(sp.Limit((F(h) - F(0)) / h, h, 0, "+"), right, evaluate=False), "right derivative at 0"),
        Step(sp.Eq(sp.Limit((F(-h) - F(0)) / (-h), h, 0, "+"), left, evaluate=False), "left derivative at 0"),
    ]
    return ok, steps, {"left": left, "right": right, "value": d.kinks[0].value}


@theorem(
    "prelu_derivative",
    "prelu",
    "pReLU(x) = max(0, x) + alpha min(0, x) has derivative 1 for x > 0 and alpha for x < 0; at 0 the one-sided "
    "derivatives are alpha and 1, so it is differentiable there only when alpha = 1; PyTorch takes alpha",
    r"\operatorname{prelu}'(x) = \begin{cases} 1 & x > 0 \\ \alpha & x < 0 \end{cases}, \quad "
    r"\partial_-(0) = \alpha,\ \partial_+(0) = 1",
    r"Each side of 0 is a straight line; the two slopes agree only when the line does not bend, $\alpha = 1$.",
    prose=r"$\operatorname{prelu}(x) = \max(0, x) + \alpha \min(0, x)$ has derivative 1 for $x > 0$ and $\alpha$ "
    r"for $x < 0$; at 0 the one-sided derivatives are $\alpha$ and 1, so it is differentiable there only when "
    r"$\alpha = 1$; PyTorch takes $\alpha$",
    activations=("prelu", "leaky_relu"),
)
def _prelu_derivative():
    entry = get_activation("prelu")
    alpha = entry.params[0]
    ok, steps, sides = _one_sided("prelu", entry.expr)
    solutions = sp.solve(sp.Eq(sides["left"], sides["right"]), alpha)
    steps[-1] = Step(steps[-1].expr, r"left derivative at 0; it equals the right one only for $\alpha = 1$")
    ok = ok and sides["right"] == 1 and sides["left"] == alpha and solutions == [1] and sides["value"] == alpha
    return _exact(
        "derivative of prelu on each side and at 0",
        ok,
        "branches and one-sided limits",
        steps,
        latex=r"the derivative on each side of 0, and the one-sided derivatives at 0",
    )


# ---- Exercise 3: Swish -------------------------------------------------------------------------------


@theorem(
    "swish_derivative",
    "swish",
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
        _titled(
            prove(derive("swish").df, textbook, beta="positive"),
            r"the derivative symact computes for $\operatorname{swish}$ is the formula above, term for term",
        ),
        _titled(
            prove(from_definition, textbook, beta="positive"),
            r"differentiating the definition $x / (1 + e^{-\beta x})$ gives the same formula",
        ),
    ]


@theorem(
    "swish_limits",
    "swish",
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


# ---- Exercise 4: ReLU networks are piecewise linear --------------------------------------------


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
    return _exact(
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
    "pieces",
    "A network of ReLU or pReLU layers with a final affine layer is continuous and piecewise linear; on a 1-D input "
    "its pieces and breakpoints are found exactly and match the network",
    r"N(x) = a_k x + c_k \text{ for } x \in [t_{k-1}, t_k], \quad a_k t_k + c_k = a_{k+1} t_k + c_{k+1}",
    r"Each layer is affine on every interval where no unit changes sign, and $\max(z, 0)$ is continuous, so "
    "composing them keeps the function continuous and piecewise affine.",
    prose=r"A network $N$ of ReLU or pReLU layers with a final affine layer is continuous and piecewise linear; "
    "on a one-dimensional input its pieces and breakpoints are found exactly and match the network",
    activations=("relu", "prelu", "leaky_relu"),
)
def _relu_pieces():
    rng = random.Random(11)
    proofs = []
    for shapes, slope, label in (
        ([1, 5, 4, 1], 0, "ReLU 1-5-4-1"),
        ([1, 6, 3, 2], sp.Rational(1, 4), "pReLU(1/4) 1-6-3-2"),
        ([1, 3, 3, 3, 1], sp.Rational(-1, 2), "pReLU(-1/2) 1-3-3-3-1"),
    ):
        Ws = [_rational_matrix(rng, a, c) for a, c in zip(shapes, shapes[1:])]
        bs = [_rational_matrix(rng, 1, c) for c in shapes[1:]]
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
        _exact(
            f"float network: {len(pieces)} exact pieces agree with NumPy to 1e-12",
            ok,
            "exact conversion of floats",
            latex=rf"a ReLU network $1 \to 8 \to 8 \to 1$ with float weights, converted exactly: its {len(pieces)} "
            r"pieces are continuous and agree with the float network to $10^{-12}$ at 41 points",
        )
    )
    return proofs


# ---- Exercise 5: tanh and sigmoid --------------------------------------------------------------------


@theorem(
    "tanh_plus_one",
    "tanh_sigmoid",
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


def _symbolic_forward(Ws, bs, X, act):
    H = X
    for i, (W, b) in enumerate(zip(Ws, bs)):
        H = H * W + b
        if i < len(Ws) - 1:
            H = H.applyfunc(act)
    return H


@theorem(
    "tanh_sigmoid_networks",
    "tanh_sigmoid",
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
    general = _titled(
        prove("tanh(x)", "2*sigmoid(2*x) - 1"),
        r"$\tanh(z) = 2\sigma(2z) - 1$, the identity behind "
        "every step",
    )
    first = r"$g_1, g_2$ (the previous sigmoid layer, $h = 2g - 1$ the tanh one)"
    return [
        general,
        _instances(
            "the weight maps, unit by unit, on a generic 2-2-2-2 network in both directions",
            r"the weight maps of \texttt{tanh\_to\_sigmoid} and \texttt{sigmoid\_to\_tanh} on a generic "
            r"$2 \to 2 \to 2 \to 2$ network with symbolic weights, one unit at a time; shown: the first unit, in "
            + first,
            units,
            " (every unit of every layer, both directions)",
        ),
        _exact(
            f"random networks agree in both directions, max difference {worst:.1e}",
            worst < 1e-12,
            "float64 check to 1e-12",
            latex=rf"random float networks of three shapes agree in both directions (largest difference "
            rf"{_sci(worst)}, below $10^{{-12}}$)",
            max_difference=worst,
        ),
    ]


# ---- Exercise 6: batch normalisation -----------------------------------------------------------------


@theorem(
    "batch_norm_couples_examples",
    "batch_norm",
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
        _exact(
            "cross-example Jacobian",
            cross != 0 and cross.is_number and off_diagonal_zero,
            "exact witness",
            steps,
            latex=r"for a batch $x_1, x_2, x_3$, $\partial y_1 / \partial x_2 \ne 0$, while "
            r"$\partial \sigma(x_1) / \partial x_2 = 0$",
        )
    ]
    # the same example in two batches, and in training versus evaluation mode
    in_one = batch_norm([1, 2, 4])[0]
    in_other = batch_norm([1, 10, 20])[0]
    eval_mode = (sp.Integer(1) - 0) / sp.sqrt(1 + sp.Rational(1, 10**5))  # running mean 0, running variance 1
    ok = sp.simplify(in_one - in_other) != 0 and sp.simplify(in_one - eval_mode) != 0
    shown = ", ".join(f"${sp.latex(sp.N(v, 6))}$" for v in (in_one, in_other, eval_mode))
    proofs.append(
        _exact(
            "train/eval mismatch",
            ok,
            "exact values",
            latex=rf"the example $x = 1$ is normalised to three different exact values, about {shown}: "
            r"in the batch $(1, 2, 4)$, in the batch $(1, 10, 20)$ and in evaluation mode (running mean "
            r"0, running variance 1)",
        )
    )
    return proofs


# ---- Exercise 7: vanishing gradients -----------------------------------------------------------------


@theorem(
    "sigmoid_derivative_bound",
    "vanishing",
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
    "vanishing",
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
    return _exact("4.5e-5 < sigmoid'(10) < 4.6e-5", ok, "exact comparison", steps)


@theorem(
    "sigmoid_gradient_through_layers",
    "vanishing",
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
        _titled(
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
        _exact(
            "random 5-wide sigmoid stacks: ||J||_2 <= (1/4)^L prod ||W_l||_2",
            bool(ok),
            "float64 check",
            latex=r"$\|J\|_2 \le 4^{-L} \prod_l \|W_l\|_2$ on random sigmoid stacks of width 5 and "
            r"depth $L = 2, 4, 6$",
        )
    )
    return proofs


# ---- the chapter's derivative facts --------------------------------------------------------------


@theorem(
    "sigmoid_derivative",
    "derivatives",
    "sigmoid'(x) = sigmoid(x)(1 - sigmoid(x))",
    r"\frac{d}{dx} \frac{1}{1 + e^{-x}} = \sigma(x)\,(1 - \sigma(x))",
    r"Differentiating $1/(1 + e^{-x})$ gives $e^{-x}/(1 + e^{-x})^2$, which factors into $\sigma (1 - \sigma)$.",
    prose=r"$\sigma'(x) = \sigma(x)(1 - \sigma(x))$",
    activations=("sigmoid",),
)
def _sigmoid_derivative():
    return prove(sp.diff(1 / (1 + sp.exp(-x)), x), "sigmoid(x)*(1 - sigmoid(x))")


@theorem(
    "tanh_derivative",
    "derivatives",
    "tanh'(x) = 1 - tanh(x)^2 = 4 / (exp(x) + exp(-x))^2, and 0 < tanh'(x) <= 1 with equality only at 0",
    r"\tanh'(x) = 1 - \tanh^2(x) = \frac{4}{(e^{x} + e^{-x})^2} \in (0, 1]",
    r"The quotient rule on $(e^x - e^{-x})/(e^x + e^{-x})$; the square $(e^x - e^{-x})^2$ is what "
    r"$1 - \tanh'(x)$ measures.",
    prose=r"$\tanh'(x) = 1 - \tanh^2(x) = 4 / (e^x + e^{-x})^2$, and $0 < \tanh'(x) \le 1$ with equality only at 0",
    activations=("tanh",),
)
def _tanh_derivative():
    definition = (sp.exp(x) - sp.exp(-x)) / (sp.exp(x) + sp.exp(-x))
    return [
        prove(sp.diff(definition, x), "1 - tanh(x)**2"),
        prove("1 - tanh(x)**2", "4/(exp(x) + exp(-x))**2"),
        prove_bound("diff(tanh(x), x)", upper=1, equality_at=[0]),
        prove_bound("diff(tanh(x), x)", lower=0, strict=True),
    ]


@theorem(
    "relu_derivative_at_zero",
    "derivatives",
    "relu'(x) is 0 for x < 0 and 1 for x > 0; at 0 the one-sided derivatives are 0 and 1, and PyTorch and JAX both "
    "take 0 (SymPy's Heaviside(0) is 1/2)",
    r"\operatorname{relu}'(x) = \begin{cases} 0 & x < 0 \\ 1 & x > 0 \end{cases}, \quad \partial_-(0) = 0,\ "
    r"\partial_+(0) = 1",
    "ReLU is not differentiable at 0; the value used there is a convention, and the frameworks agree on 0.",
    prose=r"$\operatorname{relu}'(x)$ is 0 for $x < 0$ and 1 for $x > 0$; at 0 the one-sided derivatives are 0 and "
    r"1, and PyTorch and JAX both take 0 (SymPy's $\operatorname{Heaviside}(0)$ is $\frac12$)",
    activations=("relu",),
)
def _relu_at_zero():
    ok, steps, sides = _one_sided("relu", get_activation("relu").expr)
    jax_value = derive("relu", kink="jax").kinks[0].value
    value = sp.Subs(sp.Derivative(sp.Function("relu")(x), x), x, 0)
    steps.append(Step(sp.Eq(value, sides["value"], evaluate=False), "the value PyTorch and JAX take at 0"))
    ok = ok and (sides["left"], sides["right"], sides["value"], jax_value) == (0, 1, 0, 0)
    ok = ok and sp.Heaviside(0) == sp.Rational(1, 2)
    return _exact(
        "relu on each side of 0 and at 0",
        ok,
        "branches and one-sided limits",
        steps,
        latex="the derivative on each side of 0, the one-sided derivatives at 0 and the frameworks' value",
    )


@theorem(
    "softmax_cross_entropy_gradient",
    "derivatives",
    "For p = softmax(o) and a one-hot (or any probability) target y, d/do_j of -sum_i y_i log p_i is p_j - y_j",
    r"\frac{\partial}{\partial o_j} \Big(-\sum_i y_i \log \operatorname{softmax}(o)_i\Big) = "
    r"\operatorname{softmax}(o)_j - y_j",
    r"$\log \operatorname{softmax}(o)_i = o_i - \log \sum_k e^{o_k}$; its derivative times $y$, summed with "
    r"$\sum_i y_i = 1$, leaves $p_j - y_j$.",
    prose=r"For $p = \operatorname{softmax}(o)$ and a one-hot (or any probability) target $y$, the derivative of "
    r"$-\sum_i y_i \log p_i$ in $o_j$ is $p_j - y_j$",
    activations=("softmax", "log_softmax"),
)
def _softmax_ce():
    n = 3
    o = sp.symbols(f"x1:{n + 1}", real=True)
    y = list(sp.symbols(f"y1:{n}", real=True))
    y.append(1 - sum(y))
    log_p = get_activation("log_softmax").build(n)
    p = get_activation("softmax").build(n)
    loss = -sum(yi * lp for yi, lp in zip(y, log_p))
    proofs = [prove(sp.diff(loss, o[j]), p[j] - y[j]) for j in range(n)]
    return _instances(
        "softmax cross-entropy gradient for j = 1, 2, 3",
        r"for three classes, logits $x_1, x_2, x_3$ and $y_3 = 1 - y_1 - y_2$; shown: $j = 1$",
        proofs,
        r" ($j = 2, 3$)",
    )


_AD_CHECKED = ("sigmoid", "tanh", "softplus", "gelu", "swish", "mish", "elu")


@theorem(
    "analytic_vs_numerical_derivative",
    "derivatives",
    "The analytic derivative symact derives equals the derivative of the elementary definition, agrees with "
    "numerical differentiation of f at 30 digits, and with forward-mode automatic differentiation of every "
    "catalog activation away from its kinks",
    r"f'_{\text{analytic}}(x) = \frac{d}{dx} f_{\text{definition}}(x) \approx \frac{f(x + h) - f(x - h)}{2h}"
    r" = f'_{\text{autodiff}}(x)",
    "Named functions carry their own derivative rules; checking them against the definition, against numbers "
    "and against automatic differentiation catches a wrong rule.",
    prose="The analytic derivative symact derives equals the derivative of the elementary definition, agrees with "
    "numerical differentiation at 30 digits, and with forward-mode automatic differentiation, for every catalog "
    "activation away from its kinks",
    activations=_AD_CHECKED,
)
def _analytic_vs_numerical():
    import mpmath

    from symact.catalog import CATALOG
    from symact.functions import mp_function
    from symact.testing.assertions import autodiff, check_derivative

    analytic = []
    for name in _AD_CHECKED:
        d = derive(name)
        entry = get_activation(name)
        positive = {p.name: "positive" for p in entry.params}
        p = prove(d.df, sp.diff(expand_named(entry.expr), x), **positive)
        check = check_derivative(name)
        status = p.status if check.ok else REFUTED
        analytic.append(
            Proof(
                f"{name}' analytic = d/dx definition; {check}",
                status,
                p.method,
                p.steps,
                p.counterexample,
                p.evidence,
                p.lhs,
                p.rhs,
            )
        )
    # forward-mode automatic differentiation of the definition against the derived f', whole catalog
    disagreements, checked = [], 0
    with mpmath.workdps(30):
        for entry in CATALOG:
            name = entry.name
            f, df = entry.at_defaults(), derive(name).df.subs(entry.defaults)
            analytic_f = mp_function(df)
            for t in ("-7.3", "-2.45", "-0.61", "0.37", "1.83", "4.4", "9.2"):
                point = mpmath.mpf(t)
                _, automatic = autodiff(f, point)
                want = analytic_f(point)
                checked += 1
                if abs(automatic - want) > mpmath.mpf("1e-25") * (1 + abs(want)):
                    disagreements.append((name, t, mpmath.nstr(automatic, 20), mpmath.nstr(want, 20)))
    ce = (
        {
            "point": {"activation": disagreements[0][0], "x": disagreements[0][1]},
            "lhs": disagreements[0][2],
            "rhs": disagreements[0][3],
        }
        if disagreements
        else None
    )
    return [
        _instances(
            "symact's f' equals d/dx of the definition, and numerical differentiation agrees",
            r"symact's $f'$ equals the derivative of the elementary definition and agrees with numerical "
            r"differentiation at 30 digits; shown: $\sigma$",
            analytic,
            " (" + ", ".join(_AD_CHECKED[1:]) + ")",
        ),
        _exact(
            f"autodiff agrees with the analytic f' of all {len(CATALOG)} catalog activations",
            not disagreements,
            "forward-mode automatic differentiation",
            (),
            ce,
            latex=rf"forward-mode automatic differentiation agrees with $f'$ at 30 digits at {checked} points, "
            rf"seven for each of the {len(CATALOG)} catalog activations",
        ),
    ]


# ---- the newer revision: XOR and depth ----------------------------------------------------------


@theorem(
    "xor_two_relu_units",
    "newer",
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
    return _exact(
        "XOR with two ReLU units",
        got == table,
        "exact evaluation",
        steps,
        latex=r"$N$ on $(0,0), (0,1), (1,0), (1,1)$ gives XOR's $0, 1, 1, 0$",
    )


@theorem(
    "xor_one_relu_unit_impossible",
    "newer",
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
    return _exact(
        "XOR with one ReLU unit is impossible",
        balance == 0 and orderings_ok,
        "monotone composition argument",
        steps,
        latex=r"$u \mapsto a \max(0, u) + d$ is monotone, so XOR's $N(0,1), N(1,0) > N(0,0), N(1,1)$ needs "
        r"$g(0,1) - g(0,0)$ and $g(1,0) - g(1,1)$ both positive (or both negative); their sum is 0, a contradiction "
        r"($a = 0$ gives a constant)",
    )


@theorem(
    "depth_multiplies_pieces",
    "newer",
    "Composing k tent maps t(x) = 2 relu(x) - 4 relu(x - 1/2), each two ReLUs, gives 2^k linear pieces on [0, 1]",
    r"\#\text{pieces}(t^{\circ k}|_{[0,1]}) = 2^k \text{ with } 2k \text{ ReLU units}",
    "Each tent folds $[0, 1]$ onto itself twice, so every fold doubles the pieces while the width stays two.",
    prose=r"Composing $k$ tent maps $t(x) = 2 \operatorname{relu}(x) - 4 \operatorname{relu}(x - \frac12)$, each two "
    r"ReLUs, gives $2^k$ linear pieces on $[0, 1]$",
)
def _tent_maps():
    proofs = []
    for k in range(1, 7):
        pieces = [p for p in linear_pieces(*tent_network(k)) if p.start < 1 and p.end > 0]
        slopes = {abs(p.slope) for p in pieces}
        ok = len(pieces) == 2**k and slopes == {2**k}
        proofs.append(_exact(f"k = {k}: {len(pieces)} pieces on [0, 1]", ok, "exact linear pieces"))
    return _instances(
        "k = 1, ..., 6 composed tents",
        r"the exact pieces of $t^{\circ k}$ on $[0, 1]$: $2^k$ pieces, each of slope $\pm 2^k$, for $k = 1$",
        proofs,
        r" ($k = 2, \ldots, 6$)",
    )


@theorem(
    "swiglu_gradient",
    "newer",
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


THEOREMS: tuple[Theorem, ...] = tuple(THEOREMS)  # type: ignore[no-redef]
