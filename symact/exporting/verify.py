"""The check an export runs: f and f' against symact's kernel, and the framework's own gradient checks.

``verify_export`` compares the exported function with ``crosscheck`` (the same ``CrossCheck`` report) in
float64 and float32 at the benchmark points, the kinks, 0, +-inf and NaN, ``within`` ``ulp_bounds``: the catalog
row's bounds in float64 (the kernel's documented worst case), ``FLOAT32_SLACK`` times them in float32 (the
framework's float32 exp, log1p, tanh and erfc are not correctly rounded, and errors compound). The derivative
at each kink must be the one the kink policy gives. Then ``torch.autograd.gradcheck`` and ``gradgradcheck``
(or ``jax.test_util.check_grads`` to order 2) run in float64 at points away from the kinks. A measurement,
never a proof: the status is *checked* or *refuted*.

>>> ulp_bounds((4, 6), 'float32')
(16, 24)
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field

import numpy as np
import sympy as sp

from symact.errors import ExportFailed
from symact.kernels import kernel
from symact.proof import CHECKED, REFUTED, Status
from symact.testing.frameworks import CrossCheck, benchmark_points, crosscheck, function_values, ulp_error

__all__ = ["Verification", "verify_export", "ulp_bounds", "within", "FLOAT32_SLACK"]

FLOAT32_SLACK = 4
_SPECIAL = np.array([0.0, np.inf, -np.inf, np.nan])


def ulp_bounds(bounds: tuple[float, float], dtype: str) -> tuple[float, float]:
    """The ULP bounds (f, f') an export must meet in ``dtype``, from the kernel's float64 ``bounds``."""
    return bounds if dtype == "float64" else (bounds[0] * FLOAT32_SLACK, bounds[1] * FLOAT32_SLACK)


def within(got: np.ndarray, want: np.ndarray, bound: float, dtype: str) -> np.ndarray:
    """Where ``got`` is within ``bound`` ULPs of ``want`` in ``dtype``, or within ``bound`` machine epsilons
    absolute where |want| < 1 (below 1 an absolute error is what the formulas that cancel guarantee: near a
    zero of f', a slope read from a saturated output, subnormal results).

    >>> within(np.array([1e-17, 1.0]), np.array([0.0, 1.0]), 4, 'float64').tolist()
    [True, True]
    """
    scale = np.maximum(np.abs(want), 1.0)
    with np.errstate(all="ignore"):
        close = np.abs(got - want) <= bound * np.finfo(dtype).eps * scale
    return (ulp_error(got, want, dtype) <= bound) | close


@dataclass
class Verification:
    """What ``verify_export`` measured: a ``CrossCheck`` per dtype, the gradient checks and the problems found."""

    name: str
    framework: str
    crosschecks: dict[str, CrossCheck]
    gradcheck: bool
    gradgradcheck: bool
    problems: list[str] = field(default_factory=list)

    @property
    def status(self) -> Status:
        """*checked* when every comparison held, else *refuted*."""
        return REFUTED if self.problems else CHECKED

    @property
    def proved(self) -> bool:
        """Always False: sample points check, they do not prove."""
        return False

    def __str__(self) -> str:
        lines = [f"export of {self.name!r} to {self.framework}: {self.status.value}"]
        lines += [str(report) for report in self.crosschecks.values()]
        lines.append(
            f"  gradcheck: {'passed' if self.gradcheck else 'FAILED'}; "
            f"second order: {'passed' if self.gradgradcheck else 'FAILED'}"
        )
        lines += [f"  problem: {p}" for p in self.problems]
        return "\n".join(lines)


def verify_export(exported: "symact.exporting.api.Exported") -> Verification:  # noqa: F821, UP037
    """Check an ``Exported`` against symact; ``ExportFailed`` (with the report) when anything disagrees."""
    definition = exported.definition
    params = dict(definition.params)
    points = np.concatenate([benchmark_points(), _SPECIAL])
    problems, reports = [], {}
    fn = exported.function
    if exported.framework == "jax":  # compiled once per dtype (eagerly, each operation compiles on its own)
        fn = importlib.import_module("jax").jit(fn)
    for dtype in ("float64", "float32"):
        report = crosscheck(
            definition.entry, fn, kink=definition.kink, points=points, dtype=dtype, budget=None, **params
        )
        bounds = ulp_bounds(definition.entry.ulp_bounds, dtype)
        theirs = function_values(fn, points.astype(dtype))
        k = kernel(definition.entry, kink=definition.kink, budget=None, **params)
        ours = k(points.astype(dtype)), k.grad(points.astype(dtype))
        for what, got, want, bound in zip(("f", "f'"), theirs, ours, bounds):
            bad = points[~within(got, want, bound, dtype)]
            if bad.size:
                problems.append(f"{what} in {dtype} beyond {bound} ULP (and {bound} eps absolute) at x = {bad[0]!r}")
        if dtype == "float64" and not report.agrees_at_kinks:
            problems.append(f"f' at a kink differs from kink={definition.kink!r}")
        reports[dtype] = report
    at = _smooth_points(definition)
    first, second = (_torch_checks if exported.framework == "torch" else _jax_checks)(fn, at)
    if not first:
        problems.append("the framework's first-order gradient check failed")
    if not second:
        problems.append("the framework's second-order gradient check failed")
    verification = Verification(definition.name, exported.framework, reports, first, second, problems)
    if problems:
        raise ExportFailed(str(verification))
    return verification


def _smooth_points(definition) -> np.ndarray:
    """Points in [-4, 4] (float64) at least 1e-2 from every kink: finite differences straddle none."""
    values = definition.values()
    kinks = [float(sp.N(k.subs(values))) for k in definition.derivation().kinks]
    at = np.linspace(-4.05, 3.95, 17)
    return at[np.all(np.abs(at[:, None] - np.array(kinks + [np.inf])[None, :]) > 1e-2, axis=1)]


def _torch_checks(fn, at: np.ndarray) -> tuple[bool, bool]:
    torch = importlib.import_module("torch")
    t = torch.tensor(at, dtype=torch.float64, requires_grad=True)
    first = bool(torch.autograd.gradcheck(fn, (t,), raise_exception=False))
    second = bool(torch.autograd.gradgradcheck(fn, (t,), raise_exception=False))
    return first, second


def _jax_checks(fn, at: np.ndarray) -> tuple[bool, bool]:
    jax = importlib.import_module("jax")
    check_grads = importlib.import_module("jax.test_util").check_grads
    t = jax.numpy.asarray(at, dtype=jax.numpy.float64)
    results = []
    for order in (1, 2):
        try:
            check_grads(fn, (t,), order=order, modes=("fwd", "rev"), eps=1e-6)
            results.append(True)
        except AssertionError:
            results.append(False)
    return results[0], results[1]
