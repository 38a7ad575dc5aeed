"""``symact.export``: the exported torch function against symact's kernel, its autograd rule and its source.

Every catalog activation and a dozen user-defined ones are exported with verification on (f and f' in float64
and float32 within the bounds of ``symact.exporting.verify``, the kinks, gradcheck and gradgradcheck);
then the saved tensors are counted, every dtype and shape is run, and the source runs without symact.
"""

import ast
import subprocess
import sys

import numpy as np
import pytest

import symact
from symact.catalog import CATALOG
from symact.errors import ParameterError, SymactError
from symact.kernels import kernel

torch = pytest.importorskip("torch", reason="the torch export needs torch (pip install 'symact[torch]')")

USER = [
    "x*sigmoid(1.7*x)",
    "log(1 + exp(2*x))/2",
    "x*tanh(x)",
    "x/(1 + exp(-x))",
    "tanh(x) + x/10",
    "x*Phi(x)",
    "(x + sqrt(x**2 + 1))/2",
    "max(x, 0) + 0.1*min(x, 0)",
    "x*exp(-x**2/2)",
    "exp(x) - 1",
    "x**3/(1 + x**2)",
    "1 - exp(-x**2)",
]
NAMES = [e.name for e in CATALOG] + USER


@pytest.fixture(scope="module", params=NAMES)
def exported(request):
    return symact.export(request.param, "torch", verify=True)


def test_verified_against_symact(exported):
    report = exported.report
    assert not report.proved and report.status.value == "checked"
    assert report.gradcheck and report.gradgradcheck
    assert set(report.crosschecks) == {"float64", "float32"}
    assert report.crosschecks["float64"].agrees_at_kinks


def _saved(fn, t) -> int:
    count = []
    with torch.autograd.graph.saved_tensors_hooks(lambda s: count.append(s) or s, lambda s: s):
        fn(t)
    return len(count)


# f' in y is singular at a value f tends to (squareplus: at y = 0, as x -> -inf): exported with f' in x
SINGULAR_AT_THE_ENDS = ("squareplus", "x/2 + sqrt(x**2 + 1)/2")


def test_saves_one_tensor_and_the_output_where_it_can(exported):
    t = torch.linspace(-3, 3, 11, dtype=torch.float64, requires_grad=True)
    assert _saved(exported.function, t) == 1
    d = symact.derive(exported.definition.entry)
    written_in_x = "erfinv" in str(d) or (exported.definition.name or str(d.f)) in SINGULAR_AT_THE_ENDS
    assert exported.saves_output == (d.df_of_output is not None) or written_in_x


def test_every_dtype_and_shape(exported):
    k = kernel(exported.definition.entry, kink=exported.definition.kink)
    x = np.linspace(-5, 5, 24).reshape(2, 3, 4)
    for dtype, tol in ((torch.float64, 1e-12), (torch.float32, 1e-5), (torch.bfloat16, 2e-2), (torch.float16, 2e-3)):
        t = torch.tensor(x, dtype=dtype, requires_grad=True)
        y = exported.module()(t)
        (g,) = torch.autograd.grad(y.sum(), t)
        assert y.dtype == dtype and y.shape == t.shape and g.dtype == dtype
        xs = t.detach().double().numpy()
        want_f, want_df = k(xs), k.grad(xs)
        scale = 1 + np.abs(want_f)
        assert np.all(np.abs(y.detach().double().numpy() - want_f) <= tol * scale), dtype
        assert np.all(np.abs(g.double().numpy() - want_df) <= tol * (1 + np.abs(want_df))), dtype


def test_source_runs_without_symact(tmp_path):
    e = symact.export("x*sigmoid(1.7*x)", "torch", verify=False)
    assert "symact" not in e.source().split('"""', 2)[2]
    path = tmp_path / "act.py"
    path.write_text(e.source())
    code = (
        "import sys, torch; sys.modules.pop('symact', None); sys.path.insert(0, %r); import act;"
        "t = torch.tensor([-800.0, 0.0, 2.0], dtype=torch.float64, requires_grad=True);"
        "y = act.activation(t); y.sum().backward(); print((y.tolist(), t.grad.tolist()))" % str(tmp_path)
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    y, g = ast.literal_eval(out)
    assert y[0] == 0.0 and abs(y[2] - 2 / (1 + np.exp(-3.4))) < 1e-15 and g[1] == 0.5


def test_tails_where_naive_autograd_fails():
    e = symact.export("x*sigmoid(x)", "torch")
    t = torch.tensor([-800.0, -40.0, 800.0], dtype=torch.float64, requires_grad=True)
    (g,) = torch.autograd.grad(e.function(t).sum(), t)
    assert torch.isfinite(g).all() and g[1] < 0 and g[1] > -1e-15 and g[2] == 1


def test_kink_convention():
    t = torch.tensor([0.0], dtype=torch.float64, requires_grad=True)
    for kink, want in (("left", 0.0), ("right", 1.0), ("mean", 0.5), (None, 0.0)):
        (g,) = torch.autograd.grad(symact.export("relu", "torch", kink=kink)(t).sum(), t)
        assert float(g) == want, kink


def test_errors():
    with pytest.raises(ParameterError):
        symact.export("relu", "tensorflow")
    with pytest.raises(SymactError):
        symact.export("nosuchactivation", "torch")
    with pytest.raises(ParameterError):
        symact.export("relu", "jax", verify=False).module()


def test_import_symact_imports_no_framework():
    code = "import sys, symact; print('torch' in sys.modules or 'jax' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"
