"""Cold start of the fused kernels: the first compile, and a second process that finds the disk cache.

Each kernel runs in fresh processes sharing an empty ``SYMACT_CACHE_DIR``: the first builds the NumPy kernel
(symbolic work), writes the generated code and lets numba compile the float64 loops of f, f' and
value_and_grad (a float32 loop compiles on its first float32 call), keeping their machine code; the second
loads that with llvmlite (``symact.kernels.native``), without numba, and finds the kernel in the cache's index
(``symact.kernels.api``), without SymPy. Printed: the first ``kernel(name)(x)`` and then f, f' and value_and_grad
together, after ``import symact`` (printed beside them), and whether the second process imported numba or SymPy.

    python benchmarks/coldstart.py                     # silu, gelu, gelu_tanh, mish, relu
    python benchmarks/coldstart.py --only gelu_tanh --json coldstart.json
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

CHILD = """
import json, sys, time
t0 = time.perf_counter()
import numpy as np, symact
t1 = time.perf_counter()
x = np.linspace(-3, 3, 11)
k = symact.kernel({name!r}, backend='numba')
k(x)
t2 = time.perf_counter()
k.grad(x); k.value_and_grad(x)
t3 = time.perf_counter()
out = {{"import symact": t1 - t0, "first call": t2 - t1, "kernel": t3 - t1}}
out.update(numba="numba" in sys.modules, sympy="sympy" in sys.modules)
print(json.dumps(out))
"""


def measure(name: str, cache: str) -> list[dict]:
    env = {**os.environ, "SYMACT_CACHE_DIR": cache, "PYTHONPATH": str(ROOT)}
    runs = []
    for _ in range(2):
        done = subprocess.run(
            [sys.executable, "-c", CHILD.format(name=name)], capture_output=True, text=True, env=env, timeout=900
        )
        if done.returncode:
            raise RuntimeError(done.stderr)
        runs.append(json.loads(done.stdout.strip().splitlines()[-1]))
    return runs


def _imported(run: dict) -> str:
    """Which of numba and SymPy the process imported."""
    return ", ".join(name for name in ("numba", "sympy") if run[name]) or "neither"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", nargs="*", help="activation names, spaces or commas between")
    parser.add_argument("--json", help="write the timings to this file")
    args = parser.parse_args(argv)
    default = ["silu", "gelu", "gelu_tanh", "mish", "relu"]
    names = [n for part in args.only or [] for n in part.split(",") if n] or default
    load = os.getloadavg() if hasattr(os, "getloadavg") else None
    print(f"load average {load}; seconds; f, f' and value_and_grad on float64")
    print("\n| kernel | first process | second: kernel(name)(x) | second: all three | import symact | imported |")
    print("|---|---|---|---|---|---|")
    results = {}
    for name in names:
        with tempfile.TemporaryDirectory() as cache:
            first, second = measure(name, cache)
        results[name] = {"first": first, "second": second}
        print(f"| {name} | {first['kernel']:.2f} | {second['first call']:.3f} | {second['kernel']:.3f} | "
              f"{second['import symact']:.2f} | {_imported(second)} |")  # fmt: skip
    if args.json:
        Path(args.json).write_text(json.dumps({"load_average": load, "kernels": results}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
