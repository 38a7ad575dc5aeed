"""Named SymPy functions that keep derivatives readable: sigmoid, Phi, softplus.

Each follows SymPy's five-part shape: ``nargs``, ``fdiff``, rewrites to elementary
form, ``eval`` for exact values, and assumptions; LaTeX prints them as in a textbook.

>>> from sympy import Symbol, diff
>>> x = Symbol('x', real=True)
>>> diff(x * sigmoid(x), x)
x*(1 - sigmoid(x))*sigmoid(x) + sigmoid(x)
>>> sigmoid(x).rewrite('exp')
1/(1 + exp(-x))
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import mpmath
import sympy as sp
from sympy import S

from symact.errors import TooLarge
from symact.magnitude import too_large

__all__ = ["sigmoid", "Phi", "softplus", "NAMED_FUNCTIONS", "expand_named", "MPMATH", "mp_function"]


class _Named(sp.Function):
    """The shared parts: one real argument, positive on the reals, a textbook LaTeX name."""

    nargs = 1
    latex_name = ""

    def _eval_is_real(self):
        return self.args[0].is_real

    def _eval_is_positive(self):
        return True if self.args[0].is_extended_real else None

    def _eval_evalf(self, prec):
        """A number's value by ``MPMATH``, which never cancels (``Phi(-40)`` and ``softplus(-100)`` are not 0)."""
        arg = self.args[0]
        if not arg.is_number:
            return self.rewrite(sp.erf if isinstance(self, Phi) else sp.exp)._eval_evalf(prec)
        value = arg._to_mpmath(prec + 10)
        with mpmath.workprec(prec + 10):
            value = MPMATH[type(self).__name__](value)
        return sp.Expr._from_mpmath(value, prec)

    def _latex(self, printer, exp=None):
        power = "" if exp is None else "^{%s}" % exp
        return r"%s%s{\left(%s \right)}" % (self.latex_name, power, printer._print(self.args[0]))


class _CDF(_Named):
    """A distribution function: 1/2 at 0, 0 at -oo, 1 at +oo."""

    @classmethod
    def eval(cls, arg):
        if arg.is_zero:
            return S.Half
        if arg is S.Infinity:
            return S.One
        if arg is S.NegativeInfinity:
            return S.Zero
        return None


class sigmoid(_CDF):
    r"""The logistic function :math:`\sigma(x) = 1/(1 + e^{-x})`; its derivative is :math:`\sigma(1-\sigma)`."""

    latex_name = r"\sigma"

    def fdiff(self, argindex=1):
        s = sigmoid(self.args[0])
        return s * (1 - s)

    def _eval_rewrite_as_exp(self, arg, **kwargs):
        return 1 / (1 + sp.exp(-arg))

    def _eval_rewrite_as_tanh(self, arg, **kwargs):
        return (sp.tanh(arg / 2) + 1) / 2


class Phi(_CDF):
    r"""The standard normal CDF :math:`\Phi(x) = (1 + \operatorname{erf}(x/\sqrt2))/2`."""

    latex_name = r"\Phi"

    def fdiff(self, argindex=1):
        z = self.args[0]
        return sp.exp(-(z**2) / 2) / sp.sqrt(2 * sp.pi)

    def _eval_rewrite_as_erf(self, arg, **kwargs):
        return (1 + sp.erf(arg / sp.sqrt(2))) / 2

    def _eval_rewrite_as_erfc(self, arg, **kwargs):
        return sp.erfc(-arg / sp.sqrt(2)) / 2

    _eval_rewrite_as_exp = _eval_rewrite_as_erf


class softplus(_Named):
    r"""The softplus :math:`\log(1 + e^{x})`; its derivative is :math:`\sigma(x)`."""

    latex_name = r"\operatorname{softplus}"

    def fdiff(self, argindex=1):
        return sigmoid(self.args[0])

    @classmethod
    def eval(cls, arg):
        if arg.is_zero:
            return sp.log(2)
        if arg is S.Infinity:
            return S.Infinity
        if arg is S.NegativeInfinity:
            return S.Zero
        return None

    def _eval_rewrite_as_exp(self, arg, **kwargs):
        return sp.log(1 + sp.exp(arg))

    _eval_rewrite_as_log = _eval_rewrite_as_exp


NAMED_FUNCTIONS = {"sigmoid": sigmoid, "Phi": Phi, "softplus": softplus}


def expand_named(expr: sp.Expr) -> sp.Expr:
    """Rewrite sigmoid, Phi and softplus into exp, log and erf.

    >>> from sympy import Symbol
    >>> expand_named(softplus(Symbol('x')))
    log(exp(x) + 1)
    """
    return expr.replace(lambda e: isinstance(e, (sigmoid, softplus)), lambda e: e.rewrite(sp.exp)).replace(
        lambda e: isinstance(e, Phi), lambda e: e.rewrite(sp.erf)
    )


def _heaviside(t, at_zero=mpmath.mpf(1) / 2):
    return mpmath.mpf(1) if t > 0 else mpmath.mpf(0) if t < 0 else at_zero


# The one mpmath evaluation of the named and non-smooth functions, for every high-precision check.
MPMATH = {
    "sigmoid": lambda t: 1 / (1 + mpmath.exp(-t)),
    "Phi": mpmath.ncdf,
    "softplus": lambda t: mpmath.log1p(mpmath.exp(t)) if t < 0 else t + mpmath.log1p(mpmath.exp(-t)),
    "Heaviside": _heaviside,
    "Max": max,
    "Min": min,
}


def mp_function(
    expr: sp.Expr, symbols: Sequence[sp.Symbol] = (sp.Symbol("x", real=True),)
) -> Callable[..., mpmath.mpf]:
    """An mpmath function of ``symbols`` (default: the catalog's real ``x``) for a SymPy expression.

    Where no evaluation would end (``symact.magnitude``: exp(exp(exp(x))) at 30), it raises ``TooLarge``.

    >>> x = sp.Symbol('x', real=True)
    >>> float(mp_function(softplus(x))(1000))
    1000.0
    >>> mp_function(sp.exp(sp.exp(sp.exp(x))))(30)
    Traceback (most recent call last):
    symact.errors.TooLarge: exp(exp(exp(x))) at (30,) is too large to evaluate
    """
    fn, symbols = sp.lambdify(symbols, expr, modules=[MPMATH, "mpmath"]), tuple(symbols)

    def bounded(*values):
        if too_large(expr, dict(zip(symbols, values))):
            raise TooLarge(f"{expr} at {values} is too large to evaluate")
        return fn(*values)

    return bounded
