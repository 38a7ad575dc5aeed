"""User-defined activations with exponentials of unrelated rates: f, f', f'' against mpmath, up to |x| = 2000.

Each expression multiplies or divides exponential-like factors (exp, sigmoid, tanh, softplus, erfc, sinh,
cosh) whose rates differ, so that one factor overflows where another underflows while the product is a number:
the case the stable forms must get right far from 0. The reference is the expression as written, evaluated by
mpmath with 60 + 2|x| digits, more where 40 more digits change the result. Printed per expression and
derivative: the largest error in ULPs where the reference is a normal float64 (subnormal and zero references: in
units of the smallest normal), where it occurs, and whether the kernel gave NaN or inf for a number, or NaN where
the truth overflows float64. The summary counts the kernels within 4 ULP and these failures.

    python benchmarks/wild.py                       # about a minute, NumPy backend
    python benchmarks/wild.py --backend numba --only "exp(0.3*x)*sigmoid(2*x)*(1 - sigmoid(2*x))"
"""

from __future__ import annotations

import argparse
import sys
import warnings
from pathlib import Path

import mpmath
import numpy as np
import sympy as sp

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout without installing

import symact  # noqa: E402
from symact.catalog import x  # noqa: E402
from symact.errors import SymactError  # noqa: E402
from symact.functions import expand_named  # noqa: E402
from symact.parsing import parse  # noqa: E402

EXPRESSIONS = [
    "exp(0.3*x)*sigmoid(2*x)*(1 - sigmoid(2*x))",
    "exp(2.5*x)*sigmoid(-3*x)**2",
    "exp(0.5*x)*sigmoid(-2.5*x)",
    "exp(0.7*x)/(1 + exp(0.5*x))",
    "exp(0.3*x)/(1 + exp(3*x))**2",
    "exp(0.3*x)/(1 + exp(2.3*x))",
    "x*exp(-2.5*x)*sigmoid(3*x)**2",
    "exp(x)*(1 - tanh(2*x)**2)",
    "exp(3*x)*(1 - tanh(0.3*x)**2)",
    "exp(0.3*x)*softplus(-x)",
    "exp(2*x)*softplus(-2.5*x)",
    "log(1 + exp(0.7*x))*exp(2.3*x)",
    "log(1 + exp(0.7*x))*exp(-x)",
    "exp(0.7*x)*erfc(0.7*x)",
    "exp(1.5*x)*erfc(2*x)",
    "sinh(1.5*x)/cosh(0.7*x)**2",
    "exp(x)/cosh(2.3*x)",
    "softplus(0.7*x)*sigmoid(0.5*x)",
    "x*tanh(exp(1.5*x))",
    "x*tanh(softplus(0.7*x))",
]
POINTS = np.concatenate([-np.logspace(-3, np.log10(800), 25), [0.0], np.logspace(-3, np.log10(800), 25)])
POINTS = np.concatenate([POINTS, [2e3, -2e3]])
TINY = np.finfo(np.float64).tiny


def errors(got: np.ndarray, want: list) -> tuple[np.ndarray, np.ndarray]:
    """Per point: the error in ULPs (subnormal or zero references: in units of TINY), and 1 where the kernel gave
    NaN or inf for a number, 2 where it gave NaN for an infinity (the truth overflows float64)."""
    err, broken = np.zeros(got.size), np.zeros(got.size, dtype=int)
    for i, (g, w) in enumerate(zip(got, want)):
        if w is None:  # no real value there
            continue
        wf = float(w) if abs(w) < mpmath.mpf(2) ** 1024 else (np.inf if w > 0 else -np.inf)
        if np.isnan(g) or (np.isinf(g) and not np.isinf(wf)):
            err[i], broken[i] = np.inf, 2 if np.isinf(wf) else 1
        elif np.isinf(wf):
            err[i] = 0.0 if g == wf else np.inf
        elif abs(wf) < TINY:
            err[i] = abs(g - wf) / TINY
        else:
            err[i] = float(abs(g - w)) / float(np.spacing(abs(wf)))
    return err, broken


def reference(expr: sp.Expr, order: int) -> list:
    """The ``order``-th derivative at POINTS, by mpmath with 60 + 2|x| digits (1 - sigmoid(2x) loses 0.87|x|
    digits), raised until 40 more change nothing (1 - tanh(exp(1.5x))**2 loses 0.87 exp(1.5x)) or it is below
    the subnormals; None where it has no real value."""
    fn = sp.lambdify(x, sp.diff(expr, x, order), modules="mpmath")

    def at(p: float, digits: int):
        with mpmath.workdps(digits):
            try:
                r = fn(mpmath.mpf(p))
            except (ZeroDivisionError, ValueError, OverflowError):  # no real value, or mpmath gives up
                return None
            return None if isinstance(r, mpmath.mpc) else +r

    out = []
    for p in POINTS:
        digits = 60 + 2 * int(abs(p))
        r = at(float(p), digits)
        while r is not None and digits < 5000:
            check = at(float(p), digits + 40)
            if check is None:
                break
            if abs(check - r) <= abs(check) * mpmath.mpf(10) ** -30 or abs(check) < mpmath.mpf(TINY) * 2**-60:
                r = check
                break
            digits, r = 2 * digits, at(float(p), 2 * digits)
        out.append(r)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", default="numpy", choices=["numpy", "numba"])
    parser.add_argument("--only", nargs="*", default=EXPRESSIONS)
    args = parser.parse_args()
    print(f"# wild user activations, symact {symact.__version__}, backend {args.backend}\n")
    print("| expression | f | f' | f'' |\n|---|---|---|---|")
    within = broken_total = lost_total = total = 0
    for text in args.only:
        try:
            k = symact.kernel(text, backend=args.backend)
        except SymactError as err:
            print(f"| `{text}` | {type(err).__name__} | | |")
            continue
        expr = expand_named(parse(text))
        cells = []
        for order, fn in enumerate((k, k.grad, k.grad2)):
            with warnings.catch_warnings():
                warnings.simplefilter("error")
                got = fn(POINTS)
            err, broken = errors(got, reference(expr, order))
            worst = int(np.argmax(err))
            total += 1
            within += bool(err.max() <= 4)
            broken_total += bool((broken == 1).any())
            lost_total += bool((broken == 2).any())
            notes = [f"{(broken == 1).sum()} NaN/inf"] if (broken == 1).any() else []
            notes += [f"{(broken == 2).sum()} NaN for inf"] if (broken == 2).any() else []
            note = f" ({', '.join(notes)})" if notes else ""
            cells.append(f"{err[worst]:.3g} at {POINTS[worst]:.4g}{note}")
        print(f"| `{text}` | {' | '.join(cells)} |", flush=True)
    print(
        f"\n{within} of {total} within 4 ULP; {broken_total} with NaN or inf for a number, "
        f"{lost_total} with NaN where the truth overflows"
    )


if __name__ == "__main__":
    main()
