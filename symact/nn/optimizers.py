"""The MLP's optimisers: each updates its parameters in place from their gradients.

>>> import numpy as np
>>> p = [np.array([1.0])]
>>> SGD(p, learning_rate=0.5, momentum=0.0).step(p, [np.array([1.0])])
>>> p
[array([0.5])]
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

__all__ = ["SGD", "Adam"]


class SGD:
    """Gradient descent with momentum: v = mu v - lr g; p += v."""

    def __init__(self, params, learning_rate, momentum):
        self.lr, self.mu = learning_rate, momentum
        self.velocity = [np.zeros_like(p) for p in params]

    def step(self, params: Sequence[np.ndarray], grads: Sequence[np.ndarray]) -> None:
        """Update ``params`` in place by one momentum step from their ``grads``."""
        for p, g, v in zip(params, grads, self.velocity):
            v *= self.mu
            v -= self.lr * g
            p += v

    def finite(self, params: Sequence[np.ndarray]) -> bool:
        """Whether the parameters and the velocities are all finite (a step that overflowed has made them not)."""
        return _finite([*params, *self.velocity])


class Adam:
    """Kingma & Ba's Algorithm 1 (as torch.optim.Adam): p -= lr * m_hat / (sqrt(v_hat) + eps). Each step computes
    in two scratch arrays per parameter, the operations and their order those of the formula (the same bits)."""

    def __init__(self, params, learning_rate, beta1=0.9, beta2=0.999, eps=1e-8):
        self.lr, self.b1, self.b2, self.eps, self.t = learning_rate, beta1, beta2, eps, 0
        self.m = [np.zeros_like(p) for p in params]
        self.v = [np.zeros_like(p) for p in params]
        self._scratch = [(np.empty_like(p), np.empty_like(p)) for p in params]

    def step(self, params: Sequence[np.ndarray], grads: Sequence[np.ndarray]) -> None:
        """Update ``params`` in place by one bias-corrected Adam step from their ``grads``."""
        self.t += 1
        step_size = float(self.lr / (1 - self.b1**self.t))
        root_correction = float(np.sqrt(1 - self.b2**self.t))
        for p, g, m, v, (a, b) in zip(params, grads, self.m, self.v, self._scratch):
            m *= self.b1
            m += np.multiply(g, 1 - self.b1, out=a)  # m = b1 m + (1 - b1) g
            v *= self.b2
            v += np.multiply(np.multiply(g, g, out=a), 1 - self.b2, out=a)  # v = b2 v + (1 - b2) g^2
            denominator = np.add(np.divide(np.sqrt(v, out=a), root_correction, out=a), self.eps, out=a)
            p -= np.divide(np.multiply(m, step_size, out=b), denominator, out=b)

    def finite(self, params: Sequence[np.ndarray]) -> bool:
        """Whether the parameters and both moments are all finite: a gradient beyond 1e154 overflows g**2, and
        v = inf would stop that parameter's updates for good."""
        return _finite([*params, *self.m, *self.v])


def _finite(arrays: list[np.ndarray]) -> bool:
    """Whether every element of ``arrays`` is finite (a sum is: one pass, no temporary)."""
    with np.errstate(over="ignore", invalid="ignore"):
        return all(np.isfinite(np.add.reduce(a, axis=None)) for a in arrays)
