"""Proofs of identities: proved (a checked symbolic chain), refuted (a counterexample) or unknown.

Only a symbolic zero earns ``proved``; numerical agreement alone is ``unknown``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import sympy as sp

__all__ = ["Step", "Evidence", "Proof", "PROVED", "REFUTED", "UNKNOWN"]

PROVED, REFUTED, UNKNOWN = "proved", "refuted", "unknown"


@dataclass(frozen=True)
class Step:
    """One link of a proof chain: ``expr`` follows from the previous link by ``rule``."""

    expr: sp.Expr
    rule: str


@dataclass(frozen=True)
class Evidence:
    """Numerical evidence: how many points, at what precision, and the largest difference seen."""

    points: int
    digits: int
    max_difference: float


@dataclass(frozen=True)
class Proof:
    """The verdict on a statement ``lhs = rhs`` (or a bound, a limit, a matrix identity)."""

    statement: str
    status: str
    method: str = ""
    steps: tuple[Step, ...] = ()
    counterexample: dict | None = None
    evidence: Evidence | None = None
    lhs: sp.Basic | None = None
    rhs: sp.Basic | None = None
    details: dict = field(default_factory=dict)

    @property
    def proved(self) -> bool:
        return self.status == PROVED

    @property
    def refuted(self) -> bool:
        return self.status == REFUTED

    def __bool__(self) -> bool:
        return self.proved
