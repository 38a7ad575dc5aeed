"""properties, derive, table and check_claims on inputs that used to give wrong *proved* answers, hang or leak.

Each test names the class of error it guards; the dense mpmath guard of ``tests/dense.py`` checks
every proved value of the whole catalog against the independent references of ``tests/reference.py``.
"""

import importlib
import time

import mpmath
import pytest
import sympy as sp

import symact
from symact.analysis.claims import check_claims
from symact.errors import ProofTimeout, SymactError
from symact.proof import CHECKED, PROVED, REFUTED, UNKNOWN

from .dense import check_proved
from .reference import REFERENCE

derive_module = importlib.import_module("symact.derivation")
properties_module = importlib.import_module("symact.analysis.engine")


@pytest.mark.parametrize("name", sorted(REFERENCE))
def test_every_proved_catalog_value_agrees_with_a_dense_mpmath_evaluation(name):
    """The guard: a wrong proof of the catalog cannot pass silently."""
    bad = check_proved(symact.properties(name), REFERENCE[name])
    assert not bad, bad


# ---- infinitely many critical points: never 'vanishes on an interval' --------------------------------


_S = (1 - sp.sqrt(33)) / 8
_SNAKE = sp.sqrt(1 - _S**2) * (3 + sp.sqrt(33)) / 4
# (minimum, maximum, sup |f'|), worked out by hand
PERIODIC = {
    "sin(x)": (-1, 1, 1),
    "cos(x)": (-1, 1, 1),
    "x + sin(x)**2": (-sp.oo, sp.oo, 2),
    "x + sin(x)/2": (-sp.oo, sp.oo, sp.Rational(3, 2)),
    "x*cos(x)": (-sp.oo, sp.oo, sp.oo),
    # f' = cos(x) (1 - 2 sin(x)) is largest where sin(x) = (1 - sqrt(33))/8, a root of f''
    "sin(x) + cos(2*x)/2": (-sp.Rational(3, 2), sp.Rational(3, 4), _SNAKE),
}


@pytest.mark.parametrize("text", sorted(PERIODIC))
def test_periodic_functions_get_no_wrong_proof(text):
    p = symact.properties(text)
    assert p["derivative_monotonic"].value != "constant"
    assert p["monotonic"].value != "constant"
    for name, truth in zip(("minimum", "maximum", "lipschitz"), PERIODIC[text]):  # infinitely many critical
        assert not p[name].proved or p[name].value == truth or abs(sp.N(p[name].value - truth, 40)) < 1e-35, name
    ref = sp.lambdify(symact.parse("x"), symact.parse(text), "mpmath")
    assert not check_proved(p, ref)


@pytest.mark.parametrize("text, closed_form", [("sin(x)", True), ("cos(3*x) + sin(x)", False), ("sin(x)**2", True)])
def test_a_periodic_function_has_no_finite_list_of_intervals_and_no_limit(text, closed_form):
    p = symact.properties(text)
    assert p["monotonic_intervals"].value is None and "period" in p["monotonic_intervals"].details["reason"]
    assert p["limits"].value == ("does not exist", "does not exist") and p["limits"].proved
    assert closed_form <= (p["minimum"].proved and p["maximum"].proved and p["lipschitz"].proved)


def test_sin_plus_x_has_lipschitz_two_and_increases():
    p = symact.properties("sin(x) + x")
    assert p["lipschitz"].value == 2 and p["lipschitz"].proved
    assert p["monotonic"].value == "increasing" and p["monotonic"].proved
    assert "∞" not in symact.table(["sin(x) + x"], ["lipschitz"]).splitlines()[2]


@pytest.mark.parametrize(
    "text, order",
    [
        ("where(x == 0, 1, sin(x)/x)", sp.oo),
        ("where(x == 0, 1/2, (1 - cos(x))/x**2)", sp.oo),
        ("where(x == 0, 1, (exp(x) - 1)/x)", sp.oo),
        ("where(x == 0, 2, sin(x)/x)", -1),
    ],
)
def test_a_removable_singularity_is_smooth(text, order):
    p = symact.properties(text)["continuity"]
    assert p.value == order and p.proved


def test_snake_lipschitz_is_not_one_and_sin_numerics_are_right():
    assert abs(float(symact.properties("x + sin(x)**2")["lipschitz"].value) - 2) < 1e-6
    sin = symact.properties("sin(x)")
    assert abs(float(sin["maximum"].value) - 1) < 1e-20 and abs(float(sin["minimum"].value) + 1) < 1e-20


def test_a_decimal_slope_swish_has_its_true_lipschitz_constant():
    p = symact.properties("x*sigmoid(1.5*x)")
    assert p["lipschitz"].value != sp.Rational(1, 2)
    assert abs(float(p["lipschitz"].value) - 1.0998393201288669) < 1e-12
    assert p["derivative_monotonic"].value == "not monotonic"


# ---- the origin: continuity first ------------------------------------------------------------------


@pytest.mark.parametrize("text", ["sign(x)", "Heaviside(x)", "x + sign(x)", "x + sign(x)/2"])
def test_a_jump_at_zero_has_no_derivative_there(text):
    p = symact.properties(text)
    assert isinstance(p["derivative_at_zero"].value, str) and "jumps" in p["derivative_at_zero"].value
    assert p["identity_near_origin"].value is False and p["identity_near_origin"].proved
    claims = check_claims([(text, "derivative_at_zero", 0), (text, "identity_near_origin", True)])
    assert [c.status for c in claims] == [REFUTED, REFUTED]


def test_infinite_one_sided_slopes_and_undefined_points_give_answers_or_reasons():
    p = symact.properties("sqrt(abs(x))")
    assert p["derivative_at_zero"].value == (-sp.oo, sp.oo) and p["lipschitz"].value == sp.oo
    q = symact.properties("exp(-1/abs(x))")  # f(0) is not defined: unknown with the reason
    assert all(not v.proved for v in q.values())
    assert "not defined at x = 0" in q["minimum"].details["reason"]


# ---- one error family --------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["sin(x)/x", "sqrt(x)", "log(x)", "1/x", "x**x", "asin(x)"])
def test_domain_restrictions_raise_symact_errors_and_claims_stay_undecided(text):
    with pytest.raises(SymactError):
        symact.properties(text)
    (claim,) = check_claims([(text, "minimum", 0)])
    assert claim.status == UNKNOWN and claim.reason


def test_recursion_and_bad_objects_are_symact_errors():
    with pytest.raises(SymactError):
        symact.properties(object())
    with pytest.raises(SymactError):
        symact.derive("x", kink="nearest")


# ---- check_claims: exact comparisons, derivative only by proof ---------------------------------------


def test_claims_are_compared_exactly_without_tolerance():
    claims = check_claims(
        [
            ("sigmoid", "lipschitz", "1/4 + 10**-45"),
            ("tanh", "derivative", "1 - y**2 + relu(x - 4)"),
            ("sin(x)", "maximum", 0),
            ("sin(x)", "range", "[-1, 1]"),  # proved from one period
            ("mish", "minimum", "-0.31"),  # numerical-only minimum -0.3088...: no exact verdict
            ("sigmoid", "lipschitz", "1/4"),
        ]
    )
    assert [c.status for c in claims] == [REFUTED, REFUTED, REFUTED, PROVED, UNKNOWN, PROVED]


# ---- bounded in time ---------------------------------------------------------------------------------


def test_huge_arguments_are_not_evaluated_and_the_budget_holds():
    start = time.process_time()
    p = symact.properties("x*tanh(exp(x))", budget=30)
    assert time.process_time() - start < 60
    assert p["limits"].value == (0, sp.oo)


def test_a_tiny_budget_means_proof_timeout_not_a_hang():
    start = time.monotonic()
    with pytest.raises(ProofTimeout):
        symact.properties("x*tanh(exp(x)) + sin(x)*atan(x)", budget=0.5)
    with pytest.raises(ProofTimeout):
        symact.derive("mish(mish(x)) + x/13", budget=0.01)  # an expression no other test derives (no cache hit)
    assert time.monotonic() - start < 20


# ---- deterministic: a budget decides whether an answer comes back, never which ----------------------


@pytest.mark.parametrize("budget", [0.01, 0.05, 0.2])
def test_a_budget_that_runs_out_gives_no_answer_and_caches_nothing(budget):
    derive_module._CACHE.clear()
    properties_module._CACHE.clear()
    for call in (lambda: symact.derive("softplus", beta=1, budget=budget),
                 lambda: symact.properties("softsign", budget=budget)):  # fmt: skip
        try:
            call()
        except ProofTimeout:
            pass
    fast = symact.derive("softplus", beta=1)
    assert str(fast.df_of_output) == "1 - exp(-y)"
    assert all(v.proved for v in symact.properties("softsign").values())


# ---- fresh: caches keyed by the definition -----------------------------------------------------------


def test_replacing_a_definition_never_leaves_a_stale_derivation_or_property():
    first = symact.define("mine", "x**2")
    assert symact.derive("mine").f == symact.parse("x**2")
    assert symact.properties(first)["minimum"].value == 0
    second = symact.define("mine", "10*x", replace=True)
    assert symact.derive("mine").f == symact.parse("10*x") and symact.derive(second).f == symact.parse("10*x")
    assert symact.properties("mine")["minimum"].value == -sp.oo
    assert symact.properties(second)["lipschitz"].value == 10


# ---- honest kink messages ----------------------------------------------------------------------------


def test_kink_messages_say_which_convention_and_why():
    text = str(symact.derive("abs(x)"))
    assert "torch policy gives" not in text and "by design" in text and "left derivative" in text
    assert "as torch autograd computes it" in str(symact.derive("relu"))


def test_check_derivative_skips_points_where_only_f2_jumps():
    from symact.testing.assertions import check_derivative

    sqnl = symact.define("sqnl", "min(max(x, -2), 2) - min(max(x, -2), 2)*abs(min(max(x, -2), 2))/4")
    assert check_derivative(sqnl).status == CHECKED
    with mpmath.workdps(30):
        assert check_derivative("hardtanh").status == CHECKED
