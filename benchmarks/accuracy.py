"""Accuracy of f and f' for every catalog activation, in ULPs against mpmath at 50 digits.

Points: 1000 magnitudes log-spaced in [1e-8, 700] with both signs, 2001 points on [-10, 10],
and special values (0, -0.0, +-inf, nan, subnormals, +-89, +-1e308). Parameters at their defaults.
Compared side by side: symact's kernels (the NumPy backend, and the fused numba one when numba is
installed), the textbook NumPy formula, SymPy's default ``lambdify``
of the same expressions, scipy.special where it has the function, and torch (gradient by autograd)
when installed. NaN or inf where the true value is finite counts as a failure (shown as ``FAIL``).
A second table measures activations as a user writes them (a sigmoid as exp(x)/(1 + exp(x)), sinc,
ISRU, ...): symact's kernel of the typed expression against SymPy's lambdify of it.

    python benchmarks/accuracy.py               # float64 and float32 tables (markdown)
    python benchmarks/accuracy.py --only gelu silu
    python benchmarks/accuracy.py --user        # only the activations written by hand (USER_FORMS)
"""

from __future__ import annotations

import argparse
import platform
import sys
import time
import warnings
from pathlib import Path

import mpmath
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout without installing

import sympy as sp

import symact
from symact import catalog
from symact.functions import MPMATH, expand_named
from symact.kernels.fused import NoScalarForm
from symact.testing.frameworks import benchmark_points, ulp_error

TARGET = 4.0
try:  # the fused backend is measured beside the NumPy one when numba is installed
    import numba  # noqa: F401

    BACKENDS = ("numpy", "numba")
except ImportError:
    BACKENDS = ("numpy",)

SPECIAL = {
    np.float64: [0.0, -0.0, np.inf, -np.inf, np.nan, 5e-324, -5e-324, 2.5e-310, -2.5e-310, 89.0, -89.0, 1e308, -1e308],
    np.float32: [0.0, -0.0, np.inf, -np.inf, np.nan, 1e-45, -1e-45, 1e-40, -1e-40, 89.0, -89.0, 3e38, -3e38],
}


# ---- the textbook NumPy formulas (what one writes by hand) --------------------------------------


def _sig(t):
    return 1 / (1 + np.exp(-t))


def _sp(t):
    return np.log(1 + np.exp(t))


def _erf(t):
    from scipy.special import erf

    return erf(t).astype(t.dtype)


_C = np.sqrt(2 / np.pi)
SELU_A, SELU_S = 1.6732632423543772, 1.0507009873554805

# fmt: off
NAIVE = {
    "identity":       (lambda t: +t, lambda t: np.ones_like(t)),
    "relu":           (lambda t: np.maximum(t, 0), lambda t: (t > 0).astype(t.dtype)),
    "relu6":          (lambda t: np.minimum(np.maximum(t, 0), 6), lambda t: ((t > 0) & (t < 6)).astype(t.dtype)),
    "leaky_relu":     (lambda t: np.where(t > 0, t, 0.01 * t), lambda t: np.where(t > 0, 1, 0.01).astype(t.dtype)),
    "prelu":          (lambda t: np.where(t > 0, t, 0.25 * t), lambda t: np.where(t > 0, 1, 0.25).astype(t.dtype)),
    "rrelu":          (lambda t: np.where(t > 0, t, 11 / 48 * t), lambda t: np.where(t > 0, 1, 11 / 48).astype(t.dtype)),
    "threshold":      (lambda t: np.where(t > 1, t, 0), lambda t: (t > 1).astype(t.dtype)),
    "elu":            (lambda t: np.where(t > 0, t, np.exp(t) - 1), lambda t: np.where(t > 0, 1, np.exp(t))),
    "celu":           (lambda t: np.where(t > 0, t, np.exp(t) - 1), lambda t: np.where(t > 0, 1, np.exp(t))),
    "selu":           (lambda t: SELU_S * np.where(t > 0, t, SELU_A * (np.exp(t) - 1)),
                       lambda t: SELU_S * np.where(t > 0, 1, SELU_A * np.exp(t))),
    "sigmoid":        (_sig, lambda t: _sig(t) * (1 - _sig(t))),
    "tanh":           (np.tanh, lambda t: 1 - np.tanh(t) ** 2),
    "softsign":       (lambda t: t / (1 + np.abs(t)), lambda t: 1 / (1 + np.abs(t)) ** 2),
    "hardsigmoid":    (lambda t: np.clip(t + 3, 0, 6) / 6, lambda t: ((t > -3) & (t < 3)) / 6),
    "hardtanh":       (lambda t: np.clip(t, -1, 1), lambda t: ((t > -1) & (t < 1)).astype(t.dtype)),
    "sparse_sigmoid": (lambda t: np.clip((t + 1) / 2, 0, 1), lambda t: ((t > -1) & (t < 1)) / 2),
    "softplus":       (_sp, _sig),
    "log_sigmoid":    (lambda t: np.log(_sig(t)), lambda t: 1 - _sig(t)),
    "squareplus":     (lambda t: (t + np.sqrt(t * t + 4)) / 2, lambda t: (1 + t / np.sqrt(t * t + 4)) / 2),
    "sparse_plus":    (lambda t: np.where(t <= -1, 0, np.where(t >= 1, t, (t + 1) ** 2 / 4)),
                       lambda t: np.where(t <= -1, 0, np.where(t >= 1, 1, (t + 1) / 2))),
    "exp":            (np.exp, np.exp),
    "silu":           (lambda t: t * _sig(t), lambda t: _sig(t) * (1 + t * (1 - _sig(t)))),
    "swish":          (lambda t: t * _sig(t), lambda t: _sig(t) * (1 + t * (1 - _sig(t)))),
    "gelu":           (lambda t: 0.5 * t * (1 + _erf(t / np.sqrt(2))),
                       lambda t: 0.5 * (1 + _erf(t / np.sqrt(2))) + t * np.exp(-t * t / 2) / np.sqrt(2 * np.pi)),
    "gelu_tanh":      (lambda t: 0.5 * t * (1 + np.tanh(_C * (t + 0.044715 * t**3))),
                       lambda t: 0.5 * (1 + np.tanh(_C * (t + 0.044715 * t**3)))
                       + 0.5 * t * (1 - np.tanh(_C * (t + 0.044715 * t**3)) ** 2) * _C * (1 + 3 * 0.044715 * t * t)),
    "mish":           (lambda t: t * np.tanh(_sp(t)),
                       lambda t: np.tanh(_sp(t)) + t * _sig(t) * (1 - np.tanh(_sp(t)) ** 2)),
    "hardswish":      (lambda t: t * np.clip(t + 3, 0, 6) / 6,
                       lambda t: np.where(t < -3, 0, np.where(t > 3, 1, (2 * t + 3) / 6))),
    "tanhshrink":     (lambda t: t - np.tanh(t), lambda t: np.tanh(t) ** 2),
    "softshrink":     (lambda t: np.where(t > 0.5, t - 0.5, np.where(t < -0.5, t + 0.5, 0)),
                       lambda t: (np.abs(t) > 0.5).astype(t.dtype)),
    "hardshrink":     (lambda t: np.where(np.abs(t) > 0.5, t, 0), lambda t: (np.abs(t) > 0.5).astype(t.dtype)),
}
# fmt: on


def _scipy_table():
    try:
        from scipy import special as S
    except ImportError:
        return {}
    return {
        "sigmoid": (S.expit, lambda t: S.expit(t) * S.expit(-t)),
        "log_sigmoid": (S.log_expit, lambda t: S.expit(-t)),
        "softplus": (S.softplus, S.expit) if hasattr(S, "softplus") else None,
        "gelu": (lambda t: t * S.ndtr(t), lambda t: S.ndtr(t) + t * np.exp(-t * t / 2) / np.sqrt(2 * np.pi)),
        "silu": (lambda t: t * S.expit(t), lambda t: S.expit(t) * (1 + t * S.expit(-t))),
    }


# ---- reference values --------------------------------------------------------------------------


def _ncdf(a):
    """mpmath's ncdf, with the asymptotic series where mpmath.erfc gives up (|a| > 1e30)."""
    if abs(a) < mpmath.mpf("1e30"):
        return mpmath.ncdf(a)
    if a > 0:
        return mpmath.mpf(1) - mpmath.exp(-(a**2) / 2) / (a * mpmath.sqrt(2 * mpmath.pi))
    return mpmath.exp(-(a**2) / 2) / (-a * mpmath.sqrt(2 * mpmath.pi))


def _mp(expr):
    return sp.lambdify(catalog.x, expr, modules=[{**MPMATH, "Phi": _ncdf}, "mpmath"])


def _exact(fn, t):
    """fn(t) correctly rounded: raise the precision until cancellation cannot hide the leading digits."""
    dps = 50
    while True:
        with mpmath.workdps(dps):
            try:
                value = fn(t)
            except ZeroDivisionError:  # a removable singularity (sin(x)/x at 0): the mean of both sides
                step = mpmath.mpf(10) ** (-dps // 2)
                value = (fn(t + step) + fn(t - step)) / 2
            tiny = value == 0 or abs(value) < mpmath.mpf(10) ** (30 - dps)
        if not tiny or dps >= 1600:  # below 1e-1570 every double rounds to 0
            return value
        dps *= 2


def references(name: str, points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """f and f' at ``points`` from mpmath at 50 digits or more, as float64 (limits at +-inf)."""
    entry = catalog.get(name)
    d = symact.derive(name)
    return _references(d.f.subs(entry.defaults), d.df.subs(entry.defaults), points)


def _references(f_expr, df_expr, points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    f, df = _mp(f_expr), _mp(df_expr)
    out = np.empty((2, points.size))
    for i, t in enumerate(points.tolist()):
        if t != t:
            out[:, i] = np.nan
            continue
        at_infinity = abs(t) == np.inf  # the limit, from the value at +-1e150
        arg = mpmath.mpf("1e150") * (1 if t > 0 else -1) if at_infinity else mpmath.mpf(t)
        for j, fn in enumerate((f, df)):
            value = _exact(fn, arg)
            if at_infinity and abs(value) > 1e100:
                value = mpmath.inf * mpmath.sign(value)
            elif at_infinity and abs(value) < 1e-100:
                value = mpmath.mpf(0)
            out[j, i] = float(value)
    return out[0], out[1]


def measure(got: np.ndarray, want: np.ndarray, dtype) -> tuple[float, float, int]:
    """(max ULP, median ULP, failures): NaN/inf where the true value is finite (in dtype) is a failure."""
    with np.errstate(all="ignore"):
        want_d = want.astype(dtype).astype(np.float64)
    got = np.asarray(got, dtype=np.float64)
    finite_true = np.isfinite(want_d)
    fails = int(np.sum(finite_true & ~np.isfinite(got)) + np.sum(np.isnan(want) != np.isnan(got)))
    err = ulp_error(got, want, dtype)
    err = np.where(np.isfinite(want_d) | np.isnan(want), err, np.where(got == want_d, 0.0, np.nan))
    ok = err[np.isfinite(err)]
    return float(ok.max(initial=0.0)), float(np.median(ok)) if ok.size else 0.0, fails


def kernels(activation: str):
    """(label, kernel) per backend; the fused one only where it has a scalar form of every node."""
    for backend in BACKENDS:
        try:
            yield f"symact {backend}", symact.kernel(activation, backend=backend)
        except NoScalarForm:
            continue


def implementations(name: str, dtype):
    """(label, f, f') for each available implementation, all taking and returning ``dtype`` arrays."""
    entry = catalog.get(name)
    d = symact.derive(name)
    x = catalog.x
    for label, k in kernels(name):
        yield label, k, k.grad
    naive = NAIVE.get(name)
    if naive:
        yield "naive NumPy", naive[0], naive[1]
    lf = sp.lambdify(x, expand_named(d.f.subs(entry.defaults)))
    ldf = sp.lambdify(x, expand_named(d.df.subs(entry.defaults)))
    yield "SymPy lambdify", lf, ldf
    sc = _scipy_table().get(name)
    if sc:
        yield "scipy.special", sc[0], sc[1]
    try:
        from symact.testing.frameworks import framework_functions

        table = framework_functions("torch")
    except symact.ParameterError:
        return
    if name in table:
        yield "torch", *_torch_pair(table[name], dtype)


def _torch_pair(fn, dtype):
    import torch

    tdtype = torch.float64 if dtype == np.float64 else torch.float32

    def f(t):
        return fn(torch.tensor(t, dtype=tdtype)).numpy()

    def df(t):
        v = torch.tensor(t, dtype=tdtype, requires_grad=True)
        (g,) = torch.autograd.grad(fn(v).sum(), v)
        return g.numpy()

    return f, df


def run(names, dtype) -> dict:
    points = np.concatenate([benchmark_points(), np.array(SPECIAL[dtype], dtype=np.float64)])
    points = points.astype(dtype).astype(np.float64)
    points = np.concatenate([np.unique(points[~np.isnan(points)]), [np.nan]])
    results = {}
    for name in names:
        want_f, want_df = references(name, points)
        row = {}
        for label, f, df in implementations(name, dtype):
            cells = []
            for fn, want in ((f, want_f), (df, want_df)):
                with warnings.catch_warnings(), np.errstate(all="ignore"):
                    warnings.simplefilter("ignore")
                    try:
                        got = np.broadcast_to(np.asarray(fn(points.astype(dtype)), dtype=np.float64), points.shape)
                    except Exception as error:  # an implementation that cannot run on these inputs
                        print(f"  {label} {name}: {type(error).__name__}: {error}", file=sys.stderr)
                        got = np.full(points.shape, np.nan)
                cells.append(measure(got, want, dtype))
            row[label] = cells
        results[name] = row
    return results


# ---- activations written by hand, outside the catalog ---------------------------------------------

# fmt: off
USER_FORMS = {
    "sigmoid as exp(x)/(1+exp(x))":   "exp(x)/(1 + exp(x))",
    "sigmoid as 1/(1+exp(-x))":       "1/(1 + exp(-x))",
    "tanh as a quotient of exps":     "(exp(x) - exp(-x))/(exp(x) + exp(-x))",
    "tanh(x/2) as (1-e^-x)/(1+e^-x)": "(1 - exp(-x))/(1 + exp(-x))",
    "softplus as log(1+exp(x))":      "log(1 + exp(x))",
    "swish as x/(1+exp(-x))":         "x/(1 + exp(-x))",
    "sinc":                           "sin(x)/x",
    "x*tanh(exp(x))":                 "x*tanh(exp(x))",
    "Gaussian":                       "exp(-x**2)",
    "ISRU":                           "x/sqrt(1 + x**2)",
    "bent identity":                  "(sqrt(x**2 + 1) - 1)/2 + x",
    "x*atan(x)":                      "x*atan(x)",
}
# fmt: on


def run_user_forms(forms: dict, dtype) -> dict:
    """The same measurement for expressions typed by a user, on the same points but the infinities and +-1e308:
    symact's kernel against SymPy's lambdify of the same expression and of its derivative (the formula as
    written)."""
    special = [t for t in SPECIAL[dtype] if abs(t) < 1000]  # mpmath cannot take tanh(exp(1e308))
    points = np.concatenate([benchmark_points(), np.array(special, dtype=np.float64)]).astype(dtype).astype(np.float64)
    points = np.concatenate([np.unique(points[~np.isnan(points)]), [np.nan]])
    results = {}
    for label, text in forms.items():
        expr = symact.parse(text)
        df_expr = sp.diff(expr, catalog.x)
        want = _references(expr, df_expr, points)
        row = {}
        for impl, f, df in (
            *[(label, k, k.grad) for label, k in kernels(text)],
            ("SymPy lambdify", sp.lambdify(catalog.x, expr), sp.lambdify(catalog.x, df_expr)),
        ):
            with warnings.catch_warnings(), np.errstate(all="ignore"):
                warnings.simplefilter("ignore")
                got = [
                    np.broadcast_to(np.asarray(fn(points.astype(dtype)), dtype=np.float64), points.shape)
                    for fn in (f, df)
                ]
            row[impl] = [measure(g, w, dtype) for g, w in zip(got, want)]
        results[f"{label}: `{text}`"] = row
    return results


def _cell(m) -> str:
    worst, median, fails = m
    text = f"{worst:.3g} / {median:.2g}" if worst < 1e6 else f"{worst:.1e} / {median:.2g}"
    return f"FAIL {fails}; " + text if fails else text


def table(results: dict, dtype, labels=None) -> str:
    labels = labels or (*[f"symact {b}" for b in BACKENDS], "naive NumPy", "SymPy lambdify", "scipy.special", "torch")
    header = "| activation | " + " | ".join(f"{lab} f | {lab} f'" for lab in labels) + " |"
    lines = [header, "|" + "---|" * (1 + 2 * len(labels))]
    within = {lab: [0, 0] for lab in labels}
    for name, row in results.items():
        cells = []
        for lab in labels:
            if lab in row:
                cells += [_cell(row[lab][0]), _cell(row[lab][1])]
                if all(m[0] <= TARGET and m[2] == 0 for m in row[lab]):
                    within[lab][0] += 1
                within[lab][1] += 1
            else:
                cells += ["", ""]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    summary = ", ".join(f"{lab} {a}/{n}" for lab, (a, n) in within.items() if n)
    lines.append("")
    lines.append(
        f"Activations with f and f' both within {TARGET:g} ULP and no NaN/inf failures ({np.dtype(dtype).name}): "
        f"{summary}"
    )
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", nargs="*", help="activation names (default: the whole catalog)")
    parser.add_argument("--dtype", choices=["float64", "float32", "both"], default="both")
    parser.add_argument("--user", action="store_true", help="only the table of activations written by hand")
    args = parser.parse_args(argv)
    names = [] if args.user else args.only or catalog.names()
    start = time.perf_counter()
    print(
        f"# Accuracy: max / median error in ULPs vs mpmath at 50 digits ({platform.machine()}, numpy {np.__version__})"
    )
    dtypes = {"float64": [np.float64], "float32": [np.float32], "both": [np.float64, np.float32]}[args.dtype]
    for dtype in dtypes:
        if names:
            print(f"\n## {np.dtype(dtype).name}\n")
            print(table(run(names, dtype), dtype))
        if args.user or not args.only:
            print(f"\n## Written by hand, not in the catalog ({np.dtype(dtype).name})\n")
            labels = (*[f"symact {b}" for b in BACKENDS], "SymPy lambdify")
            print(table(run_user_forms(USER_FORMS, dtype), dtype, labels=labels))
    print(f"\n({time.perf_counter() - start:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
