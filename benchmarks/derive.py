"""The first ``derive`` of every catalog activation, each in a fresh process, and the cached call after it.

Scalar activations go through ``symact.derive``, vector ones through ``symact.vector.derive_vector`` at its
default n = 3. The first call excludes ``import symact`` (printed separately); the cached call is the mean
of 2000 repeated calls.

    python benchmarks/derive.py                      # the whole catalog
    python benchmarks/derive.py --only gelu_tanh mish --json derive.json
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

CHILD = """
import json, time, timeit
t0 = time.perf_counter()
import symact
from symact.catalog import VECTOR_CATALOG
from symact.vector import derive_vector
t1 = time.perf_counter()
vector = {name!r} in {{e.name for e in VECTOR_CATALOG}}
call = (lambda: derive_vector({name!r})) if vector else (lambda: symact.derive({name!r}))
first = call()
t2 = time.perf_counter()
assert call() is first
cached = timeit.timeit(call, number=2000) / 2000
print(json.dumps({{"import symact": t1 - t0, "first call": t2 - t1, "cached call": cached}}))
"""


def measure(name: str) -> dict:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", CHILD.format(name=name)], capture_output=True, text=True, env=env, timeout=900
    )
    if done.returncode:
        raise RuntimeError(done.stderr)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", nargs="*", help="activation names, spaces or commas between")
    parser.add_argument("--json", help="write the timings to this file")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    from symact.catalog import CATALOG, VECTOR_CATALOG

    names = [n for part in args.only or [] for n in part.split(",") if n]
    names = names or [e.name for e in (*CATALOG, *VECTOR_CATALOG)]
    load = os.getloadavg() if hasattr(os, "getloadavg") else None
    print(f"load average {load}; {os.cpu_count()} CPUs; each activation in a fresh process")
    print("\n| activation | first call (s) | cached call (µs) | import symact (s) |\n|---|---|---|---|")
    timings = {}
    for name in names:
        t = timings[name] = measure(name)
        row = (name, f"{t['first call']:.3f}", f"{t['cached call'] * 1e6:.1f}", f"{t['import symact']:.2f}")
        print("| " + " | ".join(row) + " |", flush=True)
    slowest = max(timings, key=lambda n: timings[n]["first call"])
    print(f"\nslowest first call: {slowest}, {timings[slowest]['first call']:.3f} s")
    if args.json:
        Path(args.json).write_text(json.dumps(timings, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
