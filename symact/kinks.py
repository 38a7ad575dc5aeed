"""Kinks: where an activation is not differentiable, its one-sided derivatives, and the policy.

The derivative at a kink is a convention, not a fact. ``POLICIES`` names the choices;
``FRAMEWORK_CONVENTIONS`` gathers, per activation and kink, which side PyTorch and JAX take (from the catalog rows).
``switch_points`` and ``pieces`` split an activation at its switch points into smooth pieces, the
points ordered and told apart by certified signs, never by rounded floats.

>>> from symact.catalog import get
>>> [(k.point, k.left, k.right) for k in find_kinks(get('prelu').expr, get('prelu').defaults)]
[(0, alpha, 1)]
>>> kink_value(find_kinks(get('relu').expr, {})[0], 'mean', 'relu')
1/2
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import dataclass

import sympy as sp

from symact.catalog import CATALOG, x
from symact.errors import ParameterError, TooLarge, UndecidedSign
from symact.magnitude import too_large
from symact.numerics import certified_sign, certified_truth
from symact.tidy import is_zero, tidy

__all__ = [
    "smooth_variants",
    "Kink",
    "POLICIES",
    "FRAMEWORK_CONVENTIONS",
    "find_kinks",
    "kink_value",
    "kink_reason",
    "resolve",
    "check_policy",
    "switch_functions",
    "switch_points",
    "Piece",
    "pieces",
    "rational_inside",
]

POLICIES = ("torch", "jax", "left", "right", "mean")

# For each catalog activation, kink point -> (PyTorch's side, JAX's side): the rows' ``framework_kinks``.
# An activation a framework lacks takes the other framework's side; anything else unlisted, 'left'.
FRAMEWORK_CONVENTIONS: dict[str, Mapping[sp.Expr, tuple[str | None, str | None]]] = {
    entry.name: entry.framework_kinks for entry in CATALOG if entry.framework_kinks
}


@dataclass(frozen=True)
class Kink:
    """A point where f is not differentiable: one-sided derivatives and f's one-sided values."""

    point: sp.Expr
    left: sp.Expr
    right: sp.Expr
    value_left: sp.Expr
    value_right: sp.Expr

    @property
    def continuous(self) -> bool:
        """Whether f's one-sided values agree at the point (a kink of the derivative, not a jump of f)."""
        return is_zero(self.value_left - self.value_right)


def check_policy(kink: str) -> str:
    """Return ``kink`` if it names a kink policy, else raise ``ParameterError``.

    >>> check_policy('mean')
    'mean'
    """
    if kink not in POLICIES:
        raise ParameterError("kink", "kink", f"must be one of {', '.join(POLICIES)}, got {kink!r}", POLICIES)
    return kink


def kink_value(k: Kink, policy: str, name: str | None = None) -> sp.Expr:
    """The derivative a policy assigns at the kink ``k`` of activation ``name``."""
    side = check_policy(policy)
    if side in ("torch", "jax"):
        side = framework_side(name, k.point, policy)
    if side == "left":
        return k.left
    if side == "right":
        return k.right
    return tidy((k.left + k.right) / 2)


def kink_reason(k: Kink, policy: str, name: str | None = None) -> str:
    """Which convention ``policy`` takes at the kink ``k`` of ``name``, and why, in words.

    >>> print(kink_reason(find_kinks(sp.Abs(x), {})[0], 'torch', ''))
    left derivative, by design (torch's convention is recorded for catalog activations only; torch may differ)
    """
    check_policy(policy)
    if policy not in ("torch", "jax"):
        return f"{policy} policy"
    table = FRAMEWORK_CONVENTIONS.get(name or "", {})
    for key, sides in table.items():
        if is_zero(sp.sympify(key) - k.point):
            own = sides[0] if policy == "torch" else sides[1]
            if own is not None:
                return f"{policy} policy ({own} derivative, as {policy} autograd computes it)"
            other = "jax" if policy == "torch" else "torch"
            return f"{policy} policy ({framework_side(name, k.point, policy)} derivative, {other}'s: {policy} lacks it)"
    side = framework_side(name, k.point, policy)
    if table:
        known = f"is recorded for {name!r} at other points"
    else:
        known = f"is not recorded for {name!r}" if name else "is recorded for catalog activations only"
    return f"{side} derivative, by design ({policy}'s convention {known}; {policy} may differ)"


def framework_side(name: str | None, point: sp.Expr, framework: str) -> str:
    """Which side ``framework`` takes at ``point`` of ``name`` (see ``FRAMEWORK_CONVENTIONS``)."""
    table = FRAMEWORK_CONVENTIONS.get(name or "", {})
    for key, (torch_side, jax_side) in table.items():
        if is_zero(sp.sympify(key) - point):
            first, second = (torch_side, jax_side) if framework == "torch" else (jax_side, torch_side)
            return first or second or "left"
    return "left"


# ---- resolving non-smooth nodes ----------------------------------------------------------------

_NONSMOOTH = (sp.Max, sp.Min, sp.Abs, sp.sign, sp.Heaviside, sp.Piecewise)


def is_smooth(expr: sp.Expr) -> bool:
    """True when ``expr`` has no Max, Min, Abs, sign, Heaviside or Piecewise."""
    return not expr.has(*_NONSMOOTH)


def _number(expr: sp.Expr, values: Mapping) -> sp.Expr:
    return sp.N(expr.subs(values), 30)


def resolve(expr: sp.Expr, values: Mapping) -> sp.Expr:
    """Replace each non-smooth node by the branch active at the numeric point ``values``.

    Each branch is chosen from a certified sign (``numerics.certified_sign``); at an exact zero,
    sign gives 0 and Heaviside its value at 0. A sign that cannot be certified raises
    ``UndecidedSign``, never a guess, and so does a chosen constant too large to build
    (``symact.magnitude``: Max(x, 3)**3**3**3 at x = 2).

    >>> resolve(sp.Max(0, x) + sp.Abs(x - 1), {x: sp.Rational(1, 2)})
    1
    >>> resolve(sp.Max(0, x) + sp.Abs(x - 1), {x: 2})
    2*x - 1
    >>> resolve(x * sp.sign(x), {x: 0})
    0
    """
    if not expr.args or expr.is_Atom:
        return expr
    if isinstance(expr, sp.Piecewise):
        for branch, cond in expr.args:
            truth = certified_truth(cond.xreplace(values)) if isinstance(cond, sp.Basic) else bool(cond)
            if truth is None:
                raise UndecidedSign(cond.xreplace(values))
            if truth:
                return resolve(branch, values)
        raise ParameterError("piecewise", str(expr), "covers no branch at this point")
    args = [resolve(a, values) if isinstance(a, sp.Basic) else a for a in expr.args]
    if isinstance(expr, (sp.Max, sp.Min)):
        best = args[0]
        for a in args[1:]:
            s = _sign_at(a - best, values)
            if s != 0 and (s > 0) == isinstance(expr, sp.Max):
                best = a
        return best
    if isinstance(expr, (sp.Abs, sp.sign, sp.Heaviside)):
        inner = args[0]
        s = _sign_at(inner, values)
        if isinstance(expr, sp.Abs):
            return inner if s >= 0 else -inner
        if isinstance(expr, sp.sign):
            return sp.Integer(s)
        at_zero = args[1] if len(args) > 1 else sp.Rational(1, 2)
        return sp.S.One if s > 0 else sp.S.Zero if s < 0 else at_zero
    if args != list(expr.args) and not any(a.free_symbols for a in args if isinstance(a, sp.Basic)):
        node = expr.func(*args, evaluate=False)
        if too_large(node):  # Max(x, 3)**3**3**3 at x = 2: SymPy would build 3**7625597484987
            raise UndecidedSign(node)
    return expr.func(*args)


def _sign_at(expr: sp.Expr, values: Mapping) -> int:
    s = certified_sign(expr.xreplace(values))
    if s is None:
        raise UndecidedSign(expr.xreplace(values))
    return s


def switch_functions(expr: sp.Expr, only_in_x: bool = True) -> set[sp.Expr]:
    """Expressions whose zeros are where some non-smooth node of ``expr`` may switch branch.

    >>> sorted(switch_functions(sp.Max(0, x - 1) + sp.Abs(x)), key=str)
    [1 - x, x]
    """
    found = set()
    for node in sp.preorder_traversal(expr):
        if isinstance(node, (sp.Max, sp.Min)):
            found |= {a - b for a, b in itertools.combinations(node.args, 2)}
        elif isinstance(node, (sp.Abs, sp.sign, sp.Heaviside)):
            found.add(node.args[0])
        elif isinstance(node, sp.Piecewise):
            for _, cond in node.args:
                if isinstance(cond, sp.Basic):
                    found |= {r.lhs - r.rhs for r in cond.atoms(sp.core.relational.Relational)}
    return {g for g in found if g.has(x)} if only_in_x else found


def smooth_variants(expr: sp.Expr, limit: int = 64) -> list[sp.Expr]:
    """Every smooth expression obtained by choosing one branch of each non-smooth node (at most ``limit``).

    >>> from symact.catalog import x
    >>> smooth_variants(sp.Max(0, x) + sp.Abs(x))
    [x, 2*x, -x, 0]
    """
    variants = [expr]
    for _ in range(8):
        nxt = []
        for v in variants:
            node = next((n for n in sp.preorder_traversal(v) if isinstance(n, _NONSMOOTH)), None)
            if node is None:
                nxt.append(v)
                continue
            if isinstance(node, sp.Piecewise):
                choices = [b for b, _ in node.args]
            elif isinstance(node, (sp.Max, sp.Min)):
                choices = list(node.args)
            elif isinstance(node, sp.Abs):
                choices = [node.args[0], -node.args[0]]
            else:
                choices = [sp.S.Zero, sp.S.One]
            nxt += [v.xreplace({node: c}) for c in choices]
        variants = list(dict.fromkeys(nxt))[:limit]
        if all(is_smooth(v) for v in variants):
            break
    return [v for v in variants if is_smooth(v)]


def switch_points(expr: sp.Expr, values: Mapping) -> list[sp.Expr]:
    """Break points of ``expr`` in ``x``, symbolic, in increasing order of their value at ``values``.

    Two roots are one point only when their difference at ``values`` is exactly zero, and the
    order comes from certified signs of the differences (``numerics.certified_sign``); a pair that
    cannot be certified raises ``UndecidedSign``. A root that is not a real number at ``values`` is
    left out.

    >>> switch_points(sp.Max(x - sp.sqrt(2), 0) + sp.Abs(x - sp.sqrt(8) / 2) + sp.Max(x, -1), {})
    [-1, sqrt(2)]
    >>> switch_points(sp.Max(x, 0) + sp.Max(x - sp.Rational(1, 10**15), 0), {})
    [0, 1/1000000000000000]
    """
    found: list[tuple[sp.Expr, sp.Expr]] = []  # (point, its value at ``values``), in increasing order
    for g in switch_functions(expr):
        for variant in smooth_variants(g):
            if not variant.has(x):
                continue
            try:
                roots = _zeros(variant)
            except (NotImplementedError, ValueError):
                continue
            for root in roots:
                value = _real_value(root, values)
                if value is not None:
                    _insert(found, root, value)
    return [point for point, _ in found]


def _zeros(g: sp.Expr) -> list[sp.Expr]:
    """Every x with g = 0: the exact roots of a polynomial of degree at most 2, else what ``solve`` finds.

    >>> _zeros(x**2 - 2), _zeros(sp.exp(x) - 2)
    ([-sqrt(2), sqrt(2)], [log(2)])
    """
    if g.is_polynomial(x) and sp.degree(g, x) <= 2:
        return list(sp.roots(sp.Poly(g, x)))
    return sp.solve(g, x)


def _real_value(root: sp.Expr, values: Mapping) -> sp.Expr | None:
    """The value of ``root`` at ``values`` when it is a finite real number (decided exactly), else None."""
    value = sp.sympify(root).subs(values)
    if value.has(sp.nan, sp.zoo, sp.oo, -sp.oo) or value.is_finite is False:
        return None
    if not value.is_number:
        if value.is_extended_real:
            raise UndecidedSign(value)  # a real point that depends on a parameter without a value
        return None
    real = value.is_extended_real
    if real is None:
        imaginary = certified_sign(sp.im(value)) if not sp.im(value).has(sp.I) else None
        if imaginary is None:
            raise UndecidedSign(sp.im(value))
        real = imaginary == 0
    return value if real else None


def _insert(found: list, point: sp.Expr, value: sp.Expr) -> None:
    """Put (point, value) in its place in ``found``, unless a point there has exactly this value."""
    for i, (_, other) in enumerate(found):
        s = certified_sign(value - other)
        if s is None:
            raise UndecidedSign(value - other)
        if s == 0:
            return
        if s < 0:
            found.insert(i, (point, value))
            return
    found.append((point, value))


@dataclass(frozen=True)
class Piece:
    """The smooth form ``f`` of an activation on the open interval (``lo``, ``hi``) between consecutive
    switch points (symbolic, in the parameters; -oo and oo at the ends). ``probe`` is a rational
    point strictly inside the interval at the parameter values the pieces were found at (certified).

    >>> Piece(-sp.oo, 0, sp.S.Zero, sp.Integer(-1)).hi
    0
    """

    lo: sp.Expr
    hi: sp.Expr
    f: sp.Expr
    probe: sp.Rational


def pieces(expr: sp.Expr, values: Mapping) -> list[Piece]:
    """``expr`` split at its switch points (``switch_points``) into smooth pieces, from left to right.

    Each piece's form is the branch ``resolve`` picks at its probe; the probes and the order are
    certified, else ``UndecidedSign``. Whether each switch function keeps its sign on each piece
    is the caller's to check (``max(sin(x), 0)`` switches at every k*pi, not only at 0).

    >>> [(p.lo, p.hi, p.f, p.probe) for p in pieces(sp.Max(0, x) + sp.Abs(x - 1), {})]
    [(-oo, 0, 1 - x, -1), (0, 1, 1, 1/2), (1, oo, 2*x - 1, 2)]
    >>> from symact.catalog import max_val, min_val
    >>> [p.f for p in pieces(sp.Min(sp.Max(x, min_val), max_val), {min_val: -1, max_val: 1})]
    [min_val, x, max_val]
    """
    values = {k: sp.sympify(v) for k, v in values.items()}
    if is_smooth(expr):
        return [Piece(-sp.oo, sp.oo, expr, sp.Integer(0))]
    cuts = [-sp.oo, *switch_points(expr, values), sp.oo]
    out = []
    for lo, hi in zip(cuts, cuts[1:]):
        probe = rational_inside(sp.sympify(lo).subs(values), sp.sympify(hi).subs(values))
        out.append(Piece(lo, hi, resolve(expr, {**values, x: probe}), probe))
    return out


def rational_inside(lo: sp.Expr, hi: sp.Expr) -> sp.Rational:
    """A simple rational number strictly inside (``lo``, ``hi``), real constants or -oo/oo; certified.

    Raises ``UndecidedSign`` when no candidate can be certified inside (``lo`` < ``hi`` not certified).

    >>> rational_inside(-sp.oo, sp.sqrt(2)), rational_inside(sp.sqrt(2), sp.pi), rational_inside(0, sp.Rational(1, 10**15))
    (0, 9/4, 1/2000000000000000)
    >>> rational_inside(10**300, sp.oo) > 10**300
    True
    """
    if certified_sign(hi - lo) != 1 or too_large(lo) or too_large(hi):
        raise UndecidedSign(hi - lo)
    if lo == -sp.oo and hi == sp.oo:
        candidates = [sp.Integer(0)]
    elif lo == -sp.oo:  # a margin of |hi|/10**20 beyond the rounding of 30 digits: hi = -10**300 too
        n = sp.floor(sp.N(hi, 30))
        candidates = [n - 1 - abs(n) // 10**20]
    elif hi == sp.oo:
        n = sp.ceiling(sp.N(lo, 30))
        candidates = [n + 1 + abs(n) // 10**20]
    else:
        middle = sp.N((lo + hi) / 2, 30)
        candidates = [sp.nsimplify(middle, rational=True, tolerance=abs(sp.N(hi - lo, 30)) / 8)]
        candidates += [sp.nsimplify(sp.N((lo + hi) / 2, digits), rational=True) for digits in (30, 120, 480)]
    for q in candidates:
        if q.is_Rational and certified_sign(q - lo) == 1 and certified_sign(hi - q) == 1:
            return q
    raise UndecidedSign(hi - lo)


def find_kinks(expr: sp.Expr, values: Mapping) -> list[Kink]:
    """The points where ``expr`` is not differentiable, with one-sided data.

    ``values`` gives numbers for the parameters (to order the points and pick branches);
    the results stay symbolic in the parameters. A side too large to evaluate at its kink
    (``symact.magnitude``: Max(x, 3)**x**x**x at 3) raises ``TooLarge``.

    >>> from symact.catalog import max_val, min_val
    >>> [k.point for k in find_kinks(sp.Min(sp.Max(x, min_val), max_val), {min_val: -1, max_val: 1})]
    [min_val, max_val]
    """
    values = {k: sp.sympify(v) for k, v in values.items()}
    points = switch_points(expr, values)
    numbers = [_number(p, values) for p in points]
    kinks = []
    for i, (point, number) in enumerate(zip(points, numbers)):
        gaps = [abs(number - other) for j, other in enumerate(numbers) if j != i]
        h = min([sp.Float("1e-3"), *(g / 4 for g in gaps)])
        left = resolve(expr, {**values, x: number - h})
        right = resolve(expr, {**values, x: number + h})
        slopes = [sp.diff(side, x) for side in (left, right)]
        if any(too_large(side, {x: point}) for side in (left, right, *slopes)):  # Max(x, 3)**x**x**x at 3
            raise TooLarge(f"{expr} at its kink x = {point} is too large to evaluate")
        dl, dr = (tidy(slope.subs(x, point)) for slope in slopes)
        vl, vr = (tidy(side.subs(x, point)) for side in (left, right))
        if is_zero(dl - dr) and is_zero(vl - vr):
            continue
        kinks.append(Kink(point, dl, dr, vl, vr))
    return kinks
