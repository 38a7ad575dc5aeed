import mpmath
import pytest
import sympy as sp

import symact
from symact import catalog
from symact.functions import mp_function
from symact.proof import CHECKED, UNKNOWN
from symact.testing import check_derivative, sample_points

from .reference import REFERENCE

NAMES = catalog.names()


def test_reference_covers_the_catalog():
    assert set(REFERENCE) == set(NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_definition_matches_documented_formula(name):
    entry = catalog.get(name)
    f = mp_function(entry.at_defaults())
    with mpmath.workdps(40):
        for p in sample_points():
            want, got = REFERENCE[name](p), f(p)
            assert abs(got - want) <= mpmath.mpf("1e-35") * (1 + abs(want)), (name, p, got, want)


@pytest.mark.parametrize("name", NAMES)
def test_derivatives_match_mpmath(name):
    result = check_derivative(name)
    assert result.points >= 40
    assert result.status == CHECKED and not result.proved, str(result)


def test_checker_catches_a_wrong_derivative(monkeypatch):
    import symact.testing.assertions as testing

    real = testing.derive

    def wrong(*args, **kwargs):
        d = real(*args, **kwargs)
        return type(d)(d.name, d.f, d.df * (1 + sp.Rational(1, 10**6)), d.d2f, None, {}, d.kink, d.params)

    monkeypatch.setattr(testing, "derive", wrong)
    result = check_derivative("tanh")
    assert result.status == UNKNOWN
    assert "f'" in str(result) and "tanh" in str(result)


@pytest.mark.parametrize(
    "name, framework_names",
    [
        ("gelu", ("gelu", "gelu(approximate=False)")),
        ("gelu_tanh", ("gelu(approximate='tanh')", "gelu")),
        ("hardswish", ("hardswish", "hard_silu")),
    ],
)
def test_framework_names(name, framework_names):
    entry = catalog.get(name)
    assert (entry.torch, entry.jax) == framework_names


@pytest.mark.parametrize("framework", ["torch", "jax"])
def test_every_rows_framework_reference_resolves_to_the_activation(framework):
    """Each row's Ref imports and computes the row's activation at its defaults (away from kinks)."""
    pytest.importorskip(framework)
    import numpy as np

    from symact.testing.frameworks import framework_function, function_values

    points = np.array([-1.7, 0.3, 2.2])
    rows = [entry for entry in catalog.CATALOG if getattr(entry, framework) is not None]
    assert len(rows) > 15
    for entry in rows:
        values, grads = function_values(framework_function(entry, framework), points)
        want = symact.kernel(entry.name, backend="numpy")
        np.testing.assert_allclose(values, want(points), rtol=1e-6, atol=1e-12, err_msg=entry.name)
        np.testing.assert_allclose(grads, want.grad(points), rtol=1e-6, atol=1e-12, err_msg=entry.name)


def test_facts_about_one_activation_live_in_its_row():
    from symact.kernels import ULP_BOUNDS
    from symact.kinks import FRAMEWORK_CONVENTIONS
    from symact.nn.layers import PIECEWISE_LINEAR

    rows = {entry.name: entry for entry in catalog.CATALOG}
    assert FRAMEWORK_CONVENTIONS == {n: e.framework_kinks for n, e in rows.items() if e.framework_kinks}
    assert ULP_BOUNDS == {n: e.ulp_bounds for n, e in rows.items() if e.ulp_bounds != (4, 4)}
    assert set(PIECEWISE_LINEAR) == {n for n, e in rows.items() if e.linear_pieces} >= {"relu", "leaky_relu"}
    assert rows["gelu_tanh"].torch.path == "torch.nn.functional.gelu"


def test_every_framework_activation_is_catalogued():
    torch_names = {
        "threshold",
        "relu",
        "relu6",
        "hardtanh",
        "hardswish",
        "elu",
        "selu",
        "celu",
        "leaky_relu",
        "prelu",
        "rrelu",
        "gelu",
        "logsigmoid",
        "hardshrink",
        "tanhshrink",
        "softsign",
        "softplus",
        "softmin",
        "softmax",
        "softshrink",
        "log_softmax",
        "tanh",
        "sigmoid",
        "hardsigmoid",
        "silu",
        "mish",
    }
    jax_names = {
        "relu",
        "relu6",
        "sigmoid",
        "softplus",
        "sparse_plus",
        "sparse_sigmoid",
        "soft_sign",
        "silu",
        "log_sigmoid",
        "leaky_relu",
        "hard_sigmoid",
        "hard_silu",
        "hard_tanh",
        "elu",
        "celu",
        "selu",
        "gelu",
        "squareplus",
        "mish",
        "identity",
        "softmax",
        "log_softmax",
    }
    entries = [catalog.get(n) for n in catalog.names(vector=True)]
    have_torch = {e.torch.split("(")[0] for e in entries if e.torch}
    have_jax = {e.jax for e in entries if e.jax}
    assert torch_names <= have_torch
    assert jax_names <= have_jax


def test_aliases_resolve():
    assert catalog.get("hard_silu") is catalog.get("hardswish")
    assert catalog.get("Logistic").name == "sigmoid"


def test_selu_constants_are_exact_to_31_digits():
    entry = catalog.get("selu")
    values = {p.name: v for p, v in entry.defaults.items()}
    assert values["alpha"] == sp.Rational("1.6732632423543772848170429916717")
    assert values["scale"] == sp.Rational("1.0507009873554804934193349852946")


def test_unknown_name_suggests_the_closest():
    with pytest.raises(symact.UnknownActivation, match="did you mean 'swish'"):
        symact.derive("swissh")


def test_bad_parameter_name_and_value():
    with pytest.raises(symact.ParameterError, match="swish: parameter 'betta' is not a parameter.*'beta'"):
        symact.derive("swish", betta=2)
    with pytest.raises(symact.ParameterError, match="elu: parameter 'alpha' must be positive"):
        symact.derive("elu", alpha=-1)
    with pytest.raises(symact.ParameterError, match="must be finite"):
        symact.derive("prelu", alpha=float("nan"))


def test_define_from_string_and_expression():
    entry = symact.define("xtanhexp", "x*tanh(exp(x))", replace=True)
    assert entry.expr == catalog.x * sp.tanh(sp.exp(catalog.x))
    d = symact.derive("xtanhexp")
    assert sp.simplify(d.df - sp.diff(entry.expr, catalog.x)) == 0
    assert check_derivative("xtanhexp").status == CHECKED
    k = sp.Symbol("k")
    scaled = symact.define("scaledx", k * sp.Symbol("x"), replace=True, k=3)
    assert scaled.at_defaults() == 3 * catalog.x


def test_define_rejects_clashes_and_free_names():
    with pytest.raises(symact.ParameterError, match="already in the catalog"):
        symact.define("relu", "x")
    with pytest.raises(symact.ParseError):
        symact.define("bad1", "x*unknown_thing")
    with pytest.raises(symact.ParseError):
        symact.define("bad2", "__import__('os')")


def test_vector_activations_are_catalogued():
    softmax = catalog.get("softmax")
    values = softmax.build(3)
    assert sp.simplify(sum(values) - 1) == 0
