"""The NumPy MLP: gradients, learning, reproducibility, scikit-learn conventions and bad input."""

import warnings

import numpy as np
import pytest
import sympy as sp

import symact
from symact import MLP, DataError, ParameterError, UnknownActivation, define, kernel, names
from symact.catalog import get
from symact.nn import Layer, TrainingDiverged, check_gradients
from symact.nn.losses import cross_entropy


def two_moons(n, noise, seed):
    """Two interleaved half circles (the data set scikit-learn calls make_moons), made here."""
    rng = np.random.default_rng(seed)
    t = rng.uniform(0, np.pi, n)
    label = rng.integers(0, 2, n)
    X = np.where(label[:, None] == 0, np.c_[np.cos(t), np.sin(t)], np.c_[1 - np.cos(t), 0.5 - np.sin(t)])
    return X + rng.normal(scale=noise, size=X.shape), label


XOR_X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
XOR_Y = np.array([0, 1, 1, 0])


# ---- gradients: every catalog activation against central differences --------------------------
def kink_points(name):
    entry = get(name)
    return [float(sp.sympify(p).subs(entry.defaults)) for p in kernel(name).derivation.kinks]


@pytest.mark.parametrize("name", names())
def test_backward_matches_finite_differences(name):
    kinks = kink_points(name)
    for seed in range(20):  # the first sample whose pre-activations are all 1e-3 or more from every kink
        X = np.random.default_rng(seed).normal(size=(6, 3))
        net = MLP([3, 4, 3], activation=name, alpha=1e-3, seed=seed)
        Z = X @ net.layers[0].W + net.layers[0].b
        if all(abs(Z - k).min() > 1e-3 for k in kinks):
            break
    else:
        pytest.fail(f"no sample away from the kinks of {name}")
    assert check_gradients(net, X, [0, 1, 2, 1, 0, 2]) < 1e-6, name


def test_backward_of_a_regression_net_with_one_activation_per_layer():
    rng = np.random.default_rng(3)
    net = MLP([2, 5, 4, 2], activation=["gelu", "sigmoid"], task="regression", seed=0)
    assert [layer.kernel.name for layer in net.layers[:-1]] == ["gelu", "sigmoid"]
    assert check_gradients(net, rng.normal(size=(7, 2)), rng.normal(size=(7, 2))) < 1e-6


def test_check_gradients_catches_a_wrong_derivative():
    class WrongGrad:  # tanh, with the derivative from the output off by a factor 2
        has_output_form = True
        name = "tanh"

        def __call__(self, z):
            return np.tanh(z)

        def grad_from_output(self, a):
            return 2 * (1 - a * a)

    net = MLP([2, 3, 2], activation="tanh", seed=0)
    net.layers[0].kernel = WrongGrad()
    assert check_gradients(net, np.random.default_rng(0).normal(size=(4, 2)), [0, 1, 0, 1]) > 1e-3


def test_output_form_means_no_preactivations_are_kept():
    X = np.random.default_rng(0).normal(size=(5, 2))
    for name, keeps in [("sigmoid", False), ("tanh", False), ("elu", False), ("softplus", False), ("gelu", True)]:
        net = MLP([2, 3, 2], activation=name, seed=0)
        net.loss_and_grads(X, [0, 1, 0, 1, 1])
        hidden = net.layers[0]
        assert (hidden.Z is not None) == keeps == hidden.keeps_preactivations, name
        assert hidden.A is not None


def test_cross_entropy_is_stable_for_huge_logits():
    loss, grad = cross_entropy(np.array([[1000.0, 0.0], [0.0, 1000.0]]), np.array([1, 1]))
    assert loss == pytest.approx(500.0)  # -log softmax: 1000 for the first row, 0 for the second
    np.testing.assert_allclose(grad, [[0.5, -0.5], [0.0, 0.0]])
    Z = np.array([[0.3, -1.2, 2.0]])
    assert cross_entropy(Z, np.array([2]))[0] == pytest.approx(-np.log(np.exp(2.0) / np.exp(Z).sum()))


# ---- learning ---------------------------------------------------------------------------------
def test_learns_xor_with_relu():
    net = MLP([2, 8, 2], activation="relu", learning_rate=0.05, epochs=300, seed=0).fit(XOR_X, XOR_Y)
    assert net.score(XOR_X, XOR_Y) == 1.0
    assert net.loss_curve_[-1] < 0.1 < net.loss_curve_[0]


def test_learns_two_moons_with_sgd_and_momentum():
    X, y = two_moons(400, 0.1, seed=0)
    Xtest, ytest = two_moons(400, 0.1, seed=1)
    net = MLP(
        [2, 16, 16, 2],
        activation="tanh",
        solver="sgd",
        learning_rate=0.1,
        momentum=0.9,
        batch_size=32,
        epochs=60,
        seed=0,
    ).fit(X, y)
    assert net.score(Xtest, ytest) >= 0.95


def test_regression_fits_a_sine():
    x = np.linspace(-3, 3, 200).reshape(-1, 1)
    net = MLP(
        [1, 32, 1], activation="silu", task="regression", learning_rate=0.01, batch_size=50, epochs=300, seed=0
    ).fit(x, np.sin(x[:, 0]))
    assert net.predict(x).shape == (200,)
    assert net.score(x, np.sin(x[:, 0])) > 0.98


def test_score_is_one_for_an_exact_affine_regression():
    net = MLP([2, 1], task="regression").set_weights([[[2.0], [-1.0]]], [[0.5]])
    X = np.array([[1.0, 2.0], [3.0, -1.0], [0.0, 0.0]])
    assert net.score(X, 2 * X[:, 0] - X[:, 1] + 0.5) == 1.0


def test_string_labels_and_float32():
    X, y = two_moons(200, 0.1, seed=0)
    labels = np.array(["left", "right"])[y]
    net = MLP([2, 16, 2], activation="gelu", dtype="float32", learning_rate=0.01, batch_size=32, epochs=40, seed=0).fit(
        X, labels
    )
    assert list(net.classes_) == ["left", "right"]
    assert set(net.predict(X)) <= {"left", "right"}
    assert net.score(X, labels) > 0.9
    assert all(p.dtype == np.float32 for p in net.params)
    proba = net.predict_proba(X)
    assert proba.dtype == np.float32 and np.allclose(proba.sum(axis=1), 1, atol=1e-6)


def test_user_defined_activation_and_kernel_objects():
    define("test_mlp_cube_tanh", "tanh(x) + x**3/30", replace=True)
    X = np.random.default_rng(0).normal(size=(5, 2))
    for activation in ["test_mlp_cube_tanh", kernel("leaky_relu", negative_slope=0.2)]:
        net = MLP([2, 3, 2], activation=activation, seed=0)
        assert check_gradients(net, X, [0, 1, 0, 1, 1]) < 1e-6
    assert "negative_slope=1/5" in repr(net)


# ---- reproducibility and the scikit-learn conventions -----------------------------------------
def test_fit_is_reproducible_with_a_seed():
    X, y = two_moons(100, 0.2, seed=0)
    runs = [MLP([2, 8, 2], activation="mish", epochs=5, batch_size=16, seed=7).fit(X, y) for _ in range(2)]
    other = MLP([2, 8, 2], activation="mish", epochs=5, batch_size=16, seed=8).fit(X, y)
    assert runs[0].loss_curve_ == runs[1].loss_curve_
    assert all(np.array_equal(a, b) for a, b in zip(runs[0].params, runs[1].params))
    assert runs[0].loss_curve_ != other.loss_curve_
    refit = runs[0].fit(X, y)  # fit starts again from the seed
    assert refit.loss_curve_ == runs[1].loss_curve_ and refit.n_iter_ == 5


def test_partial_fit_continues_from_the_current_weights():
    X, y = two_moons(100, 0.2, seed=0)
    net = MLP([2, 8, 2], epochs=3, seed=0).fit(X, y)
    before = [p.copy() for p in net.params]
    assert net.partial_fit(X, y) is net
    assert net.n_iter_ == 4 and len(net.loss_curve_) == 4
    assert not np.array_equal(before[0], net.params[0])
    fresh = MLP([2, 8, 2], seed=0).partial_fit(X[:10], y[:10], classes=[0, 1])
    assert fresh.n_iter_ == 1 and list(fresh.classes_) == [0, 1]


def test_get_params_set_params_and_repr():
    net = MLP([4, 6, 3], activation="tanh", learning_rate=0.01, seed=3)
    assert repr(net) == "MLP([4, 6, 3], activation='tanh', learning_rate=0.01, seed=3)"
    assert repr(MLP(**net.get_params())) == repr(net)
    W = net.layers[0].W.copy()
    assert net.set_params(learning_rate=0.1) is net and net.learning_rate == 0.1
    assert np.array_equal(net.layers[0].W, W)  # a training parameter keeps the weights
    net.set_params(activation="sigmoid", sizes=[4, 5, 3])
    assert net.layers[0].kernel.name == "sigmoid" and net.layers[0].W.shape == (4, 5)
    with pytest.raises(ParameterError, match="learning_rat"):
        net.set_params(learning_rat=0.1)
    assert repr(net.layers[0]) == "Layer(4 -> 5, sigmoid)"


def test_initialisation_he_for_rectifiers_glorot_otherwise():
    rng = np.random.default_rng(0)
    for name, std in [("relu", np.sqrt(2 / 400)), ("gelu", np.sqrt(2 / 400)), ("tanh", np.sqrt(2 / 800))]:
        W = Layer(400, 400, name, rng).W
        assert W.std() == pytest.approx(std, rel=0.03), name
    assert Layer(400, 400, "relu", rng, init="glorot").W.std() == pytest.approx(np.sqrt(2 / 800), rel=0.03)


# ---- bad input --------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "X, y, message",
    [
        ([[0.0, np.nan]] * 4, XOR_Y, "NaN or inf"),
        ([[0.0, np.inf]] * 4, XOR_Y, "NaN or inf"),
        (XOR_X, [0, 1, 1], "4 samples but y has 3"),
        (XOR_X[:, :1], XOR_Y, "1 features, but MLP is expecting 2"),
        (XOR_X[0], XOR_Y, "must be 2-D"),
        (XOR_X, [0.5, 1, 1, 0], "integer or string labels"),
        (XOR_X, [{"a": 1}, 1, 1, 0], "integers or strings, got dict, int"),
        (XOR_X, [[0, 1]] * 4, "1-D"),
        (XOR_X, [0, 1, 2, 0], "3 classes but the network has 2 outputs"),
        (np.array([["a", "b"]] * 4), XOR_Y, "must hold numbers"),
    ],
)
def test_bad_data_is_a_clear_error(X, y, message):
    with pytest.raises(DataError, match=message):
        MLP([2, 4, 2]).fit(X, y)


def test_wrong_number_of_features_at_predict_time():
    net = MLP([2, 4, 2], epochs=2).fit(XOR_X, XOR_Y)
    with pytest.raises(DataError, match="3 features, but MLP is expecting 2"):
        net.predict(np.ones((2, 3)))
    with pytest.raises(DataError, match="labels \\[7\\] that are not among the classes"):
        net.partial_fit(XOR_X, [0, 1, 7, 0])


def test_unknown_activation_and_bad_parameters():
    with pytest.raises(UnknownActivation, match="did you mean 'relu'"):
        MLP([2, 4, 2], activation="rleu")
    with pytest.raises(ParameterError, match="2 activations for 1 hidden layers"):
        MLP([2, 4, 2], activation=["relu", "tanh"])
    with pytest.raises(ParameterError, match="solver"):
        MLP([2, 4, 2], solver="lbfgs")
    with pytest.raises(ParameterError, match="sizes"):
        MLP([2])


@pytest.mark.parametrize("task, y", [("classification", XOR_Y), ("regression", [0.0, 1.0, 1.0, 0.0])])
def test_a_diverging_loss_stops_training_and_names_the_epoch(task, y):
    net = MLP(
        [2, 8, 2 if task == "classification" else 1],
        activation="exp",
        task=task,
        solver="sgd",
        learning_rate=1e6,
        epochs=50,
        seed=0,
    )
    with pytest.raises(TrainingDiverged, match=r"at epoch \d+; try a smaller learning_rate than 1000000.0"):
        net.fit(XOR_X * 10, y)


# ---- the network facts, on trained networks -----------------------------------------------------
def test_a_trained_identity_network_collapses_to_one_affine_layer():
    X, y = two_moons(100, 0.2, seed=0)
    net = MLP([2, 6, 5, 2], activation=["identity", "identity"], epochs=20, batch_size=20, seed=0).fit(X, y)
    one = net.collapse()
    assert one.sizes == [2, 2] and len(one.layers) == 1
    np.testing.assert_allclose(one.forward(X), net.forward(X), rtol=0, atol=1e-12)
    assert np.array_equal(one.predict(X), net.predict(X))
    with pytest.raises(ParameterError, match="collapse needs every hidden layer"):
        MLP([2, 3, 2], activation="relu").collapse()


def test_a_trained_tanh_network_converts_to_sigmoid_and_back():
    X, y = two_moons(100, 0.2, seed=0)
    net = MLP([2, 6, 5, 2], activation="tanh", learning_rate=0.01, epochs=20, batch_size=20, seed=0).fit(X, y)
    sig = net.to_sigmoid()
    assert [layer.kernel.name for layer in sig.layers[:-1]] == ["sigmoid", "sigmoid"]
    np.testing.assert_allclose(sig.forward(X), net.forward(X), rtol=0, atol=1e-12)
    assert not np.allclose(sig.layers[1].W, net.layers[1].W)  # other weights, same function
    back = sig.to_tanh()
    for mine, theirs in zip(back.params, net.params):
        np.testing.assert_allclose(mine, theirs, rtol=0, atol=1e-12)
    with pytest.raises(ParameterError, match="to_tanh needs"):
        net.to_tanh()


@pytest.mark.parametrize("activation", ["relu", "leaky_relu"])
def test_a_trained_relu_network_on_1d_input_has_exact_linear_pieces(activation):
    x = np.linspace(-2, 2, 60).reshape(-1, 1)
    net = MLP(
        [1, 6, 4, 1], activation=activation, task="regression", learning_rate=0.01, batch_size=20, epochs=60, seed=0
    ).fit(x, np.abs(x[:, 0]) - 0.5 * x[:, 0] ** 2)
    pieces = net.linear_pieces()
    assert 2 <= len(pieces) <= 1 + 6 + 6 * 4  # at most one breakpoint per unit per region
    for left, right in zip(pieces, pieces[1:]):  # continuous, and a real break at every breakpoint
        assert left.end == right.start and left(left.end) == right(right.start) and left.slope != right.slope
    starts = [float(p.start) for p in pieces[1:]]
    inside = np.concatenate([[-5.0], np.array(starts) + 1e-6, [5.0]]).reshape(-1, 1)
    exact = [next(p for p in pieces if p.start <= sp.Rational(t) <= p.end)(sp.Rational(t)) for t in inside[:, 0]]
    np.testing.assert_allclose(net.predict(inside), [float(v) for v in exact], rtol=0, atol=1e-12)


def test_linear_pieces_refuses_smooth_or_wide_networks():
    with pytest.raises(ParameterError, match="linear_pieces needs every hidden layer"):
        MLP([1, 3, 1], activation="tanh", task="regression").linear_pieces()
    with pytest.raises(ParameterError, match="needs 1"):
        MLP([2, 3, 1], activation="relu", task="regression").linear_pieces()


def test_an_untrained_network_refuses_to_predict():
    X = np.array([[0.0, 1.0], [1.0, 0.0]])
    net = MLP([2, 3, 2], activation="tanh", seed=0)
    for method in (net.predict, net.predict_proba):
        with pytest.raises(symact.NotFitted, match="not trained yet"):
            method(X)
    with pytest.raises(ValueError):  # as scikit-learn's NotFittedError
        net.score(X, [0, 1])
    assert isinstance(symact.NotFitted("m"), (symact.SymactError, AttributeError))
    assert net.partial_fit(X, [0, 1]).predict(X).shape == (2,)
    net.set_params(sizes=[2, 4, 2])  # a new structure forgets the training
    with pytest.raises(symact.NotFitted):
        net.predict(X)
    assert MLP([2, 2], seed=0).set_weights([np.eye(2)], [np.zeros(2)]).predict(X).tolist() == [1, 0]


def test_verbose_training_reports_loss_and_accuracy_per_epoch(capsys):
    X = np.random.default_rng(0).normal(size=(40, 2))
    y = (X[:, 0] > 0).astype(int)
    MLP([2, 4, 2], epochs=2, seed=0).fit(X, y)
    assert capsys.readouterr().out == ""  # silent by default
    net = MLP([2, 4, 2], epochs=2, seed=0, verbose=True).fit(X, y)
    out = capsys.readouterr().out
    assert "loss" in out and "accuracy" in out  # a tqdm bar or one line per epoch
    assert f"{net.loss_curve_[-1]:.6f}" in out


def test_progress_without_a_bar_prints_one_line_per_epoch(capsys):
    from symact.nn.progress import Progress

    report = Progress(total=3, enabled=True, bar=False)
    report.update(loss=0.25, accuracy=0.5)
    report.update(loss=0.125)
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("epoch 1/3: loss 0.250000, accuracy 0.500") and lines[1].startswith(
        "epoch 2/3: loss 0.125000,"
    )


def test_notebook_displays():
    X = np.random.default_rng(0).normal(size=(20, 2))
    net = MLP([2, 3, 2], epochs=1, seed=0)
    assert "not trained" in net._repr_html_()
    net.fit(X, (X[:, 0] > 0).astype(int))
    assert "1 epochs" in net._repr_html_() and "<table>" in net._repr_html_()
    assert "<td>lipschitz</td><td>1</td><td>proved</td>" in symact.properties("relu")._repr_html_()
    assert symact.kernel("relu")._repr_latex_() == symact.derive("relu").latex()
    assert r"\frac{\partial \mathbf{y}}" in symact.kernel("softmax")._repr_latex_()


# ---- scikit-learn: the estimator protocol, the model-selection tools, hidden activations checked ----------
def _blobs():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(90, 4))
    return X, (X[:, 0] + X[:, 1] > 0).astype(int)


def test_scikit_learn_cross_validation_pipeline_grid_search_and_clone():
    sklearn = pytest.importorskip("sklearn")
    from sklearn.base import clone, is_classifier, is_regressor
    from sklearn.model_selection import GridSearchCV, cross_val_score
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    X, y = _blobs()
    scores = cross_val_score(MLP([4, 8, 2], epochs=5, seed=0), X, y, cv=3)
    assert scores.shape == (3,) and np.all((scores >= 0) & (scores <= 1))
    pipe = make_pipeline(StandardScaler(), MLP([4, 8, 2], epochs=30, learning_rate=0.01, seed=0)).fit(X, y)
    assert pipe.score(X, y) > 0.8 and pipe.predict(X).shape == (90,)
    search = GridSearchCV(MLP([4, 8, 2], epochs=5, seed=0), {"learning_rate": [1e-3, 1e-2]}, cv=3).fit(X, y)
    assert search.best_params_["learning_rate"] in (1e-3, 1e-2) and search.best_estimator_.n_iter_ == 5
    net = MLP([4, 6, 1], activation="tanh", task="regression", seed=1)
    twin = clone(net)
    assert twin is not net and repr(twin) == repr(net) and twin.get_params(deep=False) == net.get_params()
    assert is_regressor(net) and is_classifier(MLP([4, 8, 2]))
    assert sklearn.utils.get_tags(net).target_tags.required


def test_scikit_learn_check_estimator_on_the_checks_that_apply():
    pytest.importorskip("sklearn")
    from sklearn.utils.estimator_checks import check_estimator

    # Not applicable: the layers are built at construction (net.layers, set_weights before fit) and rebuilt by
    # fit; parameters are checked when given; before fit, predict raises symact's NotFitted (a ValueError and
    # AttributeError, as scikit-learn's NotFittedError, which symact cannot raise without importing it); class
    # labels must be 1-D (a column vector is refused, not silently flattened); X holding a non-number raises
    # DataError (a ValueError, like every bad-data error of symact), where scikit-learn expects a TypeError.
    not_applicable = {
        "check_no_attributes_set_in_init",
        "check_dont_overwrite_parameters",
        "check_do_not_raise_errors_in_init_or_set_params",
        "check_estimators_unfitted",
        "check_supervised_y_2d",
        "check_dtype_object",
    }
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        results = check_estimator(MLP([None, 8, None], seed=0), on_fail=None)
    failed = {r["check_name"] for r in results if r["status"] == "failed"}
    passed = {r["check_name"] for r in results if r["status"] == "passed"}
    assert failed <= not_applicable, failed
    assert len(passed) >= 40
    assert {"check_classifiers_train", "check_fit2d_1sample", "check_estimators_nan_inf"} <= passed


def test_hidden_activations_are_validated():
    with pytest.raises(ParameterError, match=r"vector activation.*symact.kernel\('softmax'\)"):
        MLP([4, 8, 3], activation="softmax")
    with pytest.raises(ParameterError, match="vector activation"):
        MLP([4, 8, 8, 3], activation=["relu", "log_softmax"])
    assert MLP([4, 8, 3], activation=kernel("softmax")).layers[0].kernel.name == "softmax"  # asked for explicitly
    for bad in (3, None, [None]):
        with pytest.raises(ParameterError, match="activation"):
            MLP([4, 8, 3], activation=bad)
    assert repr(MLP([4, 8, 3], activation="x*sigmoid(x)").layers[0]) == "Layer(4 -> 8, x*sigmoid(x))"


def test_widths_from_the_data_when_a_size_is_none():
    net = MLP([None, 6, None], epochs=3, seed=0)
    assert net.layers == []
    with pytest.raises(symact.NotFitted):
        net.predict(XOR_X)
    net.fit(np.c_[XOR_X, XOR_X], ["a", "b", "b", "c"])
    assert [layer.W.shape for layer in net.layers] == [(4, 6), (6, 3)] and net.n_features_in_ == 4
    reg = MLP([None, 5, None], task="regression", epochs=2, seed=0).fit(XOR_X, np.c_[XOR_Y, XOR_Y])
    assert reg.predict(XOR_X).shape == (4, 2)
    with pytest.raises(ParameterError, match="first and the last may be None"):
        MLP([2, None, 2])


def test_bad_targets_and_inputs_beyond_the_dtype_are_data_errors():
    """A scalar y was a TypeError; X beyond float32 warned on the cast and was called NaN or inf."""
    X = np.random.default_rng(0).normal(size=(4, 3))
    with pytest.raises(DataError, match="one target per sample"):
        MLP([3, 4, 2], epochs=1).fit(X, 3)
    with pytest.raises(DataError, match="beyond float32's range"):
        MLP([3, 4, 2], epochs=1, dtype="float32").fit(np.full((4, 3), 1e300), [0, 1, 0, 1])


def test_float_labels_beyond_int64_stay_apart():
    """They were cast to int64, all to one wrong class (with a warning)."""
    X = np.random.default_rng(0).normal(size=(4, 3))
    net = MLP([3, 4, 3], epochs=1, seed=0).fit(X, [1e300, 2e300, 1e300, 3e300])
    assert net.classes_.tolist() == [1e300, 2e300, 3e300]
    assert set(net.predict(X).tolist()) <= {1e300, 2e300, 3e300}
    assert MLP([3, 4, 3], epochs=1).fit(X, [1.0, 2.0, 1.0, 3.0]).classes_.dtype == np.int64


def test_a_step_that_overflows_is_a_diverged_training():
    """A gradient beyond 1e154 overflows Adam's g**2: a warning, then v = inf froze the weights for good while the
    loss stayed finite."""
    X = np.full((4, 3), 1e160)
    with pytest.raises(TrainingDiverged, match="a step overflowed at epoch 1"):
        MLP([3, 4, 2], activation="identity", learning_rate=1e-3, epochs=3, seed=0).fit(X, [0, 1, 0, 1])


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_an_extension_float_x_is_cast_to_the_networks_dtype_as_float16_is(dtype):
    """A bfloat16 X (ml_dtypes) was a DataError ("must hold numbers"), where a float16 one is cast."""
    ml_dtypes = pytest.importorskip("ml_dtypes")
    X, y = two_moons(32, 0.1, 0)
    narrow = X.astype(ml_dtypes.bfloat16)
    net = MLP([2, 5, 2], epochs=3, seed=0, dtype=dtype).fit(narrow, y)
    same = MLP([2, 5, 2], epochs=3, seed=0, dtype=dtype).fit(narrow.astype(np.float64), y)
    assert net.predict_proba(narrow).tobytes() == same.predict_proba(narrow.astype(np.float64)).tobytes()
    assert net.predict_proba(narrow).dtype == np.dtype(dtype)
    with pytest.raises(DataError, match="must hold numbers"):
        net.predict(np.zeros((2, 2), dtype="V8"))
