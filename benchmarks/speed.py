"""Throughput of f and f' on 1e6-element arrays, median of repeated runs, side by side, per backend.

Compared in one run: symact's NumPy kernels, its fused numba kernels on one thread and on all threads
(when numba is installed), the fused value_and_grad, the fused f and f' on one thread into a preallocated
buffer (``out=``, the terms of the copy they are compared with), the textbook NumPy formula
(benchmarks/accuracy.py's NAIVE), torch.nn.functional on one thread and on all threads (f' as the autograd backward pass, the
forward graph built outside the timing), a copy of the array (the memory floor) and np.exp (the
transcendental floor). Ratios are symact's time over the other's (below 1: symact is faster); the
closing lines give geometric means and worst cases. The header records the commit, CPU, cores,
versions and load average; ``--json`` writes every timing.

    python benchmarks/speed.py                     # float64 and float32, the whole catalog
    python benchmarks/speed.py --only silu gelu --dtype float64 --repeat 9 --json speed.json
    python benchmarks/speed.py --only relu,relu6,hardtanh --size 100000
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import warnings
from functools import partial
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout without installing
sys.path.insert(0, str(Path(__file__).resolve().parent))

from accuracy import NAIVE  # noqa: E402
from timing import timeit  # noqa: E402

import symact  # noqa: E402
from symact import catalog  # noqa: E402

SIZE = 1_000_000


def environment() -> dict:
    """Commit, CPU model, cores, library versions and load average of this run."""
    root = Path(__file__).resolve().parents[1]
    try:
        commit = subprocess.run(["git", "-C", str(root), "rev-parse", "--short", "HEAD"], capture_output=True,
                                text=True, timeout=10).stdout.strip() or None  # fmt: skip
    except OSError:
        commit = None
    cpu = platform.processor() or platform.machine()
    try:
        cpu = next(line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    versions = {"numpy": np.__version__, "symact": symact.__version__}
    for name in ("numba", "torch"):
        try:
            versions[name] = __import__(name).__version__
        except ImportError:
            versions[name] = None
    return {"commit": commit, "cpu": cpu, "cores": os.cpu_count(), "versions": versions,
            "load_average": os.getloadavg() if hasattr(os, "getloadavg") else None,
            "python": platform.python_version(), "machine": platform.machine()}  # fmt: skip


def _torch_timers(name, data, repeat, threads):
    try:
        import torch

        from symact.testing.frameworks import framework_functions

        table = framework_functions("torch")
    except (ImportError, symact.ParameterError):
        return None
    if name not in table:
        return None
    torch.set_num_threads(threads)
    fn = table[name]
    t = torch.from_numpy(data)
    tf = timeit(lambda: fn(t), repeat)
    leaf = t.clone().requires_grad_(True)
    out = fn(leaf)
    ones = torch.ones_like(out)
    tdf = timeit(lambda: torch.autograd.grad(out, leaf, ones, retain_graph=True), repeat)
    return tf, tdf


def run(names, dtype, repeat: int, size: int) -> tuple[dict, dict]:
    from symact.kernels import fused

    rng = np.random.default_rng(0)
    data = (3 * rng.standard_normal(size)).astype(dtype)
    buffer = np.empty_like(data)
    floors = {
        "copy": timeit(lambda: np.copyto(buffer, data), repeat),
        "np.exp": timeit(lambda: np.exp(data), repeat),
    }
    cores = os.cpu_count() or 1
    rows = {}
    for name in names:
        row = {}
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            k = symact.kernel(name, backend="numpy")
            row["numpy"] = (timeit(partial(k, data), repeat), timeit(partial(k.grad, data), repeat))
            row["numpy f, f'"] = timeit(partial(k.value_and_grad, data), repeat)
            if fused.available():
                kf = symact.kernel(name, backend="numba")
                for label, threads in (("numba 1", 1), ("numba all", None)):
                    fused.set_threads(threads)
                    row[label] = (timeit(partial(kf, data), repeat), timeit(partial(kf.grad, data), repeat))
                    row[label + " f, f'"] = timeit(partial(kf.value_and_grad, data), repeat)
                fused.set_threads(1)  # into a buffer, as the copy: the memory floor's terms
                row["numba 1 out="] = tuple(timeit(partial(g, data, out=buffer), repeat) for g in (kf, kf.grad))
            naive = NAIVE[name]
            row["naive"] = (timeit(partial(naive[0], data), repeat), timeit(partial(naive[1], data), repeat))
        row["torch 1"] = _torch_timers(name, data, repeat, 1)
        row["torch all"] = _torch_timers(name, data, repeat, cores)
        rows[name] = row
    return floors, rows


def _ms(v) -> str:
    return "" if v is None else f"{v:.2f}"


def _ratio(a, b) -> str:
    return "" if a is None or b is None else f"{a / b:.2f}"


def _pick(row, key, i):
    v = row.get(key)
    return None if v is None else v[i]


def _geomean(values) -> float | None:
    values = [v for v in values if v is not None]
    return float(np.exp(np.mean(np.log(values)))) if values else None


def table(floors: dict, rows: dict, dtype, size: int) -> str:
    """The Markdown table: times per backend, then ratios of the best single-thread symact time."""
    columns = [("numpy", 0), ("numpy", 1), ("numba 1", 0), ("numba 1", 1), ("numba 1 f, f'", None),
               ("numba all", 0), ("numba all", 1), ("naive", 0), ("naive", 1), ("torch 1", 0), ("torch 1", 1),
               ("torch all", 0), ("torch all", 1)]  # fmt: skip
    names = [f"{k} {['f', chr(39) + 'f' + chr(39)][i]}" if i is not None else k for k, i in columns]
    ratio_names = ["best/naive f", "best/naive f'", "numba1/torch1 f", "numba1/torch1 f'",
                   "all/torch all f", "all/torch all f'", "f,f'/f", "out=/copy f", "out=/copy f'"]  # fmt: skip
    lines = [
        f"Floors: copy {floors['copy']:.2f} ms, np.exp {floors['np.exp']:.2f} ms "
        f"({size:.0e} {np.dtype(dtype).name} elements; times in ms, median; best = the faster single-thread "
        "symact backend)",
        "",
        "| activation | " + " | ".join(names + ratio_names) + " |",
        "|" + "---|" * (1 + len(names) + len(ratio_names)),
    ]
    ratios = {r: [] for r in ratio_names}
    for name, r in rows.items():
        cells = [_ms(r.get(k) if i is None else _pick(r, k, i)) for k, i in columns]
        best = [min(v for v in (_pick(r, "numpy", i), _pick(r, "numba 1", i)) if v is not None) for i in (0, 1)]
        values = [
            best[0] / r["naive"][0], best[1] / r["naive"][1],
            *[None if _pick(r, "torch 1", i) is None or _pick(r, "numba 1", i) is None
              else _pick(r, "numba 1", i) / _pick(r, "torch 1", i) for i in (0, 1)],
            *[None if _pick(r, "torch all", i) is None or _pick(r, "numba all", i) is None
              else _pick(r, "numba all", i) / _pick(r, "torch all", i) for i in (0, 1)],
            None if "numba 1" not in r else r["numba 1 f, f'"] / r["numba 1"][0],
            *[None if "numba 1 out=" not in r else r["numba 1 out="][i] / floors["copy"] for i in (0, 1)],
        ]  # fmt: skip
        for key, v in zip(ratio_names, values):
            ratios[key].append(v)
        cells += ["" if v is None else f"{v:.2f}" for v in values]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    lines.append("")
    for key, values in ratios.items():
        present = [v for v in values if v is not None]
        if present:
            lines.append(f"- {key}: geometric mean {_geomean(present):.2f}, worst {max(present):.2f} "
                         f"({list(rows)[values.index(max(present))]}), {len(present)} kernels")  # fmt: skip
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", nargs="*", help="activation names, spaces or commas between (default: all)")
    parser.add_argument("--dtype", choices=["float64", "float32", "both"], default="both")
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--size", type=int, default=SIZE, help="elements per array (default 1e6)")
    parser.add_argument("--json", help="write the environment and every timing to this file")
    args = parser.parse_args(argv)
    names = [n for part in args.only or [] for n in part.split(",") if n] or catalog.names()
    env = environment()
    print(f"# Speed: {args.size:.0e} elements, median of {args.repeat} runs")
    print(f"commit {env['commit']}, {env['cpu']}, {env['cores']} cores, "
          + ", ".join(f"{k} {v}" for k, v in env["versions"].items()) + f", load average {env['load_average']}")  # fmt: skip
    dtypes = {"float64": [np.float64], "float32": [np.float32], "both": [np.float64, np.float32]}[args.dtype]
    results = {"environment": env, "size": args.size, "repeat": args.repeat, "runs": {}}
    for dtype in dtypes:
        floors, rows = run(names, dtype, args.repeat, args.size)
        print(f"\n## {np.dtype(dtype).name}\n")
        print(table(floors, rows, dtype, args.size))
        results["runs"][np.dtype(dtype).name] = {"floors": floors, "kernels": rows}
    results["environment"]["load_average_end"] = os.getloadavg() if hasattr(os, "getloadavg") else None
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
