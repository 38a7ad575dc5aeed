"""What a cross-check measures with: errors in units of the last place, and the frameworks it knows.

>>> FRAMEWORKS
('torch', 'jax')
"""

from __future__ import annotations

import importlib

import numpy as np
import numpy.typing as npt

from symact.errors import ParameterError

__all__ = ["ulp_error", "TORCH", "JAX", "FRAMEWORKS"]


def ulp_error(got: npt.ArrayLike, want: npt.ArrayLike, dtype: npt.DTypeLike = np.float64) -> np.ndarray:
    """|got - want| in units of the last place of ``want`` in ``dtype`` (both given as float64 arrays).

    NaN where exactly one of them is NaN or infinite (or they are infinities of opposite sign).

    >>> float(ulp_error(np.array([1.0 + 2**-51]), np.array([1.0]))[0])
    2.0
    """
    got = np.asarray(got, dtype=np.float64)
    want = np.asarray(want, dtype=np.float64)
    with np.errstate(all="ignore"):
        spacing = np.spacing(np.abs(want.astype(dtype))).astype(np.float64)
        err = np.abs(got - want) / spacing
    same = (got == want) | (np.isnan(got) & np.isnan(want))
    return np.where(same, 0.0, np.where(np.isfinite(err), err, np.nan))


TORCH = "torch"
JAX = "jax"
FRAMEWORKS = (TORCH, JAX)


def _installed(framework: str) -> None:
    if framework not in FRAMEWORKS:
        raise ParameterError("crosscheck", "framework", f"must be 'torch' or 'jax', got {framework!r}", FRAMEWORKS)
    try:
        importlib.import_module(framework)
    except ImportError:
        extra = "pip install torch" if framework == TORCH else "pip install jax"
        raise ParameterError(
            "crosscheck", "framework", f"{framework!r} is not installed here; install it first ({extra})"
        ) from None
