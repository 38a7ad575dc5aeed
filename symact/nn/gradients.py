"""A gradient check: the MLP's backward pass against central finite differences of its loss.

>>> import numpy as np
>>> from symact.nn.mlp import MLP
>>> net = MLP([2, 3, 2], activation='tanh', seed=1)
>>> check_gradients(net, np.ones((2, 2)), [0, 1]) < 1e-7
True
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from symact.errors import ParameterError
from symact.nn.mlp import MLP

__all__ = ["check_gradients"]


def check_gradients(net: MLP, X: npt.ArrayLike, y: npt.ArrayLike, eps: float = 1e-6) -> float:
    """The largest difference between the backward pass and central finite differences of the loss.

    The difference of each parameter is relative to ``max(1, |gradient|)``; run it in float64.

    >>> rng = np.random.default_rng(0)
    >>> net = MLP([3, 4, 2], activation='sigmoid', seed=0)
    >>> check_gradients(net, rng.normal(size=(5, 3)), [0, 1, 1, 0, 1]) < 1e-7
    True
    """
    if net.layers[0].W.dtype != np.float64:
        raise ParameterError(
            "check_gradients", "net", "must use dtype='float64' for finite differences to mean anything"
        )
    X, T = net._check_X(X), net._encode(y, len(X))
    _, grads = net._loss_and_grads(X, T)
    worst = 0.0
    for p, g in zip(net.params, grads):
        flat, gflat = p.reshape(-1), g.reshape(-1)
        for i in range(flat.size):
            saved = flat[i]
            flat[i] = saved + eps
            up, _ = net._loss_and_grads(X, T)
            flat[i] = saved - eps
            down, _ = net._loss_and_grads(X, T)
            flat[i] = saved
            numeric = (up - down) / (2 * eps)
            worst = max(worst, abs(numeric - gflat[i]) / max(1.0, abs(gflat[i])))
    return float(worst)
