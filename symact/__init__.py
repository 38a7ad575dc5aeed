"""symact: the mathematics of neural-network activation functions, made checkable.

>>> import symact
>>> symact.derive('sigmoid').df_of_output
y*(1 - y)

The names below are the tour of the README; the rest lives in the subpackages (``symact.kernels``,
``symact.proof``, ``symact.analysis``, ``symact.chapter``, ``symact.nn``, ``symact.render``,
``symact.testing``, ``symact.exporting``) and every error class in ``symact.errors``.
"""

from __future__ import annotations

import importlib
import importlib.util
from typing import TYPE_CHECKING

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
from symact.version import __version__  # noqa: F401

# Where each name of the tour lives: imported on first use, so that ``import symact`` costs what the first
# call needs (a kernel imports no prover; torch, jax and matplotlib are imported only when used).
_HOMES = {
    "check_claims": "symact.analysis",
    "properties": "symact.analysis",
    "table": "symact.analysis",
    "names": "symact.catalog",
    "x": "symact.catalog",
    "Derivation": "symact.derivation",
    "derive": "symact.derivation",
    "export": "symact.exporting",
    "Phi": "symact.functions",
    "sigmoid": "symact.functions",
    "softplus": "symact.functions",
    "Kernel": "symact.kernels",
    "kernel": "symact.kernels",
    "lambdify": "symact.kernels",
    "MLP": "symact.nn",
    "define": "symact.parsing",
    "parse": "symact.parsing",
    "Proof": "symact.proof",
    "prove": "symact.proof",
    "prove_bound": "symact.proof",
    "prove_limit": "symact.proof",
    "plot": "symact.render.plotting",
    "assert_derivative": "symact.testing",
    "assert_identity": "symact.testing",
    "crosscheck": "symact.testing",
}

if TYPE_CHECKING:
    from symact.analysis import check_claims, properties, table
    from symact.catalog import names, x
    from symact.derivation import Derivation, derive
    from symact.exporting import export
    from symact.functions import Phi, sigmoid, softplus
    from symact.kernels import Kernel, kernel, lambdify
    from symact.nn import MLP
    from symact.parsing import define, parse
    from symact.proof import Proof, prove, prove_bound, prove_limit
    from symact.render.plotting import plot
    from symact.testing import assert_derivative, assert_identity, crosscheck


def __getattr__(name: str):
    """A name of the tour or a subpackage (``symact.kernels``), imported on first use (PEP 562)."""
    home = _HOMES.get(name)
    if home is not None:
        value = globals()[name] = getattr(importlib.import_module(home), name)
        return value
    if not name.startswith("_") and importlib.util.find_spec(f"symact.{name}") is not None:
        return importlib.import_module(f"symact.{name}")
    raise AttributeError(f"module 'symact' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_HOMES))


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
