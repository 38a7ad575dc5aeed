"""What a user string may contain: the functions, constants and keywords the parser accepts, and its limits.

Everything outside these tables is a ``ParseError``; ``symact.grammar`` reads them.

>>> sorted(CONSTANTS)
['E', 'e', 'inf', 'oo', 'pi']
>>> tree_size(sp.exp(sp.Symbol('x')) + 1)
4
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable

import sympy as sp
from sympy.core.relational import Relational
from sympy.logic.boolalg import BooleanAtom, BooleanFunction

from symact.catalog import x
from symact.errors import ParameterError, ParseError
from symact.functions import Phi, sigmoid, softplus

__all__ = [
    "FUNCTIONS",
    "CONSTANTS",
    "MAX_LENGTH",
    "MAX_DEPTH",
    "MAX_NODES",
    "tree_size",
    "within_limits",
    "is_condition",
    "tokenize",
]

MAX_LENGTH = 5000
MAX_DEPTH = 64  # parentheses, calls and unary signs; each level costs about ten Python frames
MAX_NODES = 5000  # nodes of the expression tree, repeated subtrees counted each time they occur
MAX_EXPONENT = 10**4
MAX_DIGITS = 4000  # below Python's int-to-str limit (4300 digits), so every result can be printed
UNDEFINED = (sp.nan, sp.zoo)
RESERVED = {"nan", "NaN", "zoo", "I", "j", "J"}  # not real numbers: never silent symbols


def tree_size(expr: sp.Basic, limit: int | None = None, _seen: dict | None = None) -> int:
    """Nodes of ``expr`` as a tree (a shared subtree counts at each occurrence); stops early past ``limit``.

    >>> tree_size(sp.Symbol('x') * sigmoid(sp.Symbol('x')) + 1)
    6
    """
    seen = {} if _seen is None else _seen
    if expr in seen:
        return seen[expr]
    total = 1
    for arg in expr.args:
        total += tree_size(arg, limit, seen)
        if limit is not None and total > limit:
            break
    seen[expr] = total
    return total


def within_limits(expr: sp.Basic, what: str, parameter: str) -> sp.Basic:
    """``expr`` held to the limit on exponents, ``MAX_EXPONENT``: a ``ParameterError`` otherwise (``x**10**9``
    would expand to a billion coefficients in C code that no budget can interrupt). exp(k*x) is exp(x)**k to
    SymPy's polynomial algorithms, so an integer multiple of x in a function's argument (sigmoid(10**400*x), an
    exponential in disguise) is an exponent too. The parser applies it to every string.

    >>> within_limits(x**2 + sp.exp(x / 10**6), "lambdify", "expr")
    x**2 + exp(x/1000000)
    >>> within_limits(x**10**9, "lambdify", "expr")
    Traceback (most recent call last):
    symact.errors.ParameterError: lambdify: parameter 'expr' has the exponent 1000000000; the limit is 10000
    """
    seen, todo = set(), [expr]
    while todo:  # each distinct subtree once
        node = todo.pop()
        if node in seen:
            continue
        seen.add(node)
        if node.is_Pow and node.exp.is_number and (not node.exp.is_finite or abs(node.exp) > MAX_EXPONENT):
            raise ParameterError(what, parameter, f"has the exponent {node.exp}; the limit is {MAX_EXPONENT}")
        if isinstance(node, sp.Function) and node.args and isinstance(node.args[0], sp.Expr) and node.args[0].has(x):
            for term in sp.Add.make_args(node.args[0]):
                c = term.as_coeff_Mul()[0]
                if c.is_Integer and abs(c) > MAX_EXPONENT:
                    shown = sp.sstr(node)
                    shown = shown if len(shown) <= 80 else shown[:77] + "..."
                    raise ParameterError(what, parameter, f"has a multiple of x beyond {MAX_EXPONENT} in {shown}")
        todo.extend(node.args)
    return expr


def digits(number: sp.Expr) -> float:
    """log10 of |number| (of the larger of numerator and denominator for a rational), at least 0: a power
    b**e has about e * digits(b) + 1 decimal digits.

    >>> round(4000 * digits(sp.Integer(9)) + 1)
    3818
    """
    if number.is_Rational:
        return math.log10(max(abs(number.p), number.q))
    try:
        magnitude = abs(complex(sp.N(number, 15)))
    except (TypeError, ValueError):
        return float(MAX_DIGITS)
    return 0.0 if magnitude <= 1 else math.log10(magnitude)


TOKEN = re.compile(
    r"\s*(?:(?P<number>(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)"
    r"|(?P<name>[A-Za-z][A-Za-z0-9_]*)"
    r"|(?P<op>\*\*|<=|>=|==|!=|[-+*/^(),|<>=]))"
)


def tokenize(text: str) -> list[tuple[str, str, int]]:
    """The tokens of ``text`` as (kind, text, position), ended by ``('end', '', len(text))``.

    >>> tokenize('2*x')
    [('number', '2', 0), ('op', '*', 1), ('name', 'x', 2), ('end', '', 3)]
    """
    tokens, pos = [], 0
    while pos < len(text):
        if text[pos:].strip() == "":
            break
        match = TOKEN.match(text, pos)
        if not match or match.end() == pos:
            start = len(text) - len(text[pos:].lstrip())
            raise ParseError(f"unexpected character {text[start]!r}{module_hint(text, start)}", text, start)
        kind = match.lastgroup
        tokens.append((kind, match.group(kind), match.start(kind)))
        pos = match.end()
    tokens.append(("end", "", len(text)))
    return tokens


_DOTTED = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)((?:\.[A-Za-z_][A-Za-z0-9_]*)+)")


def module_hint(text: str, dot: int) -> str:
    """For ``np.tanh``-style input (``.`` after a name): the hint to drop the module prefix."""
    for match in _DOTTED.finditer(text):
        if match.start(2) == dot:
            function = match.group(2).rsplit(".", 1)[1]
            return f"; write {function}(x), not {match.group(0)}(x): functions are named without a module"
    return ""


def _diff(expr, var=x, order=sp.Integer(1)):
    """One order at a time, so that a derivative growing past ``MAX_NODES`` stops early."""
    if not isinstance(var, sp.Symbol):
        raise ValueError("the variable of diff must be a symbol")
    if not (isinstance(order, sp.Integer) and 0 < order <= 10):
        raise ValueError("the order of diff must be an integer from 1 to 10")
    for k in range(int(order)):
        expr = sp.diff(expr, var)
        if tree_size(expr, MAX_NODES) > MAX_NODES:
            raise ValueError(f"derivative {k + 1} has more than {MAX_NODES} nodes")
    return expr


# name: (SymPy callable, smallest and largest number of arguments)
FUNCTIONS: dict[str, tuple[Callable, int, int]] = {
    "exp": (sp.exp, 1, 1),
    "log": (sp.log, 1, 1),
    "ln": (sp.log, 1, 1),
    "sqrt": (sp.sqrt, 1, 1),
    "sin": (sp.sin, 1, 1),
    "cos": (sp.cos, 1, 1),
    "tan": (sp.tan, 1, 1),
    "asin": (sp.asin, 1, 1),
    "acos": (sp.acos, 1, 1),
    "atan": (sp.atan, 1, 1),
    "sinh": (sp.sinh, 1, 1),
    "cosh": (sp.cosh, 1, 1),
    "tanh": (sp.tanh, 1, 1),
    "asinh": (sp.asinh, 1, 1),
    "acosh": (sp.acosh, 1, 1),
    "atanh": (sp.atanh, 1, 1),
    "erf": (sp.erf, 1, 1),
    "erfc": (sp.erfc, 1, 1),
    "abs": (sp.Abs, 1, 1),
    "Abs": (sp.Abs, 1, 1),
    "sign": (sp.sign, 1, 1),
    "Heaviside": (sp.Heaviside, 1, 2),
    "heaviside": (sp.Heaviside, 1, 2),
    "clip": (lambda value, low, high: sp.Min(sp.Max(value, low), high), 3, 3),
    "LambertW": (sp.LambertW, 1, 1),
    "max": (sp.Max, 2, 8),
    "Max": (sp.Max, 2, 8),
    "min": (sp.Min, 2, 8),
    "Min": (sp.Min, 2, 8),
    "sigmoid": (sigmoid, 1, 1),
    "Phi": (Phi, 1, 1),
    "softplus": (softplus, 1, 1),
    "diff": (_diff, 1, 3),
    "where": (lambda condition, a, b: sp.Piecewise((a, condition), (b, True)), 3, 3),
}
COMPARISONS = {"<": sp.Lt, "<=": sp.Le, ">": sp.Gt, ">=": sp.Ge, "==": sp.Eq, "!=": sp.Ne}
KEYWORDS = {"if", "else", "and", "or", "not"}
CONDITION_ARGUMENT = {"where": 0}  # functions whose argument at this index is a condition
CONSTANTS: dict[str, sp.Expr] = {"pi": sp.pi, "e": sp.E, "E": sp.E, "oo": sp.oo, "inf": sp.oo}
TRUTH = {"True": sp.true, "False": sp.false}
STEPS = "infinitely many jumps, which derive, properties and prove cannot split into pieces"
UNSUPPORTED = {"floor": STEPS, "ceil": STEPS, "ceiling": STEPS, "round": STEPS}


def is_condition(expr: sp.Basic) -> bool:
    """A relation or a logical combination of relations (a SymPy Symbol is a Boolean too, but not a condition)."""
    return isinstance(expr, (Relational, BooleanFunction, BooleanAtom))
