"""The habits of a NumPy user at the prompt: parameters as keywords to lambdify, arrays to a Derivation."""

import numpy as np
import pytest
import sympy as sp

import symact
from symact import ParameterError


def test_lambdify_takes_parameter_values_by_name():
    d = symact.derive("swish")
    f = symact.lambdify(d.df, beta=2)
    points = np.array([-3.0, 0.0, 0.5, 4.0])
    exact = [symact.derive("swish")(p, beta=2).df for p in points]  # exact, rounded once
    np.testing.assert_allclose(f(points), exact, rtol=1e-14)
    assert float(symact.lambdify(symact.derive("elu").f, alpha=0.5)(-np.inf)) == -0.5
    with pytest.raises(ParameterError, match="'gamma' is not a parameter"):
        symact.lambdify(d.df, gamma=2)
    with pytest.raises(ParameterError, match=r"'beta' is still symbolic; give it a value: lambdify\(expr, beta="):
        symact.lambdify(d.df)
    with pytest.raises(ParameterError, match="must be positive"):
        symact.lambdify(symact.derive("elu").f, alpha=-1)


@pytest.mark.parametrize("name", ["relu", "gelu", "softplus", "elu"])
def test_a_derivation_called_on_an_array_equals_the_calls_on_its_entries(name):
    d = symact.derive(name)
    params = {s.name: 1 for s in d.f.free_symbols if s.name != "x"}
    points = np.array([[-2.0, -0.0, 0.0], [1e-300, 0.75, 30.0]])
    values = d(points, **params)
    assert all(v.shape == points.shape and v.dtype == np.float64 for v in values)
    for index in np.ndindex(points.shape):
        assert tuple(v[index] for v in values) == tuple(d(float(points[index]), **params))
    assert d([0.5, 1.0], **params).f.tolist() == [d(0.5, **params).f, d(1.0, **params).f]
    assert isinstance(d(0.5, **params).f, float)


def test_an_array_with_a_parameter_left_symbolic_says_which():
    with pytest.raises(ParameterError, match="beta"):
        symact.derive("swish")(np.array([0.0, 1.0]))
    assert symact.derive("swish")(np.array([0.0]), beta=sp.Rational(1, 2)).f.tolist() == [0.0]
