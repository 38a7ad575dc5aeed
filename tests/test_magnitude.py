"""Evaluations that would never end are refused before they start, the same way on every machine.

A power tower or an iterated exp at a sample point is one long big-integer operation (SymPy's exact
3**7625597484987, mpmath's ln 2 to billions of bits) that no budget can interrupt: ``symact.magnitude`` bounds
the sizes from the expression's shape, and every sampler skips such points.
"""

import multiprocessing
import time

import mpmath
import pytest
import sympy as sp

import symact
from symact.catalog import x
from symact.errors import TooLarge
from symact.functions import mp_function, sigmoid, softplus
from symact.magnitude import ARG_BITS, EXACT_BITS, too_large

X, A, B = sp.symbols("x a b")
R = sp.Rational
MARGIN = 3.0  # seconds past the budget a call may take to unwind, on a loaded 2-core machine
E = sp.exp


@pytest.mark.parametrize(
    ("expr", "at", "in_floats"),
    [
        (x**x**x**x, 3, False),  # 3**7625597484987: SymPy builds it exactly on substitution (mpmath's float: cheap)
        (3 ** (x**3), 1000, False),  # exact, 1.6e9 bits
        (x**x**x**x**x**x, 2, True),
        (E(E(E(E(x)))), 3, True),  # exp of a 760-million-bit number: ln 2 to as many bits
        (E(-E(E(x))), 12, True),
        (sp.sin(E(E(x))), 10, True),  # the argument reduced modulo pi to 31,000 bits
        (sigmoid(E(E(x))), 10, True),
    ],
)
def test_evaluations_that_never_end_are_refused(expr, at, in_floats):
    assert too_large(expr, {x: sp.Integer(at)})
    assert too_large(expr, {x: mpmath.mpf(at)}) == in_floats
    if in_floats:
        with pytest.raises(TooLarge):
            mp_function(expr)(mpmath.mpf(at))


@pytest.mark.parametrize(
    ("expr", "at"),
    [
        (x**x**x, 3),
        (E(E(E(x))), 3),  # exp(5.3e8): huge, but its exponent is an ordinary integer
        (E(E(x)), 1000),
        (E(x**2), 10**5),
        (x * sigmoid(x - 1000), 10**5),
        (sp.log(softplus(x)), -(10**5)),
        (sp.gamma(sp.gamma(x)), 30),
        (1 / (x - sp.Rational(1, 3)), sp.Rational(1, 3) + sp.Rational(1, 10**40)),
        (x**20000, 3),
    ],
)
def test_large_but_cheap_evaluations_go_ahead_quickly(expr, at):
    assert not too_large(expr, {x: sp.sympify(at)})
    start = time.perf_counter()
    value = mp_function(expr)(mpmath.mpf(at) if not isinstance(at, sp.Rational) else mpmath.mpf(at.p) / at.q)
    assert time.perf_counter() - start < 1.0
    assert mpmath.isfinite(value) or mpmath.isinf(value)


@pytest.mark.parametrize(
    ("expr", "point"),
    [
        ((X**A) ** B, {X: -3000, A: R(1961, 1000), B: R(-757, 1000)}),  # factors a 511,000-bit radicand
        (X ** (A * B), {X: -3000, A: R(1961, 1000), B: R(-757, 1000)}),  # (-3000)**(-1484477/10**6): 20 s
        (X ** R(-1484477, 10**6), {X: 3000}),
    ],
)
def test_exact_roots_that_build_huge_radicands_are_refused(expr, point):
    assert too_large(expr, {k: sp.Rational(v) for k, v in point.items()})


@pytest.mark.parametrize(
    ("expr", "point"),
    [
        (X**A, {X: -3000, A: R(1961, 1000)}),
        ((X**A) ** B, {X: -3, A: R(1, 2), B: R(-3, 4)}),
        (X ** R(12345, 1000), {X: 3}),
        (sp.sqrt(X), {X: 2**1000 + 1}),
        ((-1) ** (A * B), {A: R(1961, 1000), B: R(-757, 1000)}),  # -1 to any power is kept as it is
    ],
)
def test_exact_roots_of_moderate_size_go_ahead(expr, point):
    point = {k: sp.Rational(v) for k, v in point.items()}
    assert not too_large(expr, point)
    start = time.perf_counter()
    expr.xreplace(point)
    assert time.perf_counter() - start < 1.0


def test_the_limits_are_the_ones_documented():
    assert not too_large(x**2, {x: sp.Integer(2) ** (EXACT_BITS // 2 - 8)})
    assert too_large(x**2, {x: sp.Integer(2) ** (EXACT_BITS // 2 + 8)})
    assert not too_large(E(x), {x: sp.Integer(2) ** (ARG_BITS - 8)})
    assert too_large(E(x), {x: sp.Integer(2) ** (ARG_BITS + 8)})


@pytest.mark.parametrize(
    ("call", "status"),
    [
        (lambda: symact.prove("x**x**x**x**x**x", "x**x", budget=5), "refuted"),
        (lambda: symact.prove("exp(exp(exp(exp(x))))", "exp(x)", budget=5), "refuted"),
        (lambda: symact.prove("x**x**x**x", "x**(x**(x**x))", budget=5), "proved"),
        (lambda: symact.prove_bound("x", upper="exp(exp(exp(exp(x))))", budget=5), None),
        # -1 at x = -1, where every exponent is the integer -1 (symact.defined): exactly
        (lambda: symact.prove_bound("x**x**x**x", lower="0", budget=5), "refuted"),
        # whether x**(x**(x**x)) is an integer at x = 3 (an exponent of 3**27 digits) is not asked: x = 3 is left out
        (lambda: symact.prove_bound("x**x**x**x**x", lower="-1", budget=5), None),
        (lambda: symact.prove_limit("exp(exp(exp(exp(1/x))))", "x", 0, "oo", direction="+", budget=5), None),
    ],
)
def test_power_towers_end_within_the_budget(call, status):
    start = time.monotonic()
    proof = call()
    assert time.monotonic() - start < 5 + MARGIN
    assert status is None or proof.status == status
    if proof.status == "refuted":  # the counterexample holds: its sides differ at 60 digits
        point = {symact.parse(k): sp.Rational(v) for k, v in proof.counterexample["point"].items()}
        with mpmath.workdps(60):
            sides = [
                mp_function(side, list(point))(*[mpmath.mpf(v.p) / v.q for v in point.values()])
                for side in (proof.lhs, proof.rhs)
            ]
        assert abs(sides[0] - sides[1]) > mpmath.mpf(10) ** -30


@pytest.mark.parametrize("text", ["exp(exp(exp(exp(x))))", "x**x**x**x"])
def test_deriving_a_tower_ends_within_the_budget(text):
    start = time.monotonic()
    try:
        symact.derive(text, budget=5)
    except symact.ProofTimeout:
        pass
    assert time.monotonic() - start < 5 + MARGIN


BUDGET = 5
SUBSTITUTED_BY_SYMPY = {  # each ran far past its budget inside one big-integer or mpmath step of SymPy's own
    "simplify's Piecewise clean-up at the kink": lambda: symact.prove(
        "Max(x, 3)**x**x**x*sign(x - 3)**2", "Max(x, 3)**(x**(x**x))", budget=BUDGET
    ),
    "simplify, a parameter given a value": lambda: symact.prove(
        "Max(x, a)**x**x**x*sign(x - a)**2", "Max(x, a)**(x**(x**x))", a=3, budget=BUDGET
    ),
    "a branch chosen at a case point": lambda: symact.prove(
        "Max(x, 3)**b**b**b*sign(x - 3)**2", "Max(x, 3)**b**b**b", b=3, budget=BUDGET
    ),
    "cancel ordering the terms of a gap with a constant branch": lambda: symact.prove_bound(
        "x", upper="exp(exp(exp(exp(Max(x, 3)))))", budget=BUDGET
    ),
    "limit at the kink": lambda: symact.prove_limit(
        "Max(x, 3)**x**x**x*sign(x - 3)**2", "x", 3, "3**27", budget=BUDGET
    ),
    "limit at a point of the tower": lambda: symact.prove_limit("x**x**x**x", "x", 3, "oo", budget=BUDGET),
    "one-sided values at the kink": lambda: symact.derive("Max(x, 3)**x**x**x", budget=BUDGET),
    "the kinks of a differentiated side": lambda: symact.prove(
        "diff(Max(x, 3)**x**x**x, x)", "diff(Max(x, 3)**x**x**x, x)*sign(x - 3)**2", budget=BUDGET
    ),
    "a kernel's kinks": lambda: symact.kernel("x**x**x**x*Heaviside(x - 3)", budget=BUDGET),
    "a kernel's limit at -oo": lambda: symact.lambdify(symact.parse("exp(exp(exp(exp(Max(x, 3)))))"), budget=BUDGET),
}


ROOT_BUDGET = 10
EXACT_ROOTS = {  # a sample point's exact rational power factored a radicand of 10**5 to 10**7 bits, 13-23 s
    "(x**a)**b = x**(a*b)": lambda: symact.prove("(x**a)**b", "x**(a*b)", budget=ROOT_BUDGET),
    "x**(a*b) = (x**a)**b": lambda: symact.prove("x**(a*b)", "(x**a)**b", budget=ROOT_BUDGET),
}
SLOW_CALLS = {**SUBSTITUTED_BY_SYMPY, **EXACT_ROOTS}


def _timed(name: str, pipe) -> None:
    start = time.monotonic()
    try:
        outcome = getattr(SLOW_CALLS[name](), "status", "returned")
    except (symact.ProofTimeout, TooLarge) as err:
        outcome = type(err).__name__
    pipe.send((time.monotonic() - start, outcome))


def _run_in_child(name: str, budget: float) -> tuple[float, str]:
    """``SLOW_CALLS[name]`` run in a child process killed at budget + MARGIN: (seconds, outcome)."""
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else "spawn")  # fork: symact is imported
    receive, send = context.Pipe(duplex=False)
    child = context.Process(target=_timed, args=(name, send), daemon=True)
    child.start()
    start_up = 0 if context.get_start_method() == "fork" else 120  # spawn imports symact first
    done = receive.poll(budget + MARGIN + start_up)
    if not done:
        child.kill()
    child.join()
    assert done, f"{name}: still running {budget + MARGIN:g} s past its start (budget {budget} s)"
    return receive.recv()


@pytest.mark.parametrize("name", sorted(SUBSTITUTED_BY_SYMPY))
def test_sympy_substituting_a_kink_into_a_tower_ends_within_the_budget(name):
    seconds, outcome = _run_in_child(name, BUDGET)
    assert seconds < BUDGET + MARGIN
    assert outcome in ("unknown", "returned", "ProofTimeout", "TooLarge")  # x = 3 refutes the first: never proved


@pytest.mark.parametrize("name", sorted(EXACT_ROOTS))
def test_exact_rational_powers_at_sample_points_end_within_the_budget(name):
    seconds, outcome = _run_in_child(name, ROOT_BUDGET)
    assert seconds < ROOT_BUDGET + MARGIN
    assert outcome in ("unknown", "refuted", "ProofTimeout")  # false at x = -1, a = 2, b = 1/2: never proved
