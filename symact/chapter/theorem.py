"""The ``Theorem`` type: a statement of the chapter with the check that proves it, and ``theorem`` to declare one.

A theorem's proof is computed once per definition: ``Theorem.run`` keeps it, keyed by the theorem
itself (every field, the check included, never the name alone), unless part of it is unknown or a
time limit cut something short, which the next run may do better.

>>> from symact.proof import prove
>>> @theorem('one_plus_one', 'demo', '1 + 1 = 2', '1 + 1 = 2', 'Counting.')
... def one_plus_one():
...     return prove('1 + 1', '2')
>>> one_plus_one.run().status
'proved'
>>> one_plus_one.run() is one_plus_one.run()
True
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from symact.budget import expired
from symact.proof import CHECKED, PROVED, REFUTED, SYMBOLIC, UNKNOWN, Evidence, Proof

__all__ = ["Theorem", "theorem", "combine", "parts"]


@dataclass(frozen=True)
class Theorem:
    """One statement of the chapter, with the check that proves (or refutes) it.

    ``statement`` is plain words (for the terminal); ``prose`` the same in LaTeX, ``latex`` its
    formula (``\\\\`` breaks it into lines) and ``explanation`` one LaTeX sentence, for the notes.
    ``activations`` names the catalog activations it concerns; empty for a general fact.
    ``checked`` marks a statement with no general proof here: its verdict is *checked* (numerically
    or on instances), and that is all it claims.
    """

    name: str
    section: str
    statement: str
    explanation: str
    check: Callable[[], Proof | list[Proof]]
    latex: str
    prose: str = ""
    activations: tuple[str, ...] = ()
    checked: bool = False

    def run(self) -> Proof:
        """Run the check; several proofs combine into one (proved only if every part is; see ``combine``).

        The proof is computed once and kept for later calls, unless a part of it is unknown or the
        running call's budget ran out.
        """
        if self in _PROOFS:
            return _PROOFS[self]
        result = self.check()
        proof = result if isinstance(result, Proof) else combine(self.statement, list(result))
        if not expired() and all(p.status != UNKNOWN for p in parts(proof)):
            _PROOFS[self] = proof
        return proof

    def __repr__(self) -> str:
        return f"Theorem({self.name!r}: {self.statement})"


_PROOFS: dict[Theorem, Proof] = {}  # keyed by the whole definition, so an edited check never meets a stale proof


def theorem(
    name: str,
    section: str,
    statement: str,
    latex: str,
    explanation: str,
    prose: str = "",
    activations: Iterable[str] = (),
    checked: bool = False,
) -> Callable[[Callable], Theorem]:
    """Declare a theorem: decorates its check (a function returning a ``Proof`` or a list of them)
    and returns the ``Theorem``.

    >>> from symact.proof import prove
    >>> check = theorem('t', 'demo', 'x = x', 'x = x', 'Reflexivity.')(lambda: prove('x', 'x'))
    >>> check.name, check.run().status
    ('t', 'proved')
    """

    def declare(check: Callable) -> Theorem:
        return Theorem(name, section, statement, explanation, check, latex, prose, tuple(activations), checked)

    return declare


def combine(statement: str, proofs: list[Proof]) -> Proof:
    """Several proofs as one: refuted if any part is, else unknown if any part is, else checked if any
    part is (a numerical or instance check), else proved.

    >>> from symact.proof import prove
    >>> combine('both', [prove('x', 'x'), prove('x + 1', '1 + x')]).status
    'proved'
    """
    statuses = {p.status for p in proofs}
    status = next((s for s in (REFUTED, UNKNOWN, CHECKED) if s in statuses), PROVED)
    basis = next((p.basis for p in proofs if p.status == CHECKED), SYMBOLIC)
    steps = tuple(s for p in proofs for s in p.steps)
    bad = next((p for p in proofs if p.status == status and status != PROVED), None)
    points = sum(p.evidence.points for p in proofs if p.evidence)
    worst = max([p.evidence.max_difference for p in proofs if p.evidence] or [0.0])
    undecided = sum(p.evidence.undecided for p in proofs if p.evidence)
    evidence = Evidence(points, 50, worst, undecided) if points else None
    method = "; ".join(dict.fromkeys(p.method for p in proofs))
    return Proof(
        statement,
        status,
        method,
        steps,
        bad.counterexample if bad else None,
        evidence,
        None,
        None,
        {"parts": proofs},
        basis,
    )


def parts(proof: Proof) -> Iterator[Proof]:
    """``proof`` and, at any depth, the parts and instances it combines.

    >>> from symact.proof import prove
    >>> len(list(parts(combine('both', [prove('x', 'x'), prove('x + 1', '1 + x')]))))
    3
    """
    yield proof
    for key in ("parts", "instances"):
        for inner in (proof.details or {}).get(key, []):
            yield from parts(inner)
