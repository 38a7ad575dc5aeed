"""``symact.export``: the exported torch function against symact's kernel, its autograd rule and its source.

Every catalog activation and a dozen user-defined ones are exported with verification on (f and f' in float64
and float32 within the bounds of ``symact.exporting.verify``, the kinks, gradcheck and gradgradcheck);
then the saved tensors are counted, every dtype and shape is run, and the source runs without symact.
"""

import ast
import subprocess
import sys
import warnings

import numpy as np
import pytest

import symact
from symact.catalog import CATALOG
from symact.errors import ExportFailed, ParameterError, SymactError
from symact.exporting.source import BACKWARD
from symact.exporting.verify import ulp_bounds, verify_export, within
from symact.kernels import fused, kernel
from symact.testing.frameworks import benchmark_points, function_values
from symact.testing.measure import ulp_error

from . import scaled_args
from .exp_decay import CASES, POINTS, misses, references

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
    """Verified on both paths where the fused backend serves eager float32 and float64 (symact.exporting.eager)."""
    own = any(op in exported.source() for op in BACKWARD.values())  # torch's own backward op: no kernel serves
    assert (exported.kernel is not None) == (fused.available() and not own) and exported.generated is not None
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


def test_saves_one_tensor_and_the_output_where_it_can(exported):
    t = torch.linspace(-3, 3, 11, dtype=torch.float64, requires_grad=True)
    assert _saved(exported.function, t) == 1
    d = symact.derive(exported.definition.entry)
    assert exported.saves_output == (d.df_of_output is not None) or "erfinv" in str(d)  # torch lacks erfinv's f'


@pytest.mark.parametrize("text", ["squareplus", "(x + sqrt(x**2 + 1))/2"])
def test_squareplus_slope_from_the_output_in_float32(text):
    """f' = 4y**2/(4y**2 + b) from the saved output, in float32 as computed (its one fraction switches form at a
    number float32 holds), within 2 float32 ULPs of float64's at the same y, up to the largest floats and inf."""
    e = symact.export(text, "torch", verify=False)
    assert e.saves_output
    x = np.array([-np.inf, -3e38, -1e20, -1e10, -3.0, -0.5, 0.0, 0.5, 3.0, 1e10, 1e20, 3e38, np.inf], np.float32)
    for fn in (e.function, e.generated):
        t = torch.tensor(x, requires_grad=True)
        saved = []
        with torch.autograd.graph.saved_tensors_hooks(lambda s, kept=saved: kept.append(s) or s, lambda s: s):
            out = fn(t)
        (g,) = torch.autograd.grad(out.sum(), t)
        assert [s.data_ptr() for s in saved] == [out.data_ptr()]
        want = kernel(e.definition.entry).grad_from_output(out.detach().numpy().astype(np.float64))
        assert (ulp_error(g.numpy(), want, np.float32) <= 2).all(), (x, g.numpy(), want)


# Each floating dtype torch has on CPU, and how far (in its epsilons, relative above 1) it may be from float64.
DTYPES = {torch.float64: 64, torch.float32: 64, torch.bfloat16: 4, torch.float16: 4}


def test_every_dtype_and_shape(exported):
    k = kernel(exported.definition.entry, kink=exported.definition.kink)
    x = np.linspace(-5, 5, 24).reshape(2, 3, 4)
    for dtype, eps in DTYPES.items():
        t = torch.tensor(x, dtype=dtype, requires_grad=True)
        y = exported.module()(t)
        (g,) = torch.autograd.grad(y.sum(), t)
        assert y.dtype == dtype and y.shape == t.shape and g.dtype == dtype
        t64 = t.detach().double().requires_grad_()  # the same (rounded) inputs, in float64
        y64 = exported.function(t64)
        (g64,) = torch.autograd.grad(y64.sum(), t64)
        xs = t64.detach().numpy()
        assert np.allclose(y64.detach().numpy(), k(xs), rtol=1e-13, atol=1e-13)
        assert np.allclose(g64.numpy(), k.grad(xs), rtol=1e-13, atol=1e-13)
        tol = eps * torch.finfo(dtype).eps
        for got, want in ((y, y64), (g, g64)):
            assert torch.all((got.double() - want).abs() <= tol * (1 + want.abs())), dtype


# one with an output form (tanh), one whose slope reads the input (gelu), one with a kink (relu)
COMPILED = ["tanh", "gelu", "relu"]


# torch's compiler stack raises deprecation warnings of its own inside (it builds a torch.autograd.Function() to
# trace a Function's ctx, Inductor calls torch.jit.script_method): the suite's "error" filter would fail there.
@pytest.mark.filterwarnings(r"ignore::DeprecationWarning:torch\.")
@pytest.mark.parametrize("name", COMPILED)
def test_torch_compile_without_graph_breaks(name):
    """The module under torch.compile (Inductor, the CPU backend: it compiles C++ with the machine's compiler)
    traces into one graph and computes what eager mode computes, forward and backward."""
    torch._dynamo.reset()
    e = symact.export(name, "torch", verify=False)
    module = e.module()
    x = torch.linspace(-6, 6, 97, dtype=torch.float64)
    x = torch.cat([x, torch.tensor([0.0, -0.0, 1e300, -1e300, float("inf"), float("-inf"), float("nan")])])
    explanation = torch._dynamo.explain(module)(x)
    assert explanation.graph_break_count == 0 and explanation.graph_count == 1
    compiled = torch.compile(module, backend="inductor", fullgraph=True)
    eager_in, compiled_in = x.clone().requires_grad_(), x.clone().requires_grad_()
    eager, fast = module(eager_in), compiled(compiled_in)
    eager.backward(torch.ones_like(eager))
    fast.backward(torch.ones_like(fast))
    for got, want in ((fast, eager), (compiled_in.grad, eager_in.grad)):
        # the same operations, fused: equal but for rounding (a few units in the last place); NaN where NaN
        assert torch.allclose(got, want, rtol=8 * torch.finfo(torch.float64).eps, atol=1e-300, equal_nan=True)
        assert torch.equal(torch.isnan(got), torch.isnan(want))


@pytest.mark.filterwarnings(r"ignore::DeprecationWarning:torch\.")
def test_inside_a_compiled_model():
    """torch.compile traces a model holding the module in one graph (it imports the module of each function it
    inlines: the generated module is registered under a name hashed from its text) and computes what the generated
    module computes eagerly."""
    torch._dynamo.reset()
    e = symact.export("tanh", "torch", verify=False)
    model = torch.nn.Sequential(torch.nn.Linear(4, 4, dtype=torch.float64), e.module())
    x = torch.linspace(-3, 3, 12, dtype=torch.float64).reshape(3, 4)
    compiled = torch.compile(model, backend="eager", fullgraph=True)
    assert torch.equal(compiled(x), e.generated(model[0](x)))


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


# Where torch's own fused operations flush to zero: sigmoid's 1 + exp(-x) overflows (below -709 in float64, -88 in
# float32) while x*sigmoid(x) and the slopes are still normal numbers. exp(x) is subnormal there, so a few of its
# bits are lost: the bound is relative, and loose.
DEEP_TAILS = {"float64": (np.linspace(-744, -690, 55), 1e-9), "float32": (np.linspace(-103, -80, 47), 1e-4)}


@pytest.mark.parametrize("name", ["silu", "swish", "mish", "softplus", "sigmoid"])
def test_relative_accuracy_in_the_deep_negative_tail(name):
    e = symact.export(name, "torch", verify=False)
    k = kernel(e.definition.entry)
    for dtype, (xs, rtol) in DEEP_TAILS.items():
        xs = xs.astype(dtype)
        t = torch.tensor(xs, requires_grad=True)
        y = e.function(t)
        (g,) = torch.autograd.grad(y.sum(), t)
        for got, want in ((y.detach().numpy(), k(xs.astype("float64"))), (g.numpy(), k.grad(xs.astype("float64")))):
            normal = np.abs(want) >= np.finfo(dtype).tiny
            assert normal.any()
            assert np.allclose(got[normal], want[normal], rtol=rtol, atol=0), (dtype, name)


@pytest.mark.parametrize("text, call, same", CASES)
def test_exp_times_a_decay_right_at_every_float(text, call, same):
    """f and f' (autograd) against mpmath where exp(a) alone overflows or the decay alone underflows; f' of the
    first is written with sigmoid(x)**3 (no node of exp(a)): its ULPs triple, hence twice the export's bound."""
    e = symact.export(text, "torch", verify=False)
    assert call in e.source()
    for dtype in ("float64", "float32"):
        bounds = ulp_bounds(e.definition.entry.ulp_bounds, dtype)
        t = torch.tensor(POINTS.astype(dtype), requires_grad=True)
        y = e.function(t)
        (g,) = torch.autograd.grad(y.sum(), t)
        for part, got, want, bound in zip(("f", "f'"), (y.detach(), g), references(same), (bounds[0], 2 * bounds[1])):
            bad = misses(got.double().numpy(), want, bound, dtype)
            assert not bad.any(), (text, dtype, part, POINTS[bad][:3], got.double().numpy()[bad][:3], want[bad][:3])


@pytest.mark.parametrize("name, params", scaled_args.CASES)
def test_scaled_arguments_in_float32_tails(name, params):
    """float32 f and f' within the export's bound across the tails where a node's argument is scaled (a rounded
    c*x would cost |c x| ULPs there): eager, and f and f' of a Function run in float32 throughout."""
    e = symact.export(name, "torch", verify=False, **params)
    bounds = ulp_bounds(e.definition.entry.ulp_bounds, "float32")
    t = torch.tensor(scaled_args.POINTS.astype("float32"), requires_grad=True)
    y = e.function(t)
    (g,) = torch.autograd.grad(y.sum(), t)
    assert not e.saves_output  # df reads x
    raw = e.namespace.f(t.detach()), e.namespace.df(t.detach())  # the parts alone, in float32 (as compiled)
    for part, got, want, bound in zip(
        ("f", "f'", "f", "f'"), (y.detach(), g, *raw), scaled_args.references(e) * 2, bounds * 2
    ):
        bad = misses(got.double().numpy(), want, bound, "float32", scaled_args.FLUSHED)
        assert not bad.any(), (name, part, scaled_args.POINTS[bad][:3], got.double().numpy()[bad][:3], want[bad][:3])


@pytest.mark.parametrize("name", [e.name for e in CATALOG])
def test_create_graph_gives_the_plain_backwards_bits(name):
    """With create_graph the first derivative is the plain backward's, bit for bit (torch's fused
    sigmoid_backward rounds (g*(1 - y))*y, not g*(y*(1 - y))), and it still records f''."""
    e = symact.export(name, "torch", verify=False)
    for dtype in (torch.float64, torch.float32):
        x = torch.linspace(-12, 12, 801, dtype=dtype, requires_grad=True)
        g = torch.rand(801, dtype=dtype, generator=torch.Generator().manual_seed(24))
        (plain,) = torch.autograd.grad(e.function(x), x, g)
        (graph,) = torch.autograd.grad(e.function(x), x, g, create_graph=True)
        assert torch.equal(plain, graph.detach()) and graph.requires_grad, (name, dtype)


def test_the_float32_slope_of_silu_from_torchs_float64_silu_backward():
    """Eager float32 f' of silu is torch's fused silu_backward in float64, rounded once: within 1 ULP of the float64
    export (Taylor patches, double-double) at every float32 within 1e-3 of the zero of f', where it cancels, and
    across a sample (the bound's argument: ``symact.exporting.printer.FUSED_WIDE``)."""
    e = symact.export("silu", "torch", verify=False)
    assert "silu_backward(" in e.source()
    x0 = -1.2784645427610738
    near = (np.float32(x0).view(np.int32) + np.arange(-9000, 9000, dtype=np.int32)).view(np.float32)
    sample = np.random.default_rng(24).uniform(-110, 110, 200_000).astype(np.float32)
    xs = np.concatenate([near[np.abs(near - x0) <= 1e-3], sample])
    t = torch.tensor(xs, requires_grad=True)
    (g,) = torch.autograd.grad(e.function(t).sum(), t)
    t64 = torch.tensor(xs.astype(np.float64), requires_grad=True)
    (want,) = torch.autograd.grad(e.function(t64).sum(), t64)
    normal = want.abs().numpy() >= np.finfo(np.float32).tiny
    assert (ulp_error(g.double().numpy(), want.numpy(), "float32")[normal] <= 1).all()


def test_the_cheapest_guard_that_holds():
    """x*sigmoid(x) is NaN only at -inf (-inf*0) and +inf: the guard replaces the values there alone."""
    e = symact.export("silu", "torch", verify=False)
    assert "at_inf(x" in e.source() and "at_special(" not in e.source()
    t = torch.tensor([float("-inf"), -1e300, 1e300, float("inf"), float("nan")], dtype=torch.float64)
    t.requires_grad_()
    y = e.function(t)
    (g,) = torch.autograd.grad(y.sum(), t)
    assert y[:4].tolist() == [0.0, 0.0, 1e300, float("inf")] and g[:4].tolist() == [0.0, 0.0, 1.0, 1.0]
    assert torch.isnan(y[4]) and torch.isnan(g[4])


@pytest.mark.parametrize("name", ["silu", "sigmoid", "elu", "gelu", "softplus", "sin(x)/x"])
def test_an_element_does_not_depend_on_the_others(name):
    """Eager torch skips the selects that mend NaN, infinite, huge or far negative inputs, and the Taylor patches,
    where no element needs them: the other elements get the same bits with or without one that does."""
    e = symact.export(name, "torch", verify=False)
    wide, far = np.linspace(-6, 6, 301), np.linspace(20, 30, 41)  # far: no element near a patch
    cases = [(wide, odd) for odd in (float("nan"), float("inf"), -1e20, -90.0)] + [(far, -1.25)]
    for dtype in (torch.float64, torch.float32):
        for points, odd in cases:
            alone = torch.tensor(points, dtype=dtype, requires_grad=True)
            both = torch.tensor([*points, odd], dtype=dtype, requires_grad=True)
            got = []
            for t in (alone, both):
                y = e.function(t)
                (g,) = torch.autograd.grad(y.sum(), t)
                got.append((y.detach()[: len(points)], g[: len(points)]))
            assert all(torch.equal(a, b) for a, b in zip(*got)), (name, dtype, odd)


def test_a_traced_module_keeps_every_select():
    """Eager torch skips the selects no element of the tensor needs; traced on such inputs, the module still mends
    NaN, infinite and huge inputs and applies the patches for inputs that do (the trace calls the Function)."""
    e = symact.export("silu", "torch", verify=False)
    quiet = torch.linspace(20, 30, 41, dtype=torch.float64)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the tracer warns of the Function's Python: that is what is checked
        traced = torch.jit.trace(e.function, quiet)
    odd = torch.tensor([float("nan"), float("inf"), -float("inf"), -1e20, -90.0, -1.25, -2.4, 0.0], dtype=torch.float64)
    want = e.generated(odd)  # a trace records the generated module (symact.exporting.eager)
    assert torch.equal(traced(odd).isnan(), want.isnan())
    assert torch.equal(torch.nan_to_num(traced(odd)), torch.nan_to_num(want))


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


def test_each_frameworks_own_lines_stay_out_of_the_other():
    from symact.exporting.prelude import prelude

    names = {"s_sigmoid", "s_softplus", "s_dsigmoid", "s_sech2", "at_inf", "at_nan", "at_special"}
    assert "torch" not in prelude(names, "jax") and "torch.sigmoid" in prelude(names, "torch")
    assert "_exp_dd" in prelude(names, "jax") and "_exp_dd" not in prelude(names, "torch")  # JAX's float64 forms


def test_verify_refutes_an_export_wrong_only_in_the_tails(monkeypatch):
    """An export right where |f| > 1e-16 and off by a factor 2 below (f = 2e-30 where the truth is 1e-30, f' the
    same): within bound epsilons *absolute* below 1 (the check before) it passed; in ULPs it is refuted. The wrong
    generated module is refuted though the function a user calls runs the kernel (both paths are verified)."""
    e = symact.export("x*sigmoid(1.7*x)", "torch", verify=False)
    for part in ("f", "df"):
        right = getattr(e.namespace, part)

        def wrong(t, *args, right=right, **kwargs):
            r = right(t, *args, **kwargs)
            return torch.where(r.abs() < 1e-16, 2 * r, r)

        monkeypatch.setattr(e.namespace, part, wrong)
    points = np.concatenate([benchmark_points(), [0.0, np.inf, -np.inf, np.nan]])
    k = kernel(e.definition.entry)
    for dtype in ("float64", "float32"):
        xs = points.astype(dtype)
        got, want = function_values(e.generated, xs), (k(xs.astype("float64")), k.grad(xs.astype("float64")))
        assert all((np.abs(g) < 1e-16).sum() > 100 for g in got)  # the tails are sampled
        for g, w, bound in zip(got, want, ulp_bounds(e.definition.entry.ulp_bounds, dtype)):
            with np.errstate(all="ignore"):
                absolute = np.abs(g - w) <= bound * np.finfo(dtype).eps * np.maximum(np.abs(w), 1.0)
            old = absolute | (ulp_error(g, w, dtype) <= bound)
            assert old.all(), (dtype, xs[~old][:3], g[~old][:3], w[~old][:3])  # the old check: passed
            assert not within(g, w, bound, dtype).all()
    with pytest.raises(ExportFailed, match="generated module: f.* beyond"):
        verify_export(e)


def test_a_part_with_a_number_past_float32_computes_in_float64():
    """celu at alpha = 1e300 is 1e300*expm1(1e-300*x) below 0: in float32 (what half precision, torch.compile and
    source() run) inf*0, NaN at x = -1, and verify_export refuted the export. Such a part computes in float64 and
    rounds once: the export verifies, and every dtype gets x at x = -1 and -700, and f' = 1."""
    ex = symact.export("celu", "torch", alpha=1e300, verify=True)
    assert ex.report.status.value == "checked"
    for dtype in (torch.float32, torch.float16, torch.bfloat16, torch.float64):
        x = torch.tensor([-700.0, -1.0, -1e-3, 2.0], dtype=dtype, requires_grad=True)
        y = ex.generated(x)
        (g,) = torch.autograd.grad(y.sum(), x)
        eps = torch.finfo(dtype).eps  # celu is x (1 + x/(2 alpha) + ...): x to 2 ULP
        assert y.detach().tolist() == pytest.approx(x.detach().tolist(), rel=2 * eps), (dtype, y)
        assert g.tolist() == [1.0] * 4, (dtype, g)


def test_the_nan_guard_starts_where_the_kernels_does():
    """swish at beta = 1e300: f' = 1e300*x*sigmoid'(beta*x) + sigmoid(beta*x) is inf*0 at x = 1e9 (beta*x
    overflows), where f' is 1. The export's guard took a NaN for the limit only past |x| = 1e15 (and its module
    did not load: a float32 coefficient printed as inf); it starts where the kernel's does
    (underflow.guard_beyond, 2e-285 here). f and f' against the kernel, float64 and float32."""
    ex = symact.export("swish", "torch", beta=1e300, verify=True)
    k = kernel("swish", beta=1e300, backend="numpy")
    for dtype, np_dtype in ((torch.float64, np.float64), (torch.float32, np.float32)):
        with np.errstate(over="ignore", under="ignore"):  # float32: 1e307 is inf, 1e-290 is -0.0
            x = np.array([-1e20, -1e9, -1e-290, 1e-299, 1e9, 1e20, 1e307]).astype(np_dtype).astype(np.float64)
        with np.errstate(all="ignore"):
            want = [v.astype(np_dtype).tolist() for v in (k(x), k.grad(x))]
        for fn in (ex.generated, ex.function):
            t = torch.tensor(x, dtype=dtype, requires_grad=True)
            y = fn(t)
            (g,) = torch.autograd.grad(y.sum(), t)
            assert [y.tolist(), g.tolist()] == want, (dtype, y, g)


@pytest.mark.parametrize("slope", [0.01, 0.3, -0.5, 1e-300])
def test_leaky_relu_signs_its_zeros_as_torch_does(slope):
    """The export writes max(x, 0) + k*min(x, 0) as torch's x if x > 0 else k*x: each zero signed as k*x."""
    fn = symact.export("leaky_relu", "torch", negative_slope=slope, verify=False)
    for dtype in (torch.float32, torch.float64):
        x = torch.tensor([-0.0, 0.0, -1e-45, -1.0, 2.0, float("nan")], dtype=dtype)
        got, want = fn(x), torch.nn.functional.leaky_relu(x, slope)
        assert torch.equal(torch.signbit(got), torch.signbit(want)) and torch.allclose(got, want, equal_nan=True)
