"""``symact.export(..., 'jax')``: f, f' and f'' of the exported function against mpmath, under jit, grad and vmap.

The reference is each activation's f, f' and f'' (symact's derivation, parameters at their defaults)
evaluated in mpmath at rising precision and rounded once; the points are float32 values (so the same
references serve both dtypes): magnitudes from 1e-6 to 700 with both signs, a seeded sample of [-10, 10] and
zero. A slope is not compared at its own kinks (the kink policy picks it there; ``verify`` checks that).
f and f' must meet the export's ULP bounds (``symact.exporting.verify.ulp_bounds``), f'' (no kernel
bound) ``D2F_BOUND`` of them.
"""

import subprocess
import sys
import time
from functools import cache
from pathlib import Path

import mpmath
import numpy as np
import pytest

import symact
from symact import catalog
from symact.errors import ProofTimeout
from symact.exporting.prelude import HEADERS, prelude
from symact.exporting.source import parts
from symact.exporting.verify import FLUSHED, output_slack, ulp_bounds, within
from symact.functions import mp_function
from symact.kinks import find_kinks

from . import scaled_args
from .exp_decay import CASES, POINTS, misses, references

jax = pytest.importorskip("jax", reason="the JAX export needs jax (pip install 'symact[jax]')")
jnp = jax.numpy

D2F_BOUND = 64  # f'' in ULPs (or epsilons, absolute): the chain y -> f'(y) -> f''(y)*f'(x) compounds
_MAX = float(np.finfo(np.float64).max)
NAMES = catalog.names()
USER = ["x*sigmoid(1.7*x)", "x*tanh(softplus(x))", "max(x, 0) + 0.1*min(x, 0)", "tanh(x) + x/10"]


def _points() -> np.ndarray:
    mags = np.geomspace(1e-6, 700, 40)
    sample = np.random.default_rng(24).uniform(-10, 10, 60)
    return np.unique(np.concatenate([mags, -mags, sample, [0.0]]).astype(np.float32)).astype(np.float64)


def _exact(fn, t: float) -> float:
    """fn(t) to the nearest float64, the precision doubled until two nonzero evaluations agree to 1e-22 (a 0 may be
    a cancellation at too few digits: sech(x)**2 from 1 - tanh(x)**2 at x = -246)."""
    dps, last = 30, None
    while True:
        with mpmath.workdps(dps):
            value = fn(mpmath.mpf(t))
        if (last is not None and value != 0 and abs(value - last) <= abs(value) * 1e-22) or dps >= 480:
            return (
                max(-_MAX, min(_MAX, float(value))) if abs(value) < mpmath.mpf(2) ** 1024 else np.sign(value) * np.inf
            )
        dps, last = 2 * dps, value


@cache
def _export(name: str):
    """The export and its reference f, f', f'' (its own expressions, in x) at the points."""
    exported = symact.export(name, "jax", verify=False)
    p = parts(exported.definition, output=False)
    points = _points()
    want = [np.array([_exact(mp_function(e), t) for t in points]) for e in (p.f, p.df, p.d2f)]
    kinks = [[float(k.point) for k in find_kinks(e, {})] for e in (p.f, p.df)]
    return exported, points, want, kinks


def _values(name: str, dtype: str):
    """f, f', f'' of the export at the points in ``dtype`` (jit of vmap over grad and grad(grad)), and mpmath's."""
    exported, points, want, kinks = _export(name)
    fn = exported.function
    both = jax.jit(lambda t: (fn(t), jax.vmap(jax.grad(fn))(t), jax.vmap(jax.grad(jax.grad(fn)))(t)))
    with jax.enable_x64(dtype == "float64"):
        got = both(jnp.asarray(points, dtype=dtype))
    assert all(g.dtype == dtype for g in got)
    with np.errstate(over="ignore"):
        want = [w.astype(dtype).astype(np.float64) for w in want]  # the reference rounded once more, to dtype
    return exported, points, [np.asarray(g, dtype=np.float64) for g in got], want, kinks


@pytest.mark.parametrize("name, dtype", [(n, d) for n in NAMES + USER for d in ("float64", "float32")])
def test_against_mpmath_under_jit_grad_vmap(name, dtype):
    """f and f' as ``verify`` measures them (relative ULPs; f' read from the output with its allowance; XLA's
    flushed subnormals); f'' in ULPs or, below 1, ``D2F_BOUND`` epsilons absolute (the chain compounds)."""
    exported, points, got, want, kinks = _values(name, dtype)
    f_bound, df_bound = ulp_bounds(exported.definition.entry.ulp_bounds, dtype)
    xs = points.astype(dtype)
    slack = output_slack(exported.definition, xs, want[0], got[0], f_bound) if exported.saves_output else 0.0
    ok = [
        within(got[0], want[0], f_bound, dtype, 0.0, FLUSHED, True),
        within(got[1], want[1], df_bound, dtype, slack, FLUSHED, True),
        within(got[2], want[2], D2F_BOUND, dtype, D2F_BOUND * np.finfo(dtype).eps, FLUSHED, True),
    ]
    for part, good, g, w, skip in zip(("f", "f'", "f''"), ok, got, want, ([], *kinks)):
        bad = ~good & ~np.isin(points, skip)  # a slope at its kink: the policy's, verified
        assert not bad.any(), (name, dtype, part, points[bad][:3], g[bad][:3], w[bad][:3])


@pytest.mark.parametrize("text, call, same", CASES)
def test_exp_times_a_decay_right_at_every_float(text, call, same):
    """f and f' (jit of vmap over grad) against mpmath where exp(a) alone overflows or the decay alone
    underflows; f' of the first is written with sigmoid(x)**3 (no node of exp(a)): twice the export's bound."""
    exported = symact.export(text, "jax", verify=False)
    assert call in exported.source()
    fn = exported.function
    both = jax.jit(lambda t: (fn(t), jax.vmap(jax.grad(fn))(t)))
    for dtype in ("float64", "float32"):
        bounds = ulp_bounds(exported.definition.entry.ulp_bounds, dtype)
        with jax.enable_x64(dtype == "float64"):
            got = [np.asarray(g, dtype=np.float64) for g in both(jnp.asarray(POINTS, dtype=dtype))]
        for part, g, want, bound in zip(("f", "f'"), got, references(same), (bounds[0], 2 * bounds[1])):
            bad = misses(g, want, bound, dtype, FLUSHED)
            assert not bad.any(), (text, dtype, part, POINTS[bad][:3], g[bad][:3], want[bad][:3])


@pytest.mark.parametrize("name, params", scaled_args.CASES)
def test_scaled_arguments_in_float32_tails(name, params):
    """float32 f and f' (jit of vmap over grad) within the export's bound across the tails where a node's argument
    is scaled: a rounded c*x would cost |c x| ULPs there (gelu: with the export's own float32 erfc, as XLA's is up
    to 55 ULP off in the tail)."""
    exported = symact.export(name, "jax", verify=False, **params)
    fn = exported.function
    bounds = ulp_bounds(exported.definition.entry.ulp_bounds, "float32")
    got = jax.jit(lambda t: (fn(t), jax.vmap(jax.grad(fn))(t)))(jnp.asarray(scaled_args.POINTS, dtype=jnp.float32))
    for part, g, want, bound in zip(("f", "f'"), got, scaled_args.references(exported), bounds):
        g = np.asarray(g, dtype=np.float64)
        bad = misses(g, want, bound, "float32", scaled_args.FLUSHED)
        assert not bad.any(), (name, part, scaled_args.POINTS[bad][:3], g[bad][:3], want[bad][:3])


def test_any_shape_half_precision_and_nested_vmap():
    fn = symact.export("gelu", "jax", verify=False).function
    x = jnp.linspace(-5, 5, 24, dtype=jnp.float32).reshape(2, 3, 4)
    # both compiled: XLA contracts a*b + c to a fused multiply-add under jit, not operation by operation
    assert jnp.array_equal(jax.jit(jax.vmap(jax.vmap(fn)))(x), jax.jit(fn)(x))
    for dtype in (jnp.bfloat16, jnp.float16):
        t = x.astype(dtype)
        y, g = jax.jit(fn)(t), jax.jit(jax.grad(lambda t: fn(t).sum()))(t)
        assert y.shape == x.shape and y.dtype == dtype and g.dtype == dtype
        y_wide, g_wide = fn(t.astype(jnp.float32)), jax.grad(lambda t: fn(t).sum())(t.astype(jnp.float32))
        tol = 4 * float(jnp.finfo(dtype).eps)
        for got, want in ((y, y_wide), (g, g_wide)):
            assert jnp.all(jnp.abs(got.astype(jnp.float32) - want) <= tol * (1 + jnp.abs(want))), dtype


def test_kink_convention():
    for kink, want in (("left", 0.0), ("right", 1.0), ("mean", 0.5), (None, 0.0)):  # JAX's own: relu'(0) = 0
        assert float(jax.grad(symact.export("relu", "jax", kink=kink, verify=False).function)(0.0)) == want, kink


def test_the_readme_example_verifies_and_leaves_the_float64_setting_alone():
    text = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    section = text[text.index("## Use it in PyTorch and JAX") :]
    block = section[section.index("```python\nimport jax") + len("```python\n") :]
    code = block[: block.index("```")]
    run = [sys.executable, "-c", code + "print(jax.config.jax_enable_x64)"]
    printed = subprocess.run(run, capture_output=True, text=True, check=True).stdout
    expected = [line.split("# ")[-1] for line in code.splitlines() if line.startswith("print(")]
    assert printed.splitlines() == [*expected, "False"]  # the verification ran in float64, then restored it


# The float64 nodes of the JAX prelude and their truth: the nodes take exp as a pair (``_exp_dd``) and divide with
# the remainder; softplus has a log1p of its own (``_log1p64``).
NODES = {
    "s_sigmoid": lambda t: 1 / (1 + mpmath.exp(-t)),
    "s_dsigmoid": lambda t: mpmath.exp(-abs(t)) / (1 + mpmath.exp(-abs(t))) ** 2,
    "s_sech2": lambda t: mpmath.sech(t) ** 2,
    "s_softplus": lambda t: mpmath.log1p(mpmath.exp(t)),
    "s_softplus_tail": lambda t: mpmath.log1p(mpmath.exp(-abs(t))),
}


@pytest.mark.parametrize("name", NODES)
def test_float64_nodes_within_one_ulp(name):
    """JAX's float64 sigmoid, sigmoid(t)*sigmoid(-t), sech**2 and softplus within 1 ULP of mpmath under jit, on
    [-8, 8] in steps of 2**-8 and magnitudes 1e-8 to 745 (XLA's exp and log1p made them 2.3 to 3.8 ULP off, and
    mish's f' 5 ULP off near x = -3, where its terms cancel by half); also with a low part: f(t + lo)."""
    namespace: dict = {}
    exec(HEADERS["jax"] + "\n\n" + prelude({name}, "jax"), namespace)
    mags = np.geomspace(1e-8, 745, 800)
    xs = np.concatenate([np.arange(-2048, 2049) / 256, mags, -mags])
    lo = xs * 1e-17 * np.random.default_rng(24).uniform(-1, 1, xs.size)  # well below half an ULP of t
    with mpmath.workdps(40):
        want = [
            np.array([float(NODES[name](mpmath.mpf(t) + mpmath.mpf(d))) for t, d in zip(xs, lows)])
            for lows in (0 * lo, lo)
        ]
    fn = jax.jit(namespace[name])
    with jax.enable_x64(True):
        got = [np.asarray(fn(jnp.asarray(xs))), np.asarray(fn(jnp.asarray(xs), jnp.asarray(lo)))]
    for g, w in zip(got, want):
        assert g.dtype == np.float64
        bad = ~within(g, w, 1, "float64", 0.0, FLUSHED, True)
        assert not bad.any(), (name, xs[bad][:3], g[bad][:3], w[bad][:3])


def test_float64_powers_of_two_exact():
    """``_pow2`` (2**k from the bits of 2**52 + 1023 + k, no conversion to an integer) is exact on its range."""
    namespace: dict = {}
    exec(HEADERS["jax"] + "\n\n" + prelude({"_pow2"}, "jax"), namespace)
    k = np.arange(-1022.0, 1024.0)
    with jax.enable_x64(True):
        got = np.asarray(jax.jit(namespace["_pow2"])(jnp.asarray(k)))
    assert got.dtype == np.float64 and (got == np.ldexp(1.0, k.astype(int))).all()


@pytest.mark.parametrize("name", ["silu", "gelu", "mish"])
def test_value_and_slope_the_same_in_every_mode(name):
    """Where the jvp computes f and f' together (f' in x, values shared): y is f's, and f' is the same under
    jvp, grad and vmap(grad), bit for bit (XLA turns a division by a broadcast number into a product, which would
    change what it contracts into an fma under vmap)."""
    fn = symact.export(name, "jax", verify=False).function
    xs = np.random.default_rng(24).uniform(-10, 10, 4000)
    for dtype in ("float64", "float32"):
        with jax.enable_x64(dtype == "float64"):
            t = jnp.asarray(xs, dtype=dtype)
            y, slope = jax.jit(lambda u: jax.jvp(fn, (u,), (jnp.ones_like(u),)))(t)
            grads = jax.jit(jax.grad(lambda u: fn(u).sum()))(t), jax.jit(jax.vmap(jax.grad(fn)))(t)
            assert np.array_equal(y, jax.jit(fn)(t))
            assert all(np.array_equal(slope, g) for g in grads), name


def test_mish_verifies():
    """float64 mish' cancels by half near x = -3: with the float64 nodes above it is within its bound of 4 ULP."""
    report = symact.export("mish", "jax", verify=True).report
    assert report.status.value == "checked" and report.gradgradcheck


def _celu(t: float, alpha: mpmath.mpf) -> mpmath.mpf:
    t = mpmath.mpf(t)
    return t if t > 0 else alpha * mpmath.expm1(t / alpha)


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_celu_at_alpha_1e300_keeps_x_where_x_over_alpha_is_subnormal(dtype):
    """celu at alpha = 1e300 is 1e300*expm1(1e-300*x) below 0: XLA flushes 1e-300*x to 0 below |x| = 2.2e-8, so
    the export gave 0 there and its own check refuted it. Against mpmath, from the smallest normal to the largest
    number, both signs: within the export's bound."""
    ex = symact.export("celu", "jax", alpha=1e300, verify=True)
    assert ex.report.status.value == "checked"
    alpha = mpmath.mpf(1e300)
    tiny, top = float(np.finfo(dtype).tiny), float(np.finfo(dtype).max)
    magnitudes = np.array([m for m in (tiny * 4096, 1e-30, 1e-8, 1.0, 700.0, 1e30, 1e283, 2e284, 1e300) if m < top])
    xs = np.concatenate([-magnitudes, magnitudes, [-top, top]]).astype(dtype)
    with mpmath.workdps(60):
        want = np.array([float(_celu(float(t), alpha)) for t in xs]).astype(dtype)
    with jax.enable_x64(True):  # float32 computed in float64 (a number past float32's range), rounded once
        got = np.asarray(jax.jit(ex.function)(jnp.asarray(xs, dtype=dtype)))
    assert got.dtype == np.dtype(dtype)
    bound = ulp_bounds(catalog.get("celu").ulp_bounds, dtype)[0]
    ok = within(got, want, bound, dtype)
    assert ok.all(), (xs[~ok], got[~ok], want[~ok])


def test_swish_at_beta_1e300_is_checked_and_0_left_of_0():
    """swish at beta = 1e300: sigmoid(beta*x) for x < 0 read exp(-|t|) with t's low part unclipped (3.7e286 at
    x = -700), so f was 9.8e-35 there, not -0; and its verification, mpmath at 10,000 points where exp's argument
    is 1e302, did not end in 300 s."""
    ex = symact.export("swish", "jax", beta=1e300, verify=True)
    assert ex.report.status.value == "checked"
    with jax.enable_x64(True):
        xs = jnp.asarray([-700.0, -1.0, -1e-8, 1e-8, 1.0, 700.0], dtype="float64")
        assert np.asarray(ex.function(xs)).tolist() == [0.0, 0.0, 0.0, 1e-8, 1.0, 700.0]
        assert np.asarray(jax.vmap(jax.grad(ex.function))(xs)).tolist() == [0.0, 0.0, 0.0, 1.0, 1.0, 1.0]


@pytest.mark.parametrize("budget", [1, 3])
def test_an_export_with_an_extreme_parameter_ends_within_its_budget(budget):
    """swish at beta = 1e300: mpmath's exp of a number near 1e302 takes 30 ms, and the search for zeros (2000 of
    them), the Taylor patches' (96 a circle), the verification's references (10,000) and JAX's tracing ran without
    a look at the clock: the export ran minutes past a budget of 20 s."""
    symact.export("celu", "jax", verify=False)  # the export's modules loaded before the clock starts
    start = time.monotonic()
    try:  # an answer (its plan cached by an earlier test) or a timeout: either within the budget
        assert symact.export("swish", "jax", beta=1e300, budget=budget, verify=True).report.status.value == "checked"
    except ProofTimeout:
        pass
    assert time.monotonic() - start < budget + 0.5


@pytest.mark.parametrize("slope", [0.01, 0.3, 1e-300])
def test_leaky_relu_signs_its_zeros_as_jax_does(slope):
    """max(x, 0) + k*min(x, 0) was +0.0 at x = -0.0 (a sum of zeros of two signs); jax.nn.leaky_relu gives k*x
    there: -0.0. (XLA flushes a subnormal x, so none is compared.)"""
    fn = symact.export("leaky_relu", "jax", negative_slope=slope, verify=False)
    for dtype in ("float32", "float64"):
        with jax.enable_x64(dtype == "float64"):
            x = jnp.asarray([-0.0, 0.0, -1.0, 2.0, np.nan], dtype=dtype)
            got, want = np.asarray(fn(x)), np.asarray(jax.nn.leaky_relu(x, slope))
        np.testing.assert_array_equal(got, want)
        assert np.array_equal(np.signbit(got), np.signbit(want)), (dtype, got, want)
