import mpmath
import pytest
import sympy as sp

from symact.functions import Phi, expand_named, sigmoid, softplus

x = sp.Symbol("x", real=True)


@pytest.mark.parametrize("function", [sigmoid, Phi, softplus])
def test_custom_derivative_equals_derivative_of_rewrite(function):
    custom = sp.diff(function(x), x)
    via_rewrite = sp.diff(expand_named(function(x)), x)
    assert sp.simplify(expand_named(custom) - via_rewrite) == 0


@pytest.mark.parametrize(
    "function, reference",
    [
        (sigmoid, lambda t: 1 / (1 + mpmath.exp(-t))),
        (Phi, mpmath.ncdf),
        (softplus, lambda t: mpmath.log(1 + mpmath.exp(t))),
    ],
)
def test_evalf_matches_mpmath(function, reference):
    for t in ("-7.5", "-1", "0", "0.3", "12"):
        with mpmath.workdps(40):
            assert abs(sp.N(function(sp.Rational(t)), 40) - sp.Float(reference(mpmath.mpf(t)), 40)) < 1e-35


def test_exact_values():
    assert sigmoid(0) == sp.Rational(1, 2)
    assert Phi(0) == sp.Rational(1, 2)
    assert softplus(0) == sp.log(2)
    assert sigmoid(sp.oo) == 1 and sigmoid(-sp.oo) == 0


def test_textbook_forms():
    assert sp.diff(sigmoid(x), x) == sigmoid(x) * (1 - sigmoid(x))
    assert sp.diff(softplus(x), x) == sigmoid(x)
    assert sigmoid(x).rewrite(sp.tanh) == (sp.tanh(x / 2) + 1) / 2


def test_latex_uses_textbook_symbols():
    assert sp.latex(sigmoid(x)) == r"\sigma{\left(x \right)}"
    assert sp.latex(Phi(x)) == r"\Phi{\left(x \right)}"
    assert r"\sigma^{2}" in sp.latex(sigmoid(x) ** 2)


def test_assumptions():
    assert sigmoid(x).is_positive and softplus(x).is_positive and Phi(x).is_real
