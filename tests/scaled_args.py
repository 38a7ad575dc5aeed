"""Activations whose exp-like nodes take a scaled argument (sigmoid(1.7*x), exp(3*x), sech(polynomial)**2,
exp(-x**2/2), Phi(x)), and their f and f' at float32 points across the tails, to the nearest float64 (mpmath): in
float32 a rounded 1.7*x would add |1.7x| 2**-24 to the argument, and the node's condition number (|1.7x| in the
tail) would make tens of ULPs of it. The export carries such arguments as a float32 pair.

>>> len(POINTS) > 300 and bool(np.abs(POINTS).max() > 90)
True
"""

import numpy as np

from symact.exporting.source import parts

from .exact import settled_values

CASES = [
    ("swish", {"beta": 1.7}),
    ("gelu_tanh", {}),
    ("x*sigmoid(2.5*x)", {}),
    ("exp(3*x)*(1 - tanh(2*x)**2)", {}),
    ("exp(2.5*x)*sigmoid(-3*x)**2", {}),
    ("x*exp(-x**2/2)", {}),
    ("gelu", {}),
]
# Seeded float32 points of [-100, 100] (none a multiple of 1/8: 3x and 2.5x round).
POINTS = np.random.default_rng(32).uniform(-100, 100, 320).astype(np.float32).astype(np.float64)
# Below this multiple of float32's smallest normal an intermediate (sigmoid(2.5x) beside x) may be subnormal.
FLUSHED = 2.0**20


def references(exported) -> tuple[np.ndarray, np.ndarray]:
    """f and f' of an export's definition at POINTS."""
    p = parts(exported.definition, output=False)
    return settled_values(p.f, POINTS), settled_values(p.df, POINTS)
