import warnings

import mpmath
import numpy as np
import pytest

import symact
from symact import catalog

from .reference import REFERENCE

NAMES = catalog.names()
ORDINARY = np.array([-30.0, -7.5, -3.0, -1.2, -0.4, 0.0, 0.3, 0.9, 2.2, 5.0, 11.0, 30.0])


@pytest.mark.parametrize("name", NAMES)
def test_kernel_matches_reference_on_ordinary_inputs(name):
    k = symact.kernel(name)
    got = k(ORDINARY)
    with mpmath.workdps(50):
        want = np.array([float(REFERENCE[name](mpmath.mpf(t))) for t in ORDINARY])
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("name", NAMES)
def test_gradient_matches_central_difference(name):
    k = symact.kernel(name)
    entry = catalog.get(name)
    kinks = [float(kk.subs(entry.defaults)) for kk in symact.derive(name).kinks]
    points = np.array([t for t in ORDINARY if all(abs(t - c) > 1e-3 for c in kinks)])
    h = 1e-6
    numeric = (k(points + h) - k(points - h)) / (2 * h)
    np.testing.assert_allclose(k.grad(points), numeric, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_dtype_shape_and_no_warnings(name, dtype):
    k = symact.kernel(name)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for values in (np.zeros((2, 3, 4), dtype), np.zeros((0,), dtype), np.array(0.5, dtype), ORDINARY.astype(dtype)):
            for out in (k(values), k.grad(values), k.grad2(values)):
                assert out.dtype == dtype and out.shape == values.shape


def test_scalars_and_integers():
    k = symact.kernel("sigmoid")
    assert k(0.0) == 0.5 and isinstance(k(0.0), np.floating)
    assert k(np.array([0, 1])).dtype == np.float64


def test_kernels_are_cached():
    assert symact.kernel("gelu") is symact.kernel("gelu")


def test_output_form_kernel_agrees_with_grad():
    for name in ("sigmoid", "tanh", "elu", "softplus", "relu"):
        k = symact.kernel(name)
        assert k.has_output_form
        np.testing.assert_allclose(k.grad_from_output(k(ORDINARY[3:-3])), k.grad(ORDINARY[3:-3]), rtol=1e-9, atol=1e-15)
    assert symact.kernel("gelu").grad_from_output(ORDINARY) is None


def test_parameters_reach_the_kernel():
    assert symact.kernel("leaky_relu", negative_slope=0.2)(-1.0) == pytest.approx(-0.2)
    assert symact.kernel("swish", beta=2)(1.0) == pytest.approx(float(REFERENCE["sigmoid"](mpmath.mpf(2))), rel=1e-14)


def test_bad_input_is_reported():
    with pytest.raises(symact.ParameterError):
        symact.kernel("relu")(np.array(["a"]))
