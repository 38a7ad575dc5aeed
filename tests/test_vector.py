"""The vector activations as vector functions: the Jacobian and the loss gradient that derive reports are
checked against mpmath's numerical derivatives of the definition, and the kernels against the definition
evaluated at 50 digits, extreme logits included."""

import mpmath
import numpy as np
import pytest
import sympy as sp

import symact
from symact import catalog
from symact.errors import ParameterError
from symact.functions import mp_function
from symact.render import latex, notes
from symact.vector import MAX_N, derive_vector

VECTOR = ["softmax", "log_softmax", "softmin"]
RNG = np.random.default_rng(7)


def _mp_functions(name, n):
    """The definition's n outputs as mpmath functions of the n inputs (independent of symact's derivation)."""
    entry = catalog.get(name)
    return [mp_function(fi, symbols=list(entry.inputs(n))) for fi in entry.build(n)]


def _mp_outputs(name, point):
    return [f(*point) for f in _mp_functions(name, len(point))]


@pytest.mark.parametrize("name", VECTOR)
@pytest.mark.parametrize("n", [2, 3, 4])
def test_jacobian_in_the_outputs_matches_numerical_derivatives(name, n):
    d = symact.derive(name, n=n)
    assert d.n == n and d.jacobian_of_output is not None and d.loss_gradient is not None
    claimed_at = sp.lambdify(list(d.outputs), d.jacobian_of_output, "mpmath")
    functions = _mp_functions(name, n)
    with mpmath.workdps(40):
        point = [mpmath.mpf(float(v)) for v in RNG.normal(0, 2, n)]
        claimed = claimed_at(*_mp_outputs(name, point))
        for i in range(n):
            for j in range(n):
                numeric = mpmath.diff(
                    lambda t, i=i, j=j: functions[i](*[t if k == j else point[k] for k in range(n)]), point[j]
                )
                assert abs(numeric - claimed[i, j]) < mpmath.mpf(10) ** -25, (i, j)


@pytest.mark.parametrize("name", VECTOR)
def test_loss_gradient_matches_the_numerical_gradient_of_the_cross_entropy(name):
    n = 3
    d = symact.derive(name, n=n)
    with mpmath.workdps(40):
        point = [mpmath.mpf(float(v)) for v in RNG.normal(0, 2, n)]
        targets = [mpmath.mpf(1) / 5, mpmath.mpf(3) / 10, mpmath.mpf(1) / 2]

        def loss(moved):
            y = _mp_outputs(name, moved)
            log_p = y if name == "log_softmax" else [mpmath.log(v) for v in y]
            return -sum(t * lp for t, lp in zip(targets, log_p))

        gradient = sp.lambdify([*d.outputs, *d.targets], d.loss_gradient, "mpmath")(*_mp_outputs(name, point), *targets)
        for j in range(n):
            numeric = mpmath.diff(lambda t, j=j: loss([t if k == j else point[k] for k in range(n)]), point[j])
            assert abs(numeric - gradient[j]) < mpmath.mpf(10) ** -25


def test_softmax_forms_are_the_textbook_ones():
    d = symact.derive("softmax", n=3)
    y = d.outputs
    assert d.jacobian_of_output == sp.diag(*y) - y * y.T
    assert d.loss_gradient == y - d.targets
    assert derive_vector("log_softmax", 3).jacobian_of_output == sp.eye(3) - sp.ones(3, 1) * y.applyfunc(sp.exp).T


@pytest.mark.parametrize("name", VECTOR)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_kernels_match_the_definition_at_50_digits(name, dtype):
    k = symact.kernel(name)
    logits = np.concatenate([RNG.normal(0, 3, (20, 4)), [[1000, -1000, 0, 5], [-745, -744, -746, -700]]]).astype(dtype)
    got = k(logits, axis=1)
    assert got.dtype == dtype and got.shape == logits.shape
    with mpmath.workdps(50):
        for row, out in zip(logits, got):
            want = _mp_outputs(name, [mpmath.mpf(float(v)) for v in row])
            for w, g in zip(want, out):
                w = float(w)
                ulps = 1 if dtype == np.float32 else 4  # float32: computed in float64 and rounded once
                assert abs(float(g) - w) <= ulps * np.spacing(np.abs(dtype(w))) + 1e-300, (row, w, g)


@pytest.mark.parametrize("name", VECTOR)
def test_vjp_is_the_transposed_jacobian_times_the_cotangent(name):
    k = symact.kernel(name)
    d = symact.derive(name, n=3)
    x = RNG.normal(0, 1, 3)
    v = RNG.normal(0, 1, 3)
    y = k(x)
    jacobian = np.array(sp.lambdify(d.outputs, d.jacobian_of_output, "numpy")(*y), dtype=float)
    assert np.allclose(k.grad(x, v), jacobian.T @ v, rtol=1e-12, atol=1e-15)
    assert np.allclose(k.jacobian(x), jacobian, rtol=1e-12, atol=1e-15)
    batch = RNG.normal(0, 1, (3, 5))  # the same along axis 0
    assert np.allclose(k.grad(batch, batch, axis=0)[:, 1], k.grad(batch[:, 1], batch[:, 1]))


def test_the_mlp_output_layer_uses_the_log_softmax_kernel():
    from symact.nn.losses import cross_entropy, log_softmax

    logits = np.array([[2000.0, 0.0, -5.0], [0.1, 0.2, 0.3]])
    assert np.array_equal(log_softmax(logits), symact.kernel("log_softmax")(logits, axis=1))
    loss, grad = cross_entropy(logits, np.array([1, 2]))
    probabilities = symact.kernel("softmax")(logits, axis=1)
    assert np.allclose(grad * 2, probabilities - np.eye(3)[[1, 2]])


def test_notes_and_latex_show_the_vector_activations():
    assert r"\frac{\partial \mathbf{y}}{\partial \mathbf{x}}" in latex.vector_activation("softmax")
    tex = notes.document(["softmax", "relu"], theorems=False, figures="none", properties=False)
    assert r"\section{Vector activations}" in tex and r"\texttt{softmax}" in tex
    assert r"\operatorname{softmax}" in symact.derive("softmax", n=2).latex()


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: symact.derive("softmax", n=1), "from 2 to"),
        (lambda: symact.derive("softmax", n=MAX_N + 1), "from 2 to"),
        (lambda: symact.derive("softmax", n=2.5), "integer"),
        (lambda: symact.derive("softmax", beta=2), "not a parameter"),
        (lambda: symact.kernel("softmax", beta=2), "not a parameter"),
        (lambda: symact.kernel("softmax").jacobian(np.zeros((2, 2))), "one vector"),
        (lambda: symact.kernel("softmax").grad(np.zeros(3), np.zeros(2)), "shape"),
        (lambda: symact.kernel("softmax")("abc"), "real numbers"),
        (lambda: derive_vector("relu"), "elementwise"),
    ],
)
def test_vector_mistakes_are_symact_errors(call, message):
    with pytest.raises(ParameterError, match=message):
        call()


@pytest.mark.parametrize("name", VECTOR)
def test_a_vector_activation_as_a_hidden_layer_has_exact_gradients(name):
    from symact.nn import MLP, check_gradients

    X = RNG.normal(0, 1, (16, 3))
    y = np.arange(16) % 2
    net = MLP([3, 4, 2], activation=symact.kernel(name), epochs=2, seed=0).fit(X, y)
    assert check_gradients(net, X, y) < 1e-6


def test_a_vector_kernel_is_a_kernel_whose_grad_is_the_vector_jacobian_product():
    k = symact.kernel("log_softmax")
    assert isinstance(k, symact.Kernel) and isinstance(symact.kernel("softmax"), symact.Kernel)
    rng = np.random.default_rng(4)
    z, v = rng.normal(size=(3, 5)), rng.normal(size=(3, 5))
    rows = [k.jacobian(z[i]).T @ v[i] for i in range(3)]
    np.testing.assert_allclose(k.grad(z, v), np.array(rows), rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(k.grad(z.T, v.T, axis=0), k.grad(z, v).T, rtol=0, atol=0)


@pytest.mark.parametrize("name", VECTOR)
def test_crosscheck_compares_torchs_softmax_family_with_its_vjp(name):
    torch = pytest.importorskip("torch")
    report = symact.crosscheck(name, "torch")
    assert report.status == "checked" and not report.proved and report.points == 256 * 8
    assert report.name == name and report.gradient == "autograd"
    z = np.array([[0.5, -1.0, 2.0]])
    mine = symact.crosscheck(name, lambda t: getattr(torch.nn.functional, name)(t, dim=-1), points=z)
    assert mine.max_ulp_f <= 4 and mine.max_ulp_df <= 64  # small logits: both sides accurate
    wrong = symact.crosscheck(name, lambda t: getattr(torch.nn.functional, name)(2 * t, dim=-1), points=z)
    assert wrong.max_ulp_f > 1e6  # a different function is seen as one


def test_crosscheck_of_a_vector_activation_jax_lacks_says_so():
    pytest.importorskip("jax")
    with pytest.raises(symact.ParameterError, match="jax has no 'softmin'"):
        symact.crosscheck("softmin", "jax")
    assert symact.crosscheck("softmax", "jax").status == "checked"


@pytest.mark.parametrize("name", VECTOR)
def test_any_layout_of_x_gives_the_bits_of_its_contiguous_copy(name):
    """NumPy sums a strided lane in order and a contiguous one pairwise: a Fortran-ordered or transposed x once
    gave other bits than its C copy."""
    k = symact.kernel(name)
    z = RNG.normal(size=(5, 300)) * 6
    v = RNG.normal(size=z.shape)
    for axis, view in [(1, np.asfortranarray(z)), (1, np.repeat(z, 2, axis=1)[:, ::2]), (0, z.T), (-2, z.T[::-1])]:
        plain = np.ascontiguousarray(view)
        assert k(view, axis=axis).tobytes() == k(plain, axis=axis).tobytes()
        cot = np.ascontiguousarray(v.T if view.shape != v.shape else v)
        assert k.grad(view, cot, axis=axis).tobytes() == k.grad(plain, cot, axis=axis).tobytes()


@pytest.mark.parametrize("name", VECTOR)
def test_a_lane_without_a_value_is_nan_throughout_as_in_torch(name):
    """A lane with NaN or +inf (-inf for softmin), or only -inf (+inf for softmin): log_softmax once gave +inf
    and a finite entry beside a NaN."""
    torch = pytest.importorskip("torch")
    k = symact.kernel(name)
    fn = {"softmax": torch.softmax, "log_softmax": torch.log_softmax, "softmin": torch.nn.functional.softmin}[name]
    lanes = [[np.inf, 1.0], [np.nan, 1.0], [-np.inf, -np.inf], [np.inf, np.inf], [-np.inf, 1.0], [np.inf, -np.inf]]
    lanes += [[1.0, -np.inf], [1e308, -1e308], [2.0, 1.0]]
    z = np.array(lanes)
    with np.errstate(all="ignore"):
        want = fn(torch.from_numpy(z), 1).numpy()
    got = k(z, axis=1)
    assert np.array_equal(np.isnan(got), np.isnan(want))
    assert np.allclose(got[~np.isnan(got)], want[~np.isnan(want)], rtol=1e-15, atol=0)


@pytest.mark.parametrize("name", VECTOR)
def test_empty_extension_float_and_byte_swapped_input(name):
    ml_dtypes = pytest.importorskip("ml_dtypes")
    k = symact.kernel(name)
    for shape, axis in [((3, 0), 1), ((0, 3), 1), ((0,), 0)]:
        assert k(np.zeros(shape), axis=axis).shape == shape
        assert k.grad(np.zeros(shape), np.zeros(shape), axis=axis).shape == shape
    assert k.jacobian(np.zeros(0)).shape == (0, 0)
    z = np.array([[0.5, -1.25, 3.0]])
    narrow = z.astype(ml_dtypes.bfloat16)
    assert k(narrow).dtype == narrow.dtype and np.array_equal(
        k(narrow), k(narrow.astype(np.float64)).astype(narrow.dtype)
    )
    swapped = k(z.astype(">f8"))
    assert swapped.dtype.isnative and swapped.tobytes() == k(z).tobytes()
    big = np.array([3e38, -3e38], np.float32)  # -6e38 is beyond float32: -inf, without a warning
    assert k(big).dtype == np.float32


@pytest.mark.parametrize(
    ("call", "parameter"),
    [
        (lambda k: k(np.zeros((2, 3)), axis=2), "axis"),
        (lambda k: k(np.zeros((2, 3)), axis=-3), "axis"),
        (lambda k: k(np.zeros((2, 3)), axis=1.0), "axis"),
        (lambda k: k(np.zeros((2, 3)), axis=(0, 1)), "axis"),
        (lambda k: k(np.zeros((2, 3)), axis=True), "axis"),
        (lambda k: k.grad(np.zeros((2, 3)), np.zeros((2, 3)), axis=5), "axis"),
        (lambda k: k.grad(np.zeros(3), np.zeros(3) + 1j), "cotangent"),
        (lambda k: k.grad(np.zeros(2), ["a", "b"]), "cotangent"),
        (lambda k: k(np.zeros(3) + 1j), "x"),
        (lambda k: k([[1.0], [1.0, 2.0]]), "x"),
    ],
)
def test_a_bad_axis_or_cotangent_is_a_parameter_error(call, parameter):
    """Once NumPy's AxisError, TypeError, ValueError or a ComplexWarning; a tuple axis summed over both axes."""
    for name in VECTOR:
        with pytest.raises(ParameterError, match=f"parameter '{parameter}'"):
            call(symact.kernel(name))
