"""``kernel``: an activation compiled to NumPy kernels, f, f' and f'' on arrays of any shape, by either backend.

``symact.kernels.build`` resolves the call and compiles it. A catalog name that it compiled to a fused kernel is
also written to an index in the disk cache, so that a later process serves that kernel without the symbolic core
(SymPy and the catalog are not imported) and without numba (``symact.kernels.native``). An index entry is keyed by
the call (the name as given, kink policy, backend, each parameter's type and value) and by what decides the
definition: symact's version, the text of every one of its modules, and the SymPy, mpmath and numba releases. Any
change there, a name ``define``-d by the user, an expression, an entry object or a parameter other than an int or a
float is a miss: ``build`` runs. A served kernel is the object ``build`` gives (one per definition, as there); its
``definition`` and ``derivation`` are resolved when first used.

>>> import numpy as np
>>> k = kernel('relu')
>>> k(np.array([-1.0, 0.0, 2.0]))
array([0., 0., 2.])
>>> k.grad(np.array([-1.0, 0.0, 2.0]))          # torch's convention: relu'(0) = 0
array([0., 0., 1.])
>>> kernel('sigmoid')(np.float32(0)).dtype
dtype('float32')
>>> kernel('softplus').grad(np.array([-800.0, np.nan, np.inf])).tolist()
[0.0, nan, 1.0]
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import sys
import threading
from contextlib import suppress
from functools import lru_cache, partial
from pathlib import Path
from typing import TYPE_CHECKING

from symact.budget import DEFAULT_BUDGETS, expired, validate, within
from symact.kernels import fused
from symact.version import __version__

if TYPE_CHECKING:
    import sympy as sp

    from symact.catalog import Activation
    from symact.kernels.base import Kernel
    from symact.kernels.definition import Definition
    from symact.kernels.vector import VectorKernel

__all__ = ["kernel"]


def kernel(
    activation: str | sp.Expr | Activation,
    kink: str = "torch",
    backend: str = "auto",
    budget: float | None = DEFAULT_BUDGETS["kernel"],
    **params: float | sp.Expr,
) -> Kernel | VectorKernel:
    """Compile an activation (parameters at their defaults unless given) to NumPy kernels; a vector activation
    (softmax, log_softmax, softmin) gives a ``VectorKernel`` that works along an axis.

    ``activation`` is a catalog or ``define``-d name, an expression string, a SymPy expression or the
    object ``define`` returns. The compiled code is cached by the expressions it computes, never by a
    name, so ``define(..., replace=True)`` takes effect at once. ``backend``: ``'auto'`` (the default: the
    fused kernels of ``symact.kernels.fused`` when numba is installed, ``symact[fast]``, and the definition
    compiles there; the NumPy kernels otherwise), ``'numba'`` (fused, or an error) or ``'numpy'``.
    ``budget`` bounds the seconds spent building it (``ProofTimeout`` past it; see ``symact.budget``).

    >>> float(kernel('leaky_relu', negative_slope=0.1).grad(-3.0))
    0.1
    >>> kernel('softmax')([[0.0, 0.0]], axis=1)
    array([[0.5, 0.5]])
    """
    seconds = validate(budget, "kernel")
    call = _indexable(activation, kink, backend, params)
    found = _SERVED.get(call) if call is not None else None
    if found is None:
        with within(seconds, "kernel"):
            found = _served(call) if call is not None else None
            if found is None:
                from symact.kernels import build  # the symbolic core: only for what the index does not hold

                found = build.kernel(activation, kink, backend, params)
                if call is None or not _record(call, found):
                    return found
        if len(_SERVED) >= 256:
            _SERVED.pop(next(iter(_SERVED)))
        _SERVED[call] = found
    return found


def _indexable(activation, kink, backend, params: dict) -> tuple | None:
    """The call as the index keys it, or None where the index has no say (see the module's docstring)."""
    if type(activation) is not str or type(kink) is not str or backend not in ("auto", "numba"):
        return None
    name = activation.strip().lower().replace("-", "_")
    if not name.isidentifier() or any(type(v) not in (int, float) for v in params.values()):
        return None  # an expression (no disk lookup on each call), or a parameter the index does not key
    if "symact.catalog" in sys.modules:  # a name the user may have defined: the catalog is already loaded
        from symact.catalog import USER

        if name in USER:
            return None
    return activation, kink, backend, tuple(sorted((k, type(v).__name__, v) for k, v in params.items()))


def _path(call: tuple) -> Path:
    """The index entry of ``call``: its text is the generated module's key, the definition's key and its name."""
    text = "|".join([repr(call), _sources()])
    return fused.cache_dir() / "index" / hashlib.sha256(text.encode()).hexdigest()[:24]


@lru_cache(maxsize=1)
def _sources() -> str:
    """A hash of all that decides a catalog name's definition and its kernel (see the module's docstring)."""
    digest = hashlib.sha256("|".join([__version__, fused._numba_release()]).encode())
    package = Path(__file__).parents[1]
    for path in sorted(package.rglob("*.py")):  # every module of symact: a few milliseconds
        digest.update(f"{path.relative_to(package)}\0".encode() + path.read_bytes())
    for name in ("sympy", "mpmath"):
        origin = Path(importlib.util.find_spec(name).origin)
        digest.update((origin.with_name("release.py") if name == "sympy" else origin).read_bytes())
    return digest.hexdigest()


def _served(call: tuple) -> fused.FusedKernel | None:
    """The fused kernel the index holds for ``call``, its f loop loaded; None where anything is missing."""
    if not fused.available():
        return None
    try:
        key, definition_key, name = _path(call).read_text().split(" ")
        found = fused._KERNELS.get((definition_key, name))
        text = "" if found is not None or not key.isalnum() else fused._cached(key) or ""
    except (OSError, ValueError):
        return None
    if found is None and text:
        activation, kink, _, params = call
        resolve = partial(_resolve, activation, kink, {k: v for k, _, v in params})
        found = fused.FusedKernel(text, key, resolve, name, fallback=numpy_kernel)
        try:
            found.prepare()
        except fused.NoScalarForm:
            return None
        fused._KERNELS[(definition_key, name)] = found
    return found


def _resolve(activation: str, kink: str, params: dict) -> Definition:
    """The definition of a kernel served from the index, when it is first needed."""
    from symact.kernels.definition import resolve

    return resolve(activation, kink, params)


def numpy_kernel(definition: Definition) -> Kernel:
    """The NumPy kernel of a definition: what a pickled fused kernel is where it cannot run (no numba there)."""
    from symact.kernels.numpy_backend import compile_kernel

    return compile_kernel(definition)


def _record(call: tuple, found) -> bool:
    """Write the index entry of a fused kernel of a catalog entry that ``build`` gave (not past the budget); True
    where it is one, written or not."""
    from symact.catalog import CATALOG

    if not isinstance(found, fused.FusedKernel) or expired():
        return False
    if not any(found.definition.entry is entry for entry in CATALOG):
        return False
    path = _path(call)
    tmp = path.with_suffix(f".{os.getpid()}.{threading.get_ident()}.tmp")
    with suppress(OSError):  # a cache folder that cannot be written: the kernel serves, unrecorded
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_text(f"{found._key} {found.definition.key} {found.name}")
        os.replace(tmp, path)  # atomic: a concurrent process reads the whole entry or none
    return True


_SERVED: dict[tuple, fused.FusedKernel] = {}  # by the call: the kernels of catalog names, served or recorded
