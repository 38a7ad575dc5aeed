"""One layer of the MLP: ``X @ W + b`` then an activation kernel, its backward pass right under the forward,
and the initialisation (He for rectifier-like activations, Glorot otherwise).

>>> import numpy as np
>>> layer = Layer(3, 4, 'relu', np.random.default_rng(0), np.dtype('float64'), 'torch', 'auto')
>>> layer, layer.forward(np.ones((2, 3))).shape
(Layer(3 -> 4, relu), (2, 4))
"""

from __future__ import annotations

import numpy as np
import sympy as sp

from symact.catalog import CATALOG, Activation, VectorActivation, get
from symact.errors import ParameterError, SymactError
from symact.kernels import Kernel, VectorKernel, kernel

__all__ = ["Layer", "HE_FAMILIES", "PIECEWISE_LINEAR"]

# Families whose activations are rectifier-like get He initialisation; the rest get Glorot's.
HE_FAMILIES = ("rectified", "exponential", "gated")
# Activations max(z, 0) + slope * min(z, 0), whose networks have exact linear pieces (the rows' ``linear_pieces``).
PIECEWISE_LINEAR = tuple(entry.name for entry in CATALOG if entry.linear_pieces)


def _kernel_of(activation, kink: str) -> Kernel | VectorKernel:
    """The kernel of a hidden layer's activation; a vector activation (softmax ...) couples the layer's units,
    so it is taken only when asked for explicitly, as a kernel object."""
    if isinstance(activation, (Kernel, VectorKernel)) or hasattr(activation, "value_and_grad"):  # a built kernel
        return activation
    if not isinstance(activation, (str, sp.Basic, Activation, VectorActivation)):
        raise ParameterError(
            "MLP", "activation", f"must be an activation name, an expression or a kernel, got {activation!r}"
        )
    found = kernel(activation, kink=kink)
    if isinstance(found, VectorKernel):
        raise ParameterError(
            "MLP",
            "activation",
            f"{found.name!r} is a vector activation: it mixes a layer's units (a classifier's output layer "
            f"already applies softmax); for a hidden layer, ask for it explicitly with "
            f"activation=symact.kernel({found.name!r})",
        )
    return found


def _family(k: Kernel) -> str:
    try:
        entry = get(k.name)
    except SymactError:
        return "user"
    return entry.family if isinstance(entry, Activation) else "user"


# ---- one layer: forward, and its backward right under it ---------------------------------------
class Layer:
    """``A = f(X @ W + b)`` with W of shape (n_in, n_out) and b of shape (n_out,).

    ``activation=None`` is the output layer (no activation: logits or regression outputs).

    >>> layer = Layer(3, 2, 'relu', np.random.default_rng(0))
    >>> layer
    Layer(3 -> 2, relu)
    >>> layer.forward(np.ones((5, 3))).shape
    (5, 2)
    """

    def __init__(
        self,
        n_in: int,
        n_out: int,
        activation,
        rng: np.random.Generator,
        dtype=np.float64,
        kink: str = "torch",
        init: str = "auto",
    ):
        self.kernel = None if activation is None else _kernel_of(activation, kink)
        if init == "auto":
            init = "he" if self.kernel is not None and _family(self.kernel) in HE_FAMILIES else "glorot"
        if init == "he":
            bound = np.sqrt(6.0 / n_in)
        elif init == "glorot":
            bound = np.sqrt(6.0 / (n_in + n_out))
        else:
            raise ParameterError(
                "MLP", "init", f"must be 'auto', 'he' or 'glorot', got {init!r}", ["auto", "he", "glorot"]
            )
        self.W = rng.uniform(-bound, bound, size=(n_in, n_out)).astype(dtype)
        self.b = np.zeros(n_out, dtype=dtype)
        self.X = self.A = self.Z = self.slope = None

    @property
    def keeps_preactivations(self) -> bool:
        """False when f' is computed from the output, so Z is never stored."""
        if isinstance(self.kernel, VectorKernel):
            return True
        return self.kernel is not None and not self.kernel.has_output_form

    def forward(self, X: np.ndarray, train: bool = False) -> np.ndarray:
        """The activations ``f(X @ W + b)``; with ``train`` it keeps what ``backward`` needs."""
        Z = X @ self.W
        Z += self.b  # in place: one array fewer
        slope = None
        if self.kernel is None:
            A = Z
        elif isinstance(self.kernel, VectorKernel):  # softmax and friends across the layer's units
            A = self.kernel(Z, axis=1)
        elif train and self.keeps_preactivations:
            A, slope = self.kernel.value_and_grad(Z)  # f and f' in one pass
        else:
            A = self.kernel(Z)
        if train:
            self.X, self.A, self.slope = X, A, slope
            self.Z = Z if self.keeps_preactivations else None
        return A

    def backward(self, dA: np.ndarray, input_grad: bool = True) -> np.ndarray | None:
        """Store dW and db for the upstream gradient dA; return the gradient for the input X (if asked)."""
        if self.kernel is None:
            dZ = dA
        elif isinstance(self.kernel, VectorKernel):
            dZ = self.kernel.grad(self.Z, dA, axis=1)
        elif self.kernel.has_output_form:
            dZ = dA * self.kernel.grad_from_output(self.A)
        else:
            dZ = dA * (self.kernel.grad(self.Z) if self.slope is None else self.slope)
        self.dW = self.X.T @ dZ
        self.db = dZ.sum(axis=0)
        return dZ @ self.W.T if input_grad else None

    @property
    def n_in(self) -> int:
        """The number of inputs (rows of ``W``)."""
        return self.W.shape[0]

    @property
    def n_out(self) -> int:
        """The number of outputs (columns of ``W``)."""
        return self.W.shape[1]

    def __repr__(self) -> str:
        name = "output" if self.kernel is None else self.kernel.name or str(self.kernel.derivation.f)
        return f"Layer({self.n_in} -> {self.n_out}, {name})"
