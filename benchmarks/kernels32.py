"""float32 kernel parts computed with ``symact.kernels.vmath32`` against the float64 kernel, on EVERY float32 of
a range.

For each float32 x of the range, the float32 loop's result (``Plan.float32``: vmath32's functions, a sum's
condition number certified outside the Taylor patch windows, the float64 patch rounded inside) is compared
with the float64 kernel at the same x (within a few float64 ULPs of the exact value: about 2**-28 float32 ULP):
the largest error in float32 ULPs of that value (the plan's bound holds where it is at most the bound, give or
take 2**-28), and the largest distance in float32 ULPs to the float64 kernel rounded, with how many differ.

    nice python benchmarks/kernels32.py                                  # gelu and silu f', their ranges
    python benchmarks/kernels32.py --only silu:grad:-105:18 --sample 10000000
"""

from __future__ import annotations

import argparse
import platform
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout without installing

import symact  # noqa: E402
from symact.kernels.plan import float32_parts, part_plans  # noqa: E402

# name:part:low:high, the range where the float32 result is neither 0 nor a constant
DEFAULT = ["gelu:grad:-15:6", "silu:grad:-105:18"]
CHUNK = 1 << 22


def _ordered(v: np.ndarray) -> np.ndarray:
    """float32 bits as integers in the order of the values (+-0 both 0)."""
    i = v.view(np.int32).astype(np.int64)
    return np.where(i < 0, -(i & 0x7FFFFFFF), i)


def _floats(low: float, high: float, sample: int | None):
    """Every float32 of [low, high] (or a seeded sample of ``sample`` of them, uniform over the bits), in
    chunks."""
    lo, hi = (int(_ordered(np.array([v], np.float32))[0]) for v in (low, high))
    if sample:
        ords = np.sort(np.random.default_rng(0).integers(lo, hi + 1, sample))
        chunks = [ords[i : i + CHUNK] for i in range(0, ords.size, CHUNK)]
    else:
        chunks = (np.arange(s, min(s + CHUNK, hi + 1)) for s in range(lo, hi + 1, CHUNK))
    for ords in chunks:
        bits = np.where(ords < 0, (-ords) | 0x80000000, ords).astype(np.uint32)
        yield bits.view(np.float32)


def measure(name: str, part: str, low: float, high: float, sample: int | None) -> dict:
    """The row of one kernel part on [low, high]."""
    k = symact.kernel(name, backend="numba")
    call = k if part == "f" else getattr(k, part)
    worst_err, worst_x, worst_dist, differ, count = 0.0, None, 0, 0, 0
    for xs in _floats(low, high, sample):
        got = call(xs)
        wide = call(xs.astype(np.float64))
        with np.errstate(all="ignore"):
            err = np.abs(got.astype(np.float64) - wide) / np.spacing(np.abs(wide).astype(np.float32))
        err = np.where(got == wide, 0.0, err)
        dist = np.abs(_ordered(got) - _ordered(wide.astype(np.float32)))
        i = int(np.argmax(err))
        if err[i] > worst_err:
            worst_err, worst_x = float(err[i]), float(xs[i])
        worst_dist, differ, count = max(worst_dist, int(dist.max())), differ + int((dist > 0).sum()), count + xs.size
    bound = float32_parts(part_plans(k.definition))[part]
    return dict(count=count, err=worst_err, at=worst_x, dist=worst_dist, differ=differ, bound=bound)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", nargs="*", default=DEFAULT, help="name:part:low:high ...")
    parser.add_argument("--sample", type=int, default=None, help="a seeded sample of each range instead")
    args = parser.parse_args()
    print(f"# {platform.processor() or platform.machine()}, numpy {np.__version__}")
    print(
        "| kernel | part | range | floats | max error (ULP) | at | max distance to float64 rounded | differ | bound |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for spec in args.only:
        name, part, low, high = spec.split(":")
        start = time.perf_counter()
        r = measure(name, part, float(low), float(high), args.sample)
        print(
            f"| {name} | {part} | [{low}, {high}] | {r['count']:,} | {r['err']:.6f} | {r['at']!r} | {r['dist']} |"
            f" {r['differ']:,} | {r['bound']} |  ({time.perf_counter() - start:.0f} s)"
        )


if __name__ == "__main__":
    main()
