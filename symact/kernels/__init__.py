"""Compiled NumPy kernels: stable rewrite rules, code generation, and the optional fused backend.

The names below are imported on first use (PEP 562), so that a kernel the disk cache holds is served
without the symbolic core (``symact.kernels.api``).

>>> from symact.kernels import kernel
>>> float(kernel('relu')(-2.0))
0.0
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

_HOMES = {
    "Kernel": "symact.kernels.base",
    "VectorKernel": "symact.kernels.vector",
    "kernel": "symact.kernels.api",
    "compile_expr": "symact.kernels.compiled",
    "lambdify": "symact.kernels.compiled",
    "NUMPY_FUNCTIONS": "symact.kernels.printer",
    "ULP_BOUNDS": "symact.kernels.build",
}

if TYPE_CHECKING:
    from symact.kernels.api import kernel
    from symact.kernels.base import Kernel
    from symact.kernels.build import ULP_BOUNDS
    from symact.kernels.compiled import compile_expr, lambdify
    from symact.kernels.printer import NUMPY_FUNCTIONS
    from symact.kernels.vector import VectorKernel


def __getattr__(name: str):
    """A name of ``__all__``, imported on first use (PEP 562)."""
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'symact.kernels' has no attribute {name!r}")
    value = globals()[name] = getattr(importlib.import_module(home), name)
    return value


__all__ = ["Kernel", "VectorKernel", "kernel", "compile_expr", "lambdify", "NUMPY_FUNCTIONS", "ULP_BOUNDS"]
