"""The recursive-descent parser that turns a whitelisted string into a SymPy tree, node by node.

Precedence, loosest first: ``a if condition else b``; ``or``; ``and``; ``not``; comparisons (chained as in
Python); ``+ -``; ``* /``; unary signs; ``**`` and ``^``; atoms (numbers, names, calls, ``(...)``, ``|...|``).

>>> build('where(x > 0, x, 0)', {}, False)
Piecewise((x, x > 0), (0, True))
"""

from __future__ import annotations

import math
from collections.abc import Callable
from contextlib import contextmanager
from functools import partial

import sympy as sp

from symact.catalog import Activation, get, names, x
from symact.defined import Recorder, written_conditions
from symact.errors import ParseError, UnknownActivation
from symact.whitelist import (
    COMPARISONS,
    CONDITION_ARGUMENT,
    CONSTANTS,
    FUNCTIONS,
    KEYWORDS,
    MAX_DEPTH,
    MAX_DIGITS,
    MAX_EXPONENT,
    MAX_NODES,
    RESERVED,
    TRUTH,
    UNDEFINED,
    UNSUPPORTED,
    digits,
    is_condition,
    tokenize,
    tree_size,
)

__all__ = ["build"]


def build(text: str, parameters: dict, allow_symbols: bool, domain: list | None = None) -> sp.Expr:
    """The SymPy expression ``text`` denotes (``parameters`` maps names to symbols); ``ParseError`` otherwise.
    ``domain``, a list, receives the conditions under which the text as written has a real value
    (``symact.defined``), which SymPy's evaluation may have dropped from the tree (x/x is 1).

    >>> build('x if x > 0 else 0', {}, False)
    Piecewise((x, x > 0), (0, True))
    >>> found = []
    >>> build('x/x + sqrt(x)**2', {}, False, found), found
    (x + 1, [Ne(x, 0), x >= 0])
    """
    parser = _Parser(text, parameters, allow_symbols)
    expr = parser.parse()
    if domain is not None:
        domain.extend(parser.domain.conditions)
    return expr


class _Parser:
    """The recursive-descent parser of one string, one method per grammar rule."""

    def __init__(self, text: str, parameters: dict, allow_symbols: bool):
        self.text = text
        self.parameters = parameters
        self.allow_symbols = allow_symbols
        self.tokens = tokenize(text)
        self.i = 0
        self.depth = 0
        self.sizes: dict = {}
        self.domain = Recorder()  # where the text as written has a value (symact.defined)

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
        if expr.has(*UNDEFINED):
            self.fail("undefined value (such as oo - oo, 0*oo or a complex infinity)", pos)
        if expr.is_Rational and max(abs(expr.p), expr.q).bit_length() > MAX_DIGITS * math.log2(10):
            self.fail(f"number with more than {MAX_DIGITS} digits", pos)
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
        if not is_condition(cond):
            self.fail("expected a condition, such as x > 0", pos)
        return cond

    def number_like(self, expr, pos: int) -> sp.Expr:
        if is_condition(expr):
            self.fail("a condition where a value is expected; use where(condition, a, b)", pos)
        return expr

    def keyword(self, word: str) -> bool:
        kind, value, _ = self.peek()
        if kind == "name" and value == word:
            self.take()
            return True
        return False

    def conditional(self) -> sp.Basic:
        pos, start = self.peek()[2], self.domain.mark()
        expr = self.logical("or", partial(self.logical, "and", self.negation, sp.And), sp.Or)
        if not self.keyword("if"):
            return expr
        expr, middle = self.number_like(expr, pos), self.domain.mark()
        with self.nested(pos):
            cond = self.condition()
            if not self.keyword("else"):
                kind, value, at = self.peek()
                self.fail(f"expected 'else', found {'end of input' if kind == 'end' else repr(value)}", at)
            self.domain.guard(start, middle, cond)
            other_start = self.domain.mark()
            other = self.value()
            self.domain.guard(other_start, None, sp.Not(cond))
        return self.built(sp.piecewise_fold(sp.Piecewise((expr, cond), (other, True))), pos)

    def logical(self, word: str, operand: Callable, combine: Callable) -> sp.Basic:
        pos = self.peek()[2]
        expr = operand()
        while self.peek()[:2] == ("name", word):
            _, _, at = self.take()
            right = operand()
            for side, where in ((expr, pos), (right, at)):
                if not is_condition(side):
                    self.fail(f"'{word}' joins conditions, such as x > 0 {word} x < 1", where)
            expr = combine(expr, right)
        return expr

    def negation(self) -> sp.Basic:
        kind, value, pos = self.peek()
        if (kind, value) == ("name", "not"):
            self.take()
            with self.nested(pos):
                operand = self.negation()
            if not is_condition(operand):
                self.fail("'not' negates a condition, such as not x > 0", pos)
            return sp.Not(operand)
        return self.comparison()

    def comparison(self) -> sp.Basic:
        pos = self.peek()[2]
        left = self.sum()
        relations = []
        while self.peek()[0] == "op" and self.peek()[1] in COMPARISONS:
            _, op, at = self.take()
            right = self.sum()
            relations.append(COMPARISONS[op](self.number_like(left, pos), self.number_like(right, at)))
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
            if op == "/":  # x/x is 1 to SymPy: the denominator's condition is recorded first
                self.domain.require(sp.Pow(right, -1, evaluate=False))
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
            if exponent.is_number and (not exponent.is_finite or abs(exponent) > MAX_EXPONENT):
                self.fail(f"exponent {exponent} is too large", pos)
            if base.is_number and exponent.is_number:
                size = abs(float(exponent)) * digits(base) + 1
                if size > MAX_DIGITS:
                    self.fail(f"this power would have about {size:.3g} digits; the limit is {MAX_DIGITS}", pos)
            if base.is_zero and exponent.is_number and exponent.is_negative:
                self.fail("division by zero", pos)
            self.domain.require(sp.Pow(base, exponent, evaluate=False))
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
        if name in TRUTH:
            return TRUTH[name]
        if name in KEYWORDS:
            self.fail(f"unexpected {name!r}", pos)
        if name in RESERVED:
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
        args, keywords, marks = [], {}, []  # marks: where each argument's conditions start
        with self.nested(pos):
            if not (self.peek()[1] == ")" and self.peek()[0] == "op"):
                self.argument(args, keywords, marks)
                while self.peek()[1] == "," and self.peek()[0] == "op":
                    self.take()
                    self.argument(args, keywords, marks)
        self.expect(")")
        if name == "where" and len(args) == len(marks) == 3:  # a branch's conditions hold where it is taken
            self.domain.guard(marks[1], marks[2], args[0][0])
            self.domain.guard(marks[2], None, sp.Not(args[0][0]))
        if name in UNSUPPORTED:
            self.fail(f"{name} is not supported: {UNSUPPORTED[name]}", pos)
        parametrised = name in names() and isinstance(get(name), Activation) and get(name).params
        if name in FUNCTIONS and not (parametrised and (keywords or len(args) > FUNCTIONS[name][2])):
            return self.function(name, args, keywords, pos)
        return self.built(self.activation(name, args, pos, keywords), pos)

    def argument(self, args: list, keywords: dict, marks: list) -> None:
        """One argument of a call: a value, a condition (for where), or ``name=value``."""
        kind, value, pos = self.peek()
        marks.append(self.domain.mark())
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
                start = self.domain.mark()
                value = self.value()
                end = self.domain.mark()
                self.expect(",")
                branches.append((value, self.condition()))
                self.domain.guard(start, end, sp.And(branches[-1][1], *(sp.Not(c) for _, c in branches[:-1])))
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
        condition = CONDITION_ARGUMENT.get(name)
        for i, (arg, at) in enumerate(args):
            if i == condition and not is_condition(arg):
                self.fail(f"argument {i + 1} of {name} is a condition, such as x > 0", at)
            if i != condition:
                self.number_like(arg, at)
        if function in (sp.log, sp.sqrt):
            with sp.evaluate(False):
                self.domain.require(function(args[0][0]))
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
        self.domain.add([c.xreplace(values) for c in written_conditions(entry.expr)])  # the definition's own
        return entry.expr.xreplace(values)  # all at once: an argument containing x is not substituted again

    @contextmanager
    def nested(self, pos: int):
        self.depth += 1
        if self.depth > MAX_DEPTH:
            self.fail(f"expression is nested more than {MAX_DEPTH} levels deep", pos)
        try:
            yield
        finally:
            self.depth -= 1
