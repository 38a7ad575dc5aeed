"""One verdict vocabulary: *proved* only for a symbolic or exact argument; numbers and instances are *checked*;
identities between derivatives are read where the function is differentiable, its kinks left out."""

import numpy as np
import pytest
import sympy as sp

import symact
from symact.catalog import CATALOG, x
from symact.chapter.parts import exact_proof, instances_proof
from symact.chapter.registry import THEOREMS, get
from symact.chapter.theorem import combine, parts
from symact.kinks import POLICIES
from symact.proof import (
    CHECK_BASES,
    CHECKED,
    EXACT,
    FLOAT,
    PROOF_BASES,
    PROVED,
    REFUTED,
    SAMPLES,
    Proof,
    Status,
)
from symact.render.latex import proof as proof_latex
from symact.testing import check_derivative
from symact.testing.assertions import ProofFailure, assert_derivative, assert_theorem
from symact.testing.frameworks import crosscheck

# ---- item 1: one vocabulary -------------------------------------------------------------------------


def test_status_has_the_four_words():
    assert [s.value for s in Status] == ["proved", "checked", "refuted", "unknown"]


@pytest.mark.parametrize("basis", CHECK_BASES)
def test_a_check_is_never_proved(basis):
    p = Proof("statement", PROVED, "some computation", basis=basis)
    assert p.status == CHECKED and not p.proved and not bool(p)
    assert "proved" not in repr(p) and "proved" not in str(p)


def test_float_check_through_exact_proof_is_checked():
    worst = 3.1e-16
    assert exact_proof("random networks agree", worst < 1e-12, "float64 check").status == CHECKED
    assert exact_proof("agree", worst < 1e-12, "float64 check", basis=FLOAT).status == CHECKED
    assert exact_proof("1 + 1 = 2", True, "exact arithmetic", basis=EXACT).status == PROVED
    assert exact_proof("1 + 1 = 3", False, "exact arithmetic", basis=EXACT).status == REFUTED


def test_unknown_basis_is_an_error():
    with pytest.raises(symact.SymactError):
        Proof("s", PROVED, basis="vibes")


def test_combine_orders_the_statuses():
    proved = exact_proof("a", True, "m", basis=EXACT)
    checked = exact_proof("b", True, "m", basis=SAMPLES)
    refuted = exact_proof("c", False, "m", basis=EXACT)
    assert combine("ab", [proved, checked]).status == CHECKED
    assert combine("ab", [proved, checked]).basis == SAMPLES
    assert combine("abc", [proved, checked, refuted]).status == REFUTED
    assert combine("aa", [proved, proved]).status == PROVED


def test_instances_of_a_general_claim_are_checked_unless_they_are_every_case():
    two = [exact_proof(f"k = {k}", True, "m", basis=EXACT) for k in (1, 2)]
    assert instances_proof("for every k", "", two).status == CHECKED
    assert instances_proof("for k in {1, 2}", "", two, every=True).status == PROVED


@pytest.mark.parametrize("theorem", THEOREMS, ids=[t.name for t in THEOREMS])
def test_no_proved_verdict_rests_on_numbers_or_instances(theorem):
    proof = theorem.run()  # proved when the test runs, not while the file is collected
    for p in parts(proof):
        if p.status == PROVED:
            assert p.basis in PROOF_BASES, (theorem.name, p.statement, p.basis)
            inner = list(parts(p))[1:]
            assert all(q.status == PROVED for q in inner), (theorem.name, p.statement)
            assert not any(word in p.method.lower() for word in ("float", "random", "sample", "autodiff")), p.method
    assert proof.status in (PROVED, CHECKED), (theorem.name, proof.status)
    assert (proof.status == CHECKED) == theorem.checked, theorem.name
    assert assert_theorem(theorem).status == proof.status


@pytest.mark.parametrize(
    "name",
    [
        "affine_collapse",
        "rank_bottleneck",
        "tanh_sigmoid_networks",
        "depth_multiplies_pieces",
        "sigmoid_gradient_through_layers",
        "softmax_cross_entropy_gradient",
    ],
)
def test_general_statements_are_proved_in_general(name):
    proof = get(name).run()
    assert proof.status == PROVED
    assert not any("instances" in p.details for p in parts(proof))
    assert not any(p.basis in CHECK_BASES for p in parts(proof))


def test_every_catalog_derivative_is_proved_against_its_definition():
    proof = get("analytic_vs_numerical_derivative").run()
    instances = proof.details["instances"]
    assert len(instances) == len(CATALOG) and proof.status == PROVED
    relu = next(p for p in instances if p.statement.startswith("d/dx relu "))
    assert relu.details["excluded"] == [0] and "no derivative" in relu.details["why"][0]


def test_numerical_agreement_is_a_checked_theorem():
    theorem = get("numerical_derivative_agreement")
    assert theorem.checked and theorem.run().status == CHECKED
    assert all(p.basis == SAMPLES for p in theorem.run().details["parts"])


def test_a_checked_theorem_not_declared_checked_fails_assert_theorem():
    from symact.chapter.theorem import theorem

    claim = theorem("c", "demo", "k = 1, 2", "k", "e")(lambda: [exact_proof("k = 1", True, "m")])
    assert claim.run().status == CHECKED
    with pytest.raises(ProofFailure):
        assert_theorem(claim)


def test_symact_check_prints_checked_not_proved(capsys):
    from symact.cli import main

    main(["check"])
    out = capsys.readouterr().out
    for t in THEOREMS:
        line = next(row for row in out.splitlines() if row.startswith(t.name + " "))
        assert line.split()[1] == str(t.run().status)
    assert "checked" in out.splitlines()[-1]


def test_notes_print_checked_parts_as_checked():
    t = get("relu_network_piecewise_linear")
    tex = proof_latex(t.run())
    assert r"\textbf{Altogether: checked}" in tex and "Altogether: proved" not in tex


def test_claims_use_the_same_vocabulary():
    claims = symact.check_claims(
        [("sigmoid", "lipschitz", "1/4"), ("mish", "minimum", "-0.308843413017250406628760229042")]
    )
    assert [c.status for c in claims] == [PROVED, CHECKED]
    assert [c.proved for c in claims] == [True, False]
    assert not hasattr(symact.analysis, "HOLDS") and not hasattr(symact.analysis, "UNDECIDED")


def test_properties_numerical_only_values_are_checked():
    p = symact.properties("mish")["minimum"]
    assert p.status == CHECKED and not p.proved
    assert symact.properties("sigmoid")["lipschitz"].status == PROVED


def test_derivative_and_framework_checks_are_checked_never_proved():
    check = check_derivative("softplus")
    assert check.status == CHECKED and not check.proved
    report = crosscheck("tanh", np.tanh, grad=lambda t: 1 - np.tanh(t) ** 2, points=[0.5, 1.0])
    assert report.status == CHECKED and not report.proved


# ---- item 3: derivatives at kinks ---------------------------------------------------------------------


def test_prelu_derivative_exercise_is_proved_with_the_kink_excluded():
    p = symact.prove("diff(prelu(x, a), x)", "where(x > 0, 1, a)")
    assert p.status == PROVED and p.details["excluded"] == [0]
    assert "proved for x ≠ 0" in str(p) and "x ≠ 0" in repr(p)


def test_derive_against_string_diff_is_proved_with_the_kink_excluded():
    p = symact.prove(symact.derive("relu").df, "diff(relu(x), x)")
    assert p.status == PROVED and p.details["excluded"] == [0]
    assert "no derivative" in p.verdict() and "one-sided derivatives 0 and 1" in p.verdict()


@pytest.mark.parametrize(
    "lhs, rhs, excluded",
    [
        ("diff(abs(x), x)", "where(x > 0, 1, -1)", [0]),
        ("diff(relu(x - 1), x)", "where(x > 1, 1, 0)", [1]),
        ("diff(relu6(x), x)", "where(x > 0, where(x < 6, 1, 0), 0)", [0, 6]),
        ("diff(x*relu(x), x)", "2*relu(x)", []),  # differentiable at 0: nothing left out
    ],
)
def test_string_derivatives_leave_out_exactly_the_kinks(lhs, rhs, excluded):
    p = symact.prove(lhs, rhs)
    assert p.status == PROVED
    assert p.details.get("excluded", []) == excluded


def test_a_wrong_derivative_is_still_refuted_away_from_the_kink():
    p = symact.prove("diff(relu(x), x)", "where(x > 0, 2, 0)")
    assert p.status == REFUTED and p.counterexample["point"]["x"] != 0


def test_without_a_derivative_nothing_is_excluded():
    assert symact.prove("heaviside(x)", "where(x > 0, 1, 0)").status == REFUTED


def test_assert_derivative_on_the_issue_examples():
    for name in ("relu", "leaky_relu", "relu6", "prelu", "hardswish"):
        p = assert_derivative(name, symact.derive(name).df)
        assert p.details["excluded"]
    assert assert_derivative("relu", "where(x > 0, 1, 0)").details["excluded"] == [0]
    assert assert_derivative("abs(x)", "where(x > 0, 1, -1)").details["excluded"] == [0]
    text = assert_derivative("relu", "where(x > 0, 1, 0)").verdict()
    assert text == "proved for x ≠ 0; at 0 relu has no derivative (one-sided derivatives 0 and 1); torch and JAX take 0"
    with pytest.raises(ProofFailure):
        assert_derivative("relu", "where(x > 0, 2, 0)")


@pytest.mark.parametrize("policy", POLICIES)
@pytest.mark.parametrize("name", [e.name for e in CATALOG])
def test_assert_derivative_holds_for_every_entry_and_policy(name, policy):
    p = assert_derivative(name, symact.derive(name, kink=policy).df)
    assert p.status == PROVED
    for point in p.details.get("excluded", []):
        assert point in symact.derive(name).kinks


def test_notes_do_not_print_the_kink_value_as_a_derivative():
    tex = proof_latex(get("relu_derivative_at_zero").run())
    assert r"\right|_{x=0}" not in tex and "no derivative" in tex


def test_notes_show_the_excluded_points():
    tex = proof_latex(symact.prove("diff(prelu(x, a), x)", "where(x > 0, 1, a)"))
    assert r"for $x \ne 0$" in tex


def test_out_of_reach_in_general_the_defaults_signs_are_assumed_and_said():
    p = assert_derivative("hardtanh", "where(x > -1, where(x < 1, 1, 0), 0)", min_val=-1, max_val=1)
    assert p.details["excluded"] == [-1, 1] and "assumed" not in p.details
    p = assert_derivative("hardtanh", symact.derive("hardtanh").df)
    assert p.details["assumed"] == {"min_val": "negative", "max_val": "positive"}
    assert p.statement.endswith("for negative min_val, positive max_val")


def test_derivative_marker_reads_the_function_differentiated():
    p = symact.prove(sp.Derivative(sp.Max(x, 0), x), sp.Heaviside(x))
    assert p.status == PROVED and p.details["excluded"] == [0]
