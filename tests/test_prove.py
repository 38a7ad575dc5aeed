"""prove, prove_bound, prove_limit, the testing helpers and the theorem registry."""

import pathlib
import subprocess
import sys

import mpmath
import pytest
import sympy as sp

from pytest_symact import pytest_assertrepr_compare
from symact.catalog import x
from symact.chapter.registry import SECTIONS, THEOREMS, Theorem, section
from symact.chapter.registry import get as get_theorem
from symact.errors import ParameterError, ParseError
from symact.proof import PROVED, REFUTED, UNKNOWN, Evidence, Proof, Step, prove, prove_bound, prove_limit
from symact.testing.assertions import ProofFailure, assert_derivative, assert_identity

PROOFS = pathlib.Path(__file__).resolve().parent.parent / "proofs"


def _numerically_equal(a: sp.Expr, b: sp.Expr) -> bool:
    """Independent check of one proof step: SymPy's evalf at a few points, 30 digits."""
    symbols = sorted(a.free_symbols | b.free_symbols, key=lambda s: s.name)
    for t in (sp.Rational(3, 7), sp.Rational(-9, 4), sp.Rational(5, 2)):
        point = {s: t if not s.is_positive else abs(t) for s in symbols}
        if abs(sp.N((a - b).xreplace(point), 30)) > 1e-25:
            return False
    return True


# ---- the examples of the issue ---------------------------------------------------------------


def test_tanh_identity_is_proved_with_a_checked_chain():
    p = prove("tanh(x) + 1", "2*sigmoid(2*x)")
    assert p.status == PROVED and p.proved and bool(p)
    assert repr(p) == "Proof(proved, by rewriting to exp; 4 steps; numeric check at 64 points, 50 digits)"
    assert p.steps[0].expr == p.lhs and p.steps[-1].expr == p.rhs
    for before, after in zip(p.steps, p.steps[1:]):
        assert after.rule and _numerically_equal(before.expr, after.expr), (before, after)
    assert p.evidence == Evidence(64, 50, p.evidence.max_difference) and p.evidence.max_difference < 1e-40


def test_simplify_alone_does_not_prove_the_tanh_identity():
    # why rewriting to exp is needed: SymPy's simplify leaves it, and equals() cannot decide it
    diff = sp.tanh(x) + 1 - 2 * sp.Function("sigmoid")(2 * x)
    assert sp.simplify(diff) != 0


def test_false_tanh_identity_is_refuted_at_50_digits():
    p = prove("tanh(x) + 1", "2*sigmoid(x)")
    assert p.status == REFUTED and not p
    assert repr(p) == "Proof(refuted: x = 1 gives 1.7616 != 1.4621)"
    c = p.counterexample
    assert c["point"] == {"x": "1"}
    assert c["lhs"].startswith("1.76159415595576488811945828260479359041276859725")
    assert c["rhs"].startswith("1.46211715726000975850231848364367254873028928033")
    with mpmath.workdps(60):
        assert abs(mpmath.tanh(1) + 1 - mpmath.mpf(c["lhs"])) < mpmath.mpf("1e-48")
        assert abs(2 / (1 + mpmath.exp(-1)) - mpmath.mpf(c["rhs"])) < mpmath.mpf("1e-48")


@pytest.mark.parametrize(
    "lhs, rhs",
    [
        ("acosh(cosh(x))", "abs(x)"),  # true, but acosh has no derivative at cosh(0) = 1 and no rewrite applies
    ],
)
def test_beyond_the_strategies_is_unknown_never_proved(lhs, rhs):
    p = prove(lhs, rhs)
    assert p.status == UNKNOWN
    assert p.evidence.points >= 60 and p.evidence.digits == 50
    assert "unknown" in repr(p) and "max difference" in repr(p)


@pytest.mark.parametrize("lhs, rhs", [("exp(x)", "exp(x) + 1e-40"), ("exp(-1000)", "0"), ("x*10**-60", "0")])
def test_differences_below_the_50_digit_tolerance_are_still_refuted(lhs, rhs):
    p = prove(lhs, rhs)
    assert p.status == REFUTED
    point = {sp.Symbol(k, real=True): sp.Rational(v) for k, v in p.counterexample["point"].items()}
    assert sp.N((p.lhs - p.rhs).xreplace(point), 30) != 0


def test_catastrophic_cancellation_is_not_a_counterexample():
    # at x = 400 both sides are about exp(800): a 50-digit evaluation cancels to 0
    p = prove("cosh(x)**2 - sinh(x)**2", "1")
    assert p.status == PROVED


def test_budget_runs_out_as_unknown_timeout():
    p = prove("mish(x)", "x*((1 + exp(x))**2 - 1)/((1 + exp(x))**2 + 1)", budget=1e-4)
    assert p.status == UNKNOWN and p.method == "timeout"


def test_case_split_proves_piecewise_identities():
    p = prove("hardtanh(x)", "relu(x + 1) - relu(x - 1) - 1")
    assert p.proved and p.method == "case split at x = -1, 1"
    p = prove("softshrink(x, l)", "relu(x - l) - relu(-x - l)", l="positive")
    assert p.proved and "-l, l" in p.method


def test_parameters_that_reorder_kinks_are_handled_soundly():
    # min(max(x, m), M) = max(m, min(M, x)) only when m <= M, which is not assumed: refuted
    p = prove("hardtanh(x, m, M)", "max(m, min(M, x))")
    point = p.counterexample["point"]
    assert p.refuted and sp.Rational(point["m"]) > sp.Rational(point["M"])
    # a true identity whose split points m and M have no known order: never refuted
    p = prove("max(x - m, 0) - max(m - x, 0) + abs(x - M)", "x - m + abs(M - x)")
    assert p.status in (PROVED, UNKNOWN)


def test_wrong_value_at_a_kink_is_found():
    p = prove("threshold(x, 1, 0)", "x*Heaviside(x - 1)")  # Heaviside(0) is 1/2
    assert p.refuted and p.counterexample["point"] == {"x": "1"}


# ---- assumptions and parameters --------------------------------------------------------------


def test_assumptions_are_respected_when_sampling():
    assert prove("relu(a*x)", "a*relu(x)", a="positive").proved
    p = prove("relu(a*x)", "a*relu(x)")
    assert p.refuted and sp.Rational(p.counterexample["point"]["a"]) < 0
    p = prove("sqrt(b**2)", "b", b="positive")
    assert p.proved


def test_parameters_can_be_given_values():
    assert prove("swish(x, b)", "silu(x)", b=1).proved
    assert prove("swish(x, b)", "silu(x)", b=2).refuted


def test_sympy_expressions_are_accepted():
    beta = sp.Symbol("beta", positive=True)
    f = x * sp.Function("g")(x)
    assert prove(sp.exp(x) * sp.exp(-x), sp.Integer(1)).proved
    assert prove(x * beta, beta * x).proved
    assert prove(f, f).proved


def test_bad_input_raises_symact_errors():
    with pytest.raises(ParseError):
        prove("tanh(x) +", "1")
    with pytest.raises(ParseError):
        prove("__import__('os')", "1")
    with pytest.raises(ParameterError, match="lhs"):
        prove(object(), "1")
    with pytest.raises(ParameterError, match="assumption"):
        prove("a*x", "x", a="huge")


# ---- display -----------------------------------------------------------------------------------


def test_latex_str_and_repr_latex():
    p = prove("sigmoid(-x)", "1 - sigmoid(x)")
    tex = p.latex()
    assert tex.startswith("\\begin{align*}") and tex.endswith("\\end{align*}")
    assert tex.count("\\text{") == len(p.steps) - 1 and "\\sigma" in tex  # every step but the first is justified
    assert p._repr_latex_() == tex
    text = str(p)
    assert "proved" in text and "sigmoid(-x) = " in text and "numeric check at" in text
    refuted = prove("tanh(x) + 1", "2*sigmoid(x)")
    assert "counterexample" in str(refuted) and "x = 1" in refuted.latex()


# ---- bounds and limits -------------------------------------------------------------------------


def test_sigmoid_derivative_bound_with_equality_only_at_zero():
    p = prove_bound("diff(sigmoid(x), x)", upper="1/4", equality_at=[0])
    assert p.proved and p.details["equality_set"] == [0]
    assert [s.relation for s in p.steps] == ["=", "<="] and p.steps[-1].expr == sp.Rational(1, 4)
    wrong_point = prove_bound("diff(sigmoid(x), x)", upper="1/4", equality_at=[1])
    assert wrong_point.refuted
    too_tight = prove_bound("diff(sigmoid(x), x)", upper="1/5")
    assert too_tight.refuted and sp.Rational(too_tight.counterexample["point"]["x"]) is not None


def test_tanh_derivative_bounds():
    assert prove_bound("diff(tanh(x), x)", lower=0, strict=True).proved
    assert prove_bound("diff(tanh(x), x)", upper=1, equality_at=[0]).proved
    strict_upper = prove_bound("diff(tanh(x), x)", upper=1, strict=True)  # equality at 0
    assert strict_upper.refuted and strict_upper.counterexample["point"] == {"x": "0"}


def test_false_bound_is_refuted_and_undecided_is_unknown():
    assert prove_bound("diff(gelu(x), x)", upper=1).refuted  # gelu' peaks near 1.13
    assert prove_bound("diff(gelu(x), x)", upper=2).proved  # gelu'' = phi(x) (2 - x**2): extremes at +-sqrt(2)
    assert prove_bound("mish(x)", lower="-0.31").status == UNKNOWN  # true, but mish's minimum has no closed form


def test_swish_limits():
    assert prove_limit("swish(x, beta)", "beta", "oo", "relu(x)").proved
    assert prove_limit("swish(x, beta)", "beta", 0, "x/2", beta="positive").proved
    wrong = prove_limit("swish(x, beta)", "beta", 0, "x", beta="positive")
    assert wrong.refuted and wrong.counterexample["lhs"] != wrong.counterexample["rhs"]
    assert prove_limit("swish(x, beta)", "beta", "oo", "x").refuted


# ---- testing helpers ---------------------------------------------------------------------------


def test_assert_identity_failure_shows_both_sides_and_the_counterexample():
    assert assert_identity("tanh(x) + 1", "2*sigmoid(2*x)").proved
    with pytest.raises(ProofFailure) as info:
        assert_identity("tanh(x) + 1", "2*sigmoid(x)")
    message = str(info.value)
    assert "refuted" in message and "counterexample at x = 1" in message
    assert "tanh(x) + 1" in message and "2⋅σ(x)" in message or "2⋅sigmoid(x)" in message
    assert "1.7615941559557648881194582826047935904127685972579" in message
    assert isinstance(info.value, AssertionError)
    with pytest.raises(ProofFailure, match="unknown"):
        assert_identity("acosh(cosh(x))", "abs(x)")
    assert assert_identity("acosh(cosh(x))", "abs(x)", allow_unknown=True).status == UNKNOWN


def test_assert_derivative():
    assert assert_derivative("swish", "sigmoid(beta*x) + beta*x*sigmoid(beta*x)*(1 - sigmoid(beta*x))").proved
    assert assert_derivative("tanh(x)", "1 - tanh(x)**2").proved
    with pytest.raises(ProofFailure, match="refuted"):
        assert_derivative("sigmoid", "sigmoid(x)*(1 + sigmoid(x))")


def test_pytest_hook_explains_a_proof_in_a_failed_assert():
    p = prove("tanh(x) + 1", "2*sigmoid(x)")
    lines = pytest_assertrepr_compare(None, "==", p, "proved")
    assert lines and any("counterexample" in line for line in lines)
    assert pytest_assertrepr_compare(None, "==", 1, 2) is None


def test_plugin_is_registered_as_an_entry_point():
    text = (PROOFS.parent / "pyproject.toml").read_text()
    assert '[project.entry-points.pytest11]\nsymact = "pytest_symact"' in text


def test_plugin_costs_no_import_of_symact_or_sympy():
    code = "import sys, pytest_symact; print(any(m.split('.')[0] in ('symact', 'sympy') for m in sys.modules))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=PROOFS.parent)
    assert result.returncode == 0 and result.stdout.strip() == "False"


# ---- theorem registry --------------------------------------------------------------------------


def test_every_section_has_theorems_and_a_proofs_file():
    names = [t.name for t in THEOREMS]
    assert len(names) == len(set(names)) and len(THEOREMS) >= 20
    files = {p.name: p.read_text() for p in PROOFS.glob("test_*.py")}
    for key in SECTIONS:
        assert section(key), key
        assert sum(f"section({key!r})" in text or f'section("{key}")' in text for text in files.values()) == 1, key
    assert [t.section for t in THEOREMS] == sorted((t.section for t in THEOREMS), key=list(SECTIONS).index)


def test_theorems_are_complete_data():
    for t in THEOREMS:
        assert isinstance(t, Theorem) and callable(t.check)
        assert t.statement and t.latex and t.explanation.endswith(".") and t.explanation.count(". ") <= 1
    with pytest.raises(Exception, match="did you mean"):
        get_theorem("tanh_plus_on")


def test_a_theorem_runs_to_a_proof_and_combines_its_parts():
    p = get_theorem("tanh_plus_one").run()
    assert isinstance(p, Proof) and p.proved and len(p.details["parts"]) == 2
    assert all(isinstance(s, Step) for s in p.steps)


def test_case_split_needs_branch_signs_that_hold_for_every_parameter():
    from symact.proof.cases import _split_points

    a_real, a_pos = sp.Symbol("a", real=True), sp.Symbol("a", positive=True)
    # a*x - 1 changes sign at 1/a, but on which side depends on the sign of a: no split
    assert _split_points(sp.Max(0, a_real * x - 1), {a_real: 1}) is None
    assert _split_points(sp.Max(0, a_pos * x - 1), {a_pos: 1}) == [1 / a_pos]
    # Min(Max(0, x), a): the branch for x < 0 is Min(0, a), decided by the sign of a alone
    assert _split_points(sp.Min(sp.Max(0, x), a_real), {a_real: 1}) is None
    assert prove("min(max(0, x), a)", "relu(x) - relu(x - a)", a="positive").proved
    assert prove("min(max(0, x), a)", "relu(x) - relu(x - a)").refuted


def test_huge_values_do_not_crash_or_hang():
    # exp(exp(exp(400))) does not fit in memory: such points are skipped, the identity still proved
    # A loaded machine may run either out of its budget: never wrong, decided when it comes back (tests.timeouts)
    p = prove("sigmoid(exp(exp(x)))", "1/(1 + exp(-exp(exp(x))))")
    assert p.proved or p.method == "timeout"
    q = prove("exp(exp(exp(x)))", "exp(exp(exp(x))) + 1")
    assert not q.proved
    if q.method != "timeout":
        assert q.refuted and "!=" in repr(q)
        a, b = repr(q).split(" gives ")[1].rstrip(")").split(" != ")
        assert a != b  # shown with enough digits to see the difference


def test_bound_budget():
    p = prove_bound("diff(sigmoid(x), x)", upper="1/4", budget=1e-4)
    assert p.status == UNKNOWN and p.method == "timeout"


def test_plugin_in_a_users_test_suite(tmp_path):
    import subprocess
    import sys
    from importlib.metadata import entry_points

    (tmp_path / "test_user.py").write_text(
        "from symact.testing.assertions import assert_identity\n"
        "def test_ok():\n    assert_identity('sigmoid(-x)', '1 - sigmoid(x)')\n"
        "def test_wrong():\n    assert_identity('tanh(x) + 1', '2*sigmoid(x)')\n"
    )
    installed = any(e.name == "symact" for e in entry_points(group="pytest11"))
    args = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(tmp_path / "test_user.py")]
    if not installed:
        args[3:3] = ["-p", "pytest_symact"]
    root = str(PROOFS.parent)
    result = subprocess.run(args, capture_output=True, text=True, cwd=tmp_path, env={"PYTHONPATH": root, "PATH": ""})
    assert "1 failed, 1 passed" in result.stdout, result.stdout + result.stderr
    assert (
        "counterexample at x = 1" in result.stdout
        and "1.761594155955764888119458282604793590412768597257" in result.stdout
    )


def test_autodiff_is_independent_of_sympy_diff():
    from symact.errors import SymactError
    from symact.testing.assertions import autodiff

    with mpmath.workdps(30):
        value, slope = autodiff(parse_text("x*sigmoid(2*x)"), mpmath.mpf("0.5"))
        s = 1 / (1 + mpmath.exp(-1))
        assert abs(value - s / 2) < 1e-28 and abs(slope - (s + s * (1 - s))) < 1e-28
        _, kink_side = autodiff(parse_text("hardswish(x)"), mpmath.mpf(-4))
        assert kink_side == 0
    with pytest.raises(SymactError, match="no rule"):
        autodiff(sp.besselj(0, x), 1)


def parse_text(text):
    from symact.parsing import parse

    return parse(text)


def test_a_wrong_sympy_limit_is_not_proved():
    # SymPy's limit of this form of silu' at +oo is 0; the true limit is 1
    silu_prime = "(-x*(-1 + 1/(1 + exp(-x))) + 1)/(1 + exp(-x))"
    assert prove_limit(silu_prime, "x", "oo", "0").status != PROVED
    assert prove_limit(silu_prime, "x", "oo", "1").status != REFUTED


@pytest.mark.parametrize(
    "expr, point, true, false",
    [
        ("tanh(x + x**3/20)", "-oo", "-1", "1"),
        ("diff(mish(x), x)", "oo", "1", "0"),
        ("x*sigmoid(x)", "-oo", "0", "-1/2"),
        ("gelu(x) - x", "oo", "0", "1"),
        ("atan(x)*x - x*pi/2", "oo", "-1", "1"),
    ],
)
def test_limits_at_infinity_are_proved_by_the_asymptotic_series(expr, point, true, false):
    proof = prove_limit(expr, "x", point, true, budget=None)
    assert proof.proved and proof.method == "limit (asymptotic series)"
    assert [s.relation for s in proof.steps] == ["=", "->", "="] and proof.steps[1].expr == parse_text(true)
    wrong = prove_limit(expr, "x", point, false, budget=None)
    assert wrong.refuted and mpmath.mpf(wrong.counterexample["lhs"]) == mpmath.mpf(sp.N(parse_text(true), 30))


@pytest.mark.parametrize(
    "expr, point, expected, status, side, limit",
    [
        ("exp(1/x)", "0", "1", "refuted", "x -> 0+", "oo"),  # was refuted at "x = 1", the value there
        ("log(x)", "0", "-5", "refuted", "x -> 0+", "-oo"),
        ("1/x", "0", "oo", "refuted", "x -> 0-", "-oo"),
        ("1/x**2", "0", "-oo", "refuted", "x -> 0+", "oo"),
        ("1/x**2", "0", "oo", "proved", None, None),
        ("exp(exp(exp(x)))", "oo", "oo", "proved", None, None),
    ],
)
def test_a_limit_in_x_itself_is_never_split_at_x_and_may_be_infinite(expr, point, expected, status, side, limit):
    proof = prove_limit(expr, "x", point, expected, budget=None)
    assert proof.status == status
    if status == "refuted":
        assert proof.counterexample == {"point": {}, "lhs": limit, "rhs": expected, "limit": side}


@pytest.mark.parametrize("expected", ["x", "x + 1", "1/x"])
def test_an_expected_limit_in_its_own_variable_or_undefined_is_a_parameter_error(expected):
    with pytest.raises(ParameterError, match="expected"):
        prove_limit("x", "x", 0, expected)


def test_a_certified_limit_that_far_values_contradict_goes_to_gruntz(monkeypatch):
    from symact.kernels import asymptotics

    monkeypatch.setattr(asymptotics, "limit_at_infinity", lambda expr, var, side: (-sp.oo, -1))
    with pytest.warns(RuntimeWarning, match="disagrees"):
        proof = prove_limit("x/(1 + 2*x)", "x", "oo", "1/2", budget=None)
    assert proof.proved and proof.method == "limit (Gruntz)"


def test_a_difference_beyond_the_printed_digits_is_shown_as_the_certified_difference():
    proof = prove("erf(x)**2 + erfc(x)*(2 - erfc(x))", "1 + exp(-x**2 - 2000)")  # both sides print as 1.0
    assert proof.refuted
    difference = mpmath.mpf(proof.counterexample["difference"])
    at = mpmath.mpf(sp.Rational(proof.counterexample["point"]["x"]))
    with mpmath.workdps(1200):
        assert mpmath.almosteq(difference, -mpmath.exp(-(at**2) - 2000), rel_eps=1e-5)
    assert "lhs - rhs = " in str(proof) and "lhs - rhs = " in repr(proof)


def test_a_refuted_identity_prints_as_a_question_with_its_counterexample():
    tex = prove("x", "x + 1e-60").latex()
    assert r"x &\overset{?}{=} x + \frac{1}{" in tex and r"\text{at } x = 1" in tex and r"\neq" in tex


def test_an_unknown_never_claims_agreement_where_the_sides_disagreed_uncertified(monkeypatch):
    """Where the 50-digit sides disagree but no certified evaluation decides, the evidence says so."""
    from symact.proof import falsify

    monkeypatch.setattr(falsify, "_recheck", lambda lhs, rhs, point: None)  # certification always declines
    proof = prove("x + 1", "x + 2", budget=10)
    assert proof.status == UNKNOWN and proof.method == "uncertified disagreement"
    assert proof.evidence.undecided > 0 and "disagree but no certified evaluation decides" in str(proof)
    assert prove("sin(x)**2 + cos(x)**2", "1").evidence.undecided == 0
