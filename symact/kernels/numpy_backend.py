"""The NumPy backend: f, f', f'' and f' from the output of one activation as NumPy code, compiled once.

``compile_kernel`` compiles the plan of each part (``symact.kernels.plan.part_plans``) with
``symact.kernels.compiled``; the compiled parts are cached by the expressions they compute, never by a name.

>>> import numpy as np
>>> from symact.kernels.definition import resolve
>>> k = compile_kernel(resolve('relu', 'torch', {}))
>>> k.grad(np.array([-1.0, 0.0, 2.0]))          # torch's convention: relu'(0) = 0
array([0., 0., 1.])
"""

from __future__ import annotations

from functools import lru_cache

from numpy.typing import ArrayLike

from symact.derivation import Derivation
from symact.kernels.base import Kernel
from symact.kernels.compiled import Compiled
from symact.kernels.definition import Definition
from symact.kernels.plan import Plan, part_plans

__all__ = ["NumpyKernel", "compile_kernel"]


class NumpyKernel(Kernel):
    """The NumPy backend's kernel: compiled f, f', f'', f' from the output and ``value_and_grad``.

    >>> import numpy as np
    >>> from symact.kernels.definition import resolve
    >>> f, df = compile_kernel(resolve('silu', 'torch', {})).value_and_grad(np.array([0.0, 1.0]))
    >>> df
    array([0.5       , 0.92767051])
    """

    backend = "numpy"

    def __init__(self, definition: Definition, derivation: Derivation, parts: dict):
        self.definition, self._derivation, self._parts = definition, derivation, parts

    @property
    def derivation(self) -> Derivation:
        """The derivation the kernel was compiled from."""
        return self._derivation

    @property
    def has_output_form(self) -> bool:
        """Whether f' can be computed from the output y = f(x) alone (``grad_from_output``)."""
        return self._parts["grad_from_output"] is not None

    def _run(self, part: str, values: ArrayLike, out, where):
        compiled = self._parts[part]
        return compiled.all(values, out, where) if part == "value_and_grad" else compiled(values, out, where)

    def part(self, name: str) -> Compiled:
        """The compiled function of a part (``f``, ``grad``, ``grad2``, ``value_and_grad``, ``grad_from_output``)."""
        return self._parts[name]

    def source(self) -> str:
        """The generated NumPy code of ``value_and_grad``."""
        return self._parts["value_and_grad"].source

    def __reduce__(self):
        """Pickled as its definition (the catalog entry itself, not a name): compiled again where it is loaded."""
        return compile_kernel, (self.definition,)


def compile_kernel(definition: Definition) -> NumpyKernel:
    """The NumPy kernel of a definition, compiled once (``symact.kernel`` wraps its errors).

    >>> from symact.kernels.definition import resolve
    >>> compile_kernel(resolve('leaky_relu', 'torch', {'negative_slope': 0.1}))
    Kernel('leaky_relu', negative_slope=1/10, kink='torch')
    """
    found = _KERNELS.get(definition)
    if found is None:
        parts = {name: plan and _compiled(plan) for name, plan in part_plans(definition).items()}
        if len(_KERNELS) >= 256:
            _KERNELS.pop(next(iter(_KERNELS)))
        found = _KERNELS[definition] = NumpyKernel(definition, definition.derivation(), parts)
    return found


_KERNELS: dict[Definition, NumpyKernel] = {}


@lru_cache(maxsize=512)
def _compiled(plan: Plan) -> Compiled:
    """The NumPy emitter of a plan, once per plan."""
    return Compiled(plan)
