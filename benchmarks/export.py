"""Exported activations (``symact.export``) against the framework's own and the textbook formula with autograd.

Forward plus backward on one thread (torch's and symact's fused kernels'), fastest of repeated runs taken in
turns (on a shared machine the others measure its load), 1e5 and 1e6 elements of ``3 * standard_normal`` in
float32 and float64: symact's export (``export``: eager CPU float32 and float64 run symact's fused kernels,
``symact.exporting.eager``), its generated module alone (``pure``: ``export(..., kernels=False)``, what
``source()`` runs), that under ``torch.compile`` (``compiled``: Inductor fuses its operations into one loop;
compiling takes seconds, not timed), torch's own function (F.silu, F.gelu, F.mish, F.softplus, F.elu,
torch.sigmoid, torch.tanh: ``torch``) and the formula one writes by hand, differentiated by autograd
(``naive``). Then the bytes a 10-layer MLP's training step saves for its backward pass with each (measured
with ``torch.autograd.graph.saved_tensors_hooks``, each storage counted once: the activation's saved output is
also the next layer's saved input). With jax installed, the timings again under ``jax.jit`` (``jax.nn``'s
functions as the framework's own).

    python benchmarks/export.py            # about five minutes
    python benchmarks/export.py --quick    # 1e5 elements alone, 9 runs
"""

from __future__ import annotations

import argparse
import math
import os
import sys
from pathlib import Path

os.environ.setdefault("XLA_FLAGS", "--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout without installing
sys.path.insert(0, str(Path(__file__).resolve().parent))

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402
from timing import interleaved, timeit  # noqa: E402

import symact  # noqa: E402
from symact.kernels import fused  # noqa: E402

NAMES = ["silu", "gelu", "mish", "softplus", "elu", "sigmoid", "tanh"]
TORCH = {"silu": F.silu, "gelu": F.gelu, "mish": F.mish, "softplus": F.softplus, "elu": F.elu,
         "sigmoid": torch.sigmoid, "tanh": torch.tanh}  # fmt: skip


def naive(lib, erf) -> dict:
    """The textbook formulas in ``lib`` (torch or jax.numpy, with its ``erf``), for autograd to differentiate."""
    return {
        "silu": lambda t: t / (1 + lib.exp(-t)),
        "gelu": lambda t: 0.5 * t * (1 + erf(t / math.sqrt(2))),
        "mish": lambda t: t * lib.tanh(lib.log(1 + lib.exp(t))),
        "softplus": lambda t: lib.log(1 + lib.exp(t)),
        "elu": lambda t: lib.where(t > 0, t, lib.exp(t) - 1),
        "sigmoid": lambda t: 1 / (1 + lib.exp(-t)),
        "tanh": lambda t: (lib.exp(t) - lib.exp(-t)) / (lib.exp(t) + lib.exp(-t)),
    }


def torch_times(data: np.ndarray, repeat: int) -> dict:
    """ms of forward + backward per activation: (export, pure, compiled, torch, naive), taken in turns."""
    x = torch.from_numpy(data).requires_grad_(True)
    ones = torch.ones_like(x)

    def step(fn):
        return None, lambda: torch.autograd.grad(fn(x), x, ones)

    rows = {}
    for name in NAMES:
        pure = symact.export(name, "torch", verify=False, kernels=False).function
        fns = {
            "export": symact.export(name, "torch", verify=False).function,
            "pure": pure,
            "compiled": torch.compile(pure, fullgraph=True),
            "torch": TORCH[name],
            "naive": naive(torch, torch.erf)[name],
        }
        rows[name] = tuple(interleaved({k: step(fn) for k, fn in fns.items()}, repeat, min).values())
    return rows


def saved_bytes(activation, width: int = 256, batch: int = 256, layers: int = 10) -> int:
    """Bytes a ``layers``-layer MLP's training step keeps for backward (each storage once), float32."""
    torch.manual_seed(0)
    net = [torch.nn.Linear(width, width) for _ in range(layers)]
    x = torch.randn(batch, width)
    storages = {}

    def pack(t):
        storages[t.untyped_storage().data_ptr()] = t.untyped_storage().nbytes()
        return t

    with torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
        h = x
        for layer in net:
            h = activation(layer(h))
        loss = h.square().mean()
    loss.backward()
    return sum(storages.values())


def jax_times(data: np.ndarray, repeat: int) -> dict | None:
    """ms of forward + backward under jax.jit per activation: (export, jax.nn, naive); None without jax."""
    try:
        import jax
        import jax.numpy as jnp
        from jax.scipy.special import erf
    except ImportError:
        return None
    jax.config.update("jax_enable_x64", True)
    own = {"silu": jax.nn.silu, "gelu": lambda t: jax.nn.gelu(t, approximate=False), "mish": jax.nn.mish,
           "softplus": jax.nn.softplus, "elu": jax.nn.elu, "sigmoid": jax.nn.sigmoid, "tanh": jnp.tanh}  # fmt: skip
    x = jnp.asarray(data)

    def step(fn):
        run = jax.jit(jax.value_and_grad(lambda t: fn(t).sum()))
        return lambda: jax.block_until_ready(run(x))

    return {
        name: tuple(
            timeit(step(fn), repeat, min)
            for fn in (symact.export(name, "jax", verify=False).function, own[name], naive(jnp, erf)[name])
        )
        for name in NAMES
    }


def table(title: str, columns: list[str], rows: dict, pairs: list[tuple[str, str]]) -> str:
    """A Markdown table of ms per column, then the ratios ``pairs`` (a, b): a's time over b's."""
    head = columns + [f"{a}/{b}" for a, b in pairs]
    lines = [f"### {title}", "", "| activation | " + " | ".join(head) + " |", "|---" * (len(head) + 1) + "|"]
    for name, times in rows.items():
        t = dict(zip(columns, times))
        cells = [f"{v:.2f}" for v in times] + [f"{t[a] / t[b]:.2f}" for a, b in pairs]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="1e5 elements alone, 9 runs")
    args = parser.parse_args(argv)
    sizes, repeat = ((100_000,), 9) if args.quick else ((100_000, 1_000_000), 7)
    torch.set_num_threads(1)
    if fused.available():
        fused.set_threads(1)
    print(f"forward + backward, one thread, fastest of {repeat} runs taken in turns, ms; torch {torch.__version__}, "
          f"symact's kernels {'fused' if fused.available() else 'not installed'}, "
          f"load average {os.getloadavg()[0]:.1f}\n")  # fmt: skip
    columns = ["export", "pure", "compiled", "torch", "naive"]
    pairs = [("export", "torch"), ("pure", "torch"), ("compiled", "torch"), ("export", "naive")]
    for size in sizes:
        data = 3 * np.random.default_rng(0).standard_normal(size)
        for dtype in ("float32", "float64"):
            rows = torch_times(data.astype(dtype), repeat)
            print(table(f"torch, {dtype}, {size:.0e} elements", columns, rows, pairs), "\n")
    print("### Saved for backward: a 10-layer MLP (256 wide, batch 256, float32), one training step\n")
    print("| activation | export | torch | naive | export/torch |\n|---|---|---|---|---|")
    for name in NAMES:
        saved = [
            saved_bytes(fn)
            for fn in (symact.export(name, "torch", verify=False), TORCH[name], naive(torch, torch.erf)[name])
        ]
        print(f"| {name} | " + " | ".join(f"{b / 2**20:.2f} MiB" for b in saved) + f" | {saved[0] / saved[1]:.2f} |")
    print()
    for dtype in ("float32", "float64"):
        rows = jax_times(data.astype(dtype), repeat)
        if rows is None:
            print("jax is not installed: no JAX table")
            break
        jax_pairs = [("export", "jax.nn"), ("export", "naive")]
        print(
            table(f"JAX under jit, {dtype}, {size:.0e} elements", ["export", "jax.nn", "naive"], rows, jax_pairs), "\n"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
