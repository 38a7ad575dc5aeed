"""Building a kernel: a call's activation resolved to its ``Definition`` and compiled by either backend.

``symact.kernels.api.kernel`` calls ``kernel`` here for what its disk index does not hold. The default
``backend='auto'`` hands the definition to ``symact.kernels.fused`` when numba is installed and falls back to the
NumPy backend (``symact.kernels.numpy_backend``) otherwise. ``ULP_BOUNDS`` documents the accuracy where it is not
4 ULPs.

>>> kernel('relu', 'torch', 'numpy', {}).backend
'numpy'
>>> kernel('relu', 'torch', 'numpy', {}) is kernel('relu', 'torch', 'numpy', {})
True
"""

from __future__ import annotations

import sympy as sp

from symact.catalog import CATALOG, USER, Activation, VectorActivation
from symact.derivation import activation_entry
from symact.errors import ParameterError, SymactError
from symact.kernels import fused
from symact.kernels.base import Kernel
from symact.kernels.definition import Definition, resolve
from symact.kernels.fused_source import source
from symact.kernels.numpy_backend import compile_kernel
from symact.kernels.vector import VectorKernel, vector_kernel

__all__ = ["kernel", "fused_kernel", "ULP_BOUNDS"]

# Documented worst cases in float64 ULPs (f, f') where they exceed 4: the catalog rows' ``ulp_bounds``, as
# measured by benchmarks/accuracy.py; tests/test_compile.py holds every kernel to these bounds (4 otherwise).
ULP_BOUNDS: dict[str, tuple[float, float]] = {e.name: e.ulp_bounds for e in CATALOG if e.ulp_bounds != (4, 4)}


def kernel(activation: str | sp.Expr | Activation, kink: str, backend: str, params: dict) -> Kernel | VectorKernel:
    """The kernel of a ``symact.kernel`` call (within its budget); a call seen before is not resolved again (its
    parameters compared with their types: ``True == 1`` but a bool is refused where an int is not)."""
    try:  # a call seen before: no resolving, no hashing of expressions
        call = (_identity(activation), kink, backend, tuple(sorted((k, type(v), v) for k, v in params.items())))
        found = _CALLS.get(call)
    except TypeError:  # an entry object, or a parameter value that is not hashable
        call, found = None, None
    if found is None:
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
            found = fused_kernel(definition, strict=backend == "numba")
            if found is not None:
                return found
        return compile_kernel(definition)
    except (TypeError, ValueError, ZeroDivisionError, ArithmeticError) as err:  # one error family
        if isinstance(err, SymactError):
            raise
        raise ParameterError(
            str(activation), "activation", f"could not be compiled ({type(err).__name__}: {err})"
        ) from None


def fused_kernel(definition: Definition, strict: bool = True) -> fused.FusedKernel | None:
    """The fused kernel of a definition (``backend='numba'``), its generated module written to the cache.

    ``strict=False`` (``backend='auto'``): ``None`` instead of ``NoScalarForm`` or a cache folder that cannot be
    written, and the NumPy kernel serves.
    """
    if not fused.available():
        raise ParameterError("kernel", "backend", "'numba' needs numba: pip install 'symact[fast]'")
    found = fused._KERNELS.get((definition.key, definition.name))
    if found is None:
        key = fused.module_key(definition)
        try:
            text = fused._written(key, lambda: source(definition, key))
            found = fused.FusedKernel(text, key, definition, fallback=compile_kernel)
            found.prepare()
        except fused.NoScalarForm:
            if strict:
                raise
            return None
        except fused.CacheUnwritable:
            if strict:
                raise
            return None
        fused._KERNELS[(definition.key, definition.name)] = found
    return found


_CALLS: dict[tuple, Kernel | VectorKernel] = {}  # by the call's arguments; a kernel keeps its define-d entry alive
