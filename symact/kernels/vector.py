"""Kernels of the vector activations along an axis: softmax, softmin and log_softmax by log-sum-exp (no
overflow for any finite logits), with their vector-Jacobian products from the Jacobian that
``symact.vector`` derives and checks in the outputs. x is taken as elementwise kernels take it
(``symact.kernels.arrays.as_input``); each lane is computed contiguous, so any layout gives the same bits.

>>> import numpy as np
>>> k = vector_kernel('softmax')
>>> k(np.array([1000.0, 1000.0]))
array([0.5, 0.5])
>>> k.grad(np.array([0.0, 0.0]), np.array([1.0, 0.0]))        # J^T v: the vector-Jacobian product
array([ 0.25, -0.25])
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from symact.catalog import VectorActivation
from symact.errors import ParameterError
from symact.kernels.arrays import as_input
from symact.kernels.base import Kernel
from symact.vector import VectorDerivation, derive_vector

__all__ = ["VectorKernel", "vector_kernel"]


def _lanes(values: ArrayLike, name: str, axis) -> tuple[np.ndarray, np.dtype, int]:
    """x as float64 lanes: ``axis`` moved last and C-contiguous (so any layout of x gives the bits of its
    contiguous copy: NumPy sums a contiguous lane pairwise, a strided one in order), the result dtype
    (``symact.kernels.arrays.as_input``: x's float dtype, native; float64 for integers), and the axis checked."""
    array, dtype, _ = as_input(values, name)
    if array.ndim == 0:
        raise ParameterError(name, "x", f"must be an array of real numbers with at least one axis, got {array!r}")
    if isinstance(axis, bool) or not isinstance(axis, numbers.Integral) or not -array.ndim <= axis < array.ndim:
        span = f"from {-array.ndim} to {array.ndim - 1}"
        raise ParameterError(name, "axis", f"must be an int {span} for x of shape {array.shape}, got {axis!r}")
    axis = int(axis) % array.ndim
    if axis != array.ndim - 1:
        array = np.moveaxis(array, axis, -1)
    return np.ascontiguousarray(array, dtype=np.float64), dtype, axis


def _placed(lanes: np.ndarray, dtype: np.dtype, axis: int) -> np.ndarray:
    """Lanes back in x's axes, C-contiguous, rounded once to ``dtype`` (overflow to inf without a warning)."""
    if axis != lanes.ndim - 1:
        lanes = np.ascontiguousarray(np.moveaxis(lanes, -1, axis))
    with np.errstate(over="ignore"):
        return lanes.astype(dtype, copy=False)


def _shifted(z: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """z - max(z) along the last axis as an unevaluated sum hi + lo (TwoSum: the rounding error of the
    subtraction would otherwise cost |z - max| ULPs in exp), and whether each lane's max is finite."""
    top = np.max(z, axis=-1, keepdims=True)
    finite = np.isfinite(top)
    top = np.where(finite, top, 0)
    hi = z - top
    part = hi - z
    lo = (z - (hi - part)) + (-top - part)
    return hi, np.where(np.isfinite(lo), lo, 0), finite[..., 0]


def _softmax(z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    hi, lo, finite = _shifted(z)
    e = np.exp(hi) * (1 + lo)
    return e / np.sum(e, axis=-1, keepdims=True), finite


def _log_softmax(z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(z - max) - log(1 + the other terms): log1p keeps the largest entry exact near 0."""
    hi, lo, finite = _shifted(z)
    e = np.exp(hi) * (1 + lo)
    first = np.arange(z.shape[-1]) == np.argmax(hi, axis=-1, keepdims=True)  # each lane's first largest entry
    e[first] = 0.0
    return (hi - np.log1p(np.sum(e, axis=-1, keepdims=True))) + lo, finite


@dataclass(frozen=True)
class VectorKernel:
    """A vector activation along ``axis`` of an array: call it for f, ``grad`` for the vector-Jacobian product
    J^T v with a cotangent v (the backward pass), ``jacobian`` for J. A ``symact.Kernel`` by protocol: where an
    elementwise kernel's ``grad(x)`` is f'(x), the product with a cotangent of ones, this one needs the cotangent.

    float32 stays float32; the Jacobian used is the form in the outputs that ``symact.vector`` checked.
    """

    derivation: VectorDerivation

    @property
    def name(self) -> str:
        """The activation's name (``softmax``, ``softmin`` or ``log_softmax``)."""
        return self.derivation.name

    def _repr_latex_(self) -> str:
        return self.derivation.latex()

    def __call__(self, values: ArrayLike, axis: int = -1) -> np.ndarray:
        """f along ``axis``, by log-sum-exp. A lane holding NaN, or +inf (-inf for softmin), or only -inf (+inf
        for softmin) has no value: NaN throughout, as in torch."""
        z, dtype, axis = _lanes(values, self.name, axis)
        return _placed(self._lanes(z), dtype, axis)

    def _lanes(self, z: np.ndarray) -> np.ndarray:
        """f along the last axis of float64 lanes."""
        form = self.derivation.canonical
        w = -z if form == "softmin" else z
        if not w.size:
            return np.empty_like(w)
        with np.errstate(invalid="ignore", over="ignore"):
            out, finite = _log_softmax(w) if form == "log_softmax" else _softmax(w)
        if not finite.all():  # a max that is NaN, +inf or -inf (then every entry is): no value
            out[~finite] = np.nan
        return out

    def grad(self, values: ArrayLike, cotangent: ArrayLike, axis: int = -1) -> np.ndarray:
        """J^T v along ``axis``: the backward pass of f for the upstream gradient ``cotangent`` (real numbers in
        x's shape), computed in float64 and rounded once to the dtype of f."""
        z, dtype, axis = _lanes(values, self.name, axis)
        shape = np.moveaxis(z, -1, axis).shape
        v, _, _ = as_input(cotangent, self.name, "cotangent")
        if v.shape != shape:
            raise ParameterError(self.name, "cotangent", f"must have the shape of x, {shape}, got {v.shape}")
        y = self._lanes(z)
        v = np.ascontiguousarray(np.moveaxis(v, axis, -1), dtype=np.float64)
        with np.errstate(invalid="ignore", over="ignore"):
            if self.derivation.canonical == "log_softmax":  # J = I - 1 exp(y)^T
                lanes = v - np.exp(y) * np.sum(v, axis=-1, keepdims=True)
            else:
                sign = -1 if self.derivation.canonical == "softmin" else 1  # J = +-(diag(y) - y y^T)
                lanes = sign * y * (v - np.sum(v * y, axis=-1, keepdims=True))
        return _placed(lanes, dtype, axis)

    def jacobian(self, values: ArrayLike) -> np.ndarray:
        """The n x n Jacobian d f_i / d x_j at one input vector (1-D ``values``)."""
        z, dtype, _ = _lanes(values, self.name, -1)
        if z.ndim != 1:
            raise ParameterError(self.name, "x", f"must be one vector for the Jacobian, got shape {z.shape}")
        rows = [self.grad(values, row) for row in np.eye(z.size)]
        return np.array(rows, dtype=dtype).reshape(z.size, z.size)


Kernel.register(VectorKernel)  # one protocol: isinstance(symact.kernel('softmax'), symact.Kernel)


def vector_kernel(activation: str | VectorActivation) -> VectorKernel:
    """The kernel of a vector activation, once its definition is checked to be one of the stable forms.

    >>> import numpy as np
    >>> float(vector_kernel('log_softmax')(np.array([0.0, 0.0]))[0])
    -0.6931471805599453
    """
    derivation = derive_vector(activation, 2)
    if derivation.canonical is None or derivation.jacobian_of_output is None:
        raise ParameterError(derivation.name, "activation", "has no stable vector kernel (not softmax-shaped)")
    return VectorKernel(derivation)
