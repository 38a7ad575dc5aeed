"""A lecture's worth of derivations: the activations of an MLP chapter, their derivatives and LaTeX.

For each activation: f, f', the derivative written from the output y = f(x) (what backpropagation can
reuse), and the kinks with their one-sided derivatives. The last block is LaTeX ready for slides.

    python examples/lecture_derivations.py
"""

import symact

CHAPTER = ["sigmoid", "tanh", "relu", "leaky_relu", "elu", "softplus", "swish", "gelu"]

for name in CHAPTER:
    d = symact.derive(name)
    print(f"== {name}")
    print(f"  f(x)  = {d.f}")
    print(f"  f'(x) = {d.df}")
    if d.df_of_output is not None:  # None when f cannot be inverted (swish, gelu)
        print(f"  f'    = {d.df_of_output}   with y = f(x)")
    for at, sides in d.kinks.items():
        print(f"  kink at x = {at}: left f' = {sides.left}, right f' = {sides.right}, taken = {sides.value}")

# The kink is a convention: PyTorch and JAX differ for leaky_relu at 0.
for policy in ("torch", "jax"):
    print(f"leaky_relu'(x) under kink={policy!r}: {symact.derive('leaky_relu', kink=policy).df}")

# Parameters stay symbolic until given: swish with beta = 1 is silu.
print("silu'(x) =", symact.derive("swish", beta=1).df)

# Facts of the chapter, proved rather than asserted (print(proof) shows the chain step by step).
for lhs, rhs in [
    ("sigmoid(-x)", "1 - sigmoid(x)"),
    ("diff(tanh(x), x)", "4/(exp(x) + exp(-x))**2"),
    ("tanh(x) + 1", "2*sigmoid(2*x)"),
]:
    print(f"{lhs} = {rhs}:", repr(symact.prove(lhs, rhs)))
print(symact.prove("tanh(x) + 1", "2*sigmoid(2*x)"))

print("LaTeX for the slides:")
for name in ("sigmoid", "swish"):
    print(symact.derive(name).latex())
