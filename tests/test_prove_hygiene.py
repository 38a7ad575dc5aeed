"""Symbol hygiene: a user's parameter may carry any name the library uses inside (s = exp(x) in bounds,
t in limits, y for f(x), ...); renaming it never changes a verdict, and no verdict contradicts the truth."""

import functools

from hypothesis import given, settings
from hypothesis import strategies as st

from symact.proof import PROVED, REFUTED, prove, prove_bound, prove_limit

# names symact uses for its own symbols (and catalog parameter names), each a name a user may write
INTERNAL = ["s", "t", "u", "y", "k", "h", "z", "n", "d", "w", "e_x", "t0", "y1", "dd0", "S", "N"]
INTERNAL += ["alpha", "beta", "b", "lambd", "scale"]
NEUTRAL = "q"

# (kind, arguments with {p} for the parameter, assumptions on it, true?)
CORPUS = [
    ("prove", ("relu({p}*x) + relu(-{p}*x)", "abs({p}*x)"), None, True),
    ("prove", ("swish(x, {p})", "x*sigmoid({p}*x)"), "positive", True),
    ("prove", ("sigmoid({p}*x) + sigmoid(-{p}*x)", "1"), None, True),
    ("prove", ("tanh({p}*x) + 1", "2*sigmoid({p}*x)"), None, False),
    ("prove", ("{p}*relu(x)", "relu({p}*x)"), None, False),
    ("bound", ("sigmoid({p}*x)", {"upper": 1, "strict": True}), None, True),
    ("bound", ("{p}*tanh(x)", {"upper": "{p}"}), "positive", True),
    ("bound", ("exp(x)", {"upper": "{p}"}), "positive", False),
    ("bound", ("x*sigmoid(x)", {"lower": "-{p}"}), "positive", False),
    ("limit", ("sigmoid({p}*x) + x*exp(-x**2)", "{p}", "oo", "heaviside(x)"), None, False),
    ("limit", ("swish(x, {p})", "{p}", "oo", "relu(x)"), None, True),
    ("limit", ("swish(x, {p})", "{p}", 0, "x/2"), "positive", True),
    ("limit", ("{p}*softplus(x/{p})", "{p}", 0, "relu(x)"), "positive", True),
    ("limit", ("sigmoid({p}*x)", "{p}", "oo", "1"), None, False),
]


def _fill(value, name):
    if isinstance(value, str):
        return value.replace("{p}", name)
    if isinstance(value, dict):
        return {k: _fill(v, name) for k, v in value.items()}
    if isinstance(value, tuple):
        return tuple(_fill(v, name) for v in value)
    return value


@functools.cache
def verdict(index: int, name: str) -> str | None:
    """The verdict on CORPUS[index] with its parameter named ``name``; None when it ran out of budget."""
    kind, args, kind_of_p, _ = CORPUS[index]
    args = _fill(args, name)
    assumptions = {name: kind_of_p} if kind_of_p else {}
    if kind == "prove":
        p = prove(*args, budget=20, **assumptions)
    elif kind == "bound":
        p = prove_bound(args[0], budget=20, **args[1], **assumptions)
    else:
        p = prove_limit(*args, budget=20, **assumptions)
    return None if p.method == "timeout" else p.status


@settings(max_examples=len(INTERNAL))
@given(st.sampled_from(INTERNAL))
def test_renaming_a_parameter_keeps_every_verdict(name):
    for index, (_, _, _, truth) in enumerate(CORPUS):
        assert verdict(index, NEUTRAL) != (REFUTED if truth else PROVED), CORPUS[index]
        renamed, neutral = verdict(index, name), verdict(index, NEUTRAL)
        assert None in (renamed, neutral) or renamed == neutral, (CORPUS[index], name)  # timeouts counted apart


def test_the_names_s_and_t_meet_no_internal_symbol():
    assert prove_limit("sigmoid(t*x) + x*exp(-x**2)", "t", "oo", "heaviside(x)").status == REFUTED
    assert prove_bound("exp(x)", upper="s", s="positive").status == REFUTED
    assert prove_limit("t*softplus(x/t)", "t", 0, "relu(x)", t="positive").status != REFUTED


def test_real_is_an_assumption():
    assert prove("relu(a*x) + relu(-a*x)", "|a*x|", a="real").status == PROVED
    assert prove("relu(a*x) - relu(-a*x)", "|a*x|", a="real").status == REFUTED
