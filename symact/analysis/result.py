"""What ``properties()`` returns: ``Property`` (a value and its proof), ``Properties`` (all of them, by name),
``PROPERTY_NAMES``, and the helpers that build proofs and *unknown* answers.

>>> p = Property('lipschitz', 1, proof('sup |df| = 1', True, 'exact'))
>>> p.proved, p.status, str(p)
(True, 'proved', 'lipschitz = 1')
>>> Property('lipschitz', 1.09, proof('sup |df| ~ 1.09', False, 'sampled')).status
'checked'
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field

import sympy as sp

from symact.errors import ParameterError
from symact.formula.html import table as html_table
from symact.proof import CHECKED, PROVED, UNKNOWN, Evidence, Proof, Status, Step

__all__ = ["Property", "Properties", "PROPERTY_NAMES", "readable", "proof"]


PROPERTY_NAMES = (
    "range", "minimum", "maximum", "bounded_below", "bounded_above", "limits", "asymptotes", "continuity",
    "monotonic", "monotonic_intervals", "derivative_monotonic", "zero_at_zero", "derivative_at_zero",
    "identity_near_origin", "parity", "self_gated", "lipschitz", "saturation",
)  # fmt: skip


@dataclass(frozen=True)
class Property:
    """One property's ``value`` with the ``proof`` behind it; ``status`` is its proof's: *proved*, *checked*
    (numerics alone back the value), *refuted* or *unknown* (no value); ``proved`` is False unless proved."""

    name: str
    value: object
    proof: Proof
    details: dict = field(default_factory=dict)

    @property
    def status(self) -> Status:
        """The status of the proof behind the value."""
        return Status(self.proof.status)

    @property
    def proved(self) -> bool:
        """Whether the proof behind the value is exact (status ``proved``)."""
        return self.proof.status == PROVED

    def __str__(self) -> str:
        return f"{self.name} = {_show(self.value)}" + ("" if self.proved else "  (numerical-only)")


@dataclass(frozen=True)
class Properties(Mapping):
    """The properties of one activation, by name (see ``PROPERTY_NAMES``)."""

    activation: str
    f: sp.Expr
    items_: dict

    def __getitem__(self, key: str) -> Property:
        if key not in self.items_:
            raise ParameterError(self.activation, key, "is not a property", PROPERTY_NAMES)
        return self.items_[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self.items_)

    def __len__(self) -> int:
        return len(self.items_)

    def __str__(self) -> str:
        width = max(map(len, self.items_))
        lines = [f"{self.activation or 'f'}(x) = {self.f}"]
        for name, p in self.items_.items():
            lines.append(f"  {name:<{width}}  {_show(p.value)}" + ("" if p.proved else "  [numerical-only]"))
        return "\n".join(lines)

    def __repr__(self) -> str:
        return f"Properties({self.activation!r}, {len(self)} properties)"

    def _repr_html_(self) -> str:
        rows = [(name, _show(p.value), "proved" if p.proved else "numerical-only") for name, p in self.items_.items()]
        return html_table(["property", "value", "evidence"], rows, f"{self.activation or 'f'}(x) = {self.f}")


def _show(value) -> str:
    if isinstance(value, tuple):
        return "(" + ", ".join(_show(v) for v in value) + ")"
    if isinstance(value, list):
        return "; ".join(_show(v) for v in value)
    if isinstance(value, dict):  # asymptotes: {'-oo': 0, '+oo': x} -> x -> -oo: 0; x -> +oo: x
        return "; ".join(f"x -> {k}: {_show(v)}" for k, v in value.items())
    return readable(str(value))


_LONG_RATIONAL = re.compile(r"(\d{20,})/(\d{20,})")


def readable(text: str) -> str:
    """Long exact rationals (selu's constants) shown as 20-digit decimals.

    >>> readable('x > 16732632423543772848170429916717/10000000000000000000000000000000')
    'x > 1.6732632423543772848'
    """
    return _LONG_RATIONAL.sub(lambda m: str(sp.N(sp.Rational(int(m[1]), int(m[2])), 20)), text)


def proof(
    statement: str,
    exact: bool,
    method: str,
    steps: Iterable[tuple[sp.Basic, str]] = (),
    evidence: Evidence | None = None,
    **details: object,
) -> Proof:
    """A Proof that is ``proved`` when ``exact``, else ``checked`` with numerical evidence."""
    statement = readable(statement)
    status = PROVED if exact else CHECKED
    if not exact and evidence is None:
        evidence = Evidence(points=1, digits=30, max_difference=0.0)
    return Proof(statement, status, method, tuple(Step(e, r) for e, r in steps), None, evidence, details=details)


def _unknown(name: str, reason: str) -> Property:
    return Property(name, None, Proof(f"{name} unknown: {readable(reason)}", UNKNOWN, reason), {"reason": reason})


def _with_reason(p: Property, reason: str) -> Property:
    return Property(p.name, p.value, p.proof, {**p.details, "reason": p.details.get("reason", reason)})


def _all_unknown(name: str, f: sp.Expr, reason: str) -> Properties:
    return Properties(name, f, {n: _unknown(n, reason) for n in PROPERTY_NAMES})
