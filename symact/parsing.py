"""Safe parsing of user strings into SymPy (a whitelist tokenizer and a recursive-descent parser), and
``define()``, which parses a user activation into the catalog's registry of user entries.

Nothing here calls ``eval``, ``sympify`` or ``parse_expr`` on user text; the SymPy tree is
built node by node from tokens, so no string can run code.

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

import math
import re
from functools import partial
from collections.abc import Callable, Mapping

import sympy as sp
from sympy.core.relational import Relational
from sympy.logic.boolalg import BooleanAtom, BooleanFunction

from symact.catalog import USER, Activation, _parameter_value, get, names, x
from symact.errors import ParameterError, ParseError, SymactError, UnknownActivation
from symact.functions import Phi, sigmoid, softplus

__all__ = ["parse", "define", "FUNCTIONS", "CONSTANTS", "MAX_LENGTH", "MAX_DEPTH", "MAX_NODES", "tree_size"]

MAX_LENGTH = 5000
MAX_DEPTH = 64  # parentheses, calls and unary signs; each level costs about ten Python frames
MAX_NODES = 5000  # nodes of the expression tree, repeated subtrees counted each time they occur
_MAX_EXPONENT = 10**4
_MAX_DIGITS = 4000  # below Python's int-to-str limit (4300 digits), so every result can be printed
_UNDEFINED = (sp.nan, sp.zoo)
_RESERVED = {"nan", "NaN", "zoo", "I", "j", "J"}  # not real numbers: never silent symbols


def tree_size(expr: sp.Basic, limit: int | None = None, _seen: dict | None = None) -> int:
    """Nodes of ``expr`` as a tree (a shared subtree counts at each occurrence); stops early past ``limit``.

    >>> tree_size(parse('x*sigmoid(x) + 1'))
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


def _digits(number: sp.Expr) -> float:
    """Roughly how many decimal digits the integer part of ``number`` has."""
    try:
        magnitude = abs(complex(sp.N(number, 15)))
    except (TypeError, ValueError):
        return float(_MAX_DIGITS)
    return 0.0 if magnitude <= 1 else math.log10(magnitude) + 1


_TOKEN = re.compile(
    r"\s*(?:(?P<number>(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)"
    r"|(?P<name>[A-Za-z][A-Za-z0-9_]*)"
    r"|(?P<op>\*\*|<=|>=|==|!=|[-+*/^(),|<>=]))"
)


_DOTTED = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)((?:\.[A-Za-z_][A-Za-z0-9_]*)+)")


def _module_hint(text: str, dot: int) -> str:
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
_COMPARISONS = {"<": sp.Lt, "<=": sp.Le, ">": sp.Gt, ">=": sp.Ge, "==": sp.Eq, "!=": sp.Ne}
_KEYWORDS = {"if", "else", "and", "or", "not"}
_CONDITION_ARGUMENT = {"where": 0}  # functions whose argument at this index is a condition
CONSTANTS: dict[str, sp.Expr] = {"pi": sp.pi, "e": sp.E, "E": sp.E, "oo": sp.oo, "inf": sp.oo}
_TRUTH = {"True": sp.true, "False": sp.false}
_STEPS = "infinitely many jumps, which derive, properties and prove cannot split into pieces"
_UNSUPPORTED = {"floor": _STEPS, "ceil": _STEPS, "ceiling": _STEPS, "round": _STEPS}


def _is_condition(expr: sp.Basic) -> bool:
    """A relation or a logical combination of relations (a SymPy Symbol is a Boolean too, but not a condition)."""
    return isinstance(expr, (Relational, BooleanFunction, BooleanAtom))


def parse(
    text: str,
    parameters: Mapping[str, sp.Symbol] | None = None,
    allow_symbols: bool = False,
) -> sp.Expr:
    """Parse ``text`` into a SymPy expression in the real symbol ``x``.

    ``parameters`` maps further names to symbols; with ``allow_symbols`` any other plain
    name becomes a real symbol. Catalog activations are functions, their parameters
    optional positional arguments with their defaults, as in Python: ``swish(x)`` is
    ``x*sigmoid(x)``, ``swish(x, 2)`` is ``x*sigmoid(2*x)``.

    >>> parse('relu(x) - relu(-x)')
    -Max(0, -x) + Max(0, x)
    """
    if not isinstance(text, str):
        raise ParseError(f"expected a string, got {type(text).__name__}")
    if len(text) > MAX_LENGTH:
        raise ParseError(f"expression is {len(text)} characters long; the limit is {MAX_LENGTH}")
    try:
        return _Parser(text, dict(parameters or {}), allow_symbols).parse()
    except SymactError:
        raise
    except (ArithmeticError, ValueError, TypeError, RecursionError, AttributeError) as err:  # SymPy refusing input
        raise ParseError(f"cannot build an expression from {text[:60]!r}: {str(err)[:200]}") from None


class _Parser:
    def __init__(self, text: str, parameters: dict, allow_symbols: bool):
        self.text = text
        self.parameters = parameters
        self.allow_symbols = allow_symbols
        self.tokens = self._tokenize()
        self.i = 0
        self.depth = 0
        self.sizes: dict = {}

    def _tokenize(self) -> list[tuple[str, str, int]]:
        tokens, pos = [], 0
        text = self.text
        while pos < len(text):
            if text[pos:].strip() == "":
                break
            match = _TOKEN.match(text, pos)
            if not match or match.end() == pos:
                start = len(text) - len(text[pos:].lstrip())
                raise ParseError(f"unexpected character {text[start]!r}{_module_hint(text, start)}", text, start)
            kind = match.lastgroup
            start = match.start(kind)
            tokens.append((kind, match.group(kind), start))
            pos = match.end()
        tokens.append(("end", "", len(text)))
        return tokens

    # -- helpers ----------------------------------------------------------------------------
    def peek(self) -> tuple[str, str, int]:
        return self.tokens[self.i]

    def take(self) -> tuple[str, str, int]:
        token = self.tokens[self.i]
        self.i += 1
        return token

    def expect(self, op: str) -> None:
        kind, value, pos = self.take()
        if value != op or kind != "op":
            found = "end of input" if kind == "end" else repr(value)
            raise ParseError(f"expected {op!r}, found {found}", self.text, pos)

    def fail(self, message: str, pos: int):
        raise ParseError(message, self.text, pos) from None  # the message says all; no chained traceback

    # -- grammar ----------------------------------------------------------------------------
    def built(self, expr: sp.Expr, pos: int) -> sp.Expr:
        """Every node the parser builds: defined, printable, and of bounded size."""
        if expr.has(*_UNDEFINED):
            self.fail("undefined value (such as oo - oo, 0*oo or a complex infinity)", pos)
        if expr.is_Rational and max(abs(expr.p), expr.q).bit_length() > _MAX_DIGITS * 3.32:
            self.fail(f"number with more than {_MAX_DIGITS} digits", pos)
        if tree_size(expr, MAX_NODES, self.sizes) > MAX_NODES:
            self.fail(f"expression has more than {MAX_NODES} nodes", pos)
        return expr

    def parse(self) -> sp.Expr:
        if self.peek()[0] == "end":
            self.fail("empty expression", 0)
        expr = self.value()
        kind, value, pos = self.peek()
        if kind != "end":
            before = self.tokens[self.i - 1]
            hint = ""
            if before[0] == "number" and kind == "name":
                hint = f"; did you mean {before[1]}*{value}?"
            elif (before[0] in ("number", "name") or before[1] == ")") and (kind == "name" or value == "("):
                hint = "; a product needs * (2*x, not 2x)"
            elif value == "=":
                hint = "; compare with ==, inside where(...) or after if"
            self.fail(f"unexpected {value!r}{hint}", pos)
        return expr

    # value: a if condition else b | disjunction; conditions combine comparisons with and/or/not
    def value(self) -> sp.Expr:
        pos = self.peek()[2]
        return self.number_like(self.conditional(), pos)

    def condition(self) -> sp.Basic:
        pos = self.peek()[2]
        cond = self.logical("or", partial(self.logical, "and", self.negation, sp.And), sp.Or)
        if not _is_condition(cond):
            self.fail("expected a condition, such as x > 0", pos)
        return cond

    def number_like(self, expr, pos: int) -> sp.Expr:
        if _is_condition(expr):
            self.fail("a condition where a value is expected; use where(condition, a, b)", pos)
        return expr

    def keyword(self, word: str) -> bool:
        kind, value, _ = self.peek()
        if kind == "name" and value == word:
            self.take()
            return True
        return False

    def conditional(self) -> sp.Basic:
        pos = self.peek()[2]
        expr = self.logical("or", partial(self.logical, "and", self.negation, sp.And), sp.Or)
        if not self.keyword("if"):
            return expr
        expr = self.number_like(expr, pos)
        with self.nested(pos):
            cond = self.condition()
            if not self.keyword("else"):
                kind, value, at = self.peek()
                self.fail(f"expected 'else', found {'end of input' if kind == 'end' else repr(value)}", at)
            other = self.value()
        return self.built(sp.piecewise_fold(sp.Piecewise((expr, cond), (other, True))), pos)

    def logical(self, word: str, operand: Callable, combine: Callable) -> sp.Basic:
        pos = self.peek()[2]
        expr = operand()
        while self.peek()[:2] == ("name", word):
            _, _, at = self.take()
            right = operand()
            for side, where in ((expr, pos), (right, at)):
                if not _is_condition(side):
                    self.fail(f"'{word}' joins conditions, such as x > 0 {word} x < 1", where)
            expr = combine(expr, right)
        return expr

    def negation(self) -> sp.Basic:
        kind, value, pos = self.peek()
        if (kind, value) == ("name", "not"):
            self.take()
            with self.nested(pos):
                operand = self.negation()
            if not _is_condition(operand):
                self.fail("'not' negates a condition, such as not x > 0", pos)
            return sp.Not(operand)
        return self.comparison()

    def comparison(self) -> sp.Basic:
        pos = self.peek()[2]
        left = self.sum()
        relations = []
        while self.peek()[0] == "op" and self.peek()[1] in _COMPARISONS:
            _, op, at = self.take()
            right = self.sum()
            relations.append(_COMPARISONS[op](self.number_like(left, pos), self.number_like(right, at)))
            left, pos = right, at
        return sp.And(*relations) if relations else left

    def sum(self) -> sp.Expr:
        pos = self.peek()[2]
        expr = self.product()
        while self.peek()[1] in ("+", "-") and self.peek()[0] == "op":
            _, op, at = self.take()
            right = self.number_like(self.product(), at)
            expr = self.built(self.number_like(expr, pos) + right if op == "+" else expr - right, at)
        return expr

    def product(self) -> sp.Expr:
        pos = self.peek()[2]
        expr = self.unary()
        while self.peek()[1] in ("*", "/") and self.peek()[0] == "op":
            _, op, at = self.take()
            expr, right = self.number_like(expr, pos), self.number_like(self.unary(), at)
            pos = at
            if op == "/" and right.is_zero:
                self.fail("division by zero", pos)
            expr = self.built(expr * right if op == "*" else expr / right, pos)
        return expr

    def unary(self) -> sp.Expr:
        kind, value, pos = self.peek()
        if kind == "op" and value in ("+", "-"):
            self.take()
            with self.nested(pos):
                operand = self.number_like(self.unary(), pos)
            return self.built(-operand, pos) if value == "-" else operand
        return self.power()

    def power(self) -> sp.Expr:
        base = self.atom()
        kind, value, pos = self.peek()
        if kind == "op" and value in ("**", "^"):
            self.take()
            base = self.number_like(base, pos)
            with self.nested(pos):
                exponent = self.number_like(self.unary(), pos)
            if exponent.is_number and (not exponent.is_finite or abs(exponent) > _MAX_EXPONENT):
                self.fail(f"exponent {exponent} is too large", pos)
            if base.is_number and exponent.is_number:
                digits = _digits(base) * abs(float(exponent))
                if digits > _MAX_DIGITS:
                    self.fail(f"this power would have about {digits:.3g} digits; the limit is {_MAX_DIGITS}", pos)
            if base.is_zero and exponent.is_number and exponent.is_negative:
                self.fail("division by zero", pos)
            return self.built(base**exponent, pos)
        return base

    def atom(self) -> sp.Expr:
        kind, value, pos = self.take()
        if kind == "number":
            return self.number(value, pos)
        if kind == "name":
            if self.peek()[1] == "(" and self.peek()[0] == "op":
                return self.call(value, pos)
            return self.name(value, pos)
        if kind == "op" and value == "(":
            with self.nested(pos):
                expr = self.conditional()
            self.expect(")")
            return expr
        if kind == "op" and value == "|":
            with self.nested(pos):
                expr = self.value()
            self.expect("|")
            return self.built(sp.Abs(expr), pos)
        if kind == "op" and value == "=":
            self.fail("unexpected '='; compare with ==, or name a parameter inside a call: softplus(x, beta=2)", pos)
        self.fail("unexpected end of input" if kind == "end" else f"unexpected {value!r}", pos)

    def number(self, text: str, pos: int) -> sp.Expr:
        mantissa, _, exponent = text.lower().partition("e")
        if exponent and abs(int(exponent)) > 400 or len(mantissa) > 400:
            self.fail(f"number {text} is out of range", pos)
        return sp.Rational(text) if ("." in text or "e" in text.lower()) else sp.Integer(text)

    def name(self, name: str, pos: int) -> sp.Expr:
        if name == "x":
            return x
        if name in self.parameters:
            return self.parameters[name]
        if name in CONSTANTS:
            return CONSTANTS[name]
        if name in _TRUTH:
            return _TRUTH[name]
        if name in _KEYWORDS:
            self.fail(f"unexpected {name!r}", pos)
        if name in _RESERVED:
            self.fail(f"{name!r} is not a real number; expressions are over the reals", pos)
        if name in FUNCTIONS or name in names(include_aliases=True):
            self.fail(f"{name!r} is a function; call it, as in {name}(x)", pos)
        if self.allow_symbols and not name.startswith("_"):
            return sp.Symbol(name, real=True)
        known = ["x", *self.parameters, *CONSTANTS]
        suggestions = [n for n in known if n.lower() == name.lower()]
        hint = f"; did you mean {suggestions[0]!r}?" if suggestions else f" (known names: {', '.join(known)})"
        self.fail(f"unknown name {name!r}{hint}", pos)

    def call(self, name: str, pos: int) -> sp.Expr:
        self.expect("(")
        if name == "Piecewise":
            return self.piecewise(pos)
        args, keywords = [], {}
        with self.nested(pos):
            if not (self.peek()[1] == ")" and self.peek()[0] == "op"):
                self.argument(args, keywords)
                while self.peek()[1] == "," and self.peek()[0] == "op":
                    self.take()
                    self.argument(args, keywords)
        self.expect(")")
        if name in _UNSUPPORTED:
            self.fail(f"{name} is not supported: {_UNSUPPORTED[name]}", pos)
        parametrised = name in names() and isinstance(get(name), Activation) and get(name).params
        if name in FUNCTIONS and not (parametrised and (keywords or len(args) > FUNCTIONS[name][2])):
            return self.function(name, args, keywords, pos)
        return self.built(self.activation(name, args, pos, keywords), pos)

    def argument(self, args: list, keywords: dict) -> None:
        """One argument of a call: a value, a condition (for where), or ``name=value``."""
        kind, value, pos = self.peek()
        if kind == "name" and self.tokens[self.i + 1][:2] == ("op", "="):
            self.i += 2
            if value in keywords:
                self.fail(f"parameter {value!r} given twice", pos)
            keywords[value] = (self.value(), pos)
        elif keywords:
            self.fail("a positional argument after a keyword argument", pos)
        else:
            args.append((self.conditional(), pos))

    def piecewise(self, pos: int) -> sp.Expr:
        """``Piecewise((a, condition), ..., (b, True))``: the last branch must cover every remaining x."""
        branches = []
        with self.nested(pos):
            while True:
                self.expect("(")
                value = self.value()
                self.expect(",")
                branches.append((value, self.condition()))
                self.expect(")")
                if not (self.peek()[1] == "," and self.peek()[0] == "op"):
                    break
                self.take()
        self.expect(")")
        if branches[-1][1] is not sp.true:
            self.fail("the last branch of Piecewise needs the condition True (the otherwise case)", pos)
        return self.built(sp.Piecewise(*branches), pos)

    def function(self, name: str, args: list, keywords: dict, pos: int) -> sp.Expr:
        """A call of one of ``FUNCTIONS``: positional arguments only, a condition where the function takes one."""
        if keywords:
            self.fail(f"{name} takes no keyword arguments", next(iter(keywords.values()))[1])
        function, least, most = FUNCTIONS[name]
        if not least <= len(args) <= most:
            count = str(least) if least == most else f"{least} to {most}"
            self.fail(f"{name} takes {count} argument(s), got {len(args)}", pos)
        condition = _CONDITION_ARGUMENT.get(name)
        for i, (arg, at) in enumerate(args):
            if i == condition and not _is_condition(arg):
                self.fail(f"argument {i + 1} of {name} is a condition, such as x > 0", at)
            if i != condition:
                self.number_like(arg, at)
        try:
            return self.built(function(*(arg for arg, _ in args)), pos)
        except (ValueError, TypeError) as err:
            self.fail(f"cannot apply {name}: {err}", pos)

    def activation(self, name: str, args: list, pos: int, keywords: dict) -> sp.Expr:
        try:
            entry = get(name)
        except UnknownActivation as err:
            self.fail(
                f"unknown function {name!r}" + (f"; did you mean {err.suggestions[0]!r}?" if err.suggestions else ""),
                pos,
            )
        if not isinstance(entry, Activation):
            self.fail(f"{name!r} is a vector function and cannot appear in an expression", pos)
        params = entry.params
        if not 1 <= len(args) <= 1 + len(params):
            self.fail(f"{name} takes 1 to {1 + len(params)} argument(s) (x, {', '.join(p.name for p in params)})", pos)
        args = [self.number_like(arg, at) for arg, at in args]
        by_name = {p.name: p for p in params}
        values = {**entry.defaults, **dict(zip(params, args[1:])), x: args[0]}
        for key, (value, at) in keywords.items():
            if key not in by_name:
                self.fail(f"{name} has no parameter {key!r} (its parameters: {', '.join(by_name) or 'none'})", at)
            if by_name[key] in dict(zip(params, args[1:])):
                self.fail(f"parameter {key!r} given twice", at)
            values[by_name[key]] = value
        estimate = tree_size(entry.expr) + sum(
            entry.expr.count(symbol) * tree_size(value, MAX_NODES, self.sizes) for symbol, value in values.items()
        )
        if estimate > MAX_NODES:  # SymPy's evaluation of a huge tree can itself take minutes: refuse before
            self.fail(f"{name}(...) would have about {estimate} nodes; the limit is {MAX_NODES}", pos)
        return entry.expr.xreplace(values)  # all at once: an argument containing x is not substituted again

    def nested(self, pos: int):
        parser = self

        class _Depth:
            def __enter__(self):
                parser.depth += 1
                if parser.depth > MAX_DEPTH:
                    parser.fail(f"expression is nested more than {MAX_DEPTH} levels deep", pos)

            def __exit__(self, *exc):
                parser.depth -= 1

        return _Depth()


def define(name: str, expr, replace: bool = False, **defaults) -> Activation:
    """Add a user activation: ``expr`` a string (safely parsed) or SymPy expression in ``x``.

    >>> a = define('mine', 'x*tanh(exp(x))')
    >>> a.expr
    x*tanh(exp(x))
    >>> define('scaled', 'k*x', k=2).defaults
    {k: 2}

    Defining the same expression again returns the entry unchanged; a different one needs ``replace=True``.
    """
    if not isinstance(name, str) or not name.isidentifier():
        raise ParameterError("define", "name", f"must be an identifier, got {name!r}")
    key = name.lower()
    if key in names(include_aliases=True, vector=True) and key not in USER:
        raise ParameterError("define", "name", f"{name!r} is already in the catalog; choose another name")
    symbols = {p: sp.Symbol(p, real=True) for p in defaults}
    if isinstance(expr, str):
        expr = parse(expr, parameters=symbols)
    elif isinstance(expr, sp.Basic):
        expr = expr.subs({s: x for s in expr.free_symbols if s.name == "x" and s != x})
        expr = expr.subs({s: symbols[s.name] for s in expr.free_symbols if s.name in symbols})
    else:
        raise ParameterError("define", "expr", f"must be a string or SymPy expression, not {type(expr).__name__}")
    unknown = sorted(s.name for s in expr.free_symbols - {x, *symbols.values()})
    if unknown:
        raise ParameterError(name, unknown[0], "has no default value; pass it as a keyword", defaults)
    entry = Activation(key, expr, {symbols[p]: _parameter_value(name, symbols[p], v) for p, v in defaults.items()})
    old = USER.get(key)
    if old is not None and not replace:
        if (old.expr, old.defaults) == (entry.expr, entry.defaults):
            return old  # the same definition again (a re-run cell) changes nothing
        raise ParameterError(
            "define", "name", f"{name!r} is already defined as {old.expr}; pass replace=True to redefine it"
        )
    USER[key] = entry
    return entry
