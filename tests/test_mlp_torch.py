"""The NumPy MLP agrees with torch.nn in float64: outputs, losses, gradients and Adam steps."""

import numpy as np
import pytest

from symact import MLP

torch = pytest.importorskip("torch")

TORCH_MODULES = {
    "relu": torch.nn.ReLU,
    "tanh": torch.nn.Tanh,
    "sigmoid": torch.nn.Sigmoid,
    "gelu": torch.nn.GELU,
    "silu": torch.nn.SiLU,
    "mish": torch.nn.Mish,
    "elu": torch.nn.ELU,
}


def torch_twin(net: MLP) -> "torch.nn.Sequential":
    """The same network in torch.nn, with net's weights (torch stores W transposed)."""
    modules = []
    for layer in net.layers:
        linear = torch.nn.Linear(layer.n_in, layer.n_out, dtype=torch.float64)
        with torch.no_grad():
            linear.weight.copy_(torch.from_numpy(layer.W.T.copy()))
            linear.bias.copy_(torch.from_numpy(layer.b.copy()))
        modules.append(linear)
        if layer.kernel is not None:
            modules.append(TORCH_MODULES[layer.kernel.name]())
    return torch.nn.Sequential(*modules)


def torch_grads(model) -> list[np.ndarray]:
    """Gradients in the order of MLP.params: W1, b1, W2, b2, ..."""
    return [p.grad.numpy().T if p.ndim == 2 else p.grad.numpy() for p in model.parameters()]


def data(seed=0, n=16, d=5):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, d)) * 2, rng.integers(0, 3, n)


@pytest.mark.parametrize("name", list(TORCH_MODULES))
def test_outputs_and_gradients_agree_with_torch(name):
    X, y = data()
    net = MLP([5, 7, 6, 3], activation=name, alpha=0.0, seed=1)
    net.set_weights(net.weights, net.biases)  # given weights, not trained: predict_proba accepts them
    model = torch_twin(net)
    loss, grads = net.loss_and_grads(X, y)
    tX = torch.from_numpy(X)
    out = model(tX)
    tloss = torch.nn.functional.cross_entropy(out, torch.from_numpy(y))
    tloss.backward()
    np.testing.assert_allclose(net.forward(X), out.detach().numpy(), rtol=0, atol=1e-10)
    np.testing.assert_allclose(net.predict_proba(X), torch.softmax(out, 1).detach().numpy(), rtol=0, atol=1e-10)
    assert abs(loss - tloss.item()) < 1e-10
    for ours, theirs in zip(grads, torch_grads(model)):
        assert ours.shape == theirs.shape
        np.testing.assert_allclose(ours, theirs, rtol=0, atol=1e-10)


@pytest.mark.parametrize("name", ["tanh", "gelu"])
def test_regression_loss_and_gradients_agree_with_torch(name):
    X, _ = data(seed=2)
    target = np.random.default_rng(3).normal(size=(16, 2))
    net = MLP([5, 4, 2], activation=name, task="regression", alpha=0.0, seed=0)
    model = torch_twin(net)
    loss, grads = net.loss_and_grads(X, target)
    tloss = ((model(torch.from_numpy(X)) - torch.from_numpy(target)) ** 2).sum() / (2 * len(X))
    tloss.backward()
    assert abs(loss - tloss.item()) < 1e-12
    for ours, theirs in zip(grads, torch_grads(model)):
        np.testing.assert_allclose(ours, theirs, rtol=0, atol=1e-10)


def test_adam_with_weight_decay_follows_torch_for_several_epochs():
    X, y = data(seed=4)
    alpha, n = 0.05, len(X)
    net = MLP([5, 6, 3], activation="elu", alpha=alpha, batch_size=n, epochs=1, learning_rate=0.01, seed=0)
    model = torch_twin(net)
    weights = [p for p in model.parameters() if p.ndim == 2]
    biases = [p for p in model.parameters() if p.ndim == 1]
    # L2 as alpha/2 * ||W||^2 / n on the weights only is torch's weight_decay alpha/n on that group
    optimizer = torch.optim.Adam([{"params": weights, "weight_decay": alpha / n}, {"params": biases}], lr=0.01)
    for _ in range(5):
        net.partial_fit(X, y, classes=[0, 1, 2])
        optimizer.zero_grad()
        torch.nn.functional.cross_entropy(model(torch.from_numpy(X)), torch.from_numpy(y)).backward()
        optimizer.step()
    ours = [p.T if p.ndim == 2 else p for p in net.params]
    for mine, theirs in zip(ours, model.parameters()):
        np.testing.assert_allclose(mine, theirs.detach().numpy(), rtol=0, atol=1e-10)
    assert net.n_iter_ == 5
