"""The exported f and f' where the kernel plan patches a cancelling formula with a Taylor polynomial.

Near a zero of f' (exp(3x)*sech(2x)**2 at 0.486, where 4*tanh(2x) - 3 cancels; x*cos(x), at each zero of
cos(x) - x*sin(x) in [-10, 10]) and at a removable singularity (sin(x)/x at 0) the export computes the plan's
patches, as the kernel does. Its f and f' (by each framework's autograd) at the patch centres, their float
neighbours and across the windows are compared with mpmath, in ULPs alone (no absolute slack near the zero), within
the export's bounds (``symact.exporting.verify.ulp_bounds``) in float64 and float32.
"""

import importlib

import numpy as np
import pytest
import sympy as sp

import symact
from symact.catalog import x
from symact.exporting.source import part_patches, parts
from symact.exporting.verify import ulp_bounds
from symact.testing.measure import ulp_error

from .exact import exact_values

EXPRESSIONS = ["exp(3*x)*(1 - tanh(2*x)**2)", "x*cos(x)", "sin(x)/x"]
# Where across a window, in units of its half-width: the centre, the polynomial's edges, and tiles.
ACROSS = np.array([-0.95, -0.6, -0.3, -0.1, -1 / 64, 1 / 64, 0.1, 0.3, 0.6, 0.95])


def _points(centres: list[tuple[float, float]], dtype: str) -> np.ndarray:
    """Points in ``dtype`` across each (centre, window), and the centre's nearest floats of ``dtype``."""
    found = []
    for centre, window in centres:
        c = np.array(centre, dtype=dtype)
        near = [np.nextafter(c, c - 1), c, np.nextafter(c, c + 1), np.nextafter(np.nextafter(c, c + 1), c + 1)]
        found += [*near, *(centre + window * ACROSS).astype(dtype)]
    return np.unique(np.array(found, dtype=dtype))


def _values(exported, points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """f and f' (the framework's autograd) of the export at ``points``, in their dtype."""
    if exported.framework == "torch":
        torch = importlib.import_module("torch")
        t = torch.tensor(points, requires_grad=True)
        y = exported.function(t)
        (g,) = torch.autograd.grad(y.sum(), t)
        return y.detach().double().numpy(), g.double().numpy()
    jax = importlib.import_module("jax")
    fn = exported.function
    both = jax.jit(lambda t: (fn(t), jax.vmap(jax.grad(fn))(t)))
    with jax.enable_x64(points.dtype == np.float64):
        y, g = both(jax.numpy.asarray(points))
    return np.asarray(y, dtype=np.float64), np.asarray(g, dtype=np.float64)


def _reference(e: sp.Expr, points: np.ndarray) -> np.ndarray:
    """``e`` at ``points`` to the nearest float64; at 0 its limit there (sin(x)/x computes 0/0 in mpmath)."""
    nonzero = points != 0
    values = np.full(points.shape, float(sp.limit(e, x, 0)) if not nonzero.all() else np.nan)
    values[nonzero] = exact_values(e, points[nonzero])
    return values


@pytest.mark.parametrize("framework", ["torch", "jax"])
@pytest.mark.parametrize("text", EXPRESSIONS)
def test_f_and_slope_at_the_patches(text, framework):
    pytest.importorskip(framework, reason=f"the {framework} export needs {framework}")
    exported = symact.export(text, framework, verify=False)
    p = parts(exported.definition)
    patches = part_patches(exported.definition, p)
    assert "patched(" in exported.source() and patches
    centres = [(q.hi + q.lo, q.window) for found in patches.values() for q in found]
    expr = sp.sympify(text, locals={"x": x})
    for dtype in ("float64", "float32"):
        points = _points(centres, dtype)
        got = _values(exported, points)
        for part, g, e, bound in zip(("f", "f'"), got, (expr, sp.diff(expr, x)), ulp_bounds((4, 4), dtype)):
            with np.errstate(over="ignore"):
                want = _reference(e, points).astype(dtype).astype(np.float64)
            err = ulp_error(g, want, dtype)
            bad = ~(err <= bound)
            assert not bad.any(), (text, framework, dtype, part, points[bad][:3], g[bad][:3], want[bad][:3])


def test_patched_slope_of_any_shape_and_layout_in_eager_torch():
    """Eager torch evaluates the polynomials at the elements inside the windows alone, written into f' in place:
    a 0-d tensor and a transposed (strided) one get what a contiguous vector gets."""
    torch = pytest.importorskip("torch", reason="the torch export needs torch")
    fn = symact.export("silu", "torch", verify=False).function
    flat = torch.linspace(-3, 1, 24, dtype=torch.float64, requires_grad=True)
    (want,) = torch.autograd.grad(fn(flat).sum(), flat)
    scalar = flat.detach()[5].clone().requires_grad_()
    (g,) = torch.autograd.grad(fn(scalar), scalar)
    assert g.shape == () and g == want[5]
    strided = flat.detach().reshape(2, 3, 4).transpose(0, 2).clone().requires_grad_()
    assert not strided.is_contiguous()
    (g,) = torch.autograd.grad(fn(strided).sum(), strided)
    assert torch.equal(g, want.reshape(2, 3, 4).transpose(0, 2))


@pytest.mark.parametrize("name", ["silu", "gelu", "mish"])
def test_float32_slope_in_float64_rounded_once(name):
    """torch computes a float32 f' with patches near a zero of f' in float64 without them (``DF_WIDE = ()``),
    rounded once: within 1 ULP of mpmath across the windows and at the zero's float32 neighbours."""
    torch = pytest.importorskip("torch", reason="the torch export needs torch")
    exported = symact.export(name, "torch", verify=False)
    assert "DF_WIDE = ()" in exported.source()
    patches = part_patches(exported.definition, parts(exported.definition))["df"]
    points = _points([(q.hi + q.lo, q.window) for q in patches], "float32")
    t = torch.tensor(points, requires_grad=True)
    (g,) = torch.autograd.grad(exported.function(t).sum(), t)
    want = exact_values(sp.diff(exported.definition.derivation().f, x), points).astype("float32")
    assert g.dtype == torch.float32 and (ulp_error(g.double().numpy(), want.astype("float64"), "float32") <= 1).all()


def test_a_removable_singularity_keeps_its_patch_in_float64():
    """sin(x)/x divides 0 by 0 at 0 in any precision: its float32 f, f' and f'' computed in float64 keep the patch
    there, and drop those near the zeros of f' (float64 absorbs their cancellation)."""
    torch = pytest.importorskip("torch", reason="the torch export needs torch")
    exported = symact.export("sin(x)/x", "torch", verify=False)
    kept = [line for line in exported.source().splitlines() if "_WIDE = " in line]
    # f' and f'' also have a zero at 0 whose formula loses its digits there (0/0): its patch is kept as well
    assert kept == [
        "F_WIDE = (F_PATCHES[0],)",
        "DF_WIDE = (DF_PATCHES[2], DF_PATCHES[5],)",
        "D2F_WIDE = (D2F_PATCHES[6],)",
    ]
    t = torch.tensor([0.0, 1e-30], dtype=torch.float32, requires_grad=True)
    y = exported.function(t)
    (g,) = torch.autograd.grad(y.sum(), t)
    assert y.tolist() == [1.0, 1.0] and g[0] == 0 and g[1] == torch.tensor(-1e-30 / 3, dtype=torch.float32)
