"""The chapter's theorems as data: statement, a sentence of explanation, LaTeX, and a check returning a Proof.

``proofs/`` runs each theorem as one pytest test; ``symact check`` and ``symact notes`` use the same
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
from dataclasses import dataclass

import numpy as np
import sympy as sp

from .catalog import get as get_activation
from .catalog import x
from .derive import derive
from .errors import UnknownActivation
from .functions import expand_named, sigmoid
from .linear import (
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
from .prove import PROVED, REFUTED, UNKNOWN, Evidence, Proof, Step, prove, prove_bound, prove_limit

__all__ = ["Theorem", "THEOREMS", "SECTIONS", "get", "section", "run_all"]

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
    """One statement of the chapter, with the check that proves (or refutes) it."""

    name: str
    section: str
    statement: str
    explanation: str
    check: Callable[[], Proof | list[Proof]]
    latex: str

    def run(self) -> Proof:
        """Run the check; several proofs combine into one (proved only if every part is)."""
        result = self.check()
        if isinstance(result, Proof):
            return result
        return _combine(self.statement, list(result))

    def __repr__(self) -> str:
        return f"Theorem({self.name!r}: {self.statement})"


THEOREMS: list[Theorem] = []


def theorem(name: str, section: str, statement: str, latex: str, explanation: str):
    def register(check: Callable) -> Callable:
        THEOREMS.append(Theorem(name, section, statement, explanation, check, latex))
        return check

    return register


def get(name: str) -> Theorem:
    """The theorem called ``name``."""
    for t in THEOREMS:
        if t.name == name:
            return t
    raise UnknownActivation(name, [t.name for t in THEOREMS])


def section(key: str) -> list[Theorem]:
    """The theorems of one section, in order."""
    if key not in SECTIONS:
        raise UnknownActivation(key, SECTIONS)
    return [t for t in THEOREMS if t.section == key]


def run_all() -> list[tuple[Theorem, Proof]]:
    """Every theorem with its proof, in order."""
    return [(t, t.run()) for t in THEOREMS]


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


def _exact(statement: str, ok: bool, method: str, steps=(), counterexample=None, **details) -> Proof:
    """A proof by exact computation (rational arithmetic or symbolic zero)."""
    return Proof(
        statement,
        PROVED if ok else REFUTED,
        method,
        tuple(steps),
        None if ok else counterexample,
        None,
        None,
        None,
        details,
    )


def _rational_matrix(rng: random.Random, rows: int, cols: int, denominator: int = 4) -> sp.Matrix:
    return sp.Matrix(rows, cols, lambda i, j: sp.Rational(rng.randint(-9, 9), denominator))


# ---- Exercise 1: linear depth ----------------------------------------------------------------------


@theorem(
    "affine_collapse",
    "linear",
    "L affine layers with no activation between them are one affine layer: W = W1 W2 ... WL, "
    "b = (...(b1 W2 + b2) W3 ...) + bL",
    r"(\cdots((X W_1 + b_1) W_2 + b_2) \cdots) W_L + b_L = X (W_1 \cdots W_L) + (\cdots(b_1 W_2 + b_2) \cdots) W_L + b_L",
    "Matrix products are associative and distribute over sums, so stacking affine maps only ever gives another affine map.",
)
def _affine_collapse():
    proofs = []
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
        steps = [
            Step(lhs, f"{L} affine layers (1 is a column of ones)"),
            Step(expanded, "distribute"),
            Step(rhs, "group into W and b"),
        ]
        proofs.append(_exact(f"collapse of {L} layers", ok, "matrix algebra with symbolic shapes", steps))
    # concrete shapes, exact rationals: the library's collapse against running the layers
    rng = random.Random(5)
    for shapes in ([3, 4, 2], [2, 5, 3, 4], [4, 1, 4], [3, 3, 3, 3, 2]):
        Ws = [_rational_matrix(rng, a, c) for a, c in zip(shapes, shapes[1:])]
        bs = [_rational_matrix(rng, 1, c) for c in shapes[1:]]
        X = _rational_matrix(rng, 6, shapes[0])
        H = X
        for W, b in zip(Ws, bs):
            H = H * W + sp.ones(6, 1) * b
        W, b = collapse(Ws, bs)
        ok = H == X * W + sp.ones(6, 1) * b
        proofs.append(_exact(f"collapse on shapes {shapes}", ok, "exact rational arithmetic"))
    return proofs


@theorem(
    "rank_bottleneck",
    "linear",
    "rank(W1 W2) <= min(rank W1, rank W2); a width-1 bottleneck makes a 3 -> 1 -> 3 linear network unable to "
    "express the identity on R^3, which one 3 x 3 layer expresses",
    r"\operatorname{rank}(W_1 W_2) \le \min(\operatorname{rank} W_1, \operatorname{rank} W_2), \quad "
    r"\operatorname{rank}(W_1 W_2) \le 1 < 3 = \operatorname{rank} I_3 \text{ for } W_1 \in \mathbb{R}^{3\times 1}",
    "The columns of W1 W2 are combinations of W1's columns and its rows of W2's rows; a narrow layer caps both.",
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
    steps = [
        Step(P, "W1 W2 for generic W1 (3 x 1) and W2 (1 x 3)"),
        Step(sp.Matrix(3, 3, [sp.expand(m) for m in minors]), "every 2 x 2 minor expands to 0: rank <= 1"),
        Step(sp.eye(3), "the identity has rank 3, so no such W1 W2 equals it"),
    ]
    proofs = [
        _exact(
            "bottleneck: rank(W1 W2) <= 1 < rank(I3)",
            zero and sp.eye(3).rank() == 3,
            "all 2 x 2 minors vanish symbolically",
            steps,
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
        )
    )
    return proofs


# ---- Exercise 2: pReLU ------------------------------------------------------------------------------


@theorem(
    "prelu_derivative",
    "prelu",
    "pReLU(x) = max(0, x) + alpha min(0, x) has derivative 1 for x > 0 and alpha for x < 0; at 0 the one-sided "
    "derivatives are alpha and 1, so it is differentiable there only when alpha = 1; PyTorch takes alpha",
    r"\operatorname{pReLU}'(x) = \begin{cases} 1 & x > 0 \\ \alpha & x < 0 \end{cases}, \quad "
    r"\partial_-(0) = \alpha,\ \partial_+(0) = 1",
    "Each side of 0 is a straight line; the two slopes agree only when the line does not bend, alpha = 1.",
)
def _prelu_derivative():
    entry = get_activation("prelu")
    f = entry.expr
    alpha = entry.params[0]
    t = sp.Symbol("t", positive=True)
    right = sp.limit((f.subs(x, t) - f.subs(x, 0)) / t, t, 0, "+")
    left = sp.limit((f.subs(x, -t) - f.subs(x, 0)) / (-t), t, 0, "+")
    d = derive("prelu")
    proofs = [
        prove(d.df, sp.Piecewise((alpha, x <= 0), (1, True))),
    ]
    solutions = sp.solve(sp.Eq(left, right), alpha)
    steps = [
        Step(right, "right derivative: lim (f(t) - f(0))/t, t -> 0+"),
        Step(left, "left derivative: lim (f(-t) - f(0))/(-t), t -> 0+"),
        Step(sp.FiniteSet(*solutions), "the sides agree exactly for these alpha"),
    ]
    ok = right == 1 and left == alpha and solutions == [1] and d.kinks[0].value == alpha
    proofs.append(_exact("one-sided derivatives at 0", ok, "one-sided limits", steps))
    return proofs


# ---- Exercise 3: Swish -------------------------------------------------------------------------------


@theorem(
    "swish_derivative",
    "swish",
    "d/dx x sigmoid(beta x) = sigmoid(beta x) + beta x sigmoid(beta x)(1 - sigmoid(beta x))",
    r"\frac{d}{dx}\, x\,\sigma(\beta x) = \sigma(\beta x) + \beta x\, \sigma(\beta x)\,(1 - \sigma(\beta x))",
    "The product rule with the chain rule and sigmoid' = sigmoid (1 - sigmoid).",
)
def _swish_derivative():
    textbook = "sigmoid(beta*x) + beta*x*sigmoid(beta*x)*(1 - sigmoid(beta*x))"
    from_definition = sp.diff(x / (1 + sp.exp(-get_activation("swish").params[0] * x)), x)
    return [
        prove(derive("swish").df, textbook, beta="positive"),
        prove(from_definition, textbook, beta="positive"),
    ]


@theorem(
    "swish_limits",
    "swish",
    "Swish tends to relu(x) as beta -> oo (for x != 0) and to x/2 as beta -> 0",
    r"\lim_{\beta\to\infty} x\,\sigma(\beta x) = \max(0, x)\ (x \ne 0), \quad \lim_{\beta\to 0} x\,\sigma(\beta x) = x/2",
    "As beta grows the gate sigmoid(beta x) becomes a step at 0; as it shrinks the gate is 1/2 everywhere.",
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
    if isinstance(pieces[0].slope, tuple):
        shown = sp.Matrix([[sp.Integer(len(pieces))]])
    else:
        branches = [(p.slope * x + p.intercept, x < p.end) for p in pieces[:-1]]
        shown = sp.Piecewise(*branches, (pieces[-1].slope * x + pieces[-1].intercept, True))
    steps = [
        Step(shown, f"{label}: {len(pieces)} exact pieces"),
        Step(
            shown,
            "continuous at every breakpoint; equal to the network at every breakpoint, midpoint and 30 random points",
        ),
    ]
    counterexample = {"point": {"x": str(mismatched[0])}} if mismatched else None
    return _exact(
        f"{label}: pieces match the network at {len(probes)} points",
        ok,
        "exact rational arithmetic",
        steps,
        counterexample,
    )


@theorem(
    "relu_network_piecewise_linear",
    "pieces",
    "A network of ReLU or pReLU layers with a final affine layer is continuous and piecewise linear; on a 1-D input "
    "its pieces and breakpoints are found exactly and match the network",
    r"f(x) = a_k x + c_k \text{ for } x \in [t_{k-1}, t_k], \quad a_k t_k + c_k = a_{k+1} t_k + c_{k+1}",
    "Each layer is affine on every interval where no unit changes sign, and max(z, 0) is continuous, so "
    "composing them keeps the function continuous and piecewise affine.",
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
        _exact(f"float network: {len(pieces)} exact pieces agree with NumPy to 1e-12", ok, "exact conversion of floats")
    )
    return proofs


# ---- Exercise 5: tanh and sigmoid --------------------------------------------------------------------


@theorem(
    "tanh_plus_one",
    "tanh_sigmoid",
    "tanh(x) + 1 = 2 sigmoid(2x), equivalently sigmoid(x) = (tanh(x/2) + 1)/2",
    r"\tanh(x) + 1 = 2\sigma(2x), \qquad \sigma(x) = \tfrac{1}{2}(\tanh(x/2) + 1)",
    "Both sides are the same rational function of exp(2x); SymPy's simplify alone misses it, rewriting to exp does not.",
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
)
def _tanh_sigmoid_networks():
    proofs = []
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
                proofs.append(
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
    proofs.append(
        _exact(
            f"random networks agree in both directions, max difference {worst:.1e}",
            worst < 1e-12,
            "float64 check to 1e-12",
            max_difference=worst,
        )
    )
    return proofs


# ---- Exercise 6: batch normalisation -----------------------------------------------------------------


@theorem(
    "batch_norm_couples_examples",
    "batch_norm",
    "Batch normalisation makes y_1 depend on x_2 (a non-zero cross-example Jacobian), unlike an elementwise "
    "activation, whose Jacobian is diagonal; and its training output differs from its evaluation output",
    r"\frac{\partial y_1}{\partial x_2} \ne 0 \text{ for } y_i = \frac{x_i - \mu_B}{\sqrt{\sigma_B^2 + \epsilon}}, "
    r"\quad \frac{\partial \sigma(x_1)}{\partial x_2} = 0",
    "The batch mean and variance mix every example into every output; an elementwise function sees only its own input.",
)
def _batch_norm():
    J, xs = batch_norm_jacobian(3)
    point = dict(zip(xs, (sp.Integer(1), sp.Integer(2), sp.Integer(4))))
    cross = sp.nsimplify(sp.simplify(J[0, 1].subs(point)))
    elementwise = sp.Matrix(3, 3, lambda i, j: sp.diff(sigmoid(xs[i]), xs[j]))
    off_diagonal_zero = all(elementwise[i, j] == 0 for i in range(3) for j in range(3) if i != j)
    steps = [
        Step(J[0, 1], "d y1 / d x2 for a batch of three"),
        Step(cross, "at x = (1, 2, 4): exactly non-zero"),
        Step(elementwise, "the Jacobian of elementwise sigmoid is diagonal"),
    ]
    proofs = [
        _exact("cross-example Jacobian", cross != 0 and cross.is_number and off_diagonal_zero, "exact witness", steps)
    ]
    # the same example in two batches, and in training versus evaluation mode
    in_one = batch_norm([1, 2, 4])[0]
    in_other = batch_norm([1, 10, 20])[0]
    eval_mode = (sp.Integer(1) - 0) / sp.sqrt(1 + sp.Rational(1, 10**5))  # running mean 0, running variance 1
    ok = sp.simplify(in_one - in_other) != 0 and sp.simplify(in_one - eval_mode) != 0
    steps = [
        Step(in_one, "x = 1 in the batch (1, 2, 4)"),
        Step(in_other, "x = 1 in the batch (1, 10, 20)"),
        Step(eval_mode, "x = 1 in evaluation mode"),
    ]
    proofs.append(_exact("train/eval mismatch", ok, "exact values", steps))
    return proofs


# ---- Exercise 7: vanishing gradients -----------------------------------------------------------------


@theorem(
    "sigmoid_derivative_bound",
    "vanishing",
    "sigmoid'(x) <= 1/4 for all real x, with equality only at x = 0",
    r"\sigma'(x) \le \tfrac14, \quad \sigma'(x) = \tfrac14 \iff x = 0",
    "With s = exp(x), 1/4 - sigma' = (s - 1)^2 / (4 (s + 1)^2), a square that vanishes only at s = 1.",
)
def _sigmoid_bound():
    return prove_bound("diff(sigmoid(x), x)", upper="1/4", equality_at=[0])


@theorem(
    "sigmoid_derivative_at_10",
    "vanishing",
    "sigmoid'(10) is about 4.5e-5: 4.5e-5 < sigmoid'(10) < 4.6e-5",
    r"4.5\cdot 10^{-5} < \sigma'(10) = \frac{e^{-10}}{(1 + e^{-10})^2} < 4.6 \cdot 10^{-5}",
    "Far from 0 the sigmoid is flat, so almost no gradient passes through it.",
)
def _sigmoid_at_10():
    value = sp.diff(sigmoid(x), x).subs(x, 10)
    exact = expand_named(value)
    low, high = sp.Rational(45, 10**6), sp.Rational(46, 10**6)
    ok = bool(sp.Lt(low, exact)) and bool(sp.Lt(exact, high))
    steps = [
        Step(value, "sigma'(10)"),
        Step(exact, "exact value"),
        Step(sp.Float(sp.N(exact, 20), 20), "certified comparison with 4.5e-5 and 4.6e-5"),
    ]
    return _exact("4.5e-5 < sigmoid'(10) < 4.6e-5", ok, "exact comparison", steps)


@theorem(
    "sigmoid_gradient_through_layers",
    "vanishing",
    "Through L sigmoid layers the gradient is a product of L factors sigmoid'(z_l) <= 1/4 and the weights, so "
    "|d out / d x| <= (1/4)^L prod |w_l| (for matrices, (1/4)^L prod ||W_l||_2)",
    r"\Big|\frac{\partial h_L}{\partial x}\Big| = \prod_{l=1}^{L} |w_l|\, \sigma'(z_l) \le 4^{-L} \prod_{l=1}^{L} |w_l|",
    "The chain rule multiplies one sigmoid' per layer, each at most 1/4, so the gradient shrinks geometrically with depth.",
)
def _gradient_through_layers():
    w = sp.symbols("w1:4", real=True)
    z1 = w[0] * x
    z2 = w[1] * sigmoid(z1)
    z3 = w[2] * sigmoid(z2)
    out = sigmoid(z3)
    product = w[0] * w[1] * w[2] * sp.Mul(*[sigmoid(z) * (1 - sigmoid(z)) for z in (z1, z2, z3)])
    proofs = [prove(sp.diff(out, x), product), prove_bound("diff(sigmoid(x), x)", upper="1/4")]
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
    proofs.append(_exact("random 5-wide sigmoid stacks: ||J||_2 <= (1/4)^L prod ||W_l||_2", bool(ok), "float64 check"))
    return proofs


# ---- the chapter's derivative facts --------------------------------------------------------------


@theorem(
    "sigmoid_derivative",
    "derivatives",
    "sigmoid'(x) = sigmoid(x)(1 - sigmoid(x))",
    r"\frac{d}{dx} \frac{1}{1 + e^{-x}} = \sigma(x)\,(1 - \sigma(x))",
    "Differentiating 1/(1 + exp(-x)) gives exp(-x)/(1 + exp(-x))^2, which factors into sigma (1 - sigma).",
)
def _sigmoid_derivative():
    return prove(sp.diff(1 / (1 + sp.exp(-x)), x), "sigmoid(x)*(1 - sigmoid(x))")


@theorem(
    "tanh_derivative",
    "derivatives",
    "tanh'(x) = 1 - tanh(x)^2 = 4 / (exp(x) + exp(-x))^2, and 0 < tanh'(x) <= 1 with equality only at 0",
    r"\tanh'(x) = 1 - \tanh^2(x) = \frac{4}{(e^{x} + e^{-x})^2} \in (0, 1]",
    "The quotient rule on (e^x - e^-x)/(e^x + e^-x); the square (e^x - e^-x)^2 is what 1 - tanh'(x) measures.",
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
    r"\operatorname{ReLU}'(x) = \begin{cases} 0 & x < 0 \\ 1 & x > 0 \end{cases}, \quad \partial_-(0) = 0,\ \partial_+(0) = 1",
    "ReLU is not differentiable at 0; the value used there is a convention, and the frameworks agree on 0.",
)
def _relu_at_zero():
    f = get_activation("relu").expr
    t = sp.Symbol("t", positive=True)
    right = sp.limit((f.subs(x, t) - f.subs(x, 0)) / t, t, 0, "+")
    left = sp.limit((f.subs(x, -t) - f.subs(x, 0)) / (-t), t, 0, "+")
    torch_value = derive("relu", kink="torch").kinks[0].value
    jax_value = derive("relu", kink="jax").kinks[0].value
    steps = [
        Step(left, "left derivative at 0"),
        Step(right, "right derivative at 0"),
        Step(torch_value, "PyTorch's and JAX's value at 0"),
    ]
    ok = (left, right, torch_value, jax_value) == (0, 1, 0, 0) and sp.Heaviside(0) == sp.Rational(1, 2)
    return [
        prove(derive("relu").df, sp.Piecewise((0, x <= 0), (1, True))),
        _exact("relu at 0", ok, "one-sided limits", steps),
    ]


@theorem(
    "softmax_cross_entropy_gradient",
    "derivatives",
    "For p = softmax(o) and a one-hot (or any probability) target y, d/do_j of -sum_i y_i log p_i is p_j - y_j",
    r"\frac{\partial}{\partial o_j} \Big(-\sum_i y_i \log \operatorname{softmax}(o)_i\Big) = \operatorname{softmax}(o)_j - y_j",
    "log softmax(o)_i = o_i - log sum_k exp(o_k); its derivative times y, summed with sum y = 1, leaves p_j - y_j.",
)
def _softmax_ce():
    n = 3
    o = sp.symbols(f"x1:{n + 1}", real=True)
    y = list(sp.symbols(f"y1:{n}", real=True))
    y.append(1 - sum(y))
    log_p = get_activation("log_softmax").build(n)
    p = get_activation("softmax").build(n)
    loss = -sum(yi * lp for yi, lp in zip(y, log_p))
    return [prove(sp.diff(loss, o[j]), p[j] - y[j]) for j in range(n)]


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
)
def _analytic_vs_numerical():
    import mpmath

    from .catalog import CATALOG
    from .testing import autodiff, check_derivative, mp_function

    proofs = []
    for name in _AD_CHECKED:
        d = derive(name)
        entry = get_activation(name)
        positive = {p.name: "positive" for p in entry.params}
        p = prove(d.df, sp.diff(expand_named(entry.expr), x), **positive)
        check = check_derivative(name)
        status = p.status if check.ok else REFUTED
        proofs.append(
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
            analytic = mp_function(df)
            for t in ("-7.3", "-2.45", "-0.61", "0.37", "1.83", "4.4", "9.2"):
                point = mpmath.mpf(t)
                _, automatic = autodiff(f, point)
                want = analytic(point)
                checked += 1
                if abs(automatic - want) > mpmath.mpf("1e-25") * (1 + abs(want)):
                    disagreements.append((name, t, mpmath.nstr(automatic, 20), mpmath.nstr(want, 20)))
    steps = [Step(sp.Integer(checked), "points where f' from derive agrees with forward-mode autodiff at 30 digits")]
    ce = (
        {
            "point": {"activation": disagreements[0][0], "x": disagreements[0][1]},
            "lhs": disagreements[0][2],
            "rhs": disagreements[0][3],
        }
        if disagreements
        else None
    )
    proofs.append(
        _exact(
            f"autodiff agrees with the analytic f' of all {len(CATALOG)} catalog activations",
            not disagreements,
            "forward-mode automatic differentiation",
            steps,
            ce,
        )
    )
    return proofs


# ---- the newer revision: XOR and depth ----------------------------------------------------------


@theorem(
    "xor_two_relu_units",
    "newer",
    "XOR is computed exactly by relu(x1 + x2) - 2 relu(x1 + x2 - 1), a network with two hidden ReLU units",
    r"\operatorname{XOR}(x_1, x_2) = \max(0, x_1 + x_2) - 2\max(0, x_1 + x_2 - 1) \text{ on } \{0,1\}^2",
    "The first unit counts the ones; the second subtracts twice the excess over one.",
)
def _xor_two():
    Ws, bs = XOR_WEIGHTS
    table = {(0, 0): 0, (0, 1): 1, (1, 0): 1, (1, 1): 0}
    got = {}
    for a, c in table:
        H = (sp.Matrix([[a, c]]) * Ws[0] + bs[0]).applyfunc(lambda z: sp.Max(0, z))
        got[(a, c)] = (H * Ws[1] + bs[1])[0]
    steps = [Step(sp.Matrix([[got[k] for k in table]]), "outputs on (0,0), (0,1), (1,0), (1,1)")]
    return _exact("XOR with two ReLU units", got == table, "exact evaluation", steps)


@theorem(
    "xor_one_relu_unit_impossible",
    "newer",
    "No network with a single hidden ReLU unit, a relu(w . x + c) + d, computes XOR on {0,1}^2",
    r"\nexists\, a, w, c, d:\ a \max(0, w^\top x + c) + d = \operatorname{XOR}(x) \ \forall x \in \{0,1\}^2",
    "The output is a monotone function of one affine g, and g(0,0) + g(1,1) = g(0,1) + g(1,0) forbids both "
    "(0,1) and (1,0) to lie strictly above both (0,0) and (1,1).",
)
def _xor_one():
    w1, w2, c = sp.symbols("w1 w2 c", real=True)

    def g(p, q):
        return w1 * p + w2 * q + c

    balance = sp.expand(g(0, 0) + g(1, 1) - g(0, 1) - g(1, 0))
    steps = [
        Step(
            sp.Symbol("a") * sp.Max(0, g(sp.Symbol("p"), sp.Symbol("q"))) + sp.Symbol("d"),
            "one hidden unit: phi(g) with phi(u) = a max(0, u) + d monotone",
        ),
        Step(balance, "g(0,0) + g(1,1) - g(0,1) - g(1,0) expands to 0"),
        Step(
            sp.Symbol("contradiction"),
            "XOR needs phi(g01), phi(g10) > phi(g00), phi(g11); phi monotone gives g01, g10 "
            "on the same strict side of g00 and g11, so g01 + g10 != g00 + g11",
        ),
    ]
    # Farkas-style certificate: for nondecreasing phi, XOR needs g01 - g00 > 0 and g10 - g11 > 0, whose sum
    # is identically 0; for nonincreasing phi the same two differences must be < 0; a = 0 gives a constant.
    certificate = sp.expand((g(0, 1) - g(0, 0)) + (g(1, 0) - g(1, 1)))
    steps.append(
        Step(certificate, "(g01 - g00) + (g10 - g11): a sum of two strictly positive (or negative) terms is 0")
    )
    orderings_ok = certificate == 0
    return _exact(
        "XOR with one ReLU unit is impossible", balance == 0 and orderings_ok, "monotone composition argument", steps
    )


@theorem(
    "depth_multiplies_pieces",
    "newer",
    "Composing k tent maps t(x) = 2 relu(x) - 4 relu(x - 1/2), each two ReLUs, gives 2^k linear pieces on [0, 1]",
    r"\#\text{pieces}(t^{\circ k}|_{[0,1]}) = 2^k \text{ with } 2k \text{ ReLU units}",
    "Each tent folds [0, 1] onto itself twice, so every fold doubles the pieces while the width stays two.",
)
def _tent_maps():
    proofs = []
    for k in range(1, 7):
        pieces = [p for p in linear_pieces(*tent_network(k)) if p.start < 1 and p.end > 0]
        slopes = {abs(p.slope) for p in pieces}
        ok = len(pieces) == 2**k and slopes == {2**k}
        proofs.append(
            _exact(
                f"k = {k}: {len(pieces)} pieces on [0, 1]",
                ok,
                "exact linear pieces",
                [Step(sp.Integer(len(pieces)), f"pieces of {k} composed tents")],
            )
        )
    return proofs


@theorem(
    "swiglu_gradient",
    "newer",
    "SwiGLU(a, b) = swish(a) b, the gated unit of the newer revision, has d/da = b (sigmoid(a) + a sigmoid(a)(1 - sigmoid(a))) "
    "and d/db = swish(a); with beta, d/da swish_beta(a) b = b (sigmoid(beta a) + beta a sigmoid(beta a)(1 - sigmoid(beta a)))",
    r"\frac{\partial}{\partial a}\, a\,\sigma(\beta a)\, b = b\,\big(\sigma(\beta a) + \beta a\, \sigma(\beta a)(1 - \sigma(\beta a))\big), "
    r"\quad \frac{\partial}{\partial b}\, a\,\sigma(\beta a)\, b = a\,\sigma(\beta a)",
    "The gate and the value enter as a product, so each gradient is the other factor times the derivative of its own.",
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
