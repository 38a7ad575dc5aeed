"""Define a new activation, derive it, prove facts about it, and get its table of properties.

The bipolar sigmoid 2 sigmoid(x) - 1 of the early neural-network literature: the string goes through
symact's whitelist parser (never ``eval``), and from then on the activation is used by name like any
catalog entry, in derivations, proofs, kernels and tables.

    python examples/define_and_prove.py
"""

import numpy as np

import symact
from symact.testing.assertions import check_derivative

symact.define("bipolar_sigmoid", "2*sigmoid(x) - 1")

d = symact.derive("bipolar_sigmoid")
print("f(x)  =", d.f)
print("f'(x) =", d.df)
print("f'    =", d.df_of_output, "  with y = f(x)")
print(check_derivative("bipolar_sigmoid"))  # f' and f'' against mpmath's numerical derivatives

# It is tanh in disguise: proved by rewriting both sides to exp; a wrong guess gets a counterexample.
print(symact.prove("bipolar_sigmoid(x)", "tanh(x/2)"))
print(repr(symact.prove("bipolar_sigmoid(x)", "tanh(x)")))

# Bounds for all real x, with where equality holds.
print(symact.prove_bound("diff(bipolar_sigmoid(x), x)", upper="1/2", equality_at=[0]))
print(repr(symact.prove_bound("bipolar_sigmoid(x)", lower=-1, upper=1, strict=True)))

# The properties, each backed by a proof, and a table next to tanh.
p = symact.properties("bipolar_sigmoid")
for name in ("range", "monotonic", "parity", "lipschitz", "continuity"):
    print(f"{name:>10}: {p[name].value}  ({p[name].proof.status})")
print(symact.table(["bipolar_sigmoid", "tanh"], ["range", "monotonic", "lipschitz", "parity"]))

# A NumPy kernel comes with it (stable: exp never overflows), f' from x or from the output y.
k = symact.kernel("bipolar_sigmoid")
xs = np.array([-800.0, -2.0, 0.0, 2.0])
y = k(xs)
print("x =", xs, " f =", y, " f' =", k.grad(xs), " f' from y =", k.grad_from_output(y))
