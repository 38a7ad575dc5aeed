"""symact: the mathematics of neural-network activation functions, made checkable.

>>> import symact
>>> symact.derive('sigmoid').df_of_output
y*(1 - y)
"""

from .catalog import define, names, x
from .compile import Kernel, kernel, lambdify
from .crosscheck import crosscheck
from .derive import Derivation, derive
from .errors import (
    DataError,
    NotFitted,
    ParameterError,
    ParseError,
    ProofTimeout,
    SymactError,
    TrainingDiverged,
    UnknownActivation,
)
from .functions import Phi, sigmoid, softplus
from .mlp import MLP
from .parse import parse
from .plot import plot  # matplotlib is imported only when a figure is drawn
from .properties import properties
from .property_table import check_claims, table
from .prove import Proof, prove, prove_bound, prove_limit
from .testing import assert_derivative, assert_identity
from .theorems import Theorem

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

__version__ = "0.1.0"
