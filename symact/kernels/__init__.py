"""Compiled NumPy kernels: stable rewrite rules, code generation, and the optional fused backend.

>>> from symact.kernels import kernel
>>> float(kernel('relu')(-2.0))
0.0
"""

from symact.kernels.codegen import Kernel, kernel, compile_expr, lambdify, NUMPY_FUNCTIONS, ULP_BOUNDS

__all__ = ["Kernel", "kernel", "compile_expr", "lambdify", "NUMPY_FUNCTIONS", "ULP_BOUNDS"]
