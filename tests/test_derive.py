import pytest
import sympy as sp

import symact
from symact import catalog
from symact.derivation import y
from symact.functions import Phi, sigmoid

x = catalog.x
alpha = sp.Symbol("alpha", positive=True)
beta = sp.Symbol("beta", positive=True)


def same(a, b):
    return sp.simplify(a - b) == 0


def test_sigmoid_textbook_forms():
    d = symact.derive("sigmoid")
    assert d.df == sigmoid(x) * (1 - sigmoid(x))
    assert same(d.df_of_output, y * (1 - y))


def test_tanh_textbook_forms():
    d = symact.derive("tanh")
    assert same(d.df, 1 - sp.tanh(x) ** 2)
    assert same(d.df_of_output, 1 - y**2)
    assert same(d.d2f, -2 * sp.tanh(x) * (1 - sp.tanh(x) ** 2))


def test_swish_textbook_form_keeps_beta():
    d = symact.derive("swish")
    s = sigmoid(beta * x)
    assert d.df == beta * x * s * (1 - s) + s
    assert d.df_of_output is None
    silu = symact.derive("swish", beta=1)
    assert silu.df == x * sigmoid(x) * (1 - sigmoid(x)) + sigmoid(x)


def test_prelu_kink_and_pieces():
    d = symact.derive("prelu")
    a = sp.Symbol("alpha", real=True)
    assert d.kinks == {0: (a, 1)}
    assert d.df.subs(x, -2) == a and d.df.subs(x, 3) == 1
    assert d.kinks[0].value == a  # torch takes the negative side at 0


def test_prelu_with_alpha_one_has_no_kink():
    assert symact.derive("prelu", alpha=1).kinks == {}


def test_gelu_textbook_form():
    d = symact.derive("gelu")
    assert same(d.df, Phi(x) + x * sp.exp(-(x**2) / 2) / sp.sqrt(2 * sp.pi))
    assert d.df_of_output is None


def test_elu_pieces_and_output_form():
    d = symact.derive("elu")
    assert d.df.subs(x, -1) == alpha * sp.exp(-1) and d.df.subs(x, 1) == 1
    assert same(d.df_of_output.subs(y, -sp.Rational(1, 2)), alpha - sp.Rational(1, 2))
    assert d.df_of_output.subs(y, 3) == 1


def test_softplus_output_form():
    assert same(symact.derive("softplus", beta=1).df_of_output, 1 - sp.exp(-y))
    assert same(symact.derive("softplus").df_of_output, 1 - sp.exp(-beta * y))


def test_exp_output_form_is_y():
    assert symact.derive("exp").df_of_output == y


@pytest.mark.parametrize("name", ["swish", "silu", "gelu", "gelu_tanh", "mish", "hardswish"])
def test_non_monotone_activations_have_no_output_form(name):
    assert symact.derive(name).df_of_output is None


def test_softsign_derivative_and_output_form():
    d = symact.derive("softsign")
    assert same(d.df, 1 / (1 + sp.Abs(x)) ** 2)
    # the published claim softsign' = 1 - y**2 is wrong: it is (1 - |y|)**2
    for value in (sp.Rational(-1, 2), sp.Rational(1, 3)):
        assert same(d.df_of_output.subs(y, value), (1 - abs(value)) ** 2)


@pytest.mark.parametrize("name", catalog.names())
def test_output_form_when_present_is_exact(name):
    d = symact.derive(name)
    if d.df_of_output is None:
        return
    entry = catalog.get(name)
    f, df, g = (e.subs(entry.defaults) for e in (d.f, d.df, d.df_of_output))
    for t in (-4.3, -0.6, 0.2, 2.7, 9.1):
        point = sp.Float(t, 30)
        assert abs(sp.N(g.subs(y, f.subs(x, point)) - df.subs(x, point), 30)) < 1e-25, (name, t)


def test_kink_policies():
    d_torch = symact.derive("leaky_relu")
    d_jax = symact.derive("leaky_relu", kink="jax")
    slope = sp.Symbol("negative_slope", real=True)
    assert d_torch.df.subs(x, 0) == slope
    assert d_jax.df.subs(x, 0) == 1
    assert symact.derive("relu", kink="mean").df.subs(x, 0) == sp.Rational(1, 2)
    assert symact.derive("relu", kink="right").df.subs(x, 0) == 1
    with pytest.raises(symact.ParameterError, match="kink"):
        symact.derive("relu", kink="sympy")


def test_expression_input_and_parameters():
    d = symact.derive("x*tanh(exp(x))")
    assert same(d.df, sp.diff(x * sp.tanh(sp.exp(x)), x))
    d = symact.derive("x*sigmoid(k*x)", k=2)
    assert d.f == x * sigmoid(2 * x)
    with pytest.raises(symact.ParameterError, match="'k'"):
        symact.derive("x*sigmoid(k*x)")


def test_text_and_latex():
    d = symact.derive("swish")
    text = str(d)
    assert "swish'(x)" in text and "β" in text
    assert r"\sigma" in d.latex() and d._repr_latex_().startswith("$")
    assert "kink at x = 0" in str(symact.derive("relu"))


# ---- specialising and evaluating with names as strings ----------------------------------------------


def test_x_is_exported_and_is_the_catalog_symbol():
    assert symact.x is x
    assert same(symact.derive("silu").df.diff(symact.x), symact.derive("silu").d2f)


def test_subs_matches_parameters_by_name_whatever_their_assumptions():
    d = symact.derive("swish")
    assert d.df.subs("beta", 1) == d.df  # the SymPy idiom matches nothing: beta is positive
    silu = d.subs(beta=1)
    assert not silu.df.free_symbols - {x}
    assert same(silu.df, symact.derive("swish", beta=1).df)
    assert silu.df_of_output == symact.derive("swish", beta=1).df_of_output
    assert silu.params[beta] == 1


def test_subs_drops_kinks_that_vanish_and_refuses_bad_names_and_values():
    assert symact.derive("prelu").subs(alpha=1).kinks == {}
    assert symact.derive("prelu").subs(alpha=sp.Rational(1, 4)).kinks[0] == (sp.Rational(1, 4), 1)
    with pytest.raises(symact.ParameterError, match="'gamma' is not a symbolic parameter"):
        symact.derive("swish").subs(gamma=1)
    with pytest.raises(symact.ParameterError, match="positive"):
        symact.derive("swish").subs(beta=-1)
    with pytest.raises(symact.ParameterError, match="none is left symbolic"):
        symact.derive("swish", beta=1).subs(beta=2)


def test_calling_a_derivation_evaluates_against_mpmath():
    import mpmath

    with mpmath.workdps(40):
        s = 1 / (1 + mpmath.exp(-2 * mpmath.mpf(0.75)))
        f, df = 0.75 * s, s + 0.75 * 2 * s * (1 - s)
    values = symact.derive("swish")(0.75, beta=2)
    assert values.f == float(f) and values.df == float(df)
    assert symact.derive("relu")(0.0).df == 0.0  # the torch kink policy
    with pytest.raises(symact.ParameterError, match="'beta' is still symbolic"):
        symact.derive("swish")(1.0)


def test_lambdify_knows_the_named_functions_and_stays_stable():
    import numpy as np

    df = symact.derive("softplus", beta=1).df
    fn = symact.lambdify(df)
    assert np.array_equal(fn(np.array([-1000.0, 0.0, 1000.0])), [0.0, 0.5, 1.0])
    assert float(symact.lambdify(symact.derive("gelu").f)(1.0)) == pytest.approx(0.8413447460685429, rel=1e-15)
    assert float(symact.lambdify(sp.Symbol("x") ** 2 + Phi(x))(0.0)) == 0.5  # x matched by name
    with pytest.raises(symact.ParameterError, match="'beta' is still symbolic"):
        symact.lambdify(symact.derive("swish").df)
