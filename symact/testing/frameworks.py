"""Cross-check a framework's activation and its autograd gradient against symact's kernels.

``crosscheck('gelu', 'torch')`` evaluates ``torch.nn.functional.gelu`` and its gradient in float64
at the benchmark points (log-spaced |x| from 1e-8 to 700, a dense grid on [-10, 10], the kinks),
reports the largest error in ULPs of f and f' against symact's kernel, where they disagree, and the
derivative each framework takes at every kink next to symact's kink policy.

Framework notes: ``jax.nn.gelu`` defaults to the tanh approximation (symact's ``gelu_tanh``),
torch's ``gelu`` to the exact erf form (symact's ``gelu``).

>>> points = benchmark_points()
>>> len(points) > 4000 and bool(points.min() == -700.0)
True
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
import sympy as sp

from symact.budget import DEFAULT_BUDGETS, validate, within
from symact.catalog import CATALOG, Activation, VectorActivation, get
from symact.derivation import activation_entry, derive
from symact.errors import ParameterError
from symact.formula.html import table as html_table
from symact.kernels import kernel
from symact.proof import CHECKED, UNKNOWN, Status
from symact.testing.measure import JAX, TORCH, _installed, ulp_error
from symact.testing.vector_check import vector_errors

__all__ = [
    "crosscheck",
    "CrossCheck",
    "benchmark_points",
    "ulp_error",
    "function_values",
    "framework_function",
    "framework_functions",
    "TORCH",
    "JAX",
]


def benchmark_points(count: int = 1000, grid: int = 2001) -> np.ndarray:
    """``count`` magnitudes log-spaced in [1e-8, 700] with both signs, and ``grid`` points on [-10, 10]."""
    mags = np.logspace(-8, np.log10(700.0), count)
    mags[0], mags[-1] = 1e-8, 700.0
    return np.unique(np.concatenate([-mags, mags, np.linspace(-10, 10, grid)]))


# ---- the frameworks' functions: the catalog rows' ``Ref``s, resolved ----------------------------------


def framework_function(entry: Activation, framework: str, params: Mapping | None = None) -> Callable:
    """The framework's function of a catalog row (its ``Ref``, imported now), with the activation's parameters
    at ``params`` (by name; the defaults otherwise). ``ParameterError`` when the framework is not installed,
    lacks the activation, or lacks a parameter that ``params`` moves from its default.

    >>> from symact.catalog import get
    >>> framework_function(get('relu'), 'tensorflow')
    Traceback (most recent call last):
    symact.errors.ParameterError: crosscheck: parameter 'framework' must be 'torch' or 'jax', got 'tensorflow'
    """
    _installed(framework)
    ref = getattr(entry, framework)
    if ref is None:
        raise ParameterError("crosscheck", "name", f"{framework} has no {entry.name!r}")
    given = {p.name: v for p, v in entry.bind(**(params or {})).items()}
    values = {**{p.name: v for p, v in entry.defaults.items()}, **given}
    for p, default in entry.defaults.items():
        if p.name not in ref.args and values[p.name] != default:
            problem = f"is not a parameter of {framework}'s {ref}: only {p.name}={default} compares"
            raise ParameterError("crosscheck", p.name, problem)
    module, _, name = ref.path.rpartition(".")
    fn, args = getattr(importlib.import_module(module), name), [float(values[a]) for a in ref.args]
    if ref.tensor:  # torch's prelu takes its weight as a tensor
        torch = importlib.import_module("torch")
        return lambda t: fn(t, *(torch.tensor([a], dtype=t.dtype) for a in args), **ref.options)
    return lambda t: fn(t, *args, **ref.options)


def framework_functions(framework: str) -> dict[str, Callable]:
    """The framework's activations by symact name, parameters at their defaults; ``ParameterError`` when it
    is not installed."""
    _installed(framework)
    return {e.name: framework_function(e, framework) for e in CATALOG if getattr(e, framework) is not None}


def function_values(
    fn: Callable, points: np.ndarray, grad: Callable | None = None
) -> tuple[np.ndarray, np.ndarray | None]:
    """f and f' of a user's function at ``points`` (float32 or float64, computed in that dtype).

    A function of torch tensors gets its gradient from torch's autograd and one of JAX arrays from
    ``jax.grad``; a NumPy function gets it from ``grad`` when given, else none (``None``).

    >>> values, grads = function_values(np.tanh, np.array([0.0, 1.0]), grad=lambda t: 1 - np.tanh(t) ** 2)
    >>> grads
    array([1.        , 0.41997434])
    """
    refusals = []  # what a framework raised for its own arrays: the likelier cause if NumPy's fail too
    for attempt in (_torch_values, _jax_values):
        found = attempt(fn, points)
        if isinstance(found, Exception):
            refusals.append(found)
        elif found is not None:
            return found
    try:
        with np.errstate(all="ignore"):
            values = np.asarray(fn(points), dtype=points.dtype)
            grads = None if grad is None else np.asarray(grad(points), dtype=points.dtype)
    except Exception as error:  # the user's or the framework's function refused: say so, as a SymactError
        cause = (refusals or [error])[0]
        problem = f"fails on {points.dtype} points: {type(cause).__name__}: {cause}"
        raise ParameterError("crosscheck", "framework", problem) from error
    return values, grads


def _autograd(fn: Callable, points: np.ndarray) -> bool:
    """Whether ``fn`` runs on torch tensors or JAX arrays (its gradient then comes from autograd)."""
    return any(isinstance(attempt(fn, points[:1]), tuple) for attempt in (_torch_values, _jax_values))


def _torch_values(fn: Callable, points: np.ndarray) -> tuple[np.ndarray, np.ndarray] | Exception | None:
    """f and autograd's f' where ``fn`` takes torch tensors; what it raised for them; None without torch."""
    if "torch" not in sys.modules:  # a torch function means torch is already imported
        return None
    import torch

    t = torch.tensor(points, requires_grad=True)
    try:
        out = fn(t)
    except Exception as error:  # noqa: BLE001  (any refusal of tensors: NumPy is tried next)
        return error
    if not isinstance(out, torch.Tensor):
        return None
    (grad,) = torch.autograd.grad(out.sum(), t)
    return out.detach().numpy().copy(), grad.numpy().copy()


def _jax_values(fn: Callable, points: np.ndarray) -> tuple[np.ndarray, np.ndarray] | Exception | None:
    """f and ``jax.grad``'s f' where ``fn`` takes JAX arrays; what it raised for them; None without JAX."""
    if "jax" not in sys.modules:
        return None
    import jax

    jax.config.update("jax_enable_x64", True)
    try:
        values = jax.vmap(fn)(jax.numpy.asarray(points))
    except Exception as error:  # noqa: BLE001  (any refusal of JAX arrays: NumPy is tried next)
        return error
    if not isinstance(values, jax.Array):
        return None
    grads = jax.vmap(jax.grad(fn))(jax.numpy.asarray(points))
    return np.asarray(values, dtype=points.dtype), np.asarray(grads, dtype=points.dtype)


# ---- the report -----------------------------------------------------------------------------------


@dataclass
class KinkReport:
    """At ``point``: the framework's derivative, symact's under its policy, and which side that is."""

    point: float
    framework: float
    symact: float
    left: float
    right: float

    @property
    def side(self) -> str:
        for label, value in (("left", self.left), ("right", self.right), ("mean", (self.left + self.right) / 2)):
            if np.isclose(self.framework, value, rtol=1e-12, atol=1e-15):
                return label
        return "other"

    @property
    def agrees(self) -> bool:
        return bool(np.isclose(self.framework, self.symact, rtol=1e-12, atol=1e-15))


@dataclass
class CrossCheck:
    """The result of ``crosscheck``: ULP errors of the framework against symact, and the kinks.

    A measurement, never a proof: ``status`` is *checked* when every value compared is finite, else
    *unknown*; ``proved`` is always False.
    """

    name: str
    framework: str
    kink: str
    points: int
    max_ulp_f: float
    max_ulp_df: float
    worst: list = field(default_factory=list)  # (what, x, framework value, symact value, ulps)
    kinks: list = field(default_factory=list)
    dtype: str = "float64"
    gradient: str = "autograd"  # where the framework's f' came from: autograd, the grad= function, or none

    @property
    def status(self) -> Status:
        """*checked* when every ULP error measured is finite (a NaN or infinity is *unknown*)."""
        measured = (self.max_ulp_f,) if self.gradient == "none" else (self.max_ulp_f, self.max_ulp_df)
        finite = all(np.isfinite(u) for u in measured)
        return CHECKED if finite else UNKNOWN

    @property
    def proved(self) -> bool:
        """Always False: a comparison at sample points checks, it does not prove."""
        return False

    @property
    def agrees_at_kinks(self) -> bool:
        """Whether the framework's derivative matches symact's at every kink checked."""
        return all(k.agrees for k in self.kinks)

    def _repr_html_(self) -> str:
        rows = [("f", _fmt(self.max_ulp_f), ""), ("f' (autograd)", _fmt(self.max_ulp_df), "")]
        rows += [(f"worst {what}", _fmt(ulps), f"x = {t:.17g}") for what, t, _, _, ulps in self.worst[:6]]
        rows += [
            (f"kink at {k.point:g}", f"{k.framework:g} ({k.side})", "agrees" if k.agrees else "differs")
            for k in self.kinks
        ]
        caption = f"{self.framework} vs symact for {self.name!r} at {self.points} points"
        return html_table(["what", "max ULP / value", "where"], rows, caption)

    def __str__(self) -> str:
        lines = [
            f"{self.framework} vs symact for {self.name!r} at {self.points} points ({self.dtype}):",
            f"  f: max {_fmt(self.max_ulp_f)} ULP;  "
            + (
                f"f' ({self.gradient}): max {_fmt(self.max_ulp_df)} ULP" if self.gradient != "none" else "f': not given"
            ),
        ]
        for what, t, theirs, ours, ulps in self.worst[:6]:
            lines.append(
                f"  {what} at x = {t:.17g}: {self.framework} {theirs:.17g}, symact {ours:.17g} ({_fmt(ulps)} ULP)"
            )
        for k in self.kinks:
            verdict = "same as" if k.agrees else "differs from"
            lines.append(
                f"  kink at {k.point:g}: {self.framework} takes {k.framework:g} ({k.side}), "
                f"{verdict} symact's kink={self.kink!r} value {k.symact:g}"
            )
        return "\n".join(lines)


def _fmt(value: float) -> str:
    if value != value:
        return "nan/inf (fails)"
    return f"{value:.3g}"


def crosscheck(
    activation: str | sp.Expr,
    framework: str | Callable = TORCH,
    kink: str = "torch",
    points: npt.ArrayLike | None = None,
    dtype: str = "float64",
    grad: Callable | None = None,
    budget: float | None = DEFAULT_BUDGETS["crosscheck"],
    **params: float,
) -> CrossCheck:
    """Compare a framework's activation, or your own function, and its gradient with symact's kernel.

    ``framework`` is ``'torch'``, ``'jax'`` (the framework's function of the same name) or a callable:
    a function of torch tensors or JAX arrays (gradient by autograd) or of NumPy arrays (gradient from
    ``grad`` when given). ``activation`` is any symact definition (a name, an expression string or a SymPy
    expression, with ``params``); ``dtype`` ``'float32'`` or ``'float64'`` is the precision both sides run
    in, and the ULPs are counted in it. Raises ``ParameterError`` when the framework is not installed or
    lacks the activation. ``budget`` bounds the seconds spent (``ProofTimeout`` past it).

    >>> report = crosscheck('tanh', np.tanh, grad=lambda t: 1 - np.tanh(t) ** 2, points=[0.5, 1.0])
    >>> report.max_ulp_f <= 1
    True
    """
    if dtype not in ("float32", "float64"):
        raise ParameterError("crosscheck", "dtype", f"must be 'float32' or 'float64', got {dtype!r}")
    with within(validate(budget, "crosscheck"), "crosscheck"):
        return _crosscheck(activation, framework, kink, points, dtype, grad, params)


def _crosscheck(activation, framework, kink: str, points, dtype: str, grad, params: dict) -> CrossCheck:
    entry = activation_entry(activation, dict(params))
    if isinstance(entry, VectorActivation):  # softmax and its family: f and J^T v along rows of logits
        label = framework if isinstance(framework, str) else getattr(framework, "__qualname__", "function")
        return CrossCheck(entry.name, label, kink, dtype=dtype, **vector_errors(entry, framework, points, dtype))
    if callable(framework):
        fn, label = framework, getattr(framework, "__qualname__", None) or type(framework).__name__
    else:
        entry = get(activation)
        fn, label, activation = framework_function(entry, framework, params), framework, entry.name
    d = derive(activation, kink=kink, budget=None, **params)
    entry = activation_entry(activation, dict(params))
    values = {**entry.defaults, **entry.bind(**params)}  # the kernel's parameter values
    kink_points = [float(sp.N(p.subs(values))) for p in d.kinks]
    xs = benchmark_points() if points is None else np.asarray(points, dtype=np.float64)
    xs = np.unique(np.concatenate([xs, np.array(kink_points, dtype=np.float64)])).astype(dtype)
    theirs_f, theirs_df = function_values(fn, xs, grad)
    source = "none" if theirs_df is None else "grad=" if grad is not None and not _autograd(fn, xs) else "autograd"
    k = kernel(activation, kink=kink, budget=None, **params)
    ours_f, ours_df = k(xs), k.grad(xs)
    away = ~np.isin(xs, np.array(kink_points, dtype=dtype))
    err_f = ulp_error(theirs_f, ours_f, dtype)
    err_df = np.zeros(xs.shape) if theirs_df is None else np.where(away, ulp_error(theirs_df, ours_df, dtype), 0.0)
    worst = []
    for what, err, theirs, ours in (("f", err_f, theirs_f, ours_f), ("f'", err_df, theirs_df, ours_df)):
        order = np.argsort(np.where(np.isnan(err), np.inf, err))[::-1][:3]
        worst += [(what, float(xs[i]), float(theirs[i]), float(ours[i]), float(err[i])) for i in order if err[i] != 0]
    reports = []
    for c, side in zip(kink_points, d.kinks.values()):
        if theirs_df is None:
            break
        i = int(np.flatnonzero(xs == np.array(c, dtype=dtype))[0])
        left, right = (float(sp.N(v.subs(values))) for v in (side.left, side.right))
        reports.append(KinkReport(c, float(theirs_df[i]), float(ours_df[i]), left, right))
    return CrossCheck(
        name=d.name or str(d.f),
        framework=label,
        kink=kink,
        points=len(xs),
        max_ulp_f=_max(err_f),
        max_ulp_df=float("nan") if theirs_df is None else _max(err_df),
        worst=worst,
        kinks=reports,
        dtype=dtype,
        gradient=source,
    )


def _max(err: np.ndarray) -> float:
    return float("nan") if np.isnan(err).any() else float(err.max(initial=0.0))
