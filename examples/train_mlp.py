"""Train symact's NumPy MLP: scikit-learn's digits if installed, else a synthetic three-arm spiral.

Each hidden layer is ``X @ W + b`` followed by a compiled symact kernel; where f' has a form in the
output (tanh' = 1 - y**2, relu' from the sign of y), the layer keeps no pre-activations.

    python examples/train_mlp.py
"""

import time

import numpy as np

import symact
from symact.nn import check_gradients


def spiral(n=300, classes=3, seed=0):
    """Three interleaved spiral arms in the plane, the classic toy problem no linear model can solve."""
    rng = np.random.default_rng(seed)
    r = np.tile(np.linspace(0.05, 1, n), classes)
    label = np.repeat(np.arange(classes), n)
    angle = 4 * r + 2 * np.pi * label / classes + rng.normal(0, 0.2, r.size)
    return np.column_stack([r * np.sin(angle), r * np.cos(angle)]), label


try:
    from sklearn.datasets import load_digits
except ImportError:
    X, y = spiral()
    data, hidden, epochs, lr = "synthetic spiral (scikit-learn is not installed)", 64, 100, 2e-2
else:
    X, y = load_digits(return_X_y=True)
    X = X / 16.0
    data, hidden, epochs, lr = "scikit-learn digits", 64, 30, 1e-2

order = np.random.default_rng(0).permutation(len(y))
test, train = order[: len(y) // 5], order[len(y) // 5 :]
print(f"data: {data}, {len(train)} train / {len(test)} test, {X.shape[1]} features")

for activation in ("relu", "tanh"):
    sizes = [X.shape[1], hidden, int(y.max()) + 1]
    net = symact.MLP(sizes, activation=activation, learning_rate=lr, epochs=epochs, batch_size=100, seed=0)
    start = time.perf_counter()
    net.fit(X[train], y[train])
    seconds = time.perf_counter() - start
    curve = ", ".join(f"{net.loss_curve_[i - 1]:.3f} (epoch {i})" for i in (1, epochs // 2, epochs))
    print(f"{net!r} trained in {seconds:.1f} s; loss {curve}")
    print(f"  test accuracy {net.score(X[test], y[test]):.1%}")
    print(f"  {net.layers[0]} keeps pre-activations: {net.layers[0].keeps_preactivations}")

# The backward pass against central differences, on a few examples.
print("max relative gradient error:", f"{check_gradients(net, X[train[:20]], y[train[:20]]):.1e}")
