"""symact.linear: collapse, tanh <-> sigmoid, exact linear pieces, tent maps, XOR, batch normalisation."""

import numpy as np
import pytest
import sympy as sp

from symact.errors import DataError
from symact.linear import (
    XOR_WEIGHTS,
    LinearPiece,
    batch_norm,
    batch_norm_jacobian,
    check_continuity,
    collapse,
    evaluate_pieces,
    forward,
    linear_pieces,
    sigmoid_to_tanh,
    tanh_to_sigmoid,
    tent_network,
)


def _random_network(rng, shapes, bias_2d=False):
    Ws = [rng.normal(size=(a, b)) for a, b in zip(shapes, shapes[1:])]
    bs = [rng.normal(size=(1, b) if bias_2d else b) for b in shapes[1:]]
    return Ws, bs


# ---- collapse ------------------------------------------------------------------------------------


@pytest.mark.parametrize("shapes", [[3, 2], [3, 4, 2], [2, 5, 5, 3], [4, 1, 4], [6, 3, 7, 2, 5]])
@pytest.mark.parametrize("bias_2d", [False, True])
def test_collapse_equals_the_stack_on_random_numbers(shapes, bias_2d):
    rng = np.random.default_rng(len(shapes))
    Ws, bs = _random_network(rng, shapes, bias_2d)
    X = rng.normal(size=(9, shapes[0]))
    W, b = collapse(Ws, bs)
    assert W.shape == (shapes[0], shapes[-1]) and np.shape(b) == np.shape(bs[-1])
    np.testing.assert_allclose(X @ W + b, forward(Ws, bs, X, "identity"), rtol=1e-12, atol=1e-12)


def test_collapse_formula_on_sympy_matrices():
    W1, W2, W3 = (sp.Matrix(2, 2, sp.symbols(f"{n}1:5")) for n in "abc")
    b1, b2, b3 = (sp.Matrix(1, 2, sp.symbols(f"{n}1:3")) for n in "pqr")
    W, b = collapse([W1, W2, W3], [b1, b2, b3])
    assert W == W1 * W2 * W3
    assert sp.expand(b - ((b1 * W2 + b2) * W3 + b3)) == sp.zeros(1, 2)
    X = sp.Matrix(3, 2, sp.symbols("x1:7"))
    stack = ((X * W1 + sp.ones(3, 1) * b1) * W2 + sp.ones(3, 1) * b2) * W3 + sp.ones(3, 1) * b3
    assert sp.expand(stack - (X * W + sp.ones(3, 1) * b)) == sp.zeros(3, 2)


def test_collapse_rejects_mismatched_layers():
    with pytest.raises(DataError, match="bias"):
        collapse([np.ones((2, 3))], [np.ones(2)])
    with pytest.raises(DataError, match="follow"):
        collapse([np.ones((2, 3)), np.ones((4, 1))], [np.ones(3), np.ones(1)])
    with pytest.raises(DataError, match="one bias per weight"):
        collapse([], [])


def test_bottleneck_caps_the_rank():
    rng = np.random.default_rng(0)
    W1, W2 = rng.normal(size=(5, 1)), rng.normal(size=(1, 5))
    W, _ = collapse([W1, W2], [np.zeros(1), np.zeros(5)])
    assert np.linalg.matrix_rank(W) == 1 < np.linalg.matrix_rank(np.eye(5))


# ---- tanh <-> sigmoid ---------------------------------------------------------------------------


@pytest.mark.parametrize("shapes", [[3, 2], [3, 5, 2], [2, 8, 1], [4, 6, 6, 6, 3]])
def test_tanh_and_sigmoid_networks_agree_both_ways(shapes):
    rng = np.random.default_rng(sum(shapes))
    Ws, bs = _random_network(rng, shapes, bias_2d=len(shapes) == 3)
    X = rng.normal(size=(20, shapes[0])) * 3
    V, c = tanh_to_sigmoid(Ws, bs)
    assert np.abs(forward(Ws, bs, X, "tanh") - forward(V, c, X, "sigmoid")).max() < 1e-12
    V, c = sigmoid_to_tanh(Ws, bs)
    assert np.abs(forward(Ws, bs, X, "sigmoid") - forward(V, c, X, "tanh")).max() < 1e-12
    assert [np.shape(v) for v in V + c] == [np.shape(w) for w in Ws + bs]


def test_reparametrisations_are_inverse_and_exact_on_sympy():
    Ws = [
        sp.Matrix(2, 3, sp.symbols("a1:7")),
        sp.Matrix(3, 3, sp.symbols("b1:10")),
        sp.Matrix(3, 1, sp.symbols("c1:4")),
    ]
    bs = [sp.Matrix(1, 3, sp.symbols("p1:4")), sp.Matrix(1, 3, sp.symbols("q1:4")), sp.Matrix(1, 1, [sp.Symbol("r1")])]
    back_w, back_b = sigmoid_to_tanh(*tanh_to_sigmoid(Ws, bs))
    assert all(sp.expand(u - v) == sp.zeros(*u.shape) for u, v in zip(back_w + back_b, Ws + bs))
    back_w, back_b = tanh_to_sigmoid(*sigmoid_to_tanh(Ws, bs))
    assert all(sp.expand(u - v) == sp.zeros(*u.shape) for u, v in zip(back_w + back_b, Ws + bs))


# ---- exact linear pieces ------------------------------------------------------------------------


def test_abs_has_two_pieces_with_exact_rationals():
    pieces = linear_pieces([[[1, -1]], [[1], [1]]], [[0, 0], [0]])
    assert pieces == [LinearPiece(-sp.oo, 0, -1, 0), LinearPiece(0, sp.oo, 1, 0)]
    assert all(isinstance(p.slope, sp.Rational) for p in pieces)


@pytest.mark.parametrize("slope", [0, 0.25, -0.5])
def test_pieces_match_a_random_network_and_are_continuous(slope):
    rng = np.random.default_rng(4)
    Ws, bs = _random_network(rng, [1, 7, 6, 1])
    pieces = linear_pieces(Ws, bs, negative_slope=slope)
    assert pieces[0].start == -sp.oo and pieces[-1].end == sp.oo and len(pieces) >= 2
    assert check_continuity(pieces)
    for left, right in zip(pieces, pieces[1:]):
        assert left.end == right.start and left(left.end) == right(right.start)
        assert (left.slope, left.intercept) != (right.slope, right.intercept)  # merged when equal
    grid = np.concatenate([np.linspace(-6, 6, 121), [float(p.end) for p in pieces[:-1]]])
    want = forward(Ws, bs, grid[:, None], "relu", negative_slope=slope)[:, 0]
    got = np.array([float(evaluate_pieces(pieces, float(t))) for t in grid])
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)


def test_several_outputs_give_tuples():
    rng = np.random.default_rng(5)
    Ws, bs = _random_network(rng, [1, 4, 3])
    pieces = linear_pieces(Ws, bs)
    assert all(isinstance(p.slope, tuple) and len(p.slope) == 3 for p in pieces)
    t = 0.37
    np.testing.assert_allclose(
        np.array(evaluate_pieces(pieces, t), dtype=float), forward(Ws, bs, np.array([[t]]))[0], rtol=1e-12
    )


def test_breakpoints_are_exact():
    # relu(x - 1/3) has its kink exactly at 1/3, not at a float near it
    pieces = linear_pieces([sp.Matrix([[1]]), sp.Matrix([[1]])], [sp.Matrix([[-sp.Rational(1, 3)]]), sp.Matrix([[0]])])
    assert [p.end for p in pieces[:-1]] == [sp.Rational(1, 3)]


def test_linear_pieces_rejects_bad_networks():
    with pytest.raises(DataError, match="one input"):
        linear_pieces([np.ones((2, 3)), np.ones((3, 1))], [np.ones(3), np.ones(1)])
    with pytest.raises(DataError, match="finite"):
        linear_pieces([np.array([[np.nan]]), np.ones((1, 1))], [np.ones(1), np.ones(1)])
    assert not check_continuity([LinearPiece(-sp.oo, 0, 1, 0), LinearPiece(0, sp.oo, 1, 1)])


@pytest.mark.parametrize("k", [1, 2, 3, 4, 5])
def test_tent_maps_give_2_to_the_k_pieces(k):
    pieces = [p for p in linear_pieces(*tent_network(k)) if p.start < 1 and p.end > 0]
    assert len(pieces) == 2**k
    assert {abs(p.slope) for p in pieces} == {2**k}
    assert [p.start for p in pieces[1:]] == [sp.Rational(i, 2**k) for i in range(1, 2**k)]
    with pytest.raises(DataError):
        tent_network(0)


def test_xor_weights_compute_xor_exactly():
    Ws, bs = XOR_WEIGHTS
    for (a, b), want in {(0, 0): 0, (0, 1): 1, (1, 0): 1, (1, 1): 0}.items():
        h = (sp.Matrix([[a, b]]) * Ws[0] + bs[0]).applyfunc(lambda z: sp.Max(0, z))
        assert (h * Ws[1] + bs[1])[0] == want
    X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
    assert forward([np.array(w, dtype=float) for w in Ws], [np.array(b, dtype=float) for b in bs], X)[
        :, 0
    ].tolist() == [0, 1, 1, 0]


# ---- batch normalisation ------------------------------------------------------------------------


def test_batch_norm_jacobian_couples_examples():
    J, xs = batch_norm_jacobian(3)
    point = dict(zip(xs, (1, 2, 4)))
    values = J.subs(point).evalf(30)
    assert abs(values[0, 1]) > 0.1  # the cross term is far from zero
    # shifting every example by the same amount changes nothing: each row sums to 0
    assert all(abs(sum(values[i, :])) < 1e-25 for i in range(3))


def test_batch_norm_jacobian_matches_finite_differences():
    J, xs = batch_norm_jacobian(4)
    x0 = np.array([0.3, -1.2, 2.0, 0.7])

    def bn(v):
        return (v - v.mean()) / np.sqrt(v.var() + 1e-5)

    h = 1e-6
    numeric = np.array([(bn(x0 + h * e) - bn(x0 - h * e)) / (2 * h) for e in np.eye(4)]).T
    exact = np.array(J.subs(dict(zip(xs, x0))).evalf(), dtype=float)
    np.testing.assert_allclose(exact, numeric, rtol=1e-6, atol=1e-8)


def test_batch_norm_depends_on_the_batch():
    assert batch_norm([1, 2, 4])[0] != batch_norm([1, 10, 20])[0]
    with pytest.raises(DataError):
        batch_norm([])
    with pytest.raises(DataError):
        batch_norm_jacobian(1)
