import os
import re
import time

import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

import symact
from symact import ParseError, catalog
from symact.functions import sigmoid
from symact.parsing import FUNCTIONS, MAX_DEPTH, MAX_LENGTH, MAX_NODES, parse, tree_size

x = catalog.x


@pytest.mark.parametrize(
    "text, expected",
    [
        ("tanh(x) + 1", sp.tanh(x) + 1),
        ("2*sigmoid(2*x)", 2 * sigmoid(2 * x)),
        ("x^2 - 3*x/4", x**2 - 3 * x / 4),
        ("-x**2", -(x**2)),
        ("2**-1", sp.Rational(1, 2)),
        ("0.044715", sp.Rational(44715, 10**6)),
        ("1e-3", sp.Rational(1, 1000)),
        ("max(x, 0) + min(0, x)", sp.Max(x, 0) + sp.Min(0, x)),
        ("swish(x)", x * sigmoid(x)),
        ("swish(x, 2)", x * sigmoid(2 * x)),
        ("leaky_relu(x)", sp.Max(0, x) + sp.Min(0, x) / 100),
        ("relu(2*x - 1)", sp.Max(0, 2 * x - 1)),
        ("diff(sigmoid(x))", sigmoid(x) * (1 - sigmoid(x))),
        ("exp(-x) * e ** 2 * pi", sp.exp(-x) * sp.E**2 * sp.pi),
    ],
)
def test_parses(text, expected):
    assert sp.simplify(parse(text) - expected) == 0


@pytest.mark.parametrize(
    "text, message, position",
    [
        ('__import__("os").system("echo pwned")', "unexpected character '_'", 0),
        ("().__class__", "unexpected character '.'", 2),
        ("lambda: 1", "unexpected character ':'", 6),
        ("[c for c in x]", "unexpected character '['", 0),
        ("import os", "unknown name 'import'", 0),
        ("x.real", "unexpected character '.'", 1),
        ("open('f')", "unexpected character", 5),
        ("eval(x)", "unknown function 'eval'", 0),
        ("sigmod(x)", "did you mean 'sigmoid'", 0),
        ("y + 1", "unknown name 'y'", 0),
        ("relu", "is a function; call it", 0),
        ("exp(x", "expected ')'", 5),
        ("x +", "unexpected end of input", 3),
        ("x + * 2", "unexpected '*'", 4),
        ("1/0", "division by zero", 1),
        ("exp(x, 2)", "exp takes 1 argument", 0),
        ("softmax(x)", "vector function", 0),
        ("x²", "unexpected character '²'", 1),
        ("", "empty expression", 0),
        ("9**9**9", "too large", 1),
        ("(10**1000)**1000", "digits", 10),
    ],
)
def test_rejects_with_position(text, message, position):
    with pytest.raises(ParseError, match=re.escape(message)) as err:
        parse(text)
    assert err.value.position == position


def test_rejects_very_long_and_deep_input_quickly():
    start = time.perf_counter()
    with pytest.raises(ParseError, match="characters long"):
        parse("x+" * 5000 + "x")
    with pytest.raises(ParseError, match="nested more than"):
        parse("(" * 500 + "x" + ")" * 500)
    with pytest.raises(ParseError, match="nested more than"):
        parse("-" * 500 + "x")
    with pytest.raises(ParseError, match="nested more than"):
        parse("exp(" * 500 + "x" + ")" * 500)
    assert time.perf_counter() - start < 10.0  # generous: a loaded machine is slow, a hang is not
    assert len("x+" * 5000) > MAX_LENGTH and MAX_DEPTH < 500


def test_parameters_and_free_symbols():
    beta = sp.Symbol("beta", positive=True)
    assert parse("x*sigmoid(beta*x)", parameters={"beta": beta}) == x * sigmoid(beta * x)
    a = parse("a*x + b", allow_symbols=True)
    assert {s.name for s in a.free_symbols} == {"a", "b", "x"}
    with pytest.raises(ParseError):
        parse("_private + x", allow_symbols=True)


def test_non_string_input():
    with pytest.raises(ParseError, match="expected a string"):
        parse(3)


TOKENS = [
    "x",
    "(",
    ")",
    "+",
    "-",
    "*",
    "/",
    "**",
    "^",
    ",",
    "1",
    "0",
    "2.5",
    "1e9",
    "e",
    "pi",
    "sigmoid",
    "relu",
    "exp",
    "log",
    "max",
    "swish",
    "diff",
    "__import__",
    ".",
    "lambda",
    ":",
    "[",
    "]",
    "'os'",
    '"',
    "__class__",
    "os",
    "system",
    " ",
    "é",
    "∑",
    "\n",
    "\x00",
    "0x1f",
    "1_000",
    "#",
    "@",
    ";",
    "=",
    "yield",
    "None",
]


def _guarded(monkeypatch):
    calls = []
    for name in ("system", "popen", "remove", "unlink"):
        monkeypatch.setattr(os, name, lambda *a, _n=name, **k: calls.append(_n))
    return calls


@settings(max_examples=400, deadline=None)
@given(st.text(max_size=80))
def test_random_text_only_ever_raises_parse_error(text):
    try:
        result = parse(text)
    except ParseError:
        return
    assert isinstance(result, sp.Basic)


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(TOKENS), max_size=30))
def test_random_token_soup_only_ever_raises_parse_error(tokens):
    try:
        result = parse("".join(tokens))
    except ParseError:
        return
    assert isinstance(result, sp.Basic)


def test_no_code_runs(monkeypatch, tmp_path):
    calls = _guarded(monkeypatch)
    target = tmp_path / "pwned"
    attacks = [
        f'__import__("os").system("touch {target}")',
        "().__class__.__bases__[0].__subclasses__()",
        f"open('{target}', 'w')",
        "exec('1')",
        "eval('1')",
        "globals()",
        "x.__globals__",
        "lambda: __import__('os')",
        "[i for i in ().__class__.__mro__]",
        "Symbol('x')",
        "sympify('x')",
    ]
    for text in attacks:
        with pytest.raises(ParseError):
            parse(text)
    assert calls == [] and not target.exists()


# ---- what was written is what is built ------------------------------------------------------------


@pytest.mark.parametrize("name", [n for n in catalog.names() if n not in FUNCTIONS])
def test_activation_arguments_containing_x_are_substituted_once(name):
    """Every parameter set to an expression in x, and the input an expression in x: one simultaneous substitution."""
    entry = catalog.get(name)
    args = [x**2 + 1, *[x + k + 2 for k in range(len(entry.params))]]
    text = f"{name}(x**2 + 1" + "".join(f", x + {k + 2}" for k in range(len(entry.params))) + ")"
    simultaneous = entry.expr.xreplace({x: args[0], **dict(zip(entry.params, args[1:]))})
    built = parse(text)
    assert built == simultaneous
    for value in (sp.Rational(-3, 2), sp.Rational(1, 3), 2):
        a, b = built.xreplace({x: value}), simultaneous.xreplace({x: value})
        assert sp.N(a - b, 30) == 0 or sp.simplify(a - b) == 0


def test_swish_with_a_parameter_in_x():
    assert parse("swish(2*x, x)") == 2 * x * sigmoid(2 * x**2)


@pytest.mark.parametrize("text", ["nan", "NaN", "zoo", "I", "j", "oo - oo", "0*oo", "oo/oo", "inf*0", "log(0)"])
def test_undefined_and_complex_names_are_not_symbols(text):
    with pytest.raises(ParseError):
        parse(text, allow_symbols=True)


def test_tree_size_is_bounded_before_sympy_builds_it():
    start = time.perf_counter()
    for text in ("gelu_tanh(" * 8 + "x" + ")" * 8, "mish(" * 20 + "x" + ")" * 20, "diff(mish(mish(x)), x, 10)"):
        with pytest.raises(ParseError, match="nodes"):
            parse(text)
    assert time.perf_counter() - start < 30  # diff stops at the first derivative past the bound
    assert tree_size(parse("mish(" * 5 + "x" + ")" * 5)) <= MAX_NODES


@pytest.mark.parametrize("text", ["9**5000", "3**5000*3**5000", "*".join(["10**399"] * 12), "(2/3)**9000"])
def test_numbers_stay_printable(text):
    with pytest.raises(ParseError, match="digits"):
        parse(text)


@pytest.mark.parametrize(
    "text, value",
    [
        ("9**4000", 9**4000),
        ("10**3999", 10**3999),
        ("3**3000*3**3000", 3**6000),
        ("(1/3)**4000", sp.Rational(1, 3**4000)),
    ],
)
def test_numbers_up_to_the_limit_are_read_exactly(text, value):
    assert parse(text) == value  # 9**4000 has 3,817 digits, 10**3999 exactly 4,000


# ---- piecewise definitions, |x|, clip, heaviside, keyword parameters ------------------------------------------

X = sp.Symbol("x", real=True)
RELU_FORMS = [
    "where(x > 0, x, 0)",
    "x if x > 0 else 0",
    "Piecewise((x, x > 0), (0, True))",
    "(x + |x|)/2",
    "clip(x, 0, oo)",
]


@pytest.mark.parametrize("text", RELU_FORMS)
def test_every_way_to_write_relu_means_relu(text):
    expr = parse(text)
    for point in (-3, -sp.Rational(1, 2), 0, sp.Rational(1, 3), 5):
        assert expr.subs(X, point) == max(point, 0), (text, point)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("||x| - 1|", sp.Abs(sp.Abs(X) - 1)),
        ("|x|*|x - 1|", sp.Abs(X) * sp.Abs(X - 1)),
        ("clip(x, -1, 1)", sp.Min(sp.Max(X, -1), 1)),
        ("heaviside(x)", sp.Heaviside(X)),
        ("heaviside(x, 1)", sp.Heaviside(X, 1)),
        ("where(0 < x < 1, 1, 0)", sp.Piecewise((1, (X > 0) & (X < 1)), (0, True))),
        ("where(x < -1 or x > 1, 1, 0)", sp.Piecewise((1, (X < -1) | (X > 1)), (0, True))),
        ("where(not x > 0, -x, x)", sp.Piecewise((-X, X <= 0), (X, True))),
        ("x if x > 0 else -x if x < -1 else 0", sp.Piecewise((X, X > 0), (-X, X < -1), (0, True))),
        ("softplus(x, 2)", parse("softplus(2*x)/2")),
        ("softplus(x, beta=2)", parse("softplus(2*x)/2")),
        ("swish(x, beta=3)", X * sigmoid(3 * X)),
        ("elu(x, alpha=2)", parse("elu(x, 2)")),
    ],
)
def test_piecewise_and_keyword_forms(text, expected):
    assert parse(text) == expected


@pytest.mark.parametrize(
    "text, message",
    [
        ("x > 0", "a condition where a value is expected"),
        ("(x > 0) + 1", "a condition where a value is expected"),
        ("where(x, 1, 0)", "is a condition"),
        ("x and x > 0", "'and' joins conditions"),
        ("not x", "'not' negates a condition"),
        ("x if x > 0", "expected 'else'"),
        ("Piecewise((x, x > 0))", "condition True"),
        ("softplus(x, gamma=2)", "no parameter 'gamma'"),
        ("swish(x, 2, beta=2)", "given twice"),
        ("softplus(beta=2, x)", "positional argument after a keyword"),
        ("exp(x, beta=1)", "exp takes no keyword arguments"),
        ("sin(x, 2)", "takes 1 argument"),
        ("x = 1", "compare with =="),
        ("|x", "expected '|'"),
        ("floor(x)", "infinitely many jumps"),
        ("if", "unexpected 'if'"),
        ("where(x > 0, __import__('os'), 0)", "unexpected character '_'"),
    ],
)
def test_piecewise_mistakes_are_explained(text, message):
    with pytest.raises(ParseError, match=re.escape(message)):
        parse(text)


def test_a_piecewise_string_is_a_full_activation():
    relu = symact.derive("where(x > 0, x, 0)")
    assert relu.df.subs(X, 2) == 1 and relu.df.subs(X, -2) == 0
    k = symact.kernel("x if x > 0 else exp(x) - 1")
    assert k(np.array([-1.0, 0.0, 2.0])).tolist() == pytest.approx([np.expm1(-1.0), 0.0, 2.0])
    assert symact.prove("where(x > 0, x, 0)", "relu(x)").status == "proved"
    assert symact.prove("|x|", "relu(x) + relu(-x)").status == "proved"


def test_parameters_are_declared_with_a_value_none_or_an_assumption():
    from symact import define, derive, kernel
    from symact.errors import ParameterError

    gated = define("declared_gate", "x*sigmoid(g*x)", g="positive")
    (g,) = gated.params
    assert g.is_positive and gated.defaults == {g: g}
    assert derive("declared_gate").df.has(g)  # symbolic until given
    assert float(kernel("declared_gate", g=1)(0.0)) == 0.0
    with pytest.raises(ParameterError, match="has no value"):
        kernel("declared_gate")
    with pytest.raises(ParameterError, match="must be positive"):
        kernel("declared_gate", g=-1)
    (b,) = define("declared_real", "b*x", b=None).params
    assert b.is_real and b.is_positive is None
    with pytest.raises(ParameterError, match="one of 'positive'"):
        define("declared_typo", "b*x", b="postive")
