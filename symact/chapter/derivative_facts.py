"""The derivative facts of d2l.ai 5.1: sigmoid, tanh, ReLU at 0, softmax cross-entropy, and symact's f' checked.

>>> THEOREMS[0].name
'sigmoid_derivative'
"""

from __future__ import annotations

import mpmath
import sympy as sp

from symact.catalog import CATALOG, x
from symact.catalog import get as get_activation
from symact.chapter.parts import exact_proof, instances_proof, one_sided
from symact.chapter.theorem import Theorem, theorem
from symact.derivation import derive
from symact.functions import expand_named, mp_function
from symact.proof import REFUTED, Proof, Step, prove, prove_bound
from symact.testing.assertions import autodiff, check_derivative

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
    value = sp.Subs(sp.Derivative(sp.Function("relu")(x), x), x, 0)
    steps.append(Step(sp.Eq(value, sides["value"], evaluate=False), "the value PyTorch and JAX take at 0"))
    ok = ok and (sides["left"], sides["right"], sides["value"], jax_value) == (0, 1, 0, 0)
    ok = ok and sp.Heaviside(0) == sp.Rational(1, 2)
    return exact_proof(
        "relu on each side of 0 and at 0",
        ok,
        "branches and one-sided limits",
        steps,
        latex="the derivative on each side of 0, the one-sided derivatives at 0 and the frameworks' value",
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
    n = 3
    o = sp.symbols(f"x1:{n + 1}", real=True)
    y = list(sp.symbols(f"y1:{n}", real=True))
    y.append(1 - sum(y))
    log_p = get_activation("log_softmax").build(n)
    p = get_activation("softmax").build(n)
    loss = -sum(yi * lp for yi, lp in zip(y, log_p))
    proofs = [prove(sp.diff(loss, o[j]), p[j] - y[j]) for j in range(n)]
    return instances_proof(
        "softmax cross-entropy gradient for j = 1, 2, 3",
        r"for three classes, logits $x_1, x_2, x_3$ and $y_3 = 1 - y_1 - y_2$; shown: $j = 1$",
        proofs,
        r" ($j = 2, 3$)",
    )


_AD_CHECKED = ("sigmoid", "tanh", "softplus", "gelu", "swish", "mish", "elu")


@theorem(
    "analytic_vs_numerical_derivative",
    SECTION,
    "The analytic derivative symact derives equals the derivative of the elementary definition, agrees with "
    "numerical differentiation of f at 30 digits, and with forward-mode automatic differentiation of every "
    "catalog activation away from its kinks",
    r"f'_{\text{analytic}}(x) = \frac{d}{dx} f_{\text{definition}}(x) \approx \frac{f(x + h) - f(x - h)}{2h}"
    r" = f'_{\text{autodiff}}(x)",
    "Named functions carry their own derivative rules; checking them against the definition, against numbers "
    "and against automatic differentiation catches a wrong rule.",
    prose="The analytic derivative symact derives equals the derivative of the elementary definition, agrees with "
    "numerical differentiation at 30 digits, and with forward-mode automatic differentiation, for every catalog "
    "activation away from its kinks",
    activations=_AD_CHECKED,
)
def _analytic_vs_numerical():
    analytic = []
    for name in _AD_CHECKED:
        d = derive(name)
        entry = get_activation(name)
        positive = {p.name: "positive" for p in entry.params}
        p = prove(d.df, sp.diff(expand_named(entry.expr), x), **positive)
        check = check_derivative(name)
        status = p.status if check.ok else REFUTED
        analytic.append(
            Proof(
                f"{name}' analytic = d/dx definition; {check}",
                status,
                p.method,
                p.steps,
                p.counterexample,
                p.evidence,
                p.lhs,
                p.rhs,
            )
        )
    # forward-mode automatic differentiation of the definition against the derived f', whole catalog
    disagreements, checked = [], 0
    with mpmath.workdps(30):
        for entry in CATALOG:
            name = entry.name
            f, df = entry.at_defaults(), derive(name).df.subs(entry.defaults)
            analytic_f = mp_function(df)
            for t in ("-7.3", "-2.45", "-0.61", "0.37", "1.83", "4.4", "9.2"):
                point = mpmath.mpf(t)
                _, automatic = autodiff(f, point)
                want = analytic_f(point)
                checked += 1
                if abs(automatic - want) > mpmath.mpf("1e-25") * (1 + abs(want)):
                    disagreements.append((name, t, mpmath.nstr(automatic, 20), mpmath.nstr(want, 20)))
    ce = (
        {
            "point": {"activation": disagreements[0][0], "x": disagreements[0][1]},
            "lhs": disagreements[0][2],
            "rhs": disagreements[0][3],
        }
        if disagreements
        else None
    )
    return [
        instances_proof(
            "symact's f' equals d/dx of the definition, and numerical differentiation agrees",
            r"symact's $f'$ equals the derivative of the elementary definition and agrees with numerical "
            r"differentiation at 30 digits; shown: $\sigma$",
            analytic,
            " (" + ", ".join(_AD_CHECKED[1:]) + ")",
        ),
        exact_proof(
            f"autodiff agrees with the analytic f' of all {len(CATALOG)} catalog activations",
            not disagreements,
            "forward-mode automatic differentiation",
            (),
            ce,
            latex=rf"forward-mode automatic differentiation agrees with $f'$ at 30 digits at {checked} points, "
            rf"seven for each of the {len(CATALOG)} catalog activations",
        ),
    ]


THEOREMS: tuple[Theorem, ...] = (
    _sigmoid_derivative,
    _tanh_derivative,
    _relu_at_zero,
    _softmax_ce,
    _analytic_vs_numerical,
)
