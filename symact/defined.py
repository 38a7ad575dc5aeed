"""Where a written expression has a real value: the conditions one node sets on its arguments.

SymPy evaluates as it builds: ``x/x`` is 1 and ``sqrt(x)**2`` is x, so the points where the text as written
has no value (x = 0; x < 0) are gone from the tree. The parser asks this module for the conditions of every
node before SymPy evaluates it (``symact.grammar``), and a proof states them (``symact.proof.domain``):
a denominator is not 0, the base of an even root (of any power whose exponent is not an integer) is not
negative, the argument of a logarithm is positive. A symbolic exponent may still be an integer at a point: there a
negative base has a real value ((-1)**x at x = -1), which falsification may use and a proof does not (``surely``).

>>> from symact.catalog import x
>>> node_conditions(sp.Pow(x, -1, evaluate=False))
[Ne(x, 0)]
>>> node_conditions(sp.Pow(x - 1, sp.Rational(1, 2), evaluate=False))
[x - 1 >= 0]
>>> node_conditions(sp.log(x, evaluate=False))
[x > 0]
>>> [has_value(c) for c in (sp.Ne(x, 0), x - 1 >= 0, sp.Gt(x + 2, 0))]
[Ne(x, 0), True, Ne(x + 2, 0)]
"""

from __future__ import annotations

import sympy as sp

__all__ = ["node_conditions", "written_conditions", "surely", "has_value", "Recorder"]


def node_conditions(node: sp.Basic) -> list[sp.Basic]:
    """The conditions, in the form ``u != 0``, ``u >= 0`` or ``u > 0``, under which ``node`` itself has a real
    value given real arguments; none that hold for every value of the symbols. A power with a symbolic exponent
    a: its base is positive (x**a is not real at x = -1 for a = 1/2), non-negative for a >= 0, not 0 for an
    integer a that may be negative; a symbolic a also at points where it is an integer, the base not 0 (``surely``
    drops that part: a proof holds where the rest does).

    >>> from symact.catalog import x
    >>> a, n = sp.Symbol('a', real=True), sp.Symbol('n', integer=True)
    >>> node_conditions(sp.Pow(x, n)), node_conditions(sp.Pow(x, sp.Rational(1, 3)))
    ([Ne(x, 0)], [x >= 0])
    >>> (c,) = node_conditions(sp.Pow(x, a))
    >>> c.xreplace({x: -1, a: -1}), c.xreplace({x: -1, a: sp.Rational(1, 2)}), surely(c)
    (True, False, x > 0)
    """
    found = []
    if isinstance(node, sp.Pow) and node.exp.is_extended_real is not False:  # x**(1/x): 1/x may be zoo
        e = node.exp
        if not e.is_integer:  # an even root, any power that may not be an integer power, of a negative number
            sure = sp.Ge(node.base, 0) if e.is_nonnegative else sp.Gt(node.base, 0)
            if e.free_symbols:  # or, at a point, an integer exponent (of a base not 0): (-1)**x at x = -1 is -1
                sure = sp.Or(sure, sp.And(sp.Contains(e, sp.Integers), sp.Ne(node.base, 0)))
            found.append(sure)
        elif not e.is_nonnegative:
            found.append(sp.Ne(node.base, 0))
    elif isinstance(node, sp.log) and len(node.args) == 1:
        found.append(sp.Gt(node.args[0], 0))
    return [c for c in found if c is not sp.true and c.free_symbols]


def written_conditions(expr: sp.Basic) -> list[sp.Basic]:
    """The conditions of every node of ``expr``, each once; a branch's hold where it is taken.

    >>> from symact.catalog import x
    >>> written_conditions(sp.Piecewise((sp.log(x), x > 0), (1 / x, True)))
    [Implies(x <= 0, Ne(x, 0))]
    """
    found = list(node_conditions(expr))
    if isinstance(expr, sp.Piecewise):
        earlier: list = []
        for value, cond in expr.args:
            taken = sp.And(cond, *(sp.Not(c) for c in earlier))
            found += [sp.Implies(taken, c) for c in written_conditions(value)]
            found += written_conditions(cond)
            earlier.append(cond)
    else:
        for arg in expr.args:
            found += written_conditions(arg)
    return [c for c in dict.fromkeys(found) if c is not sp.true]


def surely(condition: sp.Basic) -> sp.Basic:
    """A written condition without its points that hold by an exact value alone (an integer exponent at one
    point, ``node_conditions``): the part a proof, which reads a symbolic power for a positive base, holds on.

    >>> from symact.catalog import x
    >>> surely(sp.Or(x > 0, sp.Contains(x**x, sp.Integers))), surely(sp.Contains(x**x, sp.Integers))
    (x > 0, False)
    """
    return condition.replace(lambda n: isinstance(n, sp.Contains), lambda n: sp.false)


def has_value(condition: sp.Basic) -> sp.Basic:
    """The part of a written condition whose failure leaves a side with no value at all, not even a complex
    one: ``u != 0`` of ``u > 0`` (1/u, log(u)); nothing of ``u >= 0`` (an even root of a negative is complex)."""
    if isinstance(condition, sp.Implies):
        return sp.Implies(condition.args[0], has_value(condition.args[1]))
    if isinstance(condition, (sp.Or, sp.And)):  # a symbolic power's: u > 0 or an integer exponent
        return condition.func(*map(has_value, condition.args))
    if isinstance(condition, sp.Contains):  # (-1)**(1/2) is complex, yet a value
        return sp.true
    if isinstance(condition, sp.StrictGreaterThan):
        return sp.Ne(condition.lhs, condition.rhs)
    return sp.true if isinstance(condition, sp.GreaterThan) else condition


class Recorder:
    """The conditions a parser records as it builds a tree: a node's as written (``require``), and those of a
    branch, which hold only where the branch is taken (``guard``).

    >>> from symact.catalog import x
    >>> r = Recorder()
    >>> r.require(sp.log(x, evaluate=False))
    >>> r.guard(0, None, x > 1)
    >>> r.conditions
    [Implies(x > 1, x > 0)]
    """

    def __init__(self) -> None:
        self.conditions: list = []

    def mark(self) -> int:
        """Where the next condition will go: the start of a branch's."""
        return len(self.conditions)

    def add(self, conditions: list) -> None:
        """Record ``conditions``, each once; none that holds everywhere."""
        for c in conditions:
            if c is not sp.true and c.free_symbols and c not in self.conditions:
                self.conditions.append(c)

    def require(self, node: sp.Basic) -> None:
        """Record the conditions of ``node`` as written (``node_conditions``)."""
        self.add(node_conditions(node))

    def guard(self, start: int, end: int | None, where: sp.Basic) -> None:
        """The conditions recorded from index ``start`` to ``end`` hold only where ``where`` does."""
        end = len(self.conditions) if end is None else end
        guarded = [sp.Implies(where, c) for c in self.conditions[start:end]]
        self.conditions[start:end] = [c for c in guarded if c is not sp.true]
