"""The NumPy backend's ``Kernel``: f, f', f'' and f' from the output of one activation, compiled once.

``compile_kernel`` derives the activation, substitutes its parameter defaults and compiles each part with
``symact.kernels.compiled``; the compiled parts are cached by the expressions they compute, never by a name.

>>> import numpy as np
>>> k = compile_kernel('relu', 'torch', {})
>>> k.grad(np.array([-1.0, 0.0, 2.0]))          # torch's convention: relu'(0) = 0
array([0., 0., 1.])
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import sympy as sp
from numpy.typing import ArrayLike
from sympy.printing.codeprinter import PrintMethodNotImplementedError

from symact.catalog import Activation, get
from symact.derivation import Derivation, derive, y
from symact.errors import SymactError
from symact.kernels.compiled import Compiled

__all__ = ["Kernel", "compile_kernel"]


@dataclass(frozen=True)
class Kernel:
    """Compiled f, f' and f'' of one activation. Call it for f; ``grad``/``grad2`` for the derivatives.

    >>> import numpy as np
    >>> f, df = compile_kernel('silu', 'torch', {}).value_and_grad(np.array([0.0, 1.0]))
    >>> df
    array([0.5       , 0.92767051])
    """

    backend = "numpy"
    derivation: Derivation
    _f: Compiled
    _df: Compiled
    _d2f: Compiled
    _both: Compiled
    _df_of_output: Compiled | None

    @property
    def name(self) -> str:
        """The activation's name (its definition for an unnamed expression)."""
        return self.derivation.name

    def __call__(self, values: ArrayLike, out: np.ndarray | None = None, where: ArrayLike = True) -> np.ndarray:
        """f(x); ``out`` an array that x's shape broadcasts to, ``where`` a mask of the elements to write."""
        return self._f(values, out, where)

    def grad(self, values: ArrayLike, out: np.ndarray | None = None, where: ArrayLike = True) -> np.ndarray:
        """f'(x), with the kink policy's value at kinks."""
        return self._df(values, out, where)

    def grad2(self, values: ArrayLike, out: np.ndarray | None = None, where: ArrayLike = True) -> np.ndarray:
        """f''(x)."""
        return self._d2f(values, out, where)

    def value_and_grad(
        self, values: ArrayLike, out: tuple[np.ndarray, np.ndarray] | None = None, where: ArrayLike = True
    ) -> tuple[np.ndarray, np.ndarray]:
        """(f(x), f'(x)) in one pass sharing common subexpressions; ``out`` a pair of arrays."""
        return self._both.all(values, out, where)

    def grad_from_output(
        self, outputs: ArrayLike, out: np.ndarray | None = None, where: ArrayLike = True
    ) -> np.ndarray | None:
        """f' computed from y = f(x) alone; ``None`` when f' has no such form."""
        if self._df_of_output is None:
            return None
        return self._df_of_output(outputs, out, where)

    @property
    def has_output_form(self) -> bool:
        """Whether f' can be computed from the output y = f(x) alone (``grad_from_output``)."""
        return self._df_of_output is not None

    def source(self) -> str:
        """The generated NumPy code of ``value_and_grad``."""
        return self._both.source

    def _repr_latex_(self) -> str:
        return self.derivation.latex()

    def __repr__(self) -> str:
        params = ", ".join(f"{k}={v}" for k, v in self.derivation.params.items())
        return f"Kernel({self.name!r}{', ' + params if params else ''}, kink={self.derivation.kink!r})"


def compile_kernel(activation: str | sp.Expr | Activation, kink: str, params: dict) -> Kernel:
    """The NumPy ``Kernel`` of a definition, compiled once per derivation (``symact.kernel`` wraps its errors).

    >>> compile_kernel('leaky_relu', 'torch', {'negative_slope': 0.1})
    Kernel('leaky_relu', negative_slope=1/10, kink='torch')
    """
    d = derive(activation, kink=kink, **params)
    entry = activation
    if isinstance(activation, str):
        try:
            entry = get(activation)
        except SymactError:
            entry = None
    defaults = {s: v for s, v in entry.defaults.items() if s not in d.params} if isinstance(entry, Activation) else {}
    f, df, d2f = (e.subs(defaults) for e in (d.f, d.df, d.d2f))
    dfy = d.df_of_output.subs(defaults) if d.df_of_output is not None else None
    # One Kernel per derivation object: derive caches a derivation by its definition and the Kernel keeps
    # it alive, so its id names it while the entry lives.
    key = (id(d), f, df, d2f, dfy)
    found = _KERNELS.get(key)
    if found is None or found.derivation is not d:
        if len(_KERNELS) >= 256:
            _KERNELS.pop(next(iter(_KERNELS)))
        found = _KERNELS[key] = Kernel(d, *_compiled(f, df, d2f, dfy))
    return found


_KERNELS: dict[tuple, Kernel] = {}


@lru_cache(maxsize=256)
def _compiled(f, df, d2f, dfy) -> tuple:
    """The compiled outputs of a kernel, keyed by the expressions themselves."""
    try:
        from_output = Compiled([dfy], y) if dfy is not None else None
    except PrintMethodNotImplementedError:  # f' from y needs a function NumPy lacks (erfinv): use f'(x)
        from_output = None
    return (
        Compiled([f]),
        Compiled([df], patch_zeros=(True,)),
        Compiled([d2f]),
        Compiled([f, df], patch_zeros=(False, True)),
        from_output,
    )
