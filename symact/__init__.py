"""symact: the mathematics of neural-network activation functions, made checkable.

>>> import symact
>>> symact.derive('sigmoid').df_of_output
y*(1 - y)
"""

from symact.version import __version__
from symact.catalog import define, names, x
from symact.kernels import Kernel, kernel, lambdify
from symact.testing.frameworks import crosscheck
from symact.derivation import Derivation, derive
from symact.errors import (
    DataError,
    NotFitted,
    ParameterError,
    ParseError,
    ProofTimeout,
    SymactError,
    TrainingDiverged,
    UnknownActivation,
)
from symact.functions import Phi, sigmoid, softplus
from symact.nn.mlp import MLP
from symact.parsing import parse
from symact.render.plotting import plot  # matplotlib is imported only when a figure is drawn
from symact.analysis.engine import properties
from symact.analysis.tables import check_claims, table
from symact.proof.engine import Proof, prove, prove_bound, prove_limit
from symact.testing.assertions import assert_derivative, assert_identity
from symact.chapter.registry import Theorem

__all__ = [
    "derive",
    "Derivation",
    "kernel",
    "Kernel",
    "lambdify",
    "x",
    "crosscheck",
    "define",
    "names",
    "parse",
    "MLP",
    "prove",
    "prove_bound",
    "prove_limit",
    "Proof",
    "assert_identity",
    "assert_derivative",
    "Theorem",
    "properties",
    "table",
    "check_claims",
    "plot",
    "sigmoid",
    "Phi",
    "softplus",
    "SymactError",
    "UnknownActivation",
    "ParseError",
    "ParameterError",
    "ProofTimeout",
    "DataError",
    "NotFitted",
    "TrainingDiverged",
]
