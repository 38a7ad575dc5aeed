"""Check a framework's activation against the math: values and gradients, in ULPs.

A "framework" here is the textbook NumPy code one writes by hand for silu and gelu (the exact erf
form) and their derivatives. symact's compiled kernels (accurate to a few ULP, checked against mpmath) are the
reference, evaluated at the benchmark points: log-spaced |x| from 1e-8 to 700 and a dense grid on
[-10, 10]. With PyTorch installed, ``symact.crosscheck`` does the same for torch and its autograd.

    python examples/check_framework_activation.py
"""

import math

import numpy as np

import symact
from symact.testing.frameworks import benchmark_points, ulp_error


def silu(x):
    return x / (1 + np.exp(-x))


def silu_grad(x):
    s = 1 / (1 + np.exp(-x))
    return s * (1 + x * (1 - s))


def Phi(x):  # NumPy has no erf; scipy.special.erf would do as well
    return 0.5 * (1 + np.frompyfunc(math.erf, 1, 1)(x / np.sqrt(2)).astype(np.float64))


def gelu(x):
    return x * Phi(x)


def gelu_grad(x):
    return Phi(x) + x * np.exp(-(x**2) / 2) / np.sqrt(2 * np.pi)


xs = benchmark_points()
for name, f, df in [("silu", silu, silu_grad), ("gelu", gelu, gelu_grad)]:
    k = symact.kernel(name)
    with np.errstate(all="ignore"):  # the textbook formulas overflow on the way; that is what we measure
        theirs, theirs_grad = f(xs), df(xs)
    print(f"{name} (textbook NumPy) vs symact.kernel at {xs.size} points, float64:")
    for what, got, want in (("f ", theirs, k(xs)), ("f'", theirs_grad, k.grad(xs))):
        err = ulp_error(got, want)
        bad = np.isnan(err)  # NaN or inf where the true value is finite
        worst = int(np.argmax(np.where(bad, np.inf, err)))
        at = f"x = {xs[worst]:.6g}: got {got[worst]:.17g}, want {want[worst]:.17g}"
        print(f"  {what}: max {np.nanmax(err):.3g} ULP, {bad.sum()} NaN/inf; worst at {at}")

try:
    import torch  # noqa: F401
except ImportError:
    print("torch is not installed: skipping symact.crosscheck('gelu', 'torch')")
else:
    print(symact.crosscheck("gelu", "torch"))
