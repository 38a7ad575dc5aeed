"""A multilayer perceptron in NumPy whose activations are symact's compiled kernels.

Each hidden layer computes ``X @ W + b`` and then any catalog or user-defined activation; its
backward pass sits right under the forward. Where the activation's derivative has a form in
the output alone (sigmoid, tanh, elu, softplus, relu ...), the backward pass uses
``kernel.grad_from_output(A)`` and the layer keeps no pre-activations.

>>> import numpy as np
>>> X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
>>> y = np.array([0, 1, 1, 0])
>>> net = MLP([2, 8, 2], activation='tanh', learning_rate=0.05, epochs=300, seed=0).fit(X, y)
>>> net.predict(X)
array([0, 1, 1, 0])
>>> net
MLP([2, 8, 2], activation='tanh', learning_rate=0.05, epochs=300, seed=0)
"""

from __future__ import annotations

import inspect
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from symact import linear
from symact.budget import DEFAULT_BUDGETS, check, validate, within
from symact.errors import DataError, NotFitted, ParameterError, TrainingDiverged
from symact.formula.html import table as html_table
from symact.kernels import Kernel
from symact.nn.data import check_inputs, encode_targets, is_width, widths
from symact.nn.estimator import Estimator
from symact.nn.layers import PIECEWISE_LINEAR, Layer
from symact.nn.losses import cross_entropy, log_softmax, squared_error
from symact.nn.optimizers import SGD, Adam
from symact.nn.progress import Progress

__all__ = ["MLP", "TrainingDiverged"]

_STRUCTURE = ("sizes", "activation", "init", "kink", "dtype", "seed")


class MLP(Estimator):
    """A multilayer perceptron from one line of sizes, ``[n_features, hidden..., n_outputs]``.

    ``activation`` is a catalog name, a ``define``-d name, or a ``Kernel``; one for all hidden
    layers or a list with one per hidden layer. ``task='classification'`` puts softmax with
    cross-entropy on the outputs (computed by log-sum-exp), ``task='regression'`` the identity
    with half the squared error. ``solver`` is ``'adam'`` or ``'sgd'`` (with ``momentum``);
    ``alpha`` is L2 weight decay, added as ``alpha/2 * ||W||^2 / batch`` like scikit-learn's;
    ``init='auto'`` is He for rectifier-like activations and Glorot otherwise; ``seed`` makes
    ``fit`` reproducible; ``dtype`` is ``'float32'`` or ``'float64'``.

    It is a scikit-learn estimator (without importing scikit-learn): ``fit`` (which re-initialises and
    returns self), ``partial_fit`` (one more epoch from the current weights), ``predict``,
    ``predict_proba``, ``score``, ``get_params``/``set_params``, ``loss_curve_`` and ``n_iter_``, and the
    tags that ``clone``, ``Pipeline``, ``cross_val_score`` and ``GridSearchCV`` read.

    >>> MLP([64, 128, 10], activation='gelu').layers
    [Layer(64 -> 128, gelu), Layer(128 -> 10, output)]
    """

    def __init__(
        self,
        sizes: Sequence[int],
        activation="relu",
        *,
        task: str = "classification",
        solver: str = "adam",
        learning_rate: float = 1e-3,
        momentum: float = 0.9,
        alpha: float = 1e-4,
        batch_size: int = 200,
        epochs: int = 200,
        init: str = "auto",
        kink: str = "torch",
        dtype="float64",
        seed: int | None = None,
        verbose: bool = False,
    ):
        self.sizes = sizes
        self.activation = activation
        self.task = task
        self.solver = solver
        self.learning_rate = learning_rate
        self.momentum = momentum
        self.alpha = alpha
        self.batch_size = batch_size
        self.epochs = epochs
        self.init = init
        self.kink = kink
        self.dtype = dtype
        self.seed = seed
        self.verbose = verbose
        self._build()

    # -- construction ------------------------------------------------------------------------
    def _check_params(self):
        sizes = list(self.sizes)
        ends = (0, len(sizes) - 1)
        if len(sizes) < 2 or not all(is_width(s, i in ends) for i, s in enumerate(sizes)):
            raise ParameterError(
                "MLP",
                "sizes",
                f"must be at least two positive integers (the first and the last may be None: the data's "
                f"widths at fit), got {self.sizes!r}",
            )
        if self.task not in ("classification", "regression"):
            raise ParameterError(
                "MLP",
                "task",
                f"must be 'classification' or 'regression', got {self.task!r}",
                ["classification", "regression"],
            )
        if self.task == "classification" and sizes[-1] is not None and sizes[-1] < 2:
            raise ParameterError("MLP", "sizes", "needs at least 2 outputs for classification (one per class)")
        if self.solver not in ("adam", "sgd"):
            raise ParameterError("MLP", "solver", f"must be 'adam' or 'sgd', got {self.solver!r}", ["adam", "sgd"])
        if str(self.dtype) not in ("float32", "float64") and self.dtype not in (np.float32, np.float64):
            raise ParameterError("MLP", "dtype", f"must be float32 or float64, got {self.dtype!r}")
        for name in ("learning_rate", "batch_size", "epochs"):
            if not getattr(self, name) > 0:
                raise ParameterError("MLP", name, f"must be positive, got {getattr(self, name)!r}")
        if self.alpha < 0 or not 0 <= self.momentum < 1:
            raise ParameterError("MLP", "alpha" if self.alpha < 0 else "momentum", "is out of range")
        hidden = len(sizes) - 2
        acts = self.activation
        if isinstance(acts, (list, tuple)):
            if len(acts) != hidden:
                raise ParameterError("MLP", "activation", f"lists {len(acts)} activations for {hidden} hidden layers")
        else:
            acts = [acts] * hidden
        if any(a is None for a in acts):  # None marks the output layer
            raise ParameterError("MLP", "activation", "must be an activation name, an expression or a kernel, got None")
        return sizes, list(acts)

    def _build(self, widths: tuple[int, int] | None = None):
        """The layers from ``sizes``, with ``widths`` (inputs, outputs) of the data where a size is None."""
        sizes, acts = self._check_params()
        if widths is not None:
            sizes[0], sizes[-1] = sizes[0] or widths[0], sizes[-1] or widths[1]
        rng = np.random.default_rng(self.seed)
        dtype = np.dtype(self.dtype)
        built = sizes[0] is not None and sizes[-1] is not None  # else fit builds them from the data
        self.layers = [
            Layer(n_in, n_out, act, rng, dtype, self.kink, self.init)
            for n_in, n_out, act in zip(sizes[:-1], sizes[1:], [*acts, None])
            if built
        ]
        self._optimizer = None
        self.loss_curve_: list[float] = []
        self.n_iter_ = 0
        self._given_weights = False
        if built and self.task == "classification" and not getattr(self, "_fitted_classes", False):
            self.classes_ = np.arange(sizes[-1])

    @property
    def params(self) -> list[np.ndarray]:
        """The weights and biases, ``[W1, b1, W2, b2, ...]``; arrays updated in place."""
        return [p for layer in self.layers for p in (layer.W, layer.b)]

    @property
    def weights(self) -> list[np.ndarray]:
        """Each layer's weight matrix ``W`` (n_in, n_out), first layer first."""
        return [layer.W for layer in self.layers]

    @property
    def biases(self) -> list[np.ndarray]:
        """Each layer's bias vector ``b`` (n_out,), first layer first."""
        return [layer.b for layer in self.layers]

    def set_weights(self, weights: Sequence[np.ndarray], biases: Sequence[np.ndarray]) -> MLP:
        """Replace every layer's W (n_in, n_out) and b (n_out,); shapes must match ``sizes``."""
        if len(weights) != len(self.layers) or len(biases) != len(self.layers):
            raise ParameterError("MLP", "weights", f"needs {len(self.layers)} weight matrices and bias vectors")
        for layer, W, b in zip(self.layers, weights, biases):
            W, b = np.asarray(W, dtype=layer.W.dtype), np.asarray(b, dtype=layer.b.dtype).reshape(-1)
            if W.shape != layer.W.shape or b.shape != layer.b.shape:
                raise ParameterError("MLP", "weights", f"shape {W.shape}, {b.shape} does not fit {layer!r}")
            layer.W, layer.b = W.copy(), b.copy()
        self._optimizer = None
        self._given_weights = True
        return self

    # -- forward and backward ----------------------------------------------------------------
    def forward(self, X: np.ndarray, train: bool = False) -> np.ndarray:
        """The outputs before softmax (logits), or the regression outputs."""
        for layer in self.layers:
            X = layer.forward(X, train)
        return X

    def backward(self, dZ: np.ndarray) -> None:
        """Store every layer's ``dW`` and ``db`` for ``dZ``, the gradient of the loss at the outputs."""
        for i in range(len(self.layers) - 1, -1, -1):  # the data needs no gradient
            dZ = self.layers[i].backward(dZ, input_grad=i > 0)

    def loss_and_grads(self, X: npt.ArrayLike, y: npt.ArrayLike) -> tuple[float, list[np.ndarray] | None]:
        """The training loss (with L2) on (X, y) and its gradients, in the order of ``params``
        (None when the loss is not finite)."""
        X, T = self._check_X(X), self._encode(y, len(X))
        return self._loss_and_grads(X, T)

    def _loss_and_grads(self, X, T):
        Z = self.forward(X, train=True)
        loss, dZ = (cross_entropy if self.task == "classification" else squared_error)(Z, T)
        if not np.isfinite(loss):
            return loss, None
        self.backward(dZ.astype(Z.dtype, copy=False))
        n = X.shape[0]
        grads = []
        for layer in self.layers:
            loss += 0.5 * self.alpha * float(np.sum(layer.W * layer.W)) / n
            layer.dW += (self.alpha / n) * layer.W  # dW is this batch's own array
            grads += [layer.dW, layer.db]
        return loss, grads

    # -- data checks ---------------------------------------------------------------------------
    def _check_X(self, X) -> np.ndarray:
        if not self.layers:
            raise NotFitted("this MLP takes its widths from the data (a size None); call fit first")
        return check_inputs(X, self.layers[0].n_in, self.layers[0].W.dtype)

    def _encode(self, y, n: int, classes=None) -> np.ndarray:
        fitted = self.classes_ if getattr(self, "_fitted_classes", False) else None
        dtype = self.layers[0].W.dtype
        T, known = encode_targets(y, n, self.task, self.layers[-1].n_out, dtype, classes, fitted)
        if known is not None:
            self.classes_, self._fitted_classes = known, True
        return T

    # -- training ------------------------------------------------------------------------------
    def fit(self, X: npt.ArrayLike, y: npt.ArrayLike, budget: float | None = DEFAULT_BUDGETS["MLP.fit"]) -> MLP:
        """Re-initialise from ``seed`` and train for ``epochs`` epochs of minibatches; returns self. ``budget``
        bounds the seconds spent (default None: the epochs bound it); past it, ``ProofTimeout``."""
        self._fitted_classes = False
        self.__dict__.pop("_rng", None)  # partial_fit after fit shuffles from the seed again
        self._build(widths(X, y, self.task))
        X = self._check_X(X)
        T = self._encode(y, len(X))
        self.n_features_in_ = X.shape[1]
        rng = np.random.default_rng(None if self.seed is None else [self.seed, 1])
        progress = Progress(self.epochs, self.verbose)
        try:
            with within(validate(budget, "MLP.fit"), "MLP.fit"):
                for _ in range(self.epochs):
                    self._epoch(X, T, rng, progress)
        finally:
            progress.close()
        return self

    def partial_fit(self, X: npt.ArrayLike, y: npt.ArrayLike, classes: npt.ArrayLike | None = None) -> MLP:
        """One more epoch from the current weights; ``classes`` lists every label on the first call."""
        if not self.layers:
            self._build(widths(X, y, self.task, classes))
        X = self._check_X(X)
        self.n_features_in_ = X.shape[1]
        T = self._encode(y, len(X), classes)
        if not hasattr(self, "_rng"):
            self._rng = np.random.default_rng(None if self.seed is None else [self.seed, 2])
        progress = Progress(None, self.verbose, bar=False)
        progress.epoch = self.n_iter_
        self._epoch(X, T, self._rng, progress)
        return self

    def _epoch(self, X, T, rng, progress: Progress) -> None:
        if self._optimizer is None:
            lr = self.learning_rate
            self._optimizer = Adam(self.params, lr) if self.solver == "adam" else SGD(self.params, lr, self.momentum)
        n = X.shape[0]
        order = rng.permutation(n)
        size = min(int(self.batch_size), n)
        total = 0.0
        for start in range(0, n, size):
            check()
            batch = order[start : start + size]
            with np.errstate(over="ignore", invalid="ignore"):  # a diverging loss or step is reported below
                loss, grads = self._loss_and_grads(X[batch], T[batch])
                if np.isfinite(loss):
                    self._optimizer.step(self.params, grads)
            if not np.isfinite(loss):
                break
            total += loss * len(batch)
        if not np.isfinite(loss) or not self._optimizer.finite(self.params):  # an overflow stays: once an epoch
            what = f"the training loss became {loss}" if not np.isfinite(loss) else "a step overflowed"
            raise TrainingDiverged(
                f"{what} at epoch {self.n_iter_ + 1}; try a smaller learning_rate than {self.learning_rate}"
                " or inputs of a smaller scale"
            )
        self.n_iter_ += 1
        self.loss_curve_.append(total / n)
        accuracy = None
        if self.verbose and self.task == "classification":  # one more forward pass, only when reporting
            accuracy = float(np.mean(np.argmax(self.forward(X), axis=1) == T))
        progress.update(total / n, accuracy)

    # -- prediction ------------------------------------------------------------------------
    def predict_proba(self, X: npt.ArrayLike) -> np.ndarray:
        """Class probabilities, one column per entry of ``classes_``."""
        if self.task != "classification":
            raise ParameterError("MLP", "task", "is 'regression'; predict_proba needs task='classification'")
        self._check_fitted("predict_proba")
        return np.exp(log_softmax(self.forward(self._check_X(X))))

    def _check_fitted(self, method: str) -> None:
        if self.n_iter_ == 0 and not self._given_weights:
            raise NotFitted(f"this MLP is not trained yet; call fit (or set_weights) before {method}")

    def predict(self, X: npt.ArrayLike) -> np.ndarray:
        """Class labels (classification) or outputs (regression; 1-D when there is one output);
        ``NotFitted`` before ``fit``, ``partial_fit`` or ``set_weights``."""
        self._check_fitted("predict")
        Z = self.forward(self._check_X(X))
        if self.task == "classification":
            return self.classes_[np.argmax(Z[:, : len(self.classes_)], axis=1)]
        return Z[:, 0] if Z.shape[1] == 1 else Z

    def score(self, X: npt.ArrayLike, y: npt.ArrayLike) -> float:
        """Accuracy for classification, the coefficient of determination R^2 for regression."""
        self._check_fitted("score")
        X = self._check_X(X)
        y = np.asarray(y)
        if len(y) != len(X):
            raise DataError(f"X has {len(X)} samples but y has {len(y)}; they must match")
        if self.task == "classification":
            return float(np.mean(self.predict(X) == y))
        T = y.reshape(len(y), -1)
        residual = np.sum((self.forward(X) - T) ** 2)
        return float(1 - residual / np.sum((T - T.mean(axis=0)) ** 2))

    # -- the network facts of symact.linear, on this network ----------------------------------
    def _hidden_names(self) -> list[str]:
        return [layer.kernel.name for layer in self.layers[:-1]]

    def _require(self, allowed: tuple[str, ...], method: str) -> None:
        names = self._hidden_names()
        if any(name not in allowed for name in names):
            raise ParameterError("MLP", "activation", f"is {names}; {method} needs every hidden layer to be {allowed}")

    def _like(self, weights, biases, **changes) -> MLP:
        sizes = [weights[0].shape[0]] + [W.shape[1] for W in weights]
        params = {**self.get_params(), "sizes": sizes, **changes}
        twin = MLP(**params).set_weights(weights, biases)
        if self.task == "classification":
            twin.classes_, twin._fitted_classes = self.classes_, getattr(self, "_fitted_classes", False)
        return twin

    def collapse(self) -> MLP:
        """The one-layer network equal to this one when every activation is the identity.

        >>> net = MLP([3, 5, 2], activation='identity', seed=0)
        >>> net.collapse()
        MLP([3, 2], activation='identity', seed=0)
        """
        self._require(("identity",), "collapse")
        W, b = linear.collapse(self.weights, self.biases)
        return self._like([W], [b], activation="identity")

    def to_sigmoid(self) -> MLP:
        """The sigmoid network computing exactly this tanh network's outputs (tanh(z) = 2 sigmoid(2z) - 1)."""
        self._require(("tanh",), "to_sigmoid")
        return self._like(*linear.tanh_to_sigmoid(self.weights, self.biases), activation="sigmoid")

    def to_tanh(self) -> MLP:
        """The tanh network computing exactly this sigmoid network's outputs; inverse of ``to_sigmoid``."""
        self._require(("sigmoid",), "to_tanh")
        return self._like(*linear.sigmoid_to_tanh(self.weights, self.biases), activation="tanh")

    def linear_pieces(self) -> list[linear.LinearPiece]:
        """The exact affine pieces (in rationals) of a (leaky) ReLU network with one input, outputs before softmax.

        >>> net = MLP([1, 2, 1], task='regression').set_weights([[[1.0, -1.0]], [[1.0], [1.0]]], [[0.0, 0.0], [0.0]])
        >>> [(p.start, p.end, p.slope) for p in net.linear_pieces()]         # relu(x) + relu(-x) = |x|
        [(-oo, 0, -1), (0, oo, 1)]
        """
        self._require(PIECEWISE_LINEAR, "linear_pieces")
        slopes = {-float(layer.kernel(-1.0)) for layer in self.layers[:-1]}
        if len(slopes) > 1:
            raise ParameterError("MLP", "activation", f"has negative slopes {sorted(slopes)}; linear_pieces needs one")
        if self.layers[0].n_in != 1:
            raise ParameterError("MLP", "sizes", f"starts with {self.layers[0].n_in} inputs; linear_pieces needs 1")
        return linear.linear_pieces(self.weights, self.biases, negative_slope=slopes.pop() if slopes else 0)

    # -- scikit-learn parameters and a readable repr ------------------------------------------
    def _changed(self, names: set[str]) -> None:
        """After ``set_params``: a structural parameter (sizes, activation, init, kink, dtype, seed) rebuilds
        the layers; any other keeps the weights and restarts the optimiser.

        >>> MLP([2, 3, 1], task='regression').set_params(epochs=5).epochs
        5
        """
        if names & set(_STRUCTURE):
            self._fitted_classes = False
            self._build()
        else:
            self._check_params()
            self._optimizer = None

    def __sklearn_is_fitted__(self) -> bool:
        """Whether ``fit``, ``partial_fit`` or ``set_weights`` ran (scikit-learn's ``check_is_fitted`` asks)."""
        return self.n_iter_ > 0 or self._given_weights

    def _repr_html_(self) -> str:
        trained = f"{self.n_iter_} epochs, loss {self.loss_curve_[-1]:.6g}" if self.loss_curve_ else "not trained"
        rows = [("sizes", list(self.sizes)), ("activation", self.activation), ("task", self.task)]
        rows += [("solver", self.solver), ("state", trained)]
        return html_table(["", ""], rows, repr(self))

    def __repr__(self) -> str:
        args = [repr(list(self.sizes))]
        for name, default in _DEFAULTS.items():
            value = getattr(self, name)
            if isinstance(value, Kernel) or not (value == default and type(value) is type(default)):
                args.append(f"{name}={value!r}")
        return f"MLP({', '.join(args)})"


# the keyword parameters and their defaults, read from the one place they are written: MLP's signature
_DEFAULTS = {
    name: p.default for name, p in inspect.signature(MLP.__init__).parameters.items() if p.default is not p.empty
}
