"""``Definition``: what a kernel computes, resolved once where ``kernel()`` is called.

The catalog entry itself (never a name, so a pickle carries it and ``define(..., replace=True)`` makes a new
one), the parameter values given (exact), the kink policy and a key hashing the expression, every parameter
value and the policy. Both backends take a ``Definition``; every cache of compiled code is keyed by it.

>>> d = resolve('leaky_relu', 'torch', {'negative_slope': 0.1})
>>> d.name, d.params, d.kink, len(d.key)
('leaky_relu', (('negative_slope', 1/10),), 'torch', 24)
>>> d.key == resolve('leaky_relu', 'torch', {'negative_slope': 0.25}).key
False
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import sympy as sp

from symact.catalog import Activation
from symact.derivation import Derivation, activation_entry, derive
from symact.errors import ParameterError
from symact.kinks import check_policy

__all__ = ["Definition", "resolve"]


@dataclass(frozen=True, eq=False)
class Definition:
    """An activation's catalog entry, the parameter values given (by name, exact), the kink policy and ``key``;
    equal to another with the same key and name."""

    entry: Activation
    params: tuple[tuple[str, sp.Expr], ...]
    kink: str
    key: str

    def __eq__(self, other) -> bool:
        return isinstance(other, Definition) and (self.key, self.name) == (other.key, other.name)

    def __hash__(self) -> int:
        return hash((self.key, self.name))

    @property
    def name(self) -> str:
        """The activation's name (empty for an unnamed expression)."""
        return self.entry.name

    def derivation(self) -> Derivation:
        """The derivation of the definition (cached by ``derive``)."""
        return derive(self.entry, kink=self.kink, **dict(self.params))

    def values(self) -> dict[sp.Symbol, sp.Expr]:
        """Every parameter's value: the entry's defaults, replaced by the values given."""
        return {**self.entry.defaults, **self.entry.bind(**dict(self.params))}


def resolve(activation: str | sp.Expr | Activation, kink: str, params: dict) -> Definition:
    """The definition that ``activation`` (a name, expression string, SymPy expression or entry) names, with
    ``params`` bound and the kink policy checked."""
    check_policy(kink)
    entry = activation_entry(activation, params)
    if not isinstance(entry, Activation):
        raise ParameterError(entry.name, "activation", "is a vector activation: kernel() gives its VectorKernel")
    bound = entry.bind(**params)
    values = sorted({**entry.defaults, **bound}.items(), key=lambda item: item[0].name)
    text = "|".join([sp.srepr(entry.expr), sp.srepr(values), kink])
    key = hashlib.sha256(text.encode()).hexdigest()[:24]
    return Definition(entry, tuple((s.name, v) for s, v in sorted(bound.items(), key=lambda i: i[0].name)), kink, key)
