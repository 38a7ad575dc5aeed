"""The float32 functions of ``symact.kernels.vmath32`` on EVERY float32 of their ranges.

For each function and each float32 x of its range (all of them: about 2**31 for exp), the float64 value
before the rounding to float32 is compared with a float64 reference (NumPy's exp, expm1, tanh, or
e/(1 + e) forms of e = exp(-|x|), whose error is at most a few float64 ULPs: below 2**-50 relative, checked
against mpmath at 50 digits on 2000 points of each range and printed), and so is the float32 result. The table
gives, per function and range: the largest relative error before rounding in units of float32's u = 2**-24
(what ``vmath32.ERRORS`` bounds: the reference's own error moves it by at most 2**-26 u), and the largest
error of the float32 result in ULPs (at most 0.5 plus that, up to the reference's 2**-26). Ranges: where the
result is neither 0 nor a constant in float32 (beyond them the functions saturate by a select, checked at the
ends).

    nice python benchmarks/accuracy32.py                 # every float32: about 2 min per function on one core
    python benchmarks/accuracy32.py --sample 1000000     # a seeded sample of each range instead
    python benchmarks/accuracy32.py --only ftanh fexp
"""

from __future__ import annotations

import argparse
import platform
import sys
import time
from pathlib import Path

import mpmath
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout without installing

from symact.kernels import vmath32  # noqa: E402
from symact.kernels.vmath import compile_all  # noqa: E402


def _decay_ref(k: float, scale: float, numerator: str):
    def ref(x):
        e = np.exp(-k * np.abs(x))
        top = {"e": e, "one": np.ones_like(e), "sig": np.where(x < 0, e, 1.0)}[numerator]
        return scale * top / ((1 + e) * (1 + e)) if numerator == "e" else top / (1 + e)

    return ref


# function -> (float64 reference, mpmath reference, (low, high) range of x)
FUNCTIONS = {
    "fexp": (np.exp, mpmath.exp, (-104.0, 89.0)),
    "fexpm1": (np.expm1, mpmath.expm1, (-18.0, 89.0)),
    "ftanh": (np.tanh, mpmath.tanh, (-9.1, 9.1)),
    "fsigmoid": (_decay_ref(1.0, 1.0, "sig"), lambda t: 1 / (1 + mpmath.exp(-t)), (-104.0, 17.4)),
    "fdsigmoid": (
        _decay_ref(1.0, 1.0, "e"),
        lambda t: mpmath.exp(-abs(t)) / (1 + mpmath.exp(-abs(t))) ** 2,
        (-104.0, 104.0),
    ),
    "fsech2": (_decay_ref(2.0, 4.0, "e"), lambda t: mpmath.sech(t) ** 2, (-52.5, 52.5)),
}
CHUNK = 1 << 24
U = 2.0**-24


def _loop(fn):
    from numba import njit

    @njit(error_model="numpy")
    def run(x, out):
        for i in range(x.size):
            out[i] = fn(np.float64(x[i]))

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
    ref64, ref_mp, (low, high) = FUNCTIONS[name]
    run = _loop(getattr(vmath32, name))
    worst_rel, worst_ulp, at_rel, at_ulp, count = 0.0, 0.0, 0.0, 0.0, 0
    for x in _floats(low, high, sample):
        y = np.empty(x.size)
        run(x, y)
        with np.errstate(all="ignore"):
            want = ref64(x.astype(np.float64))
            rel = np.where(want != 0, np.abs(y - want) / np.abs(want), np.abs(y)) / U
            got32 = y.astype(np.float32).astype(np.float64)
            ulp = np.abs(got32 - want) / np.spacing(np.abs(want).astype(np.float32)).astype(np.float64)
            beyond = np.abs(want) > np.finfo(np.float32).max  # overflows to inf in float32, as it should
            assert np.isinf(got32[beyond]).all(), (name, x[beyond][~np.isinf(got32[beyond])][:3])
            ulp[beyond] = 0.0
        i, j = int(np.argmax(rel)), int(np.argmax(ulp))
        if rel[i] > worst_rel:
            worst_rel, at_rel = float(rel[i]), float(x[i])
        if ulp[j] > worst_ulp:
            worst_ulp, at_ulp = float(ulp[j]), float(x[j])
        count += x.size
    return {
        "rel": worst_rel,
        "at_rel": at_rel,
        "ulp": worst_ulp,
        "at_ulp": at_ulp,
        "count": count,
        "ref": _reference_error(name),
    }


def _reference_error(name: str) -> float:
    """The float64 reference's largest relative error against mpmath (50 digits) on 2000 points of the range."""
    ref64, ref_mp, (low, high) = FUNCTIONS[name]
    xs = np.random.default_rng(1).uniform(low, high, 2000).astype(np.float32).astype(np.float64)
    got = ref64(xs)
    worst = 0.0
    with mpmath.workdps(50):
        for t, g in zip(xs, got):
            exact = ref_mp(mpmath.mpf(float(t)))
            worst = max(worst, float(abs((mpmath.mpf(float(g)) - exact) / exact)) if exact != 0 else 0.0)
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
            f"| {r['ulp']:.4f} at {r['at_ulp']!r} | {r['ref']:.1e} | {time.perf_counter() - start:.0f} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
