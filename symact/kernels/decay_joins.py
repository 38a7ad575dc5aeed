"""The rules that join an exponential to a factor that decays, for ``symact.kernels.rules``: exp(a) times sech**2,
powers of sigmoid, softplus or erfc becomes one node (``symact.kernels.exp_joined`` computes them) wherever
exp(a) grows without bound as the factor decays, as the certified asymptotic calculus decides (``_opposed``);
elsewhere the factors keep their own underflow scaling.

>>> from symact.kernels.nodes import s_sigmoid
>>> x = sp.Symbol('x')
>>> rule_decay_times_exp(sp.exp(sp.Rational(23, 10) * x) * s_sigmoid(-2 * x) ** 2)
s_sigmoid_exp(2*x, 23*x/10, 0, 2)
"""

from __future__ import annotations

import sympy as sp
from sympy.codegen.cfunctions import log1p

from symact.kernels.asymptotics import limit_at_infinity
from symact.kernels.nodes import (
    StableNode,
    s_dsigmoid,
    s_dsigmoid_exp,
    s_erfc_exp,
    s_expsq,
    s_ncdf,
    s_sech2,
    s_sech2_exp,
    s_sigmoid,
    s_sigmoid_exp,
    s_softplus,
    s_softplus_exp,
)

__all__ = ["rule_decay_times_exp"]


# The nodes of exp(a) times a decay, a their second argument.
_JOINS = (s_sech2_exp, s_dsigmoid_exp, s_sigmoid_exp, s_softplus_exp, s_erfc_exp)


def rule_decay_times_exp(mul: sp.Expr) -> sp.Expr:
    """exp(a)*sech(u)**2 -> s_sech2_exp(u, a), exp(a)*sigmoid'(u) -> s_dsigmoid_exp(u, a), and exp(a) times other
    powers of sigmoid(u) and sigmoid(-u) -> s_sigmoid_exp(u, a, m, n): the chain rule's exp(x)*sech(exp(x))**2
    is 0 for large x, and exp(2.3x)*sigmoid(-2x)**2 is exp(-1.7x), not inf*0. Before, exponentials of opposed
    growth are one (``_joined_exps``); an exponential times such a node moves into its exponent; after, softplus
    and erfc (``_other_decay_times_exp``), a sum that exp(a) multiplies (``_distributed``), a sum of
    exponentials that multiplies the product that is left without one (``_over_exponentials``), and a sum that
    grows where the product it multiplies decays and nothing joined (``_over_growing_sum``)."""
    if isinstance(mul, sp.Add):
        return _common_growth(mul) or mul
    if not isinstance(mul, sp.Mul):
        return mul
    joined = _joined(_joined_exps(mul))
    if isinstance(joined, sp.Mul) and not any(isinstance(f, sp.exp) for f in joined.args):
        return _more_decays(joined) or _over_exponentials(joined) or _hyperbolic(joined) or _into(joined) or joined
    return (_over_growing_sum(joined) if joined == mul else None) or joined


def _common_growth(add: sp.Add) -> sp.Expr | None:
    """c1 exp(a1) + c2 node(u, a2, ...) + ... -> exp(g)*(c1 exp(a1 - g) + c2 node(u, a2 - g, ...) + ...) where g > 600,
    g one of the a_i that grows without bound and that each term exceeds by less than an exponential (as the
    certified asymptotic calculus decides): where the terms overflow together, their sum overflows to the signed
    inf, not inf - inf. f'' of log(1 + exp(0.7x))*exp(2.3x) is (3.71 sigmoid(0.7x) - 0.49 sigmoid(0.7x)**2
    + 5.29 softplus(0.7x)) exp(2.3x), +inf past x = 309 (None: a term without one exponential, or no such g)."""
    found = [_exponent(t) for t in add.args]
    symbols = set().union(*(t.free_symbols for t in add.args))
    if any(f is None for f in found) or len(symbols) != 1:
        return None
    (var,) = symbols
    for side in (-1, 1):
        for g in dict.fromkeys(a for a, _ in found):
            if limit_at_infinity(g, var, side) != (sp.oo, 1):
                continue
            scaled = [_plain(t) * sp.exp(-g) for t in add.args]
            if all((limit_at_infinity(sp.log(sp.Abs(t)) / var, var, side) or (None,))[0] == 0 for t in scaled):
                shared = sp.Add(*(move(a - g) for a, move in found))
                return sp.Piecewise((add, g <= 600), (sp.exp(g) * shared, True))
    return None


def _exponent(term: sp.Expr) -> tuple[sp.Expr, object] | None:
    """(a, move): ``term`` has exactly one exp(a) or node of exp(a) joined to a decay among its factors, and
    move(b) is ``term`` with b for a; else None."""
    factors = sp.Mul.make_args(term)
    grow = [f for f in factors if isinstance(f, sp.exp) or f.func in _JOINS]
    if len(grow) != 1:
        return None
    (f,) = grow
    rest = [g for g in factors if g is not f]
    if isinstance(f, sp.exp):
        return f.args[0], lambda b: sp.Mul(*rest, sp.exp(b))
    return f.args[1], lambda b: sp.Mul(*rest, f.func(f.args[0], b, *f.args[2:]))


def _plain(e: sp.Expr) -> sp.Expr:
    """``e`` with its stable nodes as ordinary SymPy expressions, for the asymptotic calculus."""
    e = e.replace(lambda f: isinstance(f, StableNode), lambda f: f.value())
    return e.replace(lambda f: isinstance(f, log1p), lambda f: sp.log(1 + f.args[0]))


def _decay(f: sp.Expr) -> tuple[sp.Expr, int, int, sp.Expr] | None:
    """(w, m, n, c) where ``f`` is c*sigmoid(w)**m*sigmoid(-w)**n: a positive integer power of s_sigmoid(w),
    s_dsigmoid(w) or s_sech2(w/2) (c = 4 per power), else None."""
    base, j = f.as_base_exp()
    if not (j.is_Integer and j > 0) or base.func not in (s_sigmoid, s_dsigmoid, s_sech2) or len(base.args) != 1:
        return None
    if base.func is s_sigmoid:
        return base.args[0], int(j), 0, sp.S.One
    if base.func is s_dsigmoid:
        return base.args[0], int(j), int(j), sp.S.One
    return 2 * base.args[0], int(j), int(j), sp.Integer(4) ** j


def _more_decays(mul: sp.Mul) -> sp.Expr | None:
    """node(u, a, ...)*sigmoid(w)**m*sigmoid(-w)**n -> node(u, a - n w, ...)*sigmoid(|w|)**(m + n) where w >= 0,
    node(u, a + m w, ...)*sigmoid(|w|)**(m + n) below (node one of exp(a) joined to a decay; also s_dsigmoid and
    s_sech2 as such powers), where exp(a) grows as the powers decay: each decay moves into the one exponent and
    what is left is in [2**-(m + n), 1]. f'' of sinh(1.5x)/cosh(0.7x)**2 holds exp(2.2x) sigmoid'(0.7x)
    sigmoid'(1.4x), exp(0.1x) times that, not inf*0 at x = 800 (None: no node, or no such power)."""
    node = next((f for f in mul.args if f.func in _JOINS), None)
    if node is None:
        return None
    for f in mul.args:
        found = _decay(f)
        if found is None or not _opposed(node.args[1], *found[:3]):
            continue
        (w, m, n, c), rest = found, [g for g in mul.args if g is not f and g is not node]
        left = c * s_sigmoid(sp.Abs(w)) ** (m + n)
        pieces = []
        for shift, cond in ((-n * w, w >= 0), (m * w, True)):
            moved = node.func(node.args[0], node.args[1] + shift, *node.args[2:])
            pieces.append((rule_decay_times_exp(sp.Mul(*rest, moved, left)), cond))
        return sp.Piecewise(*pieces)
    return None


def _into(mul: sp.Mul) -> sp.Expr | None:
    """d*(p + q) -> d*p + d*q and d*Piecewise((p, c), ...) -> Piecewise((d*p, c), ...), each joined by
    ``rule_decay_times_exp``, where d holds a decaying factor (``_decay``) and that joins it in some term or branch:
    the decays of f'' of sinh(1.5x)/cosh(0.7x)**2 multiply sums of joined nodes (None: no such factor, sum or
    branch)."""
    if not any(_decay(f) for f in mul.args):
        return None
    for f in mul.args:
        if isinstance(f, (sp.Add, sp.Piecewise)):
            rest = [g for g in mul.args if g is not f]
            parts = f.args if isinstance(f, sp.Add) else [e for e, _ in f.args]
            new = [rule_decay_times_exp(sp.Mul(p, *rest)) for p in parts]
            if any(t != sp.Mul(p, *rest) for t, p in zip(new, parts)):
                if isinstance(f, sp.Add):
                    return sp.Add(*new)
                return sp.Piecewise(*((t, c) for t, (_, c) in zip(new, f.args)))
    return None


def _joined(mul: sp.Expr) -> sp.Expr:
    """``mul`` with its one exponential joined to a decaying factor, or to the terms of a sum it multiplies."""
    grow = [f for f in mul.args if isinstance(f, sp.exp)] if isinstance(mul, sp.Mul) else []
    if len(grow) != 1:
        return mul
    a, others = grow[0].args[0], [f for f in mul.args if f is not grow[0]]
    joined = [f for f in others if f.func in _JOINS]
    if joined:  # exp(b)*node(u, a, ...) = node(u, a + b, ...)
        node = joined[0]
        moved = node.func(node.args[0], node.args[1] + a, *node.args[2:])
        return sp.Mul(*(f for f in others if f is not node), moved)
    sech2 = [f for f in others if f.func is s_sech2]
    if sech2:
        return sp.Mul(*(f for f in others if f is not sech2[0]), s_sech2_exp(sech2[0].args[0], a))
    u, m, n, used = _sigmoid_powers(others)
    if not used or not _opposed(a, u, m, n):
        return _other_decay_times_exp(a, others) or _distributed(grow[0], others) or mul
    rest = [f for f in others if f not in used]
    if used[0].func is s_dsigmoid and len(used) == 1:
        return sp.Mul(*rest, s_dsigmoid_exp(used[0].args[0], a))
    return sp.Mul(*rest, s_sigmoid_exp(u, a, m, n))


def _other_decay_times_exp(a: sp.Expr, others: list) -> sp.Expr | None:
    """exp(a)*softplus(u) -> s_softplus_exp(u, a) where exp(a) grows as u -> -oo, exp(a)*erfc(u) -> s_erfc_exp(u, a)
    where it grows as u -> +oo: exp(2x)*softplus(-2.5x) is exp(-0.5x) for large x, exp(1.5x)*erfc(2x) is about
    exp(1.5x - 4x**2)/(2x), not inf*0 (None: no such factor)."""
    for f in others:
        for decay, node, sides in ((s_softplus, s_softplus_exp, (1, 0)), (sp.erfc, s_erfc_exp, (0, 1))):
            if f.func is decay and _opposed(a, f.args[0], *sides):
                return sp.Mul(*(g for g in others if g is not f), node(f.args[0], a))
        if f.func is s_ncdf and len(f.args) == 1 and _opposed(a, -f.args[0] / sp.sqrt(2), 0, 1):  # erfc(-u/sqrt 2)/2
            return sp.Mul(*(g for g in others if g is not f), s_erfc_exp(-f.args[0] / sp.sqrt(2), a) / 2)
    return None


def _joined_exps(mul: sp.Mul) -> sp.Expr:
    """exp(a)*exp(b) (exp(b) also s_expsq(u, c) = exp(-c u**2)) -> exp(a + b) where one grows without bound as the
    other decays: exp(0.7x)*exp(-0.49x**2) is 0 at x = 2000, not inf*0."""
    exps = [f for f in mul.args if isinstance(f, sp.exp) or f.func is s_expsq]
    powers = [f.args[0] if isinstance(f, sp.exp) else -f.args[1] * f.args[0] ** 2 for f in exps]
    symbols = set().union(*(p.free_symbols for p in powers))
    if len(exps) < 2 or len(symbols) != 1:
        return mul
    (var,) = symbols
    for side in (-1, 1):
        limits = [limit_at_infinity(p, var, side) for p in powers]
        ends = {found[0] for found in limits if found is not None}
        if sp.oo in ends and -sp.oo in ends:
            return sp.Mul(*(f for f in mul.args if f not in exps), sp.exp(sp.Add(*powers)))
    return mul


def _distributed(grow: sp.exp, others: list) -> sp.Expr | None:
    """exp(a)*(p + q) -> exp(a)*p + exp(a)*q, each joined by ``rule_decay_times_exp``, where that joins exp(a) to a
    decaying factor of some term: exp(-x)*(sigmoid(0.7x) - softplus(0.7x)) is finite at x = -800 where exp(-x)
    alone overflows (None: no sum, or no term joins)."""
    for f in others:
        if isinstance(f, sp.Add):
            terms = [rule_decay_times_exp(sp.Mul(grow, t)) for t in f.args]
            if any(t != sp.Mul(grow, u) for t, u in zip(terms, f.args)):
                return sp.Mul(*(g for g in others if g is not f), sp.Add(*terms))
    return None


def _over_exponentials(mul: sp.Mul) -> sp.Expr | None:
    """(c1 exp(a1) + c2 exp(a2) + ...)*d -> c1 exp(a1)*d + c2 exp(a2)*d + ..., each joined by ``rule_decay_times_exp``,
    where that joins some term's exp to the decaying factors d and some |a_i| > 64: f'' of exp(0.3x)/(1 + exp(2.3x))
    is (400 e^{4.9x} + 9 e^{0.3x} - 649 e^{2.6x}) sigmoid(-2.3x)**3/100, a number where e^{4.9x} overflows. Below,
    the sum as it is: its exponentials round once each where the joined nodes round more (None: no sum, or no term
    joins)."""
    for f in mul.args:
        growing = [a for t in sp.Add.make_args(f) for g in sp.Mul.make_args(t) if (a := _growing(g)) is not None]
        if isinstance(f, sp.Add) and growing:
            rest = [g for g in mul.args if g is not f]
            terms = [_spread(t, sp.Mul(*rest)) for t in f.args]
            if any(t != sp.Mul(u, *rest) for t, u in zip(terms, f.args)):
                small = sp.And(*(sp.Abs(a) <= 64 for a in growing))
                return sp.Piecewise((mul, small), (sp.Add(*terms), True))
    return None


def _over_growing_sum(mul: sp.Mul) -> sp.Expr | None:
    """s*d -> the terms of s, each times d (``_spread``), where the sum s grows without bound as the product d of the
    other factors decays (as the certified asymptotic calculus decides) and some exponent in s exceeds 64 in size;
    below, the product as it was. f'' of log(1 + exp(-0.7x))*exp(-2.3x) is (529 (e + 1)**2 softplus(-0.7x) + 371 e
    + 322) exp(-2.3x) sigmoid(-0.7x)**2/100 with e = exp(0.7x): (e + 1)**2 overflows where the decays underflow;
    spread, it is 5.29 softplus(-0.7x) exp(-2.3x) + ..., a number at x = 800, not inf*0 (None: no such sum)."""
    symbols = mul.free_symbols
    if len(symbols) != 1:
        return None
    (var,) = symbols
    for f in mul.args:
        if not isinstance(f, sp.Add):
            continue
        growing = _exponents(f)
        rest = sp.Mul(*(g for g in mul.args if g is not f))
        for side in (-1, 1) if growing else ():
            grows, decays = limit_at_infinity(_plain(f), var, side), limit_at_infinity(_plain(rest), var, side)
            if grows is not None and grows[0].is_infinite and decays is not None and decays[0] == 0:
                split = rule_decay_times_exp(sp.Add(*(_spread(t, rest) for t in f.args)))
                return sp.Piecewise((mul, sp.And(*(sp.Abs(a) <= 64 for a in growing))), (split, True))
    return None


def _exponents(add: sp.Add) -> list:
    """The exponents j*v of the factors exp(v)**j, sinh(v)**j, cosh(v)**j of the terms of ``add``, its powers of sums
    multiplied out (``_multiplied_out``)."""
    terms = [u for t in add.args for u in sp.Add.make_args(_multiplied_out(t))]
    return list(dict.fromkeys(a for u in terms for g in sp.Mul.make_args(u) if (a := _growing(g)) is not None))


def _spread(term: sp.Expr, rest: sp.Expr) -> sp.Expr:
    """``term``*``rest`` with the powers of 1 + exp(+-u) cancelled against the sigmoids of u (``_cancelled``), the
    powers of sums of exponentials left multiplied out, each monomial joined by ``rule_decay_times_exp``."""
    return sp.Add(*(rule_decay_times_exp(u) for u in sp.Add.make_args(_multiplied_out(_cancelled(term * rest)))))


def _cancelled(mul: sp.Expr) -> sp.Expr:
    """``mul`` with (1 + exp(u))**k*sigmoid(-u)**m -> sigmoid(-u)**(m - k) for k <= m (1 + exp(u) is 1/sigmoid(-u)),
    also against the sigmoid(-u)**n of s_sigmoid_exp(u, a, m, n), and the same with -u for u: (e + 1)**2 times
    exp(-2.3x) sigmoid(-0.7x)**2, e = exp(0.7x), is exp(-2.3x), with nothing to overflow."""
    factors = list(sp.Mul.make_args(mul))
    for i, f in enumerate(factors):
        base, k = f.as_base_exp()
        one = isinstance(base, sp.Add) and len(base.args) == 2 and sp.S.One in base.args
        if not (one and k.is_Integer and k > 0):
            continue
        e = next(g for g in base.args if g is not sp.S.One)
        if not isinstance(e, sp.exp):
            continue
        for j, g in enumerate(factors):
            found = _over(g, e.args[0], int(k)) if j != i else None
            if found is not None:
                c, kept = found
                factors[i], factors[j] = base ** (k - c), kept
                return _cancelled(sp.Mul(*factors))
    return mul


def _over(f: sp.Expr, u: sp.Expr, k: int) -> tuple[int, sp.Expr] | None:
    """(c, g): ``f`` = g*sigmoid(-u)**c, c the most sigmoid(-u) factors up to k, for ``f`` a power of s_sigmoid(-u)
    or s_sigmoid_exp(+-u, a, m, n); else None."""
    base, j = f.as_base_exp()
    if base.func is s_sigmoid and j.is_Integer and j > 0 and sp.expand(base.args[0] + u) == 0:
        c = min(k, int(j))
        return c, base ** (j - c)
    if j == 1 and base.func is s_sigmoid_exp:
        w, a, m, n = base.args
        if sp.expand(w - u) == 0 and n > 0:
            c = min(k, int(n))
            return c, s_sigmoid_exp(w, a, m, n - c) if m or n - c else sp.exp(a)
        if sp.expand(w + u) == 0 and m > 0:
            c = min(k, int(m))
            return c, s_sigmoid_exp(w, a, m - c, n) if m - c or n else sp.exp(a)
    return None


def _multiplied_out(term: sp.Expr) -> sp.Expr:
    """``term`` with its positive integer powers of sums that hold an exponential multiplied out: c*(e + 1)**2 ->
    c*e**2 + 2*c*e + c."""
    factors = sp.Mul.make_args(term)
    sums = [f for f in factors if f.is_Pow and isinstance(f.base, sp.Add) and f.exp.is_Integer and f.exp > 0]
    sums = [f for f in sums if f.base.has(sp.exp)]
    if not sums:
        return term
    rest = [f for f in factors if f not in sums]
    out = sp.expand_mul(sp.Mul(*(sp.expand_multinomial(f, deep=False) for f in sums)), deep=False)
    return sp.Add(*(sp.Mul(*rest, u) for u in sp.Add.make_args(out)))


def _hyperbolic(mul: sp.Mul) -> sp.Expr | None:
    """cosh(v)**j*d -> the binomial sum of exp(k*v)*d/2**j, and sinh(v)**j*d the same with signs where |v| >= 1 (as
    it was below, where the sum would cancel), each term joined by ``rule_decay_times_exp`` where that joins its exp
    to the decaying factors d: sinh(1.5x)/cosh(0.7x)**2 = 4 sinh(1.5x) sigmoid'(1.4x) is a number at x = 800, not
    inf*0 (None: no sinh or cosh, or no term joins)."""
    for f in mul.args:
        base, j = f.as_base_exp()
        if isinstance(base, (sp.sinh, sp.cosh)) and j.is_Integer and 0 < j <= 4:
            v, rest, sign = base.args[0], [g for g in mul.args if g is not f], 1 if isinstance(base, sp.cosh) else -1
            plain = [sp.Mul(sp.exp((j - 2 * i) * v), *rest) for i in range(j + 1)]
            terms = [rule_decay_times_exp(t) for t in plain]
            if terms == plain:
                continue
            split = sp.Add(*(sp.binomial(j, i) * sign**i * t for i, t in enumerate(terms))) / 2**j
            return split if sign == 1 else sp.Piecewise((mul, sp.Abs(v) < 1), (split, True))
    return None


def _growing(f: sp.Expr) -> sp.Expr | None:
    """j*v where ``f`` is exp(v), sinh(v) or cosh(v) to a positive integer power j, else None."""
    base, j = (f.base, f.exp) if f.is_Pow else (f, sp.S.One)
    return j * base.args[0] if isinstance(base, (sp.exp, sp.sinh, sp.cosh)) and j.is_Integer and j > 0 else None


def _opposed(a: sp.Expr, u: sp.Expr, m: int, n: int) -> bool:
    """Whether exp(a) may grow without bound where sigmoid(u)**m * sigmoid(-u)**n decays (True where a limit is
    not known): only then is the product one node (elsewhere its factors keep their own underflow scaling)."""
    symbols = a.free_symbols | u.free_symbols
    if len(symbols) != 1:
        return True
    (var,) = symbols
    for side in (-1, 1):
        grows, reach = limit_at_infinity(a, var, side), limit_at_infinity(u, var, side)
        if grows is None or reach is None:
            return True
        decays = reach[0].is_infinite and (n if reach[1] > 0 else m) > 0
        if grows[0] is sp.oo and decays:
            return True
    return False


def _sigmoid_powers(factors: list) -> tuple[sp.Expr, int, int, list]:
    """(u, m, n, used): the factors in ``factors`` that are s_sigmoid(u), s_sigmoid(-u) and s_dsigmoid(+-u) to
    positive integer powers, for the first such u, multiply to sigmoid(u)**m * sigmoid(-u)**n."""
    u, m, n, used = None, 0, 0, []
    for f in factors:
        base, j = f.as_base_exp()
        if base.func not in (s_sigmoid, s_dsigmoid) or not (j.is_Integer and j > 0):
            continue
        arg = base.args[0]
        sign = -1 if arg.could_extract_minus_sign() else 1
        if u is None:
            u = sign * arg
        if sign * arg != u:
            continue
        used.append(f)
        if base.func is s_dsigmoid:
            m, n = m + j, n + j
        else:
            m, n = (m + j, n) if sign > 0 else (m, n + j)
    return u, int(m), int(n), used
