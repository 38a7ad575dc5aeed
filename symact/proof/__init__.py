"""Proofs: identities, bounds and limits, each *proved*, *refuted* with a counterexample, or *unknown*.

>>> from symact.proof import prove
>>> prove('tanh(x) + 1', '2*sigmoid(2*x)').status
'proved'
"""

from symact.proof.bounds import prove_bound
from symact.proof.identities import prove
from symact.proof.limits import prove_limit
from symact.proof.result import PROVED, REFUTED, UNKNOWN, Evidence, Proof, Status, Step

__all__ = ["Step", "Evidence", "Proof", "Status", "PROVED", "REFUTED", "UNKNOWN", "prove", "prove_bound", "prove_limit"]
