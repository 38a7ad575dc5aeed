"""The eager CPU path of a torch export (``symact.exporting.eager``): float32 and float64 tensors computed by the
fused kernel of the export's definition, the generated module everywhere else and with ``kernels=False``."""

import numpy as np
import pytest

import symact
from symact.kernels import fused, kernel

torch = pytest.importorskip("torch", reason="the torch export needs torch (pip install 'symact[torch]')")
pytestmark = pytest.mark.skipif(not fused.available(), reason="the kernel path needs the fused backend (numba)")

# one slope from the output (tanh), from the input (silu, gelu, x*atan(2x)), with patches (mish), kinks (selu, relu)
NAMES = ["tanh", "silu", "gelu", "mish", "selu", "relu", "softplus", "x*atan(2*x)", "eager_gated"]
DTYPES = (torch.float64, torch.float32)


@pytest.fixture(scope="module", params=NAMES)
def exported(request):
    if request.param == "eager_gated":
        symact.define("eager_gated", "x*tanh(g*x)", replace=True, g=1.5)
    return symact.export(request.param, "torch", verify=True)


def _both(fn, x, g):
    """f(x) and g*f'(x) by backward, for a leaf copy of x."""
    t = x.detach().clone(memory_format=torch.preserve_format).requires_grad_()
    y = fn(t)
    (d,) = torch.autograd.grad(y, t, g)
    return y.detach(), d


def _points(dtype):
    x = np.concatenate([np.linspace(-12, 12, 241), [0.0, -0.0, 1e-30, -700.0, 700.0, np.inf, -np.inf, np.nan]])
    return torch.tensor(x, dtype=dtype)


def test_both_paths_verified(exported):
    assert exported.kernel is not None and exported.function is not exported.generated
    assert exported.report.status.value == "checked" and exported.report.gradgradcheck


def test_the_kernel_path_computes_the_kernel(exported):
    """f is the kernel's f; backward is g times the kernel's f' (from the output where the export saves it)."""
    k = kernel(exported.definition.entry, kink=exported.definition.kink, **dict(exported.definition.params))
    assert k is exported.kernel
    for dtype in DTYPES:
        x = _points(dtype)
        g = torch.rand(x.shape, dtype=dtype, generator=torch.Generator().manual_seed(24))
        y, d = _both(exported.function, x, g)
        xs = x.numpy()
        assert np.array_equal(y.numpy(), k(xs), equal_nan=True)
        slope = k.grad_from_output(k(xs)) if exported.saves_output else k.grad(xs)
        assert np.array_equal(d.numpy(), slope * g.numpy(), equal_nan=True), dtype


def test_any_layout_gives_the_contiguous_values(exported):
    base = _points(torch.float64)[:240].reshape(12, 20)
    for dtype in DTYPES:
        x = base.to(dtype)
        g = torch.rand(x.shape, dtype=dtype, generator=torch.Generator().manual_seed(3))
        want = _both(exported.function, x, g)
        for layout in (lambda t: t.t().contiguous().t(), lambda t: torch.stack([t, t], -1)[..., 0]):  # columns, strided
            strided = layout(x)
            assert torch.equal(strided, x) and not strided.is_contiguous()
            got = _both(exported.function, strided, layout(g))
            assert all(torch.equal(a, b) for a, b in zip(got, want)), dtype
        # a gradient with stride 0 (what sum() sends back), and a 0-d and an empty tensor
        y, d = _both(exported.function, x, torch.ones(()).to(dtype).expand(x.shape))
        assert torch.equal(d, _both(exported.function, x, torch.ones_like(x))[1])
        assert torch.equal(exported.function(x[3, 4]), want[0][3, 4])
        assert exported.function(x[:0]).shape == (0, 20)


def test_one_saved_tensor_the_output_where_it_can(exported):
    saved = []
    x = torch.linspace(-3, 3, 11, dtype=torch.float64, requires_grad=True)
    with torch.autograd.graph.saved_tensors_hooks(lambda s: saved.append(s) or s, lambda s: s):
        y = exported.function(x)
    assert len(saved) == 1
    assert saved[0].data_ptr() == (y if exported.saves_output else x).data_ptr()


def test_without_a_graph_the_kernel_computes_f(exported):
    x = _points(torch.float32)
    want = torch.from_numpy(exported.kernel(x.numpy()))
    with torch.no_grad():
        y = exported.function(x.clone().requires_grad_())
    assert torch.equal(y.nan_to_num(), want.nan_to_num()) and y.grad_fn is None
    with torch.inference_mode():
        y = exported.module()(x)
    assert torch.equal(y.nan_to_num(), want.nan_to_num()) and y.is_inference()
    assert torch.equal(exported.function(x).nan_to_num(), want.nan_to_num())


def test_double_backward_is_the_generated_f2(exported):
    """create_graph: the first derivative has the plain backward's bits (the kernel's), f'' the generated's."""
    x = torch.linspace(-4.05, 3.95, 17, dtype=torch.float64, requires_grad=True)
    assert torch.autograd.gradcheck(exported.function, (x,))
    assert torch.autograd.gradgradcheck(exported.function, (x,))
    (d,) = torch.autograd.grad(exported.function(x).sum(), x, create_graph=True)
    (d2,) = torch.autograd.grad(d.sum(), x)
    (plain,) = torch.autograd.grad(exported.function(x).sum(), x)
    x2 = x.detach().requires_grad_()
    (g,) = torch.autograd.grad(exported.generated(x2).sum(), x2, create_graph=True)
    (g2,) = torch.autograd.grad(g.sum(), x2)
    # f'' is the generated module's, at the kernel's saved tensor (where it is y, y may differ in its last bit)
    assert torch.equal(d.detach(), plain) and torch.allclose(d2, g2, rtol=1e-14, atol=0)


def test_half_precision_is_the_generated_module(exported):
    x = _points(torch.float32)[:241]
    for dtype in (torch.float16, torch.bfloat16):
        t = x.to(dtype)
        got, want = _both(exported.function, t, torch.ones_like(t)), _both(exported.generated, t, torch.ones_like(t))
        assert all(torch.equal(a, b) for a, b in zip(got, want)), dtype


def test_kernels_false_is_the_generated_module(exported):
    pure = symact.export(exported.definition.entry, "torch", verify=False, kernels=False, kink=exported.definition.kink)
    assert pure.kernel is None and pure.function is pure.generated and pure.source() == exported.source()
    assert type(pure.module()) in vars(pure.namespace).values()
    x = _points(torch.float64)
    got, want = _both(pure.function, x, torch.ones_like(x)), _both(exported.generated, x, torch.ones_like(x))
    assert all(torch.equal(a.nan_to_num(), b.nan_to_num()) for a, b in zip(got, want))


# kink policies at the kinks: both paths give the policy's f' there (the kernel's), and the same f
KINKS = ["relu", "hardtanh", "leaky_relu", "threshold", "elu", "relu6", "hardshrink"]


@pytest.mark.parametrize("name", KINKS)
def test_both_paths_follow_the_kink_policy(name):
    for policy in (None, "left", "right", "mean"):
        e = symact.export(name, "torch", kink=policy, verify=False)
        d = e.definition
        values = d.values()
        at = [float(k.subs(values)) for k in d.derivation().kinks]
        k = kernel(d.entry, kink=d.kink, **dict(d.params))
        for dtype in DTYPES:
            x = torch.tensor(at, dtype=dtype)
            want = (torch.from_numpy(k(x.numpy())), torch.from_numpy(k.grad(x.numpy())))
            for fn in (e.function, e.generated):
                got = _both(fn, x, torch.ones_like(x))
                assert all(torch.equal(a, b) for a, b in zip(got, want)), (name, policy, dtype, got, want)


@pytest.mark.parametrize("name", ["sigmoid", "elu"])
def test_a_backward_that_is_torch_s_own_op_keeps_the_generated_module(name):
    """sigmoid's and elu's generated backward is torch's own one-pass op on the saved output: no kernel serves."""
    e = symact.export(name, "torch", verify=False)
    assert "_backward(g, 1.0, 1, 1, True, t)" in e.source() or "sigmoid_backward(g, t)" in e.source()
    assert e.kernel is None and e.function is e.generated


def test_without_the_fused_backend_nothing_changes(monkeypatch):
    monkeypatch.setattr(fused, "available", lambda: False)
    e = symact.export("silu", "torch", verify=False)
    assert e.kernel is None and e.function is e.generated
