"""The fused backend's branch-free elementary functions against mpmath, and their vectorised loops."""

import json
import math
import os
import subprocess
import sys
from pathlib import Path

import mpmath
import numpy as np
import pytest

from symact.kernels import vmath, vmath_erf

numba = pytest.importorskip("numba")
ROOT = Path(__file__).resolve().parents[1]

# (function, mpmath reference, documented bound in ULPs)
FUNCTIONS = {
    "vexp": (mpmath.exp, 1.0),
    "vexpm1": (mpmath.expm1, 1.25),
    "vlog1p": (mpmath.log1p, 1.0),
    "vtanh": (mpmath.tanh, 1.5),
    "verfc": (mpmath.erfc, 1.1),
    "verf": (mpmath.erf, 1.0),
}
SPECIAL = {  # (x, f(x)) pairs: a dict would merge 0.0 and -0.0
    "vexp": [(math.nan, math.nan), (math.inf, math.inf), (-math.inf, 0.0), (0.0, 1.0), (-0.0, 1.0), (710.0, math.inf)],
    "vexpm1": [
        (math.nan, math.nan),
        (math.inf, math.inf),
        (-math.inf, -1.0),
        (0.0, 0.0),
        (-0.0, -0.0),
        (710.0, math.inf),
    ],
    "vlog1p": [
        (math.nan, math.nan),
        (math.inf, math.inf),
        (-1.0, -math.inf),
        (-2.0, math.nan),
        (-math.inf, math.nan),
        (0.0, 0.0),
        (-0.0, -0.0),
    ],
    "vtanh": [
        (math.nan, math.nan),
        (math.inf, 1.0),
        (-math.inf, -1.0),
        (-0.0, -0.0),
        (0.0, 0.0),
        (30.0, 1.0),
        (-30.0, -1.0),
    ],
    "verfc": [
        (math.nan, math.nan),
        (math.inf, 0.0),
        (-math.inf, 2.0),
        (0.0, 1.0),
        (-0.0, 1.0),
        (27.3, 0.0),
        (1e300, 0.0),
        (-6.5, 2.0),
        (-1e300, 2.0),
    ],
    "verf": [
        (math.nan, math.nan),
        (math.inf, 1.0),
        (-math.inf, -1.0),
        (0.0, 0.0),
        (-0.0, -0.0),
        (6.5, 1.0),
        (-6.5, -1.0),
    ],
}


def _function(name: str):
    return getattr(vmath_erf if name in ("verfc", "verf") else vmath, name)


def _points(name: str) -> np.ndarray:
    rng = np.random.default_rng(7)
    tiny = np.sign(rng.uniform(-1, 1, 3000)) * 10 ** rng.uniform(-320, 0, 3000)
    if name == "vexp":  # the whole range, the subnormal results below -708 and the overflow edge
        return np.concatenate(
            [rng.uniform(-746, 710, 6000), rng.uniform(-1, 1, 2000), rng.uniform(-745.2, -708, 2000), tiny]
        )
    if name == "vexpm1":
        # near 37.2 exp(x) is about 2**53 and its error meets the 1 subtracted: 1.19 ULP (2e7 random points)
        return np.concatenate(
            [rng.uniform(-45, 709.7, 6000), rng.uniform(-2, 2, 4000), rng.uniform(37, 37.4, 2000), tiny]
        )
    if name == "vlog1p":
        return np.concatenate(
            [
                rng.uniform(-1, 1, 5000),
                10 ** rng.uniform(-320, 308, 3000),
                -(10 ** rng.uniform(-320, -1e-9, 2000)),
                tiny,
            ]
        )
    if name in ("verfc", "verf"):  # erf's two forms meet at 0.84375, erfc(-6) is 2, erfc is subnormal from 26.55
        edges = np.array([0.84375, 6.0, 26.55, 27.3, 29.0])
        return np.concatenate(
            [
                rng.uniform(-6.5, 29.5, 6000),
                rng.uniform(-2, 3, 2000),
                (np.sign(rng.uniform(-1, 1, 1000)) * edges[rng.integers(0, 5, 1000)])
                * (1 + rng.uniform(-1e-3, 1e-3, 1000)),
                rng.uniform(26.4, 27.25, 1500),
                tiny,
            ]
        )
    return np.concatenate([rng.uniform(-25, 25, 6000), rng.uniform(-1, 1, 2000), tiny])


def _ulps(got: float, exact: mpmath.mpf) -> float:
    near = float(exact)
    if math.isinf(near) or math.isinf(got):
        return 0.0 if got == near else math.inf
    step = math.ulp(near) if abs(near) >= np.finfo(np.float64).tiny else 5e-324  # subnormal results: one step
    return float(abs(mpmath.mpf(got) - exact) / step)


@pytest.fixture(scope="module")
def loops():
    """Each function as a numba loop over a flat array (the form the fused kernels run in)."""
    vmath.compile_all()
    compiled = {}
    for name in FUNCTIONS:
        fn = _function(name)

        @numba.njit(error_model="numpy")
        def loop(x, out, fn=fn):
            for i in range(x.size):
                out[i] = fn(x[i])

        compiled[name] = loop
    return compiled


@pytest.mark.parametrize("name", FUNCTIONS)
def test_within_the_documented_ulps_of_mpmath(name, loops):
    reference, bound = FUNCTIONS[name]
    xs = _points(name)
    got = np.empty_like(xs)
    with np.errstate(all="ignore"):
        loops[name](xs, got)
    mpmath.mp.dps = 40
    errors = np.array([_ulps(float(g), reference(mpmath.mpf(float(t)))) for t, g in zip(xs, got)])
    worst = int(np.argmax(errors))
    assert errors[worst] <= bound, (name, xs[worst], got[worst], errors[worst])


@pytest.mark.parametrize("name", FUNCTIONS)
def test_special_values_and_signed_zeros(name, loops):
    inputs, expected = np.array(SPECIAL[name], dtype=np.float64).T
    got = np.empty_like(inputs)
    with np.errstate(all="ignore"):
        loops[name](inputs, got)
    np.testing.assert_array_equal(got, expected)
    assert np.array_equal(np.signbit(got), np.signbit(expected)), (name, got)


def test_plain_python_versions_give_the_same_bits_as_the_compiled_ones(loops):
    """Until ``compile_all`` runs in a process the functions are plain Python (struct for the bit casts)."""
    xs = {name: _points(name)[::40].tolist() for name in FUNCTIONS}
    script = (
        "import json, sys; from symact.kernels import vmath, vmath_erf; xs = json.loads(sys.stdin.read()); "
        "m = lambda n: getattr(vmath_erf if n in ('verfc', 'verf') else vmath, n); "
        "print(json.dumps({n: [m(n)(t).hex() for t in v] for n, v in xs.items()}))"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    run = subprocess.run([sys.executable, "-c", script], input=json.dumps(xs), capture_output=True, text=True, env=env)
    python = json.loads(run.stdout)
    for name, points in xs.items():
        got = np.empty(len(points))
        loops[name](np.array(points), got)
        assert python[name] == [float(g).hex() for g in got], name


def test_erfc_of_a_double_double_argument_and_scaled():
    """``erfc_dd(x, dx, scaled)``: erfc(x + dx) to the bound of verfc, times exp(C_HI) where scaled (the band in
    which the NumPy backend takes Mills' series), so that it stays normal down to x = 28."""
    from symact.kernels.helpers import C_HI

    vmath.compile_all()

    @numba.njit(error_model="numpy")
    def loop(x, dx, scaled, out):
        for i in range(x.size):
            out[i] = vmath_erf.erfc_dd(x[i], dx[i], scaled)

    rng = np.random.default_rng(11)
    xs = np.concatenate([rng.uniform(-6, 27, 3000), rng.uniform(0.2, 1.5, 1000)])
    dxs = np.array([math.ulp(t) for t in xs]) * rng.uniform(-0.5, 0.5, xs.size)
    mpmath.mp.dps = 50
    for scaled, factor in ((False, 1), (True, mpmath.exp(mpmath.mpf(C_HI)))):
        points = xs if not scaled else rng.uniform(24, 28, 2000)
        deltas = dxs if not scaled else np.array([math.ulp(t) for t in points]) * rng.uniform(-0.5, 0.5, points.size)
        got = np.empty_like(points)
        loop(points, deltas, scaled, got)
        exact = [mpmath.erfc(mpmath.mpf(float(t)) + mpmath.mpf(float(d))) * factor for t, d in zip(points, deltas)]
        errors = np.array([_ulps(float(g), e) for g, e in zip(got, exact)])
        assert errors.max() <= FUNCTIONS["verfc"][1], (scaled, points[int(np.argmax(errors))], errors.max())


def test_exp_of_a_double_double_exponent_within_0_6_ulp():
    vmath.compile_all()

    @numba.njit(error_model="numpy")
    def loop(hi, lo, out):
        for i in range(hi.size):
            out[i] = vmath.vexp_dd(hi[i], lo[i], 0.0)

    rng = np.random.default_rng(5)
    t = rng.uniform(0, 38, 4000)  # exp(-t**2/2), subnormal results from t = 37.7 on, as gelu's f' takes it
    hi = np.array([vmath.split(v)[0] for v in t])
    lo = t - hi
    got = np.empty_like(t)
    loop(-0.5 * hi * hi, -0.5 * lo * (hi + t), got)
    mpmath.mp.dps = 50
    errors = np.array([_ulps(float(g), mpmath.exp(-(mpmath.mpf(float(v)) ** 2) / 2)) for v, g in zip(t, got)])
    assert errors.max() <= 0.6, (t[int(np.argmax(errors))], errors.max())


def test_fma_rounds_once_compiled_and_in_python():
    """``vmath.fma`` is a*b + c rounded once: the compiled one (LLVM's fma) and the plain Python one (exact
    rationals) agree bit for bit, and differ from a*b + c where its two roundings show."""
    vmath.compile_all()

    @numba.njit(error_model="numpy")
    def loop(a, b, c, out):
        for i in range(a.size):
            out[i] = vmath.fma(a[i], b[i], c[i])

    rng = np.random.default_rng(13)
    a, b = rng.uniform(-2, 2, (2, 2000))
    c = -a * b * rng.choice([1.0, 1 + 2**-40, 0.5], 2000)  # cancellation: a*b + c keeps only a*b's rounding
    a[:3], b[:3], c[:3] = [1e308, 3e-162, 0.0], [10.0, 2e-162, -1.0], [-1e308, 0.0, -0.0]  # inf, subnormal, -0
    got = np.empty_like(a)
    loop(a, b, c, got)
    python = np.array([vmath.fma(x, y, z) for x, y, z in zip(a.tolist(), b.tolist(), c.tolist())])
    assert np.array_equal(got.view(np.int64), python.view(np.int64))
    assert got[0] == math.inf and got[1] == 5e-324 and math.copysign(1.0, got[2]) == -1.0
    assert (got[3:] != a[3:] * b[3:] + c[3:]).sum() > 100
