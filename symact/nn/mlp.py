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

from collections.abc import Sequence

import numpy as np

from symact import linear
from symact.catalog import Activation, get
from symact.kernels import Kernel, kernel
from symact.errors import DataError, NotFitted, ParameterError, SymactError, TrainingDiverged

__all__ = ["MLP", "Layer", "check_gradients", "TrainingDiverged"]


# Families whose activations are rectifier-like get He initialisation; the rest get Glorot's.
HE_FAMILIES = ("rectified", "exponential", "gated")
# Activations max(z, 0) + slope * min(z, 0), whose networks have exact linear pieces.
PIECEWISE_LINEAR = ("relu", "leaky_relu", "prelu", "rrelu", "identity")


def _kernel_of(activation, kink: str) -> Kernel:
    if isinstance(activation, Kernel) or hasattr(activation, "value_and_grad"):  # a NumPy or fused kernel
        return activation
    return kernel(activation, kink=kink)


def _family(k: Kernel) -> str:
    try:
        entry = get(k.name)
    except SymactError:
        return "user"
    return entry.family if isinstance(entry, Activation) else "user"


# ---- one layer: forward, and its backward right under it ---------------------------------------
class Layer:
    """``A = f(X @ W + b)`` with W of shape (n_in, n_out) and b of shape (n_out,).

    ``activation=None`` is the output layer (no activation: logits or regression outputs).

    >>> layer = Layer(3, 2, 'relu', np.random.default_rng(0))
    >>> layer
    Layer(3 -> 2, relu)
    >>> layer.forward(np.ones((5, 3))).shape
    (5, 2)
    """

    def __init__(
        self,
        n_in: int,
        n_out: int,
        activation,
        rng: np.random.Generator,
        dtype=np.float64,
        kink: str = "torch",
        init: str = "auto",
    ):
        self.kernel = None if activation is None else _kernel_of(activation, kink)
        if init == "auto":
            init = "he" if self.kernel is not None and _family(self.kernel) in HE_FAMILIES else "glorot"
        if init == "he":
            bound = np.sqrt(6.0 / n_in)
        elif init == "glorot":
            bound = np.sqrt(6.0 / (n_in + n_out))
        else:
            raise ParameterError(
                "MLP", "init", f"must be 'auto', 'he' or 'glorot', got {init!r}", ["auto", "he", "glorot"]
            )
        self.W = rng.uniform(-bound, bound, size=(n_in, n_out)).astype(dtype)
        self.b = np.zeros(n_out, dtype=dtype)
        self.X = self.A = self.Z = self.slope = None

    @property
    def keeps_preactivations(self) -> bool:
        """False when f' is computed from the output, so Z is never stored."""
        return self.kernel is not None and not self.kernel.has_output_form

    def forward(self, X: np.ndarray, train: bool = False) -> np.ndarray:
        Z = X @ self.W + self.b
        slope = None
        if self.kernel is None:
            A = Z
        elif train and self.keeps_preactivations:
            A, slope = self.kernel.value_and_grad(Z)  # f and f' in one pass
        else:
            A = self.kernel(Z)
        if train:
            self.X, self.A, self.slope = X, A, slope
            self.Z = Z if self.keeps_preactivations else None
        return A

    def backward(self, dA: np.ndarray, input_grad: bool = True) -> np.ndarray | None:
        """Store dW and db for the upstream gradient dA; return the gradient for the input X (if asked)."""
        if self.kernel is None:
            dZ = dA
        elif self.kernel.has_output_form:
            dZ = dA * self.kernel.grad_from_output(self.A)
        else:
            dZ = dA * (self.kernel.grad(self.Z) if self.slope is None else self.slope)
        self.dW = self.X.T @ dZ
        self.db = dZ.sum(axis=0)
        return dZ @ self.W.T if input_grad else None

    @property
    def n_in(self) -> int:
        return self.W.shape[0]

    @property
    def n_out(self) -> int:
        return self.W.shape[1]

    def __repr__(self) -> str:
        name = "output" if self.kernel is None else self.kernel.name
        return f"Layer({self.n_in} -> {self.n_out}, {name})"


# ---- losses: (loss, gradient with respect to the outputs) --------------------------------------
def _log_softmax(Z: np.ndarray) -> np.ndarray:
    shifted = Z - Z.max(axis=1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))


def _cross_entropy(Z: np.ndarray, T: np.ndarray) -> tuple[float, np.ndarray]:
    """Mean of -log softmax(Z)[target] via log-sum-exp; gradient (softmax - one_hot)/n."""
    n = Z.shape[0]
    log_p = _log_softmax(Z)
    loss = -log_p[np.arange(n), T].mean()
    grad = np.exp(log_p)
    grad[np.arange(n), T] -= 1
    return float(loss), grad / n


def _squared_error(Z: np.ndarray, T: np.ndarray) -> tuple[float, np.ndarray]:
    """Half the mean over samples of the squared error summed over outputs; gradient (Z - T)/n."""
    n = Z.shape[0]
    diff = Z - T
    return float(0.5 * np.sum(diff * diff) / n), diff / n


# ---- optimisers: update params in place from grads ---------------------------------------------
class _SGD:
    def __init__(self, params, learning_rate, momentum):
        self.lr, self.mu = learning_rate, momentum
        self.velocity = [np.zeros_like(p) for p in params]

    def step(self, params, grads):
        for p, g, v in zip(params, grads, self.velocity):
            v *= self.mu
            v -= self.lr * g
            p += v


class _Adam:
    """Kingma & Ba's Algorithm 1 (as torch.optim.Adam): p -= lr * m_hat / (sqrt(v_hat) + eps)."""

    def __init__(self, params, learning_rate, beta1=0.9, beta2=0.999, eps=1e-8):
        self.lr, self.b1, self.b2, self.eps, self.t = learning_rate, beta1, beta2, eps, 0
        self.m = [np.zeros_like(p) for p in params]
        self.v = [np.zeros_like(p) for p in params]

    def step(self, params, grads):
        self.t += 1
        step_size = float(self.lr / (1 - self.b1**self.t))
        root_correction = float(np.sqrt(1 - self.b2**self.t))
        for p, g, m, v in zip(params, grads, self.m, self.v):
            m *= self.b1
            m += (1 - self.b1) * g
            v *= self.b2
            v += (1 - self.b2) * (g * g)
            p -= step_size * m / (np.sqrt(v) / root_correction + self.eps)


_DEFAULTS = {
    "activation": "relu",
    "task": "classification",
    "solver": "adam",
    "learning_rate": 1e-3,
    "momentum": 0.9,
    "alpha": 1e-4,
    "batch_size": 200,
    "epochs": 200,
    "init": "auto",
    "kink": "torch",
    "dtype": "float64",
    "seed": None,
    "verbose": False,
}
_STRUCTURE = ("sizes", "activation", "init", "kink", "dtype", "seed")


# ---- the network --------------------------------------------------------------------------------
class MLP:
    """A multilayer perceptron from one line of sizes, ``[n_features, hidden..., n_outputs]``.

    ``activation`` is a catalog name, a ``define``-d name, or a ``Kernel``; one for all hidden
    layers or a list with one per hidden layer. ``task='classification'`` puts softmax with
    cross-entropy on the outputs (computed by log-sum-exp), ``task='regression'`` the identity
    with half the squared error. ``solver`` is ``'adam'`` or ``'sgd'`` (with ``momentum``);
    ``alpha`` is L2 weight decay, added as ``alpha/2 * ||W||^2 / batch`` like scikit-learn's;
    ``init='auto'`` is He for rectifier-like activations and Glorot otherwise; ``seed`` makes
    ``fit`` reproducible; ``dtype`` is ``'float32'`` or ``'float64'``.

    The scikit-learn conventions hold: ``fit`` (which re-initialises and returns self),
    ``partial_fit`` (one more epoch from the current weights), ``predict``, ``predict_proba``,
    ``score``, ``get_params``/``set_params``, ``loss_curve_`` and ``n_iter_``.

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
        if len(sizes) < 2 or not all(isinstance(s, (int, np.integer)) and s > 0 for s in sizes):
            raise ParameterError("MLP", "sizes", f"must be at least two positive integers, got {self.sizes!r}")
        if self.task not in ("classification", "regression"):
            raise ParameterError(
                "MLP",
                "task",
                f"must be 'classification' or 'regression', got {self.task!r}",
                ["classification", "regression"],
            )
        if self.task == "classification" and sizes[-1] < 2:
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
            return sizes, list(acts)
        return sizes, [acts] * hidden

    def _build(self, rng: np.random.Generator | None = None):
        sizes, acts = self._check_params()
        rng = rng if rng is not None else np.random.default_rng(self.seed)
        dtype = np.dtype(self.dtype)
        self.layers = [
            Layer(n_in, n_out, act, rng, dtype, self.kink, self.init)
            for n_in, n_out, act in zip(sizes[:-1], sizes[1:], [*acts, None])
        ]
        self._optimizer = None
        self.loss_curve_: list[float] = []
        self.n_iter_ = 0
        self._given_weights = False
        if self.task == "classification" and not getattr(self, "_fitted_classes", False):
            self.classes_ = np.arange(sizes[-1])

    @property
    def params(self) -> list[np.ndarray]:
        """The weights and biases, ``[W1, b1, W2, b2, ...]``; arrays updated in place."""
        return [p for layer in self.layers for p in (layer.W, layer.b)]

    @property
    def weights(self) -> list[np.ndarray]:
        return [layer.W for layer in self.layers]

    @property
    def biases(self) -> list[np.ndarray]:
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
    def forward(self, X, train: bool = False) -> np.ndarray:
        """The outputs before softmax (logits), or the regression outputs."""
        for layer in self.layers:
            X = layer.forward(X, train)
        return X

    def backward(self, dZ: np.ndarray) -> None:
        for i in range(len(self.layers) - 1, -1, -1):  # the data needs no gradient
            dZ = self.layers[i].backward(dZ, input_grad=i > 0)

    def loss_and_grads(self, X, y) -> tuple[float, list[np.ndarray]]:
        """The training loss (with L2) on (X, y) and its gradients, in the order of ``params``."""
        X, T = self._check_X(X), self._encode(y, len(X))
        return self._loss_and_grads(X, T)

    def _loss_and_grads(self, X, T):
        Z = self.forward(X, train=True)
        loss, dZ = (_cross_entropy if self.task == "classification" else _squared_error)(Z, T)
        if not np.isfinite(loss):
            return loss, None
        self.backward(dZ.astype(Z.dtype, copy=False))
        n = X.shape[0]
        grads = []
        for layer in self.layers:
            loss += 0.5 * self.alpha * float(np.sum(layer.W * layer.W)) / n
            grads += [layer.dW + (self.alpha / n) * layer.W, layer.db]
        return loss, grads

    # -- data checks ---------------------------------------------------------------------------
    def _check_X(self, X) -> np.ndarray:
        X = np.asarray(X)
        if X.dtype.kind not in "fiub":
            raise DataError(f"X must hold numbers, got an array of {X.dtype}")
        if X.ndim != 2:
            raise DataError(
                f"X must be 2-D (samples, features), got shape {X.shape}; reshape 1-D data with X.reshape(-1, 1)"
            )
        if X.shape[1] != self.layers[0].n_in:
            raise DataError(f"X has {X.shape[1]} features but the network takes {self.layers[0].n_in} (sizes[0])")
        if X.shape[0] == 0:
            raise DataError("X has no samples")
        X = X.astype(self.layers[0].W.dtype, copy=False)
        if not np.all(np.isfinite(X)):
            bad = np.argwhere(~np.isfinite(X))[0]
            raise DataError(f"X holds NaN or inf (first at row {bad[0]}, column {bad[1]}); remove or impute it")
        return X

    def _encode(self, y, n: int, classes=None) -> np.ndarray:
        y = np.asarray(y)
        if len(y) != n:
            raise DataError(f"X has {n} samples but y has {len(y)}; they must match")
        if self.task == "regression":
            if y.dtype.kind not in "fiub":
                raise DataError(f"regression targets must be numbers, got an array of {y.dtype}")
            T = y.reshape(n, -1).astype(self.layers[0].W.dtype)
            if T.shape[1] != self.layers[-1].n_out:
                raise DataError(
                    f"y has {T.shape[1]} targets per sample but the network has {self.layers[-1].n_out} outputs"
                )
            if not np.all(np.isfinite(T)):
                raise DataError("y holds NaN or inf; remove those samples")
            return T
        if y.ndim != 1:
            raise DataError(f"class labels must be 1-D, got shape {y.shape}")
        if y.dtype.kind == "f":
            if not np.all(np.isfinite(y)) or np.any(y != np.round(y)):
                raise DataError(
                    "class labels are floats with fractions, NaN or inf; pass integer or string labels, "
                    "or use task='regression' for real-valued targets"
                )
            y = y.astype(np.int64)
        elif y.dtype.kind not in "iubUS":
            kinds = sorted({type(v).__name__ for v in y.tolist()})
            if y.dtype.kind != "O" or len(kinds) != 1 or kinds[0] not in ("str", "int", "bool"):
                raise DataError(f"class labels must be integers or strings, got {', '.join(kinds)}")
        found = np.unique(y)
        if classes is not None:
            known = np.unique(np.asarray(classes))
        elif getattr(self, "_fitted_classes", False):
            known = self.classes_
        else:
            known = found
        if len(known) > self.layers[-1].n_out:
            raise DataError(
                f"y has {len(known)} classes but the network has {self.layers[-1].n_out} outputs; "
                f"set sizes[-1] = {len(known)}"
            )
        missing = np.setdiff1d(found, known)
        if len(missing):
            raise DataError(f"y holds labels {missing[:5].tolist()} that are not among the classes {known.tolist()}")
        self.classes_, self._fitted_classes = known, True
        return np.searchsorted(known, y)

    # -- training ------------------------------------------------------------------------------
    def fit(self, X, y) -> MLP:
        """Re-initialise from ``seed`` and train for ``epochs`` epochs of minibatches; returns self."""
        self._fitted_classes = False
        self.__dict__.pop("_rng", None)  # partial_fit after fit shuffles from the seed again
        self._build()
        X = self._check_X(X)
        T = self._encode(y, len(X))
        rng = np.random.default_rng(None if self.seed is None else [self.seed, 1])
        for _ in range(self.epochs):
            self._epoch(X, T, rng)
        return self

    def partial_fit(self, X, y, classes=None) -> MLP:
        """One more epoch from the current weights; ``classes`` lists every label on the first call."""
        X = self._check_X(X)
        T = self._encode(y, len(X), classes)
        if not hasattr(self, "_rng"):
            self._rng = np.random.default_rng(None if self.seed is None else [self.seed, 2])
        self._epoch(X, T, self._rng)
        return self

    def _epoch(self, X, T, rng):
        if self._optimizer is None:
            lr = self.learning_rate
            self._optimizer = _Adam(self.params, lr) if self.solver == "adam" else _SGD(self.params, lr, self.momentum)
        n = X.shape[0]
        order = rng.permutation(n)
        size = min(int(self.batch_size), n)
        total = 0.0
        for start in range(0, n, size):
            batch = order[start : start + size]
            with np.errstate(over="ignore", invalid="ignore"):  # a diverging loss is reported below
                loss, grads = self._loss_and_grads(X[batch], T[batch])
            if not np.isfinite(loss):
                raise TrainingDiverged(
                    f"the training loss became {loss} at epoch {self.n_iter_ + 1}; "
                    f"try a smaller learning_rate than {self.learning_rate}"
                )
            total += loss * len(batch)
            self._optimizer.step(self.params, grads)
        self.n_iter_ += 1
        self.loss_curve_.append(total / n)
        if self.verbose:
            print(f"epoch {self.n_iter_}: loss {total / n:.6f}")

    # -- prediction ------------------------------------------------------------------------
    def predict_proba(self, X) -> np.ndarray:
        """Class probabilities, one column per entry of ``classes_``."""
        if self.task != "classification":
            raise ParameterError("MLP", "task", "is 'regression'; predict_proba needs task='classification'")
        self._check_fitted("predict_proba")
        return np.exp(_log_softmax(self.forward(self._check_X(X))))

    def _check_fitted(self, method: str) -> None:
        if self.n_iter_ == 0 and not self._given_weights:
            raise NotFitted(f"this MLP is not trained yet; call fit (or set_weights) before {method}")

    def predict(self, X) -> np.ndarray:
        """Class labels (classification) or outputs (regression; 1-D when there is one output);
        ``NotFitted`` before ``fit``, ``partial_fit`` or ``set_weights``."""
        self._check_fitted("predict")
        Z = self.forward(self._check_X(X))
        if self.task == "classification":
            return self.classes_[np.argmax(Z[:, : len(self.classes_)], axis=1)]
        return Z[:, 0] if Z.shape[1] == 1 else Z

    def score(self, X, y) -> float:
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
    def get_params(self, deep: bool = True) -> dict:
        return {"sizes": self.sizes, **{name: getattr(self, name) for name in _DEFAULTS}}

    def set_params(self, **params) -> MLP:
        valid = self.get_params()
        for name, value in params.items():
            if name not in valid:
                raise ParameterError("MLP", name, "is not a parameter", valid)
            setattr(self, name, value)
        if any(name in _STRUCTURE for name in params):
            self._fitted_classes = False
            self._build()
        else:
            self._check_params()
            self._optimizer = None
        return self

    def __repr__(self) -> str:
        args = [repr(list(self.sizes))]
        for name, default in _DEFAULTS.items():
            value = getattr(self, name)
            if isinstance(value, Kernel) or not (value == default and type(value) is type(default)):
                args.append(f"{name}={value!r}")
        return f"MLP({', '.join(args)})"


# ---- gradient checking -------------------------------------------------------------------------
def check_gradients(net: MLP, X, y, eps: float = 1e-6) -> float:
    """The largest difference between the backward pass and central finite differences of the loss.

    The difference of each parameter is relative to ``max(1, |gradient|)``; run it in float64.

    >>> rng = np.random.default_rng(0)
    >>> net = MLP([3, 4, 2], activation='sigmoid', seed=0)
    >>> check_gradients(net, rng.normal(size=(5, 3)), [0, 1, 1, 0, 1]) < 1e-7
    True
    """
    if net.layers[0].W.dtype != np.float64:
        raise ParameterError(
            "check_gradients", "net", "must use dtype='float64' for finite differences to mean anything"
        )
    X, T = net._check_X(X), net._encode(y, len(X))
    _, grads = net._loss_and_grads(X, T)
    worst = 0.0
    for p, g in zip(net.params, grads):
        flat, gflat = p.reshape(-1), g.reshape(-1)
        for i in range(flat.size):
            saved = flat[i]
            flat[i] = saved + eps
            up, _ = net._loss_and_grads(X, T)
            flat[i] = saved - eps
            down, _ = net._loss_and_grads(X, T)
            flat[i] = saved
            numeric = (up - down) / (2 * eps)
            worst = max(worst, abs(numeric - gflat[i]) / max(1.0, abs(gflat[i])))
    return float(worst)
