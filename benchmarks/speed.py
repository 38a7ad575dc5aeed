"""Throughput of f and f' on 1e6-element arrays, median of repeated runs, side by side.

Compared in one run: symact's kernels, the textbook NumPy formula (benchmarks/accuracy.py's NAIVE),
SymPy's default ``lambdify``, torch.nn.functional with one thread (f' as the autograd backward pass,
the forward graph built outside the timing), a copy of the array (the memory floor) and np.exp
(the transcendental floor). Ratios are symact's time over the other's (below 1: symact is faster).

    python benchmarks/speed.py                     # float64 and float32, the whole catalog
    python benchmarks/speed.py --only silu gelu --dtype float64 --repeat 9
    python benchmarks/speed.py --only relu,relu6,hardtanh
"""

from __future__ import annotations

import argparse
import platform
import sys
import time
import warnings
from functools import partial
from pathlib import Path

import numpy as np
import sympy as sp

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout without installing
sys.path.insert(0, str(Path(__file__).resolve().parent))

from accuracy import NAIVE  # noqa: E402

import symact  # noqa: E402
from symact import catalog  # noqa: E402
from symact.functions import expand_named  # noqa: E402

SIZE = 1_000_000


def timeit(fn, repeat: int) -> float:
    """Median wall time of ``fn()`` in milliseconds over ``repeat`` runs (after one warm-up)."""
    fn()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return 1e3 * float(np.median(times))


def _torch_timers(name, data, repeat):
    try:
        import torch

        from symact.crosscheck import framework_functions

        table = framework_functions("torch")
    except (ImportError, symact.ParameterError):
        return None, None
    if name not in table:
        return None, None
    torch.set_num_threads(1)
    fn = table[name]
    t = torch.from_numpy(data)
    tf = timeit(lambda: fn(t), repeat)
    leaf = t.clone().requires_grad_(True)
    out = fn(leaf)
    ones = torch.ones_like(out)
    tdf = timeit(lambda: torch.autograd.grad(out, leaf, ones, retain_graph=True), repeat)
    return tf, tdf


def run(names, dtype, repeat: int) -> tuple[dict, dict]:
    rng = np.random.default_rng(0)
    data = (3 * rng.standard_normal(SIZE)).astype(dtype)
    buffer = np.empty_like(data)
    floors = {
        "copy": timeit(lambda: np.copyto(buffer, data), repeat),
        "np.exp": timeit(lambda: np.exp(data), repeat),
    }
    rows = {}
    x = catalog.x
    for name in names:
        k = symact.kernel(name)
        entry, d = catalog.get(name), symact.derive(name)
        lf = sp.lambdify(x, expand_named(d.f.subs(entry.defaults)))
        ldf = sp.lambdify(x, expand_named(d.df.subs(entry.defaults)))
        naive = NAIVE[name]
        row = {}
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            row["symact"] = (timeit(partial(k, data), repeat), timeit(partial(k.grad, data), repeat))
            row["symact f, f'"] = timeit(partial(k.value_and_grad, data), repeat)
            row["naive"] = (timeit(partial(naive[0], data), repeat), timeit(partial(naive[1], data), repeat))
            row["lambdify"] = (timeit(partial(lf, data), repeat), timeit(partial(ldf, data), repeat))
        row["torch"] = _torch_timers(name, data, repeat)
        rows[name] = row
    return floors, rows


def _ms(v) -> str:
    return "" if v is None else f"{v:.2f}"


def _ratio(a, b) -> str:
    return "" if a is None or b is None else f"{a / b:.2f}"


def table(floors: dict, rows: dict, dtype) -> str:
    lines = [
        f"Floors: copy {floors['copy']:.2f} ms, np.exp {floors['np.exp']:.2f} ms "
        f"({SIZE:.0e} {np.dtype(dtype).name} elements; times in ms, median)",
        "",
        "| activation | symact f | symact f' | symact f+f' | naive f | naive f' | lambdify f | lambdify f' "
        "| torch f | torch f' | symact/naive f | symact/naive f' | symact/torch f | symact/torch f' | f / np.exp |",
        "|" + "---|" * 15,
    ]
    faster = [0, 0]
    for name, r in rows.items():
        s, n, lam, t = r["symact"], r["naive"], r["lambdify"], r["torch"] or (None, None)
        faster[0] += int(s[0] <= n[0] * 1.05) + int(s[1] <= n[1] * 1.05)
        faster[1] += 2
        cells = [
            _ms(s[0]), _ms(s[1]), _ms(r["symact f, f'"]), _ms(n[0]), _ms(n[1]), _ms(lam[0]), _ms(lam[1]),
            _ms(t[0]), _ms(t[1]), _ratio(s[0], n[0]), _ratio(s[1], n[1]), _ratio(s[0], t[0]), _ratio(s[1], t[1]),
            _ratio(s[0], floors["np.exp"]),
        ]  # fmt: skip
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    lines.append("")
    lines.append(
        f"symact at least as fast as the naive formula (within 5%): {faster[0]} of {faster[1]} kernels (f and f')"
    )
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", nargs="*", help="activation names, spaces or commas between (default: all)")
    parser.add_argument("--dtype", choices=["float64", "float32", "both"], default="both")
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args(argv)
    names = [n for part in args.only or [] for n in part.split(",") if n] or catalog.names()
    print(f"# Speed: 1e6 elements, median of {args.repeat} runs ({platform.machine()}, numpy {np.__version__})")
    dtypes = {"float64": [np.float64], "float32": [np.float32], "both": [np.float64, np.float32]}[args.dtype]
    for dtype in dtypes:
        print(f"\n## {np.dtype(dtype).name}\n")
        print(table(*run(names, dtype, args.repeat), dtype))
    return 0


if __name__ == "__main__":
    sys.exit(main())
