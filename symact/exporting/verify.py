"""The check an export runs: f and f' against symact's kernel, and the framework's own gradient checks.

``verify_export`` compares the exported function with ``crosscheck`` (the same ``CrossCheck`` report) in
float64 and float32 at the benchmark points (magnitudes 1e-8 to 700 with both signs: the tails), the kinks, 0,
+-inf and NaN. f and f' must be ``within`` ``ulp_bounds``, in ULPs of the dtype, relative at every magnitude: the
catalog row's bounds in float64 (the kernel's documented worst case), ``FLOAT32_SLACK`` times them in float32 (the
framework's float32 exp, log1p and tanh are not correctly rounded, and errors compound). A result below ``SMALL``
times the dtype's smallest normal is measured in units of the smallest normal (a subnormal factor's rounding); in
JAX one below ``FLUSHED`` of them may also be 0 (XLA on CPU flushes subnormal intermediates). The reference is
symact's float64 kernel at the same inputs; where the export misses it, mpmath decides (the kernel has an error
of its own).

One allowance, absolute: f' read from the output y (``saves_output``: sigmoid, tanh, elu, softplus, ...) is a
function g of y alone, and y is rounded (within its own bound of ``b`` ULPs). There f' may also miss by
``b`` ULPs of y times |g'(y)| (g' = d f'/dy, at the true y and the export's), what y's rounding moves g by: where
y saturates (tanh's and sigmoid's tails, where y rounds to +-1 and f' to 0; elu's, where y rounds to -alpha) f' is
then right only in absolute terms. f' in x has no allowance. The derivative at each kink must be the one the kink
policy gives. Then ``torch.autograd.gradcheck`` and ``gradgradcheck`` (or ``jax.test_util.check_grads`` to order
2) run in float64 at points away from the kinks. A measurement, never a proof: the status is *checked* or
*refuted*.

Where a torch export's ``function`` runs symact's fused kernel (``symact.exporting.eager``) both paths are checked,
each against the same references and bounds: the function a user calls (the kernel in float32 and float64) and the
generated module (``Exported.generated``: what half precision, ``torch.compile`` and ``source()`` run). A problem
names its path; ``crosschecks`` are the function's. The kernel path costs a tenth of a second more (no mpmath: in
float64 it is the reference itself).

>>> ulp_bounds((4, 6), 'float32')
(16, 24)
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field

import mpmath
import numpy as np
import sympy as sp

from symact.budget import check, guard
from symact.derivation import y
from symact.errors import ExportFailed
from symact.exporting.source import Parts, parts
from symact.functions import mp_function
from symact.kernels import kernel
from symact.kernels.definition import Definition
from symact.proof import CHECKED, REFUTED, Status
from symact.testing.frameworks import CrossCheck, benchmark_points, crosscheck, function_values

__all__ = ["Verification", "verify_export", "ulp_bounds", "within", "FLOAT32_SLACK", "SMALL", "FLUSHED", "output_slack"]

FLOAT32_SLACK = 4
# Below SMALL smallest normals a result is measured in smallest normals: a subnormal factor (whose ULP is the
# smallest normal's) times a number up to SMALL gives one (gelu's x*Phi(x) near x = -37.6 in float64). XLA on CPU
# flushes subnormal results and intermediates to 0: a JAX result below FLUSHED smallest normals may also be 0.
SMALL, FLUSHED = 2.0**6, 2.0**10
_SPECIAL = np.array([0.0, np.inf, -np.inf, np.nan])


def ulp_bounds(bounds: tuple[float, float], dtype: str) -> tuple[float, float]:
    """The ULP bounds (f, f') an export must meet in ``dtype``, from the kernel's float64 ``bounds``."""
    return bounds if dtype == "float64" else (bounds[0] * FLOAT32_SLACK, bounds[1] * FLOAT32_SLACK)


def within(
    got: np.ndarray,
    want: np.ndarray,
    bound: float,
    dtype: str,
    slack: np.ndarray | float = 0.0,
    small: float = 1.0,
    flushed: bool = False,
) -> np.ndarray:
    """Where ``got`` is within ``bound`` ULPs (in ``dtype``) of ``want``, rounded to ``dtype``; where ``want`` is
    below ``small`` (at least 1) times the smallest normal of ``dtype``, within ``bound`` smallest normals, and
    also 0 if ``flushed``. ``slack`` adds an absolute allowance (none by default). NaN matches NaN, an infinity the
    same infinity.

    >>> within(np.array([3e-30, 0.0, 1e-40]), np.array([1e-30, 1e-20, 0.0]), 4, 'float32').tolist()
    [False, False, True]
    """
    got = np.asarray(got, dtype=np.float64)
    with np.errstate(all="ignore"):
        want = np.asarray(want, dtype=dtype).astype(np.float64)
        tiny = float(np.finfo(dtype).tiny)
        below = np.abs(want) < small * tiny
        unit = np.where(below, tiny, np.spacing(np.abs(want).astype(dtype)).astype(np.float64))
        close = np.abs(got - want) <= bound * unit + slack
    return close | (below & flushed & (got == 0)) | (got == want) | (np.isnan(got) & np.isnan(want))


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
    p = parts(definition, output=False)
    paths = {"": exported.function}
    if exported.generated is not exported.function:  # the kernel's path, and the generated module's
        paths = {"kernel path: ": exported.function, "generated module: ": exported.generated}
    checks, at = [], _smooth_points(definition)
    for label, fn in paths.items():
        if exported.framework == "jax":  # compiled once per dtype (eagerly, each operation compiles on its own)
            fn = importlib.import_module("jax").jit(fn)
        for dtype in ("float64", "float32"):
            with guard():  # the framework's tracing and checks end at the running call's deadline too
                report = crosscheck(
                    definition.entry, fn, kink=definition.kink, points=points, dtype=dtype, budget=None, **params
                )
                problems += [label + problem for problem in _problems(exported, p, points, fn, report, dtype)]
            reports.setdefault(dtype, report)  # the function's own: what a user calls
        with guard():
            checks.append((_torch_checks if exported.framework == "torch" else _jax_checks)(fn, at))
        if not checks[-1][0]:
            problems.append(label + "the framework's first-order gradient check failed")
        if not checks[-1][1]:
            problems.append(label + "the framework's second-order gradient check failed")
    first, second = (all(c[i] for c in checks) for i in (0, 1))
    verification = Verification(definition.name, exported.framework, reports, first, second, problems)
    if problems:
        raise ExportFailed(str(verification))
    return verification


def _problems(exported, p: Parts, points: np.ndarray, fn, report: CrossCheck, dtype: str) -> list[str]:
    """What ``fn`` (``exported``'s function or its generated module's) misses in ``dtype``: f and f' beyond the
    bounds at ``points``, f' at a kink (``report``)."""
    definition, problems = exported.definition, []
    bounds = ulp_bounds(definition.entry.ulp_bounds, dtype)
    xs = points.astype(dtype)
    theirs = function_values(fn, xs)
    small, flushed = (FLUSHED, True) if exported.framework == "jax" else (SMALL, False)
    want_f, want_df = _references(definition, xs)
    slack = output_slack(definition, xs, want_f, theirs[0], bounds[0]) if exported.saves_output else 0.0
    for what, got, want, expr, bound, extra in zip(
        ("f", "f'"), theirs, (want_f, want_df), (p.f, p.df), bounds, (0.0, slack)
    ):
        ok = within(got, want, bound, dtype, extra, small, flushed)
        exact = mp_function(expr)
        for i in np.flatnonzero(~ok & np.isfinite(points)):  # the kernel's own error may differ: mpmath decides
            at = slice(i, i + 1)  # in order, up to the first point it does not clear (the one a problem names)
            want = np.array([_exact(exact, float(xs[i]))])
            ok[i] = within(got[at], want, bound, dtype, extra[at] if np.ndim(extra) else extra, small, flushed)[0]
            if not ok[i]:
                break
        if not ok.all():
            problems.append(f"{what} in {dtype} beyond {bound} ULP at x = {points[~ok][0]!r}")
    if dtype == "float64" and not report.agrees_at_kinks:
        problems.append(f"f' at a kink differs from kink={definition.kink!r}")
    return problems


def _references(definition, xs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """f and f' at ``xs`` from the float64 kernel."""
    k = kernel(definition.entry, kink=definition.kink, budget=None, **dict(definition.params))
    return k(xs.astype(np.float64)), k.grad(xs.astype(np.float64))


def output_slack(definition: Definition, xs: np.ndarray, f: np.ndarray, output: np.ndarray, bound: float) -> np.ndarray:
    """What f' read from the output may miss by at ``xs``, beyond its ULPs: ``bound`` ULPs of y (in ``xs``'s dtype)
    times |g'| for g, f' written in y, at the true y (``f``) and at the export's (``output``).

    >>> from symact.kernels.definition import resolve
    >>> y = np.array([1.0, 0.5])
    >>> output_slack(resolve('tanh', 'torch', {}), y.astype('float32'), y, y, 4).tolist()  # 4 * 2**-23 * |-2y|
    [9.5367431640625e-07, 2.384185791015625e-07]
    """
    slope = sp.lambdify(y, parts(definition).d2f, "numpy")
    with np.errstate(all="ignore"):
        steep = np.maximum(*(np.abs(np.broadcast_to(slope(v), v.shape)) for v in (f, np.asarray(output, np.float64))))
        return np.nan_to_num(bound * np.spacing(np.abs(f).astype(xs.dtype)).astype(np.float64) * steep)


def _exact(fn, t: float) -> float:
    """``fn`` (``mp_function``) at ``t`` to the nearest float64 (overflowing to infinity): the precision doubled
    from 30 digits until two evaluations agree to 1e-22 or both lie far beyond float64's range (mpmath's exp of a
    huge argument has few right digits at a low precision, yet is 0 or inf in float64 at any). Bounded by the
    running call's budget.

    >>> _exact(mp_function(sp.exp(-10**300 * sp.Symbol('x', real=True))), 1.0)
    0.0
    """
    dps, last = 30, None
    with guard():
        while True:
            check()
            with mpmath.workdps(dps):
                value = fn(mpmath.mpf(t))
            if last is not None and (abs(value - last) <= abs(value) * mpmath.mpf(1e-22) or _beyond(value, last)):
                break
            if dps >= 960:
                break
            dps, last = 2 * dps, value
    with np.errstate(over="ignore"):
        return float(mpmath.re(value))


def _beyond(value, last) -> bool:
    """Whether both are real, of one sign and far beyond float64's range (below 2**-1100 or above 2**1100)."""
    if not (isinstance(value, mpmath.mpf) and isinstance(last, mpmath.mpf)) or (value < 0) != (last < 0):
        return False
    return all(v == 0 or abs(mpmath.mag(v)) > 1100 for v in (value, last))


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
