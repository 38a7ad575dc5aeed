"""crosscheck on the user's own functions: NumPy with or without a gradient, torch and JAX functions by
autograd, any symact definition, float32 and float64."""

import numpy as np
import pytest

import symact
from symact.errors import ParameterError
from symact.testing import crosscheck

POINTS = np.linspace(-30, 30, 601)


def test_a_numpy_function_with_its_gradient_agrees_in_float64():
    report = crosscheck("tanh", np.tanh, grad=lambda t: 1 - np.tanh(t) ** 2, points=np.linspace(-1, 1, 41))
    assert report.max_ulp_f <= 1 and report.max_ulp_df <= 8 and report.gradient == "grad="
    assert report.dtype == "float64" and "tanh vs symact" in str(report)


def test_a_naive_formula_is_caught_with_its_worst_points():
    naive = lambda t: 1 / (1 + np.exp(-t))  # noqa: E731
    report = crosscheck("sigmoid", naive, grad=lambda t: naive(t) * (1 - naive(t)), points=POINTS)
    assert report.max_ulp_df > 1e6  # 1 - sigmoid(x) cancels for large x: f' loses every digit
    what, x, theirs, ours, ulps = max((w for w in report.worst if w[0] == "f'"), key=lambda w: w[4])
    assert x > 15 and ulps == report.max_ulp_df


def test_float32_runs_in_float32_and_counts_float32_ulps():
    report = crosscheck(
        "x*tanh(exp(x))", lambda t: t * np.tanh(np.exp(t)), dtype="float32", points=np.linspace(-5, 5, 41)
    )
    assert report.dtype == "float32" and report.gradient == "none" and "not given" in str(report)
    assert report.max_ulp_f <= 4  # the same formula, float32 on both sides


def test_a_definition_with_parameters_and_its_kinks():
    report = crosscheck(
        "leaky_relu",
        lambda t: np.where(t > 0, t, 0.2 * t),
        grad=lambda t: np.where(t > 0, 1.0, 0.2),
        points=np.linspace(-2, 2, 41),
        negative_slope=0.2,
    )
    assert report.max_ulp_f == 0 and report.kinks and report.kinks[0].side == "left"


def test_torch_functions_get_autograd():
    torch = pytest.importorskip("torch")
    report = crosscheck("silu", torch.nn.functional.silu, points=np.linspace(-10, 10, 201), dtype="float32")
    assert report.gradient == "autograd" and report.max_ulp_f <= 4 and report.max_ulp_df <= 16


def test_bad_dtype_is_a_symact_error():
    with pytest.raises(ParameterError, match="float32"):
        crosscheck("relu", np.abs, dtype="float16")
    assert symact.crosscheck is crosscheck
