"""Property tests of every kernel on random floats of both precisions."""

import warnings

import mpmath
import numpy as np
import pytest
import sympy as sp
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import symact
from symact import catalog

from .reference import REFERENCE

NAMES = catalog.names()
DTYPES = [np.float32, np.float64]


def _floats(dtype):
    width = 32 if dtype == np.float32 else 64
    return st.lists(st.floats(allow_nan=False, allow_infinity=False, width=width), min_size=1, max_size=16)


def _truly_finite(name, value, dtype) -> bool:
    with mpmath.workdps(30):
        try:
            true = REFERENCE[name](mpmath.mpf(float(value)))
        except OverflowError:  # mpmath's erfc at |x| ~ 1e300; the catalog's values there are finite
            return True
    return abs(true) < np.finfo(dtype).max


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", NAMES)
def test_random_floats_no_warnings_and_finite(name, dtype):
    k = symact.kernel(name)

    @settings(max_examples=20, deadline=None)
    @given(_floats(dtype))
    def check(values):
        array = np.array(values, dtype=dtype)
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            f, df = k(array), k.grad(array)
        assert f.dtype == dtype and df.dtype == dtype
        for value, fv, dv in zip(array, f, df):
            if _truly_finite(name, value, dtype):
                assert np.isfinite(fv), (name, value, fv)
                assert np.isfinite(dv), (name, value, dv)

    check()


@pytest.mark.parametrize("name", NAMES)
def test_derivative_agrees_with_finite_difference(name):
    k = symact.kernel(name)
    entry = catalog.get(name)
    kinks = [float(sp.sympify(p).subs(entry.defaults)) for p in symact.derive(name).kinks]

    @settings(max_examples=60, deadline=None)
    @given(st.floats(min_value=-40, max_value=40))
    def check(t):
        assume(all(abs(t - c) > 1e-3 for c in kinks))
        h = 1e-6 * max(1.0, abs(t))
        numeric = (k(t + h) - k(t - h)) / (2 * h)
        assert k.grad(t) == pytest.approx(numeric, rel=1e-5, abs=1e-6), (name, t)

    check()


@settings(max_examples=200, deadline=None)
@given(st.floats(min_value=-700, max_value=700))
def test_symmetries(t):
    sig, tanh, gelu = symact.kernel("sigmoid"), symact.kernel("tanh"), symact.kernel("gelu")
    assert sig(-t) == pytest.approx(1 - sig(t), abs=2e-16)
    assert tanh(-t) == -tanh(t)
    assert gelu(t) - gelu(-t) == pytest.approx(t, rel=1e-15, abs=1e-300)
    softplus, log_sigmoid = symact.kernel("softplus"), symact.kernel("log_sigmoid")
    assert log_sigmoid(t) == pytest.approx(-softplus(-t), rel=1e-15, abs=1e-300)
