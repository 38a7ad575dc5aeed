"""Compiled NumPy kernels: stable rewrite rules, code generation, and the optional fused backend.

>>> from symact.kernels import kernel
>>> float(kernel('relu')(-2.0))
0.0
"""

from symact.kernels.api import ULP_BOUNDS, kernel
from symact.kernels.base import Kernel
from symact.kernels.compiled import compile_expr, lambdify
from symact.kernels.printer import NUMPY_FUNCTIONS
from symact.kernels.vector import VectorKernel

__all__ = ["Kernel", "VectorKernel", "kernel", "compile_expr", "lambdify", "NUMPY_FUNCTIONS", "ULP_BOUNDS"]
