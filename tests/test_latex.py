"""LaTeX fragments: named functions, piecewise cases, the catalog table, proof chains, theorems."""

from types import SimpleNamespace

import mpmath
import pytest
import sympy as sp

from symact import catalog, latex
from symact.catalog import x
from symact.derive import derive
from symact.functions import Phi, sigmoid, softplus
from symact.prove import Proof, Step, prove

ELEMENTWISE = catalog.names()


def test_named_functions_print_as_in_a_textbook():
    assert latex.expr(sigmoid(2 * x)) == r"\sigma{\left(2 x \right)}"
    assert latex.expr(Phi(x)) == r"\Phi{\left(x \right)}"
    assert r"\operatorname{softplus}" in latex.expr(softplus(x))
    assert "sigmoid" not in latex.expr(derive("swish").df)


def test_parameters_print_readably():
    assert latex.expr(sp.Symbol("lambd")) == r"\lambda"
    assert latex.expr(sp.Symbol("beta")) == r"\beta"
    assert latex.expr(sp.Symbol("w2_01")) == "w_{2,01}"
    assert latex.expr(sp.Symbol("min_val")).startswith(r"\mathit{min\_val}")


@pytest.mark.parametrize(
    "name, rows",
    [
        ("relu", [r"0 & \text{if } x \leq 0", r"1 & \text{if } x > 0"]),
        ("relu6", [r"0 & \text{if } x \leq 0", r"1 & \text{if } 0 < x < 6", r"0 & \text{if } x \geq 6"]),
        (
            "sparse_sigmoid",  # JAX's clip splits ties: the points themselves get their own rows
            [
                r"\frac{1}{4} & \text{if } x = -1",
                r"0 & \text{if } x < -1",
                r"\frac{1}{4} & \text{if } x = 1",
                r"\frac{1}{2} & \text{if } -1 < x < 1",
                r"0 & \text{if } x > 1",
            ],
        ),
        ("threshold", [r"0 & \text{if } x \leq \mathit{threshold}\,", r"1 & \text{if } x > \mathit{threshold}\,"]),
    ],
)
def test_derivative_cases_are_disjoint_intervals(name, rows):
    kink = "jax" if name == "sparse_sigmoid" else "torch"
    tex = latex.expr(derive(name, kink=kink).df)
    assert tex.startswith(r"\begin{cases}") and tex.endswith(r"\end{cases}")
    body = tex[len(r"\begin{cases} ") : -len(r" \end{cases}")]
    assert body.split(r" \\ ") == rows


def test_a_closed_empty_interval_is_a_point():
    """softshrink's f' from the output: y < 0, then y = 0 (where x is inside the dead zone), then y > 0."""
    tex = latex.expr(derive("softshrink").df_of_output)
    assert r"0 & \text{if } y = 0" in tex
    assert r"\leq y \leq" not in tex


def test_conditions_put_the_variable_first():
    pw = sp.Piecewise((0, sp.Symbol("a") >= x), (1, True))
    assert r"\text{if } x \leq a" in latex.expr(pw)


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_cases_form_of_the_definition_equals_f(name):
    """The cases shown next to max/min definitions agree with f on every piece (at the defaults)."""
    entry = catalog.get(name)
    f = entry.expr
    cases = latex._cases(entry, f, dict(entry.defaults))
    if cases is None:
        assert not f.has(sp.Max, sp.Min) or not latex.switch_points(f, dict(entry.defaults))
        return
    assert isinstance(cases, sp.Piecewise)
    at_defaults = f.subs(entry.defaults)
    shown = cases.subs(entry.defaults)
    for t in (-7.25, -3.5, -1.5, -0.75, -0.25, 0.0, 0.3, 0.9, 2.5, 5.5, 6.0, 8.75):
        want = sp.N(at_defaults.subs(x, t), 20)
        got = sp.N(shown.subs(x, t), 20)
        assert abs(complex(want) - complex(got)) < 1e-15, (name, t, want, got)


def test_definition_block():
    tex = latex.definition("prelu")
    lines = tex.splitlines()
    assert lines[0] == r"\begin{align*}" and lines[-1] == r"\end{align*}"
    assert r"\operatorname{prelu}(x) &= \symactfit{\alpha \min\left(0, x\right) + \max\left(0, x\right) = " in lines[1]
    assert r"\alpha x & \text{if } x \leq 0" in lines[1]
    assert lines[2].startswith(r"\operatorname{prelu}'(x) &=")
    assert lines[3] == r"\operatorname{prelu}''(x) &= 0 \\"
    assert r"\text{with } y = \operatorname{prelu}(x)" in lines[4]


def test_definition_without_output_form_has_three_lines():
    lines = latex.definition("gelu").splitlines()
    assert len(lines) == 5  # begin, f, f', f'', end: gelu cannot be inverted
    assert r"\Phi" in lines[1]


def test_definition_of_an_expression():
    tex = latex.definition("x*tanh(exp(x))")
    assert tex.splitlines()[1].startswith("f(x) &= x \\tanh")


def test_long_formulas_use_the_fit_macro():
    tex = latex.definition("gelu_tanh")
    assert r"\symactfit{" in tex
    assert r"\newcommand{\symactfit}" in latex.MACROS


def test_activation_section_names_parameters_and_frameworks():
    tex = latex.activation("leaky_relu")
    assert tex.startswith(r"\subsection*{\texttt{leaky\_relu}}")
    assert r"$\mathit{negative\_slope}\, = \frac{1}{100}$" in tex
    assert r"PyTorch \texttt{leaky\_relu}" in tex
    assert "Kinks: at $x = 0$" in tex


def test_vector_activations_are_refused():
    with pytest.raises(latex.SymactError, match="vector"):
        latex.activation("softmax")


def test_catalog_table_has_one_row_per_activation():
    tex = latex.catalog_table()
    rows = [line for line in tex.splitlines() if line.startswith(r"\texttt{")]
    assert len(rows) == len(ELEMENTWISE)
    assert rows[ELEMENTWISE.index("sigmoid")].endswith(r"& $y \left(1 - y\right)$ \\")
    assert rows[ELEMENTWISE.index("gelu")].endswith(r"& --- \\")
    assert all(row.count(" & ") - row.count(r"\text{if}") >= 3 for row in rows)


def test_escape():
    assert latex.escape("a_b & 100% #1 {x} ~ ^ <") == (
        r"a\_b \& 100\% \#1 \{x\} \textasciitilde{} \textasciicircum{} \ensuremath{<}"
    )


def test_proof_is_a_chain_with_each_rule():
    p = prove("tanh(x) + 1", "2*sigmoid(2*x)")
    tex = latex.proof(p)
    body = tex.split(r"\end{align*}")[0]
    lines = body.splitlines()[1:]
    assert lines[0].startswith(r"\tanh{\left(x \right)} + 1 &= ")
    assert all(line.lstrip().startswith("&= ") for line in lines[1:])
    for step in p.steps[1:]:
        assert rf"\text{{{latex.escape(step.rule)}}}" in body
    assert lines[-1].startswith(r" &= 2 \sigma{\left(2 x \right)}")
    assert r"\textbf{Proved} by rewriting to exp." in tex


def test_every_link_of_the_chain_is_an_equality():
    """Consecutive expressions of the rendered chain are equal: the chain is checked, not decorated."""
    p = prove("sigmoid(-x)", "1 - sigmoid(x)")
    exprs = [p.lhs] + [s.expr for s in p.steps]
    for a, b in zip(exprs, exprs[1:]):
        for t in (-2.5, 0.5, 3.0):
            assert abs(complex(sp.N((a - b).subs(x, sp.Rational(str(t))), 30))) < 1e-25


def test_refuted_proof_shows_the_counterexample():
    tex = latex.proof(prove("tanh(x) + 1", "2*sigmoid(x)"))
    assert r"\textbf{Refuted}" in tex
    lhs = mpmath.nstr(mpmath.tanh(1) + 1, 10)
    assert f"at $x = 1$ the left side is ${lhs}$" in tex


def test_proof_without_steps_shows_only_the_verdict():
    p = Proof("a = b", "unknown", "numeric agreement only")
    assert latex.proof(p) == r"\textbf{Unknown} by numeric agreement only."


def test_steps_that_are_not_a_chain_are_listed():
    p = Proof("bound", "proved", "sign", (Step(sp.Le(sigmoid(x), 1), "sigmoid is at most one"),))
    tex = latex.proof(p)
    assert r"& \sigma{\left(x \right)} \leq 1 && \text{sigmoid is at most one}" in tex


def test_combined_proof_shows_each_part():
    a, b = prove("sigmoid(-x)", "1 - sigmoid(x)"), prove("tanh(x) + 1", "2*sigmoid(2*x)")
    p = Proof("both", "proved", "rewriting", a.steps + b.steps, details={"parts": [a, b]})
    tex = latex.proof(p)
    assert tex.count(r"\begin{align*}") == 2
    assert r"\textit{Part 2:} $\tanh{\left(x \right)} + 1 = 2 \sigma{\left(2 x \right)}$." in tex
    assert tex.endswith(r"\textbf{Altogether: proved}.")


def test_theorem_with_proof():
    t = SimpleNamespace(
        name="tanh_plus_one",
        statement="tanh(x) + 1 = 2 sigmoid(2x)",
        latex=r"\tanh x + 1 = 2\sigma(2x)",
        explanation="Both sides are rational in exp(2x).",
    )
    tex = latex.theorem(t, prove("tanh(x) + 1", "2*sigmoid(2*x)"))
    assert tex.startswith("\\begin{theorem}[tanh plus one]\ntanh(x) + 1 = 2 sigmoid(2x).\n")
    assert r"\emph{Why.} Both sides are rational in exp(2x)." in tex
    assert tex.index(r"\end{theorem}") < tex.index(r"\begin{proof}") < tex.index(r"\end{proof}")
