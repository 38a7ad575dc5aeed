"""Beyond the catalog: activations from the literature and adversarial shapes, through the whole pipeline.

Each entry is a string for symact and, written separately by hand, an mpmath reference. Every
entry goes through derive, kernel, prove, properties, table, check_claims and the LaTeX of its
derivation. Three requirements: no unsound answer (every proved property agrees with the dense
mpmath evaluation of ``tests/dense.py``; f and f' agree with the reference; true identities are
never refuted, false ones never proved), no exception outside ``SymactError``, no call over its
budget (CPU seconds, with a generous margin). A hypothesis strategy feeds random expressions
from the parser's grammar through the same pipeline.
"""

import time
import warnings
import zlib

import mpmath
import numpy as np
import pytest
import sympy as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from mpmath import atan, cos, cosh, exp, log, sin, sinh, sqrt, tanh

import symact
from symact.catalog import x
from symact.errors import SymactError
from symact.kinks import is_smooth
from symact.render import latex as render

from .dense import check_proved


def _sig(t):
    return 1 / (1 + exp(-t))


def _relu(t):
    return t if t > 0 else mpmath.mpf(0)


def _sign(t):
    return mpmath.mpf((t > 0) - (t < 0))


# name: (expression for symact, parameters, mpmath reference written independently)
# fmt: off
CORPUS = {
    "sine": ("sin(x)", {}, sin),
    "cosine": ("cos(x)", {}, cos),
    "snake": ("x + sin(x)**2", {}, lambda t: t + sin(t) ** 2),
    "snake_half": ("x + sin(x)/2", {}, lambda t: t + sin(t) / 2),
    "gcu": ("x*cos(x)", {}, lambda t: t * cos(t)),
    "sinc": ("sin(x)/x", {}, lambda t: sin(t) / t if t else mpmath.mpf(1)),
    "gaussian": ("exp(-x**2)", {}, lambda t: exp(-t * t)),
    "isru": ("x/sqrt(1 + a*x**2)", {"a": 1}, lambda t: t / sqrt(1 + t * t)),
    "isrlu": ("relu(x) + min(x, 0)/sqrt(1 + a*min(x, 0)**2)", {"a": 1},
              lambda t: t if t >= 0 else t / sqrt(1 + t * t)),
    "bent_identity": ("(sqrt(x**2 + 1) - 1)/2 + x", {}, lambda t: (sqrt(t * t + 1) - 1) / 2 + t),
    "arctan": ("atan(x)", {}, atan),
    "tanhexp": ("x*tanh(exp(x))", {}, lambda t: t * tanh(exp(t))),
    "x_atan": ("x*atan(x)", {}, lambda t: t * atan(t)),
    "squared_relu": ("relu(x)**2", {}, lambda t: _relu(t) ** 2),
    "cube": ("x**3", {}, lambda t: t**3),
    "absolute": ("abs(x)", {}, abs),
    "heaviside": ("Heaviside(x)", {}, lambda t: mpmath.mpf(1) if t > 0 else mpmath.mpf(0) if t < 0 else mpmath.mpf(0.5)),
    "signum": ("sign(x)", {}, _sign),
    "jump_identity": ("x + sign(x)", {}, lambda t: t + _sign(t)),
    "exponential": ("exp(x)", {}, exp),
    "lorentzian": ("1/(1 + x**2)", {}, lambda t: 1 / (1 + t * t)),
    "piecewise_quadratic": ("k*relu(x)**2 + min(x, 0)", {"k": 0.5}, lambda t: t * t / 2 if t > 0 else t),
    "sqrt_abs": ("sqrt(abs(x))", {}, lambda t: sqrt(abs(t))),
    "flat_at_zero": ("exp(-1/abs(x))", {}, lambda t: exp(-1 / abs(t)) if t else mpmath.mpf(0)),
    "swish_decimal": ("x*sigmoid(1.5*x)", {}, lambda t: t * _sig(mpmath.mpf(3) / 2 * t)),
    "log_quadratic": ("log(1 + x**2)", {}, lambda t: log(1 + t * t)),
    "x_tanh": ("x*tanh(x)", {}, lambda t: t * tanh(t)),
    "hyperbolic_sine": ("sinh(x)", {}, sinh),
    "inverse_sinh": ("asinh(x)", {}, mpmath.asinh),
    "hyperbolic_cosine": ("cosh(x)", {}, cosh),
    "square": ("x**2", {}, lambda t: t * t),
    "e_swish": ("1.375*x*sigmoid(x)", {}, lambda t: mpmath.mpf(11) / 8 * t * _sig(t)),
    "log_cosh": ("log(cosh(x))", {}, lambda t: log(cosh(t))),
    "soft_clip": ("log(1 + exp(x)) - log(1 + exp(x - 1))", {}, lambda t: log(1 + exp(t)) - log(1 + exp(t - 1))),
    "hard_gate": ("x*min(max((x + 1)/2, 0), 1)", {}, lambda t: t * min(max((t + 1) / 2, 0), 1)),
    "elish": ("(relu(x) + exp(min(x, 0)) - 1)*sigmoid(x)", {},
              lambda t: (t if t >= 0 else exp(t) - 1) * _sig(t)),
    "pflu": ("x*(1 + x/sqrt(1 + x**2))/2", {}, lambda t: t * (1 + t / sqrt(1 + t * t)) / 2),
    "smish": ("x*tanh(log(1 + sigmoid(x)))", {}, lambda t: t * tanh(log(1 + _sig(t)))),
    "logish": ("x*log(1 + sigmoid(x))", {}, lambda t: t * log(1 + _sig(t))),
    "sine_relu": ("max(sin(x), 0)", {}, lambda t: max(sin(t), 0)),
    "signed_square": ("x**2*sign(x)", {}, lambda t: t * t * _sign(t)),
    "peak": ("1/(1 + abs(x))", {}, lambda t: 1 / (1 + abs(t))),
    "gaussian_derivative": ("x*exp(-x**2)", {}, lambda t: t * exp(-t * t)),
    "ramp_square": ("Heaviside(x)*x**2", {}, lambda t: t * t if t > 0 else mpmath.mpf(0)),
    "power_three_halves": ("abs(x)**(3/2)", {}, lambda t: abs(t) ** mpmath.mpf(1.5)),
    "sqnl": ("min(max(x, -2), 2) - min(max(x, -2), 2)*abs(min(max(x, -2), 2))/4", {},
             lambda t: (lambda u: u - u * abs(u) / 4)(min(max(t, -2), 2))),
}
# fmt: on

BUDGET = 10.0  # seconds per call; over it means ProofTimeout, never a hang
KERNEL_BUDGET = 3.0
MARGIN = 15.0  # CPU seconds of slack per call (start-up, the last uninterruptible step)
STATS = {"calls": 0, "unknown": 0, "errors": 0}


def _timed(call, *args, **kwargs):
    """Run one public call: its result or the SymactError it raised; nothing else may escape."""
    start = time.process_time()
    try:
        out = call(*args, **kwargs)
    except SymactError as err:
        out = err
        STATS["errors"] += 1
    STATS["calls"] += 1
    spent = time.process_time() - start
    assert spent < BUDGET + MARGIN, f"{call.__name__} took {spent:.0f} s of CPU"
    return out


def _agree(got, want, scale=1e-12):
    return abs(got - want) <= scale * (1 + abs(want))


def _check_derivation(d, params, ref):
    """f and f' of the derivation against the reference (f' by mpmath.diff), away from switch points."""
    f = sp.lambdify(x, d.f.subs({sp.Symbol(k, real=True): v for k, v in params.items()}), "mpmath")
    df = sp.lambdify(x, d.df.subs({sp.Symbol(k, real=True): v for k, v in params.items()}), "mpmath")
    with mpmath.workdps(30):
        for t in (mpmath.mpf(v) for v in ("-3.7", "-1.3", "-0.55", "0.45", "1.7", "2.9", "6.1")):
            want = ref(t)
            if abs(ref(t + mpmath.mpf("1e-9")) - want) > 1e-6:  # beside a jump: skip
                continue
            try:
                got, slope = mpmath.mpmathify(f(t)), mpmath.mpmathify(df(t))
            except (ZeroDivisionError, ValueError, NameError, TypeError):
                continue  # an unevaluated named function: nothing to compare here
            assert _agree(got, want, 1e-20), (d.f, t, got, want)
            numeric = mpmath.diff(ref, t)
            assert _agree(slope, numeric, 1e-10), (d.df, t, slope, numeric)


def _check_kernel(k, ref):
    xs = np.array([-7.3, -2.1, -0.6, -0.05, 0.3, 1.1, 2.6, 8.9])
    with warnings.catch_warnings():  # whether kernels warn is checked with the kernels, not here
        warnings.simplefilter("ignore", RuntimeWarning)
        ys = k(xs)
    for t, y in zip(xs, ys):
        want = float(ref(mpmath.mpf(t)))
        if np.isfinite(want) and np.isfinite(y):
            assert abs(y - want) <= 1e-6 * (1 + abs(want)), (t, y, want)


def run_pipeline(text, params, ref):
    """Every public call on one activation; returns the Properties (or the SymactError it raised)."""
    name = f"beyond_{zlib.crc32(text.encode())}"
    entry = _timed(symact.define, name, text, replace=True, **params)
    target = entry if not isinstance(entry, SymactError) else text
    d = _timed(symact.derive, target, budget=BUDGET)
    if not isinstance(d, SymactError):
        if ref is not None:
            _check_derivation(d, params, ref)
        assert isinstance(d.latex(), str) and isinstance(str(d), str)
        tex = _timed(render.definition, target)
        assert isinstance(tex, (str, SymactError))
        f = d.f.subs({sp.Symbol(k, real=True): v for k, v in params.items()})
        same = _timed(symact.prove, f, f, budget=5)
        assert isinstance(same, SymactError) or same.status != "refuted", same
        if is_smooth(f):  # at a kink the derivative is a policy, so the identity holds only on smooth f
            df = d.df.subs({sp.Symbol(k, real=True): v for k, v in params.items()})
            deriv = _timed(symact.prove, sp.diff(f, x), df, budget=5)
            assert isinstance(deriv, SymactError) or deriv.status != "refuted", deriv
        wrong = _timed(symact.prove, f, f + 1, budget=5)
        assert isinstance(wrong, SymactError) or wrong.status != "proved", wrong
    k = _timed(_kernel, name if not isinstance(entry, SymactError) else text)
    if not isinstance(k, SymactError) and ref is not None:
        _check_kernel(k, ref)
    p = _timed(symact.properties, target, budget=BUDGET)
    if not isinstance(p, SymactError):
        STATS["unknown"] += sum(1 for v in p.values() if not v.proved)
        if ref is not None:
            bad = check_proved(p, ref)
            assert not bad, bad
    text_table = _timed(symact.table, [target], budget=BUDGET)
    assert isinstance(text_table, (str, SymactError))
    claims = _timed(symact.check_claims, [(target, "zero_at_zero", True), (target, "lipschitz", 1)], budget=BUDGET)
    if ref is not None and not isinstance(claims, SymactError):
        zero = abs(ref(mpmath.mpf(0))) < 1e-30 if _defined_at_zero(ref) else None
        if zero is not None:
            assert claims[0].status != ("refuted" if zero else "proved"), claims[0]
    return p


def _kernel(target):
    """kernel() within its budget (over the limit: ProofTimeout, a SymactError)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return symact.kernel(target, budget=KERNEL_BUDGET)


def _defined_at_zero(ref) -> bool:
    try:
        return mpmath.isfinite(ref(mpmath.mpf(0)))
    except (ZeroDivisionError, ValueError):
        return False


def test_the_corpus_is_large_and_outside_the_catalog():
    assert len(CORPUS) >= 40
    names = set(symact.names())
    assert not names & set(CORPUS)


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_corpus_entry_through_the_whole_pipeline(name):
    text, params, ref = CORPUS[name]
    run_pipeline(text, params, ref)


# ---- random expressions from the parser's grammar -----------------------------------------------

_UNARY = ["sin", "cos", "tanh", "exp", "sigmoid", "softplus", "atan", "abs", "relu", "sign", "log", "sqrt", "asinh"]
_BINARY = ["+", "-", "*", "/", "**"]


def _expressions():
    leaves = st.sampled_from(["x", "x", "1", "2", "3/2", "0.5", "pi", "-1"])

    def extend(inner):
        unary = st.tuples(st.sampled_from(_UNARY), inner).map(lambda t: f"{t[0]}({t[1]})")
        binary = st.tuples(inner, st.sampled_from(_BINARY), inner).map(lambda t: f"({t[0]}) {t[1]} ({t[2]})")
        minmax = st.tuples(st.sampled_from(["min", "max"]), inner, inner).map(lambda t: f"{t[0]}({t[1]}, {t[2]})")
        return unary | binary | minmax

    return st.recursive(leaves, extend, max_leaves=5)


@settings(derandomize=True, deadline=None, max_examples=6, suppress_health_check=[HealthCheck.too_slow])
@given(_expressions())
def test_random_expressions_are_sound_bounded_and_raise_only_symact_errors(text):
    try:
        expr = symact.parse(text)
    except SymactError:
        return
    if x not in expr.free_symbols:
        return
    ref = sp.lambdify(x, expr, "mpmath") if _safe_reference(expr) else None
    run_pipeline(text, {}, ref)


def _safe_reference(expr) -> bool:
    """Only plain elementary functions get an mpmath reference (sympy's own printer; the oracle stays mpmath)."""
    allowed = (sp.sin, sp.cos, sp.tanh, sp.exp, sp.atan, sp.asinh)
    funcs = {type(f) for f in expr.atoms(sp.Function)}
    return (
        all(issubclass(f, allowed) for f in funcs)
        and not expr.has(sp.log, sp.Pow)
        or (
            all(issubclass(f, allowed) for f in funcs)
            and all(p.exp.is_Integer and p.exp > 0 for p in expr.atoms(sp.Pow))
        )
    )
