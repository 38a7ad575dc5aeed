"""Matrix and network facts: affine collapse, tanh <-> sigmoid networks, exact linear pieces, batch coupling.

Row-vector convention of d2l: a layer is ``H W + b`` with H of shape (n, d), W (d, h), b (h,) or (1, h).
Functions accept NumPy arrays or SymPy matrices and return the same kind.

>>> import numpy as np
>>> W, b = collapse([np.eye(2), 2 * np.eye(2)], [np.zeros(2), np.ones(2)])
>>> W.tolist(), b.tolist()
([[2.0, 0.0], [0.0, 2.0]], [1.0, 1.0])
>>> [p.slope for p in linear_pieces([[[1, -1]], [[1], [1]]], [[0, 0], [0]])]   # |x| = relu(x) + relu(-x)
[-1, 1]
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import sympy as sp

from symact.errors import DataError, SymactError

__all__ = [
    "collapse",
    "forward",
    "tanh_to_sigmoid",
    "sigmoid_to_tanh",
    "LinearPiece",
    "linear_pieces",
    "evaluate_pieces",
    "check_continuity",
    "batch_norm",
    "batch_norm_jacobian",
    "tent_network",
    "XOR_WEIGHTS",
]


# ---- shapes ------------------------------------------------------------------------------------


def _is_sympy(a) -> bool:
    return isinstance(a, sp.MatrixBase)


def _check_layers(weights: Sequence, biases: Sequence) -> None:
    if len(weights) == 0 or len(weights) != len(biases):
        raise DataError(
            f"need one bias per weight matrix and at least one layer; got {len(weights)} weights, {len(biases)} biases"
        )
    for i, (W, b) in enumerate(zip(weights, biases)):
        shape = W.shape if hasattr(W, "shape") else np.shape(W)
        width = (b.shape[-1] if _is_sympy(b) else np.shape(b)[-1]) if np.ndim(b) or _is_sympy(b) else None
        if len(shape) != 2 or width != shape[1]:
            raise DataError(
                f"layer {i + 1}: weights of shape {tuple(shape)} need a bias of length {shape[-1]}, got {width}"
            )
        if (
            i
            and (weights[i - 1].shape if hasattr(weights[i - 1], "shape") else np.shape(weights[i - 1]))[1] != shape[0]
        ):
            raise DataError(
                f"layer {i + 1}: weights of shape {tuple(shape)} do not follow a layer of width {np.shape(weights[i - 1])[1]}"
            )


def _row_sums(W):
    """1 W: the sum over the rows of W, as a row (what a bias absorbs when every input shifts by 1)."""
    if _is_sympy(W):
        return sp.ones(1, W.shape[0]) * W
    return np.asarray(W).sum(axis=0)


def _like(b, row):
    """``row`` in the shape and kind of the bias ``b``."""
    if _is_sympy(b):
        return sp.Matrix(row).reshape(*b.shape)
    return np.reshape(np.asarray(row, dtype=np.result_type(b, float)), np.shape(b))


def _matmul(a, b):
    return a * b if _is_sympy(a) or _is_sympy(b) else np.asarray(a) @ np.asarray(b)


# ---- affine collapse ---------------------------------------------------------------------------


def collapse(weights: Sequence, biases: Sequence) -> tuple:
    """The single affine layer (W, b) equal to the stack of affine layers, with no activation between.

    W = W1 W2 ... WL and b = (...(b1 W2 + b2) W3 ...) + bL.

    >>> import sympy as sp
    >>> W1, W2 = sp.Matrix([[1, 2]]), sp.Matrix([[3], [4]])
    >>> collapse([W1, W2], [sp.Matrix([[1, 0]]), sp.Matrix([[5]])])
    (Matrix([[11]]), Matrix([[8]]))
    """
    _check_layers(weights, biases)
    W, b = weights[0], biases[0]
    for Wl, bl in zip(weights[1:], biases[1:]):
        W = _matmul(W, Wl)
        b = _like(bl, _matmul(_as_row(b), Wl)) + bl
    return W, b


def _as_row(b):
    return b if _is_sympy(b) and b.shape[0] == 1 else (sp.Matrix(b).T if _is_sympy(b) else np.reshape(b, (1, -1)))


def _activation(name: str, negative_slope=0):
    table = {
        "tanh": np.tanh,
        "sigmoid": lambda z: 0.5 * (1 + np.tanh(0.5 * z)),
        "relu": lambda z: np.maximum(z, 0) + negative_slope * np.minimum(z, 0),
        "identity": lambda z: z,
    }
    if name not in table:
        raise SymactError(f"forward: activation {name!r} is not one of {', '.join(table)}")
    return table[name]


def forward(
    weights: Sequence, biases: Sequence, X: np.ndarray, activation: str = "relu", negative_slope: float = 0.0
) -> np.ndarray:
    """Run a NumPy network: ``activation`` after every layer but the last, which stays affine.

    >>> forward([np.array([[1.0, 1.0]]), np.array([[1.0], [1.0]])], [np.zeros(2), np.zeros(1)], np.array([[-2.0]]))
    array([[0.]])
    """
    _check_layers(weights, biases)
    act = _activation(activation, negative_slope)
    H = np.asarray(X, dtype=float)
    for i, (W, b) in enumerate(zip(weights, biases)):
        H = H @ np.asarray(W, dtype=float) + np.reshape(np.asarray(b, dtype=float), (1, -1))
        if i < len(weights) - 1:
            H = act(H)
    return H


# ---- tanh <-> sigmoid --------------------------------------------------------------------------


def tanh_to_sigmoid(weights: Sequence, biases: Sequence) -> tuple[list, list]:
    """Weights of a sigmoid network computing exactly what the given tanh network computes.

    From tanh(z) = 2 sigmoid(2z) - 1: the tanh layer H = 2G - 1, so each layer after the first
    doubles twice (4 W) and its bias absorbs the shift (2 b - 2 * 1 W); the last, affine
    layer takes 2 W and b - 1 W.

    >>> W, b = tanh_to_sigmoid([np.array([[1.0]]), np.array([[1.0]])], [np.zeros(1), np.zeros(1)])
    >>> [w.tolist() for w in W], [c.tolist() for c in b]
    ([[[2.0]], [[2.0]]], [[0.0], [-1.0]])
    """
    _check_layers(weights, biases)
    last = len(weights) - 1
    new_w, new_b = [], []
    for i, (W, b) in enumerate(zip(weights, biases)):
        if i == 0:
            scale, shift = (2, 2) if last else (1, 1)
            new_w.append(W * scale)
            new_b.append(b * shift)
        elif i < last:
            new_w.append(W * 4)
            new_b.append(b * 2 - _like(b, _row_sums(W) * 2))
        else:
            new_w.append(W * 2)
            new_b.append(b - _like(b, _row_sums(W)))
    return new_w, new_b


def sigmoid_to_tanh(weights: Sequence, biases: Sequence) -> tuple[list, list]:
    """Weights of a tanh network computing exactly what the given sigmoid network computes.

    From sigmoid(z) = (tanh(z/2) + 1)/2: the first layer halves (W/2, b/2), later hidden ones
    take W/4 and b/2 + 1 W/4, the last, affine one W/2 and b + 1 W/2. Inverse of
    ``tanh_to_sigmoid``.

    >>> W, b = sigmoid_to_tanh(*tanh_to_sigmoid([np.array([[3.0]]), np.array([[5.0]])], [np.ones(1), np.ones(1)]))
    >>> [w.tolist() for w in W], [c.tolist() for c in b]
    ([[[3.0]], [[5.0]]], [[1.0], [1.0]])
    """
    _check_layers(weights, biases)
    last = len(weights) - 1
    half, quarter = (sp.Rational(1, 2), sp.Rational(1, 4)) if _is_sympy(weights[0]) else (0.5, 0.25)
    new_w, new_b = [], []
    for i, (W, b) in enumerate(zip(weights, biases)):
        if i == 0:
            scale = half if last else 1
            new_w.append(W * scale)
            new_b.append(b * scale)
        elif i < last:
            new_w.append(W * quarter)
            new_b.append(b * half + _like(b, _row_sums(W) * quarter))
        else:
            new_w.append(W * half)
            new_b.append(b + _like(b, _row_sums(W) * half))
    return new_w, new_b


# ---- exact linear pieces -----------------------------------------------------------------------


@dataclass(frozen=True)
class LinearPiece:
    """On start < x < end the network is ``slope * x + intercept`` (tuples when it has several outputs)."""

    start: sp.Expr
    end: sp.Expr
    slope: sp.Rational | tuple
    intercept: sp.Rational | tuple

    def __call__(self, t):
        t = sp.nsimplify(t, rational=True) if isinstance(t, float) else sp.sympify(t)
        if isinstance(self.slope, tuple):
            return tuple(a * t + c for a, c in zip(self.slope, self.intercept))
        return self.slope * t + self.intercept


def _exact(value) -> sp.Rational:
    if isinstance(value, sp.Basic):
        value = sp.nsimplify(value) if not value.is_Rational else value
        if not value.is_Rational:
            raise DataError(f"linear_pieces needs rational weights, got {value}")
        return value
    if isinstance(value, (float, np.floating)):
        if not np.isfinite(value):
            raise DataError(f"linear_pieces needs finite weights, got {value}")
        return sp.Rational(float(value))  # the float's exact binary value
    return sp.Rational(int(value))


def _exact_matrix(a) -> sp.Matrix:
    if _is_sympy(a):
        return a.applyfunc(_exact)
    arr = np.asarray(a, dtype=object)
    arr = arr.reshape(1, -1) if arr.ndim == 1 else arr
    return sp.Matrix(arr.shape[0], arr.shape[1], [_exact(v) for v in arr.ravel()])


def _sample(start, end) -> sp.Rational:
    if start == -sp.oo and end == sp.oo:
        return sp.Integer(0)
    if start == -sp.oo:
        return end - 1
    if end == sp.oo:
        return start + 1
    return (start + end) / 2


def linear_pieces(weights: Sequence, biases: Sequence, negative_slope: float | sp.Expr = 0) -> list[LinearPiece]:
    """The exact affine pieces of a ReLU (or leaky ReLU / pReLU) network with one input, in rationals.

    Hidden layers apply max(z, 0) + negative_slope * min(z, 0); the last layer is affine. The
    breakpoints are found exactly, pieces with the same map are merged, and continuity is
    checked at every breakpoint (a ``SymactError`` if it failed, which would be a bug).

    >>> pieces = linear_pieces([[[1, 1]], [[2], [-4]]], [[0, -0.5], [0]])     # the tent map
    >>> [(p.start, p.end, p.slope, p.intercept) for p in pieces]
    [(-oo, 0, 0, 0), (0, 1/2, 2, 0), (1/2, oo, -2, 2)]
    """
    _check_layers(
        [np.asarray(W, dtype=object) if not _is_sympy(W) else W for W in weights],
        [np.asarray(b, dtype=object) if not _is_sympy(b) else b for b in biases],
    )
    Ws = [_exact_matrix(W) for W in weights]
    bs = [_exact_matrix(b) for b in biases]
    if Ws[0].shape[0] != 1:
        raise DataError(f"linear_pieces needs a network with one input; the first weights have shape {Ws[0].shape}")
    k = _exact(negative_slope)
    # each piece: (start, end, A, B) with the layer's output A x + B (rows)
    pieces = [(-sp.oo, sp.oo, sp.ones(1, 1), sp.zeros(1, 1))]
    last = len(Ws) - 1
    for i, (W, b) in enumerate(zip(Ws, bs)):
        pieces = [(s, e, A * W, B * W + b) for s, e, A, B in pieces]
        if i == last:
            break
        split = []
        for s, e, A, B in pieces:
            cuts = sorted({-B[j] / A[j] for j in range(A.shape[1]) if A[j] != 0 and s < -B[j] / A[j] < e})
            bounds = [s, *cuts, e]
            for lo, hi in zip(bounds, bounds[1:]):
                t = _sample(lo, hi)
                gate = [1 if A[j] * t + B[j] > 0 else k for j in range(A.shape[1])]
                D = sp.diag(*gate) if len(gate) > 1 else sp.Matrix([[gate[0]]])
                split.append((lo, hi, A * D, B * D))
        pieces = split
    merged: list = []
    for s, e, A, B in pieces:
        if merged and merged[-1][2] == A and merged[-1][3] == B:
            merged[-1] = (merged[-1][0], e, A, B)
        else:
            merged.append((s, e, A, B))
    result = [LinearPiece(s, e, *((A[0], B[0]) if A.shape[1] == 1 else (tuple(A), tuple(B)))) for s, e, A, B in merged]
    if not check_continuity(result):
        raise SymactError("linear_pieces: the pieces jump at a breakpoint; the network is not a ReLU network")
    return result


def check_continuity(pieces: Sequence[LinearPiece]) -> bool:
    """True when neighbouring pieces meet end to end and agree exactly at every breakpoint."""
    for left, right in zip(pieces, pieces[1:]):
        if left.end != right.start or left(left.end) != right(right.start):
            return False
    return True


def evaluate_pieces(pieces: Sequence[LinearPiece], t: float | sp.Expr) -> sp.Expr | tuple:
    """The network's exact output at ``t`` read off its pieces.

    >>> evaluate_pieces(linear_pieces([[[1, 1]], [[2], [-4]]], [[0, -0.5], [0]]), 0.75)
    1/2
    """
    t = sp.nsimplify(t, rational=True) if isinstance(t, float) else sp.sympify(t)
    for piece in pieces:
        if piece.start <= t <= piece.end:
            return piece(t)
    raise DataError(f"no piece contains {t}")


def tent_network(k: int) -> tuple[list, list]:
    """k composed tent maps t(x) = 2 relu(x) - 4 relu(x - 1/2): 2^k linear pieces on [0, 1] from 2k ReLUs.

    >>> len([p for p in linear_pieces(*tent_network(3)) if p.start < 1 and p.end > 0])
    8
    """
    if not isinstance(k, int) or k < 1:
        raise DataError(f"tent_network needs k >= 1 maps, got {k!r}")
    first, later, out = sp.Matrix([[1, 1]]), sp.Matrix([[2, 2], [-4, -4]]), sp.Matrix([[2], [-4]])
    bias = sp.Matrix([[0, -sp.Rational(1, 2)]])
    return [first] + [later] * (k - 1) + [out], [bias] * k + [sp.zeros(1, 1)]


# XOR from two hidden ReLU units: h = relu(x W1 + b1), out = h W2 + b2.
XOR_WEIGHTS = (
    [sp.Matrix([[1, 1], [1, 1]]), sp.Matrix([[1], [-2]])],
    [sp.Matrix([[0, -1]]), sp.Matrix([[0]])],
)


# ---- batch normalisation -----------------------------------------------------------------------


def batch_norm(values: Sequence, eps: float | sp.Expr = sp.Rational(1, 10**5)) -> list:
    """Batch normalisation of one feature over a batch: (x_i - mean) / sqrt(var + eps), without scale or shift.

    >>> [round(float(v), 6) for v in batch_norm([1, 3], eps=0)]
    [-1.0, 1.0]
    """
    values = [sp.sympify(v) for v in values]
    n = len(values)
    if n < 1:
        raise DataError("batch_norm needs at least one example")
    mean = sum(values) / n
    var = sum((v - mean) ** 2 for v in values) / n
    return [(v - mean) / sp.sqrt(var + eps) for v in values]


def batch_norm_jacobian(n: int = 3, eps: float | sp.Expr = sp.Rational(1, 10**5)) -> tuple[sp.Matrix, tuple]:
    """The symbolic Jacobian d y_i / d x_j of batch normalisation over a batch of n scalars.

    >>> J, xs = batch_norm_jacobian(2)
    >>> J.shape
    (2, 2)
    """
    if not isinstance(n, int) or n < 2:
        raise DataError(f"batch_norm_jacobian needs a batch of at least 2 examples, got {n!r}")
    xs = sp.symbols(f"x1:{n + 1}", real=True)
    ys = batch_norm(xs, eps)
    return sp.Matrix(n, n, lambda i, j: sp.diff(ys[i], xs[j])), xs
