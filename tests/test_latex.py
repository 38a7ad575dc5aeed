"""LaTeX fragments: named functions, piecewise cases, the catalog table, proof chains, theorems."""

import random
import re
from types import SimpleNamespace

import mpmath
import pytest
import sympy as sp

from symact import catalog, formula
from symact.catalog import x
from symact.derivation import derive
from symact.functions import Phi, sigmoid, softplus
from symact.proof import Proof, Step, prove, prove_bound, prove_limit
from symact.proof.chains import blocks
from symact.render import latex

ELEMENTWISE = catalog.names()


def test_named_functions_print_as_in_a_textbook():
    assert formula.expr(sigmoid(2 * x)) == r"\sigma{\left(2 x \right)}"
    assert formula.expr(Phi(x)) == r"\Phi{\left(x \right)}"
    assert r"\operatorname{softplus}" in formula.expr(softplus(x))
    assert "sigmoid" not in formula.expr(derive("swish").df)


def test_parameters_print_readably():
    assert formula.expr(sp.Symbol("lambd")) == r"\lambda"
    assert formula.expr(sp.Symbol("beta")) == r"\beta"
    assert formula.expr(sp.Symbol("w2_01")) == "w_{2,01}"
    assert formula.expr(sp.Symbol("min_val")).startswith(r"\mathit{min\_val}")


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
    tex = formula.expr(derive(name, kink=kink).df)
    assert tex.startswith(r"\begin{cases}") and tex.endswith(r"\end{cases}")
    body = tex[len(r"\begin{cases} ") : -len(r" \end{cases}")]
    assert body.split(r" \\ ") == rows


def test_a_closed_empty_interval_is_a_point():
    """softshrink's f' from the output: y < 0, then y = 0 (where x is inside the dead zone), then y > 0."""
    tex = formula.expr(derive("softshrink").df_of_output)
    assert r"0 & \text{if } y = 0" in tex
    assert r"\leq y \leq" not in tex


def test_conditions_put_the_variable_first():
    pw = sp.Piecewise((0, sp.Symbol("a") >= x), (1, True))
    assert r"\text{if } x \leq a" in formula.expr(pw)


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
    assert lines[1] == r"\operatorname{prelu}(x) &= \alpha \min\left(0, x\right) + \max\left(0, x\right) \\"
    assert lines[2].startswith(r" &= \begin{cases} \alpha x & \text{if } x \leq 0")
    assert lines[3].startswith(r"\operatorname{prelu}'(x) &=")
    assert lines[4] == r"\operatorname{prelu}''(x) &= 0 \\"
    assert r"\text{with } y = \operatorname{prelu}(x)" in lines[5]


def test_definition_without_output_form_has_three_lines():
    lines = latex.definition("gelu").splitlines()
    assert len(lines) == 5  # begin, f, f', f'', end: gelu cannot be inverted
    assert r"\Phi" in lines[1]


def test_definition_of_an_expression():
    tex = latex.definition("x*tanh(exp(x))")
    assert tex.splitlines()[1].startswith("f(x) &= x \\tanh")


def test_long_formulas_break_at_top_level_sums_instead_of_shrinking():
    d = derive("gelu_tanh")
    assert formula.width(formula.expr(d.d2f)) > formula.LINE  # too long for one line: the premise of this test
    tex = latex.definition(d)
    assert r"\symactfit" not in tex
    rows = tex.splitlines()[1:-1]
    assert any(row.startswith(r"&\quad +") or row.startswith(r"&\quad -") for row in rows)
    for row in rows:  # every line fits the text width, by the estimate the notes rely on
        assert formula.width(row.replace("&", "")) < formula.LINE, row
    parts = formula.lines(derive("gelu_tanh").d2f, 30)
    assert len(parts) > 2 and all(formula.width(p) <= 30 or r"\symactfit" in p for p in parts)


def test_width_grows_with_the_formula_and_reads_fractions_by_their_widest_line():
    assert formula.width("x") < formula.width("x + y") < formula.width("x + y + z")
    assert formula.width(r"\frac{x + y}{2}") < formula.width(r"x + y + 2")
    assert formula.width(r"\sqrt{x}") > formula.width("x")
    assert formula.width(r"\begin{cases} 0 & \text{if } x \leq 0 \\ 1 & \text{otherwise} \end{cases}") > 6


def test_decimals_typed_in_a_definition_print_as_decimals():
    assert "0.044715 x^{3}" in formula.expr(catalog.get("gelu_tanh").expr)
    assert "8943" not in latex.definition("gelu_tanh")
    assert formula.expr(sp.Rational(1, 100)) == "0.01"
    assert formula.expr(-sp.Rational(3, 200) * x) == "- 0.015 x"
    selu_alpha = formula.expr(catalog.get("selu").defaults[catalog.get("selu").params[0]])
    assert selu_alpha.replace(r"\allowbreak ", "") == "1.6732632423543772848170429916717"  # breakable in text
    # short fractions stay fractions
    assert formula.expr(sp.Rational(1, 2)) == r"\frac{1}{2}"
    assert formula.expr(sp.Rational(1, 8) * x) == r"\frac{x}{8}"
    assert formula.expr(sp.Rational(1, 3)) == r"\frac{1}{3}"


def test_activation_section_names_parameters_and_frameworks():
    tex = latex.activation("leaky_relu")
    assert tex.startswith(r"\subsection*{\texttt{leaky\_relu}}")
    assert r"$\mathit{negative\_slope}\, = 0.01$" in tex
    assert r"PyTorch \texttt{leaky\_relu}" in tex
    assert "Kinks: at $x = 0$" in tex


def test_vector_activations_get_their_own_section():
    assert latex.activation("softmax") == latex.vector_activation("softmax")
    with pytest.raises(latex.SymactError, match="elementwise"):
        latex.vector_activation("relu")


def test_catalog_table_has_one_row_per_activation():
    tex = latex.catalog_table()
    rows = [line for line in tex.splitlines() if line.startswith(r"\texttt{")]
    assert len(rows) == len(ELEMENTWISE)
    by_name = {row.split("}")[0].removeprefix(r"\texttt{").replace(r"\_\allowbreak ", "_"): row for row in rows}
    assert sorted(by_name) == sorted(ELEMENTWISE)
    assert by_name["sigmoid"].endswith(r"& $\displaystyle y \left(1 - y\right)$ \\")
    assert by_name["gelu"].endswith(r"& --- \\")
    main = [row for row in rows if not row.endswith(r"\\*")]  # the second table's rows are names alone
    assert main and all(row.count(" & ") - row.count(r"\text{if}") >= 3 for row in main)


def test_escape():
    assert formula.escape("a_b & 100% #1 {x} ~ ^ <") == (
        r"a\_b \& 100\% \#1 \{x\} \textasciitilde{} \textasciicircum{} \ensuremath{<}"
    )


def test_proof_is_a_chain_with_each_rule_in_a_column_that_wraps():
    p = prove("tanh(x) + 1", "2*sigmoid(2*x)")
    tex = latex.proof(p)
    body = tex.split(r"\end{align*}")[0]
    lines = body.splitlines()[1:]
    assert lines[0].startswith(r"\tanh{\left(x \right)} + 1 &= ")
    assert all(line.lstrip().startswith("&= ") for line in lines[1:])
    for step in p.steps[1:]:
        assert rf"\parbox[t]{{0.3\linewidth}}{{\raggedright\small {formula.escape(step.rule)}}}" in body
    assert lines[-1].startswith(r" &= 2 \sigma{\left(2 x \right)}")
    assert r"\textbf{Proved} by rewriting to exp." in tex


def _value(e, point):
    return sp.N(sp.sympify(e).subs(point).doit(), 30)


def _holds(rel, a, b, point) -> bool:
    left, right = _value(a, point), _value(b, point)
    if isinstance(left, sp.MatrixBase):
        return all(abs(complex(u - v)) < 1e-20 for u, v in zip(left, right))
    gap = float(sp.re(left - right))
    tol = 1e-20 * (1 + abs(float(sp.re(left))))
    return {
        "=": abs(complex(left - right)) < tol,
        "<=": gap <= tol,
        "<": gap < tol,
        ">=": gap >= -tol,
        ">": gap > -tol,
    }[rel]


def check_links(p, samples: int = 6):
    """Every printed relation of ``p`` holds at sample points that satisfy its block's condition."""
    r = random.Random(3)
    checked = 0
    for block in blocks(p):
        previous = None
        for link in block.links:
            if link.rel is None:
                continue
            left = link.left if link.left is not None else previous
            if isinstance(left, sp.MatrixExpr) and not isinstance(left, sp.MatrixBase):  # symbolic shapes
                gap = sp.expand(left - link.right)
                assert link.rel == "=" and (gap == 0 or isinstance(gap, sp.ZeroMatrix)), (p.statement, link)
                checked, previous = checked + 1, link.right
                continue
            bound = set().union(*(sp.sympify(v).free_symbols for v in block.where.values()))
            free = sp.sympify(left).free_symbols | sp.sympify(link.right).free_symbols | bound
            symbols = sorted(free - set(block.where), key=str)
            found = 0
            for _ in range(200):
                point = {s: sp.Rational(r.randint(1 if s.is_positive else -30, 30), 10) for s in symbols}
                if block.condition is not None and not bool(block.condition.subs(point)):
                    continue
                point.update({s: v.subs(point) for s, v in block.where.items()})
                assert _holds(link.rel, left, link.right, point), (p.statement, link, point)
                found += 1
                if found == samples:
                    break
            checked += found
            previous = link.right
    return checked


PROOFS = [
    lambda: prove("sigmoid(-x)", "1 - sigmoid(x)"),
    lambda: prove("tanh(x) + 1", "2*sigmoid(2*x)"),
    lambda: prove("abs(x)", "relu(x) + relu(-x)"),
    lambda: prove("hardtanh(x)", "relu(x + 1) - relu(x - 1) - 1"),
    lambda: prove_bound("diff(sigmoid(x), x)", upper="1/4", equality_at=[0]),
    lambda: prove_bound("diff(tanh(x), x)", lower=0, upper=1),
    lambda: prove_bound("sigmoid(x)", lower=0, upper=1, strict=True),
    lambda: prove_limit("swish(x, beta)", "beta", "oo", "relu(x)"),
    lambda: prove_limit("swish(x, beta)", "beta", 0, "x/2", beta="positive"),
    lambda: prove_limit("log(1 + exp(beta*x))/beta", "beta", "oo", "relu(x)"),
]


@pytest.mark.parametrize("make", PROOFS, ids=range(len(PROOFS)))
def test_every_printed_relation_holds(make):
    p = make()
    assert p.proved
    assert check_links(p) > 0
    tex = latex.proof(p)
    for python in ("**", "->", "!=", "<=", "Max(", "oo"):
        assert python not in tex, python


def test_a_bound_prints_as_an_inequality_with_the_equality_case_apart():
    p = prove_bound("diff(sigmoid(x), x)", upper="1/4", equality_at=[0])
    chains = blocks(p)
    assert [[link.rel for link in b.links] for b in chains] == [["=", ">="], ["<="]]
    assert chains[0].where  # s = exp(x) is introduced
    tex = latex.proof(p)
    assert r"&\le \frac{1}{4}" in tex and r"\left\{" not in tex
    assert "equality holds, exactly at $x = 0$" in tex
    assert latex.statement(p) == r"$\left(1 - \sigma{\left(x \right)}\right) \sigma{\left(x \right)} \le \frac{1}{4}$"
    strict = blocks(prove_bound("diff(tanh(x), x)", lower=0, strict=True))
    assert [link.rel for link in strict[-1].links] == [">"]


def test_a_limit_names_its_variable_and_direction_and_leaks_no_dummy():
    p = prove_limit("swish(x, beta)", "beta", "oo", "relu(x)")
    tex = latex.proof(p)
    assert tex.count(r"\lim_{\beta \to \infty}") == 3  # one per case the prover checked: x > 0, x < 0, x = 0
    assert "For $x > 0$:" in tex and "For $x < 0$:" in tex and "For $x = 0$:" in tex
    for b in blocks(p):
        for link in b.links:
            assert "t" not in {s.name for s in sp.sympify(link.right).free_symbols}
    assert r"\lim_{\beta \to 0^+}" in latex.proof(prove_limit("swish(x, beta)", "beta", 0, "x/2", beta="positive"))


def test_a_case_split_shows_each_case_with_its_condition():
    p = prove("abs(x)", "relu(x) + relu(-x)")
    chains = blocks(p)
    assert [b.intro.split("$")[1] if "$" in b.intro else "" for b in chains][:2] == ["x < 0", "x > 0"]
    assert "At the split point $x = 0$" in latex.proof(p)
    assert check_links(p) > 0


def test_the_same_expression_on_both_sides_prints_no_chain():
    d = derive("relu").df
    assert blocks(prove(d, d)) == []


def test_prose_puts_relations_and_arrows_in_math():
    assert formula.prose("beta -> oo for x != 0") == r"beta $\to$ $\infty$ for x $\ne$ 0"
    assert formula.prose("with $s = e^{x} > 0$, factor") == "with $s = e^{x} > 0$, factor"
    assert formula.prose("x**2 <= 1") == r"$x^{2}$ $\le$ 1"


def test_refuted_proof_shows_the_counterexample():
    tex = latex.proof(prove("tanh(x) + 1", "2*sigmoid(x)"))
    assert r"\textbf{Refuted}" in tex
    lhs = mpmath.nstr(mpmath.tanh(1) + 1, 10)
    assert f"at $x = 1$ the left side is ${lhs}$" in tex


def test_proof_without_steps_shows_only_the_verdict():
    p = Proof("a = b", "unknown", "numeric agreement only")
    assert latex.proof(p) == r"\textbf{Unknown} by numeric agreement only."


def test_facts_are_listed_each_with_its_justification():
    p = Proof("bound", "proved", "sign", (Step(sp.Le(sigmoid(x), 1), "sigmoid is at most one"),))
    tex = latex.proof(p)
    assert (
        r"& \sigma{\left(x \right)} \leq 1 && \parbox[t]{0.3\linewidth}{\raggedright\small sigmoid is at most one}"
        in tex
    )
    p = Proof("case", "proved", "branch", (Step(sp.Implies(x > 0, sp.Eq(sp.Abs(x), x)), "the branch"),))
    assert r"\left|{x}\right| = x \quad \text{for } x > 0" in latex.proof(p)


def test_an_unproved_proof_prints_no_chain():
    p = Proof(
        "f = g", "unknown", "timeout", (Step(sigmoid(x), "left-hand side"), Step(x, "guess")), lhs=sigmoid(x), rhs=x
    )
    assert blocks(p) == [] and r"\begin{align*}" not in latex.proof(p)


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
        prose=r"$\tanh(x) + 1 = 2\sigma(2x)$",
        latex=r"\tanh x + 1 = 2\sigma(2x)",
        explanation=r"Both sides are rational in $e^{2x}$.",
    )
    tex = latex.theorem(t, prove("tanh(x) + 1", "2*sigmoid(2*x)"))
    assert tex.startswith("\\begin{theorem}[tanh plus one]\n$\\tanh(x) + 1 = 2\\sigma(2x)$.\n\\begin{gather*}\n")
    assert r"\emph{Why.} Both sides are rational in $e^{2x}$." in tex
    assert tex.index(r"\end{theorem}") < tex.index(r"\begin{proof}") < tex.index(r"\end{proof}")
    handout = latex.theorem(t, prove("tanh(x) + 1", "2*sigmoid(2*x)"), proofs=False)
    assert r"\begin{proof}" not in handout and handout.endswith(r"(largest difference $1.1 \cdot 10^{-51}$).")


PYTHON_SYNTAX = re.compile(r"\*\*|->|!=|<=|>=|\boo\b|Max\(|Min\(")


def test_printed_proofs_read_as_mathematics_with_the_relation_verified():
    import symact

    bound = symact.prove_bound("diff(sigmoid(x), x)", upper="1/4", equality_at=[0])
    strict = symact.prove_bound("tanh(x)", lower=-1, upper=1, strict=True)
    limit = symact.prove_limit("swish(x, beta)", "beta", "oo", "relu(x)")
    split = symact.prove("relu(x)", "(x + abs(x))/2")
    for p in (bound, strict, limit, split):
        assert p.proved
        assert not PYTHON_SYNTAX.search(str(p)), (str(p), PYTHON_SYNTAX.search(str(p))[0])
    assert "≤ 1/4" in str(bound) and "= 1/4" not in str(bound)
    assert "tanh(x) > -1" in str(strict) and "tanh(x) < 1" in str(strict) and "≤" not in str(strict)
    text = str(limit)
    assert "for x > 0:" in text and "for x < 0:" in text and "β─→∞" in text
    assert not re.search(r"^\s*→", text, re.M)  # the cases are not chained to one another
    assert [line.strip() for line in str(split).splitlines() if line.strip().startswith("for ")] == [
        "for x < 0:",
        "for x > 0:",
    ]
    assert r"\le \frac{1}{4}" in bound.latex() and r"\lim_{\beta \to \infty}" in limit.latex()


def test_long_parameters_are_rounded_with_the_exact_value_in_a_footnote():
    text = latex.activation("selu")
    facts = text.splitlines()[2]
    assert r"\alpha \approx 1.673263242$\footnote{Exactly $\alpha = 1.6732632423543772848170429916717$.}" in facts
    assert "= 0.01$" in latex.activation("leaky_relu")  # a short value stays as it is


@pytest.mark.parametrize("name", ["softmax", "softmin", "log_softmax"])
def test_vector_definitions_are_typeset_not_raw_text(name):
    text = latex.vector_activation(name)
    assert "sum_j" not in text and "(x)_i" not in text and "exp(" not in text
    assert r"\[y_1 = " in text


def test_the_catalog_table_has_no_placeholders_and_every_activation():
    from symact.catalog import names

    tex = latex.catalog_table()
    assert "long: see" not in tex and "see its section" not in tex
    main, _, second = tex.partition(r"\end{longtable}")
    for name in names():
        label = r"\texttt{" + name.replace("_", r"\_\allowbreak ") + "}"
        assert tex.count(label) == 1, name
    assert r"\symactfit" not in main  # a formula too wide for a column gets full lines in the second table
    assert second.count(r"\quad f(x) &=") == second.count(r"\texttt{")
