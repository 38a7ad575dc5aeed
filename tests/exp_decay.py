"""User expressions whose stable form is exp(a) times a decay of its own (the nodes ``s_dsigmoid_exp``,
``s_sech2_exp``, ``s_sigmoid_exp``, ``s_softplus_exp`` and ``s_erfc_exp``), and what their export must compute in every framework: f and f' against mpmath over
x in [-300, 760], where exp(a) alone overflows or the decay alone underflows while the product is a number.

>>> bool(misses(np.array([1.0, 0.0]), np.array([1.0 + 2**-52, 1e-310]), 1, 'float64').any())
False
"""

import numpy as np
import sympy as sp
from sympy.codegen.cfunctions import log1p

from symact.catalog import x
from symact.testing.measure import ulp_error

from .exact import exact_values

# The expression, the node call its export prints, and the same function written without cancellation. The
# product is about exp(-x) (4 exp(-x)) for large x: the decay alone underflows from x = 373 (186), exp(3x) alone
# overflows from x = 237, and the product is a number to x = 745.
CASES = [
    (
        "exp(x)*sigmoid(2*x)*(1 - sigmoid(2*x))",
        "s_dsigmoid_exp(-2*x, x)",
        sp.exp(x) / ((1 + sp.exp(-2 * x)) * (1 + sp.exp(2 * x))),
    ),
    # 3*x is inexact: 2*x and 3*x are carried in double-double (float64), so that a - 2|t| is exact
    ("exp(3*x)*(1 - tanh(2*x)**2)", "s_sech2_exp(dd0, dd1)", 4 * sp.exp(3 * x) / (sp.exp(2 * x) + sp.exp(-2 * x)) ** 2),
    # about exp(-3.5x): the decay alone underflows from x = 119, exp(2.5x) overflows from x = 284
    (
        "exp(2.5*x)*sigmoid(-3*x)**2",
        "s_sigmoid_exp(dd0, dd1, 0, 2)",
        sp.exp(sp.Rational(5, 2) * x) / (1 + sp.exp(3 * x)) ** 2,
    ),
    # about exp(-x/2): softplus(-2.5x) alone underflows from x = 298, exp(2x) overflows from x = 355
    ("exp(2*x)*softplus(-2.5*x)", "s_softplus_exp(", sp.exp(2 * x) * log1p(sp.exp(-sp.Rational(5, 2) * x))),
    # about exp(1.5x - 4x**2)/(2x sqrt(pi)): erfc(2x) alone underflows from x = 13.7, exp(1.5x) overflows from x = 474
    ("exp(1.5*x)*erfc(2*x)", "s_erfc_exp(", sp.exp(sp.Rational(3, 2) * x) * sp.erfc(2 * x)),
]
# Multiples of 1/8: 2x and 3x are exact in float32 and float64, so the nodes' arguments are, and the bound is
# theirs (in float32 the export carries no double-double: a rounded 3x would add |3x| 2**-24 to the relative error).
POINTS = np.round(np.linspace(-300, 760, 120) * 8) / 8


def references(same: sp.Expr) -> tuple[np.ndarray, np.ndarray]:
    """f and f' of ``same`` at POINTS, to the nearest float64."""
    return exact_values(same, POINTS), exact_values(sp.diff(same, x), POINTS)


def misses(got: np.ndarray, want: np.ndarray, bound: float, dtype: str, flushed: float = 1.0) -> np.ndarray:
    """Where ``got`` is more than ``bound`` ULPs (in ``dtype``) from ``want``, a number at least ``flushed`` times
    the smallest normal; below, more than that many smallest normals from it (a subnormal, or 0 where a backend
    flushes subnormal results and intermediates to 0)."""
    tiny = float(np.finfo(dtype).tiny) * flushed
    with np.errstate(over="ignore"):
        want = want.astype(dtype).astype(np.float64)
    small = np.abs(want) < tiny
    return np.where(small, np.abs(got - want) > tiny, ~(ulp_error(got, want, dtype) <= bound))
