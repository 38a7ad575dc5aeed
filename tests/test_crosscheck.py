"""symact.crosscheck against torch (float64, autograd); jax when installed."""

import importlib.util

import numpy as np
import pytest

import symact
from symact.errors import ParameterError
from symact.testing.frameworks import benchmark_points, crosscheck, ulp_error

torch = pytest.importorskip("torch")

POINTS = np.concatenate([np.linspace(-30, 30, 241), [-700.0, 700.0, 1e-8, -1e-8]])


def test_relu_agrees_and_takes_the_left_side_at_zero():
    report = crosscheck("relu", "torch", points=POINTS)
    assert report.max_ulp_f == 0 and report.max_ulp_df == 0
    (kink,) = report.kinks
    assert kink.point == 0 and kink.side == "left" and kink.agrees and report.agrees_at_kinks


def test_hardtanh_kinks_differ_from_the_jax_policy():
    report = crosscheck("hardtanh", "torch", kink="jax", points=POINTS)
    assert not report.agrees_at_kinks
    assert {k.point: k.side for k in report.kinks} == {-1.0: "left", 1.0: "right"}
    assert "differs from symact's kink='jax'" in str(report)


def test_softplus_threshold_shows_in_the_gradient():
    report = crosscheck("softplus", "torch", points=POINTS)
    assert report.max_ulp_df > 1e6  # torch switches to x above 20: f' = 1 exactly
    assert any(what == "f'" and t > 20 for what, t, *_ in report.worst)


def test_gelu_tail_is_reported_and_values_are_symacts():
    report = crosscheck("gelu", "torch", points=POINTS)
    assert report.max_ulp_f > 1e6  # torch's exact GELU is 0 below x ~ -9 in float64
    what, t, theirs, ours, ulps = report.worst[0]
    assert ours == symact.kernel("gelu")(np.array([t]))[0]
    assert ulps == ulp_error(np.array([theirs]), np.array([ours]))[0]


def test_smooth_activations_agree_closely():
    for name in ("sigmoid", "tanh", "elu"):
        report = crosscheck(name, "torch", points=np.linspace(-5, 5, 101))
        assert report.max_ulp_f <= 4, name


def test_parameters_reach_the_framework_and_those_it_lacks_are_refused():
    report = crosscheck("leaky_relu", "torch", points=POINTS, negative_slope=0.2)
    assert report.max_ulp_f == 0 and report.max_ulp_df == 0
    with pytest.raises(symact.ParameterError, match="beta"):
        crosscheck("swish", "torch", beta=2)  # torch's silu is swish at beta = 1 only
    assert crosscheck("swish", "torch", points=np.linspace(-5, 5, 11)).max_ulp_f <= 4


def test_errors_name_the_problem():
    with pytest.raises(symact.ParameterError, match="torch.*jax"):
        crosscheck("relu", "tensorflow")
    with pytest.raises(symact.ParameterError, match="squareplus"):
        crosscheck("squareplus", "torch")
    if importlib.util.find_spec("jax") is None:
        with pytest.raises(symact.ParameterError, match="not installed"):
            crosscheck("relu", "jax")


def test_benchmark_points():
    p = benchmark_points()
    assert p.min() == -700 and p.max() == 700 and np.all(np.diff(p) > 0)
    assert np.abs(p).min() <= 1e-8 * 1.0001


def test_a_framework_refusing_the_parameters_is_a_parameter_error_naming_its_reason():
    """torch cannot hold threshold's value 1e300 in float32: the cause is torch's, reported as a SymactError."""
    pytest.importorskip("torch")
    with pytest.raises(ParameterError, match="without overflow"):
        symact.crosscheck("threshold", "torch", dtype="float32", value=1e300)


def test_a_user_function_that_fails_is_a_parameter_error():
    def broken(t):
        raise ValueError("no such input")

    with pytest.raises(ParameterError, match="ValueError: no such input"):
        symact.crosscheck("relu", broken)
