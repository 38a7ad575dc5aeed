"""Export an activation to PyTorch or JAX: stable forms, symact's derivatives, verified (``export``).

``printer`` (SymPy to framework operations), ``prelude`` (the stable nodes in the framework), ``source``
(the generated module), ``eager`` (symact's fused kernels serving eager CPU float32 and float64 tensors),
``verify`` (the check against symact) and ``api`` (``export``, ``Exported``).
Neither framework is imported until an export runs.
"""

from symact.exporting.api import FRAMEWORKS, Exported, export
from symact.exporting.verify import Verification

__all__ = ["export", "Exported", "Verification", "FRAMEWORKS"]
