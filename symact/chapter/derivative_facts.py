"""The derivative facts of d2l.ai 5.1: sigmoid, tanh, ReLU at 0, softmax cross-entropy, and symact's f' checked.

>>> THEOREMS[0].name
'sigmoid_derivative'
"""

from __future__ import annotations

from dataclasses import replace

import mpmath
import sympy as sp

from symact.catalog import CATALOG, x
from symact.catalog import get as get_activation
from symact.chapter.parts import exact_proof, instances_proof, one_sided, titled
from symact.chapter.theorem import Theorem, theorem
from symact.derivation import derive
from symact.functions import expand_named, mp_function
from symact.precision import precision
from symact.proof import CHECKED, INSTANCES, SAMPLES, SYMBOLIC, UNKNOWN, Proof, prove, prove_bound
from symact.testing.assertions import autodiff, check_derivative, prove_derivative

__all__ = ["SECTION", "TITLE", "THEOREMS"]

SECTION = "derivatives"
TITLE = "The chapter's derivative facts"


@theorem(
    "sigmoid_derivative",
    SECTION,
    "sigmoid'(x) = sigmoid(x)(1 - sigmoid(x))",
    r"\frac{d}{dx} \frac{1}{1 + e^{-x}} = \sigma(x)\,(1 - \sigma(x))",
    r"Differentiating $1/(1 + e^{-x})$ gives $e^{-x}/(1 + e^{-x})^2$, which factors into $\sigma (1 - \sigma)$.",
    prose=r"$\sigma'(x) = \sigma(x)(1 - \sigma(x))$",
    activations=("sigmoid",),
)
def _sigmoid_derivative():
    return prove(sp.diff(1 / (1 + sp.exp(-x)), x), "sigmoid(x)*(1 - sigmoid(x))")


@theorem(
    "tanh_derivative",
    SECTION,
    "tanh'(x) = 1 - tanh(x)^2 = 4 / (exp(x) + exp(-x))^2, and 0 < tanh'(x) <= 1 with equality only at 0",
    r"\tanh'(x) = 1 - \tanh^2(x) = \frac{4}{(e^{x} + e^{-x})^2} \in (0, 1]",
    r"The quotient rule on $(e^x - e^{-x})/(e^x + e^{-x})$; the square $(e^x - e^{-x})^2$ is what "
    r"$1 - \tanh'(x)$ measures.",
    prose=r"$\tanh'(x) = 1 - \tanh^2(x) = 4 / (e^x + e^{-x})^2$, and $0 < \tanh'(x) \le 1$ with equality only at 0",
    activations=("tanh",),
)
def _tanh_derivative():
    definition = (sp.exp(x) - sp.exp(-x)) / (sp.exp(x) + sp.exp(-x))
    return [
        prove(sp.diff(definition, x), "1 - tanh(x)**2"),
        prove("1 - tanh(x)**2", "4/(exp(x) + exp(-x))**2"),
        prove_bound("diff(tanh(x), x)", upper=1, equality_at=[0]),
        prove_bound("diff(tanh(x), x)", lower=0, strict=True),
    ]


@theorem(
    "relu_derivative_at_zero",
    SECTION,
    "relu'(x) is 0 for x < 0 and 1 for x > 0; at 0 the one-sided derivatives are 0 and 1, and PyTorch and JAX both "
    "take 0 (SymPy's Heaviside(0) is 1/2)",
    r"\operatorname{relu}'(x) = \begin{cases} 0 & x < 0 \\ 1 & x > 0 \end{cases}, \quad \partial_-(0) = 0,\ "
    r"\partial_+(0) = 1",
    "ReLU is not differentiable at 0; the value used there is a convention, and the frameworks agree on 0.",
    prose=r"$\operatorname{relu}'(x)$ is 0 for $x < 0$ and 1 for $x > 0$; at 0 the one-sided derivatives are 0 and "
    r"1, and PyTorch and JAX both take 0 (SymPy's $\operatorname{Heaviside}(0)$ is $\frac12$)",
    activations=("relu",),
)
def _relu_at_zero():
    ok, steps, sides = one_sided("relu", get_activation("relu").expr)
    jax_value = derive("relu", kink="jax").kinks[0].value
    ok = ok and (sides["left"], sides["right"], sides["value"], jax_value) == (0, 1, 0, 0)
    ok = ok and sp.Heaviside(0) == sp.Rational(1, 2)
    return exact_proof(
        "relu on each side of 0 and at 0",
        ok,
        "branches and one-sided limits",
        steps,
        latex="the derivative on each side of 0 and the one-sided derivatives at 0, which differ: relu has no "
        "derivative at 0 (PyTorch and JAX take 0 there, a convention, not a derivative)",
        basis=SYMBOLIC,
    )


@theorem(
    "softmax_cross_entropy_gradient",
    SECTION,
    "For p = softmax(o) and a one-hot (or any probability) target y, d/do_j of -sum_i y_i log p_i is p_j - y_j",
    r"\frac{\partial}{\partial o_j} \Big(-\sum_i y_i \log \operatorname{softmax}(o)_i\Big) = "
    r"\operatorname{softmax}(o)_j - y_j",
    r"$\log \operatorname{softmax}(o)_i = o_i - \log \sum_k e^{o_k}$; its derivative times $y$, summed with "
    r"$\sum_i y_i = 1$, leaves $p_j - y_j$.",
    prose=r"For $p = \operatorname{softmax}(o)$ and a one-hot (or any probability) target $y$, the derivative of "
    r"$-\sum_i y_i \log p_i$ in $o_j$ is $p_j - y_j$",
    activations=("softmax", "log_softmax"),
)
def _softmax_ce():
    # any number of classes: only o_j, y_j and two sums that do not involve o_j enter the derivative
    o, y = sp.symbols("o_j y_j", real=True)
    rest = sp.Symbol("R", positive=True)  # sum of exp(o_k) over k != j
    others = sp.Symbol("S", real=True)  # sum of y_i o_i over i != j
    # -sum_i y_i (o_i - log sum_k exp(o_k)) = -(y_j o_j + S) + (sum_i y_i) log(exp(o_j) + R), and sum_i y_i = 1
    loss = -(y * o + others) + sp.log(sp.exp(o) + rest)
    p = titled(
        prove(sp.diff(loss, o), sp.exp(o) / (sp.exp(o) + rest) - y, R="positive"),
        r"for any number of classes: $-\sum_i y_i \log p_i = -(y_j o_j + S) + \log(e^{o_j} + R)$ with "
        r"$\sum_i y_i = 1$, $S = \sum_{i \ne j} y_i o_i$ and $R = \sum_{k \ne j} e^{o_k} > 0$ free of $o_j$; "
        r"its derivative in $o_j$ is $e^{o_j} / (e^{o_j} + R) - y_j = p_j - y_j$",
    )
    return p


def _derivative_identity(entry) -> Proof:
    """symact's f' against the derivative of f's elementary definition (named functions expanded, so that
    their own derivative rules are what is checked) where f is differentiable (``prove_derivative``); at the
    default parameters, *checked*, when no proof is in reach."""
    df = derive(entry.name).df
    entry = replace(entry, expr=expand_named(entry.expr))
    p = prove_derivative(entry, df)
    if p.status == UNKNOWN:
        at = {s.name: v for s, v in entry.defaults.items()}
        p = replace(prove_derivative(entry, df, **at), basis=INSTANCES)
        p = replace(p, statement=p.statement + " at " + ", ".join(f"{k} = {v}" for k, v in at.items()))
    return p


@theorem(
    "analytic_vs_numerical_derivative",
    SECTION,
    "For every catalog activation, the derivative symact derives equals the derivative of the elementary "
    "definition wherever f is differentiable, and each kink is left out with its one-sided derivatives",
    r"f'_{\text{symact}}(x) = \frac{d}{dx} f_{\text{definition}}(x) \quad (x \text{ not a kink of } f)",
    "Named functions carry their own derivative rules; proving each against the derivative of the elementary "
    "definition catches a wrong rule. At a kink there is no derivative to compare: the one-sided ones are listed.",
    prose="For every catalog activation, the derivative symact derives equals the derivative of the elementary "
    "definition wherever $f$ is differentiable; each kink is left out, with its one-sided derivatives",
)
def _analytic_vs_definition():
    proofs = [_derivative_identity(entry) for entry in CATALOG]
    return instances_proof(
        f"symact's f' equals d/dx of the definition for all {len(CATALOG)} catalog activations",
        rf"symact's $f'$ equals the derivative of the elementary definition, away from the kinks, for each of the "
        rf"{len(CATALOG)} catalog activations; shown: {proofs[0].statement}",
        proofs,
        " (" + ", ".join(e.name for e in CATALOG[1:]) + ")",
        every=True,
    )


@theorem(
    "numerical_derivative_agreement",
    SECTION,
    "symact's f' and f'' agree with numerical differentiation of f at 30 digits, and f' with forward-mode automatic "
    "differentiation, for every catalog activation at sample points away from its kinks",
    r"f'_{\text{symact}}(x) \approx \frac{f(x + h) - f(x - h)}{2h} \approx f'_{\text{autodiff}}(x)",
    "Numbers are a check, not a proof: they catch a derivative rule that is wrong in a way a symbolic identity "
    "cannot see, such as a wrong numerical kernel.",
    prose="symact's $f'$ and $f''$ agree with numerical differentiation at 30 digits, and $f'$ with forward-mode "
    "automatic differentiation, for every catalog activation at sample points away from its kinks",
    checked=True,
)
def _numerical_agreement():
    checks = [check_derivative(entry.name) for entry in CATALOG]
    failed = [c for c in checks if c.status != CHECKED]
    numerical = exact_proof(
        f"numerical differentiation agrees with f' and f'' of all {len(CATALOG)} catalog activations",
        not failed,
        "mpmath.diff at 30 digits",
        counterexample={"point": {"activation": failed[0].name}, "lhs": str(failed[0]), "rhs": ""} if failed else None,
        latex=rf"numerical differentiation at 30 digits agrees with $f'$ and $f''$ at "
        rf"{sum(c.points for c in checks)} sample points of the {len(CATALOG)} catalog activations",
        basis=SAMPLES,
    )
    disagreements, checked = [], 0
    with precision(30):
        for entry in CATALOG:
            f, df = entry.at_defaults(), derive(entry.name).df.subs(entry.defaults)
            analytic_f = mp_function(df)
            for t in ("-7.3", "-2.45", "-0.61", "0.37", "1.83", "4.4", "9.2"):
                point = mpmath.mpf(t)
                _, automatic = autodiff(f, point)
                want = analytic_f(point)
                checked += 1
                if abs(automatic - want) > mpmath.mpf("1e-25") * (1 + abs(want)):
                    disagreements.append((entry.name, t, mpmath.nstr(automatic, 20), mpmath.nstr(want, 20)))
    first = disagreements[0] if disagreements else None
    automatic = exact_proof(
        f"autodiff agrees with the analytic f' of all {len(CATALOG)} catalog activations",
        not disagreements,
        "forward-mode automatic differentiation",
        counterexample={"point": {"activation": first[0], "x": first[1]}, "lhs": first[2], "rhs": first[3]}
        if first
        else None,
        latex=rf"forward-mode automatic differentiation agrees with $f'$ at 30 digits at {checked} points, "
        rf"seven for each of the {len(CATALOG)} catalog activations",
        basis=SAMPLES,
    )
    return [numerical, automatic]


THEOREMS: tuple[Theorem, ...] = (
    _sigmoid_derivative,
    _tanh_derivative,
    _relu_at_zero,
    _softmax_ce,
    _analytic_vs_definition,
    _numerical_agreement,
)
