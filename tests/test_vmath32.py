"""vmath32's functions against mpmath and float64 on a sample of float32 (benchmarks/accuracy32.py sweeps every
float32), and the float32 decision of ``symact.kernels.float32`` on forms admitted and refused."""

import math

import mpmath
import numpy as np
import pytest
import sympy as sp

from symact.kernels import float32, vmath, vmath32
from symact.kernels.condition import LIMIT, K, condition, weighted
from symact.kernels.definition import resolve
from symact.kernels.helpers import erfc, h_tanhshrink
from symact.kernels.nodes import (
    s_dsigmoid,
    s_expm1,
    s_expsq,
    s_ncdf,
    s_sech2,
    s_sigmoid,
    s_softplus,
    s_tanhshrink,
    s_unscale,
)
from symact.kernels.plan import float32_parts, part_plans

numba = pytest.importorskip("numba")
U = 2.0**-24


# name -> (mpmath meaning, range of x where the float32 result is neither 0 nor constant)
FUNCTIONS = vmath32.MEANINGS


SPECIAL = {  # f32(f(x)) at NaN, +-inf, +-0 and beyond the range
    "fexp": [(math.nan, math.nan), (math.inf, math.inf), (-math.inf, 0.0), (0.0, 1.0), (-0.0, 1.0), (89.0, math.inf)],
    "fexpm1": [(math.nan, math.nan), (math.inf, math.inf), (-math.inf, -1.0), (-0.0, -0.0), (-30.0, -1.0)],
    "ftanh": [(math.nan, math.nan), (math.inf, 1.0), (-math.inf, -1.0), (-0.0, -0.0), (3e38, 1.0), (-20.0, -1.0)],
    "ftanhshrink": [
        (math.nan, math.nan),
        (math.inf, math.inf),
        (-math.inf, -math.inf),
        (-0.0, -0.0),
        (3e38, 3e38),
        (1e-20, 0.0),
        (-1e-20, -0.0),
    ],
    "fsigmoid": [(math.nan, math.nan), (math.inf, 1.0), (-math.inf, 0.0), (0.0, 0.5), (-3e38, 0.0), (20.0, 1.0)],
    "fdsigmoid": [(math.nan, math.nan), (math.inf, 0.0), (-math.inf, 0.0), (0.0, 0.25), (3e38, 0.0)],
    "fsech2": [(math.nan, math.nan), (math.inf, 0.0), (-math.inf, 0.0), (-0.0, 1.0), (60.0, 0.0)],
    "fsoftplus": [(math.nan, math.nan), (math.inf, math.inf), (-math.inf, 0.0), (3e38, 3e38), (-200.0, 0.0)],
    "fncdf": [(math.nan, math.nan), (math.inf, 1.0), (-math.inf, 0.0), (0.0, 0.5), (-20.0, 0.0), (6.0, 1.0)],
}


@pytest.fixture(scope="module")
def loops():
    """Each function as a numba loop from float32 to its float64 value before rounding."""
    vmath.compile_all()
    compiled = {}
    for name in FUNCTIONS:
        fn = getattr(vmath32, name)

        @numba.njit(error_model="numpy")
        def loop(x, out, fn=fn):
            for i in range(x.size):
                out[i] = fn(np.float64(x[i]))

        compiled[name] = loop
    return compiled


def _sample(name: str, count: int) -> np.ndarray:
    """Floats of the range, uniform over their bits (so tiny ones too), and uniform over the range."""
    low, high = FUNCTIONS[name][1]
    rng = np.random.default_rng(abs(hash(name)) % 2**32)
    bits = rng.integers(0, int(np.float32(max(-low, high)).view(np.uint32)), count, dtype=np.int64)
    mags = bits.astype(np.uint32).view(np.float32) * rng.choice(np.float32([-1, 1]), count)
    xs = np.concatenate([mags, rng.uniform(low, high, count).astype(np.float32)])
    return xs[(xs >= low) & (xs <= high)]


@pytest.mark.parametrize("name", FUNCTIONS)
def test_within_its_error_bound_against_mpmath(name, loops):
    """Relative error before rounding at most ERRORS[name] u, and the float32 result within 0.5 ULP plus it."""
    meaning = FUNCTIONS[name][0]
    xs = _sample(name, 300)
    got = np.empty(xs.size)
    loops[name](xs, got)
    bound = vmath32.ERRORS[name]
    with mpmath.workdps(40):
        for t, g in zip(xs, got):
            exact = meaning(mpmath.mpf(float(t)))
            if exact == 0:  # x - tanh(x) at x = 0
                assert g == 0, (name, float(t), g)
                continue
            rel = float(abs(mpmath.mpf(float(g)) - exact) / abs(exact)) / U
            assert rel <= bound, (name, float(t), rel)
            with np.errstate(over="ignore"):
                f32 = np.float32(g)
            if np.isfinite(f32):
                ulp = float(abs(mpmath.mpf(float(f32)) - exact)) / float(np.spacing(np.abs(np.float32(float(exact)))))
                assert ulp <= 0.5 + bound, (name, float(t), ulp)


@pytest.mark.parametrize(
    "name, low, high", [("ftanh", 8.0, 1000.0), ("ftanh", -1000.0, -8.0), ("fexpm1", -1000.0, -16.0)]
)
def test_within_its_error_bound_beyond_its_range(name, low, high, loops):
    """Where the float32 result alone saturates (tanh to 1, expm1 to -1), the value before rounding keeps its
    relative bound: a product or a sum of it (x*tanh(x), tanh(x) + x*sigmoid(x)) relies on it; past the clip of
    their reduction at 700 too."""
    xs = np.linspace(low, high, 2001).astype(np.float32)
    got = np.empty(xs.size)
    loops[name](xs, got)
    meaning = FUNCTIONS[name][0]
    with mpmath.workdps(40):
        for t, g in zip(xs, got):
            exact = meaning(mpmath.mpf(float(t)))
            assert float(abs(mpmath.mpf(float(g)) - exact) / abs(exact)) / U <= vmath32.ERRORS[name], (name, t)


def test_exp_keeps_its_bound_up_to_its_clip_at_700(loops):
    """fexp is exact to its bound up to exp(700), not only where float32 holds it: a small number times it,
    1e-30*exp(x), is a float32 number up to x = 157."""
    xs = np.linspace(85.0, 700.0, 1001).astype(np.float32)
    got = np.empty(xs.size)
    loops["fexp"](xs, got)
    with mpmath.workdps(40):
        worst = max(float(abs(mpmath.mpf(float(g)) / mpmath.exp(float(t)) - 1)) for t, g in zip(xs, got))
    assert worst / U <= vmath32.ERRORS["fexp"]


def test_a_small_number_times_exp_is_the_float64_kernel_rounded():
    import symact

    k = symact.kernel("1e-30*exp(x)", backend="numba")
    xs = np.linspace(60.0, 160.0, 2001).astype(np.float32)
    with np.errstate(over="ignore"):
        want = k(xs.astype(np.float64)).astype(np.float32)
    got = k(xs)
    assert np.array_equal(np.isinf(got), np.isinf(want))
    finite = np.isfinite(want)
    assert np.max(np.abs(got[finite].view(np.int32) - want[finite].view(np.int32))) <= 1  # was off from x = 100


@pytest.mark.parametrize("name", FUNCTIONS)
def test_within_its_error_bound_against_float64(name, loops):
    """The same on 200,000 floats against NumPy's float64 (its own error below 2**-26 u here; erfc's, with its
    rounded argument, below 2**-20 u)."""
    xs = _sample(name, 100_000)
    got = np.empty(xs.size)
    loops[name](xs, got)
    x64 = xs.astype(np.float64)
    e = np.exp(-(2.0 if name == "fsech2" else 1.0) * np.abs(x64))
    want = {
        "fexp": lambda: np.exp(x64),
        "fexpm1": lambda: np.expm1(x64),
        "ftanh": lambda: np.tanh(x64),
        "ftanhshrink": lambda: h_tanhshrink(x64),  # within 4 float64 ULPs: 2**-27 u
        "fsigmoid": lambda: np.where(x64 < 0, e, 1.0) / (1 + e),
        "fdsigmoid": lambda: e / (1 + e) ** 2,
        "fsech2": lambda: 4 * e / (1 + e) ** 2,
        "fsoftplus": lambda: np.maximum(x64, 0) + np.log1p(e),
        "fncdf": lambda: erfc(-x64 * 0.7071067811865476) / 2,
    }[name]()
    rel = np.abs(got - want) / np.abs(want) / U
    assert rel.max() <= vmath32.ERRORS[name], (name, xs[np.argmax(rel)], rel.max())


@pytest.mark.parametrize("name", FUNCTIONS)
def test_special_values(name, loops):
    xs = np.array([x for x, _ in SPECIAL[name]], dtype=np.float32)
    got = np.empty(xs.size)
    loops[name](xs, got)
    want = np.array([y for _, y in SPECIAL[name]], dtype=np.float32)
    with np.errstate(over="ignore"):  # the rounding to float32 overflows to inf, as it should
        rounded = got.astype(np.float32)
    np.testing.assert_array_equal(rounded, want, err_msg=name)
    number = ~np.isnan(want)  # a NaN's sign carries nothing (a kernel gives x itself at NaN)
    assert (np.signbit(rounded[number]) == np.signbit(want[number])).all(), name


x = sp.Symbol("x")
# forms and their float32 bound in ULPs (None: computed as the float64 form rounded)
DECISIONS = [
    (x * s_sigmoid(x, sp.oo), 0.51),
    (s_unscale(x, x * s_sigmoid(x, 640.0), 640.0, 0), 0.51),
    (sp.Piecewise((x, x > 0), (sp.Float("1.7580993408473768599402175208123") * s_expm1(x), True)), 0.51),
    (sp.tanh(x) * sp.exp(-x), 0.51),
    (s_sigmoid(-x, sp.oo) * sp.tanh(x) * sp.exp(-x), None),  # exp clipped at 700 times a decay: refused
    (sp.exp(x) * s_ncdf(-x, sp.oo), None),  # at x = 750: exp(700) times Phi's clipped tail would not be 0
    (sp.Float(1e-30) * sp.exp(x), 0.51),  # 1e-30 exp(700) overflows float32 as 1e-30 exp(x) does
    (sp.Float(1e-300) * sp.exp(x), None),  # 1e-300 exp(700) does not
    (x + s_sigmoid(x, sp.oo), None),  # a sum across its zero (-0.4): cancels where the terms are opposite
    (s_sigmoid(x, sp.oo) + s_softplus(x, sp.oo), 0.51),  # terms of one sign: condition number 1
    (s_sigmoid(x, sp.oo) + x * s_dsigmoid(x, sp.oo), None),  # silu' without its window: its zero left in
    (s_sigmoid(2 * x + 1, sp.oo), 0.51),  # a computed argument: its error times |t| sigmoid(-t), below 700
    (s_ncdf(2 * x + 1, sp.oo), None),  # no condition number rule for Phi
    (s_tanhshrink(x), 0.51),
    (s_tanhshrink(s_softplus(x, sp.oo)), 0.51),  # its argument's error times at most 3
    (x - s_tanhshrink(x), None),  # tanh(x) as a difference: cancels by a factor x for large x
    (s_sigmoid(x, 640.0), None),  # scaled in its band, no unscale around it
    (s_unscale(x, x * s_dsigmoid(x, 320.0), 640.0, 1), None),  # another cut
    (sp.Piecewise((s_sigmoid(x, sp.oo), sp.exp(x) > 2), (x, True)), None),  # a condition computed
    (s_unscale(x, x * sp.tanh(s_softplus(x, 640.0)), 640.0, 0), 0.51),  # tanh passes its argument's error
    (sp.exp(s_softplus(x, sp.oo)), None),  # exp amplifies it by its argument
    (sp.tanh(s_softplus(x, 640.0)), None),  # scaled in its band, no unscale around it
    (x**2 * s_sigmoid(x, sp.oo), 0.51),  # x**2 of a float32: one float64 rounding at most
    (x * sp.exp(x), 0.51),
    (x * s_expsq(x, sp.Rational(1, 2), sp.oo), 0.51),  # exp(-x**2/2): x**2 exact in float64
    (s_expsq(x, sp.Rational(1, 3), sp.oo), None),  # -x**2/3 rounded: amplified by x**2/3
    (sp.Float(1e300) * s_expsq(x, 1, sp.oo), None),  # 1e300 times exp(-700), vmath32's clip, is not 0
    (sp.Float(1e30) * s_sigmoid(x, sp.oo), None),  # numbers beyond 1e25 refused
]


@pytest.mark.parametrize("expr, bound", DECISIONS, ids=[str(i) for i in range(len(DECISIONS))])
def test_float32_decision(expr, bound):
    assert float32.ulp_bound(expr, x) == bound


def test_plans_record_the_decision():
    plans = part_plans(resolve("silu", "torch", {}))
    assert plans["f"].float32 == plans["grad"].float32 == (0.51,)  # f': a sum outside its patch windows
    assert plans["grad2"].float32 == (0.51,)  # f'': a sum outside the patch windows of its zeros
    assert float32_parts(plans)["value_and_grad"] == (0.51, 0.51)
    assert part_plans(resolve("relu", "torch", {}))["f"].float32 is None  # native32: computed in float32
    tanh = float32_parts(part_plans(resolve("tanh", "torch", {})))
    assert tanh["f"] == tanh["grad"] == (0.51,) and tanh["value_and_grad"] == (0.51, 0.51)
    tanhshrink = float32_parts(part_plans(resolve("tanhshrink", "torch", {})))
    assert tanhshrink["f"] == tanhshrink["grad"] == (0.51,) and tanhshrink["value_and_grad"] == (0.51, 0.51)
    gelu = float32_parts(part_plans(resolve("gelu", "torch", {})))  # f' takes exp(-x**2/2) and Phi
    assert gelu["f"] == gelu["grad"] == (0.51,) and gelu["value_and_grad"] == (0.51, 0.51)
    mish = float32_parts(part_plans(resolve("mish", "torch", {})))  # the sum, not the float64 exp fraction
    assert mish["grad"] == (0.51,) and mish["value_and_grad"] == (0.51, 0.51)
    gelu_tanh = part_plans(resolve("gelu_tanh", "torch", {}))  # f' has a guard: no NaN in float32, proved
    assert gelu_tanh["grad"].finishes[0].guard and gelu_tanh["grad"].float32 == (0.51,)
    user = part_plans(resolve("1e20*exp(-x**2)", "torch", {}))  # f' has a guard, proved never to fire in float32
    assert user["grad"].finishes[0].guard and user["grad"].float32 == (0.51,)
    assert float32_parts(user)["value_and_grad"] == (0.51, 0.51)


SILU_PRIME = s_sigmoid(x, sp.oo) + x * s_dsigmoid(x, sp.oo)  # zero at -1.2785: silu's window is (-2.28, -0.28)


@pytest.mark.parametrize(
    "windows, certified",
    [
        ((), False),  # the zero left in
        (((-1.2785, 1.0),), True),
        (((-1.2785, 0.6), (-2.0, 0.5)), True),  # windows overlapping
        (((-1.2785, 0.2),), False),  # kappa passes K at -1.08 (9.3)
        (((-1.0, 0.2),), False),  # a window beside the zero
        (((-1.28, 2.0**-20),), False),  # around the zero, too narrow: kappa passes K beside it
    ],
)
def test_condition_certified_only_with_the_zero_inside_a_window(windows, certified):
    kappa = condition(SILU_PRIME, x, windows)
    assert (kappa is not None) == certified
    assert kappa is None or 1.0 <= kappa <= K


def test_condition_of_terms_of_one_sign_and_of_a_vanishing_tail():
    assert condition(s_sigmoid(x, sp.oo) + s_softplus(x, sp.oo), x) == 1.0
    assert condition(s_dsigmoid(x, sp.oo) - 2 * s_dsigmoid(2 * x, sp.oo), x, ((0.0, 2.0),)) is not None
    assert condition(x + 1, x, ((-1.0, 0.5),)) is not None  # no function: x and numbers
    assert condition(sp.sin(x) + 1, x, ((-1.6, 0.5),)) is None  # no interval rule for sin


MISH_PRIME = sp.tanh(s_softplus(x, sp.oo)) + x * s_sech2(s_softplus(x, sp.oo), sp.oo) * s_sigmoid(x, sp.oo)


def test_weighted_bound_admits_mish_prime_where_the_condition_number_rule_cannot():
    """sech(u)**2 of u = softplus(x) amplifies u's error by 2u (up to 700): kappa times the largest term error
    is far beyond the limit, each term's error weighted by its own size is within it outside the windows."""
    windows = ((-1.1924, 1.0), (-1.9127, 0.2898))
    kappa = condition(MISH_PRIME, x, windows)
    assert kappa is not None and kappa * 2 * 350 * 0.001 > LIMIT  # the sum rule with sech2's own error
    assert 0 < weighted(MISH_PRIME, x, windows) <= LIMIT
    assert float32.ulp_bound(MISH_PRIME, x, windows) == 0.51
    assert weighted(MISH_PRIME, x) is None  # its zero at -1.19 left in: refused


def test_weighted_bound_refuses_cancellation_and_overflow():
    cancels = s_dsigmoid(x, sp.oo) - 2 * s_dsigmoid(2 * x, sp.oo)  # zeros at +-0.96
    assert weighted(cancels, x) is None
    assert weighted(cancels, x, ((0.0, 2.0),)) is not None
    assert weighted(sp.exp(s_softplus(x, sp.oo)), x) is None  # exp of a computed argument past 700
    assert float32.ulp_bound(x * sp.exp(x), x, finite=True) is None  # x exp(x) overflows float64 past 700


def test_float32_windows_narrowed_to_what_float32_needs():
    """The float64 windows are sized for float64's accuracy; float32's loop patches only where its own bound
    needs it: each window the least fraction that keeps the bound, a tile no float32 result needs left out."""
    windows = ((-1.2785, 1.0), (-2.0284, 0.26))
    widths = float32.narrowed(SILU_PRIME, x, windows)
    assert widths == (0.25, 0.0)
    kept = ((-1.2785, 0.25),)
    assert float32.ulp_bound(SILU_PRIME, x, kept) == float32.ulp_bound(SILU_PRIME, x, windows) == 0.51
    assert float32.ulp_bound(SILU_PRIME, x, ((-1.2785, 0.125),)) is None  # the next fraction down is refused
    assert float32.narrowed(sp.sin(x) + 1, x, ((-1.6, 0.5),)) == (0.5,)  # refused whatever the windows: kept
    plans = part_plans(resolve("silu", "torch", {}))
    for part, i in (("grad", 0), ("value_and_grad", 1)):  # f' alone and in one pass with f: the same windows
        (patch,) = plans[part].float32_finishes[i].patches
        assert (patch.hi, patch.window) == (plans[part].finishes[i].patches[0].hi, 0.25)
        assert patch.coeffs == plans[part].finishes[i].patches[0].coeffs
