"""Checks for users' test suites: derivatives against mpmath, shipped as a pytest plugin.

>>> check_derivative('sigmoid').ok
True
"""

from __future__ import annotations

from dataclasses import dataclass, field

import mpmath
import sympy as sp

from .catalog import Activation, get, x
from .derive import derive
from .kinks import find_kinks

__all__ = ["DerivativeCheck", "check_derivative", "mp_function", "sample_points"]


def mp_function(expr: sp.Expr):
    """An mpmath function of x for a SymPy expression (named functions by their definitions)."""
    from .derive import _MP

    return sp.lambdify(x, expr, modules=[_MP, "mpmath"])


def sample_points(kinks=(), count: int = 40) -> list:
    """Points for checking: a spread over [-50, 50], small |x|, and both sides next to each kink."""
    points = [mpmath.mpf(t) for t in (-50, -20, -9.5, -5, -3.3, -2, -1.3, -0.7, -0.3, -0.05, 0.01)]
    points += [mpmath.mpf(t) for t in (0.02, 0.2, 0.45, 0.9, 1.6, 2.5, 3.7, 6.1, 8, 12.5, 30, 50)]
    step = mpmath.mpf(100) / count
    points += [mpmath.mpf(-50) + step * (i + mpmath.mpf("0.37")) for i in range(count - len(points) + 8)]
    for k in kinks:
        points += [k - mpmath.mpf("1e-3"), k + mpmath.mpf("1e-3"), k - mpmath.mpf("0.3"), k + mpmath.mpf("0.3")]
    return sorted(p for p in points if all(abs(p - k) > mpmath.mpf("1e-6") for k in kinks))


@dataclass
class DerivativeCheck:
    """The result of ``check_derivative``: ``failures`` lists (what, point, analytic, numerical)."""

    name: str
    points: int = 0
    failures: list = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failures

    def __str__(self) -> str:
        if self.ok:
            return f"{self.name}: f' and f'' agree with mpmath at {self.points} points"
        lines = [f"{self.name}: {len(self.failures)} disagreement(s) with mpmath.diff"]
        lines += [
            f"  {what} at x = {mpmath.nstr(p, 12)}: analytic {mpmath.nstr(a, 15)}, numerical {mpmath.nstr(n, 15)}"
            for what, p, a, n in self.failures[:10]
        ]
        return "\n".join(lines)


def check_derivative(activation, digits: int = 30, tolerance: float = 1e-15, **params) -> DerivativeCheck:
    """Compare f' and f'' of ``derive(activation)`` with mpmath.diff of f at many points.

    Parameters take their defaults unless given. The check is independent of SymPy's calculus:
    the numerical side differentiates f itself at ``digits`` digits.
    """
    entry = get(activation) if isinstance(activation, str) else activation
    defaults = dict(entry.defaults) if isinstance(entry, Activation) else {}
    d = derive(entry, **params)
    values = {s: v for s, v in defaults.items() if s.name not in params}
    f, df, d2f = (mp_function(e.subs(values)) for e in (d.f, d.df, d.d2f))
    kinks = [
        mpmath.mpf(sp.N(k.point.subs({**defaults, **entry.bind(**params)}), 30))
        for k in find_kinks(entry.expr, {**defaults, **entry.bind(**params)})
    ]
    result = DerivativeCheck(d.name or str(d.f))
    with mpmath.workdps(digits):
        for p in sample_points(kinks):
            h = mpmath.mpf(10) ** (-digits // 3)
            for what, analytic, order in (("f'", df, 1), ("f''", d2f, 2)):
                want = mpmath.diff(f, p, order, h=h) if order == 1 else mpmath.diff(f, p, 2, h=h * 10)
                got = analytic(p)
                scale = 1 + abs(want)
                if abs(got - want) > tolerance * (10 ** (order - 1)) * 1e3 * scale:
                    result.failures.append((what, p, got, want))
            result.points += 1
    return result
