"""Properties of the catalog against values worked out by hand and, for the hard ones, with mpmath alone.

The expected values below were derived on paper (or, where marked, computed here from the
independent formulas in tests/reference.py with mpmath), never read back from symact.
"""

import mpmath
import pytest
import sympy as sp
from sympy import E, LambertW, Rational, oo, sqrt

import symact
from symact.analysis import PROPERTY_NAMES, enclose_critical_point, numeric_roots, properties
from symact.catalog import SELU_ALPHA, SELU_SCALE, x
from symact.errors import ParameterError, SymactError
from symact.functions import Phi
from tests.reference import REFERENCE

W = LambertW(1 / E)

# name: (range as (lo, lo_closed, hi, hi_closed) or a SymPy set, continuity order, monotonic,
#        derivative monotonic, identity near origin, parity, Lipschitz constant)
# by hand: e.g. softsign' = 1/(1+|x|)^2 is 1 at 0 from both sides and f'' = -+2 there, so C^1 not C^2;
# hardswish = x(x+3)/6 on [-3, 3] meets 0 with slope -1/2 at -3 and 1 with slope 3/2 at 3, so C^0;
# selu' jumps from scale*alpha down to scale at 0; gelu'' = phi(x)(2 - x^2) vanishes at +-sqrt(2).
# fmt: off
HAND = {
    "identity":    ((-oo, False, oo, False), oo, "increasing", "constant", True, "odd", 1),
    "relu":        ((0, True, oo, False), 0, "nondecreasing", "nondecreasing", False, "neither", 1),
    "relu6":       ((0, True, 6, True), 0, "nondecreasing", "not monotonic", False, "neither", 1),
    "leaky_relu":  ((-oo, False, oo, False), 0, "increasing", "nondecreasing", False, "neither", 1),
    "elu":         ((-1, False, oo, False), 1, "increasing", "nondecreasing", True, "neither", 1),
    "celu":        ((-1, False, oo, False), 1, "increasing", "nondecreasing", True, "neither", 1),
    "selu":        ((-SELU_SCALE * SELU_ALPHA, False, oo, False), 0, "increasing", "not monotonic", False,
                    "neither", SELU_SCALE * SELU_ALPHA),
    "sigmoid":     ((0, False, 1, False), oo, "increasing", "not monotonic", False, "neither", Rational(1, 4)),
    "tanh":        ((-1, False, 1, False), oo, "increasing", "not monotonic", True, "odd", 1),
    "softsign":    ((-1, False, 1, False), 1, "increasing", "not monotonic", True, "odd", 1),
    "hardsigmoid": ((0, True, 1, True), 0, "nondecreasing", "not monotonic", False, "neither", Rational(1, 6)),
    "hardtanh":    ((-1, True, 1, True), 0, "nondecreasing", "not monotonic", True, "odd", 1),
    "sparse_sigmoid": ((0, True, 1, True), 0, "nondecreasing", "not monotonic", False, "neither", Rational(1, 2)),
    "softplus":    ((0, False, oo, False), oo, "increasing", "increasing", False, "neither", 1),
    "log_sigmoid": ((-oo, False, 0, False), oo, "increasing", "decreasing", False, "neither", 1),
    "squareplus":  ((0, False, oo, False), oo, "increasing", "increasing", False, "neither", 1),
    "sparse_plus": ((0, True, oo, False), 1, "nondecreasing", "nondecreasing", False, "neither", 1),
    "exp":         ((0, False, oo, False), oo, "increasing", "increasing", False, "neither", oo),
    "silu":        ((-W, True, oo, False), oo, "not monotonic", "not monotonic", False, "neither", None),
    "gelu":        ((None, True, oo, False), oo, "not monotonic", "not monotonic", False, "neither",
                    Phi(sqrt(2)) + sqrt(2) * sp.exp(-1) / sqrt(2 * sp.pi)),
    "mish":        ((None, True, oo, False), oo, "not monotonic", "not monotonic", False, "neither", None),
    "hardswish":   ((Rational(-3, 8), True, oo, False), 0, "not monotonic", "not monotonic", False, "neither",
                    Rational(3, 2)),
    "tanhshrink":  ((-oo, False, oo, False), oo, "increasing", "not monotonic", False, "odd", 1),
    "softshrink":  ((-oo, False, oo, False), 0, "nondecreasing", "not monotonic", False, "odd", 1),
    "hardshrink":  (sp.Union(sp.Interval.open(-oo, -Rational(1, 2)), sp.FiniteSet(0), sp.Interval.open(Rational(1, 2), oo)),
                    -1, "nondecreasing", "not monotonic", False, "odd", oo),
    "threshold":   (sp.Union(sp.FiniteSet(0), sp.Interval.open(1, oo)), -1, "nondecreasing", "nondecreasing", False,
                    "neither", oo),
}
# fmt: on
NAMES = sorted(HAND)


def _mp_min(name, guess):
    """A critical point and value of the reference formula, by mpmath alone (no SymPy)."""
    f = REFERENCE[name]
    with mpmath.workdps(40):
        t = mpmath.findroot(lambda s: mpmath.diff(f, s), guess)
        return sp.Float(mpmath.nstr(t, 40), 40), sp.Float(mpmath.nstr(f(t), 40), 40)


def _mp_lipschitz(name, guess):
    f = REFERENCE[name]
    with mpmath.workdps(40):
        t = mpmath.findroot(lambda s: mpmath.diff(f, s, 2), guess)
        return sp.Float(mpmath.nstr(t, 40), 40), sp.Float(mpmath.nstr(mpmath.diff(f, t), 40), 40)


def close(a, b, tol=1e-25):
    if a in (oo, -oo) or b in (oo, -oo):
        return a == b
    return abs(sp.N(a - b, 40)) < tol


def test_at_least_fifteen_activations_cover_every_property():
    assert len(HAND) >= 15
    p = properties("relu")
    assert set(p) == set(PROPERTY_NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_range(name):
    expected = HAND[name][0]
    got = properties(name)["range"]
    if isinstance(expected, sp.Set):
        assert got.value == expected, (name, got.value)
        assert got.proved
        return
    lo, lo_closed, hi, hi_closed = expected
    assert isinstance(got.value, sp.Interval), (name, got.value)
    if lo is None:  # numerical-only minimum, checked against mpmath below
        assert not got.proved
    else:
        assert close(got.value.start, lo), (name, got.value)
        assert got.proved, name
    assert close(got.value.end, hi), (name, got.value)
    assert (got.value.left_open, got.value.right_open) == (not lo_closed, not hi_closed), (name, got.value)


@pytest.mark.parametrize("name", NAMES)
def test_continuity_order(name):
    got = properties(name)["continuity"]
    assert got.value == HAND[name][1], (name, got.value)
    assert got.proved


@pytest.mark.parametrize("name", NAMES)
def test_monotonic_and_derivative_monotonic(name):
    p = properties(name)
    assert p["monotonic"].value == HAND[name][2], (name, p["monotonic"].value)
    assert p["derivative_monotonic"].value == HAND[name][3], (name, p["derivative_monotonic"].value)
    assert p["monotonic"].proved and p["derivative_monotonic"].proved, name


@pytest.mark.parametrize("name", NAMES)
def test_origin_and_parity(name):
    p = properties(name)
    assert p["identity_near_origin"].value is HAND[name][4], name
    assert p["parity"].value == HAND[name][5], name
    assert p["parity"].proved and p["identity_near_origin"].proved
    f0 = REFERENCE[name](mpmath.mpf(0))
    assert p["zero_at_zero"].value is (f0 == 0), name


@pytest.mark.parametrize("name", NAMES)
def test_lipschitz(name):
    expected = HAND[name][6]
    got = properties(name)["lipschitz"]
    if expected is None:
        assert not got.proved and got.value > 1
        return
    assert close(got.value, expected), (name, got.value, expected)
    assert got.proved, name


@pytest.mark.parametrize("name", NAMES)
def test_bounds_and_limits_agree_with_reference(name):
    """Limits at +-oo and the bounds, against the reference formula evaluated far out."""
    p = properties(name)
    f = REFERENCE[name]
    with mpmath.workdps(30):
        for side, t in ((0, -1e12), (1, 1e12)):
            limit = p["limits"].value[side]
            value = f(mpmath.mpf(t))
            if limit in (oo, -oo):
                assert (value > 1e8) if limit == oo else (value < -1e8), (name, side)
            else:
                assert abs(value - mpmath.mpf(str(sp.N(limit, 30)))) < 1e-5, (name, side)
    assert p["bounded_below"].value is (p["minimum"].value != -oo)
    assert p["bounded_above"].value is (p["maximum"].value != oo)


def test_swish_minimum_in_lambert_w_and_its_location():
    p = properties("swish")
    assert p["minimum"].value == -W and p["minimum"].proved
    assert p["minimum"].details["at"] == [-1 - W]
    t, value = _mp_min("swish", -1.3)
    assert abs(t - sp.N(-1 - W, 40)) < 1e-30
    assert abs(value - sp.N(-W, 40)) < 1e-30
    # swish with beta: the minimum scales as 1/beta
    assert close(properties("swish", beta=2)["minimum"].value, -W / 2)


def test_mish_minimum_to_thirty_digits_with_a_certified_enclosure():
    p = properties("mish")["minimum"]
    t, value = _mp_min("mish", -1.2)
    assert abs(sp.N(p.value, 30) - value) < 1e-28
    assert abs(sp.N(p.details["at"][0], 30) - t) < 1e-28
    lo, hi = p.details["enclosure"]["value"]
    assert lo <= value <= hi and hi - lo < 1e-20
    assert p.proof.status == "checked" and p.status == "checked" and not p.proved and p.proof.evidence is not None


def test_gelu_minimum_and_lipschitz_against_mpmath():
    p = properties("gelu")
    t, value = _mp_min("gelu", -0.75)
    assert abs(sp.N(p["minimum"].value, 30) - value) < 1e-28
    assert not p["minimum"].proved
    t, slope = _mp_lipschitz("gelu", 1.4)
    assert abs(t - sp.N(sqrt(2), 40)) < 1e-30
    assert abs(sp.N(p["lipschitz"].value, 30) - slope) < 1e-28
    assert p["lipschitz"].details["at"] == [sqrt(2)]


@pytest.mark.parametrize("name, guess", [("silu", 2.4), ("mish", 1.2)])
def test_lipschitz_slightly_above_one_against_mpmath(name, guess):
    got = properties(name)["lipschitz"]
    t, slope = _mp_lipschitz(name, guess)
    assert 1 < slope < 1.2
    assert abs(sp.N(got.value, 30) - slope) < 1e-25
    assert abs(sp.N(got.details["at"][0], 30) - t) < 1e-25


def test_sigmoid_and_tanh_lipschitz_attained_at_zero():
    assert properties("sigmoid")["lipschitz"].details["at"] == [0]
    assert properties("tanh")["lipschitz"].details["at"] == [0]
    softplus = properties("softplus")["lipschitz"]
    assert softplus.details["attained"] is False and softplus.details["at"] == [oo]


def test_selu_range_and_softsign_c1_hardswish_c0():
    selu = properties("selu")["range"].value
    assert close(selu.start, -SELU_SCALE * SELU_ALPHA) and abs(float(selu.start) + 1.7580993408473766) < 1e-15
    soft = properties("softsign")["continuity"]
    assert soft.value == 1 and soft.details["at"] == {0: 1}
    hard = properties("hardswish")["continuity"]
    assert hard.value == 0 and hard.details["at"] == {-3: 0, 3: 0}


def test_asymptotes_and_saturation():
    assert properties("softplus")["asymptotes"].value == {"-oo": 0, "+oo": x}
    assert properties("squareplus")["asymptotes"].value == {"-oo": 0, "+oo": x}
    assert properties("tanhshrink")["asymptotes"].value == {"-oo": x + 1, "+oo": x - 1}
    assert properties("exp")["asymptotes"].value == {"-oo": 0, "+oo": None}
    assert properties("sigmoid")["saturation"].details["saturates"] == ["-oo", "+oo"]
    assert properties("silu")["saturation"].value == (0, 1)
    assert properties("relu")["saturation"].details["saturates"] == ["-oo"]


def test_monotonic_intervals_of_swish_and_hardswish():
    swish = properties("swish")["monotonic_intervals"]
    assert swish.value == [(-oo, -1 - W, "decreasing"), (-1 - W, oo, "increasing")] and swish.proved
    hard = properties("hardswish")["monotonic_intervals"].value
    assert hard == [(-oo, -3, "constant"), (-3, Rational(-3, 2), "decreasing"), (Rational(-3, 2), oo, "increasing")]


def test_self_gated():
    for name in ("silu", "gelu", "mish", "hardswish"):
        assert properties(name)["self_gated"].value is True, name
    for name in ("relu", "elu", "tanhshrink", "sigmoid"):
        assert properties(name)["self_gated"].value is False, name


def test_derivative_at_zero_one_sided():
    assert properties("relu")["derivative_at_zero"].value == (0, 1)
    assert properties("leaky_relu")["derivative_at_zero"].value == (Rational(1, 100), 1)
    assert properties("mish")["derivative_at_zero"].value == sp.tanh(sp.log(2))


def test_strings_and_expressions_and_errors():
    assert properties("x*tanh(x)")["parity"].value == "even"
    assert properties(x**3)["monotonic"].value == "increasing"
    with pytest.raises(ParameterError):
        properties("swish", gamma=2)
    with pytest.raises(SymactError):
        properties("softmax")
    with pytest.raises(ParameterError):
        properties("relu")["smoothness"]


def test_numeric_helpers():
    roots = numeric_roots(mpmath.cos, -sp.oo, sp.oo, span=4)
    assert [round(float(r), 12) for r in roots] == [round(-mpmath.pi / 2, 12), round(mpmath.pi / 2, 12)]
    enclosure = enclose_critical_point(x**2 - 2 * x, 2 * x - 2, sp.Float(1))
    assert enclosure["value"][0] <= -1 <= enclosure["value"][1]
    assert enclose_critical_point(x**2, 2 * x, sp.Float("0.5")) is None


def test_public_api_and_str():
    assert symact.properties is properties
    text = str(properties("mish"))
    assert "numerical-only" in text and "continuity" in text


# ---- the table --------------------------------------------------------------------------------------

TABLE_NAMES = ["relu", "sigmoid", "tanh", "softsign", "swish", "gelu", "mish", "hardswish", "selu", "threshold"]


def test_table_text_and_markdown_mark_numerical_cells():
    text = symact.table(TABLE_NAMES, format="text")
    lines = text.splitlines()
    assert lines[0].split()[:3] == ["activation", "range", "continuity"]
    rows = {line.split()[0]: line for line in lines[2 : 2 + len(TABLE_NAMES)]}
    assert set(rows) == set(TABLE_NAMES)
    assert "*" in rows["mish"] and "*" not in rows["relu"] and "*" not in rows["sigmoid"]
    assert "C^1" in rows["softsign"] and "discontinuous" in rows["threshold"]
    md = symact.table(["sigmoid", "mish"], ["range", "lipschitz"], format="markdown").splitlines()
    assert md[0] == "| activation | range | sup \\|f'\\| |"
    assert md[2] == "| sigmoid | (0, 1) | 1/4 at x=0 |"
    assert md[3] == "| mish | [-0.308843, ∞) * | 1.0885 at x=1.49057 * |"


def test_table_rejects_unknown_format_and_column():
    with pytest.raises(ParameterError, match="format"):
        symact.table(["relu"], format="html")
    with pytest.raises(ParameterError, match="did you mean 'lipschitz'"):
        symact.table(["relu"], ["lipshitz"])


def test_latex_table_compiles_in_the_notes_preamble(tmp_path):
    import os
    import shutil

    from symact.render import notes

    tex = symact.table(TABLE_NAMES, format="latex")
    assert r"\begin{tabular}" in tex and r"^{\dagger}" in tex and r"W\left(e^{-1}\right)" in tex
    if shutil.which("pdflatex") is None and not os.environ.get("SYMACT_REQUIRE_TEX"):
        pytest.skip("pdflatex is not installed")
    path = tmp_path / "table.tex"
    path.write_text(notes.PREAMBLE + "\\begin{document}\n" + tex + "\n\\end{document}\n")
    pdf = notes.compile_pdf(path, runs=1, log=tmp_path / "table.log")
    assert pdf.read_bytes().startswith(b"%PDF")
    log = (tmp_path / "table.log").read_text(errors="replace")
    assert "Undefined control sequence" not in log


# ---- other parameter values and user expressions ------------------------------------------------------

# by hand: elu with alpha = 2 has f'(0-) = 2 != 1 = f'(0+), so C^0, range (-2, oo), sup f' = 2 as x -> 0-;
# celu keeps slope 1 at 0 for every alpha (C^1); prelu with alpha = -1 is |x|; hardtanh(-2, 3) is not odd.
# fmt: off
PARAMETERS = [
    ("elu", {"alpha": 2}, sp.Interval.open(-2, oo), 0, "neither", 2, False),
    ("celu", {"alpha": 2}, sp.Interval.open(-2, oo), 1, "neither", 1, True),
    ("prelu", {"alpha": -1}, sp.Interval(0, oo), 0, "even", 1, False),
    ("hardtanh", {"min_val": -2, "max_val": 3}, sp.Interval(-2, 3), 0, "neither", 1, True),
    ("leaky_relu", {"negative_slope": 0.2}, sp.Interval(-oo, oo), 0, "neither", 1, False),
    ("softplus", {"beta": 2}, sp.Interval.open(0, oo), oo, "neither", 1, False),
]
# fmt: on


@pytest.mark.parametrize("name, params, image, order, parity, lipschitz, identity", PARAMETERS)
def test_properties_at_other_parameter_values(name, params, image, order, parity, lipschitz, identity):
    p = properties(name, **params)
    assert p["range"].value == image
    assert p["continuity"].value == order
    assert p["parity"].value == parity
    assert p["lipschitz"].value == lipschitz
    assert p["identity_near_origin"].value is identity
    assert all(prop.proved for prop in p.values()), [k for k, v in p.items() if not v.proved]


@pytest.mark.parametrize("text", ["1/x", "log(x)", "sqrt(x)"])
def test_functions_not_defined_on_all_reals_are_refused(text):
    with pytest.raises(ParameterError, match="not real and continuous"):
        properties(text)


def test_symbolic_parameter_values_are_refused_with_a_reason():
    with pytest.raises(ParameterError, match="must be a number"):
        properties("swish", beta=sp.Symbol("b", positive=True))


def test_numerical_extremes_come_with_exact_one_sided_bounds():
    """swish's and mish's sup |f'| exceed 1 for certain: |f'(q)| at a rational q, evaluated exactly."""
    for name in ("swish", "mish"):
        q, value, _ = properties(name)["lipschitz"].details["proved_lower_bound"]
        assert q.is_Rational and sp.N(value - 1, 30) > 0.08
        with mpmath.workdps(30):
            slope = mpmath.diff(REFERENCE[name], mpmath.mpf(q.p) / q.q)
            assert abs(sp.N(value, 25) - sp.Float(mpmath.nstr(slope, 25), 25)) < 1e-20
    q, value, _ = properties("mish")["minimum"].details["proved_upper_bound"]
    f_q = REFERENCE["mish"](mpmath.mpf(q.p) / q.q)
    assert abs(sp.N(value, 20) - sp.Float(mpmath.nstr(f_q, 20), 20)) < 1e-15
    assert sp.N(value, 30) >= properties("mish")["minimum"].details["enclosure"]["value"][0]


# by hand: (f' at -oo, f' at +oo), f'(0) (a pair at a kink), asymptotes at -oo and +oo, self-gated x g(x).
# mish'(0) = tanh(softplus(0)) = tanh(log 2) = 3/5; tanhshrink' = tanh^2 -> 1 far out, 0 at 0.
S, A = SELU_SCALE, SELU_SCALE * SELU_ALPHA
# fmt: off
HAND2 = {
    "identity":    ((1, 1), 1, (x, x), False),
    "relu":        ((0, 1), (0, 1), (0, x), False),
    "relu6":       ((0, 0), (0, 1), (0, 6), False),
    "leaky_relu":  ((Rational(1, 100), 1), (Rational(1, 100), 1), (x / 100, x), False),
    "elu":         ((0, 1), 1, (-1, x), False),
    "celu":        ((0, 1), 1, (-1, x), False),
    "selu":        ((0, S), (A, S), (-A, S * x), False),
    "sigmoid":     ((0, 0), Rational(1, 4), (0, 1), False),
    "tanh":        ((0, 0), 1, (-1, 1), False),
    "softsign":    ((0, 0), 1, (-1, 1), False),
    "hardsigmoid": ((0, 0), Rational(1, 6), (0, 1), False),
    "hardtanh":    ((0, 0), 1, (-1, 1), False),
    "softplus":    ((0, 1), Rational(1, 2), (0, x), False),
    "log_sigmoid": ((1, 0), Rational(1, 2), (x, 0), False),
    "squareplus":  ((0, 1), Rational(1, 2), (0, x), False),
    "sparse_plus": ((0, 1), Rational(1, 2), (0, x), False),
    "exp":         ((0, oo), 1, (0, None), False),
    "silu":        ((0, 1), Rational(1, 2), (0, x), True),
    "gelu":        ((0, 1), Rational(1, 2), (0, x), True),
    "mish":        ((0, 1), Rational(3, 5), (0, x), True),
    "hardswish":   ((0, 1), Rational(1, 2), (0, x), True),
    "tanhshrink":  ((1, 1), 0, (x + 1, x - 1), False),
    "softshrink":  ((1, 1), 0, (x + Rational(1, 2), x - Rational(1, 2)), False),
    "hardshrink":  ((1, 1), 0, (x, x), False),
    "threshold":   ((0, 1), 0, (0, x), False),
}
# fmt: on


def _same(a, b):
    if a is None or b is None:
        return a is b
    if isinstance(a, tuple):
        return isinstance(b, tuple) and len(a) == len(b) and all(map(_same, a, b))
    return sp.sympify(a) == sp.sympify(b) or sp.simplify(sp.sympify(a) - sp.sympify(b)) == 0


@pytest.mark.parametrize("name", sorted(HAND2))
def test_saturation_slope_at_zero_asymptotes_and_gating(name):
    saturation, slope, asymptotes, gated = HAND2[name]
    p = properties(name)
    assert _same(p["saturation"].value, saturation), (name, p["saturation"].value)
    assert _same(p["derivative_at_zero"].value, slope), (name, p["derivative_at_zero"].value)
    got = p["asymptotes"].value
    assert _same((got["-oo"], got["+oo"]), asymptotes), (name, got)
    assert p["self_gated"].value is gated, name
    for key in ("saturation", "derivative_at_zero", "asymptotes", "self_gated"):
        assert p[key].proved, (name, key)
    image = p["range"].value
    assert p["minimum"].value == image.inf and p["maximum"].value == image.sup, name


@pytest.mark.parametrize("expr", ["sign(x)", "Heaviside(x)", "2*Heaviside(x) - 1"])
def test_constant_pieces_are_not_joined_across_a_jump(expr):
    intervals = properties(expr)["monotonic_intervals"].value
    assert [(lo, hi) for lo, hi, _ in intervals] == [(-sp.oo, 0), (0, sp.oo)]
    assert properties("x + sign(x)")["monotonic_intervals"].value == [(-sp.oo, sp.oo, "increasing")]


def test_asymptotes_print_as_directions_not_a_dict():
    text = symact.table(["softplus"], ["asymptotes"])
    assert "x -> -∞: 0; x -> ∞: x" in text and "{" not in text
    tex = symact.table(["softplus"], ["asymptotes"], format="latex")
    assert r"$x \to -\infty: 0;\ x \to \infty: x$" in tex
