"""symact's NumPy MLP vs scikit-learn's MLPClassifier vs torch on CPU, on the digits data.

    python benchmarks/mlp.py                       # relu, tanh, gelu, swish; 5 runs each
    python benchmarks/mlp.py --activations relu --repeats 3 --epochs 50
    python benchmarks/mlp.py --batch-size 64       # the batch size of the speed targets

symact runs once per backend: its NumPy kernels, and the fused numba kernels when numba is installed.

scikit-learn's bundled digits (1797 8x8 images, no download), pixels scaled to [0, 1], one fixed
80/20 split (seed 0). A 64-128-10 network, the same for all three: Adam (learning rate 1e-3),
minibatches of 200 shuffled each epoch, L2 alpha 1e-4 on the weights as scikit-learn applies it
(alpha/2 * ||W||^2 / batch), a fixed number of epochs (scikit-learn's early stopping is switched
off with tol=0), float64 unless --dtype float32. Each cell is the median over ``--repeats`` runs
with seeds 0, 1, ..., the three taking turns seed by seed: seconds per epoch of ``fit`` (total fit time / epochs) and test accuracy.
scikit-learn has no gelu or swish, so those rows have no scikit-learn column. torch runs with its
default number of threads, printed in the header.
"""

from __future__ import annotations

import argparse
import functools
import importlib.util
import json
import os
import platform
import statistics
import sys
import time
import warnings
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout without installing
sys.path.insert(0, str(Path(__file__).resolve().parent))

from speed import environment  # noqa: E402

import symact  # noqa: E402
from symact.nn.mlp import MLP  # noqa: E402

SKLEARN_NAMES = {"relu": "relu", "tanh": "tanh", "sigmoid": "logistic", "identity": "identity"}


def digits(seed: int = 0):
    from sklearn.datasets import load_digits

    X, y = load_digits(return_X_y=True)
    X = X / 16.0
    order = np.random.default_rng(seed).permutation(len(X))
    cut = int(0.8 * len(X))
    train, test = order[:cut], order[cut:]
    return X[train], y[train], X[test], y[test]


def run_symact(act, data, args, seed, backend="auto"):
    Xtr, ytr, Xte, yte = data
    net = MLP(
        [64, args.hidden, 10],
        activation=symact.kernel(act, backend=backend),
        solver="adam",
        learning_rate=args.lr,
        alpha=args.alpha,
        batch_size=args.batch_size,
        epochs=args.epochs,
        dtype=args.dtype,
        seed=seed,
    )
    Xtr, Xte = Xtr.astype(args.dtype), Xte.astype(args.dtype)
    start = time.perf_counter()
    net.fit(Xtr, ytr)
    seconds = time.perf_counter() - start
    return seconds / args.epochs, net.score(Xte, yte)


def run_sklearn(act, data, args, seed):
    if act not in SKLEARN_NAMES:
        return None
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier

    Xtr, ytr, Xte, yte = data
    net = MLPClassifier(
        hidden_layer_sizes=(args.hidden,),
        activation=SKLEARN_NAMES[act],
        solver="adam",
        learning_rate_init=args.lr,
        alpha=args.alpha,
        batch_size=args.batch_size,
        max_iter=args.epochs,
        tol=0.0,
        n_iter_no_change=args.epochs + 1,
        shuffle=True,
        random_state=seed,
    )
    Xtr, Xte = Xtr.astype(args.dtype), Xte.astype(args.dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        start = time.perf_counter()
        net.fit(Xtr, ytr)
        seconds = time.perf_counter() - start
    assert net.n_iter_ == args.epochs, net.n_iter_
    return seconds / args.epochs, net.score(Xte, yte)


def run_torch(act, data, args, seed):
    import torch

    modules = {
        "relu": torch.nn.ReLU,
        "tanh": torch.nn.Tanh,
        "sigmoid": torch.nn.Sigmoid,
        "gelu": torch.nn.GELU,
        "swish": torch.nn.SiLU,
        "silu": torch.nn.SiLU,
        "mish": torch.nn.Mish,
        "elu": torch.nn.ELU,
    }
    if act not in modules:
        return None
    dtype = getattr(torch, args.dtype)
    torch.manual_seed(seed)
    net = torch.nn.Sequential(torch.nn.Linear(64, args.hidden), modules[act](), torch.nn.Linear(args.hidden, 10))
    net = net.to(dtype)
    Xtr, ytr, Xte, yte = (torch.as_tensor(a) for a in data)
    Xtr, Xte = Xtr.to(dtype), Xte.to(dtype)
    weights = [p for name, p in net.named_parameters() if name.endswith("weight")]
    biases = [p for name, p in net.named_parameters() if name.endswith("bias")]
    # scikit-learn's L2 term alpha/2 * ||W||^2 / batch adds alpha/batch * W to the weights' gradient
    groups = [{"params": weights, "weight_decay": args.alpha / args.batch_size}, {"params": biases}]
    optimizer = torch.optim.Adam(groups, lr=args.lr)
    loss_fn = torch.nn.CrossEntropyLoss()
    generator = torch.Generator().manual_seed(seed)
    start = time.perf_counter()
    for _ in range(args.epochs):
        order = torch.randperm(len(Xtr), generator=generator)
        for i in range(0, len(Xtr), args.batch_size):
            batch = order[i : i + args.batch_size]
            optimizer.zero_grad()
            loss = loss_fn(net(Xtr[batch]), ytr[batch])
            loss.backward()
            optimizer.step()
    seconds = time.perf_counter() - start
    with torch.no_grad():
        accuracy = (net(Xte).argmax(1) == yte).double().mean().item()
    return seconds / args.epochs, accuracy


def medians(runners, act, data, args):
    """Median (seconds per epoch, accuracy) per runner; the runners take turns, seed by seed, so
    that a change in the machine's load falls on all of them alike."""
    results = [[] for _ in runners]
    for seed in range(args.repeats):
        for cell, runner in zip(results, runners):
            cell.append(runner(act, data, args, seed) if runner is not None else None)
    return [
        None if cell[0] is None else (statistics.median(r[0] for r in cell), statistics.median(r[1] for r in cell))
        for cell in results
    ]


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--activations", nargs="+", default=["relu", "tanh", "gelu", "swish"])
    parser.add_argument("--epochs", type=int, default=100)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--hidden", type=int, default=128)
    parser.add_argument("--batch-size", type=int, default=200)
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--alpha", type=float, default=1e-4)
    parser.add_argument("--dtype", choices=["float64", "float32"], default="float64")
    parser.add_argument("--json", help="write the environment and every median to this file")
    args = parser.parse_args(argv)

    import sklearn

    try:
        import torch

        torch_info = f"torch {torch.__version__} ({torch.get_num_threads()} threads, its default)"
    except ImportError:
        torch, torch_info = None, "torch not installed"
    data = digits()
    print(
        f"digits: {len(data[0])} train / {len(data[2])} test; 64-{args.hidden}-10, adam lr {args.lr}, "
        f"batch {args.batch_size}, {args.epochs} epochs, alpha {args.alpha}, {args.dtype}; "
        f"median of {args.repeats} runs"
    )
    env = environment()
    print(
        f"commit {env['commit']}, {env['cpu']}, {env['cores']} cores, symact {symact.__version__}, numpy {np.__version__}, "
        f"numba {env['versions']['numba']}, scikit-learn {sklearn.__version__}, {torch_info}, "
        f"python {platform.python_version()}, load average {os.getloadavg()[0]:.1f} at the start"
    )
    print()
    backends = ["numpy"] + (["numba"] if importlib.util.find_spec("numba") else [])
    symact_runners = [functools.partial(run_symact, backend=b) for b in backends]
    labels = [f"symact {b}" for b in backends] + ["sklearn", "torch"]
    print(
        "| activation | "
        + " | ".join(f"{lab} ms/epoch" for lab in labels)
        + " | "
        + " | ".join(f"{lab} acc" for lab in labels)
        + " |"
    )
    print("|---|" + "---:|" * (2 * len(labels)))
    rows = {}
    for act in args.activations:
        cells = medians([*symact_runners, run_sklearn, run_torch if torch is not None else None], act, data, args)
        times = [f"{c[0] * 1e3:.2f}" if c else "n/a" for c in cells]
        accs = [f"{c[1] * 100:.1f}%" if c else "n/a" for c in cells]
        print(f"| {act} | " + " | ".join(times + accs) + " |", flush=True)
        rows[act] = {
            lab: None if c is None else {"seconds_per_epoch": c[0], "accuracy": c[1]} for lab, c in zip(labels, cells)
        }
    if args.json:
        Path(args.json).write_text(json.dumps({"environment": env, "args": vars(args), "results": rows}, indent=1))


if __name__ == "__main__":
    main()
