"""``kernel``: an activation compiled to NumPy kernels, f, f' and f'' on arrays of any shape, by either backend.

The default ``backend='auto'`` hands the definition to ``symact.kernels.fused`` when numba is installed and
falls back to the NumPy backend (``symact.kernels.numpy_backend``) otherwise. ``ULP_BOUNDS`` documents the accuracy where it is not 4 ULPs.

>>> import numpy as np
>>> k = kernel('relu')
>>> k(np.array([-1.0, 0.0, 2.0]))
array([0., 0., 2.])
>>> k.grad(np.array([-1.0, 0.0, 2.0]))          # torch's convention: relu'(0) = 0
array([0., 0., 1.])
>>> kernel('sigmoid')(np.float32(0)).dtype
dtype('float32')
>>> kernel('softplus').grad(np.array([-800.0, np.nan, np.inf])).tolist()
[0.0, nan, 1.0]
"""

from __future__ import annotations

import sympy as sp

from symact.budget import DEFAULT_BUDGETS, validate, within
from symact.catalog import CATALOG, USER, Activation, VectorActivation
from symact.derivation import activation_entry
from symact.errors import ParameterError, SymactError
from symact.kernels import fused
from symact.kernels.base import Kernel
from symact.kernels.definition import resolve
from symact.kernels.numpy_backend import compile_kernel
from symact.kernels.vector import VectorKernel, vector_kernel

__all__ = ["kernel", "ULP_BOUNDS"]

# Documented worst cases in float64 ULPs (f, f') where they exceed 4: the catalog rows' ``ulp_bounds``, as
# measured by benchmarks/accuracy.py; tests/test_compile.py holds every kernel to these bounds (4 otherwise).
ULP_BOUNDS: dict[str, tuple[float, float]] = {e.name: e.ulp_bounds for e in CATALOG if e.ulp_bounds != (4, 4)}


def kernel(
    activation: str | sp.Expr | Activation,
    kink: str = "torch",
    backend: str = "auto",
    budget: float | None = DEFAULT_BUDGETS["kernel"],
    **params: float | sp.Expr,
) -> Kernel | VectorKernel:
    """Compile an activation (parameters at their defaults unless given) to NumPy kernels; a vector activation
    (softmax, log_softmax, softmin) gives a ``VectorKernel`` that works along an axis.

    ``activation`` is a catalog or ``define``-d name, an expression string, a SymPy expression or the
    object ``define`` returns. The compiled code is cached by the expressions it computes, never by a
    name, so ``define(..., replace=True)`` takes effect at once. ``backend``: ``'auto'`` (the default: the
    fused kernels of ``symact.kernels.fused`` when numba is installed, ``symact[fast]``, and the definition
    compiles there; the NumPy kernels otherwise), ``'numba'`` (fused, or an error) or ``'numpy'``.
    ``budget`` bounds the seconds spent building it (``ProofTimeout`` past it; see ``symact.budget``).

    >>> float(kernel('leaky_relu', negative_slope=0.1).grad(-3.0))
    0.1
    >>> kernel('softmax')([[0.0, 0.0]], axis=1)
    array([[0.5, 0.5]])
    """
    try:  # a call seen before: no resolving, no hashing of expressions
        call = (_identity(activation), kink, backend, tuple(sorted(params.items())))
        found = _CALLS.get(call)
    except TypeError:  # an entry object, or a parameter value that is not hashable
        call, found = None, None
    seconds = validate(budget, "kernel")
    if found is None:
        with within(seconds, "kernel"):
            found = _kernel(activation, kink, backend, params)
        if call is not None:
            if len(_CALLS) >= 256:
                _CALLS.pop(next(iter(_CALLS)))
            _CALLS[call] = found
    return found


def _identity(activation) -> tuple:
    """What names an activation in a call: a string together with the ``define``-d entry it names now (so that
    ``define(..., replace=True)`` is a new call), or an expression itself; an entry object is not remembered."""
    if isinstance(activation, str):
        return activation, id(USER.get(activation))
    if isinstance(activation, sp.Basic):
        return activation, None
    raise TypeError("an entry object")


def _kernel(activation, kink: str, backend: str, params: dict) -> Kernel | VectorKernel:
    if backend not in ("auto", "numpy", "numba"):
        raise ParameterError("kernel", "backend", f"must be 'auto', 'numpy' or 'numba', got {backend!r}")
    try:
        entry = activation_entry(activation, params)  # the one lookup of a name
        if isinstance(entry, VectorActivation):
            if params:
                raise ParameterError(entry.name, sorted(params)[0], "is not a parameter of a vector activation")
            return vector_kernel(entry)
        definition = resolve(entry, kink, params)
        if backend == "numba" or (backend == "auto" and fused.available()):
            found = fused.kernel(definition, strict=backend == "numba")
            if found is not None:
                return found
        return compile_kernel(definition)
    except (TypeError, ValueError, ZeroDivisionError, ArithmeticError) as err:  # one error family
        if isinstance(err, SymactError):
            raise
        raise ParameterError(
            str(activation), "activation", f"could not be compiled ({type(err).__name__}: {err})"
        ) from None


_CALLS: dict[tuple, Kernel | VectorKernel] = {}  # by the call's arguments; a kernel keeps its define-d entry alive
