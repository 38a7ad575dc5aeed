"""Products with a decaying node computed where the node underflows: scaled by 2**128, brought back once.

x*sigmoid(x) at x = -714.75 multiplied a subnormal sigmoid, which had lost 9 bits, by 714.75: 285 ULP.
``scale_tiny`` gives every decaying node of ``symact.kernels.rules`` (sigmoid, its derivative, softplus,
sech**2, exp(-c u**2), Phi) its cut ``w``: where the node's value is below exp(-TINY) (u < -w, or |u| > w),
its helper returns the value times 2**128 (see ``symact.kernels.helpers``). ``s_unscale(u, p, w, two_sided)``
multiplies ``p`` back by 2**-128 there; products, and functions linear at 0 (tanh(softplus(x)) of mish), move
inside it, so the product is formed before anything underflows and rounded to a subnormal only once.

>>> from symact.catalog import x
>>> from symact.kernels.nodes import s_sigmoid
>>> scale_tiny([x * s_sigmoid(x), s_sigmoid(x)])   # each expression on its own: the second is bare
[s_unscale(x, x*s_sigmoid(x, 640.0), 640.0, 0), s_sigmoid(x, oo)]
>>> scale_tiny([x * s_sigmoid(x) + s_sigmoid(x)])   # the node appears in a product: scaled everywhere
[s_unscale(x, x*s_sigmoid(x, 640.0), 640.0, 0) + s_unscale(x, s_sigmoid(x, 640.0), 640.0, 0)]
>>> scale_tiny([s_sigmoid(x)])                 # bare: no scaling
[s_sigmoid(x, oo)]
"""

from __future__ import annotations

import math

import sympy as sp

from symact.kernels.nodes import NODES, s_expm1, s_log1p, s_unscale

__all__ = ["scale_tiny", "guard_beyond", "GUARD_BEYOND"]

GUARD_BEYOND = 1e15  # |u| past which a NaN of a guarded output is the limit (u: the decaying nodes' argument)

# Functions g with g(y) = a*y*(1 + O(y)) at 0: g(2**k y) = 2**k g(y) for a subnormal y, so they commute with scaling.
_LINEAR_AT_ZERO = (
    sp.tanh,
    sp.sinh,
    sp.sin,
    sp.tan,
    sp.atan,
    sp.asinh,
    sp.atanh,
    sp.erf,
    s_expm1,
    s_log1p,
)


def _cut(node: sp.Expr) -> tuple[float, int] | None:
    """(w, two-sided) of a decaying node without its cut: its value is below exp(-TINY) where t < -w (or |t| > w)."""
    row = NODES.get(type(node).__name__)
    if row is None or row.cut is None or len(node.args) != 1 + row.params:
        return None
    w = row.cut(*node.args[1:])
    return None if w is None else (w, int(row.two_sided))


def _pull(e):
    """R*s_unscale(u, p, ...) -> s_unscale(u, R*p, ...); g(s_unscale(u, p, ...)) -> s_unscale(u, g(p), ...)."""
    if isinstance(e, sp.Mul):
        scaled = [f for f in e.args if f.func is s_unscale]
        rest = sp.Mul(*[f for f in e.args if f.func is not s_unscale])
        if scaled and len(e.args) > 1 and not (rest.is_number and abs(rest) <= 1):  # c*y, |c| <= 1: 1 ULP
            inner = sp.Mul(*[f for f in e.args if f.func is not s_unscale], *[f.args[1] for f in scaled])
            for f in scaled:
                inner = s_unscale(f.args[0], inner, *f.args[2:])
            return inner
    if e.func in _LINEAR_AT_ZERO and len(e.args) == 1 and e.args[0].func is s_unscale:
        u = e.args[0]
        return s_unscale(u.args[0], e.func(u.args[1]), *u.args[2:])
    return e


def _decaying(e: sp.Expr) -> bool:
    row = NODES.get(type(e).__name__)
    return row is not None and row.cut is not None


def scale_tiny(exprs: list[sp.Expr]) -> list[sp.Expr]:
    """``exprs`` with every decaying node given its cut and wrapped, products moved inside the wrappers; a node
    that only appears bare keeps w = oo (no scaling). Each expression is decided on its own, so that the outputs
    of a kernel computing several (``value_and_grad``) are bit for bit those of the kernels computing each."""

    def mark(e):
        cut = _cut(e)
        return None if cut is None else s_unscale(e.args[0], e.func(*e.args, cut[0]), *cut)

    return [_bare_unscaled(sp.bottom_up(e.replace(lambda t: mark(t) is not None, mark), _pull)) for e in exprs]


def _bare_unscaled(expr: sp.Expr) -> sp.Expr:
    """``expr`` with w = oo for each node that appears only bare (wrapped in an ``s_unscale`` and nothing else)."""
    for u in {u for u in expr.atoms(s_unscale) if _decaying(u.args[1])}:
        node = u.args[1]
        trial = expr.xreplace({u: node.func(*node.args[:-1], sp.oo)})
        if not trial.has(node):
            expr = trial
    return expr


def guard_beyond(form: sp.Expr, dd: dict, var: sp.Symbol) -> float:
    """The |x| past which every decaying node of ``form`` has an argument beyond ``GUARD_BEYOND`` (at most
    ``GUARD_BEYOND``): there a NaN of the output is an overflowing factor times an underflowed node, as at
    |x| > ``GUARD_BEYOND`` for the argument x itself. swish at beta = 1e300 computes silu's forms of beta*x:
    its NaN at x = 1e9 (beta*x overflows, sigmoid'(beta*x) is 0) is silu's at 1e309. For p(x) = a x**n + ...,
    |p(x)| >= |a| |x|**n / 2 >= GUARD_BEYOND where each |c_k x**k| <= |a x**n| / (2n) and |x|**n >= 2 GUARD_BEYOND / |a|.

    >>> from symact.catalog import x
    >>> from symact.kernels.nodes import s_dsigmoid
    >>> u = sp.Symbol("dd0")
    >>> guard_beyond(x * s_dsigmoid(u, 640), {u: ((1e300, 0.0), (0.0, 0.0))}, x), guard_beyond(s_dsigmoid(x), {}, x)
    (1.9999999999999998e-285, 1000000000000000.0)
    """
    found = []
    for node in sp.preorder_traversal(form):
        row = NODES.get(type(node).__name__)
        if row is None or row.cut is None:
            continue
        pairs = dd.get(node.args[0])
        if pairs is None or len(pairs) < 2 or pairs[0][0] == 0 or not all(map(math.isfinite, (c for c, _ in pairs))):
            return GUARD_BEYOND  # an argument not a polynomial of x in double-double: x's own units
        a, n = abs(pairs[0][0]), len(pairs) - 1
        reach = [(2 * n * abs(c) / a) ** (1 / (n - k)) for k, (c, _) in zip(range(n - 1, -1, -1), pairs[1:])]
        found.append(max([(2 * GUARD_BEYOND / a) ** (1 / n), *reach]))
    return min(GUARD_BEYOND, max(found)) if found else GUARD_BEYOND
