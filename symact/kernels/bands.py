"""Underflow bands of a kernel plan's forms, and the forms outside them, for the fused loops.

``symact.kernels.underflow`` gives a decaying node its cut w: in its band (t < -w, or |t| > w) the node is scaled
by 2**128 and ``s_unscale`` brings the product back. Outside every band, a node with a finite cut computes what the
same node with the cut oo computes, operation for operation. Where two nodes differ only in their cut (silu's f
takes sigmoid with one, its f' sigmoid without), the loop (``symact.kernels.fused_source``) runs a block through
the code with every cut oo, computing those nodes once (``merged``), and again with the bands only where an
element lies in one (``plan_bands``).

>>> from symact.catalog import x
>>> from symact.kernels.nodes import s_sigmoid
>>> sorted(merged([x * s_sigmoid(x, 640.0), s_sigmoid(x, sp.oo)]).items(), key=str)
[(s_sigmoid(x, 640.0), s_sigmoid(x, oo)), (s_sigmoid(x, oo), s_sigmoid(x, oo))]
"""

from __future__ import annotations

import sympy as sp

from symact.kernels.nodes import NODES, StableNode, s_unscale
from symact.kernels.plan import Plan

__all__ = ["cut_at", "outside", "merged", "plan_bands"]


def _cut_node(e: sp.Expr) -> bool:
    """Whether ``e`` is a decaying node with its cut (``symact.kernels.underflow``)."""
    row = NODES.get(type(e).__name__)
    return row is not None and row.cut is not None and len(e.args) == 2 + row.params


def cut_at(e: sp.Expr) -> int | None:
    """The index of the argument of ``e`` that is a finite underflow cut (``symact.kernels.underflow``: a decaying
    node's last, an ``s_unscale``'s third), or None. Printed as oo, the code computes what it computes outside
    the bands: the same operations, no scaling.

    >>> from symact.catalog import x
    >>> from symact.kernels.nodes import s_sigmoid
    >>> cut_at(s_sigmoid(x, 640.0)), cut_at(s_unscale(x, x, 640.0, 0)), cut_at(s_sigmoid(x, sp.oo))
    (1, 2, None)
    """
    if e.func is s_unscale:
        return 2 if e.args[2].is_finite else None
    return len(e.args) - 1 if _cut_node(e) and e.args[-1].is_finite else None


def outside(e: sp.Expr) -> sp.Expr:
    """The node ``e`` with its finite cut oo, as it computes outside the bands (``cut_at``)."""
    cut = cut_at(e)
    return e if cut is None else e.func(*(sp.oo if i == cut else a for i, a in enumerate(e.args)))


def merged(exprs: list[sp.Expr]) -> dict[sp.Expr, sp.Expr]:
    """The nodes of ``exprs`` that compute one value outside the bands, several differing only in their cut
    (sigmoid with and without one): each to that node with the cut oo, which the code computes once."""
    groups: dict[sp.Expr, set] = {}
    for node in (n for e in exprs for n in sp.preorder_traversal(e) if isinstance(n, StableNode)):
        groups.setdefault(outside(node), set()).add(node)
    return {node: key for key, nodes in groups.items() if len(nodes) > 1 for node in nodes}


def plan_bands(plan: Plan) -> list[tuple[sp.Expr, float, bool]]:
    """The underflow bands of ``plan``'s forms, (argument, cut, two-sided), where the code outside them saves
    work: where two decaying nodes differ only in their cut (or, computing one exponential, ``Node.decay``,
    in their bands), as f and f' of silu do, they compute one thing outside the bands. [] where none do."""
    found, kinds = set(), {}
    for e in (e for form in plan.forms for e in sp.preorder_traversal(form)):
        if e.func is s_unscale and e.args[2].is_finite:
            found.add((e.args[0], float(e.args[2]), bool(e.args[3])))
        if _cut_node(e):
            row = NODES[type(e).__name__]
            if e.args[-1].is_finite:
                found.add((e.args[0], float(e.args[-1]), row.two_sided))
            key = (row.decay, e.args[0]) if row.decay else (e.func, e.args[:-1])
            kinds.setdefault(key, set()).add((e.args[-1], row.two_sided))
    found -= {(t, w, False) for t, w, both in found if both}  # within the two-sided band of the same cut
    return sorted(found, key=str) if any(len(k) > 1 for k in kinds.values()) else []
