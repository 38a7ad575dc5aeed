"""``Kernel``: what every elementwise kernel offers, on either backend, and what both share.

Both backends (``symact.kernels.numpy_backend`` and ``symact.kernels.fused``) implement it from a
``Definition``: f, f', f'' and f' from the output, each with ``out=`` and ``where=`` as
``symact.kernels.arrays`` describes, ``value_and_grad``, the generated source, and a pickle that carries
the definition. A kernel is equal only to itself.

>>> import symact
>>> k = symact.kernel('relu', backend='numpy')
>>> isinstance(k, Kernel), k.name, k.backend
(True, 'relu', 'numpy')
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import ArrayLike

if TYPE_CHECKING:  # a kernel served from the disk cache runs without the symbolic core
    from symact.derivation import Derivation
    from symact.kernels.definition import Definition

__all__ = ["Kernel", "PARTS"]

PARTS = ("f", "grad", "grad2", "value_and_grad", "grad_from_output")  # what a kernel computes, as ``_run`` names it


class Kernel(ABC):
    """Compiled f, f' and f'' of one activation. Call it for f; ``grad``/``grad2`` for the derivatives.

    >>> import numpy as np, symact
    >>> f, df = symact.kernel('silu').value_and_grad(np.array([0.0, 1.0]))
    >>> df
    array([0.5       , 0.92767051])
    """

    backend: str
    definition: Definition

    @property
    def name(self) -> str:
        """The activation's name (empty for an unnamed expression)."""
        return self.definition.name

    @property
    def derivation(self) -> Derivation:
        """The derivation the kernel was compiled from."""
        return self.definition.derivation()

    @property
    @abstractmethod
    def has_output_form(self) -> bool:
        """Whether f' can be computed from the output y = f(x) alone (``grad_from_output``)."""

    @abstractmethod
    def _run(self, part: str, values: ArrayLike, out, where):
        """``part`` (f, grad, grad2, value_and_grad, grad_from_output) at ``values``."""

    @abstractmethod
    def source(self) -> str:
        """The generated code."""

    def __call__(self, values: ArrayLike, out: np.ndarray | None = None, where: ArrayLike = True) -> np.ndarray:
        """f(x); ``out`` an array that x's shape broadcasts to, ``where`` a mask of the elements to write."""
        return self._call("f", values, out, where)

    def grad(self, values: ArrayLike, out: np.ndarray | None = None, where: ArrayLike = True) -> np.ndarray:
        """f'(x), with the kink policy's value at kinks."""
        return self._call("grad", values, out, where)

    def grad2(self, values: ArrayLike, out: np.ndarray | None = None, where: ArrayLike = True) -> np.ndarray:
        """f''(x)."""
        return self._call("grad2", values, out, where)

    def value_and_grad(
        self, values: ArrayLike, out: tuple[np.ndarray, np.ndarray] | None = None, where: ArrayLike = True
    ) -> tuple[np.ndarray, np.ndarray]:
        """(f(x), f'(x)) in one pass sharing common subexpressions; ``out`` a pair of arrays."""
        return self._call("value_and_grad", values, out, where)

    def grad_from_output(
        self, outputs: ArrayLike, out: np.ndarray | None = None, where: ArrayLike = True
    ) -> np.ndarray | None:
        """f' computed from y = f(x) alone; ``None`` when f' has no such form."""
        return self._call("grad_from_output", outputs, out, where) if self.has_output_form else None

    def _call(self, part: str, values: ArrayLike, out, where):
        """``_run``; a masked array gives masked arrays with its mask, or writes only its unmasked elements to
        ``out`` (as NumPy's ufuncs on masked arrays), where ``_run`` would compute the values under the mask."""
        if not isinstance(values, np.ma.MaskedArray):
            return self._run(part, values, out, where)
        mask = np.ma.getmaskarray(values)
        if out is not None:
            return self._run(part, np.ma.getdata(values), out, np.logical_and(where, ~mask))
        results = self._run(part, np.ma.getdata(values), None, where)
        if part == "value_and_grad":
            return tuple(np.ma.MaskedArray(r, mask=mask.copy()) for r in results)
        return np.ma.MaskedArray(results, mask=mask.copy())

    def _repr_latex_(self) -> str:
        return self.derivation.latex()

    def __repr__(self) -> str:
        shown = "".join(f", {k}={v}" for k, v in self.definition.params)
        backend = "" if self.backend == "numpy" else f", backend={self.backend!r}"
        return f"Kernel({self.name!r}{shown}, kink={self.definition.kink!r}{backend})"
