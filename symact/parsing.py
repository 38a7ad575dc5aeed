"""Safe parsing of user strings into SymPy, and ``define()``, which adds a user activation to the catalog's
registry of user entries.

Nothing here calls ``eval``, ``sympify`` or ``parse_expr`` on user text: ``symact.grammar`` builds the SymPy
tree node by node from the tokens that ``symact.whitelist`` allows, so no string can run code.

>>> parse('tanh(x) + 1')
tanh(x) + 1
>>> parse('2*sigmoid(2*x)')
2*sigmoid(2*x)
>>> parse('x**2 + 0.5')
x**2 + 1/2
>>> parse('__import__("os")')
Traceback (most recent call last):
    ...
symact.errors.ParseError: unexpected character '_'
  __import__("os")
  ^
"""

from __future__ import annotations

from collections.abc import Mapping

import sympy as sp

from symact.budget import guard
from symact.catalog import USER, Activation, _parameter_value, names, x
from symact.errors import ParameterError, ParseError, SymactError
from symact.grammar import build
from symact.recursion import headroom
from symact.whitelist import CONSTANTS, FUNCTIONS, MAX_DEPTH, MAX_LENGTH, MAX_NODES, tree_size, within_limits

__all__ = ["parse", "define", "FUNCTIONS", "CONSTANTS", "MAX_LENGTH", "MAX_DEPTH", "MAX_NODES", "tree_size"]


def parse(
    text: str,
    parameters: Mapping[str, sp.Symbol] | None = None,
    allow_symbols: bool = False,
    domain: list | None = None,
) -> sp.Expr:
    """Parse ``text`` into a SymPy expression in the real symbol ``x``.

    ``parameters`` maps further names to symbols; with ``allow_symbols`` any other plain
    name becomes a real symbol. Catalog activations are functions, their parameters
    optional positional arguments with their defaults, as in Python: ``swish(x)`` is
    ``x*sigmoid(x)``, ``swish(x, 2)`` is ``x*sigmoid(2*x)``. ``domain``, a list, receives the
    conditions under which the text as written has a real value, which SymPy's evaluation may drop
    (``symact.defined``).

    >>> parse('relu(x) - relu(-x)')
    -Max(0, -x) + Max(0, x)
    >>> found = []
    >>> parse('x/x', domain=found), found
    (1, [Ne(x, 0)])
    """
    if not isinstance(text, str):
        raise ParseError(f"expected a string, got {type(text).__name__}")
    if len(text) > MAX_LENGTH:
        raise ParseError(f"expression is {len(text)} characters long; the limit is {MAX_LENGTH}")
    try:
        with headroom(), guard():  # any caller's depth; a running call's deadline ends a long build
            return within_limits(build(text, dict(parameters or {}), allow_symbols, domain), "parse", "text")
    except SymactError as err:  # the grammar's recursive-descent frames say nothing to the caller
        raise err.with_traceback(None) from None
    except (ArithmeticError, ValueError, TypeError, RecursionError, AttributeError) as err:  # SymPy refusing input
        raise ParseError(f"cannot build an expression from {text[:60]!r}: {str(err)[:200]}") from None


_ASSUMPTIONS = ("positive", "negative", "nonnegative", "nonpositive", "real")


def _symbolic(value: object) -> bool:
    return value is None or isinstance(value, str)


def _declared(activation: str, parameter: str, value: object) -> sp.Symbol:
    """The symbol of a parameter: real, or with the assumption given as a string."""
    if isinstance(value, str):
        if value not in _ASSUMPTIONS:
            problem = f"must be a number, None or one of {', '.join(map(repr, _ASSUMPTIONS))}, got {value!r}"
            raise ParameterError(activation, parameter, problem, _ASSUMPTIONS)
        return sp.Symbol(parameter, real=True, **{value: True}) if value != "real" else sp.Symbol(parameter, real=True)
    return sp.Symbol(parameter, real=True)


def define(
    name: str, expr: str | sp.Expr, replace: bool = False, **defaults: float | sp.Expr | str | None
) -> Activation:
    """Add a user activation: ``expr`` a string (safely parsed) or SymPy expression in ``x``.

    >>> a = define('mine', 'x*tanh(exp(x))')
    >>> a.expr
    x*tanh(exp(x))
    >>> define('scaled', 'k*x', k=2).defaults
    {k: 2}
    >>> define('gated', 'x*sigmoid(g*x)', g='positive').defaults  # declared, without a value
    {g: g}

    A parameter is declared with a value (its default), ``None`` (a real symbol without one) or an
    assumption: ``'positive'``, ``'negative'``, ``'nonnegative'``, ``'nonpositive'`` or ``'real'``.
    Kernels need a value for every parameter: ``kernel('gated', g=2)``.

    Defining the same expression again returns the entry unchanged; a different one needs ``replace=True``.
    """
    if not isinstance(name, str) or not name.isidentifier():
        raise ParameterError("define", "name", f"must be an identifier, got {name!r}")
    key = name.lower()
    if key in names(include_aliases=True, vector=True) and key not in USER:
        raise ParameterError("define", "name", f"{name!r} is already in the catalog; choose another name")
    symbols = {p: _declared(name, p, v) for p, v in defaults.items()}
    if isinstance(expr, str):
        expr = parse(expr, parameters=symbols)
    elif isinstance(expr, sp.Basic):
        expr = within_limits(expr, "define", "expr").subs({s: x for s in expr.free_symbols if s.name == "x" and s != x})
        expr = expr.subs({s: symbols[s.name] for s in expr.free_symbols if s.name in symbols})
    else:
        raise ParameterError("define", "expr", f"must be a string or SymPy expression, not {type(expr).__name__}")
    unknown = sorted(s.name for s in expr.free_symbols - {x, *symbols.values()})
    if unknown:
        problem = (
            f"is not declared; pass it as a keyword: a value ({unknown[0]}=2), None or an assumption such as 'positive'"
        )
        raise ParameterError(name, unknown[0], problem, defaults)
    values = {
        symbols[p]: symbols[p] if _symbolic(v) else _parameter_value(name, symbols[p], v) for p, v in defaults.items()
    }
    entry = Activation(key, expr, values)
    old = USER.get(key)
    if old is not None and not replace:
        if (old.expr, old.defaults) == (entry.expr, entry.defaults):
            return old  # the same definition again (a re-run cell) changes nothing
        raise ParameterError(
            "define", "name", f"{name!r} is already defined as {old.expr}; pass replace=True to redefine it"
        )
    USER[key] = entry
    return entry
