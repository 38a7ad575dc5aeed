"""Cross-check a framework's softmax family (torch's, JAX's, or a function of tensors along the last axis)
against symact's vector kernels: f, and the vector-Jacobian product J^T v with a fixed cotangent v from the
framework's autograd, in ULPs, on rows of logits from 1e-8 in scale to past exp's overflow.

>>> logits('float64').shape
(256, 8)
"""

from __future__ import annotations

import importlib
from collections.abc import Callable

import numpy as np
import numpy.typing as npt

from symact.catalog import VectorActivation
from symact.errors import ParameterError
from symact.kernels import kernel
from symact.testing.measure import TORCH, _installed, ulp_error

__all__ = ["logits", "vector_errors"]


def logits(dtype: npt.DTypeLike, width: int = 8) -> np.ndarray:
    """Rows of ``width`` logits: Gaussian at scales 1e-8 to 700, rows with one dominant entry, and rows near
    1000 (exp overflows there without the shift by the maximum)."""
    rng = np.random.default_rng(0)
    rows = [rng.normal(scale=scale, size=(32, width)) for scale in (1e-8, 1e-3, 1.0, 10.0, 100.0, 700.0)]
    dominant = rng.normal(size=(32, width))
    dominant[:, 0] += 40.0
    rows += [dominant, rng.normal(size=(32, width)) + 1000.0]
    return np.concatenate(rows).astype(dtype)


def _function(entry: VectorActivation, framework: str | Callable) -> Callable:
    if callable(framework):
        return framework
    _installed(framework)
    name = getattr(entry, framework)
    if name is None:
        raise ParameterError("crosscheck", "name", f"{framework} has no {entry.name!r}")
    if framework == TORCH:
        fn = getattr(importlib.import_module("torch.nn.functional"), name)
        return lambda t: fn(t, dim=-1)
    fn = getattr(importlib.import_module("jax.nn"), name)
    return lambda t: fn(t, axis=-1)


def _values(fn: Callable, z: np.ndarray, v: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """f(z) and J^T v by the framework's autograd (torch's when ``fn`` takes tensors, else JAX's)."""
    try:
        torch = importlib.import_module("torch")
        t = torch.tensor(z, requires_grad=True)
        out = fn(t)
        (grad,) = torch.autograd.grad(out, t, grad_outputs=torch.tensor(v))
        return out.detach().numpy().copy(), grad.numpy().copy()
    except (ImportError, TypeError, RuntimeError, AttributeError):
        pass
    jax = importlib.import_module("jax")
    jax.config.update("jax_enable_x64", True)
    out, vjp = jax.vjp(fn, jax.numpy.asarray(z))
    return np.asarray(out, dtype=z.dtype), np.asarray(vjp(jax.numpy.asarray(v))[0], dtype=z.dtype)


def vector_errors(entry: VectorActivation, framework: str | Callable, points: npt.ArrayLike | None, dtype: str) -> dict:
    """The fields of a ``CrossCheck`` for a vector activation: ``points`` (rows of logits; default ``logits``)
    compared entry by entry, the largest ULP errors of f and of J^T v, and the worst entries.

    >>> import pytest; _ = pytest.importorskip('torch')
    >>> from symact.catalog import get
    >>> vector_errors(get('softmax'), 'torch', [[0.0, 1.0, 2.0]], 'float64')['max_ulp_f'] <= 2
    True
    """
    fn = _function(entry, framework)
    z = logits(dtype) if points is None else np.atleast_2d(np.asarray(points, dtype=dtype))
    v = np.random.default_rng(1).normal(size=z.shape).astype(dtype)
    theirs_f, theirs_g = _values(fn, z, v)
    k = kernel(entry, budget=None)
    ours_f, ours_g = k(z, axis=-1), k.grad(z, v, axis=-1)
    worst, maxima = [], []
    for what, theirs, ours in (("f", theirs_f, ours_f), ("J^T v", theirs_g, ours_g)):
        err = ulp_error(theirs, ours, dtype)
        maxima.append(float("nan") if np.isnan(err).any() else float(err.max(initial=0.0)))
        flat = np.where(np.isnan(err), np.inf, err).ravel()
        for i in np.argsort(flat)[::-1][:3]:
            if flat[i] != 0:
                worst.append((what, float(z.flat[i]), float(theirs.flat[i]), float(ours.flat[i]), float(err.flat[i])))
    return {"points": int(z.size), "max_ulp_f": maxima[0], "max_ulp_df": maxima[1], "worst": worst}
