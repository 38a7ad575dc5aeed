"""Auditing a published activation table: claims as data, each classified with a reason.

The claims are the cells of the usual survey / encyclopedia table (range, order of continuity,
monotonic, derivative monotonic, approximates the identity near the origin) and derivative
formulas from textbooks, some of them wrong. Each expected verdict was worked out by hand.
"""

import pytest
import sympy as sp

import symact
from symact.analysis.claims import check_claims
from symact.proof import CHECKED, PROVED, REFUTED, UNKNOWN

# (activation, property, claimed value, expected verdict, a phrase the reason must contain)
# fmt: off
CLAIMS = [
    # the textbook table, correct cells
    ("sigmoid", "range", "(0, 1)", PROVED, "proved"),
    ("tanh", "range", "(-1, 1)", PROVED, "proved"),
    ("relu", "range", "[0, oo)", PROVED, "proved"),
    ("selu", "range", "(-1.0507009873554804934193349852946*1.6732632423543772848170429916717, oo)", PROVED, "proved"),
    ("sigmoid", "continuity", "C^oo", PROVED, "proved"),
    ("softsign", "continuity", 1, PROVED, "C^1, not C^2"),
    ("relu", "monotonic", True, PROVED, "proved"),
    ("softplus", "derivative_monotonic", True, PROVED, "proved"),
    ("tanh", "derivative_monotonic", False, PROVED, "proved"),
    ("tanh", "identity_near_origin", True, PROVED, "f'(0) = 1"),
    ("elu", "identity_near_origin", True, PROVED, "proved"),
    ("mish", "monotonic", False, PROVED, "proved"),
    ("sigmoid", "lipschitz", "1/4", PROVED, "x = 0"),
    ("swish", "minimum", "-LambertW(exp(-1))", PROVED, "proved"),
    ("sigmoid", "derivative", "y*(1 - y)", PROVED, "proved"),
    ("softsign", "derivative", "(1 - abs(y))**2", PROVED, "proved"),
    ("tanh", "derivative", "1 - y**2", PROVED, "proved"),
    # wrong cells
    ("softsign", "derivative", "1 - y**2", REFUTED, "at x ="),
    ("tanh", "derivative", "(2*exp(-2*x) - exp(-4*x))/(1 + exp(-2*x))**2", REFUTED, "at x ="),
    ("softsign", "continuity", "C2", REFUTED, "C^1"),
    ("hardswish", "continuity", 1, REFUTED, "C^0"),
    ("gelu", "lipschitz", 1, REFUTED, "proved instead"),
    ("swish", "lipschitz", 1, REFUTED, "at x ="),
    ("swish", "minimum", "-0.2784", REFUTED, "LambertW"),
    ("mish", "minimum", "-0.3088", REFUTED, "at x ="),
    ("hardsigmoid", "lipschitz", "1/5", REFUTED, "1/6"),
    ("selu", "identity_near_origin", True, REFUTED, "proved instead"),
    ("sigmoid", "parity", "odd", REFUTED, "neither"),
    ("gelu", "monotonic", True, REFUTED, "not monotonic"),
    ("relu", "range", "(0, oo)", REFUTED, "[0, ∞)"),
    # cells that numerics support but no proof reaches
    ("mish", "minimum", "-0.308843413017250406628760229042", CHECKED, "agrees with"),
    ("swish", "lipschitz", "1.1", UNKNOWN, "differs from"),
    ("mish", "lipschitz", "1.09", UNKNOWN, "not proved"),
    # rounded decimals of gelu's minimum -0.1699712074799036616938684709824...: both round up, so both are false
    ("gelu", "minimum", "-0.169971207479903661693868470982", REFUTED, "at x ="),
    ("gelu", "minimum", "-0.16997120747990366", REFUTED, "at x ="),
]
# fmt: on


def test_at_least_twenty_claims_some_wrong():
    assert len(CLAIMS) >= 20
    assert sum(c[3] == REFUTED for c in CLAIMS) >= 8
    assert {c[3] for c in CLAIMS} == {PROVED, CHECKED, REFUTED, UNKNOWN}


@pytest.mark.parametrize("activation, prop, claimed, verdict, phrase", CLAIMS)
def test_claim_is_classified_with_a_reason(activation, prop, claimed, verdict, phrase):
    (result,) = check_claims([(activation, prop, claimed)])
    assert result.status == verdict and result.proved == (verdict == PROVED), str(result)
    assert phrase in result.reason, str(result)
    assert result.proof is not None


def test_claims_as_dicts_and_str():
    results = symact.check_claims([{"activation": "relu6", "property": "range", "value": "[0, 6]"}])
    assert results[0].status == PROVED and results[0].proved
    assert str(results[0]).startswith("proved")


def test_refuted_derivative_reason_carries_both_numbers():
    (result,) = check_claims([("softsign", "derivative", "1 - y**2")])
    # at x = 1/3: softsign = 1/4, so the claim gives 15/16 while f' = 1/(1 + 1/3)^2 = 9/16
    assert "0.9375" in result.reason and "0.5625" in result.reason
    assert result.proof.counterexample == {"x": 1 / 3} or result.proof.counterexample["x"] == symact.parse("1/3")


def test_unreadable_claims_are_unknown_not_errors():
    results = check_claims([("relu", "smoothness_index", 1), ("swissh", "range", "(0, 1)"), ("relu", "range", "0..1")])
    assert [r.status for r in results] == [UNKNOWN] * 3
    assert "did you mean 'swish'" in results[1].reason


# what a reader copies from a table: tuples (open), lists (closed), intervals, unicode, parameters, y for f(x)
# fmt: off
COPIED = [
    (("sigmoid", "range", (0, 1)), PROVED),
    (("tanh", "range", (-1, 1)), PROVED),
    (("sigmoid", "range", [0, 1]), REFUTED),
    (("relu6", "range", [0, 6]), PROVED),
    (("relu", "range", (0, float("inf"))), REFUTED),
    (("relu", "range", "[0, ∞)"), PROVED),
    (("relu", "range", sp.Interval(0, sp.oo)), PROVED),
    (("tanh", "range", "ℝ"), REFUTED),
    (("softsign", "range", "(−1, 1)"), PROVED),
    (("sigmoid", "limits", ("0", "1")), PROVED),
    (("sin(x)", "limits", ("does not exist", "DNE")), PROVED),
    (("sin(x)", "limits", (0, 0)), REFUTED),
    (("prelu", "derivative", "where(x > 0, 1, alpha)"), PROVED),
    (("prelu", "derivative", "where(x > 0, 1, 2*alpha)"), REFUTED),
    (("elu", "derivative", "where(x > 0, 1, y + alpha)"), PROVED),
    (("elu", "derivative", "where(x > 0, 1, y)"), REFUTED),
    (("swish", "derivative", "beta*y + sigmoid(beta*x)*(1 - beta*y)"), PROVED),
    (("swish", "derivative", "beta*y + sigmoid(beta*x)*(1 - y)"), REFUTED),
]
# fmt: on


@pytest.mark.parametrize("claim, verdict", COPIED, ids=[str(c[0]) for c in COPIED])
def test_claims_as_copied_from_a_table(claim, verdict):
    (result,) = check_claims([claim])
    assert result.status == verdict, str(result)


def test_a_parametric_counterexample_names_its_parameter():
    (result,) = check_claims([("prelu", "derivative", "where(x > 0, 1, 2*alpha)")])
    assert "alpha" in result.proof.counterexample and "alpha =" in result.reason


def test_y_in_a_sympy_claim_stands_for_f():
    (result,) = check_claims([("sigmoid", "derivative", symact.parse("y*(1 - y)", allow_symbols=True))])
    assert result.status == PROVED, str(result)
