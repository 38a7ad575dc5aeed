"""Proofs: identities, bounds and limits, each *proved*, *checked*, *refuted* with a counterexample, or *unknown*.

>>> from symact.proof import prove
>>> prove('tanh(x) + 1', '2*sigmoid(2*x)').status
'proved'
"""

from symact.proof.bounds import prove_bound
from symact.proof.identities import prove
from symact.proof.limits import prove_limit
from symact.proof.result import (
    CHECK_BASES,
    CHECKED,
    CITED,
    EXACT,
    FLOAT,
    INSTANCES,
    PROOF_BASES,
    PROVED,
    REFUTED,
    SAMPLES,
    SYMBOLIC,
    UNKNOWN,
    Evidence,
    Proof,
    Status,
    Step,
)

__all__ = [
    "Step", "Evidence", "Proof", "Status", "PROVED", "CHECKED", "REFUTED", "UNKNOWN", "prove", "prove_bound",
    "prove_limit", "SYMBOLIC", "EXACT", "CITED", "INSTANCES", "SAMPLES", "FLOAT", "PROOF_BASES", "CHECK_BASES",
]  # fmt: skip
