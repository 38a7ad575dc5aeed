"""Throughput of f and f' on 1e6-element arrays, median of interleaved runs, per backend, against the floors.

Compared in one run, per kernel and dtype, the timings of a kernel's row taking turns round by round (so that
the shared machine's load moves them alike): symact's NumPy kernels, its fused numba kernels on one thread and
on all threads (when numba is installed), the fused value_and_grad, the fused f and f' into a preallocated
buffer (``out=``, the terms of the copy they are compared with) on one thread and on all threads, the textbook
NumPy formula (benchmarks/accuracy.py's NAIVE), torch.nn.functional on one thread and on all threads (f' as
the autograd backward pass, the forward graph built outside the timing), and the two floors: a copy of the
array (``np.copyto``, the memory floor) and ``np.exp`` (one transcendental). Ratios are symact's time over
the other's (below 1: symact is faster); the closing lines give geometric means and worst cases. The header
records the commit, CPU, cores, versions and load average (again at the end); ``--json`` writes every timing.

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
from timing import interleaved  # noqa: E402

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


def _torch_entries(name, data) -> dict[str, tuple]:
    """torch's f and f' (autograd's backward pass) as timing entries (threads as set), or none."""
    try:
        import torch  # noqa: F401

        from symact.testing.frameworks import framework_functions

        table = framework_functions("torch")
    except (ImportError, symact.ParameterError):
        return {}
    if name not in table:
        return {}
    import torch

    fn = table[name]
    t = torch.from_numpy(data)
    leaf = t.clone().requires_grad_(True)
    out = fn(leaf)
    ones = torch.ones_like(out)
    return {"f": (None, partial(fn, t)), "f'": (None, partial(torch.autograd.grad, out, leaf, ones, retain_graph=True))}


def _torch_threads(n: int) -> None:
    try:
        import torch
    except ImportError:
        return
    torch.set_num_threads(n)


def _groups(name, data, buffer, cores) -> list[tuple]:
    """One kernel's row as groups of timings measured interleaved, each (setup, {label: (setup, fn)}): torch's
    threads are set once per group (switching them per call costs more than the calls; its idle OpenMP threads
    spin for a while after a parallel call, which would slow whatever runs next), so torch on all threads is a
    group of its own, with the copy as its reference."""
    from symact.kernels import fused

    entries = {"copy": (None, partial(np.copyto, buffer, data)), "np.exp": (None, partial(np.exp, data))}
    k = symact.kernel(name, backend="numpy")
    entries |= {"numpy f": (None, partial(k, data)), "numpy f'": (None, partial(k.grad, data))}
    if fused.available():
        kf = symact.kernel(name, backend="numba")
        for label, threads in (("numba 1", 1), ("numba all", None)):
            setup = partial(fused.set_threads, threads)
            entries |= {
                f"{label} f": (setup, partial(kf, data)),
                f"{label} f'": (setup, partial(kf.grad, data)),
                f"{label} f, f'": (setup, partial(kf.value_and_grad, data)),
                f"{label} out= f": (setup, partial(kf, data, out=buffer)),
                f"{label} out= f'": (setup, partial(kf.grad, data, out=buffer)),
            }
    naive = NAIVE[name]
    entries |= {"naive f": (None, partial(naive[0], data)), "naive f'": (None, partial(naive[1], data))}
    torch_entries = _torch_entries(name, data)
    entries |= {f"torch 1 {part}": e for part, e in torch_entries.items()}
    groups = [(partial(_torch_threads, 1), entries)]
    if torch_entries:
        alone = {"copy (torch all)": entries["copy"]} | {f"torch all {p}": e for p, e in torch_entries.items()}
        groups.append((partial(_torch_threads, cores), alone))
    return groups


def run(names, dtype, repeat: int, size: int) -> dict:
    """Per kernel, the median time of every timing (``_groups``) in ms, measured interleaved group by group."""
    rng = np.random.default_rng(0)
    data = (3 * rng.standard_normal(size)).astype(dtype)
    buffer = np.empty_like(data)
    rows = {}
    for name in names:
        row = {}
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            for setup, entries in _groups(name, data, buffer, os.cpu_count() or 1):
                setup()
                row |= interleaved(entries, repeat)
        _torch_threads(1)
        rows[name] = row
    return rows


def _ms(v) -> str:
    return "" if v is None else f"{v:.3g}"


def _geomean(values) -> float | None:
    values = [v for v in values if v is not None]
    return float(np.exp(np.mean(np.log(values)))) if values else None


TIMES = ["copy", "np.exp", "numpy f", "numpy f'", "numba 1 f", "numba 1 f'", "numba 1 f, f'", "numba all f",
         "numba all f'", "naive f", "naive f'", "torch 1 f", "torch 1 f'", "torch all f", "torch all f'"]  # fmt: skip
# name: (symact's time, the other's); "best" is the faster single-thread symact backend
RATIOS = {
    "best/naive f": ("best f", "naive f"),
    "best/naive f'": ("best f'", "naive f'"),
    "numba1/torch1 f": ("numba 1 f", "torch 1 f"),
    "numba1/torch1 f'": ("numba 1 f'", "torch 1 f'"),
    "all/torch all f": ("numba all f", "torch all f"),
    "all/torch all f'": ("numba all f'", "torch all f'"),
    "f,f'/f": ("numba 1 f, f'", "numba 1 f"),
    "f,f'/f'": ("numba 1 f, f'", "numba 1 f'"),  # what value_and_grad adds to f' alone
    "numba1/np.exp f": ("numba 1 f", "np.exp"),
    "out=/copy f": ("numba 1 out= f", "copy"),
    "out=/copy f'": ("numba 1 out= f'", "copy"),
    "all out=/copy f": ("numba all out= f", "copy"),
    "all out=/copy f'": ("numba all out= f'", "copy"),
}


def _with_best(row: dict) -> dict:
    best = {}
    for part in ("f", "f'"):
        found = [row[k] for k in (f"numpy {part}", f"numba 1 {part}") if k in row]
        best[f"best {part}"] = min(found)
    return row | best


def table(rows: dict, dtype, size: int) -> str:
    """The Markdown table: times per backend and the floors (ms), then the ratios."""
    lines = [
        f"{size:.0e} {np.dtype(dtype).name} elements; times in ms, median of interleaved runs; copy = np.copyto "
        "into a buffer (the memory floor), np.exp = one transcendental; best = the faster single-thread symact backend",
        "",
        "| activation | " + " | ".join(TIMES + list(RATIOS)) + " |",
        "|" + "---|" * (1 + len(TIMES) + len(RATIOS)),
    ]
    ratios = {r: [] for r in RATIOS}
    for name, row in rows.items():
        row = _with_best(row)
        cells = [_ms(row.get(k)) for k in TIMES]
        for key, (a, b) in RATIOS.items():
            v = row[a] / row[b] if a in row and b in row else None
            ratios[key].append(v)
            cells.append("" if v is None else f"{v:.2f}")
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
    print(f"# Speed: {args.size:.0e} elements, median of {args.repeat} interleaved runs")
    print(f"commit {env['commit']}, {env['cpu']}, {env['cores']} cores, "
          + ", ".join(f"{k} {v}" for k, v in env["versions"].items()) + f", load average {env['load_average']}")  # fmt: skip
    dtypes = {"float64": [np.float64], "float32": [np.float32], "both": [np.float64, np.float32]}[args.dtype]
    results = {"environment": env, "size": args.size, "repeat": args.repeat, "runs": {}}
    for dtype in dtypes:
        rows = run(names, dtype, args.repeat, args.size)
        print(f"\n## {np.dtype(dtype).name}\n")
        print(table(rows, dtype, args.size), flush=True)
        results["runs"][np.dtype(dtype).name] = {"kernels": rows}
    results["environment"]["load_average_end"] = os.getloadavg() if hasattr(os, "getloadavg") else None
    print(f"\nload average at the end {results['environment']['load_average_end']}")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
