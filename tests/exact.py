"""Exact values for the accuracy tests: an expression at float points, to the nearest float64, computed once per
run and shared by the files and workers that test a kernel at the same points (the NumPy and numba backends,
``test_compile.py`` and ``test_fused.py``).

>>> import sympy as sp
>>> from symact.catalog import x
>>> exact_values(sp.exp(x), np.array([0.0, 1.0]))
array([1.        , 2.71828183])
"""

import hashlib
import os
import tempfile

import mpmath
import numpy as np
import sympy as sp

from symact.functions import mp_function

from .shared import SharedResults

_VALUES = SharedResults(os.path.join(os.environ.get("SYMACT_TEST_CACHE_DIR") or tempfile.mkdtemp(), "exact"))


def exact(fn, t):
    """fn(t) at a precision doubled from 40 digits until the value is clear of the rounding noise."""
    dps = 40
    while True:
        with mpmath.workdps(dps):
            value = fn(t)
            if (value != 0 and abs(value) >= mpmath.mpf(10) ** (25 - dps)) or dps >= 1600:
                return value
        dps *= 2


def exact_values(expr: sp.Expr, points: np.ndarray) -> np.ndarray:
    """``expr`` at each of ``points`` (any float dtype), rounded to float64."""
    points = np.asarray(points, dtype=np.float64)
    key = (expr, hashlib.sha256(points.tobytes()).hexdigest())
    if key not in _VALUES:
        fn = mp_function(expr)
        _VALUES[key] = np.array([float(exact(fn, mpmath.mpf(float(t)))) for t in points])
    return _VALUES[key]


def settled_values(expr: sp.Expr, points: np.ndarray) -> np.ndarray:
    """``expr`` at each of ``points`` (rounded to float64) where it cancels: the precision doubled from 30 digits
    until two nonzero evaluations agree to 1e-22 (``exact`` stops at the first clear of a fixed noise floor)."""
    points = np.asarray(points, dtype=np.float64)
    key = ("settled", expr, hashlib.sha256(points.tobytes()).hexdigest())
    if key not in _VALUES:
        fn = mp_function(expr)
        _VALUES[key] = np.array([float(_settled(fn, mpmath.mpf(float(t)))) for t in points])
    return _VALUES[key]


def _settled(fn, t):
    dps, last = 30, None
    while True:
        with mpmath.workdps(dps):
            value = fn(t)
        if (value != 0 and last is not None and abs(value - last) <= abs(value) * mpmath.mpf(1e-22)) or dps >= 1600:
            return value
        dps, last = 2 * dps, value
