"""The float32 functions of ``symact.kernels.vmath32`` on EVERY float32 of their ranges.

For each function and each float32 x of its range (all of them: about 2**31 for exp), the float64 value
before the rounding to float32 is compared with a float64 reference (NumPy's exp, expm1, tanh, x - tanh(x)
by Lambert's continued fraction below |x| = 1.5, or e/(1 + e) forms of e = exp(-|x|), whose error is at most a few float64 ULPs: below 2**-50 relative; erfc(-x/sqrt 2)/2,
below 2**-44 (the rounded argument times erfc's condition number); each checked
against mpmath at 50 digits on 2000 points of each range and printed), and so is the float32 result. The table
gives, per function and range: the largest relative error before rounding in units of float32's u = 2**-24
(what ``vmath32.ERRORS`` bounds: the reference's own error moves it by at most 2**-26 u, 2**-20 u for erfc's),
and the largest error of the float32 result in ULPs (at most 0.5 plus that, up to the reference's own). Ranges: where the
result is neither 0 nor a constant in float32 (beyond them the functions saturate by a select, checked at the
ends).

    nice python benchmarks/accuracy32.py                 # every float32: 5 to 15 min per function on one core
    python benchmarks/accuracy32.py --sample 1000000     # a seeded sample of each range instead
    python benchmarks/accuracy32.py --only ftanh fexp
"""

from __future__ import annotations

import argparse
import math
import platform
import sys
import time
from pathlib import Path

import mpmath
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout without installing

from symact.kernels import vmath32  # noqa: E402
from symact.kernels.vmath import compile_all  # noqa: E402


def _decay(k: float, scale: float, numerator: str):
    """A float64 reference of e/(1 + e) forms and of softplus, e = exp(-k|t|) (a few float64 ULPs), for numba."""
    from numba import njit

    @njit
    def ref(t):
        e = math.exp(-k * abs(t))
        if numerator == "log1p":
            return max(t, 0.0) + math.log1p(e)
        if numerator == "e":
            return scale * e / ((1.0 + e) * (1.0 + e))
        return (e if t < 0 else 1.0) / (1.0 + e)

    return ref


# function -> (float64 reference for numba, mpmath meaning, (low, high) range of x): vmath32.MEANINGS
FUNCTIONS = {
    name: (reference, *vmath32.MEANINGS[name])
    for name, reference in [
        ("fexp", "exp"),
        ("fexpm1", "expm1"),
        ("ftanh", "tanh"),
        ("ftanhshrink", "tanhshrink"),
        ("fsigmoid", (1.0, 1.0, "sig")),
        ("fdsigmoid", (1.0, 1.0, "e")),
        ("fsech2", (2.0, 4.0, "e")),
        ("fsoftplus", (1.0, 1.0, "log1p")),
        ("fncdf", "ncdf"),
    ]
}
CHUNK = 1 << 24
U = 2.0**-24


def _tanhshrink(t: float) -> float:
    """t - tanh(t) as ``symact.kernels.helpers.h_tanhshrink`` computes it for |t| < 1.5."""
    q = 0.0
    for n in range(13, 0, -1):
        q = t * t / ((2 * n + 1) + q)
    return q * t / (q + 1)


def _reference(name: str):
    from numba import njit

    spec = FUNCTIONS[name][0]
    if isinstance(spec, tuple):
        return _decay(*spec)
    if spec == "tanhshrink":  # helpers.h_tanhshrink: Lambert's continued fraction below 1.5 (within 4 ULPs)
        cf = njit(_tanhshrink)
        return njit(lambda t: cf(t) if abs(t) < 1.5 else t - math.tanh(t))
    if spec == "ncdf":  # Phi(t) = erfc(-t/sqrt 2)/2: the C library's erfc, 1/sqrt 2 rounded (t/sqrt 2 within 2**-52)
        return njit(lambda t: 0.5 * math.erfc(-t * 0.7071067811865476))
    fn = getattr(math, spec)
    return njit(lambda t: fn(t))


def _loop(name: str):
    """A numba loop over float32 inputs: the largest relative error before rounding (in u) and ULP error of the
    float32 result against the float64 reference, and where."""
    from numba import njit

    fn, ref = getattr(vmath32, name), _reference(name)

    @njit(error_model="numpy")
    def run(x):
        worst_rel, worst_ulp, at_rel, at_ulp = 0.0, 0.0, 0, 0
        for i in range(x.size):
            t = np.float64(x[i])
            y, want = fn(t), ref(t)
            rel = abs(y - want) / abs(want) / U if want != 0 else abs(y) / U
            if rel > worst_rel:
                worst_rel, at_rel = rel, i
            w32 = abs(np.float32(want))
            if w32 < np.inf:
                ulp = math.ldexp(1.0, max(math.frexp(w32)[1], -125) - 24)  # numpy.spacing of a float32
                err = abs(np.float64(np.float32(y)) - want) / ulp
                if err > worst_ulp:
                    worst_ulp, at_ulp = err, i
            elif np.float32(y) != np.inf:  # it overflows to inf in float32, and so must the result
                worst_ulp, at_ulp = np.inf, i
        return worst_rel, worst_ulp, at_rel, at_ulp

    return run


def _floats(low: float, high: float, sample: int | None):
    """Every float32 in [low, high] in chunks (by their bits), or a seeded sample of them."""
    lo, hi = np.float32(low), np.float32(high)
    if sample:  # uniform over the floats (their bits), both signs
        neg = int(np.abs(lo).view(np.uint32)) + 1 if low < 0 else 0
        pos = int(hi.view(np.uint32)) + 1 if high > 0 else 0
        b = np.random.default_rng(0).integers(0, neg + pos, sample, dtype=np.int64)
        yield np.where(b < neg, b + 0x80000000, b - neg).astype(np.uint32).view(np.float32)
        return
    for sign, top in ((0x80000000, lo if low < 0 else None), (0, hi if high > 0 else None)):
        if top is None:
            continue
        end = int(np.abs(top).view(np.uint32)) + 1
        for start in range(0, end, CHUNK):
            yield (np.arange(start, min(start + CHUNK, end), dtype=np.uint32) + np.uint32(sign)).view(np.float32)


def measure(name: str, sample: int | None) -> dict:
    low, high = FUNCTIONS[name][2]
    run = _loop(name)
    worst_rel, worst_ulp, at_rel, at_ulp, count = 0.0, 0.0, 0.0, 0.0, 0
    for x in _floats(low, high, sample):
        rel, ulp, i, j = run(x)
        if rel > worst_rel:
            worst_rel, at_rel = rel, float(x[i])
        if ulp > worst_ulp:
            worst_ulp, at_ulp = ulp, float(x[j])
        count += x.size
    return {"rel": worst_rel, "at_rel": at_rel, "ulp": worst_ulp, "at_ulp": at_ulp, "count": count}


def _reference_error(name: str) -> float:
    """The float64 reference's largest relative error against mpmath (50 digits) on 2000 points of the range."""
    ref, ref_mp, (low, high) = _reference(name), FUNCTIONS[name][1], FUNCTIONS[name][2]
    xs = np.random.default_rng(1).uniform(low, high, 2000).astype(np.float32).astype(np.float64)
    worst = 0.0
    with mpmath.workdps(50):
        for t in xs:
            exact = ref_mp(mpmath.mpf(float(t)))
            worst = max(worst, float(abs((mpmath.mpf(ref(t)) - exact) / exact)) if exact != 0 else 0.0)
    return worst


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="*", default=list(FUNCTIONS), choices=list(FUNCTIONS))
    parser.add_argument("--sample", type=int, default=None, help="a seeded sample of this many floats per function")
    args = parser.parse_args()
    compile_all()
    what = f"a sample of {args.sample:,} floats" if args.sample else "every float32"
    print(f"# vmath32 on {what} of each range ({platform.processor() or platform.machine()}, numpy {np.__version__})\n")
    print(
        "| function | range | floats | max rel. error before rounding (u) | bound (u) | max error of the float32 (ULP) | reference vs mpmath (rel.) | s |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for name in args.only:
        start = time.perf_counter()
        r = measure(name, args.sample)
        low, high = FUNCTIONS[name][2]
        print(
            f"| {name} | [{low}, {high}] | {r['count']:,} | {r['rel']:.4f} at {r['at_rel']!r} | {vmath32.ERRORS[name]} "
            f"| {r['ulp']:.4f} at {r['at_ulp']!r} | {_reference_error(name):.1e} | {time.perf_counter() - start:.0f} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
