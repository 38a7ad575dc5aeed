"""symact: the mathematics of neural-network activation functions, made checkable.

>>> import symact
>>> symact.derive('sigmoid').df_of_output
y*(1 - y)

The names below are the tour of the README; the rest lives in the subpackages (``symact.kernels``,
``symact.proof``, ``symact.analysis``, ``symact.chapter``, ``symact.nn``, ``symact.render``,
``symact.testing``, ``symact.exporting``) and every error class in ``symact.errors``.
"""

from symact.analysis import check_claims, properties, table
from symact.catalog import names, x
from symact.derivation import Derivation, derive
from symact.errors import (  # noqa: F401  (every error class is importable from symact; SymactError catches all)
    DataError,
    NotFitted,
    ParameterError,
    ParseError,
    ProofTimeout,
    SymactError,
    TrainingDiverged,
    UnknownActivation,
)
from symact.exporting import export  # torch and jax are imported only when an export runs
from symact.functions import Phi, sigmoid, softplus
from symact.kernels import Kernel, kernel, lambdify
from symact.nn import MLP
from symact.parsing import define, parse
from symact.proof import Proof, prove, prove_bound, prove_limit
from symact.render.plotting import plot  # matplotlib is imported only when a figure is drawn
from symact.testing import assert_derivative, assert_identity, crosscheck
from symact.version import __version__  # noqa: F401

__all__ = [
    "derive",
    "Derivation",
    "define",
    "parse",
    "names",
    "x",
    "sigmoid",
    "Phi",
    "softplus",
    "kernel",
    "Kernel",
    "lambdify",
    "prove",
    "prove_bound",
    "prove_limit",
    "Proof",
    "properties",
    "table",
    "check_claims",
    "plot",
    "MLP",
    "crosscheck",
    "export",
    "assert_identity",
    "assert_derivative",
    "SymactError",
]
