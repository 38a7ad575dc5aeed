"""Assertion helpers for pytest, and cross-checks against the frameworks' implementations.

>>> from symact.testing.assertions import assert_identity
>>> assert_identity('tanh(x) + 1', '2*sigmoid(2*x)').status
'proved'
"""

from symact.functions import mp_function
from symact.testing.assertions import (
    DerivativeCheck,
    ProofFailure,
    assert_derivative,
    assert_identity,
    assert_theorem,
    autodiff,
    check_derivative,
    sample_points,
)
from symact.testing.frameworks import JAX, TORCH, CrossCheck, benchmark_points, crosscheck, ulp_error

__all__ = [
    "DerivativeCheck",
    "check_derivative",
    "mp_function",
    "sample_points",
    "ProofFailure",
    "assert_identity",
    "assert_derivative",
    "assert_theorem",
    "autodiff",
    "crosscheck",
    "CrossCheck",
    "benchmark_points",
    "ulp_error",
    "TORCH",
    "JAX",
]
